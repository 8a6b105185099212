//! Assets: the organisation's equipment and software licences — laptops,
//! monitors, phones, a projector, a car, a design tool's seats — with their
//! tag, purchase, warranty and licence dates, who holds them and until when,
//! and a maintenance schedule.
//!
//! An asset's status is derived from what happened to it, never typed in:
//! retired, or out (assigned to a person with no return date, or checked out
//! with an expected return), or in maintenance (checked in damaged or broken,
//! until maintenance is recorded), or available. The one rule that must
//! always hold: an asset is held by at most one person — assigning an asset
//! that is out is refused, whoever asks. [`apply`] is that rule; the store
//! runs it inside the write transaction against the stored state.
//!
//! Check-in records the condition: `good` and `fair` return the asset to the
//! shelf; `damaged` and `broken` leave it in maintenance (it cannot be handed
//! out) until a maintenance entry says it was seen to.

use crate::error::{FieldError, ValidationError};
use crate::ids::{PersonId, VendorId};
use crate::macros::named_enum;
use crate::office::contract::{fmt_date, in_days};
use crate::office::money::Money;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The longest maintenance interval: ten years.
pub const MAX_MAINTENANCE_MONTHS: u32 = 120;
/// How far ahead an expected return may be: two years.
pub const MAX_LOAN_DAYS: i64 = 731;

named_enum!(
    /// What sort of thing an asset is.
    AssetKind, "kind", {
        Laptop = "laptop",
        Desktop = "desktop",
        Monitor = "monitor",
        Phone = "phone",
        Tablet = "tablet",
        Printer = "printer",
        Camera = "camera",
        /// Projectors, screens, conference sets.
        Av = "av",
        Vehicle = "vehicle",
        Furniture = "furniture",
        /// A licence: has a licence expiry instead of (or beside) a warranty.
        Software = "software",
        Other = "other",
    }
);

named_enum!(
    /// The condition an asset came back in.
    Condition, "condition", {
        Good = "good",
        Fair = "fair",
        /// Usable only after repair: the asset goes into maintenance.
        Damaged = "damaged",
        /// Not usable: the asset goes into maintenance.
        Broken = "broken",
    }
);

impl Condition {
    /// Whether an asset back in this condition needs repair before it goes out again.
    pub fn needs_repair(&self) -> bool {
        matches!(self, Condition::Damaged | Condition::Broken)
    }
}

named_enum!(
    /// Where an asset stands, derived from its [`AssetState`].
    Status, "status", {
        Available = "available",
        /// With a person, no return expected.
        Assigned = "assigned",
        /// With a person until an expected return date.
        CheckedOut = "checked_out",
        /// Came back damaged or broken; waits for maintenance.
        InMaintenance = "in_maintenance",
        Retired = "retired",
    }
);

impl Status {
    /// `checked out`, `in maintenance`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Available => "available",
            Status::Assigned => "assigned",
            Status::CheckedOut => "checked out",
            Status::InMaintenance => "in maintenance",
            Status::Retired => "retired",
        }
    }
}

/// An asset's register entry: what it is, where it came from, its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetData {
    /// The label on the thing, unique in the organisation: `NW-LT-0042`.
    pub tag: String,
    pub kind: AssetKind,
    /// `MacBook Pro 14 M3`.
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub manufacturer: String,
    #[serde(default)]
    pub serial: String,
    #[serde(default)]
    pub purchased: Option<Date>,
    #[serde(default)]
    pub cost: Option<Money>,
    #[serde(default)]
    pub vendor: Option<VendorId>,
    #[serde(default)]
    pub warranty_end: Option<Date>,
    /// Software only: when the licence runs out.
    #[serde(default)]
    pub licence_expiry: Option<Date>,
    /// Maintenance every this many months (1–120), counted from the last
    /// maintenance, else from the purchase date.
    #[serde(default)]
    pub maintenance_months: Option<u32>,
    /// `Amsterdam, 3rd floor`.
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub notes: String,
}

