//! IMAP sync (RFC 9051 / 3501) of one mailbox, incremental by UIDVALIDITY and UID.
//!
//! A sync logs in, selects the folder, learns every UID with its flags, and
//! reports what changed against the caller's [`Cursor`]: a UIDVALIDITY change
//! (everything known is void), messages expunged, flags changed, and new
//! messages in UID order, fetched with `BODY.PEEK[]` so reading never marks
//! them seen. Each event is awaited through the caller before the next, so what
//! was applied stays applied when the connection drops and the next sync
//! resumes without duplicates.
//!
//! `async-imap` carries the connection and login; the commands after login are
//! driven here response by response, because its fetch stream ends quietly on a
//! dropped connection or a `NO`, and a sync that mistook a cut-off UID list for
//! a complete one would report live messages as expunged.

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response, ResponseCode, Status};
use async_imap::{Client, Session};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// How long connecting (TCP, TLS and the greeting) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one command (with all its responses) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// New messages fetched per `UID FETCH`.
pub const BATCH: usize = 50;

/// Where and how to connect.
#[derive(Clone)]
pub struct ImapAccount {
    /// The server's host name (also the name its TLS certificate must carry).
    pub host: String,
    /// 993 for implicit TLS, 143 for plain.
    pub port: u16,
    /// Implicit TLS (port 993); off only for loopback servers in tests.
    pub tls: bool,
    /// The login name.
    pub username: String,
    /// The password, sent with `LOGIN` (inside TLS unless `tls` is off).
    pub password: String,
    /// The folder to sync, usually `INBOX`.
    pub folder: String,
}

impl std::fmt::Debug for ImapAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapAccount")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

/// What the store remembers between syncs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The folder's UIDVALIDITY at the last sync; none before the first.
    pub uidvalidity: Option<u32>,
    /// Every UID stored, with its flags as last seen.
    pub known: std::collections::BTreeMap<u32, Vec<String>>,
}

impl Cursor {
    /// Applies one event the way a store would: the state after it.
    pub fn apply(&mut self, event: &SyncEvent) {
        match event {
            SyncEvent::Reset { uidvalidity } => {
                self.uidvalidity = Some(*uidvalidity);
                self.known.clear();
            }
            SyncEvent::New { uid, flags, .. } | SyncEvent::Flags { uid, flags } => {
                self.known.insert(*uid, flags.clone());
            }
            SyncEvent::Expunged { uid } => {
                self.known.remove(uid);
            }
        }
    }
}

/// One change the server reported, applied by the caller (who commits it
/// before the next arrives, so a sync cut short resumes where it stopped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    /// UIDVALIDITY changed (or this is the first sync): forget every UID known.
    Reset { uidvalidity: u32 },
    /// A message not seen before.
    New {
        uid: u32,
        flags: Vec<String>,
        raw: Vec<u8>,
    },
    /// A known message's flags changed.
    Flags { uid: u32, flags: Vec<String> },
    /// A known message is gone from the server.
    Expunged { uid: u32 },
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached, the TLS handshake failed, or the connection dropped.
    #[error("cannot connect to {0}")]
    Connect(String),
    /// The server refused the credentials (its own words).
    #[error("the server refused the login: {0}")]
    Login(String),
    /// The server answered `NO` or `BAD`, or something that is not IMAP.
    #[error("the server answered with an error: {0}")]
    Protocol(String),
    /// The caller could not apply an event.
    #[error("{0}")]
    Apply(String),
}

/// Counts of what one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub new: usize,
    pub flags: usize,
    pub expunged: usize,
    pub reset: bool,
}

/// Syncs `account`'s folder from `cursor`, handing each change to `apply`.
pub async fn sync<F>(account: &ImapAccount, cursor: &Cursor, apply: F) -> Result<SyncReport, SyncError>
where
    F: AsyncFnMut(SyncEvent) -> Result<(), String>,
{
    let target = format!("{}:{}", account.host, account.port);
    let tcp = within(CONNECT_TIMEOUT, &target, async {
        TcpStream::connect((account.host.as_str(), account.port))
            .await
            .map_err(|e| SyncError::Connect(format!("{target}: {e}")))
    })
    .await?;
    let _ = tcp.set_nodelay(true);
    if account.tls {
        let name = rustls::pki_types::ServerName::try_from(account.host.clone())
            .map_err(|_| SyncError::Connect(format!("{target}: `{}` is not a host name", account.host)))?;
        let tls = within(CONNECT_TIMEOUT, &target, async {
            tokio_rustls::TlsConnector::from(tls_config())
                .connect(name, tcp)
                .await
                .map_err(|e| SyncError::Connect(format!("{target}: TLS: {e}")))
        })
        .await?;
        run(Client::new(tls), account, cursor, apply, &target).await
    } else {
        run(Client::new(tcp), account, cursor, apply, &target).await
    }
}

