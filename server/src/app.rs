//! Putting the server together: state, router, serving with graceful shutdown. Tests start
//! the same app on a port-0 listener (`serve`).

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use wangge_sync::Limits;
use wangge_sync::blob::{self, HubConfig};
use wangge_sync::http::server::{BlobState, SyncState, blob_router, sync_router};
use wangge_sync::hub::{Hub, Policy};

use crate::blobs::{DirBlobStore, ImageCheck};
use crate::config::Config;
use crate::metrics;
use crate::routes::{cases, error, health, limits, session};
use crate::services::accounts::Accounts;
use crate::services::session::TokenAuth;
use crate::store::Store;

/// What the JSON API handlers share.
#[derive(Debug, Clone)]
pub struct AppState<S> {
    /// The store.
    pub store: S,
    /// Accounts and tokens.
    pub accounts: Accounts<S>,
    /// Rate limits.
    pub limits: limits::Limits,
}

/// JSON bodies of the API are small; sync and blob bodies have their own limits.
const API_BODY_LIMIT: usize = 64 * 1024;

/// The whole router over `store`, checking uploads with `policy`, photos under the config's
/// data directory.
pub async fn router<S: Store, P: Policy + 'static>(
    store: S,
    policy: P,
    config: &Config,
) -> std::io::Result<Router> {
    let accounts = Accounts::new(store.clone(), config.token_ttl);
    let auth = Arc::new(TokenAuth::new(accounts.clone()));
    let hub = Arc::new(
        Hub::new(store.clone(), policy, Limits::default())
            .with_observer(metrics::SyncMetrics::observer()),
    );
    let blob_store = DirBlobStore::open(config.data_dir.join("blobs")).await?;
    let blobs = Arc::new(blob::Hub::new(blob_store, ImageCheck, HubConfig::default()));
    let rate_limits = limits::Limits::default();
    let state = AppState {
        store,
        accounts,
        limits: rate_limits.clone(),
    };
    let api = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz::<S>))
        .route(
            "/api/session",
            axum::routing::post(session::sign_in::<S>).delete(session::sign_out::<S>),
        )
        .route("/api/me", get(session::me::<S>))
        .route("/api/cases", get(cases::list::<S>))
        .route("/api/cases/{id}", get(cases::get::<S>))
        .route("/metrics", get(metrics::render))
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .with_state(state);
    let sync = sync_router(SyncState {
        hub,
        auth: auth.clone(),
    })
    .route_layer(axum::middleware::from_fn_with_state(
        rate_limits,
        limits::sync,
    ))
    .merge(blob_router(BlobState { blobs, auth }));
    Ok(api
        .merge(sync)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(TraceLayer::new_for_http()))
}

/// Serves `router` on `listener` until `shutdown` resolves; requests under way (a sync
/// batch, an upload) are finished first.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
