//! `update_cases`: a whole request's cases in one transaction. What each closure sees, that
//! a case without a commit stores nothing while the others are stored, that a case whose
//! writes fail leaves nothing while the others commit, and that two batches sharing cases in
//! opposite orders both finish (no deadlock between their case locks).

use std::collections::BTreeSet;

use automerge::AutoCommit;
use wangge_proto::Scope;
use wangge_proto::values::CaseId;
use wangge_sync::hub::{CaseCommit, HubStore};
use wangge_sync::wire::Cursor;

use crate::support::{
    Backend, Fixture, actor, case_id, edit, home_grid, index, poison_case, session, sorted,
    stored_case, stored_doc,
};

store_tests!(
    each_case_sees_its_stored_document,
    a_case_without_a_commit_stores_nothing,
    a_case_whose_writes_fail_leaves_nothing_and_the_others_commit,
    a_large_batch_is_written_in_runs_and_a_failing_case_leaves_only_itself_out,
    two_batches_in_opposite_orders_both_finish,
);

/// A first change of case `n`.
fn fresh_commit(n: u32) -> (AutoCommit, CaseCommit) {
    let mut doc = AutoCommit::new().with_actor(actor(100));
    let commit = edit(
        &mut doc,
        "n",
        i64::from(n),
        &index(home_grid(), &["huanbao"]),
    );
    (doc, commit)
}

async fn feed_cases<S: HubStore>(store: &S) -> (BTreeSet<CaseId>, Cursor) {
    let page = store
        .feed(&session(1, Scope::Everything), Cursor(0), 100)
        .await
        .unwrap_or_else(|_| panic!("feed failed"));
    (page.entries.iter().map(|e| e.case).collect(), page.head)
}

async fn each_case_sees_its_stored_document<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let idx = index(home_grid(), &[]);
    let mut stored = stored_case(&store, 1, &idx).await;
    let cases = [case_id(2), case_id(1)];
    let seen = store
        .update_cases(&cases, |n, bytes| {
            (
                None,
                (n, bytes.map(|b| AutoCommit::load(b).unwrap().get_heads())),
            )
        })
        .await
        .unwrap();
    let seen: Vec<_> = seen.into_iter().map(Result::unwrap).collect();
    assert_eq!(seen[0], (0, None));
    assert_eq!(seen[1].0, 1);
    assert_eq!(
        seen[1].1.clone().map(sorted),
        Some(sorted(stored.get_heads()))
    );
    // Nothing was committed: the head did not move.
    assert_eq!(feed_cases(&store).await.1, Cursor(1));
}

async fn a_case_without_a_commit_stores_nothing<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let cases = [case_id(1), case_id(2), case_id(3)];
    let mut commits: Vec<Option<CaseCommit>> = (1..=3).map(|n| Some(fresh_commit(n).1)).collect();
    // The second case is refused by the merge: no commit.
    commits[1] = None;
    let results = store
        .update_cases(&cases, |n, _| (commits[n].take(), n))
        .await
        .unwrap();
    assert_eq!(
        results.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    let (fed, head) = feed_cases(&store).await;
    assert_eq!(fed, BTreeSet::from([case_id(1), case_id(3)]));
    assert_eq!(head, Cursor(2));
    assert!(store.load_case(&case_id(2)).await.unwrap().is_none());
}

async fn a_case_whose_writes_fail_leaves_nothing_and_the_others_commit<S: Backend>(fx: Fixture<S>) {
    // The database refuses every change row of case 2 (a trigger), as a full disk or a
    // broken constraint would refuse one case's rows in the middle of a batch.
    if poison_case(&fx, &case_id(2)).await.is_none() {
        // SQLite in memory: no second connection can reach the database.
        return;
    }
    let store = fx.store;
    // Case 3 exists already: its stored rows must survive its neighbour's failure.
    let idx = index(home_grid(), &["huanbao"]);
    let mut third = stored_case(&store, 3, &idx).await;
    let before_third = third.get_heads();
    let third_commit = edit(&mut third, "more", 1, &idx);
    let (mut first, first_commit) = fresh_commit(1);
    let (_, second_commit) = fresh_commit(2);
    let mut commits = [Some(first_commit), Some(second_commit), Some(third_commit)];
    let cases = [case_id(1), case_id(2), case_id(3)];
    let results = store
        .update_cases(&cases, |n, _| (commits[n].take(), n))
        .await
        .unwrap();
    assert!(matches!(results[0], Ok(0)));
    assert!(results[1].is_err(), "the poisoned case must fail");
    assert!(matches!(results[2], Ok(2)));

    // The failed case left nothing: no case row, no query rows, not in the feed.
    assert!(store.load_case(&case_id(2)).await.unwrap().is_none());
    let (fed, head) = feed_cases(&store).await;
    assert_eq!(fed, BTreeSet::from([case_id(1), case_id(3)]));
    assert!(head >= Cursor(3));
    // The others are whole.
    let mut loaded = stored_doc(&store, &case_id(1)).await.unwrap();
    assert_eq!(sorted(loaded.get_heads()), sorted(first.get_heads()));
    let mut loaded = stored_doc(&store, &case_id(3)).await.unwrap();
    assert_eq!(sorted(loaded.get_heads()), sorted(third.get_heads()));
    assert!(loaded.get_change_by_hash(&before_third[0]).is_some());
    assert_eq!(store.load_case(&case_id(3)).await.unwrap().unwrap().1, idx);
}

