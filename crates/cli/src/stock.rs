//! Commands for supplies: `stock list|low|add|show` and the movements that
//! change what is on hand, `stock consume|receive|count`. Like the other
//! commands they call the same operations as the API, as the caller `cli`.
//!
//! Every list prints as a table, as JSON with `--json`, or as CSV with `--csv`
//! (the same columns the API gives with `?format=csv`). An item is named by its
//! name (case and spacing aside), its id, or the end of its id as lists show it.

use crate::Global;
use crate::commands::{api, cli, with_store};
use crate::ids::{id_like, pick, short};
use crate::output;
use adjutant_core::ids::{OrgId, StockItemId};
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::office::stock::{MovementKind, quantity_label};
use adjutant_server::AppState;
use adjutant_server::ops::office::MoneyView;
use adjutant_server::ops::stock::{
    self as ops, MovedView, MovementInput, MovementView, StockDetail, StockFilter, StockInput, StockView,
};
use anyhow::bail;
use clap::{Args, Subcommand};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

#[derive(Subcommand, Debug)]
pub enum StockCmd {
    /// List the stock items, those at or below their reorder point first.
    List(ListArgs),
    /// The items at or below their reorder point, with what to order and what it costs.
    Low {
        /// Print CSV (for a spreadsheet) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Add a stock item.
    Add(Box<AddArgs>),
    /// Show an item with its latest movements.
    Show {
        /// The item's name, its id, or the end of its id as `stock list` shows it.
        item: String,
    },
    /// Record that some was taken (used up, handed out).
    Consume(MoveArgs),
    /// Record a delivery.
    Receive(MoveArgs),
    /// Record a count: what is on hand becomes N.
    Count(MoveArgs),
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only the items at or below their reorder point.
    #[arg(long)]
    pub low: bool,
    /// Only the items in this category, e.g. printing.
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
    /// Words in the name, SKU, category or location.
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
    /// Print CSV (for a spreadsheet) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The item's name, e.g. "Printer toner, black".
    pub name: String,
    /// What one counts in: box, pack, kg, cartridge.
    #[arg(long, value_name = "U")]
    pub unit: String,
    /// At or below this many the item is low, 0–1000000.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub reorder_point: i64,
    /// How many one order brings, 1–1000000.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub reorder_quantity: i64,
    /// How many are on hand now, recorded as the first count [default: 0].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub quantity: Option<i64>,
    /// The supplier's article number.
    #[arg(long, value_name = "S")]
    pub sku: Option<String>,
    /// e.g. pantry, printing, stationery.
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
    /// Where it is kept, e.g. "Amsterdam, stock room shelf B".
    #[arg(long, value_name = "L")]
    pub location: Option<String>,
    /// The preferred vendor's name or id.
    #[arg(long, value_name = "V")]
    pub vendor: Option<String>,
    /// The price of one unit, e.g. 74.50.
    #[arg(long, value_name = "AMOUNT")]
    pub price: Option<String>,
    /// ISO 4217 code of the price [default: EUR].
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Args, Debug)]
pub struct MoveArgs {
    /// The item's name, its id, or the end of its id as `stock list` shows it.
    pub item: String,
    /// How many were taken or received (1 or more), or counted (0 or more).
    #[arg(value_name = "N", allow_negative_numbers = true)]
    pub quantity: i64,
    /// Why, or for whom, e.g. "board meeting" or "delivery note 4471".
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/// An item by name or id, else by the end of its id.
pub(crate) async fn item_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<StockItemId> {
    match ops::item_ref(state, org, given).await {
        Ok(r) => Ok(r.id),
        Err(e) if e.code != "not_found" => Err(api(e)),
        Err(_) if id_like(given) => {
            let all = state.store.stock_list(org).await?;
            pick(("stock item", "stock items"), given, all.iter().map(|r| r.id))
        }
        Err(_) => bail!(
            "no stock item is named `{}` (`adjutant stock list` shows them)",
            given.trim()
        ),
    }
}

/// `6 cartridges`, or nothing when there is nothing to order.
fn order(v: &StockView) -> String {
    v.suggested_order
        .map(|n| quantity_label(n, &v.unit))
        .unwrap_or_default()
}

fn money(m: Option<&MoneyView>) -> String {
    m.map(|m| m.display.clone()).unwrap_or_default()
}

/// `2026-05-04 09:30 UTC` for a view's timestamp.
fn when(s: &str) -> String {
    s.parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| s.to_string())
}

