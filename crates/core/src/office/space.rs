//! Spaces: rooms, desks and bookable equipment, and the rules for booking them.
//!
//! A space is a resource of the calendar engine (it has its own calendar, and
//! a booking is an event holding it, so a room can never be held twice at
//! once, whoever books it and however). What this module adds is the office's
//! house rules per kind of space: who may book, for how long at most, how far
//! ahead, how many times a week, and whether a booking must be checked into —
//! a booking nobody checked into is released a set number of minutes after it
//! starts, so the desk or room goes back to those who need it.

use crate::calendar::time::Zone;
use crate::error::ValidationError;
use crate::macros::named_enum;
use crate::people::Role;
use crate::policy::Denied;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

named_enum!(
    /// What sort of space a resource is.
    SpaceKind, "kind", {
        /// A meeting room: find-a-time books these.
        Room = "room",
        /// A desk: hot (anyone books it) or assigned (to one person).
        Desk = "desk",
        /// Something lent for a while: a projector, a car, a camera.
        Equipment = "equipment",
    }
);

impl SpaceKind {
    /// `room`, `desk`, `piece of equipment` as a sentence says it.
    pub fn noun(&self) -> &'static str {
        match self {
            SpaceKind::Room => "room",
            SpaceKind::Desk => "desk",
            SpaceKind::Equipment => "piece of equipment",
        }
    }

    /// `rooms`, `desks`, `equipment`.
    pub fn plural(&self) -> &'static str {
        match self {
            SpaceKind::Room => "rooms",
            SpaceKind::Desk => "desks",
            SpaceKind::Equipment => "equipment",
        }
    }
}

/// How long before its start a booking may be checked into.
pub const CHECK_IN_EARLY_MINUTES: i64 = 15;
/// How far in the past a booking may start (booking the room one is walking into).
pub const START_GRACE_MINUTES: i64 = 5;

/// The house rules for booking one kind of space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRule {
    pub kind: SpaceKind,
    /// The roles that may book this kind of space.
    pub roles: Vec<Role>,
    /// The longest one booking may last, in minutes (15 to 43,200, i.e. 30 days).
    pub max_minutes: u32,
    /// How many days ahead a booking may start (0 = today only, up to 365).
    pub max_days_ahead: u32,
    /// Bookings per person per week (Monday to Sunday in the space's zone); none = no limit.
    pub quota_per_week: Option<u32>,
    /// Whether bookings must be checked into.
    pub check_in: bool,
    /// Minutes after the start at which a booking nobody checked into is released (5 to 240).
    pub release_after_minutes: u32,
}

impl BookingRule {
    /// The rule used until an office manager sets one: what most offices use.
    pub fn default_for(kind: SpaceKind) -> BookingRule {
        let staff = vec![
            Role::Admin,
            Role::Principal,
            Role::Assistant,
            Role::OfficeManager,
            Role::Staff,
        ];
        match kind {
            SpaceKind::Room => BookingRule {
                kind,
                roles: staff,
                max_minutes: 8 * 60,
                max_days_ahead: 90,
                quota_per_week: None,
                check_in: true,
                release_after_minutes: 15,
            },
            SpaceKind::Desk => BookingRule {
                kind,
                roles: staff,
                max_minutes: 12 * 60,
                max_days_ahead: 14,
                quota_per_week: Some(5),
                check_in: true,
                release_after_minutes: 60,
            },
            SpaceKind::Equipment => BookingRule {
                kind,
                roles: vec![Role::Admin, Role::Principal, Role::Assistant, Role::OfficeManager],
                max_minutes: 7 * 24 * 60,
                max_days_ahead: 60,
                quota_per_week: None,
                check_in: false,
                release_after_minutes: 30,
            },
        }
    }

