//! Calendar pages: the week (or day) of a person or a room, the event page and
//! editor (with a recurrence builder), rooms and travel times, availability
//! rules, and import, export and subscription feeds.
//!
//! Handlers parse forms, call `ops::calendar` / `ops::scheduling` (which
//! authorise), and render; times are shown in the viewer's zone and, where it
//! differs, in the zone of the person, room or event concerned.

use super::pages::{caller, field, form_pairs, is_user_error, validation_errors};
use super::{Layout, WebError, WebResult, render_status, url_encode};
use crate::app::AppState;
use crate::auth::{AuthCtx, WebAuth};
use crate::error::{ApiError, ApiResult};
use crate::ops::calendar::{
    self as cal_ops, AgendaItem, AgendaOf, AttendeeInput, CancelInput, EventInput, EventPatch, MoveInput,
    ResourceForm, RsvpInput,
};
use crate::ops::scheduling::{self as sched_ops, TravelInput};
use adjutant_core::FieldError;
use adjutant_core::calendar::availability::{
    Availability, ClockTime, DayOfWeek, FocusGoal, LocalSpan, OutOfOffice,
};
use adjutant_core::calendar::recurrence::{Frequency, Rule, Until, WeekdayNum};
use adjutant_core::calendar::{
    AttendeeRole, Category, EventStatus, EventTime, RecurrenceId, Rsvp, TimeRange, Transparency, Zone,
};
use adjutant_core::ids::{CalendarId, EventId, FeedId, PersonId, ResourceId};
use adjutant_core::policy::{self, Capability, View, Visibility};
use adjutant_store::calendar::{CalendarOwner, EventRecord, Resource};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::{SignedDuration, Span, Timestamp};
use serde::Deserialize;

// ---------------------------------------------------------------------------
// Shared helpers (also used by the scheduling pages)
// ---------------------------------------------------------------------------

/// Zones offered in pickers; any other IANA name may be typed.
pub(super) const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Mexico_City",
];

/// One `<option>` of a `<select>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(super) fn opts(list: &[(&str, &str)], current: &str) -> Vec<Opt> {
    list.iter()
        .map(|(v, l)| Opt {
            value: (*v).to_string(),
            label: (*l).to_string(),
            selected: *v == current,
        })
        .collect()
}

/// The common zones plus `extra` (when not among them), `current` selected.
pub(super) fn zone_opts(current: &str, extra: &[&str]) -> Vec<Opt> {
    let mut names: Vec<String> = COMMON_ZONES.iter().map(|z| (*z).to_string()).collect();
    for e in extra.iter().chain(std::iter::once(&current)) {
        if !e.is_empty() && !names.iter().any(|n| n == e) {
            names.push((*e).to_string());
        }
    }
    names
        .into_iter()
        .map(|n| Opt {
            selected: n == current,
            label: n.replace('_', " "),
            value: n,
        })
        .collect()
}

pub(super) fn zone_named(name: &str) -> Zone {
    Zone::parse("time_zone", name).unwrap_or_else(|_| Zone::utc())
}

pub(super) fn viewer_zone(auth: &AuthCtx) -> Zone {
    zone_named(&auth.person.time_zone)
}

/// `America/New_York` → `New York`.
pub(super) fn city(zone: &str) -> String {
    zone.rsplit('/').next().unwrap_or(zone).replace('_', " ")
}

pub(super) fn hm(t: Timestamp, z: &Zone) -> String {
    z.local(t).strftime("%H:%M").to_string()
}

pub(super) fn day_text(d: Date) -> String {
    d.strftime("%a %-d %b").to_string()
}

pub(super) fn date_long(d: Date) -> String {
    d.strftime("%A %-d %B %Y").to_string()
}

/// `Thu 3 Dec 2026, 14:00`.
pub(super) fn when_text(t: Timestamp, z: &Zone) -> String {
    z.local(t).strftime("%a %-d %b %Y, %H:%M").to_string()
}

/// `14:00–15:30`, naming the end's day when it is another day.
pub(super) fn span_text(start: Timestamp, end: Timestamp, z: &Zone) -> String {
    let (s, e) = (z.local(start), z.local(end));
    let ends_at_midnight_after =
        e.time() == jiff::civil::Time::midnight() && s.date().tomorrow().ok() == Some(e.date());
    if s.date() == e.date() || ends_at_midnight_after {
        format!("{}–{}", s.strftime("%H:%M"), e.strftime("%H:%M"))
    } else {
        format!(
            "{}–{} {}",
            s.strftime("%H:%M"),
            day_text(e.date()),
            e.strftime("%H:%M")
        )
    }
}

/// `Thu 3 Dec 2026, 14:00–15:30`.
pub(super) fn when_span(start: Timestamp, end: Timestamp, z: &Zone) -> String {
    format!(
        "{}, {}",
        z.local(start).date().strftime("%a %-d %b %Y"),
        span_text(start, end, z)
    )
}

/// The start in each zone: `14:00 Amsterdam = 08:00 New York`.
pub(super) fn at_in_zones(t: Timestamp, zones: &[Zone]) -> String {
    zones
        .iter()
        .map(|z| format!("{} {}", hm(t, z), city(z.name())))
        .collect::<Vec<_>>()
        .join(" = ")
}

/// Distinct zones, in order.
pub(super) fn distinct_zones(zones: impl IntoIterator<Item = Zone>) -> Vec<Zone> {
    let mut out: Vec<Zone> = Vec::new();
    for z in zones {
        if !out.iter().any(|o| o.name() == z.name()) {
            out.push(z);
        }
    }
    out
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(super) fn trimmed(f: &[(String, String)], name: &str) -> String {
    field(f, name).map(|s| s.trim().to_string()).unwrap_or_default()
}

pub(super) fn all_of(f: &[(String, String)], name: &str) -> Vec<String> {
    f.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

pub(super) fn one_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// An empty default when the caller may not see this kind of thing at all (contractors and rooms).
pub(super) fn or_empty_if_forbidden<T: Default>(r: ApiResult<T>) -> Result<T, ApiError> {
    match r {
        Ok(v) => Ok(v),
        Err(e) if e.status == StatusCode::FORBIDDEN => Ok(T::default()),
        Err(e) => Err(e),
    }
}

pub(super) fn parse_path_id<T: std::str::FromStr>(s: &str, what: &'static str) -> Result<T, WebError> {
    s.parse().map_err(|_| WebError(ApiError::not_found(what)))
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(Span::new().days(n)).unwrap_or(d)
}

fn today(z: &Zone) -> Date {
    z.local(Timestamp::now()).date()
}

fn monday_of(d: Date) -> Date {
    add_days(d, -i64::from(d.weekday().to_monday_zero_offset()))
}

/// Attendees typed one per line: an e-mail address or a person's id, `Name <e-mail>` for a
/// named outsider, and a leading `?` for someone optional.
pub(super) fn attendee_lines(text: &str) -> Vec<AttendeeInput> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (optional, rest) = match l.strip_prefix('?') {
                Some(r) => (true, r.trim()),
                None => (false, l),
            };
            let (name, who) = match (rest.find('<'), rest.strip_suffix('>')) {
                (Some(i), Some(inner)) => {
                    let name = rest[..i].trim().trim_matches('"').trim();
                    (
                        (!name.is_empty()).then(|| name.to_string()),
                        inner[i + 1..].trim().to_string(),
                    )
                }
                _ => (None, rest.to_string()),
            };
            AttendeeInput { who, name, optional }
        })
        .collect()
}

/// Prefixes the request's scheme and host (or the configured public address) to a path.
pub(super) fn absolute_url(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    if let Some(u) = state.config.public_url.as_deref() {
        return format!("{}{path}", u.trim_end_matches('/'));
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let https = state.config.trust_proxy
        && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    format!("{}://{host}{path}", if https { "https" } else { "http" })
}

fn status_for(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

// ---------------------------------------------------------------------------
// The calendar: a week or a day
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    person: Option<String>,
    room: Option<String>,
    /// `p:<id>` or `r:<id>`, from the picker.
    of: Option<String>,
    date: Option<String>,
    view: Option<String>,
    tz: Option<String>,
    notice: Option<String>,
}

/// A mark beside an event: repeats, moved, hold, travel…
pub struct Mark {
    pub text: &'static str,
    pub class: &'static str,
}

pub struct Entry {
    pub href: Option<String>,
    pub summary: String,
    /// In the viewer's zone (empty for all-day events).
    pub time: String,
    /// In the person's or room's zone, when it differs.
    pub other_time: Option<String>,
    pub location: Option<String>,
    pub marks: Vec<Mark>,
    pub class: &'static str,
}

pub struct DayBlock {
    pub heading: String,
    pub iso: String,
    pub is_today: bool,
    pub all_day: Vec<Entry>,
    pub timed: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    title: String,
    zones_note: String,
    range_text: String,
    days: Vec<DayBlock>,
    prev_href: String,
    next_href: String,
    today_href: String,
    toggle_href: String,
    toggle_label: &'static str,
    view_label: &'static str,
    is_day: bool,
    new_href: String,
    settings_href: Option<String>,
    availability_href: Option<String>,
    people: Vec<Opt>,
    rooms: Vec<Opt>,
    zones: Vec<Opt>,
    date_value: String,
    errors: Vec<FieldError>,
    empty: bool,
}

fn marks_of(i: &AgendaItem) -> Vec<Mark> {
    let mut m = Vec::new();
    if i.recurring {
        m.push(Mark {
            text: "↻ repeats",
            class: "repeats",
        });
    }
    if i.moved {
        m.push(Mark {
            text: "moved",
            class: "moved",
        });
    }
    if i.hold {
        m.push(Mark {
            text: "hold (tentative)",
            class: "hold",
        });
    } else if i.status == EventStatus::Tentative {
        m.push(Mark {
            text: "tentative",
            class: "hold",
        });
    }
    match i.category {
        Category::Travel => m.push(Mark {
            text: "travel",
            class: "travel",
        }),
        Category::Focus => m.push(Mark {
            text: "focus",
            class: "focus",
        }),
        Category::Personal => m.push(Mark {
            text: "personal",
            class: "personal",
        }),
        _ => {}
    }
    if i.transparency == Transparency::Free {
        m.push(Mark {
            text: "free",
            class: "free",
        });
    }
    if !i.busy_only && i.visibility == Visibility::Private {
        m.push(Mark {
            text: "private",
            class: "private",
        });
    }
    m
}

fn entry_class(i: &AgendaItem) -> &'static str {
    if i.busy_only {
        return "ev ev-busy";
    }
    if i.hold {
        return "ev ev-hold";
    }
    match i.category {
        Category::Travel => "ev ev-travel",
        Category::Focus => "ev ev-focus",
        Category::Personal => "ev ev-personal",
        _ => "ev",
    }
}

