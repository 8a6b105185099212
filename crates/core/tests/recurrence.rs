//! Recurrence: the libical conformance vectors, properties of series expansion
//! across daylight-saving changes (proptest), series behaviour (overrides,
//! RDATE/EXDATE in other zones, all-day series, caps on pathological rules), and
//! the rule iterator against a brute-force oracle and against itself when it
//! skips ahead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adjutant_core::calendar::recurrence::{ExpandError, Limits, Rule};
use adjutant_core::calendar::series::{self, Occurrence, Override};
use adjutant_core::calendar::{
    Category, EventData, EventStatus, EventTime, Priority, Recurrence, RecurrenceId, TimeRange, Transparency,
    Zone,
};
use adjutant_core::policy::Visibility;
use jiff::civil::{Date, DateTime, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// libical conformance
// ---------------------------------------------------------------------------

/// One block of libical's `icalrecur_test.txt`.
#[derive(Debug)]
struct Vector {
    name: String,
    rrule: String,
    dtstart: String,
    start_at: Option<String>,
    /// None when libical does not implement the rule.
    instances: Option<Vec<String>>,
}

fn parse_vectors(text: &str) -> Vec<Vector> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut v = Vector {
            name: String::new(),
            rrule: String::new(),
            dtstart: String::new(),
            start_at: None,
            instances: None,
        };
        let mut any = false;
        for line in block.lines().map(str::trim_end) {
            if let Some(c) = line.strip_prefix('#') {
                if !v.name.is_empty() {
                    v.name.push(' ');
                }
                v.name.push_str(c.trim());
            } else if let Some(r) = line.strip_prefix("RRULE:") {
                v.rrule = r.to_string();
                any = true;
            } else if let Some(d) = line.strip_prefix("DTSTART:") {
                v.dtstart = d.to_string();
            } else if let Some(s) = line.strip_prefix("START-AT:") {
                v.start_at = Some(s.to_string());
            } else if let Some(i) = line.strip_prefix("INSTANCES:") {
                let i = i.trim();
                v.instances = if i.starts_with("***") {
                    None
                } else if i.is_empty() {
                    Some(vec![])
                } else {
                    Some(i.split(',').map(str::to_string).collect())
                };
            }
        }
        if any {
            out.push(v);
        }
    }
    out
}

/// `19970902T090000`, `19970902T090000Z` or `19970902` as a wall-clock time.
fn stamp(s: &str) -> DateTime {
    let s = s.trim_end_matches('Z');
    let d = date(
        s[0..4].parse().unwrap(),
        s[4..6].parse().unwrap(),
        s[6..8].parse().unwrap(),
    );
    if s.len() == 8 {
        d.to_datetime(jiff::civil::Time::midnight())
    } else {
        d.at(
            s[9..11].parse().unwrap(),
            s[11..13].parse().unwrap(),
            s[13..15].parse().unwrap(),
            0,
        )
    }
}

/// Formats `dt` the way `like` (a DTSTART) is written.
fn format_like(dt: DateTime, like: &str) -> String {
    if like.len() == 8 {
        dt.strftime("%Y%m%d").to_string()
    } else if like.ends_with('Z') {
        dt.strftime("%Y%m%dT%H%M%SZ").to_string()
    } else {
        dt.strftime("%Y%m%dT%H%M%S").to_string()
    }
}

/// Vectors where libical's answer differs from ours on purpose, with the
/// instances we produce instead (so any other change still fails the test).
const ALLOWED: &[(&str, &str, &str, &str)] = &[
    (
        // libical refuses this rule ("not implemented"). RFC 5545 expands it: 30 December of
        // each year, when that day lies in week 1 (of the following year).
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=30;BYWEEKNO=1;UNTIL=20320101",
        "20241230",
        "20241230,20251230,20301230,20311230",
        "libical does not implement it; expanded as RFC 5545 reads",
    ),
    (
        // With BYWEEKNO a yearly rule repeats week-numbering years, and INTERVAL counts them from
        // the one holding DTSTART: 2027-01-03 is in week 53 of 2026, so INTERVAL=6 reaches 2032,
        // whose week 53 holds Thursday 2032-12-30. libical counts from DTSTART's calendar year
        // (2027) when DTSTART itself does not match the rule, and from its week-numbering year
        // when it does (as in the "first date belongs to 2009" vectors, which we pass); we count
        // from the period holding DTSTART in both cases, as every other frequency does.
        "FREQ=YEARLY;BYWEEKNO=53;INTERVAL=6;BYDAY=TH;COUNT=1",
        "20270103T000000Z",
        "20321230T000000Z",
        "INTERVAL counted from the week-numbering year holding DTSTART (2026), not from 2027",
    ),
    (
        // As above: from week-numbering year 2026 every 5 years gives 2031, 2036, …; the first of
        // them with a week 53 is 2071, whose Thursday in it is 2071-12-31 (libical: 2032-12-30).
        "FREQ=YEARLY;BYWEEKNO=53;INTERVAL=5;BYDAY=TH;COUNT=1",
        "20270103T000000Z",
        "20711231T000000Z",
        "INTERVAL counted from the week-numbering year holding DTSTART (2026), not from 2027",
    ),
];

fn expand_vector(rule: &Rule, v: &Vector, from: Option<DateTime>) -> Vec<String> {
    let date_only = v.dtstart.len() == 8;
    let utc = TimeZone::UTC;
    let mut it = rule.expand(stamp(&v.dtstart), date_only, &utc, Limits::default());
    if let Some(f) = from {
        it.skip_to(f);
    }
    let take = match (&v.instances, rule.is_finite()) {
        (Some(i), false) => i.len(),
        _ => 10_000,
    };
    it.take(take)
        .map(|x| match x {
            Ok(dt) => format_like(dt, &v.dtstart),
            Err(e) => format!("error: {e}"),
        })
        .collect()
}

