//! Who syncs in the scenarios: a grid worker's phone and a community secretary's phone, with
//! fixed (seed-independent) ids, actors and scopes, and the hub they both talk to.
//!
//! The hub accepts whatever passes its own checks ([`AcceptAll`]): the benchmark measures
//! bytes and round trips, not the permission matrix.

use automerge::ActorId;
use wangge_proto::values::{CommunityCode, DeviceId, GridCode, UserId};
use wangge_proto::{Role, Scope};
use wangge_sync::Limits;
use wangge_sync::hub::{AcceptAll, Hub, MemoryHub, Session};
use wangge_sync::phone::{MemoryPhone, PhoneSync};

use super::Result;

/// The hub every scenario runs against.
pub type BenchHub = Hub<MemoryHub, AcceptAll>;

/// A fresh in-memory hub with `limits`.
pub fn hub(limits: Limits) -> BenchHub {
    Hub::new(MemoryHub::new(), AcceptAll, limits)
}

/// One user on one device, editing as one automerge actor.
#[derive(Debug, Clone)]
pub struct Person {
    /// The user.
    pub user: UserId,
    /// Their role.
    pub role: Role,
    /// Their device.
    pub device: DeviceId,
    /// The actor their phone edits as.
    pub actor: ActorId,
    /// What they may see.
    pub scope: Scope,
}

impl Person {
    /// The authenticated session the server would build for this device.
    pub fn session(&self) -> Session {
        Session {
            user: self.user,
            role: self.role,
            scope: self.scope.clone(),
            device: self.device,
            actors: vec![self.actor.clone()],
        }
    }

    /// The phone side of the protocol for this device.
    pub fn sync(&self, limits: Limits) -> PhoneSync {
        PhoneSync::new(self.device, vec![self.actor.clone()], limits)
    }

    /// An empty phone for this device.
    pub fn phone(&self) -> MemoryPhone {
        MemoryPhone::new(self.actor.clone(), None)
    }
}

/// The grid and the people of the scenarios.
#[derive(Debug, Clone)]
pub struct Org {
    /// The one grid every case is in.
    pub grid: GridCode,
    /// The grid worker (网格员) whose phone is measured.
    pub worker: Person,
    /// The community secretary (社区书记): the other side of concurrent edits.
    pub secretary: Person,
}

impl Org {
    /// The fixed organisation.
    pub fn new() -> Result<Self> {
        let grid: GridCode = "110105001001001".parse()?;
        let community: CommunityCode = "110105001001".parse()?;
        Ok(Self {
            worker: Person {
                user: user(1)?,
                role: Role::GridWorker,
                device: device(1)?,
                actor: ActorId::from(&[0x11; 16][..]),
                scope: Scope::Grids {
                    grids: [grid.clone()].into(),
                },
            },
            secretary: Person {
                user: user(2)?,
                role: Role::CommunitySecretary,
                device: device(2)?,
                actor: ActorId::from(&[0x22; 16][..]),
                scope: Scope::Community { community },
            },
            grid,
        })
    }
}

fn uuid_text(kind: u16, n: u64) -> String {
    format!("00000000-{kind:04x}-4000-8000-{n:012x}")
}

fn user(n: u64) -> Result<UserId> {
    Ok(uuid_text(1, n).parse()?)
}

fn device(n: u64) -> Result<DeviceId> {
    Ok(uuid_text(2, n).parse()?)
}
