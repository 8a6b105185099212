//! Meeting pages: a person's meetings around today, and a meeting's notes —
//! agenda (seeded from what is open, time-boxed, with files per item),
//! minutes, decisions and action items side by side, and the recap to send.
//! Also the responsibility grid of recurring duties and a duty's own page.
//!
//! Handlers parse forms, call `ops::meetings` and `ops::duties` (which
//! authorise and hold the rules), and render. A meeting's agenda and decisions
//! are written as whole lists, so a form that changes one item sends the
//! others back as they are.

use super::calendar::{Opt, one_error, opts, parse_path_id, trimmed, viewer_zone, when_text};
use super::pages::{caller, field, form_pairs, is_user_error, validation_errors};
use super::tasks::{TaskRow, bar, named, people_opts, shown_at, status_for, task_row};
use super::{Layout, WebError, WebResult, render_status};
use crate::app::AppState;
use crate::auth::{AuthCtx, WebAuth};
use crate::error::ApiError;
use crate::ops::duties::{self as duty_ops, DutyDoneInput, DutyInput, DutyView};
use crate::ops::meetings::{
    self as meeting_ops, ActionInput, AgendaItemInput, DecisionInput, MeetingInput, MeetingView,
};
use crate::ops::tasks as task_ops;
use adjutant_core::FieldError;
use adjutant_core::ids::{DutyId, EventId, MaterialId, MeetingId, PersonId};
use adjutant_core::meetings::{ItemStatus, MAX_MATERIAL_BYTES};
use adjutant_core::policy::Capability;
use adjutant_core::tasks::task::duration_label;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use jiff::Timestamp;
use serde::Deserialize;

/// The most the file upload form may carry: a meeting file at its limit and room for the form around it.
pub const MATERIAL_BODY_LIMIT: usize = MAX_MATERIAL_BYTES + 64 * 1024;

/// How far back and ahead the meetings list looks.
const MEETINGS_DAYS: i64 = 14;

// ---------------------------------------------------------------------------
// The meetings list
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct MeetingsQuery {
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

pub struct MeetingRow {
    pub event: String,
    pub occurrence: String,
    pub title: String,
    pub when: String,
    pub meeting: Option<String>,
    pub agenda_items: usize,
    pub open_action_items: usize,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    layout: Layout,
    heading: String,
    past: Vec<MeetingRow>,
    upcoming: Vec<MeetingRow>,
    days: i64,
}

pub async fn meetings(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<MeetingsQuery>,
) -> WebResult {
    let c = caller(&auth);
    let org = auth.org();
    let person = match named(&q.person) {
        Some(p) => task_ops::person_ref(&state, org, "person", p).await?.id,
        None => task_ops::subject(&c, None)?,
    };
    let p = crate::ops::get_person(&state, &c, org, person).await?;
    let list = meeting_ops::list_meetings(&state, &c, org, person, MEETINGS_DAYS, MEETINGS_DAYS).await?;
    let now = Timestamp::now();
    let (mut past, mut upcoming) = (Vec::new(), Vec::new());
    for m in list {
        let started = m.start.parse::<Timestamp>().is_ok_and(|s| s <= now);
        let row = MeetingRow {
            event: m.event,
            occurrence: m.occurrence.unwrap_or_default(),
            title: m.title,
            when: m.when,
            meeting: m.meeting,
            agenda_items: m.agenda_items,
            open_action_items: m.open_action_items,
        };
        if started {
            past.push(row);
        } else {
            upcoming.push(row);
        }
    }
    // The most recent first: what was just discussed is what is looked for.
    past.reverse();
    let page = MeetingsPage {
        layout: Layout::new(&state, &auth, "meetings", q.notice.as_deref()).await?,
        heading: if p.id == auth.person.id {
            "My meetings".into()
        } else {
            format!("{}'s meetings", p.name)
        },
        past,
        upcoming,
        days: MEETINGS_DAYS,
    };
    Ok(render_status(StatusCode::OK, &page))
}

/// Opens (or starts) the notes of an event or one occurrence of a series.
pub async fn open(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let event: EventId = parse_path_id(&trimmed(&f, "event"), "event")?;
    let occurrence = Some(trimmed(&f, "occurrence")).filter(|o| !o.is_empty());
    let m =
        meeting_ops::open_meeting(&state, &caller(&auth), auth.org(), event, occurrence.as_deref()).await?;
    Ok(Redirect::to(&format!("/meetings/{}", m.id)).into_response())
}

// ---------------------------------------------------------------------------
// A meeting's notes
// ---------------------------------------------------------------------------

pub struct FileRow {
    pub id: String,
    pub name: String,
    pub size: String,
}

pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub owner_name: Option<String>,
    pub minutes: String,
    pub notes: String,
    pub status: String,
    pub source: Option<String>,
    pub files: Vec<FileRow>,
    pub owners: Vec<Opt>,
    pub statuses: Vec<Opt>,
}

