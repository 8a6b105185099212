//! Assets: the register of equipment and software licences, who holds what
//! and until when, check-ins with their condition, maintenance, retirement,
//! the history of each asset and what needs acting on (a warranty ending, a
//! licence expiring, maintenance due, a return overdue).
//!
//! Office managers and administrators see and manage every asset; everyone
//! else (contractors too) sees only the assets they hold — "my equipment".
//! Another person's asset is not found for them, so its existence stays hidden.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::duties::today;
use crate::ops::office::{MoneyView, VendorRef, csv_line, vendor_ref};
use crate::ops::tasks::{PersonRef, person_ref};
use adjutant_core::FieldError;
use adjutant_core::ValidationError;
use adjutant_core::ids::{AssetId, OrgId};
use adjutant_core::office::asset::{
    Action, AssetData, AssetKind, Condition, MAX_MAINTENANCE_MONTHS, Status, asset_alerts,
};
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::policy::Capability;
use adjutant_store::StoreError;
use adjutant_store::assets::{AssetEvent, AssetRecord, EventDetails};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far ahead alerts look by default.
pub const ALERT_DAYS: i64 = 30;

/// An asset to register or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    /// The label on the thing, unique in the organisation: `NW-LT-0042`.
    pub tag: String,
    /// laptop, desktop, monitor, phone, tablet, printer, camera, av, vehicle, furniture, software or other.
    pub kind: String,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub manufacturer: Option<String>,
    #[serde(default)]
    pub serial: Option<String>,
    /// Purchase date, `2026-03-14`.
    #[serde(default)]
    pub purchased: Option<String>,
    /// What it cost, as decimal text, e.g. `2499.00`.
    #[serde(default)]
    pub cost: Option<String>,
    /// ISO 4217 code of the cost (default EUR).
    #[serde(default)]
    pub currency: Option<String>,
    /// The vendor's id or name.
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub warranty_end: Option<String>,
    /// Software only.
    #[serde(default)]
    pub licence_expiry: Option<String>,
    /// Maintenance every this many months, 1–120.
    #[serde(default)]
    pub maintenance_months: Option<i64>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Handing an asset to someone: for good, or until an expected return.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// The person's id or e-mail address.
    pub person: String,
    /// When it should come back (today or later); none: assigned for good.
    #[serde(default)]
    pub expected_return: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// An asset coming back.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinInput {
    /// good, fair, damaged or broken (damaged and broken put it in maintenance).
    pub condition: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Maintenance done.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintainInput {
    /// The day it was done (default today; not in the future).
    #[serde(default)]
    pub on: Option<String>,
    /// What it cost, as decimal text.
    #[serde(default)]
    pub cost: Option<String>,
    /// ISO 4217 code of the cost (default EUR).
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Retiring an asset.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireInput {
    #[serde(default)]
    pub note: Option<String>,
}

/// Something to act on for an asset.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetAlertView {
    /// warranty_ends, licence_expires, maintenance_due or return_overdue.
    pub kind: String,
    pub date: String,
    /// Negative when the date has passed.
    pub days_left: i64,
    pub text: String,
}

/// An asset as it stands today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetView {
    pub id: String,
    pub tag: String,
    pub kind: String,
    pub model: String,
    pub manufacturer: String,
    pub serial: String,
    pub purchased: Option<String>,
    pub cost: Option<MoneyView>,
    pub vendor: Option<VendorRef>,
    pub warranty_end: Option<String>,
    pub licence_expiry: Option<String>,
    pub maintenance_months: Option<u32>,
    pub last_maintenance: Option<String>,
    pub next_maintenance: Option<String>,
    pub location: String,
    pub notes: String,
    /// available, assigned, checked_out, in_maintenance or retired.
    pub status: String,
    /// `checked out`
    pub status_label: String,
    pub holder: Option<PersonRef>,
    pub out_since: Option<String>,
    pub expected_return: Option<String>,
    /// Days past the expected return.
    pub days_overdue: Option<i64>,
    /// The condition at the last check-in.
    pub condition: Option<String>,
    pub retired_on: Option<String>,
    /// What needs acting on within the alert window.
    pub alerts: Vec<AssetAlertView>,
}

