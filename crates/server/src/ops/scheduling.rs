//! Scheduling operations: availability rules, travel times, find-a-time (with
//! "why not" and proposals of what could move), meeting requests with their
//! tentative holds, and group polls that outsiders answer through a link.

use super::calendar::{self as cal_ops, AttendeeInput, EventInput, parse_id, subject};
use crate::app::AppState;
use crate::auth::Caller;
use crate::busy::Whose;
use crate::error::{ApiError, ApiResult};
use adjutant_core::ValidationError;
use adjutant_core::calendar::availability::Availability;
use adjutant_core::calendar::finder::{
    self, BusyBlock, Participant, Reason, Request, RoomCandidate, RoomNeed, Slot, TravelTimes,
};
use adjutant_core::calendar::poll::{self, Answer, OptionTally};
use adjutant_core::calendar::{Category, EventData, EventStatus, EventTime, Priority, TimeRange, Zone};
use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{EventId, MeetingRequestId, OrgId, PersonId, PollId, ResourceId};
use adjutant_core::people::{Email, Role};
use adjutant_core::policy::Visibility;
use adjutant_core::policy::{self, Access, Capability, ItemRef, View};
use adjutant_interop::ics;
use adjutant_store::calendar::EventRecord;
use adjutant_store::polls::{NewParticipant, Poll, PollStatus};
use adjutant_store::scheduling::{MeetingRequest, NewItip, TravelTable, as_hold};
use adjutant_store::{Person, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

// ---------------------------------------------------------------------------
// Availability and travel times
// ---------------------------------------------------------------------------

/// Whether the caller may change `person`'s scheduling rules: themselves, or a delegate acting on their calendar.
fn may_manage_calendar_of(caller: &Caller, org: OrgId, person: PersonId) -> ApiResult<()> {
    match caller {
        Caller::System(_) => Ok(()),
        Caller::Person(a) => {
            if a.actor.org != org {
                return Err(ApiError::forbidden("that belongs to another organisation"));
            }
            if a.person.id == person
                || a.actor
                    .delegation_for(person, Scope::Calendar, Level::Act)
                    .is_some()
            {
                Ok(())
            } else {
                Err(ApiError::forbidden(
                    "only the person or a delegate acting on their calendar may change this",
                ))
            }
        }
    }
}

/// A person's availability rules (their defaults when they set none).
pub async fn get_availability(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: PersonId,
) -> ApiResult<Availability> {
    let p = person_in(state, org, person).await?;
    if caller.person() != Some(person) {
        caller.may(org, Capability::ViewDirectory)?;
    }
    Ok(availability_of(state, org, &p).await?)
}

async fn availability_of(state: &AppState, org: OrgId, p: &Person) -> Result<Availability, StoreError> {
    Ok(match state.store.availability_get(org, p.id).await? {
        Some(a) => a,
        None => Availability::default_for(Zone::or_utc(&p.time_zone)),
    })
}

pub async fn set_availability(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: PersonId,
    rules: &Availability,
) -> ApiResult<Availability> {
    person_in(state, org, person).await?;
    may_manage_calendar_of(caller, org, person)?;
    rules.validate()?;
    state
        .store
        .availability_set(org, person, rules, &caller.audit(Timestamp::now()))
        .await?;
    Ok(rules.clone())
}

async fn person_in(state: &AppState, org: OrgId, id: PersonId) -> ApiResult<Person> {
    state.store.person_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("person"),
        other => other.into(),
    })
}

/// A travel time to set.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelInput {
    /// A place, as rooms' and events' locations name it (e.g. `Amsterdam HQ`).
    pub from: String,
    pub to: String,
    /// Minutes each way (0–1440); absent removes the pair.
    #[serde(default)]
    pub minutes: Option<u32>,
}

