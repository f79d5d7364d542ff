//! A [`Shadow`] read as a document: autosurgeon's reads and the keys of a map, so that
//! [`CaseParts`](wangge_proto::case::CaseParts) reads a shadow exactly as it reads a case
//! document — the same code, the same values, the same problems.
//!
//! Some reads have no answer in the shadow (`map_range` and `list_range`, whose item types
//! only automerge can build; `parents`; odd requests such as the text of a map). They answer
//! empty and mark the reader: a caller checks [`ShadowReader::fell_short`] and, if set,
//! discards what it read and reads the document instead. The layout's types hydrate without
//! any of them (their collections are `Vec`s, read with `length` and `get`).

use std::borrow::Cow;
use std::cell::Cell;
use std::ops::RangeBounds;

use automerge::legacy::{ObjectId, OpId};
use automerge::{AutomergeError, ChangeHash, ObjId, ObjType, Prop};
use wangge_proto::case::CaseReader;

use super::{Shadow, Value};

/// Reads a shadow as autosurgeon reads a document.
#[derive(Debug)]
pub struct ShadowReader<'s> {
    shadow: &'s Shadow,
    fell_short: Cell<bool>,
}

impl<'s> ShadowReader<'s> {
    /// A reader of `shadow`.
    pub fn new(shadow: &'s Shadow) -> Self {
        Self {
            shadow,
            fell_short: Cell::new(false),
        }
    }

    /// Whether a read had no answer in the shadow: what was read is not to be trusted.
    pub fn fell_short(&self) -> bool {
        self.fell_short.get()
    }

    fn short(&self) {
        self.fell_short.set(true);
    }
}

/// The shadow's id of an object automerge names `obj`.
fn object(obj: &ObjId) -> ObjectId {
    match obj {
        ObjId::Root => ObjectId::Root,
        ObjId::Id(counter, actor, _) => ObjectId::Id(OpId(*counter, actor.clone())),
    }
}

/// Automerge's id of op `id` (the actor's index is for the document's own lookups: unused).
fn exported(id: &OpId) -> ObjId {
    ObjId::Id(id.0, id.1.clone(), 0)
}

fn value_of(value: &Value) -> automerge::Value<'static> {
    match value {
        Value::Object(kind) => automerge::Value::Object(*kind),
        Value::Scalar(scalar) => automerge::Value::Scalar(Cow::Owned(scalar.clone())),
    }
}

impl CaseReader for ShadowReader<'_> {
    fn keys_of(&self, obj: &ObjId) -> Vec<String> {
        let obj = object(obj);
        match self.shadow.object_type(&obj) {
            Some(ObjType::Map | ObjType::Table) => self
                .shadow
                .keys(&obj)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            _ => {
                self.short();
                Vec::new()
            }
        }
    }
}

impl autosurgeon::ReadDoc for ShadowReader<'_> {
    type Parents<'a>
        = std::iter::Empty<automerge::Parent>
    where
        Self: 'a;

    /// No heads: autosurgeon keeps them in a hydrated `Text` only to reconcile it later,
    /// which nothing read from a shadow does.
    fn get_heads(&self) -> Vec<ChangeHash> {
        Vec::new()
    }

    fn get<P: Into<Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(automerge::Value<'_>, ObjId)>, AutomergeError> {
        let id = object(obj);
        let Some(kind) = self.shadow.object_type(&id) else {
            return Err(AutomergeError::InvalidObjId(obj.to_string()));
        };
        let found = match (kind, prop.into()) {
            (ObjType::Map | ObjType::Table, Prop::Map(key)) => self.shadow.get(&id, &key),
            (ObjType::List, Prop::Seq(n)) => self.shadow.element(&id, n),
            _ => {
                self.short();
                None
            }
        };
        Ok(found.map(|(value, op)| (value_of(value), exported(&op))))
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<ObjType> {
        self.shadow.object_type(&object(obj.as_ref()))
    }

    fn map_range<'a, O, R>(&'a self, _obj: O, _range: R) -> automerge::iter::MapRange<'a>
    where
        R: RangeBounds<String> + 'a,
        O: AsRef<ObjId>,
        R: RangeBounds<String>,
    {
        self.short();
        automerge::iter::MapRange::default()
    }

    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(
        &self,
        _obj: O,
        _range: R,
    ) -> automerge::iter::ListRange<'_> {
        self.short();
        automerge::iter::ListRange::default()
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        let obj = object(obj.as_ref());
        match self.shadow.object_type(&obj) {
            Some(ObjType::Map | ObjType::Table) => self.shadow.keys(&obj).len(),
            Some(ObjType::List) => self.shadow.lengths(&obj).0,
            // Text is indexed by code point.
            Some(ObjType::Text) => self.shadow.lengths(&obj).1,
            None => 0,
        }
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, AutomergeError> {
        let obj = obj.as_ref();
        match self.shadow.text(&object(obj)) {
            Some(text) => Ok(text),
            None => {
                self.short();
                Err(AutomergeError::InvalidObjId(obj.to_string()))
            }
        }
    }

    fn parents<O: AsRef<ObjId>>(
        &self,
        _obj: O,
    ) -> Result<std::iter::Empty<automerge::Parent>, AutomergeError> {
        self.short();
        Ok(std::iter::empty())
    }

    fn is_empty(&self) -> bool {
        self.short();
        false
    }
}
