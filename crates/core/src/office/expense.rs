//! Expenses: what staff paid out of their own pocket, with a receipt, grouped
//! into a report that is submitted, approved (or rejected with a reason) and
//! reimbursed; and the organisation's expense policy, checked on every expense.
//!
//! The life of a report:
//!
//! ```text
//! draft ──submit──▶ submitted ──approve──▶ approved ──reimburse──▶ reimbursed
//!   ▲                   │
//!   └──submit── rejected ◀──reject (with a reason)
//! ```
//!
//! A rejected report is a draft again in all but name: its expenses can be
//! fixed and it can be submitted anew. Nothing is reimbursed that was not
//! approved: only `approve` leads to `approved`, and only from there to
//! `reimbursed` (property-tested).
//!
//! Policy findings are one sentence each. Over a category's limit and a likely
//! duplicate are warnings the approver sees; a receipt missing above the
//! category's threshold blocks submission.

use crate::error::{FieldError, ValidationError};
use crate::ids::{ExpenseId, PersonId};
use crate::macros::named_enum;
use crate::meetings::check_material;
use crate::office::money::{Currency, Money, MoneyError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The largest single expense, in major units of any currency.
pub const MAX_EXPENSE_MAJOR: i64 = 100_000;
/// The most a receipt may weigh: 10 MiB.
pub const MAX_RECEIPT_BYTES: usize = 10 * 1024 * 1024;
/// The category name of the policy's default rule.
pub const DEFAULT_CATEGORY: &str = "default";

/// One expense as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpenseData {
    /// The day it was paid.
    pub date: Date,
    /// Who was paid: `Uber`, `Café de Jaren`.
    pub merchant: String,
    /// `meals`, `travel`, `taxi`, `hotel`, … (lower case).
    pub category: String,
    pub amount: Money,
    /// The project or client it is for, if any.
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub description: String,
}

impl ExpenseData {
    /// Trims the text fields and writes the category in lower case.
    pub fn normalise(&mut self) {
        self.merchant = self.merchant.trim().to_string();
        self.category = self.category.trim().to_lowercase();
        self.project = self.project.trim().to_string();
        self.description = self.description.trim().to_string();
    }

    /// Names every field at fault: no date after `today`, an amount above
    /// zero and at most [`MAX_EXPENSE_MAJOR`], text within its length.
    pub fn validate(&self, today: Date) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        if self.date > today {
            bad(
                "date",
                format!("{} is in the future; expenses are filed once paid", self.date),
            );
        }
        let merchant = self.merchant.trim();
        if merchant.is_empty() || merchant.chars().count() > 200 {
            bad("merchant", "must be 1 to 200 characters".into());
        }
        let category = self.category.trim();
        if category.is_empty() || category.chars().count() > 50 {
            bad("category", "must be 1 to 50 characters".into());
        } else if category == DEFAULT_CATEGORY {
            bad(
                "category",
                format!("`{DEFAULT_CATEGORY}` names the policy's default rule; choose a real category"),
            );
        }
        let max = Money::new(
            MAX_EXPENSE_MAJOR * self.amount.currency.scale(),
            self.amount.currency,
        );
        if self.amount.minor <= 0 {
            bad("amount", format!("{} is not above zero", self.amount));
        } else if self.amount.minor > max.minor {
            bad(
                "amount",
                format!("{} is more than the {} one expense may be", self.amount, max),
            );
        }
        if self.project.chars().count() > 100 {
            bad("project", "must be at most 100 characters".into());
        }
        if self.description.chars().count() > 1_000 {
            bad("description", "must be at most 1000 characters".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }
}

named_enum!(
    /// Where an expense report stands.
    ReportStatus, "status", {
        /// Being put together by its owner (or their assistant).
        Draft = "draft",
        /// Waiting for an approver.
        Submitted = "submitted",
        /// Approved: waiting to be paid back.
        Approved = "approved",
        /// Sent back with a reason; fixed and submitted again like a draft.
        Rejected = "rejected",
        /// Paid back.
        Reimbursed = "reimbursed",
    }
);

named_enum!(
    /// What is done to a report.
    ReportAction, "action", {
        Submit = "submit",
        Approve = "approve",
        Reject = "reject",
        Reimburse = "reimburse",
    }
);

impl ReportStatus {
    /// Whether its expenses may still be added, changed or taken out.
    pub fn editable(&self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Rejected)
    }

