//! `/api/v1` scheduling routes: availability, travel times, find-a-time and
//! "why not", meeting requests with holds, polls, and the public poll link.

use super::ApiJson;
use super::cal_views::{EventView, MeetingRequestView, ts};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::scheduling::{
    self as ops, AnswersInput, FindResult, FindTimeInput, MeetingRequestInput, PollInput, PollView,
    TravelInput,
};
use adjutant_core::calendar::Zone;
use adjutant_core::calendar::availability::Availability;
use adjutant_core::calendar::finder::{MoveProposal, Reason, Slot};
use adjutant_core::ids::{MeetingRequestId, PersonId, PollId};
use adjutant_store::scheduling::TravelTable;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{caller, path_id as id};

// ---- views ----

/// Why a time is good, bad or impossible.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonView {
    /// Stable code, e.g. `busy`, `outside_hours`, `travel`, `room_taken`, `inside_hours`.
    pub code: String,
    /// The participant (person id or e-mail) or room it concerns.
    pub who: Option<String>,
    pub minutes: Option<i64>,
    pub text: String,
    /// Whether it rules the time out.
    pub blocking: bool,
}

impl From<&Reason> for ReasonView {
    fn from(r: &Reason) -> Self {
        Self {
            code: serde_json::to_value(r.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            who: r.who.clone(),
            minutes: r.minutes,
            text: r.text.clone(),
            blocking: r.blocking,
        }
    }
}

/// The start in one zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocalTimeView {
    pub zone: String,
    /// `14:00`.
    pub time: String,
}

/// A time the meeting could take, with its score and reasons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotView {
    pub start: String,
    pub end: String,
    /// The room's id, when one is needed.
    pub room: Option<String>,
    pub room_name: Option<String>,
    /// Higher is better; 0 means nothing against it.
    pub score: i64,
    pub reasons: Vec<ReasonView>,
    pub local_times: Vec<LocalTimeView>,
}

fn slot_view(s: &Slot, rooms: &[(String, String)]) -> SlotView {
    SlotView {
        start: ts(s.range.start),
        end: ts(s.range.end),
        room: s.room.clone(),
        room_name: s
            .room
            .as_ref()
            .and_then(|k| rooms.iter().find(|(id, _)| id == k).map(|(_, n)| n.clone())),
        score: s.score,
        reasons: s.reasons.iter().map(ReasonView::from).collect(),
        local_times: s
            .local_times
            .iter()
            .map(|(z, t)| LocalTimeView {
                zone: z.clone(),
                time: t.clone(),
            })
            .collect(),
    }
}

/// One event that would have to move.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoveView {
    pub who: String,
    pub event: Option<String>,
    /// "busy" when you may not see it.
    pub title: String,
    pub priority: u8,
    pub start: String,
    pub end: String,
}

/// A time that would work if lower-priority events moved (nothing is moved until you do it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    pub start: String,
    pub end: String,
    pub room: Option<String>,
    pub moves: Vec<MoveView>,
    pub score: i64,
    pub text: String,
}

fn proposal_view(p: &MoveProposal) -> ProposalView {
    ProposalView {
        start: ts(p.slot.start),
        end: ts(p.slot.end),
        room: p.room.clone(),
        moves: p
            .moves
            .iter()
            .map(|m| MoveView {
                who: m.who.clone(),
                event: m.event.clone(),
                title: m.title.clone(),
                priority: m.priority.get(),
                start: ts(m.range.start),
                end: ts(m.range.end),
            })
            .collect(),
        score: p.score,
        text: p.text.clone(),
    }
}

/// Ranked slots; when none fits, proposals of what could move.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindTimeView {
    pub from: String,
    pub to: String,
    pub slots: Vec<SlotView>,
    pub proposals: Vec<ProposalView>,
}

impl From<&FindResult> for FindTimeView {
    fn from(f: &FindResult) -> Self {
        Self {
            from: ts(f.window.start),
            to: ts(f.window.end),
            slots: f.slots.iter().map(|s| slot_view(s, &f.rooms)).collect(),
            proposals: f.proposals.iter().map(proposal_view).collect(),
        }
    }
}

