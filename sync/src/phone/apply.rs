//! Reading a response and turning it into one [`Applied`] batch.

use std::collections::BTreeMap;

use automerge::{AutoCommit, ChangeHash};
use wangge_proto::case::CaseDocument;
use wangge_proto::values::CaseId;

use super::prepare::store_error;
use super::{Applied, AppliedCase, LocalCase, PhoneStore, PhoneSync, RejectedEdits, Sent};
use crate::Error;
use crate::wire::{self, Kind, Outcome, Payload, SyncResponse};

/// What one sync did, for the app to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Uploaded cases the hub accepted.
    pub accepted: Vec<CaseId>,
    /// Uploaded cases the hub refused, with the reason (the edits are kept aside).
    pub rejected: Vec<RejectedEdits>,
    /// Uploaded cases to be sent again whole.
    pub resend: Vec<CaseId>,
    /// Uploaded cases the hub held back (its copy does not load): the edits stay unsent, as
    /// they were, and go again with a later sync.
    pub held: Vec<HeldCase>,
    /// Cases that received changes from the hub, including accepted uploads whose answer
    /// brought others' concurrent changes (a secretary's return while the phone was offline).
    pub received: Vec<CaseId>,
    /// Received data that did not apply: the cases are downloaded whole next time.
    pub broken: Vec<CaseId>,
    /// Sync again: the feed has more, or cases were left for the next request.
    pub more: bool,
}

/// An uploaded case the hub held back, with its reason for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCase {
    /// The case.
    pub case: CaseId,
    /// The hub's reason code.
    pub code: String,
    /// The reason in Simplified Chinese.
    pub zh: String,
    /// The reason in English.
    pub en: String,
}

impl PhoneSync {
    /// Reads the response to the request described by `sent` and stores its effects in one
    /// [`PhoneStore::apply`] call.
    pub fn receive<S: PhoneStore>(
        &self,
        store: &mut S,
        sent: &Sent,
        bytes: &[u8],
    ) -> Result<Report, Error> {
        let response: SyncResponse = wire::decode(bytes, Kind::SyncResponse, &self.limits)?;
        if response.verdicts.len() != sent.cases.len()
            || response
                .verdicts
                .iter()
                .zip(&sent.cases)
                .any(|(v, (c, _))| v.case != *c)
        {
            return Err(Error::Malformed {
                detail: "the verdicts do not match the uploaded cases".to_owned(),
            });
        }
        let mut payloads: BTreeMap<CaseId, Payload> = BTreeMap::new();
        for update in response.updates {
            payloads.insert(update.case, update.payload);
        }
        let mut report = Report {
            more: response.more
                || response.reset
                || sent.left_over > 0
                || response
                    .verdicts
                    .iter()
                    .any(|v| v.outcome == Outcome::Resend),
            ..Report::default()
        };
        let mut applied = Applied {
            cursor: Some(response.cursor),
            resend_all: response.reset,
            ..Applied::default()
        };
        let mut refetch: Vec<CaseId> = store.refetch().map_err(store_error)?;

        for (verdict, (case, sent_heads)) in response.verdicts.iter().zip(&sent.cases) {
            let Some(local) = store.load(case).map_err(store_error)? else {
                continue;
            };
            let payload = payloads.remove(case);
            match &verdict.outcome {
                Outcome::Accepted => {
                    report.accepted.push(*case);
                    match accept(local, sent_heads, payload, *case) {
                        Ok((done, others)) => {
                            if others {
                                report.received.push(*case);
                            }
                            applied.cases.push(done);
                        }
                        Err(()) => {
                            report.broken.push(*case);
                            refetch.push(*case);
                        }
                    }
                }
                Outcome::Rejected { code, zh, en } => {
                    let (done, changes) = reject(local, payload, *case);
                    let edits = RejectedEdits {
                        case: *case,
                        code: code.clone(),
                        zh: zh.clone(),
                        en: en.clone(),
                        changes,
                    };
                    report.rejected.push(edits.clone());
                    applied.rejected.push(edits);
                    applied.cases.push(done);
                }
                // Nothing to store: the case stays as it is, its edits unsent. Not `more`:
                // the hub would hold it back again at once.
                Outcome::Held { code, zh, en } => report.held.push(HeldCase {
                    case: *case,
                    code: code.clone(),
                    zh: zh.clone(),
                    en: en.clone(),
                }),
                Outcome::Resend => {
                    report.resend.push(*case);
                    applied.cases.push(AppliedCase {
                        case: *case,
                        doc: Some(local.doc),
                        acked: local.acked,
                        whole: true,
                        signatures: Vec::new(),
                    });
                }
            }
        }

        // Feed and refetched cases.
        for (case, payload) in payloads {
            let local = store.load(&case).map_err(store_error)?;
            match receive_case(local, payload, case) {
                Ok(done) => {
                    refetch.retain(|c| *c != case);
                    report.received.push(case);
                    applied.cases.push(done);
                }
                Err(()) => {
                    report.broken.push(case);
                    refetch.push(case);
                }
            }
        }
        refetch.sort();
        refetch.dedup();
        applied.refetch = refetch;
        store.apply(applied).map_err(store_error)?;
        Ok(report)
    }
}

