//! Scheduling pages: find a time (ranked slots with reasons, "why not…?",
//! proposals of what could move), meeting requests with their holds, polls
//! for the organiser, and the public poll page outsiders answer through their
//! link without signing in.

use super::calendar::{
    ItipRow, Opt, at_in_zones, attendee_lines, distinct_zones, event_href, one_error, or_empty_if_forbidden,
    parse_path_id, span_text, trimmed, viewer_zone, when_span, when_text, zone_named, zone_opts,
};
use super::pages::{caller, field, form_pairs, is_user_error, validation_errors};
use super::{Layout, WebError, WebResult, render_status};
use crate::app::AppState;
use crate::auth::{AuthCtx, WebAuth};
use crate::ops::calendar::{self as cal_ops, AttendeeInput};
use crate::ops::scheduling::{
    self as sched_ops, AnswersInput, FindAttendee, FindResult, FindTimeInput, MeetingRequestInput, PollInput,
    PollView,
};
use adjutant_core::FieldError;
use adjutant_core::calendar::finder::{Reason, ReasonCode};
use adjutant_core::calendar::poll::Answer;
use adjutant_core::calendar::{AttendeeRole, Zone};
use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{EventId, MeetingRequestId, PersonId, PollId};
use adjutant_store::polls::PollStatus;
use adjutant_store::scheduling::RequestStatus;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::HashMap;

fn status_for(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

// ---------------------------------------------------------------------------
// Find a time
// ---------------------------------------------------------------------------

/// The search as typed; carried in hidden fields by the "why not" and "place holds" forms.
#[derive(Debug, Clone, Default)]
pub struct SearchForm {
    /// Whose meeting (the organiser's person id).
    pub person: String,
    pub summary: String,
    pub attendees: String,
    pub duration: String,
    pub from: String,
    /// The last day searched (inclusive).
    pub to: String,
    pub time_zone: String,
    pub room_capacity: String,
    pub room_equipment: String,
    pub room: String,
    pub location: String,
}

impl SearchForm {
    fn from_pairs(f: &[(String, String)]) -> SearchForm {
        SearchForm {
            person: trimmed(f, "person"),
            summary: field(f, "summary").unwrap_or_default(),
            attendees: field(f, "attendees").unwrap_or_default(),
            duration: trimmed(f, "duration"),
            from: trimmed(f, "from"),
            to: trimmed(f, "to"),
            time_zone: trimmed(f, "time_zone"),
            room_capacity: trimmed(f, "room_capacity"),
            room_equipment: field(f, "room_equipment").unwrap_or_default(),
            room: trimmed(f, "room"),
            location: field(f, "location").unwrap_or_default(),
        }
    }

    fn duration_minutes(&self, errors: &mut Vec<FieldError>) -> u32 {
        match self.duration.parse::<u32>() {
            Ok(m) => m,
            Err(_) => {
                errors.push(one_error(
                    "duration",
                    format!("`{}` is not a whole number of minutes", self.duration),
                ));
                0
            }
        }
    }

    fn some(s: &str) -> Option<String> {
        (!s.trim().is_empty()).then(|| s.trim().to_string())
    }

    fn input(&self) -> Result<FindTimeInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let duration_minutes = self.duration_minutes(&mut errors);
        let room_capacity = match Self::some(&self.room_capacity) {
            None => None,
            Some(s) => match s.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(one_error(
                        "room_capacity",
                        format!("`{s}` is not a whole number of seats"),
                    ));
                    None
                }
            },
        };
        // The form asks for the last day; the search runs until the day after it begins.
        let to = Self::some(&self.to).map(|t| match t.parse::<Date>() {
            Ok(d) => d
                .checked_add(jiff::Span::new().days(1))
                .map_or(t.clone(), |n| n.to_string()),
            Err(_) => t,
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(FindTimeInput {
            attendees: attendee_lines(&self.attendees)
                .into_iter()
                .map(|a| {
                    // An outsider's calendar feed may follow their address: `dee@example.org https://…/cal.ics`.
                    let (who, ics_url) = match a.who.rsplit_once(char::is_whitespace) {
                        Some((w, u))
                            if ["http://", "https://", "webcal://"]
                                .iter()
                                .any(|p| u.starts_with(p)) =>
                        {
                            (w.trim().to_string(), Some(u.to_string()))
                        }
                        _ => (a.who, None),
                    };
                    FindAttendee {
                        who,
                        name: a.name,
                        optional: a.optional,
                        busy: vec![],
                        ics: None,
                        ics_url,
                    }
                })
                .collect(),
            duration_minutes,
            from: Self::some(&self.from),
            to,
            time_zone: Self::some(&self.time_zone),
            room_capacity,
            room_equipment: self
                .room_equipment
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_string)
                .collect(),
            room: Self::some(&self.room),
            need_room: None,
            location: Self::some(&self.location),
            priority: None,
            step_minutes: None,
            limit: None,
        })
    }
}

