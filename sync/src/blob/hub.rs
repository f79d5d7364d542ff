//! The hub side: answers the phone's requests over a [`BlobStore`].
//!
//! Rules, in the order they apply:
//! - a complete blob answers `Head`, `Create` and `Patch` with `Complete` (dedup, and a
//!   retried last PATCH whose answer was lost);
//! - `Create` over the limit is refused with [`BlobError::TooLarge`]; of an upload already in
//!   progress with the same length it answers `Progress`; otherwise it starts the upload over;
//! - `Patch` must start at the upload's offset ([`BlobError::OffsetMismatch`] carries the real
//!   one); every whole, verified frame before the first bad one is kept, so a body cut short
//!   ([`Incoming::cut`]) or with a bad frame still moves the upload forward;
//! - when the upload reaches its length, its SHA-256 must be the hash
//!   ([`BlobError::HashMismatch`]) and the [`ContentCheck`] must accept it
//!   ([`BlobError::RejectedContent`]); otherwise it is discarded, else it becomes readable;
//! - `Get` reads complete blobs only.

use wangge_proto::values::ContentHash;

use super::check::ContentCheck;
use super::error::BlobError;
use super::frame::{self, FrameStop};
use super::message::{BlobRequest, BlobResponse, Incoming};
use super::store::{Append, BlobStore};

/// The hub's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubConfig {
    /// The largest blob accepted, in bytes.
    pub max_length: u64,
}

impl Default for HubConfig {
    /// 16 MiB: well above a processed photo (≈ 100–300 KB), far below anything abusive.
    fn default() -> Self {
        Self {
            max_length: 16 * 1024 * 1024,
        }
    }
}

/// Answers blob requests.
#[derive(Debug)]
pub struct Hub<S, C> {
    store: S,
    check: C,
    config: HubConfig,
}

impl<S: BlobStore, C: ContentCheck> Hub<S, C> {
    /// A hub over `store`, accepting complete uploads that pass `check`.
    pub fn new(store: S, check: C, config: HubConfig) -> Self {
        Self {
            store,
            check,
            config,
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The limits.
    pub fn config(&self) -> &HubConfig {
        &self.config
    }

    /// Answers a request whose body (if any) arrived whole. `Err` is a storage failure (an
    /// internal error, not the phone's fault).
    pub async fn handle(&self, request: BlobRequest) -> Result<BlobResponse, S::Error> {
        match request {
            BlobRequest::Head { hash } => self.head(&hash).await,
            BlobRequest::Create { hash, length } => self.create(&hash, length).await,
            BlobRequest::Patch { hash, offset, body } => {
                let body = Incoming {
                    bytes: &body,
                    cut: false,
                };
                self.patch(&hash, offset, body).await
            }
            BlobRequest::Get { hash, from } => self.get(&hash, from).await,
        }
    }

    /// Where the blob or its upload stands.
    pub async fn head(&self, hash: &ContentHash) -> Result<BlobResponse, S::Error> {
        if let Some(length) = self.store.complete_length(hash).await? {
            return Ok(BlobResponse::Complete { length });
        }
        Ok(match self.store.partial(hash).await? {
            Some(p) => BlobResponse::Progress {
                offset: p.offset,
                length: p.length,
            },
            None => BlobResponse::Unknown,
        })
    }

    /// Starts (or reports) an upload of `length` bytes.
    pub async fn create(&self, hash: &ContentHash, length: u64) -> Result<BlobResponse, S::Error> {
        if let Some(length) = self.store.complete_length(hash).await? {
            return Ok(BlobResponse::Complete { length });
        }
        if length > self.config.max_length {
            return Ok(error(BlobError::TooLarge {
                max: self.config.max_length,
            }));
        }
        if let Some(p) = self.store.partial(hash).await?
            && p.length == length
        {
            return Ok(BlobResponse::Progress {
                offset: p.offset,
                length,
            });
        }
        self.store.create_partial(hash, length).await?;
        if length == 0 {
            return self.finish(hash).await;
        }
        Ok(BlobResponse::Created)
    }

    /// Appends the verified frames of `body` at `offset`.
    pub async fn patch(
        &self,
        hash: &ContentHash,
        offset: u64,
        body: Incoming<'_>,
    ) -> Result<BlobResponse, S::Error> {
        if let Some(length) = self.store.complete_length(hash).await? {
            return Ok(BlobResponse::Complete { length });
        }
        let Some(partial) = self.store.partial(hash).await? else {
            return Ok(error(BlobError::Unknown));
        };
        if offset != partial.offset {
            return Ok(error(BlobError::OffsetMismatch {
                offset: partial.offset,
            }));
        }
        let decoded = frame::decode(body.bytes, body.cut, partial.length.saturating_sub(offset));
        let reached = match self
            .store
            .append_partial(hash, offset, &decoded.data)
            .await?
        {
            Append::Appended { offset } => offset,
            Append::Conflict { offset } => return Ok(error(BlobError::OffsetMismatch { offset })),
            Append::Missing => return Ok(error(BlobError::Unknown)),
        };
        if reached >= partial.length {
            return self.finish(hash).await;
        }
        Ok(match decoded.stop {
            FrameStop::End | FrameStop::Cut => BlobResponse::Accepted { offset: reached },
            FrameStop::ChecksumMismatch => error(BlobError::ChecksumMismatch { offset: reached }),
            FrameStop::Malformed => error(BlobError::FrameMalformed { offset: reached }),
        })
    }

    /// Verifies a fully received upload and makes it readable, or discards it.
    async fn finish(&self, hash: &ContentHash) -> Result<BlobResponse, S::Error> {
        let Some(bytes) = self.store.read_partial(hash).await? else {
            return Ok(error(BlobError::Unknown));
        };
        let verdict = if ContentHash::of(&bytes) != *hash {
            Err(BlobError::HashMismatch)
        } else {
            self.check
                .check(&bytes)
                .map_err(|reason| BlobError::RejectedContent { reason })
        };
        if verdict.is_ok() {
            self.store.put_complete(hash, &bytes).await?;
        }
        self.store.discard_partial(hash).await?;
        Ok(match verdict {
            Ok(()) => BlobResponse::Complete {
                length: bytes.len() as u64,
            },
            Err(e) => error(e),
        })
    }

    /// The complete blob from byte `from` to the end.
    pub async fn get(&self, hash: &ContentHash, from: u64) -> Result<BlobResponse, S::Error> {
        let Some(total) = self.store.complete_length(hash).await? else {
            return Ok(BlobResponse::Unknown);
        };
        if from > total {
            return Ok(error(BlobError::RangeNotSatisfiable { length: total }));
        }
        Ok(match self.store.read(hash, from).await? {
            Some(bytes) => BlobResponse::Data { from, total, bytes },
            None => BlobResponse::Unknown,
        })
    }
}

fn error(e: BlobError) -> BlobResponse {
    BlobResponse::Error(e)
}
