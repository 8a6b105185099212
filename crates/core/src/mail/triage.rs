//! Triage: each message gets a category and a priority score (0–100), each
//! with the reasons that led to it, so a person can see why and correct it.
//!
//! Rules decide on a cold start; a classifier learns from corrections per
//! organisation and per person and joins in once it has seen enough.
//!
//! ## The category, in order of precedence
//!
//! 1. A **blocked** sender: `suspect`, always (code `blocked`).
//! 2. The person's or organisation's **rules** (`ctx.rules`, code `rule`):
//!    the last matching rule's category wins over everything below.
//! 3. A **learned** prediction (code `learned`): the person's classifier
//!    first, then the organisation's; it decides when its confidence is at
//!    least [`LEARNED_THRESHOLD`].
//! 4. The built-in rules, first match wins:
//!    spam and phishing tells adding up to [`SUSPECT_SCORE`] → `suspect`;
//!    bulk headers → `newsletter`; `Auto-Submitted` → `fyi`;
//!    a promise to get back to us ("I'll get back to you") → `waiting`;
//!    a request or a deadline → `act`; a question → `reply`;
//!    a reply to something we sent → `reply`; sent to us → `read`;
//!    otherwise (in copy, Bcc) → `fyi`.
//!
//! **A reply to something we sent** answers what we were waiting for, so it
//! leaves `waiting`: it is `act` when it asks for something with a request or
//! a deadline, `waiting` only when it promises an answer still to come, and
//! otherwise `reply` — the conversation is ours and the turn is back with us.
//!
//! ## The priority
//!
//! The sum of the weights below, clamped to 0–100; every weight is in a
//! reason, so the reasons add up to the score (before clamping):
//! VIP sender +30, sent to you +25, in copy +10, more than 10 recipients −10,
//! a reply to us +20, a request +15, a deadline +20, a question +15,
//! met recently +10, office work +10, bulk −25, automatic −15, each spam tell
//! −15, a blocked sender −100; a category set by a rule or by learning adds
//! its own shift (act +10, reply +5, fyi −10, newsletter −20, suspect −40).
//! A first-time sender and an accepted one are noted with weight 0.

use crate::macros::named_enum;
use crate::mail::scan::{self, Features};
use crate::mail::screen::{self, MailRule, OfficeWork, RuleAction, SenderStatus};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

named_enum!(
    /// Where a message belongs.
    Category, "category", {
        /// Something to do.
        Act = "act",
        /// A reply is expected from us.
        Reply = "reply",
        /// We wait on someone else (a reply to our question, a confirmation).
        Waiting = "waiting",
        /// Worth reading, nothing to do.
        Read = "read",
        /// For information; cc'd, notifications.
        Fyi = "fyi",
        /// Bulk mail, newsletters, marketing.
        Newsletter = "newsletter",
        /// Spam, phishing, or a blocked sender.
        Suspect = "suspect",
    }
);

/// What the server knows about a message and its sender, for triage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    /// The sender's address, lower case.
    pub from: String,
    /// The sender's display name, if any.
    pub from_name: String,
    /// The decoded subject.
    pub subject: String,
    /// The plain-text body (the caller may cut it to its first few KiB).
    pub text: String,
    /// The mailbox owner is in `To`.
    pub to_me: bool,
    /// The mailbox owner is in `Cc` (and not in `To`).
    pub cc_me: bool,
    /// How many addresses in To and Cc.
    pub recipients: usize,
    /// What the owner decided about the sender.
    pub sender: SenderStatus,
    /// `In-Reply-To` or `References` names a message the owner sent.
    pub reply_to_ours: bool,
    /// The owner met the sender (as a meeting attendee) in the last 30 days or meets them soon.
    pub met_recently: bool,
    /// Bulk-mail headers: `List-Unsubscribe`, `List-Id`, `Precedence: bulk|list|junk`.
    pub bulk: bool,
    /// `Auto-Submitted` other than `no` (autoreplies, notifications).
    pub auto_submitted: bool,
    /// `Reply-To` points to another domain than `From`.
    pub reply_to_differs: bool,
    /// The message carries attachments.
    pub has_attachments: bool,
    /// The attachments' file names (for office work: `invoice-114.pdf`).
    #[serde(default)]
    pub attachment_names: Vec<String>,
}

// `SenderStatus` is declared by `named_enum!`, which cannot derive `Default`.
#[allow(clippy::derivable_impls)]
impl Default for SenderStatus {
    fn default() -> Self {
        SenderStatus::Unknown
    }
}

/// One reason for a decision, shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable code: `vip`, `to_me`, `cc`, `reply_to_ours`, `question`, `deadline`,
    /// `met_recently`, `bulk`, `auto`, `rule`, `learned`, `blocked`, `first_time`, …
    pub code: String,
    /// The reason in a sentence: "Sent to you directly".
    pub text: String,
    /// What it added to (or took from) the priority.
    pub weight: i32,
}

