//! A run is a pure function of its seed: same seed, same events; other seed, other events.

use wangge_sync::sim::rand::Rng;
use wangge_sync::sim::{Exchange, FaultCounts, Faults, LinkStats, Network, seeds};

use crate::support::{Recorder, Seen, reversed};

/// Everything observable about a run.
#[derive(Debug, PartialEq, Eq)]
struct Trace {
    seen: Vec<Seen>,
    outcomes: Vec<Exchange>,
    stats: LinkStats,
    elapsed_ms: u64,
}

/// 200 exchanges of random sizes and contents, drawn from the network's own generator, over
/// a harsh link that also drops every 16 KiB.
fn trace(seed: u64) -> Trace {
    let faults = Faults {
        cut_every_bytes: Some(16 * 1024),
        ..Faults::harsh()
    };
    let mut net = Network::new(seed, faults);
    let mut server = Recorder::default();
    let mut outcomes = Vec::new();
    for i in 0..200 {
        let len = net.rng().random_range(0..2_000);
        let mut request = vec![0; len];
        net.rng().fill(&mut request[..]);
        server.during = i + 1;
        outcomes.push(net.exchange(&request, &mut |incoming| server.handle(incoming, reversed)));
    }
    server.during = 0;
    net.flush(&mut |incoming| server.handle(incoming, reversed));
    Trace {
        seen: server.seen,
        outcomes,
        stats: net.stats().clone(),
        elapsed_ms: net.elapsed_ms(),
    }
}

#[test]
fn same_seed_replays_exactly() {
    for seed in seeds(8) {
        assert_eq!(trace(seed), trace(seed), "seed {seed}");
    }
}

#[test]
fn different_seeds_differ() {
    let (a, b) = (trace(1), trace(2));
    assert_ne!(a.outcomes, b.outcomes);
    assert_ne!(a.stats, b.stats);
    assert_ne!(a.elapsed_ms, b.elapsed_ms);
}

#[test]
fn harsh_faults_all_happen() {
    let stats = trace(3).stats;
    let f = &stats.faults;
    for (name, count) in [
        ("dropped requests", f.dropped_requests),
        ("dropped responses", f.dropped_responses),
        ("duplicated", f.duplicated_requests),
        ("delayed", f.delayed_requests),
        ("cut", f.cut_requests + f.cut_responses),
    ] {
        assert!(count > 0, "no {name}: {stats:?}");
    }
}

/// The stream of events for one seed is pinned, so a run replays identically on every
/// platform and across refactors. A deliberate change to how faults are drawn updates this.
#[test]
fn seed_42_is_pinned() {
    let trace = trace(42);
    let expected = LinkStats {
        exchanges: 200,
        responses: 149,
        bytes_up: 177_756,
        bytes_down: 139_404,
        deliveries: 194,
        faults: FaultCounts {
            dropped_requests: 15,
            dropped_responses: 9,
            duplicated_requests: 9,
            delayed_requests: 9,
            truncated_requests: 4,
            truncated_responses: 5,
            corrupted_requests: 1,
            corrupted_responses: 0,
            cut_requests: 6,
            cut_responses: 13,
        },
    };
    assert_eq!(trace.stats, expected);
    assert_eq!(trace.elapsed_ms, 1_138_644);
}
