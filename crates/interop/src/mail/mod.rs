//! Mail messages (RFC 5322 / MIME): parsing one message into what Adjutant
//! keeps of it, reading mbox archives as a stream, the signals triage needs,
//! and HTML made safe to display.
//!
//! Parsing is the maintained `mail-parser` crate's (MIME structure, transfer
//! encodings, charsets, RFC 2047 encoded words, groups); on top of it this
//! module refuses what is not a message with a precise reason, keeps what a
//! damaged message still holds and says what was wrong in `warnings`, and
//! sanitises HTML with `ammonia`: no scripts, no style sheets, no remote
//! images (only `cid:` and `data:` sources survive), links opened without
//! a referrer. Limits: 25 MiB per message, 200 recipients kept (counted in full).

mod html;
mod mbox;
mod parse;

pub use mbox::{MboxItem, MboxReader};
pub use parse::{attachment, parse, signals};

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
    /// The file name the sender gave ("" when none).
    pub filename: String,
    /// `type/subtype`, lower case.
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
    /// The first `From` address (groups flattened).
    pub from: Option<Address>,
    /// The first `Reply-To` address.
    pub reply_to: Option<Address>,
    /// At most [`MAX_RECIPIENTS_KEPT`] of To, then Cc.
    pub to: Vec<Address>,
    /// Cc, within what is left of [`MAX_RECIPIENTS_KEPT`] after To.
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
    /// The attachments (and inline parts that are not the body), in order.
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
    /// No bytes at all.
    #[error("the message is empty")]
    Empty,
    /// Over [`MAX_MESSAGE_BYTES`].
    #[error("the message is {size} bytes; the largest accepted is {max} bytes (25 MiB)")]
    TooLarge {
        /// The message's size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not a message at all; the reason says what was found instead.
    #[error("not a mail message: {0}")]
    Malformed(String),
}

/// What triage needs to know of the mailbox's owner and the sender.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    /// The owner's addresses, lower case.
    pub addresses: &'a [String],
    /// Message-IDs the owner sent (for "a reply to something we sent").
    pub sent_ids: &'a std::collections::HashSet<String>,
}
