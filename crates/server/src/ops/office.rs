//! Vendors and contracts: who supplies the office, on what terms, and the
//! last day to give notice before a contract renews itself.
//!
//! Office managers and administrators manage them; principals and their
//! assistants see them (a leader decides on the big renewals); staff and
//! contractors see nothing of them. "Today" is the caller's own day, in their
//! zone.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::collect;
use crate::ops::duties::today;
use crate::ops::tasks::{Names, PersonRef, person_ref};
use adjutant_core::ValidationError;
use adjutant_core::ids::{ContractId, DocumentId, OrgId, VendorId};
use adjutant_core::office::contract::{self, ContractData, Notice, Period, Standing};
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::office::vendor::{VendorContact, VendorData, normalise_categories};
use adjutant_core::policy::Capability;
use adjutant_store::StoreError;
use adjutant_store::invoices::InvoiceRecord;
use adjutant_store::office::{ContractRecord, DocumentRecord, VendorRecord};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The default alert: a month before the last day to give notice.
pub const DEFAULT_ALERT_DAYS: u32 = 30;
/// The furthest ahead `contracts due` looks.
pub const MAX_DUE_DAYS: i64 = 730;

/// A vendor to add or change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorInput {
    pub name: String,
    /// What they supply: `cleaning`, `catering`, `it`, …
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<ContactSchema>)]
    pub contacts: Vec<VendorContact>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A person to reach at a vendor.
#[derive(Debug, Clone, ToSchema)]
#[allow(dead_code)]
pub struct ContactSchema {
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A contract to add or change. Amounts are decimal text in the currency's
/// units (`4200.00`), never floating point.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractInput {
    pub title: String,
    /// The vendor's id or exact name.
    pub vendor: String,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    /// Who looks after it: a person id or e-mail address.
    #[serde(default)]
    pub owner: Option<String>,
    /// The first day, `2025-01-01`.
    pub start: String,
    /// The initial term in months, 1–120.
    pub term_months: u32,
    /// Whether it renews by itself unless notice is given.
    pub auto_renew: bool,
    /// Each renewal's length in months (default: the initial term's).
    #[serde(default)]
    pub renewal_months: Option<u32>,
    /// The notice period: `3 months`, `30 days`, `6 weeks`.
    pub notice: String,
    /// The price per period, e.g. `4200.00`.
    pub value: String,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    /// month, quarter or year.
    pub value_period: String,
    /// Days before the deadline to raise the alert, 0–365 (default 30).
    #[serde(default)]
    pub alert_days: Option<u32>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// Giving notice on a contract.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// The day notice was given (default: today). Not in the future.
    #[serde(default)]
    pub on: Option<String>,
    /// e.g. `sent by registered mail, ref 123`.
    #[serde(default)]
    pub note: Option<String>,
}

/// An exact amount: minor units, the currency, and the same as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MoneyView {
    pub minor: i64,
    pub currency: String,
    /// `4200.00`
    pub amount: String,
    /// `EUR 4,200.00`
    pub display: String,
}

impl From<Money> for MoneyView {
    fn from(m: Money) -> Self {
        MoneyView {
            minor: m.minor,
            currency: m.currency.code().into(),
            amount: m.amount(),
            display: m.to_string(),
        }
    }
}

/// A vendor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VendorView {
    pub id: String,
    pub name: String,
    pub categories: Vec<String>,
    #[schema(value_type = Vec<ContactSchema>)]
    pub contacts: Vec<VendorContact>,
    pub website: String,
    pub notes: String,
    /// How many contracts it holds.
    pub contracts: i64,
    /// The yearly value of its running contracts, one figure per currency.
    pub annual_value: Vec<MoneyView>,
}

/// A vendor with its contracts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VendorDetail {
    pub vendor: VendorView,
    pub contracts: Vec<ContractView>,
}

/// Something to act on before a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    /// `notice_deadline` or `ends`.
    pub kind: String,
    pub date: String,
    pub days_left: i64,
    pub text: String,
}

/// Notice given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeGivenView {
    pub on: String,
    pub by: Option<PersonRef>,
    pub note: String,
}

/// A vendor, briefly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VendorRef {
    pub id: String,
    pub name: String,
}

