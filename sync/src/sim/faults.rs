//! Which faults the simulated link injects, and how slow it is.

/// The faults a [`Network`](super::Network) injects and the link's speed.
///
/// Probabilities are per exchange (one request and its response) and drawn independently; a
/// value of `1.0` or more always fires, `0.0`, less or NaN never does. When several fire on
/// the same exchange, the earlier one in this list wins where they exclude each other: a
/// dropped request is neither delayed nor duplicated, a delayed one is not duplicated, a
/// request cut by [`cut_every_bytes`](Self::cut_every_bytes) is not duplicated. Truncation
/// and corruption hit only an exchange's own request and response; duplicates and late
/// deliveries carry the request as the client sent it (they can still be cut).
///
/// Build variants with struct update syntax:
/// `Faults { drop_request: 0.2, ..Faults::none() }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// The request never reaches the server; the client times out
    /// ([`Failure::RequestLost`](super::Failure::RequestLost)).
    pub drop_request: f64,
    /// The server handles the request but its response is lost; the client times out
    /// ([`Failure::ResponseLost`](super::Failure::ResponseLost)).
    pub drop_response: f64,
    /// The server receives the request twice. The copy (the request as the client sent it)
    /// is delivered right after the original or held back and delivered during a later
    /// exchange (reordering), with equal chance. Its response is discarded.
    pub duplicate_request: f64,
    /// The request is held back and delivered to the server during a later exchange (one to
    /// three exchanges later, before or after that exchange's own request); the client times
    /// out now ([`Failure::RequestDelayed`](super::Failure::RequestDelayed)). The response to
    /// the late delivery is discarded.
    pub delay_request: f64,
    /// The server receives a random strict prefix of the request, not flagged as cut (a
    /// broken proxy); its response goes back normally. No effect on an empty request.
    pub truncate_request: f64,
    /// The client receives a random strict prefix of the response as if it were complete.
    /// No effect on an empty response.
    pub truncate_response: f64,
    /// One random byte of the request or of the response (equal chance) is changed. No effect
    /// if the chosen message is empty.
    pub corrupt: f64,
    /// The connection drops each time this many more bytes have crossed the link (both
    /// directions, counted over the link's whole life): the message crossing at that moment
    /// arrives as a prefix flagged `cut`. A message that ends exactly on the boundary arrives
    /// whole. `None` or `Some(0)`: never.
    pub cut_every_bytes: Option<u64>,
    /// One-way latency in milliseconds, drawn uniformly from this inclusive range for each
    /// message (the bounds may come in either order).
    pub latency_ms: (u64, u64),
    /// Bandwidth: each message advances the clock by its size divided by this rate (rounded
    /// up to whole milliseconds). `None`: instantaneous. `Some(0)` is taken as 1 byte/s.
    pub bytes_per_sec: Option<u64>,
    /// How long the client waits for a message that never comes (a lost or delayed request,
    /// a lost response) before it sees the failure, in milliseconds.
    pub timeout_ms: u64,
}

impl Faults {
    /// A perfect link: no faults, no latency, infinite bandwidth, 30 s timeout.
    pub fn none() -> Self {
        Self {
            drop_request: 0.0,
            drop_response: 0.0,
            duplicate_request: 0.0,
            delay_request: 0.0,
            truncate_request: 0.0,
            truncate_response: 0.0,
            corrupt: 0.0,
            cut_every_bytes: None,
            latency_ms: (0, 0),
            bytes_per_sec: None,
            timeout_ms: 30_000,
        }
    }

    /// A bad mobile link in a basement: a few percent of every fault, a connection that drops
    /// every 256 KiB, 20–800 ms latency, 32 KiB/s.
    pub fn harsh() -> Self {
        Self {
            drop_request: 0.05,
            drop_response: 0.05,
            duplicate_request: 0.05,
            delay_request: 0.05,
            truncate_request: 0.02,
            truncate_response: 0.02,
            corrupt: 0.02,
            cut_every_bytes: Some(256 * 1024),
            latency_ms: (20, 800),
            bytes_per_sec: Some(32 * 1024),
            timeout_ms: 30_000,
        }
    }
}

impl Default for Faults {
    /// [`Faults::none`].
    fn default() -> Self {
        Self::none()
    }
}
