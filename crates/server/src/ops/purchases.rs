//! Purchasing: requests, approval by amount, orders and deliveries; and the
//! stock rule that drafts a request when an item falls to its reorder point.
//!
//! Anyone but contractors requests; office managers, principals, assistants
//! and administrators see every purchase, others only their own. Office
//! managers approve up to their limit, principals and administrators above
//! it; nobody approves their own request. Office managers and administrators
//! receive deliveries.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::office::{MoneyView, VendorRef, csv_line, vendor_ref};
use crate::ops::stock::item_ref;
use adjutant_core::ValidationError;
use adjutant_core::ids::{OrgId, PersonId, PurchaseId};
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::office::purchase::{self, ApprovalRule, Line, PurchaseData, Status};
use adjutant_core::people::Role;
use adjutant_core::policy::Capability;
use adjutant_store::StoreError;
use adjutant_store::purchases::PurchaseRecord;
use adjutant_store::stock::StockItemRecord;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who the stock rule's drafts are requested by.
pub const STOCK_RULE: &str = "stock rule";

/// One line of a request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub description: String,
    /// The stock item it refills (id or exact name): received units go into the stock room.
    #[serde(default)]
    pub stock_item: Option<String>,
    pub quantity: i64,
    /// Decimal text in the purchase's currency, e.g. `74.50`.
    pub unit_price: String,
}

/// A purchase request to add or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseInput {
    pub title: String,
    /// The vendor's id or exact name.
    #[serde(default)]
    pub vendor: Option<String>,
    /// The budget category: `pantry`, `printing`, `furniture`, …
    #[serde(default)]
    pub category: Option<String>,
    /// ISO 4217 code (default EUR).
    #[serde(default)]
    pub currency: Option<String>,
    pub lines: Vec<LineInput>,
    /// `2026-12-18`
    #[serde(default)]
    pub needed_by: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Send it for approval at once (default true); false keeps a draft.
    #[serde(default)]
    pub submit: Option<bool>,
}

/// A decision's reason.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[serde(default)]
    pub note: Option<String>,
}

/// One line of a delivery.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryLine {
    /// The line's number, from 1.
    pub line: usize,
    pub quantity: i64,
}

/// A delivery.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveInput {
    pub lines: Vec<DeliveryLine>,
    /// e.g. the delivery note's number.
    #[serde(default)]
    pub note: Option<String>,
}

/// A line as ordered and received.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineView {
    /// From 1.
    pub line: usize,
    pub description: String,
    pub stock_item: Option<ItemRef>,
    pub quantity: i64,
    pub received: i64,
    /// Still to arrive.
    pub due: i64,
    pub unit_price: MoneyView,
    pub amount: MoneyView,
}

/// A stock item, briefly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemRef {
    pub id: String,
    pub name: String,
}

/// A purchase as the caller may act on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PurchaseView {
    pub id: String,
    /// `PO-2026-0007`
    pub number: String,
    pub title: String,
    /// draft, submitted, ordered, partly_received, received, rejected or cancelled.
    pub status: String,
    pub vendor: Option<VendorRef>,
    pub category: String,
    pub lines: Vec<LineView>,
    pub total: MoneyView,
    pub received_value: MoneyView,
    pub requested_by: String,
    /// `an office manager` or `a principal`.
    pub approver: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub needed_by: Option<String>,
    pub notes: String,
    pub created_at: String,
    /// Whether the caller may approve or reject it now.
    pub can_decide: bool,
    /// Why not, when it waits and the caller may not decide.
    pub why_not_decide: Option<String>,
    /// Whether the caller may record a delivery now.
    pub can_receive: bool,
}

/// Which purchases to list.
#[derive(Debug, Clone, Default)]
pub struct PurchaseFilter {
    /// A status name, or `waiting` (draft or submitted), or `open` (ordered, partly received).
    pub status: Option<String>,
    pub q: Option<String>,
}

/// Who may approve what: `approval_limits` from the configuration.
pub fn rule(state: &AppState) -> ApprovalRule {
    state.config.approval_rule().unwrap_or_default()
}

fn may_request(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ViewDirectory)
}

/// Whether the caller sees every purchase (not only their own).
fn sees_all(caller: &Caller, org: OrgId) -> bool {
    caller.may(org, Capability::ViewContracts).is_ok()
}

/// The person the caller acts as, and their role (`None` for the system).
fn acting(caller: &Caller) -> Option<(PersonId, Role)> {
    match caller {
        Caller::System(_) => None,
        Caller::Person(a) => Some((a.person.id, a.person.role)),
    }
}

