//! The access matrix of sites, spaces, booking rules and bookings, and their
//! flows: a site with floors, desks placed on it, bookings under the rules
//! (length, horizon, weekly quota, who may book, assigned desks), check-in,
//! cancellation, release of a booking nobody checked into, and bad input that
//! names the field and stores nothing.

use super::*;
use adjutant_core::ids::BookingId;
use adjutant_core::office::space::{BookingStatus, SpaceKind};
use adjutant_server::ops::spaces as space_ops;
use adjutant_store::calendar::ResourceInput;
use adjutant_store::spaces::NewBooking;
use jiff::{SignedDuration, ToSpan};

/// Everyone but contractors.
fn readers(role: Role, ok: u16) -> Want {
    if role == Role::Contractor {
        Want::Is(403)
    } else {
        Want::Is(ok)
    }
}

/// Office managers and administrators.
fn keepers(role: Role, ok: u16) -> Want {
    if matches!(role, Role::Admin | Role::OfficeManager) {
        Want::Is(ok)
    } else {
        Want::Is(403)
    }
}

/// Checking into or cancelling a booking: one's own (everyone but
/// contractors), someone else's (the office), another organisation's (nobody).
fn handle(role: Role, side: Side, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => readers(role, ok),
        Side::Same => {
            if role == Role::Contractor {
                Want::Is(403)
            } else {
                keepers(role, ok)
            }
        }
        Side::Other => Want::Hidden,
    })
}

