//! End-to-end tests of the `adjutant` binary: the administrative commands, their
//! error messages, faults at start, durability of acknowledged writes across a
//! SIGKILL, online backup and restore, and the demo organisation.
//!
//! Every test runs the real binary in its own fresh temporary data directory
//! (removed at the end), with cheap Argon2 settings, and kills any server it
//! started even when an assertion fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_adjutant");
/// The administrator's password, as written to `--password-stdin`.
const PASSWORD: &str = "correct horse battery staple";
/// Longest a one-shot command may take before the test gives up on it.
const RUN_LIMIT: Duration = Duration::from_secs(120);
/// Longest a server may take to print its "listening on" line.
const START_LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Temporary directories
// ---------------------------------------------------------------------------

/// A fresh directory under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "adjutant-cli-test-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn join(&self, s: &str) -> PathBuf {
        self.0.join(s)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

/// `adjutant ARGS` with a clean `ADJUTANT_*` environment and cheap password hashing.
fn command<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("ADJUTANT_") {
            c.env_remove(&k);
        }
    }
    c.env_remove("ADJUTANT_DATABASE_URL")
        .env("ADJUTANT_ARGON2_MEMORY_KIB", "64")
        .env("ADJUTANT_ARGON2_ITERATIONS", "1");
    c
}

