//! Mail: each person's mailbox, filled from files (`.eml`, mbox) or an IMAP
//! server, triaged with reasons; corrections that teach the classifiers;
//! screening of first-time senders; follow-ups on sent mail; reply templates,
//! drafts an assistant writes for approval, sending through the SMTP relay;
//! and contacts that build themselves from mail and meetings.
//!
//! A person's mail is theirs: only they, and assistants holding a delegation
//! in the mail scope, see it (reading needs `read`, triaging and drafting
//! `act`). Nobody else — administrators included — reads it.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::mail::imap::{self, Cursor, ImapAccount, SyncEvent};
use crate::mail::smtp::{self, Outgoing, SmtpRelay};
use crate::ops::hide;
use adjutant_core::ValidationError;
use adjutant_core::calendar::TimeRange;
use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{ContactId, DraftId, EventId, MailId, MailRuleId, OrgId, PersonId, TemplateId};
use adjutant_core::mail::correspond::{self, MAX_BODY_CHARS};
use adjutant_core::mail::screen::{MailRule, OfficeWork, RuleAction, RuleField, SenderStatus};
use adjutant_core::mail::triage::{self, Category, Classifier, Context, Signals, Triage};
use adjutant_core::policy::Capability;
use adjutant_interop::mail::{self as mime, MboxItem, MboxReader, ParsedMessage};
use adjutant_interop::vcard;
use adjutant_store::StoreError;
use adjutant_store::calendar::EventScope;
use adjutant_store::mail::{
    ContactPatch, ContactRecord, DraftContent, DraftRecord, DraftStatus, ImapSettings, MailAddress,
    MailAttachment, MailFilter, MailRecord, MailView, MailboxRecord, ModelRecord, NewContact, NewMail,
    RuleRecord, SenderRecord, Stored, TemplateRecord,
};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

/// The variables every template may use.
pub const TEMPLATE_VARIABLES: [&str; 5] = ["first_name", "name", "subject", "my_name", "date"];

// ---------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------

/// Whether the caller works with `person`'s mail at `need`: themselves, or a
/// delegate of theirs in the mail scope.
fn works_for(caller: &Caller, person: PersonId, need: Level) -> bool {
    match caller {
        Caller::System(_) => true,
        Caller::Person(a) => {
            a.person.id == person || a.actor.delegation_for(person, Scope::Mail, need).is_some()
        }
    }
}

fn is_owner(caller: &Caller, person: PersonId) -> bool {
    match caller {
        Caller::System(_) => true,
        Caller::Person(a) => a.person.id == person,
    }
}

/// The mailbox of the person named (an id or an e-mail address), else of the
/// principal the caller acts for, else the caller's; made on first use.
/// Refused unless the caller works with that person's mail at `need`.
pub async fn mailbox(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    named: Option<&str>,
    need: Level,
) -> ApiResult<MailboxRecord> {
    let person = match named.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            let found = match s.parse::<PersonId>() {
                Ok(id) => state.store.person_get(org, id).await,
                Err(_) => state.store.person_by_email(org, &s.to_lowercase()).await,
            };
            found.map_err(|e| match e {
                StoreError::NotFound(_) => {
                    ApiError::from(ValidationError::field("person", "no such person here"))
                }
                other => other.into(),
            })?
        }
        None => match caller {
            Caller::Person(a) => {
                let id = a.actor.acting_for.unwrap_or(a.person.id);
                hide(state.store.person_get(org, id).await, "person")?
            }
            Caller::System(_) => {
                return Err(ValidationError::field("person", "name the person whose mail it is").into());
            }
        },
    };
    if !works_for(caller, person.id, need) {
        return Err(ApiError::forbidden(
            "only the person, or an assistant acting for them in mail, works with their mail",
        ));
    }
    let Some(address) = person.email.clone() else {
        return Err(
            ValidationError::field("person", format!("{} has no e-mail address", person.name)).into(),
        );
    };
    Ok(state
        .store
        .mailbox_ensure(org, person.id, &address, &caller.audit(Timestamp::now()))
        .await?)
}

/// A message the caller may work with at `need`, and its mailbox.
pub(crate) async fn message(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MailId,
    need: Level,
) -> ApiResult<(MailRecord, MailboxRecord)> {
    let m = hide(state.store.mail_get(org, id).await, "message")?;
    let mb = hide(state.store.mailbox_get(org, m.mailbox).await, "message")?;
    if !works_for(caller, mb.person, Level::Read) {
        return Err(ApiError::not_found("message"));
    }
    if !works_for(caller, mb.person, need) {
        return Err(ApiError::forbidden(
            "reading this mail is shared with you, not acting on it",
        ));
    }
    Ok((m, mb))
}

fn id_of<T: std::str::FromStr>(s: &str, field: &str, what: &str) -> ApiResult<T> {
    s.trim()
        .parse()
        .map_err(|_| ValidationError::field(field, format!("`{}` is not an id of {what}", s.trim())).into())
}

// ---------------------------------------------------------------------------
// Triage and ingest
// ---------------------------------------------------------------------------

/// Everything triage needs about one mailbox, loaded once for a whole import or sync.
pub struct Triager {
    org: OrgId,
    mailbox: MailboxRecord,
    addresses: Vec<String>,
    sent_ids: HashSet<String>,
    rules: Vec<MailRule>,
    person_model: Option<Classifier>,
    org_model: Option<Classifier>,
    senders: HashMap<String, SenderStatus>,
    met: HashSet<String>,
}

fn model_of(r: Option<ModelRecord>) -> Option<Classifier> {
    r.and_then(|m| serde_json::from_str(&m.model).ok())
}

impl Triager {
    /// Loads the mailbox's rules, classifiers, screened senders, sent
    /// Message-IDs and the people its owner met in the last 30 days or meets in the next 14.
    pub async fn load(state: &AppState, org: OrgId, mailbox: MailboxRecord) -> ApiResult<Self> {
        let rules = state
            .store
            .mail_rules(org, Some(mailbox.id))
            .await?
            .into_iter()
            .map(|r| r.rule)
            .collect();
        let person_model = model_of(state.store.mail_model(org, &mailbox.person.to_string()).await?);
        let org_model = model_of(state.store.mail_model(org, "org").await?);
        let mut senders: HashMap<String, SenderStatus> = HashMap::new();
        for p in state.store.person_list(org).await? {
            if let Some(e) = p.email {
                senders.insert(e.to_lowercase(), SenderStatus::Accepted);
            }
        }
        for s in state.store.mail_senders(org, mailbox.id).await? {
            senders.insert(s.address, s.status);
        }
        let now = Timestamp::now();
        let window = TimeRange {
            start: now - SignedDuration::from_hours(24 * 30),
            end: now + SignedDuration::from_hours(24 * 14),
        };
        let mut met = HashSet::new();
        for e in state
            .store
            .events_in_range(org, &EventScope::Person(mailbox.person), window)
            .await?
        {
            for a in &e.data.attendees {
                if let Some(m) = &a.email {
                    met.insert(m.to_lowercase());
                }
            }
            if let Some(m) = e.data.organiser.as_ref().and_then(|o| o.email.as_ref()) {
                met.insert(m.to_lowercase());
            }
        }
        Ok(Self {
            org,
            addresses: vec![mailbox.address.clone()],
            sent_ids: state.store.mail_sent_ids(mailbox.id).await?,
            rules,
            person_model,
            org_model,
            senders,
            met,
            mailbox,
        })
    }

    /// The signals and the triage of a parsed message.
    pub fn decide(&self, parsed: &ParsedMessage) -> (Signals, Triage) {
        let mut s = mime::signals(
            parsed,
            &mime::Owner {
                addresses: &self.addresses,
                sent_ids: &self.sent_ids,
            },
        );
        s.sender = self
            .senders
            .get(&s.from)
            .copied()
            .unwrap_or(SenderStatus::Unknown);
        s.met_recently = self.met.contains(&s.from);
        let t = triage::triage(
            &s,
            &Context {
                rules: &self.rules,
                person: self.person_model.as_ref(),
                org: self.org_model.as_ref(),
            },
        );
        (s, t)
    }

