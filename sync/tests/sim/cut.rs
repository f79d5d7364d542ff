//! A connection that drops every N bytes cuts messages exactly at multiples of N.

use wangge_sync::sim::{Exchange, Failure, Faults, Network};

fn cutting(every: u64) -> Faults {
    Faults {
        cut_every_bytes: Some(every),
        ..Faults::none()
    }
}

#[test]
fn requests_are_cut_at_the_boundary() {
    let mut net = Network::new(0, cutting(10));
    let mut seen = Vec::new();
    let mut outcomes = Vec::new();
    for i in 0..6u8 {
        let outcome = net.exchange(&[i; 4], &mut |incoming| {
            seen.push((incoming.bytes.to_vec(), incoming.cut));
            Vec::new()
        });
        outcomes.push(outcome);
    }
    // 4, 8, [10 cut], 14, 18, [20 cut]: each message after a cut starts a fresh period.
    let cut = |delivered| Exchange::Failed(Failure::RequestCut { delivered });
    let ok = Exchange::Response(Vec::new());
    assert_eq!(
        outcomes,
        [ok.clone(), ok.clone(), cut(2), ok.clone(), ok, cut(2)]
    );
    assert_eq!(seen[2], (vec![2, 2], true));
    assert_eq!(seen[5], (vec![5, 5], true));
    assert!(seen.iter().filter(|s| s.1).count() == 2);
    assert_eq!(net.stats().bytes_up, 20);
    assert_eq!(net.stats().faults.cut_requests, 2);
}

#[test]
fn responses_are_cut_and_the_client_keeps_the_prefix() {
    let mut net = Network::new(0, cutting(10));
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        outcomes.push(net.exchange(b"rq", &mut |_| b"abcdef".to_vec()));
    }
    // up 2, down 6 (8); up 2 ends exactly on 10 and arrives whole; down 6 (16);
    // up 2 (18); down 6 crosses 20 after 2 bytes.
    let ok = Exchange::Response(b"abcdef".to_vec());
    let cut = Exchange::Failed(Failure::ResponseCut {
        received: b"ab".to_vec(),
    });
    assert_eq!(outcomes, [ok.clone(), ok, cut]);
    let stats = net.stats();
    assert_eq!((stats.bytes_up, stats.bytes_down), (6, 14));
    assert_eq!(
        (stats.faults.cut_requests, stats.faults.cut_responses),
        (0, 1)
    );
    assert_eq!(stats.responses, 2);
}

/// A resumable upload of 300 KiB in 16 KiB chunks over a link that drops every 64 KiB: the
/// server appends whatever arrives (even cut) and answers with its stored length (8 bytes).
#[test]
fn upload_is_cut_where_the_cumulative_count_crosses_each_multiple() {
    const EVERY: u64 = 64 * 1024;
    const CHUNK: usize = 16 * 1024;
    let data: Vec<u8> = (0..300 * 1024u32).map(|i| (i * 31 % 251) as u8).collect();
    let mut net = Network::new(0, cutting(EVERY));

    let mut stored: Vec<u8> = Vec::new();
    let mut cut_prefixes = Vec::new();
    let mut offset = 0;
    let mut crossed = 0u64;
    let mut cuts = Vec::new();
    while offset < data.len() {
        let chunk = &data[offset..(offset + CHUNK).min(data.len())];
        let outcome = net.exchange(chunk, &mut |incoming| {
            if incoming.cut {
                cut_prefixes.push(incoming.bytes.to_vec());
            }
            stored.extend_from_slice(incoming.bytes);
            (stored.len() as u64).to_le_bytes().to_vec()
        });
        let len = chunk.len() as u64;
        match outcome {
            Exchange::Response(ack) => {
                assert_eq!(ack.len(), 8);
                let next_boundary = (crossed / EVERY + 1) * EVERY;
                assert!(
                    crossed + len + 8 <= next_boundary,
                    "crossed a boundary uncut"
                );
                crossed += len + 8;
                offset = u64::from_le_bytes(ack.try_into().unwrap()) as usize;
            }
            Exchange::Failed(Failure::RequestCut { delivered }) => {
                assert!(delivered > 0 && delivered < chunk.len());
                assert_eq!(cut_prefixes.last().unwrap(), &chunk[..delivered]);
                crossed += delivered as u64;
                cuts.push(crossed);
                offset += delivered;
            }
            Exchange::Failed(Failure::ResponseCut { received }) => {
                assert!(received.len() < 8);
                crossed += len + received.len() as u64;
                cuts.push(crossed);
                offset += chunk.len();
            }
            Exchange::Failed(other) => panic!("unexpected {other}"),
        }
        assert_eq!(stored, data[..stored.len()]);
        assert_eq!(offset, stored.len());
    }

    assert_eq!(stored, data);
    assert_eq!(cuts, [EVERY, 2 * EVERY, 3 * EVERY, 4 * EVERY]);
    let stats = net.stats();
    assert_eq!(stats.bytes_up + stats.bytes_down, crossed);
    assert_eq!(stats.faults.cut_requests, cut_prefixes.len() as u64);
    assert_eq!(stats.faults.cut_requests + stats.faults.cut_responses, 4);
}

#[test]
fn zero_period_never_cuts() {
    let mut net = Network::new(0, cutting(0));
    let outcome = net.exchange(&[7; 1000], &mut |incoming| incoming.bytes.to_vec());
    assert_eq!(outcome, Exchange::Response(vec![7; 1000]));
}