pub struct ReasonRow {
    pub text: String,
    pub class: &'static str,
    pub blocking: bool,
}

fn reason_row(r: &Reason) -> ReasonRow {
    let class = if r.blocking {
        "reason blocking"
    } else {
        match r.code {
            ReasonCode::InsideHours | ReasonCode::OptionalFree | ReasonCode::Room => "reason good",
            ReasonCode::TimeZones => "reason info",
            _ => "reason soft",
        }
    };
    ReasonRow {
        text: r.text.clone(),
        class,
        blocking: r.blocking,
    }
}

pub struct SlotRow {
    pub value: String,
    pub dom_id: String,
    pub when: String,
    pub zones: String,
    pub room_name: Option<String>,
    pub score: i64,
    pub reasons: Vec<ReasonRow>,
    pub checked: bool,
}

pub struct MoveRow {
    pub who: String,
    pub title: String,
    pub when: String,
    pub href: Option<String>,
}

pub struct ProposalRow {
    pub when: String,
    pub text: String,
    pub moves: Vec<MoveRow>,
}

pub struct WhyRow {
    pub when: String,
    pub possible: bool,
    pub reasons: Vec<ReasonRow>,
}

#[derive(Template)]
#[template(path = "find_time.html")]
struct FindTimePage {
    layout: Layout,
    form: SearchForm,
    organiser_name: String,
    rooms: Vec<Opt>,
    zones: Vec<Opt>,
    searched: bool,
    window_text: String,
    slots: Vec<SlotRow>,
    proposals: Vec<ProposalRow>,
    why: Option<WhyRow>,
    why_at: String,
    errors: Vec<FieldError>,
}

fn slot_rows(r: &FindResult, viewer: &Zone, checked: &[String]) -> Vec<SlotRow> {
    r.slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let value = format!("{}@{}", s.range.start, s.room.clone().unwrap_or_default());
            SlotRow {
                checked: checked.contains(&value),
                dom_id: format!("slot-{i}"),
                when: when_span(s.range.start, s.range.end, viewer),
                zones: s
                    .local_times
                    .iter()
                    .map(|(z, t)| format!("{t} {}", super::calendar::city(z)))
                    .collect::<Vec<_>>()
                    .join(" = "),
                room_name: s
                    .room
                    .as_ref()
                    .and_then(|k| r.rooms.iter().find(|(id, _)| id == k).map(|(_, n)| n.clone())),
                score: s.score,
                // The local times are on their own line already.
                reasons: s
                    .reasons
                    .iter()
                    .filter(|r| r.code != ReasonCode::TimeZones)
                    .map(reason_row)
                    .collect(),
                value,
            }
        })
        .collect()
}

fn proposal_rows(r: &FindResult, viewer: &Zone) -> Vec<ProposalRow> {
    let name = |k: &str| {
        r.names
            .iter()
            .find(|(key, _)| key == k)
            .map_or(k.to_string(), |(_, n)| n.clone())
    };
    r.proposals
        .iter()
        .map(|p| ProposalRow {
            when: when_span(p.slot.start, p.slot.end, viewer),
            text: p.text.clone(),
            moves: p
                .moves
                .iter()
                .map(|m| MoveRow {
                    who: name(&m.who),
                    title: m.title.clone(),
                    when: when_span(m.range.start, m.range.end, viewer),
                    href: m
                        .event
                        .as_deref()
                        .and_then(|e| e.parse::<EventId>().ok())
                        .map(|e| event_href(e, None)),
                })
                .collect(),
        })
        .collect()
}

struct Outcome {
    result: Option<FindResult>,
    why: Option<WhyRow>,
    errors: Vec<FieldError>,
}