pub struct DecisionRow {
    pub id: String,
    pub text: String,
    pub item: Option<String>,
}

/// What was typed into the meeting page's forms, kept when one is refused.
#[derive(Default, Clone)]
pub struct MeetingTyped {
    pub minutes: Option<String>,
    pub item_title: String,
    pub item_owner: String,
    pub item_minutes: String,
    pub decision: String,
    pub decision_item: String,
    pub action_title: String,
    pub action_owner: String,
    pub action_due: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    layout: Layout,
    id: String,
    title: String,
    when: String,
    location: Option<String>,
    organiser: Option<String>,
    attendees: Vec<String>,
    event_href: String,
    previous: Option<String>,
    can_edit: bool,
    agenda: Vec<ItemRow>,
    agenda_minutes: u32,
    meeting_minutes: i64,
    over_time: bool,
    minutes: String,
    decisions: Vec<DecisionRow>,
    actions: Vec<TaskRow>,
    recap_markdown: String,
    recap_text: String,
    new_item_owners: Vec<Opt>,
    action_owners: Vec<Opt>,
    item_choices: Vec<Opt>,
    typed: MeetingTyped,
    /// What seeding the agenda added, in words.
    seeded: Option<String>,
    file_limit_mib: usize,
    errors: Vec<FieldError>,
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KiB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} bytes")
    }
}

async fn meeting_render(
    state: &AppState,
    auth: &AuthCtx,
    id: MeetingId,
    notice: Option<&str>,
    seeded: Option<usize>,
    typed: MeetingTyped,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let viewer = viewer_zone(auth);
    let v = meeting_ops::get_meeting(state, &c, org, id).await?;
    let recap = meeting_ops::recap(state, &c, org, id).await?;
    let people = crate::ops::list_people(state, &c, org).await?;
    let known: Vec<(String, String)> = v
        .organiser
        .iter()
        .chain(v.attendees.iter().filter_map(|a| a.person.as_ref()))
        .chain(v.agenda.iter().filter_map(|i| i.owner.as_ref()))
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let statuses: Vec<(&str, &str)> = ItemStatus::ALL.iter().map(|s| (s.as_str(), s.as_str())).collect();
    let agenda = v
        .agenda
        .iter()
        .map(|i| {
            let owner = i.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
            ItemRow {
                id: i.id.clone(),
                title: i.title.clone(),
                owner_name: i.owner.as_ref().map(|o| o.name.clone()),
                minutes: i.minutes.map(|m| m.to_string()).unwrap_or_default(),
                notes: i.notes.clone(),
                status: i.status.clone(),
                source: i.source.clone(),
                files: i
                    .materials
                    .iter()
                    .map(|m| FileRow {
                        id: m.id.clone(),
                        name: m.filename.clone(),
                        size: size_text(m.size),
                    })
                    .collect(),
                owners: people_opts(&people, std::slice::from_ref(&owner), &known, Some("No one")),
                statuses: opts(&statuses, &i.status),
            }
        })
        .collect();
    let item_title = |id: &str| v.agenda.iter().find(|i| i.id == id).map(|i| i.title.clone());
    let mut item_choices = vec![Opt {
        value: String::new(),
        label: "No particular item".into(),
        selected: typed.decision_item.is_empty(),
    }];
    item_choices.extend(v.agenda.iter().map(|i| Opt {
        value: i.id.clone(),
        label: i.title.clone(),
        selected: i.id == typed.decision_item,
    }));
    let page = MeetingPage {
        layout: Layout::new(state, auth, "meetings", notice).await?,
        id: id.to_string(),
        title: v.title.clone(),
        when: v.when.clone(),
        location: v.location.clone(),
        organiser: v.organiser.as_ref().map(|o| o.name.clone()),
        attendees: v
            .attendees
            .iter()
            .map(|a| {
                if a.rsvp == "declined" {
                    format!("{} (declined)", a.name)
                } else if a.required {
                    a.name.clone()
                } else {
                    format!("{} (optional)", a.name)
                }
            })
            .collect(),
        event_href: match &v.occurrence {
            Some(o) => format!("/events/{}?occurrence={}", v.event, super::url_encode(o)),
            None => format!("/events/{}", v.event),
        },
        previous: v.previous.clone(),
        can_edit: v.can_edit,
        agenda,
        agenda_minutes: v.agenda_minutes,
        meeting_minutes: v.meeting_minutes,
        over_time: i64::from(v.agenda_minutes) > v.meeting_minutes,
        minutes: typed.minutes.clone().unwrap_or_else(|| v.minutes.clone()),
        decisions: v
            .decisions
            .iter()
            .map(|d| DecisionRow {
                id: d.id.clone(),
                text: d.text.clone(),
                item: d.item.as_deref().and_then(item_title),
            })
            .collect(),
        actions: v
            .action_items
            .iter()
            .map(|t| task_row(t, false, &viewer))
            .collect(),
        recap_markdown: recap.markdown,
        recap_text: recap.text,
        new_item_owners: people_opts(
            &people,
            std::slice::from_ref(&typed.item_owner),
            &known,
            Some("No one"),
        ),
        action_owners: people_opts(
            &people,
            std::slice::from_ref(&typed.action_owner),
            &known,
            Some("Choose who takes it"),
        ),
        item_choices,
        typed,
        seeded: seeded.map(|n| match n {
            0 => "Nothing new to add: the agenda already holds what is open.".to_string(),
            1 => "1 item was added to the agenda.".to_string(),
            n => format!("{n} items were added to the agenda."),
        }),
        file_limit_mib: MAX_MATERIAL_BYTES / (1024 * 1024),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

#[derive(Deserialize, Default)]
pub struct MeetingQuery {
    #[serde(default)]
    notice: Option<String>,
    /// How many items seeding added (a number, so a link can say nothing else).
    #[serde(default)]
    added: Option<String>,
}

pub async fn meeting(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<MeetingQuery>,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    let seeded = named(&q.added).and_then(|a| a.parse::<usize>().ok());
    meeting_render(
        &state,
        &auth,
        id,
        q.notice.as_deref(),
        seeded,
        MeetingTyped::default(),
        vec![],
    )
    .await
}

/// After a form of the meeting page: back to it with a notice, or the page
/// again with what was typed and what is wrong.
async fn after(
    state: &AppState,
    auth: &AuthCtx,
    id: MeetingId,
    result: Result<(), ApiError>,
    notice: &str,
    typed: MeetingTyped,
) -> WebResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}?notice={notice}")).into_response()),
        Err(e) if is_user_error(&e) || e.status == StatusCode::PAYLOAD_TOO_LARGE => Ok(shown_at(
            meeting_render(state, auth, id, None, None, typed, validation_errors(&e)).await?,
            &format!("/meetings/{id}"),
        )),
        Err(e) => Err(WebError(e)),
    }
}

