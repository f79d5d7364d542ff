//! One sync request, end to end: decode, merge every upload, read the feed, encode.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use automerge::{ActorId, ChangeHash};
use wangge_proto::values::CaseId;
use wangge_proto::workflow::DeadlinePolicy;

use super::merge::{MergeContext, Merged, Merges, StoredCorrupt};
use super::send::{Sending, sending};
use super::{
    BatchStats, CaseIndex, DocCache, HubStore, LoadedCase, Lookups, Moved, Observer, Policy,
    Session,
};
use crate::wire::{
    self, CaseUpdate, Cursor, Kind, Outcome, Payload, SyncRequest, SyncResponse, Verdict,
};
use crate::{Error, Limits};

/// The hub: a store, the server's policy, the limits, the hot documents, and who hears about
/// each batch.
pub struct Hub<S, P> {
    store: S,
    policy: P,
    limits: Limits,
    observers: Vec<Arc<dyn Observer>>,
    deadlines: DeadlinePolicy,
    cache: DocCache,
}

impl<S: std::fmt::Debug, P: std::fmt::Debug> std::fmt::Debug for Hub<S, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("store", &self.store)
            .field("policy", &self.policy)
            .field("limits", &self.limits)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

fn store_error(error: impl std::fmt::Display) -> Error {
    Error::Store {
        detail: error.to_string(),
    }
}

impl<S: HubStore, P: Policy> Hub<S, P> {
    /// A hub over `store`, checking uploads with `policy`, keeping up to
    /// [`DEFAULT_CACHE_BYTES`](super::DEFAULT_CACHE_BYTES) of hot documents loaded.
    pub fn new(store: S, policy: P, limits: Limits) -> Self {
        Self {
            store,
            policy,
            limits,
            observers: Vec::new(),
            deadlines: DeadlinePolicy::default(),
            cache: DocCache::default(),
        }
    }

    /// Counts deadlines in the facts of each commit with `policy` instead of the default.
    pub fn with_deadlines(mut self, policy: DeadlinePolicy) -> Self {
        self.deadlines = policy;
        self
    }

    /// Keeps at most `bytes` (estimated) of hot documents loaded; 0 loads every case afresh.
    pub fn with_cache_bytes(mut self, bytes: usize) -> Self {
        self.cache = DocCache::new(bytes);
        self
    }

    /// The hot documents.
    pub fn cache(&self) -> &DocCache {
        &self.cache
    }

    /// Reports every answered batch to `observer` too (the server's metrics, its live
    /// channel); observers are called in the order they were added.
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observers.push(observer);
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Answers one encoded request from `session`. An `Err` means the request as a whole
    /// was refused (malformed, over a limit, from another device) and nothing was stored;
    /// refusals of single cases are verdicts inside the response.
    ///
    /// The response is written in the request's protocol version. A phone of version 1 does
    /// not know [`Outcome::Held`]: for it, a held case fails the request as a whole, as it
    /// did before version 2 (the other cases' commits are stored all the same).
    pub async fn sync(&self, session: &Session, request: &[u8]) -> Result<Vec<u8>, Error> {
        let (version, request): (u8, SyncRequest) =
            wire::decode_versioned(request, Kind::SyncRequest, &self.limits)?;
        let response = self.answer(session, request).await?;
        if version < wire::HELD_SINCE
            && let Some(held) = response
                .verdicts
                .iter()
                .find(|v| matches!(v.outcome, Outcome::Held { .. }))
        {
            return Err(Error::Store {
                detail: format!("stored case {} does not load", held.case),
            });
        }
        Ok(wire::encode_as(Kind::SyncResponse, version, &response))
    }

