//! The access matrix of the mail and contact routes, and their API flows:
//! files imported and triaged with reasons, a correction that changes later
//! decisions, screening, snooze and archive, follow-ups; an assistant's draft
//! approved and sent to a local SMTP sink with nothing sent before approval;
//! contacts from mail and vCard; and bad input (a malformed message, a broken
//! mbox, a message over 25 MiB, 10,000 recipients, a bad vCard, someone
//! else's mail), each refused naming the problem with nothing else lost.

use super::*;
use adjutant_server::ops::mail as mail_ops;

/// A person's mail is theirs: whoever asks for someone else's (here nobody
/// holds a mail delegation) is refused, whatever their role.
fn personal(side: Side, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(ok),
        Side::Same => Want::Is(403),
        Side::Other => Want::Refused,
    })
}

/// An item in someone's mailbox: the owner works with it; to anyone else it does not exist.
fn item(side: Side, ok: u16) -> Option<Want> {
    Some(match side {
        Side::Own => Want::Is(ok),
        Side::Same | Side::Other => Want::Is(404),
    })
}

fn rule_maker(role: Role) -> bool {
    matches!(role, Role::Admin | Role::OfficeManager | Role::Assistant)
}

macro_rules! route {
    ($method:literal, $path:literal, $want:expr) => {
        Route {
            method: $method,
            path: $path,
            public: false,
            want: $want,
        }
    };
}

/// The expected rules of every mail route.
pub const MATRIX: &[Route] = &[
    route!("get", "/api/v1/mail/mailbox", |_, side| personal(side, 200)),
    route!("put", "/api/v1/mail/mailbox", |_, side| personal(side, 200)),
    route!("post", "/api/v1/mail/import", |_, side| personal(side, 200)),
    // Own: no IMAP server is set, which is named.
    route!("post", "/api/v1/mail/sync", |_, side| personal(side, 422)),
    route!("get", "/api/v1/mail/messages", |_, side| personal(side, 200)),
    route!("get", "/api/v1/mail/messages/{id}", |_, side| item(side, 200)),
    route!(
        "get",
        "/api/v1/mail/messages/{id}/attachments/{index}",
        |_, side| item(side, 200)
    ),
    route!("post", "/api/v1/mail/messages/{id}/category", |_, side| item(
        side, 200
    )),
    route!("post", "/api/v1/mail/messages/{id}/action", |_, side| item(
        side, 200
    )),
    // Registering the invoice a message carries: the owner, if they keep invoices.
    route!(
        "post",
        "/api/v1/mail/messages/{id}/invoice",
        |role, side| match side {
            Side::Own if matches!(role, Role::Admin | Role::OfficeManager) => Some(Want::Is(201)),
            Side::Own => Some(Want::Is(403)),
            Side::Same | Side::Other => Some(Want::Is(404)),
        }
    ),
    route!("put", "/api/v1/mail/messages/{id}/followup", |_, side| item(
        side, 200
    )),
    route!("get", "/api/v1/mail/followups", |_, side| personal(side, 200)),
    route!("get", "/api/v1/mail/senders", |_, side| personal(side, 200)),
    route!("post", "/api/v1/mail/senders", |_, side| personal(side, 200)),
    route!("get", "/api/v1/mail/rules", |_, side| personal(side, 200)),
    route!("post", "/api/v1/mail/rules", |_, side| personal(side, 201)),
    route!("delete", "/api/v1/mail/rules/{id}", |_, side| item(side, 204)),
    route!("get", "/api/v1/mail/templates", |role, side| {
        (side == Side::Same).then(|| {
            if role == Role::Contractor {
                Want::Is(403)
            } else {
                Want::Is(200)
            }
        })
    }),
    route!("post", "/api/v1/mail/templates", |role, side| {
        (side == Side::Same).then(|| {
            if rule_maker(role) {
                Want::Is(200)
            } else {
                Want::Is(403)
            }
        })
    }),
    route!("delete", "/api/v1/mail/templates/{id}", |role, side| {
        Some(match side {
            Side::Other => Want::Hidden,
            _ => {
                if rule_maker(role) {
                    Want::Is(204)
                } else {
                    Want::Is(403)
                }
            }
        })
    }),
    route!("get", "/api/v1/mail/drafts", |_, side| personal(side, 200)),
    route!("post", "/api/v1/mail/drafts", |_, side| personal(side, 201)),
    route!("get", "/api/v1/mail/drafts/{id}", |_, side| item(side, 200)),
    route!("put", "/api/v1/mail/drafts/{id}", |_, side| item(side, 200)),
    // Own: no SMTP relay is configured here, which is named; the draft stays.
    route!("post", "/api/v1/mail/drafts/{id}/send", |_, side| item(side, 409)),
    route!("post", "/api/v1/mail/drafts/{id}/reject", |_, side| item(
        side, 200
    )),
    route!("get", "/api/v1/contacts", |_, side| personal(side, 200)),
    route!("post", "/api/v1/contacts/import", |_, side| personal(side, 200)),
    route!("get", "/api/v1/contacts/export", |_, side| personal(side, 200)),
    route!("get", "/api/v1/contacts/{id}", |_, side| item(side, 200)),
    route!("put", "/api/v1/contacts/{id}", |_, side| item(side, 200)),
    route!("post", "/api/v1/contacts/{id}/merge", |_, side| item(side, 200)),
];

pub fn owns(route: &Route) -> bool {
    MATRIX
        .iter()
        .any(|r| r.method == route.method && r.path == route.path)
}

/// A plain message from `from` to `to`, with an id of its own.
fn eml(from: &str, to: &str, subject: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Tue, 01 Dec 2026 09:00:00 +0000\r\n\
         Message-ID: <{}@test.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        uuid::Uuid::new_v4().simple()
    )
}