pub async fn travel_table(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<TravelTable> {
    caller.may(org, Capability::ViewDirectory)?;
    Ok(state.store.travel_table(org).await?)
}

pub async fn set_travel(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &TravelInput,
) -> ApiResult<TravelTable> {
    caller.may(org, Capability::ManageResources)?;
    let (from, to) = (input.from.trim(), input.to.trim());
    let mut errors = vec![];
    if from.is_empty() || from.chars().count() > 200 {
        errors.extend(ValidationError::field("from", "must be 1 to 200 characters").errors);
    }
    if to.is_empty() || to.chars().count() > 200 {
        errors.extend(ValidationError::field("to", "must be 1 to 200 characters").errors);
    }
    if from == to && !from.is_empty() {
        errors.extend(ValidationError::field("to", "must differ from `from`").errors);
    }
    if let Some(m) = input.minutes
        && m > 24 * 60
    {
        errors.extend(ValidationError::field("minutes", format!("{m} is out of range: 0 to 1440")).errors);
    }
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    state
        .store
        .travel_time_set(org, from, to, input.minutes, &caller.audit(Timestamp::now()))
        .await?;
    Ok(state.store.travel_table(org).await?)
}

pub async fn set_travel_default(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    minutes: u32,
) -> ApiResult<TravelTable> {
    caller.may(org, Capability::ManageResources)?;
    if minutes > 24 * 60 {
        return Err(
            ValidationError::field("minutes", format!("{minutes} is out of range: 0 to 1440")).into(),
        );
    }
    state
        .store
        .travel_default_set(org, minutes, &caller.audit(Timestamp::now()))
        .await?;
    Ok(state.store.travel_table(org).await?)
}

// ---------------------------------------------------------------------------
// Find a time
// ---------------------------------------------------------------------------

/// Someone who should come: a person of the organisation, or an outsider with their busy times.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindAttendee {
    /// A person id or e-mail address (of the organisation, or an outsider's).
    pub who: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub optional: bool,
    /// An outsider's busy times.
    #[serde(default)]
    pub busy: Vec<BusyInput>,
    /// An outsider's calendar or free/busy as iCalendar text.
    #[serde(default)]
    pub ics: Option<String>,
    /// An outsider's calendar feed to fetch (http, https or webcal; public addresses only).
    #[serde(default)]
    pub ics_url: Option<String>,
}

/// A busy period.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusyInput {
    /// An instant, e.g. `2026-12-03T13:00:00Z`.
    pub start: String,
    pub end: String,
}

/// What to find a time for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindTimeInput {
    pub attendees: Vec<FindAttendee>,
    /// 5 to 1,440 minutes.
    pub duration_minutes: u32,
    /// Search from (default: now); a date or date-time in `time_zone`, or an instant.
    #[serde(default)]
    pub from: Option<String>,
    /// Search until (default: two weeks after `from`); at most 92 days after it.
    #[serde(default)]
    pub to: Option<String>,
    /// The zone `from` and `to` are read in (default: the caller's).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Seats needed (default: the number of attendees) — asks for a room.
    #[serde(default)]
    pub room_capacity: Option<u32>,
    /// Equipment the room must have, e.g. `["video"]`.
    #[serde(default)]
    pub room_equipment: Vec<String>,
    /// A particular room (its id).
    #[serde(default)]
    pub room: Option<String>,
    /// Whether a room is needed at all (default: when capacity, equipment or a room is given).
    #[serde(default)]
    pub need_room: Option<bool>,
    /// Where the meeting is, when no room says (travel times are counted to it).
    #[serde(default)]
    pub location: Option<String>,
    /// 1 (critical) to 4 (low); what lower-priority events may be proposed to move for. Default 3.
    #[serde(default)]
    pub priority: Option<u8>,
    /// Candidate starts every this many minutes (5–60, default 15).
    #[serde(default)]
    pub step_minutes: Option<u32>,
    /// How many slots (1–50, default 10).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The ranked slots, and when none fits, what could move to make room.
#[derive(Debug, Clone, Serialize)]
pub struct FindResult {
    pub window: TimeRange,
    pub slots: Vec<Slot>,
    pub proposals: Vec<finder::MoveProposal>,
    /// key → display name of each participant.
    pub names: Vec<(String, String)>,
    /// Room key → name.
    pub rooms: Vec<(String, String)>,
}

/// The window find-a-time searches at most.
pub const MAX_SEARCH_DAYS: i64 = 92;

fn instant(field: &str, s: &str, z: &Zone) -> Result<Timestamp, ValidationError> {
    let t = cal_ops::event_time(field, s, z, false)?;
    Ok(t.instant(z))
}

