//! Meeting operations: the notes of an event (or of one occurrence of a
//! series) — agenda seeded from what is open, minutes, decisions, action items
//! that become tasks, attached materials — and the recap sent afterwards.
//!
//! Who may do what: whoever sees the event in full reads its notes; whoever
//! may change the event (its organiser, their assistant) or attends it writes
//! them, as in a shared meeting document.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::calendar::{get_event, occurrence_data};
use crate::ops::tasks::{Names, PersonRef, TaskView, parse_due, person_ref, view};
use adjutant_core::ValidationError;
use adjutant_core::calendar::series::{self, Limits};
use adjutant_core::calendar::{EventData, RecurrenceId, Rsvp, TimeRange, Zone};
use adjutant_core::ids::{EventId, GoalId, MaterialId, MeetingId, OrgId, PersonId, TaskId};
use adjutant_core::meetings::{
    self, AgendaItem, Decision, ItemSource, ItemStatus, MeetingNotes, RecapAction, RecapInput, Seed, SeedTask,
};
use adjutant_core::policy::View;
use adjutant_core::tasks::task::{TaskData, TaskStatus};
use adjutant_store::StoreError;
use adjutant_store::calendar::EventRecord;
use adjutant_store::meetings::{MaterialRecord, MeetingRecord};
use adjutant_store::tasks::{TaskFilter, TaskRecord};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// How far back earlier meetings of the same people are searched for open action items.
const SEED_LOOKBACK_DAYS: i64 = 365;

use crate::ops::hide;

/// The people of the organisation an event is for: organiser and attendees
/// who did not decline.
pub fn internal_people(data: &EventData) -> BTreeSet<PersonId> {
    data.attendees
        .iter()
        .filter(|a| a.rsvp != Rsvp::Declined)
        .filter_map(|a| a.person)
        .chain(data.organiser.as_ref().and_then(|o| o.person))
        .collect()
}

/// The event of a meeting, checked readable in full; and whether the caller may write the notes.
async fn event_for(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    event: EventId,
) -> ApiResult<(EventRecord, bool)> {
    let (e, seen, can_edit_event) = get_event(state, caller, org, event).await?;
    if seen != View::Full {
        return Err(ApiError::not_found("event"));
    }
    let attends = caller
        .person()
        .is_some_and(|p| internal_people(&e.data).contains(&p));
    Ok((
        e,
        can_edit_event || attends || matches!(caller, Caller::System(_)),
    ))
}

/// The occurrence's data and start, for a recurring event; the event's for a single one.
fn occurrence(e: &EventRecord, zone: &Zone, occ: Option<&str>) -> ApiResult<(Option<String>, EventData)> {
    match (e.data.is_recurring(), occ.filter(|s| !s.trim().is_empty())) {
        (false, None) => Ok((None, e.data.clone())),
        (false, Some(_)) => Err(ValidationError::field("occurrence", "this event does not repeat").into()),
        (true, None) => Err(ValidationError::field(
            "occurrence",
            "this event repeats: name the occurrence (its original start, e.g. 2026-12-07T09:00:00)",
        )
        .into()),
        (true, Some(s)) => {
            let rid: RecurrenceId = s.parse()?;
            let d = occurrence_data(e, zone, rid).map_err(|mut err| {
                for f in &mut err.errors {
                    f.field = "occurrence".into();
                }
                err
            })?;
            Ok((Some(rid.to_string()), d))
        }
    }
}

async fn calendar_zone(state: &AppState, org: OrgId, e: &EventRecord) -> ApiResult<Zone> {
    Ok(Zone::or_utc(
        &state.store.calendar_get(org, e.calendar).await?.time_zone,
    ))
}

