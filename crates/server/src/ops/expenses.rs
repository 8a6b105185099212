//! Expenses: filing them with a receipt, grouping them into a report,
//! submitting, approving or rejecting with a reason, reimbursing; and the
//! organisation's expense policy, checked on every read.
//!
//! Everyone but contractors files their own expenses; an assistant holding a
//! delegation with the `expenses` scope at level `act` files and submits for
//! the principal (the audit names both). Office managers, principals and
//! administrators approve — never their own report — and see every report
//! once submitted; office managers and administrators mark reports
//! reimbursed and set the policy. Others see only their own expenses and
//! those of the principals they hold an `expenses` delegation from.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::office::{MoneyView, csv_line};
use adjutant_core::ValidationError;
use adjutant_core::calendar::Zone;
use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{ExpenseId, ExpenseReportId, OrgId, PersonId};
use adjutant_core::office::expense::{
    self, DEFAULT_CATEGORY, Expense, ExpenseData, Finding, Policy, PolicyRule, ReportAction, ReportStatus,
};
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::people::Role;
use adjutant_core::policy::Capability;
use adjutant_store::StoreError;
use adjutant_store::expenses::{ExpenseRecord, NewReceipt, ReceiptRecord, ReportRecord};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::HashMap;
use utoipa::ToSchema;

/// An expense to file or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpenseInput {
    /// Whose expense it is (a person's id); by default the caller, or the
    /// principal they act for.
    #[serde(default)]
    pub person: Option<String>,
    /// The day it was paid: `2026-11-20`.
    pub date: String,
    pub merchant: String,
    /// `meals`, `travel`, `taxi`, `hotel`, …
    pub category: String,
    /// Decimal text in the currency, e.g. `42.50`.
    pub amount: String,
    /// ISO 4217 code (default EUR).
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// A draft report of the same person to put it in.
    #[serde(default)]
    pub report: Option<String>,
}

/// A report to start.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// Whose expenses (a person's id); by default the caller, or the principal they act for.
    #[serde(default)]
    pub person: Option<String>,
    pub title: String,
    /// Expenses of that person, in no other report, to put in it.
    #[serde(default)]
    pub expenses: Vec<String>,
}

/// Expenses to put into a draft report or take out of it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// A decision's note; a rejection's reason (required).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[serde(default)]
    pub note: Option<String>,
}

/// One rule of the policy to set.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// A category, or `default` for every category without a rule of its own.
    pub category: String,
    /// ISO 4217 code (default EUR).
    #[serde(default)]
    pub currency: Option<String>,
    /// The most one expense may be (decimal text); above it the approver is warned.
    #[serde(default)]
    pub limit: Option<String>,
    /// Above this amount a receipt is required before the report can be submitted.
    #[serde(default)]
    pub receipt_above: Option<String>,
}

/// A person, briefly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: String,
    pub name: String,
}

/// A report an expense is in, briefly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportRef {
    pub id: String,
    pub number: String,
    pub status: String,
}

/// A receipt's details; `url` downloads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptView {
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub url: String,
}

/// What the policy check found, in one sentence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingView {
    /// over_limit, receipt_missing or duplicate.
    pub kind: String,
    /// Whether it stops the report from being submitted.
    pub blocking: bool,
    pub reason: String,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> Self {
        FindingView {
            kind: f.kind.to_string(),
            blocking: f.blocking,
            reason: f.reason.clone(),
        }
    }
}

/// An expense with what the policy says about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpenseView {
    pub id: String,
    pub person: PersonRef,
    pub date: String,
    pub merchant: String,
    pub category: String,
    pub amount: MoneyView,
    pub project: String,
    pub description: String,
    pub report: Option<ReportRef>,
    pub receipt: Option<ReceiptView>,
    pub findings: Vec<FindingView>,
    /// Who filed it: the person, or the assistant who filed it for them.
    pub filed_by: String,
    pub created_at: String,
    /// Whether the caller may change it, attach a receipt or delete it now.
    pub can_edit: bool,
}

