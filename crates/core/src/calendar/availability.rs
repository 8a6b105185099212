//! When a person can meet: working hours per weekday in their own zone, date
//! overrides, out-of-office periods, buffers around meetings, minimum notice, a
//! daily meeting limit, no-meeting days, a weekly focus-time goal and a lunch
//! window.
//!
//! The rules are wall-clock rules ("09:00–17:30 in Amsterdam"), so they are
//! turned into instants one local day at a time with
//! [`resolve`](crate::calendar::time::resolve): on the day clocks change the
//! hours move with the clock, and a day that loses an hour has one hour less of
//! work. The whole value is serialisable as JSON (it is stored as a JSON column
//! and sent over the API): times of day as `"09:00"`, dates as `"2026-12-24"`,
//! the zone as its IANA name.

use crate::calendar::time::{TimeRange, Zone, resolve};
use crate::error::{FieldError, ValidationError};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The shortest stretch of free working time that counts as focus time, unless
/// the goal says otherwise.
pub const DEFAULT_FOCUS_BLOCK_MINUTES: i32 = 60;
/// The longest buffer before or after a meeting.
pub const MAX_BUFFER_MINUTES: i32 = 240;
/// The longest minimum notice: 90 days.
pub const MAX_NOTICE_MINUTES: i32 = 90 * 24 * 60;
/// The highest daily meeting limit.
pub const MAX_MEETINGS_PER_DAY: i32 = 48;
/// The most local days any range function resolves (a little over three
/// years), so an absurd window cannot make a request run for ever.
pub const MAX_DAYS_RESOLVED: usize = 1200;

/// A wall-clock time of day to the minute, written `"09:00"`; `"24:00"` is the
/// end of the day (only as the end of a span).
///
/// Any `H:MM` / `HH:MM` shape is accepted when reading so that
/// [`Availability::validate`] can name the field that is out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    pub hour: u8,
    pub minute: u8,
}

impl ClockTime {
    pub const MIDNIGHT: ClockTime = ClockTime { hour: 0, minute: 0 };
    pub const END_OF_DAY: ClockTime = ClockTime { hour: 24, minute: 0 };

    pub const fn hm(hour: u8, minute: u8) -> ClockTime {
        ClockTime { hour, minute }
    }

    /// 00:00 to 23:59, or 24:00.
    pub fn is_valid(&self) -> bool {
        (self.hour < 24 && self.minute < 60) || (self.hour == 24 && self.minute == 0)
    }

    /// Minutes since midnight (at most 1440).
    pub fn minutes(&self) -> u32 {
        (u32::from(self.hour) * 60 + u32::from(self.minute)).min(1440)
    }

    /// The wall-clock time this is on `date` (24:00 is the next midnight).
    fn on(&self, date: Date) -> Option<DateTime> {
        if !self.is_valid() {
            return None;
        }
        if self.hour == 24 {
            return date.tomorrow().ok().map(|d| d.to_datetime(Time::midnight()));
        }
        let t = Time::new(self.hour as i8, self.minute as i8, 0, 0).ok()?;
        Some(date.to_datetime(t))
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl FromStr for ClockTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a time of day like 09:00");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if !(digits(h) && digits(m) && h.len() <= 2 && m.len() == 2) {
            return Err(bad());
        }
        Ok(ClockTime {
            hour: h.parse().map_err(|_| bad())?,
            minute: m.parse().map_err(|_| bad())?,
        })
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A stretch of a local day, `[start, end)`, e.g. 09:00–12:30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalSpan {
    pub start: ClockTime,
    pub end: ClockTime,
}

impl LocalSpan {
    pub const fn new(start: ClockTime, end: ClockTime) -> LocalSpan {
        LocalSpan { start, end }
    }

    /// `sh:sm`–`eh:em`.
    pub const fn hm(sh: u8, sm: u8, eh: u8, em: u8) -> LocalSpan {
        LocalSpan {
            start: ClockTime::hm(sh, sm),
            end: ClockTime::hm(eh, em),
        }
    }
}

impl fmt::Display for LocalSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start, self.end)
    }
}

