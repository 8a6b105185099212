//! The access matrix of tasks, goals, plans, meetings and duties, and their
//! API flows: quick add, the matrix and commitments through delegation,
//! planning (dry run, apply, re-plan when the calendar changes, undo), a
//! meeting from seeded agenda to recap with files, the responsibility grid,
//! and bad input that names the field and writes nothing.

use super::*;
use adjutant_core::ids::{EventId, MeetingId, TaskId};
use adjutant_server::ops::duties::{self as duty_ops, DutyInput};
use adjutant_server::ops::meetings::{self as meeting_ops, AgendaItemInput, MeetingInput};
use adjutant_server::ops::tasks::{self as task_ops, GoalInput, TaskInput};
use adjutant_store::calendar::EventScope;

/// Whose item a cell is about, in which organisation.
fn owner_of(app: &App, actor: &Member, side: Side) -> (OrgId, PersonId) {
    match side {
        Side::Own => (app.north.id, actor.id),
        Side::Same => (app.north.id, app.north.target.id),
        Side::Other => (app.contoso.id, app.contoso.target.id),
    }
}

/// Lists about a person: one's own and a colleague's (contractors: only their own); another organisation's person is refused.
fn person_list(role: Role, side: Side) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(200),
        Side::Same if role == Role::Contractor => Want::Is(403),
        Side::Same => Want::Is(200),
        Side::Other => Want::Refused,
    })
}

/// Creating for oneself works; for a colleague nobody holds a delegation from, it is refused.
fn own_create(side: Side, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(ok),
        Side::Same => Want::Is(403),
        Side::Other => Want::Refused,
    })
}

/// An item of the actor's: theirs to read; a colleague's normal item readable but
/// contractors learn nothing; another organisation's hidden.
fn item_read(role: Role, side: Side) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(200),
        Side::Same if role == Role::Contractor => Want::Is(404),
        Side::Same => Want::Is(200),
        Side::Other => Want::Hidden,
    })
}

/// Changing an item: one's own; a colleague's is refused (contractors: not found).
fn item_write(role: Role, side: Side, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(ok),
        Side::Same if role == Role::Contractor => Want::Is(404),
        Side::Same => Want::Is(403),
        Side::Other => Want::Hidden,
    })
}

/// Plans are private to the person and their assistants: a colleague's is refused.
fn plan_list(side: Side, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(ok),
        Side::Same => Want::Is(403),
        Side::Other => Want::Refused,
    })
}

fn plan_item(side: Side, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(ok),
        Side::Same | Side::Other => Want::Hidden,
    })
}

fn managers(role: Role, ok: u16) -> Want {
    if matches!(
        role,
        Role::Admin | Role::OfficeManager | Role::Principal | Role::Assistant
    ) {
        Want::Is(ok)
    } else {
        Want::Is(403)
    }
}

/// Duties: the grid is organisation-wide (no "own" side except marking one's own duty done).
fn duty_item(side: Side, same: Want) -> Option<Want> {
    match side {
        Side::Own => None,
        Side::Same => Some(same),
        Side::Other => Some(Want::Hidden),
    }
}

