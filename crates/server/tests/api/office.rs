//! The access matrix of vendors and contracts, and their API flows: a
//! contract nearing its notice deadline, notice given and withdrawn, the
//! deadlines due, CSV exports, documents, and bad input that names every
//! field and writes nothing.

use super::*;
use adjutant_core::office::purchase::Status;
use adjutant_server::ops::budgets::{self as budget_ops, BudgetInput};
use adjutant_server::ops::invoices::{self as invoice_ops, InvoiceInput, InvoiceLineInput};
use adjutant_server::ops::office::{self as office_ops, ContractInput, VendorInput};
use adjutant_server::ops::purchases::{self as purchase_ops, LineInput, PurchaseInput};
use adjutant_server::ops::stock::{self as stock_ops, StockInput};
use jiff::ToSpan;

/// Office routes are organisation-wide: no "own" side.
fn org_wide(side: Side, same: Want) -> Option<Want> {
    match side {
        Side::Own => None,
        Side::Same => Some(same),
        Side::Other => Some(Want::Hidden),
    }
}

/// Office managers, principals, assistants and administrators see vendors and contracts.
fn viewers(role: Role, ok: u16) -> Want {
    if matches!(
        role,
        Role::Admin | Role::OfficeManager | Role::Principal | Role::Assistant
    ) {
        Want::Is(ok)
    } else {
        Want::Is(403)
    }
}

/// Office managers and administrators change them.
fn keepers(role: Role, ok: u16) -> Want {
    if matches!(role, Role::Admin | Role::OfficeManager) {
        Want::Is(ok)
    } else {
        Want::Is(403)
    }
}

/// Everyone but contractors sees the stock room and takes from it.
fn readers(role: Role, ok: u16) -> Want {
    if role == Role::Contractor {
        Want::Is(403)
    } else {
        Want::Is(ok)
    }
}

/// A purchase nobody in particular requested (the stock rule's): those who
/// see every purchase read it; staff see only their own; contractors none.
fn purchase_read(role: Role, side: Side, ok: u16) -> Option<Want> {
    org_wide(
        side,
        match role {
            Role::Contractor => Want::Is(403),
            Role::Staff => Want::Is(404),
            _ => Want::Is(ok),
        },
    )
}

/// Changing, submitting, cancelling or receiving: office managers and administrators (it is not the actor's own).
fn purchase_handle(role: Role, side: Side, ok: u16) -> Option<Want> {
    org_wide(
        side,
        match role {
            Role::Contractor => Want::Is(403),
            Role::Staff => Want::Is(404),
            Role::Admin | Role::OfficeManager => Want::Is(ok),
            _ => Want::Is(403),
        },
    )
}

/// Deciding a small purchase: office managers, principals and administrators.
fn purchase_decide(role: Role, side: Side) -> Option<Want> {
    org_wide(
        side,
        match role {
            Role::Contractor => Want::Is(403),
            Role::Staff => Want::Is(404),
            Role::Admin | Role::OfficeManager | Role::Principal => Want::Is(200),
            _ => Want::Is(403),
        },
    )
}

/// Deciding a small invoice nobody in particular registered.
fn invoice_decide(role: Role, side: Side) -> Option<Want> {
    org_wide(
        side,
        match role {
            Role::Admin | Role::OfficeManager | Role::Principal => Want::Is(200),
            _ => Want::Is(403),
        },
    )
}

/// The expected rules of every office route.
pub const MATRIX: &[Route] = &[
    Route {
        method: "get",
        path: "/api/v1/budgets",
        public: false,
        want: |role, side| (side == Side::Same).then(|| viewers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/budgets",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 200)),
    },
    Route {
        method: "delete",
        path: "/api/v1/budgets/{id}",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 204)),
    },
    Route {
        method: "get",
        path: "/api/v1/invoices",
        public: false,
        want: |role, side| (side == Side::Same).then(|| viewers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/invoices",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/invoices/{id}",
        public: false,
        want: |role, side| org_wide(side, viewers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/invoices/{id}/approve",
        public: false,
        want: invoice_decide,
    },
    Route {
        method: "post",
        path: "/api/v1/invoices/{id}/reject",
        public: false,
        want: invoice_decide,
    },
    Route {
        method: "post",
        path: "/api/v1/invoices/{id}/pay",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 200)),
    },
    Route {
        method: "get",
        path: "/api/v1/purchases",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/purchases",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/purchases/{id}",
        public: false,
        want: |role, side| purchase_read(role, side, 200),
    },
    Route {
        method: "put",
        path: "/api/v1/purchases/{id}",
        public: false,
        want: |role, side| purchase_handle(role, side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/purchases/{id}/submit",
        public: false,
        want: |role, side| purchase_handle(role, side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/purchases/{id}/cancel",
        public: false,
        want: |role, side| purchase_handle(role, side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/purchases/{id}/receive",
        public: false,
        want: |role, side| purchase_handle(role, side, 200),
    },
    Route {
        method: "post",
        path: "/api/v1/purchases/{id}/approve",
        public: false,
        want: purchase_decide,
    },
    Route {
        method: "post",
        path: "/api/v1/purchases/{id}/reject",
        public: false,
        want: purchase_decide,
    },
    Route {
        method: "get",
        path: "/api/v1/stock",
        public: false,
        want: |role, side| (side == Side::Same).then(|| readers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/stock",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/stock/{id}",
        public: false,
        want: |role, side| org_wide(side, readers(role, 200)),
    },
    Route {
        method: "put",
        path: "/api/v1/stock/{id}",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 200)),
    },
    Route {
        method: "delete",
        path: "/api/v1/stock/{id}",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 204)),
    },
    Route {
        method: "post",
        path: "/api/v1/stock/{id}/consume",
        public: false,
        want: |role, side| org_wide(side, readers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/stock/{id}/receive",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/stock/{id}/count",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 200)),
    },
    Route {
        method: "get",
        path: "/api/v1/vendors",
        public: false,
        want: |role, side| (side == Side::Same).then(|| viewers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/vendors",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/vendors/{id}",
        public: false,
        want: |role, side| org_wide(side, viewers(role, 200)),
    },
    Route {
        method: "put",
        path: "/api/v1/vendors/{id}",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 200)),
    },
    Route {
        method: "delete",
        path: "/api/v1/vendors/{id}",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 204)),
    },
    Route {
        method: "get",
        path: "/api/v1/contracts",
        public: false,
        want: |role, side| (side == Side::Same).then(|| viewers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/contracts",
        public: false,
        want: |role, side| (side == Side::Same).then(|| keepers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/contracts/due",
        public: false,
        want: |role, side| (side == Side::Same).then(|| viewers(role, 200)),
    },
    Route {
        method: "get",
        path: "/api/v1/contracts/{id}",
        public: false,
        want: |role, side| org_wide(side, viewers(role, 200)),
    },
    Route {
        method: "put",
        path: "/api/v1/contracts/{id}",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 200)),
    },
    Route {
        method: "delete",
        path: "/api/v1/contracts/{id}",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 204)),
    },
    Route {
        method: "post",
        path: "/api/v1/contracts/{id}/notice",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 200)),
    },
    Route {
        method: "delete",
        path: "/api/v1/contracts/{id}/notice",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 200)),
    },
    Route {
        method: "post",
        path: "/api/v1/contracts/{id}/documents",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/contracts/{id}/documents/{doc}",
        public: false,
        want: |role, side| org_wide(side, viewers(role, 200)),
    },
    Route {
        method: "delete",
        path: "/api/v1/contracts/{id}/documents/{doc}",
        public: false,
        want: |role, side| org_wide(side, keepers(role, 204)),
    },
];

