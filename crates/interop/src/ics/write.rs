//! Export and iTIP: our events as calcard components, written by calcard's
//! writer (CRLF line ends, folding at 75 octets, text escaping).
//!
//! VTIMEZONE blocks come from calcard's zone data (`add_timezone`), which
//! compresses the transitions of the years the events span into yearly
//! RRULE observances, the last one open-ended, as Outlook and Google write
//! them. Clients, Adjutant included, resolve an IANA TZID by its name; the
//! block is there for those that read only the rules. A zone calcard's table
//! does not know (one newer than it) gets a block listing each transition,
//! taken from the zone database Adjutant itself uses.

use super::{ExportEvent, ItipMethod};
use adjutant_core::calendar::recurrence::Until;
use adjutant_core::calendar::series::Override;
use adjutant_core::calendar::{
    Attendee, AttendeeRole, EventData, EventStatus, EventTime, Organiser, Rsvp, Transparency, Zone,
};
use adjutant_core::policy::Visibility;
use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendar, ICalendarClassification, ICalendarComponent, ICalendarComponentType, ICalendarEntry,
    ICalendarMethod, ICalendarParameter, ICalendarParameterName, ICalendarParticipationRole,
    ICalendarParticipationStatus, ICalendarProperty, ICalendarStatus, ICalendarTransparency, ICalendarValue,
    ICalendarValueType, Uri,
};
use jiff::Timestamp;
use jiff::civil::DateTime;

/// The PRODID of everything we write.
pub(crate) const PRODID: &str = "-//Adjutant//Adjutant Calendar//EN";

/// A VCALENDAR being assembled.
struct Cal {
    ical: ICalendar,
    /// The zones used so far, with the span of instants they are used over.
    zones: Vec<(Zone, Timestamp, Timestamp)>,
}

impl Cal {
    fn new(method: Option<ICalendarMethod>) -> Cal {
        let mut root = ICalendarComponent::new(ICalendarComponentType::VCalendar);
        root.entries.push(text(ICalendarProperty::Prodid, PRODID));
        root.entries.push(text(ICalendarProperty::Version, "2.0"));
        root.entries
            .push(ICalendarEntry::new(ICalendarProperty::Calscale).with_value(
                ICalendarValue::CalendarScale(calcard::common::CalendarScale::Gregorian),
            ));
        if let Some(m) = method {
            root.entries
                .push(ICalendarEntry::new(ICalendarProperty::Method).with_value(ICalendarValue::Method(m)));
        }
        Cal {
            ical: ICalendar {
                components: vec![root],
            },
            zones: Vec::new(),
        }
    }

    /// Adds a top-level component (a VEVENT).
    fn push(&mut self, comp: ICalendarComponent) {
        let id = self.ical.components.len() as u32;
        self.ical.components.push(comp);
        self.ical.components[0].component_ids.push(id);
    }

    /// Notes that `t` is used, so its zone gets a VTIMEZONE covering it.
    fn uses(&mut self, t: &EventTime) {
        let EventTime::Zoned { local, zone } = t else {
            return;
        };
        if is_utc(zone) {
            return;
        }
        let at = zone.instant(*local);
        match self.zones.iter_mut().find(|(z, _, _)| z == zone) {
            Some((_, from, to)) => {
                *from = (*from).min(at);
                *to = (*to).max(at);
            }
            None => self.zones.push((zone.clone(), at, at)),
        }
    }

    /// Notes the span a series runs over: to UNTIL, or on past `now` when it
    /// never ends, so the VTIMEZONE's rules cover the occurrences clients show.
    fn uses_series(&mut self, data: &EventData, now: Timestamp) {
        let EventTime::Zoned { zone, .. } = &data.start else {
            return;
        };
        let mut last = None;
        for rule in &data.recurrence.rules {
            let until = match rule.until {
                Some(Until::Utc(t)) => t,
                Some(Until::Local(l)) => zone.instant(l),
                Some(Until::Date(d)) => zone.start_of_day(d),
                // A counted or endless rule: cover some years from now.
                None => now.max(data.start.instant(zone)),
            };
            last = Some(last.map_or(until, |l: Timestamp| l.max(until)));
        }
        if let Some(t) = last {
            self.uses(&EventTime::Zoned {
                local: zone.local(t),
                zone: zone.clone(),
            });
        }
    }

