//! Budgets: an amount per category and period (a month, a quarter or a
//! year), against which the office's money is counted —
//!
//! - **actual**: invoices (net, not rejected) of the category dated in the period;
//! - **committed**: approved orders of the category, approved in the period,
//!   not yet invoiced (their total less what their invoices bill);
//! - **remaining**: the budget less actual and committed;
//! - **forecast**: actual spent at the current daily rate over the whole
//!   period, and never less than actual plus committed;
//!
//! and a warning when the forecast passes the budget. Every figure is exact
//! money and is the sum of its parts.

use crate::error::ValidationError;
use crate::office::money::{Currency, Money};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A budget period: `2026-12` (a month), `2026-Q4` (a quarter) or `2026` (a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Month(i16, i8),
    Quarter(i16, i8),
    Year(i16),
}

impl Period {
    /// The first day.
    pub fn start(&self) -> Date {
        let d = match *self {
            Period::Month(y, m) => Date::new(y, m, 1),
            Period::Quarter(y, q) => Date::new(y, (q - 1) * 3 + 1, 1),
            Period::Year(y) => Date::new(y, 1, 1),
        };
        d.unwrap_or(Date::MIN)
    }

    /// The day after the last.
    pub fn end(&self) -> Date {
        let months = match self {
            Period::Month(..) => 1,
            Period::Quarter(..) => 3,
            Period::Year(_) => 12,
        };
        self.start().checked_add(months.months()).unwrap_or(Date::MAX)
    }

    pub fn contains(&self, d: Date) -> bool {
        self.start() <= d && d < self.end()
    }

    /// Days in the period.
    pub fn days(&self) -> i64 {
        days_between(self.start(), self.end())
    }

    /// The quarter holding `d`.
    pub fn quarter_of(d: Date) -> Period {
        Period::Quarter(d.year(), (d.month() - 1) / 3 + 1)
    }

    /// `Q4 2026`, `December 2026`, `2026`.
    pub fn label(&self) -> String {
        match *self {
            Period::Month(..) => self.start().strftime("%B %Y").to_string(),
            Period::Quarter(y, q) => format!("Q{q} {y}"),
            Period::Year(y) => y.to_string(),
        }
    }
}

fn days_between(a: Date, b: Date) -> i64 {
    a.until((jiff::Unit::Day, b))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            Period::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Period::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_uppercase();
        let bad = || {
            ValidationError::field(
                "period",
                format!("`{}` is not a period like 2026-12, 2026-Q4 or 2026", s.trim()),
            )
        };
        let year = |y: &str| -> Result<i16, ValidationError> {
            y.parse::<i16>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(bad)
        };
        match t.split_once('-') {
            None => Ok(Period::Year(year(&t)?)),
            Some((y, rest)) => {
                let y = year(y)?;
                if let Some(q) = rest.strip_prefix('Q') {
                    let q: i8 = q.parse().map_err(|_| bad())?;
                    (1..=4)
                        .contains(&q)
                        .then_some(Period::Quarter(y, q))
                        .ok_or_else(bad)
                } else {
                    let m: i8 = rest.parse().map_err(|_| bad())?;
                    (1..=12)
                        .contains(&m)
                        .then_some(Period::Month(y, m))
                        .ok_or_else(bad)
                }
            }
        }
    }
}

impl TryFrom<String> for Period {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

/// Where a budget stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub budget: Money,
    pub actual: Money,
    pub committed: Money,
    pub remaining: Money,
    pub forecast: Money,
    /// How far the forecast passes the budget, in whole percent (0 when within).
    pub overrun_percent: i64,
    pub warning: Option<String>,
}

/// An order counted against a budget: its total, and what its invoices bill so far.
#[derive(Debug, Clone, Copy)]
pub struct Commitment {
    pub total: Money,
    pub invoiced: Money,
}

/// The figures of a budget of `budget` over `period`, on `today`, from the
/// nets of its invoices and its approved orders. Amounts in another currency
/// than the budget's are left out by the caller.
pub fn figures(
    budget: Money,
    period: Period,
    today: Date,
    invoices: &[Money],
    orders: &[Commitment],
) -> Option<Figures> {
    let c = budget.currency;
    let actual = Money::sum(c, invoices).ok()?;
    let mut committed = Money::zero(c);
    for o in orders {
        let open = o.total.checked_sub(o.invoiced).ok()?;
        if open.minor > 0 {
            committed = committed.checked_add(open).ok()?;
        }
    }
    let remaining = budget.checked_sub(actual).ok()?.checked_sub(committed).ok()?;
    let total_days = period.days().max(1);
    let elapsed = if today < period.start() {
        0
    } else {
        days_between(
            period.start(),
            today.min(period.end().yesterday().unwrap_or(today)),
        ) + 1
    };
    let run_rate = if elapsed == 0 {
        actual
    } else {
        actual.ratio(total_days, elapsed).ok()?
    };
    let floor = actual.checked_add(committed).ok()?;
    let forecast = if run_rate.minor > floor.minor {
        run_rate
    } else {
        floor
    };
    let overrun_percent = if budget.minor > 0 && forecast.minor > budget.minor {
        ((i128::from(forecast.minor - budget.minor) * 100) / i128::from(budget.minor)) as i64
    } else {
        0
    };
    let warning = (forecast.minor > budget.minor).then(|| {
        if overrun_percent > 0 {
            format!("forecast to overrun by {overrun_percent}% ({forecast} of {budget})")
        } else {
            format!("forecast to pass the budget ({forecast} of {budget})")
        }
    });
    Some(Figures {
        budget,
        actual,
        committed,
        remaining,
        forecast,
        overrun_percent,
        warning,
    })
}

