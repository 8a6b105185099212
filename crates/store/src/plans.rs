//! Plans: task blocks placed on a person's calendar in one go, and taken off
//! in one go.
//!
//! A plan's blocks are ordinary events (category `task`) carrying the plan's
//! and the task's ids, so every agenda, feed and find-a-time sees them. A
//! person has at most one applied plan. Applying a new one replaces the
//! previous plan's blocks from the new window's start on (earlier blocks are
//! history and stay), and keeps what it removed; undoing the new plan deletes
//! its blocks and puts the removed ones back exactly as they were, so the
//! calendar is what it was before the plan.

use crate::audit::{self, AuditCtx};
use crate::calendar::{EventRecord, NewEvent, bump_agendas};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::calendar::{EventData, TimeRange};
use adjutant_core::ids::{CalendarId, OrgId, PersonId, PlanId, TaskId};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Its blocks are on the calendar.
    Applied,
    /// A newer plan replaced its blocks from some point on.
    Superseded,
    /// Taken off the calendar.
    Undone,
}

impl PlanStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            PlanStatus::Applied => "applied",
            PlanStatus::Superseded => "superseded",
            PlanStatus::Undone => "undone",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "applied" => Ok(PlanStatus::Applied),
            "superseded" => Ok(PlanStatus::Superseded),
            "undone" => Ok(PlanStatus::Undone),
            other => Err(StoreError::Corrupt(format!("unknown plan status `{other}`"))),
        }
    }
}

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRecord {
    pub id: PlanId,
    pub org: OrgId,
    pub person: PersonId,
    pub status: PlanStatus,
    pub window: TimeRange,
    /// The plan as it was computed (blocks with their reasons, deadlines at risk).
    pub summary: serde_json::Value,
    /// The plan whose blocks this one replaced.
    pub replaced: Option<PlanId>,
    /// How many blocks of the replaced plan it took off the calendar.
    pub removed_blocks: usize,
    pub created_at: Timestamp,
    pub undone_at: Option<Timestamp>,
}

/// One block to place: the event (organised by the person) and its task.
#[derive(Debug, Clone)]
pub struct NewBlock {
    pub task: TaskId,
    pub data: EventData,
}

macro_rules! plan_row {
    ($r:expr) => {{
        let r = $r;
        let summary: String = r.try_get("summary")?;
        let removed: String = r.try_get("removed")?;
        let replaced: Option<String> = r.try_get("replaced_plan_id")?;
        let undone: Option<i64> = r.try_get("undone_at")?;
        let removed: Vec<serde_json::Value> =
            serde_json::from_str(&removed).map_err(|e| StoreError::Corrupt(format!("stored plan: {e}")))?;
        PlanRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            person: parse_id(&r.try_get::<String, _>("person_id")?)?,
            status: PlanStatus::parse(&r.try_get::<String, _>("status")?)?,
            window: TimeRange {
                start: from_micros(r.try_get("window_start")?),
                end: from_micros(r.try_get("window_end")?),
            },
            summary: serde_json::from_str(&summary)
                .map_err(|e| StoreError::Corrupt(format!("stored plan: {e}")))?,
            replaced: replaced.as_deref().map(parse_id).transpose()?,
            removed_blocks: removed.len(),
            created_at: from_micros(r.try_get("created_at")?),
            undone_at: undone.map(from_micros),
        }
    }};
}

