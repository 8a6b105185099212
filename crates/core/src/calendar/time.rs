//! Times as people mean them: a date (all-day), a wall-clock time in an IANA
//! zone, or a floating wall-clock time; and how each becomes a UTC instant.
//!
//! Wall-clock times that do not exist (the hour skipped when clocks spring
//! forward) or exist twice (the hour repeated in autumn) are resolved as RFC
//! 5545 §3.3.5 says: a skipped time takes the offset from before the gap (so
//! 02:30 becomes 03:30), a repeated time means its first occurrence. That is
//! jiff's "compatible" disambiguation.

use crate::error::ValidationError;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A known IANA time zone, with its rules loaded (cheap to clone).
///
/// The zone database is bundled into the binary, so a name means the same
/// thing on every machine and looking it up reads no file.
#[derive(Clone, PartialEq, Eq)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// The zone called `name` (e.g. `Europe/Amsterdam`, `UTC`); `field` names
    /// the input in the error.
    pub fn parse(field: &str, name: &str) -> Result<Zone, ValidationError> {
        let t = name.trim();
        if t.is_empty() {
            return Err(ValidationError::field(
                field,
                "name a time zone, e.g. Europe/Amsterdam",
            ));
        }
        match TimeZone::get(t) {
            Ok(tz) => Ok(Zone {
                name: tz.iana_name().unwrap_or(t).to_string(),
                tz,
            }),
            Err(_) => Err(ValidationError::field(
                field,
                format!("`{t}` is not a known IANA time zone (e.g. Europe/Amsterdam)"),
            )),
        }
    }

    /// The zone called `name`, or UTC when it is unknown: for names read back from
    /// storage, which were checked when written.
    pub fn or_utc(name: &str) -> Zone {
        Zone::parse("time_zone", name).unwrap_or_else(|_| Zone::utc())
    }

    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    /// The IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's rules.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// The instant a wall-clock time in this zone means (RFC 5545 §3.3.5).
    pub fn instant(&self, local: DateTime) -> Timestamp {
        resolve(local, &self.tz)
    }

    /// The wall-clock time in this zone at `t`.
    pub fn local(&self, t: Timestamp) -> DateTime {
        self.tz.to_datetime(t)
    }

    /// The instant this zone's day `date` starts (midnight, or the first
    /// instant after it when midnight is skipped).
    pub fn start_of_day(&self, date: Date) -> Timestamp {
        resolve(date.to_datetime(jiff::civil::Time::midnight()), &self.tz)
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Zone::parse("time_zone", &s).map_err(|e| serde::de::Error::custom(e.summary()))
    }
}

