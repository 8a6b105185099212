//! The calendar's share of the access matrix, and the calendar's API flows:
//! visibility through delegation, room double-booking, holds, polls through a
//! link, import and export, feeds, and bad input that writes nothing.

use super::*;
use adjutant_server::ops::calendar::{self as cal, AttendeeInput, EventInput, ResourceForm};
use adjutant_server::ops::scheduling::{self as sched, MeetingRequestInput, PollInput};
use adjutant_store::calendar::EventRecord;

/// A body other than JSON.
pub struct Raw {
    pub content_type: &'static str,
    pub body: String,
}

/// A small valid calendar file.
pub const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:matrix-import@example.org\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;TZID=Europe/Amsterdam:20270302T090000\r\nDTEND;TZID=Europe/Amsterdam:20270302T100000\r\nSUMMARY:Imported\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn readers(role: Role, ok: u16) -> Want {
    if role == Role::Contractor {
        Want::Is(403)
    } else {
        Want::Is(ok)
    }
}

fn office(role: Role, ok: u16) -> Want {
    if matches!(role, Role::Admin | Role::OfficeManager) {
        Want::Is(ok)
    } else {
        Want::Is(403)
    }
}

/// A colleague's item: readers may see it, nobody may change it (no delegation), contractors learn nothing.
fn colleague_write(role: Role) -> Want {
    if role == Role::Contractor {
        Want::Is(404)
    } else {
        Want::Is(403)
    }
}

/// Owner-only items (their calendar's exports, requests, polls): another's is refused or hidden.
fn owner_only(side: Side, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(ok),
        Side::Same => Want::Hidden,
        Side::Other => Want::Hidden,
    })
}