/// The outcome of triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// Where the message belongs.
    pub category: Category,
    /// 0 (ignore) to 100 (now).
    pub priority: u8,
    /// Why, one sentence each; their weights add up to the priority before clamping.
    pub reasons: Vec<Reason>,
    /// Office work the message belongs to, if any.
    pub office: Option<OfficeWork>,
}

/// How many categories there are (the length of the classifier's count arrays).
pub const CATEGORIES: usize = 7;

/// The most distinct tokens a classifier keeps. Past it, the rarest tokens are
/// pruned (those seen once, then twice, …) until a tenth of the room is free.
/// Each token costs its text plus seven counts: at 50,000 tokens the model is
/// about 2 MB of JSON at most, typically well under 1 MB.
pub const MAX_TOKENS: usize = 50_000;

/// A category counts as known to a classifier from this many examples; it
/// predicts once at least two categories are known.
pub const MIN_EXAMPLES_PER_CATEGORY: u32 = 2;

/// A learned prediction overrides the built-in rules' category from this
/// confidence on. The confidence is the model's probability of its best
/// category, damped by how many examples of it there are (`n / (n + 0.25)`),
/// so three consistent corrections of clearly similar messages are enough
/// (0.92 × a near-certain probability) and two never are (0.89 at most).
/// Chosen on the labelled set (see BENCHMARKS.md): at 0.7 and 0.8 the
/// classifier, learned from every filed message, overrode right rules more
/// often than it fixed wrong ones; at 0.9 it fixes about as many as it breaks.
pub const LEARNED_THRESHOLD: f64 = 0.9;

/// The evidence of at most this many known tokens is counted at full weight;
/// beyond it, the sum is scaled down. Words in a message are not independent,
/// and without this naive Bayes is certain of everything.
pub const EVIDENCE_TOKENS: f64 = 24.0;

/// A multinomial naive Bayes classifier learned from corrections (Laplace
/// smoothing, log probabilities). Serialised into the store as JSON: for each
/// token, its count per category (in the order of [`Category::ALL`]).
/// Tokens it has never seen are ignored when predicting, so a message unlike
/// anything it learned falls back to the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classifier {
    /// How many corrections it learned from.
    pub examples: u32,
    /// Examples per category.
    #[serde(default)]
    pub per_category: [u32; CATEGORIES],
    /// Token occurrences per category (the sums of `tokens`' counts).
    #[serde(default)]
    pub token_totals: [u64; CATEGORIES],
    /// Each token's occurrences per category.
    #[serde(default)]
    pub tokens: TokenCounts,
}

/// Each token's occurrences per category, hashed with [`TokenHasher`].
pub type TokenCounts = HashMap<String, [u32; CATEGORIES], BuildHasherDefault<TokenHasher>>;

/// A fast multiply-rotate hash (the Fx hash of rustc) for the classifier's
/// tokens: `predict` looks up a few hundred tokens per message on the path
/// that must triage 50,000 messages a second. It is not keyed; the table is
/// capped at [`MAX_TOKENS`] entries, which bounds what colliding tokens can cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A classifier's guess.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The most likely category.
    pub category: Category,
    /// 0.0 to 1.0.
    pub confidence: f64,
    /// How many examples of that category the classifier learned.
    pub examples: u32,
}

