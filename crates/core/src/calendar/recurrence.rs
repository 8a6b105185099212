//! Recurrence rules (RFC 5545 §3.3.10, RRULE): parsing, canonical text, and
//! expansion over wall-clock times.
//!
//! Rules are expanded in the series' local wall-clock time, never in UTC, so
//! "every Monday at 09:00" stays at 09:00 across daylight-saving changes; the
//! caller resolves each wall-clock time to an instant with the series' zone.
//!
//! Expansion follows RFC 5545: the rule repeats every INTERVAL periods of its
//! frequency counted from the period holding DTSTART; within a period the
//! BY-parts expand or limit as the table on page 44 of the RFC says; BYSETPOS
//! picks from the period's sorted set; dates that do not exist (30 February,
//! the 31st of a 30-day month) are skipped, never clamped. Where the RFC leaves
//! room:
//! - What a rule leaves unsaid comes from DTSTART: FREQ=YEARLY repeats its
//!   month and day, a YEARLY rule with only BYMONTHDAY its month (as libical
//!   does), FREQ=MONTHLY its day, FREQ=WEEKLY and a bare BYWEEKNO its weekday.
//! - With BYWEEKNO a yearly rule's periods are week-numbering years (per WKST),
//!   so week 1 may begin in late December and week 53 end in January.
//! - A leap second (BYSECOND=60) cannot be represented and is skipped.
//! - A rule repeating within a day cannot repeat an all-day series.
//!
//! The iterator skips periods that the BY-parts rule out as a whole (a month
//! outside BYMONTH, an hour outside BYHOUR) rather than stepping through them,
//! proves a rule empty when a whole cycle of the calendar (400 years) passes
//! without an occurrence, and otherwise stops at the caps of [`Limits`].

use crate::error::ValidationError;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// How often a rule repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Frequency {
    Secondly,
    Minutely,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Frequency {
    pub const ALL: [Frequency; 7] = [
        Frequency::Secondly,
        Frequency::Minutely,
        Frequency::Hourly,
        Frequency::Daily,
        Frequency::Weekly,
        Frequency::Monthly,
        Frequency::Yearly,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Frequency::Secondly => "SECONDLY",
            Frequency::Minutely => "MINUTELY",
            Frequency::Hourly => "HOURLY",
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        }
    }
}

/// A BYDAY entry: a weekday, optionally the n-th of the month or year (`-1FR`: the last Friday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekdayNum {
    /// 0 means every such weekday; otherwise ±1…±53.
    pub ordinal: i8,
    pub weekday: Weekday,
}

/// Where a rule stops (UNTIL): a date, a floating wall-clock time, or a UTC instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Until {
    Date(Date),
    Local(DateTime),
    Utc(Timestamp),
}

/// A parsed RRULE. Lists are kept as written (order and duplicates do not
/// change the meaning; expansion sorts them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    pub freq: Frequency,
    /// At least 1.
    pub interval: u32,
    pub count: Option<u32>,
    pub until: Option<Until>,
    pub by_second: Vec<u8>,
    pub by_minute: Vec<u8>,
    pub by_hour: Vec<u8>,
    pub by_day: Vec<WeekdayNum>,
    pub by_month_day: Vec<i8>,
    pub by_year_day: Vec<i16>,
    pub by_week_no: Vec<i8>,
    pub by_month: Vec<u8>,
    pub by_set_pos: Vec<i16>,
    pub week_start: Weekday,
}

impl Rule {
    /// A rule of `freq` with nothing else set (interval 1, weeks start on Monday).
    pub fn new(freq: Frequency) -> Rule {
        Rule {
            freq,
            interval: 1,
            count: None,
            until: None,
            by_second: vec![],
            by_minute: vec![],
            by_hour: vec![],
            by_day: vec![],
            by_month_day: vec![],
            by_year_day: vec![],
            by_week_no: vec![],
            by_month: vec![],
            by_set_pos: vec![],
            week_start: Weekday::Monday,
        }
    }

    /// Whether the rule ends (by COUNT or UNTIL).
    pub fn is_finite(&self) -> bool {
        self.count.is_some() || self.until.is_some()
    }
}

/// The most occurrences a COUNT may ask for.
pub const MAX_COUNT: u32 = 100_000;

fn weekday_code(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

fn parse_weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return None,
    })
}

/// Parses an UNTIL value: `20261231`, `20261231T235959` or `20261231T235959Z`.
fn parse_until(v: &str) -> Option<Until> {
    let date = |s: &str| -> Option<Date> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let y: i16 = s[0..4].parse().ok()?;
        let m: i8 = s[4..6].parse().ok()?;
        let d: i8 = s[6..8].parse().ok()?;
        Date::new(y, m, d).ok()
    };
    match v.split_once('T') {
        None => date(v).map(Until::Date),
        Some((d, t)) => {
            let d = date(d)?;
            let (t, utc) = match t.strip_suffix('Z') {
                Some(t) => (t, true),
                None => (t, false),
            };
            if t.len() != 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let h: i8 = t[0..2].parse().ok()?;
            let mi: i8 = t[2..4].parse().ok()?;
            // A leap second (60) is read as the last second of the minute.
            let s: i8 = t[4..6].parse::<i8>().ok()?.min(59);
            let dt = d.to_datetime(jiff::civil::Time::new(h, mi, s, 0).ok()?);
            if utc {
                jiff::tz::TimeZone::UTC
                    .to_ambiguous_timestamp(dt)
                    .compatible()
                    .ok()
                    .map(Until::Utc)
            } else {
                Some(Until::Local(dt))
            }
        }
    }
}

fn fmt_until(u: &Until) -> String {
    match u {
        Until::Date(d) => d.strftime("%Y%m%d").to_string(),
        Until::Local(dt) => dt.strftime("%Y%m%dT%H%M%S").to_string(),
        Until::Utc(t) => t.strftime("%Y%m%dT%H%M%SZ").to_string(),
    }
}

/// Parses a comma-separated list of integers in `range`, none of them 0 unless `zero_ok`.
fn int_list<T: FromStr + Copy + Into<i32>>(
    part: &str,
    v: &str,
    range: std::ops::RangeInclusive<i32>,
    signed: bool,
) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for item in v.split(',') {
        let item = item.trim();
        let n: T = item
            .trim_start_matches('+')
            .parse()
            .map_err(|_| format!("{part}: `{item}` is not a number"))?;
        let i: i32 = n.into();
        let ok = if signed {
            i != 0 && range.contains(&i.abs())
        } else {
            range.contains(&i)
        };
        if !ok {
            let shown = if signed {
                format!("±{}…±{}", range.start(), range.end())
            } else {
                format!("{}…{}", range.start(), range.end())
            };
            return Err(format!("{part}: {item} is out of range ({shown})"));
        }
        out.push(n);
    }
    Ok(out)
}

impl FromStr for Rule {
    type Err = ValidationError;

    /// Parses `FREQ=WEEKLY;BYDAY=MO,WE` (an `RRULE:` prefix is allowed). Names
    /// and values are case-insensitive; every rule part is checked against RFC 5545.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_rule(s).map_err(|m| ValidationError::field("rrule", m))
    }
}

