//! Sending through an SMTP relay, with calendar invitations (iMIP, RFC 6047).

/// The relay to send through.
#[derive(Clone)]
pub struct SmtpRelay {
    pub host: String,
    pub port: u16,
    /// `none` (loopback only), `starttls` or `tls`.
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
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
    #[error("the message could not be built: {0}")]
    Build(String),
    #[error("the relay refused or failed: {0}")]
    Relay(String),
}

/// Builds the RFC 5322 message; returns its Message-ID (no brackets) and bytes.
pub fn build(out: &Outgoing, domain: &str) -> Result<(String, Vec<u8>), SendError> {
    let _ = (out, domain);
    Err(SendError::Build("not implemented".into()))
}

/// Sends a built message to its recipients through `relay`.
pub async fn send(relay: &SmtpRelay, out: &Outgoing, raw: &[u8]) -> Result<(), SendError> {
    let _ = (relay, out, raw);
    Err(SendError::Relay("not implemented".into()))
}
