//! The server-rendered web UI: compile-time-checked askama templates, htmx
//! (served from the binary) for partial updates, forms that work without it.

mod assets;
mod calendar;
mod expenses;
mod login;
mod mail;
mod meetings;
mod office;
mod pages;
mod scheduling;
mod spaces;
mod tasks;

pub use calendar::IMPORT_BODY_LIMIT;
pub use meetings::MATERIAL_BODY_LIMIT;

use crate::app::AppState;
use crate::auth::AuthCtx;
use crate::error::ApiError;
use adjutant_core::people::Role;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

/// Every page and form target.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::page).post(login::submit))
        .route("/login/totp", get(login::totp_page).post(login::totp_submit))
        .route("/logout", post(login::logout))
        .route("/act-for", post(login::act_for))
        .route("/", get(pages::dashboard))
        .route("/people", get(pages::people).post(pages::people_create))
        .route("/people/{id}", get(pages::person).post(pages::person_update))
        .route("/people/{id}/password", post(pages::person_password))
        .route(
            "/people/{id}/sessions/revoke",
            post(pages::person_revoke_sessions),
        )
        .route(
            "/people/{id}/second-factor/reset",
            post(pages::person_reset_second_factor),
        )
        .route(
            "/delegations",
            get(pages::delegations).post(pages::delegation_grant),
        )
        .route("/delegations/{id}/revoke", post(pages::delegation_revoke))
        .route("/tokens", get(pages::tokens).post(pages::token_create))
        .route("/tokens/{id}/revoke", post(pages::token_revoke))
        .route("/audit", get(pages::audit))
        .route("/account", get(pages::account))
        .route("/account/password", post(pages::account_password))
        .route("/account/totp/enable", post(pages::totp_enable))
        .route("/account/totp/disable", post(pages::totp_disable))
        .route("/account/logout-everywhere", post(pages::logout_everywhere))
        .route("/calendar", get(calendar::calendar))
        .route("/calendar/settings", get(calendar::settings))
        .route(
            "/calendar/import",
            post(calendar::import).layer(axum::extract::DefaultBodyLimit::max(calendar::IMPORT_BODY_LIMIT)),
        )
        .route("/calendar/export/{id}", get(calendar::export))
        .route("/calendar/feeds", post(calendar::feed_create))
        .route("/calendar/feeds/{id}/revoke", post(calendar::feed_revoke))
        .route("/events", post(calendar::event_create))
        .route("/events/new", get(calendar::event_new))
        .route(
            "/events/{id}",
            get(calendar::event_page).post(calendar::event_update),
        )
        .route("/events/{id}/edit", get(calendar::event_edit))
        .route("/events/{id}/move", post(calendar::event_move))
        .route("/events/{id}/cancel", post(calendar::event_cancel))
        .route("/events/{id}/delete", post(calendar::event_delete))
        .route("/events/{id}/rsvp", post(calendar::event_rsvp))
        .route("/rooms", get(calendar::rooms).post(calendar::room_create))
        .route("/rooms/{id}", post(calendar::room_update))
        .route("/travel-times", post(calendar::travel_set))
        .route("/travel-times/default", post(calendar::travel_default))
        .route(
            "/availability",
            get(calendar::availability).post(calendar::availability_save),
        )
        .route("/availability/out-of-office", post(calendar::ooo_add))
        .route("/availability/out-of-office/remove", post(calendar::ooo_remove))
        .route(
            "/find-time",
            get(scheduling::find_time_page).post(scheduling::find_time_submit),
        )
        .route("/find-time/why-not", post(scheduling::why_not))
        .route("/find-time/propose", post(scheduling::propose))
        .route("/meeting-requests", get(scheduling::requests))
        .route("/meeting-requests/{id}", get(scheduling::request_page))
        .route(
            "/meeting-requests/{id}/confirm",
            post(scheduling::request_confirm),
        )
        .route(
            "/meeting-requests/{id}/release",
            post(scheduling::request_release),
        )
        .route("/meeting-requests/{id}/poll", post(scheduling::request_to_poll))
        .route("/polls/{id}", get(scheduling::poll))
        .route("/polls/{id}/answer", post(scheduling::poll_answer))
        .route("/polls/{id}/book", post(scheduling::poll_book))
        .route("/polls/{id}/close", post(scheduling::poll_close))
        .route(
            "/p/{token}",
            get(scheduling::public_poll).post(scheduling::public_poll_answer),
        )
        .route("/tasks", get(tasks::tasks).post(tasks::quick_add))
        .route("/tasks/{id}", get(tasks::task_page).post(tasks::task_update))
        .route("/tasks/{id}/done", post(tasks::task_done))
        .route("/tasks/{id}/move", post(tasks::task_move))
        .route("/tasks/{id}/delete", post(tasks::task_delete))
        .route("/matrix", get(tasks::matrix))
        .route("/commitments", get(tasks::commitments))
        .route("/goals", get(tasks::goals).post(tasks::goal_create))
        .route("/goals/{id}", post(tasks::goal_update))
        .route("/plan", get(tasks::plan))
        .route("/plan/apply", post(tasks::plan_apply))
        .route("/plan/{id}/undo", post(tasks::plan_undo))
        .route("/meetings", get(meetings::meetings))
        .route("/meetings/open", post(meetings::open))
        .route("/meetings/{id}", get(meetings::meeting))
        .route("/meetings/{id}/agenda", post(meetings::agenda_add))
        .route("/meetings/{id}/agenda/{item}", post(meetings::agenda_update))
        .route(
            "/meetings/{id}/agenda/{item}/remove",
            post(meetings::agenda_remove),
        )
        .route("/meetings/{id}/seed", post(meetings::seed))
        .route("/meetings/{id}/minutes", post(meetings::minutes))
        .route("/meetings/{id}/decisions", post(meetings::decision_add))
        .route(
            "/meetings/{id}/decisions/{decision}/remove",
            post(meetings::decision_remove),
        )
        .route("/meetings/{id}/actions", post(meetings::actions_add))
        .route(
            "/meetings/{id}/materials",
            post(meetings::material_upload).layer(axum::extract::DefaultBodyLimit::max(
                meetings::MATERIAL_BODY_LIMIT,
            )),
        )
        .route("/materials/{id}", get(meetings::material_download))
        .route("/materials/{id}/delete", post(meetings::material_delete))
        .route("/duties", get(meetings::duties).post(meetings::duty_create))
        .route(
            "/duties/{id}",
            get(meetings::duty_page).post(meetings::duty_update),
        )
        .route("/duties/{id}/done", post(meetings::duty_done))
        .route("/duties/{id}/delete", post(meetings::duty_delete))
        .route("/office", get(office::dashboard))
        .route(
            "/office/vendors",
            get(office::vendors).post(office::vendor_create),
        )
        .route(
            "/office/vendors/{id}",
            get(office::vendor_page).post(office::vendor_update),
        )
        .route("/office/vendors/{id}/delete", post(office::vendor_delete))
        .route(
            "/office/contracts",
            get(office::contracts).post(office::contract_create),
        )
        .route(
            "/office/contracts/{id}",
            get(office::contract_page).post(office::contract_update),
        )
        .route("/office/contracts/{id}/delete", post(office::contract_delete))
        .route("/office/contracts/{id}/notice", post(office::notice_give))
        .route(
            "/office/contracts/{id}/notice/withdraw",
            post(office::notice_withdraw),
        )
        .route(
            "/office/contracts/{id}/documents",
            post(office::document_upload)
                .layer(axum::extract::DefaultBodyLimit::max(office::DOCUMENT_FORM_LIMIT)),
        )
        .route(
            "/office/contracts/{id}/documents/{doc}",
            get(office::document_download),
        )
        .route(
            "/office/contracts/{id}/documents/{doc}/delete",
            post(office::document_delete),
        )
        .route("/office/spaces", get(spaces::page).post(spaces::space_create))
        .route("/office/spaces/book", post(spaces::book))
        .route("/office/sites", post(spaces::site_create))
        .route("/office/booking-rules/{kind}", post(spaces::rule_set))
        .route("/office/bookings/{id}/{action}", post(spaces::booking_action))
        .route("/office/stock", get(office::stock).post(office::stock_create))
        .route(
            "/office/stock/{id}",
            get(office::stock_item).post(office::stock_update),
        )
        .route("/office/stock/{id}/delete", post(office::stock_delete))
        .route("/office/stock/{id}/{kind}", post(office::stock_move))
        .route(
            "/office/purchases",
            get(office::purchases).post(office::purchase_create),
        )
        .route(
            "/office/purchases/{id}",
            get(office::purchase_page).post(office::purchase_update),
        )
        .route("/office/purchases/{id}/receive", post(office::purchase_receive))
        .route("/office/purchases/{id}/{action}", post(office::purchase_act))
        .route(
            "/office/invoices",
            get(office::invoices).post(office::invoice_create),
        )
        .route("/office/invoices/{id}", get(office::invoice_page))
        .route("/office/invoices/{id}/{action}", post(office::invoice_act))
        .route("/office/budgets", get(office::budgets).post(office::budget_set))
        .route("/office/assets", get(assets::assets).post(assets::asset_create))
        .route("/office/assets/mine", get(assets::mine))
        .route(
            "/office/assets/{id}",
            get(assets::asset_page).post(assets::asset_update),
        )
        .route("/office/assets/{id}/{action}", post(assets::asset_act))
        .route(
            "/office/expenses",
            get(expenses::expenses)
                .post(expenses::expense_create)
                .layer(axum::extract::DefaultBodyLimit::max(expenses::RECEIPT_FORM_LIMIT)),
        )
        .route(
            "/office/expenses/{id}/receipt",
            get(expenses::receipt_download)
                .post(expenses::receipt_upload)
                .layer(axum::extract::DefaultBodyLimit::max(expenses::RECEIPT_FORM_LIMIT)),
        )
        .route("/office/expenses/{id}/delete", post(expenses::expense_delete))
        .route("/office/expenses/reports", post(expenses::report_create))
        .route("/office/expenses/reports/{id}", get(expenses::report_page))
        .route(
            "/office/expenses/reports/{id}/{action}",
            post(expenses::report_act),
        )
        .route("/office/expenses/approvals", get(expenses::approvals))
        .route(
            "/office/expenses/policy",
            get(expenses::policy).post(expenses::policy_set),
        )
        .route("/mail", get(mail::inbox))
        .route("/mail/screening", get(mail::screening))
        .route("/mail/senders", post(mail::screen))
        .route("/mail/drafts", get(mail::drafts).post(mail::draft_create))
        .route("/mail/drafts/{id}", post(mail::draft_update))
        .route("/mail/drafts/{id}/send", post(mail::draft_send))
        .route("/mail/drafts/{id}/reject", post(mail::draft_reject))
        .route("/mail/followups", get(mail::followups))
        .route("/mail/settings", get(mail::settings).post(mail::settings_save))
        .route("/mail/sync", post(mail::sync))
        .route(
            "/mail/import",
            post(mail::import).layer(axum::extract::DefaultBodyLimit::max(mail::IMPORT_FORM_LIMIT)),
        )
        .route("/mail/rules", post(mail::rule_add))
        .route("/mail/rules/{id}/delete", post(mail::rule_delete))
        .route("/mail/templates", post(mail::template_put))
        .route("/mail/templates/{id}/delete", post(mail::template_delete))
        .route("/mail/{id}", get(mail::message_page))
        .route("/mail/{id}/act", post(mail::message_act))
        .route("/mail/{id}/category", post(mail::message_category))
        .route("/mail/{id}/invoice", post(mail::message_invoice))
        .route("/mail/{id}/followup", post(mail::followup_settle))
        .route("/mail/{id}/attachments/{index}", get(mail::attachment))
        .route("/contacts", get(mail::contacts))
        .route(
            "/contacts/import",
            post(mail::contacts_import).layer(axum::extract::DefaultBodyLimit::max(mail::VCARD_FORM_LIMIT)),
        )
        .route(
            "/contacts/{id}",
            get(mail::contact_page).post(mail::contact_update),
        )
        .route("/contacts/{id}/merge", post(mail::contact_merge))
        .route("/static/mail.js", get(mail_js))
        .route("/static/htmx.min.js", get(htmx))
        .route("/static/tasks.js", get(tasks_js))
        .route("/static/app.css", get(css))
}

