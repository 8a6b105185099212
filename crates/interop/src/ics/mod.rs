//! iCalendar (RFC 5545) in and out: import of `.ics` files as Google, Outlook,
//! Apple and Thunderbird export them, export of our events, iTIP messages
//! (RFC 5546) and an outsider's free/busy.
//!
//! Import is lenient where the real world is messy and strict where a mistake
//! would corrupt a calendar: what it does not model (reminders, journal
//! entries, attachments…) is listed in [`Import::skipped`] with its line, while a
//! value it cannot read (a bad date, an unknown zone, a broken rule) refuses the
//! whole file with an [`IcsError`] naming the line and the component. Nothing of
//! a refused file is imported.
//!
//! calcard tokenises the text and reads the values; our own scan (`scan`) keeps
//! the line numbers calcard does not, and refuses truncated files. Recurrence is
//! never expanded here: the core's series expansion does it, on wall-clock
//! times, so the results agree with everything else in Adjutant.

mod doc;
mod freebusy;
mod read;
mod scan;
mod write;
mod zones;

use adjutant_core::calendar::series::Override;
use adjutant_core::calendar::{Attendee, EventData, TimeRange, Zone};
use jiff::Timestamp;
use std::fmt;

/// The largest file [`parse`] reads; a bigger one is refused before parsing.
pub const MAX_ICS_BYTES: usize = 20 * 1024 * 1024;

/// The most events (VEVENT components, overrides included) one file may hold.
pub const MAX_EVENTS: usize = 50_000;

/// One event read from a file: the series (or single event) and the
/// occurrences it overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEvent {
    /// The file's UID (one is made up from the event's line when the file has none).
    pub uid: String,
    pub data: EventData,
    /// RECURRENCE-ID components of the same UID.
    pub overrides: Vec<Override>,
    /// SEQUENCE (0 when absent).
    pub sequence: u32,
    /// The line of the event's `BEGIN:VEVENT`.
    pub line: usize,
}

/// Something in the file that was not imported (or was read with a repair), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    /// What it belongs to, e.g. `VEVENT 1234@google.com`, `VALARM in VEVENT 1234@google.com`, `VJOURNAL`.
    pub component: String,
    pub reason: String,
}

/// What [`parse`] read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The calendar's name (X-WR-CALNAME), when the file gives one.
    pub name: Option<String>,
    /// The calendar's zone (X-WR-TIMEZONE), when the file gives a known one.
    pub default_zone: Option<Zone>,
    pub events: Vec<ImportedEvent>,
    pub skipped: Vec<Skipped>,
}

/// Why a file was refused; names the line and the component when it can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IcsError {
    pub line: Option<usize>,
    /// E.g. `VEVENT abc@example.org`.
    pub component: Option<String>,
    pub message: String,
}

impl IcsError {
    /// An error about the whole file.
    pub(crate) fn file(message: impl Into<String>) -> IcsError {
        IcsError {
            line: None,
            component: None,
            message: message.into(),
        }
    }

