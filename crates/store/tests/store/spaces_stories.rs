//! Spaces stories: sites and floors, desks placed on them, bookings held by
//! events, races for one desk and for the last booking of a weekly quota, a
//! check-in racing a release, and bookings following their calendar event.

use super::office_stories::futures_join_all;
use super::*;
use adjutant_core::calendar::{
    Category, EventData, EventStatus, EventTime, Organiser, Priority, Recurrence, Transparency, Zone,
};
use adjutant_core::office::space::{BookingRule, BookingStatus, SpaceKind};
use adjutant_core::policy::Visibility;
use adjutant_store::calendar::{NewEvent, Resource, ResourceInput};
use adjutant_store::spaces::{BookingFilter, NewBooking, SiteInput};
use jiff::SignedDuration;

fn ams() -> Zone {
    Zone::parse("zone", "Europe/Amsterdam").unwrap()
}

fn site(name: &str, floors: &[&str]) -> SiteInput {
    SiteInput {
        name: name.into(),
        address: "Herengracht 182".into(),
        time_zone: "Europe/Amsterdam".into(),
        floors: floors.iter().map(|f| f.to_string()).collect(),
    }
}

async fn desk(
    s: &Store,
    org: OrgId,
    name: &str,
    site: Option<adjutant_core::ids::SiteId>,
    floor: &str,
) -> Resource {
    s.resource_create(
        org,
        &ResourceInput {
            kind: "desk".into(),
            name: name.into(),
            capacity: 1,
            time_zone: "Europe/Amsterdam".into(),
            bookable: true,
            site,
            floor: floor.into(),
            ..ResourceInput::default()
        },
        &cli(5),
    )
    .await
    .unwrap()
}

/// A booking of `res` for `who` from `t(start)` for `hours`.
fn booking(
    res: &Resource,
    who: &Person,
    start: i64,
    hours: i64,
    quota: Option<(u32, Timestamp, Timestamp)>,
) -> NewBooking {
    let (from, to) = (t(start), t(start) + SignedDuration::from_hours(hours));
    let local = |x: Timestamp| x.to_zoned(ams().tz().clone()).datetime();
    NewBooking {
        resource: res.id,
        kind: SpaceKind::Desk,
        person: who.id,
        title: res.name.clone(),
        start: from,
        end: to,
        event: NewEvent {
            calendar: res.calendar,
            uid: None,
            data: EventData {
                summary: res.name.clone(),
                description: String::new(),
                location: None,
                start: EventTime::zoned(local(from), &ams()),
                end: EventTime::zoned(local(to), &ams()),
                recurrence: Recurrence::default(),
                organiser: Some(Organiser {
                    person: Some(who.id),
                    email: None,
                    name: who.name.clone(),
                }),
                attendees: vec![],
                visibility: Visibility::Normal,
                transparency: Transparency::Busy,
                priority: Priority::NORMAL,
                category: Category::Meeting,
                status: EventStatus::Confirmed,
            },
            overrides: vec![],
            room: Some(res.id),
            meeting_request: None,
        },
        quota,
    }
}

