//! How often and how long to retry a failed exchange: exponential backoff with full jitter,
//! so a street's phones coming back into signal at once do not all retry together.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub longest: Duration,
    /// Attempts before giving up until the next sync.
    pub attempts: u32,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            first: Duration::from_millis(500),
            longest: Duration::from_secs(30),
            attempts: 6,
        }
    }
}

impl Retry {
    /// The waits between attempts: `attempts - 1` of them.
    pub fn waits(&self) -> impl Iterator<Item = Duration> {
        ExponentialBuilder::default()
            .with_min_delay(self.first)
            .with_max_delay(self.longest)
            .with_max_times(self.attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build()
    }
}
