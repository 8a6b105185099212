//! Office pages: the office dashboard (notice deadlines and endings coming,
//! contracts by state, yearly value per category drawn as SVG), vendors and
//! their contacts, contracts with their timeline, notice and documents; the
//! stock room with what is low, taking, receiving and counting.
//!
//! Handlers parse forms, call `ops::office` (which authorises and holds the
//! rules) and render. A refused form comes back with what was typed and every
//! fault named.

use super::calendar::{Opt, one_error, opts, parse_path_id, trimmed, viewer_zone};
use super::pages::{caller, form_pairs, is_user_error, validation_errors};
use super::tasks::{named, people_opts, status_for};
use super::{Layout, WebError, WebResult, render_status};
use crate::app::AppState;
use crate::auth::{AuthCtx, WebAuth};
use crate::ops::budgets::{self as budget_ops, BudgetInput, BudgetStatus};
use crate::ops::invoices::{
    self as invoice_ops, InvoiceActInput, InvoiceFilter, InvoiceInput, InvoiceLineInput, InvoiceView,
};
use crate::ops::office::{
    self as ops, ContractFilter, ContractInput, ContractView, DocumentView, NoticeInput, VendorInput,
    VendorView,
};
use crate::ops::purchases::{self as purchase_ops, LineInput, PurchaseFilter, PurchaseInput, PurchaseView};
use crate::ops::stock::{self as stock_ops, MovementInput, StockFilter, StockInput, StockView};
use adjutant_core::FieldError;
use adjutant_core::ids::{ContractId, DocumentId, InvoiceId, PurchaseId, StockItemId, VendorId};
use adjutant_core::meetings::MAX_MATERIAL_BYTES;
use adjutant_core::office::contract::State as ContractState;
use adjutant_core::office::purchase::Status as PurchaseStatus;
use adjutant_core::office::stock::MovementKind;
use adjutant_core::office::vendor::VendorContact;
use adjutant_core::policy::Capability;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The most the document upload form may carry: a file at its limit and room for the form around it.
pub const DOCUMENT_FORM_LIMIT: usize = MAX_MATERIAL_BYTES + 64 * 1024;

/// How far ahead the dashboard looks for deadlines.
const DASHBOARD_DAYS: i64 = 90;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

fn layout_manages_assets(auth: &AuthCtx) -> bool {
    caller(auth).may(auth.org(), Capability::ManageAssets).is_ok()
}

fn can_manage(auth: &AuthCtx) -> bool {
    caller(auth).may(auth.org(), Capability::ManageContracts).is_ok()
}

/// `in 12 days` / `today` / `3 days ago`.
fn days_text(n: i64) -> String {
    adjutant_core::office::contract::in_days(n)
}

/// `Wed 30 Sep 2026` from an ISO date.
fn date_text(iso: &str) -> String {
    iso.parse::<Date>()
        .map(adjutant_core::office::contract::fmt_date)
        .unwrap_or_else(|_| iso.to_string())
}

/// The sentence with its first letter in capitals.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn state_label(s: &str) -> &'static str {
    match s {
        "not_started" => "not started",
        "notice_due" => "notice due",
        "terminating" => "notice given",
        "ending" => "ending",
        "ended" => "ended",
        _ => "active",
    }
}

/// A contract as a table row.
pub struct ContractRow {
    pub id: String,
    pub title: String,
    pub vendor: String,
    pub vendor_id: String,
    pub category: String,
    pub state: String,
    pub state_label: &'static str,
    pub urgent: bool,
    pub summary: String,
    pub deadline: String,
    pub value: String,
    pub annual: String,
    pub owner: String,
    /// `EUR 47,376.00 of EUR 50,400.00 this term (94%)`, when invoices are linked.
    pub spend: String,
    pub spend_bar: u32,
}

fn contract_row(v: &ContractView) -> ContractRow {
    let deadline = match (&v.notice_deadline, v.days_to_deadline, &v.ends_on) {
        (Some(d), Some(n), _) => format!("{} ({})", date_text(d), days_text(n)),
        (None, _, Some(e)) => format!("ends {}", date_text(e)),
        _ => String::new(),
    };
    ContractRow {
        id: v.id.clone(),
        title: v.title.clone(),
        vendor: v.vendor.name.clone(),
        vendor_id: v.vendor.id.clone(),
        category: v.category.clone(),
        state: v.state.clone(),
        state_label: state_label(&v.state),
        urgent: matches!(v.state.as_str(), "notice_due" | "ending"),
        summary: capitalised(&v.summary),
        deadline,
        value: format!("{} / {}", v.value.display, v.value_period),
        annual: v
            .annual_value
            .as_ref()
            .map(|m| m.display.clone())
            .unwrap_or_default(),
        owner: v.owner.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        spend: match (&v.spend, &v.current_term_value, v.spend_percent) {
            (Some(s), Some(t), Some(p)) if s.minor > 0 => {
                format!("{} of {} this term ({p}%)", s.display, t.display)
            }
            _ => String::new(),
        },
        spend_bar: u32::try_from(v.spend_percent.unwrap_or(0).clamp(0, 100)).unwrap_or(0),
    }
}

// ---------------------------------------------------------------------------
// The office dashboard
// ---------------------------------------------------------------------------

pub struct DueRow {
    pub spend: String,
    pub contract_id: String,
    pub title: String,
    pub vendor: String,
    pub when: String,
    pub soon: bool,
    pub text: String,
    pub value: String,
}

pub struct CategoryBar {
    pub name: String,
    pub amount: String,
    pub width: u32,
    pub y: u32,
    pub text_y: u32,
}

