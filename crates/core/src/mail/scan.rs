//! One pass over a message's subject and text that finds what triage's rules
//! look for: questions, requests, deadlines, promises to get back, the tells
//! of spam and phishing, and the words of office work.
//!
//! The pass reads words (runs of letters, digits and apostrophes) and keeps
//! the two before, so phrases of up to three words are matched without a
//! second pass or an allocation. Quoted lines (`> …`) are skipped: a question
//! we asked, quoted back in a reply, is not a question to us. Matching is on
//! ASCII words in lower case; words longer than [`MAX_WORD`] bytes match
//! nothing. The cost is linear in the text; callers cut the text to its first
//! few KiB (the signals keep 8 KiB).

use crate::mail::screen::{self, OfficeWork};

/// Words longer than this (in bytes) are not matched.
pub const MAX_WORD: usize = 24;

/// What the pass found; each phrase is kept as found, for the reason's sentence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// A question: the phrase ("could you") or `?`.
    pub question: Option<&'static str>,
    /// A request to do something ("please review", "action required").
    pub request: Option<&'static str>,
    /// A deadline ("by friday", "deadline", "asap", "due").
    pub deadline: Option<&'static str>,
    /// The sender promises to get back ("get back to you", "we received your").
    pub promise: Option<&'static str>,
    /// Money and spam words ("lottery", "million", "bitcoin", a `$` amount), counted.
    pub money: u32,
    /// The first money or spam word found.
    pub money_word: Option<&'static str>,
    /// Urgency words ("urgent", "immediately", "suspended", "expires").
    pub urgency: Option<&'static str>,
    /// An account-verification phrase ("verify your account", "confirm your password").
    pub verify: Option<&'static str>,
    /// "click here" / "click below".
    pub click_here: bool,
    /// "unsubscribe" or "opt out" in the text.
    pub unsubscribe: bool,
    /// `!` in the subject.
    pub subject_exclamations: u32,
    /// `!` in the text (outside quotes).
    pub text_exclamations: u32,
    /// ASCII letters in the subject, and how many are capitals.
    pub subject_letters: u32,
    /// Capitals among `subject_letters`.
    pub subject_capitals: u32,
    /// Office-work evidence per kind (invoice, travel, contract), subject words counting twice.
    pub office: [u32; 3],
    /// The first office phrase found per kind.
    pub office_phrase: [Option<&'static str>; 3],
}

impl Features {
    /// Whether the subject is mostly capitals (at least 10 letters, over 70 % capitals).
    pub fn shouting(&self) -> bool {
        self.subject_letters >= 10 && self.subject_capitals * 10 > self.subject_letters * 7
    }
}

/// Scans a subject and a text.
pub fn scan(subject: &str, text: &str) -> Features {
    let mut f = Features::default();
    for b in subject.bytes() {
        if b.is_ascii_alphabetic() {
            f.subject_letters += 1;
            if b.is_ascii_uppercase() {
                f.subject_capitals += 1;
            }
        } else if b == b'!' {
            f.subject_exclamations += 1;
        }
    }
    let mut s = Scanner { f, weight: 2 };
    s.line(&subject.to_ascii_lowercase(), true);
    s.weight = 1;
    let lower = text.to_ascii_lowercase();
    for line in lower.split('\n') {
        if line.trim_start().starts_with('>') {
            continue;
        }
        s.line(line, false);
    }
    s.f
}

struct Scanner {
    f: Features,
    /// How much an office phrase counts (2 in the subject, 1 in the text).
    weight: u32,
}

