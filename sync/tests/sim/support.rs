//! A recording server shared by the tests.

use wangge_sync::sim::{Exchange, Incoming, Network};

/// One delivery the server saw.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Seen {
    /// The bytes that arrived.
    pub bytes: Vec<u8>,
    /// Flagged as cut.
    pub cut: bool,
    /// Simulated arrival time, ms since the epoch.
    pub now_ms: i64,
    /// The exchange during which it arrived (1-based; 0 = during `flush` after none).
    pub during: u64,
}

/// A server that records every delivery and answers with a fixed function of the request.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Every delivery, in order.
    pub seen: Vec<Seen>,
    /// The exchange under way.
    pub during: u64,
}

impl Recorder {
    /// Records `incoming` and answers with `answer(bytes)`.
    pub fn handle(&mut self, incoming: Incoming<'_>, answer: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
        self.seen.push(Seen {
            bytes: incoming.bytes.to_vec(),
            cut: incoming.cut,
            now_ms: incoming.now.as_millis(),
            during: self.during,
        });
        answer(incoming.bytes)
    }
}

/// The response: the request reversed (so it differs from the request).
pub fn reversed(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().rev().copied().collect()
}

/// Request number `i`: a few distinct bytes, never empty.
pub fn request(i: u64) -> Vec<u8> {
    format!("request {i:04} payload").into_bytes()
}

/// Runs `count` exchanges of [`request`]s answered with [`reversed`].
pub fn run(net: &mut Network, count: u64) -> (Recorder, Vec<Exchange>) {
    let mut server = Recorder::default();
    let mut outcomes = Vec::new();
    for i in 0..count {
        server.during = i + 1;
        let outcome = net.exchange(&request(i), &mut |incoming| {
            server.handle(incoming, reversed)
        });
        outcomes.push(outcome);
    }
    (server, outcomes)
}

/// The number of positions where two equally long slices differ.
pub fn differing_bytes(a: &[u8], b: &[u8]) -> usize {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}
