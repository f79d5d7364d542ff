//! `mobile`: the phone library's figures from issue 5, measured in-process on one core (the
//! peak-memory figures in a child process of this binary, so nothing else is resident).
//!
//! | figure | module | what |
//! | --- | --- | --- |
//! | `photo-12mp` | [`photo_speed`] | a 12 MP camera JPEG → 1600 px main picture + 320 px thumbnail, median time, next to the image crate's plain path ([`baseline`]) on the same photos |
//! | `photo-12mp-bytes` | [`photo_speed`] | the main file's bytes and PSNR against a Lanczos3 reference, next to the plain path's |
//! | `photo-12mp-webp`, `photo-12mp-portable` | [`photo_speed`] | informational: WebP output, and the pure-Rust engine |
//! | `photo-peak-mem` | [`peak`] | peak extra resident memory while one 12 MP photo is processed |
//! | `photo-bomb` | [`bomb`] | a tiny file claiming 60000 × 60000 (and 12000 × 12000) refused: time and memory |
//! | `store-open-10k` | [`store_open`] | a fresh process opens a store of 10,000 cases and lists the 50 most recent: time and resident memory |
//! | `edit-durable` | [`edit_durable`] | p99 of a field edit or comment until durable, next to a bare SQLite commit |
//!
//! Each figure is one module with a `run(&Config, …) -> Result<Vec<Figure>>`; [`run`] lists
//! them, in the order of the table. The photos are generated from the seed ([`photos`], the
//! same generator the phone library's tests use), the store from it too ([`store_fill`]).

pub mod baseline;
pub mod bomb;
pub mod edit_durable;
pub mod peak;
pub mod photo_speed;
pub mod photos;
pub mod store_fill;
pub mod store_open;

use std::path::PathBuf;

pub use crate::report::{self, Figure};
use crate::sync::Result;

/// Sizes of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Smaller sizes, for tests (the targets are for full runs).
    pub quick: bool,
    /// Only the `photo-*` figures (`--only photo`, for iterating on the photo pipeline; a
    /// full run still measures every figure).
    pub only_photo: bool,
    /// Seed of every generator.
    pub seed: u64,
    /// Camera photos measured (different scenes).
    pub photos: usize,
    /// Width and height of each photo (4032 × 3024: 12 MP).
    pub photo_size: (u32, u32),
    /// Timed runs per photo and path; the median over all is reported.
    pub repeats: usize,
    /// Timed refusals per bomb; the median is reported.
    pub bomb_repeats: usize,
    /// Cases in the phone store of the store figures.
    pub store_cases: usize,
    /// Fresh processes that open the store; the median is reported.
    pub store_runs: usize,
    /// Timed durable edits.
    pub edits: usize,
    /// `wangge-bench-phone`, started as the children that measure peak memory and the store's
    /// cold open (`__photo-child`, `__store-child`): on the C library's allocator, as in an
    /// app, not on the server's that `wangge-bench` declares.
    pub child_executable: PathBuf,
}

impl Config {
    /// The sizes of the targets.
    pub fn full() -> Self {
        Self {
            quick: false,
            only_photo: false,
            seed: 2026,
            photos: 3,
            photo_size: (4032, 3024),
            repeats: 5,
            bomb_repeats: 200,
            store_cases: 10_000,
            store_runs: 5,
            edits: 500,
            child_executable: phone_child_executable(),
        }
    }

    /// Small sizes, for the integration test: one 2 MP photo, one run.
    pub fn quick() -> Self {
        Self {
            quick: true,
            photos: 1,
            photo_size: (1632, 1224),
            repeats: 1,
            bomb_repeats: 20,
            store_cases: 1_000,
            store_runs: 2,
            edits: 50,
            ..Self::full()
        }
    }
}

/// Runs every figure of `config`, in the order of the table.
pub fn run(config: &Config) -> Result<Vec<Figure>> {
    let photos = photos::generate(config);
    let mut figures = photo_speed::run(config, &photos)?;
    figures.extend(peak::run(config, &photos)?);
    figures.extend(bomb::run(config)?);
    if config.only_photo {
        return Ok(figures);
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("phone.db");
    let worker = store_fill::worker(config.seed);
    let cases = store_fill::fill(&path, &worker, config.store_cases, config.seed)?;
    figures.extend(store_open::run(config, &path, cases.len())?);
    figures.extend(edit_durable::run(config, &path, &cases)?);
    Ok(figures)
}

/// Whether a missed target of `figure` means a wrong result (a bomb accepted, a photo
/// refused), not just a slow or large one.
pub fn is_correctness(figure: &Figure) -> bool {
    figure.name == "photo-bomb" && figure.details.get("refused") != Some(&1.0)
}

/// The `q` quantile (0.0–1.0, nearest rank) of `values` (0 when empty).
pub(crate) fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = (q * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// `wangge-bench-phone` beside this executable (cargo builds both into one directory).
fn phone_child_executable() -> PathBuf {
    const NAME: &str = "wangge-bench-phone";
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(NAME)))
        .unwrap_or_else(|| PathBuf::from(NAME))
}

/// A `kB` line of `/proc/self/status` (Linux), such as `VmHWM:`.
pub(crate) fn status_kib(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .ok_or_else(|| format!("no {field} in /proc/self/status"))?;
    Ok(line
        .trim_start_matches(field)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?)
}

/// The median of `values` (0 when empty).
pub(crate) fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}