pub(super) fn event_href(id: EventId, occurrence: Option<&str>) -> String {
    match occurrence {
        Some(o) => format!("/events/{id}?occurrence={}", url_encode(o)),
        None => format!("/events/{id}"),
    }
}

fn entry(i: &AgendaItem, viewer: &Zone, home: &Zone) -> Entry {
    let (time, other_time) = if i.all_day {
        (String::new(), None)
    } else {
        let other = (home.name() != viewer.name())
            .then(|| format!("{} {}", span_text(i.start_at, i.end_at, home), city(home.name())));
        (span_text(i.start_at, i.end_at, viewer), other)
    };
    let rid = i.recurrence_id.map(|r| r.to_string());
    Entry {
        href: (!i.busy_only).then(|| event_href(i.event, rid.as_deref())),
        summary: i.summary.clone(),
        time,
        other_time,
        location: i.location.clone(),
        marks: marks_of(i),
        class: entry_class(i),
    }
}

struct CalLink<'a> {
    person: Option<&'a str>,
    room: Option<&'a str>,
    tz: Option<&'a str>,
}

impl CalLink<'_> {
    fn to(&self, date: Option<Date>, view: &str) -> String {
        let mut q: Vec<String> = Vec::new();
        if let Some(p) = self.person {
            q.push(format!("person={}", url_encode(p)));
        }
        if let Some(r) = self.room {
            q.push(format!("room={}", url_encode(r)));
        }
        if let Some(d) = date {
            q.push(format!("date={d}"));
        }
        if view == "day" {
            q.push("view=day".into());
        }
        if let Some(t) = self.tz {
            q.push(format!("tz={}", url_encode(t)));
        }
        if q.is_empty() {
            "/calendar".into()
        } else {
            format!("/calendar?{}", q.join("&"))
        }
    }
}

pub async fn calendar(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<CalendarQuery>,
) -> WebResult {
    let c = caller(&auth);
    let org = auth.org();
    let mut errors = Vec::new();
    let (person_q, room_q): (Option<String>, Option<String>) = match nonempty(&q.of) {
        Some(o) => match (o.strip_prefix("r:"), o.strip_prefix("p:")) {
            (Some(r), _) => (None, Some(r.to_string())),
            (_, Some(p)) => (Some(p.to_string()), None),
            _ => (None, None),
        },
        None => (
            nonempty(&q.person).map(str::to_string),
            nonempty(&q.room).map(str::to_string),
        ),
    };
    let (of, title, home, home_owner, person_id, room_id) = match &room_q {
        Some(r) => {
            let rid: ResourceId = parse_path_id(r, "room")?;
            let res = cal_ops::get_resource(&state, &c, org, rid).await?;
            (
                AgendaOf::Room(rid),
                format!("{} (room)", res.name),
                zone_named(&res.time_zone),
                format!("{}'s", res.name),
                None,
                Some(rid),
            )
        }
        None => {
            let pid: PersonId = match &person_q {
                Some(p) => parse_path_id(p, "person")?,
                None => cal_ops::subject(&c, None)?,
            };
            let p = crate::ops::get_person(&state, &c, org, pid).await?;
            let title = if pid == auth.person.id {
                "My calendar".to_string()
            } else {
                format!("{}'s calendar", p.name)
            };
            let first = p.name.split_whitespace().next().unwrap_or("").to_string();
            (
                AgendaOf::Person(pid),
                title,
                zone_named(&p.time_zone),
                format!("{first}'s"),
                Some(pid),
                None,
            )
        }
    };
    let viewer = match nonempty(&q.tz) {
        Some(t) => match Zone::parse("tz", t) {
            Ok(z) => z,
            Err(e) => {
                errors.extend(e.errors);
                viewer_zone(&auth)
            }
        },
        None => viewer_zone(&auth),
    };
    let is_day = q.view.as_deref() == Some("day");
    let date = match nonempty(&q.date) {
        Some(d) => match d.parse::<Date>() {
            Ok(d) => d,
            Err(_) => {
                errors.push(one_error("date", format!("`{d}` is not a date like 2026-12-07")));
                today(&viewer)
            }
        },
        None => today(&viewer),
    };
    let (first, ndays) = if is_day { (date, 1) } else { (monday_of(date), 7) };
    let window = TimeRange {
        start: viewer.start_of_day(first),
        end: viewer.start_of_day(add_days(first, ndays)),
    };
    let items = cal_ops::agenda(&state, &c, org, of, window).await?;
    let now_day = today(&viewer);
    let mut days = Vec::new();
    for k in 0..ndays {
        let d = add_days(first, k);
        let range = TimeRange {
            start: viewer.start_of_day(d),
            end: viewer.start_of_day(add_days(d, 1)),
        };
        let mut block = DayBlock {
            heading: date_long(d),
            iso: d.to_string(),
            is_today: d == now_day,
            all_day: vec![],
            timed: vec![],
        };
        for i in &items {
            if i.all_day {
                let (s, e) = (i.start.local().date(), i.end.local().date());
                if s <= d && (d < e || (s == e && s == d)) {
                    block.all_day.push(entry(i, &viewer, &home));
                }
            } else if range.overlaps(&TimeRange {
                start: i.start_at,
                end: i.end_at,
            }) || (i.start_at == i.end_at && range.contains(i.start_at))
            {
                block.timed.push(entry(i, &viewer, &home));
            }
        }
        days.push(block);
    }
    let person_s = person_id.map(|p| p.to_string());
    let room_s = room_id.map(|r| r.to_string());
    let tz_s = nonempty(&q.tz).map(str::to_string);
    let link = CalLink {
        person: person_s.as_deref(),
        room: room_s.as_deref(),
        tz: tz_s.as_deref(),
    };
    let view = if is_day { "day" } else { "week" };
    let zones_note = if home.name() == viewer.name() {
        format!("Times in {}.", viewer.name())
    } else {
        format!(
            "Times in {} and, after the dot, in {} ({} zone).",
            viewer.name(),
            home.name(),
            home_owner
        )
    };
    let range_text = if is_day {
        date_long(first)
    } else {
        format!(
            "{} – {}",
            first.strftime("%-d %b"),
            add_days(first, 6).strftime("%-d %b %Y")
        )
    };
    let people = crate::ops::list_people(&state, &c, org).await?;
    let rooms = or_empty_if_forbidden(cal_ops::list_resources(&state, &c, org).await)?;
    let new_href = match (&person_s, &room_s) {
        (_, Some(r)) => format!("/events/new?date={first}&room={r}"),
        (Some(p), _) => format!("/events/new?date={first}&person={p}"),
        _ => format!("/events/new?date={first}"),
    };
    let empty = items.is_empty();
    Ok(render_status(
        status_for(&errors),
        &CalendarPage {
            layout: Layout::new(&state, &auth, "calendar", q.notice.as_deref()).await?,
            title,
            zones_note,
            range_text,
            days,
            prev_href: link.to(Some(add_days(first, -ndays)), view),
            next_href: link.to(Some(add_days(first, ndays)), view),
            today_href: link.to(None, view),
            toggle_href: link.to(Some(date), if is_day { "week" } else { "day" }),
            toggle_label: if is_day { "Week" } else { "Day" },
            view_label: if is_day { "day" } else { "week" },
            is_day,
            new_href,
            settings_href: person_s
                .as_ref()
                .map(|p| format!("/calendar/settings?person={p}")),
            availability_href: person_s.as_ref().map(|p| format!("/availability?person={p}")),
            people: people
                .iter()
                .filter(|p| !p.disabled)
                .map(|p| Opt {
                    value: format!("p:{}", p.id),
                    label: p.name.clone(),
                    selected: Some(p.id) == person_id,
                })
                .collect(),
            rooms: rooms
                .iter()
                .map(|r| Opt {
                    value: format!("r:{}", r.id),
                    label: r.name.clone(),
                    selected: Some(r.id) == room_id,
                })
                .collect(),
            zones: zone_opts(viewer.name(), &[home.name(), &auth.person.time_zone]),
            date_value: date.to_string(),
            errors,
            empty,
        },
    ))
}

// ---------------------------------------------------------------------------
// The event editor
// ---------------------------------------------------------------------------

const WEEKDAYS: [(&str, &str, Weekday); 7] = [
    ("MO", "Mon", Weekday::Monday),
    ("TU", "Tue", Weekday::Tuesday),
    ("WE", "Wed", Weekday::Wednesday),
    ("TH", "Thu", Weekday::Thursday),
    ("FR", "Fri", Weekday::Friday),
    ("SA", "Sat", Weekday::Saturday),
    ("SU", "Sun", Weekday::Sunday),
];

fn weekday_code(w: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, _, x)| *x == w)
        .map_or("MO", |(c, _, _)| c)
}

fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

/// What the editor's form holds, as typed.
#[derive(Debug, Clone, Default)]
pub struct EventForm {
    pub person: String,
    pub summary: String,
    pub all_day: bool,
    pub start_date: String,
    pub start_time: String,
    pub end_date: String,
    pub end_time: String,
    pub duration: String,
    pub time_zone: String,
    /// "", daily, weekly, monthly or yearly.
    pub freq: String,
    pub interval: String,
    pub byday: Vec<String>,
    /// day (the same day of the month) or weekday (the n-th weekday).
    pub monthly: String,
    /// never, count or until.
    pub ends: String,
    pub count: String,
    pub until: String,
    pub rrule: String,
    pub attendees: String,
    pub room: String,
    pub location: String,
    pub visibility: String,
    pub transparency: String,
    pub priority: String,
    pub category: String,
    pub description: String,
}

