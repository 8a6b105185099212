//! IMAP sync against a real server: each test starts its own Dovecot on
//! 127.0.0.1 (a throwaway config, maildir and user in a temp directory), puts
//! mail in with APPEND, and syncs into an in-memory cursor the way the store
//! does. Without `dovecot` installed the tests print one line and pass, unless
//! `ADJUTANT_TEST_REQUIRE_IMAP=1`. A small proxy that cuts the connection and a
//! fake server answering `NO`/`BAD` cover what a healthy server never does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout)]

use adjutant_server::mail::imap::{self, Cursor, ImapAccount, SyncError, SyncEvent, SyncReport};
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const USER: &str = "ada";
const PASSWORD: &str = "correct horse";

/// A Dovecot instance of our own; stopped and cleaned up when dropped.
struct Dovecot {
    child: Child,
    dir: PathBuf,
    conf: PathBuf,
    binary: PathBuf,
    port: u16,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new(&self.binary)
            .arg("-c")
            .arg(&self.conf)
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn dovecot_binary() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    dirs.into_iter().map(|d| d.join("dovecot")).find(|p| p.is_file())
}

/// Dovecot, or `None` (the test then passes) when it is not installed.
async fn dovecot() -> Option<Dovecot> {
    let Some(binary) = dovecot_binary() else {
        if std::env::var("ADJUTANT_TEST_REQUIRE_IMAP").as_deref() == Ok("1") {
            panic!("dovecot is not installed and ADJUTANT_TEST_REQUIRE_IMAP=1");
        }
        static SAID: Once = Once::new();
        SAID.call_once(|| println!("skipped: dovecot not installed"));
        return None;
    };
    Some(start(binary).await)
}

