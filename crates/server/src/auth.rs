//! Who is asking: sessions (browser) and bearer tokens (CLI, integrations),
//! turned into an [`AuthCtx`] by the extractors handlers take. Also the
//! [`Caller`] every operation is performed as, which decides the audit entry.

use crate::app::AppState;
use crate::error::ApiError;
use adjutant_core::ids::{OrgId, PersonId, SessionId, TokenId};
use adjutant_core::policy::{self, Actor, Capability};
use adjutant_store::delegations::DelegationFilter;
use adjutant_store::{AuditCtx, Person, StoreError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::{SignedDuration, Timestamp};

/// Name of the session cookie. The `__Host-` prefix (browser-enforced
/// Secure, Path=/, no Domain) is used when cookies are Secure.
pub const SESSION_COOKIE: &str = "adjutant_session";
pub const SESSION_COOKIE_SECURE: &str = "__Host-adjutant_session";
/// Header an API client sends to act for a principal under a delegation.
pub const ACT_FOR_HEADER: &str = "x-act-for";

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session(SessionId),
    Token(TokenId),
}

/// An authenticated request: the person, their policy view and how they came in.
#[derive(Debug, Clone)]
pub struct AuthCtx {
    pub person: Person,
    pub actor: Actor,
    pub via: Via,
}

impl AuthCtx {
    pub fn org(&self) -> OrgId {
        self.actor.org
    }
    /// The audit context for a change made by this request.
    pub fn audit(&self, now: Timestamp) -> AuditCtx {
        AuditCtx {
            actor: Some(self.person.id),
            actor_label: self.person.name.clone(),
            on_behalf_of: self.actor.acting_for,
            now,
        }
    }
}

/// Whoever performs an operation: a signed-in person, or the system itself
/// (the CLI run by the server's operator, the demo seeder).
#[derive(Debug, Clone)]
pub enum Caller {
    Person(Box<AuthCtx>),
    System(String),
}

impl Caller {
    pub fn audit(&self, now: Timestamp) -> AuditCtx {
        match self {
            Caller::Person(a) => a.audit(now),
            Caller::System(label) => AuditCtx::system(label, now),
        }
    }
    /// Checks an organisation-level capability; the system may do anything.
    pub fn may(&self, org: OrgId, cap: Capability) -> Result<(), ApiError> {
        match self {
            Caller::Person(a) => policy::may(&a.actor, org, cap).map_err(ApiError::from),
            Caller::System(_) => Ok(()),
        }
    }
    /// The person calling, if any.
    pub fn person(&self) -> Option<PersonId> {
        match self {
            Caller::Person(a) => Some(a.person.id),
            Caller::System(_) => None,
        }
    }
}

/// Why authentication failed (kept internal; clients only learn "sign in").
#[derive(Debug)]
enum AuthFail {
    Missing,
    Invalid,
    /// Authenticated, but `X-Act-For` names someone the caller holds no delegation from.
    NoDelegation,
    Store(StoreError),
}

/// Finds the session cookie's value in the request headers.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(header::COOKIE) {
        let Ok(s) = value.to_str() else { continue };
        for part in s.split(';') {
            // A cookie without `=` is skipped, not the end of the search.
            let Some((k, v)) = part.trim().split_once('=') else {
                continue;
            };
            if k == SESSION_COOKIE || k == SESSION_COOKIE_SECURE {
                return Some(v.to_string());
            }
        }
    }
    None
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

async fn build_actor(
    state: &AppState,
    person: Person,
    acting_for: Option<PersonId>,
) -> Result<Actor, AuthFail> {
    let delegations = state
        .store
        .delegation_list(
            person.org,
            DelegationFilter {
                delegate: Some(person.id),
                principal: None,
            },
        )
        .await
        .map_err(AuthFail::Store)?;
    let actor = Actor {
        org: person.org,
        person: person.id,
        role: person.role,
        delegations: delegations.iter().map(|d| d.to_domain()).collect(),
        acting_for: None,
    };
    Ok(match acting_for {
        // A stale acting-for (delegation since revoked) falls back to oneself.
        Some(p) => actor.clone().act_for(p).unwrap_or(actor),
        None => actor,
    })
}