/// A contract with where it stands today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractView {
    pub id: String,
    pub title: String,
    pub vendor: VendorRef,
    pub reference: String,
    pub category: String,
    pub owner: Option<PersonRef>,
    pub start: String,
    pub term_months: u32,
    pub auto_renew: bool,
    pub renewal_months: u32,
    /// `3 months`
    pub notice: String,
    pub value: MoneyView,
    pub value_period: String,
    /// The value of the initial term.
    pub term_value: Option<MoneyView>,
    pub annual_value: Option<MoneyView>,
    pub alert_days: u32,
    pub notes: String,
    /// not_started, active, notice_due, terminating, ending or ended.
    pub state: String,
    /// One sentence: `give notice by Wed 30 Sep 2026 (in 12 days) or it renews on Fri 1 Jan 2027`.
    pub summary: String,
    /// The term running today.
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    /// The renewal that happens unless notice is given in time.
    pub renews_on: Option<String>,
    /// The last day to give notice against `renews_on`.
    pub notice_deadline: Option<String>,
    pub days_to_deadline: Option<i64>,
    /// The deadline of the current term, already past.
    pub missed_deadline: Option<String>,
    /// Its last day, when it will end.
    pub ends_on: Option<String>,
    pub notice_given: Option<NoticeGivenView>,
    pub documents: i64,
    /// Alerts within the contract's own alert window.
    pub alerts: Vec<AlertView>,
    /// The value of the term running today.
    pub current_term_value: Option<MoneyView>,
    /// What its invoices (net, not rejected) add up to in that term.
    pub spend: Option<MoneyView>,
    /// `spend` as a share of `current_term_value`, in whole percent.
    pub spend_percent: Option<i64>,
}

/// One thing due on a contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueItem {
    pub contract: ContractView,
    pub alert: AlertView,
}

/// What is due within a window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueView {
    pub today: String,
    pub days: i64,
    pub items: Vec<DueItem>,
}

/// A contract's file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub contract: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub uploaded_by: Option<PersonRef>,
    pub created_at: String,
}

/// A contract with its documents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractDetail {
    pub contract: ContractView,
    pub documents: Vec<DocumentView>,
}

/// Which contracts to list.
#[derive(Debug, Clone, Default)]
pub struct ContractFilter {
    pub vendor: Option<String>,
    /// A state name (`notice_due`, …).
    pub state: Option<String>,
    pub category: Option<String>,
    /// Words in the title, vendor, reference or category.
    pub q: Option<String>,
}

fn may_read(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ViewContracts)
}

fn may_manage(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ManageContracts)
}

use crate::ops::hide;

fn vendor_data(input: &VendorInput) -> ApiResult<VendorData> {
    let d = VendorData {
        name: input.name.split_whitespace().collect::<Vec<_>>().join(" "),
        categories: normalise_categories(&input.categories),
        contacts: input
            .contacts
            .iter()
            .map(|c| VendorContact {
                name: c.name.trim().into(),
                role: c.role.trim().into(),
                email: c.email.trim().into(),
                phone: c.phone.trim().into(),
            })
            .collect(),
        website: input.website.clone().unwrap_or_default().trim().into(),
        notes: input.notes.clone().unwrap_or_default(),
    };
    d.validate()?;
    Ok(d)
}

/// A vendor by id or exact name, in `org`.
pub async fn vendor_ref(state: &AppState, org: OrgId, field: &str, s: &str) -> ApiResult<VendorRecord> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ValidationError::field(field, "name a vendor").into());
    }
    let found = match t.parse::<VendorId>() {
        Ok(id) => state.store.vendor_get(org, id).await,
        Err(_) => state.store.vendor_by_name(org, t).await,
    };
    found.map_err(|e| match e {
        StoreError::NotFound(_) => ValidationError::field(field, format!("no vendor here is `{t}`")).into(),
        other => other.into(),
    })
}

fn parse_date(field: &str, s: &str) -> Result<Date, ValidationError> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| ValidationError::field(field, format!("`{}` is not a date like 2026-12-31", s.trim())))
}