async fn start(binary: PathBuf) -> Dovecot {
    use std::os::unix::fs::MetadataExt;
    let dir = std::env::temp_dir().join(format!(
        "adjutant-imap-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    for d in ["run", "state", "mail", "home"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    // Dovecot's login processes and so its base_dir must be reachable by its own users.
    set_mode(&dir, 0o755);
    let meta = std::fs::metadata(&dir).unwrap();
    // Dovecot never runs mail processes as root: as root, mail belongs to
    // nobody; otherwise to whoever runs the tests (who then also runs the
    // login and internal processes).
    let (uid, gid, users) = if meta.uid() == 0 {
        for d in ["mail", "home"] {
            std::os::unix::fs::chown(dir.join(d), Some(65534), Some(65534)).unwrap();
        }
        (65534, 65534, String::new())
    } else {
        let name = std::env::var("USER").unwrap_or_else(|_| "nobody".into());
        (
            meta.uid(),
            meta.gid(),
            format!("default_internal_user = {name}\ndefault_login_user = {name}\n"),
        )
    };
    let port = free_port().await;
    let d = dir.display();
    let conf = dir.join("dovecot.conf");
    std::fs::write(
        &conf,
        format!(
            "protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
first_valid_gid = 1
{users}mail_location = maildir:{d}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
    let child = Command::new(&binary)
        .arg("-F")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Dovecot {
        child,
        dir,
        conf,
        binary,
        port,
    };
    // Ready when a login goes through (the auth process starts after the listener).
    for _ in 0..100 {
        if let Ok(mut s) = session(&server.account("INBOX")).await {
            let _ = s.logout().await;
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = std::fs::read_to_string(server.dir.join("dovecot.log")).unwrap_or_default();
    panic!("dovecot did not come up:\n{log}");
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

async fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Dovecot {
    fn account(&self, folder: &str) -> ImapAccount {
        ImapAccount {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: false,
            username: USER.into(),
            password: PASSWORD.into(),
            folder: folder.into(),
        }
    }
}

type Session = async_imap::Session<TcpStream>;

/// A client session of our own, for putting mail in and changing it.
async fn session(a: &ImapAccount) -> Result<Session, String> {
    let tcp = TcpStream::connect((a.host.as_str(), a.port))
        .await
        .map_err(|e| e.to_string())?;
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.map_err(|e| e.to_string())?;
    client
        .login(&a.username, &a.password)
        .await
        .map_err(|(e, _)| e.to_string())
}

fn message(n: usize, padding: usize) -> Vec<u8> {
    format!(
        "From: Bob <bob@example.org>\r\nTo: Ada <ada@example.org>\r\nSubject: Message {n}\r\n\
         Message-ID: <m{n}@example.org>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\n\
         Body of message {n}.\r\n{}\r\n",
        "x".repeat(padding)
    )
    .into_bytes()
}

async fn append(s: &mut Session, folder: &str, from: usize, count: usize, padding: usize) {
    for n in from..from + count {
        s.append(folder, None, None, message(n, padding)).await.unwrap();
    }
}

async fn store(s: &mut Session, folder: &str, uid: u32, change: &str) {
    s.select(folder).await.unwrap();
    let updates: Vec<_> = s
        .uid_store(uid.to_string(), change)
        .await
        .unwrap()
        .collect()
        .await;
    assert!(updates.iter().all(|u| u.is_ok()));
}

/// Everything one sync handed over, and what it left.
struct Synced {
    events: Vec<SyncEvent>,
    result: Result<SyncReport, SyncError>,
}

/// Syncs into `cursor` the way the store does: each event applied as it comes.
async fn sync(a: &ImapAccount, cursor: &mut Cursor) -> Synced {
    let from = cursor.clone();
    let mut events = Vec::new();
    let result = imap::sync(a, &from, async |e: SyncEvent| {
        cursor.apply(&e);
        events.push(e);
        Ok(())
    })
    .await;
    Synced { events, result }
}

fn new_uids(events: &[SyncEvent]) -> Vec<u32> {
    events
        .iter()
        .filter_map(|e| match e {
            SyncEvent::New { uid, .. } => Some(*uid),
            _ => None,
        })
        .collect()
}

fn subject_of(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    text.lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn initial_sync_new_mail_flags_and_expunge() {
    let Some(server) = dovecot().await else { return };
    let inbox = server.account("INBOX");
    let mut s = session(&inbox).await.unwrap();
    append(&mut s, "INBOX", 1, 3, 0).await;
    s.append("INBOX", Some("(\\Seen \\Flagged)"), None, message(4, 0))
        .await
        .unwrap();

    // Initial sync: a reset, then every message in UID order with its flags.
    let mut cursor = Cursor::default();
    let first = sync(&inbox, &mut cursor).await;
    let report = first.result.unwrap();
    assert!(report.reset);
    assert_eq!(report.new, 4);
    assert!(matches!(first.events[0], SyncEvent::Reset { .. }));
    assert_eq!(new_uids(&first.events), vec![1, 2, 3, 4]);
    let subjects: Vec<String> = first.events[1..]
        .iter()
        .map(|e| match e {
            SyncEvent::New { raw, .. } => subject_of(raw),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(subjects, ["Message 1", "Message 2", "Message 3", "Message 4"]);
    assert_eq!(cursor.known[&1], Vec::<String>::new());
    assert_eq!(cursor.known[&4], vec!["\\Flagged", "\\Seen"]);

    // Fetching never marked anything read.
    let again = sync(&inbox, &mut cursor).await;
    assert_eq!(again.result.unwrap(), SyncReport::default());
    assert!(again.events.is_empty());

    // New mail: only the new ones.
    append(&mut s, "INBOX", 5, 2, 0).await;
    let more = sync(&inbox, &mut cursor).await;
    assert_eq!(more.result.unwrap().new, 2);
    assert_eq!(new_uids(&more.events), vec![5, 6]);

    // Flag changes are seen as such.
    store(&mut s, "INBOX", 2, "+FLAGS (\\Seen)").await;
    store(&mut s, "INBOX", 4, "-FLAGS (\\Seen)").await;
    let flags = sync(&inbox, &mut cursor).await;
    assert_eq!(
        flags.events,
        vec![
            SyncEvent::Flags {
                uid: 2,
                flags: vec!["\\Seen".into()]
            },
            SyncEvent::Flags {
                uid: 4,
                flags: vec!["\\Flagged".into()]
            },
        ]
    );

    // A deleted and expunged message is reported gone.
    store(&mut s, "INBOX", 3, "+FLAGS (\\Deleted)").await;
    let _: Vec<_> = s.expunge().await.unwrap().collect().await;
    let gone = sync(&inbox, &mut cursor).await;
    assert_eq!(gone.events, vec![SyncEvent::Expunged { uid: 3 }]);
    assert_eq!(
        cursor.known.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 4, 5, 6]
    );
    let _ = s.logout().await;
}

#[tokio::test]
async fn a_new_uidvalidity_resets_and_everything_is_new() {
    let Some(server) = dovecot().await else { return };
    let work = server.account("Work");
    let mut s = session(&work).await.unwrap();
    s.create("Work").await.unwrap();
    append(&mut s, "Work", 1, 2, 0).await;
    let mut cursor = Cursor::default();
    sync(&work, &mut cursor).await.result.unwrap();
    let before = cursor.uidvalidity.unwrap();

    // The folder deleted and made again: its UIDs mean something else now.
    s.delete("Work").await.unwrap();
    s.create("Work").await.unwrap();
    append(&mut s, "Work", 10, 3, 0).await;
    let after = sync(&work, &mut cursor).await;
    let report = after.result.unwrap();
    assert!(report.reset);
    assert_eq!(report.new, 3);
    match after.events[0] {
        SyncEvent::Reset { uidvalidity } => assert_ne!(uidvalidity, before),
        ref other => panic!("{other:?}"),
    }
    assert_eq!(new_uids(&after.events), vec![1, 2, 3]);
    assert_eq!(cursor.known.len(), 3);
    let _ = s.logout().await;
}

#[tokio::test]
async fn a_folder_with_a_non_ascii_name_is_synced() {
    let Some(server) = dovecot().await else { return };
    // Set up as a mail client would: the name on the wire in modified UTF-7.
    let drafts = server.account("Entwürfe");
    let mut s = session(&drafts).await.unwrap();
    s.create("Entw&APw-rfe").await.unwrap();
    append(&mut s, "Entw&APw-rfe", 1, 2, 0).await;
    let _ = s.logout().await;
    let mut cursor = Cursor::default();
    let synced = sync(&drafts, &mut cursor).await;
    assert_eq!(synced.result.unwrap().new, 2);
    assert_eq!(new_uids(&synced.events), vec![1, 2]);
}

#[tokio::test]
async fn a_wrong_password_is_a_login_error_in_the_servers_words() {
    let Some(server) = dovecot().await else { return };
    let mut a = server.account("INBOX");
    a.password = "wrong".into();
    let e = imap::sync(&a, &Cursor::default(), async |_| Ok(()))
        .await
        .unwrap_err();
    assert!(matches!(e, SyncError::Login(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the server refused the login: Authentication failed."
    );

    // A missing folder is the server's NO, named.
    let e = imap::sync(&server.account("Nowhere"), &Cursor::default(), async |_| Ok(()))
        .await
        .unwrap_err();
    assert!(matches!(e, SyncError::Protocol(_)), "{e:?}");
    assert!(e.to_string().contains("SELECT refused (NO)"), "{e}");
}

#[tokio::test]
async fn a_connection_cut_mid_sync_keeps_what_was_applied_and_resumes() {
    let Some(server) = dovecot().await else { return };
    let inbox = server.account("INBOX");
    let mut s = session(&inbox).await.unwrap();
    // 120 messages of about 2 KB: three batches; the cut falls in the second.
    append(&mut s, "INBOX", 1, 120, 2000).await;
    let _ = s.logout().await;

    let proxy = cutting_proxy(server.port, 150_000).await;
    let mut through = inbox.clone();
    through.port = proxy;
    let mut cursor = Cursor::default();
    let cut = sync(&through, &mut cursor).await;
    let e = cut.result.unwrap_err();
    assert!(matches!(e, SyncError::Connect(_)), "{e:?}");
    let applied = new_uids(&cut.events);
    assert!(
        !applied.is_empty() && applied.len() < 120,
        "{} applied",
        applied.len()
    );
    assert_eq!(cursor.known.len(), applied.len(), "what was applied stays");
    assert!(!cut.events.iter().any(|e| matches!(e, SyncEvent::Expunged { .. })));

    // The next sync through the real server finishes without duplicates.
    let rest = sync(&inbox, &mut cursor).await;
    let report = rest.result.unwrap();
    assert!(!report.reset);
    let resumed = new_uids(&rest.events);
    assert_eq!(resumed.len(), 120 - applied.len());
    let mut all: Vec<u32> = applied.iter().chain(&resumed).copied().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all, (1..=120).collect::<Vec<u32>>());
    assert_eq!(cursor.known.len(), 120);
}

/// A proxy to `port` that closes both sides after passing `limit` bytes from the server.
async fn cutting_proxy(port: u16, limit: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            tokio::spawn(async move {
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                });
                let mut passed = 0;
                let mut buf = vec![0u8; 8192];
                while passed < limit {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n.min(limit - passed),
                    };
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                    passed += n;
                }
                up.abort();
                let _ = cw.shutdown().await;
            });
        }
    });
    local
}

#[tokio::test]
async fn a_server_refusing_select_is_a_protocol_error_naming_it() {
    for (answer, expected) in [
        (
            "NO [NONEXISTENT] Mailbox does not exist",
            "SELECT refused (NO): Mailbox does not exist",
        ),
        (
            "BAD Error in IMAP command SELECT: Invalid arguments",
            "SELECT rejected (BAD): Error in IMAP command SELECT: Invalid arguments",
        ),
    ] {
        let port = fake_server(answer).await;
        let a = ImapAccount {
            host: "127.0.0.1".into(),
            port,
            tls: false,
            username: USER.into(),
            password: PASSWORD.into(),
            folder: "INBOX".into(),
        };
        let e = imap::sync(&a, &Cursor::default(), async |_| Ok(()))
            .await
            .unwrap_err();
        assert!(matches!(e, SyncError::Protocol(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("the server answered with an error: {expected}")
        );
    }
}

/// An IMAP server that lets anyone in and answers SELECT with `answer`.
async fn fake_server(answer: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"* OK fake ready\r\n").await.unwrap();
                let mut line = String::new();
                while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let mut words = line.split_whitespace();
                    let tag = words.next().unwrap_or("*").to_string();
                    let verb = words.next().unwrap_or("").to_ascii_uppercase();
                    let reply = match verb.as_str() {
                        "LOGIN" => format!("{tag} OK logged in\r\n"),
                        "SELECT" => format!("{tag} {answer}\r\n"),
                        "LOGOUT" => format!("* BYE bye\r\n{tag} OK done\r\n"),
                        _ => format!("{tag} BAD unknown\r\n"),
                    };
                    if w.write_all(reply.as_bytes()).await.is_err() {
                        break;
                    }
                    line.clear();
                }
            });
        }
    });
    port
}
