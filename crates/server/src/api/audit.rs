//! `/api/v1/audit`.

use super::ApiQuery;
use super::views::AuditView;
use crate::app::AppState;
use crate::auth::{ApiAuth, Caller};
use crate::error::{ApiResult, Problem};
use crate::ops;
use adjutant_core::ValidationError;
use adjutant_core::policy::Capability;
use adjutant_store::AuditFilter;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters for the audit log.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this person's actions.
    pub actor: Option<String>,
    /// Only actions starting with this, e.g. `person.` or `delegation.grant`.
    pub action: Option<String>,
    /// Only entries about this item id.
    pub item: Option<String>,
    /// Only entries before this instant (RFC 3339), for paging.
    pub before: Option<String>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<u32>,
}

impl AuditQuery {
    /// Parses the query into a store filter, naming the field that is wrong.
    pub fn to_filter(&self) -> Result<AuditFilter, ValidationError> {
        let actor = match self.actor.as_deref().filter(|s| !s.is_empty()) {
            Some(a) => Some(
                a.parse()
                    .map_err(|_| ValidationError::field("actor", "is not a person id"))?,
            ),
            None => None,
        };
        let before = match self.before.as_deref().filter(|s| !s.is_empty()) {
            Some(b) => Some(b.parse::<jiff::Timestamp>().map_err(|_| {
                ValidationError::field("before", "is not an RFC 3339 instant, e.g. 2026-11-23T09:00:00Z")
            })?),
            None => None,
        };
        let limit = self.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(ValidationError::field("limit", "must be between 1 and 1000"));
        }
        Ok(AuditFilter {
            actor,
            action_prefix: self.action.clone().filter(|s| !s.is_empty()),
            item_id: self.item.clone().filter(|s| !s.is_empty()),
            before,
            limit,
        })
    }
}

/// The audit log, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = []), ("session" = [])),
    params(AuditQuery),
    responses((status = 200, body = [AuditView]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditView>>> {
    let org = auth.org();
    let caller = Caller::Person(Box::new(auth));
    caller.may(org, Capability::ReadAudit)?;
    let filter = q.to_filter()?;
    let entries = ops::read_audit(&state, &caller, org, &filter).await?;
    Ok(Json(entries.iter().map(AuditView::from).collect()))
}
