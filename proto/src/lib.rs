//! Wangge's domain, shared by the phone and the server: validated values, the organisation
//! tree, roles, the case document and its automerge layout, workflow events and the one pure
//! function that derives a case's state from them, the permission matrix, and the item
//! catalogue.
//!
//! This crate does no I/O and depends on no runtime (no tokio, sqlx, axum or reqwest): both
//! ends link it, and everything here must behave identically on a phone and on the server.
//!
//! The parts, bottom-up:
//! - [`values`]: ids and codes that cannot hold invalid values;
//! - [`org`], [`role`], [`scope`]: who exists, in which capacity they act, what they may see;
//! - [`catalogue`]: what cases can be about (综合性事项清单);
//! - [`workflow`]: append-only events and [`workflow::derive`];
//! - [`permissions`]: which role may take which step and edit which field, in which status;
//! - [`case`]: the case document and its typed reads and writes.

pub mod case;
pub mod catalogue;
mod error;
pub mod locale;
pub mod org;
pub mod permissions;
pub mod role;
pub mod scope;
pub mod values;
pub mod workflow;

pub use error::Error;
pub use locale::{Label, Locale};
pub use role::Role;
pub use scope::Scope;