/// A batch large enough to be merged in runs, the first run's commits written while the
/// second is merged — with a case of the first run whose writes fail.
async fn a_large_batch_is_written_in_runs_and_a_failing_case_leaves_only_itself_out<S: Backend>(
    fx: Fixture<S>,
) {
    const CASES: u32 = 40;
    const POISONED: u32 = 5;
    if poison_case(&fx, &case_id(POISONED)).await.is_none() {
        // SQLite in memory: no second connection can reach the database.
        return;
    }
    let store = fx.store;
    let cases: Vec<CaseId> = (1..=CASES).map(case_id).collect();
    let (mut docs, commits): (Vec<_>, Vec<_>) = (1..=CASES).map(fresh_commit).unzip();
    let mut commits: Vec<Option<CaseCommit>> = commits.into_iter().map(Some).collect();
    let results = store
        .update_cases(&cases, |n, bytes| {
            assert!(bytes.is_none(), "a new case has no bytes");
            (commits[n].take(), n)
        })
        .await
        .unwrap();
    for (n, result) in results.iter().enumerate() {
        if n as u32 + 1 == POISONED {
            assert!(result.is_err(), "the poisoned case must fail");
        } else {
            assert!(matches!(result, Ok(m) if *m == n), "case {n}: {result:?}");
        }
    }
    let (fed, head) = feed_cases(&store).await;
    let expected: BTreeSet<CaseId> = (1..=CASES)
        .filter(|n| *n != POISONED)
        .map(case_id)
        .collect();
    assert_eq!(fed, expected);
    assert!(head >= Cursor(u64::from(CASES) - 1));
    for (n, doc) in docs.iter_mut().enumerate() {
        let case = case_id(n as u32 + 1);
        match stored_doc(&store, &case).await {
            Some(mut loaded) => assert_eq!(sorted(loaded.get_heads()), sorted(doc.get_heads())),
            None => assert_eq!(case, case_id(POISONED)),
        }
    }
}

async fn two_batches_in_opposite_orders_both_finish<S: Backend>(fx: Fixture<S>) {
    let Some(second) = fx.second_instance().await else {
        return;
    };
    let store = fx.store.clone();
    let idx = index(home_grid(), &[]);
    let mut docs = Vec::new();
    for n in 1..=20 {
        docs.push(stored_case(&store, n, &idx).await);
    }
    let forward: Vec<CaseId> = (1..=20).map(case_id).collect();
    let backward: Vec<CaseId> = forward.iter().rev().copied().collect();
    let run = |store: S, cases: Vec<CaseId>, who: u8| async move {
        for round in 0..5 {
            let idx = index(home_grid(), &[]);
            store
                .update_cases(&cases, |_, bytes| {
                    let mut doc = AutoCommit::load(bytes.unwrap())
                        .unwrap()
                        .with_actor(actor(who));
                    let key = format!("w{who}-{round}");
                    (Some(edit(&mut doc, &key, 1, &idx)), ())
                })
                .await
                .unwrap_or_else(|_| panic!("a batch failed"));
        }
    };
    let one = tokio::spawn(run(store.clone(), forward, 1));
    let two = tokio::spawn(run(second.clone(), backward, 2));
    one.await.unwrap();
    two.await.unwrap();
    second.shut().await;
    for n in 1..=20 {
        let mut doc = stored_doc(&store, &case_id(n)).await.unwrap();
        // The first change, and 5 rounds of each writer.
        assert_eq!(doc.get_changes(&[]).len(), 11, "case {n}");
    }
}
