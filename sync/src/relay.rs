//! Relaying: how a change made on one phone can reach the hub from another phone.
//!
//! Two phones that meet in a dead zone exchange cases directly ([`crate::peer`]); either may
//! reach signal first. The hub accepts a change over a sync session only if its automerge
//! actor is bound to the session's own device, **or** it carries a signature by the device
//! key of the actor's own device. Actor ids, change timestamps and automerge's `Author` are
//! self-asserted, so without the signature a phone could forge a secretary's "close" and
//! upload it as a relay. Every phone therefore signs each change it makes (Ed25519 over the
//! case id and the change hash, which covers the change's actor, sequence number, parents
//! and operations), keeps the signatures with the case, hands them to peers along with the
//! changes, and sends them to the hub for changes it relays. The hub checks relayed changes
//! against the permissions of their *author*, not of the relaying phone. ADR 0005 records
//! the choice.

use automerge::{ActorId, ChangeHash};
use ed25519_dalek::{Signature, Signer, Verifier};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use serde_bytes::ByteBuf;
use wangge_proto::values::CaseId;

use crate::wire::RelaySignature;

const CONTEXT: &[u8] = b"wangge/change/v1";

fn signed_bytes(case: &CaseId, change: &ChangeHash) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(CONTEXT.len() + 16 + 32);
    bytes.extend_from_slice(CONTEXT);
    bytes.extend_from_slice(case.as_uuid().as_bytes());
    bytes.extend_from_slice(&change.0);
    bytes
}

/// Signs `change` of `case`, made by `actor`, with the device's key.
pub fn sign(
    key: &SigningKey,
    actor: &ActorId,
    case: &CaseId,
    change: &ChangeHash,
) -> RelaySignature {
    RelaySignature {
        actor: ByteBuf::from(actor.to_bytes().to_vec()),
        change: *change,
        signature: ByteBuf::from(key.sign(&signed_bytes(case, change)).to_bytes().to_vec()),
    }
}

/// Whether `signature` is `key`'s signature of its change in `case`.
pub fn verify(key: &VerifyingKey, case: &CaseId, signature: &RelaySignature) -> bool {
    let Ok(bytes) = <[u8; 64]>::try_from(signature.signature.as_slice()) else {
        return false;
    };
    key.verify(
        &signed_bytes(case, &signature.change),
        &Signature::from_bytes(&bytes),
    )
    .is_ok()
}
