//! Adjutant's persistence: one repository API over SQLite (the embedded
//! default) and PostgreSQL, with versioned migrations for each.
//!
//! Every repository method takes the organisation it works in; there is no
//! unscoped lookup of tenant data. Every mutation writes its audit entry in the
//! same transaction as the change (see [`audit`]).

pub mod assets;
pub mod audit;
pub mod auth;
pub mod budgets;
pub mod calendar;
pub mod delegations;
pub mod duties;
mod engine;
mod error;
pub mod expenses;
pub mod invoices;
pub mod mail;
pub mod maintenance;
pub mod meetings;
mod migrate;
pub mod model;
pub mod office;
pub mod orgs;
pub mod people;
pub mod plans;
pub mod polls;
pub mod purchases;
pub mod scheduling;
pub mod spaces;
pub mod stock;
pub mod tasks;

pub use audit::AuditCtx;
pub use engine::{Backend, Store};
pub use error::StoreError;
pub use migrate::{MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE};
pub use model::*;

/// Microseconds since the Unix epoch, how instants are stored in both engines.
pub(crate) fn to_micros(t: jiff::Timestamp) -> i64 {
    t.as_microsecond()
}

/// The inverse of [`to_micros`]; out-of-range values (never written by us) clamp.
pub(crate) fn from_micros(us: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(us).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Parses a stored UUID column into a typed id.
pub(crate) fn parse_id<T: From<uuid::Uuid>>(s: &str) -> Result<T, StoreError> {
    uuid::Uuid::parse_str(s)
        .map(T::from)
        .map_err(|_| StoreError::Corrupt(format!("stored id `{s}` is not a UUID")))
}

/// A new time-ordered id (UUID v7), so rows sort roughly by creation.
pub(crate) fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// The domain's JSON of a stored value.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

/// A stored ISO date (`2026-12-08`).
pub(crate) fn parse_date(s: &str) -> Result<jiff::civil::Date, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("stored date `{s}` is not a date")))
}
