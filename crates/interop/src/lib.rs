//! Adjutant's standard formats at the edge: iCalendar (RFC 5545) in and out,
//! iTIP messages (RFC 5546), an outsider's free/busy, and the expansion of a
//! file's events into occurrences (`adjutant ics expand`).
//!
//! Pure: no I/O, no clock. Of our crates it depends only on `adjutant-core`,
//! whose types everything here converts to and from, and whose series
//! expansion it uses rather than calcard's.

pub mod expand;
pub mod ics;
pub mod mail;
pub mod vcard;