    fn finish(mut self) -> String {
        for (zone, from, to) in std::mem::take(&mut self.zones) {
            let from_year = from.to_zoned(jiff::tz::TimeZone::UTC).year();
            let to_year = to.to_zoned(jiff::tz::TimeZone::UTC).year().saturating_add(2);
            let from = year_start(from_year).saturating_sub(86_400);
            let to = year_start(to_year);
            if self.ical.add_timezone(zone.name(), from, to).is_none() {
                self.add_transitions(&zone, from, to);
            }
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.ical.write_to(&mut out);
        out
    }

    /// A VTIMEZONE listing each transition of `zone` in `[from, to)`.
    fn add_transitions(&mut self, zone: &Zone, from: i64, to: i64) {
        let tz = zone.tz();
        let start = Timestamp::from_second(from).unwrap_or(Timestamp::UNIX_EPOCH);
        let mut vtz = ICalendarComponent::new(ICalendarComponentType::VTimezone);
        vtz.entries.push(text(ICalendarProperty::Tzid, zone.name()));
        let mut observances = Vec::new();
        let mut offset = tz.to_offset(start);
        let first = ICalendarComponent {
            component_type: if tz.to_offset_info(start).dst().is_dst() {
                ICalendarComponentType::Daylight
            } else {
                ICalendarComponentType::Standard
            },
            entries: observance_entries(start, offset.seconds(), offset.seconds(), None),
            component_ids: vec![],
        };
        observances.push(first);
        for t in tz.following(start) {
            if t.timestamp().as_second() >= to {
                break;
            }
            let next = t.offset();
            if next == offset {
                continue;
            }
            observances.push(ICalendarComponent {
                component_type: if t.dst().is_dst() {
                    ICalendarComponentType::Daylight
                } else {
                    ICalendarComponentType::Standard
                },
                entries: observance_entries(
                    t.timestamp(),
                    offset.seconds(),
                    next.seconds(),
                    Some(t.abbreviation()),
                ),
                component_ids: vec![],
            });
            offset = next;
        }
        let vtz_id = self.ical.components.len() as u32;
        self.ical.components.push(vtz);
        for o in observances {
            let id = self.ical.components.len() as u32;
            self.ical.components.push(o);
            self.ical.components[vtz_id as usize].component_ids.push(id);
        }
        // VTIMEZONEs go before the events that use them.
        let comps = &self.ical.components;
        let at = comps[0]
            .component_ids
            .iter()
            .position(|&id| {
                comps
                    .get(id as usize)
                    .is_none_or(|c| c.component_type != ICalendarComponentType::VTimezone)
            })
            .unwrap_or(comps[0].component_ids.len());
        self.ical.components[0].component_ids.insert(at, vtz_id);
    }
}

fn observance_entries(at: Timestamp, from: i32, to: i32, name: Option<&str>) -> Vec<ICalendarEntry> {
    let local = jiff::tz::Offset::from_seconds(from)
        .map(|o| o.to_datetime(at))
        .unwrap_or_else(|_| jiff::tz::Offset::UTC.to_datetime(at));
    let mut e = vec![
        ICalendarEntry::new(ICalendarProperty::Dtstart).with_value(local_value(local)),
        ICalendarEntry::new(ICalendarProperty::Tzoffsetfrom).with_value(offset_value(from)),
        ICalendarEntry::new(ICalendarProperty::Tzoffsetto).with_value(offset_value(to)),
    ];
    if let Some(n) = name {
        e.push(text(ICalendarProperty::Tzname, n));
    }
    e
}

fn offset_value(secs: i32) -> PartialDateTime {
    let a = secs.unsigned_abs();
    PartialDateTime {
        tz_hour: Some((a / 3600) as u8),
        tz_minute: Some(((a % 3600) / 60) as u8),
        tz_minus: secs < 0,
        ..Default::default()
    }
}

fn year_start(year: i16) -> i64 {
    jiff::civil::date(year, 1, 1)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0)
}

fn is_utc(zone: &Zone) -> bool {
    zone.name() == "UTC"
}

fn text(name: ICalendarProperty, value: &str) -> ICalendarEntry {
    ICalendarEntry::new(name).with_value(ICalendarValue::Text(value.to_string()))
}

fn local_value(local: DateTime) -> PartialDateTime {
    PartialDateTime {
        year: u16::try_from(local.year()).ok(),
        month: u8::try_from(local.month()).ok(),
        day: u8::try_from(local.day()).ok(),
        hour: u8::try_from(local.hour()).ok(),
        minute: u8::try_from(local.minute()).ok(),
        second: u8::try_from(local.second()).ok(),
        ..Default::default()
    }
}

