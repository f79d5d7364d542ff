//! A shadow of a case document (ADR 0014): the visible state of every object — each map key
//! with its conflicting values, the elements of lists and texts in order — computed from the
//! ops of the changes alone, without automerge's op set.
//!
//! Applying changes to an automerge document is about half of what a validated merge costs
//! (ADR 0014's profile), while what validation and the query rows read of a case is a small
//! part of it. The shadow reproduces the part of automerge's semantics those reads depend on:
//! a key's visible ops resolved by op id, overwrites and deletes through `pred`, and the RGA
//! order of sequence elements. Anything outside that model (counter increments, marks, an op
//! on an object or element the shadow does not have) is [`Unsupported`], so a caller falls
//! back to the document instead of guessing.
//!
//! It also applies only what automerge would apply: a change must follow its actor's last
//! one (the next sequence number, ops after the actor's earlier ones) and name only ops of
//! actors it has met. A merge judged from the shadow keeps its changes aside unapplied
//! (`lazy_doc.rs`), so a change the shadow took that automerge refused would be stored.
//!
//! A property test (`tests.rs`) holds the shadow equal to automerge on random concurrent
//! edits by several actors delivered in random orders.

#[cfg(test)]
mod case_reads;
mod id;
mod reader;
mod register;
mod sequence;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};

use automerge::{AutoCommit, ExpandedChange, ObjType};
use id::{Actors, Id, OutOfSequence};

pub use reader::ShadowReader;
use register::Register;
pub use register::Value;
use sequence::{Misplaced, Sequence};

/// An op the shadow cannot reproduce: the caller uses the document instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the shadow cannot follow op {op}: {reason}")]
pub struct Unsupported {
    /// The op, as `counter@actor`.
    pub op: String,
    /// Why.
    pub reason: &'static str,
}

/// The content of one object.
#[derive(Debug, Clone)]
enum Content {
    Map(BTreeMap<String, Register>),
    Sequence(Sequence),
}

/// An object: the root (`None`), or the one op `Some(id)` made.
type Obj = Option<Id>;

/// One object: its type, where it was made, and its content.
#[derive(Debug, Clone)]
struct Object {
    kind: ObjType,
    /// The object it was made in and the step under which; `None` for the root.
    made_under: Option<(Obj, PathStep)>,
    content: Content,
}

impl Object {
    fn new(kind: ObjType, made_under: Option<(Obj, PathStep)>) -> Self {
        let content = match kind {
            ObjType::Map | ObjType::Table => Content::Map(BTreeMap::new()),
            ObjType::List | ObjType::Text => Content::Sequence(Sequence::default()),
        };
        Self {
            kind,
            made_under,
            content,
        }
    }
}

/// Where an op wrote, borrowed from it (a [`PathStep`] is made of it only for an op that
/// makes an object).
enum Step<'o> {
    Key(&'o str),
    Element,
}

/// One step of an object's path (see [`Shadow::path`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// Under this key of a map.
    Key(String),
    /// Under an element of a list or text.
    Element,
}

/// The visible state of a document, kept up to date change by change.
///
/// After [`Shadow::apply`] fails the shadow is left part-way through the change: drop it.
#[derive(Debug, Clone)]
pub struct Shadow {
    actors: Actors,
    objects: HashMap<Obj, Object>,
}

impl Default for Shadow {
    fn default() -> Self {
        Self::new()
    }
}

impl Shadow {
    /// The shadow of an empty document.
    pub fn new() -> Self {
        let mut objects = HashMap::new();
        objects.insert(None, Object::new(ObjType::Map, None));
        Self {
            actors: Actors::default(),
            objects,
        }
    }

    /// The shadow of everything `doc` holds.
    pub fn of(doc: &mut AutoCommit) -> Result<Self, Unsupported> {
        let mut shadow = Self::new();
        for change in doc.get_changes(&[]) {
            shadow.apply(&change.decode())?;
        }
        Ok(shadow)
    }

