//! Series expansion: the occurrences of an event in a span of time, with its
//! rules, extra dates (RDATE), excluded dates (EXDATE, EXRULE) and overridden
//! occurrences (RECURRENCE-ID) applied; the span a series covers, for indexing;
//! and the check that refuses recurrences that would flood a calendar.
//!
//! Everything is expanded on wall-clock times in the series' zone (the start's
//! zone, or the calendar's for all-day and floating events) and only then
//! resolved to instants, so "every Monday at 09:00" stays at 09:00 across
//! daylight-saving changes, and 02:30 on the night clocks spring forward
//! becomes 03:30 (RFC 5545 §3.3.5, [`crate::calendar::time::resolve`]).
//!
//! Choices where RFC 5545 leaves room, made once here:
//! - DTSTART is always the first occurrence, even when it does not match the
//!   rule, and counts toward COUNT: `COUNT=3` with an unmatched DTSTART is
//!   DTSTART and the rule's first two occurrences after it.
//! - Each occurrence lasts as long on the wall clock as the event does
//!   (09:00–10:30 stays 09:00–10:30 on a day with a daylight-saving change); an
//!   all-day occurrence lasts the same number of days. When the start and end
//!   are in different zones (a flight) a wall-clock length means nothing, so
//!   each occurrence keeps the exact duration instead. A start moved forward by
//!   a spring-forward gap past its own end keeps the length on the wall clock
//!   (02:30–03:00 becomes 03:30–04:00).
//! - An override whose RECURRENCE-ID is not an occurrence of the series (its
//!   date was excluded, or the rule changed since) is ignored: the series
//!   decides which occurrences exist, overrides only change them. When two
//!   overrides name the same occurrence, the later one in the list wins.
//! - RDATE, EXDATE and RECURRENCE-ID may be given in another zone than the
//!   series (or in UTC): RDATEs become wall-clock times in the series' zone,
//!   EXDATEs match by instant for timed series and by date for all-day ones.
//!   An all-day EXDATE on a timed series excludes that day; an all-day RDATE on
//!   a timed series happens at DTSTART's time of day.
//! - Times are whole seconds: a fraction of a second in a start is dropped.

use crate::calendar::event::{EventData, EventStatus, RecurrenceId};
use crate::calendar::recurrence::{Rule, RuleIter};
use crate::calendar::time::{EventTime, TimeRange, Zone};
use crate::error::ValidationError;
use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub use crate::calendar::recurrence::{ExpandError, Limits};

/// One overridden occurrence of a recurring event (RECURRENCE-ID): its own data
/// (moved, renamed or cancelled via status). `data.recurrence` is ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub recurrence_id: RecurrenceId,
    pub data: EventData,
}

/// One occurrence of an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Occurrence {
    /// None for an event that does not repeat.
    pub recurrence_id: Option<RecurrenceId>,
    /// As meant (the zone kept).
    pub start: EventTime,
    pub end: EventTime,
    /// The instants (dates and floating times read in the fallback zone).
    pub start_at: Timestamp,
    pub end_at: Timestamp,
    /// Index into the `overrides` slice when this occurrence was overridden.
    pub override_index: Option<usize>,
}

/// The most occurrences a recurrence may have in its first year (see [`check_density`]).
pub const MAX_OCCURRENCES_PER_YEAR: usize = 10_000;

