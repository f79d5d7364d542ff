//! Photos from the server: a secretary reviewing a worker's case, a department opening the
//! evidence it was sent. A file the phone does not have is downloaded (a cut download resumes
//! with the bytes that arrived: the next attempt asks for the rest), checked against its
//! SHA-256, and kept in the store, so it shows offline afterwards. The server only hands out
//! files of cases in the user's scope.

use wangge_proto::values::{CaseId, ContentHash};
use wangge_sync::blob::{BlobError, BlobKind, Download, HubConfig, NetworkKind};
use wangge_sync::http::client::{self as http_client, HttpError};

use super::listener::Quiet;
use super::photos::on_store;
use super::{ClientError, SyncClient};

impl SyncClient {
    /// The photo file `hash` (`kind`: the main picture or its thumbnail) of `case`: from the
    /// store when the phone has it (offline too), else downloaded, verified and kept.
    pub async fn fetch_photo(
        &self,
        network: NetworkKind,
        case: CaseId,
        hash: ContentHash,
        kind: BlobKind,
    ) -> Result<Vec<u8>, ClientError> {
        if let Some(bytes) = on_store(&self.store, move |store| store.photo(&hash)).await? {
            return Ok(bytes);
        }
        if network == NetworkKind::Offline {
            return Err(ClientError::Offline);
        }
        let http = self.http()?;
        let mut download = Download::new(hash, HubConfig::default().max_length);
        let mut attempts = self.retry.attempts();
        loop {
            match http_client::download(&http, &mut download).await {
                Ok(()) => break,
                Err(error) if error.is_unauthenticated() => {
                    return Err(ClientError::SessionExpired);
                }
                // Not on the server (not uploaded yet, or not the user's to see): asking
                // again at once would not change that.
                Err(error @ HttpError::Blob(BlobError::Unknown)) => {
                    return Err(ClientError::Refused(error));
                }
                Err(error) if error.is_retryable() => attempts.wait_after(error, &Quiet).await?,
                Err(error) => return Err(ClientError::Refused(error)),
            }
        }
        let bytes = download.into_bytes().ok_or_else(|| {
            ClientError::Refused(HttpError::Decode {
                detail: format!("the download of {hash} ended without its bytes"),
            })
        })?;
        let kept = bytes.clone();
        on_store(&self.store, move |store| {
            store.photo_downloaded(&case, &hash, kind, &kept)
        })
        .await?;
        tracing::info!(%case, %hash, bytes = bytes.len(), "photo downloaded");
        Ok(bytes)
    }
}
