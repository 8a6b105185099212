//! Invoices: registered with their lines and VAT, matched three ways against
//! the order and what arrived, flagged when they look like a duplicate,
//! approved by amount (never by whoever registered them), and paid.
//!
//! Office managers, principals, assistants and administrators see invoices
//! (staff and contractors do not: they are the office's finances). Office
//! managers and administrators register them and mark them paid; approval
//! follows the purchase rule — office managers up to their limit, principals
//! and administrators above.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::office::{MoneyView, VendorRef, csv_line, vendor_ref};
use adjutant_core::ValidationError;
use adjutant_core::ids::{ContractId, InvoiceId, OrgId, PersonId, PurchaseId};
use adjutant_core::office::contract::in_days;
use adjutant_core::office::invoice::{self, InvoiceData, InvoiceLine, InvoiceStatus, MAX_VAT_BP};
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::office::purchase::ApprovalRule;
use adjutant_core::people::Role;
use adjutant_core::policy::Capability;
use adjutant_store::StoreError;
use adjutant_store::invoices::InvoiceRecord;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of an invoice to register.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLineInput {
    pub description: String,
    pub quantity: i64,
    /// Decimal text, net of VAT, e.g. `74.50`.
    pub unit_price: String,
    /// VAT percentage as decimal text, e.g. `21` or `9` (default 21).
    #[serde(default)]
    pub vat: Option<String>,
}

/// An invoice to register.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    /// The vendor's id or exact name.
    pub vendor: String,
    /// The vendor's invoice number.
    pub number: String,
    /// `2026-11-30`
    pub issued_on: String,
    /// `2026-12-30`
    pub due_on: String,
    /// ISO 4217 code (default EUR).
    #[serde(default)]
    pub currency: Option<String>,
    pub lines: Vec<InvoiceLineInput>,
    /// The purchase order it bills: its id or number (`PO-2026-0003`).
    #[serde(default)]
    pub purchase: Option<String>,
    /// The contract it bills (its id).
    #[serde(default)]
    pub contract: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Approving, rejecting or paying.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceActInput {
    #[serde(default)]
    pub note: Option<String>,
    /// For paying: the day it was paid (default today; not in the future).
    #[serde(default)]
    pub paid_on: Option<String>,
}

/// A line as billed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceLineView {
    pub description: String,
    pub quantity: i64,
    pub unit_price: MoneyView,
    /// `21%`
    pub vat: String,
    pub net: MoneyView,
}

/// A difference between the invoice and its order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DifferenceView {
    /// price, quantity, not_ordered, not_invoiced or total.
    pub kind: String,
    pub text: String,
}

/// An invoice as the caller may act on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceView {
    pub id: String,
    pub number: String,
    pub vendor: VendorRef,
    /// received, approved, paid or rejected.
    pub status: String,
    pub issued_on: String,
    pub due_on: String,
    /// `in 12 days`, `3 days ago`.
    pub due_in: String,
    pub overdue: bool,
    pub lines: Vec<InvoiceLineView>,
    pub net: MoneyView,
    pub vat: MoneyView,
    pub gross: MoneyView,
    pub purchase: Option<String>,
    pub purchase_number: Option<String>,
    pub contract: Option<String>,
    /// `matched`, `differences` or `no_order`.
    pub match_state: String,
    pub differences: Vec<DifferenceView>,
    /// Why it looks like a duplicate of another invoice.
    pub duplicate_of: Vec<String>,
    pub category: String,
    pub notes: String,
    pub registered_by: String,
    /// `an office manager` or `a principal`.
    pub approver: String,
    pub decided_by: Option<String>,
    pub decision_note: String,
    pub paid_on: Option<String>,
    pub can_decide: bool,
    pub why_not_decide: Option<String>,
    pub can_pay: bool,
}

/// Which invoices to list.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    /// A status, or `waiting` (received), `unpaid` (received or approved), `overdue`.
    pub status: Option<String>,
    pub vendor: Option<String>,
    pub q: Option<String>,
}

fn may_read(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ViewContracts)
}

fn may_keep(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ManageContracts)
}

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

fn today(caller: &Caller) -> Date {
    crate::ops::duties::today(caller)
}

