//! Task operations shared by the API, the web pages and the CLI: tasks
//! (create, quick add, edit, done, delete), the urgent × important matrix,
//! the principal's decision list, goals and their alignment, and commitments.
//!
//! Access follows the one policy (`adjutant_core::policy::item_access`): a task
//! belongs to its owner in the `tasks` scope, so an assistant with that scope
//! works on the principal's tasks; it is shared with whoever does it and with
//! the people named in `shared_with` (how contractors see anything). The one
//! who does a task may also change it — mark it done, note progress — but not
//! hand it to someone else or widen who sees it.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::collect;
use adjutant_core::ValidationError;
use adjutant_core::calendar::{TimeRange, Zone};
use adjutant_core::delegation::Scope;
use adjutant_core::ids::{EventId, GoalId, MeetingId, OrgId, PersonId, TaskId};
use adjutant_core::people::Role;
use adjutant_core::policy::{self, Access, ItemRef, View, Visibility};
use adjutant_core::tasks::commitments::{self, Commitments};
use adjutant_core::tasks::goal::{self, GoalData, GoalShare, GoalStatus, PlannedTime};
use adjutant_core::tasks::quick_add::{self, DateOrder};
use adjutant_core::tasks::task::{Due, Quadrant, TaskData, TaskStatus};
use adjutant_store::tasks::{GoalRecord, TaskFilter, TaskRecord};
use adjutant_store::{Person, StoreError};
use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

// ---------------------------------------------------------------------------
// Who may do what
// ---------------------------------------------------------------------------

/// How much of `task` the caller may see, or whether they may change it.
pub fn task_access(
    caller: &Caller,
    org: OrgId,
    task: &TaskData,
    acc: Access,
) -> Result<View, policy::Denied> {
    let Caller::Person(a) = caller else {
        return Ok(View::Full);
    };
    let me = a.person.id;
    let doer = task.delegated_to == Some(me);
    let shared = doer || task.shared_with.contains(&me);
    let item = ItemRef {
        org,
        owner: task.owner,
        visibility: task.visibility,
        scope: Scope::Tasks,
        shared_with_actor: shared,
    };
    match policy::item_access(&a.actor, &item, acc) {
        Err(_) if acc == Access::Write && doer && a.actor.org == org => Ok(View::Full),
        other => other,
    }
}

/// Refuses the caller unless they may create or change tasks owned by `owner`:
/// the owner, or a delegate of theirs with `act` in the tasks scope.
fn may_own_for(caller: &Caller, org: OrgId, owner: PersonId) -> ApiResult<()> {
    match caller {
        Caller::System(_) => Ok(()),
        Caller::Person(a) => {
            let item = ItemRef {
                org,
                owner,
                visibility: Visibility::Normal,
                scope: Scope::Tasks,
                shared_with_actor: false,
            };
            policy::item_access(&a.actor, &item, Access::Write)
                .map(|_| ())
                .map_err(|_| {
                    ApiError::forbidden(
                        "only the owner, or an assistant acting for them in tasks, may give them a task",
                    )
                })
        }
    }
}

/// Whether the caller may give `owner` a task or a goal (the owner, or a
/// delegate of theirs with `act` in tasks): pages offer quick add and the goal
/// form only then.
pub fn may_add_for(caller: &Caller, org: OrgId, owner: PersonId) -> bool {
    may_own_for(caller, org, owner).is_ok()
}

/// The person tasks are about: the one named, else whom the caller acts for, else the caller.
pub fn subject(caller: &Caller, named: Option<PersonId>) -> ApiResult<PersonId> {
    crate::ops::calendar::subject(caller, named)
}

use crate::ops::hide;

/// A person named by id or e-mail address, as a field of the input.
pub async fn person_ref(state: &AppState, org: OrgId, field: &str, s: &str) -> ApiResult<Person> {
    let t = s.trim();
    let found = if t.contains('@') {
        state.store.person_by_email(org, t).await
    } else {
        match t.parse::<PersonId>() {
            Ok(id) => state.store.person_get(org, id).await,
            Err(_) => {
                return Err(ValidationError::field(
                    field,
                    format!("`{t}` is not a person id or e-mail address"),
                )
                .into());
            }
        }
    };
    found.map_err(|e| match e {
        StoreError::NotFound(_) => {
            ValidationError::field(field, format!("no one in this organisation is `{t}`")).into()
        }
        other => other.into(),
    })
}

/// How a person writes dates like 12/11: month first in the Americas, day first elsewhere.
pub fn date_order(zone: &str) -> DateOrder {
    if zone.starts_with("America/") || zone.starts_with("US/") {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    }
}

// ---------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------

/// A new task. People are ids or e-mail addresses.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: String,
    #[serde(default)]
    pub notes: Option<String>,
    /// Whose task (default: yourself, or whom you act for).
    #[serde(default)]
    pub owner: Option<String>,
    /// Who does it, when not the owner.
    #[serde(default)]
    pub delegated_to: Option<String>,
    /// `2026-12-07`: not before this date.
    #[serde(default)]
    pub start: Option<String>,
    /// `2026-12-09` (by the end of the day) or `2026-12-09T15:00` (the owner's zone).
    #[serde(default)]
    pub due: Option<String>,
    /// Minutes, 1 to 12,000 (200 hours).
    #[serde(default)]
    pub estimate_minutes: Option<u32>,
    /// 1–5 (default 3).
    #[serde(default)]
    pub impact: Option<u8>,
    /// 1–5; leave out to derive it from the due date.
    #[serde(default)]
    pub urgency: Option<u8>,
    #[serde(default)]
    pub goal: Option<String>,
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// open, in_progress, waiting, done or dropped (default open).
    #[serde(default)]
    pub status: Option<String>,
    /// Task ids that must be done first.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// An RRULE, daily or slower, e.g. `FREQ=WEEKLY;BYDAY=MO`.
    #[serde(default)]
    pub repeat: Option<String>,
    /// normal, private or confidential (default normal).
    #[serde(default)]
    pub visibility: Option<String>,
    /// People (ids or e-mail addresses) who may read it.
    #[serde(default)]
    pub shared_with: Vec<String>,
    /// Waiting for the owner's decision.
    #[serde(default)]
    pub needs_decision: Option<bool>,
    /// A meeting (event id) where it should come up.
    #[serde(default)]
    pub for_event: Option<String>,
}

