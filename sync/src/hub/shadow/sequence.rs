//! A list or text object: its elements in automerge's order, each with its own register.
//!
//! The elements are kept in document order, deleted ones included (a later insert may name
//! them). An element is inserted after another (or at the head): right after it, past every
//! element with a greater op id — automerge's RGA rule. Past those only: an element inserted
//! after one with a greater id has a greater id still (its author had seen that one), so the
//! run skipped is exactly the later-inserted siblings with everything inserted after them.

use super::id::{Actors, Id};
use super::register::{Register, Value};

/// One element and its values.
#[derive(Debug, Clone)]
struct Element {
    id: Id,
    register: Register,
}

/// A list or text object.
#[derive(Debug, Clone, Default)]
pub(super) struct Sequence {
    /// Every element ever inserted, in document order.
    elements: Vec<Element>,
}

/// Why an op does not fit the sequence.
#[derive(Debug)]
pub(super) enum Misplaced {
    /// It inserts after, or writes, an element the sequence does not have.
    UnknownElement,
    /// It inserts an element whose id is already taken.
    Duplicate,
}

impl Sequence {
    /// Where element `id` is. Searched from the end: typing inserts after the element typed
    /// just before.
    fn position(&self, id: Id) -> Option<usize> {
        self.elements.iter().rposition(|e| e.id == id)
    }

    /// Inserts element `id` holding `value` after `reference` (`None`: at the head).
    pub(super) fn insert(
        &mut self,
        reference: Option<Id>,
        id: Id,
        value: Value,
        actors: &Actors,
    ) -> Result<(), Misplaced> {
        if self.position(id).is_some() {
            return Err(Misplaced::Duplicate);
        }
        let mut at = match reference {
            None => 0,
            Some(reference) => self.position(reference).ok_or(Misplaced::UnknownElement)? + 1,
        };
        while self
            .elements
            .get(at)
            .is_some_and(|e| actors.cmp(e.id, id).is_gt())
        {
            at += 1;
        }
        let mut register = Register::default();
        register.write(id, &[], Some(value), actors);
        self.elements.insert(at, Element { id, register });
        Ok(())
    }

    /// An op on element `element` that is not an insert: a new value, or a delete.
    pub(super) fn write(
        &mut self,
        element: Id,
        id: Id,
        pred: &[Id],
        value: Option<Value>,
        actors: &Actors,
    ) -> Result<(), Misplaced> {
        let at = self.position(element).ok_or(Misplaced::UnknownElement)?;
        self.elements[at].register.write(id, pred, value, actors);
        Ok(())
    }

    /// The bytes it holds on the heap (an estimate: what its vectors reserved).
    pub(super) fn heap_bytes(&self) -> usize {
        let each: usize = self.elements.iter().map(|e| e.register.heap_bytes()).sum();
        self.elements.capacity() * std::mem::size_of::<Element>() + each
    }

    /// The visible elements in document order: each one's winning value and the id of the op
    /// that put it (the element's own id until something overwrites it).
    pub(super) fn visible(&self) -> impl Iterator<Item = (&Value, Id)> {
        self.elements.iter().filter_map(|e| e.register.winner())
    }
}
