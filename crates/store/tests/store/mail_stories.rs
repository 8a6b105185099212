//! Mail stories: a message stored once however often it arrives (also six
//! copies at once), threads joined by In-Reply-To, a reply settling the
//! follow-up it answers and waking what was snoozed until it came, senders
//! screened and blocked, classifiers updated only from the count they were
//! read at, drafts decided once when two approvals race, contacts made from
//! mail and merged, and organisation scoping.

use super::office_stories::futures_join_all;
use super::*;
use adjutant_core::mail::screen::{MailRule, RuleAction, RuleField, SenderStatus};
use adjutant_core::mail::triage::{Category, Reason, Triage};
use adjutant_store::mail::{
    DraftContent, DraftStatus, MailAddress, MailFilter, MailView, ModelRecord, NewContact, NewMail, Stored,
};

fn addr(e: &str) -> MailAddress {
    MailAddress {
        name: None,
        email: e.into(),
    }
}

fn triage(c: Category) -> Triage {
    Triage {
        category: c,
        priority: 50,
        reasons: vec![Reason {
            code: "to_me".into(),
            text: "Sent to you".into(),
            weight: 10,
        }],
        office: None,
    }
}

struct Msg {
    id: &'static str,
    reply_to: Option<&'static str>,
    from: &'static str,
    to: &'static str,
    sec: i64,
    out: bool,
}

