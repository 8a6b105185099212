//! Secrets: password hashing (Argon2id), random tokens and their SHA-256 digests.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

/// Hashes and verifies passwords with the configured Argon2id cost.
#[derive(Clone)]
pub struct PasswordHashing {
    params: Params,
    /// A hash of a random password, verified against when the account is
    /// unknown so that answer takes as long as a wrong password.
    dummy_hash: String,
}

impl std::fmt::Debug for PasswordHashing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHashing")
            .field("m_cost", &self.params.m_cost())
            .field("t_cost", &self.params.t_cost())
            .finish()
    }
}

/// A password operation failed (bad parameters or no randomness): an internal error.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl PasswordHashing {
    /// Argon2id with `memory_kib` KiB, `iterations` passes and one lane.
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Self, HashError> {
        let params = Params::new(memory_kib, iterations, 1, None).map_err(|e| HashError(e.to_string()))?;
        let mut me = Self {
            params,
            dummy_hash: String::new(),
        };
        let random = random_token("dummy");
        me.dummy_hash = me.hash(&random)?;
        Ok(me)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC string (`$argon2id$v=19$m=…`) for `password` with a fresh salt.
    pub fn hash(&self, password: &str) -> Result<String, HashError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| HashError(e.to_string()))?;
        self.argon2()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    }

    /// Whether `password` matches `hash` (the parameters in `hash` are used).
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        self.argon2().verify_password(password.as_bytes(), hash).is_ok()
    }

    /// Spends the same effort as [`Self::verify`] on a hash that never matches.
    pub fn verify_dummy(&self, password: &str) {
        let _ = self.verify(password, &self.dummy_hash);
    }

    /// Whether `hash` was made with weaker (or different) parameters than configured,
    /// so it should be replaced on the next successful sign-in.
    pub fn needs_rehash(&self, hash: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(hash) else {
            return true;
        };
        if parsed.algorithm.as_str() != "argon2id" {
            return true;
        }
        match Params::try_from(&parsed) {
            Ok(p) => p.m_cost() < self.params.m_cost() || p.t_cost() < self.params.t_cost(),
            Err(_) => true,
        }
    }
}

/// A random secret: `prefix_` and 32 random bytes (256 bits) in URL-safe base64.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    // getrandom fails only when the OS has no randomness at all; a zero token
    // would be guessable, so make it unusable instead.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    format!("{prefix}_{}", data_encoding::BASE64URL_NOPAD.encode(&bytes))
}

/// `n` random bytes (e.g. a TOTP secret).
pub fn random_bytes(n: usize) -> Option<Vec<u8>> {
    let mut v = vec![0u8; n];
    getrandom::fill(&mut v).ok()?;
    Some(v)
}