    /// Every field in range; each problem names its field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errs = ValidationError { errors: vec![] };
        let mut bad = |f: &str, m: String| errs.errors.extend(ValidationError::field(f, m).errors);
        if self.roles.is_empty() {
            bad("roles", "name at least one role that may book".into());
        }
        if !(15..=43_200).contains(&self.max_minutes) {
            bad(
                "max_minutes",
                format!(
                    "{} is out of range: 15 to 43,200 minutes (30 days)",
                    self.max_minutes
                ),
            );
        }
        if self.max_days_ahead > 365 {
            bad(
                "max_days_ahead",
                format!("{} is out of range: 0 to 365 days", self.max_days_ahead),
            );
        }
        if let Some(q) = self.quota_per_week
            && !(1..=100).contains(&q)
        {
            bad(
                "quota_per_week",
                format!("{q} is out of range: 1 to 100 bookings a week (leave it empty for no limit)"),
            );
        }
        if !(5..=240).contains(&self.release_after_minutes) {
            bad(
                "release_after_minutes",
                format!("{} is out of range: 5 to 240 minutes", self.release_after_minutes),
            );
        }
        if errs.errors.is_empty() { Ok(()) } else { Err(errs) }
    }

    /// Whether `role` may book this kind of space.
    pub fn allows(&self, role: Role) -> Result<(), Denied> {
        if self.roles.contains(&role) {
            Ok(())
        } else {
            let names: Vec<&str> = self.roles.iter().map(|r| r.label()).collect();
            Err(Denied::new(format!(
                "{} may be booked only by: {}",
                self.kind.plural(),
                names.join(", ")
            )))
        }
    }
}

/// One attempt to book a space, with what the rules need to know.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// The space's name, for the reasons.
    pub space: &'a str,
    pub start: Timestamp,
    pub end: Timestamp,
    pub now: Timestamp,
    /// The space's zone: "days ahead" and "the week" are counted in it.
    pub zone: &'a Zone,
    /// The booker's bookings of this kind already in the week of `start` (released and cancelled ones not counted).
    pub booked_that_week: u32,
}

/// Checks a booking against the rule; every problem names its field (`start`, `end`).
pub fn check(rule: &BookingRule, a: &Attempt<'_>) -> Result<(), ValidationError> {
    if a.end <= a.start {
        return Err(ValidationError::field("end", "must be after the start"));
    }
    if a.start < a.now - SignedDuration::from_mins(START_GRACE_MINUTES) {
        return Err(ValidationError::field("start", "is in the past"));
    }
    let minutes = a.end.duration_since(a.start).as_mins();
    if minutes > i64::from(rule.max_minutes) {
        return Err(ValidationError::field(
            "end",
            format!(
                "{} may be booked for at most {}; this booking lasts {}",
                a.space,
                duration_words(i64::from(rule.max_minutes)),
                duration_words(minutes)
            ),
        ));
    }
    let today = a.now.to_zoned(a.zone.tz().clone()).date();
    let day = a.start.to_zoned(a.zone.tz().clone()).date();
    let ahead = today.until(day).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if i64::from(ahead) > i64::from(rule.max_days_ahead) {
        return Err(ValidationError::field(
            "start",
            match rule.max_days_ahead {
                0 => format!("{} may be booked for today only", rule.kind.plural()),
                1 => format!("{} may be booked at most 1 day ahead", rule.kind.plural()),
                n => format!("{} may be booked at most {n} days ahead", rule.kind.plural()),
            },
        ));
    }
    if let Some(q) = rule.quota_per_week
        && a.booked_that_week >= q
    {
        let (monday, _) = week_of(a.start, a.zone);
        return Err(ValidationError::field(
            "start",
            format!(
                "you already have {} {} booking{} in the week of {}; the limit is {q} a week",
                a.booked_that_week,
                rule.kind.as_str(),
                if a.booked_that_week == 1 { "" } else { "s" },
                monday.to_zoned(a.zone.tz().clone()).strftime("%-d %B")
            ),
        ));
    }
    Ok(())
}

/// The week (Monday 00:00 to the next Monday 00:00, in `zone`) that holds `t`.
pub fn week_of(t: Timestamp, zone: &Zone) -> (Timestamp, Timestamp) {
    let tz = zone.tz().clone();
    let date = t.to_zoned(tz.clone()).date();
    let back = i64::from(date.weekday().to_monday_zero_offset());
    let monday = date.checked_sub(back.days()).unwrap_or(date);
    let next = monday.checked_add(7.days()).unwrap_or(monday);
    let at = |d: jiff::civil::Date| d.to_zoned(tz.clone()).map(|z| z.timestamp()).unwrap_or(t);
    (at(monday), at(next))
}

