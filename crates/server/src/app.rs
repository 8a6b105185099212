//! The application: shared state, the router with its middleware, and serving.

use crate::config::Config;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::secrets::PasswordHashing;
use adjutant_store::{Store, StoreError};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Instant;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub hashing: Arc<PasswordHashing>,
    pub metrics: Arc<Metrics>,
    /// Expanded busy time of people and rooms, reloaded when their agenda changes.
    pub busy: Arc<crate::busy::BusyCache>,
    /// Seals secrets kept in the store (mailbox passwords) with the server's key.
    pub secrets: crate::secrets::SecretBox,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("data directory {path}: {message}")]
    DataDir { path: String, message: String },
    #[error("database {target}: {source}")]
    Database { target: String, source: StoreError },
    #[error("{0}")]
    Other(String),
}

/// Opens the configured store (SQLite under `data`, or PostgreSQL), without migrating.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    match &config.database_url {
        Some(url) => Store::open_postgres(url)
            .await
            .map_err(|source| StartError::Database {
                target: crate::config::redact_url(url),
                source,
            }),
        None => {
            let dir = &config.data;
            let shown = dir.display().to_string();
            std::fs::create_dir_all(dir).map_err(|e| StartError::DataDir {
                path: shown.clone(),
                message: e.to_string(),
            })?;
            // Prove we can write there before SQLite reports something vaguer.
            let probe = dir.join(".adjutant-write-test");
            std::fs::write(&probe, b"ok").map_err(|e| StartError::DataDir {
                path: shown.clone(),
                message: format!("not writable: {e}"),
            })?;
            let _ = std::fs::remove_file(&probe);
            Store::open_sqlite(dir)
                .await
                .map_err(|source| StartError::Database {
                    target: dir.join("adjutant.db").display().to_string(),
                    source,
                })
        }
    }
}

/// Where the store lives, for messages.
pub fn store_target(config: &Config) -> String {
    match &config.database_url {
        Some(url) => crate::config::redact_url(url),
        None => config.data.join("adjutant.db").display().to_string(),
    }
}

/// Opens and migrates the store, seeds the demo when asked, and builds the state.
pub async fn prepare(config: Config) -> Result<AppState, StartError> {
    crate::fetch::tls_ready();
    let store = open_store(&config).await?;
    let target = store_target(&config);
    store.migrate().await.map_err(|source| StartError::Database {
        target: target.clone(),
        source,
    })?;
    let hashing = PasswordHashing::new(config.argon2_memory_kib, config.argon2_iterations)
        .map_err(|e| StartError::Other(e.to_string()))?;
    let secrets =
        crate::secrets::SecretBox::from_config(&config).map_err(|e| StartError::Other(e.to_string()))?;
    let state = AppState {
        secrets,
        store,
        config: Arc::new(config),
        hashing: Arc::new(hashing),
        metrics: Arc::new(Metrics::default()),
        busy: Arc::default(),
    };
    if state.config.demo {
        crate::demo::seed_if_empty(&state)
            .await
            .map_err(|e| StartError::Other(format!("seeding the demo organisation: {}", e.detail)))?;
    }
    Ok(state)
}

/// The whole HTTP surface with its middleware.
pub fn router(state: AppState) -> Router {
    let (api, _) = crate::api::router().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api)
        .merge(crate::web::router())
        .route("/metrics", axum::routing::get(metrics))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), track_metrics))
        .layer(middleware::from_fn(csrf_guard))
        // Enforced where bodies are read, so the API answers 413 as a problem document.
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::internal().into_response()
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// The content security policy: our own scripts and styles only, no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Security headers on every response, error pages included.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// Refuses cross-site state-changing requests from browsers.
///
/// Requests carrying a bearer token are not browser-driven and pass. Others
/// must come from our own pages: `Sec-Fetch-Site: same-origin` (or `none`, a
/// user typing the URL), or, from browsers that do not send it, an `Origin`
/// whose host is ours. A request with neither is refused.
async fn csrf_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // API calls without a session cookie cannot ride on a browser's credentials;
    // they are answered 401 by the handlers. Browser forms (sign-in included) are guarded.
    let cookie_less_api =
        req.uri().path().starts_with("/api/") && crate::auth::session_cookie(req.headers()).is_none();
    if safe || cookie_less_api || req.headers().contains_key(header::AUTHORIZATION) {
        return next.run(req).await;
    }
    let h = req.headers();
    let ok = match h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => match (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) {
            (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) == Some(host),
            _ => false,
        },
    };
    if ok {
        next.run(req).await
    } else {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "state-changing requests must come from Adjutant's own pages or carry an API token",
        )
        .into_response()
    }
}

async fn track_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().clone();
    let res = next.run(req).await;
    state
        .metrics
        .observe(&method, &route, res.status().as_u16(), start.elapsed());
    res
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", tag = "system", responses(
    (status = 200, description = "The server runs and the database answers"),
    (status = 503, description = "The database does not answer"),
))]
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok", "database": "ok"})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "degraded", "database": "unreachable"})),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let db_up = state.store.ping().await.is_ok();
    let body = state.metrics.render(db_up);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_such_route",
            format!("no route {} {}", req.method(), req.uri().path()),
        )
        .into_response()
    } else {
        crate::web::error_page(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is no page at this address.",
        ))
    }
}

/// Serves until `shutdown` resolves. The listener is bound by the caller so it
/// can print the real address (port 0 picks a free port).
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let sweeper = tokio::spawn(sweep_sessions(state.clone()));
    let releaser = tokio::spawn(release_bookings(state.clone()));
    let mail = tokio::spawn(sync_mail(state.clone()));
    let r = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    sweeper.abort();
    releaser.abort();
    mail.abort();
    state.store.close().await;
    r
}

/// Releases, every minute, bookings nobody checked into in time, so the
/// rooms, desks and equipment go back to those who need them. Safe on several
/// app servers: each release is a conditional update, so only one node wins.
async fn release_bookings(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        match crate::ops::spaces::release_due(&state, jiff::Timestamp::now()).await {
            Ok(released) if !released.is_empty() => {
                tracing::info!(count = released.len(), "released bookings nobody checked into");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "releasing bookings failed"),
        }
    }
}

/// Syncs every mailbox that has an IMAP server, every `mail_sync_minutes`
/// (0: never on its own). A sync cut short resumes at the next turn.
async fn sync_mail(state: AppState) {
    let minutes = state.config.mail_sync_minutes;
    if minutes == 0 {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60 * u64::from(minutes)));
    loop {
        tick.tick().await;
        for s in crate::ops::mail::sync_all(&state).await {
            if let Some(e) = &s.error {
                tracing::warn!(mailbox = %s.address, error = %e, "mail sync stopped early");
            } else if s.new > 0 {
                tracing::info!(mailbox = %s.address, new = s.new, "new mail");
            }
        }
    }
}

/// Deletes expired sessions every ten minutes. Safe on several app servers:
/// the delete is idempotent, so nodes racing each other do no harm.
async fn sweep_sessions(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = jiff::Timestamp::now();
        let idle = jiff::SignedDuration::from_mins(i64::from(state.config.session_idle_minutes));
        let since = now.checked_sub(idle).unwrap_or(now);
        if let Err(e) = state.store.session_purge(now, since).await {
            tracing::warn!(error = %e, "session sweep failed");
        }
    }
}
