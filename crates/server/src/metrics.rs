//! Request counters and latency, rendered in the Prometheus text format.

use axum::http::Method;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Counts per (method, route, status) and total latency per route.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    seconds: BTreeMap<String, (f64, u64)>,
}

impl Metrics {
    pub fn observe(&self, method: &Method, route: &str, status: u16, took: Duration) {
        if let Ok(mut m) = self.inner.lock() {
            *m.requests
                .entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
            let e = m.seconds.entry(route.to_string()).or_default();
            e.0 += took.as_secs_f64();
            e.1 += 1;
        }
    }

    pub fn render(&self, db_up: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP adjutant_up Whether the server is running.\n# TYPE adjutant_up gauge\nadjutant_up 1"
        );
        let _ = writeln!(
            out,
            "# HELP adjutant_database_up Whether the database answers.\n# TYPE adjutant_database_up gauge\nadjutant_database_up {}",
            u8::from(db_up)
        );
        let _ = writeln!(
            out,
            "# HELP adjutant_http_requests_total HTTP requests by method, route and status.\n# TYPE adjutant_http_requests_total counter"
        );
        if let Ok(m) = self.inner.lock() {
            for ((method, route, status), n) in &m.requests {
                let _ = writeln!(
                    out,
                    "adjutant_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
            let _ = writeln!(
                out,
                "# HELP adjutant_http_request_duration_seconds Time spent answering, by route.\n# TYPE adjutant_http_request_duration_seconds summary"
            );
            for (route, (sum, count)) in &m.seconds {
                let r = escape(route);
                let _ = writeln!(
                    out,
                    "adjutant_http_request_duration_seconds_sum{{route=\"{r}\"}} {sum}"
                );
                let _ = writeln!(
                    out,
                    "adjutant_http_request_duration_seconds_count{{route=\"{r}\"}} {count}"
                );
            }
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