/// The expected rules of every task, plan, meeting and duty route.
pub const MATRIX: &[Route] = &[
    Route {
        method: "get",
        path: "/api/v1/tasks",
        public: false,
        want: person_list,
    },
    Route {
        method: "post",
        path: "/api/v1/tasks",
        public: false,
        want: |_, side| own_create(side, 201),
    },
    Route {
        method: "post",
        path: "/api/v1/tasks/quick",
        public: false,
        want: |_, side| own_create(side, 201),
    },
    Route {
        method: "get",
        path: "/api/v1/tasks/{id}",
        public: false,
        want: item_read,
    },
    Route {
        method: "patch",
        path: "/api/v1/tasks/{id}",
        public: false,
        want: |role, side| item_write(role, side, 200),
    },
    Route {
        method: "delete",
        path: "/api/v1/tasks/{id}",
        public: false,
        want: |role, side| item_write(role, side, 204),
    },
    Route {
        method: "post",
        path: "/api/v1/tasks/{id}/done",
        public: false,
        want: |role, side| item_write(role, side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/tasks/{id}/move",
        public: false,
        want: |role, side| item_write(role, side, 200),
    },
    Route {
        method: "get",
        path: "/api/v1/matrix",
        public: false,
        want: person_list,
    },
    Route {
        method: "get",
        path: "/api/v1/commitments",
        public: false,
        want: person_list,
    },
    Route {
        method: "get",
        path: "/api/v1/goals",
        public: false,
        want: person_list,
    },
    Route {
        method: "post",
        path: "/api/v1/goals",
        public: false,
        want: |_, side| own_create(side, 201),
    },
    Route {
        method: "put",
        path: "/api/v1/goals/{id}",
        public: false,
        want: |_, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same | Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/plans/preview",
        public: false,
        want: |_, side| plan_list(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/plans",
        public: false,
        want: |_, side| plan_list(side, 201),
    },
    Route {
        method: "get",
        path: "/api/v1/plans",
        public: false,
        want: |_, side| plan_list(side, 200),
    },
    Route {
        method: "get",
        path: "/api/v1/plans/{id}",
        public: false,
        want: |_, side| plan_item(side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/plans/{id}/undo",
        public: false,
        want: |_, side| plan_item(side, 200),
    },
    Route {
        method: "get",
        path: "/api/v1/meetings",
        public: false,
        // Contractors may ask, and see only meetings they attend.
        want: |_, side| {
            Some(match side {
                Side::Other => Want::Refused,
                _ => Want::Is(200),
            })
        },
    },
    Route {
        method: "post",
        path: "/api/v1/meetings",
        public: false,
        want: |role, side| item_write(role, side, 200),
    },
    Route {
        method: "get",
        path: "/api/v1/meetings/{id}",
        public: false,
        want: item_read,
    },
    Route {
        method: "patch",
        path: "/api/v1/meetings/{id}",
        public: false,
        want: |role, side| item_write(role, side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/meetings/{id}/seed",
        public: false,
        want: |role, side| item_write(role, side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/meetings/{id}/actions",
        public: false,
        want: |role, side| item_write(role, side, 201),
    },
    Route {
        method: "get",
        path: "/api/v1/meetings/{id}/recap",
        public: false,
        want: item_read,
    },
    Route {
        method: "post",
        path: "/api/v1/meetings/{id}/materials",
        public: false,
        want: |role, side| item_write(role, side, 201),
    },
    Route {
        method: "get",
        path: "/api/v1/materials/{id}",
        public: false,
        want: item_read,
    },
    Route {
        method: "delete",
        path: "/api/v1/materials/{id}",
        public: false,
        want: |role, side| item_write(role, side, 204),
    },
    Route {
        method: "get",
        path: "/api/v1/duties",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/duties",
        public: false,
        want: |role, side| (side == Side::Same).then(|| managers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/duties/{id}",
        public: false,
        want: |role, side| duty_item(side, readers(role, 200)),
    },
    Route {
        method: "put",
        path: "/api/v1/duties/{id}",
        public: false,
        want: |role, side| duty_item(side, managers(role, 200)),
    },
    Route {
        method: "delete",
        path: "/api/v1/duties/{id}",
        public: false,
        want: |role, side| duty_item(side, managers(role, 204)),
    },
    Route {
        method: "post",
        path: "/api/v1/duties/{id}/done",
        public: false,
        // Its owner marks their own duty done; for a colleague's, only those who manage duties.
        want: |role, side| {
            Some(match side {
                Side::Own => readers(role, 201),
                Side::Same => managers(role, 201),
                Side::Other => Want::Hidden,
            })
        },
    },
];

fn readers(role: Role, ok: u16) -> Want {
    if role == Role::Contractor {
        Want::Is(403)
    } else {
        Want::Is(ok)
    }
}

/// Whether a route belongs to this module's matrix.
pub fn owns(route: &Route) -> bool {
    MATRIX
        .iter()
        .any(|r| r.method == route.method && r.path == route.path)
}

pub async fn task(app: &App, org: OrgId, owner: PersonId, title: &str) -> adjutant_store::tasks::TaskRecord {
    task_ops::create_task(
        &app.state,
        &system(),
        org,
        &TaskInput {
            title: title.into(),
            owner: Some(owner.to_string()),
            estimate_minutes: Some(60),
            ..TaskInput::default()
        },
    )
    .await
    .unwrap()
}

async fn meeting(app: &App, org: &Org, owner: PersonId) -> MeetingId {
    let e = super::calendar::event(app, org, owner, &[], "2027-03-01T10:00").await;
    let m = meeting_ops::open_meeting(&app.state, &system(), org.id, e.id, None)
        .await
        .unwrap();
    meeting_ops::update_meeting(
        &app.state,
        &system(),
        org.id,
        m.id,
        &MeetingInput {
            agenda: Some(vec![AgendaItemInput {
                id: Some("i1".into()),
                title: "Budget".into(),
                owner: None,
                minutes: Some(10),
                notes: None,
                status: None,
            }]),
            ..MeetingInput::default()
        },
    )
    .await
    .unwrap();
    m.id
}

async fn duty(app: &App, org: OrgId, owner: PersonId) -> String {
    duty_ops::create_duty(
        &app.state,
        &system(),
        org,
        &DutyInput {
            title: format!("Approve invoices {}", uuid::Uuid::new_v4().simple()),
            description: None,
            area: Some("finance".into()),
            owner: Some(owner.to_string()),
            backup: None,
            cadence: "FREQ=WEEKLY;BYDAY=TU".into(),
            anchor: "2026-01-06".into(),
            estimate_minutes: 30,
        },
    )
    .await
    .unwrap()
    .id
    .to_string()
}

const PDF: &str = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

pub async fn prepare(
    app: &App,
    route: &Route,
    actor: &Member,
    side: Side,
) -> (String, Option<Value>, Option<super::calendar::Raw>) {
    let home = if side == Side::Other {
        &app.contoso
    } else {
        &app.north
    };
    let (org, owner) = owner_of(app, actor, side);
    let with_id = |id: &str| route.path.replace("{id}", id);
    let mut body = None;
    let mut raw = None;
    let path = match (route.method, route.path) {
        ("get", "/api/v1/tasks" | "/api/v1/matrix" | "/api/v1/commitments" | "/api/v1/goals")
        | ("get", "/api/v1/plans/preview" | "/api/v1/plans" | "/api/v1/meetings") => {
            format!("{}?person={owner}", route.path)
        }
        ("post", "/api/v1/tasks") => {
            body = Some(match side {
                Side::Own => json!({"title": "Mine", "due": "2027-03-05", "estimate_minutes": 30}),
                _ => json!({"title": "Theirs", "owner": owner.to_string()}),
            });
            route.path.to_string()
        }
        ("post", "/api/v1/tasks/quick") => {
            body = Some(match side {
                Side::Own => json!({"text": "call the bank tomorrow 15:00 !high ~30m"}),
                _ => json!({"text": "call the bank", "owner": owner.to_string()}),
            });
            route.path.to_string()
        }
        ("get" | "delete", "/api/v1/tasks/{id}") | ("post", "/api/v1/tasks/{id}/done") => {
            with_id(&task(app, org, owner, "Matrix task").await.id.to_string())
        }
        ("patch", "/api/v1/tasks/{id}") => {
            body = Some(json!({"title": "Changed", "impact": 5}));
            with_id(&task(app, org, owner, "Matrix task").await.id.to_string())
        }
        ("post", "/api/v1/tasks/{id}/move") => {
            body = Some(json!({"quadrant": "do_now"}));
            with_id(&task(app, org, owner, "Matrix task").await.id.to_string())
        }
        ("post", "/api/v1/goals") => {
            body = Some(match side {
                Side::Own => json!({"title": "Mine", "starts_on": "2027-01-01", "ends_on": "2027-06-30"}),
                _ => {
                    json!({"title": "Theirs", "owner": owner.to_string(), "starts_on": "2027-01-01", "ends_on": "2027-06-30"})
                }
            });
            route.path.to_string()
        }
        ("put", "/api/v1/goals/{id}") => {
            let g = task_ops::create_goal(
                &app.state,
                &system(),
                org,
                &GoalInput {
                    title: "Goal".into(),
                    description: None,
                    owner: Some(owner.to_string()),
                    starts_on: "2027-01-01".into(),
                    ends_on: "2027-06-30".into(),
                    status: None,
                },
            )
            .await
            .unwrap();
            body = Some(json!({"title": "Renamed", "starts_on": "2027-01-01", "ends_on": "2027-03-31"}));
            with_id(&g.id.to_string())
        }
        ("post", "/api/v1/plans") => {
            body = Some(match side {
                Side::Own => json!({"days": 7}),
                _ => json!({"days": 7, "person": owner.to_string()}),
            });
            route.path.to_string()
        }
        ("get", "/api/v1/plans/{id}") | ("post", "/api/v1/plans/{id}/undo") => {
            let now = now();
            let p = app
                .state
                .store
                .plan_apply(
                    org,
                    owner,
                    adjutant_core::calendar::TimeRange {
                        start: now,
                        end: now + jiff::SignedDuration::from_hours(24),
                    },
                    &json!({}),
                    &[],
                    &system().audit(now),
                )
                .await
                .unwrap();
            with_id(&p.id.to_string())
        }
        ("post", "/api/v1/meetings") => {
            let e = super::calendar::event(app, home, owner, &[], "2027-03-01T10:00").await;
            body = Some(json!({"event": e.id.to_string()}));
            route.path.to_string()
        }
        ("get" | "patch", "/api/v1/meetings/{id}")
        | ("post", "/api/v1/meetings/{id}/seed")
        | ("get", "/api/v1/meetings/{id}/recap") => {
            if route.method == "patch" {
                body = Some(json!({"minutes": "Quorum present."}));
            }
            with_id(&meeting(app, home, owner).await.to_string())
        }
        ("post", "/api/v1/meetings/{id}/actions") => {
            body = Some(
                json!({"actions": [{"title": "Send the letter", "owner": actor.id.to_string(), "due": "2027-03-05"}]}),
            );
            with_id(&meeting(app, home, owner).await.to_string())
        }
        ("post", "/api/v1/meetings/{id}/materials") => {
            raw = Some(super::calendar::Raw {
                content_type: "application/pdf",
                body: PDF.into(),
            });
            format!(
                "{}?item=i1&filename=pack.pdf",
                with_id(&meeting(app, home, owner).await.to_string())
            )
        }
        ("get" | "delete", "/api/v1/materials/{id}") => {
            let m = meeting(app, home, owner).await;
            let f =
                meeting_ops::upload_material(&app.state, &system(), org, m, "i1", "pack.pdf", PDF.as_bytes())
                    .await
                    .unwrap();
            with_id(&f.id.to_string())
        }
        ("get", "/api/v1/duties") => route.path.to_string(),
        ("post", "/api/v1/duties") => {
            body = Some(
                json!({"title": format!("Order coffee {}", uuid::Uuid::new_v4().simple()),
                "owner": home.m(Role::OfficeManager).id.to_string(), "cadence": "FREQ=MONTHLY;BYMONTHDAY=1",
                "anchor": "2027-01-01", "estimate_minutes": 20}),
            );
            route.path.to_string()
        }
        ("get" | "delete", "/api/v1/duties/{id}") => with_id(&duty(app, org, owner).await),
        ("put", "/api/v1/duties/{id}") => {
            body = Some(
                json!({"title": "Renamed duty", "owner": owner.to_string(), "cadence": "FREQ=WEEKLY;BYDAY=WE",
                "anchor": "2026-01-07", "estimate_minutes": 15}),
            );
            with_id(&duty(app, org, owner).await)
        }
        ("post", "/api/v1/duties/{id}/done") => {
            body = Some(json!({}));
            with_id(&duty(app, org, owner).await)
        }
        other => panic!("no preparation for {other:?}"),
    };
    (path, body, raw)
}

/// What a successful answer must (not) contain.
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
        ("post", "/api/v1/tasks" | "/api/v1/tasks/quick") => {
            let v = r.json();
            let t = if route.path.ends_with("quick") {
                &v["task"]
            } else {
                &v
            };
            if t["owner"]["id"] != actor.id.to_string() {
                fail(format!("the task is not the actor's: {t}"));
            }
        }
        ("get", "/api/v1/tasks") if side == Side::Same => {
            for t in r.json().as_array().unwrap() {
                if t["owner"]["id"] != app.north.target.id.to_string()
                    && t["delegated_to"]["id"] != app.north.target.id.to_string()
                {
                    fail(format!("lists a task of someone else: {t}"));
                }
            }
        }
        ("post", "/api/v1/meetings/{id}/actions") => {
            let list = r.json();
            let id: TaskId = list[0]["id"].as_str().unwrap().parse().unwrap();
            let owner = app
                .state
                .store
                .task_get(app.north.id, id)
                .await
                .map(|t| t.data.owner);
            if owner.ok() != Some(actor.id) {
                fail("the action item is not the named owner's task".into());
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------

/// Grants `principal` → `assistant` the tasks scope with `act`.
async fn tasks_delegation(app: &App) {
    let n = &app.north;
    ops::grant_delegation(
        &app.state,
        &system(),
        n.id,
        &DelegationInput {
            principal: n.m(Role::Principal).id.to_string(),
            delegate: n.m(Role::Assistant).id.to_string(),
            scopes: vec!["tasks".into(), "calendar".into()],
            level: "act".into(),
        },
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_add_matrix_and_commitments_through_delegation() {
    let app = spawn_app().await;
    tasks_delegation(&app).await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let a = n.m(Role::Assistant);
    let staff = n.m(Role::Staff);
    let r = app
        .api(
            "post",
            "/api/v1/tasks/quick",
            &p.token,
            Some(&json!({"text": "call Anna about the lease tomorrow 15:00 !high #board ~30m ~3x"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    assert_eq!(v["task"]["title"], "call Anna about the lease ~3x", "{v}");
    assert_eq!(v["task"]["impact"], 4);
    assert_eq!(v["task"]["tags"], json!(["board"]));
    assert_eq!(v["task"]["estimate_minutes"], 30);
    assert_eq!(v["task"]["due"]["time"], "15:00:00");
    assert_eq!(v["not_understood"][0]["text"], "~3x", "{v}");
    let call = v["task"]["id"].as_str().unwrap().to_string();

    // The assistant, acting for the principal, delegates a task to a colleague and moves another.
    let act = |t: &str| ("x-act-for", t.to_string());
    let made = app
        .call(
            "post",
            "/api/v1/tasks",
            &[
                ("authorization", format!("Bearer {}", a.token)),
                act(&p.id.to_string()),
            ],
            Some(
                &json!({"title": "Collect the signed NDA", "delegated_to": staff.email, "due": "2027-03-05",
                "needs_decision": false}),
            ),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.json()["owner"]["id"], p.id.to_string());
    let moved = app
        .call(
            "post",
            &format!("/api/v1/tasks/{call}/move"),
            &[
                ("authorization", format!("Bearer {}", a.token)),
                act(&p.id.to_string()),
            ],
            Some(&json!({"quadrant": "delegate"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(
        (moved.json()["quadrant"].clone(), moved.json()["impact"].clone()),
        (json!("delegate"), json!(2))
    );
    let audit = app.audit(n.id).await;
    let e = audit.iter().find(|e| e.action == "task.move").unwrap();
    assert_eq!(
        (e.actor, e.on_behalf_of),
        (Some(a.id), Some(p.id)),
        "audited as the assistant for the principal"
    );
    // A colleague without a delegation may not move the principal's task.
    let refused = app
        .api(
            "post",
            &format!("/api/v1/tasks/{call}/move"),
            &staff.token,
            Some(&json!({"quadrant": "drop"})),
        )
        .await;
    refused.problem(403, "forbidden");

    let matrix = app.api("get", "/api/v1/matrix", &p.token, None).await.json();
    assert_eq!(matrix["delegate"][0]["id"], call, "{matrix}");
    // Commitments: the principal is owed the NDA, the colleague owes it.
    let owed = app.api("get", "/api/v1/commitments", &p.token, None).await.json();
    assert_eq!(
        owed["owed"][0]["task"]["title"], "Collect the signed NDA",
        "{owed}"
    );
    assert_eq!(owed["owed"][0]["counterpart"]["id"], staff.id.to_string());
    let owes = app
        .api("get", "/api/v1/commitments", &staff.token, None)
        .await
        .json();
    assert_eq!(owes["owes"][0]["kind"], "delegated", "{owes}");
    // The one who does it marks it done, but may not hand it on.
    let nda = made.json()["id"].as_str().unwrap().to_string();
    let handoff = app
        .api(
            "patch",
            &format!("/api/v1/tasks/{nda}"),
            &staff.token,
            Some(&json!({"delegated_to": p.email})),
        )
        .await;
    handoff.problem(403, "forbidden");
    let done = app
        .api("post", &format!("/api/v1/tasks/{nda}/done"), &staff.token, None)
        .await;
    assert_eq!(done.json()["task"]["status"], "done", "{}", done.body);

    // A repeating task comes back when done.
    let weekly = app
        .api(
            "post",
            "/api/v1/tasks",
            &p.token,
            Some(
                &json!({"title": "Approve expenses", "due": "2026-11-30", "repeat": "FREQ=WEEKLY;BYDAY=MO"}),
            ),
        )
        .await;
    let wid = weekly.json()["id"].as_str().unwrap().to_string();
    let d = app
        .api("post", &format!("/api/v1/tasks/{wid}/done"), &p.token, None)
        .await
        .json();
    assert_eq!(d["next"]["title"], "Approve expenses", "{d}");
    assert!(d["next"]["due"]["date"].as_str().unwrap() > "2026-11-30");

    // A contractor sees only what is shared with them.
    let c = n.m(Role::Contractor);
    let venue = app
        .api(
            "post",
            "/api/v1/tasks",
            &a.token,
            Some(&json!({"title": "Research an offsite venue", "shared_with": [c.id.to_string()]})),
        )
        .await;
    assert_eq!(venue.status, 201, "{}", venue.body);
    let list = app.api("get", "/api/v1/tasks", &c.token, None).await.json();
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Research an offsite venue"]);
    app.api("get", &format!("/api/v1/tasks/{call}"), &c.token, None)
        .await
        .problem(404, "not_found");
    app.api("get", &format!("/api/v1/matrix?person={}", p.id), &c.token, None)
        .await
        .problem(403, "forbidden");
    // A private task of the principal shows to a colleague only as existing.
    let private = app
        .api(
            "post",
            "/api/v1/tasks",
            &p.token,
            Some(&json!({"title": "Dentist", "visibility": "private"})),
        )
        .await;
    let pid = private.json()["id"].as_str().unwrap().to_string();
    let seen = app
        .api("get", &format!("/api/v1/tasks/{pid}"), &staff.token, None)
        .await
        .json();
    assert_eq!(
        (seen["title"].clone(), seen["redacted"].clone()),
        (json!("Private task"), json!(true))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_task_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let first = app
        .api(
            "post",
            "/api/v1/tasks",
            &p.token,
            Some(&json!({"title": "First"})),
        )
        .await;
    let first_id = first.json()["id"].as_str().unwrap().to_string();
    let second = app
        .api(
            "post",
            "/api/v1/tasks",
            &p.token,
            Some(&json!({"title": "Second", "depends_on": [first_id]})),
        )
        .await;
    let second_id = second.json()["id"].as_str().unwrap().to_string();
    let before = app.snapshot(n.id).await;
    let foreign = app.contoso.m(Role::Staff).id.to_string();
    for (body, field) in [
        (json!({"title": "x", "estimate_minutes": 0}), "estimate_minutes"),
        (
            json!({"title": "x", "estimate_minutes": 20000}),
            "estimate_minutes",
        ),
        (
            json!({"title": "x", "start": "2027-03-10", "due": "2027-03-09"}),
            "due",
        ),
        (json!({"title": "x", "impact": 9}), "impact"),
        (json!({"title": "x", "due": "next tuesday"}), "due"),
        (json!({"title": "x", "delegated_to": foreign}), "delegated_to"),
        (
            json!({"title": "x", "goal": uuid::Uuid::new_v4().to_string()}),
            "goal",
        ),
        (
            json!({"title": "x", "depends_on": [uuid::Uuid::new_v4().to_string()]}),
            "depends_on",
        ),
        (json!({"title": "   "}), "title"),
        (json!({"title": "x", "repeat": "FREQ=MINUTELY"}), "repeat"),
    ] {
        let r = app.api("post", "/api/v1/tasks", &p.token, Some(&body)).await;
        let prob = r.problem(422, "validation_failed");
        assert!(
            prob["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{body} should name {field}: {prob}"
        );
    }
    // A dependency cycle names the tasks.
    let cycle = app
        .api(
            "patch",
            &format!("/api/v1/tasks/{first_id}"),
            &p.token,
            Some(&json!({"depends_on": [second_id]})),
        )
        .await;
    let prob = cycle.problem(422, "validation_failed");
    assert!(prob["detail"].as_str().unwrap().contains("cycle"), "{prob}");
    assert!(prob["detail"].as_str().unwrap().contains("‘Second’"), "{prob}");
    // Unknown fields and a quadrant that does not exist.
    app.api(
        "post",
        "/api/v1/tasks",
        &p.token,
        Some(&json!({"title": "x", "colour": "red"})),
    )
    .await
    .problem(422, "invalid_body");
    app.api(
        "post",
        &format!("/api/v1/tasks/{first_id}/move"),
        &p.token,
        Some(&json!({"quadrant": "later"})),
    )
    .await
    .problem(422, "validation_failed");
    // Quick add keeps what it does not understand, but blank text is refused.
    app.api(
        "post",
        "/api/v1/tasks/quick",
        &p.token,
        Some(&json!({"text": "  "})),
    )
    .await
    .problem(422, "validation_failed");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
}

/// The principal's working hours in Amsterdam, every weekday, and nothing else.
async fn principal_setup(app: &App) -> (Member, Vec<String>) {
    let n = &app.north;
    let p = n.m(Role::Principal).clone();
    app.state
        .store
        .person_update(
            n.id,
            p.id,
            &adjutant_store::PersonPatch {
                time_zone: Some("Europe/Amsterdam".into()),
                ..Default::default()
            },
            &system().audit(now()),
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (title, est, due) in [
        ("Draft the board pack", 240, "2027-12-31"),
        ("Review the budget", 90, ""),
        ("Read the audit report", 60, ""),
    ] {
        let mut body = json!({"title": title, "estimate_minutes": est, "impact": 4});
        if !due.is_empty() {
            body["due"] = json!(due);
        }
        let r = app.api("post", "/api/v1/tasks", &p.token, Some(&body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    (p, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_preview_apply_replan_and_undo() {
    let app = spawn_app().await;
    let n = &app.north;
    let (p, ids) = principal_setup(&app).await;
    let before_events = app
        .state
        .store
        .events_in_range(
            n.id,
            &EventScope::Person(p.id),
            adjutant_core::calendar::TimeRange {
                start: now(),
                end: now() + jiff::SignedDuration::from_hours(24 * 30),
            },
        )
        .await
        .unwrap()
        .len();
    let preview = app
        .api("get", "/api/v1/plans/preview?days=14", &p.token, None)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let v = preview.json();
    let blocks = v["blocks"].as_array().unwrap();
    let planned: i64 = v["planned_minutes"].as_i64().unwrap();
    assert_eq!(planned, 240 + 90 + 60, "{v}");
    assert!(
        blocks
            .iter()
            .all(|b| !b["reasons"].as_array().unwrap().is_empty()),
        "every block says why"
    );
    assert!(
        blocks.iter().any(|b| b["chunks"].as_u64().unwrap() > 1),
        "the 4-hour task is split"
    );
    // The dry run wrote nothing.
    assert!(
        app.state
            .store
            .plan_list(n.id, p.id, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let applied = app
        .api("post", "/api/v1/plans", &p.token, Some(&json!({"days": 14})))
        .await;
    assert_eq!(applied.status, 201, "{}", applied.body);
    let plan_id = applied.json()["id"].as_str().unwrap().to_string();
    let window = adjutant_core::calendar::TimeRange {
        start: now(),
        end: now() + jiff::SignedDuration::from_hours(24 * 30),
    };
    let with_blocks = app
        .state
        .store
        .events_in_range(n.id, &EventScope::Person(p.id), window)
        .await
        .unwrap();
    let task_blocks: Vec<_> = with_blocks.iter().filter(|e| e.plan.is_some()).collect();
    assert_eq!(task_blocks.len(), blocks.len());
    assert!(
        task_blocks
            .iter()
            .all(|e| e.data.category == adjutant_core::calendar::Category::Task)
    );

    // A meeting booked over the first block: the plan is re-planned around it.
    let first = task_blocks.iter().min_by_key(|e| e.starts_at).unwrap();
    let z = adjutant_core::calendar::Zone::parse("z", "Europe/Amsterdam").unwrap();
    let start = z.local(first.starts_at);
    let meeting = app
        .api(
            "post",
            "/api/v1/events",
            &p.token,
            Some(&json!({"summary": "Urgent call with the bank", "start": start.strftime("%Y-%m-%dT%H:%M").to_string(),
                "duration_minutes": 60, "time_zone": "Europe/Amsterdam"})),
        )
        .await;
    assert_eq!(meeting.status, 201, "{}", meeting.body);
    let after = app
        .state
        .store
        .events_in_range(n.id, &EventScope::Person(p.id), window)
        .await
        .unwrap();
    let bank = after
        .iter()
        .find(|e| e.data.summary == "Urgent call with the bank")
        .unwrap();
    let bank_range = adjutant_core::calendar::TimeRange {
        start: bank.starts_at,
        end: bank.ends_at.unwrap(),
    };
    for b in after.iter().filter(|e| e.plan.is_some()) {
        let r = adjutant_core::calendar::TimeRange {
            start: b.starts_at,
            end: b.ends_at.unwrap(),
        };
        assert!(
            !r.overlaps(&bank_range),
            "a block still clashes after the calendar changed: {}",
            b.data.summary
        );
    }
    assert!(
        app.audit(n.id)
            .await
            .iter()
            .any(|e| e.action == "plan.apply" && e.actor_label.starts_with("re-plan"))
    );
    let plans = app.api("get", "/api/v1/plans", &p.token, None).await.json();
    assert_eq!(plans[0]["status"], "applied");
    assert_eq!(plans[1]["id"], plan_id);
    assert_eq!(plans[1]["status"], "superseded");

    // Undo the re-plan, then the first plan: the calendar is as it was.
    let newest = plans[0]["id"].as_str().unwrap().to_string();
    let u = app
        .api("post", &format!("/api/v1/plans/{newest}/undo"), &p.token, None)
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    app.api("post", &format!("/api/v1/plans/{newest}/undo"), &p.token, None)
        .await
        .problem(409, "conflict");
    let u = app
        .api("post", &format!("/api/v1/plans/{plan_id}/undo"), &p.token, None)
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    let end = app
        .state
        .store
        .events_in_range(n.id, &EventScope::Person(p.id), window)
        .await
        .unwrap();
    assert_eq!(end.iter().filter(|e| e.plan.is_some()).count(), 0);
    assert_eq!(end.len(), before_events + 1, "only the bank call remains");

    // Someone without a delegation cannot plan the principal's time; bad options name the field.
    let staff = n.m(Role::Staff);
    app.api(
        "get",
        &format!("/api/v1/plans/preview?person={}", p.id),
        &staff.token,
        None,
    )
    .await
    .problem(403, "forbidden");
    let bad = app
        .api(
            "get",
            "/api/v1/plans/preview?days=400&min_chunk_minutes=5",
            &p.token,
            None,
        )
        .await;
    let prob = bad.problem(422, "validation_failed");
    let fields: Vec<&str> = prob["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["days", "min_chunk_minutes"]);
    let _ = ids;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_from_seeded_agenda_to_recap() {
    let app = spawn_app().await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let om = n.m(Role::OfficeManager);
    let staff = n.m(Role::Staff);
    let board = |start: &str| {
        json!({"summary": "Board meeting", "start": start, "duration_minutes": 90, "time_zone": "Europe/Amsterdam",
            "attendees": [{"who": om.email}, {"who": staff.email}]})
    };
    // Last board meeting: an open point and an action item still open.
    let last = app
        .api(
            "post",
            "/api/v1/events",
            &p.token,
            Some(&board("2026-11-02T14:00")),
        )
        .await;
    assert_eq!(last.status, 201, "{}", last.body);
    let last_id = last.json()["id"].as_str().unwrap().to_string();
    let m1 = app
        .api(
            "post",
            "/api/v1/meetings",
            &p.token,
            Some(&json!({"event": last_id})),
        )
        .await;
    assert_eq!(m1.status, 200, "{}", m1.body);
    let m1_id = m1.json()["id"].as_str().unwrap().to_string();
    let upd = app
        .api(
            "patch",
            &format!("/api/v1/meetings/{m1_id}"),
            &p.token,
            Some(
                &json!({"agenda": [{"title": "Office move", "minutes": 20, "status": "deferred"},
                                    {"title": "Budget 2027", "minutes": 30, "status": "resolved"}],
                         "decisions": [{"text": "Approve the 2027 budget"}]}),
            ),
        )
        .await;
    assert_eq!(upd.status, 200, "{}", upd.body);
    let acts = app
        .api(
            "post",
            &format!("/api/v1/meetings/{m1_id}/actions"),
            &p.token,
            Some(&json!({"actions": [{"title": "Send the audit letter", "owner": om.email, "due": "2026-11-20"}]})),
        )
        .await;
    assert_eq!(acts.status, 201, "{}", acts.body);
    // A task tagged for the board.
    app.api(
        "post",
        "/api/v1/tasks/quick",
        &staff.token,
        Some(&json!({"text": "lease renewal options #board"})),
    )
    .await;

    // This month's board meeting: seeded from all of that.
    let next = app
        .api(
            "post",
            "/api/v1/events",
            &p.token,
            Some(&board("2027-03-01T14:00")),
        )
        .await;
    let next_id = next.json()["id"].as_str().unwrap().to_string();
    let m2 = app
        .api(
            "post",
            "/api/v1/meetings",
            &p.token,
            Some(&json!({"event": next_id})),
        )
        .await
        .json();
    let m2_id = m2["id"].as_str().unwrap().to_string();
    app.api(
        "patch",
        &format!("/api/v1/meetings/{m2_id}"),
        &p.token,
        Some(&json!({"tags": ["board"]})),
    )
    .await;
    let seeded = app
        .api("post", &format!("/api/v1/meetings/{m2_id}/seed"), &p.token, None)
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let s = seeded.json();
    let titles: Vec<&str> = s["meeting"]["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Follow up: Send the audit letter"), "{titles:?}");
    assert!(titles.contains(&"lease renewal options"), "{titles:?}");
    assert_eq!(
        s["added"], 2,
        "different events, so nothing is carried from the previous series: {titles:?}"
    );
    let again = app
        .api("post", &format!("/api/v1/meetings/{m2_id}/seed"), &p.token, None)
        .await
        .json();
    assert_eq!(again["added"], 0, "seeding twice adds nothing");

    // An attendee takes minutes and records an action item; it lands in its owner's list.
    let r = app
        .api(
            "post",
            &format!("/api/v1/meetings/{m2_id}/actions"),
            &staff.token,
            Some(&json!({"actions": [{"title": "Book the offsite venue", "owner": om.email, "due": "2027-03-10"}]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let om_tasks = app.api("get", "/api/v1/tasks", &om.token, None).await.json();
    assert!(
        om_tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["title"] == "Book the offsite venue" && t["from_meeting"] == m2_id)
    );
    let owed = app.api("get", "/api/v1/commitments", &p.token, None).await.json();
    assert!(
        owed["owed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["task"]["title"] == "Book the offsite venue" && c["kind"] == "action_item"),
        "the organiser is owed the action items of their meeting: {owed}"
    );
    let recap = app
        .api("get", &format!("/api/v1/meetings/{m2_id}/recap"), &p.token, None)
        .await
        .json();
    let md = recap["markdown"].as_str().unwrap();
    assert!(
        md.contains("| Book the offsite venue |") && md.contains("2027-03-10"),
        "{md}"
    );

    // Files: a PDF is kept byte for byte; a program is refused; too large is 413.
    let item = s["meeting"]["agenda"][0]["id"].as_str().unwrap().to_string();
    let upload = |name: &str, bytes: Vec<u8>| {
        app.request(
            "post",
            &format!("/api/v1/meetings/{m2_id}/materials?item={item}&filename={name}"),
        )
        .header("authorization", format!("Bearer {}", p.token))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(bytes)
    };
    let pdf = b"%PDF-1.7\n\x00\x01\xff binary".to_vec();
    let up = send(upload("pack.pdf", pdf.clone())).await;
    assert_eq!(up.status, 201, "{}", up.body);
    let fid = up.json()["id"].as_str().unwrap().to_string();
    let down = app
        .request("get", &format!("/api/v1/materials/{fid}"))
        .header("authorization", format!("Bearer {}", staff.token))
        .send()
        .await
        .unwrap();
    assert_eq!(down.headers()["content-type"], "application/pdf");
    assert!(
        down.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(down.bytes().await.unwrap().to_vec(), pdf);
    let before = app.snapshot(n.id).await;
    send(upload("setup.pdf", b"MZ\x90\x00 not a pdf".to_vec()))
        .await
        .problem(422, "validation_failed");
    send(upload(
        "big.pdf",
        vec![b'%'; adjutant_core::meetings::MAX_MATERIAL_BYTES + 1],
    ))
    .await
    .problem(413, "too_large");
    // Bad notes name the field.
    let bad = app
        .api(
            "patch",
            &format!("/api/v1/meetings/{m2_id}"),
            &p.token,
            Some(&json!({"agenda": [{"id": item, "title": "x", "minutes": 0}]})),
        )
        .await;
    let prob = bad.problem(422, "validation_failed");
    assert_eq!(prob["errors"][0]["field"], "agenda[0].minutes", "{prob}");
    let bad = app
        .api("post", &format!("/api/v1/meetings/{m2_id}/actions"), &p.token,
            Some(&json!({"actions": [{"title": "ok", "owner": om.email}, {"title": "x", "owner": "nobody@nowhere.example"}]})))
        .await;
    let prob = bad.problem(422, "validation_failed");
    assert_eq!(prob["errors"][0]["field"], "actions[1].owner", "{prob}");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
    // Someone who neither attends nor organises reads the notes but cannot write them.
    let admin = n.m(Role::Admin);
    assert_eq!(
        app.api("get", &format!("/api/v1/meetings/{m2_id}"), &admin.token, None)
            .await
            .status,
        200
    );
    app.api(
        "patch",
        &format!("/api/v1/meetings/{m2_id}"),
        &admin.token,
        Some(&json!({"minutes": "x"})),
    )
    .await
    .problem(403, "forbidden");
    let _: Option<EventId> = None;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duties_show_load_and_who_is_not_covered() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let staff = n.m(Role::Staff);
    let a = n.m(Role::Assistant);
    let mk = |title: &str, owner: &str, backup: Option<&str>| {
        json!({"title": title, "owner": owner, "backup": backup, "cadence": "FREQ=DAILY", "anchor": "2026-01-01",
            "estimate_minutes": 30, "area": "office"})
    };
    let covered = app
        .api(
            "post",
            "/api/v1/duties",
            &om.token,
            Some(&mk("Open the post", &staff.email, Some(&a.email))),
        )
        .await;
    assert_eq!(covered.status, 201, "{}", covered.body);
    let bare = app
        .api(
            "post",
            "/api/v1/duties",
            &om.token,
            Some(&mk("Water the plants", &staff.email, None)),
        )
        .await;
    assert_eq!(bare.status, 201, "{}", bare.body);
    // The owner is away for the next two weeks.
    let today = now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let ooo = json!({"zone": "UTC", "working_hours": {}, "out_of_office": [{"kind": "dates", "first": today.to_string(),
        "last": today.checked_add(jiff::Span::new().days(14)).unwrap().to_string()}]});
    let set = app
        .api(
            "put",
            &format!("/api/v1/people/{}/availability", staff.id),
            &staff.token,
            Some(&ooo),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let grid = app.api("get", "/api/v1/duties", &staff.token, None).await.json();
    let row = |title: &str| {
        grid["duties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["title"] == title)
            .unwrap()
            .clone()
    };
    let post = row("Open the post");
    assert_eq!(post["next_doer"]["id"], a.id.to_string(), "{post}");
    assert_eq!(post["cover"][0]["code"], "covered_by_backup");
    let plants = row("Water the plants");
    assert_eq!(
        (plants["problem"].clone(), plants["cover"][0]["code"].clone()),
        (json!(true), json!("uncovered"))
    );
    assert_eq!(grid["problems"], 1, "{grid}");
    let load = grid["loads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["person"]["id"] == a.id.to_string())
        .unwrap();
    assert!(load["covering_minutes"].as_i64().unwrap() > 0, "{load}");
    // The backup marks today's done; twice is refused; staff may not change the grid.
    let id = post["id"].as_str().unwrap();
    let done = app
        .api(
            "post",
            &format!("/api/v1/duties/{id}/done"),
            &a.token,
            Some(&json!({})),
        )
        .await;
    assert_eq!(done.status, 201, "{}", done.body);
    let due_on = done.json()["due_on"].as_str().unwrap().to_string();
    app.api(
        "post",
        &format!("/api/v1/duties/{id}/done"),
        &a.token,
        Some(&json!({"due_on": due_on})),
    )
    .await
    .problem(409, "conflict");
    app.api(
        "post",
        "/api/v1/duties",
        &staff.token,
        Some(&mk("x", &staff.email, None)),
    )
    .await
    .problem(403, "forbidden");
    let before = app.snapshot(n.id).await;
    let bad = app
        .api(
            "post",
            "/api/v1/duties",
            &om.token,
            Some(&json!({"title": "x", "owner": staff.email, "backup": staff.email,
            "cadence": "FREQ=HOURLY", "anchor": "2026-13-01", "estimate_minutes": 0})),
        )
        .await;
    bad.problem(422, "validation_failed");
    assert_eq!(app.snapshot(n.id).await, before);
}
