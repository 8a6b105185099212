//! Commands for the office's finances: `invoice add|list|show`, the
//! decisions `invoice approve|reject`, `invoice pay`, and `budget
//! status|set`. Like the other commands they call the same operations as the
//! API, as the caller `cli`.
//!
//! The approval rules for people (an office manager's limit, nobody approving
//! an invoice they registered) hold in the API and the web. The command line
//! is the installation administrator's tool: it approves, rejects and pays as
//! the administrator, and the audit log records those steps as done by `cli`.
//!
//! An invoice is named by its id, the end of its id as lists show it, or the
//! vendor's invoice number when only one invoice carries it. Lists print as a
//! table, as JSON with `--json`, or as CSV with `--csv` (the columns the API
//! gives with `?format=csv`).

use crate::Global;
use crate::commands::{api, cli, with_store};
use crate::ids::{id_like, pick, short};
use crate::output;
use adjutant_core::ids::{InvoiceId, OrgId};
use adjutant_core::office::budget::Period;
use adjutant_core::office::invoice::number_key;
use adjutant_server::AppState;
use adjutant_server::ops::budgets::{self, BudgetInput, BudgetStatus, BudgetView};
use adjutant_server::ops::invoices::{
    self as ops, InvoiceActInput, InvoiceFilter, InvoiceInput, InvoiceLineInput, InvoiceView,
};
use anyhow::bail;
use clap::{Args, Subcommand};

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

