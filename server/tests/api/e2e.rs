//! End to end through real HTTP on port 0: sign in with device enrolment, then phones (the
//! sync crate's client) edit the same cases offline, sync in random orders, and converge.

use std::net::SocketAddr;

use automerge::ActorId;
use serde_json::json;
use wangge_proto::values::{CaseId, DeviceId};
use wangge_server::app;
use wangge_server::config::{Cli, Config};
use wangge_server::seed::DEMO_PASSWORD;
use wangge_server::services::validate::PermissionPolicy;
use wangge_server::store::Store;
use wangge_sync::Limits;
use wangge_sync::http::client::{HttpClient, sync_once};
use wangge_sync::phone::{MemoryPhone, PhoneStore, PhoneSync};
use wangge_sync::relay::SigningKey;

/// A running server on a temporary data directory.
pub struct TestServer {
    pub base: String,
    pub dir: std::path::PathBuf,
}

impl TestServer {
    /// The real app (permission policy) over `store`, photos in a temporary directory.
    pub async fn start<S: Store>(store: S) -> Self {
        Self::start_in(temp_dir(), store).await
    }

    /// The real app on a SQLite file inside its own temporary data directory.
    pub async fn sqlite() -> Self {
        let dir = temp_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            wangge_server::store::SqliteStore::open(dir.join("wangge.db").to_str().unwrap())
                .await
                .unwrap();
        Self::start_in(dir, store).await
    }

    async fn start_in<S: Store>(dir: std::path::PathBuf, store: S) -> Self {
        use clap::Parser;
        let mut config = Config::resolve(Cli::parse_from(["wangge-server"])).unwrap();
        config.data_dir = dir.clone();
        store.migrate().await.unwrap();
        wangge_server::seed::seed_demo(&store).await.unwrap();
        let router = app::router(store, PermissionPolicy::new(), &config)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(app::serve(listener, router, std::future::pending()));
        Self {
            base: format!("http://{address}"),
            dir,
        }
    }
}

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("wangge-e2e-{}", uuid::Uuid::now_v7()))
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A phone signed in as `login`.
pub struct Phone {
    pub phone: MemoryPhone,
    pub sync: PhoneSync,
    pub client: HttpClient,
    pub actor: ActorId,
    pub device: DeviceId,
    pub user: wangge_proto::values::UserId,
    pub token: String,
}

impl Phone {
    pub async fn sign_in(server: &TestServer, login: &str, n: u8) -> Self {
        let key = SigningKey::from_bytes(&[n; 32]);
        let actor = ActorId::from(&[n; 16][..]);
        let device = DeviceId::generate();
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/session", server.base))
            .json(&json!({
                "login": login,
                "password": DEMO_PASSWORD,
                "device": {
                    "id": device,
                    "public_key": hex::encode(key.verifying_key().to_bytes()),
                    "actor": hex::encode(actor.to_bytes()),
                }
            }))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = answer["token"].as_str().unwrap().to_owned();
        let user = answer["user"]["id"].as_str().unwrap().parse().unwrap();
        Self {
            phone: MemoryPhone::new(actor.clone(), Some(key)),
            sync: PhoneSync::new(device, vec![actor.clone()], Limits::default()),
            client: HttpClient::new(&server.base, &token).unwrap(),
            actor,
            device,
            user,
            token,
        }
    }

    pub async fn sync_fully(&mut self) -> wangge_sync::phone::Report {
        for _ in 0..10 {
            let report = sync_once(&self.sync, &mut self.phone, &self.client)
                .await
                .unwrap();
            if !report.more {
                return report;
            }
        }
        panic!("sync did not settle");
    }

    pub fn heads(&self, case: &CaseId) -> Vec<automerge::ChangeHash> {
        let mut heads = self.phone.get(case).unwrap().doc.clone().get_heads();
        heads.sort();
        heads
    }

    pub fn cases(&self) -> Vec<CaseId> {
        self.phone.case_ids().unwrap()
    }
}

pub fn edit(
    phone: &mut Phone,
    case: &CaseId,
    change: impl FnOnce(&mut wangge_proto::case::CaseDocument),
) {
    phone
        .phone
        .edit(case, |doc| {
            let mut document = wangge_proto::case::CaseDocument::from_automerge(std::mem::replace(
                doc,
                automerge::AutoCommit::new(),
            ))
            .unwrap();
            change(&mut document);
            document.commit(wangge_proto::values::Timestamp::now(), "edit");
            *doc = document.into_automerge();
        })
        .unwrap();
}

