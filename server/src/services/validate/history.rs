//! The workflow states an upload is judged against, derived as few times as possible.
//!
//! Status is a pure function of the events ([`derive`]), so "what status was the case in" is a
//! question about a set of events. Two sets matter:
//!
//! - a new workflow step is judged in the state its author had seen: the events it `follows`
//!   and everything they follow. That is what the phone checked before writing the step, so an
//!   honest step always passes, and a step that lost a race to a concurrent one is still
//!   accepted (the derivation keeps it, refused, for the audit trail);
//! - a field edit is judged in the status the server knows: the stored events plus the
//!   upload's own events that the edit's change descends from (so a department that checks in
//!   and then adds photos offline, in one upload, is judged as handling).
//!
//! The stored state is derived once per upload; every other state is derived once per distinct
//! set and cached. A typical upload (field edits only, or steps taken on an up-to-date phone)
//! derives nothing beyond the stored state.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use automerge::ChangeHash;
use wangge_proto::values::EventId;
use wangge_proto::workflow::{
    CaseState, DeadlinePolicy, Refusal, Status, WorkflowEvent, derive, heads,
};

/// Every event known while reviewing one upload, and the states derived from them.
pub struct History {
    events: Vec<WorkflowEvent>,
    by_id: HashMap<EventId, usize>,
    stored: usize,
    stored_heads: Vec<EventId>,
    stored_state: CaseState,
    /// States by the sorted, deduplicated `follows` that led to them.
    seen: HashMap<Vec<EventId>, CaseState>,
    /// Statuses by the set of the upload's events added to the stored ones.
    statuses: HashMap<Rc<[EventId]>, Status>,
    policy: DeadlinePolicy,
}

impl History {
    /// Starts from the stored events (none for a new case).
    pub fn new(stored: Vec<WorkflowEvent>) -> Self {
        // Deadlines do not change the status or the guards; the defaults do.
        let policy = DeadlinePolicy::default();
        let stored_state = derive(&stored, &policy);
        let stored_heads = heads(&stored);
        let by_id = stored.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
        Self {
            stored: stored.len(),
            events: stored,
            by_id,
            stored_heads,
            stored_state,
            seen: HashMap::new(),
            statuses: HashMap::new(),
            policy,
        }
    }

    /// Adds an accepted event of the upload.
    pub fn add(&mut self, event: WorkflowEvent) {
        self.by_id.insert(event.id, self.events.len());
        self.events.push(event);
    }

    /// The state derived from `follows` and everything they follow. Refuses a `follows` that
    /// names an event neither stored nor accepted earlier in the upload.
    pub fn seen(&mut self, follows: &[EventId]) -> Result<&CaseState, Refusal> {
        let mut key = follows.to_vec();
        key.sort();
        key.dedup();
        if let Some(unknown) = key.iter().find(|id| !self.by_id.contains_key(id)) {
            return Err(Refusal::UnknownPredecessor { event: *unknown });
        }
        if key == self.stored_heads {
            // The stored heads and what they follow: the stored events.
            return Ok(&self.stored_state);
        }
        let state = match self.seen.entry(key) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let past = past(&self.events, &self.by_id, entry.key());
                entry.insert(derive(&past, &self.policy))
            }
        };
        Ok(state)
    }

    /// The status with the stored events and the upload's events `new`.
    pub fn status_with(&mut self, new: &Rc<[EventId]>) -> Status {
        if new.is_empty() {
            return self.stored_state.status;
        }
        if let Some(status) = self.statuses.get(new) {
            return *status;
        }
        let mut events = self.events[..self.stored].to_vec();
        events.extend(
            new.iter()
                .filter_map(|id| self.by_id.get(id).and_then(|i| self.events.get(*i)))
                .cloned(),
        );
        let status = derive(&events, &self.policy).status;
        self.statuses.insert(Rc::clone(new), status);
        status
    }
}

/// `heads` and every event they follow, transitively.
fn past(
    events: &[WorkflowEvent],
    by_id: &HashMap<EventId, usize>,
    heads: &[EventId],
) -> Vec<WorkflowEvent> {
    let mut visited: HashSet<EventId> = HashSet::new();
    let mut stack: Vec<EventId> = heads.to_vec();
    let mut past = Vec::new();
    while let Some(id) = stack.pop() {
        if !visited.insert(id) {
            continue;
        }
        if let Some(event) = by_id.get(&id).and_then(|i| events.get(*i)) {
            stack.extend(event.follows.iter().copied());
            past.push(event.clone());
        }
    }
    past
}

/// For each change of the upload, the upload's events it descends from (its own included).
#[derive(Default)]
pub struct Lineage {
    index: HashMap<ChangeHash, usize>,
    seen: Vec<Rc<[EventId]>>,
}

impl Lineage {
    /// The upload's events the change with these `deps` descends from (not its own).
    pub fn before(&self, deps: &[ChangeHash]) -> Rc<[EventId]> {
        let mut parents = deps.iter().filter_map(|d| self.index.get(d));
        let Some(first) = parents.next() else {
            return Rc::from([]);
        };
        let mut union: Option<Vec<EventId>> = None;
        for other in parents {
            let merged = union.get_or_insert_with(|| self.seen[*first].to_vec());
            merged.extend(self.seen[*other].iter().copied());
        }
        match union {
            None => Rc::clone(&self.seen[*first]),
            Some(mut merged) => {
                merged.sort();
                merged.dedup();
                Rc::from(merged)
            }
        }
    }

    /// Records change number `change` (they come in causal order), descending from `before`
    /// and writing the events `own`; returns what it descends from, its own events included.
    pub fn record(
        &mut self,
        hash: ChangeHash,
        before: Rc<[EventId]>,
        own: &[EventId],
    ) -> Rc<[EventId]> {
        let seen = if own.is_empty() {
            before
        } else {
            let mut all = before.to_vec();
            all.extend_from_slice(own);
            all.sort();
            all.dedup();
            Rc::from(all)
        };
        self.index.insert(hash, self.seen.len());
        self.seen.push(Rc::clone(&seen));
        seen
    }
}