    /// The statuses `action` may start from.
    pub fn sources(action: ReportAction) -> &'static [ReportStatus] {
        match action {
            ReportAction::Submit => &[ReportStatus::Draft, ReportStatus::Rejected],
            ReportAction::Approve | ReportAction::Reject => &[ReportStatus::Submitted],
            ReportAction::Reimburse => &[ReportStatus::Approved],
        }
    }

    /// The status `action` leads to from this one; `Err` says why not.
    pub fn after(self, action: ReportAction) -> Result<ReportStatus, String> {
        if !ReportStatus::sources(action).contains(&self) {
            return Err(match action {
                ReportAction::Submit => format!("a report that is {self} cannot be submitted"),
                ReportAction::Approve | ReportAction::Reject => {
                    format!("a report that is {self} is not waiting for approval")
                }
                ReportAction::Reimburse => {
                    format!("a report that is {self} cannot be reimbursed; only approved reports can")
                }
            });
        }
        Ok(match action {
            ReportAction::Submit => ReportStatus::Submitted,
            ReportAction::Approve => ReportStatus::Approved,
            ReportAction::Reject => ReportStatus::Rejected,
            ReportAction::Reimburse => ReportStatus::Reimbursed,
        })
    }
}

/// Whether `actor` may approve or reject a report whose expenses are `owner`'s:
/// never their own.
pub fn may_decide(actor: PersonId, owner: PersonId, status: ReportStatus) -> Result<(), String> {
    status.after(ReportAction::Approve)?;
    if actor == owner {
        return Err("nobody approves their own expenses".into());
    }
    Ok(())
}

/// One rule of the policy: for a category (or [`DEFAULT_CATEGORY`]) in one
/// currency, the most one expense may be and the amount above which a
/// receipt is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRule {
    pub category: String,
    pub currency: Currency,
    #[serde(default)]
    pub limit: Option<Money>,
    #[serde(default)]
    pub receipt_above: Option<Money>,
}

impl PolicyRule {
    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let c = self.category.trim();
        if c.is_empty() || c.chars().count() > 50 || c != c.to_lowercase() {
            errors.push(FieldError {
                field: "category".into(),
                message: "must be 1 to 50 lower-case characters".into(),
            });
        }
        for (field, m) in [("limit", self.limit), ("receipt_above", self.receipt_above)] {
            let Some(m) = m else { continue };
            if m.currency != self.currency {
                errors.push(FieldError {
                    field: field.into(),
                    message: format!("is in {}, the rule in {}", m.currency, self.currency),
                });
            } else if m.minor < 0 || m.minor > MAX_EXPENSE_MAJOR * m.currency.scale() {
                errors.push(FieldError {
                    field: field.into(),
                    message: format!("must be 0 to {MAX_EXPENSE_MAJOR}"),
                });
            }
        }
        if self.limit.is_none() && self.receipt_above.is_none() {
            errors.push(FieldError {
                field: "limit".into(),
                message: "give a limit, a receipt threshold or both".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }
}

/// An organisation's expense policy: rules per category and currency, with a
/// default rule per currency for categories not named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub rules: Vec<PolicyRule>,
}

impl Policy {
    fn find(&self, category: &str, currency: Currency) -> Option<&PolicyRule> {
        self.rules
            .iter()
            .find(|r| r.category == category && r.currency == currency)
    }

    /// The limit for `category` in `currency`: its own, else the default's.
    pub fn limit(&self, category: &str, currency: Currency) -> Option<Money> {
        self.find(category, currency)
            .and_then(|r| r.limit)
            .or_else(|| self.find(DEFAULT_CATEGORY, currency).and_then(|r| r.limit))
    }

