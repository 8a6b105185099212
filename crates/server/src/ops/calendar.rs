//! Calendar operations shared by the API, the web pages and the CLI: rooms,
//! calendars, events (create, edit, move, cancel, answer), agendas with each
//! event shown as much as the reader may see, iCalendar import and export,
//! and subscription feeds.
//!
//! Access follows the one policy (`adjutant_core::policy::item_access`): an
//! event belongs to the owner of its calendar, in the `calendar` scope; its
//! attendees count as people it is shared with.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::collect;
use adjutant_core::ValidationError;
use adjutant_core::calendar::series::{self, Limits, Override};
use adjutant_core::calendar::{
    Attendee, AttendeeRole, Category, EventData, EventStatus, EventTime, LocalInput, Location, Organiser,
    Priority, Recurrence, RecurrenceId, Rsvp, TimeRange, Transparency, Zone, parse_local, recurrence::Rule,
};
use adjutant_core::delegation::Scope;
use adjutant_core::ids::{CalendarId, EventId, FeedId, ItipMessageId, OrgId, PersonId, ResourceId};
use adjutant_core::office::space::SpaceKind;
use adjutant_core::people::{Email, Role};
use adjutant_core::policy::{self, Access, Capability, ItemRef, View, Visibility};
use adjutant_interop::ics;
use adjutant_store::calendar::{
    Calendar, CalendarOwner, EventRecord, EventScope, NewEvent, Resource, ResourceInput,
};
use adjutant_store::polls::Feed;
use adjutant_store::scheduling::{ItipMessage, NewItip};
use adjutant_store::{Person, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---------------------------------------------------------------------------
// Who is asking, and about whose calendar
// ---------------------------------------------------------------------------

/// The person whose calendar an operation is about: the one named, or the
/// principal the caller acts for, or the caller.
pub fn subject(caller: &Caller, named: Option<PersonId>) -> ApiResult<PersonId> {
    match (named, caller) {
        (Some(p), _) => Ok(p),
        (None, Caller::Person(a)) => Ok(a.actor.acting_for.unwrap_or(a.person.id)),
        (None, Caller::System(_)) => {
            Err(ValidationError::field("person", "name whose calendar this is").into())
        }
    }
}

/// How much of an event owned by `owner` the caller may see (or whether it may change it).
fn access(
    caller: &Caller,
    org: OrgId,
    owner: Option<PersonId>,
    data: &EventData,
    acc: Access,
) -> Result<View, policy::Denied> {
    match caller {
        Caller::System(_) => Ok(View::Full),
        Caller::Person(a) => {
            let me = a.person.id;
            let attends = data.attendees.iter().any(|x| x.person == Some(me))
                || data.organiser.as_ref().is_some_and(|o| o.person == Some(me));
            match owner {
                Some(owner) => policy::item_access(
                    &a.actor,
                    &ItemRef {
                        org,
                        owner,
                        visibility: data.visibility,
                        scope: Scope::Calendar,
                        shared_with_actor: attends,
                    },
                    acc,
                ),
                // A resource's own calendar: the office manages it, everyone else reads it.
                None => {
                    if a.actor.org != org {
                        return Err(policy::Denied::new("that belongs to another organisation"));
                    }
                    if acc == Access::Write {
                        policy::may(&a.actor, org, Capability::ManageResources).map(|_| View::Full)
                    } else if a.person.role == Role::Contractor && !attends {
                        Err(policy::Denied::new(
                            "contractors see only what is shared with them",
                        ))
                    } else {
                        Ok(View::Full)
                    }
                }
            }
        }
    }
}

fn owner_of(cal: &Calendar) -> Option<PersonId> {
    match cal.owner {
        CalendarOwner::Person(p) => Some(p),
        CalendarOwner::Resource(_) => None,
    }
}

/// Checks the caller may add events to (or import into) `cal`.
fn may_write_calendar(caller: &Caller, org: OrgId, cal: &Calendar) -> ApiResult<()> {
    let probe = EventData {
        visibility: Visibility::Normal,
        attendees: vec![],
        organiser: None,
        ..placeholder_event()
    };
    access(caller, org, owner_of(cal), &probe, Access::Write)
        .map(|_| ())
        .map_err(ApiError::from)
}

/// Checks the caller may read everything in `cal` (export, feeds, iTIP).
fn may_read_calendar_fully(caller: &Caller, org: OrgId, cal: &Calendar) -> ApiResult<()> {
    let probe = EventData {
        visibility: Visibility::Confidential,
        ..placeholder_event()
    };
    match access(caller, org, owner_of(cal), &probe, Access::Read) {
        Ok(View::Full) => Ok(()),
        _ => Err(ApiError::forbidden(
            "only the calendar's owner and delegates with the calendar scope may do this",
        )),
    }
}

/// An event with nothing in it, for asking the policy about a calendar as a whole.
fn placeholder_event() -> EventData {
    let t = EventTime::utc(Timestamp::UNIX_EPOCH);
    EventData {
        summary: String::new(),
        description: String::new(),
        location: None,
        start: t.clone(),
        end: t,
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

use crate::ops::hide;

pub fn parse_id<T: std::str::FromStr>(field: &str, what: &str, s: &str) -> Result<T, ValidationError> {
    s.parse::<T>()
        .map_err(|_| ValidationError::field(field, format!("`{s}` is not a {what} id (a UUID)")))
}

// ---------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------

/// A room (or a desk, or a piece of bookable equipment) to add or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceForm {
    /// e.g. `Boardroom`.
    pub name: String,
    /// Seats, 1–10,000.
    pub capacity: u32,
    /// e.g. `["screen", "video"]`.
    #[serde(default)]
    pub equipment: Vec<String>,
    /// Where it is, e.g. `Amsterdam HQ, 3rd floor`; travel times are configured between such places.
    #[serde(default)]
    pub location: String,
    /// IANA zone (default: the caller's).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Whether people may book it (default true).
    #[serde(default)]
    pub bookable: Option<bool>,
    /// `room` (the default), `desk` or `equipment`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The site it is on: the site's id or name.
    #[serde(default)]
    pub site: Option<String>,
    /// One of the site's floors.
    #[serde(default)]
    pub floor: Option<String>,
    /// An assigned desk's holder (id or e-mail address); empty for a hot desk.
    #[serde(default)]
    pub assigned_to: Option<String>,
}

fn resource_input(form: &ResourceForm, default_zone: &str) -> Result<ResourceInput, ValidationError> {
    let name = form.name.trim();
    let mut checks = vec![];
    if name.is_empty() || name.chars().count() > 100 {
        checks.push(Err(ValidationError::field("name", "must be 1 to 100 characters")));
    }
    if !(1..=10_000).contains(&form.capacity) {
        checks.push(Err(ValidationError::field(
            "capacity",
            format!("{} is out of range: 1 to 10,000 seats", form.capacity),
        )));
    }
    let equipment: Vec<String> = form
        .equipment
        .iter()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    if equipment.len() > 50 || equipment.iter().any(|e| e.chars().count() > 50) {
        checks.push(Err(ValidationError::field(
            "equipment",
            "at most 50 items of at most 50 characters",
        )));
    }
    if form.location.chars().count() > 200 {
        checks.push(Err(ValidationError::field(
            "location",
            "must be at most 200 characters",
        )));
    }
    let z = Zone::parse("time_zone", form.time_zone.as_deref().unwrap_or(default_zone));
    checks.push(z.as_ref().map(|_| ()).map_err(Clone::clone));
    let kind = form
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .unwrap_or("room")
        .parse::<SpaceKind>();
    checks.push(kind.as_ref().map(|_| ()).map_err(Clone::clone));
    collect(checks)?;
    let mut equipment = equipment;
    equipment.sort();
    equipment.dedup();
    Ok(ResourceInput {
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        name: name.to_string(),
        capacity: form.capacity,
        equipment,
        location: form.location.trim().to_string(),
        time_zone: z.map(|z| z.name().to_string()).unwrap_or_default(),
        bookable: form.bookable.unwrap_or(true),
        ..ResourceInput::default()
    })
}

fn caller_zone(state_zone: Option<&str>) -> String {
    state_zone.unwrap_or("UTC").to_string()
}

pub async fn create_resource(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    form: &ResourceForm,
) -> ApiResult<Resource> {
    caller.may(org, Capability::ManageResources)?;
    let z = caller_zone(caller_person_zone(caller).as_deref());
    let mut input = resource_input(form, &z)?;
    crate::ops::spaces::place(state, org, form, None, &mut input).await?;
    Ok(state
        .store
        .resource_create(org, &input, &caller.audit(Timestamp::now()))
        .await?)
}

pub async fn update_resource(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ResourceId,
    form: &ResourceForm,
) -> ApiResult<Resource> {
    caller.may(org, Capability::ManageResources)?;
    let before = hide(state.store.resource_get(org, id).await, "resource")?;
    let mut input = resource_input(form, &before.time_zone)?;
    crate::ops::spaces::place(state, org, form, Some(&before), &mut input).await?;
    Ok(state
        .store
        .resource_update(org, id, &input, &caller.audit(Timestamp::now()))
        .await?)
}

/// Rooms the caller may see (contractors: none).
pub async fn list_resources(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<Vec<Resource>> {
    caller.may(org, Capability::ViewDirectory)?;
    Ok(state.store.resource_list(org).await?)
}

pub async fn get_resource(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ResourceId,
) -> ApiResult<Resource> {
    caller.may(org, Capability::ViewDirectory)?;
    hide(state.store.resource_get(org, id).await, "resource")
}

fn caller_person_zone(caller: &Caller) -> Option<String> {
    match caller {
        Caller::Person(a) => Some(a.person.time_zone.clone()),
        Caller::System(_) => None,
    }
}

// ---------------------------------------------------------------------------
// Calendars
// ---------------------------------------------------------------------------

/// A person's calendars (the default one is made the first time it is needed).
pub async fn list_calendars(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: PersonId,
) -> ApiResult<Vec<Calendar>> {
    let p = hide(state.store.person_get(org, person).await, "person")?;
    if caller.person() != Some(p.id) {
        caller.may(org, Capability::ViewDirectory)?;
    }
    Ok(state.store.calendar_list(org, person).await?)
}

async fn person_in(state: &AppState, org: OrgId, id: PersonId, field: &str) -> ApiResult<Person> {
    state.store.person_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => {
            ValidationError::field(field, "no such person in this organisation").into()
        }
        other => other.into(),
    })
}

/// The calendar events go to: the one named, else the subject's default.
///
/// A default calendar not made yet is returned as it will be (with a nil id),
/// so input can be checked before anything is written; [`materialise`] makes it.
async fn target_calendar(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    calendar: Option<&str>,
    person: Option<PersonId>,
) -> ApiResult<Calendar> {
    let cal = match calendar {
        Some(c) => {
            let id: CalendarId = parse_id("calendar", "calendar", c)?;
            hide(state.store.calendar_get(org, id).await, "calendar")?
        }
        None => {
            let p = subject(caller, person)?;
            let who = person_in(state, org, p, "person").await?;
            match state
                .store
                .calendar_list(org, p)
                .await?
                .into_iter()
                .find(|c| c.is_default)
            {
                Some(c) => c,
                None => Calendar {
                    id: CalendarId(uuid::Uuid::nil()),
                    org,
                    owner: CalendarOwner::Person(p),
                    name: who.name.clone(),
                    time_zone: who.time_zone.clone(),
                    is_default: true,
                    created_at: Timestamp::UNIX_EPOCH,
                    updated_at: Timestamp::UNIX_EPOCH,
                },
            }
        }
    };
    may_write_calendar(caller, org, &cal)?;
    Ok(cal)
}

/// Makes a person's default calendar when [`target_calendar`] only foresaw it.
pub async fn materialise(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    cal: Calendar,
) -> ApiResult<Calendar> {
    match cal.owner {
        CalendarOwner::Person(p) if cal.id.as_uuid().is_nil() => Ok(state
            .store
            .calendar_ensure_default(org, p, &caller.audit(Timestamp::now()))
            .await?),
        _ => Ok(cal),
    }
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/// An attendee as given: a person of the organisation (by id or e-mail), or an outsider's e-mail.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendeeInput {
    /// A person id or the e-mail address of a person of the organisation, or an outsider's e-mail.
    pub who: String,
    /// Name to show for an outsider.
    #[serde(default)]
    pub name: Option<String>,
    /// Not needed for the meeting to happen.
    #[serde(default)]
    pub optional: bool,
}

/// A new event.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// Calendar id (default: the default calendar of `person`, or of whom you act for).
    #[serde(default)]
    pub calendar: Option<String>,
    /// Whose calendar (person id), when no calendar is named.
    #[serde(default)]
    pub person: Option<String>,
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `2026-12-01T09:00` (wall-clock time in `time_zone`), `2026-12-01T08:00:00Z` (an instant),
    /// or `2026-12-01` (all day).
    pub start: String,
    /// Same forms as `start`; default: start + `duration_minutes`, or one hour, or one day.
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// IANA zone of start (and end); default: the calendar's.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// IANA zone of the end when it differs (a flight).
    #[serde(default)]
    pub end_time_zone: Option<String>,
    /// A time without a zone, read wherever the reader is.
    #[serde(default)]
    pub floating: bool,
    /// RRULE, e.g. `FREQ=WEEKLY;BYDAY=MO`.
    #[serde(default)]
    pub rrule: Option<String>,
    /// Extra occurrences, same forms as `start`.
    #[serde(default)]
    pub rdates: Vec<String>,
    /// Excluded occurrences, same forms as `start`.
    #[serde(default)]
    pub exdates: Vec<String>,
    #[serde(default)]
    pub location: Option<String>,
    /// [latitude, longitude].
    #[serde(default)]
    pub geo: Option<[f64; 2]>,
    #[serde(default)]
    pub attendees: Vec<AttendeeInput>,
    /// A room's id.
    #[serde(default)]
    pub room: Option<String>,
    /// normal, private or confidential (default normal).
    #[serde(default)]
    pub visibility: Option<String>,
    /// busy or free (default busy).
    #[serde(default)]
    pub transparency: Option<String>,
    /// 1 (critical) to 4 (low), default 3.
    #[serde(default)]
    pub priority: Option<u8>,
    /// meeting, focus, travel, personal, hold or task (default meeting).
    #[serde(default)]
    pub category: Option<String>,
    /// confirmed or tentative (default confirmed).
    #[serde(default)]
    pub status: Option<String>,
}

