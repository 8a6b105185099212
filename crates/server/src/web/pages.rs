//! The pages of the platform: dashboard, people, delegations, tokens, audit, account.

use super::{Layout, WebError, WebResult, render, render_status};
use crate::app::AppState;
use crate::auth::{Caller, WebAuth};
use crate::error::ApiError;
use crate::ops::{self, DelegationInput, PersonInput, PersonUpdate, TokenInput};
use adjutant_core::FieldError;
use adjutant_core::delegation::Scope;
use adjutant_core::ids::PersonId;
use adjutant_core::people::Role;
use adjutant_core::policy::{self, Capability};
use adjutant_core::totp;
use adjutant_store::delegations::DelegationFilter;
use adjutant_store::{AuditFilter, DelegationRecord, Person};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use bytes::Bytes;
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub(super) fn caller(auth: &crate::auth::AuthCtx) -> Caller {
    Caller::Person(Box::new(auth.clone()))
}

/// Form fields, keeping repeated keys (checkbox groups).
pub(super) fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub(super) fn field(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

pub(super) fn validation_errors(e: &ApiError) -> Vec<FieldError> {
    if e.errors.is_empty() {
        vec![FieldError {
            field: "form".into(),
            message: e.detail.clone(),
        }]
    } else {
        e.errors.clone()
    }
}

pub(super) fn is_user_error(e: &ApiError) -> bool {
    matches!(
        e.status,
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::BAD_REQUEST
    )
}

fn roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect()
}

fn short_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M").to_string()
}

// ---- dashboard ----

pub struct DelegationLine {
    principal_name: String,
    delegate_name: String,
    scopes: String,
    level: &'static str,
}

impl From<&DelegationRecord> for DelegationLine {
    fn from(d: &DelegationRecord) -> Self {
        Self {
            principal_name: d.principal_name.clone(),
            delegate_name: d.delegate_name.clone(),
            scopes: d.scopes.iter().map(Scope::as_str).collect::<Vec<_>>().join(", "),
            level: d.level.as_str(),
        }
    }
}