/// An expense report with its expenses and totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub id: String,
    /// `EXP-2026-0007`
    pub number: String,
    pub title: String,
    pub person: PersonRef,
    /// draft, submitted, approved, rejected or reimbursed.
    pub status: String,
    /// One sum per currency; different currencies are never added.
    pub totals: Vec<MoneyView>,
    pub expenses: Vec<ExpenseView>,
    /// Findings over all its expenses that warn (not blocking).
    pub warnings: usize,
    /// Why it cannot be submitted now, if it cannot.
    pub blocked: Option<String>,
    pub created_by: String,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// The approver's note, or the reason it was rejected.
    pub decision_note: String,
    pub reimbursed_by: Option<String>,
    pub reimbursed_at: Option<String>,
    pub created_at: String,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_decide: bool,
    /// Why the caller may not decide, when it waits for a decision.
    pub why_not_decide: Option<String>,
    pub can_reimburse: bool,
}

/// A policy rule as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyRuleView {
    pub category: String,
    pub currency: String,
    pub limit: Option<MoneyView>,
    pub receipt_above: Option<MoneyView>,
}

/// Which reports to list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// A status name, or `waiting` (submitted).
    pub status: Option<String>,
    /// Only these of one person (an id), else all the caller may see.
    pub person: Option<String>,
}

// ---- who may do what ----

fn not_contractor(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller
        .may(org, Capability::ViewDirectory)
        .map_err(|e| match e.status {
            axum::http::StatusCode::FORBIDDEN => {
                ApiError::forbidden("contractors have no expenses here unless shared with them")
            }
            _ => e,
        })
}

/// Whether the caller approves (sees everyone's reports once submitted).
fn approver(caller: &Caller, org: OrgId) -> bool {
    caller.may(org, Capability::ApproveExpenses).is_ok()
}

/// Whether the caller works with `person`'s expenses at `need`: themselves,
/// or a delegate of theirs in the expenses scope.
fn works_for(caller: &Caller, person: PersonId, need: Level) -> bool {
    match caller {
        Caller::System(_) => true,
        Caller::Person(a) => {
            a.person.id == person || a.actor.delegation_for(person, Scope::Expenses, need).is_some()
        }
    }
}

/// Whether the caller may see `person`'s report or expense in `status`
/// (`None`: an expense in no report).
fn may_see(caller: &Caller, org: OrgId, person: PersonId, status: Option<ReportStatus>) -> bool {
    works_for(caller, person, Level::Read)
        || (approver(caller, org) && status.is_some_and(|s| s != ReportStatus::Draft))
}

/// The person an expense or report is for: the one named, else the principal
/// the caller acts for, else the caller. Refused unless the caller may file for them.
async fn subject(state: &AppState, caller: &Caller, org: OrgId, named: Option<&str>) -> ApiResult<PersonId> {
    let person = match named.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            let id: PersonId = s
                .parse()
                .map_err(|_| ValidationError::field("person", format!("`{s}` is not a person's id")))?;
            state
                .store
                .person_get(org, id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound(_) => {
                        ApiError::from(ValidationError::field("person", "no such person here"))
                    }
                    other => other.into(),
                })?
                .id
        }
        None => match caller {
            Caller::Person(a) => a.actor.acting_for.unwrap_or(a.person.id),
            Caller::System(_) => {
                return Err(ValidationError::field("person", "name the person whose expense it is").into());
            }
        },
    };
    if works_for(caller, person, Level::Act) {
        Ok(person)
    } else {
        Err(ApiError::forbidden(
            "only the person, or an assistant acting for them in expenses, files their expenses",
        ))
    }
}

fn today(caller: &Caller) -> Date {
    let zone = match caller {
        Caller::Person(a) => Zone::or_utc(&a.person.time_zone),
        Caller::System(_) => Zone::utc(),
    };
    Timestamp::now().to_zoned(zone.tz().clone()).date()
}

use crate::ops::hide;

fn parse_id<T: std::str::FromStr>(s: &str, field: &str, what: &str) -> ApiResult<T> {
    s.trim()
        .parse()
        .map_err(|_| ValidationError::field(field, format!("`{}` is not an id of {what}", s.trim())).into())
}

// ---- findings ----

