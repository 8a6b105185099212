//! Turning a file's TZID into an IANA zone.
//!
//! In order: the TZID is an IANA name (`Europe/Berlin`); it carries a
//! registry prefix (`/mozilla.org/20070129_1/Europe/Berlin`,
//! `/softwarestudio.org/Olson_20011030_5/America/Chicago`); its VTIMEZONE names
//! the zone (`X-LIC-LOCATION`, Exchange's `X-MICROSOFT-CDO-TZID`); it is a
//! Windows name as Outlook writes it (`W. Europe Standard Time`,
//! `(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna`), looked up in
//! calcard's table of Windows zones (CLDR's mapping); and last, for Outlook's
//! and Exchange's made-up names (`Customized Time Zone`), its VTIMEZONE's rules.
//!
//! Matching a VTIMEZONE by its rules: the observances (STANDARD/DAYLIGHT with
//! TZOFFSETFROM/TO, DTSTART and a yearly RRULE or RDATEs) are evaluated for two
//! years starting with the year of the first time that uses the zone, giving the
//! offset in force at the start and every change of offset as a UTC instant. An
//! IANA zone matches when its own offsets and transitions in those two years
//! are exactly the same. Many zones share rules (all of central Europe does),
//! so the candidates are tried in order of preference: zones whose city appears
//! in the TZID text, the calendar's X-WR-TIMEZONE, the importing calendar's own
//! zone, a list of the zones Windows maps its names to, then every zone in the
//! database (regional zones before `Etc/` fixed offsets).

use super::doc::{Doc, Field};
use adjutant_core::calendar::Zone;
use adjutant_core::calendar::recurrence::{Frequency, Rule, Until};
use calcard::common::PartialDateTime;
use calcard::common::timezone::Tz;
use calcard::icalendar::{ICalendarProperty, ICalendarValue};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use std::collections::HashMap;
use std::str::FromStr;

/// One STANDARD or DAYLIGHT block of a VTIMEZONE.
#[derive(Debug, Clone)]
struct Observance {
    start: DateTime,
    from: i32,
    to: i32,
    rule: Option<Rule>,
    rdates: Vec<DateTime>,
}

/// A VTIMEZONE as far as resolving it needs.
#[derive(Debug, Clone)]
struct VTimezone {
    line: usize,
    lic_location: Option<String>,
    cdo_tzid: Option<String>,
    observances: Vec<Observance>,
}

/// Resolves the TZIDs of one file, remembering each answer.
pub(crate) struct Zones {
    defs: HashMap<String, VTimezone>,
    cache: HashMap<String, Result<Zone, String>>,
    /// Zones to prefer when rules match several: X-WR-TIMEZONE, then the calendar's own.
    hints: Vec<Zone>,
}

impl Zones {
    /// Collects the VTIMEZONEs of `doc`.
    pub fn new(doc: &Doc<'_>, hints: Vec<Zone>) -> Zones {
        let mut defs = HashMap::new();
        for node in doc.nodes().filter(|n| n.name() == "VTIMEZONE") {
            let mut tzid = None;
            let mut vtz = VTimezone {
                line: node.line(),
                lic_location: None,
                cdo_tzid: None,
                observances: Vec::new(),
            };
            for f in node.fields() {
                match f.name().to_ascii_uppercase().as_str() {
                    "TZID" => tzid = f.text().map(str::to_string),
                    "X-LIC-LOCATION" => vtz.lic_location = f.text().map(str::to_string),
                    "X-MICROSOFT-CDO-TZID" => vtz.cdo_tzid = f.text().map(str::to_string),
                    _ => {}
                }
            }
            let Some(cal) = &doc.cals[node.top] else { continue };
            for &child in &node.ical.component_ids {
                let (Some(ical), Some(comp)) = (
                    cal.components.get(child as usize),
                    doc.comp(node.top, child as usize),
                ) else {
                    continue;
                };
                if comp.name != "STANDARD" && comp.name != "DAYLIGHT" {
                    continue;
                }
                let child_node = super::doc::Node {
                    top: node.top,
                    index: child as usize,
                    comp,
                    ical,
                };
                if let Some(o) = observance(&child_node.fields()) {
                    vtz.observances.push(o);
                }
            }
            if let Some(id) = tzid {
                defs.entry(id).or_insert(vtz);
            }
        }
        Zones {
            defs,
            cache: HashMap::new(),
            hints,
        }
    }

