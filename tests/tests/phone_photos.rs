//! The photo outbox against the real server: a photo attached offline goes with the next
//! sync — the thumbnail on any network, the full file only on Wi-Fi (or with the user's
//! consent), byte-identical, the camera original dropped only once the server verified it —
//! and a file the server refuses is marked with the server's code without holding up the
//! others.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;

use wangge_e2e::{TestPhone, TestServer};
use wangge_mobile::client::{NetworkKind, SyncListener, SyncProgress};
use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, scene};
use wangge_mobile::photo::{PhotoOptions, ProcessedPhoto, process};
use wangge_proto::case::EvidenceStage;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{BlobKind, BlobRequest, BlobResponse, Download};
use wangge_sync::http::client::{HttpClient, download};

/// A camera JPEG of scene `seed` and what the pipeline made of it.
fn camera_photo(seed: u64) -> (Vec<u8>, ProcessedPhoto) {
    let original = camera_jpeg(&scene(1200, 900, seed), 92, &CameraExif::default());
    let processed = process(&original, &PhotoOptions::default(), &mut |_| {}).unwrap();
    (original, processed)
}

/// An HTTP client signed in as `phone`'s user.
fn http_of(phone: &TestPhone) -> HttpClient {
    let session = phone.store().session().unwrap().unwrap();
    HttpClient::new(&session.base_url, session.token).unwrap()
}

/// The blob `hash` as `http`'s user may read it, `None` when the server does not have it.
async fn fetch(http: &HttpClient, hash: ContentHash) -> Option<Vec<u8>> {
    if http.blob(BlobRequest::Head { hash }).await.unwrap() == BlobResponse::Unknown {
        return None;
    }
    let mut transfer = Download::new(hash, 16 * 1024 * 1024);
    download(http, &mut transfer).await.unwrap();
    Some(transfer.into_bytes().unwrap())
}

#[derive(Default)]
struct Progress(Mutex<Vec<SyncProgress>>);

impl SyncListener for Progress {
    fn on_progress(&self, progress: &SyncProgress) {
        self.0.lock().unwrap().push(progress.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thumbnails_go_on_mobile_data_full_photos_on_wifi_and_the_original_is_then_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let worker = TestPhone::signed_in(&server, dir.path().join("worker.db"), "wangge").await;

    // Offline: report a case and attach a camera photo.
    let case = worker.report("人行道破损", "人行道砖块松动");
    let (original, photo) = camera_photo(31);
    worker
        .store()
        .attach_photo(&case, &photo, &original, EvidenceStage::Before, "破损处")
        .unwrap();

    // Mobile data: the case and the thumbnail go, the full file waits.
    let progress = Progress::default();
    let summary = worker
        .client
        .sync(NetworkKind::Metered, &progress)
        .await
        .unwrap();
    assert_eq!(summary.accepted, vec![case]);
    assert_eq!((summary.photos_sent, summary.photos_waiting), (1, 1));
    let steps = progress.0.lock().unwrap().clone();
    assert!(steps.contains(&SyncProgress::Uploading {
        done: 0,
        total: 1,
        bytes: photo.thumbnail.bytes.len() as u64,
    }));
    assert_eq!(steps.last(), Some(&SyncProgress::Done));
    let http = http_of(&worker);
    assert_eq!(
        fetch(&http, photo.thumbnail.hash).await,
        Some(photo.thumbnail.bytes.clone())
    );
    assert_eq!(fetch(&http, photo.main.hash).await, None);
    let waiting = worker.store().photo_queue().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].hash, photo.main.hash);
    assert_eq!(
        worker.store().photo_original(&photo.main.hash).unwrap(),
        Some(original.clone())
    );

    // Wi-Fi: the full file arrives byte-identical, the original is dropped, nothing waits.
    let summary = worker.sync().await.unwrap();
    assert_eq!((summary.photos_sent, summary.photos_waiting), (1, 0));
    assert_eq!(
        fetch(&http, photo.main.hash).await,
        Some(photo.main.bytes.clone())
    );
    assert!(worker.store().photo_queue().unwrap().is_empty());
    assert_eq!(
        worker.store().photo_original(&photo.main.hash).unwrap(),
        None
    );
    // The processed files stay on the phone for offline display.
    assert_eq!(
        worker.store().photo(&photo.main.hash).unwrap(),
        Some(photo.main.bytes.clone())
    );
    // Nothing is sent twice.
    let summary = worker.sync().await.unwrap();
    assert_eq!((summary.photos_sent, summary.photos_waiting), (0, 0));

