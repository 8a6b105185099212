//! Calendar commands: `agenda`, `find-time`, `event add|move|cancel`,
//! `import ics`, `export ics`, `ics expand` and `room add|list`. They call
//! the same operations as the API, as the caller `cli`.

use crate::Global;
use crate::commands::{api, cli, load_config, person_by_email, resolve_org, state_for};
use crate::output;
use adjutant_core::calendar::{TimeRange, Zone};
use adjutant_core::ids::{EventId, OrgId};
use adjutant_server::AppState;
use adjutant_server::ops::calendar::{
    self as cal, AgendaOf, AttendeeInput, CancelInput, EventInput, MoveInput, ResourceForm,
};
use adjutant_server::ops::scheduling::{self as sched, FindAttendee, FindTimeInput};
use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// The environment variable naming whose calendar commands work on by default.
pub const USER_ENV: &str = "ADJUTANT_USER";

#[derive(Args, Debug)]
pub struct AgendaArgs {
    /// Whose agenda (e-mail address) [default: $ADJUTANT_USER].
    #[arg(long = "for", value_name = "EMAIL")]
    pub for_: Option<String>,
    /// A room's agenda instead (its name).
    #[arg(long, value_name = "NAME", conflicts_with = "for_")]
    pub room: Option<String>,
    /// One day.
    #[arg(long, conflicts_with = "week")]
    pub day: bool,
    /// Seven days (the default).
    #[arg(long)]
    pub week: bool,
    /// The day (with --week: a day of the week) to show, e.g. 2026-12-07 [default: today].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Show times in this IANA zone [default: the person's or room's].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
}