fn utc_value(t: Timestamp) -> PartialDateTime {
    PartialDateTime {
        tz_hour: Some(0),
        tz_minute: Some(0),
        ..local_value(jiff::tz::TimeZone::UTC.to_datetime(t))
    }
}

/// The parameters and value of a time as RFC 5545 writes it: `VALUE=DATE`,
/// UTC with `Z`, `TZID=…` or floating.
fn time_parts(t: &EventTime) -> (Vec<ICalendarParameter>, PartialDateTime) {
    match t {
        EventTime::Date { date } => (
            vec![ICalendarParameter::value(ICalendarValueType::Date)],
            PartialDateTime {
                year: u16::try_from(date.year()).ok(),
                month: u8::try_from(date.month()).ok(),
                day: u8::try_from(date.day()).ok(),
                ..Default::default()
            },
        ),
        EventTime::Zoned { local, zone } if is_utc(zone) => (vec![], utc_value(zone.instant(*local))),
        EventTime::Zoned { local, zone } => (
            vec![ICalendarParameter::tzid(zone.name().to_string())],
            local_value(*local),
        ),
        EventTime::Floating { local } => (vec![], local_value(*local)),
    }
}

fn time_entry(name: ICalendarProperty, t: &EventTime) -> ICalendarEntry {
    let (params, value) = time_parts(t);
    ICalendarEntry::new(name).with_params(params).with_value(value)
}

/// RDATE or EXDATE lines: one per form (kind and zone), values comma-separated.
fn time_list(name: ICalendarProperty, times: &[EventTime]) -> Vec<ICalendarEntry> {
    let mut out: Vec<(Vec<ICalendarParameter>, Vec<ICalendarValue>)> = Vec::new();
    for t in times {
        let (params, value) = time_parts(t);
        match out.iter_mut().find(|(p, _)| *p == params) {
            Some((_, values)) => values.push(value.into()),
            None => out.push((params, vec![value.into()])),
        }
    }
    out.into_iter()
        .map(|(params, values)| {
            ICalendarEntry::new(name.clone())
                .with_params(params)
                .with_values(values)
        })
        .collect()
}

/// A calendar user address: `mailto:`, or our person's id as a URN.
fn address_entry(
    name: ICalendarProperty,
    email: Option<&str>,
    person: Option<adjutant_core::ids::PersonId>,
    display: &str,
) -> Option<ICalendarEntry> {
    let uri = match (email, person) {
        (Some(e), _) => format!("mailto:{e}"),
        (None, Some(p)) => format!("urn:uuid:{p}"),
        (None, None) => return None,
    };
    let mut entry = ICalendarEntry::new(name);
    // RFC 5545 parameter values cannot hold a double quote.
    let cn = display.replace('"', "'");
    if !cn.trim().is_empty() {
        entry.params.push(ICalendarParameter::cn(cn));
    }
    if let Some(p) = person {
        entry.params.push(ICalendarParameter::new(
            ICalendarParameterName::Other("X-ADJUTANT-PERSON".into()),
            p.to_string(),
        ));
    }
    Some(entry.with_value(ICalendarValue::Uri(Uri::Location(uri))))
}

fn organiser_entry(o: &Organiser) -> Option<ICalendarEntry> {
    address_entry(
        ICalendarProperty::Organizer,
        o.email.as_deref(),
        o.person,
        &o.name,
    )
}

fn attendee_entry(a: &Attendee, rsvp: Option<bool>) -> Option<ICalendarEntry> {
    let mut e = address_entry(ICalendarProperty::Attendee, a.email.as_deref(), a.person, &a.name)?;
    let role = match a.role {
        AttendeeRole::Required => ICalendarParticipationRole::ReqParticipant,
        AttendeeRole::Optional => ICalendarParticipationRole::OptParticipant,
        AttendeeRole::Chair => ICalendarParticipationRole::Chair,
    };
    let partstat = match a.rsvp {
        Rsvp::NeedsAction => ICalendarParticipationStatus::NeedsAction,
        Rsvp::Accepted => ICalendarParticipationStatus::Accepted,
        Rsvp::Tentative => ICalendarParticipationStatus::Tentative,
        Rsvp::Declined => ICalendarParticipationStatus::Declined,
    };
    // Parameters before the address, in the order clients write them.
    let mut params = vec![
        ICalendarParameter::role(role),
        ICalendarParameter::partstat(partstat),
    ];
    if let Some(r) = rsvp {
        params.push(ICalendarParameter::rsvp(r));
    }
    params.append(&mut e.params);
    e.params = params;
    Some(e)
}

