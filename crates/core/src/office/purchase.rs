//! Purchasing: a purchase request with lines, approved by someone allowed to
//! approve its amount (never its requester), ordered, and received — in part
//! or in full — with received stock items counted into the stock room.
//!
//! The life of a purchase:
//!
//! ```text
//! draft ──submit──▶ submitted ──approve──▶ ordered ──receive──▶ partly_received ──receive──▶ received
//!   │                  │  └──reject──▶ rejected            │
//!   └──approve─────────┘ (a draft the stock rule made)     └──cancel──▶ cancelled (nothing received yet)
//! ```
//!
//! Nothing is received before it is approved: `receive` refuses any purchase
//! that is not `ordered` or `partly_received`, and only `approve` leads there.

use crate::error::{FieldError, ValidationError};
use crate::ids::{PersonId, StockItemId, VendorId};
use crate::macros::named_enum;
use crate::office::money::{Currency, Money};
use crate::office::stock::MAX_QUANTITY;
use crate::people::Role;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The most lines one purchase holds.
pub const MAX_LINES: usize = 100;

named_enum!(
    /// Where a purchase stands.
    Status, "status", {
        /// Prepared (by a person, or by the stock rule when an item ran low), not yet sent for approval.
        Draft = "draft",
        /// Waiting for someone allowed to approve its amount.
        Submitted = "submitted",
        /// Approved: a purchase order went to the vendor.
        Ordered = "ordered",
        /// Some of it has arrived.
        PartlyReceived = "partly_received",
        /// All of it has arrived.
        Received = "received",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
);

impl Status {
    /// Whether it still waits for a decision.
    pub fn awaits_approval(&self) -> bool {
        matches!(self, Status::Draft | Status::Submitted)
    }

    /// Whether it is approved and not yet fully received.
    pub fn open_order(&self) -> bool {
        matches!(self, Status::Ordered | Status::PartlyReceived)
    }
}

/// One line: what, how many, at what price; and how many arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub description: String,
    /// The stock item it refills, if any: received units go into the stock room.
    #[serde(default)]
    pub stock_item: Option<StockItemId>,
    pub quantity: i64,
    pub unit_price: Money,
    #[serde(default)]
    pub received: i64,
}

/// A purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseData {
    pub title: String,
    #[serde(default)]
    pub vendor: Option<VendorId>,
    /// The budget category: `pantry`, `printing`, `furniture`, …
    #[serde(default)]
    pub category: String,
    pub currency: Currency,
    pub lines: Vec<Line>,
    #[serde(default)]
    pub needed_by: Option<Date>,
    #[serde(default)]
    pub notes: String,
}

/// Who may approve what: office managers up to their limit, principals and
/// administrators any amount; nobody their own request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalRule {
    /// The most an office manager approves, per currency (a currency not
    /// listed goes to a principal).
    pub office_manager_limits: Vec<Money>,
}

impl Default for ApprovalRule {
    fn default() -> Self {
        ApprovalRule {
            office_manager_limits: vec![Money::new(100_000, Currency::eur())],
        }
    }
}

impl ApprovalRule {
    /// Reads limits written as `EUR 1000.00, USD 1100`: one amount per currency.
    pub fn parse(text: &str) -> Result<ApprovalRule, String> {
        let mut limits: Vec<Money> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (code, amount) = part
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("`{part}` is not a limit like `EUR 1000.00`"))?;
            let currency = Currency::parse(code)?;
            let m = Money::parse(amount, currency)?;
            if m.minor < 0 {
                return Err(format!("`{part}` is negative"));
            }
            if limits.iter().any(|l| l.currency == currency) {
                return Err(format!("{currency} is given twice"));
            }
            limits.push(m);
        }
        Ok(ApprovalRule {
            office_manager_limits: limits,
        })
    }

    /// The office manager's limit in `currency`, if she has one.
    pub fn limit(&self, currency: Currency) -> Option<Money> {
        self.office_manager_limits
            .iter()
            .find(|m| m.currency == currency)
            .copied()
    }

    /// Whether someone of `role` may approve `total`; `Err` says why not.
    pub fn may_approve(&self, role: Role, total: Money) -> Result<(), String> {
        match role {
            Role::Admin | Role::Principal => Ok(()),
            Role::OfficeManager => match self.limit(total.currency) {
                Some(l) if total.minor <= l.minor => Ok(()),
                Some(l) => Err(format!(
                    "{total} is above the office manager's limit of {l}; a principal approves it"
                )),
                None => Err(format!(
                    "office managers have no limit in {}; a principal approves it",
                    total.currency
                )),
            },
            _ => Err(
                "only office managers (up to their limit), principals and administrators approve purchases"
                    .into(),
            ),
        }
    }

    /// Who approves `total`, in words: `the office manager` or `a principal`.
    pub fn approver(&self, total: Money) -> &'static str {
        if self.may_approve(Role::OfficeManager, total).is_ok() {
            "an office manager"
        } else {
            "a principal"
        }
    }
}

