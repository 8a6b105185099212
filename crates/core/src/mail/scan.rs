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

/// A lower-case ASCII word held on the stack.
#[derive(Clone, Copy)]
struct Word {
    buf: [u8; MAX_WORD],
    len: usize,
}

impl Word {
    const EMPTY: Word = Word {
        buf: [0; MAX_WORD],
        len: 0,
    };

    fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored, so this never fails.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
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
    s.line(subject.as_bytes(), true);
    s.weight = 1;
    for line in text.as_bytes().split(|b| *b == b'\n') {
        let trimmed = line.trim_ascii_start();
        if trimmed.first() == Some(&b'>') {
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
    fn line(&mut self, line: &[u8], subject: bool) {
        let mut p2 = Word::EMPTY;
        let mut p1 = Word::EMPTY;
        let mut i = 0;
        let n = line.len();
        while i < n {
            let b = line[i];
            if is_word_byte(b) {
                let start = i;
                while i < n && is_word_byte(line[i]) {
                    i += 1;
                }
                let raw = &line[start..i];
                let mut w = Word::EMPTY;
                if raw.len() <= MAX_WORD && raw.is_ascii() {
                    for (d, s) in w.buf.iter_mut().zip(raw) {
                        *d = s.to_ascii_lowercase();
                    }
                    w.len = raw.len();
                    // Apostrophes at the edges are quotes, not part of the word.
                    let t = w.as_str().trim_matches('\'');
                    if t.len() != w.len {
                        let off = w.as_str().find(t).unwrap_or(0);
                        let mut u = Word::EMPTY;
                        u.buf[..t.len()].copy_from_slice(&w.buf[off..off + t.len()]);
                        u.len = t.len();
                        w = u;
                    }
                    self.word(p2.as_str(), p1.as_str(), w.as_str());
                }
                p2 = p1;
                p1 = w;
            } else {
                match b {
                    b'?' => {
                        if self.f.question.is_none() {
                            self.f.question = Some("?");
                        }
                    }
                    b'!' if !subject => self.f.text_exclamations += 1,
                    b'$' => {
                        if line.get(i + 1).is_some_and(u8::is_ascii_digit) {
                            self.money("a dollar amount");
                        }
                    }
                    // A lone hyphen keeps a phrase together ("e-ticket", "auto-renew").
                    b'-' => {
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                if !b.is_ascii_whitespace() && b != b'-' && b != b'/' {
                    // Punctuation ends a phrase.
                    p2 = Word::EMPTY;
                    p1 = Word::EMPTY;
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
            | "limited" | "locked" | "compromised" => {
                if self.f.urgency.is_none() {
                    self.f.urgency = Some(static_word(w));
                }
            }
            "unsubscribe" => self.f.unsubscribe = true,
            _ => {}
        }
        let f = &mut self.f;
        if f.verify.is_none() {
            f.verify = match (p2, p1, w) {
                ("verify" | "confirm" | "validate" | "update", "your", x)
                    if matches!(
                        x,
                        "account" | "password" | "identity" | "details" | "billing" | "payment" | "login"
                    ) =>
                {
                    Some("verify your account")
                }
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
            ("act", "now") | ("final", "notice") => {
                if f.urgency.is_none() {
                    f.urgency = Some("act now");
                }
            }
            _ => {}
        }
        if let Some((kind, points, phrase)) = screen::office_tell(p2, p1, w) {
            self.office(kind, points, phrase);
        }
    }
}

/// A word that can follow "by" in a deadline: a weekday, a month, a day
/// number, "tomorrow", "tonight", "noon", "eod".
fn is_when(w: &str) -> bool {
    matches!(
        w,
        "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "mon"
            | "tue"
            | "wed"
            | "thu"
            | "fri"
            | "tomorrow"
            | "tonight"
            | "noon"
            | "midday"
            | "eod"
            | "cob"
            | "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
            | "next"
            | "this"
            | "the"
    ) || (w.len() <= 4 && w.bytes().next().is_some_and(|b| b.is_ascii_digit()))
}

/// The spam and urgency words as static strings (for the reason's sentence).
fn static_word(w: &str) -> &'static str {
    const WORDS: &[&str] = &[
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
    ];
    WORDS.iter().copied().find(|x| *x == w).unwrap_or("money")
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