/// A day of the week, written in lower case (`"wednesday"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOfWeek {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl DayOfWeek {
    pub const ALL: [DayOfWeek; 7] = [
        DayOfWeek::Monday,
        DayOfWeek::Tuesday,
        DayOfWeek::Wednesday,
        DayOfWeek::Thursday,
        DayOfWeek::Friday,
        DayOfWeek::Saturday,
        DayOfWeek::Sunday,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            DayOfWeek::Monday => "monday",
            DayOfWeek::Tuesday => "tuesday",
            DayOfWeek::Wednesday => "wednesday",
            DayOfWeek::Thursday => "thursday",
            DayOfWeek::Friday => "friday",
            DayOfWeek::Saturday => "saturday",
            DayOfWeek::Sunday => "sunday",
        }
    }

    pub fn to_weekday(self) -> Weekday {
        match self {
            DayOfWeek::Monday => Weekday::Monday,
            DayOfWeek::Tuesday => Weekday::Tuesday,
            DayOfWeek::Wednesday => Weekday::Wednesday,
            DayOfWeek::Thursday => Weekday::Thursday,
            DayOfWeek::Friday => Weekday::Friday,
            DayOfWeek::Saturday => Weekday::Saturday,
            DayOfWeek::Sunday => Weekday::Sunday,
        }
    }

    pub fn from_weekday(w: Weekday) -> DayOfWeek {
        DayOfWeek::ALL[w.to_monday_zero_offset() as usize % 7]
    }
}

/// Working hours for each day of the week; a day with no spans is not worked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeekHours {
    pub monday: Vec<LocalSpan>,
    pub tuesday: Vec<LocalSpan>,
    pub wednesday: Vec<LocalSpan>,
    pub thursday: Vec<LocalSpan>,
    pub friday: Vec<LocalSpan>,
    pub saturday: Vec<LocalSpan>,
    pub sunday: Vec<LocalSpan>,
}

impl WeekHours {
    /// The spans of `day`.
    pub fn get(&self, day: DayOfWeek) -> &[LocalSpan] {
        match day {
            DayOfWeek::Monday => &self.monday,
            DayOfWeek::Tuesday => &self.tuesday,
            DayOfWeek::Wednesday => &self.wednesday,
            DayOfWeek::Thursday => &self.thursday,
            DayOfWeek::Friday => &self.friday,
            DayOfWeek::Saturday => &self.saturday,
            DayOfWeek::Sunday => &self.sunday,
        }
    }

    /// The spans of `day`, to change them.
    pub fn get_mut(&mut self, day: DayOfWeek) -> &mut Vec<LocalSpan> {
        match day {
            DayOfWeek::Monday => &mut self.monday,
            DayOfWeek::Tuesday => &mut self.tuesday,
            DayOfWeek::Wednesday => &mut self.wednesday,
            DayOfWeek::Thursday => &mut self.thursday,
            DayOfWeek::Friday => &mut self.friday,
            DayOfWeek::Saturday => &mut self.saturday,
            DayOfWeek::Sunday => &mut self.sunday,
        }
    }
}

/// One date with its own hours (a half day, a Saturday worked); no spans means
/// not working that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateOverride {
    pub date: Date,
    #[serde(default)]
    pub spans: Vec<LocalSpan>,
}

/// A period away: between two instants, or whole local dates (both inclusive)
/// in the person's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OutOfOffice {
    Instants { start: Timestamp, end: Timestamp },
    Dates { first: Date, last: Date },
}

impl OutOfOffice {
    /// The instants it covers when the person lives in `zone`.
    pub fn range(&self, zone: &Zone) -> TimeRange {
        match self {
            OutOfOffice::Instants { start, end } => TimeRange {
                start: *start,
                end: (*end).max(*start),
            },
            OutOfOffice::Dates { first, last } => {
                let start = zone.start_of_day(*first);
                let end = match last.tomorrow() {
                    Ok(next) => zone.start_of_day(next),
                    Err(_) => Timestamp::MAX,
                };
                TimeRange {
                    start,
                    end: end.max(start),
                }
            }
        }
    }
}

/// How much focus time (free working time in blocks of at least `min_block`
/// minutes) a person wants each week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocusGoal {
    pub weekly_minutes: i32,
    #[serde(default = "default_focus_block")]
    pub min_block: i32,
}

fn default_focus_block() -> i32 {
    DEFAULT_FOCUS_BLOCK_MINUTES
}

/// A person's scheduling rules. Minutes are signed so that a negative value
/// read from the edge reaches [`Availability::validate`], which names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// The zone the hours, dates and lunch are wall-clock times in.
    pub zone: Zone,
    #[serde(default)]
    pub working_hours: WeekHours,
    /// Dates whose hours differ from their weekday's (at most one per date).
    #[serde(default)]
    pub overrides: Vec<DateOverride>,
    #[serde(default)]
    pub out_of_office: Vec<OutOfOffice>,
    /// Minutes kept free before each busy block.
    #[serde(default)]
    pub buffer_before: i32,
    /// Minutes kept free after each busy block.
    #[serde(default)]
    pub buffer_after: i32,
    /// Minutes between being asked (`now`) and the earliest meeting.
    #[serde(default)]
    pub min_notice: i32,
    /// The most meeting-category events on one local day.
    #[serde(default)]
    pub max_meetings_per_day: Option<i32>,
    /// Weekdays on which no meeting may be booked.
    #[serde(default)]
    pub no_meeting_days: Vec<DayOfWeek>,
    #[serde(default)]
    pub focus_goal: Option<FocusGoal>,
    /// When the person prefers to eat; meetings over it are allowed but ranked down.
    #[serde(default)]
    pub lunch: Option<LocalSpan>,
}

