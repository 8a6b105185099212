//! `/api/v1` purchase routes: requests, approval, rejection, cancellation
//! and deliveries. The list answers JSON, or CSV with `?format=csv`.

use super::office::{csv_response, wants_csv};
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiResult, Problem};
use crate::ops::purchases::{
    self as ops, DecisionInput, PurchaseFilter, PurchaseInput, PurchaseView, ReceiveInput,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

/// Which purchases to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurchasesQuery {
    /// A status, or `waiting` (draft or submitted) or `open` (ordered, partly received).
    pub status: Option<String>,
    /// Words in the number, title, category or vendor.
    pub q: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Purchases: everyone's for office managers, principals, assistants and administrators; one's own for staff.
#[utoipa::path(get, path = "/api/v1/purchases", tag = "office", security(("bearer" = []), ("session" = [])),
    params(PurchasesQuery),
    responses((status = 200, content((Vec<PurchaseView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PurchasesQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let filter = PurchaseFilter {
        status: q.status,
        q: q.q,
    };
    let rows = ops::list_purchases(&state, &caller(auth), org, &filter).await?;
    Ok(if csv {
        csv_response("purchases.csv", ops::purchases_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Requests a purchase (anyone but contractors); `submit: false` keeps a draft.
#[utoipa::path(post, path = "/api/v1/purchases", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = PurchaseInput,
    responses((status = 201, body = PurchaseView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<PurchaseInput>,
) -> ApiResult<(StatusCode, Json<PurchaseView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(ops::create_purchase(&state, &caller(auth), org, &input).await?),
    ))
}

/// One purchase, with what the caller may do to it.
#[utoipa::path(get, path = "/api/v1/purchases/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Purchase id")),
    responses((status = 200, body = PurchaseView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
) -> ApiResult<Json<PurchaseView>> {
    let org = auth.org();
    Ok(Json(
        ops::get_purchase(&state, &caller(auth), org, id(&pid, "purchase")?).await?,
    ))
}

/// Changes a request while it waits for approval (its requester or an office manager).
#[utoipa::path(put, path = "/api/v1/purchases/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Purchase id")), request_body = PurchaseInput,
    responses((status = 200, body = PurchaseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
    ApiJson(input): ApiJson<PurchaseInput>,
) -> ApiResult<Json<PurchaseView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_purchase(&state, &caller(auth), org, id(&pid, "purchase")?, &input).await?,
    ))
}

/// Sends a draft for approval.
#[utoipa::path(post, path = "/api/v1/purchases/{id}/submit", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Purchase id")),
    responses((status = 200, body = PurchaseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
) -> ApiResult<Json<PurchaseView>> {
    let org = auth.org();
    Ok(Json(
        ops::submit_purchase(&state, &caller(auth), org, id(&pid, "purchase")?).await?,
    ))
}

/// Approves a purchase: the order goes to the vendor. Office managers up to their limit, principals and administrators above; never one's own.
#[utoipa::path(post, path = "/api/v1/purchases/{id}/approve", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Purchase id")), request_body = DecisionInput,
    responses((status = 200, body = PurchaseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<PurchaseView>> {
    let org = auth.org();
    Ok(Json(
        ops::decide_purchase(&state, &caller(auth), org, id(&pid, "purchase")?, true, &input).await?,
    ))
}

/// Rejects a purchase waiting for approval (whoever may approve it).
#[utoipa::path(post, path = "/api/v1/purchases/{id}/reject", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Purchase id")), request_body = DecisionInput,
    responses((status = 200, body = PurchaseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<PurchaseView>> {
    let org = auth.org();
    Ok(Json(
        ops::decide_purchase(&state, &caller(auth), org, id(&pid, "purchase")?, false, &input).await?,
    ))
}

/// Cancels a request, or an order nothing of which has arrived.
#[utoipa::path(post, path = "/api/v1/purchases/{id}/cancel", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Purchase id")), request_body = DecisionInput,
    responses((status = 200, body = PurchaseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<PurchaseView>> {
    let org = auth.org();
    Ok(Json(
        ops::cancel_purchase(&state, &caller(auth), org, id(&pid, "purchase")?, &input).await?,
    ))
}

/// Records a delivery, in part or in full (office managers and administrators); received stock goes into the stock room.
#[utoipa::path(post, path = "/api/v1/purchases/{id}/receive", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Purchase id")), request_body = ReceiveInput,
    responses((status = 200, body = PurchaseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn receive(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
    ApiJson(input): ApiJson<ReceiveInput>,
) -> ApiResult<Json<PurchaseView>> {
    let org = auth.org();
    Ok(Json(
        ops::receive_purchase(&state, &caller(auth), org, id(&pid, "purchase")?, &input).await?,
    ))
}