/// Changes to a task; absent fields stay as they are, `""` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub notes: Option<String>,
    pub owner: Option<String>,
    pub delegated_to: Option<String>,
    pub start: Option<String>,
    pub due: Option<String>,
    /// 0 clears the estimate.
    pub estimate_minutes: Option<u32>,
    pub impact: Option<u8>,
    /// 0 clears it (urgency from the due date again).
    pub urgency: Option<u8>,
    pub goal: Option<String>,
    pub project: Option<String>,
    pub tags: Option<Vec<String>>,
    pub status: Option<String>,
    pub depends_on: Option<Vec<String>>,
    pub repeat: Option<String>,
    pub visibility: Option<String>,
    pub shared_with: Option<Vec<String>>,
    pub needs_decision: Option<bool>,
    pub for_event: Option<String>,
}

/// A task in one line, e.g. `call Anna about the lease tomorrow 15:00 !high #board ~30m`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuickAddInput {
    pub text: String,
    /// Whose task (default: yourself, or whom you act for).
    #[serde(default)]
    pub owner: Option<String>,
}

/// What quick add understood, and what it did not.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuickAddOutcome {
    pub task: TaskView,
    /// Parts of the text that were not understood and stayed in the title.
    pub not_understood: Vec<NotUnderstood>,
}

/// One part of a quick-add text that was not understood.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotUnderstood {
    pub text: String,
    pub message: String,
}

fn parse_date(field: &str, s: &str) -> Result<Date, ValidationError> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| ValidationError::field(field, format!("`{}` is not a date like 2026-12-07", s.trim())))
}

/// `2026-12-09` or `2026-12-09T15:00` / `2026-12-09 15:00`, in `zone`.
pub fn parse_due(s: &str, zone: &Zone) -> Result<Due, ValidationError> {
    let t = s.trim();
    let bad = || {
        ValidationError::field(
            "due",
            format!("`{t}` is not a date (2026-12-09) or a date and time (2026-12-09T15:00)"),
        )
    };
    let (d, time) = match t.split_once(['T', ' ']) {
        Some((d, tm)) => {
            let time = tm.trim().parse::<Time>().map_err(|_| bad())?;
            (d, Some(time))
        }
        None => (t, None),
    };
    Ok(Due {
        date: d.parse::<Date>().map_err(|_| bad())?,
        time,
        zone: zone.clone(),
    })
}

fn parse_scale(field: &str, n: u8) -> Result<u8, ValidationError> {
    if (1..=5).contains(&n) {
        Ok(n)
    } else {
        Err(ValidationError::field(field, format!("{n} is not 1 to 5")))
    }
}

async fn people_refs(state: &AppState, org: OrgId, field: &str, list: &[String]) -> ApiResult<Vec<PersonId>> {
    let mut out = Vec::new();
    for s in list.iter().filter(|s| !s.trim().is_empty()) {
        out.push(person_ref(state, org, field, s).await?.id);
    }
    Ok(out)
}

async fn goal_ref(state: &AppState, org: OrgId, s: &str) -> ApiResult<GoalId> {
    let id: GoalId = crate::ops::calendar::parse_id("goal", "goal", s)?;
    state.store.goal_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::from(ValidationError::field(
            "goal",
            "no such goal in this organisation",
        )),
        other => other.into(),
    })?;
    Ok(id)
}

async fn event_ref(state: &AppState, org: OrgId, s: &str) -> ApiResult<EventId> {
    let id: EventId = crate::ops::calendar::parse_id("for_event", "event", s)?;
    state.store.event_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::from(ValidationError::field(
            "for_event",
            "no such event in this organisation",
        )),
        other => other.into(),
    })?;
    Ok(id)
}

async fn task_refs(state: &AppState, org: OrgId, list: &[String]) -> ApiResult<Vec<TaskId>> {
    let mut out = Vec::new();
    for s in list.iter().filter(|s| !s.trim().is_empty()) {
        let id: TaskId = crate::ops::calendar::parse_id("depends_on", "task", s)?;
        state.store.task_get(org, id).await.map_err(|e| match e {
            StoreError::NotFound(_) => ApiError::from(ValidationError::field(
                "depends_on",
                format!("no task `{s}` in this organisation"),
            )),
            other => other.into(),
        })?;
        out.push(id);
    }
    Ok(out)
}

