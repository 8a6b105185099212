//! Find-a-time including the store: 50 attendees in Amsterdam, London, New
//! York and Kolkata, each with about 2,000 busy occurrences (about 1,050 stored
//! events) in the year around a 4-week search window, recurrences included
//! (daily stand-ups and weekly team meetings shared by a team,
//! 1:1s, personal weekly, fortnightly and monthly series with EXDATEs and
//! moved or cancelled occurrences, focus blocks, one-off meetings of which a
//! fifth invite colleagues, travel, private and all-day events, rooms booked),
//! 10 rooms, stored in a real SQLite database (WAL, `synchronous=FULL`).
//!
//! Measures, warm (median and 95th percentile after warm-up runs):
//! - the core alone: `finder::find` on the request `build_request` prepared;
//! - end to end: `ops::scheduling::build_request` (loads everyone's events,
//!   availability, rooms and travel times from the store and expands them)
//!   followed by `finder::find`, as the system caller;
//! - the parts of the end-to-end run one by one (the events query with its
//!   JSON decoding, the decoding alone, the expansion, the smaller queries),
//!   and what merely copying the prepared request costs.
//!
//! Three sets of required attendees are asked for (4, 10 or all 50; the others
//! optional): with calendars this full only the first leaves 10 slots in four
//! weeks, but the loading is the same for all three.
//!
//! Prints one line per figure and a final JSON line.
//! Run with `cargo bench -p adjutant-server --bench find_time`; add
//! `-- --keep DIR` to fill DIR (which must not exist) and leave the database there.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adjutant_core::calendar::availability::{
    Availability, DateOverride, DayOfWeek, FocusGoal, LocalSpan, OutOfOffice,
};
use adjutant_core::calendar::finder::{self, BusyBlock};
use adjutant_core::calendar::recurrence::Rule;
use adjutant_core::calendar::series::{self, Limits, Override};
use adjutant_core::calendar::{
    Attendee, AttendeeRole, Category, EventData, EventStatus, EventTime, Location, Organiser, Priority,
    Recurrence, Rsvp, TimeRange, Transparency, Zone,
};
use adjutant_core::ids::{CalendarId, OrgId, PersonId, ResourceId};
use adjutant_core::people::{OrgSlug, Role};
use adjutant_core::policy::Visibility;
use adjutant_server::auth::Caller;
use adjutant_server::ops::scheduling::{FindAttendee, FindTimeInput, build_request};
use adjutant_server::{AppState, Config, prepare};
use adjutant_store::calendar::{EventRecord, EventScope, NewEvent, ResourceInput};
use adjutant_store::{AuditCtx, NewPerson, StoreError};
use jiff::civil::{Date, DateTime};
use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PEOPLE: usize = 50;
const TEAM: usize = 5;
/// Each team's zone (10 teams of 5).
const TEAM_ZONES: [&str; 10] = [
    "Europe/Amsterdam",
    "Europe/Amsterdam",
    "Europe/Amsterdam",
    "Europe/London",
    "Europe/London",
    "America/New_York",
    "America/New_York",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kolkata",
];
const ROOMS: usize = 10;
/// Days of events before and after the start of the search window.
const SPREAD_DAYS: i64 = 182;
const WINDOW_DAYS: i64 = 28;
/// Personal series and one-off meetings per person (tuned so that each person
/// has about 2,000 occurrences in the year, shared ones included).
const PERSONAL_SERIES: usize = 20;
const SINGLES: usize = 800;
const WARMUP: usize = 10;
const RUNS: usize = 50;
const CORE_RUNS: usize = 300;
/// Runs of the slow (cold) paths.
const COLD_RUNS: usize = 10;

/// A small deterministic generator (SplitMix64): the same calendars every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent as i64
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// Removes the database directory however the benchmark ends (unless asked to keep it).
struct TempDir(PathBuf, bool);

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap()
}

fn at(d: Date, minute: i64) -> DateTime {
    d.to_datetime(jiff::civil::Time::midnight()) + jiff::Span::new().minutes(minute)
}

fn ctx() -> AuditCtx {
    AuditCtx::system("bench", Timestamp::now())
}

struct Person {
    id: PersonId,
    name: String,
    email: String,
    zone: Zone,
    calendar: CalendarId,
}

impl Person {
    fn attendee(&self, rsvp: Rsvp) -> Attendee {
        Attendee {
            person: Some(self.id),
            email: Some(self.email.clone()),
            name: self.name.clone(),
            role: AttendeeRole::Required,
            rsvp,
        }
    }

    fn organiser(&self) -> Organiser {
        Organiser {
            person: Some(self.id),
            email: Some(self.email.clone()),
            name: self.name.clone(),
        }
    }
}

