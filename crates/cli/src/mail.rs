//! Commands for mail: `mail import FILE…` (mbox archives streamed, with a
//! progress line), `mail sync`, `mail mailbox` (IMAP settings), `mail show`,
//! `mail file|archive|snooze`, `mail invoice` (register the invoice a message
//! carries), `mail screen`, `mail rule`, `mail drafts`;
//! `triage` (the inbox with reasons), `followups`, and `contacts
//! list|due|import|export`. Whose mail comes from `--for EMAIL` or
//! `$ADJUTANT_USER`. Messages are named by their id or its last characters.

use crate::Global;
use crate::calendar::USER_ENV;
use crate::commands::{api, cli, with_store};
use crate::ids::{pick, short};
use crate::output;
use adjutant_core::ids::{MailId, OrgId};
use adjutant_server::AppState;
use adjutant_server::ops::mail::{
    self as ops, ContactView, ImportReport, MailAction, MailItem, MailQuery, MailboxForm, RuleForm,
    SenderForm,
};
use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct ForArg {
    /// Whose mail (e-mail address) [default: $ADJUTANT_USER].
    #[arg(long = "for", value_name = "EMAIL")]
    pub for_: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum MailCmd {
    /// Import `.eml` files and mbox archives (any size: read as a stream). Each
    /// message is stored or refused on its own; refusals are listed with their reason.
    Import {
        #[command(flatten)]
        who: ForArg,
        /// Files to import.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Fetch new mail, flag changes and deletions from the IMAP server (`--all`: every mailbox).
    Sync {
        #[command(flatten)]
        who: ForArg,
        #[arg(long, conflicts_with = "for_")]
        all: bool,
    },
    /// Show or set a mailbox's IMAP server (the password is read from stdin and kept sealed).
    Mailbox {
        #[command(flatten)]
        who: ForArg,
        #[arg(long, value_name = "HOST")]
        imap_host: Option<String>,
        #[arg(long, value_name = "PORT")]
        imap_port: Option<u16>,
        /// Connect without TLS (only for a server on this machine).
        #[arg(long)]
        no_tls: bool,
        #[arg(long, value_name = "USER")]
        imap_user: Option<String>,
        /// Read the IMAP password from standard input.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, value_name = "FOLDER")]
        folder: Option<String>,
        /// Days a sent message waits for a reply before it is a follow-up.
        #[arg(long, value_name = "DAYS")]
        followup_days: Option<u32>,
    },
    /// One message: headers, triage reasons, text.
    Show {
        /// The message's id, or its last characters.
        message: String,
        #[command(flatten)]
        who: ForArg,
    },
    /// File a message under a category (act, reply, waiting, read, fyi, newsletter, suspect);
    /// the classifier learns from it.
    File {
        message: String,
        category: String,
        #[command(flatten)]
        who: ForArg,
    },
    /// Archive a message.
    Archive {
        message: String,
        #[command(flatten)]
        who: ForArg,
    },
    /// Snooze a message until a date (08:00 your time) and/or until a reply arrives.
    Snooze {
        message: String,
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        #[arg(long)]
        until_reply: bool,
        #[command(flatten)]
        who: ForArg,
    },
    /// Register the invoice a message carries (one marked `invoice`): the vendor,
    /// number, amount and due day are read from it; a flag overrides what was read.
    Invoice {
        message: String,
        /// The vendor's name or id [default: the vendor the sender writes for].
        #[arg(long, value_name = "VENDOR")]
        vendor: Option<String>,
        #[arg(long, value_name = "NUMBER")]
        number: Option<String>,
        /// The amount due, VAT included (`1450.00`).
        #[arg(long, value_name = "AMOUNT")]
        amount: Option<String>,
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
        /// The VAT percentage the amount includes (`21`): split into net and VAT
        /// [default: what the message says, else 0].
        #[arg(long, value_name = "PERCENT")]
        vat: Option<String>,
        /// The invoice's date [default: the day the message arrived].
        #[arg(long, value_name = "DATE")]
        issued: Option<String>,
        #[arg(long, value_name = "DATE")]
        due: Option<String>,
        /// A purchase order's number or id.
        #[arg(long, value_name = "PO")]
        purchase: Option<String>,
        #[arg(long, value_name = "CATEGORY")]
        category: Option<String>,
        #[command(flatten)]
        who: ForArg,
    },
    /// Accept, VIP, block or forget (unknown) a sender.
    Screen {
        address: String,
        /// accepted, vip, blocked or unknown.
        status: String,
        #[command(flatten)]
        who: ForArg,
    },
    /// Screening rules: list, add, delete.
    #[command(subcommand)]
    Rule(RuleCmd),
    /// Drafts: the approval queue (`--status pending`) and others.
    Drafts {
        #[command(flatten)]
        who: ForArg,
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RuleCmd {
    /// The rules in force for a mailbox (the organisation's first).
    List {
        #[command(flatten)]
        who: ForArg,
    },
    /// Add a rule: `--field from_domain --value example.com --category newsletter`.
    Add {
        #[command(flatten)]
        who: ForArg,
        /// For the whole organisation.
        #[arg(long)]
        org: bool,
        /// from_domain, from_address or subject_contains.
        #[arg(long)]
        field: String,
        #[arg(long)]
        value: String,
        #[arg(long)]
        category: Option<String>,
        /// invoice, travel or contract.
        #[arg(long)]
        office: Option<String>,
    },
    /// Delete a rule by id.
    Delete { id: String },
}

#[derive(Args, Debug)]
pub struct TriageArgs {
    #[command(flatten)]
    pub who: ForArg,
    /// inbox (default), screening, snoozed, archived, sent, all.
    #[arg(long, value_name = "VIEW")]
    pub view: Option<String>,
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    /// Show each message's reasons.
    #[arg(long)]
    pub reasons: bool,
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

#[derive(Subcommand, Debug)]
pub enum ContactsCmd {
    /// A person's contacts.
    List {
        #[command(flatten)]
        who: ForArg,
    },
    /// Contacts due for keeping in touch, most overdue first.
    Due {
        #[command(flatten)]
        who: ForArg,
    },
    /// Import a vCard file (all or nothing).
    Import {
        #[command(flatten)]
        who: ForArg,
        file: PathBuf,
    },
    /// Export contacts as vCard 4.0 (to FILE, or stdout).
    Export {
        #[command(flatten)]
        who: ForArg,
        file: Option<PathBuf>,
    },
}

fn whose(who: &ForArg) -> anyhow::Result<String> {
    match &who.for_ {
        Some(e) => Ok(e.clone()),
        None => {
            std::env::var(USER_ENV).map_err(|_| anyhow!("name whose mail: --for EMAIL (or set {USER_ENV})"))
        }
    }
}

async fn mail_id(state: &AppState, org: OrgId, person: &str, given: &str) -> anyhow::Result<MailId> {
    if let Ok(id) = given.trim().parse::<MailId>() {
        return Ok(id);
    }
    let q = MailQuery {
        person: Some(person.to_string()),
        view: Some("all".into()),
        limit: Some(5000),
        ..MailQuery::default()
    };
    let ids: Vec<MailId> = ops::list(state, &cli(), org, &q)
        .await
        .map_err(api)?
        .iter()
        .filter_map(|m| m.id.parse::<MailId>().ok())
        .collect();
    pick(("message", "messages"), given, ids.into_iter())
}

fn when(s: &str) -> String {
    s.get(..16).unwrap_or(s).replace('T', " ")
}

fn print_items(items: &[MailItem], reasons: bool) {
    if items.is_empty() {
        output::line("Nothing here.");
        return;
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|m| {
            let mut subject: String = m.subject.chars().take(60).collect();
            if let Some(o) = m.office {
                subject = format!("{subject} [{o}]");
            }
            let mut row = vec![
                short(&m.id).to_string(),
                m.priority.to_string(),
                m.category.to_string(),
                m.from_name.chars().take(28).collect(),
                subject,
                when(&m.sent_at),
            ];
            if reasons {
                row.push(
                    m.reasons
                        .iter()
                        .map(|r| r.text.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                );
            }
            row
        })
        .collect();
    let mut header = vec!["ID", "PRI", "CATEGORY", "FROM", "SUBJECT", "SENT"];
    if reasons {
        header.push("WHY");
    }
    output::table(&header, &rows);
}

fn print_report(g: &Global, name: &str, r: &ImportReport) {
    if g.json {
        output::json(r);
        return;
    }
    output::line(&format!(
        "{name}: {} stored, {} already there, {} refused",
        r.stored,
        r.duplicates,
        r.rejected.len()
    ));
    for x in &r.rejected {
        output::line(&format!("  refused {}: {}", x.item, x.reason));
    }
}

async fn import_file(
    state: &AppState,
    org: OrgId,
    person: &str,
    path: &PathBuf,
) -> anyhow::Result<ImportReport> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {name}"))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let is_mbox = reader
        .fill_buf()
        .with_context(|| format!("cannot read {name}"))?
        .starts_with(b"From ");
    let mut t = ops::triager_for(state, &cli(), org, Some(person))
        .await
        .map_err(api)?;
    let mut report = ImportReport::default();
    if is_mbox {
        let started = std::time::Instant::now();
        let mut count = 0u64;
        ops::import_mbox(state, &mut t, &name, reader, &mut report, |read| {
            count += 1;
            if count.is_multiple_of(25) || read == total {
                let pct = (read * 100).checked_div(total).unwrap_or(100);
                let rate = count as f64 / started.elapsed().as_secs_f64().max(0.001);
                output::progress(
                    &format!("{name}: {pct:>3}%  {count} messages  {rate:.0}/s"),
                    false,
                );
            }
        })
        .await;
        output::progress(&format!("{name}: 100%  {count} messages"), true);
    } else {
        let max = adjutant_interop::mail::MAX_MESSAGE_BYTES as u64;
        if total > max {
            report.rejected.push(ops::Rejected {
                item: name.clone(),
                reason: format!("the message is {total} bytes; the largest accepted is {max} bytes (25 MiB)"),
            });
        } else {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut reader, &mut bytes)
                .with_context(|| format!("cannot read {name}"))?;
            ops::ingest_one(state, &mut t, &name, &bytes, &mut report).await;
        }
    }
    ops::finish_import(state, &cli(), org, &t, &name, &report)
        .await
        .map_err(api)?;
    Ok(report)
}

pub async fn mail(g: &Global, cmd: MailCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| mail_in(g, &state, org, cmd).await)
}

async fn mail_in(g: &Global, state: &AppState, org: OrgId, cmd: MailCmd) -> anyhow::Result<()> {
    let c = cli();
    match cmd {
        MailCmd::Import { who, files } => {
            let person = whose(&who)?;
            let mut refused = 0;
            for f in &files {
                let r = import_file(state, org, &person, f).await?;
                refused += r.rejected.len();
                print_report(g, &f.display().to_string(), &r);
            }
            if refused > 0 && !g.json {
                output::line(&format!("{refused} refused in all; everything else is stored."));
            }
        }
        MailCmd::Sync { who, all } => {
            let list = if all {
                ops::sync_all(state).await
            } else {
                vec![
                    ops::sync(state, &c, org, Some(&whose(&who)?))
                        .await
                        .map_err(api)?,
                ]
            };
            if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No mailbox has an IMAP server set; set one with `adjutant mail mailbox`.");
            }
            let mut failed = None;
            for s in &list {
                if !g.json {
                    output::line(&format!(
                        "{}: {} new, {} flag changes, {} gone from the server{}{}",
                        s.address,
                        s.new,
                        s.flags,
                        s.expunged,
                        if s.reset {
                            " (UIDVALIDITY changed: read again)"
                        } else {
                            ""
                        },
                        if s.rejected.is_empty() {
                            String::new()
                        } else {
                            format!(", {} refused", s.rejected.len())
                        }
                    ));
                    for x in &s.rejected {
                        output::line(&format!("  refused {}: {}", x.item, x.reason));
                    }
                }
                if let Some(e) = &s.error {
                    failed = Some(format!(
                        "{}: {e} (what arrived before is kept; sync again to resume)",
                        s.address
                    ));
                }
            }
            if let Some(e) = failed {
                bail!(e);
            }
        }
        MailCmd::Mailbox {
            who,
            imap_host,
            imap_port,
            no_tls,
            imap_user,
            password_stdin,
            folder,
            followup_days,
        } => {
            let person = whose(&who)?;
            let changing =
                imap_host.is_some() || followup_days.is_some() || imap_user.is_some() || password_stdin;
            let view = if changing {
                let password = if password_stdin {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .context("reading the password from stdin")?;
                    Some(line.trim_end_matches(['\r', '\n']).to_string())
                } else {
                    None
                };
                let current = ops::get_mailbox(state, &c, org, Some(&person))
                    .await
                    .map_err(api)?;
                ops::configure(
                    state,
                    &c,
                    org,
                    &MailboxForm {
                        person: Some(person.clone()),
                        imap_host: imap_host.clone().or(current.imap_host),
                        imap_port: imap_port.or(current.imap_port),
                        imap_tls: Some(if no_tls {
                            false
                        } else if imap_host.is_some() {
                            true
                        } else {
                            current.imap_tls.unwrap_or(true)
                        }),
                        imap_username: imap_user.or(current.imap_username),
                        imap_password: password,
                        imap_folder: folder.or(current.imap_folder),
                        followup_days,
                    },
                )
                .await
                .map_err(api)?
            } else {
                ops::get_mailbox(state, &c, org, Some(&person))
                    .await
                    .map_err(api)?
            };
            if g.json {
                output::json(&view);
            } else {
                output::line(&format!("{} <{}>", view.person_name, view.address));
                match &view.imap_host {
                    Some(h) => output::line(&format!(
                        "IMAP: {}@{h}:{} ({}), folder {}; last sync {}{}",
                        view.imap_username.clone().unwrap_or_default(),
                        view.imap_port.unwrap_or(993),
                        if view.imap_tls.unwrap_or(true) {
                            "TLS"
                        } else {
                            "no TLS"
                        },
                        view.imap_folder.clone().unwrap_or_default(),
                        view.last_sync_at
                            .as_deref()
                            .map(when)
                            .unwrap_or_else(|| "never".into()),
                        if view.last_sync_error.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", view.last_sync_error)
                        }
                    )),
                    None => output::line("IMAP: not set (mail comes from imports)"),
                }
                output::line(&format!(
                    "Follow-ups after {} days without a reply",
                    view.followup_days
                ));
            }
        }
        MailCmd::Show { message, who } => {
            let person = whose(&who)?;
            let id = mail_id(state, org, &person, &message).await?;
            let d = ops::get(state, &c, org, id).await.map_err(api)?;
            if g.json {
                output::json(&d);
            } else {
                output::line(&format!("From:     {} <{}>", d.item.from_name, d.item.from));
                output::line(&format!("To:       {}", d.item.to.join(", ")));
                if !d.cc.is_empty() {
                    output::line(&format!("Cc:       {}", d.cc.join(", ")));
                }
                output::line(&format!("Subject:  {}", d.item.subject));
                output::line(&format!("Sent:     {}", when(&d.item.sent_at)));
                output::line(&format!(
                    "Triage:   {} (priority {})",
                    d.item.category, d.item.priority
                ));
                for r in &d.item.reasons {
                    output::line(&format!("          {:+} {}", r.weight, r.text));
                }
                if let Some(o) = d.item.office {
                    output::line(&format!("Office:   {o}"));
                }
                if let Some(i) = &d.item.invoice {
                    output::line(&format!("Invoice:  registered ({})", short(i)));
                }
                if let Some(s) = &d.invoice_suggestion {
                    output::line(&format!(
                        "Invoice:  {} from {}, {} {}{}, due {} — `adjutant mail invoice {}` registers it",
                        s.number.as_deref().unwrap_or("(no number)"),
                        s.vendor
                            .as_ref()
                            .map(|v| v.name.as_str())
                            .unwrap_or("(no vendor)"),
                        s.currency.as_deref().unwrap_or(""),
                        s.amount.as_deref().unwrap_or("(no amount)"),
                        s.vat
                            .as_deref()
                            .map(|v| format!(" incl. {v}% VAT"))
                            .unwrap_or_default(),
                        s.due_on.as_deref().unwrap_or("(no day)"),
                        short(&d.item.id)
                    ));
                    for m in &s.missing {
                        output::line(&format!("          {}", m.reason));
                    }
                }
                if let Some(k) = &d.contracts {
                    match &k.vendor {
                        None => output::line("Contract: the sender is not one of the office's vendors"),
                        Some(v) if k.contracts.is_empty() => {
                            output::line(&format!("Contract: none with {} is kept here", v.name))
                        }
                        Some(v) => {
                            for c in &k.contracts {
                                output::line(&format!("Contract: {} ({}): {}", c.title, v.name, c.summary));
                            }
                        }
                    }
                }
                for w in &d.warnings {
                    output::line(&format!("Warning:  {w}"));
                }
                for a in &d.attachment_list {
                    output::line(&format!(
                        "Attached: {} ({}, {} bytes)",
                        a.filename, a.content_type, a.size
                    ));
                }
                output::line("");
                output::line(&d.text);
            }
        }
        MailCmd::File {
            message,
            category,
            who,
        } => {
            let person = whose(&who)?;
            let id = mail_id(state, org, &person, &message).await?;
            let m = ops::correct(state, &c, org, id, &category).await.map_err(api)?;
            output::line(&format!(
                "Filed “{}” under {}; mail like it will follow.",
                m.subject, m.category
            ));
        }
        MailCmd::Archive { message, who } => {
            let person = whose(&who)?;
            let id = mail_id(state, org, &person, &message).await?;
            let a = MailAction {
                action: "archive".into(),
                ..MailAction::default()
            };
            let m = ops::act(state, &c, org, id, &a).await.map_err(api)?;
            output::line(&format!("Archived “{}”.", m.subject));
        }
        MailCmd::Snooze {
            message,
            until,
            until_reply,
            who,
        } => {
            let person = whose(&who)?;
            let id = mail_id(state, org, &person, &message).await?;
            let a = MailAction {
                action: "snooze".into(),
                until,
                until_reply: Some(until_reply),
            };
            let m = ops::act(state, &c, org, id, &a).await.map_err(api)?;
            output::line(&format!(
                "Snoozed “{}”{}{}.",
                m.subject,
                m.snoozed_until
                    .as_deref()
                    .map(|u| format!(" until {}", when(u)))
                    .unwrap_or_default(),
                if m.snooze_until_reply {
                    " until a reply arrives"
                } else {
                    ""
                }
            ));
        }
        MailCmd::Invoice {
            message,
            vendor,
            number,
            amount,
            currency,
            vat,
            issued,
            due,
            purchase,
            category,
            who,
        } => {
            let person = whose(&who)?;
            let id = mail_id(state, org, &person, &message).await?;
            let input = adjutant_server::ops::invoices::MailInvoiceInput {
                vendor,
                number,
                amount,
                vat,
                currency,
                issued_on: issued,
                due_on: due,
                purchase,
                contract: None,
                category,
                notes: None,
            };
            let v = adjutant_server::ops::invoices::record_from_mail(state, &c, org, id, &input)
                .await
                .map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Registered invoice {} from {}: {} ({} VAT), due {}; it waits for approval by {}.",
                    v.number, v.vendor.name, v.gross.display, v.vat.display, v.due_on, v.approver
                ));
            }
        }
        MailCmd::Screen { address, status, who } => {
            let person = whose(&who)?;
            let f = SenderForm {
                person: Some(person),
                address: address.clone(),
                status: status.clone(),
            };
            ops::screen(state, &c, org, &f).await.map_err(api)?;
            output::line(&format!("{address}: {status}"));
        }
        MailCmd::Rule(RuleCmd::List { who }) => {
            let list = ops::rules(state, &c, org, Some(&whose(&who)?))
                .await
                .map_err(api)?;
            if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No rules yet.");
            } else {
                output::table(
                    &["ID", "SCOPE", "RULE"],
                    &list
                        .iter()
                        .map(|r| vec![short(&r.id).to_string(), r.scope.clone(), r.description.clone()])
                        .collect::<Vec<_>>(),
                );
            }
        }
        MailCmd::Rule(RuleCmd::Add {
            who,
            org: whole,
            field,
            value,
            category,
            office,
        }) => {
            let person = if whole { "org".to_string() } else { whose(&who)? };
            let f = RuleForm {
                person: Some(person),
                field,
                value,
                category,
                office,
            };
            let r = ops::add_rule(state, &c, org, &f).await.map_err(api)?;
            output::line(&format!("Rule {} added: {}", short(&r.id), r.description));
        }
        MailCmd::Rule(RuleCmd::Delete { id }) => {
            let id = id
                .trim()
                .parse()
                .map_err(|_| anyhow!("`{id}` is not a rule id (give the whole id)"))?;
            ops::delete_rule(state, &c, org, id).await.map_err(api)?;
            output::line("Rule deleted.");
        }
        MailCmd::Drafts { who, status } => {
            let list = ops::drafts(state, &c, org, Some(&whose(&who)?), status.as_deref())
                .await
                .map_err(api)?;
            if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("No drafts.");
            } else {
                output::table(
                    &["ID", "STATUS", "BY", "TO", "SUBJECT"],
                    &list
                        .iter()
                        .map(|d| {
                            vec![
                                short(&d.id).to_string(),
                                d.status.clone(),
                                d.author_label.clone(),
                                d.to.join(", "),
                                d.subject.clone(),
                            ]
                        })
                        .collect::<Vec<_>>(),
                );
            }
        }
    }
    Ok(())
}