/// A find-a-time question about one start.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhyNotInput {
    /// The start asked about (same forms as `from`).
    pub start: String,
    /// The meeting, as for find-a-time.
    pub search: FindTimeInput,
}

/// Every reason a start does not work.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WhyNotView {
    pub start: String,
    /// Whether nothing rules it out.
    pub possible: bool,
    pub reasons: Vec<ReasonView>,
}

/// One option of a poll with its tally.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollOptionView {
    pub id: String,
    pub start: String,
    pub end: String,
    pub yes: usize,
    pub if_need_be: usize,
    pub no: usize,
    pub unanswered: usize,
    /// 1 for the best.
    pub rank: usize,
}

/// Someone asked in a poll.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollParticipantView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub person: Option<String>,
    pub responded: bool,
    /// option id → answer.
    pub answers: Vec<(String, String)>,
}

/// A poll.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PollApiView {
    pub id: String,
    pub title: String,
    /// open, booked or closed.
    pub status: String,
    pub organiser: String,
    pub options: Vec<PollOptionView>,
    pub participants: Vec<PollParticipantView>,
    pub meeting_request: Option<String>,
}

pub fn poll_api_view(v: &PollView) -> PollApiView {
    let p = &v.poll;
    PollApiView {
        id: p.id.to_string(),
        title: p.title.clone(),
        status: p.status.as_str().into(),
        organiser: p.organiser.to_string(),
        options: p
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let t = v.tally.iter().find(|t| t.option == i);
                PollOptionView {
                    id: o.id.clone(),
                    start: ts(o.range.start),
                    end: ts(o.range.end),
                    yes: t.map_or(0, |t| t.yes),
                    if_need_be: t.map_or(0, |t| t.if_need_be),
                    no: t.map_or(0, |t| t.no),
                    unanswered: t.map_or(0, |t| t.unanswered),
                    rank: t.map_or(0, |t| t.rank),
                }
            })
            .collect(),
        participants: p
            .participants
            .iter()
            .map(|x| PollParticipantView {
                id: x.id.clone(),
                name: x.name.clone(),
                email: x.email.clone(),
                person: x.person.map(|q| q.to_string()),
                responded: x.responded_at.is_some(),
                answers: p
                    .answers
                    .iter()
                    .filter(|(pp, _, _)| *pp == x.id)
                    .map(|(_, o, a)| (o.clone(), a.as_str().to_string()))
                    .collect(),
            })
            .collect(),
        meeting_request: p.meeting_request.map(|r| r.to_string()),
    }
}

/// A new poll with the links outsiders answer through (shown this once).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewPollView {
    pub poll: PollApiView,
    /// (name, link path such as `/p/poll_…`) for each outsider.
    pub links: Vec<(String, String)>,
}

/// A booked poll: the poll and the event it became.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookedPollView {
    pub poll: PollApiView,
    pub event: EventView,
}

/// Which option to book.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookInput {
    /// An option id (default: the best-ranked).
    #[serde(default)]
    pub option: Option<String>,
}

/// Which hold to confirm.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInput {
    /// The hold's event id.
    pub hold: String,
}

/// The default travel time to set.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelDefaultInput {
    pub minutes: u32,
}

/// Travel times between places.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TravelView {
    pub default_minutes: u32,
    /// (from, to, minutes), both ways.
    pub pairs: Vec<(String, String, u32)>,
}

impl From<&TravelTable> for TravelView {
    fn from(t: &TravelTable) -> Self {
        Self {
            default_minutes: t.default_minutes,
            pairs: t.pairs.clone(),
        }
    }
}

// ---- availability ----

