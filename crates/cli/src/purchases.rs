//! Commands for purchasing: `purchase request|list|show`, the decisions
//! `purchase submit|approve|reject|cancel`, and deliveries, `purchase
//! receive`. Like the other commands they call the same operations as the
//! API, as the caller `cli`.
//!
//! The approval rules for people (an office manager's limit, nobody approving
//! their own request) hold in the API and the web. The command line is the
//! installation administrator's tool: it approves, rejects and receives as
//! the administrator, and the audit log records those steps as done by `cli`.
//!
//! A purchase is named by its number (`PO-2026-0003`, case aside), its id, or
//! the end of its id as lists show it. Lists print as a table, as JSON with
//! `--json`, or as CSV with `--csv` (the columns the API gives with
//! `?format=csv`).

use crate::Global;
use crate::commands::{api, cli, with_store};
use crate::ids::{id_like, pick, short};
use crate::output;
use crate::stock::{item_id, on_hand_line};
use adjutant_core::ids::{OrgId, PurchaseId, StockItemId};
use adjutant_server::AppState;
use adjutant_server::ops::purchases::{
    self as ops, DecisionInput, DeliveryLine, LineInput, LineView, PurchaseFilter, PurchaseInput,
    PurchaseView, ReceiveInput,
};
use adjutant_server::ops::stock::get_stock;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

#[derive(Subcommand, Debug)]
pub enum PurchaseCmd {
    /// Request a purchase: it goes for approval at once, or stays a draft with --draft.
    Request(Box<RequestArgs>),
    /// List the purchases, those waiting for approval first.
    List(ListArgs),
    /// Show a purchase: its lines as ordered and received, the totals and the decision.
    Show {
        /// The purchase's number (PO-2026-0003), its id, or the end of its id.
        purchase: String,
    },
    /// Send a draft for approval.
    Submit {
        /// The purchase's number (PO-2026-0003), its id, or the end of its id.
        purchase: String,
    },
    /// Approve a purchase waiting for approval, as the installation's administrator: the order goes out.
    ///
    /// Through the API and the web, people approve within their limits and
    /// never their own requests; the command line acts as the installation's
    /// administrator and approves any amount. The audit log records it as
    /// done by `cli`.
    Approve(DecideArgs),
    /// Reject a purchase waiting for approval, as the installation's administrator.
    ///
    /// Through the API and the web, people decide within their limits and
    /// never on their own requests; the command line acts as the installation's
    /// administrator. The audit log records it as done by `cli`.
    Reject(DecideArgs),
    /// Cancel a request, or an order nothing of which has arrived yet.
    Cancel(DecideArgs),
    /// Record a delivery: --line N=QTY for each line that arrived, or --all.
    ///
    /// Received stock items are counted into the stock room in the same step.
    /// More than is still due on a line is refused, and nothing is recorded.
    Receive(ReceiveArgs),
}