    /// Answers a decoded request (see [`Hub::sync`]).
    pub async fn answer(
        &self,
        session: &Session,
        request: SyncRequest,
    ) -> Result<SyncResponse, Error> {
        self.check_request(session, &request)?;
        let relayed_actors = self.relayed_actors(&request).await?;
        let ctx = MergeContext {
            session,
            relayed_actors: &relayed_actors,
            policy: &self.policy,
            max_case_bytes: self.limits.max_case_bytes,
            deadlines: &self.deadlines,
            cache: &self.cache,
        };
        let mut verdicts = Vec::with_capacity(request.uploads.len());
        let mut updates = Vec::new();
        let mut delivered: Vec<(CaseId, Vec<ChangeHash>)> = Vec::new();
        let mut budget = Budget::new(self.limits.response_budget_bytes);
        let mut stats = BatchStats::default();
        let mut moved: Vec<(CaseId, CaseIndex)> = Vec::new();
        let cases: Vec<CaseId> = request.uploads.iter().map(|u| u.case).collect();
        let uploads = &request.uploads;
        let results = self
            .store
            .update_batch(&cases, Merges::new(uploads, &ctx))
            .await
            .map_err(store_error)?;
        for (upload, result) in request.uploads.iter().zip(results) {
            let (merged, index) = match result {
                Ok(Ok(merged)) => merged,
                // The stored case does not load: the data is damaged, not the phone's
                // upload. Hold this case back; the others go on.
                Ok(Err(StoredCorrupt(detail))) => {
                    self.damaged(&upload.case, &detail);
                    // Only a case not found loaded is loaded, and fails to.
                    stats.hot += Lookups::one(false);
                    (Merged::held(), None)
                }
                // This case's writes failed and left nothing (the store logs why); the other
                // cases are stored. The phone sends the case again, whole.
                Err(_) => (Merged::resend(), None),
            };
            if let Some(index) = index {
                moved.push((upload.case, index));
            }
            stats.changes_stored += merged.stored as u64;
            stats.hot += merged.lookups;
            stats.shadowed += u64::from(merged.shadowed);
            match merged.outcome {
                Outcome::Accepted => stats.accepted += 1,
                Outcome::Rejected { .. } => stats.rejected += 1,
                Outcome::Resend => stats.resend += 1,
                Outcome::Held { .. } => stats.held += 1,
            }
            if let Some(heads) = merged.heads {
                delivered.push((upload.case, heads));
            }
            if let Some(payload) = merged.reply {
                budget.spend(&payload);
                updates.push(CaseUpdate {
                    case: upload.case,
                    payload,
                });
            }
            verdicts.push(Verdict {
                case: upload.case,
                outcome: merged.outcome,
            });
        }

        let refetched = self
            .store
            .load_cases(&request.refetch)
            .await
            .map_err(store_error)?;
        for (case, stored) in request.refetch.iter().zip(refetched) {
            if let Some(stored) = stored
                && stored.index.in_scope(&session.scope)
            {
                // A case that does not load is left out; the phone asks again next time.
                let Some(sent) = self.sending(case, stored, None, &mut stats.served) else {
                    continue;
                };
                if let Some(payload) = sent.payload {
                    budget.spend(&payload);
                    updates.push(CaseUpdate {
                        case: *case,
                        payload,
                    });
                }
                delivered.push((*case, sent.heads));
            }
        }

        let answered: BTreeSet<CaseId> = request
            .uploads
            .iter()
            .map(|u| u.case)
            .chain(request.refetch.iter().copied())
            .collect();
        let page = self
            .store
            .feed(session, request.cursor, self.limits.max_feed_entries)
            .await
            .map_err(store_error)?;
        if !moved.is_empty() {
            let moved = Moved {
                head: page.head,
                cases: moved,
            };
            for observer in &self.observers {
                observer.moved(&moved);
            }
        }
        let reset = request.cursor > page.head;
        let after = if reset { Cursor(0) } else { request.cursor };
        let page = if reset {
            self.store
                .feed(session, after, self.limits.max_feed_entries)
                .await
                .map_err(store_error)?
        } else {
            page
        };
        let mut cursor = page.head;
        let mut more = page.entries.len() >= self.limits.max_feed_entries;
        if let Some(last) = page.entries.last()
            && more
        {
            cursor = last.position;
        }
        let mut reached = after;
        'feed: for chunk in page.entries.chunks(FEED_CHUNK) {
            // The chunk's stored cases and what this device was last given of each, read
            // together: a few statements per chunk instead of a few per case.
            let wanted: Vec<CaseId> = chunk
                .iter()
                .map(|e| e.case)
                .filter(|c| !answered.contains(c))
                .collect();
            let mut stored: BTreeMap<CaseId, LoadedCase> = wanted
                .iter()
                .copied()
                .zip(self.store.load_cases(&wanted).await.map_err(store_error)?)
                .filter_map(|(case, found)| Some((case, found?)))
                .collect();
            let mut known: BTreeMap<CaseId, Vec<ChangeHash>> = if reset {
                BTreeMap::new()
            } else {
                wanted
                    .iter()
                    .copied()
                    .zip(
                        self.store
                            .delivered_many(&session.device, &wanted, after)
                            .await
                            .map_err(store_error)?,
                    )
                    .filter_map(|(case, heads)| Some((case, heads?)))
                    .collect()
            };
            for entry in chunk {
                if answered.contains(&entry.case) {
                    reached = entry.position;
                    continue;
                }
                let Some(stored) = stored.remove(&entry.case) else {
                    reached = entry.position;
                    continue;
                };
                // A case that does not load is left out of the feed until it moves again
                // (repaired), rather than stopping the feed for this phone at that entry.
                let known = known.remove(&entry.case);
                let served = &mut stats.served;
                let Some(sent) = self.sending(&entry.case, stored, known.as_deref(), served) else {
                    reached = entry.position;
                    continue;
                };
                if let Some(payload) = sent.payload {
                    if !budget.fits(&payload) && !updates.is_empty() {
                        // Everything before this entry is in the response; continue from
                        // there.
                        cursor = reached;
                        more = true;
                        break 'feed;
                    }
                    budget.spend(&payload);
                    updates.push(CaseUpdate {
                        case: entry.case,
                        payload,
                    });
                }
                delivered.push((entry.case, sent.heads));
                reached = entry.position;
            }
        }
        if !delivered.is_empty() {
            self.store
                .record_delivered(&session.device, cursor, delivered)
                .await
                .map_err(store_error)?;
        }
        stats.updates_sent = updates.len() as u64;
        for observer in &self.observers {
            observer.batch(&stats);
        }
        Ok(SyncResponse {
            verdicts,
            updates,
            cursor,
            more,
            reset,
        })
    }

    /// What to send of the stored case, or `None` (reported to the observers) if it does
    /// not load; the lookup is counted in `served` either way (a case that fails to load was
    /// not found loaded: a miss).
    fn sending(
        &self,
        case: &CaseId,
        stored: LoadedCase,
        known: Option<&[ChangeHash]>,
        served: &mut Lookups,
    ) -> Option<Sending> {
        match sending(&self.cache, case, stored, known) {
            Ok(sent) => {
                *served += sent.lookups;
                Some(sent)
            }
            Err(error) => {
                *served += Lookups::one(false);
                self.damaged(case, &error.to_string());
                None
            }
        }
    }

    fn damaged(&self, case: &CaseId, detail: &str) {
        for observer in &self.observers {
            observer.damaged(case, detail);
        }
    }

    fn check_request(&self, session: &Session, request: &SyncRequest) -> Result<(), Error> {
        if request.device != session.device {
            return Err(Error::WrongDevice {
                claimed: request.device,
            });
        }
        let count = request.uploads.len() + request.refetch.len();
        if count > self.limits.max_cases {
            return Err(Error::TooManyCases {
                count,
                limit: self.limits.max_cases,
            });
        }
        let mut seen = BTreeSet::new();
        for case in request
            .uploads
            .iter()
            .map(|u| &u.case)
            .chain(&request.refetch)
        {
            if !seen.insert(*case) {
                return Err(Error::DuplicateCase { case: *case });
            }
        }
        Ok(())
    }

    async fn relayed_actors(
        &self,
        request: &SyncRequest,
    ) -> Result<BTreeMap<ActorId, super::ActorRecord>, Error> {
        let mut wanted: Vec<ActorId> = request
            .uploads
            .iter()
            .flat_map(|u| &u.relayed)
            .map(|s| ActorId::from(s.actor.as_slice()))
            .collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(BTreeMap::new());
        }
        let records = self.store.actors(&wanted).await.map_err(store_error)?;
        Ok(records.into_iter().map(|r| (r.actor.clone(), r)).collect())
    }
}

/// Feed entries read from the store at once: enough to make a page a few round trips,
/// few enough that a page cut short by the response budget reads little it does not send.
const FEED_CHUNK: usize = 64;

/// The soft size bound of a response: entries are added while they fit; one case larger
/// than the whole budget still goes out alone.
struct Budget {
    left: usize,
}

/// What an update costs besides its payload: the case id, the CBOR keys and tags.
const UPDATE_OVERHEAD: usize = 48;

fn cost(payload: &Payload) -> usize {
    let size = match payload {
        Payload::Document(b) | Payload::Changes(b) => b.len(),
    };
    size + UPDATE_OVERHEAD
}

impl Budget {
    fn new(bytes: usize) -> Self {
        Self { left: bytes }
    }

    fn fits(&self, payload: &Payload) -> bool {
        cost(payload) <= self.left
    }

    fn spend(&mut self, payload: &Payload) {
        self.left = self.left.saturating_sub(cost(payload));
    }
}