    /// The zone `tzid` means; `year` is that of the time being read, for
    /// matching a VTIMEZONE by its rules.
    pub fn resolve(&mut self, tzid: &str, year: i16) -> Result<Zone, String> {
        if let Some(r) = self.cache.get(tzid) {
            return r.clone();
        }
        let r = self.find(tzid, year);
        self.cache.insert(tzid.to_string(), r.clone());
        r
    }

    fn find(&self, tzid: &str, year: i16) -> Result<Zone, String> {
        let id = tzid.trim().trim_matches('"');
        if let Some(z) = by_name(id) {
            return Ok(z);
        }
        let def = self.defs.get(tzid).or_else(|| self.defs.get(id));
        if let Some(def) = def {
            if let Some(z) = def.lic_location.as_deref().and_then(by_name) {
                return Ok(z);
            }
            if let Some(z) = def
                .cdo_tzid
                .as_deref()
                .and_then(|c| Tz::from_ms_cdo_zone_id(c.trim()))
                .and_then(from_calcard)
            {
                return Ok(z);
            }
        }
        if let Some(z) = Tz::from_str(id).ok().and_then(from_calcard) {
            return Ok(z);
        }
        match def {
            None => Err(format!(
                "time zone `{id}` is not known and the file has no VTIMEZONE for it"
            )),
            Some(def) => match_rules(def, id, year, &self.hints).ok_or_else(|| {
                format!(
                    "time zone `{id}` is not known and its VTIMEZONE (line {}) matches no IANA zone",
                    def.line
                )
            }),
        }
    }
}

/// A name that is IANA, directly or under a registry prefix.
fn by_name(id: &str) -> Option<Zone> {
    if id.is_empty() {
        return None;
    }
    if let Ok(z) = Zone::parse("tzid", id) {
        return Some(z);
    }
    if id.starts_with('/') {
        // `/vendor/version/Region/City`: try ever shorter tails.
        let mut rest = id.trim_start_matches('/');
        while let Some((_, tail)) = rest.split_once('/') {
            let tail = tail.strip_prefix("SystemV/").unwrap_or(tail);
            if tail.contains('/')
                && let Ok(z) = Zone::parse("tzid", tail)
            {
                return Some(z);
            }
            rest = tail;
        }
    }
    None
}

/// The IANA zone calcard's Windows table gave, under its current name (the
/// table holds some of the old ones, e.g. `Asia/Calcutta`).
fn from_calcard(tz: Tz) -> Option<Zone> {
    let Tz::Tz(tz) = tz else { return None };
    let name = tz.name();
    Zone::parse("tzid", canonical(name)).ok()
}

/// Current names of the renamed zones that Windows-name tables still use.
fn canonical(name: &str) -> &str {
    match name {
        "Asia/Calcutta" => "Asia/Kolkata",
        "Asia/Katmandu" => "Asia/Kathmandu",
        "Asia/Rangoon" => "Asia/Yangon",
        "Asia/Saigon" => "Asia/Ho_Chi_Minh",
        "Asia/Ulan_Bator" => "Asia/Ulaanbaatar",
        "America/Buenos_Aires" => "America/Argentina/Buenos_Aires",
        "America/Godthab" => "America/Nuuk",
        "America/Indianapolis" => "America/Indiana/Indianapolis",
        "Europe/Kiev" => "Europe/Kyiv",
        "Pacific/Truk" => "Pacific/Chuuk",
        "Pacific/Ponape" => "Pacific/Pohnpei",
        "Pacific/Enderbury" => "Pacific/Kanton",
        "Atlantic/Faeroe" => "Atlantic/Faroe",
        other => other,
    }
}