async fn find_time_render(
    state: &AppState,
    auth: &AuthCtx,
    form: SearchForm,
    outcome: Outcome,
    why_at: String,
    checked: &[String],
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let viewer = viewer_zone(auth);
    let rooms = or_empty_if_forbidden(cal_ops::list_resources(state, &c, org).await)?;
    let mut room_opts = vec![Opt {
        value: String::new(),
        label: "Any suitable room (or none)".into(),
        selected: form.room.is_empty(),
    }];
    room_opts.extend(rooms.iter().filter(|r| r.bookable).map(|r| Opt {
        value: r.id.to_string(),
        label: format!("{} ({} seats)", r.name, r.capacity),
        selected: r.id.to_string() == form.room,
    }));
    let organiser_name = match form.person.parse::<PersonId>() {
        Ok(p) => crate::ops::get_person(state, &c, org, p)
            .await
            .map(|p| p.name)
            .unwrap_or_default(),
        Err(_) => auth.person.name.clone(),
    };
    let (slots, proposals, window_text) = match &outcome.result {
        Some(r) => (
            slot_rows(r, &viewer, checked),
            proposal_rows(r, &viewer),
            format!(
                "{} to {} ({})",
                when_text(r.window.start, &viewer),
                when_text(r.window.end, &viewer),
                viewer.name()
            ),
        ),
        None => (vec![], vec![], String::new()),
    };
    let page = FindTimePage {
        layout: Layout::new(state, auth, "find-time", None).await?,
        zones: zone_opts(&form.time_zone, &[&auth.person.time_zone]),
        organiser_name,
        rooms: room_opts,
        searched: outcome.result.is_some(),
        window_text,
        slots,
        proposals,
        why: outcome.why,
        why_at,
        errors: outcome.errors,
        form,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn find_time_page(State(state): State<AppState>, WebAuth(auth): WebAuth) -> WebResult {
    let c = caller(&auth);
    let subject = cal_ops::subject(&c, None)?;
    let p = crate::ops::get_person(&state, &c, auth.org(), subject).await?;
    let form = SearchForm {
        person: subject.to_string(),
        attendees: p.email.clone().unwrap_or_else(|| p.id.to_string()),
        duration: "60".into(),
        time_zone: auth.person.time_zone.clone(),
        ..SearchForm::default()
    };
    find_time_render(
        &state,
        &auth,
        form,
        Outcome {
            result: None,
            why: None,
            errors: vec![],
        },
        String::new(),
        &[],
    )
    .await
}

/// Runs the search; user errors come back as field errors.
async fn search(state: &AppState, auth: &AuthCtx, form: &SearchForm) -> Result<Outcome, WebError> {
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => {
            return Ok(Outcome {
                result: None,
                why: None,
                errors,
            });
        }
    };
    match sched_ops::find_time(state, &caller(auth), auth.org(), &input).await {
        Ok(r) => Ok(Outcome {
            result: Some(r),
            why: None,
            errors: vec![],
        }),
        Err(e) if is_user_error(&e) => Ok(Outcome {
            result: None,
            why: None,
            errors: validation_errors(&e),
        }),
        Err(e) => Err(WebError(e)),
    }
}

pub async fn find_time_submit(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    body: Bytes,
) -> WebResult {
    let form = SearchForm::from_pairs(&form_pairs(&body));
    let outcome = search(&state, &auth, &form).await?;
    find_time_render(&state, &auth, form, outcome, String::new(), &[]).await
}

pub async fn why_not(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let form = SearchForm::from_pairs(&f);
    let at = trimmed(&f, "why_at");
    let mut outcome = search(&state, &auth, &form).await?;
    if at.is_empty() {
        outcome
            .errors
            .push(one_error("why_at", "give the day and time to ask about"));
    } else if outcome.errors.is_empty()
        && let Ok(input) = form.input()
    {
        match sched_ops::why_not(&state, &caller(&auth), auth.org(), &input, &at).await {
            Ok((t, reasons)) => {
                let z = Zone::parse("time_zone", &form.time_zone).unwrap_or_else(|_| viewer_zone(&auth));
                let zones = distinct_zones([viewer_zone(&auth), z]);
                let when = if zones.len() > 1 {
                    format!("{} ({})", when_text(t, &zones[0]), at_in_zones(t, &zones))
                } else {
                    when_text(t, &zones[0])
                };
                outcome.why = Some(WhyRow {
                    when,
                    possible: !reasons.iter().any(|r| r.blocking),
                    reasons: reasons.iter().map(reason_row).collect(),
                });
            }
            Err(e) if is_user_error(&e) => outcome.errors.extend(validation_errors(&e)),
            Err(e) => return Err(WebError(e)),
        }
    }
    find_time_render(&state, &auth, form, outcome, at, &[]).await
}

/// Places holds at the ticked times, or opens a poll over them.
pub async fn propose(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let form = SearchForm::from_pairs(&f);
    let chosen = super::calendar::all_of(&f, "slot");
    let as_poll = field(&f, "action").as_deref() == Some("poll");
    let mut errors = Vec::new();
    let duration_minutes = form.duration_minutes(&mut errors);
    if chosen.is_empty() {
        errors.push(one_error("slot", "tick at least one time"));
    }
    let (starts, rooms): (Vec<String>, Vec<String>) = chosen
        .iter()
        .map(|v| match v.split_once('@') {
            Some((s, r)) => (s.to_string(), r.to_string()),
            None => (v.clone(), String::new()),
        })
        .unzip();
    // A request holds one room at every time: the one asked for, else the first slot's.
    let room = SearchForm::some(&form.room).or_else(|| rooms.iter().find(|r| !r.is_empty()).cloned());
    if errors.is_empty() {
        let c = caller(&auth);
        let attendees = attendee_lines(&form.attendees);
        let result = if as_poll {
            let input = PollInput {
                person: SearchForm::some(&form.person),
                summary: form.summary.clone(),
                description: None,
                duration_minutes,
                starts,
                time_zone: SearchForm::some(&form.time_zone),
                attendees,
                room,
                location: SearchForm::some(&form.location),
            };
            match sched_ops::create_poll(&state, &c, auth.org(), &input).await {
                Ok((view, links)) => {
                    return poll_page(&state, &auth, &headers, view, links, None, vec![]).await;
                }
                Err(e) => e,
            }
        } else {
            let input = MeetingRequestInput {
                person: SearchForm::some(&form.person),
                summary: form.summary.clone(),
                description: None,
                duration_minutes,
                starts,
                time_zone: SearchForm::some(&form.time_zone),
                attendees,
                room,
                location: SearchForm::some(&form.location),
                visibility: None,
                priority: None,
            };
            match sched_ops::create_meeting_request(&state, &c, auth.org(), &input).await {
                Ok((r, _)) => {
                    return Ok(
                        Redirect::to(&format!("/meeting-requests/{}?notice=holds-placed", r.id))
                            .into_response(),
                    );
                }
                Err(e) => e,
            }
        };
        if !is_user_error(&result) {
            return Err(WebError(result));
        }
        errors = validation_errors(&result);
    }
    let mut outcome = search(&state, &auth, &form).await?;
    outcome.errors.extend(errors);
    find_time_render(&state, &auth, form, outcome, String::new(), &chosen).await
}

// ---------------------------------------------------------------------------
// Meeting requests
// ---------------------------------------------------------------------------

/// Whether to offer the organiser's decisions (confirm, release, book, close); the
/// operations decide for themselves, this only keeps buttons away from those they would refuse.
fn offers_decisions(auth: &AuthCtx, organiser: PersonId) -> bool {
    auth.person.id == organiser
        || auth
            .actor
            .delegation_for(organiser, Scope::Calendar, Level::Act)
            .is_some()
}

pub struct HoldRow {
    pub id: String,
    pub when: String,
    pub zones: String,
}

pub struct ConfirmedBox {
    pub href: String,
    pub when: String,
    pub itip: Vec<ItipRow>,
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    layout: Layout,
    id: String,
    title: String,
    status: &'static str,
    open: bool,
    can_decide: bool,
    organiser: String,
    room: Option<String>,
    attendees: Vec<String>,
    holds: Vec<HoldRow>,
    confirmed: Option<ConfirmedBox>,
    errors: Vec<FieldError>,
}

/// The zones of the people invited, the viewer's first.
async fn attendee_zones(
    state: &AppState,
    auth: &AuthCtx,
    attendees: &[adjutant_core::calendar::Attendee],
) -> Result<Vec<Zone>, WebError> {
    let people = crate::ops::list_people(state, &caller(auth), auth.org()).await?;
    let zones: HashMap<PersonId, String> = people.into_iter().map(|p| (p.id, p.time_zone)).collect();
    Ok(distinct_zones(
        std::iter::once(viewer_zone(auth)).chain(
            attendees
                .iter()
                .filter_map(|a| a.person.and_then(|p| zones.get(&p)))
                .map(|z| zone_named(z)),
        ),
    ))
}

async fn request_render(
    state: &AppState,
    auth: &AuthCtx,
    id: MeetingRequestId,
    notice: Option<&str>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let viewer = viewer_zone(auth);
    let (r, holds) = sched_ops::get_meeting_request(state, &c, org, id).await?;
    let cal = state.store.calendar_get(org, r.calendar).await?;
    let cal_zone = zone_named(&cal.time_zone);
    let zones = attendee_zones(state, auth, &r.template.attendees).await?;
    let organiser = state.store.person_get(org, r.organiser).await?.name;
    let room = match r.room {
        Some(rid) => state.store.resource_get(org, rid).await.ok().map(|x| x.name),
        None => None,
    };
    let open = r.status == RequestStatus::Open;
    let can_decide = offers_decisions(auth, r.organiser);
    let mut rows = Vec::new();
    let mut confirmed = None;
    for h in &holds {
        let (s, e) = (h.data.start.instant(&cal_zone), h.data.end.instant(&cal_zone));
        if Some(h.id) == r.confirmed_event {
            let itip = cal_ops::event_itip(state, &c, org, h.id)
                .await
                .map(|list| {
                    list.iter()
                        .map(|m| ItipRow {
                            id: m.id.to_string(),
                            method: m.method.clone(),
                            recipient: m.recipient.clone(),
                            created: when_text(m.created_at, &viewer),
                        })
                        .collect()
                })
                .unwrap_or_default();
            confirmed = Some(ConfirmedBox {
                href: event_href(h.id, None),
                when: format!("{} ({})", when_span(s, e, &viewer), at_in_zones(s, &zones)),
                itip,
            });
            continue;
        }
        rows.push(HoldRow {
            id: h.id.to_string(),
            when: when_span(s, e, &viewer),
            zones: at_in_zones(s, &zones),
        });
    }
    if confirmed.is_none()
        && let Some(eid) = r.confirmed_event
    {
        confirmed = Some(ConfirmedBox {
            href: event_href(eid, None),
            when: String::new(),
            itip: vec![],
        });
    }
    let page = RequestPage {
        layout: Layout::new(state, auth, "requests", notice).await?,
        id: id.to_string(),
        title: r.title.clone(),
        status: r.status.as_str(),
        open,
        can_decide,
        organiser,
        room,
        attendees: r
            .template
            .attendees
            .iter()
            .map(|a| {
                if a.role == AttendeeRole::Optional {
                    format!("{} (optional)", a.name)
                } else {
                    a.name.clone()
                }
            })
            .collect(),
        holds: rows,
        confirmed,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn request_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: MeetingRequestId = parse_path_id(&id, "meeting request")?;
    request_render(&state, &auth, id, q.notice.as_deref(), vec![]).await
}

pub async fn request_confirm(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: MeetingRequestId = parse_path_id(&id, "meeting request")?;
    let f = form_pairs(&body);
    let Ok(hold) = trimmed(&f, "hold").parse::<EventId>() else {
        return request_render(&state, &auth, id, None, vec![one_error("hold", "choose a time")]).await;
    };
    match sched_ops::confirm_meeting_request(&state, &caller(&auth), auth.org(), id, hold).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/meeting-requests/{id}?notice=meeting-confirmed")).into_response())
        }
        Err(e) if is_user_error(&e) => request_render(&state, &auth, id, None, validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

pub async fn request_release(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: MeetingRequestId = parse_path_id(&id, "meeting request")?;
    match sched_ops::release_meeting_request(&state, &caller(&auth), auth.org(), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/meeting-requests/{id}?notice=holds-released")).into_response()),
        Err(e) if is_user_error(&e) => request_render(&state, &auth, id, None, validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

/// Asks the attendees by poll over the held times, then releases the holds.
pub async fn request_to_poll(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> WebResult {
    let id: MeetingRequestId = parse_path_id(&id, "meeting request")?;
    let c = caller(&auth);
    let org = auth.org();
    let (r, holds) = sched_ops::get_meeting_request(&state, &c, org, id).await?;
    let cal = state.store.calendar_get(org, r.calendar).await?;
    let cal_zone = zone_named(&cal.time_zone);
    let starts: Vec<String> = holds
        .iter()
        .map(|h| h.data.start.instant(&cal_zone).to_string())
        .collect();
    let duration = holds
        .first()
        .map(|h| {
            h.data
                .end
                .instant(&cal_zone)
                .duration_since(h.data.start.instant(&cal_zone))
                .as_mins()
        })
        .unwrap_or(0);
    let input = PollInput {
        person: Some(r.organiser.to_string()),
        summary: r.title.clone(),
        description: (!r.template.description.is_empty()).then(|| r.template.description.clone()),
        duration_minutes: u32::try_from(duration).unwrap_or(0),
        starts,
        time_zone: r.template.start.zone().map(|z| z.name().to_string()),
        attendees: r
            .template
            .attendees
            .iter()
            .map(|a| AttendeeInput {
                who: a
                    .person
                    .map(|p| p.to_string())
                    .or_else(|| a.email.clone())
                    .unwrap_or_default(),
                name: a.person.is_none().then(|| a.name.clone()),
                optional: a.role == AttendeeRole::Optional,
            })
            .collect(),
        room: r.room.map(|x| x.to_string()),
        location: r.template.location.as_ref().map(|l| l.text.clone()),
    };
    let (view, links) = match sched_ops::create_poll(&state, &c, org, &input).await {
        Ok(v) => v,
        Err(e) if is_user_error(&e) => {
            return request_render(&state, &auth, id, None, validation_errors(&e)).await;
        }
        Err(e) => return Err(WebError(e)),
    };
    let mut errors = Vec::new();
    match sched_ops::release_meeting_request(&state, &c, org, id).await {
        Ok(_) => {}
        Err(e) if is_user_error(&e) => errors = validation_errors(&e),
        Err(e) => return Err(WebError(e)),
    }
    poll_page(&state, &auth, &headers, view, links, Some("poll-created"), errors).await
}

pub struct RequestLine {
    pub href: String,
    pub title: String,
    pub status: &'static str,
    pub created: String,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    layout: Layout,
    requests: Vec<RequestLine>,
    polls: Vec<RequestLine>,
}

pub async fn requests(State(state): State<AppState>, WebAuth(auth): WebAuth) -> WebResult {
    let c = caller(&auth);
    let org = auth.org();
    let viewer = viewer_zone(&auth);
    let mut reqs = sched_ops::list_meeting_requests(&state, &c, org).await?;
    reqs.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let mut polls = sched_ops::list_polls(&state, &c, org).await?;
    polls.sort_by_key(|p| std::cmp::Reverse(p.poll.created_at));
    Ok(render_status(
        StatusCode::OK,
        &RequestsPage {
            layout: Layout::new(&state, &auth, "requests", None).await?,
            requests: reqs
                .iter()
                .map(|r| RequestLine {
                    href: format!("/meeting-requests/{}", r.id),
                    title: r.title.clone(),
                    status: r.status.as_str(),
                    created: when_text(r.created_at, &viewer),
                })
                .collect(),
            polls: polls
                .iter()
                .map(|p| RequestLine {
                    href: format!("/polls/{}", p.poll.id),
                    title: p.poll.title.clone(),
                    status: p.poll.status.as_str(),
                    created: when_text(p.poll.created_at, &viewer),
                })
                .collect(),
        },
    ))
}

// ---------------------------------------------------------------------------
// Polls (organiser and signed-in participants)
// ---------------------------------------------------------------------------

pub struct PollOptionRow {
    pub id: String,
    pub when: String,
    pub zones: String,
    pub yes: usize,
    pub if_need_be: usize,
    pub no: usize,
    pub unanswered: usize,
    pub rank: usize,
    pub best: bool,
}

pub struct PollPartRow {
    pub name: String,
    pub kind: &'static str,
    pub responded: bool,
    pub answers: Vec<&'static str>,
}

pub struct AnswerRow {
    pub id: String,
    pub when: String,
    pub current: &'static str,
}

#[derive(Template)]
#[template(path = "poll.html")]
struct PollPage {
    layout: Layout,
    id: String,
    title: String,
    status: &'static str,
    open: bool,
    can_decide: bool,
    options: Vec<PollOptionRow>,
    participants: Vec<PollPartRow>,
    links: Vec<(String, String)>,
    mine: Vec<AnswerRow>,
    choices: Vec<(&'static str, &'static str)>,
    booked_href: Option<String>,
    errors: Vec<FieldError>,
}

fn answer_of(p: &PollView, participant: &str, option: &str) -> Option<Answer> {
    p.poll
        .answers
        .iter()
        .find(|(pp, o, _)| pp == participant && o == option)
        .map(|(_, _, a)| *a)
}

const CHOICES: [(&str, &str); 3] = [("yes", "Yes"), ("if_need_be", "If need be"), ("no", "No")];

async fn poll_page(
    state: &AppState,
    auth: &AuthCtx,
    headers: &HeaderMap,
    v: PollView,
    links: Vec<(String, String)>,
    notice: Option<&str>,
    errors: Vec<FieldError>,
) -> WebResult {
    let viewer = viewer_zone(auth);
    let participants_zones = {
        let attendees: Vec<adjutant_core::calendar::Attendee> = v.poll.template.attendees.clone();
        attendee_zones(state, auth, &attendees).await?
    };
    let p = &v.poll;
    let best_rank = v.tally.iter().map(|t| t.rank).min().unwrap_or(0);
    let options = p
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let t = v.tally.iter().find(|t| t.option == i);
            PollOptionRow {
                id: o.id.clone(),
                when: when_span(o.range.start, o.range.end, &viewer),
                zones: at_in_zones(o.range.start, &participants_zones),
                yes: t.map_or(0, |t| t.yes),
                if_need_be: t.map_or(0, |t| t.if_need_be),
                no: t.map_or(0, |t| t.no),
                unanswered: t.map_or(0, |t| t.unanswered),
                rank: t.map_or(0, |t| t.rank),
                best: t.is_some_and(|t| t.rank == best_rank),
            }
        })
        .collect();
    let participants = p
        .participants
        .iter()
        .map(|x| PollPartRow {
            name: x.name.clone(),
            kind: if x.person.is_some() {
                "colleague"
            } else {
                "outside, by link"
            },
            responded: x.responded_at.is_some(),
            answers: p
                .options
                .iter()
                .map(|o| answer_of(&v, &x.id, &o.id).map_or("—", |a| a.label()))
                .collect(),
        })
        .collect();
    let subject = cal_ops::subject(&caller(auth), None)?;
    let mine = match p.participants.iter().find(|x| x.person == Some(subject)) {
        Some(me) if p.status == PollStatus::Open => p
            .options
            .iter()
            .map(|o| AnswerRow {
                id: o.id.clone(),
                when: when_span(o.range.start, o.range.end, &viewer),
                current: answer_of(&v, &me.id, &o.id).map_or("", |a| a.as_str()),
            })
            .collect(),
        _ => vec![],
    };
    let page = PollPage {
        layout: Layout::new(state, auth, "requests", notice).await?,
        id: p.id.to_string(),
        title: p.title.clone(),
        status: p.status.as_str(),
        open: p.status == PollStatus::Open,
        can_decide: offers_decisions(auth, p.organiser),
        options,
        participants,
        links: links
            .into_iter()
            .map(|(n, s)| {
                (
                    n,
                    super::calendar::absolute_url(state, headers, &format!("/p/{s}")),
                )
            })
            .collect(),
        mine,
        choices: CHOICES.to_vec(),
        booked_href: p.meeting_request.map(|r| format!("/meeting-requests/{r}")),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn poll(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: PollId = parse_path_id(&id, "poll")?;
    let v = sched_ops::get_poll(&state, &caller(&auth), auth.org(), id).await?;
    poll_page(&state, &auth, &headers, v, vec![], q.notice.as_deref(), vec![]).await
}

fn answers_from(f: &[(String, String)]) -> AnswersInput {
    AnswersInput {
        answers: f
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("answer_")
                    .map(|o| (o.to_string(), v.trim().to_string()))
            })
            .collect(),
    }
}

pub async fn poll_answer(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: PollId = parse_path_id(&id, "poll")?;
    let c = caller(&auth);
    let input = answers_from(&form_pairs(&body));
    match sched_ops::answer_poll(&state, &c, auth.org(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/polls/{id}?notice=poll-answered")).into_response()),
        Err(e) if is_user_error(&e) => {
            let v = sched_ops::get_poll(&state, &c, auth.org(), id).await?;
            poll_page(&state, &auth, &headers, v, vec![], None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn poll_book(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: PollId = parse_path_id(&id, "poll")?;
    let c = caller(&auth);
    let f = form_pairs(&body);
    let option = Some(trimmed(&f, "option")).filter(|o| !o.is_empty());
    match sched_ops::book_poll(&state, &c, auth.org(), id, option.as_deref()).await {
        Ok((_, e)) => Ok(Redirect::to(&format!("/events/{}?notice=poll-booked", e.id)).into_response()),
        Err(e) if is_user_error(&e) => {
            let v = sched_ops::get_poll(&state, &c, auth.org(), id).await?;
            poll_page(&state, &auth, &headers, v, vec![], None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn poll_close(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> WebResult {
    let id: PollId = parse_path_id(&id, "poll")?;
    let c = caller(&auth);
    match sched_ops::close_poll(&state, &c, auth.org(), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/polls/{id}?notice=poll-closed")).into_response()),
        Err(e) if is_user_error(&e) => {
            let v = sched_ops::get_poll(&state, &c, auth.org(), id).await?;
            poll_page(&state, &auth, &headers, v, vec![], None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// The public poll page (no sign-in: the link is the credential)
// ---------------------------------------------------------------------------

pub struct PublicOption {
    pub id: String,
    pub when: String,
    pub current: &'static str,
}

#[derive(Template)]
#[template(path = "public_poll.html")]
struct PublicPollPage {
    /// open, closed, booked or missing.
    state: &'static str,
    title: String,
    description: String,
    name: String,
    duration: String,
    action: String,
    zone: String,
    zones: Vec<Opt>,
    options: Vec<PublicOption>,
    choices: Vec<(&'static str, &'static str)>,
    thanks: bool,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
pub struct TzQuery {
    tz: Option<String>,
}

fn public_zone(tz: Option<&str>) -> Zone {
    tz.map(str::trim)
        .filter(|t| !t.is_empty())
        .and_then(|t| Zone::parse("tz", t).ok())
        .unwrap_or_else(Zone::utc)
}

fn missing_page() -> axum::response::Response {
    render_status(
        StatusCode::NOT_FOUND,
        &PublicPollPage {
            state: "missing",
            title: "Poll not found".into(),
            description: String::new(),
            name: String::new(),
            duration: String::new(),
            action: String::new(),
            zone: "UTC".into(),
            zones: vec![],
            options: vec![],
            choices: vec![],
            thanks: false,
            errors: vec![],
        },
    )
}

fn public_render(
    token: &str,
    v: &PollView,
    participant: &str,
    zone: &Zone,
    thanks: bool,
    errors: Vec<FieldError>,
) -> axum::response::Response {
    let p = &v.poll;
    let name = p
        .participants
        .iter()
        .find(|x| x.id == participant)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let minutes = p
        .options
        .first()
        .map_or(0, |o| o.range.end.duration_since(o.range.start).as_mins());
    let duration = if minutes % 60 == 0 {
        format!("{} h", minutes / 60)
    } else if minutes > 60 {
        format!("{} h {} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    };
    let page = PublicPollPage {
        state: p.status.as_str(),
        title: p.title.clone(),
        description: p.template.description.clone(),
        name,
        duration,
        action: format!("/p/{token}"),
        zone: zone.name().to_string(),
        zones: zone_opts(zone.name(), &[]),
        options: p
            .options
            .iter()
            .map(|o| PublicOption {
                id: o.id.clone(),
                when: format!(
                    "{}, {}",
                    zone.local(o.range.start).date().strftime("%a %-d %b %Y"),
                    span_text(o.range.start, o.range.end, zone)
                ),
                current: answer_of(v, participant, &o.id).map_or("", |a| a.as_str()),
            })
            .collect(),
        choices: CHOICES.to_vec(),
        thanks,
        errors,
    };
    render_status(status_for(&page.errors), &page)
}

pub async fn public_poll(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<TzQuery>,
) -> WebResult {
    match sched_ops::poll_by_link(&state, &token).await {
        Ok((v, participant)) => Ok(public_render(
            &token,
            &v,
            &participant,
            &public_zone(q.tz.as_deref()),
            false,
            vec![],
        )),
        Err(e) if e.status == StatusCode::NOT_FOUND => Ok(missing_page()),
        Err(e) => Err(WebError(e)),
    }
}

pub async fn public_poll_answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let zone = public_zone(field(&f, "tz").as_deref());
    let input = answers_from(&f);
    let answered = sched_ops::answer_by_link(&state, &token, &input).await;
    let (v, participant) = match sched_ops::poll_by_link(&state, &token).await {
        Ok(x) => x,
        Err(e) if e.status == StatusCode::NOT_FOUND => return Ok(missing_page()),
        Err(e) => return Err(WebError(e)),
    };
    match answered {
        Ok(_) => Ok(public_render(&token, &v, &participant, &zone, true, vec![])),
        // A closed poll says so itself.
        Err(e) if e.status == StatusCode::CONFLICT => {
            Ok(public_render(&token, &v, &participant, &zone, false, vec![]))
        }
        Err(e) if is_user_error(&e) => Ok(public_render(
            &token,
            &v,
            &participant,
            &zone,
            false,
            validation_errors(&e),
        )),
        Err(e) if e.status == StatusCode::NOT_FOUND => Ok(missing_page()),
        Err(e) => Err(WebError(e)),
    }
}
