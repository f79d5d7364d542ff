//! End-to-end fixtures: the real server on a loopback port over a temporary SQLite store or
//! a new PostgreSQL database (`TestServer`), and phones built from the real mobile core
//! (`TestPhone`): its SQLite case store and its sync client, signed in as one of the demo
//! accounts.
//!
//! The tests themselves are in `tests/`.

// Test fixtures: a setup that fails is a failed test, with the reason.
#![allow(clippy::expect_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use wangge_mobile::client::{NetworkKind, Quiet, SyncSummary};
use wangge_mobile::store::NewCaseInput;
use wangge_mobile::{CaseStore, ClientError, SyncClient};
use wangge_proto::case::CaseSource;
use wangge_proto::values::CaseId;
use wangge_proto::workflow::Action;
use wangge_server::app;
use wangge_server::config::{Cli, Config};
use wangge_server::services::validate::PermissionPolicy;
use wangge_server::store::{PgStore, SqliteStore, Store};

mod postgres;

pub use wangge_server::seed::DEMO_PASSWORD;

/// The demo grid worker's first grid.
pub const DEMO_GRID: &str = "110199001001001";

/// The real server (permission policy, SQLite or PostgreSQL, photos in its data directory)
/// on `127.0.0.1:0`.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    dir: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// The PostgreSQL database of a server started with [`TestServer::start_on_postgres`].
    database: Option<postgres::TestDatabase>,
}

impl TestServer {
    /// Starts a server with the demo organisation in a new data directory under `root`.
    pub async fn start(root: &Path) -> Self {
        Self::start_at(root.join(format!("server-{}", std::process::id())), None).await
    }

    /// Starts a server over the data directory `dir` (kept between restarts), on `address`
    /// (a free port when `None`).
    pub async fn start_at(dir: PathBuf, address: Option<SocketAddr>) -> Self {
        std::fs::create_dir_all(&dir).expect("server data directory");
        let path = dir.join("wangge.db");
        let store = SqliteStore::open(path.to_str().expect("a UTF-8 path"))
            .await
            .expect("the server's SQLite store");
        Self::serve(store, dir, address, None).await
    }

    /// Starts a server with the demo organisation on a new PostgreSQL database (dropped when
    /// the server stops), photos in a new data directory under `root`. `None` if PostgreSQL
    /// is unreachable, said loudly; under `CI=true` that fails instead.
    pub async fn start_on_postgres(root: &Path) -> Option<Self> {
        let database = postgres::TestDatabase::create().await?;
        let dir = root.join(format!("server-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("server data directory");
        let store = PgStore::connect(&database.url)
            .await
            .expect("the server's PostgreSQL store");
        Some(Self::serve(store, dir, None, Some(database)).await)
    }

    async fn serve<S: Store>(
        store: S,
        dir: PathBuf,
        address: Option<SocketAddr>,
        database: Option<postgres::TestDatabase>,
    ) -> Self {
        use clap::Parser;
        let mut config =
            Config::resolve(Cli::parse_from(["wangge-server"])).expect("default configuration");
        config.data_dir = dir.clone();
        store.migrate().await.expect("migrations");
        wangge_server::seed::seed_demo(&store)
            .await
            .expect("demo organisation");
        let app = app::router(store, PermissionPolicy::new(), &config)
            .await
            .expect("the app");
        let address = address.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("the bound address");
        let (shutdown, signal) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(app::serve(listener, app, async move {
            let _ = signal.await;
        }));
        Self {
            base: format!("http://{address}"),
            dir,
            shutdown: Some(shutdown),
            served: Some(served),
            database,
        }
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.base
            .trim_start_matches("http://")
            .parse()
            .expect("the base URL holds the address")
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(served) = self.served.take() {
            let _ = served.await;
        }
        if let Some(database) = self.database.take() {
            database.drop_now().await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// A phone: the mobile core's store in a file and its sync client.
pub struct TestPhone {
    /// The sync client (holding the shared store).
    pub client: SyncClient,
    path: PathBuf,
}

impl TestPhone {
    /// A phone with an empty store at `path`.
    pub fn new(path: PathBuf) -> Self {
        let store = CaseStore::open(&path).expect("the phone store");
        Self {
            client: SyncClient::new(Arc::new(Mutex::new(store))),
            path,
        }
    }

    /// A phone signed in to `server` as `login` with the demo password.
    pub async fn signed_in(server: &TestServer, path: PathBuf, login: &str) -> Self {
        let phone = Self::new(path);
        phone
            .client
            .sign_in(&server.base, login, DEMO_PASSWORD)
            .await
            .expect("sign-in");
        phone
    }

    /// The store, locked.
    pub fn store(&self) -> MutexGuard<'_, CaseStore> {
        self.client
            .store()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Syncs on an unmetered network, ignoring progress.
    pub async fn sync(&self) -> Result<SyncSummary, ClientError> {
        self.client.sync(NetworkKind::Unmetered, &Quiet).await
    }

    /// Registers a case in the demo grid worker's first grid (rubbish, from a patrol) and
    /// reports it, offline; returns its id.
    pub fn report(&self, title: &str, description: &str) -> CaseId {
        let mut store = self.store();
        let case = store
            .create_case(NewCaseInput {
                grid: DEMO_GRID.parse().expect("the demo grid"),
                category: "SR-01".parse().expect("a catalogue code"),
                title: title.into(),
                description: description.into(),
                location: None,
                source: CaseSource::Patrol,
            })
            .expect("the case is registered");
        store
            .act(
                &case,
                Action::Report {
                    on_site_resolved: false,
                },
            )
            .expect("the case is reported");
        case
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