async fn refused(
    state: &AppState,
    auth: &AuthCtx,
    id: MeetingId,
    typed: MeetingTyped,
    errors: Vec<FieldError>,
) -> WebResult {
    Ok(shown_at(
        meeting_render(state, auth, id, None, None, typed, errors).await?,
        &format!("/meetings/{id}"),
    ))
}

/// The agenda as it stands, as the operations take it back.
fn agenda_input(v: &MeetingView) -> Vec<AgendaItemInput> {
    v.agenda
        .iter()
        .map(|i| AgendaItemInput {
            id: Some(i.id.clone()),
            title: i.title.clone(),
            owner: i.owner.as_ref().map(|o| o.id.clone()),
            minutes: i.minutes,
            notes: Some(i.notes.clone()),
            status: Some(i.status.clone()),
        })
        .collect()
}

fn decisions_input(v: &MeetingView) -> Vec<DecisionInput> {
    v.decisions
        .iter()
        .map(|d| DecisionInput {
            id: Some(d.id.clone()),
            text: d.text.clone(),
            item: d.item.clone(),
        })
        .collect()
}

/// A time-box as typed: empty for none.
fn timebox(s: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    match s.parse::<u32>() {
        Ok(m) => Some(m),
        Err(_) => {
            errors.push(one_error(
                "minutes",
                format!("`{s}` is not a whole number of minutes"),
            ));
            None
        }
    }
}

