//! The store's conformance suite: every story is written once and run against
//! SQLite (always, in a fresh temporary directory) and against PostgreSQL (in a
//! fresh database of its own) when `ADJUTANT_TEST_POSTGRES_URL` is set, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`.
//!
//! Time is never read from the clock: every change carries an [`AuditCtx`]
//! with a fixed timestamp, so the stories are deterministic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{DelegationId, OrgId, PersonId, TokenId};
use adjutant_core::people::{OrgSlug, Role};
use adjutant_store::auth::NewSession;
use adjutant_store::delegations::DelegationFilter;
use adjutant_store::maintenance::verify_backup;
use adjutant_store::{
    AuditCtx, AuditEntry, AuditFilter, Backend, MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE, NewPerson,
    Organisation, Person, PersonPatch, Session, Store, StoreError,
};
use jiff::Timestamp;
use std::any::Any;
use std::future::Future;
use std::io::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context, Poll};

/// The environment variable naming a PostgreSQL server to run the suite against.
const POSTGRES_ENV: &str = "ADJUTANT_TEST_POSTGRES_URL";

// ---------------------------------------------------------------------------
// Engines
// ---------------------------------------------------------------------------

/// Where a test database lives, so it can be reached with raw SQL and removed.
#[derive(Debug, Clone)]
enum Place {
    /// A temporary directory holding `adjutant.db`.
    Sqlite { dir: PathBuf },
    /// A database of its own on the server at `admin_url`.
    Postgres {
        admin_url: String,
        url: String,
        database: String,
    },
}

impl Place {
    /// Removes the database; best effort, never fails the test.
    async fn remove(&self) {
        match self {
            Place::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::Postgres {
                admin_url, database, ..
            } => {
                if let Ok(admin) = sqlx::PgPool::connect(admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&admin).await;
                    admin.close().await;
                }
            }
        }
    }
}

/// Removes the database when a run fails before [`Db::finish`] (e.g. while
/// opening or migrating); stories themselves fail through [`run_on_each`].
struct Guard {
    engine: &'static str,
    place: Option<Place>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let Some(place) = self.place.take() else {
            return;
        };
        if std::thread::panicking() {
            eprintln!("store suite: failed on {}", self.engine);
        }
        // We may be inside a runtime that is unwinding: clean up on a thread of our own.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(place.remove());
            }
        })
        .join();
    }
}

/// One engine a story runs on.
struct Db {
    store: Store,
    place: Place,
    guard: Guard,
}

impl Db {
    /// A store in a fresh temporary directory (not yet migrated).
    async fn sqlite() -> Db {
        let dir = std::env::temp_dir().join(format!("adjutant-store-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("create the temporary directory");
        let place = Place::Sqlite { dir: dir.clone() };
        let guard = Guard {
            engine: "SQLite",
            place: Some(place.clone()),
        };
        let store = Store::open_sqlite(&dir).await.expect("open SQLite");
        Db { store, place, guard }
    }

    /// A store in a fresh database on the server at `admin_url` (not yet migrated).
    async fn postgres(admin_url: &str) -> Db {
        let database = format!("adjutant_test_{}", uuid::Uuid::new_v4().simple());
        let admin = sqlx::PgPool::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("connect to {POSTGRES_ENV}={admin_url}: {e}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{database}\"")))
            .execute(&admin)
            .await
            .expect("create the test database");
        admin.close().await;
        let url = with_database(admin_url, &database);
        let place = Place::Postgres {
            admin_url: admin_url.to_string(),
            url: url.clone(),
            database,
        };
        let guard = Guard {
            engine: "PostgreSQL",
            place: Some(place.clone()),
        };
        let store = Store::open_postgres(&url).await.expect("open PostgreSQL");
        Db { store, place, guard }
    }

    /// Runs raw SQL on this database, beside the store (to simulate what the API cannot).
    async fn exec(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match &self.place {
            Place::Sqlite { .. } => {
                let path = self.store.sqlite_path().expect("a SQLite store has a path");
                let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
                let pool = sqlx::SqlitePool::connect_with(opts)
                    .await
                    .expect("connect to SQLite");
                sqlx::raw_sql(sql).execute(&pool).await.expect("raw SQL");
                pool.close().await;
            }
            Place::Postgres { url, .. } => {
                let pool = sqlx::PgPool::connect(url).await.expect("connect to PostgreSQL");
                sqlx::raw_sql(sql).execute(&pool).await.expect("raw SQL");
                pool.close().await;
            }
        }
    }

    /// A path for a file next to the database, which does not exist yet.
    fn scratch_path(&self, name: &str) -> PathBuf {
        match &self.place {
            Place::Sqlite { dir } => dir.join(name),
            Place::Postgres { database, .. } => std::env::temp_dir().join(format!("{database}-{name}")),
        }
    }

    /// Closes the store and removes its database.
    async fn finish(mut self) {
        self.store.close().await;
        if let Some(place) = self.guard.place.take() {
            place.remove().await;
        }
    }
}

/// `url` with its database name replaced by `database` (query string kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| host_start + i);
    let mut out = format!("{}/{}", &base[..path_start], database);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The PostgreSQL server to use, if any; says once per run when there is none.
fn postgres_url() -> Option<String> {
    static NOTICE: Once = Once::new();
    let url = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.trim().is_empty());
    if url.is_none() {
        NOTICE.call_once(|| {
            // Written to the real stderr, past the test harness's capture, so it is seen.
            let _ = writeln!(
                std::io::stderr(),
                "store suite: PostgreSQL skipped (set {POSTGRES_ENV} to run it)"
            );
        });
    }
    url
}

/// An engine to run a story on.
enum Engine {
    Sqlite,
    /// The server's URL (of a database we may create databases from).
    Postgres(String),
}

impl Engine {
    fn name(&self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres(_) => "PostgreSQL",
        }
    }

    /// A fresh, unmigrated store on this engine.
    async fn open(&self) -> Db {
        match self {
            Engine::Sqlite => Db::sqlite().await,
            Engine::Postgres(url) => Db::postgres(url).await,
        }
    }
}

/// The engines to run on: SQLite always, PostgreSQL when configured.
fn engines() -> Vec<Engine> {
    let mut out = vec![Engine::Sqlite];
    if let Some(url) = postgres_url() {
        out.push(Engine::Postgres(url));
    }
    out
}

/// Polls a future, turning a panic inside it into an `Err`, so one engine's
/// failure does not stop the story from running on the next.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let fut = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// Runs `story` on every engine (on a migrated store unless `migrated` is false),
/// then fails naming every engine it failed on.
async fn run_on_each(migrated: bool, story: impl AsyncFn(&Db)) {
    let mut failed = Vec::new();
    for engine in engines() {
        let db = engine.open().await;
        if migrated {
            db.store.migrate().await.expect("migrate");
        }
        let outcome = CatchUnwind(Box::pin(story(&db))).await;
        db.finish().await;
        if let Err(panic) = outcome {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{}: {msg}", engine.name()));
        }
    }
    if !failed.is_empty() {
        panic!("store suite: the story failed on\n  {}", failed.join("\n  "));
    }
}

/// Runs `story` on every engine, each with a freshly migrated store.
async fn run(story: impl AsyncFn(&Db)) {
    run_on_each(true, story).await;
}

/// Runs `story` on every engine, each with an empty, unmigrated store.
async fn run_unmigrated(story: impl AsyncFn(&Db)) {
    run_on_each(false, story).await;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Asserts that `$e` is an `Err` matching `$p`.
macro_rules! assert_err {
    ($e:expr, $p:pat $(if $guard:expr)?) => {
        match $e {
            Err($p) $(if $guard)? => {}
            other => panic!("expected Err({}), got {:?}", stringify!($p $(if $guard)?), other),
        }
    };
}

/// A fixed instant: `sec` seconds after a base in 2025.
fn t(sec: i64) -> Timestamp {
    Timestamp::from_second(1_750_000_000 + sec).expect("a valid instant")
}

/// A change made by the CLI at `t(sec)`.
fn cli(sec: i64) -> AuditCtx {
    AuditCtx::system("cli", t(sec))
}

/// A change made by `actor` for themselves at `t(sec)`.
fn by(actor: &Person, sec: i64) -> AuditCtx {
    AuditCtx {
        actor: Some(actor.id),
        actor_label: actor.name.clone(),
        on_behalf_of: None,
        now: t(sec),
    }
}

/// A change made by `actor` acting for `principal` at `t(sec)`.
fn for_(actor: &Person, principal: &Person, sec: i64) -> AuditCtx {
    AuditCtx {
        on_behalf_of: Some(principal.id),
        ..by(actor, sec)
    }
}

fn slug(s: &str) -> OrgSlug {
    OrgSlug::parse(s).expect("a valid slug")
}

fn new_person(name: &str, email: Option<&str>, role: Role) -> NewPerson {
    NewPerson {
        name: name.to_string(),
        email: email.map(str::to_string),
        role,
        time_zone: "Europe/Amsterdam".to_string(),
        password_hash: None,
    }
}

async fn add_org(s: &Store, slug_: &str, sec: i64) -> Organisation {
    s.org_create(&slug(slug_), &format!("Org {slug_}"), &cli(sec))
        .await
        .expect("create organisation")
}

async fn add_person(s: &Store, org: OrgId, name: &str, email: Option<&str>, role: Role, sec: i64) -> Person {
    s.person_create(org, &new_person(name, email, role), &cli(sec))
        .await
        .expect("create person")
}

fn session(org: OrgId, person: PersonId, hash: &str, now: i64, expires: i64) -> NewSession {
    NewSession {
        org,
        person,
        token_hash: hash.to_string(),
        mfa_pending: false,
        now: t(now),
        expires_at: t(expires),
    }
}

/// Every audit entry of `org`, newest first.
async fn audit(s: &Store, org: OrgId) -> Vec<AuditEntry> {
    s.audit_list(
        org,
        &AuditFilter {
            limit: 1000,
            ..AuditFilter::default()
        },
    )
    .await
    .expect("audit list")
}

/// The actions of `org`'s audit log, newest first.
async fn actions(s: &Store, org: OrgId) -> Vec<String> {
    audit(s, org).await.into_iter().map(|e| e.action).collect()
}

/// How many audit entries of `org` have `action`.
async fn count_action(s: &Store, org: OrgId, action: &str) -> usize {
    audit(s, org).await.iter().filter(|e| e.action == action).count()
}

async fn filtered(s: &Store, org: OrgId, f: AuditFilter) -> Vec<AuditEntry> {
    s.audit_list(org, &f).await.expect("audit list")
}

fn names(people: &[Person]) -> Vec<&str> {
    people.iter().map(|p| p.name.as_str()).collect()
}

async fn count(s: &Store, table: &str) -> i64 {
    s.table_counts()
        .await
        .expect("table counts")
        .into_iter()
        .find(|(t, _)| t == table)
        .map(|(_, n)| n)
        .unwrap_or_else(|| panic!("no count for {table}"))
}

async fn session_by(s: &Store, hash: &str) -> Option<Session> {
    s.session_by_hash(hash).await.expect("session by hash")
}

fn unknown_person() -> PersonId {
    PersonId(uuid::Uuid::now_v7())
}

// ---------------------------------------------------------------------------
// Pure checks
// ---------------------------------------------------------------------------

#[test]
fn database_url_rewriting() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "y"),
        "postgres://u:p@h/y?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h:5432", "z"), "postgres://h:5432/z");
}

#[test]
fn migration_lists_agree_between_engines() {
    let versions =
        |m: &[(i64, &str, &str)]| m.iter().map(|(v, n, _)| (*v, n.to_string())).collect::<Vec<_>>();
    assert_eq!(versions(MIGRATIONS_SQLITE), versions(MIGRATIONS_POSTGRES));
    let v: Vec<i64> = MIGRATIONS_SQLITE.iter().map(|m| m.0).collect();
    let expected: Vec<i64> = (1..=v.len() as i64).collect();
    assert_eq!(v, expected, "versions are 1, 2, 3, … without gaps");
}

// ---------------------------------------------------------------------------
// 1. Migrations
// ---------------------------------------------------------------------------

