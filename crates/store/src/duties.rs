//! The responsibility grid's duties and their completions.
//!
//! A duty is one row holding its `DutyData` as JSON, beside its title, owner
//! and backup. Each occurrence marked done is a row of `duty_completions`,
//! keyed by the date it was due (ISO text, `2026-12-08`, which sorts as
//! dates do); `UNIQUE (duty_id, due_on)` makes a second completion of the
//! same occurrence a conflict even when two people mark it at once.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::tasks::ensure_in_org;
use crate::{from_micros, json, new_uuid, parse_date, parse_id, to_micros};
use adjutant_core::ids::{DutyId, OrgId, PersonId};
use adjutant_core::tasks::duty::DutyData;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;

/// A stored duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyRecord {
    pub id: DutyId,
    pub org: OrgId,
    pub data: DutyData,
    /// The completion of its latest occurrence marked done.
    pub last_done: Option<DutyCompletion>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One occurrence of a duty marked done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyCompletion {
    pub id: String,
    pub duty: DutyId,
    /// The date the occurrence was due.
    pub due_on: Date,
    pub done_at: Timestamp,
    pub done_by: Option<PersonId>,
    pub note: String,
}

/// A duty with the completion of its latest occurrence done (columns `last_*`),
/// found through the `(duty_id, due_on)` index: one query for any number of duties.
const DUTY_SELECT: &str = "SELECT d.*, c.id AS last_id, c.due_on AS last_due_on, c.done_at AS last_done_at,
        c.done_by AS last_done_by, c.note AS last_note
   FROM duties d
   LEFT JOIN duty_completions c ON c.id = (
        SELECT c2.id FROM duty_completions c2 WHERE c2.duty_id = d.id
         ORDER BY c2.due_on DESC, c2.done_at DESC, c2.id DESC LIMIT 1)
  WHERE d.org_id = $1";

macro_rules! completion_row {
    ($r:expr, $duty:expr, $prefix:literal) => {{
        let r = $r;
        let due: String = r.try_get(concat!($prefix, "due_on"))?;
        let by: Option<String> = r.try_get(concat!($prefix, "done_by"))?;
        DutyCompletion {
            id: r.try_get(concat!($prefix, "id"))?,
            duty: $duty,
            due_on: parse_date(&due)?,
            done_at: from_micros(r.try_get(concat!($prefix, "done_at"))?),
            done_by: by.as_deref().map(parse_id).transpose()?,
            note: r.try_get(concat!($prefix, "note"))?,
        }
    }};
}

