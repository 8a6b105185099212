//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document built
//! from the handlers themselves (utoipa) and served at `/api/v1/openapi.json`.

pub mod assets;
pub mod audit;
pub mod budgets;
pub mod cal_views;
pub mod calendar;
mod delegations;
pub mod expenses;
mod extract;
pub mod invoices;
pub mod mail;
pub mod meetings;
pub mod office;
mod people;
pub mod purchases;
pub mod scheduling;
pub mod spaces;
pub mod stock;
pub mod tasks;
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
        (name = "tasks", description = "Tasks, quick add, the urgent × important matrix, commitments, goals, auto-planning"),
        (name = "meetings", description = "Meeting agendas, minutes, action items, files and recaps; the responsibility grid of duties"),
        (name = "office", description = "Vendors, contracts and their notice deadlines, contract documents; supplies: stock, consumption, deliveries, counts; purchasing: requests, approval by amount, orders, deliveries; invoices: three-way match, duplicates, approval, payment; budgets; assets: register, assign and check out, check in with condition, maintenance, warranty and licence alerts; spaces: sites, floors, desks, equipment, booking rules, bookings with check-in and release; expenses: receipts, reports, approval, reimbursement, policy"),
        (name = "mail", description = "Mailboxes: import (.eml, mbox) and IMAP sync; triage with reasons and corrections that teach; screening, VIPs, blocks and rules; follow-ups; templates, drafts with approval, sending with invitations; contacts with keep-in-touch cadence and vCard"),
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
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::quick))
        .routes(routes!(tasks::get, tasks::update, tasks::delete))
        .routes(routes!(tasks::done))
        .routes(routes!(tasks::move_to))
        .routes(routes!(tasks::matrix))
        .routes(routes!(tasks::commitments))
        .routes(routes!(tasks::goals, tasks::goal_create))
        .routes(routes!(tasks::goal_update))
        .routes(routes!(tasks::plan_preview))
        .routes(routes!(tasks::plans, tasks::plan_apply))
        .routes(routes!(tasks::plan_get))
        .routes(routes!(tasks::plan_undo))
        .routes(routes!(meetings::list, meetings::open))
        .routes(routes!(meetings::get, meetings::update))
        .routes(routes!(meetings::seed))
        .routes(routes!(meetings::actions))
        .routes(routes!(meetings::recap))
        .routes(upload_route())
        .routes(routes!(meetings::download, meetings::material_delete))
        .routes(routes!(meetings::grid, meetings::duty_create))
        .routes(routes!(
            meetings::duty_get,
            meetings::duty_update,
            meetings::duty_delete
        ))
        .routes(routes!(meetings::duty_done))
        .routes(routes!(office::vendors, office::vendor_create))
        .routes(routes!(
            office::vendor_get,
            office::vendor_update,
            office::vendor_delete
        ))
        .routes(routes!(office::contracts, office::contract_create))
        .routes(routes!(office::contracts_due))
        .routes(routes!(
            office::contract_get,
            office::contract_update,
            office::contract_delete
        ))
        .routes(routes!(office::notice_give, office::notice_withdraw))
        .routes(document_upload_route())
        .routes(routes!(office::document_download, office::document_delete))
        .routes(routes!(stock::list, stock::create))
        .routes(routes!(stock::get, stock::update, stock::delete))
        .routes(routes!(stock::consume))
        .routes(routes!(stock::receive))
        .routes(routes!(stock::count))
        .routes(routes!(purchases::list, purchases::create))
        .routes(routes!(purchases::get, purchases::update))
        .routes(routes!(purchases::submit))
        .routes(routes!(purchases::approve))
        .routes(routes!(purchases::reject))
        .routes(routes!(purchases::cancel))
        .routes(routes!(purchases::receive))
        .routes(routes!(invoices::list, invoices::create))
        .routes(routes!(invoices::get))
        .routes(routes!(invoices::approve))
        .routes(routes!(invoices::reject))
        .routes(routes!(invoices::pay))
        .routes(routes!(budgets::status, budgets::set))
        .routes(routes!(budgets::delete))
        .routes(routes!(spaces::sites, spaces::site_create))
        .routes(routes!(spaces::site_get, spaces::site_update))
        .routes(routes!(spaces::spaces))
        .routes(routes!(spaces::rules))
        .routes(routes!(spaces::rule_set))
        .routes(routes!(spaces::bookings, spaces::book))
        .routes(routes!(spaces::booking_get))
        .routes(routes!(spaces::check_in))
        .routes(routes!(spaces::cancel))
        .routes(routes!(assets::list, assets::create))
        .routes(routes!(assets::due))
        .routes(routes!(assets::get, assets::update))
        .routes(routes!(assets::assign))
        .routes(routes!(assets::checkout))
        .routes(routes!(assets::checkin))
        .routes(routes!(assets::maintain))
        .routes(routes!(assets::retire))
        .routes(routes!(expenses::list, expenses::create))
        .routes(routes!(expenses::get, expenses::update, expenses::delete))
        .routes(receipt_upload_route())
        .routes(routes!(expenses::reports, expenses::report_create))
        .routes(routes!(expenses::report_get))
        .routes(routes!(expenses::report_assign))
        .routes(routes!(expenses::report_submit))
        .routes(routes!(expenses::report_approve))
        .routes(routes!(expenses::report_reject))
        .routes(routes!(expenses::report_reimburse))
        .routes(routes!(expenses::policy, expenses::policy_set))
        .routes(routes!(mail::mailbox, mail::configure))
        .routes(mail_import_route())
        .routes(routes!(mail::sync))
        .routes(routes!(mail::messages))
        .routes(routes!(mail::message))
        .routes(routes!(mail::attachment))
        .routes(routes!(mail::correct))
        .routes(routes!(mail::act))
        .routes(routes!(mail::record_invoice))
        .routes(routes!(mail::followup))
        .routes(routes!(mail::followups))
        .routes(routes!(mail::senders, mail::screen))
        .routes(routes!(mail::rules, mail::rule_create))
        .routes(routes!(mail::rule_delete))
        .routes(routes!(mail::templates, mail::template_put))
        .routes(routes!(mail::template_delete))
        .routes(routes!(mail::drafts, mail::draft_create))
        .routes(routes!(mail::draft_get, mail::draft_update))
        .routes(routes!(mail::draft_send))
        .routes(routes!(mail::draft_reject))
        .routes(routes!(mail::contacts))
        .routes(vcard_import_route())
        .routes(routes!(mail::contacts_export))
        .routes(routes!(mail::contact, mail::contact_update))
        .routes(routes!(mail::contact_merge))
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