    /// Parses, triages and stores one message; the reason when it is refused.
    pub async fn ingest(
        &mut self,
        state: &AppState,
        raw: &[u8],
        uid: Option<u32>,
        flags: &[String],
    ) -> Result<Stored, String> {
        let parsed = mime::parse(raw).map_err(|e| e.to_string())?;
        let from = parsed
            .from
            .clone()
            .ok_or_else(|| "the message has no sender (From)".to_string())?;
        let outgoing = self.addresses.contains(&from.email);
        let (signals, mut t) = self.decide(&parsed);
        if outgoing {
            t.category = Category::Waiting;
        }
        let makes_contacts = !signals.bulk
            && !signals.auto_submitted
            && !matches!(t.category, Category::Newsletter | Category::Suspect);
        let to: Vec<MailAddress> = parsed.to.iter().map(address).collect();
        let cc: Vec<MailAddress> = parsed.cc.iter().map(address).collect();
        let attachments: Vec<MailAttachment> = parsed
            .attachments
            .iter()
            .map(|a| MailAttachment {
                index: a.index,
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.size,
            })
            .collect();
        let sha = data_encoding::HEXLOWER.encode(&Sha256::digest(raw));
        let stored = state
            .store
            .mail_store(
                self.org,
                &self.mailbox,
                &NewMail {
                    message_id: parsed.message_id.as_deref(),
                    in_reply_to: parsed.in_reply_to.first().map(String::as_str),
                    references: &parsed.references,
                    imap_uid: uid,
                    flags,
                    outgoing,
                    from: address(&from),
                    to: &to,
                    cc: &cc,
                    recipient_count: parsed.recipient_count,
                    subject: &parsed.subject,
                    sent_at: parsed.date.unwrap_or_else(Timestamp::now),
                    text: &parsed.text,
                    html: parsed.html.as_deref(),
                    attachments: &attachments,
                    warnings: &parsed.warnings,
                    raw,
                    sha256: &sha,
                    triage: &t,
                    makes_contacts,
                },
            )
            .await
            .map_err(|e| format!("not stored: {e}"))?;
        if outgoing {
            if let Some(id) = &parsed.message_id {
                self.sent_ids.insert(id.clone());
            }
            for a in to.iter().chain(cc.iter()) {
                self.senders
                    .entry(a.email.clone())
                    .or_insert(SenderStatus::Accepted);
            }
        }
        Ok(stored)
    }
}

fn address(a: &mime::Address) -> MailAddress {
    MailAddress {
        name: a.name.clone(),
        email: a.email.clone(),
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// Messages stored.
    pub stored: usize,
    /// Messages already there (by Message-ID or content), left as they were.
    pub duplicates: usize,
    /// What was refused, each with where it was and why.
    pub rejected: Vec<Rejected>,
}

/// One refused message or stretch of a file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rejected {
    /// `file.eml`, or `archive.mbox message 3 (line 120)`.
    pub item: String,
    pub reason: String,
}

impl ImportReport {
    fn count(&mut self, item: String, r: Result<Stored, String>) {
        match r {
            Ok(Stored::New(_)) => self.stored += 1,
            Ok(Stored::Duplicate(_)) => self.duplicates += 1,
            Err(reason) => self.rejected.push(Rejected { item, reason }),
        }
    }
}

/// Imports one file's bytes: an mbox archive (it starts with `From `) or one message.
pub async fn import(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> ApiResult<ImportReport> {
    let mb = mailbox(state, caller, org, person, Level::Act).await?;
    if bytes.is_empty() {
        return Err(ValidationError::field("file", format!("{name} is empty")).into());
    }
    let mut t = Triager::load(state, org, mb).await?;
    let mut report = ImportReport::default();
    if bytes.starts_with(b"From ") {
        import_mbox(
            state,
            &mut t,
            name,
            std::io::Cursor::new(bytes),
            &mut report,
            |_| {},
        )
        .await;
    } else {
        let r = t.ingest(state, bytes, None, &[]).await;
        report.count(name.to_string(), r);
    }
    finish_import(state, caller, org, &t, name, &report).await?;
    Ok(report)
}

/// Streams an mbox archive into the mailbox: one message in memory at a time.
/// `progress` hears the bytes read so far after each message.
pub async fn import_mbox<R: std::io::BufRead>(
    state: &AppState,
    t: &mut Triager,
    name: &str,
    reader: R,
    report: &mut ImportReport,
    mut progress: impl FnMut(u64),
) {
    let mut mbox = MboxReader::new(reader);
    while let Some(item) = mbox.next() {
        match item {
            MboxItem::Message { number, line, raw } => {
                let r = t.ingest(state, &raw, None, &[]).await;
                report.count(format!("{name} message {number} (line {line})"), r);
            }
            MboxItem::Rejected { number, line, reason } => report.rejected.push(Rejected {
                item: format!("{name} message {number} (line {line})"),
                reason,
            }),
        }
        progress(mbox.bytes_read());
    }
}

/// Records an import in the audit log.
pub async fn finish_import(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    t: &Triager,
    name: &str,
    report: &ImportReport,
) -> ApiResult<()> {
    Ok(state
        .store
        .mail_imported(
            org,
            t.mailbox.id,
            serde_json::json!({"file": name, "stored": report.stored, "duplicates": report.duplicates,
                "rejected": report.rejected.len()}),
            &caller.audit(Timestamp::now()),
        )
        .await?)
}

/// Starts an import for the CLI: the mailbox checked and its triage loaded.
pub async fn triager_for(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<Triager> {
    let mb = mailbox(state, caller, org, person, Level::Act).await?;
    Triager::load(state, org, mb).await
}

/// Ingests one `.eml`'s bytes through a loaded triager (the CLI's path).
pub async fn ingest_one(
    state: &AppState,
    t: &mut Triager,
    name: &str,
    bytes: &[u8],
    report: &mut ImportReport,
) {
    let r = t.ingest(state, bytes, None, &[]).await;
    report.count(name.to_string(), r);
}

// ---------------------------------------------------------------------------
// IMAP
// ---------------------------------------------------------------------------

/// A mailbox's settings as the owner gives them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxForm {
    /// The person whose mailbox it is (default: yourself or your principal).
    #[serde(default)]
    pub person: Option<String>,
    /// IMAP server host; empty: no IMAP sync.
    #[serde(default)]
    pub imap_host: Option<String>,
    #[serde(default)]
    pub imap_port: Option<u16>,
    /// Implicit TLS (default true); false only for a server on this machine.
    #[serde(default)]
    pub imap_tls: Option<bool>,
    #[serde(default)]
    pub imap_username: Option<String>,
    /// Kept sealed with the server's key; omitted: the stored one stays.
    #[serde(default)]
    pub imap_password: Option<String>,
    #[serde(default)]
    pub imap_folder: Option<String>,
    /// Days a sent message waits for a reply before it surfaces (1–60, default 3).
    #[serde(default)]
    pub followup_days: Option<u32>,
}

/// A mailbox as the API shows it (never the password).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailboxView {
    pub id: String,
    pub person: String,
    pub person_name: String,
    pub address: String,
    pub imap_host: Option<String>,
    pub imap_port: Option<u16>,
    pub imap_tls: Option<bool>,
    pub imap_username: Option<String>,
    pub imap_folder: Option<String>,
    pub last_sync_at: Option<String>,
    pub last_sync_error: String,
    pub followup_days: u32,
}

impl From<&MailboxRecord> for MailboxView {
    fn from(m: &MailboxRecord) -> Self {
        Self {
            id: m.id.to_string(),
            person: m.person.to_string(),
            person_name: m.person_name.clone(),
            address: m.address.clone(),
            imap_host: m.imap.as_ref().map(|i| i.host.clone()),
            imap_port: m.imap.as_ref().map(|i| i.port),
            imap_tls: m.imap.as_ref().map(|i| i.tls),
            imap_username: m.imap.as_ref().map(|i| i.username.clone()),
            imap_folder: m.imap.as_ref().map(|i| i.folder.clone()),
            last_sync_at: m.last_sync_at.map(|t| t.to_string()),
            last_sync_error: m.last_sync_error.clone(),
            followup_days: m.followup_days,
        }
    }
}