impl EventForm {
    fn from_pairs(f: &[(String, String)]) -> EventForm {
        EventForm {
            person: trimmed(f, "person"),
            summary: field(f, "summary").unwrap_or_default(),
            all_day: field(f, "all_day").is_some(),
            start_date: trimmed(f, "start_date"),
            start_time: trimmed(f, "start_time"),
            end_date: trimmed(f, "end_date"),
            end_time: trimmed(f, "end_time"),
            duration: trimmed(f, "duration"),
            time_zone: trimmed(f, "time_zone"),
            freq: trimmed(f, "freq"),
            interval: trimmed(f, "interval"),
            byday: all_of(f, "byday"),
            monthly: trimmed(f, "monthly"),
            ends: trimmed(f, "ends"),
            count: trimmed(f, "count"),
            until: trimmed(f, "until"),
            rrule: trimmed(f, "rrule"),
            attendees: field(f, "attendees").unwrap_or_default(),
            room: trimmed(f, "room"),
            location: field(f, "location").unwrap_or_default(),
            visibility: trimmed(f, "visibility"),
            transparency: trimmed(f, "transparency"),
            priority: trimmed(f, "priority"),
            category: trimmed(f, "category"),
            description: field(f, "description").unwrap_or_default(),
        }
    }

    fn zone(&self, fallback: &Zone) -> Zone {
        Zone::parse("time_zone", &self.time_zone).unwrap_or_else(|_| fallback.clone())
    }
}

/// Start and end as the operations read them.
struct FormTimes {
    start: String,
    end: Option<String>,
    duration: Option<u32>,
}

fn form_times(f: &EventForm, errors: &mut Vec<FieldError>) -> FormTimes {
    let mut out = FormTimes {
        start: String::new(),
        end: None,
        duration: None,
    };
    if f.start_date.is_empty() {
        errors.push(one_error("start_date", "give the day it starts"));
        return out;
    }
    if f.all_day {
        out.start = f.start_date.clone();
        if !f.end_date.is_empty() {
            match f.end_date.parse::<Date>() {
                // The form asks for the last day; the event ends the day after it.
                Ok(d) => out.end = Some(add_days(d, 1).to_string()),
                Err(_) => errors.push(one_error(
                    "end_date",
                    format!("`{}` is not a date like 2026-12-07", f.end_date),
                )),
            }
        }
        return out;
    }
    if f.start_time.is_empty() {
        errors.push(one_error(
            "start_time",
            "give the time it starts, or tick “all day”",
        ));
        return out;
    }
    out.start = format!("{}T{}", f.start_date, f.start_time);
    if !f.end_time.is_empty() {
        let day = if f.end_date.is_empty() {
            &f.start_date
        } else {
            &f.end_date
        };
        out.end = Some(format!("{day}T{}", f.end_time));
    } else if !f.duration.is_empty() {
        match f.duration.parse::<u32>() {
            Ok(m) => out.duration = Some(m),
            Err(_) => errors.push(one_error(
                "duration",
                format!("`{}` is not a whole number of minutes", f.duration),
            )),
        }
    }
    out
}

/// The end for an edit when only a duration is given: the start plus that many minutes.
fn end_after(start: &str, minutes: u32) -> Option<String> {
    let dt: DateTime = start.parse().ok()?;
    let end = dt
        .checked_add(SignedDuration::from_mins(i64::from(minutes)))
        .ok()?;
    Some(end.strftime("%Y-%m-%dT%H:%M").to_string())
}

/// The RRULE the recurrence builder (or the advanced field) describes; `None` for no repetition.
fn rrule_of(f: &EventForm, fallback: &Zone, errors: &mut Vec<FieldError>) -> Option<String> {
    if !f.rrule.is_empty() {
        return Some(f.rrule.trim_start_matches("RRULE:").to_string());
    }
    let freq = match f.freq.as_str() {
        "daily" => "DAILY",
        "weekly" => "WEEKLY",
        "monthly" => "MONTHLY",
        "yearly" => "YEARLY",
        _ => return None,
    };
    let mut parts = vec![format!("FREQ={freq}")];
    if !f.interval.is_empty() && f.interval != "1" {
        match f.interval.parse::<u32>() {
            Ok(n) if n >= 1 => parts.push(format!("INTERVAL={n}")),
            _ => errors.push(one_error(
                "interval",
                format!("`{}` is not a whole number of at least 1", f.interval),
            )),
        }
    }
    let start = f.start_date.parse::<Date>().ok();
    if freq == "WEEKLY" {
        let days: Vec<&str> = WEEKDAYS
            .iter()
            .map(|(c, _, _)| *c)
            .filter(|c| f.byday.iter().any(|b| b == c))
            .collect();
        if !days.is_empty() {
            parts.push(format!("BYDAY={}", days.join(",")));
        }
    }
    if freq == "MONTHLY"
        && let Some(d) = start
    {
        if f.monthly == "weekday" {
            let nth = (d.day() - 1) / 7 + 1;
            let ord = if nth >= 5 { -1 } else { nth };
            parts.push(format!("BYDAY={ord}{}", weekday_code(d.weekday())));
        } else {
            parts.push(format!("BYMONTHDAY={}", d.day()));
        }
    }
    match f.ends.as_str() {
        "count" => match f.count.parse::<u32>() {
            Ok(n) if n >= 1 => parts.push(format!("COUNT={n}")),
            _ => errors.push(one_error(
                "count",
                format!("`{}` is not a whole number of at least 1", f.count),
            )),
        },
        "until" => match f.until.parse::<Date>() {
            Ok(d) if f.all_day => parts.push(format!("UNTIL={}", d.strftime("%Y%m%d"))),
            Ok(d) => {
                // A timed series ends at the end of that day in its zone, written in UTC.
                let z = f.zone(fallback);
                let last = z
                    .start_of_day(add_days(d, 1))
                    .checked_sub(SignedDuration::from_secs(1))
                    .unwrap_or(Timestamp::MAX);
                parts.push(format!("UNTIL={}", last.strftime("%Y%m%dT%H%M%SZ")));
            }
            Err(_) => errors.push(one_error(
                "until",
                format!("`{}` is not a date like 2026-12-31", f.until),
            )),
        },
        _ => {}
    }
    Some(parts.join(";"))
}

/// Fills the builder from a rule it can express; otherwise puts the rule in the advanced field.
fn fill_rule(form: &mut EventForm, r: &Rule, start: Date, z: &Zone) {
    let simple = r.by_second.is_empty()
        && r.by_minute.is_empty()
        && r.by_hour.is_empty()
        && r.by_year_day.is_empty()
        && r.by_week_no.is_empty()
        && r.by_month.is_empty()
        && r.by_set_pos.is_empty();
    let nth = (start.day() - 1) / 7 + 1;
    let ord = if nth >= 5 { -1 } else { nth };
    let fits = simple
        && match r.freq {
            Frequency::Daily | Frequency::Yearly => r.by_day.is_empty() && r.by_month_day.is_empty(),
            Frequency::Weekly => r.by_month_day.is_empty() && r.by_day.iter().all(|d| d.ordinal == 0),
            Frequency::Monthly => match (r.by_day.as_slice(), r.by_month_day.as_slice()) {
                ([], []) => true,
                ([], [d]) => *d == start.day(),
                ([w], []) => w.ordinal == ord && w.weekday == start.weekday(),
                _ => false,
            },
            _ => false,
        };
    if !fits {
        form.freq = String::new();
        form.rrule = r.to_string();
        return;
    }
    form.freq = match r.freq {
        Frequency::Daily => "daily",
        Frequency::Weekly => "weekly",
        Frequency::Monthly => "monthly",
        _ => "yearly",
    }
    .into();
    form.interval = r.interval.max(1).to_string();
    form.byday = r
        .by_day
        .iter()
        .map(|d| weekday_code(d.weekday).to_string())
        .collect();
    form.monthly = if r.freq == Frequency::Monthly && !r.by_day.is_empty() {
        "weekday".into()
    } else {
        "day".into()
    };
    match (r.count, r.until) {
        (Some(n), _) => {
            form.ends = "count".into();
            form.count = n.to_string();
        }
        (None, Some(u)) => {
            form.ends = "until".into();
            form.until = until_date(u, z).to_string();
        }
        _ => form.ends = "never".into(),
    }
}

fn until_date(u: Until, z: &Zone) -> Date {
    match u {
        Until::Date(d) => d,
        Until::Local(dt) => dt.date(),
        Until::Utc(t) => z.local(t).date(),
    }
}

fn ordinal_text(n: i8) -> String {
    match n {
        -1 => "last".into(),
        1 => "1st".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        n if n < 0 => format!("{}th from last", -n),
        n => format!("{n}th"),
    }
}

/// "Every 2 weeks on Monday and Wednesday, 10 times".
fn describe_rule(r: &Rule, z: &Zone) -> String {
    let (one, many) = match r.freq {
        Frequency::Daily => ("day", "days"),
        Frequency::Weekly => ("week", "weeks"),
        Frequency::Monthly => ("month", "months"),
        Frequency::Yearly => ("year", "years"),
        _ => return r.to_string(),
    };
    let mut s = if r.interval <= 1 {
        format!("Every {one}")
    } else {
        format!("Every {} {many}", r.interval)
    };
    if !r.by_day.is_empty() {
        let days: Vec<String> = r.by_day.iter().map(weekday_num_text).collect();
        s.push_str(&format!(" on {}", days.join(", ")));
    }
    if !r.by_month_day.is_empty() {
        let days: Vec<String> = r.by_month_day.iter().map(ToString::to_string).collect();
        s.push_str(&format!(" on day {}", days.join(", ")));
    }
    if let Some(n) = r.count {
        s.push_str(&format!(", {n} times"));
    }
    if let Some(u) = r.until {
        s.push_str(&format!(", until {}", until_date(u, z).strftime("%-d %B %Y")));
    }
    s
}

fn weekday_num_text(w: &WeekdayNum) -> String {
    if w.ordinal == 0 {
        weekday_name(w.weekday).to_string()
    } else {
        format!("the {} {}", ordinal_text(w.ordinal), weekday_name(w.weekday))
    }
}

#[derive(Template)]
#[template(path = "event_form.html")]
struct EventFormPage {
    layout: Layout,
    heading: String,
    action: String,
    editing: bool,
    cancel_href: String,
    form: EventForm,
    weekdays: Vec<(&'static str, &'static str, bool)>,
    freqs: Vec<Opt>,
    monthly_opts: Vec<Opt>,
    ends_opts: Vec<Opt>,
    rooms: Vec<Opt>,
    visibilities: Vec<Opt>,
    transparencies: Vec<Opt>,
    priorities: Vec<Opt>,
    categories: Vec<Opt>,
    zones: Vec<Opt>,
    errors: Vec<FieldError>,
}

