//! Commands for assets: `asset add|list|show|edit|assign|checkout|checkin|maintain|retire|due`.
//! Like the other commands they call the same operations as the API, as the caller `cli`.
//!
//! Every list prints as a table, as JSON with `--json`, or as CSV with `--csv`
//! (the same columns the API gives with `?format=csv`). An asset is named by
//! its tag (case aside), its id, or the end of its id as lists show it.

use crate::Global;
use crate::commands::{api, cli, with_store};
use crate::ids::{id_like, pick, short};
use crate::output;
use adjutant_core::ids::{AssetId, OrgId};
use adjutant_server::AppState;
use adjutant_server::ops::assets::{
    self as ops, AssetActedView, AssetDetail, AssetDueView, AssetFilter, AssetInput, AssetView, AssignInput,
    CheckinInput, MaintainInput, RetireInput,
};
use anyhow::bail;
use clap::{Args, Subcommand};

#[derive(Subcommand, Debug)]
pub enum AssetCmd {
    /// Register an asset.
    Add(Box<AssetArgs>),
    /// List the assets (filter by status, kind or words).
    List(ListArgs),
    /// Show an asset with its full history.
    Show {
        /// The asset's tag, its id, or the end of its id as `asset list` shows it.
        asset: String,
        /// Print the history as CSV instead.
        #[arg(long)]
        csv: bool,
    },
    /// Change an asset's register entry (give every field as it should be).
    Edit(Box<EditArgs>),
    /// Assign an asset to a person for good (`--until` makes it a checkout).
    Assign(AssignArgs),
    /// Check an asset out to a person until a date.
    Checkout(CheckoutArgs),
    /// Check an asset in with its condition (damaged or broken puts it in maintenance).
    Checkin(CheckinArgs),
    /// Record maintenance, with its cost and what was done.
    Maintain(MaintainArgs),
    /// Retire an asset (it must be checked in).
    Retire {
        asset: String,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Warranties ending, licences expiring, maintenance due and overdue returns, soonest first.
    Due {
        /// How many days ahead [default: 30].
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        days: Option<i64>,
        /// Print CSV instead of a table.
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// available, assigned, checked_out, in_maintenance, retired, out or overdue.
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// laptop, monitor, phone, software, …
    #[arg(long, value_name = "K")]
    pub kind: Option<String>,
    /// Words in the tag, model, serial, location or holder's name.
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
    /// Print CSV (for a spreadsheet) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Args, Debug)]
pub struct AssetArgs {
    /// The label on the thing, e.g. NW-LT-0042.
    pub tag: String,
    /// laptop, desktop, monitor, phone, tablet, printer, camera, av, vehicle, furniture, software, other.
    #[arg(long, value_name = "K")]
    pub kind: String,
    #[arg(long, value_name = "M")]
    pub model: Option<String>,
    #[arg(long, value_name = "M")]
    pub manufacturer: Option<String>,
    #[arg(long, value_name = "S")]
    pub serial: Option<String>,
    /// Purchase date, e.g. 2026-03-14.
    #[arg(long, value_name = "DATE")]
    pub purchased: Option<String>,
    /// What it cost, e.g. 2499.00.
    #[arg(long, value_name = "AMOUNT")]
    pub cost: Option<String>,
    /// ISO 4217 code of the cost [default: EUR].
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// The vendor's name or id.
    #[arg(long, value_name = "V")]
    pub vendor: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub warranty_end: Option<String>,
    /// Software only.
    #[arg(long, value_name = "DATE")]
    pub licence_expiry: Option<String>,
    /// Maintenance every N months, 1–120.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub maintenance_months: Option<i64>,
    #[arg(long, value_name = "L")]
    pub location: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// The asset's tag, id, or the end of its id.
    pub asset: String,
    #[command(flatten)]
    pub fields: AssetArgs,
}

#[derive(Args, Debug)]
pub struct AssignArgs {
    pub asset: String,
    /// The person's e-mail address or id.
    pub person: String,
    /// Expected back on this date: makes it a checkout.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Args, Debug)]
pub struct CheckoutArgs {
    pub asset: String,
    /// The person's e-mail address or id.
    pub person: String,
    /// Expected back on this date (today or later).
    #[arg(long, value_name = "DATE")]
    pub until: String,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Args, Debug)]
pub struct CheckinArgs {
    pub asset: String,
    /// good, fair, damaged or broken.
    #[arg(long, value_name = "C", default_value = "good")]
    pub condition: String,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Args, Debug)]
pub struct MaintainArgs {
    pub asset: String,
    /// The day it was done [default: today].
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    #[arg(long, value_name = "AMOUNT")]
    pub cost: Option<String>,
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// What was done.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

impl AssetArgs {
    fn input(self) -> AssetInput {
        AssetInput {
            tag: self.tag,
            kind: self.kind,
            model: self.model,
            manufacturer: self.manufacturer,
            serial: self.serial,
            purchased: self.purchased,
            cost: self.cost,
            currency: self.currency,
            vendor: self.vendor,
            warranty_end: self.warranty_end,
            licence_expiry: self.licence_expiry,
            maintenance_months: self.maintenance_months,
            location: self.location,
            notes: self.notes,
        }
    }
}

/// An asset by tag or id, else by the end of its id.
pub(crate) async fn asset_id(state: &AppState, org: OrgId, given: &str) -> anyhow::Result<AssetId> {
    match ops::asset_ref(state, org, given).await {
        Ok(r) => Ok(r.id),
        Err(e) if e.code != "not_found" => Err(api(e)),
        Err(_) if id_like(given) => {
            let all = state.store.asset_list(org).await?;
            pick(("asset", "assets"), given, all.iter().map(|r| r.id))
        }
        Err(_) => bail!(
            "no asset is tagged `{}` (`adjutant asset list` shows them)",
            given.trim()
        ),
    }
}

fn field(k: &str, v: &str) {
    output::line(&format!("  {k:<17}{v}"));
}

/// `with Ana Lima until 2026-12-10 (3 days late)`.
fn with(v: &AssetView) -> String {
    match (&v.holder, &v.expected_return) {
        (Some(h), Some(r)) => match v.days_overdue {
            Some(n) => format!("{} until {r} ({n} days late)", h.name),
            None => format!("{} until {r}", h.name),
        },
        (Some(h), None) => h.name.clone(),
        _ => String::new(),
    }
}

/// `NW-LT-0042 is checked out to Ana Lima until 2026-12-10`.
fn state_line(v: &AssetView) -> String {
    match (&v.holder, &v.expected_return) {
        (Some(h), Some(r)) => format!("{} is checked out to {} until {r}", v.tag, h.name),
        (Some(h), None) => format!("{} is assigned to {}", v.tag, h.name),
        _ => format!("{} is {}", v.tag, v.status_label),
    }
}

pub async fn asset(g: &Global, cmd: AssetCmd) -> anyhow::Result<()> {
    with_store!(g, |state, org| asset_in(g, &state, org, cmd).await)
}

async fn asset_in(g: &Global, state: &AppState, org: OrgId, cmd: AssetCmd) -> anyhow::Result<()> {
    match cmd {
        AssetCmd::Add(a) => {
            let v = ops::create_asset(state, &cli(), org, &a.input())
                .await
                .map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!(
                    "Registered {} ({} {} {}), id {}",
                    v.tag,
                    v.kind,
                    v.manufacturer,
                    v.model,
                    short(&v.id)
                ));
            }
            Ok(())
        }
        AssetCmd::List(a) => {
            let filter = AssetFilter {
                status: a.status,
                kind: a.kind,
                q: a.search,
                mine: false,
            };
            let list = ops::list_assets(state, &cli(), org, &filter).await.map_err(api)?;
            if a.csv {
                output::raw(&ops::assets_csv(&list));
            } else if g.json {
                output::json(&list);
            } else if list.is_empty() {
                output::line(
                    if filter.status.is_some() || filter.kind.is_some() || filter.q.is_some() {
                        "No assets match."
                    } else {
                        "No assets yet; register one with `adjutant asset add`."
                    },
                );
            } else {
                print_list(&list);
            }
            Ok(())
        }
        AssetCmd::Show { asset, csv } => {
            let id = asset_id(state, org, &asset).await?;
            let d = ops::get_asset(state, &cli(), org, id).await.map_err(api)?;
            if csv {
                output::raw(&ops::history_csv(&d));
            } else if g.json {
                output::json(&d);
            } else {
                print_asset(&d);
            }
            Ok(())
        }
        AssetCmd::Edit(a) => {
            let a = *a;
            let id = asset_id(state, org, &a.asset).await?;
            let v = ops::update_asset(state, &cli(), org, id, &a.fields.input())
                .await
                .map_err(api)?;
            if g.json {
                output::json(&v);
            } else {
                output::line(&format!("Saved {}", v.tag));
            }
            Ok(())
        }
        AssetCmd::Assign(a) => {
            let id = asset_id(state, org, &a.asset).await?;
            let input = AssignInput {
                person: a.person,
                expected_return: a.until,
                note: a.note,
            };
            acted(
                g,
                ops::assign_asset(state, &cli(), org, id, &input)
                    .await
                    .map_err(api)?,
            )
        }
        AssetCmd::Checkout(a) => {
            let id = asset_id(state, org, &a.asset).await?;
            let input = AssignInput {
                person: a.person,
                expected_return: Some(a.until),
                note: a.note,
            };
            acted(
                g,
                ops::assign_asset(state, &cli(), org, id, &input)
                    .await
                    .map_err(api)?,
            )
        }
        AssetCmd::Checkin(a) => {
            let id = asset_id(state, org, &a.asset).await?;
            let input = CheckinInput {
                condition: a.condition,
                note: a.note,
            };
            acted(
                g,
                ops::checkin_asset(state, &cli(), org, id, &input)
                    .await
                    .map_err(api)?,
            )
        }
        AssetCmd::Maintain(a) => {
            let id = asset_id(state, org, &a.asset).await?;
            let input = MaintainInput {
                on: a.on,
                cost: a.cost,
                currency: a.currency,
                note: a.note,
            };
            acted(
                g,
                ops::maintain_asset(state, &cli(), org, id, &input)
                    .await
                    .map_err(api)?,
            )
        }
        AssetCmd::Retire { asset, note } => {
            let id = asset_id(state, org, &asset).await?;
            acted(
                g,
                ops::retire_asset(state, &cli(), org, id, &RetireInput { note })
                    .await
                    .map_err(api)?,
            )
        }
        AssetCmd::Due { days, csv } => {
            let due = ops::assets_due(state, &cli(), org, days).await.map_err(api)?;
            if csv {
                output::raw(&ops::due_csv(&due));
            } else if g.json {
                output::json(&due);
            } else {
                print_due(&due);
            }
            Ok(())
        }
    }
}

fn acted(g: &Global, a: AssetActedView) -> anyhow::Result<()> {
    if g.json {
        output::json(&a);
        return Ok(());
    }
    let v = &a.asset;
    let line = match a.entry.kind.as_str() {
        "checkin" => format!(
            "{} is checked in ({}); it is {}",
            v.tag,
            a.entry.condition.as_deref().unwrap_or("good"),
            v.status_label
        ),
        "maintain" => format!(
            "Recorded maintenance of {}{}{}",
            v.tag,
            a.entry
                .cost
                .as_ref()
                .map(|m| format!(", {}", m.display))
                .unwrap_or_default(),
            v.next_maintenance
                .as_deref()
                .map(|n| format!("; next due {n}"))
                .unwrap_or_default()
        ),
        "retire" => format!("{} is retired", v.tag),
        _ => state_line(v),
    };
    output::line(&line);
    Ok(())
}

fn print_list(list: &[AssetView]) {
    output::table(
        &["ID", "TAG", "KIND", "MODEL", "STATUS", "WITH", "ATTENTION"],
        &list
            .iter()
            .map(|v| {
                vec![
                    short(&v.id).to_string(),
                    v.tag.clone(),
                    v.kind.clone(),
                    format!("{} {}", v.manufacturer, v.model).trim().to_string(),
                    v.status_label.clone(),
                    with(v),
                    v.alerts
                        .iter()
                        .map(|a| a.kind.replace('_', " "))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

fn print_asset(d: &AssetDetail) {
    let v = &d.asset;
    output::line(format!("{} {} {}", v.tag, v.manufacturer, v.model).trim());
    field("status", &v.status_label);
    if v.holder.is_some() {
        field("with", &with(v));
    }
    field("kind", &v.kind);
    let opt = |k: &str, s: &Option<String>| {
        if let Some(s) = s {
            field(k, s);
        }
    };
    if !v.serial.is_empty() {
        field("serial", &v.serial);
    }
    opt("purchased", &v.purchased);
    if let Some(c) = &v.cost {
        field("cost", &c.display);
    }
    if let Some(x) = &v.vendor {
        field("vendor", &x.name);
    }
    opt("warranty ends", &v.warranty_end);
    opt("licence expires", &v.licence_expiry);
    if let Some(m) = v.maintenance_months {
        field("maintenance", &format!("every {m} months"));
    }
    opt("last maintenance", &v.last_maintenance);
    opt("next maintenance", &v.next_maintenance);
    opt("condition", &v.condition);
    if !v.location.is_empty() {
        field("location", &v.location);
    }
    field("id", &v.id);
    for a in &v.alerts {
        output::line(&format!("  ! {}", a.text));
    }
    output::line("");
    output::line(&format!("History, newest first ({}):", d.history.len()));
    output::table(
        &["WHEN", "WHAT", "PERSON", "DETAIL", "BY", "NOTE"],
        &d.history
            .iter()
            .map(|e| {
                let detail = [
                    e.expected_return.as_ref().map(|r| format!("back by {r}")),
                    e.condition.clone(),
                    e.on.as_ref().map(|o| format!("on {o}")),
                    e.cost.as_ref().map(|m| m.display.clone()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                vec![
                    e.at.parse::<jiff::Timestamp>()
                        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_else(|_| e.at.clone()),
                    e.kind.clone(),
                    e.person.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
                    detail,
                    e.by.clone(),
                    e.note.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}

fn print_due(due: &AssetDueView) {
    if due.items.is_empty() {
        output::line(&format!("Nothing needs attention in the next {} days.", due.days));
        return;
    }
    output::line(&format!(
        "{} to act on in the next {} days (today is {}):",
        due.items.len(),
        due.days,
        due.today
    ));
    output::table(
        &["DATE", "TAG", "WITH", "WHY"],
        &due.items
            .iter()
            .map(|i| {
                vec![
                    i.alert.date.clone(),
                    i.asset.tag.clone(),
                    i.asset
                        .holder
                        .as_ref()
                        .map(|h| h.name.clone())
                        .unwrap_or_default(),
                    i.alert.text.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    );
}
