//! Spaces: sites and floors, rooms, desks and bookable equipment, the booking
//! rules per kind of space, and bookings with check-in and release.
//!
//! A space is a calendar resource, so a booking is an event holding it: a room
//! booked here is a meeting in the booker's calendar that find-a-time sees; a
//! desk or a piece of equipment is booked in its own calendar (the booker is
//! not made busy by sitting at a desk). Everyone but contractors sees the
//! spaces and who has booked them; office managers and administrators place
//! spaces, set the rules and may book, check in or cancel for anyone.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::calendar::ResourceForm;
use crate::ops::office::csv_line;
use adjutant_core::ValidationError;

use adjutant_core::calendar::{
    Category, EventData, EventStatus, EventTime, Organiser, Priority, Recurrence, TimeRange, Transparency,
    Zone,
};
use adjutant_core::delegation::Scope;
use adjutant_core::ids::{BookingId, CalendarId, OrgId, PersonId, ResourceId, SiteId};
use adjutant_core::office::space::{self, Attempt, BookingRule, BookingStatus, SpaceKind};
use adjutant_core::people::Role;
use adjutant_core::policy::{self, Access, Capability, ItemRef, Visibility};
use adjutant_store::StoreError;
use adjutant_store::calendar::{NewEvent, Resource, ResourceInput};
use adjutant_store::model::Person;
use adjutant_store::spaces::{BookingFilter, BookingRecord, NewBooking, Site, SiteInput};
use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---------------------------------------------------------------------------
// Sites
// ---------------------------------------------------------------------------

/// A site to add or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteForm {
    /// e.g. `Amsterdam HQ`.
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
    /// IANA zone (default: the caller's).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Floor names in order, e.g. `["Ground floor", "2nd floor"]`.
    #[serde(default)]
    pub floors: Vec<String>,
}

/// A site as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteView {
    pub id: String,
    pub name: String,
    pub address: String,
    pub time_zone: String,
    pub floors: Vec<String>,
}

impl From<&Site> for SiteView {
    fn from(s: &Site) -> Self {
        SiteView {
            id: s.id.to_string(),
            name: s.name.clone(),
            address: s.address.clone(),
            time_zone: s.time_zone.clone(),
            floors: s.floors.clone(),
        }
    }
}

fn site_input(form: &SiteForm, default_zone: &str) -> Result<SiteInput, ValidationError> {
    let mut errs = ValidationError { errors: vec![] };
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errs.errors
            .extend(ValidationError::field("name", "must be 1 to 100 characters").errors);
    }
    let address = form.address.as_deref().unwrap_or("").trim().to_string();
    if address.chars().count() > 300 {
        errs.errors
            .extend(ValidationError::field("address", "must be at most 300 characters").errors);
    }
    let mut floors: Vec<String> = Vec::new();
    for f in form.floors.iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
        if f.chars().count() > 60 {
            errs.errors.extend(
                ValidationError::field("floors", format!("`{f}` is longer than 60 characters")).errors,
            );
        } else if floors.iter().any(|g| g.eq_ignore_ascii_case(f)) {
            errs.errors
                .extend(ValidationError::field("floors", format!("`{f}` is listed twice")).errors);
        } else {
            floors.push(f.to_string());
        }
    }
    if floors.len() > 200 {
        errs.errors
            .extend(ValidationError::field("floors", "at most 200 floors").errors);
    }
    let zone = Zone::parse("time_zone", form.time_zone.as_deref().unwrap_or(default_zone));
    if let Err(e) = &zone {
        errs.errors.extend(e.errors.clone());
    }
    if !errs.errors.is_empty() {
        return Err(errs);
    }
    Ok(SiteInput {
        name: name.to_string(),
        address,
        time_zone: zone.map(|z| z.name().to_string()).unwrap_or_default(),
        floors,
    })
}

fn caller_zone(caller: &Caller) -> String {
    match caller {
        Caller::Person(a) => a.person.time_zone.clone(),
        Caller::System(_) => "UTC".into(),
    }
}

use crate::ops::hide;

