//! Commands for expenses: `expense add|list|show` (with the receipt as a
//! file), the report's steps `expense submit|approve|reject|reimburse`,
//! `expense report new|show|list`, and `expense policy list|set`. Like the
//! other commands they call the same operations as the API, as the caller
//! `cli`.
//!
//! The command line is the installation administrator's tool: it files for
//! the person named with `--person`, and approves and reimburses as the
//! administrator; the audit log records those steps as done by `cli`.
//! Through the API and the web nobody approves their own expenses.
//!
//! A report is named by its number (`EXP-2026-0003`, case aside), its id, or
//! the end of its id as lists show it; an expense by its id or the end of it.
//! Lists print as a table, as JSON with `--json`, or as CSV with `--csv`.

use crate::Global;
use crate::commands::{api, cli, with_store};
use crate::ids::{id_like, pick, short};
use crate::output;
use adjutant_core::ids::{ExpenseId, ExpenseReportId, OrgId};
use adjutant_server::AppState;
use adjutant_server::ops::expenses::{
    self as ops, DecisionInput, ExpenseInput, ExpenseView, PolicyInput, ReportFilter, ReportInput, ReportView,
};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ExpenseCmd {
    /// File an expense for a person, with its receipt (an image or a PDF, at most 10 MiB).
    Add(Box<AddArgs>),
    /// List expenses with what the policy says about each.
    List(ListArgs),
    /// Show an expense and its findings.
    Show {
        /// The expense's id, or the end of it.
        expense: String,
    },
    /// Submit a report for approval (refused while a receipt is missing above the policy's amount).
    Submit {
        /// The report's number (EXP-2026-0003), its id, or the end of its id.
        report: String,
    },
    /// Approve a submitted report, as the installation's administrator.
    Approve(DecideArgs),
    /// Reject a submitted report with a reason (--note); it can be fixed and submitted again.
    Reject(DecideArgs),
    /// Mark an approved report as paid back.
    Reimburse {
        /// The report's number (EXP-2026-0003), its id, or the end of its id.
        report: String,
    },
    /// Expense reports: new, show, list.
    #[command(subcommand)]
    Report(ReportCmd),
    /// The expense policy: list, set.
    #[command(subcommand)]
    Policy(PolicyCmd),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Whose expense: an e-mail address or a person's id.
    #[arg(long, value_name = "EMAIL")]
    pub person: String,
    /// The day it was paid, e.g. 2026-11-20.
    #[arg(long, value_name = "DATE")]
    pub date: String,
    #[arg(long, value_name = "NAME")]
    pub merchant: String,
    /// meals, travel, taxi, hotel, …
    #[arg(long, value_name = "C")]
    pub category: String,
    /// e.g. 42.50 (no more decimals than the currency has).
    #[arg(long, value_name = "AMOUNT")]
    pub amount: String,
    /// ISO 4217 code [default: EUR].
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    #[arg(long, value_name = "P")]
    pub project: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// The receipt: a PNG, JPEG, GIF, WebP or PDF file.
    #[arg(long, value_name = "FILE")]
    pub receipt: Option<PathBuf>,
    /// A draft report of the same person to put it in (number or id).
    #[arg(long, value_name = "REPORT")]
    pub report: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only one person's expenses (e-mail or id).
    #[arg(long, value_name = "EMAIL")]
    pub person: Option<String>,
    /// Print CSV instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct DecideArgs {
    /// The report's number (EXP-2026-0003), its id, or the end of its id.
    pub report: String,
    /// A note; for a rejection, the reason (required).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    /// Start a draft report of a person's expenses.
    New {
        /// Whose expenses: an e-mail address or a person's id.
        #[arg(long, value_name = "EMAIL")]
        person: String,
        #[arg(long, value_name = "TITLE")]
        title: String,
        /// An expense to put in it (id or the end of it); repeatable.
        #[arg(long = "expense", value_name = "ID")]
        expenses: Vec<String>,
    },
    /// Show a report: its expenses, findings and totals per currency.
    Show {
        /// The report's number (EXP-2026-0003), its id, or the end of its id.
        report: String,
    },
    /// List reports, those waiting for approval first.
    List {
        /// `waiting` or one status: draft, submitted, approved, rejected, reimbursed.
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyCmd {
    /// The rules by category and currency.
    List {
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Set the rule of a category (or `default`) in a currency.
    Set {
        /// A category, or `default` for categories without a rule of their own.
        category: String,
        /// ISO 4217 code [default: EUR].
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
        /// The most one expense may be; above it the approver is warned.
        #[arg(long, value_name = "AMOUNT")]
        limit: Option<String>,
        /// Above this amount a receipt is required before submitting.
        #[arg(long, value_name = "AMOUNT")]
        receipt_above: Option<String>,
    },
}

/// A person by e-mail or id, as the operations take it (an id).
async fn person_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<String> {
    let g = given.trim();
    if g.contains('@') {
        return Ok(state
            .store
            .person_by_email(org, g)
            .await
            .map_err(|_| anyhow::anyhow!("--person: nobody here has the e-mail address `{g}`"))?
            .id
            .to_string());
    }
    Ok(g.to_string())
}

async fn report_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<ExpenseReportId> {
    let g = given.trim();
    if let Ok(id) = g.parse::<ExpenseReportId>() {
        return Ok(id);
    }
    let all = state.store.report_list(org, None, &[]).await?;
    if let Some(r) = all.iter().find(|r| r.number.eq_ignore_ascii_case(g)) {
        return Ok(r.id);
    }
    if id_like(g) {
        return pick(("report", "reports"), g, all.iter().map(|r| r.id));
    }
    bail!("no expense report is numbered `{g}` (`adjutant expense report list` shows them)")
}

async fn expense_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<ExpenseId> {
    let g = given.trim();
    if let Ok(id) = g.parse::<ExpenseId>() {
        return Ok(id);
    }
    let all = state.store.expense_list(org, None, None).await?;
    pick(("expense", "expenses"), g, all.iter().map(|e| e.id))
}

fn finding_lines(e: &ExpenseView) -> Vec<String> {
    e.findings
        .iter()
        .map(|f| format!("{} {}", if f.blocking { "BLOCKS:" } else { "warning:" }, f.reason))
        .collect()
}

fn print_expenses(list: &[ExpenseView]) {
    output::table(
        &[
            "ID", "DATE", "PERSON", "MERCHANT", "CATEGORY", "AMOUNT", "RECEIPT", "REPORT", "POLICY",
        ],
        &list
            .iter()
            .map(|e| {
                let f = finding_lines(e);
                vec![
                    short(&e.id).to_string(),
                    e.date.clone(),
                    e.person.name.clone(),
                    e.merchant.clone(),
                    e.category.clone(),
                    e.amount.display.clone(),
                    e.receipt.as_ref().map_or("-".into(), |r| r.filename.clone()),
                    e.report.as_ref().map_or("-".into(), |r| r.number.clone()),
                    if f.is_empty() { "ok".into() } else { f.join(" ") },
                ]
            })
            .collect::<Vec<_>>(),
    );
}

fn totals(r: &ReportView) -> String {
    if r.totals.is_empty() {
        "nothing yet".into()
    } else {
        r.totals
            .iter()
            .map(|t| t.display.clone())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn print_report(r: &ReportView) {
    output::line(&format!("{} “{}” — {}", r.number, r.title, r.status));
    output::line(&format!("  {:<14}{}", "of", r.person.name));
    output::line(&format!("  {:<14}{}", "total", totals(r)));
    if let Some(by) = &r.decided_by {
        let note = if r.decision_note.is_empty() {
            String::new()
        } else {
            format!(": “{}”", r.decision_note)
        };
        output::line(&format!("  {:<14}{by}{note}", "decided by"));
    }
    if let Some(by) = &r.reimbursed_by {
        output::line(&format!("  {:<14}{by}", "reimbursed by"));
    }
    if let Some(why) = &r.blocked {
        output::line(&format!("  {:<14}{why}", "cannot submit"));
    }
    print_expenses(&r.expenses);
}

fn print_reports(list: &[ReportView]) {
    output::table(
        &[
            "ID", "NUMBER", "TITLE", "OF", "STATUS", "TOTAL", "EXPENSES", "WARNINGS",
        ],
        &list
            .iter()
            .map(|r| {
                vec![
                    short(&r.id).to_string(),
                    r.number.clone(),
                    r.title.clone(),
                    r.person.name.clone(),
                    r.status.clone(),
                    totals(r),
                    r.expenses.len().to_string(),
                    r.warnings.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

pub async fn expense(g: &Global, cmd: ExpenseCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| expense_in(g, &state, org, cmd).await)
}

async fn expense_in(g: &Global, state: &AppState, org: OrgId, cmd: ExpenseCmd) -> anyhow::Result<()> {
    let c = cli();
    match cmd {
        ExpenseCmd::Add(a) => {
            let receipt = match &a.receipt {
                Some(path) => {
                    let meta =
                        std::fs::metadata(path).with_context(|| format!("--receipt {}", path.display()))?;
                    let limit = adjutant_core::office::expense::MAX_RECEIPT_BYTES as u64;
                    if meta.len() > limit {
                        bail!(
                            "receipt: `{}` is {} MiB; a receipt may be at most {} MiB",
                            path.display(),
                            meta.len().div_ceil(1024 * 1024),
                            limit / (1024 * 1024)
                        );
                    }
                    let bytes =
                        std::fs::read(path).with_context(|| format!("--receipt {}", path.display()))?;
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    Some((name, bytes))
                }
                None => None,
            };
            let report = match &a.report {
                Some(r) => Some(report_id(state, org, r).await?.to_string()),
                None => None,
            };
            let input = ExpenseInput {
                person: Some(person_id(state, org, &a.person).await?),
                date: a.date,
                merchant: a.merchant,
                category: a.category,
                amount: a.amount,
                currency: a.currency,
                project: a.project,
                description: a.description,
                report,
            };
            let v = ops::create_expense(
                state,
                &c,
                org,
                &input,
                receipt.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
            )
            .await
            .map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Filed {} at {} on {} for {}, id {}{}.",
                    v.amount.display,
                    v.merchant,
                    v.date,
                    v.person.name,
                    short(&v.id),
                    v.receipt
                        .as_ref()
                        .map(|r| format!(", receipt {}", r.filename))
                        .unwrap_or_default()
                ));
                for l in finding_lines(&v) {
                    output::line(&format!("  {l}"));
                }
            }
            Ok(())
        }
        ExpenseCmd::List(a) => {
            let person = match &a.person {
                Some(p) => Some(person_id(state, org, p).await?),
                None => None,
            };
            let list = ops::list_expenses(state, &c, org, person.as_deref())
                .await
                .map_err(api)?;
            if a.csv {
                output::raw(&ops::expenses_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No expenses yet; file one with `adjutant expense add`.");
            } else {
                print_expenses(&list);
            }
            Ok(())
        }
        ExpenseCmd::Show { expense } => {
            let id = expense_id(state, org, &expense).await?;
            let v = ops::get_expense(state, &c, org, id).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                print_expenses(std::slice::from_ref(&v));
            }
            Ok(())
        }
        ExpenseCmd::Submit { report } => {
            let id = report_id(state, org, &report).await?;
            let v = ops::submit_report(state, &c, org, id).await.map_err(api)?;
            done(g, &v, "Submitted", "for approval")
        }
        ExpenseCmd::Approve(a) => {
            let id = report_id(state, org, &a.report).await?;
            let v = ops::decide_report(state, &c, org, id, true, &DecisionInput { note: a.note })
                .await
                .map_err(api)?;
            done(g, &v, "Approved", "to be reimbursed")
        }
        ExpenseCmd::Reject(a) => {
            let id = report_id(state, org, &a.report).await?;
            let v = ops::decide_report(state, &c, org, id, false, &DecisionInput { note: a.note })
                .await
                .map_err(api)?;
            done(g, &v, "Rejected", "back to its owner to fix")
        }
        ExpenseCmd::Reimburse { report } => {
            let id = report_id(state, org, &report).await?;
            let v = ops::reimburse_report(state, &c, org, id).await.map_err(api)?;
            done(g, &v, "Reimbursed", "to its owner")
        }
        ExpenseCmd::Report(ReportCmd::New {
            person,
            title,
            expenses,
        }) => {
            let mut ids = Vec::new();
            for e in &expenses {
                ids.push(expense_id(state, org, e).await?.to_string());
            }
            let input = ReportInput {
                person: Some(person_id(state, org, &person).await?),
                title,
                expenses: ids,
            };
            let v = ops::create_report(state, &c, org, &input).await.map_err(api)?;
            done(g, &v, "Started", "as a draft")
        }
        ExpenseCmd::Report(ReportCmd::Show { report }) => {
            let id = report_id(state, org, &report).await?;
            let v = ops::get_report(state, &c, org, id).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                print_report(&v);
            }
            Ok(())
        }
        ExpenseCmd::Report(ReportCmd::List { status, csv }) => {
            let list = ops::list_reports(state, &c, org, &ReportFilter { status, person: None })
                .await
                .map_err(api)?;
            if csv {
                output::raw(&ops::reports_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No expense reports.");
            } else {
                print_reports(&list);
            }
            Ok(())
        }
        ExpenseCmd::Policy(PolicyCmd::List { csv }) => {
            let rules = ops::policy(state, &c, org).await.map_err(api)?;
            if csv {
                output::raw(&ops::policy_csv(&rules));
            } else if g.json {
                output::json(&rules);
            } else if rules.is_empty() {
                output::line("No policy rules; set one with `adjutant expense policy set`.");
            } else {
                output::table(
                    &["CATEGORY", "CURRENCY", "LIMIT", "RECEIPT ABOVE"],
                    &rules
                        .iter()
                        .map(|r| {
                            vec![
                                r.category.clone(),
                                r.currency.clone(),
                                r.limit.as_ref().map_or("-".into(), |m| m.display.clone()),
                                r.receipt_above.as_ref().map_or("-".into(), |m| m.display.clone()),
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
            Ok(())
        }
        ExpenseCmd::Policy(PolicyCmd::Set {
            category,
            currency,
            limit,
            receipt_above,
        }) => {
            let input = PolicyInput {
                category: category.clone(),
                currency,
                limit,
                receipt_above,
            };
            let rules = ops::set_policy(state, &c, org, &input).await.map_err(api)?;
            if g.json {
                output::json(&rules);
            } else {
                output::line(&format!("Set the {} rule.", category.trim().to_lowercase()));
            }
            Ok(())
        }
    }
}

fn done(g: &Global, v: &ReportView, verb: &str, what: &str) -> anyhow::Result<()> {
    if g.json {
        output::json(v);
    } else {
        output::line(&format!(
            "{verb} {} “{}” ({}) of {} {what}.",
            v.number,
            v.title,
            totals(v),
            v.person.name
        ));
    }
    Ok(())
}