async fn store_msg(s: &Store, org: OrgId, mb: &adjutant_store::mail::MailboxRecord, m: &Msg) -> Stored {
    let tr = triage(if m.out { Category::Waiting } else { Category::Read });
    let to = [addr(m.to)];
    let refs: Vec<String> = m.reply_to.iter().map(|r| r.to_string()).collect();
    s.mail_store(
        org,
        mb,
        &NewMail {
            message_id: Some(m.id),
            in_reply_to: m.reply_to,
            references: &refs,
            imap_uid: None,
            flags: &[],
            outgoing: m.out,
            from: addr(m.from),
            to: &to,
            cc: &[],
            recipient_count: 1,
            subject: "Proposal",
            sent_at: t(m.sec),
            text: "Here it is",
            html: None,
            attachments: &[],
            warnings: &[],
            raw: b"From: x\r\n\r\nbody",
            sha256: m.id,
            triage: &tr,
            makes_contacts: true,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn mail_is_stored_once_threaded_followed_up_and_screened() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let lars = add_person(
            s,
            org.id,
            "Lars",
            Some("lars@northwind.example"),
            Role::Principal,
            3,
        )
        .await;
        let maya = add_person(
            s,
            org.id,
            "Maya",
            Some("maya@northwind.example"),
            Role::Assistant,
            4,
        )
        .await;
        let mb = s
            .mailbox_ensure(org.id, lars.id, "lars@northwind.example", &cli(5))
            .await
            .unwrap();
        assert_eq!(
            s.mailbox_ensure(org.id, lars.id, "x@y.example", &cli(6))
                .await
                .unwrap()
                .id,
            mb.id
        );

        // Sent a week ago; six copies of the same arrival at once store one message.
        let sent = Msg {
            id: "p1@nw",
            reply_to: None,
            from: "lars@northwind.example",
            to: "olga@partner.example",
            sec: 100,
            out: true,
        };
        assert!(matches!(store_msg(s, org.id, &mb, &sent).await, Stored::New(_)));
        let reply = Msg {
            id: "r1@partner",
            reply_to: Some("p1@nw"),
            from: "olga@partner.example",
            to: "lars@northwind.example",
            sec: 100 + 86_400 * 6,
            out: false,
        };
        let results = futures_join_all((0..6).map(|_| store_msg(s, org.id, &mb, &reply))).await;
        let new = results.iter().filter(|r| matches!(r, Stored::New(_))).count();
        assert_eq!(new, 1, "{results:?}");

        // Before the reply, the follow-up was due; the reply settled it and joined the thread.
        let all = s
            .mail_list(
                org.id,
                mb.id,
                &MailFilter {
                    view: MailView::Sent,
                    ..Default::default()
                },
                t(0),
            )
            .await
            .unwrap();
        assert_eq!(all.len(), 1);
        assert!(all[0].followup_done);
        assert!(
            s.mail_followups_due(org.id, &mb, t(100 + 86_400 * 30))
                .await
                .unwrap()
                .is_empty()
        );
        let thread = s
            .mail_list(
                org.id,
                mb.id,
                &MailFilter {
                    view: MailView::Screening,
                    thread: Some(all[0].thread.clone()),
                    ..Default::default()
                },
                t(0),
            )
            .await
            .unwrap();
        assert_eq!(
            thread.len(),
            0,
            "Olga was written to, so she is accepted, not screened"
        );
        let inbox = s
            .mail_list(
                org.id,
                mb.id,
                &MailFilter {
                    view: MailView::Inbox,
                    thread: Some(all[0].thread.clone()),
                    ..Default::default()
                },
                t(0),
            )
            .await
            .unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0].sender_status, SenderStatus::Accepted);

        // A message with no reply: due after the mailbox's three days, not before.
        let lone = Msg {
            id: "p2@nw",
            reply_to: None,
            from: "lars@northwind.example",
            to: "ben@partner.example",
            sec: 1_000,
            out: true,
        };
        store_msg(s, org.id, &mb, &lone).await;
        assert!(
            s.mail_followups_due(org.id, &mb, t(1_000 + 86_400 * 2))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.mail_followups_due(org.id, &mb, t(1_000 + 86_400 * 3))
                .await
                .unwrap()
                .len(),
            1
        );

        // A first-time sender waits in screening; blocking archives their mail as suspect.
        let spam = Msg {
            id: "s1@spam",
            reply_to: None,
            from: "win@prize.example",
            to: "lars@northwind.example",
            sec: 2_000,
            out: false,
        };
        let Stored::New(spam_id) = store_msg(s, org.id, &mb, &spam).await else {
            panic!()
        };
        let screening = s
            .mail_list(
                org.id,
                mb.id,
                &MailFilter {
                    view: MailView::Screening,
                    ..Default::default()
                },
                t(0),
            )
            .await
            .unwrap();
        assert_eq!(screening.iter().map(|m| m.id).collect::<Vec<_>>(), [spam_id]);
        s.mail_sender_set(
            org.id,
            mb.id,
            "WIN@prize.example",
            SenderStatus::Blocked,
            &by(&lars, 2_100),
        )
        .await
        .unwrap();
        let m = s.mail_get(org.id, spam_id).await.unwrap();
        assert!(m.archived && m.category == Category::Suspect);
        assert_eq!(m.sender_status, SenderStatus::Blocked);

        // Snoozed until a reply: hidden until one comes.
        let ask = Msg {
            id: "a1@nw",
            reply_to: None,
            from: "maya@northwind.example",
            to: "lars@northwind.example",
            sec: 3_000,
            out: false,
        };
        let Stored::New(ask_id) = store_msg(s, org.id, &mb, &ask).await else {
            panic!()
        };
        s.mail_set_state(org.id, ask_id, false, None, true, &by(&lars, 3_100))
            .await
            .unwrap();
        let snoozed = s
            .mail_list(
                org.id,
                mb.id,
                &MailFilter {
                    view: MailView::Snoozed,
                    ..Default::default()
                },
                t(3_200),
            )
            .await
            .unwrap();
        assert_eq!(snoozed.len(), 1);
        let answer = Msg {
            id: "a2@nw",
            reply_to: Some("a1@nw"),
            from: "maya@northwind.example",
            to: "lars@northwind.example",
            sec: 3_300,
            out: false,
        };
        store_msg(s, org.id, &mb, &answer).await;
        let woke = s.mail_get(org.id, ask_id).await.unwrap();
        assert!(!woke.snooze_until_reply && woke.snoozed_until.is_none());

        // A correction updates the classifiers only from the count they were read at.
        let model = |n| ModelRecord {
            scope: "org".into(),
            model: format!("{{\"n\":{n}}}"),
            examples: n,
        };
        s.mail_correct(
            org.id,
            ask_id,
            Some(Category::Act),
            &[(model(1), 0)],
            &by(&lars, 4_000),
        )
        .await
        .unwrap();
        let stale = s
            .mail_correct(
                org.id,
                ask_id,
                Some(Category::Reply),
                &[(model(1), 0)],
                &by(&lars, 4_001),
            )
            .await;
        assert_err!(stale, StoreError::Conflict(_));
        assert_eq!(
            s.mail_get(org.id, ask_id).await.unwrap().category,
            Category::Act,
            "nothing half-written"
        );
        s.mail_correct(
            org.id,
            ask_id,
            Some(Category::Reply),
            &[(model(2), 1)],
            &by(&lars, 4_002),
        )
        .await
        .unwrap();
        assert_eq!(s.mail_model(org.id, "org").await.unwrap().unwrap().examples, 2);

        // Rules: the organisation's first, then the mailbox's.
        let r = MailRule::new(
            RuleField::FromDomain,
            "prize.example",
            RuleAction::Category(Category::Suspect),
        )
        .unwrap();
        s.mail_rule_create(org.id, Some(mb.id), &r, &by(&lars, 5_000))
            .await
            .unwrap();
        let r2 = MailRule::new(
            RuleField::SubjectContains,
            "invoice",
            RuleAction::Category(Category::Act),
        )
        .unwrap();
        s.mail_rule_create(org.id, None, &r2, &cli(5_001)).await.unwrap();
        let rules = s.mail_rules(org.id, Some(mb.id)).await.unwrap();
        assert_eq!(
            rules.iter().map(|r| r.mailbox.is_some()).collect::<Vec<_>>(),
            [false, true]
        );
        assert!(s.mail_rules(other.id, Some(mb.id)).await.unwrap().is_empty());

        // Two approvals of one pending draft at once: exactly one moves it.
        let content = DraftContent {
            to: vec!["olga@partner.example".into()],
            cc: vec![],
            subject: "Re: Proposal".into(),
            body: "Thanks".into(),
        };
        let d = s
            .mail_draft_create(
                org.id,
                mb.id,
                &content,
                None,
                None,
                DraftStatus::Pending,
                &for_(&maya, &lars, 6_000),
            )
            .await
            .unwrap();
        assert_eq!(d.author, Some(maya.id));
        let ctxs: Vec<AuditCtx> = (0..4).map(|i| by(&lars, 6_100 + i)).collect();
        let races = futures_join_all(ctxs.iter().map(|ctx| {
            s.mail_draft_move(
                org.id,
                d.id,
                &[DraftStatus::Pending],
                DraftStatus::Sent,
                None,
                "",
                None,
                "",
                ctx,
            )
        }))
        .await;
        assert_eq!(races.iter().filter(|r| r.is_ok()).count(), 1);
        for r in races.into_iter().filter(|r| r.is_err()) {
            assert_err!(r, StoreError::Conflict(_));
        }
        assert_eq!(count_action(s, org.id, "mail.draft.sent").await, 1);

        // Contacts came from mail; a vCard fills one in; two merge into one.
        let contacts = s.contacts(org.id, lars.id).await.unwrap();
        let olga = contacts
            .iter()
            .find(|c| c.emails == ["olga@partner.example"])
            .unwrap();
        assert!(olga.last_in_at.is_some() && olga.last_out_at.is_some());
        let (created, updated) = s
            .contacts_import(
                org.id,
                lars.id,
                &[
                    NewContact {
                        name: "Olga Petrova".into(),
                        emails: vec!["olga@partner.example".into()],
                        organization: "Partner BV".into(),
                        ..Default::default()
                    },
                    NewContact {
                        name: "Olga (private)".into(),
                        emails: vec!["olga@home.example".into()],
                        ..Default::default()
                    },
                ],
                &by(&lars, 7_000),
            )
            .await
            .unwrap();
        assert_eq!((created, updated), (1, 1));
        let all = s.contacts(org.id, lars.id).await.unwrap();
        let work = all.iter().find(|c| c.name == "Olga Petrova").unwrap();
        let home = all.iter().find(|c| c.name == "Olga (private)").unwrap();
        let merged = s
            .contact_merge(org.id, work.id, home.id, &by(&lars, 7_100))
            .await
            .unwrap();
        assert_eq!(merged.emails, ["olga@home.example", "olga@partner.example"]);
        assert_eq!(merged.organization, "Partner BV");
        assert_err!(s.contact_get(org.id, home.id).await, StoreError::NotFound(_));
        assert_err!(s.contact_get(other.id, work.id).await, StoreError::NotFound(_));
        assert_err!(s.mail_get(other.id, ask_id).await, StoreError::NotFound(_));
    })
    .await;
}

