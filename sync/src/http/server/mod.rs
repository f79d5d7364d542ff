//! The server side over HTTP: axum handlers for `POST /v1/sync` and the blob endpoints,
//! mounted by the server with [`router`] (or [`sync_router`] and [`blob_router`] apart).
//!
//! The handlers are thin: authenticate through the server's [`Authenticate`], read the
//! request into typed values (a malformed one is a 400 naming what was wrong), make one
//! call on the sans-IO hub, and map its answer onto HTTP. Every refusal goes out as one
//! JSON shape, `{"code": …, "message": …}`, in the caller's `Accept-Language` (zh-CN by
//! default); storage failures are a 503 whose cause is logged with `tracing`, never sent.
//!
//! | Request | Answer |
//! |---|---|
//! | `POST /v1/sync` (`application/x-wangge-sync`) | 200 with the encoded response; 400 for a refused request, 413 over [`Limits::max_message_bytes`](crate::Limits), 503 when the store fails |
//! | blob requests | as laid out in [`crate::blob::http`]; 404 for a blob the caller may not read |
//! | anything without valid credentials (but `OPTIONS`) | 401 `auth.unauthenticated` |

mod auth;
mod blobs;
mod body;
mod error;
mod headers;
mod locale;
mod reply;
mod sync;
mod tus;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{head, post};

pub use auth::{AuthError, Authenticate, bearer_token};
pub use blobs::BlobState;
pub use locale::locale;
pub use sync::SyncState;

use crate::blob::http::BLOBS_PATH;
use crate::blob::{self, BlobStore, ContentCheck};
use crate::http::SYNC_PATH;
use crate::hub::{Hub, HubStore, Policy};

/// Every endpoint: `POST /v1/sync` and the blob endpoints, for the server to
/// [`merge`](Router::merge) into its own router.
pub fn router<S, P, B, C, A>(
    hub: Arc<Hub<S, P>>,
    blobs: Arc<blob::Hub<B, C>>,
    auth: Arc<A>,
) -> Router
where
    S: HubStore + 'static,
    P: Policy + 'static,
    B: BlobStore + 'static,
    C: ContentCheck + 'static,
    A: Authenticate,
{
    sync_router(SyncState {
        hub,
        auth: Arc::clone(&auth),
    })
    .merge(blob_router(BlobState { blobs, auth }))
}

/// `POST /v1/sync` alone.
pub fn sync_router<S, P, A>(state: SyncState<S, P, A>) -> Router
where
    S: HubStore + 'static,
    P: Policy + 'static,
    A: Authenticate,
{
    Router::new()
        .route(SYNC_PATH, post(sync::sync::<S, P, A>))
        .with_state(state)
}

/// The blob endpoints alone: `POST` and `OPTIONS /v1/blobs`, `HEAD`, `GET` and `PATCH
/// /v1/blobs/{sha256}`.
pub fn blob_router<B, C, A>(state: BlobState<B, C, A>) -> Router
where
    B: BlobStore + 'static,
    C: ContentCheck + 'static,
    A: Authenticate,
{
    Router::new()
        .route(
            BLOBS_PATH,
            post(blobs::create::<B, C, A>).options(tus::options::<B, C, A>),
        )
        .route(
            &format!("{BLOBS_PATH}/{{sha256}}"),
            head(blobs::head::<B, C, A>)
                .get(blobs::get::<B, C, A>)
                .patch(blobs::patch::<B, C, A>),
        )
        .layer(middleware::from_fn(tus::envelope))
        .with_state(state)
}
