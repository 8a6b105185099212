//! Budgets: one row per category and period, unique within an organisation.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{BudgetId, OrgId};
use adjutant_core::office::budget::BudgetData;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// A stored budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetRecord {
    pub id: BudgetId,
    pub org: OrgId,
    pub data: BudgetData,
    pub updated_at: Timestamp,
}

macro_rules! budget_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        BudgetRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            data: serde_json::from_str(&data)
                .map_err(|e| StoreError::Corrupt(format!("stored budget: {e}")))?,
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

impl Store {
    /// Sets the budget of a category for a period: adds it, or replaces the
    /// amount of the one already there.
    pub async fn budget_set(
        &self,
        org: OrgId,
        data: &BudgetData,
        ctx: &AuditCtx,
    ) -> Result<BudgetRecord, StoreError> {
        let category = data.category.trim().to_lowercase();
        let period = data.period.to_string();
        let encoded =
            serde_json::to_string(data).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))?;
        let mut tx = self.begin().await?;
        let (id, before): (String, Option<String>) = on_tx!(&mut tx, |c| {
            let found = sqlx::query(
                "SELECT id, data FROM budgets WHERE org_id = $1 AND category = $2 AND period = $3",
            )
            .bind(org.to_string())
            .bind(&category)
            .bind(&period)
            .fetch_optional(&mut *c)
            .await?;
            match found {
                Some(r) => {
                    let id: String = r.try_get("id")?;
                    let before: String = r.try_get("data")?;
                    sqlx::query(
                        "UPDATE budgets SET data = $3, updated_at = $4 WHERE org_id = $1 AND id = $2",
                    )
                    .bind(org.to_string())
                    .bind(&id)
                    .bind(&encoded)
                    .bind(to_micros(ctx.now))
                    .execute(&mut *c)
                    .await?;
                    (id, Some(before))
                }
                None => {
                    let id = new_uuid().to_string();
                    sqlx::query(
                        "INSERT INTO budgets (org_id, id, category, period, data, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(org.to_string())
                    .bind(&id)
                    .bind(&category)
                    .bind(&period)
                    .bind(&encoded)
                    .bind(to_micros(ctx.now))
                    .execute(&mut *c)
                    .await
                    .map_err(StoreError::on_constraint(
                        "that budget was just set by someone else; try again",
                    ))?;
                    (id, None)
                }
            }
        });
        let before: Option<BudgetData> = before.and_then(|b| serde_json::from_str(&b).ok());
        audit::record(
            &mut tx,
            org,
            ctx,
            "budget.set",
            "budget",
            Some(id.clone()),
            serde_json::json!({"category": category, "period": period, "amount": data.amount,
                "before": before.map(|b| b.amount)}),
        )
        .await?;
        tx.commit().await?;
        self.budget_get(org, parse_id(&id)?).await
    }

    pub async fn budget_get(&self, org: OrgId, id: BudgetId) -> Result<BudgetRecord, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM budgets WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("budget"))?;
            Ok(budget_row!(&row))
        })
    }

    /// Every budget of `org`, by period then category.
    pub async fn budget_list(&self, org: OrgId) -> Result<Vec<BudgetRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query("SELECT * FROM budgets WHERE org_id = $1 ORDER BY period, category")
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(budget_row!(r))).collect()
        })
    }

    pub async fn budget_delete(
        &self,
        org: OrgId,
        id: BudgetId,
        ctx: &AuditCtx,
    ) -> Result<BudgetRecord, StoreError> {
        let before = self.budget_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let done = sqlx::query("DELETE FROM budgets WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("budget"));
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "budget.delete",
            "budget",
            Some(id.to_string()),
            serde_json::json!({"category": before.data.category, "period": before.data.period, "amount": before.data.amount}),
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }
}