#[tokio::test]
async fn a_message_becomes_one_invoice_even_when_two_record_it_at_once() {
    use adjutant_core::office::invoice::{InvoiceData, InvoiceLine};
    use adjutant_core::office::money::{Currency, Money};
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(
            s,
            org.id,
            "Sofia",
            Some("sofia@northwind.example"),
            Role::OfficeManager,
            3,
        )
        .await;
        let mb = s
            .mailbox_ensure(org.id, sofia.id, "sofia@northwind.example", &cli(4))
            .await
            .unwrap();
        let Stored::New(mail) = store_msg(
            s,
            org.id,
            &mb,
            &Msg {
                id: "inv-1@kroon.example",
                reply_to: None,
                from: "billing@kroon.example",
                to: "sofia@northwind.example",
                sec: 10,
                out: false,
            },
        )
        .await
        else {
            panic!("stored before")
        };
        let vendor = s
            .vendor_create(org.id, &super::office_stories::vendor("Kroon"), &cli(5))
            .await
            .unwrap();
        let data = |number: &str| InvoiceData {
            vendor: vendor.id,
            number: number.into(),
            issued_on: jiff::civil::date(2026, 12, 1),
            due_on: jiff::civil::date(2026, 12, 15),
            currency: Currency::eur(),
            lines: vec![InvoiceLine {
                description: "Cleaning".into(),
                quantity: 1,
                unit_price: Money::new(145_000, Currency::eur()),
                vat_bp: 0,
            }],
            purchase: None,
            contract: None,
            category: String::new(),
            notes: String::new(),
        };
        // Not this organisation's message: not found, nothing registered.
        assert_err!(
            s.mail_record_invoice(other.id, mail, &data("X-1"), None, "cli", &cli(6))
                .await,
            StoreError::NotFound(_)
        );
        assert!(s.invoice_list(org.id).await.unwrap().is_empty());
        // Three recordings at once: one invoice, and the message names it.
        let ctxs: Vec<AuditCtx> = (0..3).map(|i| by(&sofia, 100 + i)).collect();
        let datas: Vec<InvoiceData> = (0..3).map(|i| data(&format!("KR-{i}"))).collect();
        let races = futures_join_all(
            ctxs.iter()
                .zip(&datas)
                .map(|(ctx, d)| s.mail_record_invoice(org.id, mail, d, Some(sofia.id), "Sofia", ctx)),
        )
        .await;
        assert_eq!(races.iter().filter(|r| r.is_ok()).count(), 1);
        for r in races.iter().filter(|r| r.is_err()) {
            assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
        }
        let (linked, invoice) = races.into_iter().find_map(Result::ok).unwrap();
        assert_eq!(linked.invoice, Some(invoice));
        assert_eq!(s.mail_get(org.id, mail).await.unwrap().invoice, Some(invoice));
        let all = s.invoice_list(org.id).await.unwrap();
        assert_eq!(all.iter().map(|i| i.id).collect::<Vec<_>>(), [invoice]);
        assert_eq!(count_action(s, org.id, "mail.invoice").await, 1);
        assert_eq!(count_action(s, org.id, "invoice.create").await, 1);
    })
    .await;
}
