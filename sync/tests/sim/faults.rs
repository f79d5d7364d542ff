//! Each fault, with probability 1.0, has exactly its effect and no other.

use wangge_sync::sim::{Exchange, Failure, FaultCounts, Faults, Network};

use crate::support::{differing_bytes, request, reversed, run};

const N: u64 = 30;

fn total_request_bytes(count: u64) -> u64 {
    (0..count).map(|i| request(i).len() as u64).sum()
}

#[test]
fn drop_request_never_reaches_the_server() {
    let mut net = Network::new(
        1,
        Faults {
            drop_request: 1.0,
            ..Faults::none()
        },
    );
    let (server, outcomes) = run(&mut net, N);

    assert!(server.seen.is_empty());
    assert!(
        outcomes
            .iter()
            .all(|o| *o == Exchange::Failed(Failure::RequestLost))
    );
    let stats = net.stats();
    assert_eq!(
        (stats.exchanges, stats.responses, stats.deliveries),
        (N, 0, 0)
    );
    assert_eq!((stats.bytes_up, stats.bytes_down), (0, 0));
    let expected = FaultCounts {
        dropped_requests: N,
        ..FaultCounts::default()
    };
    assert_eq!(stats.faults, expected);
}

#[test]
fn drop_response_is_handled_but_not_answered() {
    let mut net = Network::new(
        1,
        Faults {
            drop_response: 1.0,
            ..Faults::none()
        },
    );
    let (server, outcomes) = run(&mut net, N);

    let seen: Vec<_> = server.seen.iter().map(|s| s.bytes.clone()).collect();
    let sent: Vec<_> = (0..N).map(request).collect();
    assert_eq!(seen, sent);
    assert!(
        outcomes
            .iter()
            .all(|o| *o == Exchange::Failed(Failure::ResponseLost))
    );
    let stats = net.stats();
    assert_eq!(
        (stats.bytes_up, stats.bytes_down),
        (total_request_bytes(N), 0)
    );
    let expected = FaultCounts {
        dropped_responses: N,
        ..FaultCounts::default()
    };
    assert_eq!(stats.faults, expected);
}

#[test]
fn duplicate_request_is_seen_twice_now_or_later() {
    let mut net = Network::new(
        5,
        Faults {
            duplicate_request: 1.0,
            ..Faults::none()
        },
    );
    let (mut server, outcomes) = run(&mut net, N);
    server.during = N + 1;
    net.flush(&mut |incoming| server.handle(incoming, reversed));

    let (mut immediate, mut later) = (0, 0);
    for i in 0..N {
        let sent = request(i);
        assert_eq!(outcomes[i as usize], Exchange::Response(reversed(&sent)));
        let copies: Vec<_> = server.seen.iter().filter(|s| s.bytes == sent).collect();
        assert_eq!(copies.len(), 2, "request {i}");
        assert!(copies.iter().all(|s| !s.cut));
        assert_eq!(
            copies[0].during,
            i + 1,
            "the original arrives during its exchange"
        );
        if copies[1].during == i + 1 {
            immediate += 1;
        } else {
            assert!(copies[1].during > i + 1);
            later += 1;
        }
    }
    assert!(
        immediate > 0 && later > 0,
        "{immediate} immediate, {later} later"
    );
    assert_eq!(net.pending(), 0);
    let stats = net.stats();
    assert_eq!(stats.deliveries, 2 * N);
    assert_eq!(stats.responses, N);
    assert_eq!(stats.bytes_up, 2 * total_request_bytes(N));
    assert_eq!(stats.bytes_down, total_request_bytes(N));
    let expected = FaultCounts {
        duplicated_requests: N,
        ..FaultCounts::default()
    };
    assert_eq!(stats.faults, expected);
}

#[test]
fn delayed_request_arrives_during_a_later_exchange() {
    let faults = Faults {
        delay_request: 1.0,
        timeout_ms: 1_000,
        ..Faults::none()
    };
    let mut net = Network::new(9, faults);
    let (mut server, outcomes) = run(&mut net, N);
    assert!(
        outcomes
            .iter()
            .all(|o| *o == Exchange::Failed(Failure::RequestDelayed))
    );
    assert_eq!(
        net.elapsed_ms(),
        N * 1_000,
        "each delayed request costs a timeout"
    );
    let before_flush = server.seen.len();
    assert!(before_flush > 0);
    server.during = N + 1;
    net.flush(&mut |incoming| server.handle(incoming, reversed));
    assert_eq!(net.pending(), 0);

    for i in 0..N {
        let copies: Vec<_> = server
            .seen
            .iter()
            .filter(|s| s.bytes == request(i))
            .collect();
        assert_eq!(copies.len(), 1, "request {i}");
        let during = copies[0].during;
        assert!(
            (i + 2..=i + 4).contains(&during) || during == N + 1,
            "request {i} (exchange {}) arrived during {during}",
            i + 1
        );
    }
    let order: Vec<_> = server.seen.iter().map(|s| s.bytes.clone()).collect();
    let sent: Vec<_> = (0..N).map(request).collect();
    assert_ne!(order, sent, "holding back for 1 to 3 exchanges reorders");
    let stats = net.stats();
    assert_eq!(
        (stats.deliveries, stats.responses, stats.bytes_down),
        (N, 0, 0)
    );
    assert_eq!(stats.bytes_up, total_request_bytes(N));
    let expected = FaultCounts {
        delayed_requests: N,
        ..FaultCounts::default()
    };
    assert_eq!(stats.faults, expected);
}

