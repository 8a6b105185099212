//! Northwind's mail: Lars's inbox triaged (a board director's question with a
//! deadline, a colleague's note, a newsletter, a first-time sender waiting in
//! screening, a phishing attempt, a flight confirmation, an automatic notice),
//! his sent mail with one follow-up overdue and one answered, a draft Maya
//! wrote for his approval; Sofia's inbox with invoices (Koffie & Co's ready to
//! register, read from the message) and Sparkle's renewal notice shown beside
//! the cleaning contract's notice deadline; screening rules, VIPs, templates and contacts with
//! a keep-in-touch cadence. Every message goes through the same import and
//! triage as real mail.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::mail::{self as ops, ContactForm, MailQuery, RuleForm, SenderForm, TemplateForm};
use adjutant_core::ids::{MailId, OrgId};
use adjutant_store::AuditCtx;
use adjutant_store::mail::{DraftContent, DraftStatus};
use jiff::{SignedDuration, Timestamp};

/// One demo message: mailbox owner, hours ago, from, to, cc, subject, extra headers, body.
struct Demo {
    owner: &'static str,
    hours_ago: i64,
    from: &'static str,
    to: &'static str,
    cc: &'static str,
    subject: &'static str,
    headers: &'static str,
    body: &'static str,
    id: &'static str,
    in_reply_to: &'static str,
}

const fn m(
    owner: &'static str,
    hours_ago: i64,
    from: &'static str,
    to: &'static str,
    subject: &'static str,
    body: &'static str,
) -> Demo {
    Demo {
        owner,
        hours_ago,
        from,
        to,
        cc: "",
        subject,
        headers: "",
        body,
        id: "",
        in_reply_to: "",
    }
}

const LARS: &str = "lars@northwind.example";
const SOFIA: &str = "sofia@northwind.example";
const GRACE: &str = "grace@northwind.example";

