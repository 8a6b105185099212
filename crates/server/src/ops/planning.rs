//! Auto-planning operations: a dry run that shows where each open task would
//! land and why, applying it (the blocks become calendar events of category
//! `task`), undoing a whole plan in one action, and re-planning when the
//! calendar changes under an applied plan.
//!
//! The rule itself is the core's (`adjutant_core::tasks::planner`); here the
//! person's availability, busy time (from the busy-time cache, minus the
//! blocks of their own applied plan that the new plan would replace) and open
//! tasks are gathered, and the result is stored through the store's plans.

use crate::app::AppState;
use crate::auth::Caller;
use crate::busy::Whose;
use crate::error::{ApiError, ApiResult};
use crate::ops::tasks::{Names, PersonRef, person_ref, subject};
use adjutant_core::ValidationError;
use adjutant_core::calendar::availability::Availability;
use adjutant_core::calendar::{
    Category, EventData, EventStatus, EventTime, Organiser, Priority, Recurrence, TimeRange, Transparency,
    Zone,
};
use adjutant_core::delegation::Scope;
use adjutant_core::ids::{OrgId, PersonId, PlanId, TaskId};
use adjutant_core::policy::{self, Access, ItemRef, View, Visibility};
use adjutant_core::tasks::planner::{self, Plan, PlanInput, PlanTask};
use adjutant_core::tasks::task::{Quadrant, TaskStatus};
use adjutant_store::plans::{NewBlock, PlanRecord, PlanStatus};
use adjutant_store::tasks::{TaskFilter, TaskRecord};
use adjutant_store::{Person, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// Days ahead a plan covers unless asked otherwise.
pub const DEFAULT_PLAN_DAYS: i64 = 28;
/// The longest plan.
pub const MAX_PLAN_DAYS: i64 = 90;

/// How to plan.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PlanOptions {
    /// Whose tasks (id or e-mail; default: yourself, or whom you act for).
    #[serde(default)]
    pub person: Option<String>,
    /// Days ahead, 1–90 (default 28).
    #[serde(default)]
    pub days: Option<i64>,
    /// The shortest block, 15–240 minutes (default 30).
    #[serde(default)]
    pub min_chunk_minutes: Option<u32>,
    /// The longest block, at least the shortest, at most 480 minutes (default 120).
    #[serde(default)]
    pub max_chunk_minutes: Option<u32>,
}

/// One block of a plan, as people read it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BlockView {
    pub task: String,
    pub title: String,
    pub start: String,
    pub end: String,
    /// `Thu 3 Dec 09:00–10:30` in the person's zone.
    pub when: String,
    pub chunk: u32,
    pub chunks: u32,
    pub reasons: Vec<String>,
}

/// A deadline the plan cannot keep, with why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RiskView {
    pub task: String,
    pub title: String,
    pub code: String,
    pub short_minutes: i64,
    pub text: String,
}

/// A task the plan leaves out, with why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnplacedView {
    pub task: String,
    pub title: String,
    pub reason: String,
}

/// A plan: proposed (dry run) or stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanView {
    /// Set once applied.
    pub id: Option<String>,
    /// proposed, applied, superseded or undone.
    pub status: String,
    pub person: PersonRef,
    pub time_zone: String,
    pub window_start: String,
    pub window_end: String,
    pub blocks: Vec<BlockView>,
    pub at_risk: Vec<RiskView>,
    pub unplaced: Vec<UnplacedView>,
    pub free_minutes: i64,
    pub planned_minutes: i64,
    /// The plan this one replaced (its blocks from the window's start on).
    pub replaced: Option<String>,
    pub created_at: Option<String>,
}

/// Whether the caller may see `person`'s tasks and calendar in full (to plan
/// them) or change their calendar (to apply a plan).
fn may_plan(caller: &Caller, org: OrgId, person: PersonId, acc: Access) -> ApiResult<()> {
    let Caller::Person(a) = caller else {
        return Ok(());
    };
    for scope in [Scope::Tasks, Scope::Calendar] {
        let item = ItemRef {
            org,
            owner: person,
            visibility: Visibility::Confidential,
            scope,
            shared_with_actor: false,
        };
        let need = if scope == Scope::Calendar {
            acc
        } else {
            Access::Read
        };
        match policy::item_access(&a.actor, &item, need) {
            Ok(View::Full) => {}
            Ok(View::BusyOnly) | Err(_) => {
                return Err(ApiError::forbidden(
                    "only the person, or an assistant with their tasks and calendar, plans their time",
                ));
            }
        }
    }
    Ok(())
}

