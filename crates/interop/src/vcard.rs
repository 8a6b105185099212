//! vCard (RFC 6350, and 3.0 as written by most address books) in and out, for contacts.
//!
//! Reading is lenient the way address-book exports need: folded lines, `TYPE`
//! parameters, grouped properties (`item1.EMAIL`, Apple), quoted-printable
//! values (2.1) and lines that are not properties are all taken in stride by
//! `calcard`'s parser. A file is refused only when it is not vCard at all, when a
//! card has nothing to know the person by (no `FN`, `N` or `EMAIL`), or when it
//! holds more cards than any address book export plausibly does.

use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardParameterValue, VCardProperty, VCardValue,
    VCardVersion,
};
use calcard::{Entry, Parser};
use serde::{Deserialize, Serialize};

/// The most cards one file may hold.
pub const MAX_CARDS: usize = 10_000;

/// What Adjutant keeps of a vCard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// `FN`, or `N` put together when there is no `FN`; empty when the card has
    /// only an email address.
    pub name: String,
    /// `EMAIL`s, lower case, the preferred first.
    pub emails: Vec<String>,
    /// `TEL`s as written (a 4.0 `tel:` URI without its scheme).
    pub phones: Vec<String>,
    /// `ORG`'s first component.
    pub organization: Option<String>,
    pub title: Option<String>,
    pub note: Option<String>,
}

/// Why a file was refused, naming the card (1-based) where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("card {card}: {message}")]
pub struct VcardError {
    pub card: usize,
    pub message: String,
}

/// Reads every card of a `.vcf` file.
pub fn read(text: &str) -> Result<Vec<Card>, VcardError> {
    let fail = |card: usize, message: &str| VcardError {
        card,
        message: message.to_string(),
    };
    if !text.to_ascii_uppercase().contains("BEGIN:VCARD") {
        return Err(fail(1, "this is not a vCard file (there is no BEGIN:VCARD)"));
    }
    let mut parser = Parser::new(text);
    let mut cards = Vec::new();
    loop {
        let number = cards.len() + 1;
        match parser.entry() {
            Entry::VCard(v) => {
                if number > MAX_CARDS {
                    return Err(fail(
                        number,
                        &format!("a file may hold at most {MAX_CARDS} cards"),
                    ));
                }
                cards.push(card(&v).ok_or_else(|| fail(number, "has no FN, N or EMAIL"))?);
            }
            Entry::ICalendar(_) => {
                return Err(fail(number, "is a calendar object, not a vCard"));
            }
            Entry::UnterminatedComponent(_) => {
                return Err(fail(number, "is not closed by END:VCARD"));
            }
            Entry::TooManyComponents => {
                return Err(fail(number, "is nested too deeply"));
            }
            Entry::Eof => break,
            // Stray lines between cards (blank lines, a byte-order mark, notes
            // some exporters add) carry nothing; skip them.
            _ => {}
        }
    }
    if cards.is_empty() {
        return Err(fail(1, "this is not a vCard file (no card could be read)"));
    }
    Ok(cards)
}

/// Writes cards as vCard 4.0.
pub fn write(cards: &[Card]) -> String {
    let mut out = String::new();
    for c in cards {
        let mut entries = vec![entry(VCardProperty::Fn, &c.name, Vec::new())];
        for (i, e) in c.emails.iter().enumerate() {
            // Only the first is marked, so reading keeps their order.
            let params = if i == 0 && c.emails.len() > 1 {
                vec![VCardParameter {
                    name: VCardParameterName::Pref,
                    value: VCardParameterValue::Integer(1),
                }]
            } else {
                Vec::new()
            };
            entries.push(entry(VCardProperty::Email, e, params));
        }
        for p in &c.phones {
            entries.push(entry(VCardProperty::Tel, p, Vec::new()));
        }
        if let Some(o) = &c.organization {
            entries.push(entry(VCardProperty::Org, o, Vec::new()));
        }
        if let Some(t) = &c.title {
            entries.push(entry(VCardProperty::Title, t, Vec::new()));
        }
        if let Some(n) = &c.note {
            entries.push(entry(VCardProperty::Note, n, Vec::new()));
        }
        // Writing into a String cannot fail.
        let _ = VCard { entries }.write_to(&mut out, VCardVersion::V4_0);
    }
    out
}