fn index(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

impl Classifier {
    /// Learns that a message with these tokens belongs to `category`.
    pub fn learn(&mut self, tokens: &[String], category: Category) {
        let c = index(category);
        self.examples = self.examples.saturating_add(1);
        self.per_category[c] = self.per_category[c].saturating_add(1);
        for t in tokens {
            let counts = self.tokens.entry(t.clone()).or_default();
            counts[c] = counts[c].saturating_add(1);
            self.token_totals[c] = self.token_totals[c].saturating_add(1);
        }
        if self.tokens.len() > MAX_TOKENS {
            self.prune();
        }
    }

    /// Forgets an example learned before (when a correction is itself corrected).
    /// Learning an example and unlearning it leaves the classifier as it was
    /// (unless pruning ran in between).
    pub fn unlearn(&mut self, tokens: &[String], category: Category) {
        let c = index(category);
        if self.per_category[c] == 0 {
            return;
        }
        self.examples = self.examples.saturating_sub(1);
        self.per_category[c] -= 1;
        for t in tokens {
            let Some(counts) = self.tokens.get_mut(t) else {
                continue;
            };
            if counts[c] > 0 {
                counts[c] -= 1;
                self.token_totals[c] = self.token_totals[c].saturating_sub(1);
            }
            if counts.iter().all(|n| *n == 0) {
                self.tokens.remove(t);
            }
        }
    }

    /// Drops the rarest tokens until a tenth of [`MAX_TOKENS`] is free.
    fn prune(&mut self) {
        let target = MAX_TOKENS - MAX_TOKENS / 10;
        let mut floor = 1u64;
        while self.tokens.len() > target {
            let totals = &mut self.token_totals;
            self.tokens.retain(|_, counts| {
                let sum: u64 = counts.iter().map(|n| u64::from(*n)).sum();
                if sum <= floor {
                    for (t, n) in totals.iter_mut().zip(counts.iter()) {
                        *t = t.saturating_sub(u64::from(*n));
                    }
                    false
                } else {
                    true
                }
            });
            floor += 1;
        }
    }

    /// Whether it has seen enough to predict: at least
    /// [`MIN_EXAMPLES_PER_CATEGORY`] examples in each of two categories.
    pub fn ready(&self) -> bool {
        self.per_category
            .iter()
            .filter(|n| **n >= MIN_EXAMPLES_PER_CATEGORY)
            .count()
            >= 2
    }

    /// Its guess, or none while it has seen too little.
    pub fn predict(&self, tokens: &[String]) -> Option<Prediction> {
        if !self.ready() {
            return None;
        }
        let mut acc = Evidence::default();
        for t in tokens {
            self.weigh(&mut acc, t);
        }
        self.conclude(&acc)
    }

    /// Adds one token's evidence (nothing if the token is unknown).
    fn weigh(&self, acc: &mut Evidence, token: &str) {
        if let Some(counts) = self.tokens.get(token) {
            acc.known += 1;
            for (e, n) in acc.sums.iter_mut().zip(counts) {
                if *n > 0 {
                    *e += ln1p(*n);
                }
            }
        }
    }

    /// The prediction from the evidence of a message's tokens.
    fn conclude(&self, acc: &Evidence) -> Option<Prediction> {
        if !self.ready() {
            return None;
        }
        let known = f64::from(acc.known);
        let vocabulary = self.tokens.len() as f64 + 1.0;
        let damp = if known > EVIDENCE_TOKENS {
            EVIDENCE_TOKENS / known
        } else {
            1.0
        };
        let total = f64::from(self.examples) + CATEGORIES as f64;
        let mut scores = [f64::NEG_INFINITY; CATEGORIES];
        for (c, score) in scores.iter_mut().enumerate() {
            if self.per_category[c] == 0 {
                continue;
            }
            let prior = ((f64::from(self.per_category[c]) + 1.0) / total).ln();
            let likelihood = acc.sums[c] - known * (self.token_totals[c] as f64 + vocabulary).ln();
            *score = prior + damp * likelihood;
        }
        let (best, top) =
            scores.iter().enumerate().fold(
                (0, f64::NEG_INFINITY),
                |acc, (i, s)| if *s > acc.1 { (i, *s) } else { acc },
            );
        let sum: f64 = scores.iter().map(|s| (s - top).exp()).sum();
        let probability = if sum > 0.0 { 1.0 / sum } else { 0.0 };
        let n = self.per_category[best];
        let confidence = (probability * f64::from(n) / (f64::from(n) + 0.25)).clamp(0.0, 1.0);
        Some(Prediction {
            category: Category::ALL.get(best).copied().unwrap_or(Category::Read),
            confidence,
            examples: n,
        })
    }
}

/// The evidence gathered from a message's tokens, per category.
#[derive(Debug, Default, Clone, Copy)]
struct Evidence {
    sums: [f64; CATEGORIES],
    known: u32,
}

/// `ln(1 + n)`: exact from a table below 1,024; above, from the exponent and a
/// 1,024-entry table of the mantissa (error under 0.1 %), without a libm call.
fn ln1p(n: u32) -> f64 {
    struct Tables {
        small: Vec<f64>,
        mantissa: Vec<f64>,
    }
    static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    let t = TABLES.get_or_init(|| Tables {
        small: (0..1024u32).map(|i| f64::from(i).ln_1p()).collect(),
        mantissa: (0..1024u32)
            .map(|i| (1.0 + (f64::from(i) + 0.5) / 1024.0).ln())
            .collect(),
    });
    if let Some(v) = t.small.get(n as usize) {
        return *v;
    }
    let x = f64::from(n) + 1.0;
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as f64 - 1023.0;
    let m = ((bits >> 42) & 0x3ff) as usize;
    exponent * std::f64::consts::LN_2 + t.mantissa.get(m).copied().unwrap_or(0.0)
}

/// The most words of the text a classifier sees (the subject is seen whole).
pub const TEXT_TOKENS: usize = 120;

/// The features a classifier sees of a message: the sender (`f:` address and
/// `d:` domain), the header signals (`x:bulk`, `x:to`, …), the subject's words
/// (`s:` prefixed) and the first [`TEXT_TOKENS`] words of the text of 3 to 20
/// characters, all lower case.
pub fn tokens(signals: &Signals) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(TEXT_TOKENS + 32);
    each_token(signals, &mut |t| out.push(t.to_string()));
    out
}

