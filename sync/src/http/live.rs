//! The live channel's vocabulary, shared by the server's `GET /v1/live` and the phone's
//! [`client`](super::client) subscription: a `text/event-stream` (Server-Sent Events) that
//! tells a signed-in device *when* to sync, never *what* changed — the sync itself stays
//! the one exact, validated path (ADR 0007).
//!
//! Events, each one `event:` line and one `data:` line of JSON:
//!
//! - `moved` `{"cursor": N}` — a case the user may see moved in the feed; N is at or after
//!   its new position, so a device whose stored cursor has reached N has it already and
//!   may skip the sync.
//! - `resync` `{}` — sync once: sent first on every connection (anything may have happened
//!   while the device was not listening) and whenever the server may have missed
//!   notifications (its database listener reconnected, or this subscriber fell behind).
//! - comment lines (`: keep-alive`) every ~25 s, so proxies keep the connection open and the
//!   device can tell a dead connection from a quiet one.

use crate::wire::Cursor;

/// The live endpoint: `GET` with `Accept: text/event-stream`.
pub const LIVE_PATH: &str = "/v1/live";

/// Browsers' `EventSource` cannot send headers: the access token may instead come as this
/// query parameter, on this route only (see ADR 0007 for the risk).
pub const LIVE_TOKEN_PARAM: &str = "token";

/// The content type of the live stream.
pub const EVENT_STREAM: &str = "text/event-stream";

/// The `event:` name of [`LiveEvent::Moved`].
pub const EVENT_MOVED: &str = "moved";

/// The `event:` name of [`LiveEvent::Resync`].
pub const EVENT_RESYNC: &str = "resync";

/// What the live channel says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveEvent {
    /// A case in the user's scope moved in the feed, to a position at or before `cursor`.
    Moved {
        /// Sync unless the device's stored cursor is already at or after this one.
        cursor: Cursor,
    },
    /// Sync once, whatever the stored cursor.
    Resync,
    /// A keep-alive: the connection is alive; nothing to do.
    KeepAlive,
}

/// The JSON of a `moved` event.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct MovedData {
    cursor: u64,
}

impl LiveEvent {
    /// The `event:` name and `data:` JSON of this event; `None` for a keep-alive (a comment
    /// line, not an event).
    pub fn to_sse(&self) -> Option<(&'static str, String)> {
        match self {
            Self::Moved { cursor } => Some((EVENT_MOVED, format!("{{\"cursor\":{}}}", cursor.0))),
            Self::Resync => Some((EVENT_RESYNC, "{}".to_owned())),
            Self::KeepAlive => None,
        }
    }

    /// The event named `name` with `data`; `None` for names this build does not know (newer
    /// servers may add events; older clients skip them) or malformed data.
    pub fn from_sse(name: &str, data: &str) -> Option<Self> {
        match name {
            EVENT_MOVED => serde_json::from_str::<MovedData>(data)
                .ok()
                .map(|d| Self::Moved {
                    cursor: Cursor(d.cursor),
                }),
            EVENT_RESYNC => Some(Self::Resync),
            _ => None,
        }
    }

    /// Whether a device whose stored feed cursor is `stored` should sync now.
    pub fn wants_sync(&self, stored: Cursor) -> bool {
        match self {
            Self::Moved { cursor } => stored < *cursor,
            Self::Resync => true,
            Self::KeepAlive => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_their_sse_form() {
        for event in [
            LiveEvent::Moved {
                cursor: Cursor(4711),
            },
            LiveEvent::Resync,
        ] {
            let (name, data) = event.to_sse().unwrap();
            assert_eq!(LiveEvent::from_sse(name, &data), Some(event));
        }
        assert_eq!(LiveEvent::KeepAlive.to_sse(), None);
        assert_eq!(LiveEvent::from_sse("later", "{}"), None);
        assert_eq!(LiveEvent::from_sse(EVENT_MOVED, "{\"cursor\":-1}"), None);
    }

    #[test]
    fn a_device_syncs_only_when_behind_or_told_to() {
        let moved = LiveEvent::Moved { cursor: Cursor(10) };
        assert!(moved.wants_sync(Cursor(9)));
        assert!(!moved.wants_sync(Cursor(10)));
        assert!(LiveEvent::Resync.wants_sync(Cursor(u64::MAX)));
        assert!(!LiveEvent::KeepAlive.wants_sync(Cursor(0)));
    }
}