/// The properties of an event's data (without UID, stamps, sequence, recurrence).
fn data_entries(cal: &mut Cal, d: &EventData, attendees: bool) -> Vec<ICalendarEntry> {
    cal.uses(&d.start);
    cal.uses(&d.end);
    let mut e = vec![
        time_entry(ICalendarProperty::Dtstart, &d.start),
        time_entry(ICalendarProperty::Dtend, &d.end),
        text(ICalendarProperty::Summary, &d.summary),
    ];
    if !d.description.is_empty() {
        e.push(text(ICalendarProperty::Description, &d.description));
    }
    if let Some(l) = &d.location {
        if !l.text.is_empty() {
            e.push(text(ICalendarProperty::Location, &l.text));
        }
        if let Some((lat, lon)) = l.geo {
            e.push(
                ICalendarEntry::new(ICalendarProperty::Geo)
                    .with_values(vec![ICalendarValue::Float(lat), ICalendarValue::Float(lon)]),
            );
        }
    }
    if let Some(o) = d.organiser.as_ref().and_then(organiser_entry) {
        e.push(o);
    }
    if attendees {
        e.extend(d.attendees.iter().filter_map(|a| attendee_entry(a, None)));
    }
    e.push(
        ICalendarEntry::new(ICalendarProperty::Class).with_value(ICalendarValue::Classification(
            match d.visibility {
                Visibility::Normal => ICalendarClassification::Public,
                Visibility::Private => ICalendarClassification::Private,
                Visibility::Confidential => ICalendarClassification::Confidential,
            },
        )),
    );
    e.push(
        ICalendarEntry::new(ICalendarProperty::Transp).with_value(ICalendarValue::Transparency(
            match d.transparency {
                Transparency::Busy => ICalendarTransparency::Opaque,
                Transparency::Free => ICalendarTransparency::Transparent,
            },
        )),
    );
    e.push(
        ICalendarEntry::new(ICalendarProperty::Priority)
            .with_value(ICalendarValue::Integer(i64::from(d.priority.to_ical()))),
    );
    e.push(status_entry(d.status));
    // CATEGORIES for other clients; X-ADJUTANT-CATEGORY is what we read back.
    let name = d.category.as_str();
    e.push(text(ICalendarProperty::Categories, name));
    e.push(text(ICalendarProperty::Other("X-ADJUTANT-CATEGORY".into()), name));
    e
}

fn status_entry(s: EventStatus) -> ICalendarEntry {
    ICalendarEntry::new(ICalendarProperty::Status).with_value(ICalendarValue::Status(match s {
        EventStatus::Confirmed => ICalendarStatus::Confirmed,
        EventStatus::Tentative => ICalendarStatus::Tentative,
        EventStatus::Cancelled => ICalendarStatus::Cancelled,
    }))
}

fn recurrence_entries(cal: &mut Cal, d: &EventData, now: Timestamp) -> Vec<ICalendarEntry> {
    let r = &d.recurrence;
    cal.uses_series(d, now);
    for t in r.rdates.iter().chain(&r.exdates) {
        cal.uses(t);
    }
    let mut e: Vec<ICalendarEntry> = r
        .rules
        .iter()
        .map(|rule| text(ICalendarProperty::Rrule, &rule.to_string()))
        .collect();
    e.extend(
        r.exrules
            .iter()
            .map(|rule| text(ICalendarProperty::Exrule, &rule.to_string())),
    );
    e.extend(time_list(ICalendarProperty::Rdate, &r.rdates));
    e.extend(time_list(ICalendarProperty::Exdate, &r.exdates));
    e
}

/// The wall-clock time an occurrence's RECURRENCE-ID names, in the series' form.
fn recurrence_time(series_start: &EventTime, o: &Override) -> EventTime {
    series_start.with_local(o.recurrence_id.0)
}

fn head(uid: &str, now: Timestamp, sequence: u32) -> Vec<ICalendarEntry> {
    vec![
        text(ICalendarProperty::Uid, uid),
        ICalendarEntry::new(ICalendarProperty::Dtstamp).with_value(utc_value(now)),
        ICalendarEntry::new(ICalendarProperty::Sequence)
            .with_value(ICalendarValue::Integer(i64::from(sequence))),
    ]
}