/// Calls `f` with each of [`tokens`], built one after the other in one buffer.
fn each_token(signals: &Signals, f: &mut dyn FnMut(&str)) {
    let mut buf = String::with_capacity(64);
    if !signals.from.is_empty() {
        buf.push_str("f:");
        buf.push_str(&signals.from);
        f(&buf);
        if let Some((_, domain)) = signals.from.rsplit_once('@') {
            buf.clear();
            buf.push_str("d:");
            buf.push_str(domain);
            f(&buf);
        }
    }
    let flags = [
        (signals.bulk, "x:bulk"),
        (signals.auto_submitted, "x:auto"),
        (signals.to_me, "x:to"),
        (signals.cc_me, "x:cc"),
        (!signals.to_me && !signals.cc_me, "x:bcc"),
        (signals.recipients > 10, "x:many"),
        (signals.reply_to_ours, "x:ours"),
        (signals.reply_to_differs, "x:replyto"),
        (signals.has_attachments, "x:attach"),
        (signals.met_recently, "x:met"),
    ];
    for (on, name) in flags {
        if on {
            f(name);
        }
    }
    buf.clear();
    buf.push_str("x:sender:");
    buf.push_str(signals.sender.as_str());
    f(&buf);
    words(&mut buf, &signals.subject, "s:", 2, usize::MAX, f);
    words(&mut buf, &signals.text, "", 3, TEXT_TOKENS, f);
}

/// The words of `text` (runs of alphanumeric characters) of `min` to 20
/// bytes, lower case, prefixed, at most `max_words` of them. ASCII runs are
/// found byte by byte; only runs with other characters are split by `char`.
fn words(buf: &mut String, text: &str, prefix: &str, min: usize, max_words: usize, f: &mut dyn FnMut(&str)) {
    let mut emit = |w: &str, buf: &mut String| {
        if w.len() < min || w.len() > 20 {
            return 0;
        }
        buf.clear();
        buf.push_str(prefix);
        if w.is_ascii() {
            buf.push_str(w);
            buf.make_ascii_lowercase();
        } else {
            buf.extend(w.chars().flat_map(char::to_lowercase));
        }
        f(buf);
        1
    };
    let bytes = text.as_bytes();
    let in_word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let mut i = 0;
    let mut count = 0;
    while i < bytes.len() && count < max_words {
        if !in_word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut ascii = true;
        while i < bytes.len() && in_word(bytes[i]) {
            ascii &= bytes[i] < 0x80;
            i += 1;
        }
        // The run starts and ends at ASCII bytes or the ends of the text: char boundaries.
        let run = text.get(start..i).unwrap_or("");
        if ascii {
            count += emit(run, buf);
        } else {
            for w in run.split(|c: char| !c.is_alphanumeric()) {
                if count >= max_words {
                    break;
                }
                count += emit(w, buf);
            }
        }
    }
}

/// What triage uses besides the message: the rules in force and the
/// classifiers learned for the person and for the organisation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The person's and the organisation's rules, in order (the last match wins).
    pub rules: &'a [MailRule],
    /// The classifier learned from the person's corrections.
    pub person: Option<&'a Classifier>,
    /// The classifier learned from the whole organisation's corrections.
    pub org: Option<&'a Classifier>,
}

/// How many spam tells make a message `suspect` (see [`triage`]).
pub const SUSPECT_SCORE: u32 = 3;

/// The weight of each spam tell.
const TELL_WEIGHT: i32 = -15;

struct Decision {
    reasons: Vec<Reason>,
}

impl Decision {
    fn add(&mut self, code: &str, weight: i32, text: String) {
        self.reasons.push(Reason {
            code: code.to_string(),
            text,
            weight,
        });
    }
}

/// The priority shift of a category set by a rule or by learning.
fn category_shift(c: Category) -> i32 {
    match c {
        Category::Act => 10,
        Category::Reply => 5,
        Category::Waiting | Category::Read => 0,
        Category::Fyi => -10,
        Category::Newsletter => -20,
        Category::Suspect => -40,
    }
}

