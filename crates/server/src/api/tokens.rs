//! `/api/v1/tokens`.

use super::ApiJson;
use super::ApiQuery;
use super::views::{NewTokenView, TokenView};
use crate::app::AppState;
use crate::auth::{ApiAuth, Caller};
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::{self, TokenInput};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

/// Which tokens to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Everyone's tokens (administrators only).
    #[serde(default)]
    pub all: bool,
}

/// Your API tokens (with `all=true`, everyone's, for administrators).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", security(("bearer" = []), ("session" = [])),
    params(ListQuery),
    responses((status = 200, body = [TokenView]), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<TokenView>>> {
    let org = auth.org();
    let ts = ops::list_tokens(&state, &Caller::Person(Box::new(auth)), org, q.all).await?;
    Ok(Json(ts.iter().map(TokenView::from).collect()))
}

/// Creates an API token. Its secret is in the answer and never again.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", security(("bearer" = []), ("session" = [])),
    request_body = TokenInput,
    responses((status = 201, body = NewTokenView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<TokenInput>,
) -> ApiResult<(StatusCode, Json<NewTokenView>)> {
    let org = auth.org();
    let (t, secret) = ops::create_token(&state, &Caller::Person(Box::new(auth)), org, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenView {
            token: TokenView::from(&t),
            secret,
        }),
    ))
}

/// Revokes a token: your own, or anyone's as an administrator.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Token id")),
    responses((status = 200, body = TokenView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenView>> {
    let org = auth.org();
    let id = id.parse().map_err(|_| ApiError::not_found("API token"))?;
    let t = ops::revoke_token(&state, &Caller::Person(Box::new(auth)), org, id).await?;
    Ok(Json(TokenView::from(&t)))
}
