//! What the phone side needs from storage (mobile-core implements it over SQLite).

use automerge::{AutoCommit, ChangeHash};
use wangge_proto::values::CaseId;

use super::{LocalCase, RejectedEdits};
use crate::wire::{Cursor, RelaySignature};

/// The phone's case store, as sync sees it.
pub trait PhoneStore {
    /// The storage layer's error.
    type Error: std::fmt::Display;

    /// The feed position everything is stored up to.
    fn cursor(&self) -> Result<Cursor, Self::Error>;
    /// Cases with edits the hub has not acknowledged (or flagged to be sent whole).
    fn dirty(&self) -> Result<Vec<CaseId>, Self::Error>;
    /// Cases to download whole again.
    fn refetch(&self) -> Result<Vec<CaseId>, Self::Error>;
    /// Every case id on the phone (for phone-to-phone exchange).
    fn case_ids(&self) -> Result<Vec<CaseId>, Self::Error>;
    /// One case.
    fn load(&self, case: &CaseId) -> Result<Option<LocalCase>, Self::Error>;
    /// Writes a sync result, all of it or nothing. The documents in it were built from
    /// [`PhoneStore::load`] during the same receive: the store must not take other writes
    /// between that load and this call (one writer), or they would be overwritten.
    fn apply(&mut self, applied: Applied) -> Result<(), Self::Error>;
}

/// One case's new state after a sync.
#[derive(Debug, Clone)]
pub struct AppliedCase {
    /// The case.
    pub case: CaseId,
    /// The merged document; `None` removes the case from the phone's active cases (a new
    /// case the hub refused: its content is kept in [`RejectedEdits`]).
    pub doc: Option<AutoCommit>,
    /// Hub heads acknowledged.
    pub acked: Vec<ChangeHash>,
    /// Send whole next time.
    pub whole: bool,
    /// Signatures to add.
    pub signatures: Vec<RelaySignature>,
}

/// Everything one response changes on the phone, written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Changed cases.
    pub cases: Vec<AppliedCase>,
    /// Refused edits to keep.
    pub rejected: Vec<RejectedEdits>,
    /// The new cursor (`None`: unchanged).
    pub cursor: Option<Cursor>,
    /// The new set of cases to download whole.
    pub refetch: Vec<CaseId>,
    /// The hub was restored: flag every case to be sent whole.
    pub resend_all: bool,
}
