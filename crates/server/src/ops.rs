//! Operations shared by the API, the web pages and the CLI. Each one
//! authorises its caller first, validates input into domain types, then calls
//! the store (which audits in the same transaction).

pub mod assets;
pub mod budgets;
pub mod calendar;
pub mod duties;
pub mod expenses;
pub mod invoices;
pub mod mail;
pub mod meetings;
pub mod office;
pub mod planning;
pub mod purchases;
pub mod scheduling;
pub mod spaces;
pub mod stock;
pub mod tasks;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use adjutant_core::ValidationError;
use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{DelegationId, OrgId, PersonId, TokenId};
use adjutant_core::people::{Email, NewPassword, PersonName, Role, ZoneName};
use adjutant_core::policy::{self, Capability};
use adjutant_store::delegations::DelegationFilter;
use adjutant_store::{ApiToken, AuditEntry, AuditFilter, DelegationRecord, NewPerson, Person, PersonPatch};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use utoipa::ToSchema;

/// A new person, as the API, web form and CLI give it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// Display name.
    pub name: String,
    /// E-mail address; also the sign-in name when a password is set.
    #[serde(default)]
    pub email: Option<String>,
    /// One of admin, principal, assistant, office_manager, staff, contractor.
    pub role: String,
    /// IANA time zone, e.g. `Europe/Amsterdam` (default `UTC`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Initial password (at least 10 characters); without one the person cannot sign in.
    #[serde(default)]
    pub password: Option<String>,
}

/// Changes to a person; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub time_zone: Option<String>,
    pub disabled: Option<bool>,
}

/// All the field errors of `results` as one error, or `Ok` when there are none.
pub(crate) fn collect(results: Vec<Result<(), ValidationError>>) -> Result<(), ValidationError> {
    let errors: Vec<_> = results
        .into_iter()
        .filter_map(Result::err)
        .flat_map(|e| e.errors)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { errors })
    }
}

/// Hashes a password off the async threads (Argon2 is deliberately slow).
pub async fn hash_password(state: &AppState, password: &NewPassword) -> ApiResult<String> {
    let hashing = state.hashing.clone();
    let pw = password.expose().to_string();
    tokio::task::spawn_blocking(move || hashing.hash(&pw))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "hashing a password");
            ApiError::internal()
        })
}

pub async fn create_person(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &PersonInput,
) -> ApiResult<Person> {
    caller.may(org, Capability::ManagePeople)?;
    let name = PersonName::parse("name", &input.name);
    let email = input
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(Email::parse)
        .transpose();
    let role = input.role.parse::<Role>();
    let zone = ZoneName::parse(input.time_zone.as_deref().unwrap_or("UTC"));
    let password = input
        .password
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(NewPassword::parse)
        .transpose();
    let mut checks = vec![
        name.as_ref().map(|_| ()).map_err(Clone::clone),
        email.as_ref().map(|_| ()).map_err(Clone::clone),
        role.as_ref().map(|_| ()).map_err(Clone::clone),
        zone.as_ref().map(|_| ()).map_err(Clone::clone),
        password.as_ref().map(|_| ()).map_err(Clone::clone),
    ];
    if let (Ok(None), Ok(Some(_))) = (&email, &password) {
        checks.push(Err(ValidationError::field(
            "email",
            "is required to sign in with a password",
        )));
    }
    collect(checks)?;
    let (Ok(name), Ok(email), Ok(role), Ok(zone), Ok(password)) = (name, email, role, zone, password) else {
        return Err(ApiError::internal());
    };
    let password_hash = match &password {
        Some(p) => Some(hash_password(state, p).await?),
        None => None,
    };
    let new = NewPerson {
        name: name.as_str().to_string(),
        email: email.map(|e| e.as_str().to_string()),
        role,
        time_zone: zone.as_str().to_string(),
        password_hash,
    };
    Ok(state
        .store
        .person_create(org, &new, &caller.audit(Timestamp::now()))
        .await?)
}