async fn contract_data(state: &AppState, org: OrgId, input: &ContractInput) -> ApiResult<ContractData> {
    // Every field that can be checked without the store, named at once.
    let start = parse_date("start", &input.start);
    let notice = Notice::parse(&input.notice);
    let currency = Currency::parse(&input.currency).map_err(|m| ValidationError::field("currency", m));
    let value = currency
        .clone()
        .ok()
        .map(|c| Money::parse(&input.value, c).map_err(|m| ValidationError::field("value", m)));
    let period = input.value_period.parse::<Period>();
    collect(vec![
        start.as_ref().map(|_| ()).map_err(Clone::clone),
        notice.as_ref().map(|_| ()).map_err(Clone::clone),
        currency.as_ref().map(|_| ()).map_err(Clone::clone),
        value.clone().map_or(Ok(()), |v| v.map(|_| ())),
        period.as_ref().map(|_| ()).map_err(Clone::clone),
    ])?;
    let (Ok(start), Ok(notice), Some(Ok(value)), Ok(value_period)) = (start, notice, value, period) else {
        return Err(ApiError::internal());
    };
    let vendor = vendor_ref(state, org, "vendor", &input.vendor).await?;
    let owner = match input.owner.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(o) => Some(person_ref(state, org, "owner", o).await?.id),
        None => None,
    };
    let d = ContractData {
        title: input.title.trim().into(),
        vendor: vendor.id,
        reference: input.reference.clone().unwrap_or_default().trim().into(),
        category: input.category.clone().unwrap_or_default().trim().to_lowercase(),
        owner,
        start,
        term_months: input.term_months,
        auto_renew: input.auto_renew,
        renewal_months: input.renewal_months.unwrap_or(input.term_months),
        notice,
        value,
        value_period,
        alert_days: input.alert_days.unwrap_or(DEFAULT_ALERT_DAYS),
        notes: input.notes.clone().unwrap_or_default(),
    };
    d.validate()?;
    Ok(d)
}

// ---- views ----

fn alert_view(a: &contract::Alert) -> AlertView {
    AlertView {
        kind: a.kind.into(),
        date: a.date.to_string(),
        days_left: a.days_left,
        text: a.text.clone(),
    }
}

/// The view of a contract on `today`.
pub fn contract_view(
    k: &ContractRecord,
    names: &Names,
    today: Date,
    invoices: &[InvoiceRecord],
) -> ContractView {
    let d = &k.data;
    let given = k.notice_given.as_ref().map(|n| n.on);
    let s: Standing = d.standing(today, given);
    // What its invoices add up to in the term running today, against that term's value.
    let term_value = s.term.and_then(|t| {
        d.value_for_months(if t.index == 0 {
            d.term_months
        } else {
            d.renewal_months
        })
    });
    let spend = s
        .term
        .map(|t| crate::ops::invoices::contract_spend(invoices, k.id, t.start, t.last_day, d.value.currency));
    let spend_percent = spend.zip(term_value).and_then(|(x, v)| x.percent_of(&v));
    let alerts = d
        .alerts(today, i64::from(d.alert_days), given)
        .iter()
        .map(alert_view)
        .collect();
    ContractView {
        id: k.id.to_string(),
        title: d.title.clone(),
        vendor: VendorRef {
            id: d.vendor.to_string(),
            name: k.vendor_name.clone(),
        },
        reference: d.reference.clone(),
        category: d.category.clone(),
        owner: d.owner.map(|p| names.person(p)),
        start: d.start.to_string(),
        term_months: d.term_months,
        auto_renew: d.auto_renew,
        renewal_months: d.renewal_months,
        notice: d.notice.label(),
        value: d.value.into(),
        value_period: d.value_period.to_string(),
        term_value: d.term_value().map(Into::into),
        annual_value: d.annual_value().map(Into::into),
        alert_days: d.alert_days,
        notes: d.notes.clone(),
        state: s.state.to_string(),
        summary: s.summary.clone(),
        term_start: s.term.map(|t| t.start.to_string()),
        term_end: s.term.map(|t| t.last_day.to_string()),
        renews_on: s.renews_on.map(|x| x.to_string()),
        notice_deadline: s.notice_deadline.map(|x| x.to_string()),
        days_to_deadline: s.days_to_deadline,
        missed_deadline: s.missed_deadline.map(|x| x.to_string()),
        ends_on: s.ends_on.map(|x| x.to_string()),
        notice_given: k.notice_given.as_ref().map(|n| NoticeGivenView {
            on: n.on.to_string(),
            by: n.by.map(|p| names.person(p)),
            note: n.note.clone(),
        }),
        documents: k.documents,
        alerts,
        current_term_value: term_value.map(Into::into),
        spend: spend.map(Into::into),
        spend_percent,
    }
}

