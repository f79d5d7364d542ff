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
    /// The case's heads afterwards.
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

/// A stored case as [`HubStore::load_case`] gives it: its bytes (loadable with
/// `AutoCommit::load`) and its index.
pub type LoadedCase = (Vec<u8>, CaseIndex);

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

    /// Runs `update` on the stored case (its saved document and changes, loadable with
    /// `AutoCommit::load`; `None` if unknown) and stores the commit it returns, if any: the
    /// changes, a new feed position for the case, its index. Serialized per case, atomic.
    fn update_case<T, F>(
        &self,
        case: &CaseId,
        update: F,
    ) -> impl Future<Output = Result<T, Self::Error>> + Send
    where
        T: Send,
        F: FnOnce(Option<&[u8]>) -> (Option<CaseCommit>, T) + Send;

    /// Runs `update` on each of `cases` in turn (with its position in `cases` and the stored
    /// case, as for [`HubStore::update_case`]) and stores the commits it returns — in one
    /// transaction where the store has them, so that a batch costs one commit.
    ///
    /// Every case is serialized as in [`HubStore::update_case`] for the whole call. The
    /// outer `Err` means nothing was stored. An inner `Err` means that case's writes failed
    /// and left nothing behind, while the other cases' commits are stored. The `cases` are
    /// distinct.
    ///
    /// The default runs [`HubStore::update_case`] once per case.
    fn update_cases<T, F>(
        &self,
        cases: &[CaseId],
        mut update: F,
    ) -> impl Future<Output = Result<Vec<Result<T, Self::Error>>, Self::Error>> + Send
    where
        T: Send,
        F: FnMut(usize, Option<&[u8]>) -> (Option<CaseCommit>, T) + Send,
    {
        async move {
            let mut results = Vec::with_capacity(cases.len());
            for (n, case) in cases.iter().enumerate() {
                let result = self.update_case(case, |stored| update(n, stored)).await?;
                results.push(Ok(result));
            }
            Ok(results)
        }
    }

    /// The stored case, as for [`HubStore::update_case`], and its index.
    fn load_case(
        &self,
        case: &CaseId,
    ) -> impl Future<Output = Result<Option<(Vec<u8>, CaseIndex)>, Self::Error>> + Send;

    /// [`HubStore::load_case`] for each of `cases`, in order — in one read where the store
    /// can (a feed page's cases cost a few statements instead of a few per case).
    ///
    /// The default calls [`HubStore::load_case`] once per case.
    fn load_cases(
        &self,
        cases: &[CaseId],
    ) -> impl Future<Output = Result<Vec<Option<LoadedCase>>, Self::Error>> + Send {
        async move {
            let mut loaded = Vec::with_capacity(cases.len());
            for case in cases {
                loaded.push(self.load_case(case).await?);
            }
            Ok(loaded)
        }
    }

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

    fn update_case<R, F>(
        &self,
        case: &CaseId,
        update: F,
    ) -> impl Future<Output = Result<R, Self::Error>> + Send
    where
        R: Send,
        F: FnOnce(Option<&[u8]>) -> (Option<CaseCommit>, R) + Send,
    {
        (**self).update_case(case, update)
    }

    fn update_cases<R, F>(
        &self,
        cases: &[CaseId],
        update: F,
    ) -> impl Future<Output = Result<Vec<Result<R, Self::Error>>, Self::Error>> + Send
    where
        R: Send,
        F: FnMut(usize, Option<&[u8]>) -> (Option<CaseCommit>, R) + Send,
    {
        (**self).update_cases(cases, update)
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