/// The expected rules of every calendar route, written from the policy and ops.
pub const MATRIX: &[Route] = &[
    Route {
        method: "get",
        path: "/api/v1/resources",
        public: false,
        want: |role, side| (side != Side::Own).then(|| readers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/resources",
        public: false,
        want: |role, side| (side == Side::Same).then(|| office(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/resources/{id}",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(readers(role, 200)),
            Side::Own => None,
            Side::Other => Some(Want::Hidden),
        },
    },
    Route {
        method: "put",
        path: "/api/v1/resources/{id}",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(office(role, 200)),
            Side::Own => None,
            Side::Other => Some(Want::Hidden),
        },
    },
    Route {
        method: "get",
        path: "/api/v1/calendars",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => readers(role, 200),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/agenda",
        public: false,
        // Contractors may ask, and see only what they attend.
        want: |_, side| {
            Some(if side == Side::Other {
                Want::Hidden
            } else {
                Want::Is(200)
            })
        },
    },
    Route {
        method: "post",
        path: "/api/v1/events",
        public: false,
        want: |_, side| {
            Some(match side {
                Side::Own => Want::Is(201),
                Side::Same => Want::Is(403),
                Side::Other => Want::Refused,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/events/{id}",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same if role == Role::Contractor => Want::Is(404),
                Side::Same => Want::Is(200),
                Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "patch",
        path: "/api/v1/events/{id}",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => colleague_write(role),
                Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "delete",
        path: "/api/v1/events/{id}",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(204),
                Side::Same => colleague_write(role),
                Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "post",
        path: "/api/v1/events/{id}/move",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => colleague_write(role),
                Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "post",
        path: "/api/v1/events/{id}/cancel",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => colleague_write(role),
                Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "post",
        path: "/api/v1/events/{id}/rsvp",
        public: false,
        // Own: an event of a colleague the actor is invited to; Same: one they are not.
        want: |_, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same | Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/events/{id}/itip",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => colleague_write(role),
                Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/itip/{id}",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => colleague_write(role),
                Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "post",
        path: "/api/v1/calendars/{id}/import",
        public: false,
        want: |_, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => Want::Is(403),
                Side::Other => Want::Is(404),
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/calendars/{id}/export",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "get",
        path: "/api/v1/calendars/{id}/feeds",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/calendars/{id}/feeds",
        public: false,
        want: |_, side| owner_only(side, 201),
    },
    Route {
        method: "delete",
        path: "/api/v1/feeds/{id}",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "get",
        path: "/feeds/{token}",
        public: true,
        // The link is the credential: whoever holds a live one reads the feed; another org's works too (it names its own calendar).
        want: |_, side| (side == Side::Own).then_some(Want::Is(200)),
    },
    Route {
        method: "get",
        path: "/api/v1/people/{id}/availability",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => readers(role, 200),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "put",
        path: "/api/v1/people/{id}/availability",
        public: false,
        want: |_, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => Want::Is(403),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/travel-times",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 200)),
    },
    Route {
        method: "put",
        path: "/api/v1/travel-times",
        public: false,
        want: |role, side| (side == Side::Same).then(|| office(role, 200)),
    },
    Route {
        method: "put",
        path: "/api/v1/travel-times/default",
        public: false,
        want: |role, side| (side == Side::Same).then(|| office(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/find-time",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(readers(role, 200)),
            Side::Own => None,
            Side::Other => Some(if role == Role::Contractor {
                Want::Is(403)
            } else {
                Want::Refused
            }),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/find-time/why-not",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(readers(role, 200)),
            Side::Own => None,
            Side::Other => Some(if role == Role::Contractor {
                Want::Is(403)
            } else {
                Want::Refused
            }),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/meeting-requests",
        public: false,
        want: |_, side| {
            Some(match side {
                Side::Own => Want::Is(201),
                Side::Same => Want::Is(403),
                Side::Other => Want::Refused,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/meeting-requests",
        public: false,
        want: |_, side| (side == Side::Same).then_some(Want::Is(200)),
    },
    Route {
        method: "get",
        path: "/api/v1/meeting-requests/{id}",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/meeting-requests/{id}/confirm",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/meeting-requests/{id}/release",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/polls",
        public: false,
        want: |_, side| {
            Some(match side {
                Side::Own => Want::Is(201),
                Side::Same => Want::Is(403),
                Side::Other => Want::Refused,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/polls",
        public: false,
        want: |_, side| (side == Side::Same).then_some(Want::Is(200)),
    },
    Route {
        method: "get",
        path: "/api/v1/polls/{id}",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/polls/{id}/answers",
        public: false,
        // Own: a colleague's poll the actor is asked in.
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/polls/{id}/book",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/polls/{id}/close",
        public: false,
        want: |_, side| owner_only(side, 200),
    },
    Route {
        method: "get",
        path: "/api/v1/public/polls/{token}",
        public: true,
        want: |_, side| (side == Side::Own).then_some(Want::Is(200)),
    },
    Route {
        method: "post",
        path: "/api/v1/public/polls/{token}",
        public: true,
        want: |_, side| (side == Side::Own).then_some(Want::Is(200)),
    },
];

fn n() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A room of `org`.
pub async fn room(app: &App, org: &Org) -> adjutant_store::calendar::Resource {
    cal::create_resource(
        &app.state,
        &system(),
        org.id,
        &ResourceForm {
            name: format!("Room {}", n()),
            capacity: 10,
            equipment: vec!["screen".into()],
            location: "HQ".into(),
            time_zone: Some("Europe/Amsterdam".into()),
            bookable: Some(true),
            ..ResourceForm::default()
        },
    )
    .await
    .unwrap()
}

/// An event in `person`'s calendar with `attendees`, on a weekday in 2027.
pub async fn event(
    app: &App,
    org: &Org,
    person: PersonId,
    attendees: &[PersonId],
    start: &str,
) -> EventRecord {
    cal::create_event(
        &app.state,
        &system(),
        org.id,
        &EventInput {
            person: Some(person.to_string()),
            summary: format!("Matrix event {}", n()),
            start: start.into(),
            duration_minutes: Some(30),
            time_zone: Some("Europe/Amsterdam".into()),
            attendees: attendees
                .iter()
                .map(|p| AttendeeInput {
                    who: p.to_string(),
                    name: None,
                    optional: false,
                })
                .collect(),
            ..EventInput::default()
        },
    )
    .await
    .unwrap()
}

fn attendees(people: &[PersonId]) -> Vec<AttendeeInput> {
    people
        .iter()
        .map(|p| AttendeeInput {
            who: p.to_string(),
            name: None,
            optional: false,
        })
        .collect()
}

/// A meeting request of `person` with two holds.
pub async fn request(
    app: &App,
    org: &Org,
    person: PersonId,
    with: &[PersonId],
) -> (adjutant_store::scheduling::MeetingRequest, Vec<EventRecord>) {
    sched::create_meeting_request(
        &app.state,
        &system(),
        org.id,
        &MeetingRequestInput {
            person: Some(person.to_string()),
            summary: format!("Request {}", n()),
            description: None,
            duration_minutes: 30,
            starts: vec!["2027-03-03T10:00".into(), "2027-03-04T10:00".into()],
            time_zone: Some("Europe/Amsterdam".into()),
            attendees: attendees(with),
            room: None,
            location: None,
            visibility: None,
            priority: None,
        },
    )
    .await
    .unwrap()
}

/// A poll of `person` asking `with` and one outsider; returns it and the outsider's link secret.
pub async fn poll(app: &App, org: &Org, person: PersonId, with: &[PersonId]) -> (sched::PollView, String) {
    let mut people = attendees(with);
    people.push(AttendeeInput {
        who: "director@example.org".into(),
        name: Some("Dee Rector".into()),
        optional: false,
    });
    let (v, links) = sched::create_poll(
        &app.state,
        &system(),
        org.id,
        &PollInput {
            person: Some(person.to_string()),
            summary: format!("Poll {}", n()),
            description: None,
            duration_minutes: 60,
            starts: vec!["2027-03-08T10:00".into(), "2027-03-09T10:00".into()],
            time_zone: Some("Europe/Amsterdam".into()),
            attendees: people,
            room: None,
            location: None,
        },
    )
    .await
    .unwrap();
    (v, links.into_iter().next().map(|(_, s)| s).unwrap_or_default())
}

/// The calendar of `person` (made when needed).
async fn calendar_of(app: &App, org: &Org, person: PersonId) -> adjutant_store::calendar::Calendar {
    app.state
        .store
        .calendar_ensure_default(org.id, person, &AuditCtx::system("test", now()))
        .await
        .unwrap()
}

fn find_body(people: &[String]) -> Value {
    json!({
        "attendees": people.iter().map(|p| json!({"who": p})).collect::<Vec<_>>(),
        "duration_minutes": 30,
        "from": "2027-03-01",
        "to": "2027-03-06",
        "time_zone": "Europe/Amsterdam",
    })
}

/// Prepares a calendar cell: the path to call, extra headers, and a JSON or raw body.
pub async fn prepare(
    app: &App,
    route: &Route,
    actor: &Member,
    side: Side,
) -> (String, Option<Value>, Option<Raw>) {
    let a = &app.north;
    let b = &app.contoso;
    let home = if side == Side::Other { b } else { a };
    // Whose item: the actor's own, a colleague's (the target), or Contoso's target.
    let owner = match side {
        Side::Own => actor.id,
        Side::Same => a.target.id,
        Side::Other => b.target.id,
    };
    let with_id = |id: &str| route.path.replace("{id}", id);
    let with_token = |t: &str| route.path.replace("{token}", t);
    let mut body = None;
    let mut raw = None;
    let path = match (route.method, route.path) {
        ("get", "/api/v1/resources")
        | ("get", "/api/v1/travel-times")
        | ("get", "/api/v1/meeting-requests")
        | ("get", "/api/v1/polls") => route.path.to_string(),
        ("post", "/api/v1/resources") => {
            body = Some(
                json!({"name": format!("New room {}", n()), "capacity": 4, "equipment": ["screen"], "location": "HQ"}),
            );
            route.path.to_string()
        }
        ("get", "/api/v1/resources/{id}") => with_id(&room(app, home).await.id.to_string()),
        ("put", "/api/v1/resources/{id}") => {
            body = Some(json!({"name": format!("Renamed {}", n()), "capacity": 5, "location": "HQ"}));
            with_id(&room(app, home).await.id.to_string())
        }
        ("get", "/api/v1/calendars") => format!("{}?person={owner}", route.path),
        ("get", "/api/v1/agenda") => {
            event(app, home, owner, &[], "2027-03-01T10:00").await;
            format!("{}?person={owner}&from=2027-03-01&to=2027-03-08", route.path)
        }
        ("post", "/api/v1/events") => {
            body = Some(match side {
                Side::Own => {
                    json!({"summary": "Mine", "start": "2027-03-02T10:00", "time_zone": "Europe/Amsterdam"})
                }
                _ => json!({"summary": "Theirs", "start": "2027-03-02T10:00", "person": owner.to_string()}),
            });
            route.path.to_string()
        }
        ("get", "/api/v1/events/{id}")
        | ("delete", "/api/v1/events/{id}")
        | ("get", "/api/v1/events/{id}/itip") => with_id(
            &event(app, home, owner, &[], "2027-03-01T10:00")
                .await
                .id
                .to_string(),
        ),
        ("patch", "/api/v1/events/{id}") => {
            body = Some(json!({"summary": "Changed"}));
            with_id(
                &event(app, home, owner, &[], "2027-03-01T10:00")
                    .await
                    .id
                    .to_string(),
            )
        }
        ("post", "/api/v1/events/{id}/move") => {
            body = Some(json!({"start": "2027-03-01T11:00"}));
            with_id(
                &event(app, home, owner, &[], "2027-03-01T10:00")
                    .await
                    .id
                    .to_string(),
            )
        }
        ("post", "/api/v1/events/{id}/cancel") => {
            body = Some(json!({}));
            with_id(
                &event(app, home, owner, &[], "2027-03-01T10:00")
                    .await
                    .id
                    .to_string(),
            )
        }
        ("post", "/api/v1/events/{id}/rsvp") => {
            body = Some(json!({"rsvp": "accepted"}));
            let e = match side {
                // A colleague's meeting the actor is invited to.
                Side::Own => event(app, a, a.target.id, &[actor.id], "2027-03-01T10:00").await,
                _ => event(app, home, owner, &[], "2027-03-01T10:00").await,
            };
            with_id(&e.id.to_string())
        }
        ("get", "/api/v1/itip/{id}") => {
            // An invitation the owner's event sent to someone.
            let e = event(
                app,
                home,
                owner,
                &[guest(home, owner, actor.id)],
                "2027-03-01T10:00",
            )
            .await;
            let m = app.state.store.itip_list(home.id, &e.uid).await.unwrap();
            with_id(&m[0].id.to_string())
        }
        ("post", "/api/v1/calendars/{id}/import") => {
            raw = Some(Raw {
                content_type: "text/calendar",
                body: ICS.replace("matrix-import", &n()),
            });
            with_id(&calendar_of(app, home, owner).await.id.to_string())
        }
        ("get", "/api/v1/calendars/{id}/export") | ("get", "/api/v1/calendars/{id}/feeds") => {
            with_id(&calendar_of(app, home, owner).await.id.to_string())
        }
        ("post", "/api/v1/calendars/{id}/feeds") => {
            body = Some(json!({"name": "phone"}));
            with_id(&calendar_of(app, home, owner).await.id.to_string())
        }
        ("delete", "/api/v1/feeds/{id}") => {
            let c = calendar_of(app, home, owner).await;
            let (f, _) = cal::create_feed(&app.state, &system(), home.id, c.id, "victim")
                .await
                .unwrap();
            with_id(&f.id.to_string())
        }
        ("get", "/feeds/{token}") => {
            let c = calendar_of(app, home, owner).await;
            event(app, home, owner, &[], "2027-03-01T10:00").await;
            let (_, secret) = cal::create_feed(&app.state, &system(), home.id, c.id, "feed")
                .await
                .unwrap();
            with_token(&format!("{secret}.ics"))
        }
        ("get", "/api/v1/people/{id}/availability") => with_id(&owner.to_string()),
        ("put", "/api/v1/people/{id}/availability") => {
            body = Some(
                json!({"zone": "Europe/Amsterdam", "working_hours": {"monday": [{"start": "09:00", "end": "17:00"}]}, "buffer_after": 10}),
            );
            with_id(&owner.to_string())
        }
        ("put", "/api/v1/travel-times") => {
            body = Some(json!({"from": "HQ", "to": format!("Airport {}", n()), "minutes": 40}));
            route.path.to_string()
        }
        ("put", "/api/v1/travel-times/default") => {
            body = Some(json!({"minutes": 25}));
            route.path.to_string()
        }
        ("post", "/api/v1/find-time") => {
            body = Some(find_body(&[owner.to_string()]));
            route.path.to_string()
        }
        ("post", "/api/v1/find-time/why-not") => {
            event(app, home, owner, &[], "2027-03-02T10:00").await;
            body = Some(json!({"start": "2027-03-02T10:00", "search": find_body(&[owner.to_string()])}));
            route.path.to_string()
        }
        ("post", "/api/v1/meeting-requests") | ("post", "/api/v1/polls") => {
            let invited = if side == Side::Other {
                b.target.id
            } else {
                guest(a, owner, actor.id)
            };
            let people = vec![
                json!({"who": invited.to_string()}),
                json!({"who": "guest@example.org"}),
            ];
            body = Some(json!({
                "person": if side == Side::Own { None } else { Some(if side == Side::Same { owner.to_string() } else { actor.id.to_string() }) },
                "summary": "Planned",
                "duration_minutes": 30,
                "starts": ["2027-03-03T10:00", "2027-03-04T10:00"],
                "time_zone": "Europe/Amsterdam",
                "attendees": people,
            }));
            route.path.to_string()
        }
        ("get", "/api/v1/meeting-requests/{id}") | ("post", "/api/v1/meeting-requests/{id}/release") => {
            let (r, _) = request(app, home, owner, &[guest(home, owner, actor.id)]).await;
            with_id(&r.id.to_string())
        }
        ("post", "/api/v1/meeting-requests/{id}/confirm") => {
            let (r, holds) = request(app, home, owner, &[guest(home, owner, actor.id)]).await;
            body = Some(json!({"hold": holds[0].id.to_string()}));
            with_id(&r.id.to_string())
        }
        ("get", "/api/v1/polls/{id}") | ("post", "/api/v1/polls/{id}/close") => {
            let (p, _) = poll(app, home, owner, &[guest(home, owner, actor.id)]).await;
            with_id(&p.poll.id.to_string())
        }
        ("post", "/api/v1/polls/{id}/book") => {
            let (p, _) = poll(app, home, owner, &[guest(home, owner, actor.id)]).await;
            body = Some(json!({}));
            with_id(&p.poll.id.to_string())
        }
        ("post", "/api/v1/polls/{id}/answers") => {
            // Own: a colleague's poll that asks the actor; otherwise one that does not.
            let p = match side {
                Side::Own => poll(app, a, a.target.id, &[actor.id]).await.0,
                _ => poll(app, home, owner, &[guest(home, owner, actor.id)]).await.0,
            };
            let option = p.poll.options[0].id.clone();
            body = Some(json!({"answers": {option: "yes"}}));
            with_id(&p.poll.id.to_string())
        }
        ("get", "/api/v1/public/polls/{token}") => {
            let (_, secret) = poll(app, home, owner, &[guest(home, owner, actor.id)]).await;
            with_token(&secret)
        }
        ("post", "/api/v1/public/polls/{token}") => {
            let (p, secret) = poll(app, home, owner, &[guest(home, owner, actor.id)]).await;
            let option = p.poll.options[1].id.clone();
            body = Some(json!({"answers": {option: "if_need_be"}}));
            with_token(&secret)
        }
        (m, p) => panic!("the access matrix has no request for {m} {p}"),
    };
    (path, body, raw)
}

/// Someone in `org` other than `owner` and `actor` to invite.
fn guest(org: &Org, owner: PersonId, actor: PersonId) -> PersonId {
    [Role::Staff, Role::OfficeManager, Role::Admin]
        .iter()
        .map(|r| org.m(*r).id)
        .chain(std::iter::once(org.target.id))
        .find(|p| *p != owner && *p != actor)
        .unwrap()
}

/// What a successful calendar answer must (and must not) contain.
pub async fn check(
    app: &App,
    route: &Route,
    actor: &Member,
    side: Side,
    r: &Resp,
    fail: &mut dyn FnMut(String),
) {
    if r.status / 100 != 2 {
        return;
    }
    match (route.method, route.path) {
        ("get", "/api/v1/agenda") => {
            let items = r.json();
            let items = items.as_array().cloned().unwrap_or_default();
            if actor.role == Role::Contractor && side == Side::Same && !items.is_empty() {
                fail(format!("a contractor sees a colleague's agenda: {items:?}"));
            }
            if actor.role != Role::Contractor && items.is_empty() {
                fail("the agenda misses the event".into());
            }
        }
        ("get", "/api/v1/resources") => {
            let ids = ids_of(&r.json(), "id");
            for rid in ids {
                if app
                    .state
                    .store
                    .resource_get(app.contoso.id, rid.parse().unwrap())
                    .await
                    .is_ok()
                {
                    fail(format!("lists Contoso's room {rid}"));
                }
            }
        }
        ("post", "/api/v1/events") => {
            let v = r.json();
            let id: EventId = v["id"].as_str().unwrap_or_default().parse().unwrap();
            if app.state.store.event_get(app.north.id, id).await.is_err() {
                fail("the new event is not in the caller's organisation".into());
            }
        }
        ("get", "/feeds/{token}")
            if !r.content_type().starts_with("text/calendar") || !r.body.contains("BEGIN:VCALENDAR") =>
        {
            fail(format!("a feed that is not iCalendar: {}", r.body));
        }
        ("get", "/api/v1/public/polls/{token}")
            if r.json()["participants"].as_array().map_or(0, |p| p.len()) != 1 =>
        {
            fail(format!("a poll link shows other participants: {}", r.body));
        }
        _ => {}
    }
}

use adjutant_core::ids::EventId;

// ---------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------

fn act_for(token: &str, whom: PersonId) -> Vec<(&'static str, String)> {
    vec![
        ("authorization", format!("Bearer {token}")),
        ("x-act-for", whom.to_string()),
    ]
}

fn summaries_of(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["summary"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_and_confidential_events_through_delegation() {
    let app = spawn_app().await;
    let n = &app.north;
    let principal = n.m(Role::Principal);
    let assistant = n.m(Role::Assistant);
    for (summary, visibility, start) in [
        ("Board prep", "normal", "2027-03-01T09:00"),
        ("Dentist", "private", "2027-03-01T11:00"),
        ("Project Heron", "confidential", "2027-03-01T14:00"),
    ] {
        let r = app
            .api(
                "post",
                "/api/v1/events",
                &principal.token,
                Some(&json!({"summary": summary, "start": start, "time_zone": "Europe/Amsterdam", "visibility": visibility})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let path = format!(
        "/api/v1/agenda?person={}&from=2027-03-01&to=2027-03-02&tz=Europe/Amsterdam",
        principal.id
    );
    // The delegate (calendar, act) sees all three in full.
    let v = app
        .call("get", &path, &act_for(&assistant.token, principal.id), None)
        .await
        .json();
    assert_eq!(summaries_of(&v), ["Board prep", "Dentist", "Project Heron"]);
    // A colleague sees the private one as busy and the confidential one not at all.
    let v = app.api("get", &path, &n.m(Role::Staff).token, None).await.json();
    assert_eq!(summaries_of(&v), ["Board prep", "Busy"]);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|i| i["busy_only"] == true && i["location"].is_null())
    );
    // Administrators run the system, not the principals' diaries.
    let v = app.api("get", &path, &n.m(Role::Admin).token, None).await.json();
    assert_eq!(summaries_of(&v), ["Board prep", "Busy"]);
    // A contractor sees nothing that is not shared with them.
    let v = app
        .api("get", &path, &n.m(Role::Contractor).token, None)
        .await
        .json();
    assert!(v.as_array().unwrap().is_empty(), "{v}");

    // The delegate adds an event to the principal's calendar; it is audited as theirs, for the principal.
    let r = app
        .call(
            "post",
            "/api/v1/events",
            &act_for(&assistant.token, principal.id),
            Some(&json!({"summary": "Call with the bank", "start": "2027-03-02T10:00", "time_zone": "Europe/Amsterdam"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let cal = r.json()["calendar"].as_str().unwrap().to_string();
    let own = app
        .api(
            "get",
            &format!("/api/v1/calendars?person={}", principal.id),
            &principal.token,
            None,
        )
        .await
        .json();
    assert_eq!(own[0]["id"], cal, "it went to the principal's default calendar");
    let entry = app
        .audit(n.id)
        .await
        .into_iter()
        .find(|e| e.action == "event.create" && e.details["summary"] == "Call with the bank")
        .unwrap();
    assert_eq!(
        (entry.actor, entry.on_behalf_of),
        (Some(assistant.id), Some(principal.id))
    );

    // A read-only delegation reads but cannot change.
    ops::grant_delegation(
        &app.state,
        &system(),
        n.id,
        &DelegationInput {
            principal: principal.id.to_string(),
            delegate: n.m(Role::OfficeManager).id.to_string(),
            scopes: vec!["calendar".into()],
            level: "read".into(),
        },
    )
    .await
    .unwrap();
    let om = n.m(Role::OfficeManager);
    let v = app
        .call("get", &path, &act_for(&om.token, principal.id), None)
        .await
        .json();
    assert_eq!(summaries_of(&v), ["Board prep", "Dentist", "Project Heron"]);
    let heron = v
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["summary"] == "Project Heron")
        .unwrap();
    assert_eq!(heron["can_edit"], false);
    let r = app
        .call(
            "patch",
            &format!("/api/v1/events/{}", heron["event"].as_str().unwrap()),
            &act_for(&om.token, principal.id),
            Some(&json!({"summary": "Renamed"})),
        )
        .await;
    r.problem(403, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_are_never_double_booked_over_http() {
    let app = spawn_app().await;
    let n = &app.north;
    let r = room(&app, n).await;
    let staff = n.m(Role::Staff);
    let book = |summary: &str, start: &str, rrule: Option<&str>| {
        json!({"summary": summary, "start": start, "duration_minutes": 60, "time_zone": "Europe/Amsterdam",
               "room": r.id.to_string(), "rrule": rrule})
    };
    let first = app
        .api(
            "post",
            "/api/v1/events",
            &staff.token,
            Some(&book("Design review", "2027-03-01T10:00", Some("FREQ=WEEKLY"))),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let before = app.snapshot(n.id).await;
    // Four weeks later, a one-off at the same hour runs into the weekly booking.
    let clash = app
        .api(
            "post",
            "/api/v1/events",
            &n.m(Role::Principal).token,
            Some(&book("Investor call", "2027-03-29T10:30", None)),
        )
        .await;
    let p = clash.problem(409, "conflict");
    assert!(p["detail"].as_str().unwrap().contains("Design review"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("Europe/Amsterdam"), "{p}");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
    // Cancelling one occurrence frees that week's slot.
    let id = first.json()["id"].as_str().unwrap().to_string();
    let r1 = app
        .api(
            "post",
            &format!("/api/v1/events/{id}/cancel"),
            &staff.token,
            Some(&json!({"recurrence_id": "2027-03-29T10:00:00"})),
        )
        .await;
    assert_eq!(r1.status, 200, "{}", r1.body);
    let ok = app
        .api(
            "post",
            "/api/v1/events",
            &n.m(Role::Principal).token,
            Some(&book("Investor call", "2027-03-29T10:30", None)),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    // The room's agenda shows both, the weekly one without its cancelled week.
    let agenda = app
        .api(
            "get",
            &format!("/api/v1/agenda?room={}&from=2027-03-29&to=2027-03-30", r.id),
            &staff.token,
            None,
        )
        .await
        .json();
    assert_eq!(summaries_of(&agenda), ["Investor call"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_time_holds_confirm_and_invitations() {
    let app = spawn_app().await;
    let n = &app.north;
    let principal = n.m(Role::Principal);
    let assistant = n.m(Role::Assistant);
    let ny = n.m(Role::OfficeManager);
    // The principal works in Amsterdam, the other in New York.
    for (m, zone, start, end) in [
        (principal, "Europe/Amsterdam", "09:00", "17:30"),
        (ny, "America/New_York", "08:00", "17:00"),
    ] {
        let hours: Value = json!([{"start": start, "end": end}]);
        let r = app
            .api(
                "put",
                &format!("/api/v1/people/{}/availability", m.id),
                &m.token,
                Some(&json!({"zone": zone, "working_hours": {"monday": hours, "tuesday": hours, "wednesday": hours, "thursday": hours, "friday": hours}})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let busy = app
        .api(
            "post",
            "/api/v1/events",
            &principal.token,
            Some(&json!({"summary": "Travel to Schiphol", "start": "2027-03-04T09:30", "duration_minutes": 75,
                          "time_zone": "Europe/Amsterdam", "category": "travel", "location": "Schiphol Airport"})),
        )
        .await;
    assert_eq!(busy.status, 201, "{}", busy.body);
    let search = json!({
        "attendees": [{"who": principal.id.to_string()}, {"who": ny.email}, {"who": "director@example.org", "name": "Dee Rector"}],
        "duration_minutes": 90, "from": "2027-03-01", "to": "2027-03-06", "time_zone": "Europe/Amsterdam",
    });
    let found = app
        .call(
            "post",
            "/api/v1/find-time",
            &act_for(&assistant.token, principal.id),
            Some(&search),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let v = found.json();
    let slots = v["slots"].as_array().unwrap();
    assert!(!slots.is_empty(), "{v}");
    for s in slots {
        // 90 minutes inside both days: from 14:00 Amsterdam (08:00 New York) to 17:30 Amsterdam.
        let zones: Vec<&str> = s["local_times"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["zone"].as_str().unwrap())
            .collect();
        assert!(
            zones.contains(&"Europe/Amsterdam") && zones.contains(&"America/New_York"),
            "{s}"
        );
        let texts: Vec<&str> = s["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["text"].as_str().unwrap())
            .collect();
        assert!(
            texts
                .iter()
                .any(|t| t.contains("Amsterdam") && t.contains("New York")),
            "{texts:?}"
        );
    }
    // "Why not Thursday 10:00?" — the principal is travelling.
    let why = app
        .call(
            "post",
            "/api/v1/find-time/why-not",
            &act_for(&assistant.token, principal.id),
            Some(&json!({"start": "2027-03-04T10:00", "search": search})),
        )
        .await
        .json();
    assert_eq!(why["possible"], false, "{why}");
    let texts: Vec<&str> = why["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Travel to Schiphol") && t.contains("10:45")),
        "{texts:?}"
    );

    // Hold the two best times; the holds show on the other attendee's calendar.
    let starts: Vec<&str> = slots
        .iter()
        .take(2)
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    let req = app
        .call(
            "post",
            "/api/v1/meeting-requests",
            &act_for(&assistant.token, principal.id),
            Some(&json!({"summary": "Board meeting", "duration_minutes": 90, "starts": starts,
                          "attendees": [{"who": ny.id.to_string()}, {"who": "director@example.org", "name": "Dee Rector"}]})),
        )
        .await;
    assert_eq!(req.status, 201, "{}", req.body);
    let req = req.json();
    let holds = req["holds"].as_array().unwrap();
    assert_eq!(holds.len(), 2);
    assert!(
        holds
            .iter()
            .all(|h| h["category"] == "hold" && h["status"] == "tentative")
    );
    let theirs = app
        .api(
            "get",
            "/api/v1/agenda?from=2027-03-01&to=2027-03-06&tz=Europe/Amsterdam",
            &ny.token,
            None,
        )
        .await
        .json();
    assert_eq!(
        theirs
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["hold"] == true)
            .count(),
        2,
        "{theirs}"
    );
    // Confirm the second: it becomes the meeting, the first hold goes, invitations are generated.
    let rid = req["id"].as_str().unwrap();
    let chosen = holds[1]["id"].as_str().unwrap();
    let e = app
        .call(
            "post",
            &format!("/api/v1/meeting-requests/{rid}/confirm"),
            &act_for(&assistant.token, principal.id),
            Some(&json!({"hold": chosen})),
        )
        .await;
    assert_eq!(e.status, 200, "{}", e.body);
    assert_eq!(
        (e.json()["status"].clone(), e.json()["category"].clone()),
        (json!("confirmed"), json!("meeting"))
    );
    let again = app
        .call(
            "post",
            &format!("/api/v1/meeting-requests/{rid}/confirm"),
            &act_for(&assistant.token, principal.id),
            Some(&json!({"hold": chosen})),
        )
        .await;
    again.problem(409, "conflict");
    let itip = app
        .call(
            "get",
            &format!("/api/v1/events/{chosen}/itip"),
            &act_for(&assistant.token, principal.id),
            None,
        )
        .await
        .json();
    let to: Vec<&str> = itip
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["recipient"].as_str().unwrap())
        .collect();
    assert!(
        to.contains(&"director@example.org") && to.contains(&ny.email.as_str()),
        "{itip}"
    );
    let dl = app
        .api(
            "get",
            itip[0]["download"].as_str().unwrap(),
            &principal.token,
            None,
        )
        .await;
    assert!(
        dl.content_type().starts_with("text/calendar"),
        "{}",
        dl.content_type()
    );
    assert!(
        dl.body.contains("METHOD:REQUEST") && dl.body.contains("Board meeting"),
        "{}",
        dl.body
    );
    // Cancelling sends CANCEL to everyone.
    let c = app
        .api(
            "post",
            &format!("/api/v1/events/{chosen}/cancel"),
            &principal.token,
            Some(&json!({})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let itip = app
        .api(
            "get",
            &format!("/api/v1/events/{chosen}/itip"),
            &principal.token,
            None,
        )
        .await
        .json();
    assert!(
        itip.as_array()
            .unwrap()
            .iter()
            .filter(|m| m["method"] == "CANCEL")
            .count()
            >= 2,
        "{itip}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_through_a_link_then_booked() {
    let app = spawn_app().await;
    let n = &app.north;
    let principal = n.m(Role::Principal);
    let r = room(&app, n).await;
    let created = app
        .api(
            "post",
            "/api/v1/polls",
            &principal.token,
            Some(&json!({"summary": "Offsite dinner", "duration_minutes": 120, "time_zone": "Europe/Amsterdam",
                          "starts": ["2027-03-10T18:30", "2027-03-11T18:30"], "room": r.id.to_string(),
                          "attendees": [{"who": n.m(Role::Staff).id.to_string()}, {"who": "director@example.org", "name": "Dee Rector"}]})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let v = created.json();
    let link = v["links"][0][1].as_str().unwrap().to_string();
    let token = link.trim_start_matches("/p/").to_string();
    let options: Vec<String> = v["poll"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    // The outsider answers without an account.
    let public = app.page(&format!("/api/v1/public/polls/{token}"), None).await;
    assert_eq!(public.status, 200, "{}", public.body);
    assert!(
        !public.body.contains("Stella"),
        "an outsider does not see who else was asked"
    );
    let ans = app
        .call(
            "post",
            &format!("/api/v1/public/polls/{token}"),
            &[],
            Some(&json!({"answers": {options[0].clone(): "no", options[1].clone(): "yes"}})),
        )
        .await;
    assert_eq!(ans.status, 200, "{}", ans.body);
    let bad = app
        .call(
            "post",
            &format!("/api/v1/public/polls/{token}"),
            &[],
            Some(&json!({"answers": {options[0].clone(): "perhaps"}})),
        )
        .await;
    let p = bad.problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["field"], format!("answers.{}", options[0]));
    let staff = n.m(Role::Staff);
    let pid = v["poll"]["id"].as_str().unwrap();
    let mine = app
        .api(
            "post",
            &format!("/api/v1/polls/{pid}/answers"),
            &staff.token,
            Some(&json!({"answers": {options[1].clone(): "if_need_be"}})),
        )
        .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let tally = app
        .api("get", &format!("/api/v1/polls/{pid}"), &principal.token, None)
        .await
        .json();
    let best = tally["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["rank"] == 1)
        .unwrap();
    assert_eq!(best["id"], options[1], "{tally}");
    // Booking the winner goes through the hold flow: an event with the room, invitations out.
    let booked = app
        .api(
            "post",
            &format!("/api/v1/polls/{pid}/book"),
            &principal.token,
            Some(&json!({})),
        )
        .await;
    assert_eq!(booked.status, 200, "{}", booked.body);
    let b = booked.json();
    assert_eq!(b["poll"]["status"], "booked");
    assert_eq!(b["event"]["room"], r.id.to_string());
    assert_eq!(b["event"]["start"]["local"], "2027-03-11T18:30:00");
    let late = app
        .call(
            "post",
            &format!("/api/v1/public/polls/{token}"),
            &[],
            Some(&json!({"answers": {options[0].clone(): "yes"}})),
        )
        .await;
    late.problem(409, "conflict");
    let audit = app.audit(n.id).await;
    assert!(
        audit
            .iter()
            .any(|e| e.action == "poll.answer" && e.actor_label == "Dee Rector (poll link)")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_export_and_feeds() {
    let app = spawn_app().await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let import = |body: String| {
        app.request("post", "/api/v1/calendars/default/import")
            .header("authorization", format!("Bearer {}", p.token))
            .header(CONTENT_TYPE, "text/calendar")
            .body(body)
    };
    let r = send(import(ICS.to_string())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.json()["created"].clone(), r.json()["updated"].clone()),
        (json!(1), json!(0))
    );
    let again = send(import(ICS.replace("SUMMARY:Imported", "SUMMARY:Imported again")))
        .await
        .json();
    assert_eq!(
        (again["created"].clone(), again["updated"].clone()),
        (json!(0), json!(1))
    );
    // A bad file names its line and stores nothing.
    let before = app.snapshot(n.id).await;
    let broken = ICS.replace(
        "DTSTART;TZID=Europe/Amsterdam:20270302T090000",
        "DTSTART;TZID=Europe/Amsterdam:20271302T090000",
    );
    let bad = send(import(format!(
        "{broken}{}",
        ICS.replace("matrix-import", "second")
    )))
    .await;
    let prob = bad.problem(422, "invalid_ics");
    assert!(prob["detail"].as_str().unwrap().contains("line 7"), "{prob}");
    let zone = send(import(ICS.replace("TZID=Europe/Amsterdam", "TZID=Mars/Olympus"))).await;
    zone.problem(422, "invalid_ics");
    let flood = send(import(
        ICS.replace("SUMMARY:Imported", "RRULE:FREQ=MINUTELY\r\nSUMMARY:Imported"),
    ))
    .await;
    flood.problem(422, "invalid_ics");
    // Over the route's body limit by one byte, so the server has read the whole
    // body when it answers (a larger body would race the answer against the upload).
    let huge = send(import("X".repeat(adjutant_server::web::IMPORT_BODY_LIMIT + 1))).await;
    huge.problem(413, "too_large");
    // Within the body limit but over the file limit: refused by the import itself.
    let over = send(import("X".repeat(adjutant_interop::ics::MAX_ICS_BYTES + 1))).await;
    over.problem(413, "too_large");
    let wrong_type = send(
        app.request("post", "/api/v1/calendars/default/import")
            .header("authorization", format!("Bearer {}", p.token))
            .header(CONTENT_TYPE, "application/pdf")
            .body(ICS),
    )
    .await;
    wrong_type.problem(415, "unsupported_media_type");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
    // Export, and a feed that works until it is revoked.
    let cals = app.api("get", "/api/v1/calendars", &p.token, None).await.json();
    let cal = cals[0]["id"].as_str().unwrap();
    let ex = app
        .api("get", &format!("/api/v1/calendars/{cal}/export"), &p.token, None)
        .await;
    assert!(
        ex.body.contains("UID:matrix-import@example.org") && ex.body.contains("SUMMARY:Imported again"),
        "{}",
        ex.body
    );
    let f = app
        .api(
            "post",
            &format!("/api/v1/calendars/{cal}/feeds"),
            &p.token,
            Some(&json!({"name": "phone"})),
        )
        .await;
    assert_eq!(f.status, 201, "{}", f.body);
    let url = f.json()["url"].as_str().unwrap().to_string();
    let feed = app.page(&url, None).await;
    assert_eq!(feed.status, 200);
    assert!(feed.body.contains("Imported again"));
    let fid = f.json()["feed"]["id"].as_str().unwrap().to_string();
    app.api("delete", &format!("/api/v1/feeds/{fid}"), &p.token, None)
        .await;
    app.page(&url, None).await.problem(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let foreign_room = room(&app, &app.contoso).await;
    let base = json!({"summary": "Check", "start": "2027-03-02T10:00", "time_zone": "Europe/Amsterdam"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(&str, Value, &[&str])> = vec![
        (
            "end before start",
            with("end", json!("2027-03-02T09:00")),
            &["end"],
        ),
        (
            "unknown zone",
            with("time_zone", json!("Mars/Olympus")),
            &["time_zone"],
        ),
        ("bad date", with("start", json!("2027-02-30T10:00")), &["start"]),
        (
            "broken rule",
            with("rrule", json!("FREQ=FORTNIGHTLY")),
            &["rrule"],
        ),
        (
            "a flood of occurrences",
            with("rrule", json!("FREQ=MINUTELY")),
            &["rrule"],
        ),
        (
            "unknown attendee",
            with("attendees", json!([{"who": uuid::Uuid::new_v4().to_string()}])),
            &["attendees[0]"],
        ),
        (
            "another organisation's person",
            with("attendees", json!([{"who": app.contoso.target.id.to_string()}])),
            &["attendees[0]"],
        ),
        (
            "another organisation's room",
            with("room", json!(foreign_room.id.to_string())),
            &["room"],
        ),
        ("priority out of range", with("priority", json!(9)), &["priority"]),
        (
            "unknown category",
            with("category", json!("party")),
            &["category"],
        ),
        ("empty summary", with("summary", json!("  ")), &["summary"]),
    ];
    for (what, body, fields) in cases {
        let before = app.snapshot(n.id).await;
        let r = app.api("post", "/api/v1/events", &p.token, Some(&body)).await;
        let prob = r.problem(422, "validation_failed");
        let named: Vec<&str> = prob["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        for f in fields {
            assert!(named.contains(f), "{what}: `{f}` not named in {prob}");
        }
        assert_eq!(app.snapshot(n.id).await, before, "{what}: something was written");
    }
    // Queries and searches name their parameters too.
    app.api("get", "/api/v1/agenda?tz=Mars/Olympus", &p.token, None)
        .await
        .problem(422, "validation_failed");
    app.api("get", "/api/v1/agenda?from=someday", &p.token, None)
        .await
        .problem(422, "validation_failed");
    let r = app
        .api(
            "post",
            "/api/v1/find-time",
            &p.token,
            Some(&json!({"attendees": [{"who": p.id.to_string()}], "duration_minutes": 0})),
        )
        .await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "duration_minutes"
    );
    let r = app
        .api("post", "/api/v1/find-time", &p.token, Some(&json!({"attendees": [{"who": p.id.to_string()}], "duration_minutes": 30, "from": "2027-01-01", "to": "2027-12-31"})))
        .await;
    assert_eq!(r.problem(422, "validation_failed")["errors"][0]["field"], "to");
    let r = app
        .api(
            "put",
            &format!("/api/v1/people/{}/availability", p.id),
            &p.token,
            Some(&json!({"zone": "Europe/Amsterdam", "buffer_before": -5})),
        )
        .await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "buffer_before"
    );
    let r = app
        .api(
            "post",
            "/api/v1/resources",
            &n.m(Role::Admin).token,
            Some(&json!({"name": "Tiny", "capacity": 0})),
        )
        .await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "capacity"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_edits_holds_and_who_sees_requests() {
    let app = spawn_app().await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let staff = n.m(Role::Staff);
    let r = room(&app, n).await;
    // Two overlapping proposed times in the same room are alternatives, not a clash.
    let req = app
        .api(
            "post",
            "/api/v1/meeting-requests",
            &p.token,
            Some(
                &json!({"summary": "Board prep", "duration_minutes": 90, "time_zone": "Europe/Amsterdam",
                          "starts": ["2027-03-03T15:00", "2027-03-03T16:00"], "room": r.id.to_string(),
                          "attendees": [{"who": staff.id.to_string()}]}),
            ),
        )
        .await;
    assert_eq!(req.status, 201, "{}", req.body);
    // …but they do hold the room against everyone else.
    let grab = app
        .api(
            "post",
            "/api/v1/events",
            &n.m(Role::OfficeManager).token,
            Some(&json!({"summary": "Grab", "start": "2027-03-03T15:30", "time_zone": "Europe/Amsterdam", "room": r.id.to_string()})),
        )
        .await;
    grab.problem(409, "conflict");
    // An attendee sees the request they are invited to; a colleague who is not does not.
    let theirs = app
        .api("get", "/api/v1/meeting-requests", &staff.token, None)
        .await
        .json();
    assert_eq!(theirs.as_array().unwrap().len(), 1, "{theirs}");
    let others = app
        .api(
            "get",
            "/api/v1/meeting-requests",
            &n.m(Role::OfficeManager).token,
            None,
        )
        .await
        .json();
    assert!(others.as_array().unwrap().is_empty(), "{others}");

    // Renaming a series renames an occurrence moved on its own, unless it was renamed on its own.
    let e = app
        .api(
            "post",
            "/api/v1/events",
            &p.token,
            Some(
                &json!({"summary": "1:1", "start": "2027-03-01T09:00", "time_zone": "Europe/Amsterdam",
                          "rrule": "FREQ=WEEKLY;COUNT=4", "attendees": [{"who": staff.id.to_string()}]}),
            ),
        )
        .await
        .json();
    let id = e["id"].as_str().unwrap();
    assert_eq!(e["attendees"][0]["role"], "chair", "the organiser chairs: {e}");
    let moved = app
        .api(
            "post",
            &format!("/api/v1/events/{id}/move"),
            &p.token,
            Some(&json!({"start": "2027-03-08T11:00", "recurrence_id": "2027-03-08T09:00:00"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let renamed = app
        .api(
            "patch",
            &format!("/api/v1/events/{id}"),
            &p.token,
            Some(&json!({"summary": "Weekly 1:1", "attendees": [{"who": p.id.to_string()}, {"who": staff.id.to_string()}]})),
        )
        .await
        .json();
    assert_eq!(renamed["overrides"][0]["summary"], "Weekly 1:1", "{renamed}");
    let organiser = renamed["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["person"] == p.id.to_string())
        .unwrap();
    assert_eq!(organiser["role"], "chair", "{renamed}");
    let week = app
        .api(
            "get",
            &format!(
                "/api/v1/agenda?person={}&from=2027-03-08&to=2027-03-09&tz=Europe/Amsterdam",
                p.id
            ),
            &p.token,
            None,
        )
        .await
        .json();
    assert_eq!(week[0]["summary"], "Weekly 1:1");
    assert_eq!(week[0]["start"]["local"], "2027-03-08T11:00:00");
}

/// Busy time is cached per server; a change made through another server (or
/// this one) raises the agenda's version, so the next search sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_busy_time_follows_every_change_even_across_servers() {
    let app = spawn_app().await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let staff = n.m(Role::Staff);
    let one = &app.state;
    let other = AppState {
        busy: Default::default(),
        ..app.state.clone()
    };
    let search = sched::FindTimeInput {
        attendees: vec![
            sched::FindAttendee {
                who: p.id.to_string(),
                name: None,
                optional: false,
                busy: vec![],
                ics: None,
                ics_url: None,
            },
            sched::FindAttendee {
                who: staff.id.to_string(),
                name: None,
                optional: false,
                busy: vec![],
                ics: None,
                ics_url: None,
            },
        ],
        duration_minutes: 60,
        from: Some("2027-03-01T09:00".into()),
        to: Some("2027-03-01T17:30".into()),
        time_zone: Some("UTC".into()),
        room_capacity: None,
        room_equipment: vec![],
        room: None,
        need_room: None,
        location: None,
        priority: None,
        step_minutes: Some(30),
        limit: Some(50),
    };
    let starts = |r: &sched::FindResult| {
        r.slots
            .iter()
            .map(|s| s.range.start.to_string())
            .collect::<Vec<_>>()
    };
    let first = sched::find_time(one, &system(), n.id, &search).await.unwrap();
    assert!(
        starts(&first).contains(&"2027-03-01T09:00:00Z".to_string()),
        "{:?}",
        starts(&first)
    );
    // A meeting for the staff member, made through the other server, takes 09:00–10:00.
    let e = cal::create_event(
        &other,
        &system(),
        n.id,
        &EventInput {
            person: Some(staff.id.to_string()),
            summary: "Dentist".into(),
            start: "2027-03-01T09:00".into(),
            duration_minutes: Some(60),
            time_zone: Some("UTC".into()),
            ..EventInput::default()
        },
    )
    .await
    .unwrap();
    let again = sched::find_time(one, &system(), n.id, &search).await.unwrap();
    assert!(
        !starts(&again).iter().any(|s| s.starts_with("2027-03-01T09:")),
        "{:?}",
        starts(&again)
    );
    // Moved away, the slot is free again; invited to another, the principal is busy then.
    cal::move_event(
        &other,
        &system(),
        n.id,
        e.id,
        &cal::MoveInput {
            start: "2027-03-01T15:00".into(),
            end: None,
            time_zone: None,
            recurrence_id: None,
        },
    )
    .await
    .unwrap();
    let moved = sched::find_time(one, &system(), n.id, &search).await.unwrap();
    assert!(starts(&moved).contains(&"2027-03-01T09:00:00Z".to_string()));
    assert!(!starts(&moved).iter().any(|s| s.starts_with("2027-03-01T15:")));
    // (10:00 in Amsterdam is 09:00 UTC.)
    event(&app, n, n.m(Role::Admin).id, &[p.id], "2027-03-01T10:00").await;
    let invited = sched::find_time(one, &system(), n.id, &search).await.unwrap();
    assert!(
        !starts(&invited).contains(&"2027-03-01T09:00:00Z".to_string()),
        "{:?}",
        starts(&invited)
    );
    assert!(
        starts(&invited).contains(&"2027-03-01T09:30:00Z".to_string()),
        "{:?}",
        starts(&invited)
    );
    // Working hours changed elsewhere: the principal now starts at 13:00.
    let mut rules = adjutant_core::calendar::availability::Availability::default_for(
        adjutant_core::calendar::Zone::utc(),
    );
    rules.working_hours.monday = vec![adjutant_core::calendar::availability::LocalSpan::hm(
        13, 0, 17, 30,
    )];
    sched::set_availability(&other, &system(), n.id, p.id, &rules)
        .await
        .unwrap();
    let later = sched::find_time(one, &system(), n.id, &search).await.unwrap();
    // Earlier times are now outside the principal's hours: allowed up to two hours before, and said so.
    assert!(
        !starts(&later).iter().any(|s| s.as_str() < "2027-03-01T11:00"),
        "{:?}",
        starts(&later)
    );
    for slot in later
        .slots
        .iter()
        .filter(|s| s.range.start.to_string().as_str() < "2027-03-01T13:00")
    {
        assert!(
            slot.reasons.iter().any(
                |r| r.code == adjutant_core::calendar::finder::ReasonCode::OutsideHours
                    && r.who.as_deref() == Some(p.id.to_string().as_str())
            ),
            "{slot:?}"
        );
    }
    // Deleting frees it.
    cal::delete_event(&other, &system(), n.id, e.id).await.unwrap();
    let freed = sched::find_time(one, &system(), n.id, &search).await.unwrap();
    assert!(
        starts(&freed).contains(&"2027-03-01T15:00:00Z".to_string()),
        "{:?}",
        starts(&freed)
    );
}

/// Serves `body` as `text/calendar` to every request on a loopback port; returns the URL.
async fn serve_calendar(body: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/director.ics")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outsiders_calendar_is_fetched_by_url_from_public_addresses_only() {
    let app = spawn_app().await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let feed = ICS
        .replace("20270302T090000", "20270301T090000")
        .replace("20270302T100000", "20270301T120000");
    let url = serve_calendar(feed).await;
    let body = |url: &str| {
        json!({
            "attendees": [{"who": p.id.to_string()}, {"who": "director@example.org", "ics_url": url}],
            "duration_minutes": 60, "from": "2027-03-01T08:00", "to": "2027-03-01T17:00",
            "time_zone": "Europe/Amsterdam", "step_minutes": 30, "limit": 50,
        })
    };
    // By default the server refuses to fetch from its own network.
    let r = app
        .api("post", "/api/v1/find-time", &p.token, Some(&body(&url)))
        .await;
    let prob = r.problem(422, "validation_failed");
    assert_eq!(prob["errors"][0]["field"], "attendees[1].ics_url", "{prob}");
    assert!(
        prob["detail"]
            .as_str()
            .unwrap()
            .contains("inside this server's network"),
        "{prob}"
    );
    let r = app
        .api(
            "post",
            "/api/v1/find-time",
            &p.token,
            Some(&body("ftp://example.org/x.ics")),
        )
        .await;
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "attendees[1].ics_url"
    );
    // Allowed (as in this test), the director's busy morning (09:00–12:00 Amsterdam) is avoided.
    let open = AppState {
        config: std::sync::Arc::new(Config {
            fetch_private_addresses: true,
            ..(*app.state.config).clone()
        }),
        ..app.state.clone()
    };
    let input: sched::FindTimeInput = serde_json::from_value(body(&url)).unwrap();
    let found = sched::find_time(&open, &system(), n.id, &input).await.unwrap();
    assert!(!found.slots.is_empty());
    let z = adjutant_core::calendar::Zone::parse("z", "Europe/Amsterdam").unwrap();
    for s in &found.slots {
        let h = z.local(s.range.start).hour();
        assert!(
            !(8..12).contains(&h) || z.local(s.range.end).hour() <= 9 && h < 9,
            "{s:?}"
        );
    }
    let why = sched::why_not(&open, &system(), n.id, &input, "2027-03-01T10:00")
        .await
        .unwrap();
    assert!(
        why.1
            .iter()
            .any(|r| r.blocking && r.who.as_deref() == Some("director@example.org")),
        "{:?}",
        why.1
    );
}
