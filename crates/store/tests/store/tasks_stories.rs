//! Task stories: goals, tasks with their dependencies and shares, and plans
//! applied and undone.

use super::*;
use adjutant_core::calendar::{
    Category, EventData, EventStatus, EventTime, Organiser, Priority, Recurrence, TimeRange, Transparency,
    Zone,
};
use adjutant_core::ids::{GoalId, TaskId};
use adjutant_core::policy::Visibility;
use adjutant_core::tasks::goal::{GoalData, GoalStatus};
use adjutant_core::tasks::task::{Due, TaskData, TaskStatus};
use adjutant_store::calendar::{EventRecord, EventScope};
use adjutant_store::plans::{NewBlock, PlanStatus};
use adjutant_store::tasks::TaskFilter;
use jiff::civil::date;

fn ams() -> Zone {
    Zone::parse("zone", "Europe/Amsterdam").unwrap()
}

fn due(d: i8) -> Option<Due> {
    Some(Due {
        date: date(2027, 3, d),
        time: None,
        zone: ams(),
    })
}

fn task(title: &str, owner: &Person) -> TaskData {
    TaskData::new(title, owner.id)
}

fn goal(title: &str, owner: &Person) -> GoalData {
    GoalData {
        title: title.into(),
        description: String::new(),
        owner: owner.id,
        starts_on: date(2027, 1, 1),
        ends_on: date(2027, 6, 30),
        status: GoalStatus::Active,
    }
}

fn titles(tasks: &[adjutant_store::tasks::TaskRecord]) -> Vec<&str> {
    tasks.iter().map(|t| t.data.title.as_str()).collect()
}

#[tokio::test]
async fn tasks_goals_dependencies_and_shares() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let lars = add_person(s, org.id, "Lars", None, Role::Principal, 3).await;
        let maya = add_person(s, org.id, "Maya", None, Role::Assistant, 4).await;
        let priya = add_person(s, org.id, "Priya", None, Role::Contractor, 5).await;
        let stranger = add_person(s, other.id, "Stranger", None, Role::Staff, 6).await;

        let g = s
            .goal_create(org.id, &goal("Close the Series B", &lars), &by(&lars, 10))
            .await
            .unwrap();
        assert_eq!(s.goal_list(org.id, Some(lars.id)).await.unwrap().len(), 1);
        assert_err!(s.goal_get(other.id, g.id).await, StoreError::NotFound(_));
        assert_err!(
            s.goal_create(org.id, &goal("Foreign", &stranger), &cli(11)).await,
            StoreError::Conflict(_)
        );

        let mut pack = task("Draft the board pack", &lars);
        pack.due = due(10);
        pack.goal = Some(g.id);
        pack.estimate_minutes = Some(240);
        let pack = s
            .task_create(org.id, &pack, &for_(&maya, &lars, 12))
            .await
            .unwrap();
        assert_eq!(pack.created_by, Some(maya.id));
        let mut send = task("Send the board pack", &lars);
        send.depends_on = vec![pack.id];
        send.delegated_to = Some(maya.id);
        send.due = due(11);
        let send = s.task_create(org.id, &send, &by(&lars, 13)).await.unwrap();
        let mut venue = task("Research an offsite venue", &maya);
        venue.shared_with = vec![priya.id];
        let venue = s.task_create(org.id, &venue, &by(&maya, 14)).await.unwrap();

        // Lists: by person (owner or doer), by share, by status, by goal.
        let of = |p: &Person| TaskFilter {
            person: Some(p.id),
            ..TaskFilter::default()
        };
        assert_eq!(
            titles(&s.task_list(org.id, &of(&lars)).await.unwrap()),
            ["Draft the board pack", "Send the board pack"]
        );
        assert_eq!(
            titles(&s.task_list(org.id, &of(&maya)).await.unwrap()),
            ["Send the board pack", "Research an offsite venue"]
        );
        let shared = TaskFilter {
            shared_with: Some(priya.id),
            ..TaskFilter::default()
        };
        assert_eq!(
            titles(&s.task_list(org.id, &shared).await.unwrap()),
            ["Research an offsite venue"]
        );
        let by_goal = TaskFilter {
            goal: Some(g.id),
            ..TaskFilter::default()
        };
        assert_eq!(
            titles(&s.task_list(org.id, &by_goal).await.unwrap()),
            ["Draft the board pack"]
        );
        assert!(s.task_list(other.id, &of(&lars)).await.unwrap().is_empty());
        assert_err!(s.task_get(other.id, pack.id).await, StoreError::NotFound(_));

        // A dependency cycle, a stranger, another organisation's goal or task: refused, nothing written.
        let before = actions(s, org.id).await.len();
        let mut cyclic = pack.data.clone();
        cyclic.depends_on = vec![send.id];
        match s
            .task_update(org.id, pack.id, &cyclic, None, "task.update", &cli(20))
            .await
        {
            Err(StoreError::Conflict(m)) => assert!(m.contains("cycle"), "{m}"),
            other => panic!("a cycle was accepted: {other:?}"),
        }
        let foreign_goal = s
            .goal_create(other.id, &goal("Theirs", &stranger), &cli(21))
            .await
            .unwrap();
        for bad in [
            TaskData {
                delegated_to: Some(stranger.id),
                ..task("x", &lars)
            },
            TaskData {
                goal: Some(foreign_goal.id),
                ..task("x", &lars)
            },
            TaskData {
                depends_on: vec![TaskId(uuid::Uuid::now_v7())],
                ..task("x", &lars)
            },
            TaskData {
                shared_with: vec![stranger.id],
                ..task("x", &lars)
            },
            task("x", &stranger),
        ] {
            assert_err!(
                s.task_create(org.id, &bad, &cli(22)).await,
                StoreError::Conflict(_)
            );
        }
        assert_eq!(actions(s, org.id).await.len(), before, "nothing was audited");
        assert_eq!(count(s, "tasks").await, 3);

        // Done: the completion time is kept, and a repeating task's next one is stored with it.
        let mut done = pack.data.clone();
        done.status = TaskStatus::Done;
        let mut next = pack.data.clone();
        next.due = due(17);
        let (updated, spawned) = s
            .task_update(org.id, pack.id, &done, Some(&next), "task.done", &by(&lars, 30))
            .await
            .unwrap();
        assert_eq!(updated.completed_at, Some(t(30)));
        assert_eq!(spawned.unwrap().data.due, due(17));
        let open = TaskFilter {
            person: Some(lars.id),
            statuses: vec![TaskStatus::Open],
            ..TaskFilter::default()
        };
        assert_eq!(
            titles(&s.task_list(org.id, &open).await.unwrap()),
            ["Send the board pack", "Draft the board pack"]
        );

        // Deleting a task frees those that waited for it.
        s.task_delete(org.id, pack.id, &by(&lars, 31)).await.unwrap();
        assert!(
            s.task_get(org.id, send.id)
                .await
                .unwrap()
                .data
                .depends_on
                .is_empty()
        );
        assert!(s.task_dependency_edges(org.id).await.unwrap().is_empty());
        assert_err!(
            s.task_delete(org.id, pack.id, &cli(32)).await,
            StoreError::NotFound(_)
        );
        assert_eq!(
            s.tasks_by_ids(org.id, &[venue.id, send.id])
                .await
                .unwrap()
                .iter()
                .map(|t| t.id)
                .collect::<Vec<_>>(),
            [venue.id, send.id]
        );
        let a = actions(s, org.id).await;
        for want in [
            "goal.create",
            "task.create",
            "task.done",
            "task.repeat",
            "task.delete",
        ] {
            assert!(a.iter().any(|x| x == want), "{want} audited: {a:?}");
        }
        let _: GoalId = g.id;
    })
    .await;
}

