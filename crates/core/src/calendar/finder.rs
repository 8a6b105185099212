//! Finding a time for several people and a room: [`find`] ranks the possible
//! starts, [`why_not`] explains one start, [`propose_moves`] says which
//! lower-priority events could move when nothing fits.
//!
//! The input is already expanded: the caller turns recurring events into
//! occurrences and leaves out events that do not make anyone busy
//! (`free` transparency, cancelled). Nothing here reads the clock: `now` is part
//! of the request.
//!
//! # Rules
//!
//! Hard rules (a slot [`find`] returns never breaks one; [`why_not`] marks them
//! `blocking`), for every *required* participant:
//! - no overlap with a busy block widened by the person's buffers
//!   (`buffer_before` before it, `buffer_after` after it); tentative blocks
//!   count as busy (they are named "(tentative)"), instant-long ones do not;
//! - not out of office, not on a no-meeting day, not on a local day that already
//!   holds `max_meetings_per_day` meeting-category events;
//! - not before `now + min_notice`;
//! - not further than `max_outside_minutes` outside their working hours (the
//!   largest distance from any instant of the slot to their working time);
//! - travel: an in-person block at another place than the meeting must leave
//!   the travel time between them (the larger of travel and buffer applies).
//!   A meeting with no place (a call) needs no travel.
//!
//! and for the meeting: inside the window, not before `now`, and, when rooms are
//! offered or a room need is given, a room that is free, seats the need (or
//! everyone invited) and has every piece of equipment asked for.
//!
//! Soft rules lower the score and are explained in [`Slot::reasons`]: time
//! outside working hours, lunch, optional participants who are busy, the worst
//! local-time inconvenience across zones (fairness), free working time split
//! into pieces too short for focus work, a weekly focus goal put at risk, and
//! a room much larger than needed. The weights are the `WEIGHT_*` constants.
//!
//! # Method
//!
//! Each required participant's blocks are sorted once and merged into one list
//! of instants they cannot meet (busy and buffers, time off, no-meeting and
//! full days, notice, everything beyond the allowed distance from their hours).
//! The search window is narrowed by subtracting each list in turn (stopping as
//! soon as nothing is left), which leaves a short list of free stretches; only
//! grid starts inside them become candidates. Optional participants' blocks are
//! never sorted: each marks the candidates it touches in a bitset. Candidates
//! are scored in time order with a cursor into every per-person list, and the
//! best `max_results` are kept in a bounded heap; texts are written only for
//! those. Working hours are resolved once per zone and rule set. Work is done
//! in whole seconds.
//!
//! Starts lie on a grid of `step_minutes` counted from local midnight in the
//! zone of the participant (with known hours) whose key sorts first, so a
//! 15-minute grid falls on the quarter hours of every zone in use today
//! (offsets are whole quarter hours) and does not depend on the order
//! participants are listed in.

use crate::calendar::availability::{
    Availability, MAX_DAYS_RESOLVED, OutOfOffice, Span, SpanKind, normalise, push_merged, secs_ceil,
    secs_floor, subtract, to_ts, union,
};
use crate::calendar::event::{Category, Priority};
use crate::calendar::time::TimeRange;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

/// The grid used when a request gives no step.
pub const DEFAULT_STEP_MINUTES: u32 = 15;
/// How far outside working hours a slot may lie unless the request says otherwise.
pub const DEFAULT_MAX_OUTSIDE_MINUTES: u32 = 120;
/// The most a request may allow outside working hours (half a day).
pub const MAX_OUTSIDE_MINUTES: u32 = 720;

/// Score lost per minute a required participant's slot lies outside their hours.
pub const WEIGHT_OUTSIDE_HOURS: i64 = 10;
/// Score lost per minute of the worst participant's time outside hours, on top
/// (fairness: a slot that is a little late for two beats one very early for one).
pub const WEIGHT_FAIRNESS: i64 = 5;
/// Score lost per minute of a required participant's lunch taken.
pub const WEIGHT_LUNCH: i64 = 6;
/// Score lost per optional participant who is busy.
pub const WEIGHT_OPTIONAL_BUSY: i64 = 400;
/// Score lost per minute of free working time left in a piece too short for focus.
pub const WEIGHT_FRAGMENT: i64 = 3;
/// Score lost per participant whose weekly focus goal the slot puts (or keeps) out of reach.
pub const WEIGHT_FOCUS_GOAL: i64 = 300;
/// Score lost per spare seat in the chosen room (at most 25 seats counted).
pub const WEIGHT_ROOM_SPARE_SEAT: i64 = 2;

const MIN: i64 = 60;
const NEG_INF: i64 = i64::MIN / 4;
const POS_INF: i64 = i64::MAX / 4;
/// Outside-hours distances are capped here (a week) when scored, so sums cannot overflow.
const REACH_SCORE_CAP: i64 = 7 * 24 * 60;

/// One occurrence during which someone (or a room) is busy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusyBlock {
    pub range: TimeRange,
    pub category: Category,
    pub priority: Priority,
    pub tentative: bool,
    /// The event's id, for move proposals.
    pub event: Option<Arc<str>>,
    /// `None` when private: shown as "busy".
    pub title: Option<Arc<str>>,
    pub location: Option<Arc<str>>,
    /// Whether the person has to be somewhere (travel time matters).
    pub in_person: bool,
}

impl BusyBlock {
    /// A normal-priority, confirmed, private meeting at no place.
    pub fn new(range: TimeRange) -> BusyBlock {
        BusyBlock {
            range,
            category: Category::Meeting,
            priority: Priority::NORMAL,
            tentative: false,
            event: None,
            title: None,
            location: None,
            in_person: false,
        }
    }
}

/// Someone invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Person id or e-mail address; reasons name participants by it.
    pub key: String,
    pub name: String,
    pub required: bool,
    /// `None` for an outsider whose hours we do not know: only their busy
    /// blocks count.
    pub availability: Option<Availability>,
    pub busy: Vec<BusyBlock>,
}

/// A room the meeting could use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomCandidate {
    pub key: String,
    pub name: String,
    pub capacity: u32,
    pub equipment: Vec<String>,
    /// Where it is; the meeting's place when this room is chosen.
    pub location: Option<String>,
    pub busy: Vec<BusyBlock>,
}

/// What the room must offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomNeed {
    pub capacity: u32,
    /// Compared without regard to ASCII case.
    pub equipment: Vec<String>,
}

/// Minutes of travel between places.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TravelTimes {
    /// `(a, b, minutes)`, the same both ways; places compared without regard
    /// to ASCII case and surrounding blanks.
    pub pairs: Vec<(String, String, u32)>,
    /// Between any two different places not in `pairs`, or from an unknown place.
    pub default_minutes: u32,
}

impl TravelTimes {
    /// Minutes from `from` (unknown when `None`) to `to`; none when the
    /// meeting has no place, or both are the same place.
    pub fn minutes(&self, from: Option<&str>, to: Option<&str>) -> u32 {
        let Some(to) = to.and_then(place) else {
            return 0;
        };
        match from.and_then(place) {
            Some(f) if same_place(f, to) => 0,
            Some(f) => self
                .pairs
                .iter()
                .find(|(a, b, _)| {
                    (same_place(a, f) && same_place(b, to)) || (same_place(a, to) && same_place(b, f))
                })
                .map_or(self.default_minutes, |p| p.2),
            None => self.default_minutes,
        }
    }
}

/// What to find a time for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub duration: SignedDuration,
    /// Slots lie wholly inside it.
    pub window: TimeRange,
    pub now: Timestamp,
    pub participants: Vec<Participant>,
    /// When not empty (or when `room_need` is given) the meeting needs one of them.
    pub rooms: Vec<RoomCandidate>,
    pub room_need: Option<RoomNeed>,
    /// Where the meeting is when no room gives a place; `None` for a call.
    pub location: Option<String>,
    pub travel: TravelTimes,
    /// Of the meeting being planned: only less important events are proposed to move.
    pub priority: Priority,
    /// Minutes between candidate starts; 0 means [`DEFAULT_STEP_MINUTES`].
    pub step_minutes: u32,
    pub max_results: usize,
    /// How far outside a required participant's working hours a slot may lie
    /// (at most [`MAX_OUTSIDE_MINUTES`]).
    pub max_outside_minutes: u32,
}

impl Request {
    /// A request with no one yet: normal priority, 15-minute grid, 10 results,
    /// 120 minutes allowed outside hours, 30 minutes between unknown places.
    pub fn new(duration: SignedDuration, window: TimeRange, now: Timestamp) -> Request {
        Request {
            duration,
            window,
            now,
            participants: vec![],
            rooms: vec![],
            room_need: None,
            location: None,
            travel: TravelTimes {
                pairs: vec![],
                default_minutes: 30,
            },
            priority: Priority::NORMAL,
            step_minutes: DEFAULT_STEP_MINUTES,
            max_results: 10,
            max_outside_minutes: DEFAULT_MAX_OUTSIDE_MINUTES,
        }
    }
}

/// Why a time is good, bad or impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The request itself cannot be met (e.g. a duration of zero).
    InvalidRequest,
    OutsideWindow,
    /// Starts before `now`.
    Past,
    /// Sooner than the person's minimum notice.
    Notice,
    Busy,
    /// Inside the buffer a person keeps around a busy block.
    Buffer,
    OutOfOffice,
    NoMeetingDay,
    MaxMeetings,
    Travel,
    /// Outside a required participant's working hours (blocking beyond the cap).
    OutsideHours,
    RoomTaken,
    RoomTooSmall,
    RoomEquipment,
    /// A room is needed and none is offered.
    NoRoom,
    Lunch,
    OptionalBusy,
    /// The local times in each zone, and how fair they are.
    TimeZones,
    FocusFragmented,
    FocusGoal,
    /// Good: inside everyone's working hours.
    InsideHours,
    /// Good: every optional participant can come.
    OptionalFree,
    /// The room chosen.
    Room,
}

/// One reason, for people (`text`) and for programs (`code`, `who`, `minutes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    /// The participant's key (or the room's, for room reasons).
    pub who: Option<String>,
    /// How many minutes are at stake, where that means something.
    pub minutes: Option<i64>,
    pub text: String,
    /// Whether it rules the time out.
    pub blocking: bool,
}

/// A time the meeting could take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub range: TimeRange,
    /// The chosen room's key.
    pub room: Option<String>,
    /// Higher is better; 0 means nothing against it.
    pub score: i64,
    pub reasons: Vec<Reason>,
    /// The start in each participant zone, in the order participants are
    /// listed: `("Europe/Amsterdam", "14:00")`.
    pub local_times: Vec<(String, String)>,
}

/// A time that would work if some events moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveProposal {
    pub slot: TimeRange,
    pub room: Option<String>,
    pub moves: Vec<ProposedMove>,
    /// The slot's score as [`find`] would give it.
    pub score: i64,
    pub text: String,
}

/// One event that would have to move (one entry per participant holding it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedMove {
    /// The participant's key.
    pub who: String,
    pub event: Option<String>,
    /// "busy" when private.
    pub title: String,
    pub priority: Priority,
    pub range: TimeRange,
}

/// The best slots, best first (higher score, then earlier start), at most
/// `max_results`, one per start (with the smallest suitable free room).
pub fn find(req: &Request) -> Vec<Slot> {
    let k = req.max_results;
    if k == 0 {
        return vec![];
    }
    let ws = secs_floor(req.window.start);
    let Ok(ctx) = Ctx::new(req, ws, secs_floor(req.window.end), Mode::Find) else {
        return vec![];
    };
    if ctx.hopeless {
        return vec![];
    }
    let cands = ctx.candidates(false);
    let marks = ctx.optional_marks(&cands);
    let mut cur = ctx.cursors();
    // A max-heap whose top is the worst kept slot: lower score, then later start.
    let mut heap: BinaryHeap<(Reverse<i64>, i64, usize)> =
        BinaryHeap::with_capacity(k.min(cands.len()).saturating_add(1));
    for (c, &(s, room)) in cands.iter().enumerate() {
        let score = ctx.soft(s, room, &mut cur, ctx.marks_of(&marks, c), None);
        if heap.len() == k && heap.peek().is_some_and(|w| (Reverse(score), s) >= (w.0, w.1)) {
            continue;
        }
        heap.push((Reverse(score), s, c));
        if heap.len() > k {
            heap.pop();
        }
    }
    let mut best = heap.into_vec();
    best.sort_unstable();
    best.into_iter()
        .map(|(_, _, c)| ctx.slot(cands[c].0, cands[c].1, ctx.marks_of(&marks, c)))
        .collect()
}

