//! Money, exactly: an integer count of a currency's minor units (cents, yen,
//! fils) and the ISO 4217 currency. No floating point anywhere: amounts are
//! parsed from decimal text, summed with overflow checks, scaled by whole
//! numbers and converted at a rate given as decimal text, rounding half to
//! even once, at the end.

use crate::error::ValidationError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The largest amount we accept, in major units: a trillion. Anything above is
/// a typo, not an office's money, and keeps every product far from `i64::MAX`.
pub const MAX_MAJOR: i64 = 1_000_000_000_000;

/// An ISO 4217 currency with a fixed number of minor units (EUR 2, JPY 0,
/// BHD 3). Funds and precious metals (XAU, XDR, …) have none and are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// The currency for a code such as `EUR` (case-insensitive).
    pub fn parse(code: &str) -> Result<Self, String> {
        let t = code.trim().to_ascii_uppercase();
        let c = iso_currency::Currency::from_code(&t)
            .ok_or_else(|| format!("`{}` is not an ISO 4217 currency code", code.trim()))?;
        if c.exponent().is_none() {
            return Err(format!("{t} has no minor unit and cannot hold an amount"));
        }
        Ok(Self(c))
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Its name in English, e.g. `Euro`.
    pub fn name(&self) -> &str {
        self.0.name()
    }

    /// Digits after the decimal point: 2 for EUR, 0 for JPY, 3 for BHD.
    pub fn decimals(&self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }

    /// Minor units in one major unit: 100 for EUR.
    pub fn scale(&self) -> i64 {
        10_i64.pow(self.decimals())
    }

    pub fn eur() -> Self {
        Self(iso_currency::Currency::EUR)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount of one currency, in its minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// Why arithmetic on money failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("the amount is beyond one trillion")]
    TooLarge,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Parses decimal text in major units — `1234.5`, `1,234.50`, `-12`,
    /// `1 234,50` is refused (one notation: `.` for decimals, `,` or `_` or a
    /// space between thousands). More decimals than the currency has is an
    /// error, never a silent rounding; so is an amount beyond a trillion.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("is empty; give an amount like 1250.00".into());
        }
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (whole, frac) = match body.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (body, None),
        };
        let digits: String = whole.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
        let grouped_ok = whole
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '_' | ' '))
            && !whole.starts_with([',', '_', ' '])
            && !whole.ends_with([',', '_', ' ']);
        if digits.is_empty() && frac.is_none_or(str::is_empty) || !grouped_ok {
            return Err(format!("`{t}` is not an amount like 1250.00"));
        }
        let frac = frac.unwrap_or("");
        if !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("`{t}` is not an amount like 1250.00"));
        }
        let decimals = currency.decimals() as usize;
        if frac.len() > decimals {
            return Err(match decimals {
                0 => format!("`{t}` has decimals, but {currency} has no minor unit"),
                n => format!("`{t}` has {} decimals, but {currency} has {n}", frac.len()),
            });
        }
        let too_large = || format!("`{t}` is more than one trillion");
        let whole: i64 = if digits.is_empty() {
            0
        } else if digits.len() > 13 {
            return Err(too_large());
        } else {
            digits
                .parse()
                .map_err(|_| format!("`{t}` is not an amount like 1250.00"))?
        };
        if whole > MAX_MAJOR {
            return Err(too_large());
        }
        let padded = format!("{frac:0<decimals$}");
        let frac: i64 = if padded.is_empty() {
            0
        } else {
            padded
                .parse()
                .map_err(|_| format!("`{t}` is not an amount like 1250.00"))?
        };
        let minor = whole * currency.scale() + frac;
        Ok(Self {
            minor: if neg { -minor } else { minor },
            currency,
        })
    }

    /// The amount in major units as plain decimal text, `-1234.50`: what
    /// [`Money::parse`] reads back to the same value.
    pub fn amount(&self) -> String {
        self.render(false)
    }

    /// The amount with thousands separated, `1,234.50`.
    pub fn grouped(&self) -> String {
        self.render(true)
    }

    fn render(&self, group: bool) -> String {
        let scale = self.currency.scale().unsigned_abs();
        let abs = self.minor.unsigned_abs();
        let whole = (abs / scale).to_string();
        let whole = if group {
            let mut out = String::new();
            for (i, ch) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(ch);
            }
            out
        } else {
            whole
        };
        let sign = if self.minor < 0 { "-" } else { "" };
        match self.currency.decimals() as usize {
            0 => format!("{sign}{whole}"),
            d => format!("{sign}{whole}.{:0d$}", abs % scale),
        }
    }

    /// Whether the amount is within ± one trillion.
    pub fn in_range(&self) -> bool {
        self.minor.unsigned_abs() / self.currency.scale().unsigned_abs() <= MAX_MAJOR as u64
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let m = Money::new(
            self.minor.checked_add(other.minor).ok_or(MoneyError::TooLarge)?,
            self.currency,
        );
        m.in_range().then_some(m).ok_or(MoneyError::TooLarge)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.checked_add(Money::new(-other.minor, other.currency))
    }

    /// The amount times a whole number (a quantity, a count of periods).
    pub fn times(self, n: i64) -> Result<Money, MoneyError> {
        let m = Money::new(
            self.minor.checked_mul(n).ok_or(MoneyError::TooLarge)?,
            self.currency,
        );
        m.in_range().then_some(m).ok_or(MoneyError::TooLarge)
    }

    /// The amount times `num / den`, rounded half to even once: a pro-rata
    /// share (10 of 12 months) or a price per unit. `den` must be positive.
    pub fn ratio(self, num: i64, den: i64) -> Result<Money, MoneyError> {
        let q = div_round_half_even(i128::from(self.minor) * i128::from(num), i128::from(den.max(1)));
        let minor = i64::try_from(q).map_err(|_| MoneyError::TooLarge)?;
        let m = Money::new(minor, self.currency);
        m.in_range().then_some(m).ok_or(MoneyError::TooLarge)
    }

    /// The sum of `items`, all in `currency`.
    pub fn sum<'a>(
        currency: Currency,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(*m))
    }

    /// This amount as a share of `whole` in whole percent, rounded down
    /// (`None` when `whole` is zero or in another currency).
    pub fn percent_of(&self, whole: &Money) -> Option<i64> {
        if whole.currency != self.currency || whole.minor == 0 {
            return None;
        }
        Some((i128::from(self.minor) * 100 / i128::from(whole.minor)) as i64)
    }

    /// Converts into `to` at `rate` (units of `to` per unit of this
    /// currency), rounding half to even to `to`'s minor unit.
    pub fn convert(&self, to: Currency, rate: &Rate) -> Result<Money, MoneyError> {
        // minor_to = minor_from × rate × scale_to / scale_from
        let num = i128::from(self.minor) * rate.num * i128::from(to.scale());
        let den = rate.den * i128::from(self.currency.scale());
        let minor = i64::try_from(div_round_half_even(num, den)).map_err(|_| MoneyError::TooLarge)?;
        let m = Money::new(minor, to);
        m.in_range().then_some(m).ok_or(MoneyError::TooLarge)
    }
}

