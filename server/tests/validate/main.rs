//! The server's validated-merge rules ([`PermissionPolicy`]) through the real hub: phones
//! upload honest and forged edits, and every refusal leaves the stored case unchanged while
//! the phone keeps its edits aside.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The sync crate's test fixtures (identity, case, typed edit), shared rather than copied.
#[path = "../../../sync/tests/common/mod.rs"]
mod common;
mod creation;
mod events;
mod fields;
mod perf;
mod support;
mod workflow;
