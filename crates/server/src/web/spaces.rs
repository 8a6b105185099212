//! The spaces page: every site, floor, room, desk and piece of equipment with
//! its bookings of a day, a booking form, the viewer's own bookings with
//! check-in and cancel, the booking rules, and (for the office) forms to add
//! sites and spaces and to change the rules.

use super::calendar::{Opt, one_error, opts, trimmed, viewer_zone};
use super::pages::{caller, form_pairs, is_user_error, validation_errors};
use super::tasks::{named, people_opts, status_for};
use super::{Layout, WebError, WebResult, render_status};
use crate::app::AppState;
use crate::auth::{AuthCtx, WebAuth};
use crate::ops::calendar::{self as cal_ops, ResourceForm};
use crate::ops::spaces::{
    self as ops, BookInput, BookingView, BookingsFilter, RuleForm, SiteForm, SpaceFilter, SpaceView,
};
use adjutant_core::FieldError;
use adjutant_core::ids::BookingId;
use adjutant_core::office::space::{BookingRule, SpaceKind, duration_words};
use adjutant_core::people::Role;
use adjutant_core::policy::Capability;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SpacesQuery {
    pub date: Option<String>,
    pub site: Option<String>,
    pub kind: Option<String>,
    pub notice: Option<String>,
}

/// The booking form as typed.
#[derive(Debug, Clone, Default)]
pub struct BookForm {
    pub space: String,
    pub date: String,
    pub from: String,
    pub to: String,
    pub title: String,
    pub person: String,
}

/// The add-a-space form as typed.
#[derive(Debug, Clone, Default)]
pub struct SpaceForm {
    pub name: String,
    pub kind: String,
    pub site: String,
    pub floor: String,
    pub capacity: String,
    pub equipment: String,
    pub assigned_to: String,
}

/// The add-a-site form as typed.
#[derive(Debug, Clone, Default)]
pub struct SiteFormText {
    pub name: String,
    pub address: String,
    pub time_zone: String,
    pub floors: String,
}

/// A rule as the page shows it.
pub struct RuleRow {
    pub kind: &'static str,
    pub plural: &'static str,
    pub roles: String,
    pub role_opts: Vec<Opt>,
    pub max: String,
    pub max_minutes: u32,
    pub max_days_ahead: u32,
    pub quota: String,
    pub check_in: bool,
    pub release_after_minutes: u32,
}

/// One floor of one site with its spaces.
pub struct FloorGroup {
    pub heading: String,
    pub spaces: Vec<SpaceView>,
}

#[derive(Template)]
#[template(path = "spaces.html")]
struct SpacesPage {
    layout: Layout,
    date: String,
    day_label: String,
    prev: String,
    next: String,
    site: String,
    kind: String,
    site_opts: Vec<Opt>,
    kind_opts: Vec<Opt>,
    groups: Vec<FloorGroup>,
    mine: Vec<BookingView>,
    rules: Vec<RuleRow>,
    can_manage: bool,
    book: BookForm,
    space_opts: Vec<Opt>,
    people: Vec<Opt>,
    new_space: SpaceForm,
    new_site: SiteFormText,
    kind_choices: Vec<Opt>,
    site_choices: Vec<Opt>,
    csv: String,
    errors: Vec<FieldError>,
}

fn can_manage(auth: &AuthCtx) -> bool {
    caller(auth).may(auth.org(), Capability::ManageResources).is_ok()
}

#[derive(Default)]
struct Forms {
    book: Option<BookForm>,
    space: Option<SpaceForm>,
    site: Option<SiteFormText>,
}

fn parse_date(s: Option<&str>) -> Result<Option<Date>, FieldError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(d) => d
            .parse()
            .map(Some)
            .map_err(|_| one_error("date", format!("`{d}` is not a date like 2026-12-07"))),
    }
}

