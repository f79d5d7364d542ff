//! One case as its screen shows it: everything in the document, the derived state with the
//! timeline (who did what, when, from which device, and steps that were refused), the steps
//! the user may take now, and any edits the server refused (until the user has seen them).

use rusqlite::{OptionalExtension, params};
use wangge_proto::case::{CaseDocument, CaseView};
use wangge_proto::values::{CaseId, Timestamp};
use wangge_proto::workflow::{ActionKind, CaseState};
use wangge_sync::phone::RejectedEdits;

use super::list::{RawSummary, SUMMARY_COLUMNS};
use super::{CaseStore, CaseSummary, StoreError, docs, summary};

/// A case, whole.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    /// The list line.
    pub summary: CaseSummary,
    /// Everything in the document, validated.
    pub view: CaseView,
    /// The derived workflow state, with the timeline.
    pub state: CaseState,
    /// The steps the signed-in user may offer now (before tier and department checks).
    pub actions: Vec<ActionKind>,
    /// Edits of this case the server refused, with its reasons, until the user marks them as
    /// seen ([`CaseStore::mark_refusals_seen`]).
    pub rejected: Vec<RejectedEdits>,
}

impl CaseStore {
    /// One case, or `None` if it is not on the phone.
    /// A damaged document is an error here, and is downloaded whole again at the next sync.
    pub fn detail(&self, case: &CaseId) -> Result<Option<CaseDetail>, StoreError> {
        let loaded = docs::load(&self.conn, case);
        self.refetch_if_damaged(&loaded)?;
        let Some(stored) = loaded? else {
            return Ok(None);
        };
        let document = CaseDocument::from_automerge(stored.doc)?;
        let reading = summary::read(&document, &self.catalogue)?;
        let summary = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM cases WHERE id = ?1"
            ))?
            .query_row([case.to_string()], RawSummary::from_row)
            .optional()?
            .ok_or(StoreError::NotFound { case: *case })?
            .parse()?;
        Ok(Some(CaseDetail {
            actions: self.allowed_actions(reading.state.status),
            rejected: self.rejected_of(Some(case))?,
            summary,
            view: reading.view,
            state: reading.state,
        }))
    }

    /// Edits the server refused that the user has not marked as seen: of one case, or of
    /// every case.
    pub fn rejected_of(&self, case: Option<&CaseId>) -> Result<Vec<RejectedEdits>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT case_id, code, zh, en, changes FROM rejected
             WHERE (?1 IS NULL OR case_id = ?1) AND seen_at IS NULL ORDER BY id",
        )?;
        let rows = statement.query_map([case.map(ToString::to_string)], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, code, zh, en, changes) = row?;
            out.push(RejectedEdits {
                case: id.parse().map_err(|_| StoreError::Database {
                    detail: format!("a refused edit names a damaged case id {id}"),
                })?,
                code,
                zh,
                en,
                changes,
            });
        }
        Ok(out)
    }

    /// Marks the refused edits of `case` as seen by the user (the app's "got it"): they leave
    /// [`CaseDetail::rejected`] and [`CaseStore::rejected_of`], and stay in the file with their
    /// changes. Returns how many were marked.
    pub fn mark_refusals_seen(&mut self, case: &CaseId) -> Result<usize, StoreError> {
        let marked = self
            .conn
            .prepare_cached(
                "UPDATE rejected SET seen_at = ?2 WHERE case_id = ?1 AND seen_at IS NULL",
            )?
            .execute(params![case.to_string(), Timestamp::now().as_millis()])?;
        tracing::info!(%case, marked, "refused edits marked as seen");
        Ok(marked)
    }
}