#[test]
fn delayed_request_goes_before_or_after_the_later_request() {
    let (mut before, mut after) = (0, 0);
    for seed in 0..32 {
        let mut net = Network::new(
            seed,
            Faults {
                delay_request: 1.0,
                ..Faults::none()
            },
        );
        let (mut server, _) = run(&mut net, 1);
        net.set_faults(Faults::none());
        for i in 1..5 {
            server.during = i + 1;
            let outcome = net.exchange(&request(i), &mut |incoming| {
                server.handle(incoming, reversed)
            });
            assert_eq!(outcome, Exchange::Response(reversed(&request(i))));
        }
        let late = server
            .seen
            .iter()
            .position(|s| s.bytes == request(0))
            .unwrap();
        let during = server.seen[late].during;
        assert!((2..=4).contains(&during), "seed {seed}");
        let own = server
            .seen
            .iter()
            .position(|s| s.bytes == request(during - 1))
            .unwrap();
        if late < own {
            before += 1;
        } else {
            after += 1;
        }
    }
    assert!(before > 0 && after > 0, "{before} before, {after} after");
}

#[test]
fn truncate_request_delivers_a_strict_prefix_unflagged() {
    let mut net = Network::new(
        2,
        Faults {
            truncate_request: 1.0,
            ..Faults::none()
        },
    );
    let (server, outcomes) = run(&mut net, N);

    assert_eq!(server.seen.len(), N as usize);
    for (i, (seen, outcome)) in (0..).zip(server.seen.iter().zip(&outcomes)) {
        let sent = request(i);
        assert!(seen.bytes.len() < sent.len() && sent.starts_with(&seen.bytes));
        assert!(!seen.cut);
        assert_eq!(outcome, &Exchange::Response(reversed(&seen.bytes)));
    }
    let expected = FaultCounts {
        truncated_requests: N,
        ..FaultCounts::default()
    };
    assert_eq!(net.stats().faults, expected);
}

#[test]
fn truncate_response_returns_a_strict_prefix_as_complete() {
    let mut net = Network::new(
        2,
        Faults {
            truncate_response: 1.0,
            ..Faults::none()
        },
    );
    let (server, outcomes) = run(&mut net, N);

    for (i, (seen, outcome)) in (0..).zip(server.seen.iter().zip(&outcomes)) {
        let full = reversed(&request(i));
        assert_eq!(seen.bytes, request(i));
        let got = outcome.response().unwrap();
        assert!(got.len() < full.len() && full.starts_with(got));
    }
    let expected = FaultCounts {
        truncated_responses: N,
        ..FaultCounts::default()
    };
    assert_eq!(net.stats().faults, expected);
}

#[test]
fn truncating_empty_messages_does_nothing() {
    let faults = Faults {
        truncate_request: 1.0,
        truncate_response: 1.0,
        ..Faults::none()
    };
    let mut net = Network::new(2, faults);
    let outcome = net.exchange(&[], &mut |_| Vec::new());
    assert_eq!(outcome, Exchange::Response(Vec::new()));
    assert_eq!(net.stats().faults, FaultCounts::default());
}

#[test]
fn corrupt_changes_exactly_one_byte() {
    let mut net = Network::new(
        4,
        Faults {
            corrupt: 1.0,
            ..Faults::none()
        },
    );
    let (server, outcomes) = run(&mut net, N);

    let (mut requests, mut responses) = (0, 0);
    for (i, (seen, outcome)) in (0..).zip(server.seen.iter().zip(&outcomes)) {
        let sent = request(i);
        let got = outcome.response().unwrap();
        match differing_bytes(&seen.bytes, &sent) {
            1 => {
                assert_eq!(got, reversed(&seen.bytes), "only the request is corrupted");
                requests += 1;
            }
            0 => {
                assert_eq!(differing_bytes(got, &reversed(&sent)), 1, "request {i}");
                responses += 1;
            }
            n => panic!("request {i}: {n} bytes changed"),
        }
    }
    assert!(requests > 0 && responses > 0);
    let expected = FaultCounts {
        corrupted_requests: requests,
        corrupted_responses: responses,
        ..FaultCounts::default()
    };
    assert_eq!(net.stats().faults, expected);
}