/// Applies `X-Act-For: <person id>` when present: the caller must hold a delegation from that person.
fn apply_act_for_header(parts: &Parts, actor: Actor) -> Result<Actor, AuthFail> {
    match parts.headers.get(ACT_FOR_HEADER) {
        Some(v) => {
            let p = v
                .to_str()
                .ok()
                .and_then(|s| s.parse::<PersonId>().ok())
                .ok_or(AuthFail::NoDelegation)?;
            actor.act_for(p).map_err(|_| AuthFail::NoDelegation)
        }
        None => Ok(actor),
    }
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<AuthCtx, AuthFail> {
    let now = Timestamp::now();
    if let Some(token) = bearer(&parts.headers) {
        let t = state
            .store
            .token_by_hash(&crate::secrets::token_hash(token))
            .await
            .map_err(AuthFail::Store)?
            .ok_or(AuthFail::Invalid)?;
        if !t.is_active(now) {
            return Err(AuthFail::Invalid);
        }
        let person = state
            .store
            .person_get(t.org, t.person)
            .await
            .map_err(AuthFail::Store)?;
        if person.disabled {
            return Err(AuthFail::Invalid);
        }
        // Record use at most once a minute: a write per request would cost more than it tells.
        if t.last_used_at
            .is_none_or(|u| now.duration_since(u) > SignedDuration::from_secs(60))
        {
            state
                .store
                .token_touch(t.id, now)
                .await
                .map_err(AuthFail::Store)?;
        }
        let actor = build_actor(state, person.clone(), None).await?;
        let actor = apply_act_for_header(parts, actor)?;
        return Ok(AuthCtx {
            person,
            actor,
            via: Via::Token(t.id),
        });
    }
    let cookie = session_cookie(&parts.headers).ok_or(AuthFail::Missing)?;
    let s = state
        .store
        .session_by_hash(&crate::secrets::token_hash(&cookie))
        .await
        .map_err(AuthFail::Store)?
        .ok_or(AuthFail::Invalid)?;
    let idle = SignedDuration::from_mins(i64::from(state.config.session_idle_minutes));
    if s.mfa_pending || s.expires_at <= now || now.duration_since(s.last_seen_at) > idle {
        if !s.mfa_pending {
            state.store.session_delete(s.id).await.map_err(AuthFail::Store)?;
        }
        return Err(AuthFail::Invalid);
    }
    let person = state
        .store
        .person_get(s.org, s.person)
        .await
        .map_err(AuthFail::Store)?;
    if person.disabled {
        return Err(AuthFail::Invalid);
    }
    if now.duration_since(s.last_seen_at) > SignedDuration::from_secs(60) {
        state
            .store
            .session_touch(s.id, now)
            .await
            .map_err(AuthFail::Store)?;
    }
    let actor = build_actor(state, person.clone(), s.acting_for).await?;
    // An explicit header wins over the session's choice, for this request only.
    let actor = apply_act_for_header(parts, actor)?;
    Ok(AuthCtx {
        person,
        actor,
        via: Via::Session(s.id),
    })
}

/// Extractor for API handlers: 401 problem document when not authenticated.
pub struct ApiAuth(pub AuthCtx);

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await {
            Ok(a) => Ok(ApiAuth(a)),
            Err(AuthFail::Store(e)) => Err(e.into()),
            Err(AuthFail::NoDelegation) => Err(ApiError::forbidden(
                "X-Act-For must name a person (by id) you hold a delegation from",
            )),
            Err(_) => Err(ApiError::unauthenticated()),
        }
    }
}

/// Extractor for web pages: redirects to the sign-in page when not signed in.
pub struct WebAuth(pub AuthCtx);

/// The web extractor's rejection.
pub enum WebAuthRejection {
    Login(String),
    Error(ApiError),
}

impl IntoResponse for WebAuthRejection {
    fn into_response(self) -> Response {
        match self {
            WebAuthRejection::Login(next) => {
                Redirect::to(&format!("/login?next={}", crate::web::url_encode(&next))).into_response()
            }
            WebAuthRejection::Error(e) => crate::web::error_page(e),
        }
    }
}

impl FromRequestParts<AppState> for WebAuth {
    type Rejection = WebAuthRejection;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await {
            Ok(a) => Ok(WebAuth(a)),
            Err(AuthFail::Store(e)) => Err(WebAuthRejection::Error(e.into())),
            Err(AuthFail::NoDelegation) => Err(WebAuthRejection::Error(ApiError::forbidden(
                "X-Act-For must name a person you hold a delegation from",
            ))),
            Err(_) => {
                let next = if parts.method == axum::http::Method::GET {
                    parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_else(|| "/".into())
                } else {
                    "/".into()
                };
                Err(WebAuthRejection::Login(next))
            }
        }
    }
}
