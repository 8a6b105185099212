//! Expense pages: "My expenses" (file one with its receipt, see what the
//! policy says beside each, start a report), a report (submit, approve,
//! reject with a reason, mark reimbursed), the approval queue and the policy.
//!
//! Handlers parse forms, call `ops::expenses` (which authorises and holds the
//! rules) and render. A refused form comes back with what was typed and every
//! fault named.

use super::calendar::{Opt, one_error, opts, parse_path_id, trimmed, viewer_zone, when_text};
use super::pages::{caller, form_pairs, is_user_error, validation_errors};
use super::tasks::status_for;
use super::{Layout, WebError, WebResult, render_status};
use crate::app::AppState;
use crate::auth::{AuthCtx, WebAuth};
use crate::error::ApiError;
use crate::ops::expenses::{
    self as ops, AssignInput, DecisionInput, ExpenseInput, ExpenseView, PolicyInput, PolicyRuleView,
    ReportFilter, ReportInput, ReportView,
};
use adjutant_core::FieldError;
use adjutant_core::ids::{ExpenseId, ExpenseReportId};
use adjutant_core::office::expense::MAX_RECEIPT_BYTES;
use adjutant_core::policy::Capability;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use serde::Deserialize;

/// The most the expense forms with a receipt may carry: a receipt at its
/// limit and room for the fields around it.
pub const RECEIPT_FORM_LIMIT: usize = MAX_RECEIPT_BYTES + 64 * 1024;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

const CURRENCIES: [&str; 6] = ["EUR", "USD", "GBP", "INR", "CHF", "JPY"];

fn status_label(s: &str) -> &'static str {
    match s {
        "draft" => "draft",
        "submitted" => "waiting for approval",
        "approved" => "approved, to reimburse",
        "rejected" => "rejected, to fix",
        "reimbursed" => "reimbursed",
        _ => "unknown",
    }
}

fn too_big() -> FieldError {
    one_error(
        "receipt",
        format!(
            "could not be read; a receipt may be at most {} MiB",
            MAX_RECEIPT_BYTES / (1024 * 1024)
        ),
    )
}

/// Reads a multipart form: its text fields, and the receipt if one was chosen.
async fn read_form(
    multipart: &mut Multipart,
) -> Result<(Vec<(String, String)>, Option<(String, Vec<u8>)>), FieldError> {
    let mut fields = Vec::new();
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                let filename = f.file_name().unwrap_or("").to_string();
                let bytes = f.bytes().await.map_err(|_| too_big())?;
                if name == "receipt" {
                    if !(filename.is_empty() && bytes.is_empty()) {
                        file = Some((filename, bytes.to_vec()));
                    }
                } else {
                    fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
            Ok(None) => break,
            Err(_) => return Err(too_big()),
        }
    }
    Ok((fields, file))
}

/// What was typed in the expense form.
#[derive(Debug, Clone, Default)]
pub struct ExpenseForm {
    pub date: String,
    pub merchant: String,
    pub category: String,
    pub amount: String,
    pub currency: String,
    pub project: String,
    pub description: String,
}

impl ExpenseForm {
    fn from_pairs(f: &[(String, String)]) -> Self {
        ExpenseForm {
            date: trimmed(f, "date"),
            merchant: trimmed(f, "merchant"),
            category: trimmed(f, "category"),
            amount: trimmed(f, "amount"),
            currency: trimmed(f, "currency"),
            project: trimmed(f, "project"),
            description: trimmed(f, "description"),
        }
    }

    fn input(&self) -> ExpenseInput {
        ExpenseInput {
            person: None,
            date: self.date.clone(),
            merchant: self.merchant.clone(),
            category: self.category.clone(),
            amount: self.amount.clone(),
            currency: Some(self.currency.clone()),
            project: Some(self.project.clone()),
            description: Some(self.description.clone()),
            report: None,
        }
    }
}

/// An expense as a row of a table.
pub struct ExpenseRow {
    pub e: ExpenseView,
    pub date: String,
    pub blocking: bool,
}

fn expense_row(e: &ExpenseView) -> ExpenseRow {
    ExpenseRow {
        date: e
            .date
            .parse::<jiff::civil::Date>()
            .map(|d| d.strftime("%a %-d %b %Y").to_string())
            .unwrap_or_else(|_| e.date.clone()),
        blocking: e.findings.iter().any(|f| f.blocking),
        e: e.clone(),
    }
}

/// A report as a row of a table.
pub struct ReportRow {
    pub id: String,
    pub number: String,
    pub title: String,
    pub person: String,
    pub status: String,
    pub status_label: &'static str,
    pub totals: String,
    pub count: usize,
    pub warnings: usize,
    pub can_decide: bool,
}

