//! Sending through the in-memory SMTP sink: a plain reply and an invitation
//! arrive with the envelope and headers they were built with, and a relay
//! refusing a recipient is an error naming that recipient.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adjutant_server::mail::sink::Sink;
use adjutant_server::mail::smtp::{self, Outgoing, SendError, SmtpRelay};
use std::net::SocketAddr;
use std::time::Duration;

fn relay(addr: SocketAddr) -> SmtpRelay {
    SmtpRelay {
        host: addr.ip().to_string(),
        port: addr.port(),
        security: "none".into(),
        username: None,
        password: None,
    }
}

fn reply() -> Outgoing {
    Outgoing {
        from: "Ada Office <office@example.org>".into(),
        to: vec!["Bob <bob@example.net>".into()],
        cc: vec!["carol@example.net".into()],
        subject: "Re: Quarterly review".into(),
        text: "Thursday at 10 works — see you then.\n.\nA line with a dot above.".into(),
        in_reply_to: Some("q3-review@example.net".into()),
        references: vec!["q3-review@example.net".into()],
        calendar: None,
    }
}

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Adjutant//EN\r\nMETHOD:REQUEST\r\n\
BEGIN:VEVENT\r\nUID:review-1@example.org\r\nDTSTAMP:20261203T100000Z\r\n\
DTSTART:20261210T100000Z\r\nDTEND:20261210T110000Z\r\nSUMMARY:Quarterly review\r\n\
ORGANIZER:mailto:office@example.org\r\nATTENDEE;RSVP=TRUE:mailto:bob@example.net\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

/// The header block of a message, unfolded.
fn headers(raw: &str) -> String {
    let head = raw.split("\r\n\r\n").next().unwrap_or_default();
    head.replace("\r\n ", " ").replace("\r\n\t", " ")
}

#[tokio::test]
async fn a_plain_reply_arrives_as_built() {
    let (sink, addr) = Sink::start().await.unwrap();
    let out = reply();
    let (id, raw) = smtp::build(&out, "example.org").unwrap();
    smtp::send(&relay(addr), &out, &raw).await.unwrap();
    let got = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.from, "office@example.org");
    assert_eq!(m.to, vec!["bob@example.net", "carol@example.net"]);
    // Dot-stuffing undone: what arrived is what was built (lettre ends DATA
    // with CRLF . CRLF after the message's own last line end, adding one).
    assert_eq!(m.raw.strip_suffix(b"\r\n").unwrap_or(&m.raw), raw.as_slice());
    let text = String::from_utf8(m.raw.clone()).unwrap();
    let h = headers(&text);
    assert!(h.contains(&format!("Message-ID: <{id}>")), "{h}");
    assert!(h.contains("In-Reply-To: <q3-review@example.net>"), "{h}");
    assert!(h.contains("References: <q3-review@example.net>"), "{h}");
    assert!(h.contains("Subject: Re: Quarterly review"), "{h}");
    assert!(h.contains("Content-Type: text/plain; charset=utf-8"), "{h}");
}

#[tokio::test]
async fn an_invitation_carries_its_calendar_part() {
    let (sink, addr) = Sink::start().await.unwrap();
    let mut out = reply();
    out.subject = "Invitation: Quarterly review".into();
    out.in_reply_to = None;
    out.references = vec![];
    out.calendar = Some(("REQUEST".into(), ICS.into()));
    let (_, raw) = smtp::build(&out, "example.org").unwrap();
    smtp::send(&relay(addr), &out, &raw).await.unwrap();
    let got = sink.wait_for(1, Duration::from_secs(10)).await;
    let text = String::from_utf8(got[0].raw.clone()).unwrap();
    let h = headers(&text);
    assert!(h.contains("Content-Type: multipart/mixed"), "{h}");
    // multipart/mixed ⊃ multipart/alternative (text/plain, text/calendar) + invite.ics.
    let alternative = text.find("multipart/alternative").unwrap();
    let plain = text.find("Content-Type: text/plain").unwrap();
    let calendar = text
        .to_ascii_lowercase()
        // Charset names are case-insensitive; the MIME writer spells it in lower case.
        .find("content-type: text/calendar; method=request; charset=utf-8")
        .unwrap_or_else(|| panic!("{text}"));
    let attachment = text.find("Content-Type: application/ics").unwrap();
    assert!(
        alternative < plain && plain < calendar && calendar < attachment,
        "{text}"
    );
    assert!(
        text[calendar..].starts_with("Content-Type: text/calendar; method=REQUEST;"),
        "{text}"
    );
    assert!(text.contains("invite.ics"), "{text}");
    // The calendar part decodes to the .ics (whatever transfer encoding was chosen).
    let part = &text[calendar..attachment];
    let body = part.split("\r\n\r\n").nth(1).unwrap_or_default();
    let body = body.split("\r\n--").next().unwrap_or_default();
    let decoded = if part.contains("Content-Transfer-Encoding: base64") {
        String::from_utf8(
            data_encoding::BASE64
                .decode(body.replace("\r\n", "").as_bytes())
                .unwrap(),
        )
        .unwrap()
    } else {
        body.to_string()
    };
    assert!(decoded.contains("METHOD:REQUEST"), "{decoded}");
    assert!(decoded.contains("UID:review-1@example.org"), "{decoded}");
}

#[tokio::test]
async fn a_refused_recipient_is_named() {
    let (sink, addr) = Sink::start_refusing(vec!["carol@example.net".into()])
        .await
        .unwrap();
    let out = reply();
    let (_, raw) = smtp::build(&out, "example.org").unwrap();
    let e = smtp::send(&relay(addr), &out, &raw).await.unwrap_err();
    assert!(matches!(e, SendError::Relay(_)), "{e:?}");
    assert!(e.to_string().contains("carol@example.net"), "{e}");
    assert!(sink.messages().is_empty());

    // Nothing listening: a relay error too, not a hang.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let e = smtp::send(&relay(closed), &out, &raw).await.unwrap_err();
    assert!(matches!(e, SendError::Relay(_)), "{e:?}");
}