/// Reads a STANDARD or DAYLIGHT block; `None` when it lacks what is needed.
fn observance(fields: &[Field<'_>]) -> Option<Observance> {
    let mut start = None;
    let mut from = None;
    let mut to = None;
    let mut rule = None;
    let mut rdates = Vec::new();
    for f in fields {
        match &f.entry.name {
            ICalendarProperty::Dtstart => start = f.values().first().and_then(local_of),
            ICalendarProperty::Tzoffsetfrom => from = f.values().first().and_then(offset_of),
            ICalendarProperty::Tzoffsetto => to = f.values().first().and_then(offset_of),
            ICalendarProperty::Rrule => rule = Rule::from_str(f.raw).ok(),
            ICalendarProperty::Rdate => rdates.extend(f.values().iter().filter_map(local_of)),
            _ => {}
        }
    }
    let to = to?;
    Some(Observance {
        start: start?,
        from: from.unwrap_or(to),
        to,
        rule,
        rdates,
    })
}

fn local_of(v: &ICalendarValue) -> Option<DateTime> {
    let p = match v {
        ICalendarValue::PartialDateTime(p) => p,
        ICalendarValue::Period(calcard::icalendar::ICalendarPeriod::Range { start, .. })
        | ICalendarValue::Period(calcard::icalendar::ICalendarPeriod::Duration { start, .. }) => start,
        _ => return None,
    };
    civil(p)
}

/// The wall-clock value of a calcard date-time (midnight for a date).
pub(crate) fn civil(p: &PartialDateTime) -> Option<DateTime> {
    let date = Date::new(
        i16::try_from(p.year?).ok()?,
        i8::try_from(p.month?).ok()?,
        i8::try_from(p.day?).ok()?,
    )
    .ok()?;
    let time = jiff::civil::Time::new(
        i8::try_from(p.hour.unwrap_or(0)).ok()?,
        i8::try_from(p.minute.unwrap_or(0)).ok()?,
        // A leap second (60) is read as the last second of the minute.
        i8::try_from(p.second.unwrap_or(0).min(59)).ok()?,
        0,
    )
    .ok()?;
    Some(date.to_datetime(time))
}

/// A UTC offset in seconds.
pub(crate) fn offset_of(v: &ICalendarValue) -> Option<i32> {
    let ICalendarValue::PartialDateTime(p) = v else {
        return None;
    };
    let secs = i32::from(p.tz_hour?) * 3600 + i32::from(p.tz_minute.unwrap_or(0)) * 60;
    if secs > 18 * 3600 {
        return None;
    }
    Some(if p.tz_minus { -secs } else { secs })
}

/// The offset in force at the start of the span and each change of offset
/// (UTC instant in seconds, offset after), over two years from `year`.
#[derive(Debug, PartialEq, Eq)]
struct Profile {
    initial: i32,
    changes: Vec<(i64, i32)>,
}

fn seconds_of(dt: DateTime) -> Option<i64> {
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

fn year_start(year: i16) -> Option<i64> {
    seconds_of(
        Date::new(year, 1, 1)
            .ok()?
            .to_datetime(jiff::civil::Time::midnight()),
    )
}

/// Onsets of one observance in `year`, as wall-clock times.
fn onsets(o: &Observance, year: i16) -> Vec<DateTime> {
    let mut out: Vec<DateTime> = o.rdates.iter().copied().filter(|d| d.year() == year).collect();
    if year < o.start.year() {
        return out;
    }
    match &o.rule {
        None => {
            if o.start.year() == year {
                out.push(o.start);
            }
        }
        Some(rule) if rule.freq == Frequency::Yearly => {
            let months: Vec<i8> = if rule.by_month.is_empty() {
                vec![o.start.month()]
            } else {
                rule.by_month
                    .iter()
                    .filter_map(|&m| i8::try_from(m).ok())
                    .collect()
            };
            for month in months {
                let Ok(first) = Date::new(year, month, 1) else {
                    continue;
                };
                let days: Vec<Date> = (0..first.days_in_month())
                    .filter_map(|d| first.checked_add(jiff::Span::new().days(d)).ok())
                    .collect();
                let mut picked: Vec<Date> = Vec::new();
                if rule.by_day.is_empty() {
                    let wanted: Vec<i8> = if rule.by_month_day.is_empty() {
                        vec![o.start.day()]
                    } else {
                        rule.by_month_day.clone()
                    };
                    picked.extend(days.iter().copied().filter(|d| {
                        wanted.iter().any(|&w| {
                            w == d.day()
                                || (w < 0
                                    && i16::from(w) + i16::from(first.days_in_month()) + 1
                                        == i16::from(d.day()))
                        })
                    }));
                } else {
                    for wd in &rule.by_day {
                        let same: Vec<Date> = days
                            .iter()
                            .copied()
                            .filter(|d| d.weekday() == wd.weekday)
                            .collect();
                        let chosen: Vec<Date> = match wd.ordinal {
                            0 => same,
                            n if n > 0 => same.get(n as usize - 1).copied().into_iter().collect(),
                            n => same
                                .len()
                                .checked_sub(n.unsigned_abs() as usize)
                                .and_then(|i| same.get(i).copied())
                                .into_iter()
                                .collect(),
                        };
                        picked.extend(chosen.into_iter().filter(|d| {
                            rule.by_month_day.is_empty() || rule.by_month_day.contains(&d.day())
                        }));
                    }
                }
                for d in picked {
                    let at = d.to_datetime(o.start.time());
                    let ended = match rule.until {
                        Some(Until::Date(u)) => d > u,
                        Some(Until::Local(u)) => at > u,
                        Some(Until::Utc(u)) => seconds_of(at)
                            .map(|s| s - i64::from(o.from) > u.as_second())
                            .unwrap_or(true),
                        None => false,
                    };
                    if at >= o.start && !ended {
                        out.push(at);
                    }
                }
            }
        }
        // Other frequencies do not occur in real VTIMEZONEs; such an
        // observance only contributes its RDATEs and start.
        Some(_) => {
            if o.start.year() == year {
                out.push(o.start);
            }
        }
    }
    out
}

/// The VTIMEZONE's offsets over two years from `year`.
fn profile_of(def: &VTimezone, year: i16) -> Option<Profile> {
    let (from, to) = (year_start(year)?, year_start(year.checked_add(2)?)?);
    let mut all: Vec<(i64, i32, i32)> = Vec::new();
    for y in [year - 1, year, year + 1] {
        for o in &def.observances {
            for at in onsets(o, y) {
                all.push((seconds_of(at)? - i64::from(o.from), o.from, o.to));
            }
        }
    }
    all.sort();
    let initial = all
        .iter()
        .rev()
        .find(|(t, _, _)| *t <= from)
        .map(|(_, _, to)| *to)
        .or_else(|| {
            // No onset before the span: the observance that started last before it.
            def.observances
                .iter()
                .filter(|o| o.start.year() < year)
                .max_by_key(|o| o.start)
                .map(|o| o.to)
        })
        .or_else(|| all.first().map(|(_, from, _)| *from))?;
    let mut changes = Vec::new();
    let mut current = initial;
    for (t, _, to) in all.into_iter().filter(|(t, _, _)| *t > from && *t < to) {
        if to != current {
            changes.push((t, to));
            current = to;
        }
    }
    Some(Profile { initial, changes })
}

/// An IANA zone's offsets over the same span.
fn profile_of_zone(zone: &Zone, year: i16) -> Option<Profile> {
    let (from, to) = (year_start(year)?, year_start(year.checked_add(2)?)?);
    let tz = zone.tz();
    let start = Timestamp::from_second(from).ok()?;
    let initial = tz.to_offset(start).seconds();
    let mut changes = Vec::new();
    let mut current = initial;
    for t in tz.following(start) {
        let s = t.timestamp().as_second();
        if s >= to {
            break;
        }
        let o = t.offset().seconds();
        if o != current && s > from {
            changes.push((s, o));
            current = o;
        }
    }
    Some(Profile { initial, changes })
}

/// The zones Windows maps its zone names to, most used first: the preferred
/// answer when a VTIMEZONE's rules match many zones.
const PREFERRED: &[&str] = &[
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Budapest",
    "Europe/Prague",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Athens",
    "Europe/Bucharest",
    "Europe/Helsinki",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Halifax",
    "America/St_Johns",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Caracas",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Atlantic/Azores",
    "Atlantic/Reykjavik",
    "Africa/Casablanca",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Jerusalem",
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Tehran",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Perth",
    "Australia/Darwin",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
];

fn is_regional(name: &str) -> bool {
    [
        "Africa/",
        "America/",
        "Antarctica/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// The first zone, in order of preference, whose offsets match `def`'s.
fn match_rules(def: &VTimezone, tzid: &str, year: i16, hints: &[Zone]) -> Option<Zone> {
    let wanted = profile_of(def, year)?;
    let fits = |z: &Zone| profile_of_zone(z, year).as_ref() == Some(&wanted);
    let all: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();

    // Cities named in the TZID text, e.g. "(UTC+01:00) Amsterdam, Berlin".
    let words: Vec<String> = tzid
        .split([',', '(', ')', '/'])
        .map(|w| w.trim().replace(' ', "_").to_ascii_lowercase())
        .filter(|w| w.len() > 2)
        .collect();
    let by_city = all.iter().filter(|n| is_regional(n)).filter(|n| {
        let city = n.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
        words.contains(&city)
    });
    let named = by_city.filter_map(|n| Zone::parse("tzid", n).ok());
    let preferred = PREFERRED.iter().filter_map(|n| Zone::parse("tzid", n).ok());
    let mut rest: Vec<&String> = all.iter().collect();
    rest.sort_by_key(|n| (!is_regional(n), n.as_str()));
    let everything = rest.into_iter().filter_map(|n| Zone::parse("tzid", n).ok());

    named
        .chain(hints.iter().cloned())
        .chain(preferred)
        .chain(everything)
        .find(fits)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn vtz(obs: Vec<Observance>) -> VTimezone {
        VTimezone {
            line: 1,
            lic_location: None,
            cdo_tzid: None,
            observances: obs,
        }
    }

    fn ob(start: &str, from: i32, to: i32, rule: &str) -> Observance {
        Observance {
            start: start.parse().unwrap(),
            from: from * 60,
            to: to * 60,
            rule: Some(rule.parse().unwrap()),
            rdates: vec![],
        }
    }

    #[test]
    fn outlook_rules_match_the_right_zones() {
        let cet = vtz(vec![
            ob(
                "1601-01-01T03:00:00",
                120,
                60,
                "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            ),
            ob("1601-01-01T02:00:00", 60, 120, "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
        ]);
        let z = match_rules(&cet, "Customized Time Zone", 2026, &[]).unwrap();
        assert_eq!(z.name(), "Europe/Berlin");
        let ams = Zone::parse("z", "Europe/Amsterdam").unwrap();
        let z = match_rules(&cet, "Customized Time Zone", 2026, std::slice::from_ref(&ams)).unwrap();
        assert_eq!(z.name(), "Europe/Amsterdam");
        let z = match_rules(&cet, "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", 2026, &[]).unwrap();
        assert_eq!(z.name(), "Europe/Brussels");

        let eastern = vtz(vec![
            ob(
                "1601-01-01T02:00:00",
                -240,
                -300,
                "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
            ),
            ob(
                "1601-01-01T02:00:00",
                -300,
                -240,
                "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
            ),
        ]);
        let z = match_rules(&eastern, "Customized Time Zone 1", 2026, &[]).unwrap();
        assert_eq!(z.name(), "America/New_York");

        let india = vtz(vec![ob("1601-01-01T00:00:00", 330, 330, "FREQ=YEARLY;BYMONTH=1")]);
        let z = match_rules(&india, "Customized Time Zone 2", 2026, &[]).unwrap();
        assert_eq!(z.name(), "Asia/Kolkata");

        let nowhere = vtz(vec![
            ob("1601-01-01T03:00:00", 120, 60, "FREQ=YEARLY;BYDAY=2SU;BYMONTH=10"),
            ob("1601-01-01T02:00:00", 60, 120, "FREQ=YEARLY;BYDAY=1SU;BYMONTH=2"),
        ]);
        assert!(match_rules(&nowhere, "Customized Time Zone 3", 2026, &[]).is_none());
    }

    #[test]
    fn names_resolve() {
        assert_eq!(
            by_name("/mozilla.org/20070129_1/Europe/Berlin").map(|z| z.name().to_string()),
            Some("Europe/Berlin".into())
        );
        assert_eq!(
            by_name("/softwarestudio.org/Olson_20011030_5/America/Chicago").map(|z| z.name().to_string()),
            Some("America/Chicago".into())
        );
        let win = |s: &str| {
            Tz::from_str(s)
                .ok()
                .and_then(from_calcard)
                .map(|z| z.name().to_string())
        };
        assert_eq!(win("W. Europe Standard Time").as_deref(), Some("Europe/Berlin"));
        assert_eq!(win("India Standard Time").as_deref(), Some("Asia/Kolkata"));
        assert_eq!(win("Eastern Standard Time").as_deref(), Some("America/New_York"));
        assert_eq!(
            win("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna").as_deref(),
            Some("Europe/Berlin")
        );
    }
}