/// A person's availability: working hours per weekday in their zone, date overrides, out of office,
/// buffers, minimum notice, meetings per day, no-meeting days, weekly focus goal, lunch.
#[utoipa::path(get, path = "/api/v1/people/{id}/availability", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = Object, description = "The rules"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn availability_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
) -> ApiResult<Json<Availability>> {
    let org = auth.org();
    let a = ops::get_availability(&state, &caller(auth), org, id::<PersonId>(&pid, "person")?).await?;
    Ok(Json(a))
}

/// Sets a person's availability (themselves or a delegate acting on their calendar).
#[utoipa::path(put, path = "/api/v1/people/{id}/availability", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Person id")), request_body(content = Object, description = "The rules, as GET returns them"),
    responses((status = 200, body = Object, description = "The rules"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn availability_set(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
    ApiJson(rules): ApiJson<Availability>,
) -> ApiResult<Json<Availability>> {
    let org = auth.org();
    let a = ops::set_availability(
        &state,
        &caller(auth),
        org,
        id::<PersonId>(&pid, "person")?,
        &rules,
    )
    .await?;
    Ok(Json(a))
}

// ---- travel ----

/// Travel times between places (used to keep time free between in-person events).
#[utoipa::path(get, path = "/api/v1/travel-times", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TravelView), (status = 403, body = Problem)))]
pub async fn travel_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> ApiResult<Json<TravelView>> {
    let org = auth.org();
    let t = ops::travel_table(&state, &caller(auth), org).await?;
    Ok(Json(TravelView::from(&t)))
}

/// Sets (or, without minutes, removes) the travel time between two places (office managers and administrators).
#[utoipa::path(put, path = "/api/v1/travel-times", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    request_body = TravelInput,
    responses((status = 200, body = TravelView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn travel_set(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<TravelInput>,
) -> ApiResult<Json<TravelView>> {
    let org = auth.org();
    let t = ops::set_travel(&state, &caller(auth), org, &input).await?;
    Ok(Json(TravelView::from(&t)))
}

/// Sets the travel time used between places with no pair configured.
#[utoipa::path(put, path = "/api/v1/travel-times/default", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    request_body = TravelDefaultInput,
    responses((status = 200, body = TravelView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn travel_default(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<TravelDefaultInput>,
) -> ApiResult<Json<TravelView>> {
    let org = auth.org();
    let t = ops::set_travel_default(&state, &caller(auth), org, input.minutes).await?;
    Ok(Json(TravelView::from(&t)))
}

// ---- find a time ----

/// Ranked times for a meeting, each with its score and reasons; when nothing fits, what could move.
#[utoipa::path(post, path = "/api/v1/find-time", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    request_body = FindTimeInput,
    responses((status = 200, body = FindTimeView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn find_time(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<FindTimeInput>,
) -> ApiResult<Json<FindTimeView>> {
    let org = auth.org();
    let r = ops::find_time(&state, &caller(auth), org, &input).await?;
    Ok(Json(FindTimeView::from(&r)))
}

/// Every reason a meeting cannot (or should not) start at a given time.
#[utoipa::path(post, path = "/api/v1/find-time/why-not", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    request_body = WhyNotInput,
    responses((status = 200, body = WhyNotView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn why_not(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<WhyNotInput>,
) -> ApiResult<Json<WhyNotView>> {
    let org = auth.org();
    let (at, reasons) = ops::why_not(&state, &caller(auth), org, &input.search, &input.start).await?;
    Ok(Json(WhyNotView {
        start: ts(at),
        possible: !reasons.iter().any(|r| r.blocking),
        reasons: reasons.iter().map(ReasonView::from).collect(),
    }))
}

// ---- meeting requests ----

/// Places tentative holds at each proposed time on everyone's calendar (and the room).
#[utoipa::path(post, path = "/api/v1/meeting-requests", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    request_body = MeetingRequestInput,
    responses((status = 201, body = MeetingRequestView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn request_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<MeetingRequestInput>,
) -> ApiResult<(StatusCode, Json<MeetingRequestView>)> {
    let org = auth.org();
    let (r, holds) = ops::create_meeting_request(&state, &caller(auth), org, &input).await?;
    let z = request_zone(&state, &r).await;
    Ok((
        StatusCode::CREATED,
        Json(MeetingRequestView::new(&r, &holds, &z, true)),
    ))
}

async fn request_zone(state: &AppState, r: &adjutant_store::scheduling::MeetingRequest) -> Zone {
    match state.store.calendar_get(r.org, r.calendar).await {
        Ok(c) => Zone::or_utc(&c.time_zone),
        Err(_) => Zone::utc(),
    }
}

/// Meeting requests you organise, attend or act for.
#[utoipa::path(get, path = "/api/v1/meeting-requests", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [MeetingRequestView]), (status = 403, body = Problem)))]
pub async fn requests(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> ApiResult<Json<Vec<MeetingRequestView>>> {
    let org = auth.org();
    let c = caller(auth);
    let list = ops::list_meeting_requests(&state, &c, org).await?;
    let mut out = Vec::with_capacity(list.len());
    for r in list {
        let holds = state.store.events_of_request(org, r.id).await?;
        let z = request_zone(&state, &r).await;
        out.push(MeetingRequestView::new(&r, &holds, &z, false));
    }
    Ok(Json(out))
}

/// One meeting request with its holds.
#[utoipa::path(get, path = "/api/v1/meeting-requests/{id}", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting request id")),
    responses((status = 200, body = MeetingRequestView), (status = 404, body = Problem)))]
pub async fn request_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
) -> ApiResult<Json<MeetingRequestView>> {
    let org = auth.org();
    let (r, holds) = ops::get_meeting_request(
        &state,
        &caller(auth),
        org,
        id::<MeetingRequestId>(&rid, "meeting request")?,
    )
    .await?;
    let z = request_zone(&state, &r).await;
    Ok(Json(MeetingRequestView::new(&r, &holds, &z, false)))
}

/// Confirms one hold: it becomes the meeting, the room is booked, the other holds are released, invitations are generated.
#[utoipa::path(post, path = "/api/v1/meeting-requests/{id}/confirm", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting request id")), request_body = ConfirmInput,
    responses((status = 200, body = EventView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn request_confirm(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> ApiResult<Json<EventView>> {
    let org = auth.org();
    let hold = input.hold.parse().map_err(|_| {
        ApiError::from(adjutant_core::ValidationError::field(
            "hold",
            "is not an event id",
        ))
    })?;
    let e = ops::confirm_meeting_request(
        &state,
        &caller(auth),
        org,
        id::<MeetingRequestId>(&rid, "meeting request")?,
        hold,
    )
    .await?;
    let z = Zone::or_utc(&state.store.calendar_get(org, e.calendar).await?.time_zone);
    Ok(Json(EventView::new(&e, &z, true)))
}

/// Releases every hold of a request.
#[utoipa::path(post, path = "/api/v1/meeting-requests/{id}/release", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Meeting request id")),
    responses((status = 200, body = MeetingRequestView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn request_release(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
) -> ApiResult<Json<MeetingRequestView>> {
    let org = auth.org();
    let r = ops::release_meeting_request(
        &state,
        &caller(auth),
        org,
        id::<MeetingRequestId>(&rid, "meeting request")?,
    )
    .await?;
    let z = request_zone(&state, &r).await;
    Ok(Json(MeetingRequestView::new(&r, &[], &z, false)))
}

// ---- polls ----

/// Opens a poll over several times; outsiders answer through the links returned (shown once).
#[utoipa::path(post, path = "/api/v1/polls", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    request_body = PollInput,
    responses((status = 201, body = NewPollView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn poll_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<PollInput>,
) -> ApiResult<(StatusCode, Json<NewPollView>)> {
    let org = auth.org();
    let (v, links) = ops::create_poll(&state, &caller(auth), org, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewPollView {
            poll: poll_api_view(&v),
            links: links.into_iter().map(|(n, s)| (n, format!("/p/{s}"))).collect(),
        }),
    ))
}

/// Polls you organise, are asked in, or act for.
#[utoipa::path(get, path = "/api/v1/polls", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [PollApiView])))]
pub async fn polls(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> ApiResult<Json<Vec<PollApiView>>> {
    let org = auth.org();
    let list = ops::list_polls(&state, &caller(auth), org).await?;
    Ok(Json(list.iter().map(poll_api_view).collect()))
}

/// One poll with its tally.
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Poll id")),
    responses((status = 200, body = PollApiView), (status = 404, body = Problem)))]
pub async fn poll_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
) -> ApiResult<Json<PollApiView>> {
    let org = auth.org();
    let v = ops::get_poll(&state, &caller(auth), org, id::<PollId>(&pid, "poll")?).await?;
    Ok(Json(poll_api_view(&v)))
}

/// Answers a poll you are asked in (signed in).
#[utoipa::path(post, path = "/api/v1/polls/{id}/answers", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Poll id")), request_body = AnswersInput,
    responses((status = 200, body = PollApiView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn poll_answer(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
    ApiJson(input): ApiJson<AnswersInput>,
) -> ApiResult<Json<PollApiView>> {
    let org = auth.org();
    let v = ops::answer_poll(&state, &caller(auth), org, id::<PollId>(&pid, "poll")?, &input).await?;
    Ok(Json(poll_api_view(&v)))
}

/// Books a poll's winning (or chosen) time through the hold flow.
#[utoipa::path(post, path = "/api/v1/polls/{id}/book", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Poll id")), request_body = BookInput,
    responses((status = 200, body = BookedPollView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn poll_book(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
    ApiJson(input): ApiJson<BookInput>,
) -> ApiResult<Json<BookedPollView>> {
    let org = auth.org();
    let (v, e) = ops::book_poll(
        &state,
        &caller(auth),
        org,
        id::<PollId>(&pid, "poll")?,
        input.option.as_deref(),
    )
    .await?;
    let z = Zone::or_utc(&state.store.calendar_get(org, e.calendar).await?.time_zone);
    Ok(Json(BookedPollView {
        poll: poll_api_view(&v),
        event: EventView::new(&e, &z, true),
    }))
}

/// Closes a poll without booking.
#[utoipa::path(post, path = "/api/v1/polls/{id}/close", tag = "scheduling", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Poll id")),
    responses((status = 200, body = PollApiView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn poll_close(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(pid): Path<String>,
) -> ApiResult<Json<PollApiView>> {
    let org = auth.org();
    let v = ops::close_poll(&state, &caller(auth), org, id::<PollId>(&pid, "poll")?).await?;
    Ok(Json(poll_api_view(&v)))
}

/// A poll as an outsider sees it through their link (no account).
#[utoipa::path(get, path = "/api/v1/public/polls/{token}", tag = "scheduling",
    params(("token" = String, Path, description = "The secret of the participant's link")),
    responses((status = 200, body = PollApiView), (status = 404, body = Problem)))]
pub async fn public_poll(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<PollApiView>> {
    let (v, participant) = ops::poll_by_link(&state, &token).await?;
    let mut view = poll_api_view(&v);
    // An outsider sees the tally and their own answers, not who else was asked.
    view.participants.retain(|p| p.id == participant);
    view.organiser = String::new();
    Ok(Json(view))
}

/// An outsider answers through their link (no account needed).
#[utoipa::path(post, path = "/api/v1/public/polls/{token}", tag = "scheduling",
    params(("token" = String, Path, description = "The secret of the participant's link")), request_body = AnswersInput,
    responses((status = 200, body = PollApiView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn public_poll_answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<AnswersInput>,
) -> ApiResult<Json<PollApiView>> {
    let v = ops::answer_by_link(&state, &token, &input).await?;
    let (_, participant) = ops::poll_by_link(&state, &token).await?;
    let mut view = poll_api_view(&v);
    view.participants.retain(|p| p.id == participant);
    view.organiser = String::new();
    Ok(Json(view))
}