impl Availability {
    /// Monday to Friday 09:00–17:30 in `zone`, lunch 12:30–13:30, no buffers,
    /// no notice, no limits.
    pub fn default_for(zone: Zone) -> Availability {
        let day = vec![LocalSpan::hm(9, 0, 17, 30)];
        Availability {
            zone,
            working_hours: WeekHours {
                monday: day.clone(),
                tuesday: day.clone(),
                wednesday: day.clone(),
                thursday: day.clone(),
                friday: day,
                saturday: vec![],
                sunday: vec![],
            },
            overrides: vec![],
            out_of_office: vec![],
            buffer_before: 0,
            buffer_after: 0,
            min_notice: 0,
            max_meetings_per_day: None,
            no_meeting_days: vec![],
            focus_goal: None,
            lunch: Some(LocalSpan::hm(12, 30, 13, 30)),
        }
    }

    /// Checks every rule; names every field at fault (`working_hours.monday`,
    /// `overrides[0].spans`, `buffer_before`, …).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        for day in DayOfWeek::ALL {
            check_spans(
                &format!("working_hours.{}", day.as_str()),
                self.working_hours.get(day),
                &mut bad,
            );
        }
        for (i, o) in self.overrides.iter().enumerate() {
            check_spans(&format!("overrides[{i}].spans"), &o.spans, &mut bad);
            if self.overrides[..i].iter().any(|p| p.date == o.date) {
                bad(
                    &format!("overrides[{i}].date"),
                    format!("{} is listed twice", o.date),
                );
            }
        }
        for (i, o) in self.out_of_office.iter().enumerate() {
            let backwards = match o {
                OutOfOffice::Instants { start, end } => end <= start,
                OutOfOffice::Dates { first, last } => last < first,
            };
            if backwards {
                bad(&format!("out_of_office[{i}]"), "ends before it starts".into());
            }
        }
        for (field, v) in [
            ("buffer_before", self.buffer_before),
            ("buffer_after", self.buffer_after),
        ] {
            if !(0..=MAX_BUFFER_MINUTES).contains(&v) {
                bad(
                    field,
                    format!("{v} minutes is out of range: 0 to {MAX_BUFFER_MINUTES}"),
                );
            }
        }
        if !(0..=MAX_NOTICE_MINUTES).contains(&self.min_notice) {
            bad(
                "min_notice",
                format!(
                    "{} minutes is out of range: 0 to {MAX_NOTICE_MINUTES} (90 days)",
                    self.min_notice
                ),
            );
        }
        if let Some(n) = self.max_meetings_per_day
            && !(1..=MAX_MEETINGS_PER_DAY).contains(&n)
        {
            bad(
                "max_meetings_per_day",
                format!("{n} is out of range: 1 to {MAX_MEETINGS_PER_DAY}"),
            );
        }
        for (i, d) in self.no_meeting_days.iter().enumerate() {
            if self.no_meeting_days[..i].contains(d) {
                bad("no_meeting_days", format!("{} is listed twice", d.as_str()));
            }
        }
        if let Some(g) = self.focus_goal {
            if !(0..=7 * 24 * 60).contains(&g.weekly_minutes) {
                bad(
                    "focus_goal.weekly_minutes",
                    format!(
                        "{} minutes is out of range: 0 to 10080 (a week)",
                        g.weekly_minutes
                    ),
                );
            }
            if !(15..=480).contains(&g.min_block) {
                bad(
                    "focus_goal.min_block",
                    format!("{} minutes is out of range: 15 to 480", g.min_block),
                );
            }
        }
        if let Some(l) = self.lunch {
            check_spans("lunch", &[l], &mut bad);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// The spans worked on `date`: its override when it has one, else its weekday's.
    pub fn spans_on(&self, date: Date) -> &[LocalSpan] {
        match self.overrides.iter().find(|o| o.date == date) {
            Some(o) => &o.spans,
            None => self.working_hours.get(DayOfWeek::from_weekday(date.weekday())),
        }
    }

    /// Whether no meeting may be booked on `weekday`.
    pub fn is_no_meeting_day(&self, weekday: Weekday) -> bool {
        self.no_meeting_days.contains(&DayOfWeek::from_weekday(weekday))
    }

    /// The minutes a free stretch must last to count as focus time.
    pub fn focus_block_minutes(&self) -> i64 {
        i64::from(
            self.focus_goal
                .map_or(DEFAULT_FOCUS_BLOCK_MINUTES, |g| g.min_block)
                .max(1),
        )
    }

    /// Working hours inside `window`, sorted and merged, ignoring time off.
    pub fn hours_ranges(&self, window: TimeRange) -> Vec<TimeRange> {
        let mut out = Vec::new();
        self.push_local_ranges(window, SpanKind::Hours, &mut out);
        normalise(&mut out);
        clip_to(&out, window)
    }

    /// The working time of the person inside `window`: their hours, day by day
    /// in their zone, less time out of office; sorted and merged.
    pub fn working_ranges(&self, window: TimeRange) -> Vec<TimeRange> {
        let mut hours = Vec::new();
        self.push_local_ranges(window, SpanKind::Hours, &mut hours);
        normalise(&mut hours);
        let mut away = self.out_of_office_spans();
        normalise(&mut away);
        let mut out = Vec::new();
        subtract(&hours, &away, 0, &mut out);
        clip_to(&out, window)
    }

    /// Lunch inside `window` on the days the person works.
    pub fn lunch_ranges(&self, window: TimeRange) -> Vec<TimeRange> {
        let mut out = Vec::new();
        self.push_local_ranges(window, SpanKind::Lunch, &mut out);
        normalise(&mut out);
        clip_to(&out, window)
    }

    /// The out-of-office periods as instants, sorted and merged.
    pub fn out_of_office_ranges(&self) -> Vec<TimeRange> {
        let mut v = self.out_of_office_spans();
        normalise(&mut v);
        v.iter().map(|s| s.to_range()).collect()
    }

    /// The local week (Monday 00:00 to the next Monday 00:00) containing `t`.
    pub fn week_of(&self, t: Timestamp) -> TimeRange {
        let date = self.zone.local(t).date();
        let back = i64::from(date.weekday().to_monday_zero_offset());
        let monday = (0..back).try_fold(date, |d, _| d.yesterday()).unwrap_or(date);
        let next = (0..7).try_fold(monday, |d, _| d.tomorrow()).unwrap_or(monday);
        TimeRange {
            start: self.zone.start_of_day(monday),
            end: self.zone.start_of_day(next),
        }
    }

    /// Focus time in `week` (any range, usually [`Availability::week_of`]):
    /// minutes of working time not covered by `busy`, counting only free
    /// stretches of at least the goal's block length (60 minutes by default).
    /// Pass the blocks that interrupt work; scheduled focus blocks are focus
    /// time, so leave them out.
    pub fn focus_minutes(&self, busy: &[TimeRange], week: TimeRange) -> i64 {
        let working: Vec<Span> = self.working_ranges(week).iter().map(Span::of_range).collect();
        let mut b: Vec<Span> = busy.iter().map(Span::of_range).collect();
        normalise(&mut b);
        let mut free = Vec::new();
        subtract(&working, &b, 0, &mut free);
        let min = self.focus_block_minutes() * 60;
        free.iter().map(|s| s.len()).filter(|&l| l >= min).sum::<i64>() / 60
    }

    /// Out-of-office periods as second spans (unsorted).
    pub(crate) fn out_of_office_spans(&self) -> Vec<Span> {
        self.out_of_office
            .iter()
            .map(|o| Span::of_range(&o.range(&self.zone)))
            .collect()
    }

    /// Pushes the local spans of every day touching `window` (unmerged).
    fn push_local_ranges(&self, window: TimeRange, kind: SpanKind, out: &mut Vec<Span>) {
        let first = self.zone.local(window.start).date();
        let last = self.zone.local(window.end).date();
        self.push_days(first, last, kind, |_| None, out);
    }

    /// Pushes the instants of the spans of each local date `first..=last`
    /// (at most [`MAX_DAYS_RESOLVED`] days), each resolved on its own day so
    /// that daylight-saving changes are honoured.
    ///
    /// `plain_day(n)` may give the start (seconds) of the `n`th day when the
    /// caller knows the zone's offset does not change during it; its times are
    /// then plain seconds after that midnight, which is what resolving them
    /// would give, without looking the zone up.
    pub(crate) fn push_days(
        &self,
        first: Date,
        last: Date,
        kind: SpanKind,
        plain_day: impl Fn(usize) -> Option<i64>,
        out: &mut Vec<Span>,
    ) {
        let mut d = first;
        for n in 0..MAX_DAYS_RESOLVED {
            if d > last {
                break;
            }
            let spans = self.spans_on(d);
            let lunch;
            let todo: &[LocalSpan] = match kind {
                SpanKind::Hours => spans,
                SpanKind::Lunch => match self.lunch {
                    Some(l) if !spans.is_empty() => {
                        lunch = [l];
                        &lunch
                    }
                    _ => &[],
                },
            };
            let plain = if todo.is_empty() { None } else { plain_day(n) };
            for span in todo {
                let (Some(s), Some(e)) = (span.start.on(d), span.end.on(d)) else {
                    continue;
                };
                let (s, e) = match plain {
                    Some(midnight) => (
                        midnight + i64::from(span.start.minutes()) * 60,
                        midnight + i64::from(span.end.minutes()) * 60,
                    ),
                    None => (
                        secs_floor(resolve(s, self.zone.tz())),
                        secs_ceil(resolve(e, self.zone.tz())),
                    ),
                };
                if s < e {
                    out.push(Span { start: s, end: e });
                }
            }
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
    }
}

/// Which local spans a day contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpanKind {
    Hours,
    Lunch,
}

