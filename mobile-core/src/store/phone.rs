//! The store as the sync protocol sees it ([`PhoneStore`]): dirty cases, the cursor, and one
//! transaction per sync response.
//!
//! A response is written whole or not at all: merged documents, acknowledged heads, refused
//! edits (kept with the server's reason), the cursor and the cases to fetch again. A case is
//! only removed when the server refused it as new, and then its content is kept among the
//! refused edits first, in the same transaction.

use rusqlite::params;
use wangge_proto::case::CaseDocument;
use wangge_proto::values::{CaseId, Timestamp};
use wangge_sync::phone::{Applied, LocalCase, PhoneStore};
use wangge_sync::wire::Cursor;

use super::{CaseStore, StoreError, docs, rows, summary};

impl PhoneStore for CaseStore {
    type Error = StoreError;

    fn cursor(&self) -> Result<Cursor, StoreError> {
        let cursor: i64 =
            self.conn
                .query_row("SELECT cursor FROM sync_state WHERE only = 1", [], |r| {
                    r.get(0)
                })?;
        Ok(Cursor(cursor.try_into().unwrap_or_default()))
    }

    fn dirty(&self) -> Result<Vec<CaseId>, StoreError> {
        ids(
            self,
            "SELECT id FROM cases WHERE dirty = 1 ORDER BY updated_at",
        )
    }

    fn refetch(&self) -> Result<Vec<CaseId>, StoreError> {
        ids(self, "SELECT case_id FROM refetch ORDER BY case_id")
    }

    fn case_ids(&self) -> Result<Vec<CaseId>, StoreError> {
        ids(self, "SELECT id FROM cases ORDER BY id")
    }

    /// A case whose stored document no longer loads (the file was damaged outside this
    /// library) does not stop the sync of the others: it is skipped and downloaded whole
    /// again, which replaces the damaged copy.
    fn load(&self, case: &CaseId) -> Result<Option<LocalCase>, StoreError> {
        let loaded = docs::load(&self.conn, case);
        self.refetch_if_damaged(&loaded)?;
        let stored = match loaded {
            Ok(Some(stored)) => stored,
            Ok(None) | Err(StoreError::Corrupt { .. }) => return Ok(None),
            Err(other) => return Err(other),
        };
        Ok(Some(LocalCase {
            doc: stored.doc,
            acked: stored.acked,
            whole: stored.whole,
            signatures: docs::signatures(&self.conn, case)?,
        }))
    }

    fn apply(&mut self, applied: Applied) -> Result<(), StoreError> {
        let now = Timestamp::now();
        let tx = self.conn.transaction()?;
        for rejected in &applied.rejected {
            tx.prepare_cached(
                "INSERT INTO rejected (case_id, code, zh, en, changes, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                rejected.case.to_string(),
                rejected.code,
                rejected.zh,
                rejected.en,
                rejected.changes,
                now.as_millis(),
            ])?;
        }
        for case in applied.cases {
            let Some(doc) = case.doc else {
                tx.prepare_cached("DELETE FROM cases WHERE id = ?1")?
                    .execute([case.case.to_string()])?;
                continue;
            };
            let mut local = LocalCase {
                doc,
                acked: case.acked,
                whole: case.whole,
                signatures: Vec::new(),
            };
            let dirty = local.is_dirty();
            let mut document = CaseDocument::from_automerge(local.doc)?;
            let reading = summary::read(&document, &self.catalogue)?;
            let book = rows::Bookkeeping {
                acked: &local.acked,
                whole: local.whole,
                dirty,
                at: now,
            };
            rows::put(&tx, &case.case, &document.save(), &reading, &book)?;
            docs::add_signatures(&tx, &case.case, &case.signatures)?;
        }
        if let Some(cursor) = applied.cursor {
            tx.execute(
                "UPDATE sync_state SET cursor = ?1 WHERE only = 1",
                [i64::try_from(cursor.0).unwrap_or(i64::MAX)],
            )?;
        }
        tx.execute("DELETE FROM refetch", [])?;
        for case in &applied.refetch {
            tx.execute(
                "INSERT OR IGNORE INTO refetch (case_id) VALUES (?1)",
                [case.to_string()],
            )?;
        }
        if applied.resend_all {
            tx.execute("UPDATE cases SET whole = 1, dirty = 1", [])?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn ids(store: &CaseStore, sql: &str) -> Result<Vec<CaseId>, StoreError> {
    let mut statement = store.conn.prepare_cached(sql)?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    rows.map(|id| {
        let id = id?;
        id.parse().map_err(|_| StoreError::Database {
            detail: format!("a stored case id is damaged: {id}"),
        })
    })
    .collect()
}
