//! `wangge-bench`: benchmarks of Wangge measured side by side with their baselines in one run.
//!
//! The scenario code lives here as a library so that `main.rs` prints it and an integration
//! test runs it in quick mode in-process.

pub mod mobile;
pub mod report;
pub mod server;
pub mod sync;
