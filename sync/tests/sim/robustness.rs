//! No settings and no input make the network panic, and its counters stay consistent.

use proptest::prelude::*;
use wangge_proto::values::Timestamp;
use wangge_sync::sim::{Faults, Network};

fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![0.0..=1.0, any::<f64>()]
}

fn faults() -> impl Strategy<Value = Faults> {
    (
        prop::array::uniform7(probability()),
        proptest::option::of(prop_oneof![0u64..64, any::<u64>()]),
        (any::<u64>(), prop_oneof![0u64..100, any::<u64>()]),
        proptest::option::of(any::<u64>()),
        any::<u64>(),
    )
        .prop_map(
            |(p, cut_every_bytes, latency_ms, bytes_per_sec, timeout_ms)| Faults {
                drop_request: p[0],
                drop_response: p[1],
                duplicate_request: p[2],
                delay_request: p[3],
                truncate_request: p[4],
                truncate_response: p[5],
                corrupt: p[6],
                cut_every_bytes,
                latency_ms,
                bytes_per_sec,
                timeout_ms,
            },
        )
}

proptest! {
    #[test]
    fn never_panics_and_counts_consistently(
        seed: u64,
        faults in faults(),
        requests in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..20),
        response_len in 0usize..40,
    ) {
        let mut net = Network::new(seed, faults);
        let mut calls = 0u64;
        let mut up = 0u64;
        let mut last = net.elapsed_ms();
        let mut server = |incoming: wangge_sync::sim::Incoming<'_>| {
            calls += 1;
            up += incoming.bytes.len() as u64;
            vec![0xAB; response_len]
        };
        for request in &requests {
            let outcome = net.exchange(request, &mut server);
            if let Some(response) = outcome.response() {
                prop_assert!(response.len() <= response_len);
            }
            prop_assert!(net.elapsed_ms() >= last);
            last = net.elapsed_ms();
            let millis = net.now().as_millis();
            prop_assert!((Timestamp::MIN..Timestamp::MAX).contains(&millis));
        }
        net.flush(&mut server);
        prop_assert_eq!(net.pending(), 0);
        let stats = net.stats();
        prop_assert_eq!(stats.exchanges, requests.len() as u64);
        prop_assert!(stats.responses <= stats.exchanges);
        prop_assert_eq!(stats.deliveries, calls);
        prop_assert_eq!(stats.bytes_up, up);
    }
}
