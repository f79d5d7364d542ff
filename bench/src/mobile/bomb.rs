//! `photo-bomb`: a tiny, complete JPEG whose header claims 60000 × 60000 pixels (and one
//! claiming 12000 × 12000, which `image::Limits::default()` would let allocate 417 MB) is
//! refused with `photo_too_many_pixels`: the median time of a refusal in-process, and the
//! peak extra resident memory of one refusal in the child of [`super::peak`].

use std::collections::BTreeMap;
use std::time::Instant;

use wangge_mobile::photo::testdata::bomb_jpeg;
use wangge_mobile::photo::{self, PhotoError, PhotoOptions};

use super::{Config, Figure, median, peak};
use crate::sync::Result;

/// The target per refusal.
const MAX_MS: f64 = 1.0;
/// "No large allocation": the refusal's peak extra resident memory stays below this.
const MAX_EXTRA_BYTES: u64 = 1_000_000;

/// Runs the row.
pub fn run(config: &Config) -> Result<Vec<Figure>> {
    let options = PhotoOptions::default();
    let mut details = BTreeMap::new();
    let mut refused = true;
    let mut worst_ms: f64 = 0.0;
    let mut worst_extra = 0;
    for side in [60_000u16, 12_000] {
        let file = bomb_jpeg(side, side);
        let mut millis = Vec::with_capacity(config.bomb_repeats);
        for _ in 0..config.bomb_repeats {
            let started = Instant::now();
            let result = photo::process(&file, &options, &mut |_| {});
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
            refused &= matches!(result, Err(PhotoError::TooManyPixels { .. }));
        }
        let ms = median(&mut millis);
        let report = peak::measure(config, &file)?;
        refused &= report.outcome == "photo_too_many_pixels";
        worst_ms = worst_ms.max(ms);
        worst_extra = worst_extra.max(report.extra_bytes());
        details.insert(format!("us_{side}"), ms * 1000.0);
        details.insert(
            format!("extra_kb_{side}"),
            report.extra_bytes() as f64 / 1000.0,
        );
        details.insert(format!("file_bytes_{side}"), file.len() as f64);
    }
    details.insert("refused".to_owned(), if refused { 1.0 } else { 0.0 });
    Ok(vec![Figure {
        name: "photo-bomb".to_owned(),
        backend: "native".to_owned(),
        value: worst_ms * 1000.0,
        unit: "µs".to_owned(),
        baseline: None,
        target: format!(
            "each refused in < {MAX_MS} ms, no large allocation (< {} MB extra resident)",
            MAX_EXTRA_BYTES / 1_000_000
        ),
        met: refused && worst_ms < MAX_MS && worst_extra < MAX_EXTRA_BYTES,
        details,
        notes: vec![
            "value = the slower median of the two claims; extra resident memory measured in \
             the peak-memory child process"
                .to_owned(),
        ],
    }])
}
