//! What the server receives and what the client gets back.

use std::fmt;

use wangge_proto::values::Timestamp;

/// One delivery of bytes to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incoming<'a> {
    /// The bytes that arrived: the whole request, or a prefix if truncated or cut.
    pub bytes: &'a [u8],
    /// The connection dropped after `bytes` (a prefix); whatever the server answers is lost.
    /// A truncation by a broken proxy is *not* flagged.
    pub cut: bool,
    /// The simulated time of arrival.
    pub now: Timestamp,
}

/// The outcome of one round trip, as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Exchange {
    /// A response arrived and looks complete (it may still be truncated or corrupted).
    Response(Vec<u8>),
    /// No usable response.
    Failed(Failure),
}

impl Exchange {
    /// The response, if one arrived.
    pub fn response(&self) -> Option<&[u8]> {
        match self {
            Self::Response(bytes) => Some(bytes),
            Self::Failed(_) => None,
        }
    }

    /// The failure, if the exchange failed.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::Response(_) => None,
            Self::Failed(failure) => Some(failure),
        }
    }
}

/// Why an exchange gave no response. A real client cannot tell most of these apart (they
/// all look like a timeout or a dropped connection); tests can.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Failure {
    /// The request never reached the server; the client timed out.
    RequestLost,
    /// The request is held back in the network and will reach the server during a later
    /// exchange or [`Network::flush`](super::Network::flush); the client timed out.
    RequestDelayed,
    /// The connection dropped while sending the request: the server received only the first
    /// `delivered` bytes, flagged as cut.
    RequestCut {
        /// How many bytes the server received.
        delivered: usize,
    },
    /// The server handled the request but the response was lost; the client timed out.
    ResponseLost,
    /// The connection dropped while receiving the response; the client knows it is
    /// incomplete.
    ResponseCut {
        /// The prefix of the response that arrived.
        received: Vec<u8>,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RequestLost => write!(f, "request lost (timed out)"),
            Self::RequestDelayed => write!(f, "request delayed (timed out)"),
            Self::RequestCut { delivered } => {
                write!(f, "connection dropped after {delivered} request bytes")
            }
            Self::ResponseLost => write!(f, "response lost (timed out)"),
            Self::ResponseCut { received } => write!(
                f,
                "connection dropped after {} response bytes",
                received.len()
            ),
        }
    }
}
