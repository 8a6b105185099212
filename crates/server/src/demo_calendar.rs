//! The demo organisation's calendars: rooms in Amsterdam and New York, travel
//! times, everyone's working hours, and a living week for the CEO across three
//! zones — a recurring 1:1 moved this week, a private dentist appointment, a
//! confidential deal, a flight on Wednesday, focus blocks, the leadership
//! meeting with New York, holds for a board meeting and an open poll with
//! outside directors. Every date is relative to the week the demo is seeded in.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::calendar::{self as cal, AttendeeInput, EventInput, MoveInput, ResourceForm};
use crate::ops::scheduling::{self as sched, MeetingRequestInput, PollInput, TravelInput};
use adjutant_core::calendar::Zone;
use adjutant_core::calendar::availability::{Availability, DayOfWeek, FocusGoal, LocalSpan};
use adjutant_core::ids::{OrgId, PersonId};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::HashMap;

/// Wall-clock time `hh:mm` on `day` days after `monday`, as the API reads it.
fn at(monday: Date, day: i64, hm: &str) -> String {
    let d = monday.checked_add(jiff::Span::new().days(day)).unwrap_or(monday);
    format!("{d}T{hm}")
}

fn who(list: &[&str]) -> Vec<AttendeeInput> {
    list.iter()
        .map(|w| AttendeeInput {
            who: w.trim_start_matches('?').to_string(),
            name: None,
            optional: w.starts_with('?'),
        })
        .collect()
}

fn outsider(email: &str, name: &str) -> AttendeeInput {
    AttendeeInput {
        who: email.into(),
        name: Some(name.into()),
        optional: false,
    }
}

fn hours(zone: &str, start: (u8, u8), end: (u8, u8), lunch: Option<((u8, u8), (u8, u8))>) -> Availability {
    let z = Zone::parse("time_zone", zone).unwrap_or_else(|_| Zone::utc());
    let mut a = Availability::default_for(z);
    let day = vec![LocalSpan::hm(start.0, start.1, end.0, end.1)];
    a.working_hours.monday = day.clone();
    a.working_hours.tuesday = day.clone();
    a.working_hours.wednesday = day.clone();
    a.working_hours.thursday = day.clone();
    a.working_hours.friday = day;
    a.lunch = lunch.map(|(s, e)| LocalSpan::hm(s.0, s.1, e.0, e.1));
    a
}

