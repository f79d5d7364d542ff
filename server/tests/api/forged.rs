//! Forged uploads over real HTTP: what a tampered phone app might send. Each forged case is
//! refused with its own code, the stored case stays as it was, and an honest edit in the same
//! batch is accepted. (The forged close is in `e2e.rs`.)

use wangge_proto::case::{CaseDocument, CaseSource, DuplicateLink, NewCase, Origin};
use wangge_proto::values::{CaseId, Timestamp};

use crate::e2e::{Phone, TestServer, edit, new_case};

/// Asserts that the batch just synced refused exactly `forged` with `code` and accepted
/// exactly `honest`.
fn assert_refused_alone(
    report: &wangge_sync::phone::Report,
    forged: CaseId,
    honest: CaseId,
    code: &str,
) {
    assert_eq!(
        report.accepted,
        vec![honest],
        "the honest edit goes through"
    );
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    assert_eq!(report.rejected[0].case, forged);
    assert_eq!(report.rejected[0].code, code);
    assert!(!report.rejected[0].zh.is_empty() && !report.rejected[0].en.is_empty());
}

/// What a fresh secretary's phone downloads of `case` from the server.
async fn stored_title(server: &TestServer, case: &CaseId, n: u8) -> Option<String> {
    let mut secretary = Phone::sign_in(server, "shequ", n).await;
    secretary.sync_fully().await;
    let local = secretary.phone.get(case)?;
    let doc = CaseDocument::from_automerge(local.doc.clone()).unwrap();
    Some(doc.read().unwrap().title)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grid_worker_cannot_write_the_secretarys_duplicate_link() {
    let server = TestServer::sqlite().await;
    let mut worker = Phone::sign_in(&server, "wangge", 1).await;
    let forged = new_case(&mut worker, 1, "路灯不亮");
    let honest = new_case(&mut worker, 2, "垃圾满溢");
    worker.sync_fully().await;
    let stored = worker.heads(&forged);

    let user = worker.user;
    edit(&mut worker, &forged, |doc| {
        doc.link_duplicate(&DuplicateLink {
            case: honest,
            linked_by: user,
            at: Timestamp::now(),
            note: "同一路段".into(),
        })
        .unwrap();
    });
    edit(&mut worker, &honest, |doc| {
        doc.set_title("垃圾满溢，已拍照").unwrap()
    });
    let report = worker.sync_fully().await;
    assert_refused_alone(&report, forged, honest, "case.forbidden_field");
    assert_eq!(
        worker.heads(&forged),
        stored,
        "the phone shows the server's copy"
    );

    let mut secretary = Phone::sign_in(&server, "shequ", 2).await;
    secretary.sync_fully().await;
    let doc =
        CaseDocument::from_automerge(secretary.phone.get(&forged).unwrap().doc.clone()).unwrap();
    assert!(doc.read().unwrap().duplicates.is_empty(), "no link stored");
    assert_eq!(secretary.heads(&forged), stored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grid_worker_cannot_write_a_case_in_another_grid() {
    let server = TestServer::sqlite().await;
    let mut worker = Phone::sign_in(&server, "wangge", 1).await;
    let honest = new_case(&mut worker, 1, "井盖松动");
    worker.sync_fully().await;

    // A grid of the next community: not one of this worker's grids.
    let forged = CaseId::generate();
    let doc = CaseDocument::create(
        &NewCase {
            id: forged,
            origin: Origin {
                reporter: worker.user,
                role: wangge_proto::Role::GridWorker,
                device: worker.device,
                grid: "110199001002001".parse().unwrap(),
                created_at: Timestamp::now(),
                source: CaseSource::Patrol,
            },
            category: "SR-01".parse().unwrap(),
            title: "越界上报".into(),
            description: "别的网格".into(),
            location: None,
        },
        worker.actor.clone(),
    )
    .unwrap();
    worker.phone.insert(forged, doc.into_automerge());
    edit(&mut worker, &honest, |doc| {
        doc.set_title("井盖松动，已设警示").unwrap()
    });
    let report = worker.sync_fully().await;
    assert_refused_alone(&report, forged, honest, "case.out_of_scope");

    // Nobody can download it: the street office, who sees both communities, gets no such case.
    let mut street = Phone::sign_in(&server, "jiedao", 3).await;
    street.sync_fully().await;
    assert!(street.phone.get(&forged).is_none(), "nothing stored");
    assert!(street.phone.get(&honest).is_some());
    assert_eq!(
        stored_title(&server, &honest, 4).await.as_deref(),
        Some("井盖松动，已设警示")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_under_another_devices_actor_are_refused() {
    let server = TestServer::sqlite().await;
    let mut honest_phone = Phone::sign_in(&server, "wangge", 1).await;
    let mut forger = Phone::sign_in(&server, "wangge", 2).await;
    let forged = new_case(&mut honest_phone, 1, "消防通道堵塞");
    honest_phone.sync_fully().await;
    forger.sync_fully().await;
    let honest = new_case(&mut forger, 2, "共享单车乱停");
    let stored = forger.heads(&forged);

    // The forger's app writes under the other phone's actor id (and signs with its own key).
    let victim = honest_phone.actor.clone();
    edit(&mut forger, &forged, |doc| {
        doc.automerge_mut().set_actor(victim);
        doc.set_title("已处理").unwrap();
    });
    let report = forger.sync_fully().await;
    assert_refused_alone(&report, forged, honest, "sync.relay_unverified");
    assert_eq!(forger.heads(&forged), stored);
    assert_eq!(
        stored_title(&server, &forged, 3).await.as_deref(),
        Some("消防通道堵塞")
    );
}
