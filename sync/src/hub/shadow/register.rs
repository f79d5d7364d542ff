//! One map key, or one element of a list or text: the ops on it that nothing has overwritten
//! or deleted yet, and which of them a reader sees.

use automerge::ObjType;
use automerge::ScalarValue;

use super::id::{Actors, Id};

/// What an op puts: a scalar, or a new object (whose id is the op's own id).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar.
    Scalar(ScalarValue),
    /// A new object of this type.
    Object(ObjType),
}

/// The visible ops of one key, ascending by op id. Automerge shows the last (the greatest op
/// id) and keeps the others as conflicts.
#[derive(Debug, Clone, Default)]
pub(super) struct Register {
    visible: Vec<(Id, Value)>,
}

impl Register {
    /// An op with id `id` and predecessors `pred`: the predecessors stop being visible, and
    /// the op becomes visible unless it is a delete (`value` is `None`).
    pub(super) fn write(&mut self, id: Id, pred: &[Id], value: Option<Value>, actors: &Actors) {
        self.visible.retain(|(visible, _)| !pred.contains(visible));
        if let Some(value) = value {
            // Almost every key holds one value: reserve for one, not for the four a vector
            // grows to first.
            self.visible.reserve_exact(1);
            let at = self
                .visible
                .partition_point(|(visible, _)| actors.cmp(*visible, id).is_lt());
            self.visible.insert(at, (id, value));
        }
    }

    /// The value a reader sees, and the id of the op that put it.
    pub(super) fn winner(&self) -> Option<(&Value, Id)> {
        self.visible.last().map(|(id, value)| (value, *id))
    }

    /// Every visible value, ascending by op id.
    pub(super) fn all(&self) -> impl Iterator<Item = (&Value, Id)> {
        self.visible.iter().map(|(id, value)| (value, *id))
    }

    /// The bytes it holds on the heap (an estimate: what its vector reserved).
    pub(super) fn heap_bytes(&self) -> usize {
        self.visible.capacity() * std::mem::size_of::<(Id, Value)>()
    }

    /// Whether nothing is visible (the key is absent, the element deleted).
    pub(super) fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }
}
