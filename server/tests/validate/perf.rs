//! What the policy costs: the same uploads through a hub that accepts whatever passes its
//! own checks and through one with the permission policy. Ignored by default; run with
//! `cargo test -p wangge-server --test validate --release perf -- --ignored --nocapture`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wangge_proto::case::Location;
use wangge_proto::values::GeoPoint;
use wangge_proto::workflow::Action;
use wangge_server::services::validate::PermissionPolicy;
use wangge_sync::Limits;
use wangge_sync::hub::{AcceptAll, Hub, MemoryHub, Policy, Rejection, UploadCheck};

use crate::support::Device;

const CASES: u32 = 200;
const ROUNDS: u32 = 5;

/// Registers and reports `CASES` cases with `history` comments each, then times the hub over
/// `ROUNDS` syncs in which every case gets one typical edit (title, description, comment,
/// progress note, location): `CASES × ROUNDS` changes. Returns the time spent in the hub
/// during those syncs, and what `inside` (a policy's own clock) counted during them.
fn run<P: Policy>(policy: P, history: u32, inside: &AtomicU64) -> (Duration, Duration) {
    let store = MemoryHub::new();
    let hub = Hub::new(&store, policy, Limits::default());
    let mut worker = Device::grid_worker(&store, 1);
    let cases: Vec<_> = (0..CASES)
        .map(|n| {
            let case = worker.create_case(n, "垃圾桶满溢");
            worker.act(
                &case,
                Action::Report {
                    on_site_resolved: false,
                },
            );
            for c in 0..history {
                worker.comment(&case, 10_000 + c, "已通知物业，等待清运");
            }
            case
        })
        .collect();
    worker.sync_fully(&hub);

    let counted = inside.load(Ordering::Relaxed);
    let mut spent = Duration::ZERO;
    for round in 0..ROUNDS {
        for (n, case) in (0u32..).zip(&cases) {
            match (n + round) % 5 {
                0 => {
                    worker.edit(case, |doc| {
                        doc.set_title(&format!("垃圾桶满溢 {round}")).unwrap()
                    });
                }
                1 => {
                    worker.edit(case, |doc| {
                        doc.set_description(&format!("三天未清运，气味很大（第 {round} 次巡查）"))
                            .unwrap();
                    });
                }
                2 => {
                    worker.comment(case, 20_000 + round, "居民再次反映");
                }
                3 => {
                    worker.act(
                        case,
                        Action::Progress {
                            note: format!("第 {round} 次跟进"),
                        },
                    );
                }
                _ => {
                    let location = Location {
                        point: GeoPoint::new(39.95 + f64::from(round) * 1e-4, 116.41).unwrap(),
                        accuracy_m: Some(5.0),
                        address: "和平里北街 12 号院 3 号楼南侧".into(),
                    };
                    worker.edit(case, |doc| doc.set_location(Some(&location)).unwrap());
                }
            }
        }
        let (request, sent) = worker.sync.prepare(&worker.phone).unwrap();
        let start = Instant::now();
        let response = pollster::block_on(hub.sync(&worker.session, &request)).unwrap();
        spent += start.elapsed();
        let report = worker
            .sync
            .receive(&mut worker.phone, &sent, &response)
            .unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        assert_eq!(report.accepted.len(), cases.len());
    }
    let counted = inside.load(Ordering::Relaxed) - counted;
    (spent, Duration::from_nanos(counted))
}

/// A policy that times another.
struct Timed<P> {
    policy: P,
    nanos: Arc<AtomicU64>,
}

impl<P: Policy> Policy for Timed<P> {
    fn check(&self, upload: &UploadCheck<'_>) -> Result<(), Rejection> {
        let start = Instant::now();
        let verdict = self.policy.check(upload);
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        verdict
    }
}

#[test]
#[ignore = "timing; run in release with --ignored --nocapture"]
fn the_policy_costs_little_next_to_the_merge() {
    let changes = f64::from(CASES * ROUNDS);
    for history in [0, 30] {
        // Warm up once, then take the best of three of each.
        let unused = AtomicU64::new(0);
        run(AcceptAll, history, &unused);
        let best = |run: &dyn Fn() -> (Duration, Duration),
                    pick: fn(&(Duration, Duration)) -> Duration| {
            (0..3).map(|_| run()).map(|r| pick(&r)).min().unwrap()
        };
        let hub_time = |r: &(Duration, Duration)| r.0;
        let policy_time = |r: &(Duration, Duration)| r.1;
        let plain = best(&|| run(AcceptAll, history, &unused), hub_time);
        let checked = best(&|| run(PermissionPolicy::new(), history, &unused), hub_time);
        let inside = best(
            &|| {
                let nanos = Arc::new(AtomicU64::new(0));
                let timed = Timed {
                    policy: PermissionPolicy::new(),
                    nanos: Arc::clone(&nanos),
                };
                run(timed, history, &nanos)
            },
            policy_time,
        );
        println!(
            "{} typical changes, cases with {history} comments: unvalidated {:.1} ms \
             ({:.0}/s), validated {:.1} ms ({:.0}/s), ratio {:.2}; inside the policy {:.1} ms \
             ({:.0} changes/s)",
            CASES * ROUNDS,
            plain.as_secs_f64() * 1e3,
            changes / plain.as_secs_f64(),
            checked.as_secs_f64() * 1e3,
            changes / checked.as_secs_f64(),
            checked.as_secs_f64() / plain.as_secs_f64(),
            inside.as_secs_f64() * 1e3,
            changes / inside.as_secs_f64(),
        );
    }
}