impl Scanner {
    /// Scans one line, already in lower case (ASCII letters only, so it is
    /// still UTF-8); words are slices of it, so nothing is copied.
    fn line(&mut self, line: &str, subject: bool) {
        let bytes = line.as_bytes();
        let mut p2 = "";
        let mut p1 = "";
        let mut i = 0;
        let n = bytes.len();
        while i < n {
            let b = bytes[i];
            if is_word_byte(b) {
                let mut start = i;
                let mut ascii = true;
                while i < n && is_word_byte(bytes[i]) {
                    ascii &= bytes[i] < 0x80;
                    i += 1;
                }
                // Apostrophes at the edges are quotes, not part of the word.
                let mut end = i;
                while start < end && bytes[start] == b'\'' {
                    start += 1;
                }
                while end > start && bytes[end - 1] == b'\'' {
                    end -= 1;
                }
                let w = if ascii && end - start <= MAX_WORD {
                    line.get(start..end).unwrap_or("")
                } else {
                    ""
                };
                if !w.is_empty() && (interesting(w) || p1 == "due") {
                    self.word(p2, p1, w);
                }
                p2 = p1;
                p1 = w;
            } else {
                match b {
                    b'?' if self.f.question.is_none() => self.f.question = Some("?"),
                    b'!' if !subject => self.f.text_exclamations += 1,
                    b'$' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                        self.money("a dollar amount");
                    }
                    _ => {}
                }
                // A hyphen or slash keeps a phrase together ("e-ticket", "12/03");
                // other punctuation ends it.
                if !b.is_ascii_whitespace() && b != b'-' && b != b'/' {
                    p2 = "";
                    p1 = "";
                }
                i += 1;
            }
        }
    }

    fn money(&mut self, what: &'static str) {
        self.f.money += 1;
        if self.f.money_word.is_none() {
            self.f.money_word = Some(what);
        }
    }

    fn office(&mut self, kind: OfficeWork, points: u32, phrase: &'static str) {
        let k = office_index(kind);
        self.f.office[k] += points * self.weight;
        if self.f.office_phrase[k].is_none() {
            self.f.office_phrase[k] = Some(phrase);
        }
    }

    fn word(&mut self, p2: &str, p1: &str, w: &str) {
        let f = &mut self.f;
        // Questions.
        if f.question.is_none() {
            f.question = match (p2, p1, w) {
                (_, "can" | "could" | "would" | "will", "you") => Some("could you"),
                (_, "please", "confirm") => Some("please confirm"),
                ("let", "me", "know") => Some("let me know"),
                ("are", "you", "available") => Some("are you available"),
                ("do", "you", "think" | "agree" | "have") => Some("do you think"),
                (_, "your", "thoughts" | "feedback" | "input" | "opinion") => Some("your thoughts"),
                _ => None,
            };
        }
        // Requests.
        if f.request.is_none() {
            f.request = match (p1, w) {
                (
                    "please",
                    "review" | "sign" | "approve" | "send" | "complete" | "submit" | "prepare" | "fill"
                    | "forward" | "book" | "schedule" | "arrange" | "update" | "pay" | "call" | "check"
                    | "find" | "share" | "draft",
                ) => Some("please …"),
                ("action", "required" | "needed") => Some("action required"),
                ("approval" | "signature", "needed" | "required") => Some("approval needed"),
                ("need" | "needs", "you" | "your") => Some("needs you"),
                ("your", "signature" | "approval" | "sign") => Some("your signature"),
                _ => None,
            };
        }
        // Deadlines.
        if f.deadline.is_none() {
            f.deadline = match (p1, w) {
                (_, "deadline" | "deadlines") => Some("deadline"),
                (_, "eod" | "eow" | "cob") => Some("end of day"),
                (_, "asap") => Some("asap"),
                (_, "overdue") => Some("overdue"),
                ("due", x) if x != "to" => Some("due"),
                ("by" | "before" | "until" | "till", x) if is_when(x) => Some("by a date"),
                // "by the 15th", "before next Friday", "by this afternoon" — but not
                // "before the board meeting", which names no time.
                ("the" | "this" | "next", x)
                    if matches!(p2, "by" | "before" | "until" | "till")
                        && (is_when(x) || PERIODS.contains(&x)) =>
                {
                    Some("by a date")
                }
                ("end", "of") if p2 == "by" => Some("by the end of"),
                ("no", "later") => Some("no later than"),
                _ => None,
            };
        }
        // Promises: the sender will get back to us.
        if f.promise.is_none() {
            f.promise = match (p2, p1, w) {
                ("get", "back", "to") => Some("get back to you"),
                ("will" | "i'll" | "we'll", "follow", "up") => Some("will follow up"),
                ("let", "you", "know") => Some("let you know"),
                (_, "will" | "i'll" | "we'll", "revert") => Some("will revert"),
                (_, "received", "your") => Some("received your"),
                (_, "looking", "into") => Some("looking into it"),
                (_, "will" | "i'll" | "we'll", "confirm") => Some("will confirm"),
                ("will", "come", "back") => Some("will come back"),
                _ => None,
            };
        }
        // Spam and phishing tells.
        match w {
            "lottery" | "winner" | "prize" | "inheritance" | "million" | "millions" | "bitcoin"
            | "crypto" | "viagra" | "cialis" | "casino" | "loan" | "loans" | "mortgage" | "cash"
            | "guaranteed" | "profit" | "profits" | "income" | "dollars" | "usd" | "beneficiary"
            | "pharmacy" | "debt" | "refinance" | "investment" | "earn" | "rates" | "cheap" | "free"
            | "wire" | "bonus" | "jackpot" => {
                let word: &'static str = static_word(w);
                self.money(word);
            }
            "urgent" | "urgently" | "immediately" | "suspended" | "expire" | "expires" | "expired"
            | "limited" | "locked" | "compromised"
                if self.f.urgency.is_none() =>
            {
                self.f.urgency = Some(static_word(w));
            }
            "unsubscribe" => self.f.unsubscribe = true,
            _ => {}
        }
        let f = &mut self.f;
        if f.verify.is_none() {
            f.verify = match (p2, p1, w) {
                (
                    "verify" | "confirm" | "validate" | "update",
                    "your",
                    "account" | "password" | "identity" | "details" | "billing" | "payment" | "login",
                ) => Some("verify your account"),
                (_, "account", "suspended" | "locked" | "disabled" | "verification") => {
                    Some("account suspended")
                }
                (_, "unusual" | "suspicious", "activity") => Some("unusual activity"),
                (_, "login" | "banking", "details" | "credentials") => Some("login details"),
                _ => None,
            };
        }
        match (p1, w) {
            ("click", "here" | "below" | "now") => f.click_here = true,
            ("opt", "out") => f.unsubscribe = true,
            ("act", "now") | ("final", "notice") if f.urgency.is_none() => {
                f.urgency = Some("act now");
            }
            _ => {}
        }
        if let Some((kind, points, phrase)) = screen::office_tell(p2, p1, w) {
            self.office(kind, points, phrase);
        }
    }
}

