//! What an event is: its times, how it repeats, who comes, where, and how it
//! counts (busy or free, priority, category), validated at the edge.

use crate::calendar::recurrence::Rule;
use crate::calendar::time::{EventTime, Zone};
use crate::error::{FieldError, ValidationError};
use crate::ids::PersonId;
use crate::policy::Visibility;
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

crate::macros::named_enum!(
    /// What kind of time an event is.
    Category, "category", {
        Meeting = "meeting",
        /// Protected time for deep work.
        Focus = "focus",
        Travel = "travel",
        Personal = "personal",
        /// A tentative hold placed by a meeting request.
        Hold = "hold",
        /// A block the planner placed to work on a task.
        Task = "task",
    }
);

crate::macros::named_enum!(
    /// Whether an event makes its people busy.
    Transparency, "transparency", {
        Busy = "busy",
        Free = "free",
    }
);

crate::macros::named_enum!(
    /// Whether an event will happen.
    EventStatus, "status", {
        Confirmed = "confirmed",
        Tentative = "tentative",
        Cancelled = "cancelled",
    }
);

crate::macros::named_enum!(
    /// Whether an attendee must come.
    AttendeeRole, "role", {
        Required = "required",
        Optional = "optional",
        /// Chairs the meeting (counts as required).
        Chair = "chair",
    }
);

crate::macros::named_enum!(
    /// An attendee's answer.
    Rsvp, "rsvp", {
        NeedsAction = "needs_action",
        Accepted = "accepted",
        Tentative = "tentative",
        Declined = "declined",
    }
);

/// How much an event matters, 1 (critical) to 4 (low); 3 is normal.
///
/// Lower-priority events are the ones find-a-time proposes to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Priority(u8);

impl Priority {
    pub const CRITICAL: Priority = Priority(1);
    pub const HIGH: Priority = Priority(2);
    pub const NORMAL: Priority = Priority(3);
    pub const LOW: Priority = Priority(4);

    pub fn new(n: u8) -> Result<Priority, ValidationError> {
        if (1..=4).contains(&n) {
            Ok(Priority(n))
        } else {
            Err(ValidationError::field(
                "priority",
                format!("{n} is out of range: 1 (critical) to 4 (low)"),
            ))
        }
    }

    pub fn get(&self) -> u8 {
        self.0
    }

    /// The iCalendar PRIORITY (1 highest … 9 lowest).
    pub fn to_ical(&self) -> u8 {
        match self.0 {
            1 => 1,
            2 => 3,
            3 => 5,
            _ => 7,
        }
    }

    /// From an iCalendar PRIORITY; 0 (undefined) is normal.
    pub fn from_ical(p: u8) -> Priority {
        Priority(match p {
            1 | 2 => 1,
            3 | 4 => 2,
            0 | 5 => 3,
            _ => 4,
        })
    }
}

impl Default for Priority {
    fn default() -> Self {
        Priority::NORMAL
    }
}

impl TryFrom<u8> for Priority {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Priority::new(n).map_err(|e| e.summary())
    }
}

impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.0
    }
}

/// Where an event happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Free text, e.g. `Boardroom, Herengracht 12` or a video link.
    pub text: String,
    /// Latitude and longitude in degrees, when known.
    pub geo: Option<(f64, f64)>,
}

impl Location {
    pub fn new(text: &str, geo: Option<(f64, f64)>) -> Result<Location, ValidationError> {
        let text = text.trim();
        if text.chars().count() > 500 {
            return Err(ValidationError::field(
                "location",
                "must be at most 500 characters",
            ));
        }
        if let Some((lat, lon)) = geo
            && !(lat.is_finite()
                && lon.is_finite()
                && (-90.0..=90.0).contains(&lat)
                && (-180.0..=180.0).contains(&lon))
        {
            return Err(ValidationError::field(
                "geo",
                format!("({lat}, {lon}) is not a position: latitude −90…90, longitude −180…180"),
            ));
        }
        Ok(Location {
            text: text.to_string(),
            geo,
        })
    }

    /// Whether the event is in person somewhere (not a call): travel time matters.
    pub fn is_in_person(&self) -> bool {
        let t = self.text.to_lowercase();
        !(t.is_empty()
            || t.starts_with("http://")
            || t.starts_with("https://")
            || ["zoom", "teams", "meet.google", "video", "call", "online", "phone"]
                .iter()
                .any(|w| t.contains(w)))
    }
}

/// Someone taking part: a person of the organisation, or an outsider by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub person: Option<PersonId>,
    pub email: Option<String>,
    pub name: String,
    pub role: AttendeeRole,
    pub rsvp: Rsvp,
}

impl Attendee {
    /// Whether the meeting needs them.
    pub fn is_required(&self) -> bool {
        self.role != AttendeeRole::Optional
    }
}

/// Who organises an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organiser {
    pub person: Option<PersonId>,
    pub email: Option<String>,
    pub name: String,
}