/// Checks a task's rules, including that its dependencies close no cycle.
async fn validate(state: &AppState, org: OrgId, id: Option<TaskId>, data: &TaskData) -> ApiResult<()> {
    data.validate(id)?;
    if let Some(id) = id
        && !data.depends_on.is_empty()
    {
        let mut edges = state.store.task_dependency_edges(org).await?;
        edges.remove(&id);
        let titles: BTreeMap<TaskId, String> = state
            .store
            .tasks_by_ids(
                org,
                &edges
                    .keys()
                    .chain(edges.values().flatten())
                    .chain(&data.depends_on)
                    .copied()
                    .collect::<Vec<_>>(),
            )
            .await?
            .into_iter()
            .map(|t| (t.id, t.data.title))
            .chain([(id, data.title.clone())])
            .collect();
        adjutant_core::tasks::task::check_dependencies(id, &data.depends_on, &edges, |t| {
            titles.get(&t).cloned().unwrap_or_else(|| t.to_string())
        })?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

/// A person as tasks show them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    pub id: String,
    pub name: String,
}

/// A task as the caller may see it. A private task of someone else shows only
/// that it exists (`redacted`), as a private event shows as "busy".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    pub id: String,
    pub title: String,
    pub notes: String,
    pub owner: PersonRef,
    pub delegated_to: Option<PersonRef>,
    pub start: Option<String>,
    /// `{date, time, zone}` of the due moment.
    #[schema(value_type = Option<Object>)]
    pub due: Option<Due>,
    /// The due moment as an instant (UTC).
    pub due_at: Option<String>,
    pub overdue: bool,
    pub estimate_minutes: Option<u32>,
    pub impact: u8,
    /// As set by a person (none: derived from the due date).
    pub urgency: Option<u8>,
    /// The urgency in effect now.
    pub urgency_now: u8,
    pub quadrant: String,
    pub priority_score: i64,
    pub goal: Option<String>,
    pub project: Option<String>,
    pub tags: Vec<String>,
    pub status: String,
    pub depends_on: Vec<String>,
    pub repeat: Option<String>,
    pub visibility: String,
    pub shared_with: Vec<PersonRef>,
    pub needs_decision: bool,
    pub from_meeting: Option<String>,
    pub for_event: Option<String>,
    pub redacted: bool,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
}

/// Names of people, looked up once per answer.
pub struct Names(BTreeMap<PersonId, String>);

impl Names {
    pub async fn load(state: &AppState, org: OrgId) -> ApiResult<Names> {
        Ok(Names(
            state
                .store
                .person_list(org)
                .await?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect(),
        ))
    }
    pub fn get(&self, id: PersonId) -> String {
        self.0.get(&id).cloned().unwrap_or_else(|| "someone".into())
    }
    pub fn person(&self, id: PersonId) -> PersonRef {
        PersonRef {
            id: id.to_string(),
            name: self.get(id),
        }
    }
}

/// The view of `t` for `caller`, or `None` when they may not know it exists.
pub fn view(caller: &Caller, org: OrgId, t: &TaskRecord, names: &Names, now: Timestamp) -> Option<TaskView> {
    let seen = task_access(caller, org, &t.data, Access::Read).ok()?;
    let d = &t.data;
    let full = seen == View::Full;
    let u = d.urgency_at(now);
    Some(TaskView {
        id: t.id.to_string(),
        title: if full {
            d.title.clone()
        } else {
            "Private task".into()
        },
        notes: if full { d.notes.clone() } else { String::new() },
        owner: names.person(d.owner),
        delegated_to: d.delegated_to.map(|p| names.person(p)),
        start: d.start.map(|s| s.to_string()),
        due: d.due.clone(),
        due_at: d.due.as_ref().map(|x| x.deadline().to_string()),
        overdue: d.is_overdue(now),
        estimate_minutes: d.estimate_minutes,
        impact: d.impact,
        urgency: d.urgency,
        urgency_now: u,
        quadrant: d.quadrant(now).as_str().into(),
        priority_score: d.priority_score(now),
        goal: full.then(|| d.goal.map(|g| g.to_string())).flatten(),
        project: if full { d.project.clone() } else { None },
        tags: if full { d.tags.clone() } else { vec![] },
        status: d.status.as_str().into(),
        depends_on: d.depends_on.iter().map(ToString::to_string).collect(),
        repeat: if full { d.repeat.clone() } else { None },
        visibility: d.visibility.as_str().into(),
        shared_with: if full {
            d.shared_with.iter().map(|p| names.person(*p)).collect()
        } else {
            vec![]
        },
        needs_decision: d.needs_decision,
        from_meeting: d.from_meeting.map(|m| m.to_string()),
        for_event: d.for_event.map(|e| e.to_string()),
        redacted: !full,
        created_at: t.created_at.to_string(),
        updated_at: t.updated_at.to_string(),
        completed_at: t.completed_at.map(|c| c.to_string()),
    })
}

// ---------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------

/// Turns input into a task owned by `owner` (checked: same organisation).
async fn build(state: &AppState, org: OrgId, owner: &Person, input: &TaskInput) -> ApiResult<TaskData> {
    let zone = Zone::or_utc(&owner.time_zone);
    let mut t = TaskData::new(&input.title, owner.id);
    let mut checks = Vec::new();
    t.notes = input.notes.clone().unwrap_or_default();
    t.start = match input.start.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date("start", s).map_err(|e| checks.push(Err(e))).ok(),
        None => None,
    };
    t.due = match input.due.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_due(s, &zone).map_err(|e| checks.push(Err(e))).ok(),
        None => None,
    };
    t.estimate_minutes = input.estimate_minutes;
    if let Some(i) = input.impact {
        t.impact = parse_scale("impact", i)
            .map_err(|e| checks.push(Err(e)))
            .unwrap_or(i);
    }
    t.urgency = input.urgency;
    t.project = input.project.clone();
    t.tags = input.tags.clone();
    if let Some(s) = input.status.as_deref() {
        t.status = s
            .parse::<TaskStatus>()
            .map_err(|e| checks.push(Err(e)))
            .unwrap_or(TaskStatus::Open);
    }
    t.repeat = input.repeat.clone();
    if let Some(v) = input.visibility.as_deref() {
        t.visibility = v
            .parse::<Visibility>()
            .map_err(|e| checks.push(Err(e)))
            .unwrap_or(Visibility::Normal);
    }
    t.needs_decision = input.needs_decision.unwrap_or(false);
    collect(checks)?;
    if let Some(d) = input.delegated_to.as_deref().filter(|s| !s.trim().is_empty()) {
        t.delegated_to = Some(person_ref(state, org, "delegated_to", d).await?.id);
    }
    t.shared_with = people_refs(state, org, "shared_with", &input.shared_with).await?;
    if let Some(g) = input.goal.as_deref().filter(|s| !s.trim().is_empty()) {
        t.goal = Some(goal_ref(state, org, g).await?);
    }
    if let Some(e) = input.for_event.as_deref().filter(|s| !s.trim().is_empty()) {
        t.for_event = Some(event_ref(state, org, e).await?);
    }
    t.depends_on = task_refs(state, org, &input.depends_on).await?;
    t.normalise();
    Ok(t)
}