/// Builds the finder's request from input: loads every internal attendee's
/// availability and busy time (expanded, private titles hidden from those who
/// may not see them), the rooms that fit, and the travel table.
pub async fn build_request(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &FindTimeInput,
) -> ApiResult<Request> {
    if let Caller::Person(a) = caller
        && a.person.role == Role::Contractor
    {
        return Err(ApiError::forbidden(
            "contractors see only what is shared with them",
        ));
    }
    caller.may(org, Capability::ViewDirectory)?;
    let z = match input.time_zone.as_deref() {
        Some(n) => Zone::parse("time_zone", n)?,
        None => match caller {
            Caller::Person(a) => Zone::or_utc(&a.person.time_zone),
            Caller::System(_) => Zone::utc(),
        },
    };
    let now = Timestamp::now();
    let mut errors = Vec::new();
    if !(5..=24 * 60).contains(&input.duration_minutes) {
        errors.extend(
            ValidationError::field(
                "duration_minutes",
                format!("{} is out of range: 5 to 1440", input.duration_minutes),
            )
            .errors,
        );
    }
    if input.attendees.is_empty() {
        errors.extend(ValidationError::field("attendees", "name at least one attendee").errors);
    }
    if input.attendees.len() > 200 {
        errors.extend(ValidationError::field("attendees", "at most 200 attendees").errors);
    }
    let from = match input.from.as_deref() {
        Some(s) => instant("from", s, &z).map_err(|e| errors.extend(e.errors)).ok(),
        None => Some(now),
    };
    let to = match (input.to.as_deref(), from) {
        (Some(s), _) => instant("to", s, &z).map_err(|e| errors.extend(e.errors)).ok(),
        (None, Some(f)) => f.checked_add(SignedDuration::from_hours(24 * 14)).ok(),
        (None, None) => None,
    };
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            errors.extend(ValidationError::field("to", "must be after `from`").errors);
        } else if t.duration_since(f) > SignedDuration::from_hours(24 * MAX_SEARCH_DAYS) {
            errors.extend(
                ValidationError::field("to", format!("search at most {MAX_SEARCH_DAYS} days at once")).errors,
            );
        }
    }
    let step = input.step_minutes.unwrap_or(15);
    if !(5..=60).contains(&step) {
        errors.extend(
            ValidationError::field("step_minutes", format!("{step} is out of range: 5 to 60")).errors,
        );
    }
    let limit = input.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        errors.extend(ValidationError::field("limit", format!("{limit} is out of range: 1 to 50")).errors);
    }
    let priority = match input.priority.map(Priority::new).transpose() {
        Ok(p) => p.unwrap_or(Priority::NORMAL),
        Err(e) => {
            errors.extend(e.errors);
            Priority::NORMAL
        }
    };
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::internal());
    };
    let window = TimeRange { start: from, end: to };
    // Busy time just outside the window still matters (buffers, travel).
    let margin = SignedDuration::from_hours(24);
    let wide = TimeRange {
        start: from.checked_sub(margin).unwrap_or(from),
        end: to.checked_add(margin).unwrap_or(to),
    };

    let people = state.store.person_list(org).await?;
    let mut participants = Vec::new();
    let mut internal: Vec<(usize, Person)> = Vec::new();
    let mut errors = Vec::new();
    for (i, a) in input.attendees.iter().enumerate() {
        let field = format!("attendees[{i}]");
        let who = a.who.trim();
        let found = match who.parse::<PersonId>() {
            Ok(id) => match people.iter().find(|p| p.id == id) {
                Some(p) => Some(p.clone()),
                None => {
                    errors.extend(
                        ValidationError::field(&field, format!("no person `{who}` in this organisation"))
                            .errors,
                    );
                    continue;
                }
            },
            Err(_) => people
                .iter()
                .find(|p| p.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(who)))
                .cloned(),
        };
        match found {
            Some(p) => {
                if internal.iter().any(|(_, q)| q.id == p.id) {
                    continue;
                }
                participants.push(Participant {
                    key: p.id.to_string(),
                    name: p.name.clone(),
                    required: !a.optional,
                    // Filled below, for everyone at once.
                    availability: None,
                    busy: vec![],
                });
                internal.push((participants.len() - 1, p));
            }
            None => {
                let Ok(email) = Email::parse(who) else {
                    errors.extend(
                        ValidationError::field(
                            &field,
                            format!("`{who}` is neither a person of this organisation nor an e-mail address"),
                        )
                        .errors,
                    );
                    continue;
                };
                let mut busy = Vec::new();
                for (j, b) in a.busy.iter().enumerate() {
                    let s = instant(&format!("{field}.busy[{j}].start"), &b.start, &z);
                    let e = instant(&format!("{field}.busy[{j}].end"), &b.end, &z);
                    match (s, e) {
                        (Ok(s), Ok(e)) if e > s => busy.push(outsider_block(TimeRange { start: s, end: e })),
                        (Ok(_), Ok(_)) => errors.extend(
                            ValidationError::field(
                                format!("{field}.busy[{j}].end"),
                                "must be after its start",
                            )
                            .errors,
                        ),
                        (s, e) => {
                            for x in [s.err(), e.err()].into_iter().flatten() {
                                errors.extend(x.errors);
                            }
                        }
                    }
                }
                if let Some(url) = a.ics_url.as_deref().filter(|u| !u.trim().is_empty()) {
                    match crate::fetch::fetch_text(url, state.config.fetch_private_addresses).await {
                        Ok(text) => match ics::busy_from_ics(&text, &z, wide) {
                            Ok(ranges) => busy.extend(ranges.into_iter().map(outsider_block)),
                            Err(e) => errors.extend(
                                ValidationError::field(
                                    format!("{field}.ics_url"),
                                    format!("the calendar there: {e}"),
                                )
                                .errors,
                            ),
                        },
                        Err(e) => errors
                            .extend(ValidationError::field(format!("{field}.ics_url"), e.to_string()).errors),
                    }
                }
                if let Some(text) = &a.ics {
                    match ics::busy_from_ics(text, &z, wide) {
                        Ok(ranges) => busy.extend(ranges.into_iter().map(outsider_block)),
                        Err(e) => errors
                            .extend(ValidationError::field(format!("{field}.ics"), e.to_string()).errors),
                    }
                }
                participants.push(Participant {
                    key: email.as_str().to_string(),
                    name: a
                        .name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| email.as_str().to_string()),
                    required: !a.optional,
                    availability: None,
                    busy,
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }

    // Rooms.
    let wants_room = input
        .need_room
        .unwrap_or(input.room_capacity.is_some() || !input.room_equipment.is_empty() || input.room.is_some());
    let mut rooms = Vec::new();
    let mut room_ids: Vec<ResourceId> = Vec::new();
    let need = wants_room.then(|| RoomNeed {
        capacity: input
            .room_capacity
            .unwrap_or(u32::try_from(participants.len()).unwrap_or(u32::MAX)),
        equipment: input
            .room_equipment
            .iter()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
            .collect(),
    });
    if wants_room {
        let all = state.store.resource_list(org).await?;
        let chosen: Vec<_> = match input.room.as_deref() {
            Some(r) => {
                let id: ResourceId = parse_id("room", "room", r)?;
                let Some(room) = all.into_iter().find(|x| x.id == id) else {
                    return Err(ValidationError::field("room", "no such room in this organisation").into());
                };
                vec![room]
            }
            None => {
                // Rooms where the meeting is: at the location asked for, else in the zone of
                // the first person listed (the one it is for); any room when none is there.
                let bookable: Vec<_> = all
                    .into_iter()
                    .filter(|r| r.bookable && r.kind == "room")
                    .collect();
                let here: Vec<_> = match input.location.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
                    Some(l) => {
                        let l = l.to_lowercase();
                        bookable
                            .iter()
                            .filter(|r| {
                                let rl = r.location.to_lowercase();
                                !rl.is_empty() && (rl.contains(&l) || l.contains(&rl))
                            })
                            .cloned()
                            .collect()
                    }
                    None => match internal.first() {
                        Some((_, p)) => bookable
                            .iter()
                            .filter(|r| r.time_zone == p.time_zone)
                            .cloned()
                            .collect(),
                        None => vec![],
                    },
                };
                if here.is_empty() { bookable } else { here }
            }
        };
        for r in chosen {
            rooms.push(RoomCandidate {
                key: r.id.to_string(),
                name: r.name.clone(),
                capacity: r.capacity,
                equipment: r.equipment.clone(),
                location: (!r.location.is_empty()).then(|| r.location.clone()),
                busy: vec![],
            });
            room_ids.push(r.id);
        }
    }

    // Everyone's availability in one query; everyone's busy time (and the rooms')
    // from the cache, which reloads only the agendas that changed.
    let ids: Vec<PersonId> = internal.iter().map(|(_, p)| p.id).collect();
    let mut rules = state.store.availability_for(org, &ids).await?;
    let whose: Vec<Whose> = ids
        .iter()
        .map(|p| Whose::Person(*p))
        .chain(room_ids.iter().map(|r| Whose::Room(*r)))
        .collect();
    let agendas = state.busy.agendas(&state.store, org, &whose, wide).await?;
    for (idx, p) in &internal {
        if let Some(part) = participants.get_mut(*idx) {
            part.availability = Some(
                rules
                    .remove(&p.id)
                    .unwrap_or_else(|| Availability::default_for(Zone::or_utc(&p.time_zone))),
            );
            if let Some(a) = agendas.get(&Whose::Person(p.id)) {
                part.busy = a.view(caller, org);
            }
        }
    }
    for (room, id) in rooms.iter_mut().zip(&room_ids) {
        if let Some(a) = agendas.get(&Whose::Room(*id)) {
            room.busy = a.view(&Caller::System("rooms".into()), org);
        }
    }
    let travel = state.store.travel_table(org).await?;
    Ok(Request {
        duration: SignedDuration::from_mins(i64::from(input.duration_minutes)),
        window,
        now,
        participants,
        rooms,
        room_need: need,
        location: input.location.clone().filter(|l| !l.trim().is_empty()),
        travel: TravelTimes {
            pairs: travel.pairs,
            default_minutes: travel.default_minutes,
        },
        priority,
        step_minutes: step,
        max_results: limit,
        max_outside_minutes: finder::DEFAULT_MAX_OUTSIDE_MINUTES,
    })
}

