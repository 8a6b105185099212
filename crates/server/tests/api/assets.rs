//! The access matrix of assets, and their API flows: an office manager checks
//! a laptop out and in, staff and contractors see only their own equipment,
//! another organisation sees nothing, the overdue return shows on the office
//! dashboard, and bad input names its field and writes nothing.

use super::*;
use adjutant_core::office::asset::Action;
use adjutant_server::ops::assets::{self as asset_ops, AssetInput, AssignInput};
use adjutant_store::assets::EventDetails;
use jiff::ToSpan;

/// Office managers and administrators manage assets.
fn keepers(role: Role, ok: u16) -> Want {
    if matches!(role, Role::Admin | Role::OfficeManager) {
        Want::Is(ok)
    } else {
        Want::Is(403)
    }
}

/// A colleague's asset: managers act on it, others are refused; another organisation's is hidden.
fn managed(side: Side, role: Role, ok: u16) -> Option<Want> {
    match side {
        Side::Own => None,
        Side::Same => Some(keepers(role, ok)),
        Side::Other => Some(Want::Hidden),
    }
}

/// The expected rules of every asset route.
pub const MATRIX: &[Route] = &[
    Route {
        method: "get",
        path: "/api/v1/assets",
        public: false,
        // Same: the register; Own: `?mine=true`, which everyone may ask.
        want: |role, side| match side {
            Side::Same => Some(keepers(role, 200)),
            Side::Own => Some(Want::Is(200)),
            Side::Other => None,
        },
    },
    Route {
        method: "post",
        path: "/api/v1/assets",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/assets/due",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 200)),
    },
    Route {
        method: "get",
        path: "/api/v1/assets/{id}",
        public: false,
        // A colleague's asset does not exist for those who do not manage assets; one's own does.
        want: |role, side| {
            Some(match side {
                Side::Same if matches!(role, Role::Admin | Role::OfficeManager) => Want::Is(200),
                Side::Same => Want::Is(404),
                Side::Own => Want::Is(200),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "put",
        path: "/api/v1/assets/{id}",
        public: false,
        want: |role, side| managed(side, role, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/assets/{id}/assign",
        public: false,
        want: |role, side| managed(side, role, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/assets/{id}/checkout",
        public: false,
        want: |role, side| managed(side, role, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/assets/{id}/checkin",
        public: false,
        want: |role, side| managed(side, role, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/assets/{id}/maintain",
        public: false,
        want: |role, side| managed(side, role, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/assets/{id}/retire",
        public: false,
        want: |role, side| managed(side, role, 200),
    },
];

pub fn owns(route: &Route) -> bool {
    MATRIX
        .iter()
        .any(|r| r.method == route.method && r.path == route.path)
}

fn unique_tag() -> String {
    format!("T-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

/// A laptop registered by the system in `org`, handed to `holder` when given.
pub async fn asset(app: &App, org: OrgId, holder: Option<PersonId>) -> String {
    let a = asset_ops::create_asset(
        &app.state,
        &system(),
        org,
        &AssetInput {
            tag: unique_tag(),
            kind: "laptop".into(),
            model: Some("ThinkPad".into()),
            ..AssetInput::default()
        },
    )
    .await
    .unwrap();
    if let Some(p) = holder {
        let id = a.id.parse().unwrap();
        asset_ops::assign_asset(
            &app.state,
            &system(),
            org,
            id,
            &AssignInput {
                person: p.to_string(),
                ..AssignInput::default()
            },
        )
        .await
        .unwrap();
    }
    a.id
}

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
    let org = home.id;
    let with_id = |id: &str| route.path.replace("{id}", id);
    let mut body = None;
    let path = match (route.method, route.path) {
        ("get", "/api/v1/assets") => match side {
            Side::Own => {
                asset(app, org, Some(actor.id)).await;
                "/api/v1/assets?mine=true".into()
            }
            _ => route.path.to_string(),
        },
        ("get", "/api/v1/assets/due") => route.path.to_string(),
        ("post", "/api/v1/assets") => {
            body = Some(json!({"tag": unique_tag(), "kind": "monitor", "cost": "249.00", "currency": "EUR"}));
            route.path.to_string()
        }
        ("get", "/api/v1/assets/{id}") => {
            let holder = if side == Side::Own {
                actor.id
            } else {
                home.target.id
            };
            with_id(&asset(app, org, Some(holder)).await)
        }
        ("put", "/api/v1/assets/{id}") => {
            body = Some(json!({"tag": unique_tag(), "kind": "laptop", "location": "moved"}));
            with_id(&asset(app, org, None).await)
        }
        ("post", "/api/v1/assets/{id}/assign") => {
            body = Some(json!({"person": home.target.id.to_string()}));
            with_id(&asset(app, org, None).await)
        }
        ("post", "/api/v1/assets/{id}/checkout") => {
            let back = (now().to_zoned(jiff::tz::TimeZone::UTC).date() + 7.days()).to_string();
            body = Some(json!({"person": home.target.id.to_string(), "expected_return": back}));
            with_id(&asset(app, org, None).await)
        }
        ("post", "/api/v1/assets/{id}/checkin") => {
            body = Some(json!({"condition": "good"}));
            with_id(&asset(app, org, Some(home.target.id)).await)
        }
        ("post", "/api/v1/assets/{id}/maintain") => {
            body = Some(json!({"cost": "45.00", "note": "cleaned"}));
            with_id(&asset(app, org, None).await)
        }
        ("post", "/api/v1/assets/{id}/retire") => {
            body = Some(json!({"note": "matrix"}));
            with_id(&asset(app, org, None).await)
        }
        other => panic!("no preparation for {other:?}"),
    };
    (path, body, None)
}

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
    if (route.method, route.path) == ("get", "/api/v1/assets") {
        let theirs = app.state.store.asset_list(app.contoso.id).await.unwrap();
        for v in r.json().as_array().unwrap() {
            if theirs.iter().any(|t| t.id.to_string() == v["id"]) {
                fail(format!("lists another organisation's asset: {v}"));
            }
            if side == Side::Own && v["holder"]["id"] != actor.id.to_string() {
                fail(format!("?mine=true lists an asset someone else holds: {v}"));
            }
        }
        if side == Side::Own && r.json().as_array().unwrap().is_empty() {
            fail("?mine=true misses the actor's own asset".into());
        }
    }
}

// ---------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------

fn today() -> jiff::civil::Date {
    now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_manager_checks_out_a_laptop_and_checks_it_in() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let tom = n.m(Role::Staff);
    let priya = n.m(Role::Contractor);
    let made = app
        .api(
            "post",
            "/api/v1/assets",
            &om.token,
            Some(
                &json!({"tag": "NW-LT-0042", "kind": "laptop", "manufacturer": "Lenovo",
                "model": "ThinkPad X1 Carbon", "serial": "PF3ABC12", "purchased": "2025-01-31",
                "cost": "1899.00", "currency": "EUR", "warranty_end": "2028-01-31",
                "maintenance_months": 12, "location": "Amsterdam"}),
            ),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let a = made.json();
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(
        (a["status"].clone(), a["cost"]["display"].clone()),
        (json!("available"), json!("EUR 1,899.00"))
    );
    assert_eq!(a["next_maintenance"], "2026-01-31");

    // Staff cannot register assets or see the register; a contractor neither.
    for who in [tom, priya] {
        app.api(
            "post",
            "/api/v1/assets",
            &who.token,
            Some(&json!({"tag": "X-1", "kind": "phone"})),
        )
        .await
        .problem(403, "forbidden");
        app.api("get", "/api/v1/assets", &who.token, None)
            .await
            .problem(403, "forbidden");
    }

    // Checked out to Tom for a week.
    let back = (today() + 7.days()).to_string();
    let out = app
        .api(
            "post",
            &format!("/api/v1/assets/{id}/checkout"),
            &om.token,
            Some(&json!({"person": tom.email, "expected_return": back, "note": "trip to New York"})),
        )
        .await;
    assert_eq!(out.status, 200, "{}", out.body);
    let out = out.json();
    assert_eq!(out["asset"]["status"], "checked_out");
    assert_eq!(out["asset"]["holder"]["name"], tom.name);
    assert_eq!(out["entry"]["kind"], "checkout");

    // Tom sees it among his equipment, and it alone; Priya sees none of it.
    let mine = app
        .api("get", "/api/v1/assets?mine=true", &tom.token, None)
        .await
        .json();
    assert_eq!(ids_of(&mine, "id"), std::slice::from_ref(&id));
    let detail = app
        .api("get", &format!("/api/v1/assets/{id}"), &tom.token, None)
        .await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    let theirs = app
        .api("get", "/api/v1/assets?mine=true", &priya.token, None)
        .await
        .json();
    assert!(theirs.as_array().unwrap().is_empty(), "{theirs}");
    app.api("get", &format!("/api/v1/assets/{id}"), &priya.token, None)
        .await
        .problem(404, "not_found");
    // Another organisation's office manager: not found.
    let theirs_om = app.contoso.m(Role::OfficeManager);
    app.api("get", &format!("/api/v1/assets/{id}"), &theirs_om.token, None)
        .await
        .problem(404, "not_found");
    app.api(
        "post",
        &format!("/api/v1/assets/{id}/checkin"),
        &theirs_om.token,
        Some(&json!({"condition": "good"})),
    )
    .await
    .problem(404, "not_found");

    // Back damaged: in maintenance; the repair with its cost makes it available again.
    let back_in = app
        .api(
            "post",
            &format!("/api/v1/assets/{id}/checkin"),
            &om.token,
            Some(&json!({"condition": "damaged", "note": "dent in the lid"})),
        )
        .await
        .json();
    assert_eq!(back_in["asset"]["status"], "in_maintenance");
    assert_eq!(back_in["entry"]["person"]["name"], tom.name);
    assert!(
        app.api("get", "/api/v1/assets?mine=true", &tom.token, None)
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    app.api("get", &format!("/api/v1/assets/{id}"), &tom.token, None)
        .await
        .problem(404, "not_found");
    let fixed = app
        .api(
            "post",
            &format!("/api/v1/assets/{id}/maintain"),
            &om.token,
            Some(&json!({"cost": "85.50", "note": "lid replaced"})),
        )
        .await
        .json();
    assert_eq!(fixed["asset"]["status"], "available");
    assert_eq!(fixed["entry"]["cost"]["display"], "EUR 85.50");
    let detail = app
        .api("get", &format!("/api/v1/assets/{id}"), &om.token, None)
        .await
        .json();
    let kinds: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["maintain", "checkin", "checkout", "create"]);
    assert_eq!(detail["history"][1]["condition"], "damaged");
    let csv = app
        .api("get", &format!("/api/v1/assets/{id}?format=csv"), &om.token, None)
        .await;
    assert!(csv.body.starts_with("at,kind,person"), "{}", csv.body);
    assert!(csv.body.contains(",checkin,"), "{}", csv.body);

    // The register as CSV, filtered.
    let csv = app
        .api(
            "get",
            "/api/v1/assets?kind=laptop&q=thinkpad&format=csv",
            &om.token,
            None,
        )
        .await;
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        csv.body.starts_with("tag,kind,manufacturer,model"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("NW-LT-0042,laptop,Lenovo,ThinkPad X1 Carbon,PF3ABC12,available,,,,,damaged,2025-01-31,1899.00,EUR,,2028-01-31,,12,"),
        "{}",
        csv.body
    );
    let none = app
        .api("get", "/api/v1/assets?status=retired", &om.token, None)
        .await
        .json();
    assert!(none.as_array().unwrap().is_empty());

    // Retired: stays in the register, cannot go out again.
    let r = app
        .api(
            "post",
            &format!("/api/v1/assets/{id}/retire"),
            &om.token,
            Some(&json!({})),
        )
        .await
        .json();
    assert_eq!(r["asset"]["status"], "retired");
    let prob = app
        .api(
            "post",
            &format!("/api/v1/assets/{id}/assign"),
            &om.token,
            Some(&json!({"person": tom.email})),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(prob["errors"][0]["field"], "status");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_asset_input_names_the_field_and_stores_nothing() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let tom = n.m(Role::Staff);
    let ana = n.target.clone();
    let id = asset(&app, n.id, None).await;
    let tag = app
        .state
        .store
        .asset_get(n.id, id.parse().unwrap())
        .await
        .unwrap()
        .data
        .tag;
    let out = asset(&app, n.id, Some(tom.id)).await;
    let yesterday = (today() - 1.days()).to_string();
    let before = app.snapshot(n.id).await;
    let count = app.state.store.asset_list(n.id).await.unwrap().len();
    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "post",
            "/api/v1/assets".into(),
            json!({"tag": tag.to_lowercase(), "kind": "laptop"}),
            "tag",
        ),
        (
            "post",
            "/api/v1/assets".into(),
            json!({"tag": "NW 1", "kind": "laptop"}),
            "tag",
        ),
        (
            "post",
            "/api/v1/assets".into(),
            json!({"tag": "NW-2", "kind": "spaceship"}),
            "kind",
        ),
        (
            "post",
            "/api/v1/assets".into(),
            json!({"tag": "NW-3", "kind": "laptop", "cost": "10", "currency": "XYZ"}),
            "currency",
        ),
        (
            "post",
            "/api/v1/assets".into(),
            json!({"tag": "NW-4", "kind": "laptop", "cost": "1899.999"}),
            "cost",
        ),
        (
            "post",
            "/api/v1/assets".into(),
            json!({"tag": "NW-5", "kind": "laptop", "licence_expiry": "2027-01-01"}),
            "licence_expiry",
        ),
        (
            "post",
            "/api/v1/assets".into(),
            json!({"tag": "NW-6", "kind": "printer", "maintenance_months": 0}),
            "maintenance_months",
        ),
        (
            "post",
            "/api/v1/assets".into(),
            json!({"tag": "NW-7", "kind": "laptop", "purchased": "31/01/2025"}),
            "purchased",
        ),
        (
            "post",
            format!("/api/v1/assets/{id}/assign"),
            json!({"person": "nobody@northwind.example"}),
            "person",
        ),
        (
            "post",
            format!("/api/v1/assets/{id}/assign"),
            json!({"person": app.contoso.target.email}),
            "person",
        ),
        (
            "post",
            format!("/api/v1/assets/{id}/checkout"),
            json!({"person": tom.email, "expected_return": yesterday}),
            "expected_return",
        ),
        (
            "post",
            format!("/api/v1/assets/{out}/checkout"),
            json!({"person": ana.email, "expected_return": (today() + 3.days()).to_string()}),
            "status",
        ),
        (
            "post",
            format!("/api/v1/assets/{out}/assign"),
            json!({"person": ana.email}),
            "status",
        ),
        (
            "post",
            format!("/api/v1/assets/{id}/checkin"),
            json!({"condition": "good"}),
            "status",
        ),
        (
            "post",
            format!("/api/v1/assets/{out}/checkin"),
            json!({"condition": "soggy"}),
            "condition",
        ),
        (
            "post",
            format!("/api/v1/assets/{id}/maintain"),
            json!({"cost": "12.345"}),
            "cost",
        ),
        (
            "post",
            format!("/api/v1/assets/{id}/maintain"),
            json!({"on": (today() + 2.days()).to_string()}),
            "on",
        ),
        (
            "post",
            format!("/api/v1/assets/{out}/retire"),
            json!({}),
            "status",
        ),
    ];
    for (method, path, body, field) in cases {
        let r = app.api(method, &path, &om.token, Some(&body)).await;
        let prob = r.problem(422, "validation_failed");
        assert_eq!(prob["errors"][0]["field"], field, "{path} {body}: {prob}");
    }
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
    assert_eq!(app.state.store.asset_list(n.id).await.unwrap().len(), count);
    let held = app
        .state
        .store
        .asset_get(n.id, out.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(held.state.holder, Some(tom.id), "still with Tom");
    app.api("get", "/api/v1/assets?status=lost", &om.token, None)
        .await
        .problem(422, "validation_failed");
    app.api("get", "/api/v1/assets?format=xml", &om.token, None)
        .await
        .problem(422, "validation_failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_return_shows_in_what_is_due_and_on_the_office_dashboard() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let ben = n.target.clone();
    let cam = asset_ops::create_asset(
        &app.state,
        &system(),
        n.id,
        &AssetInput {
            tag: "NW-AV-0002".into(),
            kind: "camera".into(),
            manufacturer: Some("Sony".into()),
            model: Some("ZV-E10".into()),
            ..AssetInput::default()
        },
    )
    .await
    .unwrap();
    // Checked out ten days ago, expected back three days ago.
    let today = today();
    app.state
        .store
        .asset_act(
            n.id,
            cam.id.parse().unwrap(),
            &Action::Assign {
                to: ben.id,
                expected_return: Some(today - 3.days()),
            },
            today - 10.days(),
            &EventDetails::default(),
            &AuditCtx::system("test", now() - 240.hours()),
        )
        .await
        .unwrap();
    let due = app.api("get", "/api/v1/assets/due", &om.token, None).await.json();
    assert_eq!(due["items"][0]["alert"]["kind"], "return_overdue", "{due}");
    assert_eq!(due["items"][0]["alert"]["days_left"], -3);
    assert!(
        due["items"][0]["alert"]["text"]
            .as_str()
            .unwrap()
            .ends_with("is 3 days late.")
    );
    let overdue = app
        .api("get", "/api/v1/assets?status=overdue", &om.token, None)
        .await
        .json();
    assert_eq!(ids_of(&overdue, "id"), std::slice::from_ref(&cam.id));
    let csv = app
        .api("get", "/api/v1/assets/due?format=csv", &om.token, None)
        .await;
    assert!(
        csv.body.contains(",-3,return_overdue,NW-AV-0002,Sony ZV-E10,"),
        "{}",
        csv.body
    );

    let cookie = app.sign_in(&om.email).await;
    let page = app.page("/office", Some(&cookie)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("id=\"office-assets\""),
        "the dashboard has the asset card"
    );
    assert!(
        page.body.contains("NW-AV-0002") && page.body.contains("3 days late"),
        "{}",
        page.body
    );
    // The register page and the asset's page render, with the forms a manager needs.
    let list = app.page("/office/assets?status=overdue", Some(&cookie)).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("1 return is overdue"), "{}", list.body);
    let one = app
        .page(&format!("/office/assets/{}", cam.id), Some(&cookie))
        .await;
    assert!(one.body.contains("id=\"checkin-form\"") && one.body.contains("checked out"));

    // Staff are sent to their own equipment; the dashboard card is not theirs.
    let staff = app.sign_in(&n.m(Role::Staff).email).await;
    let r = app.page("/office/assets", Some(&staff)).await;
    assert_eq!((r.status, r.header("location")), (303, "/office/assets/mine"));
    let mine = app.page("/office/assets/mine", Some(&staff)).await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("You hold no equipment."), "{}", mine.body);
    let other = app
        .page(&format!("/office/assets/{}", cam.id), Some(&staff))
        .await;
    assert_eq!(other.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_forms_check_a_laptop_out_and_in() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let tom = n.m(Role::Staff);
    let cookie = app.sign_in(&om.email).await;
    let r = app
        .post_form(
            "/office/assets",
            Some(&cookie),
            &[
                ("tag", "NW-LT-0100"),
                ("kind", "laptop"),
                ("model", "XPS 13"),
                ("cost", "1599.00"),
                ("currency", "EUR"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.header("location");
    assert!(loc.contains("notice=asset-added"), "{loc}");
    let path = loc.split('?').next().unwrap().to_string();
    let back = (today() + 5.days()).to_string();
    let tom_id = tom.id.to_string();
    // A refused checkout comes back with the field named.
    let refused = app
        .post_form(
            &format!("{path}/checkout"),
            Some(&cookie),
            &[("person", tom_id.as_str()), ("expected_return", "")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("expected_return"), "{}", refused.body);
    let r = app
        .post_form(
            &format!("{path}/checkout"),
            Some(&cookie),
            &[
                ("person", tom_id.as_str()),
                ("expected_return", back.as_str()),
                ("note", "client visit"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.page(r.header("location"), Some(&cookie)).await;
    assert!(page.body.contains("Asset checked out."), "{}", page.body);
    assert!(page.body.contains(&format!("with {}", tom.name)), "{}", page.body);
    let tom_cookie = app.sign_in(&tom.email).await;
    let mine = app.page("/office/assets/mine", Some(&tom_cookie)).await;
    assert!(mine.body.contains("NW-LT-0100"), "{}", mine.body);
    let r = app
        .post_form(
            &format!("{path}/checkin"),
            Some(&cookie),
            &[("condition", "good")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.page(r.header("location"), Some(&cookie)).await;
    assert!(
        page.body.contains("Asset checked in.") && page.body.contains("available"),
        "{}",
        page.body
    );
    // Staff cannot post the forms.
    let r = app
        .post_form(&format!("{path}/retire"), Some(&tom_cookie), &[("note", "")])
        .await;
    assert_eq!(r.status, 403);
}