/// The person a plan is for.
async fn planned_person(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    named: Option<&str>,
) -> ApiResult<Person> {
    match named.filter(|s| !s.trim().is_empty()) {
        Some(s) => person_ref(state, org, "person", s).await,
        None => {
            let id = subject(caller, None)?;
            state.store.person_get(org, id).await.map_err(|e| match e {
                StoreError::NotFound(_) => ApiError::not_found("person"),
                other => other.into(),
            })
        }
    }
}

/// Everything a plan is computed from.
struct Gathered {
    person: Person,
    zone: Zone,
    input: PlanInput,
    tasks: BTreeMap<String, TaskRecord>,
    /// Tasks left out before planning (no estimate, waiting), with why.
    skipped: Vec<(TaskRecord, String)>,
}

fn checked_options(o: &PlanOptions) -> Result<(i64, u32, u32), ValidationError> {
    let days = o.days.unwrap_or(DEFAULT_PLAN_DAYS);
    let min = o.min_chunk_minutes.unwrap_or(30);
    let max = o.max_chunk_minutes.unwrap_or(120.max(min));
    let mut errors = Vec::new();
    if !(1..=MAX_PLAN_DAYS).contains(&days) {
        errors.extend(ValidationError::field("days", format!("{days} is not 1 to {MAX_PLAN_DAYS}")).errors);
    }
    if !(15..=240).contains(&min) {
        errors.extend(ValidationError::field("min_chunk_minutes", format!("{min} is not 15 to 240")).errors);
    }
    if max < min || max > 480 {
        errors.extend(
            ValidationError::field(
                "max_chunk_minutes",
                format!("{max} is not {min} (the shortest block) to 480"),
            )
            .errors,
        );
    }
    if errors.is_empty() {
        Ok((days, min, max))
    } else {
        Err(ValidationError { errors })
    }
}

async fn gather(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    o: &PlanOptions,
    now: Timestamp,
) -> ApiResult<Gathered> {
    let (days, min_chunk, max_chunk) = checked_options(o)?;
    let person = planned_person(state, caller, org, o.person.as_deref()).await?;
    may_plan(caller, org, person.id, Access::Read)?;
    let zone = Zone::or_utc(&person.time_zone);
    let window = TimeRange {
        start: now,
        end: now
            .checked_add(SignedDuration::from_hours(24 * days))
            .unwrap_or(now),
    };
    let availability = state
        .store
        .availability_for(org, &[person.id])
        .await?
        .remove(&person.id)
        .unwrap_or_else(|| Availability::default_for(zone.clone()));
    // The blocks the new plan would replace do not count as busy.
    let replaced: BTreeSet<String> = match active_plan(state, org, person.id).await? {
        Some(p) => state
            .store
            .plan_blocks(org, p.id)
            .await?
            .into_iter()
            .filter(|e| e.starts_at >= window.start)
            .map(|e| e.id.to_string())
            .collect(),
        None => BTreeSet::new(),
    };
    let agendas = state
        .busy
        .agendas(&state.store, org, &[Whose::Person(person.id)], window)
        .await?;
    let busy = agendas
        .get(&Whose::Person(person.id))
        .map(|a| a.view(&Caller::System("planner".into()), org))
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.event.as_deref().is_none_or(|e| !replaced.contains(e)))
        .collect();
    let open = TaskFilter {
        people: vec![person.id],
        statuses: vec![TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Waiting],
        ..TaskFilter::default()
    };
    let mine: Vec<TaskRecord> = state
        .store
        .task_list(org, &open)
        .await?
        .into_iter()
        .filter(|t| t.data.doer() == person.id)
        .collect();
    let ids: Vec<TaskId> = mine.iter().map(|t| t.id).collect();
    let elapsed = state.store.task_elapsed_minutes(org, &ids, now).await?;
    let open_ids: BTreeSet<TaskId> = ids.iter().copied().collect();
    // Work someone else owes first: it is expected done by its due moment, so
    // a task waiting for it starts no earlier (an undated one holds nothing up).
    let others: Vec<TaskId> = mine
        .iter()
        .flat_map(|t| t.data.depends_on.iter().copied())
        .filter(|d| !open_ids.contains(d))
        .collect();
    let others_due: BTreeMap<TaskId, Timestamp> = state
        .store
        .tasks_by_ids(org, &others)
        .await?
        .into_iter()
        .filter(|t| t.data.status.is_open())
        .filter_map(|t| t.data.due.as_ref().map(|d| (t.id, d.deadline())))
        .collect();
    let mut skipped = Vec::new();
    let mut plan_tasks = Vec::new();
    let mut tasks = BTreeMap::new();
    for t in mine {
        let d = &t.data;
        let Some(estimate) = d.estimate_minutes else {
            skipped.push((t, "no estimate: add one (e.g. ~30m) to plan it".to_string()));
            continue;
        };
        if d.status == TaskStatus::Waiting {
            skipped.push((t, "waiting on someone else".to_string()));
            continue;
        }
        // Work already planned in the past counts as done; what is left is
        // planned again, at least one shortest block while the task is open.
        let done = elapsed.get(&t.id).copied().unwrap_or(0);
        let remaining = (i64::from(estimate) - done).max(i64::from(min_chunk.min(estimate)));
        plan_tasks.push(PlanTask {
            key: t.id.to_string(),
            title: d.title.clone(),
            remaining_minutes: u32::try_from(remaining).unwrap_or(u32::MAX),
            earliest_start: d
                .start
                .map(|s| zone.start_of_day(s))
                .into_iter()
                .chain(d.depends_on.iter().filter_map(|x| others_due.get(x).copied()))
                .max(),
            deadline: d.due.as_ref().map(|x| x.deadline()),
            priority: d.priority_score(now),
            depends_on: d
                .depends_on
                .iter()
                .filter(|x| open_ids.contains(x))
                .map(ToString::to_string)
                .collect(),
        });
        tasks.insert(t.id.to_string(), t);
    }
    let input = PlanInput {
        now,
        window,
        availability,
        busy,
        tasks: plan_tasks,
        min_chunk_minutes: min_chunk,
        max_chunk_minutes: max_chunk,
        grid_minutes: 15,
    };
    Ok(Gathered {
        person,
        zone,
        input,
        tasks,
        skipped,
    })
}