/// Every reason the meeting cannot (`blocking`) or should not start at
/// `start` (whole seconds), blocking ones first. Empty of blocking reasons
/// exactly when [`find`] could return that start (given a grid that has it).
pub fn why_not(req: &Request, start: Timestamp) -> Vec<Reason> {
    let s = secs_floor(start);
    let d = req.duration.as_secs();
    let ctx = match Ctx::new(req, s, s.saturating_add(d.max(0)), Mode::Explain) {
        Ok(c) => c,
        Err(r) => return vec![r],
    };
    let mut out = Vec::new();
    let room = ctx.hard(s, &mut out);
    let mut cur = ctx.cursors();
    ctx.soft(s, room, &mut cur, Optional::Scan, Some(&mut out));
    out.sort_by_key(|r| !r.blocking);
    out
}

/// Slots that would be free if some events of required participants moved:
/// only events less important than the request (a higher priority number)
/// that are not travel or personal time; rooms and time off never move.
/// Ranked by fewest events to move, then the least important ones (the sum of
/// their importance, 5 − priority), then score, then earlier start; at most
/// `max`, each needing at least one move. Nothing is changed.
pub fn propose_moves(req: &Request, max: usize) -> Vec<MoveProposal> {
    if max == 0 {
        return vec![];
    }
    let ws = secs_floor(req.window.start);
    let Ok(ctx) = Ctx::new(req, ws, secs_floor(req.window.end), Mode::Moves) else {
        return vec![];
    };
    // One candidate per start and place: a start that some room makes free
    // needs no move, and otherwise the room needing the fewest moves is taken.
    let cands = ctx.candidates(true);
    let marks = ctx.optional_marks(&cands);
    let mut cur = ctx.cursors();
    let mut hits: Vec<(usize, usize)> = Vec::new();
    type Key = (usize, i64, Reverse<i64>, i64, Option<usize>);
    let mut heap: BinaryHeap<Key> = BinaryHeap::with_capacity(max.min(cands.len()).saturating_add(1));
    let mut i = 0;
    while i < cands.len() {
        let s = cands[i].0;
        let mut best: Option<(usize, i64, usize)> = None;
        let mut free = false;
        while i < cands.len() && cands[i].0 == s {
            hits.clear();
            ctx.conflicts(s, ctx.place_of(cands[i].1), &mut hits);
            let (count, weight) = ctx.move_cost(&hits);
            free |= count == 0;
            if best.is_none_or(|b| (count, weight) < (b.0, b.1)) {
                best = Some((count, weight, i));
            }
            i += 1;
        }
        let Some((count, weight, c)) = best else { continue };
        if free || (heap.len() == max && heap.peek().is_some_and(|w| (count, weight) > (w.0, w.1))) {
            continue;
        }
        let room = cands[c].1;
        let score = ctx.soft(s, room, &mut cur, ctx.marks_of(&marks, c), None);
        heap.push((count, weight, Reverse(score), s, room));
        if heap.len() > max {
            heap.pop();
        }
    }
    let mut best = heap.into_vec();
    best.sort_unstable();
    best.into_iter()
        .map(|(_, _, Reverse(score), s, room)| ctx.proposal(s, room, score))
        .collect()
}

// ---- Preparation ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Ranking starts: may stop early when nothing can fit.
    Find,
    /// Explaining one start: everyone is prepared.
    Explain,
    /// Blocks that could move are kept apart rather than blocking.
    Moves,
}

/// A zone in use, with the start of each local day of the horizon.
struct ZoneInfo<'r> {
    name: &'r str,
    tz: &'r TimeZone,
    city: String,
    dates: Vec<Date>,
    /// `starts[i]` is when `dates[i]` begins; one more entry ends the last day.
    starts: Vec<i64>,
    /// Whether the zone's offset stays the same all through `dates[i]`.
    plain: Vec<bool>,
}

#[derive(Debug, Clone, Copy)]
enum DayRule {
    NoMeeting(Date),
    Full { date: Date, count: u32, max: u32 },
}

/// A participant, prepared.
struct Person<'r> {
    part: &'r Participant,
    av: Option<&'r Availability>,
    zone: Option<usize>,
    /// Required participants: every block (index into `part.busy`) by start.
    raw: Vec<(Span, usize)>,
    /// Required participants: every instant they cannot meet, merged (travel apart).
    blocked: Vec<Span>,
    /// In-person blocks that do not move, sorted by start.
    in_person: Vec<(Span, usize)>,
    /// Blocks that could move (propose mode), sorted by start.
    movable: Vec<(Span, usize)>,
    /// The longest block, to bound how far back a look-up must reach.
    longest: i64,
    before: i64,
    after: i64,
    notice: i64,
    /// Index of the person's resolved hours in `Ctx::sets` (0: none known).
    set: usize,
    /// Working time less time off and busy time other than focus blocks.
    free_work: Vec<Span>,
    min_block: i64,
    goal: i64,
    /// Each local week and its focus time in seconds.
    weeks: Vec<(Span, i64)>,
    ooo: Vec<(Span, usize)>,
    days: Vec<(Span, DayRule)>,
}

impl Person<'_> {
    fn name(&self) -> &str {
        let n = self.part.name.trim();
        if n.is_empty() { &self.part.key } else { n }
    }
}

/// Working hours resolved once for everyone sharing a zone and rules.
struct HourSet<'r> {
    zone: usize,
    av: Option<&'r Availability>,
    hours: Vec<Span>,
    lunch: Vec<Span>,
    /// Everything further than the cap from `hours`.
    outside: Vec<Span>,
}

impl HourSet<'_> {
    /// Whether someone in zone `z` with rules `a` has exactly these hours.
    fn shares(&self, z: usize, a: &Availability) -> bool {
        self.zone == z
            && self.av.is_some_and(|b| {
                b.working_hours == a.working_hours && b.overrides == a.overrides && b.lunch == a.lunch
            })
    }
}

struct Room<'r> {
    room: &'r RoomCandidate,
    busy: Vec<Span>,
    place: Option<&'r str>,
}

/// How `soft` learns which optional participants are busy.
#[derive(Debug, Clone, Copy)]
enum Optional<'m> {
    /// One bit per optional participant, in participant order.
    Marks(&'m [u64]),
    /// Look through their calendars (one start only).
    Scan,
}

/// Per-person positions in the sorted lists, for starts that only grow.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    hours: usize,
    lunch: usize,
    free: usize,
    week: usize,
}

struct Ctx<'r> {
    req: &'r Request,
    d: i64,
    ws: i64,
    we: i64,
    now: i64,
    step: i64,
    /// Starts `s` with `(s + phase) % step == 0` are on the grid.
    phase: i64,
    cap: i64,
    max_travel: i64,
    /// Travel pairs, trimmed, in seconds.
    pairs: Vec<(&'r str, &'r str, i64)>,
    default_travel: i64,
    zones: Vec<ZoneInfo<'r>>,
    /// Resolved hours; the first is the empty set of people with unknown hours.
    sets: Vec<HourSet<'r>>,
    people: Vec<Person<'r>>,
    /// Blocks wholly outside `[hz_lo, hz_hi)` are ignored.
    hz_lo: i64,
    hz_hi: i64,
    /// The suitable rooms, best first.
    rooms: Vec<Room<'r>>,
    room_needed: bool,
    seats: u32,
    /// 64-bit words per candidate in the optional-busy marks.
    words: usize,
    /// Nothing can fit (and not everyone was prepared).
    hopeless: bool,
    /// Indices into `people` of the required and the optional participants.
    required: Vec<usize>,
    optional: Vec<usize>,
    utc: TimeZone,
}

