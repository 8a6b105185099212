//! Invoices: registered, approved or rejected, paid.
//!
//! Each change of status is one conditional `UPDATE … WHERE status IN (…)`,
//! so two people deciding at once cannot both win and no step is skipped.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, Tx, on_pool, on_tx};
use crate::error::StoreError;
use crate::tasks::ensure_in_org;
use crate::{from_micros, json, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{InvoiceId, OrgId, PersonId};
use adjutant_core::office::invoice::{InvoiceData, InvoiceStatus, number_key};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;

/// A stored invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceRecord {
    pub id: InvoiceId,
    pub org: OrgId,
    pub status: InvoiceStatus,
    pub data: InvoiceData,
    pub vendor_name: String,
    pub purchase_number: Option<String>,
    pub registered_by: Option<PersonId>,
    pub registered_label: String,
    pub decided_by: Option<PersonId>,
    pub decided_label: String,
    pub decided_at: Option<Timestamp>,
    pub decision_note: String,
    pub paid_on: Option<Date>,
    pub created_at: Timestamp,
}

const INVOICE_SELECT: &str = "SELECT i.*, v.name AS vendor_name, p.number AS purchase_number FROM invoices i
   JOIN vendors v ON v.id = i.vendor_id LEFT JOIN purchases p ON p.id = i.purchase_id WHERE i.org_id = $1";

macro_rules! invoice_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let status: String = r.try_get("status")?;
        let by: Option<String> = r.try_get("registered_by")?;
        let decided: Option<String> = r.try_get("decided_by")?;
        let decided_at: Option<i64> = r.try_get("decided_at")?;
        let paid: Option<String> = r.try_get("paid_on")?;
        InvoiceRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            status: status
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("stored invoice status `{status}`")))?,
            data: serde_json::from_str(&data).map_err(corrupt)?,
            vendor_name: r.try_get("vendor_name")?,
            purchase_number: r.try_get("purchase_number")?,
            registered_by: by.as_deref().map(parse_id).transpose()?,
            registered_label: r.try_get("registered_label")?,
            decided_by: decided.as_deref().map(parse_id).transpose()?,
            decided_label: r.try_get("decided_label")?,
            decided_at: decided_at.map(from_micros),
            decision_note: r.try_get("decision_note")?,
            paid_on: paid
                .as_deref()
                .map(|d| {
                    d.parse()
                        .map_err(|_| StoreError::Corrupt(format!("stored date `{d}`")))
                })
                .transpose()?,
            created_at: from_micros(r.try_get("created_at")?),
        }
    }};
}

impl Store {
    /// Registers an invoice; its vendor, purchase and contract must be of `org`.
    pub async fn invoice_create(
        &self,
        org: OrgId,
        data: &InvoiceData,
        registered_by: Option<PersonId>,
        registered_label: &str,
        ctx: &AuditCtx,
    ) -> Result<InvoiceRecord, StoreError> {
        let mut tx = self.begin().await?;
        let id = insert_invoice(&mut tx, org, data, registered_by, registered_label, ctx).await?;
        tx.commit().await?;
        self.invoice_get(org, id).await
    }