pub struct StateCount {
    pub key: String,
    pub label: &'static str,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "office.html")]
struct OfficePage {
    layout: Layout,
    days: i64,
    due: Vec<DueRow>,
    states: Vec<StateCount>,
    bars: Vec<CategoryBar>,
    chart_height: u32,
    currency: String,
    vendors: usize,
    contracts: usize,
    /// Stock at or below its reorder point, with the order to place.
    low_stock: Vec<StockView>,
    /// Purchases waiting for approval.
    waiting: Vec<PurchaseRow>,
    /// Expense reports waiting for the viewer's approval.
    expense_reports: Vec<super::expenses::ReportRow>,
    /// Invoices not yet paid, the soonest due first.
    invoices: Vec<InvoiceView>,
    /// This quarter's budgets as bars.
    budget_label: String,
    budget_bars: Vec<BudgetBar>,
    /// Today's bookings of rooms, desks and equipment (released ones too: the no-shows).
    bookings: Vec<crate::ops::spaces::BookingView>,
    /// Overdue returns and warranties and licences ending soon (asset managers only).
    asset_alerts: Vec<super::assets::DashboardRow>,
    manages_assets: bool,
}

pub async fn dashboard(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let c = caller(&auth);
    let org = auth.org();
    let due = ops::contracts_due(&state, &c, org, Some(DASHBOARD_DAYS)).await?;
    let all = ops::list_contracts(&state, &c, org, &ContractFilter::default()).await?;
    let vendors = ops::list_vendors(&state, &c, org).await?;
    let due_rows = due
        .items
        .iter()
        .map(|i| DueRow {
            spend: contract_row(&i.contract).spend,
            contract_id: i.contract.id.clone(),
            title: i.contract.title.clone(),
            vendor: i.contract.vendor.name.clone(),
            when: format!("{} ({})", date_text(&i.alert.date), days_text(i.alert.days_left)),
            soon: i.alert.days_left <= 30,
            text: i.alert.text.clone(),
            value: i
                .contract
                .annual_value
                .as_ref()
                .map(|m| format!("{} a year", m.display))
                .unwrap_or_default(),
        })
        .collect();
    let states = ContractState::ALL
        .iter()
        .map(|s| StateCount {
            key: s.as_str().to_string(),
            label: state_label(s.as_str()),
            count: all.iter().filter(|k| k.state == s.as_str()).count(),
        })
        .filter(|s| s.count > 0)
        .collect();
    // Yearly value of running contracts per category, in the most used currency.
    let currency = {
        let mut n: BTreeMap<&str, usize> = BTreeMap::new();
        for k in &all {
            *n.entry(k.value.currency.as_str()).or_default() += 1;
        }
        n.into_iter()
            .max_by_key(|(_, c)| *c)
            .map(|(c, _)| c.to_string())
            .unwrap_or_else(|| "EUR".into())
    };
    let mut per: BTreeMap<String, Vec<adjutant_core::office::money::Money>> = BTreeMap::new();
    for k in all
        .iter()
        .filter(|k| k.state != "ended" && k.value.currency == currency)
    {
        if let (Some(a), Ok(cur)) = (
            &k.annual_value,
            adjutant_core::office::money::Currency::parse(&k.value.currency),
        ) {
            let cat = if k.category.is_empty() {
                "other".to_string()
            } else {
                k.category.clone()
            };
            per.entry(cat)
                .or_default()
                .push(adjutant_core::office::money::Money::new(a.minor, cur));
        }
    }
    let mut sums: Vec<(String, adjutant_core::office::money::Money)> = per
        .into_iter()
        .filter_map(|(k, v)| ops::totals(&v).into_iter().next().map(|m| (k, m)))
        .collect();
    sums.sort_by(|a, b| b.1.minor.cmp(&a.1.minor).then_with(|| a.0.cmp(&b.0)));
    let most = sums.first().map(|s| s.1.minor).unwrap_or(1).max(1);
    let bars: Vec<CategoryBar> = sums
        .iter()
        .enumerate()
        .map(|(i, (name, m))| CategoryBar {
            name: name.clone(),
            amount: m.to_string(),
            width: u32::try_from((i128::from(m.minor) * 400 / i128::from(most)).max(2)).unwrap_or(400),
            y: 28 * i as u32,
            text_y: 28 * i as u32 + 15,
        })
        .collect();
    let budget_status = budget_ops::status(&state, &c, org, None).await?;
    let page = OfficePage {
        layout: Layout::new(&state, &auth, "office", q.notice.as_deref()).await?,
        days: DASHBOARD_DAYS,
        due: due_rows,
        states,
        chart_height: (bars.len() as u32 * 28).max(28),
        bars,
        currency,
        vendors: vendors.len(),
        contracts: all.len(),
        low_stock: stock_ops::list_stock(
            &state,
            &c,
            org,
            &StockFilter {
                low: true,
                ..StockFilter::default()
            },
        )
        .await?,
        waiting: purchase_ops::list_purchases(
            &state,
            &c,
            org,
            &PurchaseFilter {
                status: Some("waiting".into()),
                q: None,
            },
        )
        .await?
        .iter()
        .map(purchase_row)
        .collect(),
        expense_reports: super::expenses::waiting_for(&state, &auth).await?,
        invoices: invoice_ops::list_invoices(
            &state,
            &c,
            org,
            &InvoiceFilter {
                status: Some("unpaid".into()),
                ..InvoiceFilter::default()
            },
        )
        .await?,
        budget_label: budget_status.label.clone(),
        budget_bars: budget_bars(&budget_status),
        bookings: crate::ops::spaces::today(&state, &c, org, &viewer_zone(&auth)).await?,
        asset_alerts: super::assets::dashboard_rows(&state, &auth).await?,
        manages_assets: layout_manages_assets(&auth),
    };
    Ok(render_status(status_for(&[]), &page))
}

// ---------------------------------------------------------------------------
// Vendors
// ---------------------------------------------------------------------------

#[derive(Default, Clone)]
pub struct VendorForm {
    pub name: String,
    pub categories: String,
    /// One contact per line: `Name <email>, phone, role`.
    pub contacts: String,
    pub website: String,
    pub notes: String,
}

impl VendorForm {
    fn from_pairs(f: &[(String, String)]) -> Self {
        VendorForm {
            name: trimmed(f, "name"),
            categories: trimmed(f, "categories"),
            contacts: trimmed(f, "contacts"),
            website: trimmed(f, "website"),
            notes: trimmed(f, "notes"),
        }
    }

    fn of(v: &VendorView) -> Self {
        VendorForm {
            name: v.name.clone(),
            categories: v.categories.join(", "),
            contacts: v.contacts.iter().map(contact_line).collect::<Vec<_>>().join("\n"),
            website: v.website.clone(),
            notes: v.notes.clone(),
        }
    }

