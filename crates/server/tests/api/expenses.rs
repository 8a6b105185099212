//! The access matrix of the expense routes, and their API flows: filing with a
//! receipt, a report submitted, rejected with a reason, approved and
//! reimbursed; an assistant filing for a principal; bad input (a 60 MB
//! receipt, a program named .pdf, too many decimals, an unknown currency, a
//! receipt missing above the policy's amount), each a 4xx naming the problem
//! with nothing stored.

use super::*;
use adjutant_core::ids::{ExpenseReportId, PersonId};
use adjutant_core::office::expense::{ExpenseData, ReportAction};
use adjutant_core::office::money::{Currency, Money};
use adjutant_store::expenses::NewReceipt;

const PDF: &[u8] = b"%PDF-1.4\n% a receipt\n";
const PDF_TEXT: &str = "%PDF-1.4\n% a matrix receipt\n";

/// Contractors are refused everything here.
fn staffed(role: Role, ok: Want) -> Want {
    if role == Role::Contractor {
        Want::Is(403)
    } else {
        ok
    }
}

fn approver(role: Role) -> bool {
    matches!(role, Role::Admin | Role::OfficeManager | Role::Principal)
}

/// One's own item: anyone but contractors.
fn own(side: Side, role: Role, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => staffed(role, Want::Is(ok)),
        Side::Same => unreachable!("own() is for the own side"),
        Side::Other => Want::Hidden,
    })
}

/// A colleague's submitted item: approvers read it, others do not know it exists.
fn colleague(role: Role, approvers: u16) -> Want {
    staffed(
        role,
        if approver(role) {
            Want::Is(approvers)
        } else {
            Want::Is(404)
        },
    )
}