/// The flags of a message as stored: system and keyword flags, sorted, without
/// `\Recent` (which only says whether this session is the first to see it).
pub fn normalise_flags<S: AsRef<str>>(flags: &[S]) -> Vec<String> {
    let set: BTreeSet<String> = flags
        .iter()
        .map(|f| f.as_ref().to_string())
        .filter(|f| !f.eq_ignore_ascii_case("\\Recent"))
        .collect();
    set.into_iter().collect()
}

/// Runs a sync over an established connection.
async fn run<T, F>(
    mut client: Client<T>,
    account: &ImapAccount,
    cursor: &Cursor,
    mut apply: F,
    target: &str,
) -> Result<SyncReport, SyncError>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    F: AsyncFnMut(SyncEvent) -> Result<(), String>,
{
    // The greeting: `* OK`, or `* BYE` from a server that will not serve us.
    let greeting = within(CONNECT_TIMEOUT, target, async {
        client
            .read_response()
            .await
            .map_err(|e| SyncError::Connect(format!("{target}: {e}")))
    })
    .await?;
    match greeting.as_ref().map(|g| g.parsed()) {
        None => return Err(SyncError::Connect(format!("{target}: closed before greeting"))),
        Some(Response::Data {
            status: Status::Ok | Status::PreAuth,
            ..
        }) => {}
        Some(Response::Data { outcome, .. }) => {
            return Err(SyncError::Connect(format!(
                "{target}: {}",
                outcome
                    .information
                    .as_deref()
                    .unwrap_or("the server refused the connection")
            )));
        }
        Some(_) => return Err(SyncError::Protocol("the greeting is not IMAP".into())),
    }

    let login = within(COMMAND_TIMEOUT, target, async {
        Ok(client.login(&account.username, &account.password).await)
    })
    .await?;
    let mut session = match login {
        Ok(s) => s,
        Err((async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m), _)) => {
            return Err(SyncError::Login(server_words(&m)));
        }
        Err((async_imap::error::Error::Validate(e), _)) => {
            return Err(SyncError::Login(format!(
                "the user name or password cannot be sent: {e}"
            )));
        }
        Err((e, _)) => return Err(lost(target, &e.to_string())),
    };

    let report = changes(&mut session, account, cursor, &mut apply, target).await?;
    // The work is done and applied; a server that fumbles LOGOUT changes nothing.
    let _ = tokio::time::timeout(
        COMMAND_TIMEOUT,
        command(&mut session, "LOGOUT", target, |_| Ok(())),
    )
    .await;
    Ok(report)
}

/// Selects the folder, compares with the cursor and applies every change.
async fn changes<T, F>(
    session: &mut Session<T>,
    account: &ImapAccount,
    cursor: &Cursor,
    apply: &mut F,
    target: &str,
) -> Result<SyncReport, SyncError>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
    F: AsyncFnMut(SyncEvent) -> Result<(), String>,
{
    let mut report = SyncReport::default();
    let mut uidvalidity = None;
    let mut exists = None;
    let select = format!("SELECT {}", quoted(&folder_name(&account.folder))?);
    command(session, &select, target, |r| {
        match r {
            Response::Data { outcome, .. } => {
                if let Some(ResponseCode::UidValidity(v)) = outcome.code {
                    uidvalidity = Some(v);
                }
            }
            Response::MailboxData(MailboxDatum::Exists(n)) => exists = Some(*n),
            _ => {}
        }
        Ok(())
    })
    .await?;
    let Some(uidvalidity) = uidvalidity else {
        return Err(SyncError::Protocol(format!(
            "SELECT {} gave no UIDVALIDITY",
            account.folder
        )));
    };

    let empty = BTreeMap::new();
    let known = if cursor.uidvalidity == Some(uidvalidity) {
        &cursor.known
    } else {
        give(apply, SyncEvent::Reset { uidvalidity }).await?;
        report.reset = true;
        &empty
    };

    // Every UID on the server with its flags.
    let mut server: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    if exists != Some(0) {
        command(session, "UID FETCH 1:* (UID FLAGS)", target, |r| {
            if let Response::Fetch(_, attrs) = r {
                let (uid, flags, _) = attributes(attrs);
                if let Some(uid) = uid {
                    server.insert(uid, normalise_flags(&flags.unwrap_or_default()));
                }
            }
            Ok(())
        })
        .await?;
    }

    for uid in known.keys() {
        if !server.contains_key(uid) {
            give(apply, SyncEvent::Expunged { uid: *uid }).await?;
            report.expunged += 1;
        }
    }
    for (uid, flags) in &server {
        if let Some(before) = known.get(uid)
            && normalise_flags(before) != *flags
        {
            give(
                apply,
                SyncEvent::Flags {
                    uid: *uid,
                    flags: flags.clone(),
                },
            )
            .await?;
            report.flags += 1;
        }
    }

    let new: Vec<u32> = server
        .keys()
        .filter(|u| !known.contains_key(u))
        .copied()
        .collect();
    for batch in new.chunks(BATCH) {
        let set = uid_set(batch);
        let mut got: BTreeMap<u32, (Vec<String>, Vec<u8>)> = BTreeMap::new();
        command(
            session,
            &format!("UID FETCH {set} (UID FLAGS BODY.PEEK[])"),
            target,
            |r| {
                if let Response::Fetch(_, attrs) = r {
                    let (uid, flags, body) = attributes(attrs);
                    // A server may send unsolicited FETCH responses (a flag
                    // changed by another client); only full answers count.
                    if let (Some(uid), Some(body)) = (uid, body) {
                        let flags = flags.map(|f| normalise_flags(&f));
                        let flags = flags.or_else(|| server.get(&uid).cloned()).unwrap_or_default();
                        got.insert(uid, (flags, body));
                    }
                }
                Ok(())
            },
        )
        .await?;
        // A message expunged between the two fetches is simply not there.
        for (uid, (flags, raw)) in got {
            give(apply, SyncEvent::New { uid, flags, raw }).await?;
            report.new += 1;
        }
    }
    Ok(report)
}