impl<'r> Ctx<'r> {
    /// Prepares `req` for slots in the horizon `[hz_start, hz_end]`.
    fn new(req: &'r Request, hz_start: i64, hz_end: i64, mode: Mode) -> Result<Ctx<'r>, Reason> {
        let d = req.duration.as_secs();
        if d <= 0 {
            return Err(reason(
                ReasonCode::InvalidRequest,
                None,
                None,
                "the meeting must last longer than zero".into(),
                true,
            ));
        }
        let step = i64::from(if req.step_minutes == 0 {
            DEFAULT_STEP_MINUTES
        } else {
            req.step_minutes.min(24 * 60)
        }) * MIN;
        let cap = i64::from(req.max_outside_minutes.min(MAX_OUTSIDE_MINUTES)) * MIN;
        let max_travel = i64::from(
            req.travel
                .pairs
                .iter()
                .map(|p| p.2)
                .max()
                .unwrap_or(0)
                .max(req.travel.default_minutes),
        ) * MIN;
        let mut ctx = Ctx {
            req,
            d,
            // Rounded inwards, so no slot starts before the window (or now).
            ws: secs_ceil(req.window.start),
            we: secs_floor(req.window.end),
            now: secs_ceil(req.now),
            step,
            phase: 0,
            cap,
            max_travel,
            pairs: req
                .travel
                .pairs
                .iter()
                .map(|(a, b, m)| (a.trim(), b.trim(), i64::from(*m) * MIN))
                .collect(),
            default_travel: i64::from(req.travel.default_minutes) * MIN,
            zones: Vec::new(),
            sets: vec![HourSet {
                zone: 0,
                av: None,
                hours: vec![],
                lunch: vec![],
                outside: vec![],
            }],
            people: Vec::with_capacity(req.participants.len()),
            // The zone horizons reach at most eight days past the horizon; widening
            // by buffers (at most a day) and travel stays inside this margin.
            hz_lo: hz_start.saturating_sub(10 * 86_400 + max_travel),
            hz_hi: hz_end.saturating_add(10 * 86_400 + max_travel),
            rooms: Vec::new(),
            room_needed: req.room_need.is_some() || !req.rooms.is_empty(),
            seats: req
                .room_need
                .as_ref()
                .map_or(req.participants.len() as u32, |n| n.capacity),
            words: req
                .participants
                .iter()
                .filter(|p| !p.required)
                .count()
                .div_ceil(64),
            hopeless: false,
            required: Vec::new(),
            optional: Vec::new(),
            utc: TimeZone::UTC,
        };
        // Local days are resolved only in the zones of required participants:
        // the others' zones only name local times.
        for p in &req.participants {
            let Some(av) = &p.availability else { continue };
            match ctx.zones.iter().position(|z| z.name == av.zone.name()) {
                None => ctx.zones.push(zone_info(av, hz_start, hz_end, p.required)),
                Some(z) if p.required && ctx.zones[z].dates.is_empty() => {
                    ctx.zones[z] = zone_info(av, hz_start, hz_end, true);
                }
                Some(_) => {}
            }
        }
        // Grid phase: local midnight of the zone of the first key with known hours.
        let anchor = req
            .participants
            .iter()
            .filter_map(|p| p.availability.as_ref().map(|a| (&p.key, a)))
            .min_by(|a, b| a.0.cmp(b.0));
        if let Some((_, av)) = anchor {
            let off = i64::from(av.zone.tz().to_offset(req.window.start).seconds());
            ctx.phase = off.rem_euclid(step);
        }
        for p in req.participants.iter().filter(|p| p.required) {
            let Some(av) = &p.availability else { continue };
            let Some(z) = ctx.zones.iter().position(|z| z.name == av.zone.name()) else {
                continue;
            };
            if ctx.sets.iter().any(|h| h.shares(z, av)) {
                continue;
            }
            let (mut hours, mut lunch, mut outside) = (Vec::new(), Vec::new(), Vec::new());
            let zi = &ctx.zones[z];
            if let (Some(first), Some(last)) = (zi.dates.first(), zi.dates.last()) {
                let plain = |n: usize| zi.plain.get(n).copied().unwrap_or(false).then(|| zi.starts[n]);
                av.push_days(*first, *last, SpanKind::Hours, plain, &mut hours);
                av.push_days(*first, *last, SpanKind::Lunch, plain, &mut lunch);
            }
            normalise(&mut hours);
            normalise(&mut lunch);
            outside_cap(&hours, cap, &mut outside);
            ctx.sets.push(HourSet {
                zone: z,
                av: Some(av),
                hours,
                lunch,
                outside,
            });
        }
        // `find` stops preparing people once the time all required people
        // share so far is gone: every place's free time lies inside it.
        let mut shared = vec![Span {
            start: ctx.ws.max(ctx.now),
            end: ctx.we,
        }];
        let mut tmp = Vec::new();
        for p in &req.participants {
            let person = ctx.person(p, mode);
            if mode == Mode::Find && p.required {
                subtract(&shared, &person.blocked, d, &mut tmp);
                std::mem::swap(&mut shared, &mut tmp);
                if shared.is_empty() {
                    ctx.hopeless = true;
                    break;
                }
            }
            ctx.people.push(person);
        }
        for (i, p) in ctx.people.iter().enumerate() {
            if p.part.required {
                ctx.required.push(i);
            } else {
                ctx.optional.push(i);
            }
        }
        ctx.rooms = ctx.suitable_rooms();
        Ok(ctx)
    }

    fn person(&self, part: &'r Participant, mode: Mode) -> Person<'r> {
        let av = part.availability.as_ref();
        let zone = av.and_then(|a| self.zones.iter().position(|z| z.name == a.zone.name()));
        let minutes = |m: i32| i64::from(m.clamp(0, 24 * 60)) * MIN;
        let (before, after) = match (part.required, av) {
            (true, Some(a)) => (minutes(a.buffer_before), minutes(a.buffer_after)),
            _ => (0, 0),
        };
        let notice = match av {
            Some(a) => self.now + i64::from(a.min_notice.max(0)) * MIN,
            None => self.now,
        };
        let raw = if part.required {
            sorted_blocks(&part.busy, self.hz_lo, self.hz_hi)
        } else {
            // Optional people are never sorted: their blocks are marked on the
            // candidates (`optional_marks`) or scanned (`why_not`).
            Vec::new()
        };
        let longest = raw.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
        let movable_block = |b: &BusyBlock| {
            mode == Mode::Moves
                && part.required
                && b.priority.get() > self.req.priority.get()
                && !matches!(b.category, Category::Travel | Category::Personal)
        };
        let set = match (av, zone) {
            (Some(a), Some(z)) => self.sets.iter().position(|h| h.shares(z, a)).unwrap_or(0),
            _ => 0,
        };
        let mut person = Person {
            part,
            av,
            zone,
            set,
            blocked: Vec::new(),
            in_person: Vec::new(),
            movable: Vec::new(),
            longest,
            before,
            after,
            notice,
            free_work: Vec::new(),
            min_block: av.map_or(60, |a| a.focus_block_minutes()) * MIN,
            goal: av
                .and_then(|a| a.focus_goal)
                .map_or(0, |g| i64::from(g.weekly_minutes.max(0)) * MIN),
            weeks: Vec::new(),
            ooo: Vec::new(),
            days: Vec::new(),
            raw: Vec::new(),
        };
        if let Some(a) = av {
            person.ooo = a
                .out_of_office
                .iter()
                .enumerate()
                .map(|(i, o)| (Span::of_range(&o.range(&a.zone)), i))
                .filter(|(s, _)| s.start < s.end)
                .collect();
            person
                .ooo
                .sort_unstable_by(|a, b| a.0.start.cmp(&b.0.start).then(a.1.cmp(&b.1)));
        }
        let mut away: Vec<Span> = person.ooo.iter().map(|o| o.0).collect();
        normalise(&mut away);
        if !part.required {
            return person;
        }
        let mut tmp = Vec::new();
        // Widening every block by the same buffers keeps them in start order.
        let mut blocked: Vec<Span> = Vec::with_capacity(raw.len());
        for &(s, i) in &raw {
            let b = &part.busy[i];
            if movable_block(b) {
                person.movable.push((s, i));
                continue;
            }
            push_merged(
                &mut blocked,
                Span {
                    start: s.start - before,
                    end: s.end + after,
                },
            );
            if b.in_person {
                person.in_person.push((s, i));
            }
        }
        if let (Some(a), Some(z)) = (av, zone) {
            self.day_rules(&mut person, a, z, &raw);
            let days: Vec<Span> = person.days.iter().map(|d| d.0).collect();
            let notice_span = [Span {
                start: NEG_INF,
                end: notice,
            }];
            for extra in [
                &self.sets[set].outside[..],
                &days[..],
                &away[..],
                &notice_span[..],
            ] {
                if !extra.is_empty() {
                    union(&blocked, extra, &mut tmp);
                    std::mem::swap(&mut blocked, &mut tmp);
                }
            }
            // Focus accounting: scheduled focus blocks are focus time, not interruptions.
            let mut interrupts: Vec<Span> = Vec::with_capacity(raw.len());
            raw.iter()
                .filter(|r| part.busy[r.1].category != Category::Focus)
                .for_each(|r| push_merged(&mut interrupts, r.0));
            if !away.is_empty() {
                union(&interrupts, &away, &mut tmp);
                std::mem::swap(&mut interrupts, &mut tmp);
            }
            subtract(&self.sets[set].hours, &interrupts, 0, &mut person.free_work);
            if person.goal > 0 {
                person.weeks = weeks(&self.zones[z], &person.free_work, person.min_block);
            }
        }
        person.blocked = blocked;
        person.raw = raw;
        person
    }

    /// No-meeting days and days already holding the most meetings allowed.
    fn day_rules(&self, person: &mut Person<'r>, a: &Availability, z: usize, raw: &[(Span, usize)]) {
        let zi = &self.zones[z];
        let max = a.max_meetings_per_day.map(|m| m.max(0) as u32);
        let mut counts = vec![0u32; zi.dates.len()];
        if max.is_some() {
            for &(s, i) in raw {
                if person.part.busy[i].category == Category::Meeting
                    && let Some(day) = zi.day_of(s.start)
                {
                    counts[day] += 1;
                }
            }
        }
        for (i, date) in zi.dates.iter().enumerate() {
            let span = Span {
                start: zi.starts[i],
                end: zi.starts[i + 1],
            };
            if a.is_no_meeting_day(date.weekday()) {
                person.days.push((span, DayRule::NoMeeting(*date)));
            } else if let Some(m) = max
                && counts[i] >= m
            {
                person.days.push((
                    span,
                    DayRule::Full {
                        date: *date,
                        count: counts[i],
                        max: m,
                    },
                ));
            }
        }
    }

    fn suitable_rooms(&self) -> Vec<Room<'r>> {
        let need: &[String] = self.req.room_need.as_ref().map_or(&[], |n| &n.equipment);
        let mut rooms: Vec<(usize, &'r RoomCandidate)> = self
            .req
            .rooms
            .iter()
            .enumerate()
            .filter(|(_, r)| r.capacity >= self.seats && missing(r, need).next().is_none())
            .collect();
        rooms.sort_by(|a, b| (a.1.capacity, &a.1.key, a.0).cmp(&(b.1.capacity, &b.1.key, b.0)));
        rooms
            .into_iter()
            .map(|(_, room)| {
                let mut busy: Vec<Span> = room.busy.iter().map(|b| Span::of_range(&b.range)).collect();
                normalise(&mut busy);
                Room {
                    room,
                    busy,
                    place: room.location.as_deref().and_then(place).or(self
                        .req
                        .location
                        .as_deref()
                        .and_then(place)),
                }
            })
            .collect()
    }

    fn cursors(&self) -> Vec<Cursor> {
        vec![Cursor::default(); self.people.len()]
    }

    fn place_of(&self, room: Option<usize>) -> Option<&'r str> {
        match room {
            Some(r) => self.rooms[r].place,
            None => self.req.location.as_deref().and_then(place),
        }
    }

    /// Seconds of travel, as [`TravelTimes::minutes`] says (with the pairs trimmed once).
    fn travel(&self, from: Option<&str>, to: Option<&str>) -> i64 {
        let Some(to) = to.and_then(place) else {
            return 0;
        };
        let Some(from) = from.and_then(place) else {
            return self.default_travel;
        };
        if from.eq_ignore_ascii_case(to) {
            return 0;
        }
        self.pairs
            .iter()
            .find(|(a, b, _)| {
                (a.eq_ignore_ascii_case(from) && b.eq_ignore_ascii_case(to))
                    || (a.eq_ignore_ascii_case(to) && b.eq_ignore_ascii_case(from))
            })
            .map_or(self.default_travel, |p| p.2)
    }

    // ---- Search ----

    /// The free stretches (at least the duration long) every required
    /// participant shares when the meeting is at `place`.
    fn free_for(&self, place: Option<&str>) -> Vec<Span> {
        let start = self.ws.max(self.now);
        if self.we.saturating_sub(start) < self.d {
            return vec![];
        }
        let mut free = vec![Span { start, end: self.we }];
        let mut tmp = Vec::new();
        let mut trips = Vec::new();
        for p in self.people.iter().filter(|p| p.part.required) {
            subtract(&free, &p.blocked, self.d, &mut tmp);
            std::mem::swap(&mut free, &mut tmp);
            if place.is_some() && !p.in_person.is_empty() && !free.is_empty() {
                trips.clear();
                for &(s, i) in &p.in_person {
                    let t = self.travel(p.part.busy[i].location.as_deref(), place);
                    if t > 0 {
                        trips.push(Span {
                            start: s.start - t,
                            end: s.end + t,
                        });
                    }
                }
                normalise(&mut trips);
                subtract(&free, &trips, self.d, &mut tmp);
                std::mem::swap(&mut free, &mut tmp);
            }
            if free.is_empty() {
                break;
            }
        }
        free
    }

    /// Every start on the grid that breaks no hard rule, with its room (the
    /// best free one), in time order; with `per_place`, one per start and
    /// meeting place (rooms in different buildings need different travel).
    fn candidates(&self, per_place: bool) -> Vec<(i64, Option<usize>)> {
        let mut groups: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
        if self.room_needed {
            for (i, r) in self.rooms.iter().enumerate() {
                match groups.iter_mut().find(|g| same_opt(g.0, r.place)) {
                    Some(g) => g.1.push(i),
                    None => groups.push((r.place, vec![i])),
                }
            }
        } else {
            groups.push((self.req.location.as_deref().and_then(place), vec![]));
        }
        let mut out = Vec::new();
        for (place, rooms) in &groups {
            for piece in self.free_for(*place) {
                let mut s = piece.start + (-(piece.start + self.phase)).rem_euclid(self.step);
                while s + self.d <= piece.end {
                    let e = s + self.d;
                    if !self.room_needed {
                        out.push((s, None));
                    } else if let Some(&r) = rooms.iter().find(|&&r| free_at(&self.rooms[r].busy, s, e)) {
                        out.push((s, Some(r)));
                    }
                    s += self.step;
                }
            }
        }
        if groups.len() > 1 {
            // Rooms are numbered best first, so the first of each start is the best.
            out.sort_unstable();
            if !per_place {
                out.dedup_by_key(|c| c.0);
            }
        }
        out
    }

    /// For each candidate (sorted by start), a bit per optional participant
    /// who is busy then. No calendar of theirs is sorted: candidates lie on
    /// the grid, so a table from grid position to the first candidate there
    /// finds the candidates a block touches in constant time.
    fn optional_marks(&self, cands: &[(i64, Option<usize>)]) -> Vec<u64> {
        let words = self.optional_words();
        let mut marks = vec![0u64; cands.len() * words];
        let (Some(first), Some(last)) = (cands.first(), cands.last()) else {
            return marks;
        };
        if words == 0 {
            return marks;
        }
        let (base, step) = (first.0, self.step);
        let points = (last.0 - base) / step + 1;
        // `at[g]`: the first candidate at grid position `g` or later.
        let at: Vec<usize> = if points <= 4 * cands.len() as i64 + 100_000 {
            let mut at = Vec::with_capacity(points as usize + 1);
            let mut c = 0;
            for g in 0..=points {
                while c < cands.len() && cands[c].0 < base + g * step {
                    c += 1;
                }
                at.push(c);
            }
            at
        } else {
            vec![]
        };
        // Grid positions by multiplying with the reciprocal (a runtime integer
        // division per block edge costs more than everything else here), then
        // corrected to the exact floor.
        let inv = 1.0 / step as f64;
        let floor_div = |x: i64| -> i64 {
            // Beyond the grid either way every position means the same.
            let x = x.clamp(-(points + 2) * step, (points + 2) * step);
            let mut g = (x as f64 * inv).floor() as i64;
            if g * step > x {
                g -= 1;
            } else if (g + 1) * step <= x {
                g += 1;
            }
            g
        };
        let index = |g: i64| -> usize {
            if at.is_empty() {
                let t = base.saturating_add(g.saturating_mul(step));
                cands.partition_point(|c| c.0 < t)
            } else {
                at[g.clamp(0, points) as usize]
            }
        };
        let optional = self.people.iter().filter(|p| !p.part.required);
        for (k, p) in optional.enumerate() {
            let (word, bit) = (k / 64, 1u64 << (k % 64));
            let spans = p.part.busy.iter().map(|b| Span::of_range(&b.range));
            for sp in spans.chain(p.ooo.iter().map(|o| o.0)) {
                if sp.start >= sp.end || sp.end <= base || sp.start.saturating_sub(self.d) >= last.0 {
                    continue;
                }
                // Candidates starting in (start − duration, end) overlap the block.
                let lo = index(floor_div(sp.start - self.d - base) + 1);
                let hi = index(-floor_div(base - sp.end));
                for c in lo..hi {
                    marks[c * words + word] |= bit;
                }
            }
        }
        marks
    }

    fn optional_words(&self) -> usize {
        self.words
    }

    /// The optional-busy bits of candidate `c`.
    fn marks_of<'m>(&self, marks: &'m [u64], c: usize) -> Optional<'m> {
        let w = self.optional_words();
        Optional::Marks(&marks[c * w..(c + 1) * w])
    }

    // ---- Scoring (shared by find, why_not and propose_moves) ----

    /// The score of starting at `s` with `room`; with `out`, also the soft
    /// (and outside-hours) reasons. `cur` must come from earlier starts only.
    fn soft(
        &self,
        s: i64,
        room: Option<usize>,
        cur: &mut [Cursor],
        opt: Optional,
        mut out: Option<&mut Vec<Reason>>,
    ) -> i64 {
        let e = s + self.d;
        let mut score: i64 = 0;
        let mut worst: i64 = 0;
        let (mut known, mut inside) = (0, true);
        // Optional participants: a count of the marked bits when only the score
        // is wanted; one by one (for the reasons, or without marks) otherwise.
        let busy_optional = |k: usize, p: &Person| match opt {
            Optional::Marks(m) => m[k / 64] >> (k % 64) & 1 == 1,
            Optional::Scan => {
                p.part
                    .busy
                    .iter()
                    .any(|b| Span::of_range(&b.range).overlaps(s, e))
                    || p.ooo.iter().any(|o| o.0.overlaps(s, e))
            }
        };
        let optional_busy: i64 = match (opt, out.is_some()) {
            (Optional::Marks(m), false) => m.iter().map(|w| i64::from(w.count_ones())).sum(),
            _ => self
                .optional
                .iter()
                .enumerate()
                .filter(|&(k, &pi)| busy_optional(k, &self.people[pi]))
                .count() as i64,
        };
        score -= optional_busy * WEIGHT_OPTIONAL_BUSY;
        for &pi in &self.required {
            let (p, c) = (&self.people[pi], &mut cur[pi]);
            let Some(z) = p.zone else { continue };
            known += 1;
            let set = &self.sets[p.set];
            seek(&set.hours, &mut c.hours, s, |x| x.end);
            let reach = reach_outside(&set.hours, c.hours, s, e);
            if reach > 0 {
                inside = false;
                let m = ceil_minutes(reach).min(REACH_SCORE_CAP);
                score -= m * WEIGHT_OUTSIDE_HOURS;
                worst = worst.max(m);
                if let Some(o) = out.as_deref_mut() {
                    let text = self.outside_text(p, z, c.hours, s, e, reach);
                    o.push(reason(
                        ReasonCode::OutsideHours,
                        Some(p),
                        Some(m),
                        text,
                        reach > self.cap,
                    ));
                }
            }
            seek(&set.lunch, &mut c.lunch, s, |x| x.end);
            let lunch = overlap(&set.lunch[c.lunch..], s, e);
            if lunch > 0 {
                let m = ceil_minutes(lunch);
                score -= m * WEIGHT_LUNCH;
                if let Some(o) = out.as_deref_mut() {
                    let text = format!("{}: overlaps lunch by {m} min", p.name());
                    o.push(reason(ReasonCode::Lunch, Some(p), Some(m), text, false));
                }
            }
            seek(&p.free_work, &mut c.free, s, |x| x.end);
            let (stranded, lost) = fragments(&p.free_work[c.free..], s, e, p.min_block);
            if stranded > 0 {
                let m = ceil_minutes(stranded);
                score -= m * WEIGHT_FRAGMENT;
                if let Some(o) = out.as_deref_mut() {
                    let text = format!("{}: leaves {m} min too short for focus work", p.name());
                    o.push(reason(ReasonCode::FocusFragmented, Some(p), Some(m), text, false));
                }
            }
            if p.goal > 0 && lost > 0 {
                seek(&p.weeks, &mut c.week, s, |w| w.0.end);
                if let Some(&(w, focus)) = p.weeks.get(c.week)
                    && w.start <= s
                    && focus - lost < p.goal
                {
                    score -= WEIGHT_FOCUS_GOAL;
                    if let Some(o) = out.as_deref_mut() {
                        let goal = fmt_minutes(p.goal / MIN);
                        let text = if focus >= p.goal {
                            format!(
                                "{}: weekly focus goal at risk ({} of {goal} left)",
                                p.name(),
                                fmt_minutes((focus - lost) / MIN)
                            )
                        } else {
                            format!(
                                "{}: weekly focus goal already short ({} of {goal}); this costs {} more",
                                p.name(),
                                fmt_minutes(focus / MIN),
                                fmt_minutes(lost / MIN)
                            )
                        };
                        o.push(reason(
                            ReasonCode::FocusGoal,
                            Some(p),
                            Some(lost / MIN),
                            text,
                            false,
                        ));
                    }
                }
            }
        }
        score -= worst * WEIGHT_FAIRNESS;
        if let Some(r) = room {
            let spare = i64::from(self.rooms[r].room.capacity.saturating_sub(self.seats)).min(25);
            score -= spare * WEIGHT_ROOM_SPARE_SEAT;
        }
        if let Some(o) = out {
            let times: Vec<String> = self
                .zones
                .iter()
                .map(|z| format!("{} {}", hm(z.tz, s), z.city))
                .collect();
            let distinct = self.zones.iter().any(|z| hm(z.tz, s) != hm(self.zones[0].tz, s));
            if distinct {
                o.push(reason(
                    ReasonCode::TimeZones,
                    None,
                    Some(worst),
                    times.join(" = "),
                    false,
                ));
            }
            if known > 0 && inside {
                let text = if self.required.iter().any(|&pi| self.people[pi].av.is_none()) {
                    "inside the working hours of everyone whose hours are known"
                } else {
                    "inside everyone's working hours"
                };
                o.push(reason(ReasonCode::InsideHours, None, None, text.into(), false));
            }
            for (k, &pi) in self.optional.iter().enumerate() {
                let p = &self.people[pi];
                if busy_optional(k, p) {
                    let text = format!("{} (optional) is busy", p.name());
                    o.push(reason(ReasonCode::OptionalBusy, Some(p), None, text, false));
                }
            }
            if !self.optional.is_empty() && optional_busy == 0 {
                let text = "all optional participants are free".to_string();
                o.push(reason(ReasonCode::OptionalFree, None, None, text, false));
            }
            if let Some(r) = room {
                let room = self.rooms[r].room;
                o.push(Reason {
                    code: ReasonCode::Room,
                    who: Some(room.key.clone()),
                    minutes: None,
                    text: format!("{} ({} seats)", display(&room.name, &room.key), room.capacity),
                    blocking: false,
                });
            }
        }
        score
    }

    /// Text for a slot `reach` seconds outside `p`'s hours.
    fn outside_text(&self, p: &Person, z: usize, i: usize, s: i64, e: i64, reach: i64) -> String {
        let zi = &self.zones[z];
        let (name, city) = (p.name(), &zi.city);
        let m = ceil_minutes(reach);
        let over = if reach > self.cap {
            format!(" — more than the {} min allowed", self.cap / MIN)
        } else {
            String::new()
        };
        if reach >= POS_INF / 2 {
            return format!(
                "{name}: no working hours near this time ({} {city})",
                hm(zi.tz, s)
            );
        }
        let local = zi.tz.to_datetime(to_ts(s));
        if p.av.is_some_and(|a| a.spans_on(local.date()).is_empty()) {
            return format!(
                "{name}: {m} min outside working hours ({} is not a working day; {} {city}){over}",
                local.strftime("%A"),
                hm(zi.tz, s)
            );
        }
        let h = &self.sets[p.set].hours;
        if i < h.len() && h[i].start <= s {
            return format!(
                "{name}: {m} min after working hours (until {} {city}){over}",
                hm(zi.tz, e)
            );
        }
        let prev_end = if i > 0 { h[i - 1].end } else { NEG_INF };
        let next_start = h.get(i).map_or(POS_INF, |x| x.start);
        let side = if next_start - s <= s - prev_end {
            "before"
        } else {
            "after"
        };
        format!(
            "{name}: {m} min {side} working hours ({} {city}){over}",
            hm(zi.tz, s)
        )
    }

    /// Adds every hard reason against starting at `s`; returns the room that
    /// would be used (`None` when no room is needed or none works).
    fn hard(&self, s: i64, out: &mut Vec<Reason>) -> Option<usize> {
        let e = s + self.d;
        if s < self.ws || e > self.we {
            out.push(reason(
                ReasonCode::OutsideWindow,
                None,
                None,
                "outside the search window".into(),
                true,
            ));
        }
        if s < self.now {
            out.push(reason(
                ReasonCode::Past,
                None,
                None,
                "starts before now".into(),
                true,
            ));
        }
        for p in self.people.iter().filter(|p| p.part.required) {
            let name = p.name();
            for &(sp, i) in &p.raw {
                let b = &p.part.busy[i];
                let title = b.title.as_deref().unwrap_or("busy");
                if sp.overlaps(s, e) {
                    let tentative = if b.tentative { " (tentative)" } else { "" };
                    let text = format!(
                        "{name}: {title}{tentative} until {}",
                        self.clock(p.zone, sp.end, s)
                    );
                    out.push(reason(ReasonCode::Busy, Some(p), None, text, true));
                } else if sp.end <= s && p.after > 0 && sp.end + p.after > s {
                    let m = p.after / MIN;
                    let text = format!(
                        "{name}: {m} min buffer after {title} (ends {})",
                        self.clock(p.zone, sp.end, s)
                    );
                    out.push(reason(ReasonCode::Buffer, Some(p), Some(m), text, true));
                } else if sp.start >= e && p.before > 0 && sp.start - p.before < e {
                    let m = p.before / MIN;
                    let text = format!(
                        "{name}: {m} min buffer before {title} (starts {})",
                        self.clock(p.zone, sp.start, s)
                    );
                    out.push(reason(ReasonCode::Buffer, Some(p), Some(m), text, true));
                }
            }
            if let Some(a) = p.av {
                for &(sp, i) in &p.ooo {
                    if sp.overlaps(s, e) {
                        let text = match &a.out_of_office[i] {
                            OutOfOffice::Dates { first, last } if first == last => {
                                format!("{name}: out of office on {first}")
                            }
                            OutOfOffice::Dates { first, last } => {
                                format!("{name}: out of office {first} to {last}")
                            }
                            OutOfOffice::Instants { .. } => {
                                format!("{name}: out of office until {}", self.clock(p.zone, sp.end, s))
                            }
                        };
                        out.push(reason(ReasonCode::OutOfOffice, Some(p), None, text, true));
                    }
                }
                // Without a notice of its own, starting before now says it all.
                if a.min_notice > 0 && s < p.notice {
                    let m = (p.notice - self.now) / MIN;
                    let text = format!(
                        "{name}: needs {} notice (earliest {})",
                        fmt_minutes(m),
                        self.clock_day(p.zone, p.notice)
                    );
                    out.push(reason(ReasonCode::Notice, Some(p), Some(m), text, true));
                }
                for &(sp, rule) in &p.days {
                    if !sp.overlaps(s, e) {
                        continue;
                    }
                    let (code, text) = match rule {
                        DayRule::NoMeeting(date) => (
                            ReasonCode::NoMeetingDay,
                            format!("{name}: {} is a no-meeting day", date.strftime("%A")),
                        ),
                        DayRule::Full { date, count, max } => (
                            ReasonCode::MaxMeetings,
                            format!(
                                "{name}: already has {count} meetings on {} (at most {max} a day)",
                                date.strftime("%A")
                            ),
                        ),
                    };
                    out.push(reason(code, Some(p), None, text, true));
                }
            }
        }
        let (room, venue) = self.choose_room(s, e, out);
        for p in self.people.iter().filter(|p| p.part.required) {
            for &(sp, i) in &p.in_person {
                let b = &p.part.busy[i];
                let t = self.travel(b.location.as_deref(), venue);
                if t == 0 || sp.overlaps(s, e) || !(sp.start - t < e && s < sp.end + t) {
                    continue;
                }
                let from = b.location.as_deref().and_then(place).unwrap_or("elsewhere");
                let to = venue.unwrap_or("the meeting");
                let title = b.title.as_deref().unwrap_or("busy");
                let text = if sp.end <= s {
                    format!(
                        "{}: needs {} min to get from {from} to {to} after {title} (ends {})",
                        p.name(),
                        t / MIN,
                        self.clock(p.zone, sp.end, s)
                    )
                } else {
                    format!(
                        "{}: needs {} min to get from {to} to {from} before {title} (starts {})",
                        p.name(),
                        t / MIN,
                        self.clock(p.zone, sp.start, s)
                    )
                };
                out.push(reason(ReasonCode::Travel, Some(p), Some(t / MIN), text, true));
            }
        }
        room
    }

    /// Whether no required participant's in-person block leaves too little
    /// travel time to `place`.
    fn travel_ok(&self, s: i64, e: i64, place: Option<&str>) -> bool {
        self.people.iter().filter(|p| p.part.required).all(|p| {
            p.in_person.iter().all(|&(sp, i)| {
                let t = self.travel(p.part.busy[i].location.as_deref(), place);
                t == 0 || !(sp.start - t < e && s < sp.end + t)
            })
        })
    }

    /// The room `find` would take at `s`, or reasons why there is none; and
    /// the meeting's place to check travel against.
    fn choose_room(&self, s: i64, e: i64, out: &mut Vec<Reason>) -> (Option<usize>, Option<&'r str>) {
        let default_place = self.req.location.as_deref().and_then(place);
        if !self.room_needed {
            return (None, default_place);
        }
        if let Some(r) = (0..self.rooms.len())
            .find(|&r| free_at(&self.rooms[r].busy, s, e) && self.travel_ok(s, e, self.rooms[r].place))
        {
            return (Some(r), self.rooms[r].place);
        }
        if self.req.rooms.is_empty() {
            out.push(reason(
                ReasonCode::NoRoom,
                None,
                None,
                "a room is needed and none is offered".into(),
                true,
            ));
        }
        let need: &[String] = self.req.room_need.as_ref().map_or(&[], |n| &n.equipment);
        for room in &self.req.rooms {
            let name = display(&room.name, &room.key);
            let lacking: Vec<&str> = missing(room, need).collect();
            let (code, text) = if room.capacity < self.seats {
                (
                    ReasonCode::RoomTooSmall,
                    format!("{name} has {} seats; {} needed", room.capacity, self.seats),
                )
            } else if !lacking.is_empty() {
                (
                    ReasonCode::RoomEquipment,
                    format!("{name} has no {}", lacking.join(", ")),
                )
            } else {
                let mut taken: Vec<&BusyBlock> = room
                    .busy
                    .iter()
                    .filter(|b| Span::of_range(&b.range).overlaps(s, e))
                    .collect();
                if taken.is_empty() {
                    continue;
                }
                taken.sort_by_key(|b| b.range);
                let what: Vec<String> = taken
                    .iter()
                    .map(|b| {
                        format!(
                            "{} until {}",
                            b.title.as_deref().unwrap_or("busy"),
                            self.clock(None, Span::of_range(&b.range).end, s)
                        )
                    })
                    .collect();
                (
                    ReasonCode::RoomTaken,
                    format!("{name} is taken: {}", what.join(", ")),
                )
            };
            out.push(Reason {
                code,
                who: Some(room.key.clone()),
                minutes: None,
                text,
                blocking: true,
            });
        }
        let place = (0..self.rooms.len())
            .find(|&r| free_at(&self.rooms[r].busy, s, e))
            .or(if self.rooms.is_empty() { None } else { Some(0) })
            .map_or(default_place, |r| self.rooms[r].place);
        (None, place)
    }

    /// Movable blocks of required participants in the way of `[s, s + d)`
    /// (with their buffers and travel), as (person, block) pairs.
    fn conflicts(&self, s: i64, place: Option<&str>, hits: &mut Vec<(usize, usize)>) {
        let e = s + self.d;
        for (pi, p) in self.people.iter().enumerate() {
            if p.movable.is_empty() {
                continue;
            }
            let reach = p.before.max(p.after).max(self.max_travel);
            let lo = s - reach - p.longest;
            let from = p.movable.partition_point(|m| m.0.start < lo);
            for &(sp, i) in &p.movable[from..] {
                if sp.start >= e + reach {
                    break;
                }
                let b = &p.part.busy[i];
                let t = if b.in_person {
                    self.travel(b.location.as_deref(), place)
                } else {
                    0
                };
                let w = Span {
                    start: sp.start - p.before.max(t),
                    end: sp.end + p.after.max(t),
                };
                if sp.overlaps(s, e) || w.overlaps(s, e) {
                    hits.push((pi, i));
                }
            }
        }
    }

    /// How many distinct events would move, and the sum of their importance.
    fn move_cost(&self, hits: &[(usize, usize)]) -> (usize, i64) {
        let (mut count, mut weight) = (0, 0);
        for (n, &(pi, i)) in hits.iter().enumerate() {
            let b = &self.people[pi].part.busy[i];
            let seen = b.event.is_some()
                && hits[..n]
                    .iter()
                    .any(|&(pj, j)| self.people[pj].part.busy[j].event == b.event);
            if !seen {
                count += 1;
                weight += 5 - i64::from(b.priority.get());
            }
        }
        (count, weight)
    }

    // ---- Output ----

    fn slot(&self, s: i64, room: Option<usize>, opt: Optional) -> Slot {
        let mut cur = self.cursors();
        let mut reasons = Vec::new();
        let score = self.soft(s, room, &mut cur, opt, Some(&mut reasons));
        Slot {
            range: Span {
                start: s,
                end: s + self.d,
            }
            .to_range(),
            room: room.map(|r| self.rooms[r].room.key.clone()),
            score,
            reasons,
            local_times: self.local_times(s),
        }
    }

    fn local_times(&self, s: i64) -> Vec<(String, String)> {
        self.zones
            .iter()
            .map(|z| (z.name.to_string(), hm(z.tz, s)))
            .collect()
    }

    fn proposal(&self, s: i64, room: Option<usize>, score: i64) -> MoveProposal {
        let mut hits = Vec::new();
        self.conflicts(s, self.place_of(room), &mut hits);
        let mut moves: Vec<ProposedMove> = hits
            .iter()
            .map(|&(pi, i)| {
                let p = &self.people[pi];
                let b = &p.part.busy[i];
                ProposedMove {
                    who: p.part.key.clone(),
                    event: b.event.as_deref().map(str::to_string),
                    title: b.title.as_deref().unwrap_or("busy").to_string(),
                    priority: b.priority,
                    range: b.range,
                }
            })
            .collect();
        moves.sort_by(|a, b| (a.range, &a.who).cmp(&(b.range, &b.who)));
        let (count, _) = self.move_cost(&hits);
        let what: Vec<String> = hits
            .iter()
            .map(|&(pi, i)| {
                let p = &self.people[pi];
                let b = &p.part.busy[i];
                let sp = Span::of_range(&b.range);
                format!(
                    "{}'s {} ({}–{}, priority {})",
                    p.name(),
                    b.title.as_deref().unwrap_or("busy"),
                    self.clock_day(p.zone, sp.start),
                    self.clock(p.zone, sp.end, sp.start),
                    b.priority.get()
                )
            })
            .collect();
        let (tz, city) = self
            .zones
            .first()
            .map_or((&self.utc, "UTC"), |z| (z.tz, z.city.as_str()));
        let plural = if count == 1 { "event" } else { "events" };
        let text = format!(
            "move {count} {plural} to meet {}–{} {city}: {}",
            tz.to_datetime(to_ts(s)).strftime("%a %-d %b %H:%M"),
            hm(tz, s + self.d),
            what.join("; ")
        );
        MoveProposal {
            slot: Span {
                start: s,
                end: s + self.d,
            }
            .to_range(),
            room: room.map(|r| self.rooms[r].room.key.clone()),
            moves,
            score,
            text,
        }
    }

    /// The zone to show a person's times in, and a city to name when it is
    /// not their own (outsiders are shown in the first participant zone).
    fn display_zone(&self, zone: Option<usize>) -> (&TimeZone, Option<&str>) {
        match zone {
            Some(z) => (self.zones[z].tz, None),
            None => self
                .zones
                .first()
                .map_or((&self.utc, Some("UTC")), |z| (z.tz, Some(z.city.as_str()))),
        }
    }

    /// `10:45`, or `Fri 10:45` when not on the local day `reference` is in.
    fn clock(&self, zone: Option<usize>, t: i64, reference: i64) -> String {
        let (tz, city) = self.display_zone(zone);
        let dt = tz.to_datetime(to_ts(t));
        let same_day = dt.date() == tz.to_datetime(to_ts(reference)).date();
        let text = if same_day {
            dt.strftime("%H:%M").to_string()
        } else {
            dt.strftime("%a %H:%M").to_string()
        };
        match city {
            Some(c) => format!("{text} {c}"),
            None => text,
        }
    }

    /// `Thu 26 Mar 09:00`.
    fn clock_day(&self, zone: Option<usize>, t: i64) -> String {
        let (tz, city) = self.display_zone(zone);
        let text = tz.to_datetime(to_ts(t)).strftime("%a %-d %b %H:%M").to_string();
        match city {
            Some(c) => format!("{text} {c}"),
            None => text,
        }
    }
}