/// The caller's (or the named person's) mailbox.
pub async fn get_mailbox(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<MailboxView> {
    let mb = mailbox(state, caller, org, person, Level::Read).await?;
    Ok(MailboxView::from(&mb))
}

/// Sets a mailbox's IMAP server and follow-up delay. Only the owner (or the
/// operator) sets where their mail comes from.
pub async fn configure(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    f: &MailboxForm,
) -> ApiResult<MailboxView> {
    let mb = mailbox(state, caller, org, f.person.as_deref(), Level::Act).await?;
    if !is_owner(caller, mb.person) {
        return Err(ApiError::forbidden(
            "only the mailbox's owner sets where its mail comes from",
        ));
    }
    let days = f.followup_days.unwrap_or(mb.followup_days);
    if !(1..=60).contains(&days) {
        return Err(ValidationError::field("followup_days", "must be 1 to 60 days").into());
    }
    let host = f.imap_host.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let imap = match host {
        None => None,
        Some(host) => {
            if host.contains(['/', ' ', '@']) {
                return Err(
                    ValidationError::field("imap_host", format!("`{host}` is not a host name")).into(),
                );
            }
            let username = f.imap_username.as_deref().map(str::trim).unwrap_or("");
            if username.is_empty() {
                return Err(ValidationError::field("imap_username", "give the IMAP user name").into());
            }
            let sealed = match f.imap_password.as_deref().filter(|p| !p.is_empty()) {
                Some(p) => state.secrets.seal(p),
                None => match &mb.imap {
                    Some(old) if !old.sealed_password.is_empty() => old.sealed_password.clone(),
                    _ => return Err(ValidationError::field("imap_password", "give the IMAP password").into()),
                },
            };
            let tls = f.imap_tls.unwrap_or(true);
            Some(ImapSettings {
                host: host.to_string(),
                port: f.imap_port.unwrap_or(if tls { 993 } else { 143 }),
                tls,
                username: username.to_string(),
                sealed_password: sealed,
                folder: f
                    .imap_folder
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .unwrap_or("INBOX")
                    .to_string(),
            })
        }
    };
    let mb = state
        .store
        .mailbox_configure(org, mb.id, imap.as_ref(), days, &caller.audit(Timestamp::now()))
        .await?;
    Ok(MailboxView::from(&mb))
}

/// What one sync did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SyncSummary {
    pub mailbox: String,
    pub address: String,
    pub new: usize,
    pub duplicates: usize,
    pub flags: usize,
    pub expunged: usize,
    /// UIDVALIDITY changed: the folder was read again from the start.
    pub reset: bool,
    pub rejected: Vec<Rejected>,
    /// Why it stopped early, if it did (what it stored before stays).
    pub error: Option<String>,
}

/// Syncs one mailbox from its IMAP server. Each change is stored as it
/// arrives, so a sync cut short resumes where it stopped.
pub async fn sync_mailbox(state: &AppState, org: OrgId, mb: MailboxRecord) -> ApiResult<SyncSummary> {
    let Some(settings) = mb.imap.clone() else {
        return Err(
            ValidationError::field("mailbox", format!("{} has no IMAP server set", mb.address)).into(),
        );
    };
    let password = state
        .secrets
        .open(&settings.sealed_password)
        .map_err(|e| ApiError::conflict(format!("the IMAP password cannot be read: {e}; set it again")))?;
    let account = ImapAccount {
        host: settings.host.clone(),
        port: settings.port,
        tls: settings.tls,
        username: settings.username.clone(),
        password,
        folder: settings.folder.clone(),
    };
    let cursor = Cursor {
        uidvalidity: mb.uidvalidity,
        known: state.store.mailbox_uids(mb.id).await?,
    };
    let mut summary = SyncSummary {
        mailbox: mb.id.to_string(),
        address: mb.address.clone(),
        ..SyncSummary::default()
    };
    let id = mb.id;
    let mut t = Triager::load(state, org, mb).await?;
    // The IMAP client runs as its own task and hands each change over a
    // channel; this side stores it and answers before the next is read.
    type Ack = tokio::sync::oneshot::Sender<Result<(), String>>;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(SyncEvent, Ack)>(1);
    let client = tokio::spawn(async move {
        imap::sync(&account, &cursor, move |ev: SyncEvent| {
            let tx = tx.clone();
            async move {
                let (ack, answer) = tokio::sync::oneshot::channel();
                tx.send((ev, ack))
                    .await
                    .map_err(|_| "the sync was stopped".to_string())?;
                answer.await.map_err(|_| "the sync was stopped".to_string())?
            }
        })
        .await
    });
    while let Some((ev, ack)) = rx.recv().await {
        let applied = match ev {
            SyncEvent::Reset { uidvalidity } => {
                summary.reset = true;
                state
                    .store
                    .mailbox_reset_uids(id, uidvalidity)
                    .await
                    .map_err(|e| e.to_string())
            }
            SyncEvent::New { uid, flags, raw } => {
                match t.ingest(state, &raw, Some(uid), &flags).await {
                    Ok(Stored::New(_)) => summary.new += 1,
                    Ok(Stored::Duplicate(_)) => summary.duplicates += 1,
                    Err(reason) => summary.rejected.push(Rejected {
                        item: format!("UID {uid}"),
                        reason,
                    }),
                }
                Ok(())
            }
            SyncEvent::Flags { uid, flags } => {
                summary.flags += 1;
                state
                    .store
                    .mail_set_flags(id, uid, &flags)
                    .await
                    .map_err(|e| e.to_string())
            }
            SyncEvent::Expunged { uid } => {
                summary.expunged += 1;
                state
                    .store
                    .mail_expunged(id, uid)
                    .await
                    .map_err(|e| e.to_string())
            }
        };
        let _ = ack.send(applied);
    }
    let result = match client.await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(e) => Err(format!("the sync stopped: {e}")),
    };
    if let Err(e) = &result {
        summary.error = Some(e.to_string());
    }
    state
        .store
        .mailbox_synced(
            org,
            id,
            summary.error.as_deref().unwrap_or(""),
            serde_json::json!({"new": summary.new, "duplicates": summary.duplicates, "flags": summary.flags,
                "expunged": summary.expunged, "reset": summary.reset, "rejected": summary.rejected.len(),
                "error": summary.error}),
            &adjutant_store::AuditCtx::system("mail sync", Timestamp::now()),
        )
        .await?;
    Ok(summary)
}