async fn active_plan(state: &AppState, org: OrgId, person: PersonId) -> ApiResult<Option<PlanRecord>> {
    Ok(state
        .store
        .plan_list(org, person, 20)
        .await?
        .into_iter()
        .find(|p| p.status == PlanStatus::Applied))
}

fn when(zone: &Zone, r: &TimeRange) -> String {
    let s = r.start.to_zoned(zone.tz().clone());
    let e = r.end.to_zoned(zone.tz().clone());
    format!("{}–{}", s.strftime("%a %-d %b %H:%M"), e.strftime("%H:%M"))
}

fn render(g: &Gathered, plan: &Plan, names: &Names) -> PlanView {
    let title = |k: &str| {
        g.tasks
            .get(k)
            .map(|t| t.data.title.clone())
            .unwrap_or_else(|| k.to_string())
    };
    let mut unplaced: Vec<UnplacedView> = g
        .skipped
        .iter()
        .map(|(t, why)| UnplacedView {
            task: t.id.to_string(),
            title: t.data.title.clone(),
            reason: why.clone(),
        })
        .collect();
    unplaced.extend(plan.unplaced.iter().map(|u| UnplacedView {
        task: u.task.clone(),
        title: title(&u.task),
        reason: u.text.clone(),
    }));
    PlanView {
        id: None,
        status: "proposed".into(),
        person: names.person(g.person.id),
        time_zone: g.zone.name().to_string(),
        window_start: g.input.window.start.to_string(),
        window_end: g.input.window.end.to_string(),
        blocks: plan
            .blocks
            .iter()
            .map(|b| BlockView {
                task: b.task.clone(),
                title: title(&b.task),
                start: b.range.start.to_string(),
                end: b.range.end.to_string(),
                when: when(&g.zone, &b.range),
                chunk: b.chunk,
                chunks: b.chunks,
                reasons: b.reasons.iter().map(|r| r.text.clone()).collect(),
            })
            .collect(),
        at_risk: plan
            .at_risk
            .iter()
            .map(|r| RiskView {
                task: r.task.clone(),
                title: title(&r.task),
                code: serde_json::to_value(r.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                short_minutes: r.short_minutes,
                text: r.text.clone(),
            })
            .collect(),
        unplaced,
        free_minutes: plan.free_minutes,
        planned_minutes: plan.planned_minutes,
        replaced: None,
        created_at: None,
    }
}

/// The dry run: where each open task would land and why; nothing is written.
pub async fn preview(state: &AppState, caller: &Caller, org: OrgId, o: &PlanOptions) -> ApiResult<PlanView> {
    let now = Timestamp::now();
    let g = gather(state, caller, org, o, now).await?;
    let plan = planner::plan(&g.input);
    let names = Names::load(state, org).await?;
    Ok(render(&g, &plan, &names))
}

/// Computes and applies a plan: its blocks become events in the person's
/// calendar, replacing their applied plan's blocks from now on.
pub async fn apply(state: &AppState, caller: &Caller, org: OrgId, o: &PlanOptions) -> ApiResult<PlanView> {
    apply_as(state, caller, org, o, "plan.apply").await
}

async fn apply_as(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    o: &PlanOptions,
    why: &str,
) -> ApiResult<PlanView> {
    let now = Timestamp::now();
    let g = gather(state, caller, org, o, now).await?;
    may_plan(caller, org, g.person.id, Access::Write)?;
    let plan = planner::plan(&g.input);
    let names = Names::load(state, org).await?;
    let mut view = render(&g, &plan, &names);
    let blocks: Vec<NewBlock> = plan
        .blocks
        .iter()
        .filter_map(|b| {
            let t = g.tasks.get(&b.task)?;
            Some(NewBlock {
                task: t.id,
                data: block_event(&g.person, &g.zone, t, b, now),
            })
        })
        .collect();
    let summary = serde_json::json!({"view": view, "why": why});
    let rec = state
        .store
        .plan_apply(
            org,
            g.person.id,
            g.input.window,
            &summary,
            &blocks,
            &caller.audit(now),
        )
        .await?;
    view.id = Some(rec.id.to_string());
    view.status = rec.status.as_str().into();
    view.replaced = rec.replaced.map(|p| p.to_string());
    view.created_at = Some(rec.created_at.to_string());
    Ok(view)
}

/// The calendar event of one planned block.
fn block_event(
    person: &Person,
    zone: &Zone,
    t: &TaskRecord,
    b: &planner::PlannedBlock,
    now: Timestamp,
) -> EventData {
    let part = if b.chunks > 1 {
        format!(" ({} of {})", b.chunk, b.chunks)
    } else {
        String::new()
    };
    let reasons: Vec<&str> = b.reasons.iter().map(|r| r.text.as_str()).collect();
    EventData {
        summary: format!("{}{part}", t.data.title),
        description: format!("Planned task block. Why here: {}.", reasons.join("; ")),
        location: None,
        start: EventTime::zoned(zone.local(b.range.start), zone),
        end: EventTime::zoned(zone.local(b.range.end), zone),
        recurrence: Recurrence::default(),
        organiser: Some(Organiser {
            person: Some(person.id),
            email: person.email.clone(),
            name: person.name.clone(),
        }),
        attendees: vec![],
        visibility: t.data.visibility,
        transparency: Transparency::Busy,
        // Do-now work holds its time like a normal meeting; the rest may be
        // proposed to move when find-a-time needs room.
        priority: if t.data.quadrant(now) == Quadrant::DoNow {
            Priority::NORMAL
        } else {
            Priority::LOW
        },
        category: Category::Task,
        status: EventStatus::Confirmed,
    }
}

/// Undoes a plan: its blocks leave the calendar, and the blocks it replaced come back.
pub async fn undo(state: &AppState, caller: &Caller, org: OrgId, id: PlanId) -> ApiResult<PlanView> {
    let p = state.store.plan_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("plan"),
        other => other.into(),
    })?;
    may_plan(caller, org, p.person, Access::Read).map_err(|_| ApiError::not_found("plan"))?;
    may_plan(caller, org, p.person, Access::Write)?;
    let rec = state
        .store
        .plan_undo(org, id, &caller.audit(Timestamp::now()))
        .await?;
    let names = Names::load(state, org).await?;
    Ok(stored_view(&rec, &names))
}

