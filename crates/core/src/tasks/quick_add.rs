//! Quick add: one line of text into a task.
//!
//! `call Anna about the lease tomorrow 15:00 !high #board ~30m` reads as the
//! title "call Anna about the lease", due tomorrow at 15:00, impact 4 (high),
//! the tag `board` and an estimate of 30 minutes. [`parse`] only reads the
//! text; the caller turns the result into a task, resolves `@person` and
//! `+project`, and shows [`QuickAdd::not_understood`] to the person. Nothing
//! here reads the clock: `now`, in the person's zone, is passed in, so the same
//! text and `now` always give the same result.
//!
//! # Markers
//!
//! A word that starts with a sigil followed by a letter or digit is a marker:
//!
//! - `!low` = impact 2, `!medium` / `!normal` = 3, `!high` = 4, `!critical` /
//!   `!top` = 5, `!1` … `!5` = that number; `!urgent` / `!asap` mark it urgent.
//! - `#board` is the tag `board`: lower-cased, deduplicated, in order; letters,
//!   digits, `-` and `_`, at most 50. A `#` followed by digits only (`#4711`) is
//!   an invoice or issue number, not a tag, and stays in the title.
//! - `~30m`, `~30min`, `~2h`, `~1h30`, `~1h30m`, `~1.5h` (or `~1,5h`), `~90`
//!   (minutes) are the estimate: more than zero and at most 200 hours.
//! - `@anna` names the person to delegate to, as written.
//! - `+lease-renewal` names the project, as written. A `+` followed by digits
//!   only (`+31`) is a phone number and stays in the title.
//!
//! Punctuation right after a marker (`#board,`) is not part of it. A marker
//! whose value cannot be read — `~3x`, `!hgh`, `~0m`, a second, different
//! `@person` — stays in the title and is listed in `not_understood` with what
//! is wrong, so nothing the person typed silently disappears.
//!
//! # The date phrase
//!
//! Dates are read by the `interim` crate (natural-language dates); this module
//! only finds the phrase inside the sentence, hands interim a tidy version of it
//! and covers a few forms interim lacks. After the markers are taken out, every
//! run of words that has one of these shapes is a candidate:
//!
//! ```text
//! [due] [by|on|at] DATE [[at] TIME]
//! [due] [by|on|at] TIME [[on] DATE]
//! DATE = today | tomorrow | tonight
//!      | [next|this] WEEKDAY                     friday, fri, next friday
//!      | [next|this] MONTH DAY | MONTH DAY YEAR   dec 12, december 12th 2027
//!      | [next|this] DAY MONTH | DAY MONTH YEAR   12 december, 12th dec 2027
//!      | [next|this] D/M | D/M/Y | Y-M-D          12/11, 12/11/2027, 2026-12-12
//!      | in N days|weeks|months|years|hours|minutes   (N a number, a, an, one … twelve)
//!      | next week|month|year
//!      | end of [the] day|week|month | eod | eow | eom
//! TIME = 15:00 | 3pm | 3:30pm | 3 pm | noon | midday
//! ```
//!
//! A candidate counts only when it is anchored, which keeps ordinary titles
//! intact: it has a connective (`due`, `by`, `on`, `at`) in front, or it holds
//! a day word (today, tomorrow, tonight, end of …), a weekday, a month *with a
//! day*, a numeric date with a year, `in N units`, `next week|month|year`, or a
//! clock time written as `HH:MM` (two-digit minutes) or with am/pm. So a lone
//! month ("ask May about the march budget"), a lone number, "now", "second",
//! "15.30" (as likely a price) and words that merely start like a weekday
//! ("monitor") are never dates. Weaker forms need more:
//!
//! - the weekday abbreviations that are also English words — `sat`, `sun`,
//!   `wed` — and `noon` / `midday` count only with a connective, `next`/`this`,
//!   or beside another part of the phrase ("I sat down" stays; "on sat" is
//!   Saturday);
//! - a day and month in digits (`12/12`) counts at the end of the text, or with
//!   a connective or a time; inside a sentence it is as likely a fraction ("pay
//!   1/2 of the bill").
//!
//! Of the candidates interim can resolve, the one ending at the last word wins,
//! then the longest (so "by friday 17:00" beats "17:00"), then the latest. It
//! is removed from the title with its connective; any other date-like words
//! stay in the title. A connective followed by something that looks like a date
//! or time but is not one ("by blorpday", "on 31/02", "at 25:00", "at 5")
//! stays in the title and is listed in `not_understood`.
//!
//! What the phrases mean:
//!
//! - A weekday is the next such day after today, so today's weekday means a
//!   week from today — unless a time is given that is still ahead today
//!   ("wednesday 15:00" on a Wednesday morning is today), as interim reads it.
//! - `next friday` is interim's dialect rule, taken from [`DateOrder`]: with
//!   day-first dates (British usage) it is the Friday after the coming one;
//!   with month-first dates (American usage) it is the coming Friday.
//!   `this friday` is the coming Friday in both.
//! - A day and month without a year (`dec 12`, `12/11`) is the next such day
//!   from today: a date already past this year means next year.
//! - A numeric date that is no date in the person's order but is one in the
//!   other (`12/31/2026` written day-first) is read the only way it can be.
//! - `in 3 days`, `next week` (7 days), `next month` count from today;
//!   `in 2 hours` / `in 30 minutes` count from `now` and name a time (to the
//!   minute).
//! - `tonight` is today; a time with it and without am/pm is in the evening
//!   (`tonight at 8` and `tonight 8:30` are 20:00 and 20:30).
//! - End of day is today, end of week the Friday of this working week (on a
//!   weekend, the coming Friday), end of month its last day.
//! - A time with no date is today when it is still ahead of `now`, otherwise
//!   tomorrow ("15:00 call bank" at 16:00 is due tomorrow at 15:00).
//! - A time that does not exist on that day (clocks spring forward) moves
//!   forward by the gap, as elsewhere in Adjutant (RFC 5545 §3.3.5).
//! - Past dates (`yesterday`, `last friday`) are not read: a task is due ahead.
//!
//! `due_time` is set only when the text names a time; a date alone means "by
//! the end of that day".

use interim::Dialect;
use jiff::Zoned;
use jiff::civil::{Date, Time, Weekday};
use serde::{Deserialize, Serialize};

/// The largest estimate quick add accepts: 200 hours, the task's own limit
/// (anything bigger is a project, not a task).
const MAX_ESTIMATE_MINUTES: u64 = 200 * 60;
/// The longest tag and project, as a task allows them.
const MAX_TAG_CHARS: usize = 50;
const MAX_PROJECT_CHARS: usize = 100;
/// Connectives that may open a phrase: `due by friday` has two.
const MAX_CONNECTIVES: usize = 2;

/// How the person writes numeric dates, from their settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `12/11` is 12 November (and `next friday` is the Friday after the coming one).
    DayFirst,
    /// `12/11` is December 11 (and `next friday` is the coming Friday).
    MonthFirst,
}

impl DateOrder {
    /// interim ties the numeric order and the meaning of "next friday" to one
    /// dialect, British or American.
    fn dialect(self) -> Dialect {
        match self {
            DateOrder::DayFirst => Dialect::Uk,
            DateOrder::MonthFirst => Dialect::Us,
        }
    }
}

/// What one line of quick-add text says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuickAdd {
    /// The text without the markers and the date phrase that were understood,
    /// whitespace tidied. Never empty for text that is not blank: when nothing
    /// else is left it is the whole text.
    pub title: String,
    pub due_date: Option<Date>,
    /// Only when the text names a time (in the person's zone).
    pub due_time: Option<Time>,
    /// 1–5.
    pub impact: Option<u8>,
    /// `!urgent` or `!asap`.
    pub urgent: bool,
    /// Lower-cased, deduplicated, in the order written.
    pub tags: Vec<String>,
    pub estimate_minutes: Option<u32>,
    /// The person to delegate to, as written after `@`; the caller resolves it.
    pub delegate: Option<String>,
    /// The project, as written after `+`; the caller resolves it.
    pub project: Option<String>,
    /// Each part that looked like a marker or a date but could not be read;
    /// it stays in the title.
    pub not_understood: Vec<Fault>,
}

