//! One open live connection: the signals of this instance, filtered by the user's scope, as
//! Server-Sent Events — `resync` first, then `moved` / `resync` as they come — until the
//! server shuts down or the token stops being valid.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::Event;
use futures_util::Stream;
use metrics::{counter, gauge};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};
use wangge_proto::Scope;
use wangge_proto::values::Timestamp;
use wangge_sync::http::live::LiveEvent;

use super::signal::Signal;
use crate::services::accounts::Accounts;
use crate::store::Store;

/// A receiver of one instance's signals and of its shutdown.
#[derive(Debug)]
pub struct Subscription {
    signals: broadcast::Receiver<Signal>,
    closing: watch::Receiver<bool>,
}

impl Subscription {
    pub(super) fn new(
        signals: broadcast::Receiver<Signal>,
        closing: watch::Receiver<bool>,
    ) -> Self {
        Self { signals, closing }
    }

    /// The next event for a user with `scope`: `None` once the channel is closed.
    pub async fn next_for(&mut self, scope: &Scope) -> Option<LiveEvent> {
        loop {
            let received = tokio::select! {
                biased;
                closed = self.closing.wait_for(|closed| *closed) => {
                    let _ = closed;
                    return None;
                }
                received = self.signals.recv() => received,
            };
            match received {
                Ok(Signal::Moved(moved)) if moved.concerns(scope) => {
                    return Some(LiveEvent::Moved {
                        cursor: moved.cursor,
                    });
                }
                Ok(Signal::Moved(_)) => {}
                Ok(Signal::Resync) => return Some(LiveEvent::Resync),
                // This stream fell behind and signals were dropped: it cannot know whether
                // one concerned it.
                Err(RecvError::Lagged(_)) => return Some(LiveEvent::Resync),
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// Counts an open stream for as long as it lives.
struct Open;

impl Open {
    fn new() -> Self {
        gauge!("wangge_live_connections").increment(1.0);
        Self
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        gauge!("wangge_live_connections").decrement(1.0);
    }
}

struct State<S> {
    subscription: Subscription,
    scope: Scope,
    accounts: Accounts<S>,
    token: String,
    recheck: tokio::time::Interval,
    greeted: bool,
    _open: Open,
}

fn sse(event: LiveEvent) -> Event {
    let (name, data) = event.to_sse().unwrap_or(("", String::new()));
    counter!("wangge_live_events_sent_total", "event" => name).increment(1);
    Event::default().event(name).data(data)
}

/// The event stream of a user with `scope` signed in with `token`; it ends when the server
/// shuts down, or at the first check every `recheck` that finds the token no longer valid.
pub fn events<S: Store>(
    subscription: Subscription,
    scope: Scope,
    accounts: Accounts<S>,
    token: String,
    recheck: Duration,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    let start = tokio::time::Instant::now() + recheck;
    let mut interval = tokio::time::interval_at(start, recheck);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let state = State {
        subscription,
        scope,
        accounts,
        token,
        recheck: interval,
        greeted: false,
        _open: Open::new(),
    };
    futures_util::stream::unfold(state, |mut state| async move {
        if !state.greeted {
            // Anything may have happened while this device was not listening.
            state.greeted = true;
            return Some((Ok(sse(LiveEvent::Resync)), state));
        }
        loop {
            tokio::select! {
                event = state.subscription.next_for(&state.scope) => {
                    return event.map(|event| (Ok(sse(event)), state));
                }
                _ = state.recheck.tick() => {
                    match state.accounts.authenticate(&state.token, Timestamp::now()).await {
                        Ok((user, _)) => state.scope = user.scope,
                        Err(error) => {
                            tracing::info!(code = error.code(), "live: stream ended, sign-in no longer valid");
                            return None;
                        }
                    }
                }
            }
        }
    })
}
