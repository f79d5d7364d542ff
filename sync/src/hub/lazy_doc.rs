//! A hot case's document with the changes merged since it was loaded kept aside, applied only
//! when something needs the document itself (ADR 0014).
//!
//! Applying changes to an automerge document is most of what a validated merge costs once the
//! merge judges from the case's shadow. What the protocol asks of a hot case — its heads,
//! which of some hashes it lacks, the changes a device lacks after some heads — the loaded
//! document's change graph and the changes kept aside answer together. The document is
//! brought up to date ([`LazyDoc::document`]) only for a read the shadow cannot answer, a
//! shadow to rebuild, an upload holding a whole document, a device that lacks changes of the
//! document itself, or too many changes kept aside.

use std::collections::HashSet;

use automerge::{AutoCommit, Change, ChangeHash};
use wangge_proto::case::CaseDocument;

/// At most this many changes are kept aside; more are applied to the document, so that a case
/// merged many times without ever being read holds its changes once.
const MAX_PENDING: usize = 64;

/// The changes kept aside do not apply to the document: the stored case is unusable (they
/// passed the shadow's checks, which only ever pass what automerge applies).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the changes merged into the case do not apply: {0}")]
pub(crate) struct Unusable(pub String);

/// A case document and the changes merged since, not yet applied to it.
#[derive(Debug)]
pub(crate) struct LazyDoc {
    /// `None`: a new case, nothing applied yet.
    doc: Option<CaseDocument>,
    /// Changes not yet applied, in causal order; each builds on the document or on earlier
    /// ones here.
    pending: Vec<Change>,
    /// The hashes of `pending`.
    pending_hashes: HashSet<ChangeHash>,
    /// The heads with `pending` applied, sorted as automerge sorts them.
    heads: Vec<ChangeHash>,
    /// Why the changes kept aside did not apply, once they failed to: nothing here is to be
    /// trusted any more, and the case is loaded afresh from its stored bytes.
    broken: Option<Unusable>,
}

impl LazyDoc {
    /// `doc`, with nothing kept aside.
    pub(crate) fn new(mut doc: CaseDocument) -> Self {
        let heads = doc.automerge_mut().get_heads();
        Self {
            doc: Some(doc),
            pending: Vec::new(),
            pending_hashes: HashSet::new(),
            heads,
            broken: None,
        }
    }

    /// A new case: no document, nothing kept aside yet.
    pub(crate) fn empty() -> Self {
        Self {
            doc: None,
            pending: Vec::new(),
            pending_hashes: HashSet::new(),
            heads: Vec::new(),
            broken: None,
        }
    }

    /// `Err` once the changes kept aside failed to apply (see [`LazyDoc::document`]).
    pub(crate) fn usable(&self) -> Result<(), Unusable> {
        match &self.broken {
            Some(broken) => Err(broken.clone()),
            None => Ok(()),
        }
    }

    /// The document, if it holds every change (nothing is kept aside).
    pub(crate) fn current(&self) -> Option<&CaseDocument> {
        self.doc.as_ref().filter(|_| self.pending.is_empty())
    }

    /// The heads, as the document will have them.
    pub(crate) fn heads(&self) -> &[ChangeHash] {
        &self.heads
    }

    /// Those of `hashes` that are neither in the document nor kept aside.
    pub(crate) fn missing(&mut self, hashes: &[ChangeHash]) -> Vec<ChangeHash> {
        let outside: Vec<ChangeHash> = hashes
            .iter()
            .filter(|h| !self.pending_hashes.contains(h))
            .copied()
            .collect();
        match &mut self.doc {
            // The document holds no orphans (they are refused), so its missing dependencies
            // are exactly the hashes it lacks: a lookup in its change graph.
            Some(doc) if !outside.is_empty() => doc.automerge_mut().get_missing_deps(&outside),
            _ => outside,
        }
    }