    /// The amount above which a receipt is required: its own, else the default's.
    pub fn receipt_above(&self, category: &str, currency: Currency) -> Option<Money> {
        self.find(category, currency)
            .and_then(|r| r.receipt_above)
            .or_else(|| {
                self.find(DEFAULT_CATEGORY, currency)
                    .and_then(|r| r.receipt_above)
            })
    }
}

/// An expense as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expense {
    pub id: ExpenseId,
    /// Whose expense it is (who is paid back).
    pub person: PersonId,
    pub data: ExpenseData,
    pub has_receipt: bool,
}

named_enum!(
    /// What a policy check found.
    FindingKind, "finding", {
        /// Above the category's limit: the approver is warned.
        OverLimit = "over_limit",
        /// No receipt though the amount is above the threshold: blocks submission.
        ReceiptMissing = "receipt_missing",
        /// The same person, amount, day and merchant as another expense: a warning.
        Duplicate = "duplicate",
    }
);

/// One finding, with its reason in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Whether it stops the report from being submitted.
    pub blocking: bool,
    pub reason: String,
    /// The other expense, for a duplicate.
    pub other: Option<ExpenseId>,
}

fn merchant_key(m: &str) -> String {
    m.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn rule_findings(e: &Expense, policy: &Policy) -> Vec<Finding> {
    let d = &e.data;
    let mut out = Vec::new();
    if let Some(limit) = policy.limit(&d.category, d.amount.currency)
        && d.amount.minor > limit.minor
    {
        out.push(Finding {
            kind: FindingKind::OverLimit,
            blocking: false,
            reason: format!("{} is over the {} limit of {}.", d.amount, d.category, limit),
            other: None,
        });
    }
    if let Some(above) = policy.receipt_above(&d.category, d.amount.currency)
        && d.amount.minor > above.minor
        && !e.has_receipt
    {
        out.push(Finding {
            kind: FindingKind::ReceiptMissing,
            blocking: true,
            reason: format!(
                "A receipt is required for {} above {}, and none is attached.",
                d.category, above
            ),
            other: None,
        });
    }
    out
}

fn duplicate_finding(e: &Expense, other: &Expense) -> Finding {
    Finding {
        kind: FindingKind::Duplicate,
        blocking: false,
        reason: format!(
            "Likely a duplicate: another expense of {} at {} on {} was filed for the same person.",
            e.data.amount,
            e.data.merchant.trim(),
            e.data.date
        ),
        other: Some(other.id),
    }
}

fn same_spend(a: &Expense, b: &Expense) -> bool {
    a.id != b.id
        && a.person == b.person
        && a.data.amount == b.data.amount
        && a.data.date == b.data.date
        && merchant_key(&a.data.merchant) == merchant_key(&b.data.merchant)
}

/// Checks one expense against the policy and the person's other expenses.
pub fn check(expense: &Expense, policy: &Policy, others: &[Expense]) -> Vec<Finding> {
    let mut out = rule_findings(expense, policy);
    if let Some(o) = others.iter().find(|o| same_spend(expense, o)) {
        out.push(duplicate_finding(expense, o));
    }
    out
}

/// Checks every expense of `all` against the policy and each other, in one
/// pass (duplicates are found through an index, not by comparing every pair).
/// The result is in the order of `all`.
pub fn check_all(all: &[Expense], policy: &Policy) -> Vec<Vec<Finding>> {
    let mut index: HashMap<(PersonId, Money, Date, String), Vec<usize>> = HashMap::new();
    for (i, e) in all.iter().enumerate() {
        index
            .entry((
                e.person,
                e.data.amount,
                e.data.date,
                merchant_key(&e.data.merchant),
            ))
            .or_default()
            .push(i);
    }
    all.iter()
        .map(|e| {
            let mut out = rule_findings(e, policy);
            let key = (
                e.person,
                e.data.amount,
                e.data.date,
                merchant_key(&e.data.merchant),
            );
            if let Some(o) = index
                .get(&key)
                .and_then(|same| same.iter().map(|&j| &all[j]).find(|o| o.id != e.id))
            {
                out.push(duplicate_finding(e, o));
            }
            out
        })
        .collect()
}

/// The first finding that stops a report from being submitted, if any.
pub fn blocking(findings: &[Finding]) -> Option<&Finding> {
    findings.iter().find(|f| f.blocking)
}

/// A report's totals: one sum per currency (different currencies are never
/// added), ordered by currency code.
pub fn totals<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Result<Vec<Money>, MoneyError> {
    let mut sums: Vec<Money> = Vec::new();
    for m in amounts {
        match sums.iter_mut().find(|s| s.currency == m.currency) {
            Some(s) => *s = s.checked_add(*m)?,
            None => sums.push(*m),
        }
    }
    sums.sort_by_key(|m| m.currency.code());
    Ok(sums)
}

/// What a receipt is, by its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptKind {
    pub content_type: &'static str,
    /// The name to keep: no folders, no control characters.
    pub filename: String,
}