/// Sums per currency, in currency order.
pub fn totals<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Vec<Money> {
    let mut by: BTreeMap<&'static str, Money> = BTreeMap::new();
    for m in amounts {
        let e = by.entry(m.currency.code()).or_insert(Money::zero(m.currency));
        *e = e.checked_add(*m).unwrap_or(*e);
    }
    by.into_values().collect()
}

fn vendor_view(v: &VendorRecord, contracts: &[ContractRecord], today: Date) -> VendorView {
    let running: Vec<Money> = contracts
        .iter()
        .filter(|k| k.data.vendor == v.id)
        .filter(|k| {
            let s = k.data.standing(today, k.notice_given.as_ref().map(|n| n.on));
            !matches!(s.state, contract::State::Ended)
        })
        .filter_map(|k| k.data.annual_value())
        .collect();
    VendorView {
        id: v.id.to_string(),
        name: v.data.name.clone(),
        categories: v.data.categories.clone(),
        contacts: v.data.contacts.clone(),
        website: v.data.website.clone(),
        notes: v.data.notes.clone(),
        contracts: v.contracts,
        annual_value: totals(&running).into_iter().map(Into::into).collect(),
    }
}

fn document_view(d: &DocumentRecord, names: &Names) -> DocumentView {
    DocumentView {
        id: d.id.to_string(),
        contract: d.contract.to_string(),
        filename: d.filename.clone(),
        content_type: d.content_type.clone(),
        size: d.size,
        sha256: d.sha256.clone(),
        uploaded_by: d.uploaded_by.map(|p| names.person(p)),
        created_at: d.created_at.to_string(),
    }
}

// ---- vendors ----

