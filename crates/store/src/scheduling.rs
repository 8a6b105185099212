//! What scheduling needs beside events: each person's availability rules,
//! travel times between places, meeting requests with their tentative holds,
//! and the iTIP messages (invitations, cancellations) generated for attendees.

use crate::audit::{self, AuditCtx};
use crate::calendar::{EventRecord, NewEvent, bump_agendas, touch_event};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::calendar::availability::Availability;
use adjutant_core::calendar::{Category, EventData, EventStatus};
use adjutant_core::ids::{CalendarId, EventId, ItipMessageId, MeetingRequestId, OrgId, PersonId, ResourceId};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// Travel times between places, minutes each way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TravelTable {
    /// Used for any pair not listed.
    pub default_minutes: u32,
    /// (from, to, minutes); a pair counts both ways.
    pub pairs: Vec<(String, String, u32)>,
}

/// The default travel time when none is configured.
pub const DEFAULT_TRAVEL_MINUTES: u32 = 30;

/// The state of a meeting request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Holds are placed; nothing is decided.
    Open,
    /// One hold became the event; the rest were released.
    Confirmed,
    /// Every hold was released.
    Released,
}

impl RequestStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Confirmed => "confirmed",
            RequestStatus::Released => "released",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "open" => Ok(RequestStatus::Open),
            "confirmed" => Ok(RequestStatus::Confirmed),
            "released" => Ok(RequestStatus::Released),
            other => Err(StoreError::Corrupt(format!("unknown request status `{other}`"))),
        }
    }
}

/// A meeting request: a template event, proposed times held on everyone's calendars.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeetingRequest {
    pub id: MeetingRequestId,
    pub org: OrgId,
    pub calendar: CalendarId,
    pub organiser: PersonId,
    pub title: String,
    /// What the event will be (summary, attendees, location…); its times are the first proposal's.
    pub template: EventData,
    pub room: Option<ResourceId>,
    pub status: RequestStatus,
    pub confirmed_event: Option<EventId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An iTIP message to store for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItip {
    pub event_uid: String,
    pub event: Option<EventId>,
    /// `REQUEST` or `CANCEL`.
    pub method: String,
    /// The attendee's e-mail address (or name when they have none).
    pub recipient: String,
    pub summary: String,
    pub ics: String,
}

/// A stored iTIP message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItipMessage {
    pub id: ItipMessageId,
    pub org: OrgId,
    pub event_uid: String,
    pub event: Option<EventId>,
    pub method: String,
    pub recipient: String,
    pub summary: String,
    pub ics: String,
    pub created_at: Timestamp,
}

macro_rules! request_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let room: Option<String> = r.try_get("room_id")?;
        let confirmed: Option<String> = r.try_get("confirmed_event_id")?;
        MeetingRequest {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            calendar: parse_id(&r.try_get::<String, _>("calendar_id")?)?,
            organiser: parse_id(&r.try_get::<String, _>("organiser_id")?)?,
            title: r.try_get("title")?,
            template: serde_json::from_str(&data)
                .map_err(|e| StoreError::Corrupt(format!("stored meeting request: {e}")))?,
            room: room.as_deref().map(parse_id).transpose()?,
            status: RequestStatus::parse(&r.try_get::<String, _>("status")?)?,
            confirmed_event: confirmed.as_deref().map(parse_id).transpose()?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! itip_row {
    ($r:expr) => {{
        let r = $r;
        let event: Option<String> = r.try_get("event_id")?;
        ItipMessage {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            event_uid: r.try_get("event_uid")?,
            event: event.as_deref().map(parse_id).transpose()?,
            method: r.try_get("method")?,
            recipient: r.try_get("recipient")?,
            summary: r.try_get("summary")?,
            ics: r.try_get("ics")?,
            created_at: from_micros(r.try_get("created_at")?),
        }
    }};
}

/// Raises the agenda versions of every event of meeting request `$id` (inside a transaction).
macro_rules! touch_request {
    ($c:expr, $org:expr, $id:expr) => {{
        let ids: Vec<String> =
            sqlx::query("SELECT id FROM events WHERE org_id = $1 AND meeting_request_id = $2")
                .bind($org.to_string())
                .bind($id.to_string())
                .fetch_all(&mut *$c)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("id"))
                .collect::<Result<_, _>>()?;
        for e in ids {
            touch_event!($c, $org, e);
        }
    }};
}

