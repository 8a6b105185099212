//! `/api/v1` budget routes: where each category stands in a period, and setting budgets.

use super::office::{csv_response, wants_csv};
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiResult, Problem};
use crate::ops::budgets::{self as ops, BudgetInput, BudgetStatus};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

/// Which period.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BudgetQuery {
    /// `2026-Q4`, `2026-12` or `2026` (default: this quarter).
    pub period: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Every budget of a period: budget, actual, committed, remaining, forecast and warnings.
#[utoipa::path(get, path = "/api/v1/budgets", tag = "office", security(("bearer" = []), ("session" = [])),
    params(BudgetQuery),
    responses((status = 200, content((BudgetStatus = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn status(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<BudgetQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let s = ops::status(&state, &caller(auth), org, q.period.as_deref()).await?;
    Ok(if csv {
        csv_response("budgets.csv", ops::budgets_csv(&s))
    } else {
        Json(s).into_response()
    })
}

/// Sets a category's budget for a period, replacing the amount already set (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/budgets", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = BudgetInput,
    responses((status = 200, body = BudgetStatus), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<BudgetInput>,
) -> ApiResult<Json<BudgetStatus>> {
    let org = auth.org();
    Ok(Json(ops::set_budget(&state, &caller(auth), org, &input).await?))
}

/// Removes a budget.
#[utoipa::path(delete, path = "/api/v1/budgets/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Budget id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(bid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_budget(&state, &caller(auth), org, id(&bid, "budget")?).await?;
    Ok(StatusCode::NO_CONTENT)
}
