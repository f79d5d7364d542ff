//! The cross-instance bus on PostgreSQL: `LISTEN wangge_live` on a connection of its own,
//! `SELECT pg_notify('wangge_live', payload)` on the store's pool.
//!
//! Notifications are sent right after the commit (by the hub's observer), not inside the
//! commit's transaction. Inside, PostgreSQL would deliver them exactly on commit, but every
//! notifying commit also takes a database-wide lock on the notification queue — and our
//! case writes already queue behind the one `feed_head` row until commit, so that lock
//! would sit in the one section every write passes through, and the store's SQL (shared
//! with SQLite, which has nothing alike) would need a PostgreSQL-only step. The price of
//! "after": if the process dies between commit and notify, or PostgreSQL refuses the
//! notify, other instances' devices hear nothing of that commit until their next sync
//! (their timer, the app coming to the foreground, or the next notification in their
//! scope). A device is never stale for longer than its own sync period.
//!
//! The listener runs until [`Live::close`](super::Live::close). When its connection drops
//! it reconnects — [`PgListener`] does that itself inside `try_recv`, re-subscribing; when
//! even that fails, this loop starts a new listener after a growing pause — and after every
//! reconnect it emits [`Signal::Resync`], because notifications sent while it was away are
//! gone for good.

use std::time::Duration;

use metrics::counter;
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::{broadcast, mpsc, watch};

use super::notice;
use super::signal::Signal;

/// The notification channel.
pub const CHANNEL: &str = "wangge_live";

/// The `application_name` of the listener's connection (operators, and tests that cut it,
/// find it in `pg_stat_activity`).
pub const LISTENER_APPLICATION: &str = "wangge-live-listener";

/// Payloads waiting for `pg_notify`; beyond this they are dropped and counted.
pub const OUTBOX_CAPACITY: usize = 4096;

const MIN_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the listener talks to.
pub struct Sides {
    /// This instance's fan-out.
    pub signals: broadcast::Sender<Signal>,
    /// Set while the listener is subscribed.
    pub listening: watch::Sender<bool>,
    /// Becomes true when the live channel closes.
    pub closing: watch::Receiver<bool>,
}

/// Starts the listener and the notifier.
pub fn spawn(pool: &PgPool, instance: u64, sides: Sides, outbox: mpsc::Receiver<String>) {
    let options = pool
        .connect_options()
        .as_ref()
        .clone()
        .application_name(LISTENER_APPLICATION);
    // One connection, kept as long as it lives; PgListener reconnects through this pool.
    let listener_pool = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_lazy_with(options);
    tokio::spawn(notify(pool.clone(), outbox, sides.closing.clone()));
    tokio::spawn(listen(listener_pool, instance, sides));
}

/// Resolves once the live channel is closed.
async fn closed(closing: &mut watch::Receiver<bool>) {
    // An error means the channel was dropped: closed too.
    let _ = closing.wait_for(|closed| *closed).await;
}

async fn listen(pool: PgPool, instance: u64, sides: Sides) {
    let Sides {
        signals,
        listening,
        mut closing,
    } = sides;
    let mut backoff = MIN_BACKOFF;
    // Nothing can have been missed before the first connection: the streams of this
    // instance start with a resync anyway.
    let mut missed = false;
    loop {
        let connect = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let connected = tokio::select! {
            () = closed(&mut closing) => return,
            connected = connect => connected,
        };
        let mut listener = match connected {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, retry_in = ?backoff, "live: cannot listen on PostgreSQL");
                counter!("wangge_live_bus_reconnects_total", "outcome" => "failed").increment(1);
                missed = true;
                tokio::select! {
                    () = closed(&mut closing) => return,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = MIN_BACKOFF;
        listening.send_replace(true);
        if missed {
            tracing::info!("live: listening on PostgreSQL again; every stream resyncs");
            counter!("wangge_live_bus_reconnects_total", "outcome" => "connected").increment(1);
            let _ = signals.send(Signal::Resync);
        }
        missed = true;
        loop {
            let next = tokio::select! {
                () = closed(&mut closing) => return,
                next = listener.try_recv() => next,
            };
            match next {
                Ok(Some(notification)) => match notice::decode(notification.payload()) {
                    Ok((sender, _)) if sender == instance => {}
                    Ok((_, moved)) => {
                        let _ = signals.send(Signal::Moved(std::sync::Arc::new(moved)));
                    }
                    Err(error) => {
                        tracing::warn!(%error, "live: unreadable notification; every stream resyncs");
                        let _ = signals.send(Signal::Resync);
                    }
                },
                // The connection dropped and PgListener connected again (and listens again).
                Ok(None) => {
                    tracing::info!("live: PostgreSQL listener reconnected; every stream resyncs");
                    counter!("wangge_live_bus_reconnects_total", "outcome" => "connected")
                        .increment(1);
                    let _ = signals.send(Signal::Resync);
                }
                Err(error) => {
                    tracing::warn!(%error, "live: PostgreSQL listener lost");
                    listening.send_replace(false);
                    break;
                }
            }
        }
    }
}

async fn notify(
    pool: PgPool,
    mut outbox: mpsc::Receiver<String>,
    mut closing: watch::Receiver<bool>,
) {
    loop {
        let payload = tokio::select! {
            // Shutting down: what is queued now is sent, nothing later is accepted.
            () = closed(&mut closing) => {
                outbox.close();
                match outbox.recv().await {
                    Some(payload) => payload,
                    None => return,
                }
            }
            payload = outbox.recv() => match payload {
                Some(payload) => payload,
                None => return,
            },
        };
        let mut delay = MIN_BACKOFF;
        for attempt in 1..=3 {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(&pool)
                .await;
            match sent {
                Ok(_) => break,
                Err(error) if attempt == 3 => {
                    tracing::warn!(%error, "live: notification lost");
                    counter!("wangge_live_notify_failures_total", "reason" => "database")
                        .increment(1);
                }
                Err(error) => {
                    tracing::debug!(%error, attempt, "live: notify failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
            }
        }
    }
}
