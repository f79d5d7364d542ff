//! The server through its public pieces: configuration, accounts, the HTTP API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod blobs;
mod cases;
mod config;
mod e2e;
mod forged;
mod live;
mod metrics;
mod openapi;
mod phone;
#[allow(dead_code, unused_macros)]
#[path = "../store/support.rs"]
mod store_support;
