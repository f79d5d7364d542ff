//! Writing a case's row: the sync bookkeeping and the list columns, always together.

use automerge::ChangeHash;
use rusqlite::{Connection, params};
use wangge_proto::values::{CaseId, Timestamp};

use super::StoreError;
use super::docs::encode_heads;
use super::summary::Reading;

/// The bookkeeping that goes with a document write.
pub(super) struct Bookkeeping<'a> {
    pub acked: &'a [ChangeHash],
    pub whole: bool,
    pub dirty: bool,
    pub at: Timestamp,
}

/// Inserts or replaces a case with a new snapshot (its increments are dropped: the snapshot
/// holds them).
pub(super) fn put(
    conn: &Connection,
    case: &CaseId,
    snapshot: &[u8],
    reading: &Reading,
    book: &Bookkeeping<'_>,
) -> Result<(), StoreError> {
    let id = case.to_string();
    let origin = &reading.view.origin;
    conn.prepare_cached(
        "INSERT INTO cases (id, snapshot, acked, whole, dirty, title, status, is_final, tier,
                            category, grid, reporter, created_at, updated_at, next_due_at, search)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (id) DO UPDATE SET
             snapshot = excluded.snapshot, acked = excluded.acked, whole = excluded.whole,
             dirty = excluded.dirty, title = excluded.title, status = excluded.status,
             is_final = excluded.is_final, tier = excluded.tier, category = excluded.category,
             grid = excluded.grid, reporter = excluded.reporter,
             created_at = excluded.created_at, updated_at = excluded.updated_at,
             next_due_at = excluded.next_due_at, search = excluded.search",
    )?
    .execute(params![
        id,
        snapshot,
        encode_heads(book.acked),
        book.whole,
        book.dirty,
        reading.view.title,
        reading.state.status.as_str(),
        reading.state.status.is_final(),
        reading.state.tier.map(|t| t.as_str()),
        reading.view.category.as_str(),
        origin.grid.as_str(),
        origin.reporter.to_string(),
        origin.created_at.as_millis(),
        book.at.as_millis(),
        reading.next_due_at.map(|t| t.as_millis()),
        reading.search,
    ])?;
    conn.prepare_cached("DELETE FROM case_increments WHERE case_id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Updates the list columns after a local edit and marks the case unsent.
pub(super) fn edited(
    conn: &Connection,
    case: &CaseId,
    reading: &Reading,
    at: Timestamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE cases SET dirty = 1, title = ?2, status = ?3, is_final = ?4, tier = ?5,
                          category = ?6, updated_at = ?7, next_due_at = ?8, search = ?9
         WHERE id = ?1",
    )?
    .execute(params![
        case.to_string(),
        reading.view.title,
        reading.state.status.as_str(),
        reading.state.status.is_final(),
        reading.state.tier.map(|t| t.as_str()),
        reading.view.category.as_str(),
        at.as_millis(),
        reading.next_due_at.map(|t| t.as_millis()),
        reading.search,
    ])?;
    Ok(())
}