/// How an event repeats: rules, extra dates, excluded dates (RFC 5545 §3.8.5).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Recurrence {
    pub rules: Vec<Rule>,
    /// Extra occurrences (RDATE), in the same form as the event's start.
    pub rdates: Vec<EventTime>,
    /// Excluded occurrences (EXDATE).
    pub exdates: Vec<EventTime>,
    /// Excluding rules (EXRULE, deprecated by RFC 5545 but still found in files).
    pub exrules: Vec<Rule>,
}

impl Recurrence {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.rdates.is_empty()
    }
}

/// Identifies one occurrence of a recurring event: its original start as a
/// wall-clock time in the series' zone (midnight for all-day series), as
/// RECURRENCE-ID does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecurrenceId(pub DateTime);

impl RecurrenceId {
    pub fn date(d: Date) -> RecurrenceId {
        RecurrenceId(d.to_datetime(jiff::civil::Time::midnight()))
    }
}

impl fmt::Display for RecurrenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%S"))
    }
}

impl FromStr for RecurrenceId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Ok(d) = t.parse::<Date>()
            && !t.contains('T')
        {
            return Ok(RecurrenceId::date(d));
        }
        t.parse::<DateTime>().map(RecurrenceId).map_err(|_| {
            ValidationError::field(
                "recurrence_id",
                format!("`{t}` is not an occurrence's original start (2026-12-01T09:00:00)"),
            )
        })
    }
}

/// Everything that describes an event (or one overridden occurrence of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    pub summary: String,
    pub description: String,
    pub location: Option<Location>,
    pub start: EventTime,
    /// Exclusive: the instant (or, for all-day events, the date) it is over.
    pub end: EventTime,
    pub recurrence: Recurrence,
    pub organiser: Option<Organiser>,
    pub attendees: Vec<Attendee>,
    pub visibility: Visibility,
    pub transparency: Transparency,
    pub priority: Priority,
    pub category: Category,
    pub status: EventStatus,
}

/// The longest an event (one occurrence) may last.
pub const MAX_EVENT_DAYS: i64 = 366;
/// The most attendees an event may list.
pub const MAX_ATTENDEES: usize = 500;