pub async fn create_site(state: &AppState, caller: &Caller, org: OrgId, form: &SiteForm) -> ApiResult<Site> {
    caller.may(org, Capability::ManageResources)?;
    let input = site_input(form, &caller_zone(caller))?;
    Ok(state
        .store
        .site_create(org, &input, &caller.audit(Timestamp::now()))
        .await?)
}

pub async fn update_site(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: SiteId,
    form: &SiteForm,
) -> ApiResult<Site> {
    caller.may(org, Capability::ManageResources)?;
    let before = hide(state.store.site_get(org, id).await, "site")?;
    let input = site_input(form, &before.time_zone)?;
    Ok(state
        .store
        .site_update(org, id, &input, &caller.audit(Timestamp::now()))
        .await?)
}

pub async fn list_sites(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<Vec<Site>> {
    caller.may(org, Capability::ViewDirectory)?;
    Ok(state.store.site_list(org).await?)
}

pub async fn get_site(state: &AppState, caller: &Caller, org: OrgId, id: SiteId) -> ApiResult<Site> {
    caller.may(org, Capability::ViewDirectory)?;
    hide(state.store.site_get(org, id).await, "site")
}

/// A site by id or exact name (case-insensitive), as field `field`.
pub async fn site_ref(state: &AppState, org: OrgId, field: &str, s: &str) -> ApiResult<Site> {
    let t = s.trim();
    let sites = state.store.site_list(org).await?;
    sites
        .into_iter()
        .find(|x| x.id.to_string() == t || x.name.eq_ignore_ascii_case(t))
        .ok_or_else(|| ValidationError::field(field, format!("no site `{t}` in this organisation")).into())
}

/// Places a resource being added or changed: its site and floor, and an
/// assigned desk's holder. A site's zone (and name, as the place travel
/// times count from) fill in what the form left empty. When changing (`before`),
/// a field the form leaves out (`kind`, `site`, `floor`, `assigned_to`) keeps
/// its value; an empty one clears it.
pub async fn place(
    state: &AppState,
    org: OrgId,
    form: &ResourceForm,
    before: Option<&Resource>,
    input: &mut ResourceInput,
) -> ApiResult<()> {
    let given = |v: &Option<String>| v.as_deref().map(|s| s.trim().to_string());
    if let (None, Some(b)) = (&form.kind, before) {
        input.kind = b.kind.clone();
    }
    let site = match (given(&form.site), before) {
        (Some(s), _) if s.is_empty() => None,
        (Some(s), _) => Some(site_ref(state, org, "site", &s).await?),
        (None, Some(b)) => match b.site {
            Some(id) => Some(hide(state.store.site_get(org, id).await, "site")?),
            None => None,
        },
        (None, None) => None,
    };
    let floor = match (given(&form.floor), before) {
        (Some(f), _) => f,
        (None, Some(b)) if site.is_some() => b.floor.clone(),
        _ => String::new(),
    };
    match (&site, floor.is_empty()) {
        (None, false) => {
            return Err(ValidationError::field("floor", "name the site the floor is in").into());
        }
        (Some(s), false) => {
            let Some(f) = s.floors.iter().find(|f| f.eq_ignore_ascii_case(&floor)) else {
                return Err(ValidationError::field(
                    "floor",
                    format!(
                        "{} has no floor `{floor}`; its floors are: {}",
                        s.name,
                        if s.floors.is_empty() {
                            "none yet".to_string()
                        } else {
                            s.floors.join(", ")
                        }
                    ),
                )
                .into());
            };
            input.floor = f.clone();
        }
        _ => input.floor = String::new(),
    }
    if let Some(s) = &site {
        input.site = Some(s.id);
        if before.is_none() && form.time_zone.as_deref().is_none_or(|z| z.trim().is_empty()) {
            input.time_zone = s.time_zone.clone();
        }
        if input.location.is_empty() {
            input.location = s.name.clone();
        }
    }
    input.assigned_to = match (given(&form.assigned_to), before) {
        (Some(p), _) if p.is_empty() => None,
        (Some(p), _) => {
            if input.kind != SpaceKind::Desk.as_str() {
                return Err(
                    ValidationError::field("assigned_to", "only desks are assigned to a person").into(),
                );
            }
            Some(
                crate::ops::tasks::person_ref(state, org, "assigned_to", &p)
                    .await?
                    .id,
            )
        }
        (None, Some(b)) if input.kind == SpaceKind::Desk.as_str() => b.assigned_to,
        (None, _) => None,
    };
    Ok(())
}

// ---------------------------------------------------------------------------
// Spaces and their day
// ---------------------------------------------------------------------------

/// A space as the spaces page and API show it, with its bookings of one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpaceView {
    pub id: String,
    /// `room`, `desk` or `equipment`.
    #[schema(value_type = String)]
    pub kind: SpaceKind,
    pub name: String,
    pub capacity: u32,
    pub equipment: Vec<String>,
    pub site: Option<String>,
    pub site_name: String,
    pub floor: String,
    pub time_zone: String,
    pub bookable: bool,
    /// An assigned desk's holder (name).
    pub assigned_to: Option<String>,
    /// `free`, `booked` or `in use` at the moment asked about.
    pub now: String,
    /// Bookings of the day asked for that still hold the space.
    pub bookings: Vec<BookingView>,
    /// Other events holding the space that day (a room's meetings), e.g. `10:00–11:00 CET Board meeting`.
    pub meetings: Vec<String>,
}