#[test]
fn libical_conformance() {
    let path = format!(
        "{}/../../../shared/data/libical/libical_icalrecur_test.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("libical recurrence vectors: skipped (no shared/data/libical beside the repository)");
        return;
    };
    let vectors = parse_vectors(&text);
    let mut pass = 0;
    let mut allowed = 0;
    let mut failures = Vec::new();
    for v in &vectors {
        let rule: Rule = match v.rrule.parse() {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{} [{}]: does not parse: {e}", v.name, v.rrule));
                continue;
            }
        };
        let got = expand_vector(&rule, v, None);
        let allow = ALLOWED.iter().find(|a| a.0 == v.rrule && a.1 == v.dtstart);
        let expected: Vec<String> = match allow {
            Some(a) => a.2.split(',').map(str::to_string).collect(),
            None => v.instances.clone().unwrap_or_default(),
        };
        if got != expected {
            failures.push(format!(
                "{} [{} from {}]:\n   expected {}\n   got      {}",
                v.name,
                v.rrule,
                v.dtstart,
                expected.join(","),
                got.join(",")
            ));
            continue;
        }
        if let Some(a) = allow {
            if v.instances.as_ref() == Some(&got) {
                failures.push(format!(
                    "{}: allow-listed but now agrees with libical; drop it",
                    a.0
                ));
            } else {
                allowed += 1;
            }
            continue;
        }
        if let Some(s) = &v.start_at {
            let from = stamp(s);
            let suffix: Vec<String> = expected.iter().filter(|i| stamp(i) >= from).cloned().collect();
            let skipped = expand_vector(&rule, v, Some(from));
            if skipped != suffix {
                failures.push(format!(
                    "{} [{} from {} starting at {s}]:\n   expected {}\n   got      {}",
                    v.name,
                    v.rrule,
                    v.dtstart,
                    suffix.join(","),
                    skipped.join(",")
                ));
                continue;
            }
        }
        pass += 1;
    }
    eprintln!(
        "libical recurrence vectors: {pass}/{} pass ({allowed} differ on purpose, allow-listed)",
        vectors.len()
    );
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    assert_eq!(vectors.len(), 146, "the vector file changed");
    assert!(failures.is_empty(), "{} libical vectors fail", failures.len());
}

// ---------------------------------------------------------------------------
// Series helpers
// ---------------------------------------------------------------------------

fn zone(name: &str) -> Zone {
    Zone::parse("zone", name).unwrap()
}

fn event(start: EventTime, end: EventTime, rules: &[&str]) -> EventData {
    EventData {
        summary: "Weekly 1:1".into(),
        description: String::new(),
        location: None,
        start,
        end,
        recurrence: Recurrence {
            rules: rules.iter().map(|r| r.parse().unwrap()).collect(),
            ..Recurrence::default()
        },
        organiser: None,
        attendees: vec![],
        visibility: Visibility::Normal,
        transparency: Transparency::Busy,
        priority: Priority::NORMAL,
        category: Category::Meeting,
        status: EventStatus::Confirmed,
    }
}

fn at(z: &Zone, local: DateTime) -> EventTime {
    EventTime::zoned(local, z)
}

fn range(a: Timestamp, b: Timestamp) -> TimeRange {
    TimeRange::new(a, b).unwrap()
}

fn year_window(z: &Zone, y: i16) -> TimeRange {
    range(
        z.instant(date(y, 1, 1).at(0, 0, 0, 0)),
        z.instant(date(y + 1, 1, 1).at(0, 0, 0, 0)),
    )
}

fn expand(data: &EventData, overrides: &[Override], fallback: &Zone, window: TimeRange) -> Vec<Occurrence> {
    series::occurrences(data, overrides, fallback, window, &Limits::default()).unwrap()
}

fn starts(occ: &[Occurrence]) -> Vec<String> {
    occ.iter().map(|o| o.start.to_string()).collect()
}

fn all_time() -> TimeRange {
    range(
        "1900-01-01T00:00:00Z".parse().unwrap(),
        "2200-01-01T00:00:00Z".parse().unwrap(),
    )
}

// ---------------------------------------------------------------------------
// Properties across daylight-saving changes
// ---------------------------------------------------------------------------

const ZONES: [&str; 4] = [
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
];
const RULES: [&str; 6] = [
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=SU,WE",
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=MONTHLY;BYDAY=-1SU",
    "FREQ=MONTHLY;BYMONTHDAY=1,15",
];

/// Whether clocks spring forward on `day` in `z` (the offset at noon is ahead of the one at midnight).
fn springs_forward(z: &Zone, day: Date) -> bool {
    let offset = |t: Timestamp| z.tz().to_offset(t).seconds();
    let midnight = z.start_of_day(day);
    let noon = midnight.checked_add(SignedDuration::from_hours(12)).unwrap();
    offset(noon) > offset(midnight)
}

#[derive(Debug, Clone)]
struct Case {
    zone: Zone,
    rule: &'static str,
    start: DateTime,
    ending: Option<String>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..ZONES.len(),
        0..RULES.len(),
        2019i16..2029,
        1i8..=12,
        1i8..=28,
        prop::bool::ANY,
        0u8..3,
    )
        .prop_map(|(z, r, y, m, d, gap_time, ending)| Case {
            zone: zone(ZONES[z]),
            rule: RULES[r],
            start: if gap_time {
                date(y, m, d).at(2, 30, 0, 0)
            } else {
                date(y, m, d).at(9, 0, 0, 0)
            },
            ending: match ending {
                0 => None,
                1 => Some(";COUNT=40".into()),
                _ => Some(format!(";UNTIL={}0101T000000Z", y + 2)),
            },
        })
}

fn case_event(c: &Case) -> EventData {
    let rule = format!("{}{}", c.rule, c.ending.as_deref().unwrap_or(""));
    let end = c.start.checked_add(SignedDuration::from_mins(45)).unwrap();
    event(at(&c.zone, c.start), at(&c.zone, end), &[rule.as_str()])
}

