//! `edit-durable`: the time an app waits for a field edit to be durable — the call returns
//! after its SQLite transaction committed with `synchronous = FULL` (an fsync of the WAL), so
//! the edit survives a dead battery.
//!
//! Measured on the filled store ([`super::store_fill`]): title edits and comments on random
//! cases of the worker's grids, each timed from the call to its return; the figure is the
//! 99th percentile. The baseline is the floor any durable store pays on this disk: a one-row
//! `INSERT` committed in a bare SQLite database with the same journal settings.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use wangge_mobile::store::{CaseStore, FieldEdit};
use wangge_proto::values::CaseId;

use super::{Config, Figure, percentile};
use crate::sync::Result;

/// The target for the 99th percentile.
const MAX_P99_MS: f64 = 5.0;

/// Runs the figure on the store at `path` holding `cases`.
pub fn run(config: &Config, path: &Path, cases: &[CaseId]) -> Result<Vec<Figure>> {
    let mut store = CaseStore::open(path)?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut times = Vec::with_capacity(config.edits);
    for n in 0..config.edits {
        let case = cases[rng.random_range(0..cases.len())];
        let started = Instant::now();
        if n % 2 == 0 {
            store.edit_field(&case, FieldEdit::Title(format!("垃圾堆放（复查 {n}）")))?;
        } else {
            store.comment(&case, "已复查，物业已清理一半")?;
        }
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let baseline = bare_commits(path, config.edits)?;
    let p99 = percentile(&mut times, 0.99);
    let mut details = BTreeMap::new();
    details.insert("p50_ms".to_owned(), percentile(&mut times, 0.5));
    details.insert("max_ms".to_owned(), percentile(&mut times, 1.0));
    details.insert("edits".to_owned(), config.edits as f64);
    details.insert("cases".to_owned(), cases.len() as f64);
    Ok(vec![Figure {
        name: "edit-durable".to_owned(),
        backend: "sqlite".to_owned(),
        value: p99,
        unit: "ms p99".to_owned(),
        baseline: Some(baseline),
        target: format!("p99 ≤ {MAX_P99_MS} ms"),
        met: p99 <= MAX_P99_MS,
        details,
        notes: vec![format!(
            "{} edits (title edits and comments alternating) on random cases of a store with {} \
             cases, each one transaction with synchronous = FULL; baseline: p99 of a one-row \
             INSERT committed in a bare SQLite file with the same settings",
            config.edits,
            cases.len()
        )],
    }])
}

/// The p99 of `count` one-row durable commits in a bare database beside `path`.
fn bare_commits(path: &Path, count: usize) -> Result<f64> {
    let bare = path.with_extension("bare.db");
    let conn = Connection::open(&bare)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE IF NOT EXISTS edits (id INTEGER PRIMARY KEY, body BLOB)")?;
    let body = vec![7u8; 300];
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        conn.execute("INSERT INTO edits (body) VALUES (?1)", [&body])?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    drop(conn);
    std::fs::remove_file(&bare)?;
    Ok(percentile(&mut times, 0.99))
}
