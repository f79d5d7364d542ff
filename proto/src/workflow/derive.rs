//! The one pure function from a case's events to its state.
//!
//! Phone and server both call [`derive`], so they can never disagree about where a case
//! stands. It is deterministic for any set of events, whatever order they arrived in: events
//! are put in causal order with the fixed precedence table for true races and the event id as
//! the last tie-break ([`super::order`]), then applied one by one ([`CaseState::apply`]).

use std::collections::BTreeSet;

use super::deadline::DeadlinePolicy;
use super::event::WorkflowEvent;
use super::order::order;
use super::state::CaseState;
use crate::values::EventId;

/// Derives the state of a case from its workflow events.
pub fn derive(events: &[WorkflowEvent], policy: &DeadlinePolicy) -> CaseState {
    let mut state = CaseState::default();
    for ordered in order(events) {
        state.apply(ordered.event, ordered.broken);
    }
    state.settle_deadlines(policy);
    state
}

/// The heads of the event graph: events no other event follows. A new event follows these.
pub fn heads(events: &[WorkflowEvent]) -> Vec<EventId> {
    let followed: BTreeSet<EventId> = events
        .iter()
        .flat_map(|e| e.follows.iter().copied())
        .collect();
    let mut heads: Vec<EventId> = events
        .iter()
        .map(|e| e.id)
        .filter(|id| !followed.contains(id))
        .collect();
    heads.sort();
    heads.dedup();
    heads
}