/// A stored plan as it was computed.
pub fn stored_view(p: &PlanRecord, names: &Names) -> PlanView {
    let mut v: PlanView =
        serde_json::from_value::<PlanView>(p.summary["view"].clone()).unwrap_or_else(|_| PlanView {
            id: None,
            status: String::new(),
            person: names.person(p.person),
            time_zone: String::new(),
            window_start: p.window.start.to_string(),
            window_end: p.window.end.to_string(),
            blocks: vec![],
            at_risk: vec![],
            unplaced: vec![],
            free_minutes: 0,
            planned_minutes: 0,
            replaced: None,
            created_at: None,
        });
    v.id = Some(p.id.to_string());
    v.status = p.status.as_str().into();
    v.replaced = p.replaced.map(|r| r.to_string());
    v.created_at = Some(p.created_at.to_string());
    v
}

/// A person's plans, newest first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<(Person, Vec<PlanRecord>)> {
    let p = planned_person(state, caller, org, person).await?;
    may_plan(caller, org, p.id, Access::Read)?;
    Ok((p.clone(), state.store.plan_list(org, p.id, 50).await?))
}

/// One stored plan.
pub async fn get(state: &AppState, caller: &Caller, org: OrgId, id: PlanId) -> ApiResult<PlanRecord> {
    let p = state.store.plan_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("plan"),
        other => other.into(),
    })?;
    may_plan(caller, org, p.person, Access::Read).map_err(|_| ApiError::not_found("plan"))?;
    Ok(p)
}