/// Lower-case hex SHA-256 of a token: what the store keeps.
pub fn token_hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    data_encoding::HEXLOWER.encode(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_rehash() {
        let weak = PasswordHashing::new(64, 1).ok();
        let strong = PasswordHashing::new(128, 2).ok();
        let (Some(weak), Some(strong)) = (weak, strong) else {
            unreachable!("parameters are valid")
        };
        let h = weak.hash("correct horse battery").unwrap_or_default();
        assert!(h.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{h}");
        assert!(weak.verify("correct horse battery", &h));
        assert!(!weak.verify("wrong horse battery", &h));
        assert!(
            strong.verify("correct horse battery", &h),
            "old parameters still verify"
        );
        assert!(strong.needs_rehash(&h));
        assert!(!weak.needs_rehash(&h));
        assert!(weak.needs_rehash("not a hash"));
    }

    #[test]
    fn default_cost_meets_owasp_floor() {
        let c = crate::config::Config::default();
        assert!(c.argon2_memory_kib >= 19 * 1024 && c.argon2_iterations >= 2);
    }

    #[test]
    fn tokens() {
        let a = random_token("adj");
        let b = random_token("adj");
        assert_ne!(a, b);
        assert!(a.starts_with("adj_") && a.len() == 4 + 43, "{a}");
        assert_eq!(token_hash("x").len(), 64);
    }
}

/// Seals secrets kept at rest (a mailbox's password) with a key from
/// configuration; only this server can open them again.
///
/// XChaCha20-Poly1305 with a random 24-byte nonce per seal, so the same secret
/// sealed twice gives different text and nonces never need counting. The text
/// is `v1:` and the base64 of nonce ‖ ciphertext (with its 16-byte tag); the
/// version prefix leaves room to change the scheme later.
#[derive(Clone)]
pub struct SecretBox {
    key: [u8; 32],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

/// A sealed secret could not be opened (another key, or altered).
#[derive(Debug, thiserror::Error)]
#[error("the secret cannot be opened with this server's key")]
pub struct OpenError;

/// The key for sealed secrets could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The configured or stored key is not base64 of 32 bytes.
    #[error("{source_name}: the secret key must be the base64 of 32 bytes (e.g. `openssl rand -base64 32`)")]
    Malformed { source_name: String },
    /// The key file could not be read or written.
    #[error("secret key file {path}: {message}")]
    File { path: String, message: String },
}

/// The name of the key file kept in the data directory when no key is configured.
pub const KEY_FILE: &str = "secret.key";
const SEALED_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;

impl SecretBox {
    /// A box sealing with `key`.
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// A key given as base64 (standard or URL-safe, padding optional); `source_name`
    /// names where it came from in the error.
    pub fn from_base64(text: &str, source_name: &str) -> Result<Self, KeyError> {
        let t = text.trim();
        let decoded = [
            data_encoding::BASE64,
            data_encoding::BASE64_NOPAD,
            data_encoding::BASE64URL,
            data_encoding::BASE64URL_NOPAD,
        ]
        .iter()
        .find_map(|e| e.decode(t.as_bytes()).ok());
        match decoded.and_then(|d| <[u8; 32]>::try_from(d.as_slice()).ok()) {
            Some(key) => Ok(Self::new(key)),
            None => Err(KeyError::Malformed {
                source_name: source_name.to_string(),
            }),
        }
    }

    /// The box for a server: the configured `secret_key` when there is one,
    /// else the key in `secret.key` under `data`, made (mode 0600) on first use.
    pub fn from_config(config: &crate::config::Config) -> Result<Self, KeyError> {
        match &config.secret_key {
            Some(k) => Self::from_base64(k, "secret_key"),
            None => Self::from_key_file(&config.data.join(KEY_FILE)),
        }
    }

    /// The key in `path`, which is created with a fresh random key (readable
    /// by the owner only) when it does not exist yet.
    pub fn from_key_file(path: &std::path::Path) -> Result<Self, KeyError> {
        let shown = path.display().to_string();
        let fail = |m: String| KeyError::File {
            path: shown.clone(),
            message: m,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => return Self::from_base64(&text, &format!("secret key file {shown}")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(e.to_string())),
        }
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| fail(format!("no randomness: {e}")))?;
        let text = format!("{}\n", data_encoding::BASE64.encode(&key));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(text.as_bytes())
                    .and_then(|()| f.sync_all())
                    .map_err(|e| fail(e.to_string()))?;
                Ok(Self::new(key))
            }
            // Another process made it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
                Self::from_base64(&text, &format!("secret key file {shown}"))
            }
            Err(e) => Err(fail(e.to_string())),
        }
    }

    /// The secret sealed, as text safe to store.
    pub fn seal(&self, plain: &str) -> String {
        use chacha20poly1305::aead::{Aead, KeyInit};
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.key.into());
        let mut nonce = [0u8; NONCE_LEN];
        // getrandom fails only when the OS has no randomness at all; then an
        // all-zero nonce is still unique for this key only once, so mix in the
        // clock rather than give up (sealing has no error path to report it).
        if getrandom::fill(&mut nonce).is_err() {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            nonce[..16].copy_from_slice(&t.to_le_bytes());
        }
        // Encryption with a valid key and nonce cannot fail for input this size.
        let sealed = cipher
            .encrypt(&nonce.into(), plain.as_bytes())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", data_encoding::BASE64.encode(&out))
    }

    /// The secret again.
    pub fn open(&self, sealed: &str) -> Result<String, OpenError> {
        use chacha20poly1305::aead::{Aead, KeyInit};
        let body = sealed.trim().strip_prefix(SEALED_PREFIX).ok_or(OpenError)?;
        let bytes = data_encoding::BASE64
            .decode(body.as_bytes())
            .map_err(|_| OpenError)?;
        if bytes.len() < NONCE_LEN + 16 {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| OpenError)?;
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.key.into());
        let plain = cipher.decrypt(&nonce.into(), ciphertext).map_err(|_| OpenError)?;
        String::from_utf8(plain).map_err(|_| OpenError)
    }
}

#[cfg(test)]
mod secret_box_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn seal_and_open_round_trip() {
        let b = SecretBox::new([7; 32]);
        let s = b.seal("hunter2 ünïcode");
        assert!(s.starts_with("v1:"), "{s}");
        assert!(!s.contains("hunter2"));
        assert_ne!(s, b.seal("hunter2 ünïcode"), "a fresh nonce each time");
        assert_eq!(b.open(&s).unwrap(), "hunter2 ünïcode");
        assert_eq!(b.open(&b.seal("")).unwrap(), "");
    }

    #[test]
    fn a_wrong_key_cannot_open() {
        let s = SecretBox::new([7; 32]).seal("pw");
        assert!(SecretBox::new([8; 32]).open(&s).is_err());
    }

    #[test]
    fn altered_text_is_refused() {
        let b = SecretBox::new([7; 32]);
        let s = b.seal("pw");
        let mut bytes = data_encoding::BASE64.decode(&s.as_bytes()[3..]).unwrap();
        for i in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[i] ^= 1;
            let t = format!("v1:{}", data_encoding::BASE64.encode(&bytes));
            assert!(b.open(&t).is_err(), "byte {i}");
            bytes[i] ^= 1;
        }
        assert!(b.open("pw").is_err());
        assert!(b.open("v1:").is_err());
        assert!(b.open("v2:AAAA").is_err());
        assert!(b.open(&s.replace("v1:", "v1:A")).is_err());
    }

    #[test]
    fn keys_from_base64_are_checked() {
        let k = data_encoding::BASE64.encode(&[1u8; 32]);
        assert!(SecretBox::from_base64(&k, "secret_key").is_ok());
        let e = SecretBox::from_base64("c2hvcnQ=", "secret_key").err().unwrap();
        assert!(
            e.to_string().starts_with("secret_key: the secret key must be"),
            "{e}"
        );
        assert!(SecretBox::from_base64("not base64!", "x").is_err());
    }

    #[test]
    fn the_key_file_is_made_private_and_reused() {
        let dir = std::env::temp_dir().join(format!(
            "adjutant-key-{}-{}",
            std::process::id(),
            random_token("t")
        ));
        let path = dir.join(KEY_FILE);
        let first = SecretBox::from_key_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let sealed = first.seal("pw");
        let again = SecretBox::from_key_file(&path).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "pw");
        std::fs::write(&path, "garbage").unwrap();
        let e = SecretBox::from_key_file(&path).err().unwrap();
        assert!(e.to_string().contains("secret key file"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