    /// Moves an invoice from one of `from` to `to`, recording the decision
    /// (approve, reject) or the payment date. One no longer in `from` is a `Conflict`.
    #[allow(clippy::too_many_arguments)]
    pub async fn invoice_transition(
        &self,
        org: OrgId,
        id: InvoiceId,
        from: &[InvoiceStatus],
        to: InvoiceStatus,
        note: &str,
        paid_on: Option<Date>,
        ctx: &AuditCtx,
    ) -> Result<InvoiceRecord, StoreError> {
        let allowed = from
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = match paid_on {
            Some(_) => format!(
                "UPDATE invoices SET status = $3, updated_at = $4, paid_on = $5
                 WHERE org_id = $1 AND id = $2 AND status IN ({allowed}) RETURNING number"
            ),
            None => format!(
                "UPDATE invoices SET status = $3, updated_at = $4, decided_by = $5, decided_label = $6,
                     decided_at = $4, decision_note = $7
                 WHERE org_id = $1 AND id = $2 AND status IN ({allowed}) RETURNING number"
            ),
        };
        let mut tx = self.begin().await?;
        let number: Option<String> = on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(to.as_str())
                .bind(to_micros(ctx.now));
            q = match paid_on {
                Some(d) => q.bind(d.to_string()),
                None => q
                    .bind(ctx.actor.map(|p| p.to_string()))
                    .bind(ctx.actor_label.clone())
                    .bind(note),
            };
            match q.fetch_optional(&mut *c).await? {
                Some(r) => Some(r.try_get("number")?),
                None => None,
            }
        });
        let Some(number) = number else {
            drop(tx);
            return Err(match self.invoice_get(org, id).await {
                Ok(i) => StoreError::Conflict(format!(
                    "invoice {} is {}; it cannot be made {to}",
                    i.data.number, i.status
                )),
                Err(e) => e,
            });
        };
        audit::record(
            &mut tx,
            org,
            ctx,
            &format!("invoice.{}", to.as_str()),
            "invoice",
            Some(id.to_string()),
            serde_json::json!({"number": number, "to": to, "note": note, "paid_on": paid_on}),
        )
        .await?;
        tx.commit().await?;
        self.invoice_get(org, id).await
    }

    pub async fn invoice_get(&self, org: OrgId, id: InvoiceId) -> Result<InvoiceRecord, StoreError> {
        let sql = format!("{INVOICE_SELECT} AND i.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("invoice"))?;
            Ok(invoice_row!(&row))
        })
    }

    /// Every invoice of `org`, the soonest due first.
    pub async fn invoice_list(&self, org: OrgId) -> Result<Vec<InvoiceRecord>, StoreError> {
        let sql = format!("{INVOICE_SELECT} ORDER BY i.due_on, i.created_at");
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(invoice_row!(r))).collect()
        })
    }
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("stored invoice: {e}"))
}

/// Registers an invoice inside an open transaction, audited; the caller commits.
pub(crate) async fn insert_invoice(
    tx: &mut Tx,
    org: OrgId,
    data: &InvoiceData,
    registered_by: Option<PersonId>,
    registered_label: &str,
    ctx: &AuditCtx,
) -> Result<InvoiceId, StoreError> {
    let id = InvoiceId(new_uuid());
    let totals = data
        .totals()
        .ok_or_else(|| StoreError::Conflict("the total is beyond one trillion".into()))?;
    on_tx!(&mut *tx, |c| {
        ensure_in_org!(c, org, "vendors", [data.vendor], "vendor");
        ensure_in_org!(c, org, "purchases", data.purchase.iter(), "purchase");
        ensure_in_org!(c, org, "contracts", data.contract.iter(), "contract");
        sqlx::query(
            "INSERT INTO invoices (org_id, id, vendor_id, number, number_key, issued_on, due_on, status, currency,
                 gross_minor, purchase_id, contract_id, data, registered_by, registered_label, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
        )
        .bind(org.to_string())
        .bind(id.to_string())
        .bind(data.vendor.to_string())
        .bind(data.number.trim())
        .bind(number_key(&data.number))
        .bind(data.issued_on.to_string())
        .bind(data.due_on.to_string())
        .bind(InvoiceStatus::Received.as_str())
        .bind(data.currency.code())
        .bind(totals.gross.minor)
        .bind(data.purchase.map(|p| p.to_string()))
        .bind(data.contract.map(|k| k.to_string()))
        .bind(json(data)?)
        .bind(registered_by.map(|p| p.to_string()))
        .bind(registered_label)
        .bind(to_micros(ctx.now))
        .execute(&mut *c)
        .await?;
    });
    audit::record(
        tx,
        org,
        ctx,
        "invoice.create",
        "invoice",
        Some(id.to_string()),
        serde_json::json!({"vendor": data.vendor, "number": data.number, "gross": totals.gross,
            "due_on": data.due_on, "purchase": data.purchase, "contract": data.contract}),
    )
    .await?;
    Ok(id)
}
