//! How fast triage classifies: the rules' scan, the classifier's tokens and
//! prediction, on pre-built signals (no parsing). Target: at least 50,000
//! messages a second on one core. Run with `cargo bench -p adjutant-core --bench triage`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use adjutant_core::mail::screen::SenderStatus;
use adjutant_core::mail::triage::{self, Category, Classifier, Context, Signals};
use std::hint::black_box;
use std::time::Instant;

const SENTENCES: &[&str] = &[
    "Could you send me the revenue figures for the board deck before Thursday?",
    "The pilot in Utrecht cut picking errors by a third, our operations team is pleased.",
    "Please find attached invoice 2026-131, amount due EUR 1,240.00, payment due by 16 December.",
    "This week in funding: three logistics start-ups raised rounds and a big merger in freight.",
    "I have passed your points to our legal team and will get back to you next week.",
    "Click here to verify your account or your mailbox will be suspended within 24 hours!",
    "The move to the new floor is on track for February; furniture arrives in January.",
    "Your flight TP 671 to Lisbon departs at 09:40, booking reference K7XQ2P, seat 3A.",
    "We noticed unusual activity and need you to confirm your billing details immediately.",
    "Thanks for hosting us last week, the team left with lots of energy and new ideas.",
    "> Quoted text from an earlier message in the thread, with a question we asked?",
    "Our economists expect moderate growth and stable rates in the euro area next year.",
];

/// A message of `n` sentences (about 80 bytes each), picked by `seed`.
fn signals(seed: usize, n: usize) -> Signals {
    let text: Vec<&str> = (0..n)
        .map(|i| SENTENCES[(seed * 7 + i * 5) % SENTENCES.len()])
        .collect();
    Signals {
        from: format!("person{}@company{}.example", seed % 300, seed % 40),
        from_name: format!("Person {seed}"),
        subject: format!("{} #{seed}", &SENTENCES[seed % SENTENCES.len()][..30]),
        text: text.join("\n"),
        to_me: !seed.is_multiple_of(3),
        cc_me: seed.is_multiple_of(3),
        recipients: 1 + seed % 15,
        sender: SenderStatus::ALL[seed % 4],
        reply_to_ours: seed.is_multiple_of(5),
        met_recently: seed.is_multiple_of(7),
        bulk: seed.is_multiple_of(6),
        auto_submitted: seed.is_multiple_of(11),
        reply_to_differs: seed.is_multiple_of(13),
        has_attachments: seed.is_multiple_of(4),
        attachment_names: Vec::new(),
    }
}

fn main() {
    // 10,000 messages of 2 to 25 sentences (160 bytes to 2 KB of text, 1 KB on average).
    let messages: Vec<Signals> = (0..10_000).map(|i| signals(i, 2 + i % 24)).collect();
    let bytes: usize = messages.iter().map(|s| s.text.len()).sum();
    // A person's model learned from 2,000 filed messages, an organisation's from 20,000.
    let mut person = Classifier::default();
    let mut org = Classifier::default();
    for i in 0..20_000 {
        let s = signals(i * 31 + 7, 2 + i % 24);
        let c = Category::ALL[(i * 13) % Category::ALL.len()];
        let toks = triage::tokens(&s);
        if i < 2_000 {
            person.learn(&toks, c);
        }
        org.learn(&toks, c);
    }
    let json = serde_json::to_string(&org).unwrap();
    println!(
        "{} messages, {:.0} bytes of text on average; models: person {} tokens, organisation {} tokens ({} KB of JSON)",
        messages.len(),
        bytes as f64 / messages.len() as f64,
        person.tokens.len(),
        org.tokens.len(),
        json.len() / 1024
    );

    let rules_only = Context::default();
    let learned = Context {
        rules: &[],
        person: Some(&person),
        org: Some(&org),
    };
    let runs = |label: &str, f: &dyn Fn(&Signals) -> usize| {
        let mut best = f64::MAX;
        let mut sink = 0;
        for _ in 0..7 {
            let t = Instant::now();
            for s in &messages {
                sink += f(black_box(s));
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{label}: {:.0} messages/s ({:.2} µs each, best of 7){}",
            messages.len() as f64 / best,
            best * 1e6 / messages.len() as f64,
            if sink == usize::MAX { "!" } else { "" }
        );
    };
    runs("tokens", &|s| triage::tokens(s).len());
    runs("the rules' scan of the words", &|s| {
        adjutant_core::mail::scan::scan(&s.subject, &s.text).money as usize
    });
    let pre: Vec<Vec<String>> = messages.iter().map(triage::tokens).collect();
    let idx = std::cell::Cell::new(0usize);
    runs("predict alone, tokens made beforehand", &|_| {
        let i = idx.get();
        idx.set((i + 1) % pre.len());
        usize::from(org.predict(&pre[i]).is_some())
    });
    runs("tokens + predict (organisation model)", &|s| {
        usize::from(org.predict(&triage::tokens(s)).is_some())
    });
    runs("triage, rules only", &|s| {
        triage::triage(s, &rules_only).priority as usize
    });
    runs("triage with the person's and the organisation's models", &|s| {
        triage::triage(s, &learned).priority as usize
    });
}
