//! How fast the expense policy answers: every list and report page checks
//! the organisation's expenses against the policy and each other (duplicates)
//! on read. Run with `cargo bench -p adjutant-core --bench expenses`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use adjutant_core::ids::{ExpenseId, PersonId};
use adjutant_core::office::expense::{Expense, ExpenseData, Policy, PolicyRule, check_all};
use adjutant_core::office::money::{Currency, Money};
use jiff::civil::date;
use std::hint::black_box;
use std::time::Instant;
use uuid::Uuid;

fn main() {
    let codes = ["EUR", "USD", "INR"];
    let categories = ["meals", "taxi", "travel", "hotel", "office"];
    let mut rules = Vec::new();
    for code in codes {
        let c = Currency::parse(code).unwrap();
        for (i, cat) in categories.iter().take(4).enumerate() {
            rules.push(PolicyRule {
                category: (*cat).into(),
                currency: c,
                limit: Some(Money::new(6_000 * (i as i64 + 1), c)),
                receipt_above: Some(Money::new(2_500, c)),
            });
        }
        rules.push(PolicyRule {
            category: "default".into(),
            currency: c,
            limit: None,
            receipt_above: Some(Money::new(2_500, c)),
        });
    }
    let policy = Policy { rules };
    // 10,000 expenses of 200 people over a year, in three currencies, some
    // without receipts, some filed twice.
    let expenses: Vec<Expense> = (0..10_000u32)
        .map(|i| {
            let c = Currency::parse(codes[(i % 3) as usize]).unwrap();
            let n = if i % 50 == 0 { i - 1 } else { i };
            Expense {
                id: ExpenseId(Uuid::from_u128(u128::from(i) + 1)),
                person: PersonId(Uuid::from_u128(u128::from(n % 200) + 100_000)),
                data: ExpenseData {
                    date: date(2026, (n % 12 + 1) as i8, (n % 28 + 1) as i8),
                    merchant: format!("Merchant {}", n % 97),
                    category: categories[(n % 5) as usize].into(),
                    amount: Money::new(i64::from(n % 9_000) + 500, c),
                    project: String::new(),
                    description: String::new(),
                },
                has_receipt: i % 7 != 0,
            }
        })
        .collect();
    let mut runs = Vec::new();
    let mut found = 0;
    for _ in 0..30 {
        let t = Instant::now();
        let all = check_all(black_box(&expenses), black_box(&policy));
        runs.push(t.elapsed());
        found = all.iter().map(Vec::len).sum::<usize>();
    }
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "policy check of 10,000 expenses (limits, receipts, duplicates): median {:.1} ms ({:.2} µs an expense), {found} findings",
        median.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e6 / 10_000.0
    );
}