/// What has happened to an asset: who holds it, since and until when, its
/// condition, its last maintenance, whether it is retired.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetState {
    pub holder: Option<PersonId>,
    pub out_since: Option<Date>,
    /// Set when checked out; none when assigned for good.
    pub expected_return: Option<Date>,
    /// The condition at the last check-in.
    pub condition: Option<Condition>,
    /// Checked in damaged or broken, and not yet maintained.
    pub needs_repair: bool,
    pub last_maintenance: Option<Date>,
    pub retired_on: Option<Date>,
}

impl AssetState {
    /// Where the asset stands.
    pub fn status(&self) -> Status {
        if self.retired_on.is_some() {
            Status::Retired
        } else if self.holder.is_some() && self.expected_return.is_some() {
            Status::CheckedOut
        } else if self.holder.is_some() {
            Status::Assigned
        } else if self.needs_repair {
            Status::InMaintenance
        } else {
            Status::Available
        }
    }

    /// The days a checked-out asset is late on `today` (none when not late).
    pub fn days_overdue(&self, today: Date) -> Option<i64> {
        let due = self.expected_return?;
        self.holder?;
        (due < today).then(|| days_between(due, today))
    }
}

/// Something that changes an asset's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Hand it to `to`: for good (`expected_return` none) or until a date.
    Assign {
        to: PersonId,
        expected_return: Option<Date>,
    },
    /// It came back, in this condition.
    CheckIn { condition: Condition },
    /// Maintenance was done on this day (clears a need for repair).
    Maintain { on: Date },
    /// Taken out of use for good.
    Retire,
}

impl Action {
    /// `assign`, `checkout`, `checkin`, `maintain`, `retire`: the history entry's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Assign {
                expected_return: None,
                ..
            } => "assign",
            Action::Assign { .. } => "checkout",
            Action::CheckIn { .. } => "checkin",
            Action::Maintain { .. } => "maintain",
            Action::Retire => "retire",
        }
    }
}

/// The state after `action` on `today`, or why it cannot be. The only way an
/// asset's holder changes: assigning needs an asset that is not out, not
/// retired and not waiting for repair; checking in needs one that is out.
pub fn apply(state: &AssetState, action: &Action, today: Date) -> Result<AssetState, ValidationError> {
    let status = |m: String| Err(ValidationError::field("status", m));
    let mut next = state.clone();
    if let Some(r) = state.retired_on {
        return status(format!("it was retired on {}", fmt_date(r)));
    }
    match action {
        Action::Assign { to, expected_return } => {
            if state.holder.is_some() {
                return status(match state.expected_return {
                    Some(d) => format!(
                        "it is already checked out (expected back {}); check it in first",
                        fmt_date(d)
                    ),
                    None => "it is already assigned; check it in first".into(),
                });
            }
            if state.needs_repair {
                return status("it is in maintenance; record the repair first".into());
            }
            if let Some(d) = expected_return {
                if *d < today {
                    return Err(ValidationError::field(
                        "expected_return",
                        format!("{} is before today", fmt_date(*d)),
                    ));
                }
                if days_between(today, *d) > MAX_LOAN_DAYS {
                    return Err(ValidationError::field(
                        "expected_return",
                        "must be within two years; assign it for good instead",
                    ));
                }
            }
            next.holder = Some(*to);
            next.out_since = Some(today);
            next.expected_return = *expected_return;
        }
        Action::CheckIn { condition } => {
            if state.holder.is_none() {
                return status("it is not out".into());
            }
            next.holder = None;
            next.out_since = None;
            next.expected_return = None;
            next.condition = Some(*condition);
            next.needs_repair = condition.needs_repair();
        }
        Action::Maintain { on } => {
            if *on > today {
                return Err(ValidationError::field("on", "is in the future"));
            }
            next.last_maintenance = Some(state.last_maintenance.map_or(*on, |l| l.max(*on)));
            next.needs_repair = false;
        }
        Action::Retire => {
            if state.holder.is_some() {
                return status("it is out; check it in first".into());
            }
            next.retired_on = Some(today);
        }
    }
    Ok(next)
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
fn days_between(a: Date, b: Date) -> i64 {
    a.until((jiff::Unit::Day, b))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0)
}