/// A message with a small PDF attached.
fn with_attachment(from: &str, to: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Invoice attached\r\nDate: Tue, 01 Dec 2026 09:00:00 +0000\r\n\
         Message-ID: <{}@test.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n\
         --b1\r\nContent-Type: application/pdf; name=\"inv.pdf\"\r\nContent-Disposition: attachment; filename=\"inv.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSBhbiBpbnZvaWNlCg==\r\n--b1--\r\n",
        uuid::Uuid::new_v4().simple()
    )
}

/// Imports `raw` into `email`'s mailbox; the id of the message stored.
async fn put_mail(app: &App, org: OrgId, email: &str, raw: &str) -> String {
    let r = mail_ops::import(&app.state, &system(), org, Some(email), "t.eml", raw.as_bytes())
        .await
        .unwrap();
    assert_eq!(r.stored, 1, "{:?}", r.rejected);
    let mut ids = Vec::new();
    for v in ["inbox", "screening", "sent", "snoozed"] {
        let q = mail_ops::MailQuery {
            person: Some(email.into()),
            view: Some(v.into()),
            limit: Some(1),
            ..Default::default()
        };
        ids.extend(mail_ops::list(&app.state, &system(), org, &q).await.unwrap());
    }
    ids.sort_by(|a, b| b.id.cmp(&a.id));
    ids[0].id.clone()
}

async fn draft(app: &App, org: OrgId, email: &str, pending: bool) -> String {
    let person = app.state.store.person_by_email(org, email).await.unwrap();
    let mb = app
        .state
        .store
        .mailbox_ensure(org, person.id, email, &AuditCtx::system("test", now()))
        .await
        .unwrap();
    let content = adjutant_store::mail::DraftContent {
        to: vec!["someone@example.com".into()],
        cc: vec![],
        subject: "Matrix".into(),
        body: "Hello".into(),
    };
    let status = if pending {
        adjutant_store::mail::DraftStatus::Pending
    } else {
        adjutant_store::mail::DraftStatus::Draft
    };
    app.state
        .store
        .mail_draft_create(
            org,
            mb.id,
            &content,
            None,
            None,
            status,
            &AuditCtx::system("test", now()),
        )
        .await
        .unwrap()
        .id
        .to_string()
}

async fn contact(app: &App, org: OrgId, email: &str, who: &str) -> String {
    let person = app.state.store.person_by_email(org, email).await.unwrap();
    app.state
        .store
        .contacts_import(
            org,
            person.id,
            &[adjutant_store::mail::NewContact {
                name: who.into(),
                emails: vec![format!("{}@contacts.example", uuid::Uuid::new_v4().simple())],
                ..Default::default()
            }],
            &AuditCtx::system("test", now()),
        )
        .await
        .unwrap();
    app.state
        .store
        .contacts(org, person.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == who)
        .unwrap()
        .id
        .to_string()
}

const VCARD: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Vera Card\r\nEMAIL:vera@cards.example\r\nEND:VCARD\r\n";

