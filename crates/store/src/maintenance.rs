//! Whole-database operations: integrity check, online backup, restore.

use crate::engine::{Pool, Store, on_pool};
use crate::error::StoreError;
use sqlx::Row;
use std::path::Path;

impl Store {
    /// Runs the engine's integrity check; returns the problems found (empty when sound).
    pub async fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => {
                let rows = sqlx::query("PRAGMA integrity_check").fetch_all(p).await?;
                let msgs: Vec<String> = rows
                    .iter()
                    .map(|r| r.try_get::<String, _>(0))
                    .collect::<Result<_, _>>()?;
                let fk = sqlx::query("PRAGMA foreign_key_check").fetch_all(p).await?;
                let mut out: Vec<String> = msgs.into_iter().filter(|m| m != "ok").collect();
                if !fk.is_empty() {
                    out.push(format!("{} rows break a foreign key", fk.len()));
                }
                Ok(out)
            }
            Pool::Postgres(_) => {
                // PostgreSQL checks its own pages; a reachable server with our schema is sound.
                self.ping().await?;
                Ok(vec![])
            }
        }
    }

    /// Writes a consistent copy of the whole database to `dest` while the server
    /// keeps running (SQLite `VACUUM INTO` reads one snapshot). `dest` must not exist.
    pub async fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists; choose a new file",
                dest.display()
            )));
        }
        match &self.pool {
            Pool::Sqlite(p) => {
                let path = dest.to_string_lossy().replace('\'', "''");
                sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'"))).execute(p).await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(StoreError::Unsupported(
                "backup of a PostgreSQL store is done with pg_dump, which copies it consistently while it runs".into(),
            )),
        }
    }

    /// Counts rows per table, for checks after a restore.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let tables = [
            "organisations",
            "persons",
            "credentials",
            "api_tokens",
            "delegations",
            "audit_log",
            "resources",
            "calendars",
            "events",
            "event_attendees",
            "meeting_requests",
            "itip_messages",
            "polls",
            "calendar_feeds",
            "goals",
            "meetings",
            "materials",
            "tasks",
            "task_dependencies",
            "task_shares",
            "plans",
            "duties",
            "duty_completions",
            "vendors",
            "contracts",
            "contract_documents",
            "stock_items",
            "stock_movements",
            "purchases",
            "invoices",
            "budgets",
            "sites",
            "booking_rules",
            "bookings",
            "assets",
            "asset_events",
            "expense_reports",
            "expenses",
            "expense_receipts",
            "expense_policies",
            "mailboxes",
            "mail_messages",
            "mail_senders",
            "mail_rules",
            "mail_models",
            "mail_templates",
            "mail_drafts",
            "contacts",
            "contact_addresses",
        ];
        let mut out = Vec::new();
        for t in tables {
            let n = on_pool!(&self.pool, |c| {
                let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {t}")))
                    .fetch_one(c)
                    .await?;
                r.try_get::<i64, _>("n")?
            });
            out.push((t.to_string(), n));
        }
        Ok(out)
    }
}

/// Checks that `file` is a sound Adjutant SQLite backup this binary can run,
/// returning its schema version. Opens it read-only: the file is not changed.
pub async fn verify_backup(file: &Path) -> Result<i64, StoreError> {
    if !file.is_file() {
        return Err(StoreError::NotFound("backup file"));
    }
    let store = Store::open_sqlite_read_only(file).await?;
    let problems = store.integrity_check().await?;
    if !problems.is_empty() {
        store.close().await;
        return Err(StoreError::Corrupt(problems.join("; ")));
    }
    // Read the version without creating anything in the file being checked.
    let version = match &store.pool {
        Pool::Sqlite(p) => {
            let has = sqlx::query(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            )
            .fetch_optional(p)
            .await?
            .is_some();
            if has {
                sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
                    .fetch_one(p)
                    .await?
                    .try_get::<i64, _>("v")?
            } else {
                0
            }
        }
        Pool::Postgres(_) => 0,
    };
    let known = store.known_schema_version();
    store.close().await;
    if version == 0 {
        return Err(StoreError::Corrupt("the file holds no Adjutant schema".into()));
    }
    if version > known {
        return Err(StoreError::SchemaTooNew {
            found: version,
            known,
        });
    }
    Ok(version)
}