/// Syncs the caller's (or the named person's) mailbox now.
pub async fn sync(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<SyncSummary> {
    let mb = mailbox(state, caller, org, person, Level::Act).await?;
    sync_mailbox(state, org, mb).await
}

/// Syncs every mailbox with an IMAP server (the server's loop and `mail sync --all`).
pub async fn sync_all(state: &AppState) -> Vec<SyncSummary> {
    let mut out = Vec::new();
    let Ok(list) = state.store.mailboxes_with_imap().await else {
        return out;
    };
    for mb in list {
        let org = mb.org;
        match sync_mailbox(state, org, mb).await {
            Ok(s) => out.push(s),
            Err(e) => tracing::warn!(error = %e.detail, "mail sync failed"),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Reading and triaging
// ---------------------------------------------------------------------------

/// A message in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailItem {
    pub id: String,
    pub thread: String,
    pub direction: String,
    pub from: String,
    pub from_name: String,
    pub to: Vec<String>,
    pub subject: String,
    pub sent_at: String,
    /// The first 160 characters of the text.
    pub snippet: String,
    #[schema(value_type = String)]
    pub category: Category,
    pub priority: u8,
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<triage::Reason>,
    #[schema(value_type = Option<String>)]
    pub office: Option<OfficeWork>,
    /// The invoice this message was registered as.
    pub invoice: Option<String>,
    pub corrected: bool,
    pub archived: bool,
    pub snoozed_until: Option<String>,
    pub snooze_until_reply: bool,
    #[schema(value_type = String)]
    pub sender_status: SenderStatus,
    pub attachments: usize,
    pub seen: bool,
}

impl From<&MailRecord> for MailItem {
    fn from(m: &MailRecord) -> Self {
        let snippet: String = m
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(160)
            .collect();
        Self {
            id: m.id.to_string(),
            thread: m.thread.clone(),
            direction: m.direction.clone(),
            from: m.from.email.clone(),
            from_name: m.from.name.clone().unwrap_or_else(|| m.from.email.clone()),
            to: m.to.iter().map(|a| a.email.clone()).collect(),
            subject: if m.subject.is_empty() {
                "(no subject)".into()
            } else {
                m.subject.clone()
            },
            sent_at: m.sent_at.to_string(),
            snippet,
            category: m.category,
            priority: m.priority,
            reasons: m.reasons.clone(),
            office: m.office,
            invoice: m.invoice.map(|i| i.to_string()),
            corrected: m.corrected,
            archived: m.archived,
            snoozed_until: m.snoozed_until.map(|t| t.to_string()),
            snooze_until_reply: m.snooze_until_reply,
            sender_status: m.sender_status,
            attachments: m.attachments.len(),
            seen: m.flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen")),
        }
    }
}

/// One message whole, with its thread.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailDetail {
    #[serde(flatten)]
    pub item: MailItem,
    pub cc: Vec<String>,
    pub message_id: Option<String>,
    pub text: String,
    /// Sanitised HTML (no script, no remote content).
    pub html: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub attachment_list: Vec<MailAttachment>,
    pub warnings: Vec<String>,
    pub recipient_count: i64,
    pub thread_messages: Vec<MailItem>,
    /// Whose mailbox it is.
    pub owner: String,
    pub owner_name: String,
    /// For a message marked as an invoice and not yet registered, what it
    /// suggests registering (only for those who keep invoices).
    pub invoice_suggestion: Option<crate::ops::invoices::InvoiceSuggestion>,
    /// For a message about a contract, the sender's vendor and the contracts
    /// held with it, each with its notice standing (for those who see contracts).
    pub contracts: Option<crate::ops::office::MailContracts>,
}

/// Which messages to list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailQuery {
    #[serde(default)]
    pub person: Option<String>,
    /// inbox (default), screening, snoozed, archived, sent, all.
    #[serde(default)]
    pub view: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    /// invoice, travel or contract.
    #[serde(default)]
    pub office: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn view_of(s: Option<&str>) -> ApiResult<MailView> {
    Ok(match s.map(str::trim).unwrap_or("inbox") {
        "" | "inbox" => MailView::Inbox,
        "screening" => MailView::Screening,
        "snoozed" => MailView::Snoozed,
        "archived" => MailView::Archived,
        "sent" => MailView::Sent,
        "all" => MailView::All,
        other => {
            return Err(ValidationError::field(
                "view",
                format!("unknown view `{other}`; expected inbox, screening, snoozed, archived, sent or all"),
            )
            .into());
        }
    })
}

/// A mailbox's messages: highest priority first in the inbox, newest first elsewhere.
pub async fn list(state: &AppState, caller: &Caller, org: OrgId, q: &MailQuery) -> ApiResult<Vec<MailItem>> {
    let mb = mailbox(state, caller, org, q.person.as_deref(), Level::Read).await?;
    let view = view_of(q.view.as_deref())?;
    let f = MailFilter {
        view,
        category: q
            .category
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .transpose()?,
        office: q
            .office
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .transpose()?,
        thread: None,
        limit: q.limit.unwrap_or(200),
    };
    let mut list = state.store.mail_list(org, mb.id, &f, Timestamp::now()).await?;
    if view == MailView::Inbox {
        list.sort_by(|a, b| b.priority.cmp(&a.priority).then(b.sent_at.cmp(&a.sent_at)));
    }
    Ok(list.iter().map(MailItem::from).collect())
}

/// One message with its thread.
pub async fn get(state: &AppState, caller: &Caller, org: OrgId, id: MailId) -> ApiResult<MailDetail> {
    let (m, mb) = message(state, caller, org, id, Level::Read).await?;
    // The whole thread, oldest first, whatever state each message is in.
    let all = state
        .store
        .mail_list(
            org,
            mb.id,
            &MailFilter {
                view: MailView::All,
                thread: Some(m.thread.clone()),
                ..MailFilter::default()
            },
            Timestamp::now(),
        )
        .await?;
    Ok(MailDetail {
        item: MailItem::from(&m),
        cc: m.cc.iter().map(|a| a.email.clone()).collect(),
        message_id: m.message_id.clone(),
        text: m.text.clone(),
        html: m.html.clone(),
        attachment_list: m.attachments.clone(),
        warnings: m.warnings.clone(),
        recipient_count: m.recipient_count,
        thread_messages: all.iter().map(MailItem::from).collect(),
        owner: mb.person.to_string(),
        owner_name: mb.person_name.clone(),
        invoice_suggestion: crate::ops::invoices::suggestion_for(state, caller, org, &m).await?,
        contracts: crate::ops::office::contracts_for_mail(state, caller, org, &m).await?,
    })
}

/// One attachment's name, type and content.
pub async fn attachment(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MailId,
    index: usize,
) -> ApiResult<(String, String, Vec<u8>)> {
    message(state, caller, org, id, Level::Read).await?;
    let raw = state.store.mail_raw(org, id).await?;
    let (meta, bytes) = mime::attachment(&raw, index).ok_or_else(|| ApiError::not_found("attachment"))?;
    Ok((meta.filename, meta.content_type, bytes))
}

/// Rebuilds the signals of a stored message (for learning from a correction).
fn stored_signals(m: &MailRecord, mb: &MailboxRecord) -> Signals {
    Signals {
        from: m.from.email.clone(),
        from_name: m.from.name.clone().unwrap_or_default(),
        subject: m.subject.clone(),
        text: m.text.chars().take(8192).collect(),
        to_me: m.to.iter().any(|a| a.email == mb.address),
        cc_me: m.cc.iter().any(|a| a.email == mb.address) && !m.to.iter().any(|a| a.email == mb.address),
        recipients: usize::try_from(m.recipient_count).unwrap_or(0),
        sender: m.sender_status,
        reply_to_ours: m.reasons.iter().any(|r| r.code == "reply_to_ours"),
        met_recently: m.reasons.iter().any(|r| r.code == "met_recently"),
        bulk: m.reasons.iter().any(|r| r.code == "bulk"),
        auto_submitted: m.reasons.iter().any(|r| r.code == "auto"),
        reply_to_differs: m.reasons.iter().any(|r| r.code == "reply_to_differs"),
        has_attachments: !m.attachments.is_empty(),
        attachment_names: m.attachments.iter().map(|a| a.filename.clone()).collect(),
    }
}

/// Files a message under another category. The person's classifier and the
/// organisation's learn from it, so later messages like it follow.
pub async fn correct(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MailId,
    category: &str,
) -> ApiResult<MailItem> {
    let category: Category = category.parse()?;
    let (m, mb) = message(state, caller, org, id, Level::Act).await?;
    Ok(MailItem::from(
        &teach(state, caller, org, &m, &mb, Some(category)).await?,
    ))
}

/// Teaches the person's and the organisation's classifiers a message's
/// category: a new one (`refile`, a correction), or the one it has (`None`: the
/// person archived it as it was filed). Models changed meanwhile are read
/// again and the lesson retried.
async fn teach(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    m: &MailRecord,
    mb: &MailboxRecord,
    refile: Option<Category>,
) -> ApiResult<MailRecord> {
    let tokens = triage::tokens(&stored_signals(m, mb));
    let category = refile.unwrap_or(m.category);
    let person_scope = mb.person.to_string();
    let mut last = None;
    for _ in 0..5 {
        let mut models = Vec::new();
        for scope in [person_scope.as_str(), "org"] {
            let before = state.store.mail_model(org, scope).await?;
            let was = before.as_ref().map_or(0, |b| b.examples);
            let mut c: Classifier = model_of(before).unwrap_or_default();
            if m.corrected && refile.is_some() {
                c.unlearn(&tokens, m.category);
            }
            c.learn(&tokens, category);
            let model = serde_json::to_string(&c).map_err(|_| ApiError::internal())?;
            models.push((
                ModelRecord {
                    scope: scope.to_string(),
                    model,
                    examples: was + 1,
                },
                was,
            ));
        }
        match state
            .store
            .mail_correct(org, m.id, refile, &models, &caller.audit(Timestamp::now()))
            .await
        {
            Ok(r) => return Ok(r),
            Err(StoreError::Conflict(e)) => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(last.unwrap_or_default()))
}

/// What to do with a message.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailAction {
    /// archive, inbox (bring back or wake), snooze.
    pub action: String,
    /// For snooze: a date (`2026-12-07`, 08:00 in your zone) or an instant.
    #[serde(default)]
    pub until: Option<String>,
    /// For snooze: until a reply arrives (with or without a date).
    #[serde(default)]
    pub until_reply: Option<bool>,
}

pub(crate) fn caller_zone(caller: &Caller) -> jiff::tz::TimeZone {
    match caller {
        Caller::Person(a) => adjutant_core::calendar::Zone::or_utc(&a.person.time_zone)
            .tz()
            .clone(),
        Caller::System(_) => jiff::tz::TimeZone::UTC,
    }
}

/// When a snooze ends, from a date (08:00 in the caller's zone) or an instant.
pub fn snooze_until(caller: &Caller, s: &str, now: Timestamp) -> ApiResult<Timestamp> {
    let s = s.trim();
    let at = if let Ok(t) = s.parse::<Timestamp>() {
        t
    } else if let Ok(d) = s.parse::<jiff::civil::Date>() {
        d.at(8, 0, 0, 0)
            .to_zoned(caller_zone(caller))
            .map_err(|_| ValidationError::field("until", format!("`{s}` cannot be placed in your zone")))?
            .timestamp()
    } else if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        dt.to_zoned(caller_zone(caller))
            .map_err(|_| ValidationError::field("until", format!("`{s}` cannot be placed in your zone")))?
            .timestamp()
    } else {
        return Err(ValidationError::field(
            "until",
            format!("`{s}` is not a date (2026-12-07) or a date and time (2026-12-07T14:00)"),
        )
        .into());
    };
    if at <= now {
        return Err(ValidationError::field("until", "must be in the future").into());
    }
    if at > now + SignedDuration::from_hours(24 * 366) {
        return Err(ValidationError::field("until", "must be within a year").into());
    }
    Ok(at)
}

/// Archives, brings back, or snoozes a message.
pub async fn act(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MailId,
    a: &MailAction,
) -> ApiResult<MailItem> {
    let (m, mb) = message(state, caller, org, id, Level::Act).await?;
    let now = Timestamp::now();
    let (archived, until, reply) = match a.action.trim() {
        "archive" => (true, None, false),
        "inbox" => (false, None, false),
        "snooze" => {
            let until = a
                .until
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| snooze_until(caller, s, now))
                .transpose()?;
            let reply = a.until_reply.unwrap_or(false);
            if until.is_none() && !reply {
                return Err(
                    ValidationError::field("until", "snooze until a date, or until a reply arrives").into(),
                );
            }
            (false, until, reply)
        }
        other => {
            return Err(ValidationError::field(
                "action",
                format!("unknown action `{other}`; expected archive, inbox or snooze"),
            )
            .into());
        }
    };
    // Archiving a message as it was filed confirms its category: the
    // classifiers learn from what people file, not only from corrections.
    if archived && !m.archived && !m.corrected && m.direction == "in" {
        teach(state, caller, org, &m, &mb, None).await?;
    }
    let r = state
        .store
        .mail_set_state(org, id, archived, until, reply, &caller.audit(now))
        .await?;
    Ok(MailItem::from(&r))
}