pub async fn prepare(
    app: &App,
    route: &Route,
    actor: &Member,
    side: Side,
) -> (String, Option<Value>, Option<super::calendar::Raw>) {
    let (org, email) = match side {
        Side::Own => (app.north.id, actor.email.clone()),
        Side::Same => (app.north.id, app.north.target.email.clone()),
        Side::Other => (app.contoso.id, app.contoso.target.email.clone()),
    };
    // Whose mailbox, for routes that take `?person=` (none: one's own).
    let person_q = if side == Side::Own {
        String::new()
    } else {
        format!("?person={email}")
    };
    let with_id = |id: &str| route.path.replace("{id}", id);
    let mut body = None;
    let mut raw = None;
    let incoming = || {
        eml(
            "Pat Sender <pat@outside.example>",
            &email,
            "Matrix",
            "Could you look at this?",
        )
    };
    let path = match (route.method, route.path) {
        (
            "get",
            "/api/v1/mail/mailbox"
            | "/api/v1/mail/messages"
            | "/api/v1/mail/followups"
            | "/api/v1/mail/senders"
            | "/api/v1/mail/rules"
            | "/api/v1/mail/drafts"
            | "/api/v1/contacts"
            | "/api/v1/contacts/export",
        )
        | ("post", "/api/v1/mail/sync") => format!("{}{person_q}", route.path),
        ("put", "/api/v1/mail/mailbox") => {
            let mut b = json!({"followup_days": 5});
            if side != Side::Own {
                b["person"] = json!(email);
            }
            body = Some(b);
            route.path.to_string()
        }
        ("post", "/api/v1/mail/import") => {
            raw = Some(super::calendar::Raw {
                content_type: "application/octet-stream",
                body: incoming(),
            });
            if side == Side::Own {
                format!("{}?filename=m.eml", route.path)
            } else {
                format!("{}?filename=m.eml&person={email}", route.path)
            }
        }
        ("post", "/api/v1/mail/senders") => {
            let mut b = json!({"address": "pat@outside.example", "status": "vip"});
            if side != Side::Own {
                b["person"] = json!(email);
            }
            body = Some(b);
            route.path.to_string()
        }
        ("post", "/api/v1/mail/rules") => {
            let mut b = json!({"field": "from_domain", "value": "outside.example", "category": "newsletter"});
            if side != Side::Own {
                b["person"] = json!(email);
            }
            body = Some(b);
            route.path.to_string()
        }
        ("post", "/api/v1/mail/drafts") => {
            let mut b = json!({"to": ["someone@example.com"], "subject": "Hi", "body": "Hello"});
            if side != Side::Own {
                b["person"] = json!(email);
            }
            body = Some(b);
            route.path.to_string()
        }
        ("post", "/api/v1/contacts/import") => {
            raw = Some(super::calendar::Raw {
                content_type: "text/vcard",
                body: VCARD.into(),
            });
            format!("{}{person_q}", route.path)
        }
        ("get", "/api/v1/mail/messages/{id}") => with_id(&put_mail(app, org, &email, &incoming()).await),
        ("get", "/api/v1/mail/messages/{id}/attachments/{index}") => {
            let id = put_mail(
                app,
                org,
                &email,
                &with_attachment("Pat <pat@outside.example>", &email),
            )
            .await;
            with_id(&id).replace("{index}", "0")
        }
        ("post", "/api/v1/mail/messages/{id}/category") => {
            body = Some(json!({"category": "act"}));
            with_id(&put_mail(app, org, &email, &incoming()).await)
        }
        ("post", "/api/v1/mail/messages/{id}/action") => {
            body = Some(json!({"action": "snooze", "until_reply": true}));
            with_id(&put_mail(app, org, &email, &incoming()).await)
        }
        ("post", "/api/v1/mail/messages/{id}/invoice") => {
            let vendor = super::office::vendor(app, app.north.id).await;
            body = Some(json!({"vendor": vendor, "due_on": "2026-12-30"}));
            let bill = eml(
                "Billing <billing@outside.example>",
                &email,
                &format!("Invoice MX-{}", uuid::Uuid::new_v4().simple()),
                "Amount due EUR 120.00.",
            );
            with_id(&put_mail(app, org, &email, &bill).await)
        }
        ("put", "/api/v1/mail/messages/{id}/followup") => {
            body = Some(json!({"days": 2}));
            let sent = eml(&email, "Olga <olga@outside.example>", "Proposal", "Here it is.");
            with_id(&put_mail(app, org, &email, &sent).await)
        }
        ("delete", "/api/v1/mail/rules/{id}") => {
            let r = mail_ops::add_rule(
                &app.state,
                &system(),
                org,
                &mail_ops::RuleForm {
                    person: Some(email.clone()),
                    field: "subject_contains".into(),
                    value: "matrix".into(),
                    category: Some("fyi".into()),
                    office: None,
                },
            )
            .await
            .unwrap();
            with_id(&r.id)
        }
        ("get" | "post", "/api/v1/mail/templates") => {
            if route.method == "post" {
                body = Some(
                    json!({"name": format!("T {}", uuid::Uuid::new_v4().simple()), "subject": "Re: {{subject}}", "body": "Dear {{first_name}}"}),
                );
            }
            route.path.to_string()
        }
        ("delete", "/api/v1/mail/templates/{id}") => {
            let t = mail_ops::put_template(
                &app.state,
                &system(),
                org,
                &mail_ops::TemplateForm {
                    name: format!("T {}", uuid::Uuid::new_v4().simple()),
                    subject: String::new(),
                    body: "Hello".into(),
                },
            )
            .await
            .unwrap();
            with_id(&t.id.to_string())
        }
        ("get" | "put", "/api/v1/mail/drafts/{id}") => {
            if route.method == "put" {
                body = Some(json!({"body": "Hello again"}));
            }
            with_id(&draft(app, org, &email, false).await)
        }
        ("post", "/api/v1/mail/drafts/{id}/send") => {
            body = Some(json!({}));
            with_id(&draft(app, org, &email, false).await)
        }
        ("post", "/api/v1/mail/drafts/{id}/reject") => {
            body = Some(json!({"note": "Not this way"}));
            with_id(&draft(app, org, &email, true).await)
        }
        ("get" | "put", "/api/v1/contacts/{id}") => {
            if route.method == "put" {
                body = Some(json!({"cadence_days": 30, "stakeholder": true}));
            }
            with_id(&contact(app, org, &email, "Kim Contact").await)
        }
        ("post", "/api/v1/contacts/{id}/merge") => {
            let a = contact(app, org, &email, "Merge Into").await;
            // The one merged in is always the caller's own: the target is what is checked.
            let b = contact(app, app.north.id, &actor.email, "Merge From").await;
            body = Some(json!({"from": b}));
            with_id(&a)
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
        ("get", "/api/v1/mail/mailbox") if r.json()["address"] != actor.email => {
            fail(format!("another mailbox came back: {}", r.body));
        }
        ("get", "/api/v1/mail/mailbox" | "/api/v1/mail/messages")
            if r.body.contains("imap_password") || r.body.contains("contoso") =>
        {
            fail(format!(
                "the answer shows a password or another organisation: {}",
                r.body
            ));
        }
        _ => {}
    }
    let _ = app;
}

// ---------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------

fn token(m: &Member) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {}", m.token))]
}

async fn import_raw(app: &App, m: &Member, name: &str, body: Vec<u8>) -> Resp {
    send(
        app.request("post", &format!("/api/v1/mail/import?filename={name}"))
            .header("authorization", format!("Bearer {}", m.token))
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(body),
    )
    .await
}

