//! How fast the contract rules answer: the office dashboard and the daily
//! brief ask every contract of the organisation for its standing and its
//! alerts on each view. Run with `cargo bench -p adjutant-core --bench contracts`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use adjutant_core::ids::VendorId;
use adjutant_core::office::contract::{ContractData, Notice, NoticeUnit, Period};
use adjutant_core::office::money::{Currency, Money};
use jiff::civil::date;
use std::hint::black_box;
use std::time::Instant;
use uuid::Uuid;

fn main() {
    // 10,000 contracts begun over twelve years on every day of the month, with
    // terms, renewals and notice periods in every unit: a far larger book than
    // one office holds, to see the per-contract cost.
    let contracts: Vec<ContractData> = (0..10_000u32)
        .map(|i| ContractData {
            title: format!("Contract {i}"),
            vendor: VendorId(Uuid::from_u128(u128::from(i % 40))),
            reference: String::new(),
            category: "facilities".into(),
            owner: None,
            start: date(2015 + (i % 12) as i16, (i % 12 + 1) as i8, (i % 28 + 1) as i8),
            term_months: [12, 24, 36, 6][(i % 4) as usize],
            auto_renew: i % 5 != 0,
            renewal_months: [12, 12, 6, 1][(i % 4) as usize],
            notice: Notice {
                count: [3, 30, 4, 1][(i % 4) as usize],
                unit: [
                    NoticeUnit::Months,
                    NoticeUnit::Days,
                    NoticeUnit::Weeks,
                    NoticeUnit::Months,
                ][(i % 4) as usize],
            },
            value: Money::new(i64::from(i) * 1_000, Currency::eur()),
            value_period: [Period::Month, Period::Quarter, Period::Year][(i % 3) as usize],
            alert_days: 30,
            notes: String::new(),
        })
        .collect();
    let today = date(2026, 12, 3);
    let mut runs = Vec::new();
    let mut alerts = 0;
    for _ in 0..30 {
        let t = Instant::now();
        alerts = 0;
        for c in &contracts {
            let s = black_box(c.standing(today, None));
            black_box(s);
            alerts += c.alerts(today, 60, None).len();
        }
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "standing + alerts of {} contracts: median {:.2} ms ({:.2} µs each), {alerts} alerts within 60 days",
        contracts.len(),
        median.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e6 / contracts.len() as f64
    );
}
