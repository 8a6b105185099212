//! Import: from calcard's values to the core's event types, with the
//! leniency real exports need and the refusals that keep a calendar sound.
//!
//! Every VEVENT (and, for expansion, VTODO) becomes an item; items with a
//! RECURRENCE-ID are then paired with the series of the same UID and become its
//! overrides. Each event is checked by the core's own rules
//! ([`EventData::validate`] and the recurrence flood guard) before anything is
//! returned, so a file is imported whole or not at all.

use super::doc::{Doc, Field, Node};
use super::zones::{self, Zones};
use super::{IcsError, Import, ImportedEvent, MAX_EVENTS, Skipped};
use adjutant_core::ValidationError;
use adjutant_core::calendar::recurrence::Rule;
use adjutant_core::calendar::series::{self, Override};
use adjutant_core::calendar::{
    Attendee, AttendeeRole, Category, EventData, EventStatus, EventTime, Location, Organiser, Priority,
    Recurrence, RecurrenceId, Rsvp, Transparency, Zone,
};
use adjutant_core::ids::PersonId;
use adjutant_core::policy::Visibility;
use calcard::icalendar::{
    ICalendarClassification, ICalendarDuration, ICalendarParameterName, ICalendarParameterValue,
    ICalendarParticipationRole, ICalendarParticipationStatus, ICalendarPeriod, ICalendarProperty,
    ICalendarStatus, ICalendarTransparency, ICalendarValue,
};
use jiff::Span;
use jiff::civil::DateTime;
use std::collections::HashMap;
use std::str::FromStr;

/// Whether a component is an event or a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Event,
    Todo,
}

/// What to read besides events.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// Read VTODOs too (start DTSTART or DUE), for expansion.
    pub todos: bool,
}

/// Everything read from a file, events and tasks alike.
pub(crate) struct Read {
    pub name: Option<String>,
    pub default_zone: Option<Zone>,
    pub items: Vec<(Kind, ImportedEvent)>,
    pub skipped: Vec<Skipped>,
}

/// Imports `text` (see [`super::parse`]).
pub(crate) fn import(text: &str, fallback: &Zone) -> Result<Import, IcsError> {
    let r = read(text, fallback, Options { todos: false })?;
    Ok(Import {
        name: r.name,
        default_zone: r.default_zone,
        events: r.items.into_iter().map(|(_, e)| e).collect(),
        skipped: r.skipped,
    })
}

/// Reads every event (and task, when asked) of `text`, checked.
pub(crate) fn read(text: &str, fallback: &Zone, opts: Options) -> Result<Read, IcsError> {
    read_doc(&Doc::read(text)?, fallback, opts)
}

/// Reads every event (and task, when asked) of a file already scanned.
pub(crate) fn read_doc(doc: &Doc<'_>, fallback: &Zone, opts: Options) -> Result<Read, IcsError> {
    let mut skipped: Vec<Skipped> = doc
        .scan
        .stray_lines
        .iter()
        .map(|&line| Skipped {
            line,
            component: String::new(),
            reason: "text outside any component".into(),
        })
        .collect();
    let (name, default_zone) = calendar_props(doc, &mut skipped);
    let mut hints: Vec<Zone> = default_zone.iter().cloned().collect();
    hints.push(fallback.clone());
    let mut reader = Reader {
        fallback,
        zones: Zones::new(doc, hints),
        skipped,
    };
    let mut items: Vec<Item> = Vec::new();
    let mut events = 0usize;
    for (t, top) in doc.scan.tops.iter().enumerate() {
        if doc.cals[t].is_none() {
            reader.skip(
                top.comps[0].line,
                top.comps[0].name.clone(),
                "is not iCalendar; it was left out",
            );
        }
    }
    for node in doc.nodes() {
        let parent = node.comp.parent.and_then(|p| doc.comp(node.top, p));
        let parent_name = parent.map(|p| p.name.as_str());
        let at_calendar_level = matches!(parent_name, None | Some("VCALENDAR"));
        match node.name() {
            "VCALENDAR" | "VTIMEZONE" => {}
            "STANDARD" | "DAYLIGHT" if parent_name == Some("VTIMEZONE") => {}
            "VEVENT" if at_calendar_level => {
                events += 1;
                if events > MAX_EVENTS {
                    let label = format!("VEVENT {}", raw_uid(node.comp).unwrap_or_default());
                    return Err(IcsError::at(
                        node.line(),
                        Some(label.trim_end()),
                        format!("the file holds more than {MAX_EVENTS} events; split it"),
                    ));
                }
                if let Some(item) = reader.item(&node, Kind::Event)? {
                    items.push(item);
                }
            }
            "VTODO" if at_calendar_level && opts.todos => {
                if let Some(item) = reader.item(&node, Kind::Todo)? {
                    items.push(item);
                }
            }
            name if at_calendar_level => {
                let label = match raw_uid(node.comp) {
                    Some(uid) => format!("{name} {uid}"),
                    None => name.to_string(),
                };
                reader.skip(node.line(), label, component_reason(name));
            }
            name => {
                // Inside an event: say what was dropped from it. Inside anything
                // else that was skipped, the parent's entry covers it.
                if let Some(p) = parent.filter(|p| p.name == "VEVENT" || (p.name == "VTODO" && opts.todos)) {
                    let label = format!("{name} in {} {}", p.name, raw_uid(p).unwrap_or_default());
                    let reason = if name == "VALARM" {
                        "reminders are not imported"
                    } else {
                        "is not imported"
                    };
                    reader.skip(node.line(), label.trim_end().to_string(), reason);
                }
            }
        }
    }
    let items = pair(items, fallback, &mut reader.skipped)?;
    Ok(Read {
        name,
        default_zone,
        items,
        skipped: reader.skipped,
    })
}