    /// Applies `change`, whose dependencies are all applied already.
    ///
    /// Only what automerge itself would apply is applied: a change that does not follow its
    /// actor's last one, or names an op of an actor the shadow has not met, is unsupported
    /// too, so that automerge judges it.
    pub fn apply(&mut self, change: &ExpandedChange) -> Result<(), Unsupported> {
        let author = self.actors.number(&change.actor_id);
        self.actors
            .follow(
                author,
                change.seq,
                change.start_op.get(),
                change.operations.len(),
            )
            .map_err(|out| Unsupported {
                op: format!("{}@{}", change.start_op, change.actor_id),
                reason: match out {
                    OutOfSequence::Seq => "its change does not follow its actor's last one",
                    OutOfSequence::Ops => "its change repeats op ids of its actor",
                },
            })?;
        for (n, op) in change.operations.iter().enumerate() {
            let counter = change.start_op.get() + n as u64;
            let unsupported = |reason| Unsupported {
                op: format!("{counter}@{}", change.actor_id),
                reason,
            };
            let id = Actors::id(counter, author);
            let value = match &op.action {
                OpType::Put(scalar) => Some(Value::Scalar(scalar.clone())),
                OpType::Make(kind) => Some(Value::Object(*kind)),
                OpType::Delete => None,
                OpType::Increment(_) => return Err(unsupported("a counter increment")),
                OpType::MarkBegin(_) | OpType::MarkEnd(_) => return Err(unsupported("a mark")),
            };
            // A predecessor by an actor the document never met: automerge cannot place it.
            let pred = op
                .pred
                .iter()
                .map(|p| self.actors.find(p))
                .collect::<Option<Vec<Id>>>()
                .ok_or_else(|| unsupported("a predecessor's actor is unknown"))?;
            let obj = self
                .obj(&op.obj)
                .ok_or_else(|| unsupported("its object is unknown"))?;
            let actors = &self.actors;
            let object = self
                .objects
                .get_mut(&obj)
                .ok_or_else(|| unsupported("its object is unknown"))?;
            let made = match &value {
                Some(Value::Object(kind)) => Some(*kind),
                _ => None,
            };
            let step = match (&mut object.content, &op.key, op.insert) {
                (Content::Map(keys), Key::Map(key), false) => {
                    match keys.get_mut(key.as_str()) {
                        Some(register) => register.write(id, &pred, value, actors),
                        None => {
                            let mut register = Register::default();
                            register.write(id, &pred, value, actors);
                            keys.insert(key.to_string(), register);
                        }
                    }
                    Step::Key(key)
                }
                (Content::Sequence(sequence), Key::Seq(reference), true) => {
                    let value = value.ok_or_else(|| unsupported("it inserts a delete"))?;
                    let reference = match reference {
                        ElementId::Head => None,
                        ElementId::Id(element) => {
                            Some(actors.find(element).ok_or_else(|| {
                                unsupported(misplaced(&Misplaced::UnknownElement))
                            })?)
                        }
                    };
                    sequence
                        .insert(reference, id, value, actors)
                        .map_err(|m| unsupported(misplaced(&m)))?;
                    Step::Element
                }
                (Content::Sequence(sequence), Key::Seq(ElementId::Id(element)), false) => {
                    let element = actors
                        .find(element)
                        .ok_or_else(|| unsupported(misplaced(&Misplaced::UnknownElement)))?;
                    sequence
                        .write(element, id, &pred, value, actors)
                        .map_err(|m| unsupported(misplaced(&m)))?;
                    Step::Element
                }
                _ => return Err(unsupported("its key does not fit its object")),
            };
            if let Some(kind) = made {
                let step = match step {
                    Step::Key(key) => PathStep::Key(key.to_string()),
                    Step::Element => PathStep::Element,
                };
                let object = Object::new(kind, Some((obj, step)));
                if self.objects.insert(Some(id), object).is_some() {
                    return Err(unsupported("it makes an object twice"));
                }
            }
        }
        Ok(())
    }

    /// The shadow's name for object `obj`, if it can have it.
    fn obj(&self, obj: &ObjectId) -> Option<Obj> {
        match obj {
            ObjectId::Root => Some(None),
            ObjectId::Id(op) => self.actors.find(op).map(Some),
        }
    }

    fn object(&self, obj: &ObjectId) -> Option<&Object> {
        self.objects.get(&self.obj(obj)?)
    }

    /// The bytes the shadow holds on the heap: an estimate from what its tables and vectors
    /// reserved (the allocator's own overhead is not counted), for the hub's cache budget.
    pub fn heap_bytes(&self) -> usize {
        let table = self.objects.capacity() * std::mem::size_of::<(Obj, Object)>();
        let objects: usize = self
            .objects
            .values()
            .map(|object| {
                let step = match &object.made_under {
                    Some((_, PathStep::Key(key))) => key.capacity(),
                    _ => 0,
                };
                step + match &object.content {
                    Content::Map(keys) => keys
                        .iter()
                        .map(|(key, register)| {
                            // A B-tree entry: the key, the register, and a share of its node.
                            key.capacity()
                                + std::mem::size_of::<(String, Register)>() * 3 / 2
                                + register.heap_bytes()
                        })
                        .sum(),
                    Content::Sequence(sequence) => sequence.heap_bytes(),
                }
            })
            .sum();
        self.actors.heap_bytes() + table + objects
    }

