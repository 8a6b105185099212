//! The responsibility grid: recurring duties of the office and of a leader's
//! support ("approve supplier invoices", "prepare the board pack") with an
//! owner, a backup and a cadence; each person's load; and the duties nobody
//! will do — no owner, or an owner away on the due date with no backup there.

use crate::calendar::TimeRange;
use crate::calendar::recurrence::{Frequency, Limits, Rule};
use crate::calendar::time::Zone;
use crate::error::{FieldError, ValidationError};
use crate::ids::PersonId;
use crate::tasks::task::{duration_label, repeat_rule};
use jiff::civil::{Date, Time, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest one occurrence of a duty may take: a working day.
pub const MAX_DUTY_MINUTES: u32 = 8 * 60;

/// A recurring duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyData {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Which part of the work: `finance`, `office`, `board`, `travel`, …
    #[serde(default)]
    pub area: String,
    pub owner: Option<PersonId>,
    #[serde(default)]
    pub backup: Option<PersonId>,
    /// An RRULE, daily or slower (`FREQ=MONTHLY;BYMONTHDAY=25`).
    pub cadence: String,
    /// The first date it is due; the cadence counts from here.
    pub anchor: Date,
    /// Minutes one occurrence takes.
    pub estimate_minutes: u32,
}

impl DutyData {
    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            bad("title", "must be 1 to 200 characters".into());
        }
        if self.area.chars().count() > 50 {
            bad("area", "must be at most 50 characters".into());
        }
        if let Err(e) = repeat_rule(&self.cadence) {
            bad("cadence", e);
        }
        if self.estimate_minutes == 0 || self.estimate_minutes > MAX_DUTY_MINUTES {
            bad(
                "estimate_minutes",
                format!("{} is not 1 minute to 8 hours", self.estimate_minutes),
            );
        }
        if self.owner.is_some() && self.owner == self.backup {
            bad("backup", "is the owner; name someone else or no one".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// The due dates in `[from, to)`, at most 400.
    pub fn due_dates(&self, from: Date, to: Date) -> Vec<Date> {
        let Ok(rule) = repeat_rule(&self.cadence) else {
            return vec![];
        };
        let mut out = Vec::new();
        if self.anchor >= from && self.anchor < to {
            out.push(self.anchor);
        }
        let utc = jiff::tz::TimeZone::UTC;
        let mut it = rule.expand(
            self.anchor.to_datetime(Time::midnight()),
            true,
            &utc,
            Limits::default(),
        );
        it.skip_to(from.to_datetime(Time::midnight()));
        for d in it.map_while(Result::ok).map(|dt| dt.date()) {
            if d >= to || out.len() >= 400 {
                break;
            }
            if d >= from && !out.contains(&d) {
                out.push(d);
            }
        }
        out.sort();
        out
    }

    /// The first due date on or after `from`.
    pub fn next_due(&self, from: Date) -> Option<Date> {
        let to = from.checked_add(jiff::Span::new().years(2)).ok()?;
        self.due_dates(from, to).into_iter().next()
    }

    /// The cadence in words ("monthly on the 25th", "weekly on Monday"), or the
    /// rule itself when it is unusual.
    pub fn cadence_label(&self) -> String {
        repeat_rule(&self.cadence)
            .map(|r| describe(&r))
            .unwrap_or_else(|_| self.cadence.clone())
    }
}

/// What the grid knows of a person to judge cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonState {
    pub id: PersonId,
    pub name: String,
    /// False when the person has left (their login disabled).
    pub active: bool,
    /// Out-of-office periods.
    pub away: Vec<TimeRange>,
    pub zone: Zone,
}

impl PersonState {
    /// Whether they are away at any time on `date` (in their zone).
    pub fn away_on(&self, date: Date) -> bool {
        let start = self.zone.start_of_day(date);
        let end = self.zone.start_of_day(date.tomorrow().unwrap_or(date));
        self.away.iter().any(|r| r.start < end && start < r.end)
    }

    fn available_on(&self, date: Date) -> bool {
        self.active && !self.away_on(date)
    }
}

/// A finding about a duty's cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverCode {
    /// Nobody owns it.
    NoOwner,
    /// The owner has left.
    OwnerInactive,
    /// The owner is away on the next due date and the backup is there.
    CoveredByBackup,
    /// The owner is away (or gone) on the next due date and no backup is there.
    Uncovered,
    /// No backup is named (a note, not yet a problem).
    NoBackup,
}

/// One finding, with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    pub code: CoverCode,
    /// Whether someone must act.
    pub problem: bool,
    pub text: String,
}

