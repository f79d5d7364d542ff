//! The phone side of an upload: a state machine that says what to send next and reads the
//! hub's answers.
//!
//! ```text
//!          ┌─ Complete ──────────────────────────────► done (dedup: nothing sent)
//! Head ────┼─ Unknown ──► Create ── Created ──► Patch ─┬─ Accepted ──► Patch …
//!   ▲      └─ Progress{offset} ─────────────────────► Patch   └─ Complete ──► done
//!   └──────── on_failure() (connection dropped, response lost, app restarted)
//! ```
//!
//! The machine never assumes a request arrived: after any failure it asks (`Head`) where the
//! hub is, so a PATCH cut in the middle resumes after the last frame the hub kept. Errors that
//! carry the hub's offset (wrong offset, bad checksum, malformed frame) resume from it
//! directly. A few answers in a row without progress make it give up, so one bad item cannot
//! loop forever.

use wangge_proto::values::ContentHash;

use super::error::BlobError;
use super::frame;
use super::message::{BlobRequest, BlobResponse};
use super::state::{Reader, StateError};
use super::step::Step;

/// File bytes per PATCH the phone uses unless told otherwise. A cut costs at most one frame,
/// not one chunk, so the chunk size only trades round trips against the hub's buffering.
pub const DEFAULT_CHUNK_BYTES: usize = 64 * 1024;

/// Answers in a row without progress after which an upload gives up.
pub const MAX_STALLED: u32 = 5;

const TAG: &[u8; 4] = b"WGU1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Ask the hub where it is.
    Probe,
    /// Start the upload.
    Create,
    /// Append from `offset`.
    Send,
    /// Finished.
    Done,
    /// Gave up.
    Failed,
}

/// One blob being uploaded from the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    hash: ContentHash,
    length: u64,
    chunk_bytes: u64,
    /// The hub's offset as last reported.
    offset: u64,
    phase: Phase,
    /// Answers in a row without progress.
    stalled: u32,
    failure: Option<BlobError>,
}

impl Upload {
    /// Starts uploading a file of `length` bytes whose SHA-256 is `hash`, sending up to
    /// `chunk_bytes` of it per PATCH (at least 1). The first request is a `Head`.
    pub fn new(hash: ContentHash, length: u64, chunk_bytes: usize) -> Self {
        Self {
            hash,
            length,
            chunk_bytes: chunk_bytes.max(1) as u64,
            offset: 0,
            phase: Phase::Probe,
            stalled: 0,
            failure: None,
        }
    }

    /// The blob.
    pub fn hash(&self) -> &ContentHash {
        &self.hash
    }

    /// The file's length.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// Bytes the hub has acknowledged keeping (for progress display).
    pub fn acknowledged(&self) -> u64 {
        self.offset
    }

    /// Whether the hub has the complete, verified blob.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Why the upload gave up, if it did.
    pub fn failure(&self) -> Option<&BlobError> {
        self.failure.as_ref()
    }

    /// The request to send now, given the whole file; `None` when done or failed.
    ///
    /// Calling it again without a response in between returns the same request. Fails with
    /// [`BlobError::FileChanged`] when `file` is not the length the upload started with; the
    /// caller should then give up on the item.
    pub fn next_request(&self, file: &[u8]) -> Result<Option<BlobRequest>, BlobError> {
        if matches!(self.phase, Phase::Done | Phase::Failed) {
            return Ok(None);
        }
        let changed = || BlobError::FileChanged {
            expected: self.length,
            actual: file.len() as u64,
        };
        if file.len() as u64 != self.length {
            return Err(changed());
        }
        let hash = self.hash;
        Ok(Some(match self.phase {
            Phase::Probe | Phase::Done | Phase::Failed => BlobRequest::Head { hash },
            Phase::Create => BlobRequest::Create {
                hash,
                length: self.length,
            },
            Phase::Send => {
                let end = self
                    .offset
                    .saturating_add(self.chunk_bytes)
                    .min(self.length);
                let piece = usize::try_from(self.offset)
                    .ok()
                    .zip(usize::try_from(end).ok())
                    .and_then(|(start, end)| file.get(start..end))
                    .ok_or_else(changed)?;
                BlobRequest::Patch {
                    hash,
                    offset: self.offset,
                    body: frame::encode(piece),
                }
            }
        }))
    }