/// Heads of the union of `hashes` (all known to `doc`): the smallest set naming the same
/// history.
fn heads_of(doc: &mut AutoCommit, hashes: &[ChangeHash]) -> Vec<ChangeHash> {
    let known: Vec<ChangeHash> = hashes
        .iter()
        .copied()
        .filter(|h| doc.get_change_by_hash(h).is_some())
        .collect();
    if known.is_empty() {
        return Vec::new();
    }
    match doc.fork_at(&known) {
        Ok(mut fork) => fork.get_heads(),
        Err(_) => known,
    }
}

/// Hashes of the changes added to `doc` since `before`.
fn added_since(doc: &mut AutoCommit, before: &[ChangeHash]) -> Vec<ChangeHash> {
    doc.get_changes(before).iter().map(|c| c.hash()).collect()
}

/// Applies the hub's answer to an accepted upload; `true` with it when the answer carried
/// changes the phone did not have (others' concurrent edits).
fn accept(
    mut local: LocalCase,
    sent_heads: &[ChangeHash],
    payload: Option<Payload>,
    case: CaseId,
) -> Result<(AppliedCase, bool), ()> {
    let mut ack = sent_heads.to_vec();
    let mut others = false;
    if let Some(payload) = payload {
        let bytes = match &payload {
            Payload::Document(b) | Payload::Changes(b) => b.as_slice(),
        };
        let before = local.doc.get_heads();
        local.doc.load_incremental(bytes).map_err(|_| ())?;
        if !local.doc.get_missing_deps(&[]).is_empty() {
            return Err(());
        }
        // The hub's new changes: everything just added (hub heads = sent ∪ these).
        let added = added_since(&mut local.doc, &before);
        others = !added.is_empty();
        ack.extend(added);
    }
    check_case(&local.doc, case)?;
    let acked = heads_of(&mut local.doc, &ack);
    let applied = AppliedCase {
        case,
        doc: Some(local.doc),
        acked,
        whole: false,
        signatures: Vec::new(),
    };
    Ok((applied, others))
}

fn reject(mut local: LocalCase, payload: Option<Payload>, case: CaseId) -> (AppliedCase, Vec<u8>) {
    let hub_doc = match payload {
        Some(Payload::Document(bytes)) => AutoCommit::load(&bytes).ok(),
        _ => None,
    };
    match hub_doc {
        Some(mut hub) => {
            // Keep exactly the local changes the hub does not have.
            let refused: Vec<u8> = hub
                .get_changes_added(&mut local.doc)
                .iter()
                .flat_map(|c| c.raw_bytes().to_vec())
                .collect();
            let acked = hub.get_heads();
            (
                AppliedCase {
                    case,
                    doc: Some(hub),
                    acked,
                    whole: false,
                    signatures: Vec::new(),
                },
                refused,
            )
        }
        None => (
            AppliedCase {
                case,
                doc: None,
                acked: Vec::new(),
                whole: false,
                signatures: Vec::new(),
            },
            local.doc.save(),
        ),
    }
}

fn receive_case(
    local: Option<LocalCase>,
    payload: Payload,
    case: CaseId,
) -> Result<AppliedCase, ()> {
    let was_new = local.is_none();
    let (mut doc, acked_before, whole) = match local {
        Some(local) => (local.doc, local.acked, local.whole),
        None => match &payload {
            Payload::Document(_) => (AutoCommit::new(), Vec::new(), false),
            // Changes for a case this phone does not have: download it whole.
            Payload::Changes(_) => return Err(()),
        },
    };
    let before = doc.get_heads();
    let bytes = match &payload {
        Payload::Document(b) | Payload::Changes(b) => b.as_slice(),
    };
    doc.load_incremental(bytes).map_err(|_| ())?;
    if !doc.get_missing_deps(&[]).is_empty() {
        return Err(());
    }
    check_case(&doc, case)?;
    let acked = match &payload {
        // A whole document into an empty one: its heads are the hub's.
        Payload::Document(_) if was_new => doc.get_heads(),
        Payload::Document(b) => AutoCommit::load(b).map_err(|_| ())?.get_heads(),
        Payload::Changes(_) => {
            let mut ack = acked_before;
            ack.extend(added_since(&mut doc, &before));
            heads_of(&mut doc, &ack)
        }
    };
    Ok(AppliedCase {
        case,
        doc: Some(doc),
        acked,
        whole,
        signatures: Vec::new(),
    })
}

/// Received data must be the case it claims to be.
fn check_case(doc: &AutoCommit, case: CaseId) -> Result<(), ()> {
    match CaseDocument::identify(doc) {
        Ok(id) if id == case => Ok(()),
        _ => Err(()),
    }
}