/// The expected rules of every expense route.
pub const MATRIX: &[Route] = &[
    Route {
        method: "get",
        path: "/api/v1/expenses",
        public: false,
        want: |role, side| (side == Side::Same).then(|| staffed(role, Want::Is(200))),
    },
    Route {
        method: "post",
        path: "/api/v1/expenses",
        public: false,
        // Own: for oneself; Same: for a colleague nobody holds a delegation from; Other: for Contoso's person.
        want: |role, side| {
            Some(match side {
                Side::Own => staffed(role, Want::Is(201)),
                Side::Same => Want::Is(403),
                Side::Other => staffed(role, Want::Refused),
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/expenses/{id}",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(colleague(role, 200)),
            _ => own(side, role, 200),
        },
    },
    Route {
        method: "put",
        path: "/api/v1/expenses/{id}",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(colleague(role, 403)),
            _ => own(side, role, 200),
        },
    },
    Route {
        method: "delete",
        path: "/api/v1/expenses/{id}",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(colleague(role, 403)),
            _ => own(side, role, 204),
        },
    },
    Route {
        method: "put",
        path: "/api/v1/expenses/{id}/receipt",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(colleague(role, 403)),
            _ => own(side, role, 200),
        },
    },
    Route {
        method: "get",
        path: "/api/v1/expenses/{id}/receipt",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(colleague(role, 200)),
            _ => own(side, role, 200),
        },
    },
    Route {
        method: "get",
        path: "/api/v1/expense-reports",
        public: false,
        want: |role, side| (side == Side::Same).then(|| staffed(role, Want::Is(200))),
    },
    Route {
        method: "post",
        path: "/api/v1/expense-reports",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => staffed(role, Want::Is(201)),
                Side::Same => Want::Is(403),
                Side::Other => staffed(role, Want::Refused),
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/expense-reports/{id}",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(colleague(role, 200)),
            _ => own(side, role, 200),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/expense-reports/{id}/expenses",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(colleague(role, 403)),
            _ => own(side, role, 200),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/expense-reports/{id}/submit",
        public: false,
        // Same: a colleague's draft, which nobody else sees.
        want: |role, side| match side {
            Side::Same => Some(staffed(role, Want::Is(404))),
            _ => own(side, role, 200),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/expense-reports/{id}/approve",
        public: false,
        // Own: nobody approves their own report; Same: approvers do.
        want: |role, side| match side {
            Side::Own => Some(Want::Is(403)),
            Side::Same => Some(colleague(role, 200)),
            Side::Other => Some(Want::Hidden),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/expense-reports/{id}/reject",
        public: false,
        want: |role, side| match side {
            Side::Own => Some(Want::Is(403)),
            Side::Same => Some(colleague(role, 200)),
            Side::Other => Some(Want::Hidden),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/expense-reports/{id}/reimburse",
        public: false,
        want: |role, side| {
            let keeper = matches!(role, Role::Admin | Role::OfficeManager);
            Some(match side {
                Side::Own if keeper => Want::Is(200),
                Side::Own => Want::Is(403),
                Side::Same if keeper => Want::Is(200),
                Side::Same => colleague(role, 403),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/expense-policy",
        public: false,
        want: |role, side| (side == Side::Same).then(|| staffed(role, Want::Is(200))),
    },
    Route {
        method: "put",
        path: "/api/v1/expense-policy",
        public: false,
        want: |role, side| {
            (side == Side::Same).then_some(if matches!(role, Role::Admin | Role::OfficeManager) {
                Want::Is(200)
            } else {
                Want::Is(403)
            })
        },
    },
];

pub fn owns(route: &Route) -> bool {
    MATRIX
        .iter()
        .any(|r| r.method == route.method && r.path == route.path)
}

fn spend(merchant: &str, minor: i64) -> ExpenseData {
    ExpenseData {
        date: jiff::civil::date(2026, 11, 20),
        merchant: merchant.into(),
        category: "meals".into(),
        amount: Money::new(minor, Currency::eur()),
        project: String::new(),
        description: String::new(),
    }
}

/// An expense of `person` with a receipt, straight in the store.
async fn expense(app: &App, org: OrgId, person: PersonId) -> String {
    let r = NewReceipt {
        filename: "r.pdf",
        content_type: "application/pdf",
        sha256: "00",
        bytes: PDF,
    };
    app.state
        .store
        .expense_create(
            org,
            person,
            &spend("Matrix Café", 2_000),
            Some(&r),
            None,
            &AuditCtx::system("test", now()),
        )
        .await
        .unwrap()
        .id
        .to_string()
}

/// A report of `person` holding one expense, taken through `steps`.
async fn report(
    app: &App,
    org: OrgId,
    person: PersonId,
    steps: &[ReportAction],
) -> (ExpenseReportId, String) {
    let ctx = AuditCtx::system("test", now());
    let e: adjutant_core::ids::ExpenseId = expense(app, org, person).await.parse().unwrap();
    let r = app
        .state
        .store
        .report_create(org, person, "Matrix trip", &[e], &ctx)
        .await
        .unwrap();
    for s in steps {
        app.state
            .store
            .report_transition(org, r.id, *s, "matrix", &ctx)
            .await
            .unwrap();
    }
    (r.id, e.to_string())
}

pub async fn prepare(
    app: &App,
    route: &Route,
    actor: &Member,
    side: Side,
) -> (String, Option<Value>, Option<super::calendar::Raw>) {
    let (org, person) = match side {
        Side::Own => (app.north.id, actor.id),
        Side::Same => (app.north.id, app.north.target.id),
        Side::Other => (app.contoso.id, app.contoso.target.id),
    };
    let with_id = |id: &str| route.path.replace("{id}", id);
    let submitted = [ReportAction::Submit];
    let mut body = None;
    let mut raw = None;
    let path = match (route.method, route.path) {
        ("get", "/api/v1/expenses" | "/api/v1/expense-reports" | "/api/v1/expense-policy") => {
            route.path.to_string()
        }
        ("post", "/api/v1/expenses") => {
            let mut b = json!({"date": "2026-11-20", "merchant": "Matrix Café", "category": "meals", "amount": "12.00"});
            if side != Side::Own {
                b["person"] = json!(person.to_string());
            }
            body = Some(b);
            route.path.to_string()
        }
        ("post", "/api/v1/expense-reports") => {
            let mut b = json!({"title": "Matrix trip"});
            if side != Side::Own {
                b["person"] = json!(person.to_string());
            }
            body = Some(b);
            route.path.to_string()
        }
        ("get" | "put" | "delete", "/api/v1/expenses/{id}")
        | ("get" | "put", "/api/v1/expenses/{id}/receipt") => {
            // One's own loose; a colleague's in a submitted report (what approvers see).
            let id = if side == Side::Own {
                expense(app, org, person).await
            } else {
                report(app, org, person, &submitted).await.1
            };
            if route.method == "put" && route.path.ends_with("/receipt") {
                raw = Some(super::calendar::Raw {
                    content_type: "application/octet-stream",
                    body: PDF_TEXT.into(),
                });
                format!("{}?filename=scan.pdf", with_id(&id))
            } else {
                if route.method == "put" {
                    body = Some(
                        json!({"date": "2026-11-21", "merchant": "Changed", "category": "taxi", "amount": "9.00"}),
                    );
                }
                with_id(&id)
            }
        }
        ("get", "/api/v1/expense-reports/{id}") => {
            let steps: &[ReportAction] = if side == Side::Own { &[] } else { &submitted };
            with_id(&report(app, org, person, steps).await.0.to_string())
        }
        ("post", "/api/v1/expense-reports/{id}/expenses") => {
            let steps: &[ReportAction] = if side == Side::Own { &[] } else { &submitted };
            let (r, _) = report(app, org, person, steps).await;
            body = Some(json!({"add": [expense(app, org, person).await]}));
            with_id(&r.to_string())
        }
        ("post", "/api/v1/expense-reports/{id}/submit") => {
            with_id(&report(app, org, person, &[]).await.0.to_string())
        }
        ("post", "/api/v1/expense-reports/{id}/approve" | "/api/v1/expense-reports/{id}/reject") => {
            body = Some(json!({"note": "matrix"}));
            with_id(&report(app, org, person, &submitted).await.0.to_string())
        }
        ("post", "/api/v1/expense-reports/{id}/reimburse") => {
            let steps = [ReportAction::Submit, ReportAction::Approve];
            with_id(&report(app, org, person, &steps).await.0.to_string())
        }
        ("put", "/api/v1/expense-policy") => {
            body =
                Some(json!({"category": "meals", "currency": "EUR", "limit": "60", "receipt_above": "25"}));
            route.path.to_string()
        }
        other => panic!("no preparation for {other:?}"),
    };
    (path, body, raw)
}

pub async fn check(
    app: &App,
    route: &Route,
    actor: &Member,
    _side: Side,
    r: &Resp,
    fail: &mut dyn FnMut(String),
) {
    if r.status / 100 != 2 {
        return;
    }
    match (route.method, route.path) {
        ("get", "/api/v1/expenses") => {
            for e in r.json().as_array().unwrap() {
                if e["person"]["id"] != actor.id.to_string() && e["report"]["status"].is_null() {
                    fail(format!("lists someone else's loose expense: {e}"));
                }
            }
        }
        ("get", "/api/v1/expense-reports") => {
            for rep in r.json().as_array().unwrap() {
                let mine = rep["person"]["id"] == actor.id.to_string();
                if !mine && (rep["status"] == "draft" || !approver(actor.role)) {
                    fail(format!(
                        "lists a report the caller may not see: {}",
                        rep["number"]
                    ));
                }
            }
            let theirs = app
                .state
                .store
                .report_list(app.contoso.id, None, &[])
                .await
                .unwrap();
            for rep in r.json().as_array().unwrap() {
                if theirs.iter().any(|t| t.id.to_string() == rep["id"]) {
                    fail(format!("lists another organisation's report: {rep}"));
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------

/// How many expenses, receipts and reports Northwind holds, and its audit log.
async fn stored(app: &App) -> (usize, usize, usize, (usize, Vec<String>)) {
    let org = app.north.id;
    let all = app.state.store.expense_list(org, None, None).await.unwrap();
    (
        all.len(),
        all.iter().filter(|e| e.receipt.is_some()).count(),
        app.state.store.report_list(org, None, &[]).await.unwrap().len(),
        app.snapshot(org).await,
    )
}

fn upload(app: &App, token: &str, id: &str, name: &str, bytes: Vec<u8>) -> reqwest::RequestBuilder {
    app.request("put", &format!("/api/v1/expenses/{id}/receipt?filename={name}"))
        .header("authorization", format!("Bearer {token}"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_file_expenses_and_office_managers_approve_them() {
    let app = spawn_app().await;
    let n = &app.north;
    let (om, staff, principal) = (n.m(Role::OfficeManager), n.m(Role::Staff), n.m(Role::Principal));

    app.api(
        "put",
        "/api/v1/expense-policy",
        &om.token,
        Some(&json!({"category": "meals", "currency": "EUR", "limit": "60", "receipt_above": "25"})),
    )
    .await;
    let policy = app
        .api("get", "/api/v1/expense-policy?format=csv", &staff.token, None)
        .await;
    assert_eq!(
        policy.body,
        "category,currency,limit,receipt_above\r\nmeals,EUR,60.00,25.00\r\n"
    );
    app.api(
        "put",
        "/api/v1/expense-policy",
        &staff.token,
        Some(&json!({"category": "meals", "limit": "1"})),
    )
    .await
    .problem(403, "forbidden");

    // A dinner over the limit, with its receipt; the finding names the rule.
    let dinner = app
        .api(
            "post",
            "/api/v1/expenses",
            &staff.token,
            Some(
                &json!({"date": "2026-11-20", "merchant": "Restaurant De Jong", "category": "Meals",
                "amount": "84.50", "currency": "eur", "project": "Rotterdam"}),
            ),
        )
        .await;
    assert_eq!(dinner.status, 201, "{}", dinner.body);
    let dinner = dinner.json();
    assert_eq!(dinner["category"], "meals");
    assert_eq!(dinner["findings"][0]["kind"], "over_limit");
    assert_eq!(dinner["findings"][1]["kind"], "receipt_missing");
    let did = dinner["id"].as_str().unwrap().to_string();
    let up = send(upload(&app, &staff.token, &did, "dinner.pdf", PDF.to_vec())).await;
    assert_eq!(up.status, 200, "{}", up.body);
    let up = up.json();
    assert_eq!(up["receipt"]["content_type"], "application/pdf");
    assert_eq!(up["findings"].as_array().unwrap().len(), 1, "{up}");
    assert_eq!(
        up["findings"][0]["reason"],
        "EUR 84.50 is over the meals limit of EUR 60.00."
    );
    assert_eq!(up["findings"][0]["blocking"], false);
    let down = app
        .request("get", &format!("/api/v1/expenses/{did}/receipt"))
        .header("authorization", format!("Bearer {}", staff.token))
        .send()
        .await
        .unwrap();
    assert_eq!(down.headers()["content-type"], "application/pdf");
    assert_eq!(down.bytes().await.unwrap().to_vec(), PDF);

    // Into a report, submitted; the office manager sees the warning and rejects with a reason.
    let rep = app
        .api(
            "post",
            "/api/v1/expense-reports",
            &staff.token,
            Some(&json!({"title": "Rotterdam", "expenses": [did]})),
        )
        .await;
    assert_eq!(rep.status, 201, "{}", rep.body);
    let rid = rep.json()["id"].as_str().unwrap().to_string();
    // Another person's draft is not even visible to approvers.
    app.api("get", &format!("/api/v1/expense-reports/{rid}"), &om.token, None)
        .await
        .problem(404, "not_found");
    let sub = app
        .api(
            "post",
            &format!("/api/v1/expense-reports/{rid}/submit"),
            &staff.token,
            None,
        )
        .await
        .json();
    assert_eq!(sub["status"], "submitted");
    assert_eq!(sub["totals"][0]["display"], "EUR 84.50");
    // Staff cannot approve, not even someone else's; the approver sees the finding.
    app.api(
        "post",
        &format!("/api/v1/expense-reports/{rid}/approve"),
        &staff.token,
        Some(&json!({})),
    )
    .await
    .problem(403, "forbidden");
    let seen = app
        .api("get", &format!("/api/v1/expense-reports/{rid}"), &om.token, None)
        .await
        .json();
    assert_eq!(seen["warnings"], 1);
    assert_eq!(seen["can_decide"], true);
    assert_eq!(seen["expenses"][0]["findings"][0]["kind"], "over_limit");
    let queue = app
        .api("get", "/api/v1/expense-reports?status=waiting", &om.token, None)
        .await
        .json();
    assert!(
        queue.as_array().unwrap().iter().any(|r| r["id"] == rid.as_str()),
        "{queue}"
    );
    app.api(
        "post",
        &format!("/api/v1/expense-reports/{rid}/reject"),
        &om.token,
        Some(&json!({"note": " "})),
    )
    .await
    .problem(422, "validation_failed");
    let rej = app
        .api(
            "post",
            &format!("/api/v1/expense-reports/{rid}/reject"),
            &om.token,
            Some(&json!({"note": "Name the guests, please."})),
        )
        .await
        .json();
    assert_eq!(
        (rej["status"].as_str(), rej["decision_note"].as_str()),
        (Some("rejected"), Some("Name the guests, please."))
    );
    // Rejected: fixed and submitted again, approved by the principal, reimbursed by the office manager.
    let fixed = app
        .api(
            "put",
            &format!("/api/v1/expenses/{did}"),
            &staff.token,
            Some(
                &json!({"date": "2026-11-20", "merchant": "Restaurant De Jong", "category": "meals",
                "amount": "84.50", "description": "Dinner with Anouk and Pieter"}),
            ),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    app.api(
        "post",
        &format!("/api/v1/expense-reports/{rid}/submit"),
        &staff.token,
        None,
    )
    .await
    .json();
    app.api(
        "post",
        &format!("/api/v1/expense-reports/{rid}/reimburse"),
        &om.token,
        None,
    )
    .await
    .problem(409, "conflict");
    let ok = app
        .api(
            "post",
            &format!("/api/v1/expense-reports/{rid}/approve"),
            &principal.token,
            Some(&json!({})),
        )
        .await
        .json();
    assert_eq!(ok["status"], "approved");
    app.api(
        "post",
        &format!("/api/v1/expense-reports/{rid}/approve"),
        &om.token,
        Some(&json!({})),
    )
    .await
    .problem(409, "conflict");
    // Approved expenses are frozen.
    app.api("delete", &format!("/api/v1/expenses/{did}"), &staff.token, None)
        .await
        .problem(409, "conflict");
    let paid = app
        .api(
            "post",
            &format!("/api/v1/expense-reports/{rid}/reimburse"),
            &om.token,
            None,
        )
        .await
        .json();
    assert_eq!(paid["status"], "reimbursed");
    assert_eq!(paid["reimbursed_by"], om.name.as_str());
    let csv = app
        .api("get", "/api/v1/expense-reports?format=csv", &staff.token, None)
        .await;
    assert!(
        csv.content_type().starts_with("text/csv"),
        "{}",
        csv.content_type()
    );
    assert!(
        csv.body
            .contains(",Rotterdam,Stella Northwind,reimbursed,84.50,EUR,1,1,"),
        "{}",
        csv.body
    );
    let csv = app
        .api("get", "/api/v1/expenses?format=csv", &staff.token, None)
        .await
        .body;
    assert!(
        csv.contains("2026-11-20,Stella Northwind,Restaurant De Jong,meals,84.50,EUR,"),
        "{csv}"
    );

    // The office manager's own report: she cannot approve it; the principal can.
    let own = app
        .api(
            "post",
            "/api/v1/expenses",
            &om.token,
            Some(&json!({"date": "2026-11-19", "merchant": "NS", "category": "travel", "amount": "18.20"})),
        )
        .await
        .json();
    let own_rep = app
        .api(
            "post",
            "/api/v1/expense-reports",
            &om.token,
            Some(&json!({"title": "Train", "expenses": [own["id"]]})),
        )
        .await
        .json();
    let orid = own_rep["id"].as_str().unwrap();
    app.api(
        "post",
        &format!("/api/v1/expense-reports/{orid}/submit"),
        &om.token,
        None,
    )
    .await
    .json();
    let p = app
        .api(
            "post",
            &format!("/api/v1/expense-reports/{orid}/approve"),
            &om.token,
            Some(&json!({})),
        )
        .await
        .problem(403, "forbidden");
    assert_eq!(p["detail"], "nobody approves their own expenses");
    // Contractors see nothing of this; another organisation's report is not found.
    app.api("get", "/api/v1/expenses", &n.m(Role::Contractor).token, None)
        .await
        .problem(403, "forbidden");
    app.api(
        "get",
        &format!("/api/v1/expense-reports/{orid}"),
        &app.contoso.m(Role::Admin).token,
        None,
    )
    .await
    .problem(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_expenses_are_refused_with_the_problem_named_and_nothing_stored() {
    let app = spawn_app().await;
    let n = &app.north;
    let (om, staff) = (n.m(Role::OfficeManager), n.m(Role::Staff));
    app.api(
        "put",
        "/api/v1/expense-policy",
        &om.token,
        Some(&json!({"category": "taxi", "limit": "80", "receipt_above": "25"})),
    )
    .await;
    let taxi = app
        .api(
            "post",
            "/api/v1/expenses",
            &staff.token,
            Some(
                &json!({"date": "2026-11-20", "merchant": "RET Taxi", "category": "taxi", "amount": "31.00"}),
            ),
        )
        .await
        .json();
    let tid = taxi["id"].as_str().unwrap().to_string();
    let rep = app
        .api(
            "post",
            "/api/v1/expense-reports",
            &staff.token,
            Some(&json!({"title": "Taxi", "expenses": [tid]})),
        )
        .await
        .json();
    let rid = rep["id"].as_str().unwrap().to_string();
    assert!(
        rep["blocked"]
            .as_str()
            .unwrap()
            .contains("receipt is required for taxi above EUR 25.00"),
        "{rep}"
    );
    let before = stored(&app).await;

    let post = |b: Value| {
        let token = staff.token.clone();
        let app = &app;
        async move { app.api("post", "/api/v1/expenses", &token, Some(&b)).await }
    };
    let base = || json!({"date": "2026-11-20", "merchant": "Café", "category": "meals", "amount": "12.00"});
    let field_of = |p: &Value| p["errors"][0]["field"].as_str().unwrap_or_default().to_string();

    let mut b = base();
    b["amount"] = json!("12.345");
    let p = post(b).await.problem(422, "validation_failed");
    assert_eq!(field_of(&p), "amount");
    assert_eq!(
        p["errors"][0]["message"],
        "`12.345` has 3 decimals, but EUR has 2"
    );
    let mut b = base();
    b["amount"] = json!("500");
    b["currency"] = json!("JPY");
    assert_eq!(post(b).await.status, 201, "a yen amount without decimals is fine");
    let mut b = base();
    b["amount"] = json!("5.5");
    b["currency"] = json!("JPY");
    assert_eq!(
        field_of(&post(b).await.problem(422, "validation_failed")),
        "amount"
    );
    let mut b = base();
    b["currency"] = json!("XYZ");
    let p = post(b).await.problem(422, "validation_failed");
    assert_eq!(field_of(&p), "currency");
    assert_eq!(
        p["errors"][0]["message"],
        "`XYZ` is not an ISO 4217 currency code"
    );
    let mut b = base();
    b["date"] = json!("2999-01-01");
    assert_eq!(field_of(&post(b).await.problem(422, "validation_failed")), "date");
    let mut b = base();
    b["amount"] = json!("-3");
    assert_eq!(
        field_of(&post(b).await.problem(422, "validation_failed")),
        "amount"
    );
    // The yen expense was the one thing stored; undo it for the comparison.
    let yen = app
        .state
        .store
        .expense_list(n.id, Some(staff.id), None)
        .await
        .unwrap();
    let yen = yen
        .iter()
        .find(|e| e.data.amount.currency.code() == "JPY")
        .unwrap();
    app.api(
        "delete",
        &format!("/api/v1/expenses/{}", yen.id),
        &staff.token,
        None,
    )
    .await;
    let after_yen = stored(&app).await;
    assert_eq!(
        (after_yen.0, after_yen.1, after_yen.2),
        (before.0, before.1, before.2)
    );

    // Receipts: over the route's body limit is 413 naming the limit (by one byte, so the
    // server has read the whole body when it answers; a larger body would race the answer
    // against the upload). A 60 MB receipt that reaches the check is refused naming both sizes.
    let before = stored(&app).await;
    let p = send(upload(
        &app,
        &staff.token,
        &tid,
        "scan.pdf",
        vec![b'%'; adjutant_server::api::expenses::RECEIPT_BODY_LIMIT + 1],
    ))
    .await
    .problem(413, "too_large");
    assert!(p["detail"].as_str().unwrap().contains("10 MiB"), "{p}");
    let as_staff = adjutant_server::auth::Caller::Person(Box::new(adjutant_server::auth::AuthCtx {
        person: app.state.store.person_get(n.id, staff.id).await.unwrap(),
        actor: adjutant_core::policy::Actor {
            org: n.id,
            person: staff.id,
            role: Role::Staff,
            delegations: vec![],
            acting_for: None,
        },
        via: adjutant_server::auth::Via::Token(staff.token_id),
    }));
    let e = ops::expenses::attach_receipt(
        &app.state,
        &as_staff,
        n.id,
        tid.parse().unwrap(),
        "scan.pdf",
        &vec![b'%'; 60 * 1024 * 1024],
    )
    .await
    .err()
    .unwrap();
    assert_eq!(e.status.as_u16(), 422);
    assert_eq!(
        e.detail,
        "receipt: `scan.pdf` is 60 MiB; a receipt may be at most 10 MiB"
    );
    let p = send(upload(
        &app,
        &staff.token,
        &tid,
        "receipt.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00PE".to_vec(),
    ))
    .await
    .problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["field"], "receipt");
    assert_eq!(
        p["errors"][0]["message"],
        "`receipt.pdf` is not an image (PNG, JPEG, GIF, WebP) or a PDF"
    );
    send(upload(&app, &staff.token, &tid, "empty.png", vec![]))
        .await
        .problem(422, "validation_failed");

    // Submitting with the taxi receipt missing above the threshold: refused, still a draft.
    let p = app
        .api(
            "post",
            &format!("/api/v1/expense-reports/{rid}/submit"),
            &staff.token,
            None,
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(p["errors"][0]["field"], "receipt");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("A receipt is required for taxi above EUR 25.00, and none is attached."),
        "{p}"
    );
    assert_eq!(stored(&app).await, before, "nothing was written");
    let still = app
        .api(
            "get",
            &format!("/api/v1/expense-reports/{rid}"),
            &staff.token,
            None,
        )
        .await
        .json();
    assert_eq!(still["status"], "draft");

    // With a real receipt (a PNG, by its bytes), it goes through.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    let up = send(upload(&app, &staff.token, &tid, "taxi.png", png)).await;
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.json()["receipt"]["content_type"], "image/png");
    let sub = app
        .api(
            "post",
            &format!("/api/v1/expense-reports/{rid}/submit"),
            &staff.token,
            None,
        )
        .await;
    assert_eq!(sub.json()["status"], "submitted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assistant_files_for_the_principal_under_an_expenses_delegation() {
    let app = spawn_app().await;
    let n = &app.north;
    let (asst, principal, om) = (
        n.m(Role::Assistant),
        n.m(Role::Principal),
        n.m(Role::OfficeManager),
    );
    let body =
        json!({"date": "2026-11-20", "merchant": "Eurostar", "category": "travel", "amount": "318.00"});
    let act_for = [
        ("authorization", format!("Bearer {}", asst.token)),
        ("x-act-for", principal.id.to_string()),
    ];
    // The seeded delegation covers the calendar only.
    app.call("post", "/api/v1/expenses", &act_for, Some(&body))
        .await
        .problem(403, "forbidden");
    ops::grant_delegation(
        &app.state,
        &system(),
        n.id,
        &DelegationInput {
            principal: principal.id.to_string(),
            delegate: asst.id.to_string(),
            scopes: vec!["expenses".into()],
            level: "act".into(),
        },
    )
    .await
    .unwrap();
    let e = app.call("post", "/api/v1/expenses", &act_for, Some(&body)).await;
    assert_eq!(e.status, 201, "{}", e.body);
    let e = e.json();
    assert_eq!(e["person"]["id"], principal.id.to_string());
    assert_eq!(e["filed_by"], asst.name.as_str());
    let r = app
        .call(
            "post",
            "/api/v1/expense-reports",
            &act_for,
            Some(&json!({"title": "London", "expenses": [e["id"]]})),
        )
        .await
        .json();
    let rid = r["id"].as_str().unwrap();
    let sub = app
        .call(
            "post",
            &format!("/api/v1/expense-reports/{rid}/submit"),
            &act_for,
            None,
        )
        .await
        .json();
    assert_eq!(sub["status"], "submitted");
    // Acting for the principal, the assistant cannot approve it; the principal cannot either (their own).
    app.call(
        "post",
        &format!("/api/v1/expense-reports/{rid}/approve"),
        &act_for,
        Some(&json!({})),
    )
    .await
    .problem(403, "forbidden");
    app.api(
        "post",
        &format!("/api/v1/expense-reports/{rid}/approve"),
        &principal.token,
        Some(&json!({})),
    )
    .await
    .problem(403, "forbidden");
    app.api(
        "post",
        &format!("/api/v1/expense-reports/{rid}/approve"),
        &om.token,
        Some(&json!({})),
    )
    .await
    .json();
    // The audit names both.
    let entries = app.audit(n.id).await;
    let filed = entries.iter().find(|a| a.action == "expense.create").unwrap();
    assert_eq!(
        (filed.actor, filed.on_behalf_of),
        (Some(asst.id), Some(principal.id))
    );
    let submitted = entries
        .iter()
        .find(|a| a.action == "expense_report.submit")
        .unwrap();
    assert_eq!(
        (submitted.actor, submitted.on_behalf_of),
        (Some(asst.id), Some(principal.id))
    );
}