async fn owner_of(state: &AppState, caller: &Caller, org: OrgId, named: Option<&str>) -> ApiResult<Person> {
    match named.filter(|s| !s.trim().is_empty()) {
        Some(s) => person_ref(state, org, "owner", s).await,
        None => {
            let id = subject(caller, None)?;
            hide(state.store.person_get(org, id).await, "person")
        }
    }
}

/// Creates a task.
pub async fn create_task(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &TaskInput,
) -> ApiResult<TaskRecord> {
    let owner = owner_of(state, caller, org, input.owner.as_deref()).await?;
    may_own_for(caller, org, owner.id)?;
    let data = build(state, org, &owner, input).await?;
    validate(state, org, None, &data).await?;
    Ok(state
        .store
        .task_create(org, &data, &caller.audit(Timestamp::now()))
        .await?)
}

/// Creates a task from one line of text; what is not understood stays in the title and is listed.
pub async fn quick_add(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &QuickAddInput,
) -> ApiResult<(TaskRecord, Vec<NotUnderstood>)> {
    let owner = owner_of(state, caller, org, input.owner.as_deref()).await?;
    may_own_for(caller, org, owner.id)?;
    if input.text.trim().is_empty() {
        return Err(ValidationError::field("text", "write what the task is").into());
    }
    if input.text.chars().count() > 1_000 {
        return Err(ValidationError::field("text", "must be at most 1000 characters").into());
    }
    let zone = Zone::or_utc(&owner.time_zone);
    let now = Timestamp::now();
    let q = quick_add::parse(
        &input.text,
        &now.to_zoned(zone.tz().clone()),
        date_order(zone.name()),
    );
    let mut not_understood: Vec<NotUnderstood> = q
        .not_understood
        .iter()
        .map(|f| NotUnderstood {
            text: f.text.clone(),
            message: f.message.clone(),
        })
        .collect();
    let mut t = TaskData::new(&q.title, owner.id);
    t.due = q.due_date.map(|date| Due {
        date,
        time: q.due_time,
        zone: zone.clone(),
    });
    if let Some(i) = q.impact {
        t.impact = i;
    }
    if q.urgent {
        t.urgency = Some(5);
    }
    t.tags = q.tags.clone();
    t.estimate_minutes = q.estimate_minutes;
    t.project = q.project.clone();
    if let Some(name) = &q.delegate {
        match find_by_handle(state, org, name).await? {
            Some(p) if p.id != owner.id => t.delegated_to = Some(p.id),
            Some(_) => {}
            None => {
                not_understood.push(NotUnderstood {
                    text: format!("@{name}"),
                    message: format!("no one here goes by `{name}`; the task is not delegated"),
                });
                t.title = format!("{} @{name}", t.title);
            }
        }
    }
    t.normalise();
    validate(state, org, None, &t).await?;
    let rec = state.store.task_create(org, &t, &caller.audit(now)).await?;
    Ok((rec, not_understood))
}

/// The person a quick-add `@handle` names: the local part of their e-mail
/// address or their first name, without regard to case; `None` when no one or
/// several match.
async fn find_by_handle(state: &AppState, org: OrgId, handle: &str) -> ApiResult<Option<Person>> {
    let h = handle.to_lowercase();
    let people = state.store.person_list(org).await?;
    let matches: Vec<Person> = people
        .into_iter()
        .filter(|p| !p.disabled)
        .filter(|p| {
            p.email
                .as_deref()
                .and_then(|e| e.split('@').next())
                .is_some_and(|l| l.to_lowercase() == h)
                || p.name
                    .split_whitespace()
                    .next()
                    .is_some_and(|f| f.to_lowercase() == h)
        })
        .collect();
    Ok(if matches.len() == 1 {
        matches.into_iter().next()
    } else {
        None
    })
}

/// A task the caller may read (404 otherwise).
pub async fn get_task(state: &AppState, caller: &Caller, org: OrgId, id: TaskId) -> ApiResult<TaskRecord> {
    let t = hide(state.store.task_get(org, id).await, "task")?;
    task_access(caller, org, &t.data, Access::Read).map_err(|_| ApiError::not_found("task"))?;
    Ok(t)
}

/// A task the caller may change.
async fn writable(state: &AppState, caller: &Caller, org: OrgId, id: TaskId) -> ApiResult<TaskRecord> {
    let t = get_task(state, caller, org, id).await?;
    task_access(caller, org, &t.data, Access::Write)?;
    Ok(t)
}

/// Whether the caller changes the task only as the one who does it (not as owner or delegate).
fn only_as_doer(caller: &Caller, org: OrgId, t: &TaskData) -> bool {
    match caller {
        Caller::System(_) => false,
        Caller::Person(a) => {
            t.delegated_to == Some(a.person.id)
                && policy::item_access(
                    &a.actor,
                    &ItemRef {
                        org,
                        owner: t.owner,
                        visibility: t.visibility,
                        scope: Scope::Tasks,
                        shared_with_actor: false,
                    },
                    Access::Write,
                )
                .is_err()
        }
    }
}