/// A block of `task` for `person` on 2027-03-`day` from `h`:00 for `minutes`.
fn block(person: &Person, task: TaskId, title: &str, day: i8, h: i8, minutes: i64) -> NewBlock {
    let start = date(2027, 3, day).at(h, 0, 0, 0);
    let end = start
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .unwrap();
    NewBlock {
        task,
        data: EventData {
            summary: title.into(),
            description: "Planned".into(),
            location: None,
            start: EventTime::zoned(start, &ams()),
            end: EventTime::zoned(end, &ams()),
            recurrence: Recurrence::default(),
            organiser: Some(Organiser {
                person: Some(person.id),
                email: None,
                name: person.name.clone(),
            }),
            attendees: vec![],
            visibility: Visibility::Normal,
            transparency: Transparency::Busy,
            priority: Priority::NORMAL,
            category: Category::Task,
            status: EventStatus::Confirmed,
        },
    }
}

fn march() -> TimeRange {
    TimeRange {
        start: ams().instant(date(2027, 3, 1).at(0, 0, 0, 0)),
        end: ams().instant(date(2027, 4, 1).at(0, 0, 0, 0)),
    }
}

fn from_day(day: i8) -> TimeRange {
    TimeRange {
        start: ams().instant(date(2027, 3, day).at(0, 0, 0, 0)),
        end: march().end,
    }
}

