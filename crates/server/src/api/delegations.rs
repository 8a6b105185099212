//! `/api/v1/delegations`.

use super::ApiJson;
use super::views::DelegationView;
use crate::app::AppState;
use crate::auth::{ApiAuth, Caller};
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::{self, DelegationInput};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// Delegations you give or hold (administrators: all).
#[utoipa::path(get, path = "/api/v1/delegations", tag = "delegations", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [DelegationView]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> ApiResult<Json<Vec<DelegationView>>> {
    let org = auth.org();
    let ds = ops::list_delegations(&state, &Caller::Person(Box::new(auth)), org).await?;
    Ok(Json(ds.iter().map(DelegationView::from).collect()))
}

/// Grants (or changes) a delegation: the principal themselves, or an administrator.
#[utoipa::path(post, path = "/api/v1/delegations", tag = "delegations", security(("bearer" = []), ("session" = [])),
    request_body = DelegationInput,
    responses((status = 201, body = DelegationView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn grant(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<DelegationInput>,
) -> ApiResult<(StatusCode, Json<DelegationView>)> {
    let org = auth.org();
    let d = ops::grant_delegation(&state, &Caller::Person(Box::new(auth)), org, &input).await?;
    Ok((StatusCode::CREATED, Json(DelegationView::from(&d))))
}

/// Revokes a delegation.
#[utoipa::path(delete, path = "/api/v1/delegations/{id}", tag = "delegations", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Delegation id")),
    responses((status = 200, body = DelegationView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<DelegationView>> {
    let org = auth.org();
    let id = id.parse().map_err(|_| ApiError::not_found("delegation"))?;
    let d = ops::revoke_delegation(&state, &Caller::Person(Box::new(auth)), org, id).await?;
    Ok(Json(DelegationView::from(&d)))
}
