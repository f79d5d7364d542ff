//! `offline-day-5000`: a phone was offline for a day while 5,000 cases changed in its grids —
//! cases it holds that others edited, and cases others registered.
//!
//! Target: no more bytes than 1.1 × the compacted size of what the phone lacks (for a case
//! it holds, the raw changes since its heads; for a new case, the compacted document), and
//! no response over the size bound ([`wangge_sync::Limits::response_budget_bytes`]): the
//! phone continues while the hub says `more`.
//!
//! Why it matters: a worker back from leave, or a phone that was switched off, must catch up
//! over a 2G link that drops long transfers.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use wangge_sync::phone::PhoneStore;

use super::people::BenchHub;
use super::scene::{Measured, Scene};
use super::{Config, Result, ScenarioResult, baseline, len64, times_1_1, zstd_len};

/// Runs the scenario.
pub fn run(config: &Config) -> Result<ScenarioResult> {
    // The worker's cases, on the hub and on the secretary's phone.
    let mut scene = Scene::new(config, 0x0ff, config.offline_had)?;

    // A day without the worker: the secretary edits many of them and registers new ones.
    for case in scene.held.clone().iter().take(config.offline_edited) {
        scene.secretary_edits(case)?;
    }
    for _ in 0..config.offline_new {
        scene.secretary_registers()?;
    }
    scene.settle_secretary(config)?;

    let lacking = lacking(&scene.phone, &scene.hub)?;
    let limit = times_1_1(len64(lacking.len()));
    let (mut base_phone, mut base_server) = baseline::peers(&scene.phone, &scene.hub)?;
    let base = baseline::run(&mut base_phone, &mut base_server, config.seed, 50)?;

    let Measured {
        run,
        stats,
        convergence,
    } = scene.measure(config, 1_000)?;
    let converged = convergence.ok() && run.problems.is_empty();

    let total = stats.bytes_up + stats.bytes_down;
    let budget = len64(config.limits.response_budget_bytes);
    let mut misses = Vec::new();
    if total > limit {
        misses.push(format!("{total} bytes > limit {limit}"));
    }
    if len64(run.max_response_bytes) > budget {
        misses.push(format!(
            "a response of {} bytes > budget {budget}",
            run.max_response_bytes
        ));
    }
    // The budget is documented as a soft bound on the decompressed body; say by how much.
    let mut notes = Vec::new();
    if len64(run.max_response_body) > budget {
        notes.push(format!(
            "largest response body {} B decompressed, {} B over the (soft) budget; {} B on \
             the link",
            run.max_response_body,
            len64(run.max_response_body) - budget,
            run.max_response_bytes
        ));
    }
    if !converged {
        misses.push(format!(
            "not converged: {} of {} cases differ; {:?}",
            convergence.differing, convergence.cases, run.problems
        ));
    }
    let changed = config.offline_edited.min(config.offline_had) + config.offline_new;
    let details = BTreeMap::from([
        ("lacking_compacted".to_owned(), len64(lacking.len())),
        ("lacking_zstd".to_owned(), zstd_len(&lacking)?),
        (
            "max_response_bytes".to_owned(),
            len64(run.max_response_bytes),
        ),
        ("max_response_body".to_owned(), len64(run.max_response_body)),
        ("response_budget_bytes".to_owned(), budget),
        ("baseline_bytes_up".to_owned(), base.bytes_up),
        ("baseline_bytes_down".to_owned(), base.bytes_down),
        ("cases_held".to_owned(), len64(config.offline_had)),
        ("cases_edited".to_owned(), len64(config.offline_edited)),
        ("cases_new".to_owned(), len64(config.offline_new)),
    ]);
    Ok(ScenarioResult {
        name: format!("offline-day-{changed}"),
        round_trips: run.round_trips,
        bytes_up: stats.bytes_up,
        bytes_down: stats.bytes_down,
        baseline_bytes: base.bytes(),
        limit_bytes: limit,
        converged,
        pass: misses.is_empty(),
        target: "bytes ≤ 1.1 × compacted size of what the phone lacks; every response ≤ the \
                 response budget"
            .to_owned(),
        misses,
        notes,
        cases: changed,
        baseline_round_trips: base.round_trips,
        baseline_raw_bytes: base.raw_bytes(),
        baseline_converged: base.convergence.ok(),
        details,
    })
}

/// What the phone lacks, concatenated: for each hub case it holds, the changes since its
/// heads; for each it does not, the compacted document.
fn lacking(phone: &wangge_sync::phone::MemoryPhone, hub: &BenchHub) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let store = hub.store();
    for case in store.case_ids() {
        let bytes = store.case_bytes(&case).ok_or("case vanished")?;
        let mut on_hub = AutoCommit::load(&bytes)?;
        match phone.load(&case)? {
            Some(mut local) => out.extend(on_hub.save_after(&local.doc.get_heads())),
            None => out.extend(on_hub.save()),
        }
    }
    Ok(out)
}
