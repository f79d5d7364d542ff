//! Building a request.

use automerge::{ActorId, ChangeHash};
use serde_bytes::ByteBuf;
use wangge_proto::values::{CaseId, DeviceId};

use super::PhoneStore;
use crate::wire::{self, CaseUpload, Kind, SyncRequest};
use crate::{Error, Limits};

/// A new case with at most this many changes is uploaded as its change chunks; one with more
/// as a document (see [`PhoneSync::prepare`]).
const MAX_NEW_CASE_CHANGES: usize = 64;

/// The phone's side of the protocol: its device, its own actors, the limits.
#[derive(Debug, Clone)]
pub struct PhoneSync {
    pub(crate) device: DeviceId,
    pub(crate) actors: Vec<ActorId>,
    pub(crate) limits: Limits,
}

/// What a request carried, needed to read its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Each uploaded case with the document's heads when the request was built.
    pub cases: Vec<(CaseId, Vec<ChangeHash>)>,
    /// Dirty cases left for the next request (over the count or size bound).
    pub left_over: usize,
}

pub(crate) fn store_error(error: impl std::fmt::Display) -> Error {
    Error::Store {
        detail: error.to_string(),
    }
}

impl PhoneSync {
    /// The protocol for `device`, whose own changes are made by `actors`.
    pub fn new(device: DeviceId, actors: Vec<ActorId>, limits: Limits) -> Self {
        Self {
            device,
            actors,
            limits,
        }
    }

    /// Builds one request: every dirty case (up to the limits), the cursor, and the cases to
    /// download again.
    pub fn prepare<S: PhoneStore>(&self, store: &S) -> Result<(Vec<u8>, Sent), Error> {
        let cursor = store.cursor().map_err(store_error)?;
        let mut refetch = store.refetch().map_err(store_error)?;
        refetch.truncate(self.limits.max_cases);
        let dirty = store.dirty().map_err(store_error)?;
        let room = self.limits.max_cases - refetch.len();
        // Stay well inside the hub's body limit: the rest goes in the next request.
        let mut bytes_left = self.limits.max_body_bytes / 2;
        let mut uploads = Vec::new();
        let mut sent = Sent {
            cases: Vec::new(),
            left_over: 0,
        };
        for case in &dirty {
            if refetch.contains(case) {
                // Its copy here is damaged: first get the hub's whole document, which the
                // local edits merge into; they go up in the next request.
                sent.left_over += 1;
                continue;
            }
            if uploads.len() == room {
                sent.left_over += 1;
                continue;
            }
            let Some(mut local) = store.load(case).map_err(store_error)? else {
                continue;
            };
            let whole = local.whole || local.acked.is_empty();
            let base = if whole {
                Vec::new()
            } else {
                local.acked.clone()
            };
            let sending = local.doc.get_changes(&base);
            // A new case with a short history goes as its change chunks, not as a document:
            // raw chunks compress under zstd to less than half of `save()`'s already deflated
            // columns (200 new cases of the merge benchmark: 95 KB instead of 251 KB), and the
            // hub checks and applies them as they are. A long history, or a case whose base
            // the hub lacks, goes as a document, which stays compact however many changes it
            // holds.
            let as_changes = local.acked.is_empty() && sending.len() <= MAX_NEW_CASE_CHANGES;
            let changes = if whole && !as_changes {
                local.doc.save()
            } else {
                local.doc.save_after(&base)
            };
            if changes.len() > bytes_left && !uploads.is_empty() {
                sent.left_over += 1;
                continue;
            }
            bytes_left = bytes_left.saturating_sub(changes.len());
            let relayed = sending
                .iter()
                .filter(|c| !self.actors.contains(c.actor_id()))
                .filter_map(|c| {
                    let hash = c.hash();
                    local.signatures.iter().find(|s| s.change == hash).cloned()
                })
                .collect();
            sent.cases.push((*case, local.doc.get_heads()));
            uploads.push(CaseUpload {
                case: *case,
                base,
                changes: ByteBuf::from(changes),
                relayed,
            });
        }
        let request = SyncRequest {
            device: self.device,
            cursor,
            uploads,
            refetch,
        };
        Ok((wire::encode(Kind::SyncRequest, &request), sent))
    }
}
