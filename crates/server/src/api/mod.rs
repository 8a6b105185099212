//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document built
//! from the handlers themselves (utoipa) and served at `/api/v1/openapi.json`.

pub mod audit;
pub mod cal_views;
pub mod calendar;
mod delegations;
mod extract;
mod people;
pub mod scheduling;
mod tokens;
pub mod views;

pub use audit::AuditQuery as AuditQueryPublic;

use crate::app::AppState;
use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use extract::{ApiJson, ApiQuery};

/// The caller of an authenticated API request.
pub(crate) fn caller(auth: crate::auth::AuthCtx) -> crate::auth::Caller {
    crate::auth::Caller::Person(Box::new(auth))
}

/// A path id; one that does not parse is simply not found.
pub(crate) fn path_id<T: std::str::FromStr>(s: &str, what: &str) -> crate::error::ApiResult<T> {
    s.parse().map_err(|_| crate::error::ApiError::not_found(what))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Adjutant API",
        description = "Executive assistant and office manager: people, delegation, audit and more. \
Authenticate with `Authorization: Bearer <token>` (create one with `adjutant token create` or on the Tokens page). \
Send `X-Act-For: <person id>` to act for a principal under a delegation. Errors are RFC 9457 problem documents."
    ),
    modifiers(&Security),
    tags(
        (name = "people", description = "People, roles and sign-in"),
        (name = "delegations", description = "Assistants acting for principals"),
        (name = "tokens", description = "Bearer API tokens"),
        (name = "audit", description = "Who did what, for whom, when"),
        (name = "calendar", description = "Rooms, calendars, events, agendas, iCalendar import/export, feeds, iTIP"),
        (name = "scheduling", description = "Availability, travel times, find-a-time, holds, polls"),
        (name = "system", description = "Health and the API description"),
    )
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// Every API route, each registered with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(people::me))
        .routes(routes!(people::list, people::create))
        .routes(routes!(people::get, people::update))
        .routes(routes!(people::set_password))
        .routes(routes!(people::revoke_sessions))
        .routes(routes!(people::reset_second_factor))
        .routes(routes!(delegations::list, delegations::grant))
        .routes(routes!(delegations::revoke))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(audit::list))
        .routes(routes!(calendar::resources, calendar::resource_create))
        .routes(routes!(calendar::resource_get, calendar::resource_update))
        .routes(routes!(calendar::calendars))
        .routes(routes!(calendar::agenda))
        .routes(routes!(calendar::event_create))
        .routes(routes!(
            calendar::event_get,
            calendar::event_update,
            calendar::event_delete
        ))
        .routes(routes!(calendar::event_move))
        .routes(routes!(calendar::event_cancel))
        .routes(routes!(calendar::event_rsvp))
        .routes(routes!(calendar::event_itip))
        .routes(routes!(calendar::itip_download))
        .routes(import_route())
        .routes(routes!(calendar::export))
        .routes(routes!(calendar::feeds, calendar::feed_create))
        .routes(routes!(calendar::feed_revoke))
        .routes(routes!(calendar::feed_public))
        .routes(routes!(
            scheduling::availability_get,
            scheduling::availability_set
        ))
        .routes(routes!(scheduling::travel_get, scheduling::travel_set))
        .routes(routes!(scheduling::travel_default))
        .routes(routes!(scheduling::find_time))
        .routes(routes!(scheduling::why_not))
        .routes(routes!(scheduling::request_create, scheduling::requests))
        .routes(routes!(scheduling::request_get))
        .routes(routes!(scheduling::request_confirm))
        .routes(routes!(scheduling::request_release))
        .routes(routes!(scheduling::poll_create, scheduling::polls))
        .routes(routes!(scheduling::poll_get))
        .routes(routes!(scheduling::poll_answer))
        .routes(routes!(scheduling::poll_book))
        .routes(routes!(scheduling::poll_close))
        .routes(routes!(scheduling::public_poll, scheduling::public_poll_answer))
        .routes(routes!(openapi_json))
        .routes(routes!(crate::app::healthz))
}

/// The import route accepts bodies up to the iCalendar limit (others: 1 MiB).
fn import_route() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = routes!(calendar::import);
    (
        schemas,
        paths,
        method.layer(axum::extract::DefaultBodyLimit::max(
            crate::web::IMPORT_BODY_LIMIT,
        )),
    )
}

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}

/// This API's OpenAPI 3.1 description.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "The OpenAPI document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
