//! Photos over HTTP: upload, dedup, resumed download, a PATCH cut mid-body, read refusals
//! and malformed requests.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wangge_proto::values::ContentHash;
use wangge_sync::blob::http::{BLOBS_PATH, blob_path};
use wangge_sync::blob::{
    BlobRequest, BlobResponse, BlobStore, DEFAULT_CHUNK_BYTES, Download, Upload, frame,
};
use wangge_sync::http::client::{HttpClient, HttpError, download, upload};

use crate::support::{Phone, Seen, Server, json, photo};

const PHOTO_BYTES: usize = 300 * 1024;

fn seen(method: &str, path: &str) -> Seen {
    Seen {
        method: method.into(),
        path: path.into(),
        offset: None,
        range: None,
    }
}

/// A server and a phone that uploaded `photo`.
async fn uploaded(photo: &[u8]) -> (Server, Phone, ContentHash) {
    let server = Server::start().await;
    let phone = Phone::enrol(&server, 1);
    let hash = ContentHash::of(photo);
    let mut transfer = Upload::new(hash, photo.len() as u64, DEFAULT_CHUNK_BYTES);
    upload(&phone.client, &mut transfer, photo).await.unwrap();
    assert!(transfer.is_done());
    (server, phone, hash)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_uploads_once_and_dedups_with_a_head() {
    let photo = photo(1, PHOTO_BYTES);
    let (server, phone, hash) = uploaded(&photo).await;
    let log = server.take_log();
    let patches = log.iter().filter(|s| s.method == "PATCH").count();
    assert_eq!(patches, PHOTO_BYTES.div_ceil(DEFAULT_CHUNK_BYTES));
    assert_eq!(
        server.blobs.store().read(&hash, 0).await.unwrap(),
        Some(photo.clone())
    );

    let head = phone.client.blob(BlobRequest::Head { hash }).await.unwrap();
    assert_eq!(
        head,
        BlobResponse::Complete {
            length: PHOTO_BYTES as u64
        }
    );
    server.take_log();

    let mut again = Upload::new(hash, photo.len() as u64, DEFAULT_CHUNK_BYTES);
    upload(&phone.client, &mut again, &photo).await.unwrap();
    assert!(again.is_done());
    assert_eq!(server.take_log(), vec![seen("HEAD", &blob_path(&hash))]);
}

/// A server that answers one request with the first `keep` bytes of `blob` under a
/// `Content-Length` of all of it, then drops the connection.
async fn cutting_server(blob: Vec<u8>, keep: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
            blob.len()
        );
        stream.write_all(answer.as_bytes()).await.unwrap();
        stream.write_all(&blob[..keep]).await.unwrap();
        stream.flush().await.unwrap();
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_cut_short_resumes_from_a_range_and_checks_the_hash() {
    let photo = photo(2, PHOTO_BYTES);
    let (server, phone, hash) = uploaded(&photo).await;
    server.take_log();

    // The first attempt delivers 100 000 bytes before the link drops.
    let mut transfer = Download::new(hash, 16 * 1024 * 1024);
    let cutting =
        HttpClient::new(&cutting_server(photo.clone(), 100_000).await, "phone-1").unwrap();
    let error = download(&cutting, &mut transfer).await.unwrap_err();
    assert!(matches!(error, HttpError::Transport { .. }), "{error:?}");
    assert_eq!(transfer.received(), 100_000);
    assert_eq!(transfer.bytes(), None);

    download(&phone.client, &mut transfer).await.unwrap();
    assert_eq!(transfer.bytes(), Some(photo.as_slice()));
    let log = server.take_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].range.as_deref(), Some("bytes=100000-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_of_other_bytes_than_the_hash_is_not_handed_out() {
    let photo = photo(6, 50_000);
    let (_server, _, hash) = uploaded(&photo).await;
    let mut forged = photo.clone();
    forged[10] ^= 1;
    let forging = HttpClient::new(&cutting_server(forged, 50_000).await, "phone-1").unwrap();
    let mut transfer = Download::new(hash, 16 * 1024 * 1024);
    // The whole (wrong) body arrives; the hash check throws it away and asks again, which
    // this one-shot server no longer answers.
    let error = download(&forging, &mut transfer).await.unwrap_err();
    assert!(matches!(error, HttpError::Transport { .. }), "{error:?}");
    assert_eq!((transfer.received(), transfer.bytes()), (0, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_cut_mid_body_keeps_its_complete_frames() {
    let server = Server::start().await;
    let phone = Phone::enrol(&server, 1);
    let photo = photo(3, PHOTO_BYTES);
    let hash = ContentHash::of(&photo);
    let created = phone
        .client
        .blob(BlobRequest::Create {
            hash,
            length: PHOTO_BYTES as u64,
        })
        .await
        .unwrap();
    assert_eq!(created, BlobResponse::Created);

    // A PATCH of one chunk whose connection drops three and a half frames in.
    let body = frame::encode(&photo[..DEFAULT_CHUNK_BYTES]);
    let sent = 3 * (frame::FRAME_HEADER + frame::FRAME_DATA) + 2000;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "PATCH {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer phone-1\r\n\
         Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nWangge-Framing: frames-v1\r\n\
         Content-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\r\n",
        blob_path(&hash),
        server.addr,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..sent]).await.unwrap();
    stream.flush().await.unwrap();
    drop(stream);

    let kept = 3 * frame::FRAME_DATA as u64;
    let mut reached = None;
    for _ in 0..100 {
        reached = phone.client.blob(BlobRequest::Head { hash }).await.ok();
        if matches!(reached, Some(BlobResponse::Progress { offset, .. }) if offset == kept) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        reached,
        Some(BlobResponse::Progress {
            offset: kept,
            length: PHOTO_BYTES as u64
        })
    );
    server.take_log();

    // The upload asks where the hub is and goes on from the acknowledged offset.
    let mut transfer = Upload::new(hash, photo.len() as u64, DEFAULT_CHUNK_BYTES);
    upload(&phone.client, &mut transfer, &photo).await.unwrap();
    let log = server.take_log();
    assert_eq!(log[0], seen("HEAD", &blob_path(&hash)));
    assert_eq!(
        (log[1].method.as_str(), log[1].offset),
        ("PATCH", Some(kept))
    );
    assert_eq!(
        server.blobs.store().read(&hash, 0).await.unwrap(),
        Some(photo)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blob_the_caller_may_not_read_is_not_found() {
    let photo = photo(4, 10_000);
    let (server, _, hash) = uploaded(&photo).await;
    let outsider = Phone::enrol(&server, 9);
    server.auth.blind(outsider.session.user);

    let head = outsider
        .client
        .blob(BlobRequest::Head { hash })
        .await
        .unwrap();
    assert_eq!(head, BlobResponse::Unknown);
    let get = outsider
        .client
        .blob(BlobRequest::Get { hash, from: 0 })
        .await
        .unwrap();
    assert_eq!(get, BlobResponse::Unknown);

    let response = reqwest::Client::new()
        .get(format!("{}{}", server.base(), blob_path(&hash)))
        .bearer_auth("phone-9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body = json(response).await;
    assert_eq!(body["code"], "blob.unknown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_in_progress_resumes_for_a_caller_who_may_not_read_it_yet() {
    // The uploader's case is not synced yet, so the server's read rule says no; resuming
    // needs only the offset, which HEAD still reports.
    let server = Server::start().await;
    let phone = Phone::enrol(&server, 5);
    server.auth.blind(phone.session.user);
    let photo = photo(5, 10_000);
    let hash = ContentHash::of(&photo);
    let length = photo.len() as u64;
    let created = phone
        .client
        .blob(BlobRequest::Create { hash, length })
        .await
        .unwrap();
    assert_eq!(created, BlobResponse::Created);
    let body = frame::encode(&photo[..4096]);
    let patched = phone
        .client
        .blob(BlobRequest::Patch {
            hash,
            offset: 0,
            body,
        })
        .await
        .unwrap();
    assert_eq!(patched, BlobResponse::Accepted { offset: 4096 });
    let head = phone.client.blob(BlobRequest::Head { hash }).await.unwrap();
    assert_eq!(
        head,
        BlobResponse::Progress {
            offset: 4096,
            length
        }
    );

    // The upload state machine finishes from there; once complete, the blob itself is not
    // shown to a caller who may not read it.
    let mut transfer = Upload::new(hash, length, DEFAULT_CHUNK_BYTES);
    upload(&phone.client, &mut transfer, &photo).await.unwrap();
    assert!(transfer.is_done());
    let head = phone.client.blob(BlobRequest::Head { hash }).await.unwrap();
    assert_eq!(head, BlobResponse::Unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_blob_requests_are_400_with_a_code() {
    let server = Server::start().await;
    Phone::enrol(&server, 1);
    let http = reqwest::Client::new();
    let base = server.base();

    let response = http
        .get(format!("{base}{BLOBS_PATH}/not-a-hash"))
        .bearer_auth("phone-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert_eq!(body["code"], "http.invalid_hash");

    let hash = ContentHash::of(b"x");
    let response = http
        .patch(format!("{base}{}", blob_path(&hash)))
        .bearer_auth("phone-1")
        .header("Tus-Resumable", "1.0.0")
        .header("Wangge-Framing", "frames-v1")
        .header("Content-Type", "application/offset+octet-stream")
        .header("Accept-Language", "en")
        .body(frame::encode(b"x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["Tus-Resumable"], "1.0.0");
    let body = json(response).await;
    assert_eq!(body["code"], "http.invalid_header");
    assert!(body["message"].as_str().unwrap().contains("Upload-Offset"));

    let response = http
        .post(format!("{base}{BLOBS_PATH}"))
        .bearer_auth("phone-1")
        .header("Upload-Length", "12")
        .header("Upload-Metadata", "filename cGhvdG8=")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert_eq!(body["code"], "http.invalid_header");

    let response = http
        .head(format!("{base}{}", blob_path(&hash)))
        .header("Tus-Resumable", "0.2.2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 412);
    assert_eq!(response.headers()["Tus-Version"], "1.0.0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_hub_refusals_come_back_as_blob_errors() {
    let server = Server::start().await;
    let phone = Phone::enrol(&server, 1);
    let photo = photo(5, 20_000);
    let hash = ContentHash::of(&photo);
    let length = photo.len() as u64;
    let client = &phone.client;
    assert_eq!(
        client.blob(BlobRequest::Head { hash }).await.unwrap(),
        BlobResponse::Unknown
    );
    let patch = |offset: usize, body: Vec<u8>| BlobRequest::Patch {
        hash,
        offset: offset as u64,
        body,
    };
    assert_eq!(
        client.blob(patch(0, frame::encode(&photo))).await.unwrap(),
        BlobResponse::Error(wangge_sync::blob::BlobError::Unknown)
    );
    client
        .blob(BlobRequest::Create { hash, length })
        .await
        .unwrap();
    assert_eq!(
        client
            .blob(BlobRequest::Create { hash, length })
            .await
            .unwrap(),
        BlobResponse::Progress { offset: 0, length }
    );
    assert_eq!(
        client
            .blob(patch(5, frame::encode(&photo[5..])))
            .await
            .unwrap(),
        BlobResponse::Error(wangge_sync::blob::BlobError::OffsetMismatch { offset: 0 })
    );
    let mut damaged = frame::encode(&photo[..8192]);
    damaged[4096 + 6 + 10] ^= 1;
    assert_eq!(
        client.blob(patch(0, damaged)).await.unwrap(),
        BlobResponse::Error(wangge_sync::blob::BlobError::ChecksumMismatch { offset: 4096 })
    );
    assert_eq!(
        client
            .blob(patch(4096, frame::encode(&photo[4096..])))
            .await
            .unwrap(),
        BlobResponse::Complete { length }
    );
    assert_eq!(
        client
            .blob(BlobRequest::Get {
                hash,
                from: length + 1
            })
            .await
            .unwrap(),
        BlobResponse::Error(wangge_sync::blob::BlobError::RangeNotSatisfiable { length })
    );
    let tail = client
        .blob(BlobRequest::Get { hash, from: 19_000 })
        .await
        .unwrap();
    assert_eq!(
        tail,
        BlobResponse::Data {
            from: 19_000,
            total: length,
            bytes: photo[19_000..].to_vec()
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_discovers_tus_and_blobs_need_a_token() {
    let server = Server::start().await;
    let http = reqwest::Client::new();
    let response = http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}{BLOBS_PATH}", server.base()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let headers = response.headers();
    assert_eq!(headers["Tus-Resumable"], "1.0.0");
    assert_eq!(headers["Tus-Version"], "1.0.0");
    assert_eq!(headers["Tus-Extension"], "creation");
    assert_eq!(headers["Tus-Max-Size"], (16 * 1024 * 1024).to_string());

    let anonymous = server.client("");
    let error = anonymous
        .blob(BlobRequest::Head {
            hash: ContentHash::of(b"x"),
        })
        .await
        .unwrap_err();
    assert!(error.is_unauthenticated(), "{error:?}");
    assert_eq!(error.code(), "auth.unauthenticated");
}