/// Two years and a bit from the start: every zone with daylight saving changes four times.
fn case_window(c: &Case) -> TimeRange {
    let a = c
        .zone
        .instant(c.start)
        .checked_sub(SignedDuration::from_hours(24))
        .unwrap();
    range(a, a.checked_add(SignedDuration::from_hours(24 * 800)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        // Failures are reported, not written next to the sources.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn wall_clock_times_survive_daylight_saving(c in case()) {
        let data = case_event(&c);
        let occ = expand(&data, &[], &c.zone, case_window(&c));
        prop_assert!(!occ.is_empty());
        for pair in occ.windows(2) {
            prop_assert!(pair[0].start_at < pair[1].start_at, "instants increase: {:?}", pair);
        }
        for o in &occ {
            let local = c.zone.local(o.start_at);
            // As meant: the wall-clock start of every occurrence is the series' own.
            prop_assert_eq!(o.start.local().time(), c.start.time());
            let gap_day = c.start.hour() == 2 && springs_forward(&c.zone, local.date());
            if c.start.hour() == 9 {
                prop_assert_eq!(local.time(), c.start.time(), "{}", o.start);
            } else {
                let expected = if gap_day {
                    jiff::civil::time(3, 30, 0, 0)
                } else {
                    jiff::civil::time(2, 30, 0, 0)
                };
                prop_assert_eq!(local.time(), expected, "{} at {}", o.start, o.start_at);
            }
            if gap_day {
                // 02:30–03:15 would end before its start (moved to 03:30): it keeps its length.
                prop_assert_eq!(o.end_at.duration_since(o.start_at), SignedDuration::from_mins(45));
            } else {
                // 45 minutes on the wall clock, whatever the clocks did.
                prop_assert_eq!(o.end.local().duration_since(o.start.local()), SignedDuration::from_mins(45));
            }
            prop_assert_eq!(o.start.instant(&c.zone), o.start_at);
            prop_assert_eq!(o.end.instant(&c.zone), o.end_at);
        }
    }

    #[test]
    fn expanding_in_two_halves_equals_expanding_whole(c in case(), cut in 1i64..799) {
        let data = case_event(&c);
        let w = case_window(&c);
        let mid = w.start.checked_add(SignedDuration::from_hours(24 * cut)).unwrap();
        let whole = expand(&data, &[], &c.zone, w);
        let mut halves = expand(&data, &[], &c.zone, range(w.start, mid));
        for o in expand(&data, &[], &c.zone, range(mid, w.end)) {
            // An occurrence running across the cut is in both halves.
            if halves.last() != Some(&o) {
                halves.push(o);
            }
        }
        prop_assert_eq!(halves, whole);
    }

    #[test]
    fn bounds_contain_every_occurrence(c in case()) {
        let data = case_event(&c);
        let (first, last) = series::bounds(&data, &[], &c.zone).unwrap();
        let early = expand(&data, &[], &c.zone, range(all_time().start, case_window(&c).end));
        prop_assert_eq!(first, early[0].start_at);
        match (&c.ending, last) {
            (None, None) => {}
            (Some(_), Some(l)) => {
                let every = expand(&data, &[], &c.zone, all_time());
                prop_assert_eq!(l, every.last().unwrap().end_at);
                for o in &every {
                    prop_assert!(first <= o.start_at && o.end_at <= l);
                }
            }
            (e, l) => prop_assert!(false, "ending {:?} but bounds end {:?}", e, l),
        }
    }

    #[test]
    fn an_exdate_removes_exactly_one_occurrence(c in case(), pick in 0usize..1000, utc in prop::bool::ANY) {
        let mut data = case_event(&c);
        let w = case_window(&c);
        let before = expand(&data, &[], &c.zone, w);
        let gone = &before[pick % before.len()];
        // Named by its instant in UTC, or by its wall-clock time in the series' zone.
        data.recurrence.exdates = vec![if utc { EventTime::utc(gone.start_at) } else { gone.start.clone() }];
        let after = expand(&data, &[], &c.zone, w);
        let mut expected = before.clone();
        expected.retain(|o| o.recurrence_id != gone.recurrence_id);
        prop_assert_eq!(after.len() + 1, before.len());
        prop_assert_eq!(after, expected);
    }

    #[test]
    fn the_same_input_gives_the_same_output(c in case()) {
        let data = case_event(&c);
        let w = case_window(&c);
        prop_assert_eq!(expand(&data, &[], &c.zone, w), expand(&data, &[], &c.zone, w));
        prop_assert_eq!(
            series::bounds(&data, &[], &c.zone).unwrap(),
            series::bounds(&data, &[], &c.zone).unwrap()
        );
    }
}

// ---------------------------------------------------------------------------
// Series behaviour
// ---------------------------------------------------------------------------

fn weekly_ams() -> (Zone, EventData) {
    let z = zone("Europe/Amsterdam");
    // Mondays 09:00–09:30 from 5 January 2026.
    let data = event(
        at(&z, date(2026, 1, 5).at(9, 0, 0, 0)),
        at(&z, date(2026, 1, 5).at(9, 30, 0, 0)),
        &["FREQ=WEEKLY;BYDAY=MO"],
    );
    (z, data)
}

fn moved(data: &EventData, z: &Zone, id: DateTime, to: DateTime) -> Override {
    let mut d = data.clone();
    d.recurrence = Recurrence::default();
    d.summary = "Moved 1:1".into();
    d.start = at(z, to);
    d.end = at(z, to.checked_add(SignedDuration::from_mins(30)).unwrap());
    Override {
        recurrence_id: RecurrenceId(id),
        data: d,
    }
}

#[test]
fn a_single_event_is_one_occurrence() {
    let z = zone("Europe/Amsterdam");
    let data = event(
        at(&z, date(2026, 3, 2).at(14, 0, 0, 0)),
        at(&z, date(2026, 3, 2).at(15, 0, 0, 0)),
        &[],
    );
    let occ = expand(&data, &[], &z, year_window(&z, 2026));
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].recurrence_id, None);
    assert_eq!(occ[0].start_at.to_string(), "2026-03-02T13:00:00Z");
    assert!(expand(&data, &[], &z, year_window(&z, 2027)).is_empty());
    assert_eq!(
        series::bounds(&data, &[], &z).unwrap(),
        (occ[0].start_at, Some(occ[0].end_at))
    );
}

