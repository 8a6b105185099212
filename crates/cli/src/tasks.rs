//! Commands for tasks, priorities, planning, meetings and duties: `task
//! add|list|show|done|move`, `plan`, `meeting agenda|minutes|recap`, `duties`
//! (with `add` and `done`), `commitments` and `goals` (with `add`). Like the
//! calendar commands they call the same operations as the API, as the caller
//! `cli`, for the person named with `--for` (default `$ADJUTANT_USER`).
//!
//! Task and duty ids are UUIDv7: their first characters are a timestamp, alike
//! for everything made around the same time, while the last ones are random.
//! Lists therefore show the last eight characters, and commands accept the end
//! of an id when it names exactly one task or duty.

use crate::Global;
use crate::calendar::USER_ENV;
use crate::commands::{api, cli, person_by_email, with_store};
use crate::ids::{pick, short};
use crate::output;
use adjutant_core::calendar::Zone;
use adjutant_core::ids::{DutyId, EventId, MeetingId, OrgId, PlanId, TaskId};
use adjutant_core::meetings::{Decision, MeetingNotes};
use adjutant_core::tasks::task::{Due, Quadrant};
use adjutant_server::AppState;
use adjutant_server::ops::duties::{self, DutyDoneInput, DutyInput, GridView};
use adjutant_server::ops::meetings::{
    self as mtg, ActionInput, AgendaItemInput, DecisionInput, MeetingInput, MeetingView,
};
use adjutant_server::ops::planning::{self, PlanOptions, PlanView};
use adjutant_server::ops::tasks::{
    self as ops, CommitmentView, GoalInput, MatrixView, Names, NotUnderstood, QuickAddInput, QuickAddOutcome,
    TaskQuery, TaskView,
};
use adjutant_store::Person;
use adjutant_store::plans::PlanStatus;
use adjutant_store::tasks::TaskFilter;
use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use std::path::PathBuf;

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

#[derive(Subcommand, Debug)]
pub enum TaskCmd {
    /// Add a task from one line of text; parts not understood stay in the title and are listed.
    Add {
        /// e.g. "call Anna about the lease tomorrow 15:00 !high #board ~30m": a date or time,
        /// !low|!high|!critical (or !1–!5), !urgent, #tag, ~30m or ~2h, +project, @person.
        #[arg(required = true, num_args = 1.., value_name = "TEXT")]
        text: Vec<String>,
        /// Whose task (e-mail address) [default: $ADJUTANT_USER].
        #[arg(long = "for", value_name = "EMAIL")]
        for_: Option<String>,
    },
    /// List a person's tasks, overdue first; or, with --matrix, by urgent × important quadrant.
    List(TaskListArgs),
    /// Show one task in full.
    Show {
        /// The task's id, or its end as `task list` shows it.
        id: String,
    },
    /// Mark a task done (a repeating task gets its next one).
    Done {
        /// The task's id, or its end as `task list` shows it.
        id: String,
    },
    /// Move a task into a quadrant: do_now, schedule, delegate or drop.
    Move {
        /// The task's id, or its end as `task list` shows it.
        id: String,
        /// do_now, schedule, delegate or drop.
        quadrant: String,
    },
}

#[derive(Args, Debug)]
pub struct TaskListArgs {
    /// Whose tasks (e-mail address) [default: $ADJUTANT_USER].
    #[arg(long = "for", value_name = "EMAIL")]
    pub for_: Option<String>,
    /// The open tasks by quadrant, and what waits for the person's decision.
    #[arg(long, conflicts_with_all = ["status", "tag"])]
    pub matrix: bool,
    /// open (also in progress and waiting), done, dropped or all [default: open].
    #[arg(long)]
    pub status: Option<String>,
    /// Only tasks with this tag.
    #[arg(long)]
    pub tag: Option<String>,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// Whose tasks and calendar (e-mail address) [default: $ADJUTANT_USER].
    #[arg(long = "for", value_name = "EMAIL")]
    pub for_: Option<String>,
    /// Show where each open task would go and why; nothing is stored (the default).
    #[arg(long, conflicts_with_all = ["apply", "undo"])]
    pub dry_run: bool,
    /// Put the plan on the calendar, replacing the blocks of the plan applied before.
    #[arg(long, conflicts_with = "undo")]
    pub apply: bool,
    /// Undo a plan (default: the person's applied one): its blocks leave the calendar.
    #[arg(long, value_name = "PLAN_ID", num_args = 0..=1)]
    pub undo: Option<Option<String>>,
    /// Days ahead, 1–90 [default: 28].
    #[arg(long, conflicts_with = "undo")]
    pub days: Option<i64>,
    /// The shortest block in minutes, 15–240 [default: 30].
    #[arg(long, value_name = "MINUTES", conflicts_with = "undo")]
    pub min_chunk: Option<u32>,
    /// The longest block in minutes, up to 480 [default: 120].
    #[arg(long, value_name = "MINUTES", conflicts_with = "undo")]
    pub max_chunk: Option<u32>,
}

#[derive(Subcommand, Debug)]
pub enum MeetingCmd {
    /// Open an event's meeting notes (made the first time) and show the agenda.
    Agenda(MeetingAgendaArgs),
    /// Record minutes, decisions and action items (each action item becomes a task of its owner).
    Minutes(MeetingMinutesArgs),
    /// Print the recap to send afterwards (Markdown, or plain text with --text).
    Recap {
        /// The meeting's id, as `meeting agenda` shows it.
        meeting: String,
        /// Plain text instead of Markdown.
        #[arg(long)]
        text: bool,
    },
}

