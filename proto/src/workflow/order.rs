//! The order in which events are applied: causal order first, then a fixed precedence table
//! for true races, then the event id.
//!
//! Events form a graph through `follows`. Any order the derivation uses is a topological order
//! of that graph, so an event is always applied after everything its author had seen. Among
//! events that are ready at the same time — events none of whose authors saw the others, a
//! true race — the one with the lower [`precedence`] goes first, and among equals the lower
//! event id. The result depends only on the set of events, never on the order they arrived in.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use super::action::ActionKind;
use super::event::WorkflowEvent;
use super::refusal::Refusal;
use crate::values::EventId;

/// The precedence of a step in a true race: lower goes first.
///
/// The principle: information is never lost to a race, and a step that keeps a case open or
/// sends it back wins over one that moves it on or ends it. So a progress note written while
/// someone else closed the case is still applied (it goes first); a failed verification
/// (reopen) beats a concurrent close; a return for more information beats a concurrent accept.
pub fn precedence(action: ActionKind) -> u8 {
    match action {
        ActionKind::Progress => 0,
        ActionKind::Report => 1,
        ActionKind::ReturnForMore | ActionKind::Reopen => 2,
        ActionKind::MarkDuplicate => 3,
        ActionKind::Grade => 4,
        ActionKind::Accept => 5,
        ActionKind::CheckIn => 6,
        ActionKind::SelfHandle
        | ActionKind::CallDepartment
        | ActionKind::Dispatch
        | ActionKind::ReverseDispatch => 7,
        ActionKind::Handled => 8,
        ActionKind::Verify => 9,
        ActionKind::Evaluate | ActionKind::RateSatisfaction => 10,
        ActionKind::Close => 11,
        ActionKind::Archive => 12,
    }
}

/// An event in application order, with a refusal if its place in the graph is broken.
#[derive(Debug)]
pub(crate) struct Ordered<'a> {
    pub event: &'a WorkflowEvent,
    pub broken: Option<Refusal>,
}

/// Orders events for application. Duplicate ids (possible only in forged input) are resolved
/// deterministically: the first in a total order of their contents is kept, the others are
/// returned refused.
pub(crate) fn order(events: &[WorkflowEvent]) -> Vec<Ordered<'_>> {
    let mut sorted: Vec<&WorkflowEvent> = events.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| total_cmp(a, b)));

    let mut out = Vec::with_capacity(sorted.len());
    let mut by_id: BTreeMap<EventId, &WorkflowEvent> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for event in sorted {
        match by_id.entry(event.id) {
            std::collections::btree_map::Entry::Occupied(_) => duplicates.push(event),
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(event);
            }
        }
    }

    // Graph: known parents counted, unknown ones noted as broken.
    let mut waiting_on: BTreeMap<EventId, usize> = BTreeMap::new();
    let mut children: BTreeMap<EventId, Vec<EventId>> = BTreeMap::new();
    let mut broken: BTreeMap<EventId, Refusal> = BTreeMap::new();
    for (id, event) in &by_id {
        let mut parents: Vec<EventId> = event.follows.clone();
        parents.sort();
        parents.dedup();
        let mut count = 0;
        for parent in parents {
            if parent == *id {
                broken.entry(*id).or_insert(Refusal::CausalCycle);
            } else if by_id.contains_key(&parent) {
                count += 1;
                children.entry(parent).or_default().push(*id);
            } else {
                broken
                    .entry(*id)
                    .or_insert(Refusal::UnknownPredecessor { event: parent });
            }
        }
        waiting_on.insert(*id, count);
    }

    let key = |e: &WorkflowEvent| Reverse((precedence(e.action.kind()), e.id));
    let mut ready: BinaryHeap<Reverse<(u8, EventId)>> = by_id
        .values()
        .filter(|e| waiting_on.get(&e.id) == Some(&0))
        .map(|e| key(e))
        .collect();

    while !waiting_on.is_empty() {
        let next = match ready.pop() {
            Some(Reverse((_, id))) => id,
            None => {
                // Only a cycle leaves events waiting with nothing ready: break it at the
                // event that would have gone first, and refuse it.
                let Some(id) = waiting_on
                    .keys()
                    .filter_map(|id| by_id.get(id))
                    .min_by_key(|e| (precedence(e.action.kind()), e.id))
                    .map(|e| e.id)
                else {
                    break;
                };
                broken.insert(id, Refusal::CausalCycle);
                id
            }
        };
        if waiting_on.remove(&next).is_none() {
            continue;
        }
        for child in children.get(&next).into_iter().flatten() {
            if let Some(count) = waiting_on.get_mut(child) {
                *count = count.saturating_sub(1);
                if *count == 0
                    && let Some(e) = by_id.get(child)
                {
                    ready.push(key(e));
                }
            }
        }
        if let Some(event) = by_id.get(&next) {
            out.push(Ordered {
                event,
                broken: broken.remove(&next),
            });
        }
    }
    out.extend(duplicates.into_iter().map(|event| Ordered {
        event,
        broken: Some(Refusal::DuplicateEventId),
    }));
    out
}

/// A total order on event contents, used only to break ties between forged duplicates.
fn total_cmp(a: &WorkflowEvent, b: &WorkflowEvent) -> std::cmp::Ordering {
    format!("{a:?}").cmp(&format!("{b:?}"))
}
