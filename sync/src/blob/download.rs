//! The phone side of a download: resumable with `Range: bytes=N-`, verified by hash at the end.
//!
//! The machine keeps the bytes received so far; after a dropped connection (or an app restart,
//! via [`Download::encode`]) it asks for the rest from where it stopped. Nothing is handed out
//! before the SHA-256 of the whole matches the hash asked for; a mismatch starts again from
//! byte 0, and a few answers in a row without progress make it give up.

use wangge_proto::values::ContentHash;

use super::error::BlobError;
use super::message::{BlobRequest, BlobResponse};
use super::state::{Reader, StateError};
use super::step::Step;
use super::upload::MAX_STALLED;

const TAG: &[u8; 4] = b"WGD1";

/// One blob being downloaded to the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    hash: ContentHash,
    max_length: u64,
    total: Option<u64>,
    received: Vec<u8>,
    done: bool,
    /// Answers in a row without progress.
    stalled: u32,
    failure: Option<BlobError>,
}

impl Download {
    /// Starts downloading the blob `hash`, refusing one longer than `max_length` bytes.
    pub fn new(hash: ContentHash, max_length: u64) -> Self {
        Self {
            hash,
            max_length,
            total: None,
            received: Vec::new(),
            done: false,
            stalled: 0,
            failure: None,
        }
    }

    /// The blob.
    pub fn hash(&self) -> &ContentHash {
        &self.hash
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received.len() as u64
    }

    /// The blob's length, once the hub has said it.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Whether all bytes arrived and matched the hash.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Why the download gave up, if it did.
    pub fn failure(&self) -> Option<&BlobError> {
        self.failure.as_ref()
    }

    /// The verified bytes, once done.
    pub fn bytes(&self) -> Option<&[u8]> {
        self.done.then_some(self.received.as_slice())
    }

    /// The verified bytes, once done.
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        self.done.then_some(self.received)
    }

    /// The request to send now; `None` when done or failed.
    pub fn next_request(&self) -> Option<BlobRequest> {
        (!self.done && self.failure.is_none()).then(|| BlobRequest::Get {
            hash: self.hash,
            from: self.received(),
        })
    }

    /// Reads the hub's answer. A `Data` cut short (the connection dropped mid-body) is fed
    /// with the bytes that arrived, followed by [`Download::on_failure`].
    pub fn on_response(&mut self, response: BlobResponse) -> Step {
        if self.done || self.failure.is_some() {
            return self.step();
        }
        match response {
            BlobResponse::Data { from, total, bytes } => self.on_data(from, total, &bytes),
            BlobResponse::Unknown | BlobResponse::Error(BlobError::Unknown) => {
                self.failure = Some(BlobError::Unknown);
            }
            BlobResponse::Error(BlobError::RangeNotSatisfiable { .. }) => {
                self.restart(BlobError::UnexpectedResponse);
            }
            BlobResponse::Error(error) if error.is_permanent() => self.failure = Some(error),
            _ => self.stall(BlobError::UnexpectedResponse),
        }
        self.step()
    }

    /// The connection dropped: the next request asks for the bytes not yet received.
    pub fn on_failure(&mut self) {}

    fn on_data(&mut self, from: u64, total: u64, bytes: &[u8]) {
        if total > self.max_length {
            self.failure = Some(BlobError::TooLarge {
                max: self.max_length,
            });
            return;
        }
        if self.total.is_some_and(|known| known != total) {
            // The blob cannot change under its hash; a different length means a confused hub.
            self.total = Some(total);
            return self.restart(BlobError::UnexpectedResponse);
        }
        self.total = Some(total);
        let have = self.received();
        if from != have || from > total {
            return self.stall(BlobError::UnexpectedResponse);
        }
        let wanted = usize::try_from(total - from).unwrap_or(usize::MAX);
        let piece = bytes.get(..wanted).unwrap_or(bytes);
        self.received.extend_from_slice(piece);
        if self.received() < total {
            if piece.is_empty() {
                self.stall(BlobError::UnexpectedResponse);
            } else {
                self.stalled = 0;
            }
        } else if ContentHash::of(&self.received) == self.hash {
            self.done = true;
        } else {
            self.restart(BlobError::HashMismatch);
        }
    }

    /// Drops what was received and starts again from byte 0.
    fn restart(&mut self, error: BlobError) {
        self.received.clear();
        self.stall(error);
    }

    fn stall(&mut self, error: BlobError) {
        self.stalled += 1;
        if self.stalled >= MAX_STALLED {
            self.failure = Some(error);
        }
    }

    fn step(&self) -> Step {
        match (&self.failure, self.done) {
            (Some(error), _) => Step::Failed(error.clone()),
            (None, true) => Step::Done,
            (None, false) => Step::Continue,
        }
    }

    /// Saves the download, including the bytes received so far (photos are small enough to
    /// keep whole). A failed download decodes as resumable.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(54 + self.received.len());
        out.extend_from_slice(TAG);
        out.extend_from_slice(self.hash.as_bytes());
        out.extend_from_slice(&self.max_length.to_be_bytes());
        out.push(u8::from(self.total.is_some()));
        out.extend_from_slice(&self.total.unwrap_or(0).to_be_bytes());
        out.push(u8::from(self.done));
        out.extend_from_slice(&self.received);
        out
    }

    /// Reads a download saved by [`Download::encode`]; a saved finished download is verified
    /// again.
    pub fn decode(bytes: &[u8]) -> Result<Self, StateError> {
        let mut r = Reader::new(bytes, TAG, "download")?;
        let (hash, max_length) = (r.hash()?, r.u64()?);
        let (has_total, total, done) = (r.u8()?, r.u64()?, r.u8()?);
        let received = r.rest().to_vec();
        let total = match has_total {
            0 if total == 0 => None,
            1 if total <= max_length => Some(total),
            _ => return Err(StateError::Damaged("bad total")),
        };
        let len = received.len() as u64;
        if len > total.unwrap_or(0) {
            return Err(StateError::Damaged("more bytes than the total"));
        }
        let done = match done {
            0 => false,
            1 if Some(len) == total && ContentHash::of(&received) == hash => true,
            _ => return Err(StateError::Damaged("bad done flag")),
        };
        Ok(Self {
            hash,
            max_length,
            total,
            received,
            done,
            stalled: 0,
            failure: None,
        })
    }
}
