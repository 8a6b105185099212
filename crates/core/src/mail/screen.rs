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
    /// What the rule looks at.
    pub field: RuleField,
    /// The domain, address or text to look for (stored lower case, trimmed).
    pub value: String,
    /// What it does to a matching message.
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

/// One phrase of office work found in a message's words: the kind, how much
/// it counts, and the phrase for the reason. `p2` and `p1` are the two words
/// before `w`, all lower case. Called by the triage scan for every word.
///
/// - invoices: "invoice", "factuur", "rechnung", "facture", "amount due",
///   "payment due", "balance due", "payment reminder", "purchase order";
/// - travel confirmations: "itinerary", "e-ticket", "booking reference",
///   "boarding pass", "hotel reservation", "flight";
/// - contract renewals: "auto-renew", "notice period", "contract expires",
///   "renewal".
pub fn office_tell(p2: &str, p1: &str, w: &str) -> Option<(OfficeWork, u32, &'static str)> {
    use OfficeWork::{Contract, Invoice, Travel};
    let _ = p2;
    Some(match (p1, w) {
        (_, "invoice" | "invoices" | "factuur" | "facturen" | "rechnung" | "facture") => {
            (Invoice, 2, "invoice")
        }
        ("amount" | "payment" | "balance" | "total", "due") => (Invoice, 2, "amount due"),
        ("payment", "reminder") => (Invoice, 1, "payment reminder"),
        ("purchase", "order") => (Invoice, 1, "purchase order"),
        (_, "itinerary") => (Travel, 2, "itinerary"),
        ("e", "ticket") | (_, "eticket") => (Travel, 2, "e-ticket"),
        ("booking" | "confirmation", "reference" | "number" | "code") => (Travel, 2, "booking reference"),
        ("boarding", "pass") => (Travel, 2, "boarding pass"),
        ("hotel", "reservation" | "booking" | "confirmation") => (Travel, 2, "hotel reservation"),
        (_, "flight" | "flights") => (Travel, 1, "flight"),
        ("auto", "renew" | "renewal" | "renews") | (_, "autorenew") => (Contract, 2, "auto-renew"),
        ("notice", "period") => (Contract, 2, "notice period"),
        ("contract" | "agreement" | "subscription", "expires" | "expiry" | "ends" | "renewal") => {
            (Contract, 2, "contract expires")
        }
        (_, "renewal" | "renews") => (Contract, 1, "renewal"),
        _ => return None,
    })
}

/// Office work found in a message, with the phrase that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeMatch {
    /// The kind of work.
    pub kind: OfficeWork,
    /// What gave it away: "invoice", "booking reference", "an attached invoice.pdf", …
    pub phrase: &'static str,
}

/// How much evidence marks a message as office work: one strong phrase in the
/// subject, an attachment named for it, or two phrases (or one strong one) in the text.
pub const OFFICE_THRESHOLD: u32 = 2;

/// Decides the office work of a message from the evidence per kind (invoice,
/// travel, contract, as counted by the triage scan) and its attachments' file
/// names: a PDF named like an invoice ("invoice", "factuur", "rechnung") or a
/// ticket ("e-ticket", "itinerary", "boarding") counts as a strong phrase. The
/// kind with the most evidence wins; ties go to invoice, then travel.
pub fn decide_office(
    evidence: [u32; 3],
    phrases: [Option<&'static str>; 3],
    attachments: &[String],
) -> Option<OfficeMatch> {
    let mut evidence = evidence;
    let mut phrases = phrases;
    for name in attachments {
        let name = name.to_lowercase();
        if !(name.ends_with(".pdf") || name.ends_with(".xml")) {
            continue;
        }
        if ["invoice", "factuur", "rechnung", "facture", "inv-", "inv_"]
            .iter()
            .any(|w| name.contains(w))
        {
            evidence[0] += 2;
            phrases[0] = Some("an attached invoice");
        } else if ["ticket", "itinerary", "boarding"]
            .iter()
            .any(|w| name.contains(w))
        {
            evidence[1] += 2;
            phrases[1] = Some("an attached ticket");
        }
    }
    let kinds = [OfficeWork::Invoice, OfficeWork::Travel, OfficeWork::Contract];
    let mut best: Option<(usize, u32)> = None;
    for (i, e) in evidence.iter().enumerate() {
        if *e >= OFFICE_THRESHOLD && best.is_none_or(|(_, b)| *e > b) {
            best = Some((i, *e));
        }
    }
    let (i, _) = best?;
    Some(OfficeMatch {
        kind: kinds[i],
        phrase: phrases[i].unwrap_or("office words"),
    })
}

/// Office work in a message (subject, text and attachment names), on its own;
/// triage finds the same in its single pass.
pub fn detect_office(subject: &str, text: &str, attachments: &[String]) -> Option<OfficeMatch> {
    let f = crate::mail::scan::scan(subject, text);
    decide_office(f.office, f.office_phrase, attachments)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn office_work_is_detected() {
        let none: Vec<String> = Vec::new();
        let m = detect_office("Invoice INV-2026-114", "Please find attached.", &none).unwrap();
        assert_eq!(m.kind, OfficeWork::Invoice);
        let m = detect_office("Factuur december", "", &none).unwrap();
        assert_eq!(m.kind, OfficeWork::Invoice);
        let m = detect_office("Your documents", "Hello", &["INV_3321.pdf".to_string()]).unwrap();
        assert_eq!(m.kind, OfficeWork::Invoice);
        assert_eq!(m.phrase, "an attached invoice");
        let m = detect_office(
            "Your trip to Lisbon",
            "Booking reference: K7XQ2P\nFlight TP 671 departs 09:40.",
            &none,
        )
        .unwrap();
        assert_eq!(m.kind, OfficeWork::Travel);
        let m = detect_office(
            "Your subscription",
            "Your contract auto-renews on 1 February unless you cancel within the notice period.",
            &none,
        )
        .unwrap();
        assert_eq!(m.kind, OfficeWork::Contract);
        assert_eq!(
            detect_office("Lunch?", "Shall we have lunch on Friday?", &none),
            None
        );
        // One passing mention of a flight is not a travel confirmation.
        assert_eq!(detect_office("Board", "My flight was late, sorry.", &none), None);
    }

    #[test]
    fn rules_check_their_values() {
        assert!(
            MailRule::new(
                RuleField::FromDomain,
                "example",
                RuleAction::Office(OfficeWork::Invoice)
            )
            .is_err()
        );
        let r = MailRule::new(
            RuleField::FromDomain,
            " Example.COM ",
            RuleAction::Category(Category::Newsletter),
        )
        .unwrap();
        assert!(r.matches("news@mail.example.com", ""));
        assert!(!r.matches("news@example.org", ""));
        assert_eq!(r.describe(), "from domain example.com → newsletter");
    }
}
