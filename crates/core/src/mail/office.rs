//! What a message marked as an invoice says about it: the vendor's invoice
//! number, the amount due, the day it is due and the purchase order it bills.
//! These are suggestions the office manager confirms before the invoice is
//! registered, so a missing hint is `None`, never a guess.

use crate::office::money::{Currency, Money};
use jiff::civil::Date;
use jiff::{Span, ToSpan};

/// The fields of an invoice read from a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceHints {
    /// `INV-2291`, `88-1207`.
    pub number: Option<String>,
    /// The amount due (or the total), with its currency.
    pub amount: Option<Money>,
    pub due_on: Option<Date>,
    /// `PO-2026-0004`: a purchase order named in the message.
    pub purchase: Option<String>,
    /// The VAT rate the amount includes, in basis points (`21% VAT` → 2100).
    pub vat_bp: Option<u32>,
}

/// Reads the invoice fields from a message's subject and text; `received` is
/// the day it arrived (dates without a year are the next such day, and
/// "within 30 days" counts from it).
pub fn invoice_hints(subject: &str, text: &str, received: Date) -> InvoiceHints {
    let all = format!("{subject}\n{text}");
    let words: Vec<&str> = all
        .split_whitespace()
        .map(trim_word)
        .filter(|w| !w.is_empty())
        .collect();
    InvoiceHints {
        number: number(&words),
        amount: amount(&words),
        due_on: due(&words, received),
        purchase: words
            .iter()
            .find(|w| {
                let l = w.to_ascii_lowercase();
                l.starts_with("po-") && l.len() > 3 && l[3..].bytes().any(|b| b.is_ascii_digit())
            })
            .map(|w| w.to_ascii_uppercase()),
        vat_bp: vat(&words),
    }
}

/// A percentage within three words of "VAT" (or "BTW", "MwSt", "TVA", "IVA",
/// "tax"): `incl. 21% VAT`, `BTW 9%`, `VAT (21 %)`.
fn vat(words: &[&str]) -> Option<u32> {
    let is_vat = |w: &str| {
        matches!(
            lower(w).as_str(),
            "vat" | "btw" | "mwst" | "tva" | "iva" | "tax" | "gst"
        )
    };
    for (i, w) in words.iter().enumerate() {
        let pct = match w.strip_suffix('%') {
            Some(n) if !n.is_empty() => n,
            // `21 %`
            _ if words.get(i + 1) == Some(&"%") => w,
            _ => continue,
        };
        let Ok(p) = pct.replace(',', ".").parse::<f64>() else {
            continue;
        };
        let near = words[i.saturating_sub(3)..(i + 4).min(words.len())]
            .iter()
            .any(|w| is_vat(w));
        if near && (0.0..=100.0).contains(&p) {
            return Some((p * 100.0).round() as u32);
        }
    }
    None
}

/// A word without the punctuation around it (a trailing `.`, `,`, `:`, quotes
/// and brackets); `#` before a number goes too.
fn trim_word(w: &str) -> &str {
    w.trim_matches(|c: char| {
        matches!(
            c,
            ',' | '.' | ':' | ';' | '(' | ')' | '"' | '\'' | '!' | '?' | '#'
        )
    })
}

fn lower(w: &str) -> String {
    w.to_lowercase()
}

/// The first word after "invoice" (or "factuur", "rechnung", "facture") that
/// holds a digit, skipping "no", "number", "nr" and "#".
fn number(words: &[&str]) -> Option<String> {
    for (i, w) in words.iter().enumerate() {
        if !matches!(lower(w).as_str(), "invoice" | "factuur" | "rechnung" | "facture") {
            continue;
        }
        for next in words.iter().skip(i + 1).take(3) {
            let l = lower(next);
            if matches!(
                l.as_str(),
                "no" | "number" | "nr" | "num" | "nummer" | "n°" | "ref"
            ) {
                continue;
            }
            if next.bytes().any(|b| b.is_ascii_digit())
                && next.len() <= 40
                && next
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '_' | '.'))
            {
                return Some((*next).to_string());
            }
            break;
        }
    }
    None
}

/// Amounts with a currency (`EUR 1,450.00`, `€1.450,00`, `612.40 USD`, `$99`):
/// the first one after "total", "amount", "due" or "balance", else the largest.
fn amount(words: &[&str]) -> Option<Money> {
    let mut best: Option<(bool, Money)> = None;
    for i in 0..words.len() {
        let Some(m) = money_at(words, i) else {
            continue;
        };
        let keyed = words[i.saturating_sub(4)..i].iter().any(|w| {
            matches!(
                lower(w).as_str(),
                "total" | "amount" | "due" | "balance" | "payable" | "totaal" | "bedrag"
            )
        });
        best = match best {
            None => Some((keyed, m)),
            Some((true, b)) => Some((true, b)),
            Some((false, _)) if keyed => Some((true, m)),
            Some((false, b)) => Some((
                false,
                if m.minor > b.minor && m.currency == b.currency {
                    m
                } else {
                    b
                },
            )),
        };
    }
    best.map(|(_, m)| m)
}

