//! Live: tells connected phones and consoles that their feed moved, so they sync now rather
//! than at their next timer (ADR 0007).
//!
//! The hub reports every batch that stored commits ([`wangge_sync::hub::Observer::moved`]);
//! [`Live`] turns that into a [`Signal`] on a process-local `tokio::sync::broadcast`, which
//! every open `GET /v1/live` stream reads, forwarding only moves its user's scope covers.
//! Across instances on one PostgreSQL database the same move is also sent with `pg_notify`
//! right after the commit, and each instance's listener (`postgres`) feeds what the others
//! sent into its own broadcast. A moment where notifications may have been lost — the
//! listener reconnected, a slow stream fell behind the broadcast — becomes
//! [`Signal::Resync`]: every stream tells its device to sync once, so a lost notification
//! costs one extra sync, never a device that stays stale.
//!
//! Streams end when the server starts shutting down ([`Live::close`]): otherwise graceful
//! shutdown would wait for them forever.

mod notice;
mod observer;
mod postgres;
mod signal;
mod stream;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use metrics::counter;
use tokio::sync::{broadcast, mpsc, watch};

pub use signal::{FeedMoved, Signal};
pub use stream::{Subscription, events};

/// How many signals a slow stream may fall behind before it is told to resync.
const BROADCAST_CAPACITY: usize = 1024;

/// Timings of the live channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSettings {
    /// How often an idle stream sends a keep-alive comment (proxies close idle connections;
    /// phones tell a dead connection from a quiet one).
    pub keep_alive: Duration,
    /// How often an open stream checks that its token is still valid (revoked, expired, or
    /// the user disabled: the stream ends, and reconnecting gets 401).
    pub recheck: Duration,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(25),
            recheck: Duration::from_secs(300),
        }
    }
}

/// The live channel of one server instance (cheap to clone).
#[derive(Debug, Clone)]
pub struct Live {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    signals: broadcast::Sender<Signal>,
    closing: watch::Sender<bool>,
    /// Whether this instance hears the others (always, within one process).
    listening: watch::Sender<bool>,
    settings: LiveSettings,
    /// Names this instance in its notifications, so its listener skips its own.
    instance: u64,
    /// Payloads for `pg_notify`, when on PostgreSQL.
    outbox: OnceLock<mpsc::Sender<String>>,
}

impl Live {
    /// A live channel within this process (SQLite, or before [`Live::share_over_postgres`]).
    pub fn new(settings: LiveSettings) -> Self {
        let (signals, _) = broadcast::channel(BROADCAST_CAPACITY);
        let (closing, _) = watch::channel(false);
        let (listening, _) = watch::channel(true);
        Self {
            inner: Arc::new(Inner {
                signals,
                closing,
                listening,
                settings,
                instance: rand::random(),
                outbox: OnceLock::new(),
            }),
        }
    }

    /// Shares moves with every instance on the database of `pool`: starts the listener (on
    /// a connection of its own, reconnecting with backoff) and the notifier (on `pool`).
    /// Calling it again does nothing.
    pub fn share_over_postgres(&self, pool: &sqlx::PgPool) {
        let (outbox, queue) = mpsc::channel(postgres::OUTBOX_CAPACITY);
        if self.inner.outbox.set(outbox).is_err() {
            return;
        }
        self.inner.listening.send_replace(false);
        postgres::spawn(
            pool,
            self.inner.instance,
            postgres::Sides {
                signals: self.inner.signals.clone(),
                listening: self.inner.listening.clone(),
                closing: self.inner.closing.subscribe(),
            },
            queue,
        );
    }

    /// Resolves once this instance hears the other instances' notifications (at once when
    /// the channel is not shared). For tests and readiness checks.
    pub async fn listening(&self) {
        let mut listening = self.inner.listening.subscribe();
        let _ = listening.wait_for(|listening| *listening).await;
    }

    /// The timings.
    pub fn settings(&self) -> LiveSettings {
        self.inner.settings
    }

    /// Announces cases the hub just stored: to this instance's streams at once, and to the
    /// other instances through PostgreSQL if shared.
    pub fn publish(&self, moved: FeedMoved) {
        if let Some(outbox) = self.inner.outbox.get() {
            for payload in notice::encode_all(self.inner.instance, &moved) {
                if outbox.try_send(payload).is_err() {
                    // PostgreSQL is not keeping up: the other instances miss this one; their
                    // devices catch up at their next sync.
                    counter!("wangge_live_notify_failures_total", "reason" => "queue_full")
                        .increment(1);
                }
            }
        }
        self.deliver(Signal::Moved(Arc::new(moved)));
    }

    /// Hands `signal` to this instance's streams.
    fn deliver(&self, signal: Signal) {
        // No receivers is fine: nobody is listening.
        let _ = self.inner.signals.send(signal);
    }

    /// A new subscriber of this instance's signals.
    pub fn subscribe(&self) -> Subscription {
        Subscription::new(
            self.inner.signals.subscribe(),
            self.inner.closing.subscribe(),
        )
    }

    /// Ends every stream and stops the PostgreSQL listener: the server is shutting down.
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Whether [`Live::close`] was called.
    pub fn is_closed(&self) -> bool {
        *self.inner.closing.borrow()
    }

    /// The hub observer that publishes here.
    pub fn observer(&self) -> Arc<dyn wangge_sync::hub::Observer> {
        Arc::new(observer::LiveObserver::new(self.clone()))
    }
}