/// Changes to a whole event (every occurrence); absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    pub summary: Option<String>,
    pub description: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub time_zone: Option<String>,
    /// RRULE; an empty string stops the repetition.
    pub rrule: Option<String>,
    pub exdates: Option<Vec<String>>,
    pub rdates: Option<Vec<String>>,
    pub location: Option<String>,
    pub attendees: Option<Vec<AttendeeInput>>,
    /// A room's id; an empty string releases the room.
    pub room: Option<String>,
    pub visibility: Option<String>,
    pub transparency: Option<String>,
    pub priority: Option<u8>,
    pub category: Option<String>,
    pub status: Option<String>,
}

/// Moves an event, or one occurrence of a recurring one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// The new start (same forms as an event's start).
    pub start: String,
    /// The new end; default: the same length as before.
    #[serde(default)]
    pub end: Option<String>,
    /// IANA zone of the new times (default: the event's).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Move only this occurrence (its original start, e.g. `2026-12-07T10:00:00`).
    #[serde(default)]
    pub recurrence_id: Option<String>,
}

/// Cancels an event, or one occurrence of a recurring one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// Cancel only this occurrence (its original start).
    #[serde(default)]
    pub recurrence_id: Option<String>,
}

/// An attendee's answer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RsvpInput {
    /// accepted, tentative, declined or needs_action.
    pub rsvp: String,
    /// Answer for someone you act for (their person id); default: yourself or whom you act for.
    #[serde(default)]
    pub person: Option<String>,
}

