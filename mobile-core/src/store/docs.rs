//! A case document on disk: a snapshot plus the increments written since.
//!
//! A local edit appends only its new changes (a few hundred bytes), so recording an edit
//! costs the same for a case with a long history as for a new one. Loading concatenates the
//! snapshot and the increments and loads them strictly: a damaged chunk is an error, never a
//! silently shorter document. Every [`COMPACT_AFTER`] increments the document is saved whole
//! in the same transaction that deletes the increments it replaces, so compaction can never
//! lose what it just wrote.

use automerge::{AutoCommit, ChangeHash, LoadOptions, OnPartialLoad, VerificationMode};
use rusqlite::{Connection, OptionalExtension, params};
use wangge_proto::values::CaseId;
use wangge_sync::wire::RelaySignature;

use super::StoreError;

/// Increments kept before the document is saved whole again.
pub const COMPACT_AFTER: i64 = 32;

/// A case's document and sync bookkeeping as stored.
pub(super) struct StoredDoc {
    pub doc: AutoCommit,
    pub acked: Vec<ChangeHash>,
    pub whole: bool,
    pub increments: i64,
}

/// Loads a case's document, or `None` if the case is not on the phone.
pub(super) fn load(conn: &Connection, case: &CaseId) -> Result<Option<StoredDoc>, StoreError> {
    let id = case.to_string();
    let row = conn
        .prepare_cached("SELECT snapshot, acked, whole FROM cases WHERE id = ?1")?
        .query_row([&id], |row| {
            Ok((
                row.get::<_, Vec<u8>>(0)?,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, bool>(2)?,
            ))
        })
        .optional()?;
    let Some((mut bytes, acked, whole)) = row else {
        return Ok(None);
    };
    let mut increments = 0;
    let mut statement =
        conn.prepare_cached("SELECT bytes FROM case_increments WHERE case_id = ?1 ORDER BY seq")?;
    let mut rows = statement.query([&id])?;
    while let Some(row) = rows.next()? {
        bytes.extend_from_slice(row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?);
        increments += 1;
    }
    let corrupt = |detail: String| StoreError::Corrupt {
        case: *case,
        detail,
    };
    let strict = LoadOptions::new()
        .on_partial_load(OnPartialLoad::Error)
        .verification_mode(VerificationMode::Check);
    let doc = AutoCommit::load_with_options(&bytes, strict).map_err(|e| corrupt(e.to_string()))?;
    Ok(Some(StoredDoc {
        doc,
        acked: decode_heads(&acked).ok_or_else(|| corrupt("acknowledged heads".into()))?,
        whole,
        increments,
    }))
}

/// Appends changes to a case's increments.
pub(super) fn append(conn: &Connection, case: &CaseId, bytes: &[u8]) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO case_increments (case_id, seq, bytes)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_increments WHERE case_id = ?1), ?2)",
    )?
    .execute(params![case.to_string(), bytes])?;
    Ok(())
}

/// Replaces a case's snapshot with the whole document and drops the increments it contains.
/// The caller's transaction makes the two one step.
pub(super) fn replace(
    conn: &Connection,
    case: &CaseId,
    doc: &mut AutoCommit,
) -> Result<(), StoreError> {
    let id = case.to_string();
    conn.prepare_cached("UPDATE cases SET snapshot = ?2 WHERE id = ?1")?
        .execute(params![id, doc.save()])?;
    conn.prepare_cached("DELETE FROM case_increments WHERE case_id = ?1")?
        .execute([id])?;
    Ok(())
}

/// The signatures stored for a case's changes.
pub(super) fn signatures(
    conn: &Connection,
    case: &CaseId,
) -> Result<Vec<RelaySignature>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT actor, change, signature FROM case_signatures WHERE case_id = ?1",
    )?;
    let rows = statement.query_map([case.to_string()], |row| {
        Ok((
            row.get::<_, Vec<u8>>(0)?,
            row.get::<_, Vec<u8>>(1)?,
            row.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (actor, change, signature) = row?;
        let change = ChangeHash::try_from(change.as_slice()).map_err(|_| StoreError::Corrupt {
            case: *case,
            detail: "a stored signature names no change".into(),
        })?;
        out.push(RelaySignature {
            actor: actor.into(),
            change,
            signature: signature.into(),
        });
    }
    Ok(out)
}

/// Stores signatures (ignoring ones already stored).
pub(super) fn add_signatures(
    conn: &Connection,
    case: &CaseId,
    signatures: &[RelaySignature],
) -> Result<(), StoreError> {
    let mut statement = conn.prepare_cached(
        "INSERT OR IGNORE INTO case_signatures (case_id, change, actor, signature)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let id = case.to_string();
    for s in signatures {
        statement.execute(params![
            id,
            s.change.0.as_slice(),
            s.actor.as_slice(),
            s.signature.as_slice()
        ])?;
    }
    Ok(())
}

/// Heads as stored: 32-byte hashes, concatenated.
pub(super) fn encode_heads(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

fn decode_heads(bytes: &[u8]) -> Option<Vec<ChangeHash>> {
    if !bytes.len().is_multiple_of(32) {
        return None;
    }
    bytes
        .chunks(32)
        .map(|chunk| ChangeHash::try_from(chunk).ok())
        .collect()
}
