//! `/api/v1` expense routes: expenses and their receipts, expense reports
//! (submit, approve, reject with a reason, reimburse) and the expense policy.
//! Lists answer JSON, or CSV with `?format=csv`.

use super::meetings::file_response;
use super::office::{FormatQuery, csv_response, wants_csv};
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::expenses::{
    self as ops, AssignInput, DecisionInput, ExpenseInput, ExpenseView, PolicyInput, PolicyRuleView,
    ReportFilter, ReportInput, ReportView,
};
use adjutant_core::office::expense::MAX_RECEIPT_BYTES;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

/// The most a receipt upload may weigh.
pub const RECEIPT_BODY_LIMIT: usize = MAX_RECEIPT_BYTES;

/// Whose expenses to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExpensesQuery {
    /// A person's id (default: the caller, or the principal they act for).
    pub person: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Which reports to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportsQuery {
    /// A status, or `waiting` (submitted, waiting for approval).
    pub status: Option<String>,
    /// Only one person's (an id).
    pub person: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// The receipt's file name.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReceiptQuery {
    /// e.g. `taxi-receipt.pdf`; the type is read from the content, not the name.
    pub filename: String,
}

/// The caller's expenses (or a person's they may see), each with its policy findings.
#[utoipa::path(get, path = "/api/v1/expenses", tag = "office", security(("bearer" = []), ("session" = [])),
    params(ExpensesQuery),
    responses((status = 200, content((Vec<ExpenseView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ExpensesQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let rows = ops::list_expenses(&state, &caller(auth), org, q.person.as_deref()).await?;
    Ok(if csv {
        csv_response("expenses.csv", ops::expenses_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Files an expense (anyone but contractors; an assistant for a principal under an `expenses` delegation). Attach the receipt with `PUT /api/v1/expenses/{id}/receipt`.
#[utoipa::path(post, path = "/api/v1/expenses", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = ExpenseInput,
    responses((status = 201, body = ExpenseView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<ExpenseInput>,
) -> ApiResult<(StatusCode, Json<ExpenseView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(ops::create_expense(&state, &caller(auth), org, &input, None).await?),
    ))
}

/// One expense with its findings.
#[utoipa::path(get, path = "/api/v1/expenses/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense id")),
    responses((status = 200, body = ExpenseView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
) -> ApiResult<Json<ExpenseView>> {
    let org = auth.org();
    Ok(Json(
        ops::get_expense(&state, &caller(auth), org, id(&eid, "expense")?).await?,
    ))
}

/// Changes an expense while it is in no report or its report is a draft.
#[utoipa::path(put, path = "/api/v1/expenses/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense id")), request_body = ExpenseInput,
    responses((status = 200, body = ExpenseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
    ApiJson(input): ApiJson<ExpenseInput>,
) -> ApiResult<Json<ExpenseView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_expense(&state, &caller(auth), org, id(&eid, "expense")?, &input).await?,
    ))
}

/// Deletes an expense (and its receipt) while it may change.
#[utoipa::path(delete, path = "/api/v1/expenses/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_expense(&state, &caller(auth), org, id(&eid, "expense")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Attaches the receipt (an image — PNG, JPEG, GIF, WebP — or a PDF, read from the content; at most 10 MiB), replacing one it had.
#[utoipa::path(put, path = "/api/v1/expenses/{id}/receipt", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense id"), ReceiptQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ExpenseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn receipt_upload(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
    ApiQuery(q): ApiQuery<ReceiptQuery>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<ExpenseView>> {
    let org = auth.org();
    let body = body.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the receipt is larger than {} MiB, the most a receipt may be",
                RECEIPT_BODY_LIMIT / (1024 * 1024)
            ),
        )
    })?;
    Ok(Json(
        ops::attach_receipt(
            &state,
            &caller(auth),
            org,
            id(&eid, "expense")?,
            &q.filename,
            &body,
        )
        .await?,
    ))
}

/// Downloads an expense's receipt (whoever may see the expense).
#[utoipa::path(get, path = "/api/v1/expenses/{id}/receipt", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense id")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn receipt_download(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
) -> ApiResult<Response> {
    let org = auth.org();
    let (rec, bytes) = ops::download_receipt(&state, &caller(auth), org, id(&eid, "expense")?).await?;
    Ok(file_response(&rec.content_type, &rec.filename, bytes))
}

// ---- reports ----

