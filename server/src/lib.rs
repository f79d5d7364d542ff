//! The Wangge server: validated merge of field edits, blobs, workflow, review console. Filled in by the server issue.
//!
//! This crate is a skeleton for now: it exists so that the workspace layout and the
//! dependency direction (proto ← sync ← {server, mobile-core}) are fixed from the start.