#[test]
fn weekly_series_keeps_nine_oclock_across_daylight_saving() {
    let (z, data) = weekly_ams();
    let window = range(
        z.instant(date(2026, 3, 20).at(0, 0, 0, 0)),
        z.instant(date(2026, 4, 10).at(0, 0, 0, 0)),
    );
    let occ = expand(&data, &[], &z, window);
    assert_eq!(
        occ.iter().map(|o| o.start_at.to_string()).collect::<Vec<_>>(),
        // 23 March is CET (+01:00); 30 March and 6 April are CEST (+02:00).
        [
            "2026-03-23T08:00:00Z",
            "2026-03-30T07:00:00Z",
            "2026-04-06T07:00:00Z"
        ]
    );
    assert!(
        occ.iter()
            .all(|o| o.end_at.duration_since(o.start_at) == SignedDuration::from_mins(30))
    );
    assert_eq!(
        occ[0].recurrence_id,
        Some(RecurrenceId(date(2026, 3, 23).at(9, 0, 0, 0)))
    );
}

#[test]
fn overrides_move_occurrences_into_and_out_of_the_window() {
    let (z, data) = weekly_ams();
    let march = range(
        z.instant(date(2026, 3, 1).at(0, 0, 0, 0)),
        z.instant(date(2026, 4, 1).at(0, 0, 0, 0)),
    );
    let overrides = vec![
        // 20 April moved into March (its original time is far outside the window).
        moved(
            &data,
            &z,
            date(2026, 4, 20).at(9, 0, 0, 0),
            date(2026, 3, 11).at(16, 0, 0, 0),
        ),
        // 9 March moved out of March.
        moved(
            &data,
            &z,
            date(2026, 3, 9).at(9, 0, 0, 0),
            date(2026, 5, 1).at(10, 0, 0, 0),
        ),
        // 16 March moved within the window, to later that day.
        moved(
            &data,
            &z,
            date(2026, 3, 16).at(9, 0, 0, 0),
            date(2026, 3, 16).at(13, 0, 0, 0),
        ),
        // Not an occurrence of the series (a Tuesday): ignored.
        moved(
            &data,
            &z,
            date(2026, 3, 3).at(9, 0, 0, 0),
            date(2026, 3, 20).at(9, 0, 0, 0),
        ),
    ];
    let occ = expand(&data, &overrides, &z, march);
    assert_eq!(
        starts(&occ),
        [
            "2026-03-02T09:00:00 Europe/Amsterdam",
            "2026-03-11T16:00:00 Europe/Amsterdam",
            "2026-03-16T13:00:00 Europe/Amsterdam",
            "2026-03-23T09:00:00 Europe/Amsterdam",
            "2026-03-30T09:00:00 Europe/Amsterdam",
        ]
    );
    assert_eq!(occ[1].override_index, Some(0));
    assert_eq!(
        occ[1].recurrence_id,
        Some(RecurrenceId(date(2026, 4, 20).at(9, 0, 0, 0)))
    );
    assert_eq!(occ[2].override_index, Some(2));
    assert_eq!(occ[0].override_index, None);
    // April: the 20th has moved away; May: the 9 March occurrence arrives on the 1st.
    let april = expand(&data, &overrides, &z, year_window(&z, 2026));
    assert!(!starts(&april).contains(&"2026-04-20T09:00:00 Europe/Amsterdam".to_string()));
    assert!(starts(&april).contains(&"2026-05-01T10:00:00 Europe/Amsterdam".to_string()));
}

#[test]
fn cancelled_overrides_are_dropped() {
    let (z, data) = weekly_ams();
    let mut cancel = moved(
        &data,
        &z,
        date(2026, 1, 12).at(9, 0, 0, 0),
        date(2026, 1, 12).at(9, 0, 0, 0),
    );
    cancel.data.status = EventStatus::Cancelled;
    let jan = range(
        z.instant(date(2026, 1, 1).at(0, 0, 0, 0)),
        z.instant(date(2026, 1, 20).at(0, 0, 0, 0)),
    );
    assert_eq!(
        starts(&expand(&data, &[cancel.clone()], &z, jan)),
        [
            "2026-01-05T09:00:00 Europe/Amsterdam",
            "2026-01-19T09:00:00 Europe/Amsterdam"
        ]
    );
    // Cancelling the first occurrence moves the series' start bound to the second.
    let mut first = cancel;
    first.recurrence_id = RecurrenceId(date(2026, 1, 5).at(9, 0, 0, 0));
    let (start, end) = series::bounds(&data, &[first], &z).unwrap();
    assert_eq!(start, z.instant(date(2026, 1, 12).at(9, 0, 0, 0)));
    assert_eq!(end, None);
}

#[test]
fn rdates_and_exdates_in_other_zones() {
    let ny = zone("America/New_York");
    let mut data = event(
        at(&ny, date(2026, 3, 2).at(9, 0, 0, 0)),
        at(&ny, date(2026, 3, 2).at(10, 0, 0, 0)),
        &["FREQ=DAILY;COUNT=10"],
    );
    data.recurrence.exdates = vec![
        // 9 March 09:00 New York (EDT from the 8th) is 13:00 UTC.
        EventTime::utc("2026-03-09T13:00:00Z".parse().unwrap()),
        // 4 March 09:00 New York is 15:00 in Amsterdam.
        at(&zone("Europe/Amsterdam"), date(2026, 3, 4).at(15, 0, 0, 0)),
        // Not an occurrence: removes nothing.
        EventTime::utc("2026-03-05T13:00:00Z".parse().unwrap()),
    ];
    data.recurrence.rdates = vec![
        // 20 March 18:00 in Tokyo is 05:00 New York.
        at(&zone("Asia/Tokyo"), date(2026, 3, 20).at(18, 0, 0, 0)),
        // The same instant as the 3 March occurrence: collapsed into it.
        EventTime::utc("2026-03-03T14:00:00Z".parse().unwrap()),
    ];
    let occ = expand(&data, &[], &ny, year_window(&ny, 2026));
    assert_eq!(
        starts(&occ),
        [
            "2026-03-02T09:00:00 America/New_York",
            "2026-03-03T09:00:00 America/New_York",
            "2026-03-05T09:00:00 America/New_York",
            "2026-03-06T09:00:00 America/New_York",
            "2026-03-07T09:00:00 America/New_York",
            "2026-03-08T09:00:00 America/New_York",
            "2026-03-10T09:00:00 America/New_York",
            "2026-03-11T09:00:00 America/New_York",
            "2026-03-20T05:00:00 America/New_York",
        ]
    );
    let (first, last) = series::bounds(&data, &[], &ny).unwrap();
    assert_eq!(first, occ[0].start_at);
    assert_eq!(last, Some(occ.last().unwrap().end_at));
}