fn hide<T>(r: Result<T, StoreError>) -> ApiResult<T> {
    r.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("invoice"),
        other => other.into(),
    })
}

/// `21` → 2100 basis points; at most two decimals, 0 to 100.
fn vat_bp(field: &str, s: &str) -> Result<u32, ValidationError> {
    let t = s.trim().trim_end_matches('%').trim();
    let bad = || {
        ValidationError::field(
            field,
            format!("`{}` is not a VAT percentage like 21 or 9", s.trim()),
        )
    };
    let (w, f) = t.split_once('.').unwrap_or((t, ""));
    if w.is_empty()
        || f.len() > 2
        || !w.chars().all(|c| c.is_ascii_digit())
        || !f.chars().all(|c| c.is_ascii_digit())
        || w.len() > 3
    {
        return Err(bad());
    }
    let bp =
        w.parse::<u32>().map_err(|_| bad())? * 100 + format!("{f:0<2}").parse::<u32>().map_err(|_| bad())?;
    if bp > MAX_VAT_BP {
        return Err(ValidationError::field(field, format!("{t}% is more than 100%")));
    }
    Ok(bp)
}

fn decide_check(rule: &ApprovalRule, caller: &Caller, i: &InvoiceRecord) -> Result<(), String> {
    if i.status != InvoiceStatus::Received {
        return Err(format!(
            "the invoice is {}; it is not waiting for approval",
            i.status
        ));
    }
    let gross = i
        .data
        .totals()
        .map(|t| t.gross)
        .unwrap_or(Money::zero(i.data.currency));
    match acting(caller) {
        None => Ok(()),
        Some((me, _)) if i.registered_by == Some(me) => {
            Err("nobody approves an invoice they registered".into())
        }
        Some((_, role)) => rule.may_approve(role, gross),
    }
}

fn view_of(
    rule: &ApprovalRule,
    caller: &Caller,
    org: OrgId,
    i: &InvoiceRecord,
    all: &[InvoiceRecord],
    order: Option<&adjutant_core::office::purchase::PurchaseData>,
) -> InvoiceView {
    let d = &i.data;
    let zero = Money::zero(d.currency);
    let t = d.totals().unwrap_or(invoice::Totals {
        net: zero,
        vat: zero,
        gross: zero,
    });
    let today = today(caller);
    let days = today
        .until((jiff::Unit::Day, d.due_on))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0);
    let unpaid = matches!(i.status, InvoiceStatus::Received | InvoiceStatus::Approved);
    let differences: Vec<DifferenceView> = order
        .map(|o| invoice::three_way_match(d, o))
        .unwrap_or_default()
        .into_iter()
        .map(|x| DifferenceView {
            kind: x.kind.into(),
            text: x.text,
        })
        .collect();
    let decide = decide_check(rule, caller, i);
    InvoiceView {
        id: i.id.to_string(),
        number: d.number.clone(),
        vendor: VendorRef {
            id: d.vendor.to_string(),
            name: i.vendor_name.clone(),
        },
        status: i.status.to_string(),
        issued_on: d.issued_on.to_string(),
        due_on: d.due_on.to_string(),
        due_in: in_days(days),
        overdue: unpaid && days < 0,
        lines: d
            .lines
            .iter()
            .map(|l: &InvoiceLine| InvoiceLineView {
                description: l.description.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price.into(),
                vat: format!("{}%", percent(l.vat_bp)),
                net: l.net().unwrap_or(zero).into(),
            })
            .collect(),
        net: t.net.into(),
        vat: t.vat.into(),
        gross: t.gross.into(),
        purchase: d.purchase.map(|p| p.to_string()),
        purchase_number: i.purchase_number.clone(),
        contract: d.contract.map(|k| k.to_string()),
        match_state: match (order, differences.is_empty()) {
            (None, _) => "no_order",
            (Some(_), true) => "matched",
            (Some(_), false) => "differences",
        }
        .into(),
        differences,
        duplicate_of: all
            .iter()
            .filter(|o| {
                o.id != i.id && o.status != InvoiceStatus::Rejected && i.status != InvoiceStatus::Rejected
            })
            .filter_map(|o| invoice::duplicate_reason(d, &o.data))
            .collect(),
        category: d.category.clone(),
        notes: d.notes.clone(),
        registered_by: i.registered_label.clone(),
        approver: rule.approver(t.gross).into(),
        decided_by: i.decided_at.map(|_| i.decided_label.clone()),
        decision_note: i.decision_note.clone(),
        paid_on: i.paid_on.map(|p| p.to_string()),
        can_decide: decide.is_ok(),
        why_not_decide: match (&decide, i.status) {
            (Err(why), InvoiceStatus::Received) => Some(why.clone()),
            _ => None,
        },
        can_pay: i.status == InvoiceStatus::Approved && caller.may(org, Capability::ManageContracts).is_ok(),
    }
}

