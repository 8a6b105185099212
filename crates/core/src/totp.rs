//! Time-based one-time passwords (RFC 6238, SHA-1, 6 digits, 30-second steps),
//! the kind every authenticator app understands.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Length of a freshly minted secret in bytes (160 bits, as RFC 4226 recommends).
pub const SECRET_LEN: usize = 20;
const STEP_SECONDS: i64 = 30;

/// The 6-digit code for `secret` at the given Unix time.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> u32 {
    hotp(secret, (unix_seconds.div_euclid(STEP_SECONDS)) as u64)
}

/// HOTP (RFC 4226) with 6 digits.
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    // HMAC accepts keys of any length, so this cannot fail; fall back to 0 defensively.
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    bin % 1_000_000
}

/// Checks `code` against the current step and one step either side (clock drift).
/// Returns the matching step so callers can refuse a replay of the same step.
pub fn verify(secret: &[u8], code: &str, unix_seconds: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let want: u32 = code.parse().ok()?;
    let step = unix_seconds.div_euclid(STEP_SECONDS);
    (step - 1..=step + 1).find(|s| hotp(secret, *s as u64) == want)
}

/// Base32 (RFC 4648, no padding) as authenticator apps expect.
pub fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// Decodes a base32 secret, tolerating spaces and lower case.
pub fn decode_secret(s: &str) -> Option<Vec<u8>> {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    data_encoding::BASE32_NOPAD
        .decode(clean.trim_end_matches('=').as_bytes())
        .ok()
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        encode_secret(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA-1 vectors (8 digits there; we keep the last 6).
    #[test]
    fn rfc6238_vectors() {
        let secret = b"12345678901234567890";
        let cases = [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ];
        for (t, want8) in cases {
            assert_eq!(code_at(secret, t), want8 % 1_000_000, "t={t}");
        }
    }

    #[test]
    fn verify_window_and_format() {
        let secret = b"12345678901234567890";
        let now = 1111111111;
        let code = format!("{:06}", code_at(secret, now));
        assert!(verify(secret, &code, now).is_some());
        assert!(verify(secret, &code, now + 30).is_some());
        assert!(verify(secret, &code, now + 90).is_none());
        assert!(verify(secret, "12345", now).is_none());
        assert!(verify(secret, "abcdef", now).is_none());
    }

    #[test]
    fn base32_round_trip() {
        let s = [7u8; SECRET_LEN];
        let enc = encode_secret(&s);
        assert_eq!(decode_secret(&enc.to_lowercase()), Some(s.to_vec()));
        assert!(
            provisioning_uri("Adjutant", "maya@northwind.example", &s)
                .starts_with("otpauth://totp/Adjutant:maya%40northwind.example?secret=")
        );
    }
}