pub async fn update_person(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PersonId,
    input: &PersonUpdate,
) -> ApiResult<Person> {
    caller.may(org, Capability::ManagePeople)?;
    if caller.person() == Some(id)
        && (input.disabled == Some(true) || input.role.as_deref().is_some_and(|r| r != "admin"))
    {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            "you cannot disable yourself or remove your own administrator role; ask another administrator",
        ));
    }
    let name = input
        .name
        .as_deref()
        .map(|n| PersonName::parse("name", n))
        .transpose();
    let email = input
        .email
        .as_deref()
        .map(|e| {
            if e.trim().is_empty() {
                Ok(None)
            } else {
                Email::parse(e).map(Some)
            }
        })
        .transpose();
    let role = input.role.as_deref().map(str::parse::<Role>).transpose();
    let zone = input.time_zone.as_deref().map(ZoneName::parse).transpose();
    collect(vec![
        name.as_ref().map(|_| ()).map_err(Clone::clone),
        email.as_ref().map(|_| ()).map_err(Clone::clone),
        role.as_ref().map(|_| ()).map_err(Clone::clone),
        zone.as_ref().map(|_| ()).map_err(Clone::clone),
    ])?;
    let (Ok(name), Ok(email), Ok(role), Ok(zone)) = (name, email, role, zone) else {
        return Err(ApiError::internal());
    };
    let patch = PersonPatch {
        name: name.map(|n| n.as_str().to_string()),
        email: email.map(|e| e.map(|e| e.as_str().to_string())),
        role,
        time_zone: zone.map(|z| z.as_str().to_string()),
        disabled: input.disabled,
    };
    Ok(state
        .store
        .person_update(org, id, &patch, &caller.audit(Timestamp::now()))
        .await?)
}

/// Sets a person's password: an administrator for anyone, a person for themselves.
pub async fn set_password(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PersonId,
    password: &str,
) -> ApiResult<()> {
    if caller.person() != Some(id) {
        caller.may(org, Capability::ManagePeople)?;
    }
    let pw = NewPassword::parse(password)?;
    let person = state.store.person_get(org, id).await?;
    let hash = hash_password(state, &pw).await?;
    state
        .store
        .credential_set_password(org, &person, &hash, &caller.audit(Timestamp::now()))
        .await?;
    Ok(())
}

/// Turns off a person's second factor (an administrator, when a phone is lost).
pub async fn reset_second_factor(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: PersonId,
) -> ApiResult<()> {
    caller.may(org, Capability::ManagePeople)?;
    let person = state.store.person_get(org, id).await?;
    if !person.has_login {
        return Err(ValidationError::field(
            "person",
            format!("{} has no login, so no second factor", person.name),
        )
        .into());
    }
    if !person.totp_enabled {
        // Already off: nothing to change, nothing to audit.
        return Ok(());
    }
    state
        .store
        .credential_set_totp(org, id, None, &caller.audit(Timestamp::now()))
        .await?;
    Ok(())
}

/// People of `org` visible to the caller.
pub async fn list_people(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<Vec<Person>> {
    match caller.may(org, Capability::ViewDirectory) {
        Ok(()) => Ok(state.store.person_list(org).await?),
        // Contractors see only themselves in the directory.
        Err(e) => match caller {
            Caller::Person(a) if a.org() == org => Ok(vec![a.person.clone()]),
            _ => Err(e),
        },
    }
}

pub async fn get_person(state: &AppState, caller: &Caller, org: OrgId, id: PersonId) -> ApiResult<Person> {
    if caller.person() != Some(id) {
        caller.may(org, Capability::ViewDirectory)?;
    }
    Ok(state.store.person_get(org, id).await?)
}

/// A delegation to grant.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationInput {
    /// The person whose work is delegated.
    pub principal: String,
    /// The person who may act for them.
    pub delegate: String,
    /// Any of calendar, mail, tasks, travel, expenses.
    pub scopes: Vec<String>,
    /// `read` or `act`.
    pub level: String,
}

fn parse_person_id(field: &str, s: &str) -> Result<PersonId, ValidationError> {
    s.parse::<PersonId>()
        .map_err(|_| ValidationError::field(field, format!("`{s}` is not a person id (a UUID)")))
}

pub async fn grant_delegation(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &DelegationInput,
) -> ApiResult<DelegationRecord> {
    let principal = parse_person_id("principal", &input.principal);
    let delegate = parse_person_id("delegate", &input.delegate);
    let scopes: Result<Vec<Scope>, ValidationError> = if input.scopes.is_empty() {
        Err(ValidationError::field("scopes", "name at least one scope"))
    } else {
        Scope::parse_list(&input.scopes.join(","))
    };
    let level = input.level.parse::<Level>();
    collect(vec![
        principal.as_ref().map(|_| ()).map_err(Clone::clone),
        delegate.as_ref().map(|_| ()).map_err(Clone::clone),
        scopes.as_ref().map(|_| ()).map_err(Clone::clone),
        level.as_ref().map(|_| ()).map_err(Clone::clone),
    ])?;
    let (Ok(principal), Ok(delegate), Ok(scopes), Ok(level)) = (principal, delegate, scopes, level) else {
        return Err(ApiError::internal());
    };
    if let Caller::Person(a) = caller {
        policy::may_manage_delegation(&a.actor, org, principal)?;
    }
    let p = state.store.person_get(org, principal).await.map_err(|_| {
        ApiError::from(ValidationError::field(
            "principal",
            "no such person in this organisation",
        ))
    })?;
    let d = state.store.person_get(org, delegate).await.map_err(|_| {
        ApiError::from(ValidationError::field(
            "delegate",
            "no such person in this organisation",
        ))
    })?;
    if d.role == Role::Contractor || p.role == Role::Contractor {
        return Err(ValidationError::field(
            "delegate",
            "contractors work on what is shared with them, not under a delegation",
        )
        .into());
    }
    if principal == delegate {
        return Err(ValidationError::field("delegate", "a person cannot delegate to themselves").into());
    }
    Ok(state
        .store
        .delegation_grant(
            org,
            principal,
            delegate,
            &scopes,
            level,
            &caller.audit(Timestamp::now()),
        )
        .await?)
}

