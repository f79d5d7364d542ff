//! Throwaway databases for the server benchmarks: a SQLite file in a temporary directory, a
//! PostgreSQL database created for one run and dropped after it (the fixture style of the
//! server's store tests). `WANGGE_TEST_PG` overrides the maintenance database URL.
//!
//! If PostgreSQL is unreachable the PostgreSQL figures are skipped, loudly on stderr — and
//! under `CI=true` that is an error instead, so CI never passes without them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use sqlx::{Connection, Executor, PgConnection};
use wangge_server::store::{PgStore, SqliteStore, Store};

use crate::sync::Result;

/// The maintenance database PostgreSQL benchmark databases are created from.
pub fn admin_url() -> String {
    std::env::var("WANGGE_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether PostgreSQL answers; if not, says so loudly (and fails under `CI=true`).
pub async fn postgres_available() -> Result<bool> {
    let url = admin_url();
    match PgConnection::connect(&url).await {
        Ok(conn) => {
            conn.close().await?;
            Ok(true)
        }
        Err(error) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                return Err(format!(
                    "PostgreSQL at {url} is unreachable ({error}); CI=true, so the benchmark \
                     fails instead of skipping its PostgreSQL figures"
                )
                .into());
            }
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!! PostgreSQL figures SKIPPED: {url} is unreachable ({error}). Set \
                 WANGGE_TEST_PG to a maintenance database URL. !!!!!!\n"
            );
            Ok(false)
        }
    }
}

/// A directory removed (with everything in it) when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh directory under the system's temporary directory.
    pub fn new(label: &str) -> Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "wangge-bench-{label}-{}-{:016x}",
            std::process::id(),
            unique()
        ));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A migrated SQLite store on a file in `dir` (WAL, as the server runs it).
pub async fn sqlite(dir: &TempDir) -> Result<SqliteStore> {
    let path = dir.path().join("wangge.db");
    let store = SqliteStore::open(&path.to_string_lossy()).await?;
    store.migrate().await?;
    Ok(store)
}

/// A PostgreSQL database of its own; [`PgDatabase::drop_now`] removes it.
#[derive(Debug)]
pub struct PgDatabase {
    name: String,
    /// Its URL.
    pub url: String,
}

impl PgDatabase {
    /// Creates a fresh database.
    pub async fn create() -> Result<Self> {
        let admin_url = admin_url();
        let mut admin = PgConnection::connect(&admin_url).await?;
        let name = format!("wangge_bench_{}_{:016x}", std::process::id(), unique());
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await?;
        admin.close().await?;
        Ok(Self {
            url: wangge_server::store::with_database(&admin_url, &name),
            name,
        })
    }

    /// A migrated store on it.
    pub async fn store(&self) -> Result<PgStore> {
        let store = PgStore::connect(&self.url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Drops the database (closing whatever is still connected to it).
    pub async fn drop_now(self) -> Result<()> {
        let mut admin = PgConnection::connect(&admin_url()).await?;
        admin
            .execute(format!("DROP DATABASE {} WITH (FORCE)", self.name).as_str())
            .await?;
        admin.close().await?;
        Ok(())
    }
}

/// A number that differs between calls (the clock's nanoseconds and a counter).
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ COUNTER.fetch_add(1, Ordering::Relaxed).rotate_right(16)
}
