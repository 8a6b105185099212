//! `/api/v1` meeting and duty routes: a meeting's notes (agenda seeded from
//! what is open, minutes, decisions, action items, attached files, the
//! recap), and the responsibility grid of recurring duties.

use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::duties::{self, CompletionView, DutyDoneInput, DutyInput, DutyView, GridView};
use crate::ops::meetings::{
    self as ops, ActionInput, MaterialView, MeetingInput, MeetingListItem, MeetingView, RecapView,
};
use crate::ops::tasks::{Names, TaskView};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which meetings to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MeetingsQuery {
    /// Person id or e-mail (default: yourself, or whom you act for).
    pub person: Option<String>,
    /// Days back (default 14).
    pub days_back: Option<i64>,
    /// Days ahead (default 14).
    pub days_ahead: Option<i64>,
}

/// The event (and, for a recurring one, the occurrence) whose notes to open.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenMeeting {
    pub event: String,
    /// For a recurring event: the occurrence's original start, e.g. `2026-12-07T09:00:00`.
    #[serde(default)]
    pub occurrence: Option<String>,
}

/// What seeding added.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeedOutcome {
    pub meeting: MeetingView,
    pub added: usize,
}

/// Action items to record.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionsInput {
    pub actions: Vec<ActionInput>,
}

/// Where an uploaded file goes.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The agenda item's id.
    pub item: String,
    /// The file's name, e.g. `board-pack.pdf`.
    pub filename: String,
}

/// The meetings on a person's calendar around today, with whether notes exist.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(MeetingsQuery),
    responses((status = 200, body = [MeetingListItem]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<MeetingsQuery>,
) -> ApiResult<Json<Vec<MeetingListItem>>> {
    let org = auth.org();
    let c = caller(auth);
    let person = match q.person.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(p) => crate::ops::tasks::person_ref(&state, org, "person", p).await?.id,
        None => crate::ops::tasks::subject(&c, None)?,
    };
    Ok(Json(
        ops::list_meetings(
            &state,
            &c,
            org,
            person,
            q.days_back.unwrap_or(14),
            q.days_ahead.unwrap_or(14),
        )
        .await?,
    ))
}

/// Opens the notes of an event (or one occurrence of a series), making them the first time.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", security(("bearer" = []), ("session" = [])),
    request_body = OpenMeeting,
    responses((status = 200, body = MeetingView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<OpenMeeting>,
) -> ApiResult<Json<MeetingView>> {
    let org = auth.org();
    let c = caller(auth);
    let event = id(&input.event, "event")?;
    let m = ops::open_meeting(&state, &c, org, event, input.occurrence.as_deref()).await?;
    Ok(Json(ops::get_meeting(&state, &c, org, m.id).await?))
}

/// A meeting: agenda, minutes, decisions, action items, files.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, body = MeetingView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
) -> ApiResult<Json<MeetingView>> {
    let org = auth.org();
    Ok(Json(
        ops::get_meeting(&state, &caller(auth), org, id(&mid, "meeting")?).await?,
    ))
}

/// Changes the agenda, minutes, decisions, goal or tags.
#[utoipa::path(patch, path = "/api/v1/meetings/{id}", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting id")), request_body = MeetingInput,
    responses((status = 200, body = MeetingView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> ApiResult<Json<MeetingView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_meeting(&state, &caller(auth), org, id(&mid, "meeting")?, &input).await?,
    ))
}

/// Seeds the agenda from what is open (previous meeting, open action items, tagged tasks).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/seed", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, body = SeedOutcome), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn seed(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
) -> ApiResult<Json<SeedOutcome>> {
    let org = auth.org();
    let (meeting, added) = ops::seed_agenda(&state, &caller(auth), org, id(&mid, "meeting")?).await?;
    Ok(Json(SeedOutcome { meeting, added }))
}

/// Records action items: each becomes a task of its owner, linked to the meeting.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/actions", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting id")), request_body = ActionsInput,
    responses((status = 201, body = [TaskView]), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn actions(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
    ApiJson(input): ApiJson<ActionsInput>,
) -> ApiResult<(StatusCode, Json<Vec<TaskView>>)> {
    let org = auth.org();
    let c = caller(auth);
    let created = ops::add_actions(&state, &c, org, id(&mid, "meeting")?, &input.actions).await?;
    let names = Names::load(&state, org).await?;
    let now = Timestamp::now();
    Ok((
        StatusCode::CREATED,
        Json(
            created
                .iter()
                .filter_map(|t| crate::ops::tasks::view(&c, org, t, &names, now))
                .collect(),
        ),
    ))
}

/// The recap (decisions, action items with owners and dates) as Markdown and plain text.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/recap", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, body = RecapView), (status = 404, body = Problem)))]
pub async fn recap(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
) -> ApiResult<Json<RecapView>> {
    let org = auth.org();
    Ok(Json(
        ops::recap(&state, &caller(auth), org, id(&mid, "meeting")?).await?,
    ))
}

/// Attaches a file (the request body) to an agenda item: PDF, images, Office documents or text, at most 10 MiB.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/materials", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = MaterialView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<MaterialView>)> {
    let org = auth.org();
    let body = body.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the file is larger than {} MiB, the most a meeting takes",
                adjutant_core::meetings::MAX_MATERIAL_BYTES / (1024 * 1024)
            ),
        )
    })?;
    let m = ops::upload_material(
        &state,
        &caller(auth),
        org,
        id(&mid, "meeting")?,
        &q.item,
        &q.filename,
        &body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(MaterialView::from(&m))))
}