#[tokio::test]
async fn migrate() {
    run_unmigrated(async |db: &Db| {
        let s = &db.store;
        s.ping().await.unwrap();
        let list = match s.backend() {
            Backend::Sqlite => MIGRATIONS_SQLITE,
            Backend::Postgres => MIGRATIONS_POSTGRES,
        };
        let known = s.known_schema_version();
        assert_eq!(known, list.iter().map(|m| m.0).max().unwrap());
        assert_eq!(
            s.schema_version().await.unwrap(),
            0,
            "a fresh database has no schema"
        );
        s.check_schema_not_newer().await.unwrap();

        assert_eq!(
            s.migrate().await.unwrap(),
            list.len(),
            "every migration runs once"
        );
        assert_eq!(s.schema_version().await.unwrap(), known);
        assert_eq!(s.migrate().await.unwrap(), 0, "migrating again does nothing");
        assert_eq!(s.schema_version().await.unwrap(), known);
        s.check_schema_not_newer().await.unwrap();
        assert!(s.integrity_check().await.unwrap().is_empty());

        // A newer binary has migrated this database: this one must refuse it.
        db.exec(&format!(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, 'from-the-future', 0)",
            known + 1
        ))
        .await;
        assert_eq!(s.schema_version().await.unwrap(), known + 1);
        match s.migrate().await {
            Err(StoreError::SchemaTooNew { found, known: k }) => {
                assert_eq!((found, k), (known + 1, known));
            }
            other => panic!("expected SchemaTooNew from migrate, got {other:?}"),
        }
        match s.check_schema_not_newer().await {
            Err(StoreError::SchemaTooNew { found, known: k }) => {
                assert_eq!((found, k), (known + 1, known));
            }
            other => panic!("expected SchemaTooNew from check_schema_not_newer, got {other:?}"),
        }
        assert_eq!(
            s.schema_version().await.unwrap(),
            known + 1,
            "refusing changes nothing"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------
// 2. Organisations
// ---------------------------------------------------------------------------

#[tokio::test]
async fn organisations() {
    run(async |db: &Db| {
        let s = &db.store;
        assert!(s.org_list().await.unwrap().is_empty());

        let a = s
            .org_create(&slug("northwind"), "  Northwind Traders ", &cli(1))
            .await
            .unwrap();
        assert_eq!(a.slug, "northwind");
        assert_eq!(a.name, "Northwind Traders", "the name is trimmed");
        assert_eq!(a.created_at, t(1));
        let b = s.org_create(&slug("contoso"), "Contoso", &cli(2)).await.unwrap();
        assert_ne!(a.id, b.id);

        assert_eq!(s.org_get(a.id).await.unwrap(), a);
        assert_eq!(s.org_get(b.id).await.unwrap(), b);
        assert_eq!(s.org_by_slug("northwind").await.unwrap(), a);
        assert_eq!(
            s.org_by_slug(" contoso ").await.unwrap(),
            b,
            "the slug is trimmed"
        );
        assert_eq!(
            s.org_list().await.unwrap(),
            vec![a.clone(), b.clone()],
            "oldest first"
        );

        assert_err!(
            s.org_create(&slug("northwind"), "Another", &cli(3)).await,
            StoreError::Conflict(_)
        );
        assert_eq!(
            s.org_list().await.unwrap().len(),
            2,
            "nothing written by the failed create"
        );

        assert_err!(
            s.org_get(OrgId(uuid::Uuid::now_v7())).await,
            StoreError::NotFound(_)
        );
        assert_err!(s.org_by_slug("fabrikam").await, StoreError::NotFound(_));

        // Each organisation's log starts with its own creation.
        let log = audit(s, a.id).await;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "organisation.create");
        assert_eq!(log[0].item_type, "organisation");
        assert_eq!(log[0].item_id, Some(a.id.to_string()));
        assert_eq!(log[0].actor_label, "cli");
        assert_eq!(log[0].at, t(1));
        assert_eq!(actions(s, b.id).await, vec!["organisation.create"]);
    })
    .await;
}

// ---------------------------------------------------------------------------
// 3. People
// ---------------------------------------------------------------------------

#[tokio::test]
async fn people() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;

        let carol = add_person(
            s,
            org.id,
            "Carol",
            Some("carol@northwind.example"),
            Role::Staff,
            10,
        )
        .await;
        let alice = add_person(
            s,
            org.id,
            "Alice",
            Some("alice@northwind.example"),
            Role::Admin,
            11,
        )
        .await;
        let bob = add_person(s, org.id, "Bob", None, Role::Assistant, 12).await;

        assert_eq!(alice.org, org.id);
        assert_eq!(alice.name, "Alice");
        assert_eq!(alice.email.as_deref(), Some("alice@northwind.example"));
        assert_eq!(alice.role, Role::Admin);
        assert_eq!(alice.time_zone, "Europe/Amsterdam");
        assert!(!alice.disabled);
        assert!(!alice.has_login);
        assert!(!alice.totp_enabled);
        assert_eq!(alice.created_at, t(11));
        assert_eq!(alice.updated_at, t(11));
        assert_eq!(bob.email, None);

        assert_eq!(s.person_get(org.id, alice.id).await.unwrap(), alice);
        assert_eq!(s.person_get(org.id, bob.id).await.unwrap(), bob);
        assert_eq!(
            names(&s.person_list(org.id).await.unwrap()),
            vec!["Alice", "Bob", "Carol"],
            "by name"
        );
        assert!(s.person_list(other.id).await.unwrap().is_empty());

        assert_eq!(
            s.person_by_email(org.id, "carol@northwind.example")
                .await
                .unwrap(),
            carol
        );
        assert_eq!(
            s.person_by_email(org.id, " Carol@Northwind.EXAMPLE ")
                .await
                .unwrap(),
            carol,
            "input normalised"
        );
        assert_err!(
            s.person_by_email(org.id, "nobody@northwind.example").await,
            StoreError::NotFound(_)
        );
        assert_err!(
            s.person_get(org.id, unknown_person()).await,
            StoreError::NotFound(_)
        );

        // A patch changes only what it names.
        let patch = PersonPatch {
            name: Some("Robert".into()),
            role: Some(Role::OfficeManager),
            time_zone: Some("America/New_York".into()),
            ..PersonPatch::default()
        };
        let robert = s
            .person_update(org.id, bob.id, &patch, &by(&alice, 20))
            .await
            .unwrap();
        assert_eq!(robert.name, "Robert");
        assert_eq!(robert.role, Role::OfficeManager);
        assert_eq!(robert.time_zone, "America/New_York");
        assert_eq!(robert.email, None);
        assert!(!robert.disabled);
        assert_eq!(robert.created_at, t(12));
        assert_eq!(robert.updated_at, t(20));
        assert_eq!(s.person_get(org.id, bob.id).await.unwrap(), robert);
        assert_eq!(
            names(&s.person_list(org.id).await.unwrap()),
            vec!["Alice", "Carol", "Robert"]
        );

        let email = PersonPatch {
            email: Some(Some("robert@northwind.example".into())),
            ..PersonPatch::default()
        };
        let robert = s
            .person_update(org.id, bob.id, &email, &by(&alice, 21))
            .await
            .unwrap();
        assert_eq!(robert.email.as_deref(), Some("robert@northwind.example"));
        assert_eq!(robert.name, "Robert");
        assert_eq!(
            s.person_by_email(org.id, "robert@northwind.example")
                .await
                .unwrap()
                .id,
            bob.id
        );

        let disable = PersonPatch {
            disabled: Some(true),
            ..PersonPatch::default()
        };
        let robert = s
            .person_update(org.id, bob.id, &disable, &by(&alice, 22))
            .await
            .unwrap();
        assert!(robert.disabled);
        assert_eq!(robert.role, Role::OfficeManager);
        let enable = PersonPatch {
            disabled: Some(false),
            ..PersonPatch::default()
        };
        assert!(
            !s.person_update(org.id, bob.id, &enable, &by(&alice, 23))
                .await
                .unwrap()
                .disabled
        );

        let no_email = PersonPatch {
            email: Some(None),
            ..PersonPatch::default()
        };
        let robert = s
            .person_update(org.id, bob.id, &no_email, &by(&alice, 24))
            .await
            .unwrap();
        assert_eq!(robert.email, None);

        let updates = count_action(s, org.id, "person.update").await;
        assert_eq!(updates, 5);
        assert_eq!(count_action(s, org.id, "person.create").await, 3);

        // The same e-mail address twice in one organisation: refused, nothing written.
        let twin = new_person("Alice Twin", Some("alice@northwind.example"), Role::Staff);
        assert_err!(
            s.person_create(org.id, &twin, &cli(30)).await,
            StoreError::Conflict(_)
        );
        assert_eq!(s.person_list(org.id).await.unwrap().len(), 3);
        assert_eq!(
            count_action(s, org.id, "person.create").await,
            3,
            "no audit entry for a failed create"
        );
        assert_eq!(count(s, "persons").await, 3);

        // …and by update: refused, unchanged, not audited.
        let steal = PersonPatch {
            name: Some("Carol Renamed".into()),
            email: Some(Some("alice@northwind.example".into())),
            ..PersonPatch::default()
        };
        assert_err!(
            s.person_update(org.id, carol.id, &steal, &by(&alice, 31)).await,
            StoreError::Conflict(_)
        );
        assert_eq!(s.person_get(org.id, carol.id).await.unwrap(), carol);
        assert_eq!(count_action(s, org.id, "person.update").await, updates);

        // A login needs an e-mail address: refused as a whole, nothing written.
        let mut no_login = new_person("Dora", None, Role::Staff);
        no_login.password_hash = Some("$argon2id$fake".into());
        assert_err!(
            s.person_create(org.id, &no_login, &cli(32)).await,
            StoreError::Conflict(_)
        );
        assert_eq!(s.person_list(org.id).await.unwrap().len(), 3);
        assert_eq!(count_action(s, org.id, "person.create").await, 3);

        // A person created with a password can sign in.
        let mut with_login = new_person("Erin", Some("erin@northwind.example"), Role::Staff);
        with_login.password_hash = Some("$argon2id$erin".into());
        let erin = s.person_create(org.id, &with_login, &cli(33)).await.unwrap();
        assert!(erin.has_login);
        let cred = s
            .credential_by_login("erin@northwind.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((cred.org, cred.person), (org.id, erin.id));
        assert_eq!(cred.password_hash, "$argon2id$erin");

        // The same address in another organisation is a different person.
        let alice2 = add_person(
            s,
            other.id,
            "Alice",
            Some("alice@northwind.example"),
            Role::Staff,
            34,
        )
        .await;
        assert_ne!(alice2.id, alice.id);
        assert_eq!(
            s.person_by_email(other.id, "alice@northwind.example")
                .await
                .unwrap(),
            alice2
        );
        assert_eq!(
            s.person_by_email(org.id, "alice@northwind.example")
                .await
                .unwrap(),
            alice
        );

        // Several people without an address are fine.
        add_person(s, org.id, "Frank", None, Role::Contractor, 35).await;
        assert_eq!(s.person_list(org.id).await.unwrap().len(), 5);

        assert_err!(
            s.person_update(org.id, unknown_person(), &patch, &by(&alice, 40))
                .await,
            StoreError::NotFound(_)
        );
    })
    .await;
}

// ---------------------------------------------------------------------------
// 4. Tenant isolation
// ---------------------------------------------------------------------------