impl AssetData {
    /// The key two assets of one organisation may not share: the tag, trimmed and upper-cased.
    pub fn tag_key(&self) -> String {
        tag_key(&self.tag)
    }

    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let tag = self.tag.trim();
        if tag.is_empty() || tag.chars().count() > 40 {
            bad("tag", "must be 1 to 40 characters, e.g. NW-LT-0042".into());
        } else if !tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        {
            bad(
                "tag",
                "may hold only letters, digits and - _ . / (no spaces)".into(),
            );
        }
        for (field, v) in [
            ("model", &self.model),
            ("manufacturer", &self.manufacturer),
            ("serial", &self.serial),
        ] {
            if v.chars().count() > 100 {
                bad(field, "must be at most 100 characters".into());
            }
        }
        if let Some(c) = &self.cost {
            if c.minor < 0 {
                bad("cost", "must not be negative".into());
            } else if !c.in_range() {
                bad("cost", "is more than one trillion".into());
            }
        }
        if let (Some(p), Some(w)) = (self.purchased, self.warranty_end)
            && w < p
        {
            bad(
                "warranty_end",
                format!("{} is before the purchase date", fmt_date(w)),
            );
        }
        if self.licence_expiry.is_some() && self.kind != AssetKind::Software {
            bad(
                "licence_expiry",
                "only software has a licence expiry; make the kind software".into(),
            );
        }
        if let Some(m) = self.maintenance_months
            && !(1..=MAX_MAINTENANCE_MONTHS).contains(&m)
        {
            bad(
                "maintenance_months",
                format!("{m} is not 1 to {MAX_MAINTENANCE_MONTHS}"),
            );
        }
        if self.location.chars().count() > 200 {
            bad("location", "must be at most 200 characters".into());
        }
        if self.notes.chars().count() > 2_000 {
            bad("notes", "must be at most 2000 characters".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// When maintenance is next due: the last maintenance, else the purchase
    /// date, plus the interval in months (a month end that the target month
    /// lacks becomes its last day: 31 Jan + 1 month is 28 or 29 Feb). None
    /// without an interval or a date to count from.
    pub fn next_maintenance(&self, last: Option<Date>) -> Option<Date> {
        let months = self.maintenance_months?;
        let from = last.or(self.purchased)?;
        from.checked_add(i64::from(months).months()).ok()
    }
}

/// `nw-lt-0042 ` → `NW-LT-0042`.
pub fn tag_key(tag: &str) -> String {
    tag.trim().to_uppercase()
}

named_enum!(
    /// What an asset alert is about.
    AlertKind, "kind", {
        WarrantyEnds = "warranty_ends",
        LicenceExpires = "licence_expires",
        MaintenanceDue = "maintenance_due",
        ReturnOverdue = "return_overdue",
    }
);

/// Something to act on for one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub date: Date,
    /// Negative when the date has passed.
    pub days_left: i64,
    /// One sentence saying why.
    pub text: String,
}

/// What needs acting on within `window_days` of `today` for each of `assets`
/// (retired ones never alert): a warranty ending, a licence expiring (or
/// expired), maintenance due (or overdue), a return overdue. Sorted by date,
/// then by the order the assets came in.
pub fn alerts<'a, K: Copy>(
    assets: impl IntoIterator<Item = (K, &'a AssetData, &'a AssetState)>,
    today: Date,
    window_days: i64,
) -> Vec<(K, Alert)> {
    let mut out = Vec::new();
    for (n, (key, data, state)) in assets.into_iter().enumerate() {
        for a in asset_alerts(data, state, today, window_days) {
            out.push((a.date, n, key, a));
        }
    }
    out.sort_by_key(|a| (a.0, a.1, a.3.kind));
    out.into_iter().map(|(_, _, k, a)| (k, a)).collect()
}