/// A booking as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingView {
    pub id: String,
    pub space: String,
    pub space_name: String,
    /// `room`, `desk` or `equipment`.
    #[schema(value_type = String)]
    pub kind: SpaceKind,
    pub person: String,
    pub person_name: String,
    pub title: String,
    /// RFC 3339 instants.
    pub start: String,
    pub end: String,
    /// Start and end as wall-clock times in the space's zone, e.g. `09:00–17:00`.
    pub local: String,
    /// `booked`, `checked_in`, `released` or `cancelled`.
    #[schema(value_type = String)]
    pub status: BookingStatus,
    pub checked_in_at: Option<String>,
    /// Why it ended early.
    pub end_note: String,
    /// Whether check-in is open now (for the booker and those acting for them).
    pub can_check_in: bool,
    /// When it is released if nobody checks in (RFC 3339), while that can still happen.
    pub release_at: Option<String>,
}

fn local_span(b: &BookingRecord, zone: &Zone) -> String {
    let s = b.start.to_zoned(zone.tz().clone());
    let e = b.end.to_zoned(zone.tz().clone());
    if s.date() == e.date() {
        format!(
            "{} {}–{} {}",
            s.strftime("%a %-d %b"),
            s.strftime("%H:%M"),
            e.strftime("%H:%M"),
            e.strftime("%Z")
        )
    } else {
        format!(
            "{} – {} {}",
            s.strftime("%a %-d %b %H:%M"),
            e.strftime("%a %-d %b %H:%M"),
            e.strftime("%Z")
        )
    }
}

fn booking_view(b: &BookingRecord, rule: &BookingRule, zone: &Zone, now: Timestamp) -> BookingView {
    let release_at = (rule.check_in && b.status == BookingStatus::Booked)
        .then(|| (b.start + SignedDuration::from_mins(i64::from(rule.release_after_minutes))).to_string());
    BookingView {
        id: b.id.to_string(),
        space: b.resource.to_string(),
        space_name: b.resource_name.clone(),
        kind: b.kind,
        person: b.person.to_string(),
        person_name: b.person_name.clone(),
        title: b.title.clone(),
        start: b.start.to_string(),
        end: b.end.to_string(),
        local: local_span(b, zone),
        status: b.status,
        checked_in_at: b.checked_in_at.map(|t| t.to_string()),
        end_note: b.end_note.clone(),
        can_check_in: space::check_in_allowed(rule, b.status, b.start, b.end, now).is_ok(),
        release_at,
    }
}

/// Which spaces to show.
#[derive(Debug, Clone, Default)]
pub struct SpaceFilter {
    pub kind: Option<SpaceKind>,
    pub site: Option<SiteId>,
    /// The day whose bookings to show (in each space's zone); default today.
    pub date: Option<Date>,
}

