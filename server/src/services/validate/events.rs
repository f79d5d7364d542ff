//! Workflow events are append-only, written by their own author, and allowed by the
//! workflow in the state that author had seen.
//!
//! Two parts: [`Ledger::op`] looks at every op under `events` and allows only the making of a
//! new entry, and writes inside an entry made by the same change; [`check`] then looks at each
//! new event as the merged document holds it — who it claims made it, what it follows, which
//! department it names — and asks the workflow whether that step was allowed.

use std::collections::HashMap;
use std::rc::Rc;

use automerge::ObjType;
use automerge::legacy::{Op, OpType};
use wangge_proto::Role;
use wangge_proto::case::LayoutProblem;
use wangge_proto::values::DepartmentCode;
use wangge_proto::workflow::{Action, WorkflowEvent};
use wangge_sync::hub::{ActorRecord, ReadCase, Rejection};

use super::fields::own_department;
use super::history::History;
use super::paths::{Level, Target};
use super::refusals;

/// The entries of `events` made by the upload.
pub struct Ledger<'d> {
    /// The stored case, to tell new keys of `events` from existing ones.
    stored: Option<&'d ReadCase<'d>>,
    /// New entries, by key, with the change that made each.
    made: HashMap<Rc<str>, usize>,
    /// New entries of the change being reviewed, in order.
    pending: Vec<Rc<str>>,
}

impl<'d> Ledger<'d> {
    /// A ledger over the stored case (`None` for a new case).
    pub fn new(stored: Option<&'d ReadCase<'d>>) -> Self {
        Self {
            stored,
            made: HashMap::new(),
            pending: Vec::new(),
        }
    }

    /// Checks one op under `events`, made by change number `change`.
    pub fn op(
        &mut self,
        change: usize,
        creation: bool,
        target: &Target,
        op: &Op,
    ) -> Result<(), Rejection> {
        match target.level {
            // Only the creation writes the `events` key itself.
            Level::Root if creation => Ok(()),
            Level::Root => Err(refusals::event_rewritten()),
            Level::Container => {
                let Some(key) = &target.entry else {
                    return Err(not_an_event("events"));
                };
                let fresh = op.pred.is_empty()
                    && !self.made.contains_key(key)
                    && !self.is_stored(key)
                    && !matches!(op.action, OpType::Delete);
                if !fresh {
                    return Err(refusals::event_rewritten());
                }
                if op.action != OpType::Make(ObjType::Map) {
                    return Err(not_an_event(&format!("events/{key}")));
                }
                self.made.insert(Rc::clone(key), change);
                self.pending.push(Rc::clone(key));
                Ok(())
            }
            // Filling in an entry is part of making it: the same change, into objects it made.
            Level::Inside { made_in } => {
                let made_with_entry = target
                    .entry
                    .as_ref()
                    .and_then(|key| self.made.get(key))
                    .is_some_and(|made| *made == change);
                if made_in == Some(change) && made_with_entry {
                    Ok(())
                } else {
                    Err(refusals::event_rewritten())
                }
            }
        }
    }

    /// The keys of the entries the change just reviewed made, in order.
    pub fn take_pending(&mut self) -> Vec<Rc<str>> {
        std::mem::take(&mut self.pending)
    }

    fn is_stored(&self, key: &str) -> bool {
        self.stored.is_some_and(|case| case.holds("events", key))
    }
}

fn not_an_event(path: &str) -> Rejection {
    refusals::layout(&LayoutProblem {
        path: path.to_owned(),
        message: "not a workflow event".into(),
    })
}

/// Checks a new event made by `author`, then adds it to `history`.
pub fn check(
    event: &WorkflowEvent,
    author: &ActorRecord,
    history: &mut History,
) -> Result<(), Rejection> {
    let kind = event.action.kind();
    if (event.actor, event.role, event.device) != (author.user, author.role, author.device) {
        return Err(refusals::event_impersonation(kind));
    }
    if author.role == Role::DepartmentHandler
        && let Some(named) = department_named(&event.action)
    {
        let own = own_department(author);
        if own != Some(named) {
            return Err(refusals::wrong_department(named, own));
        }
    }
    let seen = history
        .seen(&event.follows)
        .map_err(|refusal| refusals::event_unknown_predecessor(&refusal))?;
    seen.check(event.role, &event.action)
        .map_err(|refusal| refusals::forbidden_action(kind, &refusal))?;
    history.add(event.clone());
    Ok(())
}

/// The department a step is taken for, where the step names one.
fn department_named(action: &Action) -> Option<&DepartmentCode> {
    match action {
        Action::CheckIn { department }
        | Action::Handled {
            department: Some(department),
            ..
        }
        | Action::Evaluate { department, .. } => Some(department),
        _ => None,
    }
}