impl fmt::Display for Money {
    /// `EUR 1,234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.grouped())
    }
}

/// An exchange rate as an exact fraction, parsed from decimal text such as
/// `1.0842` (at most 9 decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    num: i128,
    den: i128,
}

impl Rate {
    pub fn parse(text: &str) -> Result<Rate, ValidationError> {
        let bad = || {
            ValidationError::field(
                "rate",
                format!("`{}` is not a positive rate like 1.0842", text.trim()),
            )
        };
        let t = text.trim();
        let (w, f) = t.split_once('.').unwrap_or((t, ""));
        if w.is_empty() && f.is_empty()
            || !w.chars().all(|c| c.is_ascii_digit())
            || !f.chars().all(|c| c.is_ascii_digit())
            || f.len() > 9
            || w.len() > 9
        {
            return Err(bad());
        }
        let den = 10_i128.pow(f.len() as u32);
        let num = format!("{w}{f}").parse::<i128>().map_err(|_| bad())?;
        if num == 0 {
            return Err(bad());
        }
        Ok(Rate { num, den })
    }
}

/// `n / d` rounded to the nearest integer, ties to even; `d > 0`.
fn div_round_half_even(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => {
            if q % 2 == 0 {
                q
            } else {
                q + 1
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cur(c: &str) -> Currency {
        Currency::parse(c).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn eur(s: &str) -> Money {
        Money::parse(s, cur("EUR")).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(cur("eur").decimals(), 2);
        assert_eq!(cur("JPY").decimals(), 0);
        assert_eq!(cur("BHD").decimals(), 3);
        assert!(
            Currency::parse("EUX")
                .err()
                .unwrap_or_default()
                .contains("not an ISO 4217")
        );
        assert!(
            Currency::parse("XAU")
                .err()
                .unwrap_or_default()
                .contains("no minor unit")
        );
    }

    #[test]
    fn parsing_is_exact_and_refuses_what_the_currency_cannot_hold() {
        assert_eq!(eur("1,234.5").minor, 123_450);
        assert_eq!(eur("1_234.56").minor, 123_456);
        assert_eq!(eur("-0.01").minor, -1);
        assert_eq!(eur(".5").minor, 50);
        assert_eq!(eur("12").minor, 1200);
        assert_eq!(Money::parse("1500", cur("JPY")).map(|m| m.minor), Ok(1500));
        assert_eq!(Money::parse("1.234", cur("BHD")).map(|m| m.minor), Ok(1234));
        let e = Money::parse("12.345", cur("EUR")).err().unwrap_or_default();
        assert_eq!(e, "`12.345` has 3 decimals, but EUR has 2");
        assert!(
            Money::parse("12.5", cur("JPY"))
                .err()
                .unwrap_or_default()
                .contains("no minor unit")
        );
        for bad in ["", "abc", "1.2.3", "1e5", ",100", "100,", "12.-5", "--1", "."] {
            assert!(Money::parse(bad, cur("EUR")).is_err(), "{bad}");
        }
        assert!(
            Money::parse("1000000000001", cur("EUR"))
                .err()
                .unwrap_or_default()
                .contains("trillion")
        );
        assert!(Money::parse("99999999999999999999", cur("EUR")).is_err());
        assert!(Money::parse("1000000000000", cur("EUR")).is_ok());
    }

    #[test]
    fn rendering_round_trips() {
        assert_eq!(eur("1234567.5").grouped(), "1,234,567.50");
        assert_eq!(eur("-0.05").amount(), "-0.05");
        assert_eq!(eur("999").to_string(), "EUR 999.00");
        assert_eq!(Money::new(123_456, cur("JPY")).to_string(), "JPY 123,456");
        assert_eq!(Money::new(-1_234_567, cur("BHD")).grouped(), "-1,234.567");
    }

    #[test]
    fn sums_refuse_mixed_currencies_and_overflow() {
        let items = [eur("0.10"), eur("0.20"), eur("0.30")];
        assert_eq!(Money::sum(cur("EUR"), &items), Ok(eur("0.60")));
        assert_eq!(
            eur("1").checked_add(Money::new(1, cur("USD"))),
            Err(MoneyError::CurrencyMismatch(cur("EUR"), cur("USD")))
        );
        assert_eq!(eur("999999999999").times(10), Err(MoneyError::TooLarge));
        assert_eq!(
            Money::new(i64::MAX, cur("EUR")).times(2),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn ratios_and_conversions_round_half_to_even_once() {
        // 1,000.00 a quarter for 10 months: 10/3 of it.
        assert_eq!(eur("1000").ratio(10, 3), Ok(eur("3333.33")));
        assert_eq!(
            Money::new(5, cur("EUR")).ratio(1, 2),
            Ok(Money::new(2, cur("EUR")))
        );
        assert_eq!(
            Money::new(15, cur("EUR")).ratio(1, 10),
            Ok(Money::new(2, cur("EUR")))
        );
        assert_eq!(
            Money::new(-15, cur("EUR")).ratio(1, 10),
            Ok(Money::new(-2, cur("EUR")))
        );
        let rate = Rate::parse("1.0842").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            eur("100").convert(cur("USD"), &rate),
            Ok(Money::new(10_842, cur("USD")))
        );
        let yen = Rate::parse("161.5").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            eur("10.01").convert(cur("JPY"), &yen),
            Ok(Money::new(1617, cur("JPY")))
        );
        let back = Rate::parse("0.0062").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(
            Money::new(1617, cur("JPY")).convert(cur("EUR"), &back),
            Ok(eur("10.03"))
        );
        for bad in ["0", "-1", "abc", "1.0000000001", ""] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_uses_the_code_and_refuses_unknown_ones() {
        let m = eur("12.50");
        let j = serde_json::to_string(&m).unwrap_or_default();
        assert_eq!(j, r#"{"minor":1250,"currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&j).ok(), Some(m));
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"ZZZ"}"#).is_err());
    }

    proptest! {
        #[test]
        fn parse_reads_back_what_amount_writes(minor in -1_000_000_000_000i64..1_000_000_000_000, c in 0usize..4) {
            let currency = cur(["EUR", "JPY", "BHD", "USD"][c]);
            let m = Money::new(minor, currency);
            prop_assert_eq!(Money::parse(&m.amount(), currency), Ok(m));
            prop_assert_eq!(Money::parse(&m.grouped(), currency), Ok(m));
        }

        #[test]
        fn sums_are_associative_and_exact(xs in proptest::collection::vec(-1_000_000_000i64..1_000_000_000, 0..50)) {
            let c = cur("EUR");
            let items: Vec<Money> = xs.iter().map(|x| Money::new(*x, c)).collect();
            let total = Money::sum(c, &items);
            prop_assert_eq!(total.clone().map(|m| m.minor), Ok(xs.iter().sum::<i64>()));
            let (a, b) = items.split_at(items.len() / 2);
            let halves = Money::sum(c, a).and_then(|x| Money::sum(c, b).and_then(|y| x.checked_add(y)));
            prop_assert_eq!(halves, total);
        }

        #[test]
        fn pro_rata_shares_never_drift_more_than_half_a_cent(minor in 0i64..100_000_000_000, n in 1i64..120, d in 1i64..120) {
            let m = Money::new(minor, cur("EUR"));
            let share = m.ratio(n, d);
            prop_assert!(share.is_ok());
            let exact = i128::from(minor) * i128::from(n);
            let got = i128::from(share.map(|s| s.minor).unwrap_or_default()) * i128::from(d);
            prop_assert!((exact - got).abs() * 2 <= i128::from(d));
        }
    }
}
