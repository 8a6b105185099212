//! Task pages: the task list with quick add and keyboard shortcuts, a task's
//! own page, the urgent × important matrix (drag and drop, with a form per
//! card for browsers without scripts), commitments, goals and their
//! alignment, and the auto-planner's dry run, apply and undo.
//!
//! Every page is about a subject person: whom the signed-in person acts for,
//! else themselves, or another person named by `?person=` (an id or an
//! e-mail address). Handlers parse forms, call `ops::tasks` and
//! `ops::planning` (which authorise and hold the rules), and render.

use super::calendar::{Opt, all_of, city, date_long, one_error, opts, parse_path_id, span_text, trimmed};
use super::calendar::{viewer_zone, when_text};
use super::pages::{caller, field, form_pairs, is_user_error, validation_errors};
use super::{Layout, WebError, WebResult, render_status, url_encode};
use crate::app::AppState;
use crate::auth::{AuthCtx, Caller, WebAuth};
use crate::error::ApiError;
use crate::ops::planning::{self, BlockView, PlanOptions, PlanView};
use crate::ops::tasks::{
    self as task_ops, GoalInput, GoalView, Names, QuickAddInput, TaskPatch, TaskQuery, TaskView,
};
use adjutant_core::FieldError;
use adjutant_core::calendar::Zone;
use adjutant_core::ids::{GoalId, PlanId, TaskId};
use adjutant_core::policy::{Access, Visibility};
use adjutant_core::tasks::goal::GoalStatus;
use adjutant_core::tasks::task::{Due, Quadrant, TaskStatus, duration_label};
use adjutant_store::Person;
use adjutant_store::tasks::TaskRecord;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use bytes::Bytes;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------
// Shared pieces (also used by the meeting and duty pages)
// ---------------------------------------------------------------------------

pub(super) fn status_for(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A query or form value, trimmed; `None` when empty.
pub(super) fn named(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `path?person=…&notice=…`, leaving out what is empty.
pub(super) fn href(path: &str, params: &[(&str, &str)]) -> String {
    let q: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", q.join("&"))
    }
}

/// A page rendered in answer to a form posted to another address: htmx shows
/// the page's own address, so reloading it asks for the page, not the form target.
pub(super) fn shown_at(mut res: Response, url: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(url) {
        res.headers_mut().insert("hx-push-url", v);
    }
    res
}

/// Options for choosing a person: everyone active the caller may see, plus
/// those already chosen (named from `known`), with "nobody" first when given.
pub(super) fn people_opts(
    people: &[Person],
    chosen: &[String],
    known: &[(String, String)],
    nobody: Option<&str>,
) -> Vec<Opt> {
    let mut out = Vec::new();
    if let Some(n) = nobody {
        out.push(Opt {
            value: String::new(),
            label: n.to_string(),
            selected: chosen.iter().all(String::is_empty),
        });
    }
    let mut listed: BTreeSet<String> = BTreeSet::new();
    for p in people.iter().filter(|p| !p.disabled) {
        let id = p.id.to_string();
        out.push(Opt {
            selected: chosen.contains(&id),
            label: p.name.clone(),
            value: id.clone(),
        });
        listed.insert(id);
    }
    for (id, name) in known {
        if !id.is_empty() && listed.insert(id.clone()) {
            out.push(Opt {
                value: id.clone(),
                label: name.clone(),
                selected: chosen.contains(id),
            });
        }
    }
    out
}

/// A bar's length in percent of its track, kept inside it.
pub(super) fn bar(percent: u32) -> u32 {
    percent.min(100)
}

/// `2026-12-03 15:00`, with the city when the due zone is not the viewer's.
fn due_text(d: &Due, viewer: &Zone) -> String {
    if d.zone.name() == viewer.name() {
        d.label()
    } else {
        format!("{} ({})", d.label(), city(d.zone.name()))
    }
}

fn quadrant_of(key: &str) -> Quadrant {
    key.parse::<Quadrant>().unwrap_or(Quadrant::Drop)
}

fn quadrant_hint(q: Quadrant) -> &'static str {
    match q {
        Quadrant::DoNow => "Urgent and important.",
        Quadrant::Schedule => "Important, not urgent: put it on the calendar.",
        Quadrant::Delegate => "Urgent, not important: someone else should do it.",
        Quadrant::Drop => "Neither: consider dropping it.",
    }
}

fn status_label(s: &str) -> &'static str {
    match s {
        "open" => "open",
        "in_progress" => "in progress",
        "waiting" => "waiting",
        "done" => "done",
        "dropped" => "dropped",
        _ => "unknown",
    }
}

/// One task in a list or on the matrix.
pub struct TaskRow {
    pub id: String,
    pub title: String,
    pub redacted: bool,
    pub owner: String,
    pub delegate: Option<String>,
    pub due: Option<String>,
    pub overdue: bool,
    pub estimate: Option<String>,
    pub quadrant: &'static str,
    pub quadrant_label: &'static str,
    pub tags: Vec<String>,
    pub status: &'static str,
    pub open: bool,
    pub needs_decision: bool,
    pub can_edit: bool,
}

pub(super) fn task_row(v: &TaskView, can_edit: bool, viewer: &Zone) -> TaskRow {
    let q = quadrant_of(&v.quadrant);
    TaskRow {
        id: v.id.clone(),
        title: v.title.clone(),
        redacted: v.redacted,
        owner: v.owner.name.clone(),
        delegate: v.delegated_to.as_ref().map(|p| p.name.clone()),
        due: v.due.as_ref().map(|d| due_text(d, viewer)),
        overdue: v.overdue,
        estimate: v.estimate_minutes.map(|m| duration_label(i64::from(m))),
        quadrant: q.as_str(),
        quadrant_label: q.label(),
        tags: v.tags.clone(),
        status: status_label(&v.status),
        open: v.status.parse::<TaskStatus>().is_ok_and(|s| s.is_open()),
        needs_decision: v.needs_decision,
        can_edit: can_edit && !v.redacted,
    }
}

