//! Putting the server together: state, router, the live channel, serving with graceful
//! shutdown. Tests start the same app on a port-0 listener (`serve`).

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use wangge_sync::Limits;
use wangge_sync::blob::{self, HubConfig};
use wangge_sync::http::live::LIVE_PATH;
use wangge_sync::http::server::{BlobState, SyncState, blob_router, sync_router};
use wangge_sync::hub::{Hub, Policy};

use crate::blobs::{BlobBackend, DirBlobStore, ImageCheck, ObjectBlobStore};
use crate::config::Config;
use crate::live::{Live, LiveSettings};
use crate::metrics;
use crate::routes::{cases, error, health, limits, live, openapi, session};
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

/// The app: its router, and the live channel its sync endpoint feeds (which [`serve`]
/// closes when shutdown starts, so open live streams do not hold it up).
#[derive(Debug, Clone)]
pub struct App {
    /// Every route.
    pub router: Router,
    /// The live channel.
    pub live: Live,
}

/// The whole app over `store`, checking uploads with `policy`, photos under the config's
/// data directory; on PostgreSQL its live channel is shared with every instance on the
/// database.
pub async fn router<S: Store, P: Policy + 'static>(
    store: S,
    policy: P,
    config: &Config,
) -> std::io::Result<App> {
    let accounts = Accounts::new(store.clone(), config.token_ttl);
    let auth = Arc::new(TokenAuth::new(accounts.clone()));
    let live = Live::new(LiveSettings {
        keep_alive: config.live_keep_alive,
        recheck: config.live_recheck,
    });
    if let Some(pool) = store.postgres() {
        live.share_over_postgres(pool);
    }
    let hub = Arc::new(
        Hub::new(store.clone(), policy, Limits::default())
            .with_cache_bytes(config.hub_cache_bytes)
            .with_observer(metrics::SyncMetrics::observer())
            .with_observer(live.observer()),
    );
    let blob_store = blob_backend(config).await?;
    let blobs = Arc::new(blob::Hub::new(blob_store, ImageCheck, HubConfig::default()));
    let rate_limits = limits::Limits::default();
    let live_routes = Router::new()
        .route(LIVE_PATH, get(live::live::<S>))
        .with_state(live::LiveState {
            accounts: accounts.clone(),
            live: live.clone(),
        });
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
        .route("/api/openapi.json", get(openapi::openapi_json))
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
    let router = api
        .merge(sync)
        .merge(live_routes)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(TraceLayer::new_for_http())
        // Outermost: a `?token=` leaves the URI before anything logs it.
        .layer(axum::middleware::from_fn(live::token_from_query));
    Ok(App { router, live })
}

/// The configured blob store: object storage if a URL is given, else `DATA_DIR/blobs`.
async fn blob_backend(config: &Config) -> std::io::Result<BlobBackend> {
    match &config.blob_store {
        Some(url) => ObjectBlobStore::from_url(url)
            .map(BlobBackend::Object)
            .map_err(|e| std::io::Error::other(format!("blob store {url:?}: {e}"))),
        None => Ok(BlobBackend::Dir(
            DirBlobStore::open(config.data_dir.join("blobs")).await?,
        )),
    }
}

/// Serves `app` on `listener` until `shutdown` resolves; requests under way (a sync batch,
/// an upload) are finished first, and live streams end at once.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let live = app.live;
    axum::serve(listener, app.router)
        .with_graceful_shutdown(async move {
            shutdown.await;
            live.close();
        })
        .await
}
