//! Photos and other blobs: content-addressed, resumable, verified transfer (sans-IO).
//!
//! Photos never go into the case document; a case names each photo by the SHA-256 of its
//! final bytes ([`ContentHash`](wangge_proto::values::ContentHash)), and this module moves
//! those bytes between the phone and the hub over links that drop every few tens of
//! kilobytes. Nothing here does I/O: the phone's [`Upload`] and [`Download`] say what to send
//! and read what came back; the hub's [`Hub`] answers requests over a [`BlobStore`]. The server
//! maps the messages onto HTTP ([`http`], after tus 1.0 core + creation) with axum, the phone
//! onto its HTTP client.
//!
//! An upload:
//!
//! 1. `Head` — the hub answers `Complete` (it already has the blob: nothing is sent),
//!    `Progress{offset}` (resume from there) or `Unknown`;
//! 2. `Create{length}` — refused over the hub's limit;
//! 3. `Patch{offset, body}` until done — the body is a sequence of small checksummed
//!    [`frame`]s, so when the link drops mid-body the hub keeps every whole frame and the
//!    phone, after asking `Head` again, resends at most one frame's worth of bytes;
//! 4. with the last byte the hub checks the whole file's SHA-256 and the [`ContentCheck`]
//!    (image decoding, on the server) before the blob becomes readable.
//!
//! A download is `Get{from}` (`Range: bytes=N-`) until every byte arrived; the phone checks
//! the hash before handing the bytes out. [`upload_order`] decides what the phone sends first.
//!
//! Phone and hub, in one process:
//!
//! ```
//! use wangge_proto::values::ContentHash;
//! use wangge_sync::blob::{
//!     AcceptAll, BlobStore, Hub, HubConfig, MemoryBlobStore, Step, Upload, DEFAULT_CHUNK_BYTES,
//! };
//!
//! # pollster::block_on(async {
//! let hub = Hub::new(MemoryBlobStore::new(), AcceptAll, HubConfig::default());
//! let photo = vec![7u8; 300_000];
//! let hash = ContentHash::of(&photo);
//! let mut upload = Upload::new(hash, photo.len() as u64, DEFAULT_CHUNK_BYTES);
//! while let Some(request) = upload.next_request(&photo)? {
//!     let response = hub.handle(request).await?;
//!     match upload.on_response(response) {
//!         Step::Continue => {}
//!         Step::Done => break,
//!         Step::Failed(error) => return Err(error.into()),
//!     }
//! }
//! assert_eq!(hub.store().read(&hash, 0).await?, Some(photo));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod check;
mod download;
mod error;
pub mod frame;
pub mod http;
mod hub;
mod memory;
mod message;
mod queue;
mod state;
mod step;
mod store;
mod upload;

pub use check::{AcceptAll, ContentCheck};
pub use download::Download;
pub use error::BlobError;
pub use hub::{Hub, HubConfig};
pub use memory::MemoryBlobStore;
pub use message::{BlobRequest, BlobResponse, Incoming};
pub use queue::{BlobKind, NetworkKind, QueueEntry, QueuePolicy, upload_order};
pub use state::StateError;
pub use step::Step;
pub use store::{Append, BlobStore, Partial};
pub use upload::{DEFAULT_CHUNK_BYTES, MAX_STALLED, Upload};