/// Hands one event to the caller and waits until it is applied.
async fn give<F>(apply: &mut F, event: SyncEvent) -> Result<(), SyncError>
where
    F: AsyncFnMut(SyncEvent) -> Result<(), String>,
{
    apply(event).await.map_err(SyncError::Apply)
}

/// Sends one command and reads every response up to its tagged completion,
/// showing each untagged one to `each`. `NO` and `BAD` become
/// [`SyncError::Protocol`] in the server's words; end of stream, an I/O error
/// or `BYE` before completion means the connection is lost.
async fn command<T>(
    session: &mut Session<T>,
    cmd: &str,
    target: &str,
    mut each: impl FnMut(&Response<'_>) -> Result<(), SyncError>,
) -> Result<(), SyncError>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let verb = cmd
        .split(' ')
        .take(if cmd.starts_with("UID ") { 2 } else { 1 })
        .collect::<Vec<_>>()
        .join(" ");
    let work = async {
        let tag = session
            .run_command(cmd)
            .await
            .map_err(|e| lost(target, &e.to_string()))?;
        loop {
            let response = session
                .read_response()
                .await
                .map_err(|e| lost(target, &e.to_string()))?
                .ok_or_else(|| lost(target, "the server closed the connection"))?;
            match response.parsed() {
                Response::Done {
                    tag: done,
                    status,
                    outcome,
                } if *done == tag => {
                    let words = text_of(outcome.information.as_deref());
                    return match status {
                        Status::Ok => Ok(()),
                        Status::No => Err(SyncError::Protocol(format!("{verb} refused (NO): {words}"))),
                        _ => Err(SyncError::Protocol(format!("{verb} rejected (BAD): {words}"))),
                    };
                }
                Response::Data {
                    status: Status::Bye,
                    outcome,
                } if !cmd.eq_ignore_ascii_case("LOGOUT") => {
                    let words = text_of(outcome.information.as_deref());
                    return Err(lost(target, &format!("the server said goodbye: {words}")));
                }
                other => each(other)?,
            }
        }
    };
    match tokio::time::timeout(COMMAND_TIMEOUT, work).await {
        Ok(r) => r,
        Err(_) => Err(SyncError::Connect(format!(
            "{target}: no answer to {verb} within {} s",
            COMMAND_TIMEOUT.as_secs()
        ))),
    }
}

/// UID, flags and body of one FETCH response.
fn attributes(attrs: &[AttributeValue<'_>]) -> (Option<u32>, Option<Vec<String>>, Option<Vec<u8>>) {
    let mut uid = None;
    let mut flags = None;
    let mut body = None;
    for a in attrs {
        match a {
            AttributeValue::Uid(u) => uid = Some(*u),
            AttributeValue::Flags(f) => flags = Some(f.iter().map(|f| f.to_string()).collect()),
            AttributeValue::BodySection {
                section: None, data, ..
            }
            | AttributeValue::Rfc822(data) => body = Some(data.as_deref().unwrap_or_default().to_vec()),
            _ => {}
        }
    }
    (uid, flags, body)
}

/// A UID set in IMAP syntax, runs collapsed (`1:3,7`); `uids` ascending.
fn uid_set(uids: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            end = uids[i + 1];
            i += 1;
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        });
        i += 1;
    }
    out.join(",")
}

