//! The hub's refusals: each leaves the store as it should be.

use pollster::block_on;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{
    AcceptAll, BlobError, BlobRequest, BlobResponse, BlobStore, DEFAULT_CHUNK_BYTES, Hub,
    HubConfig, Incoming, MemoryBlobStore, Partial, Step, Upload, frame,
};

use crate::support::{Link, Traffic, ask, drive, file, hub, readable};

fn create(hub: &crate::support::MemHub, hash: ContentHash, length: u64) {
    let response = ask(hub, BlobRequest::Create { hash, length });
    assert_eq!(response, BlobResponse::Created);
}

fn patch(hash: ContentHash, offset: u64, data: &[u8]) -> BlobRequest {
    BlobRequest::Patch {
        hash,
        offset,
        body: frame::encode(data),
    }
}

fn partial_of<C: wangge_sync::blob::ContentCheck>(
    hub: &Hub<MemoryBlobStore, C>,
    hash: &ContentHash,
) -> Option<Partial> {
    block_on(hub.store().partial(hash)).unwrap()
}

#[test]
fn head_reports_unknown_progress_and_complete() {
    let bytes = file(10, 10_000);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    assert_eq!(ask(&hub, BlobRequest::Head { hash }), BlobResponse::Unknown);
    create(&hub, hash, 10_000);
    assert_eq!(
        ask(&hub, patch(hash, 0, &bytes[..5_000])),
        BlobResponse::Accepted { offset: 5_000 }
    );
    let progress = BlobResponse::Progress {
        offset: 5_000,
        length: 10_000,
    };
    assert_eq!(ask(&hub, BlobRequest::Head { hash }), progress);
    // A second Create of the same upload reports it instead of starting over.
    let again = BlobRequest::Create {
        hash,
        length: 10_000,
    };
    assert_eq!(ask(&hub, again), progress);
    assert_eq!(
        readable(&hub, &hash),
        None,
        "partial uploads are not readable"
    );
    assert_eq!(
        ask(&hub, patch(hash, 5_000, &bytes[5_000..])),
        BlobResponse::Complete { length: 10_000 }
    );
    let complete = BlobResponse::Complete { length: 10_000 };
    assert_eq!(ask(&hub, BlobRequest::Head { hash }), complete);
    // A retried last PATCH (its answer was lost) is answered the same way.
    assert_eq!(ask(&hub, patch(hash, 5_000, &bytes[5_000..])), complete);
}

#[test]
fn a_patch_at_the_wrong_offset_gets_the_real_offset() {
    let bytes = file(11, 10_000);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    create(&hub, hash, 10_000);
    let _ = ask(&hub, patch(hash, 0, &bytes[..4_000]));
    for wrong in [0, 3_999, 4_001, 20_000] {
        assert_eq!(
            ask(&hub, patch(hash, wrong, &bytes[..100])),
            BlobResponse::Error(BlobError::OffsetMismatch { offset: 4_000 })
        );
    }
    assert_eq!(
        partial_of(&hub, &hash),
        Some(Partial {
            offset: 4_000,
            length: 10_000
        })
    );
}

#[test]
fn a_patch_without_an_upload_is_unknown() {
    let hash = ContentHash::of(b"never created");
    assert_eq!(
        ask(&hub(), patch(hash, 0, b"never created")),
        BlobResponse::Error(BlobError::Unknown)
    );
}

#[test]
fn a_corrupted_frame_keeps_the_frames_before_it_and_nothing_else() {
    let other = file(12, 3_000);
    let bytes = file(13, 20_000);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    let other_hash = ContentHash::of(&other);
    let mut up = Upload::new(other_hash, 3_000, DEFAULT_CHUNK_BYTES);
    let step = drive(
        &hub,
        &mut up,
        &other,
        &mut Link::Perfect,
        &mut Traffic::default(),
    );
    assert_eq!(step, Step::Done);
    create(&hub, hash, 20_000);

    let mut body = frame::encode(&bytes[..12_000]);
    // Damage a data byte of the second frame.
    body[frame::FRAME_DATA + frame::FRAME_HEADER + frame::FRAME_HEADER + 10] ^= 0x40;
    let response = ask(
        &hub,
        BlobRequest::Patch {
            hash,
            offset: 0,
            body,
        },
    );
    let kept = frame::FRAME_DATA as u64;
    assert_eq!(
        response,
        BlobResponse::Error(BlobError::ChecksumMismatch { offset: kept })
    );
    assert_eq!(
        block_on(hub.store().read_partial(&hash))
            .unwrap()
            .as_deref(),
        Some(&bytes[..frame::FRAME_DATA])
    );
    assert_eq!(readable(&hub, &hash), None);
    assert_eq!(readable(&hub, &other_hash), Some(other));
    // The upload goes on from there.
    assert_eq!(
        ask(&hub, patch(hash, kept, &bytes[kept as usize..])),
        BlobResponse::Complete { length: 20_000 }
    );
    assert_eq!(readable(&hub, &hash), Some(bytes));
}

