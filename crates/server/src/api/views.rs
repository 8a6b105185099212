//! What the API sends back: stable JSON shapes with OpenAPI schemas.

use adjutant_store::{ApiToken, AuditEntry, DelegationRecord, Person};
use serde::Serialize;
use utoipa::ToSchema;

/// A person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    /// admin, principal, assistant, office_manager, staff or contractor.
    pub role: String,
    pub time_zone: String,
    pub disabled: bool,
    pub has_login: bool,
    pub totp_enabled: bool,
    pub created_at: String,
}

impl From<&Person> for PersonView {
    fn from(p: &Person) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            email: p.email.clone(),
            role: p.role.as_str().into(),
            time_zone: p.time_zone.clone(),
            disabled: p.disabled,
            has_login: p.has_login,
            totp_enabled: p.totp_enabled,
            created_at: p.created_at.to_string(),
        }
    }
}

/// The signed-in person and what they act under.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub person: PersonView,
    pub organisation: String,
    /// The principal this request acts for, if any.
    pub acting_for: Option<String>,
    /// Delegations this person holds.
    pub delegations: Vec<DelegationView>,
}

/// A delegation.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationView {
    pub id: String,
    pub principal: String,
    pub principal_name: String,
    pub delegate: String,
    pub delegate_name: String,
    pub scopes: Vec<String>,
    /// read or act.
    pub level: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&DelegationRecord> for DelegationView {
    fn from(d: &DelegationRecord) -> Self {
        Self {
            id: d.id.to_string(),
            principal: d.principal.to_string(),
            principal_name: d.principal_name.clone(),
            delegate: d.delegate.to_string(),
            delegate_name: d.delegate_name.clone(),
            scopes: d.scopes.iter().map(|s| s.as_str().to_string()).collect(),
            level: d.level.as_str().into(),
            created_at: d.created_at.to_string(),
            updated_at: d.updated_at.to_string(),
        }
    }
}

/// An API token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub person: String,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id.to_string(),
            person: t.person.to_string(),
            name: t.name.clone(),
            created_at: t.created_at.to_string(),
            expires_at: t.expires_at.map(|x| x.to_string()),
            last_used_at: t.last_used_at.map(|x| x.to_string()),
            revoked_at: t.revoked_at.map(|x| x.to_string()),
        }
    }
}

/// A new token with its secret, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenView {
    pub token: TokenView,
    /// Send as `Authorization: Bearer <secret>`. It is not stored and cannot be shown again.
    pub secret: String,
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: String,
    pub at: String,
    pub actor: Option<String>,
    pub actor_label: String,
    pub on_behalf_of: Option<String>,
    pub action: String,
    pub item_type: String,
    pub item_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<&AuditEntry> for AuditView {
    fn from(a: &AuditEntry) -> Self {
        Self {
            id: a.id.to_string(),
            at: a.at.to_string(),
            actor: a.actor.map(|x| x.to_string()),
            actor_label: a.actor_label.clone(),
            on_behalf_of: a.on_behalf_of.map(|x| x.to_string()),
            action: a.action.clone(),
            item_type: a.item_type.clone(),
            item_id: a.item_id.clone(),
            details: a.details.clone(),
        }
    }
}