fn new_case(phone: &mut Phone, n: u32, title: &str) -> CaseId {
    new_case_in(phone, n, title, "110199001001001")
}

/// A new case of `phone`'s user in `grid`, on the phone only.
pub fn new_case_in(phone: &mut Phone, n: u32, title: &str, grid: &str) -> CaseId {
    use wangge_proto::case::{CaseDocument, CaseSource, NewCase, Origin};
    let id = CaseId::generate();
    let doc = CaseDocument::create(
        &NewCase {
            id,
            origin: Origin {
                reporter: phone.user,
                role: wangge_proto::Role::GridWorker,
                device: phone.device,
                grid: grid.parse().unwrap(),
                created_at: wangge_proto::values::Timestamp::now(),
                source: CaseSource::Patrol,
            },
            category: "SR-01".parse().unwrap(),
            title: title.into(),
            description: format!("第{n}处，三天未清运"),
            location: None,
        },
        phone.actor.clone(),
    )
    .unwrap();
    phone.phone.insert(id, doc.into_automerge());
    id
}

fn comment(phone: &Phone, n: u32, text: &str) -> wangge_proto::case::Comment {
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    wangge_proto::case::Comment {
        id: wangge_proto::values::CommentId::from_parts(
            wangge_proto::values::Timestamp::now(),
            random,
        ),
        author: phone.user,
        role: wangge_proto::Role::CommunitySecretary,
        device: phone.device,
        at: wangge_proto::values::Timestamp::now(),
        text: text.into(),
    }
}

