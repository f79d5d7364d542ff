//! `merge-validated`: validated case changes merged per second, one core, batches of 200.
//!
//! The uploads are recorded once ([`script`]) and replayed ([`replay`]) through
//! [`wangge_sync::hub::Hub::sync`] over a fresh store each time — the real `SqliteStore`
//! (a file in WAL mode, as the server runs it) and the real `PgStore` — inside a
//! current-thread tokio runtime: one core does the merging. SQLite's statements run on sqlx's
//! connection thread while this one waits for them; PostgreSQL is another process whose CPU
//! is not on this core. Only the upload batches are timed; the pulls between them are not.
//!
//! *Validated* is the server's hub: the hub's own protocol checks plus the server's
//! [`PermissionPolicy`]. The *baseline* ("unvalidated") is the same hub over the same kind
//! of store with [`AcceptAll`] instead: the hub still loads the upload strictly, refuses
//! orphans, checks each change's actor is the session's, that the document is the case and
//! that the case is in scope, and computes the case index — what the protocol cannot do
//! without — but the role × field × status matrix, the workflow rules for new events and the
//! layout checks are off. Target: value ≥ 5,000 changes/s and value ≥ baseline / 2.

pub mod replay;
pub mod script;

use std::collections::BTreeMap;
use std::time::Duration;

use wangge_server::services::validate::PermissionPolicy;
use wangge_sync::hub::{AcceptAll, Lookups, MemoryHub, Policy};

use self::replay::{Timing, replay};
use self::script::Script;
use super::databases::{self, PgDatabase, TempDir};
use super::{Config, Figure};
use crate::sync::Result;

/// The throughput the issue asks for.
pub const TARGET_PER_SECOND: f64 = 5_000.0;
/// The most validation may cost, as a multiple of the unvalidated merge.
pub const MAX_COST_RATIO: f64 = 2.0;

/// Best validated and unvalidated times of one backend.
#[derive(Debug, Clone, Copy)]
struct Pair {
    validated: Timing,
    unvalidated: Timing,
}

/// Records the uploads, then measures them on memory, SQLite and (if `postgres`) PostgreSQL.
pub fn run(config: &Config, postgres: bool) -> Result<Vec<Figure>> {
    let script = script::record(config)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut figures = Vec::new();
        // Memory first: it also warms up the allocator and the code.
        let mut memory = None;
        let mut sqlite = None;
        let mut pg = None;
        for _ in 0..config.repeats {
            best(&mut memory, on_memory(AcceptAll, &script).await?, true);
            best(
                &mut memory,
                on_memory(PermissionPolicy::new(), &script).await?,
                false,
            );
            best(&mut sqlite, on_sqlite(AcceptAll, &script).await?, true);
            best(
                &mut sqlite,
                on_sqlite(PermissionPolicy::new(), &script).await?,
                false,
            );
            if postgres {
                best(&mut pg, on_postgres(AcceptAll, &script).await?, true);
                best(
                    &mut pg,
                    on_postgres(PermissionPolicy::new(), &script).await?,
                    false,
                );
            }
        }
        for (backend, pair) in [("memory", memory), ("sqlite", sqlite), ("postgres", pg)] {
            if let Some(pair) = pair {
                figures.push(figure(backend, &script, pair));
            }
        }
        Ok(figures)
    })
}

/// Keeps the shorter time of each kind.
fn best(pair: &mut Option<Pair>, time: Timing, unvalidated: bool) {
    let worst = Timing {
        timed: Duration::MAX,
        cpu: None,
        hot: Lookups::default(),
    };
    let entry = pair.get_or_insert(Pair {
        validated: worst,
        unvalidated: worst,
    });
    let slot = if unvalidated {
        &mut entry.unvalidated
    } else {
        &mut entry.validated
    };
    if time.timed < slot.timed {
        *slot = time;
    }
}

async fn on_memory<P: Policy>(policy: P, script: &Script) -> Result<Timing> {
    replay(MemoryHub::new(), policy, script).await
}

