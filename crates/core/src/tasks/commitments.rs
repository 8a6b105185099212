//! Commitments: for one person, everything they owe (their open tasks and
//! action items, work delegated to them) and everything they are owed (work
//! they delegated, action items others took in their meetings), overdue first.

use crate::ids::{MeetingId, PersonId, TaskId};
use crate::tasks::task::{Due, TaskData};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a commitment came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentKind {
    /// A task of one's own.
    Task,
    /// An action item from a meeting.
    ActionItem,
    /// Work someone handed over.
    Delegated,
}

/// One thing owed, by or to the person asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub task: TaskId,
    pub title: String,
    pub kind: CommitmentKind,
    /// The other side: who is owed it (in `owes`) or who owes it (in `owed`);
    /// `None` for one's own tasks.
    pub counterpart: Option<PersonId>,
    pub due: Option<Due>,
    pub overdue: bool,
}

/// What one person owes and is owed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Commitments {
    pub owes: Vec<Commitment>,
    pub owed: Vec<Commitment>,
}

/// The commitments of `person` among `tasks` (open ones count). `organisers`
/// names who organised each meeting, so action items others took in
/// `person`'s meetings are owed to them. Each list: overdue first, then by due
/// moment, then undated, then by title.
pub fn commitments(
    person: PersonId,
    tasks: &[(TaskId, TaskData)],
    organisers: &BTreeMap<MeetingId, PersonId>,
    now: Timestamp,
) -> Commitments {
    let mut out = Commitments::default();
    for (id, t) in tasks.iter().filter(|(_, t)| t.status.is_open()) {
        let organiser = t.from_meeting.and_then(|m| organisers.get(&m).copied());
        let item = |kind, counterpart| Commitment {
            task: *id,
            title: t.title.clone(),
            kind,
            counterpart,
            due: t.due.clone(),
            overdue: t.is_overdue(now),
        };
        if t.doer() == person {
            let (kind, counterpart) = if t.from_meeting.is_some() {
                (
                    CommitmentKind::ActionItem,
                    organiser
                        .filter(|o| *o != person)
                        .or(Some(t.owner).filter(|o| *o != person)),
                )
            } else if t.owner != person {
                (CommitmentKind::Delegated, Some(t.owner))
            } else {
                (CommitmentKind::Task, None)
            };
            out.owes.push(item(kind, counterpart));
        } else if t.owner == person {
            let kind = if t.from_meeting.is_some() {
                CommitmentKind::ActionItem
            } else {
                CommitmentKind::Delegated
            };
            out.owed.push(item(kind, Some(t.doer())));
        } else if organiser == Some(person) {
            out.owed.push(item(CommitmentKind::ActionItem, Some(t.doer())));
        }
    }
    for list in [&mut out.owes, &mut out.owed] {
        list.sort_by(|a, b| {
            let key = |c: &Commitment| {
                (
                    !c.overdue,
                    c.due.as_ref().map(Due::deadline).is_none(),
                    c.due.as_ref().map(Due::deadline),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.title.cmp(&b.title))
                .then(a.task.cmp(&b.task))
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::calendar::Zone;
    use crate::tasks::task::TaskStatus;
    use jiff::civil::date;

    fn p(n: u128) -> PersonId {
        PersonId(uuid::Uuid::from_u128(n))
    }
    fn due(y: i16, m: i8, d: i8) -> Option<Due> {
        Some(Due {
            date: date(y, m, d),
            time: None,
            zone: Zone::utc(),
        })
    }

    #[test]
    fn owes_and_owed_overdue_first() {
        let (lars, maya, tom) = (p(1), p(2), p(3));
        let board = MeetingId(uuid::Uuid::from_u128(50));
        let now = Zone::utc().instant(date(2026, 12, 2).at(12, 0, 0, 0));
        let mk = |n: u128, title: &str, f: &dyn Fn(&mut TaskData)| {
            let mut t = TaskData::new(title, lars);
            f(&mut t);
            (TaskId(uuid::Uuid::from_u128(n)), t)
        };
        let tasks = vec![
            mk(1, "Own, later", &|t| t.due = due(2026, 12, 20)),
            mk(2, "Own, overdue", &|t| t.due = due(2026, 11, 30)),
            mk(3, "Own, undated", &|_| {}),
            mk(4, "Handed to Maya", &|t| t.delegated_to = Some(maya)),
            mk(5, "Tom's action item", &|t| {
                t.owner = tom;
                t.from_meeting = Some(board);
            }),
            mk(6, "Done already", &|t| t.status = TaskStatus::Done),
            mk(7, "Maya hands Lars something", &|t| {
                t.owner = maya;
                t.delegated_to = Some(lars);
            }),
        ];
        let organisers = BTreeMap::from([(board, lars)]);
        let c = commitments(lars, &tasks, &organisers, now);
        let owes: Vec<_> = c
            .owes
            .iter()
            .map(|x| (x.title.as_str(), x.kind, x.counterpart))
            .collect();
        assert_eq!(
            owes,
            [
                ("Own, overdue", CommitmentKind::Task, None),
                ("Own, later", CommitmentKind::Task, None),
                ("Maya hands Lars something", CommitmentKind::Delegated, Some(maya)),
                ("Own, undated", CommitmentKind::Task, None),
            ]
        );
        assert!(c.owes[0].overdue);
        let owed: Vec<_> = c
            .owed
            .iter()
            .map(|x| (x.title.as_str(), x.kind, x.counterpart))
            .collect();
        assert_eq!(
            owed,
            [
                ("Handed to Maya", CommitmentKind::Delegated, Some(maya)),
                ("Tom's action item", CommitmentKind::ActionItem, Some(tom)),
            ]
        );
        let tom_c = commitments(tom, &tasks, &organisers, now);
        assert_eq!(tom_c.owes[0].kind, CommitmentKind::ActionItem);
        assert_eq!(
            tom_c.owes[0].counterpart,
            Some(lars),
            "owed to the meeting's organiser"
        );
    }
}
