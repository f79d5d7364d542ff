//! What can go wrong on the phone's side of an HTTP exchange, with a code the app acts on
//! and a message it shows.

use wangge_proto::Locale;

use crate::Error;
use crate::blob::BlobError;

/// Why an HTTP exchange (or a transfer driven over HTTP) did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The client could not be built: the base URL is not a URL, or TLS could not start.
    #[error("cannot set up the HTTP client: {detail}")]
    Setup {
        /// What was wrong.
        detail: String,
    },
    /// No answer: no connection, the connection dropped, or a timeout. Nothing is known about
    /// whether the server acted; the protocol makes retrying safe.
    #[error("network failure: {detail}")]
    Transport {
        /// The HTTP stack's description, for logs.
        detail: String,
    },
    /// The server answered with an error status and (usually) `{code, message}`.
    #[error("the server answered {status} ({code}): {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's stable code (`sync.*`, `blob.*`, `auth.*`, `http.*`), or
        /// `http.status` when the answer had no readable error body.
        code: String,
        /// The server's message, in the locale the client asked for.
        message: String,
    },
    /// The server answered with success, but not in the shape the protocol expects (a
    /// missing or malformed header).
    #[error("unreadable answer from the server: {detail}")]
    Decode {
        /// What was wrong.
        detail: String,
    },
    /// The sync protocol refused on this side: the request could not be built, the response
    /// did not decode or apply, or the phone's store failed.
    #[error(transparent)]
    Sync(Error),
    /// The blob transfer gave up (see [`BlobError::is_permanent`]) or the local file changed.
    #[error(transparent)]
    Blob(BlobError),
}

impl HttpError {
    /// A stable code: the server's for [`HttpError::Status`], the protocol's for
    /// [`HttpError::Sync`] and [`HttpError::Blob`], else `http.setup`, `http.transport` or
    /// `http.decode`.
    pub fn code(&self) -> &str {
        match self {
            Self::Setup { .. } => "http.setup",
            Self::Transport { .. } => "http.transport",
            Self::Status { code, .. } => code,
            Self::Decode { .. } => "http.decode",
            Self::Sync(e) => e.code(),
            Self::Blob(e) => e.code(),
        }
    }

    /// What to tell the user, in their language (a server message is already in the
    /// locale the client asked for).
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Self::Setup { .. } => locale
                .pick(
                    "服务器地址配置错误，请联系管理员。",
                    "The server address is misconfigured; contact your administrator.",
                )
                .into(),
            Self::Transport { .. } => locale
                .pick(
                    "网络连接失败，将在网络恢复后自动重试。",
                    "The network connection failed; it is retried when the network is back.",
                )
                .into(),
            Self::Status { message, .. } => message.clone(),
            Self::Decode { .. } => locale
                .pick(
                    "服务器响应异常，请稍后重试。",
                    "The server answered unexpectedly; try again later.",
                )
                .into(),
            Self::Sync(e) => e.message(locale),
            Self::Blob(e) => e.message(locale),
        }
    }

    /// Whether trying again later may succeed without anything changing on the phone: a
    /// network failure, an overloaded or failing server (408, 429, 5xx), a cut answer.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Decode { .. } => true,
            Self::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            Self::Sync(e) => matches!(e, Error::Truncated { .. } | Error::Store { .. }),
            Self::Blob(e) => !e.is_permanent(),
            Self::Setup { .. } => false,
        }
    }

    /// Whether the user must sign in again (401).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, Self::Status { status: 401, .. })
    }

    pub(super) fn transport(error: &reqwest::Error) -> Self {
        let mut detail = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            detail.push_str(": ");
            detail.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Transport { detail }
    }

    pub(super) fn decode(detail: impl Into<String>) -> Self {
        Self::Decode {
            detail: detail.into(),
        }
    }
}
