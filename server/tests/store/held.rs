//! `update_batch` with cases the caller holds loaded (the hub's hot cases): the store gives
//! their stored heads and reads none of their bytes, stores their commits like any other,
//! reads a held case whole when its commit is due to compact it, and reads whole every case
//! stored before heads were kept.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash, ROOT, ReadDoc};
use wangge_server::store::COMPACT_AFTER;
use wangge_sync::hub::{CaseCommit, CaseUpdates, HubStore, Stored};

use crate::support::{
    Backend, Fixture, case_id, edit, forget_heads, home_grid, index, sorted, stored_case,
    stored_doc,
};

store_tests!(
    a_held_case_is_given_its_heads_and_none_of_its_bytes,
    a_held_case_due_for_compaction_is_read_and_loses_nothing,
    a_case_stored_without_heads_is_read_whole,
);

/// Updates that hold the cases marked in `hold`, store `commits`, and record what the store
/// asked and gave.
struct Recorder {
    hold: Vec<bool>,
    commits: Vec<Option<CaseCommit>>,
    /// Each `holds` question: the case's place in the batch and the heads given.
    asked: Vec<(usize, Vec<ChangeHash>)>,
}

impl Recorder {
    fn new(hold: &[bool], commits: Vec<Option<CaseCommit>>) -> Self {
        Self {
            hold: hold.to_vec(),
            commits,
            asked: Vec::new(),
        }
    }
}

/// What an update saw: the stored heads, and whether it was given bytes (`None`: no stored
/// case).
type Seen = Option<(Option<Vec<ChangeHash>>, bool)>;

impl CaseUpdates for &mut Recorder {
    type Output = Seen;

    fn holds(&mut self, n: usize, heads: &[ChangeHash]) -> bool {
        self.asked.push((n, sorted(heads.to_vec())));
        self.hold[n]
    }

    fn update(&mut self, n: usize, stored: Option<Stored<'_>>) -> (Option<CaseCommit>, Seen) {
        let seen = stored.map(|s| (s.heads.map(|h| sorted(h.to_vec())), s.bytes.is_some()));
        (self.commits[n].take(), seen)
    }
}

/// Runs one batch and gives what each update saw.
async fn batch<S: HubStore>(store: &S, cases: &[u32], recorder: &mut Recorder) -> Vec<Seen> {
    let cases: Vec<_> = cases.iter().map(|n| case_id(*n)).collect();
    store
        .update_batch(&cases, recorder)
        .await
        .unwrap_or_else(|e| panic!("update_batch failed: {e}"))
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("a case failed: {e}")))
        .collect()
}

/// The stored heads of case `n`, as `load_cases` gives them.
async fn stored_heads<S: HubStore>(store: &S, n: u32) -> Option<Vec<ChangeHash>> {
    let loaded = store.load_cases(&[case_id(n)]).await.ok()?.pop()??;
    loaded.heads.map(sorted)
}

async fn a_held_case_is_given_its_heads_and_none_of_its_bytes<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let idx = index(home_grid(), &[]);
    let mut first = stored_case(&store, 1, &idx).await;
    let mut second = stored_case(&store, 2, &idx).await;
    let (first_heads, second_heads) = (sorted(first.get_heads()), sorted(second.get_heads()));
    assert_eq!(stored_heads(&store, 1).await, Some(first_heads.clone()));
    let edit_first = edit(&mut first, "title", 7, &idx);
    let mut fresh = AutoCommit::new();
    let new_case = edit(&mut fresh, "n", 3, &idx);
    let mut recorder = Recorder::new(
        &[true, false, false],
        vec![Some(edit_first.clone()), None, Some(new_case.clone())],
    );
    let seen = batch(&store, &[1, 2, 3], &mut recorder).await;
    // Only stored cases are asked about, each with its stored heads.
    assert_eq!(
        recorder.asked,
        vec![(0, first_heads.clone()), (1, second_heads.clone())]
    );
    assert_eq!(
        seen,
        vec![
            Some((Some(first_heads), false)),
            Some((Some(second_heads), true)),
            None,
        ]
    );
    // The held case's commit is stored like any other, with its heads.
    assert_eq!(
        stored_heads(&store, 1).await,
        Some(sorted(edit_first.heads))
    );
    assert_eq!(stored_heads(&store, 3).await, Some(sorted(new_case.heads)));
    let mut loaded = stored_doc(&store, &case_id(1)).await.unwrap();
    assert_eq!(sorted(loaded.get_heads()), sorted(first.get_heads()));
    assert_eq!(
        loaded.get(ROOT, "title").unwrap().unwrap().0.as_i64(),
        Some(7)
    );
    assert_eq!(store.rows(&case_id(1)).await, 2);
}

async fn a_held_case_due_for_compaction_is_read_and_loses_nothing<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let idx = index(home_grid(), &[]);
    let mut doc = stored_case(&store, 1, &idx).await;
    let mut hashes: BTreeSet<ChangeHash> = doc.get_heads().into_iter().collect();
    let mut most_rows = 0;
    let commits = COMPACT_AFTER as i64 * 2;
    for n in 0..commits {
        let commit = edit(&mut doc, &format!("k{}", n % 5), n, &idx);
        hashes.extend(commit.changes.iter().map(|c| c.hash));
        let mut recorder = Recorder::new(&[true], vec![Some(commit)]);
        let seen = batch(&store, &[1], &mut recorder).await;
        // Held every time: never given bytes, even when its commit compacts it.
        assert_eq!(seen[0].as_ref().map(|s| s.1), Some(false));
        let rows = store.rows(&case_id(1)).await;
        assert!(rows as usize <= COMPACT_AFTER, "{rows} change rows");
        most_rows = most_rows.max(rows);
    }
    assert_eq!(
        most_rows as usize, COMPACT_AFTER,
        "the rows reach the limit"
    );
    assert!(
        store.rows(&case_id(1)).await < commits as u64,
        "some rows were folded into the snapshot"
    );
    let mut loaded = stored_doc(&store, &case_id(1)).await.unwrap();
    for hash in &hashes {
        assert!(
            loaded.get_change_by_hash(hash).is_some(),
            "lost change {hash}"
        );
    }
    assert_eq!(sorted(loaded.get_heads()), sorted(doc.get_heads()));
    assert_eq!(stored_heads(&store, 1).await, Some(sorted(doc.get_heads())));
}

async fn a_case_stored_without_heads_is_read_whole<S: Backend>(fx: Fixture<S>) {
    let idx = index(home_grid(), &[]);
    let mut doc = stored_case(&fx.store, 1, &idx).await;
    if forget_heads(&fx, &case_id(1)).await.is_none() {
        // SQLite in memory: no second connection can reach the database.
        return;
    }
    let store = fx.store;
    assert_eq!(stored_heads(&store, 1).await, None);
    let commit = edit(&mut doc, "title", 8, &idx);
    let mut recorder = Recorder::new(&[true], vec![Some(commit.clone())]);
    let seen = batch(&store, &[1], &mut recorder).await;
    // Nothing to ask about: the case is read whole, and its commit stores its heads.
    assert!(recorder.asked.is_empty());
    assert_eq!(seen, vec![Some((None, true))]);
    assert_eq!(stored_heads(&store, 1).await, Some(sorted(commit.heads)));
}
