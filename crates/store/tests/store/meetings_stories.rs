//! Meeting and duty stories: meeting notes, action items, materials, and the
//! responsibility grid's duties and completions.

use super::*;
use adjutant_core::calendar::{
    Category, EventData, EventStatus, EventTime, Priority, Recurrence, Transparency, Zone,
};
use adjutant_core::ids::{DutyId, EventId, MaterialId, MeetingId};
use adjutant_core::meetings::{AgendaItem, Decision, ItemSource, ItemStatus, MeetingNotes};
use adjutant_core::policy::Visibility;
use adjutant_core::tasks::duty::DutyData;
use adjutant_core::tasks::goal::{GoalData, GoalStatus};
use adjutant_core::tasks::task::{Due, TaskData};
use adjutant_store::calendar::{EventRecord, NewEvent};
use adjutant_store::meetings::MeetingRecord;
use adjutant_store::tasks::TaskFilter;
use jiff::civil::date;

fn ams() -> Zone {
    Zone::parse("zone", "Europe/Amsterdam").unwrap()
}

/// An instant on 2027-03-`day` at `h`:00, Amsterdam time.
fn at(day: i8, h: i8) -> Timestamp {
    ams().instant(date(2027, 3, day).at(h, 0, 0, 0))
}

/// An event on 2027-03-`day` from `h`:00 for an hour, Amsterdam time; weekly when `rule` is given.
fn ev(summary: &str, day: i8, h: i8, rule: Option<&str>) -> EventData {
    let start = date(2027, 3, day).at(h, 0, 0, 0);
    let mut recurrence = Recurrence::default();
    if let Some(r) = rule {
        recurrence.rules = vec![r.parse().unwrap()];
    }
    EventData {
        summary: summary.into(),
        description: String::new(),
        location: None,
        start: EventTime::zoned(start, &ams()),
        end: EventTime::zoned(
            start.checked_add(jiff::SignedDuration::from_hours(1)).unwrap(),
            &ams(),
        ),
        recurrence,
        organiser: None,
        attendees: vec![],
        visibility: Visibility::Normal,
        transparency: Transparency::Busy,
        priority: Priority::NORMAL,
        category: Category::Meeting,
        status: EventStatus::Confirmed,
    }
}

/// Stores `data` in `person`'s default calendar.
async fn event(s: &Store, org: OrgId, person: &Person, data: EventData, sec: i64) -> EventRecord {
    let cal = s
        .calendar_ensure_default(org, person.id, &cli(sec))
        .await
        .unwrap();
    let new = NewEvent {
        calendar: cal.id,
        uid: None,
        data,
        overrides: vec![],
        room: None,
        meeting_request: None,
    };
    s.event_create(org, &new, &[], &by(person, sec)).await.unwrap()
}

fn item(id: &str, title: &str) -> AgendaItem {
    AgendaItem {
        id: id.into(),
        title: title.into(),
        owner: None,
        minutes: None,
        notes: String::new(),
        status: ItemStatus::Open,
        source: None,
        materials: vec![],
    }
}

fn agenda(items: &[(&str, &str)]) -> MeetingNotes {
    MeetingNotes {
        agenda: items.iter().map(|(id, title)| item(id, title)).collect(),
        ..MeetingNotes::default()
    }
}

fn ids(meetings: &[MeetingRecord]) -> Vec<MeetingId> {
    meetings.iter().map(|m| m.id).collect()
}

/// The files listed on agenda item `id` of meeting `m`.
async fn listed(s: &Store, org: OrgId, m: MeetingId, id: &str) -> Vec<MaterialId> {
    let notes = s.meeting_get(org, m).await.unwrap().notes;
    notes.agenda.into_iter().find(|i| i.id == id).unwrap().materials
}

/// The newest audit entry of `org` with `action`.
async fn last(s: &Store, org: OrgId, action: &str) -> AuditEntry {
    audit(s, org)
        .await
        .into_iter()
        .find(|e| e.action == action)
        .unwrap()
}