/// Blocks of `person`'s applied plan that now overlap something else busy on
/// their calendar (a meeting booked over them since): the plan is stale.
pub async fn clashes(state: &AppState, org: OrgId, person: PersonId) -> ApiResult<Vec<String>> {
    let Some(p) = active_plan(state, org, person).await? else {
        return Ok(vec![]);
    };
    let now = Timestamp::now();
    let blocks: Vec<_> = state
        .store
        .plan_blocks(org, p.id)
        .await?
        .into_iter()
        .filter(|e| e.ends_at.is_some_and(|end| end > now))
        .collect();
    let (Some(first), Some(last)) = (
        blocks.iter().map(|b| b.starts_at).min(),
        blocks.iter().filter_map(|b| b.ends_at).max(),
    ) else {
        return Ok(vec![]);
    };
    let window = TimeRange {
        start: first,
        end: last,
    };
    let ids: BTreeSet<String> = blocks.iter().map(|b| b.id.to_string()).collect();
    let agendas = state
        .busy
        .agendas(&state.store, org, &[Whose::Person(person)], window)
        .await?;
    let others: Vec<_> = agendas
        .get(&Whose::Person(person))
        .map(|a| a.view(&Caller::System("planner".into()), org))
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.event.as_deref().is_none_or(|e| !ids.contains(e)))
        .collect();
    let zone = state
        .store
        .person_get(org, person)
        .await
        .map(|p| Zone::or_utc(&p.time_zone))
        .unwrap_or_else(|_| Zone::utc());
    Ok(blocks
        .iter()
        .filter_map(|b| {
            let r = TimeRange {
                start: b.starts_at,
                end: b.ends_at?,
            };
            let hit = others.iter().find(|o| o.range.overlaps(&r))?;
            Some(format!(
                "{} ({}) now overlaps {}",
                b.data.summary,
                when(&zone, &r),
                hit.title.as_deref().unwrap_or("busy time")
            ))
        })
        .collect())
}

/// After a change to the calendars of `people`: re-plans each of them whose
/// applied plan now clashes with their calendar, as the one who made the
/// change (audited `plan.replan`). Failures are logged, never passed on: the
/// change that caused them has already been made.
pub async fn replan_after_change(state: &AppState, caller: &Caller, org: OrgId, people: &[PersonId]) {
    let mut seen = BTreeSet::new();
    for p in people {
        if !seen.insert(*p) {
            continue;
        }
        let stale = match clashes(state, org, *p).await {
            Ok(c) => !c.is_empty(),
            Err(e) => {
                tracing::warn!(person = %p, error = ?e.detail, "checking a plan after a calendar change");
                false
            }
        };
        if !stale {
            continue;
        }
        let o = PlanOptions {
            person: Some(p.to_string()),
            ..PlanOptions::default()
        };
        // The planner acts as the system for a change it was not asked to make,
        // but the audit entry names who caused it.
        let as_system = Caller::System(match caller {
            Caller::Person(a) => format!("re-plan after {}'s change", a.person.name),
            Caller::System(l) => format!("re-plan after {l}"),
        });
        if let Err(e) = apply_as(state, &as_system, org, &o, "plan.replan").await {
            tracing::warn!(person = %p, error = ?e.detail, "re-planning after a calendar change");
        }
    }
}
