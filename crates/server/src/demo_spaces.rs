//! Northwind's spaces: three sites with their floors, the meeting rooms placed
//! on them, hot and assigned desks, a projector, a pool car and a camera kit;
//! and a day of bookings around the moment the demo starts — people checked
//! in at their desks, one booking waiting for check-in, one released because
//! nobody came, the CEO's pool car booked by his assistant for tomorrow.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::calendar::{self as cal, ResourceForm};
use crate::ops::spaces::{self as ops, SiteForm};
use adjutant_core::calendar::Zone;
use adjutant_core::ids::OrgId;
use adjutant_core::office::space::{BookingStatus, SpaceKind};
use adjutant_store::AuditCtx;
use adjutant_store::spaces::NewBooking;
use jiff::{SignedDuration, Timestamp};

/// (name, kind, site, floor, seats, equipment, assigned to)
type Space<'a> = (
    String,
    &'a str,
    &'a str,
    &'a str,
    u32,
    Vec<&'a str>,
    Option<&'a str>,
);

/// What happens to a demo booking once made.
enum Then {
    CheckIn,
    NoShow,
    Nothing,
}

/// (space, for whom, booked by, days after the working day, from, to, what happens)
type Planned<'a> = (&'a str, &'a str, &'a str, i64, (i8, i8), (i8, i8), Then);