impl Store {
    /// Applies a plan for `person`: in one transaction, takes the blocks of
    /// their applied plan that start at or after `window.start` off the
    /// calendar (kept, to restore on undo), marks that plan superseded, and
    /// places `blocks` in the person's default calendar.
    pub async fn plan_apply(
        &self,
        org: OrgId,
        person: PersonId,
        window: TimeRange,
        summary: &serde_json::Value,
        blocks: &[NewBlock],
        ctx: &AuditCtx,
    ) -> Result<PlanRecord, StoreError> {
        self.person_get(org, person).await?;
        let id = PlanId(new_uuid());
        let mut tx = self.begin().await?;
        let (previous, removed): (Option<String>, Vec<EventRecord>) = on_tx!(&mut tx, |c| {
            let prev = sqlx::query(
                "SELECT id FROM plans WHERE org_id = $1 AND person_id = $2 AND status = 'applied'",
            )
            .bind(org.to_string())
            .bind(person.to_string())
            .fetch_optional(&mut *c)
            .await?
            .map(|r| r.try_get::<String, _>("id"))
            .transpose()?;
            let mut removed = Vec::new();
            if let Some(p) = &prev {
                let rows = sqlx::query(
                    "SELECT * FROM events WHERE org_id = $1 AND plan_id = $2 AND starts_at >= $3 ORDER BY starts_at, id",
                )
                .bind(org.to_string())
                .bind(p)
                .bind(to_micros(window.start))
                .fetch_all(&mut *c)
                .await?;
                for r in &rows {
                    removed.push(crate::calendar::event_from_row(r)?);
                }
                for e in &removed {
                    crate::calendar::touch_event!(c, org, e.id.to_string());
                    sqlx::query("DELETE FROM events WHERE org_id = $1 AND id = $2")
                        .bind(org.to_string())
                        .bind(e.id.to_string())
                        .execute(&mut *c)
                        .await?;
                }
                sqlx::query("UPDATE plans SET status = 'superseded' WHERE org_id = $1 AND id = $2")
                    .bind(org.to_string())
                    .bind(p)
                    .execute(&mut *c)
                    .await?;
            }
            let removed_json = serde_json::to_string(&removed)
                .map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))?;
            sqlx::query(
                "INSERT INTO plans (org_id, id, person_id, status, window_start, window_end, summary, removed,
                     replaced_plan_id, created_at, undone_at)
                 VALUES ($1, $2, $3, 'applied', $4, $5, $6, $7, $8, $9, NULL)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(person.to_string())
            .bind(to_micros(window.start))
            .bind(to_micros(window.end))
            .bind(summary.to_string())
            .bind(removed_json)
            .bind(prev.clone())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            (prev, removed)
        });
        for b in blocks {
            let new = NewEvent {
                calendar: CalendarId(uuid::Uuid::nil()),
                uid: None,
                data: b.data.clone(),
                overrides: vec![],
                room: None,
                meeting_request: None,
            };
            let eid = self.insert_event_in(&mut tx, org, &new, ctx).await?;
            on_tx!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE events SET plan_id = $3, task_id = (SELECT id FROM tasks WHERE org_id = $1 AND id = $4)
                     WHERE org_id = $1 AND id = $2",
                )
                .bind(org.to_string())
                .bind(eid.to_string())
                .bind(id.to_string())
                .bind(b.task.to_string())
                .execute(&mut *c)
                .await?;
            });
        }
        audit::record(
            &mut tx,
            org,
            ctx,
            "plan.apply",
            "plan",
            Some(id.to_string()),
            serde_json::json!({"person": person, "blocks": blocks.len(), "replaced": previous,
                "removed_blocks": removed.len(), "window": {"start": window.start, "end": window.end}}),
        )
        .await?;
        tx.commit().await?;
        self.plan_get(org, id).await
    }

    /// Undoes an applied plan: deletes its blocks and puts back the blocks it
    /// replaced, re-applying the plan it superseded. Refused for a plan that is
    /// not the applied one (undo the newer plan first).
    pub async fn plan_undo(&self, org: OrgId, id: PlanId, ctx: &AuditCtx) -> Result<PlanRecord, StoreError> {
        let mut tx = self.begin().await?;
        let (status, replaced, removed): (String, Option<String>, String) = on_tx!(&mut tx, |c| {
            let r = sqlx::query(
                "SELECT status, replaced_plan_id, removed FROM plans WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .fetch_optional(&mut *c)
            .await?
            .ok_or(StoreError::NotFound("plan"))?;
            (
                r.try_get("status")?,
                r.try_get("replaced_plan_id")?,
                r.try_get("removed")?,
            )
        });
        match PlanStatus::parse(&status)? {
            PlanStatus::Applied => {}
            PlanStatus::Undone => return Err(StoreError::Conflict("this plan was already undone".into())),
            PlanStatus::Superseded => {
                return Err(StoreError::Conflict(
                    "a newer plan replaced this one; undo the newer plan first".into(),
                ));
            }
        }
        let removed: Vec<EventRecord> =
            serde_json::from_str(&removed).map_err(|e| StoreError::Corrupt(format!("stored plan: {e}")))?;
        let deleted = on_tx!(&mut tx, |c| {
            let ids: Vec<String> = sqlx::query("SELECT id FROM events WHERE org_id = $1 AND plan_id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("id"))
                .collect::<Result<_, _>>()?;
            for e in &ids {
                crate::calendar::touch_event!(c, org, e.clone());
                sqlx::query("DELETE FROM events WHERE org_id = $1 AND id = $2")
                    .bind(org.to_string())
                    .bind(e)
                    .execute(&mut *c)
                    .await?;
            }
            ids.len()
        });
        for e in &removed {
            self.reinsert_event_in(&mut tx, org, e, ctx.now).await?;
        }
        on_tx!(&mut tx, |c| {
            if let Some(p) = &replaced {
                sqlx::query("UPDATE plans SET status = 'applied' WHERE org_id = $1 AND id = $2 AND status = 'superseded'")
                    .bind(org.to_string())
                    .bind(p)
                    .execute(&mut *c)
                    .await?;
            }
            sqlx::query("UPDATE plans SET status = 'undone', undone_at = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "plan.undo",
            "plan",
            Some(id.to_string()),
            serde_json::json!({"deleted_blocks": deleted, "restored_blocks": removed.len(), "reapplied": replaced}),
        )
        .await?;
        tx.commit().await?;
        self.plan_get(org, id).await
    }

    pub async fn plan_get(&self, org: OrgId, id: PlanId) -> Result<PlanRecord, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM plans WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("plan"))?;
            Ok(plan_row!(&row))
        })
    }

    /// The person's plans, newest first.
    pub async fn plan_list(
        &self,
        org: OrgId,
        person: PersonId,
        limit: u32,
    ) -> Result<Vec<PlanRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM plans WHERE org_id = $1 AND person_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3",
            )
            .bind(org.to_string())
            .bind(person.to_string())
            .bind(i64::from(limit.clamp(1, 500)))
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(plan_row!(r))).collect()
        })
    }

    /// The blocks a plan has on the calendar now.
    pub async fn plan_blocks(&self, org: OrgId, id: PlanId) -> Result<Vec<EventRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows =
                sqlx::query("SELECT * FROM events WHERE org_id = $1 AND plan_id = $2 ORDER BY starts_at, id")
                    .bind(org.to_string())
                    .bind(id.to_string())
                    .fetch_all(c)
                    .await?;
            rows.iter().map(crate::calendar::event_from_row).collect()
        })
    }

    /// Per task, the minutes of plan blocks (of plans not undone) that ended
    /// before `now`: work the calendar says has been done.
    pub async fn task_elapsed_minutes(
        &self,
        org: OrgId,
        tasks: &[TaskId],
        now: Timestamp,
    ) -> Result<BTreeMap<TaskId, i64>, StoreError> {
        let mut out = BTreeMap::new();
        if tasks.is_empty() {
            return Ok(out);
        }
        let list = (0..tasks.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT e.task_id, CAST(SUM(e.ends_at - e.starts_at) AS BIGINT) AS micros FROM events e JOIN plans p ON p.id = e.plan_id
              WHERE e.org_id = $1 AND e.ends_at <= $2 AND p.status <> 'undone' AND e.task_id IN ({list})
              GROUP BY e.task_id"
        );
        on_pool!(&self.pool, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(to_micros(now));
            for t in tasks {
                q = q.bind(t.to_string());
            }
            for r in q.fetch_all(c).await? {
                let task: String = r.try_get("task_id")?;
                let micros: i64 = r.try_get("micros")?;
                out.insert(parse_id(&task)?, micros / 60_000_000);
            }
        });
        Ok(out)
    }
}