/// Every space (rooms, desks, equipment) with its bookings of one day, by site, floor and name.
pub async fn list_spaces(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    f: &SpaceFilter,
    now: Timestamp,
) -> ApiResult<Vec<SpaceView>> {
    caller.may(org, Capability::ViewDirectory)?;
    let sites = state.store.site_list(org).await?;
    let people = state.store.person_list(org).await?;
    let rules = state.store.booking_rules(org).await?;
    let mut resources: Vec<Resource> = state.store.resource_list(org).await?;
    resources.retain(|r| {
        let k = r.kind.parse::<SpaceKind>().unwrap_or(SpaceKind::Room);
        f.kind.is_none_or(|want| want == k) && f.site.is_none_or(|s| r.site == Some(s))
    });
    // One query for the bookings around the day (a day is at most 26 hours anywhere).
    let day_of = |zone: &Zone| f.date.unwrap_or_else(|| now.to_zoned(zone.tz().clone()).date());
    let (from, to) = {
        let d = f
            .date
            .unwrap_or_else(|| now.to_zoned(jiff::tz::TimeZone::UTC).date());
        let base = d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(now);
        (
            base - SignedDuration::from_hours(26),
            base + SignedDuration::from_hours(50),
        )
    };
    let bookings = state
        .store
        .booking_list(
            org,
            &BookingFilter {
                from: Some(from),
                to: Some(to),
                open_only: true,
                ..BookingFilter::default()
            },
        )
        .await?;
    let mut out = Vec::new();
    for r in &resources {
        let kind = r.kind.parse::<SpaceKind>().unwrap_or(SpaceKind::Room);
        let zone = Zone::or_utc(&r.time_zone);
        let rule = rules
            .iter()
            .find(|x| x.kind == kind)
            .cloned()
            .unwrap_or_else(|| BookingRule::default_for(kind));
        let day = day_of(&zone);
        let (ds, de) = day_bounds(day, &zone);
        let mine: Vec<&BookingRecord> = bookings
            .iter()
            .filter(|b| b.resource == r.id && b.end > ds && b.start < de)
            .collect();
        // Events holding the space that are not bookings made here: a room's meetings.
        let booked_events: Vec<_> = mine.iter().filter_map(|b| b.event).collect();
        // Only rooms hold meetings; a desk's or equipment's calendar holds its bookings alone.
        let others: Vec<crate::ops::calendar::AgendaItem> = if kind == SpaceKind::Room {
            crate::ops::calendar::agenda(
                state,
                caller,
                org,
                crate::ops::calendar::AgendaOf::Room(r.id),
                TimeRange { start: ds, end: de },
            )
            .await?
            .into_iter()
            .filter(|a| !booked_events.contains(&a.event) && a.transparency == Transparency::Busy)
            .collect()
        } else {
            Vec::new()
        };
        let state_now = match mine.iter().find(|b| b.start <= now && now < b.end) {
            Some(b) if b.status == BookingStatus::CheckedIn => "in use",
            Some(_) => "booked",
            None if others.iter().any(|a| a.start_at <= now && now < a.end_at) => "in use",
            None => "free",
        };
        let tz = zone.tz().clone();
        let meetings = others
            .iter()
            .map(|a| {
                let (s, e) = (a.start_at.to_zoned(tz.clone()), a.end_at.to_zoned(tz.clone()));
                format!(
                    "{}–{} {} {}",
                    s.strftime("%H:%M"),
                    e.strftime("%H:%M"),
                    e.strftime("%Z"),
                    if a.busy_only { "Busy" } else { a.summary.as_str() }
                )
            })
            .collect();
        let site = r.site.and_then(|s| sites.iter().find(|x| x.id == s));
        out.push(SpaceView {
            id: r.id.to_string(),
            kind,
            name: r.name.clone(),
            capacity: r.capacity,
            equipment: r.equipment.clone(),
            site: r.site.map(|s| s.to_string()),
            site_name: site.map(|s| s.name.clone()).unwrap_or_default(),
            floor: r.floor.clone(),
            time_zone: r.time_zone.clone(),
            bookable: r.bookable,
            assigned_to: r
                .assigned_to
                .and_then(|p| people.iter().find(|x| x.id == p))
                .map(|p| p.name.clone()),
            now: state_now.into(),
            bookings: mine.iter().map(|b| booking_view(b, &rule, &zone, now)).collect(),
            meetings,
        });
    }
    let floor_rank = |v: &SpaceView| {
        v.site
            .as_ref()
            .and_then(|s| sites.iter().find(|x| x.id.to_string() == *s))
            .and_then(|s| s.floors.iter().position(|f| *f == v.floor))
            .unwrap_or(usize::MAX)
    };
    out.sort_by(|a, b| {
        (
            a.site_name.is_empty(),
            &a.site_name,
            floor_rank(a),
            a.kind,
            &a.name,
        )
            .cmp(&(
                b.site_name.is_empty(),
                &b.site_name,
                floor_rank(b),
                b.kind,
                &b.name,
            ))
    });
    Ok(out)
}

