//! Adjutant's HTTP server: the JSON API under `/api/v1` with its OpenAPI
//! document, the server-rendered web UI, authentication, and the operations
//! both share with the CLI.

pub mod api;
pub mod app;
pub mod auth;
pub mod busy;
pub mod config;
pub mod demo;
pub mod demo_assets;
pub mod demo_calendar;
pub mod demo_expenses;
pub mod demo_mail;
pub mod demo_office;
pub mod demo_spaces;
pub mod demo_tasks;
pub mod error;
pub mod fetch;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod secrets;
pub mod web;

pub use app::{AppState, StartError, open_store, prepare, router, serve, store_target};
pub use config::Config;
