//! `/api/v1` invoice routes: register, the three-way match and duplicate
//! flags in every answer, approve, reject, pay. The list answers JSON, or
//! CSV with `?format=csv`.

use super::office::{csv_response, wants_csv};
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiResult, Problem};
use crate::ops::invoices::{self as ops, InvoiceActInput, InvoiceFilter, InvoiceInput, InvoiceView};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

/// Which invoices to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InvoicesQuery {
    /// A status, or `waiting`, `unpaid`, `overdue`.
    pub status: Option<String>,
    /// A vendor's id or name.
    pub vendor: Option<String>,
    /// Words in the number, vendor, category or purchase number.
    pub q: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Invoices, the soonest due first, each with its match and duplicate flags.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "office", security(("bearer" = []), ("session" = [])),
    params(InvoicesQuery),
    responses((status = 200, content((Vec<InvoiceView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<InvoicesQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let filter = InvoiceFilter {
        status: q.status,
        vendor: q.vendor,
        q: q.q,
    };
    let rows = ops::list_invoices(&state, &caller(auth), org, &filter).await?;
    Ok(if csv {
        csv_response("invoices.csv", ops::invoices_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Registers an invoice (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/invoices", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = InvoiceInput,
    responses((status = 201, body = InvoiceView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<InvoiceInput>,
) -> ApiResult<(StatusCode, Json<InvoiceView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(ops::create_invoice(&state, &caller(auth), org, &input).await?),
    ))
}

/// One invoice.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Invoice id")),
    responses((status = 200, body = InvoiceView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(iid): Path<String>,
) -> ApiResult<Json<InvoiceView>> {
    let org = auth.org();
    Ok(Json(
        ops::get_invoice(&state, &caller(auth), org, id(&iid, "invoice")?).await?,
    ))
}

/// Approves an invoice for payment: office managers up to their limit, principals and administrators above; never whoever registered it.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/approve", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Invoice id")), request_body = InvoiceActInput,
    responses((status = 200, body = InvoiceView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(iid): Path<String>,
    ApiJson(input): ApiJson<InvoiceActInput>,
) -> ApiResult<Json<InvoiceView>> {
    let org = auth.org();
    Ok(Json(
        ops::decide_invoice(&state, &caller(auth), org, id(&iid, "invoice")?, true, &input).await?,
    ))
}

/// Rejects an invoice waiting for approval (a duplicate, a wrong amount).
#[utoipa::path(post, path = "/api/v1/invoices/{id}/reject", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Invoice id")), request_body = InvoiceActInput,
    responses((status = 200, body = InvoiceView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(iid): Path<String>,
    ApiJson(input): ApiJson<InvoiceActInput>,
) -> ApiResult<Json<InvoiceView>> {
    let org = auth.org();
    Ok(Json(
        ops::decide_invoice(&state, &caller(auth), org, id(&iid, "invoice")?, false, &input).await?,
    ))
}

/// Marks an approved invoice paid (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/invoices/{id}/pay", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Invoice id")), request_body = InvoiceActInput,
    responses((status = 200, body = InvoiceView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn pay(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(iid): Path<String>,
    ApiJson(input): ApiJson<InvoiceActInput>,
) -> ApiResult<Json<InvoiceView>> {
    let org = auth.org();
    Ok(Json(
        ops::pay_invoice(&state, &caller(auth), org, id(&iid, "invoice")?, &input).await?,
    ))
}