/// Who does the duty on `due`, and what is wrong with its cover. `people`
/// holds at least the owner and the backup.
pub fn cover(
    duty: &DutyData,
    due: Option<Date>,
    people: &BTreeMap<PersonId, PersonState>,
) -> (Option<PersonId>, Vec<Cover>) {
    let mut out = Vec::new();
    let owner = duty.owner.and_then(|o| people.get(&o));
    let backup = duty.backup.and_then(|b| people.get(&b));
    let name = |p: Option<&PersonState>| p.map_or("no one".to_string(), |p| p.name.clone());
    let on = due.map_or("its next date".to_string(), |d| {
        d.strftime("%a %-d %b").to_string()
    });
    let available =
        |p: Option<&PersonState>| p.is_some_and(|p| due.is_none_or(|d| p.available_on(d)) && p.active);
    let Some(o) = owner else {
        let doer = available(backup).then(|| backup.map(|b| b.id)).flatten();
        out.push(Cover {
            code: CoverCode::NoOwner,
            problem: true,
            text: match doer {
                Some(_) => format!("no owner; {} (backup) is the only one on it", name(backup)),
                None => "no owner and no backup: nobody will do this".into(),
            },
        });
        return (doer, out);
    };
    if !o.active {
        out.push(Cover {
            code: CoverCode::OwnerInactive,
            problem: true,
            text: format!("{} has left; give it a new owner", o.name),
        });
    }
    let doer = if available(Some(o)) {
        Some(o.id)
    } else if available(backup) {
        if o.active {
            out.push(Cover {
                code: CoverCode::CoveredByBackup,
                problem: false,
                text: format!("{} is away on {on}; {} (backup) covers", o.name, name(backup)),
            });
        }
        backup.map(|b| b.id)
    } else {
        let why = match backup {
            None => "and there is no backup".to_string(),
            Some(b) if !b.active => format!("and the backup {} has left", b.name),
            Some(b) => format!("and the backup {} is away too", b.name),
        };
        let who = if o.active {
            format!("{} is away on {on}", o.name)
        } else {
            format!("{} has left", o.name)
        };
        out.push(Cover {
            code: CoverCode::Uncovered,
            problem: true,
            text: format!("{who} {why}"),
        });
        None
    };
    if backup.is_none() && doer == Some(o.id) {
        out.push(Cover {
            code: CoverCode::NoBackup,
            problem: false,
            text: "no backup named".into(),
        });
    }
    (doer, out)
}

/// One person's share of the grid over a period.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Load {
    /// Duties they own.
    pub owned: usize,
    /// Duties they back up.
    pub backing: usize,
    /// Minutes of duty work that falls to them in the period (their own, plus
    /// what they cover for an absent owner).
    pub minutes: i64,
    /// Of those, minutes covering for someone away.
    pub covering_minutes: i64,
}

impl Load {
    pub fn label(&self) -> String {
        duration_label(self.minutes)
    }
}

/// Everyone's load over the due dates in `[from, to)`: each occurrence falls to
/// whoever [`cover`] says does it on that date.
pub fn loads(
    duties: &[DutyData],
    people: &BTreeMap<PersonId, PersonState>,
    from: Date,
    to: Date,
) -> BTreeMap<PersonId, Load> {
    let mut out: BTreeMap<PersonId, Load> = BTreeMap::new();
    for d in duties {
        if let Some(o) = d.owner {
            out.entry(o).or_default().owned += 1;
        }
        if let Some(b) = d.backup {
            out.entry(b).or_default().backing += 1;
        }
        for date in d.due_dates(from, to) {
            let (doer, _) = cover(d, Some(date), people);
            if let Some(p) = doer {
                let l = out.entry(p).or_default();
                l.minutes += i64::from(d.estimate_minutes);
                if Some(p) != d.owner {
                    l.covering_minutes += i64::from(d.estimate_minutes);
                }
            }
        }
    }
    out
}

fn describe(r: &Rule) -> String {
    let every = |unit: &str, plural: &str| {
        if r.interval == 1 {
            unit.to_string()
        } else {
            format!("every {} {plural}", r.interval)
        }
    };
    let days: Vec<String> = r.by_day.iter().map(|d| weekday(d.weekday).to_string()).collect();
    let ordinal = |n: i8| match n {
        -1 => "the last day".to_string(),
        n if n < 0 => format!("day {n}"),
        1 | 21 | 31 => format!("the {n}st"),
        2 | 22 => format!("the {n}nd"),
        3 | 23 => format!("the {n}rd"),
        n => format!("the {n}th"),
    };
    let base = match r.freq {
        Frequency::Daily => every("daily", "days"),
        Frequency::Weekly => every("weekly", "weeks"),
        Frequency::Monthly => every("monthly", "months"),
        Frequency::Yearly => every("yearly", "years"),
        _ => return r.to_string(),
    };
    let detail = if !days.is_empty() && r.by_month_day.is_empty() {
        format!(" on {}", days.join(", "))
    } else if !r.by_month_day.is_empty() && days.is_empty() {
        let parts: Vec<String> = r.by_month_day.iter().map(|d| ordinal(*d)).collect();
        format!(" on {}", parts.join(", "))
    } else if days.is_empty() {
        String::new()
    } else {
        return r.to_string();
    };
    format!("{base}{detail}")
}