/// Opens the notes of an event (or one occurrence of a series), making them
/// the first time. Only those who may write them open notes not made yet.
pub async fn open_meeting(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    event: EventId,
    occ: Option<&str>,
) -> ApiResult<MeetingRecord> {
    let (e, can_write) = event_for(state, caller, org, event).await?;
    let zone = calendar_zone(state, org, &e).await?;
    let (occ, data) = occurrence(&e, &zone, occ)?;
    if let Some(m) = state.store.meeting_find(org, event, occ.as_deref()).await? {
        return Ok(m);
    }
    if !can_write {
        return Err(ApiError::forbidden(
            "only the organiser, their assistant and the attendees start a meeting's notes",
        ));
    }
    let start = data.start.instant(&zone);
    let now = Timestamp::now();
    let m = state
        .store
        .meeting_ensure(org, event, occ.as_deref(), start, &caller.audit(now))
        .await?;
    // New notes carry the goal and tags of the last meeting of the series, or
    // else of the same people, so tagged tasks come up when the agenda is seeded.
    if m.tags.is_empty() && m.goal.is_none() && m.notes == MeetingNotes::default() {
        let people = internal_people(&data);
        let since = start
            .checked_sub(SignedDuration::from_hours(24 * SEED_LOOKBACK_DAYS))
            .unwrap_or(start);
        let mut earlier: Vec<MeetingRecord> = state
            .store
            .meeting_list(org, since, start)
            .await?
            .into_iter()
            .filter(|x| x.id != m.id && (!x.tags.is_empty() || x.goal.is_some()))
            .collect();
        earlier.sort_by_key(|x| (x.event != event, std::cmp::Reverse(x.starts_at)));
        let mut pick = None;
        for x in earlier {
            let same_series = x.event == event;
            let same = same_series
                || state
                    .store
                    .event_get(org, x.event)
                    .await
                    .is_ok_and(|e| meetings::same_people(&internal_people(&e.data), &people));
            if same {
                pick = Some(x);
                break;
            }
        }
        if let Some(prev) = pick {
            return Ok(state
                .store
                .meeting_update(org, m.id, &m.notes, prev.goal, &prev.tags, &caller.audit(now))
                .await?);
        }
    }
    Ok(m)
}

/// A meeting and its event, checked readable; and whether the caller may write.
async fn meeting_for(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingId,
) -> ApiResult<(MeetingRecord, EventRecord, bool)> {
    let m = hide(state.store.meeting_get(org, id).await, "meeting")?;
    let (e, can_write) = event_for(state, caller, org, m.event)
        .await
        .map_err(|_| ApiError::not_found("meeting"))?;
    Ok((m, e, can_write))
}

async fn writable(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingId,
) -> ApiResult<(MeetingRecord, EventRecord)> {
    let (m, e, can_write) = meeting_for(state, caller, org, id).await?;
    if !can_write {
        return Err(ApiError::forbidden(
            "only the organiser, their assistant and the attendees write a meeting's notes",
        ));
    }
    Ok((m, e))
}

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

/// A file attached to an agenda item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaterialView {
    pub id: String,
    pub item: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub created_at: String,
}

impl From<&MaterialRecord> for MaterialView {
    fn from(m: &MaterialRecord) -> Self {
        MaterialView {
            id: m.id.to_string(),
            item: m.item.clone(),
            filename: m.filename.clone(),
            content_type: m.content_type.clone(),
            size: m.size,
            sha256: m.sha256.clone(),
            created_at: m.created_at.to_string(),
        }
    }
}

/// One agenda item as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaItemView {
    pub id: String,
    pub title: String,
    pub owner: Option<PersonRef>,
    pub minutes: Option<u32>,
    pub notes: String,
    /// open, resolved or deferred.
    pub status: String,
    /// Where a seeded item came from, in words.
    pub source: Option<String>,
    pub materials: Vec<MaterialView>,
}

/// A decision as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub id: String,
    pub text: String,
    pub item: Option<String>,
}

/// Someone at the meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendeeView {
    pub person: Option<PersonRef>,
    pub name: String,
    pub rsvp: String,
    pub required: bool,
}

