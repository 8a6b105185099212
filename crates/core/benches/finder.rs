//! How fast find-a-time answers for a large meeting: 50 participants in
//! Amsterdam, New York, London and Kolkata, each with about 2,000 events in a
//! year (weekly series and one-off meetings, expanded as the caller would),
//! of which the blocks touching a 4-week window are passed in; 10 rooms.
//! Reports the median and 95th percentile of warm runs.
//! Run with `cargo bench -p adjutant-core --bench finder`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use adjutant_core::calendar::availability::Availability;
use adjutant_core::calendar::finder::{
    BusyBlock, Participant, Request, RoomCandidate, RoomNeed, find, propose_moves, why_not,
};
use adjutant_core::calendar::{Category, Priority, TimeRange, Zone};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ZONES: [&str; 4] = [
    "Europe/Amsterdam",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
];
const PLACES: [&str; 4] = ["HQ", "Annex", "Schiphol", "Client office"];
const RUNS: usize = 200;

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
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap()
}

/// One occurrence at a local time, resolved in the person's zone as the
/// recurrence expansion does.
fn occurrence(zone: &Zone, day: Date, minute: i64, len: i64, rng: &mut Rng, id: String) -> BusyBlock {
    let local = day.to_datetime(jiff::civil::Time::midnight()) + jiff::Span::new().minutes(minute);
    let start = zone.instant(local);
    let in_person = rng.below(10) == 0;
    BusyBlock {
        range: TimeRange {
            start,
            end: start + SignedDuration::from_mins(len),
        },
        category: if rng.below(12) == 0 {
            Category::Focus
        } else {
            Category::Meeting
        },
        priority: Priority::new(1 + rng.below(4) as u8).unwrap(),
        tentative: rng.below(15) == 0,
        event: Some(id.clone().into()),
        title: (rng.below(5) != 0).then_some(id.into()),
        location: in_person.then(|| PLACES[rng.below(4) as usize].into()),
        in_person,
    }
}

/// About 2,000 events in the year from `year_start`: 36 weekly series
/// (30–60 minutes on working days between 08:00 and 18:00 local) and ~130
/// one-off events at any time of the week; only those touching `window` are kept.
fn calendar(
    zone: &Zone,
    year_start: Date,
    window: TimeRange,
    rng: &mut Rng,
    who: usize,
) -> (usize, Vec<BusyBlock>) {
    let mut all = 0;
    let mut kept = Vec::new();
    let mut keep = |b: BusyBlock, all: &mut usize| {
        *all += 1;
        if b.range.overlaps(&window) {
            kept.push(b);
        }
    };
    for series in 0..36 {
        let weekday = rng.below(5);
        let minute = 8 * 60 + rng.below(40) * 15;
        let len = [30, 45, 60][rng.below(3) as usize];
        let monday = add_days(
            year_start,
            -i64::from(year_start.weekday().to_monday_zero_offset()),
        );
        for week in 0..52 {
            let day = add_days(monday, week * 7 + weekday);
            let b = occurrence(zone, day, minute, len, rng, format!("s{who}-{series}-{week}"));
            keep(b, &mut all);
        }
    }
    for single in 0..130 {
        let day = add_days(year_start, rng.below(365));
        let minute = rng.below(96) * 15;
        let len = 15 * (1 + rng.below(8));
        let b = occurrence(zone, day, minute, len, rng, format!("x{who}-{single}"));
        keep(b, &mut all);
    }
    (all, kept)
}