fn to_check(e: &ExpenseRecord) -> Expense {
    Expense {
        id: e.id,
        person: e.person,
        data: e.data.clone(),
        has_receipt: e.receipt.is_some(),
    }
}

/// Everything needed to show expenses: the policy and each expense's findings
/// (checked against all of the organisation's expenses, so a duplicate filed
/// in another report is found).
struct Checked {
    findings: HashMap<ExpenseId, Vec<Finding>>,
}

async fn checked(state: &AppState, org: OrgId, all: &[ExpenseRecord]) -> ApiResult<Checked> {
    let policy = Policy {
        rules: state.store.expense_policy(org).await?,
    };
    let list: Vec<Expense> = all.iter().map(to_check).collect();
    let found = expense::check_all(&list, &policy);
    Ok(Checked {
        findings: list.iter().map(|e| e.id).zip(found).collect(),
    })
}

fn expense_view(caller: &Caller, e: &ExpenseRecord, c: &Checked) -> ExpenseView {
    let d = &e.data;
    ExpenseView {
        id: e.id.to_string(),
        person: PersonRef {
            id: e.person.to_string(),
            name: e.person_name.clone(),
        },
        date: d.date.to_string(),
        merchant: d.merchant.clone(),
        category: d.category.clone(),
        amount: d.amount.into(),
        project: d.project.clone(),
        description: d.description.clone(),
        report: e.report.map(|r| ReportRef {
            id: r.to_string(),
            number: e.report_number.clone().unwrap_or_default(),
            status: e.report_status.map(|s| s.to_string()).unwrap_or_default(),
        }),
        receipt: e.receipt.as_ref().map(|r: &ReceiptRecord| ReceiptView {
            filename: r.filename.clone(),
            content_type: r.content_type.clone(),
            size: r.size,
            url: format!("/api/v1/expenses/{}/receipt", e.id),
        }),
        findings: c
            .findings
            .get(&e.id)
            .map(|f| f.iter().map(FindingView::from).collect())
            .unwrap_or_default(),
        filed_by: e.created_label.clone(),
        created_at: e.created_at.to_string(),
        can_edit: e.editable() && works_for(caller, e.person, Level::Act),
    }
}

fn decide_check(caller: &Caller, org: OrgId, r: &ReportRecord) -> Result<(), String> {
    if let Err(e) = caller.may(org, Capability::ApproveExpenses) {
        return Err(e.detail);
    }
    match caller {
        Caller::System(_) => r.status.after(ReportAction::Approve).map(|_| ()),
        Caller::Person(a) => {
            if a.actor.acting_for == Some(r.person) {
                return Err("nobody approves expenses they filed for their principal".into());
            }
            expense::may_decide(a.person.id, r.person, r.status)
        }
    }
}

fn report_view(
    caller: &Caller,
    org: OrgId,
    r: &ReportRecord,
    items: &[&ExpenseRecord],
    c: &Checked,
) -> ReportView {
    let expenses: Vec<ExpenseView> = items.iter().map(|e| expense_view(caller, e, c)).collect();
    let totals = expense::totals(items.iter().map(|e| &e.data.amount))
        .unwrap_or_default()
        .into_iter()
        .map(MoneyView::from)
        .collect();
    let all: Vec<&Finding> = items
        .iter()
        .flat_map(|e| c.findings.get(&e.id).into_iter().flatten())
        .collect();
    let blocked = if items.is_empty() {
        Some("the report holds no expense; add one before submitting".to_string())
    } else {
        all.iter()
            .find(|f| f.blocking)
            .map(|f| f.reason.trim_end_matches('.').to_string())
    };
    let mine = works_for(caller, r.person, Level::Act);
    let decide = decide_check(caller, org, r);
    let at = |t: Option<Timestamp>| t.map(|t| t.to_string());
    ReportView {
        id: r.id.to_string(),
        number: r.number.clone(),
        title: r.title.clone(),
        person: PersonRef {
            id: r.person.to_string(),
            name: r.person_name.clone(),
        },
        status: r.status.to_string(),
        totals,
        expenses,
        warnings: all.iter().filter(|f| !f.blocking).count(),
        blocked: blocked.clone(),
        created_by: r.created_label.clone(),
        submitted_by: r.submitted_at.map(|_| r.submitted_label.clone()),
        submitted_at: at(r.submitted_at),
        decided_by: r.decided_at.map(|_| r.decided_label.clone()),
        decided_at: at(r.decided_at),
        decision_note: r.decision_note.clone(),
        reimbursed_by: r.reimbursed_at.map(|_| r.reimbursed_label.clone()),
        reimbursed_at: at(r.reimbursed_at),
        created_at: r.created_at.to_string(),
        can_edit: mine && r.status.editable(),
        can_submit: mine && r.status.editable() && blocked.is_none(),
        can_decide: decide.is_ok(),
        why_not_decide: match (&decide, r.status == ReportStatus::Submitted) {
            (Err(why), true) => Some(why.clone()),
            _ => None,
        },
        can_reimburse: r.status == ReportStatus::Approved
            && caller.may(org, Capability::ReimburseExpenses).is_ok(),
    }
}