/// A meeting with everything written about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: String,
    pub event: String,
    pub occurrence: Option<String>,
    pub title: String,
    pub start: String,
    pub end: String,
    /// `Mon 7 Dec 2026, 14:00–15:30 (Europe/Amsterdam)`, in the calendar's zone.
    pub when: String,
    pub time_zone: String,
    pub location: Option<String>,
    pub organiser: Option<PersonRef>,
    pub attendees: Vec<AttendeeView>,
    pub goal: Option<String>,
    pub tags: Vec<String>,
    pub agenda: Vec<AgendaItemView>,
    pub minutes: String,
    pub decisions: Vec<DecisionView>,
    pub action_items: Vec<TaskView>,
    /// Minutes time-boxed on the agenda, and the meeting's length.
    pub agenda_minutes: u32,
    pub meeting_minutes: i64,
    /// The notes of the previous meeting of the series, if any.
    pub previous: Option<String>,
    pub can_edit: bool,
    pub updated_at: String,
}

fn when_label(data: &EventData, zone: &Zone) -> (String, Timestamp, Timestamp) {
    let s = data.start.instant(zone);
    let e = data.end.instant(zone);
    let z = data.start.zone().cloned().unwrap_or_else(|| zone.clone());
    let zs = s.to_zoned(z.tz().clone());
    let ze = e.to_zoned(z.tz().clone());
    let label = if data.start.is_date() {
        format!("{} (all day)", zs.strftime("%a %-d %b %Y"))
    } else {
        format!(
            "{}–{} ({})",
            zs.strftime("%a %-d %b %Y, %H:%M"),
            ze.strftime("%H:%M"),
            z.name()
        )
    };
    (label, s, e)
}

fn source_label(s: &ItemSource, titles: &BTreeMap<TaskId, String>) -> String {
    match s {
        ItemSource::Carried { .. } => "carried over from the previous meeting".into(),
        ItemSource::ActionItem { task } => format!(
            "open action item: {}",
            titles.get(task).cloned().unwrap_or_else(|| "a task".into())
        ),
        ItemSource::Task { task } => format!(
            "task for this meeting: {}",
            titles.get(task).cloned().unwrap_or_else(|| "a task".into())
        ),
    }
}

/// The whole meeting as the caller may see it.
pub async fn get_meeting(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingId,
) -> ApiResult<MeetingView> {
    let (m, e, can_edit) = meeting_for(state, caller, org, id).await?;
    render(state, caller, org, &m, &e, can_edit).await
}

