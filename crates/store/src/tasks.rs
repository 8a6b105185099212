//! Goals and tasks. A task is one row holding its `TaskData` as JSON, beside
//! the columns lists filter on (owner, doer, status, due moment, goal,
//! meeting); its dependencies and the people it is shared with are indexed in
//! their own tables so "what depends on this" and "what is shared with me" are
//! index lookups.
//!
//! Every person, goal, meeting, event and task a task names is checked to be
//! of the same organisation inside the write transaction (the foreign keys
//! alone would accept another organisation's), and dependencies are checked
//! for cycles there too, so two concurrent edits cannot close one.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, Tx, on_pool, on_tx};
use crate::error::StoreError;
use crate::{from_micros, json, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{EventId, GoalId, MeetingId, OrgId, PersonId, TaskId};
use adjutant_core::tasks::goal::GoalData;
use adjutant_core::tasks::task::{TaskData, TaskStatus, check_dependencies};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// A stored goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoalRecord {
    pub id: GoalId,
    pub org: OrgId,
    pub data: GoalData,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRecord {
    pub id: TaskId,
    pub org: OrgId,
    pub data: TaskData,
    pub created_by: Option<PersonId>,
    pub completed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Which tasks a list reads. Fields left `None` (or empty) do not filter.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Tasks this person owns or does.
    pub person: Option<PersonId>,
    /// Tasks shared with this person (alone, or besides `person`'s).
    pub shared_with: Option<PersonId>,
    pub statuses: Vec<TaskStatus>,
    pub goal: Option<GoalId>,
    pub from_meeting: Option<MeetingId>,
    pub for_event: Option<EventId>,
    /// Tasks whose owner or doer is one of these people.
    pub people: Vec<PersonId>,
}

fn corrupt(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}

macro_rules! goal_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        GoalRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            data: serde_json::from_str(&data).map_err(corrupt("goal"))?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! task_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let by: Option<String> = r.try_get("created_by")?;
        let done: Option<i64> = r.try_get("completed_at")?;
        TaskRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            data: serde_json::from_str(&data).map_err(corrupt("task"))?,
            created_by: by.as_deref().map(parse_id).transpose()?,
            completed_at: done.map(from_micros),
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

/// Fails with a `Conflict` naming `what` unless every id is a row of `table` in `org`.
macro_rules! ensure_in_org {
    ($c:expr, $org:expr, $table:literal, $ids:expr, $what:literal) => {
        for id in ::std::iter::IntoIterator::into_iter($ids) {
            let found = sqlx::query(concat!(
                "SELECT 1 AS one FROM ",
                $table,
                " WHERE org_id = $1 AND id = $2"
            ))
            .bind($org.to_string())
            .bind(id.to_string())
            .fetch_optional(&mut *$c)
            .await?;
            if found.is_none() {
                return Err(StoreError::Conflict(format!(
                    concat!($what, " {} is not of this organisation"),
                    id
                )));
            }
        }
    };
}
pub(crate) use ensure_in_org;

impl Store {
    // ---- goals ----

    /// Adds a goal.
    pub async fn goal_create(
        &self,
        org: OrgId,
        data: &GoalData,
        ctx: &AuditCtx,
    ) -> Result<GoalRecord, StoreError> {
        let id = GoalId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "persons", [data.owner], "owner");
            sqlx::query(
                "INSERT INTO goals (org_id, id, owner_id, title, status, data, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.owner.to_string())
            .bind(&data.title)
            .bind(data.status.as_str())
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "goal.create",
            "goal",
            Some(id.to_string()),
            serde_json::json!({"title": data.title, "owner": data.owner, "starts_on": data.starts_on,
                "ends_on": data.ends_on}),
        )
        .await?;
        tx.commit().await?;
        self.goal_get(org, id).await
    }

    /// Replaces a goal's fields.
    pub async fn goal_update(
        &self,
        org: OrgId,
        id: GoalId,
        data: &GoalData,
        ctx: &AuditCtx,
    ) -> Result<GoalRecord, StoreError> {
        let before = self.goal_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "persons", [data.owner], "owner");
            sqlx::query(
                "UPDATE goals SET owner_id = $3, title = $4, status = $5, data = $6, updated_at = $7
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.owner.to_string())
            .bind(&data.title)
            .bind(data.status.as_str())
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "goal.update",
            "goal",
            Some(id.to_string()),
            serde_json::json!({"from": before.data, "to": data}),
        )
        .await?;
        tx.commit().await?;
        self.goal_get(org, id).await
    }

    pub async fn goal_get(&self, org: OrgId, id: GoalId) -> Result<GoalRecord, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM goals WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("goal"))?;
            Ok(goal_row!(&row))
        })
    }

    /// Goals of `org` (of one owner when given), by title.
    pub async fn goal_list(
        &self,
        org: OrgId,
        owner: Option<PersonId>,
    ) -> Result<Vec<GoalRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM goals WHERE org_id = $1 AND ($2 IS NULL OR owner_id = $2) ORDER BY title, id",
            )
            .bind(org.to_string())
            .bind(owner.map(|p| p.to_string()))
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(goal_row!(r))).collect()
        })
    }

    // ---- tasks ----

    /// Stores a new task, checking that everything it names is of `org` and
    /// that its dependencies close no cycle.
    pub async fn task_create(
        &self,
        org: OrgId,
        data: &TaskData,
        ctx: &AuditCtx,
    ) -> Result<TaskRecord, StoreError> {
        let mut tx = self.begin().await?;
        let id = self.insert_task_in(&mut tx, org, data, ctx).await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            "task.create",
            "task",
            Some(id.to_string()),
            task_summary(data),
        )
        .await?;
        tx.commit().await?;
        self.task_get(org, id).await
    }

    /// Several tasks in one transaction (a meeting's action items): all or none.
    pub async fn tasks_create(
        &self,
        org: OrgId,
        tasks: &[TaskData],
        action: &str,
        ctx: &AuditCtx,
    ) -> Result<Vec<TaskRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let mut ids = Vec::new();
        for data in tasks {
            let id = self.insert_task_in(&mut tx, org, data, ctx).await?;
            audit::record(
                &mut tx,
                org,
                ctx,
                action,
                "task",
                Some(id.to_string()),
                task_summary(data),
            )
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        self.tasks_by_ids(org, &ids).await
    }

    /// Replaces a task's data. `spawn` is the next task of a repeating one that
    /// was just done, stored in the same transaction. `action` names the change
    /// in the audit log (`task.update`, `task.done`, `task.move`, …).
    pub async fn task_update(
        &self,
        org: OrgId,
        id: TaskId,
        data: &TaskData,
        spawn: Option<&TaskData>,
        action: &str,
        ctx: &AuditCtx,
    ) -> Result<(TaskRecord, Option<TaskRecord>), StoreError> {
        let before = self.task_get(org, id).await?;
        let mut tx = self.begin().await?;
        self.check_task_refs(&mut tx, org, Some(id), data).await?;
        let completed = match (before.data.status.is_open(), data.status.is_open()) {
            (true, false) => Some(to_micros(ctx.now)),
            (false, false) => before.completed_at.map(to_micros),
            (_, true) => None,
        };
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE tasks SET owner_id = $3, doer_id = $4, title = $5, status = $6, due_at = $7, goal_id = $8,
                     from_meeting_id = $9, for_event_id = $10, data = $11, completed_at = $12, updated_at = $13
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.owner.to_string())
            .bind(data.doer().to_string())
            .bind(&data.title)
            .bind(data.status.as_str())
            .bind(data.due.as_ref().map(|d| to_micros(d.deadline())))
            .bind(data.goal.map(|g| g.to_string()))
            .bind(data.from_meeting.map(|m| m.to_string()))
            .bind(data.for_event.map(|e| e.to_string()))
            .bind(json(data)?)
            .bind(completed)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        self.index_task_in(&mut tx, org, id, data, true).await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            action,
            "task",
            Some(id.to_string()),
            serde_json::json!({"title": data.title, "from": diff_base(&before.data), "to": diff_base(data)}),
        )
        .await?;
        let spawned = match spawn {
            Some(next) => {
                let nid = self.insert_task_in(&mut tx, org, next, ctx).await?;
                audit::record(
                    &mut tx,
                    org,
                    ctx,
                    "task.repeat",
                    "task",
                    Some(nid.to_string()),
                    serde_json::json!({"after": id, "title": next.title, "due": next.due}),
                )
                .await?;
                Some(nid)
            }
            None => None,
        };
        tx.commit().await?;
        let next = match spawned {
            Some(n) => Some(self.task_get(org, n).await?),
            None => None,
        };
        Ok((self.task_get(org, id).await?, next))
    }

    /// Deletes a task; tasks that waited for it no longer do.
    pub async fn task_delete(
        &self,
        org: OrgId,
        id: TaskId,
        ctx: &AuditCtx,
    ) -> Result<TaskRecord, StoreError> {
        let before = self.task_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let dependents = sqlx::query(
                "SELECT t.id, t.data FROM task_dependencies d JOIN tasks t ON t.id = d.task_id
                  WHERE d.org_id = $1 AND d.depends_on_id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .fetch_all(&mut *c)
            .await?;
            for r in dependents {
                let tid: String = r.try_get("id")?;
                let mut data: TaskData =
                    serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt("task"))?;
                data.depends_on.retain(|d| *d != id);
                sqlx::query("UPDATE tasks SET data = $3 WHERE org_id = $1 AND id = $2")
                    .bind(org.to_string())
                    .bind(&tid)
                    .bind(json(&data)?)
                    .execute(&mut *c)
                    .await?;
            }
            // Plan blocks of the task stay on the calendar (they are events);
            // they simply no longer point at it.
            sqlx::query("UPDATE events SET task_id = NULL WHERE org_id = $1 AND task_id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM tasks WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "task.delete",
            "task",
            Some(id.to_string()),
            task_summary(&before.data),
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    pub async fn task_get(&self, org: OrgId, id: TaskId) -> Result<TaskRecord, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM tasks WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("task"))?;
            Ok(task_row!(&row))
        })
    }

    /// The tasks of `ids` that exist in `org`, in the order asked.
    pub async fn tasks_by_ids(&self, org: OrgId, ids: &[TaskId]) -> Result<Vec<TaskRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let list = (0..ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT * FROM tasks WHERE org_id = $1 AND id IN ({list})");
        let mut found: BTreeMap<TaskId, TaskRecord> = on_pool!(&self.pool, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string());
            for id in ids {
                q = q.bind(id.to_string());
            }
            let rows = q.fetch_all(c).await?;
            rows.iter()
                .map(|r| Ok(task_row!(r)))
                .map(|t: Result<TaskRecord, StoreError>| t.map(|t| (t.id, t)))
                .collect::<Result<_, StoreError>>()?
        });
        Ok(ids.iter().filter_map(|i| found.remove(i)).collect())
    }

    /// Tasks of `org` matching `f`, by due moment (undated last), then creation.
    pub async fn task_list(&self, org: OrgId, f: &TaskFilter) -> Result<Vec<TaskRecord>, StoreError> {
        let mut sql = String::from("SELECT t.* FROM tasks t WHERE t.org_id = $1");
        let mut binds: Vec<String> = vec![org.to_string()];
        let arg = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        match (f.person, f.shared_with) {
            (Some(p), Some(s)) => {
                let a = arg(p.to_string(), &mut binds);
                let b = arg(s.to_string(), &mut binds);
                sql.push_str(&format!(
                    " AND (t.owner_id = {a} OR t.doer_id = {a} OR EXISTS
                       (SELECT 1 FROM task_shares s WHERE s.task_id = t.id AND s.person_id = {b}))"
                ));
            }
            (Some(p), None) => {
                let a = arg(p.to_string(), &mut binds);
                sql.push_str(&format!(" AND (t.owner_id = {a} OR t.doer_id = {a})"));
            }
            (None, Some(s)) => {
                let b = arg(s.to_string(), &mut binds);
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM task_shares s WHERE s.task_id = t.id AND s.person_id = {b})"
                ));
            }
            (None, None) => {}
        }
        if !f.people.is_empty() {
            let list: Vec<String> = f.people.iter().map(|p| arg(p.to_string(), &mut binds)).collect();
            let list = list.join(", ");
            sql.push_str(&format!(" AND (t.owner_id IN ({list}) OR t.doer_id IN ({list}))"));
        }
        if !f.statuses.is_empty() {
            let list: Vec<String> = f
                .statuses
                .iter()
                .map(|s| arg(s.as_str().to_string(), &mut binds))
                .collect();
            sql.push_str(&format!(" AND t.status IN ({})", list.join(", ")));
        }
        if let Some(g) = f.goal {
            let a = arg(g.to_string(), &mut binds);
            sql.push_str(&format!(" AND t.goal_id = {a}"));
        }
        if let Some(m) = f.from_meeting {
            let a = arg(m.to_string(), &mut binds);
            sql.push_str(&format!(" AND t.from_meeting_id = {a}"));
        }
        if let Some(e) = f.for_event {
            let a = arg(e.to_string(), &mut binds);
            sql.push_str(&format!(" AND t.for_event_id = {a}"));
        }
        sql.push_str(" ORDER BY CASE WHEN t.due_at IS NULL THEN 1 ELSE 0 END, t.due_at, t.created_at, t.id");
        on_pool!(&self.pool, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for b in &binds {
                q = q.bind(b.clone());
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(|r| Ok(task_row!(r))).collect()
        })
    }

    /// Every dependency edge of `org`: task → the tasks it waits for.
    pub async fn task_dependency_edges(
        &self,
        org: OrgId,
    ) -> Result<BTreeMap<TaskId, Vec<TaskId>>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query("SELECT task_id, depends_on_id FROM task_dependencies WHERE org_id = $1")
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            let mut out: BTreeMap<TaskId, Vec<TaskId>> = BTreeMap::new();
            for r in rows {
                out.entry(parse_id(&r.try_get::<String, _>("task_id")?)?)
                    .or_default()
                    .push(parse_id(&r.try_get::<String, _>("depends_on_id")?)?);
            }
            Ok(out)
        })
    }

    /// Inserts a task inside `tx` (references and cycles checked), returning its id.
    pub(crate) async fn insert_task_in(
        &self,
        tx: &mut Tx,
        org: OrgId,
        data: &TaskData,
        ctx: &AuditCtx,
    ) -> Result<TaskId, StoreError> {
        let id = TaskId(new_uuid());
        self.check_task_refs(tx, org, Some(id), data).await?;
        let now = to_micros(ctx.now);
        on_tx!(&mut *tx, |c| {
            sqlx::query(
                "INSERT INTO tasks (org_id, id, owner_id, doer_id, created_by, title, status, due_at, goal_id,
                     from_meeting_id, for_event_id, data, completed_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.owner.to_string())
            .bind(data.doer().to_string())
            .bind(ctx.actor.map(|p| p.to_string()))
            .bind(&data.title)
            .bind(data.status.as_str())
            .bind(data.due.as_ref().map(|d| to_micros(d.deadline())))
            .bind(data.goal.map(|g| g.to_string()))
            .bind(data.from_meeting.map(|m| m.to_string()))
            .bind(data.for_event.map(|e| e.to_string()))
            .bind(json(data)?)
            .bind((!data.status.is_open()).then_some(now))
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        self.index_task_in(tx, org, id, data, false).await?;
        Ok(id)
    }

    /// Checks, inside `tx`, that everything `data` names is of `org` and that
    /// its dependencies (as `id`'s) close no cycle.
    async fn check_task_refs(
        &self,
        tx: &mut Tx,
        org: OrgId,
        id: Option<TaskId>,
        data: &TaskData,
    ) -> Result<(), StoreError> {
        let people: Vec<PersonId> = [data.owner]
            .into_iter()
            .chain(data.delegated_to)
            .chain(data.shared_with.iter().copied())
            .collect();
        let edges: BTreeMap<TaskId, Vec<TaskId>> = on_tx!(&mut *tx, |c| {
            ensure_in_org!(c, org, "persons", &people, "person");
            ensure_in_org!(c, org, "goals", data.goal.iter(), "goal");
            ensure_in_org!(c, org, "meetings", data.from_meeting.iter(), "meeting");
            ensure_in_org!(c, org, "events", data.for_event.iter(), "event");
            ensure_in_org!(c, org, "tasks", &data.depends_on, "task");
            if data.depends_on.is_empty() {
                BTreeMap::new()
            } else {
                let rows =
                    sqlx::query("SELECT task_id, depends_on_id FROM task_dependencies WHERE org_id = $1")
                        .bind(org.to_string())
                        .fetch_all(&mut *c)
                        .await?;
                let mut out: BTreeMap<TaskId, Vec<TaskId>> = BTreeMap::new();
                for r in rows {
                    out.entry(parse_id(&r.try_get::<String, _>("task_id")?)?)
                        .or_default()
                        .push(parse_id(&r.try_get::<String, _>("depends_on_id")?)?);
                }
                out
            }
        });
        if let Some(id) = id
            && !data.depends_on.is_empty()
        {
            let mut edges = edges;
            edges.remove(&id);
            check_dependencies(id, &data.depends_on, &edges, |t| t.to_string())
                .map_err(|e| StoreError::Conflict(e.summary()))?;
        }
        Ok(())
    }

    /// Rewrites a task's dependency and share rows inside `tx`.
    async fn index_task_in(
        &self,
        tx: &mut Tx,
        org: OrgId,
        id: TaskId,
        data: &TaskData,
        replace: bool,
    ) -> Result<(), StoreError> {
        on_tx!(&mut *tx, |c| {
            if replace {
                for table in [
                    "DELETE FROM task_dependencies WHERE task_id = $1",
                    "DELETE FROM task_shares WHERE task_id = $1",
                ] {
                    sqlx::query(table).bind(id.to_string()).execute(&mut *c).await?;
                }
            }
            for d in &data.depends_on {
                sqlx::query(
                    "INSERT INTO task_dependencies (org_id, task_id, depends_on_id) VALUES ($1, $2, $3)",
                )
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(d.to_string())
                .execute(&mut *c)
                .await?;
            }
            for p in &data.shared_with {
                sqlx::query("INSERT INTO task_shares (org_id, task_id, person_id) VALUES ($1, $2, $3)")
                    .bind(org.to_string())
                    .bind(id.to_string())
                    .bind(p.to_string())
                    .execute(&mut *c)
                    .await?;
            }
        });
        Ok(())
    }
}

/// What the audit log keeps of a task.
fn task_summary(t: &TaskData) -> serde_json::Value {
    serde_json::json!({"title": t.title, "owner": t.owner, "delegated_to": t.delegated_to, "due": t.due,
        "status": t.status, "from_meeting": t.from_meeting, "visibility": t.visibility})
}

/// The fields of a task an audit entry compares.
fn diff_base(t: &TaskData) -> serde_json::Value {
    serde_json::json!({"status": t.status, "owner": t.owner, "delegated_to": t.delegated_to, "due": t.due,
        "impact": t.impact, "urgency": t.urgency, "estimate_minutes": t.estimate_minutes, "goal": t.goal})
}
