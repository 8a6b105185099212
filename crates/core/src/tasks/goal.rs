//! Goals — a leader's strategic priorities for a period — and how a person's
//! planned time and open tasks spread over them, so that misalignment shows:
//! a goal that holds half the open tasks but a tenth of the planned hours.

use crate::calendar::TimeRange;
use crate::error::{FieldError, ValidationError};
use crate::ids::{GoalId, PersonId};
use crate::macros::named_enum;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

named_enum!(
    /// Where a goal stands.
    GoalStatus, "status", {
        Active = "active",
        Achieved = "achieved",
        Dropped = "dropped",
    }
);

/// A strategic priority for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalData {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Whose goal it is (a principal's, usually).
    pub owner: PersonId,
    pub starts_on: Date,
    pub ends_on: Date,
    pub status: GoalStatus,
}

impl GoalData {
    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            errors.push(FieldError {
                field: "title".into(),
                message: "must be 1 to 200 characters".into(),
            });
        }
        if self.description.chars().count() > 5_000 {
            errors.push(FieldError {
                field: "description".into(),
                message: "must be at most 5000 characters".into(),
            });
        }
        if self.ends_on < self.starts_on {
            errors.push(FieldError {
                field: "ends_on".into(),
                message: format!("{} is before the start {}", self.ends_on, self.starts_on),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }
}

/// Time in a person's calendar, and the goal it serves (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTime {
    pub range: TimeRange,
    pub goal: Option<GoalId>,
}

/// One goal's share (or, with `goal: None`, what serves no goal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalShare {
    pub goal: Option<GoalId>,
    /// Minutes of busy time in the window that serve it.
    pub planned_minutes: i64,
    /// Of all busy minutes in the window, in whole percent.
    pub planned_percent: u32,
    pub open_tasks: usize,
    /// Of all open tasks, in whole percent.
    pub task_percent: u32,
    /// Tasks take a clearly larger share than time (by 15 points or more): the
    /// goal is talked about more than worked on.
    pub underplanned: bool,
}

/// How `planned` time inside `window` and the goals of `open_tasks` spread
/// over `goals`, in their order, then one row for what serves no goal.
/// Overlapping time is counted once per item (a task block inside a meeting
/// is the planner's bug, not ours to hide).
pub fn alignment(
    goals: &[GoalId],
    planned: &[PlannedTime],
    open_tasks: &[Option<GoalId>],
    window: TimeRange,
) -> Vec<GoalShare> {
    let mut minutes: BTreeMap<Option<GoalId>, i64> = BTreeMap::new();
    for p in planned {
        let start = p.range.start.max(window.start);
        let end = p.range.end.min(window.end);
        if start < end {
            let goal = p.goal.filter(|g| goals.contains(g));
            *minutes.entry(goal).or_default() += end.duration_since(start).as_mins();
        }
    }
    let mut tasks: BTreeMap<Option<GoalId>, usize> = BTreeMap::new();
    for g in open_tasks {
        *tasks.entry(g.filter(|g| goals.contains(g))).or_default() += 1;
    }
    let total_minutes: i64 = minutes.values().sum();
    let total_tasks: usize = tasks.values().sum();
    goals
        .iter()
        .map(|g| Some(*g))
        .chain([None])
        .map(|goal| {
            let planned_minutes = minutes.get(&goal).copied().unwrap_or(0);
            let open = tasks.get(&goal).copied().unwrap_or(0);
            let planned_percent = percent(planned_minutes, total_minutes);
            let task_percent = percent(open as i64, total_tasks as i64);
            GoalShare {
                goal,
                planned_minutes,
                planned_percent,
                open_tasks: open,
                task_percent,
                underplanned: goal.is_some() && task_percent >= planned_percent + 15,
            }
        })
        .collect()
}

fn percent(part: i64, whole: i64) -> u32 {
    if whole <= 0 {
        0
    } else {
        u32::try_from((part * 100 + whole / 2) / whole).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use jiff::Timestamp;

    fn range(h0: i64, h1: i64) -> TimeRange {
        TimeRange {
            start: Timestamp::from_second(h0 * 3600).unwrap(),
            end: Timestamp::from_second(h1 * 3600).unwrap(),
        }
    }

    #[test]
    fn shares_show_a_goal_talked_about_more_than_worked_on() {
        let [a, b] = [1u128, 2].map(|n| GoalId(uuid::Uuid::from_u128(n)));
        let planned = [
            PlannedTime {
                range: range(0, 6),
                goal: Some(a),
            },
            PlannedTime {
                range: range(10, 11),
                goal: Some(b),
            },
            PlannedTime {
                range: range(20, 23),
                goal: None,
            },
            // Outside the window: not counted.
            PlannedTime {
                range: range(100, 110),
                goal: Some(b),
            },
        ];
        let tasks = [Some(b), Some(b), Some(b), Some(a), None];
        let rows = alignment(&[a, b], &planned, &tasks, range(0, 24));
        let got: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.goal,
                    r.planned_minutes,
                    r.planned_percent,
                    r.open_tasks,
                    r.task_percent,
                    r.underplanned,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some(a), 360, 60, 1, 20, false),
                (Some(b), 60, 10, 3, 60, true),
                (None, 180, 30, 1, 20, false),
            ]
        );
        assert!(alignment(&[], &[], &[], range(0, 1))[0].planned_percent == 0);
    }

    #[test]
    fn a_goal_ending_before_it_starts_is_refused() {
        let g = GoalData {
            title: "Close the Series B".into(),
            description: String::new(),
            owner: PersonId(uuid::Uuid::from_u128(1)),
            starts_on: jiff::civil::date(2027, 1, 1),
            ends_on: jiff::civil::date(2026, 12, 1),
            status: GoalStatus::Active,
        };
        assert_eq!(g.validate().unwrap_err().errors[0].field, "ends_on");
    }
}