#[tokio::test]
async fn tenant_isolation() {
    run(async |db: &Db| {
        let s = &db.store;
        let a = add_org(s, "org-a", 1).await;
        let b = add_org(s, "org-b", 2).await;
        let alice = add_person(s, a.id, "Alice", Some("alice@a.example"), Role::Principal, 3).await;
        let ann = add_person(s, a.id, "Ann", Some("ann@a.example"), Role::Assistant, 4).await;
        let zed = add_person(s, b.id, "Zed", Some("zed@b.example"), Role::Admin, 5).await;
        s.credential_set_password(a.id, &alice, "$hash-alice", &by(&alice, 6))
            .await
            .unwrap();
        s.credential_set_totp(a.id, alice.id, Some(b"secret-alice".as_slice()), &by(&alice, 7))
            .await
            .unwrap();

        // People.
        assert_err!(s.person_get(b.id, alice.id).await, StoreError::NotFound(_));
        assert_err!(
            s.person_by_email(b.id, "alice@a.example").await,
            StoreError::NotFound(_)
        );
        assert_eq!(names(&s.person_list(b.id).await.unwrap()), vec!["Zed"]);
        let rename = PersonPatch {
            name: Some("Mallory".into()),
            disabled: Some(true),
            ..PersonPatch::default()
        };
        assert_err!(
            s.person_update(b.id, alice.id, &rename, &by(&zed, 10)).await,
            StoreError::NotFound(_)
        );
        let still = s.person_get(a.id, alice.id).await.unwrap();
        assert_eq!(still.name, "Alice");
        assert!(!still.disabled);
        assert_eq!(still.updated_at, t(3));

        // Credentials.
        assert!(s.credential_get(b.id, alice.id).await.unwrap().is_none());
        assert!(s.credential_get(a.id, alice.id).await.unwrap().is_some());
        assert_err!(
            s.credential_set_totp(b.id, alice.id, None, &by(&zed, 11)).await,
            StoreError::NotFound(_)
        );
        assert!(!s.credential_use_totp_step(b.id, alice.id, 1).await.unwrap());
        let cred = s.credential_get(a.id, alice.id).await.unwrap().unwrap();
        assert_eq!(cred.totp_secret.as_deref(), Some(b"secret-alice".as_slice()));
        assert_eq!(cred.totp_last_step, None, "the foreign step was not recorded");

        // Delegations.
        assert_err!(
            s.delegation_grant(
                b.id,
                alice.id,
                ann.id,
                &[Scope::Calendar],
                Level::Act,
                &by(&zed, 12)
            )
            .await,
            StoreError::NotFound(_)
        );
        assert_err!(
            s.delegation_grant(
                b.id,
                zed.id,
                ann.id,
                &[Scope::Calendar],
                Level::Act,
                &by(&zed, 13)
            )
            .await,
            StoreError::NotFound(_)
        );
        assert_err!(
            s.delegation_grant(
                b.id,
                alice.id,
                zed.id,
                &[Scope::Calendar],
                Level::Act,
                &by(&zed, 14)
            )
            .await,
            StoreError::NotFound(_)
        );
        assert_err!(
            s.delegation_grant(
                a.id,
                alice.id,
                zed.id,
                &[Scope::Calendar],
                Level::Act,
                &by(&alice, 15)
            )
            .await,
            StoreError::NotFound(_)
        );
        assert!(
            s.delegation_list(b.id, DelegationFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.delegation_list(a.id, DelegationFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        let d = s
            .delegation_grant(
                a.id,
                alice.id,
                ann.id,
                &[Scope::Mail],
                Level::Read,
                &by(&alice, 16),
            )
            .await
            .unwrap();
        assert_err!(s.delegation_get(b.id, d.id).await, StoreError::NotFound(_));
        assert_err!(
            s.delegation_revoke(b.id, d.id, &by(&zed, 17)).await,
            StoreError::NotFound(_)
        );
        assert!(
            s.delegation_list(b.id, DelegationFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(s.delegation_get(a.id, d.id).await.unwrap(), d);

        // Tokens.
        let tok = s
            .token_create(a.id, alice.id, "laptop", "hash-tok-a", None, &by(&alice, 18))
            .await
            .unwrap();
        assert_err!(s.token_get(b.id, tok.id).await, StoreError::NotFound(_));
        assert_err!(
            s.token_revoke(b.id, tok.id, &by(&zed, 19)).await,
            StoreError::NotFound(_)
        );
        assert!(s.token_list(b.id, None).await.unwrap().is_empty());
        assert!(s.token_list(b.id, Some(alice.id)).await.unwrap().is_empty());
        let tok_now = s.token_get(a.id, tok.id).await.unwrap();
        assert_eq!(tok_now.revoked_at, None);
        assert!(tok_now.is_active(t(20)));

        // Sessions.
        let sa = s
            .session_create(&session(a.id, ann.id, "sess-ann", 20, 10_000), None)
            .await
            .unwrap();
        s.session_set_acting_for(b.id, sa.id, Some(zed.id)).await.unwrap();
        assert_eq!(
            session_by(s, "sess-ann").await.unwrap().acting_for,
            None,
            "a foreign org cannot steer it"
        );
        let ended = s.session_delete_all(b.id, ann.id, &by(&zed, 21)).await;
        assert!(
            matches!(ended, Ok(0) | Err(StoreError::NotFound(_))),
            "got {ended:?}"
        );
        assert!(
            session_by(s, "sess-ann").await.is_some(),
            "a foreign org cannot end it"
        );

        // Audit logs never mix.
        let log_a = audit(s, a.id).await;
        let log_b = audit(s, b.id).await;
        assert!(log_a.iter().all(|e| e.org == a.id));
        assert!(log_b.iter().all(|e| e.org == b.id));
        assert!(log_a.iter().all(|e| log_b.iter().all(|f| f.id != e.id)));
        assert!(
            log_b
                .iter()
                .all(|e| e.actor != Some(alice.id) && e.actor != Some(ann.id))
        );
        for action in [
            "person.update",
            "delegation.grant",
            "delegation.revoke",
            "token.revoke",
            "person.totp_disable",
        ] {
            assert!(
                log_b.iter().all(|e| e.action != action),
                "a refused {action} left an entry in org B"
            );
        }
        assert_eq!(
            actions(s, a.id).await,
            vec![
                "token.create",
                "delegation.grant",
                "person.totp_enable",
                "person.set_password",
                "person.create",
                "person.create",
                "organisation.create",
            ]
        );
        // Filters cannot reach across either.
        let by_actor = AuditFilter {
            actor: Some(alice.id),
            limit: 100,
            ..AuditFilter::default()
        };
        assert!(filtered(s, b.id, by_actor).await.is_empty());
        let by_item = AuditFilter {
            item_id: Some(alice.id.to_string()),
            limit: 100,
            ..AuditFilter::default()
        };
        assert!(
            filtered(s, b.id, by_item.clone())
                .await
                .iter()
                .all(|e| e.org == b.id)
        );
        assert!(!filtered(s, a.id, by_item).await.is_empty());
    })
    .await;
}

/// Sets up two organisations, each with one person: (org A, org B, Alice of A, Zed of B).
async fn two_tenants(s: &Store) -> (Organisation, Organisation, Person, Person) {
    let a = add_org(s, "org-a", 1).await;
    let b = add_org(s, "org-b", 2).await;
    let alice = add_person(s, a.id, "Alice", Some("alice@a.example"), Role::Principal, 3).await;
    let zed = add_person(s, b.id, "Zed", Some("zed@b.example"), Role::Admin, 4).await;
    (a, b, alice, zed)
}

/// API tokens are tenant data: the store must not create one in organisation B
/// for a person of organisation A (as `delegation_grant` already refuses to).
#[tokio::test]
async fn tenant_isolation_token_for_foreign_person() {
    run(async |db: &Db| {
        let s = &db.store;
        let (a, b, alice, zed) = two_tenants(s).await;
        let res = s
            .token_create(b.id, alice.id, "sneaky", "hash-sneaky", None, &by(&zed, 5))
            .await;
        assert!(
            matches!(res, Err(StoreError::NotFound(_) | StoreError::Conflict(_))),
            "token_create in org B for a person of org A must fail, got {res:?}"
        );
        assert!(s.token_list(b.id, None).await.unwrap().is_empty());
        assert!(s.token_list(a.id, None).await.unwrap().is_empty());
        assert!(s.token_by_hash("hash-sneaky").await.unwrap().is_none());
        assert_eq!(count_action(s, b.id, "token.create").await, 0);
    })
    .await;
}

/// Sign-in secrets are tenant data: the store must not store a password in
/// organisation B for a person of organisation A.
#[tokio::test]
async fn tenant_isolation_password_for_foreign_person() {
    run(async |db: &Db| {
        let s = &db.store;
        let (a, b, alice, zed) = two_tenants(s).await;
        let res = s
            .credential_set_password(b.id, &alice, "$hash-sneaky", &by(&zed, 5))
            .await;
        assert!(
            matches!(res, Err(StoreError::NotFound(_) | StoreError::Conflict(_))),
            "credential_set_password in org B for a person of org A must fail, got {res:?}"
        );
        assert!(s.credential_get(b.id, alice.id).await.unwrap().is_none());
        assert!(s.credential_get(a.id, alice.id).await.unwrap().is_none());
        assert!(s.credential_by_login("alice@a.example").await.unwrap().is_none());
        assert!(!s.person_get(a.id, alice.id).await.unwrap().has_login);
        assert_eq!(count_action(s, b.id, "person.set_password").await, 0);
    })
    .await;
}

// ---------------------------------------------------------------------------
// 5. Credentials and sessions
// ---------------------------------------------------------------------------

#[tokio::test]
async fn credentials() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let alice = add_person(
            s,
            org.id,
            "Alice",
            Some("alice@northwind.example"),
            Role::Admin,
            3,
        )
        .await;
        let nomail = add_person(s, org.id, "Nomail", None, Role::Staff, 4).await;

        assert!(s.credential_get(org.id, alice.id).await.unwrap().is_none());
        assert!(
            s.credential_by_login("alice@northwind.example")
                .await
                .unwrap()
                .is_none()
        );

        // No address, no login.
        assert_err!(
            s.credential_set_password(org.id, &nomail, "$h", &by(&alice, 5))
                .await,
            StoreError::Conflict(_)
        );
        assert!(s.credential_get(org.id, nomail.id).await.unwrap().is_none());
        assert_eq!(count_action(s, org.id, "person.set_password").await, 0);

        s.credential_set_password(org.id, &alice, "$hash-1", &by(&alice, 6))
            .await
            .unwrap();
        let cred = s.credential_get(org.id, alice.id).await.unwrap().unwrap();
        assert_eq!(cred.org, org.id);
        assert_eq!(cred.person, alice.id);
        assert_eq!(cred.login, "alice@northwind.example");
        assert_eq!(cred.password_hash, "$hash-1");
        assert_eq!(cred.totp_secret, None);
        assert_eq!(cred.totp_last_step, None);
        let alice_now = s.person_get(org.id, alice.id).await.unwrap();
        assert!(alice_now.has_login);
        assert!(!alice_now.totp_enabled);
        let found = s
            .credential_by_login("  ALICE@Northwind.Example ")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.org, found.person),
            (org.id, alice.id),
            "login lookup ignores case and spaces"
        );
        assert!(
            s.credential_by_login("nobody@northwind.example")
                .await
                .unwrap()
                .is_none()
        );

        // Setting again replaces; still one credential.
        s.credential_set_password(org.id, &alice, "$hash-2", &by(&alice, 7))
            .await
            .unwrap();
        assert_eq!(
            s.credential_get(org.id, alice.id)
                .await
                .unwrap()
                .unwrap()
                .password_hash,
            "$hash-2"
        );
        assert_eq!(count(s, "credentials").await, 1);
        assert_eq!(count_action(s, org.id, "person.set_password").await, 2);

        // A rehash is not a password change: not audited.
        let before = audit(s, org.id).await.len();
        s.credential_rehash(org.id, alice.id, "$hash-3").await.unwrap();
        assert_eq!(
            s.credential_get(org.id, alice.id)
                .await
                .unwrap()
                .unwrap()
                .password_hash,
            "$hash-3"
        );
        assert_eq!(audit(s, org.id).await.len(), before);

        // A login is unique across organisations.
        let twin = add_person(
            s,
            other.id,
            "Alice",
            Some("alice@northwind.example"),
            Role::Staff,
            8,
        )
        .await;
        assert_err!(
            s.credential_set_password(other.id, &twin, "$x", &cli(9)).await,
            StoreError::Conflict(_)
        );
        assert!(s.credential_get(other.id, twin.id).await.unwrap().is_none());
        assert_eq!(count_action(s, other.id, "person.set_password").await, 0);

        // TOTP.
        s.credential_set_totp(
            org.id,
            alice.id,
            Some(b"0123456789abcdef".as_slice()),
            &by(&alice, 10),
        )
        .await
        .unwrap();
        let cred = s.credential_get(org.id, alice.id).await.unwrap().unwrap();
        assert_eq!(cred.totp_secret.as_deref(), Some(b"0123456789abcdef".as_slice()));
        assert_eq!(cred.totp_last_step, None);
        assert!(s.person_get(org.id, alice.id).await.unwrap().totp_enabled);
        assert_eq!(count_action(s, org.id, "person.totp_enable").await, 1);

        assert!(
            s.credential_use_totp_step(org.id, alice.id, 100).await.unwrap(),
            "first use"
        );
        assert!(
            !s.credential_use_totp_step(org.id, alice.id, 100).await.unwrap(),
            "replay"
        );
        assert!(
            !s.credential_use_totp_step(org.id, alice.id, 99).await.unwrap(),
            "older step"
        );
        assert!(
            s.credential_use_totp_step(org.id, alice.id, 101).await.unwrap(),
            "newer step"
        );
        assert_eq!(
            s.credential_get(org.id, alice.id)
                .await
                .unwrap()
                .unwrap()
                .totp_last_step,
            Some(101)
        );
        assert!(
            !s.credential_use_totp_step(org.id, nomail.id, 1).await.unwrap(),
            "no credential"
        );

        // A new secret starts afresh.
        s.credential_set_totp(
            org.id,
            alice.id,
            Some(b"fedcba9876543210".as_slice()),
            &by(&alice, 11),
        )
        .await
        .unwrap();
        let cred = s.credential_get(org.id, alice.id).await.unwrap().unwrap();
        assert_eq!(cred.totp_secret.as_deref(), Some(b"fedcba9876543210".as_slice()));
        assert_eq!(cred.totp_last_step, None);
        assert!(s.credential_use_totp_step(org.id, alice.id, 50).await.unwrap());

        s.credential_set_totp(org.id, alice.id, None, &by(&alice, 12))
            .await
            .unwrap();
        let cred = s.credential_get(org.id, alice.id).await.unwrap().unwrap();
        assert_eq!(cred.totp_secret, None);
        assert_eq!(cred.totp_last_step, None);
        assert_eq!(cred.password_hash, "$hash-3", "the password stays");
        assert!(!s.person_get(org.id, alice.id).await.unwrap().totp_enabled);
        assert_eq!(count_action(s, org.id, "person.totp_disable").await, 1);

        assert_err!(
            s.credential_set_totp(org.id, nomail.id, None, &by(&alice, 13))
                .await,
            StoreError::NotFound(_)
        );
        assert_eq!(count_action(s, org.id, "person.totp_disable").await, 1);
    })
    .await;
}