/// A part of the text that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// The part as written, e.g. `~3x`.
    pub text: String,
    /// What is wrong with it, e.g. "not a duration like ~30m or ~2h".
    pub message: String,
}

/// Reads one line of quick-add text. `now` is the present in the person's zone;
/// relative dates count from it and the due date and time are in its zone.
pub fn parse(text: &str, now: &Zoned, order: DateOrder) -> QuickAdd {
    let mut out = QuickAdd {
        title: String::new(),
        due_date: None,
        due_time: None,
        impact: None,
        urgent: false,
        tags: Vec::new(),
        estimate_minutes: None,
        delegate: None,
        project: None,
        not_understood: Vec::new(),
    };
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut kept = vec![true; tokens.len()];

    // Markers first, so that they do not break a date phrase in two.
    let mut words: Vec<Token> = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        match read_marker(tok, &mut out) {
            Marker::Taken => kept[i] = false,
            Marker::Faulty(fault) => {
                out.not_understood.push(fault);
                // A marker that was not understood is no part of a date.
                words.push(Token::other(i, tok));
            }
            Marker::None => words.push(Token::new(i, tok)),
        }
    }

    let dialect = order.dialect();
    let found = candidates(&words, now, dialect);
    let best = found
        .iter()
        .max_by_key(|c| (c.end == words.len(), c.end - c.start, c.start));
    let mut in_phrase = vec![false; words.len()];
    if let Some(best) = best {
        out.due_date = Some(best.date);
        out.due_time = best.time;
        if let Some(span) = in_phrase.get_mut(best.start..best.end) {
            span.fill(true);
        }
        for w in &words[best.start..best.end] {
            kept[w.index] = false;
        }
    }

    // A connective that opens no readable phrase but is followed by something
    // dated-looking is most likely a due date written in a way we do not read.
    for (k, w) in words.iter().enumerate() {
        let Class::Conn(conn) = w.class else { continue };
        if in_phrase[k] || found.iter().any(|c| c.start == k) {
            continue;
        }
        if let Some(shown) = date_like(&words, k + 1, conn)
            && !in_phrase.get(k + 1).copied().unwrap_or(true)
        {
            out.not_understood.push(Fault {
                text: shown,
                message: "not understood as a date or time (e.g. friday, 12 dec, 2026-12-12, 15:00 or 3pm)"
                    .into(),
            });
        }
    }

    let mut title: Vec<&str> = tokens
        .iter()
        .zip(&kept)
        .filter(|(_, k)| **k)
        .map(|(t, _)| *t)
        .collect();
    if title.len() < tokens.len() {
        // Separators left dangling where something was cut out ("pay rent -
        // friday", "call bank, tomorrow"); text typed as it is stays as it is.
        let separator = |t: &&str| {
            t.chars()
                .all(|c| matches!(c, ',' | ';' | ':' | '-' | '–' | '—' | '/'))
        };
        while title.first().is_some_and(separator) {
            title.remove(0);
        }
        while title.last().is_some_and(separator) {
            title.pop();
        }
        if let Some(last) = title.last_mut() {
            *last = last.trim_end_matches([',', ';', ':']);
        }
    }
    let title = title.join(" ");
    out.title = if title.trim().is_empty() {
        tokens.join(" ")
    } else {
        title
    };
    out
}

// ---------------------------------------------------------------------------
// Markers
// ---------------------------------------------------------------------------

enum Marker {
    /// Not a marker: an ordinary word.
    None,
    /// Understood and recorded; it leaves the title.
    Taken,
    /// Looks like a marker but cannot be read; it stays in the title.
    Faulty(Fault),
}

/// Punctuation that may follow a word without being part of it.
fn trim_trailing(s: &str) -> &str {
    s.trim_end_matches([',', '.', ';', ':', '!', '?', ')'])
}

fn read_marker(tok: &str, out: &mut QuickAdd) -> Marker {
    let mut chars = tok.chars();
    let Some(sigil) = chars.next() else {
        return Marker::None;
    };
    if !matches!(sigil, '!' | '#' | '~' | '@' | '+') {
        return Marker::None;
    }
    let value = trim_trailing(chars.as_str());
    let Some(first) = value.chars().next() else {
        return Marker::None;
    };
    let fault = |message: String| {
        Marker::Faulty(Fault {
            text: trim_trailing(tok).to_string(),
            message,
        })
    };
    match sigil {
        '!' if first.is_alphanumeric() => match value.to_lowercase().as_str() {
            "urgent" | "asap" => {
                out.urgent = true;
                Marker::Taken
            }
            word => match impact_of(word) {
                Some(n) => match out.impact {
                    Some(had) if had != n => fault(format!("the impact is already !{}", impact_name(had))),
                    _ => {
                        out.impact = Some(n);
                        Marker::Taken
                    }
                },
                None => fault("not an impact: !low, !medium, !high, !critical, !1 to !5, or !urgent".into()),
            },
        },
        // Digits only is a number ("invoice #4711"), not a tag.
        '#' if value.chars().any(char::is_alphabetic) => {
            if !value.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
                fault("not a tag: letters, digits, - and _".into())
            } else if value.chars().count() > MAX_TAG_CHARS {
                fault(format!("a tag has at most {MAX_TAG_CHARS} characters"))
            } else {
                let tag = value.to_lowercase();
                if !out.tags.contains(&tag) {
                    out.tags.push(tag);
                }
                Marker::Taken
            }
        }
        '~' if first.is_alphanumeric() => match estimate_of(value) {
            Err(message) => fault(message.into()),
            Ok(m) => match out.estimate_minutes {
                Some(had) if had != m => fault(format!("the estimate is already {had} minutes")),
                _ => {
                    out.estimate_minutes = Some(m);
                    Marker::Taken
                }
            },
        },
        '@' if first.is_alphabetic() => {
            if !value
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
            {
                fault("not a person: @ and a name, e.g. @anna".into())
            } else {
                single(&mut out.delegate, value, "the task already goes to @", fault)
            }
        }
        // Digits only is a phone number ("+31 20 …"), not a project.
        '+' if value.chars().any(char::is_alphabetic) => {
            if !value.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
                fault("not a project: + and a name of letters, digits, - and _".into())
            } else if value.chars().count() > MAX_PROJECT_CHARS {
                fault(format!(
                    "a project name has at most {MAX_PROJECT_CHARS} characters"
                ))
            } else {
                single(&mut out.project, value, "the project is already +", fault)
            }
        }
        _ => Marker::None,
    }
}

/// Sets a field that holds one value; a second, different value is a fault.
fn single(slot: &mut Option<String>, value: &str, already: &str, fault: impl Fn(String) -> Marker) -> Marker {
    match slot {
        Some(had) if had != value => fault(format!("{already}{had}")),
        _ => {
            *slot = Some(value.to_string());
            Marker::Taken
        }
    }
}

fn impact_of(word: &str) -> Option<u8> {
    match word {
        "low" => Some(2),
        "medium" | "normal" => Some(3),
        "high" => Some(4),
        "critical" | "top" => Some(5),
        "1" => Some(1),
        "2" => Some(2),
        "3" => Some(3),
        "4" => Some(4),
        "5" => Some(5),
        _ => None,
    }
}

fn impact_name(n: u8) -> String {
    match n {
        2 => "low".into(),
        3 => "medium".into(),
        4 => "high".into(),
        5 => "critical".into(),
        n => n.to_string(),
    }
}

const NOT_A_DURATION: &str = "not a duration like ~30m, ~2h or ~1h30";

