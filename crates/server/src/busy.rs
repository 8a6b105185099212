//! Everyone's expanded busy time, kept between find-a-time requests.
//!
//! Expanding fifty people's calendars for a month costs far more than ranking
//! the slots, and the same people are asked about again and again (find a
//! time, "why not…?", place holds). So each agenda — a person's or a room's —
//! is cached here with the version the store gave it; the store raises that
//! version in the same transaction as any change to what the agenda holds
//! (events of the person's calendars, events they are invited to, bookings of
//! the room, their availability). Every request first reads the versions (one
//! query) and reloads only the agendas that changed, so a cache is never
//! stale, and several app servers may each keep their own.
//!
//! What is cached does not depend on who asks: titles are kept, with what the
//! policy needs to decide per caller whether to show them (see [`Agenda::view`]).

use crate::auth::Caller;
use adjutant_core::calendar::finder::BusyBlock;
use adjutant_core::calendar::series::{self, Limits};
use adjutant_core::calendar::{EventStatus, Rsvp, TimeRange, Zone};
use adjutant_core::delegation::Scope;
use adjutant_core::ids::{CalendarId, OrgId, PersonId, ResourceId};
use adjutant_core::policy::{self, Access, ItemRef, View, Visibility};
use adjutant_store::calendar::{CalendarOwner, EventRecord, EventScope};
use adjutant_store::{Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// How many agendas a server keeps before it starts afresh.
const MAX_AGENDAS: usize = 10_000;

/// What the policy needs to know of the event a block comes from.
#[derive(Debug)]
pub struct EventMeta {
    /// The owner of the event's calendar (none for a room's own calendar).
    pub owner: Option<PersonId>,
    pub visibility: Visibility,
    /// Organiser and attendees who are people of the organisation.
    pub people: Vec<PersonId>,
}

/// One agenda's busy time in a window, as stored for everyone.
#[derive(Debug)]
pub struct Agenda {
    pub version: i64,
    pub window: TimeRange,
    /// Each block with the index of its event in `events`.
    pub blocks: Vec<(BusyBlock, usize)>,
    pub events: Vec<EventMeta>,
}

impl Agenda {
    /// The blocks as `caller` may see them: titles of events they may not read
    /// in full become "busy" (the time still counts).
    pub fn view(&self, caller: &Caller, org: OrgId) -> Vec<BusyBlock> {
        let shown: Vec<bool> = self.events.iter().map(|m| sees_title(caller, org, m)).collect();
        self.blocks
            .iter()
            .map(|(b, i)| {
                let mut b = b.clone();
                if !shown.get(*i).copied().unwrap_or(false) {
                    b.title = None;
                }
                b
            })
            .collect()
    }
}

fn sees_title(caller: &Caller, org: OrgId, m: &EventMeta) -> bool {
    match (caller, m.owner) {
        (Caller::System(_), _) | (_, None) => true,
        (Caller::Person(a), Some(owner)) => policy::item_access(
            &a.actor,
            &ItemRef {
                org,
                owner,
                visibility: m.visibility,
                scope: Scope::Calendar,
                shared_with_actor: m.people.contains(&a.person.id),
            },
            Access::Read,
        )
        .is_ok_and(|v| v == View::Full),
    }
}

/// Whose agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Whose {
    Person(PersonId),
    Room(ResourceId),
}

impl Whose {
    fn key(&self) -> String {
        match self {
            Whose::Person(p) => p.to_string(),
            Whose::Room(r) => r.to_string(),
        }
    }
}

/// The cache itself; one per server.
#[derive(Debug, Default)]
pub struct BusyCache {
    agendas: Mutex<HashMap<(OrgId, Whose), Arc<Agenda>>>,
}