pub(super) fn report_row(r: &ReportView) -> ReportRow {
    ReportRow {
        id: r.id.clone(),
        number: r.number.clone(),
        title: r.title.clone(),
        person: r.person.name.clone(),
        status: r.status.clone(),
        status_label: status_label(&r.status),
        totals: if r.totals.is_empty() {
            "nothing yet".into()
        } else {
            r.totals
                .iter()
                .map(|t| t.display.clone())
                .collect::<Vec<_>>()
                .join(" + ")
        },
        count: r.expenses.len(),
        warnings: r.warnings,
        can_decide: r.can_decide,
    }
}

/// The reports waiting for the caller's decision, for the office dashboard.
pub(super) async fn waiting_for(state: &AppState, auth: &AuthCtx) -> Result<Vec<ReportRow>, ApiError> {
    let c = caller(auth);
    if c.may(auth.org(), Capability::ApproveExpenses).is_err() {
        return Ok(vec![]);
    }
    let filter = ReportFilter {
        status: Some("waiting".into()),
        person: None,
    };
    Ok(ops::list_reports(state, &c, auth.org(), &filter)
        .await?
        .iter()
        .map(report_row)
        .collect())
}

// ---- My expenses ----

#[derive(Template)]
#[template(path = "expenses.html")]
struct ExpensesPage {
    layout: Layout,
    /// Whose expenses: the caller, or the principal they act for.
    whose: String,
    acting: bool,
    expenses: Vec<ExpenseRow>,
    /// Expenses in no report, to start one with.
    loose: Vec<ExpenseRow>,
    reports: Vec<ReportRow>,
    categories: Vec<String>,
    currencies: Vec<Opt>,
    form: ExpenseForm,
    today: String,
    errors: Vec<FieldError>,
}

