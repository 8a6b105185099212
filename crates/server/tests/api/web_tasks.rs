//! The work pages as a browser uses them, with forms and no scripts: the task
//! list with quick add, a task's page (bad input answered 422 with the field
//! named and nothing stored), the matrix, the planner's dry run, apply and
//! undo, a meeting's notes (seeding, action items that land on their owner's
//! list, the recap, files), the responsibility grid, and what a contractor sees.
//! The principal signs in for himself; the assistant acts for him.

use super::*;
use adjutant_core::ids::{EventId, MeetingId, TaskId};
use adjutant_server::ops::calendar::{self as cal, AttendeeInput, EventInput};
use adjutant_server::ops::planning;
use adjutant_server::ops::tasks::{self as task_ops, TaskInput, TaskQuery};
use adjutant_store::tasks::TaskRecord;

/// Every task of `person` (any status), as stored.
async fn tasks_of(app: &App, person: PersonId) -> Vec<TaskRecord> {
    task_ops::list_tasks(
        &app.state,
        &system(),
        app.north.id,
        &TaskQuery {
            person: Some(person.to_string()),
            status: Some("all".into()),
            ..TaskQuery::default()
        },
    )
    .await
    .unwrap()
    .1
}

async fn task_titled(app: &App, person: PersonId, title: &str) -> TaskRecord {
    tasks_of(app, person)
        .await
        .into_iter()
        .find(|t| t.data.title == title)
        .unwrap_or_else(|| panic!("no task `{title}`"))
}

async fn task(app: &App, id: TaskId) -> TaskRecord {
    app.state.store.task_get(app.north.id, id).await.unwrap()
}

