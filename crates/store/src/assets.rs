//! Assets and their history.
//!
//! An asset's state (who holds it, until when, its condition, its last
//! maintenance, whether it is retired) changes only through [`Store::asset_act`]:
//! it first touches the asset's row (which, on PostgreSQL, locks it until the
//! transaction ends; SQLite's `BEGIN IMMEDIATE` already holds the write lock),
//! reads the stored state, asks the domain rule ([`adjutant_core::office::asset::apply`])
//! what it becomes, then writes the state, the history entry and the audit
//! entry together — so of several people checking out the same laptop at
//! once, exactly one wins and the others are told it is already out.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::tasks::ensure_in_org;
use crate::{from_micros, json, new_uuid, parse_date, parse_id, to_micros};
use adjutant_core::ValidationError;
use adjutant_core::ids::{AssetId, OrgId, PersonId};
use adjutant_core::office::asset::{Action, AssetData, AssetState, Condition, tag_key};
use adjutant_core::office::money::{Currency, Money};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;

/// A stored asset with what has happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetRecord {
    pub id: AssetId,
    pub org: OrgId,
    pub data: AssetData,
    pub state: AssetState,
    pub holder_name: Option<String>,
    pub vendor_name: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One entry of an asset's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetEvent {
    pub id: String,
    pub asset: AssetId,
    /// create, edit, assign, checkout, checkin, maintain, retire.
    pub kind: String,
    pub person: Option<PersonId>,
    pub person_label: String,
    pub expected_return: Option<Date>,
    pub condition: Option<Condition>,
    /// The day maintenance was done.
    pub on: Option<Date>,
    pub cost: Option<Money>,
    pub note: String,
    pub by: Option<PersonId>,
    pub by_label: String,
    pub at: Timestamp,
}

/// What goes into a history entry beside its kind.
#[derive(Debug, Clone, Default)]
pub struct EventDetails {
    pub note: String,
    /// What maintenance cost.
    pub cost: Option<Money>,
}

const ASSET_SELECT: &str = "SELECT a.*, v.name AS vendor_name, p.name AS holder_name
   FROM assets a LEFT JOIN vendors v ON v.id = a.vendor_id LEFT JOIN persons p ON p.id = a.holder_id
  WHERE a.org_id = $1";

macro_rules! asset_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let state: String = r.try_get("state")?;
        AssetRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            data: serde_json::from_str(&data).map_err(corrupt)?,
            state: serde_json::from_str(&state).map_err(corrupt)?,
            holder_name: r.try_get("holder_name")?,
            vendor_name: r.try_get("vendor_name")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! event_row {
    ($r:expr) => {{
        let r = $r;
        let person: Option<String> = r.try_get("person_id")?;
        let by: Option<String> = r.try_get("by_id")?;
        let ret: Option<String> = r.try_get("expected_return")?;
        let on: Option<String> = r.try_get("on_date")?;
        let condition: Option<String> = r.try_get("condition")?;
        let minor: Option<i64> = r.try_get("cost_minor")?;
        let currency: Option<String> = r.try_get("currency")?;
        AssetEvent {
            id: r.try_get("id")?,
            asset: parse_id(&r.try_get::<String, _>("asset_id")?)?,
            kind: r.try_get("kind")?,
            person: person.as_deref().map(parse_id).transpose()?,
            person_label: r.try_get("person_label")?,
            expected_return: ret.as_deref().map(parse_date).transpose()?,
            condition: condition
                .as_deref()
                .map(|c| {
                    c.parse::<Condition>()
                        .map_err(|_| StoreError::Corrupt(format!("stored condition `{c}`")))
                })
                .transpose()?,
            on: on.as_deref().map(parse_date).transpose()?,
            cost: match (minor, currency) {
                (Some(m), Some(c)) => Some(Money::new(
                    m,
                    Currency::parse(&c).map_err(|_| StoreError::Corrupt(format!("stored currency `{c}`")))?,
                )),
                _ => None,
            },
            note: r.try_get("note")?,
            by: by.as_deref().map(parse_id).transpose()?,
            by_label: r.try_get("by_label")?,
            at: from_micros(r.try_get("at")?),
        }
    }};
}