/// One entry of an asset's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetEventView {
    /// create, edit, assign, checkout, checkin, maintain or retire.
    pub kind: String,
    pub person: Option<PersonRef>,
    pub expected_return: Option<String>,
    pub condition: Option<String>,
    pub on: Option<String>,
    pub cost: Option<MoneyView>,
    pub note: String,
    pub by: String,
    pub at: String,
}

/// An asset with its full history, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetDetail {
    pub asset: AssetView,
    pub history: Vec<AssetEventView>,
}

/// An asset after an action, with the history entry it wrote.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetActedView {
    pub asset: AssetView,
    pub entry: AssetEventView,
}

/// One alert with its asset.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetDueItem {
    pub asset: AssetView,
    pub alert: AssetAlertView,
}

/// What needs acting on within a window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetDueView {
    pub today: String,
    pub days: i64,
    pub items: Vec<AssetDueItem>,
}

/// Which assets to list.
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    /// A status name, or `out` (assigned or checked out), or `overdue`.
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Words in the tag, model, manufacturer, serial, location or holder's name.
    pub q: Option<String>,
    /// Only the caller's own (what anyone may list).
    pub mine: bool,
}

fn may_manage(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ManageAssets)
}

fn hide<T>(r: Result<T, StoreError>) -> ApiResult<T> {
    r.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("asset"),
        // A tag taken by another asset names the field, like every other fault of the form.
        StoreError::Conflict(m) if m.starts_with("an asset tagged") => {
            ValidationError::field("tag", m).into()
        }
        other => other.into(),
    })
}

/// Whether the caller manages assets in `org`.
pub fn can_manage(caller: &Caller, org: OrgId) -> bool {
    may_manage(caller, org).is_ok()
}

/// An asset by id or tag, in `org` (no access check: for callers that manage assets).
pub async fn asset_ref(state: &AppState, org: OrgId, s: &str) -> ApiResult<AssetRecord> {
    let t = s.trim();
    let found = match t.parse::<AssetId>() {
        Ok(id) => state.store.asset_get(org, id).await,
        Err(_) => state.store.asset_by_tag(org, t).await,
    };
    hide(found)
}