/// Whether the caller manages `task` — may change who owns, does and sees it —
/// rather than only doing it for its owner. For forms, which offer those fields
/// only to those who may change them.
pub fn manages_task(caller: &Caller, org: OrgId, task: &TaskData) -> bool {
    task_access(caller, org, task, Access::Write).is_ok() && !only_as_doer(caller, org, task)
}

/// Changes a task. Marking a repeating task done stores its next one.
pub async fn update_task(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: TaskId,
    patch: &TaskPatch,
) -> ApiResult<(TaskRecord, Option<TaskRecord>)> {
    let before = writable(state, caller, org, id).await?;
    let mut t = before.data.clone();
    let mut checks = Vec::new();
    let owner = match patch.owner.as_deref() {
        Some(o) => {
            let p = person_ref(state, org, "owner", o).await?;
            may_own_for(caller, org, p.id)?;
            p
        }
        None => hide(state.store.person_get(org, t.owner).await, "person")?,
    };
    let zone = Zone::or_utc(&owner.time_zone);
    t.owner = owner.id;
    if let Some(s) = &patch.title {
        t.title = s.clone();
    }
    if let Some(s) = &patch.notes {
        t.notes = s.clone();
    }
    if let Some(d) = patch.delegated_to.as_deref() {
        t.delegated_to = if d.trim().is_empty() {
            None
        } else {
            Some(person_ref(state, org, "delegated_to", d).await?.id)
        };
    }
    if let Some(s) = patch.start.as_deref() {
        t.start = if s.trim().is_empty() {
            None
        } else {
            parse_date("start", s).map_err(|e| checks.push(Err(e))).ok()
        };
    }
    if let Some(s) = patch.due.as_deref() {
        t.due = if s.trim().is_empty() {
            None
        } else {
            parse_due(s, &zone).map_err(|e| checks.push(Err(e))).ok()
        };
    }
    if let Some(m) = patch.estimate_minutes {
        t.estimate_minutes = (m != 0).then_some(m);
    }
    if let Some(i) = patch.impact {
        t.impact = i;
    }
    if let Some(u) = patch.urgency {
        t.urgency = (u != 0).then_some(u);
    }
    if let Some(g) = patch.goal.as_deref() {
        t.goal = if g.trim().is_empty() {
            None
        } else {
            Some(goal_ref(state, org, g).await?)
        };
    }
    if let Some(p) = &patch.project {
        t.project = Some(p.clone());
    }
    if let Some(tags) = &patch.tags {
        t.tags = tags.clone();
    }
    if let Some(s) = patch.status.as_deref() {
        match s.parse::<TaskStatus>() {
            Ok(st) => t.status = st,
            Err(e) => checks.push(Err(e)),
        }
    }
    if let Some(d) = &patch.depends_on {
        t.depends_on = task_refs(state, org, d).await?;
    }
    if let Some(r) = &patch.repeat {
        t.repeat = Some(r.clone());
    }
    if let Some(v) = patch.visibility.as_deref() {
        match v.parse::<Visibility>() {
            Ok(v) => t.visibility = v,
            Err(e) => checks.push(Err(e)),
        }
    }
    if let Some(s) = &patch.shared_with {
        t.shared_with = people_refs(state, org, "shared_with", s).await?;
    }
    if let Some(n) = patch.needs_decision {
        t.needs_decision = n;
    }
    if let Some(e) = patch.for_event.as_deref() {
        t.for_event = if e.trim().is_empty() {
            None
        } else {
            Some(event_ref(state, org, e).await?)
        };
    }
    collect(checks)?;
    t.normalise();
    if only_as_doer(caller, org, &before.data)
        && (t.owner != before.data.owner
            || t.delegated_to != before.data.delegated_to
            || t.visibility != before.data.visibility
            || t.shared_with != before.data.shared_with)
    {
        return Err(ApiError::forbidden(
            "you do this task for its owner: you may change its progress, not who owns, does or sees it",
        ));
    }
    validate(state, org, Some(id), &t).await?;
    let now = Timestamp::now();
    let becomes_done = before.data.status.is_open() && t.status == TaskStatus::Done;
    let spawn = if becomes_done {
        t.next_repeat(now.to_zoned(zone.tz().clone()).date())
    } else {
        None
    };
    let action = match (before.data.status.is_open(), t.status) {
        (true, TaskStatus::Done) => "task.done",
        (true, TaskStatus::Dropped) => "task.drop",
        (false, s) if s.is_open() => "task.reopen",
        _ => "task.update",
    };
    Ok(state
        .store
        .task_update(org, id, &t, spawn.as_ref(), action, &caller.audit(now))
        .await?)
}

/// Marks a task done (the next one of a repeating task is made).
pub async fn complete_task(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: TaskId,
) -> ApiResult<(TaskRecord, Option<TaskRecord>)> {
    let patch = TaskPatch {
        status: Some("done".into()),
        ..TaskPatch::default()
    };
    update_task(state, caller, org, id, &patch).await
}

/// Deletes a task (the owner or their delegate with `act`).
pub async fn delete_task(state: &AppState, caller: &Caller, org: OrgId, id: TaskId) -> ApiResult<TaskRecord> {
    let t = writable(state, caller, org, id).await?;
    if only_as_doer(caller, org, &t.data) {
        return Err(ApiError::forbidden(
            "only the owner or their assistant may delete this task",
        ));
    }
    Ok(state
        .store
        .task_delete(org, id, &caller.audit(Timestamp::now()))
        .await?)
}

