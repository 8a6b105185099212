//! Mail pages: the triage inbox (with keys), one message with its reply form,
//! screening of first-time senders, the drafts approval queue, follow-ups,
//! mail settings (IMAP, senders, rules, templates, file import) and contacts.
//!
//! Handlers parse forms, call `ops::mail` (which authorises: a person's mail is
//! theirs and their mail delegates') and render. Every form posts and
//! redirects, so the pages work without script; the keys are an enhancement
//! served as `/static/mail.js`, which also archives and files rows of the
//! inbox in place (the same form, posted with `X-Adjutant-Inline: 1`, answered
//! `204`; anything else falls back to the ordinary post). Mail pages load in full rather than through
//! htmx, so that file is read on every mail page.

use super::calendar::{
    Opt, one_error, opts, or_empty_if_forbidden, parse_path_id, trimmed, viewer_zone, when_text,
};
use super::pages::{caller, form_pairs, is_user_error, validation_errors};
use super::tasks::{href, named, shown_at, status_for};
use super::{Layout, WebError, WebResult, render_status};
use crate::app::AppState;
use crate::auth::{AuthCtx, WebAuth};
use crate::error::ApiError;
use crate::ops::invoices::MailInvoiceInput;
use crate::ops::mail::{
    self as ops, ContactForm, ContactView, DraftEdit, DraftForm, DraftView, FollowUpForm, ImportReport,
    MailAction, MailDetail, MailItem, MailQuery, MailboxForm, MailboxView, RuleForm, RuleView, SenderForm,
    SyncSummary, TemplateForm,
};
use adjutant_core::FieldError;
use adjutant_core::calendar::Zone;
use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{ContactId, DraftId, MailId, MailRuleId, PersonId, TemplateId};
use adjutant_core::policy::Capability;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use bytes::Bytes;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The most the mail import form may carry: the API's file limit and room for the fields.
pub const IMPORT_FORM_LIMIT: usize = crate::api::mail::IMPORT_BODY_LIMIT + 64 * 1024;

/// The most the vCard import form may carry.
pub const VCARD_FORM_LIMIT: usize = 5 * 1024 * 1024;

/// Categories in key order: `1` files under the first.
const CATEGORIES: [(&str, &str); 7] = [
    ("act", "act"),
    ("reply", "reply"),
    ("waiting", "waiting"),
    ("read", "read"),
    ("fyi", "fyi"),
    ("newsletter", "newsletter"),
    ("suspect", "suspect"),
];

const VIEWS: [(&str, &str); 5] = [
    ("inbox", "Inbox"),
    ("screening", "Screening"),
    ("snoozed", "Snoozed"),
    ("sent", "Sent"),
    ("archived", "Archived"),
];

const RULE_FIELDS: [(&str, &str); 3] = [
    ("from_domain", "sender's domain is"),
    ("from_address", "sender's address is"),
    ("subject_contains", "subject contains"),
];

const OFFICE: [(&str, &str); 3] = [
    ("invoice", "invoice"),
    ("travel", "travel"),
    ("contract", "contract"),
];

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/// Whose mail a page shows.
pub struct Whose {
    /// The mailbox owner's id (every form names it).
    pub person: String,
    pub name: String,
    pub address: String,
    /// The signed-in person reads their own mail.
    pub own: bool,
    /// Myself and the principals whose mail the caller may read.
    pub switcher: Vec<Opt>,
}

async fn whose(
    state: &AppState,
    auth: &AuthCtx,
    layout: &Layout,
    named_person: Option<&str>,
) -> Result<(Whose, MailboxView), ApiError> {
    let mb = ops::get_mailbox(state, &caller(auth), auth.org(), named_person).await?;
    let me = auth.person.id.to_string();
    let mut switcher = vec![Opt {
        value: me.clone(),
        label: format!("myself ({})", auth.person.name),
        selected: mb.person == me,
    }];
    for (id, name, _) in &layout.principals {
        let reads = id
            .parse::<PersonId>()
            .is_ok_and(|p| auth.actor.delegation_for(p, Scope::Mail, Level::Read).is_some());
        if reads {
            switcher.push(Opt {
                value: id.clone(),
                label: name.clone(),
                selected: mb.person == *id,
            });
        }
    }
    Ok((
        Whose {
            own: mb.person == me,
            person: mb.person.clone(),
            name: mb.person_name.clone(),
            address: mb.address.clone(),
            switcher,
        },
        mb,
    ))
}

fn parse_ts(s: &str) -> Option<jiff::Timestamp> {
    s.parse().ok()
}

fn when(s: &str, z: &Zone) -> String {
    parse_ts(s).map(|t| when_text(t, z)).unwrap_or_default()
}

fn day(s: Option<&str>, z: &Zone) -> String {
    s.and_then(parse_ts)
        .map(|t| z.local(t).strftime("%-d %b %Y").to_string())
        .unwrap_or_default()
}

/// A message as a row of the inbox.
pub struct MailRow {
    pub id: String,
    pub priority: u8,
    pub category: &'static str,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub subject: String,
    pub snippet: String,
    pub when: String,
    pub office: &'static str,
    /// The reasons in one line, for the row's tooltip.
    pub reasons: String,
    pub sender: &'static str,
    pub attachments: usize,
    pub snoozed: String,
    pub until_reply: bool,
    pub archived: bool,
    pub corrected: bool,
    pub outgoing: bool,
    pub categories: Vec<Opt>,
}

fn mail_row(m: &MailItem, z: &Zone) -> MailRow {
    let category = m.category.as_str();
    MailRow {
        id: m.id.clone(),
        priority: m.priority,
        category,
        from: m.from.clone(),
        from_name: m.from_name.clone(),
        to: m.to.join(", "),
        subject: m.subject.clone(),
        snippet: m.snippet.clone(),
        when: when(&m.sent_at, z),
        office: m.office.map_or("", |o| o.as_str()),
        reasons: m
            .reasons
            .iter()
            .map(|r| r.text.clone())
            .collect::<Vec<_>>()
            .join("; "),
        sender: m.sender_status.as_str(),
        attachments: m.attachments,
        snoozed: m.snoozed_until.as_deref().map(|s| when(s, z)).unwrap_or_default(),
        until_reply: m.snooze_until_reply,
        archived: m.archived,
        corrected: m.corrected,
        outgoing: m.direction == "out",
        categories: opts(&CATEGORIES, category),
    }
}

fn user_error(e: &ApiError) -> bool {
    is_user_error(e) || e.status == StatusCode::FORBIDDEN
}

/// Where a form on a message goes back to: the list it was on, or the message.
struct Back {
    person: String,
    view: String,
    filter: String,
    from_message: bool,
}

impl Back {
    fn of(f: &[(String, String)]) -> Back {
        let known = |v: String, list: &[(&str, &str)]| {
            if list.iter().any(|(k, _)| *k == v) {
                v
            } else {
                String::new()
            }
        };
        Back {
            person: trimmed(f, "person"),
            view: known(trimmed(f, "view"), &VIEWS),
            filter: known(trimmed(f, "filter"), &CATEGORIES),
            from_message: trimmed(f, "from") == "message",
        }
    }

    fn to(&self, id: MailId, notice: &str) -> String {
        if self.from_message {
            href(&format!("/mail/{id}"), &[("notice", notice)])
        } else {
            list_href(&self.person, &self.view, &self.filter, notice)
        }
    }
}