// ---- expenses ----

async fn expense_data(caller: &Caller, input: &ExpenseInput) -> ApiResult<ExpenseData> {
    let code = input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("EUR");
    let mut errors = Vec::new();
    let date = input.date.trim().parse::<Date>().map_err(|_| {
        ValidationError::field(
            "date",
            format!("`{}` is not a date like 2026-11-20", input.date.trim()),
        )
    });
    let amount = match Currency::parse(code) {
        Ok(c) => Money::parse(&input.amount, c).map_err(|m| ValidationError::field("amount", m)),
        Err(m) => Err(ValidationError::field("currency", m)),
    };
    if let Err(e) = &date {
        errors.push(Err(e.clone()));
    }
    if let Err(e) = &amount {
        errors.push(Err(e.clone()));
    }
    crate::ops::collect(errors)?;
    let (Ok(date), Ok(amount)) = (date, amount) else {
        return Err(ApiError::internal());
    };
    let mut d = ExpenseData {
        date,
        merchant: input.merchant.clone(),
        category: input.category.clone(),
        amount,
        project: input.project.clone().unwrap_or_default(),
        description: input.description.clone().unwrap_or_default(),
    };
    d.normalise();
    d.validate(today(caller))?;
    Ok(d)
}

/// A receipt checked by its content, ready to store.
pub struct CheckedReceipt {
    pub filename: String,
    pub content_type: &'static str,
    pub sha256: String,
}

/// Checks an uploaded receipt (image or PDF by content, at most 10 MiB).
pub fn check_receipt(filename: &str, bytes: &[u8]) -> ApiResult<CheckedReceipt> {
    let kind = expense::check_receipt(filename, bytes)?;
    Ok(CheckedReceipt {
        filename: kind.filename,
        content_type: kind.content_type,
        sha256: data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(bytes)),
    })
}

async fn readable_expense(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseId,
) -> ApiResult<ExpenseRecord> {
    not_contractor(caller, org)?;
    let e = hide(state.store.expense_get(org, id).await, "expense")?;
    if may_see(caller, org, e.person, e.report_status) {
        Ok(e)
    } else {
        Err(ApiError::not_found("expense"))
    }
}

fn writable_expense(caller: &Caller, e: &ExpenseRecord) -> ApiResult<()> {
    if !works_for(caller, e.person, Level::Act) {
        return Err(ApiError::forbidden(
            "only the person, or an assistant acting for them in expenses, changes their expenses",
        ));
    }
    Ok(())
}

async fn one_expense_view(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    e: &ExpenseRecord,
) -> ApiResult<ExpenseView> {
    let all = state.store.expense_list(org, Some(e.person), None).await?;
    let c = checked(state, org, &all).await?;
    Ok(expense_view(caller, e, &c))
}

