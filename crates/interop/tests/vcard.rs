//! vCard through the public surface: golden files of real address-book
//! exports (each `fixtures/vcard/NAME.vcf` with its `NAME.expected.json`; run
//! with `UPDATE_EXPECT=1` to rewrite them), refused files, and the round trip
//! `read(write(cards)) == cards` as a property.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use adjutant_interop::vcard::{self, Card, MAX_CARDS};
use proptest::prelude::*;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vcard")
}

/// Reads `NAME.vcf` and compares what was read with `NAME.expected.json`.
fn check(name: &str) {
    let text = std::fs::read_to_string(fixtures().join(format!("{name}.vcf"))).unwrap();
    let cards = vcard::read(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let got = serde_json::to_string_pretty(&cards).unwrap() + "\n";
    let expected_path = fixtures().join(format!("{name}.expected.json"));
    if std::env::var("UPDATE_EXPECT").is_ok() {
        std::fs::write(&expected_path, &got).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    assert_eq!(
        got,
        expected,
        "{name}: read differs from {}",
        expected_path.display()
    );
    // What was read writes and reads back the same.
    assert_eq!(
        vcard::read(&vcard::write(&cards)).unwrap(),
        cards,
        "{name}: round trip"
    );
}

#[test]
fn apple_contacts_export() {
    check("apple");
}

#[test]
fn google_contacts_export() {
    check("google");
}

#[test]
fn vcard_4() {
    check("v4");
}

#[test]
fn vcard_2_1_quoted_printable() {
    check("v21-quoted-printable");
}

#[test]
fn refusals_name_the_card() {
    let csv = std::fs::read_to_string(fixtures().join("not-vcard.csv")).unwrap();
    let e = vcard::read(&csv).unwrap_err();
    assert!(e.to_string().contains("not a vCard"), "{e}");
    assert!(vcard::read("").is_err());

    let text = std::fs::read_to_string(fixtures().join("no-name.vcf")).unwrap();
    assert_eq!(
        vcard::read(&text).unwrap_err().to_string(),
        "card 2: has no FN, N or EMAIL"
    );

    // A file cut short after its last card's properties still gives that card.
    let unclosed = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\n";
    assert_eq!(vcard::read(unclosed).unwrap()[0].name, "A");
}

#[test]
fn too_many_cards_are_refused() {
    let one = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nEND:VCARD\r\n";
    let at_limit = one.repeat(MAX_CARDS);
    assert_eq!(vcard::read(&at_limit).unwrap().len(), MAX_CARDS);
    let over = one.repeat(MAX_CARDS + 1);
    assert_eq!(
        vcard::read(&over).unwrap_err().to_string(),
        format!(
            "card {}: a file may hold at most {MAX_CARDS} cards",
            MAX_CARDS + 1
        )
    );
}

#[test]
fn written_cards_are_vcard_4() {
    let cards = vec![Card {
        name: "Ada; Lovelace, Countess".into(),
        emails: vec!["ada@example.org".into(), "a@example.net".into()],
        phones: vec!["+44 20 7946 0018".into()],
        organization: Some("Engines; Ltd".into()),
        title: None,
        note: Some("line one\nline two".into()),
    }];
    let text = vcard::write(&cards);
    assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{text}");
    assert!(text.contains("EMAIL;PREF=1:ada@example.org\r\n"), "{text}");
    assert_eq!(vcard::read(&text).unwrap(), cards);
}

fn text() -> impl Strategy<Value = String> {
    // Letters (some beyond ASCII) and the characters vCard must escape; no
    // leading or trailing space, which reading trims.
    "[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 ,;:.\\\\'\"-]{0,40}[A-Za-z0-9ß]"
}

fn email() -> impl Strategy<Value = String> {
    "[a-z0-9._+-]{1,12}@[a-z0-9-]{1,10}\\.[a-z]{2,4}"
}

fn card() -> impl Strategy<Value = Card> {
    (
        prop::option::of(text()),
        prop::collection::vec(email(), 0..4),
        prop::collection::vec("\\+?[0-9][0-9 ()-]{3,15}[0-9]", 0..3),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of((text(), text()).prop_map(|(a, b)| format!("{a}\n{b}"))),
    )
        .prop_filter_map(
            "a card needs a name or an email",
            |(name, emails, phones, org, title, note)| {
                let mut emails_seen = Vec::new();
                for e in emails {
                    if !emails_seen.contains(&e) {
                        emails_seen.push(e);
                    }
                }
                let mut phones_seen = Vec::new();
                for p in phones {
                    if !phones_seen.contains(&p) {
                        phones_seen.push(p);
                    }
                }
                let name = name.unwrap_or_default();
                (!name.is_empty() || !emails_seen.is_empty()).then_some(Card {
                    name,
                    emails: emails_seen,
                    phones: phones_seen,
                    organization: org,
                    title,
                    note,
                })
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(128),
        ..ProptestConfig::default()
    })]
    #[test]
    fn read_write_round_trip(cards in prop::collection::vec(card(), 1..5)) {
        let text = vcard::write(&cards);
        prop_assert_eq!(vcard::read(&text).unwrap(), cards, "{}", text);
    }
}
