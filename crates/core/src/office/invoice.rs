//! Invoices: registered with their lines and VAT, matched against the
//! purchase order and what was received (the three-way match), checked for
//! likely duplicates, approved by amount (never by whoever registered them),
//! tracked to their due date and marked paid.
//!
//! Amounts are exact: each line's VAT is rounded half to even once, on the
//! line; the invoice's VAT is the sum of its lines'.

use crate::error::{FieldError, ValidationError};
use crate::ids::{ContractId, PurchaseId, VendorId};
use crate::macros::named_enum;
use crate::office::money::{Currency, Money};
use crate::office::purchase::PurchaseData;
use crate::office::stock::MAX_QUANTITY;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The highest VAT rate accepted, in basis points (100%).
pub const MAX_VAT_BP: u32 = 10_000;

named_enum!(
    /// Where an invoice stands.
    InvoiceStatus, "status", {
        /// Registered, waiting for approval.
        Received = "received",
        /// Approved for payment.
        Approved = "approved",
        Paid = "paid",
        Rejected = "rejected",
    }
);

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    pub unit_price: Money,
    /// VAT in basis points: 2100 is 21%.
    pub vat_bp: u32,
}

impl InvoiceLine {
    pub fn net(&self) -> Option<Money> {
        self.unit_price.times(self.quantity).ok()
    }

    pub fn vat(&self) -> Option<Money> {
        self.net()?.ratio(i64::from(self.vat_bp), 10_000).ok()
    }
}

/// The net amount that, with `vat_bp` VAT rounded as a line's is, comes to
/// `gross`; `None` when no amount in whole minor units does.
pub fn net_of_gross(gross: Money, vat_bp: u32) -> Option<Money> {
    let guess = gross.ratio(10_000, 10_000 + i64::from(vat_bp)).ok()?;
    (-2..=2).find_map(|d| {
        let net = Money::new(guess.minor + d, gross.currency);
        let vat = net.ratio(i64::from(vat_bp), 10_000).ok()?;
        (net.checked_add(vat).ok()? == gross).then_some(net)
    })
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceData {
    pub vendor: VendorId,
    /// The vendor's invoice number.
    pub number: String,
    pub issued_on: Date,
    pub due_on: Date,
    pub currency: Currency,
    pub lines: Vec<InvoiceLine>,
    /// The purchase order it bills, for the three-way match.
    #[serde(default)]
    pub purchase: Option<PurchaseId>,
    /// The contract it bills, for the contract's spend.
    #[serde(default)]
    pub contract: Option<ContractId>,
    /// The budget category.
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub notes: String,
}

/// Net, VAT and gross.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
}

/// `INV-2026/114` and `inv 2026 114` are the same number.
pub fn number_key(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl InvoiceData {
    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: String, message: String| errors.push(FieldError { field, message });
        let number = self.number.trim();
        if number.is_empty() || number.chars().count() > 100 || number_key(number).is_empty() {
            bad(
                "number".into(),
                "must be 1 to 100 characters with a letter or digit".into(),
            );
        }
        if self.due_on < self.issued_on {
            bad(
                "due_on".into(),
                format!("{} is before the invoice date {}", self.due_on, self.issued_on),
            );
        }
        if self.lines.is_empty() || self.lines.len() > 100 {
            bad("lines".into(), "an invoice has 1 to 100 lines".into());
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
                        "is in {}, the invoice in {}",
                        l.unit_price.currency, self.currency
                    ),
                );
            } else if l.unit_price.minor < 0 || !l.unit_price.in_range() {
                bad(
                    format!("lines[{i}].unit_price"),
                    "must be 0 to one trillion".into(),
                );
            }
            if l.vat_bp > MAX_VAT_BP {
                bad(
                    format!("lines[{i}].vat"),
                    format!("{}% is more than 100%", l.vat_bp / 100),
                );
            }
        }
        if self.category.chars().count() > 100 {
            bad("category".into(), "must be at most 100 characters".into());
        }
        if self.notes.chars().count() > 2_000 {
            bad("notes".into(), "must be at most 2000 characters".into());
        }
        let same_currency = self.lines.iter().all(|l| l.unit_price.currency == self.currency);
        if same_currency && !self.lines.is_empty() && self.totals().is_none() {
            bad("lines".into(), "the total is beyond one trillion".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// Net, VAT (rounded per line) and gross, exactly.
    pub fn totals(&self) -> Option<Totals> {
        let mut net = Money::zero(self.currency);
        let mut vat = Money::zero(self.currency);
        for l in &self.lines {
            net = net.checked_add(l.net()?).ok()?;
            vat = vat.checked_add(l.vat()?).ok()?;
        }
        Some(Totals {
            net,
            vat,
            gross: net.checked_add(vat).ok()?,
        })
    }
}

/// One difference found by the three-way match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// `price`, `quantity`, `not_ordered`, `not_invoiced`, `total`.
    pub kind: &'static str,
    pub text: String,
}

