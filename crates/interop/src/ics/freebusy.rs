//! An outsider's busy time from what they sent: a VFREEBUSY reply or
//! publication, a calendar of events, or both in one file.

use super::IcsError;
use super::doc::Doc;
use super::read::{self, Options};
use super::zones;
use adjutant_core::calendar::series::{self, Limits};
use adjutant_core::calendar::{TimeRange, Zone};
use calcard::icalendar::{
    ICalendarFreeBusyType, ICalendarParameterName, ICalendarParameterValue, ICalendarPeriod,
    ICalendarProperty, ICalendarValue,
};
use jiff::{SignedDuration, Timestamp};

/// See [`super::busy_from_ics`].
pub(crate) fn busy(text: &str, fallback: &Zone, window: TimeRange) -> Result<Vec<TimeRange>, IcsError> {
    let doc = Doc::read(text)?;
    let mut busy: Vec<TimeRange> = Vec::new();
    for node in doc.nodes().filter(|n| n.name() == "VFREEBUSY") {
        for f in node.fields() {
            if f.entry.name != ICalendarProperty::Freebusy {
                continue;
            }
            let kind = match f.param_value(&ICalendarParameterName::Fbtype) {
                None => ICalendarFreeBusyType::Busy,
                Some(ICalendarParameterValue::Fbtype(t)) => t.clone(),
                // An unknown type is busy (RFC 5545 §3.2.9).
                Some(_) => ICalendarFreeBusyType::Busy,
            };
            if kind == ICalendarFreeBusyType::Free {
                continue;
            }
            for v in f.values() {
                let range = period(v, fallback).ok_or_else(|| {
                    IcsError::at(
                        f.line,
                        Some("VFREEBUSY"),
                        format!(
                            "FREEBUSY `{}` is not a period (start/end or start/duration)",
                            f.raw
                        ),
                    )
                })?;
                busy.push(range);
            }
        }
    }
    let events = read::read_doc(&doc, fallback, Options { todos: false })?;
    let limits = Limits::default();
    for (_, ev) in &events.items {
        let occurrences = series::occurrences(&ev.data, &ev.overrides, fallback, window, &limits)
            .map_err(|e| IcsError::at(ev.line, Some(&format!("VEVENT {}", ev.uid)), e.to_string()))?;
        for o in occurrences {
            let data = o
                .override_index
                .and_then(|i| ev.overrides.get(i))
                .map_or(&ev.data, |ov| &ov.data);
            if data.is_busy() {
                busy.push(TimeRange {
                    start: o.start_at,
                    end: o.end_at,
                });
            }
        }
    }
    Ok(merge(busy, window))
}

/// One FREEBUSY period as instants (UTC by the RFC; floating read in `fallback`).
fn period(v: &ICalendarValue, fallback: &Zone) -> Option<TimeRange> {
    let ICalendarValue::Period(p) = v else { return None };
    let instant = |p: &calcard::common::PartialDateTime| -> Option<Timestamp> {
        let local = zones::civil(p)?;
        if p.has_zone() {
            let offset = i64::from(p.tz_hour?) * 3600 + i64::from(p.tz_minute.unwrap_or(0)) * 60;
            let offset = if p.tz_minus { -offset } else { offset };
            let utc = local.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            utc.checked_sub(SignedDuration::from_secs(offset)).ok()
        } else {
            Some(fallback.instant(local))
        }
    };
    let (start, end) = match p {
        ICalendarPeriod::Range { start, end } => (instant(start)?, instant(end)?),
        ICalendarPeriod::Duration { start, duration } => {
            if duration.neg {
                return None;
            }
            let s = instant(start)?;
            (
                s,
                s.checked_add(SignedDuration::from_secs(duration.as_seconds()))
                    .ok()?,
            )
        }
    };
    (end >= start).then_some(TimeRange { start, end })
}

/// Sorted, overlapping and touching ranges joined, clipped to `window`, empty ones dropped.
fn merge(mut ranges: Vec<TimeRange>, window: TimeRange) -> Vec<TimeRange> {
    ranges.sort();
    let mut out: Vec<TimeRange> = Vec::new();
    for r in ranges {
        let r = TimeRange {
            start: r.start.max(window.start),
            end: r.end.min(window.end),
        };
        if r.end <= r.start {
            continue;
        }
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}