/// Occurrences overlapping `window` (start < window.end && end > window.start;
/// a zero-length occurrence at t counts when window.start <= t < window.end),
/// sorted by start_at then recurrence id, overrides applied (cancelled ones
/// dropped, moved ones at their new time even when the original time is
/// outside the window), EXDATEs and EXRULE matches removed, RDATEs added,
/// duplicates collapsed.
///
/// `fallback` is the zone all-day and floating times are read in. More than
/// `limits.max_occurrences` occurrences in the window is an error, as is a rule
/// that stops on a cap of `limits`.
pub fn occurrences(
    data: &EventData,
    overrides: &[Override],
    fallback: &Zone,
    window: TimeRange,
    limits: &Limits,
) -> Result<Vec<Occurrence>, ExpandError> {
    let series = Series::new(data, fallback, limits)?;
    if !data.is_recurring() {
        let mut single = series.occurrence(series.start);
        single.recurrence_id = None;
        return Ok(if overlaps(&single, &window) {
            vec![single]
        } else {
            vec![]
        });
    }
    let by_id = series.overrides_by_id(overrides);
    let (lo, hi) = series.local_window(&window);
    let mut out = Vec::new();
    let push = |o: Occurrence, out: &mut Vec<Occurrence>| -> Result<(), ExpandError> {
        if overlaps(&o, &window) {
            out.push(o);
            if out.len() > limits.max_occurrences {
                return Err(series.too_many(limits));
            }
        }
        Ok(())
    };
    let mut base = series.base(lo, hi);
    while let Some(local) = base.next()? {
        match by_id.get(&RecurrenceId(local)) {
            Some(&i) => {
                if let Some(o) = series.overridden(local, i, &overrides[i]) {
                    push(o, &mut out)?;
                }
            }
            None => push(series.occurrence(local), &mut out)?,
        }
    }
    // Occurrences moved into the window from outside the span just expanded.
    let mut members = Members::default();
    for (&id, &i) in &by_id {
        if (lo..=hi).contains(&id.0) {
            continue;
        }
        let Some(o) = series.overridden(id.0, i, &overrides[i]) else {
            continue;
        };
        if overlaps(&o, &window) && series.is_member(id.0, &mut members)? {
            push(o, &mut out)?;
        }
    }
    out.sort_by_key(|o| (o.start_at, o.recurrence_id));
    Ok(out)
}

/// The instant the series first starts and the instant its last occurrence
/// ends (None when it never ends), used by the store to index events for range
/// queries. Exact for finite series, overrides included, so a range query
/// never misses an occurrence.
///
/// A series whose every occurrence is excluded or cancelled covers the empty
/// span at its DTSTART.
pub fn bounds(
    data: &EventData,
    overrides: &[Override],
    fallback: &Zone,
) -> Result<(Timestamp, Option<Timestamp>), ExpandError> {
    let limits = Limits::default();
    let series = Series::new(data, fallback, &limits)?;
    let master = series.occurrence(series.start);
    if !data.is_recurring() {
        return Ok((master.start_at, Some(master.end_at)));
    }
    let by_id = series.overrides_by_id(overrides);
    let mut members = Members::default();
    let mut first: Option<Timestamp> = None;
    let mut last: Option<Timestamp> = None;
    for (&id, &i) in &by_id {
        if let Some(o) = series.overridden(id.0, i, &overrides[i])
            && series.is_member(id.0, &mut members)?
        {
            first = Some(first.map_or(o.start_at, |f| f.min(o.start_at)));
            last = Some(last.map_or(o.end_at, |l| l.max(o.end_at)));
        }
    }
    // The first occurrence that is neither excluded nor overridden. Should a
    // long run of them all be overridden, DTSTART stays a safe (early) bound.
    let begin = series
        .rdates
        .first()
        .map_or(series.start, |r| (*r).min(series.start));
    let mut base = series.base(begin, DateTime::MAX);
    let mut looked = 0usize;
    while let Some(local) = base.next()? {
        let at = if by_id.contains_key(&RecurrenceId(local)) {
            looked += 1;
            if looked <= limits.max_occurrences {
                continue;
            }
            master.start_at
        } else {
            series.occurrence(local).start_at
        };
        first = Some(first.map_or(at, |f| f.min(at)));
        break;
    }
    let start = first.unwrap_or(master.start_at);
    if data.recurrence.rules.iter().any(|r| !r.is_finite()) {
        return Ok((start, None));
    }
    let hi = series.last_local(&limits)?;
    if let Some(local) = series.last_surviving(begin, hi, &by_id)? {
        let at = series.occurrence(local).end_at;
        last = Some(last.map_or(at, |l| l.max(at)));
    }
    Ok((start, Some(last.unwrap_or(start).max(start))))
}

/// Refuses recurrences that would flood a calendar: more than 10,000
/// occurrences within the first year (e.g. FREQ=MINUTELY), or a rule that never
/// yields. Error field `rrule`, message naming the rule.
pub fn check_density(data: &EventData, fallback: &Zone) -> Result<(), ValidationError> {
    let zone = series_zone(data, fallback);
    let date_only = data.start.is_date();
    let start = wall_clock(data.start.local(), date_only);
    let year_end = start
        .checked_add(jiff::Span::new().years(1))
        .unwrap_or(DateTime::MAX);
    let limits = Limits {
        max_occurrences: usize::MAX,
        ..Limits::default()
    };
    let mut total = 0usize;
    for rule in &data.recurrence.rules {
        let mut seen_any = false;
        for item in rule.expand(start, date_only, zone.tz(), limits) {
            let local = item.map_err(|e| ValidationError::field("rrule", e.to_string()))?;
            seen_any = true;
            if local >= year_end {
                break;
            }
            total += 1;
            if total > MAX_OCCURRENCES_PER_YEAR {
                return Err(ValidationError::field(
                    "rrule",
                    format!(
                        "`{rule}` repeats more than {MAX_OCCURRENCES_PER_YEAR} times in its first year; \
                         make it repeat less often (a longer FREQ or a larger INTERVAL)"
                    ),
                ));
            }
        }
        if !seen_any {
            return Err(ValidationError::field(
                "rrule",
                format!(
                    "`{rule}` never produces an occurrence after the start ({start}); \
                     check its BY parts, INTERVAL and UNTIL"
                ),
            ));
        }
    }
    Ok(())
}