// ---- Helpers ----

fn reason(
    code: ReasonCode,
    who: Option<&Person>,
    minutes: Option<i64>,
    text: String,
    blocking: bool,
) -> Reason {
    Reason {
        code,
        who: who.map(|p| p.part.key.clone()),
        minutes,
        text,
        blocking,
    }
}

/// The local days of the horizon in `av`'s zone: from the day before the
/// Monday of the horizon's first week to eight days after it ends, so whole
/// weeks (focus goal) and neighbouring days (hours near midnight) are known.
fn zone_info(av: &Availability, hz_start: i64, hz_end: i64, days: bool) -> ZoneInfo<'_> {
    let tz = av.zone.tz();
    if !days {
        return ZoneInfo {
            name: av.zone.name(),
            tz,
            city: city(av.zone.name()),
            dates: vec![],
            starts: vec![],
            plain: vec![],
        };
    }
    let first = tz.to_datetime(to_ts(hz_start)).date();
    let back = i64::from(first.weekday().to_monday_zero_offset()) + 1;
    let first = (0..back).try_fold(first, |d, _| d.yesterday()).unwrap_or(first);
    let last = tz.to_datetime(to_ts(hz_end)).date();
    let last = (0..8).try_fold(last, |d, _| d.tomorrow()).unwrap_or(last);
    let mut dates = Vec::new();
    let mut d = first;
    let mut after = None;
    while d <= last && dates.len() < MAX_DAYS_RESOLVED {
        dates.push(d);
        match d.tomorrow() {
            Ok(n) => {
                d = n;
                after = Some(n);
            }
            Err(_) => {
                after = None;
                break;
            }
        }
    }
    let first_start = secs_floor(av.zone.start_of_day(first));
    // The clock changes in the horizon, from just before its first midnight
    // (so a change at that very instant counts); no day lasts two.
    let bound = first_start.saturating_add((dates.len() as i64 + 2) * 2 * 86_400);
    let changes: Vec<i64> = tz
        .following(to_ts(first_start.saturating_sub(1)))
        .map(|t| secs_floor(t.timestamp()))
        .take_while(|&t| t < bound)
        .collect();
    let changes_in = |a: i64, b: i64| changes.iter().any(|&c| a <= c && c < b);
    // A day without a change starts 24 hours after the one before; only the
    // others are looked up. A change at the 24-hour mark counts: falling back
    // at midnight (as Beirut does) makes that day 25 hours long.
    let mut starts = Vec::with_capacity(dates.len() + 1);
    starts.push(first_start);
    for i in 1..=dates.len() {
        let prev = starts[i - 1];
        let next = if !changes_in(prev, prev + 86_400 + 1) {
            prev + 86_400
        } else {
            match dates.get(i).copied().or(after) {
                Some(d) => secs_floor(av.zone.start_of_day(d)),
                None => POS_INF,
            }
        };
        starts.push(next);
    }
    let plain = (0..dates.len())
        .map(|i| !changes_in(starts[i], starts[i + 1]))
        .collect();
    ZoneInfo {
        name: av.zone.name(),
        tz,
        city: city(av.zone.name()),
        dates,
        starts,
        plain,
    }
}