pub const MATRIX: &[Route] = &[
    Route {
        method: "get",
        path: "/api/v1/sites",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/sites",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/sites/{id}",
        public: false,
        want: |role, side| match side {
            Side::Own => None,
            Side::Same => Some(readers(role, 200)),
            Side::Other => Some(Want::Hidden),
        },
    },
    Route {
        method: "put",
        path: "/api/v1/sites/{id}",
        public: false,
        want: |role, side| match side {
            Side::Own => None,
            Side::Same => Some(keepers(role, 200)),
            Side::Other => Some(Want::Hidden),
        },
    },
    Route {
        method: "get",
        path: "/api/v1/spaces",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 200)),
    },
    Route {
        method: "get",
        path: "/api/v1/booking-rules",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 200)),
    },
    Route {
        method: "put",
        path: "/api/v1/booking-rules/{kind}",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 200)),
    },
    Route {
        method: "get",
        path: "/api/v1/bookings",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/bookings",
        public: false,
        want: |role, side| (side == Side::Own).then(|| readers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/bookings/{id}",
        public: false,
        want: |role, side| match side {
            Side::Own => None,
            Side::Same => Some(readers(role, 200)),
            Side::Other => Some(Want::Hidden),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/bookings/{id}/check-in",
        public: false,
        want: |role, side| handle(role, side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/bookings/{id}/cancel",
        public: false,
        want: |role, side| handle(role, side, 200),
    },
];

pub fn owns(route: &Route) -> bool {
    MATRIX
        .iter()
        .any(|r| r.method == route.method && r.path == route.path)
}

/// A fresh hot desk in `org`, in Amsterdam.
async fn desk(app: &App, org: OrgId) -> adjutant_store::calendar::Resource {
    app.state
        .store
        .resource_create(
            org,
            &ResourceInput {
                kind: "desk".into(),
                name: format!("Desk {}", uuid::Uuid::new_v4().simple()),
                capacity: 1,
                time_zone: "Europe/Amsterdam".into(),
                bookable: true,
                ..ResourceInput::default()
            },
            &system().audit(now()),
        )
        .await
        .unwrap()
}

/// A booking of a fresh desk for `person`, starting a minute ago (check-in is open).
async fn booking(app: &App, org: OrgId, person: PersonId) -> BookingId {
    let res = desk(app, org).await;
    let p = app.state.store.person_get(org, person).await.unwrap();
    let start = now() - SignedDuration::from_mins(1);
    let end = start + SignedDuration::from_hours(4);
    app.state
        .store
        .booking_create(
            org,
            &NewBooking {
                resource: res.id,
                kind: SpaceKind::Desk,
                person,
                title: res.name.clone(),
                start,
                end,
                event: space_ops::booking_event(&res, &p, &res.name, start, end).unwrap(),
                quota: None,
            },
            &system().audit(now()),
        )
        .await
        .unwrap()
        .id
}

async fn site(app: &App, org: OrgId) -> String {
    space_ops::create_site(
        &app.state,
        &system(),
        org,
        &space_ops::SiteForm {
            name: format!("Site {}", uuid::Uuid::new_v4().simple()),
            time_zone: Some("Europe/Amsterdam".into()),
            floors: vec!["Ground floor".into()],
            ..space_ops::SiteForm::default()
        },
    )
    .await
    .unwrap()
    .id
    .to_string()
}

/// Tomorrow in Amsterdam at `hh:mm`, as the API takes it.
fn tomorrow_at(hm: &str) -> String {
    format!("{}T{hm}", today().tomorrow().unwrap())
}

fn today() -> jiff::civil::Date {
    now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date()
}

pub async fn prepare(
    app: &App,
    route: &Route,
    actor: &Member,
    side: Side,
) -> (String, Option<Value>, Option<super::calendar::Raw>) {
    let org = if side == Side::Other {
        app.contoso.id
    } else {
        app.north.id
    };
    let with_id = |id: &str| route.path.replace("{id}", id);
    let mut body = None;
    let path = match (route.method, route.path) {
        ("get", _) if !route.path.contains('{') => route.path.to_string(),
        ("post", "/api/v1/sites") => {
            body = Some(
                json!({"name": format!("Site {}", uuid::Uuid::new_v4().simple()), "floors": ["1st floor"]}),
            );
            route.path.to_string()
        }
        ("get", "/api/v1/sites/{id}") => with_id(&site(app, org).await),
        ("put", "/api/v1/sites/{id}") => {
            body = Some(
                json!({"name": format!("Site {}", uuid::Uuid::new_v4().simple()), "floors": ["1st floor", "2nd floor"]}),
            );
            with_id(&site(app, org).await)
        }
        ("put", "/api/v1/booking-rules/{kind}") => {
            body = Some(
                json!({"roles": ["staff", "office_manager", "admin", "principal", "assistant"],
                "max_minutes": 600, "max_days_ahead": 14, "quota_per_week": 5, "check_in": true,
                "release_after_minutes": 60}),
            );
            "/api/v1/booking-rules/desk".into()
        }
        ("post", "/api/v1/bookings") => {
            let d = desk(app, org).await;
            body = Some(json!({"space": d.id.to_string(), "start": tomorrow_at("09:00"), "end": "12:00"}));
            route.path.to_string()
        }
        ("get", "/api/v1/bookings/{id}") => {
            let whose = if side == Side::Other {
                app.contoso.target.id
            } else {
                app.north.target.id
            };
            with_id(&booking(app, org, whose).await.to_string())
        }
        ("post", _) => {
            let whose = match side {
                Side::Own => actor.id,
                Side::Same => app.north.target.id,
                Side::Other => app.contoso.target.id,
            };
            with_id(&booking(app, org, whose).await.to_string())
        }
        other => panic!("no preparation for {other:?}"),
    };
    (path, body, None)
}

pub async fn check(
    app: &App,
    route: &Route,
    _actor: &Member,
    _side: Side,
    r: &Resp,
    fail: &mut dyn FnMut(String),
) {
    if r.status / 100 != 2 {
        return;
    }
    if let ("get", "/api/v1/spaces" | "/api/v1/bookings") = (route.method, route.path) {
        let theirs: Vec<String> = app
            .state
            .store
            .resource_list(app.contoso.id)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id.to_string())
            .collect();
        for v in r.json().as_array().unwrap() {
            let id = v
                .get("space")
                .or_else(|| v.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if theirs.iter().any(|t| t == id) {
                fail(format!("lists another organisation's space: {v}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_book_desks_under_the_rules_check_in_and_cancel() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let staff = n.m(Role::Staff);
    let principal = n.m(Role::Principal);

    // The office manager adds a site with floors and places desks on it.
    let s = app
        .api(
            "post",
            "/api/v1/sites",
            &om.token,
            Some(&json!({"name": "Amsterdam HQ", "address": "Herengracht 182", "time_zone": "Europe/Amsterdam", "floors": ["Ground floor", "2nd floor"]})),
        )
        .await;
    assert_eq!(s.status, 201, "{}", s.body);
    assert_eq!(s.json()["time_zone"], "Europe/Amsterdam");
    let sid = s.json()["id"].as_str().unwrap().to_string();
    let add = |name: &str, extra: Value| {
        let mut body = json!({"name": name, "capacity": 1, "kind": "desk", "site": "Amsterdam HQ", "floor": "2nd floor"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let d1 = app
        .api(
            "post",
            "/api/v1/resources",
            &om.token,
            Some(&add("Desk 2.01", json!({}))),
        )
        .await;
    assert_eq!(d1.status, 201, "{}", d1.body);
    assert_eq!(d1.json()["site"], sid.as_str());
    assert_eq!(d1.json()["floor"], "2nd floor");
    assert_eq!(d1.json()["location"], "Amsterdam HQ");
    let d2 = app
        .api(
            "post",
            "/api/v1/resources",
            &om.token,
            Some(&add("Desk 2.02", json!({"assigned_to": principal.email}))),
        )
        .await;
    assert_eq!(d2.status, 201, "{}", d2.body);
    // A floor the site does not have, and an assigned room, are refused by name.
    let p = app
        .api(
            "post",
            "/api/v1/resources",
            &om.token,
            Some(&add("Desk 9.01", json!({"floor": "9th floor"}))),
        )
        .await
        .problem(422, "validation_failed");
    assert!(
        p.to_string()
            .contains("has no floor `9th floor`; its floors are: Ground floor, 2nd floor"),
        "{p}"
    );
    let p = app
        .api(
            "post",
            "/api/v1/resources",
            &om.token,
            Some(&add(
                "Room X",
                json!({"kind": "room", "capacity": 4, "assigned_to": staff.email}),
            )),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["field"], "assigned_to", "{p}");
    app.api(
        "post",
        "/api/v1/resources",
        &om.token,
        Some(&add(
            "Pool car",
            json!({"kind": "equipment", "floor": "Ground floor"}),
        )),
    )
    .await;

    // Staff book a desk for tomorrow morning; the answer reads in the desk's zone.
    let b = app
        .api(
            "post",
            "/api/v1/bookings",
            &staff.token,
            Some(&json!({"space": "desk 2.01", "start": tomorrow_at("09:00"), "end": "13:00"})),
        )
        .await;
    assert_eq!(b.status, 201, "{}", b.body);
    let b = b.json();
    assert_eq!(b["status"], "booked");
    assert_eq!(b["person"], staff.id.to_string());
    assert!(b["local"].as_str().unwrap().ends_with("09:00–13:00 CET"), "{b}");
    assert_eq!(
        b["can_check_in"], false,
        "check-in opens only shortly before: {b}"
    );
    let bid = b["id"].as_str().unwrap().to_string();

    // Nobody else can hold it then; the rules refuse what breaks them, naming the field.
    let p = app
        .api(
            "post",
            "/api/v1/bookings",
            &om.token,
            Some(&json!({"space": "Desk 2.01", "start": tomorrow_at("12:00"), "end": "14:00"})),
        )
        .await
        .problem(409, "conflict");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("Desk 2.01 is already booked then"),
        "{p}"
    );
    let cases = [
        (
            json!({"space": "Desk 2.01", "start": tomorrow_at("14:00"), "end": tomorrow_at("13:00")}),
            "end",
            "after the start",
        ),
        (
            json!({"space": "Desk 2.01", "start": tomorrow_at("06:00"), "end": "21:00"}),
            "end",
            "at most 12 hours",
        ),
        (
            json!({"space": "Desk 2.01", "start": format!("{}T09:00", today().checked_add(20.days()).unwrap()), "end": "10:00"}),
            "start",
            "at most 14 days ahead",
        ),
        (
            json!({"space": "Desk 2.02", "start": tomorrow_at("14:00"), "end": "15:00"}),
            "space",
            "is assigned to",
        ),
        (
            json!({"space": "Desk 7.07", "start": tomorrow_at("14:00"), "end": "15:00"}),
            "space",
            "no space called",
        ),
        (
            json!({"space": "Desk 2.01", "start": "soon", "end": "15:00"}),
            "start",
            "is not a time",
        ),
    ];
    for (body, field, words) in cases {
        let p = app
            .api("post", "/api/v1/bookings", &staff.token, Some(&body))
            .await
            .problem(422, "validation_failed");
        assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
        assert!(
            p["errors"][0]["message"].as_str().unwrap().contains(words),
            "{body}: {p}"
        );
    }
    // Equipment is for the office, principals and assistants by default.
    let p = app
        .api(
            "post",
            "/api/v1/bookings",
            &staff.token,
            Some(&json!({"space": "Pool car", "start": tomorrow_at("14:00"), "end": "15:00"})),
        )
        .await
        .problem(403, "forbidden");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("equipment may be booked only by"),
        "{p}"
    );
    // The assigned desk's holder books it.
    let own = app
        .api(
            "post",
            "/api/v1/bookings",
            &principal.token,
            Some(&json!({"space": "Desk 2.02", "start": tomorrow_at("09:00"), "end": "17:00"})),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.body);

    // Check-in is not open yet; cancelling frees the desk, once.
    let p = app
        .api(
            "post",
            &format!("/api/v1/bookings/{bid}/check-in"),
            &staff.token,
            None,
        )
        .await
        .problem(422, "validation_failed");
    assert!(
        p.to_string()
            .contains("check-in opens 15 minutes before the start"),
        "{p}"
    );
    let c = app
        .api(
            "post",
            &format!("/api/v1/bookings/{bid}/cancel"),
            &staff.token,
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.json()["status"], "cancelled");
    app.api(
        "post",
        &format!("/api/v1/bookings/{bid}/cancel"),
        &staff.token,
        None,
    )
    .await
    .problem(409, "conflict");
    let again = app
        .api(
            "post",
            "/api/v1/bookings",
            &om.token,
            Some(&json!({"space": "Desk 2.01", "start": tomorrow_at("09:00"), "end": "13:00"})),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.body);

    // A weekly quota of 1 desk: the second booking in the same week is refused.
    let rule = app
        .api(
            "put",
            "/api/v1/booking-rules/desk",
            &om.token,
            Some(
                &json!({"roles": ["staff", "office_manager"], "max_minutes": 600, "max_days_ahead": 14,
                "quota_per_week": 1, "check_in": true, "release_after_minutes": 30}),
            ),
        )
        .await;
    assert_eq!(rule.status, 200, "{}", rule.body);
    let first = app
        .api(
            "post",
            "/api/v1/bookings",
            &staff.token,
            Some(&json!({"space": "Desk 2.01", "start": tomorrow_at("14:00"), "end": "17:00"})),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    // Tomorrow and the day after may fall in different weeks; book the same day again.
    let p = app
        .api(
            "post",
            "/api/v1/bookings",
            &staff.token,
            Some(&json!({"space": "Desk 2.01", "start": tomorrow_at("17:30"), "end": "18:00"})),
        )
        .await
        .problem(422, "validation_failed");
    assert!(p.to_string().contains("the limit is 1 a week"), "{p}");
    // The principal is no longer among those who may book desks.
    app.api(
        "post",
        "/api/v1/bookings",
        &principal.token,
        Some(&json!({"space": "Desk 2.02", "start": tomorrow_at("18:00"), "end": "19:00"})),
    )
    .await
    .problem(403, "forbidden");

    // A rule out of range names every field and changes nothing.
    let before = app
        .api("get", "/api/v1/booking-rules", &om.token, None)
        .await
        .json();
    let p = app
        .api(
            "put",
            "/api/v1/booking-rules/desk",
            &om.token,
            Some(&json!({"roles": [], "max_minutes": 5, "max_days_ahead": 999, "quota_per_week": 0, "check_in": true,
                "release_after_minutes": 1})),
        )
        .await
        .problem(422, "validation_failed");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "roles",
            "max_minutes",
            "max_days_ahead",
            "quota_per_week",
            "release_after_minutes"
        ]
    );
    app.api(
        "put",
        "/api/v1/booking-rules/desk",
        &om.token,
        Some(&json!({"roles": ["chef"], "max_minutes": 60,
        "max_days_ahead": 1, "check_in": false, "release_after_minutes": 15})),
    )
    .await
    .problem(422, "validation_failed");
    app.api(
        "put",
        "/api/v1/booking-rules/boat",
        &om.token,
        Some(&json!({"roles": ["staff"], "max_minutes": 60,
        "max_days_ahead": 1, "check_in": false, "release_after_minutes": 15})),
    )
    .await
    .problem(404, "not_found");
    assert_eq!(
        app.api("get", "/api/v1/booking-rules", &om.token, None)
            .await
            .json(),
        before
    );

    // A floor with desks on it stays.
    let p = app
        .api(
            "put",
            &format!("/api/v1/sites/{sid}"),
            &om.token,
            Some(&json!({"name": "Amsterdam HQ", "floors": ["Ground floor"]})),
        )
        .await
        .problem(422, "validation_failed");
    assert!(p.to_string().contains("spaces are still on 2nd floor"), "{p}");

    // The day view and the CSV exports show the bookings.
    let day = app
        .api(
            "get",
            &format!("/api/v1/spaces?kind=desk&date={}", today().tomorrow().unwrap()),
            &staff.token,
            None,
        )
        .await
        .json();
    let d = day
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Desk 2.01")
        .unwrap();
    assert_eq!(d["bookings"].as_array().unwrap().len(), 2, "{d}");
    assert_eq!(d["site_name"], "Amsterdam HQ");
    let csv = app
        .api("get", "/api/v1/bookings?format=csv&mine=true", &staff.token, None)
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.content_type().starts_with("text/csv"),
        "{}",
        csv.content_type()
    );
    assert!(
        csv.body
            .starts_with("space,kind,person,title,start,end,when,status"),
        "{}",
        csv.body
    );
    assert_eq!(
        csv.body.lines().count(),
        2,
        "one open booking of the staff member: {}",
        csv.body
    );
    let spaces_csv = app
        .api("get", "/api/v1/spaces?format=csv", &staff.token, None)
        .await;
    assert!(
        spaces_csv.body.contains("Amsterdam HQ,2nd floor,desk,Desk 2.01"),
        "{}",
        spaces_csv.body
    );

    // Every change is in the audit log.
    let actions: Vec<String> = app.audit(n.id).await.iter().map(|e| e.action.clone()).collect();
    for a in [
        "site.create",
        "resource.create",
        "booking.create",
        "booking.cancel",
        "booking_rule.set",
    ] {
        assert!(actions.iter().any(|x| x == a), "no {a} in {actions:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_nobody_checks_into_is_released_and_the_desk_is_free_again() {
    let app = spawn_app().await;
    let n = &app.north;
    let staff = n.m(Role::Staff);
    let org = n.id;
    // Two bookings that started a minute ago: one is checked into, one not.
    let kept = booking(&app, org, staff.id).await;
    let idle = booking(&app, org, n.target.id).await;
    let c = app
        .api(
            "post",
            &format!("/api/v1/bookings/{kept}/check-in"),
            &staff.token,
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.json()["status"], "checked_in");
    app.api(
        "post",
        &format!("/api/v1/bookings/{kept}/check-in"),
        &staff.token,
        None,
    )
    .await
    .problem(422, "validation_failed");

    // Before the release time nothing happens; after it, only the idle one goes.
    assert!(
        space_ops::release_due(&app.state, now())
            .await
            .unwrap()
            .is_empty()
    );
    let later = now() + SignedDuration::from_mins(61);
    let released = space_ops::release_due(&app.state, later).await.unwrap();
    assert_eq!(released.iter().map(|b| b.id).collect::<Vec<_>>(), [idle]);
    assert_eq!(released[0].status, BookingStatus::Released);
    assert!(
        released[0]
            .end_note
            .contains("nobody checked in within 60 minutes"),
        "{:?}",
        released[0]
    );
    assert!(released[0].event.is_none(), "the event holding the desk is gone");
    assert!(
        space_ops::release_due(&app.state, later)
            .await
            .unwrap()
            .is_empty(),
        "released once"
    );

    // The released desk can be booked by someone else right away.
    let desk = app.state.store.booking_get(org, idle).await.unwrap().resource;
    let b = app
        .api(
            "post",
            "/api/v1/bookings",
            &staff.token,
            Some(&json!({"space": desk.to_string(), "start": now().to_string(), "end": (now() + SignedDuration::from_hours(1)).to_string()})),
        )
        .await;
    assert_eq!(b.status, 201, "{}", b.body);
    // The released one cannot be checked into; its audit entry names the system.
    let p = app
        .api(
            "post",
            &format!("/api/v1/bookings/{idle}/check-in"),
            &app.north.m(Role::OfficeManager).token,
            None,
        )
        .await
        .problem(422, "validation_failed");
    assert!(p.to_string().contains("was released"), "{p}");
    let audit = app.audit(org).await;
    let e = audit
        .iter()
        .find(|e| e.action == "booking.release")
        .expect("a release entry");
    assert_eq!(e.actor_label, "system");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_booked_as_a_space_is_a_meeting_in_the_bookers_agenda_and_desks_stay_out_of_find_a_time() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let staff = n.m(Role::Staff);
    let room = app
        .api(
            "post",
            "/api/v1/resources",
            &om.token,
            Some(&json!({"name": "Phone booth", "capacity": 1, "time_zone": "Europe/Amsterdam"})),
        )
        .await;
    assert_eq!(room.status, 201, "{}", room.body);
    assert_eq!(room.json()["kind"], "room");
    let d = desk(&app, n.id).await;
    let b = app
        .api("post", "/api/v1/bookings", &staff.token, Some(&json!({"space": "Phone booth", "start": tomorrow_at("10:00"), "end": "10:30", "title": "Call with the bank"})))
        .await;
    assert_eq!(b.status, 201, "{}", b.body);
    // The room booking is in the staff member's agenda; a desk booking is not.
    app.api(
        "post",
        "/api/v1/bookings",
        &staff.token,
        Some(&json!({"space": d.id.to_string(), "start": tomorrow_at("09:00"), "end": "17:00"})),
    )
    .await;
    let day = today().tomorrow().unwrap();
    let agenda = app
        .api(
            "get",
            &format!("/api/v1/agenda?from={day}&to={}", day.tomorrow().unwrap()),
            &staff.token,
            None,
        )
        .await;
    assert_eq!(agenda.status, 200, "{}", agenda.body);
    let titles: Vec<String> = agenda
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["summary"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(titles.contains(&"Call with the bank".to_string()), "{titles:?}");
    assert!(!titles.iter().any(|t| t.starts_with("Desk")), "{titles:?}");
    // Deleting the meeting from the calendar cancels the booking.
    let event = app
        .state
        .store
        .booking_get(n.id, b.json()["id"].as_str().unwrap().parse().unwrap())
        .await
        .unwrap()
        .event
        .unwrap();
    let del = app
        .api("delete", &format!("/api/v1/events/{event}"), &staff.token, None)
        .await;
    assert!(del.status / 100 == 2, "{}", del.body);
    let after = app
        .api(
            "get",
            &format!("/api/v1/bookings/{}", b.json()["id"].as_str().unwrap()),
            &staff.token,
            None,
        )
        .await
        .json();
    assert_eq!(after["status"], "cancelled", "{after}");
    assert_eq!(after["end_note"], "the calendar event was deleted");
}