    /// The type of object `obj`, if the shadow has it.
    pub fn object_type(&self, obj: &ObjectId) -> Option<ObjType> {
        self.object(obj).map(|o| o.kind)
    }

    /// Where object `obj` was made: the step under which each object holds the next, nearest
    /// first, ending with the top-level key — as automerge's `parents` gives them, an element
    /// of a sequence not being counted by index. `None` if the shadow has no such object; empty
    /// for the root.
    pub fn path(&self, obj: &ObjectId) -> Option<Vec<PathStep>> {
        let mut steps = Vec::new();
        let mut at = self.object(obj)?;
        while let Some((parent, step)) = &at.made_under {
            steps.push(step.clone());
            at = self.objects.get(parent)?;
        }
        Some(steps)
    }

    /// The value a reader sees at `key` of map `obj`, and the id of the op that put it.
    pub fn get(&self, obj: &ObjectId, key: &str) -> Option<(&Value, OpId)> {
        let (value, id) = self.register(obj, key)?.winner()?;
        Some((value, self.actors.op(id)))
    }

    /// Every visible value at `key` of map `obj` (the winner last), with their op ids.
    pub fn get_all(&self, obj: &ObjectId, key: &str) -> Vec<(&Value, OpId)> {
        self.register(obj, key)
            .map(|r| {
                r.all()
                    .into_iter()
                    .map(|(value, id)| (value, self.actors.op(id)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The keys of map `obj` that hold a value, in order.
    pub fn keys(&self, obj: &ObjectId) -> Vec<&str> {
        match self.object(obj).map(|o| &o.content) {
            Some(Content::Map(keys)) => keys
                .iter()
                .filter(|(_, register)| !register.is_empty())
                .map(|(key, _)| key.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The visible elements of list or text `obj`, in order: each one's winning value and the
    /// id of the op that put it (as automerge's `get` on a list gives them).
    pub fn elements(&self, obj: &ObjectId) -> Vec<(&Value, OpId)> {
        match self.object(obj).map(|o| &o.content) {
            Some(Content::Sequence(sequence)) => sequence
                .visible()
                .map(|(value, id)| (value, self.actors.op(id)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Visible element `n` of list or text `obj` (see [`Shadow::elements`]).
    pub fn element(&self, obj: &ObjectId, n: usize) -> Option<(&Value, OpId)> {
        match &self.object(obj)?.content {
            Content::Sequence(sequence) => {
                let (value, id) = sequence.visible().nth(n)?;
                Some((value, self.actors.op(id)))
            }
            Content::Map(_) => None,
        }
    }

    /// The number of visible elements of list or text `obj`, and of the code points of its
    /// strings (a text's length as automerge counts it; an element that is not a string counts
    /// one).
    pub fn lengths(&self, obj: &ObjectId) -> (usize, usize) {
        match self.object(obj).map(|o| &o.content) {
            Some(Content::Sequence(sequence)) => {
                sequence
                    .visible()
                    .fold((0, 0), |(elements, chars), (value, _)| {
                        let n = match value {
                            Value::Scalar(automerge::ScalarValue::Str(s)) => s.chars().count(),
                            _ => 1,
                        };
                        (elements + 1, chars + n)
                    })
            }
            _ => (0, 0),
        }
    }

    /// Text object `obj` as a string (`None` if it is not a text, or holds something other
    /// than strings).
    pub fn text(&self, obj: &ObjectId) -> Option<String> {
        let object = self.object(obj)?;
        let Content::Sequence(sequence) = &object.content else {
            return None;
        };
        if object.kind != ObjType::Text {
            return None;
        }
        let mut text = String::new();
        for (value, _) in sequence.visible() {
            match value {
                Value::Scalar(automerge::ScalarValue::Str(s)) => text.push_str(s),
                _ => return None,
            }
        }
        Some(text)
    }

    fn register(&self, obj: &ObjectId, key: &str) -> Option<&Register> {
        match &self.object(obj)?.content {
            Content::Map(keys) => keys.get(key),
            Content::Sequence(_) => None,
        }
    }
}

fn misplaced(misplaced: &Misplaced) -> &'static str {
    match misplaced {
        Misplaced::UnknownElement => "its element is unknown",
        Misplaced::Duplicate => "it inserts an element that exists",
    }
}