/// Files an expense, with its receipt (checked first, so a refused receipt stores nothing).
pub async fn create_expense(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &ExpenseInput,
    receipt: Option<(&str, &[u8])>,
) -> ApiResult<ExpenseView> {
    not_contractor(caller, org)?;
    let person = subject(state, caller, org, input.person.as_deref()).await?;
    let d = expense_data(caller, input).await;
    let r = receipt
        .map(|(name, bytes)| check_receipt(name, bytes))
        .transpose();
    let (d, r) = match (d, r) {
        (Ok(d), Ok(r)) => (d, r),
        (d, r) => {
            let mut errors = Vec::new();
            for e in [d.err(), r.err()].into_iter().flatten() {
                if e.status != axum::http::StatusCode::UNPROCESSABLE_ENTITY {
                    return Err(e);
                }
                errors.push(e);
            }
            return Err(merge(errors));
        }
    };
    let report = match input.report.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_id::<ExpenseReportId>(s, "report", "a report")?),
        None => None,
    };
    let new = match (&r, receipt) {
        (Some(k), Some((_, bytes))) => Some(NewReceipt {
            filename: &k.filename,
            content_type: k.content_type,
            sha256: &k.sha256,
            bytes,
        }),
        _ => None,
    };
    let e = state
        .store
        .expense_create(
            org,
            person,
            &d,
            new.as_ref(),
            report,
            &caller.audit(Timestamp::now()),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => ValidationError::field("report", "no such report here").into(),
            other => ApiError::from(other),
        })?;
    one_expense_view(state, caller, org, &e).await
}

/// Several 422s as one, naming every field.
fn merge(errors: Vec<ApiError>) -> ApiError {
    let mut fields = Vec::new();
    for e in errors {
        fields.extend(e.errors);
    }
    ApiError::from(ValidationError { errors: fields })
}

pub async fn get_expense(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseId,
) -> ApiResult<ExpenseView> {
    let e = readable_expense(state, caller, org, id).await?;
    one_expense_view(state, caller, org, &e).await
}

pub async fn update_expense(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseId,
    input: &ExpenseInput,
) -> ApiResult<ExpenseView> {
    let e = readable_expense(state, caller, org, id).await?;
    writable_expense(caller, &e)?;
    let d = expense_data(caller, input).await?;
    let e = state
        .store
        .expense_update(org, id, &d, &caller.audit(Timestamp::now()))
        .await?;
    one_expense_view(state, caller, org, &e).await
}

pub async fn delete_expense(state: &AppState, caller: &Caller, org: OrgId, id: ExpenseId) -> ApiResult<()> {
    let e = readable_expense(state, caller, org, id).await?;
    writable_expense(caller, &e)?;
    state
        .store
        .expense_delete(org, id, &caller.audit(Timestamp::now()))
        .await?;
    Ok(())
}

/// Attaches a receipt (replacing one it had) while the expense may change.
pub async fn attach_receipt(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseId,
    filename: &str,
    bytes: &[u8],
) -> ApiResult<ExpenseView> {
    let e = readable_expense(state, caller, org, id).await?;
    writable_expense(caller, &e)?;
    let k = check_receipt(filename, bytes)?;
    let e = state
        .store
        .expense_set_receipt(
            org,
            id,
            &NewReceipt {
                filename: &k.filename,
                content_type: k.content_type,
                sha256: &k.sha256,
                bytes,
            },
            &caller.audit(Timestamp::now()),
        )
        .await?;
    one_expense_view(state, caller, org, &e).await
}

/// An expense's receipt, for those who may see the expense.
pub async fn download_receipt(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseId,
) -> ApiResult<(ReceiptRecord, Vec<u8>)> {
    readable_expense(state, caller, org, id).await?;
    hide(state.store.receipt_get(org, id).await, "receipt")
}

/// The caller's expenses (or, with `person`, that person's if the caller may
/// see them), newest first, each with its findings.
pub async fn list_expenses(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<Vec<ExpenseView>> {
    not_contractor(caller, org)?;
    let filter = match person.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_id::<PersonId>(s, "person", "a person")?),
        None => match caller {
            Caller::Person(a) => Some(a.actor.acting_for.unwrap_or(a.person.id)),
            Caller::System(_) => None,
        },
    };
    let all = state.store.expense_list(org, None, None).await?;
    let c = checked(state, org, &all).await?;
    Ok(all
        .iter()
        .filter(|e| filter.is_none_or(|p| e.person == p))
        .filter(|e| may_see(caller, org, e.person, e.report_status))
        .map(|e| expense_view(caller, e, &c))
        .collect())
}

// ---- reports ----