async fn render(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    m: &MeetingRecord,
    e: &EventRecord,
    can_edit: bool,
) -> ApiResult<MeetingView> {
    let zone = calendar_zone(state, org, e).await?;
    let (_, data) = occurrence(e, &zone, m.occurrence.as_deref())?;
    let names = Names::load(state, org).await?;
    let now = Timestamp::now();
    let materials = state.store.materials_of(org, m.id).await?;
    let actions = state
        .store
        .task_list(
            org,
            &TaskFilter {
                from_meeting: Some(m.id),
                ..TaskFilter::default()
            },
        )
        .await?;
    let sourced: Vec<TaskId> = m
        .notes
        .agenda
        .iter()
        .filter_map(|i| match &i.source {
            Some(ItemSource::ActionItem { task } | ItemSource::Task { task }) => Some(*task),
            _ => None,
        })
        .collect();
    let titles: BTreeMap<TaskId, String> = state
        .store
        .tasks_by_ids(org, &sourced)
        .await?
        .into_iter()
        .filter(|t| {
            crate::ops::tasks::task_access(caller, org, &t.data, adjutant_core::policy::Access::Read)
                .is_ok_and(|v| v == View::Full)
        })
        .map(|t| (t.id, t.data.title))
        .collect();
    let (when, start, end) = when_label(&data, &zone);
    let previous = state
        .store
        .meetings_of_event(org, e.id)
        .await?
        .into_iter()
        .rfind(|x| x.starts_at < m.starts_at)
        .map(|x| x.id.to_string());
    Ok(MeetingView {
        id: m.id.to_string(),
        event: e.id.to_string(),
        occurrence: m.occurrence.clone(),
        title: data.summary.clone(),
        start: start.to_string(),
        end: end.to_string(),
        when,
        time_zone: zone.name().to_string(),
        location: data.location.as_ref().map(|l| l.text.clone()),
        organiser: data
            .organiser
            .as_ref()
            .and_then(|o| o.person)
            .map(|p| names.person(p)),
        attendees: data
            .attendees
            .iter()
            .map(|a| AttendeeView {
                person: a.person.map(|p| names.person(p)),
                name: a.name.clone(),
                rsvp: a.rsvp.as_str().into(),
                required: a.is_required(),
            })
            .collect(),
        goal: m.goal.map(|g| g.to_string()),
        tags: m.tags.clone(),
        agenda: m
            .notes
            .agenda
            .iter()
            .map(|i| AgendaItemView {
                id: i.id.clone(),
                title: i.title.clone(),
                owner: i.owner.map(|p| names.person(p)),
                minutes: i.minutes,
                notes: i.notes.clone(),
                status: i.status.as_str().into(),
                source: i.source.as_ref().map(|s| source_label(s, &titles)),
                materials: materials
                    .iter()
                    .filter(|x| x.item == i.id)
                    .map(MaterialView::from)
                    .collect(),
            })
            .collect(),
        minutes: m.notes.minutes.clone(),
        decisions: m
            .notes
            .decisions
            .iter()
            .map(|d| DecisionView {
                id: d.id.clone(),
                text: d.text.clone(),
                item: d.item.clone(),
            })
            .collect(),
        action_items: actions
            .iter()
            .filter_map(|t| view(caller, org, t, &names, now))
            .collect(),
        agenda_minutes: m.notes.planned_minutes(),
        meeting_minutes: end.duration_since(start).as_mins(),
        previous,
        can_edit,
        updated_at: m.updated_at.to_string(),
    })
}

// ---------------------------------------------------------------------------
// Writing notes
// ---------------------------------------------------------------------------

/// One agenda item as written. Items keep their id (and attached files) when it is sent back.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemInput {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    /// Person id or e-mail.
    #[serde(default)]
    pub owner: Option<String>,
    /// Time-box in minutes, 1–480.
    #[serde(default)]
    pub minutes: Option<u32>,
    #[serde(default)]
    pub notes: Option<String>,
    /// open, resolved or deferred.
    #[serde(default)]
    pub status: Option<String>,
}

/// One decision as written.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[serde(default)]
    pub id: Option<String>,
    pub text: String,
    /// The agenda item it settles.
    #[serde(default)]
    pub item: Option<String>,
}

/// Changes to a meeting's notes; absent parts stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    #[serde(default)]
    pub agenda: Option<Vec<AgendaItemInput>>,
    #[serde(default)]
    pub minutes: Option<String>,
    #[serde(default)]
    pub decisions: Option<Vec<DecisionInput>>,
    /// Goal id (`""` clears it).
    #[serde(default)]
    pub goal: Option<String>,
    /// Tasks tagged with one of these come up when the agenda is seeded.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// A short id for an agenda item or a decision, unique within its meeting.
pub fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