/// Whether a route belongs to this module's matrix.
pub fn owns(route: &Route) -> bool {
    MATRIX
        .iter()
        .any(|r| r.method == route.method && r.path == route.path)
}

pub fn vendor_input(name: &str) -> VendorInput {
    VendorInput {
        name: name.into(),
        categories: vec!["cleaning".into()],
        ..VendorInput::default()
    }
}

pub async fn vendor(app: &App, org: OrgId) -> String {
    office_ops::create_vendor(
        &app.state,
        &system(),
        org,
        &vendor_input(&format!("Sparkle {}", uuid::Uuid::new_v4().simple())),
    )
    .await
    .unwrap()
    .id
}

pub fn contract_input(vendor: &str, start: &str) -> ContractInput {
    ContractInput {
        title: "Office cleaning".into(),
        vendor: vendor.into(),
        start: start.into(),
        term_months: 12,
        auto_renew: true,
        notice: "3 months".into(),
        value: "4200.00".into(),
        currency: "EUR".into(),
        value_period: "month".into(),
        ..ContractInput::default()
    }
}

pub async fn contract(app: &App, org: OrgId) -> String {
    let v = vendor(app, org).await;
    office_ops::create_contract(&app.state, &system(), org, &contract_input(&v, "2025-01-01"))
        .await
        .unwrap()
        .id
}

pub async fn stock_item(app: &App, org: OrgId) -> String {
    stock_ops::create_stock(
        &app.state,
        &system(),
        org,
        &StockInput {
            name: format!("Toner {}", uuid::Uuid::new_v4().simple()),
            unit: "cartridge".into(),
            quantity: Some(10),
            reorder_point: 3,
            reorder_quantity: 6,
            ..StockInput::default()
        },
    )
    .await
    .unwrap()
    .id
}

/// An invoice of EUR 20 plus VAT registered by the system, approved when `approved`.
pub async fn invoice(app: &App, org: OrgId, approved: bool) -> String {
    let v = vendor(app, org).await;
    let input = InvoiceInput {
        vendor: v,
        number: format!("INV-{}", uuid::Uuid::new_v4().simple()),
        issued_on: "2026-11-30".into(),
        due_on: "2026-12-30".into(),
        lines: vec![InvoiceLineInput {
            description: "Cleaning".into(),
            quantity: 1,
            unit_price: "20.00".into(),
            vat: None,
        }],
        ..InvoiceInput::default()
    };
    let i = invoice_ops::create_invoice(&app.state, &system(), org, &input)
        .await
        .unwrap();
    if approved {
        invoice_ops::decide_invoice(
            &app.state,
            &system(),
            org,
            i.id.parse().unwrap(),
            true,
            &Default::default(),
        )
        .await
        .unwrap();
    }
    i.id
}