fn parse_rule(s: &str) -> Result<Rule, String> {
    let text = s.trim();
    let body = if text.len() >= 6 && text[..6].eq_ignore_ascii_case("RRULE:") {
        &text[6..]
    } else {
        text
    };
    if body.is_empty() {
        return Err("the rule is empty; it needs at least FREQ, e.g. FREQ=WEEKLY".into());
    }
    let mut freq = None;
    let mut rule = Rule::new(Frequency::Daily);
    let mut seen: Vec<String> = Vec::new();
    for part in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!("`{part}` is not NAME=VALUE"));
        };
        let k = k.trim().to_ascii_uppercase();
        let v = v.trim().to_ascii_uppercase();
        if seen.contains(&k) {
            return Err(format!("{k} is given twice"));
        }
        seen.push(k.clone());
        if v.is_empty() {
            return Err(format!("{k} has no value"));
        }
        match k.as_str() {
            "FREQ" => {
                freq = Some(
                    Frequency::ALL
                        .into_iter()
                        .find(|f| f.as_str() == v)
                        .ok_or_else(|| format!("FREQ: unknown frequency `{v}`"))?,
                )
            }
            "INTERVAL" => {
                let n: u32 = v
                    .parse()
                    .map_err(|_| format!("INTERVAL: `{v}` is not a number"))?;
                if n == 0 {
                    return Err("INTERVAL must be at least 1".into());
                }
                rule.interval = n;
            }
            "COUNT" => {
                let n: u32 = v.parse().map_err(|_| format!("COUNT: `{v}` is not a number"))?;
                if n == 0 || n > MAX_COUNT {
                    return Err(format!("COUNT: {n} is out of range (1…{MAX_COUNT})"));
                }
                rule.count = Some(n);
            }
            "UNTIL" => {
                rule.until = Some(parse_until(&v).ok_or_else(|| {
                    format!("UNTIL: `{v}` is not a date (20261231) or date-time (20261231T235959Z)")
                })?)
            }
            "BYSECOND" => rule.by_second = int_list::<u8>(&k, &v, 0..=60, false)?,
            "BYMINUTE" => rule.by_minute = int_list::<u8>(&k, &v, 0..=59, false)?,
            "BYHOUR" => rule.by_hour = int_list::<u8>(&k, &v, 0..=23, false)?,
            "BYMONTHDAY" => rule.by_month_day = int_list::<i8>(&k, &v, 1..=31, true)?,
            "BYYEARDAY" => rule.by_year_day = int_list::<i16>(&k, &v, 1..=366, true)?,
            "BYWEEKNO" => rule.by_week_no = int_list::<i8>(&k, &v, 1..=53, true)?,
            "BYMONTH" => rule.by_month = int_list::<u8>(&k, &v, 1..=12, false)?,
            "BYSETPOS" => rule.by_set_pos = int_list::<i16>(&k, &v, 1..=366, true)?,
            "WKST" => {
                rule.week_start =
                    parse_weekday(&v).ok_or_else(|| format!("WKST: `{v}` is not a weekday (MO…SU)"))?
            }
            "BYDAY" => {
                for item in v.split(',').map(str::trim) {
                    if item.len() < 2 {
                        return Err(format!("BYDAY: `{item}` is not a weekday (MO, 1MO, -1FR)"));
                    }
                    let (num, day) = item.split_at(item.len() - 2);
                    let weekday = parse_weekday(day)
                        .ok_or_else(|| format!("BYDAY: `{item}` is not a weekday (MO, 1MO, -1FR)"))?;
                    let ordinal: i8 = if num.is_empty() {
                        0
                    } else {
                        let n: i8 = num
                            .trim_start_matches('+')
                            .parse()
                            .map_err(|_| format!("BYDAY: `{item}` has no valid ordinal"))?;
                        if n == 0 || n.abs() > 53 {
                            return Err(format!("BYDAY: the ordinal of `{item}` is out of range (±1…±53)"));
                        }
                        n
                    };
                    rule.by_day.push(WeekdayNum { ordinal, weekday });
                }
            }
            other if other.starts_with("X-") => {}
            "RSCALE" | "SKIP" => {
                return Err(format!(
                    "{k} (RFC 7529 non-Gregorian calendars) is not supported; only the Gregorian calendar is"
                ));
            }
            other => return Err(format!("unknown rule part `{other}`")),
        }
    }
    rule.freq = freq.ok_or("FREQ is required, e.g. FREQ=WEEKLY")?;
    if rule.count.is_some() && rule.until.is_some() {
        return Err("COUNT and UNTIL must not both be given".into());
    }
    let f = rule.freq;
    if !rule.by_week_no.is_empty() && f != Frequency::Yearly {
        return Err("BYWEEKNO is only valid with FREQ=YEARLY".into());
    }
    if !rule.by_year_day.is_empty() && matches!(f, Frequency::Daily | Frequency::Weekly | Frequency::Monthly)
    {
        return Err(format!("BYYEARDAY is not valid with FREQ={}", f.as_str()));
    }
    if !rule.by_month_day.is_empty() && f == Frequency::Weekly {
        return Err("BYMONTHDAY is not valid with FREQ=WEEKLY".into());
    }
    if rule.by_day.iter().any(|d| d.ordinal != 0) {
        if !matches!(f, Frequency::Monthly | Frequency::Yearly) {
            return Err(format!(
                "BYDAY with an ordinal (like 1MO) needs FREQ=MONTHLY or YEARLY, not {}",
                f.as_str()
            ));
        }
        if f == Frequency::Yearly && !rule.by_week_no.is_empty() {
            return Err("BYDAY with an ordinal must not be combined with BYWEEKNO".into());
        }
    }
    if !rule.by_set_pos.is_empty() {
        let others = !(rule.by_second.is_empty()
            && rule.by_minute.is_empty()
            && rule.by_hour.is_empty()
            && rule.by_day.is_empty()
            && rule.by_month_day.is_empty()
            && rule.by_year_day.is_empty()
            && rule.by_week_no.is_empty()
            && rule.by_month.is_empty());
        if !others {
            return Err("BYSETPOS needs another BYxxx rule part to pick from".into());
        }
    }
    Ok(rule)
}

fn join<T: ToString>(v: &[T]) -> String {
    v.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

impl fmt::Display for Rule {
    /// The canonical RRULE value (without the `RRULE:` prefix), parts in RFC order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FREQ={}", self.freq.as_str())?;
        if let Some(u) = &self.until {
            write!(f, ";UNTIL={}", fmt_until(u))?;
        }
        if let Some(c) = self.count {
            write!(f, ";COUNT={c}")?;
        }
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        let lists: [(&str, String); 9] = [
            ("BYSECOND", join(&self.by_second)),
            ("BYMINUTE", join(&self.by_minute)),
            ("BYHOUR", join(&self.by_hour)),
            (
                "BYDAY",
                self.by_day
                    .iter()
                    .map(|d| {
                        if d.ordinal == 0 {
                            weekday_code(d.weekday).to_string()
                        } else {
                            format!("{}{}", d.ordinal, weekday_code(d.weekday))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("BYMONTHDAY", join(&self.by_month_day)),
            ("BYYEARDAY", join(&self.by_year_day)),
            ("BYWEEKNO", join(&self.by_week_no)),
            ("BYMONTH", join(&self.by_month)),
            ("BYSETPOS", join(&self.by_set_pos)),
        ];
        for (name, value) in lists {
            if !value.is_empty() {
                write!(f, ";{name}={value}")?;
            }
        }
        if self.week_start != Weekday::Monday {
            write!(f, ";WKST={}", weekday_code(self.week_start))?;
        }
        Ok(())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: ValidationError| serde::de::Error::custom(e.summary()))
    }
}

// ---------------------------------------------------------------------------
// Expansion
// ---------------------------------------------------------------------------

/// Caps that keep one expansion cheap whatever a rule says.
///
/// A rule can ask for more than a calendar can show (`FREQ=SECONDLY` for ten
/// years) or name dates that never come (`BYMONTH=2;BYMONTHDAY=30`). Instead of
/// running for ever, an expansion stops with an [`ExpandError`] when it meets
/// one of these caps, so a capped expansion is never mistaken for a finished one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most occurrences one expansion hands out before it stops with
    /// [`ExpandError::TooManyOccurrences`]. The default, 100,000, is the
    /// largest COUNT a rule may carry, so every rule that ends by COUNT fits.
    pub max_occurrences: usize,
    /// The most periods of the rule's frequency (years for YEARLY, seconds for
    /// SECONDLY) examined in a row without an occurrence before the rule is
    /// given up as too sparse ([`ExpandError::TooSparse`]). Periods that the
    /// BY-parts rule out as a whole (a month outside BYMONTH, a day outside
    /// BYDAY) are jumped over and not counted. The default, 10,000, costs a few
    /// milliseconds at most; ordinary sparse rules ("Friday the 13th", "29
    /// February on a Monday") need at most a few hundred.
    pub max_empty_periods: u32,
}

impl Limits {
    pub const DEFAULT_MAX_OCCURRENCES: usize = 100_000;
    pub const DEFAULT_MAX_EMPTY_PERIODS: u32 = 10_000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_occurrences: Limits::DEFAULT_MAX_OCCURRENCES,
            max_empty_periods: Limits::DEFAULT_MAX_EMPTY_PERIODS,
        }
    }
}

/// Why an expansion stopped before the rule ended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// Proven: the rule can never produce another occurrence.
    #[error(
        "the rule `{rule}` never produces an occurrence: the dates it names do not exist \
         (such as 30 February) or never line up with its INTERVAL; check its BY parts"
    )]
    NeverMatches { rule: String },
    /// Given up: no occurrence in [`Limits::max_empty_periods`] periods in a row.
    #[error(
        "the rule `{rule}` produced no occurrence in {periods} periods in a row after {after}; \
         it is too sparse to expand or never matches; check its BY parts and INTERVAL"
    )]
    TooSparse {
        rule: String,
        periods: u32,
        after: String,
    },
    /// More occurrences than [`Limits::max_occurrences`].
    #[error(
        "the rule `{rule}` has more than {limit} occurrences in the span asked for; \
         ask for a shorter span or make the rule repeat less often"
    )]
    TooManyOccurrences { rule: String, limit: usize },
    /// A rule repeating within a day cannot repeat an all-day event.
    #[error(
        "the rule `{rule}` repeats within a day, which an all-day event cannot; use FREQ=DAILY or longer"
    )]
    SubDailyAllDay { rule: String },
}

