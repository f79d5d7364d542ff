//! The photo outbox: a processed photo goes into its case and into the upload queue in one
//! transaction, or not at all; its files read back by hash, offline.

use std::sync::OnceLock;

use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, scene};
use wangge_mobile::photo::{PhotoOptions, ProcessedPhoto, process};
use wangge_mobile::store::QueuedPhoto;
use wangge_proto::case::{EvidenceStage, ImageMime};
use wangge_proto::values::{CaseId, ContentHash};
use wangge_proto::{Role, Scope};
use wangge_sync::blob::BlobKind;

use crate::support::{TempStore, identity, new_case, other_grid, worker};

/// A camera JPEG and what the pipeline made of it (processed once for all tests).
fn camera_photo() -> &'static (Vec<u8>, ProcessedPhoto) {
    static PHOTO: OnceLock<(Vec<u8>, ProcessedPhoto)> = OnceLock::new();
    PHOTO.get_or_init(|| {
        let original = camera_jpeg(&scene(1200, 900, 21), 92, &CameraExif::default());
        let processed = process(&original, &PhotoOptions::default(), &mut |_| {}).unwrap();
        (original, processed)
    })
}

fn heads(t: &TempStore, case: &CaseId) -> Vec<automerge::ChangeHash> {
    use wangge_sync::phone::PhoneStore;
    let mut heads = t.store.load(case).unwrap().unwrap().doc.get_heads();
    heads.sort();
    heads
}

fn kinds(queue: &[QueuedPhoto]) -> Vec<(ContentHash, BlobKind)> {
    queue.iter().map(|p| (p.hash, p.kind)).collect()
}

#[test]
fn attaching_a_photo_writes_the_evidence_and_queues_its_files_durably() {
    let (original, photo) = camera_photo();
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "人行道破损");
    let hash = t
        .store
        .attach_photo(&case, photo, original, EvidenceStage::Before, "破损处")
        .unwrap();
    assert_eq!(hash, photo.main.hash);
    t.reopen();

    let detail = t.store.detail(&case).unwrap().unwrap();
    assert_eq!(detail.view.evidence.len(), 1);
    let evidence = &detail.view.evidence[0];
    assert_eq!(evidence.hash, photo.main.hash);
    assert_eq!(evidence.thumbnail, Some(photo.thumbnail.hash));
    assert_eq!(evidence.size, photo.main.bytes.len() as u64);
    assert_eq!(
        (evidence.width, evidence.height),
        (photo.main.width, photo.main.height)
    );
    assert_eq!(evidence.mime, ImageMime::Jpeg);
    assert_eq!(evidence.stage, EvidenceStage::Before);
    assert_eq!(evidence.caption, "破损处");
    assert_eq!(evidence.captured_at, photo.captured_at.map(|c| c.at));
    assert!(evidence.captured_at.is_some());
    assert_eq!(evidence.captured_place, photo.location);
    assert_eq!(evidence.added_by, worker(1).user);
    assert!(detail.summary.unsent);

    // Both processed files wait, in the order they were queued, none failed yet.
    let queue = t.store.photo_queue().unwrap();
    assert_eq!(
        kinds(&queue),
        vec![
            (photo.thumbnail.hash, BlobKind::Thumbnail),
            (photo.main.hash, BlobKind::Full)
        ]
    );
    assert!(queue.iter().all(|p| p.case == case && p.failures == 0));
    assert!(queue.iter().all(|p| p.last_error.is_none()));
    assert_eq!(queue[0].length, photo.thumbnail.bytes.len() as u64);
    assert_eq!(queue[1].length, photo.main.bytes.len() as u64);

    // The bytes read back by hash; the original is kept beside the main picture only.
    assert_eq!(
        t.store.photo(&photo.main.hash).unwrap().as_ref(),
        Some(&photo.main.bytes)
    );
    assert_eq!(
        t.store.photo(&photo.thumbnail.hash).unwrap().as_ref(),
        Some(&photo.thumbnail.bytes)
    );
    assert_eq!(
        t.store.photo_original(&photo.main.hash).unwrap().as_ref(),
        Some(original)
    );
    assert_eq!(t.store.photo_original(&photo.thumbnail.hash).unwrap(), None);
    let unknown = ContentHash::of(b"not on this phone");
    assert_eq!(t.store.photo(&unknown).unwrap(), None);
    // Nothing failed: the retry button has nothing to reset.
    assert_eq!(t.store.retry_photos().unwrap(), 0);
}

#[test]
fn a_refused_attach_writes_neither_evidence_nor_queue_rows() {
    let (original, photo) = camera_photo();
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "路灯不亮");
    let before = heads(&t, &case);

    // Unknown case.
    let error = t
        .store
        .attach_photo(
            &CaseId::generate(),
            photo,
            original,
            EvidenceStage::Before,
            "",
        )
        .unwrap_err();
    assert_eq!(error.code(), "store.not_found");

    // The same user with a role that may not add evidence.
    t.store
        .set_identity(identity(1, Role::DistrictLeader, Scope::Everything))
        .unwrap();
    let error = t
        .store
        .attach_photo(&case, photo, original, EvidenceStage::Before, "")
        .unwrap_err();
    assert_eq!(error.code(), "refused.role_may_not_edit");

    // Out of the user's scope.
    let mut elsewhere = worker(1);
    elsewhere.scope = Scope::Grids {
        grids: [other_grid()].into(),
    };
    t.store.set_identity(elsewhere).unwrap();
    let error = t
        .store
        .attach_photo(&case, photo, original, EvidenceStage::Before, "")
        .unwrap_err();
    assert_eq!(error.code(), "store.out_of_scope");

    t.reopen();
    assert_eq!(heads(&t, &case), before);
    assert!(t.store.photo_queue().unwrap().is_empty());
    assert_eq!(t.store.photo(&photo.main.hash).unwrap(), None);
    assert_eq!(t.store.photo(&photo.thumbnail.hash).unwrap(), None);
    assert_eq!(t.store.photo_original(&photo.main.hash).unwrap(), None);
}

#[test]
fn when_queueing_fails_the_evidence_is_not_written_either() {
    let (original, photo) = camera_photo();
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "井盖松动");
    let before = heads(&t, &case);
    // The disk "fills up" at the last insert of the attach, after the evidence entry was
    // written into the document in the same transaction.
    let other = rusqlite::Connection::open(t.path()).unwrap();
    other
        .execute_batch(
            "CREATE TRIGGER full_disk BEFORE INSERT ON photo_outbox WHEN NEW.kind = 'full'
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();
    let error = t
        .store
        .attach_photo(&case, photo, original, EvidenceStage::After, "")
        .unwrap_err();
    assert_eq!(error.code(), "store.database");
    assert_eq!(heads(&t, &case), before);
    assert!(
        t.store
            .detail(&case)
            .unwrap()
            .unwrap()
            .view
            .evidence
            .is_empty()
    );
    assert!(t.store.photo_queue().unwrap().is_empty());

    // Once there is room again, the same attach goes through whole.
    other.execute_batch("DROP TRIGGER full_disk;").unwrap();
    t.store
        .attach_photo(&case, photo, original, EvidenceStage::After, "")
        .unwrap();
    assert_eq!(t.store.photo_queue().unwrap().len(), 2);
    assert_eq!(
        t.store.detail(&case).unwrap().unwrap().view.evidence.len(),
        1
    );
}