/// An amount starting at word `i`: a code or symbol and a number, in either order.
fn money_at(words: &[&str], i: usize) -> Option<Money> {
    let w = words[i];
    // A symbol glued to the number: `€1,450.00`, `$99`, `£12.50`.
    for (sym, code) in [("€", "EUR"), ("$", "USD"), ("£", "GBP")] {
        if let Some(rest) = w.strip_prefix(sym) {
            let currency = Currency::parse(code).ok()?;
            return if rest.is_empty() {
                words.get(i + 1).and_then(|n| number_of(n, currency))
            } else {
                number_of(rest, currency)
            };
        }
    }
    // A code before the number: `EUR 1,450.00`, `EUR1450`.
    if w.len() >= 3 && w.is_char_boundary(3) && w[..3].bytes().all(|b| b.is_ascii_uppercase()) {
        let (code, rest) = w.split_at(3);
        if let Ok(currency) = Currency::parse(code) {
            return if rest.is_empty() {
                words.get(i + 1).and_then(|n| number_of(n, currency))
            } else {
                number_of(rest, currency)
            };
        }
    }
    // A number before a code or symbol: `612.40 EUR`, `1.450,00 €`.
    if let Some(next) = words.get(i + 1) {
        let code = match *next {
            "€" => Some("EUR"),
            "$" => Some("USD"),
            "£" => Some("GBP"),
            n if n.len() == 3 && n.bytes().all(|b| b.is_ascii_uppercase()) => Some(n),
            _ => None,
        };
        if let Some(currency) = code.and_then(|c| Currency::parse(c).ok()) {
            return number_of(w, currency);
        }
    }
    None
}

/// A number written either way: `1,450.00` or `1.450,00` or `1450`.
fn number_of(text: &str, currency: Currency) -> Option<Money> {
    let t = text.trim_end_matches(['-', '=']);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'.') {
        return None;
    }
    if !t.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    // The last separator followed by one or two digits is the decimal point.
    let normal = match t.rfind([',', '.']) {
        Some(p) if t.len() - p - 1 <= 2 => {
            let (whole, frac) = (&t[..p], &t[p + 1..]);
            let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
            format!("{whole}.{frac}")
        }
        _ => t.chars().filter(char::is_ascii_digit).collect(),
    };
    Money::parse(&normal, currency).ok().filter(|m| m.minor > 0)
}

/// The due day: a date after "due" (`due 15 December`, `due on 2026-12-15`,
/// `due by December 15`), or "within N days" / "net N" from `received`.
fn due(words: &[&str], received: Date) -> Option<Date> {
    for i in 0..words.len() {
        let l = lower(words[i]);
        if matches!(l.as_str(), "due" | "before" | "by") {
            let mut j = i + 1;
            while words
                .get(j)
                .is_some_and(|w| matches!(lower(w).as_str(), "on" | "by" | "date" | "before" | "the"))
            {
                j += 1;
            }
            if let Some((month, day, year)) = parse_date(words, j) {
                return resolve(month, day, year, received);
            }
        }
        let days = match (l.as_str(), words.get(i + 1), words.get(i + 2)) {
            ("within", Some(n), Some(d)) if lower(d).starts_with("day") => n.parse::<i64>().ok(),
            ("net", Some(n), _) => n.parse::<i64>().ok(),
            _ => None,
        };
        if let Some(n) = days.filter(|n| (1..=365).contains(n)) {
            return received.checked_add(Span::new().days(n)).ok();
        }
    }
    None
}

/// A date at word `i`: `2026-12-15`, `15 December [2026]`, `December 15[,] [2026]`.
fn parse_date(words: &[&str], i: usize) -> Option<(i8, i8, Option<i16>)> {
    let w = words.get(i)?;
    if let Ok(d) = w.parse::<Date>() {
        return Some((d.month(), d.day(), Some(d.year())));
    }
    let year = |k: usize| {
        words
            .get(k)
            .and_then(|y| y.parse::<i16>().ok())
            .filter(|y| (2000..=2100).contains(y))
    };
    if let Some(day) = day_of(w)
        && let Some(month) = words.get(i + 1).and_then(|m| month_of(m))
    {
        return Some((month, day, year(i + 2)));
    }
    if let Some(month) = month_of(w)
        && let Some(day) = words.get(i + 1).and_then(|d| day_of(d))
    {
        return Some((month, day, year(i + 2)));
    }
    None
}

fn day_of(w: &str) -> Option<i8> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse::<i8>().ok().filter(|d| (1..=31).contains(d))
}

fn month_of(w: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let l = lower(w);
    if l.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| *m == l || (l.len() <= 4 && m.starts_with(l.trim_end_matches('.'))))
        .and_then(|p| i8::try_from(p + 1).ok())
}