#[derive(Subcommand, Debug)]
pub enum InvoiceCmd {
    /// Register a vendor's invoice: its totals, how it matches its order, and whether it looks like a duplicate.
    Add(Box<AddArgs>),
    /// List the invoices, those due first.
    List(ListArgs),
    /// Show an invoice: its lines, totals, match with its order, duplicate warnings and decision.
    Show {
        /// The invoice's id, the end of its id, or the vendor's invoice number.
        invoice: String,
    },
    /// Approve an invoice waiting for approval, as the installation's administrator.
    ///
    /// Through the API and the web, people approve within their limits and
    /// never invoices they registered; the command line acts as the
    /// installation's administrator and approves any amount. The audit log
    /// records it as done by `cli`.
    Approve(DecideArgs),
    /// Reject an invoice waiting for approval, as the installation's administrator.
    Reject(DecideArgs),
    /// Mark an approved invoice paid.
    Pay(PayArgs),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The vendor's name or id.
    #[arg(long, value_name = "V")]
    pub vendor: String,
    /// The vendor's invoice number, e.g. INV-2026/114.
    #[arg(long, value_name = "N")]
    pub number: String,
    /// The invoice's date, e.g. 2026-11-30.
    #[arg(long, value_name = "DATE")]
    pub issued: String,
    /// The day it is due, e.g. 2026-12-30.
    #[arg(long, value_name = "DATE")]
    pub due: String,
    /// A line as "DESCRIPTION; QUANTITY; UNIT_PRICE[; VAT%]", prices net of VAT, e.g.
    /// "Printer toner, black; 6; 74.50; 21"; repeatable, at least one. VAT is 21% unless given.
    #[arg(long = "line", value_name = "\"DESCRIPTION; QUANTITY; UNIT_PRICE[; VAT%]\"")]
    pub lines: Vec<String>,
    /// The purchase order it bills, by number (PO-2026-0003) or id.
    #[arg(long, value_name = "PO-NUMBER")]
    pub purchase: Option<String>,
    /// The contract it bills (its id).
    #[arg(long, value_name = "CONTRACT_ID")]
    pub contract: Option<String>,
    /// The budget category, e.g. catering, printing.
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
    /// ISO 4217 code of the prices [default: EUR].
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// `waiting` (for approval), `unpaid` (received or approved), `overdue`, or one status:
    /// received, approved, paid, rejected.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only this vendor's (name or id).
    #[arg(long, value_name = "V")]
    pub vendor: Option<String>,
    /// Words in the number, vendor, category or order number.
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
    /// Print CSV (for a spreadsheet) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct DecideArgs {
    /// The invoice's id, the end of its id, or the vendor's invoice number.
    pub invoice: String,
    /// Why, e.g. "matches the order".
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Args, Debug)]
pub struct PayArgs {
    /// The invoice's id, the end of its id, or the vendor's invoice number.
    pub invoice: String,
    /// The day it was paid [default: today].
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum BudgetCmd {
    /// Where each category stands in a period: actual, committed, remaining and the forecast.
    Status(StatusArgs),
    /// Set a category's budget for a period.
    Set(SetArgs),
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// `2026-Q4`, `2026-12` or `2026` [default: this quarter].
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// Print CSV (for a spreadsheet) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// The category invoices and orders are counted under, e.g. catering.
    pub category: String,
    /// What it may spend, net of VAT, e.g. 14000.00.
    pub amount: String,
    /// `2026-Q4`, `2026-12` or `2026` [default: this quarter].
    #[arg(long, value_name = "P")]
    pub period: Option<String>,
    /// ISO 4217 code of the amount [default: EUR].
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

const LINE_FORM: &str = "\"DESCRIPTION; QUANTITY; UNIT_PRICE[; VAT%]\", e.g. \"Lunch platters; 4; 37.50; 9\"";

/// An invoice by its id, the vendor's number (exactly, then written any way),
/// else by the end of its id.
async fn invoice_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<InvoiceId> {
    let g = given.trim();
    if let Ok(id) = g.parse::<InvoiceId>() {
        return Ok(id);
    }
    let all = state.store.invoice_list(org).await?;
    let exact: Vec<_> = all
        .iter()
        .filter(|i| i.data.number.trim().eq_ignore_ascii_case(g))
        .collect();
    let same: Vec<_> = if exact.is_empty() {
        let key = number_key(g);
        all.iter()
            .filter(|i| !key.is_empty() && number_key(&i.data.number) == key)
            .collect()
    } else {
        exact
    };
    match same.as_slice() {
        [one] => return Ok(one.id),
        [] => {}
        many => bail!(
            "{} invoices are numbered `{g}` ({}); give the id instead",
            many.len(),
            many.iter()
                .map(|i| format!(
                    "{} from {}, id {}",
                    i.data.number,
                    i.vendor_name,
                    short(&i.id.to_string())
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
    if id_like(g) {
        return pick(("invoice", "invoices"), g, all.iter().map(|i| i.id));
    }
    bail!("no invoice is numbered `{g}` (`adjutant invoice list` shows them)")
}

/// The `n`th `--line` (from 1) of an invoice, as the API takes it.
fn invoice_line(n: usize, spec: &str) -> anyhow::Result<InvoiceLineInput> {
    let s = spec.trim();
    let parts: Vec<&str> = s.split(';').map(str::trim).collect();
    let (description, quantity, price, vat) = match parts.as_slice() {
        [d, q, p] => (*d, *q, *p, None),
        [d, q, p, v] => (*d, *q, *p, Some(*v).filter(|v| !v.is_empty())),
        _ => bail!("--line {n} (`{s}`) is not {LINE_FORM}"),
    };
    let Ok(quantity) = quantity.parse::<i64>() else {
        bail!("--line {n} (`{s}`): `{quantity}` is not a quantity; give a whole number like 4");
    };
    Ok(InvoiceLineInput {
        description: description.into(),
        quantity,
        unit_price: price.into(),
        vat: vat.map(Into::into),
    })
}

/// The quarter holding today, as the API takes a period.
fn this_quarter() -> String {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    Period::quarter_of(today).to_string()
}

/// A labelled line of `invoice show`.
fn field(k: &str, v: &str) {
    output::line(&format!("  {k:<14}{v}"));
}

/// `INV-2026/114 from Kantoor BV (EUR 121.00)`.
fn named(v: &InvoiceView) -> String {
    format!("{} from {} ({})", v.number, v.vendor.name, v.gross.display)
}

/// `2026-12-30 (in 12 days)`, with `overdue` when it is.
fn due(v: &InvoiceView) -> String {
    if v.overdue {
        format!("{} ({}, overdue)", v.due_on, v.due_in)
    } else {
        format!("{} ({})", v.due_on, v.due_in)
    }
}

/// What the three-way match found, as one line.
fn match_line(v: &InvoiceView) -> String {
    let order = v.purchase_number.as_deref().unwrap_or("its order");
    match v.match_state.as_str() {
        "matched" => format!("Matches {order}: no differences."),
        "differences" => format!(
            "Differs from {order} in {} {}:",
            v.differences.len(),
            if v.differences.len() == 1 { "way" } else { "ways" }
        ),
        _ => "No purchase order to match against.".into(),
    }
}

fn print_checks(v: &InvoiceView) {
    output::line(&match_line(v));
    for d in &v.differences {
        output::line(&format!("  - {}: {}", d.kind.replace('_', " "), d.text));
    }
    for why in &v.duplicate_of {
        output::line(&format!("Warning: likely a duplicate: {why}."));
    }
}

/// What to do next with an invoice, as a command to run.
fn next_step(v: &InvoiceView) -> Option<String> {
    let me = if v.duplicate_of.is_empty() && !v.number.trim().is_empty() {
        v.number.clone()
    } else {
        short(&v.id).to_string()
    };
    match v.status.as_str() {
        "received" => Some(format!(
            "It waits for {}: `adjutant invoice approve {me}` or `adjutant invoice reject {me}`.",
            v.approver
        )),
        "approved" => Some(format!(
            "Mark it paid with `adjutant invoice pay {me}` once it is paid."
        )),
        _ => None,
    }
}

fn print_next(v: &InvoiceView) {
    if let Some(s) = next_step(v) {
        output::line(&s);
    }
}

// ---------------------------------------------------------------------------
// invoice
// ---------------------------------------------------------------------------

pub async fn invoice(g: &Global, cmd: InvoiceCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| invoice_in(g, &state, org, cmd).await)
}

async fn invoice_in(g: &Global, state: &AppState, org: OrgId, cmd: InvoiceCmd) -> anyhow::Result<()> {
    match cmd {
        InvoiceCmd::Add(a) => add(g, state, org, *a).await,
        InvoiceCmd::List(a) => {
            let filter = InvoiceFilter {
                status: a.status,
                vendor: a.vendor,
                q: a.search,
            };
            let list = ops::list_invoices(state, &cli(), org, &filter)
                .await
                .map_err(api)?;
            if a.csv {
                output::raw(&ops::invoices_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                let only = filter.vendor.is_none() && filter.q.is_none();
                output::line(match (filter.status.as_deref().map(str::trim), only) {
                    (Some("waiting"), true) => "Nothing is waiting for approval.",
                    (Some("unpaid"), true) => "Nothing is left to pay.",
                    (Some("overdue"), true) => "Nothing is overdue.",
                    (None, true) => "No invoices yet; register one with `adjutant invoice add`.",
                    _ => "No invoices match.",
                });
            } else {
                print_list(&list);
            }
            Ok(())
        }
        InvoiceCmd::Show { invoice } => {
            let id = invoice_id(state, org, &invoice).await?;
            let v = ops::get_invoice(state, &cli(), org, id).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                print_invoice(&v);
            }
            Ok(())
        }
        InvoiceCmd::Approve(a) => decide(g, state, org, a, true).await,
        InvoiceCmd::Reject(a) => decide(g, state, org, a, false).await,
        InvoiceCmd::Pay(a) => {
            let id = invoice_id(state, org, &a.invoice).await?;
            let input = InvoiceActInput {
                note: None,
                paid_on: a.on,
            };
            let v = ops::pay_invoice(state, &cli(), org, id, &input)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Paid {} on {}.",
                    named(&v),
                    v.paid_on.as_deref().unwrap_or("today")
                ));
            }
            Ok(())
        }
    }
}

async fn add(g: &Global, state: &AppState, org: OrgId, a: AddArgs) -> anyhow::Result<()> {
    if a.lines.is_empty() {
        bail!("an invoice needs at least one --line {LINE_FORM}");
    }
    let lines = a
        .lines
        .iter()
        .enumerate()
        .map(|(i, s)| invoice_line(i + 1, s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let input = InvoiceInput {
        vendor: a.vendor,
        number: a.number,
        issued_on: a.issued,
        due_on: a.due,
        currency: a.currency,
        lines,
        purchase: a.purchase,
        contract: a.contract,
        category: a.category,
        notes: a.notes,
    };
    let v = ops::create_invoice(state, &cli(), org, &input)
        .await
        .map_err(api)?;
    if g.json {
        output::json(&v);
        return Ok(());
    }
    output::line(&format!(
        "Registered {} from {}, id {}: net {}, VAT {}, gross {}; due {}.",
        v.number,
        v.vendor.name,
        short(&v.id),
        v.net.display,
        v.vat.display,
        v.gross.display,
        due(&v)
    ));
    print_checks(&v);
    print_next(&v);
    Ok(())
}

async fn decide(
    g: &Global,
    state: &AppState,
    org: OrgId,
    a: DecideArgs,
    approve: bool,
) -> anyhow::Result<()> {
    let id = invoice_id(state, org, &a.invoice).await?;
    let input = InvoiceActInput {
        note: a.note,
        paid_on: None,
    };
    let v = ops::decide_invoice(state, &cli(), org, id, approve, &input)
        .await
        .map_err(api)?;
    if g.json {
        output::json(&v);
    } else if approve {
        output::line(&format!("Approved {}.", named(&v)));
        print_next(&v);
    } else {
        output::line(&format!("Rejected {}.", named(&v)));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// budget
// ---------------------------------------------------------------------------

pub async fn budget(g: &Global, cmd: BudgetCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| budget_in(g, &state, org, cmd).await)
}

async fn budget_in(g: &Global, state: &AppState, org: OrgId, cmd: BudgetCmd) -> anyhow::Result<()> {
    match cmd {
        BudgetCmd::Status(a) => {
            let s = budgets::status(state, &cli(), org, a.period.as_deref())
                .await
                .map_err(api)?;
            if a.csv {
                output::raw(&budgets::budgets_csv(&s));
            } else if g.json {
                output::json(&s);
            } else {
                print_status(&s);
            }
            Ok(())
        }
        BudgetCmd::Set(a) => {
            let input = BudgetInput {
                category: a.category,
                period: a.period.unwrap_or_else(this_quarter),
                amount: a.amount,
                currency: a.currency,
                notes: a.notes,
            };
            let s = budgets::set_budget(state, &cli(), org, &input)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&s);
                return Ok(());
            }
            let category = input.category.trim().to_lowercase();
            match s.budgets.iter().find(|b| b.category == category) {
                Some(b) => {
                    output::line(&format!(
                        "Set the {} budget for {} to {}: {} spent, {} committed, {} remaining.",
                        b.category,
                        s.label,
                        b.budget.display,
                        b.actual.display,
                        b.committed.display,
                        b.remaining.display
                    ));
                    if let Some(w) = &b.warning {
                        output::line(&format!("Warning: {w}"));
                    }
                }
                None => output::line(&format!("Set the {category} budget for {}.", s.label)),
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

/// `duplicate, 2 differences` or `matched`.
fn checks(v: &InvoiceView) -> String {
    let mut out = Vec::new();
    if !v.duplicate_of.is_empty() {
        out.push("duplicate".to_string());
    }
    match v.match_state.as_str() {
        "matched" => out.push("matched".into()),
        "differences" => out.push(match v.differences.len() {
            1 => "1 difference".into(),
            n => format!("{n} differences"),
        }),
        _ => {}
    }
    out.join(", ")
}

fn print_list(list: &[InvoiceView]) {
    output::table(
        &["ID", "VENDOR", "NUMBER", "STATUS", "DUE", "GROSS", "CHECKS"],
        &list
            .iter()
            .map(|v| {
                vec![
                    short(&v.id).to_string(),
                    v.vendor.name.clone(),
                    v.number.clone(),
                    v.status.clone(),
                    due(v),
                    v.gross.display.clone(),
                    checks(v),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

/// `approved by cli: “matches the order”`.
fn decision(v: &InvoiceView) -> Option<String> {
    let by = v.decided_by.as_deref()?;
    let what = if v.status == "rejected" {
        "rejected"
    } else {
        "approved"
    };
    let mut s = format!("{what} by {by}");
    if !v.decision_note.is_empty() {
        s.push_str(&format!(": “{}”", v.decision_note));
    }
    Some(s)
}

fn print_invoice(v: &InvoiceView) {
    output::line(&format!("{}  from {}", v.number, v.vendor.name));
    field("status", &v.status);
    field("issued", &v.issued_on);
    field("due", &due(v));
    if let Some(p) = &v.purchase_number {
        field("order", p);
    }
    if let Some(k) = &v.contract {
        field("contract", k);
    }
    if !v.category.is_empty() {
        field("category", &v.category);
    }
    field("registered by", &v.registered_by);
    field("approves", &v.approver);
    if let Some(d) = decision(v) {
        field("decision", &d);
    }
    if let Some(p) = &v.paid_on {
        field("paid on", p);
    }
    if !v.notes.is_empty() {
        field("notes", &v.notes);
    }
    field("id", &v.id);
    output::line("");
    output::table(
        &["LINE", "DESCRIPTION", "QUANTITY", "PRICE", "VAT", "NET"],
        &v.lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                vec![
                    (i + 1).to_string(),
                    l.description.clone(),
                    l.quantity.to_string(),
                    l.unit_price.display.clone(),
                    l.vat.clone(),
                    l.net.display.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    output::line("");
    output::line(&format!(
        "Net {}; VAT {}; gross {}.",
        v.net.display, v.vat.display, v.gross.display
    ));
    print_checks(v);
    print_next(v);
}

fn budget_row(b: &BudgetView) -> Vec<String> {
    vec![
        b.category.clone(),
        b.budget.display.clone(),
        b.actual.display.clone(),
        b.committed.display.clone(),
        b.remaining.display.clone(),
        b.forecast.display.clone(),
        b.warning.clone().unwrap_or_default(),
    ]
}

fn print_status(s: &BudgetStatus) {
    if s.budgets.is_empty() {
        output::line(&format!(
            "No budgets for {} ({}); set one with `adjutant budget set CATEGORY AMOUNT --period {}`.",
            s.label, s.period, s.period
        ));
        return;
    }
    output::line(&format!("Budgets for {}, {} to {}:", s.label, s.from, s.to));
    output::table(
        &[
            "CATEGORY",
            "BUDGET",
            "ACTUAL",
            "COMMITTED",
            "REMAINING",
            "FORECAST",
            "WARNING",
        ],
        &s.budgets.iter().map(budget_row).collect::<Vec<_>>(),
    );
    if s.warnings > 0 {
        output::line(&format!(
            "{} {} forecast to pass {} budget.",
            s.warnings,
            if s.warnings == 1 {
                "category is"
            } else {
                "categories are"
            },
            if s.warnings == 1 { "its" } else { "their" }
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_description_quantity_price_and_vat() {
        let l = invoice_line(1, " Lunch; 4; 37.50; 9% ").ok();
        let got = l.map(|l| (l.description, l.quantity, l.unit_price, l.vat));
        assert_eq!(got, Some(("Lunch".into(), 4, "37.50".into(), Some("9%".into()))));
        let plain = invoice_line(1, "Toner; 6; 74.50").ok().map(|l| l.vat);
        assert_eq!(plain, Some(None));
        let err = |s: &str| {
            invoice_line(2, s)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(err("toner").contains("--line 2"), "{}", err("toner"));
        assert!(err("Toner; six; 74.50").contains("is not a quantity"));
    }

    #[test]
    fn budgets_default_to_this_quarter() {
        let q = this_quarter();
        assert!(q.parse::<Period>().is_ok(), "{q}");
        assert!(q.contains("-Q"), "{q}");
    }
}
