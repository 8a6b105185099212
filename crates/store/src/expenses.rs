//! Expenses, their receipts, expense reports and the expense policy.
//!
//! A report moves from one status to the next by one conditional
//! `UPDATE … WHERE status IN (…)`, so two approvers deciding at once cannot
//! both win and no step is skipped. Every change to an expense that sits in a
//! report first touches the report's row while it is still editable (locking
//! it on PostgreSQL), so an expense never changes under a submitted report.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::tasks::ensure_in_org;
use crate::{from_micros, new_uuid, parse_date, parse_id, to_micros};
use adjutant_core::ValidationError;
use adjutant_core::ids::{ExpenseId, ExpenseReportId, OrgId, PersonId, ReceiptId};
use adjutant_core::office::expense::{ExpenseData, PolicyRule, ReportAction, ReportStatus};
use adjutant_core::office::money::{Currency, Money};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// A receipt's details (its content is read separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptRecord {
    pub id: ReceiptId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A receipt to store: its name and type as checked by the core, its bytes and their SHA-256.
#[derive(Debug, Clone, Copy)]
pub struct NewReceipt<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
}

/// A stored expense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpenseRecord {
    pub id: ExpenseId,
    pub org: OrgId,
    /// Whose expense it is.
    pub person: PersonId,
    pub person_name: String,
    pub report: Option<ExpenseReportId>,
    pub report_number: Option<String>,
    pub report_status: Option<ReportStatus>,
    pub data: ExpenseData,
    pub receipt: Option<ReceiptRecord>,
    pub created_by: Option<PersonId>,
    /// Who filed it (the person, or their assistant).
    pub created_label: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl ExpenseRecord {
    /// Whether it may still be changed: not in a report, or in one still editable.
    pub fn editable(&self) -> bool {
        self.report_status.is_none_or(|s| s.editable())
    }
}

/// A stored expense report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRecord {
    pub id: ExpenseReportId,
    pub org: OrgId,
    /// `EXP-2026-0007`
    pub number: String,
    pub person: PersonId,
    pub person_name: String,
    pub title: String,
    pub status: ReportStatus,
    pub created_by: Option<PersonId>,
    pub created_label: String,
    pub submitted_label: String,
    pub submitted_at: Option<Timestamp>,
    pub decided_by: Option<PersonId>,
    pub decided_label: String,
    pub decided_at: Option<Timestamp>,
    /// The approver's note, or the reason of a rejection.
    pub decision_note: String,
    pub reimbursed_label: String,
    pub reimbursed_at: Option<Timestamp>,
    pub expense_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const EXPENSE_SELECT: &str = "SELECT e.*, p.name AS person_name, r.number AS report_number,
       r.status AS report_status, x.id AS receipt_id, x.filename AS receipt_filename,
       x.content_type AS receipt_type, x.size AS receipt_size, x.sha256 AS receipt_sha256
   FROM expenses e
   JOIN persons p ON p.id = e.person_id
   LEFT JOIN expense_reports r ON r.id = e.report_id
   LEFT JOIN expense_receipts x ON x.expense_id = e.id
   WHERE e.org_id = $1";

const REPORT_SELECT: &str = "SELECT r.*, p.name AS person_name,
       (SELECT COUNT(*) FROM expenses e WHERE e.report_id = r.id) AS expense_count
   FROM expense_reports r JOIN persons p ON p.id = r.person_id
   WHERE r.org_id = $1";

fn status_of(s: &str) -> Result<ReportStatus, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("stored report status `{s}`")))
}

fn currency_of(s: &str) -> Result<Currency, StoreError> {
    Currency::parse(s).map_err(|_| StoreError::Corrupt(format!("stored currency `{s}`")))
}