pub struct RecentLine {
    when: String,
    who: String,
    action: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    layout: Layout,
    greeting: &'static str,
    first_name: String,
    local_time: String,
    zone: String,
    acting_for: Option<String>,
    role_counts: Vec<(&'static str, usize)>,
    held: Vec<DelegationLine>,
    given: Vec<DelegationLine>,
    recent: Vec<RecentLine>,
    /// Contracts whose last day to give notice (or whose end) is within two weeks.
    contracts_due: Vec<ContractDueLine>,
    /// Purchases the viewer may approve now: (id, number and title, total, requested by).
    to_approve: Vec<(String, String, String, String)>,
    /// Invoices that came by mail and are not registered yet.
    invoices_by_mail: Vec<crate::ops::mail::MailItem>,
}

pub struct ContractDueLine {
    pub id: String,
    pub title: String,
    pub vendor: String,
    pub when: String,
    pub what: &'static str,
}

/// How far ahead the home page looks for contract deadlines.
const CONTRACT_DAYS: i64 = 14;

pub async fn dashboard(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let layout = Layout::new(&state, &auth, "home", q.notice.as_deref()).await?;
    let org = auth.org();
    let zone = jiff::tz::TimeZone::get(&auth.person.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = Timestamp::now().to_zoned(zone);
    let greeting = match now.hour() {
        5..=11 => "morning",
        12..=17 => "afternoon",
        _ => "evening",
    };
    let people = ops::list_people(&state, &caller(&auth), org).await?;
    let mut role_counts = Vec::new();
    for r in Role::ALL {
        let n = people.iter().filter(|p| p.role == r && !p.disabled).count();
        if n > 0 {
            role_counts.push((r.label(), n));
        }
    }
    let held = state
        .store
        .delegation_list(
            org,
            DelegationFilter {
                delegate: Some(auth.person.id),
                principal: None,
            },
        )
        .await?;
    let given = state
        .store
        .delegation_list(
            org,
            DelegationFilter {
                principal: Some(auth.person.id),
                delegate: None,
            },
        )
        .await?;
    let recent = if policy::may(&auth.actor, org, Capability::ReadAudit).is_ok() {
        state
            .store
            .audit_list(
                org,
                &AuditFilter {
                    limit: 6,
                    ..AuditFilter::default()
                },
            )
            .await?
            .iter()
            .map(|e| RecentLine {
                when: e
                    .at
                    .to_zoned(now.time_zone().clone())
                    .strftime("%a %H:%M")
                    .to_string(),
                who: e.actor_label.clone(),
                action: e.action.clone(),
            })
            .collect()
    } else {
        vec![]
    };
    let acting_for = match auth.actor.acting_for {
        Some(p) => Some(state.store.person_get(org, p).await?.name),
        None => None,
    };
    let contracts_due = if policy::may(&auth.actor, org, Capability::ViewContracts).is_ok() {
        crate::ops::office::contracts_due(&state, &caller(&auth), org, Some(CONTRACT_DAYS))
            .await?
            .items
            .iter()
            .map(|i| ContractDueLine {
                id: i.contract.id.clone(),
                title: i.contract.title.clone(),
                vendor: i.contract.vendor.name.clone(),
                when: adjutant_core::office::contract::in_days(i.alert.days_left),
                what: if i.alert.kind == "ends" {
                    "ends"
                } else {
                    "last day to give notice"
                },
            })
            .collect()
    } else {
        vec![]
    };
    let to_approve = if policy::may(&auth.actor, org, Capability::ViewContracts).is_ok() {
        crate::ops::purchases::list_purchases(
            &state,
            &caller(&auth),
            org,
            &crate::ops::purchases::PurchaseFilter {
                status: Some("waiting".into()),
                q: None,
            },
        )
        .await?
        .into_iter()
        // A principal's list holds what only a principal may approve; the rest is the office manager's.
        .filter(|p| p.can_decide && (auth.person.role != Role::Principal || p.approver == "a principal"))
        .map(|p| {
            (
                p.id,
                format!("{} {}", p.number, p.title),
                p.total.display,
                p.requested_by,
            )
        })
        .collect()
    } else {
        vec![]
    };
    Ok(render(&Dashboard {
        layout,
        greeting,
        first_name: auth
            .person
            .name
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string(),
        local_time: now.strftime("%A %-d %B, %H:%M").to_string(),
        zone: auth.person.time_zone.clone(),
        acting_for,
        role_counts,
        held: held.iter().map(DelegationLine::from).collect(),
        given: given.iter().map(DelegationLine::from).collect(),
        recent,
        contracts_due,
        to_approve,
        invoices_by_mail: crate::ops::invoices::waiting_in_mail(&state, &caller(&auth), org).await?,
    }))
}

// ---- people ----

#[derive(Default)]
pub struct PersonForm {
    name: String,
    email: String,
    role: String,
    time_zone: String,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    layout: Layout,
    people: Vec<Person>,
    roles: Vec<(&'static str, &'static str)>,
    form: PersonForm,
    errors: Vec<FieldError>,
}

pub async fn people(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let people = ops::list_people(&state, &caller(&auth), auth.org()).await?;
    Ok(render(&PeoplePage {
        layout: Layout::new(&state, &auth, "people", q.notice.as_deref()).await?,
        people,
        roles: roles(),
        form: PersonForm {
            role: "staff".into(),
            time_zone: auth.person.time_zone.clone(),
            ..PersonForm::default()
        },
        errors: vec![],
    }))
}

pub async fn people_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManagePeople)?;
    let f = form_pairs(&body);
    let input = PersonInput {
        name: field(&f, "name").unwrap_or_default(),
        email: field(&f, "email"),
        role: field(&f, "role").unwrap_or_default(),
        time_zone: field(&f, "time_zone").filter(|z| !z.trim().is_empty()),
        password: field(&f, "password").filter(|p| !p.is_empty()),
    };
    match ops::create_person(&state, &c, auth.org(), &input).await {
        Ok(_) => Ok(Redirect::to("/people?notice=person-created").into_response()),
        Err(e) if is_user_error(&e) => {
            let people = ops::list_people(&state, &c, auth.org()).await?;
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PeoplePage {
                    layout: Layout::new(&state, &auth, "people", None).await?,
                    people,
                    roles: roles(),
                    form: PersonForm {
                        name: input.name,
                        email: input.email.unwrap_or_default(),
                        role: input.role,
                        time_zone: input.time_zone.unwrap_or_default(),
                    },
                    errors: validation_errors(&e),
                },
            ))
        }
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    person: Person,
    roles: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
}