async fn views(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    list: &[InvoiceRecord],
    all: &[InvoiceRecord],
) -> ApiResult<Vec<InvoiceView>> {
    let purchases = state.store.purchase_list(org, &[]).await?;
    let approval = crate::ops::purchases::rule(state);
    Ok(list
        .iter()
        .map(|i| {
            let order = i
                .data
                .purchase
                .and_then(|p| purchases.iter().find(|x| x.id == p))
                .map(|p| &p.data);
            view_of(&approval, caller, org, i, all, order)
        })
        .collect())
}

async fn one(state: &AppState, caller: &Caller, org: OrgId, i: &InvoiceRecord) -> ApiResult<InvoiceView> {
    let all = state.store.invoice_list(org).await?;
    let mut v = views(state, caller, org, std::slice::from_ref(i), &all).await?;
    v.pop().ok_or_else(ApiError::internal)
}

async fn invoice_data(state: &AppState, org: OrgId, input: &InvoiceInput) -> ApiResult<InvoiceData> {
    let mut errors = Vec::new();
    let code = input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("EUR");
    let currency = Currency::parse(code).map_err(|m| ValidationError::field("currency", m))?;
    let date = |field: &str, s: &str| {
        s.trim().parse::<Date>().map_err(|_| {
            ValidationError::field(field, format!("`{}` is not a date like 2026-12-30", s.trim()))
        })
    };
    let issued = date("issued_on", &input.issued_on);
    let due = date("due_on", &input.due_on);
    for r in [&issued, &due] {
        if let Err(e) = r {
            errors.push(e.clone());
        }
    }
    let mut lines = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        let price = Money::parse(&l.unit_price, currency)
            .map_err(|m| ValidationError::field(format!("lines[{i}].unit_price"), m));
        let vat = vat_bp(&format!("lines[{i}].vat"), l.vat.as_deref().unwrap_or("21"));
        match (price, vat) {
            (Ok(p), Ok(v)) => lines.push(InvoiceLine {
                description: l.description.trim().into(),
                quantity: l.quantity,
                unit_price: p,
                vat_bp: v,
            }),
            (p, v) => {
                errors.extend(p.err());
                errors.extend(v.err());
            }
        }
    }
    crate::ops::collect(errors.into_iter().map(Err).collect())?;
    let (Ok(issued_on), Ok(due_on)) = (issued, due) else {
        return Err(ApiError::internal());
    };
    let vendor = vendor_ref(state, org, "vendor", &input.vendor).await?.id;
    let purchase = match input.purchase.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => Some(purchase_ref(state, org, p).await?),
        None => None,
    };
    let contract = match input.contract.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(k) => {
            let id = k
                .parse::<ContractId>()
                .map_err(|_| ValidationError::field("contract", format!("`{k}` is not a contract id")))?;
            let c = state.store.contract_get(org, id).await.map_err(|e| match e {
                StoreError::NotFound(_) => ApiError::from(ValidationError::field(
                    "contract",
                    format!("no contract here is `{k}`"),
                )),
                other => other.into(),
            })?;
            if c.data.vendor != vendor {
                return Err(ValidationError::field(
                    "contract",
                    format!(
                        "`{}` is with {}, not this invoice's vendor",
                        c.data.title, c.vendor_name
                    ),
                )
                .into());
            }
            Some(id)
        }
        None => None,
    };
    let d = InvoiceData {
        vendor,
        number: input.number.trim().into(),
        issued_on,
        due_on,
        currency,
        lines,
        purchase,
        contract,
        category: input.category.clone().unwrap_or_default().trim().to_lowercase(),
        notes: input.notes.clone().unwrap_or_default(),
    };
    d.validate()?;
    Ok(d)
}