/// Where the editor's form goes: a new event, or an existing one.
struct FormTarget {
    heading: String,
    action: String,
    editing: bool,
    cancel_href: String,
}

impl FormTarget {
    fn new_event(back: String) -> FormTarget {
        FormTarget {
            heading: "New event".into(),
            action: "/events".into(),
            editing: false,
            cancel_href: back,
        }
    }

    fn edit(id: EventId, summary: &str) -> FormTarget {
        FormTarget {
            heading: format!("Edit “{summary}”"),
            action: format!("/events/{id}"),
            editing: true,
            cancel_href: format!("/events/{id}"),
        }
    }
}

async fn event_form_page(
    state: &AppState,
    auth: &AuthCtx,
    target: FormTarget,
    form: EventForm,
    errors: Vec<FieldError>,
) -> WebResult {
    let FormTarget {
        heading,
        action,
        editing,
        cancel_href,
    } = target;
    let c = caller(auth);
    let rooms = or_empty_if_forbidden(cal_ops::list_resources(state, &c, auth.org()).await)?;
    let mut room_opts = vec![Opt {
        value: String::new(),
        label: "No room".into(),
        selected: form.room.is_empty(),
    }];
    room_opts.extend(
        rooms
            .iter()
            .filter(|r| r.bookable || r.id.to_string() == form.room)
            .map(|r| Opt {
                value: r.id.to_string(),
                label: format!("{} ({} seats)", r.name, r.capacity),
                selected: r.id.to_string() == form.room,
            }),
    );
    let categories: Vec<(&str, &str)> = Category::ALL
        .iter()
        .filter(|c| **c != Category::Hold || form.category == "hold")
        .map(|c| (c.as_str(), c.as_str()))
        .collect();
    let page = EventFormPage {
        layout: Layout::new(state, auth, "calendar", None).await?,
        heading,
        action,
        editing,
        cancel_href,
        weekdays: WEEKDAYS
            .iter()
            .map(|(code, label, _)| (*code, *label, form.byday.iter().any(|b| b == code)))
            .collect(),
        freqs: opts(
            &[
                ("", "Does not repeat"),
                ("daily", "Daily"),
                ("weekly", "Weekly"),
                ("monthly", "Monthly"),
                ("yearly", "Yearly"),
            ],
            &form.freq,
        ),
        monthly_opts: opts(
            &[
                ("day", "on the same day of the month"),
                ("weekday", "on the same weekday (e.g. the 2nd Tuesday)"),
            ],
            if form.monthly.is_empty() {
                "day"
            } else {
                &form.monthly
            },
        ),
        ends_opts: opts(
            &[
                ("never", "never"),
                ("count", "after a number of times"),
                ("until", "on a date"),
            ],
            if form.ends.is_empty() { "never" } else { &form.ends },
        ),
        rooms: room_opts,
        visibilities: opts(
            &[
                ("normal", "normal — colleagues see the details"),
                ("private", "private — others see only “busy”"),
                ("confidential", "confidential — hidden from others"),
            ],
            &form.visibility,
        ),
        transparencies: opts(&[("busy", "busy"), ("free", "free")], &form.transparency),
        priorities: opts(
            &[
                ("1", "1 — critical"),
                ("2", "2 — high"),
                ("3", "3 — normal"),
                ("4", "4 — low"),
            ],
            &form.priority,
        ),
        categories: opts(&categories, &form.category),
        zones: zone_opts(&form.time_zone, &[&auth.person.time_zone]),
        errors,
        form,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

#[derive(Deserialize, Default)]
pub struct NewEventQuery {
    date: Option<String>,
    time: Option<String>,
    person: Option<String>,
    room: Option<String>,
}

/// The zone of a person's default calendar (their own zone until it exists).
async fn calendar_zone_of(state: &AppState, auth: &AuthCtx, person: PersonId) -> Result<String, WebError> {
    let c = caller(auth);
    let p = crate::ops::get_person(state, &c, auth.org(), person).await?;
    let cals = or_empty_if_forbidden(cal_ops::list_calendars(state, &c, auth.org(), person).await)?;
    Ok(cals
        .iter()
        .find(|c| c.is_default)
        .map_or(p.time_zone, |c| c.time_zone.clone()))
}

pub async fn event_new(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NewEventQuery>,
) -> WebResult {
    let c = caller(&auth);
    let person: PersonId = match nonempty(&q.person) {
        Some(p) => parse_path_id(p, "person")?,
        None => cal_ops::subject(&c, None)?,
    };
    let tz = calendar_zone_of(&state, &auth, person).await?;
    let date = nonempty(&q.date)
        .and_then(|d| d.parse::<Date>().ok())
        .unwrap_or_else(|| today(&zone_named(&tz)));
    let form = EventForm {
        person: person.to_string(),
        start_date: date.to_string(),
        start_time: nonempty(&q.time).unwrap_or("09:00").to_string(),
        duration: "60".into(),
        time_zone: tz,
        interval: "1".into(),
        monthly: "day".into(),
        ends: "never".into(),
        room: nonempty(&q.room).unwrap_or("").to_string(),
        visibility: "normal".into(),
        transparency: "busy".into(),
        priority: "3".into(),
        category: "meeting".into(),
        ..EventForm::default()
    };
    let back = format!("/calendar?person={person}&date={date}");
    event_form_page(&state, &auth, FormTarget::new_event(back), form, vec![]).await
}

pub async fn event_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let form = EventForm::from_pairs(&f);
    let mut errors = Vec::new();
    let fallback = viewer_zone(&auth);
    let times = form_times(&form, &mut errors);
    let rrule = rrule_of(&form, &fallback, &mut errors);
    let priority = match form.priority.parse::<u8>() {
        Ok(p) => Some(p),
        Err(_) if form.priority.is_empty() => None,
        Err(_) => {
            errors.push(one_error("priority", "choose 1 to 4"));
            None
        }
    };
    let back = if form.person.is_empty() {
        "/calendar".to_string()
    } else {
        format!("/calendar?person={}", url_encode(&form.person))
    };
    if !errors.is_empty() {
        return event_form_page(&state, &auth, FormTarget::new_event(back), form, errors).await;
    }
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_string());
    let input = EventInput {
        person: some(&form.person),
        summary: form.summary.clone(),
        description: some(&form.description),
        start: times.start,
        end: times.end,
        duration_minutes: times.duration,
        time_zone: some(&form.time_zone),
        rrule,
        location: some(&form.location),
        attendees: attendee_lines(&form.attendees),
        room: some(&form.room),
        visibility: some(&form.visibility),
        transparency: some(&form.transparency),
        priority,
        category: some(&form.category),
        ..EventInput::default()
    };
    match cal_ops::create_event(&state, &caller(&auth), auth.org(), &input).await {
        Ok(e) => Ok(Redirect::to(&format!("/events/{}?notice=event-created", e.id)).into_response()),
        Err(e) if is_user_error(&e) => {
            event_form_page(
                &state,
                &auth,
                FormTarget::new_event(back),
                form,
                validation_errors(&e),
            )
            .await
        }
        Err(e) => Err(WebError(e)),
    }
}

fn attendee_line(a: &adjutant_core::calendar::Attendee) -> String {
    let who = match (&a.email, a.person) {
        (Some(e), None) if a.name != *e && !a.name.is_empty() => format!("{} <{e}>", a.name),
        (Some(e), _) => e.clone(),
        (None, Some(p)) => p.to_string(),
        (None, None) => a.name.clone(),
    };
    if a.role == AttendeeRole::Optional {
        format!("?{who}")
    } else {
        who
    }
}

fn time_parts(t: &EventTime) -> (String, String) {
    let l = t.local();
    (
        l.date().to_string(),
        if t.is_date() {
            String::new()
        } else {
            l.strftime("%H:%M").to_string()
        },
    )
}

/// The editor's form for an existing event.
fn form_of(e: &EventRecord, cal_zone: &Zone) -> EventForm {
    let d = &e.data;
    let z = d.start.zone().cloned().unwrap_or_else(|| cal_zone.clone());
    let (start_date, start_time) = time_parts(&d.start);
    let (end_date, end_time) = if d.end.is_date() {
        let last = add_days(d.end.local().date(), -1);
        (last.to_string(), String::new())
    } else {
        time_parts(&d.end)
    };
    let mut form = EventForm {
        person: String::new(),
        summary: d.summary.clone(),
        all_day: d.start.is_date(),
        start_date,
        start_time,
        end_date,
        end_time,
        duration: String::new(),
        time_zone: d.start.zone().map(|z| z.name().to_string()).unwrap_or_default(),
        freq: String::new(),
        interval: "1".into(),
        byday: vec![],
        monthly: "day".into(),
        ends: "never".into(),
        count: String::new(),
        until: String::new(),
        rrule: String::new(),
        attendees: d
            .attendees
            .iter()
            .map(attendee_line)
            .collect::<Vec<_>>()
            .join("\n"),
        room: e.room.map(|r| r.to_string()).unwrap_or_default(),
        location: d.location.as_ref().map(|l| l.text.clone()).unwrap_or_default(),
        visibility: d.visibility.as_str().into(),
        transparency: d.transparency.as_str().into(),
        priority: d.priority.get().to_string(),
        category: d.category.as_str().into(),
        description: d.description.clone(),
    };
    match d.recurrence.rules.as_slice() {
        [] => {}
        [r] => fill_rule(&mut form, r, d.start.local().date(), &z),
        many => {
            form.rrule = many.first().map(ToString::to_string).unwrap_or_default();
        }
    }
    form
}

pub async fn event_edit(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: EventId = parse_path_id(&id, "event")?;
    let c = caller(&auth);
    let (e, _view, can_edit) = cal_ops::get_event(&state, &c, auth.org(), id).await?;
    if !can_edit {
        return Err(WebError(ApiError::forbidden("you may not change this event")));
    }
    let cal = state.store.calendar_get(auth.org(), e.calendar).await?;
    let form = form_of(&e, &zone_named(&cal.time_zone));
    event_form_page(&state, &auth, FormTarget::edit(id, &e.data.summary), form, vec![]).await
}

