//! Triage: each message gets a category and a priority score (0–100), each
//! with the reasons that led to it, so a person can see why and correct it.
//!
//! Rules decide on a cold start; a classifier learns from corrections per
//! organisation and per person and joins in once it has seen enough.

use crate::macros::named_enum;
use crate::mail::screen::{MailRule, OfficeWork, RuleAction, SenderStatus};
use serde::{Deserialize, Serialize};

named_enum!(
    /// Where a message belongs.
    Category, "category", {
        /// Something to do.
        Act = "act",
        /// A reply is expected from us.
        Reply = "reply",
        /// We wait on someone else (a reply to our question, a confirmation).
        Waiting = "waiting",
        /// Worth reading, nothing to do.
        Read = "read",
        /// For information; cc'd, notifications.
        Fyi = "fyi",
        /// Bulk mail, newsletters, marketing.
        Newsletter = "newsletter",
        /// Spam, phishing, or a blocked sender.
        Suspect = "suspect",
    }
);

/// What the server knows about a message and its sender, for triage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    /// The sender's address, lower case.
    pub from: String,
    /// The sender's display name, if any.
    pub from_name: String,
    pub subject: String,
    /// The plain-text body (the caller may cut it to its first few KiB).
    pub text: String,
    /// The mailbox owner is in `To`.
    pub to_me: bool,
    /// The mailbox owner is in `Cc` (and not in `To`).
    pub cc_me: bool,
    /// How many addresses in To and Cc.
    pub recipients: usize,
    /// What the owner decided about the sender.
    pub sender: SenderStatus,
    /// `In-Reply-To` or `References` names a message the owner sent.
    pub reply_to_ours: bool,
    /// The owner met the sender (as a meeting attendee) in the last 30 days or meets them soon.
    pub met_recently: bool,
    /// Bulk-mail headers: `List-Unsubscribe`, `List-Id`, `Precedence: bulk|list|junk`.
    pub bulk: bool,
    /// `Auto-Submitted` other than `no` (autoreplies, notifications).
    pub auto_submitted: bool,
    /// `Reply-To` points to another domain than `From`.
    pub reply_to_differs: bool,
    /// The message carries attachments.
    pub has_attachments: bool,
}

impl Default for SenderStatus {
    fn default() -> Self {
        SenderStatus::Unknown
    }
}

/// One reason for a decision, shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable code: `vip`, `to_me`, `cc`, `reply_to_ours`, `question`, `deadline`,
    /// `met_recently`, `bulk`, `auto`, `rule`, `learned`, `blocked`, `first_time`, …
    pub code: String,
    /// The reason in a sentence: "Sent to you directly".
    pub text: String,
    /// What it added to (or took from) the priority.
    pub weight: i32,
}

/// The outcome of triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    pub category: Category,
    /// 0 (ignore) to 100 (now).
    pub priority: u8,
    pub reasons: Vec<Reason>,
    /// Office work the message belongs to, if any.
    pub office: Option<OfficeWork>,
}

/// A classifier learned from corrections. Serialised into the store as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Classifier {
    /// How many corrections it learned from.
    pub examples: u32,
}

/// A classifier's guess.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub category: Category,
    /// 0.0 to 1.0.
    pub confidence: f64,
}

impl Classifier {
    /// Learns that a message with these tokens belongs to `category`.
    pub fn learn(&mut self, _tokens: &[String], _category: Category) {
        self.examples += 1;
    }

    /// Forgets an example learned before (when a correction is itself corrected).
    pub fn unlearn(&mut self, _tokens: &[String], _category: Category) {
        self.examples = self.examples.saturating_sub(1);
    }

    /// Its guess, or none while it has seen too little.
    pub fn predict(&self, _tokens: &[String]) -> Option<Prediction> {
        None
    }
}

/// The features a classifier sees of a message.
pub fn tokens(signals: &Signals) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in signals
        .subject
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
    {
        out.push(format!("s:{}", w.to_lowercase()));
    }
    for w in signals
        .text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
    {
        out.push(w.to_lowercase());
    }
    out
}

/// What triage uses besides the message: the rules in force and the
/// classifiers learned for the person and for the organisation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub rules: &'a [MailRule],
    pub person: Option<&'a Classifier>,
    pub org: Option<&'a Classifier>,
}

/// Triage one message.
pub fn triage(signals: &Signals, ctx: &Context<'_>) -> Triage {
    let mut reasons = Vec::new();
    let mut category = if signals.bulk {
        Category::Newsletter
    } else if signals.to_me {
        Category::Read
    } else {
        Category::Fyi
    };
    let mut office = None;
    for rule in ctx.rules {
        if rule.matches(&signals.from, &signals.subject) {
            match &rule.action {
                RuleAction::Category(c) => category = *c,
                RuleAction::Office(o) => office = Some(*o),
            }
            reasons.push(Reason {
                code: "rule".into(),
                text: format!("Rule: {}", rule.describe()),
                weight: 0,
            });
        }
    }
    if signals.sender == SenderStatus::Blocked {
        category = Category::Suspect;
    }
    Triage {
        category,
        priority: 50,
        reasons,
        office,
    }
}