/// The upload route accepts a meeting file up to its limit (others: 1 MiB).
fn upload_route() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = routes!(meetings::upload);
    (
        schemas,
        paths,
        method.layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
    )
}

/// The contract document upload accepts a file up to its limit (others: 1 MiB).
fn document_upload_route() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = routes!(office::document_upload);
    (
        schemas,
        paths,
        method.layer(axum::extract::DefaultBodyLimit::max(office::DOCUMENT_BODY_LIMIT)),
    )
}

/// The receipt upload accepts a receipt up to its limit (others: 1 MiB); the
/// download shares its path.
/// Mail import accepts a file up to its limit (the CLI streams larger archives).
fn mail_import_route() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = routes!(mail::import);
    (
        schemas,
        paths,
        method.layer(axum::extract::DefaultBodyLimit::max(mail::IMPORT_BODY_LIMIT)),
    )
}

/// A vCard file may be larger than an ordinary request.
fn vcard_import_route() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = routes!(mail::contacts_import);
    (
        schemas,
        paths,
        method.layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
    )
}

fn receipt_upload_route() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = routes!(expenses::receipt_upload, expenses::receipt_download);
    (
        schemas,
        paths,
        method.layer(axum::extract::DefaultBodyLimit::max(expenses::RECEIPT_BODY_LIMIT)),
    )
}

/// The largest body the upload route reads: a meeting file at its limit, plus room for nothing else.
pub const UPLOAD_BODY_LIMIT: usize = adjutant_core::meetings::MAX_MATERIAL_BYTES;

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().split_for_parts().1
}

/// This API's OpenAPI 3.1 description.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "The OpenAPI document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
