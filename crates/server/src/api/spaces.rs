//! `/api/v1` spaces routes: sites and floors, the spaces (rooms, desks,
//! equipment) with a day's bookings, booking rules, and bookings with check-in
//! and cancellation. Lists answer JSON, or CSV with `?format=csv`.
//! Spaces themselves are added and changed as resources (`/api/v1/resources`,
//! with `kind`, `site`, `floor` and `assigned_to`).

use super::office::{csv_response, wants_csv};
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiResult, Problem};
use crate::ops::spaces::{
    self as ops, BookInput, BookingView, BookingsFilter, RuleForm, SiteForm, SiteView, SpaceFilter, SpaceView,
};
use adjutant_core::ValidationError;
use adjutant_core::office::space::{BookingRule, SpaceKind};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// All sites with their floors.
#[utoipa::path(get, path = "/api/v1/sites", tag = "office", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [SiteView]), (status = 403, body = Problem)))]
pub async fn sites(State(state): State<AppState>, ApiAuth(auth): ApiAuth) -> ApiResult<Json<Vec<SiteView>>> {
    let org = auth.org();
    let list = ops::list_sites(&state, &caller(auth), org).await?;
    Ok(Json(list.iter().map(SiteView::from).collect()))
}

/// Adds a site (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/sites", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = SiteForm,
    responses((status = 201, body = SiteView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn site_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(form): ApiJson<SiteForm>,
) -> ApiResult<(StatusCode, Json<SiteView>)> {
    let org = auth.org();
    let s = ops::create_site(&state, &caller(auth), org, &form).await?;
    Ok((StatusCode::CREATED, Json(SiteView::from(&s))))
}

/// One site.
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Site id")),
    responses((status = 200, body = SiteView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn site_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(sid): Path<String>,
) -> ApiResult<Json<SiteView>> {
    let org = auth.org();
    let s = ops::get_site(&state, &caller(auth), org, id(&sid, "site")?).await?;
    Ok(Json(SiteView::from(&s)))
}

/// Changes a site; a floor with spaces on it cannot be removed (office managers and administrators).
#[utoipa::path(put, path = "/api/v1/sites/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Site id")), request_body = SiteForm,
    responses((status = 200, body = SiteView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn site_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(sid): Path<String>,
    ApiJson(form): ApiJson<SiteForm>,
) -> ApiResult<Json<SiteView>> {
    let org = auth.org();
    let s = ops::update_site(&state, &caller(auth), org, id(&sid, "site")?, &form).await?;
    Ok(Json(SiteView::from(&s)))
}

/// Which spaces to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SpacesQuery {
    /// `room`, `desk` or `equipment`.
    pub kind: Option<String>,
    /// A site's id or name.
    pub site: Option<String>,
    /// The day whose bookings to show, `2026-12-07` (default today).
    pub date: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Every space with the bookings of one day and whether it is free now.
#[utoipa::path(get, path = "/api/v1/spaces", tag = "office", security(("bearer" = []), ("session" = [])),
    params(SpacesQuery),
    responses((status = 200, content((Vec<SpaceView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn spaces(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<SpacesQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(k.parse::<SpaceKind>()?),
        None => None,
    };
    let site = match q.site.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(ops::site_ref(&state, org, "site", s).await?.id),
        None => None,
    };
    let date =
        match q.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => Some(d.parse().map_err(|_| {
                ValidationError::field("date", format!("`{d}` is not a date like 2026-12-07"))
            })?),
            None => None,
        };
    let rows = ops::list_spaces(
        &state,
        &caller(auth),
        org,
        &SpaceFilter { kind, site, date },
        Timestamp::now(),
    )
    .await?;
    Ok(if csv {
        csv_response("spaces.csv", ops::spaces_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// The booking rule of each kind of space (the default until one is set).
#[utoipa::path(get, path = "/api/v1/booking-rules", tag = "office", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [RuleView]), (status = 403, body = Problem)))]
pub async fn rules(State(state): State<AppState>, ApiAuth(auth): ApiAuth) -> ApiResult<Json<Vec<RuleView>>> {
    let org = auth.org();
    let list = ops::list_rules(&state, &caller(auth), org).await?;
    Ok(Json(list.iter().map(RuleView::from).collect()))
}

/// A booking rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    /// `room`, `desk` or `equipment`.
    pub kind: String,
    pub roles: Vec<String>,
    pub max_minutes: u32,
    pub max_days_ahead: u32,
    pub quota_per_week: Option<u32>,
    pub check_in: bool,
    pub release_after_minutes: u32,
}

impl From<&BookingRule> for RuleView {
    fn from(r: &BookingRule) -> Self {
        RuleView {
            kind: r.kind.to_string(),
            roles: r.roles.iter().map(|x| x.as_str().to_string()).collect(),
            max_minutes: r.max_minutes,
            max_days_ahead: r.max_days_ahead,
            quota_per_week: r.quota_per_week,
            check_in: r.check_in,
            release_after_minutes: r.release_after_minutes,
        }
    }
}

/// Sets the booking rule of one kind of space (office managers and administrators).
#[utoipa::path(put, path = "/api/v1/booking-rules/{kind}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("kind" = String, Path, description = "`room`, `desk` or `equipment`")), request_body = RuleForm,
    responses((status = 200, body = RuleView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rule_set(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(kind): Path<String>,
    ApiJson(form): ApiJson<RuleForm>,
) -> ApiResult<Json<RuleView>> {
    let org = auth.org();
    let kind: SpaceKind = id(&kind, "kind of space")?;
    let r = ops::set_rule(&state, &caller(auth), org, kind, &form).await?;
    Ok(Json(RuleView::from(&r)))
}

/// Which bookings to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BookingsQuery {
    /// `true`: only yours (or whom you act for).
    pub mine: Option<bool>,
    /// A person's id or e-mail address.
    pub person: Option<String>,
    /// A space's id or name.
    pub space: Option<String>,
    /// Bookings ending after this instant (RFC 3339; default: now).
    pub from: Option<String>,
    /// Bookings starting before this instant (RFC 3339).
    pub to: Option<String>,
    /// `true`: also those released or cancelled.
    pub all: Option<bool>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

fn instant(field: &str, s: Option<&str>) -> Result<Option<Timestamp>, ValidationError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|_| ValidationError::field(field, format!("`{t}` is not an RFC 3339 instant"))),
    }
}

/// Bookings, by start: from now on unless `from` says otherwise.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "office", security(("bearer" = []), ("session" = [])),
    params(BookingsQuery),
    responses((status = 200, content((Vec<BookingView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn bookings(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<BookingsQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let now = Timestamp::now();
    let person = match q.person.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(crate::ops::tasks::person_ref(&state, org, "person", p).await?.id),
        None => None,
    };
    let space = match q.space.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(ops::space_ref(&state, org, "space", s).await?.id),
        None => None,
    };
    let filter = BookingsFilter {
        person,
        mine: q.mine.unwrap_or(false),
        space,
        from: Some(instant("from", q.from.as_deref())?.unwrap_or(now)),
        to: instant("to", q.to.as_deref())?,
        open_only: !q.all.unwrap_or(false),
    };
    let rows = ops::list_bookings(&state, &caller(auth), org, &filter, now).await?;
    Ok(if csv {
        csv_response("bookings.csv", ops::bookings_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Books a room, a desk or a piece of equipment under its kind's rule.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = BookInput,
    responses((status = 201, body = BookingView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn book(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<BookInput>,
) -> ApiResult<(StatusCode, Json<BookingView>)> {
    let org = auth.org();
    let now = Timestamp::now();
    let b = ops::book(&state, &caller(auth), org, &input, now).await?;
    Ok((StatusCode::CREATED, Json(ops::view(&state, org, &b, now).await?)))
}

/// One booking.
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Booking id")),
    responses((status = 200, body = BookingView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn booking_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(bid): Path<String>,
) -> ApiResult<Json<BookingView>> {
    let org = auth.org();
    let b = ops::get_booking(&state, &caller(auth), org, id(&bid, "booking")?).await?;
    Ok(Json(ops::view(&state, org, &b, Timestamp::now()).await?))
}

/// Checks into a booking: from 15 minutes before its start until it would be released.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/check-in", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Booking id")),
    responses((status = 200, body = BookingView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn check_in(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(bid): Path<String>,
) -> ApiResult<Json<BookingView>> {
    let org = auth.org();
    let now = Timestamp::now();
    let b = ops::check_in(&state, &caller(auth), org, id(&bid, "booking")?, now).await?;
    Ok(Json(ops::view(&state, org, &b, now).await?))
}

/// Cancels a booking, freeing the space.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Booking id")),
    responses((status = 200, body = BookingView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(bid): Path<String>,
) -> ApiResult<Json<BookingView>> {
    let org = auth.org();
    let now = Timestamp::now();
    let b = ops::cancel(&state, &caller(auth), org, id(&bid, "booking")?, now).await?;
    Ok(Json(ops::view(&state, org, &b, now).await?))
}