fn day_bounds(day: Date, zone: &Zone) -> (Timestamp, Timestamp) {
    let at = |d: Date| {
        d.to_zoned(zone.tz().clone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    };
    (at(day), at(day.tomorrow().unwrap_or(day)))
}

/// Spaces as CSV (one row per space, its bookings of the day in one cell).
pub fn spaces_csv(rows: &[SpaceView]) -> String {
    let mut out = csv_line(&[
        "site",
        "floor",
        "kind",
        "name",
        "capacity",
        "equipment",
        "assigned to",
        "now",
        "bookings",
    ]);
    for s in rows {
        let bookings: Vec<String> = s
            .bookings
            .iter()
            .map(|b| format!("{} {} ({})", b.local, b.person_name, b.status))
            .chain(s.meetings.iter().cloned())
            .collect();
        out.push_str(&csv_line(&[
            &s.site_name,
            &s.floor,
            s.kind.as_str(),
            &s.name,
            &s.capacity.to_string(),
            &s.equipment.join(", "),
            s.assigned_to.as_deref().unwrap_or(""),
            &s.now,
            &bookings.join("; "),
        ]));
    }
    out
}

// ---------------------------------------------------------------------------
// Booking rules
// ---------------------------------------------------------------------------

/// A booking rule to set for one kind of space.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleForm {
    /// Roles that may book, e.g. `["staff", "office_manager"]`.
    pub roles: Vec<String>,
    /// Longest booking in minutes (15–43,200).
    pub max_minutes: u32,
    /// Days ahead a booking may start (0–365).
    pub max_days_ahead: u32,
    /// Bookings per person per week; none for no limit.
    #[serde(default)]
    pub quota_per_week: Option<u32>,
    /// Whether bookings must be checked into.
    pub check_in: bool,
    /// Minutes after the start a booking nobody checked into is released (5–240).
    pub release_after_minutes: u32,
}

