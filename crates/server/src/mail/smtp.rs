//! Sending through an SMTP relay, with calendar invitations (iMIP, RFC 6047).
//!
//! [`build`] makes the RFC 5322 message (text/plain UTF-8; with an iTIP object,
//! the RFC 6047 shape: `multipart/mixed` holding a `multipart/alternative` of
//! the text and the `text/calendar` part, plus the same object as an
//! `invite.ics` attachment for clients that only look at attachments). [`send`]
//! hands the built bytes to the relay with lettre, so what is sent is exactly
//! what was built and can be stored as such.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one exchange with the relay may take.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// The relay to send through.
#[derive(Clone)]
pub struct SmtpRelay {
    /// The relay's host name (also the name its TLS certificate must carry).
    pub host: String,
    /// 25 or 587 for `starttls`, 465 for `tls`.
    pub port: u16,
    /// `none` (loopback only), `starttls` or `tls`.
    pub security: String,
    /// AUTH is used only when a user name is given.
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpRelay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// `Name <address>` or an address.
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    /// Message-IDs (without angle brackets) this answers.
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// An iTIP object (its METHOD and the .ics text) sent as an invitation.
    pub calendar: Option<(String, String)>,
}

/// Why sending failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// An address, header or the calendar part is not acceptable.
    #[error("the message could not be built: {0}")]
    Build(String),
    /// The relay could not be reached, refused, or failed (its own words).
    #[error("the relay refused or failed: {0}")]
    Relay(String),
}

/// Builds the RFC 5322 message; returns its Message-ID (no brackets) and bytes.
pub fn build(out: &Outgoing, domain: &str) -> Result<(String, Vec<u8>), SendError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| SendError::Build(format!("{what}: {e}"));
    let domain = domain.trim();
    if domain.is_empty()
        || domain
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == '@')
    {
        return Err(SendError::Build(format!(
            "`{domain}` is not a domain for a Message-ID"
        )));
    }
    if out.to.is_empty() && out.cc.is_empty() {
        return Err(SendError::Build("there is no recipient".into()));
    }
    let id = format!("{}@{domain}", uuid::Uuid::new_v4());
    let mut b = Message::builder()
        .from(mailbox(&out.from).map_err(|e| bad("from", &e))?)
        .subject(out.subject.clone())
        .message_id(Some(format!("<{id}>")))
        .date_now();
    for t in &out.to {
        b = b.to(mailbox(t).map_err(|e| bad("to", &e))?);
    }
    for c in &out.cc {
        b = b.cc(mailbox(c).map_err(|e| bad("cc", &e))?);
    }
    if let Some(r) = &out.in_reply_to {
        b = b.in_reply_to(format!("<{}>", message_id(r)?));
    }
    if !out.references.is_empty() {
        let refs = out
            .references
            .iter()
            .map(|r| message_id(r).map(|r| format!("<{r}>")))
            .collect::<Result<Vec<_>, _>>()?;
        b = b.references(refs.join(" "));
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(out.text.clone());
    let message = match &out.calendar {
        None => b.singlepart(text),
        Some((method, ics)) => {
            let method = method.trim().to_ascii_uppercase();
            if method.is_empty() || !method.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(SendError::Build(format!("`{method}` is not an iTIP method")));
            }
            let calendar_type = ContentType::parse(&format!("text/calendar; method={method}; charset=UTF-8"))
                .map_err(|e| bad("calendar content type", &e))?;
            let ics_type =
                ContentType::parse("application/ics").map_err(|e| bad("attachment content type", &e))?;
            let calendar = SinglePart::builder().header(calendar_type).body(ics.clone());
            let attachment = Attachment::new("invite.ics".to_string()).body(ics.clone(), ics_type);
            b.multipart(
                MultiPart::mixed()
                    .multipart(MultiPart::alternative().singlepart(text).singlepart(calendar))
                    .singlepart(attachment),
            )
        }
    }
    .map_err(|e| bad("message", &e))?;
    Ok((id, message.formatted()))
}

