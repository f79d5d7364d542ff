//! The storage layer's one error type.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A row holds a value this build cannot read (a bad id, role or scope).
    #[error("stored data is invalid: {0}")]
    Invalid(String),
    /// A uniqueness rule would be broken (e.g. an actor bound to another device).
    #[error("conflict: {0}")]
    Conflict(String),
}
