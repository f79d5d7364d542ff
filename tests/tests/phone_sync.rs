//! The phone's mobile core (SQLite store + sync client) against the real server over HTTP:
//! offline edits on both sides merge field by field, a secretary's "return for more
//! information" reaches the worker, a step the server refuses comes back with its reason and
//! stays on the phone, an expired session, a dead server and a phone database that cannot be
//! written lose nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;
use std::time::Duration;

use wangge_e2e::{TestPhone, TestServer};
use wangge_mobile::client::{CaseOutcome, NetworkKind, Retry, SyncListener, SyncProgress};
use wangge_mobile::store::{CaseFilter, FieldEdit};
use wangge_proto::values::CaseId;
use wangge_proto::workflow::{Action, Status};

/// Whether `case` has edits the server has not acknowledged.
fn unsent(phone: &TestPhone, case: &CaseId) -> bool {
    phone.store().detail(case).unwrap().unwrap().summary.unsent
}

/// A server with the demo grid worker and community secretary signed in on their phones.
async fn worker_and_secretary() -> (tempfile::TempDir, TestServer, TestPhone, TestPhone) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let worker = TestPhone::signed_in(&server, dir.path().join("worker.db"), "wangge").await;
    let secretary = TestPhone::signed_in(&server, dir.path().join("secretary.db"), "shequ").await;
    (dir, server, worker, secretary)
}

#[derive(Default)]
struct Recorder {
    progress: Mutex<Vec<SyncProgress>>,
    cases: Mutex<Vec<CaseOutcome>>,
}