async fn readable_report(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseReportId,
) -> ApiResult<ReportRecord> {
    not_contractor(caller, org)?;
    let r = hide(state.store.report_get(org, id).await, "expense report")?;
    if may_see(caller, org, r.person, Some(r.status)) {
        Ok(r)
    } else {
        Err(ApiError::not_found("expense report"))
    }
}

async fn one_report_view(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    r: &ReportRecord,
) -> ApiResult<ReportView> {
    let all = state.store.expense_list(org, Some(r.person), None).await?;
    let c = checked(state, org, &all).await?;
    let items: Vec<&ExpenseRecord> = all.iter().filter(|e| e.report == Some(r.id)).collect();
    Ok(report_view(caller, org, r, &items, &c))
}

pub async fn get_report(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseReportId,
) -> ApiResult<ReportView> {
    let r = readable_report(state, caller, org, id).await?;
    one_report_view(state, caller, org, &r).await
}

/// Reports the caller may see: their own and their principals', and for
/// approvers everyone's once submitted. Waiting ones first, then the newest.
pub async fn list_reports(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    filter: &ReportFilter,
) -> ApiResult<Vec<ReportView>> {
    not_contractor(caller, org)?;
    let wanted: Vec<ReportStatus> = match filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => vec![],
        Some("waiting") => vec![ReportStatus::Submitted],
        Some(s) => vec![s.parse::<ReportStatus>().map_err(|_| {
            ValidationError::field(
                "status",
                format!(
                    "unknown value `{s}`; expected waiting or one of {}",
                    ReportStatus::ALL
                        .iter()
                        .map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?],
    };
    let person = match filter.person.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_id::<PersonId>(s, "person", "a person")?),
        None => None,
    };
    let reports = state.store.report_list(org, person, &wanted).await?;
    let all = state.store.expense_list(org, None, None).await?;
    let c = checked(state, org, &all).await?;
    let mut by_report: HashMap<ExpenseReportId, Vec<&ExpenseRecord>> = HashMap::new();
    for e in &all {
        if let Some(r) = e.report {
            by_report.entry(r).or_default().push(e);
        }
    }
    let mut rows: Vec<ReportView> = reports
        .iter()
        .filter(|r| may_see(caller, org, r.person, Some(r.status)))
        .map(|r| {
            let items = by_report.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
            report_view(caller, org, r, items, &c)
        })
        .collect();
    rows.sort_by_key(|v| v.status != "submitted");
    Ok(rows)
}

fn expense_ids(list: &[String], field: &str) -> ApiResult<Vec<ExpenseId>> {
    list.iter()
        .enumerate()
        .map(|(i, s)| parse_id::<ExpenseId>(s, &format!("{field}[{i}]"), "an expense"))
        .collect()
}

pub async fn create_report(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &ReportInput,
) -> ApiResult<ReportView> {
    not_contractor(caller, org)?;
    let person = subject(state, caller, org, input.person.as_deref()).await?;
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(ValidationError::field("title", "must be 1 to 200 characters").into());
    }
    let ids = expense_ids(&input.expenses, "expenses")?;
    let r = state
        .store
        .report_create(org, person, title, &ids, &caller.audit(Timestamp::now()))
        .await?;
    one_report_view(state, caller, org, &r).await
}

pub async fn assign_expenses(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseReportId,
    input: &AssignInput,
) -> ApiResult<ReportView> {
    let r = readable_report(state, caller, org, id).await?;
    if !works_for(caller, r.person, Level::Act) {
        return Err(ApiError::forbidden(
            "only the person, or an assistant acting for them in expenses, changes their report",
        ));
    }
    let add = expense_ids(&input.add, "add")?;
    let remove = expense_ids(&input.remove, "remove")?;
    if add.is_empty() && remove.is_empty() {
        return Err(ValidationError::field("add", "name an expense to add or remove").into());
    }
    let r = state
        .store
        .report_assign(org, id, &add, &remove, &caller.audit(Timestamp::now()))
        .await?;
    one_report_view(state, caller, org, &r).await
}