/// Checks a receipt: not empty, at most [`MAX_RECEIPT_BYTES`], and an image
/// (PNG, JPEG, GIF, WebP) or a PDF as its first bytes say — a program
/// renamed `.pdf` is refused whatever its name.
pub fn check_receipt(filename: &str, bytes: &[u8]) -> Result<ReceiptKind, ValidationError> {
    let shown = filename.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if bytes.len() > MAX_RECEIPT_BYTES {
        return Err(ValidationError::field(
            "receipt",
            format!(
                "`{shown}` is {} MiB; a receipt may be at most {} MiB",
                bytes.len().div_ceil(1024 * 1024),
                MAX_RECEIPT_BYTES / (1024 * 1024)
            ),
        ));
    }
    let kind = check_material(filename, bytes).map_err(|e| {
        let message = e.errors.first().map(|f| f.message.clone()).unwrap_or_default();
        if message.contains("not a file type") {
            ValidationError::field(
                "receipt",
                format!("`{shown}` is not an image (PNG, JPEG, GIF, WebP) or a PDF"),
            )
        } else {
            ValidationError::field("receipt", message)
        }
    })?;
    if kind.content_type == "application/pdf" || kind.content_type.starts_with("image/") {
        Ok(ReceiptKind {
            content_type: kind.content_type,
            filename: kind.filename,
        })
    } else {
        Err(ValidationError::field(
            "receipt",
            format!(
                "`{}` is not an image (PNG, JPEG, GIF, WebP) or a PDF",
                kind.filename
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn cur(c: &str) -> Currency {
        Currency::parse(c).unwrap()
    }
    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::eur())
    }
    fn p(n: u128) -> PersonId {
        PersonId(uuid::Uuid::from_u128(n))
    }
    fn e(n: u128, person: u128, category: &str, amount: Money, receipt: bool) -> Expense {
        Expense {
            id: ExpenseId(uuid::Uuid::from_u128(1000 + n)),
            person: p(person),
            data: ExpenseData {
                date: date(2026, 11, 20),
                merchant: "Café de Jaren".into(),
                category: category.into(),
                amount,
                project: String::new(),
                description: String::new(),
            },
            has_receipt: receipt,
        }
    }
    fn policy() -> Policy {
        Policy {
            rules: vec![
                PolicyRule {
                    category: "meals".into(),
                    currency: Currency::eur(),
                    limit: Some(eur(6_000)),
                    receipt_above: Some(eur(2_500)),
                },
                PolicyRule {
                    category: DEFAULT_CATEGORY.into(),
                    currency: Currency::eur(),
                    limit: None,
                    receipt_above: Some(eur(1_000)),
                },
            ],
        }
    }

    #[test]
    fn an_expense_names_every_field_at_fault() {
        let mut d = e(1, 1, "meals", eur(0), false).data;
        d.date = date(2026, 12, 4);
        d.merchant = " ".into();
        let fields: Vec<String> = d
            .validate(date(2026, 12, 3))
            .unwrap_err()
            .errors
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["date", "merchant", "amount"]);
        let mut big = e(1, 1, "hotel", eur(10_000_001), true).data;
        let msg = big.validate(date(2026, 12, 3)).unwrap_err().summary();
        assert_eq!(
            msg,
            "amount: EUR 100,000.01 is more than the EUR 100,000.00 one expense may be"
        );
        big.amount = Money::new(100_000, cur("JPY"));
        assert!(big.validate(date(2026, 12, 3)).is_ok());
        big.amount = Money::new(100_001, cur("JPY"));
        assert!(big.validate(date(2026, 12, 3)).is_err());
        big.amount = eur(100);
        big.category = "default".into();
        assert!(big.validate(date(2026, 12, 3)).is_err());
    }

    #[test]
    fn findings_name_the_rule_in_one_sentence() {
        let pol = policy();
        let over = check(&e(1, 1, "meals", eur(8_450), true), &pol, &[]);
        assert_eq!(over.len(), 1);
        assert_eq!(over[0].reason, "EUR 84.50 is over the meals limit of EUR 60.00.");
        assert!(!over[0].blocking);
        let no_receipt = check(&e(1, 1, "meals", eur(3_000), false), &pol, &[]);
        assert_eq!(
            no_receipt[0].reason,
            "A receipt is required for meals above EUR 25.00, and none is attached."
        );
        assert!(blocking(&no_receipt).is_some());
        // At the threshold exactly, no receipt is needed; the default rule covers taxis.
        assert!(check(&e(1, 1, "meals", eur(2_500), false), &pol, &[]).is_empty());
        let taxi = check(&e(1, 1, "taxi", eur(1_200), false), &pol, &[]);
        assert_eq!(taxi[0].kind, FindingKind::ReceiptMissing);
        // No rule in that currency: nothing to say.
        assert!(
            check(
                &e(1, 1, "meals", Money::new(900_000, cur("INR")), false),
                &pol,
                &[]
            )
            .is_empty()
        );
    }

    #[test]
    fn duplicates_are_the_same_person_amount_day_and_merchant() {
        let pol = Policy::default();
        let a = e(1, 1, "meals", eur(2_000), true);
        let mut b = e(2, 1, "meals", eur(2_000), true);
        b.data.merchant = "  café de   JAREN ".into();
        let other_person = e(3, 2, "meals", eur(2_000), true);
        let f = check(&a, &pol, &[a.clone(), b.clone(), other_person.clone()]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FindingKind::Duplicate);
        assert_eq!(f[0].other, Some(b.id));
        assert!(check(&other_person, &pol, std::slice::from_ref(&a)).is_empty());
        let all = vec![a.clone(), b, other_person];
        let fs = check_all(&all, &pol);
        assert_eq!(fs.iter().map(Vec::len).collect::<Vec<_>>(), [1, 1, 0]);
        assert_eq!(fs[0], check(&all[0], &pol, &all));
    }

    #[test]
    fn the_report_moves_only_along_its_arrows() {
        use ReportAction::*;
        use ReportStatus::*;
        assert_eq!(Draft.after(Submit), Ok(Submitted));
        assert_eq!(Rejected.after(Submit), Ok(Submitted));
        assert_eq!(Submitted.after(Reject), Ok(Rejected));
        assert_eq!(Submitted.after(Approve), Ok(Approved));
        assert_eq!(Approved.after(Reimburse), Ok(Reimbursed));
        assert_eq!(
            Submitted.after(Reimburse).unwrap_err(),
            "a report that is submitted cannot be reimbursed; only approved reports can"
        );
        assert!(Approved.after(Approve).is_err());
        assert!(Reimbursed.after(Submit).is_err());
        assert!(Rejected.editable() && Draft.editable() && !Submitted.editable());
        assert_eq!(
            may_decide(p(1), p(1), Submitted).unwrap_err(),
            "nobody approves their own expenses"
        );
        assert!(may_decide(p(2), p(1), Submitted).is_ok());
        assert!(may_decide(p(2), p(1), Draft).is_err());
    }

    #[test]
    fn policy_rules_are_checked() {
        let mut r = PolicyRule {
            category: "meals".into(),
            currency: Currency::eur(),
            limit: Some(Money::new(100, cur("USD"))),
            receipt_above: Some(eur(-1)),
        };
        let fields: Vec<String> = r
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["limit", "receipt_above"]);
        r.limit = None;
        r.receipt_above = None;
        assert!(r.validate().is_err());
        r.limit = Some(eur(6_000));
        assert!(r.validate().is_ok());
        r.category = "Meals".into();
        assert!(r.validate().is_err());
    }

    #[test]
    fn receipts_are_images_or_pdfs_by_their_content() {
        assert_eq!(
            check_receipt("lunch.pdf", b"%PDF-1.4 ...").unwrap().content_type,
            "application/pdf"
        );
        assert_eq!(
            check_receipt("C:\\scans\\taxi.png", b"\x89PNG\r\n\x1a\n....")
                .unwrap()
                .filename,
            "taxi.png"
        );
        let exe = check_receipt("receipt.pdf", b"MZ\x90\x00\x03")
            .unwrap_err()
            .summary();
        assert_eq!(
            exe,
            "receipt: `receipt.pdf` is not an image (PNG, JPEG, GIF, WebP) or a PDF"
        );
        assert!(check_receipt("notes.txt", b"just text").is_err());
        assert!(check_receipt("empty.png", b"").is_err());
        let big = vec![0u8; 60 * 1024 * 1024];
        assert_eq!(
            check_receipt("scan.pdf", &big).unwrap_err().summary(),
            "receipt: `scan.pdf` is 60 MiB; a receipt may be at most 10 MiB"
        );
    }

    #[test]
    fn totals_keep_currencies_apart() {
        let t = totals(&[eur(100), Money::new(5, cur("USD")), eur(250)]).unwrap();
        assert_eq!(t, vec![eur(350), Money::new(5, cur("USD"))]);
        assert!(totals(&[]).unwrap().is_empty());
    }

    proptest! {
        /// A report's totals are always the sums of its expenses per currency,
        /// one entry per currency present.
        #[test]
        fn totals_are_the_sums_per_currency(
            items in proptest::collection::vec((0usize..4, 1i64..=10_000_000), 0..60)
        ) {
            let codes = ["EUR", "USD", "INR", "JPY"];
            let amounts: Vec<Money> =
                items.iter().map(|(c, m)| Money::new(*m, cur(codes[*c]))).collect();
            let t = totals(&amounts).unwrap();
            for code in codes {
                let want: i64 = amounts.iter().filter(|m| m.currency.code() == code).map(|m| m.minor).sum();
                let got = t.iter().filter(|m| m.currency.code() == code).collect::<Vec<_>>();
                if want == 0 {
                    prop_assert!(got.is_empty());
                } else {
                    prop_assert_eq!(got.len(), 1);
                    prop_assert_eq!(got[0].minor, want);
                }
            }
        }

        /// Whatever actions are tried in whatever order, a report is never
        /// reimbursed without having been approved since it was last submitted.
        #[test]
        fn a_report_is_never_reimbursed_unapproved(actions in proptest::collection::vec(0usize..4, 0..50)) {
            let mut status = ReportStatus::Draft;
            let mut approved = false;
            for a in actions {
                let action = ReportAction::ALL[a];
                if let Ok(next) = status.after(action) {
                    match action {
                        ReportAction::Approve => approved = true,
                        ReportAction::Submit | ReportAction::Reject => approved = false,
                        ReportAction::Reimburse => prop_assert!(approved, "reimbursed from {status}"),
                    }
                    status = next;
                }
                prop_assert!(status != ReportStatus::Reimbursed || approved);
            }
        }
    }
}