fn person_id(s: &str) -> Result<PersonId, WebError> {
    s.parse().map_err(|_| WebError(ApiError::not_found("person")))
}

pub async fn person(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManagePeople)?;
    let person = state.store.person_get(auth.org(), person_id(&id)?).await?;
    Ok(render(&PersonPage {
        layout: Layout::new(&state, &auth, "people", q.notice.as_deref()).await?,
        person,
        roles: roles(),
        errors: vec![],
    }))
}

pub async fn person_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManagePeople)?;
    let id = person_id(&id)?;
    let f = form_pairs(&body);
    let input = PersonUpdate {
        name: field(&f, "name"),
        email: field(&f, "email"),
        role: field(&f, "role"),
        time_zone: field(&f, "time_zone"),
        disabled: Some(field(&f, "disabled").is_some()),
    };
    match ops::update_person(&state, &c, auth.org(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?notice=person-updated")).into_response()),
        Err(e) if is_user_error(&e) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PersonPage {
                layout: Layout::new(&state, &auth, "people", None).await?,
                person: state.store.person_get(auth.org(), id).await?,
                roles: roles(),
                errors: validation_errors(&e),
            },
        )),
        Err(e) => Err(WebError(e)),
    }
}

pub async fn person_password(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManagePeople)?;
    let id = person_id(&id)?;
    let f = form_pairs(&body);
    match ops::set_password(
        &state,
        &c,
        auth.org(),
        id,
        &field(&f, "password").unwrap_or_default(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?notice=password-set")).into_response()),
        Err(e) if is_user_error(&e) => Ok(render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PersonPage {
                layout: Layout::new(&state, &auth, "people", None).await?,
                person: state.store.person_get(auth.org(), id).await?,
                roles: roles(),
                errors: validation_errors(&e),
            },
        )),
        Err(e) => Err(WebError(e)),
    }
}

pub async fn person_revoke_sessions(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManagePeople)?;
    let id = person_id(&id)?;
    // The store refuses a person outside this organisation with NotFound.
    state
        .store
        .session_delete_all(auth.org(), id, &c.audit(Timestamp::now()))
        .await?;
    Ok(Redirect::to(&format!("/people/{id}?notice=sessions-ended")).into_response())
}

pub async fn person_reset_second_factor(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let c = caller(&auth);
    c.may(auth.org(), Capability::ManagePeople)?;
    let id = person_id(&id)?;
    ops::reset_second_factor(&state, &c, auth.org(), id).await?;
    Ok(Redirect::to(&format!("/people/{id}?notice=second-factor-reset")).into_response())
}

// ---- delegations ----

pub struct DelegationRow {
    id: String,
    principal_name: String,
    delegate_name: String,
    scopes: String,
    level: &'static str,
    can_revoke: bool,
}

#[derive(Template)]
#[template(path = "delegations.html")]
struct DelegationsPage {
    layout: Layout,
    delegations: Vec<DelegationRow>,
    /// (id, name) of principals the user may grant for.
    principals: Vec<(String, String)>,
    delegates: Vec<(String, String)>,
    scopes: Vec<&'static str>,
    errors: Vec<FieldError>,
}

