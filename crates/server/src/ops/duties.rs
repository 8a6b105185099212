//! The responsibility grid: recurring duties with an owner, a backup and a
//! cadence; each person's load; the duties nobody will do (no owner, or an
//! owner away on the next due date with no backup there); and marking an
//! occurrence done.
//!
//! Office managers, principals, assistants and administrators manage duties;
//! staff see the grid; contractors do not. The owner and the backup of a duty
//! may mark it done.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::collect;
use crate::ops::tasks::{Names, PersonRef, person_ref};
use adjutant_core::ValidationError;
use adjutant_core::calendar::Zone;
use adjutant_core::calendar::availability::Availability;
use adjutant_core::ids::{DutyId, OrgId, PersonId};
use adjutant_core::policy::Capability;
use adjutant_core::tasks::duty::{self, DutyData, PersonState};
use adjutant_store::StoreError;
use adjutant_store::duties::{DutyCompletion, DutyRecord};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A duty to add or change. People are ids or e-mail addresses.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// e.g. `finance`, `office`, `board`.
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub backup: Option<String>,
    /// An RRULE, daily or slower, e.g. `FREQ=MONTHLY;BYMONTHDAY=25`.
    pub cadence: String,
    /// The first due date, `2026-12-25`.
    pub anchor: String,
    /// Minutes one occurrence takes, 1–480.
    pub estimate_minutes: u32,
}

/// Marking one occurrence done.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyDoneInput {
    /// The due date done (default: the earliest one not yet done, up to today; else the next).
    #[serde(default)]
    pub due_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A finding about a duty's cover.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverView {
    /// no_owner, owner_inactive, covered_by_backup, uncovered or no_backup.
    pub code: String,
    pub problem: bool,
    pub text: String,
}

/// One occurrence marked done.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletionView {
    pub due_on: String,
    pub done_at: String,
    pub done_by: Option<PersonRef>,
    pub note: String,
}

/// A duty on the grid.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub area: String,
    pub owner: Option<PersonRef>,
    pub backup: Option<PersonRef>,
    pub cadence: String,
    /// The cadence in words, e.g. `monthly on the 25th`.
    pub cadence_label: String,
    pub anchor: String,
    pub estimate_minutes: u32,
    pub next_due: Option<String>,
    /// Who does the next occurrence (the backup when the owner is away).
    pub next_doer: Option<PersonRef>,
    /// An earlier due date not marked done.
    pub overdue_since: Option<String>,
    pub cover: Vec<CoverView>,
    /// Whether someone must act on its cover.
    pub problem: bool,
    pub last_done: Option<CompletionView>,
}

/// One person's share of the grid.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoadView {
    pub person: PersonRef,
    pub owned: usize,
    pub backing: usize,
    /// Minutes of duty work falling to them in the period.
    pub minutes: i64,
    pub covering_minutes: i64,
    pub label: String,
}

/// The whole grid over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GridView {
    pub from: String,
    pub to: String,
    pub duties: Vec<DutyView>,
    pub loads: Vec<LoadView>,
    /// Duties someone must act on.
    pub problems: usize,
}

fn may_read(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ViewDirectory)
}

fn hide<T>(r: Result<T, StoreError>) -> ApiResult<T> {
    r.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("duty"),
        other => other.into(),
    })
}

async fn duty_data(state: &AppState, org: OrgId, input: &DutyInput) -> ApiResult<DutyData> {
    let anchor = input.anchor.trim().parse::<Date>().map_err(|_| {
        ValidationError::field(
            "anchor",
            format!("`{}` is not a date like 2026-12-25", input.anchor.trim()),
        )
    });
    collect(vec![anchor.as_ref().map(|_| ()).map_err(Clone::clone)])?;
    let Ok(anchor) = anchor else {
        return Err(ApiError::internal());
    };
    let owner = match input.owner.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(o) => Some(person_ref(state, org, "owner", o).await?.id),
        None => None,
    };
    let backup = match input.backup.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(b) => Some(person_ref(state, org, "backup", b).await?.id),
        None => None,
    };
    let d = DutyData {
        title: input.title.trim().to_string(),
        description: input.description.clone().unwrap_or_default(),
        area: input.area.clone().unwrap_or_default().trim().to_string(),
        owner,
        backup,
        cadence: input.cadence.trim().trim_start_matches("RRULE:").to_string(),
        anchor,
        estimate_minutes: input.estimate_minutes,
    };
    d.validate()?;
    Ok(d)
}

