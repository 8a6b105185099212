//! Parses and triages every message of an mbox file, and prints how many
//! messages, how long and how many a second (best of the runs asked for).
//!
//! `cargo run --release -p adjutant-interop --example mail_bench -- FILE.mbox [RUNS] [OWNER@ADDRESS ...]`
//!
//! The file is read as a stream (as an import would), each message parsed
//! (headers, bodies decoded, HTML sanitised, attachments listed), its signals
//! taken and triaged by the rules. The last line is JSON for scripts.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use adjutant_core::mail::triage::{self, Category, Context};
use adjutant_interop::mail::{self, MboxItem, MboxReader, Owner};
use std::collections::{BTreeMap, HashSet};
use std::io::BufReader;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: mail_bench FILE.mbox [RUNS] [OWNER@ADDRESS ...]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let addresses: Vec<String> = args.iter().skip(2).map(|a| a.to_lowercase()).collect();
    let sent = HashSet::new();
    let owner = Owner {
        addresses: &addresses,
        sent_ids: &sent,
    };
    let size = std::fs::metadata(path).expect("the mbox file").len();
    let mut best = f64::MAX;
    let mut parse_best = f64::MAX;
    let mut summary = (0usize, 0usize, 0usize, BTreeMap::<Category, usize>::new());
    for _ in 0..runs.max(1) {
        let file = std::fs::File::open(path).expect("the mbox file");
        let t = Instant::now();
        let mut parse_time = 0.0;
        let (mut ok, mut refused, mut warned) = (0, 0, 0);
        let mut cats = BTreeMap::new();
        for item in MboxReader::new(BufReader::with_capacity(256 * 1024, file)) {
            match item {
                MboxItem::Message { raw, .. } => {
                    let p = Instant::now();
                    let parsed = mail::parse(&raw);
                    parse_time += p.elapsed().as_secs_f64();
                    match parsed {
                        Ok(m) => {
                            ok += 1;
                            warned += usize::from(!m.warnings.is_empty());
                            let s = mail::signals(&m, &owner);
                            let t = triage::triage(&s, &Context::default());
                            *cats.entry(t.category).or_insert(0) += 1;
                        }
                        Err(_) => refused += 1,
                    }
                }
                MboxItem::Rejected { .. } => refused += 1,
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
        parse_best = parse_best.min(parse_time);
        summary = (ok, refused, warned, cats);
    }
    let (ok, refused, warned, cats) = summary;
    let total = ok + refused;
    println!(
        "{path}: {} MB, {total} entries: {ok} parsed ({warned} with warnings), {refused} refused",
        size / 1_000_000
    );
    println!("categories (rules only): {cats:?}");
    println!(
        "read + parse + signals + triage: {total} messages in {best:.3} s = {:.0} messages/s ({:.1} MB/s); parse alone {parse_best:.3} s",
        total as f64 / best,
        size as f64 / best / 1e6
    );
    println!(
        "{{\"messages\": {total}, \"seconds\": {best:.4}, \"messages_per_s\": {:.0}, \"parse_seconds\": {parse_best:.4}}}",
        total as f64 / best
    );
}
