//! JSON shapes of the calendar API, with their OpenAPI schemas.

use crate::ops::calendar::AgendaItem;
use adjutant_core::calendar::series::Override;
use adjutant_core::calendar::{Attendee, EventData, EventTime, Zone};
use adjutant_store::calendar::{Calendar, CalendarOwner, EventRecord, Resource};
use adjutant_store::polls::Feed;
use adjutant_store::scheduling::{ItipMessage, MeetingRequest};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// A time as meant: a date (all day), or a wall-clock time with its zone (none: floating) and the UTC instant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeView {
    /// For all-day times: `2026-12-01`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Wall-clock time, `2026-12-01T09:00:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// IANA zone; absent for floating times and dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The instant, `2026-12-01T08:00:00Z` (floating times and dates: read in the calendar's zone).
    pub utc: String,
}

impl TimeView {
    pub fn new(t: &EventTime, fallback: &Zone) -> TimeView {
        let utc = t.instant(fallback).to_string();
        match t {
            EventTime::Date { date } => TimeView {
                date: Some(date.to_string()),
                local: None,
                zone: None,
                utc,
            },
            EventTime::Zoned { local, zone } => TimeView {
                date: None,
                local: Some(local.strftime("%Y-%m-%dT%H:%M:%S").to_string()),
                zone: Some(zone.name().to_string()),
                utc,
            },
            EventTime::Floating { local } => TimeView {
                date: None,
                local: Some(local.strftime("%Y-%m-%dT%H:%M:%S").to_string()),
                zone: None,
                utc,
            },
        }
    }
}

/// Someone invited.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendeeView {
    /// Their person id when they belong to the organisation.
    pub person: Option<String>,
    pub email: Option<String>,
    pub name: String,
    /// required, optional or chair.
    pub role: String,
    /// needs_action, accepted, tentative or declined.
    pub rsvp: String,
}

impl From<&Attendee> for AttendeeView {
    fn from(a: &Attendee) -> Self {
        Self {
            person: a.person.map(|p| p.to_string()),
            email: a.email.clone(),
            name: a.name.clone(),
            role: a.role.as_str().into(),
            rsvp: a.rsvp.as_str().into(),
        }
    }
}

/// One overridden occurrence of a recurring event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverrideView {
    /// The occurrence's original start, `2026-12-07T10:00:00`.
    pub recurrence_id: String,
    pub start: TimeView,
    pub end: TimeView,
    pub summary: String,
    /// confirmed, tentative or cancelled.
    pub status: String,
}

