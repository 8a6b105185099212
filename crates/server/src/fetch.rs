//! Fetching a calendar someone gives by URL (an outsider's ICS feed, for
//! find-a-time): http, https and webcal only, a short timeout, a size cap, at
//! most three redirects, and — unless the operator allows it — never an
//! address inside the server's own network, so a user cannot make the server
//! probe it (every hop is resolved and checked, and the checked address is the
//! one connected to).

use std::net::{IpAddr, SocketAddr};
use std::sync::Once;
use std::time::Duration;

/// The largest calendar fetched.
pub const MAX_FETCH_BYTES: usize = 5 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_REDIRECTS: usize = 3;

/// Why a calendar could not be fetched, in words for the person who gave the URL.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(String);

fn fail(m: impl Into<String>) -> FetchError {
    FetchError(m.into())
}

/// Whether an address is one the public internet reaches (not loopback,
/// private, link-local, unique-local, carrier-grade NAT, multicast or unspecified).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// Installs the TLS crypto provider once (the build carries only `ring`); every
/// reqwest client of the process needs it, so the server and test harnesses call it first.
pub fn tls_ready() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Fetches the text at `url`.
pub async fn fetch_text(url: &str, allow_private: bool) -> Result<String, FetchError> {
    tls_ready();
    let given = url.trim();
    let normalised = match given.strip_prefix("webcal://") {
        Some(rest) => format!("https://{rest}"),
        None => given.to_string(),
    };
    let mut url = reqwest::Url::parse(&normalised).map_err(|_| fail(format!("`{given}` is not a URL")))?;
    for _ in 0..=MAX_REDIRECTS {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(fail(format!(
                "only http, https and webcal URLs are fetched, not {}",
                url.scheme()
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| fail("the URL names no host"))?
            .to_string();
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|_| fail(format!("{host} cannot be found")))?
            .collect();
        let Some(addr) = addrs.iter().copied().find(|a| allow_private || is_public(a.ip())) else {
            return Err(fail(format!(
                "{host} is inside this server's network; calendars are fetched only from public addresses"
            )));
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .resolve(&host, addr)
            .user_agent(concat!("Adjutant/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| fail(format!("cannot prepare the request: {e}")))?;
        let mut res = client
            .get(url.clone())
            .header("accept", "text/calendar, text/plain;q=0.5, */*;q=0.1")
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    fail(format!("{host} did not answer within {} s", TIMEOUT.as_secs()))
                } else {
                    fail(format!("{host} could not be reached: {e}"))
                }
            })?;
        let status = res.status();
        if status.is_redirection() {
            let next = res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| fail(format!("{host} redirects without saying where")))?;
            url = url
                .join(next)
                .map_err(|_| fail(format!("{host} redirects to `{next}`, not a URL")))?;
            continue;
        }
        if !status.is_success() {
            return Err(fail(format!("{host} answered {status}")));
        }
        if res.content_length().is_some_and(|n| n > MAX_FETCH_BYTES as u64) {
            return Err(fail(format!(
                "the calendar is larger than {} MiB",
                MAX_FETCH_BYTES >> 20
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = res
            .chunk()
            .await
            .map_err(|e| fail(format!("{host} broke off: {e}")))?
        {
            if body.len() + chunk.len() > MAX_FETCH_BYTES {
                return Err(fail(format!(
                    "the calendar is larger than {} MiB",
                    MAX_FETCH_BYTES >> 20
                )));
            }
            body.extend_from_slice(&chunk);
        }
        return Ok(String::from_utf8_lossy(&body).into_owned());
    }
    Err(fail(format!("more than {MAX_REDIRECTS} redirects")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_recognised() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.9",
            "172.16.5.4",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                !is_public(a.parse().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))),
                "{a}"
            );
        }
        for a in ["8.8.8.8", "2a00:1450:4001::1", "93.184.216.34"] {
            assert!(
                is_public(a.parse().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))),
                "{a}"
            );
        }
    }
}