fn some(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// Reads the meeting, builds the change from what it holds now, saves it, and
/// answers as [`after`] does: the one path of every agenda and decision form.
async fn change_notes(
    state: &AppState,
    auth: &AuthCtx,
    id: MeetingId,
    notice: &'static str,
    typed: MeetingTyped,
    build: impl FnOnce(&MeetingView) -> Result<MeetingInput, WebError>,
) -> WebResult {
    let c = caller(auth);
    let v = meeting_ops::get_meeting(state, &c, auth.org(), id).await?;
    let input = build(&v)?;
    let r = meeting_ops::update_meeting(state, &c, auth.org(), id, &input).await;
    after(state, auth, id, r.map(|_| ()), notice, typed).await
}

fn agenda_change(agenda: Vec<AgendaItemInput>) -> MeetingInput {
    MeetingInput {
        agenda: Some(agenda),
        ..MeetingInput::default()
    }
}

fn decisions_change(decisions: Vec<DecisionInput>) -> MeetingInput {
    MeetingInput {
        decisions: Some(decisions),
        ..MeetingInput::default()
    }
}

pub async fn agenda_add(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    let f = form_pairs(&body);
    let typed = MeetingTyped {
        item_title: field(&f, "title").unwrap_or_default(),
        item_owner: trimmed(&f, "owner"),
        item_minutes: trimmed(&f, "minutes"),
        ..MeetingTyped::default()
    };
    let mut errors = Vec::new();
    let minutes = timebox(&typed.item_minutes, &mut errors);
    if !errors.is_empty() {
        return refused(&state, &auth, id, typed, errors).await;
    }
    let item = AgendaItemInput {
        id: None,
        title: typed.item_title.clone(),
        owner: some(typed.item_owner.clone()),
        minutes,
        notes: None,
        status: None,
    };
    change_notes(&state, &auth, id, "agenda-item-added", typed, |v| {
        let mut agenda = agenda_input(v);
        agenda.push(item);
        Ok(agenda_change(agenda))
    })
    .await
}

pub async fn agenda_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, item)): Path<(String, String)>,
    body: Bytes,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    let f = form_pairs(&body);
    let mut errors = Vec::new();
    let minutes = timebox(&trimmed(&f, "minutes"), &mut errors);
    if !errors.is_empty() {
        return refused(&state, &auth, id, MeetingTyped::default(), errors).await;
    }
    change_notes(
        &state,
        &auth,
        id,
        "agenda-item-saved",
        MeetingTyped::default(),
        |v| {
            let mut agenda = agenda_input(v);
            let Some(slot) = agenda.iter_mut().find(|i| i.id.as_deref() == Some(item.as_str())) else {
                return Err(WebError(ApiError::not_found("agenda item")));
            };
            slot.title = field(&f, "title").unwrap_or_default();
            slot.owner = some(trimmed(&f, "owner"));
            slot.minutes = minutes;
            slot.notes = Some(field(&f, "notes").unwrap_or_default());
            slot.status = some(trimmed(&f, "status"));
            Ok(agenda_change(agenda))
        },
    )
    .await
}

pub async fn agenda_remove(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, item)): Path<(String, String)>,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    change_notes(
        &state,
        &auth,
        id,
        "agenda-item-removed",
        MeetingTyped::default(),
        |v| {
            Ok(agenda_change(
                agenda_input(v)
                    .into_iter()
                    .filter(|i| i.id.as_deref() != Some(item.as_str()))
                    .collect(),
            ))
        },
    )
    .await
}

pub async fn seed(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    let (_, added) = meeting_ops::seed_agenda(&state, &caller(&auth), auth.org(), id).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?notice=agenda-seeded&added={added}")).into_response())
}

pub async fn minutes(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    let f = form_pairs(&body);
    let text = field(&f, "minutes").unwrap_or_default();
    let typed = MeetingTyped {
        minutes: Some(text.clone()),
        ..MeetingTyped::default()
    };
    let input = MeetingInput {
        minutes: Some(text),
        ..MeetingInput::default()
    };
    let r = meeting_ops::update_meeting(&state, &caller(&auth), auth.org(), id, &input).await;
    after(&state, &auth, id, r.map(|_| ()), "minutes-saved", typed).await
}

pub async fn decision_add(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    let f = form_pairs(&body);
    let typed = MeetingTyped {
        decision: field(&f, "text").unwrap_or_default(),
        decision_item: trimmed(&f, "item"),
        ..MeetingTyped::default()
    };
    if typed.decision.trim().is_empty() {
        let errors = vec![one_error("decision", "write what was decided")];
        return refused(&state, &auth, id, typed, errors).await;
    }
    let decision = DecisionInput {
        id: None,
        text: typed.decision.clone(),
        item: some(typed.decision_item.clone()),
    };
    change_notes(&state, &auth, id, "decision-added", typed, |v| {
        let mut decisions = decisions_input(v);
        decisions.push(decision);
        Ok(decisions_change(decisions))
    })
    .await
}