/// Reports backwards, empty, out-of-range and overlapping spans of one list.
fn check_spans(field: &str, spans: &[LocalSpan], bad: &mut impl FnMut(&str, String)) {
    for s in spans {
        if !s.start.is_valid() || !s.end.is_valid() || s.start.hour == 24 {
            bad(
                field,
                format!("{s} is out of range: times run from 00:00 to 24:00"),
            );
        } else if s.end <= s.start {
            bad(field, format!("{s} ends before it starts"));
        }
    }
    let mut sorted: Vec<LocalSpan> = spans.to_vec();
    sorted.sort();
    for w in sorted.windows(2) {
        if w[1].start < w[0].end {
            bad(field, format!("{} overlaps {}", w[0], w[1]));
        }
    }
}

// ---- Interval arithmetic in whole seconds, shared with the finder. ----
//
// The finder works on seconds since the Unix epoch rather than `Timestamp`s:
// comparisons and subtraction of plain integers keep its inner loops cheap.
// Starts are rounded down and ends up, so a busy block never shrinks.

/// A half-open span of seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Span {
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn of_range(r: &TimeRange) -> Span {
        let start = secs_floor(r.start);
        Span {
            start,
            end: secs_ceil(r.end).max(start),
        }
    }

    pub fn len(&self) -> i64 {
        self.end - self.start
    }

    /// Whether the span shares an instant with `[start, end)` (empty spans share none).
    pub fn overlaps(&self, start: i64, end: i64) -> bool {
        self.start < self.end && start < end && self.start < end && start < self.end
    }

    pub fn to_range(self) -> TimeRange {
        TimeRange {
            start: to_ts(self.start),
            end: to_ts(self.end),
        }
    }
}

