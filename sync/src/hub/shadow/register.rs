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
///
/// Almost every key holds one value, kept inline; only concurrent writes need a vector.
#[derive(Debug, Clone, Default)]
pub(super) enum Register {
    /// Nothing visible: the key was deleted (or the element).
    #[default]
    Empty,
    /// One visible value.
    One(Id, Value),
    /// Conflicting values, ascending by op id.
    Many(Vec<(Id, Value)>),
}

impl Register {
    /// An op with id `id` and predecessors `pred`: the predecessors stop being visible, and
    /// the op becomes visible unless it is a delete (`value` is `None`).
    pub(super) fn write(&mut self, id: Id, pred: &[Id], value: Option<Value>, actors: &Actors) {
        // The usual write: nothing else stays visible.
        let alone = match self {
            Self::Empty => true,
            Self::One(kept, _) => pred.contains(kept),
            Self::Many(_) => false,
        };
        if alone {
            *self = value.map_or(Self::Empty, |value| Self::One(id, value));
            return;
        }
        let mut visible = match std::mem::take(self) {
            Self::Empty => Vec::new(),
            Self::One(kept, old) => vec![(kept, old)],
            Self::Many(mut all) => {
                all.retain(|(kept, _)| !pred.contains(kept));
                all
            }
        };
        if let Some(value) = value {
            let at = visible.partition_point(|(kept, _)| actors.cmp(*kept, id).is_lt());
            visible.insert(at, (id, value));
        }
        *self = match visible.len() {
            0 => Self::Empty,
            1 => match visible.pop() {
                Some((id, value)) => Self::One(id, value),
                None => Self::Empty,
            },
            _ => Self::Many(visible),
        };
    }

    /// The value a reader sees, and the id of the op that put it.
    pub(super) fn winner(&self) -> Option<(&Value, Id)> {
        match self {
            Self::Empty => None,
            Self::One(id, value) => Some((value, *id)),
            Self::Many(all) => all.last().map(|(id, value)| (value, *id)),
        }
    }

    /// Every visible value, ascending by op id.
    pub(super) fn all(&self) -> Vec<(&Value, Id)> {
        match self {
            Self::Empty => Vec::new(),
            Self::One(id, value) => vec![(value, *id)],
            Self::Many(all) => all.iter().map(|(id, value)| (value, *id)).collect(),
        }
    }

    /// The bytes it holds on the heap (an estimate: what a conflict's vector reserved).
    pub(super) fn heap_bytes(&self) -> usize {
        match self {
            Self::Many(all) => all.capacity() * std::mem::size_of::<(Id, Value)>(),
            Self::Empty | Self::One(..) => 0,
        }
    }

    /// Whether nothing is visible (the key is absent, the element deleted).
    pub(super) fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }
}
