//! `sync`: our phone ↔ hub protocol against automerge's own sync protocol, side by side.
//!
//! Every scenario builds the same starting point for both protocols from one seed, runs our
//! protocol ([`wangge_sync::phone`] against [`wangge_sync::hub`]) and the baseline
//! ([`baseline`]: `automerge::sync`, batched per round, zstd) over the same simulated link
//! ([`wangge_sync::sim::Network`]), checks that the phone and the hub ended with identical
//! heads for every case, and computes the scenario's byte bound in the same run. The photo
//! scenario compares our resumable blob upload with a plain upload restarted from zero, over
//! a link that drops every 64 KiB.
//!
//! | scenario | module |
//! | --- | --- |
//! | `dirty-200` | [`dirty`] |
//! | `idle-1000` | [`idle`] |
//! | `offline-day-5000` | [`offline`] |
//! | `photo-cut-64k` | [`photo`] ([`http1`]: blob messages as HTTP/1.1 bytes) |

pub mod baseline;
pub mod cases;
pub mod dirty;
pub mod drive;
pub mod http1;
pub mod idle;
pub mod offline;
pub mod people;
pub mod photo;
pub mod report;
pub mod scene;

use std::collections::BTreeMap;

use serde::Serialize;
use wangge_sync::Limits;

/// Errors of the benchmark: setup or protocol failures, with what happened.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// The benchmark's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Sizes and settings of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Smaller sizes, for tests.
    pub quick: bool,
    /// Seed of every generator and link.
    pub seed: u64,
    /// `dirty`: new cases on the phone.
    pub dirty_new: usize,
    /// `dirty`: cases edited on both sides.
    pub dirty_edited: usize,
    /// `idle`: cases on the phone.
    pub idle_cases: usize,
    /// `offline`: cases the phone holds.
    pub offline_had: usize,
    /// `offline`: of those, cases edited on the server while the phone was offline.
    pub offline_edited: usize,
    /// `offline`: cases created on the server while the phone was offline.
    pub offline_new: usize,
    /// `photo`: the photo's size in bytes.
    pub photo_bytes: usize,
    /// The protocol's limits (both ends).
    pub limits: Limits,
}

impl Config {
    /// The sizes of the targets.
    pub fn full() -> Self {
        Self {
            quick: false,
            seed: 2026,
            dirty_new: 100,
            dirty_edited: 100,
            idle_cases: 1000,
            offline_had: 3000,
            offline_edited: 2500,
            offline_new: 2500,
            photo_bytes: 300_000,
            limits: Limits::default(),
        }
    }

    /// Small sizes (a test runs this in seconds); the response budget shrinks with them so
    /// `offline` still takes several bounded responses.
    pub fn quick() -> Self {
        Self {
            quick: true,
            dirty_new: 10,
            dirty_edited: 10,
            idle_cases: 300,
            offline_had: 150,
            offline_edited: 120,
            offline_new: 120,
            limits: Limits {
                response_budget_bytes: 64 * 1024,
                ..Limits::default()
            },
            ..Self::full()
        }
    }
}

/// One scenario's measurements, as printed and as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// Scenario name, e.g. `dirty-200`.
    pub name: String,
    /// Round trips of our protocol.
    pub round_trips: u64,
    /// Bytes our phone sent, as counted by the link.
    pub bytes_up: u64,
    /// Bytes our phone received, as counted by the link.
    pub bytes_down: u64,
    /// Bytes of the baseline (with zstd), both ways, in the same run.
    pub baseline_bytes: u64,
    /// The target's byte bound, computed in the same run.
    pub limit_bytes: u64,
    /// The phone and the hub hold identical heads for every case (checked).
    pub converged: bool,
    /// Every target of the scenario is met.
    pub pass: bool,
    /// The target, in words.
    pub target: String,
    /// Which target parts failed, if any.
    pub misses: Vec<String>,
    /// Observations that are not targets (e.g. a soft bound passed).
    pub notes: Vec<String>,
    /// Cases involved.
    pub cases: usize,
    /// Baseline round trips.
    pub baseline_round_trips: u64,
    /// Baseline bytes without compression, both ways.
    pub baseline_raw_bytes: u64,
    /// The baseline also converged.
    pub baseline_converged: bool,
    /// Scenario-specific figures (payload sizes, largest response, …).
    pub details: BTreeMap<String, u64>,
}

impl ScenarioResult {
    /// Our bytes, both ways.
    pub fn bytes(&self) -> u64 {
        self.bytes_up + self.bytes_down
    }
}

/// Runs every scenario of `config`, in the order of the table. The scenarios share nothing,
/// so the biggest one runs on its own thread (the run is meant to fit 2 cores).
pub fn run(config: &Config) -> Result<Vec<ScenarioResult>> {
    std::thread::scope(|scope| {
        let offline = scope.spawn(|| offline::run(config).map_err(|e| e.to_string()));
        let dirty = dirty::run(config)?;
        let idle = idle::run(config)?;
        let photo = photo::run(config)?;
        let offline = offline
            .join()
            .map_err(|_| "the offline scenario panicked")??;
        Ok(vec![dirty, idle, offline, photo])
    })
}

/// `x × 1.1`, rounded up.
pub(crate) fn times_1_1(x: u64) -> u64 {
    (x * 11).div_ceil(10)
}

/// A length as `u64`.
pub(crate) fn len64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// zstd level 3, the level of our wire format and of the baseline batches.
pub(crate) fn zstd_len(bytes: &[u8]) -> Result<u64> {
    Ok(len64(zstd::bulk::compress(bytes, 3)?.len()))
}
