//! A phone for the HTTP tests: the sync crate's in-memory phone store, signed in to a running
//! server with a freshly enrolled device, plus typed edits of its cases. Shared by the API
//! tests and the crash test (which includes this file by path).

use automerge::ActorId;
use serde_json::json;
use wangge_proto::values::{CaseId, DeviceId};
use wangge_server::seed::DEMO_PASSWORD;
use wangge_sync::Limits;
use wangge_sync::http::client::{HttpClient, sync_once};
use wangge_sync::phone::{MemoryPhone, PhoneStore, PhoneSync};
use wangge_sync::relay::SigningKey;

/// A phone signed in as `login`.
pub struct Phone {
    pub phone: MemoryPhone,
    pub sync: PhoneSync,
    pub client: HttpClient,
    pub actor: ActorId,
    pub device: DeviceId,
    pub user: wangge_proto::values::UserId,
    /// The access token it signed in with.
    pub token: String,
}

impl Phone {
    /// Signs in to the server at `base` with the demo password, enrolling a new device whose
    /// key and actor are made from `n`.
    pub async fn sign_in_at(base: &str, login: &str, n: u8) -> Self {
        let key = SigningKey::from_bytes(&[n; 32]);
        let actor = ActorId::from(&[n; 16][..]);
        let device = DeviceId::generate();
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{base}/api/session"))
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
            client: HttpClient::new(base, &token).unwrap(),
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

/// Edits `case` on the phone through the typed document, as one commit.
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

/// Registers case number `n` in the worker's first demo grid.
pub fn new_case(phone: &mut Phone, n: u32, title: &str) -> CaseId {
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

/// A comment numbered `n` by the phone's user (as the community secretary).
pub fn comment(phone: &Phone, n: u32, text: &str) -> wangge_proto::case::Comment {
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
