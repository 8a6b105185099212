//! Precision and recall of triage.
//!
//! `cargo run --release -p adjutant-interop --example triage_eval -- [--spam SPAM.mbox] [--labelled LABELLED.mbox]`
//!
//! - `--spam`: an mbox whose messages carry `X-Adjutant-Label: spam|ham`
//!   (bench/mail/to_mbox.py writes one from the SpamAssassin corpus): `suspect`
//!   against spam, by the rules alone and by rules + a classifier in 5-fold
//!   cross-validation, trained two ways: on every message of the other folds
//!   as the owner filed it (spam → suspect, ham → the rules' category, or
//!   `read` where the rules said suspect), and on corrections only (the other
//!   folds replayed in order, the model learning a message only when triage
//!   got its spam-or-not wrong, as a person correcting mistakes would).
//!   The owner's addresses are the ten most frequent To/Cc addresses of the file.
//! - `--labelled`: an mbox with `X-Adjutant-Label: <category>`: per category,
//!   the rules alone and rules + a classifier learned from all the other
//!   messages (leave one out).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use adjutant_core::mail::triage::{self, Category, Classifier, Context, Signals};
use adjutant_interop::mail::{self, MboxItem, MboxReader, Owner};
use std::collections::{HashMap, HashSet};

struct Example {
    label: String,
    signals: Signals,
}

fn load(path: &str, owner_from_file: bool) -> Vec<Example> {
    let bytes = std::fs::read(path).expect("the mbox file");
    let mut parsed = Vec::new();
    for item in MboxReader::new(&bytes[..]) {
        let MboxItem::Message { raw, .. } = item else {
            continue;
        };
        let label = String::from_utf8_lossy(&raw)
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix("X-Adjutant-Label: ").map(|s| s.trim().to_string()));
        let (Some(label), Ok(m)) = (label, mail::parse(&raw)) else {
            continue;
        };
        parsed.push((label, m));
    }
    let addresses: Vec<String> = if owner_from_file {
        let mut freq: HashMap<&str, usize> = HashMap::new();
        for (_, m) in &parsed {
            for a in m.to.iter().chain(&m.cc) {
                *freq.entry(a.email.as_str()).or_insert(0) += 1;
            }
        }
        let mut v: Vec<(&str, usize)> = freq.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.into_iter().take(10).map(|(a, _)| a.to_string()).collect()
    } else {
        vec!["lena@northwind.example".to_string()]
    };
    let sent = HashSet::new();
    let owner = Owner {
        addresses: &addresses,
        sent_ids: &sent,
    };
    parsed
        .into_iter()
        .map(|(label, m)| Example {
            label,
            signals: mail::signals(&m, &owner),
        })
        .collect()
}