pub async fn list_vendors(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<Vec<VendorView>> {
    may_read(caller, org)?;
    let vendors = state.store.vendor_list(org).await?;
    let contracts = state.store.contract_list(org, None).await?;
    let today = today(caller);
    Ok(vendors
        .iter()
        .map(|v| vendor_view(v, &contracts, today))
        .collect())
}

pub async fn get_vendor(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: VendorId,
) -> ApiResult<VendorDetail> {
    may_read(caller, org)?;
    let v = hide(state.store.vendor_get(org, id).await, "vendor")?;
    let contracts = state.store.contract_list(org, Some(id)).await?;
    let names = Names::load(state, org).await?;
    let invoices = state.store.invoice_list(org).await?;
    let today = today(caller);
    Ok(VendorDetail {
        vendor: vendor_view(&v, &contracts, today),
        contracts: contracts
            .iter()
            .map(|k| contract_view(k, &names, today, &invoices))
            .collect(),
    })
}

pub async fn create_vendor(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &VendorInput,
) -> ApiResult<VendorView> {
    may_manage(caller, org)?;
    let d = vendor_data(input)?;
    let v = state
        .store
        .vendor_create(org, &d, &caller.audit(Timestamp::now()))
        .await?;
    Ok(vendor_view(&v, &[], today(caller)))
}

pub async fn update_vendor(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: VendorId,
    input: &VendorInput,
) -> ApiResult<VendorView> {
    may_read(caller, org)?;
    hide(state.store.vendor_get(org, id).await, "vendor")?;
    may_manage(caller, org)?;
    let d = vendor_data(input)?;
    let v = state
        .store
        .vendor_update(org, id, &d, &caller.audit(Timestamp::now()))
        .await?;
    let contracts = state.store.contract_list(org, Some(id)).await?;
    Ok(vendor_view(&v, &contracts, today(caller)))
}

pub async fn delete_vendor(state: &AppState, caller: &Caller, org: OrgId, id: VendorId) -> ApiResult<()> {
    may_read(caller, org)?;
    hide(state.store.vendor_get(org, id).await, "vendor")?;
    may_manage(caller, org)?;
    state
        .store
        .vendor_delete(org, id, &caller.audit(Timestamp::now()))
        .await?;
    Ok(())
}

// ---- contracts ----

/// Contracts matching `filter`, by vendor and title, as they stand today.
pub async fn list_contracts(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    filter: &ContractFilter,
) -> ApiResult<Vec<ContractView>> {
    may_read(caller, org)?;
    let vendor = match filter.vendor.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(v) => Some(vendor_ref(state, org, "vendor", v).await?.id),
        None => None,
    };
    let wanted_state = match filter.state.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(s.parse::<contract::State>()?),
        None => None,
    };
    let category = filter
        .category
        .as_deref()
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty());
    let words: Vec<String> = filter
        .q
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let contracts = state.store.contract_list(org, vendor).await?;
    let names = Names::load(state, org).await?;
    let invoices = state.store.invoice_list(org).await?;
    let today = today(caller);
    Ok(contracts
        .iter()
        .map(|k| contract_view(k, &names, today, &invoices))
        .filter(|v| wanted_state.is_none_or(|s| v.state == s.as_str()))
        .filter(|v| category.as_deref().is_none_or(|c| v.category == c))
        .filter(|v| {
            let hay = format!("{} {} {} {}", v.title, v.vendor.name, v.reference, v.category).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect())
}

pub async fn get_contract(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ContractId,
) -> ApiResult<ContractDetail> {
    may_read(caller, org)?;
    let k = hide(state.store.contract_get(org, id).await, "contract")?;
    let docs = state.store.documents_of(org, id).await?;
    let names = Names::load(state, org).await?;
    Ok(ContractDetail {
        contract: contract_view(&k, &names, today(caller), &state.store.invoice_list(org).await?),
        documents: docs.iter().map(|d| document_view(d, &names)).collect(),
    })
}

async fn answer(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    k: &ContractRecord,
) -> ApiResult<ContractView> {
    let names = Names::load(state, org).await?;
    Ok(contract_view(
        k,
        &names,
        today(caller),
        &state.store.invoice_list(org).await?,
    ))
}

pub async fn create_contract(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &ContractInput,
) -> ApiResult<ContractView> {
    may_manage(caller, org)?;
    let d = contract_data(state, org, input).await?;
    let k = state
        .store
        .contract_create(org, &d, &caller.audit(Timestamp::now()))
        .await?;
    answer(state, caller, org, &k).await
}

pub async fn update_contract(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ContractId,
    input: &ContractInput,
) -> ApiResult<ContractView> {
    may_read(caller, org)?;
    hide(state.store.contract_get(org, id).await, "contract")?;
    may_manage(caller, org)?;
    let d = contract_data(state, org, input).await?;
    let k = state
        .store
        .contract_update(org, id, &d, &caller.audit(Timestamp::now()))
        .await?;
    answer(state, caller, org, &k).await
}

pub async fn delete_contract(state: &AppState, caller: &Caller, org: OrgId, id: ContractId) -> ApiResult<()> {
    may_read(caller, org)?;
    hide(state.store.contract_get(org, id).await, "contract")?;
    may_manage(caller, org)?;
    state
        .store
        .contract_delete(org, id, &caller.audit(Timestamp::now()))
        .await?;
    Ok(())
}

/// Records that notice was given (today unless said otherwise; never in the future).
pub async fn give_notice(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ContractId,
    input: &NoticeInput,
) -> ApiResult<ContractView> {
    may_read(caller, org)?;
    let k = hide(state.store.contract_get(org, id).await, "contract")?;
    may_manage(caller, org)?;
    let today = today(caller);
    let on = match input.on.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date("on", s)?,
        None => today,
    };
    if on > today {
        return Err(ValidationError::field(
            "on",
            format!("{on} is in the future; record notice once it is given"),
        )
        .into());
    }
    if on < k.data.start {
        return Err(ValidationError::field(
            "on",
            format!("{on} is before the contract starts ({})", k.data.start),
        )
        .into());
    }
    let note = input.note.clone().unwrap_or_default();
    if note.chars().count() > 1_000 {
        return Err(ValidationError::field("note", "must be at most 1000 characters").into());
    }
    if let Some(n) = &k.notice_given {
        return Err(ApiError::conflict(format!(
            "notice was already given on {}; withdraw it first to record another date",
            n.on
        )));
    }
    let k = state
        .store
        .contract_set_notice(org, id, Some((on, note.trim())), &caller.audit(Timestamp::now()))
        .await?;
    answer(state, caller, org, &k).await
}

/// Withdraws recorded notice (it was entered by mistake, or the vendor agreed to continue).
pub async fn withdraw_notice(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ContractId,
) -> ApiResult<ContractView> {
    may_read(caller, org)?;
    let k = hide(state.store.contract_get(org, id).await, "contract")?;
    may_manage(caller, org)?;
    if k.notice_given.is_none() {
        return Err(ApiError::conflict("no notice has been given on this contract"));
    }
    let k = state
        .store
        .contract_set_notice(org, id, None, &caller.audit(Timestamp::now()))
        .await?;
    answer(state, caller, org, &k).await
}