/// Moves a task into a quadrant of the matrix: the least change of impact
/// and urgency that puts it there (see `Quadrant::drop_into`).
pub async fn move_task(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: TaskId,
    quadrant: &str,
) -> ApiResult<TaskRecord> {
    let q: Quadrant = quadrant.parse()?;
    let before = writable(state, caller, org, id).await?;
    let mut t = before.data.clone();
    let (impact, urgency) = q.drop_into(t.impact);
    t.impact = impact;
    t.urgency = Some(urgency);
    let (rec, _) = state
        .store
        .task_update(org, id, &t, None, "task.move", &caller.audit(Timestamp::now()))
        .await?;
    Ok(rec)
}

/// Which tasks to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// Person id or e-mail (default: yourself, or whom you act for).
    pub person: Option<String>,
    /// open (open, in progress, waiting: the default), done, dropped or all.
    pub status: Option<String>,
    pub goal: Option<String>,
    pub tag: Option<String>,
    pub project: Option<String>,
    /// Tasks from this meeting (its notes' id).
    pub meeting: Option<String>,
}

/// The tasks of a person (owned or done by them; for contractors, also those
/// shared with them) that the caller may see, overdue and soonest due first.
pub async fn list_tasks(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    q: &TaskQuery,
) -> ApiResult<(Person, Vec<TaskRecord>)> {
    let person = match q.person.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(p) => person_ref(state, org, "person", p).await?,
        None => hide(
            state.store.person_get(org, subject(caller, None)?).await,
            "person",
        )?,
    };
    if caller.person() != Some(person.id)
        && let Caller::Person(a) = caller
        && a.person.role == Role::Contractor
    {
        return Err(ApiError::forbidden(
            "contractors see only what is shared with them",
        ));
    }
    let statuses = match q.status.as_deref().unwrap_or("open") {
        "open" => vec![TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Waiting],
        "all" => vec![],
        s => vec![s.parse::<TaskStatus>()?],
    };
    let goal = match q.goal.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(g) => Some(crate::ops::calendar::parse_id::<GoalId>("goal", "goal", g)?),
        None => None,
    };
    let meeting = match q.meeting.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(m) => Some(crate::ops::calendar::parse_id::<MeetingId>(
            "meeting", "meeting", m,
        )?),
        None => None,
    };
    let filter = TaskFilter {
        person: Some(person.id),
        shared_with: Some(person.id),
        statuses,
        goal,
        from_meeting: meeting,
        ..TaskFilter::default()
    };
    let tag = q
        .tag
        .as_deref()
        .map(|t| t.trim().trim_start_matches('#').to_lowercase());
    let list = state
        .store
        .task_list(org, &filter)
        .await?
        .into_iter()
        .filter(|t| task_access(caller, org, &t.data, Access::Read).is_ok())
        .filter(|t| tag.as_ref().is_none_or(|tag| t.data.tags.contains(tag)))
        .filter(|t| {
            q.project.as_deref().is_none_or(|p| {
                t.data
                    .project
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(p.trim()))
            })
        })
        .collect();
    Ok((person, list))
}

// ---------------------------------------------------------------------------
// The matrix, decisions, commitments
// ---------------------------------------------------------------------------

/// A person's open tasks by quadrant, and what waits for their decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatrixView {
    pub person: PersonRef,
    pub do_now: Vec<TaskView>,
    pub schedule: Vec<TaskView>,
    pub delegate: Vec<TaskView>,
    pub drop: Vec<TaskView>,
    /// Open tasks the person must decide on.
    pub decisions: Vec<TaskView>,
}

pub async fn matrix(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<MatrixView> {
    let q = TaskQuery {
        person: person.map(str::to_string),
        ..TaskQuery::default()
    };
    let (p, tasks) = list_tasks(state, caller, org, &q).await?;
    let names = Names::load(state, org).await?;
    let now = Timestamp::now();
    let mut views: Vec<TaskView> = tasks
        .iter()
        .filter_map(|t| view(caller, org, t, &names, now))
        .collect();
    views.sort_by(|a, b| {
        b.priority_score
            .cmp(&a.priority_score)
            .then_with(|| a.due_at.is_none().cmp(&b.due_at.is_none()))
            .then_with(|| a.due_at.cmp(&b.due_at))
            .then_with(|| a.title.cmp(&b.title))
    });
    let pick = |q: Quadrant| {
        views
            .iter()
            .filter(|v| v.quadrant == q.as_str())
            .cloned()
            .collect::<Vec<_>>()
    };
    Ok(MatrixView {
        person: names.person(p.id),
        do_now: pick(Quadrant::DoNow),
        schedule: pick(Quadrant::Schedule),
        delegate: pick(Quadrant::Delegate),
        drop: pick(Quadrant::Drop),
        decisions: views
            .iter()
            .filter(|v| v.needs_decision && v.owner.id == p.id.to_string())
            .cloned()
            .collect(),
    })
}

/// One commitment as the caller sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentView {
    pub task: TaskView,
    /// task, action_item or delegated.
    pub kind: String,
    pub counterpart: Option<PersonRef>,
}

/// Everything a person owes and is owed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentsView {
    pub person: PersonRef,
    pub owes: Vec<CommitmentView>,
    pub owed: Vec<CommitmentView>,
    /// Mail the person sent that got no reply in time (when the caller may read their mail).
    pub awaiting_replies: Vec<crate::ops::mail::FollowUp>,
}