    fn input(&self) -> VendorInput {
        VendorInput {
            name: self.name.clone(),
            categories: self.categories.split(',').map(str::to_string).collect(),
            contacts: self
                .contacts
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(parse_contact)
                .collect(),
            website: Some(self.website.clone()),
            notes: Some(self.notes.clone()),
        }
    }
}

/// `Anouk de Vries <anouk@sparkle.example>, +31 20 555 0101, account manager`.
pub fn contact_line(c: &VendorContact) -> String {
    let mut s = c.name.clone();
    if !c.email.is_empty() {
        s.push_str(&format!(" <{}>", c.email));
    }
    for extra in [&c.phone, &c.role] {
        if !extra.is_empty() {
            s.push_str(&format!(", {extra}"));
        }
    }
    s
}

/// The inverse of [`contact_line`]; what does not fit stays in the name, so validation names it.
pub fn parse_contact(line: &str) -> VendorContact {
    let mut parts = line.split(',').map(str::trim);
    let head = parts.next().unwrap_or("");
    let (name, email) = match (head.find('<'), head.rfind('>')) {
        (Some(a), Some(b)) if a < b => (head[..a].trim().to_string(), head[a + 1..b].trim().to_string()),
        _ if head.contains('@') && !head.contains(' ') => (head.to_string(), head.to_string()),
        _ => (head.to_string(), String::new()),
    };
    VendorContact {
        name,
        email,
        phone: parts.next().unwrap_or("").to_string(),
        role: parts.collect::<Vec<_>>().join(", "),
    }
}

pub struct VendorRow {
    pub id: String,
    pub name: String,
    pub categories: String,
    pub contact: String,
    pub contracts: i64,
    pub annual: String,
}

#[derive(Template)]
#[template(path = "vendors.html")]
struct VendorsPage {
    layout: Layout,
    vendors: Vec<VendorRow>,
    can_manage: bool,
    form: VendorForm,
    errors: Vec<FieldError>,
}

async fn vendors_render(
    state: &AppState,
    auth: &AuthCtx,
    notice: Option<&str>,
    form: Option<VendorForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let list = ops::list_vendors(state, &caller(auth), auth.org()).await?;
    let vendors = list
        .iter()
        .map(|v| VendorRow {
            id: v.id.clone(),
            name: v.name.clone(),
            categories: v.categories.join(", "),
            contact: v.contacts.first().map(contact_line).unwrap_or_default(),
            contracts: v.contracts,
            annual: v
                .annual_value
                .iter()
                .map(|m| m.display.clone())
                .collect::<Vec<_>>()
                .join(" + "),
        })
        .collect();
    let page = VendorsPage {
        layout: Layout::new(state, auth, "vendors", notice).await?,
        vendors,
        can_manage: can_manage(auth),
        form: form.unwrap_or_default(),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn vendors(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    vendors_render(&state, &auth, q.notice.as_deref(), None, vec![]).await
}

pub async fn vendor_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let form = VendorForm::from_pairs(&form_pairs(&body));
    match ops::create_vendor(&state, &caller(&auth), auth.org(), &form.input()).await {
        Ok(v) => Ok(Redirect::to(&format!("/office/vendors/{}?notice=vendor-added", v.id)).into_response()),
        Err(e) if is_user_error(&e) => {
            vendors_render(&state, &auth, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Template)]
#[template(path = "vendor.html")]
struct VendorPage {
    layout: Layout,
    vendor: VendorView,
    contacts: Vec<String>,
    annual: String,
    contracts: Vec<ContractRow>,
    can_manage: bool,
    form: VendorForm,
    errors: Vec<FieldError>,
}

async fn vendor_render(
    state: &AppState,
    auth: &AuthCtx,
    id: VendorId,
    notice: Option<&str>,
    form: Option<VendorForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let d = ops::get_vendor(state, &caller(auth), auth.org(), id).await?;
    let page = VendorPage {
        layout: Layout::new(state, auth, "vendors", notice).await?,
        contacts: d.vendor.contacts.iter().map(contact_line).collect(),
        annual: d
            .vendor
            .annual_value
            .iter()
            .map(|m| m.display.clone())
            .collect::<Vec<_>>()
            .join(" + "),
        contracts: d.contracts.iter().map(contract_row).collect(),
        can_manage: can_manage(auth),
        form: form.unwrap_or_else(|| VendorForm::of(&d.vendor)),
        vendor: d.vendor,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn vendor_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: VendorId = parse_path_id(&id, "vendor")?;
    vendor_render(&state, &auth, id, q.notice.as_deref(), None, vec![]).await
}

pub async fn vendor_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: VendorId = parse_path_id(&id, "vendor")?;
    let form = VendorForm::from_pairs(&form_pairs(&body));
    match ops::update_vendor(&state, &caller(&auth), auth.org(), id, &form.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/office/vendors/{id}?notice=vendor-saved")).into_response()),
        Err(e) if is_user_error(&e) => {
            vendor_render(&state, &auth, id, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn vendor_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: VendorId = parse_path_id(&id, "vendor")?;
    match ops::delete_vendor(&state, &caller(&auth), auth.org(), id).await {
        Ok(()) => Ok(Redirect::to("/office/vendors?notice=vendor-deleted").into_response()),
        Err(e) if is_user_error(&e) => {
            vendor_render(&state, &auth, id, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ContractsQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Clone)]
pub struct ContractForm {
    pub title: String,
    pub vendor: String,
    pub reference: String,
    pub category: String,
    pub owner: String,
    pub start: String,
    pub term_months: String,
    pub auto_renew: bool,
    pub renewal_months: String,
    pub notice: String,
    pub value: String,
    pub currency: String,
    pub value_period: String,
    pub alert_days: String,
    pub notes: String,
}

impl Default for ContractForm {
    fn default() -> Self {
        ContractForm {
            title: String::new(),
            vendor: String::new(),
            reference: String::new(),
            category: String::new(),
            owner: String::new(),
            start: String::new(),
            term_months: "12".into(),
            auto_renew: true,
            renewal_months: String::new(),
            notice: "3 months".into(),
            value: String::new(),
            currency: "EUR".into(),
            value_period: "month".into(),
            alert_days: "30".into(),
            notes: String::new(),
        }
    }
}

impl ContractForm {
    fn from_pairs(f: &[(String, String)]) -> Self {
        ContractForm {
            title: trimmed(f, "title"),
            vendor: trimmed(f, "vendor"),
            reference: trimmed(f, "reference"),
            category: trimmed(f, "category"),
            owner: trimmed(f, "owner"),
            start: trimmed(f, "start"),
            term_months: trimmed(f, "term_months"),
            auto_renew: f.iter().any(|(k, v)| k == "auto_renew" && v != "no"),
            renewal_months: trimmed(f, "renewal_months"),
            notice: trimmed(f, "notice"),
            value: trimmed(f, "value"),
            currency: trimmed(f, "currency"),
            value_period: trimmed(f, "value_period"),
            alert_days: trimmed(f, "alert_days"),
            notes: trimmed(f, "notes"),
        }
    }

    fn of(v: &ContractView) -> Self {
        ContractForm {
            title: v.title.clone(),
            vendor: v.vendor.id.clone(),
            reference: v.reference.clone(),
            category: v.category.clone(),
            owner: v.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default(),
            start: v.start.clone(),
            term_months: v.term_months.to_string(),
            auto_renew: v.auto_renew,
            renewal_months: v.renewal_months.to_string(),
            notice: v.notice.clone(),
            value: v.value.amount.clone(),
            currency: v.value.currency.clone(),
            value_period: v.value_period.clone(),
            alert_days: v.alert_days.to_string(),
            notes: v.notes.clone(),
        }
    }

    /// The input, or every number that is not one.
    fn input(&self) -> Result<ContractInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut number = |field: &str, s: &str, required: bool| -> Option<u32> {
            if s.is_empty() && !required {
                return None;
            }
            match s.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(one_error(field, format!("`{s}` is not a whole number")));
                    None
                }
            }
        };
        let term = number("term_months", &self.term_months, true);
        let renewal = number("renewal_months", &self.renewal_months, false);
        let alert = number("alert_days", &self.alert_days, false);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ContractInput {
            title: self.title.clone(),
            vendor: self.vendor.clone(),
            reference: Some(self.reference.clone()),
            category: Some(self.category.clone()),
            owner: Some(self.owner.clone()),
            start: self.start.clone(),
            term_months: term.unwrap_or(0),
            auto_renew: self.auto_renew,
            renewal_months: renewal,
            notice: self.notice.clone(),
            value: self.value.clone(),
            currency: self.currency.clone(),
            value_period: self.value_period.clone(),
            alert_days: alert,
            notes: Some(self.notes.clone()),
        })
    }
}

const PERIODS: &[(&str, &str)] = &[
    ("month", "per month"),
    ("quarter", "per quarter"),
    ("year", "per year"),
];

struct ContractChoices {
    vendors: Vec<Opt>,
    owners: Vec<Opt>,
    periods: Vec<Opt>,
}

async fn contract_choices(
    state: &AppState,
    auth: &AuthCtx,
    form: &ContractForm,
) -> Result<ContractChoices, WebError> {
    let c = caller(auth);
    let list = ops::list_vendors(state, &c, auth.org()).await?;
    let mut vendors = vec![Opt {
        value: String::new(),
        label: "Choose a vendor".into(),
        selected: form.vendor.is_empty(),
    }];
    vendors.extend(list.iter().map(|v| Opt {
        selected: form.vendor == v.id || form.vendor.eq_ignore_ascii_case(&v.name),
        value: v.id.clone(),
        label: v.name.clone(),
    }));
    let people = crate::ops::list_people(state, &c, auth.org()).await?;
    Ok(ContractChoices {
        vendors,
        owners: people_opts(&people, std::slice::from_ref(&form.owner), &[], Some("No one")),
        periods: opts(PERIODS, &form.value_period),
    })
}

#[derive(Template)]
#[template(path = "contracts.html")]
struct ContractsPage {
    layout: Layout,
    contracts: Vec<ContractRow>,
    states: Vec<Opt>,
    categories: Vec<Opt>,
    q: String,
    vendor: String,
    csv: String,
    can_manage: bool,
    form: ContractForm,
    vendors: Vec<Opt>,
    owners: Vec<Opt>,
    periods: Vec<Opt>,
    errors: Vec<FieldError>,
}

async fn contracts_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &ContractsQuery,
    form: Option<ContractForm>,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let filter = ContractFilter {
        vendor: named(&q.vendor).map(str::to_string),
        state: named(&q.state).map(str::to_string),
        category: named(&q.category).map(str::to_string),
        q: named(&q.q).map(str::to_string),
    };
    let list = match ops::list_contracts(state, &c, org, &filter).await {
        Ok(l) => l,
        Err(e) if is_user_error(&e) => {
            errors.extend(validation_errors(&e));
            ops::list_contracts(state, &c, org, &ContractFilter::default()).await?
        }
        Err(e) => return Err(WebError(e)),
    };
    let everything = ops::list_contracts(state, &c, org, &ContractFilter::default()).await?;
    let mut cats: Vec<String> = everything
        .iter()
        .map(|k| k.category.clone())
        .filter(|c| !c.is_empty())
        .collect();
    cats.sort();
    cats.dedup();
    let mut state_list = vec![("", "Every state")];
    state_list.extend(
        ContractState::ALL
            .iter()
            .map(|s| (s.as_str(), state_label(s.as_str()))),
    );
    let mut cat_list: Vec<(&str, &str)> = vec![("", "Every category")];
    cat_list.extend(cats.iter().map(|c| (c.as_str(), c.as_str())));
    let csv = {
        let mut params = vec!["format=csv".to_string()];
        for (k, v) in [
            ("state", &filter.state),
            ("category", &filter.category),
            ("vendor", &filter.vendor),
            ("q", &filter.q),
        ] {
            if let Some(v) = v {
                params.push(format!("{k}={}", super::url_encode(v)));
            }
        }
        format!("/api/v1/contracts?{}", params.join("&"))
    };
    let form = form.unwrap_or_default();
    let choices = contract_choices(state, auth, &form).await?;
    let page = ContractsPage {
        layout: Layout::new(state, auth, "contracts", q.notice.as_deref()).await?,
        contracts: list.iter().map(contract_row).collect(),
        states: opts(&state_list, filter.state.as_deref().unwrap_or("")),
        categories: opts(&cat_list, filter.category.as_deref().unwrap_or("")),
        q: filter.q.clone().unwrap_or_default(),
        vendor: filter.vendor.clone().unwrap_or_default(),
        csv,
        can_manage: can_manage(auth),
        vendors: choices.vendors,
        owners: choices.owners,
        periods: choices.periods,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn contracts(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<ContractsQuery>,
) -> WebResult {
    contracts_render(&state, &auth, &q, None, vec![]).await
}

pub async fn contract_create(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    body: Bytes,
) -> WebResult {
    let form = ContractForm::from_pairs(&form_pairs(&body));
    let q = ContractsQuery::default();
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return contracts_render(&state, &auth, &q, Some(form), errors).await,
    };
    match ops::create_contract(&state, &caller(&auth), auth.org(), &input).await {
        Ok(k) => {
            Ok(Redirect::to(&format!("/office/contracts/{}?notice=contract-added", k.id)).into_response())
        }
        Err(e) if is_user_error(&e) => {
            contracts_render(&state, &auth, &q, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// A contract's term on a line: where today, the last day to give notice and the end fall.
pub struct Timeline {
    pub start: String,
    pub end: String,
    pub today_x: u32,
    pub deadline_x: Option<u32>,
    pub deadline: String,
    pub label: String,
}

fn timeline(v: &ContractView, today: Date) -> Option<Timeline> {
    let start: Date = v.term_start.as_deref()?.parse().ok()?;
    let end: Date = v.term_end.as_deref()?.parse().ok()?;
    let span = start.until((jiff::Unit::Day, end)).ok()?.get_days().max(1);
    let x = |d: Date| -> u32 {
        let n = start
            .until((jiff::Unit::Day, d))
            .map(|s| s.get_days())
            .unwrap_or(0)
            .clamp(0, span);
        u32::try_from(i64::from(n) * 600 / i64::from(span)).unwrap_or(0)
    };
    let deadline: Option<Date> = v
        .notice_deadline
        .as_deref()
        .and_then(|d| d.parse().ok())
        .filter(|d| *d <= end);
    Some(Timeline {
        start: date_text(&start.to_string()),
        end: date_text(&end.to_string()),
        today_x: x(today),
        deadline_x: deadline.map(x),
        deadline: deadline.map(|d| date_text(&d.to_string())).unwrap_or_default(),
        label: format!(
            "Current term {} to {}{}",
            date_text(&start.to_string()),
            date_text(&end.to_string()),
            deadline
                .map(|d| format!("; last day to give notice {}", date_text(&d.to_string())))
                .unwrap_or_default()
        ),
    })
}

#[derive(Template)]
#[template(path = "contract.html")]
struct ContractPage {
    layout: Layout,
    k: ContractView,
    row: ContractRow,
    timeline: Option<Timeline>,
    documents: Vec<DocumentView>,
    start: String,
    ends_on: String,
    renews_on: String,
    missed: String,
    notice_given: String,
    can_manage: bool,
    today: String,
    form: ContractForm,
    vendors: Vec<Opt>,
    owners: Vec<Opt>,
    periods: Vec<Opt>,
    errors: Vec<FieldError>,
}

async fn contract_render(
    state: &AppState,
    auth: &AuthCtx,
    id: ContractId,
    notice: Option<&str>,
    form: Option<ContractForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let d = ops::get_contract(state, &caller(auth), auth.org(), id).await?;
    let today = viewer_zone(auth).local(jiff::Timestamp::now()).date();
    let k = d.contract;
    let form = form.unwrap_or_else(|| ContractForm::of(&k));
    let choices = contract_choices(state, auth, &form).await?;
    let page = ContractPage {
        layout: Layout::new(state, auth, "contracts", notice).await?,
        row: contract_row(&k),
        timeline: timeline(&k, today),
        documents: d.documents,
        start: date_text(&k.start),
        ends_on: k.ends_on.as_deref().map(date_text).unwrap_or_default(),
        renews_on: k.renews_on.as_deref().map(date_text).unwrap_or_default(),
        missed: k.missed_deadline.as_deref().map(date_text).unwrap_or_default(),
        notice_given: k
            .notice_given
            .as_ref()
            .map(|n| {
                let by =
                    n.by.as_ref()
                        .map(|p| format!(" by {}", p.name))
                        .unwrap_or_default();
                let note = if n.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", n.note)
                };
                format!("{}{by}{note}", date_text(&n.on))
            })
            .unwrap_or_default(),
        can_manage: can_manage(auth),
        today: today.to_string(),
        vendors: choices.vendors,
        owners: choices.owners,
        periods: choices.periods,
        form,
        k,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn contract_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: ContractId = parse_path_id(&id, "contract")?;
    contract_render(&state, &auth, id, q.notice.as_deref(), None, vec![]).await
}

pub async fn contract_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: ContractId = parse_path_id(&id, "contract")?;
    let form = ContractForm::from_pairs(&form_pairs(&body));
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return contract_render(&state, &auth, id, None, Some(form), errors).await,
    };
    match ops::update_contract(&state, &caller(&auth), auth.org(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/office/contracts/{id}?notice=contract-saved")).into_response()),
        Err(e) if is_user_error(&e) => {
            contract_render(&state, &auth, id, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn contract_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: ContractId = parse_path_id(&id, "contract")?;
    ops::delete_contract(&state, &caller(&auth), auth.org(), id).await?;
    Ok(Redirect::to("/office/contracts?notice=contract-deleted").into_response())
}

/// The result of a form on the contract page: back to it with a notice, or the page with the faults.
async fn after(
    state: &AppState,
    auth: &AuthCtx,
    id: ContractId,
    r: crate::error::ApiResult<()>,
    notice: &str,
) -> WebResult {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/office/contracts/{id}?notice={notice}")).into_response()),
        Err(e) if is_user_error(&e) => {
            contract_render(state, auth, id, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn notice_give(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: ContractId = parse_path_id(&id, "contract")?;
    let f = form_pairs(&body);
    let input = NoticeInput {
        on: Some(trimmed(&f, "on")),
        note: Some(trimmed(&f, "note")),
    };
    let r = ops::give_notice(&state, &caller(&auth), auth.org(), id, &input)
        .await
        .map(|_| ());
    after(&state, &auth, id, r, "notice-given").await
}

pub async fn notice_withdraw(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: ContractId = parse_path_id(&id, "contract")?;
    let r = ops::withdraw_notice(&state, &caller(&auth), auth.org(), id)
        .await
        .map(|_| ());
    after(&state, &auth, id, r, "notice-withdrawn").await
}

pub async fn document_upload(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> WebResult {
    let id: ContractId = parse_path_id(&id, "contract")?;
    let (filename, bytes) = match super::meetings::read_upload(&mut multipart).await {
        Ok((_, file)) => file,
        Err(e) => return contract_render(&state, &auth, id, None, None, vec![e]).await,
    };
    let r = ops::upload_document(&state, &caller(&auth), auth.org(), id, &filename, &bytes)
        .await
        .map(|_| ());
    after(&state, &auth, id, r, "document-attached").await
}

pub async fn document_download(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, doc)): Path<(String, String)>,
) -> WebResult {
    let id: ContractId = parse_path_id(&id, "contract")?;
    let doc: DocumentId = parse_path_id(&doc, "document")?;
    let (rec, bytes) = ops::download_document(&state, &caller(&auth), auth.org(), id, doc).await?;
    Ok(crate::api::meetings::file_response(
        &rec.content_type,
        &rec.filename,
        bytes,
    ))
}

pub async fn document_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, doc)): Path<(String, String)>,
) -> WebResult {
    let id: ContractId = parse_path_id(&id, "contract")?;
    let doc: DocumentId = parse_path_id(&doc, "document")?;
    let r = ops::delete_document(&state, &caller(&auth), auth.org(), id, doc).await;
    after(&state, &auth, id, r, "document-deleted").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_lines_read_back() {
        let c = VendorContact {
            name: "Anouk de Vries".into(),
            role: "account manager".into(),
            email: "anouk@sparkle.example".into(),
            phone: "+31 20 555 0101".into(),
        };
        let line = contact_line(&c);
        assert_eq!(
            line,
            "Anouk de Vries <anouk@sparkle.example>, +31 20 555 0101, account manager"
        );
        assert_eq!(parse_contact(&line), c);
        assert_eq!(parse_contact("desk@clean.example").email, "desk@clean.example");
        assert_eq!(parse_contact("Reception").email, "");
    }
}

// ---------------------------------------------------------------------------
// Stock
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct StockQuery {
    #[serde(default)]
    low: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Default, Clone)]
pub struct StockForm {
    pub name: String,
    pub sku: String,
    pub unit: String,
    pub category: String,
    pub location: String,
    pub quantity: String,
    pub reorder_point: String,
    pub reorder_quantity: String,
    pub vendor: String,
    pub unit_price: String,
    pub currency: String,
    pub notes: String,
}

impl StockForm {
    fn from_pairs(f: &[(String, String)]) -> Self {
        StockForm {
            name: trimmed(f, "name"),
            sku: trimmed(f, "sku"),
            unit: trimmed(f, "unit"),
            category: trimmed(f, "category"),
            location: trimmed(f, "location"),
            quantity: trimmed(f, "quantity"),
            reorder_point: trimmed(f, "reorder_point"),
            reorder_quantity: trimmed(f, "reorder_quantity"),
            vendor: trimmed(f, "vendor"),
            unit_price: trimmed(f, "unit_price"),
            currency: trimmed(f, "currency"),
            notes: trimmed(f, "notes"),
        }
    }

    fn of(v: &StockView) -> Self {
        StockForm {
            name: v.name.clone(),
            sku: v.sku.clone(),
            unit: v.unit.clone(),
            category: v.category.clone(),
            location: v.location.clone(),
            quantity: v.quantity.to_string(),
            reorder_point: v.reorder_point.to_string(),
            reorder_quantity: v.reorder_quantity.to_string(),
            vendor: v
                .preferred_vendor
                .as_ref()
                .map(|p| p.id.clone())
                .unwrap_or_default(),
            unit_price: v
                .unit_price
                .as_ref()
                .map(|m| m.amount.clone())
                .unwrap_or_default(),
            currency: v
                .unit_price
                .as_ref()
                .map(|m| m.currency.clone())
                .unwrap_or_else(|| "EUR".into()),
            notes: v.notes.clone(),
        }
    }

    fn input(&self) -> Result<StockInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut whole = |field: &str, s: &str| -> i64 {
            if s.is_empty() {
                return 0;
            }
            s.parse::<i64>().unwrap_or_else(|_| {
                errors.push(one_error(field, format!("`{s}` is not a whole number")));
                0
            })
        };
        let quantity = whole("quantity", &self.quantity);
        let reorder_point = whole("reorder_point", &self.reorder_point);
        let reorder_quantity = whole("reorder_quantity", &self.reorder_quantity);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(StockInput {
            name: self.name.clone(),
            sku: Some(self.sku.clone()),
            unit: self.unit.clone(),
            category: Some(self.category.clone()),
            location: Some(self.location.clone()),
            quantity: Some(quantity),
            reorder_point,
            reorder_quantity,
            preferred_vendor: Some(self.vendor.clone()),
            unit_price: Some(self.unit_price.clone()),
            currency: Some(self.currency.clone()),
            notes: Some(self.notes.clone()),
        })
    }
}

async fn vendor_opts(state: &AppState, auth: &AuthCtx, chosen: &str) -> Result<Vec<Opt>, WebError> {
    // Staff see the stock but not the vendor list; they get no choice to make.
    let list = match ops::list_vendors(state, &caller(auth), auth.org()).await {
        Ok(l) => l,
        Err(e) if e.status == axum::http::StatusCode::FORBIDDEN => vec![],
        Err(e) => return Err(WebError(e)),
    };
    let mut out = vec![Opt {
        value: String::new(),
        label: "None".into(),
        selected: chosen.is_empty(),
    }];
    out.extend(list.iter().map(|v| Opt {
        selected: chosen == v.id || chosen.eq_ignore_ascii_case(&v.name),
        value: v.id.clone(),
        label: v.name.clone(),
    }));
    Ok(out)
}

#[derive(Template)]
#[template(path = "stock.html")]
struct StockPage {
    layout: Layout,
    items: Vec<StockView>,
    low_count: usize,
    low_only: bool,
    categories: Vec<Opt>,
    q: String,
    csv: String,
    can_manage: bool,
    form: StockForm,
    vendors: Vec<Opt>,
    errors: Vec<FieldError>,
}

fn stock_can_manage(auth: &AuthCtx) -> bool {
    caller(auth).may(auth.org(), Capability::ManageStock).is_ok()
}

async fn stock_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &StockQuery,
    form: Option<StockForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let low_only = named(&q.low).is_some_and(|v| v == "1" || v == "true" || v == "on");
    let filter = StockFilter {
        low: low_only,
        category: named(&q.category).map(str::to_string),
        q: named(&q.q).map(str::to_string),
    };
    let items = stock_ops::list_stock(state, &c, org, &filter).await?;
    let everything = stock_ops::list_stock(state, &c, org, &StockFilter::default()).await?;
    let mut cats: Vec<String> = everything
        .iter()
        .map(|k| k.category.clone())
        .filter(|c| !c.is_empty())
        .collect();
    cats.sort();
    cats.dedup();
    let mut cat_list: Vec<(&str, &str)> = vec![("", "Every category")];
    cat_list.extend(cats.iter().map(|c| (c.as_str(), c.as_str())));
    let mut params = vec!["format=csv".to_string()];
    if low_only {
        params.push("low=true".into());
    }
    for (k, v) in [("category", &filter.category), ("q", &filter.q)] {
        if let Some(v) = v {
            params.push(format!("{k}={}", super::url_encode(v)));
        }
    }
    let form = form.unwrap_or_else(|| StockForm {
        currency: "EUR".into(),
        ..StockForm::default()
    });
    let vendors = vendor_opts(state, auth, &form.vendor).await?;
    let page = StockPage {
        layout: Layout::new(state, auth, "stock", q.notice.as_deref()).await?,
        low_count: everything.iter().filter(|i| i.low).count(),
        items,
        low_only,
        categories: opts(&cat_list, filter.category.as_deref().unwrap_or("")),
        q: filter.q.clone().unwrap_or_default(),
        csv: format!("/api/v1/stock?{}", params.join("&")),
        can_manage: stock_can_manage(auth),
        vendors,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn stock(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<StockQuery>,
) -> WebResult {
    stock_render(&state, &auth, &q, None, vec![]).await
}

pub async fn stock_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let form = StockForm::from_pairs(&form_pairs(&body));
    let q = StockQuery::default();
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return stock_render(&state, &auth, &q, Some(form), errors).await,
    };
    match stock_ops::create_stock(&state, &caller(&auth), auth.org(), &input).await {
        Ok(v) => Ok(Redirect::to(&format!("/office/stock/{}?notice=stock-added", v.id)).into_response()),
        Err(e) if is_user_error(&e) => {
            stock_render(&state, &auth, &q, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub struct MovementRow {
    pub kind: &'static str,
    pub change: String,
    pub after: i64,
    pub by: String,
    pub note: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "stock_item.html")]
struct StockItemPage {
    layout: Layout,
    item: StockView,
    movements: Vec<MovementRow>,
    can_manage: bool,
    form: StockForm,
    vendors: Vec<Opt>,
    errors: Vec<FieldError>,
}

async fn stock_item_render(
    state: &AppState,
    auth: &AuthCtx,
    id: StockItemId,
    notice: Option<&str>,
    form: Option<StockForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let d = stock_ops::get_stock(state, &caller(auth), auth.org(), id).await?;
    let viewer = viewer_zone(auth);
    let form = form.unwrap_or_else(|| StockForm::of(&d.item));
    let vendors = vendor_opts(state, auth, &form.vendor).await?;
    let page = StockItemPage {
        layout: Layout::new(state, auth, "stock", notice).await?,
        movements: d
            .movements
            .iter()
            .map(|m| MovementRow {
                kind: match m.kind.as_str() {
                    "consume" => "taken",
                    "receive" => "received",
                    _ => "counted",
                },
                change: if m.delta > 0 {
                    format!("+{}", m.delta)
                } else {
                    m.delta.to_string()
                },
                after: m.quantity_after,
                by: m.by.clone(),
                note: m.note.clone(),
                when: m
                    .at
                    .parse::<jiff::Timestamp>()
                    .map(|t| super::calendar::when_text(t, &viewer))
                    .unwrap_or_else(|_| m.at.clone()),
            })
            .collect(),
        item: d.item,
        can_manage: stock_can_manage(auth),
        vendors,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn stock_item(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: StockItemId = parse_path_id(&id, "stock item")?;
    stock_item_render(&state, &auth, id, q.notice.as_deref(), None, vec![]).await
}

pub async fn stock_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: StockItemId = parse_path_id(&id, "stock item")?;
    let form = StockForm::from_pairs(&form_pairs(&body));
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return stock_item_render(&state, &auth, id, None, Some(form), errors).await,
    };
    match stock_ops::update_stock(&state, &caller(&auth), auth.org(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/office/stock/{id}?notice=stock-saved")).into_response()),
        Err(e) if is_user_error(&e) => {
            stock_item_render(&state, &auth, id, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn stock_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id: StockItemId = parse_path_id(&id, "stock item")?;
    stock_ops::delete_stock(&state, &caller(&auth), auth.org(), id).await?;
    Ok(Redirect::to("/office/stock?notice=stock-deleted").into_response())
}

/// Take, receive or count, from the list (`back=list`) or the item's page.
pub async fn stock_move(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, kind)): Path<(String, String)>,
    body: Bytes,
) -> WebResult {
    let id: StockItemId = parse_path_id(&id, "stock item")?;
    let kind: MovementKind = kind
        .parse()
        .map_err(|_| WebError(crate::error::ApiError::not_found("page")))?;
    let f = form_pairs(&body);
    let back_to_list = trimmed(&f, "back") == "list";
    let typed = trimmed(&f, "quantity");
    let result = match typed.parse::<i64>() {
        Ok(quantity) => {
            let input = MovementInput {
                quantity,
                note: Some(trimmed(&f, "note")),
            };
            stock_ops::move_stock(&state, &caller(&auth), auth.org(), id, kind, &input)
                .await
                .map(|_| ())
        }
        Err(_) => Err(adjutant_core::ValidationError::field(
            "quantity",
            format!("`{typed}` is not a whole number"),
        )
        .into()),
    };
    let notice = match kind {
        MovementKind::Consume => "stock-taken",
        MovementKind::Receive => "stock-received",
        MovementKind::Count => "stock-counted",
    };
    match result {
        Ok(()) if back_to_list => Ok(Redirect::to(&format!("/office/stock?notice={notice}")).into_response()),
        Ok(()) => Ok(Redirect::to(&format!("/office/stock/{id}?notice={notice}")).into_response()),
        Err(e) if is_user_error(&e) => {
            stock_item_render(&state, &auth, id, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Purchases
// ---------------------------------------------------------------------------

/// Blank line rows a new request offers.
const FORM_LINES: usize = 5;

#[derive(Deserialize, Default)]
pub struct PurchasesQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Default, Clone)]
pub struct LineForm {
    pub description: String,
    pub stock_item: String,
    pub quantity: String,
    pub unit_price: String,
}

#[derive(Default, Clone)]
pub struct PurchaseForm {
    pub title: String,
    pub vendor: String,
    pub category: String,
    pub currency: String,
    pub needed_by: String,
    pub notes: String,
    pub lines: Vec<LineForm>,
}

impl PurchaseForm {
    fn blank() -> Self {
        PurchaseForm {
            currency: "EUR".into(),
            lines: vec![LineForm::default(); FORM_LINES],
            ..PurchaseForm::default()
        }
    }

    fn from_pairs(f: &[(String, String)]) -> Self {
        let all = |name: &str| super::calendar::all_of(f, name);
        let (d, s, q, p) = (
            all("line_description"),
            all("line_stock_item"),
            all("line_quantity"),
            all("line_unit_price"),
        );
        let n = d.len().max(s.len()).max(q.len()).max(p.len());
        let get = |v: &Vec<String>, i: usize| v.get(i).map(|x| x.trim().to_string()).unwrap_or_default();
        PurchaseForm {
            title: trimmed(f, "title"),
            vendor: trimmed(f, "vendor"),
            category: trimmed(f, "category"),
            currency: trimmed(f, "currency"),
            needed_by: trimmed(f, "needed_by"),
            notes: trimmed(f, "notes"),
            lines: (0..n)
                .map(|i| LineForm {
                    description: get(&d, i),
                    stock_item: get(&s, i),
                    quantity: get(&q, i),
                    unit_price: get(&p, i),
                })
                .collect(),
        }
    }

    fn of(v: &PurchaseView) -> Self {
        let mut lines: Vec<LineForm> = v
            .lines
            .iter()
            .map(|l| LineForm {
                description: l.description.clone(),
                stock_item: l.stock_item.as_ref().map(|s| s.id.clone()).unwrap_or_default(),
                quantity: l.quantity.to_string(),
                unit_price: l.unit_price.amount.clone(),
            })
            .collect();
        lines.push(LineForm::default());
        PurchaseForm {
            title: v.title.clone(),
            vendor: v.vendor.as_ref().map(|x| x.id.clone()).unwrap_or_default(),
            category: v.category.clone(),
            currency: v.total.currency.clone(),
            needed_by: v.needed_by.clone().unwrap_or_default(),
            notes: v.notes.clone(),
            lines,
        }
    }

    /// The input (rows left blank are skipped), or every number that is not one.
    fn input(&self, submit: bool) -> Result<PurchaseInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        for l in self
            .lines
            .iter()
            .filter(|l| !(l.description.is_empty() && l.quantity.is_empty() && l.unit_price.is_empty()))
        {
            let i = lines.len();
            let quantity = l.quantity.parse::<i64>().unwrap_or_else(|_| {
                errors.push(one_error(
                    &format!("lines[{i}].quantity"),
                    format!("`{}` is not a whole number", l.quantity),
                ));
                0
            });
            lines.push(LineInput {
                description: l.description.clone(),
                stock_item: Some(l.stock_item.clone()),
                quantity,
                unit_price: l.unit_price.clone(),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PurchaseInput {
            title: self.title.clone(),
            vendor: Some(self.vendor.clone()),
            category: Some(self.category.clone()),
            currency: Some(self.currency.clone()),
            lines,
            needed_by: Some(self.needed_by.clone()),
            notes: Some(self.notes.clone()),
            submit: Some(submit),
        })
    }
}

/// Stock items to refill, as choices for a line.
async fn item_opts(state: &AppState, auth: &AuthCtx) -> Result<Vec<Opt>, WebError> {
    let items = stock_ops::list_stock(state, &caller(auth), auth.org(), &StockFilter::default()).await?;
    let mut out = vec![Opt {
        value: String::new(),
        label: "Not a stock item".into(),
        selected: false,
    }];
    out.extend(items.iter().map(|i| Opt {
        value: i.id.clone(),
        label: i.name.clone(),
        selected: false,
    }));
    Ok(out)
}

fn status_label(s: &str) -> &'static str {
    match s {
        "draft" => "draft",
        "submitted" => "waiting for approval",
        "ordered" => "ordered",
        "partly_received" => "partly received",
        "received" => "received",
        "rejected" => "rejected",
        _ => "cancelled",
    }
}

pub struct PurchaseRow {
    pub id: String,
    pub number: String,
    pub title: String,
    pub status: String,
    pub status_label: &'static str,
    pub vendor: String,
    pub total: String,
    pub requested_by: String,
    pub approver: String,
    pub waiting: bool,
    pub can_decide: bool,
}

fn purchase_row(p: &PurchaseView) -> PurchaseRow {
    PurchaseRow {
        id: p.id.clone(),
        number: p.number.clone(),
        title: p.title.clone(),
        status: p.status.clone(),
        status_label: status_label(&p.status),
        vendor: p.vendor.as_ref().map(|v| v.name.clone()).unwrap_or_default(),
        total: p.total.display.clone(),
        requested_by: p.requested_by.clone(),
        approver: p.approver.clone(),
        waiting: matches!(p.status.as_str(), "draft" | "submitted"),
        can_decide: p.can_decide,
    }
}

#[derive(Template)]
#[template(path = "purchases.html")]
struct PurchasesPage {
    layout: Layout,
    purchases: Vec<PurchaseRow>,
    statuses: Vec<Opt>,
    q: String,
    csv: String,
    form: PurchaseForm,
    vendors: Vec<Opt>,
    items: Vec<Opt>,
    errors: Vec<FieldError>,
}

async fn purchases_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &PurchasesQuery,
    form: Option<PurchaseForm>,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let filter = PurchaseFilter {
        status: named(&q.status).map(str::to_string),
        q: named(&q.q).map(str::to_string),
    };
    let list = match purchase_ops::list_purchases(state, &c, org, &filter).await {
        Ok(l) => l,
        Err(e) if is_user_error(&e) => {
            errors.extend(validation_errors(&e));
            purchase_ops::list_purchases(state, &c, org, &PurchaseFilter::default()).await?
        }
        Err(e) => return Err(WebError(e)),
    };
    let mut status_list = vec![
        ("", "Every purchase"),
        ("waiting", "waiting for approval"),
        ("open", "ordered, not all received"),
    ];
    status_list.extend(
        PurchaseStatus::ALL
            .iter()
            .map(|s| (s.as_str(), status_label(s.as_str()))),
    );
    let mut params = vec!["format=csv".to_string()];
    for (k, v) in [("status", &filter.status), ("q", &filter.q)] {
        if let Some(v) = v {
            params.push(format!("{k}={}", super::url_encode(v)));
        }
    }
    let form = form.unwrap_or_else(PurchaseForm::blank);
    let page = PurchasesPage {
        layout: Layout::new(state, auth, "purchases", q.notice.as_deref()).await?,
        purchases: list.iter().map(purchase_row).collect(),
        statuses: opts(&status_list, filter.status.as_deref().unwrap_or("")),
        q: filter.q.clone().unwrap_or_default(),
        csv: format!("/api/v1/purchases?{}", params.join("&")),
        vendors: vendor_opts(state, auth, &form.vendor).await?,
        items: item_opts(state, auth).await?,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn purchases(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PurchasesQuery>,
) -> WebResult {
    purchases_render(&state, &auth, &q, None, vec![]).await
}

pub async fn purchase_create(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    body: Bytes,
) -> WebResult {
    let pairs = form_pairs(&body);
    let form = PurchaseForm::from_pairs(&pairs);
    let submit = trimmed(&pairs, "action") != "draft";
    let q = PurchasesQuery::default();
    let input = match form.input(submit) {
        Ok(i) => i,
        Err(errors) => return purchases_render(&state, &auth, &q, Some(form), errors).await,
    };
    match purchase_ops::create_purchase(&state, &caller(&auth), auth.org(), &input).await {
        Ok(p) => Ok(
            Redirect::to(&format!("/office/purchases/{}?notice=purchase-requested", p.id)).into_response(),
        ),
        Err(e) if is_user_error(&e) => {
            purchases_render(&state, &auth, &q, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Template)]
#[template(path = "purchase.html")]
struct PurchasePage {
    layout: Layout,
    p: PurchaseView,
    row: PurchaseRow,
    needed_by: String,
    decided_at: String,
    can_handle: bool,
    form: PurchaseForm,
    vendors: Vec<Opt>,
    items: Vec<Opt>,
    errors: Vec<FieldError>,
}

async fn purchase_render(
    state: &AppState,
    auth: &AuthCtx,
    id: PurchaseId,
    notice: Option<&str>,
    form: Option<PurchaseForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let p = purchase_ops::get_purchase(state, &c, auth.org(), id).await?;
    let viewer = viewer_zone(auth);
    let mine = p.requested_by == auth.person.name;
    let can_handle = matches!(p.status.as_str(), "draft" | "submitted")
        && (mine || c.may(auth.org(), Capability::ManageStock).is_ok());
    let form = form.unwrap_or_else(|| PurchaseForm::of(&p));
    let page = PurchasePage {
        layout: Layout::new(state, auth, "purchases", notice).await?,
        row: purchase_row(&p),
        needed_by: p.needed_by.as_deref().map(date_text).unwrap_or_default(),
        decided_at: p
            .decided_at
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| super::calendar::when_text(t, &viewer))
            .unwrap_or_default(),
        can_handle,
        vendors: vendor_opts(state, auth, &form.vendor).await?,
        items: item_opts(state, auth).await?,
        form,
        p,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn purchase_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: PurchaseId = parse_path_id(&id, "purchase")?;
    purchase_render(&state, &auth, id, q.notice.as_deref(), None, vec![]).await
}

pub async fn purchase_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: PurchaseId = parse_path_id(&id, "purchase")?;
    let form = PurchaseForm::from_pairs(&form_pairs(&body));
    let input = match form.input(true) {
        Ok(i) => i,
        Err(errors) => return purchase_render(&state, &auth, id, None, Some(form), errors).await,
    };
    match purchase_ops::update_purchase(&state, &caller(&auth), auth.org(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/office/purchases/{id}?notice=purchase-saved")).into_response()),
        Err(e) if is_user_error(&e) || e.status == axum::http::StatusCode::FORBIDDEN => {
            purchase_render(&state, &auth, id, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Approve, reject, submit or cancel.
pub async fn purchase_act(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> WebResult {
    let id: PurchaseId = parse_path_id(&id, "purchase")?;
    let f = form_pairs(&body);
    let input = purchase_ops::DecisionInput {
        note: Some(trimmed(&f, "note")),
    };
    let (c, org) = (caller(&auth), auth.org());
    let (r, notice) = match action.as_str() {
        "approve" => (
            purchase_ops::decide_purchase(&state, &c, org, id, true, &input).await,
            "purchase-approved",
        ),
        "reject" => (
            purchase_ops::decide_purchase(&state, &c, org, id, false, &input).await,
            "purchase-rejected",
        ),
        "submit" => (
            purchase_ops::submit_purchase(&state, &c, org, id).await,
            "purchase-submitted",
        ),
        "cancel" => (
            purchase_ops::cancel_purchase(&state, &c, org, id, &input).await,
            "purchase-cancelled",
        ),
        _ => return Err(WebError(crate::error::ApiError::not_found("page"))),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/office/purchases/{id}?notice={notice}")).into_response()),
        Err(e) if is_user_error(&e) || e.status == axum::http::StatusCode::FORBIDDEN => {
            purchase_render(&state, &auth, id, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// A delivery: one quantity field per line (`received_1`, `received_2`, …).
pub async fn purchase_receive(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: PurchaseId = parse_path_id(&id, "purchase")?;
    let f = form_pairs(&body);
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (k, v) in &f {
        if let Some(n) = k.strip_prefix("received_") {
            let v = v.trim();
            if v.is_empty() || v == "0" {
                continue;
            }
            match (n.parse::<usize>(), v.parse::<i64>()) {
                (Ok(line), Ok(quantity)) => lines.push(purchase_ops::DeliveryLine { line, quantity }),
                _ => errors.push(one_error(
                    &format!("line {n}"),
                    format!("`{v}` is not a whole number"),
                )),
            }
        }
    }
    if !errors.is_empty() {
        return purchase_render(&state, &auth, id, None, None, errors).await;
    }
    let input = purchase_ops::ReceiveInput {
        lines,
        note: Some(trimmed(&f, "note")),
    };
    match purchase_ops::receive_purchase(&state, &caller(&auth), auth.org(), id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/office/purchases/{id}?notice=purchase-received")).into_response())
        }
        Err(e) if is_user_error(&e) => {
            purchase_render(&state, &auth, id, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Invoices
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct InvoicesQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Default, Clone)]
pub struct InvoiceForm {
    pub vendor: String,
    pub number: String,
    pub issued_on: String,
    pub due_on: String,
    pub currency: String,
    pub purchase: String,
    pub contract: String,
    pub category: String,
    pub lines: Vec<(String, String, String, String)>,
}

impl InvoiceForm {
    fn blank() -> Self {
        InvoiceForm {
            currency: "EUR".into(),
            lines: vec![(String::new(), String::new(), String::new(), "21".into()); 4],
            ..InvoiceForm::default()
        }
    }

    fn from_pairs(f: &[(String, String)]) -> Self {
        let all = |name: &str| super::calendar::all_of(f, name);
        let (d, q, p, v) = (
            all("line_description"),
            all("line_quantity"),
            all("line_unit_price"),
            all("line_vat"),
        );
        let get = |x: &Vec<String>, i: usize| x.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        InvoiceForm {
            vendor: trimmed(f, "vendor"),
            number: trimmed(f, "number"),
            issued_on: trimmed(f, "issued_on"),
            due_on: trimmed(f, "due_on"),
            currency: trimmed(f, "currency"),
            purchase: trimmed(f, "purchase"),
            contract: trimmed(f, "contract"),
            category: trimmed(f, "category"),
            lines: (0..d.len().max(q.len()))
                .map(|i| (get(&d, i), get(&q, i), get(&p, i), get(&v, i)))
                .collect(),
        }
    }

    fn input(&self) -> Result<InvoiceInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        for (d, q, p, v) in self
            .lines
            .iter()
            .filter(|(d, q, p, _)| !(d.is_empty() && q.is_empty() && p.is_empty()))
        {
            let i = lines.len();
            let quantity = q.parse::<i64>().unwrap_or_else(|_| {
                errors.push(one_error(
                    &format!("lines[{i}].quantity"),
                    format!("`{q}` is not a whole number"),
                ));
                0
            });
            lines.push(InvoiceLineInput {
                description: d.clone(),
                quantity,
                unit_price: p.clone(),
                vat: Some(if v.is_empty() { "0".into() } else { v.clone() }),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(InvoiceInput {
            vendor: self.vendor.clone(),
            number: self.number.clone(),
            issued_on: self.issued_on.clone(),
            due_on: self.due_on.clone(),
            currency: Some(self.currency.clone()),
            lines,
            purchase: Some(self.purchase.clone()),
            contract: Some(self.contract.clone()),
            category: Some(self.category.clone()),
            notes: None,
        })
    }
}

fn invoice_status_label(s: &str) -> &'static str {
    match s {
        "received" => "waiting for approval",
        "approved" => "approved, to pay",
        "paid" => "paid",
        _ => "rejected",
    }
}

#[derive(Template)]
#[template(path = "invoices.html")]
struct InvoicesPage {
    layout: Layout,
    invoices: Vec<InvoiceView>,
    statuses: Vec<Opt>,
    q: String,
    csv: String,
    can_register: bool,
    form: InvoiceForm,
    vendors: Vec<Opt>,
    purchases: Vec<Opt>,
    contracts: Vec<Opt>,
    errors: Vec<FieldError>,
}

async fn invoices_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &InvoicesQuery,
    form: Option<InvoiceForm>,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let filter = InvoiceFilter {
        status: named(&q.status).map(str::to_string),
        vendor: None,
        q: named(&q.q).map(str::to_string),
    };
    let list = match invoice_ops::list_invoices(state, &c, org, &filter).await {
        Ok(l) => l,
        Err(e) if is_user_error(&e) => {
            errors.extend(validation_errors(&e));
            invoice_ops::list_invoices(state, &c, org, &InvoiceFilter::default()).await?
        }
        Err(e) => return Err(WebError(e)),
    };
    let status_list = [
        ("", "Every invoice"),
        ("waiting", "waiting for approval"),
        ("unpaid", "not yet paid"),
        ("overdue", "overdue"),
        ("approved", "approved, to pay"),
        ("paid", "paid"),
        ("rejected", "rejected"),
    ];
    let mut params = vec!["format=csv".to_string()];
    for (k, v) in [("status", &filter.status), ("q", &filter.q)] {
        if let Some(v) = v {
            params.push(format!("{k}={}", super::url_encode(v)));
        }
    }
    let form = form.unwrap_or_else(InvoiceForm::blank);
    let mut purchases = vec![Opt {
        value: String::new(),
        label: "None".into(),
        selected: form.purchase.is_empty(),
    }];
    purchases.extend(
        purchase_ops::list_purchases(state, &c, org, &PurchaseFilter::default())
            .await?
            .into_iter()
            .filter(|p| matches!(p.status.as_str(), "ordered" | "partly_received" | "received"))
            .map(|p| Opt {
                selected: form.purchase == p.id || form.purchase.eq_ignore_ascii_case(&p.number),
                label: format!("{} {}", p.number, p.title),
                value: p.id,
            }),
    );
    let mut contracts = vec![Opt {
        value: String::new(),
        label: "None".into(),
        selected: form.contract.is_empty(),
    }];
    contracts.extend(
        ops::list_contracts(state, &c, org, &ContractFilter::default())
            .await?
            .into_iter()
            .filter(|k| k.state != "ended")
            .map(|k| Opt {
                selected: form.contract == k.id,
                label: format!("{} ({})", k.title, k.vendor.name),
                value: k.id,
            }),
    );
    let page = InvoicesPage {
        layout: Layout::new(state, auth, "invoices", q.notice.as_deref()).await?,
        invoices: list,
        statuses: opts(&status_list, filter.status.as_deref().unwrap_or("")),
        q: filter.q.clone().unwrap_or_default(),
        csv: format!("/api/v1/invoices?{}", params.join("&")),
        can_register: can_manage(auth),
        vendors: vendor_opts(state, auth, &form.vendor).await?,
        purchases,
        contracts,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn invoices(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<InvoicesQuery>,
) -> WebResult {
    invoices_render(&state, &auth, &q, None, vec![]).await
}

pub async fn invoice_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let form = InvoiceForm::from_pairs(&form_pairs(&body));
    let q = InvoicesQuery::default();
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return invoices_render(&state, &auth, &q, Some(form), errors).await,
    };
    match invoice_ops::create_invoice(&state, &caller(&auth), auth.org(), &input).await {
        Ok(i) => {
            Ok(Redirect::to(&format!("/office/invoices/{}?notice=invoice-registered", i.id)).into_response())
        }
        Err(e) if is_user_error(&e) => {
            invoices_render(&state, &auth, &q, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    layout: Layout,
    i: InvoiceView,
    status_label: &'static str,
    today: String,
    errors: Vec<FieldError>,
}

async fn invoice_render(
    state: &AppState,
    auth: &AuthCtx,
    id: InvoiceId,
    notice: Option<&str>,
    errors: Vec<FieldError>,
) -> WebResult {
    let i = invoice_ops::get_invoice(state, &caller(auth), auth.org(), id).await?;
    let page = InvoicePage {
        layout: Layout::new(state, auth, "invoices", notice).await?,
        status_label: invoice_status_label(&i.status),
        today: viewer_zone(auth).local(jiff::Timestamp::now()).date().to_string(),
        i,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn invoice_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: InvoiceId = parse_path_id(&id, "invoice")?;
    invoice_render(&state, &auth, id, q.notice.as_deref(), vec![]).await
}

/// Approve, reject or pay.
pub async fn invoice_act(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> WebResult {
    let id: InvoiceId = parse_path_id(&id, "invoice")?;
    let f = form_pairs(&body);
    let input = InvoiceActInput {
        note: Some(trimmed(&f, "note")),
        paid_on: Some(trimmed(&f, "paid_on")),
    };
    let (c, org) = (caller(&auth), auth.org());
    let (r, notice) = match action.as_str() {
        "approve" => (
            invoice_ops::decide_invoice(&state, &c, org, id, true, &input).await,
            "invoice-approved",
        ),
        "reject" => (
            invoice_ops::decide_invoice(&state, &c, org, id, false, &input).await,
            "invoice-rejected",
        ),
        "pay" => (
            invoice_ops::pay_invoice(&state, &c, org, id, &input).await,
            "invoice-paid",
        ),
        _ => return Err(WebError(crate::error::ApiError::not_found("page"))),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/office/invoices/{id}?notice={notice}")).into_response()),
        Err(e) if is_user_error(&e) || e.status == axum::http::StatusCode::FORBIDDEN => {
            invoice_render(&state, &auth, id, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct BudgetsQuery {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

/// One budget drawn as a bar: actual and committed against the budget, the forecast marked.
pub struct BudgetBar {
    pub category: String,
    pub budget: String,
    pub actual: String,
    pub committed: String,
    pub remaining: String,
    pub forecast: String,
    pub warning: Option<String>,
    /// Widths on a 0–400 scale where the budget is 300 (room to show an overrun).
    pub actual_w: u32,
    pub committed_x: u32,
    pub committed_w: u32,
    pub forecast_x: u32,
}

pub fn budget_bars(s: &BudgetStatus) -> Vec<BudgetBar> {
    s.budgets
        .iter()
        .map(|b| {
            let scale = |m: i64| -> u32 {
                if b.budget.minor <= 0 {
                    return 0;
                }
                u32::try_from((i128::from(m.max(0)) * 300 / i128::from(b.budget.minor)).min(400))
                    .unwrap_or(400)
            };
            let actual_w = scale(b.actual.minor);
            let committed_w = scale(b.actual.minor + b.committed.minor).saturating_sub(actual_w);
            BudgetBar {
                category: b.category.clone(),
                budget: b.budget.display.clone(),
                actual: b.actual.display.clone(),
                committed: b.committed.display.clone(),
                remaining: b.remaining.display.clone(),
                forecast: b.forecast.display.clone(),
                warning: b.warning.clone(),
                actual_w,
                committed_x: actual_w,
                committed_w,
                forecast_x: scale(b.forecast.minor).min(398),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "budgets.html")]
struct BudgetsPage {
    layout: Layout,
    status: BudgetStatus,
    budget_bars: Vec<BudgetBar>,
    period: String,
    can_set: bool,
    form: (String, String, String),
    errors: Vec<FieldError>,
}

async fn budgets_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &BudgetsQuery,
    form: Option<(String, String, String)>,
    mut errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let status = match budget_ops::status(state, &c, org, named(&q.period)).await {
        Ok(s) => s,
        Err(e) if is_user_error(&e) => {
            errors.extend(validation_errors(&e));
            budget_ops::status(state, &c, org, None).await?
        }
        Err(e) => return Err(WebError(e)),
    };
    let page = BudgetsPage {
        layout: Layout::new(state, auth, "budgets", q.notice.as_deref()).await?,
        budget_bars: budget_bars(&status),
        period: status.period.clone(),
        can_set: can_manage(auth),
        form: form.unwrap_or_else(|| (String::new(), status.period.clone(), String::new())),
        status,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn budgets(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<BudgetsQuery>,
) -> WebResult {
    budgets_render(&state, &auth, &q, None, vec![]).await
}

pub async fn budget_set(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let input = BudgetInput {
        category: trimmed(&f, "category"),
        period: trimmed(&f, "period"),
        amount: trimmed(&f, "amount"),
        currency: Some(trimmed(&f, "currency")),
        notes: None,
    };
    match budget_ops::set_budget(&state, &caller(&auth), auth.org(), &input).await {
        Ok(s) => Ok(
            Redirect::to(&format!("/office/budgets?period={}&notice=budget-set", s.period)).into_response(),
        ),
        Err(e) if is_user_error(&e) => {
            let q = BudgetsQuery {
                period: Some(input.period.clone()),
                notice: None,
            };
            budgets_render(
                &state,
                &auth,
                &q,
                Some((input.category, input.period, input.amount)),
                validation_errors(&e),
            )
            .await
        }
        Err(e) => Err(WebError(e)),
    }
}