macro_rules! expense_row {
    ($r:expr) => {{
        let r = $r;
        let currency = currency_of(&r.try_get::<String, _>("currency")?)?;
        let report: Option<String> = r.try_get("report_id")?;
        let report_status: Option<String> = r.try_get("report_status")?;
        let receipt_id: Option<String> = r.try_get("receipt_id")?;
        let by: Option<String> = r.try_get("created_by")?;
        ExpenseRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            person: parse_id(&r.try_get::<String, _>("person_id")?)?,
            person_name: r.try_get("person_name")?,
            report: report.as_deref().map(parse_id).transpose()?,
            report_number: r.try_get("report_number")?,
            report_status: report_status.as_deref().map(status_of).transpose()?,
            data: ExpenseData {
                date: parse_date(&r.try_get::<String, _>("spent_on")?)?,
                merchant: r.try_get("merchant")?,
                category: r.try_get("category")?,
                amount: Money::new(r.try_get("amount_minor")?, currency),
                project: r.try_get("project")?,
                description: r.try_get("description")?,
            },
            receipt: match receipt_id {
                Some(id) => Some(ReceiptRecord {
                    id: parse_id(&id)?,
                    filename: r
                        .try_get::<Option<String>, _>("receipt_filename")?
                        .unwrap_or_default(),
                    content_type: r
                        .try_get::<Option<String>, _>("receipt_type")?
                        .unwrap_or_default(),
                    size: r.try_get::<Option<i64>, _>("receipt_size")?.unwrap_or_default(),
                    sha256: r
                        .try_get::<Option<String>, _>("receipt_sha256")?
                        .unwrap_or_default(),
                }),
                None => None,
            },
            created_by: by.as_deref().map(parse_id).transpose()?,
            created_label: r.try_get("created_label")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! report_row {
    ($r:expr) => {{
        let r = $r;
        let by: Option<String> = r.try_get("created_by")?;
        let decided: Option<String> = r.try_get("decided_by")?;
        let at = |name: &str| -> Result<Option<Timestamp>, StoreError> {
            Ok(r.try_get::<Option<i64>, _>(name)?.map(from_micros))
        };
        ReportRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            number: r.try_get("number")?,
            person: parse_id(&r.try_get::<String, _>("person_id")?)?,
            person_name: r.try_get("person_name")?,
            title: r.try_get("title")?,
            status: status_of(&r.try_get::<String, _>("status")?)?,
            created_by: by.as_deref().map(parse_id).transpose()?,
            created_label: r.try_get("created_label")?,
            submitted_label: r.try_get("submitted_label")?,
            submitted_at: at("submitted_at")?,
            decided_by: decided.as_deref().map(parse_id).transpose()?,
            decided_label: r.try_get("decided_label")?,
            decided_at: at("decided_at")?,
            decision_note: r.try_get("decision_note")?,
            reimbursed_label: r.try_get("reimbursed_label")?,
            reimbursed_at: at("reimbursed_at")?,
            expense_count: r.try_get("expense_count")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

fn statuses(list: &[ReportStatus]) -> String {
    list.iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn editable_list() -> String {
    statuses(&[ReportStatus::Draft, ReportStatus::Rejected])
}

fn shape(d: &ExpenseData) -> serde_json::Value {
    serde_json::json!({"date": d.date.to_string(), "merchant": d.merchant, "category": d.category,
        "amount": d.amount.amount(), "currency": d.amount.currency.code(), "project": d.project})
}

/// Touches a report's row while it is editable (locking it on PostgreSQL);
/// `Conflict` naming its status when it is not, `NotFound` when it is not here.
/// Evaluates to the person whose report it is.
macro_rules! lock_editable {
    ($c:expr, $org:expr, $report:expr, $now:expr) => {{
        let sql = format!(
            "UPDATE expense_reports SET updated_at = $3 WHERE org_id = $1 AND id = $2
                 AND status IN ({}) RETURNING person_id",
            editable_list()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind($org.to_string())
            .bind($report.to_string())
            .bind(to_micros($now))
            .fetch_optional(&mut *$c)
            .await?;
        match row {
            Some(r) => parse_id::<PersonId>(&r.try_get::<String, _>("person_id")?)?,
            None => {
                let found =
                    sqlx::query("SELECT number, status FROM expense_reports WHERE org_id = $1 AND id = $2")
                        .bind($org.to_string())
                        .bind($report.to_string())
                        .fetch_optional(&mut *$c)
                        .await?;
                return Err(match found {
                    Some(f) => StoreError::Conflict(format!(
                        "{} is {}; its expenses can no longer change",
                        f.try_get::<String, _>("number")?,
                        f.try_get::<String, _>("status")?
                    )),
                    None => StoreError::NotFound("expense report"),
                });
            }
        }
    }};
}

/// Writes a receipt for `expense` in the open transaction (replacing one it had).
macro_rules! put_receipt {
    ($c:expr, $org:expr, $expense:expr, $receipt:expr, $ctx:expr) => {{
        let r: &NewReceipt<'_> = $receipt;
        let size = i64::try_from(r.bytes.len())
            .map_err(|_| StoreError::Conflict("the receipt is too large".into()))?;
        let id = ReceiptId(new_uuid());
        sqlx::query("DELETE FROM expense_receipts WHERE org_id = $1 AND expense_id = $2")
            .bind($org.to_string())
            .bind($expense.to_string())
            .execute(&mut *$c)
            .await?;
        sqlx::query(
            "INSERT INTO expense_receipts (org_id, id, expense_id, filename, content_type, size, sha256,
                 content, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind($org.to_string())
        .bind(id.to_string())
        .bind($expense.to_string())
        .bind(r.filename)
        .bind(r.content_type)
        .bind(size)
        .bind(r.sha256)
        .bind(r.bytes)
        .bind($ctx.actor.map(|p| p.to_string()))
        .bind(to_micros($ctx.now))
        .execute(&mut *$c)
        .await
        .map_err(StoreError::on_constraint("the expense no longer exists"))?;
        serde_json::json!({"receipt": id, "filename": r.filename, "size": size, "content_type": r.content_type})
    }};
}

impl Store {
    // ---- expenses ----

    /// Files an expense for `person`, with its receipt and in `report` (which
    /// must be that person's and still editable), all in one transaction.
    pub async fn expense_create(
        &self,
        org: OrgId,
        person: PersonId,
        data: &ExpenseData,
        receipt: Option<&NewReceipt<'_>>,
        report: Option<ExpenseReportId>,
        ctx: &AuditCtx,
    ) -> Result<ExpenseRecord, StoreError> {
        let id = ExpenseId(new_uuid());
        let mut tx = self.begin().await?;
        let details = on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "persons", [person], "person");
            if let Some(rep) = report {
                let owner = lock_editable!(c, org, rep, ctx.now);
                if owner != person {
                    return Err(StoreError::Invalid(ValidationError::field(
                        "report",
                        "the report holds someone else's expenses",
                    )));
                }
            }
            sqlx::query(
                "INSERT INTO expenses (org_id, id, person_id, report_id, spent_on, merchant, category, currency,
                     amount_minor, project, description, created_by, created_label, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(person.to_string())
            .bind(report.map(|r| r.to_string()))
            .bind(data.date.to_string())
            .bind(data.merchant.trim())
            .bind(data.category.trim())
            .bind(data.amount.currency.code())
            .bind(data.amount.minor)
            .bind(data.project.trim())
            .bind(data.description.trim())
            .bind(ctx.actor.map(|p| p.to_string()))
            .bind(ctx.actor_label.clone())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            let mut details = shape(data);
            details["person"] = serde_json::json!(person);
            details["report"] = serde_json::json!(report);
            if let Some(r) = receipt {
                details["receipt"] = put_receipt!(c, org, id, r, ctx);
            }
            details
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "expense.create",
            "expense",
            Some(id.to_string()),
            details,
        )
        .await?;
        tx.commit().await?;
        self.expense_get(org, id).await
    }

    /// Changes an expense while it is not in a report or its report is editable.
    pub async fn expense_update(
        &self,
        org: OrgId,
        id: ExpenseId,
        data: &ExpenseData,
        ctx: &AuditCtx,
    ) -> Result<ExpenseRecord, StoreError> {
        let before = self.expense_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            if let Some(rep) = before.report {
                lock_editable!(c, org, rep, ctx.now);
            }
            let done = sqlx::query(
                "UPDATE expenses SET spent_on = $3, merchant = $4, category = $5, currency = $6, amount_minor = $7,
                     project = $8, description = $9, updated_at = $10
                 WHERE org_id = $1 AND id = $2 AND report_id IS NOT DISTINCT FROM $11",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.date.to_string())
            .bind(data.merchant.trim())
            .bind(data.category.trim())
            .bind(data.amount.currency.code())
            .bind(data.amount.minor)
            .bind(data.project.trim())
            .bind(data.description.trim())
            .bind(to_micros(ctx.now))
            .bind(before.report.map(|r| r.to_string()))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "the expense changed meanwhile; reload and try again".into(),
                ));
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "expense.update",
            "expense",
            Some(id.to_string()),
            shape(data),
        )
        .await?;
        tx.commit().await?;
        self.expense_get(org, id).await
    }

    /// Attaches a receipt to an expense (replacing one it had) while it may change.
    pub async fn expense_set_receipt(
        &self,
        org: OrgId,
        id: ExpenseId,
        receipt: &NewReceipt<'_>,
        ctx: &AuditCtx,
    ) -> Result<ExpenseRecord, StoreError> {
        let before = self.expense_get(org, id).await?;
        let mut tx = self.begin().await?;
        let details = on_tx!(&mut tx, |c| {
            if let Some(rep) = before.report {
                lock_editable!(c, org, rep, ctx.now);
            }
            put_receipt!(c, org, id, receipt, ctx)
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "expense.receipt",
            "expense",
            Some(id.to_string()),
            details,
        )
        .await?;
        tx.commit().await?;
        self.expense_get(org, id).await
    }

    /// Deletes an expense (and its receipt) while it may change; returns it as it was.
    pub async fn expense_delete(
        &self,
        org: OrgId,
        id: ExpenseId,
        ctx: &AuditCtx,
    ) -> Result<ExpenseRecord, StoreError> {
        let before = self.expense_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            if let Some(rep) = before.report {
                lock_editable!(c, org, rep, ctx.now);
            }
            sqlx::query("DELETE FROM expense_receipts WHERE org_id = $1 AND expense_id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            let done = sqlx::query(
                "DELETE FROM expenses WHERE org_id = $1 AND id = $2 AND report_id IS NOT DISTINCT FROM $3",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(before.report.map(|r| r.to_string()))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "the expense changed meanwhile; reload and try again".into(),
                ));
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "expense.delete",
            "expense",
            Some(id.to_string()),
            shape(&before.data),
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    pub async fn expense_get(&self, org: OrgId, id: ExpenseId) -> Result<ExpenseRecord, StoreError> {
        let sql = format!("{EXPENSE_SELECT} AND e.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("expense"))?;
            Ok(expense_row!(&row))
        })
    }

    /// Expenses of `org`, newest day first: of one person, or of one report, or all.
    pub async fn expense_list(
        &self,
        org: OrgId,
        person: Option<PersonId>,
        report: Option<ExpenseReportId>,
    ) -> Result<Vec<ExpenseRecord>, StoreError> {
        let mut sql = EXPENSE_SELECT.to_string();
        let mut binds = vec![org.to_string()];
        if let Some(p) = person {
            binds.push(p.to_string());
            sql.push_str(&format!(" AND e.person_id = ${}", binds.len()));
        }
        if let Some(r) = report {
            binds.push(r.to_string());
            sql.push_str(&format!(" AND e.report_id = ${}", binds.len()));
        }
        sql.push_str(" ORDER BY e.spent_on DESC, e.created_at DESC");
        on_pool!(&self.pool, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in &binds {
                q = q.bind(b.clone());
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(|r| Ok(expense_row!(r))).collect()
        })
    }

    /// An expense's receipt with its content.
    pub async fn receipt_get(
        &self,
        org: OrgId,
        expense: ExpenseId,
    ) -> Result<(ReceiptRecord, Vec<u8>), StoreError> {
        on_pool!(&self.pool, |c| {
            let r = sqlx::query("SELECT * FROM expense_receipts WHERE org_id = $1 AND expense_id = $2")
                .bind(org.to_string())
                .bind(expense.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("receipt"))?;
            Ok((
                ReceiptRecord {
                    id: parse_id(&r.try_get::<String, _>("id")?)?,
                    filename: r.try_get("filename")?,
                    content_type: r.try_get("content_type")?,
                    size: r.try_get("size")?,
                    sha256: r.try_get("sha256")?,
                },
                r.try_get::<Vec<u8>, _>("content")?,
            ))
        })
    }

    // ---- reports ----

    /// Starts a draft report of `person`'s expenses, numbered in sequence, with
    /// `expenses` (theirs, in no other report) in it.
    pub async fn report_create(
        &self,
        org: OrgId,
        person: PersonId,
        title: &str,
        expenses: &[ExpenseId],
        ctx: &AuditCtx,
    ) -> Result<ReportRecord, StoreError> {
        let id = ExpenseReportId(new_uuid());
        let year = ctx.now.to_zoned(jiff::tz::TimeZone::UTC).year();
        let mut tx = self.begin().await?;
        let number =
            on_tx!(&mut tx, |c| {
                ensure_in_org!(c, org, "persons", [person], "person");
                let seq: i64 = sqlx::query(
                    "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM expense_reports WHERE org_id = $1",
                )
                .bind(org.to_string())
                .fetch_one(&mut *c)
                .await?
                .try_get("next")?;
                let number = format!("EXP-{year}-{seq:04}");
                sqlx::query(
                "INSERT INTO expense_reports (org_id, id, seq, number, person_id, title, status, created_by,
                     created_label, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $9, $9)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(seq)
            .bind(&number)
            .bind(person.to_string())
            .bind(title.trim())
            .bind(ctx.actor.map(|p| p.to_string()))
            .bind(ctx.actor_label.clone())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("another report took that number; try again"))?;
                for (i, e) in expenses.iter().enumerate() {
                    let done = sqlx::query(
                        "UPDATE expenses SET report_id = $3, updated_at = $5
                     WHERE org_id = $1 AND id = $2 AND person_id = $4 AND report_id IS NULL",
                    )
                    .bind(org.to_string())
                    .bind(e.to_string())
                    .bind(id.to_string())
                    .bind(person.to_string())
                    .bind(to_micros(ctx.now))
                    .execute(&mut *c)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Invalid(ValidationError::field(
                            format!("expenses[{i}]"),
                            format!("expense {e} is not an expense of this person outside any report"),
                        )));
                    }
                }
                number
            });
        audit::record(
            &mut tx,
            org,
            ctx,
            "expense_report.create",
            "expense_report",
            Some(id.to_string()),
            serde_json::json!({"number": number, "title": title.trim(), "person": person,
                "expenses": expenses}),
        )
        .await?;
        tx.commit().await?;
        self.report_get(org, id).await
    }

    /// Puts `add` (the report's person's expenses in no report) into an editable
    /// report and takes `remove` out of it, all or nothing.
    pub async fn report_assign(
        &self,
        org: OrgId,
        id: ExpenseReportId,
        add: &[ExpenseId],
        remove: &[ExpenseId],
        ctx: &AuditCtx,
    ) -> Result<ReportRecord, StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let person = lock_editable!(c, org, id, ctx.now);
            for (i, e) in add.iter().enumerate() {
                let done = sqlx::query(
                    "UPDATE expenses SET report_id = $3, updated_at = $5
                     WHERE org_id = $1 AND id = $2 AND person_id = $4 AND report_id IS NULL",
                )
                .bind(org.to_string())
                .bind(e.to_string())
                .bind(id.to_string())
                .bind(person.to_string())
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Invalid(ValidationError::field(
                        format!("add[{i}]"),
                        format!("expense {e} is not an expense of this person outside any report"),
                    )));
                }
            }
            for (i, e) in remove.iter().enumerate() {
                let done = sqlx::query(
                    "UPDATE expenses SET report_id = NULL, updated_at = $4
                     WHERE org_id = $1 AND id = $2 AND report_id = $3",
                )
                .bind(org.to_string())
                .bind(e.to_string())
                .bind(id.to_string())
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Invalid(ValidationError::field(
                        format!("remove[{i}]"),
                        format!("expense {e} is not in this report"),
                    )));
                }
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "expense_report.assign",
            "expense_report",
            Some(id.to_string()),
            serde_json::json!({"add": add, "remove": remove}),
        )
        .await?;
        tx.commit().await?;
        self.report_get(org, id).await
    }

    /// `NotFound`, or a `Conflict` naming the status that forbids `action`.
    async fn report_why_not(&self, org: OrgId, id: ExpenseReportId, action: ReportAction) -> StoreError {
        match self.report_get(org, id).await {
            Ok(r) => match r.status.after(action) {
                Err(why) => StoreError::Conflict(format!("{}: {why}", r.number)),
                Ok(_) => StoreError::Conflict(format!("{} changed meanwhile; try again", r.number)),
            },
            Err(e) => e,
        }
    }

    /// Applies `action` to a report if it is still in a status the action may
    /// start from — checked by the `UPDATE` itself, so of two approvers at
    /// once one wins and the other gets a `Conflict`. A submission needs at
    /// least one expense; a rejection's `note` is its reason.
    pub async fn report_transition(
        &self,
        org: OrgId,
        id: ExpenseReportId,
        action: ReportAction,
        note: &str,
        ctx: &AuditCtx,
    ) -> Result<ReportRecord, StoreError> {
        let from = statuses(ReportStatus::sources(action));
        let to = match ReportStatus::sources(action).first().map(|s| s.after(action)) {
            Some(Ok(s)) => s,
            _ => return Err(StoreError::Corrupt("an action without a source status".into())),
        };
        let set = match action {
            ReportAction::Submit => "submitted_label = $5, submitted_at = $4, decision_note = ''",
            ReportAction::Approve | ReportAction::Reject => {
                "decided_by = $6, decided_label = $5, decided_at = $4, decision_note = $7"
            }
            ReportAction::Reimburse => "reimbursed_label = $5, reimbursed_at = $4",
        };
        let sql = format!(
            "UPDATE expense_reports SET status = $3, updated_at = $4, {set}
             WHERE org_id = $1 AND id = $2 AND status IN ({from}) RETURNING number"
        );
        let mut tx = self.begin().await?;
        let number: Option<String> = on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(to.as_str())
                .bind(to_micros(ctx.now))
                .bind(ctx.actor_label.clone());
            if matches!(action, ReportAction::Approve | ReportAction::Reject) {
                q = q.bind(ctx.actor.map(|p| p.to_string())).bind(note);
            }
            let number: Option<String> = match q.fetch_optional(&mut *c).await? {
                Some(r) => Some(r.try_get("number")?),
                None => None,
            };
            if number.is_some() && action == ReportAction::Submit {
                let n: i64 =
                    sqlx::query("SELECT COUNT(*) AS n FROM expenses WHERE org_id = $1 AND report_id = $2")
                        .bind(org.to_string())
                        .bind(id.to_string())
                        .fetch_one(&mut *c)
                        .await?
                        .try_get("n")?;
                if n == 0 {
                    return Err(StoreError::Invalid(ValidationError::field(
                        "expenses",
                        "the report holds no expense; add one before submitting",
                    )));
                }
            }
            number
        });
        let Some(number) = number else {
            drop(tx);
            return Err(self.report_why_not(org, id, action).await);
        };
        audit::record(
            &mut tx,
            org,
            ctx,
            &format!("expense_report.{}", action.as_str()),
            "expense_report",
            Some(id.to_string()),
            serde_json::json!({"number": number, "to": to, "note": note}),
        )
        .await?;
        tx.commit().await?;
        self.report_get(org, id).await
    }

    pub async fn report_get(&self, org: OrgId, id: ExpenseReportId) -> Result<ReportRecord, StoreError> {
        let sql = format!("{REPORT_SELECT} AND r.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("expense report"))?;
            Ok(report_row!(&row))
        })
    }

    /// Reports of `org`, newest first: of one person or all, optionally only in `status`.
    pub async fn report_list(
        &self,
        org: OrgId,
        person: Option<PersonId>,
        status: &[ReportStatus],
    ) -> Result<Vec<ReportRecord>, StoreError> {
        let mut sql = REPORT_SELECT.to_string();
        if person.is_some() {
            sql.push_str(" AND r.person_id = $2");
        }
        if !status.is_empty() {
            sql.push_str(&format!(" AND r.status IN ({})", statuses(status)));
        }
        sql.push_str(" ORDER BY r.seq DESC");
        on_pool!(&self.pool, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string());
            if let Some(p) = person {
                q = q.bind(p.to_string());
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(|r| Ok(report_row!(r))).collect()
        })
    }

    // ---- policy ----

    /// The organisation's policy rules, by category (the default last) and currency.
    pub async fn expense_policy(&self, org: OrgId) -> Result<Vec<PolicyRule>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM expense_policies WHERE org_id = $1
                 ORDER BY CASE WHEN category = 'default' THEN 1 ELSE 0 END, category, currency",
            )
            .bind(org.to_string())
            .fetch_all(c)
            .await?;
            rows.iter()
                .map(|r| {
                    let currency = currency_of(&r.try_get::<String, _>("currency")?)?;
                    let money = |name: &str| -> Result<Option<Money>, StoreError> {
                        Ok(r.try_get::<Option<i64>, _>(name)?
                            .map(|m| Money::new(m, currency)))
                    };
                    Ok(PolicyRule {
                        category: r.try_get("category")?,
                        currency,
                        limit: money("limit_minor")?,
                        receipt_above: money("receipt_above_minor")?,
                    })
                })
                .collect()
        })
    }

    /// Sets the rule for its category and currency (adding or replacing it).
    pub async fn expense_policy_set(
        &self,
        org: OrgId,
        rule: &PolicyRule,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO expense_policies (org_id, category, currency, limit_minor, receipt_above_minor, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, category, currency) DO UPDATE SET limit_minor = $4,
                     receipt_above_minor = $5, updated_at = $6",
            )
            .bind(org.to_string())
            .bind(rule.category.trim())
            .bind(rule.currency.code())
            .bind(rule.limit.map(|m| m.minor))
            .bind(rule.receipt_above.map(|m| m.minor))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "expense_policy.set",
            "expense_policy",
            Some(format!("{}/{}", rule.category, rule.currency)),
            serde_json::json!({"category": rule.category, "currency": rule.currency,
                "limit": rule.limit.map(|m| m.amount()), "receipt_above": rule.receipt_above.map(|m| m.amount())}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the rule for `category` in `currency`.
    pub async fn expense_policy_delete(
        &self,
        org: OrgId,
        category: &str,
        currency: Currency,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let done = sqlx::query(
                "DELETE FROM expense_policies WHERE org_id = $1 AND category = $2 AND currency = $3",
            )
            .bind(org.to_string())
            .bind(category)
            .bind(currency.code())
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("policy rule"));
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "expense_policy.delete",
            "expense_policy",
            Some(format!("{category}/{currency}")),
            serde_json::json!({"category": category, "currency": currency}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