#[tokio::test]
async fn meetings_are_one_per_occurrence_and_keep_their_notes() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let pia = add_person(s, org.id, "Pia", None, Role::Principal, 3).await;
        let tom = add_person(s, org.id, "Tom", None, Role::Staff, 4).await;
        let stranger = add_person(s, other.id, "Stranger", None, Role::Staff, 5).await;
        let prep = event(s, org.id, &pia, ev("Board prep", 2, 10, None), 6).await;
        let one_on_one = event(s, org.id, &pia, ev("1:1", 1, 9, Some("FREQ=WEEKLY;BYDAY=MO")), 7).await;

        // The single event's meeting: made once, then found.
        let m = s
            .meeting_ensure(org.id, prep.id, None, prep.starts_at, &by(&pia, 10))
            .await
            .unwrap();
        assert_eq!((m.org, m.event, m.occurrence.as_deref()), (org.id, prep.id, None));
        assert_eq!((m.starts_at, m.goal, m.tags.len()), (prep.starts_at, None, 0));
        assert_eq!(
            (m.notes.clone(), m.created_at, m.updated_at),
            (MeetingNotes::default(), t(10), t(10))
        );
        let again = s
            .meeting_ensure(org.id, prep.id, None, prep.starts_at, &by(&tom, 11))
            .await
            .unwrap();
        assert_eq!(again, m, "ensuring twice finds the first");
        assert_eq!(count_action(s, org.id, "meeting.create").await, 1);
        let created = last(s, org.id, "meeting.create").await;
        assert_eq!(
            (created.actor, created.item_id),
            (Some(pia.id), Some(m.id.to_string()))
        );

        // A series has one meeting per occurrence.
        let (first, second) = ("2027-03-01T09:00:00", "2027-03-08T09:00:00");
        let o2 = s
            .meeting_ensure(org.id, one_on_one.id, Some(second), at(8, 9), &cli(12))
            .await
            .unwrap();
        let o1 = s
            .meeting_ensure(org.id, one_on_one.id, Some(first), at(1, 9), &cli(13))
            .await
            .unwrap();
        assert_ne!(o1.id, o2.id);
        assert_eq!(o1.occurrence.as_deref(), Some(first));
        assert_eq!(
            s.meeting_ensure(org.id, one_on_one.id, Some(first), at(1, 9), &cli(14))
                .await
                .unwrap(),
            o1
        );
        assert_eq!(count_action(s, org.id, "meeting.create").await, 3);
        assert_eq!(
            s.meeting_find(org.id, one_on_one.id, Some(second)).await.unwrap(),
            Some(o2.clone())
        );
        assert_eq!(s.meeting_find(org.id, one_on_one.id, None).await.unwrap(), None);
        assert_eq!(s.meeting_get(org.id, o1.id).await.unwrap(), o1);

        // Two requests opening the same meeting at once agree on one row.
        let third = "2027-03-15T09:00:00";
        let ctx = cli(15);
        let (x, y, z) = tokio::join!(
            s.meeting_ensure(org.id, one_on_one.id, Some(third), at(15, 9), &ctx),
            s.meeting_ensure(org.id, one_on_one.id, Some(third), at(15, 9), &ctx),
            s.meeting_ensure(org.id, one_on_one.id, Some(third), at(15, 9), &ctx),
        );
        let o3 = x.unwrap();
        assert_eq!((y.unwrap().id, z.unwrap().id), (o3.id, o3.id));
        assert_eq!(count_action(s, org.id, "meeting.create").await, 4);
        assert_eq!(count(s, "meetings").await, 4);

        // Lists: the series by start ("the previous instance"), a range, some ids.
        assert_eq!(
            ids(&s.meetings_of_event(org.id, one_on_one.id).await.unwrap()),
            [o1.id, o2.id, o3.id]
        );
        assert_eq!(
            ids(&s.meeting_list(org.id, at(1, 0), at(31, 0)).await.unwrap()),
            [o1.id, m.id, o2.id, o3.id]
        );
        assert_eq!(
            ids(&s.meeting_list(org.id, at(1, 10), at(8, 9)).await.unwrap()),
            [m.id],
            "[from, to)"
        );
        let unknown = MeetingId(uuid::Uuid::now_v7());
        assert_eq!(
            ids(&s
                .meetings_by_ids(org.id, &[o2.id, unknown, m.id, o1.id])
                .await
                .unwrap()),
            [o2.id, m.id, o1.id]
        );
        assert!(s.meetings_by_ids(org.id, &[]).await.unwrap().is_empty());

        // Notes, goal and tags round-trip.
        let g = s
            .goal_create(
                org.id,
                &GoalData {
                    title: "Close the Series B".into(),
                    description: String::new(),
                    owner: pia.id,
                    starts_on: date(2027, 1, 1),
                    ends_on: date(2027, 6, 30),
                    status: GoalStatus::Active,
                },
                &cli(16),
            )
            .await
            .unwrap();
        let mut notes = agenda(&[("a1", "Runway"), ("a2", "Hiring plan")]);
        notes.agenda[0].owner = Some(tom.id);
        notes.agenda[0].minutes = Some(20);
        notes.agenda[0].notes = "18 months at the current burn".into();
        notes.agenda[0].status = ItemStatus::Resolved;
        notes.agenda[1].status = ItemStatus::Deferred;
        notes.agenda[1].source = Some(ItemSource::Carried {
            meeting: o1.id,
            item: "x7".into(),
        });
        notes.minutes = "Pia: «keep the burn flat» — agreed.\nNext: the bank.".into();
        notes.decisions = vec![Decision {
            id: "d1".into(),
            text: "Freeze hiring until April".into(),
            item: Some("a2".into()),
        }];
        let tags = vec!["board".to_string(), "finance".to_string()];
        let updated = s
            .meeting_update(org.id, m.id, &notes, Some(g.id), &tags, &by(&pia, 20))
            .await
            .unwrap();
        assert_eq!(
            (&updated.notes, updated.goal, &updated.tags),
            (&notes, Some(g.id), &tags)
        );
        assert_eq!((updated.created_at, updated.updated_at), (t(10), t(20)));
        assert_eq!(s.meeting_get(org.id, m.id).await.unwrap(), updated);
        // The audit log keeps the shape of the notes, not their text.
        let entry = last(s, org.id, "meeting.update").await;
        assert_eq!(
            (
                entry.details["to"]["items"].as_u64(),
                entry.details["to"]["decisions"].as_u64()
            ),
            (Some(2), Some(1))
        );
        assert_eq!(entry.details["from"]["items"].as_u64(), Some(0));
        assert!(!entry.details.to_string().contains("burn"), "{}", entry.details);

        // Another organisation sees none of it and cannot attach its goal or events.
        let before = actions(s, org.id).await.len();
        let theirs = s
            .goal_create(
                other.id,
                &GoalData {
                    title: "Theirs".into(),
                    description: String::new(),
                    owner: stranger.id,
                    starts_on: date(2027, 1, 1),
                    ends_on: date(2027, 6, 30),
                    status: GoalStatus::Active,
                },
                &cli(21),
            )
            .await
            .unwrap();
        assert_err!(
            s.meeting_update(
                org.id,
                m.id,
                &MeetingNotes::default(),
                Some(theirs.id),
                &[],
                &cli(22)
            )
            .await,
            StoreError::Conflict(_)
        );
        assert_err!(
            s.meeting_get(other.id, m.id).await,
            StoreError::NotFound("meeting")
        );
        assert_err!(
            s.meeting_update(other.id, m.id, &MeetingNotes::default(), None, &[], &cli(23))
                .await,
            StoreError::NotFound("meeting")
        );
        assert_err!(
            s.meeting_ensure(other.id, prep.id, None, prep.starts_at, &cli(24))
                .await,
            StoreError::NotFound("event")
        );
        assert_err!(
            s.meeting_ensure(org.id, EventId(uuid::Uuid::now_v7()), None, at(1, 9), &cli(25))
                .await,
            StoreError::NotFound("event")
        );
        assert_eq!(s.meeting_find(other.id, prep.id, None).await.unwrap(), None);
        assert!(
            s.meetings_of_event(other.id, one_on_one.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.meeting_list(other.id, at(1, 0), at(31, 0))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.meetings_by_ids(other.id, &[m.id, o1.id])
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.meeting_get(org.id, m.id).await.unwrap(),
            updated,
            "nothing changed"
        );
        assert_eq!(actions(s, org.id).await.len(), before, "nothing audited");
        assert_eq!(count(s, "meetings").await, 4);
    })
    .await;
}