async fn apply_input(
    state: &AppState,
    org: OrgId,
    current: &MeetingRecord,
    input: &MeetingInput,
) -> ApiResult<(MeetingNotes, Option<GoalId>, Vec<String>)> {
    let mut notes = current.notes.clone();
    if let Some(items) = &input.agenda {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let existing = it
                .id
                .as_deref()
                .and_then(|id| current.notes.agenda.iter().find(|x| x.id == id));
            let owner = match it.owner.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(o) => Some(person_ref(state, org, &format!("agenda[{i}].owner"), o).await?.id),
                None => None,
            };
            let status = match it.status.as_deref() {
                Some(s) => s.parse::<ItemStatus>().map_err(|e| {
                    errors.extend(e.errors.into_iter().map(|mut f| {
                        f.field = format!("agenda[{i}].status");
                        f
                    }))
                }),
                None => Ok(existing.map_or(ItemStatus::Open, |x| x.status)),
            };
            out.push(AgendaItem {
                id: it
                    .id
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(short_id),
                title: it.title.trim().to_string(),
                owner,
                minutes: it.minutes,
                notes: it.notes.clone().unwrap_or_default(),
                status: status.unwrap_or(ItemStatus::Open),
                source: existing.and_then(|x| x.source.clone()),
                materials: existing.map(|x| x.materials.clone()).unwrap_or_default(),
            });
        }
        if !errors.is_empty() {
            return Err(ValidationError { errors }.into());
        }
        // Files attached to an item that is removed would be lost: refuse.
        for old in &current.notes.agenda {
            if !old.materials.is_empty() && !out.iter().any(|n| n.id == old.id) {
                return Err(ValidationError::field(
                    "agenda",
                    format!(
                        "the item ‘{}’ has files attached; delete them before removing it",
                        old.title
                    ),
                )
                .into());
            }
        }
        notes.agenda = out;
    }
    if let Some(m) = &input.minutes {
        notes.minutes = m.clone();
    }
    if let Some(ds) = &input.decisions {
        notes.decisions = ds
            .iter()
            .map(|d| Decision {
                id: d
                    .id
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(short_id),
                text: d.text.trim().to_string(),
                item: d.item.clone().filter(|s| !s.trim().is_empty()),
            })
            .collect();
    }
    notes.validate()?;
    let goal = match input.goal.as_deref() {
        None => current.goal,
        Some(g) if g.trim().is_empty() => None,
        Some(g) => {
            let id: GoalId = crate::ops::calendar::parse_id("goal", "goal", g)?;
            state.store.goal_get(org, id).await.map_err(|e| match e {
                StoreError::NotFound(_) => ApiError::from(ValidationError::field(
                    "goal",
                    "no such goal in this organisation",
                )),
                other => other.into(),
            })?;
            Some(id)
        }
    };
    let tags = match &input.tags {
        None => current.tags.clone(),
        Some(t) => {
            let mut seen = BTreeSet::new();
            let tags: Vec<String> = t
                .iter()
                .map(|x| x.trim().trim_start_matches('#').to_lowercase())
                .filter(|x| !x.is_empty() && seen.insert(x.clone()))
                .collect();
            if tags.len() > 20 || tags.iter().any(|x| x.chars().count() > 50) {
                return Err(
                    ValidationError::field("tags", "at most 20 tags of at most 50 characters").into(),
                );
            }
            tags
        }
    };
    Ok((notes, goal, tags))
}

/// Changes a meeting's agenda, minutes, decisions, goal or tags.
pub async fn update_meeting(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingId,
    input: &MeetingInput,
) -> ApiResult<MeetingView> {
    let (m, e) = writable(state, caller, org, id).await?;
    let (notes, goal, tags) = apply_input(state, org, &m, input).await?;
    let m = state
        .store
        .meeting_update(org, id, &notes, goal, &tags, &caller.audit(Timestamp::now()))
        .await?;
    render(state, caller, org, &m, &e, true).await
}