/// A purchase by id or number, in `org`.
async fn purchase_ref(state: &AppState, org: OrgId, s: &str) -> ApiResult<PurchaseId> {
    if let Ok(id) = s.parse::<PurchaseId>()
        && state.store.purchase_get(org, id).await.is_ok()
    {
        return Ok(id);
    }
    state
        .store
        .purchase_list(org, &[])
        .await?
        .iter()
        .find(|p| p.number.eq_ignore_ascii_case(s))
        .map(|p| p.id)
        .ok_or_else(|| ValidationError::field("purchase", format!("no purchase here is `{s}`")).into())
}

pub async fn list_invoices(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    filter: &InvoiceFilter,
) -> ApiResult<Vec<InvoiceView>> {
    may_read(caller, org)?;
    let vendor = match filter.vendor.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(v) => Some(vendor_ref(state, org, "vendor", v).await?.id),
        None => None,
    };
    let status = filter.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = status
        && !matches!(s, "waiting" | "unpaid" | "overdue")
        && s.parse::<InvoiceStatus>().is_err()
    {
        return Err(ValidationError::field(
            "status",
            format!(
                "unknown value `{s}`; expected waiting, unpaid, overdue, received, approved, paid or rejected"
            ),
        )
        .into());
    }
    let words: Vec<String> = filter
        .q
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let all = state.store.invoice_list(org).await?;
    let chosen: Vec<InvoiceRecord> = all
        .iter()
        .filter(|i| vendor.is_none_or(|v| i.data.vendor == v))
        .cloned()
        .collect();
    Ok(views(state, caller, org, &chosen, &all)
        .await?
        .into_iter()
        .filter(|v| match status {
            None => true,
            Some("waiting") => v.status == "received",
            Some("unpaid") => matches!(v.status.as_str(), "received" | "approved"),
            Some("overdue") => v.overdue,
            Some(s) => v.status == s,
        })
        .filter(|v| {
            let hay = format!(
                "{} {} {} {}",
                v.number,
                v.vendor.name,
                v.category,
                v.purchase_number.as_deref().unwrap_or("")
            )
            .to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect())
}

pub async fn get_invoice(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: InvoiceId,
) -> ApiResult<InvoiceView> {
    may_read(caller, org)?;
    let i = hide(state.store.invoice_get(org, id).await)?;
    one(state, caller, org, &i).await
}

pub async fn create_invoice(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &InvoiceInput,
) -> ApiResult<InvoiceView> {
    may_keep(caller, org)?;
    let d = invoice_data(state, org, input).await?;
    let i = state
        .store
        .invoice_create(
            org,
            &d,
            acting(caller).map(|(p, _)| p),
            &label(caller),
            &caller.audit(Timestamp::now()),
        )
        .await?;
    one(state, caller, org, &i).await
}

/// Approves or rejects an invoice waiting for approval.
pub async fn decide_invoice(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: InvoiceId,
    approve: bool,
    input: &InvoiceActInput,
) -> ApiResult<InvoiceView> {
    may_read(caller, org)?;
    let i = hide(state.store.invoice_get(org, id).await)?;
    let note = input.note.clone().unwrap_or_default();
    if note.chars().count() > 1_000 {
        return Err(ValidationError::field("note", "must be at most 1000 characters").into());
    }
    if i.status != InvoiceStatus::Received {
        return Err(ApiError::conflict(format!(
            "invoice {} is {}; it is not waiting for approval",
            i.data.number, i.status
        )));
    }
    decide_check(&crate::ops::purchases::rule(state), caller, &i).map_err(ApiError::forbidden)?;
    let to = if approve {
        InvoiceStatus::Approved
    } else {
        InvoiceStatus::Rejected
    };
    let i = state
        .store
        .invoice_transition(
            org,
            id,
            &[InvoiceStatus::Received],
            to,
            note.trim(),
            None,
            &caller.audit(Timestamp::now()),
        )
        .await?;
    one(state, caller, org, &i).await
}

/// Marks an approved invoice paid (office managers and administrators).
pub async fn pay_invoice(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: InvoiceId,
    input: &InvoiceActInput,
) -> ApiResult<InvoiceView> {
    may_read(caller, org)?;
    let i = hide(state.store.invoice_get(org, id).await)?;
    may_keep(caller, org)?;
    let today = today(caller);
    let paid_on = match input.paid_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s
            .parse::<Date>()
            .map_err(|_| ValidationError::field("paid_on", format!("`{s}` is not a date like 2026-12-20")))?,
        None => today,
    };
    if paid_on > today {
        return Err(ValidationError::field("paid_on", format!("{paid_on} is in the future")).into());
    }
    if paid_on < i.data.issued_on {
        return Err(ValidationError::field(
            "paid_on",
            format!("{paid_on} is before the invoice date {}", i.data.issued_on),
        )
        .into());
    }
    if i.status != InvoiceStatus::Approved {
        return Err(ApiError::conflict(format!(
            "invoice {} is {}; only approved invoices are paid",
            i.data.number, i.status
        )));
    }
    let i = state
        .store
        .invoice_transition(
            org,
            id,
            &[InvoiceStatus::Approved],
            InvoiceStatus::Paid,
            "",
            Some(paid_on),
            &caller.audit(Timestamp::now()),
        )
        .await?;
    one(state, caller, org, &i).await
}