fn outsider_block(range: TimeRange) -> BusyBlock {
    BusyBlock {
        range,
        category: Category::Meeting,
        priority: Priority::HIGH,
        tentative: false,
        event: None,
        title: None,
        location: None,
        in_person: false,
    }
}

/// (key, name) pairs.
type Names = Vec<(String, String)>;

fn names_of(req: &Request) -> (Names, Names) {
    (
        req.participants
            .iter()
            .map(|p| (p.key.clone(), p.name.clone()))
            .collect(),
        req.rooms
            .iter()
            .map(|r| (r.key.clone(), r.name.clone()))
            .collect(),
    )
}

/// Ranked slots for the meeting; when none fits, proposals of lower-priority events that could move.
pub async fn find_time(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &FindTimeInput,
) -> ApiResult<FindResult> {
    let req = build_request(state, caller, org, input).await?;
    let slots = finder::find(&req);
    let proposals = if slots.is_empty() {
        finder::propose_moves(&req, 5)
    } else {
        vec![]
    };
    let (names, rooms) = names_of(&req);
    Ok(FindResult {
        window: req.window,
        slots,
        proposals,
        names,
        rooms,
    })
}

/// Every reason the meeting cannot (or should not) start at `start`.
pub async fn why_not(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &FindTimeInput,
    start: &str,
) -> ApiResult<(Timestamp, Vec<Reason>)> {
    let mut req = build_request(state, caller, org, input).await?;
    let z = match input.time_zone.as_deref() {
        Some(n) => Zone::or_utc(n),
        None => match caller {
            Caller::Person(a) => Zone::or_utc(&a.person.time_zone),
            Caller::System(_) => Zone::utc(),
        },
    };
    let at = instant("start", start, &z)?;
    // The question may be about a time outside the search window.
    if !req.window.contains(at) {
        let dur = req.duration;
        req.window = TimeRange {
            start: at.min(req.window.start),
            end: at.checked_add(dur).unwrap_or(at).max(req.window.end),
        };
    }
    Ok((at, finder::why_not(&req, at)))
}

