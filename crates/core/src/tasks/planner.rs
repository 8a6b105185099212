//! Auto-planning: [`plan`] places one person's tasks into their free working
//! time before the deadlines, highest priority first unless a deadline is at
//! stake, and explains why each block lands where it does.
//!
//! The input is self-contained: callers turn their tasks into [`PlanTask`]s
//! (the priority already computed, the estimate less the work done) and pass
//! the person's [`Availability`], their expanded calendar and `now`. Nothing
//! here reads the clock; the same input always gives the same plan.
//!
//! # Rules
//!
//! Free time is the person's working time in the window (weekday hours, date
//! overrides, less out of office) after `now`, less every busy block given and
//! less lunch. Meetings and holds are widened by the person's buffers; focus
//! blocks, travel, personal time, tentative blocks and blocks already given to
//! tasks are kept free as they are. Leave out of `busy` any earlier plan's blocks
//! that this plan replaces. A block:
//! - never overlaps another block or the busy time, and lies inside the working
//!   time, the window and after `now`;
//! - starts on the grid (`grid_minutes`, counted from local midnight);
//! - lasts at most `max_chunk_minutes` and at least `min_chunk_minutes`, unless
//!   it is all that is left of the task; a part never leaves a rest shorter than
//!   the minimum when that can be avoided (when `max_chunk_minutes` is below
//!   twice the minimum, a task just over the maximum ends with a short block);
//! - of a task with dependencies starts after the last block of each of them,
//!   and not before the task's `earliest_start`.
//!
//! Which task goes next, at each free moment in time order:
//! 1. Deadlines inside the window are *protected* when they can all be met:
//!    before planning, an earliest-deadline-first simulation of the deadlined
//!    work checks that they fit; when they do not, the deadline of the least
//!    important task among those competing for the overloaded time (then the
//!    longest, the latest due) stops being protected, until the rest fit. A
//!    deadline that cannot be met even alone, has passed, or comes before the
//!    task may start is never protected.
//! 2. An *at-risk* task (a deadline in the window that is not protected) goes
//!    before other work, earliest deadline first, so that as much as possible
//!    lands before its deadline and the rest as soon after it as the calendar
//!    allows — a late block is still useful. Otherwise the highest priority
//!    ready task goes (then the earlier deadline, then the key); a task whose
//!    block has just ended gives way for one block when another task could go,
//!    so the parts of a split task are separate sittings.
//! 3. That choice stands only if every protected deadline still fits
//!    afterwards (checked by the same simulation). If not, the ready task with
//!    the earliest deadline goes instead — deadlines are pulled forward along
//!    dependencies, so a task someone else's deadline waits for counts as due
//!    early enough to leave that task its time.
//!
//! The simulation ignores the chunk rules and the grid. When the free time,
//! `now`, start dates and estimates all come in whole minimum chunks on the
//! grid (and the maximum is a multiple of the minimum) it is exact, and the
//! planner then meets every deadline in the window whenever some plan could.
//! Otherwise this holds as nearly as the chunks allow: when a protected
//! deadline turns out to be lost anyway, it is unprotected then and there.
//! Deadlines beyond the window ask nothing of it.
//!
//! What cannot be planned is reported, never dropped silently: a deadline
//! missed or at risk in [`Plan::at_risk`] (how many minutes of the work are not
//! done by the deadline, and why), work that found no time in
//! [`Plan::unplaced`], unknown dependencies in [`Plan::notes`]. Tasks whose
//! dependencies go round in a circle, or wait for such a task, are not planned.
//!
//! # Method
//!
//! Everything is done in whole minutes since the Unix epoch. The free time is
//! built once as a sorted list of stretches with running totals, so "free
//! minutes between two instants" and "the latest start that still leaves `p`
//! free minutes before `d`" are binary searches. The planner walks forward in
//! time; at each free moment it picks among the ready tasks (a linear scan).
//! The feasibility check is a preemptive earliest-deadline-first run over the
//! protected tasks only, from the end of the tentative block, with a heap; it
//! is skipped when no protected deadline is left or when the chosen block is
//! exactly what that run would do next.

use crate::calendar::Category;
use crate::calendar::availability::{
    Availability, MAX_BUFFER_MINUTES, Span, normalise, secs_ceil, secs_floor, subtract, to_ts,
};
use crate::calendar::finder::BusyBlock;
use crate::calendar::time::TimeRange;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The shortest block when the input gives 0.
pub const DEFAULT_MIN_CHUNK_MINUTES: u32 = 30;
/// The longest block when the input gives 0.
pub const DEFAULT_MAX_CHUNK_MINUTES: u32 = 120;
/// The grid block starts lie on when the input gives 0.
pub const DEFAULT_GRID_MINUTES: u32 = 15;

/// One task to plan, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTask {
    /// The task's id as text; blocks and reports refer to it. Unique.
    pub key: String,
    pub title: String,
    /// The estimate less the work already done; 0 means nothing to plan (the
    /// task counts as done for those that depend on it).
    pub remaining_minutes: u32,
    /// Not before this (e.g. the task's start date).
    #[serde(default)]
    pub earliest_start: Option<Timestamp>,
    #[serde(default)]
    pub deadline: Option<Timestamp>,
    /// Higher goes first; the caller computes it (urgent × important).
    #[serde(default)]
    pub priority: i64,
    /// Keys of the tasks that must be finished first. Keys not among the tasks
    /// planned are ignored and noted.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

impl PlanTask {
    /// A task with no dates, priority 0 and no dependencies.
    pub fn new(key: impl Into<String>, title: impl Into<String>, remaining_minutes: u32) -> PlanTask {
        PlanTask {
            key: key.into(),
            title: title.into(),
            remaining_minutes,
            earliest_start: None,
            deadline: None,
            priority: 0,
            depends_on: vec![],
        }
    }
}

/// What to plan, for whom, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    pub now: Timestamp,
    /// Blocks lie inside it (e.g. the four weeks from now).
    pub window: TimeRange,
    /// Working hours, overrides, out of office, buffers, lunch and the zone
    /// texts and the grid use.
    pub availability: Availability,
    /// The person's calendar in the window, expanded: meetings, focus blocks,
    /// holds, travel. Leave out events that do not make them busy.
    pub busy: Vec<BusyBlock>,
    pub tasks: Vec<PlanTask>,
    /// No block is shorter, unless it is all that is left of the task; 0 means
    /// [`DEFAULT_MIN_CHUNK_MINUTES`].
    pub min_chunk_minutes: u32,
    /// Longer tasks are split; 0 means [`DEFAULT_MAX_CHUNK_MINUTES`], and a
    /// value below the minimum counts as the minimum.
    pub max_chunk_minutes: u32,
    /// Block starts lie on this grid from local midnight; 0 means
    /// [`DEFAULT_GRID_MINUTES`].
    pub grid_minutes: u32,
}

impl PlanInput {
    /// No busy time, no tasks, the default chunks and grid.
    pub fn new(now: Timestamp, window: TimeRange, availability: Availability) -> PlanInput {
        PlanInput {
            now,
            window,
            availability,
            busy: vec![],
            tasks: vec![],
            min_chunk_minutes: DEFAULT_MIN_CHUNK_MINUTES,
            max_chunk_minutes: DEFAULT_MAX_CHUNK_MINUTES,
            grid_minutes: DEFAULT_GRID_MINUTES,
        }
    }
}

/// A stretch of time given to one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedBlock {
    /// The task's key.
    pub task: String,
    pub title: String,
    pub range: TimeRange,
    /// Which part this is (from 1) of how many the task was planned in.
    pub chunk: u32,
    pub chunks: u32,
    /// Why this task, why here: the choice, the place, the part.
    pub reasons: Vec<PlanReason>,
}

/// Why a block is where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanReasonCode {
    /// The most important of the tasks that could go then.
    HighestPriority,
    /// Its deadline (or that of a task waiting for it) needed the time.
    EarliestDeadline,
    /// Its deadline is at risk or past, so it goes before other work.
    DeadlineAtRisk,
    /// It could not start before a task it depends on was done.
    AfterDependency,
    /// It could not start before its start date.
    AfterStartDate,
    /// The first free time after whatever came before.
    FirstFreeTime,
    /// One part of a task split into several blocks.
    Split,
}

/// One reason, for people (`text`) and programs (`code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReason {
    pub code: PlanReasonCode,
    pub text: String,
}

/// Why a deadline is at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskCode {
    /// The free time before the deadline is too short, or goes to work due
    /// earlier or more important.
    NotEnoughTime,
    /// There is no free working time at all before the deadline.
    NoFreeTime,
    /// The deadline is already past.
    DeadlinePassed,
    /// The task may not start before its deadline.
    StartsAfterDeadline,
    /// A task it depends on is finished too late, or not at all.
    DependencyAtRisk,
    /// Its dependencies go round in a circle, so it is not planned.
    DependencyCycle,
}

/// A deadline that the plan does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtRisk {
    /// The task's key.
    pub task: String,
    pub code: RiskCode,
    pub deadline: Timestamp,
    /// Minutes of the task not done by the deadline.
    pub short_minutes: i64,
    pub text: String,
}

/// Why work was not planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedCode {
    /// Not enough free time left in the window.
    DoesNotFit,
    /// Its start date is after the window.
    StartsAfterWindow,
    /// A task it depends on cannot be planned or does not fit.
    WaitsForDependency,
    /// Its dependencies go round in a circle.
    DependencyCycle,
    /// Another task has the same key (the first one given is planned).
    DuplicateKey,
}

/// Work that found no place in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    /// The task's key.
    pub task: String,
    pub code: UnplacedCode,
    /// Minutes not planned.
    pub minutes: i64,
    pub text: String,
}

/// Something the plan ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteCode {
    /// A dependency names no task of the plan; the task is planned without it.
    UnknownDependency,
}

/// A remark about the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanNote {
    /// The task's key.
    pub task: String,
    pub code: NoteCode,
    pub text: String,
}

/// The plan: blocks in time order and what could not be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub blocks: Vec<PlannedBlock>,
    /// Deadlines inside the window that the plan misses, by deadline.
    pub at_risk: Vec<AtRisk>,
    /// Work not planned, by task key.
    pub unplaced: Vec<Unplaced>,
    pub notes: Vec<PlanNote>,
    /// Free working time in the window after `now`.
    pub free_minutes: i64,
    /// Time given to tasks.
    pub planned_minutes: i64,
}