macro_rules! duty_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let id: DutyId = parse_id(&r.try_get::<String, _>("id")?)?;
        let last: Option<String> = r.try_get("last_id")?;
        DutyRecord {
            id,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            data: serde_json::from_str(&data).map_err(corrupt)?,
            last_done: match last {
                Some(_) => Some(completion_row!(r, id, "last_")),
                None => None,
            },
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

impl Store {
    /// Adds a duty; its owner and backup must be persons of `org`.
    pub async fn duty_create(
        &self,
        org: OrgId,
        data: &DutyData,
        ctx: &AuditCtx,
    ) -> Result<DutyRecord, StoreError> {
        let id = DutyId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "persons", data.owner.iter().chain(&data.backup), "person");
            sqlx::query(
                "INSERT INTO duties (org_id, id, title, owner_id, backup_id, data, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(&data.title)
            .bind(data.owner.map(|p| p.to_string()))
            .bind(data.backup.map(|p| p.to_string()))
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "duty.create",
            "duty",
            Some(id.to_string()),
            serde_json::json!({"title": data.title, "area": data.area, "owner": data.owner,
                "backup": data.backup, "cadence": data.cadence, "anchor": data.anchor}),
        )
        .await?;
        tx.commit().await?;
        self.duty_get(org, id).await
    }

    /// Replaces a duty's fields; its owner and backup must be persons of `org`.
    pub async fn duty_update(
        &self,
        org: OrgId,
        id: DutyId,
        data: &DutyData,
        ctx: &AuditCtx,
    ) -> Result<DutyRecord, StoreError> {
        let mut tx = self.begin().await?;
        let before: DutyData = on_tx!(&mut tx, |c| {
            let stored: String = sqlx::query("SELECT data FROM duties WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("duty"))?
                .try_get("data")?;
            let before: DutyData = serde_json::from_str(&stored).map_err(corrupt)?;
            ensure_in_org!(c, org, "persons", data.owner.iter().chain(&data.backup), "person");
            sqlx::query(
                "UPDATE duties SET title = $3, owner_id = $4, backup_id = $5, data = $6, updated_at = $7
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(&data.title)
            .bind(data.owner.map(|p| p.to_string()))
            .bind(data.backup.map(|p| p.to_string()))
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            before
        });
        let shape = |d: &DutyData| {
            serde_json::json!({"title": d.title, "owner": d.owner, "backup": d.backup, "cadence": d.cadence,
                "anchor": d.anchor, "estimate_minutes": d.estimate_minutes})
        };
        audit::record(
            &mut tx,
            org,
            ctx,
            "duty.update",
            "duty",
            Some(id.to_string()),
            serde_json::json!({"title": data.title, "from": shape(&before), "to": shape(data)}),
        )
        .await?;
        tx.commit().await?;
        self.duty_get(org, id).await
    }

    /// Deletes a duty with its completions, returning it as it was.
    pub async fn duty_delete(
        &self,
        org: OrgId,
        id: DutyId,
        ctx: &AuditCtx,
    ) -> Result<DutyRecord, StoreError> {
        let mut tx = self.begin().await?;
        let before = on_tx!(&mut tx, |c| {
            let sql = format!("{DUTY_SELECT} AND d.id = $2");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("duty"))?;
            let before = duty_row!(&row);
            sqlx::query("DELETE FROM duties WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            before
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "duty.delete",
            "duty",
            Some(id.to_string()),
            serde_json::json!({"title": before.data.title, "owner": before.data.owner,
                "backup": before.data.backup, "cadence": before.data.cadence}),
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    pub async fn duty_get(&self, org: OrgId, id: DutyId) -> Result<DutyRecord, StoreError> {
        let sql = format!("{DUTY_SELECT} AND d.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("duty"))?;
            Ok(duty_row!(&row))
        })
    }

    /// Every duty of `org` by title, each with its latest completion.
    pub async fn duty_list(&self, org: OrgId) -> Result<Vec<DutyRecord>, StoreError> {
        let sql = format!("{DUTY_SELECT} ORDER BY d.title, d.id");
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(duty_row!(r))).collect()
        })
    }

    /// Marks the occurrence due on `due_on` done, by the actor of `ctx`. A
    /// second completion of the same occurrence is a `Conflict`.
    pub async fn duty_complete(
        &self,
        org: OrgId,
        id: DutyId,
        due_on: Date,
        note: &str,
        ctx: &AuditCtx,
    ) -> Result<DutyCompletion, StoreError> {
        let completion = new_uuid().to_string();
        let already = format!("already marked done for {due_on}");
        let mut tx = self.begin().await?;
        let title: String = on_tx!(&mut tx, |c| {
            let title: String = sqlx::query("SELECT title FROM duties WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("duty"))?
                .try_get("title")?;
            // Said plainly when it is already there; the unique key still decides a race.
            let done =
                sqlx::query("SELECT 1 AS one FROM duty_completions WHERE duty_id = $1 AND due_on = $2")
                    .bind(id.to_string())
                    .bind(due_on.to_string())
                    .fetch_optional(&mut *c)
                    .await?;
            if done.is_some() {
                return Err(StoreError::Conflict(already));
            }
            sqlx::query(
                "INSERT INTO duty_completions (org_id, id, duty_id, due_on, done_at, done_by, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org.to_string())
            .bind(&completion)
            .bind(id.to_string())
            .bind(due_on.to_string())
            .bind(to_micros(ctx.now))
            .bind(ctx.actor.map(|p| p.to_string()))
            .bind(note)
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(&already))?;
            title
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "duty.done",
            "duty",
            Some(id.to_string()),
            serde_json::json!({"title": title, "due_on": due_on, "completion": completion}),
        )
        .await?;
        tx.commit().await?;
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM duty_completions WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(&completion)
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("duty completion"))?;
            Ok(completion_row!(&row, id, ""))
        })
    }

    /// The latest `limit` completions of a duty, latest occurrence first.
    pub async fn duty_completions(
        &self,
        org: OrgId,
        id: DutyId,
        limit: u32,
    ) -> Result<Vec<DutyCompletion>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM duty_completions WHERE org_id = $1 AND duty_id = $2
                 ORDER BY due_on DESC, done_at DESC, id DESC LIMIT $3",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(i64::from(limit))
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(completion_row!(r, id, ""))).collect()
        })
    }
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("stored duty: {e}"))
}
