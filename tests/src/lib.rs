//! End-to-end tests: a real server, real mobile cores, bad networks, faults. Filled in as the server and phone land.
//!
//! This crate is a skeleton for now: it exists so that the workspace layout and the
//! dependency direction (proto ← sync ← {server, mobile-core}) are fixed from the start.