/// An event (a single one, or a recurring series with its overrides).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: String,
    pub calendar: String,
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub start: TimeView,
    pub end: TimeView,
    pub all_day: bool,
    /// RRULE values.
    pub rrules: Vec<String>,
    pub rdates: Vec<TimeView>,
    pub exdates: Vec<TimeView>,
    pub overrides: Vec<OverrideView>,
    pub location: Option<String>,
    /// [latitude, longitude].
    pub geo: Option<[f64; 2]>,
    pub organiser: Option<String>,
    pub attendees: Vec<AttendeeView>,
    /// The room's id.
    pub room: Option<String>,
    pub visibility: String,
    pub transparency: String,
    pub priority: u8,
    pub category: String,
    pub status: String,
    pub sequence: u32,
    /// Set on the holds of a meeting request.
    pub meeting_request: Option<String>,
    /// Whether you may change it.
    pub can_edit: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl EventView {
    pub fn new(e: &EventRecord, fallback: &Zone, can_edit: bool) -> EventView {
        let d: &EventData = &e.data;
        EventView {
            id: e.id.to_string(),
            calendar: e.calendar.to_string(),
            uid: e.uid.clone(),
            summary: d.summary.clone(),
            description: d.description.clone(),
            start: TimeView::new(&d.start, fallback),
            end: TimeView::new(&d.end, fallback),
            all_day: d.start.is_date(),
            rrules: d.recurrence.rules.iter().map(ToString::to_string).collect(),
            rdates: d
                .recurrence
                .rdates
                .iter()
                .map(|t| TimeView::new(t, fallback))
                .collect(),
            exdates: d
                .recurrence
                .exdates
                .iter()
                .map(|t| TimeView::new(t, fallback))
                .collect(),
            overrides: e.overrides.iter().map(|o| override_view(o, fallback)).collect(),
            location: d.location.as_ref().map(|l| l.text.clone()),
            geo: d.location.as_ref().and_then(|l| l.geo).map(|(a, b)| [a, b]),
            organiser: d.organiser.as_ref().map(|o| o.name.clone()),
            attendees: d.attendees.iter().map(AttendeeView::from).collect(),
            room: e.room.map(|r| r.to_string()),
            visibility: d.visibility.as_str().into(),
            transparency: d.transparency.as_str().into(),
            priority: d.priority.get(),
            category: d.category.as_str().into(),
            status: d.status.as_str().into(),
            sequence: e.sequence,
            meeting_request: e.meeting_request.map(|r| r.to_string()),
            can_edit,
            created_at: e.created_at.to_string(),
            updated_at: e.updated_at.to_string(),
        }
    }

    /// What someone who may see only that the time is taken gets.
    pub fn busy_only(e: &EventRecord, fallback: &Zone) -> EventView {
        let mut v = EventView::new(e, fallback, false);
        v.summary = "Busy".into();
        v.description = String::new();
        v.location = None;
        v.geo = None;
        v.organiser = None;
        v.attendees = vec![];
        v.overrides.iter_mut().for_each(|o| o.summary = "Busy".into());
        v.category = "meeting".into();
        v
    }
}

fn override_view(o: &Override, fallback: &Zone) -> OverrideView {
    OverrideView {
        recurrence_id: o.recurrence_id.to_string(),
        start: TimeView::new(&o.data.start, fallback),
        end: TimeView::new(&o.data.end, fallback),
        summary: o.data.summary.clone(),
        status: o.data.status.as_str().into(),
    }
}

/// One occurrence in an agenda.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaItemView {
    pub event: String,
    pub calendar: String,
    /// The occurrence's original start, for recurring events (use it to move or cancel just this one).
    pub recurrence_id: Option<String>,
    pub start: TimeView,
    pub end: TimeView,
    pub all_day: bool,
    /// Only that the time is taken may be shown (someone else's private event).
    pub busy_only: bool,
    pub summary: String,
    pub location: Option<String>,
    pub category: String,
    pub status: String,
    pub transparency: String,
    pub priority: u8,
    pub visibility: String,
    pub organiser: Option<String>,
    pub attendees: Vec<AttendeeView>,
    pub room: Option<String>,
    pub recurring: bool,
    /// This occurrence was moved or changed on its own.
    pub moved: bool,
    /// A tentative hold of a meeting request.
    pub hold: bool,
    pub can_edit: bool,
}

impl AgendaItemView {
    pub fn new(i: &AgendaItem, fallback: &Zone) -> Self {
        Self {
            event: i.event.to_string(),
            calendar: i.calendar.to_string(),
            recurrence_id: i.recurrence_id.map(|r| r.to_string()),
            start: TimeView::new(&i.start, fallback),
            end: TimeView::new(&i.end, fallback),
            all_day: i.all_day,
            busy_only: i.busy_only,
            summary: i.summary.clone(),
            location: i.location.clone(),
            category: i.category.as_str().into(),
            status: i.status.as_str().into(),
            transparency: i.transparency.as_str().into(),
            priority: i.priority.get(),
            visibility: i.visibility.as_str().into(),
            organiser: i.organiser.clone(),
            attendees: i.attendees.iter().map(AttendeeView::from).collect(),
            room: i.room.map(|r| r.to_string()),
            recurring: i.recurring,
            moved: i.moved,
            hold: i.hold,
            can_edit: i.can_edit,
        }
    }
}

