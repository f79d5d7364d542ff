//! Thin HTTP drivers around the sans-IO protocol, each behind a cargo feature, so the
//! protocol crate itself links no runtime.
//!
//! - `axum` — [`server`]: the request handlers the server mounts into its router
//!   (`POST /v1/sync`, the blob endpoints of [`crate::blob::http`]), with authentication left
//!   to the server through [`server::Authenticate`].
//! - `http-client` — [`client`]: the phone's side over reqwest (rustls, no OpenSSL): one
//!   sync round trip, and the blob [`Upload`](crate::blob::Upload) /
//!   [`Download`](crate::blob::Download) state machines driven until done or until the link
//!   fails. Retrying is the phone library's decision, not this layer's.
//!
//! Both sides agree on the paths and content type below, on the blob mapping in
//! [`crate::blob::http`], on the error body [`ErrorBody`], and on the [`live`] channel's
//! events.

mod error_body;
#[cfg(any(feature = "axum", feature = "http-client"))]
pub mod live;

#[cfg(feature = "http-client")]
pub mod client;
#[cfg(feature = "axum")]
pub mod server;

pub use error_body::ErrorBody;

/// The sync endpoint: `POST` an encoded [`SyncRequest`](crate::wire::SyncRequest), get the
/// encoded [`SyncResponse`](crate::wire::SyncResponse).
pub const SYNC_PATH: &str = "/v1/sync";

/// The content type of sync requests and responses (the [`crate::wire`] envelope).
pub const SYNC_CONTENT_TYPE: &str = "application/x-wangge-sync";
