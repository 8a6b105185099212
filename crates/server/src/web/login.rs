//! Signing in and out: password, optional TOTP step, throttling, session
//! cookies, and switching whom one acts for.

use super::{WebError, WebResult, render, render_status, url_encode};
use crate::app::AppState;
use crate::auth::{SESSION_COOKIE, SESSION_COOKIE_SECURE, WebAuth, session_cookie};
use crate::config::SecureCookies;
use crate::secrets::{random_token, token_hash};
use adjutant_core::ids::PersonId;
use adjutant_core::totp;
use adjutant_store::auth::NewSession;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    next: String,
    email: String,
    totp_step: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".into(),
    }
}

pub async fn page(Query(q): Query<NextQuery>) -> Response {
    render(&LoginPage {
        error: None,
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        totp_step: false,
    })
}

/// The TCP peer's address, when the server was started with connection info.
pub struct PeerAddr(Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0),
        ))
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// The client's address: the peer, or the first `X-Forwarded-For` hop behind a trusted proxy.
fn client_addr(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if state.config.trust_proxy
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return ip.trim().to_string();
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    match state.config.secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => {
            state
                .config
                .public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"))
                || (state.config.trust_proxy
                    && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https"))
        }
    }
}

/// `Set-Cookie` for a session token (or, with `None`, one that clears it).
pub(crate) fn session_cookie_header(
    state: &AppState,
    headers: &HeaderMap,
    token: Option<&str>,
    max_age: i64,
) -> HeaderValue {
    let sec = secure(state, headers);
    let name = if sec {
        SESSION_COOKIE_SECURE
    } else {
        SESSION_COOKIE
    };
    let value = match token {
        Some(t) => format!(
            "{name}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
            if sec { "; Secure" } else { "" }
        ),
        None => format!(
            "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            if sec { "; Secure" } else { "" }
        ),
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn failed(email: &str, next: &str, message: &str, status: StatusCode) -> Response {
    render_status(
        status,
        &LoginPage {
            error: Some(message.into()),
            next: next.into(),
            email: email.into(),
            totp_step: false,
        },
    )
}

const WRONG: &str = "That e-mail address and password do not match an account.";

pub async fn submit(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> WebResult {
    let now = Timestamp::now();
    let next = safe_next(f.next.as_deref());
    let login = f.email.trim().to_lowercase();
    let addr = client_addr(&state, &headers, peer);
    let account_key = format!("account:{login}");
    let addr_key = format!("address:{addr}");
    let window = SignedDuration::from_mins(i64::from(state.config.login_window_minutes));
    let since = now.checked_sub(window).unwrap_or(now);
    // Same answer whether or not the account exists.
    let too_many = state.store.login_failure_count(&account_key, since).await?
        >= i64::from(state.config.login_max_failures_per_account)
        || state.store.login_failure_count(&addr_key, since).await?
            >= i64::from(state.config.login_max_failures_per_address);
    if too_many {
        let mut res = failed(
            &f.email,
            &next,
            &format!(
                "Too many failed sign-ins. Try again in {} minutes.",
                state.config.login_window_minutes
            ),
            StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(v) = HeaderValue::from_str(&(window.as_secs()).to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(res);
    }
    let cred = state.store.credential_by_login(&login).await?;
    let hashing = state.hashing.clone();
    let password = f.password.clone();
    let stored = cred.as_ref().map(|c| c.password_hash.clone());
    // Argon2 runs on a blocking thread; an unknown account spends the same effort.
    let ok = tokio::task::spawn_blocking(move || match stored {
        Some(h) => hashing.verify(&password, &h),
        None => {
            hashing.verify_dummy(&password);
            false
        }
    })
    .await
    .map_err(|_| WebError(crate::error::ApiError::internal()))?;
    let person = match (&cred, ok) {
        (Some(c), true) => Some(state.store.person_get(c.org, c.person).await?),
        _ => None,
    };
    let (Some(cred), Some(person)) = (cred, person.filter(|p| !p.disabled)) else {
        state
            .store
            .login_failure_record(&[account_key, addr_key], now)
            .await?;
        return Ok(failed(&f.email, &next, WRONG, StatusCode::UNAUTHORIZED));
    };
    state.store.login_failure_clear(&account_key, since).await?;
    if state.hashing.needs_rehash(&cred.password_hash)
        && let Ok(h) = crate::ops::hash_password(
            &state,
            &adjutant_core::people::NewPassword::parse(&f.password).map_err(crate::error::ApiError::from)?,
        )
        .await
    {
        state.store.credential_rehash(cred.org, cred.person, &h).await?;
    }
    let old = current_session(&state, &headers).await?;
    let token = random_token("s");
    let pending = cred.totp_secret.is_some();
    let lifetime = if pending {
        SignedDuration::from_mins(5)
    } else {
        SignedDuration::from_hours(i64::from(state.config.session_absolute_hours))
    };
    state
        .store
        .session_create(
            &NewSession {
                org: person.org,
                person: person.id,
                token_hash: token_hash(&token),
                mfa_pending: pending,
                now,
                expires_at: now.checked_add(lifetime).unwrap_or(now),
            },
            old,
        )
        .await?;
    let target = if pending {
        format!("/login/totp?next={}", url_encode(&next))
    } else {
        next
    };
    let mut res = Redirect::to(&target).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie_header(&state, &headers, Some(&token), lifetime.as_secs()),
    );
    Ok(res)
}

async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<adjutant_core::ids::SessionId>, WebError> {
    Ok(match session_cookie(headers) {
        Some(c) => state.store.session_by_hash(&token_hash(&c)).await?.map(|s| s.id),
        None => None,
    })
}

pub async fn totp_page(Query(q): Query<NextQuery>) -> Response {
    render(&LoginPage {
        error: None,
        next: safe_next(q.next.as_deref()),
        email: String::new(),
        totp_step: true,
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn totp_submit(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> WebResult {
    let now = Timestamp::now();
    let next = safe_next(q.next.as_deref());
    let retry = |msg: &str, status| {
        render_status(
            status,
            &LoginPage {
                error: Some(msg.into()),
                next: next.clone(),
                email: String::new(),
                totp_step: true,
            },
        )
    };
    let Some(cookie) = session_cookie(&headers) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let Some(s) = state.store.session_by_hash(&token_hash(&cookie)).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    if !s.mfa_pending || s.expires_at <= now {
        return Ok(Redirect::to("/login").into_response());
    }
    let cred = state.store.credential_get(s.org, s.person).await?;
    let Some((cred, secret)) = cred.and_then(|c| c.totp_secret.clone().map(|s| (c, s))) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let account_key = format!("account:{}", cred.login);
    let window = SignedDuration::from_mins(i64::from(state.config.login_window_minutes));
    let since = now.checked_sub(window).unwrap_or(now);
    if state.store.login_failure_count(&account_key, since).await?
        >= i64::from(state.config.login_max_failures_per_account)
    {
        state.store.session_delete(s.id).await?;
        return Ok(retry(
            "Too many failed attempts. Sign in again later.",
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let step = totp::verify(&secret, &f.code, now.as_second());
    let fresh = match step {
        Some(st) => state.store.credential_use_totp_step(s.org, s.person, st).await?,
        None => false,
    };
    if !fresh {
        state.store.login_failure_record(&[account_key], now).await?;
        return Ok(retry(
            "That code is not right (or was already used). Try the next one.",
            StatusCode::UNAUTHORIZED,
        ));
    }
    let token = random_token("s");
    let lifetime = SignedDuration::from_hours(i64::from(state.config.session_absolute_hours));
    state
        .store
        .session_create(
            &NewSession {
                org: s.org,
                person: s.person,
                token_hash: token_hash(&token),
                mfa_pending: false,
                now,
                expires_at: now.checked_add(lifetime).unwrap_or(now),
            },
            Some(s.id),
        )
        .await?;
    let mut res = Redirect::to(&next).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie_header(&state, &headers, Some(&token), lifetime.as_secs()),
    );
    Ok(res)
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> WebResult {
    if let Some(id) = current_session(&state, &headers).await? {
        state.store.session_delete(id).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie_header(&state, &headers, None, 0),
    );
    Ok(res)
}

#[derive(Deserialize)]
pub struct ActForForm {
    principal: String,
}

/// Switches whom the session acts for; only to a principal the user holds a delegation from.
pub async fn act_for(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Form(f): Form<ActForForm>,
) -> WebResult {
    let crate::auth::Via::Session(sid) = auth.via else {
        return Err(WebError(crate::error::ApiError::forbidden(
            "only browser sessions switch whom they act for",
        )));
    };
    let target = if f.principal.trim().is_empty() {
        None
    } else {
        let p: PersonId = f.principal.parse().map_err(|_| {
            crate::error::ApiError::from(adjutant_core::ValidationError::field(
                "principal",
                "is not a person id",
            ))
        })?;
        auth.actor.clone().act_for(p)?;
        Some(p)
    };
    state
        .store
        .session_set_acting_for(auth.org(), sid, target)
        .await?;
    let key = if target.is_some() {
        "acting-changed"
    } else {
        "acting-self"
    };
    Ok(Redirect::to(&format!("/?notice={key}")).into_response())
}