impl PurchaseData {
    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: String, message: String| errors.push(FieldError { field, message });
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            bad("title".into(), "must be 1 to 200 characters".into());
        }
        if self.category.chars().count() > 100 {
            bad("category".into(), "must be at most 100 characters".into());
        }
        if self.notes.chars().count() > 2_000 {
            bad("notes".into(), "must be at most 2000 characters".into());
        }
        if self.lines.is_empty() {
            bad("lines".into(), "a purchase needs at least one line".into());
        }
        if self.lines.len() > MAX_LINES {
            bad(
                "lines".into(),
                format!("{} is more than {MAX_LINES}", self.lines.len()),
            );
        }
        for (i, l) in self.lines.iter().enumerate() {
            if l.description.trim().is_empty() || l.description.chars().count() > 300 {
                bad(
                    format!("lines[{i}].description"),
                    "must be 1 to 300 characters".into(),
                );
            }
            if !(1..=MAX_QUANTITY).contains(&l.quantity) {
                bad(
                    format!("lines[{i}].quantity"),
                    format!("{} is not 1 to {MAX_QUANTITY}", l.quantity),
                );
            }
            if l.unit_price.currency != self.currency {
                bad(
                    format!("lines[{i}].unit_price"),
                    format!(
                        "is in {}, the purchase in {}",
                        l.unit_price.currency, self.currency
                    ),
                );
            } else if l.unit_price.minor < 0 || !l.unit_price.in_range() {
                bad(
                    format!("lines[{i}].unit_price"),
                    "must be 0 to one trillion".into(),
                );
            }
            if !(0..=l.quantity).contains(&l.received) {
                bad(
                    format!("lines[{i}].received"),
                    format!("{} is not 0 to {}", l.received, l.quantity),
                );
            }
        }
        // Only a sum of one currency can overflow; a mixed one is named above.
        let overflow =
            self.lines.iter().all(|l| l.unit_price.currency == self.currency) && self.total().is_none();
        if overflow {
            bad("lines".into(), "the total is beyond one trillion".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// The sum of quantity × unit price over the lines, exactly.
    pub fn total(&self) -> Option<Money> {
        let mut sum = Money::zero(self.currency);
        for l in &self.lines {
            sum = sum.checked_add(l.unit_price.times(l.quantity).ok()?).ok()?;
        }
        Some(sum)
    }

    /// The value of what has arrived.
    pub fn received_value(&self) -> Option<Money> {
        let mut sum = Money::zero(self.currency);
        for l in &self.lines {
            sum = sum.checked_add(l.unit_price.times(l.received).ok()?).ok()?;
        }
        Some(sum)
    }

    /// Whether every line has fully arrived.
    pub fn fully_received(&self) -> bool {
        self.lines.iter().all(|l| l.received >= l.quantity)
    }

    /// Records a delivery of `(line, quantity)` pairs; refuses receiving more
    /// than is still due on a line, an unknown line, or nothing at all.
    /// Returns the status it leads to.
    pub fn receive(&mut self, status: Status, delivery: &[(usize, i64)]) -> Result<Status, ValidationError> {
        if !status.open_order() {
            return Err(ValidationError::field(
                "status",
                format!("a purchase that is {status} cannot be received; only approved orders can"),
            ));
        }
        let mut errors = Vec::new();
        let mut next = self.lines.clone();
        let mut any = false;
        for (n, (line, qty)) in delivery.iter().enumerate() {
            let field = format!("lines[{n}]");
            match next.get_mut(*line) {
                None => errors.push(FieldError {
                    field,
                    message: format!("the order has no line {}", line + 1),
                }),
                Some(_) if *qty < 0 => errors.push(FieldError {
                    field,
                    message: format!("{qty} is not a quantity received"),
                }),
                Some(l) if l.received + qty > l.quantity => errors.push(FieldError {
                    field,
                    message: format!(
                        "{qty} is more than the {} still due of `{}` ({} ordered, {} received)",
                        l.quantity - l.received,
                        l.description,
                        l.quantity,
                        l.received
                    ),
                }),
                Some(l) => {
                    l.received += qty;
                    any |= *qty > 0;
                }
            }
        }
        if errors.is_empty() && !any {
            errors.push(FieldError {
                field: "lines".into(),
                message: "nothing was received; give a quantity for at least one line".into(),
            });
        }
        if !errors.is_empty() {
            return Err(ValidationError { errors });
        }
        self.lines = next;
        Ok(if self.fully_received() {
            Status::Received
        } else {
            Status::PartlyReceived
        })
    }
}

/// What `actor` (of `role`) may do to a purchase requested by `requester`
/// (`None`: made by the stock rule) in `status`; `Err` says why not.
pub fn may_decide(
    rule: &ApprovalRule,
    actor: PersonId,
    role: Role,
    requester: Option<PersonId>,
    status: Status,
    total: Money,
) -> Result<(), String> {
    if !status.awaits_approval() {
        return Err(format!("a purchase that is {status} is not waiting for approval"));
    }
    if requester == Some(actor) {
        return Err("nobody approves their own request".into());
    }
    rule.may_approve(role, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::eur())
    }

    fn order(lines: &[(i64, i64)]) -> PurchaseData {
        PurchaseData {
            title: "Pantry restock".into(),
            vendor: None,
            category: "pantry".into(),
            currency: Currency::eur(),
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, (q, p))| Line {
                    description: format!("item {i}"),
                    stock_item: None,
                    quantity: *q,
                    unit_price: eur(*p),
                    received: 0,
                })
                .collect(),
            needed_by: None,
            notes: String::new(),
        }
    }

    #[test]
    fn totals_are_exact() {
        let p = order(&[(20, 1_890), (6, 7_450), (3, 33)]);
        assert_eq!(p.total(), Some(eur(20 * 1_890 + 6 * 7_450 + 99)));
        assert!(p.validate().is_ok());
    }

    #[test]
    fn approval_follows_the_amount_and_never_the_requester() {
        let rule = ApprovalRule::default();
        let sofia = PersonId(uuid::Uuid::from_u128(1));
        let lars = PersonId(uuid::Uuid::from_u128(2));
        let small = eur(84_000);
        let big = eur(1_200_000);
        assert!(may_decide(&rule, sofia, Role::OfficeManager, None, Status::Draft, small).is_ok());
        assert!(
            may_decide(
                &rule,
                sofia,
                Role::OfficeManager,
                Some(lars),
                Status::Submitted,
                eur(100_000)
            )
            .is_ok()
        );
        let e = may_decide(&rule, sofia, Role::OfficeManager, None, Status::Submitted, big).err();
        assert_eq!(
            e.as_deref(),
            Some(
                "EUR 12,000.00 is above the office manager's limit of EUR 1,000.00; a principal approves it"
            )
        );
        assert!(may_decide(&rule, lars, Role::Principal, Some(sofia), Status::Submitted, big).is_ok());
        assert_eq!(
            may_decide(
                &rule,
                sofia,
                Role::OfficeManager,
                Some(sofia),
                Status::Submitted,
                small
            )
            .err()
            .as_deref(),
            Some("nobody approves their own request")
        );
        assert!(may_decide(&rule, lars, Role::Staff, None, Status::Submitted, eur(1)).is_err());
        assert!(may_decide(&rule, lars, Role::Principal, None, Status::Ordered, small).is_err());
        let usd = Money::new(
            100,
            Currency::parse("USD").unwrap_or_else(|e| unreachable!("{e}")),
        );
        assert!(rule.may_approve(Role::OfficeManager, usd).is_err());
        assert_eq!(rule.approver(big), "a principal");
    }

    #[test]
    fn limits_are_read_per_currency() {
        let r = ApprovalRule::parse("EUR 2500, usd 1100.50").unwrap_or_default();
        assert_eq!(r.limit(Currency::eur()), Some(eur(250_000)));
        assert_eq!(r.office_manager_limits.len(), 2);
        assert!(ApprovalRule::parse("EUR").is_err());
        assert!(ApprovalRule::parse("EUR 10.001").is_err());
        assert!(ApprovalRule::parse("EUR 1, EUR 2").is_err());
        assert_eq!(
            ApprovalRule::parse("").map(|r| r.office_manager_limits.len()),
            Ok(0)
        );
    }

    #[test]
    fn deliveries_never_exceed_the_order() {
        let mut p = order(&[(20, 100), (6, 200)]);
        assert_eq!(
            p.receive(Status::Ordered, &[(0, 12)]).ok(),
            Some(Status::PartlyReceived)
        );
        let e = p
            .receive(Status::PartlyReceived, &[(0, 9), (1, 6)])
            .err()
            .map(|e| e.summary());
        assert_eq!(
            e.as_deref(),
            Some("lines[0]: 9 is more than the 8 still due of `item 0` (20 ordered, 12 received)")
        );
        // Refused deliveries change nothing.
        assert_eq!(p.lines[1].received, 0);
        assert_eq!(
            p.receive(Status::PartlyReceived, &[(0, 8), (1, 6)]).ok(),
            Some(Status::Received)
        );
        assert_eq!(p.received_value(), p.total());
        assert!(p.receive(Status::Received, &[(0, 1)]).is_err());
        assert!(order(&[(1, 1)]).receive(Status::Submitted, &[(0, 1)]).is_err());
        assert!(order(&[(1, 1)]).receive(Status::Ordered, &[(3, 1)]).is_err());
        assert!(order(&[(1, 1)]).receive(Status::Ordered, &[(0, 0)]).is_err());
    }

    #[test]
    fn bad_purchases_name_every_field() {
        let mut p = order(&[(0, 100), (2, -5)]);
        p.title = String::new();
        p.lines[1].unit_price = Money::new(5, Currency::parse("USD").unwrap_or_else(|e| unreachable!("{e}")));
        let fields: Vec<String> = p
            .validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["title", "lines[0].quantity", "lines[1].unit_price"]);
        assert!(order(&[]).validate().is_err());
    }

    proptest! {
        /// An order can never skip approval: whatever sequence of actions is
        /// tried, goods are only ever received after an approval.
        #[test]
        fn an_order_never_skips_approval(actions in proptest::collection::vec(0usize..6, 0..40)) {
            let mut p = order(&[(5, 100)]);
            let mut status = Status::Draft;
            let mut approved = false;
            for a in actions {
                match a {
                    0 if status == Status::Draft => status = Status::Submitted,
                    1 if status.awaits_approval() => { status = Status::Ordered; approved = true; }
                    2 if status.awaits_approval() => status = Status::Rejected,
                    3 | 4 => {
                        if let Ok(next) = p.receive(status, &[(0, 1)]) {
                            prop_assert!(approved, "received while {status} without approval");
                            status = next;
                        }
                    }
                    5 if status.open_order() && p.lines[0].received == 0 => status = Status::Cancelled,
                    _ => {}
                }
                prop_assert!(p.lines[0].received <= p.lines[0].quantity);
                prop_assert!(p.lines[0].received == 0 || approved);
            }
        }
    }
}