/// A budget's own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetData {
    /// The category invoices and orders are counted under: `cleaning`, `catering`, …
    pub category: String,
    pub period: Period,
    pub amount: Money,
    #[serde(default)]
    pub notes: String,
}

impl BudgetData {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = Vec::new();
        let c = self.category.trim();
        if c.is_empty() || c.chars().count() > 100 {
            errors.push(crate::error::FieldError {
                field: "category".into(),
                message: "must be 1 to 100 characters".into(),
            });
        }
        if self.amount.minor <= 0 || !self.amount.in_range() {
            errors.push(crate::error::FieldError {
                field: "amount".into(),
                message: "must be more than zero and at most one trillion".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { errors })
        }
    }
}

/// The currency most budgets use, for totals across categories.
pub fn main_currency(amounts: &[Money]) -> Currency {
    let mut counts: Vec<(Currency, usize)> = Vec::new();
    for m in amounts {
        match counts.iter_mut().find(|(c, _)| *c == m.currency) {
            Some((_, n)) => *n += 1,
            None => counts.push((m.currency, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(c, _)| c)
        .unwrap_or_else(Currency::eur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::eur())
    }

    #[test]
    fn periods_parse_and_bound_their_days() {
        let q: Period = "2026-q4".parse().unwrap_or(Period::Year(0));
        assert_eq!(q, Period::Quarter(2026, 4));
        assert_eq!(
            (q.start(), q.end(), q.days()),
            (date(2026, 10, 1), date(2027, 1, 1), 92)
        );
        assert_eq!("2024-02".parse::<Period>().map(|p| p.days()).ok(), Some(29));
        assert_eq!(
            "2026".parse::<Period>().map(|p| p.label()).ok().as_deref(),
            Some("2026")
        );
        assert_eq!(Period::quarter_of(date(2026, 12, 3)).label(), "Q4 2026");
        for bad in ["2026-13", "2026-Q5", "26-Q1", "next year", "2026-"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_budget_forecast_to_overrun_says_by_how_much() {
        // Q4: 63 of 92 days gone on 2 December; 10,000 spent → 14,603.17 at this rate.
        let f = figures(
            eur(1_350_000),
            Period::Quarter(2026, 4),
            date(2026, 12, 2),
            &[eur(600_000), eur(400_000)],
            &[Commitment {
                total: eur(200_000),
                invoiced: eur(50_000),
            }],
        )
        .unwrap_or_else(|| unreachable!());
        assert_eq!(f.actual, eur(1_000_000));
        assert_eq!(f.committed, eur(150_000));
        assert_eq!(f.remaining, eur(200_000));
        assert_eq!(f.forecast, eur(1_460_317));
        assert_eq!(f.overrun_percent, 8);
        assert_eq!(
            f.warning.as_deref(),
            Some("forecast to overrun by 8% (EUR 14,603.17 of EUR 13,500.00)")
        );
        // Before the period starts the forecast is what is already committed.
        let early = figures(
            eur(100),
            Period::Month(2027, 1),
            date(2026, 12, 2),
            &[],
            &[Commitment {
                total: eur(40),
                invoiced: eur(0),
            }],
        );
        assert_eq!(early.map(|f| (f.forecast, f.warning)), Some((eur(40), None)));
    }

    proptest! {
        /// Budget figures always equal the sums of their parts.
        #[test]
        fn figures_are_the_sums_of_their_parts(
            budget in 1i64..10_000_000_000,
            invoices in proptest::collection::vec(0i64..100_000_000, 0..30),
            orders in proptest::collection::vec((0i64..100_000_000, 0i64..100_000_000), 0..10),
            day in 0i64..120,
        ) {
            let today = date(2026, 9, 15).checked_add(day.days()).unwrap_or(date(2026, 10, 1));
            let inv: Vec<Money> = invoices.iter().map(|m| eur(*m)).collect();
            let ord: Vec<Commitment> = orders.iter().map(|(t, i)| Commitment { total: eur(*t), invoiced: eur(*i) }).collect();
            let f = figures(eur(budget), Period::Quarter(2026, 4), today, &inv, &ord);
            prop_assert!(f.is_some());
            let f = f.unwrap_or_else(|| unreachable!());
            prop_assert_eq!(f.actual.minor, invoices.iter().sum::<i64>());
            prop_assert_eq!(f.committed.minor, orders.iter().map(|(t, i)| (t - i).max(0)).sum::<i64>());
            prop_assert_eq!(f.remaining.minor, budget - f.actual.minor - f.committed.minor);
            prop_assert!(f.forecast.minor >= f.actual.minor + f.committed.minor);
            prop_assert_eq!(f.warning.is_some(), f.forecast.minor > budget);
        }
    }
}
