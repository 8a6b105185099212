//! The auto-planner, checked from the outside: property tests over generated
//! calendars and task lists (nothing placed twice at once, nothing outside
//! working hours or over busy time, chunks and dependencies respected, the
//! accounts add up, the same input gives the same plan), and over instances
//! feasible by construction, where every deadline must be met.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adjutant_core::calendar::availability::{Availability, DateOverride, LocalSpan, OutOfOffice};
use adjutant_core::calendar::finder::BusyBlock;
use adjutant_core::calendar::{Category, TimeRange, Zone};
use adjutant_core::tasks::planner::{Plan, PlanInput, PlanReasonCode, PlanTask, plan};
use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use std::collections::BTreeMap;

const ZONES: [&str; 4] = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Kolkata"];
/// Mondays, two of them in the weeks the clocks change (US on 8 March, EU on
/// 29 March and 25 October 2026).
const MONDAYS: [&str; 4] = ["2026-03-02", "2026-03-23", "2026-10-19", "2026-06-15"];
const CATEGORIES: [Category; 6] = [
    Category::Meeting,
    Category::Focus,
    Category::Travel,
    Category::Personal,
    Category::Hold,
    Category::Task,
];

fn zone(name: &str) -> Zone {
    Zone::parse("zone", name).unwrap()
}

fn day(first: Date, n: i64) -> Date {
    first.checked_add(jiff::Span::new().days(n)).unwrap()
}