/// Reads a time typed by a person: a wall-clock time in `zone`, an instant, or a date.
pub fn event_time(field: &str, s: &str, zone: &Zone, floating: bool) -> Result<EventTime, ValidationError> {
    let t = s.trim();
    if t.ends_with(['Z', 'z']) || (t.len() > 19 && (t[19..].contains('+') || t[19..].contains('-'))) {
        let ts: Timestamp = t.parse().map_err(|_| {
            ValidationError::field(field, format!("`{t}` is not an instant (2026-12-01T08:00:00Z)"))
        })?;
        return Ok(EventTime::zoned(zone.local(ts), zone));
    }
    Ok(match parse_local(field, t)? {
        LocalInput::Date(date) => EventTime::Date { date },
        LocalInput::DateTime(local) if floating => EventTime::Floating { local },
        LocalInput::DateTime(local) => EventTime::zoned(local, zone),
    })
}

fn default_end(start: &EventTime, minutes: Option<u32>) -> Result<EventTime, ValidationError> {
    match start {
        EventTime::Date { date } => {
            let days = i64::from(minutes.map_or(1, |m| m.div_ceil(24 * 60).max(1)));
            let end = date
                .checked_add(jiff::Span::new().days(days))
                .map_err(|_| ValidationError::field("end", "is out of range"))?;
            Ok(EventTime::Date { date: end })
        }
        _ => {
            let m = minutes.unwrap_or(60);
            if m == 0 || m > 366 * 24 * 60 {
                return Err(ValidationError::field(
                    "duration_minutes",
                    format!("{m} is out of range: 1 minute to 366 days"),
                ));
            }
            let local = start
                .local()
                .checked_add(SignedDuration::from_mins(i64::from(m)))
                .map_err(|_| ValidationError::field("end", "is out of range"))?;
            Ok(start.with_local(local))
        }
    }
}

/// The organiser takes part in their own meeting, as its chair (listed first).
fn chair(attendees: &mut Vec<Attendee>, organiser: Option<&Person>) {
    let Some(o) = organiser else { return };
    if attendees.is_empty() {
        return;
    }
    match attendees.iter_mut().find(|a| a.person == Some(o.id)) {
        Some(a) => {
            a.role = AttendeeRole::Chair;
            a.rsvp = Rsvp::Accepted;
        }
        None => attendees.insert(
            0,
            Attendee {
                person: Some(o.id),
                email: o.email.clone(),
                name: o.name.clone(),
                role: AttendeeRole::Chair,
                rsvp: Rsvp::Accepted,
            },
        ),
    }
}

/// Resolves attendees against the organisation's people; outsiders need a valid e-mail.
async fn resolve_attendees(
    state: &AppState,
    org: OrgId,
    input: &[AttendeeInput],
    organiser: Option<&Person>,
) -> ApiResult<Vec<Attendee>> {
    let people = state.store.person_list(org).await?;
    let mut out: Vec<Attendee> = Vec::new();
    let mut errors = Vec::new();
    for (i, a) in input.iter().enumerate() {
        let field = format!("attendees[{i}]");
        let who = a.who.trim();
        let found = match who.parse::<PersonId>() {
            Ok(id) => match people.iter().find(|p| p.id == id) {
                Some(p) => Some(p),
                None => {
                    errors.push(ValidationError::field(
                        &field,
                        format!("no person `{who}` in this organisation"),
                    ));
                    continue;
                }
            },
            Err(_) => people
                .iter()
                .find(|p| p.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(who))),
        };
        let role = if a.optional {
            AttendeeRole::Optional
        } else {
            AttendeeRole::Required
        };
        let attendee = match found {
            Some(p) => Attendee {
                person: Some(p.id),
                email: p.email.clone(),
                name: p.name.clone(),
                role,
                rsvp: if organiser.is_some_and(|o| o.id == p.id) {
                    Rsvp::Accepted
                } else {
                    Rsvp::NeedsAction
                },
            },
            None => match Email::parse(who) {
                Ok(e) => Attendee {
                    person: None,
                    email: Some(e.as_str().to_string()),
                    name: a
                        .name
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .unwrap_or_else(|| e.as_str().to_string()),
                    role,
                    rsvp: Rsvp::NeedsAction,
                },
                Err(_) => {
                    errors.push(ValidationError::field(
                        &field,
                        format!("`{who}` is neither a person of this organisation nor an e-mail address"),
                    ));
                    continue;
                }
            },
        };
        let key = attendee
            .person
            .map(|p| p.to_string())
            .or_else(|| attendee.email.clone());
        if out
            .iter()
            .any(|x| x.person.map(|p| p.to_string()).or_else(|| x.email.clone()) == key)
        {
            continue;
        }
        out.push(attendee);
    }
    if !errors.is_empty() {
        return Err(ValidationError {
            errors: errors.into_iter().flat_map(|e| e.errors).collect(),
        }
        .into());
    }
    Ok(out)
}

async fn resolve_room(
    state: &AppState,
    org: OrgId,
    room: Option<&str>,
    attendees: usize,
) -> ApiResult<Option<Resource>> {
    let Some(r) = room.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let id: ResourceId = parse_id("room", "room", r)?;
    let res = state.store.resource_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::from(ValidationError::field(
            "room",
            "no such room in this organisation",
        )),
        other => other.into(),
    })?;
    if !res.bookable {
        return Err(ValidationError::field("room", format!("{} cannot be booked", res.name)).into());
    }
    if attendees > res.capacity as usize {
        return Err(ValidationError::field(
            "room",
            format!(
                "{} seats {}; this event has {attendees} people",
                res.name, res.capacity
            ),
        )
        .into());
    }
    Ok(Some(res))
}

fn parse_times(
    field: &str,
    list: &[String],
    zone: &Zone,
    floating: bool,
) -> Result<Vec<EventTime>, ValidationError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, s) in list.iter().enumerate() {
        match event_time(&format!("{field}[{i}]"), s, zone, floating) {
            Ok(t) => out.push(t),
            Err(e) => errors.extend(e.errors),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ValidationError { errors })
    }
}

fn parse_rules(s: Option<&str>) -> Result<Vec<Rule>, ValidationError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(vec![]),
        Some(r) => Ok(vec![r.parse::<Rule>()?]),
    }
}

fn organiser_of(p: &Person) -> Organiser {
    Organiser {
        person: Some(p.id),
        email: p.email.clone(),
        name: p.name.clone(),
    }
}

