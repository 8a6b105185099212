//! The logic of `adjutant ics expand FILE [--after DATE] [--before DATE]
//! [--limit N]`: every occurrence of every event and task in a file, one line
//! each, in order.
//!
//! The file is read as an import reads it (the same errors refuse it) and each
//! series is expanded by the core's series expansion, overrides and EXDATEs
//! applied. An endless series needs an end: `before`, or `limit`, in which case
//! it is expanded over ever longer spans until enough occurrences are found.

use crate::ics::IcsError;
use crate::ics::read_for_expansion;
use adjutant_core::calendar::series::{self, Limits, Occurrence};
use adjutant_core::calendar::{EventData, EventTime, TimeRange, Zone};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// One occurrence, as one JSON object on a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub uid: String,
    /// The occurrence's original start (`2026-12-01T09:00:00`, or a date for
    /// all-day series); `None` for an event that does not repeat.
    pub recurrence_id: Option<String>,
    pub start: When,
    pub end: When,
    pub summary: String,
}

/// When an occurrence starts or ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum When {
    /// All day.
    Date { date: String },
    /// A wall-clock time (`2026-12-01T09:00:00`), its zone (`None`: floating,
    /// read in the fallback zone) and the instant (`2026-12-01T08:00:00Z`).
    Time {
        local: String,
        zone: Option<String>,
        utc: String,
    },
}

/// Every occurrence of every VEVENT and VTODO (at DTSTART, or DUE) of `text`
/// that ends after `after` and starts before `before`, sorted by start then
/// UID, the first `limit` of them. Floating and all-day times are placed in
/// `fallback`.
pub fn expand(
    text: &str,
    fallback: &Zone,
    after: Option<Timestamp>,
    before: Option<Timestamp>,
    limit: Option<usize>,
) -> Result<Vec<Line>, IcsError> {
    let items = read_for_expansion(text, fallback)?;
    let from = after.unwrap_or(Timestamp::MIN);
    let to = before.unwrap_or(Timestamp::MAX);
    if to < from {
        return Err(IcsError {
            line: None,
            component: None,
            message: "the end of the span (before) is earlier than its start (after)".into(),
        });
    }
    let limits = Limits::default();
    let mut lines: Vec<(Timestamp, Line)> = Vec::new();
    for (kind, ev) in &items {
        let label = format!("{kind} {}", ev.uid);
        let fail = |e: series::ExpandError| IcsError::at(ev.line, Some(&label), e.to_string());
        let (first, last) = series::bounds(&ev.data, &ev.overrides, fallback).map_err(fail)?;
        let occurrences = match (last, before, limit) {
            // Endless, no end asked for: grow the span until `limit` are found.
            (None, None, Some(n)) => {
                let mut span = SignedDuration::from_hours(24 * 366);
                let start = from.max(first);
                loop {
                    let end = start.checked_add(span).unwrap_or(Timestamp::MAX);
                    let window = TimeRange { start: from, end };
                    let found = series::occurrences(&ev.data, &ev.overrides, fallback, window, &limits)
                        .map_err(fail)?;
                    if found.len() >= n || end == Timestamp::MAX {
                        break found;
                    }
                    span = span.checked_mul(2).unwrap_or(SignedDuration::MAX);
                }
            }
            (None, None, None) => {
                return Err(IcsError::at(
                    ev.line,
                    Some(&label),
                    "repeats for ever; give an end (before) or a number of occurrences (limit)",
                ));
            }
            _ => {
                let window = TimeRange { start: from, end: to };
                series::occurrences(&ev.data, &ev.overrides, fallback, window, &limits).map_err(fail)?
            }
        };
        for o in occurrences {
            lines.push((o.start_at, line(&ev.uid, &ev.data, &ev.overrides, &o)));
        }
    }
    lines.sort_by(|(a, la), (b, lb)| a.cmp(b).then_with(|| la.uid.cmp(&lb.uid)));
    let mut out: Vec<Line> = lines.into_iter().map(|(_, l)| l).collect();
    if let Some(n) = limit {
        out.truncate(n);
    }
    Ok(out)
}

fn line(uid: &str, data: &EventData, overrides: &[series::Override], o: &Occurrence) -> Line {
    let shown = o
        .override_index
        .and_then(|i| overrides.get(i))
        .map_or(data, |ov| &ov.data);
    Line {
        uid: uid.to_string(),
        recurrence_id: o.recurrence_id.map(|r| match data.start {
            EventTime::Date { .. } => r.0.date().to_string(),
            _ => r.to_string(),
        }),
        start: when(&o.start, o.start_at),
        end: when(&o.end, o.end_at),
        summary: shown.summary.clone(),
    }
}

fn when(t: &EventTime, at: Timestamp) -> When {
    // jiff prints ISO 8601 (`2026-12-01T09:00:00`, `2026-12-01T08:00:00Z`);
    // expansion yields whole seconds, so no fraction appears.
    match t {
        EventTime::Date { date } => When::Date {
            date: date.to_string(),
        },
        EventTime::Zoned { local, zone } => When::Time {
            local: local.to_string(),
            zone: Some(zone.name().to_string()),
            utc: at.to_string(),
        },
        EventTime::Floating { local } => When::Time {
            local: local.to_string(),
            zone: None,
            utc: at.to_string(),
        },
    }
}