impl ZoneInfo<'_> {
    /// The index of the local day holding `t`.
    fn day_of(&self, t: i64) -> Option<usize> {
        let i = self.starts.partition_point(|&s| s <= t);
        (i > 0 && i <= self.dates.len()).then(|| i - 1)
    }
}

/// Each local week (Monday to Monday) of the zone's horizon with its focus
/// time: free working stretches, cut to the week, of at least `min_block`.
fn weeks(zi: &ZoneInfo, free: &[Span], min_block: i64) -> Vec<(Span, i64)> {
    let mut out = Vec::new();
    for (i, d) in zi.dates.iter().enumerate() {
        if d.weekday() != Weekday::Monday || i + 7 >= zi.starts.len() {
            continue;
        }
        let w = Span {
            start: zi.starts[i],
            end: zi.starts[i + 7],
        };
        let from = free.partition_point(|f| f.end <= w.start);
        let focus = free[from..]
            .iter()
            .take_while(|f| f.start < w.end)
            .map(|f| f.end.min(w.end) - f.start.max(w.start))
            .filter(|&l| l >= min_block)
            .sum();
        out.push((w, focus));
    }
    out
}

/// The blocks of `busy` that last a while and touch `[lo, hi)` (others cannot
/// matter; an instant-long event keeps no one busy, nor then its buffers), as
/// spans with their index, by start and then index: one total order whatever
/// order the caller listed them in.
fn sorted_blocks(busy: &[BusyBlock], lo: i64, hi: i64) -> Vec<(Span, usize)> {
    const INDEX_BITS: u32 = 24;
    let mut v: Vec<(Span, usize)> = busy
        .iter()
        .enumerate()
        .map(|(i, b)| (Span::of_range(&b.range), i))
        .filter(|(s, _)| s.start < s.end && s.end > lo && s.start < hi)
        .collect();
    if v.windows(2).all(|w| w[0].0.start <= w[1].0.start) {
        return v;
    }
    let min = v.iter().map(|r| r.0.start).min().unwrap_or(0);
    let max = v.iter().map(|r| r.0.start).max().unwrap_or(0);
    if v.len() < 1 << INDEX_BITS && max - min < 1 << (63 - INDEX_BITS) {
        // Sorting packed keys (start offset, position) is about twice as fast
        // as sorting the pairs; positions follow the index, so ties keep it.
        let mut keys: Vec<u64> = v
            .iter()
            .enumerate()
            .map(|(j, r)| (((r.0.start - min) as u64) << INDEX_BITS) | j as u64)
            .collect();
        keys.sort_unstable();
        keys.iter()
            .map(|&k| v[(k & ((1 << INDEX_BITS) - 1)) as usize])
            .collect()
    } else {
        v.sort_unstable_by(|a, b| a.0.start.cmp(&b.0.start).then(a.1.cmp(&b.1)));
        v
    }
}

