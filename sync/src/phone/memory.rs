//! An in-memory [`PhoneStore`]: the reference implementation for tests, the benchmark and the
//! runnable example.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use automerge::{ActorId, AutoCommit, ChangeHash};
use wangge_proto::values::CaseId;

use super::{Applied, LocalCase, PhoneStore, RejectedEdits};
use crate::relay::{self, SigningKey};
use crate::wire::Cursor;

/// A phone's cases in memory.
#[derive(Debug, Clone)]
pub struct MemoryPhone {
    actor: ActorId,
    cases: BTreeMap<CaseId, LocalCase>,
    /// Cases with unacknowledged edits, kept up to date at every write.
    dirty: BTreeSet<CaseId>,
    cursor: Cursor,
    refetch: Vec<CaseId>,
    rejected: Vec<RejectedEdits>,
    key: Option<SigningKey>,
}

impl MemoryPhone {
    /// An empty phone whose edits are made by `actor`; with a `key`, it signs them so other
    /// phones can relay them.
    pub fn new(actor: ActorId, key: Option<SigningKey>) -> Self {
        Self {
            actor,
            cases: BTreeMap::new(),
            dirty: BTreeSet::new(),
            cursor: Cursor::default(),
            refetch: Vec::new(),
            rejected: Vec::new(),
            key,
        }
    }

    /// The actor this phone edits as.
    pub fn actor(&self) -> &ActorId {
        &self.actor
    }

    /// Loses everything (a phone reset or reinstall). The phone must enrol again with a new
    /// `actor`: reusing the old one would number new changes like lost ones (automerge
    /// refuses two changes with the same actor and sequence number).
    pub fn wipe(&mut self, actor: ActorId) {
        *self = Self::new(actor, self.key.clone());
    }

    /// Adds a case created on this phone.
    pub fn insert(&mut self, case: CaseId, mut doc: AutoCommit) {
        doc.set_actor(self.actor.clone());
        let mut local = LocalCase {
            doc,
            acked: Vec::new(),
            whole: false,
            signatures: Vec::new(),
        };
        self.sign_since(case, &mut local, &[]);
        self.put(case, local);
    }

    /// Edits a case with `edit` (which must commit); signs the new changes.
    pub fn edit<T>(&mut self, case: &CaseId, edit: impl FnOnce(&mut AutoCommit) -> T) -> Option<T> {
        let mut local = self.cases.remove(case)?;
        let before = local.doc.get_heads();
        let result = edit(&mut local.doc);
        self.sign_since(*case, &mut local, &before);
        self.put(*case, local);
        Some(result)
    }

    fn put(&mut self, case: CaseId, mut local: LocalCase) {
        if local.is_dirty() {
            self.dirty.insert(case);
        } else {
            self.dirty.remove(&case);
        }
        self.cases.insert(case, local);
    }

    fn sign_since(&self, case: CaseId, local: &mut LocalCase, before: &[ChangeHash]) {
        if let Some(key) = &self.key {
            for change in local.doc.get_changes(before) {
                let signature = relay::sign(key, change.actor_id(), &case, &change.hash());
                local.signatures.push(signature);
            }
        }
    }

    /// One case.
    pub fn get(&self, case: &CaseId) -> Option<&LocalCase> {
        self.cases.get(case)
    }

    /// Every case.
    pub fn cases(&self) -> impl Iterator<Item = (&CaseId, &LocalCase)> {
        self.cases.iter()
    }

    /// Edits the hub refused.
    pub fn rejected(&self) -> &[RejectedEdits] {
        &self.rejected
    }

    /// The stored cursor.
    pub fn stored_cursor(&self) -> Cursor {
        self.cursor
    }
}

impl PhoneStore for MemoryPhone {
    type Error = Infallible;

    fn cursor(&self) -> Result<Cursor, Infallible> {
        Ok(self.cursor)
    }

    fn dirty(&self) -> Result<Vec<CaseId>, Infallible> {
        Ok(self.dirty.iter().copied().collect())
    }

    fn refetch(&self) -> Result<Vec<CaseId>, Infallible> {
        Ok(self.refetch.clone())
    }

    fn case_ids(&self) -> Result<Vec<CaseId>, Infallible> {
        Ok(self.cases.keys().copied().collect())
    }

    fn load(&self, case: &CaseId) -> Result<Option<LocalCase>, Infallible> {
        Ok(self.cases.get(case).cloned())
    }

    fn apply(&mut self, applied: Applied) -> Result<(), Infallible> {
        for case in applied.cases {
            let Some(mut doc) = case.doc else {
                self.cases.remove(&case.case);
                self.dirty.remove(&case.case);
                continue;
            };
            doc.set_actor(self.actor.clone());
            let mut signatures = self
                .cases
                .remove(&case.case)
                .map(|local| local.signatures)
                .unwrap_or_default();
            for signature in case.signatures {
                if !signatures.contains(&signature) {
                    signatures.push(signature);
                }
            }
            let local = LocalCase {
                doc,
                acked: case.acked,
                whole: case.whole,
                signatures,
            };
            self.put(case.case, local);
        }
        self.rejected.extend(applied.rejected);
        if let Some(cursor) = applied.cursor {
            self.cursor = cursor;
        }
        self.refetch = applied.refetch;
        if applied.resend_all {
            for (case, local) in &mut self.cases {
                local.whole = true;
                self.dirty.insert(*case);
            }
        }
        Ok(())
    }
}