/// Two phones edit the same cases offline and sync in seeded random orders over real HTTP.
pub async fn phones_converge(server: TestServer) {
    let mut worker = Phone::sign_in(&server, "wangge", 1).await;
    let mut secretary = Phone::sign_in(&server, "shequ", 2).await;
    let cases: Vec<CaseId> = (1..=3)
        .map(|n| new_case(&mut worker, n, "垃圾堆放"))
        .collect();
    assert_eq!(worker.sync_fully().await.accepted.len(), 3);
    secretary.sync_fully().await;
    assert_eq!(secretary.cases().len(), 3);

    for seed in 0..4u32 {
        // Offline on both phones: the worker edits titles, the secretary comments.
        for (i, case) in cases.iter().enumerate() {
            let title = format!("垃圾堆放（第{seed}次核实，{i}号）");
            edit(&mut worker, case, |doc| doc.set_title(&title).unwrap());
            let note = comment(&secretary, seed * 10 + i as u32, "请尽快清运");
            edit(&mut secretary, case, |doc| {
                doc.add_comment(&note).unwrap();
            });
        }
        if seed % 2 == 0 {
            worker.sync_fully().await;
            secretary.sync_fully().await;
        } else {
            secretary.sync_fully().await;
            worker.sync_fully().await;
        }
        // Whoever synced first learns of the other's edits now.
        if seed % 2 == 0 {
            worker.sync_fully().await;
        } else {
            secretary.sync_fully().await;
        }
        for case in &cases {
            assert_eq!(worker.heads(case), secretary.heads(case), "round {seed}");
        }
    }
    for case in &cases {
        let doc = wangge_proto::case::CaseDocument::from_automerge(
            worker.phone.get(case).unwrap().doc.clone(),
        )
        .unwrap();
        let view = doc.read().unwrap();
        assert!(
            view.title.starts_with("垃圾堆放（第3次核实"),
            "{}",
            view.title
        );
        assert_eq!(view.comments.len(), 4, "every comment survives");
    }
    assert!(worker.phone.rejected().is_empty() && secretary.phone.rejected().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_converge_over_http_on_sqlite() {
    phones_converge(TestServer::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_refuses_bad_passwords_and_other_peoples_devices() {
    let server = TestServer::sqlite().await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/session", server.base);
    let answer = client
        .post(&url)
        .json(&json!({"login": "wangge", "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["code"], "auth.bad_credentials");
    // An unknown login gets the very same answer (it does not reveal who exists).
    let answer = client
        .post(&url)
        .json(&json!({"login": "nobody", "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(answer.json::<serde_json::Value>().await.unwrap(), body);
    let answer = client
        .post(&url)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert_eq!(
        answer.json::<serde_json::Value>().await.unwrap()["code"],
        "http.bad_request"
    );
    // A device enrolled by one user cannot be taken over by another.
    let worker = Phone::sign_in(&server, "wangge", 1).await;
    let key = SigningKey::from_bytes(&[9; 32]);
    let answer = client
        .post(&url)
        .json(&json!({
            "login": "shequ",
            "password": DEMO_PASSWORD,
            "device": {"id": worker.device, "public_key": hex::encode(key.verifying_key().to_bytes()), "actor": "0909"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
    assert_eq!(
        answer.json::<serde_json::Value>().await.unwrap()["code"],
        "auth.enrolment_refused"
    );
    // Unknown paths and methods answer in the same JSON shape.
    let answer = client
        .get(format!("{}/nowhere", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert_eq!(
        answer.json::<serde_json::Value>().await.unwrap()["code"],
        "http.not_found"
    );
    let answer = client.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 405);
    assert_eq!(
        answer.json::<serde_json::Value>().await.unwrap()["code"],
        "http.method_not_allowed"
    );
    // Without a token, sync is refused.
    let answer = client
        .post(format!("{}/v1/sync", server.base))
        .body(vec![1, 2, 3])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_converge_over_http_on_postgres() {
    crate::store_support::postgres(|fixture| async move {
        phones_converge(TestServer::start(fixture.store).await).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_close_is_refused_over_http_while_an_honest_edit_goes_through() {
    use wangge_proto::workflow::{Action, WorkflowEvent};

    let server = TestServer::sqlite().await;
    let mut worker = Phone::sign_in(&server, "wangge", 1).await;
    let forged = new_case(&mut worker, 1, "占道经营");
    let honest = new_case(&mut worker, 2, "井盖缺失");
    worker.sync_fully().await;
    let stored = worker.heads(&forged);

    // The phone would refuse this step; a tampered app writes it anyway.
    let (user, device) = (worker.user, worker.device);
    edit(&mut worker, &forged, |doc| {
        doc.append_event(&WorkflowEvent {
            id: wangge_proto::values::EventId::generate(),
            action: Action::Close,
            actor: user,
            role: wangge_proto::Role::GridWorker,
            device,
            at: wangge_proto::values::Timestamp::now(),
            follows: Vec::new(),
        })
        .unwrap();
    });
    edit(&mut worker, &honest, |doc| {
        doc.set_title("井盖缺失，已设围挡").unwrap()
    });
    let report = worker.sync_fully().await;
    assert_eq!(report.accepted, vec![honest]);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].case, forged);
    assert_eq!(report.rejected[0].code, "case.forbidden_action");
    assert!(
        report.rejected[0].zh.contains("结案"),
        "{}",
        report.rejected[0].zh
    );
    // The phone shows the server's copy again; the refused step is kept aside.
    assert_eq!(worker.heads(&forged), stored);
    assert_eq!(worker.phone.rejected().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_guessing_is_rate_limited_per_login() {
    let server = TestServer::sqlite().await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/session", server.base);
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let answer = client
            .post(&url)
            .json(&json!({"login": "jiedao", "password": "guess"}))
            .send()
            .await
            .unwrap();
        statuses.push(answer.status().as_u16());
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
    let answer = client
        .post(&url)
        .json(&json!({"login": "jiedao", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 429, "even the right password waits");
    assert_eq!(
        answer.json::<serde_json::Value>().await.unwrap()["code"],
        "http.rate_limited"
    );
    // Other logins are not affected.
    let answer = client
        .post(&url)
        .json(&json!({"login": "shequ", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_decodable_images_become_blobs() {
    use wangge_proto::values::ContentHash;
    use wangge_sync::blob::{DEFAULT_CHUNK_BYTES, Upload};
    use wangge_sync::http::client::upload;

    let server = TestServer::sqlite().await;
    let worker = Phone::sign_in(&server, "wangge", 1).await;

    // A real (small) PNG is accepted and readable.
    let mut png = Vec::new();
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 128]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let hash = ContentHash::of(&png);
    let mut photo = Upload::new(hash, png.len() as u64, DEFAULT_CHUNK_BYTES);
    upload(&worker.client, &mut photo, &png).await.unwrap();
    assert!(photo.is_done());

    // Bytes that are not a picture, and a tiny file claiming 60000 × 60000, are refused.
    let mut bomb = png[..33].to_vec(); // signature + IHDR
    bomb[16..20].copy_from_slice(&60000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&60000u32.to_be_bytes());
    for fake in [b"just some text, not a photo".to_vec(), bomb] {
        let hash = ContentHash::of(&fake);
        let mut attempt = Upload::new(hash, fake.len() as u64, DEFAULT_CHUNK_BYTES);
        let error = upload(&worker.client, &mut attempt, &fake)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "blob.rejected_content", "{error}");
    }
}
