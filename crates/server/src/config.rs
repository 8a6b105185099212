//! Configuration: one typed struct. Defaults live in code; an optional TOML
//! file and `ADJUTANT_*` environment variables override them, and command-line
//! flags override both. Unknown keys are rejected with the key named, and
//! secrets never appear in `Debug` output or logs.

use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server needs to know to start.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Directory for the embedded SQLite database (and later, files).
    pub data: PathBuf,
    /// `postgres://…` to run on PostgreSQL instead of embedded SQLite.
    pub database_url: Option<String>,
    /// Seed the demo organisation when the database is empty.
    pub demo: bool,
    /// A session unused this long is signed out (minutes).
    pub session_idle_minutes: u32,
    /// A session ends this long after sign-in whatever happens (hours).
    pub session_absolute_hours: u32,
    /// Mark cookies `Secure`: `auto` (when the request came over TLS per
    /// `X-Forwarded-Proto` from a trusted proxy, or the public URL is https), `always`, `never`.
    pub secure_cookies: SecureCookies,
    /// The public base URL (e.g. `https://adjutant.example.org`), used for links.
    pub public_url: Option<String>,
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` (only behind your own proxy).
    pub trust_proxy: bool,
    /// Failed sign-ins per account in `login_window_minutes` before refusing.
    pub login_max_failures_per_account: u32,
    /// Failed sign-ins per client address in `login_window_minutes` before refusing.
    pub login_max_failures_per_address: u32,
    /// The throttling window (minutes).
    pub login_window_minutes: u32,
    /// Argon2id cost: memory in KiB (OWASP floor: 19456).
    pub argon2_memory_kib: u32,
    /// Argon2id cost: iterations (OWASP floor with 19 MiB: 2).
    pub argon2_iterations: u32,
    /// Log filter, e.g. `info` or `adjutant=debug`.
    pub log: String,
    /// Let find-a-time fetch calendars (an outsider's ICS URL) from loopback and private
    /// addresses. Off by default, so a user cannot make the server probe its own network.
    pub fetch_private_addresses: bool,
    /// How much an office manager may approve on her own, per currency
    /// (`EUR 1000.00, USD 1100.00`); above it, a principal approves.
    pub approval_limits: String,
    /// The SMTP relay mail is sent through (none: drafts cannot be sent).
    pub smtp_host: Option<String>,
    /// The relay's port (587 for STARTTLS, 465 for TLS, 25 or a local port for `none`).
    pub smtp_port: u16,
    /// `starttls`, `tls`, or `none` (only for a relay on this machine).
    pub smtp_security: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// Check IMAP mailboxes this often (minutes; 0: only when asked).
    pub mail_sync_minutes: u32,
    /// The key sealing stored secrets (mailbox passwords): base64 of 32 bytes.
    /// When absent, `secret.key` in the data directory is used, made on first start.
    pub secret_key: Option<String>,
}

/// When to mark cookies `Secure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecureCookies {
    Auto,
    Always,
    Never,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("adjutant-data"),
            database_url: None,
            demo: false,
            session_idle_minutes: 60 * 12,
            session_absolute_hours: 24 * 14,
            secure_cookies: SecureCookies::Auto,
            public_url: None,
            trust_proxy: false,
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 30,
            login_window_minutes: 15,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            log: "info".into(),
            fetch_private_addresses: false,
            approval_limits: "EUR 1000.00".into(),
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            mail_sync_minutes: 5,
            secret_key: None,
        }
    }
}

/// Hides the password part of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s + 3 => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:<redacted>{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data", &self.data)
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("demo", &self.demo)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_url)
            .field("trust_proxy", &self.trust_proxy)
            .field("argon2_memory_kib", &self.argon2_memory_kib)
            .field("argon2_iterations", &self.argon2_iterations)
            .field("log", &self.log)
            .field("fetch_private_addresses", &self.fetch_private_addresses)
            .field("approval_limits", &self.approval_limits)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field(
                "smtp_password",
                &self.smtp_password.as_ref().map(|_| "<redacted>"),
            )
            .field("mail_sync_minutes", &self.mail_sync_minutes)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// A configuration problem, naming the key or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {key}: {message}")]
    Env { key: String, message: String },
    #[error("{key}: {message}")]
    Invalid { key: String, message: String },
}

