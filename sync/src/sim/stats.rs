//! What crossed a simulated link and what went wrong on it.

/// Counters of one [`Network`](super::Network) over its whole life.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LinkStats {
    /// Round trips attempted ([`Network::exchange`](super::Network::exchange) calls).
    pub exchanges: u64,
    /// Exchanges that ended with a response (possibly truncated or corrupted).
    pub responses: u64,
    /// Bytes that crossed towards the server, including cut prefixes, duplicates and late
    /// deliveries. Lost requests count nothing.
    pub bytes_up: u64,
    /// Bytes that crossed towards the client, including cut prefixes. Lost responses and the
    /// discarded responses to duplicates and late deliveries count nothing.
    pub bytes_down: u64,
    /// Times the server was called (original requests, duplicates, late deliveries, cut
    /// prefixes).
    pub deliveries: u64,
    /// Faults that took effect, by kind.
    pub faults: FaultCounts,
}

/// How many times each fault took effect (a fault drawn but without effect, such as
/// truncating an empty message, is not counted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FaultCounts {
    /// Requests lost before the server.
    pub dropped_requests: u64,
    /// Responses lost on the way back.
    pub dropped_responses: u64,
    /// Requests delivered a second time.
    pub duplicated_requests: u64,
    /// Requests held back for a later exchange.
    pub delayed_requests: u64,
    /// Requests delivered as a strict prefix, unflagged.
    pub truncated_requests: u64,
    /// Responses delivered as a strict prefix, unflagged.
    pub truncated_responses: u64,
    /// Requests with one byte changed.
    pub corrupted_requests: u64,
    /// Responses with one byte changed.
    pub corrupted_responses: u64,
    /// Messages towards the server cut by a dropped connection (own requests, duplicates and
    /// late deliveries).
    pub cut_requests: u64,
    /// Responses cut by a dropped connection.
    pub cut_responses: u64,
}