/// Minutes in `~30m`, `~30min`, `~2h`, `~1h30`, `~1h30m`, `~1.5h`, `~1,5h`, `~90`.
fn estimate_of(value: &str) -> Result<u32, &'static str> {
    let v = value.to_lowercase();
    let (whole, rest) = split_digits(&v);
    if whole.is_empty() || whole.len() > 6 {
        return Err(NOT_A_DURATION);
    }
    let whole: u64 = whole.parse().map_err(|_| NOT_A_DURATION)?;
    // An optional fraction, for hours only ("1.5h").
    let (fraction, rest) = match rest.strip_prefix(['.', ',']) {
        Some(r) => {
            let (digits, rest) = split_digits(r);
            if digits.is_empty() || digits.len() > 3 {
                return Err(NOT_A_DURATION);
            }
            (Some(digits), rest)
        }
        None => (None, rest),
    };
    let (unit, rest) = split_letters(rest);
    let minutes = match unit {
        "" if fraction.is_none() && rest.is_empty() => whole,
        "m" | "min" | "mins" | "minute" | "minutes" if fraction.is_none() && rest.is_empty() => whole,
        "h" | "hr" | "hrs" | "hour" | "hours" => {
            let mut minutes = whole * 60;
            if let Some(f) = fraction {
                let scale = 10u64.pow(f.len() as u32);
                let f: u64 = f.parse().map_err(|_| NOT_A_DURATION)?;
                // Rounded to the nearest minute.
                minutes += (f * 60 * 2 + scale) / (2 * scale);
            }
            // "1h30" or "1h30m": minutes after whole hours.
            let (extra, tail) = split_digits(rest);
            if !extra.is_empty() {
                if fraction.is_some() || extra.len() > 2 {
                    return Err(NOT_A_DURATION);
                }
                let extra: u64 = extra.parse().map_err(|_| NOT_A_DURATION)?;
                if extra >= 60 || !matches!(tail, "" | "m" | "min" | "mins") {
                    return Err(NOT_A_DURATION);
                }
                minutes += extra;
            } else if !tail.is_empty() {
                return Err(NOT_A_DURATION);
            }
            minutes
        }
        _ => return Err(NOT_A_DURATION),
    };
    if minutes == 0 {
        return Err("an estimate must be more than zero");
    }
    if minutes > MAX_ESTIMATE_MINUTES {
        return Err("more than 200 hours; split it into smaller tasks");
    }
    u32::try_from(minutes).map_err(|_| NOT_A_DURATION)
}

fn split_digits(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    s.split_at(n)
}

fn split_letters(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_lowercase).count();
    s.split_at(n)
}

// ---------------------------------------------------------------------------
// Words of a date phrase
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    Due,
    By,
    On,
    At,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
    Hour,
    Minute,
}

impl Unit {
    /// The unit as interim reads it.
    fn name(self) -> &'static str {
        match self {
            Unit::Day => "days",
            Unit::Week => "weeks",
            Unit::Month => "months",
            Unit::Year => "years",
            Unit::Hour => "hours",
            Unit::Minute => "minutes",
        }
    }
}

/// What a word can be in a date phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Conn(Conn),
    Next,
    This,
    In,
    Today,
    Tomorrow,
    Tonight,
    /// `strong`: a weekday on its own (`friday`, `fri`), not an abbreviation that
    /// is also an English word (`sat`, `sun`, `wed`).
    Weekday {
        day: Weekday,
        strong: bool,
    },
    Month(u8),
    /// Up to four digits, or an ordinal (`12th`).
    Number {
        value: u32,
        digits: usize,
        ordinal: bool,
    },
    /// `a`, `an`, `one` … `twelve`, as in "in a week".
    Count(u32),
    Unit(Unit),
    /// A clock time in one word; `meridiem` when am/pm was written.
    Clock {
        hour: i8,
        minute: i8,
        meridiem: bool,
    },
    /// A separate `am` / `pm`.
    Meridiem {
        pm: bool,
    },
    Noon,
    /// `12/11`, `12/11/2027`, `2026-12-12`; `day_month` when it has no year.
    NumericDate {
        day_month: bool,
    },
    End,
    Of,
    The,
    /// `eod`, `eow`, `eom`.
    EndOf(Unit),
    Other,
}

struct Token<'a> {
    /// Where it stands among all the words of the text.
    index: usize,
    /// As written, without trailing punctuation.
    shown: &'a str,
    /// Lower-cased, without trailing punctuation.
    core: String,
    class: Class,
}

impl<'a> Token<'a> {
    fn new(index: usize, tok: &'a str) -> Token<'a> {
        let shown = trim_trailing(tok);
        let core = shown.to_lowercase();
        let class = classify(&core);
        Token {
            index,
            shown,
            core,
            class,
        }
    }

    fn other(index: usize, tok: &'a str) -> Token<'a> {
        Token {
            class: Class::Other,
            ..Token::new(index, tok)
        }
    }
}

const MONTHS: [&str; 12] = [
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
];

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

fn month_name(month: u8) -> &'static str {
    MONTHS
        .get(usize::from(month.saturating_sub(1)))
        .copied()
        .unwrap_or("january")
}

fn classify(core: &str) -> Class {
    use Weekday::*;
    let weekday = |day, strong| Class::Weekday { day, strong };
    match core {
        "due" => return Class::Conn(Conn::Due),
        "by" => return Class::Conn(Conn::By),
        "on" => return Class::Conn(Conn::On),
        "at" => return Class::Conn(Conn::At),
        "next" => return Class::Next,
        "this" => return Class::This,
        "in" => return Class::In,
        "today" => return Class::Today,
        "tomorrow" => return Class::Tomorrow,
        "tonight" => return Class::Tonight,
        "monday" | "mon" => return weekday(Monday, true),
        "tuesday" | "tue" | "tues" => return weekday(Tuesday, true),
        "wednesday" => return weekday(Wednesday, true),
        "wed" | "weds" => return weekday(Wednesday, false),
        "thursday" | "thu" | "thur" | "thurs" => return weekday(Thursday, true),
        "friday" | "fri" => return weekday(Friday, true),
        "saturday" => return weekday(Saturday, true),
        "sat" => return weekday(Saturday, false),
        "sunday" => return weekday(Sunday, true),
        "sun" => return weekday(Sunday, false),
        "sept" => return Class::Month(9),
        "a" | "an" | "one" => return Class::Count(1),
        "two" => return Class::Count(2),
        "three" => return Class::Count(3),
        "four" => return Class::Count(4),
        "five" => return Class::Count(5),
        "six" => return Class::Count(6),
        "seven" => return Class::Count(7),
        "eight" => return Class::Count(8),
        "nine" => return Class::Count(9),
        "ten" => return Class::Count(10),
        "eleven" => return Class::Count(11),
        "twelve" => return Class::Count(12),
        "day" | "days" => return Class::Unit(Unit::Day),
        "week" | "weeks" => return Class::Unit(Unit::Week),
        "month" | "months" => return Class::Unit(Unit::Month),
        "year" | "years" => return Class::Unit(Unit::Year),
        "hour" | "hours" | "hr" | "hrs" => return Class::Unit(Unit::Hour),
        "minute" | "minutes" | "min" | "mins" => return Class::Unit(Unit::Minute),
        "am" => return Class::Meridiem { pm: false },
        "pm" => return Class::Meridiem { pm: true },
        "noon" | "midday" => return Class::Noon,
        "end" => return Class::End,
        "of" => return Class::Of,
        "the" => return Class::The,
        "eod" => return Class::EndOf(Unit::Day),
        "eow" => return Class::EndOf(Unit::Week),
        "eom" => return Class::EndOf(Unit::Month),
        _ => {}
    }
    if let Some(m) = MONTHS
        .iter()
        .position(|name| *name == core || (core.len() == 3 && name.starts_with(core)))
    {
        return Class::Month(m as u8 + 1);
    }
    if let Some(class) = number(core)
        .or_else(|| clock(core))
        .or_else(|| numeric_date(core))
    {
        return class;
    }
    Class::Other
}

/// `12`, `2026`, `1st`, `12th`.
fn number(core: &str) -> Option<Class> {
    let (digits, suffix) = split_digits(core);
    let ordinal = match suffix {
        "" => false,
        "st" | "nd" | "rd" | "th" if digits.len() <= 2 => true,
        _ => return None,
    };
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let value = digits.parse().ok()?;
    Some(Class::Number {
        value,
        digits: digits.len(),
        ordinal,
    })
}

/// `15:00`, `9:05`, `3pm`, `3:30pm`, `12am`. Minutes must have two digits, so a
/// ratio such as "2:1" is no time; hours run to 23, or 1 to 12 with am/pm.
fn clock(core: &str) -> Option<Class> {
    let (body, pm) = match (core.strip_suffix("am"), core.strip_suffix("pm")) {
        (Some(b), _) => (b, Some(false)),
        (_, Some(b)) => (b, Some(true)),
        _ => (core, None),
    };
    let (h, rest) = split_digits(body);
    if h.is_empty() || h.len() > 2 {
        return None;
    }
    let minute = match rest.strip_prefix(':') {
        Some(m) if m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit()) => m.parse::<i8>().ok()?,
        Some(_) => return None,
        // A bare hour is a time only with am/pm ("3pm").
        None if rest.is_empty() && pm.is_some() => 0,
        None => return None,
    };
    let hour: i8 = h.parse().ok()?;
    if minute > 59 {
        return None;
    }
    let hour = match pm {
        None if hour <= 23 => hour,
        Some(pm) if (1..=12).contains(&hour) => twelve_hour(hour, pm),
        _ => return None,
    };
    Some(Class::Clock {
        hour,
        minute,
        meridiem: pm.is_some(),
    })
}