/// Seeds the calendars of Northwind (`ids`: e-mail → person id).
pub async fn seed(state: &AppState, org: OrgId, ids: &HashMap<&str, String>) -> Result<(), ApiError> {
    let sys = Caller::System("demo".into());
    let p = |email: &str| ids.get(email).cloned().unwrap_or_default();
    let ams = Zone::parse("time_zone", "Europe/Amsterdam").unwrap_or_else(|_| Zone::utc());
    let today = ams.local(Timestamp::now()).date();
    let monday = today
        .checked_sub(jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset())))
        .unwrap_or(today);

    // Rooms and travel times.
    let room = |name: &str, capacity: u32, equipment: &[&str], location: &str, tz: &str| ResourceForm {
        name: name.into(),
        capacity,
        equipment: equipment.iter().map(|e| e.to_string()).collect(),
        location: location.into(),
        time_zone: Some(tz.into()),
        bookable: Some(true),
        ..ResourceForm::default()
    };
    let mut rooms = HashMap::new();
    for form in [
        room(
            "Boardroom",
            14,
            &["screen", "video", "whiteboard"],
            "Amsterdam HQ",
            "Europe/Amsterdam",
        ),
        room("Herengracht", 6, &["screen"], "Amsterdam HQ", "Europe/Amsterdam"),
        room("Focus booth", 1, &[], "Amsterdam HQ", "Europe/Amsterdam"),
        room(
            "Hudson",
            8,
            &["screen", "video"],
            "New York office",
            "America/New_York",
        ),
        room("Liberty", 4, &["screen"], "New York office", "America/New_York"),
    ] {
        let r = cal::create_resource(state, &sys, org, &form).await?;
        rooms.insert(r.name.clone(), r.id.to_string());
    }
    let room_id = |n: &str| rooms.get(n).cloned();
    for (from, to, minutes) in [
        ("Amsterdam HQ", "Schiphol Airport", 45),
        ("New York office", "JFK Airport", 60),
        ("Amsterdam HQ", "Rijksmuseum", 20),
    ] {
        sched::set_travel(
            state,
            &sys,
            org,
            &TravelInput {
                from: from.into(),
                to: to.into(),
                minutes: Some(minutes),
            },
        )
        .await?;
    }

    // Working hours.
    let mut lars = hours("Europe/Amsterdam", (8, 30), (18, 0), Some(((12, 30), (13, 15))));
    lars.buffer_after = 10;
    lars.focus_goal = Some(FocusGoal {
        weekly_minutes: 600,
        min_block: 60,
    });
    lars.max_meetings_per_day = Some(8);
    let mut ana = hours("America/New_York", (9, 0), (17, 0), Some(((12, 0), (13, 0))));
    ana.no_meeting_days = vec![DayOfWeek::Friday];
    let rules = [
        ("lars@northwind.example", lars),
        (
            "grace@northwind.example",
            hours("America/New_York", (8, 0), (17, 0), Some(((12, 0), (12, 45)))),
        ),
        (
            "maya@northwind.example",
            hours("Europe/Amsterdam", (8, 30), (17, 0), Some(((12, 30), (13, 0)))),
        ),
        (
            "daniel@northwind.example",
            hours("America/New_York", (8, 30), (17, 30), Some(((12, 0), (13, 0)))),
        ),
        (
            "sofia@northwind.example",
            hours("Europe/Amsterdam", (8, 0), (16, 30), Some(((12, 0), (12, 30)))),
        ),
        (
            "tom@northwind.example",
            hours("Europe/Amsterdam", (9, 0), (17, 30), Some(((12, 30), (13, 30)))),
        ),
        ("ana@northwind.example", ana),
        (
            "ben@northwind.example",
            hours("America/New_York", (9, 0), (17, 30), Some(((12, 30), (13, 30)))),
        ),
        (
            "priya@northwind.example",
            hours("Asia/Kolkata", (10, 0), (19, 0), Some(((13, 30), (14, 15)))),
        ),
    ];
    for (email, a) in rules {
        let id: PersonId = p(email).parse().map_err(|_| ApiError::internal())?;
        sched::set_availability(state, &sys, org, id, &a).await?;
    }

    // Events. Times are wall-clock times in the zone given.
    let ev = |person: &str, summary: &str, start: String, minutes: u32, tz: &str| EventInput {
        person: Some(p(person)),
        summary: summary.into(),
        start,
        duration_minutes: Some(minutes),
        time_zone: Some(tz.into()),
        ..EventInput::default()
    };
    let lars_id = "lars@northwind.example";
    let eight_weeks_ago = monday.checked_sub(jiff::Span::new().weeks(8)).unwrap_or(monday);
    // The weekly 1:1, moved this week from Monday 09:00 to 11:00.
    let one_on_one = cal::create_event(
        state,
        &sys,
        org,
        &EventInput {
            rrule: Some("FREQ=WEEKLY;BYDAY=MO".into()),
            attendees: who(&["maya@northwind.example"]),
            room: room_id("Herengracht"),
            ..ev(
                lars_id,
                "Lars / Maya 1:1",
                at(eight_weeks_ago, 0, "09:00"),
                30,
                "Europe/Amsterdam",
            )
        },
    )
    .await?;
    cal::move_event(
        state,
        &sys,
        org,
        one_on_one.id,
        &MoveInput {
            start: at(monday, 0, "11:00"),
            end: None,
            time_zone: Some("Europe/Amsterdam".into()),
            recurrence_id: Some(format!("{monday}T09:00:00")),
        },
    )
    .await?;
    // The weekly leadership meeting bridges Amsterdam afternoon and New York morning.
    cal::create_event(
        state,
        &sys,
        org,
        &EventInput {
            rrule: Some("FREQ=WEEKLY;BYDAY=TU".into()),
            attendees: who(&[
                "grace@northwind.example",
                "sofia@northwind.example",
                "?daniel@northwind.example",
            ]),
            room: room_id("Boardroom"),
            location: None,
            description: Some("Weekly numbers, hiring, open decisions. New York joins by video.".into()),
            priority: Some(2),
            ..ev(
                lars_id,
                "Leadership team",
                at(eight_weeks_ago, 1, "16:00"),
                60,
                "Europe/Amsterdam",
            )
        },
    )
    .await?;
    let singles: Vec<EventInput> = vec![
        EventInput {
            visibility: Some("private".into()),
            category: Some("personal".into()),
            location: Some("Tandartspraktijk Prinsengracht".into()),
            ..ev(lars_id, "Dentist", at(monday, 1, "08:00"), 45, "Europe/Amsterdam")
        },
        EventInput {
            category: Some("focus".into()),
            ..ev(
                lars_id,
                "Strategy memo (focus)",
                at(monday, 0, "14:00"),
                120,
                "Europe/Amsterdam",
            )
        },
        EventInput {
            category: Some("focus".into()),
            ..ev(
                lars_id,
                "Board pack review (focus)",
                at(monday, 1, "09:30"),
                90,
                "Europe/Amsterdam",
            )
        },
        EventInput {
            category: Some("travel".into()),
            location: Some("Schiphol Airport".into()),
            ..ev(
                lars_id,
                "Travel to Schiphol",
                at(monday, 2, "10:15"),
                75,
                "Europe/Amsterdam",
            )
        },
        // The flight lands in another zone: its end is a New York time.
        EventInput {
            category: Some("travel".into()),
            location: Some("Schiphol Airport".into()),
            end: Some(at(monday, 2, "14:55")),
            end_time_zone: Some("America/New_York".into()),
            duration_minutes: None,
            description: Some("KL 641 AMS → JFK, seat 2A. Car service waiting at arrivals.".into()),
            ..ev(
                lars_id,
                "Flight KL 641 to New York",
                at(monday, 2, "12:45"),
                0,
                "Europe/Amsterdam",
            )
        },
        EventInput {
            attendees: who(&["grace@northwind.example", "ben@northwind.example"]),
            room: room_id("Hudson"),
            priority: Some(2),
            ..ev(
                lars_id,
                "Q1 sales plan with Ben",
                at(monday, 3, "10:00"),
                60,
                "America/New_York",
            )
        },
        EventInput {
            visibility: Some("confidential".into()),
            description: Some("Project Heron: term sheet review with counsel.".into()),
            priority: Some(1),
            ..ev(
                lars_id,
                "Project Heron — counsel",
                at(monday, 3, "14:00"),
                60,
                "America/New_York",
            )
        },
        EventInput {
            category: Some("travel".into()),
            location: Some("JFK Airport".into()),
            end: Some(at(monday, 5, "07:30")),
            end_time_zone: Some("Europe/Amsterdam".into()),
            duration_minutes: None,
            ..ev(
                lars_id,
                "Flight KL 642 to Amsterdam",
                at(monday, 4, "17:50"),
                0,
                "America/New_York",
            )
        },
        // Next week: the Thursday morning trip that blocks the board meeting's obvious slot.
        EventInput {
            category: Some("travel".into()),
            location: Some("Schiphol Airport".into()),
            ..ev(
                lars_id,
                "Travel to Schiphol",
                at(monday, 10, "09:30"),
                75,
                "Europe/Amsterdam",
            )
        },
        EventInput {
            category: Some("travel".into()),
            location: Some("Schiphol Airport".into()),
            ..ev(
                lars_id,
                "Flight to London",
                at(monday, 10, "11:30"),
                75,
                "Europe/Amsterdam",
            )
        },
        EventInput {
            attendees: who(&["tom@northwind.example", "?maya@northwind.example"]),
            room: room_id("Herengracht"),
            priority: Some(4),
            ..ev(
                lars_id,
                "Website redesign check-in",
                at(monday, 8, "15:00"),
                45,
                "Europe/Amsterdam",
            )
        },
        // Grace's week in New York.
        EventInput {
            rrule: Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".into()),
            attendees: who(&["ana@northwind.example"]),
            room: room_id("Liberty"),
            ..ev(
                "grace@northwind.example",
                "Finance stand-up",
                at(eight_weeks_ago, 0, "09:00"),
                15,
                "America/New_York",
            )
        },
        EventInput {
            attendees: who(&["daniel@northwind.example"]),
            ..ev(
                "grace@northwind.example",
                "Audit committee prep",
                at(monday, 2, "13:00"),
                90,
                "America/New_York",
            )
        },
        EventInput {
            visibility: Some("private".into()),
            category: Some("personal".into()),
            ..ev(
                "grace@northwind.example",
                "School pick-up",
                at(monday, 4, "15:00"),
                60,
                "America/New_York",
            )
        },
        // The rest of the office.
        EventInput {
            attendees: who(&["sofia@northwind.example"]),
            room: room_id("Herengracht"),
            ..ev(
                "tom@northwind.example",
                "Office move planning",
                at(monday, 3, "10:00"),
                60,
                "Europe/Amsterdam",
            )
        },
        EventInput {
            category: Some("focus".into()),
            room: room_id("Focus booth"),
            ..ev(
                "tom@northwind.example",
                "Design sprint (focus)",
                at(monday, 1, "13:30"),
                180,
                "Europe/Amsterdam",
            )
        },
        EventInput {
            attendees: who(&["ana@northwind.example"]),
            ..ev(
                "ben@northwind.example",
                "Pipeline review",
                at(monday, 1, "11:00"),
                60,
                "America/New_York",
            )
        },
        EventInput {
            attendees: who(&["lars@northwind.example"]),
            ..ev(
                "priya@northwind.example",
                "Offsite venue shortlist",
                at(monday, 3, "16:30"),
                30,
                "Asia/Kolkata",
            )
        },
    ];
    for e in &singles {
        cal::create_event(state, &sys, org, e).await?;
    }

    // Holds for the board meeting next week, as Maya would place them.
    sched::create_meeting_request(
        state,
        &sys,
        org,
        &MeetingRequestInput {
            person: Some(p(lars_id)),
            summary: "Board meeting — Q1 planning".into(),
            description: Some("Q1 budget, the Heron decision, CFO report.".into()),
            duration_minutes: 90,
            starts: vec![
                at(monday, 8, "14:00"),
                at(monday, 9, "14:30"),
                at(monday, 11, "14:00"),
            ],
            time_zone: Some("Europe/Amsterdam".into()),
            attendees: vec![
                AttendeeInput {
                    who: p("grace@northwind.example"),
                    name: None,
                    optional: false,
                },
                outsider("h.de.wit@example.org", "Henk de Wit (director)"),
                outsider("a.okoye@example.com", "Adaeze Okoye (director)"),
            ],
            room: room_id("Boardroom"),
            location: None,
            visibility: None,
            priority: Some(2),
        },
    )
    .await?;

    // An open poll for the offsite, answered in part.
    let (poll, _) = sched::create_poll(
        state,
        &sys,
        org,
        &PollInput {
            person: Some(p(lars_id)),
            summary: "Leadership offsite — kick-off dinner".into(),
            description: None,
            duration_minutes: 120,
            starts: vec![
                at(monday, 15, "18:30"),
                at(monday, 16, "18:30"),
                at(monday, 17, "18:30"),
            ],
            time_zone: Some("Europe/Amsterdam".into()),
            attendees: vec![
                AttendeeInput {
                    who: p("grace@northwind.example"),
                    name: None,
                    optional: false,
                },
                AttendeeInput {
                    who: p("sofia@northwind.example"),
                    name: None,
                    optional: false,
                },
                outsider("h.de.wit@example.org", "Henk de Wit (director)"),
            ],
            room: None,
            location: Some("Rijksmuseum".into()),
        },
    )
    .await?;
    if let Some(grace) = poll.poll.participants.iter().find(|x| x.name == "Grace Chen") {
        let answers: Vec<(String, adjutant_core::calendar::poll::Answer)> = poll
            .poll
            .options
            .iter()
            .zip([
                adjutant_core::calendar::poll::Answer::Yes,
                adjutant_core::calendar::poll::Answer::IfNeedBe,
                adjutant_core::calendar::poll::Answer::No,
            ])
            .map(|(o, a)| (o.id.clone(), a))
            .collect();
        state
            .store
            .poll_answer(
                org,
                poll.poll.id,
                &grace.id,
                &answers,
                &sys.audit(Timestamp::now()),
            )
            .await?;
    }
    Ok(())
}
