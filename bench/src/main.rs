//! `wangge-bench`: benchmarks measured side by side with their baselines in one run.
//!
//! Filled in with the sync scenarios by the sync issue.

fn main() {}
