//! What a task is — title, owner, who it is delegated to, start and due dates,
//! estimate, impact, urgency, goal, project, tags, status, dependencies, a
//! repeat rule — and the rules it obeys, including where it falls in the
//! urgent × important matrix.
//!
//! Urgency is either set by a person or derived from the due date against
//! `now`, so a task drifts into "do now" as its deadline comes closer without
//! anyone touching it.

use crate::calendar::recurrence::{Frequency, Limits, Rule};
use crate::calendar::time::{Zone, resolve};
use crate::error::{FieldError, ValidationError};
use crate::ids::{EventId, GoalId, MeetingId, PersonId, TaskId};
use crate::macros::named_enum;
use crate::policy::Visibility;
use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The longest title.
pub const MAX_TITLE_CHARS: usize = 500;
/// The longest notes.
pub const MAX_NOTES_CHARS: usize = 20_000;
/// The largest estimate: 200 hours. Anything bigger is a project, not a task.
pub const MAX_ESTIMATE_MINUTES: u32 = 200 * 60;
/// The most tags on one task.
pub const MAX_TAGS: usize = 20;
/// The most tasks one task may wait for.
pub const MAX_DEPENDENCIES: usize = 50;
/// Impact and urgency run from 1 (least) to 5 (most).
pub const SCALE: std::ops::RangeInclusive<u8> = 1..=5;
/// Impact given to a task nobody rated: "medium", which counts as important.
pub const DEFAULT_IMPACT: u8 = 3;
/// From this urgency on, a task is urgent.
pub const URGENT_FROM: u8 = 4;
/// From this impact on, a task is important.
pub const IMPORTANT_FROM: u8 = 3;

named_enum!(
    /// Where a task stands.
    TaskStatus, "status", {
        Open = "open",
        InProgress = "in_progress",
        /// Waiting on someone or something else.
        Waiting = "waiting",
        Done = "done",
        Dropped = "dropped",
    }
);

impl TaskStatus {
    /// Whether someone still owes it.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            TaskStatus::Open | TaskStatus::InProgress | TaskStatus::Waiting
        )
    }
}

named_enum!(
    /// A quadrant of the urgent × important matrix.
    Quadrant, "quadrant", {
        /// Urgent and important.
        DoNow = "do_now",
        /// Important, not urgent: put it on the calendar.
        Schedule = "schedule",
        /// Urgent, not important: someone else should do it.
        Delegate = "delegate",
        /// Neither: consider dropping it.
        Drop = "drop",
    }
);

impl Quadrant {
    /// A label for people.
    pub fn label(&self) -> &'static str {
        match self {
            Quadrant::DoNow => "Do now",
            Quadrant::Schedule => "Schedule",
            Quadrant::Delegate => "Delegate",
            Quadrant::Drop => "Drop",
        }
    }

    /// The quadrant of a task with this impact and urgency.
    pub fn of(impact: u8, urgency: u8) -> Quadrant {
        match (urgency >= URGENT_FROM, impact >= IMPORTANT_FROM) {
            (true, true) => Quadrant::DoNow,
            (false, true) => Quadrant::Schedule,
            (true, false) => Quadrant::Delegate,
            (false, false) => Quadrant::Drop,
        }
    }

    /// Order of attention: do now, schedule, delegate, drop.
    fn rank(&self) -> i64 {
        match self {
            Quadrant::DoNow => 3,
            Quadrant::Schedule => 2,
            Quadrant::Delegate => 1,
            Quadrant::Drop => 0,
        }
    }

    /// The impact and explicit urgency a task dragged into this quadrant gets:
    /// the least change that puts it there. Its impact moves only when it is on
    /// the wrong side of "important"; its urgency is set explicitly (urgent: 5,
    /// not urgent: 2), overriding what its due date would say.
    pub fn drop_into(&self, impact: u8) -> (u8, u8) {
        let important = matches!(self, Quadrant::DoNow | Quadrant::Schedule);
        let urgent = matches!(self, Quadrant::DoNow | Quadrant::Delegate);
        let impact = match (important, impact >= IMPORTANT_FROM) {
            (true, false) => IMPORTANT_FROM,
            (false, true) => IMPORTANT_FROM - 1,
            _ => impact,
        };
        (impact, if urgent { 5 } else { 2 })
    }
}

/// When a task is due: a whole day, or a time on it, as wall-clock values in a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Due {
    pub date: Date,
    /// `None`: by the end of the day.
    #[serde(default)]
    pub time: Option<Time>,
    pub zone: Zone,
}

