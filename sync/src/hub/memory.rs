//! An in-memory [`HubStore`]: the reference implementation for tests, the benchmark and the
//! runnable example. A clone shares nothing (it is a backup), so `restore` tests are easy.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use automerge::{ActorId, ChangeHash};
use wangge_proto::values::{CaseId, DeviceId};

use super::{
    ActorRecord, CaseIndex, CaseUpdates, FeedEntry, FeedPage, HubStore, LoadedCase, Session, Stored,
};
use crate::wire::Cursor;

#[derive(Debug, Clone)]
struct StoredCase {
    /// Concatenated change chunks: loadable with `AutoCommit::load`.
    bytes: Vec<u8>,
    heads: Vec<ChangeHash>,
    position: Cursor,
    index: CaseIndex,
}

/// Heads delivered in the response that carried a cursor.
type Delivery = (Cursor, Vec<ChangeHash>);

#[derive(Debug, Clone, Default)]
struct State {
    cases: BTreeMap<CaseId, StoredCase>,
    head: u64,
    actors: BTreeMap<ActorId, ActorRecord>,
    /// Per device and case: (response cursor, heads delivered), oldest first.
    delivered: BTreeMap<(DeviceId, CaseId), Vec<Delivery>>,
    changes_stored: u64,
}

/// An in-memory hub store.
#[derive(Debug, Default)]
pub struct MemoryHub {
    state: Mutex<State>,
}

/// The store's error type: it cannot fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the in-memory store cannot fail")]
pub struct Infallible;

impl MemoryHub {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Enrols an actor.
    pub fn enrol(&self, record: ActorRecord) {
        self.lock().actors.insert(record.actor.clone(), record);
    }

    /// A copy of everything stored (a backup).
    pub fn backup(&self) -> Self {
        Self {
            state: Mutex::new(self.lock().clone()),
        }
    }

    /// The stored bytes of a case.
    pub fn case_bytes(&self, case: &CaseId) -> Option<Vec<u8>> {
        self.lock().cases.get(case).map(|c| c.bytes.clone())
    }

    /// Every stored case id.
    pub fn case_ids(&self) -> Vec<CaseId> {
        self.lock().cases.keys().copied().collect()
    }

    /// How many changes were stored in all (a change stored twice would count twice).
    pub fn changes_stored(&self) -> u64 {
        self.lock().changes_stored
    }
}

impl HubStore for MemoryHub {
    type Error = Infallible;

    async fn actors(&self, actors: &[ActorId]) -> Result<Vec<ActorRecord>, Infallible> {
        let state = self.lock();
        Ok(actors
            .iter()
            .filter_map(|a| state.actors.get(a).cloned())
            .collect())
    }

    async fn update_batch<U: CaseUpdates>(
        &self,
        cases: &[CaseId],
        mut updates: U,
    ) -> Result<Vec<Result<U::Output, Infallible>>, Infallible> {
        // The lock is held across the updates: per-case serialization (here: global).
        let mut state = self.lock();
        let held: Vec<bool> = cases
            .iter()
            .enumerate()
            .map(|(n, case)| {
                state
                    .cases
                    .get(case)
                    .is_some_and(|c| updates.holds(n, &c.heads))
            })
            .collect();
        let mut results = Vec::with_capacity(cases.len());
        for (n, case) in cases.iter().enumerate() {
            let stored = state.cases.get(case).map(|c| Stored {
                heads: Some(&c.heads),
                bytes: (!held[n]).then_some(c.bytes.as_slice()),
            });
            let (commit, output) = updates.update(n, stored);
            if let Some(commit) = commit {
                state.head += 1;
                let position = Cursor(state.head);
                state.changes_stored += commit.changes.len() as u64;
                let entry = state.cases.entry(*case).or_insert_with(|| StoredCase {
                    bytes: Vec::new(),
                    heads: Vec::new(),
                    position,
                    index: commit.index.clone(),
                });
                for change in &commit.changes {
                    entry.bytes.extend_from_slice(&change.bytes);
                }
                entry.heads = commit.heads;
                entry.position = position;
                entry.index = commit.index;
            }
            results.push(Ok(output));
        }
        Ok(results)
    }

    async fn load_case(&self, case: &CaseId) -> Result<Option<(Vec<u8>, CaseIndex)>, Infallible> {
        Ok(self
            .lock()
            .cases
            .get(case)
            .map(|c| (c.bytes.clone(), c.index.clone())))
    }

    async fn load_cases(&self, cases: &[CaseId]) -> Result<Vec<Option<LoadedCase>>, Infallible> {
        let state = self.lock();
        Ok(cases
            .iter()
            .map(|case| {
                state.cases.get(case).map(|c| LoadedCase {
                    bytes: c.bytes.clone(),
                    index: c.index.clone(),
                    heads: Some(c.heads.clone()),
                })
            })
            .collect())
    }

    async fn feed(
        &self,
        session: &Session,
        after: Cursor,
        limit: usize,
    ) -> Result<FeedPage, Infallible> {
        let state = self.lock();
        let mut entries: Vec<FeedEntry> = state
            .cases
            .iter()
            .filter(|(_, c)| c.position > after && c.index.in_scope(&session.scope))
            .map(|(case, c)| FeedEntry {
                case: *case,
                position: c.position,
            })
            .collect();
        entries.sort_by_key(|e| e.position);
        entries.truncate(limit);
        Ok(FeedPage {
            entries,
            head: Cursor(state.head),
        })
    }

    async fn delivered(
        &self,
        device: &DeviceId,
        case: &CaseId,
        as_of: Cursor,
    ) -> Result<Option<Vec<ChangeHash>>, Infallible> {
        Ok(self
            .lock()
            .delivered
            .get(&(*device, *case))
            .and_then(|records| {
                records
                    .iter()
                    .rev()
                    .find(|(cursor, _)| *cursor <= as_of)
                    .map(|(_, heads)| heads.clone())
            }))
    }

    async fn record_delivered(
        &self,
        device: &DeviceId,
        cursor: Cursor,
        cases: Vec<(CaseId, Vec<ChangeHash>)>,
    ) -> Result<(), Infallible> {
        let mut state = self.lock();
        for (case, heads) in cases {
            let records = state.delivered.entry((*device, case)).or_default();
            // Records after `cursor` belong to responses that were lost; the newest record at
            // or before the cursor the phone presented last is all that is still needed.
            records.retain(|(at, _)| *at < cursor);
            records.push((cursor, heads));
            if records.len() > 2 {
                records.drain(..records.len() - 2);
            }
        }
        Ok(())
    }
}
