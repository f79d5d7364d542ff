//! Phones converge through `POST /v1/sync`, and a failed exchange leaves the phone as it was.

use wangge_sync::http::client::{HttpClient, HttpError, sync_once};
use wangge_sync::phone::PhoneStore;

use crate::support::{Phone, Server, hub_heads};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_converge_over_http() {
    let server = Server::start().await;
    let mut a = Phone::enrol(&server, 1);
    let mut b = Phone::enrol(&server, 2);

    let first = a.create_case(1, "小区东门垃圾堆放");
    a.set_title(&first, "小区东门垃圾堆放（已拍照）");
    let report = a.sync_once().await.unwrap();
    assert_eq!(report.accepted, vec![first]);

    // B receives A's case, edits it and registers one of its own, offline.
    b.sync_fully().await;
    assert_eq!(b.heads(&first), hub_heads(&server, &first));
    b.comment(&first, 2, "已通知物业");
    let second = b.create_case(3, "井盖缺失");
    // A edits the same case concurrently.
    a.comment(&first, 4, "物业已到场");

    b.sync_fully().await;
    a.sync_fully().await;
    b.sync_fully().await;

    for case in [first, second] {
        let on_hub = hub_heads(&server, &case);
        assert_eq!(a.heads(&case), on_hub);
        assert_eq!(b.heads(&case), on_hub);
    }
    assert!(a.phone.dirty().unwrap().is_empty());
    assert!(b.phone.dirty().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transport_failure_leaves_the_phone_untouched() {
    let server = Server::start().await;
    let mut phone = Phone::enrol(&server, 1);
    let case = phone.create_case(1, "路灯不亮");
    // Nothing listens on this port any more.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let offline = HttpClient::new(&base, "phone-1").unwrap();

    let (request, before) = (phone.request(), phone.phone.clone());
    let error = sync_once(&phone.sync, &mut phone.phone, &offline)
        .await
        .unwrap_err();
    assert!(matches!(error, HttpError::Transport { .. }), "{error:?}");
    assert_eq!(error.code(), "http.transport");
    assert!(error.is_retryable());
    assert_eq!(phone.request(), request);
    assert_eq!(phone.phone.dirty().unwrap(), before.dirty().unwrap());
    assert_eq!(phone.phone.cursor().unwrap(), before.cursor().unwrap());

    // Back online, the same changes go up.
    let report = phone.sync_once().await.unwrap();
    assert_eq!(report.accepted, vec![case]);
}
