//! The embedded default: one SQLite file in WAL mode.
//!
//! SQLite has one writer at a time, so every write begins with `BEGIN IMMEDIATE`: it takes
//! the database's write lock up front (waiting up to the busy timeout for it), which
//! serializes `update_batch` (a whole sync request's cases in one transaction) for every
//! case at once, and no transaction ever has to upgrade a
//! read lock into a write lock (the upgrade is what fails with `SQLITE_BUSY` at once instead
//! of waiting). Readers are not blocked: in WAL mode they see the last committed state.
//! Positions are therefore handed out and committed in order, trivially.
//!
//! `sqlite::memory:` opens a private in-memory database on one connection that lives as
//! long as the store (an in-memory database vanishes with its last connection): for tests.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use wangge_proto::values::CaseId;

use super::StoreError;
use super::begin::begin_to_the_end;

/// How long a writer waits for another one before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections in the pool of a file database (readers run in parallel in WAL mode).
const MAX_CONNECTIONS: u32 = 8;

/// The store over SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    const MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

    /// Opens (creating it if missing) the database at `url_or_path`: a `sqlite:` URL, or a
    /// file path. `sqlite::memory:` is a fresh in-memory database on a single connection.
    /// Run [`Store::migrate`](super::Store::migrate) before use.
    pub async fn open(url_or_path: &str) -> Result<Self, StoreError> {
        Self::open_with_connections(url_or_path, MAX_CONNECTIONS).await
    }

    /// [`SqliteStore::open`] with at most `connections` connections to a file database.
    pub async fn open_with_connections(
        url_or_path: &str,
        connections: u32,
    ) -> Result<Self, StoreError> {
        let options = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)?
        } else {
            SqliteConnectOptions::new().filename(url_or_path)
        };
        let memory = url_or_path.starts_with("sqlite::memory:")
            || url_or_path.contains("mode=memory")
            || url_or_path == ":memory:";
        let options = options
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = if memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                // No ping before each use: a caller dropped during that ping makes sqlx
                // discard the connection, and the database with it.
                .test_before_acquire(false)
                .connect_with(options)
                .await?
        } else {
            SqlitePoolOptions::new()
                .max_connections(connections)
                .connect_with(
                    options
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal),
                )
                .await?
        };
        Ok(Self { pool })
    }

    /// A write transaction on the case. SQLite's write lock is the whole database's, so it
    /// is the case's lock too.
    async fn begin_case(&self, _case: &CaseId) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.begin_write().await
    }

    /// A write transaction on several cases (the whole database's write lock, as above).
    async fn begin_cases(
        &self,
        _cases: &[CaseId],
    ) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.begin_write().await
    }

    /// No PostgreSQL here: the live channel stays within this process.
    fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        None
    }

    /// A transaction holding the write lock from its first statement.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        let pool = self.pool.clone();
        begin_to_the_end(async move { pool.begin_with("BEGIN IMMEDIATE").await }).await
    }

    /// A transaction whose reads see one committed state.
    async fn begin_read(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        let pool = self.pool.clone();
        begin_to_the_end(async move { pool.begin().await }).await
    }
}

super::sql::store_impls!(SqliteStore, sqlx::Sqlite, sqlite);
