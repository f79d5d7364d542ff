//! A list or text object: its elements in automerge's order, each with its own register.
//!
//! An element is inserted after another (or at the head). Elements inserted after the same
//! one are ordered by descending op id, each followed by what was inserted after it: the
//! document order is the depth-first walk of that tree (RGA, as automerge orders a sequence).

use std::collections::HashMap;

use super::id::{Actors, Id};
use super::register::{Register, Value};

/// One element: what was inserted after it, and its values.
#[derive(Debug, Clone, Default)]
struct Element {
    /// Elements inserted right after this one, descending by op id.
    after: Vec<Id>,
    register: Register,
}

/// A list or text object.
#[derive(Debug, Clone, Default)]
pub(super) struct Sequence {
    /// Elements inserted at the head, descending by op id.
    head: Vec<Id>,
    elements: HashMap<Id, Element>,
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
    /// Inserts element `id` holding `value` after `reference` (`None`: at the head).
    pub(super) fn insert(
        &mut self,
        reference: Option<Id>,
        id: Id,
        value: Value,
        actors: &Actors,
    ) -> Result<(), Misplaced> {
        if self.elements.contains_key(&id) {
            return Err(Misplaced::Duplicate);
        }
        let siblings = match reference {
            None => &mut self.head,
            Some(reference) => {
                &mut self
                    .elements
                    .get_mut(&reference)
                    .ok_or(Misplaced::UnknownElement)?
                    .after
            }
        };
        let at = siblings.partition_point(|sibling| actors.cmp(*sibling, id).is_gt());
        // Typing inserts each character after the one before: one sibling, rarely more.
        siblings.reserve_exact(1);
        siblings.insert(at, id);
        let mut register = Register::default();
        register.write(id, &[], Some(value), actors);
        let element = Element {
            after: Vec::new(),
            register,
        };
        self.elements.insert(id, element);
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
        let element = self
            .elements
            .get_mut(&element)
            .ok_or(Misplaced::UnknownElement)?;
        element.register.write(id, pred, value, actors);
        Ok(())
    }

    /// The bytes it holds on the heap (an estimate: what its tables and vectors reserved).
    pub(super) fn heap_bytes(&self) -> usize {
        let elements = self.elements.capacity() * std::mem::size_of::<(Id, Element)>();
        let each: usize = self
            .elements
            .values()
            .map(|e| e.after.capacity() * std::mem::size_of::<Id>() + e.register.heap_bytes())
            .sum();
        self.head.capacity() * std::mem::size_of::<Id>() + elements + each
    }

    /// The visible elements in document order: each one's winning value and the id of the op
    /// that put it (the element's own id until something overwrites it).
    pub(super) fn visible(&self) -> Vec<(&Value, Id)> {
        let mut out = Vec::with_capacity(self.elements.len());
        // Depth first: the stack holds the ids still to visit, the next on top.
        let mut stack: Vec<Id> = self.head.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            let Some(element) = self.elements.get(&id) else {
                continue;
            };
            if let Some(winner) = element.register.winner() {
                out.push(winner);
            }
            stack.extend(element.after.iter().rev());
        }
        out
    }
}
