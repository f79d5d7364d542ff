//! The store's SQLite schema and its upgrades.
//!
//! The version lives in `PRAGMA user_version`. Opening a file runs every upgrade above its
//! version in one transaction, so an app killed mid-upgrade reopens at the old version and
//! upgrades again; a file written by a newer app is refused rather than misread.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Each upgrade, in order: `UPGRADES[n]` takes version `n` to `n + 1`.
const UPGRADES: &[&str] = &[
    // 1: cases with sync bookkeeping and list columns, increments, signatures, the rest;
    // the photo outbox (processed files and the camera originals until uploaded).
    r#"
    CREATE TABLE identity (
        only         INTEGER PRIMARY KEY CHECK (only = 1),
        user_id      TEXT NOT NULL,
        login        TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role         TEXT NOT NULL,
        scope        TEXT NOT NULL,
        device_id    TEXT NOT NULL,
        actor        BLOB NOT NULL,
        signing_key  BLOB NOT NULL
    );
    CREATE TABLE session (
        only       INTEGER PRIMARY KEY CHECK (only = 1),
        base_url   TEXT NOT NULL,
        token      TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE sync_state (
        only   INTEGER PRIMARY KEY CHECK (only = 1),
        cursor INTEGER NOT NULL
    );
    INSERT INTO sync_state (only, cursor) VALUES (1, 0);
    CREATE TABLE cases (
        id          TEXT PRIMARY KEY,
        snapshot    BLOB NOT NULL,
        acked       BLOB NOT NULL,
        whole       INTEGER NOT NULL,
        dirty       INTEGER NOT NULL,
        title       TEXT NOT NULL,
        status      TEXT NOT NULL,
        is_final    INTEGER NOT NULL,
        tier        TEXT,
        category    TEXT NOT NULL,
        grid        TEXT NOT NULL,
        reporter    TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        next_due_at INTEGER,
        search      TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX cases_by_update ON cases (updated_at DESC, id DESC);
    CREATE INDEX cases_dirty ON cases (dirty) WHERE dirty = 1;
    CREATE TABLE case_increments (
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        seq     INTEGER NOT NULL,
        bytes   BLOB NOT NULL,
        PRIMARY KEY (case_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE case_signatures (
        case_id   TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        change    BLOB NOT NULL,
        actor     BLOB NOT NULL,
        signature BLOB NOT NULL,
        PRIMARY KEY (case_id, change)
    ) WITHOUT ROWID;
    CREATE TABLE refetch (case_id TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE rejected (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL,
        code    TEXT NOT NULL,
        zh      TEXT NOT NULL,
        en      TEXT NOT NULL,
        changes BLOB NOT NULL,
        at      INTEGER NOT NULL
    );
    CREATE INDEX rejected_by_case ON rejected (case_id);
    CREATE TABLE photo_outbox (
        hash       TEXT PRIMARY KEY,
        case_id    TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('thumbnail', 'full')),
        bytes      BLOB NOT NULL,
        original   BLOB,
        failures   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        uploaded   INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX photo_outbox_waiting ON photo_outbox (uploaded) WHERE uploaded = 0;
    "#,
    // 2: refused edits the user has seen are marked, not deleted (their changes are kept).
    r#"
    ALTER TABLE rejected ADD COLUMN seen_at INTEGER;
    "#,
];

/// The version this build writes.
pub const VERSION: i64 = UPGRADES.len() as i64;

/// Sets the connection up (WAL, full durability, foreign keys) and brings the schema to
/// [`VERSION`].
pub fn prepare(conn: &mut Connection) -> Result<(), StoreError> {
    // WAL: readers never block the writer; FULL: a commit survives power loss (a dead
    // battery), not only the app being killed.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: VERSION,
        });
    }
    for (from, upgrade) in UPGRADES.iter().enumerate().skip(found as usize) {
        tracing::info!(from, to = from + 1, "upgrading the phone database");
        tx.execute_batch(upgrade)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    Ok(())
}