pub async fn triage(g: &Global, a: TriageArgs) -> anyhow::Result<()> {
    with_store!(g, |state, org| {
        let q = MailQuery {
            person: Some(whose(&a.who)?),
            view: a.view.clone(),
            category: a.category.clone(),
            office: None,
            limit: Some(a.limit),
        };
        let list = ops::list(&state, &cli(), org, &q).await.map_err(api)?;
        if g.json {
            output::json(&list);
        } else {
            print_items(&list, a.reasons);
        }
        Ok(())
    })
}

pub async fn followups(g: &Global, who: ForArg) -> anyhow::Result<()> {
    with_store!(g, |state, org| {
        let list = ops::followups(&state, &cli(), org, Some(&whose(&who)?))
            .await
            .map_err(api)?;
        if g.json {
            output::json(&list);
        } else if list.is_empty() {
            output::line("No sent message is waiting too long for a reply.");
        } else {
            output::table(
                &["ID", "DAYS", "TO", "SUBJECT"],
                &list
                    .iter()
                    .map(|f| {
                        vec![
                            short(&f.message.id).to_string(),
                            f.days_waiting.to_string(),
                            f.message.to.join(", "),
                            f.message.subject.clone(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            );
        }
        Ok(())
    })
}

fn print_contacts(list: &[ContactView], due: bool) {
    if list.is_empty() {
        output::line(if due {
            "Nobody is due for a call or a note."
        } else {
            "No contacts yet."
        });
        return;
    }
    let last = |c: &ContactView| {
        [&c.last_in_at, &c.last_out_at, &c.last_met_at]
            .into_iter()
            .flatten()
            .max()
            .map(|s| when(s))
            .unwrap_or_else(|| "never".into())
    };
    output::table(
        &[
            "NAME",
            "EMAIL",
            "ORGANISATION",
            "LAST CONTACT",
            "NEXT MEETING",
            "CADENCE",
            "OVERDUE",
        ],
        &list
            .iter()
            .map(|c| {
                vec![
                    format!("{}{}", if c.stakeholder { "★ " } else { "" }, c.name),
                    c.emails.first().cloned().unwrap_or_default(),
                    c.organization.clone(),
                    last(c),
                    c.next_meeting_at.as_deref().map(when).unwrap_or_default(),
                    c.cadence_days.map(|d| format!("{d} days")).unwrap_or_default(),
                    c.overdue_days.map(|d| format!("{d} days")).unwrap_or_default(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

pub async fn contacts(g: &Global, cmd: ContactsCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| {
        let c = cli();
        match cmd {
            ContactsCmd::List { who } => {
                let list = ops::contacts(&state, &c, org, Some(&whose(&who)?))
                    .await
                    .map_err(api)?;
                if g.json {
                    output::json(&list);
                } else {
                    print_contacts(&list, false);
                }
            }
            ContactsCmd::Due { who } => {
                let list = ops::contacts_due(&state, &c, org, Some(&whose(&who)?))
                    .await
                    .map_err(api)?;
                if g.json {
                    output::json(&list);
                } else {
                    print_contacts(&list, true);
                }
            }
            ContactsCmd::Import { who, file } => {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {} as UTF-8 text", file.display()))?;
                let r = ops::import_vcards(&state, &c, org, Some(&whose(&who)?), &text)
                    .await
                    .map_err(|e| anyhow!("{}: {}", file.display(), e.detail))?;
                output::line(&format!(
                    "{}: {} contacts added, {} filled in",
                    file.display(),
                    r.created,
                    r.updated
                ));
            }
            ContactsCmd::Export { who, file } => {
                let text = ops::export_vcards(&state, &c, org, Some(&whose(&who)?))
                    .await
                    .map_err(api)?;
                match file {
                    Some(f) => {
                        std::fs::write(&f, text).with_context(|| format!("cannot write {}", f.display()))?;
                        output::line(&format!("Wrote {}", f.display()));
                    }
                    None => output::raw(&text),
                }
            }
        }
        Ok(())
    })
}
