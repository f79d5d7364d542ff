//! Phone ↔ phone: two phones that meet in a dead zone exchange cases directly.
//!
//! Neither phone knows what the other has, which is what automerge's own sync protocol is for
//! (bloom filters of heads, a few messages per case). Each [`PeerSession`] keeps one
//! `automerge::sync::State` per case for the length of the meeting. Messages carry, besides
//! the automerge sync messages, the signatures of the changes each phone holds, so that
//! either phone can later relay the other's changes to the hub ([`crate::relay`]).
//!
//! What a phone receives must be the case it claims to be; anything else is dropped and
//! reported, never stored.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use automerge::sync::{Message, State, SyncDoc};
use serde_bytes::ByteBuf;
use wangge_proto::case::CaseDocument;
use wangge_proto::values::{CaseId, DeviceId};

use crate::phone::{Applied, AppliedCase, PhoneStore};
use crate::wire::{self, Kind, PeerCase, PeerMessage};
use crate::{Error, Limits};

/// One meeting with another phone.
#[derive(Debug)]
pub struct PeerSession {
    device: DeviceId,
    limits: Limits,
    states: BTreeMap<CaseId, State>,
    /// Per case, the document as exchanged so far in this meeting (it may hold changes
    /// still waiting for their parents, which are never stored).
    working: BTreeMap<CaseId, AutoCommit>,
}

/// What one received peer message did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerReport {
    /// Cases that changed (or arrived) here.
    pub changed: Vec<CaseId>,
    /// Cases whose data was refused (not a valid case of that id).
    pub refused: Vec<CaseId>,
}

fn store_error(error: impl std::fmt::Display) -> Error {
    Error::Store {
        detail: error.to_string(),
    }
}

impl PeerSession {
    /// A new meeting, as `device`.
    pub fn new(device: DeviceId, limits: Limits) -> Self {
        Self {
            device,
            limits,
            states: BTreeMap::new(),
            working: BTreeMap::new(),
        }
    }

    /// The next message to the other phone, or `None` when this side has nothing to say.
    pub fn generate<S: PhoneStore>(&mut self, store: &S) -> Result<Option<Vec<u8>>, Error> {
        let mut cases = Vec::new();
        let mut ids = store.case_ids().map_err(store_error)?;
        ids.extend(self.states.keys().copied());
        ids.sort();
        ids.dedup();
        for case in ids {
            let stored = store.load(&case).map_err(store_error)?;
            let signatures = stored
                .as_ref()
                .map(|l| l.signatures.clone())
                .unwrap_or_default();
            let mut doc = match self.working.get(&case) {
                Some(doc) => doc.clone(),
                None => stored.map(|l| l.doc).unwrap_or_default(),
            };
            let state = self.states.entry(case).or_default();
            if let Some(message) = doc.sync().generate_sync_message(state) {
                cases.push(PeerCase {
                    case,
                    sync: ByteBuf::from(message.encode()),
                    signatures,
                });
            }
        }
        if cases.is_empty() {
            return Ok(None);
        }
        let message = PeerMessage {
            device: self.device,
            cases,
        };
        Ok(Some(wire::encode(Kind::Peer, &message)))
    }

    /// Takes a message from the other phone and stores what it brings in one
    /// [`PhoneStore::apply`] call.
    pub fn receive<S: PhoneStore>(
        &mut self,
        store: &mut S,
        bytes: &[u8],
    ) -> Result<PeerReport, Error> {
        let message: PeerMessage = wire::decode(bytes, Kind::Peer, &self.limits)?;
        let mut report = PeerReport::default();
        let mut applied = Applied {
            refetch: store.refetch().map_err(store_error)?,
            ..Applied::default()
        };
        for peer_case in message.cases {
            let case = peer_case.case;
            let sync_message = Message::decode(&peer_case.sync).map_err(|e| Error::Malformed {
                detail: format!("peer sync message for case {case}: {e}"),
            })?;
            let existing = store.load(&case).map_err(store_error)?;
            let stored_heads = existing
                .as_ref()
                .map(|l| l.doc.clone().get_heads())
                .unwrap_or_default();
            let (acked, whole, mut signatures) = match &existing {
                Some(local) => (local.acked.clone(), local.whole, local.signatures.clone()),
                None => (Vec::new(), false, Vec::new()),
            };
            let mut doc = match self.working.remove(&case) {
                Some(doc) => doc,
                None => existing.map(|l| l.doc).unwrap_or_default(),
            };
            let state = self.states.entry(case).or_default();
            if doc
                .sync()
                .receive_sync_message(state, sync_message)
                .is_err()
            {
                report.refused.push(case);
                self.states.remove(&case);
                continue;
            }
            for signature in peer_case.signatures {
                if !signatures.contains(&signature) {
                    signatures.push(signature);
                }
            }
            if !doc.get_missing_deps(&[]).is_empty() {
                // Changes whose parents have not arrived yet (a bloom-filter false positive on
                // the other side): keep them for this meeting; the next message brings the rest.
                self.working.insert(case, doc);
                continue;
            }
            let heads = doc.get_heads();
            if heads == stored_heads || heads.is_empty() {
                self.working.insert(case, doc);
                continue;
            }
            if !matches!(CaseDocument::identify(&doc), Ok(id) if id == case) {
                // Not the case it claims to be: drop it and start this case over.
                report.refused.push(case);
                self.states.remove(&case);
                continue;
            }
            report.changed.push(case);
            self.working.insert(case, doc.clone());
            applied.cases.push(AppliedCase {
                case,
                doc: Some(doc),
                acked,
                whole,
                signatures,
            });
        }
        store.apply(applied).map_err(store_error)?;
        Ok(report)
    }
}
