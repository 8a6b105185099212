//! Asset pages: the register with its filters and CSV download, one asset
//! with its forms (assign, check out until a date, check in with the
//! condition, record maintenance, change, retire) and its full history, and
//! "My equipment" — what the signed-in person holds, which everyone may see.
//!
//! Handlers parse forms, call `ops::assets` (which authorises and holds the
//! rules) and render. A refused form comes back with every fault named.

use super::calendar::{Opt, one_error, opts, parse_path_id, trimmed, viewer_zone};
use super::pages::{caller, form_pairs, is_user_error, validation_errors};
use super::tasks::{named, people_opts, status_for};
use super::{Layout, WebError, WebResult, render_status};
use crate::app::AppState;
use crate::auth::{AuthCtx, WebAuth};
use crate::ops::assets::{
    self as ops, AssetFilter, AssetInput, AssetView, AssignInput, CheckinInput, MaintainInput, RetireInput,
};
use crate::ops::office as office_ops;
use adjutant_core::FieldError;
use adjutant_core::ids::AssetId;
use adjutant_core::office::asset::{AssetKind, Condition, Status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AssetsQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

/// The register entry as typed.
#[derive(Default, Clone)]
pub struct AssetForm {
    pub tag: String,
    pub kind: String,
    pub model: String,
    pub manufacturer: String,
    pub serial: String,
    pub purchased: String,
    pub cost: String,
    pub currency: String,
    pub vendor: String,
    pub warranty_end: String,
    pub licence_expiry: String,
    pub maintenance_months: String,
    pub location: String,
    pub notes: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.to_string())
}

impl AssetForm {
    fn from_pairs(f: &[(String, String)]) -> Self {
        AssetForm {
            tag: trimmed(f, "tag"),
            kind: trimmed(f, "kind"),
            model: trimmed(f, "model"),
            manufacturer: trimmed(f, "manufacturer"),
            serial: trimmed(f, "serial"),
            purchased: trimmed(f, "purchased"),
            cost: trimmed(f, "cost"),
            currency: trimmed(f, "currency"),
            vendor: trimmed(f, "vendor"),
            warranty_end: trimmed(f, "warranty_end"),
            licence_expiry: trimmed(f, "licence_expiry"),
            maintenance_months: trimmed(f, "maintenance_months"),
            location: trimmed(f, "location"),
            notes: trimmed(f, "notes"),
        }
    }

    fn of(v: &AssetView) -> Self {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        AssetForm {
            tag: v.tag.clone(),
            kind: v.kind.clone(),
            model: v.model.clone(),
            manufacturer: v.manufacturer.clone(),
            serial: v.serial.clone(),
            purchased: s(&v.purchased),
            cost: v.cost.as_ref().map(|m| m.amount.clone()).unwrap_or_default(),
            currency: v
                .cost
                .as_ref()
                .map(|m| m.currency.clone())
                .unwrap_or_else(|| "EUR".into()),
            vendor: v.vendor.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
            warranty_end: s(&v.warranty_end),
            licence_expiry: s(&v.licence_expiry),
            maintenance_months: v.maintenance_months.map(|n| n.to_string()).unwrap_or_default(),
            location: v.location.clone(),
            notes: v.notes.clone(),
        }
    }

    fn input(&self) -> Result<AssetInput, Vec<FieldError>> {
        let months = if self.maintenance_months.is_empty() {
            None
        } else {
            match self.maintenance_months.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    return Err(vec![one_error(
                        "maintenance_months",
                        format!("`{}` is not a whole number", self.maintenance_months),
                    )]);
                }
            }
        };
        Ok(AssetInput {
            tag: self.tag.clone(),
            kind: self.kind.clone(),
            model: opt(&self.model),
            manufacturer: opt(&self.manufacturer),
            serial: opt(&self.serial),
            purchased: opt(&self.purchased),
            cost: opt(&self.cost),
            currency: opt(&self.currency),
            vendor: opt(&self.vendor),
            warranty_end: opt(&self.warranty_end),
            licence_expiry: opt(&self.licence_expiry),
            maintenance_months: months,
            location: opt(&self.location),
            notes: opt(&self.notes),
        })
    }
}