pub async fn decision_remove(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, decision)): Path<(String, String)>,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    change_notes(
        &state,
        &auth,
        id,
        "decision-removed",
        MeetingTyped::default(),
        |v| {
            Ok(decisions_change(
                decisions_input(v)
                    .into_iter()
                    .filter(|d| d.id.as_deref() != Some(decision.as_str()))
                    .collect(),
            ))
        },
    )
    .await
}

pub async fn actions_add(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    let f = form_pairs(&body);
    let typed = MeetingTyped {
        action_title: field(&f, "title").unwrap_or_default(),
        action_owner: trimmed(&f, "owner"),
        action_due: trimmed(&f, "due"),
        ..MeetingTyped::default()
    };
    if typed.action_owner.is_empty() {
        let errors = vec![one_error("owner", "choose who takes the action item")];
        return refused(&state, &auth, id, typed, errors).await;
    }
    let action = ActionInput {
        title: typed.action_title.clone(),
        owner: typed.action_owner.clone(),
        due: some(typed.action_due.clone()),
        notes: None,
        estimate_minutes: None,
        impact: None,
    };
    let r = meeting_ops::add_actions(&state, &caller(&auth), auth.org(), id, &[action])
        .await
        .map(|_| ())
        .map_err(|mut e| {
            // One action item at a time: its fields are the form's.
            for f in &mut e.errors {
                if let Some(rest) = f.field.strip_prefix("actions[0].") {
                    f.field = rest.to_string();
                }
            }
            e
        });
    after(&state, &auth, id, r, "actions-added", typed).await
}

fn too_big() -> FieldError {
    one_error(
        "file",
        format!(
            "could not be read; files up to {} MiB may be attached",
            MAX_MATERIAL_BYTES / (1024 * 1024)
        ),
    )
}

/// Reads an upload form: its text fields, and the file of the field `file`.
/// A form too large to read, or one without a file, is an error naming `file`.
pub(super) async fn read_upload(
    multipart: &mut Multipart,
) -> Result<(Vec<(String, String)>, (String, Vec<u8>)), FieldError> {
    let mut fields = Vec::new();
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                let filename = f.file_name().unwrap_or("").to_string();
                let bytes = f.bytes().await.map_err(|_| too_big())?;
                if name == "file" {
                    file = Some((filename, bytes.to_vec()));
                } else {
                    fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
            Ok(None) => break,
            Err(_) => return Err(too_big()),
        }
    }
    let file = file.ok_or_else(|| one_error("file", "choose a file to attach"))?;
    Ok((fields, file))
}

pub async fn material_upload(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult {
    let id: MeetingId = parse_path_id(&id, "meeting")?;
    let (fields, file) = match read_upload(&mut multipart).await {
        Ok(u) => u,
        Err(e) => return refused(&state, &auth, id, MeetingTyped::default(), vec![e]).await,
    };
    let item = fields
        .iter()
        .find(|(k, _)| k == "item")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let (filename, bytes) = file;
    let r =
        meeting_ops::upload_material(&state, &caller(&auth), auth.org(), id, &item, &filename, &bytes).await;
    after(
        &state,
        &auth,
        id,
        r.map(|_| ()),
        "file-attached",
        MeetingTyped::default(),
    )
    .await
}

pub async fn material_download(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let fid: MaterialId = parse_path_id(&id, "file")?;
    let (rec, bytes) = meeting_ops::download_material(&state, &caller(&auth), auth.org(), fid).await?;
    Ok(crate::api::meetings::file_response(
        &rec.content_type,
        &rec.filename,
        bytes,
    ))
}

pub async fn material_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let fid: MaterialId = parse_path_id(&id, "file")?;
    let rec = meeting_ops::delete_material(&state, &caller(&auth), auth.org(), fid).await?;
    Ok(Redirect::to(&format!("/meetings/{}?notice=file-deleted", rec.meeting)).into_response())
}

// ---------------------------------------------------------------------------
// Duties: the responsibility grid
// ---------------------------------------------------------------------------