#[derive(Args, Debug)]
pub struct RequestArgs {
    /// What it is for, e.g. "Printer toner for the second floor".
    pub title: String,
    /// A line as "DESCRIPTION; QUANTITY; UNIT_PRICE[; STOCK ITEM]", e.g.
    /// "Printer toner, black; 6; 74.50; Printer toner, black"; repeatable, at least one.
    #[arg(
        long = "line",
        value_name = "\"DESCRIPTION; QUANTITY; UNIT_PRICE[; STOCK ITEM]\""
    )]
    pub lines: Vec<String>,
    /// The vendor's name or id.
    #[arg(long, value_name = "V")]
    pub vendor: Option<String>,
    /// The budget category, e.g. pantry, printing, furniture.
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
    /// ISO 4217 code of the prices [default: EUR].
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// The day it is needed by, e.g. 2026-12-18.
    #[arg(long, value_name = "DATE")]
    pub needed_by: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// Keep it as a draft instead of sending it for approval.
    #[arg(long)]
    pub draft: bool,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// `waiting` (draft or submitted), `open` (ordered or partly received), or one status:
    /// draft, submitted, ordered, partly_received, received, rejected, cancelled.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Words in the number, title, category or vendor.
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
    /// Print CSV (for a spreadsheet) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct DecideArgs {
    /// The purchase's number (PO-2026-0003), its id, or the end of its id.
    pub purchase: String,
    /// Why, e.g. "within the printing budget".
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Args, Debug)]
pub struct ReceiveArgs {
    /// The purchase's number (PO-2026-0003), its id, or the end of its id.
    pub purchase: String,
    /// A line's number (from 1, as `purchase show` lists them) and how many arrived, e.g. 1=4; repeatable.
    #[arg(long = "line", value_name = "N=QTY", conflicts_with = "all")]
    pub lines: Vec<String>,
    /// Everything still due arrived.
    #[arg(long)]
    pub all: bool,
    /// e.g. the delivery note's number.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

const LINE_FORM: &str = "\"DESCRIPTION; QUANTITY; UNIT_PRICE[; STOCK ITEM]\", e.g. \"Pens, blue; 10; 1.20\"";

/// A purchase by its number or id, else by the end of its id.
async fn purchase_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<PurchaseId> {
    let g = given.trim();
    if let Ok(id) = g.parse::<PurchaseId>() {
        return Ok(id);
    }
    let all = state.store.purchase_list(org, &[]).await?;
    if let Some(p) = all.iter().find(|p| p.number.eq_ignore_ascii_case(g)) {
        return Ok(p.id);
    }
    if id_like(g) {
        return pick(("purchase", "purchases"), g, all.iter().map(|p| p.id));
    }
    bail!("no purchase is numbered `{g}` (`adjutant purchase list` shows them)")
}

/// The `n`th `--line` (from 1) of a request, as the API takes it. A stock
/// item is named as `stock` commands name it: by name, id or the end of its id.
async fn request_line(state: &AppState, org: OrgId, n: usize, spec: &str) -> anyhow::Result<LineInput> {
    let s = spec.trim();
    let parts: Vec<&str> = s.split(';').map(str::trim).collect();
    let (description, quantity, price, item) = match parts.as_slice() {
        [d, q, p] => (*d, *q, *p, None),
        [d, q, p, i] => (*d, *q, *p, Some(*i).filter(|i| !i.is_empty())),
        _ => bail!("--line {n} (`{s}`) is not {LINE_FORM}"),
    };
    let Ok(quantity) = quantity.parse::<i64>() else {
        bail!("--line {n} (`{s}`): `{quantity}` is not a quantity; give a whole number like 6");
    };
    let stock_item = match item {
        Some(i) => Some(
            item_id(state, org, i)
                .await
                .with_context(|| format!("--line {n}"))?
                .to_string(),
        ),
        None => None,
    };
    Ok(LineInput {
        description: description.into(),
        stock_item,
        quantity,
        unit_price: price.into(),
    })
}

/// `1=4` as a delivery of 4 on line 1.
fn delivery_line(spec: &str) -> anyhow::Result<DeliveryLine> {
    let s = spec.trim();
    let bad = || anyhow::anyhow!("--line `{s}` is not N=QTY, a line's number and how many arrived, e.g. 1=4");
    let (line, qty) = s.split_once('=').ok_or_else(bad)?;
    let line: usize = line.trim().parse().map_err(|_| bad())?;
    let quantity: i64 = qty.trim().parse().map_err(|_| bad())?;
    if line == 0 {
        bail!("--line `{s}`: lines are numbered from 1, as `adjutant purchase show` lists them");
    }
    Ok(DeliveryLine { line, quantity })
}

/// `partly received` for `partly_received`.
fn status_words(s: &str) -> String {
    s.replace('_', " ")
}

/// `2026-05-04 09:30 UTC` for a view's timestamp.
fn when(s: &str) -> String {
    s.parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| s.to_string())
}

fn field(k: &str, v: &str) {
    output::line(&format!("  {k:<14}{v}"));
}

/// `PO-2026-0003 “Pens” (EUR 12.00)`.
fn named(v: &PurchaseView) -> String {
    format!("{} “{}” ({})", v.number, v.title, v.total.display)
}

/// What to do next with a purchase, as a command to run.
fn next_step(v: &PurchaseView) -> Option<String> {
    match v.status.as_str() {
        "draft" => Some(format!(
            "Send it for approval with `adjutant purchase submit {}`; {} approves it.",
            v.number, v.approver
        )),
        "submitted" => Some(format!(
            "It waits for {}: `adjutant purchase approve {}` or `adjutant purchase reject {}`.",
            v.approver, v.number, v.number
        )),
        "ordered" | "partly_received" => Some(format!(
            "Record deliveries with `adjutant purchase receive {} --line N=QTY` (or --all).",
            v.number
        )),
        _ => None,
    }
}

fn print_next(v: &PurchaseView) {
    if let Some(s) = next_step(v) {
        output::line(&s);
    }
}

// ---------------------------------------------------------------------------
// purchase
// ---------------------------------------------------------------------------

pub async fn purchase(g: &Global, cmd: PurchaseCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| purchase_in(g, &state, org, cmd).await)
}