fn label(caller: &Caller) -> String {
    match caller {
        Caller::System(s) => s.clone(),
        Caller::Person(a) => a.person.name.clone(),
    }
}

async fn readable(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PurchaseId,
) -> ApiResult<PurchaseRecord> {
    may_request(caller, org)?;
    let p = state.store.purchase_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("purchase"),
        other => other.into(),
    })?;
    if sees_all(caller, org) || acting(caller).is_some_and(|(me, _)| p.requested_by == Some(me)) {
        Ok(p)
    } else {
        Err(ApiError::not_found("purchase"))
    }
}

/// Whether the caller may approve or reject `p`; `Err` says why not.
fn decide_check(rule: &ApprovalRule, caller: &Caller, p: &PurchaseRecord) -> Result<(), String> {
    let total = p.data.total().unwrap_or(Money::zero(p.data.currency));
    match acting(caller) {
        None => purchase::may_decide(
            rule,
            PersonId(uuid::Uuid::nil()),
            Role::Admin,
            p.requested_by,
            p.status,
            total,
        ),
        Some((me, role)) => purchase::may_decide(rule, me, role, p.requested_by, p.status, total),
    }
}

pub async fn view(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    p: &PurchaseRecord,
) -> ApiResult<PurchaseView> {
    let items = state.store.stock_list(org).await?;
    Ok(view_with(&rule(state), caller, org, p, &items))
}

fn view_with(
    rule: &ApprovalRule,
    caller: &Caller,
    org: OrgId,
    p: &PurchaseRecord,
    items: &[StockItemRecord],
) -> PurchaseView {
    let d = &p.data;
    let zero = Money::zero(d.currency);
    let total = d.total().unwrap_or(zero);
    let decide = decide_check(rule, caller, p);
    PurchaseView {
        id: p.id.to_string(),
        number: p.number.clone(),
        title: d.title.clone(),
        status: p.status.to_string(),
        vendor: d.vendor.map(|v| VendorRef {
            id: v.to_string(),
            name: p.vendor_name.clone().unwrap_or_default(),
        }),
        category: d.category.clone(),
        lines: d
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineView {
                line: i + 1,
                description: l.description.clone(),
                stock_item: l.stock_item.map(|s| ItemRef {
                    id: s.to_string(),
                    name: items
                        .iter()
                        .find(|it| it.id == s)
                        .map(|it| it.data.name.clone())
                        .unwrap_or_else(|| "a removed item".into()),
                }),
                quantity: l.quantity,
                received: l.received,
                due: l.quantity - l.received,
                unit_price: l.unit_price.into(),
                amount: l.unit_price.times(l.quantity).unwrap_or(zero).into(),
            })
            .collect(),
        total: total.into(),
        received_value: d.received_value().unwrap_or(zero).into(),
        requested_by: p.requested_label.clone(),
        approver: rule.approver(total).into(),
        decided_by: p.decided_at.map(|_| p.decided_label.clone()),
        decided_at: p.decided_at.map(|t| t.to_string()),
        decision_note: p.decision_note.clone(),
        needed_by: d.needed_by.map(|n| n.to_string()),
        notes: d.notes.clone(),
        created_at: p.created_at.to_string(),
        can_decide: decide.is_ok(),
        why_not_decide: match (&decide, p.status.awaits_approval()) {
            (Err(why), true) => Some(why.clone()),
            _ => None,
        },
        can_receive: p.status.open_order() && caller.may(org, Capability::ManageStock).is_ok(),
    }
}

async fn purchase_data(state: &AppState, org: OrgId, input: &PurchaseInput) -> ApiResult<PurchaseData> {
    let code = input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("EUR");
    let currency = Currency::parse(code).map_err(|m| ValidationError::field("currency", m))?;
    let needed_by = match input
        .needed_by
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(s.parse::<Date>().map_err(|_| {
            ValidationError::field("needed_by", format!("`{s}` is not a date like 2026-12-18"))
        })?),
        None => None,
    };
    let vendor = match input.vendor.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(v) => Some(vendor_ref(state, org, "vendor", v).await?.id),
        None => None,
    };
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        let price = Money::parse(&l.unit_price, currency)
            .map_err(|m| ValidationError::field(format!("lines[{i}].unit_price"), m));
        let item = match l.stock_item.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => match item_ref(state, org, s).await {
                Ok(it) => Some(it.id),
                Err(e) if e.status == axum::http::StatusCode::NOT_FOUND => {
                    errors.push(ValidationError::field(
                        format!("lines[{i}].stock_item"),
                        format!("no stock item here is `{}`", s.trim()),
                    ));
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        match price {
            Ok(p) => lines.push(Line {
                description: l.description.trim().into(),
                stock_item: item,
                quantity: l.quantity,
                unit_price: p,
                received: 0,
            }),
            Err(e) => errors.push(e),
        }
    }
    crate::ops::collect(errors.into_iter().map(Err).collect())?;
    let d = PurchaseData {
        title: input.title.trim().into(),
        vendor,
        category: input.category.clone().unwrap_or_default().trim().to_lowercase(),
        currency,
        lines,
        needed_by,
        notes: input.notes.clone().unwrap_or_default(),
    };
    d.validate()?;
    Ok(d)
}