/// Builds and checks an event's data from input (everything validated at once).
async fn build_event(
    state: &AppState,
    org: OrgId,
    cal: &Calendar,
    input: &EventInput,
) -> ApiResult<(EventData, Option<Resource>)> {
    let cal_zone = Zone::or_utc(&cal.time_zone);
    let z = match input.time_zone.as_deref().filter(|z| !z.trim().is_empty()) {
        Some(name) => Zone::parse("time_zone", name),
        None => Ok(cal_zone.clone()),
    };
    let end_zone = match input.end_time_zone.as_deref().filter(|z| !z.trim().is_empty()) {
        Some(name) => Zone::parse("end_time_zone", name).map(Some),
        None => Ok(None),
    };
    let z_ok = z.clone().unwrap_or_else(|_| cal_zone.clone());
    let start = event_time("start", &input.start, &z_ok, input.floating);
    let end = match (&input.end, &start) {
        (Some(e), _) => event_time(
            "end",
            e,
            end_zone.as_ref().ok().and_then(Option::as_ref).unwrap_or(&z_ok),
            input.floating,
        ),
        (None, Ok(s)) => default_end(s, input.duration_minutes),
        (None, Err(_)) => Ok(EventTime::utc(Timestamp::UNIX_EPOCH)),
    };
    let rules = parse_rules(input.rrule.as_deref());
    let rdates = parse_times("rdates", &input.rdates, &z_ok, input.floating);
    let exdates = parse_times("exdates", &input.exdates, &z_ok, input.floating);
    let location = match input.location.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => Location::new(l, input.geo.map(|g| (g[0], g[1]))).map(Some),
        None => Ok(None),
    };
    let visibility = input
        .visibility
        .as_deref()
        .map_or(Ok(Visibility::Normal), str::parse);
    let transparency = input
        .transparency
        .as_deref()
        .map_or(Ok(Transparency::Busy), str::parse);
    let priority = input.priority.map_or(Ok(Priority::NORMAL), Priority::new);
    let category = input
        .category
        .as_deref()
        .map_or(Ok(Category::Meeting), str::parse);
    let status = match input.status.as_deref() {
        None => Ok(EventStatus::Confirmed),
        Some(s) => s.parse::<EventStatus>().and_then(|st| {
            if st == EventStatus::Cancelled {
                Err(ValidationError::field(
                    "status",
                    "a new event cannot be cancelled; create it, then cancel it",
                ))
            } else {
                Ok(st)
            }
        }),
    };
    collect(vec![
        z.as_ref().map(|_| ()).map_err(Clone::clone),
        end_zone.as_ref().map(|_| ()).map_err(Clone::clone),
        start.as_ref().map(|_| ()).map_err(Clone::clone),
        end.as_ref().map(|_| ()).map_err(Clone::clone),
        rules.as_ref().map(|_| ()).map_err(Clone::clone),
        rdates.as_ref().map(|_| ()).map_err(Clone::clone),
        exdates.as_ref().map(|_| ()).map_err(Clone::clone),
        location.as_ref().map(|_| ()).map_err(Clone::clone),
        visibility.as_ref().map(|_| ()).map_err(Clone::clone),
        transparency.as_ref().map(|_| ()).map_err(Clone::clone),
        priority.as_ref().map(|_| ()).map_err(Clone::clone),
        category.as_ref().map(|_| ()).map_err(Clone::clone),
        status.as_ref().map(|_| ()).map_err(Clone::clone),
    ])?;
    let (Ok(start), Ok(end), Ok(rules), Ok(rdates), Ok(exdates), Ok(location)) =
        (start, end, rules, rdates, exdates, location)
    else {
        return Err(ApiError::internal());
    };
    let (Ok(visibility), Ok(transparency), Ok(priority), Ok(category), Ok(status)) =
        (visibility, transparency, priority, category, status)
    else {
        return Err(ApiError::internal());
    };
    let owner = match cal.owner {
        CalendarOwner::Person(p) => Some(state.store.person_get(org, p).await?),
        CalendarOwner::Resource(_) => None,
    };
    let mut attendees = resolve_attendees(state, org, &input.attendees, owner.as_ref()).await?;
    chair(&mut attendees, owner.as_ref());
    let room = resolve_room(state, org, input.room.as_deref(), attendees.len().max(1)).await?;
    let data = EventData {
        summary: input.summary.trim().to_string(),
        description: input.description.clone().unwrap_or_default(),
        location: location.or_else(|| {
            room.as_ref().map(|r| Location {
                text: if r.location.is_empty() {
                    r.name.clone()
                } else {
                    format!("{}, {}", r.name, r.location)
                },
                geo: None,
            })
        }),
        start,
        end,
        recurrence: Recurrence {
            rules,
            rdates,
            exdates,
            exrules: vec![],
        },
        organiser: owner.as_ref().map(organiser_of),
        attendees,
        visibility,
        transparency,
        priority,
        category,
        status,
    };
    check(&data, &cal_zone)?;
    Ok((data, room))
}

/// The domain's checks on event data, plus the flood guard on recurrences.
fn check(data: &EventData, cal_zone: &Zone) -> Result<(), ValidationError> {
    data.validate(cal_zone)?;
    if data.is_recurring() {
        series::check_density(data, cal_zone)?;
    }
    Ok(())
}

fn new_uid() -> String {
    format!("{}@adjutant", uuid::Uuid::now_v7().simple())
}

/// iTIP messages for everyone invited but the organiser.
fn invitations(
    method: ics::ItipMethod,
    uid: &str,
    data: &EventData,
    overrides: &[Override],
    event: Option<EventId>,
    sequence: u32,
    now: Timestamp,
) -> Vec<NewItip> {
    if matches!(
        data.category,
        Category::Hold | Category::Task | Category::Focus | Category::Personal
    ) {
        return vec![];
    }
    let organiser = data.organiser.as_ref().and_then(|o| o.person);
    let export = ics::ExportEvent {
        uid,
        data,
        overrides,
        sequence,
        created: now,
        modified: now,
    };
    data.attendees
        .iter()
        .filter(|a| a.person.is_none() || a.person != organiser)
        .filter_map(|a| {
            let to = a.email.clone()?;
            Some(NewItip {
                event_uid: uid.to_string(),
                event,
                method: match method {
                    ics::ItipMethod::Request => "REQUEST".into(),
                    ics::ItipMethod::Cancel => "CANCEL".into(),
                },
                recipient: to,
                summary: data.summary.clone(),
                ics: ics::itip(method, &export, a, now),
            })
        })
        .collect()
}

/// Checks an event input and builds its data, in the calendar it goes to.
pub async fn prepare_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &EventInput,
) -> ApiResult<(Calendar, EventData, Option<Resource>)> {
    let person = input
        .person
        .as_deref()
        .map(|p| parse_id::<PersonId>("person", "person", p))
        .transpose()?;
    let cal = target_calendar(state, caller, org, input.calendar.as_deref(), person).await?;
    let (data, room) = build_event(state, org, &cal, input).await?;
    Ok((cal, data, room))
}

/// iTIP messages for a single event's attendees.
pub fn invitations_for(
    method: ics::ItipMethod,
    uid: &str,
    data: &EventData,
    event: Option<EventId>,
    sequence: u32,
    now: Timestamp,
) -> Vec<NewItip> {
    invitations(method, uid, data, &[], event, sequence, now)
}

pub async fn create_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &EventInput,
) -> ApiResult<EventRecord> {
    // A default calendar not made yet is made by the store in the event's own transaction.
    let (cal, data, room) = prepare_event(state, caller, org, input).await?;
    let uid = new_uid();
    let now = Timestamp::now();
    let itip = invitations(ics::ItipMethod::Request, &uid, &data, &[], None, 0, now);
    let new = NewEvent {
        calendar: cal.id,
        uid: Some(uid),
        data,
        overrides: vec![],
        room: room.map(|r| r.id),
        meeting_request: None,
    };
    let rec = state
        .store
        .event_create(org, &new, &itip, &caller.audit(now))
        .await?;
    replan(state, caller, org, &rec, None).await;
    Ok(rec)
}

