//! The phone library that the grid workers', secretaries' and department handlers' apps
//! embed: the offline case store ([`store`]), the photo evidence pipeline and the sync
//! client, with a thin uniffi layer at the edge for Android and iOS.
//!
//! A plain Rust API first: everything the apps can do is a method here, tested from Rust;
//! the bindings only translate.

pub mod client;
pub mod store;

pub use client::{ClientError, SyncClient};
pub use store::{CaseStore, StoreError};
