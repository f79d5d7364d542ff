//! The blob protocol's messages: what the phone asks and what the hub answers.
//!
//! Both ends speak these values; [`super::http`] says how each travels over HTTP. A request is
//! answered by exactly one response; a lost response is handled by asking again (`Head`).

use serde::{Deserialize, Serialize};
use wangge_proto::values::ContentHash;

use super::error::BlobError;
use super::http::{self, status};

/// A request from the phone to the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlobRequest {
    /// Does the hub have this blob, or an upload of it, and how far is it?
    Head {
        /// The blob.
        hash: ContentHash,
    },
    /// Start an upload of `length` bytes.
    Create {
        /// The blob.
        hash: ContentHash,
        /// Its total length in bytes.
        length: u64,
    },
    /// Append bytes at `offset`; `body` is a frame sequence ([`super::frame`]).
    Patch {
        /// The blob.
        hash: ContentHash,
        /// Where the body's first byte goes; must be the upload's offset.
        offset: u64,
        /// The framed bytes.
        #[serde(with = "serde_bytes")]
        body: Vec<u8>,
    },
    /// Send the complete blob from byte `from` to the end.
    Get {
        /// The blob.
        hash: ContentHash,
        /// The first byte wanted.
        from: u64,
    },
}

impl BlobRequest {
    /// The blob this request is about.
    pub fn hash(&self) -> &ContentHash {
        match self {
            BlobRequest::Head { hash }
            | BlobRequest::Create { hash, .. }
            | BlobRequest::Patch { hash, .. }
            | BlobRequest::Get { hash, .. } => hash,
        }
    }

    /// The HTTP method.
    pub fn http_method(&self) -> &'static str {
        match self {
            BlobRequest::Head { .. } => "HEAD",
            BlobRequest::Create { .. } => "POST",
            BlobRequest::Patch { .. } => "PATCH",
            BlobRequest::Get { .. } => "GET",
        }
    }

    /// The HTTP path.
    pub fn http_path(&self) -> String {
        match self {
            BlobRequest::Create { .. } => http::BLOBS_PATH.to_owned(),
            other => http::blob_path(other.hash()),
        }
    }
}

/// A PATCH body as the hub received it: possibly cut short when the connection dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incoming<'a> {
    /// The bytes that arrived.
    pub bytes: &'a [u8],
    /// True when the body ended early (connection dropped, stream error); a trailing partial
    /// frame is then expected and ignored rather than an error.
    pub cut: bool,
}

/// The hub's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlobResponse {
    /// Neither a blob nor an upload under this hash (`Head`).
    Unknown,
    /// An upload in progress (`Head`, or `Create` of an upload that already exists).
    Progress {
        /// Bytes received and verified so far.
        offset: u64,
        /// The declared total length.
        length: u64,
    },
    /// The blob is complete and readable: nothing (more) to upload.
    Complete {
        /// Its length in bytes.
        length: u64,
    },
    /// A new upload was started at offset 0 (`Create`).
    Created,
    /// The frames of a `Patch` were kept; the upload is now at `offset`.
    Accepted {
        /// The new offset.
        offset: u64,
    },
    /// Bytes of a complete blob (`Get`).
    Data {
        /// The offset of the first byte.
        from: u64,
        /// The blob's total length.
        total: u64,
        /// The bytes, from `from` to the end (or fewer, if the transfer was cut).
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// The request failed.
    Error(BlobError),
}

impl BlobResponse {
    /// The HTTP status this response is sent with.
    pub fn http_status(&self) -> u16 {
        match self {
            BlobResponse::Unknown => status::NOT_FOUND,
            BlobResponse::Progress { .. } | BlobResponse::Complete { .. } => status::OK,
            BlobResponse::Created => status::CREATED,
            BlobResponse::Accepted { .. } => status::NO_CONTENT,
            BlobResponse::Data { from: 0, .. } => status::OK,
            BlobResponse::Data { .. } => status::PARTIAL_CONTENT,
            BlobResponse::Error(error) => error.http_status(),
        }
    }
}
