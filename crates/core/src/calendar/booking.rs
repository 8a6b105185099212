//! The booking rule for resources: a room is held by at most one busy event at
//! any instant. Checked over every occurrence of both series within a horizon,
//! so a weekly booking cannot quietly collide with a fortnightly one in week six.

use crate::calendar::event::EventData;
use crate::calendar::series::{self, Limits, Override};
use crate::calendar::time::{TimeRange, Zone};
use jiff::{SignedDuration, Timestamp};

/// How far ahead two open-ended series are compared (two years).
pub const HORIZON: SignedDuration = SignedDuration::from_hours(24 * 731);

/// An event already holding the resource, as the check sees it.
pub struct Booked<'a> {
    pub key: &'a str,
    pub summary: &'a str,
    pub data: &'a EventData,
    pub overrides: &'a [Override],
}

/// Where a new booking runs into an existing one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// The `key` of the event in the way.
    pub key: String,
    pub summary: String,
    /// The first instant both want.
    pub range: TimeRange,
}

/// The earliest clash between `candidate` (with its overrides) and `booked`,
/// looking from `now`-independent series start up to [`HORIZON`] past it.
///
/// Free (transparent) and cancelled events never clash.
pub fn first_clash(
    candidate: &EventData,
    overrides: &[Override],
    booked: &[Booked<'_>],
    zone: &Zone,
) -> Result<Option<Clash>, series::ExpandError> {
    if !candidate.is_busy() {
        return Ok(None);
    }
    let (start, end) = series::bounds(candidate, overrides, zone)?;
    let limit = start.checked_add(HORIZON).unwrap_or(Timestamp::MAX);
    let window = TimeRange {
        start,
        end: end.map_or(limit, |e| e.min(limit)).max(start),
    };
    let limits = Limits::default();
    let mine: Vec<TimeRange> = series::occurrences(candidate, overrides, zone, window, &limits)?
        .into_iter()
        .filter(|o| {
            o.override_index
                .and_then(|i| overrides.get(i))
                .is_none_or(|ov| ov.data.is_busy())
        })
        .map(|o| TimeRange {
            start: o.start_at,
            end: o.end_at,
        })
        .collect();
    if mine.is_empty() {
        return Ok(None);
    }
    let longest = mine
        .iter()
        .map(TimeRange::duration)
        .max()
        .unwrap_or(SignedDuration::ZERO);
    let mut best: Option<Clash> = None;
    for b in booked {
        if !b.data.is_busy() {
            continue;
        }
        let theirs = series::occurrences(b.data, b.overrides, zone, window, &limits)?;
        for o in theirs {
            if o.override_index
                .and_then(|i| b.overrides.get(i))
                .is_some_and(|ov| !ov.data.is_busy())
            {
                continue;
            }
            let r = TimeRange {
                start: o.start_at,
                end: o.end_at,
            };
            // `mine` is sorted by start; none starting `longest` before r can reach it.
            let from = r.start.checked_sub(longest).unwrap_or(Timestamp::MIN);
            let i = mine.partition_point(|m| m.start < from);
            let hit = mine[i..]
                .iter()
                .take_while(|m| m.start < r.end)
                .find(|m| m.overlaps(&r));
            if let Some(m) = hit {
                let at = TimeRange {
                    start: m.start.max(r.start),
                    end: m.end.min(r.end),
                };
                if best.as_ref().is_none_or(|c| at.start < c.range.start) {
                    best = Some(Clash {
                        key: b.key.to_string(),
                        summary: b.summary.to_string(),
                        range: at,
                    });
                }
                break;
            }
        }
    }
    Ok(best)
}
