//! Downloads: resumed with a byte range after cuts and restarts, verified by hash.

use pollster::block_on;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{BlobError, BlobRequest, BlobResponse, BlobStore, Download, Step};

use crate::support::{MemHub, Rng, ask, file, hub};

/// Runs a download over a link that cuts responses short, loses them and restarts the app.
fn fetch(hub: &MemHub, mut download: Download, rng: &mut Rng) -> (Step, Download, u64) {
    let mut requests = 0;
    while let Some(request) = download.next_request() {
        requests += 1;
        assert!(requests < 10_000, "download did not finish");
        let response = ask(hub, request);
        let step = match response {
            BlobResponse::Data { from, total, bytes } if rng.chance(0.4) => {
                // Cut mid-body: the phone got a prefix, then the connection dropped.
                let keep = rng.below(bytes.len() as u64 + 1) as usize;
                let bytes = bytes[..keep].to_vec();
                let step = download.on_response(BlobResponse::Data { from, total, bytes });
                download.on_failure();
                step
            }
            _ if rng.chance(0.1) => {
                download.on_failure();
                Step::Continue
            }
            response => download.on_response(response),
        };
        if rng.chance(0.1) {
            download = Download::decode(&download.encode()).unwrap();
        }
        if step != Step::Continue {
            return (step, download, requests);
        }
    }
    let step = match download.failure() {
        Some(error) => Step::Failed(error.clone()),
        None => Step::Done,
    };
    (step, download, requests)
}

#[test]
fn a_download_resumes_over_cuts_and_restarts_and_verifies() {
    let mut rng = Rng::new(7);
    for run in 0..100 {
        let len = rng.below(200_000) as usize;
        let bytes = file(1_000 + run, len);
        let hash = ContentHash::of(&bytes);
        let hub = hub();
        block_on(hub.store().put_complete(&hash, &bytes)).unwrap();
        let (step, download, _) = fetch(&hub, Download::new(hash, 1 << 20), &mut rng);
        assert_eq!(step, Step::Done, "run {run}");
        assert_eq!(download.total(), Some(len as u64));
        assert_eq!(download.into_bytes(), Some(bytes));
    }
}

#[test]
fn a_download_asks_for_the_rest_with_a_range() {
    let bytes = file(30, 10_000);
    let hash = ContentHash::of(&bytes);
    let mut download = Download::new(hash, 1 << 20);
    assert_eq!(
        download.next_request(),
        Some(BlobRequest::Get { hash, from: 0 })
    );
    let first = BlobResponse::Data {
        from: 0,
        total: 10_000,
        bytes: bytes[..3_000].to_vec(),
    };
    assert_eq!(download.on_response(first), Step::Continue);
    download.on_failure();
    assert_eq!(download.bytes(), None, "nothing before verification");
    assert_eq!(
        download.next_request(),
        Some(BlobRequest::Get { hash, from: 3_000 })
    );
    let rest = BlobResponse::Data {
        from: 3_000,
        total: 10_000,
        bytes: bytes[3_000..].to_vec(),
    };
    assert_eq!(download.on_response(rest), Step::Done);
    assert_eq!(download.bytes(), Some(bytes.as_slice()));
    assert_eq!(download.next_request(), None);
}

#[test]
fn wrong_bytes_are_never_handed_out() {
    let real = file(31, 5_000);
    let hash = ContentHash::of(&real);
    let hub = hub();
    // A damaged store serves other bytes under the hash.
    block_on(hub.store().put_complete(&hash, &file(32, 5_000))).unwrap();
    let mut download = Download::new(hash, 1 << 20);
    let step = loop {
        let request = download.next_request().unwrap();
        match download.on_response(ask(&hub, request)) {
            Step::Continue => assert_eq!(download.received(), 0, "starts over"),
            step => break step,
        }
    };
    assert_eq!(step, Step::Failed(BlobError::HashMismatch));
    assert_eq!(download.into_bytes(), None);
}

#[test]
fn a_blob_over_the_limit_is_not_downloaded() {
    let bytes = file(33, 2_000);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    block_on(hub.store().put_complete(&hash, &bytes)).unwrap();
    let mut download = Download::new(hash, 1_000);
    let response = ask(&hub, download.next_request().unwrap());
    assert_eq!(
        download.on_response(response),
        Step::Failed(BlobError::TooLarge { max: 1_000 })
    );
}

#[test]
fn an_unknown_blob_fails_the_download() {
    let hash = ContentHash::of(b"nobody uploaded this");
    let hub = hub();
    let mut download = Download::new(hash, 1_000);
    let response = ask(&hub, download.next_request().unwrap());
    assert_eq!(response, BlobResponse::Unknown);
    assert_eq!(
        download.on_response(response),
        Step::Failed(BlobError::Unknown)
    );
}

#[test]
fn the_hub_refuses_a_range_past_the_end() {
    let bytes = file(34, 100);
    let hash = ContentHash::of(&bytes);
    let hub = hub();
    block_on(hub.store().put_complete(&hash, &bytes)).unwrap();
    assert_eq!(
        ask(&hub, BlobRequest::Get { hash, from: 101 }),
        BlobResponse::Error(BlobError::RangeNotSatisfiable { length: 100 })
    );
    assert_eq!(
        ask(&hub, BlobRequest::Get { hash, from: 60 }),
        BlobResponse::Data {
            from: 60,
            total: 100,
            bytes: bytes[60..].to_vec()
        }
    );
}

#[test]
fn damaged_saved_download_state_is_an_error() {
    let bytes = file(35, 1_000);
    let hash = ContentHash::of(&bytes);
    let mut download = Download::new(hash, 1 << 20);
    let _ = download.on_response(BlobResponse::Data {
        from: 0,
        total: 1_000,
        bytes: bytes.clone(),
    });
    let saved = download.encode();
    assert_eq!(
        Download::decode(&saved).unwrap().bytes(),
        Some(bytes.as_slice())
    );
    let mut tampered = saved.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert!(
        Download::decode(&tampered).is_err(),
        "a done download is verified again"
    );
    for cut in 0..50 {
        assert!(Download::decode(&saved[..cut]).is_err());
    }
    assert!(Download::decode(&crate::support::file(36, 80)).is_err());
}