pub async fn list_rules(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<Vec<BookingRule>> {
    caller.may(org, Capability::ViewDirectory)?;
    Ok(state.store.booking_rules(org).await?)
}

pub async fn set_rule(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    kind: SpaceKind,
    form: &RuleForm,
) -> ApiResult<BookingRule> {
    caller.may(org, Capability::ManageResources)?;
    let mut roles = Vec::new();
    for r in &form.roles {
        let role: Role = r
            .trim()
            .parse()
            .map_err(|_| ValidationError::field("roles", format!("`{}` is not a role", r.trim())))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    let rule = BookingRule {
        kind,
        roles,
        max_minutes: form.max_minutes,
        max_days_ahead: form.max_days_ahead,
        quota_per_week: form.quota_per_week,
        check_in: form.check_in,
        release_after_minutes: form.release_after_minutes,
    };
    rule.validate()?;
    Ok(state
        .store
        .booking_rule_set(org, &rule, &caller.audit(Timestamp::now()))
        .await?)
}

// ---------------------------------------------------------------------------
// Bookings
// ---------------------------------------------------------------------------

/// A booking to make.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookInput {
    /// The space: its id or exact name.
    pub space: String,
    /// `2026-12-07T09:00` (wall-clock in the space's zone) or an RFC 3339 instant.
    pub start: String,
    /// As `start`, or just a time (`17:00`) on the start's day.
    pub end: String,
    /// What it is for (default: the space's name).
    #[serde(default)]
    pub title: Option<String>,
    /// Whom it is for (id or e-mail): default yourself, or whom you act for.
    #[serde(default)]
    pub person: Option<String>,
}

/// A space by id or exact name (case-insensitive), as field `field`.
pub async fn space_ref(state: &AppState, org: OrgId, field: &str, s: &str) -> ApiResult<Resource> {
    let t = s.trim();
    if let Ok(id) = t.parse::<ResourceId>() {
        return match state.store.resource_get(org, id).await {
            Ok(r) => Ok(r),
            Err(StoreError::NotFound(_)) => {
                Err(ValidationError::field(field, "no such space in this organisation").into())
            }
            Err(e) => Err(e.into()),
        };
    }
    let all = state.store.resource_list(org).await?;
    all.into_iter()
        .find(|r| r.name.eq_ignore_ascii_case(t))
        .ok_or_else(|| {
            ValidationError::field(field, format!("no space called `{t}` in this organisation")).into()
        })
}

/// Reads `2026-12-07T09:00`, `2026-12-07 09:00` (wall-clock in `zone`), an
/// RFC 3339 instant, or — when `on` is given — a bare `17:00` on that day.
pub fn parse_when(field: &str, s: &str, zone: &Zone, on: Option<Date>) -> Result<Timestamp, ValidationError> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    let local = t.replacen(' ', "T", 1);
    let dt = local
        .parse::<DateTime>()
        .ok()
        .or_else(|| on.and_then(|d| t.parse::<Time>().ok().map(|tm| d.to_datetime(tm))));
    let Some(dt) = dt else {
        return Err(ValidationError::field(
            field,
            format!(
                "`{t}` is not a time; write 2026-12-07T09:00{}",
                if on.is_some() { " or 17:00" } else { "" }
            ),
        ));
    };
    dt.to_zoned(zone.tz().clone())
        .map(|z| z.timestamp())
        .map_err(|_| ValidationError::field(field, format!("`{t}` does not exist in {}", zone.name())))
}

/// Whether the caller may book, check in or cancel for `person`: themselves, an
/// assistant acting for them in calendars, or the office.
fn may_book_for(caller: &Caller, org: OrgId, person: PersonId) -> ApiResult<()> {
    match caller {
        Caller::System(_) => Ok(()),
        Caller::Person(a) => {
            if a.person.id == person || policy::may(&a.actor, org, Capability::ManageResources).is_ok() {
                return Ok(());
            }
            let item = ItemRef {
                org,
                owner: person,
                visibility: Visibility::Normal,
                scope: Scope::Calendar,
                shared_with_actor: false,
            };
            policy::item_access(&a.actor, &item, Access::Write)
                .map(|_| ())
                .map_err(|_| {
                    ApiError::forbidden(
                        "only the person, an assistant acting for them in calendars, or the office books for them",
                    )
                })
        }
    }
}