pub async fn seed(state: &AppState, org: OrgId) -> Result<(), ApiError> {
    let sys = Caller::System("demo".into());
    for (name, address, zone, floors) in [
        (
            "Amsterdam HQ",
            "Herengracht 182, 1016 BR Amsterdam",
            "Europe/Amsterdam",
            &["Ground floor", "2nd floor", "3rd floor"][..],
        ),
        (
            "New York office",
            "350 Fifth Avenue, New York, NY 10118",
            "America/New_York",
            &["21st floor"][..],
        ),
        (
            "Kolkata hub",
            "Sector V, Salt Lake, Kolkata 700091",
            "Asia/Kolkata",
            &["4th floor"][..],
        ),
    ] {
        ops::create_site(
            state,
            &sys,
            org,
            &SiteForm {
                name: name.into(),
                address: Some(address.into()),
                time_zone: Some(zone.into()),
                floors: floors.iter().map(|f| f.to_string()).collect(),
            },
        )
        .await?;
    }

    // The meeting rooms the calendar already has, placed on their floors.
    for (room, site, floor) in [
        ("Boardroom", "Amsterdam HQ", "3rd floor"),
        ("Herengracht", "Amsterdam HQ", "2nd floor"),
        ("Focus booth", "Amsterdam HQ", "2nd floor"),
        ("Hudson", "New York office", "21st floor"),
        ("Liberty", "New York office", "21st floor"),
    ] {
        let r = ops::space_ref(state, org, "space", room).await?;
        let form = ResourceForm {
            name: r.name.clone(),
            capacity: r.capacity,
            equipment: r.equipment.clone(),
            location: r.location.clone(),
            time_zone: Some(r.time_zone.clone()),
            bookable: Some(r.bookable),
            site: Some(site.into()),
            floor: Some(floor.into()),
            ..ResourceForm::default()
        };
        cal::update_resource(state, &sys, org, r.id, &form).await?;
    }

    // Desks and equipment.
    let mut spaces: Vec<Space> = Vec::new();
    for n in 1..=8 {
        let eq = if n <= 4 {
            vec!["monitor", "dock"]
        } else {
            vec!["monitor"]
        };
        spaces.push((
            format!("Desk 2.0{n}"),
            "desk",
            "Amsterdam HQ",
            "2nd floor",
            1,
            eq,
            None,
        ));
    }
    spaces.push((
        "Desk 2.09".into(),
        "desk",
        "Amsterdam HQ",
        "2nd floor",
        1,
        vec!["monitor", "dock"],
        Some("sofia@northwind.example"),
    ));
    spaces.push((
        "Desk 3.01".into(),
        "desk",
        "Amsterdam HQ",
        "3rd floor",
        1,
        vec!["monitor", "dock"],
        Some("maya@northwind.example"),
    ));
    for n in 2..=4 {
        spaces.push((
            format!("Desk 3.0{n}"),
            "desk",
            "Amsterdam HQ",
            "3rd floor",
            1,
            vec!["monitor"],
            None,
        ));
    }
    for n in 1..=4 {
        spaces.push((
            format!("Desk 21.0{n}"),
            "desk",
            "New York office",
            "21st floor",
            1,
            vec!["monitor", "dock"],
            None,
        ));
    }
    for n in 1..=2 {
        spaces.push((
            format!("Desk K.0{n}"),
            "desk",
            "Kolkata hub",
            "4th floor",
            1,
            vec!["monitor"],
            None,
        ));
    }
    spaces.push((
        "Projector (portable)".into(),
        "equipment",
        "Amsterdam HQ",
        "Ground floor",
        1,
        vec!["hdmi", "usb-c"],
        None,
    ));
    spaces.push((
        "Pool car (Tesla Model 3)".into(),
        "equipment",
        "Amsterdam HQ",
        "Ground floor",
        4,
        vec![],
        None,
    ));
    spaces.push((
        "Camera kit".into(),
        "equipment",
        "New York office",
        "21st floor",
        1,
        vec!["tripod", "microphone"],
        None,
    ));
    for (name, kind, site, floor, capacity, equipment, assigned) in &spaces {
        cal::create_resource(
            state,
            &sys,
            org,
            &ResourceForm {
                name: name.clone(),
                capacity: *capacity,
                equipment: equipment.iter().map(|e| e.to_string()).collect(),
                kind: Some((*kind).into()),
                site: Some((*site).into()),
                floor: Some((*floor).into()),
                assigned_to: assigned.map(str::to_string),
                ..ResourceForm::default()
            },
        )
        .await?;
    }

    // A working day of bookings in each site's zone: today's, or tomorrow's once
    // today's working day is over. What already happened has happened: people
    // checked in at desks whose booking started, and a booking nobody came to
    // is released.
    let now = Timestamp::now();
    // (space, for whom, booked by, days after the working day, from, to, what happens)
    let plan: Vec<Planned> = vec![
        (
            "Desk 2.03",
            "tom@northwind.example",
            "tom@northwind.example",
            0,
            (8, 30),
            (17, 30),
            Then::CheckIn,
        ),
        (
            "Desk 3.01",
            "maya@northwind.example",
            "maya@northwind.example",
            0,
            (8, 0),
            (17, 0),
            Then::CheckIn,
        ),
        (
            "Desk 2.07",
            "lars@northwind.example",
            "maya@northwind.example",
            0,
            (13, 0),
            (17, 0),
            Then::Nothing,
        ),
        (
            "Desk 21.01",
            "ben@northwind.example",
            "ben@northwind.example",
            0,
            (8, 30),
            (17, 0),
            Then::CheckIn,
        ),
        (
            "Desk 21.02",
            "ana@northwind.example",
            "ana@northwind.example",
            0,
            (9, 0),
            (13, 0),
            Then::Nothing,
        ),
        (
            "Desk 21.03",
            "daniel@northwind.example",
            "daniel@northwind.example",
            0,
            (8, 0),
            (12, 0),
            Then::NoShow,
        ),
        (
            "Projector (portable)",
            "sofia@northwind.example",
            "sofia@northwind.example",
            0,
            (14, 0),
            (16, 0),
            Then::Nothing,
        ),
        (
            "Pool car (Tesla Model 3)",
            "lars@northwind.example",
            "maya@northwind.example",
            1,
            (13, 30),
            (17, 30),
            Then::Nothing,
        ),
        (
            "Camera kit",
            "grace@northwind.example",
            "daniel@northwind.example",
            2,
            (10, 0),
            (13, 0),
            Then::Nothing,
        ),
        (
            "Desk 2.05",
            "tom@northwind.example",
            "tom@northwind.example",
            3,
            (8, 30),
            (17, 0),
            Then::Nothing,
        ),
    ];
    for (space, who, by, days, from, to, then) in plan {
        let res = ops::space_ref(state, org, "space", space).await?;
        let zone = Zone::or_utc(&res.time_zone);
        let local_now = now.to_zoned(zone.tz().clone());
        let workday = if local_now.hour() >= 17 {
            local_now.date().tomorrow().unwrap_or(local_now.date())
        } else {
            local_now.date()
        };
        let day = workday
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(workday);
        let at = |(h, m): (i8, i8)| {
            day.at(h, m, 0, 0)
                .to_zoned(zone.tz().clone())
                .map(|z| z.timestamp())
                .unwrap_or(now)
        };
        let (start, end) = (at(from), at(to));
        let person = state.store.person_by_email(org, who).await?;
        let booker = state.store.person_by_email(org, by).await?;
        let kind: SpaceKind = res.kind.parse().unwrap_or(SpaceKind::Desk);
        let ctx = |t: Timestamp| AuditCtx {
            actor: Some(booker.id),
            actor_label: booker.name.clone(),
            on_behalf_of: (booker.id != person.id).then_some(person.id),
            now: t,
        };
        let new = NewBooking {
            resource: res.id,
            kind,
            person: person.id,
            title: res.name.clone(),
            start,
            end,
            event: ops::booking_event(&res, &person, &res.name, start, end)?,
            quota: None,
        };
        let booked_at = start.min(now) - SignedDuration::from_hours(20);
        let b = match state.store.booking_create(org, &new, &ctx(booked_at)).await {
            Ok(b) => b,
            // The room is taken by a demo meeting at that time: leave it out.
            Err(adjutant_store::StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        let rule = state.store.booking_rule(org, kind).await?;
        let release_at = start + SignedDuration::from_mins(i64::from(rule.release_after_minutes));
        match then {
            Then::CheckIn if start - SignedDuration::from_mins(10) <= now => {
                let arrived = (start - SignedDuration::from_mins(10)).max(booked_at);
                state.store.booking_check_in(org, b.id, &ctx(arrived)).await?;
            }
            Then::NoShow if release_at <= now => {
                state
                    .store
                    .booking_end(
                        org,
                        b.id,
                        BookingStatus::Released,
                        &adjutant_core::office::space::release_note(&rule),
                        &AuditCtx::system("system", release_at),
                    )
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}