#[test]
fn all_day_series() {
    let z = zone("Europe/Amsterdam");
    let day = |y, m, d| EventTime::Date { date: date(y, m, d) };
    // A two-day off-site on the last Thursday of each month.
    let mut data = event(
        day(2026, 1, 29),
        day(2026, 1, 31),
        &["FREQ=MONTHLY;BYDAY=-1TH;COUNT=6"],
    );
    // Excluded by date, given as a time in another zone on that day.
    data.recurrence.exdates = vec![
        day(2026, 3, 26),
        at(&zone("Asia/Tokyo"), date(2026, 4, 30).at(8, 0, 0, 0)),
    ];
    data.recurrence.rdates = vec![day(2026, 8, 13)];
    let occ = expand(&data, &[], &z, year_window(&z, 2026));
    assert_eq!(
        occ.iter()
            .map(|o| format!("{}..{}", o.start, o.end))
            .collect::<Vec<_>>(),
        [
            "2026-01-29..2026-01-31",
            "2026-02-26..2026-02-28",
            "2026-05-28..2026-05-30",
            "2026-06-25..2026-06-27",
            "2026-08-13..2026-08-15",
        ]
    );
    assert_eq!(occ[0].recurrence_id, Some(RecurrenceId::date(date(2026, 1, 29))));
    // All-day times are read in the fallback zone.
    assert_eq!(occ[0].start_at, z.start_of_day(date(2026, 1, 29)));
    // A window starting on the second day still sees the occurrence.
    let w = range(
        z.start_of_day(date(2026, 2, 27)),
        z.start_of_day(date(2026, 2, 28)),
    );
    assert_eq!(expand(&data, &[], &z, w).len(), 1);
    let (first, last) = series::bounds(&data, &[], &z).unwrap();
    assert_eq!(first, z.start_of_day(date(2026, 1, 29)));
    assert_eq!(last, Some(z.start_of_day(date(2026, 8, 15))));
}

#[test]
fn dtstart_not_matching_the_rule_is_the_first_occurrence_and_counts() {
    let z = zone("Europe/Amsterdam");
    // Starts on a Wednesday; the rule says Mondays, three times in all.
    let data = event(
        at(&z, date(2026, 1, 7).at(9, 0, 0, 0)),
        at(&z, date(2026, 1, 7).at(10, 0, 0, 0)),
        &["FREQ=WEEKLY;BYDAY=MO;COUNT=3"],
    );
    let occ = expand(&data, &[], &z, year_window(&z, 2026));
    assert_eq!(
        starts(&occ),
        [
            "2026-01-07T09:00:00 Europe/Amsterdam",
            "2026-01-12T09:00:00 Europe/Amsterdam",
            "2026-01-19T09:00:00 Europe/Amsterdam",
        ]
    );
    let (first, last) = series::bounds(&data, &[], &z).unwrap();
    assert_eq!((first, last), (occ[0].start_at, Some(occ[2].end_at)));
    // A synchronised DTSTART is counted once.
    let data = event(
        at(&z, date(2026, 1, 5).at(9, 0, 0, 0)),
        at(&z, date(2026, 1, 5).at(10, 0, 0, 0)),
        &["FREQ=WEEKLY;BYDAY=MO;COUNT=3"],
    );
    assert_eq!(expand(&data, &[], &z, year_window(&z, 2026)).len(), 3);
}

#[test]
fn spring_gap_times_move_forward() {
    let z = zone("Europe/Amsterdam");
    let data = event(
        at(&z, date(2026, 3, 27).at(2, 30, 0, 0)),
        at(&z, date(2026, 3, 27).at(3, 0, 0, 0)),
        &["FREQ=DAILY;COUNT=4"],
    );
    let occ = expand(&data, &[], &z, year_window(&z, 2026));
    let locals: Vec<String> = occ.iter().map(|o| z.local(o.start_at).to_string()).collect();
    assert_eq!(
        locals,
        [
            "2026-03-27T02:30:00",
            "2026-03-28T02:30:00",
            "2026-03-29T03:30:00",
            "2026-03-30T02:30:00"
        ]
    );
    // 02:30–03:00 on the gap day would end (03:00 exists) before it starts (03:30): it keeps its
    // length instead and runs 03:30–04:00.
    assert!(
        occ.iter()
            .all(|o| o.end_at.duration_since(o.start_at) == SignedDuration::from_mins(30))
    );
    assert_eq!(occ[2].end.to_string(), "2026-03-29T04:00:00 Europe/Amsterdam");
    assert_eq!(occ[2].start.to_string(), "2026-03-29T02:30:00 Europe/Amsterdam");
}

#[test]
fn start_and_end_in_different_zones_keep_the_exact_duration() {
    // A flight: departs Amsterdam 10:00, lands New York 12:30 (8h30 later).
    let (ams, ny) = (zone("Europe/Amsterdam"), zone("America/New_York"));
    let data = event(
        at(&ams, date(2026, 3, 2).at(10, 0, 0, 0)),
        at(&ny, date(2026, 3, 2).at(12, 30, 0, 0)),
        &["FREQ=WEEKLY;COUNT=4"],
    );
    let occ = expand(&data, &[], &ams, year_window(&ams, 2026));
    assert!(
        occ.iter()
            .all(|o| o.end_at.duration_since(o.start_at) == SignedDuration::from_mins(510))
    );
    // New York changes clocks on 8 March, Amsterdam on 29 March: landing is at 13:30 local for a while.
    assert_eq!(
        occ.iter().map(|o| o.end.to_string()).collect::<Vec<_>>(),
        [
            "2026-03-02T12:30:00 America/New_York",
            "2026-03-09T13:30:00 America/New_York",
            "2026-03-16T13:30:00 America/New_York",
            "2026-03-23T13:30:00 America/New_York",
        ]
    );
}