pub async fn revoke_delegation(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: DelegationId,
) -> ApiResult<DelegationRecord> {
    let d = state.store.delegation_get(org, id).await?;
    if let Caller::Person(a) = caller {
        policy::may_manage_delegation(&a.actor, org, d.principal)?;
    }
    Ok(state
        .store
        .delegation_revoke(org, id, &caller.audit(Timestamp::now()))
        .await?)
}

/// Delegations the caller may see: all for admins, else those they give or hold.
pub async fn list_delegations(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
) -> ApiResult<Vec<DelegationRecord>> {
    let all = state
        .store
        .delegation_list(org, DelegationFilter::default())
        .await?;
    match caller {
        Caller::Person(a) => {
            if a.org() != org {
                return Err(ApiError::forbidden("that belongs to another organisation"));
            }
            if policy::may(&a.actor, org, Capability::ManageAllDelegations).is_ok() {
                Ok(all)
            } else {
                Ok(all
                    .into_iter()
                    .filter(|d| d.principal == a.person.id || d.delegate == a.person.id)
                    .collect())
            }
        }
        Caller::System(_) => Ok(all),
    }
}

/// An API token to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// What the token is for, e.g. `laptop CLI`.
    pub name: String,
    /// Days until it expires (1–3650); absent: never.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
    /// Whose token (administrators only; default: yourself).
    #[serde(default)]
    pub person: Option<String>,
}

/// Creates a token; returns it with its secret, shown this once only.
pub async fn create_token(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    input: &TokenInput,
) -> ApiResult<(ApiToken, String)> {
    let person = match (&input.person, caller.person()) {
        (Some(p), me) => {
            let id = parse_person_id("person", p)?;
            if me != Some(id) {
                caller.may(org, Capability::ManageAllTokens)?;
            }
            id
        }
        (None, Some(me)) => me,
        (None, None) => return Err(ValidationError::field("person", "name whose token this is").into()),
    };
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ValidationError::field("name", "must be 1 to 100 characters").into());
    }
    let expires_at = match input.expires_in_days {
        None => None,
        Some(d) if (1..=3650).contains(&d) => Some(
            Timestamp::now()
                .checked_add(SignedDuration::from_hours(24 * i64::from(d)))
                .map_err(|_| ApiError::internal())?,
        ),
        Some(_) => {
            return Err(ValidationError::field("expires_in_days", "must be between 1 and 3650").into());
        }
    };
    let p = state.store.person_get(org, person).await?;
    if p.disabled {
        return Err(ValidationError::field("person", "is disabled").into());
    }
    let secret = crate::secrets::random_token("adj");
    if secret.is_empty() {
        return Err(ApiError::internal());
    }
    let t = state
        .store
        .token_create(
            org,
            person,
            name,
            &crate::secrets::token_hash(&secret),
            expires_at,
            &caller.audit(Timestamp::now()),
        )
        .await?;
    Ok((t, secret))
}

pub async fn list_tokens(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    all: bool,
) -> ApiResult<Vec<ApiToken>> {
    let who = match caller.person() {
        Some(me) if !all => Some(me),
        _ => {
            caller.may(org, Capability::ManageAllTokens)?;
            None
        }
    };
    Ok(state.store.token_list(org, who).await?)
}

pub async fn revoke_token(state: &AppState, caller: &Caller, org: OrgId, id: TokenId) -> ApiResult<ApiToken> {
    let t = state.store.token_get(org, id).await?;
    if caller.person() != Some(t.person) {
        caller.may(org, Capability::ManageAllTokens)?;
    }
    Ok(state
        .store
        .token_revoke(org, id, &caller.audit(Timestamp::now()))
        .await?)
}

pub async fn read_audit(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    filter: &AuditFilter,
) -> ApiResult<Vec<AuditEntry>> {
    caller.may(org, Capability::ReadAudit)?;
    Ok(state.store.audit_list(org, filter).await?)
}

/// Not found, whatever the reason: another organisation's ids are not confirmed to exist.
pub(crate) fn hide<T>(r: Result<T, adjutant_store::StoreError>, what: &'static str) -> ApiResult<T> {
    r.map_err(|e| match e {
        adjutant_store::StoreError::NotFound(_) => ApiError::not_found(what),
        other => other.into(),
    })
}