pub async fn commitments_of(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<CommitmentsView> {
    let q = TaskQuery {
        person: person.map(str::to_string),
        ..TaskQuery::default()
    };
    let (p, mut tasks) = list_tasks(state, caller, org, &q).await?;
    // Action items others took in meetings this person organised.
    let open = TaskFilter {
        statuses: vec![TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Waiting],
        ..TaskFilter::default()
    };
    let action_items: Vec<TaskRecord> = state
        .store
        .task_list(org, &open)
        .await?
        .into_iter()
        .filter(|t| t.data.from_meeting.is_some())
        .collect();
    let meeting_ids: BTreeSet<MeetingId> = action_items.iter().filter_map(|t| t.data.from_meeting).collect();
    let organisers = meeting_organisers(state, org, &meeting_ids.into_iter().collect::<Vec<_>>()).await?;
    let have: BTreeSet<TaskId> = tasks.iter().map(|t| t.id).collect();
    tasks.extend(action_items.into_iter().filter(|t| {
        !have.contains(&t.id)
            && t.data.from_meeting.and_then(|m| organisers.get(&m)) == Some(&p.id)
            && task_access(caller, org, &t.data, Access::Read).is_ok()
    }));
    let now = Timestamp::now();
    let pairs: Vec<(TaskId, TaskData)> = tasks.iter().map(|t| (t.id, t.data.clone())).collect();
    let Commitments { owes, owed } = commitments::commitments(p.id, &pairs, &organisers, now);
    let names = Names::load(state, org).await?;
    let by_id: BTreeMap<TaskId, &TaskRecord> = tasks.iter().map(|t| (t.id, t)).collect();
    let to_view = |list: Vec<commitments::Commitment>| -> Vec<CommitmentView> {
        list.into_iter()
            .filter_map(|c| {
                let t = by_id.get(&c.task)?;
                Some(CommitmentView {
                    task: view(caller, org, t, &names, now)?,
                    kind: serde_json::to_value(c.kind).ok()?.as_str()?.to_string(),
                    counterpart: c.counterpart.map(|x| names.person(x)),
                })
            })
            .collect()
    };
    let awaiting_replies = crate::ops::mail::followups(state, caller, org, Some(&p.id.to_string()))
        .await
        .unwrap_or_default();
    Ok(CommitmentsView {
        person: names.person(p.id),
        owes: to_view(owes),
        owed: to_view(owed),
        awaiting_replies,
    })
}

/// Who organised each meeting: the owner of its event's calendar.
pub async fn meeting_organisers(
    state: &AppState,
    org: OrgId,
    meetings: &[MeetingId],
) -> ApiResult<BTreeMap<MeetingId, PersonId>> {
    let mut out = BTreeMap::new();
    if meetings.is_empty() {
        return Ok(out);
    }
    for m in state.store.meetings_by_ids(org, meetings).await? {
        let Ok(e) = state.store.event_get(org, m.event).await else {
            continue;
        };
        if let Some(p) = e.data.organiser.as_ref().and_then(|o| o.person) {
            out.insert(m.id, p);
        } else if let Ok(cal) = state.store.calendar_get(org, e.calendar).await
            && let adjutant_store::calendar::CalendarOwner::Person(p) = cal.owner
        {
            out.insert(m.id, p);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Goals
// ---------------------------------------------------------------------------

/// A goal to add or change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Whose goal (default: yourself, or whom you act for).
    #[serde(default)]
    pub owner: Option<String>,
    /// `2027-01-01`.
    pub starts_on: String,
    /// `2027-03-31`.
    pub ends_on: String,
    /// active, achieved or dropped (default active).
    #[serde(default)]
    pub status: Option<String>,
}

async fn goal_data(state: &AppState, caller: &Caller, org: OrgId, input: &GoalInput) -> ApiResult<GoalData> {
    let owner = owner_of(state, caller, org, input.owner.as_deref()).await?;
    may_own_for(caller, org, owner.id)?;
    let starts = parse_date("starts_on", &input.starts_on);
    let ends = parse_date("ends_on", &input.ends_on);
    let status = input.status.as_deref().unwrap_or("active").parse::<GoalStatus>();
    collect(vec![
        starts.as_ref().map(|_| ()).map_err(Clone::clone),
        ends.as_ref().map(|_| ()).map_err(Clone::clone),
        status.as_ref().map(|_| ()).map_err(Clone::clone),
    ])?;
    let (Ok(starts_on), Ok(ends_on), Ok(status)) = (starts, ends, status) else {
        return Err(ApiError::internal());
    };
    let g = GoalData {
        title: input.title.trim().to_string(),
        description: input.description.clone().unwrap_or_default(),
        owner: owner.id,
        starts_on,
        ends_on,
        status,
    };
    g.validate()?;
    Ok(g)
}

pub async fn create_goal(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &GoalInput,
) -> ApiResult<GoalRecord> {
    let g = goal_data(state, caller, org, input).await?;
    Ok(state
        .store
        .goal_create(org, &g, &caller.audit(Timestamp::now()))
        .await?)
}

pub async fn update_goal(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: GoalId,
    input: &GoalInput,
) -> ApiResult<GoalRecord> {
    let before = hide(state.store.goal_get(org, id).await, "goal")?;
    may_own_for(caller, org, before.data.owner).map_err(|_| ApiError::not_found("goal"))?;
    let g = goal_data(state, caller, org, input).await?;
    Ok(state
        .store
        .goal_update(org, id, &g, &caller.audit(Timestamp::now()))
        .await?)
}

/// A goal with its share of the owner's planned time and open tasks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalView {
    pub id: Option<String>,
    pub title: String,
    pub description: String,
    pub owner: Option<PersonRef>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub status: Option<String>,
    pub planned_minutes: i64,
    pub planned_percent: u32,
    pub open_tasks: usize,
    pub task_percent: u32,
    /// Tasks take a clearly larger share than time: talked about more than worked on.
    pub underplanned: bool,
}

/// A person's goals and, over the next `days` days, how their busy time and
/// open tasks spread over them (the last row: what serves no goal).
pub async fn goals_alignment(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
    days: Option<i64>,
) -> ApiResult<(Person, Vec<GoalView>)> {
    let days = days.unwrap_or(28);
    if !(1..=366).contains(&days) {
        return Err(ValidationError::field("days", format!("{days} is not 1 to 366")).into());
    }
    let (p, tasks) = list_tasks(
        state,
        caller,
        org,
        &TaskQuery {
            person: person.map(str::to_string),
            ..TaskQuery::default()
        },
    )
    .await?;
    let goals: Vec<GoalRecord> = state
        .store
        .goal_list(org, Some(p.id))
        .await?
        .into_iter()
        .filter(|g| g.data.status == GoalStatus::Active)
        .collect();
    let now = Timestamp::now();
    let window = TimeRange {
        start: now,
        end: now
            .checked_add(SignedDuration::from_hours(24 * days))
            .unwrap_or(now),
    };
    let planned = planned_time(state, caller, org, p.id, window).await?;
    let open: Vec<Option<GoalId>> = tasks
        .iter()
        .filter(|t| t.data.doer() == p.id || t.data.owner == p.id)
        .map(|t| t.data.goal)
        .collect();
    let ids: Vec<GoalId> = goals.iter().map(|g| g.id).collect();
    let shares = goal::alignment(&ids, &planned, &open, window);
    let names = Names::load(state, org).await?;
    let by_id: BTreeMap<GoalId, &GoalRecord> = goals.iter().map(|g| (g.id, g)).collect();
    let rows = shares
        .into_iter()
        .map(|s: GoalShare| {
            let g = s.goal.and_then(|id| by_id.get(&id).copied());
            GoalView {
                id: g.map(|g| g.id.to_string()),
                title: g.map_or("Not tied to a goal".into(), |g| g.data.title.clone()),
                description: g.map(|g| g.data.description.clone()).unwrap_or_default(),
                owner: g.map(|g| names.person(g.data.owner)),
                starts_on: g.map(|g| g.data.starts_on.to_string()),
                ends_on: g.map(|g| g.data.ends_on.to_string()),
                status: g.map(|g| g.data.status.as_str().to_string()),
                planned_minutes: s.planned_minutes,
                planned_percent: s.planned_percent,
                open_tasks: s.open_tasks,
                task_percent: s.task_percent,
                underplanned: s.underplanned,
            }
        })
        .collect();
    Ok((p, rows))
}

/// A person's busy time in `window`, each piece with the goal it serves: a
/// plan block serves its task's goal, a meeting the goal its notes name.
async fn planned_time(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: PersonId,
    window: TimeRange,
) -> ApiResult<Vec<PlannedTime>> {
    let agendas = state
        .busy
        .agendas(&state.store, org, &[crate::busy::Whose::Person(person)], window)
        .await?;
    let Some(agenda) = agendas.get(&crate::busy::Whose::Person(person)) else {
        return Ok(vec![]);
    };
    let blocks = agenda.view(caller, org);
    let event_ids: BTreeSet<EventId> = blocks
        .iter()
        .filter_map(|b| b.event.as_deref().and_then(|e| e.parse().ok()))
        .collect();
    // The goal of each event: its plan block's task's, or its meeting notes'.
    let mut goal_of: BTreeMap<EventId, GoalId> = BTreeMap::new();
    let mut task_of: BTreeMap<EventId, TaskId> = BTreeMap::new();
    for e in &event_ids {
        if let Ok(rec) = state.store.event_get(org, *e).await
            && let Some(t) = rec.task
        {
            task_of.insert(*e, t);
        }
    }
    let tasks = state
        .store
        .tasks_by_ids(org, &task_of.values().copied().collect::<Vec<_>>())
        .await?;
    let task_goal: BTreeMap<TaskId, GoalId> = tasks
        .iter()
        .filter_map(|t| t.data.goal.map(|g| (t.id, g)))
        .collect();
    for (e, t) in &task_of {
        if let Some(g) = task_goal.get(t) {
            goal_of.insert(*e, *g);
        }
    }
    for m in state.store.meeting_list(org, window.start, window.end).await? {
        if let Some(g) = m.goal
            && event_ids.contains(&m.event)
        {
            goal_of.entry(m.event).or_insert(g);
        }
    }
    Ok(blocks
        .iter()
        .map(|b| PlannedTime {
            range: b.range,
            goal: b
                .event
                .as_deref()
                .and_then(|e| e.parse::<EventId>().ok())
                .and_then(|e| goal_of.get(&e).copied()),
        })
        .collect())
}

/// The goals a person may pick for a task (theirs), for forms.
pub async fn goals_of(state: &AppState, org: OrgId, person: PersonId) -> ApiResult<Vec<GoalRecord>> {
    Ok(state.store.goal_list(org, Some(person)).await?)
}

/// The view of a goal record (no shares).
pub fn goal_view(g: &GoalRecord, names: &Names) -> GoalView {
    GoalView {
        id: Some(g.id.to_string()),
        title: g.data.title.clone(),
        description: g.data.description.clone(),
        owner: Some(names.person(g.data.owner)),
        starts_on: Some(g.data.starts_on.to_string()),
        ends_on: Some(g.data.ends_on.to_string()),
        status: Some(g.data.status.as_str().to_string()),
        planned_minutes: 0,
        planned_percent: 0,
        open_tasks: 0,
        task_percent: 0,
        underplanned: false,
    }
}