async fn delegations_page(
    state: &AppState,
    auth: &crate::auth::AuthCtx,
    notice: Option<&str>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let list = ops::list_delegations(state, &c, org).await?;
    let is_admin = policy::may(&auth.actor, org, Capability::ManageAllDelegations).is_ok();
    let people = if is_admin {
        state.store.person_list(org).await?
    } else {
        vec![auth.person.clone()]
    };
    let eligible = |p: &&Person| p.role != Role::Contractor && !p.disabled;
    let principals = people
        .iter()
        .filter(eligible)
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect();
    let delegates = if is_admin {
        people
            .iter()
            .filter(eligible)
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect()
    } else {
        // A principal picks among colleagues; the directory is visible to non-contractors.
        ops::list_people(state, &c, org)
            .await?
            .iter()
            .filter(|p| p.role != Role::Contractor && !p.disabled && p.id != auth.person.id)
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect()
    };
    let rows = list
        .iter()
        .map(|d| DelegationRow {
            id: d.id.to_string(),
            principal_name: d.principal_name.clone(),
            delegate_name: d.delegate_name.clone(),
            scopes: d.scopes.iter().map(Scope::as_str).collect::<Vec<_>>().join(", "),
            level: d.level.as_str(),
            can_revoke: policy::may_manage_delegation(&auth.actor, org, d.principal).is_ok(),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &DelegationsPage {
            layout: Layout::new(state, auth, "delegations", notice).await?,
            delegations: rows,
            principals: if auth.person.role == Role::Contractor {
                vec![]
            } else {
                principals
            },
            delegates,
            scopes: Scope::ALL.iter().map(Scope::as_str).collect(),
            errors,
        },
    ))
}

pub async fn delegations(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    delegations_page(&state, &auth, q.notice.as_deref(), vec![]).await
}