/// Every notice deadline and contract end within `days` of today, soonest first.
pub async fn contracts_due(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    days: Option<i64>,
) -> ApiResult<DueView> {
    may_read(caller, org)?;
    let days = days.unwrap_or(60);
    if !(0..=MAX_DUE_DAYS).contains(&days) {
        return Err(ValidationError::field("days", format!("{days} is not 0 to {MAX_DUE_DAYS}")).into());
    }
    let contracts = state.store.contract_list(org, None).await?;
    let names = Names::load(state, org).await?;
    let invoices = state.store.invoice_list(org).await?;
    let today = today(caller);
    let mut items = Vec::new();
    for k in &contracts {
        let given = k.notice_given.as_ref().map(|n| n.on);
        let alerts = k.data.alerts(today, days, given);
        if alerts.is_empty() {
            continue;
        }
        let view = contract_view(k, &names, today, &invoices);
        for a in &alerts {
            items.push(DueItem {
                contract: view.clone(),
                alert: alert_view(a),
            });
        }
    }
    items.sort_by(|a, b| {
        a.alert
            .date
            .cmp(&b.alert.date)
            .then_with(|| a.contract.title.cmp(&b.contract.title))
    });
    Ok(DueView {
        today: today.to_string(),
        days,
        items,
    })
}

// ---- documents ----

pub async fn upload_document(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ContractId,
    filename: &str,
    bytes: &[u8],
) -> ApiResult<DocumentView> {
    may_read(caller, org)?;
    hide(state.store.contract_get(org, id).await, "contract")?;
    may_manage(caller, org)?;
    let kind = adjutant_core::meetings::check_material(filename, bytes)?;
    let sha = data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(bytes));
    let d = state
        .store
        .document_add(
            org,
            id,
            &kind.filename,
            kind.content_type,
            &sha,
            bytes,
            &caller.audit(Timestamp::now()),
        )
        .await?;
    let names = Names::load(state, org).await?;
    Ok(document_view(&d, &names))
}

pub async fn download_document(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    contract: ContractId,
    id: DocumentId,
) -> ApiResult<(DocumentRecord, Vec<u8>)> {
    may_read(caller, org)?;
    hide(state.store.document_get(org, contract, id).await, "document")
}

pub async fn delete_document(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    contract: ContractId,
    id: DocumentId,
) -> ApiResult<()> {
    may_read(caller, org)?;
    hide(state.store.document_get(org, contract, id).await, "document")?;
    may_manage(caller, org)?;
    state
        .store
        .document_delete(org, contract, id, &caller.audit(Timestamp::now()))
        .await?;
    Ok(())
}

// ---- CSV ----

/// The contracts as CSV, one row each, with the dates that matter.
pub fn contracts_csv(rows: &[ContractView]) -> String {
    let mut out = csv_line(&[
        "title",
        "vendor",
        "reference",
        "category",
        "owner",
        "start",
        "term_months",
        "auto_renew",
        "renewal_months",
        "notice",
        "value",
        "currency",
        "value_period",
        "annual_value",
        "state",
        "notice_deadline",
        "days_to_deadline",
        "renews_on",
        "ends_on",
        "notice_given_on",
    ]);
    for v in rows {
        out.push_str(&csv_line(&[
            &v.title,
            &v.vendor.name,
            &v.reference,
            &v.category,
            v.owner.as_ref().map_or("", |o| o.name.as_str()),
            &v.start,
            &v.term_months.to_string(),
            if v.auto_renew { "yes" } else { "no" },
            &v.renewal_months.to_string(),
            &v.notice,
            &v.value.amount,
            &v.value.currency,
            &v.value_period,
            v.annual_value.as_ref().map_or("", |m| m.amount.as_str()),
            &v.state,
            v.notice_deadline.as_deref().unwrap_or(""),
            &v.days_to_deadline.map(|d| d.to_string()).unwrap_or_default(),
            v.renews_on.as_deref().unwrap_or(""),
            v.ends_on.as_deref().unwrap_or(""),
            v.notice_given.as_ref().map_or("", |n| n.on.as_str()),
        ]));
    }
    out
}

