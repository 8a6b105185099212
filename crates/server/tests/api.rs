//! Integration tests of the HTTP server, driven over real HTTP.
//!
//! Each test starts the real server on `127.0.0.1:0` with a fresh SQLite
//! database (cheap Argon2 parameters), seeds two organisations — Northwind and
//! Contoso, each with one person per role, a target person and a delegation
//! principal → assistant — and talks to it with `reqwest`.
//!
//! Covered: the access matrix over every API route listed in the OpenAPI
//! document (every role × a colleague's / one's own / another organisation's
//! item, and unauthenticated), problem documents, request ids and security
//! headers, health/metrics/OpenAPI, bearer tokens, delegation and acting for,
//! web sign-in (throttling, session rotation, sign-out, open redirects), TOTP,
//! web forms with the CSRF guard, and organisation isolation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "api/assets.rs"]
mod assets;
#[path = "api/calendar.rs"]
mod calendar;
#[path = "api/expenses.rs"]
mod expenses;
#[path = "api/mail.rs"]
mod mail;
#[path = "api/office.rs"]
mod office;
#[path = "api/spaces.rs"]
mod spaces;
#[path = "api/tasks.rs"]
mod tasks;
#[path = "api/web_tasks.rs"]
mod web_tasks;

use adjutant_core::ids::{DelegationId, OrgId, PersonId, TokenId};
use adjutant_core::people::{OrgSlug, Role};
use adjutant_server::auth::Caller;
use adjutant_server::ops::{self, DelegationInput, PersonInput, TokenInput};
use adjutant_server::{AppState, Config};
use adjutant_store::delegations::DelegationFilter;
use adjutant_store::{AuditCtx, AuditEntry, AuditFilter};
use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderMap, ORIGIN, SET_COOKIE};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

/// Every seeded person's password.
const PASSWORD: &str = "correct horse battery";

// ---------------------------------------------------------------------------
// The test application
// ---------------------------------------------------------------------------

/// A seeded person with a bearer token.
#[derive(Debug, Clone)]
struct Member {
    id: PersonId,
    name: String,
    email: String,
    role: Role,
    token: String,
    token_id: TokenId,
}

/// A seeded organisation.
#[derive(Debug)]
struct Org {
    id: OrgId,
    /// One person per role, in `Role::ALL` order.
    members: Vec<Member>,
    /// An extra staff member used as the object of person and token routes.
    target: Member,
    /// principal → assistant, calendar, act.
    delegation: DelegationId,
}

impl Org {
    fn m(&self, role: Role) -> &Member {
        self.members
            .iter()
            .find(|m| m.role == role)
            .expect("one member per role")
    }
    fn everyone(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().chain(std::iter::once(&self.target))
    }
}

/// A running server with two seeded organisations.
struct App {
    base: String,
    origin: String,
    state: AppState,
    http: reqwest::Client,
    dir: PathBuf,
    north: Org,
    contoso: Org,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An answer, read completely.
#[derive(Debug)]
struct Resp {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    fn content_type(&self) -> &str {
        self.header("content-type")
    }
    fn location(&self) -> &str {
        self.header("location")
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.body))
    }
    /// Asserts an RFC 9457 problem document with this status and code; returns it.
    fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "status; body: {}", self.body);
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "content type of a {status} problem"
        );
        let p = self.json();
        assert_eq!(p["code"], code, "problem code: {p}");
        assert_eq!(p["status"], status, "problem status member: {p}");
        assert_eq!(p["type"], format!("about:blank#{code}"), "{p}");
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        p
    }
    /// The session token from `Set-Cookie`, if one is set (empty when cleared).
    fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.strip_prefix("adjutant_session=")
                    .map(|rest| rest.split(';').next().unwrap_or("").to_string())
            })
    }
    fn set_cookie(&self) -> String {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join("\n")
    }
    /// The text of the page's error box (`role="alert"`).
    fn alert(&self) -> String {
        let start = self
            .body
            .find("role=\"alert\">")
            .unwrap_or_else(|| panic!("no error box in: {}", self.body))
            + "role=\"alert\">".len();
        let end = start + self.body[start..].find("</div>").expect("closing div");
        self.body[start..end].to_string()
    }
}

async fn send(rb: reqwest::RequestBuilder) -> Resp {
    let r = rb.send().await.expect("the request reaches the server");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.text().await.expect("a readable body");
    Resp {
        status,
        headers,
        body,
    }
}

fn system() -> Caller {
    Caller::System("test".into())
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn first_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "Ada",
        Role::Principal => "Paul",
        Role::Assistant => "Asha",
        Role::OfficeManager => "Omar",
        Role::Staff => "Stella",
        Role::Contractor => "Carl",
    }
}

async fn add_member(state: &AppState, org: OrgId, name: String, email: String, role: Role) -> Member {
    let p = ops::create_person(
        state,
        &system(),
        org,
        &PersonInput {
            name: name.clone(),
            email: Some(email.clone()),
            role: role.as_str().into(),
            time_zone: None,
            password: Some(PASSWORD.into()),
        },
    )
    .await
    .expect("seeding a person");
    let (t, secret) = ops::create_token(
        state,
        &system(),
        org,
        &TokenInput {
            name: "seeded".into(),
            expires_in_days: None,
            person: Some(p.id.to_string()),
        },
    )
    .await
    .expect("seeding a token");
    Member {
        id: p.id,
        name,
        email,
        role,
        token: secret,
        token_id: t.id,
    }
}

async fn seed_org(state: &AppState, slug: &str, name: &str) -> Org {
    let org = state
        .store
        .org_create(&OrgSlug::parse(slug).unwrap(), name, &system().audit(now()))
        .await
        .unwrap();
    let mut members = Vec::new();
    for role in Role::ALL {
        members.push(
            add_member(
                state,
                org.id,
                format!("{} {name}", first_name(role)),
                format!("{}@{slug}.example", role.as_str()),
                role,
            )
            .await,
        );
    }
    let target = add_member(
        state,
        org.id,
        format!("Terry {name}"),
        format!("target@{slug}.example"),
        Role::Staff,
    )
    .await;
    let find = |r: Role| members.iter().find(|m| m.role == r).unwrap().id.to_string();
    let d = ops::grant_delegation(
        state,
        &system(),
        org.id,
        &DelegationInput {
            principal: find(Role::Principal),
            delegate: find(Role::Assistant),
            scopes: vec!["calendar".into()],
            level: "act".into(),
        },
    )
    .await
    .unwrap();
    Org {
        id: org.id,
        members,
        target,
        delegation: d.id,
    }
}

async fn spawn_app() -> App {
    spawn_app_with(|_| {}).await
}

/// A server whose configuration `tweak` changes first.
async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> App {
    let dir = std::env::temp_dir().join(format!("adjutant-api-{}", uuid::Uuid::new_v4()));
    let mut config = Config {
        data: dir.clone(),
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        ..Default::default()
    };
    tweak(&mut config);
    let state = adjutant_server::prepare(config).await.expect("server state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(adjutant_server::serve(
        state.clone(),
        listener,
        std::future::pending(),
    ));
    let north = seed_org(&state, "northwind", "Northwind").await;
    let contoso = seed_org(&state, "contoso", "Contoso").await;
    adjutant_server::fetch::tls_ready();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    App {
        base: format!("http://{addr}"),
        origin: format!("http://{addr}"),
        state,
        http,
        dir,
        north,
        contoso,
    }
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let m = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
        self.http.request(m, self.url(path))
    }

    /// An API call with extra headers and an optional JSON body.
    async fn call(&self, method: &str, path: &str, headers: &[(&str, String)], body: Option<&Value>) -> Resp {
        let mut rb = self.request(method, path);
        for (k, v) in headers {
            rb = rb.header(*k, v);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        send(rb).await
    }

    /// An API call with a bearer token.
    async fn api(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Resp {
        self.call(
            method,
            path,
            &[("authorization", format!("Bearer {token}"))],
            body,
        )
        .await
    }

    /// A browser GET, with a session cookie when given.
    async fn page(&self, path: &str, cookie: Option<&str>) -> Resp {
        let mut rb = self.http.get(self.url(path));
        if let Some(c) = cookie {
            rb = rb.header(COOKIE, format!("adjutant_session={c}"));
        }
        send(rb).await
    }

    /// A form post without any origin information (the caller adds it).
    fn form(&self, path: &str, cookie: Option<&str>, pairs: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let mut rb = self
            .http
            .post(self.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if let Some(c) = cookie {
            rb = rb.header(COOKIE, format!("adjutant_session={c}"));
        }
        rb
    }

    /// A same-origin browser form post.
    async fn post_form(&self, path: &str, cookie: Option<&str>, pairs: &[(&str, &str)]) -> Resp {
        send(self.form(path, cookie, pairs).header(ORIGIN, &self.origin)).await
    }

    async fn login(&self, email: &str, password: &str, next: &str, cookie: Option<&str>) -> Resp {
        self.post_form(
            "/login",
            cookie,
            &[("email", email), ("password", password), ("next", next)],
        )
        .await
    }

    /// Signs in with the right password; returns the session cookie.
    async fn sign_in(&self, email: &str) -> String {
        let r = self.login(email, PASSWORD, "/", None).await;
        assert_eq!(r.status, 303, "sign-in of {email}: {}", r.body);
        r.session_cookie().expect("a session cookie")
    }

    async fn people_count(&self, org: OrgId) -> usize {
        self.state.store.person_list(org).await.unwrap().len()
    }

    async fn audit(&self, org: OrgId) -> Vec<AuditEntry> {
        self.state
            .store
            .audit_list(
                org,
                &AuditFilter {
                    limit: 1000,
                    ..AuditFilter::default()
                },
            )
            .await
            .unwrap()
    }

    /// What a failed request must leave untouched: people and audit entries.
    async fn snapshot(&self, org: OrgId) -> (usize, Vec<String>) {
        let audit = self.audit(org).await;
        (
            self.people_count(org).await,
            audit.iter().map(|e| e.id.to_string()).collect(),
        )
    }

    /// Identifiers and names of Contoso that Northwind must never see.
    fn contoso_secrets(&self) -> Vec<String> {
        let b = &self.contoso;
        let mut s = vec![b.id.to_string(), b.delegation.to_string()];
        for m in b.everyone() {
            s.extend([
                m.id.to_string(),
                m.token.clone(),
                m.token_id.to_string(),
                m.email.clone(),
                m.name.clone(),
            ]);
        }
        s
    }
}

fn assert_security_headers(r: &Resp, what: &str) {
    assert!(!r.header("x-request-id").is_empty(), "{what}: no x-request-id");
    let csp = r.header("content-security-policy");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{what}: content-security-policy `{csp}`"
    );
    assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(r.header("referrer-policy"), "same-origin", "{what}");
    assert_eq!(r.header("x-frame-options"), "DENY", "{what}");
}

fn ids_of(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v[key].as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------------------
// 1. The access matrix
// ---------------------------------------------------------------------------

/// Whose item a cell asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// A colleague's item in the actor's own organisation.
    Same,
    /// The actor's own item (themselves, their token).
    Own,
    /// Another organisation's item.
    Other,
}

/// What a cell must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Exactly this status.
    Is(u16),
    /// 403 or 404: refused without telling whether the item exists.
    Hidden,
    /// 403, 404 or 422: a body referring to another organisation's people.
    Refused,
}