    /// Keeps `changes` aside: new changes (none of them held), in causal order, each building
    /// only on held changes or on earlier ones of `changes`.
    pub(crate) fn defer(&mut self, changes: impl IntoIterator<Item = Change>) {
        for change in changes {
            self.heads.retain(|h| !change.deps().contains(h));
            self.heads.push(change.hash());
            self.pending_hashes.insert(change.hash());
            self.pending.push(change);
        }
        self.heads.sort_unstable();
        if self.pending.len() > MAX_PENDING {
            // If this fails, the next merge or send of the case finds it unusable.
            let _ = self.document();
        }
    }

    /// The document with every change applied. If they fail to apply, the document is
    /// unusable from then on ([`LazyDoc::usable`]).
    pub(crate) fn document(&mut self) -> Result<&mut CaseDocument, Unusable> {
        self.usable()?;
        if !self.pending.is_empty() || self.doc.is_none() {
            let pending = std::mem::take(&mut self.pending);
            self.pending_hashes.clear();
            let mut doc = self
                .doc
                .take()
                .map_or_else(AutoCommit::new, CaseDocument::into_automerge);
            let applied = doc
                .apply_changes(pending)
                .map_err(|e| Unusable(e.to_string()))
                .and_then(|()| {
                    CaseDocument::from_automerge(doc).map_err(|e| Unusable(e.to_string()))
                });
            match applied {
                Ok(doc) => self.doc = Some(doc),
                Err(unusable) => {
                    self.broken = Some(unusable.clone());
                    return Err(unusable);
                }
            }
        }
        match &mut self.doc {
            Some(doc) => Ok(doc),
            None => Err(Unusable("no document".into())),
        }
    }

    /// A copy of the document with every change applied, leaving this one as it is (what
    /// debug builds judge a merge from a second time).
    #[cfg(any(test, debug_assertions))]
    pub(crate) fn fork(&mut self) -> Result<AutoCommit, Unusable> {
        let mut fork = match &mut self.doc {
            Some(doc) => doc.automerge_mut().fork(),
            None => AutoCommit::new(),
        };
        fork.apply_changes(self.pending.iter().cloned())
            .map_err(|e| Unusable(e.to_string()))?;
        Ok(fork)
    }

    /// The changes held that are not in `known` nor before it, as change chunks end to end
    /// (what `save_after` gives), for a device that has `known` (all held).
    ///
    /// When the device has every change of the document itself, what it lacks is among the
    /// changes kept aside and goes out as they came; otherwise the document is brought up to
    /// date and asked.
    pub(crate) fn changes_after(&mut self, known: &[ChangeHash]) -> Result<Vec<u8>, Unusable> {
        self.usable()?;
        if let Some(lacking) = self.pending_after(known) {
            return Ok(lacking);
        }
        Ok(self.document()?.automerge_mut().save_after(known))
    }

    /// The changes kept aside that `known` lacks, if `known` covers the whole document.
    ///
    /// A change is before `known` when it is in `known` or a dependency of a change before
    /// it. Walking back from `known` through the changes kept aside reaches the document's
    /// changes only through dependencies; `known` covers the document exactly when every
    /// document head is reached (a head has no later change in the document, so nothing of
    /// the document leads to it).
    fn pending_after(&mut self, known: &[ChangeHash]) -> Option<Vec<u8>> {
        if self.pending.is_empty() {
            return None;
        }
        let mut before: HashSet<ChangeHash> = known.iter().copied().collect();
        // Later changes come after what they build on: walk the changes kept aside backwards.
        for change in self.pending.iter().rev() {
            if before.contains(&change.hash()) {
                before.extend(change.deps().iter().copied());
            }
        }
        let doc_heads = match &mut self.doc {
            Some(doc) => doc.automerge_mut().get_heads(),
            None => Vec::new(),
        };
        if !doc_heads
            .iter()
            .all(|h| before.contains(h) && !self.pending_hashes.contains(h))
        {
            return None;
        }
        let mut lacking = Vec::new();
        for change in self.pending.iter().filter(|c| !before.contains(&c.hash())) {
            lacking.extend_from_slice(change.raw_bytes());
        }
        Some(lacking)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::{AutoCommit, ROOT, transaction::Transactable};
    use wangge_proto::case::SCHEMA_VERSION;

    use super::*;

    fn case() -> AutoCommit {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "schema", SCHEMA_VERSION).unwrap();
        doc.commit();
        doc
    }

