//! Random offline edits and random sync schedules over a bad network, many seeded runs:
//! every replica ends identical, no change that left a phone is lost, none is stored twice.
//! A failing run prints its seed; `WANGGE_SIM_SEED=<seed>` replays exactly that run.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash};
use wangge_proto::values::CaseId;
use wangge_sync::hub::AcceptAll;
use wangge_sync::hub::MemoryHub;
use wangge_sync::phone::PhoneStore;
use wangge_sync::sim::rand::Rng;
use wangge_sync::sim::{self, Faults, Network};

use crate::support::{self, Device, hub, hub_heads};

/// Runs in CI; raise with `WANGGE_CONVERGENCE_RUNS` for a soak.
fn runs() -> u64 {
    std::env::var("WANGGE_CONVERGENCE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

#[test]
fn phones_and_hub_converge_over_a_bad_network() {
    for seed in sim::seeds(runs()) {
        run(seed);
    }
}

fn run(seed: u64) {
    let store = MemoryHub::new();
    let hub = hub(&store, AcceptAll);
    let mut control = Network::new(seed, Faults::none());
    let phones = control.rng().random_range(2..=5u8);
    let mut devices: Vec<Device> = (0..phones)
        .map(|n| {
            if n == 1 {
                Device::secretary(&store, n + 1)
            } else {
                Device::grid_worker(&store, n + 1)
            }
        })
        .collect();
    let mut nets: Vec<Network> = (0..phones)
        .map(|n| {
            Network::new(
                seed.wrapping_mul(31).wrapping_add(u64::from(n)),
                Faults::harsh(),
            )
        })
        .collect();
    // Every change made on a phone, and the ones legitimately lost with a wiped phone.
    let mut made: BTreeSet<(CaseId, ChangeHash)> = BTreeSet::new();
    let mut counter = 0u32;
    let mut wipes = 0u8;
    let steps = control.rng().random_range(10..40);
    for _ in 0..steps {
        counter += 1;
        let who = control.rng().random_range(0..usize::from(phones));
        let cases: Vec<CaseId> = devices[who].phone.case_ids().unwrap();
        match control.rng().random_range(0..100) {
            0..15 if devices[who].session.role == wangge_proto::Role::GridWorker => {
                let id = devices[who].create_case(counter, "路灯不亮");
                let heads = devices[who].heads(&id).unwrap();
                made.extend(heads.into_iter().map(|h| (id, h)));
            }
            0..50 if !cases.is_empty() => {
                let case = cases[control.rng().random_range(0..cases.len())];
                let titles = [
                    "路灯不亮",
                    "小区东门路灯不亮",
                    "路灯不亮，已报修",
                    "东门路灯坏了",
                ];
                let title = titles[control.rng().random_range(0..titles.len())];
                let hash = if control.rng().random_bool(0.5) {
                    devices[who].set_title(&case, title)
                } else {
                    devices[who].comment(&case, counter, "已到现场查看")
                };
                if let Some(hash) = hash {
                    made.insert((case, hash));
                }
            }
            50..85 => {
                let device = &mut devices[who];
                device.sync_over(&hub, &mut nets[who]);
            }
            85..97 => {
                let other = control.rng().random_range(0..usize::from(phones));
                if other != who {
                    meet(&mut devices, who, other, seed);
                }
            }
            _ => {
                // A phone reset: what only it held is gone; everything else must survive.
                let held_elsewhere = |case: &CaseId, hash: &ChangeHash| {
                    store.case_bytes(case).is_some_and(|b| contains(&b, hash))
                        || devices.iter().enumerate().any(|(i, d)| {
                            i != who
                                && d.phone.get(case).is_some_and(|l| {
                                    l.doc.clone().get_change_by_hash(hash).is_some()
                                })
                        })
                };
                made.retain(|(case, hash)| held_elsewhere(case, hash));
                wipes += 1;
                devices[who].wipe(&store, wipes);
            }
        }
    }

    // Signal everywhere: sync every phone until nothing moves.
    for (device, net) in devices.iter().zip(&mut nets) {
        net.set_faults(Faults::none());
        // Requests held back by the network arrive late; they must change nothing wrongly.
        let session = device.session.clone();
        let mut deliver = |incoming: sim::Incoming<'_>| {
            pollster::block_on(hub.sync(&session, incoming.bytes)).unwrap_or_default()
        };
        net.flush(&mut deliver);
    }
    for _ in 0..3 {
        for (device, net) in devices.iter_mut().zip(&mut nets) {
            for _ in 0..10 {
                let report = device
                    .sync_over(&hub, net)
                    .unwrap_or_else(|| panic!("seed {seed}: clean sync failed"));
                if !report.more && report.resend.is_empty() && report.broken.is_empty() {
                    break;
                }
            }
        }
    }

    let hub_cases: BTreeSet<CaseId> = store.case_ids().into_iter().collect();
    for device in &devices {
        let phone_cases: BTreeSet<CaseId> = device.phone.case_ids().unwrap().into_iter().collect();
        assert_eq!(
            phone_cases, hub_cases,
            "seed {seed}: phone {} lacks or has extra cases",
            device.session.device
        );
        for case in &hub_cases {
            assert_eq!(
                device.heads(case),
                hub_heads(&store, case),
                "seed {seed}: case {case} differs on {}",
                device.session.device
            );
            assert!(
                device.phone.dirty().unwrap().is_empty(),
                "seed {seed}: phone still dirty"
            );
        }
        assert!(
            device.phone.rejected().is_empty(),
            "seed {seed}: AcceptAll refused {:?}",
            device
                .phone
                .rejected()
                .iter()
                .map(|r| &r.en)
                .collect::<Vec<_>>()
        );
    }
    let mut distinct = 0u64;
    for case in &hub_cases {
        let bytes = store.case_bytes(case).unwrap();
        let mut doc = AutoCommit::load(&bytes).unwrap();
        distinct += doc.get_changes(&[]).len() as u64;
    }
    assert_eq!(
        store.changes_stored(),
        distinct,
        "seed {seed}: a change was stored twice"
    );
    for (case, hash) in &made {
        let bytes = store
            .case_bytes(case)
            .unwrap_or_else(|| panic!("seed {seed}: case {case} lost"));
        assert!(
            contains(&bytes, hash),
            "seed {seed}: change {hash} of case {case} lost"
        );
    }
}

fn contains(bytes: &[u8], hash: &ChangeHash) -> bool {
    AutoCommit::load(bytes).is_ok_and(|mut doc| doc.get_change_by_hash(hash).is_some())
}

/// Phones `a` and `b` meet in a dead zone.
fn meet(devices: &mut [Device], a: usize, b: usize, seed: u64) {
    let (first, second) = if a < b { (a, b) } else { (b, a) };
    let (left, right) = devices.split_at_mut(second);
    assert!(
        support::meet(&mut left[first], &mut right[0]),
        "seed {seed}: phones did not finish exchanging in 20 rounds"
    );
}
