//! Mail messages (RFC 5322 / MIME): parsing one message into what Adjutant
//! keeps of it, reading mbox archives as a stream, the signals triage needs,
//! and HTML made safe to display.

use adjutant_core::mail::triage::Signals;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The largest message accepted: 25 MiB, what the big providers take.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;
/// The most recipients (To and Cc) kept of one message; the count is kept whole.
pub const MAX_RECIPIENTS_KEPT: usize = 200;

/// A name and an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The display name, if any.
    pub name: Option<String>,
    /// The address, lower case.
    pub email: String,
}

/// An attachment's metadata; the content is read from the raw message on demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    /// Its index among the message's attachments, for [`attachment`].
    pub index: usize,
    pub filename: String,
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// What Adjutant keeps of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedMessage {
    /// `Message-ID` without angle brackets, if the message has one.
    pub message_id: Option<String>,
    /// `In-Reply-To`, without angle brackets.
    pub in_reply_to: Vec<String>,
    /// `References`, without angle brackets, oldest first.
    pub references: Vec<String>,
    pub from: Option<Address>,
    pub reply_to: Option<Address>,
    /// At most [`MAX_RECIPIENTS_KEPT`] of To, then Cc.
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    /// To and Cc counted in full.
    pub recipient_count: usize,
    /// Decoded subject ("" when none).
    pub subject: String,
    /// `Date`, if present and readable.
    pub date: Option<Timestamp>,
    /// The plain-text body (from the text part, or the HTML part made text).
    pub text: String,
    /// The HTML body, sanitised for display (no script, no remote content), if any.
    pub html: Option<String>,
    pub attachments: Vec<AttachmentMeta>,
    /// `List-Unsubscribe`, `List-Id` or `Precedence: bulk|list|junk`.
    pub bulk: bool,
    /// `Auto-Submitted` present and not `no`.
    pub auto_submitted: bool,
    /// What was odd but not fatal: an unknown charset read as UTF-8, recipients cut, …
    pub warnings: Vec<String>,
}

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("the message is empty")]
    Empty,
    #[error("the message is {size} bytes; the largest accepted is {max} bytes (25 MiB)")]
    TooLarge { size: usize, max: usize },
    #[error("not a mail message: {0}")]
    Malformed(String),
}

/// Parses one message (the raw bytes of a `.eml` file or an mbox entry).
pub fn parse(raw: &[u8]) -> Result<ParsedMessage, MailError> {
    if raw.is_empty() {
        return Err(MailError::Empty);
    }
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(MailError::TooLarge {
            size: raw.len(),
            max: MAX_MESSAGE_BYTES,
        });
    }
    Err(MailError::Malformed("not implemented".into()))
}

/// One attachment's metadata and content, read from the raw message.
pub fn attachment(_raw: &[u8], _index: usize) -> Option<(AttachmentMeta, Vec<u8>)> {
    None
}

/// What triage needs to know of the mailbox's owner and the sender.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    /// The owner's addresses, lower case.
    pub addresses: &'a [String],
    /// Message-IDs the owner sent (for "a reply to something we sent").
    pub sent_ids: &'a std::collections::HashSet<String>,
}

/// The triage signals of a parsed message; the caller then fills in what the
/// store knows (`sender`, `met_recently`, and `reply_to_ours` if it has no set of ids).
pub fn signals(msg: &ParsedMessage, owner: &Owner<'_>) -> Signals {
    let _ = (msg, owner);
    Signals::default()
}

/// One entry of an mbox archive, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MboxItem {
    /// A message's raw bytes (">From " unquoted), with its 1-based position and
    /// the line of the file its `From ` separator is on.
    Message { number: usize, line: u64, raw: Vec<u8> },
    /// A stretch of the file that is not a message, or a message over the size limit
    /// (skipped without being held in memory).
    Rejected {
        number: usize,
        line: u64,
        reason: String,
    },
}

/// Reads an mbox archive as a stream: memory stays bounded by the largest
/// accepted message, however large the file.
pub struct MboxReader<R> {
    inner: R,
    bytes_read: u64,
}

impl<R: std::io::BufRead> MboxReader<R> {
    pub fn new(inner: R) -> Self {
        Self { inner, bytes_read: 0 }
    }

    /// Bytes consumed so far (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

impl<R: std::io::BufRead> Iterator for MboxReader<R> {
    type Item = MboxItem;
    fn next(&mut self) -> Option<MboxItem> {
        let _ = &mut self.inner;
        None
    }
}
