//! The messages: a phone's sync request, the hub's response, and the phone-to-phone message.

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use wangge_proto::values::{CaseId, DeviceId};

use super::codec;

/// A position in the hub's change feed. Every accepted change to a case moves that case to a
/// new, higher position; `Cursor(0)` means "nothing seen yet".
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cursor(pub u64);

/// Phone → hub: everything in one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// The sending device (must match the authenticated one).
    #[serde(with = "codec::device_id")]
    pub device: DeviceId,
    /// The feed position this phone has stored everything up to.
    pub cursor: Cursor,
    /// Every case with changes the hub has not acknowledged.
    pub uploads: Vec<CaseUpload>,
    /// Cases the phone needs whole again (its copy is missing or could not be merged).
    #[serde(with = "codec::case_ids")]
    pub refetch: Vec<CaseId>,
}

/// One dirty case in a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseUpload {
    /// The case.
    #[serde(with = "codec::case_id")]
    pub case: CaseId,
    /// The hub heads this phone last acknowledged for the case; empty when the case is sent
    /// whole (new, or the hub asked for it again).
    #[serde(with = "codec::hashes")]
    pub base: Vec<ChangeHash>,
    /// `save_after(base)` of the phone's document: raw changes; or, with an empty base, the
    /// whole document saved compactly.
    pub changes: ByteBuf,
    /// Signatures of changes made on other phones that this phone relays (see [`crate::relay`]).
    pub relayed: Vec<RelaySignature>,
}

/// A device's signature over one change, so another phone can relay it to the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelaySignature {
    /// The automerge actor that made the change.
    pub actor: ByteBuf,
    /// The change.
    #[serde(with = "codec::hash")]
    pub change: ChangeHash,
    /// Ed25519 signature by the actor's device key.
    pub signature: ByteBuf,
}

/// Hub → phone: verdicts, what the phone lacks, and the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// One verdict per upload, in the request's order.
    pub verdicts: Vec<Verdict>,
    /// Case data the phone lacks: for uploaded cases and for the feed.
    pub updates: Vec<CaseUpdate>,
    /// The feed position the phone has everything up to once it stored this response.
    pub cursor: Cursor,
    /// More feed entries wait: send another request with the new cursor.
    pub more: bool,
    /// The hub does not know the phone's cursor (it was restored from a backup): the phone
    /// must send every case whole, and the feed restarts from the beginning.
    pub reset: bool,
}

/// The hub's decision on one uploaded case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The case.
    #[serde(with = "codec::case_id")]
    pub case: CaseId,
    /// What happened.
    pub outcome: Outcome,
}

/// Accepted, rejected, to be resent, or held back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every uploaded change is stored (or was already).
    Accepted,
    /// None of the uploaded changes is stored: the reason, for the user.
    Rejected {
        /// Stable reason code, e.g. `case.forbidden_field`.
        code: String,
        /// The reason in Simplified Chinese.
        zh: String,
        /// The reason in English.
        en: String,
    },
    /// Not an error of the phone: the hub lacks the base the changes build on (it was
    /// restored from a backup, or the phone's state is older). Send the case whole.
    Resend,
    /// Not an error of the phone either: the hub cannot merge into this case now (its stored
    /// copy does not load; an operator has been alerted). Nothing is stored; the phone keeps
    /// its edits as they are and sends them again in a later sync, not in this one. Since
    /// protocol version 2 ([`HELD_SINCE`](crate::wire::HELD_SINCE)).
    Held {
        /// Stable reason code, e.g. `sync.case_unavailable`.
        code: String,
        /// The reason in Simplified Chinese.
        zh: String,
        /// The reason in English.
        en: String,
    },
}

/// Case data for the phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseUpdate {
    /// The case.
    #[serde(with = "codec::case_id")]
    pub case: CaseId,
    /// The data.
    pub payload: Payload,
}

/// A whole document, or the changes since what the phone has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// The compacted document (`save()`): the phone does not have the case, or must rebuild it.
    Document(ByteBuf),
    /// Raw changes (`save_after`) on top of what the phone has.
    Changes(ByteBuf),
}

/// Phone ↔ phone: automerge's own sync protocol, one message per case, plus the signatures
/// that let the receiver relay the changes to the hub later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerMessage {
    /// The sending device.
    #[serde(with = "codec::device_id")]
    pub device: DeviceId,
    /// Per case: an automerge sync message and signatures.
    pub cases: Vec<PeerCase>,
}

/// One case in a [`PeerMessage`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerCase {
    /// The case.
    #[serde(with = "codec::case_id")]
    pub case: CaseId,
    /// An encoded `automerge::sync::Message`.
    pub sync: ByteBuf,
    /// Signatures of the sender's changes and of those it relays.
    pub signatures: Vec<RelaySignature>,
}