pub async fn event_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: EventId = parse_path_id(&id, "event")?;
    let f = form_pairs(&body);
    let form = EventForm::from_pairs(&f);
    let mut errors = Vec::new();
    let fallback = viewer_zone(&auth);
    let times = form_times(&form, &mut errors);
    let rrule = rrule_of(&form, &fallback, &mut errors);
    let priority = match form.priority.parse::<u8>() {
        Ok(p) => Some(p),
        Err(_) => {
            errors.push(one_error("priority", "choose 1 to 4"));
            None
        }
    };
    let summary = form.summary.clone();
    if !errors.is_empty() {
        return event_form_page(&state, &auth, FormTarget::edit(id, &summary), form, errors).await;
    }
    let end = match (times.end, times.duration) {
        (Some(e), _) => Some(e),
        (None, Some(m)) => end_after(&times.start, m),
        // An all-day event with no last day lasts one day.
        (None, None) if form.all_day => times
            .start
            .parse::<Date>()
            .ok()
            .map(|d| add_days(d, 1).to_string()),
        (None, None) => None,
    };
    let patch = EventPatch {
        summary: Some(form.summary.clone()),
        description: Some(form.description.clone()),
        start: Some(times.start),
        end,
        time_zone: (!form.time_zone.is_empty()).then(|| form.time_zone.clone()),
        rrule: Some(rrule.unwrap_or_default()),
        exdates: None,
        rdates: None,
        location: Some(form.location.clone()),
        attendees: Some(attendee_lines(&form.attendees)),
        room: Some(form.room.clone()),
        visibility: Some(form.visibility.clone()),
        transparency: Some(form.transparency.clone()),
        priority,
        category: Some(form.category.clone()),
        status: None,
    };
    match cal_ops::update_event(&state, &caller(&auth), auth.org(), id, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?notice=event-updated")).into_response()),
        Err(e) if is_user_error(&e) => {
            event_form_page(
                &state,
                &auth,
                FormTarget::edit(id, &summary),
                form,
                validation_errors(&e),
            )
            .await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// The event page and its actions
// ---------------------------------------------------------------------------

pub struct AttendeeRow {
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub rsvp: &'static str,
}

pub struct OccurrenceRow {
    pub rid: String,
    pub when: String,
    pub other: Option<String>,
    pub moved: bool,
    pub highlight: bool,
    pub move_date: String,
    pub move_time: String,
}

pub struct ItipRow {
    pub id: String,
    pub method: String,
    pub recipient: String,
    pub created: String,
}

pub struct RsvpBox {
    pub person: String,
    pub name: String,
    pub current: &'static str,
    pub for_self: bool,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    layout: Layout,
    id: String,
    full: bool,
    can_edit: bool,
    summary: String,
    when: String,
    when_other: Option<String>,
    all_day: bool,
    status: &'static str,
    cancelled: bool,
    repeats: Option<String>,
    rrule: String,
    location: Option<String>,
    room: Option<(String, String)>,
    organiser: Option<String>,
    calendar_of: String,
    calendar_href: String,
    attendees: Vec<AttendeeRow>,
    visibility: &'static str,
    transparency: &'static str,
    priority: u8,
    category: &'static str,
    description: String,
    event_zone: String,
    occurrences: Vec<OccurrenceRow>,
    /// The occurrence the page was opened for, as the calendar showed it.
    this_occurrence: Option<String>,
    later_href: Option<String>,
    cancelled_occurrences: Vec<String>,
    move_date: String,
    move_time: String,
    rsvp: Option<RsvpBox>,
    rsvp_choices: Vec<(&'static str, &'static str)>,
    itip: Vec<ItipRow>,
    meeting_request: Option<String>,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default)]
pub struct EventQuery {
    occurrence: Option<String>,
    from: Option<String>,
    notice: Option<String>,
}

/// How far ahead the event page lists a series' occurrences.
const OCCURRENCE_WEEKS: i64 = 8;

async fn event_page_render(
    state: &AppState,
    auth: &AuthCtx,
    id: EventId,
    occurrence: Option<&str>,
    from: Option<Date>,
    notice: Option<&str>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let (e, view, can_edit) = cal_ops::get_event(state, &c, org, id).await?;
    let cal = state.store.calendar_get(org, e.calendar).await?;
    let cal_zone = zone_named(&cal.time_zone);
    let viewer = viewer_zone(auth);
    let d = &e.data;
    let ez = d.start.zone().cloned().unwrap_or_else(|| cal_zone.clone());
    let full = view == View::Full;
    let (start_at, end_at) = (d.start.instant(&cal_zone), d.end.instant(&cal_zone));
    let (when, when_other) = if d.start.is_date() {
        let last = add_days(d.end.local().date(), -1);
        let first = d.start.local().date();
        (
            if last <= first {
                format!("{} (all day)", date_long(first))
            } else {
                format!("{} – {} (all day)", date_long(first), date_long(last))
            },
            None,
        )
    } else {
        (
            when_span(start_at, end_at, &viewer),
            (ez.name() != viewer.name())
                .then(|| format!("{} {}", when_span(start_at, end_at, &ez), ez.name())),
        )
    };
    let (calendar_of, calendar_href, agenda_of) = match cal.owner {
        CalendarOwner::Person(p) => {
            let name = state.store.person_get(org, p).await?.name;
            (name, format!("/calendar?person={p}"), AgendaOf::Person(p))
        }
        CalendarOwner::Resource(r) => {
            let name = state.store.resource_get(org, r).await?.name;
            (name, format!("/calendar?room={r}"), AgendaOf::Room(r))
        }
    };
    let room = match e.room {
        Some(r) => match state.store.resource_get(org, r).await {
            Ok(res) => Some((r.to_string(), res.name)),
            Err(_) => None,
        },
        None => None,
    };
    // Some weeks of a series, as the calendar shows them: from the occurrence asked
    // about, or from today (or the series' start, when that is later).
    let mut occurrences = Vec::new();
    let mut later_href = None;
    if d.is_recurring() {
        let now = Timestamp::now();
        let base = from
            .or_else(|| {
                occurrence
                    .and_then(|o| o.parse::<RecurrenceId>().ok())
                    .map(|r| r.0.date())
            })
            .or_else(|| (start_at > now).then(|| viewer.local(start_at).date()))
            .unwrap_or_else(|| today(&viewer));
        let until = add_days(base, 7 * OCCURRENCE_WEEKS);
        later_href = Some(format!("/events/{id}?from={until}"));
        let window = TimeRange {
            start: viewer.start_of_day(base),
            end: viewer.start_of_day(until),
        };
        let items = cal_ops::agenda(state, &c, org, agenda_of, window).await?;
        for i in items.iter().filter(|i| i.event == id) {
            let rid = i.recurrence_id.map(|r| r.to_string()).unwrap_or_default();
            let (move_date, move_time) = time_parts(&i.start);
            occurrences.push(OccurrenceRow {
                highlight: occurrence == Some(rid.as_str()),
                when: if i.all_day {
                    date_long(i.start.local().date())
                } else {
                    when_span(i.start_at, i.end_at, &viewer)
                },
                other: (!i.all_day && ez.name() != viewer.name())
                    .then(|| format!("{} {}", span_text(i.start_at, i.end_at, &ez), city(ez.name()))),
                moved: i.moved,
                rid,
                move_date,
                move_time,
            });
        }
    }
    let cancelled_occurrences = e
        .overrides
        .iter()
        .filter(|o| o.data.status == EventStatus::Cancelled)
        .map(|o| {
            if o.data.start.is_date() {
                date_long(o.recurrence_id.0.date())
            } else {
                format!(
                    "{} ({})",
                    o.recurrence_id.0.strftime("%a %-d %b %Y, %H:%M"),
                    ez.name()
                )
            }
        })
        .collect();
    let subject = cal_ops::subject(&c, None)?;
    let rsvp = if full {
        d.attendees
            .iter()
            .find(|a| {
                a.person == Some(subject) && d.organiser.as_ref().and_then(|o| o.person) != Some(subject)
            })
            .map(|a| RsvpBox {
                person: subject.to_string(),
                name: a.name.clone(),
                current: a.rsvp.as_str(),
                for_self: subject == auth.person.id,
            })
    } else {
        None
    };
    let itip = if can_edit {
        cal_ops::event_itip(state, &c, org, id)
            .await?
            .iter()
            .rev()
            .map(|m| ItipRow {
                id: m.id.to_string(),
                method: m.method.clone(),
                recipient: m.recipient.clone(),
                created: when_text(m.created_at, &viewer),
            })
            .collect()
    } else {
        vec![]
    };
    let (move_date, move_time) = time_parts(&d.start);
    let this_occurrence = occurrences.iter().find(|o| o.highlight).map(|o| match &o.other {
        Some(x) => format!("{} · {x}", o.when),
        None => o.when.clone(),
    });
    let page = EventPage {
        this_occurrence,
        layout: Layout::new(state, auth, "calendar", notice).await?,
        id: id.to_string(),
        full,
        can_edit,
        summary: if full { d.summary.clone() } else { "Busy".into() },
        when,
        when_other,
        all_day: d.start.is_date(),
        status: d.status.as_str(),
        cancelled: d.status == EventStatus::Cancelled,
        repeats: d.recurrence.rules.first().map(|r| describe_rule(r, &ez)),
        rrule: d
            .recurrence
            .rules
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        location: if full {
            d.location.as_ref().map(|l| l.text.clone())
        } else {
            None
        },
        room,
        organiser: if full {
            d.organiser.as_ref().map(|o| o.name.clone())
        } else {
            None
        },
        calendar_of,
        calendar_href,
        attendees: if full {
            d.attendees
                .iter()
                .map(|a| AttendeeRow {
                    name: a.name.clone(),
                    email: a.email.clone().unwrap_or_default(),
                    role: a.role.as_str(),
                    rsvp: rsvp_label(a.rsvp),
                })
                .collect()
        } else {
            vec![]
        },
        visibility: d.visibility.as_str(),
        transparency: d.transparency.as_str(),
        priority: d.priority.get(),
        category: if full { d.category.as_str() } else { "meeting" },
        description: if full {
            d.description.clone()
        } else {
            String::new()
        },
        event_zone: ez.name().to_string(),
        occurrences,
        later_href,
        cancelled_occurrences,
        move_date,
        move_time,
        rsvp,
        rsvp_choices: vec![
            ("accepted", "Accept"),
            ("tentative", "Maybe"),
            ("declined", "Decline"),
        ],
        itip,
        meeting_request: e.meeting_request.map(|r| r.to_string()),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

fn rsvp_label(r: Rsvp) -> &'static str {
    match r {
        Rsvp::NeedsAction => "not answered",
        Rsvp::Accepted => "accepted",
        Rsvp::Tentative => "maybe",
        Rsvp::Declined => "declined",
    }
}

pub async fn event_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<EventQuery>,
) -> WebResult {
    let id: EventId = parse_path_id(&id, "event")?;
    event_page_render(
        &state,
        &auth,
        id,
        nonempty(&q.occurrence),
        nonempty(&q.from).and_then(|f| f.parse::<Date>().ok()),
        q.notice.as_deref(),
        vec![],
    )
    .await
}

pub async fn event_move(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: EventId = parse_path_id(&id, "event")?;
    let f = form_pairs(&body);
    let date = trimmed(&f, "start_date");
    let time = trimmed(&f, "start_time");
    let rid = Some(trimmed(&f, "recurrence_id")).filter(|r| !r.is_empty());
    if date.is_empty() {
        return event_page_render(
            &state,
            &auth,
            id,
            rid.as_deref(),
            None,
            None,
            vec![one_error("start_date", "give the new day")],
        )
        .await;
    }
    let input = MoveInput {
        start: if time.is_empty() {
            date
        } else {
            format!("{date}T{time}")
        },
        end: None,
        time_zone: None,
        recurrence_id: rid.clone(),
    };
    let done = cal_ops::move_event(&state, &caller(&auth), auth.org(), id, &input).await;
    after_change(
        &state,
        &auth,
        id,
        rid,
        done.map(|_| ()),
        ("occurrence-moved", "event-moved"),
    )
    .await
}

pub async fn event_cancel(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: EventId = parse_path_id(&id, "event")?;
    let f = form_pairs(&body);
    let rid = Some(trimmed(&f, "recurrence_id")).filter(|r| !r.is_empty());
    let input = CancelInput {
        recurrence_id: rid.clone(),
    };
    let done = cal_ops::cancel_event(&state, &caller(&auth), auth.org(), id, &input).await;
    after_change(
        &state,
        &auth,
        id,
        rid,
        done.map(|_| ()),
        ("occurrence-cancelled", "event-cancelled"),
    )
    .await
}

/// After a move or cancellation of an event (or of one occurrence): back to its
/// page with a notice, or the page again with the errors.
async fn after_change(
    state: &AppState,
    auth: &AuthCtx,
    id: EventId,
    rid: Option<String>,
    done: Result<(), ApiError>,
    (one, all): (&str, &str),
) -> WebResult {
    match done {
        Ok(()) => {
            let key = if rid.is_some() { one } else { all };
            Ok(Redirect::to(&format!("/events/{id}?notice={key}")).into_response())
        }
        Err(e) if is_user_error(&e) => {
            event_page_render(state, auth, id, rid.as_deref(), None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn event_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: EventId = parse_path_id(&id, "event")?;
    let c = caller(&auth);
    let e = cal_ops::delete_event(&state, &c, auth.org(), id).await?;
    let back = match state
        .store
        .calendar_get(auth.org(), e.calendar)
        .await
        .map(|c| c.owner)
    {
        Ok(CalendarOwner::Person(p)) => format!("/calendar?person={p}&notice=event-deleted"),
        Ok(CalendarOwner::Resource(r)) => format!("/calendar?room={r}&notice=event-deleted"),
        Err(_) => "/calendar?notice=event-deleted".into(),
    };
    Ok(Redirect::to(&back).into_response())
}

pub async fn event_rsvp(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: EventId = parse_path_id(&id, "event")?;
    let f = form_pairs(&body);
    let input = RsvpInput {
        rsvp: trimmed(&f, "rsvp"),
        person: Some(trimmed(&f, "person")).filter(|p| !p.is_empty()),
    };
    match cal_ops::rsvp_event(&state, &caller(&auth), auth.org(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?notice=rsvp-saved")).into_response()),
        Err(e) if is_user_error(&e) => {
            event_page_render(&state, &auth, id, None, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Rooms and travel times
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub struct RoomForm {
    pub name: String,
    pub capacity: String,
    pub equipment: String,
    pub location: String,
    pub time_zone: String,
    pub bookable: bool,
}

impl RoomForm {
    fn of(r: &Resource) -> RoomForm {
        RoomForm {
            name: r.name.clone(),
            capacity: r.capacity.to_string(),
            equipment: r.equipment.join(", "),
            location: r.location.clone(),
            time_zone: r.time_zone.clone(),
            bookable: r.bookable,
        }
    }

    fn from_pairs(f: &[(String, String)]) -> RoomForm {
        RoomForm {
            name: field(f, "name").unwrap_or_default(),
            capacity: trimmed(f, "capacity"),
            equipment: field(f, "equipment").unwrap_or_default(),
            location: field(f, "location").unwrap_or_default(),
            time_zone: trimmed(f, "time_zone"),
            bookable: field(f, "bookable").is_some(),
        }
    }

    fn input(&self) -> Result<ResourceForm, Vec<FieldError>> {
        let capacity = self.capacity.parse::<u32>().map_err(|_| {
            vec![one_error(
                "capacity",
                format!("`{}` is not a whole number of seats", self.capacity),
            )]
        })?;
        Ok(ResourceForm {
            name: self.name.clone(),
            capacity,
            equipment: self
                .equipment
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_string)
                .collect(),
            location: self.location.clone(),
            time_zone: (!self.time_zone.is_empty()).then(|| self.time_zone.clone()),
            bookable: Some(self.bookable),
            ..ResourceForm::default()
        })
    }
}

pub struct RoomRow {
    pub id: String,
    pub name: String,
    pub capacity: u32,
    pub equipment: String,
    pub location: String,
    pub time_zone: String,
    pub bookable: bool,
    pub form: RoomForm,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "rooms.html")]
struct RoomsPage {
    layout: Layout,
    rooms: Vec<RoomRow>,
    can_manage: bool,
    form: RoomForm,
    travel: Vec<(String, String, u32)>,
    travel_default: u32,
    travel_form: (String, String, String),
    errors: Vec<FieldError>,
}

#[derive(Default)]
struct RoomsState {
    new_form: Option<RoomForm>,
    editing: Option<(String, RoomForm)>,
    travel_form: Option<(String, String, String)>,
}

async fn rooms_page(
    state: &AppState,
    auth: &AuthCtx,
    notice: Option<&str>,
    st: RoomsState,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    // Desks and equipment are on the spaces page.
    let mut list = cal_ops::list_resources(state, &c, org).await?;
    list.retain(|r| r.kind == "room");
    let travel = sched_ops::travel_table(state, &c, org).await?;
    let rooms = list
        .iter()
        .map(|r| {
            let id = r.id.to_string();
            let (form, open) = match &st.editing {
                Some((eid, f)) if *eid == id => (f.clone(), true),
                _ => (RoomForm::of(r), false),
            };
            RoomRow {
                name: r.name.clone(),
                capacity: r.capacity,
                equipment: r.equipment.join(", "),
                location: r.location.clone(),
                time_zone: r.time_zone.clone(),
                bookable: r.bookable,
                form,
                open,
                id,
            }
        })
        .collect();
    let page = RoomsPage {
        layout: Layout::new(state, auth, "rooms", notice).await?,
        rooms,
        can_manage: policy::may(&auth.actor, org, Capability::ManageResources).is_ok(),
        form: st.new_form.unwrap_or_else(|| RoomForm {
            time_zone: auth.person.time_zone.clone(),
            bookable: true,
            ..RoomForm::default()
        }),
        travel: travel.pairs,
        travel_default: travel.default_minutes,
        travel_form: st.travel_form.unwrap_or_default(),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

#[derive(Deserialize, Default)]
pub struct NoticeOnly {
    notice: Option<String>,
}

pub async fn rooms(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeOnly>,
) -> WebResult {
    rooms_page(&state, &auth, q.notice.as_deref(), RoomsState::default(), vec![]).await
}

pub async fn room_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManageResources)?;
    let form = RoomForm::from_pairs(&form_pairs(&body));
    let result = match form.input() {
        Ok(input) => cal_ops::create_resource(&state, &c, auth.org(), &input)
            .await
            .map_err(|e| {
                if is_user_error(&e) {
                    Ok(validation_errors(&e))
                } else {
                    Err(e)
                }
            }),
        Err(errs) => Err(Ok(errs)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/rooms?notice=room-created").into_response()),
        Err(Ok(errors)) => {
            rooms_page(
                &state,
                &auth,
                None,
                RoomsState {
                    new_form: Some(form),
                    ..RoomsState::default()
                },
                errors,
            )
            .await
        }
        Err(Err(e)) => Err(WebError(e)),
    }
}

pub async fn room_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManageResources)?;
    let rid: ResourceId = parse_path_id(&id, "room")?;
    let form = RoomForm::from_pairs(&form_pairs(&body));
    let result = match form.input() {
        Ok(input) => cal_ops::update_resource(&state, &c, auth.org(), rid, &input)
            .await
            .map_err(|e| {
                if is_user_error(&e) {
                    Ok(validation_errors(&e))
                } else {
                    Err(e)
                }
            }),
        Err(errs) => Err(Ok(errs)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/rooms?notice=room-updated").into_response()),
        Err(Ok(errors)) => {
            rooms_page(
                &state,
                &auth,
                None,
                RoomsState {
                    editing: Some((rid.to_string(), form)),
                    ..RoomsState::default()
                },
                errors,
            )
            .await
        }
        Err(Err(e)) => Err(WebError(e)),
    }
}

pub async fn travel_set(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let (from, to, minutes) = (
        field(&f, "from").unwrap_or_default(),
        field(&f, "to").unwrap_or_default(),
        trimmed(&f, "minutes"),
    );
    let keep = RoomsState {
        travel_form: Some((from.clone(), to.clone(), minutes.clone())),
        ..RoomsState::default()
    };
    let minutes_n = if minutes.is_empty() {
        None
    } else {
        match minutes.parse::<u32>() {
            Ok(m) => Some(m),
            Err(_) => {
                let errs = vec![one_error(
                    "minutes",
                    format!("`{minutes}` is not a whole number of minutes"),
                )];
                return rooms_page(&state, &auth, None, keep, errs).await;
            }
        }
    };
    let input = TravelInput {
        from,
        to,
        minutes: minutes_n,
    };
    match sched_ops::set_travel(&state, &caller(&auth), auth.org(), &input).await {
        Ok(_) => Ok(Redirect::to("/rooms?notice=travel-saved").into_response()),
        Err(e) if is_user_error(&e) => rooms_page(&state, &auth, None, keep, validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

pub async fn travel_default(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let minutes = trimmed(&f, "minutes");
    let Ok(m) = minutes.parse::<u32>() else {
        let errs = vec![one_error(
            "default minutes",
            format!("`{minutes}` is not a whole number of minutes"),
        )];
        return rooms_page(&state, &auth, None, RoomsState::default(), errs).await;
    };
    match sched_ops::set_travel_default(&state, &caller(&auth), auth.org(), m).await {
        Ok(_) => Ok(Redirect::to("/rooms?notice=travel-saved").into_response()),
        Err(e) if is_user_error(&e) => {
            rooms_page(&state, &auth, None, RoomsState::default(), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Availability
// ---------------------------------------------------------------------------

pub struct DayRow {
    pub key: &'static str,
    pub label: &'static str,
    pub s1: String,
    pub e1: String,
    pub s2: String,
    pub e2: String,
    pub no_meetings: bool,
}

#[derive(Debug, Clone, Default)]
pub struct AvailForm {
    pub time_zone: String,
    /// Per weekday: the two spans' start and end, and whether meetings are refused.
    pub days: Vec<(String, String, String, String, bool)>,
    pub lunch_start: String,
    pub lunch_end: String,
    pub buffer_before: String,
    pub buffer_after: String,
    pub min_notice: String,
    pub max_meetings: String,
    pub focus_hours: String,
    pub focus_block: String,
}

impl AvailForm {
    fn of(a: &Availability) -> AvailForm {
        let days = DayOfWeek::ALL
            .iter()
            .map(|d| {
                let spans = a.working_hours.get(*d);
                let part = |i: usize, end: bool| {
                    spans
                        .get(i)
                        .map(|s| if end { s.end } else { s.start }.to_string())
                        .unwrap_or_default()
                };
                (
                    part(0, false),
                    part(0, true),
                    part(1, false),
                    part(1, true),
                    a.no_meeting_days.contains(d),
                )
            })
            .collect();
        AvailForm {
            time_zone: a.zone.name().to_string(),
            days,
            lunch_start: a.lunch.map(|l| l.start.to_string()).unwrap_or_default(),
            lunch_end: a.lunch.map(|l| l.end.to_string()).unwrap_or_default(),
            buffer_before: a.buffer_before.to_string(),
            buffer_after: a.buffer_after.to_string(),
            min_notice: a.min_notice.to_string(),
            max_meetings: a.max_meetings_per_day.map(|n| n.to_string()).unwrap_or_default(),
            focus_hours: a
                .focus_goal
                .map(|g| {
                    let h = f64::from(g.weekly_minutes) / 60.0;
                    if g.weekly_minutes % 60 == 0 {
                        format!("{}", g.weekly_minutes / 60)
                    } else {
                        format!("{h:.2}")
                    }
                })
                .unwrap_or_default(),
            focus_block: a.focus_goal.map(|g| g.min_block.to_string()).unwrap_or_default(),
        }
    }

    fn from_pairs(f: &[(String, String)]) -> AvailForm {
        let no = all_of(f, "no_meetings");
        AvailForm {
            time_zone: trimmed(f, "time_zone"),
            days: DayOfWeek::ALL
                .iter()
                .map(|d| {
                    let k = d.as_str();
                    (
                        trimmed(f, &format!("{k}_s1")),
                        trimmed(f, &format!("{k}_e1")),
                        trimmed(f, &format!("{k}_s2")),
                        trimmed(f, &format!("{k}_e2")),
                        no.iter().any(|n| n == k),
                    )
                })
                .collect(),
            lunch_start: trimmed(f, "lunch_start"),
            lunch_end: trimmed(f, "lunch_end"),
            buffer_before: trimmed(f, "buffer_before"),
            buffer_after: trimmed(f, "buffer_after"),
            min_notice: trimmed(f, "min_notice"),
            max_meetings: trimmed(f, "max_meetings"),
            focus_hours: trimmed(f, "focus_hours"),
            focus_block: trimmed(f, "focus_block"),
        }
    }

    /// The rules this form describes, keeping `current`'s date overrides and time off.
    fn rules(&self, current: &Availability) -> Result<Availability, Vec<FieldError>> {
        let mut errors = Vec::new();
        let zone = Zone::parse("time_zone", &self.time_zone).map_err(|e| errors.extend(e.errors));
        let span = |field: &str, s: &str, e: &str, errors: &mut Vec<FieldError>| -> Option<LocalSpan> {
            match (s.is_empty(), e.is_empty()) {
                (true, true) => None,
                (false, false) => match (s.parse::<ClockTime>(), e.parse::<ClockTime>()) {
                    (Ok(a), Ok(b)) => Some(LocalSpan::new(a, b)),
                    (Err(m), _) | (_, Err(m)) => {
                        errors.push(one_error(field, m));
                        None
                    }
                },
                _ => {
                    errors.push(one_error(field, "give both a start and an end"));
                    None
                }
            }
        };
        let mut rules = current.clone();
        rules.no_meeting_days.clear();
        for (d, (s1, e1, s2, e2, no)) in DayOfWeek::ALL.iter().zip(&self.days) {
            let name = format!("working_hours.{}", d.as_str());
            let spans: Vec<LocalSpan> = [span(&name, s1, e1, &mut errors), span(&name, s2, e2, &mut errors)]
                .into_iter()
                .flatten()
                .collect();
            *rules.working_hours.get_mut(*d) = spans;
            if *no {
                rules.no_meeting_days.push(*d);
            }
        }
        rules.lunch = span("lunch", &self.lunch_start, &self.lunch_end, &mut errors);
        let minutes = |field: &str, v: &str, errors: &mut Vec<FieldError>| -> Option<i32> {
            if v.is_empty() {
                return None;
            }
            match v.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(one_error(field, format!("`{v}` is not a whole number")));
                    None
                }
            }
        };
        rules.buffer_before = minutes("buffer_before", &self.buffer_before, &mut errors).unwrap_or(0);
        rules.buffer_after = minutes("buffer_after", &self.buffer_after, &mut errors).unwrap_or(0);
        rules.min_notice = minutes("min_notice", &self.min_notice, &mut errors).unwrap_or(0);
        rules.max_meetings_per_day = minutes("max_meetings_per_day", &self.max_meetings, &mut errors);
        let block = minutes("focus_goal.min_block", &self.focus_block, &mut errors);
        rules.focus_goal = if self.focus_hours.is_empty() {
            None
        } else {
            match self.focus_hours.replace(',', ".").parse::<f64>() {
                Ok(h) if h.is_finite() && (0.0..=168.0).contains(&h) => Some(FocusGoal {
                    #[allow(clippy::cast_possible_truncation)]
                    weekly_minutes: (h * 60.0).round() as i32,
                    min_block: block
                        .unwrap_or(adjutant_core::calendar::availability::DEFAULT_FOCUS_BLOCK_MINUTES),
                }),
                _ => {
                    errors.push(one_error(
                        "focus_goal.weekly_minutes",
                        format!("`{}` is not a number of hours from 0 to 168", self.focus_hours),
                    ));
                    None
                }
            }
        };
        if let Ok(z) = zone {
            rules.zone = z;
        }
        if errors.is_empty() { Ok(rules) } else { Err(errors) }
    }
}

pub struct OooRow {
    pub key: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "availability.html")]
struct AvailabilityPage {
    layout: Layout,
    person: String,
    person_name: String,
    for_self: bool,
    form: AvailForm,
    days: Vec<DayRow>,
    zones: Vec<Opt>,
    ooo: Vec<OooRow>,
    overrides: Vec<String>,
    ooo_first: String,
    ooo_last: String,
    errors: Vec<FieldError>,
}

fn ooo_key(o: &OutOfOffice) -> String {
    match o {
        OutOfOffice::Dates { first, last } => format!("d:{first}:{last}"),
        OutOfOffice::Instants { start, end } => format!("i:{start}:{end}"),
    }
}

fn ooo_text(o: &OutOfOffice, z: &Zone) -> String {
    match o {
        OutOfOffice::Dates { first, last } if first == last => date_long(*first),
        OutOfOffice::Dates { first, last } => format!("{} – {}", date_long(*first), date_long(*last)),
        OutOfOffice::Instants { start, end } => {
            format!("{} – {} ({})", when_text(*start, z), when_text(*end, z), z.name())
        }
    }
}

async fn availability_render(
    state: &AppState,
    auth: &AuthCtx,
    person: PersonId,
    notice: Option<&str>,
    typed: Option<AvailForm>,
    ooo_typed: Option<(String, String)>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let p = crate::ops::get_person(state, &c, org, person).await?;
    let rules = sched_ops::get_availability(state, &c, org, person).await?;
    let form = typed.unwrap_or_else(|| AvailForm::of(&rules));
    let labels = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let days = DayOfWeek::ALL
        .iter()
        .zip(labels)
        .zip(&form.days)
        .map(|((d, label), (s1, e1, s2, e2, no))| DayRow {
            key: d.as_str(),
            label,
            s1: s1.clone(),
            e1: e1.clone(),
            s2: s2.clone(),
            e2: e2.clone(),
            no_meetings: *no,
        })
        .collect();
    let (ooo_first, ooo_last) = ooo_typed.unwrap_or_default();
    let page = AvailabilityPage {
        layout: Layout::new(state, auth, "availability", notice).await?,
        person: person.to_string(),
        person_name: p.name.clone(),
        for_self: person == auth.person.id,
        zones: zone_opts(&form.time_zone, &[&p.time_zone]),
        days,
        ooo: rules
            .out_of_office
            .iter()
            .map(|o| OooRow {
                key: ooo_key(o),
                text: ooo_text(o, &rules.zone),
            })
            .collect(),
        overrides: rules
            .overrides
            .iter()
            .map(|o| {
                if o.spans.is_empty() {
                    format!("{}: not working", date_long(o.date))
                } else {
                    format!(
                        "{}: {}",
                        date_long(o.date),
                        o.spans
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            })
            .collect(),
        form,
        ooo_first,
        ooo_last,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

#[derive(Deserialize, Default)]
pub struct PersonQuery {
    person: Option<String>,
    notice: Option<String>,
}

fn person_or_subject(auth: &AuthCtx, named: Option<&str>) -> Result<PersonId, WebError> {
    match named.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => parse_path_id(p, "person"),
        None => Ok(cal_ops::subject(&caller(auth), None)?),
    }
}

pub async fn availability(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    let person = person_or_subject(&auth, q.person.as_deref())?;
    availability_render(&state, &auth, person, q.notice.as_deref(), None, None, vec![]).await
}

pub async fn availability_save(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let person = person_or_subject(&auth, field(&f, "person").as_deref())?;
    let c = caller(&auth);
    let form = AvailForm::from_pairs(&f);
    let current = sched_ops::get_availability(&state, &c, auth.org(), person).await?;
    let rules = match form.rules(&current) {
        Ok(r) => r,
        Err(errs) => return availability_render(&state, &auth, person, None, Some(form), None, errs).await,
    };
    match sched_ops::set_availability(&state, &c, auth.org(), person, &rules).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/availability?person={person}&notice=availability-saved"
        ))
        .into_response()),
        Err(e) if is_user_error(&e) => {
            availability_render(
                &state,
                &auth,
                person,
                None,
                Some(form),
                None,
                validation_errors(&e),
            )
            .await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn ooo_add(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let person = person_or_subject(&auth, field(&f, "person").as_deref())?;
    let c = caller(&auth);
    let (first_s, last_s) = (trimmed(&f, "first"), trimmed(&f, "last"));
    let typed = Some((first_s.clone(), last_s.clone()));
    let first = first_s.parse::<Date>();
    let last = if last_s.is_empty() {
        first.clone()
    } else {
        last_s.parse::<Date>()
    };
    let (Ok(first), Ok(last)) = (first, last) else {
        let errs = vec![one_error(
            "out_of_office",
            "give the first and last day away as dates like 2026-12-21",
        )];
        return availability_render(&state, &auth, person, None, None, typed, errs).await;
    };
    let mut rules = sched_ops::get_availability(&state, &c, auth.org(), person).await?;
    rules.out_of_office.push(OutOfOffice::Dates { first, last });
    match sched_ops::set_availability(&state, &c, auth.org(), person, &rules).await {
        Ok(_) => Ok(Redirect::to(&format!("/availability?person={person}&notice=ooo-added")).into_response()),
        Err(e) if is_user_error(&e) => {
            availability_render(&state, &auth, person, None, None, typed, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn ooo_remove(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let person = person_or_subject(&auth, field(&f, "person").as_deref())?;
    let c = caller(&auth);
    let key = trimmed(&f, "key");
    let mut rules = sched_ops::get_availability(&state, &c, auth.org(), person).await?;
    rules.out_of_office.retain(|o| ooo_key(o) != key);
    match sched_ops::set_availability(&state, &c, auth.org(), person, &rules).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/availability?person={person}&notice=ooo-removed")).into_response())
        }
        Err(e) if is_user_error(&e) => {
            availability_render(&state, &auth, person, None, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Import, export, feeds
// ---------------------------------------------------------------------------

pub struct FeedRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub revoked: Option<String>,
}

pub struct CalendarRow {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub is_default: bool,
    /// `None` when the viewer may not see the calendar in full (no export or feeds).
    pub feeds: Option<Vec<FeedRow>>,
}

pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub skipped: Vec<(usize, String, String)>,
}

#[derive(Template)]
#[template(path = "calendar_settings.html")]
struct SettingsPage {
    layout: Layout,
    may_import: bool,
    person: String,
    person_name: String,
    calendars: Vec<CalendarRow>,
    report: Option<ImportSummary>,
    new_feed_url: Option<String>,
    errors: Vec<FieldError>,
}

async fn settings_render(
    state: &AppState,
    auth: &AuthCtx,
    person: PersonId,
    notice: Option<&str>,
    report: Option<ImportSummary>,
    new_feed_url: Option<String>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let viewer = viewer_zone(auth);
    let p = crate::ops::get_person(state, &c, org, person).await?;
    let cals = cal_ops::list_calendars(state, &c, org, person).await?;
    let mut calendars = Vec::new();
    for cal in &cals {
        let feeds = match cal_ops::list_feeds(state, &c, org, cal.id).await {
            Ok(list) => Some(
                list.iter()
                    .map(|f| FeedRow {
                        id: f.id.to_string(),
                        name: f.name.clone(),
                        created: when_text(f.created_at, &viewer),
                        revoked: f.revoked_at.map(|t| when_text(t, &viewer)),
                    })
                    .collect(),
            ),
            Err(e) if e.status == StatusCode::FORBIDDEN => None,
            Err(e) => return Err(WebError(e)),
        };
        calendars.push(CalendarRow {
            id: cal.id.to_string(),
            name: cal.name.clone(),
            time_zone: cal.time_zone.clone(),
            is_default: cal.is_default,
            feeds,
        });
    }
    // Importing needs the calendar in full; before the first calendar exists the operation decides.
    let may_import = calendars.is_empty() || calendars.iter().any(|c| c.feeds.is_some());
    let page = SettingsPage {
        may_import,
        layout: Layout::new(state, auth, "calendar-settings", notice).await?,
        person: person.to_string(),
        person_name: p.name,
        calendars,
        report,
        new_feed_url,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn settings(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    let person = person_or_subject(&auth, q.person.as_deref())?;
    settings_render(&state, &auth, person, q.notice.as_deref(), None, None, vec![]).await
}

/// The most an upload may carry: the iCalendar limit and room for the form around it.
pub const IMPORT_BODY_LIMIT: usize = adjutant_interop::ics::MAX_ICS_BYTES + 64 * 1024;

pub async fn import(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    mut multipart: Multipart,
) -> WebResult {
    let mut person = None;
    let mut calendar = None;
    let mut file: Option<Vec<u8>> = None;
    let mut file_name = String::new();
    let mut errors = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                if name == "file" {
                    file_name = f.file_name().unwrap_or("upload.ics").to_string();
                }
                match f.bytes().await {
                    Ok(b) => match name.as_str() {
                        "person" => person = Some(String::from_utf8_lossy(&b).trim().to_string()),
                        "calendar" => calendar = Some(String::from_utf8_lossy(&b).trim().to_string()),
                        "file" => file = Some(b.to_vec()),
                        _ => {}
                    },
                    Err(_) => {
                        errors.push(one_error(
                            "file",
                            format!(
                                "could not be read; files up to {} MiB are accepted",
                                adjutant_interop::ics::MAX_ICS_BYTES / (1024 * 1024)
                            ),
                        ));
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                errors.push(one_error(
                    "file",
                    format!(
                        "could not be read; files up to {} MiB are accepted",
                        adjutant_interop::ics::MAX_ICS_BYTES / (1024 * 1024)
                    ),
                ));
                break;
            }
        }
    }
    let person = person_or_subject(&auth, person.as_deref())?;
    let text = match &file {
        Some(b) if !b.is_empty() => match std::str::from_utf8(b) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(one_error(
                    "file",
                    format!("is not UTF-8 text (byte {})", e.valid_up_to()),
                ));
                None
            }
        },
        _ => {
            if errors.is_empty() {
                errors.push(one_error("file", "choose an .ics file to import"));
            }
            None
        }
    };
    let Some(text) = text.filter(|_| errors.is_empty()) else {
        return settings_render(&state, &auth, person, None, None, None, errors).await;
    };
    let calendar = calendar.filter(|c| !c.is_empty());
    let source = format!("web upload {file_name}");
    match cal_ops::import_ics(
        &state,
        &caller(&auth),
        auth.org(),
        calendar.as_deref(),
        Some(person),
        text,
        &source,
    )
    .await
    {
        Ok(r) => {
            let summary = ImportSummary {
                created: r.created,
                updated: r.updated,
                skipped: r
                    .skipped
                    .into_iter()
                    .map(|s| (s.line, s.component, s.reason))
                    .collect(),
            };
            settings_render(
                &state,
                &auth,
                person,
                Some("import-done"),
                Some(summary),
                None,
                vec![],
            )
            .await
        }
        Err(e) if is_user_error(&e) || e.status == StatusCode::PAYLOAD_TOO_LARGE => {
            settings_render(&state, &auth, person, None, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn export(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let cal: CalendarId = parse_path_id(&id, "calendar")?;
    let text = cal_ops::export_ics(&state, &caller(&auth), auth.org(), cal, None).await?;
    Ok(crate::api::calendar::calendar_file(
        "text/calendar; charset=utf-8",
        "calendar.ics",
        text,
    ))
}

pub async fn feed_create(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let person = person_or_subject(&auth, field(&f, "person").as_deref())?;
    let cal: CalendarId = match trimmed(&f, "calendar").parse() {
        Ok(c) => c,
        Err(_) => {
            let errs = vec![one_error("calendar", "choose a calendar")];
            return settings_render(&state, &auth, person, None, None, None, errs).await;
        }
    };
    match cal_ops::create_feed(
        &state,
        &caller(&auth),
        auth.org(),
        cal,
        &field(&f, "name").unwrap_or_default(),
    )
    .await
    {
        Ok((_, secret)) => {
            let url = absolute_url(&state, &headers, &format!("/feeds/{secret}.ics"));
            settings_render(&state, &auth, person, None, None, Some(url), vec![]).await
        }
        Err(e) if is_user_error(&e) => {
            settings_render(&state, &auth, person, None, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn feed_revoke(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let person = person_or_subject(&auth, field(&f, "person").as_deref())?;
    let fid: FeedId = parse_path_id(&id, "feed")?;
    cal_ops::revoke_feed(&state, &caller(&auth), auth.org(), fid).await?;
    Ok(Redirect::to(&format!("/calendar/settings?person={person}&notice=feed-revoked")).into_response())
}