/// Compares an invoice with its purchase order and what was received. Lines
/// match by description (case and spacing aside). The invoice may bill what
/// arrived; billing more than arrived, another price, or something not
/// ordered is a difference.
pub fn three_way_match(invoice: &InvoiceData, order: &PurchaseData) -> Vec<Difference> {
    let key = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let mut out = Vec::new();
    for l in &invoice.lines {
        match order
            .lines
            .iter()
            .find(|o| key(&o.description) == key(&l.description))
        {
            None => out.push(Difference {
                kind: "not_ordered",
                text: format!("`{}` is not on the order", l.description),
            }),
            Some(o) => {
                if o.unit_price != l.unit_price {
                    out.push(Difference {
                        kind: "price",
                        text: format!(
                            "`{}` is billed at {} a unit, ordered at {}",
                            l.description, l.unit_price, o.unit_price
                        ),
                    });
                }
                if l.quantity > o.received {
                    out.push(Difference {
                        kind: "quantity",
                        text: format!(
                            "`{}`: {} billed, {} received ({} ordered)",
                            l.description, l.quantity, o.received, o.quantity
                        ),
                    });
                }
            }
        }
    }
    for o in &order.lines {
        if o.received > 0
            && !invoice
                .lines
                .iter()
                .any(|l| key(&l.description) == key(&o.description))
        {
            out.push(Difference {
                kind: "not_invoiced",
                text: format!("`{}` was received but is not on this invoice", o.description),
            });
        }
    }
    if let (Some(t), Some(ordered)) = (invoice.totals(), order.total())
        && t.net.currency == ordered.currency
        && t.net.minor > ordered.minor
    {
        out.push(Difference {
            kind: "total",
            text: format!("the invoice's net {} is more than the order's {}", t.net, ordered),
        });
    }
    out
}

