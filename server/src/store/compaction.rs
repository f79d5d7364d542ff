//! What one accepted commit writes to a case's rows: which change rows to insert, and when
//! the case has gathered enough rows, a new snapshot and exactly the rows it folds in.
//!
//! A case is stored as a snapshot plus change rows; their concatenation loads with
//! `AutoCommit::load`. Every [`COMPACT_AFTER`] rows the snapshot is rebuilt from everything
//! stored plus the new changes, in the same transaction that stores them. The rows to delete
//! are the ones whose change the rebuilt document is *seen to contain* — never "every row of
//! the case", which is how samod #7 and automerge-repo-rs #52 lost changes written while a
//! compaction ran. A change the document does not contain (an orphan, or bytes that fail to
//! load) keeps its row. This is pure: both backends run it inside their transaction.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash};
use wangge_sync::hub::CaseCommit;

/// A case is compacted once it holds more change rows than this.
pub const COMPACT_AFTER: usize = 32;

/// A stored change row.
#[derive(Debug, Clone)]
pub(crate) struct ChangeRow {
    /// The change's hash.
    pub hash: ChangeHash,
    /// Its raw bytes.
    pub bytes: Vec<u8>,
    /// Its place among the case's rows.
    pub seq: i64,
}

/// A case as stored: the snapshot and the rows since, in `seq` order.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoredCase {
    /// The compacted document (empty before the first compaction).
    pub snapshot: Vec<u8>,
    /// The changes stored since.
    pub rows: Vec<ChangeRow>,
}

impl StoredCase {
    /// The document's bytes, loadable with `AutoCommit::load`.
    pub fn document(&self) -> Vec<u8> {
        let len = self.snapshot.len() + self.rows.iter().map(|r| r.bytes.len()).sum::<usize>();
        let mut bytes = Vec::with_capacity(len);
        bytes.extend_from_slice(&self.snapshot);
        for row in &self.rows {
            bytes.extend_from_slice(&row.bytes);
        }
        bytes
    }
}

/// What a commit needs to know of a case's change rows when the case's bytes were not read
/// (the hub held it loaded): how many there are and the last `seq`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowCount {
    /// How many change rows the case has.
    pub rows: usize,
    /// The highest `seq` among them (0 if none).
    pub last_seq: i64,
}

/// The writes of one commit.
#[derive(Debug, Default)]
pub(crate) struct WritePlan {
    /// Change rows to insert.
    pub insert: Vec<ChangeRow>,
    /// A new snapshot, if the case was compacted.
    pub snapshot: Option<Vec<u8>>,
    /// Stored rows folded into the new snapshot: delete exactly these.
    pub delete: Vec<ChangeHash>,
}

/// The rows `commit` adds, numbered on from `last_seq`: each of its changes not among
/// `stored` (the hashes of the stored rows), once even if the commit names it twice.
fn new_rows(
    commit: &CaseCommit,
    mut stored: BTreeSet<ChangeHash>,
    last_seq: i64,
) -> Vec<ChangeRow> {
    commit
        .changes
        .iter()
        .filter(|c| stored.insert(c.hash))
        .zip(last_seq + 1..)
        .map(|(c, seq)| ChangeRow {
            hash: c.hash,
            bytes: c.bytes.clone(),
            seq,
        })
        .collect()
}

/// Plans the writes of `commit` on top of a case whose rows are only counted, as long as it
/// needs no compaction; `None` when it does (then read the case and [`plan`]). The commit's
/// changes are new to the case (the hub held exactly the stored document), so each becomes a
/// row — once, should the commit name one twice.
pub(crate) fn plan_appending(
    stored: RowCount,
    commit: &CaseCommit,
    compact_after: usize,
) -> Option<WritePlan> {
    let insert = new_rows(commit, BTreeSet::new(), stored.last_seq);
    (stored.rows + insert.len() <= compact_after).then(|| WritePlan {
        insert,
        ..WritePlan::default()
    })
}

