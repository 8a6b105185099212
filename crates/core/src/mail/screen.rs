//! Screening: what is known of a sender, and the organisation's or a person's
//! rules ("from domain X → category Y", "subject contains invoice → office").

use crate::error::ValidationError;
use crate::macros::named_enum;
use crate::mail::triage::Category;
use serde::{Deserialize, Serialize};

named_enum!(
    /// What the mailbox's owner decided about a sender.
    SenderStatus, "status", {
        /// Never seen before: the message waits in the screening list.
        Unknown = "unknown",
        /// Accepted from the screening list (or someone we wrote to).
        Accepted = "accepted",
        /// A very important sender: always surfaces, high priority.
        Vip = "vip",
        /// Blocked: the message is archived as `suspect` and never surfaces.
        Blocked = "blocked",
    }
);

named_enum!(
    /// Office work a message belongs to, marked for the matching workflow.
    OfficeWork, "office", {
        Invoice = "invoice",
        Travel = "travel",
        Contract = "contract",
    }
);

named_enum!(
    /// What a rule looks at.
    RuleField, "field", {
        /// The sender's domain, exactly (`example.com` also matches `mail.example.com`).
        FromDomain = "from_domain",
        /// The sender's address, exactly (case-insensitive).
        FromAddress = "from_address",
        /// The subject contains the text (case-insensitive).
        SubjectContains = "subject_contains",
    }
);

/// What a rule does to a matching message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum RuleAction {
    /// File it under this category.
    Category(Category),
    /// Mark it for this office workflow.
    Office(OfficeWork),
}

/// A screening rule as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRule {
    pub field: RuleField,
    /// The domain, address or text to look for (stored lower case, trimmed).
    pub value: String,
    pub action: RuleAction,
}

impl MailRule {
    /// A rule checked: the value is not empty, a domain looks like one, an
    /// address has an `@`, nothing is longer than 200 characters.
    pub fn new(field: RuleField, value: &str, action: RuleAction) -> Result<Self, ValidationError> {
        let value = value.trim().to_lowercase();
        if value.is_empty() {
            return Err(ValidationError::field("value", "must not be empty"));
        }
        if value.chars().count() > 200 {
            return Err(ValidationError::field("value", "must be at most 200 characters"));
        }
        match field {
            RuleField::FromDomain if value.contains('@') || !value.contains('.') => {
                return Err(ValidationError::field(
                    "value",
                    format!("`{value}` is not a domain (like example.com)"),
                ));
            }
            RuleField::FromAddress if !value.contains('@') => {
                return Err(ValidationError::field(
                    "value",
                    format!("`{value}` is not an address"),
                ));
            }
            _ => {}
        }
        Ok(Self { field, value, action })
    }

    /// Whether the rule matches a message from `from` (an address) with `subject`.
    pub fn matches(&self, from: &str, subject: &str) -> bool {
        let from = from.to_lowercase();
        match self.field {
            RuleField::FromAddress => from == self.value,
            RuleField::FromDomain => {
                let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
                domain == self.value || domain.ends_with(&format!(".{}", self.value))
            }
            RuleField::SubjectContains => subject.to_lowercase().contains(&self.value),
        }
    }

    /// "from domain example.com → newsletter", for lists and reasons.
    pub fn describe(&self) -> String {
        let what = match self.field {
            RuleField::FromDomain => "from domain",
            RuleField::FromAddress => "from",
            RuleField::SubjectContains => "subject contains",
        };
        let to = match &self.action {
            RuleAction::Category(c) => c.as_str().to_string(),
            RuleAction::Office(o) => format!("office: {o}"),
        };
        format!("{what} {} → {to}", self.value)
    }
}
