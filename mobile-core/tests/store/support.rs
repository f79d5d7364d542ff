//! Fixtures: identities of the demo roles, a store in a temp dir, a new case.

#![allow(dead_code)]

use std::path::PathBuf;

use automerge::ActorId;
use uuid::Uuid;
use wangge_mobile::store::{CaseStore, Identity, NewCaseInput};
use wangge_proto::case::CaseSource;
use wangge_proto::values::{CaseId, DeviceId, GridCode, UserId};
use wangge_proto::{Role, Scope};
use wangge_sync::relay::SigningKey;

pub fn grid() -> GridCode {
    "110105001001001".parse().unwrap()
}

pub fn other_grid() -> GridCode {
    "110105001002001".parse().unwrap()
}

/// User, device, actor and key number `n` (ids derive from it).
pub fn identity(n: u8, role: Role, scope: Scope) -> Identity {
    Identity {
        user: UserId::from_uuid(Uuid::from_u128(0x1000 + u128::from(n))).unwrap(),
        login: format!("user{n}"),
        display_name: format!("用户{n}"),
        role,
        scope,
        device: DeviceId::from_uuid(Uuid::from_u128(0x2000 + u128::from(n))).unwrap(),
        actor: ActorId::from(&[n; 16][..]),
        key: SigningKey::from_bytes(&[n; 32]),
    }
}

pub fn worker(n: u8) -> Identity {
    identity(
        n,
        Role::GridWorker,
        Scope::Grids {
            grids: [grid()].into(),
        },
    )
}

pub fn secretary(n: u8) -> Identity {
    identity(
        n,
        Role::CommunitySecretary,
        Scope::Community {
            community: grid().community(),
        },
    )
}

/// A kill test's child: reopens the store in `dir` as worker 1 (signing in on the first run)
/// and lists the cases already there, up to 500.
pub fn reopen_as_worker(dir: &std::path::Path) -> (CaseStore, Vec<CaseId>) {
    let mut store = CaseStore::open(dir.join("phone.db")).unwrap();
    if store.identity().is_none() {
        store.set_identity(worker(1)).unwrap();
    }
    let cases = store
        .list(&wangge_mobile::store::CaseFilter {
            limit: Some(500),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    (store, cases)
}

/// A store file in its own temp dir (kept alive by the returned guard).
pub struct TempStore {
    pub dir: tempfile::TempDir,
    pub store: CaseStore,
}

impl TempStore {
    pub fn new(identity: Option<Identity>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut store = CaseStore::open(dir.path().join("phone.db")).unwrap();
        if let Some(identity) = identity {
            store.set_identity(identity).unwrap();
        }
        Self { dir, store }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("phone.db")
    }

    /// Closes and opens the store file again.
    pub fn reopen(&mut self) {
        // Closed first: a store file has one writer at a time.
        let placeholder = CaseStore::open(self.dir.path().join("placeholder.db")).unwrap();
        drop(std::mem::replace(&mut self.store, placeholder));
        self.store = CaseStore::open(self.path()).unwrap();
    }
}

/// The fields of a new patrol case in the test grid.
pub fn rubbish(title: &str) -> NewCaseInput {
    NewCaseInput {
        grid: grid(),
        category: "SR-01".parse().unwrap(),
        title: title.into(),
        description: "垃圾桶满溢，三天未清运".into(),
        location: None,
        source: CaseSource::Patrol,
    }
}

/// Registers a case and returns its id.
pub fn new_case(store: &mut CaseStore, title: &str) -> CaseId {
    store.create_case(rubbish(title)).unwrap()
}