/// Submits a draft (or rejected) report; refused while a finding blocks it.
pub async fn submit_report(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseReportId,
) -> ApiResult<ReportView> {
    let r = readable_report(state, caller, org, id).await?;
    if !works_for(caller, r.person, Level::Act) {
        return Err(ApiError::forbidden(
            "only the person, or an assistant acting for them in expenses, submits their report",
        ));
    }
    r.status
        .after(ReportAction::Submit)
        .map_err(|why| ApiError::conflict(format!("{}: {why}", r.number)))?;
    let view = one_report_view(state, caller, org, &r).await?;
    if let Some(e) = view
        .expenses
        .iter()
        .find(|e| e.findings.iter().any(|f| f.blocking))
    {
        let reason = e
            .findings
            .iter()
            .find(|f| f.blocking)
            .map(|f| f.reason.clone())
            .unwrap_or_default();
        return Err(ValidationError::field(
            "receipt",
            format!("{} at {} on {}: {reason}", e.amount.display, e.merchant, e.date),
        )
        .into());
    }
    let r = state
        .store
        .report_transition(org, id, ReportAction::Submit, "", &caller.audit(Timestamp::now()))
        .await?;
    one_report_view(state, caller, org, &r).await
}

/// Approves or rejects a submitted report (approvers, never their own); a rejection needs a reason.
pub async fn decide_report(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseReportId,
    approve: bool,
    input: &DecisionInput,
) -> ApiResult<ReportView> {
    let r = readable_report(state, caller, org, id).await?;
    caller.may(org, Capability::ApproveExpenses)?;
    let note = input.note.clone().unwrap_or_default().trim().to_string();
    if note.chars().count() > 1_000 {
        return Err(ValidationError::field("note", "must be at most 1000 characters").into());
    }
    if !approve && note.is_empty() {
        return Err(ValidationError::field("note", "give the reason for the rejection").into());
    }
    if r.status != ReportStatus::Submitted {
        return Err(ApiError::conflict(format!(
            "{} is {}; it is not waiting for approval",
            r.number, r.status
        )));
    }
    decide_check(caller, org, &r).map_err(ApiError::forbidden)?;
    let action = if approve {
        ReportAction::Approve
    } else {
        ReportAction::Reject
    };
    let r = state
        .store
        .report_transition(org, id, action, &note, &caller.audit(Timestamp::now()))
        .await?;
    one_report_view(state, caller, org, &r).await
}

/// Marks an approved report as paid back (office managers and administrators).
pub async fn reimburse_report(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ExpenseReportId,
) -> ApiResult<ReportView> {
    readable_report(state, caller, org, id).await?;
    caller.may(org, Capability::ReimburseExpenses)?;
    let r = state
        .store
        .report_transition(
            org,
            id,
            ReportAction::Reimburse,
            "",
            &caller.audit(Timestamp::now()),
        )
        .await?;
    one_report_view(state, caller, org, &r).await
}

// ---- policy ----

fn rule_view(r: &PolicyRule) -> PolicyRuleView {
    PolicyRuleView {
        category: r.category.clone(),
        currency: r.currency.code().into(),
        limit: r.limit.map(MoneyView::from),
        receipt_above: r.receipt_above.map(MoneyView::from),
    }
}

/// The policy (everyone but contractors reads it: it is the rules they file under).
pub async fn policy(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<Vec<PolicyRuleView>> {
    not_contractor(caller, org)?;
    Ok(state
        .store
        .expense_policy(org)
        .await?
        .iter()
        .map(rule_view)
        .collect())
}

fn may_set_policy(caller: &Caller, org: OrgId) -> ApiResult<()> {
    not_contractor(caller, org)?;
    caller
        .may(org, Capability::ReimburseExpenses)
        .map_err(|_| ApiError::forbidden("only office managers and administrators set the expense policy"))
}

fn policy_currency(code: Option<&str>) -> ApiResult<Currency> {
    let code = code.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("EUR");
    Currency::parse(code).map_err(|m| ValidationError::field("currency", m).into())
}

/// Sets one rule (for a category or `default`, in one currency).
pub async fn set_policy(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &PolicyInput,
) -> ApiResult<Vec<PolicyRuleView>> {
    may_set_policy(caller, org)?;
    let currency = policy_currency(input.currency.as_deref())?;
    let money = |field: &str, v: &Option<String>| -> Result<Option<Money>, ValidationError> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Money::parse(s, currency)
                .map(Some)
                .map_err(|m| ValidationError::field(field, m)),
            None => Ok(None),
        }
    };
    let limit = money("limit", &input.limit);
    let above = money("receipt_above", &input.receipt_above);
    crate::ops::collect(vec![limit.clone().map(|_| ()), above.clone().map(|_| ())])?;
    let rule = PolicyRule {
        category: input.category.trim().to_lowercase(),
        currency,
        limit: limit.unwrap_or_default(),
        receipt_above: above.unwrap_or_default(),
    };
    rule.validate()?;
    state
        .store
        .expense_policy_set(org, &rule, &caller.audit(Timestamp::now()))
        .await?;
    policy(state, caller, org).await
}