/// Books a space under its kind's rule.
pub async fn book(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &BookInput,
    now: Timestamp,
) -> ApiResult<BookingRecord> {
    caller.may(org, Capability::ViewDirectory)?;
    let person = match input.person.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => crate::ops::tasks::person_ref(state, org, "person", p).await?,
        None => {
            let id = crate::ops::calendar::subject(caller, None)?;
            hide(state.store.person_get(org, id).await, "person")?
        }
    };
    may_book_for(caller, org, person.id)?;
    let res = space_ref(state, org, "space", &input.space).await?;
    let kind: SpaceKind = res.kind.parse().unwrap_or(SpaceKind::Room);
    if !res.bookable {
        return Err(ValidationError::field("space", format!("{} cannot be booked", res.name)).into());
    }
    if let Some(holder) = res.assigned_to
        && holder != person.id
    {
        let name = state
            .store
            .person_get(org, holder)
            .await
            .map(|p| p.name)
            .unwrap_or_else(|_| "someone".into());
        return Err(ValidationError::field("space", format!("{} is assigned to {name}", res.name)).into());
    }
    let rule = state.store.booking_rule(org, kind).await?;
    // The rule's roles are about the person the space is for.
    rule.allows(person.role).map_err(ApiError::from)?;
    let zone = Zone::or_utc(&res.time_zone);
    let start = parse_when("start", &input.start, &zone, None)?;
    let start_day = start.to_zoned(zone.tz().clone()).date();
    let end = parse_when("end", &input.end, &zone, Some(start_day))?;
    let (week_from, week_to) = space::week_of(start, &zone);
    let booked_that_week = if rule.quota_per_week.is_some() {
        state
            .store
            .booking_list(
                org,
                &BookingFilter {
                    person: Some(person.id),
                    from: Some(week_from),
                    to: Some(week_to),
                    open_only: true,
                    ..BookingFilter::default()
                },
            )
            .await?
            .iter()
            .filter(|b| b.kind == kind && b.start >= week_from)
            .count()
    } else {
        0
    };
    space::check(
        &rule,
        &Attempt {
            space: &res.name,
            start,
            end,
            now,
            zone: &zone,
            booked_that_week: u32::try_from(booked_that_week).unwrap_or(u32::MAX),
        },
    )?;
    let title = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(&res.name)
        .to_string();
    if title.chars().count() > 200 {
        return Err(ValidationError::field("title", "must be at most 200 characters").into());
    }
    let event = booking_event(&res, &person, &title, start, end)?;
    let new = NewBooking {
        resource: res.id,
        kind,
        person: person.id,
        title,
        start,
        end,
        event,
        quota: rule.quota_per_week.map(|q| (q, week_from, week_to)),
    };
    Ok(state.store.booking_create(org, &new, &caller.audit(now)).await?)
}

/// The event that holds a space for a booking: a room is a meeting in the
/// booker's own calendar; a desk or a piece of equipment is booked in the
/// space's calendar and leaves the booker free.
pub fn booking_event(
    res: &Resource,
    person: &Person,
    title: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<NewEvent, ValidationError> {
    let zone = Zone::or_utc(&res.time_zone);
    let local = |t: Timestamp| t.to_zoned(zone.tz().clone()).datetime();
    let data = EventData {
        summary: title.to_string(),
        description: String::new(),
        location: None,
        start: EventTime::zoned(local(start), &zone),
        end: EventTime::zoned(local(end), &zone),
        recurrence: Recurrence::default(),
        organiser: Some(Organiser {
            person: Some(person.id),
            email: person.email.clone(),
            name: person.name.clone(),
        }),
        attendees: vec![],
        visibility: Visibility::Normal,
        transparency: Transparency::Busy,
        priority: Priority::NORMAL,
        category: Category::Meeting,
        status: EventStatus::Confirmed,
    };
    data.validate(&zone)?;
    let calendar = match res.kind.parse::<SpaceKind>() {
        Ok(SpaceKind::Room) | Err(_) => CalendarId(uuid::Uuid::nil()),
        Ok(_) => res.calendar,
    };
    Ok(NewEvent {
        calendar,
        uid: None,
        data,
        overrides: vec![],
        room: Some(res.id),
        meeting_request: None,
    })
}

/// One booking, as field-less not-found when it is not the organisation's.
pub async fn get_booking(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: BookingId,
) -> ApiResult<BookingRecord> {
    caller.may(org, Capability::ViewDirectory)?;
    hide(state.store.booking_get(org, id).await, "booking")
}

/// Checks into a booking (the booker, their assistant or the office), inside its window.
pub async fn check_in(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: BookingId,
    now: Timestamp,
) -> ApiResult<BookingRecord> {
    let b = get_booking(state, caller, org, id).await?;
    may_book_for(caller, org, b.person)?;
    let rule = state.store.booking_rule(org, b.kind).await?;
    space::check_in_allowed(&rule, b.status, b.start, b.end, now)?;
    Ok(state.store.booking_check_in(org, id, &caller.audit(now)).await?)
}

/// Cancels a booking that still holds its space, freeing it.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: BookingId,
    now: Timestamp,
) -> ApiResult<BookingRecord> {
    let b = get_booking(state, caller, org, id).await?;
    may_book_for(caller, org, b.person)?;
    if !b.status.holds() {
        return Err(ApiError::conflict(format!(
            "the booking is {} already",
            b.status.as_str().replace('_', " ")
        )));
    }
    let who = match caller {
        Caller::Person(a) => a.person.name.clone(),
        Caller::System(l) => l.clone(),
    };
    Ok(state
        .store
        .booking_end(
            org,
            id,
            BookingStatus::Cancelled,
            &format!("cancelled by {who}"),
            &caller.audit(now),
        )
        .await?)
}

