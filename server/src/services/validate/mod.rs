//! The validated merge's rules: what each author may change in a case, checked op by op
//! before the hub accepts an upload.
//!
//! The hub ([`wangge_sync::hub`]) has already checked that the changes load, have no orphans,
//! are made by actors bound to the uploading device (or relayed with their device's
//! signature), belong to this case, and that uploader and authors have the case in scope.
//! [`PermissionPolicy`] checks *what* changed, one change at a time, against its own author:
//!
//! 1. every op is placed in the layout ([`paths`]): ops under unknown top-level keys, or that
//!    make objects inside lists or texts, are refused;
//! 2. the first change of a new case is the creation: the author's role may register cases and
//!    the registration data (`origin`) names the author; it may write every part;
//! 3. every other change: parts made with the case are never replaced whole, a department
//!    handler writes only their own department's section, and each field touched must be
//!    editable by the author's role in the case's status ([`fields`]);
//! 4. `events` is append-only: only new entries, each filled in by the change that makes it;
//!    each new event names its author as actor, role and device, a department handler's names
//!    their own department, it follows only known events, and the workflow allows it in the
//!    state its author had seen ([`events`], [`history`]);
//! 5. every part the upload wrote fits the layout, unless it already did not in the stored
//!    case; a new case is read whole ([`layout`]).
//!
//! The first refusal refuses the whole upload of the case; the phone keeps the edits aside and
//! shows the reason ([`refusals`]). The work is linear in the number of ops: each change is
//! decoded once, each object placed once, the stored state derived once, and only the parts
//! written are read back.

mod events;
mod fields;
mod history;
mod layout;
mod paths;
pub mod refusals;

use std::rc::Rc;

use automerge::legacy::OpId;
use wangge_proto::case::LayoutProblem;
use wangge_proto::values::EventId;
use wangge_proto::workflow::WorkflowEvent;
use wangge_sync::hub::{Policy, ReadCase, Rejection, UploadCheck};

use events::Ledger;
use fields::Touched;
use history::{History, Lineage};
use layout::Parts;
use paths::{Resolver, Root, Unplaced};

/// The server's [`Policy`]: the permission matrix, the workflow and the layout, applied to
/// every uploaded change (see the module documentation for the rules).
#[derive(Debug, Clone, Copy, Default)]
pub struct PermissionPolicy;

impl PermissionPolicy {
    /// The policy. It holds no state: everything it judges by is in the upload and in
    /// `wangge_proto` (the matrix, the workflow, the layout).
    pub fn new() -> Self {
        Self
    }
}

impl Policy for PermissionPolicy {
    fn check(&self, upload: &UploadCheck<'_>) -> Result<(), Rejection> {
        review(upload)
    }
}

/// Reviews one upload, change by change.
fn review(upload: &UploadCheck<'_>) -> Result<(), Rejection> {
    let after = upload.after;
    // A new case is read whole (it is small, and its registration data is needed); a stored
    // one only where the upload wrote.
    let created = match upload.before {
        None => Some(after.read().map_err(|e| layout::unreadable(&e))?),
        Some(_) => None,
    };
    // The stored events as the hub read them with the stored case (none for a new one).
    let mut history = History::new(upload.stored_events.to_vec());
    let mut paths = Resolver::new(after);
    let mut ledger = Ledger::new(upload.before);
    let mut lineage = Lineage::default();
    let mut parts = Parts::default();

    for (index, authored) in upload.changes.iter().enumerate() {
        let author = &authored.author;
        let creation = index == 0 && created.is_some();
        if let (true, Some(view)) = (creation, &created) {
            fields::check_creation(&view.origin, author)?;
        }
        let change = &authored.decoded;
        let mut touched = Touched::default();
        for (n, op) in change.operations.iter().enumerate() {
            let id = || OpId::new(change.start_op.get() + n as u64, &change.actor_id);
            let target = paths.place(op, id, index).map_err(unplaced)?;
            if target.root == Root::Events {
                ledger.op(index, creation, &target, op)?;
            } else if !creation {
                fields::op(&target, author, &mut touched)?;
                parts.add(&target);
            }
        }

        let mut own = Vec::new();
        for key in ledger.take_pending() {
            let event = new_event(after, upload.after_events, &key)?;
            events::check(&event, author, &mut history)?;
            own.push(event.id);
        }
        let before = lineage.before(&change.deps);
        let seen = lineage.record(authored.change.hash(), Rc::clone(&before), &own);
        if !creation {
            let status = history.status_with(&before);
            fields::check(&touched, author.role, status, || {
                (!own.is_empty()).then(|| history.status_with(&seen))
            })?;
        }
    }
    match &created {
        Some(view) => layout::check_new(&view.problems),
        None => parts.check(after, upload.before),
    }
}

/// The new event at `events/<key>` as the merged document holds it: among the events the hub
/// read (those that validate), or else read here for the reason it does not validate.
fn new_event(
    after: &ReadCase<'_>,
    valid: &[WorkflowEvent],
    key: &str,
) -> Result<WorkflowEvent, Rejection> {
    if let Ok(id) = key.parse::<EventId>()
        && let Some(event) = valid.iter().find(|e| e.id == id && e.id.to_string() == key)
    {
        return Ok(event.clone());
    }
    match after.event(key) {
        Ok(Some(event)) => Ok(event),
        Ok(None) => Err(refusals::layout(&LayoutProblem {
            path: format!("events/{key}"),
            message: "not a workflow event".into(),
        })),
        Err(problem) => Err(refusals::layout(&problem)),
    }
}

fn unplaced(unplaced: Unplaced) -> Rejection {
    match unplaced {
        Unplaced::UnknownKey(key) => refusals::unknown_field(&key),
        Unplaced::UnknownObject => refusals::layout(&LayoutProblem {
            path: "/".into(),
            message: "an edit names an object the case does not hold".into(),
        }),
        Unplaced::ObjectInSequence(root) => refusals::layout(&LayoutProblem {
            path: root.key().into(),
            message: "an object inside a list or a text".into(),
        }),
    }
}
