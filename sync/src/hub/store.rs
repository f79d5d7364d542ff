//! What the hub needs from storage. The server implements it over SQLite and PostgreSQL;
//! [`super::MemoryHub`] implements it in memory.
//!
//! Methods return `Send` futures so a server can call the hub from axum handlers; an
//! implementation may simply write `async fn`.

use std::future::Future;

use automerge::{ActorId, ChangeHash};
use wangge_proto::values::{CaseId, DeviceId};

use super::{ActorRecord, CaseFacts, CaseIndex, Session};
use crate::wire::Cursor;

/// One accepted change, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    /// Its hash.
    pub hash: ChangeHash,
    /// Its raw bytes (an automerge change chunk).
    pub bytes: Vec<u8>,
}

/// What an accepted upload adds to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCommit {
    /// The new changes, in causal order. Storing one twice must do nothing.
    pub changes: Vec<StoredChange>,
    /// The case's heads afterwards, stored with it ([`Stored::heads`]).
    pub heads: Vec<ChangeHash>,
    /// Grid and departments afterwards.
    pub index: CaseIndex,
    /// What the query tables hold afterwards (kept in step in the same transaction).
    pub facts: CaseFacts,
    /// The index and facts this hub stored with the case's previous commit, if it made that
    /// commit and the case stayed hot since (so the stored rows are exactly these): a store
    /// may leave the rows that did not change. `None`: write them all.
    pub previous: Option<Previous>,
}

/// What a case's query rows hold since its previous commit (see [`CaseCommit::previous`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// The index stored.
    pub index: CaseIndex,
    /// The facts stored.
    pub facts: CaseFacts,
}

/// A stored case as [`HubStore::load_cases`] gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedCase {
    /// Its bytes, loadable with `AutoCommit::load`.
    pub bytes: Vec<u8>,
    /// Its index.
    pub index: CaseIndex,
    /// Its heads, as stored with its last commit ([`Stored::heads`]).
    pub heads: Option<Vec<ChangeHash>>,
}

/// A stored case as [`HubStore::update_batch`] gives it to [`CaseUpdates::update`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored<'a> {
    /// Its heads, as stored with its last commit ([`CaseCommit::heads`]); `None` if that
    /// commit was stored before stores kept heads. Heads name the whole set of changes,
    /// so equal heads mean an equal document, however it is laid out in storage.
    pub heads: Option<&'a [ChangeHash]>,
    /// Its bytes, loadable with `AutoCommit::load` — `None` exactly when the updates said
    /// they hold the case with these heads ([`CaseUpdates::holds`]).
    pub bytes: Option<&'a [u8]>,
}

/// What [`HubStore::update_batch`] runs on the cases of a batch.
pub trait CaseUpdates: Send {
    /// What the update of one case gives back.
    type Output: Send;

    /// Whether the caller already holds case `n` as stored, with these `heads` (then the
    /// store need not read its bytes). Asked once per stored case whose heads are known,
    /// before any update.
    fn holds(&mut self, n: usize, heads: &[ChangeHash]) -> bool;

    /// Updates case `n` of the batch (`None`: not stored) and gives the commit to store, if
    /// any.
    fn update(
        &mut self,
        n: usize,
        stored: Option<Stored<'_>>,
    ) -> (Option<CaseCommit>, Self::Output);
}

/// What [`HubStore::update_batch`] gives: each case's output, or the error of its writes
/// (the outer `Err`: nothing was stored).
pub type BatchResults<T, E> = Result<Vec<Result<T, E>>, E>;

/// Updates that hold nothing: every stored case is read, and `update` sees its bytes.
struct WithBytes<F>(F);

impl<T, F> CaseUpdates for WithBytes<F>
where
    T: Send,
    F: FnMut(usize, Option<&[u8]>) -> (Option<CaseCommit>, T) + Send,
{
    type Output = T;

    fn holds(&mut self, _: usize, _: &[ChangeHash]) -> bool {
        false
    }

    fn update(&mut self, n: usize, stored: Option<Stored<'_>>) -> (Option<CaseCommit>, T) {
        (self.0)(n, stored.and_then(|s| s.bytes))
    }
}

/// A case's place in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The case.
    pub case: CaseId,
    /// Its latest position.
    pub position: Cursor,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPage {
    /// Cases in scope whose position is after the cursor, ascending by position.
    pub entries: Vec<FeedEntry>,
    /// The highest position that exists; no commit may later appear at or below it.
    pub head: Cursor,
}

/// Storage for the hub.
pub trait HubStore: Send + Sync {
    /// The storage layer's error.
    type Error: std::fmt::Display + Send;

    /// The enrolment records of these actors (unknown ones are left out).
    fn actors(
        &self,
        actors: &[ActorId],
    ) -> impl Future<Output = Result<Vec<ActorRecord>, Self::Error>> + Send;

