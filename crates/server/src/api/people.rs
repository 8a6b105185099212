//! `/api/v1/me` and `/api/v1/people`.

use super::ApiJson;
use super::views::{DelegationView, MeView, PersonView};
use crate::app::AppState;
use crate::auth::{ApiAuth, Caller};
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::{self, PersonInput, PersonUpdate};
use adjutant_core::ids::PersonId;
use adjutant_core::policy::Capability;
use adjutant_store::delegations::DelegationFilter;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

pub(super) fn person_id(s: &str) -> ApiResult<PersonId> {
    s.parse().map_err(|_| ApiError::not_found("person"))
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "people", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = MeView), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, ApiAuth(auth): ApiAuth) -> ApiResult<Json<MeView>> {
    let org = state.store.org_get(auth.org()).await?;
    let held = state
        .store
        .delegation_list(
            auth.org(),
            DelegationFilter {
                delegate: Some(auth.person.id),
                principal: None,
            },
        )
        .await?;
    Ok(Json(MeView {
        person: PersonView::from(&auth.person),
        organisation: org.name,
        acting_for: auth.actor.acting_for.map(|p| p.to_string()),
        delegations: held.iter().map(DelegationView::from).collect(),
    }))
}

/// Everyone in the organisation (contractors see only themselves).
#[utoipa::path(get, path = "/api/v1/people", tag = "people", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [PersonView]), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, ApiAuth(auth): ApiAuth) -> ApiResult<Json<Vec<PersonView>>> {
    let org = auth.org();
    let people = ops::list_people(&state, &Caller::Person(Box::new(auth)), org).await?;
    Ok(Json(people.iter().map(PersonView::from).collect()))
}

/// Adds a person (administrators).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", security(("bearer" = []), ("session" = [])),
    request_body = PersonInput,
    responses((status = 201, body = PersonView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<PersonInput>,
) -> ApiResult<(StatusCode, Json<PersonView>)> {
    let org = auth.org();
    let p = ops::create_person(&state, &Caller::Person(Box::new(auth)), org, &input).await?;
    Ok((StatusCode::CREATED, Json(PersonView::from(&p))))
}

/// One person.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = PersonView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonView>> {
    let org = auth.org();
    let caller = Caller::Person(Box::new(auth));
    if caller.person() != id.parse().ok() {
        caller.may(org, Capability::ViewDirectory)?;
    }
    let p = ops::get_person(&state, &caller, org, person_id(&id)?).await?;
    Ok(Json(PersonView::from(&p)))
}

/// Changes a person's name, e-mail, role, zone or disables them (administrators).
#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Person id")), request_body = PersonUpdate,
    responses((status = 200, body = PersonView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PersonUpdate>,
) -> ApiResult<Json<PersonView>> {
    let org = auth.org();
    let caller = Caller::Person(Box::new(auth));
    caller.may(org, Capability::ManagePeople)?;
    let p = ops::update_person(&state, &caller, org, person_id(&id)?, &input).await?;
    Ok(Json(PersonView::from(&p)))
}

/// A new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    /// At least 10 characters.
    pub password: String,
}

/// Sets a password: your own, or anyone's as an administrator.
#[utoipa::path(put, path = "/api/v1/people/{id}/password", tag = "people", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Person id")), request_body = PasswordInput,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_password(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PasswordInput>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    let caller = Caller::Person(Box::new(auth));
    let id = person_id(&id)?;
    if caller.person() != Some(id) {
        caller.may(org, Capability::ManagePeople)?;
    }
    ops::set_password(&state, &caller, org, id, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs a person out everywhere: yourself, or anyone as an administrator.
#[utoipa::path(post, path = "/api/v1/people/{id}/sessions/revoke", tag = "people", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, description = "How many sessions ended"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_sessions(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let org = auth.org();
    let caller = Caller::Person(Box::new(auth));
    let id = person_id(&id)?;
    if caller.person() != Some(id) {
        caller.may(org, Capability::ManagePeople)?;
    }
    let n = state
        .store
        .session_delete_all(org, id, &caller.audit(jiff::Timestamp::now()))
        .await?;
    Ok(Json(serde_json::json!({"sessions_ended": n})))
}

/// Turns off a person's second factor, e.g. after a lost phone (administrators).
#[utoipa::path(delete, path = "/api/v1/people/{id}/second-factor", tag = "people", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_second_factor(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    let caller = Caller::Person(Box::new(auth));
    caller.may(org, Capability::ManagePeople)?;
    ops::reset_second_factor(&state, &caller, org, person_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
