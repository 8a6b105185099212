//! `/api/v1/mail` and `/api/v1/contacts`: a person's mailbox (IMAP settings,
//! imports, sync), the triaged messages and what is done with them
//! (corrections, archive, snooze, follow-ups), screening and rules, templates,
//! drafts with their approval and sending, and contacts with vCard in and out.
//! `?person=` (an id or address) names whose mail; by default the caller's,
//! or their principal's when acting for one.

use super::meetings::file_response;
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::invoices::{InvoiceView, MailInvoiceInput};
use crate::ops::mail::{
    self as ops, ContactDetail, ContactForm, ContactView, DraftEdit, DraftForm, DraftView, FollowUp,
    FollowUpForm, ImportReport, MailAction, MailDetail, MailItem, MailQuery, MailboxForm, MailboxView,
    RuleForm, RuleView, SenderForm, SyncSummary, TemplateForm, VcardImport,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The largest file `POST /api/v1/mail/import` reads (the CLI streams larger archives).
pub const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Whose mail.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    /// A person's id or e-mail address (default: yourself, or your principal).
    pub person: Option<String>,
}

/// An import's file name and whose mailbox it goes to.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    pub person: Option<String>,
    /// The file's name, for the report.
    pub filename: Option<String>,
}

/// The mailbox (created on first use from the person's address).
#[utoipa::path(get, path = "/api/v1/mail/mailbox", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(PersonQuery), responses((status = 200, body = MailboxView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn mailbox(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<MailboxView>> {
    let org = auth.org();
    Ok(Json(
        ops::get_mailbox(&state, &caller(auth), org, q.person.as_deref()).await?,
    ))
}

/// Sets the mailbox's IMAP server (the password is kept sealed) and its follow-up delay (the owner only).
#[utoipa::path(put, path = "/api/v1/mail/mailbox", tag = "mail", security(("bearer" = []), ("session" = [])),
    request_body = MailboxForm,
    responses((status = 200, body = MailboxView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn configure(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(f): ApiJson<MailboxForm>,
) -> ApiResult<Json<MailboxView>> {
    let org = auth.org();
    Ok(Json(ops::configure(&state, &caller(auth), org, &f).await?))
}

/// Imports an `.eml` message or an mbox archive (at most 64 MiB here; the CLI streams any size).
/// Each message is stored or refused on its own; the report names every refusal.
#[utoipa::path(post, path = "/api/v1/mail/import", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(ImportQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<ImportReport>> {
    let org = auth.org();
    let body = body.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the file is larger than {} MiB; import it with `adjutant mail import`, which streams any size",
                IMPORT_BODY_LIMIT / (1024 * 1024)
            ),
        )
    })?;
    let name = q.filename.as_deref().unwrap_or("upload");
    Ok(Json(
        ops::import(&state, &caller(auth), org, q.person.as_deref(), name, &body).await?,
    ))
}

/// Syncs the mailbox from its IMAP server now.
#[utoipa::path(post, path = "/api/v1/mail/sync", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(PersonQuery), responses((status = 200, body = SyncSummary), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn sync(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<SyncSummary>> {
    let org = auth.org();
    Ok(Json(
        ops::sync(&state, &caller(auth), org, q.person.as_deref()).await?,
    ))
}

/// Messages: the inbox (highest priority first), screening, snoozed, archived or sent.
#[utoipa::path(get, path = "/api/v1/mail/messages", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("person" = Option<String>, Query, description = "Whose mail"), ("view" = Option<String>, Query, description = "inbox, screening, snoozed, archived, sent, all"),
        ("category" = Option<String>, Query, description = "act, reply, waiting, read, fyi, newsletter, suspect"),
        ("office" = Option<String>, Query, description = "invoice, travel, contract"), ("limit" = Option<i64>, Query, description = "At most this many (default 200)")),
    responses((status = 200, body = [MailItem]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn messages(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<MailQuery>,
) -> ApiResult<Json<Vec<MailItem>>> {
    let org = auth.org();
    Ok(Json(ops::list(&state, &caller(auth), org, &q).await?))
}

/// One message whole (sanitised HTML, attachments, warnings) with its thread.
#[utoipa::path(get, path = "/api/v1/mail/messages/{id}", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = MailDetail), (status = 404, body = Problem)))]
pub async fn message(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
) -> ApiResult<Json<MailDetail>> {
    let org = auth.org();
    Ok(Json(
        ops::get(&state, &caller(auth), org, id(&mid, "message")?).await?,
    ))
}

/// One attachment's content, read from the stored message on demand.
#[utoipa::path(get, path = "/api/v1/mail/messages/{id}/attachments/{index}", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Message id"), ("index" = usize, Path, description = "Attachment index")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn attachment(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path((mid, index)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = auth.org();
    let index: usize = index.parse().map_err(|_| ApiError::not_found("attachment"))?;
    let (name, ctype, bytes) =
        ops::attachment(&state, &caller(auth), org, id(&mid, "message")?, index).await?;
    Ok(file_response(&ctype, &name, bytes))
}

/// A correction: the category a person files the message under.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryForm {
    /// act, reply, waiting, read, fyi, newsletter or suspect.
    pub category: String,
}

