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
    if role == Role::Contractor { Want::Is(403) } else { Want::Is(ok) }
}

fn office(role: Role, ok: u16) -> Want {
    if matches!(role, Role::Admin | Role::OfficeManager) { Want::Is(ok) } else { Want::Is(403) }
}

/// A colleague's item: readers may see it, nobody may change it (no delegation), contractors learn nothing.
fn colleague_write(role: Role) -> Want {
    if role == Role::Contractor { Want::Is(404) } else { Want::Is(403) }
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
    Route { method: "get", path: "/api/v1/resources", public: false, want: |role, side| (side != Side::Own).then(|| readers(role, 200)) },
    Route { method: "post", path: "/api/v1/resources", public: false, want: |role, side| (side == Side::Same).then(|| office(role, 201)) },
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
        want: |_, side| Some(if side == Side::Other { Want::Hidden } else { Want::Is(200) }),
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
    Route { method: "get", path: "/api/v1/calendars/{id}/export", public: false, want: |_, side| owner_only(side, 200) },
    Route { method: "get", path: "/api/v1/calendars/{id}/feeds", public: false, want: |_, side| owner_only(side, 200) },
    Route { method: "post", path: "/api/v1/calendars/{id}/feeds", public: false, want: |_, side| owner_only(side, 201) },
    Route { method: "delete", path: "/api/v1/feeds/{id}", public: false, want: |_, side| owner_only(side, 200) },
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
    Route { method: "get", path: "/api/v1/travel-times", public: false, want: |role, side| (side == Side::Same).then(|| readers(role, 200)) },
    Route { method: "put", path: "/api/v1/travel-times", public: false, want: |role, side| (side == Side::Same).then(|| office(role, 200)) },
    Route { method: "put", path: "/api/v1/travel-times/default", public: false, want: |role, side| (side == Side::Same).then(|| office(role, 200)) },
    Route {
        method: "post",
        path: "/api/v1/find-time",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(readers(role, 200)),
            Side::Own => None,
            Side::Other => Some(if role == Role::Contractor { Want::Is(403) } else { Want::Refused }),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/find-time/why-not",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(readers(role, 200)),
            Side::Own => None,
            Side::Other => Some(if role == Role::Contractor { Want::Is(403) } else { Want::Refused }),
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
    Route { method: "get", path: "/api/v1/meeting-requests", public: false, want: |_, side| (side == Side::Same).then_some(Want::Is(200)) },
    Route { method: "get", path: "/api/v1/meeting-requests/{id}", public: false, want: |_, side| owner_only(side, 200) },
    Route { method: "post", path: "/api/v1/meeting-requests/{id}/confirm", public: false, want: |_, side| owner_only(side, 200) },
    Route { method: "post", path: "/api/v1/meeting-requests/{id}/release", public: false, want: |_, side| owner_only(side, 200) },
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
    Route { method: "get", path: "/api/v1/polls", public: false, want: |_, side| (side == Side::Same).then_some(Want::Is(200)) },
    Route { method: "get", path: "/api/v1/polls/{id}", public: false, want: |_, side| owner_only(side, 200) },
    Route {
        method: "post",
        path: "/api/v1/polls/{id}/answers",
        public: false,
        // Own: a colleague's poll the actor is asked in.
        want: |_, side| owner_only(side, 200),
    },
    Route { method: "post", path: "/api/v1/polls/{id}/book", public: false, want: |_, side| owner_only(side, 200) },
    Route { method: "post", path: "/api/v1/polls/{id}/close", public: false, want: |_, side| owner_only(side, 200) },
    Route { method: "get", path: "/api/v1/public/polls/{token}", public: true, want: |_, side| (side == Side::Own).then_some(Want::Is(200)) },
    Route { method: "post", path: "/api/v1/public/polls/{token}", public: true, want: |_, side| (side == Side::Own).then_some(Want::Is(200)) },
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
        },
    )
    .await
    .unwrap()
}

/// An event in `person`'s calendar with `attendees`, on a weekday in 2027.
pub async fn event(app: &App, org: &Org, person: PersonId, attendees: &[PersonId], start: &str) -> EventRecord {
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
pub async fn request(app: &App, org: &Org, person: PersonId, with: &[PersonId]) -> (adjutant_store::scheduling::MeetingRequest, Vec<EventRecord>) {
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
pub async fn prepare(app: &App, route: &Route, actor: &Member, side: Side) -> (String, Option<Value>, Option<Raw>) {
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
        ("get", "/api/v1/resources") | ("get", "/api/v1/travel-times") | ("get", "/api/v1/meeting-requests") | ("get", "/api/v1/polls") => {
            route.path.to_string()
        }
        ("post", "/api/v1/resources") => {
            body = Some(json!({"name": format!("New room {}", n()), "capacity": 4, "equipment": ["screen"], "location": "HQ"}));
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
                Side::Own => json!({"summary": "Mine", "start": "2027-03-02T10:00", "time_zone": "Europe/Amsterdam"}),
                _ => json!({"summary": "Theirs", "start": "2027-03-02T10:00", "person": owner.to_string()}),
            });
            route.path.to_string()
        }
        ("get", "/api/v1/events/{id}")
        | ("delete", "/api/v1/events/{id}")
        | ("get", "/api/v1/events/{id}/itip") => with_id(&event(app, home, owner, &[], "2027-03-01T10:00").await.id.to_string()),
        ("patch", "/api/v1/events/{id}") => {
            body = Some(json!({"summary": "Changed"}));
            with_id(&event(app, home, owner, &[], "2027-03-01T10:00").await.id.to_string())
        }
        ("post", "/api/v1/events/{id}/move") => {
            body = Some(json!({"start": "2027-03-01T11:00"}));
            with_id(&event(app, home, owner, &[], "2027-03-01T10:00").await.id.to_string())
        }
        ("post", "/api/v1/events/{id}/cancel") => {
            body = Some(json!({}));
            with_id(&event(app, home, owner, &[], "2027-03-01T10:00").await.id.to_string())
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
            let e = event(app, home, owner, &[guest(home, owner, actor.id)], "2027-03-01T10:00").await;
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
            let (f, _) = cal::create_feed(&app.state, &system(), home.id, c.id, "victim").await.unwrap();
            with_id(&f.id.to_string())
        }
        ("get", "/feeds/{token}") => {
            let c = calendar_of(app, home, owner).await;
            event(app, home, owner, &[], "2027-03-01T10:00").await;
            let (_, secret) = cal::create_feed(&app.state, &system(), home.id, c.id, "feed").await.unwrap();
            with_token(&format!("{secret}.ics"))
        }
        ("get", "/api/v1/people/{id}/availability") => with_id(&owner.to_string()),
        ("put", "/api/v1/people/{id}/availability") => {
            body = Some(json!({"zone": "Europe/Amsterdam", "working_hours": {"monday": [{"start": "09:00", "end": "17:00"}]}, "buffer_after": 10}));
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
            let invited = if side == Side::Other { b.target.id } else { guest(a, owner, actor.id) };
            let people = vec![json!({"who": invited.to_string()}), json!({"who": "guest@example.org"})];
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
pub async fn check(app: &App, route: &Route, actor: &Member, side: Side, r: &Resp, fail: &mut dyn FnMut(String)) {
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
                if app.state.store.resource_get(app.contoso.id, rid.parse().unwrap()).await.is_ok() {
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