/// Seeds the agenda from what is open: the previous meeting's unresolved
/// points, open action items from earlier meetings of the same people, and
/// tasks tagged or linked for this meeting. Returns the view and how many
/// items were added (seeding again adds nothing new).
pub async fn seed_agenda(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingId,
) -> ApiResult<(MeetingView, usize)> {
    let (m, e) = writable(state, caller, org, id).await?;
    let people = internal_people(&e.data);
    let series = state.store.meetings_of_event(org, e.id).await?;
    let previous = series.iter().rfind(|x| x.starts_at < m.starts_at);
    // Earlier meetings of the same people (or the same series).
    let since = m
        .starts_at
        .checked_sub(SignedDuration::from_hours(24 * SEED_LOOKBACK_DAYS))
        .unwrap_or(m.starts_at);
    let mut earlier: BTreeSet<MeetingId> = series.iter().filter(|x| x.id != m.id).map(|x| x.id).collect();
    let mut events: BTreeMap<EventId, Option<BTreeSet<PersonId>>> = BTreeMap::new();
    for other in state.store.meeting_list(org, since, m.starts_at).await? {
        if other.id == m.id || earlier.contains(&other.id) {
            continue;
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = events.entry(other.event) {
            slot.insert(
                state
                    .store
                    .event_get(org, other.event)
                    .await
                    .ok()
                    .map(|x| internal_people(&x.data)),
            );
        }
        if events
            .get(&other.event)
            .and_then(|s| s.as_ref())
            .is_some_and(|set| meetings::same_people(set, &people))
        {
            earlier.insert(other.id);
        }
    }
    let open = state
        .store
        .task_list(
            org,
            &TaskFilter {
                people: people.iter().copied().collect(),
                statuses: vec![TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Waiting],
                ..TaskFilter::default()
            },
        )
        .await?;
    let now = Timestamp::now();
    let seed_task = |t: &TaskRecord| SeedTask {
        id: t.id,
        title: t.data.title.clone(),
        doer: t.data.doer(),
        due_label: match &t.data.due {
            Some(d) if t.data.is_overdue(now) => format!("overdue since {}", d.date),
            Some(d) => format!("due {}", d.date),
            None => String::new(),
        },
    };
    let readable = |t: &&TaskRecord| {
        crate::ops::tasks::task_access(caller, org, &t.data, adjutant_core::policy::Access::Read)
            .is_ok_and(|v| v == View::Full)
    };
    let action_items: Vec<SeedTask> = open
        .iter()
        .filter(|t| t.data.from_meeting.is_some_and(|x| earlier.contains(&x)))
        .filter(readable)
        .map(seed_task)
        .collect();
    let tagged: Vec<SeedTask> = open
        .iter()
        .filter(|t| t.data.from_meeting != Some(m.id))
        .filter(|t| t.data.for_event == Some(e.id) || t.data.tags.iter().any(|x| m.tags.contains(x)))
        .filter(readable)
        .map(seed_task)
        .collect();
    let seed = Seed {
        previous: previous.map(|p| (p.id, &p.notes)),
        open_action_items: action_items,
        tagged_tasks: tagged,
    };
    let added = meetings::seed(&m.notes, &seed, short_id);
    let count = added.len();
    let m = if count == 0 {
        m
    } else {
        let mut notes = m.notes.clone();
        notes.agenda.extend(added);
        notes.validate()?;
        state
            .store
            .meeting_update(org, id, &notes, m.goal, &m.tags, &caller.audit(now))
            .await?
    };
    Ok((render(state, caller, org, &m, &e, true).await?, count))
}

/// An action item to record.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub title: String,
    /// Who takes it: person id or e-mail.
    pub owner: String,
    /// `2026-12-09` or `2026-12-09T15:00` (the owner's zone).
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub estimate_minutes: Option<u32>,
    /// 1–5 (default 3).
    #[serde(default)]
    pub impact: Option<u8>,
}