named_enum!(
    /// Where a booking stands.
    BookingStatus, "status", {
        /// Booked, not (yet) checked into.
        Booked = "booked",
        /// Someone arrived and checked in.
        CheckedIn = "checked_in",
        /// Nobody checked in in time: the space went back to others.
        Released = "released",
        /// The booker (or the office) cancelled it.
        Cancelled = "cancelled",
    }
);

impl BookingStatus {
    /// Whether the booking still holds its space.
    pub fn holds(&self) -> bool {
        matches!(self, BookingStatus::Booked | BookingStatus::CheckedIn)
    }
}

/// Whether a booking may be checked into at `now`: from a quarter of an hour
/// before its start until it is released (or, without check-in, until its end).
pub fn check_in_allowed(
    rule: &BookingRule,
    status: BookingStatus,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> Result<(), ValidationError> {
    match status {
        BookingStatus::Booked => {}
        BookingStatus::CheckedIn => {
            return Err(ValidationError::field("booking", "is already checked into"));
        }
        BookingStatus::Released => {
            return Err(ValidationError::field(
                "booking",
                "was released because nobody checked in in time; book again if the space is free",
            ));
        }
        BookingStatus::Cancelled => {
            return Err(ValidationError::field("booking", "was cancelled"));
        }
    }
    if now < start - SignedDuration::from_mins(CHECK_IN_EARLY_MINUTES) {
        return Err(ValidationError::field(
            "booking",
            format!("check-in opens {CHECK_IN_EARLY_MINUTES} minutes before the start"),
        ));
    }
    if now >= end {
        return Err(ValidationError::field("booking", "has ended"));
    }
    if release_due(rule, status, start, now) {
        return Err(ValidationError::field(
            "booking",
            format!(
                "check-in closed {} minutes after the start; the booking is being released",
                rule.release_after_minutes
            ),
        ));
    }
    Ok(())
}

/// Whether a booking is to be released at `now`: check-in is required, nobody
/// checked in, and the release time after its start has come.
pub fn release_due(rule: &BookingRule, status: BookingStatus, start: Timestamp, now: Timestamp) -> bool {
    rule.check_in
        && status == BookingStatus::Booked
        && now >= start + SignedDuration::from_mins(i64::from(rule.release_after_minutes))
}

/// Why a booking was released, as its history says.
pub fn release_note(rule: &BookingRule) -> String {
    format!(
        "released: nobody checked in within {} minutes of the start",
        rule.release_after_minutes
    )
}

/// `45 minutes`, `8 hours`, `1 hour 30 minutes`, `7 days`.
pub fn duration_words(minutes: i64) -> String {
    let plural = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    if minutes >= 24 * 60 && minutes % (24 * 60) == 0 {
        return plural(minutes / (24 * 60), "day");
    }
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use proptest::prelude::*;

    fn ams() -> Zone {
        Zone::parse("zone", "Europe/Amsterdam").unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn attempt<'a>(zone: &'a Zone, start: &str, end: &str, now: &str, week: u32) -> Attempt<'a> {
        Attempt {
            space: "Desk 3.14",
            start: at(start),
            end: at(end),
            now: at(now),
            zone,
            booked_that_week: week,
        }
    }

    fn field_of(r: Result<(), ValidationError>) -> (String, String) {
        let e = r.unwrap_err();
        (e.errors[0].field.clone(), e.errors[0].message.clone())
    }

    #[test]
    fn a_desk_for_a_working_day_passes() {
        let z = ams();
        let rule = BookingRule::default_for(SpaceKind::Desk);
        check(
            &rule,
            &attempt(
                &z,
                "2026-12-07T08:00Z",
                "2026-12-07T17:00Z",
                "2026-12-03T09:00Z",
                2,
            ),
        )
        .unwrap();
    }

    #[test]
    fn each_rule_names_what_it_refuses() {
        let z = ams();
        let rule = BookingRule::default_for(SpaceKind::Desk);
        let (f, m) = field_of(check(
            &rule,
            &attempt(
                &z,
                "2026-12-07T08:00Z",
                "2026-12-07T08:00Z",
                "2026-12-03T09:00Z",
                0,
            ),
        ));
        assert_eq!((f.as_str(), m.as_str()), ("end", "must be after the start"));
        let (f, m) = field_of(check(
            &rule,
            &attempt(
                &z,
                "2026-12-02T08:00Z",
                "2026-12-02T09:00Z",
                "2026-12-03T09:00Z",
                0,
            ),
        ));
        assert_eq!((f.as_str(), m.as_str()), ("start", "is in the past"));
        let (f, m) = field_of(check(
            &rule,
            &attempt(
                &z,
                "2026-12-07T06:00Z",
                "2026-12-07T19:30Z",
                "2026-12-03T09:00Z",
                0,
            ),
        ));
        assert_eq!(f, "end");
        assert_eq!(
            m,
            "Desk 3.14 may be booked for at most 12 hours; this booking lasts 13 hours 30 minutes"
        );
        let (f, m) = field_of(check(
            &rule,
            &attempt(
                &z,
                "2026-12-18T08:00Z",
                "2026-12-18T09:00Z",
                "2026-12-03T09:00Z",
                0,
            ),
        ));
        assert_eq!(
            (f.as_str(), m.as_str()),
            ("start", "desks may be booked at most 14 days ahead")
        );
        let (f, m) = field_of(check(
            &rule,
            &attempt(
                &z,
                "2026-12-09T08:00Z",
                "2026-12-09T09:00Z",
                "2026-12-03T09:00Z",
                5,
            ),
        ));
        assert_eq!(f, "start");
        assert_eq!(
            m,
            "you already have 5 desk bookings in the week of 7 December; the limit is 5 a week"
        );
    }

    #[test]
    fn days_ahead_are_counted_in_the_space_zone() {
        // 23:30 UTC on the 3rd is already the 4th in Amsterdam: 14 days ahead of
        // the 4th is the 18th, which a UTC count would refuse.
        let z = ams();
        let rule = BookingRule::default_for(SpaceKind::Desk);
        check(
            &rule,
            &attempt(
                &z,
                "2026-12-18T08:00Z",
                "2026-12-18T09:00Z",
                "2026-12-03T23:30Z",
                0,
            ),
        )
        .unwrap();
    }

    #[test]
    fn a_booking_may_start_a_few_minutes_ago() {
        let z = ams();
        let rule = BookingRule::default_for(SpaceKind::Room);
        check(
            &rule,
            &attempt(
                &z,
                "2026-12-03T08:57Z",
                "2026-12-03T09:30Z",
                "2026-12-03T09:00Z",
                0,
            ),
        )
        .unwrap();
    }

    #[test]
    fn roles_outside_the_rule_are_denied_with_who_may() {
        let rule = BookingRule::default_for(SpaceKind::Equipment);
        assert!(rule.allows(Role::OfficeManager).is_ok());
        let e = rule.allows(Role::Staff).unwrap_err();
        assert_eq!(
            e.reason,
            "equipment may be booked only by: Administrator, Principal, Assistant, Office manager"
        );
        assert!(
            BookingRule::default_for(SpaceKind::Desk)
                .allows(Role::Contractor)
                .is_err()
        );
    }

    #[test]
    fn the_week_runs_monday_to_monday_in_the_zone() {
        let z = ams();
        let (a, b) = week_of(at("2026-12-06T22:30Z"), &z); // Sunday 23:30 in Amsterdam
        assert_eq!(a, at("2026-11-29T23:00Z"));
        assert_eq!(b, at("2026-12-06T23:00Z"));
        let (a, _) = week_of(at("2026-12-06T23:30Z"), &z); // Monday 00:30
        assert_eq!(a, at("2026-12-06T23:00Z"));
    }

    #[test]
    fn rules_out_of_range_name_each_field() {
        let mut r = BookingRule::default_for(SpaceKind::Room);
        r.roles.clear();
        r.max_minutes = 5;
        r.max_days_ahead = 400;
        r.quota_per_week = Some(0);
        r.release_after_minutes = 1;
        let e = r.validate().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "roles",
                "max_minutes",
                "max_days_ahead",
                "quota_per_week",
                "release_after_minutes"
            ]
        );
        for k in SpaceKind::ALL {
            BookingRule::default_for(*k).validate().unwrap();
        }
    }

    #[test]
    fn check_in_opens_early_and_closes_at_release() {
        let rule = BookingRule::default_for(SpaceKind::Room); // released after 15 minutes
        let (s, e) = (at("2026-12-03T09:00Z"), at("2026-12-03T10:00Z"));
        let b = BookingStatus::Booked;
        assert!(check_in_allowed(&rule, b, s, e, at("2026-12-03T08:40Z")).is_err());
        check_in_allowed(&rule, b, s, e, at("2026-12-03T08:45Z")).unwrap();
        check_in_allowed(&rule, b, s, e, at("2026-12-03T09:14Z")).unwrap();
        assert!(check_in_allowed(&rule, b, s, e, at("2026-12-03T09:15Z")).is_err());
        assert!(release_due(&rule, b, s, at("2026-12-03T09:15Z")));
        assert!(!release_due(
            &rule,
            BookingStatus::CheckedIn,
            s,
            at("2026-12-03T09:50Z")
        ));
        let (_, m) = field_of(check_in_allowed(
            &rule,
            BookingStatus::Released,
            s,
            e,
            at("2026-12-03T09:20Z"),
        ));
        assert!(m.starts_with("was released"), "{m}");
    }

    #[test]
    fn without_check_in_nothing_is_released() {
        let rule = BookingRule::default_for(SpaceKind::Equipment);
        let s = at("2026-12-03T09:00Z");
        assert!(!release_due(
            &rule,
            BookingStatus::Booked,
            s,
            at("2026-12-09T09:00Z")
        ));
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(45), "45 minutes");
        assert_eq!(duration_words(60), "1 hour");
        assert_eq!(duration_words(90), "1 hour 30 minutes");
        assert_eq!(duration_words(7 * 24 * 60), "7 days");
    }

    proptest! {
        /// At no moment can a booking both be checked into and be due for release,
        /// and one that was checked into is never released.
        #[test]
        fn check_in_and_release_never_overlap(
            release in 5u32..=240,
            len in 1i64..600,
            offset in -120i64..900,
            checked in any::<bool>(),
        ) {
            let mut rule = BookingRule::default_for(SpaceKind::Desk);
            rule.release_after_minutes = release;
            let start = at("2026-12-03T09:00Z");
            let end = start + SignedDuration::from_mins(len);
            let now = start + SignedDuration::from_mins(offset);
            let status = if checked { BookingStatus::CheckedIn } else { BookingStatus::Booked };
            let can = check_in_allowed(&rule, status, start, end, now).is_ok();
            let due = release_due(&rule, status, start, now);
            prop_assert!(!(can && due));
            if checked { prop_assert!(!due); }
            prop_assert_eq!(due, !checked && offset >= i64::from(release));
        }

        /// A booking that passes never exceeds the rule's length or its horizon.
        #[test]
        fn a_passing_booking_keeps_every_limit(
            max_minutes in 15u32..3000,
            ahead in 0u32..30,
            start_min in -10i64..(40 * 24 * 60),
            len in 1i64..4000,
            quota in proptest::option::of(1u32..10),
            week in 0u32..12,
        ) {
            let z = ams();
            let rule = BookingRule { max_minutes, max_days_ahead: ahead, quota_per_week: quota, ..BookingRule::default_for(SpaceKind::Desk) };
            let now = at("2026-12-03T09:00Z");
            let start = now + SignedDuration::from_mins(start_min);
            let a = Attempt { space: "D", start, end: start + SignedDuration::from_mins(len), now, zone: &z, booked_that_week: week };
            if check(&rule, &a).is_ok() {
                prop_assert!(len <= i64::from(max_minutes));
                prop_assert!(start_min >= -START_GRACE_MINUTES);
                prop_assert!(start_min < (i64::from(ahead) + 1) * 24 * 60 + 24 * 60);
                if let Some(q) = quota { prop_assert!(week < q); }
            }
        }
    }
}
