//! The simulated clock starts at a fixed instant and moves with latency, bandwidth, timeouts
//! and explicit advances only.

use wangge_sync::sim::{Faults, Network, START_MS};

use crate::support::{Recorder, reversed};

#[test]
fn starts_at_the_fixed_instant_and_advances_on_request() {
    let mut net = Network::new(0, Faults::none());
    assert_eq!(net.now().as_millis(), START_MS);
    assert_eq!(START_MS, 1_793_491_200_000, "2026-11-01T00:00:00Z");
    net.advance(1_234);
    assert_eq!(net.elapsed_ms(), 1_234);
    assert_eq!(net.now().as_millis(), START_MS + 1_234);
}

#[test]
fn latency_is_paid_each_way() {
    let mut net = Network::new(
        0,
        Faults {
            latency_ms: (100, 100),
            ..Faults::none()
        },
    );
    let mut server = Recorder::default();
    net.exchange(b"x", &mut |incoming| server.handle(incoming, reversed));
    assert_eq!(server.seen[0].now_ms, START_MS + 100);
    assert_eq!(net.elapsed_ms(), 200);
}

#[test]
fn latency_is_drawn_from_the_range() {
    let mut net = Network::new(
        8,
        Faults {
            latency_ms: (50, 10),
            ..Faults::none()
        },
    );
    let mut deltas = Vec::new();
    for _ in 0..100 {
        let start = net.elapsed_ms();
        net.exchange(b"x", &mut |_| Vec::new());
        deltas.push(net.elapsed_ms() - start);
    }
    assert!(deltas.iter().all(|d| (20..=100).contains(d)), "{deltas:?}");
    assert!(deltas.iter().any(|&d| d != deltas[0]));
}

#[test]
fn bandwidth_costs_size_over_rate() {
    let mut net = Network::new(
        0,
        Faults {
            bytes_per_sec: Some(1_000),
            ..Faults::none()
        },
    );
    let mut server = Recorder::default();
    net.exchange(&[1; 500], &mut |incoming| {
        server.handle(incoming, |_| vec![2; 250])
    });
    assert_eq!(server.seen[0].now_ms, START_MS + 500);
    assert_eq!(net.elapsed_ms(), 750);
    net.exchange(&[1], &mut |_| Vec::new());
    assert_eq!(net.elapsed_ms(), 751, "a partial millisecond rounds up");
}

#[test]
fn lost_messages_cost_a_timeout() {
    let faults = Faults {
        latency_ms: (100, 100),
        timeout_ms: 5_000,
        ..Faults::none()
    };
    let mut net = Network::new(
        0,
        Faults {
            drop_request: 1.0,
            ..faults.clone()
        },
    );
    net.exchange(b"x", &mut |_| Vec::new());
    assert_eq!(net.elapsed_ms(), 5_000);

    let mut net = Network::new(
        0,
        Faults {
            drop_response: 1.0,
            ..faults
        },
    );
    let mut server = Recorder::default();
    net.exchange(b"x", &mut |incoming| server.handle(incoming, reversed));
    assert_eq!(server.seen[0].now_ms, START_MS + 100);
    assert_eq!(net.elapsed_ms(), 5_000);
}