#[test]
fn zero_length_occurrences_and_window_edges() {
    let z = zone("UTC");
    let data = event(
        at(&z, date(2026, 1, 1).at(12, 0, 0, 0)),
        at(&z, date(2026, 1, 1).at(12, 0, 0, 0)),
        &["FREQ=DAILY;COUNT=3"],
    );
    let noon = |d| z.instant(date(2026, 1, d).at(12, 0, 0, 0));
    // [noon 1st, noon 2nd): the one at the start counts, the one at the end does not.
    let occ = expand(&data, &[], &z, range(noon(1), noon(2)));
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].start_at, noon(1));
    // A timed occurrence touching the window's start does not overlap it.
    let hour = event(
        at(&z, date(2026, 1, 1).at(11, 0, 0, 0)),
        at(&z, date(2026, 1, 1).at(12, 0, 0, 0)),
        &["FREQ=DAILY;COUNT=3"],
    );
    let eleven = z.instant(date(2026, 1, 2).at(11, 0, 0, 0));
    assert_eq!(expand(&hour, &[], &z, range(noon(1), eleven)).len(), 0);
    assert_eq!(expand(&hour, &[], &z, range(noon(1), noon(2))).len(), 1);
}

#[test]
fn exrules_remove_their_matches() {
    let (z, mut data) = weekly_ams();
    data.recurrence.rules = vec!["FREQ=DAILY".parse().unwrap()];
    data.recurrence.exrules = vec!["FREQ=WEEKLY;BYDAY=SA,SU".parse().unwrap()];
    let jan = range(
        z.instant(date(2026, 1, 5).at(0, 0, 0, 0)),
        z.instant(date(2026, 1, 19).at(0, 0, 0, 0)),
    );
    let occ = expand(&data, &[], &z, jan);
    assert_eq!(occ.len(), 10);
    assert!(occ.iter().all(|o| !matches!(
        o.start.local().date().weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    )));
}

#[test]
fn an_old_daily_series_expands_this_month_by_skipping_ahead() {
    let z = zone("Europe/Amsterdam");
    let data = event(
        at(&z, date(2018, 1, 1).at(8, 30, 0, 0)),
        at(&z, date(2018, 1, 1).at(9, 0, 0, 0)),
        &["FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"],
    );
    let w = range(
        z.instant(date(2026, 6, 1).at(0, 0, 0, 0)),
        z.instant(date(2026, 6, 29).at(0, 0, 0, 0)),
    );
    let occ = expand(&data, &[], &z, w);
    assert_eq!(occ.len(), 20);
    assert_eq!(occ[0].start.to_string(), "2026-06-01T08:30:00 Europe/Amsterdam");
}

