//! Commands for spaces: `space list|add|book|checkin|cancel|bookings|rules|rule`
//! and `site add|list`. Like the other commands they call the same operations
//! as the API, as the caller `cli`; the person a booking is for comes from
//! `--for EMAIL` or `$ADJUTANT_USER`. Lists print as a table, as JSON with
//! `--json`, or as CSV with `--csv`. A booking is named by its id or the end of
//! its id as lists show it.

use crate::Global;
use crate::calendar::USER_ENV;
use crate::commands::{api, cli, with_store};
use crate::ids::{pick, short};
use crate::output;
use adjutant_core::ids::{BookingId, OrgId};
use adjutant_core::office::space::SpaceKind;
use adjutant_server::AppState;
use adjutant_server::ops::calendar::{self as cal, ResourceForm};
use adjutant_server::ops::spaces::{
    self as ops, BookInput, BookingView, BookingsFilter, RuleForm, SiteForm, SpaceFilter,
};
use anyhow::anyhow;
use clap::{Args, Subcommand};
use jiff::Timestamp;

#[derive(Subcommand, Debug)]
pub enum SpaceCmd {
    /// Every room, desk and piece of equipment with its bookings of a day.
    List {
        /// room, desk or equipment.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// A site's name or id.
        #[arg(long, value_name = "SITE")]
        site: Option<String>,
        /// The day, e.g. 2026-12-07 [default: today].
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Add a desk, a room or a piece of bookable equipment.
    Add(Box<AddArgs>),
    /// Book a space under its kind's rule.
    Book(BookArgs),
    /// Check into a booking (from 15 minutes before its start).
    Checkin {
        /// The booking's id, or the end of it as `space bookings` shows it.
        booking: String,
    },
    /// Cancel a booking, freeing the space.
    Cancel {
        /// The booking's id, or the end of it as `space bookings` shows it.
        booking: String,
    },
    /// Bookings from now on: a person's (`--for`), a space's, or everyone's.
    Bookings {
        /// Only this person's bookings (e-mail).
        #[arg(long = "for", value_name = "EMAIL")]
        person: Option<String>,
        /// Only this space's bookings (name or id).
        #[arg(long, value_name = "SPACE")]
        space: Option<String>,
        /// Also those released or cancelled.
        #[arg(long)]
        all: bool,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// The booking rule of each kind of space.
    Rules,
    /// Set the booking rule of one kind of space.
    Rule(RuleArgs),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The space's name, e.g. "Desk 3.14".
    pub name: String,
    /// room, desk or equipment.
    #[arg(long, value_name = "KIND", default_value = "desk")]
    pub kind: String,
    /// The site's name or id.
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// One of the site's floors.
    #[arg(long, value_name = "FLOOR")]
    pub floor: Option<String>,
    /// Seats (rooms), or 1.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub capacity: u32,
    /// Comma-separated, e.g. monitor,dock.
    #[arg(long, value_delimiter = ',')]
    pub equipment: Vec<String>,
    /// An assigned desk's holder (e-mail).
    #[arg(long, value_name = "EMAIL")]
    pub assigned_to: Option<String>,
}

#[derive(Args, Debug)]
pub struct BookArgs {
    /// The space's name or id.
    pub space: String,
    /// The start, "2026-12-07 09:00" in the space's zone, or an RFC 3339 instant.
    #[arg(long, value_name = "WHEN")]
    pub from: String,
    /// The end: a time on the start's day ("17:00"), or a date and time.
    #[arg(long, value_name = "WHEN")]
    pub to: String,
    /// What it is for [default: the space's name].
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Whom it is for (e-mail) [default: $ADJUTANT_USER].
    #[arg(long = "for", value_name = "EMAIL")]
    pub person: Option<String>,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// room, desk or equipment.
    pub kind: String,
    /// Roles that may book, comma-separated, e.g. staff,office_manager,principal,assistant,admin.
    #[arg(long, value_delimiter = ',', required = true)]
    pub roles: Vec<String>,
    /// The longest booking in minutes (15–43200).
    #[arg(long, value_name = "MIN")]
    pub max_minutes: u32,
    /// How many days ahead a booking may start (0–365).
    #[arg(long, value_name = "DAYS")]
    pub days_ahead: u32,
    /// Bookings per person per week (none: no limit).
    #[arg(long, value_name = "N")]
    pub quota: Option<u32>,
    /// Bookings need no check-in.
    #[arg(long)]
    pub no_check_in: bool,
    /// Minutes after the start a booking nobody checked into is released (5–240).
    #[arg(long, value_name = "MIN", default_value_t = 15)]
    pub release_after: u32,
}

#[derive(Subcommand, Debug)]
pub enum SiteCmd {
    /// Add a site with its floors.
    Add {
        /// e.g. "Amsterdam HQ".
        name: String,
        /// IANA zone, e.g. Europe/Amsterdam.
        #[arg(long, value_name = "ZONE", default_value = "UTC")]
        tz: String,
        /// Floor names in order, comma-separated.
        #[arg(long, value_delimiter = ',')]
        floors: Vec<String>,
        #[arg(long)]
        address: Option<String>,
    },
    /// List the sites and their floors.
    List,
}

pub async fn site(g: &Global, cmd: SiteCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| {
        match cmd {
            SiteCmd::Add {
                name,
                tz,
                floors,
                address,
            } => {
                let s = ops::create_site(
                    &state,
                    &cli(),
                    org,
                    &SiteForm {
                        name,
                        address,
                        time_zone: Some(tz),
                        floors,
                    },
                )
                .await
                .map_err(api)?;
                if g.json {
                    output::json(&ops::SiteView::from(&s));
                } else {
                    output::line(&format!(
                        "Added site {} ({} floor{}), id {}",
                        s.name,
                        s.floors.len(),
                        if s.floors.len() == 1 { "" } else { "s" },
                        s.id
                    ));
                }
            }
            SiteCmd::List => {
                let list = ops::list_sites(&state, &cli(), org).await.map_err(api)?;
                let views: Vec<ops::SiteView> = list.iter().map(ops::SiteView::from).collect();
                if g.json {
                    output::json(&views);
                } else if views.is_empty() {
                    output::line("No sites yet; add one with `adjutant site add`.");
                } else {
                    output::table(
                        &["NAME", "ZONE", "FLOORS", "ADDRESS"],
                        &views
                            .iter()
                            .map(|s| {
                                vec![
                                    s.name.clone(),
                                    s.time_zone.clone(),
                                    s.floors.join(", "),
                                    s.address.clone(),
                                ]
                            })
                            .collect::<Vec<_>>(),
                    );
                }
            }
        }
        Ok(())
    })
}

pub async fn space(g: &Global, cmd: SpaceCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| space_in(g, &state, org, cmd).await)
}