async fn purchase_in(g: &Global, state: &AppState, org: OrgId, cmd: PurchaseCmd) -> anyhow::Result<()> {
    match cmd {
        PurchaseCmd::Request(a) => request(g, state, org, *a).await,
        PurchaseCmd::List(a) => {
            let filter = PurchaseFilter {
                status: a.status,
                q: a.search,
            };
            let list = ops::list_purchases(state, &cli(), org, &filter)
                .await
                .map_err(api)?;
            if a.csv {
                output::raw(&ops::purchases_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line(match (filter.status.as_deref().map(str::trim), &filter.q) {
                    (Some("waiting"), None) => "Nothing is waiting for approval.",
                    (Some("open"), None) => "No orders are waiting for deliveries.",
                    (None, None) => "No purchases yet; request one with `adjutant purchase request`.",
                    _ => "No purchases match.",
                });
            } else {
                print_list(&list);
            }
            Ok(())
        }
        PurchaseCmd::Show { purchase } => {
            let id = purchase_id(state, org, &purchase).await?;
            let v = ops::get_purchase(state, &cli(), org, id).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                print_purchase(&v);
            }
            Ok(())
        }
        PurchaseCmd::Submit { purchase } => {
            let id = purchase_id(state, org, &purchase).await?;
            let v = ops::submit_purchase(state, &cli(), org, id).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Submitted {} for approval by {}.",
                    named(&v),
                    v.approver
                ));
            }
            Ok(())
        }
        PurchaseCmd::Approve(a) => decide(g, state, org, a, true).await,
        PurchaseCmd::Reject(a) => decide(g, state, org, a, false).await,
        PurchaseCmd::Cancel(a) => {
            let id = purchase_id(state, org, &a.purchase).await?;
            let v = ops::cancel_purchase(state, &cli(), org, id, &DecisionInput { note: a.note })
                .await
                .map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!("Cancelled {}.", named(&v)));
            }
            Ok(())
        }
        PurchaseCmd::Receive(a) => receive(g, state, org, a).await,
    }
}

async fn request(g: &Global, state: &AppState, org: OrgId, a: RequestArgs) -> anyhow::Result<()> {
    if a.lines.is_empty() {
        bail!("a request needs at least one --line {LINE_FORM}");
    }
    let mut lines = Vec::with_capacity(a.lines.len());
    for (i, spec) in a.lines.iter().enumerate() {
        lines.push(request_line(state, org, i + 1, spec).await?);
    }
    let input = PurchaseInput {
        title: a.title,
        vendor: a.vendor,
        category: a.category,
        currency: a.currency,
        lines,
        needed_by: a.needed_by,
        notes: a.notes,
        submit: Some(!a.draft),
    };
    let v = ops::create_purchase(state, &cli(), org, &input)
        .await
        .map_err(api)?;
    if g.json {
        output::json(&v);
    } else if v.status == "draft" {
        output::line(&format!(
            "Drafted {}, id {}; {} approves it once it is submitted.",
            named(&v),
            short(&v.id),
            v.approver
        ));
        print_next(&v);
    } else {
        output::line(&format!(
            "Requested {}, id {}, for approval by {}.",
            named(&v),
            short(&v.id),
            v.approver
        ));
    }
    Ok(())
}

async fn decide(
    g: &Global,
    state: &AppState,
    org: OrgId,
    a: DecideArgs,
    approve: bool,
) -> anyhow::Result<()> {
    let id = purchase_id(state, org, &a.purchase).await?;
    let v = ops::decide_purchase(state, &cli(), org, id, approve, &DecisionInput { note: a.note })
        .await
        .map_err(api)?;
    if g.json {
        output::json(&v);
    } else if approve {
        output::line(&format!("Approved {}: it is ordered.", named(&v)));
        print_next(&v);
    } else {
        output::line(&format!("Rejected {}.", named(&v)));
    }
    Ok(())
}

