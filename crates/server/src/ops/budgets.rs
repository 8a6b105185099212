//! Budgets: what each category may spend in a period, and where it stands —
//! actual (invoices), committed (approved orders not yet invoiced),
//! remaining, and the forecast at the current rate with a warning when it
//! passes the budget.
//!
//! Office managers, principals, assistants and administrators see budgets;
//! office managers and administrators set them.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::ops::office::{MoneyView, csv_line};
use adjutant_core::ValidationError;
use adjutant_core::ids::{BudgetId, OrgId};
use adjutant_core::office::budget::{self, BudgetData, Commitment, Period};
use adjutant_core::office::invoice::InvoiceStatus;
use adjutant_core::office::money::{Currency, Money};
use adjutant_core::office::purchase::Status;
use adjutant_core::policy::Capability;
use adjutant_store::StoreError;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A budget to set.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    /// The category invoices and orders are counted under, e.g. `catering`.
    pub category: String,
    /// `2026-Q4`, `2026-12` or `2026`.
    pub period: String,
    /// Decimal text, e.g. `14000.00`.
    pub amount: String,
    /// ISO 4217 code (default EUR).
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// One budget and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetView {
    pub id: String,
    pub category: String,
    pub period: String,
    pub budget: MoneyView,
    pub actual: MoneyView,
    pub committed: MoneyView,
    pub remaining: MoneyView,
    pub forecast: MoneyView,
    /// actual + committed as a share of the budget, in whole percent.
    pub used_percent: i64,
    pub overrun_percent: i64,
    pub warning: Option<String>,
    pub notes: String,
}

/// Every budget of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetStatus {
    /// `2026-Q4`
    pub period: String,
    /// `Q4 2026`
    pub label: String,
    pub from: String,
    pub to: String,
    pub budgets: Vec<BudgetView>,
    /// How many are forecast to pass their budget.
    pub warnings: usize,
}

fn may_read(caller: &Caller, org: OrgId) -> ApiResult<()> {
    caller.may(org, Capability::ViewContracts)
}

fn today(caller: &Caller) -> jiff::civil::Date {
    crate::ops::duties::today(caller)
}

/// The budgets of `period` (default: the quarter holding today) with their figures.
pub async fn status(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    period: Option<&str>,
) -> ApiResult<BudgetStatus> {
    may_read(caller, org)?;
    let today = today(caller);
    let period = match period.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => p.parse::<Period>()?,
        None => Period::quarter_of(today),
    };
    let budgets: Vec<_> = state
        .store
        .budget_list(org)
        .await?
        .into_iter()
        .filter(|b| b.data.period == period)
        .collect();
    let invoices = state.store.invoice_list(org).await?;
    let purchases = state
        .store
        .purchase_list(org, &[Status::Ordered, Status::PartlyReceived, Status::Received])
        .await?;
    let mut out = Vec::new();
    for b in &budgets {
        let cat = b.data.category.as_str();
        let cur = b.data.amount.currency;
        let nets: Vec<Money> = invoices
            .iter()
            .filter(|i| {
                i.status != InvoiceStatus::Rejected && i.data.category == cat && i.data.currency == cur
            })
            .filter(|i| period.contains(i.data.issued_on))
            .filter_map(|i| i.data.totals().map(|t| t.net))
            .collect();
        let orders: Vec<Commitment> = purchases
            .iter()
            .filter(|p| p.data.category == cat && p.data.currency == cur)
            .filter(|p| {
                p.decided_at
                    .is_some_and(|t| period.contains(t.to_zoned(jiff::tz::TimeZone::UTC).date()))
            })
            .filter_map(|p| {
                let billed: Vec<Money> = invoices
                    .iter()
                    .filter(|i| i.data.purchase == Some(p.id) && i.status != InvoiceStatus::Rejected)
                    .filter_map(|i| i.data.totals().map(|t| t.net))
                    .collect();
                Some(Commitment {
                    total: p.data.total()?,
                    invoiced: Money::sum(cur, &billed).ok()?,
                })
            })
            .collect();
        let f =
            budget::figures(b.data.amount, period, today, &nets, &orders).ok_or_else(ApiError::internal)?;
        let used = f
            .actual
            .checked_add(f.committed)
            .ok()
            .and_then(|u| u.percent_of(&f.budget))
            .unwrap_or(0);
        out.push(BudgetView {
            id: b.id.to_string(),
            category: b.data.category.clone(),
            period: period.to_string(),
            budget: f.budget.into(),
            actual: f.actual.into(),
            committed: f.committed.into(),
            remaining: f.remaining.into(),
            forecast: f.forecast.into(),
            used_percent: used,
            overrun_percent: f.overrun_percent,
            warning: f.warning,
            notes: b.data.notes.clone(),
        });
    }
    out.sort_by(|a, b| {
        b.overrun_percent
            .cmp(&a.overrun_percent)
            .then_with(|| a.category.cmp(&b.category))
    });
    Ok(BudgetStatus {
        period: period.to_string(),
        label: period.label(),
        from: period.start().to_string(),
        to: period.end().yesterday().unwrap_or(period.end()).to_string(),
        warnings: out.iter().filter(|b| b.warning.is_some()).count(),
        budgets: out,
    })
}

/// Sets a category's budget for a period (office managers and administrators).
pub async fn set_budget(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &BudgetInput,
) -> ApiResult<BudgetStatus> {
    caller.may(org, Capability::ManageContracts)?;
    let period = input.period.parse::<Period>();
    let code = input
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("EUR");
    let currency = Currency::parse(code).map_err(|m| ValidationError::field("currency", m));
    let amount = currency
        .clone()
        .ok()
        .map(|c| Money::parse(&input.amount, c).map_err(|m| ValidationError::field("amount", m)));
    crate::ops::collect(vec![
        period.as_ref().map(|_| ()).map_err(Clone::clone),
        currency.as_ref().map(|_| ()).map_err(Clone::clone),
        amount.clone().map_or(Ok(()), |a| a.map(|_| ())),
    ])?;
    let (Ok(period), Some(Ok(amount))) = (period, amount) else {
        return Err(ApiError::internal());
    };
    let d = BudgetData {
        category: input.category.trim().to_lowercase(),
        period,
        amount,
        notes: input.notes.clone().unwrap_or_default(),
    };
    d.validate()?;
    state
        .store
        .budget_set(org, &d, &caller.audit(Timestamp::now()))
        .await?;
    status(state, caller, org, Some(&period.to_string())).await
}

pub async fn delete_budget(state: &AppState, caller: &Caller, org: OrgId, id: BudgetId) -> ApiResult<()> {
    may_read(caller, org)?;
    state.store.budget_get(org, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("budget"),
        other => other.into(),
    })?;
    caller.may(org, Capability::ManageContracts)?;
    state
        .store
        .budget_delete(org, id, &caller.audit(Timestamp::now()))
        .await?;
    Ok(())
}

/// The budgets as CSV.
pub fn budgets_csv(s: &BudgetStatus) -> String {
    let mut out = csv_line(&[
        "period",
        "category",
        "budget",
        "actual",
        "committed",
        "remaining",
        "forecast",
        "currency",
        "overrun_percent",
    ]);
    for b in &s.budgets {
        out.push_str(&csv_line(&[
            &s.period,
            &b.category,
            &b.budget.amount,
            &b.actual.amount,
            &b.committed.amount,
            &b.remaining.amount,
            &b.forecast.amount,
            &b.budget.currency,
            &b.overrun_percent.to_string(),
        ]));
    }
    out
}