/// Cadences offered in the form; any other RRULE may be typed.
const CADENCES: &[(&str, &str)] = &[
    ("FREQ=WEEKLY;BYDAY=MO", "Weekly on Monday"),
    ("FREQ=WEEKLY;BYDAY=TU", "Weekly on Tuesday"),
    ("FREQ=WEEKLY;BYDAY=WE", "Weekly on Wednesday"),
    ("FREQ=WEEKLY;BYDAY=TH", "Weekly on Thursday"),
    ("FREQ=WEEKLY;BYDAY=FR", "Weekly on Friday"),
    ("FREQ=MONTHLY", "Monthly, on the first due date's day"),
    ("FREQ=MONTHLY;BYMONTHDAY=1", "Monthly on the 1st"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on the 15th"),
    ("FREQ=MONTHLY;BYMONTHDAY=25", "Monthly on the 25th"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "Monthly on the last day"),
    ("FREQ=MONTHLY;INTERVAL=3", "Quarterly, from the first due date"),
    ("FREQ=YEARLY", "Yearly, on the first due date"),
];

/// A duty's form as typed.
#[derive(Debug, Clone, Default)]
pub struct DutyForm {
    pub title: String,
    pub description: String,
    pub area: String,
    pub owner: String,
    pub backup: String,
    pub cadence_choice: String,
    pub cadence_rule: String,
    pub anchor: String,
    pub estimate: String,
}

impl DutyForm {
    fn from_pairs(f: &[(String, String)]) -> DutyForm {
        DutyForm {
            title: field(f, "title").unwrap_or_default(),
            description: field(f, "description").unwrap_or_default(),
            area: field(f, "area").unwrap_or_default(),
            owner: trimmed(f, "owner"),
            backup: trimmed(f, "backup"),
            cadence_choice: trimmed(f, "cadence_choice"),
            cadence_rule: trimmed(f, "cadence_rule"),
            anchor: trimmed(f, "anchor"),
            estimate: trimmed(f, "estimate_minutes"),
        }
    }

    fn of(d: &DutyView) -> DutyForm {
        let listed = CADENCES.iter().any(|(r, _)| *r == d.cadence);
        DutyForm {
            title: d.title.clone(),
            description: d.description.clone(),
            area: d.area.clone(),
            owner: d.owner.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            backup: d.backup.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            cadence_choice: if listed { d.cadence.clone() } else { String::new() },
            cadence_rule: if listed { String::new() } else { d.cadence.clone() },
            anchor: d.anchor.clone(),
            estimate: d.estimate_minutes.to_string(),
        }
    }

    /// The duty as the operations take it; the typed rule wins over the menu.
    fn input(&self) -> Result<DutyInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let estimate_minutes = match self.estimate.parse::<u32>() {
            Ok(m) => m,
            Err(_) if self.estimate.is_empty() => {
                errors.push(one_error(
                    "estimate_minutes",
                    "give the minutes one occurrence takes",
                ));
                0
            }
            Err(_) => {
                errors.push(one_error(
                    "estimate_minutes",
                    format!("`{}` is not a whole number of minutes", self.estimate),
                ));
                0
            }
        };
        let cadence = if self.cadence_rule.is_empty() {
            self.cadence_choice.clone()
        } else {
            self.cadence_rule.clone()
        };
        if cadence.is_empty() {
            errors.push(one_error("cadence", "choose how often, or type a rule"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(DutyInput {
            title: self.title.clone(),
            description: Some(self.description.clone()),
            area: Some(self.area.clone()),
            owner: some(self.owner.clone()),
            backup: some(self.backup.clone()),
            cadence,
            anchor: self.anchor.clone(),
            estimate_minutes,
        })
    }
}

pub struct CoverRow {
    pub text: String,
    pub problem: bool,
}

pub struct DutyRow {
    pub id: String,
    pub title: String,
    pub area: String,
    pub owner: Option<String>,
    pub backup: Option<String>,
    pub cadence: String,
    pub rule: String,
    pub next_due: Option<String>,
    pub next_doer: Option<String>,
    pub overdue_since: Option<String>,
    pub cover: Vec<CoverRow>,
    pub problem: bool,
    pub last_done: Option<String>,
    pub estimate: String,
    pub can_done: bool,
}

fn duty_row(d: &DutyView, can_done: bool) -> DutyRow {
    DutyRow {
        id: d.id.clone(),
        title: d.title.clone(),
        area: d.area.clone(),
        owner: d.owner.as_ref().map(|p| p.name.clone()),
        backup: d.backup.as_ref().map(|p| p.name.clone()),
        cadence: d.cadence_label.clone(),
        rule: d.cadence.clone(),
        next_due: d.next_due.clone(),
        next_doer: d.next_doer.as_ref().map(|p| p.name.clone()),
        overdue_since: d.overdue_since.clone(),
        cover: d
            .cover
            .iter()
            .map(|c| CoverRow {
                text: c.text.clone(),
                problem: c.problem,
            })
            .collect(),
        problem: d.problem,
        last_done: d.last_done.as_ref().map(|c| match &c.done_by {
            Some(p) => format!("{} by {}", c.due_on, p.name),
            None => c.due_on.clone(),
        }),
        estimate: duration_label(i64::from(d.estimate_minutes)),
        can_done,
    }
}

pub struct LoadRow {
    pub name: String,
    pub label: String,
    pub minutes: String,
    pub bar: u32,
}

#[derive(Template)]
#[template(path = "duties.html")]
struct DutiesPage {
    layout: Layout,
    from: String,
    to: String,
    weeks: i64,
    problems: usize,
    duties: Vec<DutyRow>,
    loads: Vec<LoadRow>,
    can_manage: bool,
    form: DutyForm,
    owners: Vec<Opt>,
    backups: Vec<Opt>,
    cadences: Vec<Opt>,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
pub struct DutiesQuery {
    #[serde(default)]
    weeks: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

/// Whether a duty's "Done" may be offered: the operations decide from its owner and backup.
fn done_allowed(auth: &AuthCtx, d: &DutyView) -> bool {
    let id = |p: &Option<task_ops::PersonRef>| p.as_ref().and_then(|p| p.id.parse::<PersonId>().ok());
    duty_ops::may_mark_done(&caller(auth), auth.org(), id(&d.owner), id(&d.backup))
}

struct PersonChoices {
    owners: Vec<Opt>,
    backups: Vec<Opt>,
}

/// Owner and backup choices; `known` keeps people already chosen who are no
/// longer listed (a person who left), so saving the form does not drop them.
async fn person_choices(
    state: &AppState,
    auth: &AuthCtx,
    form: &DutyForm,
    known: &[(String, String)],
) -> Result<PersonChoices, WebError> {
    let people = crate::ops::list_people(state, &caller(auth), auth.org()).await?;
    Ok(PersonChoices {
        owners: people_opts(
            &people,
            std::slice::from_ref(&form.owner),
            known,
            Some("No one yet"),
        ),
        backups: people_opts(
            &people,
            std::slice::from_ref(&form.backup),
            known,
            Some("No backup"),
        ),
    })
}

fn cadence_opts(current: &str) -> Vec<Opt> {
    let mut list = vec![("", "Other: the rule typed below")];
    list.extend_from_slice(CADENCES);
    opts(&list, current)
}

async fn duties_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &DutiesQuery,
    typed: Option<DutyForm>,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let weeks = match named(&q.weeks) {
        Some(w) => match w.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(one_error(
                    "weeks",
                    format!("`{w}` is not a whole number of weeks"),
                ));
                None
            }
        },
        None => None,
    };
    let grid = match duty_ops::grid(state, &c, org, weeks).await {
        Ok(g) => g,
        Err(e) if is_user_error(&e) && weeks.is_some() => {
            errors.extend(validation_errors(&e));
            duty_ops::grid(state, &c, org, None).await?
        }
        Err(e) => return Err(WebError(e)),
    };
    let duties = grid
        .duties
        .iter()
        .map(|d| duty_row(d, done_allowed(auth, d)))
        .collect();
    let most = grid.loads.iter().map(|l| l.minutes).max().unwrap_or(0).max(1);
    let loads = grid
        .loads
        .iter()
        .map(|l| LoadRow {
            name: l.person.name.clone(),
            label: l.label.clone(),
            minutes: duration_label(l.minutes),
            bar: bar(u32::try_from(l.minutes.max(0) * 100 / most).unwrap_or(100)),
        })
        .collect();
    let form = typed.unwrap_or_else(|| DutyForm {
        anchor: viewer_zone(auth).local(Timestamp::now()).date().to_string(),
        cadence_choice: "FREQ=WEEKLY;BYDAY=MO".into(),
        estimate: "30".into(),
        ..DutyForm::default()
    });
    let choices = person_choices(state, auth, &form, &[]).await?;
    let weeks_shown = weeks.filter(|_| errors.is_empty()).unwrap_or(4);
    let page = DutiesPage {
        layout: Layout::new(state, auth, "duties", q.notice.as_deref()).await?,
        from: grid.from.clone(),
        to: grid.to.clone(),
        weeks: weeks_shown,
        problems: grid.problems,
        duties,
        loads,
        can_manage: c.may(org, Capability::ManageDuties).is_ok(),
        cadences: cadence_opts(&form.cadence_choice),
        owners: choices.owners,
        backups: choices.backups,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn duties(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<DutiesQuery>,
) -> WebResult {
    duties_render(&state, &auth, &q, None, vec![]).await
}

pub async fn duty_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let form = DutyForm::from_pairs(&form_pairs(&body));
    let q = DutiesQuery::default();
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return duties_render(&state, &auth, &q, Some(form), errors).await,
    };
    match duty_ops::create_duty(&state, &caller(&auth), auth.org(), &input).await {
        Ok(_) => Ok(Redirect::to("/duties?notice=duty-added").into_response()),
        Err(e) if is_user_error(&e) => {
            duties_render(&state, &auth, &q, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub struct HistoryRow {
    pub due_on: String,
    pub done_at: String,
    pub done_by: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "duty.html")]
struct DutyPage {
    layout: Layout,
    duty: DutyRow,
    description: String,
    can_manage: bool,
    form: DutyForm,
    owners: Vec<Opt>,
    backups: Vec<Opt>,
    cadences: Vec<Opt>,
    history: Vec<HistoryRow>,
    done_due_on: String,
    done_note: String,
    errors: Vec<FieldError>,
}

async fn duty_render(
    state: &AppState,
    auth: &AuthCtx,
    id: DutyId,
    notice: Option<&str>,
    typed: Option<DutyForm>,
    done_typed: Option<(String, String)>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let viewer = viewer_zone(auth);
    let (_, history) = duty_ops::get_duty(state, &c, org, id).await?;
    // The grid holds what a duty's own record does not: next due, who does it, cover.
    let grid = duty_ops::grid(state, &c, org, None).await?;
    let view = grid
        .duties
        .iter()
        .find(|d| d.id == id.to_string())
        .ok_or_else(|| ApiError::not_found("duty"))?;
    let names = task_ops::Names::load(state, org).await?;
    let form = typed.unwrap_or_else(|| DutyForm::of(view));
    let known: Vec<(String, String)> = view
        .owner
        .iter()
        .chain(view.backup.iter())
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let choices = person_choices(state, auth, &form, &known).await?;
    let (done_due_on, done_note) = done_typed.unwrap_or_default();
    let page = DutyPage {
        layout: Layout::new(state, auth, "duties", notice).await?,
        duty: duty_row(view, done_allowed(auth, view)),
        description: view.description.clone(),
        can_manage: c.may(org, Capability::ManageDuties).is_ok(),
        cadences: cadence_opts(&form.cadence_choice),
        owners: choices.owners,
        backups: choices.backups,
        form,
        history: history
            .iter()
            .map(|h| HistoryRow {
                due_on: h.due_on.to_string(),
                done_at: when_text(h.done_at, &viewer),
                done_by: h.done_by.map(|p| names.get(p)).unwrap_or_default(),
                note: h.note.clone(),
            })
            .collect(),
        done_due_on,
        done_note,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn duty_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<DutiesQuery>,
) -> WebResult {
    let id: DutyId = parse_path_id(&id, "duty")?;
    duty_render(&state, &auth, id, q.notice.as_deref(), None, None, vec![]).await
}

pub async fn duty_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: DutyId = parse_path_id(&id, "duty")?;
    let form = DutyForm::from_pairs(&form_pairs(&body));
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return duty_render(&state, &auth, id, None, Some(form), None, errors).await,
    };
    match duty_ops::update_duty(&state, &caller(&auth), auth.org(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/duties/{id}?notice=duty-saved")).into_response()),
        Err(e) if is_user_error(&e) => {
            duty_render(&state, &auth, id, None, Some(form), None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn duty_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: DutyId = parse_path_id(&id, "duty")?;
    duty_ops::delete_duty(&state, &caller(&auth), auth.org(), id).await?;
    Ok(Redirect::to("/duties?notice=duty-deleted").into_response())
}

pub async fn duty_done(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: DutyId = parse_path_id(&id, "duty")?;
    let f = form_pairs(&body);
    let from_page = trimmed(&f, "back") == "duty";
    let due_on = trimmed(&f, "due_on");
    let note = field(&f, "note").unwrap_or_default();
    let input = DutyDoneInput {
        due_on: some(due_on.clone()),
        note: some(note.clone()),
    };
    match duty_ops::complete_duty(&state, &caller(&auth), auth.org(), id, &input).await {
        Ok(_) if from_page => Ok(Redirect::to(&format!("/duties/{id}?notice=duty-done")).into_response()),
        Ok(_) => Ok(Redirect::to("/duties?notice=duty-done").into_response()),
        Err(e) if is_user_error(&e) && from_page => Ok(shown_at(
            duty_render(
                &state,
                &auth,
                id,
                None,
                None,
                Some((due_on, note)),
                validation_errors(&e),
            )
            .await?,
            &format!("/duties/{id}"),
        )),
        Err(e) if is_user_error(&e) => Ok(shown_at(
            duties_render(
                &state,
                &auth,
                &DutiesQuery::default(),
                None,
                validation_errors(&e),
            )
            .await?,
            "/duties",
        )),
        Err(e) => Err(WebError(e)),
    }
}
