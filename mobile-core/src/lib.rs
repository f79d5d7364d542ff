//! The phone library: offline case store, photo evidence pipeline, sync client, uniffi bindings. Filled in by the mobile-core issue.
//!
//! This crate is a skeleton for now: it exists so that the workspace layout and the
//! dependency direction (proto ← sync ← {server, mobile-core}) are fixed from the start.