fn vevent(entries: Vec<ICalendarEntry>) -> ICalendarComponent {
    ICalendarComponent {
        component_type: ICalendarComponentType::VEvent,
        entries,
        component_ids: vec![],
    }
}

/// The series (and its overrides) of `ev` as VEVENTs.
fn event_components(cal: &mut Cal, ev: &ExportEvent<'_>, now: Timestamp) -> Vec<ICalendarComponent> {
    let mut master = head(ev.uid, now, ev.sequence);
    master.push(ICalendarEntry::new(ICalendarProperty::Created).with_value(utc_value(ev.created)));
    master.push(ICalendarEntry::new(ICalendarProperty::LastModified).with_value(utc_value(ev.modified)));
    master.extend(data_entries(cal, ev.data, true));
    master.extend(recurrence_entries(cal, ev.data, now));
    let mut out = vec![vevent(master)];
    for o in ev.overrides {
        let mut e = head(ev.uid, now, ev.sequence);
        e.push(time_entry(
            ICalendarProperty::RecurrenceId,
            &recurrence_time(&ev.data.start, o),
        ));
        e.extend(data_entries(cal, &o.data, true));
        out.push(vevent(e));
    }
    out
}

/// See [`super::write`].
pub(crate) fn calendar(name: &str, events: &[ExportEvent<'_>], now: Timestamp) -> String {
    let mut cal = Cal::new(None);
    if !name.trim().is_empty() {
        cal.ical.components[0]
            .entries
            .push(text(ICalendarProperty::Other("X-WR-CALNAME".into()), name));
    }
    for ev in events {
        for c in event_components(&mut cal, ev, now) {
            cal.push(c);
        }
    }
    cal.finish()
}

/// See [`super::itip`].
pub(crate) fn itip(method: ItipMethod, ev: &ExportEvent<'_>, attendee: &Attendee, now: Timestamp) -> String {
    let mut cal = Cal::new(Some(match method {
        ItipMethod::Request => ICalendarMethod::Request,
        ItipMethod::Cancel => ICalendarMethod::Cancel,
    }));
    // The one attendee this message is for; a REQUEST asks them to answer.
    let invitee = match method {
        ItipMethod::Request => attendee_entry(
            &Attendee {
                rsvp: Rsvp::NeedsAction,
                ..attendee.clone()
            },
            Some(true),
        ),
        ItipMethod::Cancel => attendee_entry(attendee, None),
    };
    let mut master = head(ev.uid, now, ev.sequence);
    master.extend(data_entries(&mut cal, ev.data, false));
    master.extend(recurrence_entries(&mut cal, ev.data, now));
    master.extend(invitee.clone());
    if method == ItipMethod::Cancel {
        for e in master.iter_mut().filter(|e| e.name == ICalendarProperty::Status) {
            *e = status_entry(EventStatus::Cancelled);
        }
        cal.push(vevent(master));
    } else {
        cal.push(vevent(master));
        for o in ev.overrides {
            let mut e = head(ev.uid, now, ev.sequence);
            e.push(time_entry(
                ICalendarProperty::RecurrenceId,
                &recurrence_time(&ev.data.start, o),
            ));
            e.extend(data_entries(&mut cal, &o.data, false));
            e.extend(invitee.clone());
            cal.push(vevent(e));
        }
    }
    cal.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn transitions_from_our_zone_database_make_a_usable_vtimezone() {
        // The fallback for zones calcard's table lacks: every transition listed.
        let ams = Zone::parse("zone", "Europe/Amsterdam").unwrap();
        let mut cal = Cal::new(None);
        let t = EventTime::zoned(jiff::civil::date(2026, 12, 1).at(9, 0, 0, 0), &ams);
        let mut e = vec![text(ICalendarProperty::Uid, "x@example.org")];
        e.push(time_entry(ICalendarProperty::Dtstart, &t));
        e.push(text(ICalendarProperty::Summary, "x"));
        cal.push(vevent(e));
        cal.add_transitions(&ams, year_start(2025), year_start(2028));
        let text = cal.finish().replace("Europe/Amsterdam", "Some Windows Zone");
        assert_eq!(text.matches("BEGIN:DAYLIGHT").count(), 3, "{text}");
        assert!(text.find("BEGIN:VTIMEZONE").unwrap() < text.find("BEGIN:VEVENT").unwrap());
        // Read back by its rules alone, it is the same zone.
        let back = super::super::parse(&text, &ams).unwrap();
        assert_eq!(back.events[0].data.start, t);
    }
}