// ---------------------------------------------------------------------------
// Screening and rules
// ---------------------------------------------------------------------------

/// A decision about a sender.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SenderForm {
    #[serde(default)]
    pub person: Option<String>,
    pub address: String,
    /// accepted, vip, blocked, or unknown (forget the decision).
    pub status: String,
}

/// Accepts, marks VIP, blocks or forgets a sender.
pub async fn screen(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    f: &SenderForm,
) -> ApiResult<Vec<SenderRecord>> {
    let status: SenderStatus = f.status.parse()?;
    let address = f.address.trim().to_lowercase();
    if !address.contains('@') || address.len() > 254 || address.contains(char::is_whitespace) {
        return Err(
            ValidationError::field("address", format!("`{address}` is not an e-mail address")).into(),
        );
    }
    let mb = mailbox(state, caller, org, f.person.as_deref(), Level::Act).await?;
    state
        .store
        .mail_sender_set(org, mb.id, &address, status, &caller.audit(Timestamp::now()))
        .await?;
    Ok(state.store.mail_senders(org, mb.id).await?)
}

/// The senders screened in a mailbox.
pub async fn senders(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<Vec<SenderRecord>> {
    let mb = mailbox(state, caller, org, person, Level::Read).await?;
    Ok(state.store.mail_senders(org, mb.id).await?)
}

/// A screening rule to add.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleForm {
    /// Whose mailbox the rule is for; `org` for the whole organisation.
    #[serde(default)]
    pub person: Option<String>,
    /// from_domain, from_address or subject_contains.
    pub field: String,
    pub value: String,
    /// File matching mail under this category…
    #[serde(default)]
    pub category: Option<String>,
    /// …or mark it for this office workflow (invoice, travel, contract).
    #[serde(default)]
    pub office: Option<String>,
}

/// A rule as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub id: String,
    /// `org`, or the mailbox's owner.
    pub scope: String,
    pub field: String,
    pub value: String,
    pub description: String,
}

fn rule_view(r: &RuleRecord) -> RuleView {
    RuleView {
        id: r.id.to_string(),
        scope: if r.mailbox.is_some() {
            "mailbox".into()
        } else {
            "org".into()
        },
        field: r.rule.field.as_str().into(),
        value: r.rule.value.clone(),
        description: r.description.clone(),
    }
}

/// The rules in force for a mailbox (the organisation's first).
pub async fn rules(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<Vec<RuleView>> {
    let mb = mailbox(state, caller, org, person, Level::Read).await?;
    Ok(state
        .store
        .mail_rules(org, Some(mb.id))
        .await?
        .iter()
        .map(rule_view)
        .collect())
}

/// Adds a rule: for a mailbox (its owner or their assistant), or for the organisation.
pub async fn add_rule(state: &AppState, caller: &Caller, org: OrgId, f: &RuleForm) -> ApiResult<RuleView> {
    let field: RuleField = f.field.parse()?;
    let action = match (
        f.category.as_deref().filter(|s| !s.trim().is_empty()),
        f.office.as_deref().filter(|s| !s.trim().is_empty()),
    ) {
        (Some(c), None) => RuleAction::Category(c.parse()?),
        (None, Some(o)) => RuleAction::Office(o.parse()?),
        _ => {
            return Err(
                ValidationError::field("category", "give either a category or an office workflow").into(),
            );
        }
    };
    let rule = MailRule::new(field, &f.value, action)?;
    let mailbox = if f.person.as_deref().map(str::trim) == Some("org") {
        caller.may(org, Capability::ManageMailRules)?;
        None
    } else {
        Some(
            mailbox(state, caller, org, f.person.as_deref(), Level::Act)
                .await?
                .id,
        )
    };
    let id = state
        .store
        .mail_rule_create(org, mailbox, &rule, &caller.audit(Timestamp::now()))
        .await?;
    Ok(RuleView {
        id: id.to_string(),
        scope: if mailbox.is_some() {
            "mailbox".into()
        } else {
            "org".into()
        },
        field: rule.field.as_str().into(),
        value: rule.value.clone(),
        description: rule.describe(),
    })
}

/// Removes a rule.
pub async fn delete_rule(state: &AppState, caller: &Caller, org: OrgId, id: MailRuleId) -> ApiResult<()> {
    match hide(state.store.mail_rule_get(org, id).await, "rule")? {
        None => caller.may(org, Capability::ManageMailRules)?,
        Some(mb) => {
            let mb = hide(state.store.mailbox_get(org, mb).await, "rule")?;
            if !works_for(caller, mb.person, Level::Read) {
                return Err(ApiError::not_found("rule"));
            }
            if !works_for(caller, mb.person, Level::Act) {
                return Err(ApiError::forbidden(
                    "reading this mail is shared with you, not changing its rules",
                ));
            }
        }
    }
    Ok(state
        .store
        .mail_rule_delete(org, id, &caller.audit(Timestamp::now()))
        .await?)
}

// ---------------------------------------------------------------------------
// Follow-ups
// ---------------------------------------------------------------------------

/// A sent message still waiting for its reply, with a nudge drafted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUp {
    pub message: MailItem,
    pub days_waiting: i64,
    pub nudge_subject: String,
    pub nudge_body: String,
}

/// Sent messages whose wait for a reply is over, oldest first.
pub async fn followups(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<Vec<FollowUp>> {
    let mb = mailbox(state, caller, org, person, Level::Read).await?;
    let now = Timestamp::now();
    let list = state.store.mail_followups_due(org, &mb, now).await?;
    Ok(list
        .iter()
        .map(|m| {
            let to = m.to.first();
            let name = to
                .and_then(|a| a.name.clone())
                .or_else(|| to.map(|a| a.email.clone()))
                .unwrap_or_default();
            let days = now.duration_since(m.sent_at).as_secs() / 86_400;
            let (s, b) = correspond::nudge(
                &m.subject,
                &name,
                u32::try_from(days).unwrap_or(u32::MAX),
                &mb.person_name,
            );
            FollowUp {
                message: MailItem::from(m),
                days_waiting: days,
                nudge_subject: s,
                nudge_body: b,
            }
        })
        .collect())
}

/// A sent message's follow-up: how long to wait, or settled.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpForm {
    /// Days to wait for a reply (1–60); absent: the mailbox's default.
    #[serde(default)]
    pub days: Option<u32>,
    /// Settled: stop waiting.
    #[serde(default)]
    pub done: Option<bool>,
}

/// Sets a sent message's follow-up.
pub async fn set_followup(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: MailId,
    f: &FollowUpForm,
) -> ApiResult<MailItem> {
    if let Some(d) = f.days
        && !(1..=60).contains(&d)
    {
        return Err(ValidationError::field("days", "must be 1 to 60 days").into());
    }
    let (m, _) = message(state, caller, org, id, Level::Act).await?;
    if m.direction != "out" {
        return Err(ValidationError::field("message", "only a message you sent waits for a reply").into());
    }
    let r = state
        .store
        .mail_set_followup(
            org,
            id,
            f.days,
            f.done.unwrap_or(false),
            &caller.audit(Timestamp::now()),
        )
        .await?;
    Ok(MailItem::from(&r))
}

// ---------------------------------------------------------------------------
// Templates and drafts
// ---------------------------------------------------------------------------

