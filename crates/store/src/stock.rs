//! Stock items and their movements.
//!
//! The quantity on hand lives in its own column, checked `>= 0` by both
//! engines. A movement first touches the item's row (which, on PostgreSQL,
//! locks it until the transaction ends; SQLite's `BEGIN IMMEDIATE` already
//! holds the write lock), reads the quantity, asks the domain rule what the
//! quantity becomes, then writes the item, the movement and the audit entry
//! together — so two people taking the last box at once cannot both succeed.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::tasks::ensure_in_org;
use crate::{from_micros, json, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{OrgId, PersonId, StockItemId};
use adjutant_core::office::stock::{MovementKind, StockItemData};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// A stored stock item with its quantity on hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockItemRecord {
    pub id: StockItemId,
    pub org: OrgId,
    pub data: StockItemData,
    pub quantity: i64,
    pub vendor_name: Option<String>,
    /// When it was last counted.
    pub last_counted: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One change of a quantity on hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockMovement {
    pub id: String,
    pub item: StockItemId,
    pub kind: MovementKind,
    pub amount: i64,
    pub delta: i64,
    pub quantity_after: i64,
    pub by: Option<PersonId>,
    pub by_label: String,
    pub note: String,
    pub at: Timestamp,
}

const ITEM_SELECT: &str = "SELECT s.*, v.name AS vendor_name,
        (SELECT MAX(m.at) FROM stock_movements m WHERE m.item_id = s.id AND m.kind = 'count') AS last_counted
   FROM stock_items s LEFT JOIN vendors v ON v.id = s.vendor_id WHERE s.org_id = $1";

macro_rules! item_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let counted: Option<i64> = r.try_get("last_counted")?;
        StockItemRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            data: serde_json::from_str(&data).map_err(corrupt)?,
            quantity: r.try_get("quantity")?,
            vendor_name: r.try_get("vendor_name")?,
            last_counted: counted.map(from_micros),
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! movement_row {
    ($r:expr) => {{
        let r = $r;
        let kind: String = r.try_get("kind")?;
        let by: Option<String> = r.try_get("by_id")?;
        StockMovement {
            id: r.try_get("id")?,
            item: parse_id(&r.try_get::<String, _>("item_id")?)?,
            kind: kind
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("stored movement kind `{kind}`")))?,
            amount: r.try_get("amount")?,
            delta: r.try_get("delta")?,
            quantity_after: r.try_get("quantity_after")?,
            by: by.as_deref().map(parse_id).transpose()?,
            by_label: r.try_get("by_label")?,
            note: r.try_get("note")?,
            at: from_micros(r.try_get("at")?),
        }
    }};
}

fn item_audit(d: &StockItemData) -> serde_json::Value {
    serde_json::json!({"name": d.name, "unit": d.unit, "reorder_point": d.reorder_point,
        "reorder_quantity": d.reorder_quantity, "preferred_vendor": d.preferred_vendor, "unit_price": d.unit_price})
}