/// Plans the writes of `commit` on top of `stored`, compacting when the case would hold more
/// than `compact_after` rows.
pub(crate) fn plan(stored: &StoredCase, commit: &CaseCommit, compact_after: usize) -> WritePlan {
    let last_seq = stored.rows.iter().map(|r| r.seq).max().unwrap_or(0);
    let insert = new_rows(
        commit,
        stored.rows.iter().map(|r| r.hash).collect(),
        last_seq,
    );
    if stored.rows.len() + insert.len() <= compact_after {
        return WritePlan {
            insert,
            ..WritePlan::default()
        };
    }
    let mut all = stored.document();
    for row in &insert {
        all.extend_from_slice(&row.bytes);
    }
    let Ok(mut doc) = AutoCommit::load(&all) else {
        tracing::warn!("a stored case does not load; not compacting it");
        return WritePlan {
            insert,
            ..WritePlan::default()
        };
    };
    let snapshot = doc.save();
    let mut folded = |hash: &ChangeHash| doc.get_change_by_hash(hash).is_some();
    let delete = stored
        .rows
        .iter()
        .map(|r| r.hash)
        .filter(|h| folded(h))
        .collect();
    let insert = insert.into_iter().filter(|r| !folded(&r.hash)).collect();
    WritePlan {
        insert,
        snapshot: Some(snapshot),
        delete,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::transaction::Transactable;
    use automerge::{ROOT, ReadDoc};
    use wangge_proto::case::CaseSource;
    use wangge_proto::values::{Timestamp, UserId};
    use wangge_proto::workflow::Status;
    use wangge_sync::hub::{CaseFacts, CaseIndex, StoredChange};

    use super::*;

    fn commit(doc: &mut AutoCommit, n: usize) -> CaseCommit {
        let before = doc.get_heads();
        doc.put(ROOT, format!("k{n}"), n as i64).unwrap();
        doc.commit();
        let changes = doc
            .get_changes(&before)
            .into_iter()
            .map(|c| StoredChange {
                hash: c.hash(),
                bytes: c.raw_bytes().to_vec(),
            })
            .collect();
        CaseCommit {
            changes,
            heads: doc.get_heads(),
            index: CaseIndex {
                grid: "110105001001001".parse().unwrap(),
                departments: BTreeSet::new(),
            },
            facts: CaseFacts {
                status: Status::Draft,
                tier: None,
                category: "SR-01".parse().unwrap(),
                title: String::new(),
                reporter: UserId::generate(),
                created_at: Timestamp::now(),
                source: CaseSource::Patrol,
                evidence: BTreeSet::new(),
                events: BTreeSet::new(),
                deadlines: Vec::new(),
            },
            previous: None,
        }
    }

    /// Applies plans as a store would, returning the stored case.
    fn apply(stored: &mut StoredCase, plan: WritePlan) {
        stored.rows.retain(|r| !plan.delete.contains(&r.hash));
        if let Some(snapshot) = plan.snapshot {
            stored.snapshot = snapshot;
        }
        stored.rows.extend(plan.insert);
    }

    #[test]
    fn compaction_keeps_every_change_and_drops_rows() {
        let mut doc = AutoCommit::new();
        let mut stored = StoredCase::default();
        let mut hashes = Vec::new();
        for n in 0..100 {
            let commit = commit(&mut doc, n);
            hashes.extend(commit.changes.iter().map(|c| c.hash));
            let plan = plan(&stored, &commit, 8);
            apply(&mut stored, plan);
            assert!(stored.rows.len() <= 8);
        }
        let loaded = AutoCommit::load(&stored.document()).unwrap();
        for hash in &hashes {
            assert!(loaded.get_change_by_hash(hash).is_some());
        }
        assert_eq!(loaded.keys(ROOT).count(), 100);
    }

    #[test]
    fn a_change_twice_is_one_row() {
        let mut doc = AutoCommit::new();
        let mut stored = StoredCase::default();
        let one = commit(&mut doc, 1);
        let mut twice = one.clone();
        twice.changes.extend(one.changes.clone());
        let first = plan(&stored, &twice, 32);
        assert_eq!(first.insert.len(), 1);
        apply(&mut stored, first);
        assert!(plan(&stored, &one, 32).insert.is_empty());
    }

    #[test]
    fn rows_that_do_not_load_are_kept() {
        let mut doc = AutoCommit::new();
        let mut stored = StoredCase::default();
        let good = commit(&mut doc, 1);
        let first = plan(&stored, &good, 32);
        apply(&mut stored, first);
        stored.rows.push(ChangeRow {
            hash: ChangeHash([9; 32]),
            bytes: b"not a change".to_vec(),
            seq: 9,
        });
        let plan = plan(&stored, &commit(&mut doc, 2), 1);
        assert!(plan.snapshot.is_none());
        assert!(plan.delete.is_empty());
        assert_eq!(plan.insert.len(), 1);
    }

    #[test]
    fn appending_to_counted_rows_plans_what_a_full_read_would() {
        let mut doc = AutoCommit::new();
        let mut stored = StoredCase::default();
        for n in 0..3 {
            let next = commit(&mut doc, n);
            let planned = plan(&stored, &next, 32);
            apply(&mut stored, planned);
        }
        let next = commit(&mut doc, 3);
        let counted = RowCount {
            rows: stored.rows.len(),
            last_seq: stored.rows.iter().map(|r| r.seq).max().unwrap(),
        };
        let full = plan(&stored, &next, 32);
        let appended = plan_appending(counted, &next, 32).unwrap();
        let rows = |plan: &WritePlan| -> Vec<(ChangeHash, i64)> {
            plan.insert.iter().map(|r| (r.hash, r.seq)).collect()
        };
        assert_eq!(rows(&appended), rows(&full));
        assert!(appended.snapshot.is_none() && appended.delete.is_empty());
        // Due for compaction: the case has to be read whole.
        assert!(plan_appending(counted, &next, 3).is_none());
        assert!(plan(&stored, &next, 3).snapshot.is_some());
    }
}
