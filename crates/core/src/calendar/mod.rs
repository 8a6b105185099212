//! The calendar domain: when things happen (`time`), how they repeat
//! (`recurrence`, `series`), what an event is (`event`), when people can meet
//! (`availability`), finding a time for many people and a room (`finder`), and
//! group polls (`poll`).
//!
//! Instants are UTC [`jiff::Timestamp`]s; beside each one the domain keeps the
//! wall-clock time and IANA zone the person meant, because recurrence and
//! working hours are wall-clock rules ("every Monday at 09:00 in Amsterdam")
//! that must survive daylight-saving changes.

pub mod availability;
pub mod booking;
pub mod event;
pub mod finder;
pub mod poll;
pub mod recurrence;
pub mod series;
pub mod time;

pub use event::*;
pub use series::{Occurrence, Override};
pub use time::*;
