//! `GET /api/cases` and `GET /api/cases/{id}` through real HTTP, and photos readable only
//! through a case in the caller's scope.

use std::collections::BTreeSet;

use serde_json::Value;
use wangge_proto::case::{Actor, Evidence, EvidenceStage, ImageMime};
use wangge_proto::values::{CaseId, ContentHash, EventId, Timestamp, UserId};
use wangge_proto::workflow::{Action, DeadlinePolicy};
use wangge_proto::{Role, Scope};
use wangge_server::services::accounts::hash_password;
use wangge_server::store::{SqliteStore, Store, UserRecord};

use crate::e2e::{Phone, TestServer, edit, new_case_in};

/// A grid of the demo worker's (community 110199001001).
const OWN_GRID: &str = "110199001001001";
/// A grid of another community of the same street.
const OTHER_GRID: &str = "110199001002001";

/// The demo server plus a second grid worker, `wangge2`, in `OTHER_GRID`.
async fn server() -> TestServer {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    wangge_server::seed::seed_demo(&store).await.unwrap();
    store
        .put_user(&UserRecord {
            id: UserId::generate(),
            login: "wangge2".into(),
            display_name: "孙网格".into(),
            role: Role::GridWorker,
            scope: Scope::Grids {
                grids: BTreeSet::from([OTHER_GRID.parse().unwrap()]),
            },
            password_hash: hash_password(wangge_server::seed::DEMO_PASSWORD).unwrap(),
            disabled: false,
        })
        .await
        .unwrap();
    TestServer::start(store).await
}

fn actor(phone: &Phone, role: Role) -> Actor {
    Actor {
        user: phone.user,
        role,
        device: phone.device,
    }
}

fn act(phone: &mut Phone, case: &CaseId, role: Role, action: Action) {
    let by = actor(phone, role);
    edit(phone, case, |doc| {
        doc.act(
            &by,
            action,
            EventId::generate(),
            Timestamp::now(),
            &DeadlinePolicy::default(),
        )
        .unwrap();
    });
}

async fn get(server: &TestServer, token: &str, path: &str) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