/// A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3): printable ASCII
/// as itself (`&` as `&-`), each run of other characters as its UTF-16BE in
/// base64 (`,` for `/`, no padding) between `&` and `-`. `Entwürfe` is
/// `Entw&APw-rfe`.
pub fn folder_name(s: &str) -> String {
    fn flush(run: &mut Vec<u16>, out: &mut String) {
        if run.is_empty() {
            return;
        }
        let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&data_encoding::BASE64_NOPAD.encode(&bytes).replace('/', ","));
        out.push('-');
        run.clear();
    }
    let mut out = String::with_capacity(s.len());
    let mut run = Vec::new();
    for c in s.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut run, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A folder name as an IMAP quoted string.
fn quoted(s: &str) -> Result<String, SyncError> {
    if s.is_empty() || s.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
        return Err(SyncError::Protocol(format!(
            "the folder name {s:?} cannot be sent"
        )));
    }
    Ok(format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
}

/// The human text of an error async-imap formats as `code: …, info: Some("…")`.
fn server_words(m: &str) -> String {
    match m.split_once("info: Some(\"") {
        Some((_, rest)) => text_of(Some(
            &rest
                .strip_suffix("\")")
                .unwrap_or(rest)
                .replace("\\\"", "\"")
                .replace("\\\\", "\\"),
        )),
        None => m.to_string(),
    }
}

/// A response's human text, without a response code the parser left in it
/// (`[AUTHENTICATIONFAILED] Authentication failed.` → `Authentication failed.`).
fn text_of(information: Option<&str>) -> String {
    let t = information.unwrap_or("").trim();
    match t.strip_prefix('[').and_then(|rest| rest.split_once("] ")) {
        Some((_, words)) => words.trim().to_string(),
        None => t.to_string(),
    }
}

fn lost(target: &str, why: &str) -> SyncError {
    SyncError::Connect(format!("{target}: connection lost: {why}"))
}

/// Runs `f` with a time limit, a timeout being a connection failure.
async fn within<T>(
    limit: Duration,
    target: &str,
    f: impl Future<Output = Result<T, SyncError>>,
) -> Result<T, SyncError> {
    tokio::time::timeout(limit, f).await.unwrap_or_else(|_| {
        Err(SyncError::Connect(format!(
            "{target}: timed out after {} s",
            limit.as_secs()
        )))
    })
}

/// The TLS client configuration: the `ring` provider and the system's trust
/// roots, built once.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            // Certificates the system offers but rustls cannot read are skipped;
            // a server whose chain needs one fails its handshake with a clear error.
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|b| b.with_root_certificates(roots).with_no_client_auth());
            match config {
                Ok(c) => Arc::new(c),
                // The ring provider supports the default versions; this arm
                // keeps the function total without a panic.
                Err(_) => Arc::new(
                    rustls::ClientConfig::builder()
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth(),
                ),
            }
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_collapse_runs() {
        assert_eq!(uid_set(&[1, 2, 3, 7, 9, 10]), "1:3,7,9:10");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn flags_are_sorted_without_recent() {
        assert_eq!(
            normalise_flags(&["\\Seen", "\\Recent", "$Label", "\\Flagged"]),
            vec!["$Label", "\\Flagged", "\\Seen"]
        );
    }

    #[test]
    fn server_words_are_extracted() {
        assert_eq!(
            server_words("code: Some(AuthenticationFailed), info: Some(\"Authentication failed.\")"),
            "Authentication failed."
        );
        assert_eq!(server_words("plain"), "plain");
        assert_eq!(
            server_words("code: None, info: Some(\"[AUTHENTICATIONFAILED] Authentication failed.\")"),
            "Authentication failed."
        );
        assert_eq!(text_of(Some("[ALERT] Read this")), "Read this");
    }

    #[test]
    fn folder_names_are_modified_utf7() {
        // RFC 3501 §5.1.3's example, and names mail clients make.
        assert_eq!(
            folder_name("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(folder_name("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(folder_name("Отправленные"), "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-");
        assert_eq!(folder_name("Q&A"), "Q&-A");
        assert_eq!(folder_name("INBOX"), "INBOX");
        // Outside the BMP: a surrogate pair in one run.
        assert_eq!(folder_name("📁 Archive"), "&2D3cwQ- Archive");
    }

    #[test]
    fn folder_names_are_quoted() {
        assert_eq!(quoted("INBOX").ok().as_deref(), Some("\"INBOX\""));
        assert_eq!(quoted("a\"b").ok().as_deref(), Some("\"a\\\"b\""));
        assert!(quoted("a\r\nb").is_err());
    }
}