/// Plans the tasks of `input` (see the module documentation for the rules).
pub fn plan(input: &PlanInput) -> Plan {
    let min = i64::from(nonzero(input.min_chunk_minutes, DEFAULT_MIN_CHUNK_MINUTES));
    let max = i64::from(nonzero(input.max_chunk_minutes, DEFAULT_MAX_CHUNK_MINUTES)).max(min);
    let grid = i64::from(nonzero(input.grid_minutes, DEFAULT_GRID_MINUTES).min(24 * 60));
    let cal = Calendar::build(input, grid, min);
    let mut planner = Planner::new(input, cal, min, max);
    planner.run();
    planner.finish()
}

// ---- Free time ----

/// A deadline or instant that is not there.
const NEVER: i64 = i64::MAX;

/// Whole minutes since the Unix epoch at or before `t`.
fn floor_min(t: Timestamp) -> i64 {
    secs_floor(t).div_euclid(60)
}

/// Whole minutes since the Unix epoch at or after `t`.
fn ceil_min(t: Timestamp) -> i64 {
    secs_ceil(t).saturating_add(59).div_euclid(60)
}

fn ts_of(minute: i64) -> Timestamp {
    to_ts(minute.saturating_mul(60))
}

fn nonzero(v: u32, default: u32) -> u32 {
    if v == 0 { default } else { v }
}

/// Sorted, disjoint stretches of free time with running totals.
struct Free {
    spans: Vec<(i64, i64)>,
    /// `before[i]` is the length of `spans[..i]`.
    before: Vec<i64>,
}

impl Free {
    fn new(spans: Vec<(i64, i64)>) -> Free {
        let mut before = Vec::with_capacity(spans.len() + 1);
        let mut sum = 0;
        before.push(0);
        for &(s, e) in &spans {
            sum += e - s;
            before.push(sum);
        }
        Free { spans, before }
    }

    fn total(&self) -> i64 {
        self.before.last().copied().unwrap_or(0)
    }

    /// The first stretch ending after `t`.
    fn locate(&self, t: i64) -> usize {
        self.spans.partition_point(|s| s.1 <= t)
    }

    /// Free minutes before `t`.
    fn upto(&self, t: i64) -> i64 {
        let i = self.locate(t);
        let partial = self.spans.get(i).map_or(0, |s| (t - s.0).max(0));
        self.before[i] + partial
    }

    /// Free minutes in `[a, b)`.
    fn between(&self, a: i64, b: i64) -> i64 {
        if b <= a { 0 } else { self.upto(b) - self.upto(a) }
    }

    /// The latest instant that still leaves `p` free minutes before `d`; when
    /// there are not that many, an instant as far before the first free
    /// minute as the shortfall (so that it still orders by urgency).
    fn back_off(&self, d: i64, p: i64) -> i64 {
        let target = self.upto(d) - p;
        let first = self.spans.first().map_or(d, |s| s.0);
        if target < 0 {
            return first.saturating_add(target);
        }
        // The first stretch whose running end passes the target.
        let j = self.before[1..].partition_point(|&b| b <= target);
        match self.spans.get(j) {
            Some(&(s, _)) => (s + (target - self.before[j])).min(d),
            None => d,
        }
    }
}

/// What ends where a stretch of free time begins, for the texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Now,
    DayStart,
    Lunch,
    TimeOff,
    /// An index into [`Calendar::obstacles`].
    Busy(usize),
    Unknown,
}

/// A stretch of free time, its start on the grid.
#[derive(Debug, Clone, Copy)]
struct Gap {
    start: i64,
    end: i64,
    /// Where the free time itself begins (before rounding to the grid).
    raw: i64,
    after: After,
}

/// A busy block as the planner keeps clear of it.
#[derive(Debug, Clone)]
struct Obstacle {
    start: i64,
    end: i64,
    /// The buffer kept after it, included in `end`.
    buffer_after: i64,
    block: usize,
}

/// The person's free time in the window.
struct Calendar {
    tz: TimeZone,
    grid: i64,
    /// `now`, rounded up.
    now: i64,
    /// The first instant a block may use: `now` or the window's start.
    t0: i64,
    /// The window's end.
    end: i64,
    gaps: Vec<Gap>,
    /// Every gap.
    all: Free,
    /// The gaps at least a minimum chunk long: the time the simulation uses.
    usable: Free,
    obstacles: Vec<Obstacle>,
}

impl Calendar {
    fn build(input: &PlanInput, grid: i64, min: i64) -> Calendar {
        let av = &input.availability;
        let t0 = ceil_min(input.now).max(ceil_min(input.window.start));
        let end = floor_min(input.window.end);
        let mut cal = Calendar {
            tz: av.zone.tz().clone(),
            grid,
            now: ceil_min(input.now),
            t0,
            end,
            gaps: vec![],
            all: Free::new(vec![]),
            usable: Free::new(vec![]),
            obstacles: vec![],
        };
        if t0 >= end {
            return cal;
        }
        let range = TimeRange {
            start: ts_of(t0),
            end: ts_of(end),
        };
        let minutes = |r: &TimeRange| Span {
            start: ceil_min(r.start),
            end: floor_min(r.end),
        };
        let working: Vec<Span> = av.working_ranges(range).iter().map(minutes).collect();
        let (before, after) = (buffer(av.buffer_before), buffer(av.buffer_after));
        let mut obstacles: Vec<Obstacle> = input
            .busy
            .iter()
            .enumerate()
            // An instant-long event keeps no one busy, nor then its buffers.
            .filter(|(_, b)| b.range.start < b.range.end)
            .map(|(i, b)| {
                let widened = matches!(b.category, Category::Meeting | Category::Hold);
                let (pre, post) = if widened { (before, after) } else { (0, 0) };
                Obstacle {
                    start: floor_min(b.range.start) - pre,
                    end: ceil_min(b.range.end) + post,
                    buffer_after: post,
                    block: i,
                }
            })
            .collect();
        // Sorted by what the texts show, so equal blocks given in another order
        // read the same.
        obstacles.sort_by(|a, b| {
            let (x, y) = (&input.busy[a.block], &input.busy[b.block]);
            (a.end, a.start, x.category, &x.title, a.block)
                .cmp(&(b.end, b.start, y.category, &y.title, b.block))
        });
        let lunch: Vec<Span> = av.lunch_ranges(range).iter().map(minutes).collect();
        let mut blocked: Vec<Span> = obstacles
            .iter()
            .map(|o| Span {
                start: o.start,
                end: o.end,
            })
            .chain(lunch.iter().copied())
            .collect();
        normalise(&mut blocked);
        let mut free = Vec::new();
        subtract(&working, &blocked, 0, &mut free);
        let time_off: Vec<i64> = av
            .out_of_office_ranges()
            .iter()
            .map(|r| ceil_min(r.end))
            .collect();
        cal.obstacles = obstacles;
        for f in free {
            let start = cal.grid_ceil(f.start.max(t0));
            if start >= f.end {
                continue;
            }
            let after = cal.what_ends_at(f.start, &lunch, &time_off, &working);
            cal.gaps.push(Gap {
                start,
                end: f.end,
                raw: f.start,
                after,
            });
        }
        cal.all = Free::new(cal.gaps.iter().map(|g| (g.start, g.end)).collect());
        cal.usable = Free::new(
            cal.gaps
                .iter()
                .filter(|g| g.end - g.start >= min)
                .map(|g| (g.start, g.end))
                .collect(),
        );
        cal
    }

    fn what_ends_at(&self, t: i64, lunch: &[Span], time_off: &[i64], working: &[Span]) -> After {
        let i = self.obstacles.partition_point(|o| o.end < t);
        if self.obstacles.get(i).is_some_and(|o| o.end == t) {
            After::Busy(i)
        } else if lunch.iter().any(|l| l.end == t) {
            After::Lunch
        } else if time_off.contains(&t) {
            After::TimeOff
        } else if t == self.t0 {
            After::Now
        } else if working.iter().any(|w| w.start == t) {
            After::DayStart
        } else {
            After::Unknown
        }
    }

    /// The first minute at or after `t` on the grid, counted from local
    /// midnight (so a 15-minute grid gives quarter hours in every zone).
    fn grid_ceil(&self, t: i64) -> i64 {
        if self.grid <= 1 {
            return t;
        }
        let mut cur = t;
        // When the clock changes between `cur` and the grid point, look again
        // from there; each round only moves forward.
        for _ in 0..4 {
            let off = self.offset(cur);
            let tod = (cur + off).rem_euclid(24 * 60);
            let up = ((tod + self.grid - 1) / self.grid * self.grid).min(24 * 60);
            let next = cur + (up - tod);
            if self.offset(next) == off {
                return next;
            }
            cur = next;
        }
        cur
    }

    /// The zone's offset from UTC at `t`, in whole minutes.
    fn offset(&self, t: i64) -> i64 {
        i64::from(self.tz.to_offset(ts_of(t)).seconds()).div_euclid(60)
    }

    /// `Thu 3 Dec 17:00` in the person's zone.
    fn day_time(&self, t: i64) -> String {
        self.tz
            .to_datetime(ts_of(t))
            .strftime("%a %-d %b %H:%M")
            .to_string()
    }

    /// `Mon 7 Dec` at local midnight, else as [`Calendar::day_time`].
    fn day_or_time(&self, t: i64) -> String {
        let dt = self.tz.to_datetime(ts_of(t));
        if dt.hour() == 0 && dt.minute() == 0 {
            dt.strftime("%a %-d %b").to_string()
        } else {
            self.day_time(t)
        }
    }

    /// A deadline: `Thu 3 Dec 17:00`, or `Fri 27 Nov (end of day)` when it is the
    /// midnight that ends a day (a task due on a date).
    fn deadline(&self, t: i64) -> String {
        let dt = self.tz.to_datetime(ts_of(t));
        if dt.hour() == 0 && dt.minute() == 0 {
            let day = dt.date().yesterday().unwrap_or(dt.date());
            format!("{} (end of day)", day.strftime("%a %-d %b"))
        } else {
            self.day_time(t)
        }
    }

    /// `10:00`.
    fn clock(&self, t: i64) -> String {
        self.tz.to_datetime(ts_of(t)).strftime("%H:%M").to_string()
    }
}

