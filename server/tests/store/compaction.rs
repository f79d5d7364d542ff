//! Compaction: after many commits every change is still there and the rows were folded into
//! the snapshot; a change the snapshot could not take in keeps its row.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash};
use wangge_server::store::COMPACT_AFTER;

use crate::support::{
    Backend, Fixture, actor, case_id, commit_since, edit, home_grid, index, sorted, store_commit,
    stored_doc,
};

store_tests!(
    a_hundred_commits_keep_every_change,
    one_big_commit_is_compacted_at_once,
    an_orphan_survives_compaction_until_its_parent_comes,
);

fn assert_has_all(doc: &mut AutoCommit, hashes: &BTreeSet<ChangeHash>) {
    for hash in hashes {
        assert!(doc.get_change_by_hash(hash).is_some(), "lost change {hash}");
    }
    assert!(doc.get_missing_deps(&[]).is_empty());
}

async fn a_hundred_commits_keep_every_change<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let case = case_id(1);
    let idx = index(home_grid(), &[]);
    let mut doc = AutoCommit::new().with_actor(actor(1));
    let mut hashes = BTreeSet::new();
    let mut most_rows = 0;
    for n in 0..100 {
        let commit = edit(&mut doc, &format!("k{}", n % 7), n, &idx);
        hashes.extend(commit.changes.iter().map(|c| c.hash));
        store_commit(&store, &case, commit).await;
        let rows = store.rows(&case).await;
        assert!(
            rows as usize <= COMPACT_AFTER,
            "{rows} rows after commit {n}"
        );
        most_rows = most_rows.max(rows);
    }
    assert_eq!(most_rows as usize, COMPACT_AFTER);
    assert!(store.rows(&case).await < 100);
    let mut loaded = stored_doc(&store, &case).await.unwrap();
    assert_eq!(hashes.len(), 100);
    assert_has_all(&mut loaded, &hashes);
    assert_eq!(sorted(loaded.get_heads()), sorted(doc.get_heads()));
    assert_eq!(loaded.save(), doc.save());
}

async fn one_big_commit_is_compacted_at_once<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let case = case_id(1);
    let idx = index(home_grid(), &[]);
    let mut doc = AutoCommit::new().with_actor(actor(1));
    for n in 0..(COMPACT_AFTER as i64 + 8) {
        edit(&mut doc, "k", n, &idx);
    }
    let commit = commit_since(&mut doc, &[], &idx);
    let hashes: BTreeSet<_> = commit.changes.iter().map(|c| c.hash).collect();
    store_commit(&store, &case, commit).await;
    assert_eq!(store.rows(&case).await, 0);
    assert_has_all(&mut stored_doc(&store, &case).await.unwrap(), &hashes);
}

async fn an_orphan_survives_compaction_until_its_parent_comes<S: Backend>(fx: Fixture<S>) {
    // The hub never stores an orphan (it rejects uploads with missing dependencies); this
    // checks the store would not lose one either, the case automerge-repo-rs #52 got wrong.
    let store = fx.store;
    let case = case_id(1);
    let idx = index(home_grid(), &[]);
    let mut doc = AutoCommit::new().with_actor(actor(1));
    let mut hashes = BTreeSet::new();
    let commit_some = async |doc: &mut AutoCommit, hashes: &mut BTreeSet<ChangeHash>, n| {
        for i in 0..n {
            let commit = edit(doc, "a", i, &idx);
            hashes.extend(commit.changes.iter().map(|c| c.hash));
            store_commit(&store, &case, commit).await;
        }
    };
    // Compacted once: the stored case starts with a document chunk.
    commit_some(&mut doc, &mut hashes, COMPACT_AFTER as i64 + 8).await;
    // A branch with two changes; only the second is stored: an orphan.
    let mut branch = doc.fork().with_actor(actor(2));
    let parent = edit(&mut branch, "b", 1, &idx);
    let orphan = edit(&mut branch, "b", 2, &idx);
    hashes.extend(orphan.changes.iter().map(|c| c.hash));
    hashes.extend(parent.changes.iter().map(|c| c.hash));
    let parent_hash = parent.changes[0].hash;
    store_commit(&store, &case, orphan).await;
    commit_some(&mut doc, &mut hashes, COMPACT_AFTER as i64 * 2).await;
    // Two compactions later the orphan is still there, waiting for its parent.
    let mut loaded = stored_doc(&store, &case).await.unwrap();
    assert_eq!(loaded.get_missing_deps(&[]), [parent_hash]);
    // Its parent arrives; the next compaction folds both.
    store_commit(&store, &case, parent).await;
    commit_some(&mut doc, &mut hashes, COMPACT_AFTER as i64).await;
    doc.merge(&mut branch).unwrap();
    let mut loaded = stored_doc(&store, &case).await.unwrap();
    assert_has_all(&mut loaded, &hashes);
    assert_eq!(sorted(loaded.get_heads()), sorted(doc.get_heads()));
    assert!((store.rows(&case).await as usize) < COMPACT_AFTER);
}
