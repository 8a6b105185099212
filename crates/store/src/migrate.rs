//! Versioned migrations, one list per engine, applied in order inside one
//! transaction each. A database whose schema is newer than the binary is refused.

use crate::engine::{Pool, Store, on_pool, on_tx};
use crate::error::StoreError;
use sqlx::Row;

/// (version, name, SQL) for SQLite.
pub const MIGRATIONS_SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "platform",
        include_str!("../migrations/sqlite/0001_platform.sql"),
    ),
    (
        2,
        "calendar",
        include_str!("../migrations/sqlite/0002_calendar.sql"),
    ),
    (3, "tasks", include_str!("../migrations/sqlite/0003_tasks.sql")),
    (4, "office", include_str!("../migrations/sqlite/0004_office.sql")),
    (5, "assets", include_str!("../migrations/sqlite/0005_assets.sql")),
    (
        6,
        "expenses",
        include_str!("../migrations/sqlite/0006_expenses.sql"),
    ),
    (7, "spaces", include_str!("../migrations/sqlite/0007_spaces.sql")),
    (8, "mail", include_str!("../migrations/sqlite/0008_mail.sql")),
    (
        9,
        "mail_office",
        include_str!("../migrations/sqlite/0009_mail_office.sql"),
    ),
];

/// (version, name, SQL) for PostgreSQL.
pub const MIGRATIONS_POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "platform",
        include_str!("../migrations/postgres/0001_platform.sql"),
    ),
    (
        2,
        "calendar",
        include_str!("../migrations/postgres/0002_calendar.sql"),
    ),
    (3, "tasks", include_str!("../migrations/postgres/0003_tasks.sql")),
    (
        4,
        "office",
        include_str!("../migrations/postgres/0004_office.sql"),
    ),
    (
        5,
        "assets",
        include_str!("../migrations/postgres/0005_assets.sql"),
    ),
    (
        6,
        "expenses",
        include_str!("../migrations/postgres/0006_expenses.sql"),
    ),
    (
        7,
        "spaces",
        include_str!("../migrations/postgres/0007_spaces.sql"),
    ),
    (8, "mail", include_str!("../migrations/postgres/0008_mail.sql")),
    (
        9,
        "mail_office",
        include_str!("../migrations/postgres/0009_mail_office.sql"),
    ),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

impl Store {
    fn migrations(&self) -> &'static [(i64, &'static str, &'static str)] {
        match self.pool {
            Pool::Sqlite(_) => MIGRATIONS_SQLITE,
            Pool::Postgres(_) => MIGRATIONS_POSTGRES,
        }
    }

    /// The newest schema version this binary knows.
    pub fn known_schema_version(&self) -> i64 {
        self.migrations().iter().map(|m| m.0).max().unwrap_or(0)
    }

    /// The schema version the database is at (0 when empty).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query(CREATE_TABLE).execute(c).await?;
            let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
                .fetch_one(c)
                .await?;
            Ok(row.try_get::<i64, _>("v")?)
        })
    }

    /// Applies every migration the database lacks; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let current = self.schema_version().await?;
        let known = self.known_schema_version();
        if current > known {
            return Err(StoreError::SchemaTooNew {
                found: current,
                known,
            });
        }
        let mut ran = 0;
        for (version, name, sql) in self.migrations() {
            if *version <= current {
                continue;
            }
            let mut tx = self.begin().await?;
            on_tx!(&mut tx, |c| {
                sqlx::raw_sql(*sql).execute(&mut *c).await?;
                sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                    .bind(version)
                    .bind(*name)
                    .bind(jiff::Timestamp::now().as_microsecond())
                    .execute(&mut *c)
                    .await?;
            });
            tx.commit().await?;
            tracing::info!(version, name, "applied migration");
            ran += 1;
        }
        Ok(ran)
    }

    /// Refuses to run on a database newer than this binary (without changing it).
    pub async fn check_schema_not_newer(&self) -> Result<(), StoreError> {
        let current = self.schema_version().await?;
        let known = self.known_schema_version();
        if current > known {
            Err(StoreError::SchemaTooNew {
                found: current,
                known,
            })
        } else {
            Ok(())
        }
    }
}