/// Files a message under another category; the classifiers learn from it.
#[utoipa::path(post, path = "/api/v1/mail/messages/{id}/category", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Message id")), request_body = CategoryForm,
    responses((status = 200, body = MailItem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn correct(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
    ApiJson(f): ApiJson<CategoryForm>,
) -> ApiResult<Json<MailItem>> {
    let org = auth.org();
    Ok(Json(
        ops::correct(&state, &caller(auth), org, id(&mid, "message")?, &f.category).await?,
    ))
}

/// Registers the invoice a message carries (a message marked `invoice`): each
/// field given overrides what the message suggests (`invoice_suggestion` on
/// the message). The message is linked to the invoice; a message becomes one
/// invoice at most.
#[utoipa::path(post, path = "/api/v1/mail/messages/{id}/invoice", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Message id")), request_body = MailInvoiceInput,
    responses((status = 201, body = InvoiceView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_invoice(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
    ApiJson(f): ApiJson<MailInvoiceInput>,
) -> ApiResult<(StatusCode, Json<InvoiceView>)> {
    let org = auth.org();
    let v =
        crate::ops::invoices::record_from_mail(&state, &caller(auth), org, id(&mid, "message")?, &f).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Archives a message, brings it back, or snoozes it until a date and/or a reply.
#[utoipa::path(post, path = "/api/v1/mail/messages/{id}/action", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Message id")), request_body = MailAction,
    responses((status = 200, body = MailItem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn act(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
    ApiJson(f): ApiJson<MailAction>,
) -> ApiResult<Json<MailItem>> {
    let org = auth.org();
    Ok(Json(
        ops::act(&state, &caller(auth), org, id(&mid, "message")?, &f).await?,
    ))
}

/// Sets how long a sent message waits for a reply, or settles it.
#[utoipa::path(put, path = "/api/v1/mail/messages/{id}/followup", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Message id")), request_body = FollowUpForm,
    responses((status = 200, body = MailItem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn followup(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(mid): Path<String>,
    ApiJson(f): ApiJson<FollowUpForm>,
) -> ApiResult<Json<MailItem>> {
    let org = auth.org();
    Ok(Json(
        ops::set_followup(&state, &caller(auth), org, id(&mid, "message")?, &f).await?,
    ))
}

/// Sent messages that got no reply in time, each with a nudge drafted.
#[utoipa::path(get, path = "/api/v1/mail/followups", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(PersonQuery), responses((status = 200, body = [FollowUp]), (status = 403, body = Problem)))]
pub async fn followups(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<Vec<FollowUp>>> {
    let org = auth.org();
    Ok(Json(
        ops::followups(&state, &caller(auth), org, q.person.as_deref()).await?,
    ))
}

/// A screened sender.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SenderView {
    pub address: String,
    /// accepted, vip or blocked.
    pub status: String,
    pub updated_at: String,
}

fn sender_views(list: Vec<adjutant_store::mail::SenderRecord>) -> Vec<SenderView> {
    list.into_iter()
        .map(|s| SenderView {
            address: s.address,
            status: s.status.as_str().into(),
            updated_at: s.updated_at.to_string(),
        })
        .collect()
}

/// The senders screened: accepted, VIP, blocked.
#[utoipa::path(get, path = "/api/v1/mail/senders", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(PersonQuery), responses((status = 200, body = [SenderView]), (status = 403, body = Problem)))]
pub async fn senders(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<Vec<SenderView>>> {
    let org = auth.org();
    Ok(Json(sender_views(
        ops::senders(&state, &caller(auth), org, q.person.as_deref()).await?,
    )))
}

/// Accepts a sender from screening, marks them VIP, blocks them, or forgets the decision (`unknown`).
#[utoipa::path(post, path = "/api/v1/mail/senders", tag = "mail", security(("bearer" = []), ("session" = [])),
    request_body = SenderForm, responses((status = 200, body = [SenderView]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn screen(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(f): ApiJson<SenderForm>,
) -> ApiResult<Json<Vec<SenderView>>> {
    let org = auth.org();
    Ok(Json(sender_views(
        ops::screen(&state, &caller(auth), org, &f).await?,
    )))
}

/// The rules in force: the organisation's, then the mailbox's own.
#[utoipa::path(get, path = "/api/v1/mail/rules", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(PersonQuery), responses((status = 200, body = [RuleView]), (status = 403, body = Problem)))]
pub async fn rules(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<Vec<RuleView>>> {
    let org = auth.org();
    Ok(Json(
        ops::rules(&state, &caller(auth), org, q.person.as_deref()).await?,
    ))
}

/// Adds a rule for a mailbox, or for the organisation (`person: "org"`; assistants, office managers, administrators).
#[utoipa::path(post, path = "/api/v1/mail/rules", tag = "mail", security(("bearer" = []), ("session" = [])),
    request_body = RuleForm, responses((status = 201, body = RuleView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn rule_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(f): ApiJson<RuleForm>,
) -> ApiResult<(StatusCode, Json<RuleView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(ops::add_rule(&state, &caller(auth), org, &f).await?),
    ))
}

/// Removes a rule.
#[utoipa::path(delete, path = "/api/v1/mail/rules/{id}", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Rule id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn rule_delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(rid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_rule(&state, &caller(auth), org, id(&rid, "rule")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A reply template.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateView {
    pub id: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub updated_at: String,
}

fn template_view(t: &adjutant_store::mail::TemplateRecord) -> TemplateView {
    TemplateView {
        id: t.id.to_string(),
        name: t.name.clone(),
        subject: t.subject.clone(),
        body: t.body.clone(),
        updated_at: t.updated_at.to_string(),
    }
}

/// The organisation's reply templates.
#[utoipa::path(get, path = "/api/v1/mail/templates", tag = "mail", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [TemplateView]), (status = 403, body = Problem)))]
pub async fn templates(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
) -> ApiResult<Json<Vec<TemplateView>>> {
    let org = auth.org();
    Ok(Json(
        ops::templates(&state, &caller(auth), org)
            .await?
            .iter()
            .map(template_view)
            .collect(),
    ))
}

/// Adds a template or replaces the one of the same name (assistants, office managers, administrators).
#[utoipa::path(post, path = "/api/v1/mail/templates", tag = "mail", security(("bearer" = []), ("session" = [])),
    request_body = TemplateForm, responses((status = 200, body = TemplateView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn template_put(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(f): ApiJson<TemplateForm>,
) -> ApiResult<Json<TemplateView>> {
    let org = auth.org();
    Ok(Json(template_view(
        &ops::put_template(&state, &caller(auth), org, &f).await?,
    )))
}

/// Removes a template.
#[utoipa::path(delete, path = "/api/v1/mail/templates/{id}", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Template id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn template_delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(tid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_template(&state, &caller(auth), org, id(&tid, "template")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which drafts.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DraftsQuery {
    pub person: Option<String>,
    /// open (default), draft, pending (the approval queue), rejected, sent, failed.
    pub status: Option<String>,
}

/// Drafts of a mailbox; `status=pending` is the approval queue.
#[utoipa::path(get, path = "/api/v1/mail/drafts", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(DraftsQuery), responses((status = 200, body = [DraftView]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn drafts(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<DraftsQuery>,
) -> ApiResult<Json<Vec<DraftView>>> {
    let org = auth.org();
    Ok(Json(
        ops::drafts(
            &state,
            &caller(auth),
            org,
            q.person.as_deref(),
            q.status.as_deref(),
        )
        .await?,
    ))
}

/// Writes a draft (from a template, as a reply, with an invitation); an assistant's waits for approval.
#[utoipa::path(post, path = "/api/v1/mail/drafts", tag = "mail", security(("bearer" = []), ("session" = [])),
    request_body = DraftForm, responses((status = 201, body = DraftView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn draft_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(f): ApiJson<DraftForm>,
) -> ApiResult<(StatusCode, Json<DraftView>)> {
    let org = auth.org();
    Ok((
        StatusCode::CREATED,
        Json(ops::create_draft(&state, &caller(auth), org, &f).await?),
    ))
}

/// One draft.
#[utoipa::path(get, path = "/api/v1/mail/drafts/{id}", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Draft id")), responses((status = 200, body = DraftView), (status = 404, body = Problem)))]
pub async fn draft_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(did): Path<String>,
) -> ApiResult<Json<DraftView>> {
    let org = auth.org();
    Ok(Json(
        ops::get_draft(&state, &caller(auth), org, id(&did, "draft")?).await?,
    ))
}

/// Changes a draft still open.
#[utoipa::path(put, path = "/api/v1/mail/drafts/{id}", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Draft id")), request_body = DraftEdit,
    responses((status = 200, body = DraftView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn draft_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(did): Path<String>,
    ApiJson(e): ApiJson<DraftEdit>,
) -> ApiResult<Json<DraftView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_draft(&state, &caller(auth), org, id(&did, "draft")?, &e).await?,
    ))
}

/// Sends a draft (the person it speaks for: their own, or an assistant's with approval and optional edits).
#[utoipa::path(post, path = "/api/v1/mail/drafts/{id}/send", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Draft id")), request_body = DraftEdit,
    responses((status = 200, body = DraftView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 502, body = Problem)))]
pub async fn draft_send(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(did): Path<String>,
    ApiJson(e): ApiJson<DraftEdit>,
) -> ApiResult<Json<DraftView>> {
    let org = auth.org();
    Ok(Json(
        ops::send_draft(&state, &caller(auth), org, id(&did, "draft")?, &e).await?,
    ))
}

/// Turns down an assistant's draft with a reason (the person it speaks for).
#[utoipa::path(post, path = "/api/v1/mail/drafts/{id}/reject", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Draft id")), request_body = DraftEdit,
    responses((status = 200, body = DraftView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn draft_reject(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(did): Path<String>,
    ApiJson(e): ApiJson<DraftEdit>,
) -> ApiResult<Json<DraftView>> {
    let org = auth.org();
    Ok(Json(
        ops::reject_draft(&state, &caller(auth), org, id(&did, "draft")?, &e).await?,
    ))
}

/// Which contacts.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContactsQuery {
    pub person: Option<String>,
    /// Only those due for keeping in touch, most overdue first.
    pub due: Option<bool>,
}

/// A person's contacts, from mail, meetings and vCard imports.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(ContactsQuery), responses((status = 200, body = [ContactView]), (status = 403, body = Problem)))]
pub async fn contacts(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ContactsQuery>,
) -> ApiResult<Json<Vec<ContactView>>> {
    let org = auth.org();
    let c = caller(auth);
    Ok(Json(if q.due.unwrap_or(false) {
        ops::contacts_due(&state, &c, org, q.person.as_deref()).await?
    } else {
        ops::contacts(&state, &c, org, q.person.as_deref()).await?
    }))
}

/// One contact with the latest mail each way.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contact id")), responses((status = 200, body = ContactDetail), (status = 404, body = Problem)))]
pub async fn contact(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(cid): Path<String>,
) -> ApiResult<Json<ContactDetail>> {
    let org = auth.org();
    Ok(Json(
        ops::get_contact(&state, &caller(auth), org, id(&cid, "contact")?).await?,
    ))
}

/// Changes a contact: details, notes, keep-in-touch cadence, stakeholder.
#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contact id")), request_body = ContactForm,
    responses((status = 200, body = ContactView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn contact_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(cid): Path<String>,
    ApiJson(f): ApiJson<ContactForm>,
) -> ApiResult<Json<ContactView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_contact(&state, &caller(auth), org, id(&cid, "contact")?, &f).await?,
    ))
}

/// Which contact to merge into this one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeForm {
    /// The contact that goes away; its addresses and history join this one.
    pub from: String,
}

/// Merges another contact of the same person into this one.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/merge", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contact id")), request_body = MergeForm,
    responses((status = 200, body = ContactView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn contact_merge(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(cid): Path<String>,
    ApiJson(f): ApiJson<MergeForm>,
) -> ApiResult<Json<ContactView>> {
    let org = auth.org();
    Ok(Json(
        ops::merge_contacts(&state, &caller(auth), org, id(&cid, "contact")?, &f.from).await?,
    ))
}

/// Imports a vCard file (3.0 or 4.0) into a person's contacts; all or nothing.
#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(PersonQuery), request_body(content = String, content_type = "text/vcard"),
    responses((status = 200, body = VcardImport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn contacts_import(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
    body: Bytes,
) -> ApiResult<Json<VcardImport>> {
    let org = auth.org();
    let text = std::str::from_utf8(&body)
        .map_err(|_| adjutant_core::ValidationError::field("file", "a vCard file must be UTF-8 text"))?;
    Ok(Json(
        ops::import_vcards(&state, &caller(auth), org, q.person.as_deref(), text).await?,
    ))
}

/// A person's contacts as a vCard 4.0 file.
#[utoipa::path(get, path = "/api/v1/contacts/export", tag = "mail", security(("bearer" = []), ("session" = [])),
    params(PersonQuery), responses((status = 200, content_type = "text/vcard", body = String), (status = 403, body = Problem)))]
pub async fn contacts_export(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let text = ops::export_vcards(&state, &caller(auth), org, q.person.as_deref()).await?;
    Ok(file_response(
        "text/vcard; charset=utf-8",
        "contacts.vcf",
        text.into_bytes(),
    ))
}
