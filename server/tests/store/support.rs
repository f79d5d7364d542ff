//! The harness: `store_tests!` runs each listed test on every backend (SQLite in memory,
//! SQLite in a temporary file, PostgreSQL in a fresh database), like matrix-rust-sdk's
//! `cryptostore_integration_tests!`; plus small builders for documents, commits and sessions.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT};
use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;
use wangge_proto::case::CaseSource;
use wangge_proto::values::{CaseId, DepartmentCode, DeviceId, GridCode, Timestamp, UserId};
use wangge_proto::workflow::Status;
use wangge_proto::{Role, Scope};
use wangge_server::store::{PgStore, SqliteStore, Store};
use wangge_sync::hub::{CaseCommit, CaseFacts, CaseIndex, HubStore, Session, StoredChange};

/// Runs each named `async fn name<S: Backend>(fx: Fixture<S>)` of the calling module on
/// every backend, as `<module>::<backend>::<name>`.
macro_rules! store_tests {
    ($($test:ident),* $(,)?) => {
        mod sqlite_memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    crate::support::sqlite_memory(super::$test).await;
                }
            )*
        }
        mod sqlite_file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    crate::support::sqlite_file(super::$test).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    crate::support::postgres(super::$test).await;
                }
            )*
        }
    };
}

/// A backend under test.
pub trait Backend: Store {
    /// Opens another instance (its own pool) on the same database.
    fn open_again(location: &str) -> impl Future<Output = Self> + Send;

    /// The case's change rows besides its snapshot.
    fn rows(&self, case: &CaseId) -> impl Future<Output = u64> + Send;

    /// Closes the pool.
    fn shut(&self) -> impl Future<Output = ()> + Send;

    /// A store on the same database whose pool has a single connection, so a connection
    /// left in a bad state is the next one used.
    fn one_connection(&self, location: Option<&str>) -> impl Future<Output = Self> + Send;

    /// Makes the database at `location` refuse every change row of `case` (a trigger);
    /// `None` if this backend's database cannot be reached from outside the store.
    fn poison(
        &self,
        location: Option<&str>,
        case: &CaseId,
    ) -> impl Future<Output = Option<()>> + Send;

    /// Runs `update` on the row of `case` in `cases` from outside the store (as damage on
    /// disk, a bad restore or an older build would), binding `bytes` first when given and the
    /// case id last; asserts one row changed. `None` if this backend's database cannot be
    /// reached from outside the store.
    fn update_case_row(
        &self,
        location: Option<&str>,
        update: &'static str,
        bytes: Option<&'static [u8]>,
        case: &CaseId,
    ) -> impl Future<Output = Option<()>> + Send;
}

/// What [`damage_case`] writes.
const DAMAGE: &str = "UPDATE cases SET snapshot = $1 WHERE id = $2";
const DAMAGED_BYTES: &[u8] = b"not an automerge document";

/// What [`forget_heads`] writes.
const FORGET_HEADS: &str = "UPDATE cases SET heads = NULL WHERE id = $1";

impl Backend for SqliteStore {
    async fn open_again(location: &str) -> Self {
        SqliteStore::open(location).await.unwrap()
    }

    async fn rows(&self, case: &CaseId) -> u64 {
        self.change_rows(case).await.unwrap()
    }

    async fn shut(&self) {
        self.close().await;
    }

    async fn one_connection(&self, location: Option<&str>) -> Self {
        match location {
            Some(location) => SqliteStore::open_with_connections(location, 1)
                .await
                .unwrap(),
            // In memory the store has a single connection already.
            None => self.clone(),
        }
    }

    async fn poison(&self, location: Option<&str>, case: &CaseId) -> Option<()> {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", location?))
            .await
            .unwrap();
        let sql = format!(
            "CREATE TRIGGER poison BEFORE INSERT ON case_changes WHEN NEW.case_id = '{case}'
             BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
        );
        conn.execute(sql.as_str()).await.unwrap();
        conn.close().await.unwrap();
        Some(())
    }

    async fn update_case_row(
        &self,
        location: Option<&str>,
        update: &'static str,
        bytes: Option<&'static [u8]>,
        case: &CaseId,
    ) -> Option<()> {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", location?))
            .await
            .unwrap();
        let mut query = sqlx::query(update);
        if let Some(bytes) = bytes {
            query = query.bind(bytes);
        }
        let done = query
            .bind(case.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 1);
        conn.close().await.unwrap();
        Some(())
    }
}

impl Backend for PgStore {
    async fn open_again(location: &str) -> Self {
        PgStore::connect(location).await.unwrap()
    }

    async fn rows(&self, case: &CaseId) -> u64 {
        self.change_rows(case).await.unwrap()
    }

    async fn shut(&self) {
        self.close().await;
    }

    async fn one_connection(&self, location: Option<&str>) -> Self {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(location.expect("a PostgreSQL database has a URL"))
            .await
            .unwrap();
        PgStore::from_pool(pool)
    }

