//! Purchases: requests, approvals, orders and deliveries.
//!
//! Every change of status is one conditional `UPDATE … WHERE status IN (…)`,
//! so two people deciding at once cannot both win, and a purchase cannot
//! move from a state the rule does not allow. A delivery locks the purchase,
//! checks it against what is still due, and counts received stock items into
//! the stock room in the same transaction.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::stock::{StockMovement, insert_movement, move_in_tx};
use crate::tasks::ensure_in_org;
use crate::{from_micros, json, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{OrgId, PersonId, PurchaseId};
use adjutant_core::office::purchase::{PurchaseData, Status};
use adjutant_core::office::stock::MovementKind;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// A stored purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseRecord {
    pub id: PurchaseId,
    pub org: OrgId,
    /// `PO-2026-0007`
    pub number: String,
    pub status: Status,
    pub data: PurchaseData,
    pub requested_by: Option<PersonId>,
    pub requested_label: String,
    pub vendor_name: Option<String>,
    pub decided_by: Option<PersonId>,
    pub decided_label: String,
    pub decided_at: Option<Timestamp>,
    pub decision_note: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const PURCHASE_SELECT: &str = "SELECT p.*, v.name AS vendor_name FROM purchases p
   LEFT JOIN vendors v ON v.id = p.vendor_id WHERE p.org_id = $1";

macro_rules! purchase_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let status: String = r.try_get("status")?;
        let by: Option<String> = r.try_get("requested_by")?;
        let decided: Option<String> = r.try_get("decided_by")?;
        let decided_at: Option<i64> = r.try_get("decided_at")?;
        PurchaseRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            number: r.try_get("number")?,
            status: status
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("stored purchase status `{status}`")))?,
            data: serde_json::from_str(&data).map_err(corrupt)?,
            requested_by: by.as_deref().map(parse_id).transpose()?,
            requested_label: r.try_get("requested_label")?,
            vendor_name: r.try_get("vendor_name")?,
            decided_by: decided.as_deref().map(parse_id).transpose()?,
            decided_label: r.try_get("decided_label")?,
            decided_at: decided_at.map(from_micros),
            decision_note: r.try_get("decision_note")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