/// A booking by id, or by the end of its id.
async fn booking_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<BookingId> {
    if let Ok(id) = given.trim().parse::<BookingId>() {
        return Ok(id);
    }
    let all = ops::list_bookings(
        state,
        &cli(),
        org,
        &BookingsFilter {
            from: Some(Timestamp::now() - jiff::SignedDuration::from_hours(24 * 60)),
            ..BookingsFilter::default()
        },
        Timestamp::now(),
    )
    .await
    .map_err(api)?;
    let ids: Vec<BookingId> = all.iter().filter_map(|b| b.id.parse().ok()).collect();
    pick(("booking", "bookings"), given, ids.into_iter())
}

fn status(b: &BookingView) -> String {
    match b.status.as_str() {
        "checked_in" => "checked in".into(),
        "booked" if b.can_check_in => "booked — check in now".into(),
        other => other.replace('_', " "),
    }
}

fn booking_line(verb: &str, b: &BookingView) -> String {
    format!(
        "{verb} {} for {}, {} ({}), booking {}",
        b.space_name,
        b.person_name,
        b.local,
        status(b),
        short(&b.id)
    )
}

async fn space_in(g: &Global, state: &AppState, org: OrgId, cmd: SpaceCmd) -> anyhow::Result<()> {
    let now = Timestamp::now();
    match cmd {
        SpaceCmd::List {
            kind,
            site,
            date,
            csv,
        } => {
            let kind = kind
                .map(|k| k.parse::<SpaceKind>())
                .transpose()
                .map_err(|e| anyhow!(e.summary()))?;
            let site = match site {
                Some(s) => Some(ops::site_ref(state, org, "--site", &s).await.map_err(api)?.id),
                None => None,
            };
            let date = date
                .map(|d| {
                    d.parse()
                        .map_err(|_| anyhow!("--date: `{d}` is not a date like 2026-12-07"))
                })
                .transpose()?;
            let list = ops::list_spaces(state, &cli(), org, &SpaceFilter { kind, site, date }, now)
                .await
                .map_err(api)?;
            if csv {
                output::raw(&ops::spaces_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No spaces match.");
            } else {
                output::table(
                    &["SPACE", "KIND", "SITE", "FLOOR", "NOW", "BOOKED"],
                    &list
                        .iter()
                        .map(|s| {
                            vec![
                                s.name.clone(),
                                s.kind.to_string(),
                                s.site_name.clone(),
                                s.floor.clone(),
                                s.now.clone(),
                                s.bookings
                                    .iter()
                                    .map(|b| format!("{} {}", b.local, b.person_name))
                                    .collect::<Vec<_>>()
                                    .join("; "),
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
        }
        SpaceCmd::Add(a) => {
            let form = ResourceForm {
                name: a.name,
                capacity: a.capacity,
                equipment: a.equipment,
                kind: Some(a.kind),
                site: a.site,
                floor: a.floor,
                assigned_to: a.assigned_to,
                ..ResourceForm::default()
            };
            let r = cal::create_resource(state, &cli(), org, &form)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&r);
            } else {
                let place = if r.floor.is_empty() {
                    r.location.clone()
                } else {
                    format!("{}, {}", r.location, r.floor)
                };
                output::line(&format!("Added {} {} ({place}), id {}", r.kind, r.name, r.id));
            }
        }
        SpaceCmd::Book(a) => {
            let person = match a.person {
                Some(p) => p,
                None => std::env::var(USER_ENV)
                    .map_err(|_| anyhow!("name whom the booking is for: --for EMAIL (or set {USER_ENV})"))?,
            };
            let b = ops::book(
                state,
                &cli(),
                org,
                &BookInput {
                    space: a.space,
                    start: a.from,
                    end: a.to,
                    title: a.title,
                    person: Some(person),
                },
                now,
            )
            .await
            .map_err(api)?;
            let v = ops::view(state, org, &b, now).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&booking_line("Booked", &v));
            }
        }
        SpaceCmd::Checkin { booking } => {
            let id = booking_id(state, org, &booking).await?;
            let b = ops::check_in(state, &cli(), org, id, now).await.map_err(api)?;
            let v = ops::view(state, org, &b, now).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&booking_line("Checked into", &v));
            }
        }
        SpaceCmd::Cancel { booking } => {
            let id = booking_id(state, org, &booking).await?;
            let b = ops::cancel(state, &cli(), org, id, now).await.map_err(api)?;
            let v = ops::view(state, org, &b, now).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&booking_line("Cancelled", &v));
            }
        }
        SpaceCmd::Bookings {
            person,
            space,
            all,
            csv,
        } => {
            let person = match person {
                Some(p) => Some(crate::commands::person_by_email(&state.store, org, &p).await?.id),
                None => None,
            };
            let space = match space {
                Some(s) => Some(ops::space_ref(state, org, "--space", &s).await.map_err(api)?.id),
                None => None,
            };
            let list = ops::list_bookings(
                state,
                &cli(),
                org,
                &BookingsFilter {
                    person,
                    space,
                    from: Some(now),
                    open_only: !all,
                    ..BookingsFilter::default()
                },
                now,
            )
            .await
            .map_err(api)?;
            if csv {
                output::raw(&ops::bookings_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No bookings from now on.");
            } else {
                output::table(
                    &["ID", "SPACE", "FOR", "WHEN", "STATUS"],
                    &list
                        .iter()
                        .map(|b| {
                            vec![
                                short(&b.id).to_string(),
                                b.space_name.clone(),
                                b.person_name.clone(),
                                b.local.clone(),
                                status(b),
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
        }
        SpaceCmd::Rules => {
            let rules = ops::list_rules(state, &cli(), org).await.map_err(api)?;
            if g.json {
                output::json(&rules);
            } else {
                output::table(
                    &["KIND", "WHO", "LONGEST", "DAYS AHEAD", "PER WEEK", "CHECK-IN"],
                    &rules
                        .iter()
                        .map(|r| {
                            vec![
                                r.kind.plural().to_string(),
                                r.roles.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(","),
                                adjutant_core::office::space::duration_words(i64::from(r.max_minutes)),
                                r.max_days_ahead.to_string(),
                                r.quota_per_week
                                    .map(|q| q.to_string())
                                    .unwrap_or_else(|| "-".into()),
                                if r.check_in {
                                    format!("released after {} min", r.release_after_minutes)
                                } else {
                                    "not needed".into()
                                },
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
        }
        SpaceCmd::Rule(a) => {
            let kind: SpaceKind = a
                .kind
                .parse()
                .map_err(|e: adjutant_core::ValidationError| anyhow!(e.summary()))?;
            let r = ops::set_rule(
                state,
                &cli(),
                org,
                kind,
                &RuleForm {
                    roles: a.roles,
                    max_minutes: a.max_minutes,
                    max_days_ahead: a.days_ahead,
                    quota_per_week: a.quota,
                    check_in: !a.no_check_in,
                    release_after_minutes: a.release_after,
                },
            )
            .await
            .map_err(api)?;
            if g.json {
                output::json(&r);
            } else {
                output::line(&format!("Saved the booking rule for {}", r.kind.plural()));
            }
        }
    }
    Ok(())
}
