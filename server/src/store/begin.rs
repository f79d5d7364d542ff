//! Beginning a transaction so that no caller can leave it half begun.
//!
//! A request whose client hangs up is dropped at whatever await it was in, and so is every
//! store call under it. sqlx 0.8 is not safe to drop while `BEGIN` itself is in flight: the
//! statement has gone to the database, but no `Transaction` exists yet to roll it back, so
//! the connection goes back to the pool inside a transaction nobody owns.
//!
//! - On SQLite that transaction holds the write lock (`BEGIN IMMEDIATE`): every later write
//!   failed ("begin_with at non-zero transaction depth", then "database is locked").
//! - On PostgreSQL (transact-rs/sqlx#4393) the next borrower's statements ran inside it. One
//!   left by a read (`READ ONLY`) refused the next write, and after that first error every
//!   statement on the connection failed with `25P02` — sign-in and sync answered 503 until
//!   the connection was recycled. The end-to-end kill test met it.
//!
//! [`begin_to_the_end`] runs the `BEGIN` on a task of its own: it always completes, and if
//! the caller is gone by then the finished `Transaction` is dropped on that task, which
//! queues its rollback before the connection returns to the pool. Once begun, a dropped
//! `Transaction` rolls back by itself. `server/tests/store/cancellation.rs` drops calls at
//! every await on both backends.

use std::future::Future;

use sqlx::{Database, Transaction};

use super::StoreError;

/// Awaits `begin` (a pool's `begin` or `begin_with`) on its own task, whatever happens to
/// the caller.
pub(crate) async fn begin_to_the_end<DB: Database>(
    begin: impl Future<Output = Result<Transaction<'static, DB>, sqlx::Error>> + Send + 'static,
) -> Result<Transaction<'static, DB>, StoreError> {
    match tokio::spawn(begin).await {
        Ok(begun) => Ok(begun?),
        // Only a panic inside sqlx gets here (the task is never aborted).
        Err(_) => Err(StoreError::Database(sqlx::Error::WorkerCrashed)),
    }
}
