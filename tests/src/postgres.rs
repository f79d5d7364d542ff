//! A PostgreSQL database of its own for one end-to-end test, created next to the maintenance
//! database named by `WANGGE_TEST_PG` (default: the local server's `postgres`) and dropped
//! when the test's server stops.

use std::io::Write;

use sqlx::{Connection, Executor, PgConnection};
use wangge_server::store::with_database;

/// A database created for one test.
pub(crate) struct TestDatabase {
    /// Its URL.
    pub url: String,
    admin_url: String,
    name: String,
}

fn admin_url() -> String {
    std::env::var("WANGGE_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDatabase {
    /// A new, empty database; `None` (said on stderr) if PostgreSQL is unreachable outside CI.
    pub async fn create() -> Option<Self> {
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
                let _ = writeln!(
                    std::io::stderr(),
                    "\n!!!!!! PostgreSQL end-to-end test SKIPPED: {admin_url} is unreachable \
                     ({e}). Set WANGGE_TEST_PG to a maintenance database URL. !!!!!!\n"
                );
                return None;
            }
        };
        let name = format!("wangge_e2e_{}_{}", std::process::id(), unique());
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("CREATE DATABASE");
        let _ = admin.close().await;
        Some(Self {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
        })
    }

    /// Drops the database (the server's connections, if any are left, are ended).
    pub async fn drop_now(self) {
        if let Ok(mut admin) = PgConnection::connect(&self.admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = admin.execute(sql.as_str()).await;
            let _ = admin.close().await;
        }
    }
}

/// A number no other database of this process has used.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