/// A room.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceView {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub capacity: u32,
    pub equipment: Vec<String>,
    pub location: String,
    pub time_zone: String,
    pub bookable: bool,
    /// The site's id, when placed on a site.
    pub site: Option<String>,
    /// The floor of the site, or empty.
    pub floor: String,
    /// An assigned desk's holder (person id).
    pub assigned_to: Option<String>,
    /// The room's own calendar.
    pub calendar: String,
}

impl From<&Resource> for ResourceView {
    fn from(r: &Resource) -> Self {
        Self {
            id: r.id.to_string(),
            kind: r.kind.clone(),
            name: r.name.clone(),
            capacity: r.capacity,
            equipment: r.equipment.clone(),
            location: r.location.clone(),
            time_zone: r.time_zone.clone(),
            bookable: r.bookable,
            site: r.site.map(|s| s.to_string()),
            floor: r.floor.clone(),
            assigned_to: r.assigned_to.map(|p| p.to_string()),
            calendar: r.calendar.to_string(),
        }
    }
}

/// A calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarView {
    pub id: String,
    /// The person it belongs to, if a person's.
    pub person: Option<String>,
    /// The resource it belongs to, if a room's.
    pub resource: Option<String>,
    pub name: String,
    pub time_zone: String,
    pub is_default: bool,
}

impl From<&Calendar> for CalendarView {
    fn from(c: &Calendar) -> Self {
        let (person, resource) = match c.owner {
            CalendarOwner::Person(p) => (Some(p.to_string()), None),
            CalendarOwner::Resource(r) => (None, Some(r.to_string())),
        };
        Self {
            id: c.id.to_string(),
            person,
            resource,
            name: c.name.clone(),
            time_zone: c.time_zone.clone(),
            is_default: c.is_default,
        }
    }
}

/// A subscription feed (its link's secret is shown only when created).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedView {
    pub id: String,
    pub calendar: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<&Feed> for FeedView {
    fn from(f: &Feed) -> Self {
        Self {
            id: f.id.to_string(),
            calendar: f.calendar.to_string(),
            name: f.name.clone(),
            created_at: f.created_at.to_string(),
            revoked_at: f.revoked_at.map(|t| t.to_string()),
        }
    }
}

/// A new feed, with the URL to subscribe to (shown this once).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewFeedView {
    pub feed: FeedView,
    /// The path of the feed, e.g. `/feeds/feed_…ics`; prefix your server's address.
    pub url: String,
}

/// A stored iTIP message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItipView {
    pub id: String,
    pub event_uid: String,
    /// REQUEST or CANCEL.
    pub method: String,
    pub recipient: String,
    pub summary: String,
    pub created_at: String,
    /// Where to download the .ics.
    pub download: String,
}

impl From<&ItipMessage> for ItipView {
    fn from(m: &ItipMessage) -> Self {
        Self {
            id: m.id.to_string(),
            event_uid: m.event_uid.clone(),
            method: m.method.clone(),
            recipient: m.recipient.clone(),
            summary: m.summary.clone(),
            created_at: m.created_at.to_string(),
            download: format!("/api/v1/itip/{}", m.id),
        }
    }
}

/// A meeting request with its holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingRequestView {
    pub id: String,
    pub organiser: String,
    pub title: String,
    /// open, confirmed or released.
    pub status: String,
    pub room: Option<String>,
    pub confirmed_event: Option<String>,
    pub holds: Vec<EventView>,
    pub created_at: String,
}

impl MeetingRequestView {
    pub fn new(r: &MeetingRequest, holds: &[EventRecord], fallback: &Zone, can_edit: bool) -> Self {
        Self {
            id: r.id.to_string(),
            organiser: r.organiser.to_string(),
            title: r.title.clone(),
            status: r.status.as_str().into(),
            room: r.room.map(|x| x.to_string()),
            confirmed_event: r.confirmed_event.map(|x| x.to_string()),
            holds: holds
                .iter()
                .map(|h| EventView::new(h, fallback, can_edit))
                .collect(),
            created_at: r.created_at.to_string(),
        }
    }
}

/// An instant as text for the API.
pub fn ts(t: Timestamp) -> String {
    t.to_string()
}