fn request(required: usize) -> (Request, usize, usize) {
    let mut rng = Rng(20_260_302);
    // Monday 2 March to Monday 30 March 2026: New York changes to summer time
    // on 8 March, Amsterdam and London on 29 March.
    let window = TimeRange {
        start: "2026-03-02T00:00:00Z".parse().unwrap(),
        end: "2026-03-30T00:00:00Z".parse().unwrap(),
    };
    let now: Timestamp = "2026-02-27T12:00:00Z".parse().unwrap();
    let mut req = Request::new(SignedDuration::from_hours(1), window, now);
    let year_start = date(2025, 9, 1);
    let (mut events, mut blocks) = (0, 0);
    for i in 0..50 {
        // Required people are in Europe (the hard part is theirs); the
        // optional ones are spread over all four zones.
        let zone_name = if i < required {
            ZONES[[0, 2][i % 2]]
        } else {
            ZONES[i % 4]
        };
        let zone = Zone::parse("zone", zone_name).unwrap();
        let mut av = Availability::default_for(zone.clone());
        av.buffer_after = [0, 5, 10][i % 3];
        av.max_meetings_per_day = (i % 5 == 0).then_some(9);
        let (all, busy) = calendar(&zone, year_start, window, &mut rng, i);
        events += all;
        blocks += busy.len();
        req.participants.push(Participant {
            key: format!("person-{i:02}"),
            name: format!("Person {i}"),
            required: i < required,
            availability: Some(av),
            busy,
        });
    }
    for r in 0..10 {
        let mut busy = Vec::new();
        for _ in 0..100 {
            let day = add_days(date(2026, 3, 2), rng.below(28));
            let start = Zone::parse("zone", "Europe/Amsterdam").unwrap().instant(
                day.to_datetime(jiff::civil::Time::midnight())
                    + jiff::Span::new().minutes(7 * 60 + rng.below(44) * 15),
            );
            busy.push(BusyBlock::new(TimeRange {
                start,
                end: start + SignedDuration::from_mins(30 * (1 + rng.below(4))),
            }));
        }
        req.rooms.push(RoomCandidate {
            key: format!("room-{r}"),
            name: format!("Room {r}"),
            capacity: [4, 6, 8, 10, 12, 16, 20, 30, 40, 60][r],
            equipment: if r % 3 == 0 { vec![] } else { vec!["screen".into()] },
            location: Some(if r < 8 { "HQ" } else { "Annex" }.into()),
            busy,
        });
    }
    req.room_need = Some(RoomNeed {
        capacity: 8,
        equipment: vec!["screen".into()],
    });
    req.location = Some("HQ".into());
    req.travel.pairs = vec![
        ("HQ".into(), "Annex".into(), 15),
        ("HQ".into(), "Schiphol".into(), 40),
        ("HQ".into(), "Client office".into(), 25),
    ];
    req.max_results = 10;
    // Important enough that normal and low-priority events may be proposed to move.
    req.priority = Priority::HIGH;
    (req, events, blocks)
}

fn time<T>(label: &str, mut f: impl FnMut() -> T) -> T {
    for _ in 0..20 {
        black_box(f());
    }
    let mut samples: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut out = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        out = Some(black_box(f()));
        samples.push(t.elapsed());
    }
    samples.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{label:<58} median {:>8.1} µs   p95 {:>8.1} µs",
        us(samples[RUNS / 2]),
        us(samples[RUNS * 95 / 100])
    );
    out.unwrap()
}

fn main() {
    for required in [1, 4, 10, 50] {
        let (req, events, blocks) = request(required);
        println!(
            "50 participants ({required} required), {events} events in their year, {blocks} busy blocks in the \
             4-week window, 10 rooms"
        );
        let slots = time("  find: first 10 slots of a 60-min meeting with a room", || {
            find(&req)
        });
        println!(
            "    {} slots; best: {:?}",
            slots.len(),
            slots.first().map(|s| (s.range.start, s.score))
        );
        let at: Timestamp = "2026-03-11T10:00:00Z".parse().unwrap();
        let why = time("  why_not: one start", || why_not(&req, at));
        println!(
            "    {} reasons, {} blocking",
            why.len(),
            why.iter().filter(|r| r.blocking).count()
        );
        let moves = time("  propose_moves: best 10", || propose_moves(&req, 10));
        println!(
            "    {} proposals; best moves {}",
            moves.len(),
            moves.first().map_or(0, |m| m.moves.len())
        );
    }
}