impl SyncListener for Recorder {
    fn on_progress(&self, progress: &SyncProgress) {
        self.progress.lock().unwrap().push(progress.clone());
    }
    fn on_case(&self, outcome: &CaseOutcome) {
        self.cases.lock().unwrap().push(outcome.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_for_more_information_reaches_the_worker_and_offline_edits_merge() {
    let (_dir, _server, worker, secretary) = worker_and_secretary().await;

    let case = worker.report("和平里北街垃圾堆放", "垃圾桶满溢，三天未清运");
    let recorder = Recorder::default();
    let summary = worker
        .client
        .sync(NetworkKind::Metered, &recorder)
        .await
        .unwrap();
    assert_eq!(summary.accepted, vec![case]);
    assert!(
        recorder
            .cases
            .lock()
            .unwrap()
            .contains(&CaseOutcome::Accepted { case })
    );
    assert_eq!(
        recorder.progress.lock().unwrap().last(),
        Some(&SyncProgress::Done)
    );
    assert!(matches!(
        recorder.progress.lock().unwrap().first(),
        Some(SyncProgress::Sending {
            round: 1,
            cases: 1,
            ..
        })
    ));

    secretary.sync().await.unwrap();
    assert_eq!(
        secretary
            .store()
            .detail(&case)
            .unwrap()
            .unwrap()
            .state
            .status,
        Status::Reported
    );

    // Offline on both phones: the worker adds to the description, the secretary returns
    // the report and comments.
    worker
        .store()
        .edit_field(
            &case,
            FieldEdit::Description("垃圾桶满溢，三天未清运。已拍照".into()),
        )
        .unwrap();
    secretary
        .store()
        .act(
            &case,
            Action::ReturnForMore {
                reason: "请补充现场照片".into(),
            },
        )
        .unwrap();
    secretary
        .store()
        .comment(&case, "照片看不清，请重拍")
        .unwrap();
    secretary.sync().await.unwrap();
    let summary = worker.sync().await.unwrap();
    assert_eq!(summary.accepted, vec![case]);
    // Accepted, and the answer brought the secretary's return: the app is told both.
    assert_eq!(summary.received, vec![case]);
    secretary.sync().await.unwrap();

    for phone in [&worker, &secretary] {
        let detail = phone.store().detail(&case).unwrap().unwrap();
        assert_eq!(detail.state.status, Status::Returned);
        assert_eq!(detail.view.description, "垃圾桶满溢，三天未清运。已拍照");
        assert_eq!(detail.view.comments.len(), 1);
        assert!(!detail.summary.unsent);
    }
    // The worker sees why, and may report again.
    let detail = worker.store().detail(&case).unwrap().unwrap();
    let returned = detail
        .view
        .events
        .iter()
        .find_map(|e| match &e.action {
            Action::ReturnForMore { reason } => Some(reason.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(returned, "请补充现场照片");
    assert!(
        detail
            .actions
            .contains(&wangge_proto::workflow::ActionKind::Report)
    );
    let mine = worker
        .store()
        .list(&CaseFilter {
            mine_open: true,
            status: Some(Status::Returned),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mine.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_sides_editing_fields_offline_keep_every_edit_field_by_field() {
    let (_dir, _server, worker, secretary) = worker_and_secretary().await;
    let case = worker.report("垃圾堆放", "垃圾桶满溢");
    worker.sync().await.unwrap();
    secretary.sync().await.unwrap();

    // Offline on both phones. Different fields: the worker the description, the secretary
    // the category. The same field: both change the title, at different places.
    worker
        .store()
        .edit_field(
            &case,
            FieldEdit::Description("垃圾桶满溢，三天未清运".into()),
        )
        .unwrap();
    worker
        .store()
        .edit_field(&case, FieldEdit::Title("和平里北街垃圾堆放".into()))
        .unwrap();
    secretary
        .store()
        .edit_field(&case, FieldEdit::Title("垃圾堆放（急）".into()))
        .unwrap();
    secretary
        .store()
        .edit_field(&case, FieldEdit::Category("SR-02".parse().unwrap()))
        .unwrap();

    worker.sync().await.unwrap();
    secretary.sync().await.unwrap();
    worker.sync().await.unwrap();
    for phone in [&worker, &secretary] {
        let detail = phone.store().detail(&case).unwrap().unwrap();
        assert_eq!(detail.view.description, "垃圾桶满溢，三天未清运");
        assert_eq!(detail.view.category.to_string(), "SR-02");
        // Titles merge by character: the worker's prefix and the secretary's suffix.
        assert_eq!(detail.view.title, "和平里北街垃圾堆放（急）");
        assert!(!detail.summary.unsent);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_the_server_refuses_comes_back_with_its_reason_and_stays_on_the_phone() {
    let (_dir, _server, worker, secretary) = worker_and_secretary().await;
    let case = worker.report("井盖缺失", "垃圾桶满溢，三天未清运");
    worker.sync().await.unwrap();
    secretary.sync().await.unwrap();
    secretary.store().act(&case, Action::Accept).unwrap();
    secretary.sync().await.unwrap();

    // The worker, offline, still sees the case as reported and changes its title; the
    // server has it accepted, where a grid worker may no longer edit the title.
    worker
        .store()
        .edit_field(&case, FieldEdit::Title("井盖缺失（补充）".into()))
        .unwrap_or_else(|e| panic!("the phone allows it in status reported: {e}"));
    let recorder = Recorder::default();
    let summary = worker
        .client
        .sync(NetworkKind::Unmetered, &recorder)
        .await
        .unwrap();
    assert_eq!(summary.refused, vec![case], "{summary:?}");
    let refusal = recorder
        .cases
        .lock()
        .unwrap()
        .iter()
        .find_map(|o| match o {
            CaseOutcome::Refused { code, zh, .. } => Some((code.clone(), zh.clone())),
            _ => None,
        })
        .unwrap();
    assert!(refusal.0.starts_with("case."), "{refusal:?}");
    assert!(!refusal.1.is_empty());
    // Kept on the phone with the reason, and the phone has the server's state again.
    let detail = worker.store().detail(&case).unwrap().unwrap();
    assert_eq!(detail.rejected.len(), 1);
    assert_eq!(detail.rejected[0].code, refusal.0);
    assert_eq!(detail.state.status, Status::Accepted);
    assert_eq!(detail.view.title, "井盖缺失");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_expired_session_and_a_dead_server_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;

    let stranger = TestPhone::new(dir.path().join("stranger.db"));
    let error = stranger
        .client
        .sign_in(&server.base, "wangge", "wrong password")
        .await
        .unwrap_err();
    assert!(error.code().starts_with("auth."), "{}", error.code());
    assert!(stranger.store().identity().is_none());

    let worker = TestPhone::signed_in(&server, dir.path().join("worker.db"), "wangge").await;
    let case = worker.report("路灯不亮", "垃圾桶满溢，三天未清运");

    // A token the server does not know: sign in again; the edit waits.
    {
        let mut store = worker.store();
        let mut session = store.session().unwrap().unwrap();
        session.token = "not-a-token".into();
        store.set_session(&session).unwrap();
    }
    let error = worker.sync().await.unwrap_err();
    assert_eq!(error.code(), "client.session_expired");
    assert!(
        error
            .message(wangge_proto::Locale::ZhCn)
            .contains("重新登录")
    );
    assert!(unsent(&worker, &case));

    // The server goes away: retries, then gives up; nothing is lost.
    worker
        .client
        .sign_in(&server.base, "wangge", wangge_e2e::DEMO_PASSWORD)
        .await
        .unwrap();
    let address = server.address();
    let data = server.dir().to_path_buf();
    server.stop().await;
    let quick = worker.client.clone().with_retry(Retry {
        first: Duration::from_millis(20),
        longest: Duration::from_millis(50),
        attempts: 3,
    });
    let recorder = Recorder::default();
    let error = quick
        .sync(NetworkKind::Unmetered, &recorder)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "client.unreachable");
    let retries = recorder
        .progress
        .lock()
        .unwrap()
        .iter()
        .filter(|p| matches!(p, SyncProgress::Retrying { .. }))
        .count();
    assert_eq!(retries, 2);
    assert!(unsent(&worker, &case));
    let error = quick
        .sync(NetworkKind::Offline, &recorder)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "client.offline");

    // It comes back on the same address: the next sync sends the edit.
    let _server = TestServer::start_at(data, Some(address)).await;
    let summary = worker.sync().await.unwrap();
    assert_eq!(summary.accepted, vec![case]);
    assert!(!unsent(&worker, &case));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_database_that_cannot_be_written_fails_the_sync_as_storage_and_loses_nothing() {
    let (_dir, _server, worker, secretary) = worker_and_secretary().await;
    let case = worker.report("井盖缺失", "人行道井盖缺失，已设置临时围挡");

    // Another process holds the phone database's write lock: the server accepts the case, but
    // its answer cannot be stored (after the store's 5 s busy timeout).
    let blocker = rusqlite::Connection::open(worker.path()).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let error = worker.sync().await.unwrap_err();
    assert_eq!(error.code(), "store.database", "{error}");
    assert!(
        error
            .message(wangge_proto::Locale::ZhCn)
            .contains("存储空间"),
        "{error}"
    );
    blocker.execute_batch("ROLLBACK").unwrap();
    drop(blocker);

    // Nothing was lost or half-written: the case is still to be sent, and the next sync sends
    // it again (the server has it already) and the secretary receives it once.
    assert!(unsent(&worker, &case));
    assert_eq!(
        worker.store().detail(&case).unwrap().unwrap().view.title,
        "井盖缺失"
    );
    let summary = worker.sync().await.unwrap();
    assert_eq!(summary.accepted, vec![case]);
    assert!(!unsent(&worker, &case));
    secretary.sync().await.unwrap();
    let received = secretary
        .store()
        .list(&CaseFilter::default())
        .unwrap()
        .into_iter()
        .filter(|summary| summary.id == case)
        .count();
    assert_eq!(received, 1);
}
