//! `dirty-200`: a grid worker comes back online with 200 dirty cases — 100 registered
//! offline, 100 edited offline while the community secretary edited the same cases and
//! synced first.
//!
//! Target: one round trip, and no more bytes than 1.1 × the zstd-compressed minimum payload
//! plus 1 KB. The minimum payload is what must cross in any protocol: up, the compacted
//! documents of the new cases and the worker's raw changes to the edited ones; down, the
//! secretary's raw changes the worker lacks (each direction compressed as one stream). The
//! rest is protocol overhead: ids, bases, verdicts.
//!
//! Why it matters: this is the daily sync of a worker who patrols without signal; the
//! baseline needs 3 round trips and much more for the same work (design notes).

use std::collections::BTreeMap;

use wangge_proto::values::CaseId;
use wangge_sync::phone::{MemoryPhone, PhoneStore};

use super::people;
use super::scene::{Measured, Scene};
use super::{Config, Result, ScenarioResult, baseline, drive, len64, times_1_1, zstd_len};

/// Runs the scenario.
pub fn run(config: &Config) -> Result<ScenarioResult> {
    // Cases the worker registered earlier; both phones hold them.
    let mut scene = Scene::new(config, 0xd1, config.dirty_edited)?;
    let edited = scene.held.clone();

    // Offline: new cases and edits on the worker's phone; concurrent edits of the same cases
    // by the secretary, who syncs first.
    let mut created = Vec::with_capacity(config.dirty_new);
    for _ in 0..config.dirty_new {
        created.push(scene.worker_registers()?);
    }
    for case in &edited {
        scene.worker_edits(case)?;
        scene.secretary_edits(case)?;
    }
    scene.settle_secretary(config)?;

    let (up, down) = minimum_payload(&scene.phone, &scene.hub, &created, &edited)?;
    let minimum = zstd_len(&up)? + zstd_len(&down)?;
    let limit = times_1_1(minimum) + 1024;
    let (mut base_phone, mut base_server) = baseline::peers(&scene.phone, &scene.hub)?;
    let base = baseline::run(&mut base_phone, &mut base_server, config.seed, 50)?;

    // Measured: the worker's sync.
    let Measured {
        run,
        stats,
        convergence: worker_side,
    } = scene.measure(config, 50)?;

    // Converged: the worker's phone and the hub, then the secretary's phone once it synced.
    scene.settle_secretary(config)?;
    let secretary_side = drive::converged(&scene.hub, &scene.other)?;
    let converged = worker_side.ok() && secretary_side.ok() && run.problems.is_empty();

    let total = stats.bytes_up + stats.bytes_down;
    let mut misses = Vec::new();
    if run.round_trips != 1 {
        misses.push(format!("{} round trips, not 1", run.round_trips));
    }
    if total > limit {
        misses.push(format!("{total} bytes > limit {limit}"));
    }
    if !converged {
        misses.push(format!(
            "not converged: {} of {} cases differ on the worker's phone, {} on the \
             secretary's; {:?}",
            worker_side.differing, worker_side.cases, secretary_side.differing, run.problems
        ));
    }
    let details = BTreeMap::from([
        ("min_payload_up_raw".to_owned(), len64(up.len())),
        ("min_payload_down_raw".to_owned(), len64(down.len())),
        ("min_payload_zstd".to_owned(), minimum),
        ("baseline_bytes_up".to_owned(), base.bytes_up),
        ("baseline_bytes_down".to_owned(), base.bytes_down),
        ("new_cases".to_owned(), len64(created.len())),
        ("edited_cases".to_owned(), len64(edited.len())),
    ]);
    Ok(ScenarioResult {
        name: format!("dirty-{}", created.len() + edited.len()),
        round_trips: run.round_trips,
        bytes_up: stats.bytes_up,
        bytes_down: stats.bytes_down,
        baseline_bytes: base.bytes(),
        limit_bytes: limit,
        converged,
        pass: misses.is_empty(),
        target: "1 round trip; bytes ≤ 1.1 × zstd(minimum payload) + 1 KB".to_owned(),
        misses,
        notes: Vec::new(),
        cases: created.len() + edited.len(),
        baseline_round_trips: base.round_trips,
        baseline_raw_bytes: base.raw_bytes(),
        baseline_converged: base.convergence.ok(),
        details,
    })
}

/// Edits one case on a phone with `edit` (which commits).
/// What must cross: up, the new cases compacted and the worker's changes since the base;
/// down, the hub's changes since the base.
fn minimum_payload(
    phone: &MemoryPhone,
    hub: &people::BenchHub,
    created: &[CaseId],
    edited: &[CaseId],
) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut up = Vec::new();
    let mut down = Vec::new();
    for case in created {
        let mut local = phone.load(case)?.ok_or("new case missing")?;
        up.extend(local.doc.save());
    }
    for case in edited {
        let mut local = phone.load(case)?.ok_or("edited case missing")?;
        up.extend(local.doc.save_after(&local.acked));
        let bytes = hub
            .store()
            .case_bytes(case)
            .ok_or("edited case not on the hub")?;
        let mut on_hub = automerge::AutoCommit::load(&bytes)?;
        down.extend(on_hub.save_after(&local.acked));
    }
    Ok((up, down))
}
