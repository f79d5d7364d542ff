//! The store conformance suite: every test runs against SQLite in memory, SQLite in a
//! temporary file and PostgreSQL in a database of its own (see `support`), and the hub's
//! semantics are those of `wangge_sync::hub::MemoryHub`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

mod accounts;
mod batch;
mod cancellation;
mod cases;
mod compaction;
mod concurrency;
mod delivered;
mod feed;
mod held;
mod hub;
mod inbox;
