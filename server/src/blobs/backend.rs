//! The blob store the configuration picks: a directory under the data directory (the
//! default, one instance) or object storage (`--blob-store URL`, several instances). One
//! type, so the router is built the same way for both.

use wangge_proto::values::ContentHash;
use wangge_sync::blob::{Append, BlobStore, Partial};

use super::{DirBlobStore, ObjectBlobStore};

/// Where photos are kept.
#[derive(Debug)]
pub enum BlobBackend {
    /// A local directory.
    Dir(DirBlobStore),
    /// Object storage.
    Object(ObjectBlobStore),
}

/// Calls the same method on whichever store this is.
macro_rules! each {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            BlobBackend::Dir($store) => $call.await,
            BlobBackend::Object($store) => $call.await,
        }
    };
}

impl BlobStore for BlobBackend {
    type Error = std::io::Error;

    async fn complete_length(&self, hash: &ContentHash) -> std::io::Result<Option<u64>> {
        each!(self, store => store.complete_length(hash))
    }

    async fn read(&self, hash: &ContentHash, from: u64) -> std::io::Result<Option<Vec<u8>>> {
        each!(self, store => store.read(hash, from))
    }

    async fn put_complete(&self, hash: &ContentHash, bytes: &[u8]) -> std::io::Result<()> {
        each!(self, store => store.put_complete(hash, bytes))
    }

    async fn partial(&self, hash: &ContentHash) -> std::io::Result<Option<Partial>> {
        each!(self, store => store.partial(hash))
    }

    async fn create_partial(&self, hash: &ContentHash, length: u64) -> std::io::Result<()> {
        each!(self, store => store.create_partial(hash, length))
    }

    async fn append_partial(
        &self,
        hash: &ContentHash,
        at: u64,
        bytes: &[u8],
    ) -> std::io::Result<Append> {
        each!(self, store => store.append_partial(hash, at, bytes))
    }

    async fn read_partial(&self, hash: &ContentHash) -> std::io::Result<Option<Vec<u8>>> {
        each!(self, store => store.read_partial(hash))
    }

    async fn discard_partial(&self, hash: &ContentHash) -> std::io::Result<()> {
        each!(self, store => store.discard_partial(hash))
    }
}