#[tokio::test]
async fn minutes_and_action_items_are_stored_together_or_not_at_all() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let pia = add_person(s, org.id, "Pia", None, Role::Principal, 3).await;
        let tom = add_person(s, org.id, "Tom", None, Role::Staff, 4).await;
        let stranger = add_person(s, other.id, "Stranger", None, Role::Staff, 5).await;
        let review = event(s, org.id, &pia, ev("Budget review", 3, 14, None), 6).await;
        let m = s
            .meeting_ensure(org.id, review.id, None, review.starts_at, &cli(7))
            .await
            .unwrap();
        let agenda_only = agenda(&[("a1", "Q2 budget")]);
        let m = s
            .meeting_update(org.id, m.id, &agenda_only, None, &[], &by(&pia, 8))
            .await
            .unwrap();

        let mut minutes = agenda_only.clone();
        minutes.agenda[0].status = ItemStatus::Resolved;
        minutes.minutes = "Budget approved with one change.".into();
        minutes.decisions = vec![Decision {
            id: "d1".into(),
            text: "Approve the Q2 budget".into(),
            item: Some("a1".into()),
        }];
        let mut send = TaskData::new("Send the approved budget to finance", tom.id);
        send.due = Some(Due {
            date: date(2027, 3, 5),
            time: None,
            zone: ams(),
        });
        let foreign = TaskData::new("Countersign", stranger.id);

        // The second action item names another organisation's person: nothing is written.
        let before = actions(s, org.id).await.len();
        assert_err!(
            s.meeting_record(org.id, m.id, &minutes, &[send.clone(), foreign], &by(&pia, 10))
                .await,
            StoreError::Conflict(_)
        );
        assert_eq!(
            s.meeting_get(org.id, m.id).await.unwrap(),
            m,
            "the notes are as they were"
        );
        assert_eq!(count(s, "tasks").await, 0);
        assert_eq!(actions(s, org.id).await.len(), before, "nothing audited");

        // Another organisation cannot record this meeting's minutes.
        assert_err!(
            s.meeting_record(other.id, m.id, &minutes, &[], &cli(11)).await,
            StoreError::NotFound("meeting")
        );

        // Valid action items: stored with the minutes, each an action item of this meeting.
        let mut book = TaskData::new("Book the offsite", pia.id);
        book.delegated_to = Some(tom.id);
        let (recorded, tasks) = s
            .meeting_record(org.id, m.id, &minutes, &[send.clone(), book], &by(&pia, 20))
            .await
            .unwrap();
        assert_eq!((&recorded.notes, recorded.updated_at), (&minutes, t(20)));
        assert_eq!(
            tasks.iter().map(|t| t.data.title.as_str()).collect::<Vec<_>>(),
            ["Send the approved budget to finance", "Book the offsite"]
        );
        assert!(
            tasks
                .iter()
                .all(|t| t.data.from_meeting == Some(m.id) && t.created_by == Some(pia.id))
        );
        assert_eq!(tasks[0].data.due, send.due);
        assert_eq!(tasks[1].data.doer(), tom.id);
        let of_meeting = TaskFilter {
            from_meeting: Some(m.id),
            ..TaskFilter::default()
        };
        assert_eq!(s.task_list(org.id, &of_meeting).await.unwrap(), tasks);
        assert_eq!(s.meeting_get(org.id, m.id).await.unwrap(), recorded);
        assert_eq!(count_action(s, org.id, "meeting.record").await, 1);
        assert_eq!(count_action(s, org.id, "meeting.action_item").await, 2);
        let entry = last(s, org.id, "meeting.record").await;
        assert_eq!(entry.details["action_items"].as_u64(), Some(2));
        assert!(
            !entry.details.to_string().contains("approved with"),
            "{}",
            entry.details
        );
        let items: Vec<Option<String>> = audit(s, org.id)
            .await
            .into_iter()
            .filter(|e| e.action == "meeting.action_item")
            .map(|e| e.item_id)
            .collect();
        for task in &tasks {
            assert!(
                items.contains(&Some(task.id.to_string())),
                "{} audited",
                task.data.title
            );
        }

        // Minutes without action items are just the notes.
        minutes.minutes.push_str(" Follow-up in April.");
        let (again, none) = s
            .meeting_record(org.id, m.id, &minutes, &[], &by(&tom, 30))
            .await
            .unwrap();
        assert_eq!(
            (again.notes.minutes.as_str(), none.len()),
            (minutes.minutes.as_str(), 0)
        );
        assert_eq!(count(s, "tasks").await, 2);
        assert_eq!(count_action(s, org.id, "meeting.record").await, 2);
    })
    .await;
}