/// Writes iTIP messages inside a transaction.
pub(crate) async fn insert_itip(
    tx: &mut crate::engine::Tx,
    org: OrgId,
    messages: &[NewItip],
    now: Timestamp,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        for m in messages {
            sqlx::query(
                "INSERT INTO itip_messages (org_id, id, event_uid, event_id, method, recipient, summary, ics, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(org.to_string())
            .bind(new_uuid().to_string())
            .bind(&m.event_uid)
            .bind(m.event.map(|e| e.to_string()))
            .bind(&m.method)
            .bind(&m.recipient)
            .bind(&m.summary)
            .bind(&m.ics)
            .bind(to_micros(now))
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

impl Store {
    // ---- availability ----

    /// A person's availability rules, if they set any.
    pub async fn availability_get(
        &self,
        org: OrgId,
        person: PersonId,
    ) -> Result<Option<Availability>, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT data FROM availability WHERE org_id = $1 AND person_id = $2")
                .bind(org.to_string())
                .bind(person.to_string())
                .fetch_optional(c)
                .await?;
            match row {
                Some(r) => {
                    let data: String = r.try_get("data")?;
                    serde_json::from_str(&data)
                        .map(Some)
                        .map_err(|e| StoreError::Corrupt(format!("stored availability: {e}")))
                }
                None => Ok(None),
            }
        })
    }

    /// The availability rules of several people (those who set none are absent).
    pub async fn availability_for(
        &self,
        org: OrgId,
        people: &[PersonId],
    ) -> Result<std::collections::HashMap<PersonId, Availability>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for chunk in people.chunks(500) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT person_id, data FROM availability WHERE org_id = $1 AND person_id IN ({list})"
            );
            let rows: Vec<(String, String)> = on_pool!(&self.pool, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string());
                for p in chunk {
                    q = q.bind(p.to_string());
                }
                q.fetch_all(c)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get("person_id")?, r.try_get("data")?)))
                    .collect::<Result<Vec<_>, StoreError>>()?
            });
            for (p, data) in rows {
                let rules: Availability = serde_json::from_str(&data)
                    .map_err(|e| StoreError::Corrupt(format!("stored availability: {e}")))?;
                out.insert(parse_id(&p)?, rules);
            }
        }
        Ok(out)
    }

    /// Sets a person's availability rules (replacing any).
    pub async fn availability_set(
        &self,
        org: OrgId,
        person: PersonId,
        rules: &Availability,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        self.person_get(org, person).await?;
        let data = serde_json::to_string(rules).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM availability WHERE org_id = $1 AND person_id = $2")
                .bind(org.to_string())
                .bind(person.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO availability (org_id, person_id, data, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(org.to_string())
            .bind(person.to_string())
            .bind(&data)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            bump_agendas!(c, org, vec![person.to_string()]);
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "availability.set",
            "person",
            Some(person.to_string()),
            serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- travel times ----

    /// The organisation's travel times.
    pub async fn travel_table(&self, org: OrgId) -> Result<TravelTable, StoreError> {
        on_pool!(&self.pool, |c| {
            let default =
                sqlx::query("SELECT default_travel_minutes FROM calendar_settings WHERE org_id = $1")
                    .bind(org.to_string())
                    .fetch_optional(c)
                    .await?
                    .map(|r| r.try_get::<i64, _>("default_travel_minutes"))
                    .transpose()?
                    .map_or(DEFAULT_TRAVEL_MINUTES, |m| {
                        u32::try_from(m).unwrap_or(DEFAULT_TRAVEL_MINUTES)
                    });
            let rows = sqlx::query(
                "SELECT from_location, to_location, minutes FROM travel_times WHERE org_id = $1
                 ORDER BY from_location, to_location",
            )
            .bind(org.to_string())
            .fetch_all(c)
            .await?;
            let mut pairs = Vec::with_capacity(rows.len());
            for r in &rows {
                let m: i64 = r.try_get("minutes")?;
                pairs.push((
                    r.try_get("from_location")?,
                    r.try_get("to_location")?,
                    u32::try_from(m).unwrap_or(0),
                ));
            }
            Ok(TravelTable {
                default_minutes: default,
                pairs,
            })
        })
    }

    /// Sets the travel time between two places (both ways); `None` removes the pair.
    pub async fn travel_time_set(
        &self,
        org: OrgId,
        from: &str,
        to: &str,
        minutes: Option<u32>,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        // One row per unordered pair, stored in sorted order.
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "DELETE FROM travel_times WHERE org_id = $1 AND from_location = $2 AND to_location = $3",
            )
            .bind(org.to_string())
            .bind(a)
            .bind(b)
            .execute(&mut *c)
            .await?;
            if let Some(m) = minutes {
                sqlx::query(
                    "INSERT INTO travel_times (org_id, from_location, to_location, minutes) VALUES ($1, $2, $3, $4)",
                )
                .bind(org.to_string())
                .bind(a)
                .bind(b)
                .bind(i64::from(m))
                .execute(&mut *c)
                .await?;
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "travel_time.set",
            "travel_time",
            Some(format!("{a} ↔ {b}")),
            serde_json::json!({"from": a, "to": b, "minutes": minutes}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the travel time used between places with no configured pair.
    pub async fn travel_default_set(
        &self,
        org: OrgId,
        minutes: u32,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM calendar_settings WHERE org_id = $1")
                .bind(org.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query("INSERT INTO calendar_settings (org_id, default_travel_minutes) VALUES ($1, $2)")
                .bind(org.to_string())
                .bind(i64::from(minutes))
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "travel_time.default",
            "organisation",
            Some(org.to_string()),
            serde_json::json!({"minutes": minutes}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- meeting requests and holds ----

    /// Creates a meeting request and one tentative hold per proposed time, in
    /// one transaction (every hold on the room is checked: all are placed or none).
    #[allow(clippy::too_many_arguments)]
    pub async fn meeting_request_create(
        &self,
        org: OrgId,
        organiser: PersonId,
        calendar: CalendarId,
        template: &EventData,
        room: Option<ResourceId>,
        holds: &[EventData],
        ctx: &AuditCtx,
    ) -> Result<(MeetingRequest, Vec<EventRecord>), StoreError> {
        self.person_get(org, organiser).await?;
        let id = MeetingRequestId(new_uuid());
        let data = serde_json::to_string(template).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin().await?;
        // A nil calendar means the organiser's default, made in this transaction when missing.
        let calendar = if calendar.as_uuid().is_nil() {
            self.default_calendar_in(&mut tx, org, organiser, ctx).await?
        } else {
            self.calendar_get(org, calendar).await?;
            calendar
        };
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO meeting_requests (org_id, id, calendar_id, organiser_id, title, data, room_id, status,
                     confirmed_event_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', NULL, $8, $8)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(calendar.to_string())
            .bind(organiser.to_string())
            .bind(&template.summary)
            .bind(&data)
            .bind(room.map(|r| r.to_string()))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        let mut ids = Vec::with_capacity(holds.len());
        for h in holds {
            let new = NewEvent {
                calendar,
                uid: None,
                data: h.clone(),
                overrides: vec![],
                room,
                meeting_request: Some(id),
            };
            ids.push(self.insert_event_in(&mut tx, org, &new, ctx).await?);
        }
        audit::record(
            &mut tx,
            org,
            ctx,
            "meeting_request.create",
            "meeting_request",
            Some(id.to_string()),
            serde_json::json!({"title": template.summary, "holds": holds.iter().map(|h| &h.start).collect::<Vec<_>>(),
                "room": room, "attendees": template.attendees.len()}),
        )
        .await?;
        tx.commit().await?;
        let mut placed = Vec::with_capacity(ids.len());
        for e in ids {
            placed.push(self.event_get(org, e).await?);
        }
        Ok((self.meeting_request_get(org, id).await?, placed))
    }

    /// The meeting request `id` in `org`.
    pub async fn meeting_request_get(
        &self,
        org: OrgId,
        id: MeetingRequestId,
    ) -> Result<MeetingRequest, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM meeting_requests WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("meeting request"))?;
            Ok(request_row!(&row))
        })
    }

    /// Meeting requests organised for `organiser`, newest first.
    pub async fn meeting_request_list(
        &self,
        org: OrgId,
        organiser: Option<PersonId>,
    ) -> Result<Vec<MeetingRequest>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM meeting_requests WHERE org_id = $1 AND ($2 IS NULL OR organiser_id = $2)
                 ORDER BY created_at DESC, id DESC",
            )
            .bind(org.to_string())
            .bind(organiser.map(|p| p.to_string()))
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(request_row!(r))).collect()
        })
    }

    /// Confirms an open request: the chosen hold becomes the event (`final_data`:
    /// confirmed, its real category), every other hold is released, and the
    /// invitations are stored — all in one transaction.
    pub async fn meeting_request_confirm(
        &self,
        org: OrgId,
        id: MeetingRequestId,
        hold: EventId,
        final_data: &EventData,
        itip: &[NewItip],
        ctx: &AuditCtx,
    ) -> Result<EventRecord, StoreError> {
        let req = self.meeting_request_get(org, id).await?;
        if req.status != RequestStatus::Open {
            return Err(StoreError::Conflict(format!(
                "this meeting request is already {}",
                req.status.as_str()
            )));
        }
        let chosen = self.event_get(org, hold).await?;
        if chosen.meeting_request != Some(id) {
            return Err(StoreError::NotFound("hold"));
        }
        let data = serde_json::to_string(final_data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = to_micros(ctx.now);
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            // Conditional on the status, so two confirmations racing cannot both win.
            let done = sqlx::query(
                "UPDATE meeting_requests SET status = 'confirmed', confirmed_event_id = $3, updated_at = $4
                 WHERE org_id = $1 AND id = $2 AND status = 'open'",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(hold.to_string())
            .bind(now)
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "this meeting request is no longer open".into(),
                ));
            }
            touch_request!(c, org, id);
            sqlx::query("DELETE FROM events WHERE org_id = $1 AND meeting_request_id = $2 AND id <> $3")
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(hold.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "UPDATE events SET data = $3, sequence = sequence + 1, updated_at = $4 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(hold.to_string())
            .bind(&data)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        insert_itip(&mut tx, org, itip, ctx.now).await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            "meeting_request.confirm",
            "meeting_request",
            Some(id.to_string()),
            serde_json::json!({"event": hold, "start": final_data.start, "invitations": itip.len()}),
        )
        .await?;
        tx.commit().await?;
        self.event_get(org, hold).await
    }

    /// Releases every hold of an open request.
    pub async fn meeting_request_release(
        &self,
        org: OrgId,
        id: MeetingRequestId,
        ctx: &AuditCtx,
    ) -> Result<MeetingRequest, StoreError> {
        let req = self.meeting_request_get(org, id).await?;
        if req.status != RequestStatus::Open {
            return Err(StoreError::Conflict(format!(
                "this meeting request is already {}",
                req.status.as_str()
            )));
        }
        let mut tx = self.begin().await?;
        let released = on_tx!(&mut tx, |c| {
            let done = sqlx::query(
                "UPDATE meeting_requests SET status = 'released', updated_at = $3
                 WHERE org_id = $1 AND id = $2 AND status = 'open'",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "this meeting request is no longer open".into(),
                ));
            }
            touch_request!(c, org, id);
            sqlx::query("DELETE FROM events WHERE org_id = $1 AND meeting_request_id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "meeting_request.release",
            "meeting_request",
            Some(id.to_string()),
            serde_json::json!({"title": req.title, "holds_released": released}),
        )
        .await?;
        tx.commit().await?;
        self.meeting_request_get(org, id).await
    }

    // ---- iTIP ----

    /// iTIP messages of an event (by UID), oldest first.
    pub async fn itip_list(&self, org: OrgId, event_uid: &str) -> Result<Vec<ItipMessage>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM itip_messages WHERE org_id = $1 AND event_uid = $2 ORDER BY created_at, id",
            )
            .bind(org.to_string())
            .bind(event_uid)
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(itip_row!(r))).collect()
        })
    }

    /// One iTIP message.
    pub async fn itip_get(&self, org: OrgId, id: ItipMessageId) -> Result<ItipMessage, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM itip_messages WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("iTIP message"))?;
            Ok(itip_row!(&row))
        })
    }
}

/// Marks a hold's data as what it is: tentative, of category `hold`.
pub fn as_hold(mut data: EventData) -> EventData {
    data.category = Category::Hold;
    data.status = EventStatus::Tentative;
    data
}
