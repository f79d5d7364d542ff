//! The Wangge sync protocol: phones ↔ server (exact, batched, one round trip), phone ↔ phone
//! (automerge's own sync), and photos (resumable, verified blobs). This page is the spec.
//!
//! Everything here is **sans-IO**: the caller passes in received bytes and stored state and
//! gets back bytes to send and what to store. No sockets, no runtime, no clock of its own.
//! The server wires [`hub::Hub`] to SQL and HTTP (`POST /v1/sync`, `/v1/blobs/{sha256}`);
//! the phone wires [`phone::PhoneSync`] to its SQLite store and an HTTP client.
//!
//! # Phone ↔ server
//!
//! The server is a *hub*: it holds every change it ever accepted, so it can tell each phone
//! exactly what it lacks — no bloom filters, no negotiation rounds.
//!
//! ```text
//! phone                                                  hub
//!   | SyncRequest { device, cursor,                       |
//!   |   uploads: [{case, base, changes, relayed}, …],    |
//!   |   refetch: [case, …] }                  ────────▶   | per upload, serialized per case:
//!   |                                                     |   validated merge → verdict
//!   |                                                     | feed: cases in the user's scope
//!   |                                                     |   changed after `cursor`
//!   |   ◀────────  SyncResponse { verdicts: [..],         |
//!   |                updates: [{case, Document|Changes}], |
//!   |                cursor, more, reset }                |
//! ```
//!
//! - **Request.** For every *dirty* case (its heads differ from the hub heads the phone last
//!   acknowledged, its `base`), the changes since `base` (`save_after(base)`); a case the hub
//!   never confirmed goes as all its changes (`save_after([])`, empty base) — as a document
//!   (`save()`, empty base) if it has more than 64, or if the hub asked for it whole. Plus
//!   the phone's feed `cursor` and the cases it needs whole again (`refetch`: its copy is
//!   missing or would not merge).
//! - **Validated merge** ([`hub`]): per case, under the case's lock, the hub forks the stored
//!   document, loads the upload into the fork, refuses orphans, and checks every new change:
//!   its actor is bound to the session's device, or it carries the author device's signature
//!   ([`relay`]); the document is this case and in scope; the server's [`hub::Policy`]
//!   (the permission matrix) agrees. Then it stores the new changes and moves the case to a
//!   new feed position, in one transaction. A refusal stores nothing and never blocks the
//!   other cases of the batch.
//! - **Response.** One [`wire::Verdict`] per upload: `Accepted`; `Rejected` with a code and a
//!   zh-CN/English message (the hub's whole document comes with it, so the phone rebuilds
//!   the case and keeps its refused edits aside as [`phone::RejectedEdits`], never silently
//!   dropped); or `Resend` (the hub lacks the base — it was restored from a backup — so the
//!   phone sends the case whole next time). Then the changes the phone lacks for uploaded
//!   cases, and every case in the user's scope whose feed position is after `cursor`: raw
//!   changes since the heads the hub last delivered to this device, or the compacted
//!   document the first time. The response is bounded (`Limits::response_budget_bytes`);
//!   `more` asks for another round from the new `cursor`.
//! - **Acknowledgement.** The phone stores the whole response in one transaction, and only
//!   then its new `cursor` and acknowledged heads. The hub remembers per device which heads
//!   it delivered under which cursor, and trusts a delivery only once the phone presents that
//!   cursor: a lost response is simply sent again.
//! - **Idempotent.** Changes are keyed by hash; sending the same request twice stores
//!   nothing new and gets the same verdicts.
//! - **Recovery (slower paths).** A phone that lost its state starts again from cursor 0 and
//!   receives every case whole. A hub restored from a backup answers `Resend` for changes
//!   built on heads it lacks, and `reset` to a phone whose cursor is ahead of its feed: the
//!   phone then sends every case whole and reads the feed from the start. Nothing that
//!   either side still holds is lost.
//!
//! # Wire format
//!
//! [`wire`]: a 4-byte header (`"WG"`, version, kind) and a zstd-compressed CBOR body. An
//! unsupported version is refused before anything is decoded, naming the supported range.
//! [`Limits`] bound the message, the decompressed body, the case count and each case's
//! changes; each bound has its own [`Error`].
//!
//! # Phone ↔ phone
//!
//! [`peer`]: automerge's sync protocol, one state per case for one meeting, plus the
//! signatures that let either phone relay the other's changes to the hub ([`relay`]).
//!
//! # Photos
//!
//! [`blob`]: content-addressed by SHA-256, uploaded in resumable framed chunks with a
//! checksum per frame (tus 1.0 core + creation + checksum as reference), `HEAD` first to
//! skip what the hub has, verified whole before acceptance; downloads resume by range.
//!
//! # Transports
//!
//! The protocol itself moves bytes, not connections. Behind cargo features, `http` holds
//! the thin drivers: `axum` gives the server its handlers for `POST /v1/sync` and the blob
//! endpoints (authentication stays the server's, through one trait), `http-client` gives the
//! phone a reqwest (rustls) client that runs one sync round trip and drives blob uploads and
//! downloads until done or until the link fails. With default features no runtime is linked.
//!
//! # Example: a phone and a hub converge
//!
//! ```
//! use automerge::ActorId;
//! use wangge_proto::case::{CaseDocument, CaseSource, NewCase, Origin};
//! use wangge_proto::values::{CaseId, CategoryCode, DeviceId, GridCode, Timestamp, UserId};
//! use wangge_proto::{Role, Scope};
//! use wangge_sync::Limits;
//! use wangge_sync::hub::{AcceptAll, Hub, MemoryHub, Session};
//! use wangge_sync::phone::{MemoryPhone, PhoneSync};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let grid: GridCode = "110105001001001".parse()?;
//! let (user, device) = (UserId::generate(), DeviceId::generate());
//! let actor = ActorId::random();
//! let session = Session {
//!     user,
//!     role: Role::GridWorker,
//!     scope: Scope::Grids { grids: [grid.clone()].into() },
//!     device,
//!     actors: vec![actor.clone()],
//! };
//! let hub = Hub::new(MemoryHub::new(), AcceptAll, Limits::default());
//!
//! // Offline, the grid worker registers a case.
//! let id = CaseId::generate();
//! let case = CaseDocument::create(
//!     &NewCase {
//!         id,
//!         origin: Origin {
//!             reporter: user,
//!             role: Role::GridWorker,
//!             device,
//!             grid,
//!             created_at: Timestamp::from_millis(1_790_000_000_000)?,
//!             source: CaseSource::Patrol,
//!         },
//!         category: "SR-01".parse::<CategoryCode>()?,
//!         title: "小区东门垃圾堆放".into(),
//!         description: "三天未清运".into(),
//!         location: None,
//!     },
//!     actor.clone(),
//! )?;
//! let mut phone = MemoryPhone::new(actor.clone(), None);
//! phone.insert(id, case.into_automerge());
//!
//! // Signal returns: one round trip.
//! let sync = PhoneSync::new(device, vec![actor], Limits::default());
//! let (request, sent) = sync.prepare(&phone)?;
//! let response = pollster::block_on(hub.sync(&session, &request))?;
//! let report = sync.receive(&mut phone, &sent, &response)?;
//! assert_eq!(report.accepted, vec![id]);
//!
//! // Both hold the same document, and the phone has nothing left to send.
//! let mut on_hub = automerge::AutoCommit::load(&hub.store().case_bytes(&id).unwrap())?;
//! let mut on_phone = phone.get(&id).unwrap().doc.clone();
//! assert_eq!(on_hub.get_heads(), on_phone.get_heads());
//! let (again, _) = sync.prepare(&phone)?;
//! assert!(again.len() < 100, "an idle sync is a few dozen bytes");
//! # Ok(())
//! # }
//! ```

pub mod blob;
mod error;
#[cfg(any(feature = "axum", feature = "http-client"))]
pub mod http;
pub mod hub;
mod limits;
pub mod peer;
pub mod phone;
pub mod relay;
#[cfg(feature = "sim")]
pub mod sim;
pub mod wire;

pub use error::Error;
pub use limits::Limits;
