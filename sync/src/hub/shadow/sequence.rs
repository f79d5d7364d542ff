//! A list or text object: its elements in automerge's order, each with its own register.
//!
//! An element is inserted after another (or at the head). Elements inserted after the same
//! one are ordered by descending op id, each followed by what was inserted after it: the
//! document order is the depth-first walk of that tree (RGA, as automerge orders a sequence).

use std::collections::HashMap;

use automerge::legacy::OpId;

use super::register::{Register, Value};

/// One element: what was inserted after it, and its values.
#[derive(Debug, Clone, Default)]
struct Element {
    /// Elements inserted right after this one, descending by op id.
    after: Vec<OpId>,
    register: Register,
}

/// A list or text object.
#[derive(Debug, Clone, Default)]
pub(super) struct Sequence {
    /// Elements inserted at the head, descending by op id.
    head: Vec<OpId>,
    elements: HashMap<OpId, Element>,
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
        reference: Option<&OpId>,
        id: OpId,
        value: Value,
    ) -> Result<(), Misplaced> {
        if self.elements.contains_key(&id) {
            return Err(Misplaced::Duplicate);
        }
        let siblings = match reference {
            None => &mut self.head,
            Some(reference) => {
                &mut self
                    .elements
                    .get_mut(reference)
                    .ok_or(Misplaced::UnknownElement)?
                    .after
            }
        };
        let at = siblings.partition_point(|sibling| *sibling > id);
        siblings.insert(at, id.clone());
        let mut register = Register::default();
        register.write(id.clone(), &[], Some(value));
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
        element: &OpId,
        id: OpId,
        pred: &[OpId],
        value: Option<Value>,
    ) -> Result<(), Misplaced> {
        let element = self
            .elements
            .get_mut(element)
            .ok_or(Misplaced::UnknownElement)?;
        element.register.write(id, pred, value);
        Ok(())
    }

    /// The visible elements in document order: each one's winning value and the id of the op
    /// that put it (the element's own id until something overwrites it).
    pub(super) fn visible(&self) -> Vec<(&Value, &OpId)> {
        let mut out = Vec::with_capacity(self.elements.len());
        // Depth first: the stack holds the ids still to visit, the next on top.
        let mut stack: Vec<&OpId> = self.head.iter().rev().collect();
        while let Some(id) = stack.pop() {
            let Some(element) = self.elements.get(id) else {
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
