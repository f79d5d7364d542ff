//! The bounds every message is checked against, so one oversized batch or a hostile sender
//! can neither exhaust memory nor stall a 2G link.

/// Size and count limits of the sync protocol. Both ends check them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded (compressed) message accepted.
    pub max_message_bytes: usize,
    /// Largest body after decompression.
    pub max_body_bytes: usize,
    /// Most cases uploaded in one request.
    pub max_cases: usize,
    /// Largest upload (all its changes) for one case; a larger one is refused alone
    /// (`sync.changes_too_large`) while the rest of the batch goes through.
    pub max_case_bytes: usize,
    /// Soft bound on a response: the hub stops adding feed entries once the uncompressed
    /// response passes it and sets `more`. One case larger than this still goes out alone.
    pub response_budget_bytes: usize,
    /// Most feed entries in one response.
    pub max_feed_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: 8 * 1024 * 1024,
            max_body_bytes: 32 * 1024 * 1024,
            max_cases: 1000,
            max_case_bytes: 2 * 1024 * 1024,
            response_budget_bytes: 512 * 1024,
            max_feed_entries: 2000,
        }
    }
}