/// A confirmed, busy, normal meeting from `start` lasting `minutes` on the wall clock of `zone`.
fn event(summary: String, zone: &Zone, start: DateTime, minutes: i64) -> EventData {
    EventData {
        summary,
        description: String::new(),
        location: None,
        start: EventTime::zoned(start, zone),
        end: EventTime::zoned(start + jiff::Span::new().minutes(minutes), zone),
        recurrence: Recurrence::default(),
        organiser: None,
        attendees: vec![],
        visibility: Visibility::Normal,
        transparency: Transparency::Busy,
        priority: Priority::NORMAL,
        category: Category::Meeting,
        status: EventStatus::Confirmed,
    }
}

fn with_rule(mut data: EventData, rule: &str) -> EventData {
    data.recurrence.rules = vec![rule.parse::<Rule>().unwrap()];
    data
}

const DAYS: [&str; 5] = ["MO", "TU", "WE", "TH", "FR"];
const PLACES: [&str; 7] = [
    "HQ",
    "Annex",
    "Client office",
    "https://meet.example/abc-defg",
    "Microsoft Teams Meeting",
    "",
    "",
];

/// Puts EXDATEs and overridden occurrences (moved by an hour, or cancelled) on
/// a series, choosing among its real occurrences, mostly near the window.
fn exceptions(
    mut data: EventData,
    zone: &Zone,
    around: TimeRange,
    rng: &mut Rng,
    exdates: usize,
    moved: usize,
    cancelled: usize,
) -> (EventData, Vec<Override>) {
    let occ = series::occurrences(&data, &[], zone, around, &Limits::default()).unwrap();
    if occ.len() < 3 {
        return (data, vec![]);
    }
    let mut used = HashSet::new();
    let mut take = |rng: &mut Rng| loop {
        let i = rng.below(occ.len() as u64) as usize;
        if used.len() >= occ.len() {
            return None;
        }
        if used.insert(i) {
            return occ[i].recurrence_id;
        }
    };
    for _ in 0..exdates {
        if let Some(r) = take(rng) {
            data.recurrence.exdates.push(data.start.with_local(r.0));
        }
    }
    let mut overrides = Vec::new();
    for k in 0..moved + cancelled {
        let Some(r) = take(rng) else { break };
        let mut o = data.clone();
        o.recurrence = Recurrence::default();
        let len = data.end.local().duration_since(data.start.local());
        let start = if k < moved {
            r.0 + jiff::Span::new().hours([1, 2, -1][rng.below(3) as usize])
        } else {
            o.status = EventStatus::Cancelled;
            r.0
        };
        o.start = data.start.with_local(start);
        o.end = data.start.with_local(start.checked_add(len).unwrap());
        overrides.push(Override {
            recurrence_id: r,
            data: o,
        });
    }
    (data, overrides)
}

/// The store, filled; what the benchmark asks for.
struct Fixture {
    state: AppState,
    org: OrgId,
    people: Vec<Person>,
    rooms: Vec<ResourceId>,
    window: TimeRange,
    rows: usize,
    room_bookings: usize,
    room_clashes: usize,
}