/// A person's login is their e-mail address, so changing the address moves the login.
#[tokio::test]
async fn login_follows_email_change() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let alice = add_person(
            s,
            org.id,
            "Alice",
            Some("alice@northwind.example"),
            Role::Admin,
            2,
        )
        .await;
        s.credential_set_password(org.id, &alice, "$hash", &by(&alice, 3))
            .await
            .unwrap();

        let patch = PersonPatch {
            email: Some(Some("alice@contoso.example".into())),
            ..PersonPatch::default()
        };
        s.person_update(org.id, alice.id, &patch, &by(&alice, 4))
            .await
            .unwrap();

        let cred = s.credential_by_login("alice@contoso.example").await.unwrap();
        assert_eq!(cred.map(|c| c.person), Some(alice.id), "the new address signs in");
        assert!(
            s.credential_by_login("alice@northwind.example")
                .await
                .unwrap()
                .is_none(),
            "the old address no longer signs in"
        );
    })
    .await;
}

#[tokio::test]
async fn sessions() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let alice = add_person(
            s,
            org.id,
            "Alice",
            Some("alice@northwind.example"),
            Role::Assistant,
            2,
        )
        .await;
        let bob = add_person(
            s,
            org.id,
            "Bob",
            Some("bob@northwind.example"),
            Role::Principal,
            3,
        )
        .await;
        let audit_before = audit(s, org.id).await.len();

        // Created with a pending second factor, then rotated on the next step.
        let new = NewSession {
            mfa_pending: true,
            ..session(org.id, alice.id, "s1", 100, 3700)
        };
        let s1 = s.session_create(&new, None).await.unwrap();
        assert_eq!(s1.org, org.id);
        assert_eq!(s1.person, alice.id);
        assert!(s1.mfa_pending);
        assert_eq!(s1.acting_for, None);
        assert_eq!(
            (s1.created_at, s1.last_seen_at, s1.expires_at),
            (t(100), t(100), t(3700))
        );
        assert_eq!(session_by(s, "s1").await, Some(s1.clone()));
        assert_eq!(session_by(s, "nope").await, None);

        let s2 = s
            .session_create(&session(org.id, alice.id, "s2", 110, 3710), Some(s1.id))
            .await
            .unwrap();
        assert_ne!(s2.id, s1.id);
        assert!(!s2.mfa_pending);
        assert_eq!(session_by(s, "s1").await, None, "the old session is gone");
        assert_eq!(session_by(s, "s2").await, Some(s2.clone()));

        s.session_touch(s2.id, t(200)).await.unwrap();
        let got = session_by(s, "s2").await.unwrap();
        assert_eq!(got.last_seen_at, t(200));
        assert_eq!(got.created_at, t(110));

        s.session_set_acting_for(org.id, s2.id, Some(bob.id))
            .await
            .unwrap();
        assert_eq!(session_by(s, "s2").await.unwrap().acting_for, Some(bob.id));
        s.session_set_acting_for(org.id, s2.id, None).await.unwrap();
        assert_eq!(session_by(s, "s2").await.unwrap().acting_for, None);

        s.session_delete(s2.id).await.unwrap();
        assert_eq!(session_by(s, "s2").await, None);
        s.session_delete(s2.id).await.unwrap(); // twice is harmless
        assert_eq!(
            audit(s, org.id).await.len(),
            audit_before,
            "sign-in steps are not audited"
        );

        // Sign out everywhere.
        for h in ["a1", "a2", "a3"] {
            s.session_create(&session(org.id, alice.id, h, 300, 5000), None)
                .await
                .unwrap();
        }
        s.session_create(&session(org.id, bob.id, "b1", 300, 5000), None)
            .await
            .unwrap();
        assert_eq!(
            s.session_delete_all(org.id, alice.id, &by(&alice, 310))
                .await
                .unwrap(),
            3
        );
        for h in ["a1", "a2", "a3"] {
            assert_eq!(session_by(s, h).await, None);
        }
        assert!(session_by(s, "b1").await.is_some(), "others keep their sessions");
        assert_eq!(
            s.session_delete_all(org.id, alice.id, &by(&alice, 311))
                .await
                .unwrap(),
            0
        );
        let log = audit(s, org.id).await;
        assert_eq!(log[1].action, "session.revoke_all");
        assert_eq!(log[1].item_id, Some(alice.id.to_string()));
        assert_eq!(log[1].details, serde_json::json!({"sessions": 3}));
        assert_eq!(log[0].details, serde_json::json!({"sessions": 0}));
        s.session_delete(session_by(s, "b1").await.unwrap().id)
            .await
            .unwrap();

        // Purge: past expiry (inclusive) or idle since before the cut-off (exclusive).
        s.session_create(&session(org.id, alice.id, "expired", 900, 1000), None)
            .await
            .unwrap();
        s.session_create(&session(org.id, alice.id, "idle", 500, 5000), None)
            .await
            .unwrap();
        s.session_create(&session(org.id, alice.id, "idle-edge", 600, 5000), None)
            .await
            .unwrap();
        s.session_create(&session(org.id, bob.id, "fresh", 900, 1001), None)
            .await
            .unwrap();
        assert_eq!(s.session_purge(t(1000), t(600)).await.unwrap(), 2);
        assert_eq!(session_by(s, "expired").await, None);
        assert_eq!(session_by(s, "idle").await, None);
        assert!(session_by(s, "idle-edge").await.is_some());
        assert!(session_by(s, "fresh").await.is_some());
        assert_eq!(s.session_purge(t(1000), t(600)).await.unwrap(), 0);

        // Disabling a person ends their sessions and revokes their tokens; nobody else's.
        let old = s
            .token_create(org.id, alice.id, "old", "tok-old", None, &by(&alice, 1100))
            .await
            .unwrap();
        s.token_revoke(org.id, old.id, &by(&alice, 1110)).await.unwrap();
        let live = s
            .token_create(org.id, alice.id, "live", "tok-live", None, &by(&alice, 1120))
            .await
            .unwrap();
        let bobs = s
            .token_create(org.id, bob.id, "bob", "tok-bob", None, &by(&bob, 1130))
            .await
            .unwrap();
        s.session_create(&session(org.id, alice.id, "alice-live", 1140, 9000), None)
            .await
            .unwrap();
        s.session_create(&session(org.id, bob.id, "bob-live", 1140, 9000), None)
            .await
            .unwrap();

        let disable = PersonPatch {
            disabled: Some(true),
            ..PersonPatch::default()
        };
        let off = s
            .person_update(org.id, alice.id, &disable, &by(&bob, 2000))
            .await
            .unwrap();
        assert!(off.disabled);
        assert_eq!(session_by(s, "alice-live").await, None);
        assert_eq!(session_by(s, "idle-edge").await, None);
        assert!(session_by(s, "bob-live").await.is_some());
        assert!(session_by(s, "fresh").await.is_some());
        assert_eq!(
            s.token_get(org.id, live.id).await.unwrap().revoked_at,
            Some(t(2000))
        );
        assert_eq!(
            s.token_get(org.id, old.id).await.unwrap().revoked_at,
            Some(t(1110)),
            "kept its first revocation"
        );
        assert_eq!(s.token_get(org.id, bobs.id).await.unwrap().revoked_at, None);
        assert!(!s.token_get(org.id, live.id).await.unwrap().is_active(t(2001)));
    })
    .await;
}

// ---------------------------------------------------------------------------
// 6. API tokens
// ---------------------------------------------------------------------------

#[tokio::test]
async fn tokens() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let alice = add_person(
            s,
            org.id,
            "Alice",
            Some("alice@northwind.example"),
            Role::Admin,
            2,
        )
        .await;
        let bob = add_person(s, org.id, "Bob", Some("bob@northwind.example"), Role::Staff, 3).await;
        assert!(s.token_list(org.id, None).await.unwrap().is_empty());

        let t1 = s
            .token_create(org.id, alice.id, "laptop", "th1", None, &by(&alice, 10))
            .await
            .unwrap();
        assert_eq!(
            (t1.org, t1.person, t1.name.as_str()),
            (org.id, alice.id, "laptop")
        );
        assert_eq!(t1.created_at, t(10));
        assert_eq!(
            (t1.expires_at, t1.last_used_at, t1.revoked_at),
            (None, None, None)
        );
        let t2 = s
            .token_create(org.id, alice.id, "ci", "th2", Some(t(100)), &by(&alice, 20))
            .await
            .unwrap();
        assert_eq!(t2.expires_at, Some(t(100)));
        let t3 = s
            .token_create(org.id, bob.id, "bob's", "th3", None, &by(&alice, 30))
            .await
            .unwrap();

        assert_eq!(s.token_by_hash("th1").await.unwrap(), Some(t1.clone()));
        assert_eq!(s.token_by_hash("th2").await.unwrap(), Some(t2.clone()));
        assert_eq!(s.token_by_hash("nope").await.unwrap(), None);
        assert_eq!(s.token_get(org.id, t3.id).await.unwrap(), t3);
        assert_err!(
            s.token_get(org.id, TokenId(uuid::Uuid::now_v7())).await,
            StoreError::NotFound(_)
        );

        assert_eq!(
            s.token_list(org.id, Some(alice.id)).await.unwrap(),
            vec![t2.clone(), t1.clone()],
            "newest first"
        );
        assert_eq!(
            s.token_list(org.id, Some(bob.id)).await.unwrap(),
            vec![t3.clone()]
        );
        assert_eq!(
            s.token_list(org.id, None).await.unwrap(),
            vec![t3.clone(), t2.clone(), t1.clone()]
        );

        // Expiry is exclusive: a token is no longer active at its expiry instant.
        assert!(t1.is_active(t(1_000_000)));
        assert!(t2.is_active(t(99)));
        assert!(!t2.is_active(t(100)));
        assert!(!t2.is_active(t(101)));

        s.token_touch(t1.id, t(40)).await.unwrap();
        assert_eq!(
            s.token_get(org.id, t1.id).await.unwrap().last_used_at,
            Some(t(40))
        );

        let revoked = s.token_revoke(org.id, t1.id, &by(&alice, 50)).await.unwrap();
        assert_eq!(revoked.revoked_at, Some(t(50)));
        assert_eq!(revoked.last_used_at, Some(t(40)));
        assert!(!revoked.is_active(t(51)));
        assert!(!revoked.is_active(t(49)), "revocation is not time-bound");
        assert_eq!(
            s.token_by_hash("th1").await.unwrap(),
            Some(revoked.clone()),
            "still found, but inactive"
        );
        let again = s.token_revoke(org.id, t1.id, &by(&alice, 60)).await.unwrap();
        assert_eq!(
            again.revoked_at,
            Some(t(50)),
            "revoking twice keeps the first instant"
        );
        assert_err!(
            s.token_revoke(org.id, TokenId(uuid::Uuid::now_v7()), &by(&alice, 70))
                .await,
            StoreError::NotFound(_)
        );
        assert_eq!(s.token_get(org.id, t2.id).await.unwrap().revoked_at, None);

        // Refused: a hash already in use; a person who does not exist. Nothing written.
        assert_err!(
            s.token_create(org.id, bob.id, "dup", "th3", None, &by(&alice, 80))
                .await,
            StoreError::Conflict(_)
        );
        let res = s
            .token_create(
                org.id,
                unknown_person(),
                "ghost",
                "th-ghost",
                None,
                &by(&alice, 81),
            )
            .await;
        assert!(
            matches!(res, Err(StoreError::NotFound(_) | StoreError::Conflict(_))),
            "got {res:?}"
        );
        assert_eq!(s.token_list(org.id, None).await.unwrap().len(), 3);
        assert_eq!(count(s, "api_tokens").await, 3);
        assert_eq!(count_action(s, org.id, "token.create").await, 3);
        assert_eq!(count_action(s, org.id, "token.revoke").await, 2);
    })
    .await;
}

// ---------------------------------------------------------------------------
// 7. Delegations
// ---------------------------------------------------------------------------