/// A purchase of EUR 20 the stock rule might have made, in `status`.
pub async fn purchase(app: &App, org: OrgId, status: Status) -> String {
    let input = PurchaseInput {
        title: "Sticky notes".into(),
        lines: vec![LineInput {
            description: "Sticky notes".into(),
            stock_item: None,
            quantity: 4,
            unit_price: "5.00".into(),
        }],
        submit: Some(status != Status::Draft),
        ..PurchaseInput::default()
    };
    let p = purchase_ops::create_purchase(&app.state, &system(), org, &input)
        .await
        .unwrap();
    if status == Status::Ordered {
        purchase_ops::decide_purchase(
            &app.state,
            &system(),
            org,
            p.id.parse().unwrap(),
            true,
            &Default::default(),
        )
        .await
        .unwrap();
    }
    p.id
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

pub async fn prepare(
    app: &App,
    route: &Route,
    _actor: &Member,
    side: Side,
) -> (String, Option<Value>, Option<super::calendar::Raw>) {
    let org = if side == Side::Other {
        app.contoso.id
    } else {
        app.north.id
    };
    let with_id = |id: &str| route.path.replace("{id}", id);
    let mut body = None;
    let mut raw = None;
    let path = match (route.method, route.path) {
        ("get", "/api/v1/vendors" | "/api/v1/contracts" | "/api/v1/contracts/due" | "/api/v1/stock") => {
            route.path.to_string()
        }
        ("get", "/api/v1/budgets") => route.path.to_string(),
        ("post", "/api/v1/budgets") => {
            body = Some(
                json!({"category": format!("cat-{}", uuid::Uuid::new_v4().simple()), "period": "2026-Q4", "amount": "1000"}),
            );
            route.path.to_string()
        }
        ("delete", "/api/v1/budgets/{id}") => {
            let input = BudgetInput {
                category: format!("cat-{}", uuid::Uuid::new_v4().simple()),
                period: "2026-Q4".into(),
                amount: "1000".into(),
                ..BudgetInput::default()
            };
            budget_ops::set_budget(&app.state, &system(), org, &input)
                .await
                .unwrap();
            let id = app
                .state
                .store
                .budget_list(org)
                .await
                .unwrap()
                .into_iter()
                .find(|b| b.data.category == input.category)
                .unwrap()
                .id;
            with_id(&id.to_string())
        }
        ("get", "/api/v1/invoices") => route.path.to_string(),
        ("post", "/api/v1/invoices") => {
            let v = vendor(app, app.north.id).await;
            body = Some(
                json!({"vendor": v, "number": format!("INV-{}", uuid::Uuid::new_v4().simple()),
                "issued_on": "2026-11-30", "due_on": "2026-12-30",
                "lines": [{"description": "Cleaning", "quantity": 1, "unit_price": "20.00"}]}),
            );
            route.path.to_string()
        }
        ("get", "/api/v1/invoices/{id}") => with_id(&invoice(app, org, false).await),
        ("post", "/api/v1/invoices/{id}/approve" | "/api/v1/invoices/{id}/reject") => {
            body = Some(json!({"note": "matrix"}));
            with_id(&invoice(app, org, false).await)
        }
        ("post", "/api/v1/invoices/{id}/pay") => {
            body = Some(json!({}));
            with_id(&invoice(app, org, true).await)
        }
        ("get", "/api/v1/purchases") => route.path.to_string(),
        ("post", "/api/v1/purchases") => {
            body = Some(
                json!({"title": "Chairs", "lines": [{"description": "Chair", "quantity": 2, "unit_price": "95.00"}]}),
            );
            route.path.to_string()
        }
        ("get", "/api/v1/purchases/{id}") => with_id(&purchase(app, org, Status::Submitted).await),
        ("put", "/api/v1/purchases/{id}") => {
            body = Some(
                json!({"title": "Chairs, blue", "lines": [{"description": "Chair", "quantity": 3, "unit_price": "95.00"}]}),
            );
            with_id(&purchase(app, org, Status::Draft).await)
        }
        ("post", "/api/v1/purchases/{id}/submit") => with_id(&purchase(app, org, Status::Draft).await),
        (
            "post",
            "/api/v1/purchases/{id}/cancel"
            | "/api/v1/purchases/{id}/approve"
            | "/api/v1/purchases/{id}/reject",
        ) => {
            body = Some(json!({"note": "matrix"}));
            with_id(&purchase(app, org, Status::Submitted).await)
        }
        ("post", "/api/v1/purchases/{id}/receive") => {
            body = Some(json!({"lines": [{"line": 1, "quantity": 1}]}));
            with_id(&purchase(app, org, Status::Ordered).await)
        }
        ("post", "/api/v1/stock") => {
            body = Some(
                json!({"name": format!("Paper {}", uuid::Uuid::new_v4().simple()), "unit": "box",
                "quantity": 4, "reorder_point": 2, "reorder_quantity": 10}),
            );
            route.path.to_string()
        }
        ("get" | "delete", "/api/v1/stock/{id}") => with_id(&stock_item(app, org).await),
        ("put", "/api/v1/stock/{id}") => {
            body = Some(
                json!({"name": format!("Renamed {}", uuid::Uuid::new_v4().simple()), "unit": "pack",
                "reorder_point": 1, "reorder_quantity": 5}),
            );
            with_id(&stock_item(app, org).await)
        }
        (
            "post",
            "/api/v1/stock/{id}/consume" | "/api/v1/stock/{id}/receive" | "/api/v1/stock/{id}/count",
        ) => {
            body = Some(json!({"quantity": 1, "note": "matrix"}));
            with_id(&stock_item(app, org).await)
        }
        ("post", "/api/v1/vendors") => {
            body = Some(
                json!({"name": format!("Catering {}", uuid::Uuid::new_v4().simple()),
                "categories": ["catering"], "contacts": [{"name": "Sam", "email": "sam@cater.example"}]}),
            );
            route.path.to_string()
        }
        ("get" | "delete", "/api/v1/vendors/{id}") => with_id(&vendor(app, org).await),
        ("put", "/api/v1/vendors/{id}") => {
            body = Some(json!({"name": format!("Renamed {}", uuid::Uuid::new_v4().simple())}));
            with_id(&vendor(app, org).await)
        }
        ("post", "/api/v1/contracts") => {
            let v = vendor(app, app.north.id).await;
            body = Some(
                json!({"title": "Coffee machines", "vendor": v, "start": "2026-01-01", "term_months": 24,
                "auto_renew": true, "notice": "2 months", "value": "310.50", "currency": "EUR", "value_period": "month"}),
            );
            route.path.to_string()
        }
        ("get" | "delete", "/api/v1/contracts/{id}")
        | ("delete", "/api/v1/contracts/{id}/documents/{doc}")
        | ("get", "/api/v1/contracts/{id}/documents/{doc}") => {
            let k = contract(app, org).await;
            if route.path.ends_with("{doc}") {
                let d = office_ops::upload_document(
                    &app.state,
                    &system(),
                    org,
                    k.parse().unwrap(),
                    "signed.pdf",
                    PDF,
                )
                .await
                .unwrap();
                with_id(&k).replace("{doc}", &d.id)
            } else {
                with_id(&k)
            }
        }
        ("put", "/api/v1/contracts/{id}") => {
            let k = contract(app, org).await;
            let v = office_ops::get_contract(&app.state, &system(), org, k.parse().unwrap())
                .await
                .unwrap()
                .contract
                .vendor
                .id;
            body = Some(
                json!({"title": "Office cleaning, renegotiated", "vendor": v, "start": "2025-01-01",
                "term_months": 12, "auto_renew": true, "notice": "1 month", "value": "3900", "currency": "EUR",
                "value_period": "month"}),
            );
            with_id(&k)
        }
        ("post", "/api/v1/contracts/{id}/notice") => {
            body = Some(json!({"note": "by registered mail"}));
            with_id(&contract(app, org).await)
        }
        ("delete", "/api/v1/contracts/{id}/notice") => {
            let k = contract(app, org).await;
            office_ops::give_notice(
                &app.state,
                &system(),
                org,
                k.parse().unwrap(),
                &Default::default(),
            )
            .await
            .unwrap();
            with_id(&k)
        }
        ("post", "/api/v1/contracts/{id}/documents") => {
            raw = Some(super::calendar::Raw {
                content_type: "application/octet-stream",
                body: String::from_utf8_lossy(PDF).into_owned(),
            });
            format!("{}?filename=annex.pdf", with_id(&contract(app, org).await))
        }
        other => panic!("no preparation for {other:?}"),
    };
    (path, body, raw)
}

/// What a successful answer must contain.
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
    if let ("get", "/api/v1/vendors") = (route.method, route.path) {
        // Only this organisation's vendors.
        let theirs = app.state.store.vendor_list(app.contoso.id).await.unwrap();
        for v in r.json().as_array().unwrap() {
            if theirs.iter().any(|t| t.id.to_string() == v["id"]) {
                fail(format!("lists another organisation's vendor: {v}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------

fn today() -> jiff::civil::Date {
    // The test people live in Amsterdam; the server counts days in the caller's zone.
    now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_manager_sees_a_notice_deadline_coming_and_gives_notice() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let lars = n.m(Role::Principal);

    let v = app
        .api(
            "post",
            "/api/v1/vendors",
            &om.token,
            Some(&json!({"name": "Sparkle Cleaning BV", "categories": ["Cleaning", "cleaning"],
                "contacts": [{"name": "Anouk de Vries", "role": "account manager", "email": "anouk@sparkle.example"}]})),
        )
        .await;
    assert_eq!(v.status, 201, "{}", v.body);
    let v = v.json();
    assert_eq!(v["categories"], json!(["cleaning"]));
    app.api(
        "post",
        "/api/v1/vendors",
        &om.token,
        Some(&json!({"name": "sparkle  cleaning bv"})),
    )
    .await
    .problem(409, "conflict");

    // A yearly contract renewing in 3 months and 10 days, with 3 months' notice:
    // the last day to give notice is 9 or 10 days away.
    let renewal = today().checked_add(3.months().days(10)).unwrap();
    let start = renewal.checked_sub(12.months()).unwrap();
    let body = json!({"title": "Office cleaning", "vendor": "Sparkle Cleaning BV", "reference": "SC-2025-014",
        "category": "Cleaning", "owner": om.email, "start": start.to_string(), "term_months": 12, "auto_renew": true,
        "notice": "3 months", "value": "4,200.00", "currency": "eur", "value_period": "month"});
    let k = app.api("post", "/api/v1/contracts", &om.token, Some(&body)).await;
    assert_eq!(k.status, 201, "{}", k.body);
    let k = k.json();
    let kid = k["id"].as_str().unwrap().to_string();
    let deadline = renewal.yesterday().unwrap().checked_sub(3.months()).unwrap();
    assert_eq!(k["state"], "notice_due", "{k}");
    assert_eq!(k["notice_deadline"], deadline.to_string());
    assert_eq!(k["renews_on"], renewal.to_string());
    assert_eq!(k["value"]["minor"], 420_000);
    assert_eq!(k["annual_value"]["display"], "EUR 50,400.00");
    assert_eq!(k["category"], "cleaning");
    assert_eq!(k["alerts"][0]["kind"], "notice_deadline", "{k}");

    // The principal sees it among what is due; staff do not see contracts at all.
    let due = app
        .api("get", "/api/v1/contracts/due?days=30", &lars.token, None)
        .await
        .json();
    assert_eq!(due["items"][0]["contract"]["id"], kid, "{due}");
    assert_eq!(due["items"][0]["alert"]["date"], deadline.to_string());
    let none = app
        .api("get", "/api/v1/contracts/due?days=5", &lars.token, None)
        .await
        .json();
    assert!(
        none["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["contract"]["id"] != kid),
        "{none}"
    );
    app.api("get", "/api/v1/contracts", &n.m(Role::Staff).token, None)
        .await
        .problem(403, "forbidden");
    app.api("get", "/api/v1/contracts/due?days=999", &om.token, None)
        .await
        .problem(422, "validation_failed");

    // Filters and CSV.
    let listed = app
        .api(
            "get",
            "/api/v1/contracts?state=notice_due&q=sparkle",
            &om.token,
            None,
        )
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let listed = app
        .api("get", "/api/v1/contracts?state=ended", &om.token, None)
        .await
        .json();
    assert!(listed.as_array().unwrap().is_empty());
    app.api("get", "/api/v1/contracts?state=sleeping", &om.token, None)
        .await
        .problem(422, "validation_failed");
    let csv = app
        .api("get", "/api/v1/contracts?format=csv", &om.token, None)
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut lines = csv.body.lines();
    assert!(lines.next().unwrap().starts_with("title,vendor,reference"));
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("Office cleaning,Sparkle Cleaning BV,SC-2025-014,cleaning,"),
        "{row}"
    );
    assert!(row.contains(",4200.00,EUR,month,50400.00,notice_due,"), "{row}");
    app.api("get", "/api/v1/vendors?format=xml", &om.token, None)
        .await
        .problem(422, "validation_failed");
    let vcsv = app
        .api("get", "/api/v1/vendors?format=csv", &om.token, None)
        .await;
    assert!(
        vcsv.body
            .contains("Sparkle Cleaning BV,cleaning,Anouk de Vries,anouk@sparkle.example"),
        "{}",
        vcsv.body
    );

    // Notice: not in the future; once; withdrawn; only by those who keep contracts.
    let notice = format!("/api/v1/contracts/{kid}/notice");
    let tomorrow = today().tomorrow().unwrap().to_string();
    app.api("post", &notice, &om.token, Some(&json!({"on": tomorrow})))
        .await
        .problem(422, "validation_failed");
    app.api("post", &notice, &lars.token, Some(&json!({})))
        .await
        .problem(403, "forbidden");
    let given = app
        .api(
            "post",
            &notice,
            &om.token,
            Some(&json!({"note": "registered mail, ref 4411"})),
        )
        .await;
    assert_eq!(given.status, 200, "{}", given.body);
    let given = given.json();
    assert_eq!(given["state"], "terminating", "{given}");
    assert_eq!(given["ends_on"], renewal.yesterday().unwrap().to_string());
    assert_eq!(given["notice_given"]["by"]["id"], om.id.to_string());
    assert!(
        given["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["kind"] != "notice_deadline")
    );
    app.api("post", &notice, &om.token, Some(&json!({})))
        .await
        .problem(409, "conflict");
    let back = app.api("delete", &notice, &om.token, None).await.json();
    assert_eq!(back["state"], "notice_due");
    app.api("delete", &notice, &om.token, None)
        .await
        .problem(409, "conflict");

    // Documents: a PDF kept byte for byte; a program refused; too large is 413.
    let upload = |name: &str, bytes: Vec<u8>| {
        app.request(
            "post",
            &format!("/api/v1/contracts/{kid}/documents?filename={name}"),
        )
        .header("authorization", format!("Bearer {}", om.token))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(bytes)
    };
    let up = send(upload("signed.pdf", PDF.to_vec())).await;
    assert_eq!(up.status, 201, "{}", up.body);
    let did = up.json()["id"].as_str().unwrap().to_string();
    let down = app
        .request("get", &format!("/api/v1/contracts/{kid}/documents/{did}"))
        .header("authorization", format!("Bearer {}", lars.token))
        .send()
        .await
        .unwrap();
    assert_eq!(down.headers()["content-type"], "application/pdf");
    assert_eq!(down.bytes().await.unwrap().to_vec(), PDF);
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
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
    let detail = app
        .api("get", &format!("/api/v1/contracts/{kid}"), &om.token, None)
        .await
        .json();
    assert_eq!(detail["documents"].as_array().unwrap().len(), 1);

    // A vendor holding a contract cannot go.
    let vid = v["id"].as_str().unwrap();
    app.api("delete", &format!("/api/v1/vendors/{vid}"), &om.token, None)
        .await
        .problem(409, "conflict");
    let vd = app
        .api("get", &format!("/api/v1/vendors/{vid}"), &lars.token, None)
        .await
        .json();
    assert_eq!(vd["contracts"][0]["id"], kid);
    assert_eq!(vd["vendor"]["annual_value"][0]["display"], "EUR 50,400.00");

    // Every change is in the audit log.
    let actions: Vec<String> = app.audit(n.id).await.into_iter().map(|e| e.action).collect();
    for want in [
        "vendor.create",
        "contract.create",
        "contract.notice",
        "contract.notice_withdrawn",
        "contract.document_add",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} missing from {actions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_contracts_name_every_field_and_store_nothing() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let mine = vendor(&app, n.id).await;
    let theirs = vendor(&app, app.contoso.id).await;
    let before = app.snapshot(n.id).await;

    let bad = app
        .api(
            "post",
            "/api/v1/contracts",
            &om.token,
            Some(&json!({"title": "Catering", "vendor": mine, "start": "2026-13-01", "term_months": 12,
                "auto_renew": true, "notice": "soon", "value": "12.345", "currency": "EUR", "value_period": "weekly"})),
        )
        .await;
    let prob = bad.problem(422, "validation_failed");
    let fields: Vec<&str> = prob["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["start", "notice", "value", "value_period"], "{prob}");
    assert!(
        prob["errors"][2]["message"]
            .as_str()
            .unwrap()
            .contains("3 decimals, but EUR has 2"),
        "{prob}"
    );

    let unknown_currency = app
        .api(
            "post",
            "/api/v1/contracts",
            &om.token,
            Some(&json!({"title": "Catering", "vendor": mine, "start": "2026-01-01", "term_months": 12,
                "auto_renew": true, "notice": "1 month", "value": "12", "currency": "EUX", "value_period": "month"})),
        )
        .await;
    assert_eq!(
        unknown_currency.problem(422, "validation_failed")["errors"][0]["field"],
        "currency"
    );

    // Another organisation's vendor is unknown here.
    let foreign = app
        .api(
            "post",
            "/api/v1/contracts",
            &om.token,
            Some(&json!({"title": "Catering", "vendor": theirs, "start": "2026-01-01", "term_months": 12,
                "auto_renew": true, "notice": "1 month", "value": "12", "currency": "EUR", "value_period": "month"})),
        )
        .await;
    assert_eq!(
        foreign.problem(422, "validation_failed")["errors"][0]["field"],
        "vendor"
    );

    // Out of range: a term of zero, notice longer than the term, a negative value, an absurd alert.
    let out = app
        .api(
            "post",
            "/api/v1/contracts",
            &om.token,
            Some(&json!({"title": "Catering", "vendor": mine, "start": "2026-01-01", "term_months": 0,
                "auto_renew": false, "notice": "1 month", "value": "-5", "currency": "EUR", "value_period": "month",
                "alert_days": 1000})),
        )
        .await;
    let prob = out.problem(422, "validation_failed");
    let fields: Vec<&str> = prob["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["term_months", "value", "alert_days"], "{prob}");
    let tight = app
        .api(
            "post",
            "/api/v1/contracts",
            &om.token,
            Some(&json!({"title": "Catering", "vendor": mine, "start": "2026-01-01", "term_months": 3,
                "auto_renew": true, "notice": "3 months", "value": "5", "currency": "EUR", "value_period": "month"})),
        )
        .await;
    assert!(
        tight.problem(422, "validation_failed")["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not fit in a term of 3 months")
    );
    // An unknown field is named too.
    app.api(
        "post",
        "/api/v1/vendors",
        &om.token,
        Some(&json!({"name": "X", "colour": "red"})),
    )
    .await
    .problem(422, "invalid_body");
    app.api(
        "post",
        "/api/v1/vendors",
        &om.token,
        Some(&json!({"name": "X", "contacts": [{"name": "A", "email": "nope"}]})),
    )
    .await
    .problem(422, "validation_failed");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
    assert_eq!(app.state.store.contract_list(n.id, None).await.unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_take_supplies_and_the_office_manager_restocks() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let tom = n.m(Role::Staff);
    vendor(&app, n.id).await;
    let print = office_ops::create_vendor(&app.state, &system(), n.id, &vendor_input("Copperfield Print"))
        .await
        .unwrap();
    let made = app
        .api(
            "post",
            "/api/v1/stock",
            &om.token,
            Some(&json!({"name": "Printer toner, black", "sku": "TN-2420", "unit": "cartridge", "category": "Printing",
                "location": "stock room", "quantity": 5, "reorder_point": 3, "reorder_quantity": 6,
                "preferred_vendor": "Copperfield Print", "unit_price": "74.50"})),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let item = made.json();
    let id = item["id"].as_str().unwrap().to_string();
    assert_eq!(
        (item["low"].clone(), item["preferred_vendor"]["id"].clone()),
        (json!(false), json!(print.id))
    );

    // Tom takes two: now at the reorder point, so low, with an order of 6 suggested.
    let took = app
        .api(
            "post",
            &format!("/api/v1/stock/{id}/consume"),
            &tom.token,
            Some(&json!({"quantity": 2, "note": "3rd floor printer"})),
        )
        .await;
    assert_eq!(took.status, 200, "{}", took.body);
    let took = took.json();
    assert_eq!(took["item"]["on_hand"], "3 cartridges");
    assert_eq!(took["item"]["low"], true);
    assert_eq!(took["item"]["suggested_order"], 6);
    assert_eq!(took["item"]["order_value"]["display"], "EUR 447.00");
    assert_eq!(took["movement"]["by"], tom.name);
    // More than is there: refused, nothing written.
    let before = app.snapshot(n.id).await;
    let refused = app
        .api(
            "post",
            &format!("/api/v1/stock/{id}/consume"),
            &tom.token,
            Some(&json!({"quantity": 5})),
        )
        .await;
    let prob = refused.problem(422, "validation_failed");
    assert_eq!(prob["errors"][0]["field"], "quantity");
    assert!(
        prob["detail"]
            .as_str()
            .unwrap()
            .contains("only 3 cartridges in stock"),
        "{prob}"
    );
    for bad in [
        json!({"quantity": 0}),
        json!({"quantity": -1}),
        json!({"quantity": 2_000_000}),
    ] {
        app.api(
            "post",
            &format!("/api/v1/stock/{id}/consume"),
            &tom.token,
            Some(&bad),
        )
        .await
        .problem(422, "validation_failed");
    }
    // Staff do not count or receive.
    app.api(
        "post",
        &format!("/api/v1/stock/{id}/count"),
        &tom.token,
        Some(&json!({"quantity": 9})),
    )
    .await
    .problem(403, "forbidden");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");

    let low = app
        .api("get", "/api/v1/stock?low=true", &tom.token, None)
        .await
        .json();
    assert_eq!(low.as_array().unwrap().len(), 1, "{low}");
    let csv = app
        .api("get", "/api/v1/stock?low=true&format=csv", &om.token, None)
        .await;
    assert!(csv.body.starts_with("name,sku,category"), "{}", csv.body);
    assert!(csv.body.contains("\"Printer toner, black\",TN-2420,printing,stock room,3,cartridge,3,6,yes,6,Copperfield Print,74.50,EUR,447.00"), "{}", csv.body);

    let got = app
        .api(
            "post",
            &format!("/api/v1/stock/{id}/receive"),
            &om.token,
            Some(&json!({"quantity": 6, "note": "order 1042"})),
        )
        .await
        .json();
    assert_eq!(
        (got["item"]["quantity"].clone(), got["item"]["low"].clone()),
        (json!(9), json!(false))
    );
    let counted = app
        .api(
            "post",
            &format!("/api/v1/stock/{id}/count"),
            &om.token,
            Some(&json!({"quantity": 8})),
        )
        .await
        .json();
    assert_eq!(counted["movement"]["delta"], -1);
    let detail = app
        .api("get", &format!("/api/v1/stock/{id}"), &tom.token, None)
        .await
        .json();
    let kinds: Vec<&str> = detail["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["count", "receive", "consume", "count"]);

    // Bad items name every field; a price with too many decimals names the price.
    let bad = app
        .api(
            "post",
            "/api/v1/stock",
            &om.token,
            Some(&json!({"name": "", "unit": "", "reorder_point": -1, "reorder_quantity": 0})),
        )
        .await;
    let prob = bad.problem(422, "validation_failed");
    let fields: Vec<&str> = prob["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["name", "unit", "reorder_point", "reorder_quantity"],
        "{prob}"
    );
    let bad = app
        .api(
            "post",
            "/api/v1/stock",
            &om.token,
            Some(&json!({"name": "Coffee", "unit": "kg", "reorder_point": 1,
            "reorder_quantity": 5, "unit_price": "12.999"})),
        )
        .await;
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "unit_price"
    );
    app.api(
        "post",
        "/api/v1/stock",
        &om.token,
        Some(&json!({"name": "printer TONER,  black", "unit": "box",
        "reorder_point": 1, "reorder_quantity": 5})),
    )
    .await
    .problem(409, "conflict");
}

/// Stock never goes negative through any sequence of API calls: a fixed
/// pseudo-random run of takes, deliveries and counts by several people, each
/// answer checked against a model of what the quantity must be.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_never_goes_negative_through_any_sequence_of_api_calls() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let people = [n.m(Role::Staff), n.m(Role::Assistant), om];
    let id = stock_item(&app, n.id).await;
    let mut model: i64 = 10;
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    for step in 0..150 {
        let who = people[next(3) as usize];
        let kind = ["consume", "consume", "consume", "receive", "count"][next(5) as usize];
        let amount = next(9) as i64 - 1;
        let r = app
            .api(
                "post",
                &format!("/api/v1/stock/{id}/{kind}"),
                &who.token,
                Some(&json!({"quantity": amount})),
            )
            .await;
        let manages = who.role == Role::OfficeManager;
        let expect_ok = match kind {
            "consume" => amount >= 1 && amount <= model,
            "receive" => manages && amount >= 1,
            _ => manages && amount >= 0,
        };
        assert_eq!(
            r.status == 200,
            expect_ok,
            "step {step}: {kind} {amount} by {} with {model} on hand: {}",
            who.role,
            r.body
        );
        if expect_ok {
            model = match kind {
                "consume" => model - amount,
                "receive" => model + amount,
                _ => amount,
            };
        }
        let on_hand = app
            .state
            .store
            .stock_get(n.id, id.parse().unwrap())
            .await
            .unwrap()
            .quantity;
        assert!(on_hand >= 0);
        assert_eq!(on_hand, model, "step {step}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn low_stock_turns_into_an_approved_order_that_is_received() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let tom = n.m(Role::Staff);
    let lars = n.m(Role::Principal);
    office_ops::create_vendor(&app.state, &system(), n.id, &vendor_input("Copperfield Print"))
        .await
        .unwrap();
    let item = app
        .api(
            "post",
            "/api/v1/stock",
            &om.token,
            Some(&json!({"name": "Printer toner, black", "unit": "cartridge", "quantity": 5, "reorder_point": 3,
                "reorder_quantity": 6, "preferred_vendor": "Copperfield Print", "unit_price": "74.50"})),
        )
        .await
        .json();
    let item_id = item["id"].as_str().unwrap().to_string();

    // Tom takes two; the item falls to its reorder point and a request is drafted, once.
    let took = app
        .api(
            "post",
            &format!("/api/v1/stock/{item_id}/consume"),
            &tom.token,
            Some(&json!({"quantity": 2})),
        )
        .await
        .json();
    let number = took["drafted"].as_str().unwrap().to_string();
    let again = app
        .api(
            "post",
            &format!("/api/v1/stock/{item_id}/consume"),
            &tom.token,
            Some(&json!({"quantity": 1})),
        )
        .await
        .json();
    assert!(again["drafted"].is_null(), "{again}");
    let waiting = app
        .api("get", "/api/v1/purchases?status=waiting", &om.token, None)
        .await
        .json();
    let draft = waiting
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["number"] == number)
        .unwrap()
        .clone();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["requested_by"], "stock rule");
    assert_eq!(draft["total"]["display"], "EUR 447.00");
    assert_eq!(draft["approver"], "an office manager");
    assert_eq!(draft["lines"][0]["stock_item"]["id"], item_id);
    assert_eq!(draft["vendor"]["name"], "Copperfield Print");
    let pid = draft["id"].as_str().unwrap().to_string();
    // Staff see only their own requests.
    assert!(
        app.api("get", "/api/v1/purchases", &tom.token, None)
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Nothing is received before approval.
    let before = app.snapshot(n.id).await;
    app.api(
        "post",
        &format!("/api/v1/purchases/{pid}/receive"),
        &om.token,
        Some(&json!({"lines": [{"line": 1, "quantity": 6}]})),
    )
    .await
    .problem(422, "validation_failed");
    assert_eq!(app.snapshot(n.id).await, before);

    // Sofia approves under her limit.
    let ordered = app
        .api(
            "post",
            &format!("/api/v1/purchases/{pid}/approve"),
            &om.token,
            Some(&json!({"note": "usual supplier"})),
        )
        .await;
    assert_eq!(ordered.status, 200, "{}", ordered.body);
    let ordered = ordered.json();
    assert_eq!(
        (ordered["status"].clone(), ordered["decided_by"].clone()),
        (json!("ordered"), json!(om.name))
    );
    app.api(
        "post",
        &format!("/api/v1/purchases/{pid}/approve"),
        &lars.token,
        Some(&json!({})),
    )
    .await
    .problem(409, "conflict");

    // A partial delivery goes into the stock room; more than is due is refused.
    let part = app
        .api(
            "post",
            &format!("/api/v1/purchases/{pid}/receive"),
            &om.token,
            Some(&json!({"lines": [{"line": 1, "quantity": 4}], "note": "delivery note 5512"})),
        )
        .await
        .json();
    assert_eq!(
        (part["status"].clone(), part["lines"][0]["due"].clone()),
        (json!("partly_received"), json!(2))
    );
    let stock = |app: &App| {
        let id: adjutant_core::ids::StockItemId = item_id.parse().unwrap();
        let org = app.north.id;
        let store = app.state.store.clone();
        async move { store.stock_get(org, id).await.unwrap().quantity }
    };
    assert_eq!(stock(&app).await, 6);
    let before = app.snapshot(n.id).await;
    let over = app
        .api(
            "post",
            &format!("/api/v1/purchases/{pid}/receive"),
            &om.token,
            Some(&json!({"lines": [{"line": 1, "quantity": 3}]})),
        )
        .await;
    assert!(
        over.problem(422, "validation_failed")["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("still due")
    );
    app.api(
        "post",
        &format!("/api/v1/purchases/{pid}/receive"),
        &om.token,
        Some(&json!({"lines": [{"line": 0, "quantity": 1}]})),
    )
    .await
    .problem(422, "validation_failed");
    app.api(
        "post",
        &format!("/api/v1/purchases/{pid}/receive"),
        &tom.token,
        Some(&json!({"lines": [{"line": 1, "quantity": 1}]})),
    )
    .await
    .problem(404, "not_found");
    assert_eq!(app.snapshot(n.id).await, before);
    let done = app
        .api(
            "post",
            &format!("/api/v1/purchases/{pid}/receive"),
            &om.token,
            Some(&json!({"lines": [{"line": 1, "quantity": 2}]})),
        )
        .await
        .json();
    assert_eq!(done["status"], "received");
    assert_eq!(stock(&app).await, 8);

    // A large request goes to a principal; nobody approves their own.
    let big = app
        .api(
            "post",
            "/api/v1/purchases",
            &om.token,
            Some(&json!({"title": "Boardroom chairs", "category": "furniture",
            "lines": [{"description": "Meeting chair", "quantity": 12, "unit_price": "1000.00"}]})),
        )
        .await
        .json();
    let bid = big["id"].as_str().unwrap().to_string();
    assert_eq!(
        (big["status"].clone(), big["approver"].clone()),
        (json!("submitted"), json!("a principal"))
    );
    assert_eq!(big["can_decide"], false);
    assert_eq!(big["why_not_decide"], "nobody approves their own request");
    app.api(
        "post",
        &format!("/api/v1/purchases/{bid}/approve"),
        &om.token,
        Some(&json!({})),
    )
    .await
    .problem(403, "forbidden");
    let mid = app
        .api(
            "post",
            "/api/v1/purchases",
            &tom.token,
            Some(&json!({"title": "Standing desk", "lines": [
            {"description": "Desk", "quantity": 1, "unit_price": "1500.00"}]})),
        )
        .await
        .json();
    let refused = app
        .api(
            "post",
            &format!("/api/v1/purchases/{}/approve", mid["id"].as_str().unwrap()),
            &om.token,
            Some(&json!({})),
        )
        .await;
    assert!(
        refused.problem(403, "forbidden")["detail"]
            .as_str()
            .unwrap()
            .contains("above the office manager's limit of EUR 1,000.00")
    );
    let lars_view = app
        .api("get", &format!("/api/v1/purchases/{bid}"), &lars.token, None)
        .await
        .json();
    assert_eq!(lars_view["can_decide"], true);
    let yes = app
        .api(
            "post",
            &format!("/api/v1/purchases/{bid}/approve"),
            &lars.token,
            Some(&json!({"note": "budgeted in Q1"})),
        )
        .await
        .json();
    assert_eq!(yes["status"], "ordered");
    assert_eq!(
        app.api("get", "/api/v1/purchases", &tom.token, None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let csv = app
        .api(
            "get",
            "/api/v1/purchases?format=csv&status=ordered",
            &om.token,
            None,
        )
        .await;
    assert!(
        csv.body
            .contains("Boardroom chairs,ordered,,furniture,12000.00,EUR"),
        "{}",
        csv.body
    );

    // Bad requests name every field and store nothing.
    let before = app.snapshot(n.id).await;
    let bad = app
        .api(
            "post",
            "/api/v1/purchases",
            &tom.token,
            Some(&json!({"title": "Pens", "lines": [
            {"description": "Pens", "quantity": 2, "unit_price": "1.005"},
            {"description": "Paper", "quantity": 1, "unit_price": "3.00", "stock_item": "Unobtainium"}]})),
        )
        .await;
    let prob = bad.problem(422, "validation_failed");
    let fields: Vec<&str> = prob["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["lines[0].unit_price", "lines[1].stock_item"], "{prob}");
    let bad = app
        .api(
            "post",
            "/api/v1/purchases",
            &tom.token,
            Some(&json!({"title": "", "lines": [
            {"description": "Pens", "quantity": 0, "unit_price": "1.00"}]})),
        )
        .await;
    let prob = bad.problem(422, "validation_failed");
    let fields: Vec<&str> = prob["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "lines[0].quantity"], "{prob}");
    app.api(
        "post",
        "/api/v1/purchases",
        &tom.token,
        Some(&json!({"title": "X", "lines": []})),
    )
    .await
    .problem(422, "validation_failed");
    app.api(
        "post",
        "/api/v1/purchases",
        &tom.token,
        Some(&json!({"title": "X", "currency": "EUX", "lines": [
        {"description": "Pens", "quantity": 1, "unit_price": "1"}]})),
    )
    .await
    .problem(422, "validation_failed");
    app.api("get", "/api/v1/purchases?status=lost", &om.token, None)
        .await
        .problem(422, "validation_failed");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_are_matched_flagged_approved_and_paid() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let lars = n.m(Role::Principal);
    let a = n.m(Role::Assistant);
    office_ops::create_vendor(&app.state, &system(), n.id, &vendor_input("Copperfield Print"))
        .await
        .unwrap();
    // An order of 6 toner, approved, of which 4 arrived.
    let p = app
        .api(
            "post",
            "/api/v1/purchases",
            &om.token,
            Some(&json!({"title": "Toner", "vendor": "Copperfield Print",
            "lines": [{"description": "Printer toner, black", "quantity": 6, "unit_price": "74.50"}]})),
        )
        .await
        .json();
    let pid = p["id"].as_str().unwrap();
    app.api(
        "post",
        &format!("/api/v1/purchases/{pid}/approve"),
        &lars.token,
        Some(&json!({})),
    )
    .await;
    app.api(
        "post",
        &format!("/api/v1/purchases/{pid}/receive"),
        &om.token,
        Some(&json!({"lines": [{"line": 1, "quantity": 4}]})),
    )
    .await;

    // Billed for 6 at a higher price: the match names both differences.
    let body = |number: &str, qty: i64, price: &str| {
        json!({"vendor": "Copperfield Print", "number": number, "issued_on": "2026-11-30", "due_on": "2026-12-30",
            "purchase": p["number"], "category": "printing",
            "lines": [{"description": "Printer toner, black", "quantity": qty, "unit_price": price, "vat": "21"}]})
    };
    let inv = app
        .api(
            "post",
            "/api/v1/invoices",
            &om.token,
            Some(&body("CP-5512", 6, "76.00")),
        )
        .await;
    assert_eq!(inv.status, 201, "{}", inv.body);
    let inv = inv.json();
    assert_eq!(inv["match_state"], "differences");
    let kinds: Vec<&str> = inv["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["price", "quantity", "total"], "{inv}");
    assert_eq!(
        (
            inv["net"]["display"].clone(),
            inv["vat"]["display"].clone(),
            inv["gross"]["display"].clone()
        ),
        (json!("EUR 456.00"), json!("EUR 95.76"), json!("EUR 551.76"))
    );
    // The same number again, written differently: flagged as a likely duplicate, on both.
    let dup = app
        .api(
            "post",
            "/api/v1/invoices",
            &om.token,
            Some(&body("cp 5512", 4, "74.50")),
        )
        .await
        .json();
    assert!(
        dup["duplicate_of"][0]
            .as_str()
            .unwrap()
            .contains("already registered"),
        "{dup}"
    );
    assert_eq!(dup["match_state"], "matched");
    let first = app
        .api(
            "get",
            &format!("/api/v1/invoices/{}", inv["id"].as_str().unwrap()),
            &lars.token,
            None,
        )
        .await
        .json();
    assert_eq!(first["duplicate_of"].as_array().unwrap().len(), 1);

    // Sofia registered them, so she does not approve them; an assistant does not either.
    let did = dup["id"].as_str().unwrap().to_string();
    assert_eq!(
        dup["why_not_decide"],
        "nobody approves an invoice they registered"
    );
    app.api(
        "post",
        &format!("/api/v1/invoices/{did}/approve"),
        &om.token,
        Some(&json!({})),
    )
    .await
    .problem(403, "forbidden");
    app.api(
        "post",
        &format!("/api/v1/invoices/{did}/approve"),
        &a.token,
        Some(&json!({})),
    )
    .await
    .problem(403, "forbidden");
    // Paying before approval: refused.
    app.api(
        "post",
        &format!("/api/v1/invoices/{did}/pay"),
        &om.token,
        Some(&json!({})),
    )
    .await
    .problem(409, "conflict");
    let ok = app
        .api(
            "post",
            &format!("/api/v1/invoices/{did}/approve"),
            &lars.token,
            Some(&json!({"note": "matches"})),
        )
        .await
        .json();
    assert_eq!(ok["status"], "approved");
    let rej = app
        .api(
            "post",
            &format!("/api/v1/invoices/{}/reject", inv["id"].as_str().unwrap()),
            &lars.token,
            Some(&json!({"note": "duplicate, wrong price"})),
        )
        .await
        .json();
    assert_eq!(rej["status"], "rejected");
    let tomorrow = (now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date()
        .tomorrow()
        .unwrap())
    .to_string();
    app.api(
        "post",
        &format!("/api/v1/invoices/{did}/pay"),
        &om.token,
        Some(&json!({"paid_on": tomorrow})),
    )
    .await
    .problem(422, "validation_failed");
    app.api(
        "post",
        &format!("/api/v1/invoices/{did}/pay"),
        &lars.token,
        Some(&json!({})),
    )
    .await
    .problem(403, "forbidden");
    let paid = app
        .api(
            "post",
            &format!("/api/v1/invoices/{did}/pay"),
            &om.token,
            Some(&json!({})),
        )
        .await
        .json();
    assert_eq!(paid["status"], "paid");
    let unpaid = app
        .api("get", "/api/v1/invoices?status=unpaid", &om.token, None)
        .await
        .json();
    assert!(unpaid.as_array().unwrap().is_empty(), "{unpaid}");
    let csv = app
        .api("get", "/api/v1/invoices?format=csv", &om.token, None)
        .await;
    assert!(
        csv.body
            .contains("cp 5512,Copperfield Print,paid,2026-11-30,2026-12-30,298.00,62.58,360.58,EUR"),
        "{}",
        csv.body
    );

    // A contract's invoices are its spend in the running term.
    let renewal = today().checked_add(jiff::Span::new().months(3)).unwrap();
    let start = renewal.checked_sub(jiff::Span::new().months(12)).unwrap();
    let k = app
        .api("post", "/api/v1/contracts", &om.token, Some(&json!({"title": "Printing service", "vendor": "Copperfield Print",
            "start": start.to_string(), "term_months": 12, "auto_renew": true, "notice": "1 month", "value": "100.00",
            "currency": "EUR", "value_period": "month"})))
        .await
        .json();
    let kid = k["id"].as_str().unwrap();
    let billed = app
        .api("post", "/api/v1/invoices", &om.token, Some(&json!({"vendor": "Copperfield Print", "number": "CP-9001",
            "issued_on": today().to_string(), "due_on": today().to_string(), "contract": kid,
            "lines": [{"description": "Printing service", "quantity": 9, "unit_price": "125.00", "vat": "21"}]})))
        .await;
    assert_eq!(billed.status, 201, "{}", billed.body);
    let k = app
        .api("get", &format!("/api/v1/contracts/{kid}"), &om.token, None)
        .await
        .json();
    assert_eq!(k["contract"]["spend"]["display"], "EUR 1,125.00");
    assert_eq!(k["contract"]["current_term_value"]["display"], "EUR 1,200.00");
    assert_eq!(k["contract"]["spend_percent"], 93);

    // Bad invoices name every field and store nothing.
    let before = app.snapshot(n.id).await;
    let bad = app
        .api("post", "/api/v1/invoices", &om.token, Some(&json!({"vendor": "Copperfield Print", "number": "X-1",
            "issued_on": "2026-12-01", "due_on": "2026-11-01",
            "lines": [{"description": "x", "quantity": 1, "unit_price": "1.001"}, {"description": "y", "quantity": 1, "unit_price": "1", "vat": "150"}]})))
        .await;
    let prob = bad.problem(422, "validation_failed");
    let fields: Vec<&str> = prob["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["lines[0].unit_price", "lines[1].vat"], "{prob}");
    let bad = app
        .api("post", "/api/v1/invoices", &om.token, Some(&json!({"vendor": "Copperfield Print", "number": "X-1",
            "issued_on": "2026-12-01", "due_on": "2026-11-01", "lines": [{"description": "x", "quantity": 1, "unit_price": "1"}]})))
        .await;
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "due_on"
    );
    let other_vendor = vendor(&app, n.id).await;
    let bad = app
        .api("post", "/api/v1/invoices", &om.token, Some(&json!({"vendor": other_vendor, "number": "X-2", "contract": kid,
            "issued_on": "2026-12-01", "due_on": "2026-12-31", "lines": [{"description": "x", "quantity": 1, "unit_price": "1"}]})))
        .await;
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "contract"
    );
    let foreign = vendor(&app, app.contoso.id).await;
    let bad = app
        .api("post", "/api/v1/invoices", &om.token, Some(&json!({"vendor": foreign, "number": "X-3",
            "issued_on": "2026-12-01", "due_on": "2026-12-31", "lines": [{"description": "x", "quantity": 1, "unit_price": "1"}]})))
        .await;
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "vendor"
    );
    app.api("post", "/api/v1/invoices", &om.token, Some(&json!({"vendor": "Copperfield Print", "number": "X-4", "purchase": "PO-1999-0001",
        "issued_on": "2026-12-01", "due_on": "2026-12-31", "lines": [{"description": "x", "quantity": 1, "unit_price": "1"}]})))
        .await
        .problem(422, "validation_failed");
    // Staff do not see invoices.
    app.api("get", "/api/v1/invoices", &n.m(Role::Staff).token, None)
        .await
        .problem(403, "forbidden");
    // The vendor we made above is the only change.
    let after = app.snapshot(n.id).await;
    assert_eq!(
        after.1.len(),
        before.1.len() + 1,
        "only the extra vendor was written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_moves_with_orders_and_invoices() {
    let app = spawn_app().await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let lars = n.m(Role::Principal);
    office_ops::create_vendor(&app.state, &system(), n.id, &vendor_input("Greenleaf Catering"))
        .await
        .unwrap();
    let quarter = {
        let t = today();
        format!("{}-Q{}", t.year(), (t.month() - 1) / 3 + 1)
    };
    let set = app
        .api(
            "post",
            "/api/v1/budgets",
            &om.token,
            Some(&json!({"category": "Catering", "period": quarter, "amount": "10000.00"})),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let row = |s: &Value| {
        s["budgets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["category"] == "catering")
            .unwrap()
            .clone()
    };
    assert_eq!(row(&set.json())["remaining"]["display"], "EUR 10,000.00");

    // An approved order commits money; its invoice turns it into actual spend.
    let p = app
        .api(
            "post",
            "/api/v1/purchases",
            &om.token,
            Some(
                &json!({"title": "Sprint lunches", "category": "catering", "vendor": "Greenleaf Catering",
            "lines": [{"description": "Lunch for 12", "quantity": 3, "unit_price": "260.00"}]}),
            ),
        )
        .await
        .json();
    let pid = p["id"].as_str().unwrap();
    app.api(
        "post",
        &format!("/api/v1/purchases/{pid}/approve"),
        &lars.token,
        Some(&json!({})),
    )
    .await;
    let s = app.api("get", "/api/v1/budgets", &lars.token, None).await.json();
    let b = row(&s);
    assert_eq!(
        (b["committed"]["display"].clone(), b["actual"]["display"].clone()),
        (json!("EUR 780.00"), json!("EUR 0.00"))
    );
    let inv = app
        .api(
            "post",
            "/api/v1/invoices",
            &om.token,
            Some(
                &json!({"vendor": "Greenleaf Catering", "number": "GL-1", "purchase": p["number"],
            "category": "catering", "issued_on": today().to_string(), "due_on": today().to_string(),
            "lines": [{"description": "Lunch for 12", "quantity": 2, "unit_price": "260.00", "vat": "9"}]}),
            ),
        )
        .await;
    assert_eq!(inv.status, 201, "{}", inv.body);
    let b = row(&app
        .api(
            "get",
            &format!("/api/v1/budgets?period={quarter}"),
            &om.token,
            None,
        )
        .await
        .json());
    assert_eq!(b["actual"]["display"], "EUR 520.00");
    assert_eq!(b["committed"]["display"], "EUR 260.00");
    assert_eq!(b["remaining"]["display"], "EUR 9,220.00");
    // A budget smaller than what is already spent and committed is forecast to overrun.
    let s = app
        .api(
            "post",
            "/api/v1/budgets",
            &om.token,
            Some(&json!({"category": "catering", "period": quarter, "amount": "500"})),
        )
        .await
        .json();
    let b = row(&s);
    assert!(
        b["warning"]
            .as_str()
            .unwrap()
            .starts_with("forecast to overrun by"),
        "{b}"
    );
    assert!(b["overrun_percent"].as_i64().unwrap() >= 56, "{b}");
    assert_eq!(s["warnings"], 1);
    let csv = app
        .api(
            "get",
            &format!("/api/v1/budgets?period={quarter}&format=csv"),
            &om.token,
            None,
        )
        .await;
    assert!(
        csv.body
            .contains(&format!("{quarter},catering,500.00,520.00,260.00,-280.00,")),
        "{}",
        csv.body
    );

    // Bad input names the field and changes nothing; only office managers and administrators set budgets.
    let before = app.snapshot(n.id).await;
    let bad = app
        .api(
            "post",
            "/api/v1/budgets",
            &om.token,
            Some(&json!({"category": "catering", "period": "2026-Q5", "amount": "12.345"})),
        )
        .await;
    let prob = bad.problem(422, "validation_failed");
    let fields: Vec<&str> = prob["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["period", "amount"], "{prob}");
    app.api(
        "post",
        "/api/v1/budgets",
        &om.token,
        Some(&json!({"category": "catering", "period": "2026", "amount": "0"})),
    )
    .await
    .problem(422, "validation_failed");
    app.api(
        "post",
        "/api/v1/budgets",
        &lars.token,
        Some(&json!({"category": "catering", "period": "2026", "amount": "10"})),
    )
    .await
    .problem(403, "forbidden");
    app.api("get", "/api/v1/budgets?period=soon", &om.token, None)
        .await
        .problem(422, "validation_failed");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_managers_limit_comes_from_the_configuration() {
    let app = spawn_app_with(|c| c.approval_limits = "EUR 2000.00, USD 2200".into()).await;
    let n = &app.north;
    let om = n.m(Role::OfficeManager);
    let tom = n.m(Role::Staff);
    let ask = |price: &str| json!({"title": "Desk", "lines": [{"description": "Standing desk", "quantity": 1, "unit_price": price}]});
    let small = app
        .api("post", "/api/v1/purchases", &tom.token, Some(&ask("1500.00")))
        .await
        .json();
    assert_eq!(small["approver"], "an office manager");
    let ok = app
        .api(
            "post",
            &format!("/api/v1/purchases/{}/approve", small["id"].as_str().unwrap()),
            &om.token,
            Some(&json!({})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let big = app
        .api("post", "/api/v1/purchases", &tom.token, Some(&ask("2500.00")))
        .await
        .json();
    let refused = app
        .api(
            "post",
            &format!("/api/v1/purchases/{}/approve", big["id"].as_str().unwrap()),
            &om.token,
            Some(&json!({})),
        )
        .await;
    assert!(
        refused.problem(403, "forbidden")["detail"]
            .as_str()
            .unwrap()
            .contains("limit of EUR 2,000.00")
    );
}
