//! End to end through real HTTP on port 0: sign in with device enrolment, then phones (the
//! sync crate's client) edit the same cases offline, sync in random orders, and converge.

use std::net::SocketAddr;

use automerge::ActorId;
use serde_json::json;
use wangge_proto::values::{CaseId, DeviceId};
use wangge_server::app;
use wangge_server::config::{Cli, Config};
use wangge_server::seed::DEMO_PASSWORD;
use wangge_server::store::Store;
use wangge_sync::Limits;
use wangge_sync::http::client::{HttpClient, sync_once};
use wangge_sync::hub::Policy;
use wangge_sync::phone::{MemoryPhone, PhoneSync, PhoneStore};
use wangge_sync::relay::SigningKey;

/// A running server on a temporary data directory.
pub struct TestServer {
    pub base: String,
    pub dir: std::path::PathBuf,
}

impl TestServer {
    pub async fn start<S: Store, P: Policy + 'static>(store: S, policy: P) -> Self {
        use clap::Parser;
        let dir = std::env::temp_dir().join(format!("wangge-e2e-{}", uuid::Uuid::now_v7()));
        let mut config = Config::resolve(Cli::parse_from(["wangge-server"])).unwrap();
        config.data_dir = dir.clone();
        store.migrate().await.unwrap();
        wangge_server::seed::seed_demo(&store).await.unwrap();
        let router = app::router(store, policy, &config).await.unwrap();
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(app::serve(listener, router, std::future::pending()));
        Self { base: format!("http://{address}"), dir }
    }
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
        let token = answer["token"].as_str().unwrap();
        let user = answer["user"]["id"].as_str().unwrap().parse().unwrap();
        Self {
            phone: MemoryPhone::new(actor.clone(), Some(key)),
            sync: PhoneSync::new(device, vec![actor.clone()], Limits::default()),
            client: HttpClient::new(&server.base, token).unwrap(),
            actor,
            device,
            user,
        }
    }

    pub async fn sync_fully(&mut self) -> wangge_sync::phone::Report {
        for _ in 0..10 {
            let report = sync_once(&self.sync, &mut self.phone, &self.client).await.unwrap();
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
