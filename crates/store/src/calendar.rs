//! Calendars, resources (rooms) and events.
//!
//! An event is stored once, in the calendar of whoever organises it; its
//! attendees who are people of the organisation are indexed beside it, so a
//! person's agenda is "events in my calendars, plus events I attend", and a
//! room's is "events that book it". Each event row carries the instant its
//! series first starts and last ends (computed by the core from the event
//! itself), which is what range queries filter on.
//!
//! A room is never double-booked: creating or moving an event that books one
//! checks every occurrence of it against the room's other events inside the
//! same write transaction, with the room's row locked on PostgreSQL (SQLite's
//! `BEGIN IMMEDIATE` already serialises writers).

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::scheduling::{NewItip, insert_itip};
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::calendar::booking::{self, Booked};
use adjutant_core::calendar::series::{self, Override};
use adjutant_core::calendar::{EventData, TimeRange, Zone};
use adjutant_core::ids::{
    CalendarId, EventId, MeetingRequestId, OrgId, PersonId, PlanId, ResourceId, SiteId, TaskId,
};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

/// Whose a calendar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum CalendarOwner {
    Person(PersonId),
    Resource(ResourceId),
}

/// A calendar of a person or a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calendar {
    pub id: CalendarId,
    pub org: OrgId,
    pub owner: CalendarOwner,
    pub name: String,
    pub time_zone: String,
    /// A person's main calendar: where new events and invitations go.
    pub is_default: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A bookable resource: a room, a desk or a piece of equipment, each with its own calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub id: ResourceId,
    pub org: OrgId,
    /// `room`, `desk` or `equipment` (see `office::space::SpaceKind`).
    pub kind: String,
    pub name: String,
    pub capacity: u32,
    pub equipment: Vec<String>,
    /// Where it is (site, floor): also the place travel times are configured for.
    pub location: String,
    pub time_zone: String,
    pub bookable: bool,
    /// The site it is on, if placed.
    pub site: Option<SiteId>,
    /// The floor of the site (one of the site's floors), or empty.
    pub floor: String,
    /// An assigned desk's holder: only they book it.
    pub assigned_to: Option<PersonId>,
    /// The resource's own calendar (for blocks such as maintenance).
    pub calendar: CalendarId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Fields of a new resource, or all fields of a changed one.
#[derive(Debug, Clone, Default)]
pub struct ResourceInput {
    /// `room`, `desk` or `equipment` (see `office::space::SpaceKind`).
    pub kind: String,
    pub name: String,
    pub capacity: u32,
    pub equipment: Vec<String>,
    pub location: String,
    pub time_zone: String,
    pub bookable: bool,
    pub site: Option<SiteId>,
    pub floor: String,
    pub assigned_to: Option<PersonId>,
}

/// A stored event with its overridden occurrences.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct EventRecord {
    pub id: EventId,
    pub org: OrgId,
    pub calendar: CalendarId,
    /// The iCalendar UID, unique within the calendar.
    pub uid: String,
    pub data: EventData,
    pub overrides: Vec<Override>,
    pub room: Option<ResourceId>,
    /// Set on the tentative holds of a meeting request.
    pub meeting_request: Option<MeetingRequestId>,
    /// The iCalendar SEQUENCE: raised by every change that matters to attendees.
    pub sequence: u32,
    /// Set on the task blocks a plan placed.
    pub plan: Option<PlanId>,
    /// The task a plan block is for.
    pub task: Option<TaskId>,
    pub starts_at: Timestamp,
    /// When the last occurrence ends; `None` when the event repeats forever.
    pub ends_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An event to store.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub calendar: CalendarId,
    /// Kept when given (imports); otherwise a new one is made.
    pub uid: Option<String>,
    pub data: EventData,
    pub overrides: Vec<Override>,
    pub room: Option<ResourceId>,
    pub meeting_request: Option<MeetingRequestId>,
}

/// Whose events a range query reads.
#[derive(Debug, Clone)]
pub enum EventScope {
    /// Events in these calendars only.
    Calendars(Vec<CalendarId>),
    /// A person's agenda: events in their calendars and events they attend (not declined).
    Person(PersonId),
    /// Events booking this resource, and blocks in its own calendar.
    Resource(ResourceId),
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
}

fn corrupt(what: &str) -> impl FnOnce(serde_json::Error) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}

pub(crate) fn json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

/// The index columns of an event: when its series starts and ends.
/// The stored end of a series that never ends: the largest instant, so range
/// queries compare plain numbers and can use an index (no NULL to test).
pub(crate) const OPEN_END: i64 = i64::MAX;

/// When an event's series starts and ends, as stored (`OPEN_END` when it never ends).
pub(crate) fn span_of(
    data: &EventData,
    overrides: &[Override],
    zone: &Zone,
) -> Result<(i64, i64), StoreError> {
    let (s, e) = series::bounds(data, overrides, zone)
        .map_err(|e| StoreError::Conflict(format!("the event's recurrence cannot be stored: {e}")))?;
    Ok((to_micros(s), e.map_or(OPEN_END, to_micros)))
}

