//! Supplies: the stock room's items, what is low, and the movements that
//! change what is on hand — taking some, receiving a delivery, counting.
//!
//! Everyone but contractors sees the stock and records what they take (the
//! journey: staff take toner and coffee); office managers and administrators
//! add and change items, count them and receive deliveries.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::office::{MoneyView, VendorRef, csv_line, vendor_ref};
use adjutant_core::ValidationError;
use adjutant_core::ids::{OrgId, StockItemId};
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::office::stock::{MAX_QUANTITY, MovementKind, StockItemData, quantity_label};
use adjutant_core::policy::Capability;
use adjutant_store::StoreError;
use adjutant_store::stock::{StockItemRecord, StockMovement};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stock item to add or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockInput {
    pub name: String,
    #[serde(default)]
    pub sku: Option<String>,
    /// `box`, `pack`, `kg`, `cartridge`.
    pub unit: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    /// On hand when added (default 0); ignored when changing an item (count it instead).
    #[serde(default)]
    pub quantity: Option<i64>,
    /// At or below this it is low.
    pub reorder_point: i64,
    /// How much one order brings.
    pub reorder_quantity: i64,
    /// The preferred vendor's id or name.
    #[serde(default)]
    pub preferred_vendor: Option<String>,
    /// The price of one unit as decimal text, e.g. `74.50`.
    #[serde(default)]
    pub unit_price: Option<String>,
    /// ISO 4217 code of the price (default EUR).
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Taking, receiving or counting.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovementInput {
    /// How many taken or received (1 or more), or counted (0 or more).
    pub quantity: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// A stock item as it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StockView {
    pub id: String,
    pub name: String,
    pub sku: String,
    pub unit: String,
    pub category: String,
    pub location: String,
    pub quantity: i64,
    /// `3 cartridges`
    pub on_hand: String,
    pub reorder_point: i64,
    pub reorder_quantity: i64,
    /// At or below the reorder point.
    pub low: bool,
    /// How much to order now, when low.
    pub suggested_order: Option<i64>,
    pub preferred_vendor: Option<VendorRef>,
    pub unit_price: Option<MoneyView>,
    /// What the suggested order costs at the unit price.
    pub order_value: Option<MoneyView>,
    pub last_counted: Option<String>,
    pub notes: String,
}

/// One movement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MovementView {
    /// consume, receive or count.
    pub kind: String,
    pub quantity: i64,
    pub delta: i64,
    pub quantity_after: i64,
    pub by: String,
    pub note: String,
    pub at: String,
}

/// An item with its latest movements.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StockDetail {
    pub item: StockView,
    pub movements: Vec<MovementView>,
}

/// An item after a movement, with the movement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MovedView {
    pub item: StockView,
    pub movement: MovementView,
    /// The number of the purchase request drafted because the item fell to its reorder point.
    pub drafted: Option<String>,
}

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct StockFilter {
    /// Only those at or below their reorder point.
    pub low: bool,
    pub category: Option<String>,
    /// Words in the name, SKU, category or location.
    pub q: Option<String>,
}

fn may_read(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ViewDirectory)
}

fn may_manage(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ManageStock)
}

fn hide<T>(r: Result<T, StoreError>) -> ApiResult<T> {
    r.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("stock item"),
        other => other.into(),
    })
}

/// An item by id or exact name, in `org`.
pub async fn item_ref(state: &AppState, org: OrgId, s: &str) -> ApiResult<StockItemRecord> {
    let t = s.trim();
    let found = match t.parse::<StockItemId>() {
        Ok(id) => state.store.stock_get(org, id).await,
        Err(_) => state.store.stock_by_name(org, t).await,
    };
    hide(found)
}

pub fn view(r: &StockItemRecord) -> StockView {
    let d = &r.data;
    let suggested = d.suggested_order(r.quantity);
    StockView {
        id: r.id.to_string(),
        name: d.name.clone(),
        sku: d.sku.clone(),
        unit: d.unit.clone(),
        category: d.category.clone(),
        location: d.location.clone(),
        quantity: r.quantity,
        on_hand: quantity_label(r.quantity, &d.unit),
        reorder_point: d.reorder_point,
        reorder_quantity: d.reorder_quantity,
        low: d.is_low(r.quantity),
        suggested_order: suggested,
        preferred_vendor: d.preferred_vendor.map(|v| VendorRef {
            id: v.to_string(),
            name: r.vendor_name.clone().unwrap_or_default(),
        }),
        unit_price: d.unit_price.map(Into::into),
        order_value: suggested.and_then(|n| d.cost_of(n)).map(Into::into),
        last_counted: r.last_counted.map(|t| t.to_string()),
        notes: d.notes.clone(),
    }
}

fn movement_view(m: &StockMovement) -> MovementView {
    MovementView {
        kind: m.kind.to_string(),
        quantity: m.amount,
        delta: m.delta,
        quantity_after: m.quantity_after,
        by: m.by_label.clone(),
        note: m.note.clone(),
        at: m.at.to_string(),
    }
}

