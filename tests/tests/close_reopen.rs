//! A concurrent close and reopen through the real server (issue 5: "a concurrent close and
//! reopen resolve by the shared workflow rules").
//!
//! The permission matrix (`wangge_proto::permissions`) lets the community secretary close a
//! simple case that was verified, and the grid worker reopen a case that was handled, verified
//! or closed. So a simple case is driven to `Verified` — the worker reports, the secretary
//! accepts, grades it simple, handles it herself and reports it handled, the worker verifies
//! — and then, both offline, the secretary closes it while the worker reopens it (the problem
//! came back). Both sync, in either order. Whatever the order, the worker, the secretary and
//! the street office watching the case end with the same status and timeline, and it is what
//! `wangge_proto::workflow::derive` makes of those events: the reopen goes first in the race
//! (`precedence`), the case is under way again, and the close is kept in the timeline,
//! refused because the case is no longer verified.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use wangge_e2e::{TestPhone, TestServer};
use wangge_mobile::store::NewCaseInput;
use wangge_proto::case::CaseSource;
use wangge_proto::values::CaseId;
use wangge_proto::workflow::{
    Action, ActionKind, DeadlinePolicy, Refusal, Status, Tier, TimelineEntry, derive,
};

const REASON: &str = "垃圾又堆起来了";

/// Applies `action` on `phone`'s store (offline).
fn act(phone: &TestPhone, case: &CaseId, action: Action) {
    let kind = action.kind();
    phone
        .store()
        .act(case, action)
        .unwrap_or_else(|e| panic!("the phone refused {kind:?}: {e}"));
}

fn status(phone: &TestPhone, case: &CaseId) -> Status {
    phone.store().detail(case).unwrap().unwrap().state.status
}

/// A server, the worker, the secretary and the street office, with a simple case verified
/// on all three phones.
async fn verified_case() -> (tempfile::TempDir, TestServer, [TestPhone; 3], CaseId) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let worker = TestPhone::signed_in(&server, dir.path().join("worker.db"), "wangge").await;
    let secretary = TestPhone::signed_in(&server, dir.path().join("secretary.db"), "shequ").await;
    let street = TestPhone::signed_in(&server, dir.path().join("street.db"), "jiedao").await;

    let case = worker
        .store()
        .create_case(NewCaseInput {
            grid: "110199001001001".parse().unwrap(),
            category: "SR-01".parse().unwrap(),
            title: "和平里北街垃圾堆放".into(),
            description: "垃圾桶满溢，三天未清运".into(),
            location: None,
            source: CaseSource::Patrol,
        })
        .unwrap();
    act(
        &worker,
        &case,
        Action::Report {
            on_site_resolved: false,
        },
    );
    worker.sync().await.unwrap();
    secretary.sync().await.unwrap();
    act(&secretary, &case, Action::Accept);
    act(&secretary, &case, Action::Grade { tier: Tier::Simple });
    act(&secretary, &case, Action::SelfHandle);
    act(
        &secretary,
        &case,
        Action::Handled {
            department: None,
            result: "已联系环卫清运".into(),
        },
    );
    secretary.sync().await.unwrap();
    worker.sync().await.unwrap();
    act(
        &worker,
        &case,
        Action::Verify {
            note: "现场已清理干净".into(),
        },
    );
    worker.sync().await.unwrap();
    secretary.sync().await.unwrap();
    street.sync().await.unwrap();
    for phone in [&worker, &secretary, &street] {
        assert_eq!(status(phone, &case), Status::Verified);
    }
    (dir, server, [worker, secretary, street], case)
}

/// The secretary closes and the worker reopens, offline; they sync in the given order, then
/// everyone syncs until nothing is left to send.
async fn race(closer_syncs_first: bool) {
    let (_dir, _server, [worker, secretary, street], case) = verified_case().await;

    act(&secretary, &case, Action::Close);
    act(
        &worker,
        &case,
        Action::Reopen {
            reason: REASON.into(),
        },
    );
    assert_eq!(status(&secretary, &case), Status::Closed);
    assert_eq!(status(&worker, &case), Status::Handling);

    let (first, second) = if closer_syncs_first {
        (&secretary, &worker)
    } else {
        (&worker, &secretary)
    };
    let summary = first.sync().await.unwrap();
    assert_eq!(summary.accepted, vec![case], "{summary:?}");
    // The second was taken in the state its author saw, so the server keeps it too.
    let summary = second.sync().await.unwrap();
    assert_eq!(summary.accepted, vec![case], "{summary:?}");
    assert!(summary.refused.is_empty(), "{summary:?}");
    first.sync().await.unwrap();
    street.sync().await.unwrap();

    // What the shared rules make of the events, computed here from the worker's copy.
    let events = worker.store().detail(&case).unwrap().unwrap().view.events;
    let expected = derive(&events, &DeadlinePolicy::default());

    for (name, phone) in [
        ("worker", &worker),
        ("secretary", &secretary),
        ("street", &street),
    ] {
        let detail = phone.store().detail(&case).unwrap().unwrap();
        assert!(!detail.summary.unsent, "{name}: edits left unsent");
        assert!(detail.rejected.is_empty(), "{name}: {:?}", detail.rejected);
        let mut ids: Vec<_> = detail.view.events.iter().map(|e| e.id).collect();
        let mut expected_ids: Vec<_> = events.iter().map(|e| e.id).collect();
        ids.sort();
        expected_ids.sort();
        assert_eq!(ids, expected_ids, "{name}: not the same events");
        assert_eq!(detail.state.status, expected.status, "{name}: status");
        assert_eq!(detail.state.timeline, expected.timeline, "{name}: timeline");
        assert_eq!(detail.state.reopen_count, expected.reopen_count, "{name}");
    }

    // And what those rules are: the reopen wins the race, the close is refused with the
    // reason, shown in the timeline after it.
    assert_eq!(expected.status, Status::Handling);
    assert_eq!(expected.reopen_count, 1);
    let tail: Vec<&TimelineEntry> = expected.timeline.iter().rev().take(2).rev().collect();
    assert_eq!(tail[0].action, ActionKind::Reopen);
    assert_eq!(tail[0].refused, None);
    assert_eq!(tail[1].action, ActionKind::Close);
    assert_eq!(
        tail[1].refused,
        Some(Refusal::ActionNotInStatus {
            action: ActionKind::Close,
            status: Status::Handling,
        })
    );
    // Every earlier step was applied.
    assert!(
        expected.timeline[..expected.timeline.len() - 2]
            .iter()
            .all(|e| e.refused.is_none()),
        "{:?}",
        expected.timeline
    );
    // The worker's reason reaches the handlers.
    let reason = street
        .store()
        .detail(&case)
        .unwrap()
        .unwrap()
        .view
        .events
        .iter()
        .find_map(|e| match &e.action {
            Action::Reopen { reason } => Some(reason.clone()),
            _ => None,
        });
    assert_eq!(reason.as_deref(), Some(REASON));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_synced_before_a_concurrent_reopen_is_refused_and_the_case_is_under_way() {
    race(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopen_synced_before_a_concurrent_close_wins_and_the_close_is_refused() {
    race(false).await;
}