#[tokio::test]
async fn sites_desks_and_bookings_with_check_in_and_release() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let other = add_org(s, "contoso", 2).await;
        let sofia = add_person(s, org.id, "Sofia", None, Role::OfficeManager, 3).await;
        let tom = add_person(s, org.id, "Tom", None, Role::Staff, 4).await;

        // A site with floors; its name is unique, case aside.
        let hq = s
            .site_create(
                org.id,
                &site("Amsterdam HQ", &["Ground floor", "2nd floor"]),
                &by(&sofia, 10),
            )
            .await
            .unwrap();
        assert_eq!(hq.floors, ["Ground floor", "2nd floor"]);
        assert_err!(
            s.site_create(org.id, &site("amsterdam hq", &[]), &by(&sofia, 11)).await,
            StoreError::Conflict(m) if m.contains("already exists")
        );
        // Another organisation may use the name, and does not see ours.
        s.site_create(other.id, &site("Amsterdam HQ", &[]), &cli(12))
            .await
            .unwrap();
        assert_err!(s.site_get(other.id, hq.id).await, StoreError::NotFound(_));

        let d1 = desk(s, org.id, "Desk 2.01", Some(hq.id), "2nd floor").await;
        assert_eq!(
            (d1.site, d1.floor.as_str(), d1.kind.as_str()),
            (Some(hq.id), "2nd floor", "desk")
        );
        // A floor with a desk on it cannot be removed; others can.
        assert_err!(
            s.site_update(org.id, hq.id, &site("Amsterdam HQ", &["Ground floor"]), &by(&sofia, 13)).await,
            StoreError::Invalid(e) if e.errors[0].field == "floors"
        );
        let hq = s
            .site_update(
                org.id,
                hq.id,
                &site("Amsterdam HQ", &["2nd floor", "3rd floor"]),
                &by(&sofia, 14),
            )
            .await
            .unwrap();
        assert_eq!(hq.floors, ["2nd floor", "3rd floor"]);

        // Rules default until set; a rule out of range is refused.
        assert_eq!(
            s.booking_rule(org.id, SpaceKind::Desk).await.unwrap(),
            BookingRule::default_for(SpaceKind::Desk)
        );
        let mut bad = BookingRule::default_for(SpaceKind::Desk);
        bad.max_minutes = 1;
        assert_err!(
            s.booking_rule_set(org.id, &bad, &by(&sofia, 15)).await,
            StoreError::Invalid(_)
        );
        let mut strict = BookingRule::default_for(SpaceKind::Desk);
        strict.release_after_minutes = 20;
        s.booking_rule_set(org.id, &strict, &by(&sofia, 16))
            .await
            .unwrap();
        assert_eq!(
            s.booking_rule(org.id, SpaceKind::Desk)
                .await
                .unwrap()
                .release_after_minutes,
            20
        );
        assert_eq!(
            s.booking_rule(other.id, SpaceKind::Desk)
                .await
                .unwrap()
                .release_after_minutes,
            60
        );

        // A booking holds the desk through an event in the desk's calendar.
        let b = s
            .booking_create(org.id, &booking(&d1, &tom, 3_600, 4, None), &by(&tom, 20))
            .await
            .unwrap();
        assert_eq!(
            (b.status, b.person_name.as_str(), b.resource_name.as_str()),
            (BookingStatus::Booked, "Tom", "Desk 2.01")
        );
        let ev = s.event_get(org.id, b.event.unwrap()).await.unwrap();
        assert_eq!((ev.calendar, ev.room), (d1.calendar, Some(d1.id)));
        assert_err!(s.booking_get(other.id, b.id).await, StoreError::NotFound(_));

        // Not due before the release time; released after it, exactly once, and
        // the desk's event is gone.
        assert!(
            s.bookings_release_due(t(3_600 + 19 * 60))
                .await
                .unwrap()
                .is_empty()
        );
        let gone = s.bookings_release_due(t(3_600 + 20 * 60)).await.unwrap();
        assert_eq!(gone.len(), 1);
        assert_eq!((gone[0].status, gone[0].event), (BookingStatus::Released, None));
        assert!(
            gone[0].end_note.contains("within 20 minutes"),
            "{}",
            gone[0].end_note
        );
        assert_err!(
            s.event_get(org.id, b.event.unwrap()).await,
            StoreError::NotFound(_)
        );
        assert!(
            s.bookings_release_due(t(3_600 + 30 * 60))
                .await
                .unwrap()
                .is_empty()
        );
        assert_err!(
            s.booking_check_in(org.id, b.id, &by(&tom, 3_700)).await,
            StoreError::Conflict(_)
        );

        // A checked-in booking is never released.
        let b2 = s
            .booking_create(org.id, &booking(&d1, &tom, 7_200, 2, None), &by(&tom, 30))
            .await
            .unwrap();
        let b2 = s.booking_check_in(org.id, b2.id, &by(&tom, 7_260)).await.unwrap();
        assert_eq!(b2.status, BookingStatus::CheckedIn);
        assert_eq!(b2.checked_in_at, Some(t(7_260)));
        assert!(s.bookings_release_due(t(7_200 + 3_000)).await.unwrap().is_empty());

        // Moving the event moves the booking; deleting it cancels the booking.
        let ev = s.event_get(org.id, b2.event.unwrap()).await.unwrap();
        let mut moved = ev.data.clone();
        let later = |x: &EventTime| match x {
            EventTime::Zoned { local, zone } => {
                EventTime::zoned(local.checked_add(SignedDuration::from_hours(1)).unwrap(), zone)
            }
            other => other.clone(),
        };
        moved.start = later(&moved.start);
        moved.end = later(&moved.end);
        s.event_update(
            org.id,
            ev.id,
            &moved,
            &[],
            ev.room,
            "event.move",
            &[],
            &by(&tom, 7_300),
        )
        .await
        .unwrap();
        let after = s.booking_get(org.id, b2.id).await.unwrap();
        assert_eq!((after.start, after.end), (t(10_800), t(18_000)));
        s.event_delete(org.id, ev.id, &[], &by(&tom, 7_400))
            .await
            .unwrap();
        let after = s.booking_get(org.id, b2.id).await.unwrap();
        assert_eq!(
            (after.status, after.end_note.as_str()),
            (BookingStatus::Cancelled, "the calendar event was deleted")
        );

        // Lists filter by person and by whether the booking still holds its space.
        let all = s
            .booking_list(
                org.id,
                &BookingFilter {
                    person: Some(tom.id),
                    ..BookingFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        let open = s
            .booking_list(
                org.id,
                &BookingFilter {
                    open_only: true,
                    ..BookingFilter::default()
                },
            )
            .await
            .unwrap();
        assert!(open.is_empty());
        let a = actions(s, org.id).await;
        for want in [
            "site.create",
            "site.update",
            "booking_rule.set",
            "booking.create",
            "booking.release",
            "booking.check_in",
        ] {
            assert!(a.iter().any(|x| x == want), "{want} not in {a:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn races_for_one_desk_and_for_the_last_booking_of_the_week() {
    run(async |db: &Db| {
        let s = &db.store;
        let org = add_org(s, "northwind", 1).await;
        let mut people = Vec::new();
        for i in 0..6 {
            people.push(add_person(s, org.id, &format!("Person {i}"), None, Role::Staff, 2 + i).await);
        }
        // Six people book the same desk for the same morning at once: one wins.
        let d = desk(s, org.id, "Desk 2.01", None, "").await;
        let tries = people.iter().enumerate().map(|(i, p)| {
            let new = booking(&d, p, 86_400, 4, None);
            let ctx = by(p, 20 + i as i64);
            async move { s.booking_create(org.id, &new, &ctx).await }
        });
        let results = futures_join_all(tries).await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
        assert!(
            results
                .iter()
                .filter_map(|r| r.as_ref().err())
                .all(|e| matches!(e, StoreError::Conflict(_)))
        );

        // One person books four different desks in one week with a quota of 2: two win.
        let me = &people[0];
        let had = s
            .booking_list(
                org.id,
                &BookingFilter {
                    person: Some(me.id),
                    ..BookingFilter::default()
                },
            )
            .await
            .unwrap()
            .len();
        let mut desks = Vec::new();
        for i in 0..4 {
            desks.push(desk(s, org.id, &format!("Desk 3.0{i}"), None, "").await);
        }
        let week = (t(0), t(7 * 86_400));
        let tries = desks.iter().enumerate().map(|(i, d)| {
            let new = booking(d, me, 2 * 86_400 + i as i64 * 3_600, 1, Some((2, week.0, week.1)));
            let ctx = by(me, 40 + i as i64);
            async move { s.booking_create(org.id, &new, &ctx).await }
        });
        let results = futures_join_all(tries).await;
        // A desk won in the race above counts too.
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            2 - had,
            "{results:?}"
        );
        assert!(results.iter().filter_map(|r| r.as_ref().err()).all(
            |e| matches!(e, StoreError::Invalid(v) if v.errors[0].message.contains("the limit is 2 a week"))
        ));

        // A check-in racing the release: exactly one of them takes effect.
        let d = desk(s, org.id, "Desk 4.01", None, "").await;
        let b = s
            .booking_create(org.id, &booking(&d, &people[1], 300_000, 2, None), &cli(60))
            .await
            .unwrap();
        let due = t(300_000 + 3_600);
        let arrived = by(&people[1], 300_000 + 3_600);
        let check_in = s.booking_check_in(org.id, b.id, &arrived);
        let release = s.bookings_release_due(due);
        let (c, r) = tokio::join!(check_in, release);
        let released = r.unwrap().iter().any(|x| x.id == b.id);
        assert!(c.is_ok() != released, "check-in {c:?}, released {released}");
        let end = s.booking_get(org.id, b.id).await.unwrap();
        assert_eq!(
            end.status,
            if released {
                BookingStatus::Released
            } else {
                BookingStatus::CheckedIn
            }
        );
    })
    .await;
}