/// Records action items (they become tasks of their owners, linked to the
/// meeting) together with the minutes so far, in one transaction.
pub async fn add_actions(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingId,
    actions: &[ActionInput],
) -> ApiResult<Vec<TaskRecord>> {
    let (m, _) = writable(state, caller, org, id).await?;
    if actions.is_empty() {
        return Err(ValidationError::field("actions", "name at least one action item").into());
    }
    if actions.len() > 100 {
        return Err(ValidationError::field("actions", "at most 100 at once").into());
    }
    let mut tasks = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        let owner = person_ref(state, org, &format!("actions[{i}].owner"), &a.owner).await?;
        let mut t = TaskData::new(a.title.trim(), owner.id);
        t.notes = a.notes.clone().unwrap_or_default();
        t.from_meeting = Some(m.id);
        t.estimate_minutes = a.estimate_minutes;
        if let Some(i) = a.impact {
            t.impact = i;
        }
        if let Some(d) = a.due.as_deref().filter(|s| !s.trim().is_empty()) {
            t.due = Some(parse_due(d, &Zone::or_utc(&owner.time_zone)).map_err(|e| prefix(e, i))?);
        }
        t.normalise();
        t.validate(None).map_err(|e| prefix(e, i))?;
        tasks.push(t);
    }
    let (_, created) = state
        .store
        .meeting_record(org, id, &m.notes, &tasks, &caller.audit(Timestamp::now()))
        .await?;
    Ok(created)
}

fn prefix(mut e: ValidationError, i: usize) -> ValidationError {
    for f in &mut e.errors {
        f.field = format!("actions[{i}].{}", f.field);
    }
    e
}

/// The recap, as Markdown and as plain text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecapView {
    pub markdown: String,
    pub text: String,
}

pub async fn recap(state: &AppState, caller: &Caller, org: OrgId, id: MeetingId) -> ApiResult<RecapView> {
    let v = get_meeting(state, caller, org, id).await?;
    let input = RecapInput {
        title: v.title.clone(),
        when: v.when.clone(),
        attendees: v
            .organiser
            .iter()
            .map(|o| o.name.clone())
            .chain(
                v.attendees
                    .iter()
                    .filter(|a| a.rsvp != "declined")
                    .map(|a| a.name.clone()),
            )
            .fold(Vec::<String>::new(), |mut acc, n| {
                if !acc.contains(&n) {
                    acc.push(n);
                }
                acc
            }),
        agenda: v
            .agenda
            .iter()
            .map(|i| {
                (
                    AgendaItem {
                        id: i.id.clone(),
                        title: i.title.clone(),
                        owner: None,
                        minutes: i.minutes,
                        notes: i.notes.clone(),
                        status: i.status.parse().unwrap_or(ItemStatus::Open),
                        source: None,
                        materials: vec![],
                    },
                    i.owner.as_ref().map(|o| o.name.clone()),
                )
            })
            .collect(),
        decisions: v.decisions.iter().map(|d| d.text.clone()).collect(),
        actions: v
            .action_items
            .iter()
            .filter(|t| !t.redacted)
            .map(|t| RecapAction {
                title: t.title.clone(),
                owner: t.delegated_to.as_ref().unwrap_or(&t.owner).name.clone(),
                due: t.due.as_ref().map(|d| d.label()).unwrap_or_default(),
            })
            .collect(),
        minutes: v.minutes.clone(),
    };
    Ok(RecapView {
        markdown: meetings::recap_markdown(&input),
        text: meetings::recap_text(&input),
    })
}

// ---------------------------------------------------------------------------
// Materials
// ---------------------------------------------------------------------------

/// Attaches a file to an agenda item (its type is read from its content).
pub async fn upload_material(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MeetingId,
    item: &str,
    filename: &str,
    bytes: &[u8],
) -> ApiResult<MaterialRecord> {
    let (m, _) = writable(state, caller, org, id).await?;
    if !m.notes.agenda.iter().any(|i| i.id == item) {
        return Err(ValidationError::field("item", format!("the agenda has no item `{item}`")).into());
    }
    let kind = meetings::check_material(filename, bytes)?;
    let sha = data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(bytes));
    Ok(state
        .store
        .material_add(
            org,
            id,
            item,
            &kind.filename,
            kind.content_type,
            &sha,
            bytes,
            &caller.audit(Timestamp::now()),
        )
        .await?)
}