#[tokio::test]
async fn delegations() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let pia = add_person(
            s,
            org.id,
            "Pia",
            Some("pia@northwind.example"),
            Role::Principal,
            2,
        )
        .await;
        let quinn = add_person(
            s,
            org.id,
            "Quinn",
            Some("quinn@northwind.example"),
            Role::Principal,
            3,
        )
        .await;
        let ada = add_person(
            s,
            org.id,
            "Ada",
            Some("ada@northwind.example"),
            Role::Assistant,
            4,
        )
        .await;
        let bea = add_person(
            s,
            org.id,
            "Bea",
            Some("bea@northwind.example"),
            Role::Assistant,
            5,
        )
        .await;
        let admin = add_person(
            s,
            org.id,
            "Admin",
            Some("admin@northwind.example"),
            Role::Admin,
            6,
        )
        .await;

        let d1 = s
            .delegation_grant(
                org.id,
                pia.id,
                ada.id,
                &[Scope::Calendar, Scope::Mail],
                Level::Read,
                &by(&admin, 10),
            )
            .await
            .unwrap();
        assert_eq!(d1.org, org.id);
        assert_eq!((d1.principal, d1.delegate), (pia.id, ada.id));
        assert_eq!(
            (d1.principal_name.as_str(), d1.delegate_name.as_str()),
            ("Pia", "Ada")
        );
        assert_eq!(d1.scopes, vec![Scope::Calendar, Scope::Mail]);
        assert_eq!(d1.level, Level::Read);
        assert_eq!((d1.created_at, d1.updated_at), (t(10), t(10)));
        assert_eq!(s.delegation_get(org.id, d1.id).await.unwrap(), d1);

        // Granting again replaces scopes and level in place.
        let d1b = s
            .delegation_grant(
                org.id,
                pia.id,
                ada.id,
                &[Scope::Tasks],
                Level::Act,
                &by(&admin, 20),
            )
            .await
            .unwrap();
        assert_eq!(d1b.id, d1.id);
        assert_eq!(d1b.scopes, vec![Scope::Tasks]);
        assert_eq!(d1b.level, Level::Act);
        assert_eq!((d1b.created_at, d1b.updated_at), (t(10), t(20)));
        assert_eq!(
            s.delegation_list(org.id, DelegationFilter::default())
                .await
                .unwrap(),
            vec![d1b.clone()]
        );
        assert_eq!(count(s, "delegations").await, 1);
        let dom = d1b.to_domain();
        assert!(dom.allows(Scope::Tasks, Level::Act));
        assert!(dom.allows(Scope::Tasks, Level::Read));
        assert!(!dom.allows(Scope::Calendar, Level::Read));

        // Scopes come back in canonical order.
        let d2 = s
            .delegation_grant(
                org.id,
                quinn.id,
                ada.id,
                &[Scope::Travel, Scope::Calendar],
                Level::Read,
                &by(&admin, 30),
            )
            .await
            .unwrap();
        assert_eq!(d2.scopes, vec![Scope::Calendar, Scope::Travel]);
        let d3 = s
            .delegation_grant(org.id, pia.id, bea.id, &Scope::ALL, Level::Act, &by(&pia, 40))
            .await
            .unwrap();
        assert_eq!(d3.scopes, Scope::ALL.to_vec());

        let list = |f: DelegationFilter| async move { s.delegation_list(org.id, f).await.unwrap() };
        let ids = |v: Vec<adjutant_store::DelegationRecord>| {
            v.into_iter().map(|d| d.id).collect::<Vec<DelegationId>>()
        };
        assert_eq!(
            ids(list(DelegationFilter::default()).await),
            vec![d1.id, d3.id, d2.id],
            "by principal, delegate"
        );
        assert_eq!(
            ids(list(DelegationFilter {
                principal: Some(pia.id),
                delegate: None
            })
            .await),
            vec![d1.id, d3.id]
        );
        assert_eq!(
            ids(list(DelegationFilter {
                principal: None,
                delegate: Some(ada.id)
            })
            .await),
            vec![d1.id, d2.id]
        );
        assert_eq!(
            ids(list(DelegationFilter {
                principal: Some(quinn.id),
                delegate: Some(ada.id)
            })
            .await),
            vec![d2.id]
        );
        assert!(
            list(DelegationFilter {
                principal: Some(quinn.id),
                delegate: Some(bea.id)
            })
            .await
            .is_empty()
        );
        assert!(
            list(DelegationFilter {
                principal: Some(ada.id),
                delegate: None
            })
            .await
            .is_empty()
        );

        // Refused: to oneself; to someone unknown. Nothing written.
        let grants = count_action(s, org.id, "delegation.grant").await;
        assert_eq!(grants, 4);
        assert_err!(
            s.delegation_grant(
                org.id,
                pia.id,
                pia.id,
                &[Scope::Mail],
                Level::Read,
                &by(&admin, 50)
            )
            .await,
            StoreError::Conflict(_)
        );
        assert_err!(
            s.delegation_grant(
                org.id,
                pia.id,
                unknown_person(),
                &[Scope::Mail],
                Level::Read,
                &by(&admin, 51)
            )
            .await,
            StoreError::NotFound(_)
        );
        assert_err!(
            s.delegation_grant(
                org.id,
                unknown_person(),
                ada.id,
                &[Scope::Mail],
                Level::Read,
                &by(&admin, 52)
            )
            .await,
            StoreError::NotFound(_)
        );
        assert_eq!(count(s, "delegations").await, 3);
        assert_eq!(count_action(s, org.id, "delegation.grant").await, grants);

        // Revoking drops sessions acting under it back to the delegate, and only those.
        let ada_for_pia = s
            .session_create(&session(org.id, ada.id, "ada-pia", 60, 9000), None)
            .await
            .unwrap();
        let ada_for_quinn = s
            .session_create(&session(org.id, ada.id, "ada-quinn", 60, 9000), None)
            .await
            .unwrap();
        let bea_for_pia = s
            .session_create(&session(org.id, bea.id, "bea-pia", 60, 9000), None)
            .await
            .unwrap();
        s.session_set_acting_for(org.id, ada_for_pia.id, Some(pia.id))
            .await
            .unwrap();
        s.session_set_acting_for(org.id, ada_for_quinn.id, Some(quinn.id))
            .await
            .unwrap();
        s.session_set_acting_for(org.id, bea_for_pia.id, Some(pia.id))
            .await
            .unwrap();

        let gone = s.delegation_revoke(org.id, d1.id, &by(&pia, 70)).await.unwrap();
        assert_eq!(gone, d1b);
        assert_err!(s.delegation_get(org.id, d1.id).await, StoreError::NotFound(_));
        assert_eq!(ids(list(DelegationFilter::default()).await), vec![d3.id, d2.id]);
        assert_eq!(session_by(s, "ada-pia").await.unwrap().acting_for, None);
        assert_eq!(
            session_by(s, "ada-quinn").await.unwrap().acting_for,
            Some(quinn.id)
        );
        assert_eq!(session_by(s, "bea-pia").await.unwrap().acting_for, Some(pia.id));
        assert_err!(
            s.delegation_revoke(org.id, d1.id, &by(&pia, 71)).await,
            StoreError::NotFound(_)
        );
        assert_err!(
            s.delegation_revoke(org.id, DelegationId(uuid::Uuid::now_v7()), &by(&pia, 72))
                .await,
            StoreError::NotFound(_)
        );

        let log = audit(s, org.id).await;
        assert_eq!(log.iter().filter(|e| e.action == "delegation.revoke").count(), 1);
        assert_eq!(log[0].action, "delegation.revoke");
        assert_eq!(log[0].item_type, "delegation");
        assert_eq!(log[0].item_id, Some(d1.id.to_string()));
        assert_eq!(log[0].actor, Some(pia.id));

        // Granting anew after a revoke makes a new delegation.
        let d4 = s
            .delegation_grant(
                org.id,
                pia.id,
                ada.id,
                &[Scope::Mail],
                Level::Read,
                &by(&admin, 80),
            )
            .await
            .unwrap();
        assert_ne!(d4.id, d1.id);
        assert_eq!(d4.created_at, t(80));
    })
    .await;
}

/// A delegation with no scopes cannot be read back, so the store must not write one.
#[tokio::test]
async fn delegation_without_scopes_is_refused() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let pia = add_person(s, org.id, "Pia", None, Role::Principal, 2).await;
        let ada = add_person(s, org.id, "Ada", None, Role::Assistant, 3).await;
        let res = s
            .delegation_grant(org.id, pia.id, ada.id, &[], Level::Read, &cli(4))
            .await;
        assert!(res.is_err(), "an empty scope list must be refused, got {res:?}");
        let list = s.delegation_list(org.id, DelegationFilter::default()).await;
        assert!(
            matches!(&list, Ok(l) if l.is_empty()),
            "nothing written, the list still reads: {list:?}"
        );
        assert_eq!(count_action(s, org.id, "delegation.grant").await, 0);
    })
    .await;
}

// ---------------------------------------------------------------------------
// 8. Audit
// ---------------------------------------------------------------------------