/// The ids listed at `path`, which must answer 200.
async fn ids(server: &TestServer, phone: &Phone, path: &str) -> Vec<String> {
    let (status, body) = get(server, &phone.token, path).await;
    assert_eq!(status, 200, "{body}");
    body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_lists_the_cases_of_their_scope_filtered() {
    let server = server().await;
    let mut worker = Phone::sign_in(&server, "wangge", 1).await;
    let mut secretary = Phone::sign_in(&server, "shequ", 2).await;
    let mut other = Phone::sign_in(&server, "wangge2", 3).await;
    let first = new_case_in(&mut worker, 1, "垃圾堆放", OWN_GRID);
    let second = new_case_in(&mut worker, 2, "井盖缺失", OWN_GRID);
    act(
        &mut worker,
        &first,
        Role::GridWorker,
        Action::Report {
            on_site_resolved: false,
        },
    );
    worker.sync_fully().await;
    let elsewhere = new_case_in(&mut other, 3, "占道经营", OTHER_GRID);
    other.sync_fully().await;
    let (first, second, elsewhere) = (first.to_string(), second.to_string(), elsewhere.to_string());

    let all = |v: &[&String]| v.iter().map(|s| (*s).clone()).collect::<BTreeSet<_>>();
    let listed = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
    assert_eq!(
        listed(ids(&server, &worker, "/api/cases").await),
        all(&[&first, &second])
    );
    assert_eq!(
        listed(ids(&server, &secretary, "/api/cases").await),
        all(&[&first, &second])
    );
    assert_eq!(
        ids(&server, &other, "/api/cases").await,
        vec![elsewhere.clone()]
    );

    // Filters.
    let reported = ids(&server, &secretary, "/api/cases?status=reported").await;
    assert_eq!(reported, vec![first.clone()]);
    let open = ids(&server, &secretary, "/api/cases?status=draft,reported").await;
    assert_eq!(listed(open), all(&[&first, &second]));
    let other_grid = format!("/api/cases?grid={}", "110199001001002");
    assert!(ids(&server, &secretary, &other_grid).await.is_empty());
    assert!(
        ids(&server, &secretary, "/api/cases?tier=simple")
            .await
            .is_empty()
    );
    assert!(
        ids(&server, &secretary, "/api/cases?overdue=true")
            .await
            .is_empty()
    );
    let items = ids(
        &server,
        &secretary,
        "/api/cases?category=SR-01&overdue=false",
    )
    .await;
    assert_eq!(listed(items), all(&[&first, &second]));

    // Pages: one case each, then the end.
    let (_, page) = get(&server, &secretary.token, "/api/cases?limit=1").await;
    assert_eq!(page["cases"].as_array().unwrap().len(), 1);
    let next = page["next"].as_str().unwrap().to_owned();
    let (_, rest) = get(
        &server,
        &secretary.token,
        &format!("/api/cases?limit=1&after={next}"),
    )
    .await;
    assert_eq!(rest["cases"].as_array().unwrap().len(), 1);
    assert_ne!(rest["cases"][0]["id"], page["cases"][0]["id"]);
    assert!(rest["next"].is_null());

    // One case in full, labels in Chinese.
    let (status, detail) = get(&server, &secretary.token, &format!("/api/cases/{first}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["summary"]["status"], "reported");
    assert_eq!(detail["summary"]["status_label"], "待审核");
    assert_eq!(detail["summary"]["grid"], OWN_GRID);
    assert!(detail["summary"]["due_at"].is_i64());
    assert_eq!(detail["case"]["title"], "垃圾堆放");
    assert_eq!(detail["timeline"].as_array().unwrap().len(), 1);
    assert_eq!(detail["timeline"][0]["action"], "report");
    assert_eq!(detail["timeline"][0]["action_label"], "上报");

    // Outside the scope is answered exactly like a case that does not exist.
    let (status, hidden) = get(
        &server,
        &secretary.token,
        &format!("/api/cases/{elsewhere}"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(hidden["code"], "case.not_found");
    let (status, missing) = get(
        &server,
        &secretary.token,
        &format!("/api/cases/{}", CaseId::generate()),
    )
    .await;
    assert_eq!((status, &missing), (404, &hidden));
    let (status, _) = get(&server, &secretary.token, "/api/cases/not-an-id").await;
    assert_eq!(status, 404);

    // The secretary accepts on the phone: the lists follow.
    secretary.sync_fully().await;
    let first_id: CaseId = first.parse().unwrap();
    act(
        &mut secretary,
        &first_id,
        Role::CommunitySecretary,
        Action::Accept,
    );
    secretary.sync_fully().await;
    assert!(
        ids(&server, &secretary, "/api/cases?status=reported")
            .await
            .is_empty()
    );
    assert_eq!(
        ids(&server, &worker, "/api/cases?status=accepted").await,
        vec![first.clone()]
    );
    let (_, detail) = get(&server, &worker.token, &format!("/api/cases/{first}")).await;
    assert_eq!(detail["summary"]["status_label"], "已受理");
    assert!(detail["summary"]["due_at"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_are_refused_each_with_its_code() {
    let server = server().await;
    let secretary = Phone::sign_in(&server, "shequ", 2).await;
    for (query, code) in [
        ("status=nope", "cases.bad_status"),
        ("tier=hard", "cases.bad_tier"),
        ("category=%E5%9E%83", "cases.bad_category"),
        ("grid=123", "cases.bad_grid"),
        ("overdue=maybe", "cases.bad_overdue"),
        ("after=xyz", "cases.bad_cursor"),
        ("limit=0", "cases.bad_limit"),
        ("limit=201", "cases.bad_limit"),
        ("sort=title", "cases.unknown_parameter"),
    ] {
        let (status, body) = get(&server, &secretary.token, &format!("/api/cases?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["code"], code, "{query}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    let answer = reqwest::Client::new()
        .get(format!("{}/api/cases", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_is_readable_only_through_a_case_in_scope() {
    use wangge_sync::blob::{BlobRequest, BlobResponse, DEFAULT_CHUNK_BYTES, Upload};
    use wangge_sync::http::client::upload;

    let server = server().await;
    let mut worker = Phone::sign_in(&server, "wangge", 1).await;
    let secretary = Phone::sign_in(&server, "shequ", 2).await;
    let other = Phone::sign_in(&server, "wangge2", 3).await;

    let mut png = Vec::new();
    image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 8, y as u8 * 10, 64]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let hash = ContentHash::of(&png);
    let mut transfer = Upload::new(hash, png.len() as u64, DEFAULT_CHUNK_BYTES);
    upload(&worker.client, &mut transfer, &png).await.unwrap();
    assert!(transfer.is_done());
    // Uploaded, but no synced case references it yet: nobody reads it, not even the uploader.
    let head = worker
        .client
        .blob(BlobRequest::Head { hash })
        .await
        .unwrap();
    assert_eq!(head, BlobResponse::Unknown);

    let case = new_case_in(&mut worker, 1, "垃圾堆放", OWN_GRID);
    let evidence = Evidence {
        hash,
        size: png.len() as u64,
        width: 32,
        height: 24,
        mime: ImageMime::Png,
        captured_at: None,
        captured_place: None,
        thumbnail: None,
        stage: EvidenceStage::Before,
        caption: "现场".into(),
        added_by: worker.user,
        device: worker.device,
        added_at: Timestamp::now(),
    };
    edit(&mut worker, &case, |doc| {
        doc.add_evidence(&evidence).unwrap();
    });
    assert_eq!(worker.sync_fully().await.accepted, vec![case]);

    let download = |phone: &Phone| {
        let url = format!("{}/v1/blobs/{hash}", server.base);
        let token = phone.token.clone();
        async move {
            let answer = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            (status, answer.bytes().await.unwrap().to_vec())
        }
    };
    let (status, bytes) = download(&secretary).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, png);
    assert_eq!(download(&worker).await.0, 200);
    let (status, body) = download(&other).await;
    assert_eq!(status, 404);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["code"], "blob.unknown");
    let head = other.client.blob(BlobRequest::Head { hash }).await.unwrap();
    assert_eq!(head, BlobResponse::Unknown);
}
