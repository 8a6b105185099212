//! The web UI in a real browser (headless Chromium driven over WebDriver):
//! an administrator signs in, adds a person, grants a delegation and finds
//! both in the audit log.
//!
//! Skipped with one line when `chromedriver` is not installed, unless
//! `ADJUTANT_TEST_REQUIRE_BROWSER=1` (as `.ci/run` sets), which makes a
//! missing browser a failure. `ADJUTANT_TEST_SCREENSHOTS=DIR` saves a PNG of each step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use adjutant_server::auth::Caller;
use adjutant_server::ops::{self, PersonInput};
use adjutant_server::{AppState, Config};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Kills chromedriver (and with it the browser) however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHROMEDRIVER") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn spawn_app() -> (String, AppState, PathBuf) {
    let dir = std::env::temp_dir().join(format!("adjutant-browser-{}", uuid::Uuid::new_v4()));
    let config = Config {
        data: dir.clone(),
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        ..Config::default()
    };
    let state = adjutant_server::prepare(config).await.unwrap();
    let caller = Caller::System("test".into());
    let slug = adjutant_core::people::OrgSlug::parse("northwind").unwrap();
    let org = state
        .store
        .org_create(&slug, "Northwind", &caller.audit(jiff::Timestamp::now()))
        .await
        .unwrap();
    for (name, email, role, zone, pw) in [
        (
            "Iris Visser",
            "iris@northwind.example",
            "admin",
            "Europe/Amsterdam",
            Some("correct horse battery"),
        ),
        (
            "Lars Jansen",
            "lars@northwind.example",
            "principal",
            "Europe/Amsterdam",
            None,
        ),
        (
            "Maya de Vries",
            "maya@northwind.example",
            "assistant",
            "Europe/Amsterdam",
            None,
        ),
    ] {
        ops::create_person(
            &state,
            &caller,
            org.id,
            &PersonInput {
                name: name.into(),
                email: Some(email.into()),
                role: role.into(),
                time_zone: Some(zone.into()),
                password: pw.map(String::from),
            },
        )
        .await
        .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(adjutant_server::serve(
        state.clone(),
        listener,
        std::future::pending(),
    ));
    (url, state, dir)
}

async fn shot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("ADJUTANT_TEST_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png).unwrap();
    }
}

async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
            && t.contains(needle)
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = c.source().await.unwrap_or_default();
    panic!("`{needle}` never appeared in `{css}`; page was:\n{page}");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_signs_in_adds_a_person_grants_a_delegation_and_audits_it() {
    let Some(driver_bin) = chromedriver() else {
        if std::env::var("ADJUTANT_TEST_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("chromedriver is not installed but ADJUTANT_TEST_REQUIRE_BROWSER=1");
        }
        println!(
            "browser test skipped: chromedriver not found (install Debian's chromium and chromium-driver)"
        );
        return;
    };
    let (url, state, dir) = spawn_app().await;
    let port = free_port();
    let _driver = Driver(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,900"]
        }
    }))
    .unwrap();
    let mut client = None;
    for _ in 0..50 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("a WebDriver session starts");
    let org = state.store.org_list().await.unwrap()[0].id;
    let lars = state
        .store
        .person_by_email(org, "lars@northwind.example")
        .await
        .unwrap()
        .id;
    let maya = state
        .store
        .person_by_email(org, "maya@northwind.example")
        .await
        .unwrap()
        .id;

    // Sign in.
    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "iris@northwind.example").await;
    type_into(&c, "#password", "correct horse battery").await;
    shot(&c, "1-login").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Iris").await;
    shot(&c, "2-dashboard").await;

    // Add a person.
    c.goto(&format!("{url}/people")).await.unwrap();
    type_into(&c, "#name", "Tom Bakker").await;
    type_into(&c, "#email", "tom@northwind.example").await;
    click(&c, "#role option[value=staff]").await;
    click(&c, "form[action='/people'] button[type=submit]").await;
    wait_text(&c, ".notice", "Person added").await;
    wait_text(&c, "table", "Tom Bakker").await;
    shot(&c, "3-people").await;

    // Grant Maya a delegation from Lars.
    c.goto(&format!("{url}/delegations")).await.unwrap();
    click(&c, &format!("#principal option[value='{lars}']")).await;
    click(&c, &format!("#delegate option[value='{maya}']")).await;
    click(&c, "input[name=scopes][value=calendar]").await;
    click(&c, "input[name=scopes][value=mail]").await;
    click(&c, "#level option[value=act]").await;
    click(&c, "form[action='/delegations'] button[type=submit]").await;
    wait_text(&c, ".notice", "Delegation granted").await;
    let table = wait_text(&c, "table", "Maya de Vries").await;
    assert!(table.contains("calendar, mail"), "{table}");
    shot(&c, "4-delegations").await;

    // Both changes are in the audit log, attributed to Iris.
    c.goto(&format!("{url}/audit")).await.unwrap();
    let audit = wait_text(&c, "#audit-rows", "delegation.grant").await;
    assert!(audit.contains("person.create"), "{audit}");
    assert!(audit.contains("Iris Visser"), "{audit}");
    shot(&c, "5-audit").await;

    // The htmx filter narrows the table in place.
    type_into(&c, "#action", "delegation.").await;
    click(&c, "form[role=search] button[type=submit]").await;
    let mut filtered = String::new();
    for _ in 0..100 {
        // htmx swaps the table in place, so an element found a moment ago may be gone:
        // a stale read is retried, not an error.
        if let Ok(e) = c.find(Locator::Css("#audit-rows")).await
            && let Ok(t) = e.text().await
        {
            filtered = t;
            if !filtered.contains("person.create") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        filtered.contains("delegation.grant") && !filtered.contains("person.create"),
        "{filtered}"
    );
    shot(&c, "6-audit-filtered").await;

    let _ = c.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
