//! Integration tests of wangge-proto, compiled as one binary.

// A panic is how a test reports failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod catalogue;
mod convergence;
mod derive;
mod layout;
mod org;
mod permissions;
mod support;
mod values;
