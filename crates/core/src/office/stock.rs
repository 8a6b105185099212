//! Supplies: stock items with a unit, a place, a quantity on hand, a reorder
//! point and a reorder quantity; and the movements that change the quantity —
//! taking some (consumption), receiving a delivery, counting what is there.
//!
//! The one rule that must never break: the quantity on hand is never
//! negative. Taking more than there is, or receiving beyond a million, is
//! refused with a reason and changes nothing.

use crate::error::{FieldError, ValidationError};
use crate::ids::VendorId;
use crate::macros::named_enum;
use crate::office::money::Money;
use serde::{Deserialize, Serialize};

/// The most of one item the office holds or moves at once: beyond is a typo.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// A stock item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockItemData {
    pub name: String,
    /// The supplier's article number.
    #[serde(default)]
    pub sku: String,
    /// What one counts in: `box`, `pack`, `kg`, `cartridge`.
    pub unit: String,
    /// e.g. `pantry`, `printing`, `stationery`.
    #[serde(default)]
    pub category: String,
    /// Where it is kept: `Amsterdam, stock room shelf B`.
    #[serde(default)]
    pub location: String,
    /// At or below this quantity it is low and should be ordered.
    pub reorder_point: i64,
    /// How much one order brings.
    pub reorder_quantity: i64,
    #[serde(default)]
    pub preferred_vendor: Option<VendorId>,
    /// The price of one unit from the preferred vendor.
    #[serde(default)]
    pub unit_price: Option<Money>,
    #[serde(default)]
    pub notes: String,
}

named_enum!(
    /// What a movement does to the quantity on hand.
    MovementKind, "kind", {
        /// Some was taken (used up, handed out).
        Consume = "consume",
        /// A delivery arrived.
        Receive = "receive",
        /// Someone counted what is there; the quantity becomes the count.
        Count = "count",
    }
);

/// `1 box`, `3 boxes`, `2 kg`.
pub fn quantity_label(n: i64, unit: &str) -> String {
    if n == 1 || unit.is_empty() || unit.ends_with('s') || unit.len() <= 2 {
        return format!("{n} {unit}").trim_end().to_string();
    }
    let plural = if unit.ends_with('x') || unit.ends_with("ch") || unit.ends_with("sh") {
        format!("{unit}es")
    } else {
        format!("{unit}s")
    };
    format!("{n} {plural}")
}

impl StockItemData {
    /// The key two items of one organisation may not share: the name,
    /// trimmed and case-folded, with inner spaces collapsed.
    pub fn name_key(&self) -> String {
        self.name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    /// Names every field at fault.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            bad("name", "must be 1 to 200 characters".into());
        }
        let unit = self.unit.trim();
        if unit.is_empty() || unit.chars().count() > 30 {
            bad("unit", "must be 1 to 30 characters, e.g. box".into());
        }
        for (field, v) in [("sku", &self.sku), ("category", &self.category)] {
            if v.chars().count() > 100 {
                bad(field, "must be at most 100 characters".into());
            }
        }
        if self.location.chars().count() > 200 {
            bad("location", "must be at most 200 characters".into());
        }
        if !(0..=MAX_QUANTITY).contains(&self.reorder_point) {
            bad(
                "reorder_point",
                format!("{} is not 0 to {MAX_QUANTITY}", self.reorder_point),
            );
        }
        if !(1..=MAX_QUANTITY).contains(&self.reorder_quantity) {
            bad(
                "reorder_quantity",
                format!("{} is not 1 to {MAX_QUANTITY}", self.reorder_quantity),
            );
        }
        if let Some(p) = &self.unit_price {
            if p.minor < 0 {
                bad("unit_price", "must not be negative".into());
            } else if !p.in_range() {
                bad("unit_price", "is more than one trillion".into());
            }
        }
        if self.notes.chars().count() > 2_000 {
            bad("notes", "must be at most 2000 characters".into());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }

    /// Whether `on_hand` is at or below the reorder point.
    pub fn is_low(&self, on_hand: i64) -> bool {
        on_hand <= self.reorder_point
    }

    /// How much to order when `on_hand` is low: the reorder quantity, or
    /// more if that would not lift the stock above the reorder point.
    pub fn suggested_order(&self, on_hand: i64) -> Option<i64> {
        self.is_low(on_hand).then(|| {
            self.reorder_quantity
                .max(self.reorder_point - on_hand + 1)
                .min(MAX_QUANTITY)
        })
    }

    /// What `quantity` units cost at the unit price.
    pub fn cost_of(&self, quantity: i64) -> Option<Money> {
        self.unit_price.and_then(|p| p.times(quantity).ok())
    }
}