/// Every word that can end a phrase [`Scanner::word`] matches (and
/// "due", whose next word decides). Most words of a message are none of
/// these, and a look-up in a bit set answers that before any phrase is tried.
const PHRASE_ENDS: &[&str] = &[
    // questions
    "you",
    "confirm",
    "know",
    "available",
    "think",
    "agree",
    "have",
    "thoughts",
    "feedback",
    "input",
    "opinion",
    // requests
    "review",
    "sign",
    "approve",
    "send",
    "complete",
    "submit",
    "prepare",
    "fill",
    "forward",
    "book",
    "schedule",
    "arrange",
    "update",
    "pay",
    "call",
    "check",
    "find",
    "share",
    "draft",
    "required",
    "needed",
    "your",
    "signature",
    "approval",
    // deadlines
    "deadline",
    "deadlines",
    "eod",
    "eow",
    "cob",
    "asap",
    "overdue",
    "of",
    "later",
    // promises
    "to",
    "up",
    "revert",
    "into",
    "back",
    "identity",
    "details",
    "billing",
    "payment",
    "login",
    "disabled",
    "verification",
    "activity",
    "credentials",
    "here",
    "below",
    "now",
    "out",
    "notice",
    // office work (see `screen::office_tell`)
    "invoice",
    "invoices",
    "factuur",
    "facturen",
    "rechnung",
    "facture",
    "due",
    "reminder",
    "order",
    "itinerary",
    "ticket",
    "eticket",
    "reference",
    "number",
    "code",
    "pass",
    "reservation",
    "booking",
    "confirmation",
    "flight",
    "flights",
    "renew",
    "renewal",
    "renews",
    "autorenew",
    "period",
    "ends",
    "expiry",
];

/// Spam, urgency and verification words: phrase ends too, and the words a
/// reason quotes.
const SPAM_WORDS: &[&str] = &[
    "lottery",
    "winner",
    "prize",
    "inheritance",
    "million",
    "millions",
    "bitcoin",
    "crypto",
    "viagra",
    "cialis",
    "casino",
    "loan",
    "loans",
    "mortgage",
    "cash",
    "guaranteed",
    "profit",
    "profits",
    "income",
    "dollars",
    "usd",
    "beneficiary",
    "pharmacy",
    "debt",
    "refinance",
    "investment",
    "earn",
    "rates",
    "cheap",
    "free",
    "wire",
    "bonus",
    "jackpot",
    "urgent",
    "urgently",
    "immediately",
    "suspended",
    "expire",
    "expires",
    "expired",
    "limited",
    "locked",
    "compromised",
    "unsubscribe",
    "account",
    "password",
];

const BLOOM_BITS: usize = 1 << 14;

fn bloom_hash(w: &str) -> (usize, usize) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in w.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    ((h as usize) % BLOOM_BITS, ((h >> 32) as usize) % BLOOM_BITS)
}

