//! What the policy asks of the stored case, answered from its shadow before an upload is
//! applied to it (ADR 0014).
//!
//! A merge applies the upload to the hot case's shadow in place, so the stored case has no
//! shadow of its own to read. The policy reads it for two things only: whether a key of
//! `events` the upload writes was already there (the ledger is append-only), and — when a
//! part the upload wrote does not fit the layout — whether it already did not. The first is
//! looked up for every key of `events` the upload writes, before it is applied; the second is
//! rare, and reading it through a [`Prior`] falls short, so the merge judges that upload from
//! its document.

use std::collections::BTreeMap;

use automerge::legacy::{Key, ObjectId};

use super::policy::Authored;
use super::shadow::{Shadow, Value};

/// The stored case's answers to the policy's questions, kept before an upload is applied.
#[derive(Debug, Default)]
pub struct Prior {
    /// Each key of `events` the upload writes, and whether the stored case held a value
    /// there.
    events: BTreeMap<String, bool>,
}

impl Prior {
    /// The answers of `stored` (the shadow of the stored case) for the ops of `changes`.
    pub(crate) fn of(stored: &Shadow, changes: &[Authored]) -> Self {
        let Some((Value::Object(_), events)) = stored.get(&ObjectId::Root, "events") else {
            return Self::default();
        };
        let events = ObjectId::Id(events);
        let mut answers = BTreeMap::new();
        for change in changes {
            for op in &change.decoded.operations {
                if let (true, Key::Map(key)) = (op.obj == events, &op.key) {
                    let held = stored.get(&events, key).is_some();
                    answers.entry(key.to_string()).or_insert(held);
                }
            }
        }
        Self { events: answers }
    }

    /// Whether the stored case held a value at `key` of the map at top-level key
    /// `container`; `None` if that was not looked up.
    pub(crate) fn holds(&self, container: &str, key: &str) -> Option<bool> {
        match container {
            "events" => self.events.get(key).copied(),
            _ => None,
        }
    }
}