fn messages() -> Vec<Demo> {
    vec![
        Demo {
            id: "board-q4@example.org",
            ..m(
                LARS,
                3,
                "Henk de Wit <h.de.wit@example.org>",
                "Lars Jansen <lars@northwind.example>",
                "Board pack: can you confirm the Q4 numbers by Thursday?",
                "Lars,\n\nBefore the board meeting, could you confirm the Q4 revenue and the hiring plan \
                 by Thursday? The other directors want to read them over the weekend.\n\nBest,\nHenk",
            )
        },
        Demo {
            cc: "Maya de Vries <maya@northwind.example>",
            ..m(
                LARS,
                5,
                "Grace Chen <grace@northwind.example>",
                "Lars Jansen <lars@northwind.example>",
                "Budget review notes",
                "Hi Lars,\n\nNotes from this morning's budget review are in the shared folder. \
                 Nothing needs a decision before the board meeting.\n\nGrace",
            )
        },
        Demo {
            headers: "List-Unsubscribe: <https://freightweekly.example/u/8812>\r\nList-Id: <weekly.freightweekly.example>\r\nPrecedence: bulk\r\n",
            ..m(
                LARS,
                9,
                "Freight Weekly <news@freightweekly.example>",
                "lars@northwind.example",
                "The week in logistics: port congestion eases",
                "This week: port congestion eases in Rotterdam, air cargo rates fall for a third week, \
                 and five charts on last-mile delivery.\n\nRead online | Unsubscribe",
            )
        },
        m(
            LARS,
            14,
            "Johan Berg <j.berg@nordicventures.example>",
            "lars@northwind.example",
            "Introduction: Nordic Ventures",
            "Dear Mr Jansen,\n\nI lead the logistics fund at Nordic Ventures. Would you have 20 minutes \
             in January to talk about your expansion plans?\n\nKind regards,\nJohan Berg",
        ),
        Demo {
            headers: "Reply-To: verify@secure-login-check.example\r\n",
            ..m(
                LARS,
                20,
                "Account Security <security@paypa1-alerts.example>",
                "lars@northwind.example",
                "URGENT: verify your account now!!!",
                "Dear customer,\n\nYour account will be SUSPENDED within 24 hours. Click here to verify your \
                 account and confirm your password: http://secure-login-check.example/verify\n\nSecurity team",
            )
        },
        m(
            LARS,
            30,
            "KLM Royal Dutch Airlines <noreply@klm.example>",
            "Lars Jansen <lars@northwind.example>",
            "Booking confirmation AMS-JFK, booking reference X7K2LP",
            "Dear Mr Jansen,\n\nThank you for booking with KLM. Your e-ticket and itinerary:\n\
             KL 641 Amsterdam (AMS) 10:25 → New York (JFK) 12:35, 14 December.\nBooking reference: X7K2LP.\n",
        ),
        Demo {
            headers: "Auto-Submitted: auto-generated\r\n",
            ..m(
                LARS,
                26,
                "Adjutant <noreply@northwind.example>",
                "lars@northwind.example",
                "Expense report EXP-2026-0002 was approved",
                "Your expense report EXP-2026-0002 was approved by Sofia Rossi.",
            )
        },
        // Sent by Lars: one waiting too long, one answered.
        Demo {
            id: "lagos-intro@northwind.example",
            ..m(
                LARS,
                24 * 6,
                "Lars Jansen <lars@northwind.example>",
                "Adaeze Okoye <a.okoye@example.com>",
                "Introduction to our Lagos partner",
                "Adaeze,\n\nAs promised at dinner, may I introduce you to Tunde Bakare, who runs our partner \
                 in Lagos? Would you be open to a call before the holidays?\n\nLars",
            )
        },
        Demo {
            id: "offsite-venue@northwind.example",
            ..m(
                LARS,
                24 * 3,
                "Lars Jansen <lars@northwind.example>",
                "Ben Okafor <ben@northwind.example>",
                "Offsite venue",
                "Ben, can you send me the two venue options for the offsite by Friday? Lars",
            )
        },
        Demo {
            in_reply_to: "offsite-venue@northwind.example",
            ..m(
                LARS,
                24 * 2,
                "Ben Okafor <ben@northwind.example>",
                "Lars Jansen <lars@northwind.example>",
                "Re: Offsite venue",
                "Lars, both options are in the attached note: Zandvoort and Utrecht. Ben",
            )
        },
        // Sofia's office mail.
        Demo {
            owner: SOFIA,
            ..m(
                SOFIA,
                4,
                "Koffie & Co Facturen <facturen@koffieenco.example>",
                "Sofia Rossi <sofia@northwind.example>",
                "Invoice KC-2026-1148: coffee and milk, November",
                "Dear Sofia,\n\nPlease find our invoice KC-2026-1148 for November's coffee beans and milk \
                 deliveries, amount due EUR 386.20 incl. 9% VAT, payment within 21 days.\n\nKoffie & Co",
            )
        },
        Demo {
            owner: SOFIA,
            ..m(
                SOFIA,
                28,
                "Anouk de Vries <anouk@sparkle-cleaning.example>",
                "sofia@northwind.example",
                "Your cleaning contract: renewal coming up",
                "Hello Sofia,\n\nYour office cleaning contract renews automatically at the end of its term. \
                 The notice period is three months: if you want to change the scope or the price, tell us \
                 before the notice deadline and we will send a new proposal.\n\nAnouk\nSparkle Cleaning BV",
            )
        },
        Demo {
            owner: SOFIA,
            ..m(
                SOFIA,
                50,
                "Office Supplies Direct <orders@osd.example>",
                "sofia@northwind.example",
                "Invoice 88-1207 for order PO-2026-0004",
                "Invoice 88-1207: 40 reams of A4 paper, 12 toner cartridges. Amount due EUR 612.40.",
            )
        },
        Demo {
            owner: GRACE,
            ..m(
                GRACE,
                6,
                "Ana Lima <ana@northwind.example>",
                "Grace Chen <grace@northwind.example>",
                "Q4 close: can you sign off the accruals today?",
                "Grace, the accruals are ready in the close folder. Could you sign them off today so we \
                 can send the pack to the auditors? Ana",
            )
        },
    ]
}

fn raw(d: &Demo, now: Timestamp, n: usize) -> String {
    let at = now - SignedDuration::from_hours(d.hours_ago);
    let date = jiff::fmt::rfc2822::to_string(&at.to_zoned(jiff::tz::TimeZone::UTC)).unwrap_or_default();
    let id = if d.id.is_empty() {
        format!("demo-{n}@northwind.example")
    } else {
        d.id.to_string()
    };
    let mut s = format!(
        "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
        d.from, d.to, d.subject
    );
    if !d.cc.is_empty() {
        s.push_str(&format!("Cc: {}\r\n", d.cc));
    }
    if !d.in_reply_to.is_empty() {
        s.push_str(&format!(
            "In-Reply-To: <{0}>\r\nReferences: <{0}>\r\n",
            d.in_reply_to
        ));
    }
    s.push_str(d.headers);
    s.push_str("\r\n");
    s.push_str(&d.body.replace('\n', "\r\n"));
    s.push_str("\r\n");
    s
}

