//! `wangge-server`: runs the server (see `--help`).

use std::process::ExitCode;

use clap::Parser;
use wangge_server::config::{Cli, Config};
use wangge_server::run::run;
use wangge_server::services::validate::PermissionPolicy;
use wangge_server::store::{PgStore, SqliteStore};
use wangge_server::telemetry;

/// mimalloc instead of the system allocator (ADR 0013): a validated merge allocates and frees
/// many small objects, and glibc's allocator took ≈ 20 % of its samples.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let config = match Config::resolve(Cli::parse()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("wangge-server: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("wangge-server: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(start(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "server stopped with an error");
            eprintln!("wangge-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn start(config: Config) -> anyhow::Result<()> {
    use anyhow::Context;

    tokio::fs::create_dir_all(&config.data_dir)
        .await
        .with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
    if config.is_postgres() {
        let store = PgStore::connect(&config.database_url)
            .await
            .context("cannot connect to PostgreSQL")?;
        run(store, PermissionPolicy::new(), config).await
    } else {
        let store = SqliteStore::open(&config.database_url)
            .await
            .context("cannot open the SQLite database")?;
        run(store, PermissionPolicy::new(), config).await
    }
}