/// What a finished command printed.
struct Out {
    what: String,
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Out {
    /// Asserts success and returns self.
    fn ok(self) -> Out {
        assert!(
            self.status.success(),
            "`{}` failed ({}):\nstdout: {}\nstderr: {}",
            self.what,
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Stdout parsed as JSON (after asserting success).
    fn json(self) -> Value {
        let out = self.ok();
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("`{}` printed no JSON ({e}): {}", out.what, out.stdout))
    }

    /// Asserts a failure reported as exactly one line `error: …` containing each
    /// of `needles`; returns that line.
    fn error(&self, needles: &[&str]) -> String {
        assert!(
            !self.status.success(),
            "`{}` should have failed but succeeded:\nstdout: {}\nstderr: {}",
            self.what,
            self.stdout,
            self.stderr
        );
        let err = self.stderr.trim_end();
        assert_eq!(
            err.lines().count(),
            1,
            "`{}` should report one line on stderr, got:\n{err}",
            self.what
        );
        assert!(err.starts_with("error: "), "`{}`: {err}", self.what);
        for n in needles {
            assert!(
                err.contains(n),
                "`{}`: error should mention `{n}`: {err}",
                self.what
            );
        }
        no_repeated_cause(err);
        err.to_string()
    }

    /// Like [`Out::error`], for `serve`, which may log to stderr before failing:
    /// the last line is the one `error: …` line.
    fn serve_error(&self, needles: &[&str]) -> String {
        assert!(
            !self.status.success(),
            "`{}` should have failed:\n{}",
            self.what,
            self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let errors: Vec<&&str> = lines.iter().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(
            errors.len(),
            1,
            "`{}`: one error line expected:\n{}",
            self.what,
            self.stderr
        );
        let last = lines.last().copied().unwrap_or_default();
        assert!(last.starts_with("error: "), "`{}`: {}", self.what, self.stderr);
        for n in needles {
            assert!(
                last.contains(n),
                "`{}`: error should mention `{n}`: {last}",
                self.what
            );
        }
        no_repeated_cause(last);
        last.to_string()
    }
}

/// An error line names each cause once: no `: `-separated part appears twice.
fn no_repeated_cause(line: &str) {
    let parts: Vec<&str> = line.split(": ").filter(|p| p.len() >= 8).collect();
    for (i, p) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(p), "`{p}` is repeated in: {line}");
    }
}

/// Reads a pipe to its end on a thread.
fn drain(mut r: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Runs `cmd` to completion (bounded), feeding `stdin` when given.
fn run(mut cmd: Command, stdin: Option<&str>) -> Out {
    let what = std::iter::once("adjutant".to_string())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().expect("start adjutant");
    if let Some(input) = stdin {
        let mut w = child.stdin.take().unwrap();
        // The command may exit before reading; a broken pipe is its answer.
        let _ = w.write_all(input.as_bytes());
    }
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{what}` did not finish within {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Out {
        what,
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// `adjutant --data DIR ARGS`.
fn cli(data: &Path, args: &[&str]) -> Out {
    let mut all: Vec<&std::ffi::OsStr> = vec!["--data".as_ref(), data.as_os_str()];
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    run(command(&all), None)
}

/// `adjutant --data DIR ARGS` with `input` on standard input.
fn cli_stdin(data: &Path, args: &[&str], input: &str) -> Out {
    let mut all: Vec<&std::ffi::OsStr> = vec!["--data".as_ref(), data.as_os_str()];
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    run(command(&all), Some(input))
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// `init` of Northwind with Iris Visser as administrator.
fn init_northwind(data: &Path) -> Out {
    cli_stdin(
        data,
        &[
            "init",
            "--org-name",
            "Northwind",
            "--org-slug",
            "northwind",
            "--admin-name",
            "Iris Visser",
            "--admin-email",
            "iris@example.org",
            "--time-zone",
            "Europe/Amsterdam",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    )
    .ok()
}

/// Creates a token for `email`; returns (token id, secret).
fn create_token(data: &Path, email: &str, name: &str) -> (String, String) {
    let v = cli(
        data,
        &["--json", "token", "create", "--user", email, "--name", name],
    )
    .json();
    let id = v["token"]["id"].as_str().expect("token id").to_string();
    let secret = v["secret"].as_str().expect("token secret").to_string();
    assert!(!secret.is_empty());
    (id, secret)
}

/// `user list --json`, as an array.
fn people(data: &Path) -> Vec<Value> {
    match cli(data, &["--json", "user", "list"]).json() {
        Value::Array(a) => a,
        other => panic!("user list --json: not an array: {other}"),
    }
}

fn ids_of(list: &[Value]) -> BTreeSet<String> {
    list.iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

fn by_email<'a>(list: &'a [Value], email: &str) -> &'a Value {
    list.iter()
        .find(|p| p["email"] == email)
        .unwrap_or_else(|| panic!("no {email} in {list:?}"))
}

/// The newest schema version the binary knows (the store's migration list).
fn known_schema_version() -> i64 {
    adjutant_store::MIGRATIONS_SQLITE
        .iter()
        .map(|m| m.0)
        .max()
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------

/// A running `adjutant serve`; killed (SIGKILL) when dropped, so a failing
/// assertion never leaves a server behind.
struct Server {
    child: Child,
    base: String,
    lines: mpsc::Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `serve --data DIR --listen 127.0.0.1:0 EXTRA` and waits (bounded)
    /// for its "listening on" line.
    fn start(data: &Path, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--data", path_str(data), "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut cmd = command(&args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start adjutant serve");
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut server = Server {
            child,
            base: String::new(),
            lines,
            stderr,
        };
        let line = server.wait_for_line("is listening on http://");
        let url = line
            .split("listening on ")
            .nth(1)
            .expect("an address after `listening on`")
            .trim();
        server.base = url.trim_end_matches('/').to_string();
        assert!(server.base.starts_with("http://127.0.0.1:"), "{line}");
        server
    }

    /// Waits (bounded) for a stdout line containing `needle`; returns it.
    fn wait_for_line(&mut self, needle: &str) -> String {
        self.lines_until(needle).pop().unwrap_or_default()
    }

    /// Collects stdout lines up to and including one containing `needle`.
    fn lines_until(&mut self, needle: &str) -> Vec<String> {
        let deadline = Instant::now() + START_LIMIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = line.contains(needle);
                    seen.push(line);
                    if hit {
                        return seen;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!(
                        "no line containing `{needle}` within {START_LIMIT:?}; stdout so far: {seen:?}; stderr: {}",
                        self.stderr()
                    )
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().ok();
                    std::thread::sleep(Duration::from_millis(100));
                    panic!(
                        "the server ended ({status:?}) before printing `{needle}`; stdout: {seen:?}; stderr: {}",
                        self.stderr()
                    )
                }
            }
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// SIGKILL (on Unix `Child::kill` sends SIGKILL) and reap.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn client() -> reqwest::Client {
    adjutant_server::fetch::tls_ready();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// GET `path` with a bearer token; returns (status, body as JSON or Null).
async fn get(c: &reqwest::Client, server_url: String, token: Option<&str>) -> (u16, Value) {
    let mut req = c.get(server_url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// POSTs a new staff member; returns the status and the new id when 201.
async fn post_person(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    n: usize,
) -> Result<(u16, Option<String>), reqwest::Error> {
    let res = c
        .post(format!("{base}/api/v1/people"))
        .bearer_auth(token)
        .json(&json!({"name": format!("Person {n}"), "email": format!("p{n}@example.org"), "role": "staff"}))
        .send()
        .await?;
    let status = res.status().as_u16();
    let id = if status == 201 {
        res.json::<Value>()
            .await
            .ok()
            .and_then(|v| v["id"].as_str().map(String::from))
    } else {
        None
    };
    Ok((status, id))
}

/// Opens a SQLite file with the store and runs its integrity check.
fn integrity_problems(db: &Path) -> Vec<String> {
    runtime().block_on(async {
        let store = adjutant_store::Store::open_sqlite_file(db, false)
            .await
            .expect("open the database file");
        let problems = store.integrity_check().await.expect("integrity check");
        store.close().await;
        problems
    })
}

// ---------------------------------------------------------------------------
// 1. The happy path
// ---------------------------------------------------------------------------

#[test]
fn administering_an_installation_from_the_command_line() {
    let tmp = TempDir::new("happy");
    let data = tmp.join("data");

    let out = init_northwind(&data);
    assert!(
        out.stdout.contains(
            "Created organisation Northwind (northwind) with administrator Iris Visser <iris@example.org>."
        ),
        "{}",
        out.stdout
    );
    assert!(data.join("adjutant.db").is_file());

    let out = cli(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Lars Jansen",
            "--email",
            "Lars@Example.org",
            "--role",
            "principal",
            "--time-zone",
            "America/New_York",
        ],
    )
    .ok();
    assert!(
        out.stdout.starts_with("Added Lars Jansen (principal), id "),
        "{}",
        out.stdout
    );
    let maya = cli(
        &data,
        &[
            "--json",
            "user",
            "add",
            "--name",
            "Maya de Vries",
            "--email",
            "maya@example.org",
            "--role",
            "assistant",
            "--time-zone",
            "Europe/Amsterdam",
        ],
    )
    .json();
    assert_eq!(maya["role"], "assistant");
    assert_eq!(maya["has_login"], false);
    // A person with a login, password from stdin.
    let tom = cli_stdin(
        &data,
        &[
            "--json",
            "user",
            "add",
            "--name",
            "Tom Bakker",
            "--email",
            "tom@example.org",
            "--role",
            "contractor",
            "--password-stdin",
        ],
        "another long password\n",
    )
    .json();
    assert_eq!(tom["has_login"], true);
    assert_eq!(tom["time_zone"], "UTC");

    // The table.
    let out = cli(&data, &["user", "list"]).ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", out.stdout);
    assert!(lines[0].starts_with("NAME"), "{}", out.stdout);
    for header in ["E-MAIL", "ROLE", "TIME ZONE", "STATUS", "ID"] {
        assert!(lines[0].contains(header), "{}", lines[0]);
    }
    let iris_row = lines.iter().find(|l| l.starts_with("Iris Visser")).unwrap();
    assert!(iris_row.contains("iris@example.org") && iris_row.contains("admin"));
    assert!(iris_row.contains("Europe/Amsterdam") && iris_row.contains("login"));
    let lars_row = lines.iter().find(|l| l.starts_with("Lars Jansen")).unwrap();
    assert!(lars_row.contains("no login") && lars_row.contains("America/New_York"));

    // The JSON.
    let list = people(&data);
    assert_eq!(list.len(), 4);
    let iris = by_email(&list, "iris@example.org");
    assert_eq!(iris["name"], "Iris Visser");
    assert_eq!(iris["role"], "admin");
    assert_eq!(iris["time_zone"], "Europe/Amsterdam");
    assert_eq!(iris["disabled"], false);
    assert_eq!(iris["has_login"], true);
    let lars = by_email(&list, "lars@example.org"); // stored lower-cased
    assert_eq!(lars["role"], "principal");
    assert_eq!(lars["time_zone"], "America/New_York");
    assert_eq!(lars["has_login"], false);
    let iris_id = iris["id"].as_str().unwrap().to_string();
    assert_eq!(ids_of(&list).len(), 4);

    // Role, disable, enable.
    let out = cli(&data, &["user", "set-role", "tom@example.org", "staff"]).ok();
    assert_eq!(out.stdout.trim(), "Tom Bakker's role is now staff.");
    let out = cli(&data, &["user", "disable", "tom@example.org"]).ok();
    assert_eq!(out.stdout.trim(), "Tom Bakker is now disabled.");
    let list = people(&data);
    let t = by_email(&list, "tom@example.org");
    assert_eq!(
        (t["role"].as_str(), t["disabled"].as_bool()),
        (Some("staff"), Some(true))
    );
    let out = cli(&data, &["user", "list"]).ok();
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("Tom Bakker") && l.contains("disabled")),
        "{}",
        out.stdout
    );
    let v = cli(&data, &["--json", "user", "enable", "TOM@example.org"]).json();
    assert_eq!(v["disabled"], false);
    // Turning off a second factor: Tom turned one on (the web does that; here, the store).
    runtime().block_on(async {
        let store = adjutant_store::Store::open_sqlite_file(&data.join("adjutant.db"), false)
            .await
            .unwrap();
        let org = store.org_list().await.unwrap()[0].id;
        let tom = store.person_by_email(org, "tom@example.org").await.unwrap();
        let ctx = adjutant_store::AuditCtx::system("test", jiff::Timestamp::now());
        store
            .credential_set_totp(org, tom.id, Some(&[7u8; 20]), &ctx)
            .await
            .unwrap();
        store.close().await;
    });
    assert_eq!(by_email(&people(&data), "tom@example.org")["totp_enabled"], true);
    let out = cli(&data, &["user", "reset-second-factor", "tom@example.org"]).ok();
    assert_eq!(out.stdout.trim(), "Tom Bakker's second factor is off.");
    assert_eq!(by_email(&people(&data), "tom@example.org")["totp_enabled"], false);

    // Delegations.
    let out = cli(
        &data,
        &[
            "delegate",
            "grant",
            "--principal",
            "lars@example.org",
            "--delegate",
            "maya@example.org",
            "--scopes",
            "calendar,mail",
            "--level",
            "act",
        ],
    )
    .ok();
    assert_eq!(
        out.stdout.trim(),
        "Maya de Vries may now act for Lars Jansen in: calendar, mail."
    );
    let d = cli(&data, &["--json", "delegate", "list"]).json();
    let d = d.as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["principal_name"], "Lars Jansen");
    assert_eq!(d[0]["delegate_name"], "Maya de Vries");
    assert_eq!(d[0]["principal"], lars["id"]);
    assert_eq!(d[0]["delegate"], maya["id"]);
    assert_eq!(d[0]["scopes"], json!(["calendar", "mail"]));
    assert_eq!(d[0]["level"], "act");
    let out = cli(&data, &["delegate", "list"]).ok();
    assert!(out.stdout.contains("calendar,mail"), "{}", out.stdout);
    let out = cli(
        &data,
        &[
            "delegate",
            "revoke",
            "--principal",
            "lars@example.org",
            "--delegate",
            "maya@example.org",
        ],
    )
    .ok();
    assert_eq!(
        out.stdout.trim(),
        "Revoked: Maya de Vries no longer acts for Lars Jansen."
    );
    assert_eq!(cli(&data, &["--json", "delegate", "list"]).json(), json!([]));

    // Tokens, used against a running server on the same data directory.
    let token = cli(
        &data,
        &[
            "--json",
            "token",
            "create",
            "--user",
            "iris@example.org",
            "--name",
            "laptop",
        ],
    )
    .json();
    let token_id = token["token"]["id"].as_str().unwrap().to_string();
    let secret = token["secret"].as_str().unwrap().to_string();
    assert_eq!(token["token"]["name"], "laptop");
    assert_eq!(token["token"]["person"].as_str(), Some(iris_id.as_str()));
    assert!(token["token"]["revoked_at"].is_null());
    let out = cli(
        &data,
        &[
            "token",
            "create",
            "--user",
            "lars@example.org",
            "--name",
            "script",
        ],
    )
    .ok();
    assert!(
        out.stdout.starts_with("Token `script` for Lars Jansen (id "),
        "{}",
        out.stdout
    );
    let lars_secret = out.stdout.lines().nth(1).unwrap().trim().to_string();
    assert!(!lars_secret.is_empty());

    let server = Server::start(&data, &[]);
    let rt = runtime();
    let c = client();
    let (status, me) = rt.block_on(get(&c, server.url("/api/v1/me"), Some(&secret)));
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["person"]["email"], "iris@example.org");
    assert_eq!(me["person"]["id"].as_str(), Some(iris_id.as_str()));
    assert_eq!(me["organisation"], "Northwind");
    let (status, me) = rt.block_on(get(&c, server.url("/api/v1/me"), Some(&lars_secret)));
    assert_eq!(
        (status, me["person"]["name"].as_str()),
        (200, Some("Lars Jansen"))
    );
    assert_eq!(rt.block_on(get(&c, server.url("/api/v1/me"), None)).0, 401);
    assert_eq!(
        rt.block_on(get(&c, server.url("/api/v1/me"), Some("adj_not-a-real-token")))
            .0,
        401
    );

    // Revoking while the server runs takes effect at once.
    let out = cli(&data, &["token", "revoke", &token_id]).ok();
    assert_eq!(out.stdout.trim(), "Revoked token `laptop`.");
    assert_eq!(
        rt.block_on(get(&c, server.url("/api/v1/me"), Some(&secret))).0,
        401
    );
    // Disabling a person revokes their tokens.
    cli(&data, &["user", "disable", "lars@example.org"]).ok();
    assert_eq!(
        rt.block_on(get(&c, server.url("/api/v1/me"), Some(&lars_secret)))
            .0,
        401
    );
    cli(&data, &["user", "enable", "lars@example.org"]).ok();
    assert_eq!(
        rt.block_on(get(&c, server.url("/api/v1/me"), Some(&lars_secret)))
            .0,
        401
    );
    drop(server);

    let tokens = cli(&data, &["--json", "token", "list"]).json();
    let tokens = tokens.as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().all(|t| !t["revoked_at"].is_null()), "{tokens:?}");
    let out = cli(&data, &["token", "list"]).ok();
    assert_eq!(out.stdout.matches("revoked").count(), 2, "{}", out.stdout);

    // Everything above is in the audit log, done by `cli`.
    let audit = cli(&data, &["--json", "audit", "--limit", "1000"]).json();
    let audit = audit.as_array().unwrap();
    let actions: BTreeMap<&str, usize> = audit.iter().fold(BTreeMap::new(), |mut m, e| {
        *m.entry(e["action"].as_str().unwrap()).or_default() += 1;
        m
    });
    for (action, at_least) in [
        ("organisation.create", 1),
        ("person.create", 4),
        ("person.update", 5),
        ("delegation.grant", 1),
        ("delegation.revoke", 1),
        ("token.create", 2),
        ("token.revoke", 1),
        ("person.totp_disable", 1),
    ] {
        assert!(
            actions.get(action).copied().unwrap_or(0) >= at_least,
            "expected {at_least}× {action} in {actions:?}"
        );
    }
    for e in audit {
        // The one change made beside the CLI (Tom turning on his second factor) says so.
        let want = if e["action"] == "person.totp_enable" {
            "test"
        } else {
            "cli"
        };
        assert_eq!(e["actor_label"], want, "{e}");
    }
    // Newest first.
    assert_eq!(audit[0]["action"], "person.update", "{:?}", audit[0]);
    let only_tokens = cli(&data, &["--json", "audit", "--action", "token."]).json();
    let only_tokens = only_tokens.as_array().unwrap();
    assert_eq!(only_tokens.len(), 3, "{only_tokens:?}");
    assert!(
        only_tokens
            .iter()
            .all(|e| e["action"].as_str().unwrap().starts_with("token."))
    );
    let out = cli(&data, &["audit", "--limit", "3"]).ok();
    assert_eq!(out.stdout.lines().count(), 4, "{}", out.stdout);
    assert!(
        out.stdout.lines().nth(1).unwrap().contains("cli"),
        "{}",
        out.stdout
    );

    // Migrations: already applied.
    let v = known_schema_version();
    let out = cli(&data, &["migrate"]).ok();
    assert!(
        out.stdout
            .contains(&format!("applied 0 migration(s); schema is at version {v}")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("adjutant.db"), "{}", out.stdout);
    assert_eq!(
        cli(&data, &["--json", "migrate"]).json(),
        json!({"applied": 0, "schema_version": v})
    );
    // On a fresh directory, `migrate` creates the schema.
    let fresh = tmp.join("fresh");
    let m = cli(&fresh, &["--json", "migrate"]).json();
    assert_eq!(m["schema_version"], v);
    assert!(m["applied"].as_u64().unwrap() >= 1, "{m}");
}

// ---------------------------------------------------------------------------
// 2. Bad input
// ---------------------------------------------------------------------------

/// Everything a failed command must leave as it was.
fn snapshot(data: &Path) -> Vec<Value> {
    vec![
        cli(data, &["--json", "user", "list"]).json(),
        cli(data, &["--json", "delegate", "list"]).json(),
        cli(data, &["--json", "token", "list"]).json(),
        cli(data, &["--json", "audit", "--limit", "1000"]).json(),
    ]
}

#[test]
fn bad_input_is_refused_with_one_clear_line_and_changes_nothing() {
    let tmp = TempDir::new("bad-input");
    let data = tmp.join("data");

    // Before any organisation exists.
    for args in [
        &["user", "list"][..],
        &["user", "add", "--name", "X", "--role", "staff"],
        &["delegate", "list"],
        &["token", "list"],
        &["audit"],
    ] {
        cli(&data, args).error(&["no organisation yet", "adjutant init"]);
    }

    // `init` without its answers, stdin not being a terminal.
    let out = cli(&data, &["init", "--org-slug", "northwind", "--password-stdin"]);
    out.error(&["--org-name"]);
    let out = cli(
        &data,
        &[
            "init",
            "--org-name",
            "Northwind",
            "--admin-name",
            "Iris Visser",
            "--admin-email",
            "iris@example.org",
        ],
    );
    out.error(&["--password-stdin"]);
    // A password that is too short.
    let init_args = [
        "init",
        "--org-name",
        "Northwind",
        "--org-slug",
        "northwind",
        "--admin-name",
        "Iris Visser",
        "--admin-email",
        "iris@example.org",
        "--password-stdin",
    ];
    cli_stdin(&data, &init_args, "short\n").error(&["password", "at least 10 characters"]);
    // A bad e-mail address, an unknown zone, a bad slug.
    let mut bad_email = init_args;
    bad_email[8] = "iris-at-example.org";
    cli_stdin(&data, &bad_email, &format!("{PASSWORD}\n")).error(&["iris-at-example.org"]);
    let mut bad_slug = init_args;
    bad_slug[4] = "North Wind!";
    cli_stdin(&data, &bad_slug, &format!("{PASSWORD}\n")).error(&["North Wind!"]);
    let mut bad_zone = init_args.to_vec();
    bad_zone.extend(["--time-zone", "Mars/Olympus_Mons"]);
    cli_stdin(&data, &bad_zone, &format!("{PASSWORD}\n")).error(&["Mars/Olympus_Mons"]);
    // None of that created anything.
    cli(&data, &["user", "list"]).error(&["no organisation yet"]);

    init_northwind(&data);
    for (name, email, role) in [
        ("Lars Jansen", "lars@example.org", "principal"),
        ("Maya de Vries", "maya@example.org", "assistant"),
    ] {
        cli(
            &data,
            &["user", "add", "--name", name, "--email", email, "--role", role],
        )
        .ok();
    }
    let before = snapshot(&data);

    let add = |email: &str, role: &str| {
        cli(
            &data,
            &[
                "user", "add", "--name", "Someone", "--email", email, "--role", role,
            ],
        )
    };
    add("someone@example.org", "wizard").error(&["role", "wizard"]);
    add("not-an-email", "staff").error(&["not-an-email"]);
    add("someone@nodomain", "staff").error(&["someone@nodomain"]);
    add("iris@example.org", "staff").error(&["already exists"]);
    add("IRIS@example.org", "staff").error(&["already exists"]);
    cli(
        &data,
        &[
            "user",
            "add",
            "--name",
            "   ",
            "--email",
            "someone@example.org",
            "--role",
            "staff",
        ],
    )
    .error(&["name"]);
    cli(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Someone",
            "--email",
            "someone@example.org",
            "--role",
            "staff",
            "--time-zone",
            "Nowhere/Special",
        ],
    )
    .error(&["Nowhere/Special"]);
    cli_stdin(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Someone",
            "--email",
            "someone@example.org",
            "--role",
            "staff",
            "--password-stdin",
        ],
        "tooshort\n",
    )
    .error(&["password", "at least 10 characters"]);
    cli(&data, &["user", "set-role", "nobody@x.org", "staff"]).error(&["nobody@x.org"]);
    cli(&data, &["user", "set-role", "lars@example.org", "emperor"]).error(&["emperor"]);
    cli(&data, &["user", "disable", "nobody@x.org"]).error(&["nobody@x.org"]);
    cli(&data, &["user", "reset-second-factor", "nobody@x.org"]).error(&["nobody@x.org"]);
    // Lars has no login, so no second factor to turn off.
    cli(&data, &["user", "reset-second-factor", "lars@example.org"]).error(&["login"]);
    cli_stdin(
        &data,
        &["user", "set-password", "lars@example.org", "--password-stdin"],
        "short\n",
    )
    .error(&["at least 10 characters"]);

    let grant = |scopes: &str, level: &str, principal: &str| {
        cli(
            &data,
            &[
                "delegate",
                "grant",
                "--principal",
                principal,
                "--delegate",
                "maya@example.org",
                "--scopes",
                scopes,
                "--level",
                level,
            ],
        )
    };
    grant("calendar,telepathy", "act", "lars@example.org").error(&["telepathy"]);
    grant("calendar", "rule", "lars@example.org").error(&["rule"]);
    grant("calendar", "act", "ghost@example.org").error(&["ghost@example.org"]);
    grant("calendar", "act", "maya@example.org").error(&["themselves"]);
    cli(
        &data,
        &[
            "delegate",
            "revoke",
            "--principal",
            "lars@example.org",
            "--delegate",
            "maya@example.org",
        ],
    )
    .error(&["no delegation"]);

    cli(&data, &["token", "revoke", "not-a-uuid"]).error(&["not-a-uuid", "token id"]);
    cli(
        &data,
        &["token", "revoke", "0190a0b0-0000-7000-8000-000000000000"],
    )
    .error(&["token"]);
    cli(
        &data,
        &["token", "create", "--user", "nobody@x.org", "--name", "x"],
    )
    .error(&["nobody@x.org"]);
    cli(
        &data,
        &[
            "token",
            "create",
            "--user",
            "lars@example.org",
            "--name",
            "x",
            "--expires-days",
            "0",
        ],
    )
    .error(&["--expires-days"]);

    cli(&data, &["--org", "nope", "user", "list"]).error(&["nope"]);
    cli(&data, &["--org", "nope", "audit"]).error(&["nope"]);
    cli(&data, &["audit", "--limit", "0"]).error(&["--limit"]);
    cli(&data, &["audit", "--actor", "nobody@x.org"]).error(&["nobody@x.org"]);

    // A second `init` with the same slug.
    cli_stdin(&data, &init_args, &format!("{PASSWORD}\n")).error(&["northwind", "already exists"]);
    // A second organisation whose administrator's e-mail is already a login elsewhere.
    cli_stdin(
        &data,
        &[
            "init",
            "--org-name",
            "Acme",
            "--org-slug",
            "acme",
            "--admin-name",
            "Iris Again",
            "--admin-email",
            "iris@example.org",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    )
    .error(&["already used to sign in"]);
    // Still one organisation: commands work without --org, and `acme` is unknown.
    cli(&data, &["--org", "acme", "user", "list"]).error(&["acme"]);

    assert_eq!(snapshot(&data), before, "a refused command changed something");
}

// ---------------------------------------------------------------------------
// 3. Faults at start
// ---------------------------------------------------------------------------

#[test]
fn unusable_data_directories_are_named() {
    let tmp = TempDir::new("bad-dir");
    // A directory that cannot be created.
    let proc_dir = Path::new("/proc/adjutant-nope");
    cli(proc_dir, &["user", "list"]).error(&["data directory /proc/adjutant-nope"]);
    run(
        command(&[
            "serve",
            "--data",
            "/proc/adjutant-nope",
            "--listen",
            "127.0.0.1:0",
        ]),
        None,
    )
    .serve_error(&["/proc/adjutant-nope"]);
    // A path under a regular file.
    let file = tmp.join("file");
    std::fs::write(&file, b"not a directory").unwrap();
    let under = file.join("sub");
    cli(&under, &["user", "list"]).error(&[path_str(&under)]);
    run(
        command(&["serve", "--data", path_str(&under), "--listen", "127.0.0.1:0"]),
        None,
    )
    .serve_error(&[path_str(&under)]);
    cli(&under, &["migrate"]).error(&[path_str(&under)]);
    cli(&under, &["backup", path_str(&tmp.join("b.db"))]).error(&[path_str(&under)]);
    assert_eq!(std::fs::read(&file).unwrap(), b"not a directory");
    // A data directory whose database file is not a database.
    let junk_dir = tmp.join("junk");
    std::fs::create_dir_all(&junk_dir).unwrap();
    let junk_db = junk_dir.join("adjutant.db");
    std::fs::write(&junk_db, vec![b'x'; 8192]).unwrap();
    cli(&junk_dir, &["user", "list"]).error(&[path_str(&junk_db), "not a database"]);
    run(
        command(&["serve", "--data", path_str(&junk_dir), "--listen", "127.0.0.1:0"]),
        None,
    )
    .serve_error(&[path_str(&junk_db)]);
    assert_eq!(std::fs::read(&junk_db).unwrap(), vec![b'x'; 8192]);

    // A directory we may not write (only meaningful when not running as root).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = tmp.join("read-only");
        std::fs::create_dir_all(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let writable = std::fs::write(ro.join("probe"), b"x").is_ok();
        if !writable {
            cli(&ro, &["user", "list"]).error(&[path_str(&ro), "not writable"]);
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn bad_configuration_is_named() {
    let tmp = TempDir::new("bad-config");
    let data = tmp.join("data");
    let conf = tmp.join("adjutant.toml");
    std::fs::write(&conf, "listen = \"127.0.0.1:0\"\nlsiten = \"x\"\n").unwrap();
    let with_config = |args: &[&str]| {
        let mut all = vec!["--config", path_str(&conf), "--data", path_str(&data)];
        all.extend_from_slice(args);
        run(command(&all), None)
    };
    with_config(&["user", "list"]).error(&["lsiten", path_str(&conf)]);
    with_config(&["serve"]).serve_error(&["lsiten", path_str(&conf)]);
    // A bad value in a known key.
    std::fs::write(&conf, "session_idle_minutes = \"soon\"\n").unwrap();
    with_config(&["user", "list"]).error(&[path_str(&conf)]);
    // Not TOML at all.
    std::fs::write(&conf, "this is = = not toml\n").unwrap();
    with_config(&["user", "list"]).error(&[path_str(&conf)]);
    // A missing file.
    let missing = tmp.join("missing.toml");
    run(
        command(&[
            "--config",
            path_str(&missing),
            "--data",
            path_str(&data),
            "user",
            "list",
        ]),
        None,
    )
    .error(&["cannot read config file", path_str(&missing)]);

    // Environment variables.
    let mut c = command(&["--data", path_str(&data), "user", "list"]);
    c.env("ADJUTANT_NOPE", "1");
    run(c, None).error(&["ADJUTANT_NOPE"]);
    let mut c = command(&["serve", "--data", path_str(&data), "--listen", "127.0.0.1:0"]);
    c.env("ADJUTANT_NOPE", "1");
    run(c, None).serve_error(&["ADJUTANT_NOPE"]);
    let mut c = command(&["--data", path_str(&data), "user", "list"]);
    c.env("ADJUTANT_LISTEN", "nowhere");
    run(c, None).error(&["ADJUTANT_LISTEN"]);
    let mut c = command(&["--data", path_str(&data), "user", "list"]);
    c.env("ADJUTANT_ARGON2_MEMORY_KIB", "1");
    run(c, None).error(&["argon2"]);
    // A database URL that is not PostgreSQL.
    run(command(&["--database-url", "mysql://db/x", "user", "list"]), None)
        .error(&["database_url", "postgres://"]);

    // Configuration is checked before anything is touched.
    assert!(!data.exists(), "a refused command created {}", data.display());
    // `ADJUTANT_TEST_*` belongs to test suites and is ignored.
    let mut c = command(&["--data", path_str(&data), "user", "list"]);
    c.env("ADJUTANT_TEST_ANYTHING", "1");
    run(c, None).error(&["no organisation yet"]);
}

#[test]
fn an_unreachable_database_fails_promptly_and_is_named() {
    let url = "postgres://postgres@127.0.0.1:1/nothing";
    run(command(&["--database-url", url, "user", "list"]), None).error(&["database", "127.0.0.1:1"]);
    run(
        command(&["--database-url", url, "serve", "--listen", "127.0.0.1:0"]),
        None,
    )
    .serve_error(&["database", "127.0.0.1:1"]);
    run(command(&["--database-url", url, "migrate"]), None).error(&["database"]);
    // The password in a URL never appears in messages.
    let secret_url = "postgres://app:hunter2-secret@127.0.0.1:1/nothing";
    let e = run(command(&["--database-url", secret_url, "user", "list"]), None).error(&["database"]);
    assert!(!e.contains("hunter2"), "{e}");
    assert!(e.contains("<redacted>"), "{e}");
    let mut c = command(&["user", "list"]);
    c.env("ADJUTANT_DATABASE_URL", secret_url);
    let e = run(c, None).error(&["database"]);
    assert!(!e.contains("hunter2"), "{e}");
    // Restore writes SQLite only.
    run(
        command(&["--database-url", url, "restore", "/nonexistent-backup.db"]),
        None,
    )
    .error(&["pg_restore"]);
}

#[test]
fn a_database_newer_than_the_binary_is_refused_and_left_alone() {
    let tmp = TempDir::new("newer");
    let data = tmp.join("data");
    init_northwind(&data);
    let db = data.join("adjutant.db");
    runtime().block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .create_if_missing(false);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .unwrap();
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let bytes = std::fs::read(&db).unwrap();

    run(
        command(&["serve", "--data", path_str(&data), "--listen", "127.0.0.1:0"]),
        None,
    )
    .serve_error(&["newer", "999"]);
    cli(&data, &["user", "list"]).error(&["newer", "999"]);
    cli(&data, &["migrate"]).error(&["newer"]);
    cli(
        &data,
        &["token", "create", "--user", "iris@example.org", "--name", "x"],
    )
    .error(&["newer"]);
    let backup = tmp.join("backup.db");
    cli(&data, &["backup", path_str(&backup)]).error(&["newer"]);
    assert!(!backup.exists());

    assert!(std::fs::read(&db).unwrap() == bytes, "the database file changed");
    let rows = runtime().block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .create_if_missing(false)
            .read_only(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .unwrap();
        let v: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
        let persons: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM persons")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        (v, persons.0)
    });
    let mut versions: Vec<i64> = adjutant_store::MIGRATIONS_SQLITE.iter().map(|m| m.0).collect();
    versions.push(999);
    assert_eq!(rows.0.into_iter().map(|r| r.0).collect::<Vec<_>>(), versions);
    assert_eq!(rows.1, 1);
}

// ---------------------------------------------------------------------------
// 4. Durability across SIGKILL
// ---------------------------------------------------------------------------

#[test]
fn acknowledged_writes_survive_a_sigkill() {
    const WORKERS: usize = 4;
    const MAX_WRITES: usize = 200;
    const KILL_AFTER: usize = 100;

    let tmp = TempDir::new("durability");
    let data = tmp.join("data");
    init_northwind(&data);
    let (_, secret) = create_token(&data, "iris@example.org", "load");
    let mut server = Server::start(&data, &[]);
    let base = server.base.clone();
    let rt = runtime();

    struct Tally {
        acked: Vec<(String, Option<String>)>,
        unexpected: Vec<String>,
    }
    let (tally, acked_at_kill, in_flight_at_kill, attempted) = rt.block_on(async {
        let c = client();
        let next = Arc::new(AtomicUsize::new(0));
        let acked_n = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let killed = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Mutex::new(Tally {
            acked: vec![],
            unexpected: vec![],
        }));
        let mut workers = Vec::new();
        for _ in 0..WORKERS {
            let (c, base, secret) = (c.clone(), base.clone(), secret.clone());
            let (next, acked_n, in_flight, killed, tally) = (
                next.clone(),
                acked_n.clone(),
                in_flight.clone(),
                killed.clone(),
                tally.clone(),
            );
            workers.push(tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, SeqCst);
                    if n >= MAX_WRITES {
                        break;
                    }
                    in_flight.fetch_add(1, SeqCst);
                    let r = post_person(&c, &base, &secret, n).await;
                    in_flight.fetch_sub(1, SeqCst);
                    match r {
                        Ok((201, id)) => {
                            tally
                                .lock()
                                .unwrap()
                                .acked
                                .push((format!("p{n}@example.org"), id));
                            acked_n.fetch_add(1, SeqCst);
                        }
                        other => {
                            if !killed.load(SeqCst) {
                                tally.lock().unwrap().unexpected.push(format!("p{n}: {other:?}"));
                            }
                            break;
                        }
                    }
                }
            }));
        }
        let deadline = Instant::now() + Duration::from_secs(300);
        while acked_n.load(SeqCst) < KILL_AFTER && next.load(SeqCst) < MAX_WRITES && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // Pull the plug while the workers keep writing.
        killed.store(true, SeqCst);
        let flying = in_flight.load(SeqCst);
        server.kill();
        let at_kill = acked_n.load(SeqCst);
        for w in workers {
            w.await.unwrap();
        }
        let tally = std::mem::replace(
            &mut *tally.lock().unwrap(),
            Tally {
                acked: vec![],
                unexpected: vec![],
            },
        );
        (tally, at_kill, flying, next.load(SeqCst).min(MAX_WRITES))
    });
    assert!(
        tally.unexpected.is_empty(),
        "writes failed before the kill: {:?}\nserver stderr: {}",
        tally.unexpected,
        server.stderr()
    );
    assert!(!tally.acked.is_empty());
    eprintln!(
        "durability: {acked_at_kill} writes acknowledged when SIGKILL was sent \
         ({in_flight_at_kill} in flight), {} acknowledged in all, {attempted} attempted",
        tally.acked.len()
    );

    // Restart on the same directory: every acknowledged write is there.
    let server = Server::start(&data, &[]);
    let (status, list) = rt.block_on(get(&client(), server.url("/api/v1/people"), Some(&secret)));
    assert_eq!(status, 200, "{list}");
    let list = list.as_array().unwrap().clone();
    let present: BTreeMap<String, String> = list
        .iter()
        .filter_map(|p| Some((p["email"].as_str()?.to_string(), p["id"].as_str()?.to_string())))
        .collect();
    let mut missing = vec![];
    for (email, id) in &tally.acked {
        match (present.get(email), id) {
            (None, _) => missing.push(email.clone()),
            (Some(found), Some(id)) => assert_eq!(found, id, "{email} has another id"),
            (Some(_), None) => {}
        }
    }
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    let staff = present.len() - 1;
    assert!(
        staff >= tally.acked.len() && staff <= attempted,
        "{staff} people stored"
    );
    eprintln!(
        "durability: after restart {staff} people stored ({} committed without an acknowledgement)",
        staff - tally.acked.len()
    );
    // The CLI sees the same, and the file is sound.
    assert_eq!(ids_of(&people(&data)), present.values().cloned().collect());
    assert_eq!(
        integrity_problems(&data.join("adjutant.db")),
        Vec::<String>::new()
    );
    drop(server);
    assert_eq!(
        integrity_problems(&data.join("adjutant.db")),
        Vec::<String>::new()
    );
}

// ---------------------------------------------------------------------------
// 5. Backup and restore
// ---------------------------------------------------------------------------

fn before_restore_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("adjutant.db.before-restore-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn backup_while_writing_then_restore() {
    let tmp = TempDir::new("backup");
    let data = tmp.join("data");
    init_northwind(&data);
    let (_, secret) = create_token(&data, "iris@example.org", "backup-test");
    let server = Server::start(&data, &[]);
    let base = server.base.clone();
    let rt = runtime();
    let c = client();

    // People who exist before any backup starts.
    let before: BTreeSet<String> = rt.block_on(async {
        let mut ids = BTreeSet::new();
        for n in 0..20 {
            let (status, id) = post_person(&c, &base, &secret, n).await.unwrap();
            assert_eq!(status, 201);
            ids.insert(id.unwrap());
        }
        ids
    });
    let before_backup = people(&data);
    assert_eq!(before_backup.len(), 21);

    // A writer that keeps going while the backups run.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (c, base, secret, stop, written) = (
            c.clone(),
            base.clone(),
            secret.clone(),
            stop.clone(),
            written.clone(),
        );
        rt.spawn(async move {
            let mut n = 1000;
            while !stop.load(SeqCst) && n < 1000 + 5000 {
                match post_person(&c, &base, &secret, n).await {
                    Ok((201, _)) => {
                        written.fetch_add(1, SeqCst);
                    }
                    other => return Err(format!("p{n}: {other:?}")),
                }
                n += 1;
            }
            Ok(())
        })
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while written.load(SeqCst) < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let files: Vec<PathBuf> = (0..3).map(|i| tmp.join(&format!("backup-{i}.db"))).collect();
    let runs: Vec<JoinHandle<Out>> = files
        .iter()
        .map(|f| {
            let (data, f) = (data.clone(), f.clone());
            std::thread::spawn(move || cli(&data, &["backup", path_str(&f)]))
        })
        .collect();
    for (r, f) in runs.into_iter().zip(&files) {
        let out = r.join().unwrap().ok();
        assert!(
            out.stdout.starts_with(&format!("Backed up to {} (", f.display())),
            "{}",
            out.stdout
        );
        assert!(f.is_file());
    }
    // One more while writes continue, asking for JSON.
    let json_backup = tmp.join("backup-json.db");
    let v = cli(&data, &["--json", "backup", path_str(&json_backup)]).json();
    assert_eq!(v["schema_version"], known_schema_version());
    assert!(v["bytes"].as_u64().unwrap() > 0);
    stop.store(true, SeqCst);
    rt.block_on(writer)
        .unwrap()
        .unwrap_or_else(|e| panic!("writer: {e}\n{}", server.stderr()));
    let during = written.load(SeqCst);
    assert!(during >= 5);

    // A backup never overwrites a file.
    let size = std::fs::metadata(&files[0]).unwrap().len();
    cli(&data, &["backup", path_str(&files[0])]).error(&["already exists"]);
    assert_eq!(std::fs::metadata(&files[0]).unwrap().len(), size);
    drop(server);
    let total = people(&data).len();
    assert_eq!(total, 21 + during);

    // Restore into a new directory.
    let newdir = tmp.join("restored");
    let out = cli(&newdir, &["restore", path_str(&files[0])]).ok();
    assert!(out.stdout.starts_with("Restored "), "{}", out.stdout);
    let restored = people(&newdir);
    let restored_ids = ids_of(&restored);
    assert!(
        restored_ids.is_superset(&before),
        "people from before the backup are missing"
    );
    assert!(restored_ids.is_superset(&ids_of(&before_backup)));
    assert!(restored.len() <= total);
    assert!(before_restore_files(&newdir).is_empty());

    // Again, without --force: refused, nothing touched.
    let db_bytes = std::fs::read(newdir.join("adjutant.db")).unwrap();
    cli(&newdir, &["restore", path_str(&files[1])]).error(&["--force"]);
    assert_eq!(std::fs::read(newdir.join("adjutant.db")).unwrap(), db_bytes);
    // With --force: replaced, the previous one kept beside it.
    cli(&newdir, &["--json", "restore", "--force", path_str(&files[1])]).json();
    let kept = before_restore_files(&newdir);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(newdir.join(&kept[0])).unwrap(), db_bytes);
    // Twice in quick succession: both earlier databases are kept.
    let second_bytes = std::fs::read(newdir.join("adjutant.db")).unwrap();
    cli(&newdir, &["restore", "--force", path_str(&files[2])]).ok();
    let kept = before_restore_files(&newdir);
    assert_eq!(kept.len(), 2, "a kept database was overwritten: {kept:?}");
    let kept_bytes: Vec<Vec<u8>> = kept
        .iter()
        .map(|k| std::fs::read(newdir.join(k)).unwrap())
        .collect();
    assert!(kept_bytes.contains(&db_bytes) && kept_bytes.contains(&second_bytes));

    // The server on the restored directory sees what the CLI sees.
    let listed = people(&newdir);
    let listed_ids = ids_of(&listed);
    assert!(listed_ids.is_superset(&before));
    let server = Server::start(&newdir, &[]);
    let (status, api_people) = rt.block_on(get(&c, server.url("/api/v1/people"), Some(&secret)));
    assert_eq!(status, 200, "{api_people}");
    let api_people = api_people.as_array().unwrap().clone();
    assert_eq!(api_people.len(), listed.len());
    assert_eq!(ids_of(&api_people), listed_ids);
    drop(server);

    // A file that is not an Adjutant backup.
    let garbage = tmp.join("garbage.db");
    let junk: Vec<u8> = (0..64 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&garbage, &junk).unwrap();
    let target = tmp.join("never");
    cli(&target, &["restore", path_str(&garbage)]).error(&["is not a usable backup"]);
    assert!(
        !target.exists(),
        "restore of garbage wrote into {}",
        target.display()
    );
    // An SQLite file without our schema.
    let empty_db = tmp.join("empty.db");
    rt.block_on(async {
        let s = adjutant_store::Store::open_sqlite_file(&empty_db, true)
            .await
            .unwrap();
        s.close().await;
    });
    cli(&target, &["restore", path_str(&empty_db)]).error(&["is not a usable backup"]);
    assert!(!target.exists());
    // Missing file.
    cli(&target, &["restore", path_str(&tmp.join("no-such-file.db"))]).error(&["is not a usable backup"]);
    assert!(!target.exists());
    // Garbage with --force over an existing database: refused before touching it.
    let current = std::fs::read(newdir.join("adjutant.db")).unwrap();
    cli(&newdir, &["restore", "--force", path_str(&garbage)]).error(&["is not a usable backup"]);
    assert_eq!(std::fs::read(newdir.join("adjutant.db")).unwrap(), current);
    assert_eq!(before_restore_files(&newdir).len(), 2);
    assert_eq!(std::fs::read(&garbage).unwrap(), junk);
}

// ---------------------------------------------------------------------------
// 6. The demo
// ---------------------------------------------------------------------------

#[test]
fn demo_seeds_an_empty_directory_once() {
    let tmp = TempDir::new("demo");
    let data = tmp.join("data");
    let mut server = Server::start(&data, &["--demo"]);
    let lines = server.lines_until("priya@northwind.example");
    let text = lines.join("\n");
    assert!(text.contains("Demo organisation Northwind"), "{text}");
    assert!(text.contains("northwind-demo"), "{text}");
    for email in [
        "iris@northwind.example",
        "lars@northwind.example",
        "maya@northwind.example",
        "grace@northwind.example",
    ] {
        assert!(text.contains(email), "{email} missing from:\n{text}");
    }
    // The server is running; the CLI reads the same database.
    let first = people(&data);
    assert_eq!(first.len(), 11);
    assert_eq!(by_email(&first, "lars@northwind.example")["role"], "principal");
    assert_eq!(by_email(&first, "priya@northwind.example")["role"], "contractor");
    assert!(first.iter().all(|p| p["has_login"] == true));
    let delegations = cli(&data, &["--json", "delegate", "list"]).json();
    assert_eq!(delegations.as_array().unwrap().len(), 3);
    // The office is alive: the cleaning contract's notice deadline is coming with most of
    // its term's value invoiced, coffee and toner are low with requests drafted, the
    // chairs wait for a principal, and a budget is forecast to overrun.
    let due = cli(&data, &["--json", "contracts", "due", "--days", "30"]).json();
    let cleaning = due["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["contract"]["title"] == "Office cleaning, Amsterdam")
        .unwrap_or_else(|| panic!("{due}"));
    assert_eq!(cleaning["alert"]["kind"], "notice_deadline");
    assert_eq!(cleaning["contract"]["spend_percent"], 94);
    let low = cli(&data, &["--json", "stock", "low"]).json();
    let names: Vec<&str> = low
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Coffee beans, espresso roast", "Printer toner, black"]);
    let waiting = cli(&data, &["--json", "purchase", "list", "--status", "waiting"]).json();
    assert_eq!(waiting.as_array().unwrap().len(), 4, "{waiting}");
    let budgets = cli(&data, &["--json", "budget", "status"]).json();
    assert!(budgets["warnings"].as_u64().unwrap() >= 1, "{budgets}");
    // Expenses are alive: two reports wait (one over the meals limit, one Maya filed
    // for Lars), Ben's was reimbursed, Arjun's draft lacks a taxi receipt.
    let waiting = cli(
        &data,
        &["--json", "expense", "report", "list", "--status", "waiting"],
    )
    .json();
    let waiting = waiting.as_array().unwrap();
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    let tom = waiting
        .iter()
        .find(|r| r["person"]["name"] == "Tom Bakker")
        .unwrap();
    assert_eq!(tom["warnings"], 1, "{tom}");
    assert!(
        tom["expenses"]
            .to_string()
            .contains("EUR 84.50 is over the meals limit of EUR 60.00."),
        "{tom}"
    );
    let lars = waiting
        .iter()
        .find(|r| r["person"]["name"] == "Lars Jansen")
        .unwrap();
    assert_eq!(lars["created_by"], "Maya de Vries");
    let all = cli(&data, &["--json", "expense", "report", "list"]).json();
    let states: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"reimbursed") && states.contains(&"draft"),
        "{states:?}"
    );
    let arjun = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "draft")
        .unwrap();
    assert!(
        arjun["blocked"]
            .as_str()
            .unwrap()
            .contains("receipt is required for taxi"),
        "{arjun}"
    );
    assert_eq!(arjun["totals"][0]["display"], "INR 10,500.00", "{arjun}");
    // Spaces: three sites, desks and equipment placed on their floors, the rooms
    // too, and bookings of the working day (the CEO's pool car booked by Maya).
    let sites = cli(&data, &["site", "list"]).ok().stdout;
    for s in [
        "Amsterdam HQ",
        "New York office",
        "Kolkata hub",
        "Ground floor, 2nd floor, 3rd floor",
    ] {
        assert!(sites.contains(s), "{s} missing from:\n{sites}");
    }
    let spaces = cli(&data, &["--json", "space", "list", "--site", "Amsterdam HQ"]).json();
    let spaces = spaces.as_array().unwrap();
    let boardroom = spaces.iter().find(|s| s["name"] == "Boardroom").unwrap();
    assert_eq!(
        (boardroom["kind"].as_str(), boardroom["floor"].as_str()),
        (Some("room"), Some("3rd floor"))
    );
    let maya_desk = spaces.iter().find(|s| s["name"] == "Desk 3.01").unwrap();
    assert_eq!(maya_desk["assigned_to"], "Maya de Vries");
    let bookings = cli(
        &data,
        &["--json", "space", "bookings", "--for", "lars@northwind.example"],
    )
    .json();
    assert!(
        bookings
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["space_name"] == "Pool car (Tesla Model 3)"),
        "{bookings}"
    );
    // Mail: Lars's inbox triaged with the board director's question on top, a
    // first-time sender in screening, a follow-up overdue, Maya's draft waiting
    // for approval, Sofia's invoices marked for office work, contacts due.
    let lars_mail = cli(&data, &["--json", "triage", "--for", "lars@northwind.example"]).json();
    let top = &lars_mail[0];
    assert_eq!(top["from"], "h.de.wit@example.org", "{lars_mail}");
    assert!(top["reasons"].to_string().contains("vip"), "{top}");
    let screening = cli(
        &data,
        &[
            "--json",
            "triage",
            "--for",
            "lars@northwind.example",
            "--view",
            "screening",
        ],
    )
    .json();
    assert!(
        screening.to_string().contains("j.berg@nordicventures.example"),
        "{screening}"
    );
    let follow = cli(&data, &["followups", "--for", "lars@northwind.example"])
        .ok()
        .stdout;
    assert!(follow.contains("Introduction to our Lagos partner"), "{follow}");
    assert!(!follow.contains("Offsite venue"), "answered: {follow}");
    let drafts = cli(
        &data,
        &[
            "--json",
            "mail",
            "drafts",
            "--for",
            "lars@northwind.example",
            "--status",
            "pending",
        ],
    )
    .json();
    assert_eq!(drafts[0]["author_label"], "Maya de Vries", "{drafts}");
    let office = cli(&data, &["--json", "triage", "--for", "sofia@northwind.example"]).json();
    let invoices = office
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["office"] == "invoice")
        .count();
    assert!(invoices >= 2, "{office}");
    // Koffie & Co's invoice is read from the message, ready to register.
    let coffee = office
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["from"] == "facturen@koffieenco.example")
        .unwrap_or_else(|| panic!("{office}"));
    let shown = cli(
        &data,
        &[
            "--json",
            "mail",
            "show",
            "--for",
            "sofia@northwind.example",
            coffee["id"].as_str().unwrap(),
        ],
    )
    .json();
    let s = &shown["invoice_suggestion"];
    assert_eq!(s["vendor"]["name"], "Koffie & Co", "{s}");
    assert_eq!(
        (s["number"].as_str(), s["amount"].as_str()),
        (Some("KC-2026-1148"), Some("386.20")),
        "{s}"
    );
    assert!(s["due_on"].is_string(), "{s}");
    assert_eq!(s["vat"], "9", "{s}");
    // Sparkle's renewal notice is shown beside the cleaning contract's notice deadline.
    let renewal = office
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["from"] == "anouk@sparkle-cleaning.example")
        .unwrap_or_else(|| panic!("{office}"));
    assert_eq!(renewal["office"], "contract", "{renewal}");
    let shown = cli(
        &data,
        &[
            "mail",
            "show",
            "--for",
            "sofia@northwind.example",
            renewal["id"].as_str().unwrap(),
        ],
    )
    .ok()
    .stdout;
    assert!(
        shown.contains("Contract: Office cleaning, Amsterdam (Sparkle Cleaning BV): give notice by"),
        "{shown}"
    );
    let due = cli(
        &data,
        &["--json", "contacts", "due", "--for", "lars@northwind.example"],
    )
    .json();
    assert!(due.to_string().contains("Pieter Vos"), "{due}");
    // The demo accounts work: Maya holds her two delegations.
    let rt = runtime();
    let c = client();
    let (status, _) = rt.block_on(get(&c, server.url("/healthz"), None));
    assert_eq!(status, 200);
    let (_, maya_secret) = create_token(&data, "maya@northwind.example", "demo");
    let (status, me) = rt.block_on(get(&c, server.url("/api/v1/me"), Some(&maya_secret)));
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["organisation"], "Northwind");
    assert_eq!(me["delegations"].as_array().map(Vec::len), Some(2), "{me}");
    server.kill();

    // A second start does not seed again.
    let mut server = Server::start(&data, &["--demo"]);
    let _ = server.lines_until("priya@northwind.example");
    let second = people(&data);
    assert_eq!(ids_of(&second), ids_of(&first));
    assert_eq!(
        cli(&data, &["--json", "delegate", "list"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let audit = cli(
        &data,
        &["--json", "audit", "--action", "person.create", "--limit", "1000"],
    )
    .json();
    let audit = audit.as_array().unwrap();
    assert_eq!(audit.len(), 11);
    assert!(audit.iter().all(|e| e["actor_label"] == "demo"));
    drop(server);

    // `--demo` on an installation that already holds another organisation adds nothing.
    let other = tmp.join("other");
    init_northwind(&other);
    let mut server = Server::start(&other, &["--demo"]);
    let rest = server.lines_until("demo");
    let text = rest.join("\n");
    assert!(!text.contains("northwind-demo"), "{text}");
    assert_eq!(people(&other).len(), 1);
    drop(server);
}

// ---------------------------------------------------------------------------
// Calendar commands
// ---------------------------------------------------------------------------

/// An Outlook-style invitation with a Windows zone name and a weekly series with an exception.
const OUTLOOK_ICS: &str = "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:weekly-sync@example.com\r\nDTSTAMP:20270101T000000Z\r\nSUMMARY:Weekly sync\r\n\
DTSTART;TZID=W. Europe Standard Time:20270301T100000\r\nDTEND;TZID=W. Europe Standard Time:20270301T103000\r\n\
RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;TZID=W. Europe Standard Time:20270315T100000\r\n\
ATTENDEE;CN=Lars Jansen:mailto:lars@example.org\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn calendar_from_the_command_line() {
    let tmp = TempDir::new("calendar");
    let data = tmp.join("data");
    init_northwind(&data);
    cli_stdin(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Lars Jansen",
            "--email",
            "lars@example.org",
            "--role",
            "principal",
            "--time-zone",
            "Europe/Amsterdam",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    )
    .ok();
    cli(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Grace Chen",
            "--email",
            "grace@example.org",
            "--role",
            "principal",
            "--time-zone",
            "America/New_York",
        ],
    )
    .ok();
    let room = cli(
        &data,
        &[
            "--json",
            "room",
            "add",
            "--name",
            "Boardroom",
            "--capacity",
            "12",
            "--equipment",
            "screen,video",
            "--location",
            "Amsterdam HQ",
            "--tz",
            "Europe/Amsterdam",
        ],
    )
    .json();
    assert_eq!(room["capacity"], 12);
    let rooms = cli(&data, &["room", "list"]).ok().stdout;
    assert!(
        rooms.contains("Boardroom") && rooms.contains("screen, video"),
        "{rooms}"
    );

    // Add, see in the agenda (in two zones), move one occurrence, cancel another.
    let e = cli(
        &data,
        &[
            "--json",
            "event",
            "add",
            "--for",
            "lars@example.org",
            "--summary",
            "Leadership team",
            "--start",
            "2027-03-02 16:00",
            "--duration",
            "60",
            "--tz",
            "Europe/Amsterdam",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=TU",
            "--with",
            "grace@example.org",
            "--room",
            "Boardroom",
        ],
    )
    .json();
    let id = e["id"].as_str().unwrap().to_string();
    let week = cli(
        &data,
        &[
            "agenda",
            "--for",
            "lars@example.org",
            "--date",
            "2027-03-03",
            "--tz",
            "America/New_York",
        ],
    )
    .ok()
    .stdout;
    assert!(
        week.contains("Leadership team") && week.contains("10:00–11:00") && week.contains("16:00–17:00"),
        "{week}"
    );
    assert!(
        week.contains("Mon 1 Mar 2027 to Sun 7 Mar 2027"),
        "the week runs Monday to Sunday: {week}"
    );
    cli(
        &data,
        &[
            "event",
            "move",
            &id,
            "--start",
            "2027-03-09 17:00",
            "--occurrence",
            "2027-03-09T16:00:00",
        ],
    )
    .ok();
    let moved = cli(
        &data,
        &[
            "--json",
            "agenda",
            "--for",
            "grace@example.org",
            "--date",
            "2027-03-09",
        ],
    )
    .json();
    let items = moved.as_array().unwrap();
    assert_eq!(items.len(), 1, "{moved}");
    assert_eq!(items[0]["start_at"], "2027-03-09T16:00:00Z");
    assert_eq!(items[0]["moved"], true);
    cli(
        &data,
        &["event", "cancel", &id, "--occurrence", "2027-03-16T16:00:00"],
    )
    .ok();
    let day = cli(
        &data,
        &[
            "--json",
            "agenda",
            "--for",
            "lars@example.org",
            "--day",
            "--date",
            "2027-03-16",
        ],
    )
    .json();
    assert!(day.as_array().unwrap().is_empty(), "{day}");
    // The room is booked: a clashing event is refused with the reason, and nothing is stored.
    let before = cli(
        &data,
        &["--json", "agenda", "--room", "Boardroom", "--date", "2027-03-23"],
    )
    .json();
    cli(
        &data,
        &[
            "event",
            "add",
            "--for",
            "grace@example.org",
            "--summary",
            "Grab the room",
            "--start",
            "2027-03-23 16:30",
            "--tz",
            "Europe/Amsterdam",
            "--room",
            "Boardroom",
        ],
    )
    .error(&["room is already booked", "Leadership team"]);
    assert_eq!(
        cli(
            &data,
            &["--json", "agenda", "--room", "Boardroom", "--date", "2027-03-23"]
        )
        .json(),
        before
    );

    // Find a time across zones, and ask why not.
    let found = cli(
        &data,
        &[
            "find-time",
            "--with",
            "lars@example.org,grace@example.org",
            "--duration",
            "60",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-06",
            "--tz",
            "Europe/Amsterdam",
        ],
    )
    .ok()
    .stdout;
    assert!(
        found.contains("Amsterdam") && found.contains("New York"),
        "{found}"
    );
    let why = cli(
        &data,
        &[
            "find-time",
            "--with",
            "lars@example.org,grace@example.org",
            "--duration",
            "60",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-06",
            "--tz",
            "Europe/Amsterdam",
            "--why-not",
            "2027-03-02 16:30",
        ],
    )
    .ok()
    .stdout;
    assert!(why.contains("Leadership team"), "{why}");

    // Import a file as Outlook writes it; export it back; expand a file without any database.
    let file = tmp.join("outlook.ics");
    std::fs::write(&file, OUTLOOK_ICS).unwrap();
    let report = cli(
        &data,
        &[
            "--json",
            "import",
            "ics",
            path_str(&file),
            "--for",
            "lars@example.org",
        ],
    )
    .json();
    assert_eq!(report["created"], 1, "{report}");
    assert!(
        report["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["component"].as_str().unwrap().contains("VALARM")),
        "{report}"
    );
    let out = tmp.join("export.ics");
    cli(
        &data,
        &[
            "export",
            "ics",
            "--for",
            "lars@example.org",
            "--output",
            path_str(&out),
        ],
    )
    .ok();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("UID:weekly-sync@example.com") && text.contains("Leadership team"),
        "{text}"
    );
    let lines = cli(&data, &["ics", "expand", path_str(&file)]).ok().stdout;
    let occ: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(occ.len(), 3, "four weeks less the excluded one: {lines}");
    assert_eq!(occ[0]["start"]["zone"], "Europe/Berlin");
    assert_eq!(occ[0]["start"]["utc"], "2027-03-01T09:00:00Z");
    assert_eq!(occ[2]["start"]["utc"], "2027-03-22T09:00:00Z");

    // Bad input: one clear line, nothing stored.
    let snap = snapshot(&data);
    cli(
        &data,
        &[
            "event",
            "add",
            "--for",
            "lars@example.org",
            "--summary",
            "x",
            "--start",
            "2027-03-02 10:00",
            "--tz",
            "Mars/Olympus",
        ],
    )
    .error(&["time_zone", "Mars/Olympus"]);
    cli(
        &data,
        &[
            "event",
            "add",
            "--for",
            "lars@example.org",
            "--summary",
            "x",
            "--start",
            "2027-03-02 10:00",
            "--end",
            "2027-03-02 09:00",
        ],
    )
    .error(&["end"]);
    cli(
        &data,
        &[
            "event",
            "add",
            "--for",
            "lars@example.org",
            "--summary",
            "x",
            "--start",
            "2027-03-02 10:00",
            "--rrule",
            "FREQ=SOMETIMES",
        ],
    )
    .error(&["rrule", "SOMETIMES"]);
    cli(
        &data,
        &[
            "event",
            "add",
            "--for",
            "nobody@example.org",
            "--summary",
            "x",
            "--start",
            "2027-03-02 10:00",
        ],
    )
    .error(&["nobody@example.org"]);
    cli(
        &data,
        &["event", "add", "--summary", "x", "--start", "2027-03-02 10:00"],
    )
    .error(&["--for"]);
    let bad = tmp.join("bad.ics");
    std::fs::write(&bad, OUTLOOK_ICS.replace("20270301T100000", "20270230T100000")).unwrap();
    cli(
        &data,
        &["import", "ics", path_str(&bad), "--for", "lars@example.org"],
    )
    .error(&["bad.ics", "line"]);
    cli(&data, &["ics", "expand", path_str(&bad)]).error(&["line"]);
    cli(&data, &["agenda", "--room", "Nowhere"]).error(&["Nowhere", "Boardroom"]);
    assert_eq!(snapshot(&data), snap, "nothing was written");
}

// ---------------------------------------------------------------------------
// Tasks, planning, meetings and duties
// ---------------------------------------------------------------------------

/// `adjutant --data DIR ARGS` run by `email`, named through `ADJUTANT_USER`.
fn cli_as(data: &Path, email: &str, args: &[&str]) -> Out {
    let mut all: Vec<&std::ffi::OsStr> = vec!["--data".as_ref(), data.as_os_str()];
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    let mut c = command(&all);
    c.env("ADJUTANT_USER", email);
    run(c, None)
}

/// Northwind with two principals: Lars in Amsterdam and Grace in New York.
fn init_with_principals(data: &Path) {
    init_northwind(data);
    for (name, email, zone) in [
        ("Lars Jansen", "lars@example.org", "Europe/Amsterdam"),
        ("Grace Chen", "grace@example.org", "America/New_York"),
    ] {
        cli(
            data,
            &[
                "user",
                "add",
                "--name",
                name,
                "--email",
                email,
                "--role",
                "principal",
                "--time-zone",
                zone,
            ],
        )
        .ok();
    }
}

/// A JSON array's elements.
fn array(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

/// The element of a JSON array whose `title` is `title`.
fn titled<'a>(list: &'a Value, title: &str) -> &'a Value {
    array(list)
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no `{title}` in {list}"))
}

/// The last eight characters of an id, as lists show it.
fn tail(id: &Value) -> String {
    let s = id.as_str().unwrap();
    s[s.len() - 8..].to_string()
}

const LARS: &str = "lars@example.org";
const GRACE: &str = "grace@example.org";

#[test]
fn tasks_and_priorities_from_the_command_line() {
    let tmp = TempDir::new("tasks");
    let data = tmp.join("data");
    init_with_principals(&data);

    // Quick add as Lars ($ADJUTANT_USER): what is understood is shown, and so is what is not.
    let added = cli_as(
        &data,
        LARS,
        &[
            "task",
            "add",
            "call Anna about the lease tomorrow 15:00 !high #board ~30m !hgh",
        ],
    )
    .ok()
    .stdout;
    for part in [
        "Added “call Anna about the lease !hgh” for Lars Jansen",
        "(Europe/Amsterdam)",
        "4 (high)",
        "#board",
        "30 min",
        "not understood: !hgh",
    ] {
        assert!(added.contains(part), "`{part}` missing from:\n{added}");
    }
    let memo = cli_as(
        &data,
        LARS,
        &[
            "--json",
            "task",
            "add",
            "Write the board memo !critical #board ~2h",
        ],
    )
    .json();
    assert_eq!(memo["task"]["title"], "Write the board memo");
    assert_eq!(memo["task"]["estimate_minutes"], 120);
    assert_eq!(memo["task"]["impact"], 5);
    assert_eq!(memo["task"]["quadrant"], "schedule");
    assert!(array(&memo["not_understood"]).is_empty(), "{memo}");
    // A zero estimate is not an estimate: the task is stored, and the part is listed.
    let zero = cli(
        &data,
        &["--json", "task", "add", "Tidy the archive ~0m", "--for", LARS],
    )
    .json();
    assert_eq!(zero["task"]["estimate_minutes"], Value::Null);
    let nu = array(&zero["not_understood"]);
    assert_eq!(nu.len(), 1, "{zero}");
    assert_eq!(nu[0]["text"], "~0m");
    assert!(
        nu[0]["message"].as_str().unwrap().contains("more than zero"),
        "{zero}"
    );

    // The list: a table with short ids, and JSON.
    let table = cli_as(&data, LARS, &["task", "list"]).ok().stdout;
    let memo_id = memo["task"]["id"].clone();
    assert!(
        table.contains("call Anna about the lease") && table.contains(&tail(&memo_id)),
        "{table}"
    );
    let list = cli(&data, &["--json", "task", "list", "--for", LARS]).json();
    assert_eq!(array(&list).len(), 3, "{list}");
    let call = titled(&list, "call Anna about the lease !hgh").clone();
    assert_eq!(call["tags"], json!(["board"]));
    assert_eq!(call["due"]["zone"], "Europe/Amsterdam");
    let board = cli_as(&data, LARS, &["--json", "task", "list", "--tag", "board"]).json();
    assert_eq!(array(&board).len(), 2, "{board}");

    // The matrix, in words and in JSON.
    let m = cli_as(&data, LARS, &["task", "list", "--matrix"]).ok().stdout;
    for part in [
        "Do now (",
        "Schedule (",
        "Delegate (",
        "Drop (",
        "Needs your decision (",
    ] {
        assert!(m.contains(part), "`{part}` missing from:\n{m}");
    }
    assert!(m.contains("Write the board memo"), "{m}");
    let mj = cli_as(&data, LARS, &["--json", "task", "list", "--matrix"]).json();
    assert_eq!(mj["person"]["name"], "Lars Jansen");
    assert!(array(&mj["schedule"]).iter().any(|t| t["id"] == memo_id), "{mj}");

    // Move by the end of the id, show, then mark it done.
    let moved = cli(&data, &["--json", "task", "move", &tail(&memo_id), "do_now"]).json();
    assert_eq!(moved["quadrant"], "do_now");
    let shown = cli(&data, &["task", "show", &tail(&memo_id)]).ok().stdout;
    assert!(
        shown.contains("Write the board memo") && shown.contains("Do now") && shown.contains("2 h"),
        "{shown}"
    );
    let shown = cli(&data, &["--json", "task", "show", memo_id.as_str().unwrap()]).json();
    assert_eq!(shown["id"], memo_id);
    let done = cli(&data, &["task", "done", &tail(&memo_id)]).ok().stdout;
    assert!(done.contains("Done: “Write the board memo”"), "{done}");
    let open = cli_as(&data, LARS, &["--json", "task", "list"]).json();
    assert!(array(&open).iter().all(|t| t["id"] != memo_id), "{open}");
    let closed = cli_as(&data, LARS, &["--json", "task", "list", "--status", "done"]).json();
    assert_eq!(array(&closed).len(), 1, "{closed}");
    assert_eq!(closed[0]["id"], memo_id);
    let again = cli(&data, &["--json", "task", "done", call["id"].as_str().unwrap()]).json();
    assert_eq!(again["task"]["status"], "done");
    assert_eq!(again["next"], Value::Null);

    // Bad input: one clear line, nothing stored.
    let snap = (
        cli(
            &data,
            &["--json", "task", "list", "--for", LARS, "--status", "all"],
        )
        .json(),
        cli(&data, &["--json", "audit", "--limit", "1000"]).json(),
    );
    cli(
        &data,
        &["task", "add", "Call the bank", "--for", "nobody@example.org"],
    )
    .error(&["nobody@example.org"]);
    cli(&data, &["task", "add", "Call the bank"]).error(&["--for", "ADJUTANT_USER"]);
    cli_as(&data, LARS, &["task", "add", "   "]).error(&["text"]);
    cli(&data, &["task", "move", &tail(&memo_id), "sideways"]).error(&["quadrant", "sideways"]);
    cli(&data, &["task", "done", "ffffffff"]).error(&["no task", "ffffffff"]);
    cli(&data, &["task", "done", "x1"]).error(&["not a task id"]);
    cli_as(&data, LARS, &["task", "list", "--status", "someday"]).error(&["status", "someday"]);
    assert_eq!(
        (
            cli(
                &data,
                &["--json", "task", "list", "--for", LARS, "--status", "all"]
            )
            .json(),
            cli(&data, &["--json", "audit", "--limit", "1000"]).json(),
        ),
        snap,
        "nothing was written"
    );
}

#[test]
fn planning_from_the_command_line() {
    let tmp = TempDir::new("plan");
    let data = tmp.join("data");
    init_with_principals(&data);
    for text in [
        "Write the board memo !high ~2h",
        "Review the lease ~45m",
        "Call the bank",
    ] {
        cli_as(&data, LARS, &["task", "add", text]).ok();
    }

    // A dry run shows blocks by day with reasons, and what it leaves out; it stores nothing.
    let dry = cli_as(&data, LARS, &["plan", "--dry-run"]).ok().stdout;
    for part in [
        "Plan for Lars Jansen (Europe/Amsterdam)",
        "A dry run: nothing is stored",
        "Write the board memo",
        "Review the lease",
        "why: ",
        "Not planned:",
        "Call the bank",
        "no estimate",
    ] {
        assert!(dry.contains(part), "`{part}` missing from:\n{dry}");
    }
    let preview = cli_as(&data, LARS, &["--json", "plan", "--days", "14"]).json();
    assert_eq!(preview["status"], "proposed");
    assert_eq!(preview["id"], Value::Null);
    assert!(!array(&preview["blocks"]).is_empty(), "{preview}");
    let first = preview["blocks"][0]["start"].as_str().unwrap()[..10].to_string();
    let on_calendar = |day: &str| -> Vec<String> {
        array(
            &cli(
                &data,
                &["--json", "agenda", "--for", LARS, "--week", "--date", day],
            )
            .json(),
        )
        .iter()
        .map(|i| i["summary"].as_str().unwrap().to_string())
        .collect()
    };
    assert!(on_calendar(&first).is_empty(), "a dry run stores nothing");

    // Apply: the blocks are on the calendar; undo: they are gone.
    let applied = cli_as(&data, LARS, &["--json", "plan", "--apply", "--days", "14"]).json();
    assert_eq!(applied["status"], "applied");
    let plan_id = applied["id"].as_str().unwrap().to_string();
    let day = applied["blocks"][0]["start"].as_str().unwrap()[..10].to_string();
    let title = applied["blocks"][0]["title"].as_str().unwrap().to_string();
    let summaries = on_calendar(&day);
    assert!(
        summaries.iter().any(|s| s.starts_with(&title)),
        "{title} not in {summaries:?}"
    );
    let undone = cli_as(&data, LARS, &["plan", "--undo"]).ok().stdout;
    assert!(undone.contains(&format!("Undid plan {plan_id}")), "{undone}");
    assert!(on_calendar(&day).is_empty(), "the blocks left the calendar");
    cli_as(&data, LARS, &["plan", "--undo"]).error(&["no applied plan"]);

    // Apply in words, undo by id.
    let text = cli(&data, &["plan", "--apply", "--for", LARS]).ok().stdout;
    assert!(text.contains("Applied as plan "), "{text}");
    let id = text
        .split("Applied as plan ")
        .nth(1)
        .and_then(|s| s.split(':').next())
        .unwrap()
        .to_string();
    assert!(!on_calendar(&day).is_empty() || !on_calendar(&first).is_empty());
    let v = cli(&data, &["--json", "plan", "--undo", &id]).json();
    assert_eq!(v["status"], "undone");
    assert_eq!(v["id"], id.as_str());

    // Bad options: one line naming the field, nothing stored.
    let snap = cli(&data, &["--json", "audit", "--limit", "1000"]).json();
    cli_as(&data, LARS, &["plan", "--apply", "--days", "0"]).error(&["days"]);
    cli_as(&data, LARS, &["plan", "--min-chunk", "5"]).error(&["min_chunk_minutes"]);
    cli_as(&data, LARS, &["plan", "--undo", "not-a-plan"]).error(&["not a plan id"]);
    cli(&data, &["plan", "--for", "nobody@example.org"]).error(&["nobody@example.org"]);
    assert_eq!(cli(&data, &["--json", "audit", "--limit", "1000"]).json(), snap);
}

#[test]
fn meetings_commitments_and_goals_from_the_command_line() {
    let tmp = TempDir::new("meetings");
    let data = tmp.join("data");
    init_with_principals(&data);
    let e = cli(
        &data,
        &[
            "--json",
            "event",
            "add",
            "--for",
            LARS,
            "--summary",
            "Board prep",
            "--start",
            "2027-03-02 10:00",
            "--duration",
            "60",
            "--tz",
            "Europe/Amsterdam",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=TU",
            "--with",
            GRACE,
        ],
    )
    .json();
    let event = e["id"].as_str().unwrap().to_string();
    let first = "2027-03-02T10:00:00";

    // The agenda: opened (made the first time), items added with owners and time-boxes.
    cli(&data, &["meeting", "agenda", &event]).error(&["occurrence", "repeats"]);
    let m = cli(
        &data,
        &[
            "--json",
            "meeting",
            "agenda",
            &event,
            "--occurrence",
            first,
            "--add",
            "Audit letter",
            "--owner",
            GRACE,
            "--minutes",
            "15",
        ],
    )
    .json();
    let meeting = m["id"].as_str().unwrap().to_string();
    assert_eq!(m["agenda"][0]["title"], "Audit letter");
    assert_eq!(m["agenda"][0]["owner"]["name"], "Grace Chen");
    assert_eq!(m["agenda"][0]["minutes"], 15);
    let agenda = cli(
        &data,
        &[
            "meeting",
            "agenda",
            &event,
            "--occurrence",
            first,
            "--add",
            "Budget",
            "--minutes",
            "20",
        ],
    )
    .ok()
    .stdout;
    for part in [
        "Board prep — Tue 2 Mar 2027, 10:00–11:00 (Europe/Amsterdam)",
        &format!("Meeting {meeting}"),
        "2 item(s), 35 of 60 minutes time-boxed",
        "Audit letter",
        "Grace Chen",
        "15 min",
        "Budget",
    ] {
        assert!(agenda.contains(part), "`{part}` missing from:\n{agenda}");
    }

    // Minutes, a decision and an action item, which becomes Grace's task.
    let minutes = cli(
        &data,
        &[
            "meeting",
            "minutes",
            &meeting,
            "--notes",
            "We went through the audit.",
            "--decision",
            "Engage the auditors",
            "--action",
            "Send the audit letter|grace@example.org|2027-03-05",
        ],
    )
    .ok()
    .stdout;
    for part in [
        "Recorded 1 action item(s)",
        "We went through the audit.",
        "Engage the auditors",
        "Send the audit letter",
        "Grace Chen",
    ] {
        assert!(minutes.contains(part), "`{part}` missing from:\n{minutes}");
    }
    let graces = cli_as(&data, GRACE, &["--json", "task", "list"]).json();
    let action = titled(&graces, "Send the audit letter");
    assert_eq!(action["from_meeting"], meeting.as_str());
    assert_eq!(action["due"]["date"], "2027-03-05");
    let table = cli_as(&data, GRACE, &["task", "list"]).ok().stdout;
    assert!(
        table.contains("Send the audit letter") && table.contains("action item"),
        "{table}"
    );
    let more = cli(
        &data,
        &[
            "--json",
            "meeting",
            "minutes",
            &meeting,
            "--decision",
            "Budget stays as it is",
            "--action",
            "Book the auditors|lars@example.org",
        ],
    )
    .json();
    assert_eq!(array(&more["meeting"]["decisions"]).len(), 2, "{more}");
    assert_eq!(more["meeting"]["minutes"], "We went through the audit.");
    assert_eq!(more["created_tasks"][0]["title"], "Book the auditors");
    assert_eq!(array(&more["meeting"]["action_items"]).len(), 2);

    // The recap, in Markdown, in plain text and in JSON.
    let md = cli(&data, &["meeting", "recap", &meeting]).ok().stdout;
    assert!(
        md.contains("Send the audit letter") && md.contains("Engage the auditors") && md.contains('#'),
        "{md}"
    );
    let text = cli(&data, &["meeting", "recap", &meeting, "--text"]).ok().stdout;
    assert!(text.contains("Send the audit letter"), "{text}");
    let recap = cli(&data, &["--json", "meeting", "recap", &meeting]).json();
    assert!(
        recap["markdown"].as_str().unwrap().contains("Book the auditors"),
        "{recap}"
    );

    // The next occurrence seeds its agenda from what is still open.
    let next = cli(
        &data,
        &[
            "--json",
            "meeting",
            "agenda",
            &event,
            "--occurrence",
            "2027-03-09T10:00:00",
            "--seed",
        ],
    )
    .json();
    assert_ne!(next["id"], meeting.as_str());
    let titles: Vec<&str> = array(&next["agenda"])
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Audit letter") && titles.contains(&"Follow up: Send the audit letter"),
        "{titles:?}"
    );

    // Commitments: Grace owes the action item; Lars is owed it (his meeting).
    let c = cli_as(&data, LARS, &["--json", "commitments"]).json();
    assert!(
        array(&c["owed"]).iter().any(
            |x| x["task"]["title"] == "Send the audit letter" && x["counterpart"]["name"] == "Grace Chen"
        ),
        "{c}"
    );
    let owes = cli(&data, &["commitments", "--for", GRACE]).ok().stdout;
    assert!(
        owes.contains("Grace Chen owes (1)") && owes.contains("Send the audit letter"),
        "{owes}"
    );

    // Goals.
    let added = cli_as(
        &data,
        LARS,
        &[
            "goals",
            "add",
            "--title",
            "Close the Series B",
            "--from",
            "2027-01-01",
            "--to",
            "2027-06-30",
        ],
    )
    .ok()
    .stdout;
    assert!(added.contains("Added the goal “Close the Series B”"), "{added}");
    let goals = cli_as(&data, LARS, &["--json", "goals", "--days", "60"]).json();
    assert!(
        array(&goals).iter().any(|g| g["title"] == "Close the Series B"),
        "{goals}"
    );
    let words = cli(&data, &["goals", "--for", LARS]).ok().stdout;
    assert!(
        words.contains("Close the Series B") && words.contains("Not tied to a goal"),
        "{words}"
    );

    // Bad input: one clear line naming the field; the meeting and the tasks stay as they were.
    let snap = (
        cli(&data, &["--json", "meeting", "minutes", &meeting]).json(),
        cli_as(&data, GRACE, &["--json", "task", "list", "--status", "all"]).json(),
        cli(&data, &["--json", "audit", "--limit", "1000"]).json(),
    );
    cli(
        &data,
        &["meeting", "minutes", &meeting, "--action", "Just a title"],
    )
    .error(&["--action"]);
    cli(
        &data,
        &[
            "meeting",
            "minutes",
            &meeting,
            "--decision",
            "Never recorded",
            "--action",
            "Phone the bank|nobody@example.org",
        ],
    )
    .error(&["actions[0].owner", "nobody@example.org"]);
    cli(
        &data,
        &[
            "meeting",
            "minutes",
            &meeting,
            "--action",
            "Phone the bank|grace@example.org|someday",
        ],
    )
    .error(&["due", "someday"]);
    cli(
        &data,
        &[
            "meeting",
            "minutes",
            &meeting,
            "--decision",
            " ",
            "--action",
            "Phone the bank|grace@example.org",
        ],
    )
    .error(&["decisions[2].text"]);
    cli(
        &data,
        &[
            "meeting",
            "agenda",
            &event,
            "--occurrence",
            first,
            "--add",
            "X",
            "--minutes",
            "0",
        ],
    )
    .error(&["agenda[2].minutes"]);
    cli(&data, &["meeting", "recap", "nope"]).error(&["not a meeting id"]);
    cli_as(&data, LARS, &["goals", "--days", "0"]).error(&["days"]);
    cli_as(
        &data,
        LARS,
        &[
            "goals",
            "add",
            "--title",
            "X",
            "--from",
            "2027-13-01",
            "--to",
            "2027-06-30",
        ],
    )
    .error(&["starts_on"]);
    assert_eq!(
        (
            cli(&data, &["--json", "meeting", "minutes", &meeting]).json(),
            cli_as(&data, GRACE, &["--json", "task", "list", "--status", "all"]).json(),
            cli(&data, &["--json", "audit", "--limit", "1000"]).json(),
        ),
        snap,
        "nothing was written"
    );
}

#[test]
fn duties_from_the_command_line() {
    let tmp = TempDir::new("duties");
    let data = tmp.join("data");
    init_with_principals(&data);
    let added = cli(
        &data,
        &[
            "duties",
            "add",
            "--title",
            "Approve payroll",
            "--owner",
            GRACE,
            "--cadence",
            "FREQ=MONTHLY;BYMONTHDAY=25",
            "--anchor",
            "2026-12-25",
            "--minutes",
            "30",
            "--area",
            "finance",
        ],
    )
    .ok()
    .stdout;
    assert!(added.contains("Added the duty “Approve payroll”"), "{added}");
    let plants = cli(
        &data,
        &[
            "--json",
            "duties",
            "add",
            "--title",
            "Water the plants",
            "--owner",
            LARS,
            "--backup",
            GRACE,
            "--cadence",
            "FREQ=WEEKLY;BYDAY=MO",
            "--anchor",
            "2026-12-07",
            "--minutes",
            "15",
            "--area",
            "office",
        ],
    )
    .json();
    let plants_id = plants["id"].as_str().unwrap().to_string();
    // A duty whose owner has left is a cover problem.
    cli(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Tom Baker",
            "--email",
            "tom@example.org",
            "--role",
            "staff",
        ],
    )
    .ok();
    cli(
        &data,
        &[
            "duties",
            "add",
            "--title",
            "Order coffee",
            "--owner",
            "tom@example.org",
            "--cadence",
            "FREQ=WEEKLY;BYDAY=FR",
            "--anchor",
            "2026-12-04",
            "--minutes",
            "10",
        ],
    )
    .ok();
    cli(&data, &["user", "disable", "tom@example.org"]).ok();

    // The grid: cover problems marked, who does each next, loads per person.
    let grid = cli(&data, &["duties"]).ok().stdout;
    for part in [
        "1 needs attention",
        "Approve payroll",
        "Water the plants",
        "no backup named",
        "Tom Baker has left",
        "Grace Chen",
        "Lars Jansen",
        "Load per person:",
    ] {
        assert!(grid.contains(part), "`{part}` missing from:\n{grid}");
    }
    let line = |title: &str| grid.lines().find(|l| l.contains(title)).unwrap().to_string();
    assert!(
        line("Order coffee").starts_with('!'),
        "a cover problem is marked: {grid}"
    );
    assert!(!line("Approve payroll").starts_with('!'), "{grid}");
    let g = cli(&data, &["--json", "duties", "--weeks", "8"]).json();
    assert_eq!(g["problems"], 1);
    let coffee = titled(&g["duties"], "Order coffee");
    assert_eq!(coffee["problem"], true);
    assert_eq!(coffee["next_doer"], Value::Null);
    assert!(
        array(&coffee["cover"])
            .iter()
            .any(|c| c["code"] == "owner_inactive"),
        "{coffee}"
    );
    let payroll = titled(&g["duties"], "Approve payroll");
    assert_eq!(payroll["problem"], false);
    assert_eq!(payroll["next_doer"]["name"], "Grace Chen");
    assert_eq!(payroll["next_due"], "2026-12-25");
    assert!(
        array(&payroll["cover"]).iter().any(|c| c["code"] == "no_backup"),
        "{payroll}"
    );
    assert!(
        array(&g["loads"])
            .iter()
            .any(|l| l["person"]["name"] == "Lars Jansen" && l["minutes"].as_i64().unwrap() > 0),
        "{g}"
    );

    // Done, by the end of the id or in full.
    let done = cli(&data, &["duties", "done", &plants_id[plants_id.len() - 8..]])
        .ok()
        .stdout;
    assert!(
        done.contains("Done: “Water the plants” due 2026-12-07; next due 2026-12-14"),
        "{done}"
    );
    let c = cli(
        &data,
        &[
            "--json",
            "duties",
            "done",
            payroll["id"].as_str().unwrap(),
            "--date",
            "2026-12-25",
            "--note",
            "paid",
        ],
    )
    .json();
    assert_eq!(c["completion"]["due_on"], "2026-12-25");
    assert_eq!(c["completion"]["note"], "paid");
    let after = cli(&data, &["--json", "duties"]).json();
    assert_eq!(
        titled(&after["duties"], "Approve payroll")["last_done"]["due_on"],
        "2026-12-25"
    );

    // Bad input: one clear line naming the field, nothing stored.
    let snap = (
        cli(&data, &["--json", "duties"]).json(),
        cli(&data, &["--json", "audit", "--limit", "1000"]).json(),
    );
    // A good duty with one flag changed (or added).
    let add = |flag: &str, value: &str| {
        let mut args = vec![
            "duties",
            "add",
            "--title",
            "Restock paper",
            "--owner",
            LARS,
            "--cadence",
            "FREQ=WEEKLY",
            "--anchor",
            "2026-12-07",
            "--minutes",
            "10",
        ];
        match args.iter().position(|a| *a == flag) {
            Some(i) => args[i + 1] = value,
            None => args.extend([flag, value]),
        }
        cli(&data, &args)
    };
    add("--minutes", "0").error(&["estimate_minutes"]);
    add("--cadence", "FREQ=SOMETIMES").error(&["cadence", "SOMETIMES"]);
    add("--anchor", "2026-02-30").error(&["anchor"]);
    add("--backup", "nobody@example.org").error(&["backup", "nobody@example.org"]);
    cli(&data, &["duties", "done", &plants_id, "--date", "2026-12-08"]).error(&["due_on", "2026-12-08"]);
    cli(&data, &["duties", "--weeks", "0"]).error(&["weeks"]);
    assert_eq!(
        (
            cli(&data, &["--json", "duties"]).json(),
            cli(&data, &["--json", "audit", "--limit", "1000"]).json(),
        ),
        snap,
        "nothing was written"
    );
}

// ---------------------------------------------------------------------------
// Vendors and contracts
// ---------------------------------------------------------------------------

/// Today as the command line counts it (the installation's day, in UTC).
fn utc_today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// `contract add` for Schoon BV's cleaning, renewing by itself on `renews`
/// after a year unless notice is given three months before.
fn add_cleaning(data: &Path, renews: jiff::civil::Date) -> Out {
    use jiff::ToSpan;
    let start = renews.checked_sub(12.months()).unwrap().to_string();
    cli(
        data,
        &[
            "--json",
            "contract",
            "add",
            "--vendor",
            "Schoon BV",
            "--title",
            "Office cleaning",
            "--start",
            &start,
            "--term-months",
            "12",
            "--notice",
            "3 months",
            "--value",
            "350.00",
            "--currency",
            "EUR",
            "--per",
            "month",
            "--owner",
            "iris@example.org",
            "--reference",
            "SCH-2025-01",
            "--category",
            "cleaning",
        ],
    )
}

#[test]
fn vendors_and_contracts_from_the_command_line() {
    use jiff::ToSpan;
    let tmp = TempDir::new("contracts");
    let data = tmp.join("data");
    init_northwind(&data);

    // A vendor, in words, in the list and as CSV.
    let added = cli(
        &data,
        &[
            "vendor",
            "add",
            "Schoon BV",
            "--category",
            "cleaning",
            "--category",
            "facilities",
            "--contact",
            "Anna de Vries <anna@schoon.example>",
            "--website",
            "https://schoon.example",
        ],
    )
    .ok()
    .stdout;
    assert!(
        added.contains("Added the vendor “Schoon BV” (cleaning, facilities)"),
        "{added}"
    );
    let vendors = cli(&data, &["--json", "vendor", "list"]).json();
    assert_eq!(array(&vendors).len(), 1, "{vendors}");
    assert_eq!(vendors[0]["contacts"][0]["email"], "anna@schoon.example");
    let csv = cli(&data, &["vendor", "list", "--csv"]).ok().stdout;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("name,categories,contacts,emails,website,contracts,annual_value"),
        "{csv}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("Schoon BV,cleaning; facilities,Anna de Vries,"),
        "{csv}"
    );

    // A contract whose last day to give notice is ten days or so away…
    let today = utc_today();
    let renews = today
        .checked_add(3.months())
        .unwrap()
        .checked_add(10.days())
        .unwrap();
    let k = add_cleaning(&data, renews).json();
    let id = k["id"].as_str().unwrap().to_string();
    assert_eq!(k["state"], "notice_due", "{k}");
    assert_eq!(k["auto_renew"], true);
    assert_eq!(k["value"]["display"], "EUR 350.00");
    assert_eq!(k["annual_value"]["amount"], "4200.00");
    assert_eq!(k["owner"]["name"], "Iris Visser");
    let deadline = k["notice_deadline"].as_str().unwrap().to_string();
    // Counted from the start, the renewal may land a day off `renews` at a month's end.
    let renews_on: jiff::civil::Date = k["renews_on"].as_str().unwrap().parse().unwrap();
    assert!((renews - renews_on).get_days().abs() <= 3, "{k}");
    let left = k["days_to_deadline"].as_i64().unwrap();
    assert!((1..30).contains(&left), "{k}");
    assert!(
        k["summary"].as_str().unwrap().starts_with("give notice by"),
        "{k}"
    );
    // …and one that ends by itself a little later.
    let ends = today.checked_add(20.days()).unwrap();
    let start = ends
        .checked_add(1.day())
        .unwrap()
        .checked_sub(12.months())
        .unwrap()
        .to_string();
    cli(
        &data,
        &[
            "contract",
            "add",
            "--vendor",
            "Schoon BV",
            "--title",
            "Window cleaning",
            "--start",
            &start,
            "--term-months",
            "12",
            "--no-auto-renew",
            "--notice",
            "1 month",
            "--value",
            "1200",
            "--currency",
            "EUR",
            "--per",
            "year",
        ],
    )
    .ok();

    // The list: state, the deadline with the days left, value per period.
    let table = cli(&data, &["contract", "list"]).ok().stdout;
    let row = table.lines().find(|l| l.contains("Office cleaning")).unwrap();
    for part in [
        tail(&k["id"]).as_str(),
        "Schoon BV",
        "notice due",
        &format!("(in {left} days)"),
        "EUR 350.00 / month",
    ] {
        assert!(row.contains(part), "`{part}` missing from:\n{table}");
    }
    let windows = table.lines().find(|l| l.contains("Window cleaning")).unwrap();
    assert!(
        windows.contains("ending") && windows.contains("ends ") && windows.contains("EUR 1,200.00 / year"),
        "{table}"
    );
    let found = cli(
        &data,
        &[
            "--json",
            "contract",
            "list",
            "--search",
            "office",
            "--state",
            "notice_due",
        ],
    )
    .json();
    assert_eq!(array(&found).len(), 1, "{found}");
    assert_eq!(found[0]["id"], k["id"]);
    let csv = cli(&data, &["contract", "list", "--category", "cleaning", "--csv"])
        .ok()
        .stdout;
    assert!(
        csv.starts_with("title,vendor,reference,category,owner,start,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(
        csv.contains(&format!(",notice_due,{deadline},{left},{renews_on},")),
        "{csv}"
    );

    // What is due within 30 days, soonest first: in words, as CSV and as JSON.
    let due = cli(&data, &["contracts", "due", "--days", "30"]).ok().stdout;
    assert!(
        due.contains("Due in the next 30 days") && due.contains("2 items"),
        "{due}"
    );
    let cleaning = due.lines().position(|l| l.contains("Office cleaning")).unwrap();
    let window = due.lines().position(|l| l.contains("Window cleaning")).unwrap();
    assert!(cleaning < window, "soonest first:\n{due}");
    let line = due.lines().nth(cleaning).unwrap();
    assert!(
        line.contains("Schoon BV")
            && line.to_lowercase().contains("last day to give notice (3 months)")
            && line.contains(&left.to_string()),
        "{due}"
    );
    let csv = cli(&data, &["contracts", "due", "--days", "30", "--csv"])
        .ok()
        .stdout;
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "date,days_left,kind,contract,vendor,text", "{csv}");
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[1].to_lowercase().starts_with(&format!(
            "{deadline},{left},notice_deadline,office cleaning,schoon bv,last day to give notice"
        )),
        "{csv}"
    );
    assert!(rows[2].contains(",ends,Window cleaning,Schoon BV,"), "{csv}");
    let dj = cli(&data, &["--json", "contracts", "due", "--days", "30"]).json();
    assert_eq!(dj["days"], 30);
    assert_eq!(dj["items"][0]["alert"]["kind"], "notice_deadline");
    assert_eq!(dj["items"][0]["alert"]["date"], deadline.as_str());
    let none = cli(&data, &["contracts", "due", "--days", "0"]).ok().stdout;
    assert!(none.contains("Nothing is due in the next 0 days"), "{none}");

    // A file attached; show says where it stands, with its dates, alerts and documents.
    let file = tmp.join("cleaning-contract.txt");
    std::fs::write(&file, "Signed on behalf of Northwind.\n").unwrap();
    let attached = cli(&data, &["contract", "attach", &tail(&k["id"]), path_str(&file)])
        .ok()
        .stdout;
    assert!(
        attached.contains("Attached cleaning-contract.txt (text/plain"),
        "{attached}"
    );
    let shown = cli(&data, &["contract", "show", &tail(&k["id"])]).ok().stdout;
    for part in [
        "“Office cleaning” with Schoon BV",
        "Give notice by",
        "notice due",
        "SCH-2025-01",
        "Iris Visser",
        "3 months",
        "EUR 350.00 / month (EUR 4,200.00 a year",
        "notice given  no",
        "Alerts (1):",
        "Last day to give notice",
        "Documents (1):",
        "cleaning-contract.txt",
    ] {
        assert!(shown.contains(part), "`{part}` missing from:\n{shown}");
    }

    // Notice given: it ends with this term, and nothing is due about it within 30 days.
    let noticed = cli(
        &data,
        &[
            "contract",
            "notice",
            &tail(&k["id"]),
            "--note",
            "registered mail, ref 123",
        ],
    )
    .ok()
    .stdout;
    assert!(
        noticed.contains("Recorded notice on “Office cleaning”") && noticed.contains("Notice given; ends on"),
        "{noticed}"
    );
    let shown = cli(&data, &["contract", "show", &id]).ok().stdout;
    for part in [
        "Notice given; ends on",
        "terminating",
        "ends on",
        "registered mail, ref 123",
        "Alerts (0):",
    ] {
        assert!(shown.contains(part), "`{part}` missing from:\n{shown}");
    }
    let sj = cli(&data, &["--json", "contract", "show", &id]).json();
    assert_eq!(sj["contract"]["state"], "terminating");
    assert_eq!(sj["contract"]["notice_given"]["on"], today.to_string());
    assert_eq!(
        sj["contract"]["ends_on"],
        renews_on.yesterday().unwrap().to_string()
    );
    assert_eq!(array(&sj["documents"]).len(), 1);
    let dj = cli(&data, &["--json", "contracts", "due", "--days", "30"]).json();
    assert!(
        array(&dj["items"])
            .iter()
            .all(|i| i["contract"]["id"] != id.as_str()),
        "{dj}"
    );
    cli(&data, &["contract", "notice", &id]).error(&["already given"]);

    // Withdrawn: the deadline is back.
    let back = cli(&data, &["--json", "contract", "notice", &id, "--withdraw"]).json();
    assert_eq!(back["state"], "notice_due");
    assert_eq!(back["notice_given"], Value::Null);
    cli(&data, &["contract", "notice", &id, "--withdraw"]).error(&["no notice"]);

    // The vendor with its contracts.
    let v = cli(&data, &["vendor", "show", "Schoon BV"]).ok().stdout;
    for part in [
        "Anna de Vries <anna@schoon.example>",
        "https://schoon.example",
        "Office cleaning",
        "Window cleaning",
    ] {
        assert!(v.contains(part), "`{part}` missing from:\n{v}");
    }
    let vj = cli(&data, &["--json", "vendor", "show", &tail(&vendors[0]["id"])]).json();
    assert_eq!(vj["vendor"]["contracts"], 2);
    assert_eq!(array(&vj["contracts"]).len(), 2);
}

#[test]
fn bad_contracts_are_refused_with_one_line_naming_the_field() {
    use jiff::ToSpan;
    let tmp = TempDir::new("bad-contracts");
    let data = tmp.join("data");
    init_northwind(&data);
    cli(&data, &["vendor", "add", "Schoon BV", "--category", "cleaning"]).ok();
    let snap = (
        cli(&data, &["--json", "contract", "list"]).json(),
        cli(&data, &["--json", "audit", "--limit", "1000"]).json(),
    );
    // A good contract with one flag changed.
    let add = |flag: &str, value: &str| {
        let mut args = vec![
            "contract",
            "add",
            "--vendor",
            "Schoon BV",
            "--title",
            "Office cleaning",
            "--start",
            "2026-01-01",
            "--term-months",
            "12",
            "--notice",
            "3 months",
            "--value",
            "4200.00",
            "--currency",
            "EUR",
            "--per",
            "year",
        ];
        let i = args.iter().position(|a| *a == flag).unwrap();
        args[i + 1] = value;
        cli(&data, &args)
    };
    add("--currency", "XYZ").error(&["currency", "XYZ"]);
    add("--value", "4200.001").error(&["value", "4200.001", "3 decimals"]);
    add("--vendor", "Nobody & Sons").error(&["vendor", "Nobody & Sons"]);
    add("--start", "2026-02-30").error(&["start", "2026-02-30"]);
    add("--notice", "soon").error(&["notice", "soon"]);
    add("--per", "week").error(&["value_period", "week"]);
    cli(&data, &["contract", "list", "--state", "someday"]).error(&["state", "someday"]);
    cli(&data, &["contracts", "due", "--days", "1000"]).error(&["days", "1000"]);
    cli(&data, &["vendor", "show", "Nobody & Sons"]).error(&["vendor", "Nobody & Sons"]);
    cli(&data, &["contract", "show", "ffffffff"]).error(&["no contract", "ffffffff"]);
    cli(&data, &["contract", "notice", "x1"]).error(&["not a contract id"]);
    cli(&data, &["vendor", "add", "  "]).error(&["name"]);
    cli(
        &data,
        &["vendor", "add", "Kantoor BV", "--contact", "Anna <anna@"],
    )
    .error(&["--contact"]);
    assert_eq!(
        (
            cli(&data, &["--json", "contract", "list"]).json(),
            cli(&data, &["--json", "audit", "--limit", "1000"]).json(),
        ),
        snap,
        "nothing was written"
    );
    assert_eq!(snap.0, json!([]));
    let empty = cli(&data, &["contract", "list"]).ok().stdout;
    assert!(empty.contains("No contracts"), "{empty}");

    // Notice in the future, or before the contract starts, is refused too.
    let renews = utc_today().checked_add(6.months()).unwrap();
    let k = add_cleaning(&data, renews).json();
    let id = k["id"].as_str().unwrap();
    let tomorrow = utc_today().tomorrow().unwrap().to_string();
    cli(&data, &["contract", "notice", id, "--on", &tomorrow]).error(&["on", "in the future"]);
    cli(&data, &["contract", "notice", id, "--on", "2000-01-01"])
        .error(&["on", "before the contract starts"]);
    let missing = tmp.join("missing.pdf");
    cli(&data, &["contract", "attach", id, path_str(&missing)]).error(&["cannot read", "missing.pdf"]);
    let exe = tmp.join("setup.exe");
    std::fs::write(&exe, [0x4d, 0x5a, 0x90, 0x00]).unwrap();
    cli(&data, &["contract", "attach", id, path_str(&exe)]).error(&["file", "setup.exe"]);
    let after = cli(&data, &["--json", "contract", "show", id]).json();
    assert_eq!(after["contract"]["notice_given"], Value::Null);
    assert!(array(&after["documents"]).is_empty());
}

// ---------------------------------------------------------------------------
// Supplies
// ---------------------------------------------------------------------------

#[test]
fn stock_from_the_command_line() {
    let tmp = TempDir::new("stock");
    let data = tmp.join("data");
    init_northwind(&data);
    let empty = cli(&data, &["stock", "list"]).ok().stdout;
    assert!(empty.contains("No stock items yet"), "{empty}");

    // Toner with five on hand, low at three.
    let added = cli(
        &data,
        &[
            "stock",
            "add",
            "Printer toner, black",
            "--unit",
            "cartridge",
            "--quantity",
            "5",
            "--reorder-point",
            "3",
            "--reorder-quantity",
            "6",
            "--sku",
            "TN-2420",
            "--category",
            "Printing",
            "--location",
            "Amsterdam, stock room",
            "--price",
            "74.50",
        ],
    )
    .ok()
    .stdout;
    assert!(
        added.contains("Added the stock item “Printer toner, black”")
            && added.contains("Printer toner, black: 5 cartridges on hand")
            && !added.contains("reorder point"),
        "{added}"
    );
    let item = cli(&data, &["--json", "stock", "show", "printer toner, black"]).json();
    let id = item["item"]["id"].as_str().unwrap().to_string();
    assert_eq!(item["item"]["quantity"], 5);
    assert_eq!(item["item"]["category"], "printing");
    assert_eq!(item["item"]["unit_price"]["display"], "EUR 74.50");
    assert_eq!(item["item"]["low"], false);
    assert!(
        cli(&data, &["stock", "low"])
            .ok()
            .stdout
            .contains("Nothing is at or below")
    );

    // Two taken: now it is low, and says what to order.
    let took = cli(
        &data,
        &[
            "stock",
            "consume",
            "Printer toner, black",
            "2",
            "--note",
            "board pack",
        ],
    )
    .ok()
    .stdout;
    let mut said = took.lines();
    assert_eq!(
        said.next().unwrap_or_default(),
        "Printer toner, black: 3 cartridges on hand — at or below the reorder point (3); order 6"
    );
    assert!(
        said.next()
            .unwrap_or_default()
            .starts_with("Drafted the purchase request PO-"),
        "{took}"
    );
    let low = cli(&data, &["stock", "low"]).ok().stdout;
    let row = low
        .lines()
        .find(|l| l.contains("Printer toner, black"))
        .unwrap_or_default();
    for part in [
        tail(&item["item"]["id"]).as_str(),
        "3 cartridges",
        "6 cartridges",
        "EUR 447.00",
    ] {
        assert!(row.contains(part), "`{part}` missing from:\n{low}");
    }
    assert!(low.contains("Ordering it all costs EUR 447.00."), "{low}");
    let lj = cli(&data, &["--json", "stock", "low"]).json();
    assert_eq!(array(&lj).len(), 1, "{lj}");
    assert_eq!(lj[0]["suggested_order"], 6);
    assert_eq!(lj[0]["order_value"]["amount"], "447.00");
    let csv = cli(&data, &["stock", "low", "--csv"]).ok().stdout;
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(
        rows[0].starts_with("name,sku,category,location,quantity,unit,"),
        "{csv}"
    );
    assert!(
        rows[1].starts_with(
            "\"Printer toner, black\",TN-2420,printing,\"Amsterdam, stock room\",3,cartridge,3,6,yes,6,"
        ),
        "{csv}"
    );
    let table = cli(&data, &["stock", "list"]).ok().stdout;
    let row = table
        .lines()
        .find(|l| l.contains("Printer toner"))
        .unwrap_or_default();
    assert!(
        row.contains("LOW") && row.contains("Amsterdam, stock room"),
        "{table}"
    );
    assert_eq!(cli(&data, &["stock", "list", "--low", "--csv"]).ok().stdout, csv);
    let none = cli(&data, &["--json", "stock", "list", "--search", "coffee"]).json();
    assert_eq!(none, json!([]));

    // Taking more than there is is refused in one line and changes nothing.
    let err = cli(&data, &["stock", "consume", &id, "10"]).error(&["quantity"]);
    assert!(
        err.contains("quantity: only 3 cartridges in stock; cannot take 10"),
        "{err}"
    );
    let after = cli(&data, &["--json", "stock", "show", &id]).json();
    assert_eq!(after["item"]["quantity"], 3);
    assert_eq!(array(&after["movements"]).len(), 2);
    cli(&data, &["stock", "consume", "Paper, A4", "1"]).error(&["no stock item", "Paper, A4"]);
    cli(&data, &["stock", "count", &id, "-1"]).error(&["quantity"]);

    // A delivery, then a count, by the end of the id.
    let got = cli(
        &data,
        &["--json", "stock", "receive", &tail(&item["item"]["id"]), "6"],
    )
    .json();
    assert_eq!(got["item"]["quantity"], 9);
    assert_eq!(got["item"]["low"], false);
    assert_eq!(got["movement"]["kind"], "receive");
    assert_eq!(got["movement"]["delta"], 6);
    let counted = cli(
        &data,
        &["stock", "count", &id, "8", "--note", "one cartridge was empty"],
    )
    .ok()
    .stdout;
    assert_eq!(counted.trim_end(), "Printer toner, black: 8 cartridges on hand");

    // Show: the four movements, newest first.
    let shown = cli(&data, &["--json", "stock", "show", &id]).json();
    let kinds: Vec<&str> = array(&shown["movements"])
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["count", "receive", "consume", "count"], "{shown}");
    assert_eq!(shown["movements"][0]["delta"], -1);
    assert_eq!(shown["movements"][2]["delta"], -2);
    assert_eq!(shown["movements"][3]["note"], "first count");
    assert_eq!(shown["item"]["quantity"], 8);
    let text = cli(&data, &["stock", "show", "Printer toner, black"]).ok().stdout;
    assert!(text.contains("Movements, newest first (4):"), "{text}");
    let moves: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("KIND"))
        .skip(1)
        .collect();
    assert_eq!(moves.len(), 4, "{text}");
    for (line, (kind, change, after, note)) in moves.iter().zip([
        ("count", "-1", "8", "one cartridge was empty"),
        ("receive", "+6", "9", ""),
        ("consume", "-2", "3", "board pack"),
        ("count", "+5", "5", "first count"),
    ]) {
        assert!(line.starts_with(kind), "{text}");
        for part in [change, after, note, "cli"] {
            assert!(line.contains(part), "`{part}` missing from `{line}`:\n{text}");
        }
    }
    for part in [
        "8 cartridges",
        "at 3; order 6 cartridges at a time",
        "TN-2420",
        "EUR 74.50",
    ] {
        assert!(text.contains(part), "`{part}` missing from:\n{text}");
    }
}

#[test]
fn purchases_from_the_command_line() {
    let tmp = TempDir::new("purchases");
    let data = tmp.join("data");
    init_northwind(&data);
    let none = cli(&data, &["purchase", "list"]).ok().stdout;
    assert!(none.contains("No purchases yet"), "{none}");
    cli(&data, &["vendor", "add", "Kantoor BV", "--category", "printing"]).ok();
    cli(
        &data,
        &[
            "stock",
            "add",
            "Printer toner, black",
            "--unit",
            "cartridge",
            "--quantity",
            "5",
            "--reorder-point",
            "3",
            "--reorder-quantity",
            "6",
            "--category",
            "printing",
            "--vendor",
            "Kantoor BV",
            "--price",
            "74.50",
        ],
    )
    .ok();
    let on_hand = |n: i64| {
        let shown = cli(&data, &["--json", "stock", "show", "Printer toner, black"]).json();
        assert_eq!(shown["item"]["quantity"], n, "{shown}");
    };

    // Two taken: the item is low, and the stock rule drafts a request for six.
    let took = cli(
        &data,
        &["--json", "stock", "consume", "Printer toner, black", "2"],
    )
    .json();
    let number = took["drafted"].as_str().expect("a drafted request").to_string();
    assert!(number.starts_with("PO-"), "{took}");
    let waiting = cli(&data, &["purchase", "list", "--status", "waiting"])
        .ok()
        .stdout;
    assert!(
        waiting.starts_with("ID") && waiting.contains("APPROVES"),
        "{waiting}"
    );
    let row = waiting.lines().find(|l| l.contains(&number)).unwrap_or_default();
    for part in [
        "Restock: Printer toner, black",
        "draft",
        "EUR 447.00",
        "stock rule",
        "an office manager",
    ] {
        assert!(row.contains(part), "`{part}` missing from:\n{waiting}");
    }
    let open = cli(&data, &["--json", "purchase", "list", "--status", "open"]).json();
    assert_eq!(open, json!([]));

    // Approved by the command line, as the administrator, by its number in any case.
    let shown = cli(&data, &["--json", "purchase", "show", &number.to_lowercase()]).json();
    assert_eq!(shown["status"], "draft");
    assert_eq!(shown["vendor"]["name"], "Kantoor BV");
    assert_eq!(shown["lines"][0]["quantity"], 6);
    let approved = cli(
        &data,
        &["purchase", "approve", &number, "--note", "within budget"],
    )
    .ok()
    .stdout;
    assert!(
        approved.contains(&format!("Approved {number}")) && approved.contains("it is ordered"),
        "{approved}"
    );
    cli(&data, &["purchase", "approve", &number]).error(&[&number, "not waiting for approval"]);

    // Four arrive: the stock room has seven.
    let got = cli(&data, &["purchase", "receive", &number, "--line", "1=4"])
        .ok()
        .stdout;
    assert!(
        got.contains("partly received")
            && got.contains("4 of 6 received, 2 still due")
            && got.contains("Printer toner, black: 7 cartridges on hand"),
        "{got}"
    );
    on_hand(7);

    // Five more than the two due is refused in one line and changes nothing.
    cli(&data, &["purchase", "receive", &number, "--line", "1=5"]).error(&["--line 1=5", "still due"]);
    cli(&data, &["purchase", "receive", &number, "--line", "one"]).error(&["N=QTY"]);
    cli(&data, &["purchase", "receive", &number]).error(&["--all"]);
    on_hand(7);

    // The rest, all at once.
    let all = cli(
        &data,
        &["--json", "purchase", "receive", &tail(&shown["id"]), "--all"],
    )
    .json();
    assert_eq!(all["status"], "received", "{all}");
    assert_eq!(all["lines"][0]["due"], 0);
    assert_eq!(all["received_value"]["amount"], "447.00");
    on_hand(9);
    let text = cli(&data, &["purchase", "show", &number]).ok().stdout;
    for part in [
        "received",
        "approved by cli",
        "within budget",
        "Total EUR 447.00; received so far EUR 447.00.",
    ] {
        assert!(text.contains(part), "`{part}` missing from:\n{text}");
    }
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("LINE"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    for part in ["1", "6", "0", "EUR 74.50", "EUR 447.00"] {
        assert!(lines[0].contains(part), "`{part}` missing from:\n{text}");
    }

    // Requests: refused with one line naming the field or the --line.
    cli(
        &data,
        &["purchase", "request", "Pens", "--line", "Pens, blue; 10; 1.205"],
    )
    .error(&["lines[0].unit_price"]);
    cli(&data, &["purchase", "request", "Pens", "--line", "pens"]).error(&["--line 1", "pens"]);
    cli(
        &data,
        &[
            "purchase",
            "request",
            "Pens",
            "--line",
            "Pens, blue; 10; 1.20",
            "--line",
            "Pencils; many; 0.50",
        ],
    )
    .error(&["--line 2", "many", "quantity"]);
    cli(&data, &["purchase", "request", "Pens"]).error(&["at least one --line"]);
    assert_eq!(
        array(&cli(&data, &["--json", "purchase", "list"]).json()).len(),
        1
    );

    // A draft with two lines, submitted, then cancelled.
    let req = cli(
        &data,
        &[
            "--json",
            "purchase",
            "request",
            "Toner and pens",
            "--line",
            "Toner; 2; 74.50; printer toner, black",
            "--line",
            "Pens, blue; 10; 1.20",
            "--vendor",
            "Kantoor BV",
            "--category",
            "Printing",
            "--needed-by",
            "2026-12-18",
            "--draft",
        ],
    )
    .json();
    assert_eq!(req["status"], "draft");
    assert_eq!(req["total"]["display"], "EUR 161.00");
    assert_eq!(req["lines"][0]["stock_item"]["name"], "Printer toner, black");
    assert_eq!(req["requested_by"], "cli");
    let second = req["number"].as_str().unwrap().to_string();
    let submitted = cli(&data, &["purchase", "submit", &second]).ok().stdout;
    assert!(
        submitted.contains(&format!("Submitted {second}")) && submitted.contains("an office manager"),
        "{submitted}"
    );
    let cancelled = cli(
        &data,
        &["--json", "purchase", "cancel", &second, "--note", "not needed"],
    )
    .json();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["decision_note"], "not needed");
    let printed = cli(
        &data,
        &["purchase", "request", "Paper", "--line", "Paper, A4; 5; 4.99"],
    )
    .ok()
    .stdout;
    assert!(
        printed.contains("Requested PO-")
            && printed.contains("EUR 24.95")
            && printed.contains("for approval by an office manager"),
        "{printed}"
    );
    let rejected = cli(&data, &["purchase", "reject", "PO-2026-9999"]).error(&["PO-2026-9999"]);
    assert!(rejected.contains("no purchase"), "{rejected}");

    // CSV with its header, and the search.
    let csv = cli(&data, &["purchase", "list", "--csv"]).ok().stdout;
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(
        rows[0].starts_with("number,title,status,vendor,category,total,currency,"),
        "{csv}"
    );
    let found = cli(&data, &["--json", "purchase", "list", "--search", "restock"]).json();
    assert_eq!(array(&found).len(), 1, "{found}");
    cli(&data, &["purchase", "list", "--status", "lost"]).error(&["status", "waiting"]);
}

#[test]
fn invoices_and_budgets_from_the_command_line() {
    let tmp = TempDir::new("invoices");
    let data = tmp.join("data");
    init_northwind(&data);
    let none = cli(&data, &["invoice", "list"]).ok().stdout;
    assert!(none.contains("No invoices yet"), "{none}");
    cli(&data, &["vendor", "add", "Kantoor BV", "--category", "catering"]).ok();
    let add = |number: &str, issued: &str, due: &str| {
        cli(
            &data,
            &[
                "invoice",
                "add",
                "--vendor",
                "Kantoor BV",
                "--number",
                number,
                "--issued",
                issued,
                "--due",
                due,
                "--line",
                "Lunch platters; 4; 37.50; 9",
                "--line",
                "Coffee beans; 2; 12.00",
                "--category",
                "catering",
            ],
        )
    };

    // The first prints its totals; the same number written differently is a likely duplicate.
    let first = add("INV-1", "2026-01-10", "2026-02-09").ok().stdout;
    for part in [
        "Registered INV-1 from Kantoor BV",
        "net EUR 174.00",
        "VAT EUR 18.54",
        "gross EUR 192.54",
        "No purchase order to match against.",
    ] {
        assert!(first.contains(part), "`{part}` missing from:\n{first}");
    }
    assert!(!first.contains("duplicate"), "{first}");
    let second = add("inv 1", "2026-01-12", "2026-02-11").ok().stdout;
    assert!(
        second.contains("likely a duplicate") && second.contains("INV-1 is already registered"),
        "{second}"
    );

    // The first approved and paid, by its number.
    let approved = cli(&data, &["invoice", "approve", "INV-1", "--note", "checked"])
        .ok()
        .stdout;
    assert!(approved.contains("Approved INV-1"), "{approved}");
    let paid = cli(
        &data,
        &["--json", "invoice", "pay", "INV-1", "--on", "2026-02-01"],
    )
    .json();
    assert_eq!(paid["status"], "paid", "{paid}");
    assert_eq!(paid["paid_on"], "2026-02-01");
    assert_eq!(paid["decision_note"], "checked");
    cli(&data, &["invoice", "pay", "INV-1"]).error(&["INV-1", "only approved invoices are paid"]);

    // Only the second is left to pay.
    let unpaid = cli(&data, &["invoice", "list", "--status", "unpaid"]).ok().stdout;
    let rows: Vec<&str> = unpaid.lines().collect();
    assert_eq!(rows.len(), 2, "{unpaid}");
    assert!(
        rows[0].starts_with("ID") && rows[0].contains("CHECKS"),
        "{unpaid}"
    );
    for part in ["inv 1", "received", "EUR 192.54", "duplicate", "overdue"] {
        assert!(rows[1].contains(part), "`{part}` missing from:\n{unpaid}");
    }
    let shown = cli(&data, &["invoice", "show", "inv 1"]).ok().stdout;
    for part in ["Lunch platters", "9%", "Coffee beans", "21%", "gross EUR 192.54"] {
        assert!(shown.contains(part), "`{part}` missing from:\n{shown}");
    }
    cli(&data, &["invoice", "show", "INV1"]).error(&["2 invoices are numbered", "id"]);

    // Refused with one line naming the field.
    add("INV-2", "2026-03-10", "2026-03-01").error(&["due_on", "before the invoice date"]);
    cli(
        &data,
        &[
            "invoice",
            "add",
            "--vendor",
            "Kantoor BV",
            "--number",
            "INV-3",
            "--issued",
            "2026-03-10",
            "--due",
            "2026-04-10",
            "--line",
            "Lunch; 1; 1.005",
        ],
    )
    .error(&["lines[0].unit_price"]);
    cli(&data, &["invoice", "list", "--status", "lost"]).error(&["status", "unpaid"]);

    // Budgets: set one for this quarter, and it shows.
    let set = cli(&data, &["budget", "set", "catering", "1000"]).ok().stdout;
    assert!(
        set.contains("Set the catering budget") && set.contains("EUR 1,000.00"),
        "{set}"
    );
    let status = cli(&data, &["budget", "status"]).ok().stdout;
    assert!(
        status.contains("CATEGORY") && status.contains("FORECAST") && status.contains("catering"),
        "{status}"
    );
    cli(&data, &["budget", "set", "catering", "12.345"]).error(&["amount"]);
    cli(&data, &["budget", "status", "--period", "2026-Q9"]).error(&["period"]);
    let year = cli(
        &data,
        &["--json", "budget", "set", "catering", "5000", "--period", "2026"],
    )
    .json();
    assert_eq!(year["period"], "2026");
    assert_eq!(year["budgets"][0]["actual"]["amount"], "348.00", "{year}");

    // CSV with its header.
    let csv = cli(&data, &["invoice", "list", "--csv"]).ok().stdout;
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[0].starts_with("number,vendor,status,issued_on,due_on,"),
        "{csv}"
    );
}

#[test]
fn spaces_from_the_command_line() {
    let tmp = TempDir::new("spaces");
    let data = tmp.join("data");
    init_northwind(&data);
    let added = cli(
        &data,
        &[
            "site",
            "add",
            "Amsterdam HQ",
            "--tz",
            "Europe/Amsterdam",
            "--floors",
            "Ground floor,2nd floor",
        ],
    )
    .ok()
    .stdout;
    assert!(added.contains("Added site Amsterdam HQ (2 floors)"), "{added}");
    let desk = cli(
        &data,
        &[
            "space",
            "add",
            "Desk 2.01",
            "--site",
            "amsterdam hq",
            "--floor",
            "2nd floor",
            "--equipment",
            "monitor,dock",
        ],
    )
    .ok()
    .stdout;
    assert!(
        desk.contains("Added desk Desk 2.01 (Amsterdam HQ, 2nd floor)"),
        "{desk}"
    );
    cli(
        &data,
        &[
            "space",
            "add",
            "Desk 9.01",
            "--site",
            "Amsterdam HQ",
            "--floor",
            "9th floor",
        ],
    )
    .error(&[
        "floor",
        "Amsterdam HQ has no floor `9th floor`; its floors are: Ground floor, 2nd floor",
    ]);
    cli(&data, &["space", "add", "Desk 2.02", "--kind", "sofa"]).error(&["kind", "unknown value `sofa`"]);

    // Book for tomorrow morning; the time is read in the desk's zone.
    let tomorrow = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date()
        .tomorrow()
        .unwrap();
    let from = format!("{tomorrow} 09:00");
    let booked = cli(
        &data,
        &[
            "space",
            "book",
            "Desk 2.01",
            "--for",
            "iris@example.org",
            "--from",
            &from,
            "--to",
            "12:30",
        ],
    )
    .ok()
    .stdout;
    assert!(
        booked.contains("Booked Desk 2.01 for Iris Visser") && booked.contains("09:00–12:30 CET"),
        "{booked}"
    );
    cli(
        &data,
        &[
            "space",
            "book",
            "Desk 2.01",
            "--for",
            "iris@example.org",
            "--from",
            &from,
            "--to",
            "10:00",
        ],
    )
    .error(&["Desk 2.01 is already booked then"]);
    cli(
        &data,
        &["space", "book", "Desk 2.01", "--from", &from, "--to", "10:00"],
    )
    .error(&["--for EMAIL"]);
    cli(
        &data,
        &[
            "space",
            "book",
            "Desk 2.01",
            "--for",
            "iris@example.org",
            "--from",
            &from,
            "--to",
            "23:30",
        ],
    )
    .error(&["end", "at most 12 hours"]);

    // The booking is listed; check-in is not open yet; cancelling frees the desk.
    let list = cli(&data, &["--json", "space", "bookings"]).json();
    let id = list[0]["id"].as_str().unwrap().to_string();
    let short = &id[id.len() - 8..];
    let table = cli(&data, &["space", "bookings"]).ok().stdout;
    assert!(
        table.contains(short) && table.contains("Desk 2.01") && table.contains("booked"),
        "{table}"
    );
    cli(&data, &["space", "checkin", short]).error(&["check-in opens 15 minutes before the start"]);
    let gone = cli(&data, &["space", "cancel", short]).ok().stdout;
    assert!(gone.contains("Cancelled Desk 2.01"), "{gone}");
    cli(&data, &["space", "cancel", short]).error(&["the booking is cancelled already"]);
    let csv = cli(&data, &["space", "bookings", "--all", "--csv"]).ok().stdout;
    assert!(csv.lines().nth(1).unwrap_or("").contains("cancelled"), "{csv}");

    // Rules: a stricter desk rule is saved and applied.
    cli(
        &data,
        &[
            "space",
            "rule",
            "desk",
            "--roles",
            "staff",
            "--max-minutes",
            "240",
            "--days-ahead",
            "7",
        ],
    )
    .ok();
    let rules = cli(&data, &["space", "rules"]).ok().stdout;
    assert!(rules.contains("desks") && rules.contains("4 hours"), "{rules}");
    cli(
        &data,
        &[
            "space",
            "book",
            "Desk 2.01",
            "--for",
            "iris@example.org",
            "--from",
            &from,
            "--to",
            "10:00",
        ],
    )
    .error(&["desks may be booked only by: Staff"]);
    cli(
        &data,
        &[
            "space",
            "rule",
            "desk",
            "--roles",
            "staff",
            "--max-minutes",
            "5",
            "--days-ahead",
            "7",
        ],
    )
    .error(&["max_minutes", "15 to 43,200"]);
}

// ---------------------------------------------------------------------------
// Assets
// ---------------------------------------------------------------------------

/// An office manager registers a laptop, checks it out to Tom and in again,
/// records maintenance and retires it; bad input is one line naming the field
/// and writes nothing. `target` is `--data DIR` or `--database-url URL`.
fn assets_story(target: &[String]) {
    use jiff::ToSpan;
    let on = |args: &[&str], input: Option<&str>| {
        let mut all: Vec<&str> = target.iter().map(String::as_str).collect();
        all.extend(args);
        run(command(&all), input)
    };
    on(
        &[
            "init",
            "--org-name",
            "Northwind",
            "--org-slug",
            "northwind",
            "--admin-name",
            "Iris Visser",
            "--admin-email",
            "iris@example.org",
            "--time-zone",
            "UTC",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    )
    .ok();
    on(
        &[
            "user",
            "add",
            "--name",
            "Tom Bakker",
            "--email",
            "tom@example.org",
            "--role",
            "staff",
        ],
        None,
    )
    .ok();
    let empty = on(&["asset", "list"], None).ok().stdout;
    assert!(empty.contains("No assets yet"), "{empty}");
    let added = on(
        &[
            "asset",
            "add",
            "NW-LT-0042",
            "--kind",
            "laptop",
            "--manufacturer",
            "Lenovo",
            "--model",
            "ThinkPad X1 Carbon",
            "--serial",
            "PF3ABC12",
            "--purchased",
            "2025-01-31",
            "--cost",
            "1899.00",
            "--warranty-end",
            "2028-01-31",
            "--maintenance-months",
            "12",
            "--location",
            "Amsterdam",
        ],
        None,
    )
    .ok()
    .stdout;
    assert!(
        added.contains("Registered NW-LT-0042 (laptop Lenovo ThinkPad X1 Carbon)"),
        "{added}"
    );
    on(&["asset", "add", "NW-PH-0001", "--kind", "phone"], None).ok();
    let audit = || on(&["--json", "audit", "--limit", "1000"], None).json();
    let before = audit();

    // Bad input: one line naming the field, nothing written.
    let past = utc_today().checked_sub(1.day()).unwrap().to_string();
    on(&["asset", "add", "nw-lt-0042", "--kind", "laptop"], None).error(&["tag", "already exists"]);
    on(
        &["asset", "add", "NW-X", "--kind", "laptop", "--cost", "1.999"],
        None,
    )
    .error(&["cost", "1.999"]);
    on(
        &[
            "asset",
            "add",
            "NW-X",
            "--kind",
            "laptop",
            "--cost",
            "1",
            "--currency",
            "XYZ",
        ],
        None,
    )
    .error(&["currency", "XYZ"]);
    on(&["asset", "add", "NW-X", "--kind", "boat"], None).error(&["kind", "boat"]);
    on(
        &[
            "asset",
            "checkout",
            "NW-LT-0042",
            "tom@example.org",
            "--until",
            &past,
        ],
        None,
    )
    .error(&["expected_return", "before today"]);
    on(&["asset", "assign", "NW-LT-0042", "nobody@example.org"], None)
        .error(&["person", "nobody@example.org"]);
    on(&["asset", "checkin", "NW-LT-0042"], None).error(&["status", "not out"]);
    on(&["asset", "show", "NW-NOPE"], None).error(&["no asset is tagged", "NW-NOPE"]);
    assert_eq!(audit(), before, "nothing was written");

    // Checked out to Tom for a week; a second checkout is refused.
    let back = utc_today().checked_add(7.days()).unwrap().to_string();
    let out = on(
        &[
            "asset",
            "checkout",
            "nw-lt-0042",
            "tom@example.org",
            "--until",
            &back,
            "--note",
            "client visit",
        ],
        None,
    )
    .ok()
    .stdout;
    assert_eq!(
        out.trim(),
        format!("NW-LT-0042 is checked out to Tom Bakker until {back}")
    );
    on(&["asset", "assign", "NW-LT-0042", "iris@example.org"], None)
        .error(&["status", "already checked out"]);
    let list = on(&["asset", "list", "--status", "out"], None).ok().stdout;
    assert!(
        list.contains("NW-LT-0042") && list.contains("Tom Bakker") && !list.contains("NW-PH-0001"),
        "{list}"
    );
    let csv = on(&["asset", "list", "--csv"], None).ok().stdout;
    assert!(csv.starts_with("tag,kind,manufacturer,model"), "{csv}");
    assert!(
        csv.contains(&format!(
            "NW-LT-0042,laptop,Lenovo,ThinkPad X1 Carbon,PF3ABC12,checked_out,Tom Bakker,{}",
            utc_today()
        )),
        "{csv}"
    );

    // Back in fair condition; maintained; the history tells it all.
    let inn = on(&["asset", "checkin", "NW-LT-0042", "--condition", "fair"], None)
        .ok()
        .stdout;
    assert_eq!(inn.trim(), "NW-LT-0042 is checked in (fair); it is available");
    let m = on(
        &[
            "asset",
            "maintain",
            "NW-LT-0042",
            "--cost",
            "45.00",
            "--note",
            "keyboard cleaned",
        ],
        None,
    )
    .ok()
    .stdout;
    assert!(
        m.starts_with("Recorded maintenance of NW-LT-0042, EUR 45.00; next due "),
        "{m}"
    );
    let shown = on(&["--json", "asset", "show", "NW-LT-0042"], None).json();
    let kinds: Vec<&str> = array(&shown["history"])
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["maintain", "checkin", "checkout", "create"]);
    assert_eq!(shown["history"][2]["person"]["name"], "Tom Bakker");
    let text = on(&["asset", "show", "NW-LT-0042"], None).ok().stdout;
    assert!(
        text.contains("History, newest first (4):") && text.contains("keyboard cleaned"),
        "{text}"
    );
    let due = on(&["--json", "asset", "due", "--days", "30"], None).json();
    assert_eq!(due["days"], 30);
    on(&["asset", "due", "--days", "-1"], None).error(&["days"]);
    let gone = on(&["asset", "retire", "NW-PH-0001", "--note", "lost"], None)
        .ok()
        .stdout;
    assert_eq!(gone.trim(), "NW-PH-0001 is retired");
    on(
        &[
            "asset",
            "checkout",
            "NW-PH-0001",
            "tom@example.org",
            "--until",
            &back,
        ],
        None,
    )
    .error(&["status", "retired"]);
}

#[test]
fn assets_from_the_command_line() {
    let tmp = TempDir::new("assets");
    let data = tmp.join("data");
    assets_story(&["--data".to_string(), path_str(&data).to_string()]);
}

/// The same story on PostgreSQL, in a fresh database, when `ADJUTANT_TEST_POSTGRES_URL` is set.
#[test]
fn assets_from_the_command_line_on_postgres() {
    let Ok(admin_url) = std::env::var("ADJUTANT_TEST_POSTGRES_URL") else {
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let database = format!("adjutant_cli_assets_{}_{nanos}", std::process::id());
    runtime().block_on(async {
        let admin = sqlx::PgPool::connect(&admin_url)
            .await
            .expect("connect to PostgreSQL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{database}\"")))
            .execute(&admin)
            .await
            .expect("create the test database");
        admin.close().await;
    });
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url.as_str(), None), |(b, q)| (b, Some(q)));
    let host = base.find("://").map_or(0, |i| i + 3);
    let path = base[host..].find('/').map_or(base.len(), |i| host + i);
    let url = format!(
        "{}/{database}{}",
        &base[..path],
        query.map(|q| format!("?{q}")).unwrap_or_default()
    );
    let tmp = TempDir::new("assets-pg");
    let data = tmp.join("data");
    assets_story(&[
        "--data".to_string(),
        path_str(&data).to_string(),
        "--database-url".to_string(),
        url,
    ]);
}

// ---------------------------------------------------------------------------
// Expenses
// ---------------------------------------------------------------------------

#[test]
fn expenses_from_the_command_line() {
    let tmp = TempDir::new("expenses");
    let data = tmp.join("data");
    init_northwind(&data);
    cli(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Tom Bakker",
            "--email",
            "tom@example.org",
            "--role",
            "staff",
        ],
    )
    .ok();
    let none = cli(&data, &["expense", "list"]).ok().stdout;
    assert!(none.contains("No expenses yet"), "{none}");
    cli(
        &data,
        &[
            "expense",
            "policy",
            "set",
            "meals",
            "--currency",
            "EUR",
            "--limit",
            "60",
            "--receipt-above",
            "25",
        ],
    )
    .ok();
    let policy = cli(&data, &["expense", "policy", "list", "--csv"]).ok().stdout;
    assert_eq!(
        policy,
        "category,currency,limit,receipt_above\r\nmeals,EUR,60.00,25.00\r\n"
    );

    let receipt = tmp.join("dinner.pdf");
    std::fs::write(&receipt, b"%PDF-1.4\n% a receipt\n").unwrap();
    let add = |amount: &str, receipt: Option<&Path>| {
        let mut args = vec![
            "--json",
            "expense",
            "add",
            "--person",
            "tom@example.org",
            "--date",
            "2026-11-20",
            "--merchant",
            "Restaurant De Jong",
            "--category",
            "meals",
            "--amount",
            amount,
        ];
        if let Some(r) = receipt {
            args.push("--receipt");
            args.push(path_str(r));
        }
        cli(&data, &args)
    };
    let dinner = add("84.50", Some(&receipt)).json();
    assert_eq!(dinner["receipt"]["content_type"], "application/pdf");
    assert_eq!(
        dinner["findings"][0]["reason"],
        "EUR 84.50 is over the meals limit of EUR 60.00."
    );
    let lunch = add("31.00", None).json();
    assert_eq!(lunch["findings"][0]["kind"], "receipt_missing");

    // Bad input: one line naming the field, nothing stored.
    add("12.345", None).error(&["amount", "`12.345` has 3 decimals, but EUR has 2"]);
    cli(
        &data,
        &[
            "expense",
            "add",
            "--person",
            "tom@example.org",
            "--date",
            "2026-11-20",
            "--merchant",
            "X",
            "--category",
            "meals",
            "--amount",
            "10",
            "--currency",
            "XYZ",
        ],
    )
    .error(&["currency", "`XYZ` is not an ISO 4217 currency code"]);
    let program = tmp.join("receipt.pdf");
    std::fs::write(&program, b"MZ\x90\x00\x03\x00\x00\x00").unwrap();
    add("10.00", Some(&program)).error(&["receipt", "not an image (PNG, JPEG, GIF, WebP) or a PDF"]);
    let listed = cli(&data, &["--json", "expense", "list"]).json();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");

    // A report with the lunch is blocked while its receipt is missing.
    let lunch_id = lunch["id"].as_str().unwrap();
    let dinner_id = dinner["id"].as_str().unwrap();
    let blocked = cli(
        &data,
        &[
            "--json",
            "expense",
            "report",
            "new",
            "--person",
            "tom@example.org",
            "--title",
            "Lunch",
            "--expense",
            &lunch_id[lunch_id.len() - 8..],
        ],
    )
    .json();
    let blocked_no = blocked["number"].as_str().unwrap().to_string();
    assert!(blocked_no.starts_with("EXP-"), "{blocked}");
    cli(&data, &["expense", "submit", &blocked_no]).error(&[
        "receipt",
        "A receipt is required for meals above EUR 25.00, and none is attached.",
    ]);
    let text = cli(&data, &["expense", "report", "show", &blocked_no])
        .ok()
        .stdout;
    assert!(
        text.contains("draft") && text.contains("BLOCKS: A receipt is required"),
        "{text}"
    );

    // The dinner's report: submitted, rejected with a reason, submitted again, approved, reimbursed.
    let report = cli(
        &data,
        &[
            "--json",
            "expense",
            "report",
            "new",
            "--person",
            "tom@example.org",
            "--title",
            "Rotterdam",
            "--expense",
            dinner_id,
        ],
    )
    .json();
    let number = report["number"].as_str().unwrap().to_string();
    assert_eq!(report["totals"][0]["display"], "EUR 84.50");
    cli(&data, &["expense", "reimburse", &number])
        .error(&["cannot be reimbursed; only approved reports can"]);
    cli(&data, &["expense", "submit", &number]).ok();
    cli(&data, &["expense", "reject", &number]).error(&["note", "give the reason"]);
    let rejected = cli(
        &data,
        &[
            "--json",
            "expense",
            "reject",
            &number,
            "--note",
            "Add the guests' names.",
        ],
    )
    .json();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["decision_note"], "Add the guests' names.");
    cli(&data, &["expense", "submit", &number]).ok();
    let approved = cli(&data, &["expense", "approve", &number]).ok().stdout;
    assert!(
        approved.contains(&format!(
            "Approved {number} “Rotterdam” (EUR 84.50) of Tom Bakker"
        )),
        "{approved}"
    );
    cli(&data, &["expense", "approve", &number]).error(&["not waiting for approval"]);
    cli(&data, &["expense", "reimburse", &number]).ok();
    let csv = cli(&data, &["expense", "report", "list", "--csv"]).ok().stdout;
    assert!(
        csv.contains(&format!(
            "{number},Rotterdam,Tom Bakker,reimbursed,84.50,EUR,1,1,"
        )),
        "{csv}"
    );
    let csv = cli(&data, &["expense", "list", "--csv"]).ok().stdout;
    assert!(csv.starts_with("date,person,merchant"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    // Every step is in the audit log.
    let audit = cli(&data, &["--json", "audit", "--limit", "100"]).json();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "expense.create",
        "expense_report.create",
        "expense_report.submit",
        "expense_report.reject",
        "expense_report.approve",
        "expense_report.reimburse",
        "expense_policy.set",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

// ---------------------------------------------------------------------------
// Mail commands
// ---------------------------------------------------------------------------

fn eml(id: &str, from: &str, to: &str, date: &str, subject: &str, extra: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}@example.org>\r\n{extra}\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

#[test]
fn mail_from_the_command_line() {
    let tmp = TempDir::new("mail");
    let data = tmp.join("data");
    init_northwind(&data);
    let me = "iris@example.org";
    let mut mbox = String::new();
    for m in [
        eml(
            "q1",
            "Henk <henk@board.example>",
            me,
            "Tue, 01 Dec 2026 09:00:00 +0000",
            "Can you confirm the numbers by Thursday?",
            "",
            "Could you confirm the Q4 numbers by Thursday?",
        ),
        eml(
            "n1",
            "Weekly <news@weekly.example>",
            me,
            "Tue, 01 Dec 2026 10:00:00 +0000",
            "This week",
            "List-Unsubscribe: <https://weekly.example/u>\r\n",
            "Ten stories.",
        ),
        eml(
            "s1",
            &format!("Iris <{me}>"),
            "Olga <olga@partner.example>",
            "Mon, 23 Nov 2026 09:00:00 +0000",
            "Proposal",
            "",
            "Here is our proposal.",
        ),
    ] {
        mbox.push_str("From someone@example.org Tue Dec  1 09:00:00 2026\r\n");
        mbox.push_str(&m.replace("\r\nFrom ", "\r\n>From "));
        mbox.push_str("\r\n");
    }
    // A stretch that is no message at all.
    mbox.push_str("From broken@example.org Tue Dec  1 09:00:00 2026\r\n\u{1}\u{2}binary junk\r\n\r\n");
    let file = tmp.join("archive.mbox");
    std::fs::write(&file, &mbox).unwrap();
    let out = cli(&data, &["mail", "import", "--for", me, path_str(&file)])
        .ok()
        .stdout;
    assert!(out.contains("3 stored, 0 already there, 1 refused"), "{out}");
    assert!(out.contains("refused") && out.contains("message 4"), "{out}");
    // Again: nothing twice.
    let out = cli(&data, &["mail", "import", "--for", me, path_str(&file)])
        .ok()
        .stdout;
    assert!(out.contains("0 stored, 3 already there"), "{out}");

    let screening = cli(&data, &["--json", "triage", "--for", me, "--view", "screening"]).json();
    let henk = screening
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["from"] == "henk@board.example")
        .unwrap_or_else(|| panic!("{screening}"));
    assert!(!henk["reasons"].as_array().unwrap().is_empty());
    cli(
        &data,
        &["mail", "screen", "--for", me, "henk@board.example", "vip"],
    )
    .ok();
    let table = cli(&data, &["triage", "--for", me, "--reasons"]).ok().stdout;
    assert!(table.contains("Can you confirm the numbers"), "{table}");
    let id = henk["id"].as_str().unwrap();
    let short = &id[id.len() - 8..];
    let filed = cli(&data, &["mail", "file", "--for", me, short, "act"])
        .ok()
        .stdout;
    assert!(filed.contains("under act"), "{filed}");
    let bad = cli(&data, &["mail", "file", "--for", me, short, "urgent"]);
    bad.error(&["unknown value `urgent`"]);
    let shown = cli(&data, &["mail", "show", "--for", me, short]).ok().stdout;
    assert!(shown.contains("Could you confirm the Q4 numbers"), "{shown}");

    let follow = cli(&data, &["followups", "--for", me]).ok().stdout;
    assert!(
        follow.contains("Proposal") && follow.contains("olga@partner.example"),
        "{follow}"
    );

    // Contacts: Olga and Henk from mail, plus a vCard; cadence makes someone due.
    let vcf = tmp.join("cards.vcf");
    std::fs::write(
        &vcf,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pieter Vos\r\nEMAIL:pieter@vos.example\r\nEND:VCARD\r\n",
    )
    .unwrap();
    let out = cli(&data, &["contacts", "import", "--for", me, path_str(&vcf)])
        .ok()
        .stdout;
    assert!(out.contains("1 contacts added"), "{out}");
    let list = cli(&data, &["--json", "contacts", "list", "--for", me]).json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Pieter Vos") && names.contains(&"Olga"),
        "{names:?}"
    );
    let exported = cli(&data, &["contacts", "export", "--for", me]).ok().stdout;
    assert!(
        exported.contains("BEGIN:VCARD") && exported.contains("pieter@vos.example"),
        "{exported}"
    );
    let broken = tmp.join("broken.vcf");
    std::fs::write(&broken, "this is not a vcard").unwrap();
    cli(&data, &["contacts", "import", "--for", me, path_str(&broken)]).error(&["broken.vcf"]);
    // A missing file and an unknown person are named.
    cli(&data, &["mail", "import", "--for", me, "/nonexistent/x.eml"])
        .error(&["cannot open /nonexistent/x.eml"]);
    cli(&data, &["triage", "--for", "nobody@example.org"]).error(&["no such person here"]);
    let sync = cli(&data, &["mail", "sync", "--for", me]);
    sync.error(&["has no IMAP server set"]);

    // An invoice by mail, from a vendor's billing desk: shown with what it says, then registered once.
    cli(
        &data,
        &[
            "vendor",
            "add",
            "Schoon BV",
            "--contact",
            "Anna de Vries <anna@schoon.example>",
        ],
    )
    .ok();
    let bill = tmp.join("bill.eml");
    std::fs::write(
        &bill,
        eml(
            "b1",
            "Schoon Billing <billing@schoon.example>",
            me,
            "Tue, 01 Dec 2026 11:00:00 +0000",
            "Invoice SCH-0412",
            "",
            "Our invoice SCH-0412 for November: amount due EUR 380.00, payment due 15 December.",
        ),
    )
    .unwrap();
    cli(&data, &["mail", "import", "--for", me, path_str(&bill)]).ok();
    let all = cli(&data, &["--json", "triage", "--for", me, "--view", "screening"]).json();
    let id = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == "Invoice SCH-0412")
        .unwrap_or_else(|| panic!("{all}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let short = &id[id.len() - 8..];
    let shown = cli(&data, &["mail", "show", "--for", me, short]).ok().stdout;
    assert!(
        shown.contains("Office:   invoice")
            && shown.contains("SCH-0412 from Schoon BV, EUR 380.00, due 2026-12-15"),
        "{shown}"
    );
    cli(
        &data,
        &["mail", "invoice", "--for", me, short, "--amount", "many"],
    )
    .error(&["amount"]);
    let done = cli(
        &data,
        &["mail", "invoice", "--for", me, short, "--category", "cleaning"],
    )
    .ok()
    .stdout;
    assert!(
        done.contains(
            "Registered invoice SCH-0412 from Schoon BV: EUR 380.00 (EUR 0.00 VAT), due 2026-12-15"
        ),
        "{done}"
    );
    cli(&data, &["mail", "invoice", "--for", me, short]).error(&["already registered as invoice SCH-0412"]);
    let invoices = cli(&data, &["--json", "invoice", "list"]).json();
    assert_eq!(array(&invoices).len(), 1, "{invoices}");
}
