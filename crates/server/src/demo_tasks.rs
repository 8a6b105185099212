//! The demo organisation's work: the CEO's goals and open tasks (some waiting
//! for his decision, one overdue, one handed to his assistant), last month's
//! board meeting with its minutes and action items still open, last week's
//! leadership meeting with a point carried over, tasks shared with the
//! contractor, the responsibility grid with a duty nobody covers, and an
//! applied plan that places the CEO's tasks in his free time. Every date is
//! relative to the week the demo is seeded in.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::calendar::{self as cal, AttendeeInput, EventInput};
use crate::ops::duties::{self, DutyInput};
use crate::ops::meetings::{self, ActionInput, AgendaItemInput, DecisionInput, MeetingInput};
use crate::ops::planning::{self, PlanOptions};
use crate::ops::scheduling as sched;
use crate::ops::tasks::{self, GoalInput, QuickAddInput, TaskInput, TaskPatch};
use adjutant_core::calendar::Zone;
use adjutant_core::calendar::availability::OutOfOffice;
use adjutant_core::ids::{OrgId, PersonId};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::HashMap;

fn day(monday: Date, n: i64) -> Date {
    monday.checked_add(jiff::Span::new().days(n)).unwrap_or(monday)
}

fn item(title: &str, owner: Option<&str>, minutes: u32, status: &str, notes: &str) -> AgendaItemInput {
    AgendaItemInput {
        id: None,
        title: title.into(),
        owner: owner.map(str::to_string),
        minutes: Some(minutes),
        notes: Some(notes.into()),
        status: Some(status.into()),
    }
}

fn action(title: &str, owner: &str, due: Date) -> ActionInput {
    ActionInput {
        title: title.into(),
        owner: owner.into(),
        due: Some(due.to_string()),
        notes: None,
        estimate_minutes: None,
        impact: None,
    }
}

