//! The `adjutant` command: runs the server and administers an installation.
//!
//! Administrative commands open the same store the server uses (the SQLite
//! file under `--data`, or `--database-url`) and run the same operations the
//! API runs, recorded in the audit log as done by `cli`.

mod assets;
mod calendar;
mod commands;
mod expenses;
mod ids;
mod invoices;
mod mail;
mod office;
mod output;
mod purchases;
mod spaces;
mod stock;
mod tasks;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Adjutant: an executive assistant and office manager you run yourself.
#[derive(Parser, Debug)]
#[command(name = "adjutant", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Configuration file (TOML). Settings can also come from ADJUTANT_* variables.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory for the embedded SQLite database [default: ./adjutant-data; env: ADJUTANT_DATA]
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Use PostgreSQL at this URL instead of SQLite [env: ADJUTANT_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Organisation slug, when the installation holds more than one.
    #[arg(long, global = true, value_name = "SLUG")]
    pub org: Option<String>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server and API.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080; env: ADJUTANT_LISTEN]
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// Create the demo organisation (Northwind) if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Create an organisation and its first administrator.
    Init(commands::InitArgs),
    /// Manage people and their logins.
    #[command(subcommand)]
    User(commands::UserCmd),
    /// Manage delegations (assistants acting for principals).
    #[command(subcommand)]
    Delegate(commands::DelegateCmd),
    /// Manage bearer API tokens.
    #[command(subcommand)]
    Token(commands::TokenCmd),
    /// Apply database migrations (the server also does this at start).
    Migrate,
    /// Write a consistent copy of the database to FILE, even while the server runs.
    Backup {
        /// Where to write the backup (must not exist).
        file: PathBuf,
    },
    /// Restore a backup FILE into the data directory (stop the server first).
    Restore {
        /// A file written by `adjutant backup`.
        file: PathBuf,
        /// Replace an existing database (it is kept beside it, renamed).
        #[arg(long)]
        force: bool,
    },
    /// Read the audit log, newest first.
    Audit(commands::AuditArgs),
    /// Show a person's (or a room's) agenda for a day or a week.
    Agenda(calendar::AgendaArgs),
    /// Find times when everyone (and a room) is free, ranked with reasons.
    FindTime(calendar::FindTimeArgs),
    /// Add, move or cancel events.
    #[command(subcommand)]
    Event(calendar::EventCmd),
    /// Import data (iCalendar files).
    #[command(subcommand)]
    Import(calendar::ImportCmd),
    /// Export data (iCalendar files).
    #[command(subcommand)]
    Export(calendar::ExportCmd),
    /// Work with iCalendar files directly (no database needed).
    #[command(subcommand)]
    Ics(calendar::IcsCmd),
    /// Manage rooms.
    #[command(subcommand)]
    Room(calendar::RoomCmd),
    /// Tasks: quick add, list, the priority matrix, show, done, move.
    #[command(subcommand)]
    Task(tasks::TaskCmd),
    /// Plan open tasks into free time: a dry run, --apply or --undo.
    Plan(tasks::PlanArgs),
    /// Meeting notes: agenda, minutes with decisions and action items, recap.
    #[command(subcommand)]
    Meeting(tasks::MeetingCmd),
    /// The responsibility grid: recurring duties, who covers them, everyone's load.
    Duties(tasks::DutiesArgs),
    /// What a person owes and is owed.
    Commitments(tasks::ForArgs),
    /// A person's goals, and how planned time and open tasks spread over them.
    Goals(tasks::GoalsArgs),
    /// Vendors: add, list (or export as CSV), show with their contracts.
    #[command(subcommand)]
    Vendor(office::VendorCmd),
    /// Contracts: add, list (or export as CSV), show, give or withdraw notice, attach a file.
    #[command(subcommand)]
    Contract(office::ContractCmd),
    /// Contracts together: `due`, the last days to give notice and the ends coming up.
    #[command(subcommand)]
    Contracts(office::ContractsCmd),
    /// Supplies: list what is low (or export as CSV), add, show, consume, receive, count.
    #[command(subcommand)]
    Stock(stock::StockCmd),
    /// Purchases: request, list (or export as CSV), show, submit, approve or reject, cancel, receive.
    #[command(subcommand)]
    Purchase(purchases::PurchaseCmd),
    /// Invoices: add (with the match against the order and duplicate checks), list (or export as CSV), show, approve or reject, pay.
    #[command(subcommand)]
    Invoice(invoices::InvoiceCmd),
    /// Budgets: where each category stands in a period (or export as CSV), and set them.
    #[command(subcommand)]
    Budget(invoices::BudgetCmd),
    /// Spaces: rooms, desks and equipment with a day's bookings; add, book, check in, cancel; booking rules.
    #[command(subcommand)]
    Space(spaces::SpaceCmd),
    /// Sites and their floors: add, list.
    #[command(subcommand)]
    Site(spaces::SiteCmd),
    /// Assets: add, list (or export as CSV), show with history, edit, assign, checkout, checkin, maintain, retire, due.
    #[command(subcommand)]
    Asset(assets::AssetCmd),
    /// Expenses: add (with a receipt), list (or export as CSV), show; reports: submit, approve, reject, reimburse; the policy.
    #[command(subcommand)]
    Expense(expenses::ExpenseCmd),
    /// Mail: import files, sync from IMAP, the mailbox's settings, show, file, archive, snooze, screen, rules, drafts.
    #[command(subcommand)]
    Mail(mail::MailCmd),
    /// The triaged inbox (or another view) with categories, priorities and, with --reasons, why.
    Triage(mail::TriageArgs),
    /// Sent messages that got no reply in time.
    Followups(mail::ForArg),
    /// Contacts: list, due for keeping in touch, vCard import and export.
    #[command(subcommand)]
    Contacts(mail::ContactsCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            output::error(&format!("cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::error(&describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line. Store and start errors already include
/// their source in their message, so a cause whose text is already shown is skipped.
fn describe(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if msg.contains(&s) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&s);
    }
    msg
}
