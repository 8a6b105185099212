//! How fast recurrences expand: typical rules over a year, a month of a series
//! that started eight years earlier (the skip ahead), and a pathological rule
//! stopped by its cap.
//! Run with `cargo bench -p adjutant-core --bench recurrence`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use adjutant_core::calendar::recurrence::{Limits, Rule};
use adjutant_core::calendar::series::{self, Override};
use adjutant_core::calendar::{
    Category, EventData, EventStatus, EventTime, Priority, Recurrence, RecurrenceId, TimeRange, Transparency,
    Zone,
};
use adjutant_core::policy::Visibility;
use jiff::SignedDuration;
use jiff::civil::{DateTime, date};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn event(zone: &Zone, start: DateTime, minutes: i64, rule: &str) -> EventData {
    EventData {
        summary: "Bench".into(),
        description: String::new(),
        location: None,
        start: EventTime::zoned(start, zone),
        end: EventTime::zoned(
            start.checked_add(SignedDuration::from_mins(minutes)).unwrap(),
            zone,
        ),
        recurrence: Recurrence {
            rules: vec![rule.parse().unwrap()],
            ..Recurrence::default()
        },
        organiser: None,
        attendees: vec![],
        visibility: Visibility::Normal,
        transparency: Transparency::Busy,
        priority: Priority::NORMAL,
        category: Category::Meeting,
        status: EventStatus::Confirmed,
    }
}

/// Runs `f` until half a second has passed; returns the time per call and what the last call returned.
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let start = Instant::now();
    let mut calls = 0u32;
    loop {
        let out = f();
        calls += 1;
        let took = start.elapsed();
        if took > Duration::from_millis(500) {
            return (took / calls, out);
        }
    }
}

fn report(what: &str, per_call: Duration, occurrences: usize) {
    let us = per_call.as_secs_f64() * 1e6;
    let rate = occurrences as f64 / per_call.as_secs_f64();
    println!("{what:<58} {occurrences:>6} occurrences in {us:>9.1} µs = {rate:>12.0} occurrences/s");
}

fn main() {
    let z = Zone::parse("zone", "Europe/Amsterdam").unwrap();
    let limits = Limits::default();
    let year = TimeRange::new(
        z.instant(date(2026, 1, 1).at(0, 0, 0, 0)),
        z.instant(date(2027, 1, 1).at(0, 0, 0, 0)),
    )
    .unwrap();
    let four_weeks = TimeRange::new(
        z.instant(date(2026, 6, 1).at(0, 0, 0, 0)),
        z.instant(date(2026, 6, 29).at(0, 0, 0, 0)),
    )
    .unwrap();
    let in_2026 = date(2026, 1, 5).at(9, 0, 0, 0);
    let in_2018 = date(2018, 1, 1).at(9, 0, 0, 0);

    println!("series::occurrences, Europe/Amsterdam, release build:");
    for (what, start, rule, window) in [
        (
            "weekly 1:1 (FREQ=WEEKLY), 1-year window",
            in_2026,
            "FREQ=WEEKLY",
            year,
        ),
        (
            "monthly last Friday (BYDAY=-1FR), 1-year window",
            in_2026,
            "FREQ=MONTHLY;BYDAY=-1FR",
            year,
        ),
        (
            "daily weekdays (BYDAY=MO..FR), 1-year window",
            in_2026,
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
            year,
        ),
        (
            "daily weekdays since 2018, 4-week window in 2026",
            in_2018,
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
            four_weeks,
        ),
        (
            "weekly since 2018, 4-week window in 2026",
            in_2018,
            "FREQ=WEEKLY",
            four_weeks,
        ),
        (
            "daily weekdays since 2018 with COUNT=5000, 4 weeks in 2026",
            in_2018,
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=5000",
            four_weeks,
        ),
    ] {
        let data = event(&z, start, 30, rule);
        let (per_call, n) = time(|| {
            series::occurrences(black_box(&data), &[], &z, black_box(window), &limits)
                .unwrap()
                .len()
        });
        report(what, per_call, n);
    }

    // Overrides: a weekly series with 50 moved occurrences over its year.
    let data = event(&z, in_2026, 30, "FREQ=WEEKLY");
    let overrides: Vec<Override> = (0..50)
        .map(|w| {
            let id = in_2026
                .checked_add(SignedDuration::from_hours(24 * 7 * w))
                .unwrap();
            let mut d = data.clone();
            d.start = EventTime::zoned(id.checked_add(SignedDuration::from_hours(2)).unwrap(), &z);
            d.end = EventTime::zoned(id.checked_add(SignedDuration::from_mins(150)).unwrap(), &z);
            Override {
                recurrence_id: RecurrenceId(id),
                data: d,
            }
        })
        .collect();
    let (per_call, n) = time(|| {
        series::occurrences(black_box(&data), &overrides, &z, year, &limits)
            .unwrap()
            .len()
    });
    report("weekly with 50 overrides, 1-year window", per_call, n);

    println!("bounds and density:");
    let finite = event(
        &z,
        in_2018,
        30,
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20301231T235959Z",
    );
    let (per_call, _) = time(|| series::bounds(black_box(&finite), &[], &z).unwrap());
    println!(
        "{:<58} {:>9.1} µs",
        "bounds, daily weekdays 2018–2030 (UNTIL)",
        per_call.as_secs_f64() * 1e6
    );
    let counted = event(&z, in_2018, 30, "FREQ=DAILY;COUNT=100000");
    let (per_call, _) = time(|| series::bounds(black_box(&counted), &[], &z).unwrap());
    println!(
        "{:<58} {:>9.1} µs",
        "bounds, FREQ=DAILY;COUNT=100000",
        per_call.as_secs_f64() * 1e6
    );
    let minutely = event(&z, in_2026, 1, "FREQ=MINUTELY");
    let (per_call, refused) = time(|| series::check_density(black_box(&minutely), &z).is_err());
    println!(
        "{:<58} {:>9.1} µs (refused: {refused})",
        "check_density, FREQ=MINUTELY",
        per_call.as_secs_f64() * 1e6
    );

    println!("pathological rules, stopped by a cap:");
    for (what, rule) in [
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30 (never matches)",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        ),
        (
            "FREQ=SECONDLY, 1-year window (more than 100,000)",
            "FREQ=SECONDLY",
        ),
        (
            "FREQ=HOURLY;INTERVAL=168;BYDAY=TU from a Monday (too sparse)",
            "FREQ=HOURLY;INTERVAL=168;BYDAY=TU",
        ),
    ] {
        let data = event(&z, in_2026, 0, rule);
        let (per_call, err) = time(|| series::occurrences(black_box(&data), &[], &z, year, &limits).err());
        let kind = format!("{err:?}");
        let kind = kind.split([' ', '(', '{']).nth(1).unwrap_or("");
        println!(
            "{what:<58} error {kind} after {:>9.1} µs",
            per_call.as_secs_f64() * 1e6
        );
    }

    // The bare rule iterator, for reference.
    let rule: Rule = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR".parse().unwrap();
    let (per_call, n) = time(|| {
        rule.expand(black_box(in_2026), false, z.tz(), limits)
            .take(10_000)
            .count()
    });
    report(
        "Rule::expand, daily weekdays, 10,000 wall-clock times",
        per_call,
        n,
    );
}