    /// An error at `line`, in `component` when known.
    pub(crate) fn at(line: usize, component: Option<&str>, message: impl Into<String>) -> IcsError {
        IcsError {
            line: Some(line),
            component: component.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for IcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.component) {
            (Some(l), Some(c)) => write!(f, "line {l} ({c}): {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            (None, Some(c)) => write!(f, "{c}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// Reads an iCalendar file. `fallback` is the zone floating and all-day times
/// are read in where a check needs an instant (the importing calendar's zone).
///
/// Accepted: CRLF or LF line ends, folded lines, a byte-order mark, several
/// VCALENDARs one after another, bare VEVENTs without a VCALENDAR, missing
/// VERSION/PRODID, `X-` properties, IANA, Windows, Mozilla-prefixed and
/// Outlook-customised zone names. Skipped and listed: components we do not
/// model (VTODO — tasks are imported separately, later — VJOURNAL, VFREEBUSY,
/// VALARM, `X-` components) and event properties we do not keep (ATTACH, URL,
/// COMMENT, RESOURCES, CONTACT, RELATED-TO, other categories…). Repairs are
/// listed the same way (an all-day DTEND equal to DTSTART read as one day, a
/// summary cut to 500 characters, an attendee without an e-mail address left
/// out, the older of two versions of one UID).
///
/// Times are kept as written: UTC stays UTC and floating stays floating;
/// X-WR-TIMEZONE is reported as [`Import::default_zone`], not applied. EXDATE,
/// RDATE and RECURRENCE-ID are brought into the form of the series' start (its
/// zone, or dates for all-day series). An RDATE period adds an occurrence at
/// its start lasting as long as the event. An event without a UID gets one
/// made from its content, so importing the same file twice names it the same.
///
/// Person ids of attendees and organisers are read from `X-ADJUTANT-PERSON`,
/// which our export writes so that our own files round-trip. Like everything
/// in a file they are claims: check them against the organisation's people
/// before trusting them.
pub fn parse(text: &str, fallback: &Zone) -> Result<Import, IcsError> {
    read::import(text, fallback)
}

/// One event to export, with what the store keeps beside it.
#[derive(Debug, Clone, Copy)]
pub struct ExportEvent<'a> {
    pub uid: &'a str,
    pub data: &'a EventData,
    pub overrides: &'a [Override],
    pub sequence: u32,
    pub created: Timestamp,
    pub modified: Timestamp,
}

/// A complete VCALENDAR (CRLF line ends, folded at 75 octets) with a VTIMEZONE
/// for every zone the events use, each override as a RECURRENCE-ID VEVENT.
/// `now` becomes every DTSTAMP.
pub fn write(calendar_name: &str, events: &[ExportEvent<'_>], now: Timestamp) -> String {
    write::calendar(calendar_name, events, now)
}

/// The iTIP method of a message to an attendee (RFC 5546).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItipMethod {
    /// An invitation, or an update of one.
    Request,
    /// The event (the whole series) is cancelled.
    Cancel,
}

/// An iTIP message for one attendee: METHOD:REQUEST (the event with its
/// overrides, the attendee asked to answer) or METHOD:CANCEL (STATUS:CANCELLED).
///
/// The SEQUENCE written is `event.sequence` as given: the caller increments it
/// for every change that needs a new answer and for the cancellation itself
/// (RFC 5546 §2.1.4), so a CANCEL carries one more than the last REQUEST and
/// calendar clients apply it rather than treating it as stale.
pub fn itip(method: ItipMethod, event: &ExportEvent<'_>, attendee: &Attendee, now: Timestamp) -> String {
    write::itip(method, event, attendee, now)
}

/// When an outsider is busy within `window`, from their free/busy file or
/// calendar: VFREEBUSY `FREEBUSY` periods of type BUSY, BUSY-UNAVAILABLE or
/// BUSY-TENTATIVE, and VEVENTs that make them busy (not TRANSPARENT, not
/// CANCELLED), recurrences expanded. Sorted, overlaps merged, clipped to `window`.
pub fn busy_from_ics(text: &str, fallback: &Zone, window: TimeRange) -> Result<Vec<TimeRange>, IcsError> {
    freebusy::busy(text, fallback, window)
}

/// Every event and task of `text`, read and checked as an import reads them,
/// each with the name of its component (`VEVENT`, `VTODO`), for expansion.
pub(crate) fn read_for_expansion(
    text: &str,
    fallback: &Zone,
) -> Result<Vec<(&'static str, ImportedEvent)>, IcsError> {
    let r = read::read(text, fallback, read::Options { todos: true })?;
    Ok(r.items
        .into_iter()
        .map(|(k, e)| {
            let name = match k {
                read::Kind::Event => "VEVENT",
                read::Kind::Todo => "VTODO",
            };
            (name, e)
        })
        .collect())
}
