//! Op ids as the shadow keeps them: the counter and the actor's place in the shadow's own
//! table of actors — 16 bytes instead of automerge's 40, for the one id every key, value and
//! text character carries.

use std::cmp::Ordering;
use std::collections::HashMap;

use automerge::ActorId;
use automerge::legacy::OpId;

/// An op id: its counter and its actor's number in [`Actors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Id {
    counter: u64,
    actor: u32,
}

/// The actors a shadow has met, numbered in the order it met them.
#[derive(Debug, Clone, Default)]
pub(super) struct Actors {
    list: Vec<ActorId>,
    numbers: HashMap<ActorId, u32>,
}

impl Actors {
    /// The number of `actor`, numbering it if it is new.
    pub(super) fn number(&mut self, actor: &ActorId) -> u32 {
        match self.numbers.get(actor) {
            Some(n) => *n,
            None => {
                let n = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
                self.list.push(actor.clone());
                self.numbers.insert(actor.clone(), n);
                n
            }
        }
    }

    /// The id of op `counter` of actor number `actor` (from [`Actors::number`]).
    pub(super) fn id(counter: u64, actor: u32) -> Id {
        Id { counter, actor }
    }

    /// The id of `op`, if its actor is known (else no op of the shadow has it).
    pub(super) fn find(&self, op: &OpId) -> Option<Id> {
        let actor = *self.numbers.get(&op.1)?;
        Some(Id {
            counter: op.0,
            actor,
        })
    }

    /// `id` as automerge names it.
    pub(super) fn op(&self, id: Id) -> OpId {
        let actor = usize::try_from(id.actor)
            .ok()
            .and_then(|n| self.list.get(n))
            .cloned()
            .unwrap_or_else(|| ActorId::from(&[][..]));
        OpId(id.counter, actor)
    }

    /// Automerge's order of op ids: by counter, then by actor.
    pub(super) fn cmp(&self, a: Id, b: Id) -> Ordering {
        a.counter.cmp(&b.counter).then_with(|| {
            let actor = |id: Id| {
                usize::try_from(id.actor)
                    .ok()
                    .and_then(|n| self.list.get(n))
            };
            actor(a).cmp(&actor(b))
        })
    }

    /// The bytes it holds on the heap (an estimate).
    pub(super) fn heap_bytes(&self) -> usize {
        self.list.capacity() * std::mem::size_of::<ActorId>()
            + self.numbers.capacity() * std::mem::size_of::<(ActorId, u32)>()
    }
}
