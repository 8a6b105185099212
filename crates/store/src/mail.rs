//! Mail: mailboxes, messages with their triage, screened senders, rules, the
//! classifiers learned from corrections, templates and drafts.
//!
//! A message is stored once per mailbox (by its `Message-ID`, or the digest of
//! its bytes when it has none), so importing a file twice or re-syncing after a
//! UIDVALIDITY change never duplicates it. Storing a message also, in the same
//! transaction: threads it (by `In-Reply-To` / `References`), settles the
//! follow-ups it answers, wakes messages snoozed until a reply, accepts the
//! people the owner writes to, and keeps the owner's contacts in step.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::{from_micros, json, new_uuid, parse_id, to_micros};
use adjutant_core::ValidationError;
use adjutant_core::ids::{
    ContactId, DraftId, EventId, InvoiceId, MailId, MailRuleId, MailboxId, OrgId, PersonId, TemplateId,
};
use adjutant_core::mail::screen::{MailRule, OfficeWork, RuleAction, RuleField, SenderStatus};
use adjutant_core::mail::triage::{Category, Reason, Triage};
use adjutant_core::office::invoice::InvoiceData;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;

/// A name and an address, as kept with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailAddress {
    pub name: Option<String>,
    pub email: String,
}

/// An attachment's metadata, as kept with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailAttachment {
    pub index: usize,
    pub filename: String,
    pub content_type: String,
    pub size: usize,
}

/// A person's mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailboxRecord {
    pub id: MailboxId,
    pub org: OrgId,
    pub person: PersonId,
    pub person_name: String,
    pub address: String,
    pub imap: Option<ImapSettings>,
    pub uidvalidity: Option<u32>,
    pub last_sync_at: Option<Timestamp>,
    pub last_sync_error: String,
    pub followup_days: u32,
}

/// A mailbox's IMAP server; the password stays sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub username: String,
    #[serde(skip)]
    pub sealed_password: String,
    pub folder: String,
}

/// A stored message (without its raw bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailRecord {
    pub id: MailId,
    pub org: OrgId,
    pub mailbox: MailboxId,
    pub thread: String,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub imap_uid: Option<u32>,
    pub flags: Vec<String>,
    /// `in` or `out`.
    pub direction: String,
    pub from: MailAddress,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub recipient_count: i64,
    pub subject: String,
    pub sent_at: Timestamp,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<MailAttachment>,
    pub warnings: Vec<String>,
    pub size: i64,
    pub category: Category,
    pub priority: u8,
    pub reasons: Vec<Reason>,
    pub office: Option<OfficeWork>,
    /// The invoice this message was recorded as.
    pub invoice: Option<InvoiceId>,
    pub corrected: bool,
    pub archived: bool,
    pub snoozed_until: Option<Timestamp>,
    pub snooze_until_reply: bool,
    pub followup_days: Option<u32>,
    pub followup_done: bool,
    /// What the owner decided about the sender (`unknown`: it waits in screening).
    pub sender_status: SenderStatus,
}

/// A message to store, parsed and triaged.
#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub message_id: Option<&'a str>,
    pub in_reply_to: Option<&'a str>,
    pub references: &'a [String],
    pub imap_uid: Option<u32>,
    pub flags: &'a [String],
    pub outgoing: bool,
    pub from: MailAddress,
    pub to: &'a [MailAddress],
    pub cc: &'a [MailAddress],
    pub recipient_count: usize,
    pub subject: &'a str,
    pub sent_at: Timestamp,
    pub text: &'a str,
    pub html: Option<&'a str>,
    pub attachments: &'a [MailAttachment],
    pub warnings: &'a [String],
    pub raw: &'a [u8],
    /// SHA-256 of `raw`, hex.
    pub sha256: &'a str,
    pub triage: &'a Triage,
    /// Create contacts for the people in it (not for newsletters and suspect mail).
    pub makes_contacts: bool,
}

/// What storing a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New(MailId),
    /// Already stored (by Message-ID or content); its UID and flags were updated if given.
    Duplicate(MailId),
}

/// Which messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailView {
    /// Received, not archived, not snoozed, sender not unknown or blocked.
    #[default]
    Inbox,
    /// From senders never seen before, waiting to be accepted.
    Screening,
    Snoozed,
    Archived,
    Sent,
    /// Every message, whatever its state (a thread, a lookup by id).
    All,
}

/// A list request.
#[derive(Debug, Clone, Default)]
pub struct MailFilter {
    pub view: MailView,
    pub category: Option<Category>,
    pub office: Option<OfficeWork>,
    pub thread: Option<String>,
    pub limit: i64,
}

/// A sender the owner screened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SenderRecord {
    pub address: String,
    pub status: SenderStatus,
    pub updated_at: Timestamp,
}

/// A stored screening rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRecord {
    pub id: MailRuleId,
    /// None: the organisation's rule.
    pub mailbox: Option<MailboxId>,
    pub rule: MailRule,
    pub description: String,
}

/// A learned classifier as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRecord {
    pub scope: String,
    pub model: String,
    pub examples: i64,
}

/// A reply template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateRecord {
    pub id: TemplateId,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub updated_at: Timestamp,
}

/// A draft's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftStatus {
    /// Being written.
    Draft,
    /// Written by an assistant, waiting for the principal's approval.
    Pending,
    Rejected,
    Sent,
    /// The relay refused it; it can be sent again.
    Failed,
}

impl DraftStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DraftStatus::Draft => "draft",
            DraftStatus::Pending => "pending",
            DraftStatus::Rejected => "rejected",
            DraftStatus::Sent => "sent",
            DraftStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "draft" => DraftStatus::Draft,
            "pending" => DraftStatus::Pending,
            "rejected" => DraftStatus::Rejected,
            "sent" => DraftStatus::Sent,
            "failed" => DraftStatus::Failed,
            other => return Err(StoreError::Corrupt(format!("stored draft status `{other}`"))),
        })
    }
}

/// A draft's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftContent {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// A stored draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftRecord {
    pub id: DraftId,
    pub org: OrgId,
    pub mailbox: MailboxId,
    /// Whose name it goes out in.
    pub owner: PersonId,
    pub owner_name: String,
    pub author: Option<PersonId>,
    pub author_label: String,
    pub reply_to: Option<MailId>,
    pub event: Option<EventId>,
    pub content: DraftContent,
    pub status: DraftStatus,
    pub decided_label: String,
    pub decision_note: String,
    pub sent_message: Option<MailId>,
    pub error: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A contact with what is known of the relationship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactRecord {
    pub id: ContactId,
    pub owner: PersonId,
    pub name: String,
    pub emails: Vec<String>,
    pub organization: String,
    pub title: String,
    pub phones: Vec<String>,
    pub notes: String,
    pub cadence_days: Option<u32>,
    pub stakeholder: bool,
    pub last_in_at: Option<Timestamp>,
    pub last_out_at: Option<Timestamp>,
    pub last_met_at: Option<Timestamp>,
    pub next_meeting_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// Changes to a contact; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub phones: Option<Vec<String>>,
    pub notes: Option<String>,
    pub cadence_days: Option<Option<u32>>,
    pub stakeholder: Option<bool>,
}

/// A contact to create or fill in (vCard import).
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub name: String,
    pub emails: Vec<String>,
    pub organization: String,
    pub title: String,
    pub phones: Vec<String>,
    pub notes: String,
}

fn corrupt(what: &str) -> impl FnOnce(serde_json::Error) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}

fn category_of(s: &str) -> Result<Category, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("stored category `{s}`")))
}

fn opt_ts(v: Option<i64>) -> Option<Timestamp> {
    v.map(from_micros)
}

