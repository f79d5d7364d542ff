//! Tests of the simulated bad network (`wangge_sync::sim`), compiled as one binary.
//!
//! Replay a failing randomized test with `WANGGE_SIM_SEED=<seed>`.

// A panic is how a test reports failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod clock;
mod cut;
mod faults;
mod none;
mod replay;
mod robustness;
mod support;
