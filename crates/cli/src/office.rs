//! Commands for vendors and contracts: `vendor add|list|show`, `contract
//! add|list|show|notice|attach` and `contracts due`. Like the other commands
//! they call the same operations as the API, as the caller `cli`; "today" is
//! the installation's day in UTC.
//!
//! Every list prints as a table, as JSON with `--json`, or as CSV with `--csv`
//! (the same columns the API gives with `?format=csv`). Contract and vendor ids
//! are UUIDv7, so lists show their last eight characters, and commands accept
//! the end of an id when it names exactly one contract or vendor.

use crate::Global;
use crate::commands::{api, cli, with_store};
use crate::ids::{id_like, pick, short};
use crate::output;
use adjutant_core::ids::{ContractId, OrgId, VendorId};
use adjutant_core::office::contract::{fmt_date, in_days};
use adjutant_core::office::vendor::VendorContact;
use adjutant_server::AppState;
use adjutant_server::ops::office::{
    self as ops, ContractDetail, ContractFilter, ContractInput, ContractView, DueView, NoticeInput,
    VendorDetail, VendorInput, VendorView,
};
use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};
use jiff::civil::Date;
use std::path::PathBuf;

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

#[derive(Subcommand, Debug)]
pub enum VendorCmd {
    /// Add a vendor.
    Add {
        /// The vendor's name, e.g. "Schoon BV".
        name: String,
        /// What they supply, e.g. cleaning, catering, it; repeatable or comma-separated.
        #[arg(long = "category", value_name = "C", value_delimiter = ',')]
        categories: Vec<String>,
        /// A person to reach, as "Name <email>" (or just a name); repeatable.
        #[arg(long = "contact", value_name = "\"NAME <EMAIL>\"")]
        contacts: Vec<String>,
        /// Their web address.
        #[arg(long, value_name = "URL")]
        website: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// List the vendors with their contracts and yearly value.
    List {
        /// Print CSV (for a spreadsheet) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Show a vendor with its contacts and contracts.
    Show {
        /// The vendor's name, its id, or the end of its id as `vendor list` shows it.
        vendor: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ContractCmd {
    /// Add a contract with a vendor.
    Add(Box<ContractAddArgs>),
    /// List contracts with their state, the last day to give notice and their value.
    List(ContractListArgs),
    /// Show a contract: where it stands, its dates, alerts, notice given and documents.
    Show {
        /// The contract's id, or its end as `contract list` shows it.
        id: String,
    },
    /// Record that notice was given (today unless --on), or --withdraw it.
    Notice {
        /// The contract's id, or its end as `contract list` shows it.
        id: String,
        /// The day notice was given, e.g. 2026-09-28 [default: today]; not in the future.
        #[arg(long, value_name = "DATE", conflicts_with = "withdraw")]
        on: Option<String>,
        /// How it was given, e.g. "registered mail, ref 123".
        #[arg(long, value_name = "TEXT", conflicts_with = "withdraw")]
        note: Option<String>,
        /// Withdraw the notice recorded (entered by mistake, or the vendor agreed to continue).
        #[arg(long)]
        withdraw: bool,
    },
    /// Attach a file (the signed contract, an amendment) to a contract.
    Attach {
        /// The contract's id, or its end as `contract list` shows it.
        id: String,
        /// PDF, an image, an office document or UTF-8 text, up to 10 MiB.
        file: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct ContractAddArgs {
    /// The vendor's name or id.
    #[arg(long, value_name = "V")]
    pub vendor: String,
    /// What the contract is for, e.g. "Office cleaning".
    #[arg(long, value_name = "T")]
    pub title: String,
    /// The first day, e.g. 2026-01-01.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub start: String,
    /// The initial term in months, 1–120.
    #[arg(long, value_name = "N")]
    pub term_months: u32,
    /// It ends with its initial term instead of renewing by itself.
    #[arg(long)]
    pub no_auto_renew: bool,
    /// Each renewal's length in months [default: the initial term's].
    #[arg(long, value_name = "N")]
    pub renewal_months: Option<u32>,
    /// The notice period, e.g. "3 months", "30 days", "6 weeks".
    #[arg(long, value_name = "PERIOD")]
    pub notice: String,
    /// The price per period, e.g. 4200.00.
    #[arg(long, value_name = "AMOUNT")]
    pub value: String,
    /// ISO 4217 code, e.g. EUR.
    #[arg(long, value_name = "CODE")]
    pub currency: String,
    /// The period the value is per: month, quarter or year.
    #[arg(long = "per", value_name = "PERIOD")]
    pub per: String,
    /// Who looks after it (e-mail address).
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,
    /// The vendor's reference or contract number.
    #[arg(long, value_name = "R")]
    pub reference: Option<String>,
    /// e.g. cleaning, catering, it.
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
    /// Days before the last day to give notice to raise the alert, 0–365 [default: 30].
    #[arg(long, value_name = "N")]
    pub alert_days: Option<u32>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Args, Debug)]
pub struct ContractListArgs {
    /// Only this vendor's contracts (name or id).
    #[arg(long, value_name = "V")]
    pub vendor: Option<String>,
    /// Only contracts in this state: not_started, active, notice_due, terminating, ending or ended.
    #[arg(long, value_name = "S")]
    pub state: Option<String>,
    /// Only contracts in this category.
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
    /// Words in the title, vendor, reference or category.
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
    /// Print CSV (for a spreadsheet) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Subcommand, Debug)]
pub enum ContractsCmd {
    /// The last days to give notice, and contracts ending, soonest first.
    Due {
        /// How many days ahead to look, 0–730 [default: 60].
        #[arg(long, value_name = "N")]
        days: Option<i64>,
        /// Print CSV (for a spreadsheet) instead of a table.
        #[arg(long)]
        csv: bool,
    },
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

async fn contract_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<ContractId> {
    if let Ok(id) = given.trim().parse::<ContractId>() {
        return Ok(id);
    }
    let all = state.store.contract_list(org, None).await?;
    pick(("contract", "contracts"), given, all.iter().map(|k| k.id))
}

/// A vendor by exact name or id, else by the end of its id.
async fn vendor_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<VendorId> {
    match ops::vendor_ref(state, org, "vendor", given).await {
        Ok(v) => Ok(v.id),
        Err(e) if id_like(given) => {
            let all = state.store.vendor_list(org).await?;
            pick(("vendor", "vendors"), given, all.iter().map(|v| v.id)).map_err(|_| api(e))
        }
        Err(e) => Err(api(e)),
    }
}

/// `Anna de Vries <anna@schoon.example>`, a bare address, or just a name.
fn contact(spec: &str) -> anyhow::Result<VendorContact> {
    let s = spec.trim();
    let bad = || anyhow!("--contact: `{s}` is not \"Name <email>\", an e-mail address or a name");
    let (name, email) = match s.split_once('<') {
        Some((name, rest)) => {
            let email = rest.strip_suffix('>').ok_or_else(bad)?.trim();
            if email.contains(['<', '>']) {
                return Err(bad());
            }
            let name = name.trim().trim_matches('"').trim();
            (if name.is_empty() { email } else { name }, email)
        }
        None if s.contains('>') => return Err(bad()),
        None if s.contains('@') && !s.contains(char::is_whitespace) => (s, s),
        None => (s, ""),
    };
    Ok(VendorContact {
        name: name.into(),
        email: email.into(),
        ..VendorContact::default()
    })
}

/// `Wed 30 Sep 2026` for a `2026-09-30` of a view.
fn day(s: &str) -> String {
    s.parse::<Date>().map(fmt_date).unwrap_or_else(|_| s.to_string())
}

/// `not_started` → `not started`.
fn label(s: &str) -> String {
    s.replace('_', " ")
}

/// `EUR 350.00 / month`.
fn value_per(v: &ContractView) -> String {
    format!("{} / {}", v.value.display, v.value_period)
}

/// The sentence a view's summary makes: a capital first and a full stop.
fn sentence(s: &str) -> String {
    let s = s.trim();
    let mut c = s.chars();
    let Some(first) = c.next() else {
        return String::new();
    };
    let stop = if s.ends_with(['.', '!', '?']) { "" } else { "." };
    format!("{}{}{stop}", first.to_uppercase(), c.as_str())
}

/// The last day to give notice with the days left, or when it ends.
fn deadline_cell(v: &ContractView) -> String {
    match (&v.notice_deadline, v.days_to_deadline, &v.ends_on) {
        (Some(d), Some(left), _) => format!("{} ({})", day(d), in_days(left)),
        (_, _, Some(end)) if v.state == "ended" => format!("ended {}", day(end)),
        (_, _, Some(end)) => format!("ends {}", day(end)),
        _ => "—".into(),
    }
}

/// `12 KB`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn contract_rows(list: &[ContractView]) -> Vec<Vec<String>> {
    list.iter()
        .map(|v| {
            vec![
                short(&v.id).to_string(),
                v.title.clone(),
                v.vendor.name.clone(),
                label(&v.state),
                deadline_cell(v),
                value_per(v),
            ]
        })
        .collect()
}

const CONTRACT_HEADER: [&str; 6] = ["ID", "CONTRACT", "VENDOR", "STATE", "NOTICE BY", "VALUE"];

/// The running contracts' yearly value, `EUR 4,200.00; USD 1,000.00`.
fn annual(v: &VendorView) -> String {
    v.annual_value
        .iter()
        .map(|m| m.display.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn contact_line(c: &VendorContact) -> String {
    let mut s = c.name.clone();
    if !c.email.is_empty() && c.email != c.name {
        s.push_str(&format!(" <{}>", c.email));
    }
    if !c.role.is_empty() {
        s.push_str(&format!(", {}", c.role));
    }
    if !c.phone.is_empty() {
        s.push_str(&format!(", {}", c.phone));
    }
    s
}

fn field(k: &str, v: &str) {
    output::line(&format!("  {k:<14}{v}"));
}

// ---------------------------------------------------------------------------
// vendor
// ---------------------------------------------------------------------------

pub async fn vendor(g: &Global, cmd: VendorCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| vendor_in(g, &state, org, cmd).await)
}

async fn vendor_in(g: &Global, state: &AppState, org: OrgId, cmd: VendorCmd) -> anyhow::Result<()> {
    match cmd {
        VendorCmd::Add {
            name,
            categories,
            contacts,
            website,
            notes,
        } => {
            let input = VendorInput {
                name,
                categories,
                contacts: contacts
                    .iter()
                    .map(|c| contact(c))
                    .collect::<anyhow::Result<Vec<_>>>()?,
                website,
                notes,
            };
            let v = ops::create_vendor(state, &cli(), org, &input)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Added the vendor “{}”{}, id {}",
                    v.name,
                    if v.categories.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", v.categories.join(", "))
                    },
                    short(&v.id)
                ));
            }
            Ok(())
        }
        VendorCmd::List { csv } => {
            let list = ops::list_vendors(state, &cli(), org).await.map_err(api)?;
            if csv {
                output::raw(&ops::vendors_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No vendors yet; add one with `adjutant vendor add`.");
            } else {
                output::table(
                    &["ID", "VENDOR", "SUPPLIES", "CONTACT", "CONTRACTS", "A YEAR"],
                    &list
                        .iter()
                        .map(|v| {
                            vec![
                                short(&v.id).to_string(),
                                v.name.clone(),
                                v.categories.join(", "),
                                v.contacts.first().map(contact_line).unwrap_or_default(),
                                v.contracts.to_string(),
                                annual(v),
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
            Ok(())
        }
        VendorCmd::Show { vendor } => {
            let id = vendor_id(state, org, &vendor).await?;
            let d = ops::get_vendor(state, &cli(), org, id).await.map_err(api)?;
            if g.json {
                output::json(&d);
            } else {
                print_vendor(&d);
            }
            Ok(())
        }
    }
}

fn print_vendor(d: &VendorDetail) {
    let v = &d.vendor;
    output::line(&v.name);
    field(
        "supplies",
        &if v.categories.is_empty() {
            "—".into()
        } else {
            v.categories.join(", ")
        },
    );
    if !v.website.is_empty() {
        field("website", &v.website);
    }
    if v.contacts.is_empty() {
        field("contacts", "—");
    }
    for (i, c) in v.contacts.iter().enumerate() {
        field(if i == 0 { "contacts" } else { "" }, &contact_line(c));
    }
    let year = annual(v);
    field(
        "contracts",
        &if year.is_empty() {
            v.contracts.to_string()
        } else {
            format!("{}, running at {year} a year", v.contracts)
        },
    );
    if !v.notes.is_empty() {
        field("notes", &v.notes);
    }
    field("id", &v.id);
    if !d.contracts.is_empty() {
        output::line("");
        output::table(&CONTRACT_HEADER, &contract_rows(&d.contracts));
    }
}

// ---------------------------------------------------------------------------
// contract
// ---------------------------------------------------------------------------

pub async fn contract(g: &Global, cmd: ContractCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| contract_in(g, &state, org, cmd).await)
}

async fn contract_in(g: &Global, state: &AppState, org: OrgId, cmd: ContractCmd) -> anyhow::Result<()> {
    match cmd {
        ContractCmd::Add(a) => {
            let a = *a;
            let input = ContractInput {
                title: a.title,
                vendor: a.vendor,
                reference: a.reference,
                category: a.category,
                owner: a.owner,
                start: a.start,
                term_months: a.term_months,
                auto_renew: !a.no_auto_renew,
                renewal_months: a.renewal_months,
                notice: a.notice,
                value: a.value,
                currency: a.currency,
                value_period: a.per,
                alert_days: a.alert_days,
                notes: a.notes,
            };
            let v = ops::create_contract(state, &cli(), org, &input)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Added the contract “{}” with {}, id {}",
                    v.title,
                    v.vendor.name,
                    short(&v.id)
                ));
                output::line(&format!("  {}", sentence(&v.summary)));
            }
            Ok(())
        }
        ContractCmd::List(a) => {
            let filter = ContractFilter {
                vendor: a.vendor,
                state: a.state,
                category: a.category,
                q: a.search,
            };
            let list = ops::list_contracts(state, &cli(), org, &filter)
                .await
                .map_err(api)?;
            if a.csv {
                output::raw(&ops::contracts_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No contracts match; add one with `adjutant contract add`.");
            } else {
                output::table(&CONTRACT_HEADER, &contract_rows(&list));
            }
            Ok(())
        }
        ContractCmd::Show { id } => {
            let id = contract_id(state, org, &id).await?;
            let d = ops::get_contract(state, &cli(), org, id).await.map_err(api)?;
            if g.json {
                output::json(&d);
            } else {
                print_contract(&d);
            }
            Ok(())
        }
        ContractCmd::Notice {
            id,
            on,
            note,
            withdraw,
        } => {
            let id = contract_id(state, org, &id).await?;
            let v = if withdraw {
                ops::withdraw_notice(state, &cli(), org, id).await
            } else {
                ops::give_notice(state, &cli(), org, id, &NoticeInput { on, note }).await
            }
            .map_err(api)?;
            if g.json {
                output::json(&v);
                return Ok(());
            }
            match (&v.notice_given, withdraw) {
                (Some(n), false) => {
                    output::line(&format!("Recorded notice on “{}” given {}.", v.title, day(&n.on)))
                }
                _ => output::line(&format!("Withdrew the notice on “{}”.", v.title)),
            }
            output::line(&format!("  {}", sentence(&v.summary)));
            Ok(())
        }
        ContractCmd::Attach { id, file } => {
            let id = contract_id(state, org, &id).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let d = ops::upload_document(state, &cli(), org, id, &name, &bytes)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&d);
            } else {
                output::line(&format!(
                    "Attached {} ({}, {}) to the contract, id {}",
                    d.filename,
                    d.content_type.split(';').next().unwrap_or_default(),
                    size(d.size),
                    short(&d.id)
                ));
            }
            Ok(())
        }
    }
}

fn print_contract(d: &ContractDetail) {
    let v = &d.contract;
    output::line(&format!("“{}” with {}", v.title, v.vendor.name));
    output::line(&format!("  {}", sentence(&v.summary)));
    output::line("");
    field("state", &label(&v.state));
    if !v.reference.is_empty() {
        field("reference", &v.reference);
    }
    if !v.category.is_empty() {
        field("category", &v.category);
    }
    field(
        "owner",
        &v.owner
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_else(|| "—".into()),
    );
    field("start", &day(&v.start));
    field(
        "term",
        &if v.auto_renew {
            format!(
                "{} months, then renews by itself for {} months at a time",
                v.term_months, v.renewal_months
            )
        } else {
            format!("{} months; does not renew", v.term_months)
        },
    );
    if let (Some(s), Some(e)) = (&v.term_start, &v.term_end) {
        field("this term", &format!("{} to {}", day(s), day(e)));
    }
    field("notice", &v.notice);
    let mut worth = vec![];
    if let Some(y) = &v.annual_value {
        worth.push(format!("{} a year", y.display));
    }
    if let Some(t) = &v.term_value {
        worth.push(format!("{} for the first term", t.display));
    }
    field(
        "value",
        &if worth.is_empty() {
            value_per(v)
        } else {
            format!("{} ({})", value_per(v), worth.join("; "))
        },
    );
    if let (Some(dl), Some(left)) = (&v.notice_deadline, v.days_to_deadline) {
        field("notice by", &format!("{} ({})", day(dl), in_days(left)));
    }
    if let Some(r) = &v.renews_on {
        field("renews on", &day(r));
    }
    if let Some(m) = &v.missed_deadline {
        field("missed", &format!("notice was due by {}", day(m)));
    }
    if let Some(e) = &v.ends_on {
        field(if v.state == "ended" { "ended on" } else { "ends on" }, &day(e));
    }
    match &v.notice_given {
        Some(n) => {
            let mut s = day(&n.on);
            if let Some(by) = &n.by {
                s.push_str(&format!(", by {}", by.name));
            }
            if !n.note.is_empty() {
                s.push_str(&format!(": {}", n.note));
            }
            field("notice given", &s);
        }
        None => field("notice given", "no"),
    }
    field("alert", &format!("{} days before", v.alert_days));
    if !v.notes.is_empty() {
        field("notes", &v.notes);
    }
    field("id", &v.id);
    output::line("");
    output::line(&format!("Alerts ({}):", v.alerts.len()));
    if v.alerts.is_empty() {
        output::line("  —");
    }
    for a in &v.alerts {
        output::line(&format!(
            "  - {} ({}): {}",
            day(&a.date),
            in_days(a.days_left),
            sentence(&a.text)
        ));
    }
    output::line("");
    output::line(&format!("Documents ({}):", d.documents.len()));
    if d.documents.is_empty() {
        output::line("  — (attach one with `adjutant contract attach ID FILE`)");
        return;
    }
    output::table(
        &["ID", "FILE", "TYPE", "SIZE", "ADDED"],
        &d.documents
            .iter()
            .map(|doc| {
                vec![
                    short(&doc.id).to_string(),
                    doc.filename.clone(),
                    doc.content_type.split(';').next().unwrap_or_default().to_string(),
                    size(doc.size),
                    doc.created_at.get(..10).unwrap_or(&doc.created_at).to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

// ---------------------------------------------------------------------------
// contracts due
// ---------------------------------------------------------------------------

pub async fn contracts(g: &Global, cmd: ContractsCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| match cmd {
        ContractsCmd::Due { days, csv } => {
            let due = ops::contracts_due(&state, &cli(), org, days).await.map_err(api)?;
            if csv {
                output::raw(&due_csv(&due));
            } else if g.json {
                output::json(&due);
            } else {
                print_due(&due);
            }
            Ok(())
        }
    })
}

/// The same columns as the API's `contracts/due?format=csv`.
fn due_csv(due: &DueView) -> String {
    let mut out = ops::csv_line(&["date", "days_left", "kind", "contract", "vendor", "text"]);
    for i in &due.items {
        out.push_str(&ops::csv_line(&[
            &i.alert.date,
            &i.alert.days_left.to_string(),
            &i.alert.kind,
            &i.contract.title,
            &i.contract.vendor.name,
            &i.alert.text,
        ]));
    }
    out
}

fn print_due(due: &DueView) {
    let n = due.items.len();
    if n == 0 {
        output::line(&format!(
            "Nothing is due in the next {} days (today is {}).",
            due.days,
            day(&due.today)
        ));
        return;
    }
    output::line(&format!(
        "Due in the next {} days (today is {}): {n} {}",
        due.days,
        day(&due.today),
        if n == 1 { "item" } else { "items" }
    ));
    output::table(
        &["DATE", "DAYS LEFT", "CONTRACT", "VENDOR", "WHAT"],
        &due.items
            .iter()
            .map(|i| {
                vec![
                    day(&i.alert.date),
                    i.alert.days_left.to_string(),
                    format!("{} [{}]", i.contract.title, short(&i.contract.id)),
                    i.contract.vendor.name.clone(),
                    i.alert.text.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}