fn statuses(list: &[Status]) -> String {
    list.iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn shape(d: &PurchaseData) -> serde_json::Value {
    serde_json::json!({"title": d.title, "vendor": d.vendor, "category": d.category,
        "total": d.total(), "lines": d.lines.len()})
}

impl Store {
    /// Adds a purchase in `status` (draft or submitted), requested by
    /// `requested_by` (`None`: the stock rule), numbered in sequence.
    pub async fn purchase_create(
        &self,
        org: OrgId,
        data: &PurchaseData,
        status: Status,
        requested_by: Option<PersonId>,
        requested_label: &str,
        ctx: &AuditCtx,
    ) -> Result<PurchaseRecord, StoreError> {
        let id = PurchaseId(new_uuid());
        let total = data
            .total()
            .ok_or_else(|| StoreError::Conflict("the total is beyond one trillion".into()))?;
        let year = ctx.now.to_zoned(jiff::tz::TimeZone::UTC).year();
        let mut tx = self.begin().await?;
        let number = on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "vendors", data.vendor.iter(), "vendor");
            ensure_in_org!(c, org, "persons", requested_by.iter(), "requester");
            let items: Vec<_> = data.lines.iter().filter_map(|l| l.stock_item).collect();
            ensure_in_org!(c, org, "stock_items", items, "stock item");
            let seq: i64 =
                sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM purchases WHERE org_id = $1")
                    .bind(org.to_string())
                    .fetch_one(&mut *c)
                    .await?
                    .try_get("next")?;
            let number = format!("PO-{year}-{seq:04}");
            sqlx::query(
                "INSERT INTO purchases (org_id, id, seq, number, title, status, requested_by, requested_label,
                     vendor_id, currency, total_minor, data, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(seq)
            .bind(&number)
            .bind(data.title.trim())
            .bind(status.as_str())
            .bind(requested_by.map(|p| p.to_string()))
            .bind(requested_label)
            .bind(data.vendor.map(|v| v.to_string()))
            .bind(data.currency.code())
            .bind(total.minor)
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("another purchase took that number; try again"))?;
            number
        });
        let mut details = shape(data);
        details["number"] = serde_json::json!(number);
        details["status"] = serde_json::json!(status);
        audit::record(
            &mut tx,
            org,
            ctx,
            "purchase.create",
            "purchase",
            Some(id.to_string()),
            details,
        )
        .await?;
        tx.commit().await?;
        self.purchase_get(org, id).await
    }

    /// Replaces a purchase's lines and details while it still waits for approval.
    pub async fn purchase_update(
        &self,
        org: OrgId,
        id: PurchaseId,
        data: &PurchaseData,
        ctx: &AuditCtx,
    ) -> Result<PurchaseRecord, StoreError> {
        let total = data
            .total()
            .ok_or_else(|| StoreError::Conflict("the total is beyond one trillion".into()))?;
        let waiting = statuses(&[Status::Draft, Status::Submitted]);
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "vendors", data.vendor.iter(), "vendor");
            let items: Vec<_> = data.lines.iter().filter_map(|l| l.stock_item).collect();
            ensure_in_org!(c, org, "stock_items", items, "stock item");
            let sql = format!(
                "UPDATE purchases SET title = $3, vendor_id = $4, currency = $5, total_minor = $6, data = $7,
                     updated_at = $8 WHERE org_id = $1 AND id = $2 AND status IN ({waiting})"
            );
            let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(data.title.trim())
                .bind(data.vendor.map(|v| v.to_string()))
                .bind(data.currency.code())
                .bind(total.minor)
                .bind(json(data)?)
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?;
            if done.rows_affected() == 0 {
                return Err(self.why_not(org, id, "changed").await);
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "purchase.update",
            "purchase",
            Some(id.to_string()),
            shape(data),
        )
        .await?;
        tx.commit().await?;
        self.purchase_get(org, id).await
    }

    /// `NotFound`, or a `Conflict` naming the status that forbids `what`.
    async fn why_not(&self, org: OrgId, id: PurchaseId, what: &str) -> StoreError {
        match self.purchase_get(org, id).await {
            Ok(p) => StoreError::Conflict(format!(
                "{} is {}; it can no longer be {what}",
                p.number, p.status
            )),
            Err(e) => e,
        }
    }

    /// Moves a purchase from one of `from` to `to`, recording the decision
    /// (who and why) when `decision` is set. A purchase no longer in `from`
    /// (someone else decided first) is a `Conflict`.
    pub async fn purchase_transition(
        &self,
        org: OrgId,
        id: PurchaseId,
        from: &[Status],
        to: Status,
        decision: Option<&str>,
        ctx: &AuditCtx,
    ) -> Result<PurchaseRecord, StoreError> {
        let allowed = statuses(from);
        let mut tx = self.begin().await?;
        let number: Option<String> = on_tx!(&mut tx, |c| {
            let sql = match decision {
                Some(_) => format!(
                    "UPDATE purchases SET status = $3, updated_at = $4, decided_by = $5, decided_label = $6,
                         decided_at = $4, decision_note = $7
                     WHERE org_id = $1 AND id = $2 AND status IN ({allowed}) RETURNING number"
                ),
                None => format!(
                    "UPDATE purchases SET status = $3, updated_at = $4
                     WHERE org_id = $1 AND id = $2 AND status IN ({allowed}) RETURNING number"
                ),
            };
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(to.as_str())
                .bind(to_micros(ctx.now));
            if let Some(note) = decision {
                q = q
                    .bind(ctx.actor.map(|p| p.to_string()))
                    .bind(ctx.actor_label.clone())
                    .bind(note);
            }
            match q.fetch_optional(&mut *c).await? {
                Some(r) => Some(r.try_get("number")?),
                None => None,
            }
        });
        let Some(number) = number else {
            drop(tx);
            return Err(self.why_not(org, id, &format!("made {to}")).await);
        };
        audit::record(
            &mut tx,
            org,
            ctx,
            &format!("purchase.{}", to.as_str()),
            "purchase",
            Some(id.to_string()),
            serde_json::json!({"number": number, "to": to, "note": decision}),
        )
        .await?;
        tx.commit().await?;
        self.purchase_get(org, id).await
    }

    /// Records a delivery of `(line, quantity)` pairs and counts received
    /// stock items into the stock room, all or nothing.
    pub async fn purchase_receive(
        &self,
        org: OrgId,
        id: PurchaseId,
        delivery: &[(usize, i64)],
        note: &str,
        ctx: &AuditCtx,
    ) -> Result<(PurchaseRecord, Vec<StockMovement>), StoreError> {
        let mut tx = self.begin().await?;
        let (number, status, moves) = on_tx!(&mut tx, |c| {
            let row = sqlx::query(
                "UPDATE purchases SET updated_at = $3 WHERE org_id = $1 AND id = $2 RETURNING number, status, data",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(to_micros(ctx.now))
            .fetch_optional(&mut *c)
            .await?
            .ok_or(StoreError::NotFound("purchase"))?;
            let number: String = row.try_get("number")?;
            let status: String = row.try_get("status")?;
            let status: Status = status
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("stored purchase status `{status}`")))?;
            let mut data: PurchaseData =
                serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(corrupt)?;
            let next = data.receive(status, delivery).map_err(StoreError::Invalid)?;
            sqlx::query("UPDATE purchases SET status = $3, data = $4 WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(next.as_str())
                .bind(json(&data)?)
                .execute(&mut *c)
                .await?;
            let mut moves = Vec::new();
            for (line, qty) in delivery {
                if let Some(item) = data.lines.get(*line).and_then(|l| l.stock_item)
                    && *qty > 0
                {
                    let why = format!(
                        "{number} received{}",
                        if note.is_empty() {
                            String::new()
                        } else {
                            format!(": {note}")
                        }
                    );
                    let (_, m) = move_in_tx!(c, org, item, MovementKind::Receive, *qty, why.as_str(), ctx);
                    moves.push(m);
                }
            }
            (number, next, moves)
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "purchase.receive",
            "purchase",
            Some(id.to_string()),
            serde_json::json!({"number": number, "status": status, "delivery": delivery, "note": note,
                "stock": moves.iter().map(|m| serde_json::json!({"item": m.item, "received": m.delta,
                    "quantity_after": m.quantity_after})).collect::<Vec<_>>()}),
        )
        .await?;
        tx.commit().await?;
        Ok((self.purchase_get(org, id).await?, moves))
    }

    pub async fn purchase_get(&self, org: OrgId, id: PurchaseId) -> Result<PurchaseRecord, StoreError> {
        let sql = format!("{PURCHASE_SELECT} AND p.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("purchase"))?;
            Ok(purchase_row!(&row))
        })
    }

    /// Purchases of `org`, newest first, optionally only those in `status`.
    pub async fn purchase_list(
        &self,
        org: OrgId,
        status: &[Status],
    ) -> Result<Vec<PurchaseRecord>, StoreError> {
        let sql = if status.is_empty() {
            format!("{PURCHASE_SELECT} ORDER BY p.seq DESC")
        } else {
            format!(
                "{PURCHASE_SELECT} AND p.status IN ({}) ORDER BY p.seq DESC",
                statuses(status)
            )
        };
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(purchase_row!(r))).collect()
        })
    }
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("stored purchase: {e}"))
}