async fn expenses_render(
    state: &AppState,
    auth: &AuthCtx,
    notice: Option<&str>,
    form: Option<ExpenseForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let me = auth.actor.acting_for.unwrap_or(auth.person.id);
    let whose = if me == auth.person.id {
        auth.person.name.clone()
    } else {
        state.store.person_get(org, me).await?.name
    };
    let list = ops::list_expenses(state, &c, org, None).await?;
    let reports: Vec<ReportView> = ops::list_reports(
        state,
        &c,
        org,
        &ReportFilter {
            status: None,
            person: Some(me.to_string()),
        },
    )
    .await?;
    let mut categories: Vec<String> = ops::policy(state, &c, org)
        .await?
        .into_iter()
        .map(|r| r.category)
        .filter(|c| c != ops::DEFAULT_RULE)
        .chain(list.iter().map(|e| e.category.clone()))
        .collect();
    categories.sort();
    categories.dedup();
    let today = jiff::Timestamp::now()
        .to_zoned(viewer_zone(auth).tz().clone())
        .date()
        .to_string();
    let form = form.unwrap_or_else(|| ExpenseForm {
        date: today.clone(),
        currency: "EUR".into(),
        ..ExpenseForm::default()
    });
    let currency_list: Vec<(&str, &str)> = CURRENCIES.iter().map(|c| (*c, *c)).collect();
    let page = ExpensesPage {
        layout: Layout::new(state, auth, "expenses", notice).await?,
        whose,
        acting: me != auth.person.id,
        loose: list
            .iter()
            .filter(|e| e.report.is_none())
            .map(expense_row)
            .collect(),
        expenses: list.iter().map(expense_row).collect(),
        reports: reports.iter().map(report_row).collect(),
        categories,
        currencies: opts(&currency_list, &form.currency),
        form,
        today,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn expenses(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    expenses_render(&state, &auth, q.notice.as_deref(), None, vec![]).await
}

/// Files an expense with its receipt; a refused receipt stores nothing.
pub async fn expense_create(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    mut multipart: Multipart,
) -> WebResult {
    let (fields, file) = match read_form(&mut multipart).await {
        Ok(u) => u,
        Err(e) => return expenses_render(&state, &auth, None, None, vec![e]).await,
    };
    let form = ExpenseForm::from_pairs(&fields);
    let receipt = file.as_ref().map(|(n, b)| (n.as_str(), b.as_slice()));
    match ops::create_expense(&state, &caller(&auth), auth.org(), &form.input(), receipt).await {
        Ok(_) => Ok(Redirect::to("/office/expenses?notice=expense-added").into_response()),
        Err(e) if is_user_error(&e) || e.status == StatusCode::FORBIDDEN => {
            expenses_render(&state, &auth, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Where to go back to after an action on an expense: its report, else My expenses.
fn back_to(fields: &[(String, String)]) -> String {
    let r = trimmed(fields, "report");
    if r.parse::<ExpenseReportId>().is_ok() {
        format!("/office/expenses/reports/{r}")
    } else {
        "/office/expenses".into()
    }
}

pub async fn receipt_upload(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult {
    let id: ExpenseId = parse_path_id(&id, "expense")?;
    let (fields, file) = match read_form(&mut multipart).await {
        Ok(u) => u,
        Err(e) => return expenses_render(&state, &auth, None, None, vec![e]).await,
    };
    let Some((name, bytes)) = file else {
        return expenses_render(
            &state,
            &auth,
            None,
            None,
            vec![one_error("receipt", "choose a receipt to attach")],
        )
        .await;
    };
    match ops::attach_receipt(&state, &caller(&auth), auth.org(), id, &name, &bytes).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?notice=receipt-attached", back_to(&fields))).into_response()),
        Err(e) if is_user_error(&e) || e.status == StatusCode::FORBIDDEN => {
            expenses_render(&state, &auth, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn receipt_download(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: ExpenseId = parse_path_id(&id, "expense")?;
    let (rec, bytes) = ops::download_receipt(&state, &caller(&auth), auth.org(), id).await?;
    Ok(crate::api::meetings::file_response(
        &rec.content_type,
        &rec.filename,
        bytes,
    ))
}

pub async fn expense_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: ExpenseId = parse_path_id(&id, "expense")?;
    let fields = form_pairs(&body);
    match ops::delete_expense(&state, &caller(&auth), auth.org(), id).await {
        Ok(()) => Ok(Redirect::to(&format!("{}?notice=expense-deleted", back_to(&fields))).into_response()),
        Err(e) if is_user_error(&e) || e.status == StatusCode::FORBIDDEN => {
            expenses_render(&state, &auth, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Starts a report with the ticked expenses.
pub async fn report_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let input = ReportInput {
        person: None,
        title: trimmed(&f, "title"),
        expenses: f
            .iter()
            .filter(|(k, _)| k == "expense")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    match ops::create_report(&state, &caller(&auth), auth.org(), &input).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/office/expenses/reports/{}?notice=report-started",
            r.id
        ))
        .into_response()),
        Err(e) if is_user_error(&e) || e.status == StatusCode::FORBIDDEN => {
            expenses_render(&state, &auth, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---- a report ----

#[derive(Template)]
#[template(path = "expense_report.html")]
struct ReportPage {
    layout: Layout,
    r: ReportView,
    row: ReportRow,
    expenses: Vec<ExpenseRow>,
    /// The person's expenses in no report, to add (while editable).
    loose: Vec<ExpenseRow>,
    submitted_at: String,
    decided_at: String,
    reimbursed_at: String,
    errors: Vec<FieldError>,
}

async fn report_render(
    state: &AppState,
    auth: &AuthCtx,
    id: ExpenseReportId,
    notice: Option<&str>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let r = ops::get_report(state, &c, org, id).await?;
    let loose = if r.can_edit {
        ops::list_expenses(state, &c, org, Some(&r.person.id))
            .await?
            .iter()
            .filter(|e| e.report.is_none())
            .map(expense_row)
            .collect()
    } else {
        vec![]
    };
    let viewer = viewer_zone(auth);
    let at = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| when_text(t, &viewer))
            .unwrap_or_default()
    };
    let page = ReportPage {
        layout: Layout::new(state, auth, "expenses", notice).await?,
        row: report_row(&r),
        expenses: r.expenses.iter().map(expense_row).collect(),
        loose,
        submitted_at: at(&r.submitted_at),
        decided_at: at(&r.decided_at),
        reimbursed_at: at(&r.reimbursed_at),
        r,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn report_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: ExpenseReportId = parse_path_id(&id, "expense report")?;
    report_render(&state, &auth, id, q.notice.as_deref(), vec![]).await
}

/// Submit, approve, reject, reimburse, add or remove expenses.
pub async fn report_act(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> WebResult {
    let id: ExpenseReportId = parse_path_id(&id, "expense report")?;
    let f = form_pairs(&body);
    let (c, org) = (caller(&auth), auth.org());
    let decision = DecisionInput {
        note: Some(trimmed(&f, "note")),
    };
    let picked = |name: &str| -> Vec<String> {
        f.iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let (r, notice) = match action.as_str() {
        "submit" => (ops::submit_report(&state, &c, org, id).await, "report-submitted"),
        "approve" => (
            ops::decide_report(&state, &c, org, id, true, &decision).await,
            "report-approved",
        ),
        "reject" => (
            ops::decide_report(&state, &c, org, id, false, &decision).await,
            "report-rejected",
        ),
        "reimburse" => (
            ops::reimburse_report(&state, &c, org, id).await,
            "report-reimbursed",
        ),
        "add" => (
            ops::assign_expenses(
                &state,
                &c,
                org,
                id,
                &AssignInput {
                    add: picked("expense"),
                    remove: vec![],
                },
            )
            .await,
            "report-changed",
        ),
        "remove" => (
            ops::assign_expenses(
                &state,
                &c,
                org,
                id,
                &AssignInput {
                    add: vec![],
                    remove: picked("expense"),
                },
            )
            .await,
            "report-changed",
        ),
        _ => return Err(WebError(ApiError::not_found("page"))),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/office/expenses/reports/{id}?notice={notice}")).into_response()),
        Err(e) if is_user_error(&e) || e.status == StatusCode::FORBIDDEN => {
            report_render(&state, &auth, id, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---- approvals ----

#[derive(Template)]
#[template(path = "expense_approvals.html")]
struct ApprovalsPage {
    layout: Layout,
    waiting: Vec<ReportRow>,
    to_reimburse: Vec<ReportRow>,
    done: Vec<ReportRow>,
}

pub async fn approvals(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let c = caller(&auth);
    let org = auth.org();
    c.may(org, Capability::ApproveExpenses)?;
    let all = ops::list_reports(&state, &c, org, &ReportFilter::default()).await?;
    let me = auth.person.id.to_string();
    let others = |r: &&ReportView| r.person.id != me;
    let page = ApprovalsPage {
        layout: Layout::new(&state, &auth, "expense-approvals", q.notice.as_deref()).await?,
        waiting: all
            .iter()
            .filter(others)
            .filter(|r| r.status == "submitted")
            .map(report_row)
            .collect(),
        to_reimburse: all
            .iter()
            .filter(others)
            .filter(|r| r.status == "approved")
            .map(report_row)
            .collect(),
        done: all
            .iter()
            .filter(others)
            .filter(|r| matches!(r.status.as_str(), "reimbursed" | "rejected"))
            .take(20)
            .map(report_row)
            .collect(),
    };
    Ok(render_status(StatusCode::OK, &page))
}

// ---- policy ----

#[derive(Template)]
#[template(path = "expense_policy.html")]
struct PolicyPage {
    layout: Layout,
    rules: Vec<PolicyRuleView>,
    can_set: bool,
    currencies: Vec<Opt>,
    form: PolicyForm,
    errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Default)]
struct PolicyForm {
    category: String,
    currency: String,
    limit: String,
    receipt_above: String,
}

async fn policy_render(
    state: &AppState,
    auth: &AuthCtx,
    notice: Option<&str>,
    form: Option<PolicyForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let rules = ops::policy(state, &c, auth.org()).await?;
    let form = form.unwrap_or(PolicyForm {
        currency: "EUR".into(),
        ..PolicyForm::default()
    });
    let currency_list: Vec<(&str, &str)> = CURRENCIES.iter().map(|c| (*c, *c)).collect();
    let page = PolicyPage {
        layout: Layout::new(state, auth, "expense-policy", notice).await?,
        rules,
        can_set: c.may(auth.org(), Capability::ReimburseExpenses).is_ok(),
        currencies: opts(&currency_list, &form.currency),
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn policy(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    policy_render(&state, &auth, q.notice.as_deref(), None, vec![]).await
}

pub async fn policy_set(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let form = PolicyForm {
        category: trimmed(&f, "category"),
        currency: trimmed(&f, "currency"),
        limit: trimmed(&f, "limit"),
        receipt_above: trimmed(&f, "receipt_above"),
    };
    let c = caller(&auth);
    let r = if trimmed(&f, "action") == "remove" {
        ops::delete_policy_rule(&state, &c, auth.org(), &form.category, Some(&form.currency))
            .await
            .map(|()| "policy-removed")
    } else {
        let input = PolicyInput {
            category: form.category.clone(),
            currency: Some(form.currency.clone()),
            limit: Some(form.limit.clone()),
            receipt_above: Some(form.receipt_above.clone()),
        };
        ops::set_policy(&state, &c, auth.org(), &input)
            .await
            .map(|_| "policy-set")
    };
    match r {
        Ok(notice) => Ok(Redirect::to(&format!("/office/expenses/policy?notice={notice}")).into_response()),
        Err(e) if is_user_error(&e) || e.status == StatusCode::FORBIDDEN => {
            policy_render(&state, &auth, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}