/// The person's agenda in March as (summary, start, plan) triples, in order.
async fn agenda(s: &Store, org: OrgId, p: &Person) -> Vec<(String, String, Option<String>)> {
    let mut v: Vec<_> = s
        .events_in_range(org, &EventScope::Person(p.id), march())
        .await
        .unwrap()
        .into_iter()
        .map(|e: EventRecord| {
            (
                e.data.summary,
                e.starts_at.to_string(),
                e.plan.map(|p| p.to_string()),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn plans_apply_replace_and_undo_exactly() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let lars = add_person(s, org.id, "Lars", None, Role::Principal, 3).await;
        let a = s
            .task_create(org.id, &task("Board pack", &lars), &cli(4))
            .await
            .unwrap();
        let b = s
            .task_create(org.id, &task("Budget review", &lars), &cli(5))
            .await
            .unwrap();
        let calendar_before = agenda(s, org.id, &lars).await;
        let v0 = s.agenda_versions(org.id, &[lars.id.to_string()]).await.unwrap();

        // Plan 1: three blocks over two days.
        let p1 = s
            .plan_apply(
                org.id,
                lars.id,
                from_day(1),
                &serde_json::json!({"blocks": 3}),
                &[
                    block(&lars, a.id, "Board pack", 1, 9, 120),
                    block(&lars, b.id, "Budget review", 2, 9, 60),
                    block(&lars, a.id, "Board pack", 3, 9, 60),
                ],
                &by(&lars, 10),
            )
            .await
            .unwrap();
        assert_eq!(p1.status, PlanStatus::Applied);
        let after_p1 = agenda(s, org.id, &lars).await;
        assert_eq!(after_p1.len(), calendar_before.len() + 3);
        assert_ne!(
            s.agenda_versions(org.id, &[lars.id.to_string()]).await.unwrap(),
            v0,
            "agenda version raised"
        );
        let blocks = s.plan_blocks(org.id, p1.id).await.unwrap();
        assert!(
            blocks
                .iter()
                .all(|e| e.plan == Some(p1.id) && e.data.category == Category::Task)
        );
        assert_eq!(blocks[0].task, Some(a.id));

        // Work the calendar says is done: blocks that ended before `now`.
        let elapsed = s
            .task_elapsed_minutes(
                org.id,
                &[a.id, b.id],
                ams().instant(date(2027, 3, 2).at(12, 0, 0, 0)),
            )
            .await
            .unwrap();
        assert_eq!((elapsed.get(&a.id), elapsed.get(&b.id)), (Some(&120), Some(&60)));

        // Plan 2 from the 2nd: replaces the blocks of plan 1 from then on, keeps the 1st's.
        let p2 = s
            .plan_apply(
                org.id,
                lars.id,
                from_day(2),
                &serde_json::json!({"blocks": 1}),
                &[block(&lars, b.id, "Budget review", 4, 14, 90)],
                &by(&lars, 20),
            )
            .await
            .unwrap();
        assert_eq!((p2.replaced, p2.removed_blocks), (Some(p1.id), 2));
        assert_eq!(
            s.plan_get(org.id, p1.id).await.unwrap().status,
            PlanStatus::Superseded
        );
        let after_p2 = agenda(s, org.id, &lars).await;
        assert_eq!(after_p2.iter().filter(|e| e.2.is_some()).count(), 2);

        // Undoing plan 1 first is refused; undoing plan 2 restores plan 1 exactly.
        assert_err!(
            s.plan_undo(org.id, p1.id, &cli(30)).await,
            StoreError::Conflict(_)
        );
        assert_err!(
            s.plan_undo(other.id, p2.id, &cli(30)).await,
            StoreError::NotFound(_)
        );
        let undone = s.plan_undo(org.id, p2.id, &by(&lars, 31)).await.unwrap();
        assert_eq!(undone.status, PlanStatus::Undone);
        assert_eq!(
            agenda(s, org.id, &lars).await,
            after_p1,
            "the calendar is what it was"
        );
        assert_eq!(
            s.plan_get(org.id, p1.id).await.unwrap().status,
            PlanStatus::Applied
        );
        assert_err!(
            s.plan_undo(org.id, p2.id, &cli(32)).await,
            StoreError::Conflict(_)
        );
        s.plan_undo(org.id, p1.id, &cli(33)).await.unwrap();
        assert_eq!(agenda(s, org.id, &lars).await, calendar_before);
        let list = s.plan_list(org.id, lars.id, 10).await.unwrap();
        assert_eq!(list.iter().map(|p| p.id).collect::<Vec<_>>(), [p2.id, p1.id]);
        assert_eq!(count_action(s, org.id, "plan.apply").await, 2);
        assert_eq!(count_action(s, org.id, "plan.undo").await, 2);
        // Another organisation's person cannot be planned for.
        let stranger = add_person(s, other.id, "Stranger", None, Role::Staff, 40).await;
        assert_err!(
            s.plan_apply(
                org.id,
                stranger.id,
                march(),
                &serde_json::json!({}),
                &[],
                &cli(41)
            )
            .await,
            StoreError::NotFound(_)
        );
    })
    .await;
}
