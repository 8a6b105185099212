//! The web UI in a real browser (headless Chromium driven over WebDriver):
//! an administrator signs in, adds a person, grants a delegation and finds
//! both in the audit log; an assistant plans her principal's week (a
//! recurring event, one occurrence moved, find-a-time with "why not", holds
//! confirmed into a booked room) and an outsider answers a poll by its link;
//! an office manager registers an invoice that came by mail from the form
//! filled from the message.
//!
//! Skipped with one line when `chromedriver` is not installed, unless
//! `ADJUTANT_TEST_REQUIRE_BROWSER=1` (as `.ci/run` sets), which makes a
//! missing browser a failure. `ADJUTANT_TEST_SCREENSHOTS=DIR` saves a PNG of each step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use adjutant_server::auth::Caller;
use adjutant_server::ops::calendar::{self as cal_ops, EventInput, ResourceForm};
use adjutant_server::ops::scheduling as sched_ops;
use adjutant_server::ops::{self, DelegationInput, PersonInput};
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
            Some("maya horse battery"),
        ),
        (
            "Nora Quinn",
            "nora@northwind.example",
            "principal",
            "America/New_York",
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

/// Polls until `css` holds `needle`. The bound only stops a hung run; a slow machine just polls longer.
async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    for _ in 0..1200 {
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

/// One browser at a time: the tests share two cores with everything else.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Starts chromedriver and a headless Chromium session, or `None` (the test is skipped)
/// when chromedriver is not installed.
async fn browser() -> Option<(Driver, Client)> {
    let Some(driver_bin) = chromedriver() else {
        if std::env::var("ADJUTANT_TEST_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("chromedriver is not installed but ADJUTANT_TEST_REQUIRE_BROWSER=1");
        }
        println!(
            "browser test skipped: chromedriver not found (install Debian's chromium and chromium-driver)"
        );
        return None;
    };
    let port = free_port();
    let driver = Driver(
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
    Some((driver, client.expect("a WebDriver session starts")))
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_signs_in_adds_a_person_grants_a_delegation_and_audits_it() {
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, dir) = spawn_app().await;
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

/// Sets a form control's value as a script would (date and time inputs read typed keys by locale).
async fn set_value(c: &Client, css: &str, value: &str) {
    let done = c
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) { return null; } e.value = arguments[1]; return e.value;",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .unwrap();
    assert_eq!(done, serde_json::json!(value), "setting {css}");
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Whether the page is no wider than the window (nothing to scroll sideways).
async fn fits_width(c: &Client) -> serde_json::Value {
    c.execute(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
        vec![],
    )
    .await
    .unwrap()
}

/// The week every event of the calendar journey lies in (Monday 3 June 2030, summer time:
/// Amsterdam is UTC+2, New York UTC−4).
const WEEK: &str = "2030-06-03";

#[tokio::test(flavor = "multi_thread")]
async fn assistant_plans_her_principals_week_and_an_outsider_answers_a_poll() {
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, dir) = spawn_app().await;
    let org = state.store.org_list().await.unwrap()[0].id;
    let id_of = |email: &'static str| {
        let state = state.clone();
        async move { state.store.person_by_email(org, email).await.unwrap().id }
    };
    let (lars, maya) = (
        id_of("lars@northwind.example").await,
        id_of("maya@northwind.example").await,
    );
    let sys = Caller::System("test".into());
    ops::grant_delegation(
        &state,
        &sys,
        org,
        &DelegationInput {
            principal: lars.to_string(),
            delegate: maya.to_string(),
            scopes: vec!["calendar".into()],
            level: "act".into(),
        },
    )
    .await
    .unwrap();
    let room = cal_ops::create_resource(
        &state,
        &sys,
        org,
        &ResourceForm {
            name: "Boardroom".into(),
            capacity: 12,
            equipment: vec!["screen".into(), "video".into()],
            location: "Amsterdam HQ".into(),
            time_zone: Some("Europe/Amsterdam".into()),
            bookable: Some(true),
            ..ResourceForm::default()
        },
    )
    .await
    .unwrap()
    .id;
    cal_ops::create_event(
        &state,
        &sys,
        org,
        &EventInput {
            person: Some(lars.to_string()),
            summary: "Travel to Schiphol".into(),
            start: "2030-06-06T09:00".into(),
            end: Some("2030-06-06T10:45".into()),
            time_zone: Some("Europe/Amsterdam".into()),
            location: Some("Schiphol".into()),
            category: Some("travel".into()),
            ..EventInput::default()
        },
    )
    .await
    .unwrap();

    // Maya signs in and acts for Lars.
    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "maya@northwind.example").await;
    type_into(&c, "#password", "maya horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Maya").await;
    click(&c, &format!("#act-for option[value='{lars}']")).await;
    click(&c, "form[action='/act-for'] button[type=submit]").await;
    wait_text(&c, ".notice", "acting for someone else").await;

    // A weekly 1:1 with Maya in the boardroom, made in the editor.
    c.goto(&format!("{url}/events/new?date={WEEK}")).await.unwrap();
    wait_text(&c, "h1", "New event").await;
    type_into(&c, "#summary", "Weekly 1:1").await;
    set_value(&c, "#start_time", "11:00").await;
    click(&c, "#freq option[value=weekly]").await;
    click(&c, "#byday-MO").await;
    type_into(&c, "#attendees", "maya@northwind.example").await;
    click(&c, &format!("#room option[value='{room}']")).await;
    shot(&c, "cal-1-editor").await;
    click(&c, "#event-form button[type=submit]").await;
    wait_text(&c, ".notice", "Event created").await;
    let repeats = wait_text(&c, "#event-repeats", "Every week on Monday").await;
    assert!(repeats.contains("FREQ=WEEKLY;BYDAY=MO"), "{repeats}");
    let room_line = text_of(&c, "#event-room").await;
    assert!(room_line.contains("Boardroom"), "{room_line}");

    // Lars's week, shown in New York time beside his own zone.
    c.goto(&format!("{url}/calendar?date={WEEK}")).await.unwrap();
    wait_text(&c, "h1", "Lars Jansen's calendar").await;
    click(&c, "#cal-tz option[value='America/New_York']").await;
    click(&c, "form.picker button[type=submit]").await;
    wait_text(&c, "#zones-note", "America/New_York").await;
    let monday = wait_text(&c, &format!("#d-{WEEK}"), "Weekly 1:1").await;
    assert!(monday.contains("↻"), "{monday}");
    assert!(monday.contains("05:00–06:00"), "{monday}");
    assert!(monday.contains("11:00–12:00 Amsterdam"), "{monday}");
    let thursday = text_of(&c, "#d-2030-06-06").await;
    assert!(
        thursday.contains("Travel to Schiphol") && thursday.contains("travel"),
        "{thursday}"
    );
    let current = c
        .find(Locator::Css("nav.side a[aria-current=page]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(current, "Calendar");
    shot(&c, "cal-2-week").await;

    // Readable on a phone: the week fits the screen's width.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{url}/calendar?date={WEEK}")).await.unwrap();
    wait_text(&c, &format!("#d-{WEEK}"), "Weekly 1:1").await;
    shot(&c, "cal-2b-phone").await;
    assert_eq!(
        fits_width(&c).await,
        serde_json::json!(true),
        "the week scrolls sideways on a phone"
    );
    c.set_window_size(1280, 900).await.unwrap();

    // Move this Monday's occurrence to Tuesday afternoon.
    click(&c, &format!("#d-{WEEK} a")).await;
    wait_text(&c, "#occurrences", "Jun").await;
    set_value(&c, "li.highlight input[name=start_date]", "2030-06-04").await;
    set_value(&c, "li.highlight input[name=start_time]", "14:00").await;
    click(&c, "li.highlight button.move-one").await;
    wait_text(&c, ".notice", "occurrence was moved").await;
    c.goto(&format!("{url}/calendar?date={WEEK}")).await.unwrap();
    let tuesday = wait_text(&c, "#d-2030-06-04", "Weekly 1:1").await;
    assert!(
        tuesday.contains("moved") && tuesday.contains("14:00–15:00"),
        "{tuesday}"
    );
    let monday = text_of(&c, &format!("#d-{WEEK}")).await;
    assert!(!monday.contains("Weekly 1:1"), "{monday}");
    shot(&c, "cal-3-moved").await;

    // Find 90 minutes for Lars and Nora (New York) with a room that week.
    c.goto(&format!("{url}/find-time")).await.unwrap();
    wait_text(&c, "#ft-attendees", "lars@northwind.example").await;
    type_into(&c, "#ft-attendees", "\nnora@northwind.example").await;
    type_into(&c, "#ft-summary", "Board prep").await;
    c.find(Locator::Css("#ft-duration"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    type_into(&c, "#ft-duration", "90").await;
    set_value(&c, "#ft-from", WEEK).await;
    set_value(&c, "#ft-to", "2030-06-07").await;
    type_into(&c, "#ft-seats", "3").await;
    click(&c, "#ft-search").await;
    let slots = wait_text(&c, "#slots", "New York").await;
    assert!(slots.contains("Amsterdam = "), "{slots}");
    assert!(slots.contains("inside everyone's working hours"), "{slots}");
    assert!(slots.contains("Boardroom"), "{slots}");
    assert!(slots.contains("score"), "{slots}");
    shot(&c, "cal-4-slots").await;

    // Why not Thursday 10:00? Lars is on his way to Schiphol.
    set_value(&c, "#why-at", "2030-06-06T10:00").await;
    click(&c, "#why-form button[type=submit]").await;
    let why = wait_text(&c, "#why-result", "Travel to Schiphol").await;
    assert!(why.contains("Blocking"), "{why}");
    assert!(why.contains("until 10:45"), "{why}");
    shot(&c, "cal-5-why-not").await;

    // Hold the best time and the best one on another day (holds of one request
    // must not overlap in the room), then confirm the first.
    let boxes = c.find_all(Locator::Css("input[name=slot]")).await.unwrap();
    let mut values = Vec::new();
    for b in &boxes {
        values.push(b.attr("value").await.unwrap().unwrap());
    }
    let other_day = values
        .iter()
        .position(|v| v[..10] != values[0][..10])
        .expect("slots on more than one day");
    click(&c, "#slot-0").await;
    click(&c, &format!("#slot-{other_day}")).await;
    click(&c, "#place-holds").await;
    wait_text(&c, ".notice", "Holds placed").await;
    let holds = c.find_all(Locator::Css("#holds > li")).await.unwrap();
    assert_eq!(holds.len(), 2);
    let first_hold = text_of(&c, "#holds > li").await;
    assert!(first_hold.contains("New York"), "{first_hold}");
    shot(&c, "cal-6-holds").await;
    click(&c, "button.confirm-hold").await;
    wait_text(&c, ".notice", "Meeting confirmed").await;
    let confirmed = wait_text(&c, "#confirmed", "nora@northwind.example").await;
    assert!(confirmed.contains("REQUEST"), "{confirmed}");
    shot(&c, "cal-7-confirmed").await;

    // The room's calendar shows the booked meeting.
    c.goto(&format!("{url}/calendar?room={room}&date={WEEK}"))
        .await
        .unwrap();
    let room_week = wait_text(&c, "#week", "Board prep").await;
    assert!(room_week.contains("Weekly 1:1"), "{room_week}");
    shot(&c, "cal-8-room").await;

    // A poll with an outside director over two free times.
    c.goto(&format!("{url}/find-time")).await.unwrap();
    wait_text(&c, "#ft-attendees", "lars@northwind.example").await;
    type_into(&c, "#ft-attendees", "\nAna Lima <ana@board.example>").await;
    type_into(&c, "#ft-summary", "Board dinner").await;
    set_value(&c, "#ft-from", WEEK).await;
    set_value(&c, "#ft-to", "2030-06-07").await;
    click(&c, "#ft-search").await;
    wait_text(&c, "#slots", "score").await;
    click(&c, "#slot-0").await;
    click(&c, "#slot-1").await;
    click(&c, "#ask-poll").await;
    let links = wait_text(&c, "#poll-links", "/p/").await;
    assert!(links.contains("Ana Lima"), "{links}");
    let link = text_of(&c, ".poll-link").await;
    assert!(link.starts_with(&url), "{link}");
    shot(&c, "cal-9-poll").await;

    // Ana, with no account and no session, answers through her link.
    c.delete_all_cookies().await.unwrap();
    c.goto(&link).await.unwrap();
    wait_text(&c, "h1", "Board dinner").await;
    click(&c, "#tz option[value='America/New_York']").await;
    click(&c, "form[method=get] button[type=submit]").await;
    wait_text(&c, "#answers", "America/New_York").await;
    click(&c, "#answers fieldset:nth-of-type(1) input[value=yes]").await;
    click(&c, "#answers fieldset:nth-of-type(2) input[value=no]").await;
    click(&c, "#answers button[type=submit]").await;
    wait_text(&c, "#thanks", "Thank you").await;
    let kept = c
        .find(Locator::Css("#answers fieldset:nth-of-type(1) input[value=yes]"))
        .await
        .unwrap()
        .is_selected()
        .await
        .unwrap();
    assert!(kept, "the answer given is shown again");
    c.set_window_size(390, 844).await.unwrap();
    assert_eq!(
        fits_width(&c).await,
        serde_json::json!(true),
        "the poll scrolls sideways on a phone"
    );
    c.set_window_size(1280, 900).await.unwrap();
    shot(&c, "cal-10-outsider").await;
    let polls = sched_ops::list_polls(&state, &sys, org).await.unwrap();
    assert_eq!(polls.len(), 1);
    assert_eq!(polls[0].poll.answers.len(), 2);
    assert!(polls[0].poll.participants[0].responded_at.is_some());

    // An unknown link says so plainly.
    c.goto(&format!("{url}/p/poll_not-a-real-link")).await.unwrap();
    wait_text(&c, "h1", "Poll not found").await;

    let _ = c.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits until `check` holds, reading the store (the bound only stops a hung run).
async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test(flavor = "multi_thread")]
async fn assistant_runs_her_principals_tasks_plan_and_meeting() {
    use adjutant_server::ops::tasks::{self as task_ops, TaskInput};
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, dir) = spawn_app().await;
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
    let sys = Caller::System("test".into());
    ops::grant_delegation(
        &state,
        &sys,
        org,
        &DelegationInput {
            principal: lars.to_string(),
            delegate: maya.to_string(),
            scopes: vec!["calendar".into(), "tasks".into()],
            level: "act".into(),
        },
    )
    .await
    .unwrap();
    let pack = task_ops::create_task(
        &state,
        &sys,
        org,
        &TaskInput {
            title: "Draft the board pack".into(),
            owner: Some(lars.to_string()),
            estimate_minutes: Some(120),
            impact: Some(5),
            ..TaskInput::default()
        },
    )
    .await
    .unwrap();
    // A board meeting with Maya the day after tomorrow, Amsterdam time.
    let ams = adjutant_core::calendar::Zone::parse("z", "Europe/Amsterdam").unwrap();
    let day = ams
        .local(jiff::Timestamp::now())
        .date()
        .checked_add(jiff::Span::new().days(2))
        .unwrap();
    cal_ops::create_event(
        &state,
        &sys,
        org,
        &EventInput {
            person: Some(lars.to_string()),
            summary: "Board meeting".into(),
            start: format!("{day}T14:00"),
            duration_minutes: Some(90),
            time_zone: Some("Europe/Amsterdam".into()),
            attendees: vec![cal_ops::AttendeeInput {
                who: maya.to_string(),
                name: None,
                optional: false,
            }],
            ..EventInput::default()
        },
    )
    .await
    .unwrap();

    // Maya signs in and acts for Lars.
    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "maya@northwind.example").await;
    type_into(&c, "#password", "maya horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Maya").await;
    click(&c, &format!("#act-for option[value='{lars}']")).await;
    click(&c, "form[action='/act-for'] button[type=submit]").await;
    wait_text(&c, ".notice", "acting for someone else").await;

    // Quick add from the keyboard: `n` focuses the box; what is not understood is said.
    c.goto(&format!("{url}/tasks")).await.unwrap();
    wait_text(&c, "h1", "Lars").await;
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("n")
        .await
        .unwrap();
    let focused = c
        .execute("return document.activeElement.id;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("quick-add"), "`n` focuses quick add");
    type_into(
        &c,
        "#quick-add",
        "call Anna about the lease tomorrow 15:00 !high #board ~30m ~3x\n",
    )
    .await;
    wait_text(&c, "main", "~3x").await;
    wait_text(&c, "main", "call Anna about the lease").await;
    shot(&c, "tasks-1-quick-add").await;
    let anna = state
        .store
        .task_list(
            org,
            &adjutant_store::tasks::TaskFilter {
                person: Some(lars),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.data.title.starts_with("call Anna"))
        .unwrap();
    assert_eq!((anna.data.impact, anna.data.estimate_minutes), (4, Some(30)));
    let audit = state
        .store
        .audit_list(
            org,
            &adjutant_store::AuditFilter {
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit[0].on_behalf_of, Some(lars), "recorded as Maya for Lars");

    // `j` selects the first row, `4` drops it into "drop".
    c.goto(&format!("{url}/tasks")).await.unwrap();
    wait_text(&c, "main", "Draft the board pack").await;
    let body = c.find(Locator::Css("body")).await.unwrap();
    body.send_keys("j").await.unwrap();
    let first = c
        .execute(
            "return document.querySelector('tr[data-task].selected')?.getAttribute('data-task');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        first,
        serde_json::json!(anna.id.to_string()),
        "the soonest due task is first"
    );
    body.send_keys("4").await.unwrap();
    let st = state.clone();
    eventually("the task moved to drop", || {
        let st = st.clone();
        async move { st.store.task_get(org, anna.id).await.unwrap().data.impact < 3 }
    })
    .await;

    // On the matrix, dragging the board pack into "Do now" moves it.
    c.goto(&format!("{url}/matrix")).await.unwrap();
    wait_text(&c, "main", "Draft the board pack").await;
    c.execute(
        "const card = document.querySelector(`.qcard[data-task='${arguments[0]}']`);
         const to = document.querySelector(\"[data-quadrant='do_now'] ul.cards\");
         const dt = new DataTransfer();
         card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
         to.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
         to.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
         card.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: dt}));",
        vec![serde_json::json!(pack.id.to_string())],
    )
    .await
    .unwrap();
    wait_text(&c, "#matrix-live", "Moved to").await;
    shot(&c, "tasks-2-matrix").await;
    let pk = pack.id;
    let st = state.clone();
    eventually("the board pack is urgent now", || {
        let st = st.clone();
        async move { st.store.task_get(org, pk).await.unwrap().data.urgency == Some(5) }
    })
    .await;

    // The plan: preview with reasons, apply, then undo in one action.
    c.goto(&format!("{url}/plan")).await.unwrap();
    wait_text(&c, "main", "Draft the board pack").await;
    wait_text(&c, "main", "highest priority").await;
    shot(&c, "tasks-3-plan").await;
    click(&c, "#plan-apply").await;
    wait_text(&c, ".notice", "Plan applied").await;
    let plans = state.store.plan_list(org, lars, 5).await.unwrap();
    assert_eq!(plans.len(), 1);
    assert!(
        !state
            .store
            .plan_blocks(org, plans[0].id)
            .await
            .unwrap()
            .is_empty()
    );
    click(&c, "#plan-undo").await;
    wait_text(&c, ".notice", "Plan undone").await;
    assert!(
        state
            .store
            .plan_blocks(org, plans[0].id)
            .await
            .unwrap()
            .is_empty()
    );

    // The board meeting's notes: an agenda item, an action item, and the recap.
    c.goto(&format!("{url}/meetings")).await.unwrap();
    wait_text(&c, "#upcoming", "Board meeting").await;
    click(&c, "#upcoming form[action='/meetings/open'] button").await;
    wait_text(&c, "h1", "Board meeting").await;
    type_into(&c, "#ni-title", "Budget 2027").await;
    set_value(&c, "#ni-min", "30").await;
    click(&c, "form[action$='/agenda'] button[type=submit]").await;
    wait_text(&c, "#agenda", "Budget 2027").await;
    type_into(&c, "#a-title", "Send the audit letter").await;
    click(&c, &format!("#a-owner option[value='{maya}']")).await;
    click(&c, "form[action$='/actions'] button[type=submit]").await;
    wait_text(&c, "#recap-markdown", "Send the audit letter").await;
    wait_text(&c, "#actions", "Maya de Vries").await;
    shot(&c, "tasks-4-meeting").await;
    let mine = state
        .store
        .task_list(
            org,
            &adjutant_store::tasks::TaskFilter {
                person: Some(maya),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        mine.iter()
            .any(|t| t.data.title == "Send the audit letter" && t.data.from_meeting.is_some())
    );
    // Readable on a phone: the three columns stack.
    c.set_window_size(390, 844).await.unwrap();
    c.refresh().await.unwrap();
    wait_text(&c, "h1", "Board meeting").await;
    assert_eq!(
        fits_width(&c).await,
        serde_json::json!(true),
        "the meeting page fits a phone"
    );
    shot(&c, "tasks-5-meeting-phone").await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn office_manager_adds_a_contract_and_gives_notice_before_the_deadline() {
    use jiff::ToSpan;
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, dir) = spawn_app().await;
    let org = state.store.org_list().await.unwrap()[0].id;
    ops::create_person(
        &state,
        &Caller::System("test".into()),
        org,
        &PersonInput {
            name: "Sofia Rossi".into(),
            email: Some("sofia@northwind.example".into()),
            role: "office_manager".into(),
            time_zone: Some("Europe/Amsterdam".into()),
            password: Some("sofia horse battery".into()),
        },
    )
    .await
    .unwrap();
    // A yearly cleaning contract renewing in 3 months and 20 days, with 3 months' notice:
    // its last day to give notice is about 19 days away.
    let ams = adjutant_core::calendar::Zone::parse("z", "Europe/Amsterdam").unwrap();
    let today = ams.local(jiff::Timestamp::now()).date();
    let renewal = today.checked_add(3.months().days(20)).unwrap();
    let start = renewal.checked_sub(12.months()).unwrap();

    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "sofia@northwind.example").await;
    type_into(&c, "#password", "sofia horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Sofia").await;

    // The office side is in her navigation; she adds the vendor.
    click(&c, "nav a[href='/office/vendors']").await;
    wait_text(&c, "h1", "Vendors").await;
    type_into(&c, "#ve-name", "Sparkle Cleaning BV").await;
    type_into(&c, "#ve-cats", "cleaning").await;
    type_into(
        &c,
        "#ve-contacts",
        "Anouk de Vries <anouk@sparkle.example>, +31 20 555 0101, account manager",
    )
    .await;
    click(&c, "#vendor-form button[type=submit]").await;
    wait_text(&c, "h1", "Sparkle Cleaning BV").await;
    wait_text(&c, ".notice", "Vendor added").await;

    // A price with three decimals is refused, naming the field; nothing is stored.
    click(&c, "nav a[href='/office/contracts']").await;
    wait_text(&c, "h1", "Contracts").await;
    type_into(&c, "#co-title", "Office cleaning, Amsterdam").await;
    c.find(Locator::Css("#co-vendor option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    set_value(&c, "#co-start", &start.to_string()).await;
    type_into(&c, "#co-value", "4200.125").await;
    click(&c, "#contract-form button[type=submit]").await;
    wait_text(&c, ".error", "3 decimals, but EUR has 2").await;
    assert!(state.store.contract_list(org, None).await.unwrap().is_empty());
    shot(&c, "office-1-refused").await;

    // Corrected, the contract shows its last day to give notice.
    let value = c.find(Locator::Css("#co-value")).await.unwrap();
    value.clear().await.unwrap();
    value.send_keys("4200.00").await.unwrap();
    click(&c, "#contract-form button[type=submit]").await;
    wait_text(&c, ".notice", "Contract added").await;
    let summary = wait_text(&c, "#contract-summary", "Give notice by").await;
    assert!(summary.contains("or it renews on"), "{summary}");
    wait_text(&c, "#contract-documents", "None yet").await;
    shot(&c, "office-2-contract").await;

    // The dashboard lists it among what is due.
    click(&c, "nav a[href='/office']").await;
    wait_text(&c, "#office-due", "Office cleaning, Amsterdam").await;
    wait_text(&c, "#office-states", "notice due").await;
    shot(&c, "office-3-dashboard").await;

    // She records the notice sent today: the contract now ends with its term.
    click(&c, "#office-due a").await;
    wait_text(&c, "h1", "Office cleaning").await;
    type_into(&c, "#no-note", "registered mail, ref 4411").await;
    click(&c, "#notice-form button[type=submit]").await;
    wait_text(&c, ".notice", "Notice recorded").await;
    wait_text(&c, "#notice-given", "registered mail, ref 4411").await;
    wait_text(&c, "#contract-summary", "Notice given; ends on").await;
    let k = &state.store.contract_list(org, None).await.unwrap()[0];
    assert_eq!(k.notice_given.as_ref().map(|n| n.on), Some(today));
    assert_eq!(
        k.data.ends_after_notice(today),
        renewal.yesterday().ok(),
        "ends the day before the renewal"
    );

    // The stock room: she adds toner, takes three from the list, and it turns low.
    click(&c, "nav a[href='/office/stock']").await;
    wait_text(&c, "h1", "Stock").await;
    type_into(&c, "#st-name", "Printer toner, black").await;
    type_into(&c, "#st-unit", "cartridge").await;
    type_into(&c, "#st-rp", "3").await;
    type_into(&c, "#st-rq", "6").await;
    type_into(&c, "#st-price", "74.50").await;
    type_into(&c, "#st-qty", "5").await;
    click(&c, "#stock-form button[type=submit]").await;
    wait_text(&c, ".notice", "Stock item added").await;
    wait_text(&c, "#stock-on-hand", "5 cartridges on hand").await;
    let take = c.find(Locator::Css("#mv-take")).await.unwrap();
    take.clear().await.unwrap();
    take.send_keys("3").await.unwrap();
    click(&c, "#take-form button[type=submit]").await;
    wait_text(&c, ".notice", "Taken from stock").await;
    wait_text(&c, "#stock-on-hand", "order 6 (EUR 447.00)").await;
    // Taking more than is there is refused with the reason; nothing changes.
    let take = c.find(Locator::Css("#mv-take")).await.unwrap();
    take.clear().await.unwrap();
    take.send_keys("9").await.unwrap();
    click(&c, "#take-form button[type=submit]").await;
    wait_text(&c, ".error", "only 2 cartridges in stock").await;
    let item = &state.store.stock_list(org).await.unwrap()[0];
    assert_eq!(item.quantity, 2);
    click(&c, "nav a[href='/office']").await;
    wait_text(&c, "#office-low-stock", "Printer toner, black").await;
    shot(&c, "office-4-low-stock").await;

    // Falling to the reorder point drafted a request; she approves it and receives the delivery.
    wait_text(&c, "#office-waiting", "Restock: Printer toner, black").await;
    click(&c, "#office-waiting a").await;
    wait_text(&c, "#purchase-total", "EUR 447.00").await;
    type_into(&c, "#dc-note", "usual supplier").await;
    click(&c, "#decide-form button[type=submit]").await;
    wait_text(&c, ".notice", "Approved").await;
    wait_text(&c, "#purchase-decided", "Sofia Rossi").await;
    let arrived = c.find(Locator::Css("#rc-1")).await.unwrap();
    arrived.clear().await.unwrap();
    arrived.send_keys("4").await.unwrap();
    click(&c, "#receive-form button[type=submit]").await;
    wait_text(&c, ".notice", "Delivery recorded").await;
    wait_text(&c, "h1", "partly received").await;
    assert_eq!(state.store.stock_list(org).await.unwrap()[0].quantity, 6);
    shot(&c, "office-5-purchase").await;

    // The vendor's invoice for what arrived matches the order; she registered it, so someone else approves it.
    c.goto(&format!("{url}/office/invoices")).await.unwrap();
    wait_text(&c, "h1", "Invoices").await;
    c.find(Locator::Css("#in-vendor option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_into(&c, "#in-number", "CP-5512").await;
    set_value(&c, "#in-issued", &today.to_string()).await;
    set_value(&c, "#in-due", &today.checked_add(30.days()).unwrap().to_string()).await;
    c.find(Locator::Css("#in-po option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_into(&c, "#il-d1", "Printer toner, black").await;
    type_into(&c, "#il-q1", "4").await;
    type_into(&c, "#il-p1", "74.50").await;
    click(&c, "#invoice-form button[type=submit]").await;
    wait_text(&c, ".notice", "Invoice registered").await;
    wait_text(&c, "#invoice-gross", "EUR 360.58").await;
    wait_text(&c, "#invoice-match", "Matches PO-").await;
    wait_text(
        &c,
        "#why-not-decide",
        "nobody approves an invoice they registered",
    )
    .await;
    shot(&c, "office-5b-invoice").await;

    // She sets this quarter's printing budget; the invoice counts against it.
    c.goto(&format!("{url}/office/budgets")).await.unwrap();
    wait_text(&c, "h1", "Budgets").await;
    type_into(&c, "#bs-cat", "printing").await;
    type_into(&c, "#bs-amount", "2500").await;
    click(&c, "#budget-form button[type=submit]").await;
    wait_text(&c, ".notice", "Budget set").await;
    wait_text(&c, "#budget-bars", "printing").await;
    shot(&c, "office-5c-budgets").await;

    // The filtered list finds it among those given notice; the page fits a phone.
    c.goto(&format!("{url}/office/contracts?state=terminating"))
        .await
        .unwrap();
    wait_text(&c, "#contract-list", "Office cleaning, Amsterdam").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{url}/office")).await.unwrap();
    wait_text(&c, "h1", "Office").await;
    assert_eq!(
        fits_width(&c).await,
        serde_json::json!(true),
        "the office page fits a phone"
    );
    shot(&c, "office-6-phone").await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_manager_places_a_desk_books_it_and_checks_in() {
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, _dir) = spawn_app().await;
    let org = state.store.org_list().await.unwrap()[0].id;
    ops::create_person(
        &state,
        &Caller::System("test".into()),
        org,
        &PersonInput {
            name: "Sofia Rossi".into(),
            email: Some("sofia@northwind.example".into()),
            role: "office_manager".into(),
            time_zone: Some("Europe/Amsterdam".into()),
            password: Some("sofia horse battery".into()),
        },
    )
    .await
    .unwrap();
    let ams = adjutant_core::calendar::Zone::parse("z", "Europe/Amsterdam").unwrap();
    let now = jiff::Timestamp::now().to_zoned(ams.tz().clone());
    let until = now.checked_add(jiff::SignedDuration::from_hours(2)).unwrap();

    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "sofia@northwind.example").await;
    type_into(&c, "#password", "sofia horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Sofia").await;

    // Spaces are in the navigation; she adds a site with its floors, then a desk on one.
    click(&c, "nav a[href='/office/spaces']").await;
    wait_text(&c, "h1", "Spaces").await;
    type_into(&c, "#si-name", "Amsterdam HQ").await;
    set_value(&c, "#si-zone", "Europe/Amsterdam").await;
    type_into(&c, "#si-floors", "Ground floor, 2nd floor").await;
    click(&c, "#site-form button[type=submit]").await;
    wait_text(&c, ".notice", "Site added").await;
    // A floor the site does not have is refused by name, the form kept.
    type_into(&c, "#ns-name", "Desk 2.01").await;
    c.find(Locator::Css("#ns-site option:nth-child(2)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_into(&c, "#ns-floor", "9th floor").await;
    click(&c, "#space-form button[type=submit]").await;
    wait_text(&c, ".error", "has no floor `9th floor`").await;
    set_value(&c, "#ns-floor", "2nd floor").await;
    click(&c, "#space-form button[type=submit]").await;
    wait_text(&c, ".notice", "Space added").await;
    wait_text(&c, "main", "Amsterdam HQ · 2nd floor").await;

    // She books the desk from now for two hours and checks in.
    let desk = state
        .store
        .resource_list(org)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == "Desk 2.01")
        .unwrap();
    set_value(&c, "#bk-space", &desk.id.to_string()).await;
    set_value(&c, "#bk-date", &now.date().to_string()).await;
    set_value(&c, "#bk-from", &now.strftime("%H:%M").to_string()).await;
    set_value(&c, "#bk-to", &until.strftime("%Y-%m-%dT%H:%M").to_string()).await;
    click(&c, "#book-form button[type=submit]").await;
    wait_text(&c, ".notice", "Booked").await;
    wait_text(&c, "#my-bookings", "Desk 2.01").await;
    click(&c, "#my-bookings button[type=submit]").await;
    wait_text(&c, ".notice", "Checked in").await;
    wait_text(&c, "#my-bookings", "checked in").await;

    // The same desk at the same time is refused with the reason.
    set_value(&c, "#bk-space", &desk.id.to_string()).await;
    set_value(&c, "#bk-date", &now.date().to_string()).await;
    set_value(&c, "#bk-from", &now.strftime("%H:%M").to_string()).await;
    set_value(&c, "#bk-to", &until.strftime("%Y-%m-%dT%H:%M").to_string()).await;
    click(&c, "#book-form button[type=submit]").await;
    wait_text(&c, ".error", "Desk 2.01 is already booked then").await;

    // The office dashboard lists today's bookings.
    c.goto(&format!("{url}/office")).await.unwrap();
    wait_text(&c, "#office-bookings", "Desk 2.01").await;
    wait_text(&c, "#office-bookings", "checked in").await;
    shot(&c, "spaces").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn office_manager_checks_out_a_laptop_and_checks_it_in() {
    use jiff::ToSpan;
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, dir) = spawn_app().await;
    let org = state.store.org_list().await.unwrap()[0].id;
    ops::create_person(
        &state,
        &Caller::System("test".into()),
        org,
        &PersonInput {
            name: "Sofia Rossi".into(),
            email: Some("sofia@northwind.example".into()),
            role: "office_manager".into(),
            time_zone: Some("Europe/Amsterdam".into()),
            password: Some("sofia horse battery".into()),
        },
    )
    .await
    .unwrap();
    let maya = state
        .store
        .person_by_email(org, "maya@northwind.example")
        .await
        .unwrap();
    let ams = adjutant_core::calendar::Zone::parse("z", "Europe/Amsterdam").unwrap();
    let back = ams
        .local(jiff::Timestamp::now())
        .date()
        .checked_add(7.days())
        .unwrap();

    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "sofia@northwind.example").await;
    type_into(&c, "#password", "sofia horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Sofia").await;

    // She registers the laptop; a cost with three decimals is refused, naming the field.
    click(&c, "nav a[href='/office/assets']").await;
    wait_text(&c, "h1", "Assets").await;
    type_into(&c, "#as-tag", "NW-LT-0042").await;
    type_into(&c, "#as-man", "Lenovo").await;
    type_into(&c, "#as-model", "ThinkPad X1 Carbon").await;
    type_into(&c, "#as-cost", "1899.999").await;
    click(&c, "#asset-form button[type=submit]").await;
    wait_text(&c, ".error", "cost").await;
    assert!(state.store.asset_list(org).await.unwrap().is_empty());
    let cost = c.find(Locator::Css("#as-cost")).await.unwrap();
    cost.clear().await.unwrap();
    cost.send_keys("1899.00").await.unwrap();
    click(&c, "#asset-form button[type=submit]").await;
    wait_text(&c, ".notice", "Asset registered").await;
    wait_text(&c, "#asset-status", "available").await;
    shot(&c, "assets-1-registered").await;

    // She checks it out to Maya for a week.
    c.find(Locator::Css(&format!("#co-person option[value='{}']", maya.id)))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    set_value(&c, "#co-back", &back.to_string()).await;
    type_into(&c, "#co-note", "board offsite").await;
    click(&c, "#checkout-form button[type=submit]").await;
    wait_text(&c, ".notice", "Asset checked out").await;
    let status = wait_text(&c, "#asset-status", "Maya de Vries").await;
    assert!(
        status.contains("checked out") && status.contains(&back.to_string()),
        "{status}"
    );
    let a = &state.store.asset_list(org).await.unwrap()[0];
    assert_eq!(
        (a.state.holder, a.state.expected_return),
        (Some(maya.id), Some(back))
    );
    shot(&c, "assets-2-checked-out").await;

    // It comes back in fair condition; the history tells who had it.
    c.find(Locator::Css("#ci-cond option[value='fair']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&c, "#checkin-form button[type=submit]").await;
    wait_text(&c, ".notice", "Asset checked in").await;
    wait_text(&c, "#asset-status", "available").await;
    let history = wait_text(&c, "#asset-history", "from Maya de Vries, fair").await;
    assert!(history.contains("board offsite"), "{history}");
    let a = &state.store.asset_list(org).await.unwrap()[0];
    assert_eq!(a.state.holder, None);
    assert_eq!(state.store.asset_history(org, a.id).await.unwrap().len(), 3);

    // The register fits a phone.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{url}/office/assets")).await.unwrap();
    wait_text(&c, "#assets-list", "NW-LT-0042").await;
    assert_eq!(
        fits_width(&c).await,
        serde_json::json!(true),
        "the asset register fits a phone"
    );
    shot(&c, "assets-3-phone").await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_files_an_expense_with_a_receipt_and_the_office_manager_approves_it() {
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, dir) = spawn_app().await;
    let org = state.store.org_list().await.unwrap()[0].id;
    let sys = Caller::System("test".into());
    for (name, email, role, pw) in [
        (
            "Tom Bakker",
            "tom@northwind.example",
            "staff",
            "tom horse battery",
        ),
        (
            "Sofia Rossi",
            "sofia@northwind.example",
            "office_manager",
            "sofia horse battery",
        ),
    ] {
        ops::create_person(
            &state,
            &sys,
            org,
            &PersonInput {
                name: name.into(),
                email: Some(email.into()),
                role: role.into(),
                time_zone: Some("Europe/Amsterdam".into()),
                password: Some(pw.into()),
            },
        )
        .await
        .unwrap();
    }
    ops::expenses::set_policy(
        &state,
        &sys,
        org,
        &ops::expenses::PolicyInput {
            category: "meals".into(),
            currency: Some("EUR".into()),
            limit: Some("60".into()),
            receipt_above: Some("25".into()),
        },
    )
    .await
    .unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    let receipt = dir.join("dinner.pdf");
    std::fs::write(
        &receipt,
        adjutant_server::demo_expenses::receipt_pdf(&["De Jong".into(), "EUR 84.50".into()]),
    )
    .unwrap();
    let program = dir.join("receipt.pdf");
    std::fs::write(&program, b"MZ\x90\x00\x03\x00\x00\x00 a program").unwrap();

    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "tom@northwind.example").await;
    type_into(&c, "#password", "tom horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Tom").await;

    // My expenses is in his navigation; the approval queue is not.
    click(&c, "nav a[href='/office/expenses']").await;
    wait_text(&c, "h1", "My expenses").await;
    assert!(
        c.find(Locator::Css("nav a[href='/office/expenses/approvals']"))
            .await
            .is_err()
    );

    // A program named .pdf is refused by its content; nothing is stored.
    type_into(&c, "#ex-merchant", "Restaurant De Jong").await;
    type_into(&c, "#ex-category", "meals").await;
    type_into(&c, "#ex-amount", "84.50").await;
    type_into(&c, "#ex-receipt", program.to_str().unwrap()).await;
    click(&c, "#expense-form button[type=submit]").await;
    wait_text(&c, ".error", "is not an image (PNG, JPEG, GIF, WebP) or a PDF").await;
    assert!(
        state
            .store
            .expense_list(org, None, None)
            .await
            .unwrap()
            .is_empty()
    );
    shot(&c, "expenses-1-refused").await;

    // With the real receipt it is filed; the finding is shown beside it.
    c.find(Locator::Css("#ex-receipt"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    type_into(&c, "#ex-receipt", receipt.to_str().unwrap()).await;
    click(&c, "#expense-form button[type=submit]").await;
    wait_text(&c, ".notice", "Expense added").await;
    wait_text(
        &c,
        "#expense-list",
        "EUR 84.50 is over the meals limit of EUR 60.00.",
    )
    .await;
    wait_text(&c, "#expense-list", "dinner.pdf").await;
    shot(&c, "expenses-2-filed").await;

    // He starts a report with it and submits it.
    type_into(&c, "#rp-title", "Client dinner, Rotterdam").await;
    click(&c, "#report-form button[type=submit]").await;
    wait_text(&c, ".notice", "Report started").await;
    wait_text(&c, "#report-total", "EUR 84.50").await;
    click(&c, "#submit-form button[type=submit]").await;
    wait_text(&c, ".notice", "Report submitted for approval").await;
    wait_text(&c, "#report-status", "waiting for approval").await;
    // He cannot decide on it himself.
    assert!(c.find(Locator::Css("#decide-form")).await.is_err());
    shot(&c, "expenses-3-submitted").await;

    // The office manager finds it on her dashboard and in the queue, sees the warning, approves, reimburses.
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "sofia@northwind.example").await;
    type_into(&c, "#password", "sofia horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Sofia").await;
    click(&c, "nav a[href='/office']").await;
    wait_text(&c, "#office-expenses", "Client dinner, Rotterdam").await;
    click(&c, "nav a[href='/office/expenses/approvals']").await;
    wait_text(&c, "#approval-queue", "1 warnings").await;
    click(&c, "#approval-queue a").await;
    wait_text(&c, "#report-expenses", "over the meals limit").await;
    type_into(&c, "#dc-note", "Fine for a client dinner.").await;
    click(&c, "#decide-form button[type=submit]").await;
    wait_text(&c, ".notice", "Report approved").await;
    wait_text(&c, "#report-decided", "Fine for a client dinner.").await;
    click(&c, "#reimburse-form button[type=submit]").await;
    wait_text(&c, ".notice", "Report marked reimbursed").await;
    wait_text(&c, "#report-status", "reimbursed").await;
    shot(&c, "expenses-4-reimbursed").await;
    let r = &state.store.report_list(org, None, &[]).await.unwrap()[0];
    assert_eq!(r.status.as_str(), "reimbursed");
    assert_eq!(r.decided_label, "Sofia Rossi");

    let _ = c.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// One message as a mail client would store it (CRLF line ends).
fn eml(lines: &[&str]) -> Vec<u8> {
    let mut s = lines.join("\r\n");
    s.push_str("\r\n");
    s.into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn assistant_triages_her_principals_inbox_and_the_principal_approves_a_draft() {
    use adjutant_server::ops::mail::{self as mail_ops, MailQuery, SenderForm};
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, dir) = spawn_app().await;
    let org = state.store.org_list().await.unwrap()[0].id;
    let sys = Caller::System("test".into());
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
    ops::set_password(&state, &sys, org, lars, "lars horse battery")
        .await
        .unwrap();
    ops::grant_delegation(
        &state,
        &sys,
        org,
        &DelegationInput {
            principal: lars.to_string(),
            delegate: maya.to_string(),
            scopes: vec!["mail".into()],
            level: "act".into(),
        },
    )
    .await
    .unwrap();
    let lars_mail = Some("lars@northwind.example");
    // Anna is one of his people; the newsletter's sender was let in long ago.
    for (address, status) in [
        ("anna@client.example", "vip"),
        ("news@weekly.example", "accepted"),
    ] {
        mail_ops::screen(
            &state,
            &sys,
            org,
            &SenderForm {
                person: lars_mail.map(String::from),
                address: address.into(),
                status: status.into(),
            },
        )
        .await
        .unwrap();
    }
    let messages = [
        (
            "question.eml",
            eml(&[
                "From: Anna Smit <anna@client.example>",
                "To: Lars Jansen <lars@northwind.example>",
                "Subject: Board deck",
                "Date: Tue, 1 Dec 2026 09:15:00 +0100",
                "Message-ID: <deck-1@client.example>",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "Hi Lars,",
                "",
                "Could you send me the board deck before Friday?",
                "",
                "Anna",
            ]),
        ),
        (
            "weekly.eml",
            eml(&[
                "From: The Weekly <news@weekly.example>",
                "To: lars@northwind.example",
                "Subject: This week in logistics",
                "Date: Tue, 1 Dec 2026 07:00:00 +0100",
                "Message-ID: <issue-48@weekly.example>",
                "List-Unsubscribe: <https://weekly.example/unsubscribe?u=lars>",
                "List-Id: The Weekly <weekly.example>",
                "Precedence: bulk",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "Ten stories about ports and trucks.",
            ]),
        ),
        (
            "introduction.eml",
            eml(&[
                "From: Piet de Boer <piet@vendor.example>",
                "To: lars@northwind.example",
                "Subject: Introduction",
                "Date: Tue, 1 Dec 2026 11:30:00 +0100",
                "Message-ID: <intro-1@vendor.example>",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "Dear Mr Jansen, may I introduce our office furniture?",
            ]),
        ),
    ];
    for (name, raw) in &messages {
        let report = mail_ops::import(&state, &sys, org, lars_mail, name, raw)
            .await
            .unwrap();
        assert_eq!(
            (report.stored, report.rejected.len()),
            (1, 0),
            "{name}: {report:?}"
        );
    }
    let inbox = mail_ops::list(
        &state,
        &sys,
        org,
        &MailQuery {
            person: lars_mail.map(String::from),
            ..MailQuery::default()
        },
    )
    .await
    .unwrap();
    let deck = inbox
        .iter()
        .find(|m| m.subject == "Board deck")
        .expect("the question is in the inbox")
        .id
        .clone();
    assert!(
        !inbox.iter().any(|m| m.subject == "Introduction"),
        "a first-time sender waits in screening"
    );

    // Maya signs in and opens Lars's inbox.
    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "maya@northwind.example").await;
    type_into(&c, "#password", "maya horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Maya").await;
    c.goto(&format!("{url}/mail?person={lars}")).await.unwrap();
    wait_text(&c, "h1", "Mail of Lars Jansen").await;
    wait_text(&c, "#mail-list", "This week in logistics").await;
    wait_text(&c, "#mail-list", "Board deck").await;
    wait_text(&c, ".mail-views", "Screening (1)").await;
    shot(&c, "mail-1-inbox").await;

    // `j` selects the first row (the VIP's question); `6` files it under newsletter —
    // in place: the page is not loaded again (a mark set on it survives).
    c.execute("window.adjutantStayed = true;", vec![]).await.unwrap();
    let body = c.find(Locator::Css("body")).await.unwrap();
    body.send_keys("j").await.unwrap();
    let first = c
        .execute(
            "return document.querySelector('tr[data-mail][aria-selected=\"true\"]')?.getAttribute('data-mail');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(first, serde_json::json!(deck), "the VIP's question is first");
    let before = text_of(&c, &format!("#mail-{deck} .category")).await;
    assert_ne!(before, "newsletter");
    body.send_keys("6").await.unwrap();
    wait_text(&c, ".notice", "Category set").await;
    wait_text(&c, &format!("#mail-{deck} .category"), "newsletter").await;
    let still = c
        .execute(
            "return document.querySelector('tr[data-mail][aria-selected=\"true\"]')?.getAttribute('data-mail');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(still, serde_json::json!(deck), "the selection is kept");
    let m = mail_ops::get(&state, &sys, org, deck.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(m.item.category.as_str(), "newsletter");
    assert!(m.item.corrected);
    shot(&c, "mail-2-corrected").await;

    // `j` then `e` archives the next row in place; the one after it is selected.
    body.send_keys("j").await.unwrap();
    let next = c
        .execute(
            "return document.querySelector('tr[data-mail][aria-selected=\"true\"]')?.getAttribute('data-mail');",
            vec![],
        )
        .await
        .unwrap();
    let next = next.as_str().expect("a second row is selected").to_string();
    assert_ne!(next, deck);
    body.send_keys("e").await.unwrap();
    wait_text(&c, ".notice", "Message archived").await;
    eventually("the archived row leaves the list", || {
        let c = c.clone();
        let next = next.clone();
        async move {
            c.execute(
                "return document.getElementById('mail-' + arguments[0]) === null;",
                vec![serde_json::json!(next)],
            )
            .await
            .unwrap()
                == serde_json::json!(true)
        }
    })
    .await;
    let archived = mail_ops::get(&state, &sys, org, next.parse().unwrap())
        .await
        .unwrap();
    assert!(archived.item.archived);
    let stayed = c
        .execute("return window.adjutantStayed === true;", vec![])
        .await
        .unwrap();
    assert_eq!(
        stayed,
        serde_json::json!(true),
        "filing and archiving did not load the page again"
    );

    // The first-time sender is accepted from Screening; his message reaches the inbox.
    click(&c, ".mail-views a[href^='/mail/screening']").await;
    wait_text(&c, "h1", "Screening").await;
    wait_text(&c, "#screening", "piet@vendor.example").await;
    click(
        &c,
        "section[data-sender='piet@vendor.example'] button[value=accepted]",
    )
    .await;
    wait_text(&c, ".notice", "Sender decision saved").await;
    wait_text(&c, "#screening", "Nobody new waits").await;
    c.goto(&format!("{url}/mail?person={lars}")).await.unwrap();
    wait_text(&c, "#mail-list", "Introduction").await;
    shot(&c, "mail-3-screened").await;

    // She answers Anna from the message page; the reply waits for Lars.
    c.goto(&format!("{url}/mail/{deck}")).await.unwrap();
    wait_text(&c, "h1", "Board deck").await;
    wait_text(&c, "#message-text", "board deck before Friday").await;
    wait_text(&c, "#message-reasons", "").await;
    type_into(&c, "#reply-body", "Lars will send the deck on Thursday.").await;
    click(&c, "#reply-form button[type=submit]").await;
    wait_text(&c, ".notice", "waits for approval").await;
    wait_text(&c, "#open-drafts", "Re: Board deck").await;
    wait_text(&c, "#open-drafts", "waiting for approval").await;
    shot(&c, "mail-4-drafted").await;
    let pending = || async {
        mail_ops::drafts(&state, &sys, org, lars_mail, Some("pending"))
            .await
            .unwrap()
    };
    assert_eq!(pending().await.len(), 1);

    // Lars signs in and finds it in his approval queue.
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "lars@northwind.example").await;
    type_into(&c, "#password", "lars horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Lars").await;
    click(&c, "nav a[href='/mail/drafts']").await;
    wait_text(&c, "#approval-queue", "Re: Board deck").await;
    wait_text(&c, "#approval-queue", "Maya de Vries").await;

    // Rejecting without a reason is refused, naming the field; nothing changes.
    click(&c, "#approval-queue .reject-form button[type=submit]").await;
    wait_text(&c, ".error", "say why").await;
    wait_text(&c, ".error", "note").await;
    assert_eq!(pending().await.len(), 1);
    shot(&c, "mail-5-reason-needed").await;

    // Approve & send: without an SMTP relay the page says so and the draft is kept.
    click(&c, "#approval-queue .approve-form button[type=submit]").await;
    wait_text(&c, ".error", "no SMTP relay is configured").await;
    wait_text(&c, "#approval-queue", "Re: Board deck").await;
    let kept = pending().await;
    assert_eq!(kept.len(), 1, "the draft is kept");
    assert_eq!(kept[0].body, "Lars will send the deck on Thursday.");
    shot(&c, "mail-6-no-relay").await;

    let _ = c.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn office_manager_registers_an_invoice_that_came_by_mail() {
    use adjutant_server::ops::mail::{self as mail_ops, SenderForm};
    use adjutant_server::ops::office::{self as office_ops, VendorInput};
    let _one = BROWSER.lock().await;
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let (url, state, dir) = spawn_app().await;
    let org = state.store.org_list().await.unwrap()[0].id;
    let sys = Caller::System("test".into());
    ops::create_person(
        &state,
        &sys,
        org,
        &PersonInput {
            name: "Sofia Rossi".into(),
            email: Some("sofia@northwind.example".into()),
            role: "office_manager".into(),
            time_zone: Some("Europe/Amsterdam".into()),
            password: Some("sofia horse battery".into()),
        },
    )
    .await
    .unwrap();
    office_ops::create_vendor(
        &state,
        &sys,
        org,
        &VendorInput {
            name: "Koffie & Co".into(),
            categories: vec!["catering".into()],
            website: Some("https://koffieenco.example".into()),
            ..VendorInput::default()
        },
    )
    .await
    .unwrap();
    let sofia_mail = Some("sofia@northwind.example");
    mail_ops::screen(
        &state,
        &sys,
        org,
        &SenderForm {
            person: sofia_mail.map(String::from),
            address: "facturen@koffieenco.example".into(),
            status: "accepted".into(),
        },
    )
    .await
    .unwrap();
    let raw = eml(&[
        "From: Koffie & Co <facturen@koffieenco.example>",
        "To: Sofia Rossi <sofia@northwind.example>",
        "Subject: Invoice KC-2026-1148",
        "Date: Tue, 1 Dec 2026 09:15:00 +0100",
        "Message-ID: <kc-1148@koffieenco.example>",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Dear Sofia,",
        "",
        "Our invoice KC-2026-1148 for November's coffee: amount due EUR 386.20, payment due 21 December.",
    ]);
    let report = mail_ops::import(&state, &sys, org, sofia_mail, "kc.eml", &raw)
        .await
        .unwrap();
    assert_eq!(report.stored, 1, "{report:?}");

    // Sofia finds it in her inbox, marked for the invoice workflow, and opens it.
    c.goto(&format!("{url}/login")).await.unwrap();
    type_into(&c, "#email", "sofia@northwind.example").await;
    type_into(&c, "#password", "sofia horse battery").await;
    click(&c, "button[type=submit]").await;
    wait_text(&c, "h1", "Sofia").await;
    c.goto(&format!("{url}/mail")).await.unwrap();
    wait_text(&c, "#mail-list", "Invoice KC-2026-1148").await;
    wait_text(&c, "#mail-list .badge.office", "").await;
    click(&c, "#mail-list a.mail-open").await;
    wait_text(&c, "h1", "Invoice KC-2026-1148").await;
    // The form is filled from the message: vendor by the sender's domain, number, amount, due day.
    wait_text(&c, "#message-invoice", "Register this invoice").await;
    let form = c
        .execute(
            "const f = document.getElementById('invoice-form'); const v = n => f.elements[n].value; \
             const s = f.elements['vendor']; \
             return [s.options[s.selectedIndex].text, v('number'), v('amount'), v('currency'), v('due_on')];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        form,
        serde_json::json!(["Koffie & Co", "KC-2026-1148", "386.20", "EUR", "2026-12-21"])
    );
    shot(&c, "mail-invoice-1-form").await;

    // A mistyped amount is refused, naming it; what she typed stays; nothing is registered.
    set_value(&c, "#inv-amount", "386,2O").await;
    set_value(&c, "#inv-category", "catering").await;
    click(&c, "#invoice-form button[type=submit]").await;
    wait_text(&c, ".error", "amount").await;
    let kept = c
        .execute(
            "return [document.getElementById('inv-amount').value, document.getElementById('inv-category').value];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, serde_json::json!(["386,2O", "catering"]));
    assert!(state.store.invoice_list(org).await.unwrap().is_empty());
    shot(&c, "mail-invoice-2-refused").await;

    // Corrected and registered: the invoice page opens, and the message links to it.
    set_value(&c, "#inv-amount", "386.20").await;
    click(&c, "#invoice-form button[type=submit]").await;
    wait_text(&c, ".notice", "Invoice registered").await;
    wait_text(&c, "h1", "KC-2026-1148").await;
    let invoices = state.store.invoice_list(org).await.unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0].data.category, "catering");
    c.back().await.unwrap();
    c.refresh().await.unwrap();
    wait_text(&c, "#message-invoice", "see the invoice").await;
    shot(&c, "mail-invoice-3-registered").await;

    let _ = c.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