/// Purchases the caller may see: waiting ones first, then the newest.
pub async fn list_purchases(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    filter: &PurchaseFilter,
) -> ApiResult<Vec<PurchaseView>> {
    may_request(caller, org)?;
    let wanted: Vec<Status> = match filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => vec![],
        Some("waiting") => vec![Status::Draft, Status::Submitted],
        Some("open") => vec![Status::Ordered, Status::PartlyReceived],
        Some(s) => vec![s.parse::<Status>().map_err(|_| {
            ValidationError::field(
                "status",
                format!(
                    "unknown value `{s}`; expected waiting, open or one of {}",
                    Status::ALL
                        .iter()
                        .map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?],
    };
    let all = sees_all(caller, org);
    let me = acting(caller).map(|(p, _)| p);
    let words: Vec<String> = filter
        .q
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let items = state.store.stock_list(org).await?;
    let approval = rule(state);
    let mut rows: Vec<PurchaseView> = state
        .store
        .purchase_list(org, &wanted)
        .await?
        .iter()
        .filter(|p| all || (me.is_some() && p.requested_by == me))
        .map(|p| view_with(&approval, caller, org, p, &items))
        .filter(|v| {
            let hay = format!(
                "{} {} {} {}",
                v.number,
                v.title,
                v.category,
                v.vendor.as_ref().map_or("", |x| x.name.as_str())
            )
            .to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    rows.sort_by_key(|v| !matches!(v.status.as_str(), "draft" | "submitted"));
    Ok(rows)
}

pub async fn get_purchase(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PurchaseId,
) -> ApiResult<PurchaseView> {
    let p = readable(state, caller, org, id).await?;
    view(state, caller, org, &p).await
}

pub async fn create_purchase(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &PurchaseInput,
) -> ApiResult<PurchaseView> {
    may_request(caller, org)?;
    let d = purchase_data(state, org, input).await?;
    let status = if input.submit.unwrap_or(true) {
        Status::Submitted
    } else {
        Status::Draft
    };
    let p = state
        .store
        .purchase_create(
            org,
            &d,
            status,
            acting(caller).map(|(p, _)| p),
            &label(caller),
            &caller.audit(Timestamp::now()),
        )
        .await?;
    view(state, caller, org, &p).await
}

/// The requester, or whoever manages the office, may change, submit or cancel a request.
fn may_handle(caller: &Caller, org: OrgId, p: &PurchaseRecord) -> ApiResult<()> {
    let mine = acting(caller).is_some_and(|(me, _)| p.requested_by == Some(me));
    if mine || caller.may(org, Capability::ManageStock).is_ok() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only its requester or an office manager changes this request",
        ))
    }
}

pub async fn update_purchase(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PurchaseId,
    input: &PurchaseInput,
) -> ApiResult<PurchaseView> {
    let p = readable(state, caller, org, id).await?;
    may_handle(caller, org, &p)?;
    let d = purchase_data(state, org, input).await?;
    let p = state
        .store
        .purchase_update(org, id, &d, &caller.audit(Timestamp::now()))
        .await?;
    view(state, caller, org, &p).await
}

pub async fn submit_purchase(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PurchaseId,
) -> ApiResult<PurchaseView> {
    let p = readable(state, caller, org, id).await?;
    may_handle(caller, org, &p)?;
    let p = state
        .store
        .purchase_transition(
            org,
            id,
            &[Status::Draft],
            Status::Submitted,
            None,
            &caller.audit(Timestamp::now()),
        )
        .await?;
    view(state, caller, org, &p).await
}

fn note_of(input: &DecisionInput) -> ApiResult<String> {
    let note = input.note.clone().unwrap_or_default();
    if note.chars().count() > 1_000 {
        return Err(ValidationError::field("note", "must be at most 1000 characters").into());
    }
    Ok(note.trim().to_string())
}

/// Approves (the order goes out) or rejects a purchase waiting for approval.
pub async fn decide_purchase(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PurchaseId,
    approve: bool,
    input: &DecisionInput,
) -> ApiResult<PurchaseView> {
    let p = readable(state, caller, org, id).await?;
    let note = note_of(input)?;
    if !p.status.awaits_approval() {
        return Err(ApiError::conflict(format!(
            "{} is {}; it is not waiting for approval",
            p.number, p.status
        )));
    }
    decide_check(&rule(state), caller, &p).map_err(ApiError::forbidden)?;
    let to = if approve {
        Status::Ordered
    } else {
        Status::Rejected
    };
    let p = state
        .store
        .purchase_transition(
            org,
            id,
            &[Status::Draft, Status::Submitted],
            to,
            Some(&note),
            &caller.audit(Timestamp::now()),
        )
        .await?;
    view(state, caller, org, &p).await
}

/// Cancels a request, or an order nothing of which has arrived.
pub async fn cancel_purchase(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PurchaseId,
    input: &DecisionInput,
) -> ApiResult<PurchaseView> {
    let p = readable(state, caller, org, id).await?;
    may_handle(caller, org, &p)?;
    let note = note_of(input)?;
    let p = state
        .store
        .purchase_transition(
            org,
            id,
            &[Status::Draft, Status::Submitted, Status::Ordered],
            Status::Cancelled,
            Some(&note),
            &caller.audit(Timestamp::now()),
        )
        .await?;
    view(state, caller, org, &p).await
}

/// Records a delivery (office managers and administrators): received stock
/// items go into the stock room in the same step.
pub async fn receive_purchase(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PurchaseId,
    input: &ReceiveInput,
) -> ApiResult<PurchaseView> {
    readable(state, caller, org, id).await?;
    caller.may(org, Capability::ManageStock)?;
    let note = input.note.clone().unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(ValidationError::field("note", "must be at most 500 characters").into());
    }
    let mut delivery = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        if l.line == 0 {
            return Err(
                ValidationError::field(format!("lines[{i}].line"), "lines are numbered from 1").into(),
            );
        }
        delivery.push((l.line - 1, l.quantity));
    }
    let (p, _) = state
        .store
        .purchase_receive(org, id, &delivery, note.trim(), &caller.audit(Timestamp::now()))
        .await?;
    view(state, caller, org, &p).await
}