fn kind_opts(chosen: &str, every: Option<&str>) -> Vec<Opt> {
    let mut list: Vec<(&str, &str)> = Vec::new();
    if let Some(e) = every {
        list.push(("", e));
    }
    list.extend(AssetKind::ALL.iter().map(|k| (k.as_str(), k.as_str())));
    opts(&list, chosen)
}

async fn vendor_opts(state: &AppState, auth: &AuthCtx, chosen: &str) -> Result<Vec<Opt>, WebError> {
    let list = office_ops::list_vendors(state, &caller(auth), auth.org()).await?;
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

/// `Thu 3 Dec 2026` for an ISO date.
fn date_text(s: &str) -> String {
    s.parse::<jiff::civil::Date>()
        .map(adjutant_core::office::contract::fmt_date)
        .unwrap_or_else(|_| s.to_string())
}

/// One row of a list.
pub struct AssetRow {
    pub v: AssetView,
    /// `Ana Lima, back Mon 30 Nov 2026 (3 days late)`.
    pub with: String,
    pub problem: bool,
}

fn row(v: AssetView) -> AssetRow {
    let with = match (&v.holder, &v.expected_return) {
        (Some(h), Some(r)) => match v.days_overdue {
            Some(n) => format!(
                "{}, due back {} ({n} day{} late)",
                h.name,
                date_text(r),
                if n == 1 { "" } else { "s" }
            ),
            None => format!("{}, back {}", h.name, date_text(r)),
        },
        (Some(h), None) => h.name.clone(),
        _ => String::new(),
    };
    AssetRow {
        problem: !v.alerts.is_empty(),
        with,
        v,
    }
}

#[derive(Template)]
#[template(path = "assets.html")]
struct AssetsPage {
    layout: Layout,
    mine: bool,
    rows: Vec<AssetRow>,
    overdue: usize,
    statuses: Vec<Opt>,
    kinds: Vec<Opt>,
    q: String,
    csv: String,
    form: AssetForm,
    form_kinds: Vec<Opt>,
    vendors: Vec<Opt>,
    errors: Vec<FieldError>,
}

async fn assets_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &AssetsQuery,
    form: Option<AssetForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let filter = AssetFilter {
        status: named(&q.status).map(str::to_string),
        kind: named(&q.kind).map(str::to_string),
        q: named(&q.q).map(str::to_string),
        mine: false,
    };
    let rows = ops::list_assets(state, &c, org, &filter).await?;
    let overdue = ops::list_assets(
        state,
        &c,
        org,
        &AssetFilter {
            status: Some("overdue".into()),
            ..AssetFilter::default()
        },
    )
    .await?
    .len();
    let mut status_list: Vec<(&str, &str)> = vec![
        ("", "Every status"),
        ("out", "out (assigned or checked out)"),
        ("overdue", "overdue"),
    ];
    status_list.extend(Status::ALL.iter().map(|s| (s.as_str(), s.label())));
    let mut params = vec!["format=csv".to_string()];
    for (k, v) in [
        ("status", &filter.status),
        ("kind", &filter.kind),
        ("q", &filter.q),
    ] {
        if let Some(v) = v {
            params.push(format!("{k}={}", super::url_encode(v)));
        }
    }
    let form = form.unwrap_or_else(|| AssetForm {
        kind: "laptop".into(),
        currency: "EUR".into(),
        ..AssetForm::default()
    });
    let page = AssetsPage {
        layout: Layout::new(state, auth, "assets", q.notice.as_deref()).await?,
        mine: false,
        rows: rows.into_iter().map(row).collect(),
        overdue,
        statuses: opts(&status_list, filter.status.as_deref().unwrap_or("")),
        kinds: kind_opts(filter.kind.as_deref().unwrap_or(""), Some("Every kind")),
        q: filter.q.clone().unwrap_or_default(),
        csv: format!("/api/v1/assets?{}", params.join("&")),
        form_kinds: kind_opts(&form.kind, None),
        vendors: vendor_opts(state, auth, &form.vendor).await?,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

/// The register (office managers and administrators); others go to their own equipment.
pub async fn assets(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<AssetsQuery>,
) -> WebResult {
    if !ops::can_manage(&caller(&auth), auth.org()) {
        return Ok(Redirect::to("/office/assets/mine").into_response());
    }
    assets_render(&state, &auth, &q, None, vec![]).await
}

/// "My equipment": what the signed-in person holds.
pub async fn mine(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let rows = ops::list_assets(
        &state,
        &caller(&auth),
        auth.org(),
        &AssetFilter {
            mine: true,
            ..AssetFilter::default()
        },
    )
    .await?;
    let page = AssetsPage {
        layout: Layout::new(&state, &auth, "my-equipment", q.notice.as_deref()).await?,
        mine: true,
        overdue: rows.iter().filter(|r| r.days_overdue.is_some()).count(),
        rows: rows.into_iter().map(row).collect(),
        statuses: vec![],
        kinds: vec![],
        q: String::new(),
        csv: "/api/v1/assets?mine=true&format=csv".into(),
        form: AssetForm::default(),
        form_kinds: vec![],
        vendors: vec![],
        errors: vec![],
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn asset_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let form = AssetForm::from_pairs(&form_pairs(&body));
    let q = AssetsQuery::default();
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return assets_render(&state, &auth, &q, Some(form), errors).await,
    };
    match ops::create_asset(&state, &caller(&auth), auth.org(), &input).await {
        Ok(v) => Ok(Redirect::to(&format!("/office/assets/{}?notice=asset-added", v.id)).into_response()),
        Err(e) if is_user_error(&e) => {
            assets_render(&state, &auth, &q, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// One history entry as shown.
pub struct HistoryRow {
    pub when: String,
    pub what: String,
    pub detail: String,
    pub by: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "asset.html")]
struct AssetPage {
    layout: Layout,
    a: AssetView,
    can_manage: bool,
    history: Vec<HistoryRow>,
    people: Vec<Opt>,
    conditions: Vec<Opt>,
    today: String,
    form: AssetForm,
    form_kinds: Vec<Opt>,
    vendors: Vec<Opt>,
    errors: Vec<FieldError>,
}

async fn asset_render(
    state: &AppState,
    auth: &AuthCtx,
    id: AssetId,
    notice: Option<&str>,
    form: Option<AssetForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let d = ops::get_asset(state, &c, auth.org(), id).await?;
    let can_manage = ops::can_manage(&c, auth.org());
    let viewer = viewer_zone(auth);
    let form = form.unwrap_or_else(|| AssetForm::of(&d.asset));
    let (people, vendors) = if can_manage {
        let list = state.store.person_list(auth.org()).await?;
        (
            people_opts(&list, &[], &[], Some("Choose a person")),
            vendor_opts(state, auth, &form.vendor).await?,
        )
    } else {
        (vec![], vec![])
    };
    let history = d
        .history
        .iter()
        .map(|e| {
            let who = e.person.as_ref().map(|p| p.name.clone()).unwrap_or_default();
            let (what, detail) = match e.kind.as_str() {
                "create" => ("registered", String::new()),
                "edit" => ("changed", String::new()),
                "assign" => ("assigned", format!("to {who}")),
                "checkout" => (
                    "checked out",
                    format!(
                        "to {who}, back by {}",
                        e.expected_return.as_deref().map(date_text).unwrap_or_default()
                    ),
                ),
                "checkin" => (
                    "checked in",
                    format!("from {who}, {}", e.condition.as_deref().unwrap_or("good")),
                ),
                "maintain" => (
                    "maintained",
                    format!(
                        "on {}{}",
                        e.on.as_deref().map(date_text).unwrap_or_default(),
                        e.cost
                            .as_ref()
                            .map(|m| format!(", {}", m.display))
                            .unwrap_or_default()
                    ),
                ),
                "retire" => ("retired", String::new()),
                other => (other, String::new()),
            };
            HistoryRow {
                when: e
                    .at
                    .parse::<jiff::Timestamp>()
                    .map(|t| super::calendar::when_text(t, &viewer))
                    .unwrap_or_else(|_| e.at.clone()),
                what: what.to_string(),
                detail,
                by: e.by.clone(),
                note: e.note.clone(),
            }
        })
        .collect();
    let conditions: Vec<(&str, &str)> = Condition::ALL.iter().map(|c| (c.as_str(), c.as_str())).collect();
    let page = AssetPage {
        layout: Layout::new(
            state,
            auth,
            if can_manage { "assets" } else { "my-equipment" },
            notice,
        )
        .await?,
        today: viewer.local(jiff::Timestamp::now()).date().to_string(),
        a: d.asset,
        can_manage,
        history,
        people,
        conditions: opts(&conditions, "good"),
        form_kinds: kind_opts(&form.kind, None),
        vendors,
        form,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn asset_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: AssetId = parse_path_id(&id, "asset")?;
    asset_render(&state, &auth, id, q.notice.as_deref(), None, vec![]).await
}

pub async fn asset_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: AssetId = parse_path_id(&id, "asset")?;
    let form = AssetForm::from_pairs(&form_pairs(&body));
    let input = match form.input() {
        Ok(i) => i,
        Err(errors) => return asset_render(&state, &auth, id, None, Some(form), errors).await,
    };
    match ops::update_asset(&state, &caller(&auth), auth.org(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/office/assets/{id}?notice=asset-saved")).into_response()),
        Err(e) if is_user_error(&e) => {
            asset_render(&state, &auth, id, None, Some(form), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Assign, check out, check in, maintain or retire.
pub async fn asset_act(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> WebResult {
    let id: AssetId = parse_path_id(&id, "asset")?;
    let f = form_pairs(&body);
    let c = caller(&auth);
    let org = auth.org();
    let note = Some(trimmed(&f, "note"));
    let (result, notice) = match action.as_str() {
        "assign" | "checkout" => {
            let expected_return = trimmed(&f, "expected_return");
            let input = AssignInput {
                person: trimmed(&f, "person"),
                expected_return: if action == "checkout" {
                    Some(expected_return)
                } else {
                    None
                },
                note,
            };
            let r = if action == "checkout" && input.expected_return.as_deref() == Some("") {
                Err(
                    adjutant_core::ValidationError::field("expected_return", "say when it should come back")
                        .into(),
                )
            } else if input.person.is_empty() {
                Err(adjutant_core::ValidationError::field("person", "choose a person").into())
            } else {
                ops::assign_asset(&state, &c, org, id, &input).await.map(|_| ())
            };
            (
                r,
                if action == "checkout" {
                    "asset-checked-out"
                } else {
                    "asset-assigned"
                },
            )
        }
        "checkin" => (
            ops::checkin_asset(
                &state,
                &c,
                org,
                id,
                &CheckinInput {
                    condition: trimmed(&f, "condition"),
                    note,
                },
            )
            .await
            .map(|_| ()),
            "asset-checked-in",
        ),
        "maintain" => (
            ops::maintain_asset(
                &state,
                &c,
                org,
                id,
                &MaintainInput {
                    on: Some(trimmed(&f, "on")),
                    cost: Some(trimmed(&f, "cost")),
                    currency: Some(trimmed(&f, "currency")),
                    note,
                },
            )
            .await
            .map(|_| ()),
            "asset-maintained",
        ),
        "retire" => (
            ops::retire_asset(&state, &c, org, id, &RetireInput { note })
                .await
                .map(|_| ()),
            "asset-retired",
        ),
        _ => return Err(WebError(crate::error::ApiError::not_found("page"))),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/office/assets/{id}?notice={notice}")).into_response()),
        Err(e) if is_user_error(&e) => {
            asset_render(&state, &auth, id, None, None, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// The overdue returns and the warranty and licence ends coming, for the office dashboard
/// (empty for those who do not manage assets).
pub async fn dashboard_rows(state: &AppState, auth: &AuthCtx) -> Result<Vec<DashboardRow>, WebError> {
    let c = caller(auth);
    if !ops::can_manage(&c, auth.org()) {
        return Ok(vec![]);
    }
    let due = ops::assets_due(state, &c, auth.org(), Some(60)).await?;
    Ok(due
        .items
        .into_iter()
        .filter(|i| i.alert.kind != "maintenance_due")
        .map(|i| DashboardRow {
            id: i.asset.id.clone(),
            label: format!("{} {}", i.asset.tag, i.asset.model).trim().to_string(),
            holder: i
                .asset
                .holder
                .as_ref()
                .map(|h| h.name.clone())
                .unwrap_or_default(),
            overdue: i.alert.kind == "return_overdue",
            text: i.alert.text,
        })
        .collect())
}

/// One line of the dashboard's asset card.
pub struct DashboardRow {
    pub id: String,
    pub label: String,
    pub holder: String,
    pub overdue: bool,
    pub text: String,
}
