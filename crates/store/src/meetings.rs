//! Meetings: the notes of one meeting (agenda, minutes, decisions) with its
//! goal and tags, the action items recorded with the minutes, and the files
//! attached to agenda items.
//!
//! A meeting is a single event, or one occurrence of a recurring series
//! (`occurrence` is the occurrence's recurrence id, stored as '' for a single
//! event); `UNIQUE (event_id, occurrence)` makes two requests that open the
//! same meeting at once agree on one row. The notes are stored as JSON beside
//! the columns lists filter on (event, start, goal).
//!
//! Which files an agenda item lists is decided by the `materials` table, not
//! by whoever writes the notes: every write of the notes sets each item's
//! `materials` to the files stored for it (keeping the writer's order), so
//! notes edited from a stale copy neither lose an attachment nor name one that
//! does not exist. Files of an item removed from the agenda stay stored and
//! are still listed by [`Store::materials_of`].

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, Tx, on_pool, on_tx};
use crate::error::StoreError;
use crate::tasks::{TaskRecord, ensure_in_org};
use crate::{from_micros, json, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{EventId, GoalId, MaterialId, MeetingId, OrgId, PersonId};
use adjutant_core::meetings::MeetingNotes;
use adjutant_core::tasks::task::TaskData;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// The notes of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingRecord {
    pub id: MeetingId,
    pub org: OrgId,
    pub event: EventId,
    /// The occurrence's recurrence id (`2026-12-07T09:00:00`); `None` for a single event.
    pub occurrence: Option<String>,
    /// When the meeting (this occurrence) starts.
    pub starts_at: Timestamp,
    pub goal: Option<GoalId>,
    pub tags: Vec<String>,
    pub notes: MeetingNotes,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A file attached to an agenda item (without its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MaterialRecord {
    pub id: MaterialId,
    pub org: OrgId,
    pub meeting: MeetingId,
    /// The agenda item's id.
    pub item: String,
    pub filename: String,
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub uploaded_by: Option<PersonId>,
    pub created_at: Timestamp,
}

/// The columns of `materials` a record is made of: everything but the content.
const MATERIAL_COLUMNS: &str =
    "org_id, id, meeting_id, item_id, filename, content_type, size, sha256, uploaded_by, created_at";

/// How many ids one `IN (…)` list binds, well under either engine's limit.
const IDS_PER_QUERY: usize = 500;

macro_rules! meeting_row {
    ($r:expr) => {{
        let r = $r;
        let notes: String = r.try_get("notes")?;
        let tags: String = r.try_get("tags")?;
        let occurrence: String = r.try_get("occurrence")?;
        let goal: Option<String> = r.try_get("goal_id")?;
        MeetingRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            event: parse_id(&r.try_get::<String, _>("event_id")?)?,
            occurrence: (!occurrence.is_empty()).then_some(occurrence),
            starts_at: from_micros(r.try_get("starts_at")?),
            goal: goal.as_deref().map(parse_id).transpose()?,
            tags: serde_json::from_str(&tags).map_err(corrupt("meeting tags"))?,
            notes: serde_json::from_str(&notes).map_err(corrupt("meeting notes"))?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! material_row {
    ($r:expr) => {{
        let r = $r;
        let by: Option<String> = r.try_get("uploaded_by")?;
        let size: i64 = r.try_get("size")?;
        MaterialRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            meeting: parse_id(&r.try_get::<String, _>("meeting_id")?)?,
            item: r.try_get("item_id")?,
            filename: r.try_get("filename")?,
            content_type: r.try_get("content_type")?,
            size: u64::try_from(size).map_err(|_| StoreError::Corrupt(format!("stored file size {size}")))?,
            sha256: r.try_get("sha256")?,
            uploaded_by: by.as_deref().map(parse_id).transpose()?,
            created_at: from_micros(r.try_get("created_at")?),
        }
    }};
}

impl Store {
    /// The meeting of `event` (at `occurrence`, or the single event when
    /// `None`), created with empty notes when it has none yet. Audited
    /// `meeting.create` only when created. The event must be of `org`.
    pub async fn meeting_ensure(
        &self,
        org: OrgId,
        event: EventId,
        occurrence: Option<&str>,
        starts_at: Timestamp,
        ctx: &AuditCtx,
    ) -> Result<MeetingRecord, StoreError> {
        // Most calls open a meeting that already has notes: no write lock for those.
        if let Some(m) = self.meeting_find(org, event, occurrence).await? {
            return Ok(m);
        }
        let occ = occurrence.unwrap_or("");
        let id = MeetingId(new_uuid());
        let mut tx = self.begin().await?;
        let created = on_tx!(&mut tx, |c| {
            let found = sqlx::query("SELECT 1 AS one FROM events WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(event.to_string())
                .fetch_optional(&mut *c)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound("event"));
            }
            // A creator that lost the race inserts nothing (rather than failing,
            // which would abort the transaction on PostgreSQL) and reads the winner's row.
            sqlx::query(
                "INSERT INTO meetings (org_id, id, event_id, occurrence, starts_at, goal_id, tags, notes,
                     created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, NULL, '[]', $6, $7, $7)
                 ON CONFLICT (event_id, occurrence) DO NOTHING",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(event.to_string())
            .bind(occ)
            .bind(to_micros(starts_at))
            .bind(json(&MeetingNotes::default())?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("the event no longer exists"))?
            .rows_affected()
                == 1
        });
        if created {
            audit::record(
                &mut tx,
                org,
                ctx,
                "meeting.create",
                "meeting",
                Some(id.to_string()),
                serde_json::json!({"event": event, "occurrence": occurrence, "starts_at": starts_at}),
            )
            .await?;
        }
        tx.commit().await?;
        self.meeting_find(org, event, occurrence)
            .await?
            .ok_or(StoreError::NotFound("meeting"))
    }

    pub async fn meeting_get(&self, org: OrgId, id: MeetingId) -> Result<MeetingRecord, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM meetings WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("meeting"))?;
            Ok(meeting_row!(&row))
        })
    }

    /// The meeting of `event` at `occurrence` (`None`: the single event), if it has notes.
    pub async fn meeting_find(
        &self,
        org: OrgId,
        event: EventId,
        occurrence: Option<&str>,
    ) -> Result<Option<MeetingRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let row =
                sqlx::query("SELECT * FROM meetings WHERE org_id = $1 AND event_id = $2 AND occurrence = $3")
                    .bind(org.to_string())
                    .bind(event.to_string())
                    .bind(occurrence.unwrap_or(""))
                    .fetch_optional(c)
                    .await?;
            match row {
                Some(r) => Ok(Some(meeting_row!(&r))),
                None => Ok(None),
            }
        })
    }

    /// Every meeting of an event (each occurrence that has notes), by start:
    /// where "the previous meeting of the series" is found.
    pub async fn meetings_of_event(
        &self,
        org: OrgId,
        event: EventId,
    ) -> Result<Vec<MeetingRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM meetings WHERE org_id = $1 AND event_id = $2 ORDER BY starts_at, id",
            )
            .bind(org.to_string())
            .bind(event.to_string())
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(meeting_row!(r))).collect()
        })
    }

    /// Meetings starting in `[from, to)`, by start.
    pub async fn meeting_list(
        &self,
        org: OrgId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<MeetingRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM meetings WHERE org_id = $1 AND starts_at >= $2 AND starts_at < $3
                 ORDER BY starts_at, id",
            )
            .bind(org.to_string())
            .bind(to_micros(from))
            .bind(to_micros(to))
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(meeting_row!(r))).collect()
        })
    }

    /// The meetings of `ids` that exist in `org`, in the order asked.
    pub async fn meetings_by_ids(
        &self,
        org: OrgId,
        ids: &[MeetingId],
    ) -> Result<Vec<MeetingRecord>, StoreError> {
        let mut found: BTreeMap<MeetingId, MeetingRecord> = BTreeMap::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT * FROM meetings WHERE org_id = $1 AND id IN ({list})");
            let rows: Vec<MeetingRecord> = on_pool!(&self.pool, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string());
                for id in chunk {
                    q = q.bind(id.to_string());
                }
                let rows = q.fetch_all(c).await?;
                rows.iter()
                    .map(|r| Ok(meeting_row!(r)))
                    .collect::<Result<_, StoreError>>()?
            });
            found.extend(rows.into_iter().map(|m| (m.id, m)));
        }
        Ok(ids.iter().filter_map(|i| found.get(i).cloned()).collect())
    }

    /// Replaces the notes, goal and tags of a meeting. The goal must be of `org`.
    /// Each agenda item lists the files stored for it, whatever `notes` says
    /// (see the module documentation).
    pub async fn meeting_update(
        &self,
        org: OrgId,
        id: MeetingId,
        notes: &MeetingNotes,
        goal: Option<GoalId>,
        tags: &[String],
        ctx: &AuditCtx,
    ) -> Result<MeetingRecord, StoreError> {
        let mut tx = self.begin().await?;
        let before = meeting_for_update(&mut tx, org, id).await?;
        on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "goals", goal.iter(), "goal");
        });
        let after = MeetingRecord {
            notes: notes.clone(),
            goal,
            tags: tags.to_vec(),
            ..before.clone()
        };
        save_notes(&mut tx, after, ctx.now).await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            "meeting.update",
            "meeting",
            Some(id.to_string()),
            serde_json::json!({"event": before.event, "occurrence": before.occurrence,
                "from": note_counts(&before.notes, before.goal, &before.tags),
                "to": note_counts(notes, goal, tags)}),
        )
        .await?;
        tx.commit().await?;
        self.meeting_get(org, id).await
    }

    /// Records the minutes: replaces the notes and stores each action item as
    /// a task of this meeting, all in one transaction — if one task is refused,
    /// neither the notes nor any task is written. Each task is audited as
    /// `meeting.action_item`, the notes as `meeting.record`.
    pub async fn meeting_record(
        &self,
        org: OrgId,
        id: MeetingId,
        notes: &MeetingNotes,
        actions: &[TaskData],
        ctx: &AuditCtx,
    ) -> Result<(MeetingRecord, Vec<TaskRecord>), StoreError> {
        let mut tx = self.begin().await?;
        let before = meeting_for_update(&mut tx, org, id).await?;
        let after = MeetingRecord {
            notes: notes.clone(),
            ..before.clone()
        };
        save_notes(&mut tx, after, ctx.now).await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            "meeting.record",
            "meeting",
            Some(id.to_string()),
            serde_json::json!({"event": before.event, "occurrence": before.occurrence,
                "from": note_counts(&before.notes, before.goal, &before.tags),
                "to": note_counts(notes, before.goal, &before.tags), "action_items": actions.len()}),
        )
        .await?;
        let mut ids = Vec::with_capacity(actions.len());
        for data in actions {
            // An action item of this meeting is, by definition, from this meeting.
            let data = TaskData {
                from_meeting: Some(id),
                ..data.clone()
            };
            let task = self.insert_task_in(&mut tx, org, &data, ctx).await?;
            audit::record(
                &mut tx,
                org,
                ctx,
                "meeting.action_item",
                "task",
                Some(task.to_string()),
                serde_json::json!({"meeting": id, "title": data.title, "owner": data.owner,
                    "delegated_to": data.delegated_to, "due": data.due, "status": data.status,
                    "visibility": data.visibility}),
            )
            .await?;
            ids.push(task);
        }
        tx.commit().await?;
        Ok((
            self.meeting_get(org, id).await?,
            self.tasks_by_ids(org, &ids).await?,
        ))
    }

    /// Stores a file for agenda item `item` (which must be on the meeting's
    /// agenda) and lists it on that item, in one transaction. `sha256` is the
    /// hex digest of `bytes`, computed by the caller. The audit entry names the
    /// file, never its content.
    #[allow(clippy::too_many_arguments)]
    pub async fn material_add(
        &self,
        org: OrgId,
        meeting: MeetingId,
        item: &str,
        filename: &str,
        content_type: &str,
        sha256: &str,
        bytes: &[u8],
        ctx: &AuditCtx,
    ) -> Result<MaterialRecord, StoreError> {
        let size =
            i64::try_from(bytes.len()).map_err(|_| StoreError::Conflict("the file is too large".into()))?;
        let id = MaterialId(new_uuid());
        let mut tx = self.begin().await?;
        let m = meeting_for_update(&mut tx, org, meeting).await?;
        if !m.notes.agenda.iter().any(|i| i.id == item) {
            return Err(StoreError::NotFound("agenda item"));
        }
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO materials (org_id, id, meeting_id, item_id, filename, content_type, size, sha256,
                     content, uploaded_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(meeting.to_string())
            .bind(item)
            .bind(filename)
            .bind(content_type)
            .bind(size)
            .bind(sha256)
            .bind(bytes)
            .bind(ctx.actor.map(|p| p.to_string()))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("the meeting no longer exists"))?;
        });
        save_notes(&mut tx, m, ctx.now).await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            "material.add",
            "material",
            Some(id.to_string()),
            serde_json::json!({"meeting": meeting, "item": item, "filename": filename, "size": size,
                "content_type": content_type}),
        )
        .await?;
        tx.commit().await?;
        self.material_meta(org, id).await
    }

    /// A file with its content.
    pub async fn material_get(
        &self,
        org: OrgId,
        id: MaterialId,
    ) -> Result<(MaterialRecord, Vec<u8>), StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM materials WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("material"))?;
            let content: Vec<u8> = row.try_get("content")?;
            Ok((material_row!(&row), content))
        })
    }

    /// The files of a meeting (without content), oldest first.
    pub async fn materials_of(
        &self,
        org: OrgId,
        meeting: MeetingId,
    ) -> Result<Vec<MaterialRecord>, StoreError> {
        let sql = format!(
            "SELECT {MATERIAL_COLUMNS} FROM materials WHERE org_id = $1 AND meeting_id = $2 ORDER BY created_at, id"
        );
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(meeting.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(material_row!(r))).collect()
        })
    }

    /// Deletes a file and takes it off its agenda item, in one transaction.
    pub async fn material_delete(
        &self,
        org: OrgId,
        id: MaterialId,
        ctx: &AuditCtx,
    ) -> Result<MaterialRecord, StoreError> {
        let mut tx = self.begin().await?;
        let sql = format!("SELECT {MATERIAL_COLUMNS} FROM materials WHERE org_id = $1 AND id = $2");
        let file = on_tx!(&mut tx, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("material"))?;
            material_row!(&row)
        });
        // Lock the notes before the file goes, so the item list written below is current.
        let m = meeting_for_update(&mut tx, org, file.meeting).await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM materials WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
        });
        save_notes(&mut tx, m, ctx.now).await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            "material.delete",
            "material",
            Some(id.to_string()),
            serde_json::json!({"meeting": file.meeting, "item": file.item, "filename": file.filename,
                "size": file.size, "content_type": file.content_type}),
        )
        .await?;
        tx.commit().await?;
        Ok(file)
    }

    /// A file without its content.
    async fn material_meta(&self, org: OrgId, id: MaterialId) -> Result<MaterialRecord, StoreError> {
        let sql = format!("SELECT {MATERIAL_COLUMNS} FROM materials WHERE org_id = $1 AND id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("material"))?;
            Ok(material_row!(&row))
        })
    }
}