/// Removes the rule for a category (or `default`) in a currency.
pub async fn delete_policy_rule(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    category: &str,
    currency: Option<&str>,
) -> ApiResult<()> {
    may_set_policy(caller, org)?;
    let currency = policy_currency(currency)?;
    let category = category.trim().to_lowercase();
    hide(
        state
            .store
            .expense_policy_delete(org, &category, currency, &caller.audit(Timestamp::now()))
            .await,
        "policy rule",
    )
}

/// Whether `role` is shown the approval queue.
pub fn approves(role: Role) -> bool {
    matches!(role, Role::Admin | Role::OfficeManager | Role::Principal)
}

/// The name of the policy's default rule.
pub const DEFAULT_RULE: &str = DEFAULT_CATEGORY;

// ---- CSV ----

/// Expenses as CSV, with their findings.
pub fn expenses_csv(rows: &[ExpenseView]) -> String {
    let mut out = csv_line(&[
        "date",
        "person",
        "merchant",
        "category",
        "amount",
        "currency",
        "project",
        "report",
        "report_status",
        "receipt",
        "findings",
        "filed_by",
    ]);
    for e in rows {
        let findings = e
            .findings
            .iter()
            .map(|f| f.reason.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        out.push_str(&csv_line(&[
            &e.date,
            &e.person.name,
            &e.merchant,
            &e.category,
            &e.amount.amount,
            &e.amount.currency,
            &e.project,
            e.report.as_ref().map_or("", |r| r.number.as_str()),
            e.report.as_ref().map_or("", |r| r.status.as_str()),
            e.receipt.as_ref().map_or("", |r| r.filename.as_str()),
            &findings,
            &e.filed_by,
        ]));
    }
    out
}

/// Reports as CSV: one row per report and currency.
pub fn reports_csv(rows: &[ReportView]) -> String {
    let mut out = csv_line(&[
        "number",
        "title",
        "person",
        "status",
        "total",
        "currency",
        "expenses",
        "warnings",
        "submitted_at",
        "decided_by",
        "decision_note",
        "reimbursed_at",
    ]);
    for r in rows {
        let totals: Vec<(String, String)> = if r.totals.is_empty() {
            vec![(String::new(), String::new())]
        } else {
            r.totals
                .iter()
                .map(|t| (t.amount.clone(), t.currency.clone()))
                .collect()
        };
        for (amount, currency) in totals {
            out.push_str(&csv_line(&[
                &r.number,
                &r.title,
                &r.person.name,
                &r.status,
                &amount,
                &currency,
                &r.expenses.len().to_string(),
                &r.warnings.to_string(),
                r.submitted_at.as_deref().unwrap_or(""),
                r.decided_by.as_deref().unwrap_or(""),
                &r.decision_note,
                r.reimbursed_at.as_deref().unwrap_or(""),
            ]));
        }
    }
    out
}

/// The policy as CSV.
pub fn policy_csv(rows: &[PolicyRuleView]) -> String {
    let mut out = csv_line(&["category", "currency", "limit", "receipt_above"]);
    for r in rows {
        out.push_str(&csv_line(&[
            &r.category,
            &r.currency,
            r.limit.as_ref().map_or("", |m| m.amount.as_str()),
            r.receipt_above.as_ref().map_or("", |m| m.amount.as_str()),
        ]));
    }
    out
}