async fn inbox(app: &App, m: &Member, view: &str) -> Vec<Value> {
    app.call(
        "get",
        &format!("/api/v1/mail/messages?view={view}"),
        &token(m),
        None,
    )
    .await
    .json()
    .as_array()
    .unwrap()
    .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_lands_triaged_and_corrections_change_later_decisions() {
    let app = spawn_app().await;
    let p = app.north.m(Role::Principal);
    let me = &p.email;
    // An mbox: a colleague's question, a newsletter, a first-time sender, and a broken stretch.
    let colleague = app.north.m(Role::Staff);
    let mut mbox =
        String::from("From junk@example Tue Dec  1 08:00:00 2026\r\nthis is not a message at all\r\n\r\n");
    for (from, subject, extra, body) in [
        (
            format!("Stella <{}>", colleague.email),
            "Can you approve the hire by Friday?",
            "",
            "Could you approve the new hire by Friday?",
        ),
        (
            "Weekly <news@weekly.example>".to_string(),
            "This week in retail",
            "List-Unsubscribe: <https://weekly.example/u>\r\nPrecedence: bulk\r\n",
            "Ten stories for your weekend.",
        ),
        (
            "Nora New <nora@startup.example>".to_string(),
            "Hello from a startup",
            "",
            "We would love to show you our product.",
        ),
    ] {
        mbox.push_str("From sender@example Tue Dec  1 09:00:00 2026\r\n");
        let m = eml(&from, me, subject, body);
        let m = m.replacen("MIME-Version", &format!("{extra}MIME-Version"), 1);
        mbox.push_str(&m);
        mbox.push_str("\r\n");
    }
    let r = import_raw(&app, p, "archive.mbox", mbox.clone().into_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rep = r.json();
    assert_eq!(rep["stored"], 3, "{rep}");
    assert_eq!(rep["rejected"].as_array().unwrap().len(), 1, "{rep}");
    assert!(
        rep["rejected"][0]["item"]
            .as_str()
            .unwrap()
            .contains("archive.mbox"),
        "{rep}"
    );
    // The same file again stores nothing twice.
    let again = import_raw(&app, p, "archive.mbox", mbox.into_bytes())
        .await
        .json();
    assert_eq!(
        (again["stored"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(3)),
        "{again}"
    );

    let list = inbox(&app, p, "inbox").await;
    let subjects: Vec<&str> = list.iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert!(
        subjects.contains(&"Can you approve the hire by Friday?"),
        "{subjects:?}"
    );
    let q = list
        .iter()
        .find(|m| m["subject"] == "Can you approve the hire by Friday?")
        .unwrap();
    assert!(
        matches!(q["category"].as_str().unwrap(), "act" | "reply"),
        "a colleague's question with a deadline: {q}"
    );
    assert!(
        !q["reasons"].as_array().unwrap().is_empty(),
        "reasons are shown: {q}"
    );
    let news = list.iter().find(|m| m["subject"] == "This week in retail");
    // The newsletter's sender is unknown: it waits in screening with the startup.
    let screening = inbox(&app, p, "screening").await;
    assert!(news.is_none() || news.unwrap()["category"] == "newsletter");
    let nora = screening
        .iter()
        .find(|m| m["from"] == "nora@startup.example")
        .unwrap_or_else(|| panic!("first-time sender in screening: {screening:?}"));
    // Accepting the sender moves their mail to the inbox.
    let r = app
        .call(
            "post",
            "/api/v1/mail/senders",
            &token(p),
            Some(&json!({"address": "nora@startup.example", "status": "accepted"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        inbox(&app, p, "inbox")
            .await
            .iter()
            .any(|m| m["id"] == nora["id"])
    );

    // Two ordinary notes, archived as they were filed: the classifiers learn what is read…
    for i in 0..2 {
        let raw = eml(
            &format!("Stella <{}>", colleague.email),
            me,
            &format!("Notes from the {i} meeting"),
            "The notes from today's meeting are in the shared folder.",
        );
        import_raw(&app, p, "n.eml", raw.into_bytes()).await;
        let all = inbox(&app, p, "inbox").await;
        let note = all
            .iter()
            .find(|m| m["subject"] == format!("Notes from the {i} meeting"))
            .unwrap();
        assert_eq!(note["category"], "read", "{note}");
        let r = app
            .call(
                "post",
                &format!("/api/v1/mail/messages/{}/action", note["id"].as_str().unwrap()),
                &token(p),
                Some(&json!({"action": "archive"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // …then startup pitches are filed as newsletters three times…
    for i in 0..3 {
        let raw = eml(
            &format!("Pitch {i} <pitch{i}@vendors{i}.example>"),
            me,
            "Grow your revenue with our platform",
            "Book a demo of our growth platform this week and grow your revenue.",
        );
        let r = import_raw(&app, p, "p.eml", raw.into_bytes()).await;
        assert_eq!(r.json()["stored"], 1);
        let all = inbox(&app, p, "screening").await;
        let id = all
            .iter()
            .find(|m| m["from"] == format!("pitch{i}@vendors{i}.example"))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = app
            .call(
                "post",
                &format!("/api/v1/mail/messages/{id}/category"),
                &token(p),
                Some(&json!({"category": "newsletter"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["category"], "newsletter");
        assert!(r.json()["corrected"].as_bool().unwrap());
    }
    // …and the next one like them is filed there on its own, saying why.
    let raw = eml(
        "Pitch 9 <pitch9@vendors9.example>",
        me,
        "Grow your revenue with our platform",
        "Book a demo of our growth platform this week and grow your revenue.",
    );
    import_raw(&app, p, "p.eml", raw.into_bytes()).await;
    let all = inbox(&app, p, "screening").await;
    let next = all
        .iter()
        .find(|m| m["from"] == "pitch9@vendors9.example")
        .unwrap();
    assert_eq!(next["category"], "newsletter", "learned from corrections: {next}");
    assert!(
        next["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "learned"),
        "{next}"
    );

    // Snooze until a reply, archive, bring back.
    let id = q["id"].as_str().unwrap();
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/messages/{id}/action"),
            &token(p),
            Some(&json!({"action": "snooze", "until": "2020-01-01"})),
        )
        .await;
    r.problem(422, "validation_failed");
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/messages/{id}/action"),
            &token(p),
            Some(&json!({"action": "snooze", "until": "2099-01-01"})),
        )
        .await;
    assert_eq!(r.status, 422, "more than a year ahead: {}", r.body);
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/messages/{id}/action"),
            &token(p),
            Some(&json!({"action": "archive"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(inbox(&app, p, "archived").await.iter().any(|m| m["id"] == id));

    // The audit log names each correction.
    let audit = app.audit(app.north.id).await;
    assert_eq!(audit.iter().filter(|e| e.action == "mail.correct").count(), 3);
    assert!(audit.iter().any(|e| e.action == "mail.import"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_surface_sent_mail_without_a_reply_and_a_reply_settles_them() {
    let app = spawn_app().await;
    let p = app.north.m(Role::Principal);
    let old = "Mon, 23 Nov 2026 09:00:00 +0000";
    let sent = eml(
        &p.email,
        "Olga <olga@outside.example>",
        "Proposal",
        "Here is our proposal.",
    )
    .replace("Tue, 01 Dec 2026 09:00:00 +0000", old)
    .replace("@test.example>", "@sent.example>");
    let r = import_raw(&app, p, "sent.eml", sent.clone().into_bytes()).await;
    assert_eq!(r.json()["stored"], 1, "{}", r.body);
    let due = app
        .call("get", "/api/v1/mail/followups", &token(p), None)
        .await
        .json();
    assert_eq!(due.as_array().unwrap().len(), 1, "{due}");
    assert!(
        due[0]["nudge_body"].as_str().unwrap().starts_with("Hi Olga,"),
        "{due}"
    );
    // It is in the commitments too.
    let c = app.call("get", "/api/v1/commitments", &token(p), None).await;
    assert_eq!(
        c.json()["awaiting_replies"].as_array().unwrap().len(),
        1,
        "{}",
        c.body
    );
    // Olga answers: the follow-up is settled.
    let id = sent
        .split("Message-ID: <")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    let reply = eml(
        "Olga <olga@outside.example>",
        &p.email,
        "Re: Proposal",
        "Looks good.",
    )
    .replace("MIME-Version", &format!("In-Reply-To: <{id}>\r\nMIME-Version"));
    import_raw(&app, p, "reply.eml", reply.into_bytes()).await;
    let due = app
        .call("get", "/api/v1/mail/followups", &token(p), None)
        .await
        .json();
    assert!(due.as_array().unwrap().is_empty(), "{due}");
    // Olga was written to, so she is accepted: her reply is in the inbox, in the thread.
    let list = inbox(&app, p, "inbox").await;
    let r = list.iter().find(|m| m["subject"] == "Re: Proposal").unwrap();
    let d = app
        .call(
            "get",
            &format!("/api/v1/mail/messages/{}", r["id"].as_str().unwrap()),
            &token(p),
            None,
        )
        .await
        .json();
    assert_eq!(d["thread_messages"].as_array().unwrap().len(), 2, "{d}");
    // Contacts filled themselves: Olga, with mail each way.
    let cs = app.call("get", "/api/v1/contacts", &token(p), None).await.json();
    let olga = cs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["emails"][0] == "olga@outside.example")
        .unwrap();
    assert!(
        !olga["last_in_at"].is_null() && !olga["last_out_at"].is_null(),
        "{olga}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assistants_draft_is_approved_by_the_principal_and_sent_to_the_relay() {
    let (sink, addr) = adjutant_server::mail::sink::Sink::start().await.unwrap();
    let app = spawn_app_with(|c| {
        c.smtp_host = Some(addr.ip().to_string());
        c.smtp_port = addr.port();
        c.smtp_security = "none".into();
    })
    .await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let a = n.m(Role::Assistant);
    ops::grant_delegation(
        &app.state,
        &system(),
        n.id,
        &DelegationInput {
            principal: p.id.to_string(),
            delegate: a.id.to_string(),
            scopes: vec!["mail".into()],
            level: "act".into(),
        },
    )
    .await
    .unwrap();
    let q = eml(
        "Henk <henk@board.example>",
        &p.email,
        "Q4 numbers",
        "Can you confirm the Q4 numbers?",
    );
    import_raw(&app, p, "q.eml", q.into_bytes()).await;
    let msg = mail_ops::list(
        &app.state,
        &system(),
        n.id,
        &mail_ops::MailQuery {
            person: Some(p.email.clone()),
            view: Some("screening".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let henk = &msg[0];
    // The assistant writes the reply in the principal's name: it waits for approval.
    let mut act_for = token(a);
    act_for.push(("x-act-for", p.id.to_string()));
    let r = app
        .call(
            "post",
            "/api/v1/mail/drafts",
            &act_for,
            Some(&json!({"reply_to": henk.id, "body": "Henk, yes: EUR 41.2M. Lars"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let d = r.json();
    assert_eq!(d["status"], "pending");
    assert_eq!(d["to"], json!(["henk@board.example"]));
    assert_eq!(d["subject"], "Re: Q4 numbers");
    let did = d["id"].as_str().unwrap().to_string();
    // The assistant cannot send it herself.
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/drafts/{did}/send"),
            &act_for,
            Some(&json!({})),
        )
        .await;
    r.problem(403, "forbidden");
    assert!(sink.messages().is_empty(), "nothing goes out before approval");
    // A rejection needs a reason.
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/drafts/{did}/reject"),
            &token(p),
            Some(&json!({})),
        )
        .await;
    assert!(
        r.problem(422, "validation_failed")["detail"]
            .as_str()
            .unwrap()
            .contains("note")
    );
    // The principal edits and approves: it goes out through the relay.
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/drafts/{did}/send"),
            &token(p),
            Some(&json!({"body": "Henk, yes: EUR 41.2M, the hiring plan follows. Lars"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "sent");
    sink.wait_for(1, std::time::Duration::from_secs(10)).await;
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    let text = String::from_utf8_lossy(&got[0].raw).to_string();
    assert!(text.contains("the hiring plan follows"), "{text}");
    assert!(text.contains("In-Reply-To:"), "{text}");
    assert!(got[0].to.iter().any(|r| r == "henk@board.example"));
    // Sending twice is refused; the sent message waits for its reply.
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/drafts/{did}/send"),
            &token(p),
            Some(&json!({})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let sent = inbox(&app, p, "sent").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let audit = app.audit(n.id).await;
    let created = audit.iter().find(|e| e.action == "mail.draft.create").unwrap();
    assert_eq!(created.on_behalf_of, Some(p.id), "the audit names both");
    assert!(audit.iter().any(|e| e.action == "mail.draft.sent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_mail_is_refused_with_the_problem_named_and_nothing_lost() {
    let app = spawn_app().await;
    let n = &app.north;
    let p = n.m(Role::Principal);
    let good = eml("Gil <gil@ok.example>", &p.email, "Fine", "A good message.");
    import_raw(&app, p, "good.eml", good.into_bytes()).await;
    let before = inbox(&app, p, "screening").await.len();
    let audit_before = app.audit(n.id).await.len();

    // Junk bytes, and an empty file.
    let r = import_raw(&app, p, "junk.bin", vec![0u8, 159, 146, 150, 1, 2, 3]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["rejected"].as_array().unwrap().len(), 1, "{}", r.body);
    let r = import_raw(&app, p, "empty.eml", vec![]).await;
    assert!(
        r.problem(422, "validation_failed")["detail"]
            .as_str()
            .unwrap()
            .contains("empty")
    );
    // A message of 30 MiB is refused by size; one over the upload limit is a 413.
    let mut big = eml("Big <big@ok.example>", &p.email, "Huge", "x").into_bytes();
    big.extend(std::iter::repeat_n(b'a', 30 * 1024 * 1024));
    let r = import_raw(&app, p, "big.eml", big).await;
    assert_eq!(r.status, 200, "{}", &r.body[..r.body.len().min(300)]);
    assert!(r.body.contains("25 MiB"), "{}", r.body);
    let huge = vec![b'a'; 65 * 1024 * 1024];
    import_raw(&app, p, "huge.mbox", huge)
        .await
        .problem(413, "too_large");
    // 10,000 recipients: kept, the recipients cut, the count whole, a warning.
    let many: Vec<String> = (0..10_000).map(|i| format!("r{i}@many.example")).collect();
    let raw = eml(
        "List <list@many.example>",
        &many.join(", "),
        "All hands",
        "Hello all.",
    );
    let r = import_raw(&app, p, "many.eml", raw.into_bytes()).await;
    assert_eq!(r.json()["stored"], 1, "{}", r.body);
    // Someone else's message, and another organisation's.
    let theirs = put_mail(
        &app,
        n.id,
        &n.target.email,
        &eml("Z <z@ok.example>", &n.target.email, "Private", "x"),
    )
    .await;
    app.call("get", &format!("/api/v1/mail/messages/{theirs}"), &token(p), None)
        .await
        .problem(404, "not_found");
    // An admin cannot read someone's mail either.
    app.call(
        "get",
        &format!("/api/v1/mail/messages/{theirs}"),
        &token(n.m(Role::Admin)),
        None,
    )
    .await
    .problem(404, "not_found");
    // A bad category, a bad vCard.
    let mine = inbox(&app, p, "screening").await;
    let id = mine[0]["id"].as_str().unwrap();
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/messages/{id}/category"),
            &token(p),
            Some(&json!({"category": "urgent"})),
        )
        .await;
    assert!(
        r.problem(422, "validation_failed")["detail"]
            .as_str()
            .unwrap()
            .contains("urgent")
    );
    let r = send(
        app.request("post", "/api/v1/contacts/import")
            .header("authorization", format!("Bearer {}", p.token))
            .header(CONTENT_TYPE, "text/vcard")
            .body("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ok\r\nEMAIL:ok@cards.example\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nNOTE:no name\r\nEND:VCARD\r\n"),
    )
    .await;
    assert!(
        r.problem(422, "validation_failed")["detail"]
            .as_str()
            .unwrap()
            .contains("card 2"),
        "{}",
        r.body
    );
    let cs = app.call("get", "/api/v1/contacts", &token(p), None).await.json();
    assert!(
        !cs.to_string().contains("ok@cards.example"),
        "nothing of a refused file is stored"
    );
    // What was there is still there; refusals wrote no audit entries but the imports'.
    let after = inbox(&app, p, "screening").await;
    assert!(after.len() >= before, "nothing lost");
    let audit = app.audit(n.id).await;
    assert!(audit.len() > audit_before);
    assert!(
        audit
            .iter()
            .all(|e| e.action != "contact.import" || e.details["created"] != 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_by_mail_is_registered_once_with_what_it_says() {
    let app = spawn_app().await;
    let om = app.north.m(Role::OfficeManager);
    // A vendor whose billing desk writes from its domain.
    let vendor = adjutant_server::ops::office::create_vendor(&app.state, &system(), app.north.id, &{
        let mut v = super::office::vendor_input("Kroon Schoonmaak");
        v.contacts = vec![adjutant_core::office::vendor::VendorContact {
            name: "Sara".into(),
            email: "sara@kroon.example".into(),
            ..Default::default()
        }];
        v
    })
    .await
    .unwrap();
    let bill = eml(
        "Kroon Billing <billing@kroon.example>",
        &om.email,
        "Invoice KR-7781: payment due 15 December",
        "Dear Sofia,\n\nPlease find our invoice KR-7781 for November, amount due EUR 1,450.00 \
         incl. 21% VAT, payment due 15 December.\n\nKroon",
    );
    let r = import_raw(&app, om, "bill.eml", bill.into_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Its sender is new, so it waits in screening, marked for the invoice workflow.
    let m = inbox(&app, om, "screening")
        .await
        .into_iter()
        .chain(inbox(&app, om, "inbox").await)
        .find(|m| m["subject"] == "Invoice KR-7781: payment due 15 December")
        .unwrap();
    assert_eq!(m["office"], "invoice", "{m}");
    let id = m["id"].as_str().unwrap().to_string();
    let url = format!("/api/v1/mail/messages/{id}");
    let detail = app.call("get", &url, &token(om), None).await.json();
    let s = &detail["invoice_suggestion"];
    assert_eq!(s["vendor"]["name"], "Kroon Schoonmaak", "{s}");
    assert_eq!(s["number"], "KR-7781");
    assert_eq!(s["amount"], "1450.00");
    assert_eq!(s["currency"], "EUR");
    assert_eq!(s["due_on"], "2026-12-15");
    assert_eq!(s["issued_on"], "2026-12-01");
    assert_eq!(s["vat"], "21");
    assert_eq!(s["missing"], json!([]));

    let before = office_ops_invoices(&app).await;
    // Bad input: an amount that is not one, and a vendor that is not here; nothing is registered.
    for (body, field) in [
        (json!({"amount": "lots"}), "amount"),
        (json!({"vendor": "Nobody BV"}), "vendor"),
        (json!({"due_on": "15/12"}), "due_on"),
        (json!({"vat": "lots"}), "vat"),
        // No net amount at 21% VAT comes to 0.03 in whole cents.
        (json!({"amount": "0.03"}), "amount"),
    ] {
        let r = app
            .call("post", &format!("{url}/invoice"), &token(om), Some(&body))
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], field, "{}", r.body);
    }
    // Someone who keeps no invoices may not register one, even from their own mail.
    let staff = app.north.m(Role::Staff);
    let theirs = put_mail(
        &app,
        app.north.id,
        &staff.email,
        &eml(
            "Kroon <sara@kroon.example>",
            &staff.email,
            "Invoice KR-1",
            "Amount due EUR 5.00, due 20 December.",
        ),
    )
    .await;
    let r = app
        .call(
            "post",
            &format!("/api/v1/mail/messages/{theirs}/invoice"),
            &token(staff),
            Some(&json!({})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(office_ops_invoices(&app).await, before);

    // Registered as suggested, with one correction: the category.
    let r = app
        .call(
            "post",
            &format!("{url}/invoice"),
            &token(om),
            Some(&json!({"category": "cleaning"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let inv = r.json();
    assert_eq!(inv["number"], "KR-7781");
    assert_eq!(inv["vendor"]["id"], json!(vendor.id));
    assert_eq!(inv["due_on"], "2026-12-15");
    assert_eq!(inv["category"], "cleaning");
    assert_eq!(inv["status"], "received");
    // Split into net and VAT at the rate the message gave, to the cent.
    assert_eq!(inv["gross"]["amount"], "1450.00", "{inv}");
    assert_eq!(inv["net"]["amount"], "1198.35", "{inv}");
    assert_eq!(inv["vat"]["amount"], "251.65", "{inv}");
    assert_eq!(office_ops_invoices(&app).await, before + 1);
    // The message names its invoice and suggests nothing more; a second try is refused.
    let detail = app.call("get", &url, &token(om), None).await.json();
    assert_eq!(detail["invoice"], inv["id"]);
    assert!(detail["invoice_suggestion"].is_null());
    let r = app
        .call("post", &format!("{url}/invoice"), &token(om), Some(&json!({})))
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("KR-7781"), "{}", r.body);
    assert_eq!(office_ops_invoices(&app).await, before + 1);
    // Audited on both sides.
    let audit = app
        .call(
            "get",
            "/api/v1/audit?limit=20",
            &token(app.north.m(Role::Admin)),
            None,
        )
        .await;
    assert!(audit.body.contains("mail.invoice"), "{}", audit.body);
    assert!(audit.body.contains("invoice.create"), "{}", audit.body);
}

async fn office_ops_invoices(app: &App) -> usize {
    app.state.store.invoice_list(app.north.id).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invoice_form_on_a_message_registers_it_and_keeps_what_was_typed_when_refused() {
    let app = spawn_app().await;
    let om = app.north.m(Role::OfficeManager);
    let vendor = super::office::vendor(&app, app.north.id).await;
    let id = put_mail(
        &app,
        app.north.id,
        &om.email,
        &eml(
            "Billing <billing@nowhere.example>",
            &om.email,
            "Invoice NW-311",
            "Please pay our invoice NW-311, total EUR 99.50.",
        ),
    )
    .await;
    let cookie = app.sign_in(&om.email).await;
    // The dashboard lists it among the invoices by mail still to register.
    let home = app.page("/", Some(&cookie)).await;
    let waiting = super::web_tasks::section(&home.body, "invoices-by-mail", "</ul>");
    assert!(
        waiting.contains("Invoice NW-311") && waiting.contains(&format!("/mail/{id}")),
        "{waiting}"
    );
    // The form is filled from the message; what it could not read is said.
    let page = app.page(&format!("/mail/{id}"), Some(&cookie)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Register this invoice"), "{}", page.body);
    assert!(page.body.contains("value=\"NW-311\""), "{}", page.body);
    assert!(page.body.contains("value=\"99.50\""), "{}", page.body);
    let missing = super::web_tasks::section(&page.body, "invoice-missing", "</ul>");
    assert!(
        missing.contains("no vendor here has the sender") && missing.contains("billing@nowhere.example"),
        "{missing}"
    );
    assert!(missing.contains("the message names no due day"), "{missing}");
    // Sent without the vendor and the due day: refused naming both, the typed number kept.
    let r = app
        .post_form(
            &format!("/mail/{id}/invoice"),
            Some(&cookie),
            &[
                ("number", "NW-311b"),
                ("amount", "99.50"),
                ("currency", "EUR"),
                ("issued_on", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("vendor") && r.body.contains("due_on"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"NW-311b\""), "{}", r.body);
    assert!(
        app.state
            .store
            .invoice_list(app.north.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Completed: registered, and the invoice page is shown.
    let r = app
        .post_form(
            &format!("/mail/{id}/invoice"),
            Some(&cookie),
            &[
                ("vendor", vendor.as_str()),
                ("number", "NW-311"),
                ("amount", "99.50"),
                ("currency", "EUR"),
                ("issued_on", "2026-12-01"),
                ("due_on", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().starts_with("/office/invoices/"), "{}", r.location());
    let invoice = app.page(r.location(), Some(&cookie)).await;
    assert!(
        invoice.body.contains("NW-311") && invoice.body.contains("99.50"),
        "{}",
        invoice.body
    );
    let page = app.page(&format!("/mail/{id}"), Some(&cookie)).await;
    assert!(page.body.contains("see the invoice") && !page.body.contains("Register this invoice"));
    let home = app.page("/", Some(&cookie)).await;
    assert!(
        !home.body.contains("invoices-by-mail"),
        "registered: {}",
        home.body
    );
    // The inbox's script files a row in place: the same form, answered 204 with nothing to load.
    let r = send(
        app.form(
            &format!("/mail/{id}/category"),
            Some(&cookie),
            &[("category", "fyi")],
        )
        .header(ORIGIN, &app.origin)
        .header("x-adjutant-inline", "1"),
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    let m = mail_ops::get(&app.state, &system(), app.north.id, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(m.item.category.as_str(), "fyi");
    // Refused inline, it is the ordinary page with the fault, for the script to fall back to.
    let r = send(
        app.form(
            &format!("/mail/{id}/category"),
            Some(&cookie),
            &[("category", "urgent")],
        )
        .header(ORIGIN, &app.origin)
        .header("x-adjutant-inline", "1"),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_notice_by_mail_shows_the_contract_it_is_about_and_its_deadline() {
    let app = spawn_app().await;
    let om = app.north.m(Role::OfficeManager);
    let staff = app.north.m(Role::Staff);
    let org = app.north.id;
    let vendor = |name: &str, email: &str| {
        let mut v = super::office::vendor_input(name);
        v.contacts = vec![adjutant_core::office::vendor::VendorContact {
            name: "Desk".into(),
            email: email.into(),
            ..Default::default()
        }];
        v
    };
    let kroon = adjutant_server::ops::office::create_vendor(
        &app.state,
        &system(),
        org,
        &vendor("Kroon", "desk@kroon.example"),
    )
    .await
    .unwrap();
    adjutant_server::ops::office::create_vendor(
        &app.state,
        &system(),
        org,
        &vendor("Lift BV", "service@lift.example"),
    )
    .await
    .unwrap();
    adjutant_server::ops::office::create_contract(
        &app.state,
        &system(),
        org,
        // Six months into a year's term, with three months' notice: the deadline is about three months away.
        &super::office::contract_input(
            &kroon.id,
            &jiff::Zoned::now()
                .date()
                .checked_sub(jiff::Span::new().months(6))
                .unwrap()
                .to_string(),
        ),
    )
    .await
    .unwrap();
    let renewal = |from: &str, to: &str| {
        eml(
            from,
            to,
            "Your contract renewal",
            "Your cleaning contract auto-renews at the end of its term; the notice period is three months.",
        )
    };
    // From a vendor with a contract: the contract and where its notice stands.
    let id = put_mail(
        &app,
        org,
        &om.email,
        &renewal("Kroon <desk@kroon.example>", &om.email),
    )
    .await;
    let d = mail_detail(&app, om, &id).await;
    assert_eq!(d["office"], "contract", "{d}");
    let k = &d["contracts"];
    assert_eq!(k["vendor"]["name"], "Kroon", "{k}");
    assert_eq!(k["contracts"][0]["title"], "Office cleaning", "{k}");
    let days = k["contracts"][0]["days_to_deadline"].as_i64().unwrap();
    assert!((80..=100).contains(&days), "{k}");
    assert!(k["contracts"][0]["notice_deadline"].is_string(), "{k}");
    assert!(
        k["contracts"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("give notice by"),
        "{k}"
    );
    // From a vendor with none, and from someone who is no vendor: said so.
    let id = put_mail(
        &app,
        org,
        &om.email,
        &renewal("Lift <service@lift.example>", &om.email),
    )
    .await;
    let k = mail_detail(&app, om, &id).await["contracts"].clone();
    assert_eq!(
        (
            k["vendor"]["name"].as_str(),
            k["contracts"].as_array().map(Vec::len)
        ),
        (Some("Lift BV"), Some(0))
    );
    let id = put_mail(
        &app,
        org,
        &om.email,
        &renewal("Meraki <renewals@meraki.example>", &om.email),
    )
    .await;
    let k = mail_detail(&app, om, &id).await["contracts"].clone();
    assert!(k["vendor"].is_null() && k["contracts"] == json!([]), "{k}");
    // Someone who does not see contracts is not shown them, even about their own mail.
    let id = put_mail(
        &app,
        org,
        &staff.email,
        &renewal("Kroon <desk@kroon.example>", &staff.email),
    )
    .await;
    let d = mail_detail(&app, staff, &id).await;
    assert_eq!(d["office"], "contract");
    assert!(d["contracts"].is_null(), "{d}");
}

async fn mail_detail(app: &App, who: &Member, id: &str) -> Value {
    app.call("get", &format!("/api/v1/mail/messages/{id}"), &token(who), None)
        .await
        .json()
}