/// The people of the organisation whose agenda an event is on: its organiser,
/// its attendees and its calendar's owner.
fn agenda_people(data: &EventData, cal_owner: Option<PersonId>) -> Vec<PersonId> {
    data.attendees
        .iter()
        .filter_map(|a| a.person)
        .chain(data.organiser.as_ref().and_then(|o| o.person))
        .chain(cal_owner)
        .collect()
}

/// After an event changed: re-plans the people whose applied plan it now clashes with.
async fn replan(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    after: &EventRecord,
    before: Option<&EventData>,
) {
    // A plan's own blocks changing does not make a plan stale.
    if after.plan.is_some() {
        return;
    }
    let owner = state
        .store
        .calendar_get(org, after.calendar)
        .await
        .ok()
        .and_then(|c| owner_of(&c));
    let mut people = agenda_people(&after.data, owner);
    if let Some(b) = before {
        people.extend(agenda_people(b, None));
    }
    crate::ops::planning::replan_after_change(state, caller, org, &people).await;
}

/// An event the caller may change, with its calendar.
async fn writable_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: EventId,
) -> ApiResult<(EventRecord, Calendar)> {
    let e = hide(state.store.event_get(org, id).await, "event")?;
    let cal = state.store.calendar_get(org, e.calendar).await?;
    match access(caller, org, owner_of(&cal), &e.data, Access::Write) {
        Ok(_) => Ok((e, cal)),
        Err(d) => match access(caller, org, owner_of(&cal), &e.data, Access::Read) {
            // Someone who cannot even see it learns nothing.
            Err(_) => Err(ApiError::not_found("event")),
            Ok(_) => Err(d.into()),
        },
    }
}

/// An event as the caller may see it.
pub async fn get_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: EventId,
) -> ApiResult<(EventRecord, View, bool)> {
    let e = hide(state.store.event_get(org, id).await, "event")?;
    let cal = state.store.calendar_get(org, e.calendar).await?;
    let view = access(caller, org, owner_of(&cal), &e.data, Access::Read)
        .map_err(|_| ApiError::not_found("event"))?;
    let can_edit = access(caller, org, owner_of(&cal), &e.data, Access::Write).is_ok();
    Ok((e, view, can_edit))
}

pub async fn update_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: EventId,
    patch: &EventPatch,
) -> ApiResult<EventRecord> {
    let (before, cal) = writable_event(state, caller, org, id).await?;
    let cal_zone = Zone::or_utc(&cal.time_zone);
    let mut data = before.data.clone();
    let z = match patch.time_zone.as_deref() {
        Some(n) => Zone::parse("time_zone", n)?,
        None => before
            .data
            .start
            .zone()
            .cloned()
            .unwrap_or_else(|| cal_zone.clone()),
    };
    let floating = matches!(before.data.start, EventTime::Floating { .. });
    let mut checks = vec![];
    if let Some(s) = &patch.summary {
        data.summary = s.trim().to_string();
    }
    if let Some(d) = &patch.description {
        data.description = d.clone();
    }
    let length = before.data.end.local().duration_since(before.data.start.local());
    if let Some(s) = &patch.start {
        match event_time("start", s, &z, floating) {
            Ok(t) => {
                if patch.end.is_none() {
                    data.end = match t.local().checked_add(length) {
                        Ok(l) => t.with_local(l),
                        Err(_) => t.clone(),
                    };
                }
                data.start = t;
            }
            Err(e) => checks.push(Err(e)),
        }
    }
    if let Some(e) = &patch.end {
        match event_time("end", e, &z, floating) {
            Ok(t) => data.end = t,
            Err(e) => checks.push(Err(e)),
        }
    }
    if let Some(r) = &patch.rrule {
        match parse_rules(Some(r)) {
            Ok(rules) => data.recurrence.rules = rules,
            Err(e) => checks.push(Err(e)),
        }
    }
    if let Some(x) = &patch.exdates {
        match parse_times("exdates", x, &z, floating) {
            Ok(t) => data.recurrence.exdates = t,
            Err(e) => checks.push(Err(e)),
        }
    }
    if let Some(x) = &patch.rdates {
        match parse_times("rdates", x, &z, floating) {
            Ok(t) => data.recurrence.rdates = t,
            Err(e) => checks.push(Err(e)),
        }
    }
    if let Some(l) = &patch.location {
        match Location::new(l, None) {
            Ok(loc) => data.location = (!loc.text.is_empty()).then_some(loc),
            Err(e) => checks.push(Err(e)),
        }
    }
    macro_rules! set {
        ($f:ident, $v:expr) => {
            if let Some(v) = $v {
                match v {
                    Ok(x) => data.$f = x,
                    Err(e) => checks.push(Err(e)),
                }
            }
        };
    }
    set!(
        visibility,
        patch.visibility.as_deref().map(str::parse::<Visibility>)
    );
    set!(
        transparency,
        patch.transparency.as_deref().map(str::parse::<Transparency>)
    );
    set!(priority, patch.priority.map(Priority::new));
    set!(category, patch.category.as_deref().map(str::parse::<Category>));
    set!(status, patch.status.as_deref().map(str::parse::<EventStatus>));
    collect(checks)?;
    if let Some(list) = &patch.attendees {
        let owner = match cal.owner {
            CalendarOwner::Person(p) => Some(state.store.person_get(org, p).await?),
            CalendarOwner::Resource(_) => None,
        };
        let mut next = resolve_attendees(state, org, list, owner.as_ref()).await?;
        chair(&mut next, owner.as_ref());
        // Keep the answers people already gave.
        for a in &mut next {
            if let Some(old) = before.data.attendees.iter().find(|o| {
                (o.person.is_some() && o.person == a.person) || (o.person.is_none() && o.email == a.email)
            }) {
                a.rsvp = old.rsvp;
            }
        }
        data.attendees = next;
    }
    let room = match &patch.room {
        None => before.room,
        Some(r) if r.trim().is_empty() => None,
        Some(r) => resolve_room(state, org, Some(r), data.attendees.len().max(1))
            .await?
            .map(|r| r.id),
    };
    check(&data, &cal_zone)?;
    let overrides = follow_series(&before.data, &data, &before.overrides);
    let method = if data.status == EventStatus::Cancelled {
        ics::ItipMethod::Cancel
    } else {
        ics::ItipMethod::Request
    };
    save(
        state,
        caller,
        org,
        &before,
        &data,
        &overrides,
        room,
        "event.update",
        method,
    )
    .await
}

/// Carries a change of the whole series into its overridden occurrences,
/// field by field, where the occurrence still had the series' old value (a
/// renamed series renames its moved occurrences; one renamed on its own keeps
/// its name).
fn follow_series(before: &EventData, after: &EventData, overrides: &[Override]) -> Vec<Override> {
    overrides
        .iter()
        .map(|o| {
            let mut d = o.data.clone();
            macro_rules! follow {
                ($f:ident) => {
                    if d.$f == before.$f && before.$f != after.$f {
                        d.$f = after.$f.clone();
                    }
                };
            }
            follow!(summary);
            follow!(description);
            follow!(location);
            follow!(attendees);
            follow!(organiser);
            follow!(visibility);
            follow!(transparency);
            follow!(priority);
            follow!(category);
            Override {
                recurrence_id: o.recurrence_id,
                data: d,
            }
        })
        .collect()
}