/// Downloads an attached file.
#[utoipa::path(get, path = "/api/v1/materials/{id}", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "File id")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(fid): Path<String>,
) -> ApiResult<Response> {
    let org = auth.org();
    let (rec, bytes) = ops::download_material(&state, &caller(auth), org, id(&fid, "file")?).await?;
    Ok(file_response(&rec.content_type, &rec.filename, bytes))
}

/// A stored file as a download; never shown inline, so a file cannot run as a page of ours.
pub fn file_response(content_type: &str, filename: &str, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let safe: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Deletes an attached file.
#[utoipa::path(delete, path = "/api/v1/materials/{id}", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "File id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn material_delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(fid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_material(&state, &caller(auth), org, id(&fid, "file")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- duties ----

/// Over how many weeks the grid counts loads.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GridQuery {
    /// Weeks from today, 1–52 (default 4).
    pub weeks: Option<i64>,
}

/// A duty with its recent completions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyDetail {
    pub duty: DutyView,
    pub history: Vec<CompletionView>,
}

async fn duty_row(
    state: &AppState,
    c: &crate::auth::Caller,
    org: adjutant_core::ids::OrgId,
    id: String,
) -> ApiResult<DutyView> {
    duties::grid(state, c, org, None)
        .await?
        .duties
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| ApiError::not_found("duty"))
}

/// The responsibility grid: every duty, who does it next, what is wrong with its cover, and everyone's load.
#[utoipa::path(get, path = "/api/v1/duties", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(GridQuery),
    responses((status = 200, body = GridView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn grid(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<GridQuery>,
) -> ApiResult<Json<GridView>> {
    let org = auth.org();
    Ok(Json(duties::grid(&state, &caller(auth), org, q.weeks).await?))
}

/// Adds a duty (office managers, principals, assistants, administrators).
#[utoipa::path(post, path = "/api/v1/duties", tag = "meetings", security(("bearer" = []), ("session" = [])),
    request_body = DutyInput,
    responses((status = 201, body = DutyView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn duty_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<DutyInput>,
) -> ApiResult<(StatusCode, Json<DutyView>)> {
    let org = auth.org();
    let c = caller(auth);
    let d = duties::create_duty(&state, &c, org, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(duty_row(&state, &c, org, d.id.to_string()).await?),
    ))
}

/// One duty and its recent completions.
#[utoipa::path(get, path = "/api/v1/duties/{id}", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Duty id")),
    responses((status = 200, body = DutyDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn duty_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(did): Path<String>,
) -> ApiResult<Json<DutyDetail>> {
    let org = auth.org();
    let c = caller(auth);
    let (d, history) = duties::get_duty(&state, &c, org, id(&did, "duty")?).await?;
    let names = Names::load(&state, org).await?;
    Ok(Json(DutyDetail {
        duty: duty_row(&state, &c, org, d.id.to_string()).await?,
        history: history
            .iter()
            .map(|h| duties::completion_view(h, &names))
            .collect(),
    }))
}

/// Changes a duty (owner, backup, cadence, …).
#[utoipa::path(put, path = "/api/v1/duties/{id}", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Duty id")), request_body = DutyInput,
    responses((status = 200, body = DutyView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn duty_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(did): Path<String>,
    ApiJson(input): ApiJson<DutyInput>,
) -> ApiResult<Json<DutyView>> {
    let org = auth.org();
    let c = caller(auth);
    let d = duties::update_duty(&state, &c, org, id(&did, "duty")?, &input).await?;
    Ok(Json(duty_row(&state, &c, org, d.id.to_string()).await?))
}

/// Deletes a duty.
#[utoipa::path(delete, path = "/api/v1/duties/{id}", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Duty id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn duty_delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(did): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    duties::delete_duty(&state, &caller(auth), org, id(&did, "duty")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks an occurrence of a duty done (its owner, its backup, or someone who manages duties).
#[utoipa::path(post, path = "/api/v1/duties/{id}/done", tag = "meetings", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Duty id")), request_body = DutyDoneInput,
    responses((status = 201, body = CompletionView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn duty_done(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(did): Path<String>,
    ApiJson(input): ApiJson<DutyDoneInput>,
) -> ApiResult<(StatusCode, Json<CompletionView>)> {
    let org = auth.org();
    let c = caller(auth);
    let done = duties::complete_duty(&state, &c, org, id(&did, "duty")?, &input).await?;
    let names = Names::load(&state, org).await?;
    Ok((StatusCode::CREATED, Json(duties::completion_view(&done, &names))))
}
