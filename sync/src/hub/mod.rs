//! The hub side: the server holds every accepted change, so it answers each phone exactly.
//!
//! [`Hub::sync`] takes one encoded [`SyncRequest`](crate::wire::SyncRequest) from an
//! authenticated [`Session`] and returns the encoded response. Storage is behind
//! [`HubStore`] (the server implements it over SQL; [`MemoryHub`] is the in-memory one), and
//! every upload goes through [`merge`](self) — the validated merge — and the server's
//! [`Policy`] before anything is stored.

mod cache;
mod chunks;
mod facts;
mod index;
mod lazy_doc;
mod memory;
mod merge;
mod observe;
mod policy;
mod prior;
mod read_case;
mod send;
mod serve;
mod session;
pub mod shadow;
mod store;
mod touched;

pub use cache::{DEFAULT_CACHE_BYTES, DocCache, Lookups};
pub use facts::{CaseFacts, Summary, summarize, summary};
pub use index::CaseIndex;
pub use memory::MemoryHub;
pub use observe::{BatchStats, Moved, Observer};
pub use policy::{AcceptAll, Authored, Policy, Rejection, UploadCheck};
pub use read_case::ReadCase;
pub use serve::Hub;
pub use session::{ActorRecord, Session};
pub use store::{
    BatchResults, CaseCommit, CaseUpdates, FeedEntry, FeedPage, HubStore, LoadedCase, Previous,
    Stored, StoredChange,
};