#[tokio::test]
async fn materials_keep_their_bytes_and_their_item() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let pia = add_person(s, org.id, "Pia", None, Role::Principal, 3).await;
        let board = event(s, org.id, &pia, ev("Board", 4, 9, None), 4).await;
        let m = s
            .meeting_ensure(org.id, board.id, None, board.starts_at, &cli(5))
            .await
            .unwrap();
        let notes = agenda(&[("a1", "Financials"), ("a2", "Hiring")]);
        s.meeting_update(org.id, m.id, &notes, None, &[], &cli(6))
            .await
            .unwrap();

        // Every byte value, NULs and invalid UTF-8 included, comes back exactly.
        let pdf: Vec<u8> = b"%PDF-1.7\n"
            .iter()
            .copied()
            .chain((0..=255u8).cycle().take(70_000))
            .collect();
        let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let f1 = s
            .material_add(
                org.id,
                m.id,
                "a1",
                "Q1 financials.pdf",
                "application/pdf",
                sha,
                &pdf,
                &by(&pia, 10),
            )
            .await
            .unwrap();
        assert_eq!((f1.org, f1.meeting, f1.item.as_str()), (org.id, m.id, "a1"));
        assert_eq!(
            (f1.filename.as_str(), f1.content_type.as_str()),
            ("Q1 financials.pdf", "application/pdf")
        );
        assert_eq!((f1.size, f1.sha256.as_str()), (pdf.len() as u64, sha));
        assert_eq!((f1.uploaded_by, f1.created_at), (Some(pia.id), t(10)));
        let (got, bytes) = s.material_get(org.id, f1.id).await.unwrap();
        assert_eq!(got, f1);
        assert!(bytes == pdf, "the content round-trips byte for byte");
        assert_eq!(listed(s, org.id, m.id, "a1").await, [f1.id]);
        assert_eq!(s.meeting_get(org.id, m.id).await.unwrap().updated_at, t(10));

        let csv = "name,amount\nRent,4200\n".as_bytes();
        let f2 = s
            .material_add(org.id, m.id, "a1", "costs.csv", "text/csv", sha, csv, &cli(11))
            .await
            .unwrap();
        let f3 = s
            .material_add(
                org.id,
                m.id,
                "a2",
                "roles.md",
                "text/markdown",
                sha,
                b"# Roles",
                &cli(12),
            )
            .await
            .unwrap();
        assert_eq!(f2.uploaded_by, None);
        assert_eq!(s.material_get(org.id, f2.id).await.unwrap().1, csv);
        assert_eq!(listed(s, org.id, m.id, "a1").await, [f1.id, f2.id]);
        assert_eq!(listed(s, org.id, m.id, "a2").await, [f3.id]);
        assert_eq!(
            s.materials_of(org.id, m.id)
                .await
                .unwrap()
                .iter()
                .map(|f| f.id)
                .collect::<Vec<_>>(),
            [f1.id, f2.id, f3.id]
        );

        // Only items on the agenda take files.
        assert_err!(
            s.material_add(org.id, m.id, "zz", "x.txt", "text/plain", sha, b"x", &cli(13))
                .await,
            StoreError::NotFound("agenda item")
        );
        assert_eq!(count(s, "materials").await, 3);

        // Notes written from a stale copy lose no file and name none that does not exist;
        // the order the writer chose is kept.
        let mut stale = notes.clone();
        stale.agenda[0].materials = vec![f2.id, MaterialId(uuid::Uuid::now_v7()), f1.id, f2.id];
        stale.agenda[0].title = "Financials (Q1)".into();
        let m2 = s
            .meeting_update(org.id, m.id, &stale, None, &[], &cli(14))
            .await
            .unwrap();
        assert_eq!(m2.notes.agenda[0].title, "Financials (Q1)");
        assert_eq!(m2.notes.agenda[0].materials, [f2.id, f1.id]);
        assert_eq!(m2.notes.agenda[1].materials, [f3.id]);

        // An item taken off the agenda keeps its files stored; put back, it lists them again.
        let without = MeetingNotes {
            agenda: vec![stale.agenda[0].clone()],
            ..stale.clone()
        };
        s.meeting_update(org.id, m.id, &without, None, &[], &cli(15))
            .await
            .unwrap();
        assert_eq!(s.materials_of(org.id, m.id).await.unwrap().len(), 3);
        s.meeting_update(org.id, m.id, &stale, None, &[], &cli(16))
            .await
            .unwrap();
        assert_eq!(listed(s, org.id, m.id, "a2").await, [f3.id]);

        // Another organisation: none of it is there.
        let before = actions(s, org.id).await.len();
        assert_err!(
            s.material_get(other.id, f1.id).await,
            StoreError::NotFound("material")
        );
        assert!(s.materials_of(other.id, m.id).await.unwrap().is_empty());
        assert_err!(
            s.material_add(other.id, m.id, "a1", "x.txt", "text/plain", sha, b"x", &cli(17))
                .await,
            StoreError::NotFound("meeting")
        );
        assert_err!(
            s.material_delete(other.id, f1.id, &cli(18)).await,
            StoreError::NotFound("material")
        );
        assert_eq!(count(s, "materials").await, 3);
        assert_eq!(actions(s, org.id).await.len(), before, "nothing audited");

        // Deleting a file takes it off its item.
        let gone = s.material_delete(org.id, f1.id, &by(&pia, 20)).await.unwrap();
        assert_eq!(gone, f1);
        assert_err!(
            s.material_get(org.id, f1.id).await,
            StoreError::NotFound("material")
        );
        assert_eq!(listed(s, org.id, m.id, "a1").await, [f2.id]);
        assert_eq!(s.meeting_get(org.id, m.id).await.unwrap().updated_at, t(20));
        assert_err!(
            s.material_delete(org.id, f1.id, &cli(21)).await,
            StoreError::NotFound("material")
        );
        assert_eq!(count(s, "materials").await, 2);

        // The audit log names the files, never their content.
        assert_eq!(count_action(s, org.id, "material.add").await, 3);
        assert_eq!(count_action(s, org.id, "material.delete").await, 1);
        let added = audit(s, org.id)
            .await
            .into_iter()
            .find(|e| e.action == "material.add" && e.item_id == Some(f1.id.to_string()))
            .unwrap();
        assert_eq!(added.details["filename"], "Q1 financials.pdf");
        assert_eq!(added.details["content_type"], "application/pdf");
        assert_eq!(added.details["size"].as_u64(), Some(pdf.len() as u64));
        assert_eq!(added.details["item"], "a1");
        assert!(added.details.get("content").is_none());
        let deleted = last(s, org.id, "material.delete").await;
        assert_eq!(
            (deleted.actor, deleted.details["filename"].as_str()),
            (Some(pia.id), Some("Q1 financials.pdf"))
        );
    })
    .await;
}