#[test]
fn a_cut_body_keeps_whole_frames_a_truncated_whole_body_is_malformed() {
    let bytes = file(14, 20_000);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    create(&hub, hash, 20_000);
    let body = frame::encode(&bytes[..10_000]);
    let two_frames_and_a_bit = 2 * (frame::FRAME_DATA + frame::FRAME_HEADER) + 100;
    let cut = Incoming {
        bytes: &body[..two_frames_and_a_bit],
        cut: true,
    };
    let two = 2 * frame::FRAME_DATA as u64;
    assert_eq!(
        block_on(hub.patch(&hash, 0, cut)).unwrap(),
        BlobResponse::Accepted { offset: two }
    );
    let body = frame::encode(&bytes[two as usize..two as usize + 5_000]);
    let not_cut = Incoming {
        bytes: &body[..body.len() - 1],
        cut: false,
    };
    let three = 3 * frame::FRAME_DATA as u64;
    assert_eq!(
        block_on(hub.patch(&hash, two, not_cut)).unwrap(),
        BlobResponse::Error(BlobError::FrameMalformed { offset: three })
    );
}

#[test]
fn frames_past_the_declared_length_are_malformed() {
    let bytes = file(15, 5_000);
    let hash = ContentHash::of(&bytes[..4_000]);
    let hub = hub();
    create(&hub, hash, 4_000);
    assert_eq!(
        ask(&hub, patch(hash, 0, &bytes)),
        BlobResponse::Error(BlobError::FrameMalformed { offset: 0 })
    );
    assert_eq!(partial_of(&hub, &hash).map(|p| p.offset), Some(0));
}

#[test]
fn a_whole_file_hash_mismatch_discards_the_upload() {
    let claimed = file(16, 9_000);
    let sent = file(17, 9_000);
    let hash = ContentHash::of(&claimed);
    let hub = hub();
    let mut upload = Upload::new(hash, 9_000, 4_000);
    let step = drive(
        &hub,
        &mut upload,
        &sent,
        &mut Link::Perfect,
        &mut Traffic::default(),
    );
    assert_eq!(step, Step::Failed(BlobError::HashMismatch));
    assert_eq!(readable(&hub, &hash), None);
    assert_eq!(partial_of(&hub, &hash), None);
    assert_eq!(ask(&hub, BlobRequest::Head { hash }), BlobResponse::Unknown);
    assert_eq!(
        ask(&hub, BlobRequest::Get { hash, from: 0 }),
        BlobResponse::Unknown
    );
}

#[test]
fn a_blob_over_the_limit_is_refused_at_creation() {
    let hub = Hub::new(
        MemoryBlobStore::new(),
        AcceptAll,
        HubConfig { max_length: 1_000 },
    );
    let bytes = file(18, 1_001);
    let hash = ContentHash::of(&bytes);
    let too_large = BlobError::TooLarge { max: 1_000 };
    assert_eq!(
        ask(
            &hub,
            BlobRequest::Create {
                hash,
                length: 1_001
            }
        ),
        BlobResponse::Error(too_large.clone())
    );
    assert_eq!(partial_of(&hub, &hash), None);
    let mut upload = Upload::new(hash, 1_001, 4_096);
    loop {
        let request = upload.next_request(&bytes).unwrap().unwrap();
        match upload.on_response(ask(&hub, request)) {
            Step::Continue => {}
            step => break assert_eq!(step, Step::Failed(too_large)),
        }
    }
    let fits = &bytes[..1_000];
    let fits_hash = ContentHash::of(fits);
    let mut upload = Upload::new(fits_hash, 1_000, 4_096);
    while let Some(request) = upload.next_request(fits).unwrap() {
        let _ = upload.on_response(ask(&hub, request));
    }
    assert!(upload.is_done());
}

#[test]
fn the_content_check_can_refuse_a_complete_upload() {
    let hub = Hub::new(
        MemoryBlobStore::new(),
        |bytes: &[u8]| match bytes.starts_with(b"\xff\xd8") {
            true => Ok(()),
            false => Err("not a JPEG".to_owned()),
        },
        HubConfig::default(),
    );
    let mut jpeg = b"\xff\xd8".to_vec();
    jpeg.extend(file(19, 5_000));
    let not_jpeg = file(20, 5_000);
    for (bytes, accepted) in [(jpeg, true), (not_jpeg, false)] {
        let hash = ContentHash::of(&bytes);
        let mut upload = Upload::new(hash, bytes.len() as u64, 4_096);
        let step = loop {
            let request = upload.next_request(&bytes).unwrap().unwrap();
            match upload.on_response(ask(&hub, request)) {
                Step::Continue => {}
                step => break step,
            }
        };
        let stored = block_on(hub.store().read(&hash, 0)).unwrap();
        if accepted {
            assert_eq!(step, Step::Done);
            assert_eq!(stored, Some(bytes));
        } else {
            let reason = "not a JPEG".to_owned();
            assert_eq!(step, Step::Failed(BlobError::RejectedContent { reason }));
            assert_eq!(stored, None);
            assert_eq!(partial_of(&hub, &hash), None);
        }
    }
}

#[test]
fn a_create_with_another_length_starts_the_upload_over() {
    let bytes = file(21, 8_000);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    create(&hub, hash, 9_000);
    let _ = ask(&hub, patch(hash, 0, &bytes[..4_000]));
    let mut upload = Upload::new(hash, 8_000, 4_096);
    let step = drive(
        &hub,
        &mut upload,
        &bytes,
        &mut Link::Perfect,
        &mut Traffic::default(),
    );
    assert_eq!(step, Step::Done);
    assert_eq!(readable(&hub, &hash), Some(bytes));
}

#[test]
fn hub_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let hub = hub();
    let hash = ContentHash::of(b"");
    let future = hub.handle(BlobRequest::Head { hash });
    assert_send(&future);
    let future = hub.patch(
        &hash,
        0,
        Incoming {
            bytes: &[],
            cut: true,
        },
    );
    assert_send(&future);
}