    /// Reads the hub's answer to the last request.
    pub fn on_response(&mut self, response: BlobResponse) -> Step {
        match (self.phase, response) {
            (Phase::Done, _) => return Step::Done,
            (Phase::Failed, _) => return self.step(),
            (_, BlobResponse::Complete { .. }) => {
                self.offset = self.length;
                self.phase = Phase::Done;
            }
            (Phase::Probe, BlobResponse::Unknown) => self.phase = Phase::Create,
            (Phase::Probe | Phase::Create, BlobResponse::Progress { offset, length })
                if length == self.length && offset <= length =>
            {
                if offset > self.offset {
                    self.stalled = 0;
                }
                self.offset = offset;
                self.phase = Phase::Send;
            }
            // The hub's upload claims another length: `Create` starts it again.
            (Phase::Probe, BlobResponse::Progress { .. }) => self.phase = Phase::Create,
            (Phase::Create, BlobResponse::Created) => {
                self.offset = 0;
                self.phase = Phase::Send;
            }
            (Phase::Send, BlobResponse::Accepted { offset }) => {
                self.advance(offset, BlobError::UnexpectedResponse);
            }
            (_, BlobResponse::Error(error)) => self.on_error(error),
            _ => self.stall(Phase::Probe, BlobError::UnexpectedResponse),
        }
        self.step()
    }

    /// The connection dropped or the response was lost: the next request asks where the hub
    /// is. Does not count towards giving up (the link, not the item, is at fault).
    pub fn on_failure(&mut self) {
        if !matches!(self.phase, Phase::Done | Phase::Failed) {
            self.phase = Phase::Probe;
        }
    }

    fn on_error(&mut self, error: BlobError) {
        match error {
            BlobError::OffsetMismatch { offset }
            | BlobError::ChecksumMismatch { offset }
            | BlobError::FrameMalformed { offset } => self.advance(offset, error),
            // The hub lost or discarded the upload: start it again.
            BlobError::Unknown => self.stall(Phase::Create, error),
            error if error.is_permanent() => self.fail(error),
            _ => self.stall(Phase::Probe, BlobError::UnexpectedResponse),
        }
    }

    /// Sends on from the hub's `offset`; no progress counts as a stall with `error`.
    fn advance(&mut self, offset: u64, error: BlobError) {
        if offset > self.length {
            return self.stall(Phase::Probe, BlobError::UnexpectedResponse);
        }
        let progressed = offset > self.offset;
        self.offset = offset;
        self.phase = Phase::Send;
        if progressed {
            self.stalled = 0;
        } else {
            self.stall(Phase::Send, error);
        }
    }

    fn stall(&mut self, next: Phase, error: BlobError) {
        self.stalled += 1;
        if self.stalled >= MAX_STALLED {
            self.fail(error);
        } else {
            self.phase = next;
        }
    }

    fn fail(&mut self, error: BlobError) {
        self.phase = Phase::Failed;
        self.failure = Some(error);
    }

    fn step(&self) -> Step {
        match (self.phase, &self.failure) {
            (Phase::Done, _) => Step::Done,
            (Phase::Failed, Some(error)) => Step::Failed(error.clone()),
            (Phase::Failed, None) => Step::Failed(BlobError::UnexpectedResponse),
            _ => Step::Continue,
        }
    }

    /// Saves the upload's progress. A decoded upload starts by asking the hub where it is
    /// (the hub may have kept more than was acknowledged); a failed one is retried, since the
    /// phone's queue, not this state, remembers failures.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(61);
        out.extend_from_slice(TAG);
        out.extend_from_slice(self.hash.as_bytes());
        out.extend_from_slice(&self.length.to_be_bytes());
        out.extend_from_slice(&self.chunk_bytes.to_be_bytes());
        out.extend_from_slice(&self.offset.to_be_bytes());
        out.push(u8::from(self.phase == Phase::Done));
        out
    }

    /// Reads progress saved by [`Upload::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, StateError> {
        let mut r = Reader::new(bytes, TAG, "upload")?;
        let (hash, length, chunk_bytes, offset, done) =
            (r.hash()?, r.u64()?, r.u64()?, r.u64()?, r.u8()?);
        r.finish()?;
        if chunk_bytes == 0 || offset > length {
            return Err(StateError::Damaged("impossible offset or chunk size"));
        }
        let phase = match done {
            0 => Phase::Probe,
            1 if offset == length => Phase::Done,
            _ => return Err(StateError::Damaged("bad done flag")),
        };
        Ok(Self {
            hash,
            length,
            chunk_bytes,
            offset,
            phase,
            stalled: 0,
            failure: None,
        })
    }
}
