//! The phone library that the grid workers', secretaries' and department handlers' apps
//! embed, with a thin uniffi layer at the edge for Android and iOS:
//!
//! - [`store`]: the offline case store on SQLite;
//! - [`photo`]: camera pictures in, the stripped, resized, hashed files a case stores out;
//! - [`client`]: sign-in and sync with the server.
//!
//! A plain Rust API first: everything the apps can do is a method here, tested from Rust;
//! the bindings only translate.

pub mod client;
pub mod photo;
pub mod store;

pub use client::{ClientError, SyncClient};
pub use store::{CaseStore, StoreError};
