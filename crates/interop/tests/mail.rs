//! Mail through the public surface: golden files of messages (each
//! `fixtures/mail/NAME.eml` with its `NAME.expected.json`; run with
//! `UPDATE_EXPECT=1` to rewrite them), refused bytes, limits, attachments on
//! demand, mbox streaming (a few hundred MB generated, never held), the
//! triage signals, and the labelled set read end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use adjutant_core::mail::screen::SenderStatus;
use adjutant_core::mail::triage::{self, Category, Context};
use adjutant_interop::mail::{
    self, MAX_MESSAGE_BYTES, MailError, MboxItem, MboxReader, Owner, ParsedMessage,
};
use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail")
}

fn raw(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

/// Parses `NAME.eml` and compares it with `NAME.expected.json`.
fn check(name: &str) -> ParsedMessage {
    let file = format!("{name}.eml");
    let msg = mail::parse(&raw(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let got = serde_json::to_string_pretty(&msg).unwrap() + "\n";
    let path = fixtures().join(format!("{name}.expected.json"));
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &got).unwrap();
    } else {
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            got == want,
            "{file} read differently from {name}.expected.json (UPDATE_EXPECT=1 rewrites it):\n{got}"
        );
    }
    msg
}

fn owner_addresses() -> Vec<String> {
    vec!["lena@northwind.example".to_string()]
}

