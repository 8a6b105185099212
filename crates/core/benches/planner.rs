//! How fast the auto-planner places a large backlog: 500 tasks (15 minutes to
//! 8 hours, a third with deadlines, some with dependencies and start dates) for
//! one person in Amsterdam over four weeks (across the change to summer time),
//! against a CEO's generated calendar: about six meetings a day, focus blocks,
//! holds, all-day events and travel. Reports the median and 95th percentile of
//! warm runs. Run with `cargo bench -p adjutant-core --bench planner`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use adjutant_core::calendar::availability::{Availability, DateOverride, LocalSpan, OutOfOffice};
use adjutant_core::calendar::finder::BusyBlock;
use adjutant_core::calendar::{Category, TimeRange, Zone};
use adjutant_core::tasks::planner::{Plan, PlanInput, PlanTask, plan};
use jiff::civil::{Date, Time, date};
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 200;
const TASKS: usize = 500;

/// A small deterministic generator (SplitMix64): the same calendar every run.
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

fn at(zone: &Zone, day: Date, minute: i64) -> Timestamp {
    zone.instant(day.to_datetime(Time::midnight()) + jiff::Span::new().minutes(minute))
}

fn block(start: Timestamp, minutes: i64, category: Category, title: String, tentative: bool) -> BusyBlock {
    let mut b = BusyBlock::new(TimeRange {
        start,
        end: start + SignedDuration::from_mins(minutes),
    });
    b.category = category;
    b.title = Some(title.into());
    b.tentative = tentative;
    b
}

/// A CEO's four weeks from `first` (a Monday): on each working day about six
/// meetings of 30–90 minutes between 08:00 and 18:00 (some overlapping), a
/// tentative hold most days, a two-hour focus block three mornings a week, a
/// travel day with flights each fortnight, an all-day off-site, and evening
/// dinners.
fn calendar(zone: &Zone, first: Date, rng: &mut Rng) -> Vec<BusyBlock> {
    let mut busy = Vec::new();
    for d in 0..28 {
        let day = add_days(first, d);
        let weekday = d % 7;
        if weekday >= 5 {
            continue;
        }
        if d == 8 || d == 22 {
            // Travel days: out in the morning, back in the evening.
            busy.push(block(
                at(zone, day, 7 * 60),
                180,
                Category::Travel,
                format!("Flight out {d}"),
                false,
            ));
            busy.push(block(
                at(zone, day, 16 * 60),
                180,
                Category::Travel,
                format!("Flight back {d}"),
                false,
            ));
            busy.push(block(
                at(zone, day, 11 * 60),
                240,
                Category::Meeting,
                format!("Client visit {d}"),
                false,
            ));
            continue;
        }
        if d == 17 {
            busy.push(block(
                zone.start_of_day(day),
                24 * 60,
                Category::Meeting,
                "Off-site".into(),
                false,
            ));
            continue;
        }
        for m in 0..6 + rng.below(3) {
            let start = at(zone, day, 8 * 60 + rng.below(40) * 15);
            let len = [30, 45, 60, 60, 90][rng.below(5) as usize];
            busy.push(block(
                start,
                len,
                Category::Meeting,
                format!("Meeting {d}-{m}"),
                false,
            ));
        }
        if rng.below(4) != 0 {
            let start = at(zone, day, 9 * 60 + rng.below(28) * 15);
            busy.push(block(start, 60, Category::Hold, format!("Hold {d}"), true));
        }
        if weekday % 2 == 0 {
            busy.push(block(
                at(zone, day, 8 * 60),
                120,
                Category::Focus,
                format!("Focus {d}"),
                false,
            ));
        }
        if rng.below(3) == 0 {
            busy.push(block(
                at(zone, day, 19 * 60),
                150,
                Category::Personal,
                format!("Dinner {d}"),
                false,
            ));
        }
    }
    busy
}

/// 500 tasks: half short (15–60 min), 30% medium (1–3 h), 20% long (3–8 h);
/// a third with deadlines from last week to seven weeks ahead, 15% with a
/// start date in the window, 15% depending on one or two earlier tasks.
fn tasks(zone: &Zone, first: Date, rng: &mut Rng) -> Vec<PlanTask> {
    let mut out = Vec::with_capacity(TASKS);
    for i in 0..TASKS {
        let minutes = match rng.below(10) {
            0..=4 => 15 * (1 + rng.below(4)),
            5..=7 => 60 + 15 * rng.below(9),
            _ => 180 + 15 * rng.below(21),
        };
        let mut t = PlanTask::new(format!("task-{i:03}"), format!("Task {i}"), minutes as u32);
        t.priority = (1 + rng.below(4)) * (1 + rng.below(4));
        if rng.below(3) == 0 {
            let day = add_days(first, rng.below(56) - 5);
            t.deadline = Some(at(zone, day, 17 * 60));
        }
        if rng.below(100) < 15 {
            t.earliest_start = Some(zone.start_of_day(add_days(first, rng.below(28))));
        }
        if i > 10 && rng.below(100) < 15 {
            for _ in 0..1 + rng.below(2) {
                t.depends_on.push(format!("task-{:03}", rng.below(i as u64)));
            }
        }
        out.push(t);
    }
    out
}

fn input(empty_calendar: bool) -> PlanInput {
    let zone = Zone::parse("zone", "Europe/Amsterdam").unwrap();
    // Monday 2 March to Monday 30 March 2026; summer time starts on the 29th.
    let first = date(2026, 3, 2);
    let mut rng = Rng(20_260_302);
    let mut av = Availability::default_for(zone.clone());
    av.buffer_after = 10;
    av.out_of_office.push(OutOfOffice::Dates {
        first: date(2026, 3, 13),
        last: date(2026, 3, 13),
    });
    av.overrides.push(DateOverride {
        date: date(2026, 3, 20),
        spans: vec![LocalSpan::hm(9, 0, 13, 0)],
    });
    let window = TimeRange {
        start: zone.start_of_day(first),
        end: zone.start_of_day(add_days(first, 28)),
    };
    let now = at(&zone, first, 7 * 60);
    let mut input = PlanInput::new(now, window, av);
    let busy = calendar(&zone, first, &mut rng);
    if !empty_calendar {
        input.busy = busy;
    }
    input.tasks = tasks(&zone, first, &mut rng);
    input
}

fn time(label: &str, mut f: impl FnMut() -> Plan) -> Plan {
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
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label:<58} median {:>7.2} ms   p95 {:>7.2} ms",
        ms(samples[RUNS / 2]),
        ms(samples[RUNS * 95 / 100])
    );
    out.unwrap()
}

fn main() {
    for (empty, label) in [(false, "CEO calendar"), (true, "empty calendar")] {
        let input = input(empty);
        let deadlines = input.tasks.iter().filter(|t| t.deadline.is_some()).count();
        let demand: u32 = input.tasks.iter().map(|t| t.remaining_minutes).sum();
        println!(
            "{TASKS} tasks ({deadlines} with deadlines, {} h of work), Amsterdam, 4 weeks, {label}: {} busy \
             blocks",
            demand / 60,
            input.busy.len()
        );
        let p = time("  plan", || plan(&input));
        println!(
            "    {} blocks, {} h planned of {} h free; {} at risk, {} tasks (partly) unplaced",
            p.blocks.len(),
            p.planned_minutes / 60,
            p.free_minutes / 60,
            p.at_risk.len(),
            p.unplaced.len()
        );
    }
}