/// The task page's form as the browser would send it back unchanged.
fn task_form(t: &TaskRecord) -> Vec<(String, String)> {
    let d = &t.data;
    let mut f = vec![
        ("title".to_string(), d.title.clone()),
        ("notes".into(), d.notes.clone()),
        ("owner".into(), d.owner.to_string()),
        (
            "delegated_to".into(),
            d.delegated_to.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("start".into(), d.start.map(|s| s.to_string()).unwrap_or_default()),
        (
            "due_date".into(),
            d.due.as_ref().map(|x| x.date.to_string()).unwrap_or_default(),
        ),
        (
            "due_time".into(),
            d.due
                .as_ref()
                .and_then(|x| x.time)
                .map(|x| x.strftime("%H:%M").to_string())
                .unwrap_or_default(),
        ),
        (
            "estimate_minutes".into(),
            d.estimate_minutes.map(|m| m.to_string()).unwrap_or_default(),
        ),
        ("impact".into(), d.impact.to_string()),
        (
            "urgency".into(),
            d.urgency.map(|u| u.to_string()).unwrap_or_default(),
        ),
        ("goal".into(), d.goal.map(|g| g.to_string()).unwrap_or_default()),
        ("project".into(), d.project.clone().unwrap_or_default()),
        ("tags".into(), d.tags.join(", ")),
        ("status".into(), d.status.as_str().into()),
        ("repeat".into(), d.repeat.clone().unwrap_or_default()),
        ("visibility".into(), d.visibility.as_str().into()),
    ];
    f.extend(
        d.depends_on
            .iter()
            .map(|x| ("depends_on".to_string(), x.to_string())),
    );
    if d.needs_decision {
        f.push(("needs_decision".into(), "1".into()));
    }
    f
}

/// `form` with `changes` put in place of (or beside) its fields.
fn with(form: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    out.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

async fn post_pairs(app: &App, path: &str, cookie: &str, pairs: &[(String, String)]) -> Resp {
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form(path, Some(cookie), &refs).await
}

/// A same-origin multipart upload of one file to a meeting's agenda item.
async fn upload(
    app: &App,
    cookie: &str,
    meeting: MeetingId,
    item: &str,
    filename: &str,
    bytes: &[u8],
) -> Resp {
    let boundary = "----adjutant-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"item\"\r\n\r\n{item}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    send(
        app.http
            .post(app.url(&format!("/meetings/{meeting}/materials")))
            .header(CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(COOKIE, format!("adjutant_session={cookie}"))
            .header(ORIGIN, &app.origin)
            .body(body),
    )
    .await
}

/// The text of the element with this id, up to its closing tag `end`.
pub(crate) fn section<'a>(body: &'a str, id: &str, end: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in: {body}"));
    let rest = &body[start..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test]
async fn web_tasks_pages_for_principal_assistant_and_contractor() {
    let app = spawn_app().await;
    let n = &app.north;
    let org = n.id;
    let principal = n.m(Role::Principal).clone();
    let assistant = n.m(Role::Assistant).clone();
    let staff = n.m(Role::Staff).clone();
    let contractor = n.m(Role::Contractor).clone();
    // The assistant works on the principal's tasks and calendar.
    ops::grant_delegation(
        &app.state,
        &system(),
        org,
        &DelegationInput {
            principal: principal.id.to_string(),
            delegate: assistant.id.to_string(),
            scopes: vec!["calendar".into(), "tasks".into()],
            level: "act".into(),
        },
    )
    .await
    .unwrap();
    let lars = app.sign_in(&principal.email).await;
    let maya = app.sign_in(&assistant.email).await;
    let acting = app
        .post_form(
            "/act-for",
            Some(&maya),
            &[("principal", &principal.id.to_string())],
        )
        .await;
    assert_eq!(acting.status, 303, "{}", acting.body);

    // ---- quick add, as the assistant for the principal ----
    let r = app
        .post_form(
            "/tasks",
            Some(&maya),
            &[(
                "text",
                "call Anna about the lease tomorrow 15:00 !high #board ~30m ~3x",
            )],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("not understood"), "{}", r.body);
    assert!(
        r.body.contains("<code>~3x</code>"),
        "the part not understood is named: {}",
        r.body
    );
    let call = task_titled(&app, principal.id, "call Anna about the lease ~3x").await;
    assert_eq!(call.data.estimate_minutes, Some(30));
    assert_eq!(call.data.tags, vec!["board".to_string()]);
    assert_eq!(call.data.impact, 4);
    assert!(
        call.data.due.as_ref().is_some_and(|d| d.time.is_some()),
        "{:?}",
        call.data.due
    );

    let r = app
        .post_form("/tasks", Some(&maya), &[("text", "draft the board pack ~2h")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/tasks?notice=task-added");
    let pack = task_titled(&app, principal.id, "draft the board pack").await;

    let list = app.page("/tasks?notice=task-added", Some(&maya)).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Task added."), "{}", list.body);
    assert!(
        list.body.contains(&format!("<h1>{}", principal.name)),
        "{}",
        list.body
    );
    assert!(list.body.contains("draft the board pack"));
    assert!(
        list.body.contains("data-task-list"),
        "the list carries its shortcuts' hooks"
    );
    assert!(list.body.contains("/static/tasks.js"));
    let empty_quick = app.post_form("/tasks", Some(&maya), &[("text", "  ")]).await;
    assert_eq!(empty_quick.status, 422);
    assert!(empty_quick.alert().contains("text"), "{}", empty_quick.alert());

    // The principal sees the same list as his own.
    let mine = app.page("/tasks", Some(&lars)).await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("My tasks") && mine.body.contains("call Anna about the lease ~3x"));
    let filtered = app.page("/tasks?tag=board", Some(&lars)).await;
    assert!(filtered.body.contains("lease ~3x") && !filtered.body.contains("draft the board pack"));

    // The keyboard shortcuts' file is served from the binary.
    let js = app.page("/static/tasks.js", None).await;
    assert_eq!(js.status, 200);
    assert!(js.content_type().starts_with("text/javascript"));
    assert!(js.body.contains("keydown") && js.body.contains("dragstart"));

    // ---- a task's page: bad input is refused whole ----
    let page = app.page(&format!("/tasks/{}", pack.id), Some(&lars)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"task-form\""));
    let form = task_form(&pack);
    let before = app.audit(org).await.len();
    let zero = post_pairs(
        &app,
        &format!("/tasks/{}", pack.id),
        &lars,
        &with(&form, &[("estimate_minutes", "0"), ("title", "renamed")]),
    )
    .await;
    assert_eq!(zero.status, 422, "{}", zero.body);
    assert!(zero.alert().contains("estimate_minutes"), "{}", zero.alert());
    let backwards = post_pairs(
        &app,
        &format!("/tasks/{}", pack.id),
        &lars,
        &with(&form, &[("start", "2030-05-10"), ("due_date", "2030-05-01")]),
    )
    .await;
    assert_eq!(backwards.status, 422, "{}", backwards.body);
    assert!(backwards.alert().contains("due"), "{}", backwards.alert());
    assert!(
        backwards.body.contains("value=\"2030-05-10\""),
        "what was typed stays"
    );
    let unchanged = task(&app, pack.id).await;
    assert_eq!(unchanged.data, pack.data, "nothing stored");
    assert_eq!(app.audit(org).await.len(), before);

    // A dependency cycle: the call waits for the pack; the pack may not wait for the call.
    let r = post_pairs(
        &app,
        &format!("/tasks/{}", call.id),
        &maya,
        &with(&task_form(&call), &[("depends_on", &pack.id.to_string())]),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("/tasks/{}?notice=task-saved", call.id));
    assert_eq!(task(&app, call.id).await.data.depends_on, vec![pack.id]);
    let cycle = post_pairs(
        &app,
        &format!("/tasks/{}", pack.id),
        &maya,
        &with(&form, &[("depends_on", &call.id.to_string())]),
    )
    .await;
    assert_eq!(cycle.status, 422, "{}", cycle.body);
    assert!(cycle.alert().contains("depends_on"), "{}", cycle.alert());
    assert!(
        task(&app, pack.id).await.data.depends_on.is_empty(),
        "nothing stored"
    );

    // ---- the matrix ----
    let r = app
        .post_form(
            &format!("/tasks/{}/move", pack.id),
            Some(&maya),
            &[("quadrant", "drop"), ("back", "matrix")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/matrix?notice=task-moved");
    assert_eq!(
        task(&app, pack.id)
            .await
            .data
            .quadrant(jiff::Timestamp::now())
            .as_str(),
        "drop"
    );
    let m = app.page("/matrix?notice=task-moved", Some(&maya)).await;
    assert_eq!(m.status, 200, "{}", m.body);
    assert!(section(&m.body, "h-drop", "</section>").contains("draft the board pack"));
    assert!(m.body.contains("Needs your decision") && m.body.contains("Goals alignment"));
    assert!(
        m.body.contains("draggable=\"true\""),
        "the assistant may move the cards"
    );
    let bad_move = app
        .post_form(
            &format!("/tasks/{}/move", pack.id),
            Some(&maya),
            &[("quadrant", "later")],
        )
        .await;
    assert_eq!(bad_move.status, 422);

    // ---- goals and commitments ----
    let r = app
        .post_form(
            "/goals",
            Some(&maya),
            &[
                ("title", "Close the Series B"),
                ("description", ""),
                ("starts_on", "2030-01-01"),
                ("ends_on", "2029-12-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.alert().contains("ends_on"), "{}", r.alert());
    let r = app
        .post_form(
            "/goals",
            Some(&maya),
            &[
                ("title", "Close the Series B"),
                ("starts_on", "2026-01-01"),
                ("ends_on", "2035-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let goals = app.page("/goals", Some(&lars)).await;
    assert!(goals.body.contains("Close the Series B"), "{}", goals.body);
    let commitments = app.page("/commitments", Some(&lars)).await;
    assert_eq!(commitments.status, 200);
    assert!(section(&commitments.body, "owes", "</section>").contains("call Anna about the lease ~3x"));

    // ---- the plan: dry run, apply, undo ----
    let preview = app.page("/plan", Some(&maya)).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("Dry run") && preview.body.contains("id=\"plan-apply\""));
    assert!(section(&preview.body, "plan-preview", "</section>").contains("draft the board pack"));
    let bad = app.page("/plan?days=0", Some(&maya)).await;
    assert_eq!(bad.status, 422);
    assert!(bad.alert().contains("days"), "{}", bad.alert());
    let r = app.post_form("/plan/apply", Some(&maya), &[("person", "")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/plan?notice=plan-applied");
    let (_, plans) = planning::list(&app.state, &system(), org, Some(&principal.id.to_string()))
        .await
        .unwrap();
    let applied = plans.first().unwrap();
    assert_eq!(applied.status.as_str(), "applied");
    let after_apply = app.page("/plan?notice=plan-applied", Some(&maya)).await;
    assert!(after_apply.body.contains("Applied plan") && after_apply.body.contains("id=\"plan-undo\""));
    let r = app
        .post_form(&format!("/plan/{}/undo", applied.id), Some(&maya), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/plan?notice=plan-undone");
    let undone = app.state.store.plan_get(org, applied.id).await.unwrap();
    assert_eq!(undone.status.as_str(), "undone");

    // ---- a meeting's notes ----
    let in_three_days = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(3))
        .unwrap();
    let event = cal::create_event(
        &app.state,
        &system(),
        org,
        &EventInput {
            person: Some(principal.id.to_string()),
            summary: "Lease review".into(),
            start: format!("{in_three_days}T10:00"),
            duration_minutes: Some(60),
            time_zone: Some("Europe/Amsterdam".into()),
            attendees: vec![AttendeeInput {
                who: staff.email.clone(),
                name: None,
                optional: false,
            }],
            ..EventInput::default()
        },
    )
    .await
    .unwrap();
    let event_id: EventId = event.id;
    // A task to bring up at this meeting: seeding puts it on the agenda.
    task_ops::create_task(
        &app.state,
        &system(),
        org,
        &TaskInput {
            title: "Compare the two lease offers".into(),
            owner: Some(principal.id.to_string()),
            for_event: Some(event_id.to_string()),
            ..TaskInput::default()
        },
    )
    .await
    .unwrap();
    let event_page = app.page(&format!("/events/{event_id}"), Some(&maya)).await;
    assert!(
        event_page.body.contains("action=\"/meetings/open\""),
        "{}",
        event_page.body
    );
    let r = app
        .post_form("/meetings/open", Some(&maya), &[("event", &event_id.to_string())])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let meeting_path = r.location().to_string();
    let mid: MeetingId = meeting_path.trim_start_matches("/meetings/").parse().unwrap();
    let listed = app.page("/meetings", Some(&maya)).await;
    assert_eq!(listed.status, 200);
    assert!(listed.body.contains("Lease review") && listed.body.contains("Open notes"));

    let r = app
        .post_form(&format!("{meeting_path}/seed"), Some(&maya), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("{meeting_path}?notice=agenda-seeded&added=1")
    );
    let seeded = app.page(r.location(), Some(&maya)).await;
    assert!(
        seeded.body.contains("1 item was added to the agenda."),
        "{}",
        seeded.body
    );
    assert!(seeded.body.contains("Compare the two lease offers"));
    assert!(seeded.body.contains("class=\"three-cols\""));

    let staff_id = staff.id.to_string();
    let r = app
        .post_form(
            &format!("{meeting_path}/actions"),
            Some(&maya),
            &[
                ("title", "Send the lease draft to Anna"),
                ("owner", &staff_id),
                ("due", "2030-03-10"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let no_owner = app
        .post_form(
            &format!("{meeting_path}/actions"),
            Some(&maya),
            &[("title", "Nobody's job"), ("owner", ""), ("due", "")],
        )
        .await;
    assert_eq!(no_owner.status, 422);
    assert!(no_owner.alert().contains("owner"));
    let stella = app.sign_in(&staff.email).await;
    let her_list = app.page("/tasks", Some(&stella)).await;
    assert!(
        her_list.body.contains("Send the lease draft to Anna"),
        "{}",
        her_list.body
    );
    let notes = app.page(&meeting_path, Some(&maya)).await;
    let recap = section(&notes.body, "recap-markdown", "</pre>");
    assert!(recap.contains("Send the lease draft to Anna"), "{recap}");

    // Files: a PDF is attached; a program is refused, whatever its name.
    let stored = app.state.store.meeting_get(org, mid).await.unwrap();
    let item = stored.notes.agenda.first().unwrap().id.clone();
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let r = upload(&app, &maya, mid, &item, "lease-offers.pdf", pdf).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("{meeting_path}?notice=file-attached"));
    let files = app.state.store.materials_of(org, mid).await.unwrap();
    assert_eq!(files.len(), 1);
    let download = app
        .page(&format!("/materials/{}", files[0].id), Some(&maya))
        .await;
    assert_eq!(download.status, 200);
    assert_eq!(download.content_type(), "application/pdf");
    assert!(download.body.starts_with("%PDF-1.4"));
    let exe = upload(
        &app,
        &maya,
        mid,
        &item,
        "setup.exe",
        b"MZ\x90\x00\x03\x00\x00\x00program",
    )
    .await;
    assert_eq!(exe.status, 422, "{}", exe.body);
    assert!(
        exe.alert().contains("file") && exe.alert().contains("setup.exe"),
        "{}",
        exe.alert()
    );
    assert_eq!(app.state.store.materials_of(org, mid).await.unwrap().len(), 1);

    // ---- duties ----
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let duty_form = |estimate: &'static str| {
        vec![
            ("title".to_string(), "Approve supplier invoices".to_string()),
            ("area".into(), "finance".into()),
            ("owner".into(), staff_id.clone()),
            ("backup".into(), assistant.id.to_string()),
            ("cadence_choice".into(), "FREQ=WEEKLY;BYDAY=MO".into()),
            ("cadence_rule".into(), String::new()),
            ("anchor".into(), today.clone()),
            ("estimate_minutes".into(), estimate.to_string()),
        ]
    };
    let refused = post_pairs(&app, "/duties", &maya, &duty_form("0")).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.alert().contains("estimate_minutes"),
        "{}",
        refused.alert()
    );
    assert!(app.state.store.duty_list(org).await.unwrap().is_empty());
    let r = post_pairs(&app, "/duties", &maya, &duty_form("30")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/duties?notice=duty-added");
    let duty = app.state.store.duty_list(org).await.unwrap().remove(0);
    let grid = app.page("/duties", Some(&maya)).await;
    assert!(grid.body.contains("Approve supplier invoices") && grid.body.contains("Weekly on Monday"));
    let r = app
        .post_form(&format!("/duties/{}/done", duty.id), Some(&maya), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/duties?notice=duty-done");
    assert_eq!(
        app.state
            .store
            .duty_completions(org, duty.id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let duty_page = app.page(&format!("/duties/{}", duty.id), Some(&maya)).await;
    assert_eq!(duty_page.status, 200);
    assert!(duty_page.body.contains("id=\"duty-history\""));

    // ---- a contractor sees only what is shared with her ----
    task_ops::create_task(
        &app.state,
        &system(),
        org,
        &TaskInput {
            title: "Research a venue for the offsite".into(),
            owner: Some(principal.id.to_string()),
            shared_with: vec![contractor.id.to_string()],
            ..TaskInput::default()
        },
    )
    .await
    .unwrap();
    let priya = app.sign_in(&contractor.email).await;
    let hers = app.page("/tasks", Some(&priya)).await;
    assert_eq!(hers.status, 200, "{}", hers.body);
    assert!(
        hers.body.contains("Research a venue for the offsite"),
        "{}",
        hers.body
    );
    assert!(!hers.body.contains("lease ~3x") && !hers.body.contains("draft the board pack"));
    assert!(hers.body.contains("href=\"/tasks\"") && !hers.body.contains("href=\"/matrix\""));
    let forbidden = app
        .page(&format!("/matrix?person={}", principal.id), Some(&priya))
        .await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.body);
    let others = app
        .page(&format!("/tasks?person={}", principal.id), Some(&priya))
        .await;
    assert_eq!(others.status, 403);
}
