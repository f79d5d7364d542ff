#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The HTTP drivers end to end: a real axum server on a loopback port, real HTTP from the
//! phone's client, the in-memory hub and blob store behind them.

mod blobs;
#[path = "../common/mod.rs"]
mod common;
mod refusals;
mod support;
mod sync;