/// A template to add or replace (by name).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateForm {
    pub name: String,
    #[serde(default)]
    pub subject: String,
    /// Text with `{{first_name}}`, `{{name}}`, `{{subject}}`, `{{my_name}}`, `{{date}}`.
    pub body: String,
}

/// The organisation's templates (anyone but contractors sees them).
pub async fn templates(state: &AppState, caller: &Caller, org: OrgId) -> ApiResult<Vec<TemplateRecord>> {
    caller.may(org, Capability::ViewDirectory)?;
    Ok(state.store.mail_templates(org).await?)
}

/// Adds or replaces a template.
pub async fn put_template(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    f: &TemplateForm,
) -> ApiResult<TemplateRecord> {
    caller.may(org, Capability::ManageMailRules)?;
    correspond::check_template(&f.name, &f.subject, &f.body, &TEMPLATE_VARIABLES)?;
    let id = state
        .store
        .mail_template_put(
            org,
            &f.name,
            f.subject.trim(),
            &f.body,
            &caller.audit(Timestamp::now()),
        )
        .await?;
    state
        .store
        .mail_templates(org)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found("template"))
}

/// Removes a template.
pub async fn delete_template(state: &AppState, caller: &Caller, org: OrgId, id: TemplateId) -> ApiResult<()> {
    caller.may(org, Capability::ManageMailRules)?;
    hide(
        state
            .store
            .mail_template_delete(org, id, &caller.audit(Timestamp::now()))
            .await,
        "template",
    )
}

/// A draft to write.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftForm {
    /// In whose name it goes out (default: yourself, or your principal).
    #[serde(default)]
    pub person: Option<String>,
    /// The message it answers: recipients and subject follow from it when not given.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// A template to fill (by id or name).
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// An event whose invitation (iMIP) goes with it.
    #[serde(default)]
    pub event: Option<String>,
}

/// Edits to a draft before it is approved or sent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftEdit {
    #[serde(default)]
    pub to: Option<Vec<String>>,
    #[serde(default)]
    pub cc: Option<Vec<String>>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// A note for the author (with a rejection: the reason).
    #[serde(default)]
    pub note: Option<String>,
}

/// A draft as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftView {
    pub id: String,
    pub owner: String,
    pub owner_name: String,
    pub author_label: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub reply_to: Option<String>,
    pub event: Option<String>,
    /// draft, pending (waiting for the owner's approval), rejected, sent, failed.
    pub status: String,
    pub decided_label: String,
    pub decision_note: String,
    pub error: String,
    pub updated_at: String,
}

impl From<&DraftRecord> for DraftView {
    fn from(d: &DraftRecord) -> Self {
        Self {
            id: d.id.to_string(),
            owner: d.owner.to_string(),
            owner_name: d.owner_name.clone(),
            author_label: d.author_label.clone(),
            to: d.content.to.clone(),
            cc: d.content.cc.clone(),
            subject: d.content.subject.clone(),
            body: d.content.body.clone(),
            reply_to: d.reply_to.map(|m| m.to_string()),
            event: d.event.map(|e| e.to_string()),
            status: d.status.as_str().into(),
            decided_label: d.decided_label.clone(),
            decision_note: d.decision_note.clone(),
            error: d.error.clone(),
            updated_at: d.updated_at.to_string(),
        }
    }
}

fn addresses(list: &[String], field: &str) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for a in list
        .iter()
        .flat_map(|s| s.split([',', ';']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let a = a.to_lowercase();
        let ok = a.len() <= 254
            && !a.contains(char::is_whitespace)
            && a.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
        if !ok {
            return Err(ValidationError::field(field, format!("`{a}` is not an e-mail address")).into());
        }
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.len() > 100 {
        return Err(ValidationError::field(field, "at most 100 recipients").into());
    }
    Ok(out)
}

fn check_content(c: &DraftContent) -> ApiResult<()> {
    if c.to.is_empty() {
        return Err(ValidationError::field("to", "name at least one recipient").into());
    }
    if c.subject.chars().count() > 300 {
        return Err(ValidationError::field("subject", "must be at most 300 characters").into());
    }
    if c.body.trim().is_empty() || c.body.chars().count() > MAX_BODY_CHARS {
        return Err(
            ValidationError::field("body", format!("must be 1 to {MAX_BODY_CHARS} characters")).into(),
        );
    }
    Ok(())
}

/// Writes a draft. The owner's own draft waits for them to send it; a draft an
/// assistant writes for a principal waits for the principal's approval.
pub async fn create_draft(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    f: &DraftForm,
) -> ApiResult<DraftView> {
    let mb = mailbox(state, caller, org, f.person.as_deref(), Level::Act).await?;
    let now = Timestamp::now();
    let reply = match f.reply_to.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => {
            let id: MailId = id_of(s, "reply_to", "a message")?;
            let (m, owner) = message(state, caller, org, id, Level::Act).await?;
            if owner.id != mb.id {
                return Err(ValidationError::field("reply_to", "the message is in another mailbox").into());
            }
            Some(m)
        }
        None => None,
    };
    let template = match f.template.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(t) => {
            let all = state.store.mail_templates(org).await?;
            Some(
                all.into_iter()
                    .find(|x| x.id.to_string() == t.trim() || x.name.eq_ignore_ascii_case(t.trim()))
                    .ok_or_else(|| {
                        ValidationError::field("template", format!("no template `{}`", t.trim()))
                    })?,
            )
        }
        None => None,
    };
    let mut to = addresses(&f.to, "to")?;
    if to.is_empty()
        && let Some(m) = &reply
    {
        to.push(if m.direction == "out" {
            m.to.first().map(|a| a.email.clone()).unwrap_or_default()
        } else {
            m.from.email.clone()
        });
    }
    let cc = addresses(&f.cc, "cc")?;
    let recipient_name = reply
        .as_ref()
        .and_then(|m| m.from.name.clone())
        .or_else(|| to.first().cloned())
        .unwrap_or_default();
    let original_subject = reply.as_ref().map(|m| m.subject.clone()).unwrap_or_default();
    let zone = caller_zone(caller);
    let vars: BTreeMap<&str, String> = BTreeMap::from([
        (
            "first_name",
            recipient_name.split_whitespace().next().unwrap_or("").to_string(),
        ),
        ("name", recipient_name.clone()),
        ("subject", original_subject.clone()),
        ("my_name", mb.person_name.clone()),
        ("date", now.to_zoned(zone).date().to_string()),
    ]);
    let subject = match (&f.subject, &template, &reply) {
        (Some(s), _, _) if !s.trim().is_empty() => s.trim().to_string(),
        (_, Some(t), _) if !t.subject.trim().is_empty() => correspond::render(&t.subject, &vars)?,
        (_, _, Some(m)) => correspond::reply_subject(&m.subject),
        _ => String::new(),
    };
    let body = match (&f.body, &template) {
        (Some(b), _) if !b.trim().is_empty() => b.clone(),
        (_, Some(t)) => correspond::render(&t.body, &vars)?,
        _ => String::new(),
    };
    let content = DraftContent {
        to,
        cc,
        subject,
        body,
    };
    check_content(&content)?;
    let event = match f.event.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => {
            let id: EventId = id_of(s, "event", "an event")?;
            hide(state.store.event_get(org, id).await, "event")?;
            Some(id)
        }
        None => None,
    };
    let status = if is_owner(caller, mb.person) {
        DraftStatus::Draft
    } else {
        DraftStatus::Pending
    };
    let d = state
        .store
        .mail_draft_create(
            org,
            mb.id,
            &content,
            reply.map(|m| m.id),
            event,
            status,
            &caller.audit(now),
        )
        .await?;
    Ok(DraftView::from(&d))
}

/// Drafts of a mailbox: the approval queue (`pending`), or those in the given state.
pub async fn drafts(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
    status: Option<&str>,
) -> ApiResult<Vec<DraftView>> {
    let mb = mailbox(state, caller, org, person, Level::Read).await?;
    let statuses: Vec<DraftStatus> = match status.map(str::trim).unwrap_or("open") {
        "" | "open" => vec![
            DraftStatus::Draft,
            DraftStatus::Pending,
            DraftStatus::Failed,
            DraftStatus::Rejected,
        ],
        "draft" => vec![DraftStatus::Draft],
        "pending" => vec![DraftStatus::Pending],
        "rejected" => vec![DraftStatus::Rejected],
        "sent" => vec![DraftStatus::Sent],
        "failed" => vec![DraftStatus::Failed],
        other => {
            return Err(ValidationError::field(
                "status",
                format!("unknown status `{other}`; expected open, draft, pending, rejected, sent or failed"),
            )
            .into());
        }
    };
    Ok(state
        .store
        .mail_drafts(org, mb.id, &statuses)
        .await?
        .iter()
        .map(DraftView::from)
        .collect())
}

