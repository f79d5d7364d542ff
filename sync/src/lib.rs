//! The sync protocol between phones and the server (sans-IO core). Filled in by the sync issue.
//!
//! This crate is a skeleton for now: it exists so that the workspace layout and the
//! dependency direction (proto ← sync ← {server, mobile-core}) are fixed from the start.
