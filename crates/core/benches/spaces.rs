//! How fast the booking rules answer: every booking is checked against its
//! kind's rule, and the release sweep asks every open booking whether it is
//! due each minute. Run with `cargo bench -p adjutant-core --bench spaces`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use adjutant_core::calendar::Zone;
use adjutant_core::office::space::{self, Attempt, BookingRule, BookingStatus, SpaceKind};
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let zones: Vec<Zone> = ["Europe/Amsterdam", "America/New_York", "Asia/Kolkata"]
        .iter()
        .map(|z| Zone::parse("zone", z).unwrap())
        .collect();
    let rules: Vec<BookingRule> = SpaceKind::ALL
        .iter()
        .map(|k| BookingRule::default_for(*k))
        .collect();
    let now: Timestamp = "2026-12-03T08:00:00Z".parse().unwrap();
    // 10,000 booking attempts over the next three weeks, of every length, in three zones.
    let attempts: Vec<(usize, Timestamp, Timestamp, u32)> = (0..10_000i64)
        .map(|i| {
            let start = now + SignedDuration::from_mins((i * 97) % (21 * 24 * 60));
            let end = start + SignedDuration::from_mins(15 + (i * 37) % 900);
            ((i % 3) as usize, start, end, (i % 7) as u32)
        })
        .collect();
    let mut runs = Vec::new();
    let mut passed = 0;
    for _ in 0..30 {
        let t = Instant::now();
        passed = 0;
        for (n, (z, start, end, week)) in attempts.iter().enumerate() {
            let a = Attempt {
                space: "Desk 2.01",
                start: *start,
                end: *end,
                now,
                zone: &zones[*z],
                booked_that_week: *week,
            };
            if black_box(space::check(&rules[n % 3], &a)).is_ok() {
                passed += 1;
            }
        }
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "booking rule checks of {} attempts: median {:.2} ms ({:.2} µs each), {passed} pass",
        attempts.len(),
        median.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e6 / attempts.len() as f64
    );
    let mut runs = Vec::new();
    let mut due = 0;
    for _ in 0..30 {
        let t = Instant::now();
        due = 0;
        for (n, (_, start, _, _)) in attempts.iter().enumerate() {
            let later = *start + SignedDuration::from_mins(30);
            if black_box(space::release_due(
                &rules[n % 3],
                BookingStatus::Booked,
                *start,
                later,
            )) {
                due += 1;
            }
        }
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "release sweep over {} open bookings: median {:.1} µs, {due} due",
        attempts.len(),
        median.as_secs_f64() * 1e6
    );
}