/// Seeds the demo's mail.
pub async fn seed(state: &AppState, org: OrgId) -> Result<(), ApiError> {
    let sys = Caller::System("demo".into());
    let now = Timestamp::now();
    // Screening first, so the mail arrives into a mailbox that knows its VIPs and rules.
    // Known senders: the board director is a VIP; the airline, the newsletter
    // and the office's vendors were accepted long ago.
    for (owner, address, status) in [
        (LARS, "h.de.wit@example.org", "vip"),
        (LARS, "noreply@klm.example", "accepted"),
        (LARS, "news@freightweekly.example", "accepted"),
        (SOFIA, "facturen@koffieenco.example", "accepted"),
        (SOFIA, "anouk@sparkle-cleaning.example", "accepted"),
        (SOFIA, "orders@osd.example", "accepted"),
    ] {
        ops::screen(
            state,
            &sys,
            org,
            &SenderForm {
                person: Some(owner.into()),
                address: address.into(),
                status: status.into(),
            },
        )
        .await?;
    }
    for (field, value, category, office) in [
        ("from_domain", "freightweekly.example", Some("newsletter"), None),
        ("subject_contains", "invoice", None, Some("invoice")),
    ] {
        ops::add_rule(
            state,
            &sys,
            org,
            &RuleForm {
                person: Some("org".into()),
                field: field.into(),
                value: value.into(),
                category: category.map(String::from),
                office: office.map(String::from),
            },
        )
        .await?;
    }
    for (name, subject, body) in [
        (
            "Decline politely",
            "Re: {{subject}}",
            "Dear {{first_name}},\n\nThank you for thinking of us. Lars's calendar is full until the end of \
             the quarter, so he has to decline for now.\n\nKind regards,\n{{my_name}}",
        ),
        (
            "Gentle nudge",
            "Re: {{subject}}",
            "Hi {{first_name}},\n\nJust checking in on my note below. Is there anything you need from us?\n\n\
             Best,\n{{my_name}}",
        ),
    ] {
        ops::put_template(
            state,
            &sys,
            org,
            &TemplateForm {
                name: name.into(),
                subject: subject.into(),
                body: body.into(),
            },
        )
        .await?;
    }
    let list = messages();
    for (n, d) in list.iter().enumerate() {
        let text = raw(d, now, n);
        let report = ops::import(state, &sys, org, Some(d.owner), "demo.eml", text.as_bytes()).await?;
        if let Some(r) = report.rejected.first() {
            tracing::warn!(item = %r.item, reason = %r.reason, "a demo message was refused");
        }
    }
    // Maya drafts Lars's answer to Henk; it waits for his approval.
    let inbox = ops::list(
        state,
        &sys,
        org,
        &MailQuery {
            person: Some(LARS.into()),
            view: Some("inbox".into()),
            ..MailQuery::default()
        },
    )
    .await?;
    if let Some(henk) = inbox.iter().find(|m| m.from == "h.de.wit@example.org")
        && let Ok(henk_id) = henk.id.parse::<MailId>()
    {
        let maya = state.store.person_by_email(org, "maya@northwind.example").await?;
        let lars = state.store.person_by_email(org, LARS).await?;
        if let Some(mb) = state.store.mailbox_of(org, lars.id).await? {
            let ctx = AuditCtx {
                actor: Some(maya.id),
                actor_label: maya.name.clone(),
                on_behalf_of: Some(lars.id),
                now,
            };
            let content = DraftContent {
                to: vec!["h.de.wit@example.org".into()],
                cc: vec![],
                subject: "Re: Board pack: can you confirm the Q4 numbers by Thursday?".into(),
                body: "Henk,\n\nYes: the Q4 revenue came in at EUR 41.2M and the hiring plan is final. \
                       Maya will send both documents on Thursday morning.\n\nLars"
                    .into(),
            };
            state
                .store
                .mail_draft_create(
                    org,
                    mb.id,
                    &content,
                    Some(henk_id),
                    None,
                    DraftStatus::Pending,
                    &ctx,
                )
                .await?;
        }
    }
    // Address book entries from Lars's phone, as a vCard file.
    let cards = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pieter Vos\r\nN:Vos;Pieter;;;\r\nORG:Vos Shipping\r\n\
                 TITLE:Founder\r\nEMAIL;TYPE=WORK:pieter@vosshipping.example\r\nTEL;TYPE=CELL:+31 6 1234 5678\r\n\
                 NOTE:Northwind's first customer.\r\nEND:VCARD\r\n\
                 BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Tunde Bakare\r\nORG:Bakare Logistics\r\n\
                 EMAIL:tunde@bakarelogistics.example\r\nEND:VCARD\r\n";
    ops::import_vcards(state, &sys, org, Some(LARS), cards).await?;
    // Relationships: the board directors with a cadence; Adaeze is a stakeholder.
    for c in ops::contacts(state, &sys, org, Some(LARS)).await? {
        let form = match c.emails.first().map(String::as_str) {
            Some("h.de.wit@example.org") => Some((Some(30), Some(true), "Chairs the audit committee.")),
            Some("a.okoye@example.com") => Some((
                Some(3),
                Some(true),
                "Met at the October dinner; interested in the Lagos partnership.",
            )),
            Some("pieter@vosshipping.example") => Some((Some(60), Some(true), "Call around the new year.")),
            _ => None,
        };
        if let Some((cadence, stakeholder, notes)) = form
            && let Ok(id) = c.id.parse()
        {
            ops::update_contact(
                state,
                &sys,
                org,
                id,
                &ContactForm {
                    cadence_days: cadence,
                    stakeholder,
                    notes: Some(notes.into()),
                    ..ContactForm::default()
                },
            )
            .await?;
        }
    }
    Ok(())
}