    async fn poison(&self, _location: Option<&str>, case: &CaseId) -> Option<()> {
        let pool = self.postgres()?;
        pool.execute(
            "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'poisoned'; END $$",
        )
        .await
        .unwrap();
        let sql = format!(
            "CREATE TRIGGER poison BEFORE INSERT ON case_changes FOR EACH ROW
             WHEN (NEW.case_id = '{case}') EXECUTE FUNCTION poison()"
        );
        pool.execute(sql.as_str()).await.unwrap();
        Some(())
    }

    async fn update_case_row(
        &self,
        _location: Option<&str>,
        update: &'static str,
        bytes: Option<&'static [u8]>,
        case: &CaseId,
    ) -> Option<()> {
        let mut query = sqlx::query(update);
        if let Some(bytes) = bytes {
            query = query.bind(bytes);
        }
        let done = query
            .bind(case.to_string())
            .execute(self.postgres()?)
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 1);
        Some(())
    }
}

/// Makes the fixture's database refuse every change row of `case`; `None` where it cannot.
pub async fn poison_case<S: Backend>(fx: &Fixture<S>, case: &CaseId) -> Option<()> {
    fx.store.poison(fx.location(), case).await
}

/// Overwrites the stored snapshot of `case` with bytes that are not automerge (damage on
/// disk, a bad restore); `None` where the database cannot be reached from outside the store.
pub async fn damage_case<S: Backend>(fx: &Fixture<S>, case: &CaseId) -> Option<()> {
    let bytes = Some(DAMAGED_BYTES);
    fx.store
        .update_case_row(fx.location(), DAMAGE, bytes, case)
        .await
}

/// Clears the stored heads of `case`, as for a case last written before stores kept heads;
/// `None` where the database cannot be reached from outside the store.
pub async fn forget_heads<S: Backend>(fx: &Fixture<S>, case: &CaseId) -> Option<()> {
    fx.store
        .update_case_row(fx.location(), FORGET_HEADS, None, case)
        .await
}

/// What a test gets: a migrated store, and where its database is (`None` in memory).
pub struct Fixture<S> {
    pub store: S,
    location: Option<String>,
}

impl<S: Backend> Fixture<S> {
    /// Where the database is: its URL or file (`None` in memory).
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// A second instance on the same database, if it is not private to one connection.
    pub async fn second_instance(&self) -> Option<S> {
        match &self.location {
            Some(location) => Some(S::open_again(location).await),
            None => None,
        }
    }
}

/// How a test ended: its panic, if it panicked.
type Outcome = Result<(), Box<dyn std::any::Any + Send>>;

/// Migrates, then runs `test` on its own task so that a failing test still lets the runner
/// clean up (close the pool, drop the database) before its panic is raised again.
async fn run<S, F, Fut>(store: S, location: Option<String>, test: F) -> Outcome
where
    S: Backend,
    F: FnOnce(Fixture<S>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let migrated = store.migrate().await;
    let outcome = match migrated {
        Ok(()) => tokio::spawn(test(Fixture {
            store: store.clone(),
            location,
        }))
        .await
        .map_err(|e| match e.try_into_panic() {
            Ok(panic) => panic,
            Err(e) => Box::new(e.to_string()),
        }),
        Err(e) => Err(Box::new(format!("migration failed: {e}")) as Box<_>),
    };
    store.shut().await;
    outcome
}