async fn render(
    state: &AppState,
    auth: &AuthCtx,
    q: &SpacesQuery,
    forms: Forms,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let now = Timestamp::now();
    let zone = viewer_zone(auth);
    let today = now.to_zoned(zone.tz().clone()).date();
    let day = match parse_date(q.date.as_deref()) {
        Ok(d) => d.unwrap_or(today),
        Err(e) => {
            errors.push(e);
            today
        }
    };
    let sites = ops::list_sites(state, &c, org).await?;
    let site = named(&q.site).and_then(|s| {
        sites
            .iter()
            .find(|x| x.id.to_string() == s || x.name.eq_ignore_ascii_case(s))
    });
    let kind = named(&q.kind).and_then(|k| k.parse::<SpaceKind>().ok());
    let spaces = ops::list_spaces(
        state,
        &c,
        org,
        &SpaceFilter {
            kind,
            site: site.map(|s| s.id),
            date: Some(day),
        },
        now,
    )
    .await?;
    let mut groups: Vec<FloorGroup> = Vec::new();
    for s in &spaces {
        let heading = match (s.site_name.as_str(), s.floor.as_str()) {
            ("", _) => "Not placed on a site".to_string(),
            (site, "") => site.to_string(),
            (site, floor) => format!("{site} · {floor}"),
        };
        match groups.last_mut() {
            Some(g) if g.heading == heading => g.spaces.push(s.clone()),
            _ => groups.push(FloorGroup {
                heading,
                spaces: vec![s.clone()],
            }),
        }
    }
    let mine = ops::list_bookings(
        state,
        &c,
        org,
        &BookingsFilter {
            mine: true,
            from: Some(now),
            open_only: true,
            ..BookingsFilter::default()
        },
        now,
    )
    .await?;
    let rules: Vec<RuleRow> = ops::list_rules(state, &c, org)
        .await?
        .iter()
        .map(rule_row)
        .collect();
    let book = forms.book.unwrap_or_else(|| BookForm {
        date: day.to_string(),
        from: "09:00".into(),
        to: "17:00".into(),
        ..BookForm::default()
    });
    let mut space_list: Vec<(String, String)> = vec![(String::new(), "Choose a space".into())];
    space_list.extend(spaces.iter().filter(|s| s.bookable).map(|s| {
        let place = if s.site_name.is_empty() {
            String::new()
        } else if s.floor.is_empty() {
            format!(" — {}", s.site_name)
        } else {
            format!(" — {}, {}", s.site_name, s.floor)
        };
        (s.id.clone(), format!("{} ({}){place}", s.name, s.kind))
    }));
    let space_refs: Vec<(&str, &str)> = space_list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let people = state.store.person_list(org).await?;
    let new_space = forms.space.unwrap_or_else(|| SpaceForm {
        kind: "desk".into(),
        capacity: "1".into(),
        ..SpaceForm::default()
    });
    let new_site = forms.site.unwrap_or_else(|| SiteFormText {
        time_zone: auth.person.time_zone.clone(),
        ..SiteFormText::default()
    });
    let mut site_list: Vec<(String, String)> = vec![(String::new(), "Every site".into())];
    site_list.extend(sites.iter().map(|s| (s.id.to_string(), s.name.clone())));
    let site_refs: Vec<(&str, &str)> = site_list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut choose_site: Vec<(&str, &str)> = vec![("", "No site")];
    choose_site.extend(site_refs.iter().skip(1).copied());
    let kinds: Vec<(&str, &str)> = vec![
        ("", "Every kind"),
        ("room", "Rooms"),
        ("desk", "Desks"),
        ("equipment", "Equipment"),
    ];
    let mut params = vec![format!("date={day}"), "format=csv".to_string()];
    if let Some(s) = site {
        params.push(format!("site={}", s.id));
    }
    if let Some(k) = kind {
        params.push(format!("kind={k}"));
    }
    let link = |d: Option<Date>| {
        let mut p = vec![format!("date={}", d.unwrap_or(day))];
        if let Some(s) = site {
            p.push(format!("site={}", s.id));
        }
        if let Some(k) = kind {
            p.push(format!("kind={k}"));
        }
        format!("/office/spaces?{}", p.join("&"))
    };
    let page = SpacesPage {
        layout: Layout::new(state, auth, "spaces", q.notice.as_deref()).await?,
        date: day.to_string(),
        day_label: if day == today {
            format!("Today, {}", day.strftime("%A %-d %B"))
        } else {
            day.strftime("%A %-d %B %Y").to_string()
        },
        prev: link(day.yesterday().ok()),
        next: link(day.tomorrow().ok()),
        site: site.map(|s| s.id.to_string()).unwrap_or_default(),
        kind: kind.map(|k| k.to_string()).unwrap_or_default(),
        site_opts: opts(&site_refs, &site.map(|s| s.id.to_string()).unwrap_or_default()),
        kind_opts: opts(&kinds, kind.map(|k| k.as_str()).unwrap_or("")),
        groups,
        mine,
        rules,
        can_manage: can_manage(auth),
        space_opts: opts(&space_refs, &book.space),
        people: people_opts(&people, std::slice::from_ref(&book.person), &[], Some("Myself")),
        kind_choices: opts(&kinds[1..], &new_space.kind),
        site_choices: opts(&choose_site, &new_space.site),
        book,
        new_space,
        new_site,
        csv: format!("/api/v1/spaces?{}", params.join("&")),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

fn rule_row(r: &BookingRule) -> RuleRow {
    let role_list: Vec<(&str, &str)> = Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect();
    RuleRow {
        kind: r.kind.as_str(),
        plural: r.kind.plural(),
        roles: r.roles.iter().map(|x| x.label()).collect::<Vec<_>>().join(", "),
        role_opts: role_list
            .iter()
            .map(|(v, l)| Opt {
                value: (*v).to_string(),
                label: (*l).to_string(),
                selected: r.roles.iter().any(|x| x.as_str() == *v),
            })
            .collect(),
        max: duration_words(i64::from(r.max_minutes)),
        max_minutes: r.max_minutes,
        max_days_ahead: r.max_days_ahead,
        quota: r
            .quota_per_week
            .map(|q| format!("{q} a week"))
            .unwrap_or_else(|| "no limit".into()),
        check_in: r.check_in,
        release_after_minutes: r.release_after_minutes,
    }
}

pub async fn page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<SpacesQuery>,
) -> WebResult {
    render(&state, &auth, &q, Forms::default(), vec![]).await
}

/// Where to go back to after an action: the day shown.
fn back_to(f: &[(String, String)], notice: &str) -> String {
    let date = trimmed(f, "back_date");
    if date.is_empty() {
        format!("/office/spaces?notice={notice}")
    } else {
        format!("/office/spaces?date={}&notice={notice}", super::url_encode(&date))
    }
}

pub async fn book(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let form = BookForm {
        space: trimmed(&f, "space"),
        date: trimmed(&f, "date"),
        from: trimmed(&f, "from"),
        to: trimmed(&f, "to"),
        title: trimmed(&f, "title"),
        person: trimmed(&f, "person"),
    };
    let q = SpacesQuery {
        date: Some(form.date.clone()),
        ..SpacesQuery::default()
    };
    let mut errors = Vec::new();
    if form.space.is_empty() {
        errors.push(one_error("space", "choose a space"));
    }
    if form.date.parse::<Date>().is_err() {
        errors.push(one_error(
            "date",
            format!("`{}` is not a date like 2026-12-07", form.date),
        ));
    }
    if !errors.is_empty() {
        return render(
            &state,
            &auth,
            &q,
            Forms {
                book: Some(form),
                ..Forms::default()
            },
            errors,
        )
        .await;
    }
    let input = BookInput {
        space: form.space.clone(),
        start: format!("{}T{}", form.date, form.from),
        end: form.to.clone(),
        title: (!form.title.is_empty()).then(|| form.title.clone()),
        person: (!form.person.is_empty()).then(|| form.person.clone()),
    };
    match ops::book(&state, &caller(&auth), auth.org(), &input, Timestamp::now()).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/office/spaces?date={}&notice=booked", form.date)).into_response())
        }
        Err(e) if is_user_error(&e) || e.status == axum::http::StatusCode::FORBIDDEN => {
            let mut errs = validation_errors(&e);
            for err in &mut errs {
                if err.field == "form" {
                    err.field = "space".into();
                }
            }
            render(
                &state,
                &auth,
                &q,
                Forms {
                    book: Some(form),
                    ..Forms::default()
                },
                errs,
            )
            .await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn booking_action(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let bid: BookingId = super::calendar::parse_path_id(&id, "booking")?;
    let now = Timestamp::now();
    let c = caller(&auth);
    let (result, notice) = match action.as_str() {
        "check-in" => (
            ops::check_in(&state, &c, auth.org(), bid, now).await,
            "checked-in",
        ),
        "cancel" => (
            ops::cancel(&state, &c, auth.org(), bid, now).await,
            "booking-cancelled",
        ),
        _ => return Err(WebError(crate::error::ApiError::not_found("page"))),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&back_to(&f, notice)).into_response()),
        Err(e) if is_user_error(&e) => {
            let q = SpacesQuery {
                date: Some(trimmed(&f, "back_date")),
                ..SpacesQuery::default()
            };
            let mut errs = validation_errors(&e);
            for err in &mut errs {
                err.field = "booking".into();
            }
            render(&state, &auth, &q, Forms::default(), errs).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn space_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManageResources)?;
    let f = form_pairs(&body);
    let form = SpaceForm {
        name: trimmed(&f, "name"),
        kind: trimmed(&f, "kind"),
        site: trimmed(&f, "site"),
        floor: trimmed(&f, "floor"),
        capacity: trimmed(&f, "capacity"),
        equipment: trimmed(&f, "equipment"),
        assigned_to: trimmed(&f, "assigned_to"),
    };
    let q = SpacesQuery::default();
    let capacity = match form.capacity.parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            let e = one_error(
                "capacity",
                format!("`{}` is not a whole number of seats", form.capacity),
            );
            return render(
                &state,
                &auth,
                &q,
                Forms {
                    space: Some(form),
                    ..Forms::default()
                },
                vec![e],
            )
            .await;
        }
    };
    let input = ResourceForm {
        name: form.name.clone(),
        capacity,
        equipment: form
            .equipment
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect(),
        kind: Some(form.kind.clone()),
        site: Some(form.site.clone()),
        floor: Some(form.floor.clone()),
        assigned_to: Some(form.assigned_to.clone()),
        ..ResourceForm::default()
    };
    match cal_ops::create_resource(&state, &c, auth.org(), &input).await {
        Ok(_) => Ok(Redirect::to("/office/spaces?notice=space-added").into_response()),
        Err(e) if is_user_error(&e) => {
            render(
                &state,
                &auth,
                &q,
                Forms {
                    space: Some(form),
                    ..Forms::default()
                },
                validation_errors(&e),
            )
            .await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn site_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManageResources)?;
    let f = form_pairs(&body);
    let form = SiteFormText {
        name: trimmed(&f, "name"),
        address: trimmed(&f, "address"),
        time_zone: trimmed(&f, "time_zone"),
        floors: trimmed(&f, "floors"),
    };
    let input = SiteForm {
        name: form.name.clone(),
        address: Some(form.address.clone()),
        time_zone: (!form.time_zone.is_empty()).then(|| form.time_zone.clone()),
        floors: form
            .floors
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect(),
    };
    match ops::create_site(&state, &c, auth.org(), &input).await {
        Ok(_) => Ok(Redirect::to("/office/spaces?notice=site-added").into_response()),
        Err(e) if is_user_error(&e) => {
            let q = SpacesQuery::default();
            render(
                &state,
                &auth,
                &q,
                Forms {
                    site: Some(form),
                    ..Forms::default()
                },
                validation_errors(&e),
            )
            .await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn rule_set(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(kind): Path<String>,
    body: Bytes,
) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManageResources)?;
    let kind: SpaceKind = kind
        .parse()
        .map_err(|_| WebError(crate::error::ApiError::not_found("kind of space")))?;
    let f = form_pairs(&body);
    let q = SpacesQuery::default();
    let num = |name: &str| -> Result<u32, FieldError> {
        let v = trimmed(&f, name);
        v.parse::<u32>()
            .map_err(|_| one_error(name, format!("`{v}` is not a whole number")))
    };
    let quota = trimmed(&f, "quota_per_week");
    let parsed = (|| -> Result<RuleForm, FieldError> {
        Ok(RuleForm {
            roles: super::calendar::all_of(&f, "roles"),
            max_minutes: num("max_minutes")?,
            max_days_ahead: num("max_days_ahead")?,
            quota_per_week: if quota.is_empty() {
                None
            } else {
                Some(num("quota_per_week")?)
            },
            check_in: trimmed(&f, "check_in") == "1",
            release_after_minutes: num("release_after_minutes")?,
        })
    })();
    let form = match parsed {
        Ok(r) => r,
        Err(e) => return render(&state, &auth, &q, Forms::default(), vec![e]).await,
    };
    match ops::set_rule(&state, &c, auth.org(), kind, &form).await {
        Ok(_) => Ok(Redirect::to("/office/spaces?notice=rule-saved#rules").into_response()),
        Err(e) if is_user_error(&e) => {
            render(&state, &auth, &q, Forms::default(), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}
