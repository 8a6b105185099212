//! Recurrence rules (RFC 5545 §3.3.10, RRULE): parsing, canonical text, and
//! expansion over wall-clock times.
//!
//! Rules are expanded in the series' local wall-clock time, never in UTC, so
//! "every Monday at 09:00" stays at 09:00 across daylight-saving changes; the
//! caller resolves each wall-clock time to an instant with the series' zone.

use crate::error::ValidationError;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
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
}
