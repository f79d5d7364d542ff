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
    /// Per actor number: the sequence number of its last change and its greatest op counter.
    last: Vec<(u64, u64)>,
}

/// Why a change does not follow its actor's last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OutOfSequence {
    /// Its sequence number is not the next one of its actor.
    Seq,
    /// Its ops do not come after its actor's earlier ones.
    Ops,
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
                self.last.push((0, 0));
                n
            }
        }
    }

    /// Records the change `seq` of actor number `actor` (from [`Actors::number`]), whose ops
    /// are `start_op` and the `ops - 1` after it: it must be the actor's next change, and its
    /// ops must come after the actor's earlier ones. Automerge refuses a repeated sequence
    /// number, and an honest actor's changes always follow each other like this; anything
    /// else is left to automerge.
    pub(super) fn follow(
        &mut self,
        actor: u32,
        seq: u64,
        start_op: u64,
        ops: usize,
    ) -> Result<(), OutOfSequence> {
        let Some(last) = usize::try_from(actor)
            .ok()
            .and_then(|n| self.last.get_mut(n))
        else {
            return Err(OutOfSequence::Seq);
        };
        if seq != last.0 + 1 {
            return Err(OutOfSequence::Seq);
        }
        if start_op <= last.1 {
            return Err(OutOfSequence::Ops);
        }
        let end = start_op.saturating_add(ops as u64).saturating_sub(1);
        *last = (seq, end.max(last.1));
        Ok(())
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
            + self.last.capacity() * std::mem::size_of::<(u64, u64)>()
    }
}
