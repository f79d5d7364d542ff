//! `store-open-10k`: open a phone store holding 10,000 cases and list the 50 most recently
//! updated — what an app does on a cold start before it can draw its first screen.
//!
//! Measured in a child process (`wangge-bench-phone __store-child PATH`, on the C library's
//! allocator, as in an app), so the time includes opening the SQLite file and the schema
//! check, and the resident memory is the whole process's peak (`VmHWM`), the figure a phone's
//! OS judges the app by. The file was just
//! written, so it is in the page cache, as it is for an app reopened during a day.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use wangge_mobile::store::{CaseFilter, CaseStore};

use super::{Config, Figure, median, status_kib};
use crate::sync::Result;

/// The subcommand that runs [`child_main`].
pub const CHILD_COMMAND: &str = "__store-child";

/// The targets.
const MAX_MS: f64 = 100.0;
const MAX_RESIDENT_MB: f64 = 50.0;

/// What the child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildReport {
    /// Open + list, milliseconds.
    pub ms: f64,
    /// Lines listed.
    pub listed: usize,
    /// Peak resident memory of the child, KiB.
    pub peak_kib: u64,
}

/// Runs the figure: `config.store_runs` children, the median time and the largest peak.
pub fn run(config: &Config, path: &Path, cases: usize) -> Result<Vec<Figure>> {
    let mut times = Vec::new();
    let mut peak_kib = 0;
    for _ in 0..config.store_runs {
        let report = measure(config, path)?;
        if report.listed != 50.min(cases) {
            return Err(format!("listed {} cases, expected 50", report.listed).into());
        }
        times.push(report.ms);
        peak_kib = peak_kib.max(report.peak_kib);
    }
    let resident_mb = peak_kib as f64 * 1024.0 / 1e6;
    let value = median(&mut times);
    let mut details = BTreeMap::new();
    details.insert("cases".to_owned(), cases as f64);
    details.insert("resident_mb".to_owned(), resident_mb);
    details.insert("max_ms".to_owned(), times.last().copied().unwrap_or(0.0));
    details.insert(
        "file_mb".to_owned(),
        std::fs::metadata(path)?.len() as f64 / 1e6,
    );
    Ok(vec![Figure {
        name: "store-open-10k".to_owned(),
        backend: "sqlite".to_owned(),
        value,
        unit: "ms".to_owned(),
        baseline: None,
        target: format!("≤ {MAX_MS} ms and ≤ {MAX_RESIDENT_MB} MB resident"),
        met: value <= MAX_MS && resident_mb <= MAX_RESIDENT_MB,
        details,
        notes: vec![format!(
            "median of {} fresh processes: CaseStore::open + list(50 most recently updated) over \
             {cases} cases; peak resident {resident_mb:.1} MB (VmHWM of the whole process)",
            config.store_runs
        )],
    }])
}

/// Opens and lists in a child process.
fn measure(config: &Config, path: &Path) -> Result<ChildReport> {
    let output = Command::new(&config.child_executable)
        .arg(CHILD_COMMAND)
        .arg(path)
        .output()
        .map_err(|e| format!("cannot start {}: {e}", config.child_executable.display()))?;
    if !output.status.success() {
        return Err(format!(
            "the store child failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// The child: opens the store at `path`, lists the 50 most recently updated cases, prints a
/// [`ChildReport`] as JSON.
pub fn child_main(path: &str) -> Result<String> {
    let started = Instant::now();
    let store = CaseStore::open(path)?;
    let lines = store.list(&CaseFilter {
        limit: Some(50),
        ..CaseFilter::default()
    })?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    Ok(serde_json::to_string(&ChildReport {
        ms,
        listed: lines.len(),
        peak_kib: status_kib("VmHWM:")?,
    })?)
}