/// The zone a series is expanded in: its start's, or the fallback for all-day
/// and floating events.
fn series_zone<'a>(data: &'a EventData, fallback: &'a Zone) -> &'a Zone {
    data.start.zone().unwrap_or(fallback)
}

/// A wall-clock time as the expansion sees it: whole seconds, midnight for all-day series.
fn wall_clock(local: DateTime, date_only: bool) -> DateTime {
    if date_only {
        local.date().to_datetime(Time::midnight())
    } else {
        local.with().subsec_nanosecond(0).build().unwrap_or(local)
    }
}

fn overlaps(o: &Occurrence, window: &TimeRange) -> bool {
    if o.start_at == o.end_at {
        window.start <= o.start_at && o.start_at < window.end
    } else {
        o.start_at < window.end && o.end_at > window.start
    }
}

/// How long each occurrence lasts.
#[derive(Debug, Clone, Copy)]
enum Length {
    /// All day: this many days.
    Days(i64),
    /// Wall-clock length, added to each occurrence's wall-clock start.
    Civil(SignedDuration),
    /// Exact length: the start and end are in different zones.
    Exact(SignedDuration),
}

/// An event prepared for expansion.
struct Series<'a> {
    data: &'a EventData,
    fallback: &'a Zone,
    zone: &'a Zone,
    date_only: bool,
    start: DateTime,
    length: Length,
    /// The rules, COUNT lowered by one where DTSTART does not match (it is
    /// counted as the first occurrence); a rule left with nothing is dropped.
    rules: Vec<Rule>,
    /// RDATEs as wall-clock times in the series' zone, sorted, without duplicates.
    rdates: Vec<DateTime>,
    /// EXDATEs: instants for timed series, dates for all-day ones (and all-day
    /// EXDATEs on a timed series, which exclude that day).
    ex_instants: BTreeSet<Timestamp>,
    ex_dates: BTreeSet<Date>,
    limits: Limits,
}

/// Occurrence lists of COUNT rules, built once when membership is asked repeatedly.
#[derive(Default)]
struct Members {
    counted: BTreeMap<usize, Vec<DateTime>>,
}

