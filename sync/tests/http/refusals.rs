//! Refused sync requests: each gets its status and `{code, message}` in the caller's
//! language, and the hub's store is unchanged.

use wangge_proto::Locale;
use wangge_sync::Limits;
use wangge_sync::http::client::{HttpClient, HttpError};
use wangge_sync::http::{SYNC_CONTENT_TYPE, SYNC_PATH};
use wangge_sync::wire::{self, Kind};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Phone, Server, json, raw, sync_head};

/// Sends `body` with `client`, expects a refusal, and checks the store did not change.
async fn refused(server: &Server, client: &HttpClient, body: &[u8]) -> (u16, String, String) {
    let before = server.snapshot();
    let error = client.sync(body).await.unwrap_err();
    assert_eq!(
        server.snapshot(),
        before,
        "a refused request changed the store"
    );
    match error {
        HttpError::Status {
            status,
            code,
            message,
        } => (status, code, message),
        other => panic!("expected a status error, got {other:?}"),
    }
}

/// A server that holds one synced case, and a phone with an unsent edit of it.
async fn world(limits: Limits) -> (Server, Phone) {
    let server = Server::start_with(limits).await;
    let mut phone = Phone::enrol(&server, 1);
    let case = phone.create_case(1, "井盖缺失");
    phone.sync_once().await.unwrap();
    phone.set_title(&case, "井盖缺失，已设围挡");
    (server, phone)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_wrong_version_requests_are_400() {
    let (server, phone) = world(Limits::default()).await;

    let not_a_request = wire::encode(Kind::SyncRequest, &"not a request");
    let (status, code, message) = refused(&server, &phone.client, &not_a_request).await;
    assert_eq!((status, code.as_str()), (400, "sync.malformed"));
    assert!(message.contains("同步数据格式错误"), "{message}");

    let mut future = phone.request();
    future[2] = 99;
    let english = phone.client.clone().with_locale(Locale::En);
    let (status, code, message) = refused(&server, &english, &future).await;
    assert_eq!((status, code.as_str()), (400, "sync.unsupported_version"));
    assert!(message.contains("version 99 is not supported"), "{message}");

    let (status, code, _) = refused(&server, &phone.client, b"GET / HTTP/1.1").await;
    assert_eq!((status, code.as_str()), (400, "sync.not_sync"));

    // The intact request still goes through.
    let report = phone.client.sync(&phone.request()).await;
    assert!(report.is_ok(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_request_is_413() {
    let limits = Limits {
        max_message_bytes: 64 * 1024,
        ..Limits::default()
    };
    let (server, phone) = world(limits).await;
    let mut big = phone.request();
    big.resize(100 * 1024, 0);
    let (status, code, message) = refused(&server, &phone.client, &big).await;
    assert_eq!((status, code.as_str()), (413, "sync.message_too_large"));
    assert!(message.contains("65536"), "{message}");

    // Without a Content-Length the limit holds while reading.
    let before = server.snapshot();
    let mut chunked = sync_head(&server, "phone-1", None).into_bytes();
    for piece in big.chunks(8 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, body) = raw(&server, &chunked).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("sync.message_too_large"), "{body}");
    assert_eq!(server.snapshot(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_cut_mid_body_stores_nothing() {
    let (server, mut phone) = world(Limits::default()).await;
    let before = server.snapshot();
    let request = phone.request();
    let mut cut = sync_head(&server, "phone-1", Some(request.len())).into_bytes();
    cut.extend_from_slice(&request[..request.len() / 2]);
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(&cut).await.unwrap();
    stream.shutdown().await.unwrap();
    // The server answers `sync.truncated` to nobody in particular.
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.contains("sync.truncated"),
        "{answer}"
    );
    assert_eq!(server.snapshot(), before);

    let report = phone.sync_once().await.unwrap();
    assert_eq!(report.accepted.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_wrong_credentials_are_401() {
    let (server, phone) = world(Limits::default()).await;
    let request = phone.request();

    let stranger = server.client("not-a-token").with_locale(Locale::En);
    let (status, code, message) = refused(&server, &stranger, &request).await;
    assert_eq!((status, code.as_str()), (401, "auth.unauthenticated"));
    assert!(message.contains("sign in again"), "{message}");

    let before = server.snapshot();
    let response = reqwest::Client::new()
        .post(format!("{}{SYNC_PATH}", server.base()))
        .header("Content-Type", SYNC_CONTENT_TYPE)
        .body(request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["WWW-Authenticate"], "Bearer");
    let body = json(response).await;
    assert_eq!(body["code"], "auth.unauthenticated");
    assert!(body["message"].as_str().unwrap().contains("重新登录"));
    assert_eq!(server.snapshot(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_content_type_is_415() {
    let (server, phone) = world(Limits::default()).await;
    let before = server.snapshot();
    let response = reqwest::Client::new()
        .post(format!("{}{SYNC_PATH}", server.base()))
        .bearer_auth("phone-1")
        .header("Content-Type", "application/json")
        .header("Accept-Language", "en-GB,en;q=0.9")
        .body(phone.request())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let body = json(response).await;
    assert_eq!(body["code"], "http.unsupported_media_type");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(SYNC_CONTENT_TYPE)
    );
    assert_eq!(server.snapshot(), before);
}