/// Whole seconds at or before `t`.
pub(crate) fn secs_floor(t: Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() < 0 { s - 1 } else { s }
}

/// Whole seconds at or after `t`.
pub(crate) fn secs_ceil(t: Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() > 0 { s + 1 } else { s }
}

/// The instant `secs` after the epoch, clamped to the representable range.
pub(crate) fn to_ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(if secs < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

/// Sorts `v`, drops empty spans and joins overlapping or touching ones.
pub(crate) fn normalise(v: &mut Vec<Span>) {
    v.retain(|s| s.start < s.end);
    v.sort_unstable();
    let mut w = 0;
    for i in 0..v.len() {
        if w > 0 && v[i].start <= v[w - 1].end {
            v[w - 1].end = v[w - 1].end.max(v[i].end);
        } else {
            v[w] = v[i];
            w += 1;
        }
    }
    v.truncate(w);
}

/// Appends `s` to `out` (sorted by start), joining it to the last span when
/// they overlap or touch; empty spans are skipped. Spans pushed in start order
/// give a normalised list without sorting.
pub(crate) fn push_merged(out: &mut Vec<Span>, s: Span) {
    if s.start >= s.end {
        return;
    }
    match out.last_mut() {
        Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
        _ => out.push(s),
    }
}

/// Joins two lists sorted by start into `out` (normalised).
pub(crate) fn union(a: &[Span], b: &[Span], out: &mut Vec<Span>) {
    out.clear();
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = if j >= b.len() || (i < a.len() && a[i].start <= b[j].start) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        match out.last_mut() {
            Some(last) if next.start <= last.end => last.end = last.end.max(next.end),
            _ => out.push(next),
        }
    }
}