// ---------------------------------------------------------------------------
// Meeting requests and holds
// ---------------------------------------------------------------------------

/// A meeting to propose at several times, holding each on everyone's calendar.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRequestInput {
    /// Whose meeting (person id; default: yourself or whom you act for).
    #[serde(default)]
    pub person: Option<String>,
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    pub duration_minutes: u32,
    /// The proposed starts (1–10), e.g. `2026-12-03T14:00:00Z` or wall-clock times in `time_zone`.
    pub starts: Vec<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    pub attendees: Vec<AttendeeInput>,
    /// A room (id) held at every proposed time.
    #[serde(default)]
    pub room: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub priority: Option<u8>,
}

/// The event `base` would be at each of `starts`, each checked as an event is
/// (errors about a start name it `starts[i]`), in the calendar they go to (a
/// default calendar not made yet has a nil id: the store makes it in the same
/// transaction as the holds or the poll).
async fn proposed(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    base: EventInput,
    starts: &[String],
) -> ApiResult<(
    adjutant_store::calendar::Calendar,
    Vec<EventData>,
    Option<ResourceId>,
)> {
    let mut out = Vec::with_capacity(starts.len());
    let mut target = None;
    for (i, s) in starts.iter().enumerate() {
        let ev = EventInput {
            start: s.clone(),
            ..base.clone()
        };
        let (cal, data, room) = cal_ops::prepare_event(state, caller, org, &ev)
            .await
            .map_err(|mut e| {
                for f in &mut e.errors {
                    if f.field == "start" {
                        f.field = format!("starts[{i}]");
                    }
                }
                e
            })?;
        if data.is_recurring() {
            return Err(ValidationError::field("starts", "propose single times, not a recurrence").into());
        }
        out.push(data);
        target = Some((cal, room.map(|r| r.id)));
    }
    let (cal, room) =
        target.ok_or_else(|| ApiError::from(ValidationError::field("starts", "propose a time")))?;
    Ok((cal, out, room))
}

/// Places a meeting request: its holds are tentative events on the organiser's
/// calendar, listing every attendee (so they show on theirs) and the room.
pub async fn create_meeting_request(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &MeetingRequestInput,
) -> ApiResult<(MeetingRequest, Vec<EventRecord>)> {
    if input.starts.is_empty() || input.starts.len() > 10 {
        return Err(ValidationError::field("starts", "propose 1 to 10 times").into());
    }
    // Each hold is validated as an event would be; the first gives the template.
    let base = EventInput {
        person: input.person.clone(),
        summary: input.summary.clone(),
        description: input.description.clone(),
        duration_minutes: Some(input.duration_minutes),
        time_zone: input.time_zone.clone(),
        location: input.location.clone(),
        attendees: input.attendees.clone(),
        room: input.room.clone(),
        visibility: input.visibility.clone(),
        priority: input.priority,
        category: Some("meeting".into()),
        ..EventInput::default()
    };
    let (cal, times, room) = proposed(state, caller, org, base, &input.starts).await?;
    let template = times.first().cloned().ok_or_else(ApiError::internal)?;
    let holds: Vec<EventData> = times.into_iter().map(as_hold).collect();
    let organiser = template
        .organiser
        .as_ref()
        .and_then(|o| o.person)
        .ok_or_else(|| {
            ApiError::from(ValidationError::field(
                "person",
                "a meeting request needs a person's calendar",
            ))
        })?;
    Ok(state
        .store
        .meeting_request_create(
            org,
            organiser,
            cal.id,
            &template,
            room,
            &holds,
            &caller.audit(Timestamp::now()),
        )
        .await?)
}