async fn receive(g: &Global, state: &AppState, org: OrgId, a: ReceiveArgs) -> anyhow::Result<()> {
    let id = purchase_id(state, org, &a.purchase).await?;
    let lines = if a.all {
        let v = ops::get_purchase(state, &cli(), org, id).await.map_err(api)?;
        v.lines
            .iter()
            .filter(|l| l.due > 0)
            .map(|l| DeliveryLine {
                line: l.line,
                quantity: l.due,
            })
            .collect()
    } else if a.lines.is_empty() {
        bail!("say what arrived: --line N=QTY for each line (e.g. --line 1=4), or --all");
    } else {
        a.lines
            .iter()
            .map(|s| delivery_line(s))
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    let input = ReceiveInput {
        lines: lines.clone(),
        note: a.note,
    };
    let v = ops::receive_purchase(state, &cli(), org, id, &input)
        .await
        .map_err(|e| delivery_error(api(e), &a.lines))?;
    if g.json {
        output::json(&v);
        return Ok(());
    }
    output::line(&if v.status == "received" {
        format!("Recorded the delivery on {}; everything has arrived.", v.number)
    } else {
        format!(
            "Recorded the delivery on {}; it is {}.",
            v.number,
            status_words(&v.status)
        )
    });
    let mut items: Vec<StockItemId> = Vec::new();
    for d in &lines {
        let Some(l) = v.lines.iter().find(|l| l.line == d.line) else {
            continue;
        };
        output::line(&if l.due == 0 {
            format!(
                "  line {}, {}: {} arrived; all {} received",
                l.line, l.description, d.quantity, l.quantity
            )
        } else {
            format!(
                "  line {}, {}: {} arrived; {} of {} received, {} still due",
                l.line, l.description, d.quantity, l.received, l.quantity, l.due
            )
        });
        if let Some(it) = l.stock_item.as_ref().and_then(|i| i.id.parse().ok())
            && !items.contains(&it)
        {
            items.push(it);
        }
    }
    for it in items {
        if let Ok(d) = get_stock(state, &cli(), org, it).await {
            output::line(&format!("  {}", on_hand_line(&d.item)));
        }
    }
    print_next(&v);
    Ok(())
}

/// Names a refused delivery's `lines[i]` by the `--line` given for it.
fn delivery_error(e: anyhow::Error, given: &[String]) -> anyhow::Error {
    let mut msg = e.to_string();
    for (i, s) in given.iter().enumerate() {
        msg = msg.replace(&format!("lines[{i}]:"), &format!("--line {}:", s.trim()));
    }
    anyhow::anyhow!(msg)
}

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

fn print_list(list: &[PurchaseView]) {
    output::table(
        &[
            "ID",
            "NUMBER",
            "TITLE",
            "STATUS",
            "TOTAL",
            "REQUESTED BY",
            "APPROVES",
        ],
        &list
            .iter()
            .map(|v| {
                vec![
                    short(&v.id).to_string(),
                    v.number.clone(),
                    v.title.clone(),
                    v.status.clone(),
                    v.total.display.clone(),
                    v.requested_by.clone(),
                    v.approver.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

/// `approved by cli on 2026-05-04 09:30 UTC: “within budget”`.
fn decision(v: &PurchaseView) -> Option<String> {
    let by = v.decided_by.as_deref()?;
    let what = match v.status.as_str() {
        "rejected" => "rejected",
        "cancelled" => "cancelled",
        _ => "approved",
    };
    let mut s = format!("{what} by {by}");
    if let Some(at) = &v.decided_at {
        s.push_str(&format!(" on {}", when(at)));
    }
    if !v.decision_note.is_empty() {
        s.push_str(&format!(": “{}”", v.decision_note));
    }
    Some(s)
}

fn print_purchase(v: &PurchaseView) {
    output::line(&format!("{}  {}", v.number, v.title));
    field("status", &status_words(&v.status));
    if let Some(x) = &v.vendor {
        field("vendor", &x.name);
    }
    if !v.category.is_empty() {
        field("category", &v.category);
    }
    field(
        "requested by",
        &format!("{} on {}", v.requested_by, when(&v.created_at)),
    );
    field("approves", &v.approver);
    if let Some(d) = decision(v) {
        field("decision", &d);
    }
    if let Some(n) = &v.needed_by {
        field("needed by", n);
    }
    if !v.notes.is_empty() {
        field("notes", &v.notes);
    }
    field("id", &v.id);
    output::line("");
    output::table(
        &[
            "LINE",
            "DESCRIPTION",
            "STOCK ITEM",
            "ORDERED",
            "RECEIVED",
            "DUE",
            "PRICE",
            "AMOUNT",
        ],
        &v.lines.iter().map(line_row).collect::<Vec<_>>(),
    );
    output::line("");
    output::line(&format!(
        "Total {}; received so far {}.",
        v.total.display, v.received_value.display
    ));
    print_next(v);
}

fn line_row(l: &LineView) -> Vec<String> {
    vec![
        l.line.to_string(),
        l.description.clone(),
        l.stock_item.as_ref().map(|i| i.name.clone()).unwrap_or_default(),
        l.quantity.to_string(),
        l.received.to_string(),
        l.due.to_string(),
        l.unit_price.display.clone(),
        l.amount.display.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_are_line_equals_quantity() {
        let d = delivery_line(" 2 = 5 ").ok().map(|d| (d.line, d.quantity));
        assert_eq!(d, Some((2, 5)));
        let err = |s: &str| delivery_line(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err("1:4").contains("is not N=QTY"), "{}", err("1:4"));
        assert!(err("a=4").contains("is not N=QTY"));
        assert!(err("1=four").contains("is not N=QTY"));
        assert!(err("0=4").contains("numbered from 1"));
    }

    #[test]
    fn a_refused_delivery_names_the_line_given() {
        let e = delivery_error(
            anyhow::anyhow!("lines[1]: 5 is more than the 2 still due of `Toner`"),
            &["2=1".into(), "1=5".into()],
        );
        assert_eq!(
            e.to_string(),
            "--line 1=5: 5 is more than the 2 still due of `Toner`"
        );
    }
}
