//! The two engines behind one type. Queries are written once with `$1`
//! placeholders; the [`on_conn!`] macro expands the same code for each engine,
//! so decoding stays concrete and no `Any` driver is involved.

use crate::error::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle to the database; cheap to clone, safe to share between tasks.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    sqlite_path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).finish()
    }
}

/// An open write transaction on either engine.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs the same block against whichever connection `$src` holds.
/// `$src` is a `&mut Tx` or a `&Pool`; `$c` is bound to an executor.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::engine::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::engine::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

macro_rules! on_pool {
    ($pool:expr, |$c:ident| $body:expr) => {
        match $pool {
            $crate::engine::Pool::Sqlite(p) => {
                let $c = p;
                $body
            }
            $crate::engine::Pool::Postgres(p) => {
                let $c = p;
                $body
            }
        }
    };
}

pub(crate) use on_pool;
pub(crate) use on_tx;

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database `adjutant.db` in `data_dir`,
    /// in WAL mode with `synchronous=FULL` so an acknowledged write survives power loss.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Store, StoreError> {
        let path = data_dir.join("adjutant.db");
        Self::open_sqlite_file(&path, true).await
    }

    /// Opens a SQLite file directly (used by backup, restore and tests).
    pub async fn open_sqlite_file(path: &Path, create: bool) -> Result<Store, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 16 MiB of page cache per connection (the default is 2 MiB), and sorts
            // and unions in memory rather than in temporary files.
            .pragma("cache_size", "-16384")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            sqlite_path: Some(path.to_path_buf()),
        })
    }

    /// Opens a SQLite file read-only, changing nothing in it (used to check backups).
    pub async fn open_sqlite_read_only(path: &Path) -> Result<Store, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            sqlite_path: Some(path.to_path_buf()),
        })
    }

    /// Connects to PostgreSQL at `url`, failing fast when it does not answer.
    pub async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let opts = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
            sqlite_path: None,
        })
    }

    /// Which engine this store uses.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite file, when on SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.sqlite_path.as_deref()
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite so the write lock
    /// is taken up front (no deadlock-prone lock upgrades), a plain `BEGIN` on PostgreSQL.
    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Checks the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query("SELECT 1").execute(c).await?;
        });
        Ok(())
    }

    /// Closes every pooled connection (checkpointing the SQLite WAL).
    pub async fn close(&self) {
        on_pool!(&self.pool, |c| c.close().await)
    }
}
