//! PostgreSQL, for several server instances on one database.
//!
//! # Per-case serialization
//!
//! `update_batch` runs in one transaction that first takes `pg_advisory_xact_lock` on a 64-bit
//! key derived from each case id ([`case_lock_key`]). The lock lives in the database, so it
//! serializes writers of a case across every pool and every server instance, it works for a
//! case that has no row yet (a row lock would not), and it is released by commit or rollback
//! — also when a connection dies. Two cases whose keys collide merely wait for each other.
//! Under `READ COMMITTED` each later statement of the transaction sees everything committed
//! before the lock was granted, so the closure always runs on the latest stored case.
//!
//! # Feed positions become visible in order
//!
//! A position is handed out by `UPDATE feed_head SET position = position + 1 … RETURNING`
//! inside the same transaction, instead of a sequence. The update holds the row lock on the
//! one `feed_head` row until the transaction ends, so the next writer's update waits and then
//! reads the committed value: positions are handed out one transaction at a time, and the
//! transaction holding N has committed (or rolled back, giving N back) before N+1 exists.
//! PostgreSQL makes a commit visible before it releases the commit's locks, so a reader can
//! never see N+1 committed while N is still to come — exactly what the feed's `head` promises
//! ("no commit may later appear at or below it"). A sequence would not do: `nextval` is not
//! transactional, so N+1 could commit before N and a reader at N+1 would skip N forever.
//!
//! The row lock is the "second, global lock from allocation until commit"; it is a row lock
//! rather than `pg_advisory_xact_lock` on a fixed key because taking it *is* the allocation,
//! in one statement. It serializes the tail of each write: from the first run's writes to
//! the commit. The first run's merges (and the compaction they plan) happen before it under
//! the case locks alone; since writes overlap merges (ADR 0015) the later runs' merges of a
//! large batch happen inside it, which makes one instance faster and the section that all
//! instances take in turn longer.
//! Deadlock is impossible: every writer takes its case locks, then the `feed_head` row, and
//! nothing after.
//!
//! # Batches
//!
//! `update_batch` merges a whole sync request in one transaction (one commit for up to a few
//! hundred cases). It takes the advisory locks of all its cases first, in ascending key order,
//! in one statement; every other writer takes case locks in the same order (one case is the
//! trivial order) and the `feed_head` row only after all of them, so two batches sharing cases
//! wait for each other and never deadlock. Each case's writes run in a savepoint only if the
//! batch's writes fail together, so a case that cannot be written leaves nothing and the
//! others commit.

use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use wangge_proto::values::CaseId;

use super::StoreError;
use super::begin::begin_to_the_end;

/// The store over PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

/// The advisory lock key of a case: the first 8 bytes of SHA-256 over a fixed prefix and
/// the case id, so keys spread evenly and do not meet keys other code derives from ids.
fn case_lock_key(case: &CaseId) -> i64 {
    let mut hash = Sha256::new();
    hash.update(b"wangge/case-lock/");
    hash.update(case.as_uuid().as_bytes());
    let digest = hash.finalize();
    let mut key = [0u8; 8];
    key.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(key)
}

impl PgStore {
    const MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

    /// Connects a pool to the database at `url` (`postgres://user@host:port/database`).
    /// Run [`Store::migrate`](super::Store::migrate) before use.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        Self::connect_with(options).await
    }

    /// Connects a pool with these options.
    pub async fn connect_with(options: PgConnectOptions) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().connect_with(options).await?;
        Ok(Self::from_pool(pool))
    }

    /// A store over a pool the caller built (to choose its size or timeouts).
    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    /// A transaction holding the case's advisory lock.
    async fn begin_case(
        &self,
        case: &CaseId,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(case_lock_key(case))
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// A transaction holding the advisory locks of all `cases`, taken in ascending key
    /// order (see the module doc).
    async fn begin_cases(
        &self,
        cases: &[CaseId],
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut keys: Vec<i64> = cases.iter().map(case_lock_key).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut tx = self.begin_write().await?;
        // A function scan yields the array's elements in order and the lock is taken as
        // each row is produced: one round trip, the locks in ascending order.
        sqlx::query("SELECT pg_advisory_xact_lock(k) FROM unnest($1::int8[]) AS t(k)")
            .bind(keys)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// The pool, for the live channel's LISTEN/NOTIFY.
    fn postgres_pool(&self) -> Option<&PgPool> {
        Some(&self.pool)
    }

    /// A plain transaction (rows are locked as they are written), begun to the end
    /// whatever happens to the caller (see `store::begin`).
    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        let pool = self.pool.clone();
        begin_to_the_end(async move { pool.begin().await }).await
    }

    /// A transaction whose reads all see one snapshot.
    async fn begin_read(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        let pool = self.pool.clone();
        begin_to_the_end(async move {
            pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
        })
        .await
    }
}

super::sql::store_impls!(PgStore, sqlx::Postgres, postgres);

/// `url` with its database replaced by `database` (tests and benchmarks create a database of
/// their own next to the one they were pointed at).
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}
