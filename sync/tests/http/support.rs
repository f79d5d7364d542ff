//! A test server (axum on 127.0.0.1:0 over the in-memory hubs, with a request log) and
//! phones that sync with it over HTTP.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use automerge::{ActorId, AutoCommit, ChangeHash};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::Response;
use wangge_proto::Role;
use wangge_proto::case::{CaseDocument, Comment};
use wangge_proto::values::{CaseId, CommentId, ContentHash, UserId};
use wangge_sync::Limits;
use wangge_sync::blob::{self, AcceptAll as AnyContent, HubConfig, MemoryBlobStore};
use wangge_sync::http::client::{HttpClient, HttpError, sync_once};
use wangge_sync::http::server::{AuthError, Authenticate, bearer_token, router};
use wangge_sync::hub::{AcceptAll, Hub, MemoryHub, Session};
use wangge_sync::phone::{MemoryPhone, PhoneSync, Report};

pub type SyncHub = Hub<MemoryHub, AcceptAll>;
pub type BlobHub = blob::Hub<MemoryBlobStore, AnyContent>;

pub use crate::common::ts;
use crate::common::{self, Identity, worker_scope};

/// Bearer token → session; users in `blind` may read no blob.
#[derive(Default)]
pub struct TestAuth {
    sessions: Mutex<HashMap<String, Session>>,
    blind: Mutex<HashSet<UserId>>,
}

impl TestAuth {
    pub fn add(&self, token: &str, session: Session) {
        self.sessions
            .lock()
            .unwrap()
            .insert(token.to_owned(), session);
    }

    pub fn blind(&self, user: UserId) {
        self.blind.lock().unwrap().insert(user);
    }
}

impl Authenticate for TestAuth {
    async fn session(&self, headers: &HeaderMap) -> Result<Session, AuthError> {
        let token = bearer_token(headers).ok_or(AuthError::Unauthenticated)?;
        self.sessions
            .lock()
            .unwrap()
            .get(token)
            .cloned()
            .ok_or(AuthError::Unauthenticated)
    }