#[test]
fn multipart_alternative_quoted_printable() {
    let m = check("alternative-qp");
    assert_eq!(
        m.message_id.as_deref(),
        Some("CAJ7x1=board-deck-114@mail.acme.example")
    );
    assert_eq!(m.subject, "Board deck – slide 4 numbers");
    let from = m.from.as_ref().unwrap();
    assert_eq!(from.email, "anna.berg@acme.example");
    assert_eq!(from.name.as_deref(), Some("Anna Berg"));
    assert_eq!(m.date.unwrap().to_string(), "2026-12-01T08:14:03Z");
    assert!(m.text.contains("Thursday’s board meeting?"));
    assert!(m.text.contains("€4.2m"));
    let html = m.html.as_deref().unwrap();
    assert!(!html.contains("tracker.example"), "{html}");
    assert!(!html.contains("script"), "{html}");
    assert!(html.contains(r#"rel="noopener noreferrer""#), "{html}");
    assert_eq!(m.recipient_count, 2);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn charsets() {
    let m = check("latin1");
    assert_eq!(m.subject, "Grüße aus Köln");
    assert_eq!(m.from.unwrap().name.as_deref(), Some("Jürgen Müller"));
    assert!(m.text.contains("Büro kommen nächste Woche"));
    let m = check("windows1252");
    assert!(
        m.text
            .contains("Here’s the quote you asked for – 40 chairs at €189"),
        "{}",
        m.text
    );
    assert!(m.text.contains("“Best price this year,”"));
    let m = check("unknown-charset");
    assert!(
        m.text
            .contains("Occupancy this week: 74% (caf\u{fffd} closed Friday)."),
        "{}",
        m.text
    );
    assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    assert!(m.warnings[0].contains("x-mac-klingon"), "{:?}", m.warnings);
}

#[test]
fn attachments_are_listed_and_read_on_demand() {
    let m = check("attachment-base64");
    let pdf = raw("attachment-base64.pdf");
    assert_eq!(m.attachments.len(), 1);
    let a = &m.attachments[0];
    assert_eq!(a.filename, "invoice-2026-114.pdf");
    assert_eq!(a.content_type, "application/pdf");
    assert_eq!(a.size, pdf.len());
    assert!(m.text.contains("Amount due: EUR 1,240.00"));
    let (meta, content) = mail::attachment(&raw("attachment-base64.eml"), 0).unwrap();
    assert_eq!(&meta, a);
    assert_eq!(content, pdf);
    assert!(mail::attachment(&raw("attachment-base64.eml"), 1).is_none());
}

#[test]
fn reply_thread_and_signals() {
    let m = check("reply-thread");
    assert_eq!(m.in_reply_to, vec!["lena-offsite-3@northwind.example"]);
    assert_eq!(
        m.references,
        vec![
            "lena-offsite-1@northwind.example",
            "lena-offsite-2@northwind.example",
            "lena-offsite-3@northwind.example"
        ]
    );
    let addresses = owner_addresses();
    let sent: HashSet<String> = ["lena-offsite-2@northwind.example".to_string()].into();
    let s = mail::signals(
        &m,
        &Owner {
            addresses: &addresses,
            sent_ids: &sent,
        },
    );
    assert!(s.to_me && !s.cc_me && s.reply_to_ours && !s.reply_to_differs && !s.bulk);
    assert_eq!(s.from, "li@partner.example");
    assert_eq!(s.from_name, "Li Wei");
    let t = triage::triage(&s, &Context::default());
    // A reply to us with no new question: the turn is ours (the quoted question does not count).
    assert_eq!(t.category, Category::Reply);
    assert!(t.reasons.iter().any(|r| r.code == "reply_to_ours"));
}

#[test]
fn newsletter_and_autoreply() {
    let m = check("newsletter");
    assert!(m.bulk);
    assert!(m.text.contains("This week in funding"), "{}", m.text);
    let html = m.html.as_deref().unwrap();
    assert!(!html.contains("pixel.gif") && !html.contains("bg.png"), "{html}");
    assert!(html.contains("data:image/png"), "{html}");
    let addresses = owner_addresses();
    let sent = HashSet::new();
    let owner = Owner {
        addresses: &addresses,
        sent_ids: &sent,
    };
    let t = triage::triage(&mail::signals(&m, &owner), &Context::default());
    assert_eq!(t.category, Category::Newsletter);
    let m = check("autoreply");
    assert!(m.auto_submitted && !m.bulk);
    let t = triage::triage(&mail::signals(&m, &owner), &Context::default());
    assert_eq!(t.category, Category::Fyi);
    let m = check("group-and-crlf.crlf");
    assert!(!m.auto_submitted);
    let to: Vec<&str> = m.to.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(to, ["lena@northwind.example", "tom@northwind.example"]);
    assert!(mail::signals(&m, &owner).to_me);
}

#[test]
fn truncated_messages_keep_what_arrived() {
    let m = check("truncated-multipart");
    assert!(m.text.contains("Here are the first photos."));
    assert!(
        m.warnings
            .iter()
            .any(|w| w.contains("no closing boundary `--cut-here--`")),
        "{:?}",
        m.warnings
    );
    let m = check("truncated-header");
    assert_eq!(m.subject, "Lunch on Fri");
    assert!(
        m.warnings.iter().any(|w| w.contains("not ended by a blank line")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn what_is_not_a_message_is_refused_with_a_reason() {
    let e = mail::parse(&raw("junk.bin")).unwrap_err();
    assert!(
        matches!(&e, MailError::Malformed(r) if r.starts_with("binary data")),
        "{e}"
    );
    let e = mail::parse(&raw("not-a-message.txt")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a mail message: no header field: the first line is not `Name: value` (it begins “Dear Lena,”)"
    );
    assert_eq!(mail::parse(b""), Err(MailError::Empty));
}

#[test]
fn a_message_over_25_mib_is_refused() {
    // A 100 MB attachment, generated.
    let mut m = b"From: a@x.example\r\nTo: lena@northwind.example\r\nSubject: big\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    m.resize(100 * 1024 * 1024, b'A');
    assert_eq!(
        mail::parse(&m),
        Err(MailError::TooLarge {
            size: 100 * 1024 * 1024,
            max: MAX_MESSAGE_BYTES
        })
    );
}

#[test]
fn ten_thousand_recipients_keep_the_first_200() {
    let mut m = String::from("From: all-staff@bigcorp.example\r\nTo: ");
    for i in 0..9_989 {
        m.push_str(&format!("Person {i} <p{i}@bigcorp.example>,\r\n "));
    }
    m.push_str("last@bigcorp.example\r\nCc: ");
    for i in 0..9 {
        m.push_str(&format!("c{i}@bigcorp.example, "));
    }
    m.push_str("lena@northwind.example\r\nSubject: Town hall\r\n\r\nSee you there.\r\n");
    let p = mail::parse(m.as_bytes()).unwrap();
    assert_eq!(p.recipient_count, 10_000);
    assert_eq!(p.to.len(), 200);
    assert!(p.cc.is_empty());
    assert_eq!(p.to[0].email, "p0@bigcorp.example");
    assert_eq!(
        p.warnings,
        vec!["10000 recipients; the first 200 kept".to_string()]
    );
}

#[test]
fn mbox_entries_separators_and_quoting() {
    let items: Vec<MboxItem> = MboxReader::new(&raw("archive.mbox")[..]).collect();
    let summary: Vec<String> = items
        .iter()
        .map(|i| match i {
            MboxItem::Message { number, line, raw } => match mail::parse(raw) {
                Ok(m) => format!("{number}@{line}: {}", m.subject),
                Err(e) => format!("{number}@{line}: {e}"),
            },
            MboxItem::Rejected { number, line, reason } => format!("{number}@{line}: rejected: {reason}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "1@1: rejected: lines 1–3 are not a message: an mbox file starts with a `From ` line",
            "2@4: One",
            "3@13: Two",
            "4@22: Three",
            "5@30: not a mail message: no header field: the first line is not `Name: value` (it begins “starts an entry that has no header field”)",
            "6@33: Five",
        ],
        "{summary:#?}"
    );
    let MboxItem::Message { raw: one, .. } = &items[1] else {
        panic!()
    };
    let one = mail::parse(one).unwrap();
    assert_eq!(
        one.text,
        "From the desk of Anna: the first line is quoted in the file.\n>From here on, twice quoted.\n"
    );
    let MboxItem::Message { raw: two, .. } = &items[2] else {
        panic!()
    };
    assert!(String::from_utf8_lossy(two).contains("\nFrom a line that does not follow a blank line"));
}

/// Generates an mbox of `small` messages, then one message of `huge` bytes,
/// then `small` more, without ever holding it.
struct Generated {
    parts: Vec<(Vec<u8>, u64)>,
    part: usize,
    offset: u64,
}

impl Generated {
    fn new(small: usize, huge: u64) -> Self {
        let msg = |i: usize| {
            format!(
                "From sender{i}@x.example Thu Dec  3 10:00:00 2026\nFrom: s{i}@x.example\nTo: lena@northwind.example\nSubject: message {i}\n\nHello {i}.\n\n"
            )
            .into_bytes()
        };
        let mut parts: Vec<(Vec<u8>, u64)> = (0..small).map(|i| (msg(i), 1)).collect();
        parts.push((
            b"From big@x.example Thu Dec  3 10:00:00 2026\nFrom: big@x.example\nSubject: huge\nContent-Type: application/octet-stream\n\n".to_vec(),
            1,
        ));
        // The body: lines of 76 base64 characters, repeated.
        let line = [b"QUJD".repeat(19), b"\n".to_vec()].concat();
        let lines = huge / line.len() as u64;
        parts.push((line, lines));
        parts.push((b"\n".to_vec(), 1));
        parts.extend((small..2 * small).map(|i| (msg(i), 1)));
        Self {
            parts,
            part: 0,
            offset: 0,
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let Some((bytes, times)) = self.parts.get(self.part) else {
                break;
            };
            let total = bytes.len() as u64 * times;
            if self.offset >= total {
                self.part += 1;
                self.offset = 0;
                continue;
            }
            let at = (self.offset % bytes.len() as u64) as usize;
            let take = (bytes.len() - at).min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&bytes[at..at + take]);
            n += take;
            self.offset += take as u64;
        }
        Ok(n)
    }
}

#[test]
fn mbox_streams_a_huge_file_without_holding_it() {
    let huge = 300 * 1024 * 1024;
    let mut reader = MboxReader::new(BufReader::with_capacity(64 * 1024, Generated::new(3, huge)));
    let mut seen = Vec::new();
    let mut largest_kept = 0;
    for item in reader.by_ref() {
        match item {
            MboxItem::Message { number, raw, .. } => {
                largest_kept = largest_kept.max(raw.capacity());
                seen.push(format!("{number} ok"));
            }
            MboxItem::Rejected { number, reason, .. } => seen.push(format!("{number}: {reason}")),
        }
    }
    let body = (huge / 77) * 77;
    let big_size = "From: big@x.example\nSubject: huge\nContent-Type: application/octet-stream\n\n".len()
        as u64
        + body
        + 1;
    assert_eq!(
        seen,
        [
            "1 ok".to_string(),
            "2 ok".into(),
            "3 ok".into(),
            format!("4: message 4 at line 22 is {big_size} bytes; the largest accepted is 25 MiB"),
            "5 ok".into(),
            "6 ok".into(),
            "7 ok".into(),
        ]
    );
    assert!(largest_kept < 4096, "{largest_kept}");
    assert!(reader.bytes_read() > huge);
}

#[test]
fn the_labelled_set_reads_whole() {
    let mut counts = std::collections::BTreeMap::new();
    for item in MboxReader::new(&raw("labelled.mbox")[..]) {
        let MboxItem::Message { raw, number, .. } = item else {
            panic!("{item:?}")
        };
        let m = mail::parse(&raw).unwrap_or_else(|e| panic!("message {number}: {e}"));
        let label = String::from_utf8_lossy(&raw)
            .lines()
            .find_map(|l| l.strip_prefix("X-Adjutant-Label: ").map(str::to_string))
            .unwrap_or_else(|| panic!("message {number} has no label"));
        let c: Category = label.parse().unwrap();
        assert!(m.warnings.is_empty(), "message {number}: {:?}", m.warnings);
        *counts.entry(c).or_insert(0) += 1;
    }
    assert_eq!(counts.len(), 7, "{counts:?}");
    assert!(counts.values().all(|n| *n >= 12), "{counts:?}");
}

#[test]
fn signals_know_the_sender_status_is_the_stores() {
    let m = check("alternative-qp");
    let addresses = owner_addresses();
    let sent = HashSet::new();
    let s = mail::signals(
        &m,
        &Owner {
            addresses: &addresses,
            sent_ids: &sent,
        },
    );
    assert_eq!(s.sender, SenderStatus::Unknown);
    assert!(!s.met_recently);
    assert_eq!(s.recipients, 2);
    assert_eq!(triage::triage(&s, &Context::default()).category, Category::Reply);
}