impl Due {
    /// The instant it is due: the time on the date, or the end of the date (the next midnight).
    pub fn deadline(&self) -> Timestamp {
        match self.time {
            Some(t) => resolve(self.date.to_datetime(t), self.zone.tz()),
            None => {
                let next = self.date.tomorrow().unwrap_or(self.date);
                self.zone.start_of_day(next)
            }
        }
    }

    /// `2026-12-03` or `2026-12-03 15:00`, in the due zone.
    pub fn label(&self) -> String {
        match self.time {
            Some(t) => format!("{} {}", self.date, t.strftime("%H:%M")),
            None => self.date.to_string(),
        }
    }
}

/// Everything a person sets on a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskData {
    pub title: String,
    #[serde(default)]
    pub notes: String,
    /// Whose task it is: the one who answers for it.
    pub owner: PersonId,
    /// Who does it, when not the owner.
    #[serde(default)]
    pub delegated_to: Option<PersonId>,
    /// Not to be started before this date.
    #[serde(default)]
    pub start: Option<Date>,
    #[serde(default)]
    pub due: Option<Due>,
    #[serde(default)]
    pub estimate_minutes: Option<u32>,
    /// 1–5.
    pub impact: u8,
    /// 1–5 when set by a person; `None` derives it from the due date.
    #[serde(default)]
    pub urgency: Option<u8>,
    #[serde(default)]
    pub goal: Option<GoalId>,
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub status: TaskStatus,
    /// Tasks that must be done first.
    #[serde(default)]
    pub depends_on: Vec<TaskId>,
    /// An RRULE (daily or slower): when the task is done, the next one is made.
    #[serde(default)]
    pub repeat: Option<String>,
    pub visibility: Visibility,
    /// People who may read it besides the owner, the delegate and the owner's delegates.
    #[serde(default)]
    pub shared_with: Vec<PersonId>,
    /// Waiting for the owner's decision (the principal's "decide" list).
    #[serde(default)]
    pub needs_decision: bool,
    /// The meeting whose action item this is.
    #[serde(default)]
    pub from_meeting: Option<MeetingId>,
    /// A meeting (event or series) where it should come up.
    #[serde(default)]
    pub for_event: Option<EventId>,
}

impl TaskData {
    /// A new open task with medium impact and nothing else set.
    pub fn new(title: &str, owner: PersonId) -> TaskData {
        TaskData {
            title: title.to_string(),
            notes: String::new(),
            owner,
            delegated_to: None,
            start: None,
            due: None,
            estimate_minutes: None,
            impact: DEFAULT_IMPACT,
            urgency: None,
            goal: None,
            project: None,
            tags: vec![],
            status: TaskStatus::Open,
            depends_on: vec![],
            repeat: None,
            visibility: Visibility::Normal,
            shared_with: vec![],
            needs_decision: false,
            from_meeting: None,
            for_event: None,
        }
    }

    /// Who does the work: the delegate, else the owner.
    pub fn doer(&self) -> PersonId {
        self.delegated_to.unwrap_or(self.owner)
    }

    /// Urgency 1–5: as set, or from the due date.
    pub fn urgency_at(&self, now: Timestamp) -> u8 {
        self.urgency
            .unwrap_or_else(|| derived_urgency(self.due.as_ref(), now))
    }

    pub fn quadrant(&self, now: Timestamp) -> Quadrant {
        Quadrant::of(self.impact, self.urgency_at(now))
    }

