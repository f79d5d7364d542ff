//! Uploads over bad links: they resume, finish with identical verified bytes, and waste little.

use pollster::block_on;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{
    BlobError, BlobRequest, BlobResponse, BlobStore, DEFAULT_CHUNK_BYTES, MAX_STALLED, Step, Upload,
};

use crate::support::{Link, Rng, Traffic, ask, drive, file, hub, readable};

#[test]
fn random_cuts_drops_and_restarts_still_complete_with_identical_bytes() {
    let mut rng = Rng::new(0x5eed);
    for run in 0..300 {
        let len = match run % 10 {
            0 => 300_000,
            1 => rng.below(10) as usize,
            _ => rng.below(120_000) as usize,
        };
        let chunk = [1_000, 4_096, 10_000, DEFAULT_CHUNK_BYTES][rng.below(4) as usize];
        let bytes = file(run, len);
        let hash = ContentHash::of(&bytes);
        let hub = hub();
        let mut upload = Upload::new(hash, len as u64, chunk);
        let step = drive(
            &hub,
            &mut upload,
            &bytes,
            &mut Link::Random(&mut rng),
            &mut Traffic::default(),
        );
        assert_eq!(step, Step::Done, "run {run}, {len} bytes, chunk {chunk}");
        assert_eq!(
            readable(&hub, &hash).as_deref(),
            Some(bytes.as_slice()),
            "run {run}"
        );
        assert_eq!(block_on(hub.store().partial(&hash)).unwrap(), None);
    }
}

#[test]
fn a_link_cut_every_64_kib_sends_at_most_1_1_times_the_file() {
    let bytes = file(300, 300 * 1024);
    let hash = ContentHash::of(&bytes);
    for chunk in [16 * 1024, 32 * 1024, DEFAULT_CHUNK_BYTES, 256 * 1024] {
        let hub = hub();
        let mut upload = Upload::new(hash, bytes.len() as u64, chunk);
        let mut traffic = Traffic::default();
        let mut link = Link::CutEvery {
            every: 64 * 1024,
            sent: 0,
        };
        let step = drive(&hub, &mut upload, &bytes, &mut link, &mut traffic);
        assert_eq!(step, Step::Done);
        assert_eq!(readable(&hub, &hash), Some(bytes.clone()));
        let size = bytes.len() as f64;
        let with_headers = traffic.total() as f64 / size;
        let bodies = traffic.body_bytes as f64 / size;
        println!(
            "chunk {chunk}: bodies {bodies:.4}×, with {}-byte headers {with_headers:.4}× \
             ({} HEAD, {} POST, {} PATCH)",
            crate::support::HEADER_BYTES,
            traffic.heads,
            traffic.creates,
            traffic.patches
        );
        assert!(with_headers <= 1.1, "chunk {chunk}: {with_headers}");
    }
}

#[test]
fn a_blob_the_hub_has_costs_one_head() {
    let bytes = file(1, 50_000);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    let mut first = Upload::new(hash, bytes.len() as u64, DEFAULT_CHUNK_BYTES);
    let step = drive(
        &hub,
        &mut first,
        &bytes,
        &mut Link::Perfect,
        &mut Traffic::default(),
    );
    assert_eq!(step, Step::Done);

    let mut second = Upload::new(hash, bytes.len() as u64, DEFAULT_CHUNK_BYTES);
    let mut traffic = Traffic::default();
    let step = drive(&hub, &mut second, &bytes, &mut Link::Perfect, &mut traffic);
    assert_eq!(step, Step::Done);
    assert_eq!((traffic.heads, traffic.creates, traffic.patches), (1, 0, 0));
    assert_eq!(second.acknowledged(), bytes.len() as u64);
}

#[test]
fn an_app_restart_resumes_from_the_hub_offset() {
    let bytes = file(2, 20_000);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    let mut upload = Upload::new(hash, bytes.len() as u64, 8_192);
    for _ in 0..3 {
        // Head, Create, first Patch.
        let request = upload.next_request(&bytes).unwrap().unwrap();
        assert_eq!(upload.on_response(ask(&hub, request)), Step::Continue);
    }
    assert_eq!(upload.acknowledged(), 8_192);

    let mut restored = Upload::decode(&upload.encode()).unwrap();
    assert_eq!(restored.acknowledged(), 8_192);
    let request = restored.next_request(&bytes).unwrap().unwrap();
    assert_eq!(request, BlobRequest::Head { hash });
    assert_eq!(restored.on_response(ask(&hub, request)), Step::Continue);
    match restored.next_request(&bytes).unwrap().unwrap() {
        BlobRequest::Patch { offset, .. } => assert_eq!(offset, 8_192),
        other => panic!("expected a patch, got {other:?}"),
    }
}