/// X-WR-CALNAME and X-WR-TIMEZONE of the first calendar that has them.
fn calendar_props(doc: &Doc<'_>, skipped: &mut Vec<Skipped>) -> (Option<String>, Option<Zone>) {
    let mut name = None;
    let mut zone = None;
    for node in doc.nodes().filter(|n| n.index == 0 && n.name() == "VCALENDAR") {
        for f in node.fields() {
            match f.name().to_ascii_uppercase().as_str() {
                "X-WR-CALNAME" if name.is_none() => {
                    name = f
                        .text()
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string);
                }
                "X-WR-TIMEZONE" if zone.is_none() => {
                    match f.text().map(|t| Zone::parse("x-wr-timezone", t)) {
                        Some(Ok(z)) => zone = Some(z),
                        _ => skipped.push(Skipped {
                            line: f.line,
                            component: "VCALENDAR".into(),
                            reason: format!("X-WR-TIMEZONE `{}` is not a known IANA zone; ignored", f.raw),
                        }),
                    }
                }
                _ => {}
            }
        }
    }
    (name, zone)
}

fn component_reason(name: &str) -> &'static str {
    match name {
        "VTODO" => "tasks are not imported from calendar files (yet)",
        "VJOURNAL" => "journal entries are not imported",
        "VFREEBUSY" => "free/busy blocks are not imported as events",
        "VAVAILABILITY" => "availability is not imported",
        "VEVENT" => "an event inside another component is not imported",
        n if n.starts_with("X-") => "an unknown (X-) component is not imported",
        _ => "this component is not imported",
    }
}

/// A component's UID as written, for naming it.
fn raw_uid<'c>(comp: &'c super::scan::Comp<'_>) -> Option<&'c str> {
    comp.props
        .iter()
        .find(|p| p.name().trim().eq_ignore_ascii_case("UID"))
        .map(|p| p.value().trim())
        .filter(|u| !u.is_empty())
}

/// The line each checked field came from, for naming it in errors.
#[derive(Debug, Clone, Copy, Default)]
struct Lines {
    start: usize,
    end: usize,
    summary: usize,
    description: usize,
    location: usize,
    attendees: usize,
    rdates: usize,
    exdates: usize,
    rrule: usize,
}

/// An event or task as read, before series and overrides are paired.
struct Item {
    kind: Kind,
    uid: String,
    label: String,
    line: usize,
    sequence: u32,
    data: EventData,
    /// RECURRENCE-ID as written (paired with the series' start later) and its line.
    rid: Option<(EventTime, usize)>,
    lines: Lines,
    end_name: &'static str,
}

struct Reader<'r> {
    fallback: &'r Zone,
    zones: Zones,
    skipped: Vec<Skipped>,
}

/// The most characters kept of a summary and of a description (the core's limits).
const MAX_SUMMARY: usize = 500;
const MAX_DESCRIPTION: usize = 50_000;
const MAX_LOCATION: usize = 500;