/// The quantity after a movement of `amount` on `on_hand`, or why it cannot be.
pub fn apply(on_hand: i64, kind: MovementKind, amount: i64, unit: &str) -> Result<i64, ValidationError> {
    let bad = |m: String| Err(ValidationError::field("quantity", m));
    match kind {
        MovementKind::Consume | MovementKind::Receive if !(1..=MAX_QUANTITY).contains(&amount) => {
            bad(format!("{amount} is not 1 to {MAX_QUANTITY}"))
        }
        MovementKind::Count if !(0..=MAX_QUANTITY).contains(&amount) => {
            bad(format!("{amount} is not 0 to {MAX_QUANTITY}"))
        }
        MovementKind::Consume if amount > on_hand => bad(format!(
            "only {} in stock; cannot take {amount}",
            quantity_label(on_hand, unit)
        )),
        MovementKind::Consume => Ok(on_hand - amount),
        MovementKind::Receive if on_hand + amount > MAX_QUANTITY => bad(format!(
            "{} on hand plus {amount} is more than {MAX_QUANTITY}",
            quantity_label(on_hand, unit)
        )),
        MovementKind::Receive => Ok(on_hand + amount),
        MovementKind::Count => Ok(amount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::office::money::Currency;
    use proptest::prelude::*;

    fn toner() -> StockItemData {
        StockItemData {
            name: "Printer toner, black".into(),
            sku: "TN-2420".into(),
            unit: "cartridge".into(),
            category: "printing".into(),
            location: "Amsterdam, stock room".into(),
            reorder_point: 3,
            reorder_quantity: 6,
            preferred_vendor: None,
            unit_price: Some(Money::new(7_450, Currency::eur())),
            notes: String::new(),
        }
    }

    #[test]
    fn movements_keep_the_quantity_whole() {
        assert_eq!(apply(5, MovementKind::Consume, 2, "box").ok(), Some(3));
        assert_eq!(apply(5, MovementKind::Receive, 10, "box").ok(), Some(15));
        assert_eq!(apply(5, MovementKind::Count, 0, "box").ok(), Some(0));
        let e = apply(3, MovementKind::Consume, 5, "box")
            .err()
            .map(|e| e.summary());
        assert_eq!(
            e.as_deref(),
            Some("quantity: only 3 boxes in stock; cannot take 5")
        );
        for (kind, amount) in [
            (MovementKind::Consume, 0),
            (MovementKind::Consume, -2),
            (MovementKind::Receive, 0),
            (MovementKind::Receive, MAX_QUANTITY + 1),
            (MovementKind::Count, -1),
        ] {
            assert!(apply(10, kind, amount, "box").is_err(), "{kind} {amount}");
        }
        assert!(apply(MAX_QUANTITY, MovementKind::Receive, 1, "box").is_err());
    }

    #[test]
    fn low_stock_suggests_enough_to_climb_above_the_reorder_point() {
        let t = toner();
        assert!(!t.is_low(4));
        assert!(t.is_low(3));
        assert_eq!(t.suggested_order(4), None);
        assert_eq!(t.suggested_order(2), Some(6));
        let mut big = toner();
        big.reorder_point = 20;
        assert_eq!(big.suggested_order(0), Some(21));
        assert_eq!(t.cost_of(6).map(|m| m.to_string()).as_deref(), Some("EUR 447.00"));
    }

    #[test]
    fn bad_items_name_every_field() {
        let mut t = toner();
        t.name = " ".into();
        t.unit = String::new();
        t.reorder_point = -1;
        t.reorder_quantity = 0;
        t.unit_price = Some(Money::new(-1, Currency::eur()));
        let fields: Vec<String> = t
            .validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            ["name", "unit", "reorder_point", "reorder_quantity", "unit_price"]
        );
    }

    #[test]
    fn units_read_as_people_write_them() {
        assert_eq!(quantity_label(1, "box"), "1 box");
        assert_eq!(quantity_label(3, "box"), "3 boxes");
        assert_eq!(quantity_label(2, "cartridge"), "2 cartridges");
        assert_eq!(quantity_label(2, "kg"), "2 kg");
        assert_eq!(quantity_label(4, "packs"), "4 packs");
    }

    proptest! {
        /// Whatever sequence of movements is tried, the quantity never goes
        /// negative, a refused movement changes nothing, and the quantity is
        /// what the accepted movements add up to.
        #[test]
        fn stock_never_goes_negative(start in 0i64..100, moves in proptest::collection::vec((0usize..3, -5i64..60), 0..200)) {
            let mut q = start;
            let mut model = start;
            for (k, amount) in moves {
                let kind = MovementKind::ALL[k];
                match apply(q, kind, amount, "box") {
                    Ok(next) => {
                        prop_assert!(next >= 0);
                        model = match kind {
                            MovementKind::Consume => model - amount,
                            MovementKind::Receive => model + amount,
                            MovementKind::Count => amount,
                        };
                        q = next;
                    }
                    Err(_) => prop_assert!(
                        amount < 0 || amount == 0 && kind != MovementKind::Count || kind == MovementKind::Consume && amount > q
                    ),
                }
                prop_assert_eq!(q, model);
            }
        }
    }
}
