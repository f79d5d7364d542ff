//! Workflow as append-only events, and the derived state of a case.
//!
//! Status is never a field anyone writes: two people offline could both write it and
//! automerge would pick a winner by actor id, which has nothing to do with who should win.
//! Instead every step is an event ([`WorkflowEvent`]) and the state is a pure function of the
//! events ([`derive`]), shared by phone and server.

mod action;
mod deadline;
mod derive;
mod evaluation;
mod event;
mod order;
mod refusal;
mod state;
mod status;

pub use action::{Action, ActionKind, DispatchRound};
pub use deadline::{DeadlineKind, DeadlinePolicy, OpenDeadline};
pub use derive::{derive, heads};
pub use evaluation::{Satisfaction, Score, Scores, combine_process_and_annual};
pub use event::WorkflowEvent;
pub use order::precedence;
pub use refusal::Refusal;
pub use state::{CaseState, DepartmentProgress, EvaluationEntry, TimelineEntry};
pub use status::{Status, Tier};