fn buffer(minutes: i32) -> i64 {
    i64::from(minutes.clamp(0, MAX_BUFFER_MINUTES))
}

// ---- Tasks ----

/// Whether a task can be planned at all.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Plannable,
    /// Its key was used by an earlier task.
    Duplicate,
    /// Its start date is at or after the window's end.
    AfterWindow,
    /// In a cycle of dependencies: the cycle from it back to it.
    Cycle(Vec<usize>),
    /// Waits for this task, which cannot be planned.
    Blocked(usize),
}

struct Item<'a> {
    task: &'a PlanTask,
    total: i64,
    /// The first minute it may use (start date, `now`, window).
    release: i64,
    /// Its own deadline, in minutes (rounded down).
    deadline: Option<i64>,
    preds: Vec<usize>,
    succs: Vec<usize>,
    status: Status,
}

impl Item<'_> {
    /// Its own deadline when it lies inside the window.
    fn deadline_in(&self, end: i64) -> Option<i64> {
        self.deadline.filter(|&d| d < end)
    }
}

/// Why a task was chosen.
#[derive(Debug, Clone, Copy)]
enum Choice {
    /// The first of `ready` tasks; `gave_way` had the block just before.
    Priority {
        ready: usize,
        gave_way: Option<usize>,
    },
    /// The earliest deadline, that of `from` (itself or a task waiting for
    /// it), as it stood then; `over` was the first choice.
    Deadline {
        from: usize,
        over: Option<usize>,
    },
    AtRisk,
}

/// What decides where a block starts.
#[derive(Debug, Clone, Copy)]
enum Where {
    /// After the dependency that finished last.
    Dependency(usize),
    StartDate,
    /// At the start of a stretch of free time.
    Gap(After),
    /// Right after another task's block.
    Block(usize),
}

struct Draft {
    task: usize,
    start: i64,
    end: i64,
    choice: Choice,
    place: Where,
}

/// A protected deadline the simulation found missed, and the tasks whose
/// deadlines competed for the time before it.
struct Miss {
    candidates: Vec<usize>,
}

/// What to do at a free moment.
enum Step {
    Place {
        task: usize,
        minutes: i64,
        choice: Choice,
    },
    /// Nothing fits in the rest of this gap.
    Skip,
    /// Leave the time free until then (a protected task is released then).
    Idle(i64),
    /// The protected deadlines changed; decide again.
    Again,
}

/// Reused buffers of the simulation.
#[derive(Default)]
struct Scratch {
    rem: Vec<i64>,
    waiting_for: Vec<u32>,
    released: Vec<bool>,
    in_run: Vec<bool>,
    last_run: Vec<i64>,
    pending: Vec<usize>,
    heap: BinaryHeap<Reverse<(i64, Reverse<i64>, usize)>>,
}

struct Planner<'a> {
    input: &'a PlanInput,
    cal: Calendar,
    min: i64,
    max: i64,
    /// Sorted by key, so an index order is the key order.
    items: Vec<Item<'a>>,
    /// Tasks that can be planned, dependencies first.
    topo: Vec<usize>,
    notes: Vec<PlanNote>,
    rem: Vec<i64>,
    protected: Vec<bool>,
    /// Deadlines pulled forward along dependencies ([`NEVER`] when none is protected).
    due: Vec<i64>,
    /// The task whose own deadline gives `due`.
    due_from: Vec<usize>,
    /// Tasks with a `due` and work left, as of the last computation.
    kept: Vec<usize>,
    /// When the task could start: its release or its dependencies' end.
    ready_at: Vec<i64>,
    /// The dependency that finished last.
    last_dep: Vec<Option<usize>>,
    drafts: Vec<Draft>,
    scratch: Scratch,
}

