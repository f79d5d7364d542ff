//! The sync protocol end to end, in memory: phones and a hub over the simulated network.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
mod convergence;
mod corpus;
mod malformed;
mod recovery;
mod relay;
mod sending;
mod shadow;
mod support;
mod verdicts;
mod wire_format;