/// A meeting request with its holds.
pub async fn get_meeting_request(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingRequestId,
) -> ApiResult<(MeetingRequest, Vec<EventRecord>)> {
    let r = state
        .store
        .meeting_request_get(org, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => ApiError::not_found("meeting request"),
            other => other.into(),
        })?;
    may_see_request(caller, org, &r)?;
    let holds = state.store.events_of_request(org, id).await?;
    Ok((r, holds))
}

fn may_see_request(caller: &Caller, org: OrgId, r: &MeetingRequest) -> ApiResult<()> {
    match caller {
        Caller::System(_) => Ok(()),
        Caller::Person(a) => {
            let ok = a.actor.org == org
                && (a.person.id == r.organiser
                    || a.actor
                        .delegation_for(r.organiser, Scope::Calendar, Level::Read)
                        .is_some()
                    || r.template.attendees.iter().any(|x| x.person == Some(a.person.id)));
            if ok {
                Ok(())
            } else {
                Err(ApiError::not_found("meeting request"))
            }
        }
    }
}

fn may_decide_request(caller: &Caller, org: OrgId, r: &MeetingRequest) -> ApiResult<()> {
    may_see_request(caller, org, r)?;
    may_manage_calendar_of(caller, org, r.organiser)
}

/// Meeting requests the caller organises (or acts for).
pub async fn list_meeting_requests(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
) -> ApiResult<Vec<MeetingRequest>> {
    // Organisers, their delegates and attendees see a request: filter by who may see it.
    let all = state.store.meeting_request_list(org, None).await?;
    Ok(all
        .into_iter()
        .filter(|r| may_see_request(caller, org, r).is_ok())
        .collect())
}

/// Confirms one hold: it becomes the meeting (room booked), the others are released, invitations go out.
pub async fn confirm_meeting_request(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingRequestId,
    hold: EventId,
) -> ApiResult<EventRecord> {
    let (r, holds) = get_meeting_request(state, caller, org, id).await?;
    may_decide_request(caller, org, &r)?;
    let Some(chosen) = holds.iter().find(|h| h.id == hold) else {
        return Err(ValidationError::field("hold", "is not one of this request's holds").into());
    };
    let mut data = chosen.data.clone();
    data.category = r.template.category;
    data.status = EventStatus::Confirmed;
    let now = Timestamp::now();
    let itip = cal_ops::invitations_for(
        ics::ItipMethod::Request,
        &chosen.uid,
        &data,
        Some(chosen.id),
        chosen.sequence + 1,
        now,
    );
    let rec = state
        .store
        .meeting_request_confirm(org, id, hold, &data, &itip, &caller.audit(now))
        .await?;
    let people: Vec<PersonId> = data
        .attendees
        .iter()
        .filter_map(|a| a.person)
        .chain(data.organiser.as_ref().and_then(|o| o.person))
        .collect();
    crate::ops::planning::replan_after_change(state, caller, org, &people).await;
    Ok(rec)
}

/// Releases every hold of a request.
pub async fn release_meeting_request(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingRequestId,
) -> ApiResult<MeetingRequest> {
    let (r, _) = get_meeting_request(state, caller, org, id).await?;
    may_decide_request(caller, org, &r)?;
    Ok(state
        .store
        .meeting_request_release(org, id, &caller.audit(Timestamp::now()))
        .await?)
}

// ---------------------------------------------------------------------------
// Polls
// ---------------------------------------------------------------------------

/// A poll to open.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PollInput {
    /// Whose meeting (person id; default: yourself or whom you act for).
    #[serde(default)]
    pub person: Option<String>,
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    pub duration_minutes: u32,
    /// The proposed starts (2–20).
    pub starts: Vec<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    /// People of the organisation (answer signed in) and outsiders (answer through a link).
    pub attendees: Vec<AttendeeInput>,
    #[serde(default)]
    pub room: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
}

/// A poll with its tally, from the organiser's side.
#[derive(Debug, Clone, Serialize)]
pub struct PollView {
    pub poll: Poll,
    pub tally: Vec<OptionTally>,
}