pub async fn delegation_grant(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let input = DelegationInput {
        principal: field(&f, "principal").unwrap_or_default(),
        delegate: field(&f, "delegate").unwrap_or_default(),
        scopes: f
            .iter()
            .filter(|(k, _)| k == "scopes")
            .map(|(_, v)| v.clone())
            .collect(),
        level: field(&f, "level").unwrap_or_default(),
    };
    match ops::grant_delegation(&state, &caller(&auth), auth.org(), &input).await {
        Ok(_) => Ok(Redirect::to("/delegations?notice=delegation-granted").into_response()),
        Err(e) if is_user_error(&e) => delegations_page(&state, &auth, None, validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

pub async fn delegation_revoke(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id = id.parse().map_err(|_| ApiError::not_found("delegation"))?;
    ops::revoke_delegation(&state, &caller(&auth), auth.org(), id).await?;
    Ok(Redirect::to("/delegations?notice=delegation-revoked").into_response())
}

// ---- tokens ----

pub struct TokenRow {
    id: String,
    name: String,
    owner: String,
    created: String,
    expires: String,
    last_used: String,
    active: bool,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    show_owner: bool,
    new_secret: Option<String>,
    errors: Vec<FieldError>,
}

async fn tokens_page(
    state: &AppState,
    auth: &crate::auth::AuthCtx,
    notice: Option<&str>,
    new_secret: Option<String>,
    errors: Vec<FieldError>,
) -> WebResult {
    let org = auth.org();
    let is_admin = policy::may(&auth.actor, org, Capability::ManageAllTokens).is_ok();
    let tokens = ops::list_tokens(state, &caller(auth), org, is_admin).await?;
    let names: HashMap<PersonId, String> = if is_admin {
        state
            .store
            .person_list(org)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect()
    } else {
        HashMap::new()
    };
    let now = Timestamp::now();
    let rows = tokens
        .iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name.clone(),
            owner: names.get(&t.person).cloned().unwrap_or_default(),
            created: short_time(t.created_at),
            expires: t.expires_at.map(short_time).unwrap_or_else(|| "never".into()),
            last_used: t.last_used_at.map(short_time).unwrap_or_else(|| "—".into()),
            active: t.is_active(now),
            status: if t.revoked_at.is_some() {
                "revoked"
            } else {
                "expired"
            },
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &TokensPage {
            layout: Layout::new(state, auth, "tokens", notice).await?,
            tokens: rows,
            show_owner: is_admin,
            new_secret,
            errors,
        },
    ))
}

pub async fn tokens(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    tokens_page(&state, &auth, q.notice.as_deref(), None, vec![]).await
}

pub async fn token_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let days = field(&f, "expires_in_days").filter(|d| !d.trim().is_empty());
    let expires_in_days = match days {
        Some(d) => match d.trim().parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                let errs = vec![FieldError {
                    field: "expires_in_days".into(),
                    message: "must be a whole number of days".into(),
                }];
                return tokens_page(&state, &auth, None, None, errs).await;
            }
        },
        None => None,
    };
    let input = TokenInput {
        name: field(&f, "name").unwrap_or_default(),
        expires_in_days,
        person: None,
    };
    match ops::create_token(&state, &caller(&auth), auth.org(), &input).await {
        Ok((_, secret)) => tokens_page(&state, &auth, None, Some(secret), vec![]).await,
        Err(e) if is_user_error(&e) => tokens_page(&state, &auth, None, None, validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

pub async fn token_revoke(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
) -> WebResult {
    let id = id.parse().map_err(|_| ApiError::not_found("API token"))?;
    ops::revoke_token(&state, &caller(&auth), auth.org(), id).await?;
    Ok(Redirect::to("/tokens?notice=token-revoked").into_response())
}

// ---- audit ----

pub struct AuditRow {
    when: String,
    who: String,
    for_whom: String,
    action: String,
    item: String,
    details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditRow>,
    people: Vec<(String, String)>,
    action: String,
    actor: String,
    error: Option<String>,
}

pub async fn audit(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<crate::api::AuditQueryPublic>,
) -> WebResult {
    let c = caller(&auth);
    let org = auth.org();
    c.may(org, Capability::ReadAudit)?;
    let people = state.store.person_list(org).await?;
    let names: HashMap<String, String> = people
        .iter()
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect();
    let (entries, error) = match q.to_filter() {
        Ok(f) => (ops::read_audit(&state, &c, org, &f).await?, None),
        Err(e) => (vec![], Some(e.summary())),
    };
    let rows = entries
        .iter()
        .map(|e| AuditRow {
            when: e.at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            who: e.actor_label.clone(),
            for_whom: e
                .on_behalf_of
                .map(|p| {
                    names
                        .get(&p.to_string())
                        .cloned()
                        .unwrap_or_else(|| p.to_string())
                })
                .unwrap_or_default(),
            action: e.action.clone(),
            item: match &e.item_id {
                Some(id) => format!(
                    "{} {}",
                    e.item_type,
                    names
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| id.chars().take(8).collect())
                ),
                None => e.item_type.clone(),
            },
            details: e.details.to_string(),
        })
        .collect();
    Ok(render(&AuditPage {
        layout: Layout::new(&state, &auth, "audit", None).await?,
        entries: rows,
        people: people
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        action: q.action.clone().unwrap_or_default(),
        actor: q.actor.clone().unwrap_or_default(),
        error,
    }))
}

// ---- account ----

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    notice: Option<String>,
    setup: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    totp_enabled: bool,
    totp_secret: Option<String>,
    totp_uri: String,
    errors: Vec<FieldError>,
}