/// Raises a test's panic again.
fn finish(outcome: Outcome) {
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

pub async fn sqlite_memory<F, Fut>(test: F)
where
    F: FnOnce(Fixture<SqliteStore>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    finish(run(store, None, test).await);
}

/// Deletes a SQLite database and its WAL files when dropped.
struct TempDb(PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

pub async fn sqlite_file<F, Fut>(test: F)
where
    F: FnOnce(Fixture<SqliteStore>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let file = TempDb(std::env::temp_dir().join(format!(
        "wangge-store-test-{:016x}.sqlite",
        rand::random::<u64>()
    )));
    let location = file.0.to_string_lossy().into_owned();
    let store = SqliteStore::open(&location).await.unwrap();
    finish(run(store, Some(location), test).await);
}

/// The maintenance database the PostgreSQL tests create their databases from.
fn admin_url() -> String {
    std::env::var("WANGGE_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub async fn postgres<F, Fut>(test: F)
where
    F: FnOnce(Fixture<PgStore>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let admin_url = admin_url();
    let mut admin = match PgConnection::connect(&admin_url).await {
        Ok(admin) => admin,
        Err(e) => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(
                !ci,
                "PostgreSQL at {admin_url} is unreachable ({e}); CI=true, so this fails \
                 instead of skipping"
            );
            // Straight to stderr: libtest does not capture this, so a skip is never silent.
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!! PostgreSQL tests SKIPPED: {admin_url} is unreachable ({e}). \
                 Set WANGGE_TEST_PG to a maintenance database URL. !!!!!!\n"
            );
            return;
        }
    };
    let name = format!("wangge_test_{:016x}", rand::random::<u64>());
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let url = wangge_server::store::with_database(&admin_url, &name);
    let outcome = match PgStore::connect(&url).await {
        Ok(store) => run(store, Some(url), test).await,
        Err(e) => Err(Box::new(format!("connecting to {url}: {e}")) as Box<_>),
    };
    admin
        .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
    finish(outcome);
}

// ---------------------------------------------------------------------------------------
// Builders.

pub fn grid(code: &str) -> GridCode {
    code.parse().unwrap()
}

/// A grid of community 110105001001 (street 110105001).
pub fn home_grid() -> GridCode {
    grid("110105001001001")
}

pub fn department(code: &str) -> DepartmentCode {
    code.parse().unwrap()
}

pub fn ts(minutes: i64) -> Timestamp {
    Timestamp::from_millis(1_793_520_000_000 + minutes * 60_000).unwrap()
}

/// Case number `n` (distinct ids for distinct `n`).
pub fn case_id(n: u32) -> CaseId {
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    CaseId::from_parts(ts(i64::from(n)), random)
}

pub fn user_id(n: u8) -> UserId {
    UserId::from_uuid(Uuid::from_u128(0x1000 + u128::from(n))).unwrap()
}

pub fn device_id(n: u8) -> DeviceId {
    DeviceId::from_uuid(Uuid::from_u128(0x2000 + u128::from(n))).unwrap()
}

pub fn actor(n: u8) -> ActorId {
    ActorId::from(&[n; 16][..])
}

pub fn index(grid: GridCode, departments: &[&str]) -> CaseIndex {
    CaseIndex {
        grid,
        departments: departments.iter().map(|d| department(d)).collect(),
    }
}

/// A session of user/device `n` in `scope`.
pub fn session(n: u8, scope: Scope) -> Session {
    Session {
        user: user_id(n),
        role: Role::GridWorker,
        scope,
        device: device_id(n),
        actors: vec![actor(n)],
    }
}

/// One `put` on a document, committed: the commit that stores it.
pub fn edit(doc: &mut AutoCommit, key: &str, value: i64, index: &CaseIndex) -> CaseCommit {
    let before = doc.get_heads();
    doc.put(ROOT, key, value).unwrap();
    doc.commit();
    commit_since(doc, &before, index)
}

/// Every change of `doc` after `before`, as a commit.
pub fn commit_since(doc: &mut AutoCommit, before: &[ChangeHash], index: &CaseIndex) -> CaseCommit {
    let changes = doc
        .get_changes(before)
        .into_iter()
        .map(|c| StoredChange {
            hash: c.hash(),
            bytes: c.raw_bytes().to_vec(),
        })
        .collect();
    CaseCommit {
        changes,
        heads: doc.get_heads(),
        index: index.clone(),
        facts: facts(),
        previous: None,
    }
}

/// Query facts for documents that are not cases (the hub's tests store plain documents).
pub fn facts() -> CaseFacts {
    CaseFacts {
        status: Status::Draft,
        tier: None,
        category: "SR-01".parse().unwrap(),
        title: String::new(),
        reporter: user_id(1),
        created_at: ts(0),
        source: CaseSource::Patrol,
        evidence: Default::default(),
        events: Default::default(),
        deadlines: Vec::new(),
    }
}

/// Stores `commit` on `case`, whatever is stored.
/// One case updated alone: [`HubStore::update_cases`] for one case, whose failed write is
/// the `Err`.
pub trait UpdateOne: HubStore {
    fn update_case<T, F>(
        &self,
        case: &CaseId,
        update: F,
    ) -> impl Future<Output = Result<T, Self::Error>> + Send
    where
        T: Send,
        F: FnOnce(Option<&[u8]>) -> (Option<CaseCommit>, T) + Send,
    {
        async move {
            let mut update = Some(update);
            let mut results = self
                .update_cases(std::slice::from_ref(case), |_, stored| {
                    (update.take().expect("one case, updated once"))(stored)
                })
                .await?;
            results.pop().expect("one result for one case")
        }
    }
}

impl<S: HubStore> UpdateOne for S {}

pub async fn store_commit<S: HubStore>(store: &S, case: &CaseId, commit: CaseCommit) {
    store
        .update_case(case, |_| (Some(commit), ()))
        .await
        .unwrap_or_else(|e| panic!("update_case failed: {e}"));
}

/// A fresh case `n` with one change, stored: its document.
pub async fn stored_case<S: HubStore>(store: &S, n: u32, index: &CaseIndex) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(actor(200));
    let commit = edit(&mut doc, "n", i64::from(n), index);
    store_commit(store, &case_id(n), commit).await;
    doc
}

/// The stored document of a case.
pub async fn stored_doc<S: Store>(store: &S, case: &CaseId) -> Option<AutoCommit> {
    let (bytes, _) = store.load_case(case).await.unwrap()?;
    Some(AutoCommit::load(&bytes).unwrap())
}

/// Sorted heads.
pub fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}