/// The instant of a local minute of a day in `zone`.
fn at(zone: &Zone, d: Date, minute: i64) -> Timestamp {
    zone.instant(d.to_datetime(Time::midnight()) + jiff::Span::new().minutes(minute))
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

// ---- Any instance ----

#[derive(Debug, Clone)]
struct BusySpec {
    day: i64,
    minute: i64,
    len: i64,
    category: usize,
    tentative: bool,
}

#[derive(Debug, Clone)]
struct TaskSpec {
    minutes: u32,
    start_day: Option<i64>,
    due: Option<(i64, i64)>,
    priority: i64,
    deps: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Spec {
    zone: usize,
    monday: usize,
    days: i64,
    now_minutes: i64,
    buffers: (i32, i32),
    lunch: bool,
    short_day: Option<i64>,
    away: Option<(i64, i64, i64)>,
    busy: Vec<BusySpec>,
    tasks: Vec<TaskSpec>,
    chunks: (u32, u32, u32),
}

fn busy_spec() -> impl Strategy<Value = BusySpec> {
    (
        0i64..7,
        0i64..1440,
        5i64..300,
        0usize..6,
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(day, minute, len, category, tentative)| BusySpec {
            day,
            minute,
            len,
            category,
            tentative,
        })
}

fn task_spec() -> impl Strategy<Value = TaskSpec> {
    (
        prop_oneof![5u32..60, 30u32..240, 200u32..600],
        proptest::option::weighted(0.3, 0i64..6),
        proptest::option::weighted(0.5, (0i64..8, 0i64..1440)),
        -3i64..4,
        proptest::collection::vec(0usize..20, 0..3),
    )
        .prop_map(|(minutes, start_day, due, priority, deps)| TaskSpec {
            minutes,
            start_day,
            due,
            priority,
            deps,
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (0usize..4, 0usize..4, 1i64..7, -600i64..3000),
        (
            prop_oneof![Just(0), Just(10), Just(15)],
            prop_oneof![Just(0), Just(5), Just(15)],
        ),
        any::<bool>(),
        proptest::option::weighted(0.3, 0i64..7),
        proptest::option::weighted(0.3, (0i64..7, 0i64..1440, 30i64..1500)),
        proptest::collection::vec(busy_spec(), 0..30),
        proptest::collection::vec(task_spec(), 0..16),
        (
            prop_oneof![Just(15u32), Just(30), Just(45), Just(60)],
            prop_oneof![Just(30u32), Just(60), Just(90), Just(120), Just(240)],
            prop_oneof![Just(5u32), Just(10), Just(15), Just(30)],
        ),
    )
        .prop_map(
            |((zone, monday, days, now_minutes), buffers, lunch, short_day, away, busy, tasks, chunks)| {
                Spec {
                    zone,
                    monday,
                    days,
                    now_minutes,
                    buffers,
                    lunch,
                    short_day,
                    away,
                    busy,
                    tasks,
                    chunks,
                }
            },
        )
}

/// The input a spec describes. Dependencies point at other tasks by index
/// (any index, so cycles and self-references occur); every fifth task also
/// names a task that does not exist.
fn input_of(s: &Spec) -> PlanInput {
    let zone = zone(ZONES[s.zone]);
    let first: Date = MONDAYS[s.monday].parse().unwrap();
    let mut av = Availability::default_for(zone.clone());
    (av.buffer_before, av.buffer_after) = s.buffers;
    if !s.lunch {
        av.lunch = None;
    }
    if let Some(d) = s.short_day {
        av.overrides.push(DateOverride {
            date: day(first, d),
            spans: vec![LocalSpan::hm(10, 0, 14, 0)],
        });
    }
    if let Some((d, m, len)) = s.away {
        let start = at(&zone, day(first, d), m);
        av.out_of_office.push(OutOfOffice::Instants {
            start,
            end: start + mins(len),
        });
    }
    let window = TimeRange {
        start: zone.start_of_day(first),
        end: zone.start_of_day(day(first, s.days)),
    };
    let now = window.start + mins(s.now_minutes);
    let mut input = PlanInput::new(now, window, av);
    (
        input.min_chunk_minutes,
        input.max_chunk_minutes,
        input.grid_minutes,
    ) = s.chunks;
    for (i, b) in s.busy.iter().enumerate() {
        let start = at(&zone, day(first, b.day), b.minute);
        let mut block = BusyBlock::new(TimeRange {
            start,
            end: start + mins(b.len),
        });
        block.category = CATEGORIES[b.category];
        block.tentative = b.tentative;
        block.title = Some(format!("Event {i}").into());
        input.busy.push(block);
    }
    let n = s.tasks.len();
    for (i, t) in s.tasks.iter().enumerate() {
        let mut task = PlanTask::new(format!("t{i:02}"), format!("Task {i}"), t.minutes);
        task.priority = t.priority;
        task.earliest_start = t.start_day.map(|d| zone.start_of_day(day(first, d)));
        task.deadline = t.due.map(|(d, m)| at(&zone, day(first, d), m));
        task.depends_on = t
            .deps
            .iter()
            .filter(|_| n > 0)
            .map(|&d| format!("t{:02}", d % n))
            .collect();
        if i % 5 == 4 {
            task.depends_on.push("missing".into());
        }
        input.tasks.push(task);
    }
    input
}

/// The busy blocks as the planner must keep clear of them: meetings and holds
/// widened by the buffers; instant-long blocks keep no one busy.
fn blocked(input: &PlanInput) -> Vec<TimeRange> {
    let av = &input.availability;
    input
        .busy
        .iter()
        .filter(|b| b.range.start < b.range.end)
        .map(|b| {
            let widen = matches!(b.category, Category::Meeting | Category::Hold);
            let (pre, post) = if widen {
                (i64::from(av.buffer_before), i64::from(av.buffer_after))
            } else {
                (0, 0)
            };
            TimeRange {
                start: b.range.start - mins(pre),
                end: b.range.end + mins(post),
            }
        })
        .collect()
}

/// Minutes of each task's blocks.
fn planned_by_task(p: &Plan) -> BTreeMap<&str, i64> {
    let mut m = BTreeMap::new();
    for b in &p.blocks {
        *m.entry(b.task.as_str()).or_insert(0) += b.range.duration().as_mins();
    }
    m
}

/// Every rule a plan must keep, checked here independently of the planner.
fn check_rules(input: &PlanInput, p: &Plan) -> Result<(), TestCaseError> {
    let av = &input.availability;
    let working = av.working_ranges(input.window);
    let lunch = av.lunch_ranges(input.window);
    let blocked = blocked(input);
    let grid = i64::from(if input.grid_minutes == 0 {
        15
    } else {
        input.grid_minutes
    });
    let min = i64::from(input.min_chunk_minutes);
    let max = i64::from(input.max_chunk_minutes).max(min);
    for (i, b) in p.blocks.iter().enumerate() {
        let r = b.range;
        prop_assert!(r.start < r.end, "empty block {b:?}");
        prop_assert!(input.window.covers(&r), "outside the window: {b:?}");
        prop_assert!(r.start >= input.now, "before now: {b:?}");
        prop_assert!(
            working.iter().any(|w| w.covers(&r)),
            "outside working hours: {b:?}"
        );
        prop_assert!(!lunch.iter().any(|l| l.overlaps(&r)), "over lunch: {b:?}");
        if let Some(x) = blocked.iter().find(|x| x.overlaps(&r)) {
            prop_assert!(false, "{b:?} overlaps busy time {x:?}");
        }
        if let Some(o) = p.blocks[..i].iter().find(|o| o.range.overlaps(&r)) {
            prop_assert!(false, "{b:?} overlaps {o:?}");
        }
        if i > 0 {
            prop_assert!(p.blocks[i - 1].range.start < r.start, "blocks out of time order");
        }
        let local = av.zone.local(r.start);
        let minute = i64::from(local.hour()) * 60 + i64::from(local.minute());
        prop_assert!(
            local.second() == 0 && minute % grid == 0,
            "{b:?} starts off the {grid}-minute grid ({local})"
        );
        prop_assert!(r.duration().as_mins() <= max, "{b:?} is longer than {max} min");
    }
    let by_task = planned_by_task(p);
    let tasks: BTreeMap<&str, &PlanTask> = input.tasks.iter().map(|t| (t.key.as_str(), t)).collect();
    for (key, &minutes) in &by_task {
        let t = tasks[key];
        let total = i64::from(t.remaining_minutes);
        prop_assert!(minutes <= total, "{key}: {minutes} planned of {total}");
        let mine: Vec<_> = p.blocks.iter().filter(|b| b.task == *key).collect();
        for (k, b) in mine.iter().enumerate() {
            prop_assert_eq!((b.chunk, b.chunks), (k as u32 + 1, mine.len() as u32));
            let last_and_done = k + 1 == mine.len() && minutes == total;
            prop_assert!(
                b.range.duration().as_mins() >= min.min(total) || last_and_done,
                "{b:?} is shorter than {min} min"
            );
        }
        let first = mine[0].range.start;
        if let Some(s) = t.earliest_start {
            prop_assert!(first >= s, "{key} starts before its start date");
        }
        for dep in &t.depends_on {
            let Some(d) = tasks.get(dep.as_str()) else {
                continue;
            };
            if d.remaining_minutes == 0 {
                continue;
            }
            prop_assert_eq!(
                by_task.get(dep.as_str()).copied().unwrap_or(0),
                i64::from(d.remaining_minutes),
                "{} is planned though {} is not finished",
                key,
                dep
            );
            let dep_end = p
                .blocks
                .iter()
                .filter(|b| &b.task == dep)
                .map(|b| b.range.end)
                .max()
                .unwrap();
            prop_assert!(dep_end <= first, "{key} starts before {dep} ends");
        }
    }
    // Everything is accounted for: planned or reported unplaced, exactly.
    let unplaced: BTreeMap<&str, i64> = p.unplaced.iter().map(|u| (u.task.as_str(), u.minutes)).collect();
    for t in &input.tasks {
        let done = by_task.get(t.key.as_str()).copied().unwrap_or(0);
        let left = unplaced.get(t.key.as_str()).copied().unwrap_or(0);
        prop_assert_eq!(
            done + left,
            i64::from(t.remaining_minutes),
            "accounts of {}",
            &t.key
        );
    }
    prop_assert_eq!(p.planned_minutes, by_task.values().sum::<i64>());
    // A block placed for a deadline names a real one, in the person's zone.
    let deadlines: Vec<String> = input
        .tasks
        .iter()
        .filter_map(|t| t.deadline)
        .map(|d| {
            // A deadline at midnight is the end of the day before it.
            let local = av.zone.local(d);
            if local.hour() == 0 && local.minute() == 0 {
                let day = local.date().yesterday().unwrap_or(local.date());
                format!("due {} (end of day)", day.strftime("%a %-d %b"))
            } else {
                format!("due {}", local.strftime("%a %-d %b %H:%M"))
            }
        })
        .collect();
    for b in &p.blocks {
        for r in b
            .reasons
            .iter()
            .filter(|r| r.code == PlanReasonCode::EarliestDeadline)
        {
            prop_assert!(
                deadlines.iter().any(|d| r.text.contains(d.as_str())),
                "{} names no deadline",
                &r.text
            );
        }
    }
    // Every deadline in the window the plan misses is reported, and only those.
    for t in &input.tasks {
        let Some(due) = t
            .deadline
            .filter(|&d| d < input.window.end && t.remaining_minutes > 0)
        else {
            continue;
        };
        let done = by_task.get(t.key.as_str()).copied().unwrap_or(0) == i64::from(t.remaining_minutes);
        let end = p
            .blocks
            .iter()
            .filter(|b| b.task == t.key)
            .map(|b| b.range.end)
            .max();
        let met = done && end.is_none_or(|e| e <= due);
        let reported = p.at_risk.iter().any(|r| r.task == t.key);
        prop_assert_eq!(reported, !met, "{} reported {} but met {}", &t.key, reported, met);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_every_rule(s in spec()) {
        let input = input_of(&s);
        let p = plan(&input);
        check_rules(&input, &p)?;
    }

    #[test]
    fn the_same_input_gives_the_same_plan(s in spec()) {
        let input = input_of(&s);
        let p = plan(&input);
        prop_assert_eq!(&plan(&input), &p);
        // The order tasks and busy blocks are given in does not matter.
        let mut shuffled = input.clone();
        shuffled.tasks.reverse();
        shuffled.busy.reverse();
        prop_assert_eq!(&plan(&shuffled), &p);
        let json = serde_json::to_string(&p).unwrap();
        prop_assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), p);
    }
}

// ---- Instances feasible by construction ----

/// A week whose free time comes in whole units (the minimum chunk), and tasks
/// made from a known schedule over those units: each task's estimate is the
/// units it was given, its deadline is at or after the end of its last unit,
/// its start date at or before its first, and it depends only on tasks whose
/// units all come before its own. That schedule meets every deadline, so the
/// planner must too.
#[derive(Debug, Clone)]
struct Feasible {
    amsterdam: bool,
    unit: i64,
    max_units: i64,
    grid: u32,
    lunch: bool,
    buffer: bool,
    now_units: i64,
    /// (day, start unit from 08:00, length in units, category)
    busy: Vec<(i64, i64, i64, usize)>,
    /// For each free unit: which task gets it (`None`: left free).
    owners: Vec<Option<usize>>,
    tasks: Vec<FeasibleTask>,
    extra: Vec<(i64, i64)>,
}

#[derive(Debug, Clone)]
struct FeasibleTask {
    deadline: Option<i64>,
    start_back: Option<i64>,
    priority: i64,
    dep_picks: Vec<usize>,
}

fn feasible() -> impl Strategy<Value = Feasible> {
    (
        (
            any::<bool>(),
            prop_oneof![Just(30i64), Just(60)],
            1i64..5,
            prop_oneof![Just(15u32), Just(30)],
        ),
        (any::<bool>(), any::<bool>(), 0i64..20),
        proptest::collection::vec((0i64..5, 0i64..20, 1i64..6, 0usize..6), 0..25),
        proptest::collection::vec(proptest::option::weighted(0.8, 0usize..10), 80),
        proptest::collection::vec(
            (
                proptest::option::weighted(0.8, prop_oneof![Just(0i64), 0i64..2000]),
                proptest::option::weighted(0.3, 0i64..6),
                -2i64..5,
                proptest::collection::vec(0usize..10, 0..3),
            )
                .prop_map(|(deadline, start_back, priority, dep_picks)| FeasibleTask {
                    deadline,
                    start_back,
                    priority,
                    dep_picks,
                }),
            10,
        ),
        proptest::collection::vec((1i64..8, -2i64..8), 0..6),
    )
        .prop_map(
            |((amsterdam, unit, max_units, grid), (lunch, buffer, now_units), busy, owners, tasks, extra)| {
                Feasible {
                    amsterdam,
                    unit,
                    max_units,
                    grid,
                    lunch,
                    buffer,
                    now_units,
                    busy,
                    owners,
                    tasks,
                    extra,
                }
            },
        )
}

/// The instance as planner input.
fn feasible_input(f: &Feasible) -> PlanInput {
    // The week of 23 March 2026: Amsterdam changes to summer time on Sunday 29th.
    let zone = zone(if f.amsterdam { "Europe/Amsterdam" } else { "UTC" });
    let first: Date = "2026-03-23".parse().unwrap();
    let u = f.unit;
    let mut av = Availability::default_for(zone.clone());
    let hours = vec![LocalSpan::hm(9, 0, 17, 0)];
    for d in [
        &mut av.working_hours.monday,
        &mut av.working_hours.tuesday,
        &mut av.working_hours.wednesday,
        &mut av.working_hours.thursday,
        &mut av.working_hours.friday,
        &mut av.working_hours.sunday,
    ] {
        *d = hours.clone();
    }
    av.lunch = f.lunch.then_some(LocalSpan::hm(12, 0, 13, 0));
    if f.buffer {
        (av.buffer_before, av.buffer_after) = (u as i32, u as i32);
    }
    let window = TimeRange {
        start: zone.start_of_day(first),
        end: zone.start_of_day(day(first, 7)),
    };
    let now = at(&zone, first, 9 * 60 + f.now_units * u);
    let mut input = PlanInput::new(now, window, av);
    input.min_chunk_minutes = u as u32;
    input.max_chunk_minutes = (u * f.max_units) as u32;
    input.grid_minutes = f.grid;
    for (i, &(d, start, len, category)) in f.busy.iter().enumerate() {
        // Sundays too, where the clock changes.
        let d = if d == 4 { 6 } else { d };
        let s = at(&zone, day(first, d), 8 * 60 + start * u);
        let mut b = BusyBlock::new(TimeRange {
            start: s,
            end: s + mins(len * u),
        });
        b.category = CATEGORIES[category];
        b.title = Some(format!("Event {i}").into());
        input.busy.push(b);
    }

    // The free units, found here from the hours, lunch and busy time.
    let working = input.availability.working_ranges(window);
    let lunch = input.availability.lunch_ranges(window);
    let blocked = blocked(&input);
    let mut units = Vec::new();
    for w in &working {
        let mut s = w.start.max(now);
        while s + mins(u) <= w.end {
            let r = TimeRange {
                start: s,
                end: s + mins(u),
            };
            if !blocked.iter().chain(&lunch).any(|x| x.overlaps(&r)) {
                units.push(r);
            }
            s += mins(u);
        }
    }
    // The known schedule.
    let mut given: Vec<Vec<TimeRange>> = vec![vec![]; f.tasks.len()];
    for (r, owner) in units.iter().zip(&f.owners) {
        if let Some(o) = owner {
            given[*o].push(*r);
        }
    }
    let mut keys = Vec::new();
    for (i, t) in f.tasks.iter().enumerate() {
        let Some((first_unit, last_unit)) = given[i].first().zip(given[i].last()) else {
            continue;
        };
        let key = format!("k{i}");
        let mut task = PlanTask::new(&key, format!("Task {i}"), (given[i].len() as i64 * u) as u32);
        task.priority = t.priority;
        task.deadline = t.deadline.map(|slack| last_unit.end + mins(slack));
        task.earliest_start = t
            .start_back
            .map(|b| (first_unit.start - mins(b * u)).max(window.start));
        // Only on tasks finished before this one starts in the known schedule.
        for &pick in &t.dep_picks {
            if let Some(last) = given[pick].last()
                && pick != i
                && last.end <= first_unit.start
            {
                task.depends_on.push(format!("k{pick}"));
            }
        }
        keys.push(key);
        input.tasks.push(task);
    }
    // Work without deadlines on top, which must not push any deadline out.
    for (j, &(units, priority)) in f.extra.iter().enumerate() {
        let mut task = PlanTask::new(format!("x{j}"), format!("Extra {j}"), (units * u) as u32);
        task.priority = priority;
        if let Some(k) = keys.get(j) {
            task.depends_on.push(k.clone());
        }
        input.tasks.push(task);
    }
    input
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_deadline_is_met_when_some_plan_meets_them(f in feasible()) {
        let input = feasible_input(&f);
        let p = plan(&input);
        check_rules(&input, &p)?;
        prop_assert!(p.at_risk.is_empty(), "at risk: {:#?}", p.at_risk);
        let by_task = planned_by_task(&p);
        // Deadlines after the window ask nothing of it.
        for t in input.tasks.iter().filter(|t| t.deadline.is_some_and(|d| d < input.window.end)) {
            prop_assert_eq!(by_task.get(t.key.as_str()).copied(), Some(i64::from(t.remaining_minutes)));
            let end = p.blocks.iter().filter(|b| b.task == t.key).map(|b| b.range.end).max().unwrap();
            prop_assert!(end <= t.deadline.unwrap(), "{} ends {} after its deadline", &t.key, end);
        }
    }
}

#[test]
fn a_feasible_week_by_hand() {
    // Three deadlines that only fit in one order, and important work without one.
    let zone = zone("Europe/Amsterdam");
    let first: Date = "2026-03-23".parse().unwrap();
    let mut av = Availability::default_for(zone.clone());
    av.lunch = None;
    let window = TimeRange {
        start: zone.start_of_day(first),
        end: zone.start_of_day(day(first, 5)),
    };
    let mut input = PlanInput::new(at(&zone, first, 0), window, av);
    let due = |d: i64, h: i64| at(&zone, day(first, d), h * 60);
    let mut tasks = vec![
        PlanTask::new("a", "Board pack", 7 * 60),
        PlanTask::new("b", "Budget", 4 * 60),
        PlanTask::new("c", "Send pack", 60),
        PlanTask::new("z", "Strategy memo", 16 * 60),
    ];
    tasks[0].deadline = Some(due(1, 12));
    tasks[1].deadline = Some(due(0, 14));
    tasks[2].deadline = Some(due(1, 13));
    tasks[2].depends_on = vec!["a".into()];
    tasks[3].priority = 100;
    input.tasks = tasks;
    let p = plan(&input);
    check_rules(&input, &p).unwrap();
    assert!(p.at_risk.is_empty(), "{:#?}", p.at_risk);
    let end = |k: &str| {
        p.blocks
            .iter()
            .filter(|b| b.task == k)
            .map(|b| b.range.end)
            .max()
            .unwrap()
    };
    assert!(end("b") <= due(0, 14) && end("a") <= due(1, 12) && end("c") <= due(1, 13));
    assert_eq!(planned_by_task(&p)["z"], 16 * 60);
}
