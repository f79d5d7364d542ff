//! The photo outbox's uploads, the last part of a sync: after the cases (so the server
//! knows which case each photo belongs to), one file at a time in the sync crate's
//! [`upload_order`] — every thumbnail first, full size only on Wi-Fi or when the user allowed
//! it on mobile data.
//!
//! The store is locked only to read a file's bytes and to mark the result, never across the
//! network. A network failure is retried with the same backoff as a sync round (each attempt
//! resumes: the upload asks the server where it stands first); a file the server refuses is
//! marked failed with the server's code and the next file goes, so one bad photo never
//! blocks the others.

use std::sync::{Arc, Mutex};

use wangge_proto::values::ContentHash;
use wangge_sync::blob::{
    DEFAULT_CHUNK_BYTES, HubConfig, NetworkKind, QueueEntry, QueuePolicy, Upload, upload_order,
};
use wangge_sync::http::client::{self as http_client, HttpClient};

use super::listener::{SyncListener, SyncProgress};
use super::run::SyncSummary;
use super::{ClientError, SyncClient, lock};
use crate::store::{CaseStore, StoreError};

/// Refusals after which a file waits for the user's retry ([`CaseStore::retry_photos`])
/// instead of being sent again at every sync.
pub const MAX_PHOTO_FAILURES: u32 = 3;

/// How one file's upload ended, when the sync goes on.
enum Sent {
    /// The server has verified it.
    Verified,
    /// The server refused it (or the phone's copy is damaged): the code.
    Refused(String),
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SyncClient {
    /// Uploads what the network policy allows now and counts what still waits.
    pub(super) async fn upload_photos(
        &self,
        http: &HttpClient,
        network: NetworkKind,
        listener: &dyn SyncListener,
        summary: &mut SyncSummary,
    ) -> Result<(), ClientError> {
        let queue = on_store(&self.store, |store| store.photo_queue()).await?;
        let entries: Vec<QueueEntry> = queue
            .iter()
            .map(|photo| QueueEntry {
                kind: photo.kind,
                length: photo.length,
                failures: photo.failures,
            })
            .collect();
        let policy = QueuePolicy {
            network,
            full_on_metered: self.full_photos_on_metered,
            max_length: HubConfig::default().max_length,
            max_failures: MAX_PHOTO_FAILURES,
        };
        let order = upload_order(&entries, &policy);
        let total = count(order.len());
        for (done, index) in order.into_iter().enumerate() {
            let Some(photo) = queue.get(index) else {
                continue;
            };
            listener.on_progress(&SyncProgress::Uploading {
                done: count(done),
                total,
                bytes: photo.length,
            });
            let hash = photo.hash;
            let Some(bytes) = on_store(&self.store, move |store| store.photo(&hash)).await? else {
                continue;
            };
            match self.upload_one(http, hash, &bytes, listener).await? {
                Sent::Verified => {
                    on_store(&self.store, move |store| store.photo_uploaded(&hash)).await?;
                    summary.photos_sent += 1;
                }
                Sent::Refused(code) => {
                    tracing::warn!(%hash, %code, "photo refused; the others go on");
                    on_store(&self.store, move |store| store.photo_failed(&hash, &code)).await?;
                }
            }
        }
        if total > 0 {
            listener.on_progress(&SyncProgress::Uploading {
                done: total,
                total,
                bytes: 0,
            });
        }
        summary.photos_waiting = count(
            on_store(&self.store, |store| store.photo_queue())
                .await?
                .len(),
        );
        Ok(())
    }

    /// Uploads one file, retrying network failures; each attempt resumes where the server
    /// is. `Err` stops the sync (the session expired, the server cannot be reached).
    async fn upload_one(
        &self,
        http: &HttpClient,
        hash: ContentHash,
        bytes: &[u8],
        listener: &dyn SyncListener,
    ) -> Result<Sent, ClientError> {
        let mut attempts = self.retry.attempts();
        loop {
            let mut upload = Upload::new(hash, bytes.len() as u64, DEFAULT_CHUNK_BYTES);
            match http_client::upload(http, &mut upload, bytes).await {
                Ok(()) => return Ok(Sent::Verified),
                Err(error) if error.is_unauthenticated() => {
                    return Err(ClientError::SessionExpired);
                }
                Err(error) if error.is_retryable() => {
                    attempts.wait_after(error, listener).await?;
                }
                Err(error) => return Ok(Sent::Refused(error.code().to_owned())),
            }
        }
    }
}

/// Runs `work` on the store on a blocking thread (SQLite never runs on the async workers).
pub(super) async fn on_store<T: Send + 'static>(
    store: &Arc<Mutex<CaseStore>>,
    work: impl FnOnce(&mut CaseStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ClientError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || work(&mut lock(&store)).map_err(ClientError::Store))
        .await
        .map_err(|e| {
            ClientError::Store(StoreError::Database {
                detail: format!("the sync worker stopped: {e}"),
            })
        })?
}