/// Expense reports: one's own and one's principals'; approvers also everyone's once submitted. Waiting ones first.
#[utoipa::path(get, path = "/api/v1/expense-reports", tag = "office", security(("bearer" = []), ("session" = [])),
    params(ReportsQuery),
    responses((status = 200, content((Vec<ReportView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn reports(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ReportsQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let filter = ReportFilter {
        status: q.status,
        person: q.person,
    };
    let rows = ops::list_reports(&state, &caller(auth), org, &filter).await?;
    Ok(if csv {
        csv_response("expense-reports.csv", ops::reports_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Starts a draft report with some of the person's expenses.
#[utoipa::path(post, path = "/api/v1/expense-reports", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = ReportInput,
    responses((status = 201, body = ReportView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn report_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<ReportInput>,
) -> ApiResult<(StatusCode, Json<ReportView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(ops::create_report(&state, &caller(auth), org, &input).await?),
    ))
}

/// One report with its expenses, totals per currency and findings.
#[utoipa::path(get, path = "/api/v1/expense-reports/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense report id")),
    responses((status = 200, body = ReportView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn report_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
) -> ApiResult<Json<ReportView>> {
    let org = auth.org();
    Ok(Json(
        ops::get_report(&state, &caller(auth), org, id(&rid, "expense report")?).await?,
    ))
}

/// Puts expenses into a draft (or rejected) report, or takes them out.
#[utoipa::path(post, path = "/api/v1/expense-reports/{id}/expenses", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense report id")), request_body = AssignInput,
    responses((status = 200, body = ReportView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn report_assign(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<ReportView>> {
    let org = auth.org();
    Ok(Json(
        ops::assign_expenses(&state, &caller(auth), org, id(&rid, "expense report")?, &input).await?,
    ))
}

/// Submits a report for approval; refused (422) while a receipt is missing above the policy's amount.
#[utoipa::path(post, path = "/api/v1/expense-reports/{id}/submit", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense report id")),
    responses((status = 200, body = ReportView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn report_submit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
) -> ApiResult<Json<ReportView>> {
    let org = auth.org();
    Ok(Json(
        ops::submit_report(&state, &caller(auth), org, id(&rid, "expense report")?).await?,
    ))
}

/// Approves a submitted report (office managers, principals, administrators; never one's own).
#[utoipa::path(post, path = "/api/v1/expense-reports/{id}/approve", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense report id")), request_body = DecisionInput,
    responses((status = 200, body = ReportView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn report_approve(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<ReportView>> {
    let org = auth.org();
    Ok(Json(
        ops::decide_report(
            &state,
            &caller(auth),
            org,
            id(&rid, "expense report")?,
            true,
            &input,
        )
        .await?,
    ))
}

/// Rejects a submitted report with a reason (`note`, required); it can be fixed and submitted again.
#[utoipa::path(post, path = "/api/v1/expense-reports/{id}/reject", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense report id")), request_body = DecisionInput,
    responses((status = 200, body = ReportView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn report_reject(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<ReportView>> {
    let org = auth.org();
    Ok(Json(
        ops::decide_report(
            &state,
            &caller(auth),
            org,
            id(&rid, "expense report")?,
            false,
            &input,
        )
        .await?,
    ))
}

/// Marks an approved report as paid back (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/expense-reports/{id}/reimburse", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Expense report id")),
    responses((status = 200, body = ReportView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn report_reimburse(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
) -> ApiResult<Json<ReportView>> {
    let org = auth.org();
    Ok(Json(
        ops::reimburse_report(&state, &caller(auth), org, id(&rid, "expense report")?).await?,
    ))
}

// ---- policy ----

/// The expense policy: per category (or `default`) and currency, a limit and the amount above which a receipt is required.
#[utoipa::path(get, path = "/api/v1/expense-policy", tag = "office", security(("bearer" = []), ("session" = [])),
    params(FormatQuery),
    responses((status = 200, content((Vec<PolicyRuleView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn policy(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let rows = ops::policy(&state, &caller(auth), org).await?;
    Ok(if csv {
        csv_response("expense-policy.csv", ops::policy_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Sets one rule of the policy (office managers and administrators); answers the whole policy.
#[utoipa::path(put, path = "/api/v1/expense-policy", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = PolicyInput,
    responses((status = 200, body = Vec<PolicyRuleView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn policy_set(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<PolicyInput>,
) -> ApiResult<Json<Vec<PolicyRuleView>>> {
    let org = auth.org();
    Ok(Json(ops::set_policy(&state, &caller(auth), org, &input).await?))
}