/// Stores a changed event, raising its sequence, with the invitations (or
/// cancellations) its attendees receive, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn save(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    before: &EventRecord,
    data: &EventData,
    overrides: &[Override],
    room: Option<ResourceId>,
    action: &str,
    method: ics::ItipMethod,
) -> ApiResult<EventRecord> {
    let now = Timestamp::now();
    let itip = invitations(
        method,
        &before.uid,
        data,
        overrides,
        Some(before.id),
        before.sequence + 1,
        now,
    );
    let rec = state
        .store
        .event_update(
            org,
            before.id,
            data,
            overrides,
            room,
            action,
            &itip,
            &caller.audit(now),
        )
        .await?;
    replan(state, caller, org, &rec, Some(&before.data)).await;
    Ok(rec)
}

/// Moves a whole event, or one occurrence of a series (as an override).
pub async fn move_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: EventId,
    input: &MoveInput,
) -> ApiResult<EventRecord> {
    let (before, cal) = writable_event(state, caller, org, id).await?;
    let cal_zone = Zone::or_utc(&cal.time_zone);
    let z = match input.time_zone.as_deref() {
        Some(n) => Zone::parse("time_zone", n)?,
        None => before
            .data
            .start
            .zone()
            .cloned()
            .unwrap_or_else(|| cal_zone.clone()),
    };
    let floating = matches!(before.data.start, EventTime::Floating { .. });
    let start = event_time("start", &input.start, &z, floating)?;
    if start.is_date() != before.data.start.is_date() {
        return Err(ValidationError::field(
            "start",
            "give a date for an all-day event and a date and time otherwise",
        )
        .into());
    }
    let mut data = before.data.clone();
    let mut overrides = before.overrides.clone();
    match input.recurrence_id.as_deref() {
        None => {
            let length = before.data.end.local().duration_since(before.data.start.local());
            data.end = match &input.end {
                Some(e) => event_time("end", e, &z, floating)?,
                None => start.with_local(
                    start
                        .local()
                        .checked_add(length)
                        .map_err(|_| ValidationError::field("start", "is out of range"))?,
                ),
            };
            data.start = start;
        }
        Some(rid) => {
            let rid: RecurrenceId = rid.parse()?;
            let base = occurrence_data(&before, &cal_zone, rid)?;
            let length = base.end.local().duration_since(base.start.local());
            let mut moved = base;
            moved.end = match &input.end {
                Some(e) => event_time("end", e, &z, floating)?,
                None => start.with_local(
                    start
                        .local()
                        .checked_add(length)
                        .map_err(|_| ValidationError::field("start", "is out of range"))?,
                ),
            };
            moved.start = start;
            moved.recurrence = Recurrence::default();
            moved.validate(&cal_zone)?;
            overrides.retain(|o| o.recurrence_id != rid);
            overrides.push(Override {
                recurrence_id: rid,
                data: moved,
            });
            overrides.sort_by_key(|o| o.recurrence_id);
        }
    }
    check(&data, &cal_zone)?;
    save(
        state,
        caller,
        org,
        &before,
        &data,
        &overrides,
        before.room,
        "event.move",
        ics::ItipMethod::Request,
    )
    .await
}

/// The data of one occurrence of a series (its override, or the master at that time).
pub(crate) fn occurrence_data(e: &EventRecord, cal_zone: &Zone, rid: RecurrenceId) -> ApiResult<EventData> {
    if let Some(o) = e.overrides.iter().find(|o| o.recurrence_id == rid) {
        return Ok(o.data.clone());
    }
    if !e.data.is_recurring() {
        return Err(ValidationError::field("recurrence_id", "this event does not repeat").into());
    }
    // Find the occurrence whose original start is `rid`.
    let probe_zone = e.data.start.zone().cloned().unwrap_or_else(|| cal_zone.clone());
    let at = probe_zone.instant(rid.0);
    let window = TimeRange {
        start: at.checked_sub(SignedDuration::from_hours(24 * 2)).unwrap_or(at),
        end: at.checked_add(SignedDuration::from_hours(24 * 2)).unwrap_or(at),
    };
    let occ = series::occurrences(&e.data, &[], cal_zone, window, &Limits::default())
        .map_err(|x| ApiError::from(ValidationError::field("recurrence_id", x.to_string())))?;
    let Some(o) = occ.into_iter().find(|o| o.recurrence_id == Some(rid)) else {
        return Err(ValidationError::field(
            "recurrence_id",
            format!("the event has no occurrence starting {rid}"),
        )
        .into());
    };
    let mut d = e.data.clone();
    d.start = o.start;
    d.end = o.end;
    d.recurrence = Recurrence::default();
    Ok(d)
}

/// Cancels an event (kept, shown as cancelled, invitations withdrawn) or one occurrence of it.
pub async fn cancel_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: EventId,
    input: &CancelInput,
) -> ApiResult<EventRecord> {
    let (before, cal) = writable_event(state, caller, org, id).await?;
    let cal_zone = Zone::or_utc(&cal.time_zone);
    let mut data = before.data.clone();
    let mut overrides = before.overrides.clone();
    let method;
    match input.recurrence_id.as_deref() {
        None => {
            if data.status == EventStatus::Cancelled {
                return Err(ApiError::new(
                    axum::http::StatusCode::CONFLICT,
                    "conflict",
                    "the event is already cancelled",
                ));
            }
            data.status = EventStatus::Cancelled;
            method = ics::ItipMethod::Cancel;
        }
        Some(rid) => {
            let rid: RecurrenceId = rid.parse()?;
            let mut one = occurrence_data(&before, &cal_zone, rid)?;
            one.status = EventStatus::Cancelled;
            overrides.retain(|o| o.recurrence_id != rid);
            overrides.push(Override {
                recurrence_id: rid,
                data: one,
            });
            overrides.sort_by_key(|o| o.recurrence_id);
            // Attendees receive the series with that occurrence cancelled.
            method = ics::ItipMethod::Request;
        }
    }
    save(
        state,
        caller,
        org,
        &before,
        &data,
        &overrides,
        if data.status == EventStatus::Cancelled {
            None
        } else {
            before.room
        },
        "event.cancel",
        method,
    )
    .await
}

/// Deletes an event outright (cancellations go to its attendees unless it was already cancelled).
pub async fn delete_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: EventId,
) -> ApiResult<EventRecord> {
    let (before, _) = writable_event(state, caller, org, id).await?;
    let now = Timestamp::now();
    let itip = if before.data.status == EventStatus::Cancelled {
        vec![]
    } else {
        invitations(
            ics::ItipMethod::Cancel,
            &before.uid,
            &before.data,
            &before.overrides,
            Some(id),
            before.sequence + 1,
            now,
        )
    };
    Ok(state
        .store
        .event_delete(org, id, &itip, &caller.audit(now))
        .await?)
}

/// An attendee answers an invitation (themselves, or for their principal).
pub async fn rsvp_event(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: EventId,
    input: &RsvpInput,
) -> ApiResult<EventRecord> {
    let rsvp: Rsvp = input.rsvp.parse()?;
    let named = input
        .person
        .as_deref()
        .map(|p| parse_id::<PersonId>("person", "person", p))
        .transpose()?;
    let who = subject(caller, named)?;
    if let Caller::Person(a) = caller
        && who != a.person.id
        && a.actor
            .delegation_for(who, Scope::Calendar, adjutant_core::delegation::Level::Act)
            .is_none()
    {
        return Err(ApiError::forbidden(
            "you may answer only for yourself or a principal you act for",
        ));
    }
    let e = hide(state.store.event_get(org, id).await, "event")?;
    let mut data = e.data.clone();
    let Some(a) = data.attendees.iter_mut().find(|a| a.person == Some(who)) else {
        return Err(ApiError::not_found("invitation"));
    };
    a.rsvp = rsvp;
    let now = Timestamp::now();
    Ok(state
        .store
        .event_update(
            org,
            id,
            &data,
            &e.overrides,
            e.room,
            "event.rsvp",
            &[],
            &caller.audit(now),
        )
        .await?)
}