/// Everything further than `cap` from `hours` (normalised), pushed onto `out`.
fn outside_cap(hours: &[Span], cap: i64, out: &mut Vec<Span>) {
    let mut prev = NEG_INF;
    for h in hours {
        let a = h.start - cap;
        if a > prev {
            out.push(Span { start: prev, end: a });
        }
        prev = prev.max(h.end + cap);
    }
    out.push(Span {
        start: prev,
        end: POS_INF,
    });
}

/// Moves `i` forward past the items that end at or before `s` (a few steps
/// one by one, then by binary search).
fn seek<T>(list: &[T], i: &mut usize, s: i64, end: impl Fn(&T) -> i64) {
    let mut steps = 0;
    while *i < list.len() && end(&list[*i]) <= s {
        *i += 1;
        steps += 1;
        if steps == 8 {
            *i += list[*i..].partition_point(|x| end(x) <= s);
            return;
        }
    }
}

/// The largest distance (seconds) from an instant of `[s, e]` to `hours`
/// (normalised; `i` the first that ends after `s`): 0 when inside.
fn reach_outside(hours: &[Span], i: usize, s: i64, e: i64) -> i64 {
    let mut best = 0;
    let mut ga = if i > 0 { hours[i - 1].end } else { NEG_INF };
    let mut j = i;
    loop {
        let gb = hours.get(j).map_or(POS_INF, |h| h.start);
        let (x, y) = (s.max(ga), e.min(gb));
        if x < y {
            let d = match (ga == NEG_INF, gb == POS_INF) {
                (true, true) => POS_INF,
                (true, false) => gb - x,
                (false, true) => y - ga,
                (false, false) => {
                    let mid2 = ga + gb;
                    if 2 * x <= mid2 && mid2 <= 2 * y {
                        (gb - ga + 1) / 2
                    } else if mid2 < 2 * x {
                        gb - x
                    } else {
                        y - ga
                    }
                }
            };
            best = best.max(d);
        }
        if j >= hours.len() || gb >= e {
            break;
        }
        ga = hours[j].end;
        j += 1;
        if ga >= e {
            break;
        }
    }
    best
}

/// Seconds of `[s, e)` inside `spans` (normalised, starting near `s`).
fn overlap(spans: &[Span], s: i64, e: i64) -> i64 {
    spans
        .iter()
        .take_while(|x| x.start < e)
        .map(|x| (x.end.min(e) - x.start.max(s)).max(0))
        .sum()
}

/// For free stretches `free` (starting near `s`) cut by `[s, e)`: the minutes
/// left in pieces too short for focus, and the focus time lost.
fn fragments(free: &[Span], s: i64, e: i64, min_block: i64) -> (i64, i64) {
    let focus = |len: i64| if len >= min_block { len } else { 0 };
    let (mut stranded, mut lost) = (0, 0);
    for b in free.iter().take_while(|b| b.start < e) {
        if b.end <= s {
            continue;
        }
        let left = (s - b.start).max(0);
        let right = (b.end - e).max(0);
        lost += focus(b.len()) - focus(left) - focus(right);
        if b.len() >= min_block {
            stranded += [left, right]
                .iter()
                .filter(|&&x| x > 0 && x < min_block)
                .sum::<i64>();
        }
    }
    (stranded, lost)
}

/// Whether `busy` (normalised) leaves `[s, e)` free.
fn free_at(busy: &[Span], s: i64, e: i64) -> bool {
    let i = busy.partition_point(|b| b.end <= s);
    busy.get(i).is_none_or(|b| b.start >= e)
}

/// The equipment in `need` that `room` lacks.
fn missing<'a>(room: &'a RoomCandidate, need: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
    need.iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .filter(|n| !room.equipment.iter().any(|e| e.trim().eq_ignore_ascii_case(n)))
}