fn entry(name: VCardProperty, text: &str, params: Vec<VCardParameter>) -> VCardEntry {
    VCardEntry {
        group: None,
        name,
        params,
        values: vec![VCardValue::Text(text.to_string())],
    }
}

/// What Adjutant keeps of one parsed card; `None` when it has no name nor email.
fn card(v: &VCard) -> Option<Card> {
    let mut c = Card::default();
    let mut emails: Vec<(u32, String)> = Vec::new();
    let mut n_name = None;
    for e in &v.entries {
        match &e.name {
            VCardProperty::Fn if c.name.is_empty() => c.name = clean(&texts(e).join(" ")),
            VCardProperty::N if n_name.is_none() => n_name = Some(structured_name(&texts(e))),
            VCardProperty::Email => {
                let address = clean(&texts(e).join("")).to_lowercase();
                let address = address.strip_prefix("mailto:").unwrap_or(&address).to_string();
                if !address.is_empty() && !emails.iter().any(|(_, a)| *a == address) {
                    emails.push((preference(e), address));
                }
            }
            VCardProperty::Tel => {
                let phone = clean(&texts(e).join(""));
                let phone = phone.strip_prefix("tel:").unwrap_or(&phone).to_string();
                if !phone.is_empty() && !c.phones.contains(&phone) {
                    c.phones.push(phone);
                }
            }
            VCardProperty::Org if c.organization.is_none() => {
                c.organization = texts(e).first().map(|s| clean(s)).filter(|s| !s.is_empty());
            }
            VCardProperty::Title if c.title.is_none() => c.title = some(clean(&texts(e).join(","))),
            VCardProperty::Note if c.note.is_none() => c.note = some(clean(&texts(e).join(","))),
            _ => {}
        }
    }
    if c.name.is_empty() {
        c.name = n_name.unwrap_or_default();
    }
    // Stable: equally preferred addresses keep the file's order.
    emails.sort_by_key(|(p, _)| *p);
    c.emails = emails.into_iter().map(|(_, a)| a).collect();
    if c.name.is_empty() && c.emails.is_empty() {
        return None;
    }
    Some(c)
}

/// How preferred a property is: `PREF=n` (1 is most), or 3.0's `TYPE=pref` as 1;
/// unmarked ones come after every marked one.
fn preference(e: &VCardEntry) -> u32 {
    let mut best = u32::MAX;
    for p in &e.params {
        match (&p.name, &p.value) {
            (VCardParameterName::Pref, VCardParameterValue::Integer(n)) => best = best.min(*n),
            (VCardParameterName::Pref, VCardParameterValue::Text(t)) => {
                best = best.min(t.trim().parse().unwrap_or(1));
            }
            (VCardParameterName::Type, VCardParameterValue::Text(t)) if t.eq_ignore_ascii_case("pref") => {
                best = best.min(1);
            }
            (VCardParameterName::Other(name), _) if name.eq_ignore_ascii_case("pref") => best = best.min(1),
            _ => {}
        }
    }
    best
}

/// `N`'s parts (family; given; additional; prefixes; suffixes) in reading order.
fn structured_name(parts: &[String]) -> String {
    let at = |i: usize| parts.get(i).map(|s| clean(s)).unwrap_or_default();
    [at(3), at(1), at(2), at(0), at(4)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every text of a property's values, components flattened in order.
fn texts(e: &VCardEntry) -> Vec<String> {
    let mut out = Vec::new();
    for v in &e.values {
        match v {
            VCardValue::Text(t) => out.push(t.clone()),
            VCardValue::Component(parts) => out.extend(parts.iter().cloned()),
            VCardValue::Integer(i) => out.push(i.to_string()),
            VCardValue::Float(f) => out.push(f.to_string()),
            _ => {}
        }
    }
    out
}

fn clean(s: &str) -> String {
    s.trim().to_string()
}

fn some(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}