impl Want {
    fn accepts(self, status: u16) -> bool {
        match self {
            Want::Is(s) => status == s,
            Want::Hidden => matches!(status, 403 | 404),
            Want::Refused => matches!(status, 403 | 404 | 422),
        }
    }
}

/// One API route with its expected answers per role and side (`None`: the side does not apply).
struct Route {
    method: &'static str,
    path: &'static str,
    public: bool,
    want: fn(Role, Side) -> Option<Want>,
}

fn admin_only(role: Role, ok: u16) -> Want {
    if role == Role::Admin {
        Want::Is(ok)
    } else {
        Want::Is(403)
    }
}

fn principal_or_admin(role: Role, ok: u16) -> Want {
    if matches!(role, Role::Admin | Role::Principal) {
        Want::Is(ok)
    } else {
        Want::Is(403)
    }
}

/// The expected rules, written out from the policy (crates/core/src/policy.rs)
/// and the operations (crates/server/src/ops.rs), independently of the code.
const MATRIX: &[Route] = &[
    Route {
        method: "get",
        path: "/api/v1/me",
        public: false,
        // Other: X-Act-For a principal of another organisation.
        want: |_, side| match side {
            Side::Same => Some(Want::Is(200)),
            Side::Own => None,
            Side::Other => Some(Want::Is(403)),
        },
    },
    Route {
        method: "get",
        path: "/api/v1/people",
        public: false,
        // Everyone may list (contractors see only themselves); Other: nothing of Contoso leaks.
        want: |_, side| (side != Side::Own).then_some(Want::Is(200)),
    },
    Route {
        method: "post",
        path: "/api/v1/people",
        public: false,
        // Other: the person is created in the caller's organisation, never elsewhere.
        want: |role, side| (side != Side::Own).then(|| admin_only(role, 201)),
    },
    Route {
        method: "get",
        path: "/api/v1/people/{id}",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same if role == Role::Contractor => Want::Is(403),
                Side::Same => Want::Is(200),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "patch",
        path: "/api/v1/people/{id}",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own | Side::Same => admin_only(role, 200),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "put",
        path: "/api/v1/people/{id}/password",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(204),
                Side::Same => admin_only(role, 204),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "post",
        path: "/api/v1/people/{id}/sessions/revoke",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => admin_only(role, 200),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "delete",
        path: "/api/v1/people/{id}/second-factor",
        public: false,
        // Administrators only, even for oneself (losing one's own factor is what the reset is for).
        want: |role, side| {
            Some(match side {
                Side::Own | Side::Same => admin_only(role, 204),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/delegations",
        public: false,
        want: |_, side| (side != Side::Own).then_some(Want::Is(200)),
    },
    Route {
        method: "post",
        path: "/api/v1/delegations",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(principal_or_admin(role, 201)),
            Side::Own => None,
            Side::Other => Some(Want::Refused),
        },
    },
    Route {
        method: "delete",
        path: "/api/v1/delegations/{id}",
        public: false,
        want: |role, side| match side {
            Side::Same => Some(principal_or_admin(role, 200)),
            Side::Own => None,
            Side::Other => Some(Want::Hidden),
        },
    },
    Route {
        method: "get",
        path: "/api/v1/tokens",
        public: false,
        // Same: one's own tokens; Other: `?all=true` (administrators), never Contoso's.
        want: |role, side| match side {
            Side::Same => Some(Want::Is(200)),
            Side::Own => None,
            Side::Other => Some(admin_only(role, 200)),
        },
    },
    Route {
        method: "post",
        path: "/api/v1/tokens",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(201),
                Side::Same => admin_only(role, 201),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "delete",
        path: "/api/v1/tokens/{id}",
        public: false,
        want: |role, side| {
            Some(match side {
                Side::Own => Want::Is(200),
                Side::Same => admin_only(role, 200),
                Side::Other => Want::Hidden,
            })
        },
    },
    Route {
        method: "get",
        path: "/api/v1/audit",
        public: false,
        // Other: `?action=organisation.create` must show only the caller's organisation.
        want: |role, side| (side != Side::Own).then(|| admin_only(role, 200)),
    },
    Route {
        method: "get",
        path: "/api/v1/openapi.json",
        public: true,
        want: |_, side| (side != Side::Own).then_some(Want::Is(200)),
    },
    Route {
        method: "get",
        path: "/healthz",
        public: true,
        want: |_, side| (side != Side::Own).then_some(Want::Is(200)),
    },
];

/// Runs one cell: prepares what it needs, sends the request, checks what the
/// answer says beyond its status. Returns the answer and the request as sent.
async fn run_cell(
    app: &App,
    route: &Route,
    actor: &Member,
    side: Side,
    fails: &mut Vec<String>,
) -> (Resp, String) {
    let a = &app.north;
    let b = &app.contoso;
    let home = if side == Side::Other { b } else { a };
    let person = match side {
        Side::Own => actor.id,
        Side::Same => a.target.id,
        Side::Other => b.target.id,
    };
    let with_id = |id: &str| route.path.replace("{id}", id);
    let mut headers = vec![("authorization", format!("Bearer {}", actor.token))];
    let mut body = None;
    let mut raw = None;
    let path = match (route.method, route.path) {
        ("get", "/api/v1/me") => {
            if side == Side::Other {
                headers.push(("x-act-for", b.m(Role::Principal).id.to_string()));
            }
            route.path.to_string()
        }
        ("get", "/api/v1/people" | "/api/v1/delegations" | "/api/v1/openapi.json" | "/healthz") => {
            route.path.to_string()
        }
        ("post", "/api/v1/people") => {
            body = Some(json!({
                "name": "Matrix Person",
                "email": format!("m-{}@northwind.example", uuid::Uuid::new_v4().simple()),
                "role": "staff",
            }));
            route.path.to_string()
        }
        ("get", "/api/v1/people/{id}") | ("post", "/api/v1/people/{id}/sessions/revoke") => {
            with_id(&person.to_string())
        }
        ("delete", "/api/v1/people/{id}/second-factor") => {
            app.state
                .store
                .credential_set_totp(
                    home.id,
                    person,
                    Some(&[7u8; 20]),
                    &AuditCtx::system("test", now()),
                )
                .await
                .unwrap();
            with_id(&person.to_string())
        }
        ("patch", "/api/v1/people/{id}") => {
            body = Some(json!({"time_zone": "Europe/Paris"}));
            with_id(&person.to_string())
        }
        ("put", "/api/v1/people/{id}/password") => {
            body = Some(json!({"password": PASSWORD}));
            with_id(&person.to_string())
        }
        ("post", "/api/v1/delegations") => {
            body = Some(json!({
                "principal": home.m(Role::Principal).id.to_string(),
                "delegate": home.m(Role::OfficeManager).id.to_string(),
                "scopes": ["mail"],
                "level": "read",
            }));
            route.path.to_string()
        }
        ("delete", "/api/v1/delegations/{id}") => {
            let d = ops::grant_delegation(
                &app.state,
                &system(),
                home.id,
                &DelegationInput {
                    principal: home.m(Role::Principal).id.to_string(),
                    delegate: home.m(Role::Staff).id.to_string(),
                    scopes: vec!["calendar".into()],
                    level: "read".into(),
                },
            )
            .await
            .unwrap();
            with_id(&d.id.to_string())
        }
        ("get", "/api/v1/tokens") => match side {
            Side::Other => "/api/v1/tokens?all=true".into(),
            _ => route.path.to_string(),
        },
        ("post", "/api/v1/tokens") => {
            body = Some(match side {
                Side::Own => json!({"name": "matrix"}),
                _ => json!({"name": "matrix", "person": person.to_string()}),
            });
            route.path.to_string()
        }
        ("delete", "/api/v1/tokens/{id}") => {
            let (t, _) = ops::create_token(
                &app.state,
                &system(),
                home.id,
                &TokenInput {
                    name: "victim".into(),
                    expires_in_days: None,
                    person: Some(person.to_string()),
                },
            )
            .await
            .unwrap();
            with_id(&t.id.to_string())
        }
        ("get", "/api/v1/audit") => match side {
            Side::Other => "/api/v1/audit?action=organisation.create".into(),
            _ => route.path.to_string(),
        },
        _ if spaces::owns(route) => {
            let (p, b, r) = spaces::prepare(app, route, actor, side).await;
            body = b;
            raw = r;
            p
        }
        _ if assets::owns(route) => {
            let (p, b, r) = assets::prepare(app, route, actor, side).await;
            body = b;
            raw = r;
            p
        }
        _ if mail::owns(route) => {
            let (p, b, r) = mail::prepare(app, route, actor, side).await;
            body = b;
            raw = r;
            p
        }
        _ if expenses::owns(route) => {
            let (p, b, r) = expenses::prepare(app, route, actor, side).await;
            body = b;
            raw = r;
            p
        }
        _ if office::owns(route) => {
            let (p, b, r) = office::prepare(app, route, actor, side).await;
            body = b;
            raw = r;
            p
        }
        _ if tasks::owns(route) => {
            let (p, b, r) = tasks::prepare(app, route, actor, side).await;
            body = b;
            raw = r;
            p
        }
        _ => {
            let (p, b, r) = calendar::prepare(app, route, actor, side).await;
            body = b;
            raw = r;
            p
        }
    };
    let r = match &raw {
        Some(x) => {
            let mut rb = app
                .request(route.method, &path)
                .header(CONTENT_TYPE, x.content_type)
                .body(x.body.clone());
            for (k, v) in &headers {
                rb = rb.header(*k, v);
            }
            send(rb).await
        }
        None => app.call(route.method, &path, &headers, body.as_ref()).await,
    };
    let request = format!(
        "{} {path} {} {}",
        route.method.to_uppercase(),
        headers
            .iter()
            .filter(|(k, _)| *k != "authorization")
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(" "),
        body.map(|b| b.to_string()).unwrap_or_default()
    );
    let label = format!("{request} as {}", actor.role);
    let mut fail = |m: String| fails.push(format!("{label}: {m}"));
    calendar::check(app, route, actor, side, &r, &mut fail).await;
    tasks::check(app, route, actor, side, &r, &mut fail).await;
    office::check(app, route, actor, side, &r, &mut fail).await;
    spaces::check(app, route, actor, side, &r, &mut fail).await;
    assets::check(app, route, actor, side, &r, &mut fail).await;
    expenses::check(app, route, actor, side, &r, &mut fail).await;
    mail::check(app, route, actor, side, &r, &mut fail).await;

    // What a successful answer must contain (and must not).
    if r.status / 100 == 2 {
        let is_admin = actor.role == Role::Admin;
        match (route.method, route.path) {
            ("get", "/api/v1/me") => {
                let v = r.json();
                if v["person"]["id"] != actor.id.to_string() || !v["acting_for"].is_null() {
                    fail(format!("/me shows someone else: {v}"));
                }
            }
            ("get", "/api/v1/people") => {
                let ids = ids_of(&r.json(), "id");
                if actor.role == Role::Contractor {
                    if ids != [actor.id.to_string()] {
                        fail(format!("a contractor sees more than themselves: {ids:?}"));
                    }
                } else if !a.everyone().all(|m| ids.contains(&m.id.to_string())) {
                    fail(format!("the directory misses colleagues: {ids:?}"));
                }
            }
            ("post", "/api/v1/people") => {
                let id: PersonId = r.json()["id"].as_str().unwrap_or_default().parse().unwrap();
                if app.state.store.person_get(a.id, id).await.is_err()
                    || app.state.store.person_get(b.id, id).await.is_ok()
                {
                    fail("the new person is not (only) in the caller's organisation".into());
                }
            }
            ("get", "/api/v1/people/{id}") if r.json()["id"] != person.to_string() => {
                fail(format!("another person came back: {}", r.body));
            }
            ("get", "/api/v1/delegations") => {
                let list = r.json();
                let me = actor.id.to_string();
                for d in list.as_array().unwrap() {
                    if !is_admin && d["principal"] != me && d["delegate"] != me {
                        fail(format!("sees a delegation not theirs: {d}"));
                    }
                }
                let must_see = matches!(actor.role, Role::Admin | Role::Principal | Role::Assistant);
                if must_see && !ids_of(&list, "id").contains(&a.delegation.to_string()) {
                    fail("misses the principal → assistant delegation".into());
                }
            }
            ("get", "/api/v1/tokens") => {
                let list = r.json();
                for t in list.as_array().unwrap() {
                    if t.get("secret").is_some() {
                        fail(format!("a token listing shows a secret: {t}"));
                    }
                    if side == Side::Same && t["person"] != actor.id.to_string() {
                        fail(format!("lists someone else's token: {t}"));
                    }
                }
                if is_admin && side == Side::Other {
                    let owners: BTreeSet<String> = ids_of(&list, "person").into_iter().collect();
                    let all: BTreeSet<String> = a.everyone().map(|m| m.id.to_string()).collect();
                    if !owners.is_subset(&all) || owners.len() < all.len() {
                        fail(format!(
                            "?all=true does not list exactly Northwind's owners: {owners:?}"
                        ));
                    }
                }
            }
            ("post", "/api/v1/tokens") => {
                let v = r.json();
                if v["token"]["person"] != person.to_string()
                    || !v["secret"].as_str().unwrap_or("").starts_with("adj_")
                {
                    fail(format!("unexpected new token: {v}"));
                }
            }
            ("get", "/api/v1/audit") if side == Side::Other => {
                let items = ids_of(&r.json(), "item_id");
                if items != [a.id.to_string()] {
                    fail(format!(
                        "organisation.create entries other than Northwind's: {items:?}"
                    ));
                }
            }
            _ => {}
        }
    }
    // Refusals of other organisations' items leave them as they were.
    if side == Side::Other && r.status / 100 != 2 {
        let target = app.state.store.person_get(b.id, b.target.id).await.unwrap();
        if target.time_zone != "UTC" {
            fail("Contoso's person was changed".into());
        }
    }
    (r, request)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_matrix_covers_every_api_route() {
    let app = spawn_app().await;

    // The table must list exactly the routes the server describes.
    let doc = app.page("/api/v1/openapi.json", None).await.json();
    let mut served = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in [
            "get", "post", "put", "patch", "delete", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                served.insert((method.to_string(), path.clone()));
            }
        }
    }
    let matrix: Vec<&Route> = MATRIX
        .iter()
        .chain(calendar::MATRIX.iter())
        .chain(tasks::MATRIX.iter())
        .chain(office::MATRIX.iter())
        .chain(spaces::MATRIX.iter())
        .chain(assets::MATRIX.iter())
        .chain(expenses::MATRIX.iter())
        .chain(mail::MATRIX.iter())
        .collect();
    let table: BTreeSet<(String, String)> = matrix
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(table.len(), matrix.len(), "duplicate rows in the matrix");
    let missing: Vec<_> = served.difference(&table).collect();
    assert!(missing.is_empty(), "routes without a matrix entry: {missing:?}");
    let stale: Vec<_> = table.difference(&served).collect();
    assert!(
        stale.is_empty(),
        "matrix entries for routes the server lacks: {stale:?}"
    );

    let secrets = app.contoso_secrets();
    let mut fails = Vec::new();
    let mut cells = 0;
    for route in matrix.iter().copied() {
        for role in Role::ALL {
            let actor = app.north.m(role).clone();
            for side in [Side::Same, Side::Own, Side::Other] {
                let Some(want) = (route.want)(role, side) else {
                    continue;
                };
                let (r, request) = run_cell(&app, route, &actor, side, &mut fails).await;
                cells += 1;
                let label = format!("{request} as {role} ({side:?})");
                if !want.accepts(r.status) {
                    fails.push(format!("{label}: want {want:?}, got {} {}", r.status, r.body));
                }
                if side == Side::Other && r.status / 100 == 2 && !matches!(want, Want::Is(s) if s / 100 == 2)
                {
                    fails.push(format!(
                        "{label}: another organisation's item answered {}",
                        r.status
                    ));
                }
                if r.status >= 400 && r.content_type() != "application/problem+json" {
                    fails.push(format!("{label}: a {} that is not a problem document", r.status));
                }
                let lower = r.body.to_lowercase();
                if lower.contains("contoso") {
                    fails.push(format!("{label}: the answer mentions Contoso: {}", r.body));
                }
                for s in &secrets {
                    if r.body.contains(s.as_str()) && !request.contains(s.as_str()) {
                        fails.push(format!("{label}: leaks Contoso's `{s}`"));
                    }
                }
            }
        }
    }

    // Unauthenticated, and with a bearer token nobody issued.
    let any_id = app.north.target.id.to_string();
    for route in matrix.iter().copied() {
        let path = route
            .path
            .replace("{id}", &any_id)
            .replace("{token}", "not-a-link");
        let body = (route.method != "get").then(|| json!({}));
        for auth in [None, Some("adj_not-a-token")] {
            let headers: Vec<(&str, String)> = auth
                .map(|t| vec![("authorization", format!("Bearer {t}"))])
                .unwrap_or_default();
            let r = app.call(route.method, &path, &headers, body.as_ref()).await;
            cells += 1;
            let label = format!("{} {path} with {auth:?}", route.method.to_uppercase());
            if route.public {
                // A public route behind a link answers 404 to a link nobody issued.
                let want = if route.path.contains("{token}") { 404 } else { 200 };
                if r.status != want {
                    fails.push(format!("{label}: public route answered {}, not {want}", r.status));
                }
            } else if r.status != 401
                || r.content_type() != "application/problem+json"
                || r.json()["code"] != "unauthenticated"
            {
                fails.push(format!(
                    "{label}: want a 401 problem, got {} {}",
                    r.status, r.body
                ));
            }
        }
    }

    // Ids are UUIDs, whatever their case: everyone may read their own record.
    for role in Role::ALL {
        let m = app.north.m(role);
        let upper = m.id.to_string().to_uppercase();
        let r = app
            .api("get", &format!("/api/v1/people/{upper}"), &m.token, None)
            .await;
        cells += 1;
        if r.status != 200 {
            fails.push(format!(
                "GET own record as {role} with an upper-case id: {} {}",
                r.status, r.body
            ));
        }
    }

    // Nothing Northwind did touched Contoso.
    let north_ids: HashSet<String> = app.north.everyone().map(|m| m.id.to_string()).collect();
    for e in app.audit(app.contoso.id).await {
        if e.actor.is_some_and(|p| north_ids.contains(&p.to_string())) {
            fails.push(format!("Contoso's audit log has an entry by Northwind: {e:?}"));
        }
    }
    assert_eq!(app.people_count(app.contoso.id).await, 7);
    app.state
        .store
        .delegation_get(app.contoso.id, app.contoso.delegation)
        .await
        .expect("Contoso's delegation survives");
    for m in app.contoso.everyone() {
        let t = app
            .state
            .store
            .token_get(app.contoso.id, m.token_id)
            .await
            .unwrap();
        assert!(
            t.revoked_at.is_none(),
            "Contoso's token of {} was revoked",
            m.name
        );
    }

    eprintln!(
        "access matrix: {cells} cells checked ({} routes × {} roles × same/own/other org, plus unauthenticated)",
        matrix.len(),
        Role::ALL.len()
    );
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
    assert!(cells >= 200, "only {cells} cells");
}

// ---------------------------------------------------------------------------
// 2. Problem documents
// ---------------------------------------------------------------------------

struct Case {
    what: &'static str,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: String,
    status: u16,
    code: &'static str,
    fields: &'static [&'static str],
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problem_documents_name_the_fault_and_write_nothing() {
    let app = spawn_app().await;
    let admin = app.north.m(Role::Admin);
    let json_ct = Some("application/json");
    let random = uuid::Uuid::new_v4().to_string();
    let case = |what: &'static str,
                method: &'static str,
                path: &str,
                content_type: Option<&'static str>,
                body: &str,
                status: u16,
                code: &'static str,
                fields: &'static [&'static str]| Case {
        what,
        method,
        path: path.to_string(),
        content_type,
        body: body.to_string(),
        status,
        code,
        fields,
    };
    let cases = vec![
        case(
            "malformed JSON",
            "post",
            "/api/v1/people",
            json_ct,
            r#"{"name": "x","#,
            400,
            "malformed_json",
            &[],
        ),
        case(
            "unknown field",
            "post",
            "/api/v1/people",
            json_ct,
            r#"{"name":"x","role":"staff","nickname":"y"}"#,
            422,
            "invalid_body",
            &["nickname"],
        ),
        case(
            "wrong type",
            "post",
            "/api/v1/people",
            json_ct,
            r#"{"name":42,"role":"staff"}"#,
            422,
            "invalid_body",
            &["name"],
        ),
        case(
            "missing field",
            "post",
            "/api/v1/people",
            json_ct,
            r#"{"role":"staff"}"#,
            422,
            "invalid_body",
            &["name"],
        ),
        case(
            "no content type",
            "post",
            "/api/v1/people",
            None,
            r#"{"name":"x","role":"staff"}"#,
            415,
            "unsupported_media_type",
            &[],
        ),
        case(
            "text content type",
            "post",
            "/api/v1/people",
            Some("text/plain"),
            r#"{"name":"x","role":"staff"}"#,
            415,
            "unsupported_media_type",
            &[],
        ),
        case(
            "invalid values",
            "post",
            "/api/v1/people",
            json_ct,
            r#"{"name":"Val Id","email":"not-an-email","role":"wizard","time_zone":"Mars/Olympus_Mons"}"#,
            422,
            "validation_failed",
            &["email", "role", "time_zone"],
        ),
        case(
            "short password",
            "post",
            "/api/v1/people",
            json_ct,
            r#"{"name":"Val Id","email":"val@northwind.example","role":"staff","password":"short"}"#,
            422,
            "validation_failed",
            &["password"],
        ),
        case(
            "password without e-mail",
            "post",
            "/api/v1/people",
            json_ct,
            r#"{"name":"Val Id","role":"staff","password":"long enough password"}"#,
            422,
            "validation_failed",
            &["email"],
        ),
        case(
            "duplicate e-mail",
            "post",
            "/api/v1/people",
            json_ct,
            r#"{"name":"Twin","email":"STAFF@northwind.example","role":"staff"}"#,
            409,
            "conflict",
            &[],
        ),
        case(
            "unknown person",
            "get",
            &format!("/api/v1/people/{random}"),
            None,
            "",
            404,
            "not_found",
            &[],
        ),
        case(
            "non-UUID person",
            "get",
            "/api/v1/people/not-a-uuid",
            None,
            "",
            404,
            "not_found",
            &[],
        ),
        case(
            "patch unknown person",
            "patch",
            &format!("/api/v1/people/{random}"),
            json_ct,
            r#"{"name":"x"}"#,
            404,
            "not_found",
            &[],
        ),
        case(
            "patch non-UUID",
            "patch",
            "/api/v1/people/42",
            json_ct,
            r#"{"name":"x"}"#,
            404,
            "not_found",
            &[],
        ),
        case(
            "patch wrong type",
            "patch",
            &format!("/api/v1/people/{}", app.north.target.id),
            json_ct,
            r#"{"disabled":"yes"}"#,
            422,
            "invalid_body",
            &["disabled"],
        ),
        case(
            "patch invalid zone",
            "patch",
            &format!("/api/v1/people/{}", app.north.target.id),
            json_ct,
            r#"{"time_zone":"Nowhere/Land","email":"@"}"#,
            422,
            "validation_failed",
            &["email", "time_zone"],
        ),
        case(
            "disabling oneself",
            "patch",
            &format!("/api/v1/people/{}", admin.id),
            json_ct,
            r#"{"disabled":true}"#,
            409,
            "conflict",
            &[],
        ),
        case(
            "password of unknown person",
            "put",
            &format!("/api/v1/people/{random}/password"),
            json_ct,
            r#"{"password":"long enough password"}"#,
            404,
            "not_found",
            &[],
        ),
        case(
            "delegation nonsense",
            "post",
            "/api/v1/delegations",
            json_ct,
            r#"{"principal":"x","delegate":"y","scopes":["sleeping"],"level":"all"}"#,
            422,
            "validation_failed",
            &["principal", "delegate", "scopes", "level"],
        ),
        case(
            "delegation to oneself",
            "post",
            "/api/v1/delegations",
            json_ct,
            &format!(
                r#"{{"principal":"{0}","delegate":"{0}","scopes":["mail"],"level":"read"}}"#,
                app.north.m(Role::Principal).id
            ),
            422,
            "validation_failed",
            &["delegate"],
        ),
        case(
            "revoke unknown delegation",
            "delete",
            &format!("/api/v1/delegations/{random}"),
            None,
            "",
            404,
            "not_found",
            &[],
        ),
        case(
            "revoke non-UUID token",
            "delete",
            "/api/v1/tokens/nope",
            None,
            "",
            404,
            "not_found",
            &[],
        ),
        case(
            "token that never expires soon enough",
            "post",
            "/api/v1/tokens",
            json_ct,
            r#"{"name":"x","expires_in_days":0}"#,
            422,
            "validation_failed",
            &["expires_in_days"],
        ),
        case(
            "audit limit",
            "get",
            "/api/v1/audit?limit=0",
            None,
            "",
            422,
            "validation_failed",
            &["limit"],
        ),
        case(
            "audit instant",
            "get",
            "/api/v1/audit?before=yesterday",
            None,
            "",
            422,
            "validation_failed",
            &["before"],
        ),
        case(
            "audit unknown parameter",
            "get",
            "/api/v1/audit?bogus=1",
            None,
            "",
            422,
            "invalid_query",
            &["bogus"],
        ),
        case(
            "query value of the wrong type",
            "get",
            "/api/v1/tokens?all=1",
            None,
            "",
            422,
            "invalid_query",
            &["all"],
        ),
        case(
            "body over the 1 MiB limit",
            "post",
            "/api/v1/people",
            json_ct,
            &format!(r#"{{"name":"{}","role":"staff"}}"#, "x".repeat(1024 * 1024 + 1)),
            413,
            "body_unreadable",
            &[],
        ),
        case(
            "unknown route",
            "get",
            "/api/v1/nothing-here",
            None,
            "",
            404,
            "no_such_route",
            &[],
        ),
    ];
    for c in &cases {
        let before = app.snapshot(app.north.id).await;
        let mut rb = app
            .request(c.method, &c.path)
            .header("authorization", format!("Bearer {}", admin.token));
        if let Some(ct) = c.content_type {
            rb = rb.header(CONTENT_TYPE, ct);
        }
        if !c.body.is_empty() {
            rb = rb.body(c.body.clone());
        }
        let r = send(rb).await;
        assert_eq!(r.status, c.status, "{}: {}", c.what, r.body);
        let p = r.problem(c.status, c.code);
        let named: Vec<&str> = p["errors"]
            .as_array()
            .map(|es| es.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        for f in c.fields {
            assert!(named.contains(f), "{}: field `{f}` not named in {p}", c.what);
        }
        if let Some(first) = c.fields.first()
            && (p["code"] == "invalid_body" || p["code"] == "invalid_query")
        {
            assert_eq!(p["errors"][0]["field"], *first, "{}: {p}", c.what);
        }
        assert_security_headers(&r, c.what);
        assert_eq!(
            app.snapshot(app.north.id).await,
            before,
            "{}: something was written",
            c.what
        );
    }
}

// ---------------------------------------------------------------------------
// 3. Request ids and security headers
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_a_request_id_and_security_headers() {
    let app = spawn_app().await;
    let admin = app.north.m(Role::Admin);
    let staff_session = app.sign_in(&app.north.m(Role::Staff).email).await;

    let mut seen_ids = HashSet::new();
    let checks: Vec<(&str, Resp, u16)> = vec![
        ("healthz", app.page("/healthz", None).await, 200),
        ("API 404", app.page("/api/v1/nope", None).await, 404),
        ("API 401", app.page("/api/v1/me", None).await, 401),
        (
            "API 422",
            app.api("post", "/api/v1/people", &admin.token, Some(&json!({"name": ""})))
                .await,
            422,
        ),
        ("HTML 404", app.page("/no/such/page", None).await, 404),
        ("login page", app.page("/login", None).await, 200),
        ("redirect to sign-in", app.page("/people", None).await, 303),
        ("HTML 403", app.page("/audit", Some(&staff_session)).await, 403),
        (
            "cross-site 403",
            send(
                app.form("/logout", Some(&staff_session), &[])
                    .header(ORIGIN, "http://evil.example"),
            )
            .await,
            403,
        ),
        ("metrics", app.page("/metrics", None).await, 200),
        ("stylesheet", app.page("/static/app.css", None).await, 200),
        ("openapi", app.page("/api/v1/openapi.json", None).await, 200),
    ];
    for (what, r, status) in &checks {
        assert_eq!(r.status, *status, "{what}: {}", r.body);
        assert_security_headers(r, what);
        assert!(
            seen_ids.insert(r.header("x-request-id").to_string()),
            "{what}: request id reused"
        );
    }
    let html_404 = &checks[4].1;
    assert!(html_404.content_type().starts_with("text/html"), "{html_404:?}");
    assert!(html_404.body.contains("There is no page at this address."));
    let html_403 = &checks[7].1;
    assert!(html_403.content_type().starts_with("text/html"));

    // A request id sent by the client (e.g. a proxy) is kept.
    let r = send(
        app.http
            .get(app.url("/api/v1/me"))
            .header("x-request-id", "trace-me-42"),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("x-request-id"), "trace-me-42");
}

// ---------------------------------------------------------------------------
// 4. Health, metrics, OpenAPI
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_openapi() {
    let app = spawn_app().await;
    let r = app.page("/healthz", None).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type().starts_with("application/json"));
    assert_eq!(r.json(), json!({"status": "ok", "database": "ok"}));

    app.page("/api/v1/nope", None).await;
    app.api("get", "/api/v1/me", &app.north.m(Role::Staff).token, None)
        .await;
    let m = app.page("/metrics", None).await;
    assert_eq!(m.status, 200);
    assert!(m.content_type().starts_with("text/plain"), "{}", m.content_type());
    for line in [
        "# TYPE adjutant_http_requests_total counter",
        "adjutant_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1",
        "adjutant_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"200\"} 1",
        "status=\"404\"",
        "adjutant_up 1",
        "adjutant_database_up 1",
        "adjutant_http_request_duration_seconds_count{route=\"/healthz\"} 1",
    ] {
        assert!(m.body.contains(line), "metrics lack `{line}`:\n{}", m.body);
    }

    let doc = app.page("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["paths"]["/api/v1/people"]["post"].is_object());
}

// ---------------------------------------------------------------------------
// 5. Tokens
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_tokens_live_and_die() {
    let app = spawn_app().await;
    let staff = app.north.m(Role::Staff);

    // Created via the API, the secret is shown once and works.
    let r = app
        .api(
            "post",
            "/api/v1/tokens",
            &staff.token,
            Some(&json!({"name": "laptop CLI", "expires_in_days": 30})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    let secret = v["secret"].as_str().unwrap().to_string();
    let id = v["token"]["id"].as_str().unwrap().to_string();
    assert!(secret.starts_with("adj_"));
    assert!(v["token"]["expires_at"].is_string());
    let me = app.api("get", "/api/v1/me", &secret, None).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["person"]["id"], staff.id.to_string());

    // Listings never show secrets, not even to administrators.
    let own = app.api("get", "/api/v1/tokens", &secret, None).await;
    let all = app
        .api(
            "get",
            "/api/v1/tokens?all=true",
            &app.north.m(Role::Admin).token,
            None,
        )
        .await;
    for list in [&own, &all] {
        assert_eq!(list.status, 200);
        assert!(!list.body.contains(&secret) && !list.body.contains(&staff.token));
        assert!(!list.body.contains("secret"), "{}", list.body);
        assert!(ids_of(&list.json(), "id").contains(&id));
    }
    let listed = own.json();
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap();
    assert!(entry["last_used_at"].is_string(), "use is recorded: {entry}");

    // Revoked: 401 afterwards.
    let r = app
        .api("delete", &format!("/api/v1/tokens/{id}"), &staff.token, None)
        .await;
    assert_eq!(r.status, 200);
    assert!(r.json()["revoked_at"].is_string());
    app.api("get", "/api/v1/me", &secret, None)
        .await
        .problem(401, "unauthenticated");
    // Revoking twice is harmless.
    assert_eq!(
        app.api("delete", &format!("/api/v1/tokens/{id}"), &staff.token, None)
            .await
            .status,
        200
    );

    // Expired: 401.
    let expired = "adj_expired-token-for-the-test";
    app.state
        .store
        .token_create(
            app.north.id,
            staff.id,
            "old",
            &adjutant_server::secrets::token_hash(expired),
            Some(now().checked_sub(jiff::SignedDuration::from_hours(1)).unwrap()),
            &AuditCtx::system("test", now()),
        )
        .await
        .unwrap();
    app.api("get", "/api/v1/me", expired, None)
        .await
        .problem(401, "unauthenticated");

    // A disabled person's token: disabling revokes their tokens...
    let target = &app.north.target;
    let r = app
        .api(
            "patch",
            &format!("/api/v1/people/{}", target.id),
            &app.north.m(Role::Admin).token,
            Some(&json!({"disabled": true})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.api("get", "/api/v1/me", &target.token, None)
        .await
        .problem(401, "unauthenticated");
    // ...and even a token that slipped past (stored directly) does not work.
    let late = "adj_token-of-a-disabled-person";
    app.state
        .store
        .token_create(
            app.north.id,
            target.id,
            "late",
            &adjutant_server::secrets::token_hash(late),
            None,
            &AuditCtx::system("test", now()),
        )
        .await
        .unwrap();
    app.api("get", "/api/v1/me", late, None)
        .await
        .problem(401, "unauthenticated");
    // No new tokens for a disabled person.
    let r = app
        .api(
            "post",
            "/api/v1/tokens",
            &app.north.m(Role::Admin).token,
            Some(&json!({"name": "x", "person": target.id.to_string()})),
        )
        .await;
    r.problem(422, "validation_failed");

    // Other authorization schemes and malformed headers are not tokens.
    for header in ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", "adj_whatever"] {
        let r = app
            .call(
                "get",
                "/api/v1/me",
                &[("authorization", header.to_string())],
                None,
            )
            .await;
        r.problem(401, "unauthenticated");
    }
}

// ---------------------------------------------------------------------------
// 6. Delegation and acting for
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acting_for_needs_a_delegation_and_is_audited() {
    let app = spawn_app().await;
    let n = &app.north;
    let assistant = n.m(Role::Assistant);
    let principal = n.m(Role::Principal);
    let admin = n.m(Role::Admin);
    let act_for =
        |token: &str, whom: String| vec![("authorization", format!("Bearer {token}")), ("x-act-for", whom)];

    let me = app
        .call(
            "get",
            "/api/v1/me",
            &act_for(&assistant.token, principal.id.to_string()),
            None,
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    let v = me.json();
    assert_eq!(v["acting_for"], principal.id.to_string());
    assert_eq!(v["person"]["id"], assistant.id.to_string());
    assert!(ids_of(&v["delegations"], "id").contains(&n.delegation.to_string()));

    // Acting for oneself is just oneself.
    let v = app
        .call(
            "get",
            "/api/v1/me",
            &act_for(&assistant.token, assistant.id.to_string()),
            None,
        )
        .await
        .json();
    assert!(v["acting_for"].is_null());

    // Without a delegation, or with garbage: 403.
    for (who, whom) in [
        (assistant, n.m(Role::OfficeManager).id.to_string()),
        (n.m(Role::Staff), principal.id.to_string()),
        (admin, principal.id.to_string()),
        (assistant, app.contoso.m(Role::Principal).id.to_string()),
        (assistant, "not-a-uuid".to_string()),
    ] {
        app.call("get", "/api/v1/me", &act_for(&who.token, whom.clone()), None)
            .await
            .problem(403, "forbidden");
    }

    // A change made while acting for is recorded as the assistant's, for the principal.
    let r = app
        .call(
            "post",
            "/api/v1/tokens",
            &act_for(&assistant.token, principal.id.to_string()),
            Some(&json!({"name": "for Paul's calendar sync"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let token_id = r.json()["token"]["id"].as_str().unwrap().to_string();
    let audit = app
        .api("get", "/api/v1/audit?action=token.create", &admin.token, None)
        .await;
    assert_eq!(audit.status, 200);
    let entries = audit.json();
    let entry = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["item_id"] == token_id.as_str())
        .unwrap_or_else(|| panic!("no audit entry for the token: {entries}"));
    assert_eq!(entry["actor"], assistant.id.to_string());
    assert_eq!(entry["on_behalf_of"], principal.id.to_string());
    assert_eq!(entry["action"], "token.create");
    // Without X-Act-For nothing is recorded on anyone's behalf.
    app.api(
        "post",
        "/api/v1/tokens",
        &assistant.token,
        Some(&json!({"name": "mine"})),
    )
    .await;
    let entries = app
        .api(
            "get",
            &format!("/api/v1/audit?action=token.create&actor={}", assistant.id),
            &admin.token,
            None,
        )
        .await
        .json();
    assert_eq!(entries.as_array().unwrap().len(), 2);
    assert!(entries[0]["on_behalf_of"].is_null(), "newest first: {entries}");

    // The same through a browser session: switch to acting for, then revoke.
    let session = app.sign_in(&assistant.email).await;
    let r = app
        .post_form(
            "/act-for",
            Some(&session),
            &[("principal", &principal.id.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/?notice=acting-changed");
    let cookie = format!("adjutant_session={session}");
    let me = app
        .call("get", "/api/v1/me", &[("cookie", cookie.clone())], None)
        .await
        .json();
    assert_eq!(me["acting_for"], principal.id.to_string());
    let home = app.page("/", Some(&session)).await;
    assert!(
        home.body
            .contains("You are acting for <strong>Paul Northwind</strong>")
    );
    // Switching to someone who gave no delegation is refused.
    let r = app
        .post_form(
            "/act-for",
            Some(&session),
            &[("principal", &admin.id.to_string())],
        )
        .await;
    assert_eq!(r.status, 403);

    // The principal revokes: X-Act-For is refused, the session falls back to the assistant.
    let r = app
        .api(
            "delete",
            &format!("/api/v1/delegations/{}", n.delegation),
            &principal.token,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.call(
        "get",
        "/api/v1/me",
        &act_for(&assistant.token, principal.id.to_string()),
        None,
    )
    .await
    .problem(403, "forbidden");
    let me = app
        .call("get", "/api/v1/me", &[("cookie", cookie)], None)
        .await
        .json();
    assert!(me["acting_for"].is_null(), "{me}");
    let revoked = app
        .api(
            "get",
            "/api/v1/audit?action=delegation.revoke",
            &admin.token,
            None,
        )
        .await
        .json();
    assert_eq!(revoked[0]["actor"], principal.id.to_string());
    assert_eq!(revoked[0]["item_id"], n.delegation.to_string());
}

// ---------------------------------------------------------------------------
// 7. Web sign-in
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_sign_in_sessions_and_sign_out() {
    let app = spawn_app().await;
    let admin = app.north.m(Role::Admin);

    let r = app.page("/login", None).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type().starts_with("text/html"));
    assert!(r.body.contains("<form method=\"post\" action=\"/login\">"));

    // Not signed in: pages redirect to the sign-in page, remembering where to go.
    let r = app.page("/people?x=1", None).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login?next=/people%3Fx%3D1");

    // Signing in sets an HttpOnly, SameSite=Lax session cookie and follows `next`.
    let r = app.login(&admin.email, PASSWORD, "/people", None).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/people");
    let set = r.set_cookie();
    assert!(set.starts_with("adjutant_session="), "{set}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(set.contains(attr), "cookie lacks {attr}: {set}");
    }
    assert!(!set.contains("Secure"), "plain-HTTP test server: {set}");
    let first = r.session_cookie().unwrap();
    let home = app.page("/", Some(&first)).await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Ada Northwind"), "{}", home.body);
    assert!(home.body.contains("Good "));
    // The e-mail is matched case-insensitively.
    let r = app.login(" ADMIN@Northwind.Example ", PASSWORD, "/", None).await;
    assert_eq!(r.status, 303);

    // Open redirects are refused.
    for evil in [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "evil",
    ] {
        let r = app.login(&admin.email, PASSWORD, evil, None).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/", "next={evil}");
    }

    // Signing in again while holding a cookie replaces that session.
    let r = app.login(&admin.email, PASSWORD, "/", Some(&first)).await;
    assert_eq!(r.status, 303);
    let second = r.session_cookie().unwrap();
    assert_ne!(first, second);
    let old = app.page("/", Some(&first)).await;
    assert_eq!(old.status, 303);
    assert!(old.location().starts_with("/login"), "{}", old.location());
    assert_eq!(app.page("/", Some(&second)).await.status, 200);

    // Sign out ends the session and clears the cookie.
    let r = app.post_form("/logout", Some(&second), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login");
    assert_eq!(r.session_cookie().as_deref(), Some(""));
    assert!(r.set_cookie().contains("Max-Age=0"));
    assert!(
        app.page("/", Some(&second))
            .await
            .location()
            .starts_with("/login")
    );
    app.call(
        "get",
        "/api/v1/me",
        &[("cookie", format!("adjutant_session={second}"))],
        None,
    )
    .await
    .problem(401, "unauthenticated");

    // "Log out everywhere" ends every session of that person, and only theirs.
    let s1 = app.sign_in(&admin.email).await;
    let s2 = app.sign_in(&admin.email).await;
    let other = app.sign_in(&app.north.m(Role::Staff).email).await;
    assert_ne!(s1, s2);
    let r = app.post_form("/account/logout-everywhere", Some(&s1), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login");
    assert!(
        r.set_cookie().contains("adjutant_session=;") && r.set_cookie().contains("Max-Age=0"),
        "the browser's cookie is cleared too: {}",
        r.set_cookie()
    );
    for s in [&s1, &s2] {
        assert!(app.page("/", Some(s)).await.location().starts_with("/login"));
    }
    assert_eq!(app.page("/", Some(&other)).await.status, 200);
    let entries = app
        .api(
            "get",
            "/api/v1/audit?action=session.revoke_all",
            &admin.token,
            None,
        )
        .await
        .json();
    assert_eq!(entries[0]["item_id"], admin.id.to_string());

    // The API can do the same for oneself.
    let s3 = app.sign_in(&admin.email).await;
    let r = app
        .api(
            "post",
            &format!("/api/v1/people/{}/sessions/revoke", admin.id),
            &admin.token,
            None,
        )
        .await;
    assert_eq!(r.json()["sessions_ended"], 1);
    assert!(app.page("/", Some(&s3)).await.location().starts_with("/login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_look_alike_and_are_throttled() {
    let app = spawn_app().await;
    let staff = app.north.m(Role::Staff);
    let om = app.north.m(Role::OfficeManager);

    // Wrong password, unknown account, disabled account: the same answer.
    let wrong = app.login(&staff.email, "not the password", "/", None).await;
    let unknown = app.login("nobody@northwind.example", PASSWORD, "/", None).await;
    app.api(
        "patch",
        &format!("/api/v1/people/{}", app.north.target.id),
        &app.north.m(Role::Admin).token,
        Some(&json!({"disabled": true})),
    )
    .await;
    let disabled = app.login(&app.north.target.email, PASSWORD, "/", None).await;
    for r in [&wrong, &unknown, &disabled] {
        assert_eq!(r.status, 401, "{}", r.body);
        assert!(r.session_cookie().is_none());
        assert_eq!(
            r.alert(),
            "That e-mail address and password do not match an account."
        );
    }

    // Five failures for an account: the sixth attempt is refused, right password or not.
    for i in 0..4 {
        let r = app
            .login(&om.email, &format!("wrong password {i}"), "/", None)
            .await;
        assert_eq!(r.status, 401);
    }
    // Failures of other accounts and a success elsewhere do not count for this one.
    assert_eq!(app.login(&staff.email, PASSWORD, "/", None).await.status, 303);
    let r = app.login(&om.email, "wrong password 5", "/", None).await;
    assert_eq!(r.status, 401);
    let r = app.login(&om.email, PASSWORD, "/", None).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.header("retry-after"), "900");
    assert!(r.session_cookie().is_none());
    assert!(r.alert().contains("Too many failed sign-ins"), "{}", r.alert());
    // The account key is case-insensitive.
    let r = app.login(&om.email.to_uppercase(), PASSWORD, "/", None).await;
    assert_eq!(r.status, 429);
    // Other accounts still sign in.
    assert_eq!(app.login(&staff.email, PASSWORD, "/", None).await.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_is_found_among_other_cookies() {
    let app = spawn_app().await;
    let s = app.sign_in(&app.north.m(Role::Staff).email).await;
    for header in [
        format!("theme=dark; adjutant_session={s}"),
        format!("adjutant_session={s}; theme=dark"),
        // A cookie without `=` (browsers send `document.cookie = "flag"` like this).
        format!("flag; adjutant_session={s}"),
    ] {
        let r = send(app.http.get(app.url("/")).header(COOKIE, &header)).await;
        assert_eq!(r.status, 200, "Cookie: {header} → {} {}", r.status, r.location());
    }
}

// ---------------------------------------------------------------------------
// 8. TOTP
// ---------------------------------------------------------------------------

fn totp_code(secret: &[u8]) -> String {
    format!("{:06}", adjutant_core::totp::code_at(secret, now().as_second()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_second_step() {
    let app = spawn_app().await;
    let p = app.north.m(Role::Principal);
    let secret = b"12345678901234567890".to_vec();
    app.state
        .store
        .credential_set_totp(
            app.north.id,
            p.id,
            Some(&secret),
            &AuditCtx::system("test", now()),
        )
        .await
        .unwrap();

    let r = app.login(&p.email, PASSWORD, "/", None).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login/totp?next=/");
    let pending = r.session_cookie().unwrap();
    assert!(r.set_cookie().contains("HttpOnly"));
    // Half signed in is not signed in.
    let home = app.page("/", Some(&pending)).await;
    assert_eq!(home.status, 303);
    assert!(home.location().starts_with("/login"));
    app.call(
        "get",
        "/api/v1/me",
        &[("cookie", format!("adjutant_session={pending}"))],
        None,
    )
    .await
    .problem(401, "unauthenticated");
    let page = app.page("/login/totp", Some(&pending)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("action=\"/login/totp?next=/\""),
        "{}",
        page.body
    );

    // A wrong code is refused; the pending session stays usable for a retry.
    let bad = (adjutant_core::totp::code_at(&secret, now().as_second()) + 1) % 1_000_000;
    let r = app
        .post_form("/login/totp", Some(&pending), &[("code", &format!("{bad:06}"))])
        .await;
    assert_eq!(r.status, 401);
    assert!(r.session_cookie().is_none());

    let code = totp_code(&secret);
    let r = app
        .post_form("/login/totp", Some(&pending), &[("code", &code)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/");
    let full = r.session_cookie().unwrap();
    assert_ne!(full, pending);
    let home = app.page("/", Some(&full)).await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Paul Northwind"));
    // The pending session was replaced.
    let r = app
        .post_form("/login/totp", Some(&pending), &[("code", &code)])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login");

    // Replaying the same code in a new sign-in fails.
    let r = app.login(&p.email, PASSWORD, "/", None).await;
    let pending2 = r.session_cookie().unwrap();
    let r = app
        .post_form("/login/totp", Some(&pending2), &[("code", &code)])
        .await;
    assert_eq!(r.status, 401, "a replayed code was accepted");
    assert!(r.alert().contains("already used"), "{}", r.alert());
    assert!(r.session_cookie().is_none());
    assert!(
        app.page("/", Some(&pending2))
            .await
            .location()
            .starts_with("/login")
    );
}

// ---------------------------------------------------------------------------
// 9. Web forms and the CSRF guard
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_forms_create_people_and_manage_delegations() {
    let app = spawn_app().await;
    let n = &app.north;
    let admin = app.sign_in(&n.m(Role::Admin).email).await;
    let staff = app.sign_in(&n.m(Role::Staff).email).await;
    let principal = app.sign_in(&n.m(Role::Principal).email).await;

    for path in ["/", "/people", "/delegations", "/tokens", "/audit", "/account"] {
        let r = app.page(path, Some(&admin)).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.content_type().starts_with("text/html"));
    }

    // An administrator adds a person.
    let before = app.snapshot(n.id).await;
    let r = app
        .post_form(
            "/people",
            Some(&admin),
            &[
                ("name", "Nina New"),
                ("email", "nina@northwind.example"),
                ("role", "office_manager"),
                ("time_zone", "Europe/Amsterdam"),
                ("password", "a fine long password"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/people?notice=person-created");
    assert_eq!(app.people_count(n.id).await, before.0 + 1);
    let nina = app
        .state
        .store
        .person_by_email(n.id, "nina@northwind.example")
        .await
        .unwrap();
    assert_eq!(nina.role, Role::OfficeManager);
    assert!(nina.has_login);
    let created = app.audit(n.id).await;
    assert_eq!(created[0].action, "person.create");
    assert_eq!(created[0].item_id.as_deref(), Some(nina.id.to_string().as_str()));
    assert_eq!(created[0].actor, Some(n.m(Role::Admin).id));
    let page = app.page("/people?notice=person-created", Some(&admin)).await;
    assert!(page.body.contains("Person added.") && page.body.contains("Nina New"));
    // Nina can sign in with the password the form gave her.
    let r = app
        .login("nina@northwind.example", "a fine long password", "/", None)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Invalid input: 422, the fields named, nothing written.
    let before = app.snapshot(n.id).await;
    let r = app
        .post_form(
            "/people",
            Some(&admin),
            &[
                ("name", "Bad Input"),
                ("email", "not-an-address"),
                ("role", "wizard"),
                ("time_zone", "Mars/Olympus_Mons"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.content_type().starts_with("text/html"));
    let alert = r.alert();
    for f in ["email — ", "role — ", "time_zone — ", "password — "] {
        assert!(alert.contains(f), "`{f}` not named in: {alert}");
    }
    assert!(
        r.body.contains("value=\"Bad Input\""),
        "the form keeps what was typed"
    );
    assert_eq!(app.snapshot(n.id).await, before);
    // A duplicate e-mail is a user error too.
    let r = app
        .post_form(
            "/people",
            Some(&admin),
            &[
                ("name", "Twin"),
                ("email", "nina@northwind.example"),
                ("role", "staff"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.alert().contains("already exists"), "{}", r.alert());
    assert_eq!(app.snapshot(n.id).await, before);

    // Staff may not.
    let r = app
        .post_form(
            "/people",
            Some(&staff),
            &[
                ("name", "Sneaky"),
                ("email", "sneaky@northwind.example"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.content_type().starts_with("text/html"));
    assert!(r.body.contains("only administrators manage people"));
    assert_eq!(app.snapshot(n.id).await, before);
    assert_eq!(app.page("/audit", Some(&staff)).await.status, 403);
    // Forms over the 1 MiB body limit are refused too.
    let big = "x".repeat(1024 * 1024 + 1);
    let r = app
        .post_form("/people", Some(&admin), &[("name", &big), ("role", "staff")])
        .await;
    assert_eq!(r.status, 413);
    assert_security_headers(&r, "413");
    assert_eq!(app.snapshot(n.id).await, before);
    assert_eq!(
        app.page(&format!("/people/{}", n.target.id), Some(&staff))
            .await
            .status,
        403
    );

    // The principal grants a delegation (scopes repeated), the administrator revokes it.
    let p_id = n.m(Role::Principal).id.to_string();
    let om_id = n.m(Role::OfficeManager).id.to_string();
    let r = app
        .post_form(
            "/delegations",
            Some(&principal),
            &[
                ("principal", &p_id),
                ("delegate", &om_id),
                ("scopes", "calendar"),
                ("scopes", "travel"),
                ("level", "read"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/delegations?notice=delegation-granted");
    let filter = DelegationFilter {
        principal: Some(n.m(Role::Principal).id),
        delegate: Some(n.m(Role::OfficeManager).id),
    };
    let ds = app.state.store.delegation_list(n.id, filter).await.unwrap();
    assert_eq!(ds.len(), 1);
    let scopes: Vec<&str> = ds[0].scopes.iter().map(|s| s.as_str()).collect();
    assert_eq!(scopes, ["calendar", "travel"]);
    assert_eq!(ds[0].level.as_str(), "read");
    let d_id = ds[0].id.to_string();
    let granted = app.audit(n.id).await;
    assert_eq!(granted[0].action, "delegation.grant");
    assert_eq!(granted[0].actor, Some(n.m(Role::Principal).id));

    // Staff may neither grant for the principal nor revoke.
    let r = app
        .post_form(
            "/delegations",
            Some(&staff),
            &[
                ("principal", &p_id),
                ("delegate", &om_id),
                ("scopes", "mail"),
                ("level", "act"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .post_form(&format!("/delegations/{d_id}/revoke"), Some(&staff), &[])
        .await;
    assert_eq!(r.status, 403);
    // No scopes: 422 naming them.
    let r = app
        .post_form(
            "/delegations",
            Some(&principal),
            &[("principal", &p_id), ("delegate", &om_id), ("level", "act")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.alert().contains("scopes — "), "{}", r.alert());

    let r = app
        .post_form(&format!("/delegations/{d_id}/revoke"), Some(&admin), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/delegations?notice=delegation-revoked");
    assert!(
        app.state
            .store
            .delegation_list(n.id, filter)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.audit(n.id).await[0].action, "delegation.revoke");
    let r = app
        .post_form(&format!("/delegations/{d_id}/revoke"), Some(&admin), &[])
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_guard_refuses_cross_site_requests() {
    let app = spawn_app().await;
    let n = &app.north;
    let admin = app.sign_in(&n.m(Role::Admin).email).await;
    let fields: &[(&str, &str)] = &[
        ("name", "Mallory"),
        ("email", "mallory@northwind.example"),
        ("role", "admin"),
    ];
    let before = app.snapshot(n.id).await;

    let refused = [
        (
            "cross-site Origin",
            vec![(ORIGIN.as_str(), "http://evil.example")],
        ),
        ("cross-site fetch", vec![("sec-fetch-site", "cross-site")]),
        (
            "same-site but another origin",
            vec![
                ("sec-fetch-site", "same-site"),
                (ORIGIN.as_str(), app.origin.as_str()),
            ],
        ),
        ("Origin: null", vec![(ORIGIN.as_str(), "null")]),
        ("no origin information", vec![]),
    ];
    for (what, headers) in &refused {
        let mut rb = app.form("/people", Some(&admin), fields);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = send(rb).await;
        let p = r.problem(403, "cross_site_request");
        assert!(p["detail"].as_str().unwrap().contains("own pages"), "{what}: {p}");
    }
    // Sign-in and sign-out forms are guarded too (login CSRF).
    let r = send(
        app.form(
            "/login",
            None,
            &[("email", &n.m(Role::Staff).email), ("password", PASSWORD)],
        )
        .header(ORIGIN, "http://evil.example"),
    )
    .await;
    r.problem(403, "cross_site_request");
    assert!(r.session_cookie().is_none());
    send(
        app.form("/logout", Some(&admin), &[])
            .header("sec-fetch-site", "cross-site"),
    )
    .await
    .problem(403, "cross_site_request");
    assert_eq!(app.page("/", Some(&admin)).await.status, 200, "still signed in");
    // The JSON API with a session cookie is a browser request as well.
    let r = app
        .call(
            "post",
            "/api/v1/people",
            &[
                ("cookie", format!("adjutant_session={admin}")),
                ("origin", "http://evil.example".into()),
            ],
            Some(&json!({"name": "Mallory", "role": "staff"})),
        )
        .await;
    r.problem(403, "cross_site_request");
    assert_eq!(app.snapshot(n.id).await, before, "nothing was written");

    // Same-origin requests pass, by Sec-Fetch-Site or by Origin.
    let r = send(
        app.form("/people", Some(&admin), fields)
            .header("sec-fetch-site", "same-origin"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = app
        .call(
            "post",
            "/api/v1/people",
            &[
                ("cookie", format!("adjutant_session={admin}")),
                ("origin", app.origin.clone()),
            ],
            Some(&json!({"name": "Session Made", "role": "staff"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Bearer-token clients are not browsers: no origin needed.
    let r = app
        .call(
            "post",
            "/api/v1/people",
            &[
                ("authorization", format!("Bearer {}", n.m(Role::Admin).token)),
                ("origin", "http://evil.example".into()),
            ],
            Some(&json!({"name": "Token Made", "role": "staff"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Safe methods are never blocked.
    let r = send(
        app.http
            .get(app.url("/people"))
            .header(COOKIE, format!("adjutant_session={admin}"))
            .header("sec-fetch-site", "cross-site"),
    )
    .await;
    assert_eq!(r.status, 200);
}

// ---------------------------------------------------------------------------
// 10. Organisation isolation
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisations_do_not_see_each_other() {
    let app = spawn_app().await;
    let (a, b) = (&app.north, &app.contoso);
    let admin = a.m(Role::Admin);
    let session = app.sign_in(&admin.email).await;

    // A Contoso change, so both logs have fresh entries.
    let r = app
        .api(
            "post",
            "/api/v1/people",
            &b.m(Role::Admin).token,
            Some(&json!({"name": "Only Contoso", "role": "staff"})),
        )
        .await;
    assert_eq!(r.status, 201);

    for other in b.everyone() {
        let r = app.page(&format!("/people/{}", other.id), Some(&session)).await;
        assert_eq!(r.status, 404, "web page of {}", other.name);
        assert!(r.content_type().starts_with("text/html"));
        assert!(!r.body.contains(&other.name));
        let r = app
            .post_form(
                &format!("/people/{}", other.id),
                Some(&session),
                &[("name", "Hijacked")],
            )
            .await;
        assert_eq!(r.status, 404, "web update of {}", other.name);
        let r = app
            .post_form(
                &format!("/people/{}/password", other.id),
                Some(&session),
                &[("password", "hijacked password")],
            )
            .await;
        assert_eq!(r.status, 404);
        app.api("get", &format!("/api/v1/people/{}", other.id), &admin.token, None)
            .await
            .problem(404, "not_found");
    }
    let r = app
        .post_form(
            &format!("/tokens/{}/revoke", b.m(Role::Staff).token_id),
            Some(&session),
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
    let r = app
        .post_form(
            &format!("/delegations/{}/revoke", b.delegation),
            Some(&session),
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
    // Contoso's principal is not a person Northwind can delegate to.
    let r = app
        .post_form(
            "/delegations",
            Some(&session),
            &[
                ("principal", &a.m(Role::Principal).id.to_string()),
                ("delegate", &b.m(Role::Assistant).id.to_string()),
                ("scopes", "mail"),
                ("level", "act"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);

    // Northwind's audit log never includes Contoso's entries, whichever way it is read.
    let b_entries: HashSet<String> = app.audit(b.id).await.iter().map(|e| e.id.to_string()).collect();
    let a_log = app
        .api("get", "/api/v1/audit?limit=1000", &admin.token, None)
        .await;
    assert_eq!(a_log.status, 200);
    let a_ids = ids_of(&a_log.json(), "id");
    assert!(!a_ids.is_empty());
    assert!(a_ids.iter().all(|id| !b_entries.contains(id)));
    assert!(!a_log.body.to_lowercase().contains("contoso"));
    for q in [
        format!("item={}", b.id),
        format!("actor={}", b.m(Role::Admin).id),
        format!("item={}", b.delegation),
    ] {
        let r = app
            .api("get", &format!("/api/v1/audit?{q}"), &admin.token, None)
            .await;
        assert_eq!(r.json(), json!([]), "{q}");
    }
    let web_log = app.page("/audit", Some(&session)).await;
    assert_eq!(web_log.status, 200);
    assert!(!web_log.body.to_lowercase().contains("contoso"));
    for p in app.page("/people", Some(&session)).await.body.lines() {
        assert!(!p.to_lowercase().contains("contoso"), "{p}");
    }
    // And the other way round.
    let b_log = app
        .api("get", "/api/v1/audit?limit=1000", &b.m(Role::Admin).token, None)
        .await;
    assert!(!b_log.body.to_lowercase().contains("northwind"));
}

#[tokio::test(flavor = "multi_thread")]
async fn act_for_header_applies_to_sessions_and_stale_tokens_must_sign_in_again() {
    let app = spawn_app().await;
    let assistant = app.north.m(Role::Assistant);
    let principal = app.north.m(Role::Principal);
    let staff = app.north.m(Role::Staff);
    let cookie = format!("adjutant_session={}", app.sign_in(&assistant.email).await);

    // With a session, X-Act-For works as with a token...
    let me = app
        .call(
            "get",
            "/api/v1/me",
            &[
                ("cookie", cookie.clone()),
                ("x-act-for", principal.id.to_string()),
            ],
            None,
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["acting_for"], principal.id.to_string());
    // ...and is refused, not ignored, without a delegation.
    app.call(
        "get",
        "/api/v1/me",
        &[("cookie", cookie.clone()), ("x-act-for", staff.id.to_string())],
        None,
    )
    .await
    .problem(403, "forbidden");
    app.call(
        "get",
        "/api/v1/me",
        &[("cookie", cookie), ("x-act-for", "not-an-id".into())],
        None,
    )
    .await
    .problem(403, "forbidden");

    // An invalid token is told to authenticate, whatever X-Act-For says.
    app.call(
        "get",
        "/api/v1/me",
        &[
            ("authorization", "Bearer adj_nope".into()),
            ("x-act-for", principal.id.to_string()),
        ],
        None,
    )
    .await
    .problem(401, "unauthenticated");
}