impl EventData {
    /// Checks the rules every event obeys; names every field at fault.
    ///
    /// `fallback` is the zone floating and all-day times are read in (the calendar's).
    pub fn validate(&self, fallback: &Zone) -> Result<(), ValidationError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let summary = self.summary.trim();
        if summary.is_empty() {
            bad("summary", "must not be empty".into());
        } else if summary.chars().count() > 500 {
            bad("summary", "must be at most 500 characters".into());
        }
        if summary.chars().any(|c| c.is_control()) {
            bad("summary", "must not contain control characters".into());
        }
        if self.description.chars().count() > 50_000 {
            bad("description", "must be at most 50,000 characters".into());
        }
        match (&self.start, &self.end) {
            (EventTime::Date { date: s }, EventTime::Date { date: e }) => {
                if e <= s {
                    bad(
                        "end",
                        format!(
                            "an all-day event ends on a later date than it starts ({e} is not after {s})"
                        ),
                    );
                } else if (*e - *s).get_days() > MAX_EVENT_DAYS as i32 {
                    bad("end", format!("an event may last at most {MAX_EVENT_DAYS} days"));
                }
            }
            (EventTime::Date { .. }, _) | (_, EventTime::Date { .. }) => bad(
                "end",
                "start and end must both be dates (all-day) or both be times".into(),
            ),
            (EventTime::Floating { .. }, EventTime::Zoned { .. })
            | (EventTime::Zoned { .. }, EventTime::Floating { .. }) => bad(
                "end",
                "start and end must both have a time zone or both be floating".into(),
            ),
            (s, e) => {
                let (si, ei) = (s.instant(fallback), e.instant(fallback));
                if ei < si {
                    bad("end", format!("ends ({e}) before it starts ({s})"));
                } else if ei.duration_since(si).as_hours() > MAX_EVENT_DAYS * 24 {
                    bad("end", format!("an event may last at most {MAX_EVENT_DAYS} days"));
                }
            }
        }
        for (i, d) in self
            .recurrence
            .rdates
            .iter()
            .chain(self.recurrence.exdates.iter())
            .enumerate()
        {
            if d.is_date() != self.start.is_date() {
                let field = if i < self.recurrence.rdates.len() {
                    "rdates"
                } else {
                    "exdates"
                };
                bad(
                    field,
                    format!("{d} must be of the same kind as the start (a date, or a date and time)"),
                );
            }
        }
        if self.attendees.len() > MAX_ATTENDEES {
            bad(
                "attendees",
                format!(
                    "{} attendees; an event may list at most {MAX_ATTENDEES}",
                    self.attendees.len()
                ),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for a in &self.attendees {
            let key = a
                .person
                .map(|p| p.to_string())
                .or_else(|| a.email.clone())
                .unwrap_or_default();
            if key.is_empty() {
                bad(
                    "attendees",
                    format!("{} has neither a person nor an e-mail address", a.name),
                );
            } else if !seen.insert(key) {
                bad("attendees", format!("{} is listed twice", a.name));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// Whether it makes its people busy when it happens.
    pub fn is_busy(&self) -> bool {
        self.transparency == Transparency::Busy && self.status != EventStatus::Cancelled
    }

    pub fn is_recurring(&self) -> bool {
        !self.recurrence.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ams() -> Zone {
        Zone::parse("zone", "Europe/Amsterdam").unwrap_or_else(|_| Zone::utc())
    }

    fn event(start: EventTime, end: EventTime) -> EventData {
        EventData {
            summary: "Board meeting".into(),
            description: String::new(),
            location: None,
            start,
            end,
            recurrence: Recurrence::default(),
            organiser: None,
            attendees: vec![],
            visibility: Visibility::Normal,
            transparency: Transparency::Busy,
            priority: Priority::NORMAL,
            category: Category::Meeting,
            status: EventStatus::Confirmed,
        }
    }

    fn fields(e: Result<(), ValidationError>) -> Vec<String> {
        e.err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn names_round_trip_and_refuse_unknowns() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().ok(), Some(*c));
        }
        let e = "party".parse::<Category>().err().map(|e| e.summary());
        assert_eq!(
            e.as_deref(),
            Some(
                "category: unknown value `party`; expected one of meeting, focus, travel, personal, hold, task"
            )
        );
        assert!("declined".parse::<Rsvp>().is_ok());
    }

    #[test]
    fn priorities_map_to_ical() {
        assert!(Priority::new(0).is_err() && Priority::new(5).is_err());
        for p in 1..=4 {
            let pr = Priority::new(p).unwrap_or_default();
            assert_eq!(Priority::from_ical(pr.to_ical()), pr);
        }
        assert_eq!(Priority::from_ical(0), Priority::NORMAL);
        assert_eq!(Priority::from_ical(9), Priority::LOW);
    }

    #[test]
    fn end_before_start_and_mixed_kinds_are_refused() {
        let z = ams();
        let nine = EventTime::zoned(date(2026, 12, 1).at(9, 0, 0, 0), &z);
        let eight = EventTime::zoned(date(2026, 12, 1).at(8, 0, 0, 0), &z);
        assert_eq!(fields(event(nine.clone(), eight).validate(&z)), ["end"]);
        let day = EventTime::Date {
            date: date(2026, 12, 1),
        };
        assert_eq!(fields(event(day.clone(), nine.clone()).validate(&z)), ["end"]);
        assert_eq!(fields(event(day.clone(), day.clone()).validate(&z)), ["end"]);
        let next = EventTime::Date {
            date: date(2026, 12, 2),
        };
        assert!(event(day, next).validate(&z).is_ok());
        let year = EventTime::zoned(date(2028, 1, 1).at(9, 0, 0, 0), &z);
        assert_eq!(fields(event(nine.clone(), year).validate(&z)), ["end"]);
        let mut e = event(nine.clone(), nine);
        e.summary = " ".into();
        assert_eq!(fields(e.validate(&z)), ["summary"]);
    }

    #[test]
    fn end_is_compared_as_instants_across_zones() {
        let ams = ams();
        let ny = Zone::parse("zone", "America/New_York").unwrap_or_else(|_| Zone::utc());
        // 15:00 Amsterdam until 09:30 New York (= 15:30 Amsterdam) is fine.
        let s = EventTime::zoned(date(2026, 12, 1).at(15, 0, 0, 0), &ams);
        let e = EventTime::zoned(date(2026, 12, 1).at(9, 30, 0, 0), &ny);
        assert!(event(s, e).validate(&ams).is_ok());
    }

    #[test]
    fn locations_and_attendees() {
        assert!(Location::new("Boardroom", Some((52.37, 4.89))).is_ok());
        assert!(Location::new("x", Some((91.0, 0.0))).is_err());
        assert!(Location::new("x", Some((f64::NAN, 0.0))).is_err());
        assert!(
            !Location::new("https://meet.example/abc", None)
                .map(|l| l.is_in_person())
                .unwrap_or(true)
        );
        assert!(
            Location::new("Schiphol", None)
                .map(|l| l.is_in_person())
                .unwrap_or(false)
        );
        let z = ams();
        let t = EventTime::zoned(date(2026, 12, 1).at(9, 0, 0, 0), &z);
        let mut e = event(t.clone(), t);
        let a = Attendee {
            person: None,
            email: Some("director@example.org".into()),
            name: "Director".into(),
            role: AttendeeRole::Required,
            rsvp: Rsvp::NeedsAction,
        };
        e.attendees = vec![a.clone(), a];
        assert_eq!(fields(e.validate(&z)), ["attendees"]);
    }

    #[test]
    fn recurrence_ids_parse() {
        assert_eq!(
            "2026-12-01".parse::<RecurrenceId>().ok(),
            Some(RecurrenceId::date(date(2026, 12, 1)))
        );
        assert_eq!(
            "2026-12-01T09:00:00"
                .parse::<RecurrenceId>()
                .map(|r| r.to_string())
                .ok(),
            Some("2026-12-01T09:00:00".into())
        );
        assert!("soon".parse::<RecurrenceId>().is_err());
    }
}
