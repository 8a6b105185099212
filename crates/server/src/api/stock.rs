//! `/api/v1` stock routes: the stock room's items (low ones first), taking,
//! receiving and counting. Lists answer JSON, or CSV with `?format=csv`.

use super::office::{csv_response, wants_csv};
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiResult, Problem};
use crate::ops::stock::{
    self as ops, MovedView, MovementInput, StockDetail, StockFilter, StockInput, StockView,
};
use adjutant_core::office::stock::MovementKind;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

/// Which items to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StockQuery {
    /// `true`: only items at or below their reorder point.
    pub low: Option<bool>,
    pub category: Option<String>,
    /// Words in the name, SKU, category or location.
    pub q: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// The stock room: every item with what is on hand, low ones first.
#[utoipa::path(get, path = "/api/v1/stock", tag = "office", security(("bearer" = []), ("session" = [])),
    params(StockQuery),
    responses((status = 200, content((Vec<StockView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<StockQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let filter = StockFilter {
        low: q.low.unwrap_or(false),
        category: q.category,
        q: q.q,
    };
    let rows = ops::list_stock(&state, &caller(auth), org, &filter).await?;
    Ok(if csv {
        csv_response("stock.csv", ops::stock_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Adds a stock item (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/stock", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = StockInput,
    responses((status = 201, body = StockView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<StockInput>,
) -> ApiResult<(StatusCode, Json<StockView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(ops::create_stock(&state, &caller(auth), org, &input).await?),
    ))
}

/// One item with its latest movements.
#[utoipa::path(get, path = "/api/v1/stock/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Stock item id")),
    responses((status = 200, body = StockDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(sid): Path<String>,
) -> ApiResult<Json<StockDetail>> {
    let org = auth.org();
    Ok(Json(
        ops::get_stock(&state, &caller(auth), org, id(&sid, "stock item")?).await?,
    ))
}

/// Changes an item (not its quantity: count it instead).
#[utoipa::path(put, path = "/api/v1/stock/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Stock item id")), request_body = StockInput,
    responses((status = 200, body = StockView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(sid): Path<String>,
    ApiJson(input): ApiJson<StockInput>,
) -> ApiResult<Json<StockView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_stock(&state, &caller(auth), org, id(&sid, "stock item")?, &input).await?,
    ))
}

/// Deletes an item and its history.
#[utoipa::path(delete, path = "/api/v1/stock/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Stock item id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(sid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_stock(&state, &caller(auth), org, id(&sid, "stock item")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn moved(
    state: AppState,
    auth: crate::auth::AuthCtx,
    sid: String,
    kind: MovementKind,
    input: MovementInput,
) -> ApiResult<Json<MovedView>> {
    let org = auth.org();
    Ok(Json(
        ops::move_stock(&state, &caller(auth), org, id(&sid, "stock item")?, kind, &input).await?,
    ))
}

/// Records that some was taken (anyone but contractors); more than is on hand is refused.
#[utoipa::path(post, path = "/api/v1/stock/{id}/consume", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Stock item id")), request_body = MovementInput,
    responses((status = 200, body = MovedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn consume(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(sid): Path<String>,
    ApiJson(input): ApiJson<MovementInput>,
) -> ApiResult<Json<MovedView>> {
    moved(state, auth, sid, MovementKind::Consume, input).await
}

/// Records a delivery (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/stock/{id}/receive", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Stock item id")), request_body = MovementInput,
    responses((status = 200, body = MovedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn receive(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(sid): Path<String>,
    ApiJson(input): ApiJson<MovementInput>,
) -> ApiResult<Json<MovedView>> {
    moved(state, auth, sid, MovementKind::Receive, input).await
}

/// Records a count: what is on hand becomes the count (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/stock/{id}/count", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Stock item id")), request_body = MovementInput,
    responses((status = 200, body = MovedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn count(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(sid): Path<String>,
    ApiJson(input): ApiJson<MovementInput>,
) -> ApiResult<Json<MovedView>> {
    moved(state, auth, sid, MovementKind::Count, input).await
}