/// The iTIP messages of an event (the organiser's side).
pub async fn event_itip(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: EventId,
) -> ApiResult<Vec<ItipMessage>> {
    let (e, _) = writable_event(state, caller, org, id).await?;
    Ok(state.store.itip_list(org, &e.uid).await?)
}

pub async fn get_itip(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ItipMessageId,
) -> ApiResult<ItipMessage> {
    let m = hide(state.store.itip_get(org, id).await, "iTIP message")?;
    match m.event {
        Some(e) if state.store.event_get(org, e).await.is_ok() => {
            writable_event(state, caller, org, e).await?;
        }
        _ => {
            // The event is gone: only administrators and the system may still read it.
            caller.may(org, Capability::ReadAudit)?;
        }
    }
    Ok(m)
}

// ---------------------------------------------------------------------------
// Agendas
// ---------------------------------------------------------------------------

/// One occurrence as a reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaItem {
    pub event: EventId,
    pub calendar: CalendarId,
    pub recurrence_id: Option<RecurrenceId>,
    pub start: EventTime,
    pub end: EventTime,
    pub start_at: Timestamp,
    pub end_at: Timestamp,
    pub all_day: bool,
    /// `full`, or `busy_only` (a private event of someone else: only that the time is taken).
    pub busy_only: bool,
    pub summary: String,
    pub location: Option<String>,
    pub category: Category,
    pub status: EventStatus,
    pub transparency: Transparency,
    pub priority: Priority,
    pub visibility: Visibility,
    pub organiser: Option<String>,
    pub attendees: Vec<Attendee>,
    pub room: Option<ResourceId>,
    pub recurring: bool,
    pub moved: bool,
    pub hold: bool,
    pub can_edit: bool,
}

/// Whose agenda to read.
#[derive(Debug, Clone, Copy)]
pub enum AgendaOf {
    Person(PersonId),
    Room(ResourceId),
}

/// A window from `from`/`to` (dates read as local midnights in `z`); by default
/// today and the `days` after it.
pub fn window(from: Option<&str>, to: Option<&str>, z: &Zone, days: i64) -> ApiResult<TimeRange> {
    let start = match from {
        Some(f) => event_time("from", f, z, false)?.instant(z),
        None => z.start_of_day(z.local(Timestamp::now()).date()),
    };
    let end = match to {
        Some(t) => event_time("to", t, z, false)?.instant(z),
        None => {
            let d = z.local(start).date();
            let next = d
                .checked_add(jiff::Span::new().days(days))
                .map_err(|_| ValidationError::field("from", "is out of range"))?;
            z.start_of_day(next)
        }
    };
    if end <= start {
        return Err(ValidationError::field("to", "must be after `from`").into());
    }
    Ok(TimeRange { start, end })
}

/// The longest window one agenda read may span.
pub const MAX_AGENDA_DAYS: i64 = 400;

/// Occurrences in `window` for a person or a room, each shown as much as the
/// caller may see it (private ones of others as "Busy"; confidential ones left
/// out), cancelled ones left out.
pub async fn agenda(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    of: AgendaOf,
    window: TimeRange,
) -> ApiResult<Vec<AgendaItem>> {
    if window.duration() > SignedDuration::from_hours(24 * MAX_AGENDA_DAYS) {
        return Err(ValidationError::field(
            "to",
            format!("a window may span at most {MAX_AGENDA_DAYS} days"),
        )
        .into());
    }
    let scope = match of {
        AgendaOf::Person(p) => {
            let person = person_in(state, org, p, "person").await?;
            if caller.person() != Some(p) {
                match caller {
                    Caller::Person(a) if a.person.role == Role::Contractor => {}
                    _ => caller.may(org, Capability::ViewDirectory)?,
                }
            }
            let _ = person;
            EventScope::Person(p)
        }
        AgendaOf::Room(r) => {
            get_resource(state, caller, org, r).await?;
            EventScope::Resource(r)
        }
    };
    let events = state.store.events_in_range(org, &scope, window).await?;
    let mut calendars: std::collections::HashMap<CalendarId, Calendar> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for e in events {
        if let std::collections::hash_map::Entry::Vacant(slot) = calendars.entry(e.calendar) {
            slot.insert(state.store.calendar_get(org, e.calendar).await?);
        }
        let Some(cal) = calendars.get(&e.calendar) else {
            continue;
        };
        let cal_zone = Zone::or_utc(&cal.time_zone);
        let owner = owner_of(cal);
        let Ok(view) = access(caller, org, owner, &e.data, Access::Read) else {
            continue;
        };
        let can_edit = access(caller, org, owner, &e.data, Access::Write).is_ok();
        let occ = series::occurrences(&e.data, &e.overrides, &cal_zone, window, &Limits::default()).map_err(
            |x| {
                tracing::warn!(event = %e.id, error = %x, "an event could not be expanded");
                ApiError::internal()
            },
        )?;
        for o in occ {
            let d = o
                .override_index
                .and_then(|i| e.overrides.get(i))
                .map_or(&e.data, |ov| &ov.data);
            if d.status == EventStatus::Cancelled {
                continue;
            }
            // A confidential override of a visible series stays hidden.
            let view = if std::ptr::eq(d, &e.data) {
                view
            } else {
                match access(caller, org, owner, d, Access::Read) {
                    Ok(v) => v,
                    Err(_) => continue,
                }
            };
            let full = view == View::Full;
            out.push(AgendaItem {
                event: e.id,
                calendar: e.calendar,
                recurrence_id: o.recurrence_id,
                all_day: o.start.is_date(),
                start: o.start,
                end: o.end,
                start_at: o.start_at,
                end_at: o.end_at,
                busy_only: !full,
                summary: if full { d.summary.clone() } else { "Busy".into() },
                location: if full {
                    d.location.as_ref().map(|l| l.text.clone())
                } else {
                    None
                },
                category: if full { d.category } else { Category::Meeting },
                status: d.status,
                transparency: d.transparency,
                priority: d.priority,
                visibility: d.visibility,
                organiser: if full {
                    d.organiser.as_ref().map(|o| o.name.clone())
                } else {
                    None
                },
                attendees: if full { d.attendees.clone() } else { vec![] },
                room: e.room,
                recurring: e.data.is_recurring(),
                moved: o.override_index.is_some(),
                hold: e.meeting_request.is_some() && d.category == Category::Hold,
                can_edit,
            });
        }
    }
    out.sort_by_key(|a| (a.start_at, a.end_at, a.event));
    Ok(out)
}

// ---------------------------------------------------------------------------
// Import, export, feeds
// ---------------------------------------------------------------------------

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub calendar: String,
    pub created: usize,
    pub updated: usize,
    /// What the file held that Adjutant does not keep, with line numbers.
    pub skipped: Vec<SkippedView>,
}

/// Something an import left out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkippedView {
    pub line: usize,
    pub component: String,
    pub reason: String,
}