#[test]
fn an_offset_mismatch_resumes_from_the_real_offset() {
    let bytes = file(3, 10_000);
    let hash = ContentHash::of(&bytes);
    let mut upload = Upload::new(hash, bytes.len() as u64, 4_096);
    let _ = upload.on_response(BlobResponse::Unknown);
    let _ = upload.on_response(BlobResponse::Created);
    let step = upload.on_response(BlobResponse::Error(BlobError::OffsetMismatch {
        offset: 6_000,
    }));
    assert_eq!(step, Step::Continue);
    match upload.next_request(&bytes).unwrap().unwrap() {
        BlobRequest::Patch { offset, .. } => assert_eq!(offset, 6_000),
        other => panic!("expected a patch, got {other:?}"),
    }
}

#[test]
fn permanent_errors_fail_the_upload_and_it_stays_failed() {
    for error in [
        BlobError::HashMismatch,
        BlobError::TooLarge { max: 10 },
        BlobError::RejectedContent {
            reason: "not an image".into(),
        },
    ] {
        let bytes = file(4, 100);
        let mut upload = Upload::new(ContentHash::of(&bytes), 100, 4_096);
        let step = upload.on_response(BlobResponse::Error(error.clone()));
        assert_eq!(step, Step::Failed(error.clone()));
        assert_eq!(upload.next_request(&bytes).unwrap(), None);
        assert_eq!(upload.failure(), Some(&error));
    }
}

#[test]
fn a_hub_that_never_progresses_makes_the_upload_give_up() {
    let bytes = file(5, 10_000);
    let mut upload = Upload::new(ContentHash::of(&bytes), 10_000, 4_096);
    let _ = upload.on_response(BlobResponse::Unknown);
    let _ = upload.on_response(BlobResponse::Created);
    let mut steps = Vec::new();
    for _ in 0..MAX_STALLED {
        steps.push(
            upload.on_response(BlobResponse::Error(BlobError::ChecksumMismatch {
                offset: 0,
            })),
        );
    }
    assert!(
        steps[..steps.len() - 1]
            .iter()
            .all(|s| *s == Step::Continue)
    );
    assert_eq!(
        steps.last(),
        Some(&Step::Failed(BlobError::ChecksumMismatch { offset: 0 }))
    );
}

#[test]
fn a_changed_file_is_reported_not_sent() {
    let bytes = file(6, 1_000);
    let upload = Upload::new(ContentHash::of(&bytes), 1_000, 4_096);
    assert_eq!(
        upload.next_request(&bytes[..999]),
        Err(BlobError::FileChanged {
            expected: 1_000,
            actual: 999
        })
    );
}

#[test]
fn an_empty_file_uploads() {
    let hash = ContentHash::of(&[]);
    let hub = hub();
    let mut upload = Upload::new(hash, 0, 4_096);
    let step = drive(
        &hub,
        &mut upload,
        &[],
        &mut Link::Perfect,
        &mut Traffic::default(),
    );
    assert_eq!(step, Step::Done);
    assert_eq!(readable(&hub, &hash), Some(Vec::new()));
}

#[test]
fn damaged_saved_state_is_an_error() {
    let upload = Upload::new(ContentHash::of(b"x"), 1, 4_096);
    let saved = upload.encode();
    assert_eq!(Upload::decode(&saved).unwrap(), upload);
    for cut in 0..saved.len() {
        assert!(Upload::decode(&saved[..cut]).is_err());
    }
    let mut longer = saved.clone();
    longer.push(0);
    assert!(Upload::decode(&longer).is_err());
    let mut past_end = saved.clone();
    past_end[4 + 32 + 16..4 + 32 + 24].copy_from_slice(&2u64.to_be_bytes());
    assert!(Upload::decode(&past_end).is_err());
}

#[test]
fn the_saved_state_layout_is_pinned() {
    let upload = Upload::new(ContentHash::of(b""), 300, 100);
    // "WGU1", hash, length, chunk size, acknowledged offset, done flag.
    insta::assert_snapshot!(
        hex::encode(upload.encode()),
        @"57475531e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855000000000000012c0000000000000064000000000000000000"
    );
}