async fn draft(state: &AppState, caller: &Caller, org: OrgId, id: DraftId) -> ApiResult<DraftRecord> {
    let d = hide(state.store.mail_draft_get(org, id).await, "draft")?;
    if !works_for(caller, d.owner, Level::Read) {
        return Err(ApiError::not_found("draft"));
    }
    Ok(d)
}

/// One draft.
pub async fn get_draft(state: &AppState, caller: &Caller, org: OrgId, id: DraftId) -> ApiResult<DraftView> {
    Ok(DraftView::from(&draft(state, caller, org, id).await?))
}

fn edited(d: &DraftRecord, e: &DraftEdit) -> ApiResult<Option<DraftContent>> {
    if e.to.is_none() && e.cc.is_none() && e.subject.is_none() && e.body.is_none() {
        return Ok(None);
    }
    let c = DraftContent {
        to: match &e.to {
            Some(t) => addresses(t, "to")?,
            None => d.content.to.clone(),
        },
        cc: match &e.cc {
            Some(t) => addresses(t, "cc")?,
            None => d.content.cc.clone(),
        },
        subject: e
            .subject
            .clone()
            .map_or(d.content.subject.clone(), |s| s.trim().to_string()),
        body: e.body.clone().unwrap_or(d.content.body.clone()),
    };
    check_content(&c)?;
    Ok(Some(c))
}

/// Changes a draft still open. An assistant's change to a rejected draft puts
/// it back in the approval queue.
pub async fn update_draft(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: DraftId,
    e: &DraftEdit,
) -> ApiResult<DraftView> {
    let d = draft(state, caller, org, id).await?;
    if !works_for(caller, d.owner, Level::Act) {
        return Err(ApiError::forbidden(
            "reading this mail is shared with you, not writing it",
        ));
    }
    let content = edited(&d, e)?;
    let to = if is_owner(caller, d.owner) {
        DraftStatus::Draft
    } else {
        DraftStatus::Pending
    };
    let open = [
        DraftStatus::Draft,
        DraftStatus::Pending,
        DraftStatus::Rejected,
        DraftStatus::Failed,
    ];
    let r = state
        .store
        .mail_draft_move(
            org,
            id,
            &open,
            to,
            content.as_ref(),
            "",
            None,
            "",
            &caller.audit(Timestamp::now()),
        )
        .await?;
    Ok(DraftView::from(&r))
}

/// The owner turns down an assistant's draft, with a reason.
pub async fn reject_draft(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: DraftId,
    e: &DraftEdit,
) -> ApiResult<DraftView> {
    let d = draft(state, caller, org, id).await?;
    if !is_owner(caller, d.owner) {
        return Err(ApiError::forbidden(
            "only the person the draft speaks for approves or rejects it",
        ));
    }
    let note = e.note.as_deref().map(str::trim).unwrap_or("");
    if note.is_empty() {
        return Err(ValidationError::field("note", "say why, so the author can fix it").into());
    }
    let r = state
        .store
        .mail_draft_move(
            org,
            id,
            &[DraftStatus::Pending],
            DraftStatus::Rejected,
            None,
            note,
            None,
            "",
            &caller.audit(Timestamp::now()),
        )
        .await?;
    Ok(DraftView::from(&r))
}

fn relay(state: &AppState) -> ApiResult<SmtpRelay> {
    let c = &state.config;
    let Some(host) = c.smtp_host.clone().filter(|h| !h.trim().is_empty()) else {
        return Err(ApiError::conflict(
            "no SMTP relay is configured (set smtp_host, smtp_port and smtp_security); the draft stays as it is",
        ));
    };
    Ok(SmtpRelay {
        host,
        port: c.smtp_port,
        security: c.smtp_security.clone(),
        username: c.smtp_username.clone(),
        password: c.smtp_password.clone(),
    })
}

/// Sends a draft: the owner sends their own, or approves (with edits, if
/// given) one an assistant wrote. It goes through the SMTP relay with the
/// event's invitation attached, and is kept as sent mail so its follow-up is watched.
pub async fn send_draft(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: DraftId,
    e: &DraftEdit,
) -> ApiResult<DraftView> {
    let d = draft(state, caller, org, id).await?;
    if !is_owner(caller, d.owner) {
        return Err(ApiError::forbidden(
            "only the person the draft speaks for sends it; an assistant's draft waits for their approval",
        ));
    }
    let sendable = [DraftStatus::Draft, DraftStatus::Pending, DraftStatus::Failed];
    if !sendable.contains(&d.status) {
        return Err(ApiError::conflict(format!("the draft is {}", d.status.as_str())));
    }
    let edits = edited(&d, e)?;
    let content = edits.clone().unwrap_or(d.content.clone());
    check_content(&content)?;
    let now = Timestamp::now();
    let ctx = caller.audit(now);
    let relay = match relay(state) {
        Ok(r) => r,
        Err(err) => {
            // Keep the approver's edits for when a relay is set.
            if let Some(c) = &edits {
                state
                    .store
                    .mail_draft_move(org, id, &sendable, d.status, Some(c), "", None, "", &ctx)
                    .await?;
            }
            return Err(err);
        }
    };
    let mb = hide(state.store.mailbox_get(org, d.mailbox).await, "draft")?;
    let reply = match d.reply_to {
        Some(r) => state.store.mail_get(org, r).await.ok(),
        None => None,
    };
    let calendar = match d.event {
        Some(ev) => {
            let e = hide(state.store.event_get(org, ev).await, "event")?;
            let msgs = state.store.itip_list(org, &e.uid).await?;
            msgs.into_iter()
                .rev()
                .find(|m| {
                    m.method == "REQUEST" && content.to.iter().any(|t| t.eq_ignore_ascii_case(&m.recipient))
                })
                .map(|m| ("REQUEST".to_string(), m.ics))
        }
        None => None,
    };
    let out = Outgoing {
        from: format!("{} <{}>", mb.person_name, mb.address),
        to: content.to.clone(),
        cc: content.cc.clone(),
        subject: content.subject.clone(),
        text: content.body.clone(),
        in_reply_to: reply.as_ref().and_then(|m| m.message_id.clone()),
        references: reply
            .as_ref()
            .map(|m| {
                let mut r = m.references.clone();
                r.extend(m.message_id.clone());
                r
            })
            .unwrap_or_default(),
        calendar,
    };
    let domain = mb
        .address
        .rsplit_once('@')
        .map_or("localhost", |(_, d)| d)
        .to_string();
    let (_, raw) = smtp::build(&out, &domain).map_err(|e| ValidationError::field("draft", e.to_string()))?;
    // Claim the draft first, so two approvals at once cannot both send it.
    state
        .store
        .mail_draft_move(
            org,
            id,
            &sendable,
            DraftStatus::Pending,
            Some(&content),
            "",
            None,
            "",
            &ctx,
        )
        .await?;
    if let Err(err) = smtp::send(&relay, &out, &raw).await {
        let r = state
            .store
            .mail_draft_move(
                org,
                id,
                &[DraftStatus::Pending],
                DraftStatus::Failed,
                None,
                "",
                None,
                &err.to_string(),
                &ctx,
            )
            .await?;
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_GATEWAY,
            "send_failed",
            format!("{err}; the draft is kept ({})", r.status.as_str()),
        ));
    }
    let mut t = Triager::load(state, org, mb).await?;
    let sent = match t.ingest(state, &raw, None, &[]).await {
        Ok(Stored::New(m) | Stored::Duplicate(m)) => Some(m),
        Err(_) => None,
    };
    let r = state
        .store
        .mail_draft_move(
            org,
            id,
            &[DraftStatus::Pending],
            DraftStatus::Sent,
            None,
            "",
            sent,
            "",
            &ctx,
        )
        .await?;
    Ok(DraftView::from(&r))
}

// ---------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------

/// A contact as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: String,
    pub owner: String,
    pub name: String,
    pub emails: Vec<String>,
    pub organization: String,
    pub title: String,
    pub phones: Vec<String>,
    pub notes: String,
    pub cadence_days: Option<u32>,
    pub stakeholder: bool,
    pub last_in_at: Option<String>,
    pub last_out_at: Option<String>,
    pub last_met_at: Option<String>,
    pub next_meeting_at: Option<String>,
    /// Days past the keep-in-touch cadence (0: due today), if due.
    pub overdue_days: Option<i64>,
}

fn last_interaction(c: &ContactRecord) -> Option<Timestamp> {
    [c.last_in_at, c.last_out_at, c.last_met_at]
        .into_iter()
        .flatten()
        .max()
}

