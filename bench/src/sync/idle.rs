//! `idle-1000`: a phone holding 1,000 cases syncs and nothing changed on either side.
//!
//! Target: ≤ 300 bytes in all, and ≥ 100 × fewer than the baseline. Our phone sends its
//! cursor and no uploads; the hub's feed is empty after it. The baseline has to ask about
//! every document (heads and a bloom filter each way, ≈ 74 bytes per document per
//! direction, design notes), because its persisted state cannot tell "unchanged" apart.
//!
//! Why it matters: phones sync whenever they get signal, most often with nothing new.

use std::collections::BTreeMap;

use wangge_sync::sim::{Faults, Network};

use super::cases::CaseFactory;
use super::people::{self, Org};
use super::{Config, Result, ScenarioResult, baseline, drive};

/// The absolute bound of an idle sync.
const IDLE_MAX_BYTES: u64 = 300;
/// How many times fewer bytes than the baseline.
const TIMES_FEWER: u64 = 100;

/// Runs the scenario.
pub fn run(config: &Config) -> Result<ScenarioResult> {
    let org = Org::new()?;
    let limits = config.limits;
    let hub = people::hub(limits);
    let worker = &org.worker;
    let mut factory = CaseFactory::new(config.seed ^ 0x1d);
    let mut phone = worker.phone();
    for _ in 0..config.idle_cases {
        let (id, doc) = factory.new_case(&org, worker)?;
        phone.insert(id, doc);
    }
    drive::settle(&hub, worker, limits, &mut phone)?;

    let (mut base_phone, mut base_server) = baseline::peers(&phone, &hub)?;
    let base = baseline::run(&mut base_phone, &mut base_server, config.seed, 50)?;

    let mut net = Network::new(config.seed, Faults::none());
    let run = drive::sync(&mut net, &hub, worker, limits, &mut phone, 50)?;
    let stats = net.stats();
    let convergence = drive::converged(&hub, &phone)?;
    let converged = convergence.ok() && run.problems.is_empty();

    let limit = IDLE_MAX_BYTES.min(base.bytes() / TIMES_FEWER);
    let total = stats.bytes_up + stats.bytes_down;
    let mut misses = Vec::new();
    if total > IDLE_MAX_BYTES {
        misses.push(format!("{total} bytes > {IDLE_MAX_BYTES}"));
    }
    if total * TIMES_FEWER > base.bytes() {
        misses.push(format!(
            "only {:.0} × fewer than the baseline",
            base.bytes() as f64 / total.max(1) as f64
        ));
    }
    if !converged {
        misses.push(format!(
            "not converged: {} of {} cases differ; {:?}",
            convergence.differing, convergence.cases, run.problems
        ));
    }
    let details = BTreeMap::from([
        ("baseline_bytes_up".to_owned(), base.bytes_up),
        ("baseline_bytes_down".to_owned(), base.bytes_down),
    ]);
    Ok(ScenarioResult {
        name: format!("idle-{}", config.idle_cases),
        round_trips: run.round_trips,
        bytes_up: stats.bytes_up,
        bytes_down: stats.bytes_down,
        baseline_bytes: base.bytes(),
        limit_bytes: limit,
        converged,
        pass: misses.is_empty(),
        target: "≤ 300 bytes and ≥ 100 × fewer than the baseline".to_owned(),
        misses,
        notes: Vec::new(),
        cases: config.idle_cases,
        baseline_round_trips: base.round_trips,
        baseline_raw_bytes: base.raw_bytes(),
        baseline_converged: base.convergence.ok(),
        details,
    })
}