impl<'a> Series<'a> {
    fn new(data: &'a EventData, fallback: &'a Zone, limits: &Limits) -> Result<Series<'a>, ExpandError> {
        let zone = series_zone(data, fallback);
        let date_only = data.start.is_date();
        let start = wall_clock(data.start.local(), date_only);
        let length = match (&data.start, &data.end) {
            (EventTime::Date { date: s }, EventTime::Date { date: e }) => {
                Length::Days(i64::from((*e - *s).get_days()).max(0))
            }
            (EventTime::Zoned { zone: zs, .. }, EventTime::Zoned { zone: ze, .. }) if zs != ze => {
                Length::Exact(exact(data, fallback))
            }
            (EventTime::Zoned { .. }, EventTime::Zoned { .. })
            | (EventTime::Floating { .. }, EventTime::Floating { .. }) => Length::Civil(
                data.end
                    .local()
                    .duration_since(data.start.local())
                    .max(SignedDuration::ZERO),
            ),
            // Mixed kinds are refused by validation; keep the exact length if they come anyway.
            _ => Length::Exact(exact(data, fallback)),
        };
        // Expansion inside the series is capped by what it hands out, not by what
        // each rule yields on the way (a window's margins hold a few extra).
        let inner = Limits {
            max_occurrences: usize::MAX,
            ..*limits
        };
        let mut rules = Vec::new();
        for rule in &data.recurrence.rules {
            match rule.count {
                Some(count) => {
                    let first = rule
                        .expand(start, date_only, zone.tz(), inner)
                        .next()
                        .transpose()?;
                    if first == Some(start) {
                        rules.push(rule.clone());
                    } else if count > 1 && first.is_some() {
                        let mut lowered = rule.clone();
                        lowered.count = Some(count - 1);
                        rules.push(lowered);
                    }
                }
                None => rules.push(rule.clone()),
            }
        }
        let mut series = Series {
            data,
            fallback,
            zone,
            date_only,
            start,
            length,
            rules,
            rdates: Vec::new(),
            ex_instants: BTreeSet::new(),
            ex_dates: BTreeSet::new(),
            limits: inner,
        };
        let mut rdates: Vec<DateTime> = data
            .recurrence
            .rdates
            .iter()
            .map(|t| series.to_local(t))
            .collect();
        rdates.sort_unstable();
        rdates.dedup();
        series.rdates = rdates;
        for ex in &data.recurrence.exdates {
            match ex {
                EventTime::Date { date } => {
                    series.ex_dates.insert(*date);
                }
                _ if date_only => {
                    series.ex_dates.insert(ex.local().date());
                }
                _ => {
                    series.ex_instants.insert(ex.instant(fallback));
                }
            }
        }
        Ok(series)
    }

    /// A time of the event as a wall-clock time in the series' zone.
    fn to_local(&self, t: &EventTime) -> DateTime {
        let local = match t {
            EventTime::Date { date } => date.to_datetime(self.start.time()),
            EventTime::Floating { local } => *local,
            EventTime::Zoned { local, zone } if zone == self.zone => *local,
            EventTime::Zoned { local, zone } => self.zone.local(zone.instant(*local)),
        };
        wall_clock(local, self.date_only)
    }

    fn overrides_by_id(&self, overrides: &[Override]) -> BTreeMap<RecurrenceId, usize> {
        overrides
            .iter()
            .enumerate()
            .map(|(i, o)| (RecurrenceId(wall_clock(o.recurrence_id.0, self.date_only)), i))
            .collect()
    }

    /// The wall-clock span to expand for `window`: widened by the event's
    /// length (an occurrence that starts earlier may still be running) and a
    /// day each side (daylight-saving and zone offsets between wall clock and instant).
    fn local_window(&self, window: &TimeRange) -> (DateTime, DateTime) {
        let longest = match self.length {
            Length::Days(n) => SignedDuration::from_hours(24 * n),
            Length::Civil(d) | Length::Exact(d) => d,
        };
        let margin = SignedDuration::from_hours(26);
        let lo = window
            .start
            .checked_sub(longest)
            .and_then(|t| t.checked_sub(margin))
            .unwrap_or(Timestamp::MIN);
        let hi = window.end.checked_add(margin).unwrap_or(Timestamp::MAX);
        (self.zone.local(lo), self.zone.local(hi))
    }

    /// The occurrence starting at wall-clock `local`, not overridden.
    fn occurrence(&self, local: DateTime) -> Occurrence {
        let start = self.data.start.with_local(local);
        let start_at = start.instant(self.fallback);
        let (end, end_at) = match self.length {
            Length::Days(n) => {
                let date = local
                    .date()
                    .checked_add(jiff::Span::new().days(n))
                    .unwrap_or(Date::MAX);
                let end = EventTime::Date { date };
                let at = end.instant(self.fallback);
                (end, at)
            }
            Length::Civil(d) => {
                let end = self
                    .data
                    .end
                    .with_local(local.checked_add(d).unwrap_or(DateTime::MAX));
                let at = end.instant(self.fallback);
                if at >= start_at {
                    (end, at)
                } else {
                    // The start fell in a spring-forward gap and moved past the end
                    // (02:30–03:00 on the night 02:00 becomes 03:00): keep the length.
                    let at = start_at.checked_add(d).unwrap_or(Timestamp::MAX);
                    let zone = self.data.end.zone().unwrap_or(self.zone);
                    (self.data.end.with_local(zone.local(at)), at)
                }
            }
            Length::Exact(d) => {
                let at = start_at.checked_add(d).unwrap_or(Timestamp::MAX);
                let end = match &self.data.end {
                    EventTime::Zoned { zone, .. } => EventTime::zoned(zone.local(at), zone),
                    other => other.with_local(self.zone.local(at)),
                };
                (end, at)
            }
        };
        Occurrence {
            recurrence_id: Some(RecurrenceId(local)),
            start,
            end,
            start_at,
            end_at: end_at.max(start_at),
            override_index: None,
        }
    }

    /// The occurrence as override `i` has it; None when it is cancelled.
    fn overridden(&self, local: DateTime, i: usize, o: &Override) -> Option<Occurrence> {
        if o.data.status == EventStatus::Cancelled {
            return None;
        }
        let start_at = o.data.start.instant(self.fallback);
        Some(Occurrence {
            recurrence_id: Some(RecurrenceId(local)),
            start: o.data.start.clone(),
            end: o.data.end.clone(),
            start_at,
            end_at: o.data.end.instant(self.fallback).max(start_at),
            override_index: Some(i),
        })
    }

    fn too_many(&self, limits: &Limits) -> ExpandError {
        ExpandError::TooManyOccurrences {
            rule: self
                .data
                .recurrence
                .rules
                .first()
                .map_or_else(|| "RDATE".to_string(), ToString::to_string),
            limit: limits.max_occurrences,
        }
    }

    fn expand_rule<'s>(&'s self, rule: &'s Rule) -> RuleIter<'s> {
        rule.expand(self.start, self.date_only, self.zone.tz(), self.limits)
    }

    /// The merged occurrences (before overrides) with wall-clock starts in `[lo, hi]`.
    fn base(&self, lo: DateTime, hi: DateTime) -> Base<'_> {
        let mut sources: Vec<Source<'_>> = Vec::new();
        if (lo..=hi).contains(&self.start) {
            sources.push(Source::List(std::slice::from_ref(&self.start).iter()));
        }
        let from = self.rdates.partition_point(|r| *r < lo);
        sources.push(Source::List(self.rdates[from..].iter()));
        for rule in &self.rules {
            let mut it = self.expand_rule(rule);
            it.skip_to(lo);
            sources.push(Source::Rule(Box::new(it)));
        }
        let exrules = self
            .data
            .recurrence
            .exrules
            .iter()
            .map(|rule| {
                let mut it = self.expand_rule(rule);
                it.skip_to(lo);
                (it, None)
            })
            .collect();
        Base {
            series: self,
            heads: vec![None; sources.len()],
            primed: false,
            sources,
            exrules,
            hi,
        }
    }

    /// Whether an EXDATE removes the occurrence at `local`.
    fn excluded_by_date(&self, local: DateTime) -> bool {
        self.ex_dates.contains(&local.date())
            || (!self.date_only
                && !self.ex_instants.is_empty()
                && self.ex_instants.contains(&self.zone.instant(local)))
    }

    /// Whether `local` is an occurrence of the series (before overrides).
    fn is_member(&self, local: DateTime, members: &mut Members) -> Result<bool, ExpandError> {
        if self.excluded_by_date(local) {
            return Ok(false);
        }
        for rule in &self.data.recurrence.exrules {
            let mut it = self.expand_rule(rule);
            it.skip_to(local);
            // A broken EXRULE excludes nothing.
            if let Some(Ok(x)) = it.next()
                && x == local
            {
                return Ok(false);
            }
        }
        if local == self.start || self.rdates.binary_search(&local).is_ok() {
            return Ok(true);
        }
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.count.is_some() {
                if let std::collections::btree_map::Entry::Vacant(slot) = members.counted.entry(i) {
                    slot.insert(self.expand_rule(rule).collect::<Result<Vec<_>, _>>()?);
                }
                if members
                    .counted
                    .get(&i)
                    .is_some_and(|all| all.binary_search(&local).is_ok())
                {
                    return Ok(true);
                }
            } else {
                let mut it = self.expand_rule(rule);
                it.skip_to(local);
                match it.next().transpose()? {
                    Some(x) if x == local => return Ok(true),
                    _ => {}
                }
            }
        }
        Ok(false)
    }

    /// The latest wall-clock start any source of a finite series can have.
    fn last_local(&self, limits: &Limits) -> Result<DateTime, ExpandError> {
        let mut last = self.start;
        if let Some(r) = self.rdates.last() {
            last = last.max(*r);
        }
        for rule in &self.rules {
            if let Some(l) = self.last_of_rule(rule, limits)? {
                last = last.max(l);
            }
        }
        Ok(last)
    }

    /// The last occurrence of a finite rule. COUNT rules are counted through;
    /// UNTIL rules are expanded backwards from UNTIL in doubling steps.
    fn last_of_rule(&self, rule: &Rule, limits: &Limits) -> Result<Option<DateTime>, ExpandError> {
        let until = match rule.until {
            None => {
                let mut last = None;
                for (n, item) in self.expand_rule(rule).enumerate() {
                    if n >= limits.max_occurrences {
                        return Err(self.too_many(limits));
                    }
                    last = Some(item?);
                }
                return Ok(last);
            }
            Some(crate::calendar::recurrence::Until::Date(d)) => d.to_datetime(Time::MAX),
            Some(crate::calendar::recurrence::Until::Local(l)) => l,
            Some(crate::calendar::recurrence::Until::Utc(t)) => self
                .zone
                .local(t)
                .checked_add(SignedDuration::from_hours(26))
                .unwrap_or(DateTime::MAX),
        };
        let mut back = SignedDuration::from_hours(24);
        loop {
            let from = until.checked_sub(back).unwrap_or(DateTime::MIN);
            let mut it = self.expand_rule(rule);
            it.skip_to(from);
            let mut last = None;
            for (n, item) in it.enumerate() {
                if n >= limits.max_occurrences {
                    return Err(self.too_many(limits));
                }
                last = Some(item?);
            }
            if last.is_some() || from <= self.start {
                return Ok(last);
            }
            back = back.checked_mul(2).unwrap_or(SignedDuration::MAX);
        }
    }

    /// The last occurrence in `[begin, hi]` that is neither excluded nor overridden.
    fn last_surviving(
        &self,
        begin: DateTime,
        hi: DateTime,
        by_id: &BTreeMap<RecurrenceId, usize>,
    ) -> Result<Option<DateTime>, ExpandError> {
        let mut back = SignedDuration::from_hours(24);
        loop {
            let lo = hi.checked_sub(back).unwrap_or(DateTime::MIN).max(begin);
            let mut base = self.base(lo, hi);
            let mut last = None;
            while let Some(local) = base.next()? {
                if !by_id.contains_key(&RecurrenceId(local)) {
                    last = Some(local);
                }
            }
            if last.is_some() || lo <= begin {
                return Ok(last);
            }
            back = back.checked_mul(2).unwrap_or(SignedDuration::MAX);
        }
    }
}