fn list_href(person: &str, view: &str, filter: &str, notice: &str) -> String {
    let view = if view == "inbox" { "" } else { view };
    href(
        "/mail",
        &[
            ("person", person),
            ("view", view),
            ("category", filter),
            ("notice", notice),
        ],
    )
}

/// Reads a multipart form: its text fields, and the file if one was chosen.
async fn read_upload(
    multipart: &mut Multipart,
    limit_text: &str,
) -> Result<(Vec<(String, String)>, Option<(String, Vec<u8>)>), FieldError> {
    let too_big = || one_error("file", format!("could not be read; {limit_text}"));
    let mut fields = Vec::new();
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                let filename = f.file_name().unwrap_or("").to_string();
                let bytes = f.bytes().await.map_err(|_| too_big())?;
                if name == "file" {
                    if !(filename.is_empty() && bytes.is_empty()) {
                        file = Some((filename, bytes.to_vec()));
                    }
                } else {
                    fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
            Ok(None) => break,
            Err(_) => return Err(too_big()),
        }
    }
    Ok((fields, file))
}

// ---------------------------------------------------------------------------
// The inbox
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    person: Option<String>,
    view: Option<String>,
    category: Option<String>,
    notice: Option<String>,
}

/// A tab of the inbox.
pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub count: Option<usize>,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "mail.html")]
struct InboxPage {
    layout: Layout,
    who: Whose,
    view: String,
    filter: String,
    tabs: Vec<Tab>,
    filters: Vec<Tab>,
    rows: Vec<MailRow>,
    today: String,
    errors: Vec<FieldError>,
}

