//! The hook the hub calls on a complete upload before accepting it (e.g. decoding the image
//! with limits, on the server).
//!
//! It runs after the SHA-256 matched, on the whole file; a refusal discards the upload with
//! [`BlobError::RejectedContent`](super::BlobError::RejectedContent). Any
//! `Fn(&[u8]) -> Result<(), String>` is a check.

/// Decides whether complete, hash-verified bytes may become a readable blob.
pub trait ContentCheck: Send + Sync {
    /// `Err(reason)` refuses the bytes; the reason goes to logs, not to users.
    fn check(&self, bytes: &[u8]) -> Result<(), String>;
}

impl<F> ContentCheck for F
where
    F: Fn(&[u8]) -> Result<(), String> + Send + Sync,
{
    fn check(&self, bytes: &[u8]) -> Result<(), String> {
        self(bytes)
    }
}

/// Accepts every blob (for tests, or blobs that are not images).
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptAll;

impl ContentCheck for AcceptAll {
    fn check(&self, _bytes: &[u8]) -> Result<(), String> {
        Ok(())
    }
}
