//! What a sync batch did, for the server's metrics: the hub counts, the server exports.

/// The outcome of one answered request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Uploaded cases accepted.
    pub accepted: u64,
    /// Uploaded cases refused.
    pub rejected: u64,
    /// Uploaded cases to be sent again whole.
    pub resend: u64,
    /// New changes stored.
    pub changes_stored: u64,
    /// Case updates sent back (uploads' replies, refetches, feed).
    pub updates_sent: u64,
}

/// Receives the stats of every answered request.
pub trait Observer: Send + Sync {
    /// Called once per request the hub answered.
    fn batch(&self, stats: &BatchStats);
}