/// The stock rule: when `item` is at or below its reorder point and no
/// request or order for it is open, draft a request for the suggested order
/// from its preferred vendor at its price. Returns the draft when one was made.
pub async fn draft_for_low_stock(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    item: &StockItemRecord,
) -> ApiResult<Option<PurchaseRecord>> {
    let Some(order) = item.data.suggested_order(item.quantity) else {
        return Ok(None);
    };
    let open = state
        .store
        .purchase_list(
            org,
            &[
                Status::Draft,
                Status::Submitted,
                Status::Ordered,
                Status::PartlyReceived,
            ],
        )
        .await?;
    if open.iter().any(|p| {
        p.data
            .lines
            .iter()
            .any(|l| l.stock_item == Some(item.id) && l.received < l.quantity)
    }) {
        return Ok(None);
    }
    let price = item.data.unit_price.unwrap_or(Money::zero(Currency::eur()));
    let d = PurchaseData {
        title: format!("Restock: {}", item.data.name),
        vendor: item.data.preferred_vendor,
        category: item.data.category.clone(),
        currency: price.currency,
        lines: vec![Line {
            description: item.data.name.clone(),
            stock_item: Some(item.id),
            quantity: order,
            unit_price: price,
            received: 0,
        }],
        needed_by: None,
        notes: format!(
            "Drafted when {} fell to {} (reorder at {}).",
            item.data.name, item.quantity, item.data.reorder_point
        ),
    };
    if d.validate().is_err() {
        return Ok(None);
    }
    Ok(Some(
        state
            .store
            .purchase_create(
                org,
                &d,
                Status::Draft,
                None,
                STOCK_RULE,
                &caller.audit(Timestamp::now()),
            )
            .await?,
    ))
}

/// The purchases as CSV.
pub fn purchases_csv(rows: &[PurchaseView]) -> String {
    let mut out = csv_line(&[
        "number",
        "title",
        "status",
        "vendor",
        "category",
        "total",
        "currency",
        "received_value",
        "requested_by",
        "approver",
        "decided_by",
        "needed_by",
        "created_at",
    ]);
    for p in rows {
        out.push_str(&csv_line(&[
            &p.number,
            &p.title,
            &p.status,
            p.vendor.as_ref().map_or("", |v| v.name.as_str()),
            &p.category,
            &p.total.amount,
            &p.total.currency,
            &p.received_value.amount,
            &p.requested_by,
            &p.approver,
            p.decided_by.as_deref().unwrap_or(""),
            p.needed_by.as_deref().unwrap_or(""),
            &p.created_at,
        ]));
    }
    out
}
