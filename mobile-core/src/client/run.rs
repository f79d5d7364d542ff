//! One sync: rounds of the sync protocol until the server has everything and the phone has
//! everything, each round retried with backoff when the network fails.
//!
//! The store is locked only while a request is built and while a response is stored, never
//! across the network, so the user keeps editing during a sync; edits made meanwhile stay
//! unsent and go with the next round. A response is stored in one transaction: a sync cut at
//! any point (the network, the OS killing the app) leaves the store as before that response,
//! and the next sync resumes from there.

use std::sync::{Arc, Mutex};

use wangge_proto::values::CaseId;
use wangge_sync::Limits;
use wangge_sync::http::client::HttpClient;
use wangge_sync::phone::{PhoneSync, Report};

use super::listener::{CaseOutcome, SyncListener, SyncProgress};
use super::{ClientError, NetworkKind, SyncClient, lock};
use crate::store::CaseStore;

/// What a completed sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Rounds (request and response) it took.
    pub rounds: u32,
    /// Cases whose edits the server accepted.
    pub accepted: Vec<CaseId>,
    /// Cases whose edits the server refused (kept on the phone with the reason).
    pub refused: Vec<CaseId>,
    /// Cases the server held back: their edits stay unsent, for a later sync.
    pub held: Vec<CaseId>,
    /// Cases others changed.
    pub received: Vec<CaseId>,
    /// Photo files (thumbnails and full size) the server has verified in this sync.
    pub photos_sent: u32,
    /// Photo files still waiting after it (full size on a metered network, failures).
    pub photos_waiting: u32,
}

/// Rounds after which a sync stops even if the server says there is more (the next sync
/// continues).
const MAX_ROUNDS: u32 = 64;

impl SyncClient {
    /// Syncs every case now: sends all unsent edits and receives what others changed; then
    /// uploads the photos the network policy allows.
    pub async fn sync(
        &self,
        network: NetworkKind,
        listener: &dyn SyncListener,
    ) -> Result<SyncSummary, ClientError> {
        if network == NetworkKind::Offline {
            return Err(ClientError::Offline);
        }
        let phone = {
            let store = lock(&self.store);
            let identity = store.identity().ok_or(ClientError::NotSignedIn)?;
            PhoneSync::new(
                identity.device,
                vec![identity.actor.clone()],
                Limits::default(),
            )
        };
        let http = self.http()?;
        let mut summary = SyncSummary::default();
        loop {
            summary.rounds += 1;
            let report = self.round(&http, &phone, summary.rounds, listener).await?;
            for case in &report.accepted {
                listener.on_case(&CaseOutcome::Accepted { case: *case });
            }
            for refused in &report.rejected {
                listener.on_case(&CaseOutcome::Refused {
                    case: refused.case,
                    code: refused.code.clone(),
                    zh: refused.zh.clone(),
                    en: refused.en.clone(),
                });
            }
            for held in &report.held {
                listener.on_case(&CaseOutcome::Held {
                    case: held.case,
                    code: held.code.clone(),
                    zh: held.zh.clone(),
                    en: held.en.clone(),
                });
            }
            for case in &report.received {
                listener.on_case(&CaseOutcome::Received { case: *case });
            }
            summary.accepted.extend(&report.accepted);
            summary
                .refused
                .extend(report.rejected.iter().map(|r| r.case));
            summary.held.extend(report.held.iter().map(|h| h.case));
            summary.received.extend(&report.received);
            if !report.more || summary.rounds >= MAX_ROUNDS {
                break;
            }
        }
        self.upload_photos(&http, network, listener, &mut summary)
            .await?;
        listener.on_progress(&SyncProgress::Done);
        Ok(summary)
    }

    /// One round: build the request, send it (retrying), store the response.
    async fn round(
        &self,
        http: &HttpClient,
        phone: &PhoneSync,
        round: u32,
        listener: &dyn SyncListener,
    ) -> Result<Report, ClientError> {
        let (request, sent) = blocking(&self.store, {
            let phone = phone.clone();
            move |store| phone.prepare(store)
        })
        .await?;
        listener.on_progress(&SyncProgress::Sending {
            round,
            cases: u32::try_from(sent.cases.len()).unwrap_or(u32::MAX),
            left: u32::try_from(sent.left_over).unwrap_or(u32::MAX),
        });
        let mut attempts = self.retry.attempts();
        let response = loop {
            match http.sync(&request).await {
                Ok(response) => break response,
                Err(error) if error.is_unauthenticated() => {
                    return Err(ClientError::SessionExpired);
                }
                Err(error) if error.is_retryable() => {
                    attempts.wait_after(error, listener).await?;
                }
                Err(error) => return Err(ClientError::Refused(error)),
            }
        };
        let phone = phone.clone();
        blocking(&self.store, move |store| {
            phone.receive(store, &sent, &response)
        })
        .await
    }
}

/// A failure of the protocol's phone side as the app sees it. The phone's own store failing
/// (a full disk, a file locked by another process) is a storage error: waiting for the
/// network would not help. Anything else is what the server sent (a malformed or cut answer).
fn protocol_error(error: wangge_sync::Error) -> ClientError {
    match error {
        wangge_sync::Error::Store { detail } => {
            ClientError::Store(crate::store::StoreError::Database { detail })
        }
        other => ClientError::Refused(wangge_sync::http::client::HttpError::Sync(other)),
    }
}

/// Runs `work` on the store on a blocking thread (the protocol's CPU work and SQLite never
/// run on the caller's thread or the async workers).
async fn blocking<T: Send + 'static>(
    store: &Arc<Mutex<CaseStore>>,
    work: impl FnOnce(&mut CaseStore) -> Result<T, wangge_sync::Error> + Send + 'static,
) -> Result<T, ClientError> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || {
        let mut store = lock(&store);
        work(&mut store).map_err(protocol_error)
    })
    .await
    .map_err(|e| {
        ClientError::Store(crate::store::StoreError::Database {
            detail: format!("the sync worker stopped: {e}"),
        })
    })?
}
