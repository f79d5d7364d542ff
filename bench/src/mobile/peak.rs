//! `photo-peak-mem`: peak extra resident memory while one 12 MP photo is processed, measured
//! in a child process (`wangge-bench-phone __photo-child`, photo on stdin), so nothing else
//! the benchmark holds is counted, and on the C library's allocator, as in an app.
//!
//! The child processes a small photo first (so code pages and lazily built tables are
//! resident, as in an app that has processed a photo before), resets its peak with
//! `/proc/self/clear_refs`, reads `VmRSS`, processes the photo, and reads `VmHWM`: the figure
//! is the difference. Resident memory counts what libjpeg and libwebp allocate with `malloc`
//! too, which a counting Rust allocator would miss; it does not count memory allocated but
//! never touched. Linux only.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};
use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, scene};
use wangge_mobile::photo::{self, PhotoOptions};

use super::{Config, Figure, status_kib};
use crate::sync::Result;

/// The subcommand that runs [`child_main`].
pub const CHILD_COMMAND: &str = "__photo-child";

/// The target, in MB (10⁶ bytes).
const MAX_EXTRA_MB: f64 = 40.0;

/// What the child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildReport {
    /// Resident memory right before processing, KiB.
    pub before_kib: u64,
    /// Peak resident memory while processing, KiB.
    pub peak_kib: u64,
    /// `ok`, or the error code of the refusal.
    pub outcome: String,
}

impl ChildReport {
    /// Peak extra resident memory in bytes.
    pub fn extra_bytes(&self) -> u64 {
        self.peak_kib.saturating_sub(self.before_kib) * 1024
    }
}

/// Runs the row on the first photo.
pub fn run(config: &Config, photos: &[Vec<u8>]) -> Result<Vec<Figure>> {
    let jpeg = photos.first().ok_or("no photo")?;
    let report = measure(config, jpeg)?;
    let value = report.extra_bytes() as f64 / 1e6;
    let mut details = BTreeMap::new();
    details.insert(
        "before_mb".to_owned(),
        report.before_kib as f64 * 1024.0 / 1e6,
    );
    details.insert("file_bytes".to_owned(), jpeg.len() as f64);
    Ok(vec![Figure {
        name: "photo-peak-mem".to_owned(),
        backend: "native".to_owned(),
        value,
        unit: "MB".to_owned(),
        baseline: None,
        target: format!("≤ {MAX_EXTRA_MB} MB extra while processing one 12 MP photo"),
        met: report.outcome == "ok" && value <= MAX_EXTRA_MB,
        details,
        notes: vec![format!(
            "VmHWM − VmRSS of a child process around one photo::process of a {} × {} photo \
             (peak reset by /proc/self/clear_refs after a warm-up photo); outcome {}",
            config.photo_size.0, config.photo_size.1, report.outcome
        )],
    }])
}

/// Processes `bytes` in a child process and returns its report.
pub fn measure(config: &Config, bytes: &[u8]) -> Result<ChildReport> {
    let mut child = Command::new(&config.child_executable)
        .arg(CHILD_COMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", config.child_executable.display()))?;
    child
        .stdin
        .take()
        .ok_or("no stdin for the child")?
        .write_all(bytes)?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(format!("the peak-memory child failed: {}", output.status).into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// The child: reads a photo from stdin, processes it, prints a [`ChildReport`] as JSON.
pub fn child_main() -> Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes)?;
    bytes.shrink_to_fit();
    let options = PhotoOptions::default();
    let warm_up = camera_jpeg(&scene(640, 480, 1), 92, &CameraExif::default());
    photo::process(&warm_up, &options, &mut |_| {})?;
    drop(warm_up);
    std::fs::write("/proc/self/clear_refs", "5")?;
    let before_kib = status_kib("VmRSS:")?;
    let outcome = match photo::process(&bytes, &options, &mut |_| {}) {
        Ok(_) => "ok".to_owned(),
        Err(error) => error.code().to_owned(),
    };
    let peak_kib = status_kib("VmHWM:")?;
    Ok(serde_json::to_string(&ChildReport {
        before_kib,
        peak_kib,
        outcome,
    })?)
}