#[tokio::test]
async fn audit_log() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let admin = add_person(
            s,
            org.id,
            "Admin",
            Some("admin@northwind.example"),
            Role::Admin,
            3,
        )
        .await;
        let ada = add_person(
            s,
            org.id,
            "Ada",
            Some("ada@northwind.example"),
            Role::Assistant,
            4,
        )
        .await;
        let pia = add_person(
            s,
            org.id,
            "Pia",
            Some("pia@northwind.example"),
            Role::Principal,
            5,
        )
        .await;
        add_person(s, other.id, "Zed", None, Role::Admin, 6).await;

        s.credential_set_password(org.id, &admin, "$h", &by(&admin, 7))
            .await
            .unwrap();
        s.credential_set_totp(org.id, admin.id, Some(b"k".as_slice()), &by(&admin, 8))
            .await
            .unwrap();
        s.credential_set_totp(org.id, admin.id, None, &by(&admin, 9))
            .await
            .unwrap();
        let rename = PersonPatch {
            name: Some("Pia Principal".into()),
            ..PersonPatch::default()
        };
        s.person_update(org.id, pia.id, &rename, &by(&admin, 10))
            .await
            .unwrap();
        let d = s
            .delegation_grant(
                org.id,
                pia.id,
                ada.id,
                &[Scope::Calendar],
                Level::Act,
                &by(&admin, 11),
            )
            .await
            .unwrap();
        let tok = s
            .token_create(org.id, pia.id, "for pia", "tok", None, &for_(&ada, &pia, 12))
            .await
            .unwrap();
        s.token_revoke(org.id, tok.id, &for_(&ada, &pia, 13))
            .await
            .unwrap();
        let sess = s
            .session_create(&session(org.id, pia.id, "sess", 14, 9000), None)
            .await
            .unwrap();
        s.session_delete_all(org.id, pia.id, &by(&admin, 15))
            .await
            .unwrap();
        s.delegation_revoke(org.id, d.id, &by(&admin, 16)).await.unwrap();

        // Not audited: rehash, touches, session steps, sign-in failures.
        s.credential_rehash(org.id, admin.id, "$h2").await.unwrap();
        s.token_touch(tok.id, t(17)).await.unwrap();
        s.session_touch(sess.id, t(17)).await.unwrap();
        s.login_failure_record(&["account:x".to_string()], t(17))
            .await
            .unwrap();

        let log = audit(s, org.id).await;
        let got: Vec<(&str, Timestamp)> = log.iter().map(|e| (e.action.as_str(), e.at)).collect();
        let expected = vec![
            ("delegation.revoke", t(16)),
            ("session.revoke_all", t(15)),
            ("token.revoke", t(13)),
            ("token.create", t(12)),
            ("delegation.grant", t(11)),
            ("person.update", t(10)),
            ("person.totp_disable", t(9)),
            ("person.totp_enable", t(8)),
            ("person.set_password", t(7)),
            ("person.create", t(5)),
            ("person.create", t(4)),
            ("person.create", t(3)),
            ("organisation.create", t(1)),
        ];
        assert_eq!(got, expected, "exactly one entry per change, newest first");
        assert!(log.iter().all(|e| e.org == org.id));

        let entry = |action: &str| log.iter().find(|e| e.action == action).unwrap().clone();
        let e = entry("organisation.create");
        assert_eq!(
            (e.actor, e.actor_label.as_str(), e.on_behalf_of),
            (None, "cli", None)
        );
        assert_eq!(
            (e.item_type.as_str(), e.item_id.clone()),
            ("organisation", Some(org.id.to_string()))
        );
        assert_eq!(e.details["slug"], "northwind");
        let e = entry("person.set_password");
        assert_eq!(
            (e.actor, e.actor_label.as_str(), e.on_behalf_of),
            (Some(admin.id), "Admin", None)
        );
        assert_eq!(
            (e.item_type.as_str(), e.item_id.clone()),
            ("person", Some(admin.id.to_string()))
        );
        let e = entry("person.update");
        assert_eq!(e.item_id, Some(pia.id.to_string()));
        assert_eq!(
            e.details,
            serde_json::json!({"name": {"from": "Pia", "to": "Pia Principal"}})
        );
        let e = entry("delegation.grant");
        assert_eq!(
            (e.item_type.as_str(), e.item_id.clone()),
            ("delegation", Some(d.id.to_string()))
        );
        assert_eq!(e.details["level"], "act");
        assert_eq!(e.details["scopes"], serde_json::json!(["calendar"]));
        let e = entry("token.create");
        assert_eq!(
            (e.actor, e.actor_label.as_str(), e.on_behalf_of),
            (Some(ada.id), "Ada", Some(pia.id))
        );
        assert_eq!(
            (e.item_type.as_str(), e.item_id.clone()),
            ("api_token", Some(tok.id.to_string()))
        );
        assert_eq!(e.details["name"], "for pia");
        let e = entry("token.revoke");
        assert_eq!((e.actor, e.on_behalf_of), (Some(ada.id), Some(pia.id)));
        let e = entry("session.revoke_all");
        assert_eq!(e.item_id, Some(pia.id.to_string()));
        assert_eq!(e.details, serde_json::json!({"sessions": 1}));
        let e = entry("delegation.revoke");
        assert_eq!(e.item_id, Some(d.id.to_string()));

        // Filters.
        let f = |f: AuditFilter| {
            filtered(
                s,
                org.id,
                AuditFilter {
                    limit: if f.limit == 0 { 1000 } else { f.limit },
                    ..f
                },
            )
        };
        let acts = |v: Vec<AuditEntry>| v.into_iter().map(|e| e.action).collect::<Vec<_>>();

        let mine = f(AuditFilter {
            actor: Some(admin.id),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(
            acts(mine),
            vec![
                "delegation.revoke",
                "session.revoke_all",
                "delegation.grant",
                "person.update",
                "person.totp_disable",
                "person.totp_enable",
                "person.set_password",
            ]
        );
        let adas = f(AuditFilter {
            actor: Some(ada.id),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(acts(adas), vec!["token.revoke", "token.create"]);

        let people = f(AuditFilter {
            action_prefix: Some("person.".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(people.len(), 7);
        assert!(people.iter().all(|e| e.action.starts_with("person.")));
        let tokens = f(AuditFilter {
            action_prefix: Some("token.".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(acts(tokens), vec!["token.revoke", "token.create"]);
        let deleg = f(AuditFilter {
            action_prefix: Some("delegation".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(acts(deleg), vec!["delegation.revoke", "delegation.grant"]);
        let none = f(AuditFilter {
            action_prefix: Some("calendar.".into()),
            ..AuditFilter::default()
        })
        .await;
        assert!(none.is_empty());

        let about_pia = f(AuditFilter {
            item_id: Some(pia.id.to_string()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(
            acts(about_pia),
            vec!["session.revoke_all", "person.update", "person.create"]
        );
        let about_d = f(AuditFilter {
            item_id: Some(d.id.to_string()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(acts(about_d), vec!["delegation.revoke", "delegation.grant"]);

        let older = f(AuditFilter {
            before: Some(t(10)),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(older.len(), 7, "strictly before");
        assert_eq!(older[0].at, t(9));

        // Paging backwards with before + limit.
        let page1 = f(AuditFilter {
            limit: 5,
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(page1.len(), 5);
        assert_eq!(page1[0].at, t(16));
        let page2 = f(AuditFilter {
            limit: 5,
            before: Some(page1[4].at),
            ..AuditFilter::default()
        })
        .await;
        let page3 = f(AuditFilter {
            limit: 5,
            before: Some(page2[4].at),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(page3.len(), 3);
        let mut all = page1;
        all.extend(page2);
        all.extend(page3);
        assert_eq!(all, log);

        // Filters combine.
        let combo = f(AuditFilter {
            actor: Some(admin.id),
            action_prefix: Some("person.".into()),
            before: Some(t(9)),
            limit: 1,
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(acts(combo), vec!["person.totp_enable"]);

        // Entries at the same instant come newest first too.
        let same = cli(100);
        let x = s
            .person_create(other.id, &new_person("X", None, Role::Staff), &same)
            .await
            .unwrap();
        let y = s
            .person_create(other.id, &new_person("Y", None, Role::Staff), &same)
            .await
            .unwrap();
        let top = filtered(
            s,
            other.id,
            AuditFilter {
                limit: 2,
                ..AuditFilter::default()
            },
        )
        .await;
        assert_eq!(top[0].item_id, Some(y.id.to_string()));
        assert_eq!(top[1].item_id, Some(x.id.to_string()));
        assert_eq!(audit(s, other.id).await.len(), 4);
        assert_eq!(
            audit(s, org.id).await,
            log,
            "another organisation's changes do not show"
        );
    })
    .await;
}

/// An action prefix is matched literally: `_` and `%` in it are ordinary characters.
#[tokio::test]
async fn audit_action_prefix_is_literal() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let admin = add_person(
            s,
            org.id,
            "Admin",
            Some("admin@northwind.example"),
            Role::Admin,
            2,
        )
        .await;
        s.credential_set_password(org.id, &admin, "$h", &by(&admin, 3))
            .await
            .unwrap();
        s.session_delete_all(org.id, admin.id, &by(&admin, 4))
            .await
            .unwrap();
        let f = |p: &str| {
            let f = AuditFilter {
                action_prefix: Some(p.to_string()),
                limit: 100,
                ..AuditFilter::default()
            };
            async move {
                filtered(s, org.id, f)
                    .await
                    .into_iter()
                    .map(|e| e.action)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(f("person.set_password").await, vec!["person.set_password"]);
        assert_eq!(f("session.revoke_").await, vec!["session.revoke_all"]);
        assert_eq!(f("person.set_").await, vec!["person.set_password"]);
        assert!(f("%").await.is_empty(), "no action starts with `%`");
        assert!(f("person_").await.is_empty(), "no action starts with `person_`");
    })
    .await;
}

// ---------------------------------------------------------------------------
// 9. Sign-in throttling
// ---------------------------------------------------------------------------

#[tokio::test]
async fn login_throttling() {
    run(async |db: &Db| {
        let s = &db.store;
        let account = "account:alice@northwind.example".to_string();
        let ip = "ip:192.0.2.7".to_string();
        assert_eq!(s.login_failure_count(&account, t(0)).await.unwrap(), 0);

        for sec in [100, 110, 120] {
            s.login_failure_record(&[account.clone(), ip.clone()], t(sec))
                .await
                .unwrap();
        }
        s.login_failure_record(std::slice::from_ref(&ip), t(130))
            .await
            .unwrap();
        s.login_failure_record(&[], t(140)).await.unwrap();

        assert_eq!(s.login_failure_count(&account, t(0)).await.unwrap(), 3);
        assert_eq!(
            s.login_failure_count(&account, t(110)).await.unwrap(),
            2,
            "the window includes its start"
        );
        assert_eq!(s.login_failure_count(&account, t(121)).await.unwrap(), 0);
        assert_eq!(s.login_failure_count(&ip, t(0)).await.unwrap(), 4);
        assert_eq!(s.login_failure_count(&ip, t(125)).await.unwrap(), 1);
        assert_eq!(s.login_failure_count("ip:198.51.100.1", t(0)).await.unwrap(), 0);

        // A successful sign-in clears its key only…
        s.login_failure_clear(&account, t(0)).await.unwrap();
        assert_eq!(s.login_failure_count(&account, t(0)).await.unwrap(), 0);
        assert_eq!(s.login_failure_count(&ip, t(0)).await.unwrap(), 4);
        // …and forgets everything older than the cut-off.
        s.login_failure_clear("account:someone-else", t(125))
            .await
            .unwrap();
        assert_eq!(s.login_failure_count(&ip, t(0)).await.unwrap(), 1);
        s.login_failure_clear("nothing", t(131)).await.unwrap();
        assert_eq!(s.login_failure_count(&ip, t(0)).await.unwrap(), 0);
    })
    .await;
}

// ---------------------------------------------------------------------------
// 10. Maintenance
// ---------------------------------------------------------------------------

const TABLES: [&str; 49] = [
    "organisations",
    "persons",
    "credentials",
    "api_tokens",
    "delegations",
    "audit_log",
    "resources",
    "calendars",
    "events",
    "event_attendees",
    "meeting_requests",
    "itip_messages",
    "polls",
    "calendar_feeds",
    "goals",
    "meetings",
    "materials",
    "tasks",
    "task_dependencies",
    "task_shares",
    "plans",
    "duties",
    "duty_completions",
    "vendors",
    "contracts",
    "contract_documents",
    "stock_items",
    "stock_movements",
    "purchases",
    "invoices",
    "budgets",
    "sites",
    "booking_rules",
    "bookings",
    "assets",
    "asset_events",
    "expense_reports",
    "expenses",
    "expense_receipts",
    "expense_policies",
    "mailboxes",
    "mail_messages",
    "mail_senders",
    "mail_rules",
    "mail_models",
    "mail_templates",
    "mail_drafts",
    "contacts",
    "contact_addresses",
];

#[tokio::test]
async fn maintenance() {
    run(async |db: &Db| {
        let s = &db.store;
        assert!(
            s.integrity_check().await.unwrap().is_empty(),
            "a fresh store is sound"
        );
        let counts = s.table_counts().await.unwrap();
        assert_eq!(
            counts,
            TABLES.iter().map(|t| (t.to_string(), 0)).collect::<Vec<_>>()
        );

        let org = add_org(s, "northwind", 1).await;
        let pia = add_person(
            s,
            org.id,
            "Pia",
            Some("pia@northwind.example"),
            Role::Principal,
            2,
        )
        .await;
        let ada = add_person(
            s,
            org.id,
            "Ada",
            Some("ada@northwind.example"),
            Role::Assistant,
            3,
        )
        .await;
        s.credential_set_password(org.id, &pia, "$h", &cli(4))
            .await
            .unwrap();
        s.token_create(org.id, pia.id, "laptop", "tok", None, &cli(5))
            .await
            .unwrap();
        s.delegation_grant(org.id, pia.id, ada.id, &[Scope::Mail], Level::Read, &cli(6))
            .await
            .unwrap();
        let counts = s.table_counts().await.unwrap();
        let expected: Vec<(String, i64)> = TABLES
            .iter()
            .zip([1, 2, 1, 1, 1, 6].into_iter().chain(std::iter::repeat(0)))
            .map(|(t, n)| (t.to_string(), n))
            .collect();
        assert_eq!(counts, expected);
        assert!(s.integrity_check().await.unwrap().is_empty());

        let dest = db.scratch_path("backup.db");
        match s.backend() {
            Backend::Sqlite => {
                s.backup_to(&dest).await.unwrap();
                assert!(dest.is_file());
                assert_err!(s.backup_to(&dest).await, StoreError::Conflict(_));
                assert_eq!(verify_backup(&dest).await.unwrap(), s.known_schema_version());
                assert_err!(
                    verify_backup(&db.scratch_path("missing.db")).await,
                    StoreError::NotFound(_)
                );

                let copy = Store::open_sqlite_file(&dest, false).await.unwrap();
                assert_eq!(
                    copy.person_list(org.id).await.unwrap(),
                    s.person_list(org.id).await.unwrap()
                );
                assert_eq!(copy.table_counts().await.unwrap(), counts);
                assert_eq!(copy.schema_version().await.unwrap(), s.known_schema_version());
                assert!(copy.integrity_check().await.unwrap().is_empty());
                copy.close().await;

                // A SQLite file without Adjutant's schema is not a backup.
                let empty = db.scratch_path("empty.db");
                Store::open_sqlite_file(&empty, true).await.unwrap().close().await;
                assert_err!(verify_backup(&empty).await, StoreError::Corrupt(_));
            }
            Backend::Postgres => {
                assert_err!(s.backup_to(&dest).await, StoreError::Unsupported(_));
                assert!(!dest.exists(), "nothing written");
            }
        }
        assert_eq!(
            s.table_counts().await.unwrap(),
            counts,
            "a backup changes nothing"
        );
    })
    .await;
}

/// A SQLite store keeps its data across a close and a reopen of the same directory.
#[tokio::test]
async fn sqlite_reopen_keeps_data() {
    let db = Db::sqlite().await;
    db.store.migrate().await.unwrap();
    let org = add_org(&db.store, "northwind", 1).await;
    let pia = add_person(
        &db.store,
        org.id,
        "Pia",
        Some("pia@northwind.example"),
        Role::Principal,
        2,
    )
    .await;
    db.store.close().await;
    let Place::Sqlite { dir } = &db.place else {
        unreachable!()
    };
    let again = Store::open_sqlite(dir).await.unwrap();
    assert_eq!(again.migrate().await.unwrap(), 0);
    assert_eq!(again.person_get(org.id, pia.id).await.unwrap(), pia);
    assert_eq!(again.sqlite_path(), Some(dir.join("adjutant.db").as_path()));
    again.close().await;
    db.finish().await;
}

// ---------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------

mod calendar {
    //! Calendar stories: rooms, calendars, events and their range queries, the
    //! room booking guard, imports, meeting requests, polls, feeds, availability.
    use super::*;
    use adjutant_core::calendar::availability::Availability;
    use adjutant_core::calendar::poll::Answer;
    use adjutant_core::calendar::recurrence::Rule;
    use adjutant_core::calendar::series::Override;
    use adjutant_core::calendar::{
        Attendee, AttendeeRole, Category, EventData, EventStatus, EventTime, Priority, Recurrence,
        RecurrenceId, Rsvp, TimeRange, Transparency, Zone,
    };
    use adjutant_core::policy::Visibility;
    use adjutant_store::calendar::{EventScope, NewEvent, ResourceInput};
    use adjutant_store::polls::{NewParticipant, PollStatus};
    use adjutant_store::scheduling::{NewItip, RequestStatus, as_hold};
    use jiff::civil::date;

    fn ams() -> Zone {
        Zone::parse("zone", "Europe/Amsterdam").unwrap()
    }

    /// An event on 2027-03-`day` from `h`:00 for `minutes`, Amsterdam time.
    fn ev(summary: &str, day: i8, h: i8, minutes: i64) -> EventData {
        let start = date(2027, 3, day).at(h, 0, 0, 0);
        EventData {
            summary: summary.into(),
            description: String::new(),
            location: None,
            start: EventTime::zoned(start, &ams()),
            end: EventTime::zoned(
                start
                    .checked_add(jiff::SignedDuration::from_mins(minutes))
                    .unwrap(),
                &ams(),
            ),
            recurrence: Recurrence::default(),
            organiser: None,
            attendees: vec![],
            visibility: Visibility::Normal,
            transparency: Transparency::Busy,
            priority: Priority::NORMAL,
            category: Category::Meeting,
            status: EventStatus::Confirmed,
        }
    }

    fn weekly(mut e: EventData, rule: &str) -> EventData {
        e.recurrence.rules = vec![rule.parse::<Rule>().unwrap()];
        e
    }

    fn attending(mut e: EventData, people: &[(&Person, Rsvp)]) -> EventData {
        e.attendees = people
            .iter()
            .map(|(p, r)| Attendee {
                person: Some(p.id),
                email: p.email.clone(),
                name: p.name.clone(),
                role: AttendeeRole::Required,
                rsvp: *r,
            })
            .collect();
        e
    }

    fn new(cal: adjutant_core::ids::CalendarId, data: EventData) -> NewEvent {
        NewEvent {
            calendar: cal,
            uid: None,
            data,
            overrides: vec![],
            room: None,
            meeting_request: None,
        }
    }

    fn room_input(name: &str) -> ResourceInput {
        ResourceInput {
            kind: "room".into(),
            name: name.into(),
            capacity: 8,
            equipment: vec!["screen".into()],
            location: "HQ".into(),
            time_zone: "Europe/Amsterdam".into(),
            bookable: true,
            ..ResourceInput::default()
        }
    }

    fn march() -> TimeRange {
        TimeRange {
            start: ams().instant(date(2027, 3, 1).at(0, 0, 0, 0)),
            end: ams().instant(date(2027, 4, 1).at(0, 0, 0, 0)),
        }
    }

    fn summaries(events: &[adjutant_store::calendar::EventRecord]) -> Vec<String> {
        let mut v: Vec<String> = events.iter().map(|e| e.data.summary.clone()).collect();
        v.sort();
        v
    }

    #[tokio::test]
    async fn rooms_and_calendars() {
        run(async |db: &Db| {
            let s = &db.store;
            let org = add_org(s, "northwind", 1).await;
            let other = add_org(s, "contoso", 2).await;
            let pia = add_person(
                s,
                org.id,
                "Pia",
                Some("pia@northwind.example"),
                Role::Principal,
                3,
            )
            .await;
            let room = s
                .resource_create(org.id, &room_input("Boardroom"), &cli(4))
                .await
                .unwrap();
            assert_eq!(room.capacity, 8);
            assert_eq!(
                s.calendar_get(org.id, room.calendar).await.unwrap().name,
                "Boardroom"
            );
            assert_err!(
                s.resource_create(org.id, &room_input("Boardroom"), &cli(5)).await,
                StoreError::Conflict(_)
            );
            // Another organisation may use the same name, and cannot see ours.
            s.resource_create(other.id, &room_input("Boardroom"), &cli(6))
                .await
                .unwrap();
            assert_err!(s.resource_get(other.id, room.id).await, StoreError::NotFound(_));
            let mut changed = room_input("Boardroom");
            changed.capacity = 12;
            let room = s
                .resource_update(org.id, room.id, &changed, &cli(7))
                .await
                .unwrap();
            assert_eq!(room.capacity, 12);
            assert_eq!(s.resource_list(org.id).await.unwrap().len(), 1);

            let a = s
                .calendar_ensure_default(org.id, pia.id, &by(&pia, 8))
                .await
                .unwrap();
            let b = s
                .calendar_ensure_default(org.id, pia.id, &by(&pia, 9))
                .await
                .unwrap();
            assert_eq!(a.id, b.id, "the default calendar is made once");
            assert_err!(s.calendar_get(other.id, a.id).await, StoreError::NotFound(_));
            let extra = s
                .calendar_create(org.id, pia.id, "Family", "Europe/Amsterdam", &by(&pia, 10))
                .await
                .unwrap();
            assert!(!extra.is_default);
            assert_eq!(s.calendar_list(org.id, pia.id).await.unwrap().len(), 2);
            assert_eq!(count_action(s, org.id, "calendar.create").await, 2);
            assert_eq!(count_action(s, org.id, "resource.update").await, 1);
        })
        .await;
    }

    #[tokio::test]
    async fn events_and_range_queries() {
        run(async |db: &Db| {
            let s = &db.store;
            let org = add_org(s, "northwind", 1).await;
            let pia = add_person(
                s,
                org.id,
                "Pia",
                Some("pia@northwind.example"),
                Role::Principal,
                2,
            )
            .await;
            let tom = add_person(s, org.id, "Tom", Some("tom@northwind.example"), Role::Staff, 3).await;
            let ana = add_person(s, org.id, "Ana", Some("ana@northwind.example"), Role::Staff, 4).await;
            let cal = s.calendar_ensure_default(org.id, pia.id, &cli(5)).await.unwrap();
            let room = s
                .resource_create(org.id, &room_input("Herengracht"), &cli(6))
                .await
                .unwrap();

            let single = s
                .event_create(
                    org.id,
                    &new(
                        cal.id,
                        attending(
                            ev("Review", 2, 10, 60),
                            &[(&tom, Rsvp::Accepted), (&ana, Rsvp::Declined)],
                        ),
                    ),
                    &[],
                    &by(&pia, 7),
                )
                .await
                .unwrap();
            let forever = s
                .event_create(
                    org.id,
                    &new(cal.id, weekly(ev("1:1", 1, 9, 30), "FREQ=WEEKLY;BYDAY=MO")),
                    &[],
                    &by(&pia, 8),
                )
                .await
                .unwrap();
            assert_eq!(forever.ends_at, None, "an endless series has no end");
            let finite = s
                .event_create(
                    org.id,
                    &new(cal.id, weekly(ev("Sprint", 1, 14, 60), "FREQ=WEEKLY;COUNT=2")),
                    &[],
                    &by(&pia, 9),
                )
                .await
                .unwrap();
            assert_eq!(
                finite.ends_at.map(|t| t.to_string()).as_deref(),
                Some("2027-03-08T14:00:00Z")
            );
            let mut in_room = new(cal.id, ev("In the room", 3, 11, 60));
            in_room.room = Some(room.id);
            s.event_create(org.id, &in_room, &[], &by(&pia, 10))
                .await
                .unwrap();

            let all = s
                .events_in_range(org.id, &EventScope::Person(pia.id), march())
                .await
                .unwrap();
            assert_eq!(summaries(&all), ["1:1", "In the room", "Review", "Sprint"]);
            // Tom attends the review; Ana declined it.
            let toms = s
                .events_in_range(org.id, &EventScope::Person(tom.id), march())
                .await
                .unwrap();
            assert_eq!(summaries(&toms), ["Review"]);
            assert!(
                s.events_in_range(org.id, &EventScope::Person(ana.id), march())
                    .await
                    .unwrap()
                    .is_empty()
            );
            let rooms = s
                .events_in_range(org.id, &EventScope::Resource(room.id), march())
                .await
                .unwrap();
            assert_eq!(summaries(&rooms), ["In the room"]);
            // April: only the endless series can fall in it.
            let april = TimeRange {
                start: march().end,
                end: ams().instant(date(2027, 5, 1).at(0, 0, 0, 0)),
            };
            let later = s
                .events_in_range(org.id, &EventScope::Calendars(vec![cal.id]), april)
                .await
                .unwrap();
            assert_eq!(summaries(&later), ["1:1"]);
            let batch = s
                .events_for_people(org.id, &[pia.id, tom.id, ana.id], march())
                .await
                .unwrap();
            assert_eq!(batch[&pia.id].len(), 4);
            assert_eq!(summaries(&batch[&tom.id]), ["Review"]);
            assert!(batch[&ana.id].is_empty());

            // An update raises the sequence and re-indexes attendees.
            let moved = attending(ev("Review", 4, 10, 60), &[(&ana, Rsvp::Accepted)]);
            let e = s
                .event_update(
                    org.id,
                    single.id,
                    &moved,
                    &[],
                    None,
                    "event.move",
                    &[],
                    &by(&pia, 11),
                )
                .await
                .unwrap();
            assert_eq!(e.sequence, 1);
            assert!(
                s.events_in_range(org.id, &EventScope::Person(tom.id), march())
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert_eq!(
                s.events_in_range(org.id, &EventScope::Person(ana.id), march())
                    .await
                    .unwrap()
                    .len(),
                1
            );
            // An override moves one occurrence, and is indexed with the series.
            let ov = Override {
                recurrence_id: RecurrenceId(date(2027, 3, 8).at(9, 0, 0, 0)),
                data: ev("1:1 (moved)", 9, 9, 30),
            };
            let f = s
                .event_update(
                    org.id,
                    forever.id,
                    &forever.data,
                    std::slice::from_ref(&ov),
                    None,
                    "event.move",
                    &[],
                    &by(&pia, 12),
                )
                .await
                .unwrap();
            assert_eq!(f.overrides, vec![ov]);
            assert_eq!(
                s.event_by_uid(org.id, cal.id, &f.uid)
                    .await
                    .unwrap()
                    .map(|e| e.id),
                Some(f.id)
            );
            // Deleting removes the attendee index with it.
            s.event_delete(org.id, single.id, &[], &by(&pia, 13))
                .await
                .unwrap();
            assert_err!(s.event_get(org.id, single.id).await, StoreError::NotFound(_));
            assert!(
                s.events_in_range(org.id, &EventScope::Person(ana.id), march())
                    .await
                    .unwrap()
                    .is_empty()
            );
            // Another organisation sees none of it.
            let other = add_org(s, "contoso", 14).await;
            assert_err!(s.event_get(other.id, forever.id).await, StoreError::NotFound(_));
            assert!(
                s.events_in_range(other.id, &EventScope::Person(pia.id), march())
                    .await
                    .unwrap()
                    .is_empty()
            );
            let acts = actions(s, org.id).await;
            assert_eq!(acts.iter().filter(|a| a.starts_with("event.")).count(), 7);
        })
        .await;
    }

    #[tokio::test]
    async fn a_room_is_never_double_booked() {
        run(async |db: &Db| {
            let s = &db.store;
            let org = add_org(s, "northwind", 1).await;
            let pia = add_person(
                s,
                org.id,
                "Pia",
                Some("pia@northwind.example"),
                Role::Principal,
                2,
            )
            .await;
            let cal = s.calendar_ensure_default(org.id, pia.id, &cli(3)).await.unwrap();
            let room = s
                .resource_create(org.id, &room_input("Boardroom"), &cli(4))
                .await
                .unwrap();
            let booking = |data: EventData| NewEvent {
                room: Some(room.id),
                ..new(cal.id, data)
            };
            // Weekly on Mondays from 1 March, and every third week from 1 March: they meet in week four.
            s.event_create(
                org.id,
                &booking(weekly(ev("Weekly", 1, 10, 60), "FREQ=WEEKLY;INTERVAL=2")),
                &[],
                &cli(5),
            )
            .await
            .unwrap();
            let before = count(s, "events").await;
            let clash = s
                .event_create(
                    org.id,
                    &booking(weekly(
                        ev("Every third week", 8, 10, 30),
                        "FREQ=WEEKLY;INTERVAL=3",
                    )),
                    &[],
                    &cli(6),
                )
                .await;
            match clash {
                Err(StoreError::Conflict(m)) => assert!(m.contains("Weekly"), "{m}"),
                other => panic!("expected a clash, got {other:?}"),
            }
            assert_eq!(count(s, "events").await, before, "nothing stored");
            // Touching ends and free events do not clash; another room is another room.
            s.event_create(org.id, &booking(ev("Right after", 1, 11, 30)), &[], &cli(7))
                .await
                .unwrap();
            let mut free = ev("Free", 1, 10, 30);
            free.transparency = Transparency::Free;
            s.event_create(org.id, &booking(free), &[], &cli(8))
                .await
                .unwrap();
            let small = s
                .resource_create(org.id, &room_input("Small"), &cli(9))
                .await
                .unwrap();
            s.event_create(
                org.id,
                &NewEvent {
                    room: Some(small.id),
                    ..new(cal.id, ev("Elsewhere", 1, 10, 60))
                },
                &[],
                &cli(10),
            )
            .await
            .unwrap();
            // Moving an event into a taken slot is refused and leaves it where it was.
            let later = s
                .event_create(org.id, &booking(ev("Later", 2, 15, 60)), &[], &cli(11))
                .await
                .unwrap();
            assert_err!(
                s.event_update(
                    org.id,
                    later.id,
                    &ev("Later", 15, 10, 60),
                    &[],
                    Some(room.id),
                    "event.move",
                    &[],
                    &cli(12)
                )
                .await,
                StoreError::Conflict(_)
            );
            assert_eq!(s.event_get(org.id, later.id).await.unwrap().data, later.data);
            // Two bookings of the same slot at once: exactly one wins.
            let (race_a, race_b) = (booking(ev("Race A", 5, 9, 60)), booking(ev("Race B", 5, 9, 30)));
            let (ca, cb) = (cli(13), cli(14));
            let (x, y) = tokio::join!(
                s.event_create(org.id, &race_a, &[], &ca),
                s.event_create(org.id, &race_b, &[], &cb),
            );
            assert_eq!(usize::from(x.is_ok()) + usize::from(y.is_ok()), 1, "{x:?} {y:?}");
        })
        .await;
    }

    #[tokio::test]
    async fn imports_are_all_or_nothing() {
        run(async |db: &Db| {
            let s = &db.store;
            let org = add_org(s, "northwind", 1).await;
            let other = add_org(s, "contoso", 2).await;
            let pia = add_person(
                s,
                org.id,
                "Pia",
                Some("pia@northwind.example"),
                Role::Principal,
                3,
            )
            .await;
            let stranger =
                add_person(s, other.id, "Stranger", Some("s@contoso.example"), Role::Staff, 4).await;
            let cal = s.calendar_ensure_default(org.id, pia.id, &cli(5)).await.unwrap();
            let with_uid = |uid: &str, data: EventData| NewEvent {
                uid: Some(uid.into()),
                ..new(cal.id, data)
            };
            let first = vec![
                with_uid("a@x", ev("A", 1, 9, 30)),
                with_uid("b@x", ev("B", 2, 9, 30)),
            ];
            let out = s
                .events_import(org.id, cal.id, &first, "test.ics", &by(&pia, 6))
                .await
                .unwrap();
            assert_eq!((out.created, out.updated), (2, 0));
            // Re-importing updates by UID; a bad event anywhere stores nothing.
            let bad = vec![
                with_uid("a@x", ev("A renamed", 1, 9, 30)),
                with_uid(
                    "c@x",
                    attending(ev("C", 3, 9, 30), &[(&stranger, Rsvp::Accepted)]),
                ),
            ];
            let before = (count(s, "events").await, count(s, "audit_log").await);
            let refused = s
                .events_import(org.id, cal.id, &bad, "bad.ics", &by(&pia, 7))
                .await;
            // SQLite checks the foreign key; the organisation check catches it on both.
            assert!(refused.is_err(), "{refused:?}");
            assert_eq!((count(s, "events").await, count(s, "audit_log").await), before);
            assert_eq!(
                s.event_by_uid(org.id, cal.id, "a@x")
                    .await
                    .unwrap()
                    .unwrap()
                    .data
                    .summary,
                "A"
            );
            let out = s
                .events_import(
                    org.id,
                    cal.id,
                    &[with_uid("a@x", ev("A renamed", 1, 9, 30))],
                    "again.ics",
                    &by(&pia, 8),
                )
                .await
                .unwrap();
            assert_eq!((out.created, out.updated), (0, 1));
            let a = s.event_by_uid(org.id, cal.id, "a@x").await.unwrap().unwrap();
            assert_eq!((a.data.summary.as_str(), a.sequence), ("A renamed", 1));
            assert_eq!(count_action(s, org.id, "event.import").await, 2);
        })
        .await;
    }

    #[tokio::test]
    async fn meeting_requests_hold_then_confirm_or_release() {
        run(async |db: &Db| {
            let s = &db.store;
            let org = add_org(s, "northwind", 1).await;
            let pia = add_person(
                s,
                org.id,
                "Pia",
                Some("pia@northwind.example"),
                Role::Principal,
                2,
            )
            .await;
            let tom = add_person(s, org.id, "Tom", Some("tom@northwind.example"), Role::Staff, 3).await;
            let cal = s.calendar_ensure_default(org.id, pia.id, &cli(4)).await.unwrap();
            let room = s
                .resource_create(org.id, &room_input("Boardroom"), &cli(5))
                .await
                .unwrap();
            let template = attending(ev("Board", 1, 14, 90), &[(&tom, Rsvp::NeedsAction)]);
            let holds: Vec<EventData> = [1, 2, 3]
                .iter()
                .map(|d| as_hold(attending(ev("Board", *d, 14, 90), &[(&tom, Rsvp::NeedsAction)])))
                .collect();
            let (req, placed) = s
                .meeting_request_create(
                    org.id,
                    pia.id,
                    cal.id,
                    &template,
                    Some(room.id),
                    &holds,
                    &by(&pia, 6),
                )
                .await
                .unwrap();
            assert_eq!((req.status, placed.len()), (RequestStatus::Open, 3));
            assert!(
                placed
                    .iter()
                    .all(|h| h.data.category == Category::Hold && h.data.status == EventStatus::Tentative)
            );
            // The holds are on Tom's calendar and block the room.
            assert_eq!(
                s.events_in_range(org.id, &EventScope::Person(tom.id), march())
                    .await
                    .unwrap()
                    .len(),
                3
            );
            assert_err!(
                s.event_create(
                    org.id,
                    &NewEvent {
                        room: Some(room.id),
                        ..new(cal.id, ev("Grab", 2, 15, 30))
                    },
                    &[],
                    &cli(7)
                )
                .await,
                StoreError::Conflict(_)
            );
            let mut fin = placed[1].data.clone();
            fin.category = Category::Meeting;
            fin.status = EventStatus::Confirmed;
            let itip = vec![NewItip {
                event_uid: placed[1].uid.clone(),
                event: Some(placed[1].id),
                method: "REQUEST".into(),
                recipient: "tom@northwind.example".into(),
                summary: "Board".into(),
                ics: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into(),
            }];
            let event = s
                .meeting_request_confirm(org.id, req.id, placed[1].id, &fin, &itip, &by(&pia, 8))
                .await
                .unwrap();
            assert_eq!(
                (event.data.status, event.room),
                (EventStatus::Confirmed, Some(room.id))
            );
            let left = s.events_of_request(org.id, req.id).await.unwrap();
            assert_eq!(
                left.iter().map(|e| e.id).collect::<Vec<_>>(),
                [placed[1].id],
                "the other holds are released"
            );
            assert_eq!(
                s.meeting_request_get(org.id, req.id).await.unwrap().status,
                RequestStatus::Confirmed
            );
            assert_eq!(s.itip_list(org.id, &placed[1].uid).await.unwrap().len(), 1);
            assert_err!(
                s.meeting_request_confirm(org.id, req.id, placed[1].id, &fin, &[], &by(&pia, 9))
                    .await,
                StoreError::Conflict(_)
            );
            // A second request released drops all its holds.
            let (req2, _) = s
                .meeting_request_create(
                    org.id,
                    pia.id,
                    cal.id,
                    &template,
                    None,
                    &holds[..2],
                    &by(&pia, 10),
                )
                .await
                .unwrap();
            let released = s
                .meeting_request_release(org.id, req2.id, &by(&pia, 11))
                .await
                .unwrap();
            assert_eq!(released.status, RequestStatus::Released);
            assert!(s.events_of_request(org.id, req2.id).await.unwrap().is_empty());
            assert_err!(
                s.meeting_request_release(org.id, req2.id, &by(&pia, 12)).await,
                StoreError::Conflict(_)
            );
            let other = add_org(s, "contoso", 13).await;
            assert_err!(
                s.meeting_request_get(other.id, req.id).await,
                StoreError::NotFound(_)
            );
        })
        .await;
    }

    #[tokio::test]
    async fn polls_feeds_availability_and_travel() {
        run(async |db: &Db| {
            let s = &db.store;
            let org = add_org(s, "northwind", 1).await;
            let pia = add_person(
                s,
                org.id,
                "Pia",
                Some("pia@northwind.example"),
                Role::Principal,
                2,
            )
            .await;
            let tom = add_person(s, org.id, "Tom", Some("tom@northwind.example"), Role::Staff, 3).await;
            let cal = s.calendar_ensure_default(org.id, pia.id, &cli(4)).await.unwrap();
            let options: Vec<TimeRange> = [8, 9]
                .iter()
                .map(|d| {
                    let e = ev("x", *d, 10, 60);
                    TimeRange {
                        start: e.start.instant(&ams()),
                        end: e.end.instant(&ams()),
                    }
                })
                .collect();
            let people = vec![
                NewParticipant {
                    name: "Tom".into(),
                    email: tom.email.clone(),
                    person: Some(tom.id),
                    token_hash: None,
                },
                NewParticipant {
                    name: "Dee".into(),
                    email: Some("dee@example.org".into()),
                    person: None,
                    token_hash: Some("hash-of-dee".into()),
                },
            ];
            let poll = s
                .poll_create(
                    org.id,
                    pia.id,
                    cal.id,
                    &ev("Offsite", 8, 10, 60),
                    None,
                    &options,
                    &people,
                    &by(&pia, 5),
                )
                .await
                .unwrap();
            assert_eq!((poll.options.len(), poll.participants.len()), (2, 2));
            let (found, dee) = s.poll_by_token("hash-of-dee").await.unwrap().unwrap();
            assert_eq!(found.id, poll.id);
            assert!(s.poll_by_token("nope").await.unwrap().is_none());
            let answers = vec![
                (poll.options[0].id.clone(), Answer::No),
                (poll.options[1].id.clone(), Answer::Yes),
            ];
            let p = s
                .poll_answer(
                    org.id,
                    poll.id,
                    &dee,
                    &answers,
                    &AuditCtx::system("Dee (poll link)", t(6)),
                )
                .await
                .unwrap();
            assert_eq!(p.answers.len(), 2);
            assert!(
                p.participants
                    .iter()
                    .any(|x| x.id == dee && x.responded_at.is_some())
            );
            assert_err!(
                s.poll_answer(
                    org.id,
                    poll.id,
                    &dee,
                    &[("no-such-option".into(), Answer::Yes)],
                    &cli(7)
                )
                .await,
                StoreError::NotFound(_)
            );
            let closed = s.poll_close(org.id, poll.id, None, &by(&pia, 8)).await.unwrap();
            assert_eq!(closed.status, PollStatus::Closed);
            assert_err!(
                s.poll_answer(org.id, poll.id, &dee, &answers, &cli(9)).await,
                StoreError::Conflict(_)
            );

            let feed = s
                .feed_create(org.id, cal.id, "phone", "feed-hash", &by(&pia, 10))
                .await
                .unwrap();
            assert_eq!(
                s.feed_by_token("feed-hash").await.unwrap().map(|f| f.id),
                Some(feed.id)
            );
            s.feed_revoke(org.id, feed.id, &by(&pia, 11)).await.unwrap();
            assert!(
                s.feed_by_token("feed-hash").await.unwrap().is_none(),
                "a revoked feed stops at once"
            );

            assert!(s.availability_get(org.id, pia.id).await.unwrap().is_none());
            let mut rules = Availability::default_for(ams());
            rules.buffer_after = 10;
            s.availability_set(org.id, pia.id, &rules, &by(&pia, 12))
                .await
                .unwrap();
            assert_eq!(s.availability_get(org.id, pia.id).await.unwrap(), Some(rules));

            assert_eq!(s.travel_table(org.id).await.unwrap().default_minutes, 30);
            s.travel_time_set(org.id, "Schiphol", "HQ", Some(45), &cli(13))
                .await
                .unwrap();
            s.travel_default_set(org.id, 20, &cli(14)).await.unwrap();
            let t = s.travel_table(org.id).await.unwrap();
            assert_eq!(
                (t.default_minutes, t.pairs.clone()),
                (20, vec![("HQ".into(), "Schiphol".into(), 45)])
            );
            s.travel_time_set(org.id, "HQ", "Schiphol", None, &cli(15))
                .await
                .unwrap();
            assert!(s.travel_table(org.id).await.unwrap().pairs.is_empty());
            for a in [
                "poll.create",
                "poll.answer",
                "poll.close",
                "feed.create",
                "feed.revoke",
                "availability.set",
                "travel_time.set",
                "travel_time.default",
            ] {
                assert!(count_action(s, org.id, a).await >= 1, "{a} audited");
            }
        })
        .await;
    }
}

// ---------------------------------------------------------------------------
// Tasks, plans, meetings and duties
// ---------------------------------------------------------------------------

#[path = "store/tasks_stories.rs"]
mod tasks_stories;

#[path = "store/meetings_stories.rs"]
mod meetings_stories;

#[path = "store/assets_stories.rs"]
mod assets_stories;
#[path = "store/office_stories.rs"]
mod office_stories;

#[path = "store/expenses_stories.rs"]
mod expenses_stories;
#[path = "store/mail_stories.rs"]
mod mail_stories;
#[path = "store/spaces_stories.rs"]
mod spaces_stories;
