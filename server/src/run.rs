#![allow(clippy::print_stdout)] // run.rs prints where to sign in
//! Start-up: migrate, seed the demo organisation on an empty database, bind, say where to
//! sign in, serve until Ctrl-C or SIGTERM.

use tokio::net::TcpListener;
use wangge_proto::{Label, Locale};
use wangge_sync::hub::Policy;

use crate::app;
use crate::config::Config;
use crate::seed::{self, DEMO_PASSWORD};
use crate::store::Store;

/// Runs the server over `store` until a shutdown signal.
pub async fn run<S: Store, P: Policy + 'static>(
    store: S,
    policy: P,
    config: Config,
) -> anyhow::Result<()> {
    store.migrate().await?;
    let computed = store
        .backfill_query_rows(&wangge_proto::workflow::DeadlinePolicy::default())
        .await?;
    if computed > 0 {
        tracing::info!(
            cases = computed,
            "computed query rows of cases stored before them"
        );
    }
    if config.demo {
        let seeded = seed::seed_demo(&store).await?;
        if !seeded.is_empty() {
            tracing::info!(accounts = seeded.len(), "seeded the demo organisation");
            println!("演示账号 / demo accounts (password: {DEMO_PASSWORD}):");
            for account in &seeded {
                println!(
                    "  {:<10} {}",
                    account.login,
                    account.role.label(Locale::ZhCn)
                );
            }
        }
    }
    let router = app::router(store, policy, &config).await?;
    let listener = TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    tracing::info!(%address, database = %redact(&config.database_url), "listening");
    println!("Wangge server on http://{address}  (sign in: POST /api/session)");
    app::serve(listener, router, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The database URL without a password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests under way");
}