/// Inserts a movement row on connection `$c` and evaluates to the movement.
macro_rules! insert_movement {
    ($c:expr, $org:expr, $item:expr, $kind:expr, $amount:expr, $delta:expr, $after:expr, $note:expr, $ctx:expr) => {{
        let m = $crate::stock::StockMovement {
            id: $crate::new_uuid().to_string(),
            item: $item,
            kind: $kind,
            amount: $amount,
            delta: $delta,
            quantity_after: $after,
            by: $ctx.actor,
            by_label: $ctx.actor_label.clone(),
            note: $note.to_string(),
            at: $ctx.now,
        };
        sqlx::query(
            "INSERT INTO stock_movements (org_id, id, item_id, kind, amount, delta, quantity_after, by_id, by_label, note, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind($org.to_string())
        .bind(&m.id)
        .bind(m.item.to_string())
        .bind(m.kind.as_str())
        .bind(m.amount)
        .bind(m.delta)
        .bind(m.quantity_after)
        .bind(m.by.map(|p| p.to_string()))
        .bind(&m.by_label)
        .bind(&m.note)
        .bind($crate::to_micros(m.at))
        .execute(&mut *$c)
        .await?;
        m
    }};
}

/// Applies a movement on connection `$c` inside the caller's transaction:
/// touches the item's row first (on PostgreSQL this locks it until commit),
/// asks the domain rule, writes the quantity and the movement. Evaluates to
/// `(item name, movement)`; a refused movement returns `StoreError::Invalid`.
macro_rules! move_in_tx {
    ($c:expr, $org:expr, $id:expr, $kind:expr, $amount:expr, $note:expr, $ctx:expr) => {{
        let row = sqlx::query(
            "UPDATE stock_items SET updated_at = $3 WHERE org_id = $1 AND id = $2 RETURNING quantity, name, data",
        )
        .bind($org.to_string())
        .bind($id.to_string())
        .bind($crate::to_micros($ctx.now))
        .fetch_optional(&mut *$c)
        .await?
        .ok_or($crate::error::StoreError::NotFound("stock item"))?;
        let on_hand: i64 = row.try_get("quantity")?;
        let name: String = row.try_get("name")?;
        let data: adjutant_core::office::stock::StockItemData =
            serde_json::from_str(&row.try_get::<String, _>("data")?).map_err($crate::stock::corrupt)?;
        let after = adjutant_core::office::stock::apply(on_hand, $kind, $amount, &data.unit)
            .map_err($crate::error::StoreError::Invalid)?;
        sqlx::query("UPDATE stock_items SET quantity = $3 WHERE org_id = $1 AND id = $2")
            .bind($org.to_string())
            .bind($id.to_string())
            .bind(after)
            .execute(&mut *$c)
            .await?;
        let m = insert_movement!($c, $org, $id, $kind, $amount, after - on_hand, after, $note, $ctx);
        (name, m)
    }};
}
pub(crate) use {insert_movement, move_in_tx};

impl Store {
    /// Adds a stock item with `quantity` on hand (recorded as its first count).
    pub async fn stock_create(
        &self,
        org: OrgId,
        data: &StockItemData,
        quantity: i64,
        ctx: &AuditCtx,
    ) -> Result<StockItemRecord, StoreError> {
        let id = StockItemId(new_uuid());
        let taken = format!("a stock item named `{}` already exists", data.name.trim());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "vendors", data.preferred_vendor.iter(), "vendor");
            sqlx::query(
                "INSERT INTO stock_items (org_id, id, name, name_key, vendor_id, quantity, data, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.name.trim())
            .bind(data.name_key())
            .bind(data.preferred_vendor.map(|v| v.to_string()))
            .bind(quantity)
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(&taken))?;
            insert_movement!(
                c,
                org,
                id,
                MovementKind::Count,
                quantity,
                quantity,
                quantity,
                "first count",
                ctx
            );
        });
        let mut details = item_audit(data);
        details["quantity"] = serde_json::json!(quantity);
        audit::record(
            &mut tx,
            org,
            ctx,
            "stock.create",
            "stock_item",
            Some(id.to_string()),
            details,
        )
        .await?;
        tx.commit().await?;
        self.stock_get(org, id).await
    }

    /// Replaces an item's fields (not its quantity: that moves only by movements).
    pub async fn stock_update(
        &self,
        org: OrgId,
        id: StockItemId,
        data: &StockItemData,
        ctx: &AuditCtx,
    ) -> Result<StockItemRecord, StoreError> {
        let taken = format!("a stock item named `{}` already exists", data.name.trim());
        let mut tx = self.begin().await?;
        let before: StockItemData = on_tx!(&mut tx, |c| {
            let stored: String = sqlx::query("SELECT data FROM stock_items WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("stock item"))?
                .try_get("data")?;
            let before: StockItemData = serde_json::from_str(&stored).map_err(corrupt)?;
            ensure_in_org!(c, org, "vendors", data.preferred_vendor.iter(), "vendor");
            sqlx::query(
                "UPDATE stock_items SET name = $3, name_key = $4, vendor_id = $5, data = $6, updated_at = $7
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.name.trim())
            .bind(data.name_key())
            .bind(data.preferred_vendor.map(|v| v.to_string()))
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(&taken))?;
            before
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "stock.update",
            "stock_item",
            Some(id.to_string()),
            serde_json::json!({"name": data.name, "from": item_audit(&before), "to": item_audit(data)}),
        )
        .await?;
        tx.commit().await?;
        self.stock_get(org, id).await
    }

    /// Deletes an item with its history, returning it as it was.
    pub async fn stock_delete(
        &self,
        org: OrgId,
        id: StockItemId,
        ctx: &AuditCtx,
    ) -> Result<StockItemRecord, StoreError> {
        let before = self.stock_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let done = sqlx::query("DELETE FROM stock_items WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("stock item"));
            }
        });
        let mut details = item_audit(&before.data);
        details["quantity"] = serde_json::json!(before.quantity);
        audit::record(
            &mut tx,
            org,
            ctx,
            "stock.delete",
            "stock_item",
            Some(id.to_string()),
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    pub async fn stock_get(&self, org: OrgId, id: StockItemId) -> Result<StockItemRecord, StoreError> {
        let sql = format!("{ITEM_SELECT} AND s.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("stock item"))?;
            Ok(item_row!(&row))
        })
    }

    /// The item of `org` with this name (case and spacing aside).
    pub async fn stock_by_name(&self, org: OrgId, name: &str) -> Result<StockItemRecord, StoreError> {
        let key = name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let sql = format!("{ITEM_SELECT} AND s.name_key = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(&key)
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("stock item"))?;
            Ok(item_row!(&row))
        })
    }

    /// Every stock item of `org` by name.
    pub async fn stock_list(&self, org: OrgId) -> Result<Vec<StockItemRecord>, StoreError> {
        let sql = format!("{ITEM_SELECT} ORDER BY s.name_key, s.id");
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(item_row!(r))).collect()
        })
    }

    /// Takes, receives or counts `amount`. A movement the domain refuses
    /// (taking more than there is) is a `Invalid` error and writes nothing.
    pub async fn stock_move(
        &self,
        org: OrgId,
        id: StockItemId,
        kind: MovementKind,
        amount: i64,
        note: &str,
        ctx: &AuditCtx,
    ) -> Result<(StockItemRecord, StockMovement), StoreError> {
        let mut tx = self.begin().await?;
        let (name, movement) = on_tx!(&mut tx, |c| move_in_tx!(c, org, id, kind, amount, note, ctx));
        audit::record(
            &mut tx,
            org,
            ctx,
            &format!("stock.{}", kind.as_str()),
            "stock_item",
            Some(id.to_string()),
            serde_json::json!({"name": name, "amount": amount, "delta": movement.delta,
                "quantity_after": movement.quantity_after, "note": note}),
        )
        .await?;
        tx.commit().await?;
        Ok((self.stock_get(org, id).await?, movement))
    }

    /// The latest `limit` movements of an item, newest first.
    pub async fn stock_movements(
        &self,
        org: OrgId,
        id: StockItemId,
        limit: u32,
    ) -> Result<Vec<StockMovement>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM stock_movements WHERE org_id = $1 AND item_id = $2 ORDER BY at DESC, id DESC LIMIT $3",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(i64::from(limit))
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(movement_row!(r))).collect()
        })
    }
}

pub(crate) fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("stored stock item: {e}"))
}
