//! Sites and their floors, booking rules per kind of space, and bookings.
//!
//! A booking holds its space through an event with the space as its room
//! (inserted by the calendar's own `insert_event_in`, so the rule that a room
//! is held by one busy event at a time is checked in the same transaction),
//! and keeps beside it who booked, the check-in and how it ended. Status
//! changes are conditional updates (`WHERE status = 'booked'`), so a check-in
//! racing a release, or two cancellations, cannot both win.

use crate::audit::{self, AuditCtx};
use crate::calendar::{NewEvent, bump_agendas, touch_event};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::{from_micros, json, new_uuid, parse_id, to_micros};
use adjutant_core::ValidationError;
use adjutant_core::ids::{BookingId, EventId, OrgId, PersonId, ResourceId, SiteId};
use adjutant_core::office::space::{BookingRule, BookingStatus, SpaceKind};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// A site: an office building with its floors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    pub id: SiteId,
    pub org: OrgId,
    pub name: String,
    pub address: String,
    pub time_zone: String,
    /// Floor names in order, e.g. `["Ground floor", "2nd floor"]`.
    pub floors: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// All fields of a new or changed site.
#[derive(Debug, Clone)]
pub struct SiteInput {
    pub name: String,
    pub address: String,
    pub time_zone: String,
    pub floors: Vec<String>,
}

/// A stored booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingRecord {
    pub id: BookingId,
    pub org: OrgId,
    pub resource: ResourceId,
    pub resource_name: String,
    /// The space's IANA zone: the booking's times are read in it.
    pub time_zone: String,
    pub kind: SpaceKind,
    pub person: PersonId,
    pub person_name: String,
    /// The event holding the space (none once it ended).
    pub event: Option<EventId>,
    pub title: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub status: BookingStatus,
    pub checked_in_at: Option<Timestamp>,
    /// Why it ended early.
    pub end_note: String,
    pub booked_by: Option<PersonId>,
    pub created_at: Timestamp,
}

/// A booking to store, with its event already built by the caller.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub resource: ResourceId,
    pub kind: SpaceKind,
    pub person: PersonId,
    pub title: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The event that holds the space (its `room` is the resource).
    pub event: NewEvent,
    /// The week quota to respect: (limit, week start, week end). Counted inside
    /// the transaction, so two bookings racing for the last slot cannot both pass.
    pub quota: Option<(u32, Timestamp, Timestamp)>,
}

/// Which bookings a list reads.
#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    pub person: Option<PersonId>,
    pub resource: Option<ResourceId>,
    /// Bookings ending after this instant.
    pub from: Option<Timestamp>,
    /// Bookings starting before this instant.
    pub to: Option<Timestamp>,
    /// Only bookings that still hold their space.
    pub open_only: bool,
}

fn corrupt(what: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}

macro_rules! site_row {
    ($r:expr) => {{
        let r = $r;
        let floors: String = r.try_get("floors")?;
        Site {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            name: r.try_get("name")?,
            address: r.try_get("address")?,
            time_zone: r.try_get("time_zone")?,
            floors: serde_json::from_str(&floors).map_err(corrupt("floors"))?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

const BOOKING_SELECT: &str = "SELECT b.*, r.name AS resource_name, r.time_zone, p.name AS person_name
   FROM bookings b JOIN resources r ON r.id = b.resource_id JOIN persons p ON p.id = b.person_id
  WHERE b.org_id = $1";

macro_rules! booking_row {
    ($r:expr) => {{
        let r = $r;
        let kind: String = r.try_get("kind")?;
        let status: String = r.try_get("status")?;
        let event: Option<String> = r.try_get("event_id")?;
        let by: Option<String> = r.try_get("booked_by")?;
        let checked: Option<i64> = r.try_get("checked_in_at")?;
        BookingRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            resource: parse_id(&r.try_get::<String, _>("resource_id")?)?,
            resource_name: r.try_get("resource_name")?,
            time_zone: r.try_get("time_zone")?,
            kind: kind
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("stored space kind `{kind}`")))?,
            person: parse_id(&r.try_get::<String, _>("person_id")?)?,
            person_name: r.try_get("person_name")?,
            event: event.as_deref().map(parse_id).transpose()?,
            title: r.try_get("title")?,
            start: from_micros(r.try_get("starts_at")?),
            end: from_micros(r.try_get("ends_at")?),
            status: status
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("stored booking status `{status}`")))?,
            checked_in_at: checked.map(from_micros),
            end_note: r.try_get("end_note")?,
            booked_by: by.as_deref().map(parse_id).transpose()?,
            created_at: from_micros(r.try_get("created_at")?),
        }
    }};
}