    fn edit(doc: &mut AutoCommit, key: &str) -> Change {
        doc.put(ROOT, key, key).unwrap();
        doc.commit();
        doc.get_last_local_change().unwrap()
    }

    #[test]
    fn answers_as_the_document_with_every_change_applied() {
        let mut phone = case();
        let mut lazy = LazyDoc::new(CaseDocument::from_automerge(phone.fork()).unwrap());
        let mut other = phone.fork().with_actor(automerge::ActorId::random());
        let a = edit(&mut phone, "a");
        let b = edit(&mut phone, "b");
        let c = edit(&mut other, "c");
        lazy.defer([a.clone(), b.clone(), c.clone()]);
        let mut whole = phone.fork();
        whole.apply_changes([c.clone()]).unwrap();
        assert_eq!(lazy.heads(), whole.get_heads());
        assert!(lazy.missing(&[a.hash(), c.hash()]).is_empty());
        let unknown = ChangeHash([7; 32]);
        assert_eq!(lazy.missing(&[b.hash(), unknown]), vec![unknown]);

        // A device with the document and `a` lacks `b` and `c`, sent as they came.
        let after_a = lazy.changes_after(&[a.hash()]).unwrap();
        assert_eq!(after_a, [b.raw_bytes(), c.raw_bytes()].concat());
        assert_eq!(lazy.pending.len(), 3, "answered without applying");
        assert!(lazy.changes_after(&whole.get_heads()).unwrap().is_empty());

        assert_eq!(lazy.fork().unwrap().get_heads(), whole.get_heads());

        // A device with nothing: the document is brought up to date and asked.
        let from_start = lazy.changes_after(&[]).unwrap();
        assert!(lazy.pending.is_empty());
        assert_eq!(
            AutoCommit::load(&from_start).unwrap().get_heads(),
            whole.get_heads()
        );
        assert_eq!(
            lazy.document().unwrap().automerge_mut().get_heads(),
            whole.get_heads()
        );
    }

    #[test]
    fn a_device_missing_a_document_change_gets_it_from_the_document() {
        let mut phone = case();
        let first = edit(&mut phone, "first");
        let mut lazy = LazyDoc::new(CaseDocument::from_automerge(phone.fork()).unwrap());
        let later = edit(&mut phone, "later");
        lazy.defer([later.clone()]);
        // Known: the change before `first` only — it lacks `first` (in the document) too.
        let base = first.deps().to_vec();
        let lacking = lazy.changes_after(&base).unwrap();
        assert_eq!(lacking, phone.save_after(&base));
    }

    #[test]
    fn changes_that_do_not_apply_leave_it_unusable() {
        let mut phone = case();
        let actor = phone.get_actor().clone();
        let mut again = phone.fork().with_actor(actor);
        let stored = edit(&mut phone, "stored");
        let mut lazy = LazyDoc::new(CaseDocument::from_automerge(phone.fork()).unwrap());
        // The same actor's same sequence number again: automerge refuses it.
        let repeated = edit(&mut again, "repeated");
        assert_eq!(repeated.seq(), stored.seq());
        lazy.defer([repeated]);
        assert!(lazy.document().is_err());
        assert!(lazy.usable().is_err());
        assert!(lazy.changes_after(&[stored.hash()]).is_err());
        assert!(lazy.document().is_err(), "stays unusable");
    }
}