impl BusyCache {
    /// The busy time of each of `whose` over `window`, reloading what changed.
    pub async fn agendas(
        &self,
        store: &Store,
        org: OrgId,
        whose: &[Whose],
        window: TimeRange,
    ) -> Result<HashMap<Whose, Arc<Agenda>>, StoreError> {
        let keys: Vec<String> = whose.iter().map(Whose::key).collect();
        let versions = store.agenda_versions(org, &keys).await?;
        let mut out = HashMap::with_capacity(whose.len());
        let mut stale = Vec::new();
        {
            let held = self
                .agendas
                .lock()
                .map_err(|_| StoreError::Corrupt("busy cache poisoned".into()))?;
            for w in whose {
                let version = versions.get(&w.key()).copied().unwrap_or(0);
                match held.get(&(org, *w)) {
                    Some(a) if a.version == version && a.window.covers(&window) => {
                        out.insert(*w, a.clone());
                    }
                    _ => stale.push((*w, version)),
                }
            }
        }
        if stale.is_empty() {
            return Ok(out);
        }
        let loaded = load(store, org, &stale, window).await?;
        let mut held = self
            .agendas
            .lock()
            .map_err(|_| StoreError::Corrupt("busy cache poisoned".into()))?;
        if held.len() + loaded.len() > MAX_AGENDAS {
            held.clear();
        }
        for (w, a) in loaded {
            held.insert((org, w), a.clone());
            out.insert(w, a);
        }
        Ok(out)
    }
}

/// Loads and expands the agendas of `stale` (each with the version read before
/// loading: a change racing the load leaves the entry stale, never wrong).
async fn load(
    store: &Store,
    org: OrgId,
    stale: &[(Whose, i64)],
    window: TimeRange,
) -> Result<Vec<(Whose, Arc<Agenda>)>, StoreError> {
    let people: Vec<PersonId> = stale
        .iter()
        .filter_map(|(w, _)| match w {
            Whose::Person(p) => Some(*p),
            Whose::Room(_) => None,
        })
        .collect();
    let mut events: HashMap<Whose, Vec<EventRecord>> = store
        .events_for_people(org, &people, window)
        .await?
        .into_iter()
        .map(|(p, e)| (Whose::Person(p), e))
        .collect();
    for (w, _) in stale {
        if let Whose::Room(r) = w {
            events.insert(
                *w,
                store
                    .events_in_range(org, &EventScope::Resource(*r), window)
                    .await?,
            );
        }
    }
    let cal_ids: Vec<CalendarId> = events
        .values()
        .flatten()
        .map(|e| e.calendar)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let calendars = store.calendars_by_ids(org, &cal_ids).await?;
    let limits = Limits::default();
    let mut out = Vec::with_capacity(stale.len());
    for (w, version) in stale {
        let mut agenda = Agenda {
            version: *version,
            window,
            blocks: Vec::new(),
            events: Vec::new(),
        };
        for e in events.get(w).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(cal) = calendars.get(&e.calendar) else {
                continue;
            };
            let zone = Zone::or_utc(&cal.time_zone);
            let Ok(occ) = series::occurrences(&e.data, &e.overrides, &zone, window, &limits) else {
                tracing::warn!(event = %e.id, "an event could not be expanded for busy time");
                continue;
            };
            let index = agenda.events.len();
            let mut people: Vec<PersonId> = e.data.attendees.iter().filter_map(|a| a.person).collect();
            people.extend(e.data.organiser.as_ref().and_then(|o| o.person));
            agenda.events.push(EventMeta {
                owner: match cal.owner {
                    CalendarOwner::Person(p) => Some(p),
                    CalendarOwner::Resource(_) => None,
                },
                visibility: e.data.visibility,
                people,
            });
            let id: Arc<str> = e.id.to_string().into();
            for o in occ {
                let d = o
                    .override_index
                    .and_then(|i| e.overrides.get(i))
                    .map_or(&e.data, |x| &x.data);
                if !d.is_busy() {
                    continue;
                }
                // An invitation this person declined does not make them busy.
                if let Whose::Person(p) = w
                    && d.attendees
                        .iter()
                        .any(|a| a.person == Some(*p) && a.rsvp == Rsvp::Declined)
                {
                    continue;
                }
                agenda.blocks.push((
                    BusyBlock {
                        range: TimeRange {
                            start: o.start_at,
                            end: o.end_at,
                        },
                        category: d.category,
                        priority: d.priority,
                        tentative: d.status == EventStatus::Tentative,
                        event: Some(id.clone()),
                        title: Some(d.summary.as_str().into()),
                        location: d.location.as_ref().map(|l| l.text.as_str().into()),
                        in_person: d.location.as_ref().is_some_and(|l| l.is_in_person()),
                    },
                    index,
                ));
            }
        }
        agenda.blocks.sort_by_key(|(b, _)| (b.range.start, b.range.end));
        out.push((*w, Arc::new(agenda)));
    }
    Ok(out)
}
