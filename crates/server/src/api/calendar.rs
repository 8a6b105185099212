//! `/api/v1` calendar routes: rooms, calendars, agendas, events, iTIP,
//! iCalendar import and export, and subscription feeds (`/feeds/{token}`).

use super::cal_views::{
    AgendaItemView, CalendarView, EventView, FeedView, ItipView, NewFeedView, ResourceView,
};
use super::{ApiJson, ApiQuery};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::calendar::{
    self as ops, AgendaOf, CancelInput, EventInput, EventPatch, MoveInput, ResourceForm, RsvpInput,
};
use adjutant_core::calendar::{TimeRange, Zone};
use adjutant_core::ids::{CalendarId, FeedId, ItipMessageId, PersonId, ResourceId};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{caller, path_id as id};

// ---- rooms ----

/// Rooms of the organisation.
#[utoipa::path(get, path = "/api/v1/resources", tag = "calendar", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [ResourceView]), (status = 403, body = Problem)))]
pub async fn resources(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> ApiResult<Json<Vec<ResourceView>>> {
    let org = auth.org();
    let list = ops::list_resources(&state, &caller(auth), org).await?;
    Ok(Json(list.iter().map(ResourceView::from).collect()))
}

/// Adds a room (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/resources", tag = "calendar", security(("bearer" = []), ("session" = [])),
    request_body = ResourceForm,
    responses((status = 201, body = ResourceView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn resource_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(form): ApiJson<ResourceForm>,
) -> ApiResult<(StatusCode, Json<ResourceView>)> {
    let org = auth.org();
    let r = ops::create_resource(&state, &caller(auth), org, &form).await?;
    Ok((StatusCode::CREATED, Json(ResourceView::from(&r))))
}

/// One room.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Resource id")),
    responses((status = 200, body = ResourceView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn resource_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
) -> ApiResult<Json<ResourceView>> {
    let org = auth.org();
    let r = ops::get_resource(&state, &caller(auth), org, id(&rid, "resource")?).await?;
    Ok(Json(ResourceView::from(&r)))
}

/// Changes a room (office managers and administrators).
#[utoipa::path(put, path = "/api/v1/resources/{id}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Resource id")), request_body = ResourceForm,
    responses((status = 200, body = ResourceView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn resource_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
    ApiJson(form): ApiJson<ResourceForm>,
) -> ApiResult<Json<ResourceView>> {
    let org = auth.org();
    let c = caller(auth);
    c.may(org, adjutant_core::policy::Capability::ManageResources)?;
    let r = ops::update_resource(&state, &c, org, id(&rid, "resource")?, &form).await?;
    Ok(Json(ResourceView::from(&r)))
}

// ---- calendars ----

/// Whose calendars.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CalendarsQuery {
    /// Person id (default: yourself or whom you act for).
    pub person: Option<String>,
}

/// A person's calendars.
#[utoipa::path(get, path = "/api/v1/calendars", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(CalendarsQuery),
    responses((status = 200, body = [CalendarView]), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn calendars(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<CalendarsQuery>,
) -> ApiResult<Json<Vec<CalendarView>>> {
    let org = auth.org();
    let c = caller(auth);
    let person = match q.person.as_deref() {
        Some(p) => id::<PersonId>(p, "person")?,
        None => ops::subject(&c, None)?,
    };
    let list = ops::list_calendars(&state, &c, org, person).await?;
    Ok(Json(list.iter().map(CalendarView::from).collect()))
}

// ---- agenda ----

/// Whose agenda, over which days.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AgendaQuery {
    /// Person id (default: yourself or whom you act for).
    pub person: Option<String>,
    /// A room's id, instead of a person.
    pub room: Option<String>,
    /// First day (`2026-12-01`) or instant; default: today.
    pub from: Option<String>,
    /// Day after the last (exclusive) or instant; default: 7 days after `from`.
    pub to: Option<String>,
    /// The zone days are read in (default: the person's or room's).
    pub tz: Option<String>,
}

/// Occurrences of a person's or room's events in a window, each shown as much as you may see it.
#[utoipa::path(get, path = "/api/v1/agenda", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(AgendaQuery),
    responses((status = 200, body = [AgendaItemView]), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn agenda(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<AgendaQuery>,
) -> ApiResult<Json<Vec<AgendaItemView>>> {
    let org = auth.org();
    let c = caller(auth);
    let (of, home) = match (&q.room, &q.person) {
        (Some(r), _) => {
            let rid: ResourceId = id(r, "resource")?;
            let res = ops::get_resource(&state, &c, org, rid).await?;
            (AgendaOf::Room(rid), res.time_zone)
        }
        (None, p) => {
            let pid = match p {
                Some(p) => id::<PersonId>(p, "person")?,
                None => ops::subject(&c, None)?,
            };
            let person = state
                .store
                .person_get(org, pid)
                .await
                .map_err(|_| ApiError::not_found("person"))?;
            (AgendaOf::Person(pid), person.time_zone)
        }
    };
    let z = match q.tz.as_deref() {
        Some(t) => Zone::parse("tz", t)?,
        None => Zone::or_utc(&home),
    };
    let window = ops::window(q.from.as_deref(), q.to.as_deref(), &z, 7)?;
    let items = ops::agenda(&state, &c, org, of, window).await?;
    Ok(Json(items.iter().map(|i| AgendaItemView::new(i, &z)).collect()))
}

// ---- events ----

/// Creates an event (with its invitations, and the room booked when one is given).
#[utoipa::path(post, path = "/api/v1/events", tag = "calendar", security(("bearer" = []), ("session" = [])),
    request_body = EventInput,
    responses((status = 201, body = EventView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The room is booked then"), (status = 422, body = Problem)))]
pub async fn event_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<(StatusCode, Json<EventView>)> {
    let org = auth.org();
    let e = ops::create_event(&state, &caller(auth), org, &input).await?;
    let z = calendar_zone(&state, org, e.calendar).await?;
    Ok((StatusCode::CREATED, Json(EventView::new(&e, &z, true))))
}

async fn calendar_zone(state: &AppState, org: adjutant_core::ids::OrgId, cal: CalendarId) -> ApiResult<Zone> {
    let c = state.store.calendar_get(org, cal).await?;
    Ok(Zone::or_utc(&c.time_zone))
}

/// One event, as much of it as you may see.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Event id")),
    responses((status = 200, body = EventView), (status = 404, body = Problem)))]
pub async fn event_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
) -> ApiResult<Json<EventView>> {
    let org = auth.org();
    let (e, view, can_edit) = ops::get_event(&state, &caller(auth), org, id(&eid, "event")?).await?;
    let z = calendar_zone(&state, org, e.calendar).await?;
    Ok(Json(if view == adjutant_core::policy::View::Full {
        EventView::new(&e, &z, can_edit)
    } else {
        EventView::busy_only(&e, &z)
    }))
}

/// Changes every occurrence of an event.
#[utoipa::path(patch, path = "/api/v1/events/{id}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Event id")), request_body = EventPatch,
    responses((status = 200, body = EventView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn event_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
    ApiJson(patch): ApiJson<EventPatch>,
) -> ApiResult<Json<EventView>> {
    let org = auth.org();
    let e = ops::update_event(&state, &caller(auth), org, id(&eid, "event")?, &patch).await?;
    let z = calendar_zone(&state, org, e.calendar).await?;
    Ok(Json(EventView::new(&e, &z, true)))
}

/// Deletes an event (its attendees get a cancellation).
#[utoipa::path(delete, path = "/api/v1/events/{id}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Event id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn event_delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_event(&state, &caller(auth), org, id(&eid, "event")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves an event, or one occurrence of a recurring one.
#[utoipa::path(post, path = "/api/v1/events/{id}/move", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Event id")), request_body = MoveInput,
    responses((status = 200, body = EventView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn event_move(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
    ApiJson(input): ApiJson<MoveInput>,
) -> ApiResult<Json<EventView>> {
    let org = auth.org();
    let e = ops::move_event(&state, &caller(auth), org, id(&eid, "event")?, &input).await?;
    let z = calendar_zone(&state, org, e.calendar).await?;
    Ok(Json(EventView::new(&e, &z, true)))
}

/// Cancels an event, or one occurrence of a recurring one.
#[utoipa::path(post, path = "/api/v1/events/{id}/cancel", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Event id")), request_body = CancelInput,
    responses((status = 200, body = EventView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn event_cancel(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
    ApiJson(input): ApiJson<CancelInput>,
) -> ApiResult<Json<EventView>> {
    let org = auth.org();
    let e = ops::cancel_event(&state, &caller(auth), org, id(&eid, "event")?, &input).await?;
    let z = calendar_zone(&state, org, e.calendar).await?;
    Ok(Json(EventView::new(&e, &z, true)))
}

/// Answers an invitation: accepted, tentative, declined.
#[utoipa::path(post, path = "/api/v1/events/{id}/rsvp", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Event id")), request_body = RsvpInput,
    responses((status = 200, body = EventView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn event_rsvp(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
    ApiJson(input): ApiJson<RsvpInput>,
) -> ApiResult<Json<EventView>> {
    let org = auth.org();
    let c = caller(auth);
    let e = ops::rsvp_event(&state, &c, org, id(&eid, "event")?, &input).await?;
    let (e, view, can_edit) = ops::get_event(&state, &c, org, e.id).await?;
    let z = calendar_zone(&state, org, e.calendar).await?;
    Ok(Json(if view == adjutant_core::policy::View::Full {
        EventView::new(&e, &z, can_edit)
    } else {
        EventView::busy_only(&e, &z)
    }))
}

/// The invitations and cancellations sent for an event (the organiser's side).
#[utoipa::path(get, path = "/api/v1/events/{id}/itip", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Event id")),
    responses((status = 200, body = [ItipView]), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn event_itip(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(eid): Path<String>,
) -> ApiResult<Json<Vec<ItipView>>> {
    let org = auth.org();
    let list = ops::event_itip(&state, &caller(auth), org, id(&eid, "event")?).await?;
    Ok(Json(list.iter().map(ItipView::from).collect()))
}

/// One iTIP message as an .ics file (`text/calendar; method=…`).
#[utoipa::path(get, path = "/api/v1/itip/{id}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "iTIP message id")),
    responses((status = 200, content_type = "text/calendar", description = "The message"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn itip_download(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
) -> ApiResult<Response> {
    let org = auth.org();
    let m = ops::get_itip(
        &state,
        &caller(auth),
        org,
        id::<ItipMessageId>(&mid, "iTIP message")?,
    )
    .await?;
    let ct = format!("text/calendar; charset=utf-8; method={}", m.method);
    Ok(calendar_file(
        &ct,
        &format!("{}-{}.ics", m.method.to_lowercase(), m.id),
        m.ics,
    ))
}

/// An .ics answer, to be saved as `filename`.
pub fn calendar_file(content_type: &str, filename: &str, body: String) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

// ---- import / export ----

/// Where to import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Person id whose default calendar receives the events (default: yourself or whom you act for).
    pub person: Option<String>,
}

/// Imports an .ics file (body `text/calendar`, at most 20 MiB) into a calendar: every event, or none on any error.
#[utoipa::path(post, path = "/api/v1/calendars/{id}/import", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Calendar id, or `default` for the default calendar of `person`"), ImportQuery),
    request_body(content = String, content_type = "text/calendar"),
    responses((status = 200, body = ops::ImportReport), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem, description = "The file is not valid iCalendar; names the line")))]
pub async fn import(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<ops::ImportReport>> {
    let org = auth.org();
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if ct != "text/calendar" && ct != "application/octet-stream" && ct != "text/plain" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the .ics file as the body with `Content-Type: text/calendar`",
        ));
    }
    let body = body.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the file is larger than {} MiB, the most an import accepts",
                adjutant_interop::ics::MAX_ICS_BYTES / (1024 * 1024)
            ),
        )
    })?;
    let text = std::str::from_utf8(&body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_ics",
            format!("the file is not UTF-8 text (byte {})", e.valid_up_to()),
        )
    })?;
    let c = caller(auth);
    let person = q
        .person
        .as_deref()
        .map(|p| id::<PersonId>(p, "person"))
        .transpose()?;
    let calendar = (cid != "default").then_some(cid.as_str());
    let report = ops::import_ics(&state, &c, org, calendar, person, text, "api").await?;
    Ok(Json(report))
}

/// Which events to export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Only events with occurrences from this day or instant.
    pub from: Option<String>,
    /// … until this day or instant.
    pub to: Option<String>,
}