    // The community's secretary can look at the photo.
    let secretary = TestPhone::signed_in(&server, dir.path().join("secretary.db"), "shequ").await;
    let http = http_of(&secretary);
    assert_eq!(
        fetch(&http, photo.main.hash).await,
        Some(photo.main.bytes.clone())
    );
    assert_eq!(
        fetch(&http, photo.thumbnail.hash).await,
        Some(photo.thumbnail.bytes.clone())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_the_server_refuses_is_marked_with_its_code_and_the_others_still_go() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let worker = TestPhone::signed_in(&server, dir.path().join("worker.db"), "wangge").await;
    let case = worker.report("广告牌松动", "人行道砖块松动");
    let (original, photo) = camera_photo(32);
    worker
        .store()
        .attach_photo(&case, &photo, &original, EvidenceStage::Before, "")
        .unwrap();

    // A damaged row at the head of the queue: bytes that are not a picture (under their
    // own hash, so only the server's image check can tell).
    let junk = b"not a picture, whatever the camera app said".to_vec();
    let junk_hash = ContentHash::of(&junk);
    rusqlite::Connection::open(worker.path())
        .unwrap()
        .execute(
            "INSERT INTO photo_outbox (hash, case_id, kind, bytes, created_at)
             VALUES (?1, ?2, 'thumbnail', ?3, 1700000000000)",
            rusqlite::params![junk_hash.to_string(), case.to_string(), junk],
        )
        .unwrap();
    // And a row damaged beyond reading (not even a hash): left out, not blocking anything.
    rusqlite::Connection::open(worker.path())
        .unwrap()
        .execute(
            "INSERT INTO photo_outbox (hash, case_id, kind, bytes, created_at)
             VALUES ('garbled', 'garbled', 'full', x'00', 0)",
            [],
        )
        .unwrap();
    let queue = worker.store().photo_queue().unwrap();
    assert_eq!(queue.len(), 3);
    assert_eq!(queue[0].hash, junk_hash);

    let summary = worker.sync().await.unwrap();
    assert_eq!((summary.photos_sent, summary.photos_waiting), (2, 1));
    let http = http_of(&worker);
    assert_eq!(
        fetch(&http, photo.thumbnail.hash).await,
        Some(photo.thumbnail.bytes.clone())
    );
    assert_eq!(
        fetch(&http, photo.main.hash).await,
        Some(photo.main.bytes.clone())
    );
    let queue = worker.store().photo_queue().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].hash, junk_hash);
    assert_eq!(queue[0].failures, 1);
    assert_eq!(
        queue[0].last_error.as_deref(),
        Some("blob.rejected_content")
    );

    // The user's retry button: the count starts again (the code stays until the next try).
    assert_eq!(worker.store().retry_photos().unwrap(), 1);
    assert_eq!(worker.store().photo_queue().unwrap()[0].failures, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secretary_fetches_a_workers_photo_once_and_then_sees_it_offline() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let worker = TestPhone::signed_in(&server, dir.path().join("worker.db"), "wangge").await;
    let secretary = TestPhone::signed_in(&server, dir.path().join("secretary.db"), "shequ").await;
    let department =
        TestPhone::signed_in(&server, dir.path().join("department.db"), "chengguan").await;

    let case = worker.report("井盖缺失", "人行道砖块松动");
    let (original, photo) = camera_photo(47);
    worker
        .store()
        .attach_photo(&case, &photo, &original, EvidenceStage::Before, "井盖")
        .unwrap();
    worker
        .client
        .sync(NetworkKind::Metered, &Progress::default())
        .await
        .unwrap();
    secretary.sync().await.unwrap();

    let fetch = |phone: &TestPhone, network, hash, kind| {
        let client = phone.client.clone();
        async move { client.fetch_photo(network, case, hash, kind).await }
    };
    // On mobile data only the thumbnail is on the server yet.
    let thumbnail = fetch(
        &secretary,
        NetworkKind::Metered,
        photo.thumbnail.hash,
        BlobKind::Thumbnail,
    )
    .await
    .unwrap();
    assert_eq!(thumbnail, photo.thumbnail.bytes);
    let missing = fetch(
        &secretary,
        NetworkKind::Metered,
        photo.main.hash,
        BlobKind::Full,
    )
    .await
    .unwrap_err();
    assert!(missing.code().starts_with("blob."), "{missing:?}");
    assert_eq!(secretary.store().photo(&photo.main.hash).unwrap(), None);

    // Once the worker is on Wi-Fi, the full photo comes, and stays for offline viewing.
    worker.sync().await.unwrap();
    let main = fetch(
        &secretary,
        NetworkKind::Metered,
        photo.main.hash,
        BlobKind::Full,
    )
    .await
    .unwrap();
    assert_eq!(main, photo.main.bytes);
    let offline = fetch(
        &secretary,
        NetworkKind::Offline,
        photo.main.hash,
        BlobKind::Full,
    )
    .await
    .unwrap();
    assert_eq!(offline, photo.main.bytes);
    // Kept, not queued: the secretary's phone never uploads it back.
    assert!(secretary.store().photo_queue().unwrap().is_empty());
    assert_eq!(secretary.sync().await.unwrap().photos_sent, 0);

    // A department the case was not sent to gets nothing, and keeps nothing.
    let refused = fetch(
        &department,
        NetworkKind::Unmetered,
        photo.main.hash,
        BlobKind::Full,
    )
    .await
    .unwrap_err();
    assert!(refused.code().starts_with("blob."), "{refused:?}");
    assert_eq!(department.store().photo(&photo.main.hash).unwrap(), None);
    // Offline and not on the phone: the app is told to wait for the network.
    let waiting = fetch(
        &department,
        NetworkKind::Offline,
        photo.main.hash,
        BlobKind::Full,
    )
    .await
    .unwrap_err();
    assert_eq!(waiting.code(), "client.offline");
}