pub async fn create_duty(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &DutyInput,
) -> ApiResult<DutyRecord> {
    caller.may(org, Capability::ManageDuties)?;
    let d = duty_data(state, org, input).await?;
    Ok(state
        .store
        .duty_create(org, &d, &caller.audit(Timestamp::now()))
        .await?)
}

pub async fn update_duty(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: DutyId,
    input: &DutyInput,
) -> ApiResult<DutyRecord> {
    may_read(caller, org)?;
    hide(state.store.duty_get(org, id).await)?;
    caller.may(org, Capability::ManageDuties)?;
    let d = duty_data(state, org, input).await?;
    Ok(state
        .store
        .duty_update(org, id, &d, &caller.audit(Timestamp::now()))
        .await?)
}

pub async fn delete_duty(state: &AppState, caller: &Caller, org: OrgId, id: DutyId) -> ApiResult<DutyRecord> {
    may_read(caller, org)?;
    hide(state.store.duty_get(org, id).await)?;
    caller.may(org, Capability::ManageDuties)?;
    Ok(state
        .store
        .duty_delete(org, id, &caller.audit(Timestamp::now()))
        .await?)
}

/// Marks one occurrence of a duty done: its owner, its backup, or anyone who manages duties.
pub async fn complete_duty(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: DutyId,
    input: &DutyDoneInput,
) -> ApiResult<DutyCompletion> {
    may_read(caller, org)?;
    let d = hide(state.store.duty_get(org, id).await)?;
    if !may_mark_done(caller, org, d.data.owner, d.data.backup) {
        return Err(ApiError::forbidden(
            "only the duty's owner, its backup, or someone who manages duties marks it done",
        ));
    }
    let note = input.note.clone().unwrap_or_default();
    if note.chars().count() > 1_000 {
        return Err(ValidationError::field("note", "must be at most 1000 characters").into());
    }
    let today = today(caller);
    let due_on = match input.due_on.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => {
            let date = s.trim().parse::<Date>().map_err(|_| {
                ValidationError::field("due_on", format!("`{}` is not a date like 2026-12-08", s.trim()))
            })?;
            let window_end = date.tomorrow().unwrap_or(date);
            if !d.data.due_dates(date, window_end).contains(&date) {
                return Err(ValidationError::field(
                    "due_on",
                    format!(
                        "{date} is not a due date of this duty ({})",
                        d.data.cadence_label()
                    ),
                )
                .into());
            }
            date
        }
        None => overdue_since(&d, today)
            .or_else(|| d.data.next_due(today))
            .ok_or_else(|| ValidationError::field("due_on", "this duty has no due date left"))?,
    };
    Ok(state
        .store
        .duty_complete(org, id, due_on, note.trim(), &caller.audit(Timestamp::now()))
        .await?)
}

/// Whether the caller may mark an occurrence of a duty with this owner and
/// backup done: its owner or its backup (or an assistant acting for them), or
/// someone who manages duties. Pages ask it to offer "Done" only to them.
pub fn may_mark_done(caller: &Caller, org: OrgId, owner: Option<PersonId>, backup: Option<PersonId>) -> bool {
    match caller {
        Caller::System(_) => true,
        Caller::Person(a) => {
            let me = a.actor.acting_for.unwrap_or(a.person.id);
            owner == Some(me) || backup == Some(me) || caller.may(org, Capability::ManageDuties).is_ok()
        }
    }
}

pub(crate) fn today(caller: &Caller) -> Date {
    let zone = match caller {
        Caller::Person(a) => Zone::or_utc(&a.person.time_zone),
        Caller::System(_) => Zone::utc(),
    };
    Timestamp::now().to_zoned(zone.tz().clone()).date()
}

/// The earliest due date on or before `today`, since the duty was set up, that
/// is not marked done (only dates after the last completion count).
fn overdue_since(d: &DutyRecord, today: Date) -> Option<Date> {
    let created = d.created_at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let after = d
        .last_done
        .as_ref()
        .map(|c| c.due_on.tomorrow().unwrap_or(c.due_on));
    let from = after.map_or(created, |a| a.max(created)).max(d.data.anchor);
    let end = today.tomorrow().unwrap_or(today);
    d.data.due_dates(from, end).into_iter().next()
}

