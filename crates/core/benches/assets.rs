//! How fast the asset alerts answer: the office dashboard and `asset due` ask
//! every asset of the organisation for its warranty, licence, maintenance and
//! return alerts on each view. Run with `cargo bench -p adjutant-core --bench assets`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use adjutant_core::ids::PersonId;
use adjutant_core::office::asset::{AssetData, AssetKind, AssetState, alerts};
use adjutant_core::office::money::{Currency, Money};
use jiff::ToSpan;
use jiff::civil::date;
use std::hint::black_box;
use std::time::Instant;
use uuid::Uuid;

fn main() {
    // 10,000 assets of every kind bought over six years, a third with a
    // maintenance interval, software with licences, a fifth out with people
    // (some late): far more than one office holds, to see the per-asset cost.
    let today = date(2026, 12, 3);
    let assets: Vec<(AssetData, AssetState)> = (0..10_000i64)
        .map(|i| {
            let kind = AssetKind::ALL[(i as usize) % AssetKind::ALL.len()];
            let bought = today.checked_sub((i % 2190).days()).unwrap();
            let software = kind == AssetKind::Software;
            let ends = bought.checked_add(((i % 4 + 1) * 365).days()).unwrap();
            let data = AssetData {
                tag: format!("NW-{i:05}"),
                kind,
                model: "Model".into(),
                manufacturer: "Maker".into(),
                serial: format!("S{i}"),
                purchased: Some(bought),
                cost: Some(Money::new(i * 1_000, Currency::eur())),
                vendor: None,
                warranty_end: (!software).then_some(ends),
                licence_expiry: software.then_some(ends),
                maintenance_months: (i % 3 == 0).then_some([1, 6, 12, 24][(i % 4) as usize]),
                location: String::new(),
                notes: String::new(),
            };
            let state = AssetState {
                holder: (i % 5 == 0).then(|| PersonId(Uuid::from_u128(i as u128 % 50))),
                out_since: (i % 5 == 0).then(|| today.checked_sub(10.days()).unwrap()),
                expected_return: (i % 10 == 0).then(|| today.checked_add(((i % 7) - 3).days()).unwrap()),
                last_maintenance: (i % 6 == 0).then(|| today.checked_sub((i % 400).days()).unwrap()),
                ..AssetState::default()
            };
            (data, state)
        })
        .collect();
    let mut runs = Vec::new();
    let mut found = 0;
    for _ in 0..30 {
        let t = Instant::now();
        let a = alerts(assets.iter().map(|(d, s)| ((), d, s)), today, 30);
        found = black_box(a).len();
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "alerts of {} assets: median {:.2} ms ({:.2} µs each), {found} alerts within 30 days",
        assets.len(),
        median.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e6 / assets.len() as f64
    );
}
