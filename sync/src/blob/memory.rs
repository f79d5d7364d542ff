//! A [`BlobStore`] in memory, for tests and for the simulated network.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Mutex, MutexGuard};

use wangge_proto::values::ContentHash;

use super::store::{Append, BlobStore, Partial};

#[derive(Debug, Default)]
struct Inner {
    complete: HashMap<ContentHash, Vec<u8>>,
    /// Declared length and bytes kept.
    partial: HashMap<ContentHash, (u64, Vec<u8>)>,
}

/// Blobs and uploads in memory, behind one lock.
#[derive(Debug, Default)]
pub struct MemoryBlobStore {
    inner: Mutex<Inner>,
}

impl MemoryBlobStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave `Inner` half-updated (every method
        // changes it in one step), so a poisoned lock is still safe to use.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl BlobStore for MemoryBlobStore {
    type Error = Infallible;

    async fn complete_length(&self, hash: &ContentHash) -> Result<Option<u64>, Infallible> {
        Ok(self.lock().complete.get(hash).map(|b| b.len() as u64))
    }

    async fn read(&self, hash: &ContentHash, from: u64) -> Result<Option<Vec<u8>>, Infallible> {
        Ok(self.lock().complete.get(hash).map(|bytes| {
            let from = usize::try_from(from).unwrap_or(usize::MAX);
            bytes.get(from..).unwrap_or_default().to_vec()
        }))
    }

    async fn put_complete(&self, hash: &ContentHash, bytes: &[u8]) -> Result<(), Infallible> {
        self.lock().complete.insert(*hash, bytes.to_vec());
        Ok(())
    }

    async fn partial(&self, hash: &ContentHash) -> Result<Option<Partial>, Infallible> {
        Ok(self
            .lock()
            .partial
            .get(hash)
            .map(|(length, bytes)| Partial {
                offset: bytes.len() as u64,
                length: *length,
            }))
    }

    async fn create_partial(&self, hash: &ContentHash, length: u64) -> Result<(), Infallible> {
        self.lock().partial.insert(*hash, (length, Vec::new()));
        Ok(())
    }

    async fn append_partial(
        &self,
        hash: &ContentHash,
        at: u64,
        bytes: &[u8],
    ) -> Result<Append, Infallible> {
        let mut inner = self.lock();
        let Some((_, kept)) = inner.partial.get_mut(hash) else {
            return Ok(Append::Missing);
        };
        let offset = kept.len() as u64;
        if offset != at {
            return Ok(Append::Conflict { offset });
        }
        kept.extend_from_slice(bytes);
        Ok(Append::Appended {
            offset: kept.len() as u64,
        })
    }

    async fn read_partial(&self, hash: &ContentHash) -> Result<Option<Vec<u8>>, Infallible> {
        Ok(self
            .lock()
            .partial
            .get(hash)
            .map(|(_, bytes)| bytes.clone()))
    }

    async fn discard_partial(&self, hash: &ContentHash) -> Result<(), Infallible> {
        self.lock().partial.remove(hash);
        Ok(())
    }
}