fn u32_of(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

const MAILBOX_SELECT: &str = "SELECT m.*, p.name AS person_name FROM mailboxes m
    JOIN persons p ON p.id = m.person_id WHERE m.org_id = $1";

macro_rules! mailbox_row {
    ($r:expr) => {{
        let r = $r;
        let host: Option<String> = r.try_get("imap_host")?;
        let imap = match host {
            Some(host) => Some(ImapSettings {
                host,
                port: u16::try_from(r.try_get::<Option<i64>, _>("imap_port")?.unwrap_or(993)).unwrap_or(993),
                tls: r.try_get("imap_tls")?,
                username: r
                    .try_get::<Option<String>, _>("imap_username")?
                    .unwrap_or_default(),
                sealed_password: r
                    .try_get::<Option<String>, _>("imap_password")?
                    .unwrap_or_default(),
                folder: r.try_get("imap_folder")?,
            }),
            None => None,
        };
        MailboxRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            person: parse_id(&r.try_get::<String, _>("person_id")?)?,
            person_name: r.try_get("person_name")?,
            address: r.try_get("address")?,
            imap,
            uidvalidity: r.try_get::<Option<i64>, _>("uidvalidity")?.map(u32_of),
            last_sync_at: opt_ts(r.try_get("last_sync_at")?),
            last_sync_error: r.try_get("last_sync_error")?,
            followup_days: u32_of(r.try_get("followup_days")?),
        }
    }};
}

const MAIL_COLUMNS: &str = "x.org_id, x.id, x.mailbox_id, x.thread_id, x.message_id, x.in_reply_to, x.refs,
    x.imap_uid, x.flags, x.direction, x.from_addr, x.from_name, x.to_addrs, x.cc_addrs, x.recipient_count,
    x.subject, x.sent_at, x.text_body, x.html_body, x.attachments, x.warnings, x.size, x.category, x.priority,
    x.reasons, x.office, x.corrected, x.archived, x.snoozed_until, x.snooze_until_reply, x.followup_days,
    x.followup_done, x.invoice_id, s.status AS sender_status";

macro_rules! mail_row {
    ($r:expr) => {{
        let r = $r;
        let office: Option<String> = r.try_get("office")?;
        let sender: Option<String> = r.try_get("sender_status")?;
        let from_name: String = r.try_get("from_name")?;
        MailRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            mailbox: parse_id(&r.try_get::<String, _>("mailbox_id")?)?,
            thread: r.try_get("thread_id")?,
            message_id: r.try_get("message_id")?,
            in_reply_to: r.try_get("in_reply_to")?,
            references: serde_json::from_str(&r.try_get::<String, _>("refs")?)
                .map_err(corrupt("references"))?,
            imap_uid: r.try_get::<Option<i64>, _>("imap_uid")?.map(u32_of),
            flags: serde_json::from_str(&r.try_get::<String, _>("flags")?).map_err(corrupt("flags"))?,
            direction: r.try_get("direction")?,
            from: MailAddress {
                name: (!from_name.is_empty()).then_some(from_name),
                email: r.try_get("from_addr")?,
            },
            to: serde_json::from_str(&r.try_get::<String, _>("to_addrs")?).map_err(corrupt("recipients"))?,
            cc: serde_json::from_str(&r.try_get::<String, _>("cc_addrs")?).map_err(corrupt("recipients"))?,
            recipient_count: r.try_get("recipient_count")?,
            subject: r.try_get("subject")?,
            sent_at: from_micros(r.try_get("sent_at")?),
            text: r.try_get("text_body")?,
            html: r.try_get("html_body")?,
            attachments: serde_json::from_str(&r.try_get::<String, _>("attachments")?)
                .map_err(corrupt("attachments"))?,
            warnings: serde_json::from_str(&r.try_get::<String, _>("warnings")?)
                .map_err(corrupt("warnings"))?,
            size: r.try_get("size")?,
            category: category_of(&r.try_get::<String, _>("category")?)?,
            priority: u8::try_from(r.try_get::<i64, _>("priority")?.clamp(0, 100)).unwrap_or(0),
            reasons: serde_json::from_str(&r.try_get::<String, _>("reasons")?).map_err(corrupt("reasons"))?,
            office: office
                .as_deref()
                .map(|o| o.parse::<OfficeWork>())
                .transpose()
                .map_err(|_| StoreError::Corrupt("stored office mark".into()))?,
            invoice: r
                .try_get::<Option<String>, _>("invoice_id")?
                .map(|i| parse_id(&i))
                .transpose()?,
            corrected: r.try_get("corrected")?,
            archived: r.try_get("archived")?,
            snoozed_until: opt_ts(r.try_get("snoozed_until")?),
            snooze_until_reply: r.try_get("snooze_until_reply")?,
            followup_days: r.try_get::<Option<i64>, _>("followup_days")?.map(u32_of),
            followup_done: r.try_get("followup_done")?,
            sender_status: match sender.as_deref() {
                Some(s) => s
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("stored sender status `{s}`")))?,
                None => SenderStatus::Unknown,
            },
        }
    }};
}

fn mail_select(extra: &str) -> String {
    format!(
        "SELECT {MAIL_COLUMNS} FROM mail_messages x
         LEFT JOIN mail_senders s ON s.mailbox_id = x.mailbox_id AND s.address = x.from_addr
         WHERE x.org_id = $1 {extra}"
    )
}