impl Reader<'_> {
    fn skip(&mut self, line: usize, component: String, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            line,
            component,
            reason: reason.into(),
        });
    }

    /// Reads one VEVENT or VTODO; `None` when it is skipped as a whole.
    fn item(&mut self, node: &Node<'_>, kind: Kind) -> Result<Option<Item>, IcsError> {
        let fields = node.fields();
        let uid = fields
            .iter()
            .find(|f| f.entry.name == ICalendarProperty::Uid)
            .and_then(|f| f.text())
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| made_up_uid(node));
        let label = format!("{} {uid}", node.name());
        let err = |line: usize, msg: String| IcsError::at(line, Some(&label), msg);

        let mut f_start = None;
        let mut f_end = None;
        let mut f_due = None;
        let mut f_duration = None;
        let mut f_rid = None;
        let mut f_summary = None;
        let mut f_description = None;
        let mut f_location = None;
        let mut f_geo = None;
        let mut f_organizer = None;
        let mut f_class = None;
        let mut f_transp = None;
        let mut f_priority = None;
        let mut f_status = None;
        let mut f_sequence = None;
        let mut f_category = None;
        let mut f_busy_status = None;
        let mut f_apple_location = None;
        let mut attendees = Vec::new();
        let mut categories = Vec::new();
        let mut rrules = Vec::new();
        let mut exrules = Vec::new();
        let mut rdates = Vec::new();
        let mut exdates = Vec::new();
        let mut unknown: Vec<(usize, String)> = Vec::new();
        for f in &fields {
            let slot = match &f.entry.name {
                ICalendarProperty::Dtstart => &mut f_start,
                ICalendarProperty::Dtend => &mut f_end,
                ICalendarProperty::Due => &mut f_due,
                ICalendarProperty::Duration => &mut f_duration,
                ICalendarProperty::RecurrenceId => &mut f_rid,
                ICalendarProperty::Summary => &mut f_summary,
                ICalendarProperty::Description => &mut f_description,
                ICalendarProperty::Location => &mut f_location,
                ICalendarProperty::Geo => &mut f_geo,
                ICalendarProperty::Organizer => &mut f_organizer,
                ICalendarProperty::Class => &mut f_class,
                ICalendarProperty::Transp => &mut f_transp,
                ICalendarProperty::Priority => &mut f_priority,
                ICalendarProperty::Status => &mut f_status,
                ICalendarProperty::Sequence => &mut f_sequence,
                ICalendarProperty::Attendee => {
                    attendees.push(f);
                    continue;
                }
                ICalendarProperty::Categories => {
                    categories.push(f);
                    continue;
                }
                ICalendarProperty::Rrule => {
                    rrules.push(f);
                    continue;
                }
                ICalendarProperty::Exrule => {
                    exrules.push(f);
                    continue;
                }
                ICalendarProperty::Rdate => {
                    rdates.push(f);
                    continue;
                }
                ICalendarProperty::Exdate => {
                    exdates.push(f);
                    continue;
                }
                // Bookkeeping of the sending calendar, not of the event.
                ICalendarProperty::Uid
                | ICalendarProperty::Dtstamp
                | ICalendarProperty::Created
                | ICalendarProperty::LastModified => continue,
                ICalendarProperty::Completed | ICalendarProperty::PercentComplete if kind == Kind::Todo => {
                    continue;
                }
                ICalendarProperty::Other(name) => {
                    if name.eq_ignore_ascii_case("X-ADJUTANT-CATEGORY") {
                        &mut f_category
                    } else if name.eq_ignore_ascii_case("X-MICROSOFT-CDO-BUSYSTATUS") {
                        &mut f_busy_status
                    } else if name.eq_ignore_ascii_case("X-APPLE-STRUCTURED-LOCATION") {
                        &mut f_apple_location
                    } else {
                        if !name.to_ascii_uppercase().starts_with("X-") {
                            unknown.push((f.line, name.to_ascii_uppercase()));
                        }
                        // Vendor extensions (X-APPLE-…, X-MOZ-…, X-GOOGLE-…) carry
                        // nothing we model; they are dropped without a word.
                        continue;
                    }
                }
                other => {
                    unknown.push((f.line, other.as_str().to_string()));
                    continue;
                }
            };
            // The first of a property that may appear once counts.
            if slot.is_none() {
                *slot = Some(f);
            }
        }

        // RANGE=THISANDFUTURE would rewrite the rest of the series; we keep
        // occurrences one at a time, so such an override is left out, not guessed.
        if let Some(f) = f_rid
            && matches!(
                f.param_value(&ICalendarParameterName::Range),
                Some(ICalendarParameterValue::Bool(true))
            )
        {
            self.skip(
                f.line,
                label.clone(),
                "RECURRENCE-ID;RANGE=THISANDFUTURE (a change to this and all later occurrences) is not imported",
            );
            return Ok(None);
        }

        let mut lines = Lines {
            start: node.line(),
            end: node.line(),
            summary: node.line(),
            description: node.line(),
            location: node.line(),
            attendees: node.line(),
            rdates: node.line(),
            exdates: node.line(),
            rrule: node.line(),
        };

        // When it happens.
        let start_field = match (kind, f_start, f_due) {
            (_, Some(f), _) => f,
            (Kind::Todo, None, Some(f)) => f,
            (Kind::Todo, None, None) => return Ok(None),
            (Kind::Event, None, _) => return Err(err(node.line(), "has no DTSTART".into())),
        };
        let start = self.time(start_field).map_err(|m| err(start_field.line, m))?;
        lines.start = start_field.line;
        let mut end_name = "DTEND";
        let end = match (kind, f_end, f_due, f_duration) {
            (Kind::Event, Some(f), _, _) | (Kind::Todo, _, Some(f), _)
                if f_start.is_some() || kind == Kind::Event =>
            {
                lines.end = f.line;
                end_name = if kind == Kind::Todo { "DUE" } else { "DTEND" };
                self.time(f).map_err(|m| err(f.line, m))?
            }
            (_, _, _, Some(f)) if f_start.is_some() => {
                lines.end = f.line;
                end_name = "DURATION";
                match f.values().first() {
                    Some(ICalendarValue::Duration(d)) => add_duration(&start, d)
                        .map_err(|m| err(f.line, format!("DURATION `{}` {m}", f.raw)))?,
                    _ => {
                        return Err(err(
                            f.line,
                            format!("DURATION `{}` is not a duration (e.g. PT1H)", f.raw),
                        ));
                    }
                }
            }
            _ => match &start {
                // RFC 5545 §3.6.1: an all-day event without an end lasts the day;
                // a timed one takes no time.
                EventTime::Date { date } => EventTime::Date {
                    date: date.tomorrow().unwrap_or(*date),
                },
                other => other.clone(),
            },
        };
        let end = match (&start, end) {
            (EventTime::Date { date: s }, EventTime::Date { date: e }) if e == *s => {
                self.skip(
                    lines.end,
                    label.clone(),
                    "an all-day end equal to the start was read as lasting one day",
                );
                EventTime::Date {
                    date: s.tomorrow().unwrap_or(*s),
                }
            }
            (_, e) => e,
        };

        // How it repeats.
        let mut recurrence = Recurrence::default();
        for f in &rrules {
            recurrence.rules.push(rule(f).map_err(|m| err(f.line, m))?);
        }
        if let Some(f) = rrules.first() {
            lines.rrule = f.line;
        }
        for f in &exrules {
            recurrence.exrules.push(rule(f).map_err(|m| err(f.line, m))?);
        }
        for f in &rdates {
            lines.rdates = f.line;
            for v in f.values() {
                let t = self.value_time(f, v).map_err(|m| err(f.line, m))?;
                recurrence.rdates.push(conform(t, &start, self.fallback));
            }
        }
        for f in &exdates {
            lines.exdates = f.line;
            for v in f.values() {
                let t = self.value_time(f, v).map_err(|m| err(f.line, m))?;
                recurrence.exdates.push(conform(t, &start, self.fallback));
            }
        }
        let rid = match f_rid {
            Some(f) => Some((self.time(f).map_err(|m| err(f.line, m))?, f.line)),
            None => None,
        };
        if rid.is_some() && !recurrence.is_empty() {
            // An override is one occurrence; a rule on it has no meaning.
            self.skip(
                rid.as_ref().map_or(node.line(), |r| r.1),
                label.clone(),
                "the recurrence of an override (RECURRENCE-ID) was ignored",
            );
            recurrence = Recurrence::default();
        }

        // What it is.
        let summary = self.summary(f_summary, &label, &mut lines);
        let description = match f_description.and_then(|f| f.text()) {
            Some(d) if d.chars().count() > MAX_DESCRIPTION => {
                let line = f_description.map_or(node.line(), |f| f.line);
                self.skip(
                    line,
                    label.clone(),
                    format!("DESCRIPTION was cut to {MAX_DESCRIPTION} characters"),
                );
                d.chars().take(MAX_DESCRIPTION).collect()
            }
            Some(d) => d.to_string(),
            None => String::new(),
        };
        if let Some(f) = f_description {
            lines.description = f.line;
        }
        let mut location = self.location(f_location, f_geo, &label, &mut lines);
        // Apple Calendar keeps the position in its structured location (`geo:lat,lon`).
        if let (Some(l), None, Some(geo)) = (&mut location, f_geo, f_apple_location.and_then(apple_geo))
            && Location::new(&l.text, Some(geo)).is_ok()
        {
            l.geo = Some(geo);
        }
        let organiser = f_organizer.and_then(|f| {
            let (email, person) = address(f);
            let name = f
                .param(&ICalendarParameterName::Cn)
                .map(str::trim)
                .filter(|n| !n.is_empty());
            if email.is_none() && person.is_none() && name.is_none() {
                return None;
            }
            Some(Organiser {
                person,
                email: email.clone(),
                name: name.map(str::to_string).or(email).unwrap_or_default(),
            })
        });
        let attendees = self.attendees(&attendees, &label, &mut lines);
        let visibility = match f_class.and_then(|f| f.values().first()) {
            None | Some(ICalendarValue::Classification(ICalendarClassification::Public)) => {
                Visibility::Normal
            }
            Some(ICalendarValue::Classification(ICalendarClassification::Confidential)) => {
                Visibility::Confidential
            }
            // RFC 5545 §3.8.1.3: an unknown class is treated as PRIVATE.
            Some(_) => Visibility::Private,
        };
        let transparent = match f_transp.and_then(|f| f.values().first()) {
            Some(ICalendarValue::Transparency(t)) => *t == ICalendarTransparency::Transparent,
            Some(ICalendarValue::Text(t)) => t.eq_ignore_ascii_case("TRANSPARENT"),
            _ => f_busy_status
                .and_then(|f| f.text())
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("FREE")),
        };
        let priority = f_priority
            .and_then(|f| f.values().first())
            .and_then(|v| v.as_integer())
            .map_or(Priority::NORMAL, |p| Priority::from_ical(p.clamp(0, 9) as u8));
        let status = match f_status.and_then(|f| f.values().first()) {
            Some(ICalendarValue::Status(ICalendarStatus::Tentative)) => EventStatus::Tentative,
            Some(ICalendarValue::Status(ICalendarStatus::Cancelled)) => EventStatus::Cancelled,
            _ => EventStatus::Confirmed,
        };
        let category = self.category(f_category, &categories, &label);
        let sequence = f_sequence
            .and_then(|f| f.values().first())
            .and_then(|v| v.as_integer())
            .map_or(0, |s| u32::try_from(s.max(0)).unwrap_or(u32::MAX));

        for (line, name) in unknown {
            self.skip(line, label.clone(), format!("{name} is not imported"));
        }
        Ok(Some(Item {
            kind,
            uid,
            label: label.clone(),
            line: node.line(),
            sequence,
            data: EventData {
                summary,
                description,
                location,
                start,
                end,
                recurrence,
                organiser,
                attendees,
                visibility,
                transparency: if transparent {
                    Transparency::Free
                } else {
                    Transparency::Busy
                },
                priority,
                category,
                status,
            },
            rid,
            lines,
            end_name,
        }))
    }

    /// The time a DTSTART-like property gives (its first value).
    fn time(&mut self, f: &Field<'_>) -> Result<EventTime, String> {
        match f.values().first() {
            Some(v) => self.value_time(f, v),
            None => Err(format!("{} has no value", f.name())),
        }
    }

    /// One date, date-time or period (its start) of `f`.
    fn value_time(&mut self, f: &Field<'_>, v: &ICalendarValue) -> Result<EventTime, String> {
        let p = match v {
            ICalendarValue::PartialDateTime(p) => p.as_ref(),
            ICalendarValue::Period(ICalendarPeriod::Range { start, .. })
            | ICalendarValue::Period(ICalendarPeriod::Duration { start, .. }) => start,
            ICalendarValue::Text(t) => return Err(not_a_time(f.name(), t)),
            _ => return Err(not_a_time(f.name(), f.raw)),
        };
        let shown = if f.values().len() == 1 { f.raw } else { "" };
        let bad = || {
            let t = if shown.is_empty() {
                format!(
                    "{:04}{:02}{:02}",
                    p.year.unwrap_or(0),
                    p.month.unwrap_or(0),
                    p.day.unwrap_or(0)
                )
            } else {
                shown.to_string()
            };
            not_a_time(f.name(), &t)
        };
        let local = zones::civil(p).ok_or_else(bad)?;
        if !p.has_time() {
            return Ok(EventTime::Date { date: local.date() });
        }
        if p.has_zone() {
            let offset = zones::offset_of(v).unwrap_or(0);
            let t = local
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|_| bad())?
                .checked_sub(jiff::SignedDuration::from_secs(i64::from(offset)))
                .map_err(|_| bad())?;
            return Ok(EventTime::utc(t));
        }
        match f.param(&ICalendarParameterName::Tzid) {
            Some(tzid) => {
                let zone = self
                    .zones
                    .resolve(tzid, local.year())
                    .map_err(|m| format!("{}: {m}", f.name()))?;
                Ok(EventTime::Zoned { local, zone })
            }
            None => Ok(EventTime::Floating { local }),
        }
    }

    fn summary(&mut self, f: Option<&Field<'_>>, label: &str, lines: &mut Lines) -> String {
        let Some(f) = f else {
            return "(no title)".into();
        };
        lines.summary = f.line;
        let text: String = f
            .text()
            .unwrap_or_default()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let text = text.trim();
        if text.is_empty() {
            return "(no title)".into();
        }
        if text.chars().count() > MAX_SUMMARY {
            self.skip(
                f.line,
                label.to_string(),
                format!("SUMMARY was cut to {MAX_SUMMARY} characters"),
            );
            return text
                .chars()
                .take(MAX_SUMMARY)
                .collect::<String>()
                .trim_end()
                .to_string();
        }
        text.to_string()
    }

    fn location(
        &mut self,
        f: Option<&Field<'_>>,
        geo: Option<&Field<'_>>,
        label: &str,
        lines: &mut Lines,
    ) -> Option<Location> {
        let mut text = f.and_then(|f| f.text()).unwrap_or_default().trim().to_string();
        if let Some(f) = f {
            lines.location = f.line;
            if text.chars().count() > MAX_LOCATION {
                self.skip(
                    f.line,
                    label.to_string(),
                    format!("LOCATION was cut to {MAX_LOCATION} characters"),
                );
                text = text
                    .chars()
                    .take(MAX_LOCATION)
                    .collect::<String>()
                    .trim_end()
                    .to_string();
            }
        }
        let position = geo.and_then(|g| match g.values() {
            [a, b, ..] => Some((a.as_float()?, b.as_float()?)),
            _ => None,
        });
        if let (Some(g), None) = (geo, position) {
            self.skip(
                g.line,
                label.to_string(),
                format!("GEO `{}` is not a latitude;longitude", g.raw),
            );
        }
        if text.is_empty() && position.is_none() {
            return None;
        }
        match Location::new(&text, position) {
            Ok(l) => Some(l),
            Err(_) => {
                let line = geo.map_or(lines.location, |g| g.line);
                self.skip(
                    line,
                    label.to_string(),
                    format!("GEO {position:?} is not a position on Earth"),
                );
                Location::new(&text, None).ok()
            }
        }
    }

    fn attendees(&mut self, fields: &[&Field<'_>], label: &str, lines: &mut Lines) -> Vec<Attendee> {
        let mut out: Vec<Attendee> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in fields {
            lines.attendees = f.line;
            let (email, person) = address(f);
            if email.is_none() && person.is_none() {
                self.skip(
                    f.line,
                    label.to_string(),
                    format!("ATTENDEE `{}` has no e-mail address", f.raw),
                );
                continue;
            }
            let key = person
                .map(|p| p.to_string())
                .or_else(|| email.as_ref().map(|e| e.to_lowercase()))
                .unwrap_or_default();
            if !seen.insert(key) {
                self.skip(
                    f.line,
                    label.to_string(),
                    format!("ATTENDEE `{}` is listed twice", f.raw),
                );
                continue;
            }
            if out.len() == adjutant_core::calendar::MAX_ATTENDEES {
                self.skip(
                    f.line,
                    label.to_string(),
                    format!(
                        "more than {} attendees; the rest were left out",
                        adjutant_core::calendar::MAX_ATTENDEES
                    ),
                );
                break;
            }
            let role = match f.param_value(&ICalendarParameterName::Role) {
                Some(ICalendarParameterValue::Role(ICalendarParticipationRole::Chair)) => AttendeeRole::Chair,
                Some(ICalendarParameterValue::Role(
                    ICalendarParticipationRole::OptParticipant | ICalendarParticipationRole::NonParticipant,
                )) => AttendeeRole::Optional,
                _ => AttendeeRole::Required,
            };
            let rsvp = match f.param_value(&ICalendarParameterName::Partstat) {
                Some(ICalendarParameterValue::Partstat(s)) => match s {
                    ICalendarParticipationStatus::Accepted => Rsvp::Accepted,
                    ICalendarParticipationStatus::Tentative => Rsvp::Tentative,
                    // Someone who delegated their place is not coming themselves.
                    ICalendarParticipationStatus::Declined | ICalendarParticipationStatus::Delegated => {
                        Rsvp::Declined
                    }
                    _ => Rsvp::NeedsAction,
                },
                _ => Rsvp::NeedsAction,
            };
            let name = f
                .param(&ICalendarParameterName::Cn)
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .or_else(|| email.clone())
                .unwrap_or_default();
            out.push(Attendee {
                person,
                email,
                name,
                role,
                rsvp,
            });
        }
        out
    }

    /// X-ADJUTANT-CATEGORY, else the first CATEGORIES value naming one of ours.
    fn category(&mut self, ours: Option<&Field<'_>>, fields: &[&Field<'_>], label: &str) -> Category {
        if let Some(c) = ours
            .and_then(|f| f.text())
            .and_then(|t| t.trim().to_lowercase().parse().ok())
        {
            return c;
        }
        let mut found = None;
        for f in fields {
            for v in f.values() {
                let Some(t) = v.as_text().map(str::trim).filter(|t| !t.is_empty()) else {
                    continue;
                };
                match t.to_lowercase().parse::<Category>() {
                    Ok(c) if found.is_none() => found = Some(c),
                    Ok(_) => {}
                    Err(_) if ours.is_none() => self.skip(
                        f.line,
                        label.to_string(),
                        format!(
                            "CATEGORIES `{t}` is not kept (only {} are)",
                            Category::ALL
                                .iter()
                                .map(|c| c.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                    Err(_) => {}
                }
            }
        }
        found.unwrap_or(Category::Meeting)
    }
}

/// The position in Apple's `X-APPLE-STRUCTURED-LOCATION` (`geo:52.36,4.88`).
fn apple_geo(f: &Field<'_>) -> Option<(f64, f64)> {
    let uri = f.text().unwrap_or(f.raw).trim();
    let rest = uri
        .get(..4)
        .filter(|s| s.eq_ignore_ascii_case("geo:"))
        .map(|_| &uri[4..])?;
    let (lat, lon) = rest.split_once(',')?;
    let lon = lon.split([',', ';']).next()?;
    Some((lat.trim().parse().ok()?, lon.trim().parse().ok()?))
}

fn not_a_time(name: &str, value: &str) -> String {
    let what = if value.contains(['T', 't']) {
        "a date-time"
    } else {
        "a date"
    };
    format!("{name} `{value}` is not {what}")
}

/// The e-mail address (of a `mailto:` address) and our person id (from
/// `X-ADJUTANT-PERSON`, which our own export writes) of an ORGANIZER or ATTENDEE.
fn address(f: &Field<'_>) -> (Option<String>, Option<PersonId>) {
    let uri = f.text().unwrap_or(f.raw).trim();
    let email = match (uri.get(..7), uri.get(7..)) {
        (Some(scheme), Some(rest)) if scheme.eq_ignore_ascii_case("mailto:") => {
            Some(rest.trim().to_string()).filter(|e| e.contains('@'))
        }
        _ => None,
    };
    let person = f
        .other_param("X-ADJUTANT-PERSON")
        .and_then(|p| PersonId::from_str(p).ok());
    (email, person)
}

/// An RRULE or EXRULE as the core reads it; the core's message when broken.
fn rule(f: &Field<'_>) -> Result<Rule, String> {
    let text = if f.raw.is_empty() {
        f.values()
            .first()
            .and_then(|v| v.clone().into_text())
            .unwrap_or_default()
            .to_string()
    } else {
        f.raw.to_string()
    };
    Rule::from_str(&text).map_err(|e| {
        let why: Vec<String> = e.errors.into_iter().map(|e| e.message).collect();
        format!("{} `{text}` is broken: {}", f.name(), why.join("; "))
    })
}

/// `d` after `start` (RFC 5545 §3.3.6: days are nominal, hours exact).
fn add_duration(start: &EventTime, d: &ICalendarDuration) -> Result<EventTime, String> {
    if d.neg {
        return Err("is negative".into());
    }
    let days = i64::from(d.weeks) * 7 + i64::from(d.days);
    let secs = i64::from(d.hours) * 3600 + i64::from(d.minutes) * 60 + i64::from(d.seconds);
    let too_long = || "is too long".to_string();
    let add_civil = |local: DateTime, secs: i64| -> Result<DateTime, String> {
        local
            .checked_add(Span::new().days(days).seconds(secs))
            .map_err(|_| too_long())
    };
    Ok(match start {
        EventTime::Date { date } => {
            // A date lasts whole days; a part-day duration on one is read as the day.
            let whole = days + (secs + 86_399) / 86_400;
            EventTime::Date {
                date: date
                    .checked_add(Span::new().days(whole.max(1)))
                    .map_err(|_| too_long())?,
            }
        }
        EventTime::Floating { local } => EventTime::Floating {
            local: add_civil(*local, secs)?,
        },
        EventTime::Zoned { local, zone } => {
            let day = add_civil(*local, 0)?;
            let at = zone
                .instant(day)
                .checked_add(jiff::SignedDuration::from_secs(secs))
                .map_err(|_| too_long())?;
            EventTime::Zoned {
                local: zone.local(at),
                zone: zone.clone(),
            }
        }
    })
}

/// `t` in the form of `like` (the series' start): same kind, same zone.
///
/// EXDATE, RDATE and RECURRENCE-ID are often written differently from the
/// start (in UTC, or as dates on a timed series); the core matches
/// occurrences by wall-clock time in the series' zone, so they are brought into it.
pub(crate) fn conform(t: EventTime, like: &EventTime, fallback: &Zone) -> EventTime {
    match (like, t) {
        (EventTime::Date { .. }, t) => EventTime::Date {
            date: t.local().date(),
        },
        (EventTime::Zoned { zone, .. }, EventTime::Zoned { local, zone: z }) if z == *zone => {
            EventTime::Zoned { local, zone: z }
        }
        (EventTime::Zoned { zone, .. }, EventTime::Zoned { local, zone: z }) => EventTime::Zoned {
            local: zone.local(z.instant(local)),
            zone: zone.clone(),
        },
        (EventTime::Zoned { zone, .. }, EventTime::Floating { local }) => EventTime::Zoned {
            local,
            zone: zone.clone(),
        },
        (EventTime::Zoned { zone, local: l0 }, EventTime::Date { date }) => EventTime::Zoned {
            local: date.to_datetime(l0.time()),
            zone: zone.clone(),
        },
        (EventTime::Floating { .. }, EventTime::Zoned { local, zone }) => EventTime::Floating {
            local: fallback.local(zone.instant(local)),
        },
        (EventTime::Floating { .. }, t @ EventTime::Floating { .. }) => t,
        (EventTime::Floating { local: l0 }, EventTime::Date { date }) => EventTime::Floating {
            local: date.to_datetime(l0.time()),
        },
    }
}

/// A stable UID for an event that has none, from its content, so importing
/// the same file twice names the event the same way.
fn made_up_uid(node: &Node<'_>) -> String {
    // FNV-1a, 64 bits: no cryptography needed, only stability.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in &node.comp.props {
        for b in p
            .name()
            .bytes()
            .chain([b':'])
            .chain(p.value().bytes())
            .chain([b'\n'])
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}@import.adjutant")
}

/// The property a validation field came from.
fn property_of(field: &str, end_name: &str) -> String {
    match field {
        "end" => end_name.to_string(),
        "start" => "DTSTART".into(),
        "rdates" => "RDATE".into(),
        "exdates" => "EXDATE".into(),
        "attendees" => "ATTENDEE".into(),
        "rrule" => "RRULE".into(),
        other => other.to_ascii_uppercase(),
    }
}

fn line_of(lines: &Lines, field: &str) -> usize {
    match field {
        "start" => lines.start,
        "end" => lines.end,
        "summary" => lines.summary,
        "description" => lines.description,
        "location" | "geo" => lines.location,
        "attendees" => lines.attendees,
        "rdates" => lines.rdates,
        "exdates" => lines.exdates,
        _ => lines.rrule,
    }
}

/// The error naming the first field `e` complains about.
fn invalid(e: ValidationError, item: &Item) -> IcsError {
    let first = e.errors.into_iter().next();
    let (field, message) = first.map_or((String::new(), "is not valid".to_string()), |f| {
        (f.field, f.message)
    });
    IcsError::at(
        line_of(&item.lines, &field),
        Some(&item.label),
        format!("{}: {message}", property_of(&field, item.end_name)),
    )
}

/// Checks one item by the core's rules (and the flood guard on series).
fn check(item: &Item, fallback: &Zone) -> Result<(), IcsError> {
    item.data.validate(fallback).map_err(|e| invalid(e, item))?;
    if item.data.is_recurring() {
        series::check_density(&item.data, fallback).map_err(|e| {
            let why: Vec<String> = e.errors.into_iter().map(|e| e.message).collect();
            IcsError::at(
                item.lines.rrule,
                Some(&item.label),
                format!("RRULE: {}", why.join("; ")),
            )
        })?;
    }
    Ok(())
}

/// An override being paired, with what decides between two of one occurrence.
struct Kept {
    over: Override,
    sequence: u32,
    line: usize,
}

/// Pairs overrides with their series, drops duplicates, checks everything.
fn pair(
    items: Vec<Item>,
    fallback: &Zone,
    skipped: &mut Vec<Skipped>,
) -> Result<Vec<(Kind, ImportedEvent)>, IcsError> {
    let mut masters: Vec<(Item, Vec<Kept>)> = Vec::new();
    let mut by_uid: HashMap<(Kind, String), usize> = HashMap::new();
    let mut pending: Vec<Item> = Vec::new();
    for item in items {
        if item.rid.is_some() {
            pending.push(item);
            continue;
        }
        check(&item, fallback)?;
        match by_uid.get(&(item.kind, item.uid.clone())) {
            Some(&i) => {
                let kept = &masters[i].0;
                let (keep_new, dropped_line, reason) = if item.sequence > kept.sequence {
                    (
                        true,
                        kept.line,
                        format!(
                            "a later version (higher SEQUENCE, line {}) was imported instead",
                            item.line
                        ),
                    )
                } else {
                    (
                        false,
                        item.line,
                        format!(
                            "a version with this UID (line {}) was imported instead",
                            kept.line
                        ),
                    )
                };
                skipped.push(Skipped {
                    line: dropped_line,
                    component: item.label.clone(),
                    reason,
                });
                if keep_new {
                    masters[i].0 = item;
                }
            }
            None => {
                by_uid.insert((item.kind, item.uid.clone()), masters.len());
                masters.push((item, Vec::new()));
            }
        }
    }
    let mut orphans: Vec<Item> = Vec::new();
    for item in pending {
        let Some(&i) = by_uid.get(&(item.kind, item.uid.clone())) else {
            orphans.push(item);
            continue;
        };
        check(&item, fallback)?;
        let (master, overrides) = &mut masters[i];
        let Some((rid_time, rid_line)) = item.rid.clone() else {
            continue;
        };
        let local = conform(rid_time, &master.data.start, fallback).local();
        let recurrence_id = RecurrenceId(local);
        let kept = Kept {
            sequence: item.sequence,
            line: rid_line,
            over: Override {
                recurrence_id,
                data: item.data,
            },
        };
        match overrides
            .iter()
            .position(|k| k.over.recurrence_id == recurrence_id)
        {
            Some(j) => {
                let (keep_new, dropped) = if kept.sequence > overrides[j].sequence {
                    (true, overrides[j].line)
                } else {
                    (false, rid_line)
                };
                skipped.push(Skipped {
                    line: dropped,
                    component: item.label.clone(),
                    reason: format!("a second override of the occurrence {recurrence_id} was left out"),
                });
                if keep_new {
                    overrides[j] = kept;
                }
            }
            None => overrides.push(kept),
        }
    }

    // Overrides whose series is not in the file (an invitation to one
    // occurrence) stand alone; several of one UID are told apart by occurrence.
    let mut orphan_count: HashMap<(Kind, String), usize> = HashMap::new();
    for o in &orphans {
        *orphan_count.entry((o.kind, o.uid.clone())).or_default() += 1;
    }
    let mut out: Vec<(usize, Kind, ImportedEvent)> = Vec::new();
    for item in orphans {
        check(&item, fallback)?;
        let several = orphan_count
            .get(&(item.kind, item.uid.clone()))
            .copied()
            .unwrap_or(0)
            > 1;
        let uid = match (&item.rid, several) {
            (Some((t, _)), true) => format!("{}#{}", item.uid, RecurrenceId(t.local())),
            _ => item.uid.clone(),
        };
        out.push((
            item.line,
            item.kind,
            ImportedEvent {
                uid,
                data: item.data,
                overrides: Vec::new(),
                sequence: item.sequence,
                line: item.line,
            },
        ));
    }
    for (item, overrides) in masters {
        let mut overrides: Vec<Override> = overrides.into_iter().map(|k| k.over).collect();
        overrides.sort_by_key(|o| o.recurrence_id);
        out.push((
            item.line,
            item.kind,
            ImportedEvent {
                uid: item.uid,
                data: item.data,
                overrides,
                sequence: item.sequence,
                line: item.line,
            },
        ));
    }
    out.sort_by_key(|(line, _, _)| *line);
    Ok(out.into_iter().map(|(_, k, e)| (k, e)).collect())
}