/// The ids of the tasks among `records` the caller may change.
fn writable_ids(c: &Caller, org: adjutant_core::ids::OrgId, records: &[TaskRecord]) -> BTreeSet<String> {
    records
        .iter()
        .filter(|t| task_ops::task_access(c, org, &t.data, Access::Write).is_ok())
        .map(|t| t.id.to_string())
        .collect()
}

fn whose(p: &Person, auth: &AuthCtx, mine: &str, theirs: &str) -> String {
    if p.id == auth.person.id {
        mine.to_string()
    } else {
        format!("{}{theirs}", p.name)
    }
}

/// A goal's alignment: its share of planned time beside its share of open tasks.
pub struct GoalRow {
    pub title: String,
    pub planned_percent: u32,
    pub planned_bar: u32,
    pub planned_label: String,
    pub task_percent: u32,
    pub task_bar: u32,
    pub open_tasks: usize,
    pub underplanned: bool,
}

fn goal_row(g: &GoalView) -> GoalRow {
    GoalRow {
        title: g.title.clone(),
        planned_percent: g.planned_percent,
        planned_bar: bar(g.planned_percent),
        planned_label: duration_label(g.planned_minutes),
        task_percent: g.task_percent,
        task_bar: bar(g.task_percent),
        open_tasks: g.open_tasks,
        underplanned: g.underplanned,
    }
}

// ---------------------------------------------------------------------------
// The task list and quick add
// ---------------------------------------------------------------------------

/// The list's filters, carried through the forms on it so an action returns to the same list.
#[derive(Deserialize, Default, Clone)]
pub struct TasksQuery {
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    goal: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

impl TasksQuery {
    fn from_pairs(f: &[(String, String)]) -> TasksQuery {
        let some = |k: &str| Some(trimmed(f, k)).filter(|s| !s.is_empty());
        TasksQuery {
            person: some("person"),
            status: some("status"),
            tag: some("tag"),
            goal: some("goal"),
            notice: None,
        }
    }

