//! Concurrent writers: many tasks on one case lose nothing; two instances (two pools on one
//! database) updating the same cases lose nothing, and a reader polling meanwhile never sees
//! a position appear at or below a head it has already seen.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ROOT};
use wangge_proto::Scope;
use wangge_proto::values::CaseId;
use wangge_sync::hub::{FeedEntry, HubStore};
use wangge_sync::wire::Cursor;

use crate::support::{
    Backend, Fixture, UpdateOne, actor, case_id, commit_since, home_grid, index, session,
    stored_case, stored_doc,
};

store_tests!(
    many_tasks_on_one_case_lose_nothing,
    two_instances_and_a_reader
);

/// One change by `actor` on top of whatever is stored, through `update_case`: its hash.
async fn add_change<S: HubStore>(store: &S, case: &CaseId, who: u8, key: String) -> ChangeHash {
    let idx = index(home_grid(), &[]);
    store
        .update_case(case, move |bytes| {
            let mut doc = bytes
                .map(|b| AutoCommit::load(b).unwrap())
                .unwrap_or_default()
                .with_actor(actor(who));
            let before = doc.get_heads();
            doc.put(ROOT, key, i64::from(who)).unwrap();
            let hash = doc.commit().unwrap();
            (Some(commit_since(&mut doc, &before, &idx)), hash)
        })
        .await
        .unwrap_or_else(|_| panic!("update_case failed"))
}

async fn many_tasks_on_one_case_lose_nothing<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let case = case_id(1);
    stored_case(&store, 1, &index(home_grid(), &[])).await;
    let tasks: Vec<_> = (0..8u8)
        .map(|task| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut hashes = Vec::new();
                for i in 0..10 {
                    hashes.push(add_change(&store, &case, 10 + task, format!("t{task}-{i}")).await);
                }
                hashes
            })
        })
        .collect();
    let mut hashes = BTreeSet::new();
    for task in tasks {
        hashes.extend(task.await.unwrap());
    }
    assert_eq!(hashes.len(), 80);
    let mut doc = stored_doc(&store, &case).await.unwrap();
    for hash in &hashes {
        assert!(doc.get_change_by_hash(hash).is_some(), "lost {hash}");
    }
    assert_eq!(doc.get_changes(&[]).len(), 81);
    let page = store
        .feed(&session(1, Scope::Everything), Cursor(0), 10)
        .await
        .unwrap();
    assert_eq!(page.head, Cursor(81));
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].position, Cursor(81));
}

/// Polls the feed like a phone (cursor, small pages), and whole, and checks that nothing new
/// ever appears at or below a head seen in a whole read (every position up to that head was
/// in it); returns the cases and positions the phone-like reader ended with.
async fn poll<S: HubStore>(store: S, done: Arc<AtomicBool>) -> BTreeMap<CaseId, Cursor> {
    let everything = session(9, Scope::Everything);
    let mut cursor = Cursor(0);
    let mut seen_head = Cursor(0);
    let mut known: BTreeSet<(CaseId, Cursor)> = BTreeSet::new();
    let mut view = BTreeMap::new();
    let mut polls = 0;
    let mut check = |entries: &[FeedEntry], seen_head: Cursor| {
        for entry in entries {
            if known.insert((entry.case, entry.position)) {
                assert!(
                    entry.position > seen_head,
                    "position {:?} appeared after head {seen_head:?} was seen",
                    entry.position
                );
            }
        }
    };
    loop {
        let finished = done.load(Ordering::SeqCst);
        let full = store
            .feed(&everything, Cursor(0), 1000)
            .await
            .unwrap_or_else(|_| panic!("feed"));
        check(&full.entries, seen_head);
        assert!(full.entries.iter().all(|e| e.position <= full.head));
        assert!(full.head >= seen_head);
        seen_head = full.head;
        // The phone's way: from its cursor, a few at a time.
        loop {
            let page = store
                .feed(&everything, cursor, 2)
                .await
                .unwrap_or_else(|_| panic!("feed"));
            check(&page.entries, seen_head);
            for entry in &page.entries {
                assert!(entry.position > cursor);
                view.insert(entry.case, entry.position);
            }
            assert!(page.head >= seen_head);
            if page.entries.len() < 2 {
                cursor = page.head;
                break;
            }
            cursor = page.entries[1].position;
        }
        polls += 1;
        if finished {
            assert!(polls > 1);
            return view;
        }
        tokio::task::yield_now().await;
    }
}

async fn two_instances_and_a_reader<S: Backend>(fx: Fixture<S>) {
    let Some(second) = fx.second_instance().await else {
        // A private in-memory database has one instance only.
        return;
    };
    let first = fx.store.clone();
    let cases = [case_id(1), case_id(2), case_id(3)];
    let done = Arc::new(AtomicBool::new(false));
    let reader = tokio::spawn(poll(fx.store.clone(), done.clone()));
    let writers: Vec<_> = (0..8u8)
        .map(|task| {
            let store = if task % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(async move {
                let mut hashes = Vec::new();
                for i in 0..10usize {
                    let case = cases[(usize::from(task) + i) % cases.len()];
                    let hash = add_change(&store, &case, 10 + task, format!("t{task}-{i}")).await;
                    hashes.push((case, hash));
                }
                hashes
            })
        })
        .collect();
    let mut made = Vec::new();
    for writer in writers {
        made.extend(writer.await.unwrap());
    }
    done.store(true, Ordering::SeqCst);
    let view = reader.await.unwrap();
    // Nothing lost, on either instance's view.
    assert_eq!(made.len(), 80);
    for store in [&first, &second] {
        for case in &cases {
            let mut doc = stored_doc(store, case).await.unwrap();
            for (_, hash) in made.iter().filter(|(c, _)| c == case) {
                assert!(doc.get_change_by_hash(hash).is_some(), "lost {hash}");
            }
        }
    }
    // The reader that followed its cursor ends with every case at its latest position.
    let full = first
        .feed(&session(9, Scope::Everything), Cursor(0), 100)
        .await
        .unwrap();
    assert_eq!(full.head, Cursor(80));
    let latest: BTreeMap<CaseId, Cursor> =
        full.entries.iter().map(|e| (e.case, e.position)).collect();
    assert_eq!(view, latest);
    second.shut().await;
}
