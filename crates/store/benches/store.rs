//! Store throughput on SQLite with `synchronous=FULL` (every commit is fsynced):
//! audited person inserts, a directory read, and an audit page.
//! Run with `cargo bench -p adjutant-store --bench store`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use adjutant_core::people::{OrgSlug, Role};
use adjutant_store::{AuditCtx, AuditFilter, NewPerson, Store};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("adjutant-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open_sqlite(&dir).await.unwrap();
    store.migrate().await.unwrap();
    let ctx = || AuditCtx::system("bench", jiff::Timestamp::now());
    let org = store
        .org_create(&OrgSlug::parse("bench").unwrap(), "Bench", &ctx())
        .await
        .unwrap();

    let n = 2_000;
    let start = Instant::now();
    for i in 0..n {
        let p = NewPerson {
            name: format!("Person {i:05}"),
            email: Some(format!("p{i}@bench.example")),
            role: Role::Staff,
            time_zone: "Europe/Amsterdam".into(),
            password_hash: None,
        };
        store.person_create(org.id, &p, &ctx()).await.unwrap();
    }
    let took = start.elapsed();
    println!(
        "sqlite person_create (audited, fsynced): {n} in {:.2} s = {:.0} writes/s, {:.2} ms each",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        took.as_secs_f64() * 1e3 / n as f64
    );

    let reps = 50;
    let start = Instant::now();
    for _ in 0..reps {
        assert_eq!(store.person_list(org.id).await.unwrap().len(), n);
    }
    let took = start.elapsed();
    println!(
        "sqlite person_list of {n}: {:.2} ms each",
        took.as_secs_f64() * 1e3 / reps as f64
    );

    let start = Instant::now();
    for _ in 0..reps {
        let page = store
            .audit_list(
                org.id,
                &AuditFilter {
                    limit: 100,
                    ..AuditFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.len(), 100);
    }
    let took = start.elapsed();
    println!(
        "sqlite audit_list page of 100 (of {}): {:.2} ms each",
        n + 1,
        took.as_secs_f64() * 1e3 / reps as f64
    );

    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