async fn fill(dir: &Path) -> Fixture {
    let state = prepare(Config {
        data: dir.to_path_buf(),
        ..Config::default()
    })
    .await
    .unwrap();
    let store = &state.store;
    let org = store
        .org_create(&OrgSlug::parse("bench").unwrap(), "Bench", &ctx())
        .await
        .unwrap()
        .id;
    let mut rng = Rng(20_261_201);

    // The search window: four weeks from the Monday after next (UTC), so it
    // always lies ahead of the clock `build_request` reads.
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let monday = add_days(today, 14 - i64::from(today.weekday().to_monday_zero_offset()));
    let window = TimeRange {
        start: Zone::utc().start_of_day(monday),
        end: Zone::utc().start_of_day(add_days(monday, WINDOW_DAYS)),
    };
    let first_day = add_days(monday, -SPREAD_DAYS);
    let last_day = add_days(monday, SPREAD_DAYS);
    let year = TimeRange {
        start: Zone::utc().start_of_day(first_day),
        end: Zone::utc().start_of_day(last_day),
    };

    // People, their calendars and availability.
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        let zone_name = TEAM_ZONES[i / TEAM];
        let zone = Zone::parse("zone", zone_name).unwrap();
        let email = format!("person{i:02}@bench.example");
        let name = format!("Person {i:02}");
        let p = store
            .person_create(
                org,
                &NewPerson {
                    name: name.clone(),
                    email: Some(email.clone()),
                    role: Role::Staff,
                    time_zone: zone_name.into(),
                    password_hash: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        let calendar = store.calendar_ensure_default(org, p.id, &ctx()).await.unwrap().id;
        let mut a = Availability::default_for(zone.clone());
        let (hours, lunch) = match i % 3 {
            0 => (LocalSpan::hm(8, 30, 17, 0), Some(LocalSpan::hm(12, 0, 12, 45))),
            1 => (LocalSpan::hm(9, 0, 17, 30), Some(LocalSpan::hm(12, 30, 13, 30))),
            _ => (LocalSpan::hm(8, 0, 16, 30), None),
        };
        for d in [
            &mut a.working_hours.monday,
            &mut a.working_hours.tuesday,
            &mut a.working_hours.wednesday,
            &mut a.working_hours.thursday,
            &mut a.working_hours.friday,
        ] {
            *d = vec![hours];
        }
        a.lunch = lunch;
        a.buffer_after = [0, 5, 10][i % 3];
        a.buffer_before = if i % 7 == 0 { 5 } else { 0 };
        a.max_meetings_per_day = (i % 5 == 0).then_some(9);
        a.min_notice = if i % 4 == 0 { 60 } else { 0 };
        if i % 10 == 3 {
            a.no_meeting_days = vec![DayOfWeek::Friday];
        }
        if i % 6 == 0 {
            a.focus_goal = Some(FocusGoal {
                weekly_minutes: 480,
                min_block: 60,
            });
        }
        if i % 12 == 5 {
            a.out_of_office = vec![OutOfOffice::Dates {
                first: add_days(monday, 9),
                last: add_days(monday, 11),
            }];
        }
        if i % 8 == 1 {
            a.overrides = vec![DateOverride {
                date: add_days(monday, 2),
                spans: vec![LocalSpan::hm(10, 0, 15, 0)],
            }];
        }
        a.validate().unwrap();
        store.availability_set(org, p.id, &a, &ctx()).await.unwrap();
        people.push(Person {
            id: p.id,
            name,
            email,
            zone,
            calendar,
        });
    }

    // Rooms and travel times.
    let mut rooms = Vec::new();
    let mut room_calendars = Vec::new();
    for r in 0..ROOMS {
        let res = store
            .resource_create(
                org,
                &ResourceInput {
                    kind: "room".into(),
                    name: format!("Room {r}"),
                    capacity: [4, 6, 8, 10, 12, 16, 20, 30, 40, 60][r],
                    equipment: if r % 3 == 0 {
                        vec![]
                    } else {
                        vec!["screen".into(), "video".into()]
                    },
                    location: if r < 8 { "HQ" } else { "Annex" }.into(),
                    time_zone: "Europe/Amsterdam".into(),
                    bookable: true,
                    ..ResourceInput::default()
                },
                &ctx(),
            )
            .await
            .unwrap();
        rooms.push(res.id);
        room_calendars.push(res.calendar);
    }
    for (a, b, m) in [
        ("HQ", "Annex", 15),
        ("HQ", "Schiphol", 40),
        ("HQ", "Client office", 25),
    ] {
        store.travel_time_set(org, a, b, Some(m), &ctx()).await.unwrap();
    }
    store.travel_default_set(org, 30, &ctx()).await.unwrap();

    // Events: what each calendar holds (imported in one transaction each), and
    // meetings that book a room (created one by one, the room checked).
    let mut by_calendar: Vec<Vec<NewEvent>> = (0..PEOPLE).map(|_| Vec::new()).collect();
    let mut booked: Vec<(usize, NewEvent)> = Vec::new();
    let new = |calendar: CalendarId, uid: String, data: EventData, overrides: Vec<Override>| NewEvent {
        calendar,
        uid: Some(uid),
        data,
        overrides,
        room: None,
        meeting_request: None,
    };
    let rsvp = |rng: &mut Rng| match rng.below(20) {
        0 | 1 => Rsvp::Declined,
        2 | 3 => Rsvp::NeedsAction,
        4 => Rsvp::Tentative,
        _ => Rsvp::Accepted,
    };
    for team in 0..PEOPLE / TEAM {
        let lead = team * TEAM;
        let p = &people[lead];
        let members: Vec<usize> = (lead + 1..lead + TEAM).collect();
        // The daily stand-up, with holidays excluded and a few occurrences moved or cancelled.
        let mut d = event(
            format!("Team {team} stand-up"),
            &p.zone,
            at(first_day, 9 * 60 + 30),
            15,
        );
        d = with_rule(
            d,
            &format!(
                "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL={}T235959Z",
                last_day.strftime("%Y%m%d")
            ),
        );
        d.organiser = Some(p.organiser());
        d.attendees = members
            .iter()
            .map(|&m| {
                people[m].attendee(if m == lead + 4 && team % 3 == 0 {
                    Rsvp::Declined
                } else {
                    Rsvp::Accepted
                })
            })
            .collect();
        d.location = Some(Location::new("https://meet.example/standup", None).unwrap());
        let (d, o) = exceptions(d, &p.zone, year, &mut rng, 6, 3, 3);
        by_calendar[lead].push(new(p.calendar, format!("t{team}-standup@bench.example"), d, o));
        // The weekly team meeting, in the team's room.
        let day = DAYS[team % 5];
        let mut d = event(format!("Team {team} weekly"), &p.zone, at(first_day, 14 * 60), 60);
        d = with_rule(d, &format!("FREQ=WEEKLY;BYDAY={day}"));
        d.organiser = Some(p.organiser());
        d.attendees = members
            .iter()
            .map(|&m| people[m].attendee(Rsvp::Accepted))
            .collect();
        d.priority = Priority::HIGH;
        // The rule decides the first occurrence; DTSTART on a day it names.
        let offset = DAYS.iter().position(|x| *x == day).unwrap() as i64;
        let start_day = add_days(
            first_day,
            (offset - i64::from(first_day.weekday().to_monday_zero_offset())).rem_euclid(7),
        );
        d.start = EventTime::zoned(at(start_day, 14 * 60), &p.zone);
        d.end = EventTime::zoned(at(start_day, 15 * 60), &p.zone);
        let (d, o) = exceptions(d, &p.zone, year, &mut rng, 2, 1, 1);
        let mut e = new(p.calendar, format!("t{team}-weekly@bench.example"), d, o);
        e.room = Some(rooms[team % ROOMS]);
        booked.push((lead, e));
        // The lead's 1:1s.
        for (k, &m) in members.iter().enumerate() {
            let day = DAYS[(team + k) % 5];
            let offset = DAYS.iter().position(|x| *x == day).unwrap() as i64;
            let start_day = add_days(
                first_day,
                (offset - i64::from(first_day.weekday().to_monday_zero_offset())).rem_euclid(7),
            );
            let minute = 10 * 60 + 45 * k as i64;
            let mut d = event(
                format!("{} / {} 1:1", p.name, people[m].name),
                &p.zone,
                at(start_day, minute),
                30,
            );
            d = with_rule(d, &format!("FREQ=WEEKLY;BYDAY={day}"));
            d.organiser = Some(p.organiser());
            d.attendees = vec![people[m].attendee(Rsvp::Accepted)];
            let (d, o) = exceptions(d, &p.zone, year, &mut rng, 2, 2, 0);
            by_calendar[lead].push(new(p.calendar, format!("t{team}-1on1-{k}@bench.example"), d, o));
        }
    }
    for (i, p) in people.iter().enumerate() {
        // Personal series: weekly or fortnightly on one or two days, monthly,
        // ending by COUNT, UNTIL or never.
        for s in 0..PERSONAL_SERIES {
            let start_day = add_days(first_day, rng.below(120));
            let minute = 8 * 60 + 15 * rng.below(36);
            let len = *rng.pick(&[30, 30, 45, 60, 60, 90]);
            let mut d = event(
                format!("Series {s} of {}", p.name),
                &p.zone,
                at(start_day, minute),
                len,
            );
            let wd = start_day.weekday().to_monday_zero_offset() as usize;
            let rule = if s % 6 == 5 {
                "FREQ=MONTHLY;BYDAY=1TU".to_string()
            } else if wd >= 5 {
                "FREQ=WEEKLY;BYDAY=MO".to_string()
            } else {
                let interval = *rng.pick(&[1, 1, 1, 2]);
                let mut days = vec![DAYS[wd]];
                if rng.chance(30) {
                    days.push(DAYS[(wd + 2) % 5]);
                }
                format!("FREQ=WEEKLY;INTERVAL={interval};BYDAY={}", days.join(","))
            };
            let end = match rng.below(10) {
                0..=2 => format!(";COUNT={}", 20 + rng.below(40)),
                3..=5 => format!(
                    ";UNTIL={}T235959Z",
                    add_days(start_day, 150 + rng.below(250)).strftime("%Y%m%d")
                ),
                _ => String::new(),
            };
            d = with_rule(d, &format!("{rule}{end}"));
            if s == 0 {
                d.category = Category::Focus;
                d.priority = Priority::LOW;
                d.summary = "Focus time".into();
            }
            if s == 1 {
                d.visibility = Visibility::Private;
            }
            d.priority = if s % 4 == 3 { Priority::LOW } else { d.priority };
            let (ex, mv, cx) = (
                rng.below(4) as usize,
                rng.below(3) as usize,
                rng.below(2) as usize,
            );
            let (d, o) = exceptions(d, &p.zone, year, &mut rng, ex, mv, cx);
            by_calendar[i].push(new(p.calendar, format!("p{i}-s{s}@bench.example"), d, o));
        }
        // One-off events over the year.
        for s in 0..SINGLES {
            let day = add_days(first_day, rng.below(2 * SPREAD_DAYS as u64));
            let uid = format!("p{i}-x{s}@bench.example");
            if rng.chance(2) {
                // A conference or a day off: all day.
                let mut d = event("Conference".into(), &p.zone, at(day, 0), 0);
                d.start = EventTime::Date { date: day };
                d.end = EventTime::Date {
                    date: add_days(day, 1 + rng.below(2)),
                };
                if rng.chance(50) {
                    d.transparency = Transparency::Free;
                    d.summary = "Public holiday".into();
                }
                by_calendar[i].push(new(p.calendar, uid, d, vec![]));
                continue;
            }
            let wd = day.weekday().to_monday_zero_offset();
            let minute = if wd >= 5 {
                10 * 60
            } else {
                7 * 60 + 15 * rng.below(46)
            };
            let len = 15 * (1 + rng.below(8));
            let mut d = event(
                format!("Meeting {s} of {}", p.name),
                &p.zone,
                at(day, minute),
                len,
            );
            let place = *rng.pick(&PLACES);
            if !place.is_empty() {
                d.location = Some(Location::new(place, None).unwrap());
            }
            match rng.below(100) {
                0..=3 => {
                    d.category = Category::Travel;
                    d.summary = "Flight".into();
                    d.location = Some(Location::new("Schiphol", None).unwrap());
                }
                4..=8 => {
                    d.category = Category::Focus;
                    d.priority = Priority::LOW;
                }
                9..=13 => {
                    d.category = Category::Personal;
                    d.visibility = Visibility::Private;
                    d.summary = "Dentist".into();
                }
                14..=15 => d.visibility = Visibility::Confidential,
                16..=19 => d.status = EventStatus::Tentative,
                20..=22 => d.transparency = Transparency::Free,
                23 => d.status = EventStatus::Cancelled,
                _ => {}
            }
            d.priority = if rng.chance(10) {
                Priority::HIGH
            } else {
                d.priority
            };
            if d.category == Category::Meeting && rng.chance(20) {
                // Shared with colleagues, who see it in their agendas.
                d.organiser = Some(p.organiser());
                let mut seen = HashSet::from([i]);
                for _ in 0..1 + rng.below(3) {
                    let j = rng.below(PEOPLE as u64) as usize;
                    if seen.insert(j) {
                        d.attendees.push(people[j].attendee(rsvp(&mut rng)));
                    }
                }
            }
            let mut e = new(p.calendar, uid, d, vec![]);
            if e.data.category == Category::Meeting && rng.chance(3) {
                e.room = Some(rooms[rng.below(ROOMS as u64) as usize]);
                e.data.location = None;
                booked.push((i, e));
            } else {
                by_calendar[i].push(e);
            }
        }
    }
    let mut rows = 0;
    for (i, events) in by_calendar.iter().enumerate() {
        rows += events.len();
        store
            .events_import(org, people[i].calendar, events, "bench", &ctx())
            .await
            .unwrap();
    }
    // Blocks in the rooms' own calendars (maintenance, outside bookings).
    let ams = Zone::parse("zone", "Europe/Amsterdam").unwrap();
    for (r, cal) in room_calendars.iter().enumerate() {
        let mut blocks = Vec::new();
        for s in 0..60 {
            let day = add_days(first_day, rng.below(2 * SPREAD_DAYS as u64));
            let d = event(
                "Reserved".into(),
                &ams,
                at(day, 7 * 60 + 15 * rng.below(44)),
                30 * (1 + rng.below(4)),
            );
            blocks.push(new(*cal, format!("r{r}-b{s}@bench.example"), d, vec![]));
        }
        let mut d = with_rule(
            event("Cleaning".into(), &ams, at(first_day, 7 * 60), 30),
            "FREQ=WEEKLY;BYDAY=WE",
        );
        d.start = EventTime::zoned(at(first_day, 7 * 60), &ams);
        blocks.push(new(*cal, format!("r{r}-cleaning@bench.example"), d, vec![]));
        rows += blocks.len();
        store
            .events_import(org, *cal, &blocks, "bench", &ctx())
            .await
            .unwrap();
    }
    let (mut room_bookings, mut room_clashes) = (0, 0);
    for (_, e) in &booked {
        match store.event_create(org, e, &[], &ctx()).await {
            Ok(_) => room_bookings += 1,
            Err(StoreError::Conflict(_)) => room_clashes += 1,
            Err(e) => panic!("{e}"),
        }
    }
    rows += room_bookings;
    Fixture {
        state,
        org,
        people,
        rooms,
        window,
        rows,
        room_bookings,
        room_clashes,
    }
}

struct Stats {
    median: Duration,
    p95: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let n = samples.len();
    Stats {
        median: samples[n / 2],
        p95: samples[(n * 95).div_ceil(100) - 1],
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn line(label: &str, s: &Stats) {
    println!(
        "{label:<62} median {:>8.3} ms   p95 {:>8.3} ms",
        ms(s.median),
        ms(s.p95)
    );
}

/// Times an async step: `WARMUP` runs, then `runs` measured ones.
async fn time_async<T, F, Fut>(runs: usize, mut f: F) -> (Stats, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    for _ in 0..WARMUP {
        black_box(f().await);
    }
    let mut samples = Vec::with_capacity(runs);
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = black_box(f().await);
        samples.push(t.elapsed());
        out = Some(v);
    }
    (stats(samples), out.unwrap())
}

fn time_sync<T>(runs: usize, mut f: impl FnMut() -> T) -> (Stats, T) {
    for _ in 0..WARMUP {
        black_box(f());
    }
    let mut samples = Vec::with_capacity(runs);
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = black_box(f());
        samples.push(t.elapsed());
        out = Some(v);
    }
    (stats(samples), out.unwrap())
}

fn input(fx: &Fixture, required: &[usize]) -> FindTimeInput {
    FindTimeInput {
        attendees: fx
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| FindAttendee {
                who: p.id.to_string(),
                name: None,
                optional: !required.contains(&i),
                busy: vec![],
                ics: None,
                ics_url: None,
            })
            .collect(),
        duration_minutes: 60,
        from: Some(fx.window.start.to_string()),
        to: Some(fx.window.end.to_string()),
        time_zone: None,
        room_capacity: Some(8),
        room_equipment: vec!["screen".into()],
        room: None,
        need_room: None,
        location: None,
        priority: Some(2),
        step_minutes: None,
        limit: Some(10),
    }
}

