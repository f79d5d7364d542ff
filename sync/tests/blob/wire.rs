//! The wire mapping: error codes, messages, HTTP headers and statuses.

use wangge_proto::Locale;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{BlobError, BlobRequest, BlobResponse, http};

fn all_errors() -> Vec<BlobError> {
    vec![
        BlobError::Unknown,
        BlobError::OffsetMismatch { offset: 1 },
        BlobError::ChecksumMismatch { offset: 2 },
        BlobError::FrameMalformed { offset: 3 },
        BlobError::HashMismatch,
        BlobError::TooLarge { max: 4 },
        BlobError::RejectedContent {
            reason: "bad".into(),
        },
        BlobError::RangeNotSatisfiable { length: 5 },
        BlobError::FileChanged {
            expected: 6,
            actual: 7,
        },
        BlobError::UnexpectedResponse,
    ]
}

#[test]
fn every_error_has_a_stable_code_a_status_and_messages() {
    let mut codes = Vec::new();
    for error in all_errors() {
        let mut cbor = Vec::new();
        ciborium::into_writer(&error, &mut cbor).unwrap();
        let value: ciborium::Value = ciborium::from_reader(cbor.as_slice()).unwrap();
        let tag = value
            .as_map()
            .unwrap()
            .iter()
            .find(|(k, _)| k.as_text() == Some("code"))
            .and_then(|(_, v)| v.as_text())
            .unwrap()
            .to_owned();
        assert_eq!(tag, error.code());
        let back: BlobError = ciborium::from_reader(cbor.as_slice()).unwrap();
        assert_eq!(back, error);
        assert!(error.code().starts_with("blob."));
        assert!((400..500).contains(&error.http_status()));
        let (zh, en) = (error.message(Locale::ZhCn), error.message(Locale::En));
        assert!(!zh.is_empty() && !en.is_empty() && zh != en);
        codes.push(error.code());
    }
    let count = codes.len();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), count, "codes are unique");
}

#[test]
fn statuses_follow_tus() {
    use http::status::*;
    let hash = ContentHash::of(b"x");
    let cases = [
        (BlobResponse::Unknown, NOT_FOUND),
        (
            BlobResponse::Progress {
                offset: 1,
                length: 2,
            },
            OK,
        ),
        (BlobResponse::Complete { length: 2 }, OK),
        (BlobResponse::Created, CREATED),
        (BlobResponse::Accepted { offset: 1 }, NO_CONTENT),
        (
            BlobResponse::Data {
                from: 0,
                total: 1,
                bytes: vec![1],
            },
            OK,
        ),
        (
            BlobResponse::Data {
                from: 1,
                total: 2,
                bytes: vec![1],
            },
            PARTIAL_CONTENT,
        ),
        (
            BlobResponse::Error(BlobError::OffsetMismatch { offset: 1 }),
            CONFLICT,
        ),
        (
            BlobResponse::Error(BlobError::ChecksumMismatch { offset: 1 }),
            CHECKSUM_MISMATCH,
        ),
        (
            BlobResponse::Error(BlobError::TooLarge { max: 1 }),
            PAYLOAD_TOO_LARGE,
        ),
    ];
    for (response, status) in cases {
        assert_eq!(response.http_status(), status, "{response:?}");
    }
    let path = format!("/v1/blobs/{hash}");
    assert_eq!(BlobRequest::Head { hash }.http_path(), path);
    assert_eq!(BlobRequest::Head { hash }.http_method(), "HEAD");
    let create = BlobRequest::Create { hash, length: 1 };
    assert_eq!(
        (create.http_method(), create.http_path().as_str()),
        ("POST", "/v1/blobs")
    );
}

#[test]
fn headers_round_trip() {
    let hash = ContentHash::of(b"photo");
    let metadata = http::upload_metadata(&hash);
    assert!(metadata.starts_with("sha256 "));
    assert_eq!(http::parse_upload_metadata(&metadata), Some(hash));
    let with_others = format!("filename cGhvdG8uanBn, {metadata}");
    assert_eq!(http::parse_upload_metadata(&with_others), Some(hash));
    assert_eq!(http::parse_upload_metadata("sha256 AAAA"), None);
    assert_eq!(http::parse_upload_metadata("sha256 !!"), None);

    assert_eq!(http::range(4096), "bytes=4096-");
    assert_eq!(http::parse_range("bytes=4096-"), Some(4096));
    assert_eq!(http::parse_range("bytes=1-2"), None);

    assert_eq!(http::content_range(10, 90, 100), "bytes 10-99/100");
    assert_eq!(
        http::parse_content_range("bytes 10-99/100"),
        Some((10, 100))
    );
    assert_eq!(http::content_range(100, 0, 100), "bytes */100");
    assert_eq!(http::parse_content_range("bytes */100"), Some((100, 100)));
    assert_eq!(http::parse_content_range("bytes 10-100/100"), None);
    assert_eq!(http::parse_content_range("bytes 9-8/100"), None);
}

#[test]
fn messages_round_trip_through_cbor() {
    let hash = ContentHash::of(b"x");
    let request = BlobRequest::Patch {
        hash,
        offset: 3,
        body: vec![1, 2, 3],
    };
    let mut cbor = Vec::new();
    ciborium::into_writer(&request, &mut cbor).unwrap();
    assert_eq!(
        ciborium::from_reader::<BlobRequest, _>(cbor.as_slice()).unwrap(),
        request
    );
    let response = BlobResponse::Error(BlobError::ChecksumMismatch { offset: 9 });
    let mut cbor = Vec::new();
    ciborium::into_writer(&response, &mut cbor).unwrap();
    assert_eq!(
        ciborium::from_reader::<BlobResponse, _>(cbor.as_slice()).unwrap(),
        response
    );
}