/// The environment variables we read, and the key each sets.
const ENV_KEYS: &[&str] = &[
    "listen",
    "data",
    "database_url",
    "demo",
    "session_idle_minutes",
    "session_absolute_hours",
    "secure_cookies",
    "public_url",
    "trust_proxy",
    "login_max_failures_per_account",
    "login_max_failures_per_address",
    "login_window_minutes",
    "argon2_memory_kib",
    "argon2_iterations",
    "log",
    "fetch_private_addresses",
    "approval_limits",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "mail_sync_minutes",
    "secret_key",
];

impl Config {
    /// Loads defaults, then `file` (if any), then `ADJUTANT_*` variables from `env`.
    ///
    /// `env` is passed in (rather than read here) so tests control it. Variables
    /// starting `ADJUTANT_TEST_` belong to the test suites and are ignored.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                text.parse::<toml::Table>().map_err(|e| ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: e.message().to_string(),
                })?
            }
            None => toml::Table::new(),
        };
        // Check the file alone first so its errors name the file.
        if let Some(path) = file {
            toml::Value::Table(table.clone())
                .try_into::<Config>()
                .map_err(|e| ConfigError::Parse {
                    path: path.to_path_buf(),
                    message: e.message().to_string(),
                })?;
        }
        for (k, v) in env {
            let Some(rest) = k.strip_prefix("ADJUTANT_") else {
                continue;
            };
            if rest.starts_with("TEST_") {
                continue;
            }
            let key = rest.to_ascii_lowercase();
            if !ENV_KEYS.contains(&key.as_str()) {
                return Err(ConfigError::Env {
                    key: k.clone(),
                    message: "is not a setting Adjutant knows".into(),
                });
            }
            table.insert(key.clone(), env_value(&key, &v));
            toml::Value::Table(table.clone())
                .try_into::<Config>()
                .map_err(|e| ConfigError::Env {
                    key: k.clone(),
                    message: e.message().to_string(),
                })?;
        }
        let cfg: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid {
                key: "config".into(),
                message: e.message().to_string(),
            })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks values a type cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, message: &str| {
            Err(ConfigError::Invalid {
                key: key.into(),
                message: message.into(),
            })
        };
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return bad("database_url", "must start with postgres:// or postgresql://");
        }
        if self.session_idle_minutes == 0 {
            return bad("session_idle_minutes", "must be at least 1");
        }
        if self.session_absolute_hours == 0 {
            return bad("session_absolute_hours", "must be at least 1");
        }
        if self.login_max_failures_per_account == 0 || self.login_max_failures_per_address == 0 {
            return bad("login_max_failures_per_account", "limits must be at least 1");
        }
        if self.login_window_minutes == 0 {
            return bad("login_window_minutes", "must be at least 1");
        }
        if self.argon2_memory_kib < 8 || self.argon2_iterations < 1 {
            return bad("argon2_memory_kib", "argon2 parameters are too small to be valid");
        }
        if let Err(m) = self.approval_rule() {
            return bad("approval_limits", &m);
        }
        if !["starttls", "tls", "none"].contains(&self.smtp_security.as_str()) {
            return bad("smtp_security", "must be starttls, tls or none");
        }
        if let Some(k) = &self.secret_key
            && crate::secrets::SecretBox::from_base64(k, "secret_key").is_err()
        {
            return bad(
                "secret_key",
                "must be the base64 of 32 bytes (e.g. `openssl rand -base64 32`)",
            );
        }
        Ok(())
    }

    /// Who may approve what, from `approval_limits`.
    pub fn approval_rule(&self) -> Result<adjutant_core::office::purchase::ApprovalRule, String> {
        adjutant_core::office::purchase::ApprovalRule::parse(&self.approval_limits)
    }
}

