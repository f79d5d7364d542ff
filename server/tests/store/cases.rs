//! `update_case` and `load_case`: what the closure sees, what is stored, atomicity, a change
//! stored twice.

use automerge::{AutoCommit, ROOT, ReadDoc};
use wangge_proto::Scope;
use wangge_sync::hub::LoadedCase;
use wangge_sync::wire::Cursor;

use crate::support::{
    Backend, Fixture, UpdateOne, actor, case_id, edit, grid, home_grid, index, session, sorted,
    store_commit, stored_case, stored_doc,
};

store_tests!(
    an_unknown_case_is_none,
    a_commit_is_stored_with_its_index,
    the_closure_sees_the_stored_case,
    no_commit_stores_nothing,
    a_change_stored_twice_is_stored_once,
);

async fn head<S: Backend>(store: &S) -> Cursor {
    store
        .feed(&session(1, Scope::Everything), Cursor(0), 0)
        .await
        .unwrap()
        .head
}

async fn an_unknown_case_is_none<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    assert_eq!(store.load_case(&case_id(1)).await.unwrap(), None);
    let seen = store
        .update_case(&case_id(1), |bytes| (None, bytes.map(<[u8]>::to_vec)))
        .await
        .unwrap();
    assert_eq!(seen, None);
    assert_eq!(head(&store).await, Cursor(0));
}

async fn a_commit_is_stored_with_its_index<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let case = case_id(1);
    let idx = index(home_grid(), &["chengguan", "huanbao"]);
    let mut doc = AutoCommit::new().with_actor(actor(1));
    let commit = edit(&mut doc, "title", 1, &idx);
    let heads = commit.heads.clone();
    let answer = store
        .update_case(&case, |_| (Some(commit), 42))
        .await
        .unwrap();
    assert_eq!(answer, 42);
    let (bytes, stored_index) = store.load_case(&case).await.unwrap().unwrap();
    assert_eq!(stored_index, idx);
    let mut loaded = AutoCommit::load(&bytes).unwrap();
    assert_eq!(sorted(loaded.get_heads()), sorted(heads));
    assert_eq!(head(&store).await, Cursor(1));

    // The index follows the latest commit: grid moved, one department left.
    let moved = index(grid("110105002001001"), &["huanbao"]);
    let second = edit(&mut doc, "title", 2, &moved);
    let heads = second.heads.clone();
    store_commit(&store, &case, second).await;
    let (bytes, stored_index) = store.load_case(&case).await.unwrap().unwrap();
    assert_eq!(stored_index, moved);
    // Many at once (a feed page): in the order asked, unknown cases as `None`, each with
    // the heads of its last commit.
    assert_eq!(
        store.load_cases(&[case_id(9), case]).await.unwrap(),
        vec![
            None,
            Some(LoadedCase {
                bytes,
                index: moved,
                heads: Some(heads),
            })
        ]
    );
    let loaded = stored_doc(&store, &case).await.unwrap();
    assert_eq!(
        loaded.get(ROOT, "title").unwrap().unwrap().0.as_i64(),
        Some(2)
    );
    assert_eq!(head(&store).await, Cursor(2));
}

async fn the_closure_sees_the_stored_case<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let idx = index(home_grid(), &[]);
    let mut doc = stored_case(&store, 1, &idx).await;
    for n in 0..5 {
        store_commit(&store, &case_id(1), edit(&mut doc, "k", n, &idx)).await;
    }
    let seen = store
        .update_case(&case_id(1), |bytes| {
            let mut seen = AutoCommit::load(bytes.unwrap()).unwrap();
            (None, seen.get_heads())
        })
        .await
        .unwrap();
    assert_eq!(sorted(seen), sorted(doc.get_heads()));
}

async fn no_commit_stores_nothing<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let idx = index(home_grid(), &["chengguan"]);
    stored_case(&store, 1, &idx).await;
    let before = store.load_case(&case_id(1)).await.unwrap();
    let page_before = store
        .feed(&session(1, Scope::Everything), Cursor(0), 10)
        .await
        .unwrap();
    // The closure looked and decided to store nothing (e.g. every change was refused).
    let refused = store
        .update_case(&case_id(1), |bytes| {
            assert!(bytes.is_some());
            (None, String::from("refused"))
        })
        .await
        .unwrap();
    assert_eq!(refused, "refused");
    store
        .update_case(&case_id(2), |bytes| {
            assert!(bytes.is_none());
            (None, ())
        })
        .await
        .unwrap();
    assert_eq!(store.load_case(&case_id(1)).await.unwrap(), before);
    assert_eq!(store.load_case(&case_id(2)).await.unwrap(), None);
    let page_after = store
        .feed(&session(1, Scope::Everything), Cursor(0), 10)
        .await
        .unwrap();
    assert_eq!(page_after, page_before);
}

async fn a_change_stored_twice_is_stored_once<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let case = case_id(1);
    let idx = index(home_grid(), &[]);
    let mut doc = AutoCommit::new().with_actor(actor(1));
    let first = edit(&mut doc, "a", 1, &idx);
    // The same change twice in one commit, then again in a later one.
    let mut twice = first.clone();
    twice.changes.extend(first.changes.clone());
    store_commit(&store, &case, twice).await;
    assert_eq!(store.rows(&case).await, 1);
    store_commit(&store, &case, first.clone()).await;
    assert_eq!(store.rows(&case).await, 1);
    let mut second = edit(&mut doc, "b", 2, &idx);
    second.changes.extend(first.changes);
    store_commit(&store, &case, second).await;
    assert_eq!(store.rows(&case).await, 2);
    let mut loaded = stored_doc(&store, &case).await.unwrap();
    assert_eq!(sorted(loaded.get_heads()), sorted(doc.get_heads()));
    assert_eq!(loaded.get_changes(&[]).len(), 2);
}