/// What a contract's invoices add up to in its current term (net, in the contract's currency).
pub fn contract_spend(
    invoices: &[InvoiceRecord],
    contract: ContractId,
    from: Date,
    to: Date,
    currency: Currency,
) -> Money {
    let items: Vec<Money> = invoices
        .iter()
        .filter(|i| i.data.contract == Some(contract) && i.status != InvoiceStatus::Rejected)
        .filter(|i| i.data.issued_on >= from && i.data.issued_on <= to && i.data.currency == currency)
        .filter_map(|i| i.data.totals().map(|t| t.net))
        .collect();
    Money::sum(currency, &items).unwrap_or(Money::zero(currency))
}

/// The invoices as CSV.
pub fn invoices_csv(rows: &[InvoiceView]) -> String {
    let mut out = csv_line(&[
        "number",
        "vendor",
        "status",
        "issued_on",
        "due_on",
        "net",
        "vat",
        "gross",
        "currency",
        "purchase",
        "match",
        "duplicate",
        "category",
        "paid_on",
    ]);
    for v in rows {
        out.push_str(&csv_line(&[
            &v.number,
            &v.vendor.name,
            &v.status,
            &v.issued_on,
            &v.due_on,
            &v.net.amount,
            &v.vat.amount,
            &v.gross.amount,
            &v.gross.currency,
            v.purchase_number.as_deref().unwrap_or(""),
            &v.match_state,
            if v.duplicate_of.is_empty() { "" } else { "likely" },
            &v.category,
            v.paid_on.as_deref().unwrap_or(""),
        ]));
    }
    out
}

// ---------------------------------------------------------------------------
// From mail
// ---------------------------------------------------------------------------

/// What a message marked as an invoice suggests registering: read from its
/// words, the vendor found by the sender's address. The office manager
/// confirms or corrects each field before anything is registered.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct InvoiceSuggestion {
    /// The vendor one of whose contacts wrote (by address, else by domain).
    pub vendor: Option<VendorRef>,
    pub number: Option<String>,
    /// The amount due, VAT included, as decimal text.
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// The day the message arrived, in the caller's zone.
    pub issued_on: String,
    pub due_on: Option<String>,
    /// A purchase order named in the message that exists here.
    pub purchase: Option<String>,
    /// The VAT percentage the amount includes (`21`), when the message says.
    pub vat: Option<String>,
    /// The fields the message does not give, and why, for the form to say.
    pub missing: Vec<MissingField>,
}

/// A field of the invoice the message does not give.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MissingField {
    /// vendor, number, amount or due_on.
    pub field: &'static str,
    pub reason: String,
}