#[test]
fn pathological_rules_return_errors_quickly() {
    let z = zone("Europe/Amsterdam");
    let mk = |rule: &str| {
        event(
            at(&z, date(2026, 1, 1).at(9, 0, 0, 0)),
            at(&z, date(2026, 1, 1).at(9, 30, 0, 0)),
            &[rule],
        )
    };
    // Names a date that does not exist.
    let e = series::occurrences(
        &mk("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
        &[],
        &z,
        year_window(&z, 2026),
        &Limits::default(),
    );
    assert!(matches!(e, Err(ExpandError::NeverMatches { .. })), "{e:?}");
    assert!(series::bounds(&mk("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2"), &[], &z).is_err());
    // Every second of a year is more than a calendar can show.
    let e = series::occurrences(
        &mk("FREQ=SECONDLY"),
        &[],
        &z,
        year_window(&z, 2026),
        &Limits::default(),
    );
    assert!(
        matches!(e, Err(ExpandError::TooManyOccurrences { limit: 100_000, .. })),
        "{e:?}"
    );
    // Seconds in January only, starting in February: skips to next January instead of stepping.
    let data = event(
        at(&z, date(2026, 2, 1).at(9, 0, 0, 0)),
        at(&z, date(2026, 2, 1).at(9, 0, 0, 0)),
        &["FREQ=SECONDLY;BYMONTH=1;BYHOUR=9;BYMINUTE=0"],
    );
    let occ = expand(&data, &[], &z, year_window(&z, 2027));
    assert_eq!(occ.len(), 31 * 60);
    assert_eq!(occ[0].start.to_string(), "2027-01-01T09:00:00 Europe/Amsterdam");
    assert_eq!(occ[1].start.to_string(), "2027-01-01T09:00:01 Europe/Amsterdam");
}

#[test]
fn density_check_refuses_floods_and_rules_that_never_yield() {
    let z = zone("Europe/Amsterdam");
    let mk = |rule: &str| {
        event(
            at(&z, date(2026, 1, 1).at(9, 0, 0, 0)),
            at(&z, date(2026, 1, 1).at(9, 30, 0, 0)),
            &[rule],
        )
    };
    let summary = |rule: &str| series::check_density(&mk(rule), &z).err().map(|e| e.summary());
    assert_eq!(summary("FREQ=WEEKLY;BYDAY=MO,WE,FR"), None);
    assert_eq!(summary("FREQ=HOURLY"), None, "8,760 a year is allowed");
    assert_eq!(
        summary("FREQ=MINUTELY").as_deref(),
        Some(
            "rrule: `FREQ=MINUTELY` repeats more than 10000 times in its first year; make it repeat less \
             often (a longer FREQ or a larger INTERVAL)"
        )
    );
    let never = summary("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").unwrap_or_default();
    assert!(
        never.starts_with("rrule: the rule `FREQ=YEARLY;BYMONTHDAY=30;BYMONTH=2` never produces"),
        "{never}"
    );
    let ended = summary("FREQ=DAILY;UNTIL=20251231").unwrap_or_default();
    assert!(
        ended.contains("`FREQ=DAILY;UNTIL=20251231` never produces an occurrence"),
        "{ended}"
    );
}

#[test]
fn bounds_are_exact_for_finite_series() {
    let z = zone("America/New_York");
    let mut data = event(
        at(&z, date(2026, 1, 31).at(17, 0, 0, 0)),
        at(&z, date(2026, 1, 31).at(18, 0, 0, 0)),
        &["FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20261231T220000Z"],
    );
    let every = expand(&data, &[], &z, all_time());
    assert_eq!(every.len(), 12);
    let (first, last) = series::bounds(&data, &[], &z).unwrap();
    assert_eq!(first, every[0].start_at);
    assert_eq!(last, Some(every[11].end_at));
    // Excluding the last occurrence moves the end back to the one before.
    data.recurrence.exdates = vec![every[11].start.clone()];
    assert_eq!(series::bounds(&data, &[], &z).unwrap().1, Some(every[10].end_at));
    // An override moving an occurrence past the end moves the end too.
    let later = moved(
        &data,
        &z,
        date(2026, 6, 30).at(17, 0, 0, 0),
        date(2027, 2, 1).at(9, 0, 0, 0),
    );
    assert_eq!(
        series::bounds(&data, &[later], &z).unwrap().1,
        Some(z.instant(date(2027, 2, 1).at(9, 30, 0, 0)))
    );
}

// ---------------------------------------------------------------------------
// The rule iterator against a brute-force oracle
// ---------------------------------------------------------------------------

/// A random rule with limiting BY-parts only (no BYSETPOS), as text.
fn limiting_rule() -> impl Strategy<Value = String> {
    let freq = prop::sample::select(vec!["DAILY", "HOURLY", "MINUTELY", "SECONDLY"]);
    let interval = prop::sample::select(vec![1u32, 1, 2, 3, 5, 7, 13, 25, 61, 168]);
    let subset = |max: u8, n: usize| prop::collection::btree_set(0..max, 1..n);
    (
        freq,
        interval,
        prop::option::weighted(0.3, prop::collection::btree_set(1u8..=12, 1..4)),
        prop::option::weighted(
            0.3,
            prop::collection::btree_set(
                prop::sample::select(vec![1i8, 2, 13, 15, 28, 29, 30, 31, -1, -2]),
                1..3,
            ),
        ),
        prop::option::weighted(0.4, prop::collection::btree_set(0u8..7, 1..4)),
        prop::option::weighted(
            0.15,
            prop::collection::btree_set(prop::sample::select(vec![1i16, 60, 100, 366, -1, -300]), 1..3),
        ),
        prop::option::weighted(0.4, subset(24, 4)),
        prop::option::weighted(0.4, subset(60, 4)),
        prop::option::weighted(0.3, subset(60, 4)),
    )
        .prop_map(
            |(freq, interval, months, mdays, wdays, ydays, hours, minutes, seconds)| {
                let join = |v: Vec<String>| v.join(",");
                let mut r = format!("FREQ={freq};INTERVAL={interval}");
                let day = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
                if let Some(m) = months {
                    r += &format!(";BYMONTH={}", join(m.iter().map(ToString::to_string).collect()));
                }
                if let Some(m) = mdays {
                    r += &format!(
                        ";BYMONTHDAY={}",
                        join(m.iter().map(ToString::to_string).collect())
                    );
                }
                if let Some(w) = wdays {
                    r += &format!(
                        ";BYDAY={}",
                        join(w.iter().map(|&d| day[d as usize].to_string()).collect())
                    );
                }
                if let Some(y) = ydays
                    && freq != "DAILY"
                {
                    r += &format!(";BYYEARDAY={}", join(y.iter().map(ToString::to_string).collect()));
                }
                for (name, v) in [("BYHOUR", hours), ("BYMINUTE", minutes), ("BYSECOND", seconds)] {
                    if let Some(v) = v {
                        r += &format!(";{name}={}", join(v.iter().map(ToString::to_string).collect()));
                    }
                }
                r
            },
        )
}

/// The same rule the slow way: every period in turn, every candidate tested,
/// calendar arithmetic by jiff. Occurrences before `end`.
fn oracle(rule: &Rule, start: DateTime, end: DateTime) -> Vec<DateTime> {
    use adjutant_core::calendar::recurrence::Frequency;
    let unit = match rule.freq {
        Frequency::Daily => 86_400,
        Frequency::Hourly => 3600,
        Frequency::Minutely => 60,
        _ => 1,
    };
    let or_start = |v: &[u8], own: i8| if v.is_empty() { vec![own as u8] } else { v.to_vec() };
    let mut hours = or_start(&rule.by_hour, start.hour());
    let mut minutes = or_start(&rule.by_minute, start.minute());
    let mut seconds = or_start(&rule.by_second, start.second());
    for v in [&mut hours, &mut minutes, &mut seconds] {
        v.sort_unstable();
        v.dedup();
    }
    let midnight = start.date().to_datetime(jiff::civil::Time::midnight());
    let since_midnight = start.duration_since(midnight).as_secs();
    let first = midnight
        .checked_add(SignedDuration::from_secs(since_midnight / unit * unit))
        .unwrap();
    let mut out = Vec::new();
    for j in 0.. {
        let period = first
            .checked_add(SignedDuration::from_secs(j * unit * i64::from(rule.interval)))
            .unwrap();
        if period >= end {
            break;
        }
        let mut candidates = Vec::new();
        match rule.freq {
            Frequency::Daily => {
                for &h in &hours {
                    for &m in &minutes {
                        for &s in &seconds {
                            candidates.push(period.date().at(h as i8, m as i8, s as i8, 0));
                        }
                    }
                }
            }
            Frequency::Hourly => {
                for &m in &minutes {
                    for &s in &seconds {
                        candidates.push(period.with().minute(m as i8).second(s as i8).build().unwrap());
                    }
                }
            }
            Frequency::Minutely => {
                for &s in &seconds {
                    candidates.push(period.with().second(s as i8).build().unwrap());
                }
            }
            _ => candidates.push(period),
        }
        for c in candidates {
            let d = c.date();
            let month_ok = rule.by_month.is_empty() || rule.by_month.contains(&(d.month() as u8));
            let len = d.days_in_month();
            let mday_ok = rule.by_month_day.is_empty()
                || rule
                    .by_month_day
                    .iter()
                    .any(|&x| x == d.day() || x == d.day() - len - 1);
            let wday_ok = rule.by_day.is_empty() || rule.by_day.iter().any(|w| w.weekday == d.weekday());
            let ylen = d.days_in_year();
            let yday_ok = rule.by_year_day.is_empty()
                || rule
                    .by_year_day
                    .iter()
                    .any(|&x| x == d.day_of_year() || x == d.day_of_year() - ylen - 1);
            let sub = rule.freq != Frequency::Daily;
            let hour_ok = !sub || rule.by_hour.is_empty() || rule.by_hour.contains(&(c.hour() as u8));
            let minute_ok = !matches!(rule.freq, Frequency::Minutely | Frequency::Secondly)
                || rule.by_minute.is_empty()
                || rule.by_minute.contains(&(c.minute() as u8));
            let second_ok = rule.freq != Frequency::Secondly
                || rule.by_second.is_empty()
                || rule.by_second.contains(&(c.second() as u8));
            if c >= start
                && c < end
                && month_ok
                && mday_ok
                && wday_ok
                && yday_ok
                && hour_ok
                && minute_ok
                && second_ok
            {
                out.push(c);
            }
        }
    }
    out
}

/// A random rule of any frequency, BYSETPOS and ordinals included.
fn any_rule() -> impl Strategy<Value = String> {
    let yearly = (
        prop::option::of(prop::collection::btree_set(1u8..=12, 1..3)),
        prop::option::of(prop::sample::select(vec!["1", "53", "-1", "1,2,-1"])),
        prop::option::of(prop::sample::select(vec![
            "MO", "-1FR", "20MO", "TU,SA", "1SU,-1SU",
        ])),
        prop::option::of(prop::sample::select(vec!["1,100,200", "-1", "366"])),
        prop::option::of(prop::sample::select(vec!["29", "-1", "1,15"])),
    )
        .prop_map(|(m, w, d, y, md)| {
            let mut r = "FREQ=YEARLY".to_string();
            if let Some(m) = m {
                r += &format!(
                    ";BYMONTH={}",
                    m.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
                );
            }
            match (w, d) {
                // Ordinals and week numbers do not mix.
                (Some(w), Some(d)) if !d.chars().any(|c| c.is_ascii_digit()) => {
                    r += &format!(";BYWEEKNO={w};BYDAY={d}")
                }
                (Some(w), None) => r += &format!(";BYWEEKNO={w}"),
                (_, Some(d)) => r += &format!(";BYDAY={d}"),
                _ => {}
            }
            if let Some(y) = y {
                r += &format!(";BYYEARDAY={y}");
            }
            if let Some(md) = md {
                r += &format!(";BYMONTHDAY={md}");
            }
            r
        });
    let monthly = prop::sample::select(vec![
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
        "FREQ=MONTHLY;BYMONTH=2,8;BYDAY=2TU",
        "FREQ=MONTHLY;BYHOUR=9,17;BYMINUTE=0,30;BYSETPOS=2,-1",
    ])
    .prop_map(str::to_string);
    let weekly = prop::sample::select(vec![
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;WKST=SU",
        "FREQ=WEEKLY;BYDAY=TU,SU;WKST=WE;BYSETPOS=1",
        "FREQ=WEEKLY;BYMONTH=1,6;BYDAY=TH",
    ])
    .prop_map(str::to_string);
    let interval = prop::sample::select(vec![1u32, 2, 3, 5, 13]);
    (prop_oneof![yearly, monthly, weekly, limiting_rule()], interval).prop_map(|(r, i)| {
        if r.contains("INTERVAL") {
            r
        } else {
            format!("{r};INTERVAL={i}")
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 160,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn rules_match_a_brute_force_oracle(
        text in limiting_rule(),
        y in 2020i16..2030, m in 1i8..=12, d in 1i8..=28, h in 0i8..24, mi in 0i8..60, s in 0i8..60,
    ) {
        let rule: Rule = text.parse().unwrap();
        let start = date(y, m, d).at(h, mi, s, 0);
        let span = match rule.freq {
            adjutant_core::calendar::recurrence::Frequency::Daily => 4 * 366 * 24,
            adjutant_core::calendar::recurrence::Frequency::Hourly => 200 * 24,
            adjutant_core::calendar::recurrence::Frequency::Minutely => 10 * 24,
            _ => 6,
        };
        let end = start.checked_add(SignedDuration::from_hours(span)).unwrap();
        let expected = oracle(&rule, start, end);
        let mut got = Vec::new();
        let mut stopped = None;
        for item in rule.expand(start, false, &TimeZone::UTC, Limits::default()) {
            match item {
                Ok(dt) if dt < end => got.push(dt),
                Ok(_) => break,
                Err(e) => {
                    stopped = Some(e);
                    break;
                }
            }
        }
        prop_assert_eq!(&got, &expected, "{} from {}", text, start);
        if let Some(e) = stopped {
            // Stopping is only right when nothing was left to find.
            prop_assert!(
                matches!(e, ExpandError::NeverMatches { .. } | ExpandError::TooSparse { .. }),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn skipping_ahead_equals_filtering(
        text in any_rule(),
        y in 2000i16..2020, m in 1i8..=12, d in 1i8..=28, h in 0i8..24,
        ahead in 1i64..5000,
    ) {
        let rule: Rule = text.parse().unwrap();
        let start = date(y, m, d).at(h, 0, 0, 0);
        let zone = TimeZone::get("Europe/Amsterdam").unwrap();
        let from = start.checked_add(SignedDuration::from_hours(ahead * 7)).unwrap();
        let whole: Vec<Result<DateTime, ExpandError>> = rule
            .expand(start, false, &zone, Limits::default())
            .take(3000)
            .collect();
        let ok: Vec<DateTime> = whole.iter().map_while(|x| x.as_ref().ok().copied()).collect();
        for pair in ok.windows(2) {
            prop_assert!(pair[0] < pair[1], "{}: {:?}", text, pair);
        }
        prop_assert!(ok.iter().all(|x| *x >= start));
        let finished = whole.len() < 3000 && whole.iter().all(Result::is_ok);
        let expected: Vec<DateTime> = ok.iter().copied().filter(|x| *x >= from).take(50).collect();
        let mut it = rule.expand(start, false, &zone, Limits::default());
        it.skip_to(from);
        let skipped: Vec<DateTime> = it.map_while(Result::ok).take(expected.len()).collect();
        if finished || expected.len() == 50 {
            prop_assert_eq!(skipped, expected, "{} from {} skipping to {}", text, start, from);
        }
    }
}