/// `+6`, `-2`, `0`.
fn change(delta: i64) -> String {
    if delta == 0 {
        "0".into()
    } else {
        format!("{delta:+}")
    }
}

/// ` — at or below the reorder point (3); order 6` when the item is low.
fn low_note(v: &StockView) -> String {
    if !v.low {
        return String::new();
    }
    let mut s = format!(" — at or below the reorder point ({})", v.reorder_point);
    if let Some(n) = v.suggested_order {
        s.push_str(&format!("; order {n}"));
    }
    s
}

/// `Printer toner, black: 2 cartridges on hand — at or below the reorder point (3); order 6`.
pub(crate) fn on_hand_line(v: &StockView) -> String {
    format!("{}: {} on hand{}", v.name, v.on_hand, low_note(v))
}

/// What the suggested orders cost together, per currency: `EUR 447.00; USD 30.00`.
fn total(rows: &[StockView]) -> String {
    let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
    for m in rows.iter().filter_map(|v| v.order_value.as_ref()) {
        let sum = sums.entry(m.currency.as_str()).or_default();
        *sum = sum.saturating_add(m.minor);
    }
    sums.iter()
        .map(|(code, minor)| {
            Currency::parse(code)
                .map(|c| Money::new(*minor, c).to_string())
                .unwrap_or_else(|_| format!("{code} {minor}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn field(k: &str, v: &str) {
    output::line(&format!("  {k:<14}{v}"));
}

// ---------------------------------------------------------------------------
// stock
// ---------------------------------------------------------------------------

pub async fn stock(g: &Global, cmd: StockCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| stock_in(g, &state, org, cmd).await)
}

async fn stock_in(g: &Global, state: &AppState, org: OrgId, cmd: StockCmd) -> anyhow::Result<()> {
    match cmd {
        StockCmd::List(a) => {
            let filter = StockFilter {
                low: a.low,
                category: a.category,
                q: a.search,
            };
            let list = ops::list_stock(state, &cli(), org, &filter).await.map_err(api)?;
            if a.csv {
                output::raw(&ops::stock_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line(if filter.low {
                    "Nothing is at or below its reorder point."
                } else if filter.category.is_some() || filter.q.is_some() {
                    "No stock items match."
                } else {
                    "No stock items yet; add one with `adjutant stock add`."
                });
            } else {
                print_list(&list);
            }
            Ok(())
        }
        StockCmd::Low { csv } => {
            let filter = StockFilter {
                low: true,
                ..StockFilter::default()
            };
            let list = ops::list_stock(state, &cli(), org, &filter).await.map_err(api)?;
            if csv {
                output::raw(&ops::stock_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line("Nothing is at or below its reorder point.");
            } else {
                print_low(&list);
            }
            Ok(())
        }
        StockCmd::Add(a) => {
            let a = *a;
            let input = StockInput {
                name: a.name,
                sku: a.sku,
                unit: a.unit,
                category: a.category,
                location: a.location,
                quantity: a.quantity,
                reorder_point: a.reorder_point,
                reorder_quantity: a.reorder_quantity,
                preferred_vendor: a.vendor,
                unit_price: a.price,
                currency: a.currency,
                notes: a.notes,
            };
            let v = ops::create_stock(state, &cli(), org, &input).await.map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!("Added the stock item “{}”, id {}", v.name, short(&v.id)));
                output::line(&format!("  {}", on_hand_line(&v)));
            }
            Ok(())
        }
        StockCmd::Show { item } => {
            let id = item_id(state, org, &item).await?;
            let d = ops::get_stock(state, &cli(), org, id).await.map_err(api)?;
            if g.json {
                output::json(&d);
            } else {
                print_item(&d);
            }
            Ok(())
        }
        StockCmd::Consume(a) => movement(g, state, org, MovementKind::Consume, a).await,
        StockCmd::Receive(a) => movement(g, state, org, MovementKind::Receive, a).await,
        StockCmd::Count(a) => movement(g, state, org, MovementKind::Count, a).await,
    }
}

async fn movement(
    g: &Global,
    state: &AppState,
    org: OrgId,
    kind: MovementKind,
    a: MoveArgs,
) -> anyhow::Result<()> {
    let id = item_id(state, org, &a.item).await?;
    let input = MovementInput {
        quantity: a.quantity,
        note: a.note,
    };
    let m: MovedView = ops::move_stock(state, &cli(), org, id, kind, &input)
        .await
        .map_err(api)?;
    if g.json {
        output::json(&m);
    } else {
        output::line(&on_hand_line(&m.item));
        if let Some(n) = &m.drafted {
            output::line(&format!(
                "Drafted the purchase request {n} to restock it; approve it with `adjutant purchase approve {n}`."
            ));
        }
    }
    Ok(())
}

fn print_list(list: &[StockView]) {
    output::table(
        &[
            "ID",
            "ITEM",
            "ON HAND",
            "REORDER AT",
            "LOW",
            "ORDER",
            "VENDOR",
            "LOCATION",
        ],
        &list
            .iter()
            .map(|v| {
                vec![
                    short(&v.id).to_string(),
                    v.name.clone(),
                    v.on_hand.clone(),
                    v.reorder_point.to_string(),
                    if v.low { "LOW".into() } else { String::new() },
                    order(v),
                    v.preferred_vendor
                        .as_ref()
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    v.location.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

fn print_low(list: &[StockView]) {
    let n = list.len();
    output::line(&format!(
        "{n} {} at or below {} reorder point:",
        if n == 1 { "item is" } else { "items are" },
        if n == 1 { "its" } else { "their" }
    ));
    output::table(
        &[
            "ID",
            "ITEM",
            "ON HAND",
            "REORDER AT",
            "ORDER",
            "VALUE",
            "VENDOR",
            "LOCATION",
        ],
        &list
            .iter()
            .map(|v| {
                vec![
                    short(&v.id).to_string(),
                    v.name.clone(),
                    v.on_hand.clone(),
                    v.reorder_point.to_string(),
                    order(v),
                    money(v.order_value.as_ref()),
                    v.preferred_vendor
                        .as_ref()
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    v.location.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let sum = total(list);
    let unpriced = list.iter().filter(|v| v.order_value.is_none()).count();
    match (sum.is_empty(), unpriced) {
        (true, _) => {}
        (false, 0) => output::line(&format!("Ordering it all costs {sum}.")),
        (false, k) => output::line(&format!(
            "Ordering it all costs {sum}, and {k} {} no price.",
            if k == 1 { "item has" } else { "items have" }
        )),
    }
}

fn print_item(d: &StockDetail) {
    let v = &d.item;
    output::line(&v.name);
    field("on hand", &format!("{}{}", v.on_hand, low_note(v)));
    field(
        "reorder",
        &format!(
            "at {}; order {} at a time",
            v.reorder_point,
            quantity_label(v.reorder_quantity, &v.unit)
        ),
    );
    for (k, s) in [
        ("sku", &v.sku),
        ("category", &v.category),
        ("location", &v.location),
    ] {
        if !s.is_empty() {
            field(k, s);
        }
    }
    if let Some(p) = &v.preferred_vendor {
        field("vendor", &p.name);
    }
    if let Some(p) = &v.unit_price {
        field("unit price", &p.display);
    }
    if let Some(o) = &v.order_value {
        field("order value", &o.display);
    }
    field(
        "last counted",
        &v.last_counted
            .as_deref()
            .map(when)
            .unwrap_or_else(|| "never".into()),
    );
    if !v.notes.is_empty() {
        field("notes", &v.notes);
    }
    field("id", &v.id);
    output::line("");
    output::line(&format!("Movements, newest first ({}):", d.movements.len()));
    if d.movements.is_empty() {
        output::line("  —");
        return;
    }
    output::table(
        &["KIND", "QUANTITY", "CHANGE", "AFTER", "BY", "NOTE", "WHEN"],
        &d.movements.iter().map(movement_row).collect::<Vec<_>>(),
    );
}

fn movement_row(m: &MovementView) -> Vec<String> {
    vec![
        m.kind.clone(),
        m.quantity.to_string(),
        change(m.delta),
        m.quantity_after.to_string(),
        m.by.clone(),
        m.note.clone(),
        when(&m.at),
    ]
}