/// Deletes, on connection `$c`, the event that held a booking's space.
macro_rules! drop_event {
    ($c:expr, $org:expr, $event:expr) => {{
        if let Some(e) = $event {
            touch_event!($c, $org, e.to_string());
            sqlx::query("DELETE FROM events WHERE org_id = $1 AND id = $2")
                .bind($org.to_string())
                .bind(e.to_string())
                .execute(&mut *$c)
                .await?;
        }
    }};
}

impl Store {
    // ---- sites ----

    /// Adds a site.
    pub async fn site_create(
        &self,
        org: OrgId,
        input: &SiteInput,
        ctx: &AuditCtx,
    ) -> Result<Site, StoreError> {
        let id = SiteId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO sites (org_id, id, name, name_key, address, time_zone, floors, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(&input.name)
            .bind(input.name.trim().to_lowercase())
            .bind(&input.address)
            .bind(&input.time_zone)
            .bind(json(&input.floors)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("a site with that name already exists"))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "site.create",
            "site",
            Some(id.to_string()),
            serde_json::json!({"name": input.name, "address": input.address, "time_zone": input.time_zone,
                "floors": input.floors}),
        )
        .await?;
        tx.commit().await?;
        self.site_get(org, id).await
    }

    /// Changes every field of a site. A floor that spaces are on cannot be removed.
    pub async fn site_update(
        &self,
        org: OrgId,
        id: SiteId,
        input: &SiteInput,
        ctx: &AuditCtx,
    ) -> Result<Site, StoreError> {
        let before = self.site_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let used = sqlx::query(
                "SELECT DISTINCT floor FROM resources WHERE org_id = $1 AND site_id = $2 AND floor <> ''",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .fetch_all(&mut *c)
            .await?;
            for r in &used {
                let floor: String = r.try_get("floor")?;
                if !input.floors.contains(&floor) {
                    return Err(StoreError::Invalid(ValidationError::field(
                        "floors",
                        format!("spaces are still on {floor}; move them before removing the floor"),
                    )));
                }
            }
            sqlx::query(
                "UPDATE sites SET name = $3, name_key = $4, address = $5, time_zone = $6, floors = $7, updated_at = $8
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(&input.name)
            .bind(input.name.trim().to_lowercase())
            .bind(&input.address)
            .bind(&input.time_zone)
            .bind(json(&input.floors)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("a site with that name already exists"))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "site.update",
            "site",
            Some(id.to_string()),
            serde_json::json!({"from": {"name": before.name, "address": before.address, "floors": before.floors},
                "to": {"name": input.name, "address": input.address, "floors": input.floors}}),
        )
        .await?;
        tx.commit().await?;
        self.site_get(org, id).await
    }

    /// The site `id` in `org`.
    pub async fn site_get(&self, org: OrgId, id: SiteId) -> Result<Site, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM sites WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("site"))?;
            Ok(site_row!(&row))
        })
    }

    /// Every site of `org`, by name.
    pub async fn site_list(&self, org: OrgId) -> Result<Vec<Site>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query("SELECT * FROM sites WHERE org_id = $1 ORDER BY name_key, id")
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(site_row!(r))).collect()
        })
    }

    // ---- booking rules ----

    /// The rule for booking `kind` in `org`: the one set, else the default.
    pub async fn booking_rule(&self, org: OrgId, kind: SpaceKind) -> Result<BookingRule, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT data FROM booking_rules WHERE org_id = $1 AND kind = $2")
                .bind(org.to_string())
                .bind(kind.as_str())
                .fetch_optional(c)
                .await?;
            match row {
                Some(r) => {
                    let data: String = r.try_get("data")?;
                    serde_json::from_str(&data).map_err(corrupt("booking rule"))
                }
                None => Ok(BookingRule::default_for(kind)),
            }
        })
    }

    /// The rules for every kind of space.
    pub async fn booking_rules(&self, org: OrgId) -> Result<Vec<BookingRule>, StoreError> {
        let mut out = Vec::new();
        for k in SpaceKind::ALL {
            out.push(self.booking_rule(org, *k).await?);
        }
        Ok(out)
    }

    /// Sets the rule for its kind of space.
    pub async fn booking_rule_set(
        &self,
        org: OrgId,
        rule: &BookingRule,
        ctx: &AuditCtx,
    ) -> Result<BookingRule, StoreError> {
        rule.validate().map_err(StoreError::Invalid)?;
        let before = self.booking_rule(org, rule.kind).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM booking_rules WHERE org_id = $1 AND kind = $2")
                .bind(org.to_string())
                .bind(rule.kind.as_str())
                .execute(&mut *c)
                .await?;
            sqlx::query("INSERT INTO booking_rules (org_id, kind, data, updated_at) VALUES ($1, $2, $3, $4)")
                .bind(org.to_string())
                .bind(rule.kind.as_str())
                .bind(json(rule)?)
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "booking_rule.set",
            "booking_rule",
            Some(rule.kind.to_string()),
            serde_json::json!({"from": before, "to": rule}),
        )
        .await?;
        tx.commit().await?;
        Ok(rule.clone())
    }

    // ---- bookings ----

    /// Books a space: the week quota (if any) and the space's other events are
    /// checked inside the transaction that stores the event, the booking and
    /// the audit entry.
    pub async fn booking_create(
        &self,
        org: OrgId,
        new: &NewBooking,
        ctx: &AuditCtx,
    ) -> Result<BookingRecord, StoreError> {
        let id = BookingId(new_uuid());
        let mut tx = self.begin().await?;
        if let Some((limit, from, to)) = new.quota {
            let n: i64 = on_tx!(&mut tx, |c| {
                if matches!(self.backend(), crate::Backend::Postgres) {
                    // Serialises one person's bookings, so the count below stays true until commit.
                    sqlx::query("SELECT id FROM persons WHERE org_id = $1 AND id = $2 FOR UPDATE")
                        .bind(org.to_string())
                        .bind(new.person.to_string())
                        .execute(&mut *c)
                        .await?;
                }
                sqlx::query(
                    "SELECT COUNT(*) AS n FROM bookings WHERE org_id = $1 AND person_id = $2 AND kind = $3
                        AND status IN ('booked', 'checked_in') AND starts_at >= $4 AND starts_at < $5",
                )
                .bind(org.to_string())
                .bind(new.person.to_string())
                .bind(new.kind.as_str())
                .bind(to_micros(from))
                .bind(to_micros(to))
                .fetch_one(&mut *c)
                .await?
                .try_get("n")?
            });
            if n >= i64::from(limit) {
                return Err(StoreError::Invalid(ValidationError::field(
                    "start",
                    format!(
                        "you already have {n} {} bookings that week; the limit is {limit} a week",
                        new.kind
                    ),
                )));
            }
        }
        let event = self.insert_event_in(&mut tx, org, &new.event, ctx).await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO bookings (org_id, id, resource_id, kind, person_id, event_id, title, starts_at, ends_at,
                     status, checked_in_at, end_note, booked_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'booked', NULL, '', $10, $11, $11)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(new.resource.to_string())
            .bind(new.kind.as_str())
            .bind(new.person.to_string())
            .bind(event.to_string())
            .bind(&new.title)
            .bind(to_micros(new.start))
            .bind(to_micros(new.end))
            .bind(ctx.actor.map(|p| p.to_string()))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "booking.create",
            "booking",
            Some(id.to_string()),
            serde_json::json!({"resource": new.resource, "kind": new.kind, "person": new.person,
                "title": new.title, "start": new.start, "end": new.end, "event": event}),
        )
        .await?;
        tx.commit().await?;
        self.booking_get(org, id).await
    }

    /// The booking `id` in `org`.
    pub async fn booking_get(&self, org: OrgId, id: BookingId) -> Result<BookingRecord, StoreError> {
        let sql = format!("{BOOKING_SELECT} AND b.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("booking"))?;
            Ok(booking_row!(&row))
        })
    }

    /// Bookings of `org` matching `f`, by start.
    pub async fn booking_list(
        &self,
        org: OrgId,
        f: &BookingFilter,
    ) -> Result<Vec<BookingRecord>, StoreError> {
        let sql = format!(
            "{BOOKING_SELECT}
               AND ($2 = '' OR b.person_id = $2) AND ($3 = '' OR b.resource_id = $3)
               AND b.ends_at > $4 AND b.starts_at < $5
               AND (NOT $6 OR b.status IN ('booked', 'checked_in'))
             ORDER BY b.starts_at, r.name, b.id LIMIT 5000"
        );
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(f.person.map(|p| p.to_string()).unwrap_or_default())
                .bind(f.resource.map(|r| r.to_string()).unwrap_or_default())
                .bind(f.from.map(to_micros).unwrap_or(i64::MIN))
                .bind(f.to.map(to_micros).unwrap_or(i64::MAX))
                .bind(f.open_only)
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(booking_row!(r))).collect()
        })
    }

    /// Records the check-in of a booking still `booked`; the caller has checked the window.
    pub async fn booking_check_in(
        &self,
        org: OrgId,
        id: BookingId,
        ctx: &AuditCtx,
    ) -> Result<BookingRecord, StoreError> {
        let b = self.booking_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let done = sqlx::query(
                "UPDATE bookings SET status = 'checked_in', checked_in_at = $3, updated_at = $3
                  WHERE org_id = $1 AND id = $2 AND status = 'booked'",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "the booking changed meanwhile (released, cancelled or already checked into)".into(),
                ));
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "booking.check_in",
            "booking",
            Some(id.to_string()),
            serde_json::json!({"resource": b.resource, "title": b.title, "start": b.start}),
        )
        .await?;
        tx.commit().await?;
        self.booking_get(org, id).await
    }

    /// Ends a booking that still holds its space: `cancelled` (by someone) or
    /// `released` (nobody checked in). Its event goes, freeing the space.
    pub async fn booking_end(
        &self,
        org: OrgId,
        id: BookingId,
        status: BookingStatus,
        note: &str,
        ctx: &AuditCtx,
    ) -> Result<BookingRecord, StoreError> {
        let b = self.booking_get(org, id).await?;
        let from = match status {
            BookingStatus::Released => "('booked')",
            _ => "('booked', 'checked_in')",
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE bookings SET status = $3, end_note = $4, event_id = NULL, updated_at = $5
                  WHERE org_id = $1 AND id = $2 AND status IN {from}"
            )))
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(status.as_str())
            .bind(note)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "the booking is {} already",
                    b.status.as_str().replace('_', " ")
                )));
            }
            drop_event!(c, org, b.event);
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            if status == BookingStatus::Released {
                "booking.release"
            } else {
                "booking.cancel"
            },
            "booking",
            Some(id.to_string()),
            serde_json::json!({"resource": b.resource, "title": b.title, "start": b.start, "person": b.person,
                "note": note}),
        )
        .await?;
        tx.commit().await?;
        self.booking_get(org, id).await
    }

    /// Releases, across organisations, every booking nobody checked into in
    /// time under its organisation's rule. Returns the released bookings.
    pub async fn bookings_release_due(&self, now: Timestamp) -> Result<Vec<BookingRecord>, StoreError> {
        let open: Vec<(OrgId, BookingId, SpaceKind, Timestamp)> = on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT org_id, id, kind, starts_at FROM bookings WHERE status = 'booked' AND starts_at <= $1
                  ORDER BY starts_at LIMIT 10000",
            )
            .bind(to_micros(now))
            .fetch_all(c)
            .await?;
            rows.iter()
                .map(|r| {
                    let kind: String = r.try_get("kind")?;
                    Ok((
                        parse_id(&r.try_get::<String, _>("org_id")?)?,
                        parse_id(&r.try_get::<String, _>("id")?)?,
                        kind.parse()
                            .map_err(|_| StoreError::Corrupt(format!("stored space kind `{kind}`")))?,
                        from_micros(r.try_get("starts_at")?),
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?
        });
        let mut rules: std::collections::HashMap<(OrgId, SpaceKind), BookingRule> = Default::default();
        let mut released = Vec::new();
        for (org, id, kind, start) in open {
            let rule = match rules.get(&(org, kind)) {
                Some(r) => r.clone(),
                None => {
                    let r = self.booking_rule(org, kind).await?;
                    rules.insert((org, kind), r.clone());
                    r
                }
            };
            if !adjutant_core::office::space::release_due(&rule, BookingStatus::Booked, start, now) {
                continue;
            }
            let note = adjutant_core::office::space::release_note(&rule);
            match self
                .booking_end(
                    org,
                    id,
                    BookingStatus::Released,
                    &note,
                    &AuditCtx::system("system", now),
                )
                .await
            {
                Ok(b) => released.push(b),
                // Checked into (or cancelled) in the meantime: nothing to release.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(released)
    }
}
