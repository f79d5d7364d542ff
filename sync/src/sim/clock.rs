//! The simulated clock: milliseconds elapsed since a fixed start instant.

use wangge_proto::values::Timestamp;

/// The instant every simulated clock starts at: 2026-11-01T00:00:00Z, in milliseconds since
/// the Unix epoch.
pub const START_MS: i64 = 1_793_491_200_000;

/// Simulated time; only moves when told to.
#[derive(Debug, Clone, Default)]
pub(super) struct Clock {
    elapsed_ms: u64,
}

impl Clock {
    /// Milliseconds since [`START_MS`].
    pub(super) fn elapsed_ms(&self) -> u64 {
        self.elapsed_ms
    }

    /// Moves forward by `ms` (saturating).
    pub(super) fn advance(&mut self, ms: u64) {
        self.elapsed_ms = self.elapsed_ms.saturating_add(ms);
    }

    /// Moves forward to `elapsed_ms` unless already past it.
    pub(super) fn advance_to(&mut self, elapsed_ms: u64) {
        self.elapsed_ms = self.elapsed_ms.max(elapsed_ms);
    }

    /// The current instant (clamped to the range [`Timestamp`] accepts).
    pub(super) fn now(&self) -> Timestamp {
        let millis = START_MS
            .saturating_add(i64::try_from(self.elapsed_ms).unwrap_or(i64::MAX))
            .clamp(Timestamp::MIN, Timestamp::MAX - 1);
        // Unreachable fallback: `millis` was clamped into the accepted range.
        Timestamp::from_millis(millis).unwrap_or_else(|_| Timestamp::now())
    }
}
