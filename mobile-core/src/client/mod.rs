//! The sync client: signs in, and syncs the store with the server over HTTP — retried with
//! exponential backoff and jitter, resumable after any cut, reporting progress and each
//! case's result to the app ([`SyncListener`]), never dropping a refused edit (it stays on the
//! phone with the server's reason).
//!
//! After the cases, a sync uploads the photo outbox (thumbnails first, full size by the
//! network policy; [`photos`]).
//!
//! The protocol is the sync crate's ([`wangge_sync::phone`]); this module only decides when
//! to send, how often to retry, and what to tell the app.

mod error;
mod fetch;
mod listener;
mod photos;
mod retry;
mod run;
mod sign_in;

use std::sync::{Arc, Mutex, MutexGuard};

use wangge_proto::Locale;
use wangge_sync::http::client::HttpClient;

pub use error::ClientError;
pub use listener::{CaseOutcome, Quiet, SyncListener, SyncProgress};
pub use photos::MAX_PHOTO_FAILURES;
pub use retry::Retry;
pub use run::SyncSummary;
/// The phone's connection, as the app's OS reports it (the photo queue's own type).
pub use wangge_sync::blob::NetworkKind;

use crate::store::CaseStore;

/// Syncs one phone's store with its server.
#[derive(Debug, Clone)]
pub struct SyncClient {
    store: Arc<Mutex<CaseStore>>,
    retry: Retry,
    locale: Locale,
    full_photos_on_metered: bool,
}

impl SyncClient {
    /// A client for `store` (shared with the app's edits), with the default retries, asking
    /// for messages in Simplified Chinese.
    pub fn new(store: Arc<Mutex<CaseStore>>) -> Self {
        Self {
            store,
            retry: Retry::default(),
            locale: Locale::ZhCn,
            full_photos_on_metered: false,
        }
    }

    /// Retries differently.
    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Asks the server for messages in `locale`.
    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = locale;
        self
    }

    /// Whether full-size photos are uploaded on metered networks too (the user's setting;
    /// off by default: on mobile data only thumbnails go, full size waits for Wi-Fi).
    pub fn with_full_photos_on_metered(mut self, allowed: bool) -> Self {
        self.full_photos_on_metered = allowed;
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<Mutex<CaseStore>> {
        &self.store
    }

    /// An HTTP client for the signed-in session, asking for messages in the client's locale.
    fn http(&self) -> Result<HttpClient, ClientError> {
        let session = lock(&self.store)
            .session()?
            .ok_or(ClientError::NotSignedIn)?;
        Ok(HttpClient::new(&session.base_url, session.token)
            .map_err(ClientError::Refused)?
            .with_locale(self.locale))
    }
}

/// Locks the store; a panic in another thread while it held the lock left no transaction
/// open (SQLite rolled it back), so the store is used on.
pub(crate) fn lock(store: &Mutex<CaseStore>) -> MutexGuard<'_, CaseStore> {
    store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
