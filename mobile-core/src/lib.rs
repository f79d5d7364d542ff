//! The phone library: offline case store, photo evidence pipeline, sync client, uniffi bindings. Filled in by the mobile-core issue.
//!
//! - [`photo`]: camera pictures in, the stripped, resized, hashed files a case stores out.

pub mod photo;