/// The exact duration of the master event.
fn exact(data: &EventData, fallback: &Zone) -> SignedDuration {
    data.end
        .instant(fallback)
        .duration_since(data.start.instant(fallback))
        .max(SignedDuration::ZERO)
}

/// One sorted source of occurrences.
enum Source<'s> {
    List(std::slice::Iter<'s, DateTime>),
    Rule(Box<RuleIter<'s>>),
}

impl Source<'_> {
    fn next(&mut self) -> Result<Option<DateTime>, ExpandError> {
        match self {
            Source::List(it) => Ok(it.next().copied()),
            Source::Rule(it) => it.next().transpose(),
        }
    }
}

/// The occurrences of a series before overrides, in order: DTSTART, RDATEs
/// and every rule merged, duplicates collapsed, EXDATEs and EXRULEs removed.
struct Base<'s> {
    series: &'s Series<'s>,
    sources: Vec<Source<'s>>,
    heads: Vec<Option<DateTime>>,
    primed: bool,
    /// Each EXRULE with the last value it yielded, walked alongside.
    exrules: Vec<(RuleIter<'s>, Option<DateTime>)>,
    hi: DateTime,
}

impl Base<'_> {
    fn next(&mut self) -> Result<Option<DateTime>, ExpandError> {
        if !self.primed {
            for (head, source) in self.heads.iter_mut().zip(self.sources.iter_mut()) {
                *head = source.next()?;
            }
            self.primed = true;
        }
        loop {
            let Some(local) = self.heads.iter().flatten().min().copied() else {
                return Ok(None);
            };
            if local > self.hi {
                return Ok(None);
            }
            for (head, source) in self.heads.iter_mut().zip(self.sources.iter_mut()) {
                if *head == Some(local) {
                    *head = source.next()?;
                }
            }
            if !self.series.excluded_by_date(local) && !self.excluded_by_rule(local) {
                return Ok(Some(local));
            }
        }
    }

    fn excluded_by_rule(&mut self, local: DateTime) -> bool {
        let mut hit = false;
        for (it, last) in &mut self.exrules {
            while last.is_none_or(|l| l < local) {
                match it.next() {
                    Some(Ok(x)) => *last = Some(x),
                    // An EXRULE that ends (or cannot be expanded) excludes nothing more.
                    _ => {
                        *last = Some(DateTime::MAX);
                    }
                }
            }
            hit |= *last == Some(local);
        }
        hit
    }
}