fn weekday(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use jiff::civil::date;

    fn p(n: u128) -> PersonId {
        PersonId(uuid::Uuid::from_u128(n))
    }
    fn person(n: u128, name: &str, away: Option<(Date, Date)>) -> PersonState {
        let z = Zone::parse("z", "Europe/Amsterdam").unwrap();
        PersonState {
            id: p(n),
            name: name.into(),
            active: true,
            away: away
                .map(|(a, b)| {
                    vec![TimeRange {
                        start: z.start_of_day(a),
                        end: z.start_of_day(b),
                    }]
                })
                .unwrap_or_default(),
            zone: z,
        }
    }
    fn invoices(owner: Option<u128>, backup: Option<u128>) -> DutyData {
        DutyData {
            title: "Approve supplier invoices".into(),
            description: String::new(),
            area: "finance".into(),
            owner: owner.map(p),
            backup: backup.map(p),
            cadence: "FREQ=WEEKLY;BYDAY=TU".into(),
            anchor: date(2026, 11, 3),
            estimate_minutes: 60,
        }
    }

    #[test]
    fn due_dates_follow_the_cadence_from_the_anchor() {
        let d = invoices(Some(1), None);
        assert_eq!(
            d.due_dates(date(2026, 12, 1), date(2026, 12, 16)),
            [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15)]
        );
        assert_eq!(d.next_due(date(2026, 12, 2)), Some(date(2026, 12, 8)));
        assert_eq!(d.cadence_label(), "weekly on Tuesday");
        let monthly = DutyData {
            cadence: "FREQ=MONTHLY;BYMONTHDAY=25".into(),
            anchor: date(2026, 12, 25),
            ..d.clone()
        };
        assert_eq!(monthly.cadence_label(), "monthly on the 25th");
        assert_eq!(monthly.next_due(date(2026, 12, 2)), Some(date(2026, 12, 25)));
        assert_eq!(
            DutyData {
                cadence: "FREQ=MONTHLY;INTERVAL=3".into(),
                ..d
            }
            .cadence_label(),
            "every 3 months"
        );
    }

    #[test]
    fn cover_flags_duties_nobody_will_do() {
        let sofia = person(1, "Sofia", Some((date(2026, 12, 7), date(2026, 12, 12))));
        let tom = person(2, "Tom", None);
        let tom_away = person(2, "Tom", Some((date(2026, 12, 8), date(2026, 12, 9))));
        let people = BTreeMap::from([(p(1), sofia.clone()), (p(2), tom)]);
        let d = invoices(Some(1), Some(2));
        let (doer, c) = cover(&d, Some(date(2026, 12, 1)), &people);
        assert_eq!((doer, c.is_empty()), (Some(p(1)), true));
        let (doer, c) = cover(&d, Some(date(2026, 12, 8)), &people);
        assert_eq!(doer, Some(p(2)));
        assert_eq!(c[0].code, CoverCode::CoveredByBackup);
        assert_eq!(c[0].text, "Sofia is away on Tue 8 Dec; Tom (backup) covers");
        let both_away = BTreeMap::from([(p(1), sofia.clone()), (p(2), tom_away)]);
        let (doer, c) = cover(&d, Some(date(2026, 12, 8)), &both_away);
        assert_eq!(doer, None);
        assert_eq!(
            c[0].text,
            "Sofia is away on Tue 8 Dec and the backup Tom is away too"
        );
        assert!(c[0].problem);
        let (doer, c) = cover(&invoices(Some(1), None), Some(date(2026, 12, 8)), &people);
        assert_eq!((doer, c[0].code), (None, CoverCode::Uncovered));
        let (_, c) = cover(&invoices(None, None), Some(date(2026, 12, 8)), &people);
        assert_eq!(c[0].code, CoverCode::NoOwner);
        let mut gone = people.clone();
        gone.get_mut(&p(1)).unwrap().active = false;
        let (doer, c) = cover(&d, Some(date(2026, 12, 1)), &gone);
        assert_eq!(doer, Some(p(2)));
        assert_eq!(c[0].code, CoverCode::OwnerInactive);
    }

    #[test]
    fn load_moves_to_the_backup_while_the_owner_is_away() {
        let sofia = person(1, "Sofia", Some((date(2026, 12, 7), date(2026, 12, 12))));
        let people = BTreeMap::from([(p(1), sofia), (p(2), person(2, "Tom", None))]);
        let l = loads(
            &[invoices(Some(1), Some(2))],
            &people,
            date(2026, 12, 1),
            date(2026, 12, 16),
        );
        assert_eq!(l[&p(1)].minutes, 120);
        assert_eq!(
            (l[&p(2)].minutes, l[&p(2)].covering_minutes, l[&p(2)].backing),
            (60, 60, 1)
        );
        assert_eq!(l[&p(1)].label(), "2 h");
    }

    #[test]
    fn bad_duties_name_the_field() {
        let mut d = invoices(Some(1), Some(1));
        d.cadence = "FREQ=MINUTELY".into();
        d.estimate_minutes = 0;
        let fields: Vec<_> = d
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["cadence", "estimate_minutes", "backup"]);
    }
}