macro_rules! draft_row {
    ($r:expr) => {{
        let r = $r;
        let author: Option<String> = r.try_get("author_id")?;
        let reply: Option<String> = r.try_get("reply_to_id")?;
        let event: Option<String> = r.try_get("event_id")?;
        let sent: Option<String> = r.try_get("sent_message_id")?;
        DraftRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            mailbox: parse_id(&r.try_get::<String, _>("mailbox_id")?)?,
            owner: parse_id(&r.try_get::<String, _>("owner_id")?)?,
            owner_name: r.try_get("owner_name")?,
            author: author.as_deref().map(parse_id).transpose()?,
            author_label: r.try_get("author_label")?,
            reply_to: reply.as_deref().map(parse_id).transpose()?,
            event: event.as_deref().map(parse_id).transpose()?,
            content: DraftContent {
                to: serde_json::from_str(&r.try_get::<String, _>("to_addrs")?)
                    .map_err(corrupt("recipients"))?,
                cc: serde_json::from_str(&r.try_get::<String, _>("cc_addrs")?)
                    .map_err(corrupt("recipients"))?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
            },
            status: DraftStatus::parse(&r.try_get::<String, _>("status")?)?,
            decided_label: r.try_get("decided_label")?,
            decision_note: r.try_get("decision_note")?,
            sent_message: sent.as_deref().map(parse_id).transpose()?,
            error: r.try_get("error")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

const DRAFT_SELECT: &str = "SELECT d.*, m.person_id AS owner_id, p.name AS owner_name FROM mail_drafts d
    JOIN mailboxes m ON m.id = d.mailbox_id JOIN persons p ON p.id = m.person_id WHERE d.org_id = $1";

macro_rules! contact_row {
    ($r:expr, $emails:expr) => {{
        let r = $r;
        let id: ContactId = parse_id(&r.try_get::<String, _>("id")?)?;
        ContactRecord {
            id,
            owner: parse_id(&r.try_get::<String, _>("owner_id")?)?,
            name: r.try_get("name")?,
            emails: $emails.remove(&id).unwrap_or_default(),
            organization: r.try_get("organization")?,
            title: r.try_get("title")?,
            phones: serde_json::from_str(&r.try_get::<String, _>("phones")?).map_err(corrupt("phones"))?,
            notes: r.try_get("notes")?,
            cadence_days: r.try_get::<Option<i64>, _>("cadence_days")?.map(u32_of),
            stakeholder: r.try_get("stakeholder")?,
            last_in_at: opt_ts(r.try_get("last_in_at")?),
            last_out_at: opt_ts(r.try_get("last_out_at")?),
            last_met_at: opt_ts(r.try_get("last_met_at")?),
            next_meeting_at: opt_ts(r.try_get("next_meeting_at")?),
            created_at: from_micros(r.try_get("created_at")?),
        }
    }};
}

/// Finds or makes the contact of `owner` for `address` in the open transaction,
/// then moves its last-mail times forward. `create` false: only existing contacts change.
macro_rules! touch_contact {
    ($c:expr, $org:expr, $owner:expr, $addr:expr, $name:expr, $column:literal, $at:expr, $now:expr, $create:expr) => {{
        let addr: &str = $addr;
        let found = sqlx::query("SELECT contact_id FROM contact_addresses WHERE owner_id = $1 AND address = $2")
            .bind($owner.to_string())
            .bind(addr)
            .fetch_optional(&mut *$c)
            .await?;
        let contact: Option<String> = match found {
            Some(r) => Some(r.try_get("contact_id")?),
            None if $create => {
                let id = new_uuid().to_string();
                let name: &str = $name;
                sqlx::query(
                    "INSERT INTO contacts (org_id, id, owner_id, name, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5)",
                )
                .bind($org.to_string())
                .bind(&id)
                .bind($owner.to_string())
                .bind(if name.trim().is_empty() { addr } else { name.trim() })
                .bind(to_micros($now))
                .execute(&mut *$c)
                .await?;
                sqlx::query(
                    "INSERT INTO contact_addresses (org_id, owner_id, address, contact_id) VALUES ($1, $2, $3, $4)",
                )
                .bind($org.to_string())
                .bind($owner.to_string())
                .bind(addr)
                .bind(&id)
                .execute(&mut *$c)
                .await?;
                Some(id)
            }
            None => None,
        };
        if let Some(id) = contact {
            let sql = format!(
                "UPDATE contacts SET {col} = $2 WHERE id = $1 AND ({col} IS NULL OR {col} < $2)",
                col = $column
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&id)
                .bind(to_micros($at))
                .execute(&mut *$c)
                .await?;
        }
    }};
}

impl Store {
    // ---- mailboxes ----

    /// The person's mailbox, made on first use with `address`.
    pub async fn mailbox_ensure(
        &self,
        org: OrgId,
        person: PersonId,
        address: &str,
        ctx: &AuditCtx,
    ) -> Result<MailboxRecord, StoreError> {
        if let Some(m) = self.mailbox_of(org, person).await? {
            return Ok(m);
        }
        let id = MailboxId(new_uuid());
        let mut tx = self.begin().await?;
        let made = on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO mailboxes (org_id, id, person_id, address, created_at, updated_at)
                 SELECT $1, $2, $3, $4, $5, $5 WHERE EXISTS (SELECT 1 FROM persons WHERE org_id = $1 AND id = $3)
                 ON CONFLICT (org_id, person_id) DO NOTHING",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(person.to_string())
            .bind(address.trim().to_lowercase())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if made == 1 {
            audit::record(
                &mut tx,
                org,
                ctx,
                "mailbox.create",
                "mailbox",
                Some(id.to_string()),
                serde_json::json!({"person": person, "address": address}),
            )
            .await?;
        }
        tx.commit().await?;
        self.mailbox_of(org, person)
            .await?
            .ok_or(StoreError::NotFound("person"))
    }

    /// The person's mailbox, if they have one.
    pub async fn mailbox_of(
        &self,
        org: OrgId,
        person: PersonId,
    ) -> Result<Option<MailboxRecord>, StoreError> {
        let sql = format!("{MAILBOX_SELECT} AND m.person_id = $2");
        on_pool!(&self.pool, |c| {
            match sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(person.to_string())
                .fetch_optional(c)
                .await?
            {
                Some(r) => Ok(Some(mailbox_row!(r))),
                None => Ok(None),
            }
        })
    }

    /// A mailbox by id.
    pub async fn mailbox_get(&self, org: OrgId, id: MailboxId) -> Result<MailboxRecord, StoreError> {
        let sql = format!("{MAILBOX_SELECT} AND m.id = $2");
        on_pool!(&self.pool, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("mailbox"))?;
            Ok(mailbox_row!(r))
        })
    }

    /// The organisation's mailboxes.
    pub async fn mailbox_list(&self, org: OrgId) -> Result<Vec<MailboxRecord>, StoreError> {
        let sql = format!("{MAILBOX_SELECT} ORDER BY p.name");
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            let mut out = Vec::new();
            for r in rows {
                out.push(mailbox_row!(r));
            }
            Ok(out)
        })
    }

    /// Every mailbox that syncs over IMAP, in every organisation (for the sync loop).
    pub async fn mailboxes_with_imap(&self) -> Result<Vec<MailboxRecord>, StoreError> {
        let sql = "SELECT m.*, p.name AS person_name FROM mailboxes m JOIN persons p ON p.id = m.person_id
                   WHERE m.imap_host IS NOT NULL ORDER BY m.last_sync_at";
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sql).fetch_all(c).await?;
            let mut out = Vec::new();
            for r in rows {
                out.push(mailbox_row!(r));
            }
            Ok(out)
        })
    }

    /// Sets (or clears) the mailbox's IMAP server and its default follow-up delay.
    pub async fn mailbox_configure(
        &self,
        org: OrgId,
        id: MailboxId,
        imap: Option<&ImapSettings>,
        followup_days: u32,
        ctx: &AuditCtx,
    ) -> Result<MailboxRecord, StoreError> {
        let mut tx = self.begin().await?;
        let done = on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE mailboxes SET imap_host = $3, imap_port = $4, imap_tls = $5, imap_username = $6,
                     imap_password = $7, imap_folder = $8, followup_days = $9, updated_at = $10,
                     last_sync_error = ''
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(imap.map(|i| i.host.clone()))
            .bind(imap.map(|i| i64::from(i.port)))
            .bind(imap.is_none_or(|i| i.tls))
            .bind(imap.map(|i| i.username.clone()))
            .bind(imap.map(|i| i.sealed_password.clone()))
            .bind(imap.map_or_else(|| "INBOX".to_string(), |i| i.folder.clone()))
            .bind(i64::from(followup_days))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound("mailbox"));
        }
        audit::record(
            &mut tx,
            org,
            ctx,
            "mailbox.configure",
            "mailbox",
            Some(id.to_string()),
            serde_json::json!({"imap_host": imap.map(|i| &i.host), "imap_username": imap.map(|i| &i.username),
                "folder": imap.map(|i| &i.folder), "followup_days": followup_days}),
        )
        .await?;
        tx.commit().await?;
        self.mailbox_get(org, id).await
    }

    /// The UIDs stored for the mailbox with their flags (for an IMAP sync).
    pub async fn mailbox_uids(&self, id: MailboxId) -> Result<BTreeMap<u32, Vec<String>>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT imap_uid, flags FROM mail_messages WHERE mailbox_id = $1 AND imap_uid IS NOT NULL",
            )
            .bind(id.to_string())
            .fetch_all(c)
            .await?;
            let mut out = BTreeMap::new();
            for r in rows {
                let uid = u32_of(r.try_get::<i64, _>("imap_uid")?);
                let flags: Vec<String> =
                    serde_json::from_str(&r.try_get::<String, _>("flags")?).map_err(corrupt("flags"))?;
                out.insert(uid, flags);
            }
            Ok(out)
        })
    }

    /// A new UIDVALIDITY: every stored UID is forgotten (messages stay, and
    /// take their new UIDs as the sync finds them again).
    pub async fn mailbox_reset_uids(&self, id: MailboxId, uidvalidity: u32) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("UPDATE mail_messages SET imap_uid = NULL WHERE mailbox_id = $1")
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query("UPDATE mailboxes SET uidvalidity = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(i64::from(uidvalidity))
                .execute(&mut *c)
                .await?;
        });
        tx.commit().await
    }

    /// A known UID's flags changed on the server.
    pub async fn mail_set_flags(
        &self,
        mailbox: MailboxId,
        uid: u32,
        flags: &[String],
    ) -> Result<(), StoreError> {
        let flags = json(&flags)?;
        on_pool!(&self.pool, |c| {
            sqlx::query("UPDATE mail_messages SET flags = $3 WHERE mailbox_id = $1 AND imap_uid = $2")
                .bind(mailbox.to_string())
                .bind(i64::from(uid))
                .bind(flags)
                .execute(c)
                .await?;
        });
        Ok(())
    }

    /// A UID is gone from the server: the message is archived here, not lost.
    pub async fn mail_expunged(&self, mailbox: MailboxId, uid: u32) -> Result<(), StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query(
                "UPDATE mail_messages SET imap_uid = NULL, archived = TRUE WHERE mailbox_id = $1 AND imap_uid = $2",
            )
            .bind(mailbox.to_string())
            .bind(i64::from(uid))
            .execute(c)
            .await?;
        });
        Ok(())
    }

    /// Records how a sync ended, with an audit entry of what it did.
    pub async fn mailbox_synced(
        &self,
        org: OrgId,
        id: MailboxId,
        error: &str,
        details: serde_json::Value,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE mailboxes SET last_sync_at = $3, last_sync_error = $4 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(to_micros(ctx.now))
            .bind(error)
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "mail.sync",
            "mailbox",
            Some(id.to_string()),
            details,
        )
        .await?;
        tx.commit().await
    }

    /// Records what an import did, in the audit log.
    pub async fn mail_imported(
        &self,
        org: OrgId,
        id: MailboxId,
        details: serde_json::Value,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        audit::record(
            &mut tx,
            org,
            ctx,
            "mail.import",
            "mailbox",
            Some(id.to_string()),
            details,
        )
        .await?;
        tx.commit().await
    }

    /// The latest messages to or from `address` in a mailbox (a contact's history).
    pub async fn mail_with(
        &self,
        org: OrgId,
        mailbox: MailboxId,
        address: &str,
        limit: i64,
    ) -> Result<Vec<MailRecord>, StoreError> {
        let pattern = format!("%\"email\":\"{}\"%", address.replace(['%', '_', '"', '\\'], ""));
        let sql = format!(
            "{} ORDER BY x.sent_at DESC LIMIT {}",
            mail_select(
                "AND x.mailbox_id = $2 AND (x.from_addr = $3 OR x.to_addrs LIKE $4 OR x.cc_addrs LIKE $4)"
            ),
            limit.clamp(1, 200)
        );
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(mailbox.to_string())
                .bind(address)
                .bind(pattern)
                .fetch_all(c)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(mail_row!(r));
            }
            Ok(out)
        })
    }

    // ---- messages ----

    /// Message-IDs the owner sent from this mailbox (for "a reply to something we sent").
    pub async fn mail_sent_ids(
        &self,
        mailbox: MailboxId,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT message_id FROM mail_messages WHERE mailbox_id = $1 AND direction = 'out'
                   AND message_id IS NOT NULL",
            )
            .bind(mailbox.to_string())
            .fetch_all(c)
            .await?;
            let mut out = std::collections::HashSet::new();
            for r in rows {
                out.insert(r.try_get::<String, _>("message_id")?);
            }
            Ok(out)
        })
    }

    /// Stores one message with its triage (see the module's notes for what comes with it).
    pub async fn mail_store(
        &self,
        org: OrgId,
        mailbox: &MailboxRecord,
        m: &NewMail<'_>,
    ) -> Result<Stored, StoreError> {
        let dedupe = match m.message_id {
            Some(id) if !id.trim().is_empty() => id.trim().to_string(),
            _ => format!("sha256:{}", m.sha256),
        };
        let mut tx = self.begin().await?;
        let now = Timestamp::now();
        let stored = on_tx!(&mut tx, |c| {
            let existing =
                sqlx::query("SELECT id FROM mail_messages WHERE mailbox_id = $1 AND dedupe_key = $2")
                    .bind(mailbox.id.to_string())
                    .bind(&dedupe)
                    .fetch_optional(&mut *c)
                    .await?;
            if let Some(r) = existing {
                let id: MailId = parse_id(&r.try_get::<String, _>("id")?)?;
                if let Some(uid) = m.imap_uid {
                    sqlx::query("UPDATE mail_messages SET imap_uid = $2, flags = $3 WHERE id = $1")
                        .bind(id.to_string())
                        .bind(i64::from(uid))
                        .bind(json(&m.flags)?)
                        .execute(&mut *c)
                        .await?;
                }
                Stored::Duplicate(id)
            } else {
                // The thread: the first stored message this one refers to, else a new thread.
                let mut thread: Option<String> = None;
                let mut wanted: Vec<&str> = m.references.iter().map(String::as_str).collect();
                if let Some(p) = m.in_reply_to {
                    wanted.push(p);
                }
                for w in wanted.iter().rev() {
                    let t = sqlx::query(
                        "SELECT thread_id FROM mail_messages WHERE mailbox_id = $1 AND message_id = $2",
                    )
                    .bind(mailbox.id.to_string())
                    .bind(*w)
                    .fetch_optional(&mut *c)
                    .await?;
                    if let Some(t) = t {
                        thread = Some(t.try_get("thread_id")?);
                        break;
                    }
                }
                let id = MailId(new_uuid());
                let thread = thread.unwrap_or_else(|| id.to_string());
                let t = m.triage;
                let inserted = sqlx::query(
                    "INSERT INTO mail_messages (org_id, id, mailbox_id, thread_id, dedupe_key, message_id, in_reply_to,
                         refs, imap_uid, flags, direction, from_addr, from_name, to_addrs, cc_addrs, recipient_count,
                         subject, sent_at, text_body, html_body, attachments, warnings, raw, size, category, priority,
                         reasons, office, archived, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                         $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)
                     ON CONFLICT (mailbox_id, dedupe_key) DO NOTHING",
                )
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(mailbox.id.to_string())
                .bind(&thread)
                .bind(&dedupe)
                .bind(m.message_id)
                .bind(m.in_reply_to)
                .bind(json(&m.references)?)
                .bind(m.imap_uid.map(i64::from))
                .bind(json(&m.flags)?)
                .bind(if m.outgoing { "out" } else { "in" })
                .bind(&m.from.email)
                .bind(m.from.name.clone().unwrap_or_default())
                .bind(json(&m.to)?)
                .bind(json(&m.cc)?)
                .bind(i64::try_from(m.recipient_count).unwrap_or(i64::MAX))
                .bind(m.subject)
                .bind(to_micros(m.sent_at))
                .bind(m.text)
                .bind(m.html)
                .bind(json(&m.attachments)?)
                .bind(json(&m.warnings)?)
                .bind(m.raw)
                .bind(i64::try_from(m.raw.len()).unwrap_or(i64::MAX))
                .bind(t.category.as_str())
                .bind(i64::from(t.priority))
                .bind(json(&t.reasons)?)
                .bind(t.office.map(|o| o.as_str()))
                // Mail from a blocked sender never surfaces.
                .bind(t.category == Category::Suspect && t.reasons.iter().any(|r| r.code == "blocked"))
                .bind(to_micros(now))
                .execute(&mut *c)
                .await?
                .rows_affected();
                if inserted == 0 {
                    // A copy arriving at the same moment was stored first: that one stays.
                    let r =
                        sqlx::query("SELECT id FROM mail_messages WHERE mailbox_id = $1 AND dedupe_key = $2")
                            .bind(mailbox.id.to_string())
                            .bind(&dedupe)
                            .fetch_one(&mut *c)
                            .await?;
                    return Ok(Stored::Duplicate(parse_id(&r.try_get::<String, _>("id")?)?));
                }
                let owner = mailbox.person;
                if m.outgoing {
                    for a in m.to.iter().chain(m.cc.iter()) {
                        // Whom the owner writes to is accepted, unless screened otherwise.
                        sqlx::query(
                            "INSERT INTO mail_senders (org_id, mailbox_id, address, status, updated_at)
                             VALUES ($1, $2, $3, 'accepted', $4) ON CONFLICT (mailbox_id, address) DO NOTHING",
                        )
                        .bind(org.to_string())
                        .bind(mailbox.id.to_string())
                        .bind(&a.email)
                        .bind(to_micros(now))
                        .execute(&mut *c)
                        .await?;
                        if a.email != mailbox.address {
                            touch_contact!(
                                c,
                                org,
                                owner,
                                &a.email,
                                a.name.as_deref().unwrap_or(""),
                                "last_out_at",
                                m.sent_at,
                                now,
                                m.makes_contacts
                            );
                        }
                    }
                } else {
                    // Colleagues are never screened.
                    sqlx::query(
                        "INSERT INTO mail_senders (org_id, mailbox_id, address, status, updated_at)
                         SELECT $1, $2, $3, 'accepted', $4 WHERE EXISTS
                             (SELECT 1 FROM persons WHERE org_id = $1 AND email = $3)
                         ON CONFLICT (mailbox_id, address) DO NOTHING",
                    )
                    .bind(org.to_string())
                    .bind(mailbox.id.to_string())
                    .bind(&m.from.email)
                    .bind(to_micros(now))
                    .execute(&mut *c)
                    .await?;
                    touch_contact!(
                        c,
                        org,
                        owner,
                        &m.from.email,
                        m.from.name.as_deref().unwrap_or(""),
                        "last_in_at",
                        m.sent_at,
                        now,
                        m.makes_contacts
                    );
                    // A reply settles the follow-ups it answers and wakes what was snoozed until one came.
                    sqlx::query(
                        "UPDATE mail_messages SET followup_done = TRUE
                         WHERE mailbox_id = $1 AND direction = 'out' AND thread_id = $2 AND sent_at <= $3",
                    )
                    .bind(mailbox.id.to_string())
                    .bind(&thread)
                    .bind(to_micros(m.sent_at))
                    .execute(&mut *c)
                    .await?;
                    sqlx::query(
                        "UPDATE mail_messages SET snoozed_until = NULL, snooze_until_reply = FALSE, archived = FALSE
                         WHERE mailbox_id = $1 AND thread_id = $2 AND snooze_until_reply",
                    )
                    .bind(mailbox.id.to_string())
                    .bind(&thread)
                    .execute(&mut *c)
                    .await?;
                }
                Stored::New(id)
            }
        });
        tx.commit().await?;
        Ok(stored)
    }

    /// Messages of a mailbox, newest first.
    pub async fn mail_list(
        &self,
        org: OrgId,
        mailbox: MailboxId,
        f: &MailFilter,
        now: Timestamp,
    ) -> Result<Vec<MailRecord>, StoreError> {
        let view = match f.view {
            MailView::Inbox => {
                "AND x.direction = 'in' AND NOT x.archived AND (x.snoozed_until IS NULL OR x.snoozed_until <= $3)
                 AND NOT x.snooze_until_reply AND s.status IS NOT NULL AND s.status <> 'blocked'"
            }
            MailView::Screening => "AND x.direction = 'in' AND NOT x.archived AND s.status IS NULL",
            MailView::Snoozed => {
                "AND NOT x.archived AND ((x.snoozed_until IS NOT NULL AND x.snoozed_until > $3) OR x.snooze_until_reply)"
            }
            MailView::Archived => "AND x.archived",
            MailView::Sent => "AND x.direction = 'out'",
            MailView::All => "",
        };
        let mut extra = format!("AND x.mailbox_id = $2 {view}");
        if f.category.is_some() {
            extra.push_str(" AND x.category = $4");
        }
        if f.office.is_some() {
            extra.push_str(" AND x.office = $5");
        }
        if f.thread.is_some() {
            extra.push_str(" AND x.thread_id = $6");
        }
        let order = if f.thread.is_some() {
            "x.sent_at ASC, x.id ASC"
        } else {
            "x.sent_at DESC, x.id DESC"
        };
        let limit = if f.limit <= 0 { 200 } else { f.limit.min(5000) };
        let sql = format!("{} ORDER BY {order} LIMIT {limit}", mail_select(&extra));
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(mailbox.to_string())
                .bind(to_micros(now))
                .bind(f.category.map(|c| c.as_str()))
                .bind(f.office.map(|o| o.as_str()))
                .bind(f.thread.clone())
                .fetch_all(c)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(mail_row!(r));
            }
            Ok(out)
        })
    }

    /// One message.
    pub async fn mail_get(&self, org: OrgId, id: MailId) -> Result<MailRecord, StoreError> {
        let sql = mail_select("AND x.id = $2");
        on_pool!(&self.pool, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("message"))?;
            Ok(mail_row!(r))
        })
    }

    /// A message's raw bytes, as received.
    pub async fn mail_raw(&self, org: OrgId, id: MailId) -> Result<Vec<u8>, StoreError> {
        on_pool!(&self.pool, |c| {
            let r = sqlx::query("SELECT raw FROM mail_messages WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("message"))?;
            Ok(r.try_get::<Vec<u8>, _>("raw")?)
        })
    }

    /// A person files a message under another category (`refile`), or
    /// confirms the one it has (`None`, when they archive it); the classifiers
    /// they taught go with it, in one transaction. A model changed meanwhile by
    /// someone else is a `Conflict` (the caller learns again and retries).
    pub async fn mail_correct(
        &self,
        org: OrgId,
        id: MailId,
        refile: Option<Category>,
        models: &[(ModelRecord, i64)],
        ctx: &AuditCtx,
    ) -> Result<MailRecord, StoreError> {
        let before = self.mail_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let reasons = {
                let mut r: Vec<Reason> = before
                    .reasons
                    .iter()
                    .filter(|r| r.code != "corrected")
                    .cloned()
                    .collect();
                r.insert(
                    0,
                    Reason {
                        code: "corrected".into(),
                        text: format!(
                            "Filed under {} by {}",
                            refile.unwrap_or(before.category),
                            ctx.actor_label
                        ),
                        weight: 0,
                    },
                );
                json(&r)?
            };
            if let Some(category) = refile {
                sqlx::query("UPDATE mail_messages SET category = $3, corrected = TRUE, reasons = $4 WHERE org_id = $1 AND id = $2")
                    .bind(org.to_string())
                    .bind(id.to_string())
                    .bind(category.as_str())
                    .bind(reasons)
                    .execute(&mut *c)
                    .await?;
            }
            for (m, was) in models {
                let done = sqlx::query(
                    "UPDATE mail_models SET model = $3, examples = $4, updated_at = $5
                     WHERE org_id = $1 AND scope = $2 AND examples = $6",
                )
                .bind(org.to_string())
                .bind(&m.scope)
                .bind(&m.model)
                .bind(m.examples)
                .bind(to_micros(ctx.now))
                .bind(*was)
                .execute(&mut *c)
                .await?
                .rows_affected();
                if done == 0 {
                    let inserted = sqlx::query(
                        "INSERT INTO mail_models (org_id, scope, model, examples, updated_at)
                         SELECT $1, $2, $3, $4, $5 WHERE $6 = 0
                         ON CONFLICT (org_id, scope) DO NOTHING",
                    )
                    .bind(org.to_string())
                    .bind(&m.scope)
                    .bind(&m.model)
                    .bind(m.examples)
                    .bind(to_micros(ctx.now))
                    .bind(*was)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
                    if inserted == 0 {
                        return Err(StoreError::Conflict(
                            "the classifier changed meanwhile; try again".into(),
                        ));
                    }
                }
            }
        });
        if let Some(category) = refile {
            audit::record(
                &mut tx,
                org,
                ctx,
                "mail.correct",
                "mail",
                Some(id.to_string()),
                serde_json::json!({"from": before.category, "to": category, "subject": before.subject}),
            )
            .await?;
        }
        tx.commit().await?;
        self.mail_get(org, id).await
    }

    /// A learned classifier (`org` or a person's id), if one was learned.
    pub async fn mail_model(&self, org: OrgId, scope: &str) -> Result<Option<ModelRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let r = sqlx::query(
                "SELECT scope, model, examples FROM mail_models WHERE org_id = $1 AND scope = $2",
            )
            .bind(org.to_string())
            .bind(scope)
            .fetch_optional(c)
            .await?;
            match r {
                Some(r) => Ok(Some(ModelRecord {
                    scope: r.try_get("scope")?,
                    model: r.try_get("model")?,
                    examples: r.try_get("examples")?,
                })),
                None => Ok(None),
            }
        })
    }

    /// Archives a message or brings it back; snoozes it until an instant and/or
    /// until a reply arrives, or wakes it (`None`, false).
    pub async fn mail_set_state(
        &self,
        org: OrgId,
        id: MailId,
        archived: bool,
        snoozed_until: Option<Timestamp>,
        until_reply: bool,
        ctx: &AuditCtx,
    ) -> Result<MailRecord, StoreError> {
        let mut tx = self.begin().await?;
        let done = on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE mail_messages SET archived = $3, snoozed_until = $4, snooze_until_reply = $5
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(archived)
            .bind(snoozed_until.map(to_micros))
            .bind(until_reply)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound("message"));
        }
        let action = if archived {
            "mail.archive"
        } else if snoozed_until.is_some() || until_reply {
            "mail.snooze"
        } else {
            "mail.inbox"
        };
        audit::record(
            &mut tx,
            org,
            ctx,
            action,
            "mail",
            Some(id.to_string()),
            serde_json::json!({"snoozed_until": snoozed_until, "until_reply": until_reply}),
        )
        .await?;
        tx.commit().await?;
        self.mail_get(org, id).await
    }

    /// Records a message as an invoice: registers the invoice and links the
    /// message to it in one transaction. A message already recorded is a
    /// `Conflict` naming its invoice, and nothing is registered.
    pub async fn mail_record_invoice(
        &self,
        org: OrgId,
        id: MailId,
        data: &InvoiceData,
        registered_by: Option<PersonId>,
        registered_label: &str,
        ctx: &AuditCtx,
    ) -> Result<(MailRecord, InvoiceId), StoreError> {
        let mut tx = self.begin().await?;
        let before: Option<Option<String>> = on_tx!(&mut tx, |c| {
            sqlx::query("SELECT invoice_id FROM mail_messages WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .map(|r| r.try_get::<Option<String>, _>("invoice_id"))
                .transpose()?
        });
        match before {
            None => return Err(StoreError::NotFound("message")),
            Some(Some(_)) => {
                return Err(StoreError::Conflict(
                    "this message is already recorded as an invoice".into(),
                ));
            }
            Some(None) => {}
        }
        let invoice =
            crate::invoices::insert_invoice(&mut tx, org, data, registered_by, registered_label, ctx).await?;
        // Only if still unrecorded: of two recordings at once, one wins.
        let done = on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE mail_messages SET invoice_id = $3 WHERE org_id = $1 AND id = $2 AND invoice_id IS NULL",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(invoice.to_string())
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::Conflict(
                "this message is already recorded as an invoice".into(),
            ));
        }
        audit::record(
            &mut tx,
            org,
            ctx,
            "mail.invoice",
            "mail",
            Some(id.to_string()),
            serde_json::json!({"invoice": invoice, "number": data.number}),
        )
        .await?;
        tx.commit().await?;
        Ok((self.mail_get(org, id).await?, invoice))
    }

    /// Sets how many days a sent message waits for a reply (`None`: the
    /// mailbox's default), or settles it (`done`).
    pub async fn mail_set_followup(
        &self,
        org: OrgId,
        id: MailId,
        days: Option<u32>,
        done: bool,
        ctx: &AuditCtx,
    ) -> Result<MailRecord, StoreError> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE mail_messages SET followup_days = $3, followup_done = $4
                 WHERE org_id = $1 AND id = $2 AND direction = 'out'",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(days.map(i64::from))
            .bind(done)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound("sent message"));
        }
        audit::record(
            &mut tx,
            org,
            ctx,
            "mail.followup",
            "mail",
            Some(id.to_string()),
            serde_json::json!({"days": days, "done": done}),
        )
        .await?;
        tx.commit().await?;
        self.mail_get(org, id).await
    }

    /// Sent messages still waiting for a reply whose wait is over at `now`, oldest first.
    pub async fn mail_followups_due(
        &self,
        org: OrgId,
        mailbox: &MailboxRecord,
        now: Timestamp,
    ) -> Result<Vec<MailRecord>, StoreError> {
        let extra = "AND x.mailbox_id = $2 AND x.direction = 'out' AND NOT x.followup_done
             AND x.sent_at + COALESCE(x.followup_days, $3) * 86400000000 <= $4
             AND NOT EXISTS (SELECT 1 FROM mail_messages y WHERE y.mailbox_id = x.mailbox_id
                 AND y.thread_id = x.thread_id AND y.direction = 'in' AND y.sent_at > x.sent_at)";
        let sql = format!("{} ORDER BY x.sent_at ASC LIMIT 500", mail_select(extra));
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(mailbox.id.to_string())
                .bind(i64::from(mailbox.followup_days))
                .bind(to_micros(now))
                .fetch_all(c)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(mail_row!(r));
            }
            Ok(out)
        })
    }

    // ---- senders and rules ----

    /// What the owner decided about each sender.
    pub async fn mail_senders(
        &self,
        org: OrgId,
        mailbox: MailboxId,
    ) -> Result<Vec<SenderRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT address, status, updated_at FROM mail_senders WHERE org_id = $1 AND mailbox_id = $2
                 ORDER BY address",
            )
            .bind(org.to_string())
            .bind(mailbox.to_string())
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let s: String = r.try_get("status")?;
                out.push(SenderRecord {
                    address: r.try_get("address")?,
                    status: s
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("sender status `{s}`")))?,
                    updated_at: from_micros(r.try_get("updated_at")?),
                });
            }
            Ok(out)
        })
    }

    /// Accepts, marks VIP or blocks a sender (`Unknown` forgets the decision).
    /// Their waiting messages move with them: accepted ones leave screening,
    /// blocked ones are archived as suspect.
    pub async fn mail_sender_set(
        &self,
        org: OrgId,
        mailbox: MailboxId,
        address: &str,
        status: SenderStatus,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        let address = address.trim().to_lowercase();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("SELECT 1 FROM mailboxes WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(mailbox.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("mailbox"))?;
            sqlx::query("DELETE FROM mail_senders WHERE mailbox_id = $1 AND address = $2")
                .bind(mailbox.to_string())
                .bind(&address)
                .execute(&mut *c)
                .await?;
            if status != SenderStatus::Unknown {
                sqlx::query(
                    "INSERT INTO mail_senders (org_id, mailbox_id, address, status, updated_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(org.to_string())
                .bind(mailbox.to_string())
                .bind(&address)
                .bind(status.as_str())
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?;
            }
            if status == SenderStatus::Blocked {
                sqlx::query(
                    "UPDATE mail_messages SET archived = TRUE, category = 'suspect'
                     WHERE mailbox_id = $1 AND from_addr = $2 AND direction = 'in'",
                )
                .bind(mailbox.to_string())
                .bind(&address)
                .execute(&mut *c)
                .await?;
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "mail.sender",
            "mailbox",
            Some(mailbox.to_string()),
            serde_json::json!({"address": address, "status": status}),
        )
        .await?;
        tx.commit().await
    }

    /// The rules in force for a mailbox: the organisation's, then the mailbox's own.
    pub async fn mail_rules(
        &self,
        org: OrgId,
        mailbox: Option<MailboxId>,
    ) -> Result<Vec<RuleRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT id, mailbox_id, field, value, action FROM mail_rules
                 WHERE org_id = $1 AND (mailbox_id IS NULL OR mailbox_id = $2)
                 ORDER BY mailbox_id IS NOT NULL, created_at, id",
            )
            .bind(org.to_string())
            .bind(mailbox.map(|m| m.to_string()))
            .fetch_all(c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let field: String = r.try_get("field")?;
                let action: RuleAction = serde_json::from_str(&r.try_get::<String, _>("action")?)
                    .map_err(corrupt("rule action"))?;
                let rule = MailRule {
                    field: field
                        .parse::<RuleField>()
                        .map_err(|_| StoreError::Corrupt(format!("rule field `{field}`")))?,
                    value: r.try_get("value")?,
                    action,
                };
                let mb: Option<String> = r.try_get("mailbox_id")?;
                out.push(RuleRecord {
                    id: parse_id(&r.try_get::<String, _>("id")?)?,
                    mailbox: mb.as_deref().map(parse_id).transpose()?,
                    description: rule.describe(),
                    rule,
                });
            }
            Ok(out)
        })
    }

    /// Adds a rule (for the organisation when `mailbox` is none).
    pub async fn mail_rule_create(
        &self,
        org: OrgId,
        mailbox: Option<MailboxId>,
        rule: &MailRule,
        ctx: &AuditCtx,
    ) -> Result<MailRuleId, StoreError> {
        let id = MailRuleId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO mail_rules (org_id, id, mailbox_id, field, value, action, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(mailbox.map(|m| m.to_string()))
            .bind(rule.field.as_str())
            .bind(&rule.value)
            .bind(json(&rule.action)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("the mailbox no longer exists"))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "mail.rule.create",
            "mail_rule",
            Some(id.to_string()),
            serde_json::json!({"rule": rule.describe(), "mailbox": mailbox}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes a rule.
    pub async fn mail_rule_delete(
        &self,
        org: OrgId,
        id: MailRuleId,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        self.delete_audited(
            org,
            "mail_rules",
            &id.to_string(),
            ("rule", "mail.rule.delete", "mail_rule"),
            ctx,
        )
        .await
    }

    /// A rule by id (to check whose it is).
    pub async fn mail_rule_get(&self, org: OrgId, id: MailRuleId) -> Result<Option<MailboxId>, StoreError> {
        on_pool!(&self.pool, |c| {
            let r = sqlx::query("SELECT mailbox_id FROM mail_rules WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("rule"))?;
            let mb: Option<String> = r.try_get("mailbox_id")?;
            Ok(mb.as_deref().map(parse_id).transpose()?)
        })
    }

    // ---- templates ----

    /// The organisation's reply templates, by name.
    pub async fn mail_templates(&self, org: OrgId) -> Result<Vec<TemplateRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query("SELECT * FROM mail_templates WHERE org_id = $1 ORDER BY name_key")
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(TemplateRecord {
                    id: parse_id(&r.try_get::<String, _>("id")?)?,
                    name: r.try_get("name")?,
                    subject: r.try_get("subject")?,
                    body: r.try_get("body")?,
                    updated_at: from_micros(r.try_get("updated_at")?),
                });
            }
            Ok(out)
        })
    }

    /// Adds a template, or replaces the one of the same name.
    pub async fn mail_template_put(
        &self,
        org: OrgId,
        name: &str,
        subject: &str,
        body: &str,
        ctx: &AuditCtx,
    ) -> Result<TemplateId, StoreError> {
        let key = name.trim().to_lowercase();
        let id = TemplateId(new_uuid());
        let mut tx = self.begin().await?;
        let id = on_tx!(&mut tx, |c| {
            let r = sqlx::query(
                "INSERT INTO mail_templates (org_id, id, name, name_key, subject, body, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                 ON CONFLICT (org_id, name_key) DO UPDATE SET name = $3, subject = $5, body = $6, updated_at = $7
                 RETURNING id",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(name.trim())
            .bind(&key)
            .bind(subject)
            .bind(body)
            .bind(to_micros(ctx.now))
            .fetch_one(&mut *c)
            .await?;
            parse_id::<TemplateId>(&r.try_get::<String, _>("id")?)?
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "mail.template.put",
            "mail_template",
            Some(id.to_string()),
            serde_json::json!({"name": name.trim()}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes a template.
    pub async fn mail_template_delete(
        &self,
        org: OrgId,
        id: TemplateId,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        self.delete_audited(
            org,
            "mail_templates",
            &id.to_string(),
            ("template", "mail.template.delete", "mail_template"),
            ctx,
        )
        .await
    }

    /// Deletes one row of `table` (a constant) by id, with its audit entry
    /// (`what` names it when it is not there).
    async fn delete_audited(
        &self,
        org: OrgId,
        table: &'static str,
        id: &str,
        (what, action, item_type): (&'static str, &str, &str),
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        let sql = format!("DELETE FROM {table} WHERE org_id = $1 AND id = $2");
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, |c| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::NotFound(what));
        }
        audit::record(
            &mut tx,
            org,
            ctx,
            action,
            item_type,
            Some(id.to_string()),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }

    // ---- drafts ----

    /// Starts a draft in `mailbox`'s name, `pending` approval when an assistant wrote it.
    #[allow(clippy::too_many_arguments)]
    pub async fn mail_draft_create(
        &self,
        org: OrgId,
        mailbox: MailboxId,
        content: &DraftContent,
        reply_to: Option<MailId>,
        event: Option<EventId>,
        status: DraftStatus,
        ctx: &AuditCtx,
    ) -> Result<DraftRecord, StoreError> {
        let id = DraftId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO mail_drafts (org_id, id, mailbox_id, author_id, author_label, reply_to_id, event_id,
                     to_addrs, cc_addrs, subject, body, status, created_at, updated_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13
                 WHERE EXISTS (SELECT 1 FROM mailboxes WHERE org_id = $1 AND id = $3)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(mailbox.to_string())
            .bind(ctx.actor.map(|p| p.to_string()))
            .bind(&ctx.actor_label)
            .bind(reply_to.map(|m| m.to_string()))
            .bind(event.map(|e| e.to_string()))
            .bind(json(&content.to)?)
            .bind(json(&content.cc)?)
            .bind(&content.subject)
            .bind(&content.body)
            .bind(status.as_str())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("the message or event it refers to is gone"))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "mail.draft.create",
            "mail_draft",
            Some(id.to_string()),
            serde_json::json!({"to": content.to, "subject": content.subject, "status": status}),
        )
        .await?;
        tx.commit().await?;
        self.mail_draft_get(org, id).await
    }

    /// One draft.
    pub async fn mail_draft_get(&self, org: OrgId, id: DraftId) -> Result<DraftRecord, StoreError> {
        let sql = format!("{DRAFT_SELECT} AND d.id = $2");
        on_pool!(&self.pool, |c| {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("draft"))?;
            Ok(draft_row!(r))
        })
    }

    /// A mailbox's drafts in the given states, newest first.
    pub async fn mail_drafts(
        &self,
        org: OrgId,
        mailbox: MailboxId,
        statuses: &[DraftStatus],
    ) -> Result<Vec<DraftRecord>, StoreError> {
        let list = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "{DRAFT_SELECT} AND d.mailbox_id = $2 AND d.status IN ({list}) ORDER BY d.updated_at DESC"
        );
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(mailbox.to_string())
                .fetch_all(c)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(draft_row!(r));
            }
            Ok(out)
        })
    }

    /// Moves a draft from one of `from` to `to`, with new content if given, the
    /// decider's note, the sent message or the relay's error. Exactly one of two
    /// deciding at once wins; the other gets a `Conflict` naming the state.
    #[allow(clippy::too_many_arguments)]
    pub async fn mail_draft_move(
        &self,
        org: OrgId,
        id: DraftId,
        from: &[DraftStatus],
        to: DraftStatus,
        content: Option<&DraftContent>,
        note: &str,
        sent: Option<MailId>,
        error: &str,
        ctx: &AuditCtx,
    ) -> Result<DraftRecord, StoreError> {
        let before = self.mail_draft_get(org, id).await?;
        let list = from
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let c2 = content.unwrap_or(&before.content);
        let decided = matches!(
            to,
            DraftStatus::Sent | DraftStatus::Rejected | DraftStatus::Failed
        ) || (before.status == DraftStatus::Pending && to == DraftStatus::Draft);
        let sql = format!(
            "UPDATE mail_drafts SET status = $3, to_addrs = $4, cc_addrs = $5, subject = $6, body = $7,
                 decided_label = CASE WHEN $8 THEN $9 ELSE decided_label END, decision_note = $10,
                 sent_message_id = $11, error = $12, updated_at = $13
             WHERE org_id = $1 AND id = $2 AND status IN ({list})"
        );
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, |c| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(to.as_str())
                .bind(json(&c2.to)?)
                .bind(json(&c2.cc)?)
                .bind(&c2.subject)
                .bind(&c2.body)
                .bind(decided)
                .bind(&ctx.actor_label)
                .bind(note)
                .bind(sent.map(|m| m.to_string()))
                .bind(error)
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if n == 0 {
            let now = self.mail_draft_get(org, id).await?;
            return Err(StoreError::Conflict(format!(
                "the draft is {}",
                now.status.as_str()
            )));
        }
        audit::record(
            &mut tx,
            org,
            ctx,
            &format!("mail.draft.{}", to.as_str()),
            "mail_draft",
            Some(id.to_string()),
            serde_json::json!({"from": before.status, "to": to, "edited": content.is_some_and(|c| *c != before.content),
                "note": note, "error": error}),
        )
        .await?;
        tx.commit().await?;
        self.mail_draft_get(org, id).await
    }

    // ---- contacts ----

    async fn contact_emails(&self, owner: PersonId) -> Result<BTreeMap<ContactId, Vec<String>>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT contact_id, address FROM contact_addresses WHERE owner_id = $1 ORDER BY address",
            )
            .bind(owner.to_string())
            .fetch_all(c)
            .await?;
            let mut out: BTreeMap<ContactId, Vec<String>> = BTreeMap::new();
            for r in rows {
                out.entry(parse_id(&r.try_get::<String, _>("contact_id")?)?)
                    .or_default()
                    .push(r.try_get("address")?);
            }
            Ok(out)
        })
    }

    /// A person's contacts, by name.
    pub async fn contacts(&self, org: OrgId, owner: PersonId) -> Result<Vec<ContactRecord>, StoreError> {
        let mut emails = self.contact_emails(owner).await?;
        on_pool!(&self.pool, |c| {
            let rows =
                sqlx::query("SELECT * FROM contacts WHERE org_id = $1 AND owner_id = $2 ORDER BY name, id")
                    .bind(org.to_string())
                    .bind(owner.to_string())
                    .fetch_all(c)
                    .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push(contact_row!(r, emails));
            }
            Ok(out)
        })
    }

    /// One contact.
    pub async fn contact_get(&self, org: OrgId, id: ContactId) -> Result<ContactRecord, StoreError> {
        let row = on_pool!(&self.pool, |c| {
            sqlx::query("SELECT owner_id FROM contacts WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("contact"))?
                .try_get::<String, _>("owner_id")?
        });
        let owner: PersonId = parse_id(&row)?;
        self.contacts(org, owner)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(StoreError::NotFound("contact"))
    }

    /// Changes a contact's details, cadence or stakeholder flag.
    pub async fn contact_update(
        &self,
        org: OrgId,
        id: ContactId,
        p: &ContactPatch,
        ctx: &AuditCtx,
    ) -> Result<ContactRecord, StoreError> {
        let before = self.contact_get(org, id).await?;
        let name = p.name.clone().unwrap_or(before.name.clone());
        let organization = p.organization.clone().unwrap_or(before.organization.clone());
        let title = p.title.clone().unwrap_or(before.title.clone());
        let phones = p.phones.clone().unwrap_or(before.phones.clone());
        let notes = p.notes.clone().unwrap_or(before.notes.clone());
        let cadence = p.cadence_days.unwrap_or(before.cadence_days);
        let stakeholder = p.stakeholder.unwrap_or(before.stakeholder);
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "UPDATE contacts SET name = $3, organization = $4, title = $5, phones = $6, notes = $7,
                     cadence_days = $8, stakeholder = $9, updated_at = $10 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(&name)
            .bind(&organization)
            .bind(&title)
            .bind(json(&phones)?)
            .bind(&notes)
            .bind(cadence.map(i64::from))
            .bind(stakeholder)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "contact.update",
            "contact",
            Some(id.to_string()),
            serde_json::json!({"name": name, "cadence_days": cadence, "stakeholder": stakeholder}),
        )
        .await?;
        tx.commit().await?;
        self.contact_get(org, id).await
    }

    /// Merges `from` into `into` (both the same owner's): addresses, notes and
    /// the latest of each interaction move; `from` is removed.
    pub async fn contact_merge(
        &self,
        org: OrgId,
        into: ContactId,
        from: ContactId,
        ctx: &AuditCtx,
    ) -> Result<ContactRecord, StoreError> {
        if into == from {
            return Err(StoreError::Invalid(ValidationError::field(
                "from",
                "a contact cannot merge into itself",
            )));
        }
        let a = self.contact_get(org, into).await?;
        let b = self.contact_get(org, from).await?;
        if a.owner != b.owner {
            return Err(StoreError::Invalid(ValidationError::field(
                "from",
                "both contacts must be the same person's",
            )));
        }
        let latest = |x: Option<Timestamp>, y: Option<Timestamp>| x.max(y).map(to_micros);
        let next = match (a.next_meeting_at, b.next_meeting_at) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        let notes = match (a.notes.trim(), b.notes.trim()) {
            ("", n) | (n, "") => n.to_string(),
            (x, y) => format!("{x}\n\n{y}"),
        };
        let mut phones = a.phones.clone();
        phones.extend(b.phones.iter().filter(|p| !a.phones.contains(p)).cloned());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("UPDATE contact_addresses SET contact_id = $2 WHERE contact_id = $1")
                .bind(from.to_string())
                .bind(into.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "UPDATE contacts SET notes = $3, phones = $4, last_in_at = $5, last_out_at = $6, last_met_at = $7,
                     next_meeting_at = $8, stakeholder = $9, organization = $10, title = $11,
                     cadence_days = $12, updated_at = $13
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(into.to_string())
            .bind(&notes)
            .bind(json(&phones)?)
            .bind(latest(a.last_in_at, b.last_in_at))
            .bind(latest(a.last_out_at, b.last_out_at))
            .bind(latest(a.last_met_at, b.last_met_at))
            .bind(next.map(to_micros))
            .bind(a.stakeholder || b.stakeholder)
            .bind(if a.organization.is_empty() { &b.organization } else { &a.organization })
            .bind(if a.title.is_empty() { &b.title } else { &a.title })
            .bind(a.cadence_days.or(b.cadence_days).map(i64::from))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM contacts WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(from.to_string())
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "contact.merge",
            "contact",
            Some(into.to_string()),
            serde_json::json!({"merged": from, "name": b.name, "emails": b.emails}),
        )
        .await?;
        tx.commit().await?;
        self.contact_get(org, into).await
    }

    /// Creates contacts from cards, or fills in the contact that already has one
    /// of a card's addresses; all in one transaction. Returns (created, updated).
    pub async fn contacts_import(
        &self,
        org: OrgId,
        owner: PersonId,
        cards: &[NewContact],
        ctx: &AuditCtx,
    ) -> Result<(usize, usize), StoreError> {
        let mut created = 0;
        let mut updated = 0;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            for card in cards {
                let mut existing: Option<String> = None;
                for e in &card.emails {
                    if let Some(r) = sqlx::query(
                        "SELECT contact_id FROM contact_addresses WHERE owner_id = $1 AND address = $2",
                    )
                    .bind(owner.to_string())
                    .bind(e)
                    .fetch_optional(&mut *c)
                    .await?
                    {
                        existing = Some(r.try_get("contact_id")?);
                        break;
                    }
                }
                let id = match existing {
                    Some(id) => {
                        sqlx::query(
                            "UPDATE contacts SET name = $2,
                                 organization = CASE WHEN $3 = '' THEN organization ELSE $3 END,
                                 title = CASE WHEN $4 = '' THEN title ELSE $4 END,
                                 phones = CASE WHEN $5 = '[]' THEN phones ELSE $5 END,
                                 notes = CASE WHEN $6 = '' THEN notes ELSE $6 END, updated_at = $7
                             WHERE id = $1",
                        )
                        .bind(&id)
                        .bind(&card.name)
                        .bind(&card.organization)
                        .bind(&card.title)
                        .bind(json(&card.phones)?)
                        .bind(&card.notes)
                        .bind(to_micros(ctx.now))
                        .execute(&mut *c)
                        .await?;
                        updated += 1;
                        id
                    }
                    None => {
                        let id = new_uuid().to_string();
                        sqlx::query(
                            "INSERT INTO contacts (org_id, id, owner_id, name, organization, title, phones, notes,
                                 created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                        )
                        .bind(org.to_string())
                        .bind(&id)
                        .bind(owner.to_string())
                        .bind(&card.name)
                        .bind(&card.organization)
                        .bind(&card.title)
                        .bind(json(&card.phones)?)
                        .bind(&card.notes)
                        .bind(to_micros(ctx.now))
                        .execute(&mut *c)
                        .await
                        .map_err(StoreError::on_constraint("no such person"))?;
                        created += 1;
                        id
                    }
                };
                for e in &card.emails {
                    sqlx::query(
                        "INSERT INTO contact_addresses (org_id, owner_id, address, contact_id) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (owner_id, address) DO NOTHING",
                    )
                    .bind(org.to_string())
                    .bind(owner.to_string())
                    .bind(e)
                    .bind(&id)
                    .execute(&mut *c)
                    .await?;
                }
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "contact.import",
            "person",
            Some(owner.to_string()),
            serde_json::json!({"created": created, "updated": updated}),
        )
        .await?;
        tx.commit().await?;
        Ok((created, updated))
    }

    /// Meetings seen in the owner's calendar: for each attendee address, the
    /// last meeting before now and the next after; makes contacts for addresses
    /// not yet known (`names` gives their names). Not audited: derived data.
    pub async fn contacts_meetings(
        &self,
        org: OrgId,
        owner: PersonId,
        seen: &BTreeMap<String, (String, Option<Timestamp>, Option<Timestamp>)>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            for (addr, (name, last, next)) in seen {
                touch_contact!(c, org, owner, addr, name, "updated_at", now, now, true);
                let r = sqlx::query(
                    "SELECT contact_id FROM contact_addresses WHERE owner_id = $1 AND address = $2",
                )
                .bind(owner.to_string())
                .bind(addr)
                .fetch_optional(&mut *c)
                .await?;
                if let Some(r) = r {
                    let id: String = r.try_get("contact_id")?;
                    sqlx::query(
                        "UPDATE contacts SET last_met_at = CASE WHEN $2 IS NULL THEN last_met_at
                                 WHEN last_met_at IS NULL OR last_met_at < $2 THEN $2 ELSE last_met_at END,
                             next_meeting_at = $3 WHERE id = $1",
                    )
                    .bind(&id)
                    .bind(last.map(to_micros))
                    .bind(next.map(to_micros))
                    .execute(&mut *c)
                    .await?;
                }
            }
        });
        tx.commit().await
    }
}
