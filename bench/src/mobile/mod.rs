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
//!
//! Each figure is one module with a `run(&Config, …) -> Result<Vec<Figure>>`; [`run`] lists
//! them, in the order of the table — add the store figures (`store-open-10k`,
//! `edit-durable`) as further modules and lines there. The photos are generated from the seed
//! ([`photos`], the same generator the phone library's tests use).

pub mod baseline;
pub mod bomb;
pub mod peak;
pub mod photo_speed;
pub mod photos;

use std::path::PathBuf;

pub use crate::report::{self, Figure};
use crate::sync::Result;

/// Sizes of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Smaller sizes, for tests (the targets are for full runs).
    pub quick: bool,
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
    /// This benchmark's executable, started again as the child that measures peak memory
    /// (`wangge-bench __photo-child`).
    pub executable: PathBuf,
}

impl Config {
    /// The sizes of the targets.
    pub fn full() -> Self {
        Self {
            quick: false,
            seed: 2026,
            photos: 3,
            photo_size: (4032, 3024),
            repeats: 5,
            bomb_repeats: 200,
            executable: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("wangge-bench")),
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
    Ok(figures)
}

/// Whether a missed target of `figure` means a wrong result (a bomb accepted, a photo
/// refused), not just a slow or large one.
pub fn is_correctness(figure: &Figure) -> bool {
    figure.name == "photo-bomb" && figure.details.get("refused") != Some(&1.0)
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