/// The spam and phishing tells of a message, each with its sentence; two
/// points for the strong ones.
fn spam_tells(s: &Signals, f: &Features) -> Vec<(u32, String)> {
    let mut tells = Vec::new();
    if s.reply_to_differs
        && let Some(w) = f.money_word.or(f.urgency)
    {
        tells.push((
            2,
            format!("Replies go to another domain than the sender's, and it speaks of “{w}”"),
        ));
    }
    if let Some(p) = f.verify {
        tells.push((2, format!("It asks you to “{p}”")));
    }
    if f.money >= 2 {
        tells.push((
            1,
            format!(
                "Money or spam words ({} of them, like “{}”)",
                f.money,
                f.money_word.unwrap_or("money")
            ),
        ));
    }
    if let Some(u) = f.urgency
        && (f.money > 0 || f.click_here)
    {
        tells.push((1, format!("Pressure to act (“{u}”)")));
    }
    if f.shouting() {
        tells.push((1, "The subject is mostly capitals".to_string()));
    }
    if f.subject_exclamations >= 2 || f.text_exclamations >= 8 {
        tells.push((1, "Lots of exclamation marks".to_string()));
    }
    if f.click_here {
        tells.push((1, "It says “click here”".to_string()));
    }
    if f.unsubscribe && !s.bulk {
        tells.push((
            1,
            "It offers to unsubscribe but has no mailing-list headers".to_string(),
        ));
    }
    if !s.to_me && !s.cc_me && s.sender == SenderStatus::Unknown && !s.bulk {
        tells.push((
            1,
            "You are not among the recipients, from an unknown sender".to_string(),
        ));
    }
    tells
}