/// A calendar as an .ics file (owner and delegates).
#[utoipa::path(get, path = "/api/v1/calendars/{id}/export", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Calendar id"), ExportQuery),
    responses((status = 200, content_type = "text/calendar", description = "The calendar"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let cal_id: CalendarId = id(&cid, "calendar")?;
    let z = calendar_zone(&state, org, cal_id)
        .await
        .map_err(|_| ApiError::not_found("calendar"))?;
    let range = match (&q.from, &q.to) {
        (None, None) => None,
        (f, t) => Some(TimeRange {
            start: match f {
                Some(f) => ops::event_time("from", f, &z, false)?.instant(&z),
                None => Timestamp::MIN,
            },
            end: match t {
                Some(t) => ops::event_time("to", t, &z, false)?.instant(&z),
                None => Timestamp::MAX,
            },
        }),
    };
    let text = ops::export_ics(&state, &caller(auth), org, cal_id, range).await?;
    Ok(calendar_file(
        "text/calendar; charset=utf-8",
        "calendar.ics",
        text,
    ))
}

// ---- feeds ----

/// A feed to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedInput {
    /// What it is for, e.g. `phone`.
    pub name: String,
}

/// The subscription feeds of a calendar.
#[utoipa::path(get, path = "/api/v1/calendars/{id}/feeds", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Calendar id")),
    responses((status = 200, body = [FeedView]), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn feeds(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(cid): Path<String>,
) -> ApiResult<Json<Vec<FeedView>>> {
    let org = auth.org();
    let list = ops::list_feeds(&state, &caller(auth), org, id(&cid, "calendar")?).await?;
    Ok(Json(list.iter().map(FeedView::from).collect()))
}

/// Creates a read-only subscription feed; its URL is in the answer and never again.
#[utoipa::path(post, path = "/api/v1/calendars/{id}/feeds", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Calendar id")), request_body = FeedInput,
    responses((status = 201, body = NewFeedView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn feed_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<FeedInput>,
) -> ApiResult<(StatusCode, Json<NewFeedView>)> {
    let org = auth.org();
    let (f, secret) =
        ops::create_feed(&state, &caller(auth), org, id(&cid, "calendar")?, &input.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewFeedView {
            feed: FeedView::from(&f),
            url: format!("/feeds/{secret}.ics"),
        }),
    ))
}

/// Revokes a feed: its URL stops working at once.
#[utoipa::path(delete, path = "/api/v1/feeds/{id}", tag = "calendar", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Feed id")),
    responses((status = 200, body = FeedView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn feed_revoke(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(fid): Path<String>,
) -> ApiResult<Json<FeedView>> {
    let org = auth.org();
    let f = ops::revoke_feed(&state, &caller(auth), org, id::<FeedId>(&fid, "feed")?).await?;
    Ok(Json(FeedView::from(&f)))
}

/// A calendar feed to subscribe to (the link is the credential; private events show as busy).
#[utoipa::path(get, path = "/feeds/{token}", tag = "calendar",
    params(("token" = String, Path, description = "The feed's secret, with `.ics`")),
    responses((status = 200, content_type = "text/calendar", description = "The calendar"), (status = 404, body = Problem)))]
pub async fn feed_public(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Response> {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let text = ops::feed_ics(&state, token).await?;
    let mut res = calendar_file("text/calendar; charset=utf-8", "calendar.ics", text);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(res)
}