/// Registering the invoice a message carries: each field overrides the
/// suggestion; what neither gives is an error naming the field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailInvoiceInput {
    /// The vendor's id or exact name (default: the vendor the sender belongs to).
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    /// The amount due, VAT included, as decimal text (`1450.00`).
    #[serde(default)]
    pub amount: Option<String>,
    /// The VAT percentage the amount includes (`21`): the amount is split into
    /// net and VAT (default: what the message says, else 0).
    #[serde(default)]
    pub vat: Option<String>,
    /// ISO 4217 code (default: the message's, else EUR).
    #[serde(default)]
    pub currency: Option<String>,
    /// `2026-11-30` (default: the day the message arrived).
    #[serde(default)]
    pub issued_on: Option<String>,
    #[serde(default)]
    pub due_on: Option<String>,
    /// A purchase order's id or number (default: the one the message names, if it exists).
    #[serde(default)]
    pub purchase: Option<String>,
    /// A contract's id.
    #[serde(default)]
    pub contract: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// What the message suggests, for a caller who may register invoices; `None`
/// when it is not marked as an invoice, is already registered, or the caller
/// keeps no invoices.
pub async fn suggestion_for(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    m: &adjutant_store::mail::MailRecord,
) -> ApiResult<Option<InvoiceSuggestion>> {
    if m.office != Some(adjutant_core::mail::screen::OfficeWork::Invoice)
        || m.invoice.is_some()
        || may_keep(caller, org).is_err()
    {
        return Ok(None);
    }
    Ok(Some(suggest(state, caller, org, m).await?))
}

async fn suggest(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    m: &adjutant_store::mail::MailRecord,
) -> ApiResult<InvoiceSuggestion> {
    let received = m.sent_at.to_zoned(crate::ops::mail::caller_zone(caller)).date();
    let h = adjutant_core::mail::office::invoice_hints(&m.subject, &m.text, received);
    let vendor = crate::ops::office::vendor_of_sender(state, org, &m.from.email).await?;
    let purchase = match &h.purchase {
        Some(p) => purchase_ref(state, org, p).await.ok().map(|_| p.clone()),
        None => None,
    };
    let missing = [
        (
            "vendor",
            vendor.is_none(),
            format!("no vendor here has the sender's address {}", m.from.email),
        ),
        (
            "number",
            h.number.is_none(),
            "the message names no invoice number".into(),
        ),
        (
            "amount",
            h.amount.is_none(),
            "the message names no amount due".into(),
        ),
        (
            "due_on",
            h.due_on.is_none(),
            "the message names no due day".into(),
        ),
    ]
    .into_iter()
    .filter(|(_, gone, _)| *gone)
    .map(|(field, _, reason)| MissingField { field, reason })
    .collect();
    Ok(InvoiceSuggestion {
        vendor,
        number: h.number,
        amount: h.amount.map(|a| a.amount()),
        currency: h.amount.map(|a| a.currency.code().to_string()),
        issued_on: received.to_string(),
        due_on: h.due_on.map(|d| d.to_string()),
        purchase,
        vat: h.vat_bp.map(percent),
        missing,
    })
}

/// Basis points as a percentage: `21`, `5.50`.
fn percent(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        (bp / 100).to_string()
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
    }
}