/// Sends a built message to its recipients through `relay`.
pub async fn send(relay: &SmtpRelay, out: &Outgoing, raw: &[u8]) -> Result<(), SendError> {
    let target = format!("{}:{}", relay.host, relay.port);
    let from = mailbox(&out.from)
        .map_err(|e| SendError::Build(format!("from: {e}")))?
        .email;
    let to = out
        .to
        .iter()
        .chain(&out.cc)
        .map(|a| mailbox(a).map(|m| m.email))
        .collect::<Result<Vec<Address>, _>>()
        .map_err(|e| SendError::Build(format!("recipient: {e}")))?;
    let envelope = lettre::address::Envelope::new(Some(from.clone()), to)
        .map_err(|e| SendError::Build(format!("envelope: {e}")))?;
    let tls = |host: &str| {
        TlsParameters::new(host.to_string()).map_err(|e| SendError::Relay(format!("{target}: TLS: {e}")))
    };
    let security = match relay.security.as_str() {
        "none" => Tls::None,
        "starttls" => Tls::Required(tls(&relay.host)?),
        "tls" => Tls::Wrapper(tls(&relay.host)?),
        other => {
            return Err(SendError::Relay(format!(
                "security `{other}` is not one of none, starttls, tls"
            )));
        }
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&relay.host)
        .port(relay.port)
        .tls(security)
        .timeout(Some(SEND_TIMEOUT))
        .hello_name(ClientId::Domain(from.domain().to_string()));
    if let Some(user) = &relay.username {
        transport = transport.credentials(Credentials::new(
            user.clone(),
            relay.password.clone().unwrap_or_default(),
        ));
    }
    let transport = transport.build();
    // lettre's timeout covers each read and write; this bounds the whole exchange.
    let whole = SEND_TIMEOUT * 4;
    match tokio::time::timeout(whole, transport.send_raw(&envelope, raw)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(SendError::Relay(format!("{target}: {}", describe(&e)))),
        Err(_) => Err(SendError::Relay(format!(
            "{target}: no answer within {} s",
            whole.as_secs()
        ))),
    }
}

/// A relay's error with its causes, which carry the server's words.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn mailbox(s: &str) -> Result<Mailbox, String> {
    s.trim()
        .parse::<Mailbox>()
        .map_err(|e| format!("`{}` is not an address: {e}", s.trim()))
}

/// A Message-ID as given, without brackets, checked to fit in a header.
fn message_id(s: &str) -> Result<&str, SendError> {
    let id = s.trim().trim_start_matches('<').trim_end_matches('>');
    if id.is_empty()
        || id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
    {
        return Err(SendError::Build(format!("`{s}` is not a Message-ID")));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn out() -> Outgoing {
        Outgoing {
            from: "Ada Office <ada@example.org>".into(),
            to: vec!["bob@example.org".into()],
            cc: vec![],
            subject: "Re: Lunch".into(),
            text: "Gern, um 12 Uhr.".into(),
            in_reply_to: Some("abc@example.org".into()),
            references: vec!["root@example.org".into(), "abc@example.org".into()],
            calendar: None,
        }
    }

    #[test]
    fn a_reply_has_its_threading_headers() {
        let (id, raw) = build(&out(), "example.org").unwrap();
        let text = String::from_utf8(raw).unwrap();
        assert!(id.ends_with("@example.org"), "{id}");
        assert!(text.contains(&format!("Message-ID: <{id}>")), "{text}");
        assert!(text.contains("In-Reply-To: <abc@example.org>"), "{text}");
        assert!(
            text.contains("References: <root@example.org> <abc@example.org>"),
            "{text}"
        );
        assert!(text.contains("text/plain; charset=utf-8"), "{text}");
    }

    #[test]
    fn bad_input_is_refused() {
        let mut o = out();
        o.to = vec!["not an address".into()];
        assert!(matches!(build(&o, "example.org"), Err(SendError::Build(_))));
        assert!(matches!(build(&out(), "bad domain"), Err(SendError::Build(_))));
    }
}