/// A place name, or `None` when blank.
fn place(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn same_place(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn same_opt(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_place(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn display<'a>(name: &'a str, key: &'a str) -> &'a str {
    if name.trim().is_empty() { key } else { name.trim() }
}

/// The city of an IANA zone name: `America/New_York` → `New York`.
fn city(zone: &str) -> String {
    zone.rsplit('/').next().unwrap_or(zone).replace('_', " ")
}

fn hm(tz: &TimeZone, t: i64) -> String {
    tz.to_datetime(to_ts(t)).strftime("%H:%M").to_string()
}

fn ceil_minutes(secs: i64) -> i64 {
    (secs + MIN - 1).div_euclid(MIN)
}

/// `45 min`, `2 h`, `2 h 30 min`.
fn fmt_minutes(m: i64) -> String {
    if m < 120 {
        format!("{m} min")
    } else if m % 60 == 0 {
        format!("{} h", m / 60)
    } else {
        format!("{} h {} min", m / 60, m % 60)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::calendar::availability::{DayOfWeek, FocusGoal, LocalSpan};
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

    fn zone(name: &str) -> Zone {
        Zone::parse("zone", name).unwrap()
    }

    fn block(a: &str, b: &str, title: &str) -> BusyBlock {
        BusyBlock {
            title: Some(title.into()),
            event: Some(format!("ev-{title}").into()),
            ..BusyBlock::new(range(a, b))
        }
    }

    fn person(key: &str, zone_name: &str, busy: Vec<BusyBlock>) -> Participant {
        let mut av = Availability::default_for(zone(zone_name));
        av.lunch = None;
        Participant {
            key: key.into(),
            name: key[..1].to_uppercase() + &key[1..],
            required: true,
            availability: Some(av),
            busy,
        }
    }

    /// A one-hour meeting on Monday 23 March 2026 (UTC people), asked the Friday before.
    fn request(people: Vec<Participant>) -> Request {
        let mut r = Request::new(
            SignedDuration::from_hours(1),
            range("2026-03-23T00:00:00Z", "2026-03-24T00:00:00Z"),
            ts("2026-03-20T12:00:00Z"),
        );
        r.participants = people;
        r.max_results = 1000;
        r
    }

    fn starts(slots: &[Slot]) -> Vec<String> {
        slots.iter().map(|s| s.range.start.to_string()).collect()
    }

    /// The distinct blocking codes at `at`, in code order.
    fn blocking(req: &Request, at: &str) -> Vec<ReasonCode> {
        let mut v: Vec<ReasonCode> = why_not(req, ts(at))
            .into_iter()
            .filter(|r| r.blocking)
            .map(|r| r.code)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn earliest_free_hour_first_and_everyone_inside_hours() {
        let req = request(vec![
            person(
                "ana",
                "UTC",
                vec![block("2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z", "Standup")],
            ),
            person("ben", "UTC", vec![]),
        ]);
        let slots = find(&req);
        assert_eq!(
            slots[0].range,
            range("2026-03-23T10:00:00Z", "2026-03-23T11:00:00Z")
        );
        assert_eq!(slots[0].score, 0);
        assert!(slots[0].reasons.iter().any(|r| r.code == ReasonCode::InsideHours));
        assert_eq!(slots[0].local_times, [("UTC".to_string(), "10:00".to_string())]);
        // Ranked by score, then time: every zero-score slot comes first, in time order.
        let zero: Vec<&Slot> = slots.iter().take_while(|s| s.score == 0).collect();
        assert!(zero.windows(2).all(|w| w[0].range.start < w[1].range.start));
        assert!(slots.windows(2).all(|w| w[0].score >= w[1].score));
        // Never on Ana's standup.
        assert!(slots.iter().all(|s| {
            !s.range
                .overlaps(&range("2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z"))
        }));
        // 10:15 strands 15 minutes of Ana's morning: ranked down and said.
        let s = slots
            .iter()
            .find(|s| s.range.start == ts("2026-03-23T10:15:00Z"))
            .unwrap();
        assert_eq!(s.score, -15 * WEIGHT_FRAGMENT);
        let frag: Vec<&str> = s
            .reasons
            .iter()
            .filter(|r| r.code == ReasonCode::FocusFragmented)
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(frag, ["Ana: leaves 15 min too short for focus work"]);
        let mut few = req.clone();
        few.max_results = 3;
        assert_eq!(find(&few).len(), 3);
        few.max_results = 0;
        assert!(find(&few).is_empty());
    }

    /// One hard rule per row: what changes, the start asked about, and the
    /// blocking codes `why_not` must give (none: `find` must offer that start).
    #[test]
    fn each_hard_rule_blocks_and_is_explained() {
        type Change = fn(&mut Request);
        let cases: Vec<(&str, Change, &str, &[ReasonCode])> = vec![
            ("free", |_| {}, "2026-03-23T10:00:00Z", &[]),
            (
                "busy",
                |r| {
                    r.participants[0]
                        .busy
                        .push(block("2026-03-23T10:30:00Z", "2026-03-23T11:00:00Z", "x"))
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::Busy],
            ),
            (
                "buffer after",
                |r| {
                    r.participants[0]
                        .busy
                        .push(block("2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z", "x"));
                    r.participants[0].availability.as_mut().unwrap().buffer_after = 15;
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::Buffer],
            ),
            (
                "buffer before",
                |r| {
                    r.participants[0]
                        .busy
                        .push(block("2026-03-23T11:10:00Z", "2026-03-23T12:00:00Z", "x"));
                    r.participants[0].availability.as_mut().unwrap().buffer_before = 15;
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::Buffer],
            ),
            (
                "buffer of an outsider does not exist",
                |r| {
                    r.participants[0].availability = None;
                    r.participants[0]
                        .busy
                        .push(block("2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z", "x"));
                },
                "2026-03-23T10:00:00Z",
                &[],
            ),
            (
                "out of office",
                |r| {
                    let a = r.participants[1].availability.as_mut().unwrap();
                    a.out_of_office.push(OutOfOffice::Dates {
                        first: date(2026, 3, 23),
                        last: date(2026, 3, 23),
                    });
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::OutOfOffice],
            ),
            (
                "notice",
                |r| r.participants[0].availability.as_mut().unwrap().min_notice = 4 * 24 * 60,
                "2026-03-23T10:00:00Z",
                &[ReasonCode::Notice],
            ),
            (
                "past",
                |r| r.now = ts("2026-03-23T10:30:00Z"),
                "2026-03-23T10:00:00Z",
                &[ReasonCode::Past],
            ),
            (
                "window",
                |_| {},
                "2026-03-23T23:30:00Z",
                &[ReasonCode::OutsideWindow, ReasonCode::OutsideHours],
            ),
            (
                "no-meeting day",
                |r| {
                    let a = r.participants[0].availability.as_mut().unwrap();
                    a.no_meeting_days.push(DayOfWeek::Monday);
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::NoMeetingDay],
            ),
            (
                "day full",
                |r| {
                    r.participants[0]
                        .availability
                        .as_mut()
                        .unwrap()
                        .max_meetings_per_day = Some(2);
                    r.participants[0]
                        .busy
                        .push(block("2026-03-23T08:00:00Z", "2026-03-23T08:30:00Z", "a"));
                    let mut b = block("2026-03-23T16:00:00Z", "2026-03-23T16:30:00Z", "b");
                    b.category = Category::Meeting;
                    r.participants[0].busy.push(b);
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::MaxMeetings],
            ),
            (
                "focus blocks are not meetings for the daily limit",
                |r| {
                    r.participants[0]
                        .availability
                        .as_mut()
                        .unwrap()
                        .max_meetings_per_day = Some(1);
                    let mut b = block("2026-03-23T08:00:00Z", "2026-03-23T08:30:00Z", "a");
                    b.category = Category::Focus;
                    r.participants[0].busy.push(b);
                },
                "2026-03-23T10:00:00Z",
                &[],
            ),
            ("two hours early is allowed", |_| {}, "2026-03-23T07:00:00Z", &[]),
            (
                "more is not",
                |_| {},
                "2026-03-23T06:45:00Z",
                &[ReasonCode::OutsideHours],
            ),
            ("two hours late is allowed", |_| {}, "2026-03-23T18:30:00Z", &[]),
            (
                "a wider cap allows more",
                |r| r.max_outside_minutes = 180,
                "2026-03-23T06:00:00Z",
                &[],
            ),
            (
                "an outsider has no hours",
                |r| {
                    r.participants.iter_mut().for_each(|p| p.availability = None);
                },
                "2026-03-23T03:00:00Z",
                &[],
            ),
            (
                "optional people never block",
                |r| {
                    r.participants[1].required = false;
                    r.participants[1]
                        .busy
                        .push(block("2026-03-23T10:00:00Z", "2026-03-23T11:00:00Z", "x"));
                },
                "2026-03-23T10:00:00Z",
                &[],
            ),
            (
                "travel",
                |r| {
                    r.location = Some("Herengracht 12".into());
                    let mut b = block("2026-03-23T09:00:00Z", "2026-03-23T09:45:00Z", "Client visit");
                    b.in_person = true;
                    b.location = Some("Schiphol".into());
                    r.participants[0].busy.push(b);
                    r.travel
                        .pairs
                        .push(("schiphol".into(), "herengracht 12".into(), 20));
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::Travel],
            ),
            (
                "travel is enough",
                |r| {
                    r.location = Some("Herengracht 12".into());
                    let mut b = block("2026-03-23T09:00:00Z", "2026-03-23T09:40:00Z", "Client visit");
                    b.in_person = true;
                    b.location = Some("Schiphol".into());
                    r.participants[0].busy.push(b);
                    r.travel
                        .pairs
                        .push(("Herengracht 12".into(), "Schiphol".into(), 20));
                },
                "2026-03-23T10:00:00Z",
                &[],
            ),
            (
                "no travel to a call",
                |r| {
                    let mut b = block("2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z", "Client visit");
                    b.in_person = true;
                    b.location = Some("Schiphol".into());
                    r.participants[0].busy.push(b);
                },
                "2026-03-23T10:00:00Z",
                &[],
            ),
            (
                "no travel within the same place",
                |r| {
                    r.location = Some("HQ".into());
                    let mut b = block("2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z", "Review");
                    b.in_person = true;
                    b.location = Some(" hq ".into());
                    r.participants[0].busy.push(b);
                },
                "2026-03-23T10:00:00Z",
                &[],
            ),
            (
                "room taken",
                |r| {
                    r.rooms.push(room("board", 8, &[]));
                    r.rooms[0]
                        .busy
                        .push(block("2026-03-23T10:30:00Z", "2026-03-23T11:30:00Z", "Prep"));
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::RoomTaken],
            ),
            (
                "room too small",
                |r| r.rooms.push(room("booth", 1, &[])),
                "2026-03-23T10:00:00Z",
                &[ReasonCode::RoomTooSmall],
            ),
            (
                "room lacks equipment",
                |r| {
                    r.rooms.push(room("board", 8, &["Screen"]));
                    r.room_need = Some(RoomNeed {
                        capacity: 2,
                        equipment: vec!["screen".into(), "phone".into()],
                    });
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::RoomEquipment],
            ),
            (
                "one room of several is enough",
                |r| {
                    r.rooms.push(room("booth", 1, &[]));
                    r.rooms.push(room("board", 8, &[]));
                    r.rooms[1]
                        .busy
                        .push(block("2026-03-23T10:30:00Z", "2026-03-23T11:30:00Z", "Prep"));
                    r.rooms.push(room("small", 4, &[]));
                },
                "2026-03-23T10:00:00Z",
                &[],
            ),
            (
                "a room need with no rooms",
                |r| {
                    r.room_need = Some(RoomNeed {
                        capacity: 2,
                        equipment: vec![],
                    })
                },
                "2026-03-23T10:00:00Z",
                &[ReasonCode::NoRoom],
            ),
        ];
        for (name, change, at, want) in cases {
            let mut req = request(vec![person("ana", "UTC", vec![]), person("ben", "UTC", vec![])]);
            change(&mut req);
            assert_eq!(blocking(&req, at), want, "{name}: why_not");
            let offered = find(&req).iter().any(|s| s.range.start == ts(at));
            assert_eq!(offered, want.is_empty(), "{name}: find");
        }
    }

    fn room(key: &str, capacity: u32, equipment: &[&str]) -> RoomCandidate {
        RoomCandidate {
            key: key.into(),
            name: key[..1].to_uppercase() + &key[1..],
            capacity,
            equipment: equipment.iter().map(|e| e.to_string()).collect(),
            location: None,
            busy: vec![],
        }
    }

    #[test]
    fn reasons_name_people_titles_and_local_times() {
        let mut lars = person("lars", "Europe/Amsterdam", vec![]);
        let mut travel = block(
            "2026-03-26T08:15:00Z",
            "2026-03-26T09:45:00Z",
            "Travel to Schiphol",
        );
        travel.category = Category::Travel;
        let mut private = block("2026-03-26T09:30:00Z", "2026-03-26T10:00:00Z", "x");
        private.title = None;
        private.tentative = true;
        lars.busy = vec![travel, private];
        let grace = person("grace", "America/New_York", vec![]);
        let mut req = request(vec![lars, grace]);
        req.window = range("2026-03-23T00:00:00Z", "2026-03-28T00:00:00Z");
        let texts: Vec<String> = why_not(&req, ts("2026-03-26T09:00:00Z"))
            .into_iter()
            .map(|r| format!("{}{}", if r.blocking { "!" } else { "" }, r.text))
            .collect();
        assert_eq!(
            texts,
            [
                "!Lars: Travel to Schiphol until 10:45",
                "!Lars: busy (tentative) until 11:00",
                "!Grace: 240 min before working hours (05:00 New York) — more than the 120 min allowed",
                "10:00 Amsterdam = 05:00 New York",
            ]
        );
        let texts: Vec<String> = why_not(&req, ts("2026-03-26T12:00:00Z"))
            .into_iter()
            .map(|r| r.text)
            .collect();
        assert_eq!(
            texts,
            [
                "Grace: 60 min before working hours (08:00 New York)",
                "13:00 Amsterdam = 08:00 New York"
            ]
        );
    }

    #[test]
    fn fairness_prefers_the_shared_hours_and_penalises_the_worst() {
        let req = request(vec![
            person("lars", "Europe/Amsterdam", vec![]),
            person("grace", "America/New_York", vec![]),
        ]);
        let slots = find(&req);
        // 23 March: Amsterdam UTC+1, New York UTC-4: shared hours 13:00–16:30 UTC.
        assert_eq!(slots[0].range.start, ts("2026-03-23T13:00:00Z"));
        assert!(slots.iter().take_while(|s| s.score == 0).all(|s| {
            s.range.start >= ts("2026-03-23T13:00:00Z") && s.range.end <= ts("2026-03-23T16:30:00Z")
        }));
        let early = slots
            .iter()
            .find(|s| s.range.start == ts("2026-03-23T12:00:00Z"))
            .unwrap();
        assert_eq!(early.score, -60 * (WEIGHT_OUTSIDE_HOURS + WEIGHT_FAIRNESS));
        // Half an hour outside for each beats an hour outside for one.
        let two_halves = Request {
            participants: vec![
                person("lars", "Europe/Amsterdam", vec![]),
                person("grace", "America/New_York", vec![]),
            ],
            ..req.clone()
        };
        let both = find(&two_halves);
        let score = |at: &str| both.iter().find(|s| s.range.start == ts(at)).map(|s| s.score);
        assert!(score("2026-03-23T12:30:00Z") > score("2026-03-23T12:00:00Z"));
    }

    #[test]
    fn lunch_optional_and_room_are_soft() {
        let mut ana = person("ana", "UTC", vec![]);
        ana.availability.as_mut().unwrap().lunch = Some(LocalSpan::hm(12, 0, 13, 0));
        let mut ben = person(
            "ben",
            "UTC",
            vec![block("2026-03-23T09:00:00Z", "2026-03-23T17:30:00Z", "x")],
        );
        ben.required = false;
        let mut req = request(vec![ana, ben]);
        req.rooms = vec![room("big", 20, &[]), room("small", 4, &[])];
        let slots = find(&req);
        let at = |t: &str| slots.iter().find(|s| s.range.start == ts(t)).unwrap();
        let noon = at("2026-03-23T12:30:00Z");
        assert_eq!(noon.room.as_deref(), Some("small"));
        assert_eq!(
            noon.score,
            -30 * WEIGHT_LUNCH - WEIGHT_OPTIONAL_BUSY - 2 * WEIGHT_ROOM_SPARE_SEAT
        );
        let codes: Vec<ReasonCode> = noon.reasons.iter().map(|r| r.code).collect();
        assert!(codes.contains(&ReasonCode::Lunch) && codes.contains(&ReasonCode::OptionalBusy));
        assert!(noon.reasons.iter().any(|r| r.text == "Ben (optional) is busy"));
        assert!(noon.reasons.iter().any(|r| r.text == "Small (4 seats)"));
        // Evening: Ben is free (but it is outside Ana's hours).
        let evening = at("2026-03-23T18:00:00Z");
        assert!(evening.reasons.iter().any(|r| r.code == ReasonCode::OptionalFree));
    }

    #[test]
    fn the_weekly_focus_goal_is_defended() {
        let mut ana = person("ana", "UTC", vec![]);
        // Only Monday is worked this week, so the goal hangs on its 8.5 hours.
        let a = ana.availability.as_mut().unwrap();
        for d in [
            DayOfWeek::Tuesday,
            DayOfWeek::Wednesday,
            DayOfWeek::Thursday,
            DayOfWeek::Friday,
        ] {
            a.working_hours.get_mut(d).clear();
        }
        a.focus_goal = Some(FocusGoal {
            weekly_minutes: 8 * 60,
            min_block: 60,
        });
        let req = request(vec![ana]);
        let slots = find(&req);
        let s = slots
            .iter()
            .find(|s| s.range.start == ts("2026-03-23T09:00:00Z"))
            .unwrap();
        let goal: Vec<&Reason> = s
            .reasons
            .iter()
            .filter(|r| r.code == ReasonCode::FocusGoal)
            .collect();
        assert_eq!(goal.len(), 1);
        assert_eq!(
            goal[0].text,
            "Ana: weekly focus goal at risk (7 h 30 min of 8 h left)"
        );
        assert_eq!(s.score, -WEIGHT_FOCUS_GOAL);
    }

    #[test]
    fn the_grid_follows_local_quarter_hours_of_the_first_key() {
        // Kolkata is UTC+05:30: an hourly grid there starts at :30 UTC.
        let mut req = request(vec![
            person("a", "Asia/Kolkata", vec![]),
            person("b", "UTC", vec![]),
        ]);
        req.step_minutes = 60;
        req.max_outside_minutes = 720;
        let slots = find(&req);
        assert!(!slots.is_empty());
        assert!(slots.iter().all(|s| s.range.start.as_second() % 3600 == 1800));
        assert!(slots.iter().all(|s| s.local_times[0].1.ends_with(":00")));
        req.participants.reverse();
        let again = find(&req);
        let key = |v: &[Slot]| v.iter().map(|s| (s.range, s.score)).collect::<Vec<_>>();
        assert_eq!(key(&slots), key(&again));
    }

    #[test]
    fn travel_depends_on_the_room_chosen() {
        let mut ana = person("ana", "UTC", vec![]);
        let mut visit = block("2026-03-23T09:00:00Z", "2026-03-23T10:00:00Z", "Visit");
        visit.in_person = true;
        visit.location = Some("Annex".into());
        ana.busy.push(visit);
        let mut req = request(vec![ana]);
        let mut hq = room("hq", 4, &[]);
        hq.location = Some("HQ".into());
        let mut annex = room("annex", 6, &[]);
        annex.location = Some("Annex".into());
        req.rooms = vec![hq, annex];
        req.travel.default_minutes = 45;
        let slots = find(&req);
        let ten = slots
            .iter()
            .find(|s| s.range.start == ts("2026-03-23T10:00:00Z"))
            .unwrap();
        // The smaller room is across town; only the annex works at 10:00.
        assert_eq!(ten.room.as_deref(), Some("annex"));
        let eleven = slots
            .iter()
            .find(|s| s.range.start == ts("2026-03-23T11:00:00Z"))
            .unwrap();
        assert_eq!(eleven.room.as_deref(), Some("hq"));
        assert!(blocking(&req, "2026-03-23T10:00:00Z").is_empty());
        req.rooms.truncate(1);
        let why = why_not(&req, ts("2026-03-23T10:00:00Z"));
        assert_eq!(why[0].code, ReasonCode::Travel);
        assert_eq!(
            why[0].text,
            "Ana: needs 45 min to get from Annex to HQ after Visit (ends 10:00)"
        );
    }

    #[test]
    fn moves_are_proposed_only_for_less_important_events() {
        let all_day = |title: &str, p: u8, cat: Category| {
            let mut b = block("2026-03-23T00:00:00Z", "2026-03-24T00:00:00Z", title);
            b.priority = Priority::new(p).unwrap();
            b.category = cat;
            b
        };
        let mut ana = person("ana", "UTC", vec![]);
        let mut low = block("2026-03-23T10:00:00Z", "2026-03-23T11:00:00Z", "Coffee");
        low.priority = Priority::LOW;
        let mut low2 = block("2026-03-23T14:00:00Z", "2026-03-23T14:30:00Z", "Sync");
        low2.priority = Priority::LOW;
        let mut low3 = block("2026-03-23T14:30:00Z", "2026-03-23T15:00:00Z", "Other");
        low3.priority = Priority::LOW;
        let high = |a: &str, b: &str| {
            let mut h = block(a, b, "Board");
            h.priority = Priority::HIGH;
            h
        };
        ana.busy = vec![
            high("2026-03-23T00:00:00Z", "2026-03-23T10:00:00Z"),
            low,
            high("2026-03-23T11:00:00Z", "2026-03-23T14:00:00Z"),
            low2,
            low3,
            high("2026-03-23T15:00:00Z", "2026-03-24T00:00:00Z"),
        ];
        let mut req = request(vec![ana, person("ben", "UTC", vec![])]);
        assert!(find(&req).is_empty());
        let props = propose_moves(&req, 5);
        assert_eq!(props.len(), 2);
        assert_eq!(
            props[0].slot,
            range("2026-03-23T10:00:00Z", "2026-03-23T11:00:00Z")
        );
        assert_eq!(props[0].moves.len(), 1);
        assert_eq!(props[0].moves[0].title, "Coffee");
        assert_eq!(props[0].moves[0].who, "ana");
        assert_eq!(
            props[0].text,
            "move 1 event to meet Mon 23 Mar 10:00–11:00 UTC: Ana's Coffee (Mon 23 Mar 10:00–11:00, priority 4)"
        );
        assert_eq!(props[1].moves.len(), 2);
        // Events as important as the meeting, travel and personal time never move.
        for (title, p, cat) in [
            ("Normal", 3, Category::Meeting),
            ("Flight", 4, Category::Travel),
            ("Doctor", 4, Category::Personal),
        ] {
            req.participants[1].busy = vec![all_day(title, p, cat)];
            assert!(propose_moves(&req, 5).is_empty(), "{title}");
        }
        // A shared event is one move even if two calendars hold it.
        let mut shared = block("2026-03-23T10:00:00Z", "2026-03-23T11:00:00Z", "Coffee");
        shared.priority = Priority::LOW;
        req.participants[1].busy = vec![shared];
        let props = propose_moves(&req, 1);
        assert_eq!(props[0].moves.len(), 2);
        assert!(props[0].text.starts_with("move 1 event"));
    }

    #[test]
    fn bad_requests_find_nothing() {
        let mut req = request(vec![person("ana", "UTC", vec![])]);
        req.duration = SignedDuration::ZERO;
        assert!(find(&req).is_empty());
        assert_eq!(
            why_not(&req, ts("2026-03-23T10:00:00Z"))[0].code,
            ReasonCode::InvalidRequest
        );
        req.duration = SignedDuration::from_hours(30);
        assert!(find(&req).is_empty());
        req.duration = SignedDuration::from_hours(1);
        req.window = range("2026-03-23T10:00:00Z", "2026-03-23T10:30:00Z");
        assert!(find(&req).is_empty());
        // However many results are asked for, only as many as there are.
        req.max_results = usize::MAX;
        assert_eq!(find(&req).len(), 0);
        // A window starting a fraction of a second into 10:00 starts at 10:00:01.
        let mut req = request(vec![person("ana", "UTC", vec![])]);
        req.window.start = Timestamp::new(ts("2026-03-23T10:00:00Z").as_second(), 1).unwrap();
        req.step_minutes = 1;
        req.max_results = usize::MAX;
        let slots = find(&req);
        assert!(slots.iter().all(|s| s.range.start >= req.window.start));
        assert_eq!(
            slots.iter().map(|s| s.range.start).min(),
            Some(ts("2026-03-23T10:01:00Z"))
        );
        // No participants at all: any time in the window works.
        let mut empty = request(vec![]);
        empty.max_results = 3;
        assert_eq!(
            starts(&find(&empty)),
            [
                "2026-03-23T00:00:00Z",
                "2026-03-23T00:15:00Z",
                "2026-03-23T00:30:00Z"
            ]
        );
    }

    #[test]
    fn requests_and_slots_are_json() {
        let mut req = request(vec![person("ana", "Europe/Amsterdam", vec![])]);
        req.rooms.push(room("board", 8, &["screen"]));
        let json = serde_json::to_string(&req).unwrap();
        let back: Request = serde_json::from_str(&json).unwrap();
        assert_eq!(back, req);
        let slot = &find(&req)[0];
        let v = serde_json::to_value(slot).unwrap();
        assert_eq!(v["reasons"][0]["code"], "inside_hours");
        assert_eq!(v["local_times"][0][0], "Europe/Amsterdam");
        assert_eq!(city("America/Argentina/Buenos_Aires"), "Buenos Aires");
        assert_eq!(fmt_minutes(90), "90 min");
        assert_eq!(fmt_minutes(1440), "24 h");
        assert_eq!(fmt_minutes(150), "2 h 30 min");
    }

    #[test]
    fn hours_resolved_day_by_day_match_the_exact_path_in_awkward_zones() {
        // Half-hour summer time (Lord Howe), changes at midnight (Havana,
        // Beirut, Santiago), Ramadan changes (Casablanca), odd offsets.
        let zones = [
            "Europe/Amsterdam",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "Pacific/Chatham",
            "America/Havana",
            "Asia/Beirut",
            "America/Santiago",
            "Africa/Casablanca",
            "Europe/Dublin",
        ];
        let window = range("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
        for name in zones {
            let mut av = Availability::default_for(zone(name));
            av.working_hours.sunday = vec![LocalSpan::hm(0, 0, 24, 0)];
            av.working_hours.saturday = vec![
                LocalSpan::hm(0, 0, 1, 0),
                LocalSpan::hm(1, 30, 3, 0),
                LocalSpan::hm(23, 0, 24, 0),
            ];
            av.lunch = Some(LocalSpan::hm(0, 30, 2, 30));
            let mut p = person("ana", name, vec![]);
            p.availability = Some(av.clone());
            let mut req = request(vec![p]);
            req.window = window;
            let ctx = Ctx::new(&req, secs_floor(window.start), secs_floor(window.end), Mode::Find).unwrap();
            let zi = &ctx.zones[0];
            for (i, d) in zi.dates.iter().enumerate() {
                assert_eq!(zi.starts[i], av.zone.start_of_day(*d).as_second(), "{name} {d}");
            }
            let changes = zi.plain.iter().filter(|p| !**p).count();
            assert_eq!(
                changes > 0,
                name != "Asia/Kathmandu",
                "{name}: days with a clock change"
            );
            let clip = |v: &[Span]| -> Vec<TimeRange> {
                v.iter()
                    .map(|s| s.to_range())
                    .filter_map(|r| {
                        let (a, b) = (r.start.max(window.start), r.end.min(window.end));
                        (a < b).then_some(TimeRange { start: a, end: b })
                    })
                    .collect()
            };
            assert_eq!(clip(&ctx.sets[1].hours), av.hours_ranges(window), "{name} hours");
            assert_eq!(clip(&ctx.sets[1].lunch), av.lunch_ranges(window), "{name} lunch");
        }
    }

    #[test]
    fn distance_outside_hours() {
        let h = [Span { start: 100, end: 200 }, Span { start: 300, end: 400 }];
        let at = |s: i64, e: i64| {
            let i = h.partition_point(|x| x.end <= s);
            reach_outside(&h, i, s, e)
        };
        assert_eq!(at(120, 180), 0);
        assert_eq!(at(80, 120), 20);
        assert_eq!(at(180, 230), 30);
        assert_eq!(at(180, 320), 50);
        assert_eq!(at(260, 280), 40);
        assert_eq!(at(240, 260), 50);
        assert_eq!(at(390, 450), 50);
        assert_eq!(reach_outside(&[], 0, 0, 10), POS_INF);
        let mut out = Vec::new();
        outside_cap(&h, 50, &mut out);
        assert_eq!(
            out,
            [
                Span {
                    start: NEG_INF,
                    end: 50
                },
                Span {
                    start: 450,
                    end: POS_INF
                }
            ]
        );
        assert_eq!(
            fragments(&[Span { start: 0, end: 600 }], 100, 200, 150),
            (100, 200)
        );
    }
}