#[derive(Args, Debug)]
pub struct MeetingAgendaArgs {
    /// The event's id.
    pub event: String,
    /// For a recurring event: the occurrence, by its original start, e.g. 2026-12-07T09:00:00.
    #[arg(long, value_name = "ORIGINAL_START")]
    pub occurrence: Option<String>,
    /// Add what is open: the previous meeting's unresolved points, open action items of
    /// earlier meetings of the same people, tasks for this meeting.
    #[arg(long)]
    pub seed: bool,
    /// Add an agenda item with this title.
    #[arg(long, value_name = "TITLE")]
    pub add: Option<String>,
    /// Who leads the added item (e-mail address).
    #[arg(long, value_name = "EMAIL", requires = "add")]
    pub owner: Option<String>,
    /// The added item's time-box in minutes.
    #[arg(long, value_name = "N", requires = "add")]
    pub minutes: Option<u32>,
}

#[derive(Args, Debug)]
pub struct MeetingMinutesArgs {
    /// The meeting's id, as `meeting agenda` shows it.
    pub meeting: String,
    /// The minutes (replaces what was written before).
    #[arg(long, value_name = "TEXT", conflicts_with = "notes_file")]
    pub notes: Option<String>,
    /// Read the minutes from this file (replaces what was written before).
    #[arg(long, value_name = "FILE")]
    pub notes_file: Option<PathBuf>,
    /// A decision taken; repeatable; added to those already recorded.
    #[arg(long = "decision", value_name = "TEXT")]
    pub decisions: Vec<String>,
    /// An action item as "TITLE|OWNER_EMAIL" or "TITLE|OWNER_EMAIL|DUE" (DUE: 2026-12-09 or
    /// 2026-12-09T15:00 in the owner's zone); repeatable; each becomes a task of its owner.
    #[arg(long = "action", value_name = "TITLE|EMAIL[|DUE]")]
    pub actions: Vec<String>,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DutiesArgs {
    #[command(subcommand)]
    pub cmd: Option<DutiesCmd>,
    /// Weeks ahead the loads cover, 1–52 [default: 4].
    #[arg(long)]
    pub weeks: Option<i64>,
}

#[derive(Subcommand, Debug)]
pub enum DutiesCmd {
    /// Add a recurring duty.
    Add {
        #[arg(long)]
        title: String,
        /// Who does it (e-mail address).
        #[arg(long, value_name = "EMAIL")]
        owner: String,
        /// Who does it when the owner is away (e-mail address).
        #[arg(long, value_name = "EMAIL")]
        backup: Option<String>,
        /// An RRULE, daily or slower, e.g. "FREQ=MONTHLY;BYMONTHDAY=25".
        #[arg(long, value_name = "RRULE")]
        cadence: String,
        /// The first due date, e.g. 2026-12-25.
        #[arg(long, value_name = "DATE")]
        anchor: String,
        /// Minutes one occurrence takes, 1–480.
        #[arg(long)]
        minutes: u32,
        /// e.g. finance, office, board.
        #[arg(long)]
        area: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Mark one occurrence of a duty done.
    Done {
        /// The duty's id, or its end as `duties` shows it.
        id: String,
        /// The due date done [default: the earliest not done up to today, else the next].
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
}

/// Just whose.
#[derive(Args, Debug)]
pub struct ForArgs {
    /// Whose (e-mail address) [default: $ADJUTANT_USER].
    #[arg(long = "for", value_name = "EMAIL")]
    pub for_: Option<String>,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GoalsArgs {
    #[command(subcommand)]
    pub cmd: Option<GoalsCmd>,
    /// Whose goals (e-mail address) [default: $ADJUTANT_USER].
    #[arg(long = "for", value_name = "EMAIL")]
    pub for_: Option<String>,
    /// Days ahead whose planned time is counted, 1–366 [default: 28].
    #[arg(long)]
    pub days: Option<i64>,
}

#[derive(Subcommand, Debug)]
pub enum GoalsCmd {
    /// Add a goal.
    Add {
        #[arg(long)]
        title: String,
        /// First day, e.g. 2027-01-01.
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Last day, e.g. 2027-03-31.
        #[arg(long, value_name = "DATE")]
        to: String,
        #[arg(long)]
        description: Option<String>,
        /// Whose goal (e-mail address) [default: $ADJUTANT_USER].
        #[arg(long = "for", value_name = "EMAIL")]
        for_: Option<String>,
    },
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/// The person a command is for: `--for`, else `$ADJUTANT_USER`.
async fn whom(state: &AppState, org: OrgId, given: Option<&str>, what: &str) -> anyhow::Result<Person> {
    let email = match given {
        Some(e) => e.to_string(),
        None => std::env::var(USER_ENV)
            .map_err(|_| anyhow!("name whose {what}: --for EMAIL (or set {USER_ENV})"))?,
    };
    person_by_email(&state.store, org, &email).await
}

async fn task_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<TaskId> {
    if let Ok(id) = given.trim().parse::<TaskId>() {
        return Ok(id);
    }
    let all = state.store.task_list(org, &TaskFilter::default()).await?;
    pick(("task", "tasks"), given, all.iter().map(|t| t.id))
}

async fn duty_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<DutyId> {
    if let Ok(id) = given.trim().parse::<DutyId>() {
        return Ok(id);
    }
    let all = state.store.duty_list(org).await?;
    pick(("duty", "duties"), given, all.iter().map(|d| d.id))
}

fn meeting_id(given: &str) -> anyhow::Result<MeetingId> {
    given
        .trim()
        .parse()
        .map_err(|_| anyhow!("`{given}` is not a meeting id"))
}

/// `30 min`, `2 h`, `1 h 30 min`.
fn duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn impact(n: u8) -> String {
    let word = match n {
        1 => "lowest",
        2 => "low",
        3 => "medium",
        4 => "high",
        _ => "critical",
    };
    format!("{n} ({word})")
}

fn quadrant(q: &str) -> String {
    q.parse::<Quadrant>()
        .map(|q| q.label().to_string())
        .unwrap_or_else(|_| q.to_string())
}

/// `Thu 3 Dec 2026, 15:00 (Europe/Amsterdam)`: the due moment in the zone it was set in.
fn due_long(d: &Due) -> String {
    let day = d.date.strftime("%a %-d %b %Y");
    match d.time {
        Some(t) => format!("{day}, {} ({})", t.strftime("%H:%M"), d.zone.name()),
        None => format!("{day}, by the end of the day ({})", d.zone.name()),
    }
}

/// `Thu 3 Dec 2026 15:00`, for tables.
fn due_short(d: &Due) -> String {
    let day = d.date.strftime("%a %-d %b %Y");
    match d.time {
        Some(t) => format!("{day} {}", t.strftime("%H:%M")),
        None => day.to_string(),
    }
}

fn views(names: &Names, org: OrgId, tasks: &[adjutant_store::tasks::TaskRecord]) -> Vec<TaskView> {
    let now = Timestamp::now();
    tasks
        .iter()
        .filter_map(|t| ops::view(&cli(), org, t, names, now))
        .collect()
}

async fn view_of(
    state: &AppState,
    org: OrgId,
    t: &adjutant_store::tasks::TaskRecord,
) -> anyhow::Result<TaskView> {
    let names = Names::load(state, org).await.map_err(api)?;
    views(&names, org, std::slice::from_ref(t))
        .pop()
        .ok_or_else(|| anyhow!("task not found"))
}

/// What stands out about a task, in a few words.
fn notes_of(t: &TaskView) -> String {
    let mut n = vec![];
    if t.overdue {
        n.push("OVERDUE".to_string());
    }
    if t.status != "open" {
        n.push(t.status.replace('_', " "));
    }
    if t.needs_decision {
        n.push("needs a decision".into());
    }
    if let Some(d) = &t.delegated_to {
        n.push(format!("done by {}", d.name));
    }
    if t.from_meeting.is_some() {
        n.push("action item".into());
    }
    if t.repeat.is_some() {
        n.push("repeats".into());
    }
    n.join(", ")
}

fn task_rows(list: &[TaskView]) -> Vec<Vec<String>> {
    list.iter()
        .map(|t| {
            vec![
                short(&t.id).to_string(),
                t.title.clone(),
                t.due.as_ref().map(due_short).unwrap_or_default(),
                quadrant(&t.quadrant),
                t.impact.to_string(),
                t.estimate_minutes
                    .map(|m| duration(i64::from(m)))
                    .unwrap_or_default(),
                t.tags
                    .iter()
                    .map(|x| format!("#{x}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                notes_of(t),
            ]
        })
        .collect()
}

const TASK_HEADER: [&str; 8] = [
    "ID", "TASK", "DUE", "QUADRANT", "IMPACT", "ESTIMATE", "TAGS", "NOTES",
];

/// A task in a few labelled lines.
fn print_task(t: &TaskView, full: bool) {
    let field = |k: &str, v: &str| output::line(&format!("  {k:<10}{v}"));
    field(
        "due",
        &t.due
            .as_ref()
            .map(|d| {
                let mut s = due_long(d);
                if t.overdue {
                    s.push_str(" — overdue");
                }
                s
            })
            .unwrap_or_else(|| "—".into()),
    );
    field("impact", &impact(t.impact));
    field(
        "tags",
        &if t.tags.is_empty() {
            "—".to_string()
        } else {
            t.tags
                .iter()
                .map(|x| format!("#{x}"))
                .collect::<Vec<_>>()
                .join(" ")
        },
    );
    field(
        "estimate",
        &t.estimate_minutes
            .map(|m| duration(i64::from(m)))
            .unwrap_or_else(|| "—".into()),
    );
    field(
        "quadrant",
        &format!(
            "{} (urgency {} of 5, {})",
            quadrant(&t.quadrant),
            t.urgency_now,
            match (t.urgency, &t.due) {
                (Some(_), _) => "as set",
                (None, Some(_)) => "from the due date",
                (None, None) => "no due date",
            }
        ),
    );
    if let Some(p) = &t.project {
        field("project", p);
    }
    if let Some(d) = &t.delegated_to {
        field("done by", &d.name);
    }
    if !full {
        return;
    }
    field("owner", &t.owner.name);
    field("status", &t.status.replace('_', " "));
    if t.needs_decision {
        field("decision", "waits for the owner's decision");
    }
    if let Some(s) = &t.start {
        field("start", s);
    }
    if let Some(r) = &t.repeat {
        field("repeats", r);
    }
    if !t.depends_on.is_empty() {
        field("after", &t.depends_on.join(", "));
    }
    if let Some(m) = &t.from_meeting {
        field("meeting", m);
    }
    if t.visibility != "normal" {
        field("visibility", &t.visibility);
    }
    if !t.shared_with.is_empty() {
        field(
            "shared",
            &t.shared_with
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if let Some(c) = &t.completed_at {
        field("done at", c);
    }
    if !t.notes.is_empty() {
        field("notes", &t.notes);
    }
    field("id", &t.id);
}

// ---------------------------------------------------------------------------
// task
// ---------------------------------------------------------------------------

pub async fn task(g: &Global, cmd: TaskCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| task_in(g, &state, org, cmd).await)
}

async fn task_in(g: &Global, state: &AppState, org: OrgId, cmd: TaskCmd) -> anyhow::Result<()> {
    match cmd {
        TaskCmd::Add { text, for_ } => {
            let owner = whom(state, org, for_.as_deref(), "task").await?;
            let input = QuickAddInput {
                text: text.join(" "),
                owner: Some(owner.id.to_string()),
            };
            let (rec, not_understood) = ops::quick_add(state, &cli(), org, &input).await.map_err(api)?;
            let task = view_of(state, org, &rec).await?;
            if g.json {
                output::json(&QuickAddOutcome { task, not_understood });
                return Ok(());
            }
            output::line(&format!(
                "Added “{}” for {}, id {}",
                task.title,
                owner.name,
                short(&task.id)
            ));
            print_task(&task, false);
            for NotUnderstood { text, message } in &not_understood {
                output::line(&format!("  not understood: {text} — {message}"));
            }
            Ok(())
        }
        TaskCmd::List(a) => {
            let p = whom(state, org, a.for_.as_deref(), "tasks").await?;
            if a.matrix {
                let m = ops::matrix(state, &cli(), org, Some(&p.id.to_string()))
                    .await
                    .map_err(api)?;
                if g.json {
                    output::json(&m);
                } else {
                    print_matrix(&m);
                }
                return Ok(());
            }
            let q = TaskQuery {
                person: Some(p.id.to_string()),
                status: a.status.clone(),
                tag: a.tag.clone(),
                ..TaskQuery::default()
            };
            let (_, tasks) = ops::list_tasks(state, &cli(), org, &q).await.map_err(api)?;
            let names = Names::load(state, org).await.map_err(api)?;
            let mut list = views(&names, org, &tasks);
            // Soonest due first comes from the store; overdue ones go to the very top.
            list.sort_by_key(|t| !t.overdue);
            if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line(&format!("{} has no tasks here.", p.name));
            } else {
                output::table(&TASK_HEADER, &task_rows(&list));
            }
            Ok(())
        }
        TaskCmd::Show { id } => {
            let id = task_id(state, org, &id).await?;
            let t = ops::get_task(state, &cli(), org, id).await.map_err(api)?;
            let v = view_of(state, org, &t).await?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!("“{}”", v.title));
                print_task(&v, true);
            }
            Ok(())
        }
        TaskCmd::Done { id } => {
            let id = task_id(state, org, &id).await?;
            let (t, next) = ops::complete_task(state, &cli(), org, id).await.map_err(api)?;
            let v = view_of(state, org, &t).await?;
            let next = match next {
                Some(n) => Some(view_of(state, org, &n).await?),
                None => None,
            };
            if g.json {
                output::json(&serde_json::json!({"task": v, "next": next}));
                return Ok(());
            }
            output::line(&format!("Done: “{}”.", v.title));
            if let Some(n) = next {
                output::line(&format!(
                    "It repeats: the next one is due {}, id {}.",
                    n.due.as_ref().map(due_long).unwrap_or_else(|| "—".into()),
                    short(&n.id)
                ));
            }
            Ok(())
        }
        TaskCmd::Move { id, quadrant: q } => {
            let id = task_id(state, org, &id).await?;
            let t = ops::move_task(state, &cli(), org, id, &q).await.map_err(api)?;
            let v = view_of(state, org, &t).await?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Moved “{}” to {} (impact {}, urgency {}).",
                    v.title,
                    quadrant(&v.quadrant),
                    v.impact,
                    v.urgency_now
                ));
            }
            Ok(())
        }
    }
}

fn print_matrix(m: &MatrixView) {
    output::line(&format!(
        "{}'s open tasks by urgency and importance",
        m.person.name
    ));
    let sections: [(&str, &str, &Vec<TaskView>); 5] = [
        ("Do now", "urgent and important", &m.do_now),
        (
            "Schedule",
            "important, not urgent: put it on the calendar",
            &m.schedule,
        ),
        (
            "Delegate",
            "urgent, not important: someone else should do it",
            &m.delegate,
        ),
        ("Drop", "neither: consider dropping it", &m.drop),
        (
            "Needs your decision",
            "waiting for the owner to decide",
            &m.decisions,
        ),
    ];
    for (title, what, list) in sections {
        output::line("");
        output::line(&format!("{title} ({}) — {what}", list.len()));
        if list.is_empty() {
            output::line("  —");
            continue;
        }
        for t in list.iter() {
            let mut extra = vec![];
            if let Some(d) = &t.due {
                extra.push(format!("due {}", due_short(d)));
            }
            if let Some(e) = t.estimate_minutes {
                extra.push(duration(i64::from(e)));
            }
            let n = notes_of(t);
            if !n.is_empty() {
                extra.push(n);
            }
            output::line(&format!(
                "  {}  {}{}",
                short(&t.id),
                t.title,
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", extra.join(", "))
                }
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// plan
// ---------------------------------------------------------------------------

pub async fn plan(g: &Global, a: PlanArgs) -> anyhow::Result<()> {
    with_store!(g, |state, org| plan_in(g, &state, org, a).await)
}

async fn plan_in(g: &Global, state: &AppState, org: OrgId, a: PlanArgs) -> anyhow::Result<()> {
    if let Some(which) = a.undo {
        let id: PlanId = match which {
            Some(id) => id
                .trim()
                .parse()
                .map_err(|_| anyhow!("`{id}` is not a plan id"))?,
            None => {
                let p = whom(state, org, a.for_.as_deref(), "plan").await?;
                let (_, plans) = planning::list(state, &cli(), org, Some(&p.id.to_string()))
                    .await
                    .map_err(api)?;
                plans
                    .iter()
                    .find(|x| x.status == PlanStatus::Applied)
                    .map(|x| x.id)
                    .ok_or_else(|| anyhow!("{} has no applied plan to undo", p.name))?
            }
        };
        let v = planning::undo(state, &cli(), org, id).await.map_err(api)?;
        if g.json {
            output::json(&v);
        } else {
            output::line(&format!(
                "Undid plan {}: its {} block(s) left {}'s calendar.",
                v.id.as_deref().unwrap_or_default(),
                v.blocks.len(),
                v.person.name
            ));
            if let Some(r) = &v.replaced {
                output::line(&format!(
                    "The blocks of plan {r}, which it had replaced, are back."
                ));
            }
        }
        return Ok(());
    }
    let p = whom(state, org, a.for_.as_deref(), "plan").await?;
    let o = PlanOptions {
        person: Some(p.id.to_string()),
        days: a.days,
        min_chunk_minutes: a.min_chunk,
        max_chunk_minutes: a.max_chunk,
    };
    let v = if a.apply {
        planning::apply(state, &cli(), org, &o).await
    } else {
        planning::preview(state, &cli(), org, &o).await
    }
    .map_err(api)?;
    if g.json {
        output::json(&v);
    } else {
        print_plan(&v, a.apply);
    }
    Ok(())
}

fn print_plan(v: &PlanView, applied: bool) {
    let zone = Zone::or_utc(&v.time_zone);
    let day_of = |s: &str| s.parse::<Timestamp>().ok().map(|t| zone.local(t));
    let span = match (day_of(&v.window_start), day_of(&v.window_end)) {
        (Some(s), Some(e)) => format!(", {} to {}", s.strftime("%a %-d %b"), e.strftime("%a %-d %b %Y")),
        _ => String::new(),
    };
    output::line(&format!("Plan for {} ({}){span}", v.person.name, zone.name()));
    if applied {
        output::line(&format!(
            "Applied as plan {}: {} block(s) are on the calendar{}.",
            v.id.as_deref().unwrap_or_default(),
            v.blocks.len(),
            v.replaced
                .as_ref()
                .map(|r| format!(", replacing those of plan {r}"))
                .unwrap_or_default()
        ));
    } else {
        output::line("A dry run: nothing is stored. Run with --apply to put it on the calendar.");
    }
    output::line(&format!(
        "{} planned of {} free.",
        duration(v.planned_minutes),
        duration(v.free_minutes)
    ));
    let mut day = None;
    for b in &v.blocks {
        let local = day_of(&b.start);
        let this = local.map(|l| l.date());
        if this != day {
            day = this;
            output::line("");
            output::line(
                &local
                    .map(|l| l.strftime("%A %-d %B %Y").to_string())
                    .unwrap_or_default(),
            );
        }
        let time = match (local, day_of(&b.end)) {
            (Some(s), Some(e)) => format!("{}–{}", s.strftime("%H:%M"), e.strftime("%H:%M")),
            _ => b.when.clone(),
        };
        let part = if b.chunks > 1 {
            format!(" ({} of {})", b.chunk, b.chunks)
        } else {
            String::new()
        };
        output::line(&format!("  {time}  {}{part}  [{}]", b.title, short(&b.task)));
        if !b.reasons.is_empty() {
            output::line(&format!("               why: {}", b.reasons.join("; ")));
        }
    }
    if !v.at_risk.is_empty() {
        output::line("");
        output::line("Deadlines at risk:");
        for r in &v.at_risk {
            output::line(&format!("  {} [{}]: {}", r.title, short(&r.task), r.text));
        }
    }
    if !v.unplaced.is_empty() {
        output::line("");
        output::line("Not planned:");
        for u in &v.unplaced {
            output::line(&format!("  {} [{}]: {}", u.title, short(&u.task), u.reason));
        }
    }
}

// ---------------------------------------------------------------------------
// meeting
// ---------------------------------------------------------------------------

pub async fn meeting(g: &Global, cmd: MeetingCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| meeting_in(g, &state, org, cmd).await)
}

async fn meeting_in(g: &Global, state: &AppState, org: OrgId, cmd: MeetingCmd) -> anyhow::Result<()> {
    match cmd {
        MeetingCmd::Agenda(a) => {
            let event: EventId = a
                .event
                .trim()
                .parse()
                .map_err(|_| anyhow!("`{}` is not an event id", a.event))?;
            let m = mtg::open_meeting(state, &cli(), org, event, a.occurrence.as_deref())
                .await
                .map_err(api)?;
            let mut seeded = None;
            if a.seed {
                let (_, n) = mtg::seed_agenda(state, &cli(), org, m.id).await.map_err(api)?;
                seeded = Some(n);
            }
            let mut v = mtg::get_meeting(state, &cli(), org, m.id).await.map_err(api)?;
            if let Some(title) = &a.add {
                // The agenda is written whole: the items there keep their ids
                // (and so their attached files), the new one goes last.
                let mut items: Vec<AgendaItemInput> = v
                    .agenda
                    .iter()
                    .map(|i| AgendaItemInput {
                        id: Some(i.id.clone()),
                        title: i.title.clone(),
                        owner: i.owner.as_ref().map(|o| o.id.clone()),
                        minutes: i.minutes,
                        notes: Some(i.notes.clone()),
                        status: Some(i.status.clone()),
                    })
                    .collect();
                items.push(AgendaItemInput {
                    id: None,
                    title: title.clone(),
                    owner: a.owner.clone(),
                    minutes: a.minutes,
                    notes: None,
                    status: None,
                });
                let input = MeetingInput {
                    agenda: Some(items),
                    ..MeetingInput::default()
                };
                v = mtg::update_meeting(state, &cli(), org, m.id, &input)
                    .await
                    .map_err(api)?;
            }
            if g.json {
                output::json(&v);
                return Ok(());
            }
            meeting_header(&v);
            if let Some(n) = seeded {
                output::line(&format!("Seeding added {n} item(s)."));
            }
            print_agenda(&v);
            Ok(())
        }
        MeetingCmd::Minutes(a) => minutes(g, state, org, a).await,
        MeetingCmd::Recap { meeting, text } => {
            let id = meeting_id(&meeting)?;
            let r = mtg::recap(state, &cli(), org, id).await.map_err(api)?;
            if g.json {
                output::json(&r);
                return Ok(());
            }
            let body = if text { r.text } else { r.markdown };
            output::raw(&body);
            if !body.ends_with('\n') {
                output::line("");
            }
            Ok(())
        }
    }
}

/// `TITLE|EMAIL` or `TITLE|EMAIL|DUE`.
fn action(spec: &str) -> anyhow::Result<ActionInput> {
    let parts: Vec<&str> = spec.split('|').map(str::trim).collect();
    let (title, owner, due) = match parts.as_slice() {
        [t, o] => (*t, *o, None),
        [t, o, d] => (*t, *o, Some(*d)),
        _ => bail!("--action: `{spec}` is not TITLE|OWNER_EMAIL or TITLE|OWNER_EMAIL|DUE"),
    };
    if owner.is_empty() {
        bail!("--action: `{spec}` names no owner (TITLE|OWNER_EMAIL[|DUE])");
    }
    Ok(ActionInput {
        title: title.to_string(),
        owner: owner.to_string(),
        due: due.filter(|d| !d.is_empty()).map(str::to_string),
        notes: None,
        estimate_minutes: None,
        impact: None,
    })
}

async fn minutes(g: &Global, state: &AppState, org: OrgId, a: MeetingMinutesArgs) -> anyhow::Result<()> {
    let id = meeting_id(&a.meeting)?;
    let notes = match (&a.notes, &a.notes_file) {
        (Some(n), _) => Some(n.clone()),
        (None, Some(f)) => {
            Some(std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?)
        }
        (None, None) => None,
    };
    let actions = a
        .actions
        .iter()
        .map(|s| action(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let before = mtg::get_meeting(state, &cli(), org, id).await.map_err(api)?;
    let decisions: Option<Vec<DecisionInput>> = (!a.decisions.is_empty()).then(|| {
        before
            .decisions
            .iter()
            .map(|d| DecisionInput {
                id: Some(d.id.clone()),
                text: d.text.clone(),
                item: d.item.clone(),
            })
            .chain(a.decisions.iter().map(|t| DecisionInput {
                id: None,
                text: t.clone(),
                item: None,
            }))
            .collect()
    });
    // Action items and the notes are two writes. The notes are checked by the
    // core's own rules before the first one, so a fault in either leaves the
    // meeting as it was; the action items check everything before they write.
    if notes.is_some() || decisions.is_some() {
        let check = MeetingNotes {
            agenda: vec![],
            minutes: notes.clone().unwrap_or_default(),
            decisions: decisions
                .iter()
                .flatten()
                .map(|d| Decision {
                    id: d.id.clone().unwrap_or_default(),
                    text: d.text.clone(),
                    item: None,
                })
                .collect(),
        };
        check.validate().map_err(|e| anyhow!(e.summary()))?;
    }
    let mut created = vec![];
    if !actions.is_empty() {
        created = mtg::add_actions(state, &cli(), org, id, &actions)
            .await
            .map_err(api)?;
    }
    if notes.is_some() || decisions.is_some() {
        let input = MeetingInput {
            minutes: notes,
            decisions,
            ..MeetingInput::default()
        };
        mtg::update_meeting(state, &cli(), org, id, &input)
            .await
            .map_err(api)?;
    }
    let v = mtg::get_meeting(state, &cli(), org, id).await.map_err(api)?;
    if g.json {
        let names = Names::load(state, org).await.map_err(api)?;
        output::json(&serde_json::json!({
            "meeting": v,
            "created_tasks": views(&names, org, &created),
        }));
        return Ok(());
    }
    meeting_header(&v);
    if !created.is_empty() {
        output::line(&format!(
            "Recorded {} action item(s); each is now a task of its owner.",
            created.len()
        ));
    }
    output::line("");
    output::line("Minutes:");
    if v.minutes.trim().is_empty() {
        output::line("  —");
    }
    for l in v.minutes.lines() {
        output::line(&format!("  {l}"));
    }
    output::line("");
    output::line(&format!("Decisions ({}):", v.decisions.len()));
    for d in &v.decisions {
        output::line(&format!("  - {}", d.text));
    }
    output::line("");
    output::line(&format!("Action items ({}):", v.action_items.len()));
    if !v.action_items.is_empty() {
        output::table(
            &["ID", "ACTION", "WHO", "DUE", "STATUS"],
            &v.action_items
                .iter()
                .map(|t| {
                    vec![
                        short(&t.id).to_string(),
                        t.title.clone(),
                        t.delegated_to.as_ref().unwrap_or(&t.owner).name.clone(),
                        t.due.as_ref().map(due_short).unwrap_or_default(),
                        t.status.replace('_', " "),
                    ]
                })
                .collect::<Vec<_>>(),
        );
    }
    Ok(())
}

fn meeting_header(v: &MeetingView) {
    output::line(&format!("{} — {}", v.title, v.when));
    output::line(&format!(
        "Meeting {} (event {}{})",
        v.id,
        v.event,
        v.occurrence
            .as_ref()
            .map(|o| format!(", occurrence {o}"))
            .unwrap_or_default()
    ));
}

fn print_agenda(v: &MeetingView) {
    output::line(&format!(
        "Agenda: {} item(s), {} of {} minutes time-boxed",
        v.agenda.len(),
        v.agenda_minutes,
        v.meeting_minutes
    ));
    if v.agenda.is_empty() {
        output::line("  (empty: add items with --add, or --seed from what is open)");
        return;
    }
    output::table(
        &["#", "ITEM", "OWNER", "TIME-BOX", "STATUS", "FROM"],
        &v.agenda
            .iter()
            .enumerate()
            .map(|(i, item)| {
                vec![
                    (i + 1).to_string(),
                    item.title.clone(),
                    item.owner.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
                    item.minutes.map(|m| format!("{m} min")).unwrap_or_default(),
                    item.status.clone(),
                    item.source.clone().unwrap_or_default(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

// ---------------------------------------------------------------------------
// duties
// ---------------------------------------------------------------------------

pub async fn duties(g: &Global, a: DutiesArgs) -> anyhow::Result<()> {
    with_store!(g, |state, org| duties_in(g, &state, org, a).await)
}

async fn duties_in(g: &Global, state: &AppState, org: OrgId, a: DutiesArgs) -> anyhow::Result<()> {
    match a.cmd {
        None => {
            let grid = duties::grid(state, &cli(), org, a.weeks).await.map_err(api)?;
            if g.json {
                output::json(&grid);
            } else {
                print_grid(&grid);
            }
            Ok(())
        }
        Some(DutiesCmd::Add {
            title,
            owner,
            backup,
            cadence,
            anchor,
            minutes,
            area,
            description,
        }) => {
            let input = DutyInput {
                title,
                description,
                area,
                owner: Some(owner),
                backup,
                cadence,
                anchor,
                estimate_minutes: minutes,
            };
            let d = duties::create_duty(state, &cli(), org, &input)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&d);
            } else {
                output::line(&format!(
                    "Added the duty “{}” ({}, {}), id {}",
                    d.data.title,
                    d.data.cadence_label(),
                    duration(i64::from(d.data.estimate_minutes)),
                    short(&d.id.to_string())
                ));
            }
            Ok(())
        }
        Some(DutiesCmd::Done { id, date, note }) => {
            let id = duty_id(state, org, &id).await?;
            let input = DutyDoneInput { due_on: date, note };
            let c = duties::complete_duty(state, &cli(), org, id, &input)
                .await
                .map_err(api)?;
            let names = Names::load(state, org).await.map_err(api)?;
            let (d, _) = duties::get_duty(state, &cli(), org, id).await.map_err(api)?;
            if g.json {
                output::json(&serde_json::json!({
                    "duty": id.to_string(),
                    "completion": duties::completion_view(&c, &names),
                }));
            } else {
                output::line(&format!(
                    "Done: “{}” due {}{}.",
                    d.data.title,
                    c.due_on,
                    d.data
                        .next_due(c.due_on.tomorrow().unwrap_or(c.due_on))
                        .map(|n| format!("; next due {n}"))
                        .unwrap_or_default()
                ));
            }
            Ok(())
        }
    }
}

fn print_grid(grid: &GridView) {
    output::line(&format!(
        "Duties from {} to {}: {} {} attention",
        grid.from,
        grid.to,
        grid.problems,
        if grid.problems == 1 { "needs" } else { "need" }
    ));
    if grid.duties.is_empty() {
        output::line("No duties yet; add one with `adjutant duties add`.");
        return;
    }
    output::table(
        &[
            "", "ID", "DUTY", "AREA", "CADENCE", "NEXT DUE", "NEXT BY", "OWNER", "BACKUP", "TIME", "COVER",
        ],
        &grid
            .duties
            .iter()
            .map(|d| {
                let mut cover: Vec<String> = d
                    .overdue_since
                    .iter()
                    .map(|o| format!("overdue since {o}"))
                    .collect();
                cover.extend(d.cover.iter().map(|c| c.text.clone()));
                vec![
                    if d.problem { "!" } else { "" }.to_string(),
                    short(&d.id).to_string(),
                    d.title.clone(),
                    d.area.clone(),
                    d.cadence_label.clone(),
                    d.next_due.clone().unwrap_or_else(|| "—".into()),
                    d.next_doer
                        .as_ref()
                        .map(|p| p.name.clone())
                        .unwrap_or_else(|| "nobody".into()),
                    d.owner.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
                    d.backup.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
                    duration(i64::from(d.estimate_minutes)),
                    cover.join("; "),
                ]
            })
            .collect::<Vec<_>>(),
    );
    output::line("");
    output::line("Load per person:");
    output::table(
        &["PERSON", "OWNS", "BACKS UP", "DUTY TIME", "COVERING"],
        &grid
            .loads
            .iter()
            .map(|l| {
                vec![
                    l.person.name.clone(),
                    l.owned.to_string(),
                    l.backing.to_string(),
                    l.label.clone(),
                    if l.covering_minutes > 0 {
                        duration(l.covering_minutes)
                    } else {
                        String::new()
                    },
                ]
            })
            .collect::<Vec<_>>(),
    );
}

// ---------------------------------------------------------------------------
// commitments and goals
// ---------------------------------------------------------------------------

pub async fn commitments(g: &Global, a: ForArgs) -> anyhow::Result<()> {
    with_store!(g, |state, org| {
        let p = whom(&state, org, a.for_.as_deref(), "commitments").await?;
        let c = ops::commitments_of(&state, &cli(), org, Some(&p.id.to_string()))
            .await
            .map_err(api)?;
        if g.json {
            output::json(&c);
            return Ok(());
        }
        let rows = |list: &[CommitmentView]| -> Vec<Vec<String>> {
            list.iter()
                .map(|c| {
                    vec![
                        short(&c.task.id).to_string(),
                        c.task.title.clone(),
                        c.counterpart.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
                        c.task.due.as_ref().map(due_short).unwrap_or_default(),
                        c.kind.replace('_', " "),
                        if c.task.overdue { "OVERDUE" } else { "" }.to_string(),
                    ]
                })
                .collect()
        };
        for (i, (title, list, who)) in [
            (format!("{} owes", c.person.name), &c.owes, "TO"),
            (format!("Owed to {}", c.person.name), &c.owed, "BY"),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                output::line("");
            }
            output::line(&format!("{title} ({}):", list.len()));
            if list.is_empty() {
                output::line("  —");
            } else {
                output::table(&["ID", "WHAT", who, "DUE", "KIND", ""], &rows(list));
            }
        }
        Ok(())
    })
}

pub async fn goals(g: &Global, a: GoalsArgs) -> anyhow::Result<()> {
    with_store!(g, |state, org| match a.cmd {
        Some(GoalsCmd::Add {
            title,
            from,
            to,
            description,
            for_,
        }) => {
            let p = whom(&state, org, for_.as_deref(), "goal").await?;
            let input = GoalInput {
                title,
                description,
                owner: Some(p.id.to_string()),
                starts_on: from,
                ends_on: to,
                status: None,
            };
            let rec = ops::create_goal(&state, &cli(), org, &input).await.map_err(api)?;
            let names = Names::load(&state, org).await.map_err(api)?;
            let v = ops::goal_view(&rec, &names);
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Added the goal “{}” for {}, {} to {}, id {}",
                    v.title, p.name, rec.data.starts_on, rec.data.ends_on, rec.id
                ));
            }
            Ok(())
        }
        None => {
            let p = whom(&state, org, a.for_.as_deref(), "goals").await?;
            let (_, rows) = ops::goals_alignment(&state, &cli(), org, Some(&p.id.to_string()), a.days)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&rows);
                return Ok(());
            }
            output::line(&format!(
                "{}'s goals: where planned time and open tasks go, next {} days",
                p.name,
                a.days.unwrap_or(28)
            ));
            output::table(
                &["GOAL", "PERIOD", "PLANNED", "TIME", "OPEN TASKS", "TASKS", "NOTE"],
                &rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.title.clone(),
                            match (&r.starts_on, &r.ends_on) {
                                (Some(s), Some(e)) => format!("{s} to {e}"),
                                _ => String::new(),
                            },
                            duration(r.planned_minutes),
                            format!("{}%", r.planned_percent),
                            r.open_tasks.to_string(),
                            format!("{}%", r.task_percent),
                            if r.underplanned {
                                "more tasks than time".into()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
            Ok(())
        }
    })
}