/// The grid over `weeks` weeks from today: every duty with its next due date,
/// who does it and what is wrong with its cover, and everyone's load.
pub async fn grid(state: &AppState, caller: &Caller, org: OrgId, weeks: Option<i64>) -> ApiResult<GridView> {
    may_read(caller, org)?;
    let weeks = weeks.unwrap_or(4);
    if !(1..=52).contains(&weeks) {
        return Err(ValidationError::field("weeks", format!("{weeks} is not 1 to 52")).into());
    }
    let duties = state.store.duty_list(org).await?;
    let people = state.store.person_list(org).await?;
    let ids: Vec<PersonId> = people.iter().map(|p| p.id).collect();
    let availability = state.store.availability_for(org, &ids).await?;
    let states: BTreeMap<PersonId, PersonState> = people
        .iter()
        .map(|p| {
            let zone = Zone::or_utc(&p.time_zone);
            let away = availability
                .get(&p.id)
                .map(Availability::out_of_office_ranges)
                .unwrap_or_default();
            (
                p.id,
                PersonState {
                    id: p.id,
                    name: p.name.clone(),
                    active: !p.disabled,
                    away,
                    zone,
                },
            )
        })
        .collect();
    let names = Names::load(state, org).await?;
    let from = today(caller);
    let to = from.checked_add(jiff::Span::new().weeks(weeks)).unwrap_or(from);
    let mut rows = Vec::new();
    for d in &duties {
        let next = d.data.next_due(from);
        let (doer, cover) = duty::cover(&d.data, next, &states);
        let overdue = overdue_since(d, from).filter(|o| *o < from);
        let problem = cover.iter().any(|c| c.problem) || overdue.is_some();
        rows.push(DutyView {
            id: d.id.to_string(),
            title: d.data.title.clone(),
            description: d.data.description.clone(),
            area: d.data.area.clone(),
            owner: d.data.owner.map(|p| names.person(p)),
            backup: d.data.backup.map(|p| names.person(p)),
            cadence: d.data.cadence.clone(),
            cadence_label: d.data.cadence_label(),
            anchor: d.data.anchor.to_string(),
            estimate_minutes: d.data.estimate_minutes,
            next_due: next.map(|n| n.to_string()),
            next_doer: doer.map(|p| names.person(p)),
            overdue_since: overdue.map(|o| o.to_string()),
            cover: cover
                .into_iter()
                .map(|c| CoverView {
                    code: serde_json::to_value(c.code)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    problem: c.problem,
                    text: c.text,
                })
                .collect(),
            problem,
            last_done: d.last_done.as_ref().map(|c| completion_view(c, &names)),
        });
    }
    rows.sort_by(|a, b| b.problem.cmp(&a.problem).then_with(|| a.title.cmp(&b.title)));
    let data: Vec<DutyData> = duties.iter().map(|d| d.data.clone()).collect();
    let loads = duty::loads(&data, &states, from, to);
    let mut load_rows: Vec<LoadView> = loads
        .into_iter()
        .map(|(p, l)| LoadView {
            person: names.person(p),
            owned: l.owned,
            backing: l.backing,
            minutes: l.minutes,
            covering_minutes: l.covering_minutes,
            label: l.label(),
        })
        .collect();
    load_rows.sort_by(|a, b| {
        b.minutes
            .cmp(&a.minutes)
            .then_with(|| a.person.name.cmp(&b.person.name))
    });
    let problems = rows.iter().filter(|r| r.problem).count();
    Ok(GridView {
        from: from.to_string(),
        to: to.to_string(),
        duties: rows,
        loads: load_rows,
        problems,
    })
}

pub fn completion_view(c: &DutyCompletion, names: &Names) -> CompletionView {
    CompletionView {
        due_on: c.due_on.to_string(),
        done_at: c.done_at.to_string(),
        done_by: c.done_by.map(|p| names.person(p)),
        note: c.note.clone(),
    }
}

/// One duty with its recent completions.
pub async fn get_duty(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: DutyId,
) -> ApiResult<(DutyRecord, Vec<DutyCompletion>)> {
    may_read(caller, org)?;
    let d = hide(state.store.duty_get(org, id).await)?;
    let history = state.store.duty_completions(org, id, 50).await?;
    Ok((d, history))
}
