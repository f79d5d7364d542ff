//! Which parts of a case an upload's new changes write: top-level keys, and entries of the
//! keyed containers (`events/<id>`, `evidence/<hash>`, …).
//!
//! Reading a merged case whole at every commit costs more than the merge itself (each
//! workflow event is hydrated field by field). What the query tables need only changes where
//! the new ops land, so the hub reads again only those parts and keeps the rest from the
//! stored case's last read ([`super::facts::Glance`]).
//!
//! An op names the object it writes into. Objects the upload makes are placed as their
//! `Make` ops go by (the changes are in causal order); any other object is placed once by
//! walking its parents in the merged document. An object that cannot be placed makes the
//! whole case count as written.

use std::collections::{BTreeSet, HashMap};

use automerge::ExpandedChange;
use automerge::legacy::{Key, ObjectId, OpId, OpType};

use super::shadow::PathStep;

/// Where an object sits in the case.
#[derive(Debug, Clone)]
enum Place {
    /// The object a top-level key holds (or one inside it that is not under an entry key).
    Container(String),
    /// An entry of a top-level container, or something inside one.
    Entry(String, String),
}

/// The parts of a case written by some changes.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    /// Something could not be placed: count everything as written.
    whole: bool,
    /// Top-level keys set or deleted themselves.
    replaced: BTreeSet<String>,
    /// Top-level keys written anywhere under.
    roots: BTreeSet<String>,
    /// Entries (top-level key, entry key) written anywhere under.
    entries: BTreeSet<(String, String)>,
}

impl Touched {
    /// What `changes` write (in causal order; `path_of` gives where an object they did not
    /// make sits in the merged case, as [`ReadCase::path`](super::ReadCase::path) does).
    pub(crate) fn by<'a>(
        path_of: impl Fn(&OpId) -> Option<Vec<PathStep>>,
        changes: impl IntoIterator<Item = &'a ExpandedChange>,
    ) -> Self {
        let mut touched = Self::default();
        let mut places: HashMap<OpId, Option<Place>> = HashMap::new();
        for change in changes {
            for (n, op) in change.operations.iter().enumerate() {
                let place = match &op.obj {
                    ObjectId::Root => match &op.key {
                        Key::Map(key) => {
                            touched.replaced.insert(key.to_string());
                            Some(Place::Container(key.to_string()))
                        }
                        Key::Seq(_) => None,
                    },
                    ObjectId::Id(id) => {
                        let container = places
                            .entry(id.clone())
                            .or_insert_with(|| path_of(id).and_then(place_of))
                            .clone();
                        match (container, &op.key) {
                            (Some(Place::Container(root)), Key::Map(entry)) => {
                                Some(Place::Entry(root, entry.to_string()))
                            }
                            (place, _) => place,
                        }
                    }
                };
                let Some(place) = place else {
                    touched.whole = true;
                    return touched;
                };
                if let OpType::Make(_) = op.action {
                    let made = OpId(change.start_op.get() + n as u64, change.actor_id.clone());
                    places.insert(made, Some(place.clone()));
                }
                match place {
                    Place::Container(root) => {
                        touched.roots.insert(root);
                    }
                    Place::Entry(root, entry) => {
                        touched.roots.insert(root.clone());
                        touched.entries.insert((root, entry));
                    }
                }
            }
        }
        touched
    }

    /// Whether anything under the top-level key `root` may have changed.
    pub(crate) fn root(&self, root: &str) -> bool {
        self.whole || self.roots.contains(root)
    }

    /// Whether the top-level key `root` itself was set or deleted (everything under it may
    /// be another object now).
    pub(crate) fn replaced(&self, root: &str) -> bool {
        self.whole || self.replaced.contains(root)
    }

    /// The entries of the container at `root` written under (if not [`Touched::replaced`]).
    pub(crate) fn entries<'a>(&'a self, root: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(r, _)| r == root)
            .map(|(_, entry)| entry.as_str())
    }
}

/// Where a stored object sits, from its path (nearest step first).
fn place_of(mut path: Vec<PathStep>) -> Option<Place> {
    let root = match path.pop()? {
        PathStep::Key(key) => key,
        PathStep::Element => return None,
    };
    match path.pop() {
        None => Some(Place::Container(root)),
        Some(PathStep::Key(entry)) => Some(Place::Entry(root, entry)),
        Some(PathStep::Element) => Some(Place::Container(root)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};

    use super::*;
    use crate::hub::read_case::path_in;

    fn new_changes(doc: &mut AutoCommit, since: &[automerge::ChangeHash]) -> Vec<ExpandedChange> {
        doc.get_changes(since).iter().map(|c| c.decode()).collect()
    }

    #[test]
    fn places_ops_at_their_top_level_key_and_entry() {
        let mut doc = AutoCommit::new();
        let events = doc.put_object(ROOT, "events", ObjType::Map).unwrap();
        let first = doc.put_object(&events, "e1", ObjType::Map).unwrap();
        doc.put(&first, "actor", "a").unwrap();
        let title = doc.put_object(ROOT, "title", ObjType::Text).unwrap();
        doc.splice_text(&title, 0, 0, "井盖").unwrap();
        doc.commit();
        let base = doc.get_heads();

        // A new event with a nested list, an edit inside a stored event, a title edit.
        let second = doc.put_object(&events, "e2", ObjType::Map).unwrap();
        let follows = doc.put_object(&second, "follows", ObjType::List).unwrap();
        doc.insert(&follows, 0, "e1").unwrap();
        doc.put(&first, "actor", "b").unwrap();
        doc.splice_text(&title, 2, 0, "缺失").unwrap();
        doc.commit();
        let changes = new_changes(&mut doc, &base);
        let touched = Touched::by(|id| path_in(&doc, id), &changes);

        assert!(touched.root("events") && touched.root("title"));
        assert!(!touched.root("origin") && !touched.replaced("events"));
        assert_eq!(touched.entries("events").collect::<Vec<_>>(), ["e1", "e2"]);
        assert_eq!(touched.entries("title").count(), 0);

        doc.put(ROOT, "origin", "x").unwrap();
        doc.commit();
        let changes = new_changes(&mut doc, &base);
        let touched = Touched::by(|id| path_in(&doc, id), &changes);
        assert!(touched.replaced("origin") && touched.root("origin"));
    }

    #[test]
    fn an_unknown_object_counts_as_everything() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "k", 1).unwrap();
        doc.commit();
        let mut other = AutoCommit::new();
        let map = other.put_object(ROOT, "m", ObjType::Map).unwrap();
        other.commit();
        let base = other.get_heads();
        other.put(&map, "x", 1).unwrap();
        other.commit();
        // Placed in `doc`, which never saw the map.
        let touched = Touched::by(|id| path_in(&doc, id), &new_changes(&mut other, &base));
        assert!(touched.root("anything") && touched.replaced("k"));
    }
}