/// Seeds Northwind's tasks, goals, meetings, duties and a plan (`ids`: e-mail → person id).
pub async fn seed(state: &AppState, org: OrgId, ids: &HashMap<&str, String>) -> Result<(), ApiError> {
    let sys = Caller::System("demo".into());
    let p = |email: &str| ids.get(email).cloned().unwrap_or_default();
    let ams = Zone::parse("time_zone", "Europe/Amsterdam").unwrap_or_else(|_| Zone::utc());
    let today = ams.local(Timestamp::now()).date();
    let monday = today
        .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
        .unwrap_or(today);
    let (lars, grace, maya, sofia, tom, priya) = (
        "lars@northwind.example",
        "grace@northwind.example",
        "maya@northwind.example",
        "sofia@northwind.example",
        "tom@northwind.example",
        "priya@northwind.example",
    );

    // Lars's goals for the quarter.
    let quarter_end = day(monday, 90);
    let mut goal_ids = HashMap::new();
    for (title, description) in [
        (
            "Close the Series B",
            "Term sheet signed and money in the bank by the end of the quarter.",
        ),
        (
            "Open the New York office",
            "Lease, first three hires, Grace's finance team moved in.",
        ),
        (
            "Ship the 2027 plan",
            "Budget, hiring plan and targets approved by the board.",
        ),
    ] {
        let g = tasks::create_goal(
            state,
            &sys,
            org,
            &GoalInput {
                title: title.into(),
                description: Some(description.into()),
                owner: Some(p(lars)),
                starts_on: day(monday, -14).to_string(),
                ends_on: quarter_end.to_string(),
                status: None,
            },
        )
        .await?;
        goal_ids.insert(title, g.id.to_string());
    }
    let goal = |t: &str| goal_ids.get(t).cloned();

    // Lars's open tasks, typed the way he would type them.
    let quick = [
        "call Anna about the lease tomorrow 15:00 !high #board ~30m",
        "Review the Heron term sheet by friday !critical ~2h",
        "Thank-you note to the Hudson Yards landlord ~15m !low",
        "Read the audit committee report ~45m #board",
    ];
    for text in quick {
        tasks::quick_add(
            state,
            &sys,
            org,
            &QuickAddInput {
                text: text.into(),
                owner: Some(p(lars)),
            },
        )
        .await?;
    }
    let task = |title: &str| TaskInput {
        title: title.into(),
        owner: Some(p(lars)),
        ..TaskInput::default()
    };
    let board_pack = tasks::create_task(
        state,
        &sys,
        org,
        &TaskInput {
            due: Some(day(monday, 8).to_string()),
            estimate_minutes: Some(360),
            impact: Some(5),
            goal: goal("Ship the 2027 plan"),
            tags: vec!["board".into()],
            notes: Some("Budget, hiring plan, Heron update, CFO report.".into()),
            ..task("Prepare the board pack")
        },
    )
    .await?;
    let inputs = vec![
        TaskInput {
            estimate_minutes: Some(240),
            impact: Some(5),
            goal: goal("Close the Series B"),
            due: Some(day(monday, 11).to_string()),
            ..task("Write the investor update")
        },
        TaskInput {
            estimate_minutes: Some(90),
            impact: Some(4),
            goal: goal("Open the New York office"),
            depends_on: vec![],
            ..task("Interview the office-lead candidates")
        },
        TaskInput {
            needs_decision: Some(true),
            impact: Some(4),
            due: Some(day(monday, 4).to_string()),
            notes: Some("Sofia's request: 12,000 for the New York furniture; above her limit.".into()),
            ..task("Approve the 12,000 purchase order for New York furniture")
        },
        TaskInput {
            needs_decision: Some(true),
            impact: Some(3),
            notes: Some("Priya shortlisted three venues; the poll for the dinner is open.".into()),
            ..task("Decide the offsite venue")
        },
        TaskInput {
            delegated_to: Some(p(maya)),
            due: Some(day(monday, 3).to_string()),
            estimate_minutes: Some(45),
            ..task("Book flights and hotel for the London trip")
        },
        TaskInput {
            due: Some(day(monday, -3).to_string()),
            estimate_minutes: Some(30),
            impact: Some(4),
            ..task("Sign off the Q4 bonus letters")
        },
        TaskInput {
            repeat: Some("FREQ=WEEKLY;BYDAY=MO".into()),
            due: Some(monday.to_string()),
            estimate_minutes: Some(30),
            ..task("Approve the team's expense reports")
        },
        TaskInput {
            impact: Some(2),
            estimate_minutes: Some(60),
            ..task("Clear out old newsletters and subscriptions")
        },
        TaskInput {
            impact: Some(2),
            due: Some(today.tomorrow().unwrap_or(today).to_string()),
            estimate_minutes: Some(20),
            notes: Some("Urgent but not his job: one for Maya.".into()),
            ..task("Renew the company's domain names")
        },
    ];
    for t in &inputs {
        tasks::create_task(state, &sys, org, t).await?;
    }
    // The pack depends on the CFO's report.
    let cfo = tasks::create_task(
        state,
        &sys,
        org,
        &TaskInput {
            title: "CFO report for the board pack".into(),
            owner: Some(p(grace)),
            due: Some(day(monday, 6).to_string()),
            estimate_minutes: Some(180),
            impact: Some(4),
            tags: vec!["board".into()],
            ..TaskInput::default()
        },
    )
    .await?;
    tasks::update_task(
        state,
        &sys,
        org,
        board_pack.id,
        &TaskPatch {
            depends_on: Some(vec![cfo.id.to_string()]),
            ..TaskPatch::default()
        },
    )
    .await?;
    // Maya's own work, and what she shares with Priya.
    for t in [
        TaskInput {
            title: "Collect the signed NDAs from the outside directors".into(),
            owner: Some(p(maya)),
            due: Some(day(monday, 5).to_string()),
            estimate_minutes: Some(30),
            ..TaskInput::default()
        },
        TaskInput {
            title: "Research an offsite venue near Amsterdam".into(),
            owner: Some(p(maya)),
            delegated_to: Some(p(priya)),
            due: Some(day(monday, 9).to_string()),
            estimate_minutes: Some(180),
            ..TaskInput::default()
        },
        TaskInput {
            title: "Enter 40 business cards as contacts".into(),
            owner: Some(p(maya)),
            shared_with: vec![p(priya)],
            estimate_minutes: Some(120),
            ..TaskInput::default()
        },
    ] {
        tasks::create_task(state, &sys, org, &t).await?;
    }

    // Last month's board meeting: minutes, decisions and action items, one still open.
    let last_board = cal::create_event(
        state,
        &sys,
        org,
        &EventInput {
            person: Some(p(lars)),
            summary: "Board meeting — Q4 review".into(),
            start: format!("{}T14:00", day(monday, -28)),
            duration_minutes: Some(90),
            time_zone: Some("Europe/Amsterdam".into()),
            attendees: vec![AttendeeInput {
                who: p(grace),
                name: None,
                optional: false,
            }],
            ..EventInput::default()
        },
    )
    .await?;
    let m = meetings::open_meeting(state, &sys, org, last_board.id, None).await?;
    meetings::update_meeting(
        state,
        &sys,
        org,
        m.id,
        &MeetingInput {
            agenda: Some(vec![
                item(
                    "Q4 results",
                    Some(&p(grace)),
                    20,
                    "resolved",
                    "Revenue 4% over plan.",
                ),
                item("Budget 2027", Some(&p(grace)), 30, "resolved", ""),
                item(
                    "Office move to Herengracht 14",
                    Some(&p(sofia)),
                    20,
                    "deferred",
                    "Waiting for the landlord's offer.",
                ),
            ]),
            minutes: Some("Quorum present. Henk de Wit joined by video.".into()),
            decisions: Some(vec![
                DecisionInput {
                    id: None,
                    text: "Approve the 2027 budget as presented".into(),
                    item: None,
                },
                DecisionInput {
                    id: None,
                    text: "Start the Series B process in January".into(),
                    item: None,
                },
            ]),
            goal: goal("Ship the 2027 plan"),
            tags: Some(vec!["board".into()]),
        },
    )
    .await?;
    let acts = meetings::add_actions(
        state,
        &sys,
        org,
        m.id,
        &[
            action("Send the audit engagement letter", &p(grace), day(monday, -4)),
            action(
                "Circulate the Q4 forecast to the directors",
                &p(grace),
                day(monday, -20),
            ),
            action("Get three quotes for the office move", &p(sofia), day(monday, 10)),
        ],
    )
    .await?;
    if let Some(done) = acts.iter().find(|t| t.data.title.starts_with("Circulate")) {
        tasks::complete_task(state, &sys, org, done.id).await?;
    }

    // Last week's leadership meeting (a weekly series): one point carried to this week.
    let series = state
        .store
        .events_in_range(
            org,
            &adjutant_store::calendar::EventScope::Person(p(lars).parse().map_err(|_| ApiError::internal())?),
            adjutant_core::calendar::TimeRange {
                start: ams.start_of_day(day(monday, -7)),
                end: ams.start_of_day(monday),
            },
        )
        .await?
        .into_iter()
        .find(|e| e.data.summary == "Leadership team");
    if let Some(leadership) = series {
        let rid = format!("{}T16:00:00", day(monday, -6));
        let lm = meetings::open_meeting(state, &sys, org, leadership.id, Some(&rid)).await?;
        meetings::update_meeting(
            state,
            &sys,
            org,
            lm.id,
            &MeetingInput {
                agenda: Some(vec![
                    item("Weekly numbers", Some(&p(grace)), 15, "resolved", ""),
                    item(
                        "Hiring plan for New York",
                        Some(&p(lars)),
                        20,
                        "deferred",
                        "Two offers out; decide next week.",
                    ),
                    item("Open decisions", None, 15, "open", ""),
                ]),
                minutes: Some("Sales ahead of plan; hiring slower than planned.".into()),
                decisions: None,
                goal: goal("Open the New York office"),
                tags: None,
            },
        )
        .await?;
        meetings::add_actions(
            state,
            &sys,
            org,
            lm.id,
            &[action(
                "Draft the New York job descriptions",
                &p(sofia),
                day(monday, 2),
            )],
        )
        .await?;
    }

    // The responsibility grid. Tom is away next week, and nobody backs him up.
    let tom_id: PersonId = p(tom).parse().map_err(|_| ApiError::internal())?;
    let mut away = sched::get_availability(state, &sys, org, tom_id).await?;
    away.out_of_office.push(OutOfOffice::Dates {
        first: day(monday, 7),
        last: day(monday, 11),
    });
    sched::set_availability(state, &sys, org, tom_id, &away).await?;
    let duty = |title: &str,
                area: &str,
                owner: Option<&str>,
                backup: Option<&str>,
                cadence: &str,
                anchor: Date,
                minutes: u32| DutyInput {
        title: title.into(),
        description: None,
        area: Some(area.into()),
        owner: owner.map(p),
        backup: backup.map(p),
        cadence: cadence.into(),
        anchor: anchor.to_string(),
        estimate_minutes: minutes,
    };
    for d in [
        duty(
            "Approve supplier invoices",
            "finance",
            Some(sofia),
            Some(grace),
            "FREQ=WEEKLY;BYDAY=TU",
            day(monday, -27),
            60,
        ),
        duty(
            "Prepare the board pack",
            "board",
            Some(maya),
            Some(lars),
            "FREQ=MONTHLY;BYMONTHDAY=1",
            day(monday, -60),
            240,
        ),
        duty(
            "Order coffee and supplies",
            "office",
            Some(sofia),
            Some(tom),
            "FREQ=WEEKLY;BYDAY=MO",
            day(monday, -28),
            30,
        ),
        duty(
            "Renew the parking permits",
            "office",
            Some(tom),
            None,
            "FREQ=WEEKLY;INTERVAL=52",
            day(monday, 8),
            45,
        ),
        duty(
            "Check the first-aid kit",
            "office",
            None,
            None,
            "FREQ=MONTHLY;BYMONTHDAY=15",
            day(monday, -40),
            15,
        ),
        duty(
            "Update the CEO's travel file",
            "support",
            Some(maya),
            Some(priya),
            "FREQ=WEEKLY;BYDAY=FR",
            day(monday, -24),
            20,
        ),
    ] {
        duties::create_duty(state, &sys, org, &d).await?;
    }

    // Lars's tasks placed in his free time for the next two weeks.
    planning::apply(
        state,
        &sys,
        org,
        &PlanOptions {
            person: Some(p(lars)),
            days: Some(14),
            min_chunk_minutes: None,
            max_chunk_minutes: None,
        },
    )
    .await?;
    Ok(())
}