async fn htmx() -> Response {
    static_asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/htmx.min.js"),
    )
}

/// Keyboard shortcuts of the task list and drag and drop on the matrix; the
/// pages work without it.
async fn tasks_js() -> Response {
    static_asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/tasks.js"),
    )
}

/// The mail pages' keys; the pages work without it.
async fn mail_js() -> Response {
    static_asset("text/javascript; charset=utf-8", mail::KEYS_JS)
}

async fn css() -> Response {
    static_asset("text/css; charset=utf-8", include_str!("../../static/app.css"))
}

fn static_asset(ct: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// What every page's frame shows: who is signed in, whom they act for.
pub struct Layout {
    pub org_name: String,
    pub me_name: String,
    pub me_role: &'static str,
    pub is_admin: bool,
    /// Contractors see only what is shared with them: the navigation offers them tasks alone.
    pub is_contractor: bool,
    /// Office managers, principals, assistants and administrators see the office side.
    pub sees_office: bool,
    /// Office managers and administrators manage every asset; others see their own equipment.
    pub manages_assets: bool,
    /// Office managers, principals and administrators approve expenses.
    pub approves_expenses: bool,
    /// (id, name, selected) of principals the user may act for.
    pub principals: Vec<(String, String, bool)>,
    pub active: &'static str,
    pub notice: Option<String>,
}

impl Layout {
    pub async fn new(
        state: &AppState,
        auth: &AuthCtx,
        active: &'static str,
        notice: Option<&str>,
    ) -> Result<Layout, ApiError> {
        let org = state.store.org_get(auth.org()).await?;
        let mut principals = Vec::new();
        for d in &auth.actor.delegations {
            if principals
                .iter()
                .any(|(id, _, _): &(String, String, bool)| *id == d.principal.to_string())
            {
                continue;
            }
            let p = state.store.person_get(auth.org(), d.principal).await?;
            principals.push((p.id.to_string(), p.name, auth.actor.acting_for == Some(p.id)));
        }
        Ok(Layout {
            org_name: org.name,
            me_name: auth.person.name.clone(),
            me_role: auth.person.role.label(),
            is_admin: auth.person.role == Role::Admin,
            is_contractor: auth.person.role == Role::Contractor,
            sees_office: adjutant_core::policy::may(
                &auth.actor,
                auth.org(),
                adjutant_core::policy::Capability::ViewContracts,
            )
            .is_ok(),
            manages_assets: adjutant_core::policy::may(
                &auth.actor,
                auth.org(),
                adjutant_core::policy::Capability::ManageAssets,
            )
            .is_ok(),
            approves_expenses: adjutant_core::policy::may(
                &auth.actor,
                auth.org(),
                adjutant_core::policy::Capability::ApproveExpenses,
            )
            .is_ok(),
            principals,
            active,
            notice: notice.map(notice_text).map(str::to_string),
        })
    }
}

/// Notices are chosen by key, so a crafted link cannot make the page say anything else.
fn notice_text(key: &str) -> &'static str {
    match key {
        "person-created" => "Person added.",
        "person-updated" => "Changes saved.",
        "password-set" => "Password set.",
        "sessions-ended" => "All their sessions have ended.",
        "second-factor-reset" => "Their second factor is off; they can set it up again under My account.",
        "delegation-granted" => "Delegation granted.",
        "delegation-revoked" => "Delegation revoked.",
        "token-revoked" => "Token revoked.",
        "password-changed" => "Your password has been changed.",
        "totp-on" => "Second factor turned on.",
        "totp-off" => "Second factor turned off.",
        "acting-changed" => {
            "You are now acting for someone else. Changes you make are recorded as yours, for them."
        }
        "acting-self" => "You are acting for yourself.",
        "event-created" => "Event created.",
        "event-updated" => "Event saved; attendees get the update.",
        "event-moved" => "Event moved; attendees get the new time.",
        "occurrence-moved" => "This occurrence was moved; the rest of the series stays.",
        "event-cancelled" => "Event cancelled; attendees get a cancellation.",
        "occurrence-cancelled" => "This occurrence was cancelled; the rest of the series stays.",
        "event-deleted" => "Event deleted.",
        "rsvp-saved" => "Your answer is saved.",
        "holds-placed" => "Holds placed on everyone's calendar (tentative).",
        "holds-released" => "Every hold was released.",
        "meeting-confirmed" => "Meeting confirmed: the room is booked and invitations are ready.",
        "poll-created" => "Poll opened; the holds were released.",
        "poll-answered" => "Your answers are saved.",
        "poll-booked" => "The poll's time is booked; invitations are ready.",
        "poll-closed" => "Poll closed without booking.",
        "room-created" => "Room added.",
        "room-updated" => "Room saved.",
        "travel-saved" => "Travel times saved.",
        "availability-saved" => "Availability saved.",
        "ooo-added" => "Time away added.",
        "ooo-removed" => "Time away removed.",
        "import-done" => "Import finished.",
        "feed-revoked" => "Feed revoked; its link no longer works.",
        "task-added" => "Task added.",
        "task-saved" => "Task saved.",
        "task-done" => "Task marked done.",
        "task-done-next" => "Task marked done; the next one of the series is on the list.",
        "task-moved" => "Task moved on the matrix.",
        "task-deleted" => "Task deleted.",
        "goal-added" => "Goal added.",
        "goal-saved" => "Goal saved.",
        "plan-applied" => "Plan applied: its blocks are on the calendar.",
        "plan-undone" => "Plan undone: its blocks left the calendar and the ones it replaced came back.",
        "agenda-item-added" => "Agenda item added.",
        "agenda-item-saved" => "Agenda item saved.",
        "agenda-item-removed" => "Agenda item removed.",
        "agenda-seeded" => "The agenda was seeded from what is open.",
        "minutes-saved" => "Minutes saved.",
        "decision-added" => "Decision recorded.",
        "decision-removed" => "Decision removed.",
        "actions-added" => "Action item recorded; it is on its owner's task list.",
        "file-attached" => "File attached.",
        "file-deleted" => "File deleted.",
        "duty-added" => "Duty added.",
        "duty-saved" => "Duty saved.",
        "duty-deleted" => "Duty deleted.",
        "duty-done" => "Duty marked done.",
        "vendor-added" => "Vendor added.",
        "vendor-saved" => "Vendor saved.",
        "vendor-deleted" => "Vendor deleted.",
        "contract-added" => "Contract added.",
        "contract-saved" => "Contract saved.",
        "contract-deleted" => "Contract deleted.",
        "notice-given" => "Notice recorded: the contract ends with its current term.",
        "notice-withdrawn" => "Notice withdrawn: the contract renews as before.",
        "document-attached" => "Document attached.",
        "document-deleted" => "Document deleted.",
        "booked" => "Booked. Check in when you arrive, or the booking is released.",
        "checked-in" => "Checked in.",
        "booking-cancelled" => "Booking cancelled; the space is free again.",
        "space-added" => "Space added.",
        "site-added" => "Site added.",
        "rule-saved" => "Booking rule saved.",
        "stock-added" => "Stock item added.",
        "asset-added" => "Asset registered.",
        "asset-saved" => "Asset saved.",
        "asset-assigned" => "Asset assigned.",
        "asset-checked-out" => "Asset checked out.",
        "asset-checked-in" => "Asset checked in.",
        "asset-maintained" => "Maintenance recorded.",
        "asset-retired" => "Asset retired.",
        "stock-saved" => "Stock item saved.",
        "stock-deleted" => "Stock item deleted.",
        "stock-taken" => "Taken from stock.",
        "stock-received" => "Delivery received into stock.",
        "stock-counted" => "Count recorded.",
        "purchase-requested" => "Purchase requested.",
        "purchase-saved" => "Purchase request saved.",
        "purchase-submitted" => "Sent for approval.",
        "purchase-approved" => "Approved: the order can go to the vendor.",
        "purchase-rejected" => "Purchase rejected.",
        "purchase-cancelled" => "Purchase cancelled.",
        "purchase-received" => "Delivery recorded; stock items are in the stock room.",
        "invoice-registered" => "Invoice registered.",
        "invoice-approved" => "Invoice approved for payment.",
        "invoice-rejected" => "Invoice rejected.",
        "invoice-paid" => "Invoice marked paid.",
        "budget-set" => "Budget set.",
        "expense-added" => "Expense added.",
        "expense-deleted" => "Expense deleted.",
        "receipt-attached" => "Receipt attached.",
        "report-started" => "Report started.",
        "report-changed" => "Report changed.",
        "report-submitted" => "Report submitted for approval.",
        "report-approved" => "Report approved: it can be reimbursed.",
        "report-rejected" => "Report sent back with your reason.",
        "report-reimbursed" => "Report marked reimbursed.",
        "policy-set" => "Policy rule set.",
        "policy-removed" => "Policy rule removed.",
        "mail-archived" => "Message archived.",
        "mail-snoozed" => "Message snoozed; it comes back when its time comes.",
        "mail-inbox" => "Message back in the inbox.",
        "category-set" => "Category set; mail like it will follow.",
        "sender-screened" => "Sender decision saved.",
        "draft-saved" => "Draft saved.",
        "draft-pending" => "Draft written; it waits for approval.",
        "draft-resubmitted" => "Draft changed; it is back in the approval queue.",
        "draft-sent" => "Sent.",
        "draft-rejected" => "Draft sent back with your reason.",
        "followup-settled" => "Follow-up settled.",
        "mailbox-saved" => "Mail settings saved.",
        "mail-rule-added" => "Rule added.",
        "mail-rule-deleted" => "Rule deleted.",
        "template-saved" => "Template saved.",
        "template-deleted" => "Template deleted.",
        "contact-saved" => "Contact saved.",
        "contacts-merged" => "Contacts merged.",
        _ => "Done.",
    }
}

/// Renders a template, or a logged 500.
pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            error_page(ApiError::internal())
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    detail: String,
}

/// An HTML page for an error (status kept).
pub fn error_page(e: ApiError) -> Response {
    let page = ErrorPage {
        title: e.status.canonical_reason().unwrap_or("Error").to_string(),
        detail: e.detail.clone(),
    };
    match page.render() {
        Ok(html) => (e.status, Html(html)).into_response(),
        Err(_) => (e.status, e.detail).into_response(),
    }
}

/// Percent-encodes a string for use in a query parameter.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A web handler's error: an HTML error page with the right status.
pub struct WebError(pub ApiError);

impl<E: Into<ApiError>> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError(e.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        error_page(self.0)
    }
}

pub type WebResult = Result<Response, WebError>;
