//! A store call dropped at any await — what happens to every call under a request whose
//! client hangs up — leaves the pool clean: the next borrower of the connection is never
//! inside a transaction it did not begin, so writes still commit (see `store::begin`).
//!
//! The store under test has a single connection, so whatever a dropped call leaves behind
//! is met by the very next call. In memory that connection *is* the database: a dropped
//! call must not make sqlx discard it either.

use std::future::Future;
use std::pin::pin;
use std::task::Poll;

use automerge::AutoCommit;
use wangge_proto::Scope;
use wangge_sync::wire::Cursor;

use crate::support::{
    Backend, Fixture, UpdateOne, actor, case_id, edit, home_grid, index, session, stored_case,
    stored_doc,
};

store_tests!(calls_dropped_at_any_await_leave_the_pool_clean);

/// Polls `call` `polls` times, letting the runtime run in between, and drops it unless it
/// finished first. Whether it finished is returned.
async fn poll_then_drop(call: impl Future<Output = ()>, polls: usize) -> bool {
    let mut call = pin!(call);
    for _ in 0..polls {
        let step = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await;
        if step.is_ready() {
            return true;
        }
        tokio::task::yield_now().await;
    }
    false
}

async fn calls_dropped_at_any_await_leave_the_pool_clean<S: Backend>(fx: Fixture<S>) {
    let store = fx.store.one_connection(fx.location()).await;
    let idx = index(home_grid(), &["chengguan"]);
    stored_case(&store, 1, &idx).await;
    let everything = session(1, Scope::Everything);

    let mut dropped = 0;
    let mut next_case = 100;
    for polls in 1..=24 {
        for call in 0..4 {
            next_case += 1;
            let case = case_id(next_case);
            let mut doc = AutoCommit::new().with_actor(actor(1));
            let commit = edit(&mut doc, "n", 1, &idx);
            let finished = match call {
                // A read in its own snapshot (`READ ONLY` on PostgreSQL).
                0 => {
                    let read = async {
                        store.load_case(&case_id(1)).await.unwrap();
                    };
                    poll_then_drop(read, polls).await
                }
                1 => {
                    let write = async {
                        store
                            .update_case(&case, |_| (Some(commit), ()))
                            .await
                            .unwrap();
                    };
                    poll_then_drop(write, polls).await
                }
                2 => {
                    let batch = async {
                        let mut commit = Some(commit);
                        store
                            .update_cases(&[case], |_, _| (commit.take(), ()))
                            .await
                            .unwrap();
                    };
                    poll_then_drop(batch, polls).await
                }
                _ => {
                    let feed = async {
                        store.feed(&everything, Cursor(0), 50).await.unwrap();
                    };
                    poll_then_drop(feed, polls).await
                }
            };
            dropped += usize::from(!finished);

            // Right after: a write through the same pool commits, and the fixture's own
            // store (another pool) reads it.
            next_case += 1;
            let honest = case_id(next_case);
            stored_case(&store, next_case, &idx).await;
            assert!(
                stored_doc(&fx.store, &honest).await.is_some(),
                "after a call dropped at poll {polls} (call {call}), a write did not commit"
            );
        }
    }
    // The loop really dropped calls mid-flight, not only after they had finished.
    assert!(
        dropped >= 20,
        "only {dropped} calls were dropped unfinished"
    );
}