async fn item_data(state: &AppState, org: OrgId, input: &StockInput) -> ApiResult<StockItemData> {
    let price = match input
        .unit_price
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(p) => {
            let code = input
                .currency
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or("EUR");
            let c = Currency::parse(code).map_err(|m| ValidationError::field("currency", m))?;
            Some(Money::parse(p, c).map_err(|m| ValidationError::field("unit_price", m))?)
        }
        None => None,
    };
    let vendor = match input.preferred_vendor.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(v) => Some(vendor_ref(state, org, "preferred_vendor", v).await?.id),
        None => None,
    };
    let d = StockItemData {
        name: input.name.split_whitespace().collect::<Vec<_>>().join(" "),
        sku: input.sku.clone().unwrap_or_default().trim().into(),
        unit: input.unit.trim().into(),
        category: input.category.clone().unwrap_or_default().trim().to_lowercase(),
        location: input.location.clone().unwrap_or_default().trim().into(),
        reorder_point: input.reorder_point,
        reorder_quantity: input.reorder_quantity,
        preferred_vendor: vendor,
        unit_price: price,
        notes: input.notes.clone().unwrap_or_default(),
    };
    d.validate()?;
    Ok(d)
}

pub async fn list_stock(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    filter: &StockFilter,
) -> ApiResult<Vec<StockView>> {
    may_read(caller, org)?;
    let words: Vec<String> = filter
        .q
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let category = filter
        .category
        .as_deref()
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty());
    let items = state.store.stock_list(org).await?;
    let mut rows: Vec<StockView> = items
        .iter()
        .map(view)
        .filter(|v| !filter.low || v.low)
        .filter(|v| category.as_deref().is_none_or(|c| v.category == c))
        .filter(|v| {
            let hay = format!("{} {} {} {}", v.name, v.sku, v.category, v.location).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    // Low items first, then by name.
    rows.sort_by(|a, b| {
        b.low
            .cmp(&a.low)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(rows)
}

pub async fn get_stock(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: StockItemId,
) -> ApiResult<StockDetail> {
    may_read(caller, org)?;
    let r = hide(state.store.stock_get(org, id).await)?;
    let moves = state.store.stock_movements(org, id, 50).await?;
    Ok(StockDetail {
        item: view(&r),
        movements: moves.iter().map(movement_view).collect(),
    })
}

pub async fn create_stock(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &StockInput,
) -> ApiResult<StockView> {
    may_manage(caller, org)?;
    let quantity = input.quantity.unwrap_or(0);
    let d = item_data(state, org, input).await?;
    if !(0..=MAX_QUANTITY).contains(&quantity) {
        return Err(
            ValidationError::field("quantity", format!("{quantity} is not 0 to {MAX_QUANTITY}")).into(),
        );
    }
    let r = state
        .store
        .stock_create(org, &d, quantity, &caller.audit(Timestamp::now()))
        .await?;
    Ok(view(&r))
}

pub async fn update_stock(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: StockItemId,
    input: &StockInput,
) -> ApiResult<StockView> {
    may_read(caller, org)?;
    hide(state.store.stock_get(org, id).await)?;
    may_manage(caller, org)?;
    let d = item_data(state, org, input).await?;
    let r = state
        .store
        .stock_update(org, id, &d, &caller.audit(Timestamp::now()))
        .await?;
    Ok(view(&r))
}

pub async fn delete_stock(state: &AppState, caller: &Caller, org: OrgId, id: StockItemId) -> ApiResult<()> {
    may_read(caller, org)?;
    hide(state.store.stock_get(org, id).await)?;
    may_manage(caller, org)?;
    state
        .store
        .stock_delete(org, id, &caller.audit(Timestamp::now()))
        .await?;
    Ok(())
}

/// Records a movement: anyone who sees the stock takes from it; only those
/// who manage it receive deliveries and count.
pub async fn move_stock(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: StockItemId,
    kind: MovementKind,
    input: &MovementInput,
) -> ApiResult<MovedView> {
    may_read(caller, org)?;
    hide(state.store.stock_get(org, id).await)?;
    if kind != MovementKind::Consume {
        may_manage(caller, org)?;
    }
    let note = input.note.clone().unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(ValidationError::field("note", "must be at most 500 characters").into());
    }
    let (r, m) = state
        .store
        .stock_move(
            org,
            id,
            kind,
            input.quantity,
            note.trim(),
            &caller.audit(Timestamp::now()),
        )
        .await?;
    // Falling to the reorder point drafts a purchase request (once per item).
    let drafted = if kind == MovementKind::Receive {
        None
    } else {
        crate::ops::purchases::draft_for_low_stock(state, caller, org, &r)
            .await?
            .map(|p| p.number)
    };
    Ok(MovedView {
        item: view(&r),
        movement: movement_view(&m),
        drafted,
    })
}

/// The items as CSV.
pub fn stock_csv(rows: &[StockView]) -> String {
    let mut out = csv_line(&[
        "name",
        "sku",
        "category",
        "location",
        "quantity",
        "unit",
        "reorder_point",
        "reorder_quantity",
        "low",
        "suggested_order",
        "preferred_vendor",
        "unit_price",
        "currency",
        "order_value",
        "last_counted",
    ]);
    for v in rows {
        out.push_str(&csv_line(&[
            &v.name,
            &v.sku,
            &v.category,
            &v.location,
            &v.quantity.to_string(),
            &v.unit,
            &v.reorder_point.to_string(),
            &v.reorder_quantity.to_string(),
            if v.low { "yes" } else { "no" },
            &v.suggested_order.map(|n| n.to_string()).unwrap_or_default(),
            v.preferred_vendor.as_ref().map_or("", |p| p.name.as_str()),
            v.unit_price.as_ref().map_or("", |m| m.amount.as_str()),
            v.unit_price.as_ref().map_or("", |m| m.currency.as_str()),
            v.order_value.as_ref().map_or("", |m| m.amount.as_str()),
            v.last_counted.as_deref().unwrap_or(""),
        ]));
    }
    out
}