impl<'a> Planner<'a> {
    fn new(input: &'a PlanInput, cal: Calendar, min: i64, max: i64) -> Planner<'a> {
        let mut order: Vec<&PlanTask> = input.tasks.iter().collect();
        // Stable: of tasks sharing a key, the first given stays first.
        order.sort_by(|a, b| a.key.cmp(&b.key));
        let mut items: Vec<Item> = order
            .iter()
            .enumerate()
            .map(|(i, t)| Item {
                task: t,
                total: i64::from(t.remaining_minutes),
                release: t.earliest_start.map_or(cal.t0, |s| ceil_min(s).max(cal.t0)),
                deadline: t.deadline.map(floor_min),
                preds: vec![],
                succs: vec![],
                status: if i > 0 && order[i - 1].key == t.key {
                    Status::Duplicate
                } else {
                    Status::Plannable
                },
            })
            .collect();
        let mut notes = Vec::new();
        for i in 0..items.len() {
            // A task with nothing left is done: it waits for nothing and holds up nothing.
            if items[i].status != Status::Plannable || items[i].total == 0 {
                continue;
            }
            let mut preds: Vec<usize> = Vec::new();
            for key in &items[i].task.depends_on {
                let j = items.partition_point(|t| t.task.key.as_str() < key.as_str());
                if items.get(j).is_some_and(|t| &t.task.key == key) {
                    if items[j].total > 0 {
                        preds.push(j);
                    }
                } else {
                    notes.push(PlanNote {
                        task: items[i].task.key.clone(),
                        code: NoteCode::UnknownDependency,
                        text: format!(
                            "depends on ‘{key}’, which is not among the tasks planned; planned without waiting \
                             for it"
                        ),
                    });
                }
            }
            preds.sort_unstable();
            preds.dedup();
            for &j in &preds {
                items[j].succs.push(i);
            }
            items[i].preds = preds;
        }
        let topo = order_dependencies(&mut items, cal.end);
        let n = items.len();
        let rem = items
            .iter()
            .map(|t| if t.status == Status::Plannable { t.total } else { 0 })
            .collect();
        let protected = items
            .iter()
            .map(|t| t.status == Status::Plannable && t.total > 0 && t.deadline_in(cal.end).is_some())
            .collect();
        let ready_at = items.iter().map(|t| t.release).collect();
        Planner {
            input,
            cal,
            min,
            max,
            items,
            topo,
            notes,
            rem,
            protected,
            due: vec![NEVER; n],
            due_from: (0..n).collect(),
            kept: vec![],
            ready_at,
            last_dep: vec![None; n],
            drafts: vec![],
            scratch: Scratch {
                rem: vec![0; n],
                waiting_for: vec![0; n],
                released: vec![false; n],
                in_run: vec![false; n],
                last_run: vec![i64::MIN; n],
                ..Scratch::default()
            },
        }
    }

    /// Walks forward through the free time, placing one block per step.
    fn run(&mut self) {
        let t0 = self.cal.t0;
        // Deadlines that cannot be met even alone are not protected.
        for i in 0..self.items.len() {
            if !self.protected[i] {
                continue;
            }
            let t = &self.items[i];
            let d = t.deadline.unwrap_or(NEVER);
            if d <= t0 || t.release >= d || self.cal.usable.between(t.release, d) < t.total {
                self.protected[i] = false;
            }
        }
        self.protect(t0);

        let mut deps_left: Vec<usize> = self
            .items
            .iter()
            .map(|t| t.preds.iter().filter(|&&p| self.rem[p] > 0).count())
            .collect();
        let mut waiting: BinaryHeap<Reverse<(i64, usize)>> = self
            .topo
            .iter()
            .filter(|&&i| self.rem[i] > 0 && deps_left[i] == 0)
            .map(|&i| Reverse((self.items[i].release, i)))
            .collect();
        let mut ready: Vec<usize> = Vec::new();
        // When each task became ready: one placed at that very moment was held
        // back by its start date or a dependency.
        let mut entered = vec![NEVER; self.items.len()];
        let mut last: Option<(i64, usize)> = None;
        let mut t = t0;
        let mut gi = 0;
        // Every step places time, moves forward or unprotects a deadline; the
        // cap only guards against a mistake turning into a hang.
        let cap = 4 * (self.cal.all.total() + self.cal.gaps.len() as i64 + self.items.len() as i64) + 64;
        for _ in 0..cap {
            while self.cal.gaps.get(gi).is_some_and(|g| g.end <= t) {
                gi += 1;
            }
            let Some(&gap) = self.cal.gaps.get(gi) else {
                break;
            };
            let s = if t <= gap.start {
                gap.start
            } else {
                self.cal.grid_ceil(t)
            };
            if s >= gap.end {
                t = gap.end;
                continue;
            }
            while let Some(&Reverse((r, i))) = waiting.peek()
                && r <= s
            {
                waiting.pop();
                ready.push(i);
                entered[i] = s;
            }
            if ready.is_empty() {
                match waiting.peek() {
                    Some(&Reverse((r, _))) => {
                        t = r;
                        continue;
                    }
                    None => break,
                }
            }
            // The task whose block ends here, if any: it gives way for one block.
            let follows = last.filter(|&(e, _)| e == s).map(|(_, j)| j);
            match self.decide(s, gap.end - s, &ready, follows) {
                Step::Place {
                    task,
                    minutes,
                    choice,
                } => {
                    let place = if entered[task] == s && self.ready_at[task] > t0 {
                        match self.last_dep[task] {
                            Some(d) if self.ready_at[task] > self.items[task].release => Where::Dependency(d),
                            _ => Where::StartDate,
                        }
                    } else {
                        match last {
                            Some((e, j)) if e >= gap.raw => Where::Block(j),
                            _ => Where::Gap(gap.after),
                        }
                    };
                    let end = s + minutes;
                    self.drafts.push(Draft {
                        task,
                        start: s,
                        end,
                        choice,
                        place,
                    });
                    self.rem[task] -= minutes;
                    last = Some((end, task));
                    t = end;
                    if self.rem[task] == 0 {
                        ready.retain(|&i| i != task);
                        for k in 0..self.items[task].succs.len() {
                            let j = self.items[task].succs[k];
                            deps_left[j] = deps_left[j].saturating_sub(1);
                            if end >= self.ready_at[j] {
                                self.ready_at[j] = end;
                                self.last_dep[j] = Some(task);
                            }
                            if deps_left[j] == 0
                                && self.rem[j] > 0
                                && self.items[j].status == Status::Plannable
                            {
                                waiting.push(Reverse((self.ready_at[j], j)));
                            }
                        }
                    }
                }
                Step::Skip => t = gap.end,
                Step::Idle(until) => t = until.max(s + 1),
                Step::Again => {}
            }
        }
    }

    /// Chooses the block to place at `s` with `room` free minutes ahead;
    /// `follows` is the task whose block ends at `s`.
    fn decide(&mut self, s: i64, room: i64, ready: &[usize], follows: Option<usize>) -> Step {
        let fits: Vec<(usize, i64)> = ready
            .iter()
            .filter_map(|&i| self.chunk(i, room).map(|l| (i, l)))
            .collect();
        // A split task does not run on into its next part while another task
        // could go: the parts are meant as separate sittings.
        // An at-risk task keeps going: every minute before its deadline counts.
        let Some(&(p, lp)) = fits
            .iter()
            .min_by_key(|f| (Some(f.0) == follows && !self.at_risk(f.0), self.choice_key(f.0)))
        else {
            return Step::Skip;
        };
        let choice = if self.at_risk(p) {
            Choice::AtRisk
        } else {
            let gave_way =
                follows.filter(|&f| fits.iter().any(|x| x.0 == f) && self.choice_key(f) < self.choice_key(p));
            Choice::Priority {
                ready: fits.len(),
                gave_way,
            }
        };
        let place = |task, minutes, choice| Step::Place {
            task,
            minutes,
            choice,
        };
        if !self.kept.iter().any(|&i| self.rem[i] > 0) {
            return place(p, lp, choice);
        }
        let e = fits
            .iter()
            .filter(|&&(i, _)| self.due[i] != NEVER)
            .min_by_key(|&&(i, _)| self.edf_key(i))
            .map(|&(i, _)| i);
        // Doing what the deadline-first run would do next keeps every deadline.
        if e == Some(p) && s + lp <= self.preempted_at(p, s) {
            return place(p, lp, choice);
        }
        if self.simulate(s + lp, Some((p, lp))).is_ok() {
            return place(p, lp, choice);
        }
        let over = Some(p);
        match e {
            Some(e) => {
                let bound = self.preempted_at(e, s) - s;
                let le = self
                    .chunk(e, room.min(bound))
                    .or_else(|| self.chunk(e, room))
                    .unwrap_or(room);
                if self.simulate(s + le, Some((e, le))).is_err() && self.protect(s) {
                    return Step::Again;
                }
                let over = over.filter(|&o| o != e);
                let from = self.due_from[e];
                place(e, le, Choice::Deadline { from, over })
            }
            None => {
                // No protected task fits here: their deadlines cannot use this
                // time, so the chosen task may (best effort when the free time
                // is not a whole number of chunks).
                if ready.iter().any(|&i| self.due[i] != NEVER && self.rem[i] > 0) {
                    return place(p, lp, choice);
                }
                // None is ready yet: use the time until one is, if that leaves
                // room for a block.
                let next = self.next_protected_release(s);
                if next == NEVER {
                    return place(p, lp, choice);
                }
                if let Some(lc) = self.chunk(p, room.min(next - s))
                    && self.simulate(s + lc, Some((p, lc))).is_ok()
                {
                    return place(p, lc, choice);
                }
                if self.simulate(next, None).is_err() && self.protect(s) {
                    return Step::Again;
                }
                Step::Idle(next)
            }
        }
    }

    /// The length of the next block of task `i` in `room` minutes, if one fits.
    fn chunk(&self, i: usize, room: i64) -> Option<i64> {
        chunk_len(self.rem[i], room, self.min, self.max)
    }

    /// Whether task `i` has a deadline in the window that is no longer protected.
    fn at_risk(&self, i: usize) -> bool {
        !self.protected[i] && self.items[i].deadline_in(self.cal.end).is_some()
    }

    /// At-risk tasks first (earliest deadline first), then by priority, then
    /// deadline, then key; the smallest goes first.
    fn choice_key(&self, i: usize) -> (bool, i64, Reverse<i64>, i64, usize) {
        let t = &self.items[i];
        let d = t.deadline.unwrap_or(NEVER);
        let risky = self.at_risk(i);
        (!risky, if risky { d } else { 0 }, Reverse(t.task.priority), d, i)
    }

    /// The deadline-first order: pulled-forward deadline, priority, key.
    fn edf_key(&self, i: usize) -> (i64, Reverse<i64>, usize) {
        (self.due[i], Reverse(self.items[i].task.priority), i)
    }

    /// When a protected task that would go before `e` is released after `s`
    /// (the deadline-first run would switch to it then).
    fn preempted_at(&self, e: usize, s: i64) -> i64 {
        let ke = self.edf_key(e);
        self.kept
            .iter()
            .filter(|&&k| self.rem[k] > 0 && self.items[k].release > s && self.edf_key(k) < ke)
            .map(|&k| self.items[k].release)
            .min()
            .unwrap_or(NEVER)
    }

    /// The first release after `s` of a protected task with work left.
    fn next_protected_release(&self, s: i64) -> i64 {
        self.kept
            .iter()
            .filter(|&&k| self.rem[k] > 0)
            .map(|&k| self.items[k].release.max(self.ready_at[k]))
            .filter(|&r| r > s)
            .min()
            .unwrap_or(NEVER)
    }

    /// Unprotects deadlines, least important first, until the protected ones
    /// fit from `start`; says whether any was unprotected.
    fn protect(&mut self, start: i64) -> bool {
        let mut changed = false;
        for _ in 0..=self.items.len() {
            self.compute_due();
            let Err(miss) = self.simulate(start, None) else {
                break;
            };
            let victim = miss.candidates.iter().copied().min_by_key(|&i| {
                let t = &self.items[i];
                (
                    t.task.priority,
                    Reverse(self.rem[i]),
                    Reverse(t.deadline),
                    Reverse(i),
                )
            });
            let Some(v) = victim else {
                break;
            };
            self.protected[v] = false;
            changed = true;
        }
        changed
    }

    /// Pulls protected deadlines forward along dependencies: a task must be done
    /// early enough to leave each task waiting for it its free minutes.
    fn compute_due(&mut self) {
        self.due.fill(NEVER);
        for (i, f) in self.due_from.iter_mut().enumerate() {
            *f = i;
        }
        for k in (0..self.topo.len()).rev() {
            let i = self.topo[k];
            if self.rem[i] == 0 {
                continue;
            }
            let (mut d, mut from) = (NEVER, i);
            if self.protected[i] {
                d = self.items[i].deadline.unwrap_or(NEVER);
            }
            for &j in &self.items[i].succs {
                if self.due[j] != NEVER {
                    let by = self.cal.usable.back_off(self.due[j], self.rem[j]);
                    if by < d {
                        (d, from) = (by, self.due_from[j]);
                    }
                }
            }
            self.due[i] = d;
            self.due_from[i] = from;
        }
        self.kept = self
            .topo
            .iter()
            .copied()
            .filter(|&i| self.due[i] != NEVER && self.rem[i] > 0)
            .collect();
    }

    /// Runs the protected work deadline-first (preemptive, on the usable free
    /// time) from `start`, after `tentative` minutes of a task are done;
    /// succeeds when every protected task finishes by its pulled-forward
    /// deadline.
    fn simulate(&mut self, start: i64, tentative: Option<(usize, i64)>) -> Result<(), Miss> {
        let (tp, tl) = tentative.unwrap_or((usize::MAX, 0));
        let sc = &mut self.scratch;
        let left = |i: usize| self.rem[i] - if i == tp { tl } else { 0 };
        sc.pending.clear();
        sc.heap.clear();
        for &i in &self.kept {
            if left(i) > 0 {
                sc.pending.push(i);
                sc.in_run[i] = true;
            }
        }
        for &i in &sc.pending {
            sc.rem[i] = left(i);
            sc.released[i] = false;
            sc.last_run[i] = i64::MIN;
            sc.waiting_for[i] = self.items[i].preds.iter().filter(|&&p| left(p) > 0).count() as u32;
        }
        let items = &self.items;
        let release = |i: usize| items[i].release;
        sc.pending.sort_unstable_by_key(|&i| (release(i), i));
        let key = |i: usize| Reverse((self.due[i], Reverse(items[i].task.priority), i));
        let usable = &self.cal.usable.spans;
        let (mut p, mut done, mut cur, mut busy_since) = (0, 0, start, start);
        let mut gi = self.cal.usable.locate(cur);
        let outcome = loop {
            while let Some(&i) = sc.pending.get(p)
                && release(i) <= cur
            {
                p += 1;
                sc.released[i] = true;
                if sc.waiting_for[i] == 0 {
                    sc.heap.push(key(i));
                }
            }
            let Some(&Reverse((_, _, top))) = sc.heap.peek() else {
                if let Some(&i) = sc.pending.get(p) {
                    // Idle until the next release: a new stretch of demand.
                    cur = release(i);
                    busy_since = cur;
                    continue;
                }
                if done == sc.pending.len() {
                    break Ok(());
                }
                // Some wait for work outside the run: they can never finish.
                let stuck = sc.pending.iter().copied().find(|&i| sc.rem[i] > 0).unwrap_or(tp);
                break Err(stuck);
            };
            while usable.get(gi).is_some_and(|g| g.1 <= cur) {
                gi += 1;
            }
            let Some(&(gs, ge)) = usable.get(gi) else {
                break Err(top);
            };
            if cur < gs {
                cur = gs;
                continue;
            }
            if cur >= self.due[top] {
                break Err(top);
            }
            let next = sc.pending.get(p).map_or(NEVER, |&i| release(i));
            let until = (cur + sc.rem[top]).min(ge).min(next);
            sc.rem[top] -= until - cur;
            sc.last_run[top] = until;
            cur = until;
            if sc.rem[top] == 0 {
                sc.heap.pop();
                done += 1;
                if cur > self.due[top] {
                    break Err(top);
                }
                for &j in &items[top].succs {
                    if sc.in_run[j] {
                        sc.waiting_for[j] = sc.waiting_for[j].saturating_sub(1);
                        if sc.waiting_for[j] == 0 && sc.released[j] {
                            sc.heap.push(key(j));
                        }
                    }
                }
            }
        };
        let result = outcome.map_err(|missed| {
            // The deadlines that competed for the time since the run was last
            // idle, and the one missed.
            let mut candidates: Vec<usize> = sc
                .pending
                .iter()
                .filter(|&&i| sc.last_run[i] > busy_since)
                .map(|&i| self.due_from[i])
                .chain(self.due_from.get(missed).copied())
                .filter(|&i| self.protected.get(i).copied().unwrap_or(false))
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            Miss { candidates }
        });
        for &i in &sc.pending {
            sc.in_run[i] = false;
        }
        result
    }

    /// Writes the plan: blocks with their reasons, risks, unplaced work.
    fn finish(self) -> Plan {
        let n = self.items.len();
        let mut counts = vec![0u32; n];
        for d in &self.drafts {
            counts[d.task] += 1;
        }
        let mut seen = vec![0u32; n];
        // Minutes of each task planned before and after its own deadline.
        let (mut before_due, mut after_due) = (vec![0i64; n], vec![0i64; n]);
        let mut last_end: Vec<Option<i64>> = vec![None; n];
        let mut blocks = Vec::with_capacity(self.drafts.len());
        for d in &self.drafts {
            let t = &self.items[d.task];
            seen[d.task] += 1;
            if let Some(due) = t.deadline {
                before_due[d.task] += (d.end.min(due) - d.start).max(0);
                after_due[d.task] += (d.end - d.start.max(due)).max(0);
            }
            last_end[d.task] = Some(d.end);
            let mut reasons = vec![self.choice_reason(d), self.place_reason(d)];
            if counts[d.task] > 1 {
                reasons.push(PlanReason {
                    code: PlanReasonCode::Split,
                    text: format!("part {} of {}", seen[d.task], counts[d.task]),
                });
            }
            blocks.push(PlannedBlock {
                task: t.task.key.clone(),
                title: t.task.title.clone(),
                range: TimeRange {
                    start: ts_of(d.start),
                    end: ts_of(d.end),
                },
                chunk: seen[d.task],
                chunks: counts[d.task],
                reasons,
            });
        }
        let planned_minutes = self.drafts.iter().map(|d| d.end - d.start).sum();

        let mut unplaced = Vec::new();
        let mut at_risk: Vec<AtRisk> = Vec::new();
        let mut late = vec![false; n];
        // Dependencies first, so a task knows whether what it waits for is late.
        let mut in_topo = vec![false; n];
        for &i in &self.topo {
            in_topo[i] = true;
        }
        let order: Vec<usize> = self
            .topo
            .iter()
            .copied()
            .chain((0..n).filter(|&i| !in_topo[i]))
            .collect();
        for i in order {
            let t = &self.items[i];
            if t.total == 0 && t.status == Status::Plannable {
                continue;
            }
            if let Some(u) = self.unplaced(i) {
                unplaced.push(u);
            }
            let Some(due) = t.deadline_in(self.cal.end) else {
                continue;
            };
            if t.status == Status::Duplicate {
                continue;
            }
            let met = self.rem[i] == 0 && last_end[i].is_some_and(|e| e <= due);
            if met {
                continue;
            }
            late[i] = true;
            let (code, why) = self.risk(i, due, &late, before_due[i]);
            let short = t.total - before_due[i];
            let mut text = why;
            if t.status == Status::Plannable {
                let after = after_due[i];
                if after > 0
                    && let Some(e) = last_end[i]
                {
                    let (after, end) = (fmt_minutes(after), self.cal.day_time(e));
                    text += &if self.rem[i] == 0 {
                        format!("; {after} planned after the deadline, done {end}")
                    } else {
                        format!("; {after} planned after the deadline (until {end})")
                    };
                }
                if self.rem[i] > 0 {
                    text += &format!(
                        "; {} does not fit in the planning window",
                        fmt_minutes(self.rem[i])
                    );
                }
            }
            at_risk.push(AtRisk {
                task: t.task.key.clone(),
                code,
                deadline: ts_of(due),
                short_minutes: short,
                text,
            });
        }
        at_risk.sort_by(|a, b| (a.deadline, &a.task).cmp(&(b.deadline, &b.task)));
        unplaced.sort_by(|a: &Unplaced, b| a.task.cmp(&b.task));
        Plan {
            blocks,
            at_risk,
            unplaced,
            notes: self.notes,
            free_minutes: self.cal.all.total(),
            planned_minutes,
        }
    }

    fn title(&self, i: usize) -> &str {
        &self.items[i].task.title
    }

    fn choice_reason(&self, d: &Draft) -> PlanReason {
        let t = &self.items[d.task];
        let (code, text) = match d.choice {
            Choice::Priority { ready: 1, .. } => (
                PlanReasonCode::HighestPriority,
                "the only task ready then".to_string(),
            ),
            Choice::Priority {
                ready,
                gave_way: Some(g),
            } => (
                PlanReasonCode::HighestPriority,
                if ready == 2 {
                    format!(
                        "the only other task ready then (‘{}’ just had a block)",
                        self.title(g)
                    )
                } else {
                    format!(
                        "highest priority of the other {} tasks ready then (‘{}’ just had a block)",
                        ready - 1,
                        self.title(g)
                    )
                },
            ),
            Choice::Priority {
                ready,
                gave_way: None,
            } => (
                PlanReasonCode::HighestPriority,
                format!("highest priority of the {ready} tasks ready then"),
            ),
            Choice::AtRisk => {
                let due = t.deadline.unwrap_or(NEVER);
                let text = if due <= self.cal.t0 {
                    format!(
                        "overdue (was due {}), so it goes before other work",
                        self.cal.deadline(due)
                    )
                } else {
                    format!(
                        "due {} and at risk, so it goes before other work",
                        self.cal.deadline(due)
                    )
                };
                (PlanReasonCode::DeadlineAtRisk, text)
            }
            Choice::Deadline { from, over } => {
                let due = self.items[from].deadline.unwrap_or(NEVER);
                let mut text = if from == d.task {
                    format!("earliest deadline: due {}", self.cal.deadline(due))
                } else {
                    format!(
                        "earliest deadline: ‘{}’ waits for it and is due {}",
                        self.title(from),
                        self.cal.deadline(due)
                    )
                };
                if let Some(o) = over {
                    text += &format!(
                        "; goes before ‘{}’ so every deadline can still be met",
                        self.title(o)
                    );
                }
                (PlanReasonCode::EarliestDeadline, text)
            }
        };
        PlanReason { code, text }
    }

    fn place_reason(&self, d: &Draft) -> PlanReason {
        let cal = &self.cal;
        let (code, text) = match d.place {
            Where::Dependency(dep) => (
                PlanReasonCode::AfterDependency,
                format!("after ‘{}’, which it depends on", self.title(dep)),
            ),
            Where::StartDate => (
                PlanReasonCode::AfterStartDate,
                format!(
                    "not before its start date {}",
                    cal.day_or_time(self.items[d.task].release)
                ),
            ),
            Where::Block(j) if j == d.task => (
                PlanReasonCode::FirstFreeTime,
                "straight on from its previous part".to_string(),
            ),
            Where::Block(j) => (
                PlanReasonCode::FirstFreeTime,
                format!("first free time after ‘{}’", self.title(j)),
            ),
            Where::Gap(after) => (PlanReasonCode::FirstFreeTime, self.after_text(after)),
        };
        PlanReason { code, text }
    }

    fn after_text(&self, after: After) -> String {
        let cal = &self.cal;
        match after {
            After::Now => "first free time from now".into(),
            After::DayStart => "first free time: the start of the working day".into(),
            After::Lunch => "first free time after lunch".into(),
            After::TimeOff => "first free time after time off".into(),
            After::Unknown => "first free time".into(),
            After::Busy(o) => {
                let Some(ob) = cal.obstacles.get(o) else {
                    return "first free time".into();
                };
                let b = &self.input.busy[ob.block];
                let span = format!(
                    "{}–{}",
                    cal.clock(floor_min(b.range.start)),
                    cal.clock(ceil_min(b.range.end))
                );
                let noun = match b.category {
                    Category::Meeting => "meeting",
                    Category::Focus => "focus block",
                    Category::Travel => "journey",
                    Category::Personal => "appointment",
                    Category::Hold => "hold",
                    Category::Task => "task block",
                };
                let tentative = if b.tentative { " (tentative)" } else { "" };
                let title = b.title.as_deref().map(|t| format!(" ‘{t}’")).unwrap_or_default();
                let buffer = if ob.buffer_after > 0 {
                    format!(" and its {} buffer", fmt_minutes(ob.buffer_after))
                } else {
                    String::new()
                };
                format!("first free time after the {span} {noun}{title}{tentative}{buffer}")
            }
        }
    }

    /// Why work of task `i` was not planned, if some was not.
    fn unplaced(&self, i: usize) -> Option<Unplaced> {
        let t = &self.items[i];
        let cal = &self.cal;
        let (code, minutes, text) = match &t.status {
            Status::Duplicate => (
                UnplacedCode::DuplicateKey,
                t.total,
                format!(
                    "another task has the key ‘{}’; only the first one given is planned",
                    t.task.key
                ),
            ),
            Status::Cycle(path) => (
                UnplacedCode::DependencyCycle,
                t.total,
                format!("its dependencies go round in a circle: {}", self.path_text(path)),
            ),
            Status::Blocked(j) => (
                UnplacedCode::WaitsForDependency,
                t.total,
                format!("waits for ‘{}’, which cannot be planned", self.title(*j)),
            ),
            Status::AfterWindow => (
                UnplacedCode::StartsAfterWindow,
                t.total,
                format!(
                    "its start date {} is after the planning window, which ends {}",
                    cal.day_or_time(t.release),
                    cal.day_time(cal.end)
                ),
            ),
            Status::Plannable if self.rem[i] > 0 => {
                let rem = self.rem[i];
                match t.preds.iter().find(|&&p| self.rem[p] > 0) {
                    Some(&p) => (
                        UnplacedCode::WaitsForDependency,
                        rem,
                        format!(
                            "waits for ‘{}’, which does not all fit in the planning window",
                            self.title(p)
                        ),
                    ),
                    None => {
                        let what = if rem == t.total {
                            "does not fit".to_string()
                        } else {
                            format!("{} of {} do not fit", fmt_minutes(rem), fmt_minutes(t.total))
                        };
                        (
                            UnplacedCode::DoesNotFit,
                            rem,
                            format!(
                                "{what} in the free time left in the planning window (until {})",
                                cal.day_time(cal.end)
                            ),
                        )
                    }
                }
            }
            Status::Plannable => return None,
        };
        Some(Unplaced {
            task: t.task.key.clone(),
            code,
            minutes,
            text,
        })
    }

    /// Why task `i` misses its deadline `due` (`late` marks the tasks already
    /// found late; `done_by_due` is how much of it is planned before `due`).
    fn risk(&self, i: usize, due: i64, late: &[bool], done_by_due: i64) -> (RiskCode, String) {
        let t = &self.items[i];
        let cal = &self.cal;
        let d = cal.deadline(due);
        let need = fmt_minutes(t.total);
        match &t.status {
            Status::Cycle(path) => {
                return (
                    RiskCode::DependencyCycle,
                    format!(
                        "due {d}; not planned: its dependencies go round in a circle ({})",
                        self.path_text(path)
                    ),
                );
            }
            Status::Blocked(j) => {
                return (
                    RiskCode::DependencyAtRisk,
                    format!("due {d}; waits for ‘{}’, which cannot be planned", self.title(*j)),
                );
            }
            Status::AfterWindow | Status::Duplicate | Status::Plannable => {}
        }
        if due <= cal.now {
            return (RiskCode::DeadlinePassed, format!("was due {d}"));
        }
        if t.release >= due {
            let text = match t.task.earliest_start {
                Some(s) if ceil_min(s) >= due => {
                    format!("due {d} but its start date is {}", cal.day_or_time(ceil_min(s)))
                }
                _ => format!(
                    "due {d}, before the planning window starts ({})",
                    cal.day_time(cal.t0)
                ),
            };
            return (RiskCode::StartsAfterDeadline, text);
        }
        if let Some(&p) = t.preds.iter().find(|&&p| self.rem[p] > 0) {
            return (
                RiskCode::DependencyAtRisk,
                format!(
                    "due {d}; waits for ‘{}’, which does not all fit in the planning window",
                    self.title(p)
                ),
            );
        }
        if let Some(p) = self.last_dep[i]
            && self.ready_at[i] > t.release
        {
            if late[p] {
                return (
                    RiskCode::DependencyAtRisk,
                    format!("due {d}; waits for ‘{}’, which is itself late", self.title(p)),
                );
            }
            if cal.all.between(self.ready_at[i], due) < t.total {
                return (
                    RiskCode::DependencyAtRisk,
                    format!(
                        "needs {need} before {d}; waits for ‘{}’, which is done only {}",
                        self.title(p),
                        cal.day_time(self.ready_at[i])
                    ),
                );
            }
        }
        let free = cal.all.between(t.release, due);
        if free == 0 {
            return (
                RiskCode::NoFreeTime,
                format!("needs {need} before {d}; there is no free working time before then"),
            );
        }
        let text = if free < t.total {
            format!(
                "needs {need} before {d}; only {} of free working time is left before then",
                fmt_minutes(free)
            )
        } else {
            format!(
                "needs {need} before {d}; only {} of it fits, the other free time before then goes to work \
                 due earlier or more important",
                fmt_minutes(done_by_due)
            )
        };
        (RiskCode::NotEnoughTime, text)
    }

    /// `‘A’ → ‘B’ → ‘A’`, each waiting for the next.
    fn path_text(&self, path: &[usize]) -> String {
        path.iter()
            .map(|&j| format!("‘{}’", self.title(j)))
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// The length of the next block of a task with `rem` minutes left in `room`
/// free minutes: all of it when it fits (and is not over `max`), else a part of
/// `min` to `max` minutes that leaves at least `min`; a shorter rest only when
/// no part could leave `min` (`rem` over `max` but under twice `min`).
fn chunk_len(rem: i64, room: i64, min: i64, max: i64) -> Option<i64> {
    if rem <= 0 || room <= 0 {
        return None;
    }
    if rem <= max && rem <= room {
        return Some(rem);
    }
    let part = room.min(max).min(rem - min);
    if part >= min {
        return Some(part);
    }
    if rem > max && max.min(rem - min) < min {
        let part = room.min(max);
        if part >= min {
            return Some(part);
        }
    }
    None
}

/// `45 min`, `2 h`, `4 h 15 min`.
fn fmt_minutes(m: i64) -> String {
    if m < 60 {
        format!("{m} min")
    } else if m % 60 == 0 {
        format!("{} h", m / 60)
    } else {
        format!("{} h {} min", m / 60, m % 60)
    }
}

/// Orders the tasks so dependencies come first, and marks those that cannot be
/// planned: in a cycle, starting after the window, or waiting for such a task.
/// Returns the plannable tasks in dependency order (ties by key).
fn order_dependencies(items: &mut [Item], end: i64) -> Vec<usize> {
    let n = items.len();
    let mut waiting: Vec<usize> = items.iter().map(|t| t.preds.len()).collect();
    let mut done = vec![false; n];
    let mut next: BinaryHeap<Reverse<usize>> = (0..n)
        .filter(|&i| items[i].status == Status::Plannable && waiting[i] == 0)
        .map(Reverse)
        .collect();
    let mut topo = Vec::with_capacity(n);
    while let Some(Reverse(i)) = next.pop() {
        done[i] = true;
        topo.push(i);
        for &j in &items[i].succs {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                next.push(Reverse(j));
            }
        }
    }
    // What is left is in a cycle or waits for one.
    let rest: Vec<usize> = (0..n)
        .filter(|&i| items[i].status == Status::Plannable && !done[i])
        .collect();
    for &i in &rest {
        if let Some(path) = cycle_through(items, i, &done) {
            items[i].status = Status::Cycle(path);
        }
    }
    for &i in &rest {
        if items[i].status == Status::Plannable
            && let Some(&p) = items[i].preds.iter().find(|&&p| !done[p])
        {
            items[i].status = Status::Blocked(p);
        }
    }
    for &i in &topo {
        if items[i].total > 0 && items[i].release >= end {
            items[i].status = Status::AfterWindow;
        } else if let Some(&p) = items[i]
            .preds
            .iter()
            .find(|&&p| items[p].status != Status::Plannable)
        {
            items[i].status = Status::Blocked(p);
        }
    }
    topo.retain(|&i| items[i].status == Status::Plannable);
    topo
}

/// A cycle of dependencies through `start` among the tasks not `done`, as the
/// tasks from `start` back to it, each waiting for the next.
fn cycle_through(items: &[Item], start: usize, done: &[bool]) -> Option<Vec<usize>> {
    // Search along "is needed by" from `start`; the path found, reversed, reads
    // along "waits for".
    let mut parent = vec![usize::MAX; items.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &items[v].succs {
            if done[w] {
                continue;
            }
            if w == start {
                let mut path = vec![start, v];
                let mut x = v;
                while x != start {
                    x = parent[x];
                    path.push(x);
                }
                return Some(path);
            }
            if parent[w] == usize::MAX {
                parent[w] = v;
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::calendar::availability::{DateOverride, LocalSpan, OutOfOffice};
    use crate::calendar::time::Zone;
    use jiff::civil::date;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn range(a: &str, b: &str) -> TimeRange {
        TimeRange {
            start: ts(a),
            end: ts(b),
        }
    }

    /// Monday 9 March 2026 in UTC, 09:00–17:30, no lunch, planned from 08:00
    /// that day for a week.
    fn monday() -> PlanInput {
        let mut av = Availability::default_for(Zone::utc());
        av.lunch = None;
        PlanInput::new(
            ts("2026-03-09T08:00:00Z"),
            range("2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z"),
            av,
        )
    }

    fn busy(a: &str, b: &str, category: Category, title: &str) -> BusyBlock {
        let mut block = BusyBlock::new(range(a, b));
        block.category = category;
        block.title = Some(title.into());
        block
    }

    fn meeting(a: &str, b: &str) -> BusyBlock {
        busy(a, b, Category::Meeting, "Standup")
    }

    fn task(key: &str, minutes: u32) -> PlanTask {
        PlanTask::new(key, format!("Task {key}"), minutes)
    }

    /// `(task, start, end)` of every block, instants in UTC.
    fn spans(p: &Plan) -> Vec<(String, String, String)> {
        p.blocks
            .iter()
            .map(|b| (b.task.clone(), b.range.start.to_string(), b.range.end.to_string()))
            .collect()
    }

    fn span(task: &str, a: &str, b: &str) -> (String, String, String) {
        (task.into(), a.into(), b.into())
    }

    fn texts(b: &PlannedBlock) -> Vec<&str> {
        b.reasons.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn a_task_goes_into_the_only_gap() {
        let mut input = monday();
        input.busy = vec![
            meeting("2026-03-09T09:00:00Z", "2026-03-09T11:00:00Z"),
            meeting("2026-03-09T11:45:00Z", "2026-03-09T17:30:00Z"),
        ];
        input.window = range("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
        input.tasks = vec![task("a", 45)];
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [span("a", "2026-03-09T11:00:00Z", "2026-03-09T11:45:00Z")]
        );
        assert_eq!(
            texts(&p.blocks[0]),
            [
                "the only task ready then",
                "first free time after the 09:00–11:00 meeting ‘Standup’"
            ]
        );
        assert_eq!((p.free_minutes, p.planned_minutes), (45, 45));
        assert!(p.at_risk.is_empty() && p.unplaced.is_empty());
        // 50 minutes neither fit nor split (a part would leave less than the
        // minimum): reported, not squeezed in.
        input.tasks = vec![task("a", 50)];
        let p = plan(&input);
        assert!(p.blocks.is_empty());
        assert_eq!(p.unplaced[0].code, UnplacedCode::DoesNotFit);
        assert_eq!(p.unplaced[0].minutes, 50);
        // An hour is split: half an hour now, the rest does not fit.
        input.tasks = vec![task("a", 60)];
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [span("a", "2026-03-09T11:00:00Z", "2026-03-09T11:30:00Z")]
        );
        assert_eq!(p.unplaced[0].minutes, 30);
    }

    #[test]
    fn meetings_keep_their_buffers() {
        let mut input = monday();
        input.availability.buffer_before = 15;
        input.availability.buffer_after = 15;
        input.busy = vec![
            meeting("2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z"),
            meeting("2026-03-09T11:30:00Z", "2026-03-09T17:30:00Z"),
        ];
        input.tasks = vec![task("a", 60), task("b", 75)];
        input.tasks[0].priority = 5;
        let p = plan(&input);
        // 10:15–11:15 is the only free hour on Monday.
        assert_eq!(
            spans(&p),
            [
                span("a", "2026-03-09T10:15:00Z", "2026-03-09T11:15:00Z"),
                span("b", "2026-03-10T09:00:00Z", "2026-03-10T10:15:00Z"),
            ]
        );
        assert_eq!(
            p.blocks[0].reasons[1].text,
            "first free time after the 09:00–10:00 meeting ‘Standup’ and its 15 min buffer"
        );
        assert_eq!(
            p.blocks[1].reasons[1].text,
            "first free time: the start of the working day"
        );
    }

    #[test]
    fn lunch_is_kept_free() {
        let mut input = monday();
        input.availability.lunch = Some(LocalSpan::hm(12, 30, 13, 30));
        input.busy = vec![meeting("2026-03-09T09:00:00Z", "2026-03-09T12:00:00Z")];
        input.tasks = vec![task("a", 45)];
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [span("a", "2026-03-09T13:30:00Z", "2026-03-09T14:15:00Z")]
        );
        assert_eq!(p.blocks[0].reasons[1].text, "first free time after lunch");
        // An hour may be split around it.
        input.tasks = vec![task("b", 60)];
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [
                span("b", "2026-03-09T12:00:00Z", "2026-03-09T12:30:00Z"),
                span("b", "2026-03-09T13:30:00Z", "2026-03-09T14:00:00Z"),
            ]
        );
    }

    #[test]
    fn focus_blocks_holds_and_tentative_meetings_are_not_planned_over() {
        let mut input = monday();
        input.availability.buffer_after = 30;
        let mut tentative = meeting("2026-03-09T14:00:00Z", "2026-03-09T15:00:00Z");
        tentative.tentative = true;
        input.busy = vec![
            busy(
                "2026-03-09T09:00:00Z",
                "2026-03-09T12:00:00Z",
                Category::Focus,
                "Deep work",
            ),
            busy(
                "2026-03-09T13:00:00Z",
                "2026-03-09T14:00:00Z",
                Category::Hold,
                "Board prep",
            ),
            tentative,
            busy(
                "2026-03-09T15:30:00Z",
                "2026-03-09T17:30:00Z",
                Category::Travel,
                "Train",
            ),
        ];
        input.tasks = vec![task("a", 60), task("b", 30)];
        input.tasks[0].priority = 2;
        let p = plan(&input);
        // No buffer after a focus block: the hour 12:00–13:00 is free. The hold
        // (13:00–14:00) and the tentative meeting (14:00–15:00) keep their
        // buffers, which leave nothing before the train at 15:30.
        assert_eq!(
            spans(&p),
            [
                span("a", "2026-03-09T12:00:00Z", "2026-03-09T13:00:00Z"),
                span("b", "2026-03-10T09:00:00Z", "2026-03-10T09:30:00Z"),
            ]
        );
        assert_eq!(
            p.blocks[0].reasons[1].text,
            "first free time after the 09:00–12:00 focus block ‘Deep work’"
        );
    }

    #[test]
    fn out_of_office_is_not_working_time() {
        let mut input = monday();
        input.availability.out_of_office = vec![OutOfOffice::Dates {
            first: date(2026, 3, 9),
            last: date(2026, 3, 10),
        }];
        input.tasks = vec![task("a", 60)];
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [span("a", "2026-03-11T09:00:00Z", "2026-03-11T10:00:00Z")]
        );
        assert_eq!(p.free_minutes, 3 * 510);
    }

    #[test]
    fn long_tasks_are_split_into_sittings() {
        let mut input = monday();
        input.tasks = vec![task("long", 300), task("short", 60)];
        input.tasks[0].priority = 9;
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [
                span("long", "2026-03-09T09:00:00Z", "2026-03-09T11:00:00Z"),
                span("short", "2026-03-09T11:00:00Z", "2026-03-09T12:00:00Z"),
                span("long", "2026-03-09T12:00:00Z", "2026-03-09T14:00:00Z"),
                // Alone now, the rest follows on.
                span("long", "2026-03-09T14:00:00Z", "2026-03-09T15:00:00Z"),
            ]
        );
        let long: Vec<(u32, u32)> = p
            .blocks
            .iter()
            .filter(|b| b.task == "long")
            .map(|b| (b.chunk, b.chunks))
            .collect();
        assert_eq!(long, [(1, 3), (2, 3), (3, 3)]);
        assert_eq!(
            texts(&p.blocks[1]),
            [
                "the only other task ready then (‘Task long’ just had a block)",
                "first free time after ‘Task long’"
            ]
        );
        assert_eq!(p.blocks[3].reasons[2].text, "part 3 of 3");
        assert_eq!(p.planned_minutes, 360);
    }

    #[test]
    fn short_gaps_take_only_tasks_that_fit_whole() {
        let mut input = monday();
        input.window = range("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
        // Free: 09:00–09:20, 10:00–10:20, 11:00–11:45.
        input.busy = vec![
            meeting("2026-03-09T09:20:00Z", "2026-03-09T10:00:00Z"),
            meeting("2026-03-09T10:20:00Z", "2026-03-09T11:00:00Z"),
            meeting("2026-03-09T11:45:00Z", "2026-03-09T17:30:00Z"),
        ];
        input.tasks = vec![task("a", 60), task("b", 15)];
        input.tasks[0].priority = 3;
        let p = plan(&input);
        // The 15-minute task takes the first short gap whole; the hour gets only
        // 30 minutes of 11:00–11:45, as a part never leaves less than the minimum.
        assert_eq!(
            spans(&p),
            [
                span("b", "2026-03-09T09:00:00Z", "2026-03-09T09:15:00Z"),
                span("a", "2026-03-09T11:00:00Z", "2026-03-09T11:30:00Z"),
            ]
        );
        assert_eq!(p.unplaced[0].minutes, 30);
        assert_eq!(
            p.unplaced[0].text,
            "30 min of 1 h do not fit in the free time left in the planning window (until Tue 10 Mar 00:00)"
        );
        assert!(p.blocks.iter().all(|b| b.range.duration().as_mins() >= 15));
    }

    #[test]
    fn chunk_lengths() {
        // (left, room, min, max) → length
        let cases = [
            ((300, 600, 30, 120), Some(120)),
            ((140, 600, 30, 120), Some(110)),
            ((120, 600, 30, 120), Some(120)),
            ((90, 60, 30, 120), Some(60)),
            ((50, 40, 30, 120), None),
            ((20, 20, 30, 120), Some(20)),
            ((20, 15, 30, 120), None),
            ((50, 600, 30, 45), Some(45)),
            ((0, 600, 30, 120), None),
        ];
        for ((rem, room, min, max), want) in cases {
            assert_eq!(chunk_len(rem, room, min, max), want, "{rem} {room} {min} {max}");
        }
    }

    #[test]
    fn free_time_arithmetic() {
        let f = Free::new(vec![(0, 10), (20, 30), (40, 50)]);
        assert_eq!(f.total(), 30);
        assert_eq!(
            (f.between(5, 25), f.between(10, 20), f.between(-5, 100)),
            (10, 0, 30)
        );
        // The latest start leaving 15 free minutes before 50: 25.
        assert_eq!(f.back_off(50, 15), 25);
        assert_eq!(f.back_off(50, 10), 40);
        assert_eq!(f.back_off(35, 0), 35);
        // Not enough: as far before the first free minute as the shortfall.
        assert_eq!(f.back_off(30, 25), -5);
    }

    #[test]
    fn dependencies_go_first() {
        let mut input = monday();
        input.tasks = vec![task("a", 60), task("b", 60), task("c", 30)];
        input.tasks[0].title = "Draft board pack".into();
        input.tasks[1].priority = 10;
        input.tasks[1].depends_on = vec!["a".into(), "ghost".into()];
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [
                span("a", "2026-03-09T09:00:00Z", "2026-03-09T10:00:00Z"),
                span("b", "2026-03-09T10:00:00Z", "2026-03-09T11:00:00Z"),
                span("c", "2026-03-09T11:00:00Z", "2026-03-09T11:30:00Z"),
            ]
        );
        assert_eq!(p.blocks[1].reasons[1].code, PlanReasonCode::AfterDependency);
        assert_eq!(
            p.blocks[1].reasons[1].text,
            "after ‘Draft board pack’, which it depends on"
        );
        assert_eq!(p.notes.len(), 1);
        assert_eq!(p.notes[0].code, NoteCode::UnknownDependency);
        assert!(p.notes[0].text.starts_with("depends on ‘ghost’"));
    }

    #[test]
    fn cycles_and_what_waits_for_them_are_reported() {
        let mut input = monday();
        input.tasks = vec![task("a", 60), task("b", 60), task("c", 60), task("d", 30)];
        input.tasks[0].depends_on = vec!["b".into()];
        input.tasks[1].depends_on = vec!["a".into()];
        input.tasks[2].depends_on = vec!["a".into()];
        input.tasks[2].deadline = Some(ts("2026-03-10T17:00:00Z"));
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [span("d", "2026-03-09T09:00:00Z", "2026-03-09T09:30:00Z")]
        );
        let codes: Vec<(&str, UnplacedCode)> = p.unplaced.iter().map(|u| (u.task.as_str(), u.code)).collect();
        assert_eq!(
            codes,
            [
                ("a", UnplacedCode::DependencyCycle),
                ("b", UnplacedCode::DependencyCycle),
                ("c", UnplacedCode::WaitsForDependency),
            ]
        );
        assert_eq!(
            p.unplaced[0].text,
            "its dependencies go round in a circle: ‘Task a’ → ‘Task b’ → ‘Task a’"
        );
        assert_eq!(p.at_risk.len(), 1);
        assert_eq!(p.at_risk[0].code, RiskCode::DependencyAtRisk);
        assert_eq!(p.at_risk[0].short_minutes, 60);
    }