/// The alerts of one asset (see [`alerts`]).
pub fn asset_alerts(data: &AssetData, state: &AssetState, today: Date, window_days: i64) -> Vec<Alert> {
    let mut out = Vec::new();
    if state.retired_on.is_some() {
        return out;
    }
    let horizon = today.checked_add(window_days.days()).unwrap_or(today);
    if let Some(w) = data.warranty_end
        && w >= today
        && w <= horizon
    {
        let left = days_between(today, w);
        out.push(Alert {
            kind: AlertKind::WarrantyEnds,
            date: w,
            days_left: left,
            text: format!(
                "The warranty ends on {} ({}); repairs after that are paid for.",
                fmt_date(w),
                in_days(left)
            ),
        });
    }
    if let Some(l) = data.licence_expiry
        && l <= horizon
    {
        let left = days_between(today, l);
        out.push(Alert {
            kind: AlertKind::LicenceExpires,
            date: l,
            days_left: left,
            text: if l < today {
                format!(
                    "The licence expired on {} ({}); renew it or retire the asset.",
                    fmt_date(l),
                    in_days(left)
                )
            } else {
                format!(
                    "The licence expires on {} ({}); renew it before then.",
                    fmt_date(l),
                    in_days(left)
                )
            },
        });
    }
    if let Some(m) = data.next_maintenance(state.last_maintenance)
        && m <= horizon
    {
        let left = days_between(today, m);
        let every = data.maintenance_months.unwrap_or(0);
        let since = match state.last_maintenance {
            Some(l) => format!("last done {}", fmt_date(l)),
            None => "never done since purchase".into(),
        };
        out.push(Alert {
            kind: AlertKind::MaintenanceDue,
            date: m,
            days_left: left,
            text: format!(
                "Maintenance every {every} month{} is {} {} ({}; {since}).",
                if every == 1 { "" } else { "s" },
                if m < today { "overdue since" } else { "due on" },
                fmt_date(m),
                in_days(left)
            ),
        });
    }
    if let (Some(late), Some(due)) = (state.days_overdue(today), state.expected_return) {
        out.push(Alert {
            kind: AlertKind::ReturnOverdue,
            date: due,
            days_left: -late,
            text: format!(
                "It was due back on {} and is {late} day{} late.",
                fmt_date(due),
                if late == 1 { "" } else { "s" }
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::office::money::Currency;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn pid(n: u128) -> PersonId {
        PersonId(uuid::Uuid::from_u128(n))
    }

    fn laptop() -> AssetData {
        AssetData {
            tag: "NW-LT-0042".into(),
            kind: AssetKind::Laptop,
            model: "MacBook Pro 14".into(),
            manufacturer: "Apple".into(),
            serial: "C02XK1".into(),
            purchased: Some(date(2025, 1, 31)),
            cost: Some(Money::new(249_900, Currency::eur())),
            vendor: None,
            warranty_end: Some(date(2027, 1, 31)),
            licence_expiry: None,
            maintenance_months: Some(1),
            location: "Amsterdam".into(),
            notes: String::new(),
        }
    }

    #[test]
    fn status_follows_what_happened() {
        let today = date(2026, 12, 3);
        let s = AssetState::default();
        assert_eq!(s.status(), Status::Available);
        let out = apply(
            &s,
            &Action::Assign {
                to: pid(1),
                expected_return: Some(date(2026, 12, 10)),
            },
            today,
        )
        .unwrap();
        assert_eq!(out.status(), Status::CheckedOut);
        assert_eq!(out.out_since, Some(today));
        let back = apply(
            &out,
            &Action::CheckIn {
                condition: Condition::Broken,
            },
            today,
        )
        .unwrap();
        assert_eq!(back.status(), Status::InMaintenance);
        assert_eq!(back.holder, None);
        // Waiting for repair: it cannot go out.
        let e = apply(
            &back,
            &Action::Assign {
                to: pid(2),
                expected_return: None,
            },
            today,
        )
        .unwrap_err();
        assert_eq!(e.errors[0].field, "status");
        let fixed = apply(&back, &Action::Maintain { on: today }, today).unwrap();
        assert_eq!(fixed.status(), Status::Available);
        let kept = apply(
            &fixed,
            &Action::Assign {
                to: pid(2),
                expected_return: None,
            },
            today,
        )
        .unwrap();
        assert_eq!(kept.status(), Status::Assigned);
        assert!(
            apply(&kept, &Action::Retire, today).is_err(),
            "out: check in first"
        );
        let fair = apply(
            &kept,
            &Action::CheckIn {
                condition: Condition::Fair,
            },
            today,
        )
        .unwrap();
        assert_eq!(fair.status(), Status::Available);
        let gone = apply(&fair, &Action::Retire, today).unwrap();
        assert_eq!(gone.status(), Status::Retired);
        for a in [
            Action::Retire,
            Action::Maintain { on: today },
            Action::Assign {
                to: pid(1),
                expected_return: None,
            },
        ] {
            assert!(apply(&gone, &a, today).is_err(), "{a:?} on a retired asset");
        }
    }

    #[test]
    fn a_return_date_is_today_or_later_and_within_two_years() {
        let today = date(2026, 12, 3);
        let go = |d: Date| {
            apply(
                &AssetState::default(),
                &Action::Assign {
                    to: pid(1),
                    expected_return: Some(d),
                },
                today,
            )
        };
        assert!(go(today).is_ok());
        let e = go(date(2026, 12, 2)).unwrap_err();
        assert_eq!(e.summary(), "expected_return: Wed 2 Dec 2026 is before today");
        assert!(go(date(2028, 12, 3)).is_ok(), "two years to the day");
        assert!(go(date(2028, 12, 4)).is_err());
        assert!(
            apply(
                &AssetState::default(),
                &Action::CheckIn {
                    condition: Condition::Good
                },
                today
            )
            .is_err(),
            "nothing to check in"
        );
        assert!(
            apply(
                &AssetState::default(),
                &Action::Maintain {
                    on: date(2026, 12, 4)
                },
                today
            )
            .is_err()
        );
    }

    #[test]
    fn next_maintenance_clamps_month_ends() {
        let l = laptop();
        assert_eq!(l.next_maintenance(None), Some(date(2025, 2, 28)));
        assert_eq!(
            l.next_maintenance(Some(date(2024, 1, 31))),
            Some(date(2024, 2, 29))
        );
        let mut yearly = laptop();
        yearly.maintenance_months = Some(12);
        yearly.purchased = Some(date(2024, 2, 29));
        assert_eq!(yearly.next_maintenance(None), Some(date(2025, 2, 28)));
        yearly.maintenance_months = None;
        assert_eq!(yearly.next_maintenance(None), None);
        let mut undated = laptop();
        undated.purchased = None;
        assert_eq!(undated.next_maintenance(None), None);
    }

    #[test]
    fn bad_assets_name_every_field() {
        let mut a = laptop();
        a.tag = "NW LT 42".into();
        a.cost = Some(Money::new(-1, Currency::eur()));
        a.warranty_end = Some(date(2024, 1, 1));
        a.licence_expiry = Some(date(2027, 1, 1));
        a.maintenance_months = Some(0);
        let fields: Vec<String> = a
            .validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            [
                "tag",
                "cost",
                "warranty_end",
                "licence_expiry",
                "maintenance_months"
            ]
        );
        assert!(laptop().validate().is_ok());
        let mut blank = laptop();
        blank.tag = " ".into();
        assert!(blank.validate().is_err());
        assert_eq!(tag_key(" nw-lt-0042 "), "NW-LT-0042");
    }

    #[test]
    fn alerts_say_why_in_one_sentence() {
        let today = date(2026, 12, 3);
        let mut l = laptop();
        l.warranty_end = Some(date(2026, 12, 20));
        l.maintenance_months = None;
        let mut licence = laptop();
        licence.tag = "NW-SW-1".into();
        licence.kind = AssetKind::Software;
        licence.warranty_end = None;
        licence.maintenance_months = None;
        licence.licence_expiry = Some(date(2026, 12, 24));
        let mut printer = laptop();
        printer.kind = AssetKind::Printer;
        printer.warranty_end = None;
        printer.maintenance_months = Some(6);
        let serviced = AssetState {
            last_maintenance: Some(date(2026, 5, 30)),
            ..AssetState::default()
        };
        let camera = laptop();
        let mut camera = camera;
        camera.warranty_end = None;
        camera.maintenance_months = None;
        let late = AssetState {
            holder: Some(pid(3)),
            out_since: Some(date(2026, 11, 20)),
            expected_return: Some(date(2026, 11, 30)),
            ..AssetState::default()
        };
        let free = AssetState::default();
        let retired = AssetState {
            retired_on: Some(date(2026, 1, 1)),
            ..AssetState::default()
        };
        let list = [
            (1, &l, &free),
            (2, &licence, &free),
            (3, &printer, &serviced),
            (4, &camera, &late),
            (5, &l, &retired),
        ];
        let got = alerts(list, today, 30);
        let kinds: Vec<(i32, AlertKind, i64)> = got.iter().map(|(k, a)| (*k, a.kind, a.days_left)).collect();
        assert_eq!(
            kinds,
            [
                (3, AlertKind::MaintenanceDue, -3),
                (4, AlertKind::ReturnOverdue, -3),
                (1, AlertKind::WarrantyEnds, 17),
                (2, AlertKind::LicenceExpires, 21),
            ]
        );
        let texts: Vec<&str> = got.iter().map(|(_, a)| a.text.as_str()).collect();
        assert_eq!(
            texts[0],
            "Maintenance every 6 months is overdue since Mon 30 Nov 2026 (3 days ago; last done Sat 30 May 2026)."
        );
        assert_eq!(texts[1], "It was due back on Mon 30 Nov 2026 and is 3 days late.");
        assert_eq!(
            texts[2],
            "The warranty ends on Sun 20 Dec 2026 (in 17 days); repairs after that are paid for."
        );
        assert_eq!(
            texts[3],
            "The licence expires on Thu 24 Dec 2026 (in 21 days); renew it before then."
        );
        // A narrower window drops what is further away; past warranties never alert.
        assert_eq!(alerts(list, today, 10).len(), 2);
        let mut old = laptop();
        old.warranty_end = Some(date(2026, 1, 1));
        old.maintenance_months = None;
        assert!(asset_alerts(&old, &free, today, 30).is_empty());
    }

    proptest! {
        /// The next maintenance is always after the last one, and at most the
        /// interval's months later (a month is at most 31 days).
        #[test]
        fn next_maintenance_is_after_the_last_and_within_the_interval(
            y in 2000i16..2090, m in 1i8..=12, d in 1i8..=31, months in 1u32..=120
        ) {
            let last = Date::new(y, m, d.min(date(y, m, 1).days_in_month())).unwrap();
            let mut a = laptop();
            a.maintenance_months = Some(months);
            let next = a.next_maintenance(Some(last)).unwrap();
            prop_assert!(next > last);
            let days = days_between(last, next);
            prop_assert!(days <= i64::from(months) * 31, "{last} + {months} months = {next}");
            prop_assert!(days >= i64::from(months) * 28, "{last} + {months} months = {next}");
        }

        /// Whatever sequence of assignments, check-ins, maintenance and
        /// retirement is tried by whoever, an asset is held by at most one
        /// person: an assignment while it is out is always refused, the holder
        /// changes only by an assignment of a free asset or a check-in, and a
        /// refused action changes nothing.
        #[test]
        fn an_asset_is_never_assigned_to_two_people(
            steps in proptest::collection::vec((0usize..5, 1u128..4, 0i64..5, 0usize..4), 0..80)
        ) {
            let today = date(2026, 12, 3);
            let mut s = AssetState::default();
            for (what, who, days, cond) in steps {
                let action = match what {
                    0 => Action::Assign { to: pid(who), expected_return: None },
                    1 => Action::Assign { to: pid(who), expected_return: today.checked_add(days.days()).ok() },
                    2 => Action::CheckIn { condition: Condition::ALL[cond] },
                    3 => Action::Maintain { on: today },
                    _ => Action::Retire,
                };
                match apply(&s, &action, today) {
                    Ok(next) => {
                        if let Action::Assign { to, .. } = action {
                            prop_assert!(s.holder.is_none(), "assigned while out");
                            prop_assert!(!s.needs_repair && s.retired_on.is_none());
                            prop_assert_eq!(next.holder, Some(to));
                        } else if matches!(action, Action::CheckIn { .. }) {
                            prop_assert!(s.holder.is_some());
                            prop_assert_eq!(next.holder, None);
                        } else {
                            prop_assert_eq!(next.holder, s.holder);
                        }
                        prop_assert_eq!(next.status() == Status::Retired, next.retired_on.is_some());
                        s = next;
                    }
                    Err(_) => {
                        if let Action::Assign { .. } = action {
                            prop_assert!(s.holder.is_some() || s.needs_repair || s.retired_on.is_some());
                        }
                    }
                }
            }
        }
    }
}
