//! Who is syncing, and who made a change.

use automerge::ActorId;
use wangge_proto::values::{DeviceId, UserId};
use wangge_proto::{Role, Scope};

use crate::relay::VerifyingKey;

/// An authenticated sync session: the server builds it from the access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user.
    pub user: UserId,
    /// Their role.
    pub role: Role,
    /// What they may see and write.
    pub scope: Scope,
    /// The device the request comes from.
    pub device: DeviceId,
    /// The automerge actors bound to this user on this device (at enrolment).
    pub actors: Vec<ActorId>,
}

impl Session {
    /// This session's own record for one of its actors.
    pub fn record(&self, actor: &ActorId) -> ActorRecord {
        ActorRecord {
            actor: actor.clone(),
            user: self.user,
            role: self.role,
            scope: self.scope.clone(),
            device: self.device,
            key: None,
        }
    }
}

/// An enrolled automerge actor: whose device it is, and the device's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorRecord {
    /// The actor.
    pub actor: ActorId,
    /// Its user.
    pub user: UserId,
    /// Their role.
    pub role: Role,
    /// Their scope.
    pub scope: Scope,
    /// Its device.
    pub device: DeviceId,
    /// The device key that signs its changes for relaying, if enrolled with one.
    pub key: Option<VerifyingKey>,
}
