//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document built
//! from the handlers themselves (utoipa) and served at `/api/v1/openapi.json`.

pub mod audit;
mod delegations;
mod extract;
mod people;
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
        .routes(routes!(openapi_json))
        .routes(routes!(crate::app::healthz))
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
