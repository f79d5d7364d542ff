//! A perfect link delivers everything exactly once, with exact byte counts.

use wangge_sync::sim::{Exchange, FaultCounts, Faults, Network, START_MS};

use crate::support::{request, reversed, run};

#[test]
fn every_request_is_delivered_exactly_once() {
    let mut net = Network::new(3, Faults::none());
    let (server, outcomes) = run(&mut net, 50);

    assert_eq!(server.seen.len(), 50);
    let mut up = 0;
    let mut down = 0;
    for (i, (seen, outcome)) in (0..).zip(server.seen.iter().zip(&outcomes)) {
        let sent = request(i);
        assert_eq!(seen.bytes, sent);
        assert!(!seen.cut);
        assert_eq!(seen.during, i + 1);
        assert_eq!(seen.now_ms, START_MS);
        assert_eq!(outcome, &Exchange::Response(reversed(&sent)));
        up += sent.len() as u64;
        down += sent.len() as u64;
    }

    let stats = net.stats();
    assert_eq!(stats.exchanges, 50);
    assert_eq!(stats.responses, 50);
    assert_eq!(stats.deliveries, 50);
    assert_eq!(stats.bytes_up, up);
    assert_eq!(stats.bytes_down, down);
    assert_eq!(stats.faults, FaultCounts::default());
    assert_eq!(net.pending(), 0);
    assert_eq!(net.now().as_millis(), START_MS);
}

#[test]
fn empty_messages_cross_too() {
    let mut net = Network::new(0, Faults::none());
    let mut calls = 0;
    let outcome = net.exchange(&[], &mut |incoming| {
        calls += 1;
        assert!(incoming.bytes.is_empty());
        Vec::new()
    });
    assert_eq!(outcome, Exchange::Response(Vec::new()));
    assert_eq!(calls, 1);
    assert_eq!((net.stats().bytes_up, net.stats().bytes_down), (0, 0));
}