/// Which bookings to list.
#[derive(Debug, Clone, Default)]
pub struct BookingsFilter {
    /// Only this person's (or, with `mine`, the caller's / whom they act for).
    pub person: Option<PersonId>,
    pub mine: bool,
    pub space: Option<ResourceId>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub open_only: bool,
}

/// Bookings with what the viewer may do with them.
pub async fn list_bookings(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    f: &BookingsFilter,
    now: Timestamp,
) -> ApiResult<Vec<BookingView>> {
    caller.may(org, Capability::ViewDirectory)?;
    let person = match (f.person, f.mine) {
        (Some(p), _) => Some(p),
        (None, true) => Some(crate::ops::calendar::subject(caller, None)?),
        (None, false) => None,
    };
    let rows = state
        .store
        .booking_list(
            org,
            &BookingFilter {
                person,
                resource: f.space,
                from: f.from,
                to: f.to,
                open_only: f.open_only,
            },
        )
        .await?;
    views(state, org, &rows, now).await
}

/// Views of stored bookings (each shown in its space's zone, with its rule applied).
pub async fn views(
    state: &AppState,
    org: OrgId,
    rows: &[BookingRecord],
    now: Timestamp,
) -> ApiResult<Vec<BookingView>> {
    let rules = state.store.booking_rules(org).await?;
    Ok(rows
        .iter()
        .map(|b| {
            let rule = rules
                .iter()
                .find(|r| r.kind == b.kind)
                .cloned()
                .unwrap_or_else(|| BookingRule::default_for(b.kind));
            booking_view(b, &rule, &Zone::or_utc(&b.time_zone), now)
        })
        .collect())
}

/// One booking's view.
pub async fn view(state: &AppState, org: OrgId, b: &BookingRecord, now: Timestamp) -> ApiResult<BookingView> {
    Ok(views(state, org, std::slice::from_ref(b), now).await?.remove(0))
}

/// Today's bookings (in `zone`), those that ended early for no check-in
/// included, cancelled ones left out: the office dashboard's list.
pub async fn today(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    zone: &Zone,
) -> ApiResult<Vec<BookingView>> {
    let now = Timestamp::now();
    let (from, to) = day_bounds(now.to_zoned(zone.tz().clone()).date(), zone);
    let mut rows = list_bookings(
        state,
        caller,
        org,
        &BookingsFilter {
            from: Some(from),
            to: Some(to),
            ..BookingsFilter::default()
        },
        now,
    )
    .await?;
    rows.retain(|b| b.status != BookingStatus::Cancelled);
    Ok(rows)
}

/// Bookings as CSV.
pub fn bookings_csv(rows: &[BookingView]) -> String {
    let mut out = csv_line(&[
        "space",
        "kind",
        "person",
        "title",
        "start",
        "end",
        "when",
        "status",
        "checked in",
        "note",
    ]);
    for b in rows {
        out.push_str(&csv_line(&[
            &b.space_name,
            b.kind.as_str(),
            &b.person_name,
            &b.title,
            &b.start,
            &b.end,
            &b.local,
            b.status.as_str(),
            b.checked_in_at.as_deref().unwrap_or(""),
            &b.end_note,
        ]));
    }
    out
}

/// Releases every booking nobody checked into in time (all organisations).
pub async fn release_due(state: &AppState, now: Timestamp) -> ApiResult<Vec<BookingRecord>> {
    Ok(state.store.bookings_release_due(now).await?)
}