/// Imports an .ics file into a calendar: all of it or, on any error, none of it.
pub async fn import_ics(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    calendar: Option<&str>,
    person: Option<PersonId>,
    text: &str,
    source: &str,
) -> ApiResult<ImportReport> {
    let cal = target_calendar(state, caller, org, calendar, person).await?;
    if text.len() > ics::MAX_ICS_BYTES {
        return Err(ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the file is {} bytes; at most {} are accepted",
                text.len(),
                ics::MAX_ICS_BYTES
            ),
        ));
    }
    let cal_zone = Zone::or_utc(&cal.time_zone);
    let parsed = ics::parse(text, &cal_zone).map_err(|e| ApiError {
        status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_ics",
        detail: e.to_string(),
        errors: vec![adjutant_core::FieldError {
            field: e.line.map_or("file".into(), |l| format!("line {l}")),
            message: e.message.clone(),
        }],
        retry_after: None,
    })?;
    // Attendees who are people here are linked to them, so the event shows on their calendars.
    let people = state.store.person_list(org).await?;
    let link = |d: &mut EventData| {
        // A file may name person ids (our own exports do): keep only those of this organisation.
        for a in &mut d.attendees {
            if a.person.is_some_and(|id| !people.iter().any(|p| p.id == id)) {
                a.person = None;
            }
        }
        if let Some(o) = &mut d.organiser
            && o.person.is_some_and(|id| !people.iter().any(|p| p.id == id))
        {
            o.person = None;
        }
        for a in &mut d.attendees {
            if a.person.is_none()
                && let Some(p) = people.iter().find(|p| {
                    p.email.is_some()
                        && p.email.as_deref().map(str::to_lowercase)
                            == a.email.as_deref().map(str::to_lowercase)
                })
            {
                a.person = Some(p.id);
            }
        }
        if let Some(o) = &mut d.organiser
            && o.person.is_none()
            && let Some(p) = people.iter().find(|p| {
                p.email.is_some()
                    && p.email.as_deref().map(str::to_lowercase) == o.email.as_deref().map(str::to_lowercase)
            })
        {
            o.person = Some(p.id);
        }
    };
    // Every check passed: now the calendar may be made.
    let cal = materialise(state, caller, org, cal).await?;
    let mut events = Vec::with_capacity(parsed.events.len());
    for ev in parsed.events {
        let mut data = ev.data;
        link(&mut data);
        let mut overrides = ev.overrides;
        for o in &mut overrides {
            link(&mut o.data);
        }
        events.push(NewEvent {
            calendar: cal.id,
            uid: Some(ev.uid),
            data,
            overrides,
            room: None,
            meeting_request: None,
        });
    }
    let outcome = state
        .store
        .events_import(org, cal.id, &events, source, &caller.audit(Timestamp::now()))
        .await?;
    if let Some(owner) = owner_of(&cal) {
        crate::ops::planning::replan_after_change(state, caller, org, &[owner]).await;
    }
    Ok(ImportReport {
        calendar: cal.id.to_string(),
        created: outcome.created,
        updated: outcome.updated,
        skipped: parsed
            .skipped
            .into_iter()
            .map(|s| SkippedView {
                line: s.line,
                component: s.component,
                reason: s.reason,
            })
            .collect(),
    })
}

/// The far past and future an export without a range covers.
fn everything() -> TimeRange {
    TimeRange {
        start: Timestamp::MIN,
        end: Timestamp::MAX,
    }
}

/// A calendar as an .ics file (optionally only events with occurrences in `range`).
pub async fn export_ics(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    calendar: CalendarId,
    range: Option<TimeRange>,
) -> ApiResult<String> {
    let cal = hide(state.store.calendar_get(org, calendar).await, "calendar")?;
    may_read_calendar_fully(caller, org, &cal)?;
    let events = state
        .store
        .events_in_range(
            org,
            &EventScope::Calendars(vec![cal.id]),
            range.unwrap_or_else(everything),
        )
        .await?;
    let list: Vec<ics::ExportEvent<'_>> = events
        .iter()
        .map(|e| ics::ExportEvent {
            uid: &e.uid,
            data: &e.data,
            overrides: &e.overrides,
            sequence: e.sequence,
            created: e.created_at,
            modified: e.updated_at,
        })
        .collect();
    Ok(ics::write(&cal.name, &list, Timestamp::now()))
}

/// A new feed and the secret of its link (shown once).
pub async fn create_feed(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    calendar: CalendarId,
    name: &str,
) -> ApiResult<(Feed, String)> {
    let cal = hide(state.store.calendar_get(org, calendar).await, "calendar")?;
    may_read_calendar_fully(caller, org, &cal)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ValidationError::field("name", "must be 1 to 100 characters").into());
    }
    let secret = crate::secrets::random_token("feed");
    if secret.is_empty() {
        return Err(ApiError::internal());
    }
    let f = state
        .store
        .feed_create(
            org,
            cal.id,
            name,
            &crate::secrets::token_hash(&secret),
            &caller.audit(Timestamp::now()),
        )
        .await?;
    Ok((f, secret))
}

pub async fn list_feeds(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    calendar: CalendarId,
) -> ApiResult<Vec<Feed>> {
    let cal = hide(state.store.calendar_get(org, calendar).await, "calendar")?;
    may_read_calendar_fully(caller, org, &cal)?;
    Ok(state.store.feed_list(org, cal.id).await?)
}

pub async fn revoke_feed(state: &AppState, caller: &Caller, org: OrgId, id: FeedId) -> ApiResult<Feed> {
    let f = hide(state.store.feed_get(org, id).await, "feed")?;
    let cal = state.store.calendar_get(org, f.calendar).await?;
    may_read_calendar_fully(caller, org, &cal).map_err(|_| ApiError::not_found("feed"))?;
    Ok(state
        .store
        .feed_revoke(org, id, &caller.audit(Timestamp::now()))
        .await?)
}

/// The .ics a feed link serves: from 90 days ago on; private events as "Busy",
/// confidential ones left out (a feed is read by whoever holds the link).
pub async fn feed_ics(state: &AppState, token: &str) -> ApiResult<String> {
    let f = state
        .store
        .feed_by_token(&crate::secrets::token_hash(token))
        .await?
        .ok_or_else(|| ApiError::not_found("feed"))?;
    let cal = state.store.calendar_get(f.org, f.calendar).await?;
    let now = Timestamp::now();
    let window = TimeRange {
        start: now
            .checked_sub(SignedDuration::from_hours(24 * 90))
            .unwrap_or(now),
        end: Timestamp::MAX,
    };
    let events = state
        .store
        .events_in_range(f.org, &EventScope::Calendars(vec![cal.id]), window)
        .await?;
    let shown: Vec<(String, EventData, Vec<Override>, u32, Timestamp, Timestamp)> = events
        .into_iter()
        .filter(|e| e.data.visibility != Visibility::Confidential)
        .map(|e| {
            let redact = |d: &EventData| {
                if d.visibility == Visibility::Private {
                    EventData {
                        summary: "Busy".into(),
                        description: String::new(),
                        location: None,
                        attendees: vec![],
                        organiser: None,
                        ..d.clone()
                    }
                } else {
                    d.clone()
                }
            };
            let overrides = e
                .overrides
                .iter()
                .filter(|o| o.data.visibility != Visibility::Confidential)
                .map(|o| Override {
                    recurrence_id: o.recurrence_id,
                    data: redact(&o.data),
                })
                .collect();
            (
                e.uid,
                redact(&e.data),
                overrides,
                e.sequence,
                e.created_at,
                e.updated_at,
            )
        })
        .collect();
    let list: Vec<ics::ExportEvent<'_>> = shown
        .iter()
        .map(|(uid, data, overrides, seq, c, m)| ics::ExportEvent {
            uid,
            data,
            overrides,
            sequence: *seq,
            created: *c,
            modified: *m,
        })
        .collect();
    Ok(ics::write(&cal.name, &list, now))
}
