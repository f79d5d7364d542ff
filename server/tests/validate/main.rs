//! The server's validated-merge rules ([`PermissionPolicy`]) through the real hub: phones
//! upload honest and forged edits, and every refusal leaves the stored case unchanged while
//! the phone keeps its edits aside.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod creation;
mod events;
mod fields;
mod perf;
mod support;
mod workflow;