/// Civil seconds in a day.
const DAY: i64 = 86_400;
/// Days in the 400-year Gregorian cycle, after which dates and weekdays repeat.
const CYCLE_DAYS: i64 = 146_097;
/// The last day jiff represents (9999-12-31) as a day number.
const LAST_DAY: i64 = 2_932_896;
/// Cumulative days before each month in a common year.
const DAYS_BEFORE: [u16; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

fn is_leap(y: i32) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn month_len(y: i32, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn year_len(y: i32) -> u16 {
    if is_leap(y) { 366 } else { 365 }
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
/// algorithm): plain integers keep the inner loops free of checked date types.
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * CYCLE_DAYS + doe - 719_468
}

/// A calendar day with its day number, so stepping and testing need no division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Day {
    n: i64,
    y: i32,
    m: u8,
    d: u8,
}

impl Day {
    fn from_n(n: i64) -> Day {
        let z = n + 719_468;
        let era = z.div_euclid(CYCLE_DAYS);
        let doe = z - era * CYCLE_DAYS;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        Day { n, y, m, d }
    }

    fn ymd(y: i32, m: u8, d: u8) -> Day {
        Day {
            n: days_from_civil(y, m, d),
            y,
            m,
            d,
        }
    }

    fn next(self) -> Day {
        if self.d < month_len(self.y, self.m) {
            Day {
                n: self.n + 1,
                d: self.d + 1,
                ..self
            }
        } else if self.m < 12 {
            Day {
                n: self.n + 1,
                m: self.m + 1,
                d: 1,
                ..self
            }
        } else {
            Day {
                n: self.n + 1,
                y: self.y + 1,
                m: 1,
                d: 1,
            }
        }
    }

    /// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
    fn weekday(self) -> u8 {
        (self.n + 3).rem_euclid(7) as u8
    }

    fn day_of_year(self) -> u16 {
        DAYS_BEFORE[usize::from(self.m - 1)] + u16::from(self.d) + u16::from(self.m > 2 && is_leap(self.y))
    }
}

/// The day week 1 of week-numbering year `y` starts on, weeks starting on
/// `wkst` (Monday = 0): week 1 is the first week with at least four days in the
/// year, i.e. the week holding 4 January (RFC 5545 §3.3.10, BYWEEKNO).
fn week_one_start(y: i32, wkst: u8) -> i64 {
    let jan4 = Day::ymd(y, 1, 4);
    jan4.n - i64::from((jan4.weekday() + 7 - wkst) % 7)
}

/// The week-numbering year day `n` belongs to.
fn week_year(day: Day, wkst: u8) -> i32 {
    if day.n < week_one_start(day.y, wkst) {
        day.y - 1
    } else if day.n >= week_one_start(day.y + 1, wkst) {
        day.y + 1
    } else {
        day.y
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    -((-a).div_euclid(b))
}

/// A set of small integers as bits.
fn bit_set(set: u64, i: i64) -> bool {
    (0..64).contains(&i) && set & (1 << i) != 0
}

/// A set of day-of-year values 1…366 as bits.
#[derive(Debug, Clone, Copy, Default)]
struct YearDays([u64; 6]);

impl YearDays {
    fn insert(&mut self, i: u16) {
        self.0[usize::from(i / 64)] |= 1 << (i % 64);
    }
    fn contains(&self, i: u16) -> bool {
        i < 384 && self.0[usize::from(i / 64)] & (1 << (i % 64)) != 0
    }
}

/// The rule prepared for expansion: BY-parts as bit sets, the values RFC 5545
/// takes from DTSTART when a part is missing, and the time lists sorted.
#[derive(Debug, Clone)]
struct Plan {
    freq: Frequency,
    interval: i64,
    wkst: u8,
    /// Months allowed (bit m), 0 for any.
    months: u16,
    has_month_day: bool,
    month_day_pos: u64,
    month_day_neg: u64,
    has_year_day: bool,
    year_day_pos: YearDays,
    year_day_neg: YearDays,
    has_week_no: bool,
    week_no_pos: u64,
    week_no_neg: u64,
    has_weekday: bool,
    /// Weekdays without an ordinal (bit 0 = Monday).
    weekdays: u8,
    /// Weekdays with an ordinal: (n, weekday), the n-th in the month or year.
    nth: Vec<(i8, u8)>,
    /// Whether ordinals count within the month (MONTHLY, or YEARLY with BYMONTH) or the year.
    nth_in_month: bool,
    /// YEARLY with BYWEEKNO: periods are week-numbering years.
    week_years: bool,
    /// Time values each period expands to (sorted, without duplicates).
    hours: Vec<u8>,
    minutes: Vec<u8>,
    seconds: Vec<u8>,
    /// Limits on the time of sub-daily periods (0 for none).
    hour_limit: u64,
    minute_limit: u64,
    second_limit: u64,
    set_pos: Vec<i64>,
    /// Periods after which the rule's pattern repeats exactly.
    cycle: i64,
}

fn sorted<T: Ord + Copy>(v: &[T]) -> Vec<T> {
    let mut out = v.to_vec();
    out.sort_unstable();
    out.dedup();
    out
}

fn mask(v: &[u8]) -> u64 {
    v.iter().filter(|&&x| x < 64).fold(0, |m, &x| m | 1 << x)
}

impl Plan {
    fn new(rule: &Rule, start: DateTime, date_only: bool) -> Plan {
        let f = rule.freq;
        let start_day = start.date();
        let no_day_parts = rule.by_week_no.is_empty()
            && rule.by_year_day.is_empty()
            && rule.by_month_day.is_empty()
            && rule.by_day.is_empty();
        let mut by_month: Vec<u8> = rule
            .by_month
            .iter()
            .copied()
            .filter(|m| (1..=12).contains(m))
            .collect();
        let mut by_month_day: Vec<i8> = rule.by_month_day.clone();
        let mut by_day: Vec<WeekdayNum> = rule.by_day.clone();
        let week_no_applies = f == Frequency::Yearly && !rule.by_week_no.is_empty();
        // What a rule leaves unsaid is taken from DTSTART (RFC 5545 §3.3.10):
        // "FREQ=YEARLY" repeats DTSTART's month and day, "FREQ=MONTHLY" its day
        // of the month, "FREQ=WEEKLY" (and a bare BYWEEKNO) its weekday. A
        // YEARLY rule giving only BYMONTHDAY keeps DTSTART's month, as libical does.
        match f {
            Frequency::Yearly if no_day_parts => {
                if by_month.is_empty() {
                    by_month.push(start_day.month() as u8);
                }
                by_month_day.push(start_day.day());
            }
            Frequency::Yearly
                if week_no_applies
                    && rule.by_year_day.is_empty()
                    && rule.by_month_day.is_empty()
                    && rule.by_day.is_empty() =>
            {
                by_day.push(WeekdayNum {
                    ordinal: 0,
                    weekday: start_day.weekday(),
                });
            }
            Frequency::Yearly
                if by_month.is_empty()
                    && rule.by_week_no.is_empty()
                    && rule.by_year_day.is_empty()
                    && rule.by_day.is_empty() =>
            {
                by_month.push(start_day.month() as u8);
            }
            Frequency::Monthly if rule.by_month_day.is_empty() && rule.by_day.is_empty() => {
                by_month_day.push(start_day.day());
            }
            Frequency::Weekly if rule.by_day.is_empty() => by_day.push(WeekdayNum {
                ordinal: 0,
                weekday: start_day.weekday(),
            }),
            _ => {}
        }
        // Parts the RFC table marks N/A for the frequency are ignored (the parser
        // refuses them; this keeps hand-built rules harmless).
        let month_day_applies = f != Frequency::Weekly;
        let year_day_applies = matches!(
            f,
            Frequency::Yearly | Frequency::Hourly | Frequency::Minutely | Frequency::Secondly
        );
        let mut month_day_pos = 0u64;
        let mut month_day_neg = 0u64;
        if month_day_applies {
            for &d in &by_month_day {
                if d > 0 {
                    month_day_pos |= 1 << d.min(63);
                } else if d < 0 {
                    month_day_neg |= 1 << (-i16::from(d)).min(63);
                }
            }
        }
        let mut year_day_pos = YearDays::default();
        let mut year_day_neg = YearDays::default();
        if year_day_applies {
            for &d in &rule.by_year_day {
                if (1..=366).contains(&d) {
                    year_day_pos.insert(d as u16);
                } else if (-366..=-1).contains(&d) {
                    year_day_neg.insert((-d) as u16);
                }
            }
        }
        let mut week_no_pos = 0u64;
        let mut week_no_neg = 0u64;
        if week_no_applies {
            for &w in &rule.by_week_no {
                if w > 0 {
                    week_no_pos |= 1 << w.min(63);
                } else if w < 0 {
                    week_no_neg |= 1 << (-i16::from(w)).min(63);
                }
            }
        }
        let ordinals_apply = matches!(f, Frequency::Monthly | Frequency::Yearly);
        let mut weekdays = 0u8;
        let mut nth = Vec::new();
        for wd in &by_day {
            let w = wd.weekday.to_monday_zero_offset() as u8;
            if wd.ordinal == 0 || !ordinals_apply {
                weekdays |= 1 << w;
            } else {
                nth.push((wd.ordinal, w));
            }
        }
        nth.sort_unstable();
        nth.dedup();
        let months = by_month.iter().fold(0u16, |m, &x| m | 1 << x);
        // Time: a date-only series has none; otherwise the parts finer than the
        // frequency expand, defaulting to DTSTART's value.
        let from_start = |v: &[u8], own: i8, expands: bool| -> Vec<u8> {
            if date_only {
                vec![0]
            } else if !expands {
                vec![]
            } else if v.is_empty() {
                vec![own as u8]
            } else {
                sorted(v)
            }
        };
        let sub_daily = matches!(f, Frequency::Hourly | Frequency::Minutely | Frequency::Secondly);
        // A leap second (60) cannot be represented; like an invalid date it is skipped.
        // Values out of range cannot come from the parser, but a hand-built rule
        // must not reach an invalid time; like invalid dates they never match.
        let by_second: Vec<u8> = rule.by_second.iter().copied().filter(|&s| s < 60).collect();
        let by_minute: Vec<u8> = rule.by_minute.iter().copied().filter(|&m| m < 60).collect();
        let by_hour: Vec<u8> = rule.by_hour.iter().copied().filter(|&h| h < 24).collect();
        let impossible = |given: &[u8], kept: &[u8]| kept.is_empty() && !given.is_empty() && !date_only;
        let hours = if impossible(&rule.by_hour, &by_hour) {
            vec![]
        } else {
            from_start(&by_hour, start.hour(), !sub_daily)
        };
        let minutes = if impossible(&rule.by_minute, &by_minute) {
            vec![]
        } else {
            from_start(
                &by_minute,
                start.minute(),
                !matches!(f, Frequency::Minutely | Frequency::Secondly),
            )
        };
        // A time part with no valid value (BYSECOND=60) never matches; the
        // iterator reports that before using these lists.
        let seconds = if impossible(&rule.by_second, &by_second) {
            vec![]
        } else {
            from_start(&by_second, start.second(), f != Frequency::Secondly)
        };
        let limit = |v: &[u8], applies: bool| if applies && !v.is_empty() { mask(v) } else { 0 };
        let hour_limit = limit(&by_hour, sub_daily);
        let minute_limit = limit(&by_minute, matches!(f, Frequency::Minutely | Frequency::Secondly));
        let second_limit = limit(&by_second, f == Frequency::Secondly);
        let interval = i64::from(rule.interval.max(1));
        let units = match f {
            Frequency::Yearly => 400,
            Frequency::Monthly => 4800,
            Frequency::Weekly => CYCLE_DAYS / 7,
            Frequency::Daily => CYCLE_DAYS,
            Frequency::Hourly => CYCLE_DAYS * 24,
            Frequency::Minutely => CYCLE_DAYS * 1440,
            Frequency::Secondly => CYCLE_DAYS * DAY,
        };
        let mut set_pos: Vec<i64> = rule.by_set_pos.iter().map(|&p| i64::from(p)).collect();
        set_pos.sort_unstable();
        set_pos.dedup();
        Plan {
            freq: f,
            interval,
            wkst: rule.week_start.to_monday_zero_offset() as u8,
            months,
            has_month_day: month_day_pos | month_day_neg != 0,
            month_day_pos,
            month_day_neg,
            has_year_day: year_day_applies && !rule.by_year_day.is_empty(),
            year_day_pos,
            year_day_neg,
            has_week_no: week_no_applies,
            week_no_pos,
            week_no_neg,
            has_weekday: weekdays != 0 || !nth.is_empty(),
            weekdays,
            nth,
            nth_in_month: f == Frequency::Monthly || !rule.by_month.is_empty(),
            week_years: week_no_applies,
            hours,
            minutes,
            seconds,
            hour_limit,
            minute_limit,
            second_limit,
            set_pos,
            cycle: units / gcd(units, interval),
        }
    }

    /// Whether `day` passes the day-level parts; `week` is the start of week 1
    /// and the number of weeks of the week-numbering year being expanded.
    fn day_ok(&self, day: Day, week: Option<(i64, i64)>) -> bool {
        if self.months != 0 && self.months & (1 << day.m) == 0 {
            return false;
        }
        if self.has_week_no
            && let Some((start, weeks)) = week
        {
            let no = (day.n - start).div_euclid(7) + 1;
            if !(bit_set(self.week_no_pos, no) || bit_set(self.week_no_neg, weeks + 1 - no)) {
                return false;
            }
        }
        if self.has_year_day {
            let doy = day.day_of_year();
            if !(self.year_day_pos.contains(doy) || self.year_day_neg.contains(year_len(day.y) + 1 - doy)) {
                return false;
            }
        }
        if self.has_month_day {
            let len = month_len(day.y, day.m);
            if !(bit_set(self.month_day_pos, i64::from(day.d))
                || bit_set(self.month_day_neg, i64::from(len + 1 - day.d)))
            {
                return false;
            }
        }
        if self.has_weekday {
            let wd = day.weekday();
            if self.weekdays & (1 << wd) != 0 {
                return true;
            }
            let (index, len) = if self.nth_in_month {
                (i64::from(day.d), i64::from(month_len(day.y, day.m)))
            } else {
                (i64::from(day.day_of_year()), i64::from(year_len(day.y)))
            };
            let from_start = (index - 1) / 7 + 1;
            let from_end = (len - index) / 7 + 1;
            return self
                .nth
                .iter()
                .any(|&(n, w)| w == wd && (i64::from(n) == from_start || i64::from(n) == -from_end));
        }
        true
    }

    /// The first day at or after `from` that passes the day-level parts (no
    /// ordinals, no week numbers: the frequencies that use this have none).
    fn next_day(&self, from: i64) -> Next {
        let give_up = from + CYCLE_DAYS + 31;
        let mut day = Day::from_n(from);
        loop {
            if day.n > LAST_DAY {
                return Next::OutOfRange;
            }
            if day.n > give_up {
                // Dates repeat every 400 years: nothing in one cycle, nothing ever.
                return Next::Never;
            }
            if self.months != 0 && self.months & (1 << day.m) == 0 {
                day = match (day.m + 1..=12).find(|m| self.months & (1 << m) != 0) {
                    Some(m) => Day::ymd(day.y, m, 1),
                    None => Day::ymd(day.y + 1, self.months.trailing_zeros() as u8, 1),
                };
                continue;
            }
            if self.day_ok(day, None) {
                return Next::At(day.n);
            }
            day = day.next();
        }
    }

    /// The period (index in the rule's frequency) holding civil second `t`.
    fn period_of(&self, t: i64) -> i64 {
        let n = t.div_euclid(DAY);
        match self.freq {
            Frequency::Yearly => {
                let day = Day::from_n(n);
                i64::from(if self.week_years {
                    week_year(day, self.wkst)
                } else {
                    day.y
                })
            }
            Frequency::Monthly => {
                let day = Day::from_n(n);
                i64::from(day.y) * 12 + i64::from(day.m) - 1
            }
            Frequency::Weekly => self.week_of(n),
            Frequency::Daily => n,
            Frequency::Hourly => t.div_euclid(3600),
            Frequency::Minutely => t.div_euclid(60),
            Frequency::Secondly => t,
        }
    }

    /// Weeks are numbered from a day that falls on the week start (1970-01-05 was a Monday).
    fn week_anchor(&self) -> i64 {
        4 + i64::from(self.wkst)
    }

    fn week_of(&self, n: i64) -> i64 {
        (n - self.week_anchor()).div_euclid(7)
    }

    /// Civil seconds in one period of a sub-daily frequency.
    fn unit(&self) -> i64 {
        match self.freq {
            Frequency::Hourly => 3600,
            Frequency::Minutely => 60,
            _ => 1,
        }
    }
}

/// Where the next matching day is.
enum Next {
    At(i64),
    /// No day in a whole 400-year cycle matches.
    Never,
    /// Past the last representable date.
    OutOfRange,
}

/// What loading a period found.
enum Load {
    Ready,
    /// The period is empty, and so is every period before this index: continue there.
    Skip(i64),
    End,
}

enum UntilCheck {
    Within,
    Beyond,
    /// A time inside a daylight-saving gap whose instant lies past a UTC UNTIL
    /// even though later wall-clock times do not: left out, not an end.
    SkipGap,
}

/// The occurrences of one [`Rule`], in order; see [`Rule::expand`].
///
/// Yields `Ok(wall-clock time)` for each occurrence and ends (`None`) when the
/// rule ends (COUNT, UNTIL, or the year 9999). When a cap of [`Limits`] stops
/// it early it yields one `Err` and then ends, so a stopped expansion is never
/// mistaken for a finished one.
#[derive(Debug, Clone)]
pub struct RuleIter<'a> {
    rule: &'a Rule,
    zone: &'a TimeZone,
    limits: Limits,
    plan: Plan,
    /// A problem found before expanding, reported by the first `next`.
    pending: Option<ExpandError>,
    done: bool,
    /// Period index of the period holding DTSTART; the rule repeats every
    /// `interval` periods from it.
    anchor: i64,
    /// The current period.
    k: i64,
    loaded: bool,
    days: Vec<Day>,
    hours: Vec<u8>,
    minutes: Vec<u8>,
    seconds: Vec<u8>,
    selected: Vec<u64>,
    use_selected: bool,
    total: u64,
    pos: u64,
    /// Candidates per day and per hour of the loaded period, for position arithmetic.
    per_day: u64,
    per_hour: u64,
    had_occurrence: bool,
    /// Candidates before this civil second are not occurrences (DTSTART, or where a jump landed).
    lower: i64,
    /// Occurrences before this civil second are counted (COUNT) but not handed out.
    show_from: i64,
    emitted: u64,
    handed_out: usize,
    /// The last period that had an occurrence (or the one before the first examined).
    last_full: i64,
    empty_run: u32,
    /// The last occurrence (or DTSTART), for messages.
    last_at: i64,
    /// Times up to this one are before a UTC UNTIL whatever the zone does.
    until_safe: Option<DateTime>,
}

fn civil_seconds(dt: DateTime) -> i64 {
    let d = dt.date();
    days_from_civil(i32::from(d.year()), d.month() as u8, d.day() as u8) * DAY
        + i64::from(dt.hour()) * 3600
        + i64::from(dt.minute()) * 60
        + i64::from(dt.second())
}

fn to_datetime(t: i64) -> Option<DateTime> {
    wall_clock(Day::from_n(t.div_euclid(DAY)), t.rem_euclid(DAY))
}

/// Day `day` at `sod` seconds after midnight; None past the representable range.
fn wall_clock(day: Day, sod: i64) -> Option<DateTime> {
    let date = Date::new(i16::try_from(day.y).ok()?, day.m as i8, day.d as i8).ok()?;
    Some(date.at((sod / 3600) as i8, (sod / 60 % 60) as i8, (sod % 60) as i8, 0))
}

impl Rule {
    /// The rule's occurrences as wall-clock times, in order, starting from `dtstart`.
    ///
    /// `date_only`: an all-day series; time BY-parts are ignored and every
    /// occurrence is at midnight. UNTIL: a UTC UNTIL is compared with each
    /// candidate resolved in `zone` ([`crate::calendar::time::resolve`]); a
    /// floating or date UNTIL with the wall-clock value, inclusively (a date
    /// UNTIL includes its whole day).
    ///
    /// Only candidates that match the rule are yielded: a DTSTART that does not
    /// match is not (the series adds it; see `series`). Times are whole
    /// seconds; a fraction of a second in `dtstart` is dropped.
    pub fn expand<'a>(
        &'a self,
        dtstart: DateTime,
        date_only: bool,
        zone: &'a TimeZone,
        limits: Limits,
    ) -> RuleIter<'a> {
        let start = if date_only {
            dtstart.date().to_datetime(jiff::civil::Time::midnight())
        } else {
            dtstart.with().subsec_nanosecond(0).build().unwrap_or(dtstart)
        };
        let plan = Plan::new(self, start, date_only);
        let lower = civil_seconds(start);
        let anchor = plan.period_of(lower);
        let sub_daily = matches!(
            self.freq,
            Frequency::Hourly | Frequency::Minutely | Frequency::Secondly
        );
        // BYSECOND=60 alone (a leap second), or out-of-range values in a hand-built rule.
        let no_valid = |v: &[u8], below: u8| !v.is_empty() && v.iter().all(|&x| x >= below);
        let impossible_time =
            no_valid(&self.by_second, 60) || no_valid(&self.by_minute, 60) || no_valid(&self.by_hour, 24);
        let pending = if date_only && sub_daily {
            Some(ExpandError::SubDailyAllDay {
                rule: self.to_string(),
            })
        } else if impossible_time && !date_only {
            Some(ExpandError::NeverMatches {
                rule: self.to_string(),
            })
        } else {
            None
        };
        let until_safe = match self.until {
            Some(Until::Utc(t)) => zone.to_datetime(t).checked_sub(jiff::Span::new().days(2)).ok(),
            _ => None,
        };
        RuleIter {
            rule: self,
            zone,
            limits,
            anchor,
            k: anchor,
            loaded: false,
            days: Vec::new(),
            hours: plan.hours.clone(),
            minutes: plan.minutes.clone(),
            seconds: plan.seconds.clone(),
            selected: Vec::new(),
            use_selected: !plan.set_pos.is_empty(),
            total: 0,
            pos: 0,
            per_day: 1,
            per_hour: 1,
            had_occurrence: false,
            lower,
            show_from: lower,
            emitted: 0,
            handed_out: 0,
            last_full: anchor - plan.interval,
            empty_run: 0,
            last_at: lower,
            until_safe,
            plan,
            pending,
            done: self.count == Some(0),
        }
    }
}

