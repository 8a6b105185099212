//! `/api/v1/assets` routes: the asset register (every asset for office
//! managers and administrators, `?mine=true` for anyone), assigning and
//! checking out, checking in with a condition, maintenance, retirement, and
//! what is due. Lists and an asset's history answer JSON, or CSV with `?format=csv`.

use super::office::{csv_response, wants_csv};
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiResult, Problem};
use crate::ops::assets::{
    self as ops, AssetActedView, AssetDetail, AssetDueView, AssetFilter, AssetInput, AssetView, AssignInput,
    CheckinInput, MaintainInput, RetireInput,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Which assets to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AssetsQuery {
    /// available, assigned, checked_out, in_maintenance, retired; or `out` (assigned or
    /// checked out) or `overdue`.
    pub status: Option<String>,
    /// laptop, monitor, phone, software, …
    pub kind: Option<String>,
    /// Words in the tag, model, manufacturer, serial, location or holder's name.
    pub q: Option<String>,
    /// `true`: only the assets the caller holds (anyone may ask this).
    pub mine: Option<bool>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// How far ahead to look.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AssetsDueQuery {
    /// Days ahead (default 30).
    pub days: Option<i64>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// `json` or `csv`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AssetFormatQuery {
    /// `json` (default) or `csv` (the history).
    pub format: Option<String>,
}

/// Checking an asset out until a date.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutInput {
    /// The person's id or e-mail address.
    pub person: String,
    /// When it should come back: today or later.
    pub expected_return: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// The asset register: every asset (office managers and administrators), or with `mine=true` the caller's own.
#[utoipa::path(get, path = "/api/v1/assets", tag = "office", security(("bearer" = []), ("session" = [])),
    params(AssetsQuery),
    responses((status = 200, content((Vec<AssetView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<AssetsQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let filter = AssetFilter {
        status: q.status,
        kind: q.kind,
        q: q.q,
        mine: q.mine.unwrap_or(false),
    };
    let rows = ops::list_assets(&state, &caller(auth), org, &filter).await?;
    Ok(if csv {
        csv_response("assets.csv", ops::assets_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Registers an asset (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/assets", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = AssetInput,
    responses((status = 201, body = AssetView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<AssetInput>,
) -> ApiResult<(StatusCode, Json<AssetView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(ops::create_asset(&state, &caller(auth), org, &input).await?),
    ))
}

/// Warranties ending, licences expiring, maintenance due and returns overdue within `days`, soonest first.
#[utoipa::path(get, path = "/api/v1/assets/due", tag = "office", security(("bearer" = []), ("session" = [])),
    params(AssetsDueQuery),
    responses((status = 200, content((AssetDueView = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn due(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<AssetsDueQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let due = ops::assets_due(&state, &caller(auth), org, q.days).await?;
    Ok(if csv {
        csv_response("assets-due.csv", ops::due_csv(&due))
    } else {
        Json(due).into_response()
    })
}

/// One asset with its full history (managers; others only an asset they hold).
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Asset id"), AssetFormatQuery),
    responses((status = 200, content((AssetDetail = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(aid): Path<String>,
    ApiQuery(q): ApiQuery<AssetFormatQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let d = ops::get_asset(&state, &caller(auth), org, id(&aid, "asset")?).await?;
    Ok(if csv {
        csv_response(&format!("asset-{}.csv", d.asset.tag), ops::history_csv(&d))
    } else {
        Json(d).into_response()
    })
}

/// Changes an asset's register entry (not who holds it).
#[utoipa::path(put, path = "/api/v1/assets/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Asset id")), request_body = AssetInput,
    responses((status = 200, body = AssetView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(aid): Path<String>,
    ApiJson(input): ApiJson<AssetInput>,
) -> ApiResult<Json<AssetView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_asset(&state, &caller(auth), org, id(&aid, "asset")?, &input).await?,
    ))
}

/// Assigns an asset to a person, for good or (with `expected_return`) until a date. One already out is refused.
#[utoipa::path(post, path = "/api/v1/assets/{id}/assign", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Asset id")), request_body = AssignInput,
    responses((status = 200, body = AssetActedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(aid): Path<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<AssetActedView>> {
    let org = auth.org();
    Ok(Json(
        ops::assign_asset(&state, &caller(auth), org, id(&aid, "asset")?, &input).await?,
    ))
}

/// Checks an asset out to a person until an expected return (today or later). One already out is refused.
#[utoipa::path(post, path = "/api/v1/assets/{id}/checkout", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Asset id")), request_body = CheckoutInput,
    responses((status = 200, body = AssetActedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn checkout(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(aid): Path<String>,
    ApiJson(input): ApiJson<CheckoutInput>,
) -> ApiResult<Json<AssetActedView>> {
    let org = auth.org();
    let input = AssignInput {
        person: input.person,
        expected_return: Some(input.expected_return),
        note: input.note,
    };
    Ok(Json(
        ops::assign_asset(&state, &caller(auth), org, id(&aid, "asset")?, &input).await?,
    ))
}

/// Checks an asset in with its condition; damaged or broken puts it in maintenance.
#[utoipa::path(post, path = "/api/v1/assets/{id}/checkin", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Asset id")), request_body = CheckinInput,
    responses((status = 200, body = AssetActedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn checkin(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(aid): Path<String>,
    ApiJson(input): ApiJson<CheckinInput>,
) -> ApiResult<Json<AssetActedView>> {
    let org = auth.org();
    Ok(Json(
        ops::checkin_asset(&state, &caller(auth), org, id(&aid, "asset")?, &input).await?,
    ))
}

/// Records maintenance with its cost and a note; the next is due the interval later.
#[utoipa::path(post, path = "/api/v1/assets/{id}/maintain", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Asset id")), request_body = MaintainInput,
    responses((status = 200, body = AssetActedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn maintain(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(aid): Path<String>,
    ApiJson(input): ApiJson<MaintainInput>,
) -> ApiResult<Json<AssetActedView>> {
    let org = auth.org();
    Ok(Json(
        ops::maintain_asset(&state, &caller(auth), org, id(&aid, "asset")?, &input).await?,
    ))
}

/// Retires an asset (checked in first); it stays in the register with its history.
#[utoipa::path(post, path = "/api/v1/assets/{id}/retire", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Asset id")), request_body = RetireInput,
    responses((status = 200, body = AssetActedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn retire(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(aid): Path<String>,
    ApiJson(input): ApiJson<RetireInput>,
) -> ApiResult<Json<AssetActedView>> {
    let org = auth.org();
    Ok(Json(
        ops::retire_asset(&state, &caller(auth), org, id(&aid, "asset")?, &input).await?,
    ))
}