/// The instant a wall-clock time means in `tz`: a skipped time takes the
/// offset from before the gap, a repeated one its first occurrence.
pub fn resolve(local: DateTime, tz: &TimeZone) -> Timestamp {
    tz.to_ambiguous_timestamp(local)
        .compatible()
        // Only out-of-range civil times fail; clamp them rather than fail a read.
        .unwrap_or(if local.year() < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

/// When an event starts or ends, as the person meant it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventTime {
    /// All day: a calendar date, the same date wherever one is.
    Date { date: Date },
    /// A wall-clock time in an IANA zone (UTC included).
    Zoned { local: DateTime, zone: Zone },
    /// A wall-clock time with no zone: read in the viewer's (or calendar's) zone.
    Floating { local: DateTime },
}

impl EventTime {
    /// A wall-clock time in `zone`.
    pub fn zoned(local: DateTime, zone: &Zone) -> EventTime {
        EventTime::Zoned {
            local,
            zone: zone.clone(),
        }
    }

    /// The instant `t` as a wall-clock time in UTC.
    pub fn utc(t: Timestamp) -> EventTime {
        EventTime::Zoned {
            local: TimeZone::UTC.to_datetime(t),
            zone: Zone::utc(),
        }
    }

    pub fn is_date(&self) -> bool {
        matches!(self, EventTime::Date { .. })
    }

    /// The wall-clock time (midnight for a date).
    pub fn local(&self) -> DateTime {
        match self {
            EventTime::Date { date } => date.to_datetime(jiff::civil::Time::midnight()),
            EventTime::Zoned { local, .. } | EventTime::Floating { local } => *local,
        }
    }

    /// The zone, when the time has one.
    pub fn zone(&self) -> Option<&Zone> {
        match self {
            EventTime::Zoned { zone, .. } => Some(zone),
            _ => None,
        }
    }

    /// The instant this time means; dates and floating times are read in `fallback`.
    pub fn instant(&self, fallback: &Zone) -> Timestamp {
        match self {
            EventTime::Zoned { local, zone } => zone.instant(*local),
            EventTime::Date { .. } | EventTime::Floating { .. } => fallback.instant(self.local()),
        }
    }

    /// The same kind of time with another wall-clock value (dates keep only the date).
    pub fn with_local(&self, local: DateTime) -> EventTime {
        match self {
            EventTime::Date { .. } => EventTime::Date { date: local.date() },
            EventTime::Zoned { zone, .. } => EventTime::Zoned {
                local,
                zone: zone.clone(),
            },
            EventTime::Floating { .. } => EventTime::Floating { local },
        }
    }
}

impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventTime::Date { date } => write!(f, "{date}"),
            EventTime::Zoned { local, zone } => {
                write!(f, "{} {}", local.strftime("%Y-%m-%dT%H:%M:%S"), zone.name())
            }
            EventTime::Floating { local } => write!(f, "{} (floating)", local.strftime("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

/// A half-open span of time `[start, end)` between two instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl TimeRange {
    /// `[start, end)`; refused when `end` is before `start`.
    pub fn new(start: Timestamp, end: Timestamp) -> Result<TimeRange, ValidationError> {
        if end < start {
            return Err(ValidationError::field("end", "must not be before the start"));
        }
        Ok(TimeRange { start, end })
    }

    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }

    /// Whether the two share any instant (touching ends do not overlap).
    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }

    /// Whether `other` lies wholly inside this range.
    pub fn covers(&self, other: &TimeRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Parses a date (`2026-12-01`) or a wall-clock time (`2026-12-01T09:00`,
/// `2026-12-01 09:00`, seconds optional) typed by a person.
pub fn parse_local(field: &str, s: &str) -> Result<LocalInput, ValidationError> {
    let t = s.trim();
    if let Ok(d) = t.parse::<Date>()
        && !t.contains(['T', 't', ' '])
    {
        return Ok(LocalInput::Date(d));
    }
    let normalised = t.replacen(' ', "T", 1);
    normalised
        .parse::<DateTime>()
        .map(LocalInput::DateTime)
        .map_err(|_| {
            ValidationError::field(
                field,
                format!("`{t}` is not a date (2026-12-01) or a date and time (2026-12-01T09:00)"),
            )
        })
}

/// What [`parse_local`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalInput {
    Date(Date),
    DateTime(DateTime),
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ams() -> Zone {
        Zone::parse("zone", "Europe/Amsterdam").unwrap_or_else(|_| Zone::utc())
    }

    #[test]
    fn zones_are_checked_and_named() {
        assert_eq!(ams().name(), "Europe/Amsterdam");
        let err = Zone::parse("time_zone", "Mars/Olympus").err();
        assert_eq!(err.map(|e| e.errors[0].field.clone()), Some("time_zone".into()));
        assert!(Zone::parse("start_zone", " ").is_err());
    }

    #[test]
    fn skipped_and_repeated_times_follow_rfc_5545() {
        let z = ams();
        // 2026-03-29 02:30 does not exist in Amsterdam: it is read with the
        // offset before the gap (+01:00), i.e. 01:30 UTC = 03:30 local.
        let gap = z.instant(date(2026, 3, 29).at(2, 30, 0, 0));
        assert_eq!(gap.to_string(), "2026-03-29T01:30:00Z");
        assert_eq!(z.local(gap), date(2026, 3, 29).at(3, 30, 0, 0));
        // 2026-10-25 02:30 happens twice: the first one (+02:00) is meant.
        let fold = z.instant(date(2026, 10, 25).at(2, 30, 0, 0));
        assert_eq!(fold.to_string(), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn event_times_resolve_in_their_zone_or_the_fallback() {
        let ny = Zone::parse("zone", "America/New_York").unwrap_or_else(|_| Zone::utc());
        let zoned = EventTime::zoned(date(2026, 12, 1).at(9, 0, 0, 0), &ny);
        assert_eq!(zoned.instant(&ams()).to_string(), "2026-12-01T14:00:00Z");
        let floating = EventTime::Floating {
            local: date(2026, 12, 1).at(9, 0, 0, 0),
        };
        assert_eq!(floating.instant(&ams()).to_string(), "2026-12-01T08:00:00Z");
        let day = EventTime::Date {
            date: date(2026, 12, 1),
        };
        assert_eq!(day.instant(&ny).to_string(), "2026-12-01T05:00:00Z");
        let json = serde_json::to_string(&zoned).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"kind":"zoned","local":"2026-12-01T09:00:00","zone":"America/New_York"}"#
        );
        let back: Result<EventTime, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(zoned));
    }

    #[test]
    fn ranges() {
        let t = |h: i64| Timestamp::from_second(h * 3600).unwrap_or(Timestamp::UNIX_EPOCH);
        let a = TimeRange {
            start: t(1),
            end: t(3),
        };
        let b = TimeRange {
            start: t(3),
            end: t(4),
        };
        assert!(!a.overlaps(&b), "touching ranges do not overlap");
        assert!(a.overlaps(&TimeRange {
            start: t(2),
            end: t(5)
        }));
        assert!(TimeRange::new(t(2), t(1)).is_err());
        assert!(a.covers(&TimeRange {
            start: t(1),
            end: t(2)
        }));
    }

    #[test]
    fn typed_times() {
        assert_eq!(
            parse_local("start", "2026-12-01").ok(),
            Some(LocalInput::Date(date(2026, 12, 1)))
        );
        assert_eq!(
            parse_local("start", "2026-12-01 09:30").ok(),
            Some(LocalInput::DateTime(date(2026, 12, 1).at(9, 30, 0, 0)))
        );
        assert_eq!(
            parse_local("start", "2026-12-01T09:30:15").ok(),
            Some(LocalInput::DateTime(date(2026, 12, 1).at(9, 30, 15, 0)))
        );
        let e = parse_local("start", "next tuesday").err();
        assert_eq!(e.map(|e| e.errors[0].field.clone()), Some("start".into()));
    }
}