fn poll_view(p: Poll) -> PollView {
    let idx_p: HashMap<&str, usize> = p
        .participants
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i))
        .collect();
    let idx_o: HashMap<&str, usize> = p
        .options
        .iter()
        .enumerate()
        .map(|(i, x)| (x.id.as_str(), i))
        .collect();
    let answers: Vec<(usize, usize, Answer)> = p
        .answers
        .iter()
        .filter_map(|(pp, o, a)| Some((*idx_p.get(pp.as_str())?, *idx_o.get(o.as_str())?, *a)))
        .collect();
    let ranges: Vec<TimeRange> = p.options.iter().map(|o| o.range).collect();
    let tally = poll::tally(&ranges, p.participants.len(), &answers);
    PollView { poll: p, tally }
}

/// Opens a poll; returns it with each outsider's link secret (shown once).
pub async fn create_poll(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &PollInput,
) -> ApiResult<(PollView, Vec<(String, String)>)> {
    if input.starts.len() < 2 || input.starts.len() > 20 {
        return Err(ValidationError::field("starts", "propose 2 to 20 times").into());
    }
    let base = EventInput {
        person: input.person.clone(),
        summary: input.summary.clone(),
        description: input.description.clone(),
        duration_minutes: Some(input.duration_minutes),
        time_zone: input.time_zone.clone(),
        location: input.location.clone(),
        attendees: input.attendees.clone(),
        room: input.room.clone(),
        ..EventInput::default()
    };
    let (cal, times, room) = proposed(state, caller, org, base, &input.starts).await?;
    let z = Zone::or_utc(&cal.time_zone);
    let options: Vec<TimeRange> = times
        .iter()
        .map(|d| TimeRange {
            start: d.start.instant(&z),
            end: d.end.instant(&z),
        })
        .collect();
    let template = times.into_iter().next().ok_or_else(ApiError::internal)?;
    let organiser = template
        .organiser
        .as_ref()
        .and_then(|o| o.person)
        .ok_or_else(|| {
            ApiError::from(ValidationError::field(
                "person",
                "a poll needs a person's calendar",
            ))
        })?;
    let mut participants = Vec::new();
    let mut links = Vec::new();
    for a in template.attendees.iter().filter(|a| a.person != Some(organiser)) {
        let (token_hash, secret) = if a.person.is_none() {
            let s = crate::secrets::random_token("poll");
            if s.is_empty() {
                return Err(ApiError::internal());
            }
            (Some(crate::secrets::token_hash(&s)), Some(s))
        } else {
            (None, None)
        };
        if let Some(s) = secret {
            links.push((a.name.clone(), s));
        }
        participants.push(NewParticipant {
            name: a.name.clone(),
            email: a.email.clone(),
            person: a.person,
            token_hash,
        });
    }
    if participants.is_empty() {
        return Err(
            ValidationError::field("attendees", "invite at least one person besides the organiser").into(),
        );
    }
    let p = state
        .store
        .poll_create(
            org,
            organiser,
            cal.id,
            &template,
            room,
            &options,
            &participants,
            &caller.audit(Timestamp::now()),
        )
        .await?;
    Ok((poll_view(p), links))
}

fn may_see_poll(caller: &Caller, org: OrgId, p: &Poll) -> ApiResult<()> {
    match caller {
        Caller::System(_) => Ok(()),
        Caller::Person(a) => {
            let ok = a.actor.org == org
                && (a.person.id == p.organiser
                    || a.actor
                        .delegation_for(p.organiser, Scope::Calendar, Level::Read)
                        .is_some()
                    || p.participants.iter().any(|x| x.person == Some(a.person.id)));
            if ok {
                Ok(())
            } else {
                Err(ApiError::not_found("poll"))
            }
        }
    }
}

pub async fn get_poll(state: &AppState, caller: &Caller, org: OrgId, id: PollId) -> ApiResult<PollView> {
    let p = state.store.poll_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("poll"),
        other => other.into(),
    })?;
    may_see_poll(caller, org, &p)?;
    Ok(poll_view(p))
}

pub async fn list_polls(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<Vec<PollView>> {
    let all = state.store.poll_list(org, None).await?;
    Ok(all
        .into_iter()
        .filter(|p| may_see_poll(caller, org, p).is_ok())
        .map(poll_view)
        .collect())
}

/// One answer per option, as a participant gives them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersInput {
    /// option id → yes, if_need_be or no.
    #[serde(default)]
    pub answers: HashMap<String, String>,
}

fn parse_answers(p: &Poll, input: &AnswersInput) -> ApiResult<Vec<(String, Answer)>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (option, a) in &input.answers {
        if !p.options.iter().any(|o| o.id == *option) {
            errors.extend(
                ValidationError::field(format!("answers.{option}"), "is not an option of this poll").errors,
            );
            continue;
        }
        match a.parse::<Answer>() {
            Ok(x) => out.push((option.clone(), x)),
            Err(e) => errors.extend(e.errors.into_iter().map(|f| adjutant_core::FieldError {
                field: format!("answers.{option}"),
                message: f.message,
            })),
        }
    }
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// A signed-in participant answers (themselves, or for the principal they act for).
pub async fn answer_poll(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PollId,
    input: &AnswersInput,
) -> ApiResult<PollView> {
    let view = get_poll(state, caller, org, id).await?;
    let me = subject(caller, None)?;
    let Some(part) = view.poll.participants.iter().find(|x| x.person == Some(me)) else {
        return Err(ApiError::forbidden("you are not asked in this poll"));
    };
    let answers = parse_answers(&view.poll, input)?;
    let p = state
        .store
        .poll_answer(org, id, &part.id, &answers, &caller.audit(Timestamp::now()))
        .await?;
    Ok(poll_view(p))
}