    /// Runs `updates` on each of `cases` in turn and stores the commits they give, in one
    /// transaction where the store has them, so that a batch costs one commit: the store
    /// locks the cases, reads their heads, asks [`CaseUpdates::holds`] of each stored one,
    /// reads the bytes of the others, runs [`CaseUpdates::update`] on each case in order,
    /// and stores each commit with a new feed position, its heads and the case's index.
    ///
    /// Every case is serialized for the whole call (across instances too, where the store
    /// is shared). The outer `Err` means nothing was stored. An inner `Err` means that case's
    /// writes failed and left nothing behind, while the other cases' commits are stored.
    /// The `cases` are distinct.
    fn update_batch<U: CaseUpdates>(
        &self,
        cases: &[CaseId],
        updates: U,
    ) -> impl Future<Output = BatchResults<U::Output, Self::Error>> + Send;

    /// [`HubStore::update_batch`] with updates that hold nothing: `update` gets each case's
    /// position in `cases` and its stored bytes (`None` if unknown).
    fn update_cases<T, F>(
        &self,
        cases: &[CaseId],
        update: F,
    ) -> impl Future<Output = BatchResults<T, Self::Error>> + Send
    where
        T: Send,
        F: FnMut(usize, Option<&[u8]>) -> (Option<CaseCommit>, T) + Send,
    {
        self.update_batch(cases, WithBytes(update))
    }

    /// The stored case's bytes (loadable with `AutoCommit::load`) and its index.
    fn load_case(
        &self,
        case: &CaseId,
    ) -> impl Future<Output = Result<Option<(Vec<u8>, CaseIndex)>, Self::Error>> + Send;

    /// Each of `cases` as stored, in order, with its heads — in one read where the store
    /// can (a feed page's cases cost a few statements instead of a few per case).
    fn load_cases(
        &self,
        cases: &[CaseId],
    ) -> impl Future<Output = Result<Vec<Option<LoadedCase>>, Self::Error>> + Send;

    /// Cases in `session`'s scope whose position is after `after`, at most `limit`.
    fn feed(
        &self,
        session: &Session,
        after: Cursor,
        limit: usize,
    ) -> impl Future<Output = Result<FeedPage, Self::Error>> + Send;

    /// The heads of `case` last delivered to `device` in a response whose cursor is at or
    /// before `as_of` (responses with later cursors may have been lost).
    fn delivered(
        &self,
        device: &DeviceId,
        case: &CaseId,
        as_of: Cursor,
    ) -> impl Future<Output = Result<Option<Vec<ChangeHash>>, Self::Error>> + Send;

    /// [`HubStore::delivered`] for each of `cases`, in order — in one read where the store
    /// can.
    ///
    /// The default calls [`HubStore::delivered`] once per case.
    fn delivered_many(
        &self,
        device: &DeviceId,
        cases: &[CaseId],
        as_of: Cursor,
    ) -> impl Future<Output = Result<Vec<Option<Vec<ChangeHash>>>, Self::Error>> + Send {
        async move {
            let mut known = Vec::with_capacity(cases.len());
            for case in cases {
                known.push(self.delivered(device, case, as_of).await?);
            }
            Ok(known)
        }
    }

    /// Records that the response with cursor `cursor` gives `device` these heads.
    fn record_delivered(
        &self,
        device: &DeviceId,
        cursor: Cursor,
        cases: Vec<(CaseId, Vec<ChangeHash>)>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// A shared store is a store (the server keeps one behind its state; tests share one).
impl<T: HubStore> HubStore for &T {
    type Error = T::Error;

    fn actors(
        &self,
        actors: &[ActorId],
    ) -> impl Future<Output = Result<Vec<ActorRecord>, Self::Error>> + Send {
        (**self).actors(actors)
    }

    fn update_batch<U: CaseUpdates>(
        &self,
        cases: &[CaseId],
        updates: U,
    ) -> impl Future<Output = BatchResults<U::Output, Self::Error>> + Send {
        (**self).update_batch(cases, updates)
    }

    fn load_case(
        &self,
        case: &CaseId,
    ) -> impl Future<Output = Result<Option<(Vec<u8>, CaseIndex)>, Self::Error>> + Send {
        (**self).load_case(case)
    }

    fn load_cases(
        &self,
        cases: &[CaseId],
    ) -> impl Future<Output = Result<Vec<Option<LoadedCase>>, Self::Error>> + Send {
        (**self).load_cases(cases)
    }

    fn feed(
        &self,
        session: &Session,
        after: Cursor,
        limit: usize,
    ) -> impl Future<Output = Result<FeedPage, Self::Error>> + Send {
        (**self).feed(session, after, limit)
    }

    fn delivered_many(
        &self,
        device: &DeviceId,
        cases: &[CaseId],
        as_of: Cursor,
    ) -> impl Future<Output = Result<Vec<Option<Vec<ChangeHash>>>, Self::Error>> + Send {
        (**self).delivered_many(device, cases, as_of)
    }

    fn delivered(
        &self,
        device: &DeviceId,
        case: &CaseId,
        as_of: Cursor,
    ) -> impl Future<Output = Result<Option<Vec<ChangeHash>>, Self::Error>> + Send {
        (**self).delivered(device, case, as_of)
    }

    fn record_delivered(
        &self,
        device: &DeviceId,
        cursor: Cursor,
        cases: Vec<(CaseId, Vec<ChangeHash>)>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        (**self).record_delivered(device, cursor, cases)
    }
}
