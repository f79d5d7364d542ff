//! The phone's offline case store: automerge case documents in SQLite.
//!
//! One file, one connection, one writer (WAL, `synchronous = FULL`; a second open of the
//! file is refused: [`writer`]). Every call that changes
//! something is one transaction that has committed when the call returns: an edit typed
//! offline survives the app being killed, or the battery dying, at any point. A case is a
//! snapshot plus the increments of later edits ([`docs`]), with its list columns beside it
//! ([`rows`]), so lists never load documents.
//!
//! The app-facing API is in [`edit`] (create, edit fields, take workflow steps, comment,
//! attach photos, link duplicates — each checked locally against the permission matrix and
//! the workflow, refused with the reason), [`list`] and [`detail`]. A photo goes into its case
//! and into the outbox the sync client uploads from in one transaction ([`photos`]). Sync
//! reads and writes the store through [`wangge_sync::phone::PhoneStore`] ([`phone`]).

mod detail;
mod docs;
mod edit;
mod error;
mod identity;
mod list;
mod phone;
mod photos;
mod rows;
mod schema;
mod session;
mod summary;
mod writer;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use wangge_proto::case::CaseDocument;
use wangge_proto::catalogue::Catalogue;
use wangge_proto::values::{CaseId, Timestamp};
use wangge_sync::relay;

pub use detail::CaseDetail;
pub use docs::COMPACT_AFTER;
pub use edit::{EvidenceInput, FieldEdit, NewCaseInput};
pub use error::StoreError;
pub use identity::Identity;
pub use list::CaseFilter;
pub use photos::QueuedPhoto;
pub use schema::VERSION as SCHEMA_VERSION;
pub use session::Session;
pub use summary::CaseSummary;

use summary::Reading;

/// The phone's case store.
pub struct CaseStore {
    conn: Connection,
    identity: Option<Identity>,
    catalogue: Catalogue,
    /// Declared last: released after the connection has closed.
    _writer: writer::WriterLock,
}

impl std::fmt::Debug for CaseStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseStore")
            .field("path", &self.conn.path())
            .field("user", &self.identity.as_ref().map(|i| i.user))
            .finish_non_exhaustive()
    }
}

impl CaseStore {
    /// Opens (or creates) the store at `path`, upgrading its schema, with the shipped
    /// catalogue.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, Catalogue::shipped())
    }

    /// Opens the store with a given catalogue (an office's own item list).
    /// Refused with [`StoreError::InUse`] while the file is open elsewhere.
    pub fn open_with(path: impl AsRef<Path>, catalogue: Catalogue) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let writer = writer::WriterLock::take(path)?;
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        schema::prepare(&mut conn)?;
        let identity = identity::load(&conn)?;
        Ok(Self {
            conn,
            identity,
            catalogue,
            _writer: writer,
        })
    }

    /// The signed-in user on this device, if any.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// Records who uses the phone after a sign-in (and device enrolment). Refused while
    /// another user's edits are unsent, so nothing typed is ever attributed to, or lost by,
    /// a change of user.
    pub fn set_identity(&mut self, identity: Identity) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(current) = &self.identity {
            let unsent: i64 =
                tx.query_row("SELECT COUNT(*) FROM cases WHERE dirty = 1", [], |r| {
                    r.get(0)
                })?;
            if current.user != identity.user && unsent > 0 {
                return Err(StoreError::OtherUserPending);
            }
        }
        identity::save(&tx, &identity)?;
        tx.commit()?;
        self.identity = Some(identity);
        Ok(())
    }

    /// The catalogue cases are registered from.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    fn signed_in(&self) -> Result<&Identity, StoreError> {
        self.identity.as_ref().ok_or(StoreError::NotSignedIn)
    }

    /// Changes one case as the signed-in user, in one transaction: loads it, checks it is in
    /// scope, runs `edit` with its derived state, commits the new changes as one automerge
    /// change, signs it, stores it as an increment and updates the list columns. An edit that
    /// changes nothing writes nothing.
    fn write<T>(
        &mut self,
        case: &CaseId,
        message: &str,
        edit: impl FnOnce(&mut CaseDocument, &Reading, &Identity) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write_with(case, message, edit, |_| Ok(()))
    }

    /// Like [`CaseStore::write`], and runs `also` in the same transaction before it commits
    /// (rows that must exist exactly when the edit does, e.g. the photo outbox's).
    fn write_with<T>(
        &mut self,
        case: &CaseId,
        message: &str,
        edit: impl FnOnce(&mut CaseDocument, &Reading, &Identity) -> Result<T, StoreError>,
        also: impl FnOnce(&Transaction<'_>) -> Result<(), StoreError>,
    ) -> Result<T, StoreError> {
        let result = self.write_in_transaction(case, message, edit, also);
        self.refetch_if_damaged(&result)?;
        result
    }

    /// A case whose stored document does not load is downloaded whole again at the next
    /// sync, which replaces the damaged copy (the caller still gets the error).
    fn refetch_if_damaged<T>(&self, result: &Result<T, StoreError>) -> Result<(), StoreError> {
        if let Err(StoreError::Corrupt { case, detail }) = result {
            tracing::error!(%case, %detail, "damaged case document; fetching it again");
            self.conn.execute(
                "INSERT OR IGNORE INTO refetch (case_id) VALUES (?1)",
                [case.to_string()],
            )?;
        }
        Ok(())
    }

    fn write_in_transaction<T>(
        &mut self,
        case: &CaseId,
        message: &str,
        edit: impl FnOnce(&mut CaseDocument, &Reading, &Identity) -> Result<T, StoreError>,
        also: impl FnOnce(&Transaction<'_>) -> Result<(), StoreError>,
    ) -> Result<T, StoreError> {
        let identity = self.identity.as_ref().ok_or(StoreError::NotSignedIn)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored = docs::load(&tx, case)?.ok_or(StoreError::NotFound { case: *case })?;
        let mut doc = stored.doc;
        doc.set_actor(identity.actor.clone());
        let before = doc.get_heads();
        let mut document = CaseDocument::from_automerge(doc)?;
        let reading = summary::read(&document, &self.catalogue)?;
        let grid = &reading.view.origin.grid;
        if !identity
            .scope
            .covers(grid, reading.state.departments.keys())
        {
            return Err(StoreError::OutOfScope { grid: grid.clone() });
        }
        let result = edit(&mut document, &reading, identity)?;
        also(&tx)?;
        let now = Timestamp::now();
        if document.commit(now, message).is_none() {
            tx.commit()?;
            return Ok(result);
        }
        let reading = summary::read(&document, &self.catalogue)?;
        let mut doc = document.into_automerge();
        let signatures: Vec<_> = doc
            .get_changes(&before)
            .iter()
            .map(|c| relay::sign(&identity.key, c.actor_id(), case, &c.hash()))
            .collect();
        if stored.increments + 1 >= COMPACT_AFTER {
            docs::replace(&tx, case, &mut doc)?;
        } else {
            docs::append(&tx, case, &doc.save_after(&before))?;
        }
        docs::add_signatures(&tx, case, &signatures)?;
        rows::edited(&tx, case, &reading, now)?;
        tx.commit()?;
        Ok(result)
    }
}