impl RuleIter<'_> {
    /// Continues from the first occurrence at or after `from`.
    ///
    /// Without COUNT this jumps straight to the period holding `from`, so
    /// expanding a series started years ago for this week costs no more than
    /// expanding it from this week. With COUNT the occurrences before `from`
    /// must still be counted, so they are expanded but not handed out. Going
    /// backwards is not possible; an earlier `from` changes nothing.
    pub fn skip_to(&mut self, from: DateTime) {
        if self.done {
            return;
        }
        let t = civil_seconds(from);
        if self.rule.count.is_some() {
            self.show_from = self.show_from.max(t);
            return;
        }
        if t <= self.lower {
            return;
        }
        self.lower = t;
        self.show_from = self.show_from.max(t);
        self.last_at = t;
        let target = self.align(self.plan.period_of(t));
        if target > self.k {
            self.k = target;
            self.loaded = false;
            self.last_full = target - self.plan.interval;
            self.empty_run = 0;
        } else if self.loaded {
            self.pos = self.pos.max(self.first_at_or_after(t));
        }
    }

    /// The first period at or after period `p` that the interval reaches.
    fn align(&self, p: i64) -> i64 {
        if p <= self.anchor {
            return self.anchor;
        }
        let i = self.plan.interval;
        self.anchor + ceil_div(p - self.anchor, i) * i
    }

    fn skip_to_period(&self, p: i64) -> Load {
        Load::Skip(self.align(p).max(self.k + self.plan.interval))
    }

    /// The candidate at position `pos` of the loaded period: its day and the
    /// seconds after midnight. Positions run through days, then hours,
    /// minutes and seconds, so they are in time order.
    fn parts(&self, pos: u64) -> (Day, i64) {
        let raw = if self.use_selected {
            self.selected[pos as usize]
        } else {
            pos
        };
        let (h, m, s) = if self.per_day == 1 {
            (self.hours[0], self.minutes[0], self.seconds[0])
        } else {
            let r = raw % self.per_day;
            let ns = self.seconds.len() as u64;
            (
                self.hours[(r / self.per_hour) as usize],
                self.minutes[(r % self.per_hour / ns) as usize],
                self.seconds[(r % ns) as usize],
            )
        };
        let day = self.days[(raw / self.per_day) as usize];
        (day, i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s))
    }

    /// The candidate at position `pos` as civil seconds.
    fn candidate(&self, pos: u64) -> i64 {
        let (day, sod) = self.parts(pos);
        day.n * DAY + sod
    }

    /// The first position of the loaded period whose candidate is at or after `t`.
    fn first_at_or_after(&self, t: i64) -> u64 {
        let (mut lo, mut hi) = (0u64, self.total);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.candidate(mid) < t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Fills the candidate positions of the days in `self.days`.
    fn finish_load(&mut self) -> Load {
        self.per_hour = self.minutes.len() as u64 * self.seconds.len() as u64;
        self.per_day = (self.hours.len() as u64 * self.per_hour).max(1);
        let n = self.days.len() as u64 * self.hours.len() as u64 * self.per_hour;
        if self.use_selected {
            self.selected.clear();
            let n = n as i64;
            for &p in &self.plan.set_pos {
                let i = if p > 0 { p - 1 } else { n + p };
                if (0..n).contains(&i) {
                    self.selected.push(i as u64);
                }
            }
            self.selected.sort_unstable();
            self.selected.dedup();
            self.total = self.selected.len() as u64;
        } else {
            self.total = n;
        }
        self.pos = 0;
        if self.total > 0 && self.candidate(0) < self.lower {
            self.pos = self.first_at_or_after(self.lower);
        }
        self.had_occurrence = false;
        self.loaded = true;
        Load::Ready
    }

    fn load(&mut self) -> Result<Load, ExpandError> {
        let plan = &self.plan;
        let k = self.k;
        self.days.clear();
        match plan.freq {
            Frequency::Yearly => {
                let Ok(y) = i32::try_from(k) else {
                    return Ok(Load::End);
                };
                if y > 9999 {
                    return Ok(Load::End);
                }
                if plan.week_years {
                    let start = week_one_start(y, plan.wkst);
                    let end = week_one_start(y + 1, plan.wkst);
                    let mut day = Day::from_n(start);
                    while day.n < end {
                        if plan.day_ok(day, Some((start, (end - start) / 7))) {
                            self.days.push(day);
                        }
                        day = day.next();
                    }
                } else {
                    for m in 1..=12u8 {
                        if plan.months != 0 && plan.months & (1 << m) == 0 {
                            continue;
                        }
                        let mut day = Day::ymd(y, m, 1);
                        while day.m == m {
                            if plan.day_ok(day, None) {
                                self.days.push(day);
                            }
                            day = day.next();
                        }
                    }
                }
            }
            Frequency::Monthly => {
                let (y, m) = (k.div_euclid(12), (k.rem_euclid(12) + 1) as u8);
                if y > 9999 {
                    return Ok(Load::End);
                }
                let y = y as i32;
                if plan.months != 0 && plan.months & (1 << m) == 0 {
                    let next = match (m + 1..=12).find(|x| plan.months & (1 << x) != 0) {
                        Some(x) => i64::from(y) * 12 + i64::from(x) - 1,
                        None => (i64::from(y) + 1) * 12 + i64::from(plan.months.trailing_zeros()) - 1,
                    };
                    return Ok(self.skip_to_period(next));
                }
                let mut day = Day::ymd(y, m, 1);
                while day.m == m {
                    if plan.day_ok(day, None) {
                        self.days.push(day);
                    }
                    day = day.next();
                }
            }
            Frequency::Weekly => {
                let start = plan.week_anchor() + 7 * k;
                if start > LAST_DAY {
                    return Ok(Load::End);
                }
                let mut day = Day::from_n(start);
                for _ in 0..7 {
                    if plan.day_ok(day, None) {
                        self.days.push(day);
                    }
                    day = day.next();
                }
                if self.days.is_empty() {
                    return match plan.next_day(start + 7) {
                        Next::At(n) => Ok(self.skip_to_period(plan.week_of(n))),
                        Next::Never => Err(self.never()),
                        Next::OutOfRange => Ok(Load::End),
                    };
                }
            }
            Frequency::Daily => {
                if k > LAST_DAY {
                    return Ok(Load::End);
                }
                let day = Day::from_n(k);
                if !plan.day_ok(day, None) {
                    return match plan.next_day(k + 1) {
                        Next::At(n) => Ok(self.skip_to_period(n)),
                        Next::Never => Err(self.never()),
                        Next::OutOfRange => Ok(Load::End),
                    };
                }
                self.days.push(day);
            }
            Frequency::Hourly | Frequency::Minutely | Frequency::Secondly => {
                let unit = plan.unit();
                let t = k * unit;
                let n = t.div_euclid(DAY);
                if n > LAST_DAY {
                    return Ok(Load::End);
                }
                let sod = t.rem_euclid(DAY);
                let (h, m, s) = ((sod / 3600) as u8, (sod / 60 % 60) as u8, (sod % 60) as u8);
                // Skip to the next day, hour, minute or second the limits allow.
                let jump = |to: i64| to.div_euclid(unit);
                let today = Day::from_n(n);
                if !plan.day_ok(today, None) {
                    return match plan.next_day(n + 1) {
                        Next::At(d) => Ok(self.skip_to_period(jump(d * DAY))),
                        Next::Never => Err(self.never()),
                        Next::OutOfRange => Ok(Load::End),
                    };
                }
                let next_in =
                    |limit: u64, from: u8, below: u8| (from + 1..below).find(|&x| limit & (1 << x) != 0);
                let day_start = n * DAY;
                if plan.hour_limit != 0 && plan.hour_limit & (1 << h) == 0 {
                    let to = match next_in(plan.hour_limit, h, 24) {
                        Some(x) => day_start + i64::from(x) * 3600,
                        None => day_start + DAY,
                    };
                    return Ok(self.skip_to_period(jump(to)));
                }
                let hour_start = day_start + i64::from(h) * 3600;
                if plan.minute_limit != 0 && plan.minute_limit & (1 << m) == 0 {
                    let to = match next_in(plan.minute_limit, m, 60) {
                        Some(x) => hour_start + i64::from(x) * 60,
                        None => hour_start + 3600,
                    };
                    return Ok(self.skip_to_period(jump(to)));
                }
                if plan.second_limit != 0 && plan.second_limit & (1 << s) == 0 {
                    let minute_start = hour_start + i64::from(m) * 60;
                    let to = match next_in(plan.second_limit, s, 60) {
                        Some(x) => minute_start + i64::from(x),
                        None => minute_start + 60,
                    };
                    return Ok(self.skip_to_period(jump(to)));
                }
                self.days.push(today);
                self.hours.clear();
                self.hours.push(h);
                if plan.freq != Frequency::Hourly {
                    self.minutes.clear();
                    self.minutes.push(m);
                }
                if plan.freq == Frequency::Secondly {
                    self.seconds.clear();
                    self.seconds.push(s);
                }
            }
        }
        Ok(self.finish_load())
    }

    fn never(&self) -> ExpandError {
        ExpandError::NeverMatches {
            rule: self.rule.to_string(),
        }
    }

    /// Notes that the current period had no occurrence; stops a rule that
    /// provably never matches again or has gone on too long without one.
    fn note_empty(&mut self) -> Result<(), ExpandError> {
        self.empty_run += 1;
        // The pattern repeats every `cycle` periods: a full cycle after the last
        // period with an occurrence that is empty means the rule is empty for ever.
        if (self.k - self.last_full) / self.plan.interval > self.plan.cycle {
            return Err(self.never());
        }
        if self.empty_run >= self.limits.max_empty_periods {
            return Err(ExpandError::TooSparse {
                rule: self.rule.to_string(),
                periods: self.empty_run,
                after: to_datetime(self.last_at)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            });
        }
        Ok(())
    }

    fn check_until(&self, dt: DateTime) -> UntilCheck {
        match self.rule.until {
            None => UntilCheck::Within,
            Some(Until::Date(d)) => {
                if dt.date() > d {
                    UntilCheck::Beyond
                } else {
                    UntilCheck::Within
                }
            }
            Some(Until::Local(l)) => {
                if dt > l {
                    UntilCheck::Beyond
                } else {
                    UntilCheck::Within
                }
            }
            Some(Until::Utc(t)) => {
                if self.until_safe.is_some_and(|safe| dt <= safe) {
                    return UntilCheck::Within;
                }
                let ambiguous = self.zone.to_ambiguous_timestamp(dt);
                if crate::calendar::time::resolve(dt, self.zone) <= t {
                    UntilCheck::Within
                } else if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
                    UntilCheck::SkipGap
                } else {
                    UntilCheck::Beyond
                }
            }
        }
    }

    fn step(&mut self) -> Result<Option<DateTime>, ExpandError> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        loop {
            if self.rule.count.is_some_and(|c| self.emitted >= u64::from(c)) {
                return Ok(None);
            }
            if !self.loaded {
                match self.load()? {
                    Load::End => return Ok(None),
                    Load::Skip(next) => {
                        self.note_empty()?;
                        self.k = next;
                        continue;
                    }
                    Load::Ready => {}
                }
            }
            while self.pos < self.total {
                let (day, sod) = self.parts(self.pos);
                let t = day.n * DAY + sod;
                self.pos += 1;
                let Some(dt) = wall_clock(day, sod) else {
                    return Ok(None);
                };
                match self.check_until(dt) {
                    UntilCheck::Beyond => return Ok(None),
                    UntilCheck::SkipGap => continue,
                    UntilCheck::Within => {}
                }
                self.had_occurrence = true;
                self.emitted += 1;
                self.last_at = t;
                if t < self.show_from {
                    if self.rule.count.is_some_and(|c| self.emitted >= u64::from(c)) {
                        return Ok(None);
                    }
                    continue;
                }
                self.handed_out += 1;
                if self.handed_out > self.limits.max_occurrences {
                    return Err(ExpandError::TooManyOccurrences {
                        rule: self.rule.to_string(),
                        limit: self.limits.max_occurrences,
                    });
                }
                return Ok(Some(dt));
            }
            if self.had_occurrence {
                self.last_full = self.k;
                self.empty_run = 0;
            } else {
                self.note_empty()?;
            }
            self.k += self.plan.interval;
            self.loaded = false;
        }
    }
}