async fn account_page(
    state: &AppState,
    auth: &crate::auth::AuthCtx,
    notice: Option<&str>,
    setup_secret: Option<Vec<u8>>,
    errors: Vec<FieldError>,
) -> WebResult {
    let (secret, uri) = match setup_secret {
        Some(s) => (
            Some(totp::encode_secret(&s)),
            totp::provisioning_uri(
                "Adjutant",
                auth.person.email.as_deref().unwrap_or(&auth.person.name),
                &s,
            ),
        ),
        None => (None, String::new()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_status(
        status,
        &AccountPage {
            layout: Layout::new(state, auth, "account", notice).await?,
            totp_enabled: auth.person.totp_enabled,
            totp_secret: secret,
            totp_uri: uri,
            errors,
        },
    ))
}

pub async fn account(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<AccountQuery>,
) -> WebResult {
    let setup = if q.setup.as_deref() == Some("totp") && !auth.person.totp_enabled {
        Some(crate::secrets::random_bytes(totp::SECRET_LEN).ok_or_else(ApiError::internal)?)
    } else {
        None
    };
    account_page(&state, &auth, q.notice.as_deref(), setup, vec![]).await
}

fn one_error(field: &str, message: &str) -> Vec<FieldError> {
    vec![FieldError {
        field: field.into(),
        message: message.into(),
    }]
}

pub async fn account_password(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let current = field(&f, "current").unwrap_or_default();
    let cred = state.store.credential_get(auth.org(), auth.person.id).await?;
    let hashing = state.hashing.clone();
    let ok = match cred {
        Some(c) => tokio::task::spawn_blocking(move || hashing.verify(&current, &c.password_hash))
            .await
            .map_err(|_| ApiError::internal())?,
        None => false,
    };
    if !ok {
        return account_page(
            &state,
            &auth,
            None,
            None,
            one_error("current", "is not your current password"),
        )
        .await;
    }
    match ops::set_password(
        &state,
        &caller(&auth),
        auth.org(),
        auth.person.id,
        &field(&f, "password").unwrap_or_default(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/account?notice=password-changed").into_response()),
        Err(e) if is_user_error(&e) => account_page(&state, &auth, None, None, validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

pub async fn totp_enable(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let Some(secret) = field(&f, "secret")
        .and_then(|s| totp::decode_secret(&s))
        .filter(|s| s.len() >= 16)
    else {
        return account_page(
            &state,
            &auth,
            None,
            None,
            one_error("secret", "is missing or malformed; start the set-up again"),
        )
        .await;
    };
    let now = Timestamp::now();
    let Some(step) = totp::verify(&secret, &field(&f, "code").unwrap_or_default(), now.as_second()) else {
        return account_page(
            &state,
            &auth,
            None,
            Some(secret),
            one_error(
                "code",
                "does not match; check your device's clock and try the next code",
            ),
        )
        .await;
    };
    state
        .store
        .credential_set_totp(auth.org(), auth.person.id, Some(&secret), &auth.audit(now))
        .await?;
    state
        .store
        .credential_use_totp_step(auth.org(), auth.person.id, step)
        .await?;
    Ok(Redirect::to("/account?notice=totp-on").into_response())
}

pub async fn totp_disable(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let now = Timestamp::now();
    let cred = state.store.credential_get(auth.org(), auth.person.id).await?;
    let valid = cred
        .and_then(|c| c.totp_secret)
        .and_then(|s| totp::verify(&s, &field(&f, "code").unwrap_or_default(), now.as_second()));
    if valid.is_none() {
        return account_page(&state, &auth, None, None, one_error("code", "does not match")).await;
    }
    state
        .store
        .credential_set_totp(auth.org(), auth.person.id, None, &auth.audit(now))
        .await?;
    Ok(Redirect::to("/account?notice=totp-off").into_response())
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    headers: axum::http::HeaderMap,
) -> WebResult {
    state
        .store
        .session_delete_all(auth.org(), auth.person.id, &auth.audit(Timestamp::now()))
        .await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        super::login::session_cookie_header(&state, &headers, None, 0),
    );
    Ok(res)
}