fn duty(title: &str, owner: Option<&Person>, backup: Option<&Person>) -> DutyData {
    DutyData {
        title: title.into(),
        description: String::new(),
        area: "finance".into(),
        owner: owner.map(|p| p.id),
        backup: backup.map(|p| p.id),
        cadence: "FREQ=WEEKLY;BYDAY=TU".into(),
        anchor: date(2026, 11, 3),
        estimate_minutes: 60,
    }
}

#[tokio::test]
async fn duties_their_cover_and_completions() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::Staff, 3).await;
        let tom = add_person(s, org.id, "Tom", None, Role::Staff, 4).await;
        let stranger = add_person(s, other.id, "Stranger", None, Role::Staff, 5).await;

        let invoices = duty("Approve supplier invoices", Some(&sofia), Some(&tom));
        let d1 = s.duty_create(org.id, &invoices, &by(&sofia, 10)).await.unwrap();
        assert_eq!((d1.org, &d1.data, &d1.last_done), (org.id, &invoices, &None));
        assert_eq!((d1.created_at, d1.updated_at), (t(10), t(10)));
        let d2 = s
            .duty_create(
                org.id,
                &duty("Prepare the board pack", Some(&tom), None),
                &cli(11),
            )
            .await
            .unwrap();
        let d3 = s
            .duty_create(org.id, &duty("Water the plants", None, None), &cli(12))
            .await
            .unwrap();
        let titles = |list: &[adjutant_store::duties::DutyRecord]| -> Vec<String> {
            list.iter().map(|d| d.data.title.clone()).collect()
        };
        assert_eq!(
            titles(&s.duty_list(org.id).await.unwrap()),
            [
                "Approve supplier invoices",
                "Prepare the board pack",
                "Water the plants"
            ]
        );
        assert_eq!(s.duty_get(org.id, d3.id).await.unwrap(), d3);

        // Another organisation's person is neither owner nor backup.
        let before = actions(s, org.id).await.len();
        for bad in [
            duty("Theirs", Some(&stranger), None),
            duty("Theirs", Some(&sofia), Some(&stranger)),
            duty("Theirs", None, Some(&stranger)),
        ] {
            assert_err!(
                s.duty_create(org.id, &bad, &cli(13)).await,
                StoreError::Conflict(_)
            );
        }
        assert_err!(
            s.duty_update(
                org.id,
                d2.id,
                &duty("Prepare the board pack", Some(&stranger), None),
                &cli(14)
            )
            .await,
            StoreError::Conflict(_)
        );
        assert_eq!(s.duty_get(org.id, d2.id).await.unwrap(), d2, "unchanged");
        assert_eq!(count(s, "duties").await, 3);
        assert_eq!(actions(s, org.id).await.len(), before, "nothing audited");

        // Owner and backup swap, the cadence changes.
        let mut swapped = duty("Approve supplier invoices", Some(&tom), Some(&sofia));
        swapped.cadence = "FREQ=WEEKLY;BYDAY=WE".into();
        let d1 = s
            .duty_update(org.id, d1.id, &swapped, &by(&sofia, 20))
            .await
            .unwrap();
        assert_eq!((&d1.data, d1.created_at, d1.updated_at), (&swapped, t(10), t(20)));
        let entry = last(s, org.id, "duty.update").await;
        assert_eq!(entry.details["from"]["owner"], serde_json::json!(sofia.id));
        assert_eq!(entry.details["to"]["owner"], serde_json::json!(tom.id));
        assert_eq!(entry.details["to"]["backup"], serde_json::json!(sofia.id));
        assert_eq!(entry.details["from"]["cadence"], "FREQ=WEEKLY;BYDAY=TU");

        // Completions: once per occurrence; the latest occurrence is the last done.
        let done = s
            .duty_complete(org.id, d1.id, date(2026, 12, 8), "14 invoices", &by(&tom, 30))
            .await
            .unwrap();
        assert_eq!(
            (done.duty, done.due_on, done.done_at),
            (d1.id, date(2026, 12, 8), t(30))
        );
        assert_eq!((done.done_by, done.note.as_str()), (Some(tom.id), "14 invoices"));
        match s
            .duty_complete(org.id, d1.id, date(2026, 12, 8), "again", &by(&sofia, 31))
            .await
        {
            Err(StoreError::Conflict(m)) => assert_eq!(m, "already marked done for 2026-12-08"),
            other => panic!("a second completion is a conflict, got {other:?}"),
        }
        // An earlier occurrence marked done late does not hide the later one.
        let late = s
            .duty_complete(org.id, d1.id, date(2026, 12, 1), "", &cli(32))
            .await
            .unwrap();
        assert_eq!(late.done_by, None);
        assert_eq!(
            s.duty_get(org.id, d1.id).await.unwrap().last_done,
            Some(done.clone())
        );
        let listed = s.duty_list(org.id).await.unwrap();
        assert_eq!(
            listed
                .iter()
                .map(|d| d.last_done.as_ref().map(|c| c.due_on))
                .collect::<Vec<_>>(),
            [Some(date(2026, 12, 8)), None, None]
        );
        let d2_done = s
            .duty_complete(org.id, d2.id, date(2026, 12, 8), "", &cli(33))
            .await
            .unwrap();
        assert_eq!(s.duty_get(org.id, d2.id).await.unwrap().last_done, Some(d2_done));
        assert_eq!(
            s.duty_completions(org.id, d1.id, 10).await.unwrap(),
            [done.clone(), late.clone()]
        );
        assert_eq!(
            s.duty_completions(org.id, d1.id, 1).await.unwrap(),
            std::slice::from_ref(&done)
        );

        // Another organisation: none of it is there.
        let before = actions(s, org.id).await.len();
        assert_err!(s.duty_get(other.id, d1.id).await, StoreError::NotFound("duty"));
        assert!(s.duty_list(other.id).await.unwrap().is_empty());
        assert!(s.duty_completions(other.id, d1.id, 10).await.unwrap().is_empty());
        assert_err!(
            s.duty_update(other.id, d1.id, &swapped, &cli(40)).await,
            StoreError::NotFound("duty")
        );
        assert_err!(
            s.duty_complete(other.id, d1.id, date(2026, 12, 15), "", &cli(41))
                .await,
            StoreError::NotFound("duty")
        );
        assert_err!(
            s.duty_delete(other.id, d1.id, &cli(42)).await,
            StoreError::NotFound("duty")
        );
        assert_err!(
            s.duty_complete(
                org.id,
                DutyId(uuid::Uuid::now_v7()),
                date(2026, 12, 15),
                "",
                &cli(43)
            )
            .await,
            StoreError::NotFound("duty")
        );
        assert_eq!(s.duty_get(org.id, d1.id).await.unwrap().data, swapped);
        assert_eq!(actions(s, org.id).await.len(), before, "nothing audited");

        // Deleting a duty takes its completions with it.
        let gone = s.duty_delete(org.id, d1.id, &by(&sofia, 50)).await.unwrap();
        assert_eq!((gone.id, gone.last_done), (d1.id, Some(done)));
        assert_err!(s.duty_get(org.id, d1.id).await, StoreError::NotFound("duty"));
        assert_err!(
            s.duty_delete(org.id, d1.id, &cli(51)).await,
            StoreError::NotFound("duty")
        );
        assert_eq!(
            (count(s, "duties").await, count(s, "duty_completions").await),
            (2, 1)
        );

        // Every change was audited.
        for (action, n) in [
            ("duty.create", 3),
            ("duty.update", 1),
            ("duty.done", 3),
            ("duty.delete", 1),
        ] {
            assert_eq!(count_action(s, org.id, action).await, n, "{action}");
        }
        let entry = last(s, org.id, "duty.done").await;
        assert_eq!(
            (entry.item_id, entry.details["due_on"].as_str()),
            (Some(d2.id.to_string()), Some("2026-12-08"))
        );
    })
    .await;
}