/// A file, for someone who may read its meeting.
pub async fn download_material(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MaterialId,
) -> ApiResult<(MaterialRecord, Vec<u8>)> {
    let (rec, bytes) = hide(state.store.material_get(org, id).await, "file")?;
    meeting_for(state, caller, org, rec.meeting)
        .await
        .map_err(|_| ApiError::not_found("file"))?;
    Ok((rec, bytes))
}

pub async fn delete_material(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MaterialId,
) -> ApiResult<MaterialRecord> {
    let (rec, _) = download_material(state, caller, org, id).await?;
    writable(state, caller, org, rec.meeting).await?;
    Ok(state
        .store
        .material_delete(org, id, &caller.audit(Timestamp::now()))
        .await?)
}

// ---------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------

/// A meeting on someone's calendar, with whether notes exist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingListItem {
    pub event: String,
    pub occurrence: Option<String>,
    pub title: String,
    pub start: String,
    pub when: String,
    /// The notes' id, once started.
    pub meeting: Option<String>,
    pub agenda_items: usize,
    pub open_action_items: usize,
}

/// The meetings (events of category meeting with other people) on a person's
/// calendar from `days_back` days ago to `days_ahead` days ahead, as the caller may see them.
pub async fn list_meetings(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: PersonId,
    days_back: i64,
    days_ahead: i64,
) -> ApiResult<Vec<MeetingListItem>> {
    if !(0..=366).contains(&days_back) || !(0..=366).contains(&days_ahead) {
        return Err(ValidationError::field("days", "look at most 366 days back or ahead").into());
    }
    let now = Timestamp::now();
    let window = TimeRange {
        start: now
            .checked_sub(SignedDuration::from_hours(24 * days_back))
            .unwrap_or(now),
        end: now
            .checked_add(SignedDuration::from_hours(24 * days_ahead))
            .unwrap_or(now),
    };
    let events = state
        .store
        .events_in_range(org, &adjutant_store::calendar::EventScope::Person(person), window)
        .await?;
    let notes = state.store.meeting_list(org, window.start, window.end).await?;
    let by_key: BTreeMap<(EventId, Option<String>), &MeetingRecord> = notes
        .iter()
        .map(|m| ((m.event, m.occurrence.clone()), m))
        .collect();
    let open_actions = state
        .store
        .task_list(
            org,
            &TaskFilter {
                statuses: vec![TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Waiting],
                ..TaskFilter::default()
            },
        )
        .await?;
    let mut out = Vec::new();
    for e in events {
        if e.data.category != adjutant_core::calendar::Category::Meeting || e.meeting_request.is_some() {
            continue;
        }
        let Ok((_, seen, _)) = get_event(state, caller, org, e.id).await else {
            continue;
        };
        if seen != View::Full {
            continue;
        }
        let zone = calendar_zone(state, org, &e).await?;
        let Ok(occ) = series::occurrences(&e.data, &e.overrides, &zone, window, &Limits::default()) else {
            continue;
        };
        for o in occ {
            let d = o
                .override_index
                .and_then(|i| e.overrides.get(i))
                .map_or(&e.data, |x| &x.data);
            let rid = o.recurrence_id.map(|r| r.to_string());
            let m = by_key.get(&(e.id, rid.clone())).copied();
            let (when, start, _) = when_label(
                &EventData {
                    start: o.start.clone(),
                    end: o.end.clone(),
                    ..d.clone()
                },
                &zone,
            );
            out.push(MeetingListItem {
                event: e.id.to_string(),
                occurrence: rid,
                title: d.summary.clone(),
                start: start.to_string(),
                when,
                meeting: m.map(|m| m.id.to_string()),
                agenda_items: m.map_or(0, |m| m.notes.agenda.len()),
                open_action_items: m.map_or(0, |m| {
                    open_actions
                        .iter()
                        .filter(|t| t.data.from_meeting == Some(m.id))
                        .count()
                }),
            });
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.title.cmp(&b.title)));
    Ok(out)
}