fn day(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

pub fn view(r: &AssetRecord, today: Date) -> AssetView {
    let d = &r.data;
    let s = &r.state;
    AssetView {
        id: r.id.to_string(),
        tag: d.tag.clone(),
        kind: d.kind.to_string(),
        model: d.model.clone(),
        manufacturer: d.manufacturer.clone(),
        serial: d.serial.clone(),
        purchased: day(d.purchased),
        cost: d.cost.map(Into::into),
        vendor: d.vendor.map(|v| VendorRef {
            id: v.to_string(),
            name: r.vendor_name.clone().unwrap_or_default(),
        }),
        warranty_end: day(d.warranty_end),
        licence_expiry: day(d.licence_expiry),
        maintenance_months: d.maintenance_months,
        last_maintenance: day(s.last_maintenance),
        next_maintenance: day(d
            .next_maintenance(s.last_maintenance)
            .filter(|_| s.retired_on.is_none())),
        location: d.location.clone(),
        notes: d.notes.clone(),
        status: s.status().to_string(),
        status_label: s.status().label().into(),
        holder: s.holder.map(|p| PersonRef {
            id: p.to_string(),
            name: r.holder_name.clone().unwrap_or_else(|| "someone".into()),
        }),
        out_since: day(s.out_since),
        expected_return: day(s.expected_return),
        days_overdue: s.days_overdue(today),
        condition: s.condition.map(|c| c.to_string()),
        retired_on: day(s.retired_on),
        alerts: asset_alerts(d, s, today, ALERT_DAYS)
            .into_iter()
            .map(|a| AssetAlertView {
                kind: a.kind.to_string(),
                date: a.date.to_string(),
                days_left: a.days_left,
                text: a.text,
            })
            .collect(),
    }
}

fn event_view(e: &AssetEvent) -> AssetEventView {
    AssetEventView {
        kind: e.kind.clone(),
        person: e.person.map(|p| PersonRef {
            id: p.to_string(),
            name: e.person_label.clone(),
        }),
        expected_return: day(e.expected_return),
        condition: e.condition.map(|c| c.to_string()),
        on: day(e.on),
        cost: e.cost.map(Into::into),
        note: e.note.clone(),
        by: e.by_label.clone(),
        at: e.at.to_string(),
    }
}

fn opt_text(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_date(field: &str, s: &str) -> Result<Date, FieldError> {
    s.trim().parse::<Date>().map_err(|_| FieldError {
        field: field.into(),
        message: format!("`{}` is not a date like 2026-12-31", s.trim()),
    })
}

/// An amount in a currency (EUR unless said): the currency's fault names
/// `currency`, the amount's names `field`.
fn money(
    field: &str,
    amount: Option<&str>,
    currency: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<Money> {
    let amount = amount?;
    let code = currency.unwrap_or("EUR");
    match Currency::parse(code) {
        Err(m) => {
            errors.push(FieldError {
                field: "currency".into(),
                message: m,
            });
            None
        }
        Ok(c) => match Money::parse(amount, c) {
            Ok(m) => Some(m),
            Err(m) => {
                errors.push(FieldError {
                    field: field.into(),
                    message: m,
                });
                None
            }
        },
    }
}

fn note(s: &Option<String>) -> ApiResult<String> {
    let n = s.clone().unwrap_or_default().trim().to_string();
    if n.chars().count() > 500 {
        return Err(ValidationError::field("note", "must be at most 500 characters").into());
    }
    Ok(n)
}

async fn asset_data(state: &AppState, org: OrgId, input: &AssetInput) -> ApiResult<AssetData> {
    let mut errors = Vec::new();
    let kind = match input.kind.trim().to_lowercase().parse::<AssetKind>() {
        Ok(k) => Some(k),
        Err(e) => {
            errors.extend(e.errors);
            None
        }
    };
    let mut date = |field: &str, v: &Option<String>| match opt_text(v).map(|s| parse_date(field, s)) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => None,
    };
    let purchased = date("purchased", &input.purchased);
    let warranty_end = date("warranty_end", &input.warranty_end);
    let licence_expiry = date("licence_expiry", &input.licence_expiry);
    let cost = money(
        "cost",
        opt_text(&input.cost),
        opt_text(&input.currency),
        &mut errors,
    );
    let maintenance_months = match input.maintenance_months {
        None => None,
        Some(m) if (1..=i64::from(MAX_MAINTENANCE_MONTHS)).contains(&m) => u32::try_from(m).ok(),
        Some(m) => {
            errors.push(FieldError {
                field: "maintenance_months".into(),
                message: format!("{m} is not 1 to {MAX_MAINTENANCE_MONTHS}"),
            });
            None
        }
    };
    let vendor = match opt_text(&input.vendor) {
        Some(v) => match vendor_ref(state, org, "vendor", v).await {
            Ok(v) => Some(v.id),
            Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
                errors.extend(e.errors);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let d = AssetData {
        tag: input.tag.trim().into(),
        kind: kind.unwrap_or(AssetKind::Other),
        model: input.model.clone().unwrap_or_default().trim().into(),
        manufacturer: input.manufacturer.clone().unwrap_or_default().trim().into(),
        serial: input.serial.clone().unwrap_or_default().trim().into(),
        purchased,
        cost,
        vendor,
        warranty_end,
        licence_expiry,
        maintenance_months,
        location: input.location.clone().unwrap_or_default().trim().into(),
        notes: input.notes.clone().unwrap_or_default(),
    };
    if let Err(e) = d.validate() {
        for f in e.errors {
            // A kind that did not parse is already named; do not blame its stand-in.
            if !(kind.is_none() && f.field == "licence_expiry") {
                errors.push(f);
            }
        }
    }
    if errors.is_empty() {
        Ok(d)
    } else {
        Err(ValidationError { errors }.into())
    }
}

/// Every asset (managers), or the caller's own (`mine`), filtered.
pub async fn list_assets(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    filter: &AssetFilter,
) -> ApiResult<Vec<AssetView>> {
    let records = if filter.mine {
        // Anyone in the organisation, contractors too, sees what they hold.
        let me = match caller {
            Caller::Person(a) if a.org() == org => a.person.id,
            Caller::Person(_) => return Err(ApiError::forbidden("that belongs to another organisation")),
            Caller::System(_) => {
                return Err(ValidationError::field("mine", "only a person holds equipment").into());
            }
        };
        state.store.asset_list_held(org, me).await?
    } else {
        may_manage(caller, org)?;
        state.store.asset_list(org).await?
    };
    let today = today(caller);
    let status = opt_text(&filter.status).map(str::to_lowercase);
    if let Some(s) = status.as_deref()
        && s != "out"
        && s != "overdue"
    {
        s.parse::<Status>()?;
    }
    let kind = match opt_text(&filter.kind) {
        Some(k) => Some(k.to_lowercase().parse::<AssetKind>()?),
        None => None,
    };
    let words: Vec<String> = filter
        .q
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    Ok(records
        .iter()
        .map(|r| view(r, today))
        .filter(|v| match status.as_deref() {
            None => true,
            Some("out") => v.holder.is_some(),
            Some("overdue") => v.days_overdue.is_some(),
            Some(s) => v.status == s,
        })
        .filter(|v| kind.is_none_or(|k| v.kind == k.as_str()))
        .filter(|v| {
            let hay = format!(
                "{} {} {} {} {} {}",
                v.tag,
                v.model,
                v.manufacturer,
                v.serial,
                v.location,
                v.holder.as_ref().map_or("", |h| h.name.as_str())
            )
            .to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect())
}

/// One asset with its history: managers see any; others only what they hold.
pub async fn get_asset(state: &AppState, caller: &Caller, org: OrgId, id: AssetId) -> ApiResult<AssetDetail> {
    let r = if can_manage(caller, org) {
        hide(state.store.asset_get(org, id).await)?
    } else {
        // Not a manager: only an asset one holds exists for one.
        let own = match caller {
            Caller::Person(a) if a.org() != org => {
                may_manage(caller, org)?;
                None
            }
            Caller::Person(_) => {
                let r = hide(state.store.asset_get(org, id).await)?;
                (r.state.holder == caller.person()).then_some(r)
            }
            _ => None,
        };
        match own {
            Some(r) => r,
            None => return Err(ApiError::not_found("asset")),
        }
    };
    let history = state.store.asset_history(org, id).await?;
    Ok(AssetDetail {
        asset: view(&r, today(caller)),
        history: history.iter().map(event_view).collect(),
    })
}

pub async fn create_asset(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &AssetInput,
) -> ApiResult<AssetView> {
    may_manage(caller, org)?;
    let d = asset_data(state, org, input).await?;
    let r = hide(
        state
            .store
            .asset_create(org, &d, &caller.audit(Timestamp::now()))
            .await,
    )?;
    Ok(view(&r, today(caller)))
}

pub async fn update_asset(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: AssetId,
    input: &AssetInput,
) -> ApiResult<AssetView> {
    may_manage(caller, org)?;
    hide(state.store.asset_get(org, id).await)?;
    let d = asset_data(state, org, input).await?;
    let r = hide(
        state
            .store
            .asset_update(org, id, &d, "", &caller.audit(Timestamp::now()))
            .await,
    )?;
    Ok(view(&r, today(caller)))
}

async fn act(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: AssetId,
    action: Action,
    details: EventDetails,
) -> ApiResult<AssetActedView> {
    let today = today(caller);
    let (r, e) = hide(
        state
            .store
            .asset_act(org, id, &action, today, &details, &caller.audit(Timestamp::now()))
            .await,
    )?;
    Ok(AssetActedView {
        asset: view(&r, today),
        entry: event_view(&e),
    })
}

/// Assigns an asset to a person (no expected return) or checks it out until
/// `expected_return`. An asset already out is refused, naming `status`.
pub async fn assign_asset(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: AssetId,
    input: &AssignInput,
) -> ApiResult<AssetActedView> {
    may_manage(caller, org)?;
    hide(state.store.asset_get(org, id).await)?;
    let mut errors = Vec::new();
    let expected_return = match opt_text(&input.expected_return).map(|s| parse_date("expected_return", s)) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        None => None,
    };
    let person = match person_ref(state, org, "person", &input.person).await {
        Ok(p) => Some(p.id),
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            errors.extend(e.errors);
            None
        }
        Err(e) => return Err(e),
    };
    let note = note(&input.note)?;
    let (Some(to), true) = (person, errors.is_empty()) else {
        return Err(ValidationError { errors }.into());
    };
    act(
        state,
        caller,
        org,
        id,
        Action::Assign { to, expected_return },
        EventDetails { note, cost: None },
    )
    .await
}

/// Checks an asset in with its condition.
pub async fn checkin_asset(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: AssetId,
    input: &CheckinInput,
) -> ApiResult<AssetActedView> {
    may_manage(caller, org)?;
    hide(state.store.asset_get(org, id).await)?;
    let condition: Condition = input.condition.trim().to_lowercase().parse()?;
    let note = note(&input.note)?;
    act(
        state,
        caller,
        org,
        id,
        Action::CheckIn { condition },
        EventDetails { note, cost: None },
    )
    .await
}

/// Records maintenance (with its cost and a note); clears a need for repair.
pub async fn maintain_asset(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: AssetId,
    input: &MaintainInput,
) -> ApiResult<AssetActedView> {
    may_manage(caller, org)?;
    hide(state.store.asset_get(org, id).await)?;
    let mut errors = Vec::new();
    let on = match opt_text(&input.on).map(|s| parse_date("on", s)) {
        Some(Ok(d)) => d,
        Some(Err(e)) => {
            errors.push(e);
            today(caller)
        }
        None => today(caller),
    };
    let cost = money(
        "cost",
        opt_text(&input.cost),
        opt_text(&input.currency),
        &mut errors,
    );
    if let Some(c) = cost
        && (c.minor < 0 || !c.in_range())
    {
        errors.push(FieldError {
            field: "cost".into(),
            message: "must be 0 to one trillion".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    let note = note(&input.note)?;
    act(
        state,
        caller,
        org,
        id,
        Action::Maintain { on },
        EventDetails { note, cost },
    )
    .await
}

/// Retires an asset (it must not be out).
pub async fn retire_asset(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: AssetId,
    input: &RetireInput,
) -> ApiResult<AssetActedView> {
    may_manage(caller, org)?;
    hide(state.store.asset_get(org, id).await)?;
    let note = note(&input.note)?;
    act(
        state,
        caller,
        org,
        id,
        Action::Retire,
        EventDetails { note, cost: None },
    )
    .await
}

/// What needs acting on within `days` (default 30): warranties ending,
/// licences expiring, maintenance due, returns overdue — soonest first.
pub async fn assets_due(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    days: Option<i64>,
) -> ApiResult<AssetDueView> {
    may_manage(caller, org)?;
    let days = days.unwrap_or(ALERT_DAYS);
    if !(0..=3660).contains(&days) {
        return Err(ValidationError::field("days", format!("{days} is not 0 to 3660")).into());
    }
    let today = today(caller);
    let records = state.store.asset_list(org).await?;
    let alerts =
        adjutant_core::office::asset::alerts(records.iter().map(|r| (r, &r.data, &r.state)), today, days);
    Ok(AssetDueView {
        today: today.to_string(),
        days,
        items: alerts
            .into_iter()
            .map(|(r, a)| AssetDueItem {
                asset: view(r, today),
                alert: AssetAlertView {
                    kind: a.kind.to_string(),
                    date: a.date.to_string(),
                    days_left: a.days_left,
                    text: a.text,
                },
            })
            .collect(),
    })
}

/// The assets as CSV.
pub fn assets_csv(rows: &[AssetView]) -> String {
    let mut out = csv_line(&[
        "tag",
        "kind",
        "manufacturer",
        "model",
        "serial",
        "status",
        "holder",
        "out_since",
        "expected_return",
        "days_overdue",
        "condition",
        "purchased",
        "cost",
        "currency",
        "vendor",
        "warranty_end",
        "licence_expiry",
        "maintenance_months",
        "last_maintenance",
        "next_maintenance",
        "location",
    ]);
    for v in rows {
        out.push_str(&csv_line(&[
            &v.tag,
            &v.kind,
            &v.manufacturer,
            &v.model,
            &v.serial,
            &v.status,
            v.holder.as_ref().map_or("", |h| h.name.as_str()),
            v.out_since.as_deref().unwrap_or(""),
            v.expected_return.as_deref().unwrap_or(""),
            &v.days_overdue.map(|n| n.to_string()).unwrap_or_default(),
            v.condition.as_deref().unwrap_or(""),
            v.purchased.as_deref().unwrap_or(""),
            v.cost.as_ref().map_or("", |m| m.amount.as_str()),
            v.cost.as_ref().map_or("", |m| m.currency.as_str()),
            v.vendor.as_ref().map_or("", |p| p.name.as_str()),
            v.warranty_end.as_deref().unwrap_or(""),
            v.licence_expiry.as_deref().unwrap_or(""),
            &v.maintenance_months.map(|n| n.to_string()).unwrap_or_default(),
            v.last_maintenance.as_deref().unwrap_or(""),
            v.next_maintenance.as_deref().unwrap_or(""),
            &v.location,
        ]));
    }
    out
}

/// What is due, as CSV.
pub fn due_csv(due: &AssetDueView) -> String {
    let mut out = csv_line(&["date", "days_left", "kind", "tag", "asset", "holder", "text"]);
    for i in &due.items {
        out.push_str(&csv_line(&[
            &i.alert.date,
            &i.alert.days_left.to_string(),
            &i.alert.kind,
            &i.asset.tag,
            format!("{} {}", i.asset.manufacturer, i.asset.model).trim(),
            i.asset.holder.as_ref().map_or("", |h| h.name.as_str()),
            &i.alert.text,
        ]));
    }
    out
}

/// An asset's history as CSV.
pub fn history_csv(d: &AssetDetail) -> String {
    let mut out = csv_line(&[
        "at",
        "kind",
        "person",
        "expected_return",
        "condition",
        "on",
        "cost",
        "currency",
        "note",
        "by",
    ]);
    for e in &d.history {
        out.push_str(&csv_line(&[
            &e.at,
            &e.kind,
            e.person.as_ref().map_or("", |p| p.name.as_str()),
            e.expected_return.as_deref().unwrap_or(""),
            e.condition.as_deref().unwrap_or(""),
            e.on.as_deref().unwrap_or(""),
            e.cost.as_ref().map_or("", |m| m.amount.as_str()),
            e.cost.as_ref().map_or("", |m| m.currency.as_str()),
            &e.note,
            &e.by,
        ]));
    }
    out
}