async fn on_sqlite<P: Policy>(policy: P, script: &Script) -> Result<Timing> {
    let dir = TempDir::new("merge")?;
    let store = databases::sqlite(&dir).await?;
    let timing = replay(&store, policy, script).await;
    store.close().await;
    timing
}

async fn on_postgres<P: Policy>(policy: P, script: &Script) -> Result<Timing> {
    let db = PgDatabase::create().await?;
    let timing: Result<Timing> = async {
        let store = db.store().await?;
        let timing = replay(&store, policy, script).await;
        store.close().await;
        timing
    }
    .await;
    db.drop_now().await?;
    timing
}

fn figure(backend: &str, script: &Script, pair: Pair) -> Figure {
    let changes = script.timed_changes() as f64;
    let cases = script.timed_cases() as f64;
    let validated = pair.validated.timed.as_secs_f64().max(1e-9);
    let unvalidated = pair.unvalidated.timed.as_secs_f64().max(1e-9);
    let value = changes / validated;
    let baseline = changes / unvalidated;
    let ratio = validated / unvalidated;
    let met = value >= TARGET_PER_SECOND && ratio <= MAX_COST_RATIO;
    let mut details = BTreeMap::from([
        ("changes".to_owned(), changes),
        ("cases".to_owned(), cases),
        ("batches".to_owned(), script.timed_batches() as f64),
        ("cases_per_s".to_owned(), cases / validated),
        ("baseline_cases_per_s".to_owned(), cases / unvalidated),
        ("validated_ms".to_owned(), validated * 1e3),
        ("unvalidated_ms".to_owned(), unvalidated * 1e3),
        ("cost_ratio".to_owned(), ratio),
    ]);
    if let (Some(cpu), Some(base_cpu)) = (pair.validated.cpu, pair.unvalidated.cpu) {
        let (cpu, base_cpu) = (cpu.as_secs_f64(), base_cpu.as_secs_f64());
        if cpu > 0.0 && base_cpu > 0.0 {
            details.insert("cpu_changes_per_s".to_owned(), changes / cpu);
            details.insert("cpu_baseline_changes_per_s".to_owned(), changes / base_cpu);
        }
    }
    let hot = pair.validated.hot;
    let lookups = hot.hits + hot.misses;
    if lookups > 0 {
        // Of the uploads to stored cases, those merged into the case kept loaded.
        details.insert("hot_hit_rate".to_owned(), hot.hits as f64 / lookups as f64);
    }
    if let Some(load) = super::cpu::load_average() {
        details.insert("load_average".to_owned(), load);
    }
    let mut notes = vec![
        "one core: a current-thread tokio runtime; baseline = the same uploads through the \
         same hub with AcceptAll (protocol checks on, permission policy off); value and \
         target by wall clock, cpu_* by this process's CPU time (all its threads)"
            .to_owned(),
    ];
    match backend {
        "memory" => notes.push("context only: the sync crate's in-memory store".to_owned()),
        "sqlite" => notes.push(
            "SQLite file, WAL, synchronous=NORMAL; statements run on sqlx's connection \
             thread while the merging thread waits"
                .to_owned(),
        ),
        _ => notes.push(
            "PostgreSQL on loopback, in its own process (its CPU is not on this core)".to_owned(),
        ),
    }
    if value < TARGET_PER_SECOND {
        notes.push(format!(
            "MISS: {value:.0} changes/s < {TARGET_PER_SECOND:.0}/s"
        ));
    }
    if ratio > MAX_COST_RATIO {
        notes.push(format!(
            "MISS: validation costs {ratio:.2}× the unvalidated merge (> {MAX_COST_RATIO})"
        ));
    }
    Figure {
        name: "merge-validated".to_owned(),
        backend: backend.to_owned(),
        value,
        unit: "changes/s".to_owned(),
        baseline: Some(baseline),
        target: format!(
            "≥ {TARGET_PER_SECOND:.0} validated changes/s on one core in batches of 200, and \
             ≤ {MAX_COST_RATIO}× the cost of the unvalidated merge"
        ),
        met,
        details,
        notes,
    }
}