#[derive(Args, Debug)]
pub struct FindTimeArgs {
    /// Required attendees: e-mail addresses (people of the organisation or outsiders), comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub with: Vec<String>,
    /// Optional attendees, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub optional: Vec<String>,
    /// Minutes.
    #[arg(long, default_value_t = 60)]
    pub duration: u32,
    /// Search from (date or date-time) [default: now].
    #[arg(long)]
    pub from: Option<String>,
    /// Search until [default: two weeks later].
    #[arg(long)]
    pub to: Option<String>,
    /// Zone of --from/--to and of the times shown [default: UTC].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Seats the room needs (asks for a room).
    #[arg(long)]
    pub room_capacity: Option<u32>,
    /// Equipment the room needs, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub equipment: Vec<String>,
    /// A particular room, by name.
    #[arg(long)]
    pub room: Option<String>,
    /// Where the meeting is (for travel times).
    #[arg(long)]
    pub location: Option<String>,
    /// How many slots.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// An outsider's calendar feed, as EMAIL=URL (repeatable); their busy time then counts.
    #[arg(long = "calendar-url", value_name = "EMAIL=URL")]
    pub calendar_urls: Vec<String>,
    /// Instead of slots, explain why the meeting cannot start at this time.
    #[arg(long, value_name = "TIME")]
    pub why_not: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum EventCmd {
    /// Add an event to a calendar.
    Add(Box<EventAddArgs>),
    /// Move an event (or one occurrence of a recurring one).
    Move {
        /// The event's id.
        id: String,
        /// The new start, e.g. "2026-12-03 10:00".
        #[arg(long)]
        start: String,
        /// The new end [default: the same length].
        #[arg(long)]
        end: Option<String>,
        /// Zone of the new times [default: the event's].
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Move only the occurrence that originally starts then, e.g. 2026-12-07T10:00:00.
        #[arg(long, value_name = "ORIGINAL_START")]
        occurrence: Option<String>,
    },
    /// Cancel an event (or one occurrence); attendees get a cancellation.
    Cancel {
        id: String,
        #[arg(long, value_name = "ORIGINAL_START")]
        occurrence: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct EventAddArgs {
    /// Whose calendar (e-mail) [default: $ADJUTANT_USER].
    #[arg(long = "for", value_name = "EMAIL")]
    pub for_: Option<String>,
    #[arg(long)]
    pub summary: String,
    /// "2026-12-03 10:00", or a date for an all-day event.
    #[arg(long)]
    pub start: String,
    #[arg(long)]
    pub end: Option<String>,
    /// Minutes, when no --end is given [default: 60].
    #[arg(long)]
    pub duration: Option<u32>,
    /// Zone of --start/--end [default: the calendar's].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// e.g. FREQ=WEEKLY;BYDAY=MO
    #[arg(long)]
    pub rrule: Option<String>,
    /// Attendees (e-mail addresses), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub with: Vec<String>,
    /// Optional attendees, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub optional: Vec<String>,
    /// A room, by name.
    #[arg(long)]
    pub room: Option<String>,
    #[arg(long)]
    pub location: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// normal, private or confidential.
    #[arg(long)]
    pub visibility: Option<String>,
    /// meeting, focus, travel, personal, hold or task.
    #[arg(long)]
    pub category: Option<String>,
    /// 1 (critical) to 4 (low).
    #[arg(long)]
    pub priority: Option<u8>,
    /// The time does not block the calendar.
    #[arg(long)]
    pub free: bool,
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Import an .ics file into a person's calendar (all of it, or nothing).
    Ics {
        file: PathBuf,
        /// Whose calendar (e-mail) [default: $ADJUTANT_USER].
        #[arg(long = "for", value_name = "EMAIL")]
        for_: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// Write a person's calendar as an .ics file (to standard output, or --output).
    Ics {
        #[arg(long = "for", value_name = "EMAIL")]
        for_: Option<String>,
        /// Only events with occurrences from this date.
        #[arg(long)]
        from: Option<String>,
        /// … until this date.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum IcsCmd {
    /// Print every occurrence of every VEVENT and VTODO in FILE as one JSON line each.
    Expand {
        file: PathBuf,
        /// Only occurrences ending after this date or instant.
        #[arg(long)]
        after: Option<String>,
        /// Only occurrences starting before this date or instant.
        #[arg(long)]
        before: Option<String>,
        /// At most this many lines.
        #[arg(long)]
        limit: Option<usize>,
        /// Zone for floating times and dates [default: UTC].
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RoomCmd {
    /// Add a room.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        capacity: u32,
        /// Comma-separated, e.g. screen,video.
        #[arg(long, value_delimiter = ',')]
        equipment: Vec<String>,
        /// Where it is, e.g. "Amsterdam HQ".
        #[arg(long, default_value = "")]
        location: String,
        #[arg(long, value_name = "ZONE", default_value = "UTC")]
        tz: String,
    },
    /// List rooms.
    List,
}

fn zone(name: Option<&str>, default: &str) -> anyhow::Result<Zone> {
    Zone::parse("--tz", name.unwrap_or(default)).map_err(|e| anyhow!(e.summary()))
}

/// The person a command is for: `--for`, else `$ADJUTANT_USER`.
async fn whom(state: &AppState, org: OrgId, given: Option<&str>) -> anyhow::Result<adjutant_store::Person> {
    let email = match given {
        Some(e) => e.to_string(),
        None => std::env::var(USER_ENV)
            .map_err(|_| anyhow!("name whose calendar: --for EMAIL (or set {USER_ENV})"))?,
    };
    person_by_email(&state.store, org, &email).await
}

async fn room_id(state: &AppState, org: OrgId, name: &str) -> anyhow::Result<String> {
    let rooms = state.store.resource_list(org).await?;
    rooms
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()) || r.id.to_string() == name.trim())
        .map(|r| r.id.to_string())
        .ok_or_else(|| {
            anyhow!(
                "no room called `{name}`; rooms: {}",
                rooms
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

fn hm(z: &Zone, t: jiff::Timestamp) -> String {
    z.local(t).strftime("%H:%M").to_string()
}

pub async fn agenda(g: &Global, a: AgendaArgs) -> anyhow::Result<()> {
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let (of, home_zone, title) = match &a.room {
        Some(name) => {
            let id: adjutant_core::ids::ResourceId = room_id(&state, org, name).await?.parse()?;
            let r = state.store.resource_get(org, id).await?;
            (AgendaOf::Room(id), r.time_zone.clone(), r.name.clone())
        }
        None => {
            let p = whom(&state, org, a.for_.as_deref()).await?;
            (AgendaOf::Person(p.id), p.time_zone.clone(), p.name.clone())
        }
    };
    let z = zone(a.tz.as_deref(), &home_zone)?;
    let home = zone(None, &home_zone)?;
    // A day is the day asked for (today by default); a week runs Monday to Sunday around it.
    let day = match a.date.as_deref() {
        Some(d) => d
            .trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| anyhow!("--date: `{d}` is not a date like 2026-12-07"))?,
        None => z.local(jiff::Timestamp::now()).date(),
    };
    let (first, days) = if a.day {
        (day, 1)
    } else {
        let back = i64::from(day.weekday().to_monday_zero_offset());
        (day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day), 7)
    };
    let window = cal::window(Some(&first.to_string()), None, &z, days).map_err(api)?;
    let items = cal::agenda(&state, &cli(), org, of, window).await.map_err(api)?;
    state.store.close().await;
    if g.json {
        output::json(&items);
        return Ok(());
    }
    output::line(&format!(
        "{title} — {} to {} ({})",
        z.local(window.start).strftime("%a %-d %b %Y"),
        z.local(
            window
                .end
                .checked_sub(jiff::SignedDuration::from_secs(1))
                .unwrap_or(window.end)
        )
        .strftime("%a %-d %b %Y"),
        z.name()
    ));
    let both = home != z;
    let mut header = vec!["DAY", "TIME"];
    if both {
        header.push("THEIR TIME");
    }
    header.extend(["WHAT", "WHERE", "NOTES", "EVENT"]);
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            let mut notes = vec![];
            if i.recurring {
                notes.push("repeats");
            }
            if i.moved {
                notes.push("moved");
            }
            if i.hold {
                notes.push("hold");
            }
            if i.busy_only {
                notes.push("private");
            }
            if i.status == adjutant_core::calendar::EventStatus::Tentative {
                notes.push("tentative");
            }
            let mut row = vec![
                z.local(i.start_at).strftime("%a %-d %b").to_string(),
                if i.all_day {
                    "all day".into()
                } else {
                    format!("{}–{}", hm(&z, i.start_at), hm(&z, i.end_at))
                },
            ];
            if both {
                row.push(if i.all_day {
                    String::new()
                } else {
                    format!("{}–{}", hm(&home, i.start_at), hm(&home, i.end_at))
                });
            }
            row.extend([
                i.summary.clone(),
                i.location.clone().unwrap_or_default(),
                notes.join(", "),
                format!(
                    "{}{}",
                    i.event,
                    i.recurrence_id.map(|r| format!(" @{r}")).unwrap_or_default()
                ),
            ]);
            row
        })
        .collect();
    if rows.is_empty() {
        output::line("Nothing planned.");
    } else {
        output::table(&header, &rows);
    }
    Ok(())
}

pub async fn find_time(g: &Global, a: FindTimeArgs) -> anyhow::Result<()> {
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let mut attendees: Vec<FindAttendee> = a
        .with
        .iter()
        .map(|w| FindAttendee {
            who: w.clone(),
            name: None,
            optional: false,
            busy: vec![],
            ics: None,
            ics_url: None,
        })
        .collect();
    attendees.extend(a.optional.iter().map(|w| FindAttendee {
        who: w.clone(),
        name: None,
        optional: true,
        busy: vec![],
        ics: None,
        ics_url: None,
    }));
    for spec in &a.calendar_urls {
        let Some((email, url)) = spec.split_once('=') else {
            bail!("--calendar-url: `{spec}` is not EMAIL=URL");
        };
        match attendees
            .iter_mut()
            .find(|x| x.who.eq_ignore_ascii_case(email.trim()))
        {
            Some(x) => x.ics_url = Some(url.trim().to_string()),
            None => bail!("--calendar-url: {email} is not among --with or --optional"),
        }
    }
    let room = match &a.room {
        Some(n) => Some(room_id(&state, org, n).await?),
        None => None,
    };
    let z = zone(a.tz.as_deref(), "UTC")?;
    let input = FindTimeInput {
        attendees,
        duration_minutes: a.duration,
        from: a.from.clone(),
        to: a.to.clone(),
        time_zone: Some(z.name().to_string()),
        room_capacity: a.room_capacity,
        room_equipment: a.equipment.clone(),
        room,
        need_room: None,
        location: a.location.clone(),
        priority: None,
        step_minutes: None,
        limit: Some(a.limit),
    };
    if let Some(at) = &a.why_not {
        let (t, reasons) = sched::why_not(&state, &cli(), org, &input, at)
            .await
            .map_err(api)?;
        state.store.close().await;
        if g.json {
            output::json(&serde_json::json!({"start": t, "reasons": reasons}));
            return Ok(());
        }
        output::line(&format!(
            "Why not {} ({}):",
            z.local(t).strftime("%a %-d %b %H:%M"),
            z.name()
        ));
        if reasons.iter().all(|r| !r.blocking) {
            output::line("  Nothing blocks it.");
        }
        for r in &reasons {
            output::line(&format!("  {} {}", if r.blocking { "✗" } else { "·" }, r.text));
        }
        return Ok(());
    }
    let found = sched::find_time(&state, &cli(), org, &input).await.map_err(api)?;
    state.store.close().await;
    if g.json {
        output::json(&found);
        return Ok(());
    }
    if found.slots.is_empty() {
        output::line("No time fits everyone.");
        for p in &found.proposals {
            output::line(&format!("  Proposal: {}", p.text));
        }
        return Ok(());
    }
    let room_name = |k: &Option<String>| {
        k.as_ref()
            .and_then(|k| found.rooms.iter().find(|(id, _)| id == k).map(|(_, n)| n.clone()))
            .unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = found
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                format!("{}", i + 1),
                z.local(s.range.start).strftime("%a %-d %b %H:%M").to_string(),
                s.local_times
                    .iter()
                    .map(|(zn, t)| format!("{t} {}", city(zn)))
                    .collect::<Vec<_>>()
                    .join(" = "),
                room_name(&s.room),
                s.score.to_string(),
                s.reasons
                    .iter()
                    .map(|r| r.text.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    output::table(&["#", "START", "LOCAL TIMES", "ROOM", "SCORE", "WHY"], &rows);
    Ok(())
}

fn city(zone: &str) -> String {
    zone.rsplit('/').next().unwrap_or(zone).replace('_', " ")
}

pub async fn event(g: &Global, cmd: EventCmd) -> anyhow::Result<()> {
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let result = match cmd {
        EventCmd::Add(a) => {
            let a = *a;
            let p = whom(&state, org, a.for_.as_deref()).await?;
            let mut attendees: Vec<AttendeeInput> = a
                .with
                .iter()
                .map(|w| AttendeeInput {
                    who: w.clone(),
                    name: None,
                    optional: false,
                })
                .collect();
            attendees.extend(a.optional.iter().map(|w| AttendeeInput {
                who: w.clone(),
                name: None,
                optional: true,
            }));
            let room = match &a.room {
                Some(n) => Some(room_id(&state, org, n).await?),
                None => None,
            };
            let input = EventInput {
                person: Some(p.id.to_string()),
                summary: a.summary,
                description: a.description,
                start: a.start,
                end: a.end,
                duration_minutes: a.duration,
                time_zone: a.tz,
                rrule: a.rrule,
                location: a.location,
                attendees,
                room,
                visibility: a.visibility,
                transparency: a.free.then(|| "free".to_string()),
                priority: a.priority,
                category: a.category,
                ..EventInput::default()
            };
            let e = cal::create_event(&state, &cli(), org, &input)
                .await
                .map_err(api)?;
            report_event(g, &e, "Added")
        }
        EventCmd::Move {
            id,
            start,
            end,
            tz,
            occurrence,
        } => {
            let id: EventId = id.parse().map_err(|_| anyhow!("`{id}` is not an event id"))?;
            let input = MoveInput {
                start,
                end,
                time_zone: tz,
                recurrence_id: occurrence,
            };
            let e = cal::move_event(&state, &cli(), org, id, &input)
                .await
                .map_err(api)?;
            report_event(g, &e, "Moved")
        }
        EventCmd::Cancel { id, occurrence } => {
            let id: EventId = id.parse().map_err(|_| anyhow!("`{id}` is not an event id"))?;
            let input = CancelInput {
                recurrence_id: occurrence.clone(),
            };
            let e = cal::cancel_event(&state, &cli(), org, id, &input)
                .await
                .map_err(api)?;
            match occurrence {
                Some(o) if !g.json => {
                    output::line(&format!(
                        "Cancelled the occurrence of “{}” at {o}.",
                        e.data.summary
                    ));
                    Ok(())
                }
                _ => report_event(g, &e, "Cancelled"),
            }
        }
    };
    state.store.close().await;
    result
}

fn report_event(g: &Global, e: &adjutant_store::calendar::EventRecord, what: &str) -> anyhow::Result<()> {
    if g.json {
        output::json(e);
    } else {
        output::line(&format!(
            "{what} “{}” ({}), id {}",
            e.data.summary, e.data.start, e.id
        ));
    }
    Ok(())
}

pub async fn import(g: &Global, cmd: ImportCmd) -> anyhow::Result<()> {
    let ImportCmd::Ics { file, for_ } = cmd;
    let meta = std::fs::metadata(&file).with_context(|| format!("cannot read {}", file.display()))?;
    if meta.len() > adjutant_interop::ics::MAX_ICS_BYTES as u64 {
        bail!(
            "{}: the file is {} bytes; at most {} are accepted",
            file.display(),
            meta.len(),
            adjutant_interop::ics::MAX_ICS_BYTES
        );
    }
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| anyhow!("{}: not UTF-8 text ({e})", file.display()))?;
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let p = whom(&state, org, for_.as_deref()).await?;
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let report = cal::import_ics(&state, &cli(), org, None, Some(p.id), &text, &source)
        .await
        .map_err(|e| anyhow!("{}: {}", file.display(), e.detail))?;
    state.store.close().await;
    if g.json {
        output::json(&report);
    } else {
        output::line(&format!(
            "Imported {} into {}'s calendar: {} new, {} updated.",
            file.display(),
            p.name,
            report.created,
            report.updated
        ));
        for s in &report.skipped {
            output::line(&format!(
                "  skipped line {} ({}): {}",
                s.line, s.component, s.reason
            ));
        }
    }
    Ok(())
}

pub async fn export(g: &Global, cmd: ExportCmd) -> anyhow::Result<()> {
    let ExportCmd::Ics {
        for_,
        from,
        to,
        output: out,
    } = cmd;
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let p = whom(&state, org, for_.as_deref()).await?;
    let cal = state
        .store
        .calendar_ensure_default(org, p.id, &cli().audit(jiff::Timestamp::now()))
        .await?;
    let z = zone(None, &cal.time_zone)?;
    let range = if from.is_some() || to.is_some() {
        let start = match &from {
            Some(f) => cal::event_time("--from", f, &z, false)
                .map_err(|e| anyhow!(e.summary()))?
                .instant(&z),
            None => jiff::Timestamp::MIN,
        };
        let end = match &to {
            Some(t) => cal::event_time("--to", t, &z, false)
                .map_err(|e| anyhow!(e.summary()))?
                .instant(&z),
            None => jiff::Timestamp::MAX,
        };
        Some(TimeRange { start, end })
    } else {
        None
    };
    let text = cal::export_ics(&state, &cli(), org, cal.id, range)
        .await
        .map_err(api)?;
    state.store.close().await;
    match out {
        Some(path) => {
            std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
            output::line(&format!("Wrote {}'s calendar to {}.", p.name, path.display()));
        }
        None => output::raw(&text),
    }
    Ok(())
}

pub fn ics(cmd: IcsCmd) -> anyhow::Result<()> {
    let IcsCmd::Expand {
        file,
        after,
        before,
        limit,
        tz,
    } = cmd;
    let z = zone(tz.as_deref(), "UTC")?;
    let meta = std::fs::metadata(&file).with_context(|| format!("cannot read {}", file.display()))?;
    if meta.len() > adjutant_interop::ics::MAX_ICS_BYTES as u64 {
        bail!(
            "{}: the file is {} bytes; at most {} are accepted",
            file.display(),
            meta.len(),
            adjutant_interop::ics::MAX_ICS_BYTES
        );
    }
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let bound = |field: &str, s: &Option<String>| -> anyhow::Result<Option<jiff::Timestamp>> {
        s.as_deref()
            .map(|v| cal::event_time(field, v, &z, false).map(|t| t.instant(&z)))
            .transpose()
            .map_err(|e| anyhow!(e.summary()))
    };
    let lines = adjutant_interop::expand::expand(
        &text,
        &z,
        bound("--after", &after)?,
        bound("--before", &before)?,
        limit,
    )
    .map_err(|e| anyhow!("{}: {e}", file.display()))?;
    for l in &lines {
        output::json_line(l);
    }
    Ok(())
}

pub async fn room(g: &Global, cmd: RoomCmd) -> anyhow::Result<()> {
    let state = state_for(load_config(g)?).await?;
    let org = resolve_org(&state.store, g.org.as_deref()).await?;
    let result = match cmd {
        RoomCmd::Add {
            name,
            capacity,
            equipment,
            location,
            tz,
        } => {
            let form = ResourceForm {
                name,
                capacity,
                equipment,
                location,
                time_zone: Some(tz),
                bookable: Some(true),
                ..ResourceForm::default()
            };
            let r = cal::create_resource(&state, &cli(), org, &form)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&r);
            } else {
                output::line(&format!(
                    "Added room {} ({} seats), id {}",
                    r.name, r.capacity, r.id
                ));
            }
            Ok(())
        }
        RoomCmd::List => {
            let rooms = state.store.resource_list(org).await?;
            if g.json {
                output::json(&rooms);
            } else {
                output::table(
                    &["NAME", "SEATS", "EQUIPMENT", "LOCATION", "ZONE", "ID"],
                    &rooms
                        .iter()
                        .map(|r| {
                            vec![
                                r.name.clone(),
                                r.capacity.to_string(),
                                r.equipment.join(", "),
                                r.location.clone(),
                                r.time_zone.clone(),
                                r.id.to_string(),
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
            Ok(())
        }
    };
    state.store.close().await;
    result
}