/// An outsider's view of a poll through their link.
pub async fn poll_by_link(state: &AppState, token: &str) -> ApiResult<(PollView, String)> {
    let (p, participant) = state
        .store
        .poll_by_token(&crate::secrets::token_hash(token))
        .await?
        .ok_or_else(|| ApiError::not_found("poll"))?;
    Ok((poll_view(p), participant))
}

/// An outsider answers through their link (no account).
pub async fn answer_by_link(state: &AppState, token: &str, input: &AnswersInput) -> ApiResult<PollView> {
    let (view, participant) = poll_by_link(state, token).await?;
    let answers = parse_answers(&view.poll, input)?;
    let name = view
        .poll
        .participants
        .iter()
        .find(|x| x.id == participant)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let ctx = adjutant_store::AuditCtx::system(&format!("{name} (poll link)"), Timestamp::now());
    let p = state
        .store
        .poll_answer(view.poll.org, view.poll.id, &participant, &answers, &ctx)
        .await?;
    Ok(poll_view(p))
}

/// Books a poll's option (default: the best) through the hold flow: a request
/// with one hold, confirmed at once — the room is booked, invitations go out.
pub async fn book_poll(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PollId,
    option: Option<&str>,
) -> ApiResult<(PollView, EventRecord)> {
    let view = get_poll(state, caller, org, id).await?;
    may_manage_calendar_of(caller, org, view.poll.organiser)?;
    if view.poll.status != PollStatus::Open {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            format!("this poll is already {}", view.poll.status.as_str()),
        ));
    }
    let chosen = match option {
        Some(o) => view.poll.options.iter().find(|x| x.id == o).ok_or_else(|| {
            ApiError::from(ValidationError::field("option", "is not an option of this poll"))
        })?,
        None => view
            .tally
            .first()
            .and_then(|t| view.poll.options.get(t.option))
            .ok_or_else(ApiError::internal)?,
    };
    let cal = state.store.calendar_get(org, view.poll.calendar).await?;
    let z = Zone::or_utc(&cal.time_zone);
    let mut data: EventData = view.poll.template.clone();
    let sz = data.start.zone().cloned().unwrap_or_else(|| z.clone());
    let ez = data.end.zone().cloned().unwrap_or_else(|| z.clone());
    data.start = EventTime::zoned(sz.local(chosen.range.start), &sz);
    data.end = EventTime::zoned(ez.local(chosen.range.end), &ez);
    let room = view.poll.room;
    let now = Timestamp::now();
    let (req, holds) = state
        .store
        .meeting_request_create(
            org,
            view.poll.organiser,
            cal.id,
            &data,
            room,
            &[as_hold(data.clone())],
            &caller.audit(now),
        )
        .await?;
    let hold = holds.first().ok_or_else(ApiError::internal)?;
    let itip: Vec<NewItip> = cal_ops::invitations_for(
        ics::ItipMethod::Request,
        &hold.uid,
        &data,
        Some(hold.id),
        hold.sequence + 1,
        now,
    );
    let event = state
        .store
        .meeting_request_confirm(org, req.id, hold.id, &data, &itip, &caller.audit(now))
        .await?;
    let p = state
        .store
        .poll_close(org, id, Some(req.id), &caller.audit(now))
        .await?;
    Ok((poll_view(p), event))
}

/// Closes a poll without booking.
pub async fn close_poll(state: &AppState, caller: &Caller, org: OrgId, id: PollId) -> ApiResult<PollView> {
    let view = get_poll(state, caller, org, id).await?;
    may_manage_calendar_of(caller, org, view.poll.organiser)?;
    let p = state
        .store
        .poll_close(org, id, None, &caller.audit(Timestamp::now()))
        .await?;
    Ok(poll_view(p))
}

/// Whether the caller sees an event of `owner` of this visibility in full (for the web pages).
pub fn sees_fully(caller: &Caller, org: OrgId, owner: PersonId, visibility: Visibility) -> bool {
    match caller {
        Caller::System(_) => true,
        Caller::Person(a) => policy::item_access(
            &a.actor,
            &ItemRef {
                org,
                owner,
                visibility,
                scope: Scope::Calendar,
                shared_with_actor: false,
            },
            Access::Read,
        )
        .is_ok_and(|v| v == View::Full),
    }
}
