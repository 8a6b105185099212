//! Adjutant's domain: the types and rules every surface (API, web, CLI) shares.
//!
//! Nothing here performs I/O, reads the clock or draws randomness: callers pass
//! `now` and random bytes in, which keeps every rule a plain, testable function.

mod macros;

pub mod calendar;
pub mod delegation;
pub mod error;
pub mod ids;
pub mod mail;
pub mod meetings;
pub mod office;
pub mod people;
pub mod policy;
pub mod tasks;
pub mod totp;

pub use error::{FieldError, ValidationError};