/// Reads a meeting inside `tx`, locking its row on PostgreSQL so that two
/// writers of the same notes take turns (SQLite's `BEGIN IMMEDIATE` already
/// serialises every writer).
async fn meeting_for_update(tx: &mut Tx, org: OrgId, id: MeetingId) -> Result<MeetingRecord, StoreError> {
    let sql = match tx {
        Tx::Sqlite(_) => "SELECT * FROM meetings WHERE org_id = $1 AND id = $2",
        Tx::Postgres(_) => "SELECT * FROM meetings WHERE org_id = $1 AND id = $2 FOR UPDATE",
    };
    on_tx!(tx, |c| {
        let row = sqlx::query(sql)
            .bind(org.to_string())
            .bind(id.to_string())
            .fetch_optional(&mut *c)
            .await?
            .ok_or(StoreError::NotFound("meeting"))?;
        Ok(meeting_row!(&row))
    })
}

/// Writes `m`'s notes, goal and tags inside `tx`, each agenda item listing
/// exactly the files stored for it (see the module documentation).
async fn save_notes(tx: &mut Tx, mut m: MeetingRecord, now: Timestamp) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "SELECT id, item_id FROM materials WHERE org_id = $1 AND meeting_id = $2 ORDER BY created_at, id",
        )
        .bind(m.org.to_string())
        .bind(m.id.to_string())
        .fetch_all(&mut *c)
        .await?;
        let files = rows
            .iter()
            .map(|r| {
                Ok((
                    parse_id(&r.try_get::<String, _>("id")?)?,
                    r.try_get::<String, _>("item_id")?,
                ))
            })
            .collect::<Result<Vec<(MaterialId, String)>, StoreError>>()?;
        list_stored_files(&mut m.notes, &files);
        sqlx::query(
            "UPDATE meetings SET notes = $3, goal_id = $4, tags = $5, updated_at = $6 WHERE org_id = $1 AND id = $2",
        )
        .bind(m.org.to_string())
        .bind(m.id.to_string())
        .bind(json(&m.notes)?)
        .bind(m.goal.map(|g| g.to_string()))
        .bind(json(&m.tags)?)
        .bind(to_micros(now))
        .execute(&mut *c)
        .await
        .map_err(StoreError::on_constraint("the goal no longer exists"))?;
    });
    Ok(())
}

/// Sets each item's `materials` to the files stored for it: those already
/// listed keep their order, unknown ids and repeats are dropped, files not yet
/// listed are appended oldest first.
fn list_stored_files(notes: &mut MeetingNotes, files: &[(MaterialId, String)]) {
    for item in &mut notes.agenda {
        let stored: Vec<MaterialId> = files
            .iter()
            .filter(|(_, i)| *i == item.id)
            .map(|(f, _)| *f)
            .collect();
        let mut listed: Vec<MaterialId> = Vec::with_capacity(stored.len());
        for f in item.materials.iter().chain(&stored) {
            if stored.contains(f) && !listed.contains(f) {
                listed.push(*f);
            }
        }
        item.materials = listed;
    }
}

/// What the audit log keeps of a meeting's notes: their shape, not their text.
fn note_counts(notes: &MeetingNotes, goal: Option<GoalId>, tags: &[String]) -> serde_json::Value {
    serde_json::json!({"items": notes.agenda.len(), "decisions": notes.decisions.len(),
        "minutes_chars": notes.minutes.chars().count(), "goal": goal, "tags": tags})
}

fn corrupt(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}
