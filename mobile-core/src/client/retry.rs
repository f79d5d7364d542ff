//! How often and how long to retry a failed exchange: exponential backoff with jitter, so a
//! street's phones coming back into signal at once do not all retry together.
//!
//! backon draws each wait between `d` and `2 d`, where `d` doubles from [`Retry::first`] up to
//! [`Retry::longest`]: with the defaults 0.5–1 s, 1–2 s, 2–4 s, 4–8 s, 8–16 s.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use wangge_sync::http::client::HttpError;

use super::ClientError;
use super::listener::{SyncListener, SyncProgress};

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// The first wait before jitter (the wait itself is up to twice as long).
    pub first: Duration,
    /// The longest wait before jitter (the wait itself is up to twice as long).
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

/// The attempts of one exchange (a sync round, one photo's upload): after each retryable
/// failure, tells the app and waits, until the attempts run out.
pub(super) struct Attempts<I> {
    waits: I,
    attempt: u32,
}

impl Retry {
    /// Counts the attempts of one exchange.
    pub(super) fn attempts(&self) -> Attempts<impl Iterator<Item = Duration> + '_> {
        Attempts {
            waits: self.waits(),
            attempt: 1,
        }
    }
}

impl<I: Iterator<Item = Duration>> Attempts<I> {
    /// After `error`, which [`HttpError::is_retryable`]: reports the retry and waits, or
    /// gives up with [`ClientError::Unreachable`] when the attempts are used up.
    pub(super) async fn wait_after(
        &mut self,
        error: HttpError,
        listener: &dyn SyncListener,
    ) -> Result<(), ClientError> {
        let Some(wait) = self.waits.next() else {
            return Err(ClientError::Unreachable {
                attempts: self.attempt,
                last: error,
            });
        };
        self.attempt += 1;
        tracing::info!(%error, attempt = self.attempt, ?wait, "exchange failed; retrying");
        listener.on_progress(&SyncProgress::Retrying {
            attempt: self.attempt,
            wait_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            code: error.code().to_owned(),
        });
        tokio::time::sleep(wait).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Retry;

    #[test]
    fn waits_double_up_to_the_longest_and_jitter_adds_up_to_as_much_again() {
        let retry = Retry {
            first: Duration::from_millis(100),
            longest: Duration::from_millis(1_000),
            attempts: 7,
        };
        for _ in 0..50 {
            let waits: Vec<Duration> = retry.waits().collect();
            assert_eq!(waits.len(), 6);
            let unjittered = [100, 200, 400, 800, 1_000, 1_000].map(Duration::from_millis);
            for (wait, d) in waits.iter().zip(unjittered) {
                assert!(
                    *wait >= d && *wait < 2 * d,
                    "{wait:?} not in [{d:?}, 2 × {d:?})"
                );
            }
        }
    }
}