/// Precision, recall and n of one class.
fn pr(pairs: &[(bool, bool)]) -> (f64, f64, usize, usize) {
    let tp = pairs.iter().filter(|(t, p)| *t && *p).count();
    let fp = pairs.iter().filter(|(t, p)| !*t && *p).count();
    let fn_ = pairs.iter().filter(|(t, p)| *t && !*p).count();
    let precision = if tp + fp == 0 {
        0.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    let recall = if tp + fn_ == 0 {
        0.0
    } else {
        tp as f64 / (tp + fn_) as f64
    };
    (precision, recall, tp + fn_, tp + fp)
}

fn rules(s: &Signals) -> Category {
    triage::triage(s, &Context::default()).category
}

fn with(s: &Signals, m: &Classifier) -> Category {
    triage::triage(
        s,
        &Context {
            rules: &[],
            person: Some(m),
            org: None,
        },
    )
    .category
}

fn spam(path: &str) {
    let ex = load(path, true);
    let is_spam: Vec<bool> = ex.iter().map(|e| e.label == "spam").collect();
    let n = ex.len();
    let rules_only: Vec<Category> = ex.iter().map(|e| rules(&e.signals)).collect();
    let filed = |i: usize| {
        if is_spam[i] {
            Category::Suspect
        } else if rules_only[i] == Category::Suspect {
            Category::Read
        } else {
            rules_only[i]
        }
    };
    let folds = 5;
    let fold = |i: usize| (i * 7919) % folds;
    let mut all_filed = vec![Category::Read; n];
    let mut corrected = vec![Category::Read; n];
    let mut corrections = 0;
    for k in 0..folds {
        let mut m = Classifier::default();
        for i in (0..n).filter(|i| fold(*i) != k) {
            m.learn(&triage::tokens(&ex[i].signals), filed(i));
        }
        let mut c = Classifier::default();
        for i in (0..n).filter(|i| fold(*i) != k) {
            let got = with(&ex[i].signals, &c);
            if (got == Category::Suspect) != is_spam[i] {
                c.learn(&triage::tokens(&ex[i].signals), filed(i));
                corrections += 1;
            }
        }
        for i in (0..n).filter(|i| fold(*i) == k) {
            all_filed[i] = with(&ex[i].signals, &m);
            corrected[i] = with(&ex[i].signals, &c);
        }
    }
    println!();
    println!(
        "Spam (suspect) against ham: {path}, {n} messages ({} spam, {} ham)",
        is_spam.iter().filter(|s| **s).count(),
        is_spam.iter().filter(|s| !**s).count()
    );
    println!();
    println!("| method | precision | recall | spam n | flagged |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, got) in [
        ("rules alone", &rules_only),
        (
            "rules + classifier, 5-fold, trained on every message filed",
            &all_filed,
        ),
        (
            "rules + classifier, 5-fold, trained on corrections only",
            &corrected,
        ),
    ] {
        let pairs: Vec<(bool, bool)> = (0..n)
            .map(|i| (is_spam[i], got[i] == Category::Suspect))
            .collect();
        let (p, r, t, f) = pr(&pairs);
        println!("| {name} | {:.3} | {:.3} | {t} | {f} |", p, r);
    }
    println!();
    println!("(corrections made across the five training runs: {corrections})");
}

fn labelled(path: &str) {
    let ex = load(path, false);
    let n = ex.len();
    let truth: Vec<Category> = ex.iter().map(|e| e.label.parse().expect("a category")).collect();
    let rules_only: Vec<Category> = ex.iter().map(|e| rules(&e.signals)).collect();
    let toks: Vec<Vec<String>> = ex.iter().map(|e| triage::tokens(&e.signals)).collect();
    let loo: Vec<Category> = (0..n)
        .map(|i| {
            let mut m = Classifier::default();
            for j in (0..n).filter(|j| *j != i) {
                m.learn(&toks[j], truth[j]);
            }
            with(&ex[i].signals, &m)
        })
        .collect();
    println!();
    println!("Per category on the labelled set: {path}, {n} messages");
    println!();
    println!(
        "| category | n | rules: precision | rules: recall | + classifier (leave one out): precision | recall |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut acc = [0usize; 2];
    for c in Category::ALL {
        let a: Vec<(bool, bool)> = (0..n).map(|i| (truth[i] == *c, rules_only[i] == *c)).collect();
        let b: Vec<(bool, bool)> = (0..n).map(|i| (truth[i] == *c, loo[i] == *c)).collect();
        let (p1, r1, t, _) = pr(&a);
        let (p2, r2, _, _) = pr(&b);
        println!("| {c} | {t} | {p1:.2} | {r1:.2} | {p2:.2} | {r2:.2} |");
    }
    for i in 0..n {
        acc[0] += usize::from(rules_only[i] == truth[i]);
        acc[1] += usize::from(loo[i] == truth[i]);
    }
    println!(
        "| all (accuracy) | {n} | {:.2} | | {:.2} | |",
        acc[0] as f64 / n as f64,
        acc[1] as f64 / n as f64
    );
    if std::env::var_os("SHOW_MISSES").is_some() {
        for i in 0..n {
            if rules_only[i] != truth[i] {
                println!(
                    "miss: {} → {} : {}",
                    truth[i], rules_only[i], ex[i].signals.subject
                );
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        match (args[i].as_str(), args.get(i + 1)) {
            ("--spam", Some(p)) => spam(p),
            ("--labelled", Some(p)) => labelled(p),
            _ => {
                eprintln!("usage: triage_eval [--spam SPAM.mbox] [--labelled LABELLED.mbox]");
                std::process::exit(2);
            }
        }
        i += 2;
    }
}