    async fn may_read_blob(&self, session: &Session, _: &ContentHash) -> Result<bool, AuthError> {
        Ok(!self.blind.lock().unwrap().contains(&session.user))
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub offset: Option<u64>,
    pub range: Option<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(State(log): State<Log>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let seen = Seen {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        offset: header("Upload-Offset").and_then(|v| v.parse().ok()),
        range: header("Range"),
    };
    log.lock().unwrap().push(seen);
    next.run(request).await
}

/// Sends `request` (raw HTTP/1.1) on a new connection and reads the answer until the server
/// closes: its status and body.
pub async fn raw(server: &Server, request: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

/// The head of a raw `POST /v1/sync` signed in as `token`, closing the connection after.
pub fn sync_head(server: &Server, token: &str, length: Option<usize>) -> String {
    let framing = match length {
        Some(length) => format!("Content-Length: {length}"),
        None => "Transfer-Encoding: chunked".to_owned(),
    };
    format!(
        "POST /v1/sync HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/x-wangge-sync\r\nConnection: close\r\n{framing}\r\n\r\n",
        server.addr
    )
}

/// The JSON body of an answer.
pub async fn json(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub hub: Arc<SyncHub>,
    pub blobs: Arc<BlobHub>,
    pub auth: Arc<TestAuth>,
    log: Log,
}

impl Server {
    pub async fn start() -> Self {
        Self::start_with(Limits::default()).await
    }

    pub async fn start_with(limits: Limits) -> Self {
        let hub = Arc::new(Hub::new(MemoryHub::new(), AcceptAll, limits));
        let blobs = Arc::new(blob::Hub::new(
            MemoryBlobStore::new(),
            AnyContent,
            HubConfig::default(),
        ));
        let auth = Arc::new(TestAuth::default());
        let log = Log::default();
        let app = router(Arc::clone(&hub), Arc::clone(&blobs), Arc::clone(&auth))
            .layer(middleware::from_fn_with_state(Arc::clone(&log), record));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            addr,
            hub,
            blobs,
            auth,
            log,
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client signed in with `token`.
    pub fn client(&self, token: &str) -> HttpClient {
        HttpClient::new(&self.base(), token).unwrap()
    }

    pub fn store(&self) -> &MemoryHub {
        self.hub.store()
    }

    /// The requests seen since the last call.
    pub fn take_log(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }

    /// Everything stored on the hub, to check that a refused request changed nothing.
    pub fn snapshot(&self) -> (u64, Vec<CaseId>, Vec<Option<Vec<u8>>>) {
        let ids = self.store().case_ids();
        let bytes = ids.iter().map(|c| self.store().case_bytes(c)).collect();
        (self.store().changes_stored(), ids, bytes)
    }
}

/// One phone signed in to the server: its session, store, protocol side and client.
pub struct Phone {
    pub session: Session,
    pub phone: MemoryPhone,
    pub sync: PhoneSync,
    pub client: HttpClient,
    pub actor: ActorId,
}

impl Phone {
    /// Grid worker number `n` (ids derive from it) in the test grid, with token `phone-n`.
    pub fn enrol(server: &Server, n: u8) -> Self {
        let identity = Identity::new(n, Role::GridWorker, worker_scope());
        server.store().enrol(identity.record(&identity.actor));
        let Identity {
            session,
            actor,
            key,
        } = identity;
        let token = format!("phone-{n}");
        server.auth.add(&token, session.clone());
        Self {
            sync: PhoneSync::new(session.device, vec![actor.clone()], Limits::default()),
            phone: MemoryPhone::new(actor.clone(), Some(key)),
            client: server.client(&token),
            session,
            actor,
        }
    }

    /// Registers a case on this phone (offline), returning its id.
    pub fn create_case(&mut self, n: u32, title: &str) -> CaseId {
        let (id, doc) = common::new_case(&self.session, &self.actor, n, title);
        self.phone.insert(id, doc);
        id
    }

    fn edit(&mut self, case: &CaseId, edit: impl FnOnce(&mut CaseDocument)) {
        common::edit(&mut self.phone, case, edit).unwrap();
    }

    pub fn set_title(&mut self, case: &CaseId, title: &str) {
        self.edit(case, |doc| doc.set_title(title).unwrap());
    }

    pub fn comment(&mut self, case: &CaseId, n: u32, text: &str) {
        let (user, role, device) = (self.session.user, self.session.role, self.session.device);
        self.edit(case, |doc| {
            let mut random = [0u8; 10];
            random[..4].copy_from_slice(&n.to_be_bytes());
            doc.add_comment(&Comment {
                id: CommentId::from_parts(ts(i64::from(n)), random),
                author: user,
                role,
                device,
                at: ts(i64::from(n)),
                text: text.into(),
            })
            .unwrap();
        });
    }

    /// One round trip over HTTP.
    pub async fn sync_once(&mut self) -> Result<Report, HttpError> {
        sync_once(&self.sync, &mut self.phone, &self.client).await
    }

    /// Syncs until the hub has nothing more for this phone.
    pub async fn sync_fully(&mut self) {
        for _ in 0..10 {
            if !self.sync_once().await.unwrap().more {
                return;
            }
        }
        panic!("sync did not settle in 10 rounds");
    }

    /// The request this phone would send now.
    pub fn request(&self) -> Vec<u8> {
        self.sync.prepare(&self.phone).unwrap().0
    }

    /// Heads of a case on this phone.
    pub fn heads(&self, case: &CaseId) -> Vec<ChangeHash> {
        let mut heads = self.phone.get(case).unwrap().doc.clone().get_heads();
        heads.sort();
        heads
    }
}

/// Heads of a case on the hub.
pub fn hub_heads(server: &Server, case: &CaseId) -> Vec<ChangeHash> {
    let mut heads = AutoCommit::load(&server.store().case_bytes(case).unwrap())
        .unwrap()
        .get_heads();
    heads.sort();
    heads
}

/// `len` seeded pseudo-random bytes (incompressible, like a JPEG).
pub fn photo(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) as u8
        })
        .collect()
}