/// An hour on the twelve-hour clock as 0–23.
fn twelve_hour(hour: i8, pm: bool) -> i8 {
    match (hour, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, true) => h + 12,
        (h, false) => h,
    }
}

/// `12/11`, `12/11/27`, `12/11/2027`, `2026-12-12`.
fn numeric_date(core: &str) -> Option<Class> {
    let all_digits = |parts: &[&str], widths: &[&[usize]]| {
        parts.len() == widths.len()
            && parts
                .iter()
                .zip(widths)
                .all(|(p, w)| w.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let slash: Vec<&str> = core.split('/').collect();
    if all_digits(&slash, &[&[1, 2], &[1, 2]]) {
        return Some(Class::NumericDate { day_month: true });
    }
    if all_digits(&slash, &[&[1, 2], &[1, 2], &[2, 4]]) {
        return Some(Class::NumericDate { day_month: false });
    }
    let dash: Vec<&str> = core.split('-').collect();
    if all_digits(&dash, &[&[4], &[1, 2], &[1, 2]]) {
        return Some(Class::NumericDate { day_month: false });
    }
    None
}

// ---------------------------------------------------------------------------
// Finding the phrase
// ---------------------------------------------------------------------------

/// What a date part means, ready for interim or already known.
#[derive(Debug, Clone)]
enum DatePart {
    /// Text for interim. `roll`: a day and month without a year, which means
    /// next year once this year's is past. `numeric`: digits and slashes, which
    /// may be read in the other order when the person's order gives no date.
    Named { text: String, roll: bool, numeric: bool },
    /// Worked out here (end of week, end of month).
    Fixed(Date),
    /// `in 2 hours`: an instant, which names its own time.
    Later(String),
}

/// How much a date part on its own says that it is a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// Enough anywhere: `tomorrow`, `friday`, `dec 12`, `2026-12-12`.
    Strong,
    /// Enough at the end of the text only: `12/12`, which inside a sentence is
    /// as likely a fraction ("pay 1/2 of the bill").
    AtEnd,
    /// Only with a connective, `next`/`this` or a time: `sat`, `sun`, `wed`.
    Weak,
}

struct DateMatch {
    end: usize,
    part: DatePart,
    anchor: Anchor,
    /// `tonight`: a time without am/pm is in the evening.
    evening: bool,
}

struct TimeMatch {
    end: usize,
    hour: i8,
    minute: i8,
    meridiem: bool,
    strong: bool,
}

/// A phrase that resolves: words `start..end` of the text.
struct Found {
    start: usize,
    end: usize,
    date: Date,
    time: Option<Time>,
}

fn class_at(w: &[Token], i: usize) -> Class {
    w.get(i).map_or(Class::Other, |t| t.class)
}

/// Every anchored phrase that interim (or the forms added here) resolves.
fn candidates(w: &[Token], now: &Zoned, dialect: Dialect) -> Vec<Found> {
    let mut found = Vec::new();
    for start in 0..w.len() {
        let mut j = start;
        while j < start + MAX_CONNECTIVES && matches!(class_at(w, j), Class::Conn(_)) {
            j += 1;
        }
        let conn = j > start;
        // Whether a phrase ending at `end` is anchored (see the module's docs).
        let anchored = |end: usize, date: Option<Anchor>, time_strong: bool| {
            conn || time_strong
                || date == Some(Anchor::Strong)
                || (date == Some(Anchor::AtEnd) && end == w.len())
        };
        let mut push = |end: usize, date: Option<&DatePart>, time: Option<&TimeMatch>, evening: bool| {
            let time = time.map(|t| {
                let pm = evening && !t.meridiem && (1..=11).contains(&t.hour);
                (if pm { t.hour + 12 } else { t.hour }, t.minute)
            });
            if let Some((date, time)) = resolve(date, time, now, dialect) {
                found.push(Found {
                    start,
                    end,
                    date,
                    time,
                });
            }
        };
        for d in dates_at(w, j, now) {
            if anchored(d.end, Some(d.anchor), false) {
                push(d.end, Some(&d.part), None, false);
            }
            if matches!(d.part, DatePart::Later(_)) {
                continue;
            }
            let k = if class_at(w, d.end) == Class::Conn(Conn::At) {
                d.end + 1
            } else {
                d.end
            };
            for t in times_at(w, k, d.evening) {
                if anchored(t.end, Some(d.anchor), t.strong) {
                    push(t.end, Some(&d.part), Some(&t), d.evening);
                }
            }
        }
        for t in times_at(w, j, false) {
            if anchored(t.end, None, t.strong) {
                push(t.end, None, Some(&t), false);
            }
            let k = if class_at(w, t.end) == Class::Conn(Conn::On) {
                t.end + 1
            } else {
                t.end
            };
            for d in dates_at(w, k, now) {
                if !matches!(d.part, DatePart::Later(_)) && anchored(d.end, Some(d.anchor), t.strong) {
                    push(d.end, Some(&d.part), Some(&t), d.evening);
                }
            }
        }
    }
    found
}

/// Date parts starting at word `i`.
fn dates_at(w: &[Token], i: usize, now: &Zoned) -> Vec<DateMatch> {
    let mut out = Vec::new();
    let named = |end: usize, text: String, roll: bool, anchor: Anchor| DateMatch {
        end,
        part: DatePart::Named {
            text,
            roll,
            numeric: false,
        },
        anchor,
        evening: false,
    };
    let numeric = |end: usize, text: String, roll: bool, anchor: Anchor| DateMatch {
        end,
        part: DatePart::Named {
            text,
            roll,
            numeric: true,
        },
        anchor,
        evening: false,
    };
    use Anchor::Strong;
    match class_at(w, i) {
        Class::Today => out.push(named(i + 1, "today".into(), false, Strong)),
        Class::Tomorrow => out.push(named(i + 1, "tomorrow".into(), false, Strong)),
        Class::Tonight => out.push(DateMatch {
            evening: true,
            ..named(i + 1, "today".into(), false, Strong)
        }),
        Class::Weekday { day, strong } => {
            let anchor = if strong { Strong } else { Anchor::Weak };
            out.push(named(i + 1, weekday_name(day).into(), false, anchor))
        }
        Class::NumericDate { day_month } => {
            if let Some(t) = w.get(i) {
                let anchor = if day_month { Anchor::AtEnd } else { Strong };
                out.push(numeric(i + 1, t.core.clone(), day_month, anchor));
            }
        }
        Class::Month(_) | Class::Number { .. } => {
            for (end, text, has_year) in day_month(w, i) {
                out.push(named(end, text, !has_year, Strong));
            }
        }
        Class::Next | Class::This => {
            let word = if class_at(w, i) == Class::Next {
                "next"
            } else {
                "this"
            };
            match class_at(w, i + 1) {
                Class::Weekday { day, .. } => out.push(named(
                    i + 2,
                    format!("{word} {}", weekday_name(day)),
                    false,
                    Strong,
                )),
                Class::Unit(u @ (Unit::Week | Unit::Month | Unit::Year)) if word == "next" => {
                    // interim reads "next week" as 7 days on, "next month" as a month on.
                    out.push(named(
                        i + 2,
                        format!("next {}", u.name().trim_end_matches('s')),
                        false,
                        Strong,
                    ))
                }
                Class::NumericDate { day_month: true } => {
                    if let Some(t) = w.get(i + 1) {
                        out.push(numeric(i + 2, format!("{word} {}", t.core), false, Strong));
                    }
                }
                _ => {
                    for (end, text, has_year) in day_month(w, i + 1) {
                        if !has_year {
                            out.push(named(end, format!("{word} {text}"), false, Strong));
                        }
                    }
                }
            }
        }
        Class::In => {
            let n = match class_at(w, i + 1) {
                Class::Number {
                    value,
                    ordinal: false,
                    ..
                } => Some(value),
                Class::Count(n) => Some(n),
                _ => None,
            };
            if let (Some(n), Class::Unit(u)) = (n, class_at(w, i + 2)) {
                let text = format!("{n} {}", u.name());
                out.push(DateMatch {
                    end: i + 3,
                    part: if matches!(u, Unit::Hour | Unit::Minute) {
                        DatePart::Later(text)
                    } else {
                        DatePart::Named {
                            text,
                            roll: false,
                            numeric: false,
                        }
                    },
                    anchor: Strong,
                    evening: false,
                });
            }
        }
        Class::EndOf(u) => {
            if let Some(d) = end_of(u, now.date()) {
                out.push(DateMatch {
                    end: i + 1,
                    part: DatePart::Fixed(d),
                    anchor: Strong,
                    evening: false,
                });
            }
        }
        Class::End if class_at(w, i + 1) == Class::Of => {
            let j = if class_at(w, i + 2) == Class::The {
                i + 3
            } else {
                i + 2
            };
            if let Class::Unit(u @ (Unit::Day | Unit::Week | Unit::Month)) = class_at(w, j)
                && let Some(d) = end_of(u, now.date())
            {
                out.push(DateMatch {
                    end: j + 1,
                    part: DatePart::Fixed(d),
                    anchor: Strong,
                    evening: false,
                });
            }
        }
        _ => {}
    }
    out
}

/// `MONTH DAY [YEAR]` or `DAY MONTH [YEAR]` at word `i`, as interim reads
/// them best: month first, and a comma before the year (interim takes the
/// number after "12 december" as a year, and "dec 12 2027" not at all).
fn day_month(w: &[Token], i: usize) -> Vec<(usize, String, bool)> {
    let day = |c: Class| match c {
        Class::Number { value, digits, .. } if digits <= 2 && (1..=31).contains(&value) => Some(value),
        _ => None,
    };
    let (month, d) = match (class_at(w, i), class_at(w, i + 1)) {
        (Class::Month(m), c) => match day(c) {
            Some(d) => (m, d),
            None => return Vec::new(),
        },
        (c, Class::Month(m)) => match day(c) {
            Some(d) => (m, d),
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let name = month_name(month);
    let mut out = vec![(i + 2, format!("{name} {d}"), false)];
    if let Class::Number {
        value,
        digits: 4,
        ordinal: false,
    } = class_at(w, i + 2)
    {
        out.push((i + 3, format!("{name} {d}, {value}"), true));
    }
    out
}

/// Time parts starting at word `i`; after `tonight` a bare hour is one too.
fn times_at(w: &[Token], i: usize, evening: bool) -> Vec<TimeMatch> {
    let mut out = Vec::new();
    match (class_at(w, i), class_at(w, i + 1)) {
        (
            Class::Clock {
                hour,
                minute,
                meridiem,
            },
            _,
        ) => out.push(TimeMatch {
            end: i + 1,
            hour,
            minute,
            meridiem,
            strong: true,
        }),
        (Class::Noon, _) => out.push(TimeMatch {
            end: i + 1,
            hour: 12,
            minute: 0,
            meridiem: true,
            strong: false,
        }),
        (
            Class::Number {
                value,
                digits: 1 | 2,
                ordinal: false,
            },
            next,
        ) if (1..=12).contains(&value) => {
            // In 1..=12, so it fits.
            let hour = value as i8;
            if let Class::Meridiem { pm } = next {
                out.push(TimeMatch {
                    end: i + 2,
                    hour: twelve_hour(hour, pm),
                    minute: 0,
                    meridiem: true,
                    strong: true,
                });
            } else if evening && hour <= 11 {
                out.push(TimeMatch {
                    end: i + 1,
                    hour,
                    minute: 0,
                    meridiem: false,
                    strong: true,
                });
            }
        }
        _ => {}
    }
    out
}

/// The last day of the day, working week or month that `today` is in; on a
/// weekend the working week is the coming one.
fn end_of(unit: Unit, today: Date) -> Option<Date> {
    match unit {
        Unit::Day => Some(today),
        Unit::Week => {
            let from_monday = today.weekday().to_monday_zero_offset();
            let ahead = match from_monday {
                0..=4 => 4 - from_monday,
                n => 11 - n,
            };
            today.checked_add(jiff::Span::new().days(ahead)).ok()
        }
        Unit::Month => Some(today.last_of_month()),
        _ => None,
    }
}

fn interim_at(text: &str, now: &Zoned, dialect: Dialect) -> Option<Zoned> {
    interim::parse_date_string(text, now.clone(), dialect).ok()
}

/// A time to the minute: the due time never carries seconds.
fn to_minute(t: Time) -> Time {
    Time::new(t.hour(), t.minute(), 0, 0).unwrap_or(t)
}

/// The date and, when named, the time a phrase means.
fn resolve(
    date: Option<&DatePart>,
    time: Option<(i8, i8)>,
    now: &Zoned,
    dialect: Dialect,
) -> Option<(Date, Option<Time>)> {
    let clock = time.map(|(h, m)| format!(" {h:02}:{m:02}")).unwrap_or_default();
    match date {
        None => {
            let today = interim_at(clock.trim(), now, dialect)?;
            let at = if today.timestamp() > now.timestamp() {
                today
            } else {
                interim_at(&format!("tomorrow{clock}"), now, dialect)?
            };
            Some((at.date(), Some(to_minute(at.time()))))
        }
        Some(DatePart::Later(text)) => {
            let at = interim_at(text, now, dialect)?;
            Some((at.date(), Some(to_minute(at.time()))))
        }
        Some(DatePart::Fixed(d)) => {
            let at = interim_at(&format!("{d}{clock}"), now, dialect)?;
            Some((at.date(), time.map(|_| to_minute(at.time()))))
        }
        Some(DatePart::Named { text, roll, numeric }) => {
            // A numeric date that is no date in the person's order ("12/31"
            // day-first) can only mean the other.
            let other = match dialect {
                Dialect::Uk => Dialect::Us,
                Dialect::Us => Dialect::Uk,
            };
            let read = |text: &str| {
                interim_at(text, now, dialect)
                    .or_else(|| numeric.then(|| interim_at(text, now, other)).flatten())
            };
            let mut at = read(&format!("{text}{clock}"))?;
            if *roll && at.date() < now.date() {
                at = read(&format!("next {text}{clock}"))?;
            }
            Some((at.date(), time.map(|_| to_minute(at.time()))))
        }
    }
}

/// Words ending in "day" that are no day of the week or date.
const NOT_A_DAY: [&str; 9] = [
    "holiday",
    "holidays",
    "birthday",
    "birthdays",
    "payday",
    "someday",
    "everyday",
    "weekday",
    "weekdays",
];

/// Whether the word at `i`, after a connective that opens no phrase, looks
/// like a date or time we could not read; if so, the part to name.
fn date_like(w: &[Token], i: usize, conn: Conn) -> Option<String> {
    let t = w.get(i)?;
    if matches!(t.class, Class::Conn(_)) {
        return None;
    }
    if let (Class::Month(_), Some(next)) = (t.class, w.get(i + 1))
        && matches!(next.class, Class::Number { .. })
    {
        return Some(format!("{} {}", t.shown, next.shown));
    }
    let core = t.core.as_str();
    // "blorpday", "thrusday": a day of some sort, but none we know.
    let dayish = (core.ends_with("day") && core.len() > 3) || (core.ends_with("days") && core.len() > 4);
    if dayish && !NOT_A_DAY.contains(&core) {
        return Some(t.shown.to_string());
    }
    if core.bytes().any(|b| b.is_ascii_digit()) {
        let (digits, suffix) = split_digits(core);
        let shaped = core.bytes().all(|b| b.is_ascii_digit() || b"/:.-".contains(&b))
            && core.bytes().any(|b| b"/:.-".contains(&b));
        let suffixed = !digits.is_empty() && matches!(suffix, "am" | "pm" | "st" | "nd" | "rd" | "th");
        // A bare number reads as an hour only after "at" ("at 5"); "on 3
        // conditions" is no date.
        let bare = suffix.is_empty() && conn == Conn::At;
        if shaped || suffixed || bare {
            return Some(t.shown.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use proptest::prelude::*;

    /// Wednesday 2 December 2026, 10:00 in Amsterdam.
    fn now() -> Zoned {
        "2026-12-02T10:00[Europe/Amsterdam]".parse().unwrap()
    }

    /// What a line should read as; everything not set is empty.
    #[derive(Default)]
    struct Want {
        title: &'static str,
        due: Option<&'static str>,
        at: Option<&'static str>,
        impact: Option<u8>,
        urgent: bool,
        tags: &'static [&'static str],
        estimate: Option<u32>,
        delegate: Option<&'static str>,
        project: Option<&'static str>,
        /// The part not understood and a piece of its message.
        faults: &'static [(&'static str, &'static str)],
        order: Option<DateOrder>,
    }

    fn w(title: &'static str) -> Want {
        Want {
            title,
            ..Want::default()
        }
    }

    impl Want {
        fn due(self, date: &'static str) -> Want {
            Want {
                due: Some(date),
                ..self
            }
        }
        fn at(self, time: &'static str) -> Want {
            Want {
                at: Some(time),
                ..self
            }
        }
        fn impact(self, n: u8) -> Want {
            Want {
                impact: Some(n),
                ..self
            }
        }
        fn urgent(self) -> Want {
            Want { urgent: true, ..self }
        }
        fn tags(self, tags: &'static [&'static str]) -> Want {
            Want { tags, ..self }
        }
        fn estimate(self, minutes: u32) -> Want {
            Want {
                estimate: Some(minutes),
                ..self
            }
        }
        fn delegate(self, person: &'static str) -> Want {
            Want {
                delegate: Some(person),
                ..self
            }
        }
        fn project(self, project: &'static str) -> Want {
            Want {
                project: Some(project),
                ..self
            }
        }
        fn faults(self, faults: &'static [(&'static str, &'static str)]) -> Want {
            Want { faults, ..self }
        }
        fn order(self, order: DateOrder) -> Want {
            Want {
                order: Some(order),
                ..self
            }
        }
    }

    /// Parses `input` at [`now`] (day-first unless the row says otherwise) and
    /// compares every field.
    fn check(input: &str, want: &Want) {
        let got = parse(input, &now(), want.order.unwrap_or(DateOrder::DayFirst));
        let expected = QuickAdd {
            title: want.title.to_string(),
            due_date: want.due.map(|d| d.parse().unwrap()),
            due_time: want.at.map(|t| t.parse().unwrap()),
            impact: want.impact,
            urgent: want.urgent,
            tags: want.tags.iter().map(|t| t.to_string()).collect(),
            estimate_minutes: want.estimate,
            delegate: want.delegate.map(str::to_string),
            project: want.project.map(str::to_string),
            // Messages are compared by the piece the row names.
            not_understood: got
                .not_understood
                .iter()
                .zip(want.faults)
                .map(|(g, (text, piece))| Fault {
                    text: text.to_string(),
                    message: if g.message.contains(piece) {
                        g.message.clone()
                    } else {
                        format!("a message containing {piece:?}")
                    },
                })
                .collect(),
        };
        assert_eq!(
            got.not_understood.len(),
            want.faults.len(),
            "{input:?}: faults {:?}",
            got.not_understood
        );
        assert_eq!(got, expected, "{input:?}");
    }

    fn check_all(rows: &[(&str, Want)]) {
        for (input, want) in rows {
            check(input, want);
        }
    }

    #[test]
    fn the_example() {
        check(
            "call Anna about the lease tomorrow 15:00 !high #board ~30m",
            &w("call Anna about the lease")
                .due("2026-12-03")
                .at("15:00")
                .impact(4)
                .tags(&["board"])
                .estimate(30),
        );
    }

    #[test]
    fn markers() {
        check_all(&[
            ("plan !low", w("plan").impact(2)),
            ("plan !medium", w("plan").impact(3)),
            ("plan !normal", w("plan").impact(3)),
            ("plan !HIGH", w("plan").impact(4)),
            ("plan !critical", w("plan").impact(5)),
            ("plan !top", w("plan").impact(5)),
            ("plan !1", w("plan").impact(1)),
            ("plan !5", w("plan").impact(5)),
            ("plan !urgent", w("plan").urgent()),
            ("plan !asap !high", w("plan").urgent().impact(4)),
            ("plan !high !high", w("plan").impact(4)),
            (
                "plan #board #Lease-2027 #x_y",
                w("plan").tags(&["board", "lease-2027", "x_y"]),
            ),
            ("plan #Board #board, #lease", w("plan").tags(&["board", "lease"])),
            ("plan #büro", w("plan").tags(&["büro"])),
            ("plan ~30m", w("plan").estimate(30)),
            ("plan ~30min", w("plan").estimate(30)),
            ("plan ~2h", w("plan").estimate(120)),
            ("plan ~2hrs", w("plan").estimate(120)),
            ("plan ~1h30", w("plan").estimate(90)),
            ("plan ~1h30m", w("plan").estimate(90)),
            ("plan ~1h05m", w("plan").estimate(65)),
            ("plan ~1.5h", w("plan").estimate(90)),
            ("plan ~1,5h", w("plan").estimate(90)),
            ("plan ~0.25h", w("plan").estimate(15)),
            ("plan ~90", w("plan").estimate(90)),
            ("plan ~200h", w("plan").estimate(12_000)),
            ("plan @anna", w("plan").delegate("anna")),
            ("plan @Anna.de-Vries,", w("plan").delegate("Anna.de-Vries")),
            ("plan +lease-renewal", w("plan").project("lease-renewal")),
            (
                "send contract @anna +lease !2 #legal ~1h !asap",
                w("send contract")
                    .delegate("anna")
                    .project("lease")
                    .impact(2)
                    .tags(&["legal"])
                    .estimate(60)
                    .urgent(),
            ),
            // Not markers: sigils inside words, alone, or before numbers and symbols.
            (
                "mail anna@example.com about C# and C++",
                w("mail anna@example.com about C# and C++"),
            ),
            ("pay invoice #4711", w("pay invoice #4711")),
            ("call +31 20 555 0100", w("call +31 20 555 0100")),
            ("wow ! really !! ~ # @ +", w("wow ! really !! ~ # @ +")),
            ("sync @ 9 with Bob", w("sync @ 9 with Bob")),
        ]);
    }

    #[test]
    fn markers_not_understood() {
        check_all(&[
            (
                "plan ~3x",
                w("plan ~3x").faults(&[("~3x", "not a duration like ~30m")]),
            ),
            ("plan !hgh", w("plan !hgh").faults(&[("!hgh", "not an impact")])),
            ("plan !6", w("plan !6").faults(&[("!6", "not an impact")])),
            ("plan ~0m", w("plan ~0m").faults(&[("~0m", "more than zero")])),
            ("plan ~300h", w("plan ~300h").faults(&[("~300h", "200 hours")])),
            ("plan ~12001", w("plan ~12001").faults(&[("~12001", "200 hours")])),
            (
                "plan ~1.5m",
                w("plan ~1.5m").faults(&[("~1.5m", "not a duration")]),
            ),
            (
                "plan ~1h75",
                w("plan ~1h75").faults(&[("~1h75", "not a duration")]),
            ),
            ("plan ~2d", w("plan ~2d").faults(&[("~2d", "not a duration")])),
            (
                "plan ~9999999h",
                w("plan ~9999999h").faults(&[("~9999999h", "not a duration")]),
            ),
            (
                "plan #foo/bar",
                w("plan #foo/bar").faults(&[("#foo/bar", "not a tag")]),
            ),
            (
                "plan @anna/bob",
                w("plan @anna/bob").faults(&[("@anna/bob", "not a person")]),
            ),
            ("plan +a/b", w("plan +a/b").faults(&[("+a/b", "not a project")])),
            (
                "plan @anna @bob",
                w("plan @bob")
                    .delegate("anna")
                    .faults(&[("@bob", "already goes to @anna")]),
            ),
            ("plan @anna @anna", w("plan").delegate("anna")),
            (
                "plan +a +b",
                w("plan +b").project("a").faults(&[("+b", "already +a")]),
            ),
            (
                "plan !high !low",
                w("plan !low").impact(4).faults(&[("!low", "already !high")]),
            ),
            (
                "plan ~1h ~2h",
                w("plan ~2h")
                    .estimate(60)
                    .faults(&[("~2h", "already 60 minutes")]),
            ),
            (
                "plan ~3x tomorrow !hgh #ok",
                w("plan ~3x !hgh")
                    .due("2026-12-03")
                    .tags(&["ok"])
                    .faults(&[("~3x", "duration"), ("!hgh", "impact")]),
            ),
        ]);
    }

    #[test]
    fn date_forms() {
        check_all(&[
            (
                "call bank tomorrow 15:00",
                w("call bank").due("2026-12-03").at("15:00"),
            ),
            (
                "call bank tomorrow at 3pm",
                w("call bank").due("2026-12-03").at("15:00"),
            ),
            (
                "call bank tomorrow at 3 pm",
                w("call bank").due("2026-12-03").at("15:00"),
            ),
            (
                "call bank tomorrow 3:30pm",
                w("call bank").due("2026-12-03").at("15:30"),
            ),
            (
                "call bank 3pm tomorrow",
                w("call bank").due("2026-12-03").at("15:00"),
            ),
            (
                "call bank at 9am on friday",
                w("call bank").due("2026-12-04").at("09:00"),
            ),
            ("call bank friday", w("call bank").due("2026-12-04")),
            ("call bank Fri", w("call bank").due("2026-12-04")),
            ("call bank on friday", w("call bank").due("2026-12-04")),
            ("call bank this friday", w("call bank").due("2026-12-04")),
            (
                "call bank by friday 17:00",
                w("call bank").due("2026-12-04").at("17:00"),
            ),
            ("call bank due by friday", w("call bank").due("2026-12-04")),
            ("call bank monday", w("call bank").due("2026-12-07")),
            // Today's weekday: a week on, unless a time still ahead today is given.
            ("call bank wednesday", w("call bank").due("2026-12-09")),
            (
                "call bank wednesday 15:00",
                w("call bank").due("2026-12-02").at("15:00"),
            ),
            (
                "call bank wednesday 09:00",
                w("call bank").due("2026-12-09").at("09:00"),
            ),
            // "next friday" follows the dialect of the date order.
            ("call bank next friday", w("call bank").due("2026-12-11")),
            (
                "call bank next friday",
                w("call bank").due("2026-12-04").order(DateOrder::MonthFirst),
            ),
            ("call bank in 3 days", w("call bank").due("2026-12-05")),
            ("call bank in a week", w("call bank").due("2026-12-09")),
            ("call bank in two weeks", w("call bank").due("2026-12-16")),
            ("call bank in 1 month", w("call bank").due("2027-01-02")),
            (
                "call bank in 2 hours",
                w("call bank").due("2026-12-02").at("12:00"),
            ),
            (
                "call bank in 30 minutes",
                w("call bank").due("2026-12-02").at("10:30"),
            ),
            (
                "call bank in 3 days at 9am",
                w("call bank").due("2026-12-05").at("09:00"),
            ),
            ("call bank next week", w("call bank").due("2026-12-09")),
            ("call bank next month", w("call bank").due("2027-01-02")),
            ("call bank dec 12", w("call bank").due("2026-12-12")),
            ("call bank December 12th", w("call bank").due("2026-12-12")),
            ("call bank 12 december", w("call bank").due("2026-12-12")),
            ("call bank 12th dec", w("call bank").due("2026-12-12")),
            (
                "call bank 12 december 15:00",
                w("call bank").due("2026-12-12").at("15:00"),
            ),
            ("call bank dec 12 2027", w("call bank").due("2027-12-12")),
            (
                "call bank 12 december 2027 9:30",
                w("call bank").due("2027-12-12").at("09:30"),
            ),
            ("call bank on 12 sept", w("call bank").due("2027-09-12")),
            // A day and month already past this year are next year's.
            ("call bank nov 5", w("call bank").due("2027-11-05")),
            ("call bank next dec 12", w("call bank").due("2026-12-12")),
            ("call bank 2026-12-12", w("call bank").due("2026-12-12")),
            (
                "call bank 2026-12-12 08:15",
                w("call bank").due("2026-12-12").at("08:15"),
            ),
            ("call bank 12/12", w("call bank").due("2026-12-12")),
            (
                "call bank on 12/12 about the loan",
                w("call bank about the loan").due("2026-12-12"),
            ),
            (
                "call bank 12/12 15:00 about the loan",
                w("call bank about the loan").due("2026-12-12").at("15:00"),
            ),
            ("call bank 12/12/2027", w("call bank").due("2027-12-12")),
            ("call bank 12/12/27", w("call bank").due("2027-12-12")),
            ("call bank today", w("call bank").due("2026-12-02")),
            (
                "call bank today 09:00",
                w("call bank").due("2026-12-02").at("09:00"),
            ),
            ("call bank tonight", w("call bank").due("2026-12-02")),
            (
                "call bank tonight at 8",
                w("call bank").due("2026-12-02").at("20:00"),
            ),
            (
                "call bank tonight 8:30",
                w("call bank").due("2026-12-02").at("20:30"),
            ),
            (
                "call bank tonight 21:00",
                w("call bank").due("2026-12-02").at("21:00"),
            ),
            ("call bank at noon", w("call bank").due("2026-12-02").at("12:00")),
            (
                "call bank friday midday",
                w("call bank").due("2026-12-04").at("12:00"),
            ),
            ("call bank eod", w("call bank").due("2026-12-02")),
            ("call bank eow", w("call bank").due("2026-12-04")),
            ("call bank by end of week", w("call bank").due("2026-12-04")),
            ("call bank end of the month", w("call bank").due("2026-12-31")),
            (
                "call bank eom 17:00",
                w("call bank").due("2026-12-31").at("17:00"),
            ),
            // A time alone: today when still ahead, else tomorrow.
            ("15:00 call bank", w("call bank").due("2026-12-02").at("15:00")),
            ("09:00 call bank", w("call bank").due("2026-12-03").at("09:00")),
            ("10:00 call bank", w("call bank").due("2026-12-03").at("10:00")),
            ("call bank at 12am", w("call bank").due("2026-12-03").at("00:00")),
            // Anywhere in the text, with trailing punctuation and dangling separators.
            ("tomorrow, call bank", w("call bank").due("2026-12-03")),
            (
                "call bank tomorrow about the loan",
                w("call bank about the loan").due("2026-12-03"),
            ),
            ("pay rent - friday", w("pay rent").due("2026-12-04")),
            ("Call bank TOMORROW.", w("Call bank").due("2026-12-03")),
            (
                "call bank tomorrow !high 15:00",
                w("call bank").due("2026-12-03").at("15:00").impact(4),
            ),
            // The phrase at the end wins; the other stays in the title.
            (
                "friday: prepare board pack tomorrow",
                w("friday: prepare board pack").due("2026-12-03"),
            ),
            // Clocks spring forward on 28 March 2027 in Amsterdam: 02:30 does not exist.
            (
                "call bank 2027-03-28 02:30",
                w("call bank").due("2027-03-28").at("03:30"),
            ),
        ]);
    }

    #[test]
    fn date_order() {
        check_all(&[
            // 12 November is past, so next year's.
            ("call bank 12/11", w("call bank").due("2027-11-12")),
            (
                "call bank 12/11",
                w("call bank").due("2026-12-11").order(DateOrder::MonthFirst),
            ),
            ("call bank 3/4/2027", w("call bank").due("2027-04-03")),
            (
                "call bank 3/4/2027",
                w("call bank").due("2027-03-04").order(DateOrder::MonthFirst),
            ),
            // Readable only in the other order.
            ("call bank 12/31/2026", w("call bank").due("2026-12-31")),
            (
                "call bank 31/12",
                w("call bank").due("2026-12-31").order(DateOrder::MonthFirst),
            ),
            // The order does not matter where a month is named.
            (
                "call bank dec 12",
                w("call bank").due("2026-12-12").order(DateOrder::MonthFirst),
            ),
        ]);
    }

    #[test]
    fn ordinary_titles_keep_their_words() {
        check_all(&[
            (
                "ask May about the march budget",
                w("ask May about the march budget"),
            ),
            ("buy 3 apples", w("buy 3 apples")),
            ("review the second draft", w("review the second draft")),
            ("I sat down with Bob", w("I sat down with Bob")),
            (
                "put the sun screen in the car",
                w("put the sun screen in the car"),
            ),
            ("we wed in june", w("we wed in june")),
            ("check now", w("check now")),
            ("monitor the servers", w("monitor the servers")),
            ("read the 2nd chapter", w("read the 2nd chapter")),
            ("book march 2027 trip", w("book march 2027 trip")),
            ("plan next steps", w("plan next steps")),
            ("in the meantime clean up", w("in the meantime clean up")),
            ("meet at the office", w("meet at the office")),
            ("lunch noon prep", w("lunch noon prep")),
            ("mix ratio 2:1", w("mix ratio 2:1")),
            ("pay 1/2 of the bill", w("pay 1/2 of the bill")),
            ("take out the trash sun", w("take out the trash sun")),
            ("pay 15.30 to the plumber", w("pay 15.30 to the plumber")),
            ("go on holiday", w("go on holiday")),
            ("today's agenda", w("today's agenda")),
            ("sort last friday's receipts", w("sort last friday's receipts")),
            ("on sat clean up", w("clean up").due("2026-12-05")),
        ]);
    }

    #[test]
    fn dates_not_understood() {
        check_all(&[
            (
                "call bank by blorpday",
                w("call bank by blorpday").faults(&[("blorpday", "not understood as a date")]),
            ),
            (
                "call bank on 31/02",
                w("call bank on 31/02").faults(&[("31/02", "not understood as a date")]),
            ),
            (
                "call bank at 25:00",
                w("call bank at 25:00").faults(&[("25:00", "not understood as a date")]),
            ),
            (
                "call bank at 5",
                w("call bank at 5").faults(&[("5", "not understood as a date")]),
            ),
            (
                "call bank by feb 30",
                w("call bank by feb 30").faults(&[("feb 30", "not understood as a date")]),
            ),
            (
                "call bank by blorpday tomorrow",
                w("call bank by blorpday")
                    .due("2026-12-03")
                    .faults(&[("blorpday", "not understood as a date")]),
            ),
            ("call bank on 3 conditions", w("call bank on 3 conditions")),
        ]);
    }

    #[test]
    fn unicode_and_edges() {
        check_all(&[
            ("", w("")),
            ("   ", w("")),
            (
                "Überweisung an Jörg prüfen morgen",
                w("Überweisung an Jörg prüfen morgen"),
            ),
            (
                "Überweisung prüfen tomorrow #Büro",
                w("Überweisung prüfen").due("2026-12-03").tags(&["büro"]),
            ),
            (
                "電話する friday @山田",
                w("電話する").due("2026-12-04").delegate("山田"),
            ),
            (
                "🎂 cake for Zoë  friday\t!high",
                w("🎂 cake for Zoë").due("2026-12-04").impact(4),
            ),
            ("  call   bank   ", w("call bank")),
            ("- 20% off, -", w("- 20% off, -")),
            // Nothing but markers or a date: the whole text stays the title.
            ("#board !high", w("#board !high").tags(&["board"]).impact(4)),
            ("tomorrow", w("tomorrow").due("2026-12-03")),
            (
                "by friday 17:00",
                w("by friday 17:00").due("2026-12-04").at("17:00"),
            ),
        ]);
    }

    #[test]
    fn the_end_of_week_on_a_weekend_is_the_coming_friday() {
        let sat: Date = "2026-12-05".parse().unwrap();
        let fri: Date = "2026-12-04".parse().unwrap();
        assert_eq!(end_of(Unit::Week, sat), Some("2026-12-11".parse().unwrap()));
        assert_eq!(end_of(Unit::Week, fri), Some(fri));
    }

    fn words() -> impl Strategy<Value = String> {
        let word = prop_oneof![
            Just("tomorrow".to_string()),
            Just("tonight".to_string()),
            Just("friday".to_string()),
            Just("next".to_string()),
            Just("this".to_string()),
            Just("in".to_string()),
            Just("at".to_string()),
            Just("by".to_string()),
            Just("on".to_string()),
            Just("end".to_string()),
            Just("of".to_string()),
            Just("week".to_string()),
            Just("pm".to_string()),
            Just("dec".to_string()),
            Just("15:00".to_string()),
            Just("12/11".to_string()),
            "[0-9]{1,5}",
            "[0-9]{1,2}[:/.-][0-9]{1,4}",
            "[!#~@+][a-z0-9.,]{0,6}",
            "[a-zA-Z]{1,8}",
            "\\PC{1,4}",
        ];
        prop::collection::vec(word, 0..10).prop_map(|w| w.join(" "))
    }

    fn any_now() -> impl Strategy<Value = Zoned> {
        let zones = prop_oneof![
            Just("Europe/Amsterdam"),
            Just("America/New_York"),
            Just("Pacific/Kiritimati"),
            Just("UTC"),
        ];
        // From 1900 to 2200.
        (-2_208_988_800i64..7_258_118_400, zones)
            .prop_map(|(secs, zone)| jiff::Timestamp::from_second(secs).unwrap().in_tz(zone).unwrap())
    }

    proptest! {
        #[test]
        fn never_panics_and_keeps_a_title(
            text in prop_oneof![words(), "\\PC{0,60}", ".{0,60}"],
            now in any_now(),
            day_first in any::<bool>(),
        ) {
            let order = if day_first { DateOrder::DayFirst } else { DateOrder::MonthFirst };
            let got = parse(&text, &now, order);
            if !text.trim().is_empty() {
                prop_assert!(!got.title.trim().is_empty(), "{text:?} gave an empty title");
            }
            prop_assert_eq!(got.due_time.is_some() && got.due_date.is_none(), false);
            if let Some(i) = got.impact {
                prop_assert!((1..=5).contains(&i));
            }
            if let Some(m) = got.estimate_minutes {
                prop_assert!((1..=12_000).contains(&m));
            }
            prop_assert_eq!(parse(&text, &now, order), got, "deterministic");
        }
    }
}
