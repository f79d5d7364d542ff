//! Where the hub keeps blobs: one trait, so the server can use a directory or object storage
//! and tests can use memory ([`super::MemoryBlobStore`]).
//!
//! Partial uploads are kept apart from complete blobs: only a blob whose whole SHA-256 was
//! verified (and whose content was accepted) is ever readable. Methods return `Send` futures
//! so implementors can write `async fn` and the server's handlers stay `Send`.

use std::future::Future;

use wangge_proto::values::ContentHash;

/// An upload in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partial {
    /// Bytes kept so far.
    pub offset: u64,
    /// The declared total length.
    pub length: u64,
}

/// The result of [`BlobStore::append_partial`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Append {
    /// The bytes were appended; the upload is now at `offset`.
    Appended {
        /// The new offset.
        offset: u64,
    },
    /// The upload was not at the offset given (a concurrent request moved it); nothing was
    /// written.
    Conflict {
        /// The upload's real offset.
        offset: u64,
    },
    /// There is no upload under this hash.
    Missing,
}

/// Storage for complete blobs and partial uploads, addressed by hash.
pub trait BlobStore: Send + Sync {
    /// A storage failure (I/O, network); the hub passes it up as an internal error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The length of the complete blob, or `None` if there is none.
    fn complete_length(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Option<u64>, Self::Error>> + Send;

    /// The complete blob's bytes from `from` to the end (empty if `from` is past the end), or
    /// `None` if there is no complete blob.
    fn read(
        &self,
        hash: &ContentHash,
        from: u64,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, Self::Error>> + Send;

    /// Stores verified, accepted bytes as the complete blob (replacing any earlier copy).
    fn put_complete(
        &self,
        hash: &ContentHash,
        bytes: &[u8],
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// The upload in progress, if any.
    fn partial(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Option<Partial>, Self::Error>> + Send;

    /// Starts an empty upload of `length` bytes, replacing any upload in progress.
    fn create_partial(
        &self,
        hash: &ContentHash,
        length: u64,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Appends `bytes` if the upload is at offset `at` (compare-and-append), so two requests
    /// racing on one upload cannot interleave.
    fn append_partial(
        &self,
        hash: &ContentHash,
        at: u64,
        bytes: &[u8],
    ) -> impl Future<Output = Result<Append, Self::Error>> + Send;

    /// All bytes of the upload in progress, or `None` if there is none.
    fn read_partial(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, Self::Error>> + Send;

    /// Deletes the upload in progress, if any.
    fn discard_partial(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}