/// Expands records the way `build_request` does (per person, declined invitations left out).
fn expand(
    agendas: &HashMap<PersonId, Vec<EventRecord>>,
    zones: &HashMap<CalendarId, Zone>,
    wide: TimeRange,
) -> usize {
    let mut blocks = 0;
    for (who, events) in agendas {
        for e in events {
            let z = &zones[&e.calendar];
            let Ok(occ) = series::occurrences(&e.data, &e.overrides, z, wide, &Limits::default()) else {
                continue;
            };
            for o in occ {
                let d = o
                    .override_index
                    .and_then(|i| e.overrides.get(i))
                    .map_or(&e.data, |x| &x.data);
                if !d.is_busy()
                    || d.attendees
                        .iter()
                        .any(|a| a.person == Some(*who) && a.rsvp == Rsvp::Declined)
                {
                    continue;
                }
                black_box(BusyBlock {
                    range: TimeRange {
                        start: o.start_at,
                        end: o.end_at,
                    },
                    category: d.category,
                    priority: d.priority,
                    tentative: d.status == EventStatus::Tentative,
                    event: Some(e.id.to_string().into()),
                    title: Some(d.summary.as_str().into()),
                    location: d.location.as_ref().map(|l| l.text.as_str().into()),
                    in_person: d.location.as_ref().is_some_and(|l| l.is_in_person()),
                });
                blocks += 1;
            }
        }
    }
    blocks
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let keep = args
        .iter()
        .position(|a| a == "--keep")
        .map(|i| PathBuf::from(&args[i + 1]));
    let path = keep
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("adjutant-find-time-{}", std::process::id())));
    assert!(!path.exists(), "{} exists already", path.display());
    std::fs::create_dir_all(&path).unwrap();
    let dir = TempDir(path, keep.is_some());
    let setup = Instant::now();
    let fx = fill(&dir.0).await;
    let setup = setup.elapsed();
    let store = &fx.state.store;
    let org = fx.org;
    let ids: Vec<PersonId> = fx.people.iter().map(|p| p.id).collect();

    // What the store holds, counted as each person sees it.
    let year = TimeRange {
        start: fx.window.start - SignedDuration::from_hours(24 * SPREAD_DAYS),
        end: fx.window.start + SignedDuration::from_hours(24 * SPREAD_DAYS),
    };
    let mut zones: HashMap<CalendarId, Zone> = HashMap::new();
    for p in &fx.people {
        zones.insert(p.calendar, p.zone.clone());
    }
    let whole = store.events_for_people(org, &ids, year).await.unwrap();
    let mut per_person: Vec<usize> = Vec::new();
    let mut rows_per_person: Vec<usize> = Vec::new();
    for id in &ids {
        let one: HashMap<PersonId, Vec<EventRecord>> = HashMap::from([(*id, whole[id].clone())]);
        per_person.push(expand(&one, &zones, year));
        rows_per_person.push(whole[id].len());
    }
    per_person.sort();
    rows_per_person.sort();
    let db_bytes: u64 = std::fs::read_dir(&dir.0)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "store: {} people in 4 zones, {ROOMS} rooms, {} event rows ({} booking a room, {} room clashes refused), \
         {:.1} MB on disk, filled in {:.1} s",
        PEOPLE,
        fx.rows,
        fx.room_bookings,
        fx.room_clashes,
        db_bytes as f64 / 1e6,
        setup.as_secs_f64()
    );
    println!(
        "per person, in the {} days around the window: {}–{} events (median {}), {}–{} busy occurrences (median {})",
        2 * SPREAD_DAYS,
        rows_per_person[0],
        rows_per_person[PEOPLE - 1],
        rows_per_person[PEOPLE / 2],
        per_person[0],
        per_person[PEOPLE - 1],
        per_person[PEOPLE / 2]
    );
    println!(
        "search window {} to {} ({WINDOW_DAYS} days), 60-minute meeting, room for 8 with a screen, first 10 slots",
        fx.window.start, fx.window.end
    );

    let caller = Caller::System("bench".into());
    let margin = SignedDuration::from_hours(24);
    let wide = TimeRange {
        start: fx.window.start - margin,
        end: fx.window.end + margin,
    };
    let mut summary = serde_json::Map::new();
    summary.insert("bench".into(), "find_time".into());
    summary.insert("people".into(), PEOPLE.into());
    summary.insert("event_rows".into(), fx.rows.into());
    summary.insert(
        "occurrences_per_person_median".into(),
        per_person[PEOPLE / 2].into(),
    );

    // Required: a few people in Amsterdam and London, or two European teams,
    // or everyone; the others optional.
    let scenarios: [(&str, &str, Vec<usize>); 3] = [
        ("4 required + 46 optional", "four_required", vec![1, 6, 16, 21]),
        (
            "10 required + 40 optional",
            "ten_required",
            (0..5).chain(15..20).collect(),
        ),
        ("50 required", "all_required", (0..PEOPLE).collect()),
    ];
    for (name, key, required) in &scenarios {
        let inp = input(&fx, required);
        println!();
        println!("{name}:");
        let req = build_request(&fx.state, &caller, org, &inp).await.unwrap();
        let blocks: usize = req.participants.iter().map(|p| p.busy.len()).sum();
        let room_blocks: usize = req.rooms.iter().map(|r| r.busy.len()).sum();
        let (core, slots) = time_sync(CORE_RUNS, || finder::find(&req));
        println!(
            "  request: {} participants, {blocks} busy blocks, {} rooms fit ({room_blocks} room blocks); {} slots, best {}",
            req.participants.len(),
            req.rooms.len(),
            slots.len(),
            slots.first().map_or("none".to_string(), |s| format!(
                "{} (score {})",
                s.range.start, s.score
            ))
        );
        line("  core: finder::find on the prepared request", &core);
        // What serving the request from blocks already in memory would at least cost.
        let (copy, _) = time_sync(RUNS, || req.clone().participants.len());
        line("  copying the prepared request (all its busy blocks)", &copy);
        let (e2e, n) = time_async(RUNS, || async {
            let req = build_request(&fx.state, &caller, org, &inp).await.unwrap();
            finder::find(&req).len()
        })
        .await;
        assert_eq!(n, slots.len());
        line(
            "  end to end, warm: versions checked, busy time from the cache + find",
            &e2e,
        );
        // Cold: a server that has cached nothing loads and expands everyone from the store.
        let (cold, n) = time_async(COLD_RUNS, || async {
            let fresh = AppState {
                busy: Default::default(),
                ..fx.state.clone()
            };
            let req = build_request(&fresh, &caller, org, &inp).await.unwrap();
            finder::find(&req).len()
        })
        .await;
        assert_eq!(n, slots.len());
        line(
            "  end to end, cold: everyone loaded and expanded from the store + find",
            &cold,
        );
        // One of the fifty agendas changed since the last request: only it is reloaded.
        let who = fx.people[required[0]].id;
        let mut samples = Vec::with_capacity(COLD_RUNS);
        for run in 0..COLD_RUNS {
            let mut rules = Availability::default_for(fx.people[required[0]].zone.clone());
            rules.buffer_after = 5 + (run % 2) as i32;
            store
                .availability_set(org, who, &rules, &AuditCtx::system("bench", Timestamp::now()))
                .await
                .unwrap();
            let t = Instant::now();
            let req = build_request(&fx.state, &caller, org, &inp).await.unwrap();
            black_box(finder::find(&req).len());
            samples.push(t.elapsed());
        }
        let changed = stats(samples);
        line(
            "  end to end after one agenda changed (it alone reloads)",
            &changed,
        );
        summary.insert(format!("{key}_cold_ms_median"), ms(cold.median).into());
        summary.insert(format!("{key}_one_changed_ms_median"), ms(changed.median).into());
        let (build, _) = time_async(RUNS, || async {
            build_request(&fx.state, &caller, org, &inp)
                .await
                .unwrap()
                .participants
                .len()
        })
        .await;
        line("    of which build_request", &build);
        summary.insert(format!("{key}_slots"), slots.len().into());
        summary.insert(format!("{key}_request_clone_ms_median"), ms(copy.median).into());
        summary.insert(format!("{key}_find_ms_median"), ms(core.median).into());
        summary.insert(format!("{key}_find_ms_p95"), ms(core.p95).into());
        summary.insert(format!("{key}_end_to_end_ms_median"), ms(e2e.median).into());
        summary.insert(format!("{key}_end_to_end_ms_p95"), ms(e2e.p95).into());
        summary.insert(format!("{key}_build_request_ms_median"), ms(build.median).into());
    }

    // The parts of build_request, one by one (the same for every scenario).
    println!();
    println!("build_request, step by step:");
    let (s, _) = time_async(RUNS, || async { store.person_list(org).await.unwrap().len() }).await;
    line("  person_list", &s);
    let (s, _) = time_async(RUNS, || async {
        let mut n = 0;
        for id in &ids {
            n += usize::from(store.availability_get(org, *id).await.unwrap().is_some());
        }
        n
    })
    .await;
    line("  availability_get x 50", &s);
    let (load, agendas) = time_async(RUNS, || async {
        store.events_for_people(org, &ids, wide).await.unwrap()
    })
    .await;
    let loaded: usize = agendas.values().map(Vec::len).sum();
    let mut distinct: HashMap<_, &EventRecord> = HashMap::new();
    for e in agendas.values().flatten() {
        distinct.insert(e.id, e);
    }
    line(
        &format!(
            "  events_for_people ({loaded} records, {} distinct)",
            distinct.len()
        ),
        &load,
    );
    // The same JSON the store keeps, decoded alone.
    let texts: Vec<(String, String)> = distinct
        .values()
        .map(|e| {
            (
                serde_json::to_string(&e.data).unwrap(),
                serde_json::to_string(&e.overrides).unwrap(),
            )
        })
        .collect();
    let json_bytes: usize = texts.iter().map(|(a, b)| a.len() + b.len()).sum();
    let (decode, _) = time_sync(RUNS, || {
        let mut n = 0;
        for (d, o) in &texts {
            let d: EventData = serde_json::from_str(d).unwrap();
            let o: Vec<Override> = serde_json::from_str(o).unwrap();
            n += d.attendees.len() + o.len();
        }
        n
    });
    line(
        &format!(
            "    of which JSON decoding of {} events ({:.1} MB)",
            texts.len(),
            json_bytes as f64 / 1e6
        ),
        &decode,
    );
    // Every zone named in those events is looked up again while decoding.
    let names: Vec<String> = distinct
        .values()
        .flat_map(|e| {
            let mut times = vec![&e.data.start, &e.data.end];
            times.extend(e.data.recurrence.exdates.iter().chain(&e.data.recurrence.rdates));
            for o in &e.overrides {
                times.extend([&o.data.start, &o.data.end]);
            }
            times
                .into_iter()
                .filter_map(|t| t.zone().map(|z| z.name().to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let (zones_s, _) = time_sync(RUNS, || {
        names
            .iter()
            .map(|n| Zone::parse("zone", n).unwrap().name().len())
            .sum::<usize>()
    });
    line(&format!("      of which Zone::parse x {}", names.len()), &zones_s);
    let cals: HashSet<CalendarId> = agendas.values().flatten().map(|e| e.calendar).collect();
    let (s, _) = time_async(RUNS, || async {
        let mut n = 0;
        for c in &cals {
            n += store.calendar_get(org, *c).await.unwrap().name.len();
        }
        n
    })
    .await;
    line(&format!("  calendar_get x {}", cals.len()), &s);
    let (expansion, blocks) = time_sync(RUNS, || expand(&agendas, &zones, wide));
    line(&format!("  expansion into {blocks} busy blocks"), &expansion);
    let (rooms_s, _) = time_async(RUNS, || async {
        let mut n = store.resource_list(org).await.unwrap().len();
        for r in &fx.rooms {
            n += store
                .events_in_range(org, &EventScope::Resource(*r), wide)
                .await
                .unwrap()
                .len();
        }
        n
    })
    .await;
    line("  resource_list + events_in_range x 10 rooms", &rooms_s);
    let (s, _) = time_async(RUNS, || async {
        store.travel_table(org).await.unwrap().pairs.len()
    })
    .await;
    line("  travel_table", &s);
    summary.insert("events_for_people_ms_median".into(), ms(load.median).into());
    summary.insert("json_decode_ms_median".into(), ms(decode.median).into());
    summary.insert("zone_parse_ms_median".into(), ms(zones_s.median).into());
    summary.insert("expand_ms_median".into(), ms(expansion.median).into());
    summary.insert("rooms_ms_median".into(), ms(rooms_s.median).into());

    // The first request on a freshly opened store (the operating system's file cache is warm).
    store.close().await;
    let fresh = prepare(Config {
        data: dir.0.clone(),
        ..Config::default()
    })
    .await
    .unwrap();
    let inp = input(&fx, &scenarios[0].2);
    let t = Instant::now();
    let req = build_request(&fresh, &caller, org, &inp).await.unwrap();
    black_box(finder::find(&req));
    let first = t.elapsed();
    println!();
    println!(
        "first request after opening the store ({}): {:.3} ms",
        scenarios[0].0,
        ms(first)
    );
    summary.insert("first_after_open_ms".into(), ms(first).into());
    fresh.store.close().await;
    println!("{}", serde_json::Value::Object(summary));
    if keep.is_some() {
        println!("database kept in {}", dir.0.display());
    }
}