/// The vendors as CSV.
pub fn vendors_csv(rows: &[VendorView]) -> String {
    let mut out = csv_line(&[
        "name",
        "categories",
        "contacts",
        "emails",
        "website",
        "contracts",
        "annual_value",
    ]);
    for v in rows {
        out.push_str(&csv_line(&[
            &v.name,
            &v.categories.join("; "),
            &v.contacts
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            &v.contacts
                .iter()
                .map(|c| c.email.as_str())
                .filter(|e| !e.is_empty())
                .collect::<Vec<_>>()
                .join("; "),
            &v.website,
            &v.contracts.to_string(),
            &v.annual_value
                .iter()
                .map(|m| m.display.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ]));
    }
    out
}

/// One CSV record (RFC 4180, written by the `csv` crate). A field a
/// spreadsheet would run as a formula is prefixed with `'`.
pub fn csv_line(fields: &[&str]) -> String {
    let cells = fields.iter().map(|f| {
        if f.starts_with(['=', '+', '-', '@']) && f.parse::<f64>().is_err() {
            format!("'{f}")
        } else {
            (*f).to_string()
        }
    });
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(cells);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(
            csv_line(&["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            csv_line(&["=HYPERLINK(1)", "-12.50"]),
            "'=HYPERLINK(1),-12.50\r\n"
        );
    }
}

// ---------------------------------------------------------------------------
// Mail about vendors
// ---------------------------------------------------------------------------

fn domain_of(address: &str) -> Option<String> {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_lowercase())
        .filter(|d| !d.is_empty())
}

/// The vendor a sender writes for: the one whose contact has the address,
/// else the only one whose contacts or website share its domain.
pub async fn vendor_of_sender(state: &AppState, org: OrgId, from: &str) -> ApiResult<Option<VendorRef>> {
    let from = from.trim().to_lowercase();
    let vendors = state.store.vendor_list(org).await?;
    let r = |v: &VendorRecord| VendorRef {
        id: v.id.to_string(),
        name: v.data.name.clone(),
    };
    if let Some(v) = vendors.iter().find(|v| {
        v.data
            .contacts
            .iter()
            .any(|c| c.email.trim().eq_ignore_ascii_case(&from))
    }) {
        return Ok(Some(r(v)));
    }
    let Some(domain) = domain_of(&from) else {
        return Ok(None);
    };
    let same: Vec<_> = vendors
        .iter()
        .filter(|v| {
            v.data
                .contacts
                .iter()
                .any(|c| domain_of(&c.email).as_deref() == Some(domain.as_str()))
                || v.data
                    .website
                    .to_lowercase()
                    .split("://")
                    .last()
                    .map(|h| h.split('/').next().unwrap_or(""))
                    .is_some_and(|h| h.trim_start_matches("www.") == domain)
        })
        .collect();
    Ok(match same.as_slice() {
        [one] => Some(r(one)),
        _ => None,
    })
}

/// A contract as a message about it needs it: what it is and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractBrief {
    pub id: String,
    pub title: String,
    /// not_started, active, notice_due, terminating, ending or ended.
    pub state: String,
    /// `give notice by Wed 30 Sep 2026 (in 12 days) or it renews on Fri 1 Jan 2027`.
    pub summary: String,
    pub notice_deadline: Option<String>,
    pub days_to_deadline: Option<i64>,
}

/// For a message about a contract (marked `contract`): the vendor the sender
/// writes for and the contracts held with it, each with its notice standing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailContracts {
    pub vendor: Option<VendorRef>,
    pub contracts: Vec<ContractBrief>,
}

/// What the office holds with the sender of a message marked `contract`;
/// `None` for other messages and for those who do not see contracts.
pub async fn contracts_for_mail(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    m: &adjutant_store::mail::MailRecord,
) -> ApiResult<Option<MailContracts>> {
    if m.office != Some(adjutant_core::mail::screen::OfficeWork::Contract) || may_read(caller, org).is_err() {
        return Ok(None);
    }
    let Some(vendor) = vendor_of_sender(state, org, &m.from.email).await? else {
        return Ok(Some(MailContracts {
            vendor: None,
            contracts: vec![],
        }));
    };
    let filter = ContractFilter {
        vendor: Some(vendor.id.clone()),
        ..ContractFilter::default()
    };
    let contracts = list_contracts(state, caller, org, &filter)
        .await?
        .into_iter()
        .map(|k| ContractBrief {
            id: k.id,
            title: k.title,
            state: k.state,
            summary: k.summary,
            notice_deadline: k.notice_deadline,
            days_to_deadline: k.days_to_deadline,
        })
        .collect();
    Ok(Some(MailContracts {
        vendor: Some(vendor),
        contracts,
    }))
}