    /// Whether it is open and its due moment has passed.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.status.is_open() && self.due.as_ref().is_some_and(|d| d.deadline() <= now)
    }

    /// The order of attention, higher first: quadrant, then impact, then urgency.
    pub fn priority_score(&self, now: Timestamp) -> i64 {
        let u = self.urgency_at(now);
        Quadrant::of(self.impact, u).rank() * 100 + i64::from(self.impact) * 10 + i64::from(u)
    }

    /// Trims text, lower-cases and deduplicates tags, deduplicates people and
    /// dependencies, so equal tasks compare equal.
    pub fn normalise(&mut self) {
        self.title = self.title.trim().to_string();
        self.notes = self.notes.trim_end().to_string();
        self.project = self
            .project
            .take()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty());
        let mut seen = BTreeSet::new();
        self.tags = self
            .tags
            .iter()
            .map(|t| t.trim().trim_start_matches('#').to_lowercase())
            .filter(|t| !t.is_empty() && seen.insert(t.clone()))
            .collect();
        dedup(&mut self.shared_with);
        dedup(&mut self.depends_on);
        self.repeat = self
            .repeat
            .take()
            .map(|r| r.trim().trim_start_matches("RRULE:").to_string())
            .filter(|r| !r.is_empty());
        if self.delegated_to == Some(self.owner) {
            self.delegated_to = None;
        }
    }

    /// Checks the rules every task obeys, naming every field at fault. Whether
    /// the people and tasks it names exist (and are of the same organisation)
    /// is for the caller; cycles among dependencies are [`check_dependencies`]'s.
    pub fn validate(&self, id: Option<TaskId>) -> Result<(), ValidationError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let title = self.title.trim();
        if title.is_empty() {
            bad("title", "must not be empty".into());
        } else if title.chars().count() > MAX_TITLE_CHARS {
            bad("title", format!("must be at most {MAX_TITLE_CHARS} characters"));
        } else if title.chars().any(char::is_control) {
            bad("title", "must not contain control characters".into());
        }
        if self.notes.chars().count() > MAX_NOTES_CHARS {
            bad("notes", format!("must be at most {MAX_NOTES_CHARS} characters"));
        }
        if let (Some(start), Some(due)) = (self.start, self.due.as_ref())
            && due.date < start
        {
            bad("due", format!("{} is before the start date {start}", due.date));
        }
        match self.estimate_minutes {
            Some(0) => bad("estimate_minutes", "must be at least 1 minute".into()),
            Some(m) if m > MAX_ESTIMATE_MINUTES => bad(
                "estimate_minutes",
                format!(
                    "{} is more than {} hours; split it into smaller tasks",
                    duration_label(i64::from(m)),
                    MAX_ESTIMATE_MINUTES / 60
                ),
            ),
            _ => {}
        }
        if !SCALE.contains(&self.impact) {
            bad("impact", format!("{} is not 1 to 5", self.impact));
        }
        if let Some(u) = self.urgency
            && !SCALE.contains(&u)
        {
            bad("urgency", format!("{u} is not 1 to 5"));
        }
        if let Some(p) = &self.project
            && p.chars().count() > 100
        {
            bad("project", "must be at most 100 characters".into());
        }
        if self.tags.len() > MAX_TAGS {
            bad("tags", format!("at most {MAX_TAGS} tags"));
        }
        for t in &self.tags {
            if t.chars().count() > 50 || !t.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
                bad(
                    "tags",
                    format!("`{t}` is not a tag: letters, digits, - and _, at most 50"),
                );
            }
        }
        if self.depends_on.len() > MAX_DEPENDENCIES {
            bad("depends_on", format!("at most {MAX_DEPENDENCIES} tasks"));
        }
        if let Some(id) = id
            && self.depends_on.contains(&id)
        {
            bad("depends_on", "a task cannot depend on itself".into());
        }
        if self.delegated_to.is_some_and(|d| d == self.owner) {
            bad("delegated_to", "is the owner; delegate to someone else".into());
        }
        if let Some(r) = &self.repeat {
            if let Err(e) = repeat_rule(r) {
                bad("repeat", e);
            } else if self.due.is_none() && self.start.is_none() {
                bad(
                    "repeat",
                    "a repeating task needs a due or start date to count from".into(),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// The next task of a repeating one, once this one is done on `today`: its
    /// due (and start) moved to the first occurrence of the rule after both the
    /// current due date and `today`, so finishing late never makes a new
    /// overdue task. `None` when it does not repeat or the rule has ended.
    pub fn next_repeat(&self, today: Date) -> Option<TaskData> {
        let rule = repeat_rule(self.repeat.as_deref()?).ok()?;
        let anchor = self.due.as_ref().map(|d| d.date).or(self.start)?;
        let after = anchor.max(today);
        let zone = jiff::tz::TimeZone::UTC;
        let next = rule
            .expand(
                anchor.to_datetime(Time::midnight()),
                true,
                &zone,
                Limits::default(),
            )
            .take(100_000)
            .map_while(Result::ok)
            .map(|dt: DateTime| dt.date())
            .find(|d| *d > after)?;
        let shift = anchor.until(next).ok()?;
        let mut out = self.clone();
        out.status = TaskStatus::Open;
        out.urgency = None;
        if let Some(d) = out.due.as_mut() {
            d.date = next;
        }
        out.start = match (self.start, self.due.as_ref()) {
            (Some(s), Some(_)) => s.checked_add(shift).ok(),
            (Some(_), None) => Some(next),
            (None, _) => None,
        };
        Some(out)
    }
}

/// Urgency 1–5 from how soon a task is due: overdue or due within a day: 5;
/// within 2 days: 4 (urgent); within a week: 3; within two weeks: 2;
/// later or never: 1.
pub fn derived_urgency(due: Option<&Due>, now: Timestamp) -> u8 {
    let Some(due) = due else { return 1 };
    let left = due.deadline().duration_since(now);
    let day = SignedDuration::from_hours(24);
    if left <= day {
        5
    } else if left <= day * 2 {
        4
    } else if left <= day * 7 {
        3
    } else if left <= day * 14 {
        2
    } else {
        1
    }
}

/// Parses a repeat rule: an RRULE of daily or slower frequency.
pub fn repeat_rule(s: &str) -> Result<Rule, String> {
    let rule: Rule = s
        .trim()
        .trim_start_matches("RRULE:")
        .parse()
        .map_err(|e: ValidationError| e.errors.first().map(|f| f.message.clone()).unwrap_or_default())?;
    if matches!(
        rule.freq,
        Frequency::Hourly | Frequency::Minutely | Frequency::Secondly
    ) {
        return Err(format!(
            "`{s}` repeats more often than daily; tasks repeat daily at most"
        ));
    }
    Ok(rule)
}

/// Refuses dependencies that form a cycle once `task`'s new list replaces its
/// old one. `edges` is every other task's `depends_on`; names the cycle.
pub fn check_dependencies(
    task: TaskId,
    depends_on: &[TaskId],
    edges: &BTreeMap<TaskId, Vec<TaskId>>,
    title: impl Fn(TaskId) -> String,
) -> Result<(), ValidationError> {
    // A path from any dependency back to `task` closes a cycle.
    for &start in depends_on {
        let mut stack = vec![(start, vec![task, start])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            if at == task {
                let names: Vec<String> = path.iter().map(|t| format!("‘{}’", title(*t))).collect();
                return Err(ValidationError::field(
                    "depends_on",
                    format!("would make a cycle: {}", names.join(" → ")),
                ));
            }
            if !seen.insert(at) {
                continue;
            }
            for &next in edges.get(&at).map(Vec::as_slice).unwrap_or(&[]) {
                let mut p = path.clone();
                p.push(next);
                stack.push((next, p));
            }
        }
    }
    Ok(())
}

/// "45 min", "2 h", "1 h 30 min".
pub fn duration_label(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn dedup<T: Ord + Copy>(v: &mut Vec<T>) {
    let mut seen = BTreeSet::new();
    v.retain(|x| seen.insert(*x));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use jiff::civil::date;

    fn ams() -> Zone {
        Zone::parse("z", "Europe/Amsterdam").unwrap()
    }
    fn now() -> Timestamp {
        ams().instant(date(2026, 12, 2).at(10, 0, 0, 0))
    }
    fn owner() -> PersonId {
        PersonId(uuid::Uuid::from_u128(1))
    }
    fn due(d: Date, t: Option<Time>) -> Due {
        Due {
            date: d,
            time: t,
            zone: ams(),
        }
    }
    fn fields(e: ValidationError) -> Vec<String> {
        e.errors.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_due_date_means_the_end_of_that_day_in_its_zone() {
        let d = due(date(2026, 12, 3), None);
        assert_eq!(d.deadline(), ams().instant(date(2026, 12, 4).at(0, 0, 0, 0)));
        let t = due(date(2026, 12, 3), Some(Time::constant(15, 0, 0, 0)));
        assert_eq!(t.deadline().to_string(), "2026-12-03T14:00:00Z");
        assert_eq!(t.label(), "2026-12-03 15:00");
    }

    #[test]
    fn urgency_grows_as_the_due_date_comes_closer() {
        let cases = [
            (None, 1),
            (Some(date(2026, 12, 30)), 1),
            (Some(date(2026, 12, 14)), 2),
            (Some(date(2026, 12, 8)), 3),
            (Some(date(2026, 12, 3)), 4),
            (Some(date(2026, 12, 2)), 5),
            (Some(date(2026, 11, 20)), 5),
        ];
        for (d, want) in cases {
            let dd = d.map(|d| due(d, None));
            assert_eq!(derived_urgency(dd.as_ref(), now()), want, "{d:?}");
        }
    }

    #[test]
    fn quadrants_from_impact_and_urgency() {
        assert_eq!(Quadrant::of(5, 5), Quadrant::DoNow);
        assert_eq!(Quadrant::of(3, 1), Quadrant::Schedule);
        assert_eq!(Quadrant::of(2, 4), Quadrant::Delegate);
        assert_eq!(Quadrant::of(1, 1), Quadrant::Drop);
        let mut t = TaskData::new("Board pack", owner());
        assert_eq!(
            t.quadrant(now()),
            Quadrant::Schedule,
            "medium impact, no due date"
        );
        t.due = Some(due(date(2026, 12, 3), None));
        assert_eq!(t.quadrant(now()), Quadrant::DoNow, "due tomorrow");
        for q in Quadrant::ALL {
            for impact in SCALE {
                let (i, u) = q.drop_into(impact);
                assert_eq!(Quadrant::of(i, u), *q, "dragging impact {impact} into {q}");
                if (impact >= IMPORTANT_FROM) == matches!(q, Quadrant::DoNow | Quadrant::Schedule) {
                    assert_eq!(i, impact, "impact kept when already on the right side");
                }
            }
        }
        assert!(
            TaskData {
                impact: 5,
                ..t.clone()
            }
            .priority_score(now())
                > TaskData {
                    impact: 4,
                    ..t.clone()
                }
                .priority_score(now())
        );
    }

    #[test]
    fn bad_tasks_name_every_field() {
        let mut t = TaskData::new("  ", owner());
        t.start = Some(date(2026, 12, 10));
        t.due = Some(due(date(2026, 12, 9), None));
        t.estimate_minutes = Some(0);
        t.impact = 7;
        t.urgency = Some(0);
        t.tags = vec!["two words".into()];
        t.repeat = Some("FREQ=HOURLY".into());
        assert_eq!(
            fields(t.validate(None).unwrap_err()),
            [
                "title",
                "due",
                "estimate_minutes",
                "impact",
                "urgency",
                "tags",
                "repeat"
            ]
        );
        let mut years = TaskData::new("Write the history of the company", owner());
        years.estimate_minutes = Some(MAX_ESTIMATE_MINUTES + 1);
        let e = years.validate(None).unwrap_err();
        assert!(e.summary().contains("more than 200 hours"), "{e}");
        let id = TaskId(uuid::Uuid::from_u128(9));
        let mut selfish = TaskData::new("Loop", owner());
        selfish.depends_on = vec![id];
        assert_eq!(fields(selfish.validate(Some(id)).unwrap_err()), ["depends_on"]);
        let mut rep = TaskData::new("Expenses", owner());
        rep.repeat = Some("FREQ=MONTHLY".into());
        assert_eq!(fields(rep.validate(None).unwrap_err()), ["repeat"]);
    }

    #[test]
    fn normalising_tidies_tags_people_and_rules() {
        let mut t = TaskData::new("  Call Anna ", owner());
        t.tags = vec!["#Board".into(), "board".into(), " lease ".into()];
        t.delegated_to = Some(owner());
        t.repeat = Some("RRULE:FREQ=WEEKLY".into());
        t.normalise();
        assert_eq!(t.title, "Call Anna");
        assert_eq!(t.tags, ["board", "lease"]);
        assert_eq!(t.delegated_to, None);
        assert_eq!(t.repeat.as_deref(), Some("FREQ=WEEKLY"));
    }

    #[test]
    fn cycles_are_named() {
        let [a, b, c] = [1u128, 2, 3].map(|n| TaskId(uuid::Uuid::from_u128(n)));
        let mut edges = BTreeMap::new();
        edges.insert(b, vec![c]);
        edges.insert(c, vec![a]);
        let name = |t: TaskId| format!("t{}", t.0.as_u128());
        let e = check_dependencies(a, &[b], &edges, name).unwrap_err();
        assert_eq!(
            e.summary(),
            "depends_on: would make a cycle: ‘t1’ → ‘t2’ → ‘t3’ → ‘t1’"
        );
        assert!(check_dependencies(c, &[b], &BTreeMap::new(), name).is_ok());
    }

    #[test]
    fn a_repeating_task_comes_back_after_today() {
        let mut t = TaskData::new("Approve invoices", owner());
        t.due = Some(due(date(2026, 11, 23), None)); // a Monday, overdue
        t.start = Some(date(2026, 11, 20));
        t.repeat = Some("FREQ=WEEKLY;BYDAY=MO".into());
        t.status = TaskStatus::Done;
        let next = t.next_repeat(date(2026, 12, 2)).unwrap();
        assert_eq!(next.due.unwrap().date, date(2026, 12, 7));
        assert_eq!(
            next.start,
            Some(date(2026, 12, 4)),
            "the start keeps its distance"
        );
        assert_eq!(next.status, TaskStatus::Open);
        let mut done_early = t.clone();
        done_early.due = Some(due(date(2026, 12, 7), None));
        done_early.start = None;
        assert_eq!(
            done_early
                .next_repeat(date(2026, 12, 2))
                .unwrap()
                .due
                .unwrap()
                .date,
            date(2026, 12, 14)
        );
        let mut ended = t.clone();
        ended.repeat = Some("FREQ=WEEKLY;COUNT=1".into());
        assert_eq!(ended.next_repeat(date(2026, 12, 2)), None);
    }
}