fn given(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Registers the invoice a message carries and links the message to it, in
/// one step: a message becomes at most one invoice.
pub async fn record_from_mail(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: adjutant_core::ids::MailId,
    input: &MailInvoiceInput,
) -> ApiResult<InvoiceView> {
    let (m, _) =
        crate::ops::mail::message(state, caller, org, id, adjutant_core::delegation::Level::Act).await?;
    may_keep(caller, org)?;
    if let Some(done) = m.invoice {
        let number = state
            .store
            .invoice_get(org, done)
            .await
            .map(|i| i.data.number)
            .unwrap_or_default();
        return Err(ApiError::conflict(format!(
            "this message is already registered as invoice {number}"
        )));
    }
    let s = suggest(state, caller, org, &m).await?;
    // What was typed, else what the message says, else the reason it says nothing.
    let need = |field: &str, typed: &Option<String>, read: Option<String>| {
        given(typed).or(read).ok_or_else(|| {
            let why = s
                .missing
                .iter()
                .find(|x| x.field == field)
                .map_or("it is needed", |x| x.reason.as_str());
            ValidationError::field(field, format!("{why}; give one"))
        })
    };
    let vendor = need("vendor", &input.vendor, s.vendor.as_ref().map(|v| v.id.clone()));
    let number = need("number", &input.number, s.number.clone());
    let amount = need("amount", &input.amount, s.amount.clone());
    let due_on = need("due_on", &input.due_on, s.due_on.clone());
    let currency = given(&input.currency).or(s.currency.clone());
    let mut errors: Vec<ValidationError> = [&vendor, &number, &amount, &due_on]
        .into_iter()
        .filter_map(|r| r.as_ref().err().cloned())
        .collect();
    // The amount is checked and split here, so an error names the field the caller typed.
    let vat = given(&input.vat).or(s.vat.clone()).unwrap_or_else(|| "0".into());
    let rate = vat_bp("vat", &vat);
    let mut net = None;
    match (&amount, Currency::parse(currency.as_deref().unwrap_or("EUR"))) {
        (Ok(a), Ok(c)) => match (Money::parse(a, c), &rate) {
            (Err(m), _) => errors.push(ValidationError::field("amount", m)),
            (Ok(gross), Ok(bp)) => match invoice::net_of_gross(gross, *bp) {
                Some(n) => net = Some(n.amount()),
                None => errors.push(ValidationError::field(
                    "amount",
                    format!(
                        "{} {} does not split into a net amount and {}% VAT in whole units; check the amount or the VAT",
                        gross.currency.code(),
                        gross.grouped(),
                        percent(*bp)
                    ),
                )),
            },
            (Ok(_), Err(_)) => {}
        },
        (Ok(_), Err(m)) => errors.push(ValidationError::field("currency", m)),
        // A missing amount is already named.
        (Err(_), _) => {}
    }
    errors.extend(rate.err());
    crate::ops::collect(errors.into_iter().map(Err).collect())?;
    let (Ok(vendor), Ok(number), Some(net), Ok(due_on)) = (vendor, number, net, due_on) else {
        return Err(ApiError::internal());
    };
    let from = m.from.name.clone().unwrap_or_else(|| m.from.email.clone());
    let subject = if m.subject.trim().is_empty() {
        "Invoice"
    } else {
        m.subject.trim()
    };
    let inv = InvoiceInput {
        vendor,
        number,
        issued_on: given(&input.issued_on).unwrap_or(s.issued_on.clone()),
        due_on,
        currency,
        lines: vec![InvoiceLineInput {
            description: subject.chars().take(200).collect(),
            quantity: 1,
            // The amount due, VAT included, split into its net and VAT.
            unit_price: net,
            vat: Some(vat),
        }],
        purchase: given(&input.purchase).or(s.purchase.clone()),
        contract: given(&input.contract),
        category: given(&input.category),
        notes: Some(
            given(&input.notes)
                .unwrap_or_else(|| format!("From mail: “{subject}” from {from}, {}.", s.issued_on)),
        ),
    };
    let d = invoice_data(state, org, &inv).await?;
    let (_, invoice) = state
        .store
        .mail_record_invoice(
            org,
            id,
            &d,
            acting(caller).map(|(p, _)| p),
            &label(caller),
            &caller.audit(Timestamp::now()),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => ApiError::not_found("message"),
            other => other.into(),
        })?;
    let i = hide(state.store.invoice_get(org, invoice).await)?;
    one(state, caller, org, &i).await
}

/// The caller's own mail marked as an invoice and not yet registered (not
/// what was filed as suspect), newest first; empty for those who keep no
/// invoices or have no mailbox yet (none is made by asking).
pub async fn waiting_in_mail(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
) -> ApiResult<Vec<crate::ops::mail::MailItem>> {
    let Caller::Person(a) = caller else {
        return Ok(vec![]);
    };
    if may_keep(caller, org).is_err() {
        return Ok(vec![]);
    }
    let Some(mb) = state.store.mailbox_of(org, a.person.id).await? else {
        return Ok(vec![]);
    };
    let filter = adjutant_store::mail::MailFilter {
        view: adjutant_store::mail::MailView::All,
        office: Some(adjutant_core::mail::screen::OfficeWork::Invoice),
        limit: 50,
        ..Default::default()
    };
    Ok(state
        .store
        .mail_list(org, mb.id, &filter, Timestamp::now())
        .await?
        .iter()
        .filter(|m| m.invoice.is_none() && m.direction == "in")
        .filter(|m| m.category != adjutant_core::mail::triage::Category::Suspect)
        .map(crate::ops::mail::MailItem::from)
        .collect())
}
