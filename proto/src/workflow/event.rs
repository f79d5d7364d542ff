//! One workflow event: who did which step, when, from which device, after which events.
//!
//! Events are append-only and never edited: they are the case's audit trail (全程留痕) and
//! the only input of [`super::derive`]. `follows` names the events the author had seen last
//! (the heads of the event graph on their device), which gives the causal order that the
//! derivation respects before any tie-break.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::action::Action;
use crate::role::Role;
use crate::values::{DeviceId, EventId, Timestamp, UserId};

/// An append-only workflow event in a case document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct WorkflowEvent {
    /// Unique id (UUIDv7), also the event's key in the document.
    pub id: EventId,
    /// The step and its data.
    pub action: Action,
    /// Who did it.
    pub actor: UserId,
    /// The role they acted in.
    pub role: Role,
    /// The device they used.
    pub device: DeviceId,
    /// The device's clock when it happened (a claim; deadlines use server time).
    pub at: Timestamp,
    /// The events this one follows: the heads of the event graph the author had seen.
    pub follows: Vec<EventId>,
}