/// A day and month with or without a year: without one, the first such day
/// from two months before `received` on (an invoice may arrive overdue).
fn resolve(month: i8, day: i8, year: Option<i16>, received: Date) -> Option<Date> {
    if let Some(y) = year {
        return Date::new(y, month, day).ok();
    }
    let from = received.checked_sub(2.months()).ok()?;
    (0..=1)
        .filter_map(|k| Date::new(from.year() + k, month, day).ok())
        .find(|d| *d >= from)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use jiff::civil::date;

    fn eur(text: &str) -> Option<Money> {
        Money::parse(text, Currency::eur()).ok()
    }

    #[test]
    fn reads_an_invoice_mail() {
        let h = invoice_hints(
            "Invoice INV-2291: payment due 15 December",
            "Dear Sofia,\n\nPlease find our invoice INV-2291 for November's office cleaning, \
             amount due EUR 1,450.00, payment due 15 December.\n\nSparkle",
            date(2026, 12, 2),
        );
        assert_eq!(h.number.as_deref(), Some("INV-2291"));
        assert_eq!(h.amount, eur("1450.00"));
        assert_eq!(h.due_on, Some(date(2026, 12, 15)));
        assert_eq!(h.purchase, None);
        assert_eq!(h.vat_bp, None);
    }

    #[test]
    fn reads_the_vat_rate_the_amount_includes() {
        let d = date(2026, 12, 1);
        for (text, bp) in [
            ("Total EUR 386.20 incl. 21% VAT.", Some(2_100)),
            ("Totaal € 109,00 (BTW 9%)", Some(900)),
            ("Amount due EUR 121.00, VAT (21 %) included", Some(2_100)),
            ("Gesamt 119,00 EUR inkl. 19% MwSt.", Some(1_900)),
            ("A 10% discount on your next order. Total EUR 90.00.", None),
        ] {
            assert_eq!(invoice_hints("Invoice 1", text, d).vat_bp, bp, "{text}");
        }
    }

    #[test]
    fn reads_numbers_amounts_and_days_written_many_ways() {
        let h = invoice_hints(
            "Invoice 88-1207 for order PO-2026-0004",
            "Invoice 88-1207: 40 reams of A4 paper, 12 toner cartridges. Amount due EUR 612.40.",
            date(2026, 11, 30),
        );
        assert_eq!(h.number.as_deref(), Some("88-1207"));
        assert_eq!(h.amount, eur("612.40"));
        assert_eq!(h.purchase.as_deref(), Some("PO-2026-0004"));
        assert_eq!(h.due_on, None);

        let h = invoice_hints(
            "Factuur nr. 2026/0114",
            "Totaal: € 1.450,00 — te betalen within 30 days.",
            date(2026, 12, 1),
        );
        assert_eq!(h.number.as_deref(), Some("2026/0114"));
        assert_eq!(h.amount, eur("1450.00"));
        assert_eq!(h.due_on, Some(date(2026, 12, 31)));

        let h = invoice_hints(
            "Your invoice #4411",
            "Subtotal $80.00, tax $19.00, total $99.00. Due by January 5th.",
            date(2026, 12, 20),
        );
        assert_eq!(h.number.as_deref(), Some("4411"));
        assert_eq!(
            h.amount.map(|m| (m.minor, m.currency.code())),
            Some((9_900, "USD"))
        );
        assert_eq!(h.due_on, Some(date(2027, 1, 5)));

        let h = invoice_hints("Invoice", "Please pay 250.00 GBP net 14.", date(2026, 3, 1));
        assert_eq!(
            h.amount.map(|m| (m.minor, m.currency.code())),
            Some((25_000, "GBP"))
        );
        assert_eq!(h.due_on, Some(date(2026, 3, 15)));
        assert_eq!(h.number, None);
    }

    #[test]
    fn an_overdue_reminder_keeps_its_past_due_day() {
        let h = invoice_hints(
            "Reminder",
            "Invoice 7781 was due on 20 November 2026.",
            date(2026, 12, 3),
        );
        assert_eq!(h.due_on, Some(date(2026, 11, 20)));
        let h = invoice_hints(
            "Reminder",
            "Invoice 7781 was due on 20 November.",
            date(2026, 12, 3),
        );
        assert_eq!(h.due_on, Some(date(2026, 11, 20)));
    }

    #[test]
    fn nothing_is_guessed() {
        let h = invoice_hints("Invoice", "Thanks for your business.", date(2026, 12, 3));
        assert_eq!(h, InvoiceHints::default());
        // A year is not an amount, and an invoice word with no number is no number.
        let h = invoice_hints("Invoice for 2026", "See the invoice attached.", date(2026, 12, 3));
        assert_eq!(h.number, None);
        assert_eq!(h.amount, None);
    }
}
