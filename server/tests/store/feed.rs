//! The feed by every scope kind: ascending positions after the cursor, the limit, the head;
//! checked case by case and against `MemoryHub` for every cursor and limit.

use automerge::AutoCommit;
use wangge_proto::Scope;
use wangge_sync::hub::{CaseIndex, FeedPage, HubStore, MemoryHub};
use wangge_sync::wire::Cursor;

use crate::support::{
    Backend, Fixture, UpdateOne, actor, case_id, department, edit, grid, home_grid, index, session,
};

store_tests!(feed_by_every_scope, feed_follows_memory_hub);

/// Case `n`'s grid and departments, five cases over two communities, two streets, two
/// departments.
fn layout() -> Vec<(u32, CaseIndex)> {
    vec![
        (1, index(home_grid(), &["chengguan"])),
        (2, index(grid("110105001001002"), &[])),
        (3, index(grid("110105001002001"), &["huanbao"])),
        (4, index(grid("110105002001001"), &["chengguan"])),
        (5, index(home_grid(), &[])),
    ]
}

fn scopes() -> Vec<Scope> {
    vec![
        Scope::Grids {
            grids: [home_grid()].into(),
        },
        Scope::Grids {
            grids: [home_grid(), grid("110105001001002")].into(),
        },
        Scope::Grids {
            grids: Default::default(),
        },
        Scope::Community {
            community: home_grid().community(),
        },
        Scope::Street {
            street: home_grid().street(),
        },
        Scope::Department {
            department: department("chengguan"),
        },
        Scope::Department {
            department: department("huanbao"),
        },
        Scope::Everything,
    ]
}

/// Stores the layout, then edits case 1 again (it moves to the end) and takes case 4 away
/// from its department.
async fn populate<S: HubStore>(store: &S) {
    let mut docs: Vec<(u32, AutoCommit, CaseIndex)> = Vec::new();
    for (n, idx) in layout() {
        let mut doc = AutoCommit::new().with_actor(actor(1));
        let commit = edit(&mut doc, "n", n.into(), &idx);
        store
            .update_case(&case_id(n), |_| (Some(commit), ()))
            .await
            .unwrap_or_else(|_| panic!("update"));
        docs.push((n, doc, idx));
    }
    for (n, idx) in [(1, None), (4, Some(index(grid("110105002001001"), &[])))] {
        let (_, doc, old) = docs.iter_mut().find(|(m, _, _)| *m == n).unwrap();
        let idx = idx.unwrap_or_else(|| old.clone());
        let commit = edit(doc, "again", 1, &idx);
        store
            .update_case(&case_id(n), |_| (Some(commit), ()))
            .await
            .unwrap_or_else(|_| panic!("update"));
    }
}

fn cases(page: &FeedPage) -> Vec<u32> {
    page.entries
        .iter()
        .map(|e| (1..=5).find(|n| case_id(*n) == e.case).unwrap())
        .collect()
}

async fn feed_by_every_scope<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    populate(&store).await;
    // Positions: 2→2, 3→3, 5→5, 1→6, 4→7.
    let expected: [&[u32]; 8] = [
        &[5, 1],
        &[2, 5, 1],
        &[],
        &[2, 5, 1],
        &[2, 3, 5, 1],
        &[1],
        &[3],
        &[2, 3, 5, 1, 4],
    ];
    for (scope, expected) in scopes().into_iter().zip(expected) {
        let page = store
            .feed(&session(1, scope.clone()), Cursor(0), 100)
            .await
            .unwrap();
        assert_eq!(cases(&page), expected, "{scope:?}");
        assert_eq!(page.head, Cursor(7));
        assert!(
            page.entries
                .windows(2)
                .all(|w| w[0].position < w[1].position)
        );
    }
    let everything = session(1, Scope::Everything);
    let page = store.feed(&everything, Cursor(3), 100).await.unwrap();
    assert_eq!(cases(&page), [5, 1, 4]);
    assert_eq!(
        page.entries.iter().map(|e| e.position).collect::<Vec<_>>(),
        [Cursor(5), Cursor(6), Cursor(7)]
    );
    let page = store.feed(&everything, Cursor(0), 2).await.unwrap();
    assert_eq!(cases(&page), [2, 3]);
    assert_eq!(page.head, Cursor(7));
    let page = store.feed(&everything, Cursor(7), 100).await.unwrap();
    assert!(page.entries.is_empty());
    assert_eq!(page.head, Cursor(7));
    // A cursor from the future (a restored server): nothing after it, and the head says so.
    let page = store
        .feed(&everything, Cursor(u64::MAX), 100)
        .await
        .unwrap();
    assert!(page.entries.is_empty());
    assert_eq!(page.head, Cursor(7));
}

async fn feed_follows_memory_hub<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let memory = MemoryHub::new();
    populate(&store).await;
    populate(&memory).await;
    for scope in scopes() {
        let session = session(1, scope);
        for after in 0..=8 {
            for limit in [0, 1, 2, 3, 100] {
                let ours = store.feed(&session, Cursor(after), limit).await.unwrap();
                let reference = memory.feed(&session, Cursor(after), limit).await.unwrap();
                assert_eq!(
                    ours, reference,
                    "{:?} after {after} limit {limit}",
                    session.scope
                );
            }
        }
    }
}
