//! End to end through real HTTP on port 0: sign in with device enrolment, then phones (the
//! sync crate's client) edit the same cases offline, sync in random orders, and converge.

use std::net::SocketAddr;

use serde_json::json;
use wangge_proto::values::CaseId;
use wangge_server::app;
use wangge_server::config::{Cli, Config};
use wangge_server::seed::DEMO_PASSWORD;
use wangge_server::services::validate::PermissionPolicy;
use wangge_server::store::Store;
use wangge_sync::relay::SigningKey;

pub use crate::phone::{Phone, comment, edit, new_case, new_case_in};

/// A running server on a temporary data directory.
pub struct TestServer {
    pub base: String,
    pub dir: std::path::PathBuf,
    /// Its live channel.
    pub live: wangge_server::live::Live,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// The real app (permission policy) over `store`, photos in a temporary directory.
    pub async fn start<S: Store>(store: S) -> Self {
        Self::start_in(temp_dir(), store, |_| {}).await
    }

    /// The real app on a SQLite file inside its own temporary data directory.
    pub async fn sqlite() -> Self {
        Self::sqlite_with(|_| {}).await
    }

    /// As [`TestServer::sqlite`], with the configuration changed by `configure` first.
    pub async fn sqlite_with(configure: impl FnOnce(&mut Config)) -> Self {
        let dir = temp_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            wangge_server::store::SqliteStore::open(dir.join("wangge.db").to_str().unwrap())
                .await
                .unwrap();
        Self::start_in(dir, store, configure).await
    }

    /// The real app over `store` in `dir`, with the configuration changed by `configure`.
    pub async fn start_in<S: Store>(
        dir: std::path::PathBuf,
        store: S,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        use clap::Parser;
        let mut config = Config::resolve(Cli::parse_from(["wangge-server"])).unwrap();
        config.data_dir = dir.clone();
        // Short enough for the live tests to see keep-alives and token checks.
        config.live_keep_alive = std::time::Duration::from_millis(300);
        config.live_recheck = std::time::Duration::from_millis(500);
        configure(&mut config);
        store.migrate().await.unwrap();
        wangge_server::seed::seed_demo(&store).await.unwrap();
        let app = app::router(store, PermissionPolicy::new(), &config)
            .await
            .unwrap();
        let live = app.live.clone();
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let address = listener.local_addr().unwrap();
        let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(app::serve(listener, app, async move {
            let _ = signal.await;
        }));
        Self {
            base: format!("http://{address}"),
            dir,
            live,
            shutdown: Some(shutdown),
            served: Some(served),
        }
    }

    /// Starts graceful shutdown and waits (at most `limit`) until the server has stopped.
    pub async fn stop(&mut self, limit: std::time::Duration) -> Result<(), &'static str> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let served = self.served.take().ok_or("already stopped")?;
        match tokio::time::timeout(limit, served).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(_) => Err("the server failed"),
            Err(_) => Err("the server did not stop in time"),
        }
    }
}

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("wangge-e2e-{}", uuid::Uuid::now_v7()))
}

impl Phone {
    /// Signs in to `server` (see [`Phone::sign_in_at`]).
    pub async fn sign_in(server: &TestServer, login: &str, n: u8) -> Self {
        Self::sign_in_at(&server.base, login, n).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Stops the server (and its PostgreSQL listener) before the database goes away.
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
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