macro_rules! calendar_row {
    ($r:expr) => {{
        let r = $r;
        let person: Option<String> = r.try_get("owner_person_id")?;
        let resource: Option<String> = r.try_get("resource_id")?;
        let owner = match (person, resource) {
            (Some(p), _) => CalendarOwner::Person(parse_id(&p)?),
            (None, Some(x)) => CalendarOwner::Resource(parse_id(&x)?),
            (None, None) => return Err(StoreError::Corrupt("a calendar without an owner".into())),
        };
        Calendar {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            owner,
            name: r.try_get("name")?,
            time_zone: r.try_get("time_zone")?,
            is_default: r.try_get("is_default")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! resource_row {
    ($r:expr) => {{
        let r = $r;
        let equipment: String = r.try_get("equipment")?;
        let capacity: i64 = r.try_get("capacity")?;
        Resource {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            kind: r.try_get("kind")?,
            name: r.try_get("name")?,
            capacity: u32::try_from(capacity).unwrap_or(0),
            equipment: serde_json::from_str(&equipment).map_err(corrupt("equipment"))?,
            location: r.try_get("location")?,
            time_zone: r.try_get("time_zone")?,
            bookable: r.try_get("bookable")?,
            site: r
                .try_get::<Option<String>, _>("site_id")?
                .as_deref()
                .map(parse_id)
                .transpose()?,
            floor: r.try_get("floor")?,
            assigned_to: r
                .try_get::<Option<String>, _>("assigned_to")?
                .as_deref()
                .map(parse_id)
                .transpose()?,
            calendar: parse_id(&r.try_get::<String, _>("calendar_id")?)?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! event_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let overrides: String = r.try_get("overrides")?;
        let room: Option<String> = r.try_get("room_id")?;
        let request: Option<String> = r.try_get("meeting_request_id")?;
        let sequence: i64 = r.try_get("sequence")?;
        let ends: i64 = r.try_get("ends_at")?;
        let plan: Option<String> = r.try_get("plan_id")?;
        let task: Option<String> = r.try_get("task_id")?;
        EventRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            calendar: parse_id(&r.try_get::<String, _>("calendar_id")?)?,
            uid: r.try_get("uid")?,
            data: serde_json::from_str(&data).map_err(corrupt("event"))?,
            overrides: serde_json::from_str(&overrides).map_err(corrupt("overrides"))?,
            room: room.as_deref().map(parse_id).transpose()?,
            meeting_request: request.as_deref().map(parse_id).transpose()?,
            sequence: u32::try_from(sequence).unwrap_or(0),
            plan: plan.as_deref().map(parse_id).transpose()?,
            task: task.as_deref().map(parse_id).transpose()?,
            starts_at: from_micros(r.try_get("starts_at")?),
            ends_at: (ends != OPEN_END).then(|| from_micros(ends)),
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

/// Indexes an event's attendees who are people of `org` (inside a transaction);
/// a person of another organisation is refused, whatever the foreign key allows.
macro_rules! insert_attendees {
    ($c:expr, $org:expr, $id:expr, $data:expr, $span:expr) => {
        let (starts, ends): (i64, i64) = $span;
        for (person, rsvp) in attendee_rows($data) {
            let done = sqlx::query(
                "INSERT INTO event_attendees (org_id, event_id, person_id, rsvp, starts_at, ends_at)
                 SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM persons WHERE org_id = $1 AND id = $3)",
            )
            .bind($org.to_string())
            .bind($id)
            .bind(&person)
            .bind(rsvp)
            .bind(starts)
            .bind(ends)
            .execute(&mut *$c)
            .await
            .map_err(StoreError::on_constraint("an attendee is not a person of this organisation"))?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!(
                    "attendee {person} is not a person of this organisation"
                )));
            }
        }
    };
}

/// Raises the version of each agenda in `$keys` inside a transaction.
macro_rules! bump_agendas {
    ($c:expr, $org:expr, $keys:expr) => {{
        let mut keys: Vec<String> = $keys;
        keys.sort();
        keys.dedup();
        for k in &keys {
            sqlx::query(
                "INSERT INTO agenda_versions (org_id, agenda_key, version) VALUES ($1, $2, 1)
                 ON CONFLICT (org_id, agenda_key) DO UPDATE SET version = agenda_versions.version + 1",
            )
            .bind($org.to_string())
            .bind(k)
            .execute(&mut *$c)
            .await?;
        }
    }};
}

/// Raises the version of every agenda event `$id` is on — its calendar's owner
/// (a person or a resource), the room it books, the people it lists — inside a
/// transaction, so caches of expanded busy time know to reload them.
macro_rules! touch_event {
    ($c:expr, $org:expr, $id:expr) => {{
        let id: String = $id;
        let mut keys: Vec<String> = Vec::new();
        if let Some(r) = sqlx::query(
            "SELECT c.owner_person_id, c.resource_id, e.room_id FROM events e JOIN calendars c ON c.id = e.calendar_id
              WHERE e.org_id = $1 AND e.id = $2",
        )
        .bind($org.to_string())
        .bind(&id)
        .fetch_optional(&mut *$c)
        .await?
        {
            for col in ["owner_person_id", "resource_id", "room_id"] {
                if let Some(k) = r.try_get::<Option<String>, _>(col)? {
                    keys.push(k);
                }
            }
        }
        for r in sqlx::query("SELECT person_id FROM event_attendees WHERE event_id = $1")
            .bind(&id)
            .fetch_all(&mut *$c)
            .await?
        {
            keys.push(r.try_get("person_id")?);
        }
        bump_agendas!($c, $org, keys);
    }};
}

/// Reads an event from a row of either engine (for queries outside this module).
pub(crate) trait EventRow {
    fn event(&self) -> Result<EventRecord, StoreError>;
}

impl EventRow for sqlx::sqlite::SqliteRow {
    fn event(&self) -> Result<EventRecord, StoreError> {
        Ok(event_row!(self))
    }
}

impl EventRow for sqlx::postgres::PgRow {
    fn event(&self) -> Result<EventRecord, StoreError> {
        Ok(event_row!(self))
    }
}

/// The event a `SELECT * FROM events` row holds.
pub(crate) fn event_from_row<R: EventRow>(r: &R) -> Result<EventRecord, StoreError> {
    r.event()
}

pub(crate) use bump_agendas;
pub(crate) use touch_event;

const RESOURCE_SELECT: &str =
    "SELECT r.*, c.id AS calendar_id FROM resources r JOIN calendars c ON c.resource_id = r.id";

/// Internal attendees as index rows: (person, rsvp).
fn attendee_rows(data: &EventData) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for a in &data.attendees {
        if let Some(p) = a.person {
            let p = p.to_string();
            if !out.iter().any(|(q, _)| *q == p) {
                out.push((p, a.rsvp.as_str()));
            }
        }
    }
    out
}

impl Store {
    // ---- resources ----

    /// Adds a resource with its own calendar.
    pub async fn resource_create(
        &self,
        org: OrgId,
        input: &ResourceInput,
        ctx: &AuditCtx,
    ) -> Result<Resource, StoreError> {
        let id = ResourceId(new_uuid());
        let calendar = CalendarId(new_uuid());
        let now = to_micros(ctx.now);
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO resources (org_id, id, kind, name, capacity, equipment, location, time_zone, bookable,
                     site_id, floor, assigned_to, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $12, $13, $10, $10)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(&input.kind)
            .bind(&input.name)
            .bind(i64::from(input.capacity))
            .bind(json(&input.equipment)?)
            .bind(&input.location)
            .bind(&input.time_zone)
            .bind(input.bookable)
            .bind(now)
            .bind(input.site.map(|s| s.to_string()))
            .bind(&input.floor)
            .bind(input.assigned_to.map(|p| p.to_string()))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("a resource with that name already exists"))?;
            sqlx::query(
                "INSERT INTO calendars (org_id, id, owner_person_id, resource_id, name, time_zone, is_default, created_at, updated_at)
                 VALUES ($1, $2, NULL, $3, $4, $5, FALSE, $6, $6)",
            )
            .bind(org.to_string())
            .bind(calendar.to_string())
            .bind(id.to_string())
            .bind(&input.name)
            .bind(&input.time_zone)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "resource.create",
            "resource",
            Some(id.to_string()),
            serde_json::json!({"kind": input.kind, "name": input.name, "capacity": input.capacity,
                "equipment": input.equipment, "location": input.location, "site": input.site,
                "floor": input.floor, "assigned_to": input.assigned_to}),
        )
        .await?;
        tx.commit().await?;
        self.resource_get(org, id).await
    }

    /// Changes every field of a resource.
    pub async fn resource_update(
        &self,
        org: OrgId,
        id: ResourceId,
        input: &ResourceInput,
        ctx: &AuditCtx,
    ) -> Result<Resource, StoreError> {
        let before = self.resource_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE resources SET kind = $3, name = $4, capacity = $5, equipment = $6, location = $7,
                     time_zone = $8, bookable = $9, updated_at = $10, site_id = $11, floor = $12, assigned_to = $13
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(&input.kind)
            .bind(&input.name)
            .bind(i64::from(input.capacity))
            .bind(json(&input.equipment)?)
            .bind(&input.location)
            .bind(&input.time_zone)
            .bind(input.bookable)
            .bind(to_micros(ctx.now))
            .bind(input.site.map(|s| s.to_string()))
            .bind(&input.floor)
            .bind(input.assigned_to.map(|p| p.to_string()))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(
                "a resource with that name already exists",
            ))?;
            sqlx::query("UPDATE calendars SET name = $3, time_zone = $4, updated_at = $5 WHERE org_id = $1 AND resource_id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(&input.name)
                .bind(&input.time_zone)
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "resource.update",
            "resource",
            Some(id.to_string()),
            serde_json::json!({"from": {"kind": before.kind, "name": before.name, "capacity": before.capacity,
                "equipment": before.equipment, "location": before.location, "bookable": before.bookable,
                "site": before.site, "floor": before.floor, "assigned_to": before.assigned_to},
                "to": {"kind": input.kind, "name": input.name, "capacity": input.capacity, "equipment": input.equipment,
                "location": input.location, "bookable": input.bookable, "site": input.site, "floor": input.floor,
                "assigned_to": input.assigned_to}}),
        )
        .await?;
        tx.commit().await?;
        self.resource_get(org, id).await
    }

    /// The resource `id` in `org`.
    pub async fn resource_get(&self, org: OrgId, id: ResourceId) -> Result<Resource, StoreError> {
        let sql = format!("{RESOURCE_SELECT} WHERE r.org_id = $1 AND r.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("resource"))?;
            Ok(resource_row!(&row))
        })
    }

    /// Every resource of `org`, by name.
    pub async fn resource_list(&self, org: OrgId) -> Result<Vec<Resource>, StoreError> {
        let sql = format!("{RESOURCE_SELECT} WHERE r.org_id = $1 ORDER BY r.name, r.id");
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(resource_row!(r))).collect()
        })
    }

    // ---- calendars ----

    /// The calendar `id` in `org`.
    pub async fn calendar_get(&self, org: OrgId, id: CalendarId) -> Result<Calendar, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM calendars WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("calendar"))?;
            Ok(calendar_row!(&row))
        })
    }

    /// A person's calendars, the default first.
    pub async fn calendar_list(&self, org: OrgId, person: PersonId) -> Result<Vec<Calendar>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM calendars WHERE org_id = $1 AND owner_person_id = $2 ORDER BY is_default DESC, name, id",
            )
            .bind(org.to_string())
            .bind(person.to_string())
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(calendar_row!(r))).collect()
        })
    }

    /// A person's default calendar, made (and audited) the first time it is needed.
    pub async fn calendar_ensure_default(
        &self,
        org: OrgId,
        person: PersonId,
        ctx: &AuditCtx,
    ) -> Result<Calendar, StoreError> {
        if let Some(c) = self
            .calendar_list(org, person)
            .await?
            .into_iter()
            .find(|c| c.is_default)
        {
            return Ok(c);
        }
        let p = self.person_get(org, person).await?;
        self.calendar_insert(org, person, &p.name, &p.time_zone, true, ctx)
            .await
            .or_else(|e| match e {
                // Another request made it first: use theirs.
                StoreError::Conflict(_) => Ok(None),
                other => Err(other),
            })?;
        self.calendar_list(org, person)
            .await?
            .into_iter()
            .find(|c| c.is_default)
            .ok_or(StoreError::NotFound("calendar"))
    }

    /// Adds another calendar for a person (e.g. to import a shared one into).
    pub async fn calendar_create(
        &self,
        org: OrgId,
        person: PersonId,
        name: &str,
        time_zone: &str,
        ctx: &AuditCtx,
    ) -> Result<Calendar, StoreError> {
        self.person_get(org, person).await?;
        let has_default = self
            .calendar_list(org, person)
            .await?
            .iter()
            .any(|c| c.is_default);
        let id = self
            .calendar_insert(org, person, name, time_zone, !has_default, ctx)
            .await?
            .ok_or(StoreError::NotFound("calendar"))?;
        self.calendar_get(org, id).await
    }

    async fn calendar_insert(
        &self,
        org: OrgId,
        person: PersonId,
        name: &str,
        time_zone: &str,
        is_default: bool,
        ctx: &AuditCtx,
    ) -> Result<Option<CalendarId>, StoreError> {
        let id = CalendarId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO calendars (org_id, id, owner_person_id, resource_id, name, time_zone, is_default, created_at, updated_at)
                 VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $7)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(person.to_string())
            .bind(name)
            .bind(time_zone)
            .bind(is_default)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("that person already has a default calendar"))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "calendar.create",
            "calendar",
            Some(id.to_string()),
            serde_json::json!({"owner": person, "name": name, "time_zone": time_zone, "default": is_default}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    // ---- events ----

    /// Stores a new event (with the iTIP messages it sends). When it books a
    /// room, every occurrence is checked against the room's other events first;
    /// a clash is a `Conflict` naming it.
    pub async fn event_create(
        &self,
        org: OrgId,
        new: &NewEvent,
        itip: &[NewItip],
        ctx: &AuditCtx,
    ) -> Result<EventRecord, StoreError> {
        let mut tx = self.begin().await?;
        let id = self.insert_event_in(&mut tx, org, new, ctx).await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            "event.create",
            "event",
            Some(id.to_string()),
            serde_json::json!({"calendar": new.calendar, "uid": new.uid, "summary": new.data.summary,
                "start": new.data.start, "end": new.data.end, "room": new.room,
                "recurring": new.data.is_recurring(), "category": new.data.category,
                "invitations": itip.len()}),
        )
        .await?;
        // Messages made before the event had an id now name it.
        let itip: Vec<NewItip> = itip
            .iter()
            .map(|m| NewItip {
                event: m.event.or(Some(id)),
                ..m.clone()
            })
            .collect();
        insert_itip(&mut tx, org, &itip, ctx.now).await?;
        tx.commit().await?;
        self.event_get(org, id).await
    }

    /// Inserts an event inside `tx` (room checked), returning its id.
    pub(crate) async fn insert_event_in(
        &self,
        tx: &mut crate::engine::Tx,
        org: OrgId,
        new: &NewEvent,
        ctx: &AuditCtx,
    ) -> Result<EventId, StoreError> {
        let now = ctx.now;
        let calendar = match new.data.organiser.as_ref().and_then(|o| o.person) {
            Some(p) if new.calendar.as_uuid().is_nil() => self.default_calendar_in(tx, org, p, ctx).await?,
            _ => new.calendar,
        };
        let cal_zone: Option<String> = on_tx!(&mut *tx, |c| {
            sqlx::query("SELECT time_zone FROM calendars WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(calendar.to_string())
                .fetch_optional(&mut *c)
                .await?
                .map(|r| r.try_get::<String, _>("time_zone"))
                .transpose()?
        });
        let zone = Zone::or_utc(&cal_zone.ok_or(StoreError::NotFound("calendar"))?);
        let (starts, ends) = span_of(&new.data, &new.overrides, &zone)?;
        if let Some(room) = new.room {
            self.resource_get(org, room).await?;
            self.room_guard(
                tx,
                org,
                room,
                (None, new.meeting_request),
                (starts, ends),
                &new.data,
                &new.overrides,
                &zone,
            )
            .await?;
        }
        let id = EventId(new_uuid());
        let uid = new
            .uid
            .clone()
            .unwrap_or_else(|| format!("{}@adjutant", new_uuid().simple()));
        let now = to_micros(now);
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO events (org_id, id, calendar_id, uid, data, overrides, starts_at, ends_at, room_id,
                     meeting_request_id, sequence, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(calendar.to_string())
            .bind(&uid)
            .bind(json(&new.data)?)
            .bind(json(&new.overrides)?)
            .bind(starts)
            .bind(ends)
            .bind(new.room.map(|r| r.to_string()))
            .bind(new.meeting_request.map(|r| r.to_string()))
            .bind(now)
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("an event with that UID already exists in this calendar"))?;
            insert_attendees!(c, org, id.to_string(), &new.data, (starts, ends));
            touch_event!(c, org, id.to_string());
        });
        Ok(id)
    }

    /// Puts back, inside `tx`, an event exactly as it was stored (same id, UID,
    /// calendar, data and plan): how undoing a plan restores the blocks it replaced.
    pub(crate) async fn reinsert_event_in(
        &self,
        tx: &mut crate::engine::Tx,
        org: OrgId,
        e: &EventRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let cal = self.calendar_get(org, e.calendar).await?;
        let (starts, ends) = span_of(&e.data, &e.overrides, &Zone::or_utc(&cal.time_zone))?;
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO events (org_id, id, calendar_id, uid, data, overrides, starts_at, ends_at, room_id,
                     meeting_request_id, sequence, created_at, updated_at, plan_id, task_id)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9, $10, $11, $12,
                        (SELECT id FROM tasks WHERE org_id = $1 AND id = $13)",
            )
            .bind(org.to_string())
            .bind(e.id.to_string())
            .bind(e.calendar.to_string())
            .bind(&e.uid)
            .bind(json(&e.data)?)
            .bind(json(&e.overrides)?)
            .bind(starts)
            .bind(ends)
            .bind(i64::from(e.sequence) + 1)
            .bind(to_micros(e.created_at))
            .bind(to_micros(now))
            .bind(e.plan.map(|p| p.to_string()))
            .bind(e.task.map(|t| t.to_string()))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("the block to restore clashes with an event stored since"))?;
            insert_attendees!(c, org, e.id.to_string(), &e.data, (starts, ends));
            touch_event!(c, org, e.id.to_string());
        });
        Ok(())
    }

    /// Inside `tx`: the person's default calendar, made (and audited) when missing,
    /// so a write that fails leaves no calendar behind either.
    pub(crate) async fn default_calendar_in(
        &self,
        tx: &mut crate::engine::Tx,
        org: OrgId,
        person: PersonId,
        ctx: &AuditCtx,
    ) -> Result<CalendarId, StoreError> {
        let id = CalendarId(new_uuid());
        let made: Option<(String, String)> = on_tx!(&mut *tx, |c| {
            let found = sqlx::query(
                "SELECT id FROM calendars WHERE org_id = $1 AND owner_person_id = $2 AND is_default",
            )
            .bind(org.to_string())
            .bind(person.to_string())
            .fetch_optional(&mut *c)
            .await?;
            if let Some(r) = found {
                return parse_id(&r.try_get::<String, _>("id")?);
            }
            let p = sqlx::query("SELECT name, time_zone FROM persons WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(person.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("person"))?;
            let (name, zone): (String, String) = (p.try_get("name")?, p.try_get("time_zone")?);
            sqlx::query(
                "INSERT INTO calendars (org_id, id, owner_person_id, resource_id, name, time_zone, is_default, created_at, updated_at)
                 VALUES ($1, $2, $3, NULL, $4, $5, TRUE, $6, $6)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(person.to_string())
            .bind(&name)
            .bind(&zone)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            Some((name, zone))
        });
        if let Some((name, zone)) = made {
            audit::record(
                tx,
                org,
                ctx,
                "calendar.create",
                "calendar",
                Some(id.to_string()),
                serde_json::json!({"owner": person, "name": name, "time_zone": zone, "default": true}),
            )
            .await?;
        }
        Ok(id)
    }

    /// Replaces an event's data and overrides (a move, an edit, an override of
    /// one occurrence); raises its sequence. The room check applies as on create.
    #[allow(clippy::too_many_arguments)]
    pub async fn event_update(
        &self,
        org: OrgId,
        id: EventId,
        data: &EventData,
        overrides: &[Override],
        room: Option<ResourceId>,
        action: &str,
        itip: &[NewItip],
        ctx: &AuditCtx,
    ) -> Result<EventRecord, StoreError> {
        let before = self.event_get(org, id).await?;
        let cal = self.calendar_get(org, before.calendar).await?;
        let zone = Zone::or_utc(&cal.time_zone);
        let (starts, ends) = span_of(data, overrides, &zone)?;
        if let Some(r) = room {
            self.resource_get(org, r).await?;
        }
        let mut tx = self.begin().await?;
        if let Some(r) = room {
            self.room_guard(
                &mut tx,
                org,
                r,
                (Some(id), before.meeting_request),
                (starts, ends),
                data,
                overrides,
                &zone,
            )
            .await?;
        }
        on_tx!(&mut tx, |c| {
            // The agendas it leaves, and (below) the ones it joins.
            touch_event!(c, org, id.to_string());
            let done = sqlx::query(
                "UPDATE events SET data = $3, overrides = $4, starts_at = $5, ends_at = $6, room_id = $7,
                     sequence = sequence + 1, updated_at = $8
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(json(data)?)
            .bind(json(&overrides)?)
            .bind(starts)
            .bind(ends)
            .bind(room.map(|r| r.to_string()))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("event"));
            }
            sqlx::query("DELETE FROM event_attendees WHERE event_id = $1")
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            insert_attendees!(c, org, id.to_string(), data, (starts, ends));
            touch_event!(c, org, id.to_string());
            // A booking held through this event follows it: new times, new space,
            // or — when the event no longer holds a space — it ends.
            sqlx::query(
                "UPDATE bookings SET starts_at = $3, ends_at = $4, resource_id = COALESCE($5, resource_id),
                     status = CASE WHEN $5 IS NULL OR $7 THEN 'cancelled' ELSE status END,
                     end_note = CASE WHEN $5 IS NULL THEN 'the space was taken off the calendar event'
                                     WHEN $7 THEN 'the calendar event was cancelled' ELSE end_note END,
                     updated_at = $6
                 WHERE org_id = $1 AND event_id = $2 AND status IN ('booked', 'checked_in')",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(starts)
            .bind(ends)
            .bind(room.map(|r| r.to_string()))
            .bind(to_micros(ctx.now))
            .bind(data.status == adjutant_core::calendar::EventStatus::Cancelled)
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            action,
            "event",
            Some(id.to_string()),
            serde_json::json!({"summary": data.summary,
                "from": {"start": before.data.start, "end": before.data.end, "room": before.room, "overrides": before.overrides.len()},
                "to": {"start": data.start, "end": data.end, "room": room, "overrides": overrides.len(), "status": data.status},
                "invitations": itip.len()}),
        )
        .await?;
        insert_itip(&mut tx, org, itip, ctx.now).await?;
        tx.commit().await?;
        self.event_get(org, id).await
    }

    /// Deletes an event (and its attendee index rows).
    pub async fn event_delete(
        &self,
        org: OrgId,
        id: EventId,
        itip: &[NewItip],
        ctx: &AuditCtx,
    ) -> Result<EventRecord, StoreError> {
        let before = self.event_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            touch_event!(c, org, id.to_string());
            sqlx::query(
                "UPDATE bookings SET status = 'cancelled', end_note = 'the calendar event was deleted', updated_at = $3
                 WHERE org_id = $1 AND event_id = $2 AND status IN ('booked', 'checked_in')",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM events WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "event.delete",
            "event",
            Some(id.to_string()),
            serde_json::json!({"summary": before.data.summary, "uid": before.uid, "start": before.data.start,
                "cancellations": itip.len()}),
        )
        .await?;
        insert_itip(&mut tx, org, itip, ctx.now).await?;
        tx.commit().await?;
        Ok(before)
    }

    /// The event `id` in `org`.
    pub async fn event_get(&self, org: OrgId, id: EventId) -> Result<EventRecord, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM events WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("event"))?;
            Ok(event_row!(&row))
        })
    }

    /// The event with iCalendar `uid` in a calendar, if any.
    pub async fn event_by_uid(
        &self,
        org: OrgId,
        calendar: CalendarId,
        uid: &str,
    ) -> Result<Option<EventRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM events WHERE org_id = $1 AND calendar_id = $2 AND uid = $3")
                .bind(org.to_string())
                .bind(calendar.to_string())
                .bind(uid)
                .fetch_optional(c)
                .await?;
            match row {
                Some(r) => Ok(Some(event_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// The holds (and the confirmed event) of a meeting request.
    pub async fn events_of_request(
        &self,
        org: OrgId,
        request: MeetingRequestId,
    ) -> Result<Vec<EventRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM events WHERE org_id = $1 AND meeting_request_id = $2 ORDER BY starts_at, id",
            )
            .bind(org.to_string())
            .bind(request.to_string())
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(event_row!(r))).collect()
        })
    }

    /// Events of `scope` with an occurrence that may fall in `window` (the
    /// caller expands them), ordered by series start.
    pub async fn events_in_range(
        &self,
        org: OrgId,
        scope: &EventScope,
        window: TimeRange,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let range = "e.ends_at > $3 AND e.starts_at < $2";
        let (sql, keys): (String, Vec<String>) = match scope {
            EventScope::Calendars(cals) => {
                if cals.is_empty() {
                    return Ok(vec![]);
                }
                let list = (0..cals.len())
                    .map(|i| format!("${}", i + 4))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    format!(
                        "SELECT e.* FROM events e WHERE e.org_id = $1 AND {range} AND e.calendar_id IN ({list})"
                    ),
                    cals.iter().map(ToString::to_string).collect(),
                )
            }
            EventScope::Person(p) => (
                format!(
                    "SELECT e.* FROM events e JOIN calendars c ON c.id = e.calendar_id
                      WHERE e.org_id = $1 AND {range} AND c.owner_person_id = $4
                     UNION
                     SELECT e.* FROM event_attendees a JOIN events e ON e.id = a.event_id
                      WHERE a.org_id = $1 AND a.person_id = $4 AND a.ends_at > $3 AND a.starts_at < $2
                        AND a.rsvp <> 'declined'"
                ),
                vec![p.to_string()],
            ),
            EventScope::Resource(r) => (
                format!(
                    "SELECT e.* FROM events e WHERE e.org_id = $1 AND {range} AND e.room_id = $4
                     UNION
                     SELECT e.* FROM events e JOIN calendars c ON c.id = e.calendar_id
                      WHERE e.org_id = $1 AND {range} AND c.resource_id = $4"
                ),
                vec![r.to_string()],
            ),
        };
        let sql = format!("SELECT * FROM ({sql}) x ORDER BY starts_at, id");
        on_pool!(&self.pool, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(to_micros(window.end))
                .bind(to_micros(window.start));
            for k in &keys {
                q = q.bind(k.clone());
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(|r| Ok(event_row!(r))).collect()
        })
    }

    /// The agendas of several people at once: for each person, the events of
    /// their calendars and those they attend without declining. One query finds
    /// the (person, event) pairs from the range indexes alone; a second reads
    /// each event once, however many of them attend it.
    pub async fn events_for_people(
        &self,
        org: OrgId,
        people: &[PersonId],
        window: TimeRange,
    ) -> Result<HashMap<PersonId, Vec<EventRecord>>, StoreError> {
        let mut out: HashMap<PersonId, Vec<EventRecord>> = people.iter().map(|p| (*p, Vec::new())).collect();
        if people.is_empty() {
            return Ok(out);
        }
        let list = (0..people.len())
            .map(|i| format!("${}", i + 4))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT c.owner_person_id AS who, e.id AS id FROM calendars c JOIN events e ON e.calendar_id = c.id
              WHERE c.org_id = $1 AND c.owner_person_id IN ({list}) AND e.ends_at > $3 AND e.starts_at < $2
             UNION ALL
             SELECT a.person_id AS who, a.event_id AS id FROM event_attendees a
              WHERE a.org_id = $1 AND a.person_id IN ({list}) AND a.ends_at > $3 AND a.starts_at < $2
                AND a.rsvp <> 'declined'"
        );
        let pairs: Vec<(String, String)> = on_pool!(&self.pool, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(to_micros(window.end))
                .bind(to_micros(window.start));
            for p in people {
                q = q.bind(p.to_string());
            }
            q.fetch_all(c)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("who")?, r.try_get("id")?)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        let mut ids: Vec<&str> = pairs.iter().map(|(_, id)| id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let events: HashMap<String, EventRecord> = self
            .events_by_ids(org, &ids)
            .await?
            .into_iter()
            .map(|e| (e.id.to_string(), e))
            .collect();
        for (who, id) in &pairs {
            let (Ok(who), Some(e)) = (parse_id::<PersonId>(who), events.get(id)) else {
                continue;
            };
            let list = out.entry(who).or_default();
            if !list.iter().any(|x| x.id == e.id) {
                list.push(e.clone());
            }
        }
        for list in out.values_mut() {
            list.sort_by_key(|e| (e.starts_at, e.id));
        }
        Ok(out)
    }

    /// Events of `org` by id, read in batches.
    async fn events_by_ids(&self, org: OrgId, ids: &[&str]) -> Result<Vec<EventRecord>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT * FROM events WHERE org_id = $1 AND id IN ({list})");
            let rows: Vec<EventRecord> = on_pool!(&self.pool, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string());
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(c)
                    .await?
                    .iter()
                    .map(|r| Ok(event_row!(r)))
                    .collect::<Result<Vec<_>, StoreError>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// The current version of each agenda in `keys` (person or resource ids);
    /// 0 for one never changed.
    pub async fn agenda_versions(
        &self,
        org: OrgId,
        keys: &[String],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let mut out: HashMap<String, i64> = keys.iter().map(|k| (k.clone(), 0)).collect();
        for chunk in keys.chunks(500) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT agenda_key, version FROM agenda_versions WHERE org_id = $1 AND agenda_key IN ({list})"
            );
            let rows: Vec<(String, i64)> = on_pool!(&self.pool, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string());
                for k in chunk {
                    q = q.bind(k.clone());
                }
                q.fetch_all(c)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get("agenda_key")?, r.try_get("version")?)))
                    .collect::<Result<Vec<_>, StoreError>>()?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Calendars of `org` by id.
    pub async fn calendars_by_ids(
        &self,
        org: OrgId,
        ids: &[CalendarId],
    ) -> Result<HashMap<CalendarId, Calendar>, StoreError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT * FROM calendars WHERE org_id = $1 AND id IN ({list})");
            let rows: Vec<Calendar> = on_pool!(&self.pool, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string());
                for id in chunk {
                    q = q.bind(id.to_string());
                }
                q.fetch_all(c)
                    .await?
                    .iter()
                    .map(|r| Ok(calendar_row!(r)))
                    .collect::<Result<Vec<_>, StoreError>>()?
            });
            out.extend(rows.into_iter().map(|c| (c.id, c)));
        }
        Ok(out)
    }

    /// Imports events into a calendar in one transaction: all of them or none.
    /// An event whose UID the calendar already holds is replaced (its sequence raised).
    pub async fn events_import(
        &self,
        org: OrgId,
        calendar: CalendarId,
        events: &[NewEvent],
        source: &str,
        ctx: &AuditCtx,
    ) -> Result<ImportOutcome, StoreError> {
        let cal = self.calendar_get(org, calendar).await?;
        let zone = Zone::or_utc(&cal.time_zone);
        let mut spans = Vec::with_capacity(events.len());
        for e in events {
            spans.push(span_of(&e.data, &e.overrides, &zone)?);
        }
        let now = to_micros(ctx.now);
        let mut outcome = ImportOutcome::default();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            for (e, (starts, ends)) in events.iter().zip(&spans) {
                let uid = e
                    .uid
                    .clone()
                    .unwrap_or_else(|| format!("{}@adjutant", new_uuid().simple()));
                let existing =
                    sqlx::query("SELECT id FROM events WHERE org_id = $1 AND calendar_id = $2 AND uid = $3")
                        .bind(org.to_string())
                        .bind(calendar.to_string())
                        .bind(&uid)
                        .fetch_optional(&mut *c)
                        .await?;
                let id = match existing {
                    Some(r) => {
                        let id: String = r.try_get("id")?;
                        touch_event!(c, org, id.clone());
                        sqlx::query(
                            "UPDATE events SET data = $3, overrides = $4, starts_at = $5, ends_at = $6,
                                 sequence = sequence + 1, updated_at = $7 WHERE org_id = $1 AND id = $2",
                        )
                        .bind(org.to_string())
                        .bind(&id)
                        .bind(json(&e.data)?)
                        .bind(json(&e.overrides)?)
                        .bind(*starts)
                        .bind(*ends)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                        sqlx::query("DELETE FROM event_attendees WHERE event_id = $1")
                            .bind(&id)
                            .execute(&mut *c)
                            .await?;
                        outcome.updated += 1;
                        id
                    }
                    None => {
                        let id = new_uuid().to_string();
                        sqlx::query(
                            "INSERT INTO events (org_id, id, calendar_id, uid, data, overrides, starts_at, ends_at, room_id,
                                 meeting_request_id, sequence, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, 0, $9, $9)",
                        )
                        .bind(org.to_string())
                        .bind(&id)
                        .bind(calendar.to_string())
                        .bind(&uid)
                        .bind(json(&e.data)?)
                        .bind(json(&e.overrides)?)
                        .bind(*starts)
                        .bind(*ends)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                        outcome.created += 1;
                        id
                    }
                };
                insert_attendees!(c, org, &id, &e.data, (*starts, *ends));
                touch_event!(c, org, id.clone());
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "event.import",
            "calendar",
            Some(calendar.to_string()),
            serde_json::json!({"source": source, "created": outcome.created, "updated": outcome.updated}),
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Inside `tx`: locks the room and refuses `data` when an occurrence of it
    /// overlaps a busy occurrence of another event holding the room.
    #[allow(clippy::too_many_arguments)]
    async fn room_guard(
        &self,
        tx: &mut crate::engine::Tx,
        org: OrgId,
        room: ResourceId,
        (except, same_request): (Option<EventId>, Option<MeetingRequestId>),
        (starts, ends): (i64, i64),
        data: &EventData,
        overrides: &[Override],
        zone: &Zone,
    ) -> Result<(), StoreError> {
        let except = except.map(|e| e.to_string()).unwrap_or_default();
        // Only events whose span meets this one's (within the check's horizon) can clash.
        let horizon = from_micros(starts)
            .checked_add(booking::HORIZON)
            .map(to_micros)
            .unwrap_or(i64::MAX);
        let until = ends.min(horizon);
        let others: Vec<EventRecord> = on_tx!(tx, |c| {
            if matches!(self.backend(), crate::Backend::Postgres) {
                sqlx::query("SELECT id FROM resources WHERE org_id = $1 AND id = $2 FOR UPDATE")
                    .bind(org.to_string())
                    .bind(room.to_string())
                    .execute(&mut *c)
                    .await?;
            }
            let rows = sqlx::query(
                "SELECT e.* FROM events e LEFT JOIN calendars c ON c.id = e.calendar_id
                  WHERE e.org_id = $1 AND (e.room_id = $2 OR c.resource_id = $2) AND e.id <> $3
                    AND e.ends_at > $5 AND e.starts_at < $4",
            )
            .bind(org.to_string())
            .bind(room.to_string())
            .bind(&except)
            .bind(until)
            .bind(starts)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| Ok(event_row!(r)))
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        // The other holds of the same meeting request are alternatives, not rivals:
        // only one of them will be confirmed.
        let booked: Vec<Booked<'_>> = others
            .iter()
            .filter(|e| same_request.is_none() || e.meeting_request != same_request)
            .map(|e| Booked {
                key: e.uid.as_str(),
                summary: e.data.summary.as_str(),
                data: &e.data,
                overrides: &e.overrides,
            })
            .collect();
        match booking::first_clash(data, overrides, &booked, zone) {
            Ok(None) => Ok(()),
            Ok(Some(clash)) => {
                let res = self.resource_get(org, room).await?;
                let room_zone = Zone::or_utc(&res.time_zone);
                let at = |t: Timestamp| room_zone.local(t).strftime("%a %-d %b %Y %H:%M").to_string();
                let what = if res.kind == "room" {
                    "the room".to_string()
                } else {
                    res.name.clone()
                };
                Err(StoreError::Conflict(format!(
                    "{what} is already booked then: “{}” from {} to {} ({})",
                    clash.summary,
                    at(clash.range.start),
                    at(clash.range.end),
                    room_zone.name()
                )))
            }
            Err(e) => Err(StoreError::Conflict(format!(
                "the booking cannot be checked: {e}"
            ))),
        }
    }
}