impl Iterator for RuleIter<'_> {
    type Item = Result<DateTime, ExpandError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(dt)) => Some(Ok(dt)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        s.parse::<Rule>().err().map(|e| e.summary()).unwrap_or_default()
    }

    #[test]
    fn parses_and_prints_canonically() {
        let r: Rule = "rrule:freq=monthly;byday=1su,-1SU;interval=2;count=10"
            .parse()
            .unwrap_or_else(|_| Rule::new(Frequency::Daily));
        assert_eq!(r.freq, Frequency::Monthly);
        assert_eq!(r.to_string(), "FREQ=MONTHLY;COUNT=10;INTERVAL=2;BYDAY=1SU,-1SU");
        let again: Result<Rule, _> = r.to_string().parse();
        assert_eq!(again.ok(), Some(r));
        let u: Result<Rule, _> = "FREQ=DAILY;UNTIL=19971224T000000Z;WKST=SU".parse();
        assert_eq!(
            u.map(|r| r.to_string()).ok().as_deref(),
            Some("FREQ=DAILY;UNTIL=19971224T000000Z;WKST=SU")
        );
    }

    #[test]
    fn broken_rules_say_what_is_wrong() {
        assert_eq!(
            err(""),
            "rrule: the rule is empty; it needs at least FREQ, e.g. FREQ=WEEKLY"
        );
        assert_eq!(err("BYDAY=MO"), "rrule: FREQ is required, e.g. FREQ=WEEKLY");
        assert_eq!(
            err("FREQ=FORTNIGHTLY"),
            "rrule: FREQ: unknown frequency `FORTNIGHTLY`"
        );
        assert_eq!(
            err("FREQ=YEARLY;BYMONTH=0"),
            "rrule: BYMONTH: 0 is out of range (1…12)"
        );
        assert_eq!(
            err("FREQ=YEARLY;BYMONTH=13"),
            "rrule: BYMONTH: 13 is out of range (1…12)"
        );
        assert_eq!(
            err("FREQ=MONTHLY;BYMONTHDAY=0"),
            "rrule: BYMONTHDAY: 0 is out of range (±1…±31)"
        );
        assert_eq!(
            err("FREQ=DAILY;COUNT=3;UNTIL=20260101"),
            "rrule: COUNT and UNTIL must not both be given"
        );
        assert_eq!(err("FREQ=DAILY;INTERVAL=0"), "rrule: INTERVAL must be at least 1");
        assert_eq!(
            err("FREQ=WEEKLY;BYDAY=1MO"),
            "rrule: BYDAY with an ordinal (like 1MO) needs FREQ=MONTHLY or YEARLY, not WEEKLY"
        );
        assert_eq!(
            err("FREQ=MONTHLY;BYWEEKNO=1"),
            "rrule: BYWEEKNO is only valid with FREQ=YEARLY"
        );
        assert_eq!(
            err("FREQ=DAILY;BYDAY=XX"),
            "rrule: BYDAY: `XX` is not a weekday (MO, 1MO, -1FR)"
        );
        assert_eq!(err("FREQ=DAILY;FREQ=WEEKLY"), "rrule: FREQ is given twice");
        assert_eq!(
            err("FREQ=DAILY;COUNT=1000000"),
            "rrule: COUNT: 1000000 is out of range (1…100000)"
        );
        assert_eq!(
            err("FREQ=DAILY;UNTIL=2026"),
            "rrule: UNTIL: `2026` is not a date (20261231) or date-time (20261231T235959Z)"
        );
        assert_eq!(
            err("FREQ=DAILY;BYSETPOS=1"),
            "rrule: BYSETPOS needs another BYxxx rule part to pick from"
        );
        assert_eq!(err("FREQ=DAILY;FOO=1"), "rrule: unknown rule part `FOO`");
        assert!(err("FREQ=DAILY;X-NAME=1").is_empty(), "extensions are ignored");
    }

    /// Expands `rule` from `dtstart` (America/New_York, as RFC 5545 writes its
    /// examples) and compares with `expected`: all of it for a rule that ends,
    /// the first `expected.len()` occurrences for one that does not.
    #[allow(clippy::panic)]
    fn check(rule: &str, dtstart: &str, expected: &[String]) {
        let r: Rule = rule
            .parse()
            .unwrap_or_else(|e: ValidationError| panic!("{rule}: {e}"));
        let zone = TimeZone::get("America/New_York").unwrap_or(TimeZone::UTC);
        check_in(&r, dtstart, &zone, expected);
    }

    fn check_in(r: &Rule, dtstart: &str, zone: &TimeZone, expected: &[String]) {
        let date_only = dtstart.len() == 8;
        let start = parse_stamp(dtstart);
        let take = if r.is_finite() {
            expected.len() + 1
        } else {
            expected.len()
        };
        let got: Vec<String> = r
            .expand(start, date_only, zone, Limits::default())
            .take(take)
            .map(|x| match x {
                Ok(dt) if date_only => dt.strftime("%Y%m%d").to_string(),
                Ok(dt) => dt.strftime("%Y%m%dT%H%M%S").to_string(),
                Err(e) => format!("error: {e}"),
            })
            .collect();
        assert_eq!(got, expected, "{r} from {dtstart}");
    }

    #[allow(clippy::panic)]
    fn parse_stamp(s: &str) -> DateTime {
        let y: i16 = s[0..4].parse().unwrap_or(0);
        let m: i8 = s[4..6].parse().unwrap_or(0);
        let d: i8 = s[6..8].parse().unwrap_or(0);
        let date = Date::new(y, m, d).unwrap_or_else(|_| panic!("bad date {s}"));
        if s.len() == 8 {
            return date.to_datetime(jiff::civil::Time::midnight());
        }
        let h: i8 = s[9..11].parse().unwrap_or(0);
        let mi: i8 = s[11..13].parse().unwrap_or(0);
        let se: i8 = s[13..15].parse().unwrap_or(0);
        date.at(h, mi, se, 0)
    }

    /// Occurrences written the way RFC 5545 lists them: `"1997-9: 2-30; 1997-10: 1,3"`
    /// (`a-b` is a range of days, `a-b/2` every second day of it), all at `time` (`HHMMSS`).
    #[allow(clippy::panic)]
    fn days(spec: &str, time: &str) -> Vec<String> {
        let mut out = Vec::new();
        for group in spec.split(';').map(str::trim).filter(|g| !g.is_empty()) {
            let (ym, list) = group
                .split_once(':')
                .unwrap_or_else(|| panic!("bad group {group}"));
            let (y, m) = ym
                .trim()
                .split_once('-')
                .unwrap_or_else(|| panic!("bad month {ym}"));
            let (y, m): (u32, u32) = (y.parse().unwrap_or(0), m.parse().unwrap_or(0));
            for item in list.split(',').map(str::trim) {
                let (range, step) = match item.split_once('/') {
                    Some((r, s)) => (r, s.parse::<u32>().unwrap_or(1)),
                    None => (item, 1),
                };
                let (a, b) = match range.split_once('-') {
                    Some((a, b)) => (a.parse::<u32>().unwrap_or(0), b.parse::<u32>().unwrap_or(0)),
                    None => {
                        let a = range.parse::<u32>().unwrap_or(0);
                        (a, a)
                    }
                };
                for d in (a..=b).step_by(step as usize) {
                    if time.is_empty() {
                        out.push(format!("{y:04}{m:02}{d:02}"));
                    } else {
                        out.push(format!("{y:04}{m:02}{d:02}T{time}"));
                    }
                }
            }
        }
        out
    }

    /// Times on one day: `times("19970902", "0900 0920")`.
    fn times(day: &str, list: &str) -> Vec<String> {
        list.split_whitespace().map(|t| format!("{day}T{t}00")).collect()
    }

    const NINE: &str = "090000";

    #[test]
    fn rfc_5545_examples() {
        // Every example of RFC 5545 §3.8.5.3, in the RFC's order, with the RFC's lists.
        let cases: Vec<(&str, &str, Vec<String>)> = vec![
            // Daily for 10 occurrences.
            (
                "FREQ=DAILY;COUNT=10",
                "19970902T090000",
                days("1997-9: 2-11", NINE),
            ),
            // Daily until December 24, 1997.
            (
                "FREQ=DAILY;UNTIL=19971224T000000Z",
                "19970902T090000",
                days("1997-9: 2-30; 1997-10: 1-31; 1997-11: 1-30; 1997-12: 1-23", NINE),
            ),
            // Every other day, forever.
            (
                "FREQ=DAILY;INTERVAL=2",
                "19970902T090000",
                days(
                    "1997-9: 2-30/2; 1997-10: 2-30/2; 1997-11: 1-29/2; 1997-12: 1-3/2",
                    NINE,
                ),
            ),
            // Every 10 days, 5 occurrences.
            (
                "FREQ=DAILY;INTERVAL=10;COUNT=5",
                "19970902T090000",
                days("1997-9: 2,12,22; 1997-10: 2,12", NINE),
            ),
            // Daily in January for three years, written two ways (RFC 5545 §3.8.5.3).
            (
                "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
                "19980101T090000",
                days("1998-1: 1-31; 1999-1: 1-31; 2000-1: 1-31", NINE),
            ),
            (
                "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
                "19980101T090000",
                days("1998-1: 1-31; 1999-1: 1-31; 2000-1: 1-31", NINE),
            ),
            // Weekly for 10 occurrences.
            (
                "FREQ=WEEKLY;COUNT=10",
                "19970902T090000",
                days("1997-9: 2,9,16,23,30; 1997-10: 7,14,21,28; 1997-11: 4", NINE),
            ),
            // Weekly until December 24, 1997.
            (
                "FREQ=WEEKLY;UNTIL=19971224T000000Z",
                "19970902T090000",
                days(
                    "1997-9: 2,9,16,23,30; 1997-10: 7,14,21,28; 1997-11: 4,11,18,25; 1997-12: 2,9,16,23",
                    NINE,
                ),
            ),
            // Every other week, forever.
            (
                "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
                "19970902T090000",
                days(
                    "1997-9: 2,16,30; 1997-10: 14,28; 1997-11: 11,25; 1997-12: 9,23; 1998-1: 6,20; 1998-2: 3,17",
                    NINE,
                ),
            ),
            // Weekly on Tuesday and Thursday for five weeks (two ways).
            (
                "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
                "19970902T090000",
                days("1997-9: 2,4,9,11,16,18,23,25,30; 1997-10: 2", NINE),
            ),
            (
                "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
                "19970902T090000",
                days("1997-9: 2,4,9,11,16,18,23,25,30; 1997-10: 2", NINE),
            ),
            // Every other week on Monday, Wednesday and Friday until December 24, 1997.
            (
                "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
                "19970901T090000",
                days(
                    "1997-9: 1,3,5,15,17,19,29; 1997-10: 1,3,13,15,17,27,29,31; \
                     1997-11: 10,12,14,24,26,28; 1997-12: 8,10,12,22",
                    NINE,
                ),
            ),
            // Every other week on Tuesday and Thursday, for 8 occurrences.
            (
                "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
                "19970902T090000",
                days("1997-9: 2,4,16,18,30; 1997-10: 2,14,16", NINE),
            ),
            // Monthly on the first Friday for 10 occurrences.
            (
                "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
                "19970905T090000",
                days(
                    "1997-9: 5; 1997-10: 3; 1997-11: 7; 1997-12: 5; 1998-1: 2; 1998-2: 6; 1998-3: 6; \
                     1998-4: 3; 1998-5: 1; 1998-6: 5",
                    NINE,
                ),
            ),
            // Monthly on the first Friday until December 24, 1997.
            (
                "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
                "19970905T090000",
                days("1997-9: 5; 1997-10: 3; 1997-11: 7; 1997-12: 5", NINE),
            ),
            // Every other month on the first and last Sunday of the month for 10 occurrences.
            (
                "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
                "19970907T090000",
                days(
                    "1997-9: 7,28; 1997-11: 2,30; 1998-1: 4,25; 1998-3: 1,29; 1998-5: 3,31",
                    NINE,
                ),
            ),
            // Monthly on the second-to-last Monday of the month for 6 months.
            (
                "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
                "19970922T090000",
                days(
                    "1997-9: 22; 1997-10: 20; 1997-11: 17; 1997-12: 22; 1998-1: 19; 1998-2: 16",
                    NINE,
                ),
            ),
            // Monthly on the third-to-the-last day of the month, forever.
            (
                "FREQ=MONTHLY;BYMONTHDAY=-3",
                "19970928T090000",
                days(
                    "1997-9: 28; 1997-10: 29; 1997-11: 28; 1997-12: 29; 1998-1: 29; 1998-2: 26",
                    NINE,
                ),
            ),
            // Monthly on the 2nd and 15th of the month for 10 occurrences.
            (
                "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
                "19970902T090000",
                days(
                    "1997-9: 2,15; 1997-10: 2,15; 1997-11: 2,15; 1997-12: 2,15; 1998-1: 2,15",
                    NINE,
                ),
            ),
            // Monthly on the first and last day of the month for 10 occurrences.
            (
                "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
                "19970930T090000",
                days(
                    "1997-9: 30; 1997-10: 1,31; 1997-11: 1,30; 1997-12: 1,31; 1998-1: 1,31; 1998-2: 1",
                    NINE,
                ),
            ),
            // Every 18 months on the 10th thru 15th of the month for 10 occurrences.
            (
                "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
                "19970910T090000",
                days("1997-9: 10-15; 1999-3: 10-13", NINE),
            ),
            // Every Tuesday, every other month.
            (
                "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
                "19970902T090000",
                days(
                    "1997-9: 2,9,16,23,30; 1997-11: 4,11,18,25; 1998-1: 6,13,20,27; 1998-3: 3,10,17,24,31",
                    NINE,
                ),
            ),
            // Yearly in June and July for 10 occurrences.
            (
                "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
                "19970610T090000",
                days(
                    "1997-6: 10; 1997-7: 10; 1998-6: 10; 1998-7: 10; 1999-6: 10; 1999-7: 10; \
                     2000-6: 10; 2000-7: 10; 2001-6: 10; 2001-7: 10",
                    NINE,
                ),
            ),
            // Every other year on January, February and March for 10 occurrences.
            (
                "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
                "19970310T090000",
                days(
                    "1997-3: 10; 1999-1: 10; 1999-2: 10; 1999-3: 10; 2001-1: 10; 2001-2: 10; 2001-3: 10; \
                     2003-1: 10; 2003-2: 10; 2003-3: 10",
                    NINE,
                ),
            ),
            // Every third year on the 1st, 100th and 200th day for 10 occurrences.
            (
                "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
                "19970101T090000",
                days(
                    "1997-1: 1; 1997-4: 10; 1997-7: 19; 2000-1: 1; 2000-4: 9; 2000-7: 18; 2003-1: 1; \
                     2003-4: 10; 2003-7: 19; 2006-1: 1",
                    NINE,
                ),
            ),
            // Every 20th Monday of the year, forever.
            (
                "FREQ=YEARLY;BYDAY=20MO",
                "19970519T090000",
                days("1997-5: 19; 1998-5: 18; 1999-5: 17", NINE),
            ),
            // Monday of week number 20 (weeks start on Monday), forever.
            (
                "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
                "19970512T090000",
                days("1997-5: 12; 1998-5: 11; 1999-5: 17", NINE),
            ),
            // Every Thursday in March, forever.
            (
                "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
                "19970313T090000",
                days("1997-3: 13,20,27; 1998-3: 5,12,19,26; 1999-3: 4,11,18,25", NINE),
            ),
            // Every Thursday, but only during June, July and August, forever.
            (
                "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
                "19970605T090000",
                days(
                    "1997-6: 5,12,19,26; 1997-7: 3,10,17,24,31; 1997-8: 7,14,21,28; \
                     1998-6: 4,11,18,25; 1998-7: 2,9,16,23,30; 1998-8: 6,13,20,27; \
                     1999-6: 3,10,17,24; 1999-7: 1,8,15,22,29; 1999-8: 5,12,19,26",
                    NINE,
                ),
            ),
            // Every Friday the 13th, forever. (The RFC excludes DTSTART with an EXDATE; the
            // rule alone does not yield a DTSTART that does not match it.)
            (
                "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
                "19970902T090000",
                days(
                    "1998-2: 13; 1998-3: 13; 1998-11: 13; 1999-8: 13; 2000-10: 13",
                    NINE,
                ),
            ),
            // The first Saturday that follows the first Sunday of the month, forever.
            (
                "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
                "19970913T090000",
                days(
                    "1997-9: 13; 1997-10: 11; 1997-11: 8; 1997-12: 13; 1998-1: 10; 1998-2: 7; 1998-3: 7; \
                     1998-4: 11; 1998-5: 9; 1998-6: 13",
                    NINE,
                ),
            ),
            // Every 4 years, the first Tuesday after a Monday in November (US Presidential Election day).
            (
                "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
                "19961105T090000",
                days("1996-11: 5; 2000-11: 7; 2004-11: 2", NINE),
            ),
            // The third instance into the month of one of Tuesday, Wednesday or Thursday, for 3 months.
            (
                "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
                "19970904T090000",
                days("1997-9: 4; 1997-10: 7; 1997-11: 6", NINE),
            ),
            // The second-to-last weekday of the month.
            (
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
                "19970929T090000",
                days(
                    "1997-9: 29; 1997-10: 30; 1997-11: 27; 1997-12: 30; 1998-1: 29; 1998-2: 26; 1998-3: 30",
                    NINE,
                ),
            ),
            // Every 15 minutes for 6 occurrences.
            (
                "FREQ=MINUTELY;INTERVAL=15;COUNT=6",
                "19970902T090000",
                times("19970902", "0900 0915 0930 0945 1000 1015"),
            ),
            // Every hour and a half for 4 occurrences.
            (
                "FREQ=MINUTELY;INTERVAL=90;COUNT=4",
                "19970902T090000",
                times("19970902", "0900 1030 1200 1330"),
            ),
            // The days generated differ with WKST: weeks starting on Monday…
            (
                "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
                "19970805T090000",
                days("1997-8: 5,10,19,24", NINE),
            ),
            // …and on Sunday.
            (
                "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
                "19970805T090000",
                days("1997-8: 5,17,19,31", NINE),
            ),
            // An invalid date (30 February) is ignored.
            (
                "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
                "20070115T090000",
                days("2007-1: 15,30; 2007-2: 15; 2007-3: 15,30", NINE),
            ),
        ];
        // Every 20 minutes from 9:00 to 16:40 every day (two ways); two days of it.
        let twenty: Vec<String> = ["19970902", "19970903"]
            .iter()
            .flat_map(|d| (9..=16).flat_map(move |h| [0, 20, 40].map(|m| format!("{d}T{h:02}{m:02}00"))))
            .collect();
        let mut cases = cases;
        cases.push((
            "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
            "19970902T090000",
            twenty.clone(),
        ));
        cases.push((
            "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
            "19970902T090000",
            twenty,
        ));
        for (rule, start, expected) in &cases {
            check(rule, start, expected);
        }
    }

    #[test]
    fn rfc_5545_every_three_hours_reads_until_in_the_zone() {
        // "Every 3 hours from 9:00 AM to 5:00 PM on a specific day" gives UNTIL=19970902T170000Z
        // and lists 09:00, 12:00 and 15:00 New York time. 17:00Z is 13:00 EDT, so in New York the
        // rule as written stops after 12:00; the RFC's list holds when the times are UTC.
        let rule: Rule = "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z"
            .parse()
            .unwrap_or_else(|_| Rule::new(Frequency::Hourly));
        check_in(
            &rule,
            "19970902T090000",
            &TimeZone::UTC,
            &times("19970902", "0900 1200 1500"),
        );
        check(
            "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z",
            "19970902T090000",
            &times("19970902", "0900 1200"),
        );
        check(
            "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T210000Z",
            "19970902T090000",
            &times("19970902", "0900 1200 1500"),
        );
    }

    #[test]
    fn leap_days_and_rules_that_never_yield() {
        // 29 February comes back every four years (and not in 2100).
        check(
            "FREQ=YEARLY;COUNT=4",
            "20240229T090000",
            &days("2024-2: 29; 2028-2: 29; 2032-2: 29; 2036-2: 29", NINE),
        );
        check(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "20960229",
            &days("2096-2: 29; 2104-2: 29; 2108-2: 29", ""),
        );
        // The last day of February, whatever its length.
        check(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1;COUNT=3",
            "20230228",
            &days("2023-2: 28; 2024-2: 29; 2025-2: 28", ""),
        );
        // Monthly on the 31st skips the shorter months rather than clamping.
        check(
            "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4",
            "20260131T090000",
            &days("2026-1: 31; 2026-3: 31; 2026-5: 31; 2026-7: 31", NINE),
        );
        // Rules that never yield stop with an error instead of running for ever.
        for (rule, start) in [
            ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "20260101T090000"),
            ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31;COUNT=3", "20260101T090000"),
            ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "20260101T090000"),
            ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "20260101T090000"),
            (
                "FREQ=WEEKLY;INTERVAL=2;BYMONTH=2;BYDAY=MO;BYSETPOS=9",
                "20260101T090000",
            ),
            ("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=31", "20260101T090000"),
            ("FREQ=MINUTELY;BYSECOND=60", "20260101T090000"),
        ] {
            let r: Rule = rule.parse().unwrap_or_else(|_| Rule::new(Frequency::Daily));
            let got: Vec<_> = r
                .expand(parse_stamp(start), false, &TimeZone::UTC, Limits::default())
                .collect();
            assert_eq!(got.len(), 1, "{rule}: {got:?}");
            assert!(
                matches!(
                    got[0],
                    Err(ExpandError::NeverMatches { .. } | ExpandError::TooSparse { .. })
                ),
                "{rule}: {got:?}"
            );
        }
    }

    #[test]
    fn caps_stop_with_an_error_not_an_end() {
        let r: Rule = "FREQ=SECONDLY"
            .parse()
            .unwrap_or_else(|_| Rule::new(Frequency::Secondly));
        let limits = Limits {
            max_occurrences: 1000,
            ..Limits::default()
        };
        let got: Vec<_> = r
            .expand(parse_stamp("20260101T000000"), false, &TimeZone::UTC, limits)
            .collect();
        assert_eq!(got.len(), 1001);
        assert!(matches!(
            got[1000],
            Err(ExpandError::TooManyOccurrences { limit: 1000, .. })
        ));
        // A sparse rule that does match is not given up too early…
        check(
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=3",
            "20160101T090000",
            &days("2016-2: 29; 2044-2: 29; 2072-2: 29", NINE),
        );
        // …but a tight cap gives up on it, and says so.
        let r: Rule = "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"
            .parse()
            .unwrap_or_else(|_| Rule::new(Frequency::Monthly));
        let tight = Limits {
            max_empty_periods: 3,
            ..Limits::default()
        };
        let got: Vec<_> = r
            .expand(parse_stamp("19980314T090000"), false, &TimeZone::UTC, tight)
            .collect();
        let message = got.last().and_then(|x| x.as_ref().err()).map(ToString::to_string);
        assert_eq!(
            message.as_deref(),
            Some(
                "the rule `FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13` produced no occurrence in 3 periods in a \
                 row after 1998-03-14T09:00:00; it is too sparse to expand or never matches; check its BY \
                 parts and INTERVAL"
            )
        );
        // An hourly rule cannot repeat an all-day event.
        let r: Rule = "FREQ=HOURLY"
            .parse()
            .unwrap_or_else(|_| Rule::new(Frequency::Hourly));
        let got: Vec<_> = r
            .expand(parse_stamp("20260101"), true, &TimeZone::UTC, Limits::default())
            .collect();
        assert!(matches!(got[..], [Err(ExpandError::SubDailyAllDay { .. })]));
    }

    #[test]
    fn skipping_ahead_gives_the_same_occurrences() {
        let zone = TimeZone::get("Europe/Amsterdam").unwrap_or(TimeZone::UTC);
        for rule in [
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=3;BYMONTH=1,7",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31",
            "FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=TU,SA",
            "FREQ=YEARLY;INTERVAL=3;BYYEARDAY=1,-1",
            "FREQ=HOURLY;INTERVAL=7;BYHOUR=9,17;BYDAY=MO",
            "FREQ=MINUTELY;INTERVAL=45;BYHOUR=9",
            "FREQ=SECONDLY;INTERVAL=7919;BYMINUTE=0,30",
            "FREQ=DAILY;UNTIL=20300101T000000Z",
            "FREQ=WEEKLY;COUNT=600",
        ] {
            let r: Rule = rule.parse().unwrap_or_else(|_| Rule::new(Frequency::Daily));
            let start = parse_stamp("20180105T093000");
            let from = parse_stamp("20260301T000000");
            let to = parse_stamp("20270301T000000");
            let all: Vec<DateTime> = r
                .expand(start, false, &zone, Limits::default())
                .map_while(Result::ok)
                .skip_while(|d| *d < from)
                .take_while(|d| *d < to)
                .collect();
            let mut it = r.expand(start, false, &zone, Limits::default());
            it.skip_to(from);
            let skipped: Vec<DateTime> = it.map_while(Result::ok).take_while(|d| *d < to).collect();
            assert_eq!(skipped, all, "{rule}");
        }
    }

    #[test]
    fn calendar_arithmetic_matches_jiff() {
        let mut day = Day::from_n(days_from_civil(1899, 12, 25));
        let mut date = jiff::civil::date(1899, 12, 25);
        for _ in 0..(CYCLE_DAYS + 800) {
            assert_eq!(
                (day.y, day.m, day.d),
                (i32::from(date.year()), date.month() as u8, date.day() as u8)
            );
            assert_eq!(Day::from_n(day.n), day);
            assert_eq!(day.weekday(), date.weekday().to_monday_zero_offset() as u8);
            assert_eq!(day.day_of_year(), date.day_of_year() as u16);
            assert_eq!(week_year(day, 0), i32::from(date.iso_week_date().year()));
            day = day.next();
            date = date.tomorrow().unwrap_or(date);
        }
        assert_eq!(days_from_civil(9999, 12, 31), LAST_DAY);
    }
}