/// Environment values are strings; numbers and booleans are given their type.
fn env_value(key: &str, v: &str) -> toml::Value {
    let numeric = [
        "session_idle_minutes",
        "session_absolute_hours",
        "login_max_failures_per_account",
        "login_max_failures_per_address",
        "login_window_minutes",
        "argon2_memory_kib",
        "argon2_iterations",
        "smtp_port",
        "mail_sync_minutes",
    ];
    if numeric.contains(&key)
        && let Ok(n) = v.trim().parse::<i64>()
    {
        return toml::Value::Integer(n);
    }
    if ["demo", "trust_proxy", "fetch_private_addresses"].contains(&key) {
        match v.trim() {
            "1" | "true" | "yes" => return toml::Value::Boolean(true),
            "0" | "false" | "no" | "" => return toml::Value::Boolean(false),
            _ => {}
        }
    }
    toml::Value::String(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn approval_limits_are_checked() {
        let c = Config::load(
            None,
            env(&[("ADJUTANT_APPROVAL_LIMITS", "EUR 2500, USD 2700.50")]),
        );
        assert_eq!(
            c.ok()
                .and_then(|c| c.approval_rule().ok())
                .map(|r| r.office_manager_limits.len()),
            Some(2)
        );
        let bad = Config::load(None, env(&[("ADJUTANT_APPROVAL_LIMITS", "EUR 10.001")]));
        assert!(
            bad.err()
                .is_some_and(|e| e.to_string().contains("approval_limits"))
        );
    }

    #[test]
    fn defaults_and_env() {
        let c = Config::load(
            None,
            env(&[
                ("ADJUTANT_DEMO", "1"),
                ("ADJUTANT_LISTEN", "127.0.0.1:9000"),
                ("ADJUTANT_TEST_POSTGRES_URL", "x"),
                ("PATH", "/bin"),
            ]),
        )
        .ok();
        let c = c.unwrap_or_default();
        assert!(c.demo);
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.argon2_memory_kib, 19456);
    }

    #[test]
    fn unknown_env_key_is_named() {
        let e = Config::load(None, env(&[("ADJUTANT_LISTNE", "x")]))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("environment variable ADJUTANT_LISTNE: is not a setting Adjutant knows")
        );
        let e = Config::load(None, env(&[("ADJUTANT_LISTEN", "nowhere")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("environment variable ADJUTANT_LISTEN:"), "{e}");
    }

    #[test]
    fn unknown_file_key_is_named() {
        let dir = std::env::temp_dir().join(format!("adjutant-config-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let f = dir.join("bad.toml");
        let _ = std::fs::write(&f, "listen = \"127.0.0.1:1\"\nlsiten = 3\n");
        let e = Config::load(Some(&f), env(&[]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("lsiten"), "{e}");
        assert!(e.contains("bad.toml"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn secrets_are_redacted() {
        let c = Config {
            database_url: Some("postgres://app:hunter2@db/adjutant".into()),
            ..Config::default()
        };
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("postgres://app:<redacted>@db/adjutant"), "{dbg}");
        assert!(Config::load(None, env(&[("ADJUTANT_DATABASE_URL", "mysql://x")])).is_err());
    }

    #[test]
    fn the_secret_key_comes_from_env_is_checked_and_redacted() {
        let key = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
        let c = Config::load(None, env(&[("ADJUTANT_SECRET_KEY", key)])).unwrap_or_default();
        assert_eq!(c.secret_key.as_deref(), Some(key));
        let dbg = format!("{c:?}");
        assert!(!dbg.contains(key), "{dbg}");
        assert!(dbg.contains("secret_key: Some(\"<redacted>\")"), "{dbg}");
        let e = Config::load(None, env(&[("ADJUTANT_SECRET_KEY", "c2hvcnQ=")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("secret_key: must be the base64 of 32 bytes"), "{e}");
    }
}