    #[test]
    fn start_dates_hold_tasks_back() {
        let mut input = monday();
        input.tasks = vec![task("a", 60)];
        input.tasks[0].earliest_start = Some(ts("2026-03-10T00:00:00Z"));
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [span("a", "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")]
        );
        assert_eq!(p.blocks[0].reasons[1].code, PlanReasonCode::AfterStartDate);
        assert_eq!(
            p.blocks[0].reasons[1].text,
            "not before its start date Tue 10 Mar"
        );
        // A start date after the window.
        input.tasks[0].earliest_start = Some(ts("2026-04-01T00:00:00Z"));
        let p = plan(&input);
        assert_eq!(p.unplaced[0].code, UnplacedCode::StartsAfterWindow);
    }

    #[test]
    fn deadlines_go_first_only_when_at_stake() {
        let mut input = monday();
        input.window = range("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
        input.tasks = vec![task("important", 240), task("due", 120)];
        input.tasks[0].priority = 10;
        input.tasks[1].deadline = Some(ts("2026-03-09T17:00:00Z"));
        // Room for both before the deadline: the important task starts.
        let p = plan(&input);
        assert_eq!(p.blocks[0].task, "important");
        assert!(p.at_risk.is_empty());
        let due_end = p
            .blocks
            .iter()
            .filter(|b| b.task == "due")
            .map(|b| b.range.end)
            .max();
        assert!(due_end.unwrap() <= ts("2026-03-09T17:00:00Z"));
        // Due at 11:00: it must take the first two hours.
        input.tasks[1].deadline = Some(ts("2026-03-09T11:00:00Z"));
        let p = plan(&input);
        assert_eq!(
            spans(&p)[0],
            span("due", "2026-03-09T09:00:00Z", "2026-03-09T11:00:00Z")
        );
        assert_eq!(p.blocks[0].reasons[0].code, PlanReasonCode::EarliestDeadline);
        assert_eq!(
            p.blocks[0].reasons[0].text,
            "earliest deadline: due Mon 9 Mar 11:00; goes before ‘Task important’ so every deadline can \
             still be met"
        );
        assert!(p.at_risk.is_empty());
    }

    #[test]
    fn a_dependency_inherits_the_deadline_of_what_waits_for_it() {
        let mut input = monday();
        input.window = range("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
        input.tasks = vec![task("other", 240), task("pack", 120), task("send", 120)];
        input.tasks[0].priority = 10;
        input.tasks[1].title = "Draft board pack".into();
        input.tasks[2].title = "Send board pack".into();
        input.tasks[2].depends_on = vec!["pack".into()];
        input.tasks[2].deadline = Some(ts("2026-03-09T13:00:00Z"));
        let p = plan(&input);
        assert_eq!(
            spans(&p)[..2],
            [
                span("pack", "2026-03-09T09:00:00Z", "2026-03-09T11:00:00Z"),
                span("send", "2026-03-09T11:00:00Z", "2026-03-09T13:00:00Z"),
            ]
        );
        assert_eq!(
            p.blocks[0].reasons[0].text,
            "earliest deadline: ‘Send board pack’ waits for it and is due Mon 9 Mar 13:00; goes before \
             ‘Task other’ so every deadline can still be met"
        );
        assert!(p.at_risk.is_empty());
    }

    #[test]
    fn a_deadline_that_cannot_be_met_is_reported_with_the_shortfall() {
        let mut input = monday();
        input.busy = vec![meeting("2026-03-09T09:00:00Z", "2026-03-09T12:45:00Z")];
        input.tasks = vec![task("a", 360), task("b", 60)];
        input.tasks[0].deadline = Some(ts("2026-03-09T17:00:00Z"));
        input.tasks[1].priority = 100;
        let p = plan(&input);
        assert_eq!(p.at_risk.len(), 1);
        let r = &p.at_risk[0];
        assert_eq!(
            (r.task.as_str(), r.code, r.short_minutes),
            ("a", RiskCode::NotEnoughTime, 105)
        );
        assert_eq!(
            r.text,
            "needs 6 h before Mon 9 Mar 17:00; only 4 h 15 min of free working time is left before then; \
             1 h 45 min planned after the deadline, done Tue 10 Mar 10:15"
        );
        // The task at risk goes before the more important one, so that as
        // much as possible is done by its deadline.
        assert_eq!(p.blocks[0].task, "a");
        assert_eq!(p.blocks[0].reasons[0].code, PlanReasonCode::DeadlineAtRisk);
        assert_eq!(
            p.blocks[0].reasons[0].text,
            "due Mon 9 Mar 17:00 and at risk, so it goes before other work"
        );
        let before: i64 = p
            .blocks
            .iter()
            .filter(|b| b.task == "a" && b.range.end <= ts("2026-03-09T17:00:00Z"))
            .map(|b| b.range.duration().as_mins())
            .sum();
        assert_eq!(before, 240);
    }

    #[test]
    fn the_least_important_deadline_gives_way() {
        let mut input = monday();
        input.window = range("2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
        // 8.5 h free; both need 5 h by 17:00.
        input.tasks = vec![task("minor", 300), task("major", 300)];
        input.tasks[0].priority = 1;
        input.tasks[1].priority = 2;
        for t in &mut input.tasks {
            t.deadline = Some(ts("2026-03-09T17:00:00Z"));
        }
        let p = plan(&input);
        let risks: Vec<&str> = p.at_risk.iter().map(|r| r.task.as_str()).collect();
        assert_eq!(risks, ["minor"]);
        assert!(
            p.at_risk[0]
                .text
                .contains("goes to work due earlier or more important")
        );
        let major_end = p
            .blocks
            .iter()
            .filter(|b| b.task == "major")
            .map(|b| b.range.end)
            .max();
        assert!(major_end.unwrap() <= ts("2026-03-09T17:00:00Z"));
    }

    #[test]
    fn past_deadlines_and_start_dates_after_them() {
        let mut input = monday();
        input.tasks = vec![task("late", 60), task("odd", 60), task("fine", 60)];
        input.tasks[0].deadline = Some(ts("2026-03-06T17:00:00Z"));
        input.tasks[1].deadline = Some(ts("2026-03-10T12:00:00Z"));
        input.tasks[1].earliest_start = Some(ts("2026-03-11T00:00:00Z"));
        input.tasks[2].priority = 50;
        let p = plan(&input);
        assert_eq!(p.blocks[0].task, "late");
        assert_eq!(
            p.blocks[0].reasons[0].text,
            "overdue (was due Fri 6 Mar 17:00), so it goes before other work"
        );
        let risks: Vec<(&str, RiskCode)> = p.at_risk.iter().map(|r| (r.task.as_str(), r.code)).collect();
        assert_eq!(
            risks,
            [
                ("late", RiskCode::DeadlinePassed),
                ("odd", RiskCode::StartsAfterDeadline)
            ]
        );
        assert_eq!(
            p.at_risk[1].text,
            "due Tue 10 Mar 12:00 but its start date is Wed 11 Mar; 1 h planned after the deadline, done Wed 11 Mar 10:00"
        );
    }

    #[test]
    fn now_and_the_grid() {
        let mut input = monday();
        input.now = ts("2026-03-09T10:07:30Z");
        input.tasks = vec![task("a", 20), task("b", 30)];
        input.tasks[0].priority = 1;
        let p = plan(&input);
        // Starts on the quarter hour after now; the next block on the next one.
        assert_eq!(
            spans(&p),
            [
                span("a", "2026-03-09T10:15:00Z", "2026-03-09T10:35:00Z"),
                span("b", "2026-03-09T10:45:00Z", "2026-03-09T11:15:00Z"),
            ]
        );
        assert_eq!(p.blocks[0].reasons[1].text, "first free time from now");
    }

    #[test]
    fn working_hours_move_with_the_clock_on_the_dst_day() {
        // Amsterdam changes to summer time on Sunday 29 March 2026 at 02:00.
        let zone = Zone::parse("zone", "Europe/Amsterdam").unwrap();
        let mut av = Availability::default_for(zone);
        av.lunch = None;
        for d in [date(2026, 3, 28), date(2026, 3, 29)] {
            av.overrides.push(DateOverride {
                date: d,
                spans: vec![LocalSpan::hm(9, 0, 10, 0)],
            });
        }
        let mut input = PlanInput::new(
            ts("2026-03-27T18:00:00Z"),
            range("2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z"),
            av,
        );
        // A 45-minute grid does not divide the hour: it counts from local midnight.
        input.grid_minutes = 45;
        input.tasks = vec![task("sat", 60), task("sun", 45)];
        input.tasks[0].priority = 1;
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [
                // 09:00 CET and 09:00 CEST.
                span("sat", "2026-03-28T08:00:00Z", "2026-03-28T09:00:00Z"),
                span("sun", "2026-03-29T07:00:00Z", "2026-03-29T07:45:00Z"),
            ]
        );
        assert_eq!(p.free_minutes, 120);
        // After a meeting ending 09:10 local, the next 45-minute grid point is 09:45.
        input.busy = vec![meeting("2026-03-29T06:30:00Z", "2026-03-29T07:10:00Z")];
        input.tasks = vec![task("sun", 15)];
        input.tasks[0].earliest_start = Some(ts("2026-03-29T00:00:00Z"));
        let p = plan(&input);
        assert_eq!(
            spans(&p),
            [span("sun", "2026-03-29T07:45:00Z", "2026-03-29T08:00:00Z")]
        );
    }

    #[test]
    fn odd_input_never_panics() {
        let mut input = monday();
        input.min_chunk_minutes = 0;
        input.max_chunk_minutes = 5;
        input.grid_minutes = 0;
        input.availability.buffer_after = -20;
        input
            .busy
            .push(meeting("2026-03-09T10:00:00Z", "2026-03-09T10:00:00Z"));
        input.tasks = vec![task("a", 0), task("a", 45), task("b", 0), task("c", 50)];
        input.tasks[3].depends_on = vec!["b".into(), "c".into()];
        let p = plan(&input);
        assert!(p.unplaced.iter().any(|u| u.code == UnplacedCode::DuplicateKey));
        assert!(
            p.unplaced
                .iter()
                .any(|u| u.task == "c" && u.code == UnplacedCode::DependencyCycle)
        );
        // An empty window.
        input.window = range("2026-03-09T12:00:00Z", "2026-03-09T12:00:00Z");
        let p = plan(&input);
        assert!(p.blocks.is_empty() && p.free_minutes == 0);
    }

    #[test]
    fn plans_round_trip_as_json() {
        let mut input = monday();
        input.tasks = vec![task("a", 150), task("b", 30)];
        input.tasks[1].deadline = Some(ts("2026-03-09T07:30:00Z"));
        let p = plan(&input);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["blocks"][0]["reasons"][0]["code"], "deadline_at_risk");
        assert_eq!(json["at_risk"][0]["code"], "deadline_passed");
        let back: Plan = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
        let input_back: PlanInput = serde_json::from_value(serde_json::to_value(&input).unwrap()).unwrap();
        assert_eq!(input_back, input);
    }
}