/// Why `candidate` looks like a duplicate of `existing` (another invoice of
/// the same organisation), if it does: the same vendor and number, or the
/// same vendor, amount and date.
pub fn duplicate_reason(candidate: &InvoiceData, existing: &InvoiceData) -> Option<String> {
    if candidate.vendor != existing.vendor {
        return None;
    }
    if number_key(&candidate.number) == number_key(&existing.number) {
        return Some(format!(
            "the vendor's invoice {} is already registered",
            existing.number
        ));
    }
    let (Some(a), Some(b)) = (candidate.totals(), existing.totals()) else {
        return None;
    };
    (a.gross == b.gross && candidate.issued_on == existing.issued_on).then(|| {
        format!(
            "invoice {} from the same vendor has the same amount ({}) and date",
            existing.number, a.gross
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::office::purchase::Line;
    use jiff::civil::date;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::eur())
    }

    fn invoice(lines: &[(&str, i64, i64)]) -> InvoiceData {
        InvoiceData {
            vendor: VendorId(uuid::Uuid::from_u128(7)),
            number: "INV-2026/114".into(),
            issued_on: date(2026, 11, 30),
            due_on: date(2026, 12, 30),
            currency: Currency::eur(),
            lines: lines
                .iter()
                .map(|(d, q, p)| InvoiceLine {
                    description: (*d).into(),
                    quantity: *q,
                    unit_price: eur(*p),
                    vat_bp: 2_100,
                })
                .collect(),
            purchase: None,
            contract: None,
            category: String::new(),
            notes: String::new(),
        }
    }

    #[test]
    fn a_gross_amount_splits_into_net_and_vat_exactly_or_not_at_all() {
        let gross_of = |net: Money, bp: u32| {
            let line = InvoiceLine {
                description: String::new(),
                quantity: 1,
                unit_price: net,
                vat_bp: bp,
            };
            line.net()
                .zip(line.vat())
                .and_then(|(n, v)| n.checked_add(v).ok())
        };
        for (gross, bp, net) in [
            (38_620, 2_100, 31_917),
            (121, 2_100, 100),
            (109, 900, 100),
            (500, 0, 500),
        ] {
            assert_eq!(net_of_gross(eur(gross), bp), Some(eur(net)), "{gross} at {bp}");
            assert_eq!(gross_of(eur(net), bp), Some(eur(gross)));
        }
        // No net comes to 0.03 at 21% (0.02 → 0.02, 0.03 → 0.04).
        assert_eq!(net_of_gross(eur(3), 2_100), None);
        // Every gross from 0.01 to 50.00 at 21% either splits exactly or is refused.
        for g in 1..5_000 {
            if let Some(n) = net_of_gross(eur(g), 2_100) {
                assert_eq!(gross_of(n, 2_100), Some(eur(g)));
            }
        }
    }

    #[test]
    fn vat_is_rounded_per_line_and_summed() {
        // 3 × 0.33 = 0.99 net, 21% = 0.2079 → 0.21; 1 × 0.05 → 0.0105 → 0.01.
        let i = invoice(&[("pens", 3, 33), ("clip", 1, 5)]);
        let t = i.totals().unwrap_or_else(|| unreachable!());
        assert_eq!((t.net, t.vat, t.gross), (eur(104), eur(22), eur(126)));
    }

    #[test]
    fn the_three_way_match_names_each_difference() {
        let order = PurchaseData {
            title: "Toner".into(),
            vendor: None,
            category: String::new(),
            currency: Currency::eur(),
            lines: vec![
                Line {
                    description: "Printer toner, black".into(),
                    stock_item: None,
                    quantity: 6,
                    unit_price: eur(7_450),
                    received: 4,
                },
                Line {
                    description: "Delivery".into(),
                    stock_item: None,
                    quantity: 1,
                    unit_price: eur(995),
                    received: 1,
                },
            ],
            needed_by: None,
            notes: String::new(),
        };
        let good = invoice(&[("printer toner,  BLACK", 4, 7_450), ("Delivery", 1, 995)]);
        assert!(three_way_match(&good, &order).is_empty());
        let bad = invoice(&[("Printer toner, black", 6, 7_600), ("Gift wrap", 1, 100)]);
        let kinds: Vec<&str> = three_way_match(&bad, &order).iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            ["price", "quantity", "not_ordered", "not_invoiced", "total"]
        );
    }

    #[test]
    fn duplicates_by_number_or_by_amount_and_date() {
        let a = invoice(&[("cleaning", 1, 420_000)]);
        let mut b = invoice(&[("cleaning", 1, 420_000)]);
        b.number = "inv 2026-114".into();
        assert!(duplicate_reason(&b, &a).is_some_and(|r| r.contains("already registered")));
        b.number = "INV-2026/115".into();
        assert!(duplicate_reason(&b, &a).is_some_and(|r| r.contains("same amount")));
        b.issued_on = date(2026, 12, 31);
        assert_eq!(duplicate_reason(&b, &a), None);
        b.vendor = VendorId(uuid::Uuid::from_u128(8));
        b.number = a.number.clone();
        assert_eq!(duplicate_reason(&b, &a), None);
    }

    #[test]
    fn bad_invoices_name_every_field() {
        let mut i = invoice(&[("x", 0, 100)]);
        i.number = " / ".into();
        i.due_on = date(2026, 11, 1);
        i.lines[0].vat_bp = 12_000;
        let fields: Vec<String> = i
            .validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["number", "due_on", "lines[0].quantity", "lines[0].vat"]);
    }
}