/// `a` less `b` (both normalised) into `out`, keeping only pieces of at least
/// `min_len` seconds.
pub(crate) fn subtract(a: &[Span], b: &[Span], min_len: i64, out: &mut Vec<Span>) {
    out.clear();
    let mut j = 0;
    for s in a {
        let mut cur = s.start;
        while j < b.len() && b[j].end <= cur {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].start < s.end {
            if b[k].start > cur && b[k].start - cur >= min_len.max(1) {
                out.push(Span {
                    start: cur,
                    end: b[k].start,
                });
            }
            cur = cur.max(b[k].end);
            if cur >= s.end {
                break;
            }
            k += 1;
        }
        if cur < s.end && s.end - cur >= min_len.max(1) {
            out.push(Span {
                start: cur,
                end: s.end,
            });
        }
    }
}

/// The spans as ranges, cut to `window`.
fn clip_to(v: &[Span], window: TimeRange) -> Vec<TimeRange> {
    v.iter()
        .filter_map(|s| {
            let r = s.to_range();
            let start = r.start.max(window.start);
            let end = r.end.min(window.end);
            (start < end).then_some(TimeRange { start, end })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use jiff::civil::date;

    fn zone(name: &str) -> Zone {
        Zone::parse("zone", name).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn range(a: &str, b: &str) -> TimeRange {
        TimeRange {
            start: ts(a),
            end: ts(b),
        }
    }

    fn fmt(v: &[TimeRange]) -> Vec<String> {
        v.iter().map(|r| format!("{}/{}", r.start, r.end)).collect()
    }

    fn fields(a: &Availability) -> Vec<String> {
        a.validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn default_is_valid_and_round_trips_as_json() {
        let mut a = Availability::default_for(zone("Europe/Amsterdam"));
        a.overrides.push(DateOverride {
            date: date(2026, 12, 24),
            spans: vec![LocalSpan::hm(9, 0, 12, 0)],
        });
        a.out_of_office.push(OutOfOffice::Dates {
            first: date(2026, 12, 28),
            last: date(2026, 12, 31),
        });
        a.no_meeting_days.push(DayOfWeek::Wednesday);
        a.focus_goal = Some(FocusGoal {
            weekly_minutes: 600,
            min_block: 60,
        });
        assert!(a.validate().is_ok());
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["zone"], "Europe/Amsterdam");
        assert_eq!(json["working_hours"]["monday"][0]["start"], "09:00");
        assert_eq!(json["working_hours"]["monday"][0]["end"], "17:30");
        assert_eq!(json["overrides"][0]["date"], "2026-12-24");
        assert_eq!(json["out_of_office"][0]["kind"], "dates");
        assert_eq!(json["no_meeting_days"][0], "wednesday");
        assert_eq!(json["lunch"]["start"], "12:30");
        let back: Availability = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn json_defaults_and_refusals() {
        let a: Availability = serde_json::from_str(
            r#"{"zone":"America/New_York","working_hours":{"monday":[{"start":"8:00","end":"24:00"}]}}"#,
        )
        .unwrap();
        assert_eq!(a.working_hours.monday, vec![LocalSpan::hm(8, 0, 24, 0)]);
        assert!(a.working_hours.tuesday.is_empty() && a.lunch.is_none());
        assert!(a.validate().is_ok());
        for bad in [
            r#"{"zone":"Mars/Olympus"}"#,
            r#"{"zone":"UTC","working_hours":{"munday":[]}}"#,
            r#"{"zone":"UTC","lunch":{"start":"noon","end":"13:00"}}"#,
            r#"{"zone":"UTC","lunch":{"start":"12:0","end":"13:00"}}"#,
            r#"{"zone":"UTC","no_meeting_days":["someday"]}"#,
        ] {
            assert!(serde_json::from_str::<Availability>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_names_each_field() {
        let base = || Availability::default_for(Zone::utc());
        // (what is changed, the fields named)
        type Change = fn(&mut Availability);
        let cases: Vec<(Change, &[&str])> = vec![
            (
                |a| a.working_hours.monday = vec![LocalSpan::hm(17, 0, 9, 0)],
                &["working_hours.monday"],
            ),
            (
                |a| a.working_hours.friday = vec![LocalSpan::hm(9, 0, 12, 30), LocalSpan::hm(12, 0, 17, 0)],
                &["working_hours.friday"],
            ),
            (
                |a| a.working_hours.sunday = vec![LocalSpan::hm(9, 0, 25, 0)],
                &["working_hours.sunday"],
            ),
            (
                |a| a.working_hours.sunday = vec![LocalSpan::hm(9, 70, 10, 0)],
                &["working_hours.sunday"],
            ),
            (
                |a| a.working_hours.sunday = vec![LocalSpan::hm(9, 0, 9, 0)],
                &["working_hours.sunday"],
            ),
            (|a| a.buffer_before = -5, &["buffer_before"]),
            (|a| a.buffer_after = 10_000, &["buffer_after"]),
            (|a| a.min_notice = -1, &["min_notice"]),
            (|a| a.max_meetings_per_day = Some(0), &["max_meetings_per_day"]),
            (|a| a.lunch = Some(LocalSpan::hm(14, 0, 13, 0)), &["lunch"]),
            (
                |a| {
                    a.focus_goal = Some(FocusGoal {
                        weekly_minutes: -60,
                        min_block: 5,
                    })
                },
                &["focus_goal.weekly_minutes", "focus_goal.min_block"],
            ),
            (
                |a| {
                    let o = DateOverride {
                        date: date(2026, 1, 2),
                        spans: vec![LocalSpan::hm(10, 0, 9, 0)],
                    };
                    a.overrides = vec![o.clone(), o];
                },
                &["overrides[0].spans", "overrides[1].spans", "overrides[1].date"],
            ),
            (
                |a| {
                    a.out_of_office = vec![OutOfOffice::Dates {
                        first: date(2026, 1, 5),
                        last: date(2026, 1, 4),
                    }]
                },
                &["out_of_office[0]"],
            ),
            (
                |a| a.no_meeting_days = vec![DayOfWeek::Friday, DayOfWeek::Friday],
                &["no_meeting_days"],
            ),
            (|a| a.buffer_after = 240, &[]),
        ];
        for (i, (change, want)) in cases.into_iter().enumerate() {
            let mut a = base();
            change(&mut a);
            assert_eq!(fields(&a), want, "case {i}");
        }
    }

    #[test]
    fn working_ranges_follow_each_zone_across_dst() {
        // Mon 9 to Sun 15 March 2026: New York moves to summer time on Sunday
        // 8 March, Amsterdam only on 29 March, so this week they are 5 h apart.
        let ams = Availability::default_for(zone("Europe/Amsterdam"));
        let ny = Availability::default_for(zone("America/New_York"));
        let week = range("2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z");
        let a = ams.working_ranges(week);
        let n = ny.working_ranges(week);
        assert_eq!(a.len(), 5);
        assert_eq!(fmt(&a[..1]), ["2026-03-09T08:00:00Z/2026-03-09T16:30:00Z"]);
        assert_eq!(fmt(&n[..1]), ["2026-03-09T13:00:00Z/2026-03-09T21:30:00Z"]);
        // The week before New York changes, the gap is the usual six hours.
        let before = ny.working_ranges(range("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"));
        assert_eq!(fmt(&before), ["2026-03-02T14:00:00Z/2026-03-02T22:30:00Z"]);
        // Amsterdam after its change: 09:00 CEST is 07:00 UTC.
        let after = ams.working_ranges(range("2026-03-30T00:00:00Z", "2026-03-31T00:00:00Z"));
        assert_eq!(fmt(&after), ["2026-03-30T07:00:00Z/2026-03-30T15:30:00Z"]);
    }

    #[test]
    fn night_spans_on_the_changeover_day_keep_their_real_length() {
        let mut a = Availability::default_for(zone("Europe/Amsterdam"));
        a.working_hours.sunday = vec![LocalSpan::hm(0, 0, 24, 0)];
        // 29 March 2026 has 23 hours, 25 October 2026 has 25.
        let spring = a.hours_ranges(range("2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"));
        assert_eq!(spring.len(), 1);
        assert_eq!(spring[0].duration().as_hours(), 23);
        let autumn = a.hours_ranges(range("2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00"));
        assert_eq!(autumn[0].duration().as_hours(), 25);
    }

    #[test]
    fn overrides_time_off_and_lunch() {
        let mut a = Availability::default_for(zone("Europe/London"));
        a.overrides = vec![
            DateOverride {
                date: date(2026, 12, 24),
                spans: vec![LocalSpan::hm(9, 0, 12, 0)],
            },
            DateOverride {
                date: date(2026, 12, 26),
                spans: vec![LocalSpan::hm(10, 0, 14, 0)],
            },
        ];
        a.out_of_office = vec![
            OutOfOffice::Dates {
                first: date(2026, 12, 25),
                last: date(2026, 12, 25),
            },
            OutOfOffice::Instants {
                start: ts("2026-12-23T15:00:00Z"),
                end: ts("2026-12-23T16:00:00Z"),
            },
        ];
        let w = range("2026-12-23T00:00:00Z", "2026-12-27T00:00:00Z");
        assert_eq!(
            fmt(&a.working_ranges(w)),
            [
                "2026-12-23T09:00:00Z/2026-12-23T15:00:00Z",
                "2026-12-23T16:00:00Z/2026-12-23T17:30:00Z",
                "2026-12-24T09:00:00Z/2026-12-24T12:00:00Z",
                "2026-12-26T10:00:00Z/2026-12-26T14:00:00Z",
            ]
        );
        // Lunch only on days worked (the 25th is a Friday but out of office
        // does not remove lunch: it is a preference, not time worked).
        assert_eq!(a.lunch_ranges(w).len(), 4);
        assert_eq!(
            fmt(&a.out_of_office_ranges()),
            [
                "2026-12-23T15:00:00Z/2026-12-23T16:00:00Z",
                "2026-12-25T00:00:00Z/2026-12-26T00:00:00Z"
            ]
        );
    }

    #[test]
    fn windows_cut_the_ranges() {
        let a = Availability::default_for(Zone::utc());
        let w = range("2026-03-09T10:00:00Z", "2026-03-09T11:00:00Z");
        assert_eq!(
            fmt(&a.working_ranges(w)),
            ["2026-03-09T10:00:00Z/2026-03-09T11:00:00Z"]
        );
        let weekend = range("2026-03-14T00:00:00Z", "2026-03-16T00:00:00Z");
        assert!(a.working_ranges(weekend).is_empty());
    }

    #[test]
    fn focus_minutes_count_only_long_free_stretches() {
        let mut a = Availability::default_for(Zone::utc());
        a.focus_goal = Some(FocusGoal {
            weekly_minutes: 600,
            min_block: 60,
        });
        let week = a.week_of(ts("2026-03-11T12:00:00Z"));
        assert_eq!(week, range("2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z"));
        // Five days of 8.5 h free.
        assert_eq!(a.focus_minutes(&[], week), 5 * 510);
        // A meeting 09:30–10:00 on Monday leaves 30 min (lost) and 7.5 h.
        let busy = [range("2026-03-09T09:30:00Z", "2026-03-09T10:00:00Z")];
        assert_eq!(a.focus_minutes(&busy, week), 4 * 510 + 450);
        // Busy time outside the hours changes nothing.
        let evening = [range("2026-03-09T19:00:00Z", "2026-03-09T20:00:00Z")];
        assert_eq!(a.focus_minutes(&evening, week), 5 * 510);
    }

    #[test]
    fn week_of_uses_the_local_monday() {
        let a = Availability::default_for(zone("Asia/Kolkata"));
        // Sunday 22:00 UTC is already Monday 03:30 in Kolkata.
        let w = a.week_of(ts("2026-03-15T22:00:00Z"));
        assert_eq!(w.start, ts("2026-03-15T18:30:00Z"));
        assert_eq!(w.duration().as_hours(), 168);
    }

    #[test]
    fn interval_arithmetic() {
        let s = |a: i64, b: i64| Span { start: a, end: b };
        let mut v = vec![s(5, 7), s(1, 3), s(3, 4), s(9, 9), s(6, 8)];
        normalise(&mut v);
        assert_eq!(v, [s(1, 4), s(5, 8)]);
        let mut out = Vec::new();
        subtract(
            &[s(0, 10), s(20, 30)],
            &[s(2, 3), s(5, 6), s(9, 21), s(25, 26)],
            0,
            &mut out,
        );
        assert_eq!(out, [s(0, 2), s(3, 5), s(6, 9), s(21, 25), s(26, 30)]);
        subtract(
            &[s(0, 10), s(20, 30)],
            &[s(2, 3), s(5, 6), s(9, 21), s(25, 26)],
            3,
            &mut out,
        );
        assert_eq!(out, [s(6, 9), s(21, 25), s(26, 30)]);
        union(&[s(0, 2), s(5, 6)], &[s(1, 3), s(6, 7), s(9, 10)], &mut out);
        assert_eq!(out, [s(0, 3), s(5, 7), s(9, 10)]);
        let sub = Timestamp::new(10, 500_000_000).unwrap();
        assert_eq!((secs_floor(sub), secs_ceil(sub)), (10, 11));
        let neg = Timestamp::new(-10, -500_000_000).unwrap();
        assert_eq!((secs_floor(neg), secs_ceil(neg)), (-11, -10));
    }
}