fn contact_view(c: &ContactRecord, now: Timestamp) -> ContactView {
    ContactView {
        id: c.id.to_string(),
        owner: c.owner.to_string(),
        name: c.name.clone(),
        emails: c.emails.clone(),
        organization: c.organization.clone(),
        title: c.title.clone(),
        phones: c.phones.clone(),
        notes: c.notes.clone(),
        cadence_days: c.cadence_days,
        stakeholder: c.stakeholder,
        last_in_at: c.last_in_at.map(|t| t.to_string()),
        last_out_at: c.last_out_at.map(|t| t.to_string()),
        last_met_at: c.last_met_at.map(|t| t.to_string()),
        next_meeting_at: c.next_meeting_at.map(|t| t.to_string()),
        overdue_days: correspond::keep_in_touch_overdue(
            last_interaction(c),
            c.next_meeting_at,
            c.cadence_days,
            now,
        ),
    }
}

/// Brings contacts up to date with the owner's calendar: the last meeting
/// with each attendee in the past year and the next in the coming 90 days.
async fn refresh_meetings(state: &AppState, org: OrgId, mb: &MailboxRecord) -> ApiResult<()> {
    let now = Timestamp::now();
    let window = TimeRange {
        start: now - SignedDuration::from_hours(24 * 365),
        end: now + SignedDuration::from_hours(24 * 90),
    };
    let mut seen: BTreeMap<String, (String, Option<Timestamp>, Option<Timestamp>)> = BTreeMap::new();
    for e in state
        .store
        .events_in_range(org, &EventScope::Person(mb.person), window)
        .await?
    {
        let start = e.starts_at;
        for a in &e.data.attendees {
            let Some(m) = a.email.as_deref().map(str::to_lowercase) else {
                continue;
            };
            if m == mb.address {
                continue;
            }
            let entry = seen.entry(m).or_insert_with(|| (a.name.clone(), None, None));
            if start <= now {
                entry.1 = entry.1.max(Some(start));
            } else {
                entry.2 = Some(entry.2.map_or(start, |n| n.min(start)));
            }
        }
    }
    Ok(state.store.contacts_meetings(org, mb.person, &seen, now).await?)
}

/// A person's contacts, brought up to date with their calendar.
pub async fn contacts(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<Vec<ContactView>> {
    let mb = mailbox(state, caller, org, person, Level::Read).await?;
    refresh_meetings(state, org, &mb).await?;
    let now = Timestamp::now();
    Ok(state
        .store
        .contacts(org, mb.person)
        .await?
        .iter()
        .map(|c| contact_view(c, now))
        .collect())
}

/// Contacts due for keeping in touch, most overdue first (stakeholders first among equals).
pub async fn contacts_due(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<Vec<ContactView>> {
    let mut list: Vec<ContactView> = contacts(state, caller, org, person)
        .await?
        .into_iter()
        .filter(|c| c.overdue_days.is_some())
        .collect();
    list.sort_by(|a, b| {
        b.overdue_days
            .cmp(&a.overdue_days)
            .then(b.stakeholder.cmp(&a.stakeholder))
            .then(a.name.cmp(&b.name))
    });
    Ok(list)
}

/// A contact with the latest mail each way.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactDetail {
    #[serde(flatten)]
    pub contact: ContactView,
    pub messages: Vec<MailItem>,
}

async fn contact(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ContactId,
    need: Level,
) -> ApiResult<ContactRecord> {
    let c = hide(state.store.contact_get(org, id).await, "contact")?;
    if !works_for(caller, c.owner, Level::Read) {
        return Err(ApiError::not_found("contact"));
    }
    if !works_for(caller, c.owner, need) {
        return Err(ApiError::forbidden(
            "reading these contacts is shared with you, not changing them",
        ));
    }
    Ok(c)
}

/// One contact and its history.
pub async fn get_contact(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ContactId,
) -> ApiResult<ContactDetail> {
    let c = contact(state, caller, org, id, Level::Read).await?;
    let mut messages = Vec::new();
    if let Some(mb) = state.store.mailbox_of(org, c.owner).await? {
        for e in &c.emails {
            messages.extend(state.store.mail_with(org, mb.id, e, 20).await?);
        }
    }
    messages.sort_by_key(|m| std::cmp::Reverse(m.sent_at));
    messages.dedup_by(|a, b| a.id == b.id);
    Ok(ContactDetail {
        contact: contact_view(&c, Timestamp::now()),
        messages: messages.iter().take(20).map(MailItem::from).collect(),
    })
}

/// Changes to a contact.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactForm {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub phones: Option<Vec<String>>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Keep in touch every N days (1–730); 0 clears it.
    #[serde(default)]
    pub cadence_days: Option<u32>,
    /// One of the principal's stakeholders.
    #[serde(default)]
    pub stakeholder: Option<bool>,
}

/// Changes a contact's details, cadence or stakeholder flag.
pub async fn update_contact(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    id: ContactId,
    f: &ContactForm,
) -> ApiResult<ContactView> {
    contact(state, caller, org, id, Level::Act).await?;
    if let Some(n) = &f.name
        && (n.trim().is_empty() || n.chars().count() > 200)
    {
        return Err(ValidationError::field("name", "must be 1 to 200 characters").into());
    }
    if let Some(d) = f.cadence_days
        && d > 730
    {
        return Err(ValidationError::field("cadence_days", "must be 0 (none) to 730 days").into());
    }
    if f.notes.as_ref().is_some_and(|n| n.chars().count() > 20_000) {
        return Err(ValidationError::field("notes", "must be at most 20000 characters").into());
    }
    let p = ContactPatch {
        name: f.name.as_ref().map(|s| s.trim().to_string()),
        organization: f.organization.as_ref().map(|s| s.trim().to_string()),
        title: f.title.as_ref().map(|s| s.trim().to_string()),
        phones: f.phones.clone(),
        notes: f.notes.clone(),
        cadence_days: f.cadence_days.map(|d| (d > 0).then_some(d)),
        stakeholder: f.stakeholder,
    };
    let c = state
        .store
        .contact_update(org, id, &p, &caller.audit(Timestamp::now()))
        .await?;
    Ok(contact_view(&c, Timestamp::now()))
}

/// Merges one contact into another (the same person's).
pub async fn merge_contacts(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    into: ContactId,
    from: &str,
) -> ApiResult<ContactView> {
    let from: ContactId = id_of(from, "from", "a contact")?;
    let a = contact(state, caller, org, into, Level::Act).await?;
    let b = contact(state, caller, org, from, Level::Act).await?;
    if a.owner != b.owner {
        return Err(ValidationError::field("from", "both contacts must be the same person's").into());
    }
    let c = state
        .store
        .contact_merge(org, into, from, &caller.audit(Timestamp::now()))
        .await?;
    Ok(contact_view(&c, Timestamp::now()))
}

/// What a vCard import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VcardImport {
    pub created: usize,
    pub updated: usize,
}

/// Imports a `.vcf` file into a person's contacts: a card with an address
/// already known fills in that contact. All or nothing.
pub async fn import_vcards(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
    text: &str,
) -> ApiResult<VcardImport> {
    let mb = mailbox(state, caller, org, person, Level::Act).await?;
    let cards = vcard::read(text).map_err(|e| ValidationError::field("file", e.to_string()))?;
    let list: Vec<NewContact> = cards
        .into_iter()
        .map(|c| NewContact {
            name: if c.name.trim().is_empty() {
                c.emails.first().cloned().unwrap_or_default()
            } else {
                c.name
            },
            emails: c.emails,
            organization: c.organization.unwrap_or_default(),
            title: c.title.unwrap_or_default(),
            phones: c.phones,
            notes: c.note.unwrap_or_default(),
        })
        .collect();
    let (created, updated) = state
        .store
        .contacts_import(org, mb.person, &list, &caller.audit(Timestamp::now()))
        .await?;
    Ok(VcardImport { created, updated })
}

/// A person's contacts as a vCard 4.0 file.
pub async fn export_vcards(
    state: &AppState,
    caller: &Caller,
    org: OrgId,
    person: Option<&str>,
) -> ApiResult<String> {
    let mb = mailbox(state, caller, org, person, Level::Read).await?;
    let cards: Vec<vcard::Card> = state
        .store
        .contacts(org, mb.person)
        .await?
        .into_iter()
        .map(|c| vcard::Card {
            name: c.name,
            emails: c.emails,
            phones: c.phones,
            organization: (!c.organization.is_empty()).then_some(c.organization),
            title: (!c.title.is_empty()).then_some(c.title),
            note: (!c.notes.is_empty()).then_some(c.notes),
        })
        .collect();
    Ok(vcard::write(&cards))
}