/// Triage one message: its category, priority and the reasons for both, and
/// the office work it belongs to. See the module documentation for the order
/// in which the rules decide.
pub fn triage(signals: &Signals, ctx: &Context<'_>) -> Triage {
    let s = signals;
    let f = scan::scan(&s.subject, &s.text);
    let mut d = Decision {
        reasons: Vec::with_capacity(8),
    };

    // Who sent it, and to whom.
    match s.sender {
        SenderStatus::Vip => d.add("vip", 30, "A VIP sender".into()),
        SenderStatus::Blocked => d.add("blocked", -100, "You blocked this sender".into()),
        SenderStatus::Unknown => d.add(
            "first_time",
            0,
            "A first-time sender: the message waits in screening".into(),
        ),
        SenderStatus::Accepted => d.add("known", 0, "A sender you accepted".into()),
    }
    if s.to_me {
        d.add("to_me", 25, "Sent to you directly".into());
    } else if s.cc_me {
        d.add("cc", 10, "You are in copy".into());
    }
    if s.recipients > 10 {
        d.add("many_recipients", -10, format!("Sent to {} people", s.recipients));
    }
    if s.reply_to_ours {
        d.add("reply_to_ours", 20, "A reply to a message you sent".into());
    }
    if s.met_recently {
        d.add(
            "met_recently",
            10,
            "You met the sender recently or will soon".into(),
        );
    }

    // What it says.
    if let Some(p) = f.request {
        d.add("request", 15, format!("It asks you to do something (“{p}”)"));
    }
    if let Some(p) = f.deadline {
        d.add("deadline", 20, format!("It mentions a deadline (“{p}”)"));
    }
    if let Some(p) = f.question {
        d.add("question", 15, format!("It asks a question (“{p}”)"));
    }
    if let Some(p) = f.promise {
        d.add("promise", 0, format!("The sender will get back to you (“{p}”)"));
    }
    if s.bulk {
        d.add("bulk", -25, "Bulk mail (mailing-list headers)".into());
    }
    if s.auto_submitted {
        d.add("auto", -15, "Sent automatically".into());
    }
    let tells = spam_tells(s, &f);
    let tell_score: u32 = tells.iter().map(|(p, _)| p).sum();
    for (_, text) in &tells {
        d.add("spam_tell", TELL_WEIGHT, text.clone());
    }

    // The built-in rules' category.
    let mut category = if tell_score >= SUSPECT_SCORE {
        Category::Suspect
    } else if s.bulk {
        Category::Newsletter
    } else if s.auto_submitted {
        Category::Fyi
    } else if f.promise.is_some() {
        Category::Waiting
    } else if f.request.is_some() || f.deadline.is_some() {
        Category::Act
    } else if f.question.is_some() || s.reply_to_ours {
        Category::Reply
    } else if s.to_me {
        Category::Read
    } else {
        Category::Fyi
    };
    if category == Category::Suspect {
        d.add(
            "suspect",
            0,
            format!("{} spam or phishing tells: filed as suspect", tells.len()),
        );
    }

    // Office work.
    let mut office = None;
    if category != Category::Suspect
        && let Some(m) = screen::decide_office(f.office, f.office_phrase, &s.attachment_names)
    {
        office = Some(m.kind);
        d.add(
            "office",
            10,
            format!("Looks like {} work (“{}”)", m.kind, m.phrase),
        );
    }

    // Rules the person or organisation wrote win over what follows.
    let mut ruled = None;
    for rule in ctx.rules {
        if rule.matches(&s.from, &s.subject) {
            match &rule.action {
                RuleAction::Category(c) => {
                    ruled = Some(*c);
                    d.add(
                        "rule",
                        0,
                        format!("Your rule “{}” files it under {c}", rule.describe()),
                    );
                }
                RuleAction::Office(o) => {
                    office = Some(*o);
                    d.add(
                        "rule",
                        0,
                        format!("Your rule “{}” marks it as {o} work", rule.describe()),
                    );
                }
            }
        }
    }

    if s.sender == SenderStatus::Blocked {
        category = Category::Suspect;
        office = None;
    } else if let Some(c) = ruled {
        let shift = category_shift(c);
        if c != category && shift != 0 {
            d.add("rule", shift, format!("Filed under {c} by your rule"));
        }
        category = c;
    } else if ctx.person.is_some_and(Classifier::ready) || ctx.org.is_some_and(Classifier::ready) {
        // One pass over the tokens feeds both models.
        let person = ctx.person.filter(|m| m.ready());
        let org = ctx.org.filter(|m| m.ready());
        let (mut pe, mut oe) = (Evidence::default(), Evidence::default());
        each_token(s, &mut |t| {
            if let Some(m) = person {
                m.weigh(&mut pe, t);
            }
            if let Some(m) = org {
                m.weigh(&mut oe, t);
            }
        });
        let learned = [(person, pe, "You"), (org, oe, "Your organisation")]
            .into_iter()
            .filter_map(|(m, e, who)| Some((m?.conclude(&e)?, who)))
            .find(|(p, _)| p.confidence >= LEARNED_THRESHOLD);
        if let Some((p, who)) = learned {
            let shift = if p.category != category {
                category_shift(p.category)
            } else {
                0
            };
            d.add(
                "learned",
                shift,
                format!(
                    "{who} filed {} like this under {} ({:.0}% sure)",
                    p.examples,
                    p.category,
                    p.confidence * 100.0
                ),
            );
            category = p.category;
        }
    }

    let sum: i32 = d.reasons.iter().map(|r| r.weight).sum();
    Triage {
        category,
        priority: u8::try_from(sum.clamp(0, 100)).unwrap_or(0),
        reasons: d.reasons,
        office,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::mail::screen::RuleField;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    fn msg(from: &str, subject: &str, text: &str) -> Signals {
        Signals {
            from: from.into(),
            subject: subject.into(),
            text: text.into(),
            to_me: true,
            recipients: 1,
            sender: SenderStatus::Accepted,
            ..Signals::default()
        }
    }

    fn plain(s: &Signals) -> Triage {
        triage(s, &Context::default())
    }

    fn codes(t: &Triage) -> Vec<&str> {
        t.reasons.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn cold_start_rules() {
        let t = plain(&msg(
            "anna@acme.example",
            "Board deck",
            "Could you look at slide 4?",
        ));
        assert_eq!(t.category, Category::Reply);
        assert!(codes(&t).contains(&"question"));
        let t = plain(&msg(
            "anna@acme.example",
            "Board deck",
            "Please send the figures by Friday.",
        ));
        assert_eq!(t.category, Category::Act);
        assert!(codes(&t).contains(&"deadline"));
        let t = plain(&msg(
            "anna@acme.example",
            "Notes",
            "Here are the notes from today.",
        ));
        assert_eq!(t.category, Category::Read);
        let mut s = msg(
            "news@shop.example",
            "Our December picks",
            "New arrivals. Unsubscribe.",
        );
        s.bulk = true;
        assert_eq!(plain(&s).category, Category::Newsletter);
        let mut s = msg("noreply@tool.example", "Build passed", "All green.");
        s.auto_submitted = true;
        assert_eq!(plain(&s).category, Category::Fyi);
        let mut s = msg("anna@acme.example", "Notes", "Here are the notes.");
        s.to_me = false;
        s.cc_me = true;
        let t = plain(&s);
        assert_eq!(t.category, Category::Fyi);
        assert!(codes(&t).contains(&"cc"));
    }

    #[test]
    fn replies_to_our_messages() {
        let mut s = msg("anna@acme.example", "Re: venue", "Yes, Thursday works for us.");
        s.reply_to_ours = true;
        assert_eq!(plain(&s).category, Category::Reply);
        s.text = "I'll get back to you tomorrow with the prices.".into();
        assert_eq!(plain(&s).category, Category::Waiting);
        s.text = "Yes. Please sign the attached contract by Monday.".into();
        assert_eq!(plain(&s).category, Category::Act);
    }

    #[test]
    fn blocked_wins_over_rules_and_rules_over_the_rest() {
        let rule = MailRule::new(
            RuleField::FromDomain,
            "acme.example",
            RuleAction::Category(Category::Read),
        )
        .unwrap();
        let rules = [rule];
        let ctx = Context {
            rules: &rules,
            ..Context::default()
        };
        let mut s = msg(
            "anna@acme.example",
            "URGENT!!! WIN CASH NOW",
            "Click here, lottery winner, million dollars",
        );
        assert_eq!(plain(&s).category, Category::Suspect);
        let t = triage(&s, &ctx);
        assert_eq!(t.category, Category::Read);
        assert!(
            t.reasons
                .iter()
                .any(|r| r.code == "rule" && r.text.contains("from domain acme.example"))
        );
        s.sender = SenderStatus::Blocked;
        let t = triage(&s, &ctx);
        assert_eq!(t.category, Category::Suspect);
        assert_eq!(t.priority, 0);
    }

    #[test]
    fn phishing_is_suspect() {
        let mut s = msg(
            "security@paypa1-support.example",
            "Your account has been limited",
            "We noticed unusual activity. Verify your account within 24 hours or it will be suspended.",
        );
        s.sender = SenderStatus::Unknown;
        s.reply_to_differs = true;
        let t = plain(&s);
        assert_eq!(t.category, Category::Suspect, "{t:?}");
        assert_eq!(t.office, None);
    }

    #[test]
    fn office_work_and_priority_from_reasons() {
        let mut s = msg(
            "billing@vendor.example",
            "Invoice 2026-114",
            "Amount due: EUR 1,200.00 by 15 December.",
        );
        s.sender = SenderStatus::Vip;
        let t = plain(&s);
        assert_eq!(t.office, Some(OfficeWork::Invoice));
        assert_eq!(t.category, Category::Act);
        let sum: i32 = t.reasons.iter().map(|r| r.weight).sum();
        assert_eq!(i32::from(t.priority), sum.clamp(0, 100));
        assert!(t.priority >= 80, "{t:?}");
    }

    fn learn_msg(m: &mut Classifier, s: &Signals, c: Category) {
        m.learn(&tokens(s), c);
    }

    /// Rules say `read`; the user files three similar messages under
    /// `newsletter`; the next similar one is a newsletter, a different one
    /// is still `read`.
    #[test]
    fn corrections_change_later_decisions() {
        let mut model = Classifier::default();
        let ordinary = [
            (
                "anna@acme.example",
                "Board minutes",
                "Attached are the minutes of the board meeting.",
            ),
            (
                "tom@northwind.example",
                "Hiring plan",
                "Here is the plan for the new engineering roles.",
            ),
            (
                "maya@northwind.example",
                "Offsite venue",
                "We booked the venue near the lake for the spring offsite.",
            ),
            (
                "li@partner.example",
                "Quarterly review",
                "Summary of our quarterly review with the partner team.",
            ),
        ];
        for (f, sub, t) in ordinary {
            learn_msg(&mut model, &msg(f, sub, t), Category::Read);
        }
        let digest = |n: u32| {
            msg(
                "digest@industryweekly.example",
                &format!("Industry Weekly #{n}: funding roundup"),
                "This week in funding: three startups raised rounds, market commentary and analyst notes from the week.",
            )
        };
        let ctx = Context {
            person: Some(&model),
            ..Context::default()
        };
        assert_eq!(triage(&digest(1), &ctx).category, Category::Read);
        for n in 1..=3 {
            learn_msg(&mut model, &digest(n), Category::Newsletter);
        }
        let ctx = Context {
            person: Some(&model),
            ..Context::default()
        };
        let t = triage(&digest(4), &ctx);
        assert_eq!(t.category, Category::Newsletter, "{t:?}");
        let r = t.reasons.iter().find(|r| r.code == "learned").unwrap();
        assert!(
            r.text.starts_with("You filed 3 like this under newsletter"),
            "{}",
            r.text
        );
        let other = msg(
            "sam@supplier.example",
            "Delivery",
            "The chairs arrive at the office on the third floor.",
        );
        assert_eq!(triage(&other, &ctx).category, Category::Read);
        // The organisation's model is asked when the person's is unsure.
        let ctx = Context {
            org: Some(&model),
            ..Context::default()
        };
        let t = triage(&digest(5), &ctx);
        assert_eq!(t.category, Category::Newsletter);
        assert!(
            t.reasons
                .iter()
                .any(|r| r.text.starts_with("Your organisation filed 3"))
        );
    }

    #[test]
    fn tokens_are_lower_case_words() {
        let mut s = msg(
            "Anna@Acme.example",
            "Grüße aus KÖLN—café",
            "Re: The Q4 plan, v2 (final).",
        );
        s.from = "anna@acme.example".into();
        let t = tokens(&s);
        for want in [
            "f:anna@acme.example",
            "d:acme.example",
            "x:to",
            "s:grüße",
            "s:aus",
            "s:köln",
            "s:café",
            "the",
            "plan",
            "final",
        ] {
            assert!(t.iter().any(|x| x == want), "{want} missing from {t:?}");
        }
        assert!(!t.iter().any(|x| x == "q4" || x == "v2"), "{t:?}");
    }

    #[test]
    fn predict_waits_for_two_categories() {
        let mut m = Classifier::default();
        let toks = tokens(&msg("a@b.example", "hello there", "some words here"));
        for _ in 0..5 {
            m.learn(&toks, Category::Read);
        }
        assert_eq!(m.predict(&toks), None);
        m.learn(&toks, Category::Act);
        assert_eq!(m.predict(&toks), None);
        m.learn(&toks, Category::Act);
        assert!(m.predict(&toks).is_some());
    }

    #[test]
    fn the_model_serialises_and_stays_bounded() {
        let mut m = Classifier::default();
        for i in 0..(MAX_TOKENS + 10) {
            m.learn(&[format!("t{i}")], Category::ALL[i % 7]);
        }
        assert!(m.tokens.len() <= MAX_TOKENS);
        let totals: u64 = m
            .tokens
            .values()
            .flat_map(|c| c.iter())
            .map(|n| u64::from(*n))
            .sum();
        assert_eq!(totals, m.token_totals.iter().sum::<u64>());
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.len() < 2_000_000, "{}", json.len());
        let back: Classifier = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    fn signals_strategy() -> impl Strategy<Value = Signals> {
        let words = prop::sample::select(vec![
            "invoice",
            "could",
            "you",
            "please",
            "by",
            "friday",
            "deadline",
            "lunch",
            "unsubscribe",
            "click",
            "here",
            "verify",
            "your",
            "account",
            "million",
            "thanks",
            "notes",
            "?",
            "!",
            "FREE",
            "get back to you",
            "will follow up",
            "booking reference",
            "flight",
            "itinerary",
            "renewal",
            "asap",
        ]);
        (
            prop::collection::vec(words.clone(), 0..5),
            prop::collection::vec(words, 0..12),
            prop::collection::vec(any::<bool>(), 8),
            0usize..30,
            0usize..4,
        )
            .prop_map(|(subject, text, b, recipients, sender)| Signals {
                from: "x@y.example".into(),
                from_name: String::new(),
                subject: subject.join(" "),
                text: text.join(" "),
                to_me: b[0],
                cc_me: !b[0] && b[1],
                recipients,
                sender: SenderStatus::ALL[sender],
                reply_to_ours: b[2],
                met_recently: b[3],
                bulk: b[4],
                auto_submitted: b[5],
                reply_to_differs: b[6],
                has_attachments: b[7],
                attachment_names: Vec::new(),
            })
    }

    proptest! {
        /// The priority is the clamped sum of the reasons' weights, always 0..=100.
        #[test]
        fn priority_is_the_clamped_sum(s in signals_strategy()) {
            let t = plain(&s);
            let sum: i32 = t.reasons.iter().map(|r| r.weight).sum();
            prop_assert!(t.priority <= 100);
            prop_assert_eq!(i32::from(t.priority), sum.clamp(0, 100));
        }

        /// Learning an example and unlearning it leaves the model as it was.
        #[test]
        fn learn_then_unlearn_is_identity(
            history in prop::collection::vec((signals_strategy(), 0usize..7), 0..8),
            s in signals_strategy(),
            c in 0usize..7,
        ) {
            let mut m = Classifier::default();
            for (h, hc) in &history {
                m.learn(&tokens(h), Category::ALL[*hc]);
            }
            let before = m.clone();
            let toks = tokens(&s);
            m.learn(&toks, Category::ALL[c]);
            m.unlearn(&toks, Category::ALL[c]);
            prop_assert_eq!(m, before);
        }

        /// Confidence is a probability.
        #[test]
        fn confidence_is_a_probability(
            history in prop::collection::vec((signals_strategy(), 0usize..7), 4..12),
            s in signals_strategy(),
        ) {
            let mut m = Classifier::default();
            for (h, hc) in &history {
                m.learn(&tokens(h), Category::ALL[*hc]);
            }
            if let Some(p) = m.predict(&tokens(&s)) {
                prop_assert!((0.0..=1.0).contains(&p.confidence));
            }
        }
    }

    /// Every category is reachable from the rules alone.
    #[test]
    fn every_category_is_reachable() {
        let mut seen = std::collections::BTreeSet::new();
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        for _ in 0..3000 {
            let s = signals_strategy().new_tree(&mut runner).unwrap().current();
            seen.insert(plain(&s).category);
        }
        assert_eq!(seen.len(), Category::ALL.len(), "{seen:?}");
    }
}
