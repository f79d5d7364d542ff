//! The Wangge server: validated merge of field edits from phones on SQLite (embedded
//! default) or PostgreSQL (several instances), blobs, accounts and devices, the APIs.
//!
//! Layers, top-down: `routes/` (axum handlers, one error type) → `services/` (use cases, no
//! axum types) → `store/` (one trait, two backends). The sync protocol itself lives in
//! `wangge-sync`; this crate wires its hub to SQL and HTTP.

pub mod app;
pub mod blobs;
pub mod config;
pub mod live;
pub mod metrics;
pub mod routes;
pub mod run;
pub mod seed;
pub mod services;
pub mod store;
pub mod telemetry;