    fn href(&self, notice: &str) -> String {
        href(
            "/tasks",
            &[
                ("person", named(&self.person).unwrap_or("")),
                ("status", named(&self.status).unwrap_or("")),
                ("tag", named(&self.tag).unwrap_or("")),
                ("goal", named(&self.goal).unwrap_or("")),
                ("notice", notice),
            ],
        )
    }
}

/// What quick add made, with the parts it did not understand.
pub struct Added {
    pub id: String,
    pub title: String,
    pub parts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    layout: Layout,
    heading: String,
    person: String,
    /// `&person=…` for links that keep the person, or nothing.
    person_q: String,
    status: String,
    tag: String,
    goal: String,
    statuses: Vec<Opt>,
    goals: Vec<Opt>,
    rows: Vec<TaskRow>,
    /// Whether the caller may add tasks for this person.
    may_add: bool,
    quick_text: String,
    added: Option<Added>,
    errors: Vec<FieldError>,
}

const LIST_STATUSES: [(&str, &str); 4] = [
    ("open", "Open"),
    ("done", "Done"),
    ("dropped", "Dropped"),
    ("all", "All"),
];

async fn tasks_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &TasksQuery,
    added: Option<Added>,
    quick_text: String,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let viewer = viewer_zone(auth);
    let mut status = named(&q.status).unwrap_or("open").to_string();
    if !LIST_STATUSES.iter().any(|(k, _)| *k == status) {
        errors.push(one_error(
            "status",
            format!("`{status}` is not open, done, dropped or all"),
        ));
        status = "open".into();
    }
    let mut goal = named(&q.goal).unwrap_or("").to_string();
    if !goal.is_empty() && goal.parse::<GoalId>().is_err() {
        errors.push(one_error("goal", format!("`{goal}` is not a goal id")));
        goal.clear();
    }
    let query = TaskQuery {
        person: named(&q.person).map(str::to_string),
        status: Some(status.clone()),
        goal: (!goal.is_empty()).then(|| goal.clone()),
        tag: named(&q.tag).map(str::to_string),
        ..TaskQuery::default()
    };
    let (person, records) = task_ops::list_tasks(state, &c, org, &query).await?;
    let names = Names::load(state, org).await?;
    let now = Timestamp::now();
    let writable = writable_ids(&c, org, &records);
    let rows = records
        .iter()
        .filter_map(|t| task_ops::view(&c, org, t, &names, now))
        .map(|v| {
            let w = writable.contains(&v.id);
            task_row(&v, w, &viewer)
        })
        .collect();
    let goals = task_ops::goals_of(state, org, person.id).await?;
    let mut goal_opts = vec![Opt {
        value: String::new(),
        label: "Any goal".into(),
        selected: goal.is_empty(),
    }];
    goal_opts.extend(goals.iter().map(|g| Opt {
        value: g.id.to_string(),
        label: g.data.title.clone(),
        selected: g.id.to_string() == goal,
    }));
    let page = TasksPage {
        layout: Layout::new(state, auth, "tasks", q.notice.as_deref()).await?,
        heading: whose(&person, auth, "My tasks", "'s tasks"),
        person: named(&q.person).unwrap_or("").to_string(),
        person_q: named(&q.person)
            .map(|p| format!("&person={}", url_encode(p)))
            .unwrap_or_default(),
        statuses: opts(&LIST_STATUSES, &status),
        status,
        tag: named(&q.tag).unwrap_or("").to_string(),
        goal,
        goals: goal_opts,
        rows,
        may_add: task_ops::may_add_for(&c, org, person.id),
        quick_text,
        added,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn tasks(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<TasksQuery>,
) -> WebResult {
    tasks_render(&state, &auth, &q, None, String::new(), vec![]).await
}

/// Quick add: one line becomes a task. When part of the line was not
/// understood the list is shown at once with those parts, so the person can
/// fix the task; otherwise the list is shown again with a notice.
pub async fn quick_add(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let list = TasksQuery::from_pairs(&f);
    let text = field(&f, "text").unwrap_or_default();
    let input = QuickAddInput {
        text: text.clone(),
        owner: list.person.clone(),
    };
    match task_ops::quick_add(&state, &caller(&auth), auth.org(), &input).await {
        Ok((_, missed)) if missed.is_empty() => Ok(Redirect::to(&list.href("task-added")).into_response()),
        Ok((t, missed)) => {
            let added = Added {
                id: t.id.to_string(),
                title: t.data.title.clone(),
                parts: missed.into_iter().map(|m| (m.text, m.message)).collect(),
            };
            tasks_render(&state, &auth, &list, Some(added), String::new(), vec![]).await
        }
        Err(e) if is_user_error(&e) => {
            tasks_render(&state, &auth, &list, None, text, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// A task's page
// ---------------------------------------------------------------------------

/// The task form as typed.
#[derive(Debug, Clone, Default)]
pub struct TaskForm {
    pub title: String,
    pub notes: String,
    pub owner: String,
    pub delegated_to: String,
    pub start: String,
    pub due_date: String,
    pub due_time: String,
    pub estimate: String,
    pub impact: String,
    pub urgency: String,
    pub goal: String,
    pub project: String,
    pub tags: String,
    pub status: String,
    pub depends_on: Vec<String>,
    pub repeat: String,
    pub visibility: String,
    pub shared_with: Vec<String>,
    pub needs_decision: bool,
}

impl TaskForm {
    fn of(v: &TaskView) -> TaskForm {
        TaskForm {
            title: v.title.clone(),
            notes: v.notes.clone(),
            owner: v.owner.id.clone(),
            delegated_to: v.delegated_to.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            start: v.start.clone().unwrap_or_default(),
            due_date: v.due.as_ref().map(|d| d.date.to_string()).unwrap_or_default(),
            due_time: v
                .due
                .as_ref()
                .and_then(|d| d.time)
                .map(|t| t.strftime("%H:%M").to_string())
                .unwrap_or_default(),
            estimate: v.estimate_minutes.map(|m| m.to_string()).unwrap_or_default(),
            impact: v.impact.to_string(),
            urgency: v.urgency.map(|u| u.to_string()).unwrap_or_default(),
            goal: v.goal.clone().unwrap_or_default(),
            project: v.project.clone().unwrap_or_default(),
            tags: v.tags.join(", "),
            status: v.status.clone(),
            depends_on: v.depends_on.clone(),
            repeat: v.repeat.clone().unwrap_or_default(),
            visibility: v.visibility.clone(),
            shared_with: v.shared_with.iter().map(|p| p.id.clone()).collect(),
            needs_decision: v.needs_decision,
        }
    }

    fn from_pairs(f: &[(String, String)]) -> TaskForm {
        TaskForm {
            title: field(f, "title").unwrap_or_default(),
            notes: field(f, "notes").unwrap_or_default(),
            owner: trimmed(f, "owner"),
            delegated_to: trimmed(f, "delegated_to"),
            start: trimmed(f, "start"),
            due_date: trimmed(f, "due_date"),
            due_time: trimmed(f, "due_time"),
            estimate: trimmed(f, "estimate_minutes"),
            impact: trimmed(f, "impact"),
            urgency: trimmed(f, "urgency"),
            goal: trimmed(f, "goal"),
            project: field(f, "project").unwrap_or_default(),
            tags: field(f, "tags").unwrap_or_default(),
            status: trimmed(f, "status"),
            depends_on: all_of(f, "depends_on")
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect(),
            repeat: trimmed(f, "repeat"),
            visibility: trimmed(f, "visibility"),
            shared_with: all_of(f, "shared_with")
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect(),
            needs_decision: field(f, "needs_decision").is_some(),
        }
    }

    /// The change the form asks for. An empty field clears what it holds; who
    /// owns, does and sees the task is sent only by those who manage it.
    fn patch(&self, manages: bool) -> Result<TaskPatch, Vec<FieldError>> {
        let mut errors = Vec::new();
        let estimate = if self.estimate.is_empty() {
            // The operations read 0 as "no estimate".
            Some(0)
        } else {
            match self.estimate.parse::<u32>() {
                Ok(0) => {
                    errors.push(one_error(
                        "estimate_minutes",
                        "must be at least 1 minute; leave it empty for no estimate",
                    ));
                    None
                }
                Ok(m) => Some(m),
                Err(_) => {
                    errors.push(one_error(
                        "estimate_minutes",
                        format!("`{}` is not a whole number of minutes", self.estimate),
                    ));
                    None
                }
            }
        };
        let due = match (self.due_date.is_empty(), self.due_time.is_empty()) {
            (true, true) => String::new(),
            (true, false) => {
                errors.push(one_error("due", "give the day as well as the time"));
                String::new()
            }
            (false, true) => self.due_date.clone(),
            (false, false) => format!("{}T{}", self.due_date, self.due_time),
        };
        let impact = match self.impact.parse::<u8>() {
            Ok(i) => Some(i),
            Err(_) => {
                errors.push(one_error("impact", "choose 1 to 5"));
                None
            }
        };
        let urgency = if self.urgency.is_empty() {
            // 0: derived from the due date again.
            Some(0)
        } else {
            match self.urgency.parse::<u8>() {
                Ok(u) => Some(u),
                Err(_) => {
                    errors.push(one_error("urgency", "choose 1 to 5, or leave it to the due date"));
                    None
                }
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let tags = self
            .tags
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        Ok(TaskPatch {
            title: Some(self.title.clone()),
            notes: Some(self.notes.clone()),
            owner: manages.then(|| self.owner.clone()).filter(|o| !o.is_empty()),
            delegated_to: manages.then(|| self.delegated_to.clone()),
            start: Some(self.start.clone()),
            due: Some(due),
            estimate_minutes: estimate,
            impact,
            urgency,
            goal: Some(self.goal.clone()),
            project: Some(self.project.clone()),
            tags: Some(tags),
            status: Some(self.status.clone()),
            depends_on: Some(self.depends_on.clone()),
            repeat: Some(self.repeat.clone()),
            visibility: manages.then(|| self.visibility.clone()),
            shared_with: manages.then(|| self.shared_with.clone()),
            needs_decision: Some(self.needs_decision),
            for_event: None,
        })
    }
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    layout: Layout,
    id: String,
    heading: String,
    redacted: bool,
    can_edit: bool,
    manages: bool,
    owner_name: String,
    owner_zone: String,
    quadrant_label: &'static str,
    status_text: &'static str,
    overdue: bool,
    created: String,
    updated: String,
    completed: Option<String>,
    meeting: Option<(String, String)>,
    event_href: Option<String>,
    back_person: String,
    form: TaskForm,
    owners: Vec<Opt>,
    delegates: Vec<Opt>,
    sharers: Vec<Opt>,
    goals: Vec<Opt>,
    statuses: Vec<Opt>,
    impacts: Vec<Opt>,
    urgencies: Vec<Opt>,
    visibilities: Vec<Opt>,
    dependencies: Vec<Opt>,
    errors: Vec<FieldError>,
}

fn stamp(s: &str, viewer: &Zone) -> String {
    s.parse::<Timestamp>()
        .map(|t| when_text(t, viewer))
        .unwrap_or_else(|_| s.to_string())
}

async fn task_render(
    state: &AppState,
    auth: &AuthCtx,
    id: TaskId,
    notice: Option<&str>,
    typed: Option<TaskForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let viewer = viewer_zone(auth);
    let t = task_ops::get_task(state, &c, org, id).await?;
    let names = Names::load(state, org).await?;
    let now = Timestamp::now();
    let v = task_ops::view(&c, org, &t, &names, now).ok_or_else(|| ApiError::not_found("task"))?;
    let can_edit = !v.redacted && task_ops::task_access(&c, org, &t.data, Access::Write).is_ok();
    let manages = can_edit && task_ops::manages_task(&c, org, &t.data);
    let form = typed.unwrap_or_else(|| TaskForm::of(&v));
    let people = crate::ops::list_people(state, &c, org).await?;
    let known: Vec<(String, String)> = std::iter::once(&v.owner)
        .chain(v.delegated_to.as_ref())
        .chain(v.shared_with.iter())
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let owner_zone = state
        .store
        .person_get(org, t.data.owner)
        .await
        .map(|p| p.time_zone)
        .unwrap_or_else(|_| "UTC".into());
    // The goals the owner's tasks may serve, and tasks it may wait for.
    let goals = task_ops::goals_of(state, org, t.data.owner).await?;
    let mut goal_opts = vec![Opt {
        value: String::new(),
        label: "No goal".into(),
        selected: form.goal.is_empty(),
    }];
    goal_opts.extend(goals.iter().map(|g| Opt {
        value: g.id.to_string(),
        label: g.data.title.clone(),
        selected: g.id.to_string() == form.goal,
    }));
    let candidates = match task_ops::list_tasks(
        state,
        &c,
        org,
        &TaskQuery {
            person: Some(t.data.owner.to_string()),
            ..TaskQuery::default()
        },
    )
    .await
    {
        Ok((_, list)) => list,
        Err(e) if e.status == StatusCode::FORBIDDEN => vec![],
        Err(e) => return Err(WebError(e)),
    };
    let mut dependencies: Vec<Opt> = candidates
        .iter()
        .filter(|x| x.id != id)
        .filter_map(|x| task_ops::view(&c, org, x, &names, now))
        .map(|x| Opt {
            selected: form.depends_on.contains(&x.id),
            value: x.id,
            label: x.title,
        })
        .collect();
    for d in &form.depends_on {
        if dependencies.iter().any(|o| o.value == *d) {
            continue;
        }
        let label = match d.parse::<TaskId>() {
            Ok(did) => match task_ops::get_task(state, &c, org, did).await {
                Ok(rec) => task_ops::view(&c, org, &rec, &names, now)
                    .map_or_else(|| "a task you cannot see".to_string(), |x| x.title),
                Err(_) => "a task you cannot see".to_string(),
            },
            Err(_) => d.clone(),
        };
        dependencies.push(Opt {
            value: d.clone(),
            label,
            selected: true,
        });
    }
    let meeting = match t.data.from_meeting {
        Some(m) => Some(match crate::ops::meetings::get_meeting(state, &c, org, m).await {
            Ok(mv) => (format!("/meetings/{m}"), format!("{} — {}", mv.title, mv.when)),
            Err(_) => (format!("/meetings/{m}"), "its meeting".to_string()),
        }),
        None => None,
    };
    let statuses: Vec<(&str, &str)> = TaskStatus::ALL
        .iter()
        .map(|s| (s.as_str(), status_label(s.as_str())))
        .collect();
    let scale = [
        ("1", "1 — lowest"),
        ("2", "2 — low"),
        ("3", "3 — medium"),
        ("4", "4 — high"),
        ("5", "5 — highest"),
    ];
    let mut urgencies = vec![("", "from the due date")];
    urgencies.extend(scale);
    let visibilities: Vec<(&str, &str)> = Visibility::ALL
        .iter()
        .map(|v| {
            (
                v.as_str(),
                match v {
                    Visibility::Normal => "normal — colleagues see it",
                    Visibility::Private => "private — others see only that it exists",
                    Visibility::Confidential => "confidential — hidden from others",
                },
            )
        })
        .collect();
    let page = TaskPage {
        layout: Layout::new(state, auth, "tasks", notice).await?,
        id: id.to_string(),
        heading: v.title.clone(),
        redacted: v.redacted,
        can_edit,
        manages,
        owner_name: v.owner.name.clone(),
        owner_zone,
        quadrant_label: quadrant_of(&v.quadrant).label(),
        status_text: status_label(&v.status),
        overdue: v.overdue,
        created: stamp(&v.created_at, &viewer),
        updated: stamp(&v.updated_at, &viewer),
        completed: v.completed_at.as_deref().map(|s| stamp(s, &viewer)),
        meeting,
        event_href: v.for_event.as_ref().map(|e| format!("/events/{e}")),
        back_person: if t.data.owner == auth.actor.acting_for.unwrap_or(auth.person.id) {
            String::new()
        } else {
            t.data.owner.to_string()
        },
        owners: people_opts(&people, std::slice::from_ref(&form.owner), &known, None),
        delegates: people_opts(
            &people,
            std::slice::from_ref(&form.delegated_to),
            &known,
            Some("Nobody: the owner does it"),
        ),
        sharers: people_opts(&people, &form.shared_with, &known, None),
        goals: goal_opts,
        statuses: opts(&statuses, &form.status),
        impacts: opts(&scale, &form.impact),
        urgencies: opts(&urgencies, &form.urgency),
        visibilities: opts(&visibilities, &form.visibility),
        dependencies,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

pub async fn task_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: TaskId = parse_path_id(&id, "task")?;
    task_render(&state, &auth, id, q.notice.as_deref(), None, vec![]).await
}

pub async fn task_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: TaskId = parse_path_id(&id, "task")?;
    let c = caller(&auth);
    let org = auth.org();
    let form = TaskForm::from_pairs(&form_pairs(&body));
    let current = task_ops::get_task(&state, &c, org, id).await?;
    let manages = task_ops::manages_task(&c, org, &current.data);
    let patch = match form.patch(manages) {
        Ok(p) => p,
        Err(errors) => return task_render(&state, &auth, id, None, Some(form), errors).await,
    };
    match task_ops::update_task(&state, &c, org, id, &patch).await {
        Ok((_, next)) => {
            let notice = if next.is_some() {
                "task-done-next"
            } else {
                "task-saved"
            };
            Ok(Redirect::to(&format!("/tasks/{id}?notice={notice}")).into_response())
        }
        Err(e) if is_user_error(&e) => {
            task_render(&state, &auth, id, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Where a task action returns to, chosen by key so a form cannot send the browser elsewhere.
fn back_href(f: &[(String, String)], id: TaskId, notice: &str) -> String {
    let person = trimmed(f, "person");
    match trimmed(f, "back").as_str() {
        "tasks" => TasksQuery::from_pairs(f).href(notice),
        "matrix" => href("/matrix", &[("person", &person), ("notice", notice)]),
        "commitments" => href("/commitments", &[("person", &person), ("notice", notice)]),
        _ => format!("/tasks/{id}?notice={notice}"),
    }
}

pub async fn task_done(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: TaskId = parse_path_id(&id, "task")?;
    let f = form_pairs(&body);
    let (_, next) = task_ops::complete_task(&state, &caller(&auth), auth.org(), id).await?;
    let notice = if next.is_some() {
        "task-done-next"
    } else {
        "task-done"
    };
    Ok(Redirect::to(&back_href(&f, id, notice)).into_response())
}

pub async fn task_move(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: TaskId = parse_path_id(&id, "task")?;
    let f = form_pairs(&body);
    task_ops::move_task(&state, &caller(&auth), auth.org(), id, &trimmed(&f, "quadrant")).await?;
    Ok(Redirect::to(&back_href(&f, id, "task-moved")).into_response())
}

pub async fn task_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: TaskId = parse_path_id(&id, "task")?;
    let f = form_pairs(&body);
    task_ops::delete_task(&state, &caller(&auth), auth.org(), id).await?;
    let person = trimmed(&f, "person");
    Ok(Redirect::to(&href(
        "/tasks",
        &[("person", &person), ("notice", "task-deleted")],
    ))
    .into_response())
}

// ---------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct PersonQuery {
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

pub struct QuadrantBox {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub cards: Vec<TaskRow>,
}

#[derive(Template)]
#[template(path = "matrix.html")]
struct MatrixPage {
    layout: Layout,
    heading: String,
    person: String,
    quadrants: Vec<QuadrantBox>,
    choices: Vec<(&'static str, &'static str)>,
    decisions: Vec<TaskRow>,
    alignment: Vec<GoalRow>,
}

pub async fn matrix(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    let c = caller(&auth);
    let org = auth.org();
    let viewer = viewer_zone(&auth);
    let person = named(&q.person);
    let m = task_ops::matrix(&state, &c, org, person).await?;
    // Which cards may move: the caller's access to each task.
    let (p, records) = task_ops::list_tasks(
        &state,
        &c,
        org,
        &TaskQuery {
            person: person.map(str::to_string),
            ..TaskQuery::default()
        },
    )
    .await?;
    let writable = writable_ids(&c, org, &records);
    let rows = |list: &[TaskView]| -> Vec<TaskRow> {
        list.iter()
            .map(|v| task_row(v, writable.contains(&v.id), &viewer))
            .collect()
    };
    let quadrants = [
        (Quadrant::DoNow, &m.do_now),
        (Quadrant::Schedule, &m.schedule),
        (Quadrant::Delegate, &m.delegate),
        (Quadrant::Drop, &m.drop),
    ]
    .into_iter()
    .map(|(quad, list)| QuadrantBox {
        key: quad.as_str(),
        label: quad.label(),
        hint: quadrant_hint(quad),
        cards: rows(list),
    })
    .collect();
    let (_, goals) = task_ops::goals_alignment(&state, &c, org, person, None).await?;
    let page = MatrixPage {
        layout: Layout::new(&state, &auth, "matrix", q.notice.as_deref()).await?,
        heading: whose(&p, &auth, "My matrix", "'s matrix"),
        person: person.unwrap_or("").to_string(),
        quadrants,
        choices: Quadrant::ALL.iter().map(|q| (q.as_str(), q.label())).collect(),
        decisions: rows(&m.decisions),
        alignment: goals.iter().map(goal_row).collect(),
    };
    Ok(render_status(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------
// Commitments
// ---------------------------------------------------------------------------

pub struct CommitmentRow {
    pub task: TaskRow,
    pub kind: &'static str,
    pub counterpart: Option<String>,
}

#[derive(Template)]
#[template(path = "commitments.html")]
struct CommitmentsPage {
    layout: Layout,
    heading: String,
    owes: Vec<CommitmentRow>,
    owed: Vec<CommitmentRow>,
    awaiting: Vec<crate::ops::mail::FollowUp>,
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "action_item" => "action item",
        "delegated" => "delegated",
        _ => "task",
    }
}

pub async fn commitments(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    let c = caller(&auth);
    let org = auth.org();
    let viewer = viewer_zone(&auth);
    let person = named(&q.person);
    let v = task_ops::commitments_of(&state, &c, org, person).await?;
    let rows = |list: &[task_ops::CommitmentView]| -> Vec<CommitmentRow> {
        list.iter()
            .map(|x| CommitmentRow {
                task: task_row(&x.task, false, &viewer),
                kind: kind_label(&x.kind),
                counterpart: x.counterpart.as_ref().map(|p| p.name.clone()),
            })
            .collect()
    };
    let heading = if v.person.id == auth.person.id.to_string() {
        "My commitments".to_string()
    } else {
        format!("{}'s commitments", v.person.name)
    };
    let page = CommitmentsPage {
        layout: Layout::new(&state, &auth, "commitments", q.notice.as_deref()).await?,
        heading,
        owes: rows(&v.owes),
        owed: rows(&v.owed),
        awaiting: v.awaiting_replies,
    };
    Ok(render_status(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------
// Goals
// ---------------------------------------------------------------------------

/// A goal's form as typed.
#[derive(Debug, Clone, Default)]
pub struct GoalForm {
    pub title: String,
    pub description: String,
    pub owner: String,
    pub starts_on: String,
    pub ends_on: String,
    pub status: String,
}

impl GoalForm {
    fn from_pairs(f: &[(String, String)]) -> GoalForm {
        GoalForm {
            title: field(f, "title").unwrap_or_default(),
            description: field(f, "description").unwrap_or_default(),
            owner: trimmed(f, "owner"),
            starts_on: trimmed(f, "starts_on"),
            ends_on: trimmed(f, "ends_on"),
            status: trimmed(f, "status"),
        }
    }

    fn input(&self) -> GoalInput {
        GoalInput {
            title: self.title.clone(),
            description: Some(self.description.clone()),
            owner: (!self.owner.is_empty()).then(|| self.owner.clone()),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            status: (!self.status.is_empty()).then(|| self.status.clone()),
        }
    }
}

pub struct GoalCard {
    pub id: String,
    pub status: String,
    pub form: GoalForm,
    pub statuses: Vec<Opt>,
    /// Open for editing (after a refused change).
    pub open: bool,
}

#[derive(Template)]
#[template(path = "goals.html")]
struct GoalsPage {
    layout: Layout,
    heading: String,
    person: String,
    owner: String,
    /// Whether the caller may add and change this person's goals.
    may_edit: bool,
    days: i64,
    alignment: Vec<GoalRow>,
    goals: Vec<GoalCard>,
    new_goal: GoalForm,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
pub struct GoalsQuery {
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

/// How the goals page is drawn after a refused form.
#[derive(Default)]
struct GoalsTyped {
    new_goal: Option<GoalForm>,
    editing: Option<(String, GoalForm)>,
}

async fn goals_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &GoalsQuery,
    typed: GoalsTyped,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let person = named(&q.person);
    let days = match named(&q.days) {
        Some(d) => match d.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(one_error("days", format!("`{d}` is not a whole number of days")));
                None
            }
        },
        None => None,
    };
    let (p, rows) = match task_ops::goals_alignment(state, &c, org, person, days).await {
        Ok(x) => x,
        Err(e) if is_user_error(&e) && days.is_some() => {
            errors.extend(validation_errors(&e));
            task_ops::goals_alignment(state, &c, org, person, None).await?
        }
        Err(e) => return Err(WebError(e)),
    };
    let all = task_ops::goals_of(state, org, p.id).await?;
    let goals = all
        .iter()
        .map(|g| {
            let id = g.id.to_string();
            let (form, open) = match &typed.editing {
                Some((eid, f)) if *eid == id => (f.clone(), true),
                _ => (
                    GoalForm {
                        title: g.data.title.clone(),
                        description: g.data.description.clone(),
                        owner: g.data.owner.to_string(),
                        starts_on: g.data.starts_on.to_string(),
                        ends_on: g.data.ends_on.to_string(),
                        status: g.data.status.as_str().to_string(),
                    },
                    false,
                ),
            };
            let statuses: Vec<(&str, &str)> =
                GoalStatus::ALL.iter().map(|s| (s.as_str(), s.as_str())).collect();
            GoalCard {
                status: g.data.status.as_str().to_string(),
                statuses: opts(&statuses, &form.status),
                id,
                form,
                open,
            }
        })
        .collect();
    let today = viewer_zone(auth).local(Timestamp::now()).date();
    let quarter_end = today.checked_add(jiff::Span::new().months(3)).unwrap_or(today);
    let page = GoalsPage {
        layout: Layout::new(state, auth, "goals", q.notice.as_deref()).await?,
        heading: whose(&p, auth, "My goals", "'s goals"),
        person: person.unwrap_or("").to_string(),
        owner: p.id.to_string(),
        may_edit: task_ops::may_add_for(&c, org, p.id),
        days: days.filter(|_| errors.is_empty()).unwrap_or(28),
        alignment: rows.iter().map(goal_row).collect(),
        goals,
        new_goal: typed.new_goal.unwrap_or(GoalForm {
            starts_on: today.to_string(),
            ends_on: quarter_end.to_string(),
            ..GoalForm::default()
        }),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn goals(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<GoalsQuery>,
) -> WebResult {
    goals_render(&state, &auth, &q, GoalsTyped::default(), vec![]).await
}

pub async fn goal_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let form = GoalForm::from_pairs(&f);
    let person = trimmed(&f, "person");
    let q = GoalsQuery {
        person: Some(person.clone()),
        ..GoalsQuery::default()
    };
    match task_ops::create_goal(&state, &caller(&auth), auth.org(), &form.input()).await {
        Ok(_) => Ok(
            Redirect::to(&href("/goals", &[("person", &person), ("notice", "goal-added")])).into_response(),
        ),
        Err(e) if is_user_error(&e) => {
            let typed = GoalsTyped {
                new_goal: Some(form),
                editing: None,
            };
            goals_render(&state, &auth, &q, typed, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn goal_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let gid: GoalId = parse_path_id(&id, "goal")?;
    let f = form_pairs(&body);
    let form = GoalForm::from_pairs(&f);
    let person = trimmed(&f, "person");
    let back = href("/goals", &[("person", &person)]);
    let q = GoalsQuery {
        person: Some(person.clone()),
        ..GoalsQuery::default()
    };
    match task_ops::update_goal(&state, &caller(&auth), auth.org(), gid, &form.input()).await {
        Ok(_) => Ok(
            Redirect::to(&href("/goals", &[("person", &person), ("notice", "goal-saved")])).into_response(),
        ),
        Err(e) if is_user_error(&e) => {
            let typed = GoalsTyped {
                new_goal: None,
                editing: Some((gid.to_string(), form)),
            };
            Ok(shown_at(
                goals_render(&state, &auth, &q, typed, validation_errors(&e)).await?,
                &back,
            ))
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct PlanQuery {
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    days: Option<String>,
    #[serde(default)]
    min_chunk: Option<String>,
    #[serde(default)]
    max_chunk: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

impl PlanQuery {
    fn from_pairs(f: &[(String, String)]) -> PlanQuery {
        let some = |k: &str| Some(trimmed(f, k)).filter(|s| !s.is_empty());
        PlanQuery {
            person: some("person"),
            days: some("days"),
            min_chunk: some("min_chunk"),
            max_chunk: some("max_chunk"),
            notice: None,
        }
    }

    fn href(&self, notice: &str) -> String {
        href(
            "/plan",
            &[
                ("person", named(&self.person).unwrap_or("")),
                ("days", named(&self.days).unwrap_or("")),
                ("min_chunk", named(&self.min_chunk).unwrap_or("")),
                ("max_chunk", named(&self.max_chunk).unwrap_or("")),
                ("notice", notice),
            ],
        )
    }

    /// The options as the planner reads them; numbers that are not numbers are named.
    fn options(&self) -> Result<PlanOptions, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut number = |field: &str, v: &Option<String>| -> Option<i64> {
            let s = named(v)?;
            match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(one_error(field, format!("`{s}` is not a whole number")));
                    None
                }
            }
        };
        let days = number("days", &self.days);
        let min = number("min_chunk_minutes", &self.min_chunk);
        let max = number("max_chunk_minutes", &self.max_chunk);
        let minutes = |field: &str, n: Option<i64>, errors: &mut Vec<FieldError>| -> Option<u32> {
            let n = n?;
            match u32::try_from(n) {
                Ok(m) => Some(m),
                Err(_) => {
                    errors.push(one_error(field, format!("{n} is not a number of minutes")));
                    None
                }
            }
        };
        let min_chunk_minutes = minutes("min_chunk_minutes", min, &mut errors);
        let max_chunk_minutes = minutes("max_chunk_minutes", max, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PlanOptions {
            person: named(&self.person).map(str::to_string),
            days,
            min_chunk_minutes,
            max_chunk_minutes,
        })
    }
}

/// One planned block, as listed under its day.
pub struct BlockRow {
    pub task: String,
    pub title: String,
    pub time: String,
    pub part: Option<String>,
    pub reasons: Vec<String>,
}

pub struct PlanDay {
    pub heading: String,
    pub blocks: Vec<BlockRow>,
}

/// A plan as the page shows it.
pub struct PlanShown {
    pub id: String,
    pub status: String,
    pub created: String,
    pub window: String,
    pub days: Vec<PlanDay>,
    pub block_count: usize,
    pub planned: String,
    pub free: String,
    pub at_risk: Vec<(String, String, String)>,
    pub unplaced: Vec<(String, String, String)>,
}

/// Blocks by day in the person's zone, in order.
fn plan_days(blocks: &[BlockView], zone: &Zone) -> Vec<PlanDay> {
    let mut days: BTreeMap<Date, Vec<(Timestamp, BlockRow)>> = BTreeMap::new();
    for b in blocks {
        let (Ok(start), Ok(end)) = (b.start.parse::<Timestamp>(), b.end.parse::<Timestamp>()) else {
            continue;
        };
        days.entry(zone.local(start).date()).or_default().push((
            start,
            BlockRow {
                task: b.task.clone(),
                title: b.title.clone(),
                time: span_text(start, end, zone),
                part: (b.chunks > 1).then(|| format!("part {} of {}", b.chunk, b.chunks)),
                reasons: b.reasons.clone(),
            },
        ));
    }
    days.into_iter()
        .map(|(d, mut list)| {
            list.sort_by_key(|(s, _)| *s);
            PlanDay {
                heading: date_long(d),
                blocks: list.into_iter().map(|(_, b)| b).collect(),
            }
        })
        .collect()
}

fn plan_shown(v: &PlanView, viewer: &Zone) -> PlanShown {
    let zone = Zone::or_utc(&v.time_zone);
    let day = |s: &str| {
        s.parse::<Timestamp>()
            .map(|t| zone.local(t).date().strftime("%-d %b %Y").to_string())
            .unwrap_or_default()
    };
    PlanShown {
        id: v.id.clone().unwrap_or_default(),
        status: v.status.clone(),
        created: v
            .created_at
            .as_deref()
            .map(|s| stamp(s, viewer))
            .unwrap_or_default(),
        window: format!("{} – {}", day(&v.window_start), day(&v.window_end)),
        days: plan_days(&v.blocks, &zone),
        block_count: v.blocks.len(),
        planned: duration_label(v.planned_minutes),
        free: duration_label(v.free_minutes),
        at_risk: v
            .at_risk
            .iter()
            .map(|r| (r.task.clone(), r.title.clone(), r.text.clone()))
            .collect(),
        unplaced: v
            .unplaced
            .iter()
            .map(|u| (u.task.clone(), u.title.clone(), u.reason.clone()))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    heading: String,
    zone: String,
    person: String,
    days: String,
    min_chunk: String,
    max_chunk: String,
    preview: Option<PlanShown>,
    applied: Option<PlanShown>,
    clashes: Vec<String>,
    history: Vec<PlanShown>,
    errors: Vec<FieldError>,
}

async fn plan_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &PlanQuery,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let viewer = viewer_zone(auth);
    // Listing authorises: only the person, or an assistant with their tasks and calendar.
    let (p, history) = planning::list(state, &c, org, named(&q.person)).await?;
    let names = Names::load(state, org).await?;
    let stored: Vec<PlanView> = history.iter().map(|r| planning::stored_view(r, &names)).collect();
    let applied = stored.iter().find(|v| v.status == "applied");
    let clashes = if applied.is_some() {
        planning::clashes(state, org, p.id).await?
    } else {
        vec![]
    };
    let preview = if errors.is_empty() {
        match q.options() {
            Ok(o) => match planning::preview(state, &c, org, &o).await {
                Ok(v) => Some(v),
                Err(e) if is_user_error(&e) => {
                    errors.extend(validation_errors(&e));
                    None
                }
                Err(e) => return Err(WebError(e)),
            },
            Err(errs) => {
                errors.extend(errs);
                None
            }
        }
    } else {
        None
    };
    let page = PlanPage {
        layout: Layout::new(state, auth, "plan", q.notice.as_deref()).await?,
        heading: whose(&p, auth, "My plan", "'s plan"),
        zone: p.time_zone.clone(),
        person: named(&q.person).unwrap_or("").to_string(),
        days: named(&q.days).unwrap_or("").to_string(),
        min_chunk: named(&q.min_chunk).unwrap_or("").to_string(),
        max_chunk: named(&q.max_chunk).unwrap_or("").to_string(),
        preview: preview.as_ref().map(|v| plan_shown(v, &viewer)),
        applied: applied.map(|v| plan_shown(v, &viewer)),
        clashes,
        history: stored.iter().map(|v| plan_shown(v, &viewer)).collect(),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn plan(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PlanQuery>,
) -> WebResult {
    plan_render(&state, &auth, &q, vec![]).await
}

pub async fn plan_apply(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let q = PlanQuery::from_pairs(&form_pairs(&body));
    let options = match q.options() {
        Ok(o) => o,
        Err(errors) => {
            return Ok(shown_at(
                plan_render(&state, &auth, &q, errors).await?,
                &q.href(""),
            ));
        }
    };
    match planning::apply(&state, &caller(&auth), auth.org(), &options).await {
        Ok(_) => Ok(Redirect::to(&q.href("plan-applied")).into_response()),
        Err(e) if is_user_error(&e) => Ok(shown_at(
            plan_render(&state, &auth, &q, validation_errors(&e)).await?,
            &q.href(""),
        )),
        Err(e) => Err(WebError(e)),
    }
}

pub async fn plan_undo(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let pid: PlanId = parse_path_id(&id, "plan")?;
    let q = PlanQuery::from_pairs(&form_pairs(&body));
    match planning::undo(&state, &caller(&auth), auth.org(), pid).await {
        Ok(_) => Ok(Redirect::to(&q.href("plan-undone")).into_response()),
        Err(e) if is_user_error(&e) => Ok(shown_at(
            plan_render(&state, &auth, &q, validation_errors(&e)).await?,
            &q.href(""),
        )),
        Err(e) => Err(WebError(e)),
    }
}
