//! A reader that reads each map of a case document in one pass.
//!
//! autosurgeon hydrates a struct field by field, and each field is a `get`. In automerge 0.12
//! every `get` seeks the key in the op columns from scratch — a seek in each of a dozen
//! columns — so reading a workflow event (a map of ten fields holding two more maps) costs
//! some twenty seeks, and on a server merging uploads that was a third of the merge. This
//! reader answers a map's keys from one `map_range` pass over the map, made the first time
//! one of its keys is asked for and kept while the reader lives; everything else (lists,
//! text, object types) goes to the document. It sees what `get` sees: the same visible value
//! for each key, and the same object ids.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::RangeBounds;
use std::rc::Rc;

use automerge::{AutoCommit, AutomergeError, ObjId, ObjType, Prop, Value};

/// The visible value of each key of one map, and its id.
type Entries = HashMap<String, (Value<'static>, ObjId)>;

/// Reads `doc`, answering map lookups from one pass over each map (see the module docs).
/// Borrowing the document keeps it from changing while the reader keeps what it read.
pub(crate) struct OnePass<'d> {
    doc: &'d AutoCommit,
    /// The maps read so far; `None` for an object that is not a map.
    maps: RefCell<HashMap<ObjId, Option<Rc<Entries>>>>,
}

impl<'d> OnePass<'d> {
    /// A reader of `doc` that has read nothing yet.
    pub(crate) fn new(doc: &'d AutoCommit) -> Self {
        Self {
            doc,
            maps: RefCell::new(HashMap::new()),
        }
    }

    /// The entries of `obj` if it is a map, read once.
    fn entries(&self, obj: &ObjId) -> Option<Rc<Entries>> {
        if let Some(known) = self.maps.borrow().get(obj) {
            return known.clone();
        }
        let entries = match automerge::ReadDoc::object_type(self.doc, obj) {
            Ok(ObjType::Map) => Some(Rc::new(
                automerge::ReadDoc::map_range(self.doc, obj, ..)
                    .map(|item| {
                        let id = item.id();
                        (item.key.into_owned(), (item.value.into_value(), id))
                    })
                    .collect(),
            )),
            _ => None,
        };
        self.maps.borrow_mut().insert(obj.clone(), entries.clone());
        entries
    }
}

impl super::CaseReader for OnePass<'_> {
    fn keys_of(&self, obj: &ObjId) -> Vec<String> {
        automerge::ReadDoc::keys(self.doc, obj).collect()
    }
}

impl autosurgeon::ReadDoc for OnePass<'_> {
    type Parents<'a>
        = automerge::Parents<'a>
    where
        Self: 'a;

    fn get_heads(&self) -> Vec<automerge::ChangeHash> {
        autosurgeon::ReadDoc::get_heads(self.doc)
    }

    fn get<P: Into<Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        let prop = prop.into();
        if let Prop::Map(key) = &prop
            && let Some(entries) = self.entries(obj)
        {
            return Ok(entries.get(key.as_str()).cloned());
        }
        automerge::ReadDoc::get(self.doc, obj, prop)
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<ObjType> {
        autosurgeon::ReadDoc::object_type(self.doc, obj)
    }

    fn map_range<'a, O, R>(&'a self, obj: O, range: R) -> automerge::iter::MapRange<'a>
    where
        R: RangeBounds<String> + 'a,
        O: AsRef<ObjId>,
        R: RangeBounds<String>,
    {
        automerge::ReadDoc::map_range(self.doc, obj, range)
    }

    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> automerge::iter::ListRange<'_> {
        automerge::ReadDoc::list_range(self.doc, obj, range)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        automerge::ReadDoc::length(self.doc, obj)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, AutomergeError> {
        automerge::ReadDoc::text(self.doc, obj)
    }

    fn parents<O: AsRef<ObjId>>(&self, obj: O) -> Result<Self::Parents<'_>, AutomergeError> {
        automerge::ReadDoc::parents(self.doc, obj)
    }

    fn is_empty(&self) -> bool {
        autosurgeon::ReadDoc::is_empty(self.doc)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::transaction::Transactable;
    use automerge::{ActorId, ROOT};
    use autosurgeon::ReadDoc as _;

    use super::*;

    /// Every lookup answers as the document's own `get` does: plain values, objects, text,
    /// absent keys, conflicting concurrent puts, deleted keys, lists.
    #[test]
    fn answers_as_get_does() {
        let mut a = AutoCommit::new().with_actor(ActorId::from(&[1; 16][..]));
        let map = a.put_object(ROOT, "map", ObjType::Map).unwrap();
        a.put(&map, "n", 7).unwrap();
        a.put(&map, "gone", "x").unwrap();
        let text = a.put_object(&map, "text", ObjType::Text).unwrap();
        a.splice_text(&text, 0, 0, "垃圾堆放").unwrap();
        let list = a.put_object(ROOT, "list", ObjType::List).unwrap();
        a.insert(&list, 0, "first").unwrap();
        a.commit();
        let mut b = a.fork().with_actor(ActorId::from(&[2; 16][..]));
        a.put(&map, "n", 8).unwrap();
        b.put(&map, "n", 9).unwrap();
        b.delete(&map, "gone").unwrap();
        a.merge(&mut b).unwrap();

        let reader = OnePass::new(&a);
        for (obj, prop) in [
            (ROOT, Prop::from("map")),
            (ROOT, Prop::from("list")),
            (ROOT, Prop::from("absent")),
            (map.clone(), Prop::from("n")),
            (map.clone(), Prop::from("gone")),
            (map.clone(), Prop::from("text")),
            (map.clone(), Prop::from("absent")),
            (list.clone(), Prop::from(0)),
            (list.clone(), Prop::from(1)),
        ] {
            let expected = automerge::ReadDoc::get(&a, &obj, prop.clone()).unwrap();
            assert_eq!(
                reader.get(&obj, prop.clone()).unwrap(),
                expected,
                "{prop:?}"
            );
            // Asked again, from what was kept.
            assert_eq!(
                reader.get(&obj, prop.clone()).unwrap(),
                expected,
                "{prop:?}"
            );
        }
        assert_eq!(reader.text(&text).unwrap(), "垃圾堆放");
        // A map key on a list is the document's error, not a silent `None`.
        assert_eq!(
            reader.get(&list, "key").is_err(),
            automerge::ReadDoc::get(&a, &list, "key").is_err()
        );
    }
}
