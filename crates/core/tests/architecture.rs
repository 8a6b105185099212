//! Architecture invariants that can be checked mechanically, from `cargo metadata`:
//! `core` pulls in no I/O crate and none of ours; `store` knows nothing of HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// The normal (non-dev, non-build) dependency closure of `package`, by crate name.
fn closure(meta: &Value, package: &str) -> BTreeSet<String> {
    let packages = meta["packages"].as_array().unwrap();
    let name_of: HashMap<&str, &str> = packages
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let root = packages
        .iter()
        .find(|p| p["name"] == package)
        .map(|p| p["id"].as_str().unwrap())
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let normal = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            let dep_id = dep["pkg"].as_str().unwrap();
            if normal && seen.insert(name_of[dep_id].to_string()) {
                stack.push(dep_id);
            }
        }
    }
    seen
}

/// The host's target triple, so metadata resolves only crates this platform builds.
fn host_triple() -> String {
    let out = Command::new("rustc").arg("-vV").output().expect("rustc runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

fn metadata() -> Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            &host_triple(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

const IO_CRATES: &[&str] = &[
    "tokio",
    "mio",
    "socket2",
    "hyper",
    "hyper-util",
    "h2",
    "axum",
    "axum-core",
    "tower",
    "tower-http",
    "sqlx",
    "sqlx-core",
    "sqlx-sqlite",
    "sqlx-postgres",
    "libsqlite3-sys",
    "reqwest",
    "async-std",
    "smol",
    "lettre",
    "async-imap",
    "tracing-subscriber",
];

#[test]
fn core_depends_on_no_io_crate_and_none_of_ours() {
    let meta = metadata();
    let deps = closure(&meta, "adjutant-core");
    let bad: Vec<_> = deps
        .iter()
        .filter(|d| IO_CRATES.contains(&d.as_str()) || d.starts_with("adjutant"))
        .collect();
    assert!(
        bad.is_empty(),
        "adjutant-core must stay pure, but depends on {bad:?}"
    );
}

#[test]
fn store_knows_nothing_of_http() {
    let meta = metadata();
    let deps = closure(&meta, "adjutant-store");
    for forbidden in [
        "axum",
        "hyper",
        "tower-http",
        "askama",
        "utoipa",
        "adjutant-server",
    ] {
        assert!(
            !deps.contains(forbidden),
            "adjutant-store must not depend on {forbidden}"
        );
    }
}