/// Inserts a history entry on connection `$c` and evaluates to it.
macro_rules! insert_event {
    ($c:expr, $org:expr, $e:expr) => {{
        let e: AssetEvent = $e;
        sqlx::query(
            "INSERT INTO asset_events (org_id, id, asset_id, kind, person_id, person_label, expected_return,
                condition, on_date, cost_minor, currency, note, by_id, by_label, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind($org.to_string())
        .bind(&e.id)
        .bind(e.asset.to_string())
        .bind(&e.kind)
        .bind(e.person.map(|p| p.to_string()))
        .bind(&e.person_label)
        .bind(e.expected_return.map(|d| d.to_string()))
        .bind(e.condition.map(|c| c.as_str().to_string()))
        .bind(e.on.map(|d| d.to_string()))
        .bind(e.cost.map(|m| m.minor))
        .bind(e.cost.map(|m| m.currency.code().to_string()))
        .bind(&e.note)
        .bind(e.by.map(|p| p.to_string()))
        .bind(&e.by_label)
        .bind(to_micros(e.at))
        .execute(&mut *$c)
        .await?;
        e
    }};
}

fn event(id: AssetId, kind: &str, ctx: &AuditCtx, note: &str) -> AssetEvent {
    AssetEvent {
        id: new_uuid().to_string(),
        asset: id,
        kind: kind.into(),
        person: None,
        person_label: String::new(),
        expected_return: None,
        condition: None,
        on: None,
        cost: None,
        note: note.into(),
        by: ctx.actor,
        by_label: ctx.actor_label.clone(),
        at: ctx.now,
    }
}

fn asset_audit(d: &AssetData) -> serde_json::Value {
    serde_json::json!({"tag": d.tag, "kind": d.kind, "model": d.model, "serial": d.serial,
        "purchased": d.purchased, "cost": d.cost, "vendor": d.vendor, "warranty_end": d.warranty_end,
        "licence_expiry": d.licence_expiry, "maintenance_months": d.maintenance_months, "location": d.location})
}

impl Store {
    /// Registers an asset (available, with a `create` history entry).
    pub async fn asset_create(
        &self,
        org: OrgId,
        data: &AssetData,
        ctx: &AuditCtx,
    ) -> Result<AssetRecord, StoreError> {
        let id = AssetId(new_uuid());
        let taken = format!("an asset tagged `{}` already exists", data.tag.trim());
        let state = AssetState::default();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "vendors", data.vendor.iter(), "vendor");
            sqlx::query(
                "INSERT INTO assets (org_id, id, tag, tag_key, kind, vendor_id, holder_id, status, expected_return,
                    data, state, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, NULL, $8, $9, $10, $10)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.tag.trim())
            .bind(data.tag_key())
            .bind(data.kind.as_str())
            .bind(data.vendor.map(|v| v.to_string()))
            .bind(state.status().as_str())
            .bind(json(data)?)
            .bind(json(&state)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(&taken))?;
            insert_event!(c, org, event(id, "create", ctx, ""));
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "asset.create",
            "asset",
            Some(id.to_string()),
            asset_audit(data),
        )
        .await?;
        tx.commit().await?;
        self.asset_get(org, id).await
    }

    /// Replaces an asset's register entry (not its state: that changes by [`Store::asset_act`]).
    pub async fn asset_update(
        &self,
        org: OrgId,
        id: AssetId,
        data: &AssetData,
        note: &str,
        ctx: &AuditCtx,
    ) -> Result<AssetRecord, StoreError> {
        let taken = format!("an asset tagged `{}` already exists", data.tag.trim());
        let mut tx = self.begin().await?;
        let before: AssetData = on_tx!(&mut tx, |c| {
            let stored: String = sqlx::query("SELECT data FROM assets WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("asset"))?
                .try_get("data")?;
            let before: AssetData = serde_json::from_str(&stored).map_err(corrupt)?;
            ensure_in_org!(c, org, "vendors", data.vendor.iter(), "vendor");
            sqlx::query(
                "UPDATE assets SET tag = $3, tag_key = $4, kind = $5, vendor_id = $6, data = $7, updated_at = $8
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.tag.trim())
            .bind(data.tag_key())
            .bind(data.kind.as_str())
            .bind(data.vendor.map(|v| v.to_string()))
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(&taken))?;
            insert_event!(c, org, event(id, "edit", ctx, note));
            before
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "asset.update",
            "asset",
            Some(id.to_string()),
            serde_json::json!({"tag": data.tag, "from": asset_audit(&before), "to": asset_audit(data)}),
        )
        .await?;
        tx.commit().await?;
        self.asset_get(org, id).await
    }

    /// Assigns, checks out, checks in, maintains or retires an asset on
    /// `today`. What the domain refuses against the stored state (assigning an
    /// asset already out, a return date before today) is `Invalid` and writes nothing.
    pub async fn asset_act(
        &self,
        org: OrgId,
        id: AssetId,
        action: &Action,
        today: Date,
        details: &EventDetails,
        ctx: &AuditCtx,
    ) -> Result<(AssetRecord, AssetEvent), StoreError> {
        let mut tx = self.begin().await?;
        let (tag, entry) = on_tx!(&mut tx, |c| {
            // Touch the row first: on PostgreSQL this locks it until commit,
            // so a second checkout waits and then reads the first one's state.
            let row = sqlx::query(
                "UPDATE assets SET updated_at = $3 WHERE org_id = $1 AND id = $2 RETURNING tag, state, holder_id",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(to_micros(ctx.now))
            .fetch_optional(&mut *c)
            .await?
            .ok_or(StoreError::NotFound("asset"))?;
            let tag: String = row.try_get("tag")?;
            let state: AssetState =
                serde_json::from_str(&row.try_get::<String, _>("state")?).map_err(corrupt)?;
            let held_by: Option<String> = row.try_get("holder_id")?;
            let next =
                adjutant_core::office::asset::apply(&state, action, today).map_err(StoreError::Invalid)?;
            let mut e = event(id, action.kind(), ctx, &details.note);
            // Whom it goes to, or who brings it back.
            let person = match action {
                Action::Assign { to, .. } => Some(*to),
                Action::CheckIn { .. } => held_by.as_deref().map(parse_id).transpose()?,
                _ => None,
            };
            if let Some(p) = person {
                let found = sqlx::query("SELECT name FROM persons WHERE org_id = $1 AND id = $2")
                    .bind(org.to_string())
                    .bind(p.to_string())
                    .fetch_optional(&mut *c)
                    .await?;
                let Some(found) = found else {
                    return Err(StoreError::Invalid(ValidationError::field(
                        "person",
                        format!("no one in this organisation is `{p}`"),
                    )));
                };
                e.person = Some(p);
                e.person_label = found.try_get("name")?;
            }
            match action {
                Action::Assign { expected_return, .. } => e.expected_return = *expected_return,
                Action::CheckIn { condition } => e.condition = Some(*condition),
                Action::Maintain { on } => {
                    e.on = Some(*on);
                    e.cost = details.cost;
                }
                Action::Retire => {}
            }
            sqlx::query(
                "UPDATE assets SET holder_id = $3, status = $4, expected_return = $5, state = $6
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(next.holder.map(|p| p.to_string()))
            .bind(next.status().as_str())
            .bind(next.expected_return.map(|d| d.to_string()))
            .bind(json(&next)?)
            .execute(&mut *c)
            .await?;
            let e = insert_event!(c, org, e);
            (tag, e)
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            &format!("asset.{}", entry.kind),
            "asset",
            Some(id.to_string()),
            serde_json::json!({"tag": tag, "person": entry.person, "expected_return": entry.expected_return,
                "condition": entry.condition, "on": entry.on, "cost": entry.cost, "note": entry.note}),
        )
        .await?;
        tx.commit().await?;
        Ok((self.asset_get(org, id).await?, entry))
    }

    pub async fn asset_get(&self, org: OrgId, id: AssetId) -> Result<AssetRecord, StoreError> {
        let sql = format!("{ASSET_SELECT} AND a.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("asset"))?;
            Ok(asset_row!(&row))
        })
    }

    /// The asset of `org` with this tag (case aside).
    pub async fn asset_by_tag(&self, org: OrgId, tag: &str) -> Result<AssetRecord, StoreError> {
        let sql = format!("{ASSET_SELECT} AND a.tag_key = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(tag_key(tag))
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("asset"))?;
            Ok(asset_row!(&row))
        })
    }

    /// Every asset of `org` by tag.
    pub async fn asset_list(&self, org: OrgId) -> Result<Vec<AssetRecord>, StoreError> {
        let sql = format!("{ASSET_SELECT} ORDER BY a.tag_key, a.id");
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(asset_row!(r))).collect()
        })
    }

    /// The assets `person` holds (assigned or checked out), by tag.
    pub async fn asset_list_held(
        &self,
        org: OrgId,
        person: PersonId,
    ) -> Result<Vec<AssetRecord>, StoreError> {
        let sql = format!("{ASSET_SELECT} AND a.holder_id = $2 ORDER BY a.tag_key, a.id");
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(person.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(asset_row!(r))).collect()
        })
    }

    /// An asset's history, newest first.
    pub async fn asset_history(&self, org: OrgId, id: AssetId) -> Result<Vec<AssetEvent>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM asset_events WHERE org_id = $1 AND asset_id = $2 ORDER BY at DESC, id DESC",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(event_row!(r))).collect()
        })
    }
}

pub(crate) fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("stored asset: {e}"))
}