async fn inbox_render(
    state: &AppState,
    auth: &AuthCtx,
    q: &InboxQuery,
    errors: Vec<FieldError>,
) -> WebResult {
    let layout = Layout::new(state, auth, "mail", q.notice.as_deref()).await?;
    let (who, _) = whose(state, auth, &layout, named(&q.person)).await?;
    let view = named(&q.view).unwrap_or("inbox").to_string();
    if view == "screening" {
        return Ok(Redirect::to(&href("/mail/screening", &[("person", &who.person)])).into_response());
    }
    let filter = named(&q.category).unwrap_or("").to_string();
    let c = caller(auth);
    let org = auth.org();
    let list = ops::list(
        state,
        &c,
        org,
        &MailQuery {
            person: Some(who.person.clone()),
            view: Some(view.clone()),
            category: Some(filter.clone()),
            ..MailQuery::default()
        },
    )
    .await?;
    let screening = ops::list(
        state,
        &c,
        org,
        &MailQuery {
            person: Some(who.person.clone()),
            view: Some("screening".into()),
            ..MailQuery::default()
        },
    )
    .await?
    .len();
    let z = viewer_zone(auth);
    let tabs = VIEWS
        .iter()
        .map(|(v, label)| Tab {
            href: if *v == "screening" {
                href("/mail/screening", &[("person", &who.person)])
            } else {
                list_href(&who.person, v, "", "")
            },
            label,
            count: (*v == "screening").then_some(screening),
            current: *v == view,
        })
        .collect();
    let filters = std::iter::once(("", "all"))
        .chain(CATEGORIES.iter().copied())
        .map(|(v, label)| Tab {
            href: list_href(&who.person, &view, v, ""),
            label,
            count: None,
            current: v == filter,
        })
        .collect();
    let page = InboxPage {
        rows: list.iter().map(|m| mail_row(m, &z)).collect(),
        today: z.local(jiff::Timestamp::now()).date().to_string(),
        layout,
        who,
        view,
        filter,
        tabs,
        filters,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn inbox(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<InboxQuery>,
) -> WebResult {
    inbox_render(&state, &auth, &q, vec![]).await
}

/// Archive, bring back or snooze one message.
/// Whether the page's script asked for the change alone (`X-Adjutant-Inline: 1`):
/// then success is `204 No Content` and the script updates the list in place.
fn inline(headers: &HeaderMap) -> bool {
    headers.get("x-adjutant-inline").is_some_and(|v| v == "1")
}

/// Where a change succeeded: nothing for the inline script, else the page it came from.
fn done(headers: &HeaderMap, to: &str) -> WebResult {
    if inline(headers) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Ok(Redirect::to(to).into_response())
    }
}

pub async fn message_act(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult {
    let id: MailId = parse_path_id(&id, "message")?;
    let f = form_pairs(&body);
    let back = Back::of(&f);
    let action = MailAction {
        action: trimmed(&f, "action"),
        until: Some(trimmed(&f, "until")),
        until_reply: Some(trimmed(&f, "until_reply") == "on"),
    };
    let notice = match action.action.as_str() {
        "archive" => "mail-archived",
        "snooze" => "mail-snoozed",
        _ => "mail-inbox",
    };
    match ops::act(&state, &caller(&auth), auth.org(), id, &action).await {
        Ok(_) => done(&headers, &back.to(id, notice)),
        Err(e) if user_error(&e) => refused(&state, &auth, id, &back, validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

/// Files one message under another category; the classifiers learn from it.
pub async fn message_category(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult {
    let id: MailId = parse_path_id(&id, "message")?;
    let f = form_pairs(&body);
    let back = Back::of(&f);
    match ops::correct(&state, &caller(&auth), auth.org(), id, &trimmed(&f, "category")).await {
        Ok(_) => done(&headers, &back.to(id, "category-set")),
        Err(e) if user_error(&e) => refused(&state, &auth, id, &back, validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

/// A refused action on a message: the page it came from, with the fault named.
async fn refused(
    state: &AppState,
    auth: &AuthCtx,
    id: MailId,
    back: &Back,
    errors: Vec<FieldError>,
) -> WebResult {
    if back.from_message {
        let r = message_render(state, auth, id, None, None, None, errors).await?;
        return Ok(shown_at(r, &format!("/mail/{id}")));
    }
    let q = InboxQuery {
        person: Some(back.person.clone()),
        view: Some(back.view.clone()),
        category: Some(back.filter.clone()),
        notice: None,
    };
    let r = inbox_render(state, auth, &q, errors).await?;
    Ok(shown_at(
        r,
        &list_href(&back.person, &back.view, &back.filter, ""),
    ))
}

// ---------------------------------------------------------------------------
// One message
// ---------------------------------------------------------------------------

/// What was typed in the reply form.
#[derive(Debug, Clone, Default)]
pub struct ReplyForm {
    pub template: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub struct ReasonRow {
    pub text: String,
    pub weight: String,
}

pub struct AttachmentRow {
    pub index: usize,
    pub filename: String,
    pub content_type: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "mail_message.html")]
struct MessagePage {
    layout: Layout,
    m: MailDetail,
    row: MailRow,
    own: bool,
    reasons: Vec<ReasonRow>,
    attachments: Vec<AttachmentRow>,
    thread: Vec<MailRow>,
    cc: String,
    templates: Vec<Opt>,
    reply: ReplyForm,
    /// The invoice form, for a message marked as an invoice not yet registered.
    invoice: Option<InvoiceForm>,
    vendors: Vec<Opt>,
    today: String,
    errors: Vec<FieldError>,
}

/// What the invoice form holds: the message's suggestion, or what was typed.
#[derive(Debug, Clone, Default)]
pub struct InvoiceForm {
    pub vendor: String,
    pub number: String,
    pub amount: String,
    pub currency: String,
    pub vat: String,
    pub issued_on: String,
    pub due_on: String,
    pub purchase: String,
    pub category: String,
    /// Why the message gives no vendor, number, amount or due day.
    pub missing: Vec<String>,
}

impl InvoiceForm {
    fn of(f: &[(String, String)]) -> Self {
        Self {
            vendor: trimmed(f, "vendor"),
            number: trimmed(f, "number"),
            amount: trimmed(f, "amount"),
            currency: trimmed(f, "currency"),
            vat: trimmed(f, "vat"),
            issued_on: trimmed(f, "issued_on"),
            due_on: trimmed(f, "due_on"),
            purchase: trimmed(f, "purchase"),
            category: trimmed(f, "category"),
            missing: vec![],
        }
    }

    fn input(&self) -> MailInvoiceInput {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        MailInvoiceInput {
            vendor: opt(&self.vendor),
            number: opt(&self.number),
            amount: opt(&self.amount),
            currency: opt(&self.currency),
            vat: opt(&self.vat),
            issued_on: opt(&self.issued_on),
            due_on: opt(&self.due_on),
            purchase: opt(&self.purchase),
            contract: None,
            category: opt(&self.category),
            notes: None,
        }
    }
}

fn size_text(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

async fn message_render(
    state: &AppState,
    auth: &AuthCtx,
    id: MailId,
    notice: Option<&str>,
    reply: Option<ReplyForm>,
    invoice: Option<InvoiceForm>,
    errors: Vec<FieldError>,
) -> WebResult {
    let c = caller(auth);
    let org = auth.org();
    let m = ops::get(state, &c, org, id).await?;
    // The invoice form: as typed, else as the message suggests.
    let invoice = match (&m.invoice_suggestion, invoice) {
        (None, _) => None,
        (Some(_), Some(typed)) => Some(typed),
        (Some(s), None) => Some(InvoiceForm {
            vendor: s.vendor.as_ref().map(|v| v.id.clone()).unwrap_or_default(),
            number: s.number.clone().unwrap_or_default(),
            amount: s.amount.clone().unwrap_or_default(),
            currency: s.currency.clone().unwrap_or_else(|| "EUR".into()),
            vat: s.vat.clone().unwrap_or_else(|| "0".into()),
            issued_on: s.issued_on.clone(),
            due_on: s.due_on.clone().unwrap_or_default(),
            purchase: s.purchase.clone().unwrap_or_default(),
            category: String::new(),
            missing: s.missing.iter().map(|x| x.reason.clone()).collect(),
        }),
    };
    let vendors = match &invoice {
        Some(form) => {
            let mut opts = vec![Opt {
                value: String::new(),
                label: "choose a vendor".into(),
                selected: form.vendor.is_empty(),
            }];
            opts.extend(
                crate::ops::office::list_vendors(state, &c, org)
                    .await?
                    .into_iter()
                    .map(|v| Opt {
                        selected: v.id == form.vendor || v.name == form.vendor,
                        value: v.id,
                        label: v.name,
                    }),
            );
            opts
        }
        None => vec![],
    };
    let z = viewer_zone(auth);
    let templates = or_empty_if_forbidden(ops::templates(state, &c, org).await)?;
    let reply = reply.unwrap_or_else(|| ReplyForm {
        to: if m.item.direction == "out" {
            m.item.to.first().cloned().unwrap_or_default()
        } else {
            m.item.from.clone()
        },
        subject: adjutant_core::mail::correspond::reply_subject(&m.item.subject),
        ..ReplyForm::default()
    });
    let mut template_opts = vec![Opt {
        value: String::new(),
        label: "none".into(),
        selected: reply.template.is_empty(),
    }];
    template_opts.extend(templates.iter().map(|t| Opt {
        value: t.id.to_string(),
        label: t.name.clone(),
        selected: t.id.to_string() == reply.template,
    }));
    let page = MessagePage {
        layout: Layout::new(state, auth, "mail", notice).await?,
        row: mail_row(&m.item, &z),
        own: m.owner == auth.person.id.to_string(),
        reasons: m
            .item
            .reasons
            .iter()
            .map(|r| ReasonRow {
                text: r.text.clone(),
                weight: format!("{:+}", r.weight),
            })
            .collect(),
        attachments: m
            .attachment_list
            .iter()
            .map(|a| AttachmentRow {
                index: a.index,
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: size_text(a.size),
            })
            .collect(),
        thread: m.thread_messages.iter().map(|t| mail_row(t, &z)).collect(),
        cc: m.cc.join(", "),
        templates: template_opts,
        reply,
        invoice,
        vendors,
        today: z.local(jiff::Timestamp::now()).date().to_string(),
        m,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn message_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: MailId = parse_path_id(&id, "message")?;
    message_render(&state, &auth, id, q.notice.as_deref(), None, None, vec![]).await
}

/// Registers the invoice a message carries, as the form says; then shows the invoice.
pub async fn message_invoice(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: MailId = parse_path_id(&id, "message")?;
    let form = InvoiceForm::of(&form_pairs(&body));
    match crate::ops::invoices::record_from_mail(&state, &caller(&auth), auth.org(), id, &form.input()).await
    {
        Ok(v) => {
            Ok(Redirect::to(&format!("/office/invoices/{}?notice=invoice-registered", v.id)).into_response())
        }
        Err(e) if user_error(&e) => {
            let r = message_render(&state, &auth, id, None, None, Some(form), validation_errors(&e)).await?;
            Ok(shown_at(r, &format!("/mail/{id}")))
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn attachment(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path((id, index)): Path<(String, String)>,
) -> WebResult {
    let id: MailId = parse_path_id(&id, "message")?;
    let index: usize = parse_path_id(&index, "attachment")?;
    let (name, ctype, bytes) = ops::attachment(&state, &caller(&auth), auth.org(), id, index).await?;
    Ok(crate::api::meetings::file_response(&ctype, &name, bytes))
}

// ---------------------------------------------------------------------------
// Screening
// ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct PersonQuery {
    person: Option<String>,
    notice: Option<String>,
    due: Option<String>,
}

/// A first-time sender and what they sent.
pub struct SenderGroup {
    pub address: String,
    pub name: String,
    pub messages: Vec<MailRow>,
}

#[derive(Template)]
#[template(path = "mail_screening.html")]
struct ScreeningPage {
    layout: Layout,
    who: Whose,
    groups: Vec<SenderGroup>,
    errors: Vec<FieldError>,
}

async fn screening_render(
    state: &AppState,
    auth: &AuthCtx,
    person: Option<&str>,
    notice: Option<&str>,
    errors: Vec<FieldError>,
) -> WebResult {
    let layout = Layout::new(state, auth, "mail", notice).await?;
    let (who, _) = whose(state, auth, &layout, person).await?;
    let list = ops::list(
        state,
        &caller(auth),
        auth.org(),
        &MailQuery {
            person: Some(who.person.clone()),
            view: Some("screening".into()),
            ..MailQuery::default()
        },
    )
    .await?;
    let z = viewer_zone(auth);
    let mut groups: BTreeMap<String, SenderGroup> = BTreeMap::new();
    for m in &list {
        groups
            .entry(m.from.clone())
            .or_insert_with(|| SenderGroup {
                address: m.from.clone(),
                name: m.from_name.clone(),
                messages: vec![],
            })
            .messages
            .push(mail_row(m, &z));
    }
    let page = ScreeningPage {
        layout,
        who,
        groups: groups.into_values().collect(),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn screening(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    screening_render(&state, &auth, named(&q.person), q.notice.as_deref(), vec![]).await
}

/// Accept, VIP, block or forget a sender; back to screening or the settings.
pub async fn screen(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    let to_settings = trimmed(&f, "back") == "settings";
    let form = SenderForm {
        person: Some(person.clone()),
        address: trimmed(&f, "address"),
        status: trimmed(&f, "status"),
    };
    let path = if to_settings {
        "/mail/settings"
    } else {
        "/mail/screening"
    };
    match ops::screen(&state, &caller(&auth), auth.org(), &form).await {
        Ok(_) => Ok(
            Redirect::to(&href(path, &[("person", &person), ("notice", "sender-screened")])).into_response(),
        ),
        Err(e) if user_error(&e) => {
            let r = if to_settings {
                settings_render(
                    &state,
                    &auth,
                    Some(&person),
                    None,
                    Extra::default(),
                    validation_errors(&e),
                )
                .await?
            } else {
                screening_render(&state, &auth, Some(&person), None, validation_errors(&e)).await?
            };
            Ok(shown_at(r, &href(path, &[("person", &person)])))
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Drafts and the approval queue
// ---------------------------------------------------------------------------

pub struct DraftRow {
    pub d: DraftView,
    pub to: String,
    pub updated: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "mail_drafts.html")]
struct DraftsPage {
    layout: Layout,
    who: Whose,
    /// For the owner: assistants' drafts waiting for approval.
    pending: Vec<DraftRow>,
    /// For the owner: their own drafts, and those that failed to send.
    mine: Vec<DraftRow>,
    /// For the owner: drafts sent back, waiting for their author.
    rejected: Vec<DraftRow>,
    /// For an assistant: every open draft of the principal's.
    open: Vec<DraftRow>,
    errors: Vec<FieldError>,
}

/// The text typed into one draft's form, kept when the form is refused.
struct Typed {
    draft: String,
    body: String,
}

async fn drafts_render(
    state: &AppState,
    auth: &AuthCtx,
    person: Option<&str>,
    notice: Option<&str>,
    typed: Option<Typed>,
    errors: Vec<FieldError>,
) -> WebResult {
    let layout = Layout::new(state, auth, "mail-drafts", notice).await?;
    let (who, _) = whose(state, auth, &layout, person).await?;
    let list = ops::drafts(state, &caller(auth), auth.org(), Some(&who.person), Some("open")).await?;
    let z = viewer_zone(auth);
    let row = |d: &DraftView| DraftRow {
        to: d.to.join(", "),
        updated: when(&d.updated_at, &z),
        body: match &typed {
            Some(t) if t.draft == d.id => t.body.clone(),
            _ => d.body.clone(),
        },
        d: d.clone(),
    };
    let of = |statuses: &[&str]| -> Vec<DraftRow> {
        list.iter()
            .filter(|d| statuses.contains(&d.status.as_str()))
            .map(row)
            .collect()
    };
    let page = if who.own {
        DraftsPage {
            pending: of(&["pending"]),
            mine: of(&["draft", "failed"]),
            rejected: of(&["rejected"]),
            open: vec![],
            layout,
            who,
            errors,
        }
    } else {
        DraftsPage {
            pending: vec![],
            mine: vec![],
            rejected: vec![],
            open: list.iter().map(row).collect(),
            layout,
            who,
            errors,
        }
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn drafts(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    drafts_render(&state, &auth, named(&q.person), q.notice.as_deref(), None, vec![]).await
}

fn drafts_href(person: &str, notice: &str) -> String {
    href("/mail/drafts", &[("person", person), ("notice", notice)])
}

/// Writes a draft (a reply, a nudge, or new); the owner may send it at once.
pub async fn draft_create(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    let reply_to = trimmed(&f, "reply_to");
    let form = ReplyForm {
        template: trimmed(&f, "template"),
        to: trimmed(&f, "to"),
        subject: trimmed(&f, "subject"),
        body: super::pages::field(&f, "body").unwrap_or_default(),
    };
    let input = DraftForm {
        person: Some(person.clone()),
        reply_to: Some(reply_to.clone()),
        template: Some(form.template.clone()),
        to: vec![form.to.clone()],
        subject: Some(form.subject.clone()),
        body: Some(form.body.clone()),
        ..DraftForm::default()
    };
    let (c, org) = (caller(&auth), auth.org());
    let d = match ops::create_draft(&state, &c, org, &input).await {
        Ok(d) => d,
        Err(e) if user_error(&e) => {
            let errors = validation_errors(&e);
            return match reply_to.parse::<MailId>() {
                Ok(id) if trimmed(&f, "from") != "followups" => {
                    let r = message_render(&state, &auth, id, None, Some(form), None, errors).await?;
                    Ok(shown_at(r, &format!("/mail/{id}")))
                }
                _ => {
                    let r = followups_render(&state, &auth, Some(&person), None, errors).await?;
                    Ok(shown_at(r, &href("/mail/followups", &[("person", &person)])))
                }
            };
        }
        Err(e) => return Err(WebError(e)),
    };
    if d.status == "pending" {
        return Ok(Redirect::to(&drafts_href(&person, "draft-pending")).into_response());
    }
    if trimmed(&f, "send") != "1" {
        return Ok(Redirect::to(&drafts_href(&person, "draft-saved")).into_response());
    }
    send(&state, &auth, &person, &d.id, &DraftEdit::default()).await
}

/// Sends a draft (approving it, if an assistant wrote it); a refusal keeps it and says why.
async fn send(state: &AppState, auth: &AuthCtx, person: &str, id: &str, edit: &DraftEdit) -> WebResult {
    let draft: DraftId = parse_path_id(id, "draft")?;
    match ops::send_draft(state, &caller(auth), auth.org(), draft, edit).await {
        Ok(_) => Ok(Redirect::to(&drafts_href(person, "draft-sent")).into_response()),
        Err(e) if user_error(&e) || e.status == StatusCode::BAD_GATEWAY => {
            let typed = edit.body.clone().map(|body| Typed {
                draft: id.to_string(),
                body,
            });
            let r = drafts_render(state, auth, Some(person), None, typed, validation_errors(&e)).await?;
            Ok(shown_at(r, &drafts_href(person, "")))
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Approve & send (the owner), with the body as edited.
pub async fn draft_send(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let f = form_pairs(&body);
    let edit = DraftEdit {
        body: super::pages::field(&f, "body").filter(|b| !b.trim().is_empty()),
        ..DraftEdit::default()
    };
    send(&state, &auth, &trimmed(&f, "person"), &id, &edit).await
}

/// The owner sends an assistant's draft back, with a reason.
pub async fn draft_reject(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let draft: DraftId = parse_path_id(&id, "draft")?;
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    let edit = DraftEdit {
        note: Some(trimmed(&f, "note")),
        ..DraftEdit::default()
    };
    match ops::reject_draft(&state, &caller(&auth), auth.org(), draft, &edit).await {
        Ok(_) => Ok(Redirect::to(&drafts_href(&person, "draft-rejected")).into_response()),
        Err(e) if user_error(&e) => {
            let r = drafts_render(&state, &auth, Some(&person), None, None, validation_errors(&e)).await?;
            Ok(shown_at(r, &drafts_href(&person, "")))
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Changes a draft; an assistant's change puts it (back) in the approval queue.
pub async fn draft_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let draft: DraftId = parse_path_id(&id, "draft")?;
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    let text = super::pages::field(&f, "body").unwrap_or_default();
    let edit = DraftEdit {
        to: Some(vec![trimmed(&f, "to")]),
        subject: Some(trimmed(&f, "subject")),
        body: Some(text.clone()),
        ..DraftEdit::default()
    };
    match ops::update_draft(&state, &caller(&auth), auth.org(), draft, &edit).await {
        Ok(d) => {
            let notice = if d.status == "pending" {
                "draft-resubmitted"
            } else {
                "draft-saved"
            };
            Ok(Redirect::to(&drafts_href(&person, notice)).into_response())
        }
        Err(e) if user_error(&e) => {
            let typed = Some(Typed {
                draft: id,
                body: text,
            });
            let r = drafts_render(&state, &auth, Some(&person), None, typed, validation_errors(&e)).await?;
            Ok(shown_at(r, &drafts_href(&person, "")))
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Follow-ups
// ---------------------------------------------------------------------------

pub struct FollowUpRow {
    pub row: MailRow,
    pub days: i64,
    pub nudge_subject: String,
    pub nudge_body: String,
}

#[derive(Template)]
#[template(path = "mail_followups.html")]
struct FollowUpsPage {
    layout: Layout,
    who: Whose,
    rows: Vec<FollowUpRow>,
    errors: Vec<FieldError>,
}

async fn followups_render(
    state: &AppState,
    auth: &AuthCtx,
    person: Option<&str>,
    notice: Option<&str>,
    errors: Vec<FieldError>,
) -> WebResult {
    let layout = Layout::new(state, auth, "mail-followups", notice).await?;
    let (who, _) = whose(state, auth, &layout, person).await?;
    let z = viewer_zone(auth);
    let rows = ops::followups(state, &caller(auth), auth.org(), Some(&who.person))
        .await?
        .iter()
        .map(|f| FollowUpRow {
            row: mail_row(&f.message, &z),
            days: f.days_waiting,
            nudge_subject: f.nudge_subject.clone(),
            nudge_body: f.nudge_body.clone(),
        })
        .collect();
    let page = FollowUpsPage {
        layout,
        who,
        rows,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn followups(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    followups_render(&state, &auth, named(&q.person), q.notice.as_deref(), vec![]).await
}

/// Settles a sent message's follow-up.
pub async fn followup_settle(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: MailId = parse_path_id(&id, "message")?;
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    let form = FollowUpForm {
        days: None,
        done: Some(true),
    };
    match ops::set_followup(&state, &caller(&auth), auth.org(), id, &form).await {
        Ok(_) => Ok(Redirect::to(&href(
            "/mail/followups",
            &[("person", &person), ("notice", "followup-settled")],
        ))
        .into_response()),
        Err(e) if user_error(&e) => {
            let r = followups_render(&state, &auth, Some(&person), None, validation_errors(&e)).await?;
            Ok(shown_at(r, &href("/mail/followups", &[("person", &person)])))
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Settings: IMAP, senders, rules, templates, import
// ---------------------------------------------------------------------------

/// What was typed in the IMAP form (the password is never shown back).
#[derive(Debug, Clone, Default)]
pub struct ImapForm {
    pub host: String,
    pub port: String,
    pub tls: bool,
    pub username: String,
    pub folder: String,
    pub followup_days: String,
}

#[derive(Debug, Clone, Default)]
pub struct RuleText {
    pub field: String,
    pub value: String,
    pub category: String,
    pub office: String,
    pub org: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TemplateText {
    pub name: String,
    pub subject: String,
    pub body: String,
}

/// What a settings form leaves to show: a report, or what was typed.
#[derive(Default)]
struct Extra {
    import: Option<ImportReport>,
    sync: Option<SyncSummary>,
    imap: Option<ImapForm>,
    rule: Option<RuleText>,
    template: Option<TemplateText>,
}

pub struct SenderRow {
    pub address: String,
    pub status: &'static str,
    pub updated: String,
}

pub struct TemplateRow {
    pub id: String,
    pub name: String,
    pub subject: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "mail_settings.html")]
struct SettingsPage {
    layout: Layout,
    who: Whose,
    mb: MailboxView,
    last_sync: String,
    imap: ImapForm,
    senders: Vec<SenderRow>,
    rules: Vec<RuleView>,
    rule: RuleText,
    rule_fields: Vec<Opt>,
    rule_categories: Vec<Opt>,
    rule_office: Vec<Opt>,
    may_org: bool,
    templates: Vec<TemplateRow>,
    template: TemplateText,
    import: Option<ImportReport>,
    sync: Option<SyncSummary>,
    errors: Vec<FieldError>,
}

fn with_none(list: &[(&str, &str)], current: &str) -> Vec<Opt> {
    let mut v = vec![Opt {
        value: String::new(),
        label: "—".into(),
        selected: current.is_empty(),
    }];
    v.extend(opts(list, current));
    v
}

async fn settings_render(
    state: &AppState,
    auth: &AuthCtx,
    person: Option<&str>,
    notice: Option<&str>,
    extra: Extra,
    errors: Vec<FieldError>,
) -> WebResult {
    let layout = Layout::new(state, auth, "mail-settings", notice).await?;
    let (who, mb) = whose(state, auth, &layout, person).await?;
    let (c, org) = (caller(auth), auth.org());
    let z = viewer_zone(auth);
    let senders = ops::senders(state, &c, org, Some(&who.person))
        .await?
        .into_iter()
        .map(|s| SenderRow {
            address: s.address,
            status: s.status.as_str(),
            updated: when_text(s.updated_at, &z),
        })
        .collect();
    let rules = ops::rules(state, &c, org, Some(&who.person)).await?;
    let templates = or_empty_if_forbidden(ops::templates(state, &c, org).await)?
        .into_iter()
        .map(|t| TemplateRow {
            id: t.id.to_string(),
            name: t.name,
            subject: t.subject,
            body: t.body,
        })
        .collect();
    let imap = extra.imap.unwrap_or_else(|| ImapForm {
        host: mb.imap_host.clone().unwrap_or_default(),
        port: mb.imap_port.map(|p| p.to_string()).unwrap_or_default(),
        tls: mb.imap_tls.unwrap_or(true),
        username: mb.imap_username.clone().unwrap_or_default(),
        folder: mb.imap_folder.clone().unwrap_or_else(|| "INBOX".into()),
        followup_days: mb.followup_days.to_string(),
    });
    let rule = extra.rule.unwrap_or_default();
    let page = SettingsPage {
        last_sync: mb
            .last_sync_at
            .as_deref()
            .map(|s| when(s, &z))
            .unwrap_or_default(),
        rule_fields: opts(&RULE_FIELDS, &rule.field),
        rule_categories: with_none(&CATEGORIES, &rule.category),
        rule_office: with_none(&OFFICE, &rule.office),
        may_org: c.may(org, Capability::ManageMailRules).is_ok(),
        rule,
        layout,
        who,
        mb,
        imap,
        senders,
        rules,
        templates,
        template: extra.template.unwrap_or_default(),
        import: extra.import,
        sync: extra.sync,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn settings(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    settings_render(
        &state,
        &auth,
        named(&q.person),
        q.notice.as_deref(),
        Extra::default(),
        vec![],
    )
    .await
}

fn settings_href(person: &str, notice: &str) -> String {
    href("/mail/settings", &[("person", person), ("notice", notice)])
}

/// A refused settings form: the page again, with what was typed and the fault named.
async fn settings_refused(
    state: &AppState,
    auth: &AuthCtx,
    person: &str,
    extra: Extra,
    errors: Vec<FieldError>,
) -> WebResult {
    let r = settings_render(state, auth, Some(person), None, extra, errors).await?;
    Ok(shown_at(r, &settings_href(person, "")))
}

/// Saves the IMAP server and follow-up delay (the owner only).
pub async fn settings_save(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    let text = ImapForm {
        host: trimmed(&f, "imap_host"),
        port: trimmed(&f, "imap_port"),
        tls: trimmed(&f, "imap_tls") == "on",
        username: trimmed(&f, "imap_username"),
        folder: trimmed(&f, "imap_folder"),
        followup_days: trimmed(&f, "followup_days"),
    };
    let mut errors = Vec::new();
    let port = match text.port.as_str() {
        "" => None,
        p => match p.parse::<u16>() {
            Ok(p) if p > 0 => Some(p),
            _ => {
                errors.push(one_error("imap_port", format!("`{p}` is not a port (1–65535)")));
                None
            }
        },
    };
    let days = match text.followup_days.as_str() {
        "" => None,
        d => match d.parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(one_error(
                    "followup_days",
                    format!("`{d}` is not a number of days"),
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        let extra = Extra {
            imap: Some(text),
            ..Extra::default()
        };
        return settings_refused(&state, &auth, &person, extra, errors).await;
    }
    let form = MailboxForm {
        person: Some(person.clone()),
        imap_host: Some(text.host.clone()),
        imap_port: port,
        imap_tls: Some(text.tls),
        imap_username: Some(text.username.clone()),
        imap_password: super::pages::field(&f, "imap_password"),
        imap_folder: Some(text.folder.clone()),
        followup_days: days,
    };
    match ops::configure(&state, &caller(&auth), auth.org(), &form).await {
        Ok(_) => Ok(Redirect::to(&settings_href(&person, "mailbox-saved")).into_response()),
        Err(e) if user_error(&e) => {
            let extra = Extra {
                imap: Some(text),
                ..Extra::default()
            };
            settings_refused(&state, &auth, &person, extra, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Syncs now and shows what the sync did.
pub async fn sync(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    match ops::sync(&state, &caller(&auth), auth.org(), Some(&person)).await {
        Ok(s) => {
            let errors = s
                .error
                .clone()
                .map(|e| vec![one_error("sync", e)])
                .unwrap_or_default();
            let extra = Extra {
                sync: Some(s),
                ..Extra::default()
            };
            settings_refused(&state, &auth, &person, extra, errors).await
        }
        Err(e) if user_error(&e) || e.status == StatusCode::BAD_GATEWAY => {
            settings_refused(&state, &auth, &person, Extra::default(), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Imports an uploaded `.eml` or mbox file and shows the report.
pub async fn import(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    mut multipart: Multipart,
) -> WebResult {
    let limit = format!(
        "a file may be at most {} MiB here; import larger archives with `adjutant mail import`",
        crate::api::mail::IMPORT_BODY_LIMIT / (1024 * 1024)
    );
    let (fields, file) = match read_upload(&mut multipart, &limit).await {
        Ok(u) => u,
        Err(e) => return settings_refused(&state, &auth, "", Extra::default(), vec![e]).await,
    };
    let person = trimmed(&fields, "person");
    let Some((name, bytes)) = file else {
        return settings_refused(
            &state,
            &auth,
            &person,
            Extra::default(),
            vec![one_error("file", "choose an .eml or mbox file to import")],
        )
        .await;
    };
    let name = if name.is_empty() {
        "upload".to_string()
    } else {
        name
    };
    match ops::import(&state, &caller(&auth), auth.org(), Some(&person), &name, &bytes).await {
        Ok(report) => {
            let extra = Extra {
                import: Some(report),
                ..Extra::default()
            };
            settings_refused(&state, &auth, &person, extra, vec![]).await
        }
        Err(e) if user_error(&e) => {
            settings_refused(&state, &auth, &person, Extra::default(), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Adds a screening rule for the mailbox, or for the organisation.
pub async fn rule_add(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    let text = RuleText {
        field: trimmed(&f, "field"),
        value: trimmed(&f, "value"),
        category: trimmed(&f, "category"),
        office: trimmed(&f, "office"),
        org: trimmed(&f, "org") == "on",
    };
    let form = RuleForm {
        person: Some(if text.org { "org".into() } else { person.clone() }),
        field: text.field.clone(),
        value: text.value.clone(),
        category: Some(text.category.clone()),
        office: Some(text.office.clone()),
    };
    match ops::add_rule(&state, &caller(&auth), auth.org(), &form).await {
        Ok(_) => Ok(Redirect::to(&settings_href(&person, "mail-rule-added")).into_response()),
        Err(e) if user_error(&e) => {
            let extra = Extra {
                rule: Some(text),
                ..Extra::default()
            };
            settings_refused(&state, &auth, &person, extra, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn rule_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: MailRuleId = parse_path_id(&id, "rule")?;
    let person = trimmed(&form_pairs(&body), "person");
    match ops::delete_rule(&state, &caller(&auth), auth.org(), id).await {
        Ok(()) => Ok(Redirect::to(&settings_href(&person, "mail-rule-deleted")).into_response()),
        Err(e) if user_error(&e) => {
            settings_refused(&state, &auth, &person, Extra::default(), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Adds or replaces a reply template (by name).
pub async fn template_put(State(state): State<AppState>, WebAuth(auth): WebAuth, body: Bytes) -> WebResult {
    let f = form_pairs(&body);
    let person = trimmed(&f, "person");
    let text = TemplateText {
        name: trimmed(&f, "name"),
        subject: trimmed(&f, "subject"),
        body: super::pages::field(&f, "body").unwrap_or_default(),
    };
    let form = TemplateForm {
        name: text.name.clone(),
        subject: text.subject.clone(),
        body: text.body.clone(),
    };
    match ops::put_template(&state, &caller(&auth), auth.org(), &form).await {
        Ok(_) => Ok(Redirect::to(&settings_href(&person, "template-saved")).into_response()),
        Err(e) if user_error(&e) => {
            let extra = Extra {
                template: Some(text),
                ..Extra::default()
            };
            settings_refused(&state, &auth, &person, extra, validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

pub async fn template_delete(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: TemplateId = parse_path_id(&id, "template")?;
    let person = trimmed(&form_pairs(&body), "person");
    match ops::delete_template(&state, &caller(&auth), auth.org(), id).await {
        Ok(()) => Ok(Redirect::to(&settings_href(&person, "template-deleted")).into_response()),
        Err(e) if user_error(&e) => {
            settings_refused(&state, &auth, &person, Extra::default(), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------

pub struct ContactRow {
    pub c: ContactView,
    pub emails: String,
    pub last_in: String,
    pub last_out: String,
    pub last_met: String,
    pub next_meeting: String,
}

fn contact_row(c: &ContactView, z: &Zone) -> ContactRow {
    ContactRow {
        emails: c.emails.join(", "),
        last_in: day(c.last_in_at.as_deref(), z),
        last_out: day(c.last_out_at.as_deref(), z),
        last_met: day(c.last_met_at.as_deref(), z),
        next_meeting: day(c.next_meeting_at.as_deref(), z),
        c: c.clone(),
    }
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    layout: Layout,
    who: Whose,
    due: bool,
    rows: Vec<ContactRow>,
    imported: Option<(usize, usize)>,
    errors: Vec<FieldError>,
}

async fn contacts_render(
    state: &AppState,
    auth: &AuthCtx,
    person: Option<&str>,
    due: bool,
    notice: Option<&str>,
    imported: Option<(usize, usize)>,
    errors: Vec<FieldError>,
) -> WebResult {
    let layout = Layout::new(state, auth, "contacts", notice).await?;
    let (who, _) = whose(state, auth, &layout, person).await?;
    let (c, org) = (caller(auth), auth.org());
    let list = if due {
        ops::contacts_due(state, &c, org, Some(&who.person)).await?
    } else {
        ops::contacts(state, &c, org, Some(&who.person)).await?
    };
    let z = viewer_zone(auth);
    let page = ContactsPage {
        layout,
        who,
        due,
        rows: list.iter().map(|c| contact_row(c, &z)).collect(),
        imported,
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn contacts(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Query(q): Query<PersonQuery>,
) -> WebResult {
    let due = named(&q.due).is_some();
    contacts_render(
        &state,
        &auth,
        named(&q.person),
        due,
        q.notice.as_deref(),
        None,
        vec![],
    )
    .await
}

/// Imports a `.vcf` file into the contacts and says what it did.
pub async fn contacts_import(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    mut multipart: Multipart,
) -> WebResult {
    let limit = format!(
        "a vCard file may be at most {} MiB",
        VCARD_FORM_LIMIT / (1024 * 1024)
    );
    let (fields, file) = match read_upload(&mut multipart, &limit).await {
        Ok(u) => u,
        Err(e) => return contacts_render(&state, &auth, None, false, None, None, vec![e]).await,
    };
    let person = trimmed(&fields, "person");
    let back = href("/contacts", &[("person", &person)]);
    let refused = |errors: Vec<FieldError>| {
        let (state, auth, person, back) = (&state, &auth, &person, &back);
        async move {
            let r = contacts_render(state, auth, Some(person), false, None, None, errors).await?;
            Ok::<Response, WebError>(shown_at(r, back))
        }
    };
    let Some((_, bytes)) = file else {
        return refused(vec![one_error("file", "choose a .vcf file to import")]).await;
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return refused(vec![one_error("file", "a vCard file must be UTF-8 text")]).await;
    };
    match ops::import_vcards(&state, &caller(&auth), auth.org(), Some(&person), text).await {
        Ok(r) => {
            let page = contacts_render(
                &state,
                &auth,
                Some(&person),
                false,
                None,
                Some((r.created, r.updated)),
                vec![],
            )
            .await?;
            Ok(shown_at(page, &back))
        }
        Err(e) if user_error(&e) => refused(validation_errors(&e)).await,
        Err(e) => Err(WebError(e)),
    }
}

/// What was typed in a contact's form.
#[derive(Debug, Clone, Default)]
pub struct ContactText {
    pub name: String,
    pub organization: String,
    pub title: String,
    pub phones: String,
    pub notes: String,
    pub cadence_days: String,
    pub stakeholder: bool,
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    layout: Layout,
    row: ContactRow,
    form: ContactText,
    others: Vec<Opt>,
    messages: Vec<MailRow>,
    errors: Vec<FieldError>,
}

async fn contact_render(
    state: &AppState,
    auth: &AuthCtx,
    id: ContactId,
    notice: Option<&str>,
    form: Option<ContactText>,
    errors: Vec<FieldError>,
) -> WebResult {
    let (c, org) = (caller(auth), auth.org());
    let d = ops::get_contact(state, &c, org, id).await?;
    let others = ops::contacts(state, &c, org, Some(&d.contact.owner))
        .await?
        .into_iter()
        .filter(|o| o.id != d.contact.id)
        .map(|o| Opt {
            label: if o.emails.is_empty() {
                o.name.clone()
            } else {
                format!("{} ({})", o.name, o.emails.join(", "))
            },
            value: o.id,
            selected: false,
        })
        .collect();
    let z = viewer_zone(auth);
    let form = form.unwrap_or_else(|| ContactText {
        name: d.contact.name.clone(),
        organization: d.contact.organization.clone(),
        title: d.contact.title.clone(),
        phones: d.contact.phones.join("\n"),
        notes: d.contact.notes.clone(),
        cadence_days: d.contact.cadence_days.map(|n| n.to_string()).unwrap_or_default(),
        stakeholder: d.contact.stakeholder,
    });
    let page = ContactPage {
        layout: Layout::new(state, auth, "contacts", notice).await?,
        row: contact_row(&d.contact, &z),
        form,
        others,
        messages: d.messages.iter().map(|m| mail_row(m, &z)).collect(),
        errors,
    };
    Ok(render_status(status_for(&page.errors), &page))
}

pub async fn contact_page(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> WebResult {
    let id: ContactId = parse_path_id(&id, "contact")?;
    contact_render(&state, &auth, id, q.notice.as_deref(), None, vec![]).await
}

pub async fn contact_update(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: ContactId = parse_path_id(&id, "contact")?;
    let f = form_pairs(&body);
    let text = ContactText {
        name: trimmed(&f, "name"),
        organization: trimmed(&f, "organization"),
        title: trimmed(&f, "title"),
        phones: trimmed(&f, "phones"),
        notes: super::pages::field(&f, "notes").unwrap_or_default(),
        cadence_days: trimmed(&f, "cadence_days"),
        stakeholder: trimmed(&f, "stakeholder") == "on",
    };
    let cadence = match text.cadence_days.as_str() {
        "" => Some(0),
        d => match d.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                let e = one_error("cadence_days", format!("`{d}` is not a number of days"));
                return contact_render(&state, &auth, id, None, Some(text), vec![e]).await;
            }
        },
    };
    let form = ContactForm {
        name: Some(text.name.clone()),
        organization: Some(text.organization.clone()),
        title: Some(text.title.clone()),
        phones: Some(
            text.phones
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        ),
        notes: Some(text.notes.clone()),
        cadence_days: cadence,
        stakeholder: Some(text.stakeholder),
    };
    match ops::update_contact(&state, &caller(&auth), auth.org(), id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}?notice=contact-saved")).into_response()),
        Err(e) if user_error(&e) => {
            contact_render(&state, &auth, id, None, Some(text), validation_errors(&e)).await
        }
        Err(e) => Err(WebError(e)),
    }
}

/// Merges another contact into this one.
pub async fn contact_merge(
    State(state): State<AppState>,
    WebAuth(auth): WebAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> WebResult {
    let id: ContactId = parse_path_id(&id, "contact")?;
    let f = form_pairs(&body);
    match ops::merge_contacts(&state, &caller(&auth), auth.org(), id, &trimmed(&f, "from")).await {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}?notice=contacts-merged")).into_response()),
        Err(e) if user_error(&e) => {
            let r = contact_render(&state, &auth, id, None, None, validation_errors(&e)).await?;
            Ok(shown_at(r, &format!("/contacts/{id}")))
        }
        Err(e) => Err(WebError(e)),
    }
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

/// The mail pages' keys; every action also has a plain form on the page.
/// Served from our own origin (the pages' policy allows no inline script).
pub const KEYS_JS: &str = r#"/* Adjutant mail keys: j/k move, Enter or o open, e archive, r reply,
   s snooze date, 1-7 set the category, ? help. Each submits the same form a
   click would, so the pages work without this file; in the list, archiving
   and filing happen in place. */
(function () {
  'use strict';
  if (window.adjutantMailKeys) { return; }
  window.adjutantMailKeys = true;
  var KEY = 'adjutant.selectedMail';
  var CATS = { '1': 'act', '2': 'reply', '3': 'waiting', '4': 'read', '5': 'fyi', '6': 'newsletter', '7': 'suspect' };

  function rows() {
    var list = document.querySelector('[data-mail-list]');
    return list ? Array.prototype.slice.call(list.querySelectorAll('tr[data-mail]')) : [];
  }
  function selected() { return document.querySelector('tr[data-mail][aria-selected="true"]'); }
  function remember(id) { try { sessionStorage.setItem(KEY, id); } catch (e) { /* storage off */ } }
  function remembered() { try { return sessionStorage.getItem(KEY); } catch (e) { return null; } }
  function say(text) { var l = document.getElementById('mail-live'); if (l) { l.textContent = text; } }

  function select(row) {
    rows().forEach(function (r) { r.setAttribute('aria-selected', 'false'); r.classList.remove('selected'); });
    if (!row) { return; }
    row.setAttribute('aria-selected', 'true');
    row.classList.add('selected');
    remember(row.getAttribute('data-mail'));
    if (row.scrollIntoView) { row.scrollIntoView({ block: 'nearest' }); }
    var s = row.querySelector('.subject');
    say('Selected: ' + (s ? s.textContent : ''));
  }

  function restore() {
    var id = remembered();
    if (!id) { return; }
    var row = rows().filter(function (r) { return r.getAttribute('data-mail') === id; })[0];
    if (row) { select(row); }
  }

  function typing(t) {
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName));
  }

  function submit(form) {
    if (!form) { return; }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  function notice(text) {
    var main = document.getElementById('main');
    if (!main) { return; }
    var n = main.querySelector('.notice');
    if (!n) {
      n = document.createElement('div');
      n.className = 'notice';
      n.setAttribute('role', 'status');
      main.insertBefore(n, main.firstChild);
    }
    n.textContent = text;
  }

  /* Posts a row's form without leaving the page; `done` updates the list. Any
     answer but 204 (a refusal, a signed-out session) falls back to the
     ordinary post, which shows the page the server gives. */
  function inline(form, done) {
    if (!window.fetch || !window.FormData || !window.URLSearchParams) { form.submit(); return; }
    /* getAttribute: the archive form has a field named `action`, which hides the property. */
    fetch(form.getAttribute('action'), {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { 'X-Adjutant-Inline': '1' },
      credentials: 'same-origin'
    }).then(function (r) {
      if (r.status === 204) { done(); } else { form.submit(); }
    }, function () { form.submit(); });
  }

  /* Takes a row out of the list, selecting the one after it (or before). */
  function drop(row) {
    var list = rows();
    var i = list.indexOf(row);
    var next = list[i + 1] || list[i - 1] || null;
    row.parentNode.removeChild(row);
    if (next) { select(next); }
  }

  /* Archive, back to the inbox, and category forms of a row of the list. */
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var row = form && form.closest && form.closest('[data-mail-list] tr[data-mail]');
    if (!row) { return; }
    if (form.classList.contains('mail-archive')) {
      ev.preventDefault();
      var back = form.querySelector('input[name=action]').value === 'inbox';
      inline(form, function () {
        drop(row);
        notice(back ? 'Message back in the inbox.' : 'Message archived.');
        say(back ? 'Back in the inbox' : 'Archived');
      });
    } else if (form.classList.contains('mail-category')) {
      ev.preventDefault();
      var cat = form.querySelector('select[name=category]').value;
      var filter = form.querySelector('input[name=filter]');
      inline(form, function () {
        var badge = row.querySelector('.badge.category');
        if (badge) { badge.textContent = cat; badge.className = 'badge category cat-' + cat; }
        notice('Category set; mail like it will follow.');
        say('Filed under ' + cat);
        if (filter && filter.value && filter.value !== cat) { drop(row); }
      });
    }
  });

  /* The row selected, or the message shown on its own page. */
  function scope() {
    return selected() || document.querySelector('[data-mail-message]');
  }

  function setCategory(where, cat) {
    var form = where && where.querySelector('form.mail-category');
    if (!form) { return; }
    form.querySelector('select[name=category]').value = cat;
    say('Filing under ' + cat);
    submit(form);
  }

  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (typing(ev.target)) {
      if (ev.key === 'Escape' && ev.target.blur) { ev.target.blur(); }
      return;
    }
    var k = ev.key;
    var help = document.getElementById('mail-keys');
    if (k === '?' && help) {
      help.hidden = !help.hidden;
      ev.preventDefault();
      return;
    }
    var list = rows();
    var page = document.querySelector('[data-mail-message]');
    if (!list.length && !page) { return; }
    var cur = selected();
    var i = cur ? list.indexOf(cur) : -1;
    var where = scope();
    if (k === 'j' && list.length) {
      select(list[Math.min(i + 1, list.length - 1)]);
    } else if (k === 'k' && list.length) {
      select(list[Math.max(i - 1, 0)]);
    } else if ((k === 'Enter' || k === 'o') && cur) {
      var a = cur.querySelector('a.mail-open');
      if (a) { window.location.href = a.href; }
    } else if (k === 'e' && where) {
      submit(where.querySelector('form.mail-archive'));
    } else if (k === 'r' && where) {
      if (page && !cur) {
        var body = document.getElementById('reply-body');
        if (body) { body.focus(); }
      } else {
        var o = cur.querySelector('a.mail-open');
        if (o) { window.location.href = o.href + '#reply'; }
      }
    } else if (k === 's' && where) {
      var d = where.querySelector('input[name=until]');
      if (d) { d.focus(); }
    } else if (CATS[k] && where) {
      setCategory(where, CATS[k]);
    } else {
      return;
    }
    ev.preventDefault();
  });

  function ready() {
    restore();
    if (window.location.hash === '#reply') {
      var body = document.getElementById('reply-body');
      if (body) { body.focus(); }
    }
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', ready); } else { ready(); }
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_links_leave_out_the_default_view_and_empty_filters() {
        assert_eq!(list_href("p1", "inbox", "", ""), "/mail?person=p1");
        assert_eq!(
            list_href("p1", "archived", "newsletter", "mail-archived"),
            "/mail?person=p1&view=archived&category=newsletter&notice=mail-archived"
        );
    }

    #[test]
    fn a_form_cannot_send_the_browser_elsewhere() {
        let f = vec![
            ("person".to_string(), "p1".to_string()),
            ("view".to_string(), "//evil.example".to_string()),
            ("filter".to_string(), "reply".to_string()),
        ];
        let back = Back::of(&f);
        assert_eq!(back.view, "");
        assert_eq!(back.filter, "reply");
        let id = MailId::from(uuid::Uuid::nil());
        assert!(
            back.to(id, "category-set")
                .starts_with("/mail?person=p1&category=reply")
        );
    }

    #[test]
    fn keys_match_the_categories_in_order() {
        for (i, (c, _)) in CATEGORIES.iter().enumerate() {
            assert!(KEYS_JS.contains(&format!("'{}': '{c}'", i + 1)), "{c}");
        }
    }
}