/// Whether a word may end a phrase: [`PHRASE_ENDS`], [`SPAM_WORDS`] and the words of a date
/// after "by" ([`is_when`]); a false "yes" only costs the full match.
fn interesting(w: &str) -> bool {
    static BLOOM: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let bits = BLOOM.get_or_init(|| {
        let mut bits = vec![0u64; BLOOM_BITS / 64];
        for w in PHRASE_ENDS.iter().chain(WHEN).chain(PERIODS).chain(SPAM_WORDS) {
            let (a, b) = bloom_hash(w);
            bits[a / 64] |= 1 << (a % 64);
            bits[b / 64] |= 1 << (b % 64);
        }
        bits
    });
    if w.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return true;
    }
    let (a, b) = bloom_hash(w);
    let set = |i: usize| bits.get(i / 64).is_some_and(|x| x & (1 << (i % 64)) != 0);
    set(a) && set(b)
}

const WHEN: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "tomorrow",
    "tonight",
    "noon",
    "midday",
    "eod",
    "cob",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// A part of a day, week or year that makes "by this …" a deadline:
/// "by this afternoon", "before next week", "until the weekend", "by the end (of …)".
const PERIODS: &[&str] = &[
    "end",
    "morning",
    "afternoon",
    "evening",
    "week",
    "weekend",
    "month",
    "quarter",
];

/// A word that can follow "by" in a deadline: a weekday, a month, a day
/// number, "tomorrow", "tonight", "noon", "eod".
fn is_when(w: &str) -> bool {
    WHEN.contains(&w) || (w.len() <= 4 && w.bytes().next().is_some_and(|b| b.is_ascii_digit()))
}

/// The spam and urgency words as static strings (for the reason's sentence).
fn static_word(w: &str) -> &'static str {
    SPAM_WORDS.iter().copied().find(|x| *x == w).unwrap_or("money")
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}

/// The index of an office kind in [`Features::office`].
pub fn office_index(kind: OfficeWork) -> usize {
    match kind {
        OfficeWork::Invoice => 0,
        OfficeWork::Travel => 1,
        OfficeWork::Contract => 2,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn finds_questions_requests_deadlines_and_promises() {
        let f = scan("Budget", "Hi Lena,\n\nCould you send the figures by Friday?\n");
        assert_eq!(f.question, Some("could you"));
        assert_eq!(f.deadline, Some("by a date"));
        let f = scan("Re: offsite", "Thanks, I'll get back to you tomorrow.");
        assert_eq!(f.promise, Some("get back to you"));
        assert_eq!(f.question, None);
        let f = scan("Contract", "Please sign the attached by 12/03.");
        assert_eq!(f.request, Some("please …"));
        assert_eq!(f.deadline, Some("by a date"));
        let f = scan("", "The delay was due to the weather.");
        assert_eq!(f.deadline, None);
        let f = scan("", "Payment is due on 4 December.");
        assert_eq!(f.deadline, Some("due"));
    }

    #[test]
    fn a_deadline_names_a_time_not_just_an_event() {
        for text in [
            "Nothing needs a decision before the board meeting.",
            "Let's talk before the offsite.",
            "I was in Lisbon until the conference ended.",
            "By the way, the figures look fine.",
        ] {
            assert_eq!(scan("", text).deadline, None, "{text}");
        }
        for text in [
            "Could you send it by the 15th?",
            "We need it before next Friday.",
            "Please reply by this afternoon.",
            "Hold the room until the weekend.",
            "Send the deck by the end of the week.",
            "Sign it before Thursday.",
        ] {
            assert!(scan("", text).deadline.is_some(), "{text}");
        }
    }

    #[test]
    fn quoted_lines_are_skipped() {
        let f = scan("Re: hi", "Sure, done.\n\n> Could you send it?\n> Thanks");
        assert_eq!(f.question, None);
    }

    #[test]
    fn spam_tells() {
        let f = scan(
            "URGENT BUSINESS PROPOSAL!!!",
            "Click here to verify your account or it will be suspended. $5,000,000 million",
        );
        assert!(f.shouting());
        assert_eq!(f.subject_exclamations, 3);
        assert!(f.click_here);
        assert_eq!(f.verify, Some("verify your account"));
        assert!(f.money >= 2);
        assert!(f.urgency.is_some());
    }

    #[test]
    fn non_ascii_words_do_not_break_phrases() {
        let f = scan("Grüße", "Könnten Sie … could you help? Überweisung");
        assert_eq!(f.question, Some("could you"));
    }
}
