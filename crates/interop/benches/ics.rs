//! ICS parse + expansion throughput: reads each file given, then parses it and
//! expands every event over the window (`ics expand`'s logic: parse, check,
//! expand with overrides and EXDATEs, sort), repeatedly, and prints one JSON
//! line per file with the best run's events/s and occurrences/s.
//!
//! Run with `cargo bench -p adjutant-interop --bench ics -- [--after T]
//! [--before T] FILE…` (`bench/ics/run` generates calendars and compares with
//! Python). The window defaults to 2026-06-01T00:00:00Z – 2027-06-01T00:00:00Z;
//! floating and all-day times are read in UTC.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use adjutant_core::calendar::Zone;
use adjutant_interop::{expand, ics};
use jiff::Timestamp;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Each file is run at least this many times, and for at least [`MIN_TIME`].
const MIN_RUNS: usize = 3;
const MIN_TIME: Duration = Duration::from_secs(2);

fn main() {
    let mut after: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let mut before: Timestamp = "2027-06-01T00:00:00Z".parse().unwrap();
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            // cargo bench passes `--bench` to every bench binary.
            "--bench" => {}
            "--after" => {
                after = args
                    .next()
                    .expect("--after TIME")
                    .parse()
                    .expect("an RFC 3339 instant")
            }
            "--before" => {
                before = args
                    .next()
                    .expect("--before TIME")
                    .parse()
                    .expect("an RFC 3339 instant")
            }
            f => files.push(f.to_string()),
        }
    }
    if files.is_empty() {
        eprintln!("usage: ics [--after T] [--before T] FILE...");
        std::process::exit(2);
    }
    let zone = Zone::utc();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable file");
        let components = text.matches("BEGIN:VEVENT").count();
        let mut best = Duration::MAX;
        let mut best_parse = Duration::MAX;
        let mut occurrences = 0;
        let mut series = 0;
        let mut runs = 0;
        let started = Instant::now();
        while runs < MIN_RUNS || started.elapsed() < MIN_TIME {
            let t = Instant::now();
            let imported = black_box(ics::parse(black_box(&text), &zone).expect("the file parses"));
            best_parse = best_parse.min(t.elapsed());
            series = imported.events.len();

            let t = Instant::now();
            let lines = black_box(
                expand::expand(black_box(&text), &zone, Some(after), Some(before), None)
                    .expect("the file expands"),
            );
            best = best.min(t.elapsed());
            occurrences = lines.len();
            runs += 1;
        }
        let secs = best.as_secs_f64();
        println!(
            "{{\"impl\":\"adjutant\",\"file\":{:?},\"bytes\":{},\"events\":{},\"series\":{},\"occurrences\":{},\
             \"runs\":{},\"parse_seconds\":{:.6},\"seconds\":{:.6},\"events_per_s\":{:.0},\"occurrences_per_s\":{:.0}}}",
            std::path::Path::new(&file)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(&file),
            text.len(),
            components,
            series,
            occurrences,
            runs,
            best_parse.as_secs_f64(),
            secs,
            components as f64 / secs,
            occurrences as f64 / secs,
        );
    }
}
