//! The records the store reads and writes.

use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{AuditId, DelegationId, OrgId, PersonId, SessionId, TokenId};
use adjutant_core::people::Role;
use jiff::Timestamp;
use serde::Serialize;

/// An organisation: the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub created_at: Timestamp,
}

/// A person in an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub org: OrgId,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub time_zone: String,
    pub disabled: bool,
    /// Whether the person can sign in (has a password).
    pub has_login: bool,
    /// Whether a TOTP second factor is enabled.
    pub totp_enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Fields for a new person.
#[derive(Clone)]
pub struct NewPerson {
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub time_zone: String,
    /// When given, the person can sign in with their e-mail address; stored
    /// in the same transaction as the person.
    pub password_hash: Option<String>,
}

impl std::fmt::Debug for NewPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewPerson")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("time_zone", &self.time_zone)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A change to a person; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub time_zone: Option<String>,
    pub disabled: Option<bool>,
}

/// A person's sign-in secrets.
#[derive(Clone)]
pub struct Credential {
    pub org: OrgId,
    pub person: PersonId,
    pub login: String,
    pub password_hash: String,
    pub totp_secret: Option<Vec<u8>>,
    pub totp_last_step: Option<i64>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("org", &self.org)
            .field("person", &self.person)
            .field("login", &self.login)
            .field("password_hash", &"<redacted>")
            .field("totp_secret", &self.totp_secret.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A browser session, found by the hash of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub org: OrgId,
    pub person: PersonId,
    /// Password accepted, second factor still owed.
    pub mfa_pending: bool,
    pub acting_for: Option<PersonId>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A bearer API token (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub org: OrgId,
    pub person: PersonId,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl ApiToken {
    /// Usable at `now`: not revoked and not expired.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

/// A stored delegation, with names for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelegationRecord {
    pub id: DelegationId,
    pub org: OrgId,
    pub principal: PersonId,
    pub principal_name: String,
    pub delegate: PersonId,
    pub delegate_name: String,
    pub scopes: Vec<Scope>,
    pub level: Level,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl DelegationRecord {
    /// The policy's view of this delegation.
    pub fn to_domain(&self) -> adjutant_core::delegation::Delegation {
        adjutant_core::delegation::Delegation {
            id: self.id,
            org: self.org,
            principal: self.principal,
            delegate: self.delegate,
            scopes: self.scopes.clone(),
            level: self.level,
        }
    }
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: AuditId,
    pub org: OrgId,
    pub at: Timestamp,
    pub actor: Option<PersonId>,
    pub actor_label: String,
    pub on_behalf_of: Option<PersonId>,
    pub action: String,
    pub item_type: String,
    pub item_id: Option<String>,
    pub details: serde_json::Value,
}

/// Which audit entries to read (by default: the newest 100).
#[derive(Debug, Clone)]
pub struct AuditFilter {
    pub actor: Option<PersonId>,
    pub action_prefix: Option<String>,
    pub item_id: Option<String>,
    /// Only entries strictly older than this (for paging backwards).
    pub before: Option<Timestamp>,
    pub limit: u32,
}

impl Default for AuditFilter {
    fn default() -> Self {
        Self {
            actor: None,
            action_prefix: None,
            item_id: None,
            before: None,
            limit: 100,
        }
    }
}
