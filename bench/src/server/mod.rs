//! `server`: the server's figures from issue 4, measured on SQLite and PostgreSQL side by side
//! in one run, load generated in-process on loopback.
//!
//! | figure | module | what |
//! | --- | --- | --- |
//! | `merge-validated` | [`merge`] | validated case changes merged per second by [`wangge_sync::hub::Hub::sync`] on one core, batches of 200, next to the same changes merged unvalidated |
//! | `sync-200-phones` | [`phones`] | the real server app on a port-0 listener, 200 enrolled phones syncing at once over HTTP |
//! | `inbox-1m` | [`inbox`] | a secretary's review inbox, filtered, 50 rows, over 1,000,000 cases on PostgreSQL |
//!
//! Each figure is one module with a `run(&Config, …) -> Result<Vec<Figure>>`; [`run`] lists
//! them. PostgreSQL runs in its own process (the server under test is this
//! one); when it is unreachable its figures are skipped loudly ([`databases`]).

pub mod cpu;
pub mod databases;
pub mod inbox;
pub mod merge;
pub mod phones;
pub mod steps;

/// The figures' table and JSON, shared with the other benchmarks.
pub use crate::report::{self, Figure};

use crate::sync::Result;

/// Sizes of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Smaller sizes, for tests.
    pub quick: bool,
    /// Seed of every generator.
    pub seed: u64,
    /// `merge`: cases per batch (one sync request).
    pub batch: usize,
    /// `merge`: groups of `batch` cases, each taken through the whole life cycle.
    pub groups: usize,
    /// `merge`: replays of the same uploads per store and policy; the best is reported.
    pub repeats: usize,
    /// `phones`: phones syncing at once.
    pub phones: usize,
    /// `phones`: dirty cases per phone.
    pub cases_per_phone: usize,
    /// Run `merge` only (while iterating on it); the full run measures every figure.
    pub only_merge: bool,
}

impl Config {
    /// The sizes of the targets.
    pub fn full() -> Self {
        Self {
            quick: false,
            seed: 2026,
            batch: 200,
            groups: 4,
            repeats: 2,
            phones: 200,
            cases_per_phone: 20,
            only_merge: false,
        }
    }

    /// Small sizes, for the integration test: batches of 100, fewer phones.
    pub fn quick() -> Self {
        Self {
            quick: true,
            batch: 100,
            groups: 1,
            repeats: 1,
            phones: 40,
            cases_per_phone: 5,
            ..Self::full()
        }
    }
}

/// Runs every figure of `config`, in the order of the table.
pub fn run(config: &Config) -> Result<Vec<Figure>> {
    let postgres = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(databases::postgres_available())?;
    let mut figures = merge::run(config, postgres)?;
    if config.only_merge {
        return Ok(figures);
    }
    figures.extend(phones::run(config, postgres)?);
    figures.extend(inbox::run(config, postgres)?);
    Ok(figures)
}

/// Whether a missed target of `figure` means lost or refused data (not just a slow figure).
pub fn is_correctness(figure: &Figure) -> bool {
    figure.name.starts_with("sync-")
}
