//! Fixtures shared by the sync test binaries (included with `#[path]`): clock, grids, an
//! enrolled identity, a case document, a typed edit, a comment.

#![allow(dead_code)]

use automerge::{ActorId, AutoCommit, ChangeHash};
use uuid::Uuid;
use wangge_proto::case::{CaseDocument, CaseSource, Comment, NewCase, Origin};
use wangge_proto::values::{CaseId, CommentId, DeviceId, GridCode, Timestamp, UserId};
use wangge_proto::{Role, Scope};
use wangge_sync::hub::{ActorRecord, Session};
use wangge_sync::phone::MemoryPhone;
use wangge_sync::relay::SigningKey;

pub fn ts(minutes: i64) -> Timestamp {
    Timestamp::from_millis(1_793_520_000_000 + minutes * 60_000).unwrap()
}

pub fn grid() -> GridCode {
    "110105001001001".parse().unwrap()
}

pub fn other_grid() -> GridCode {
    "110105001002001".parse().unwrap()
}

/// A grid worker's scope: the test grid.
pub fn worker_scope() -> Scope {
    Scope::Grids {
        grids: [grid()].into(),
    }
}

/// User, device, actor and key number `n` (ids derive from it).
pub struct Identity {
    pub session: Session,
    pub actor: ActorId,
    pub key: SigningKey,
}

impl Identity {
    pub fn new(n: u8, role: Role, scope: Scope) -> Self {
        let user = UserId::from_uuid(Uuid::from_u128(0x1000 + u128::from(n))).unwrap();
        let device = DeviceId::from_uuid(Uuid::from_u128(0x2000 + u128::from(n))).unwrap();
        let actor = ActorId::from(&[n; 16][..]);
        Self {
            session: Session {
                user,
                role,
                scope,
                device,
                actors: vec![actor.clone()],
            },
            actor,
            key: SigningKey::from_bytes(&[n; 32]),
        }
    }

    /// The hub's enrolment record of `actor` for this identity.
    pub fn record(&self, actor: &ActorId) -> ActorRecord {
        ActorRecord {
            actor: actor.clone(),
            user: self.session.user,
            role: self.session.role,
            scope: self.session.scope.clone(),
            device: self.session.device,
            key: Some(self.key.verifying_key()),
        }
    }
}

/// Case number `n`, registered by `session`'s user in the test grid, made by `actor`.
pub fn new_case(session: &Session, actor: &ActorId, n: u32, title: &str) -> (CaseId, AutoCommit) {
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    random[4] = actor.to_bytes()[0];
    let id = CaseId::from_parts(ts(i64::from(n)), random);
    let doc = CaseDocument::create(
        &NewCase {
            id,
            origin: Origin {
                reporter: session.user,
                role: session.role,
                device: session.device,
                grid: grid(),
                created_at: ts(i64::from(n)),
                source: CaseSource::Patrol,
            },
            category: "SR-01".parse().unwrap(),
            title: title.into(),
            description: "三天未清运，气味很大".into(),
            location: None,
        },
        actor.clone(),
    )
    .unwrap();
    (id, doc.into_automerge())
}

/// Edits a case on `phone` through the typed document API; the new change's hash.
pub fn edit(
    phone: &mut MemoryPhone,
    case: &CaseId,
    edit: impl FnOnce(&mut CaseDocument),
) -> Option<ChangeHash> {
    phone.edit(case, |doc| {
        let mut document =
            CaseDocument::from_automerge(std::mem::replace(doc, AutoCommit::new())).unwrap();
        edit(&mut document);
        let hash = document.commit(ts(1), "edit");
        *doc = document.into_automerge();
        hash
    })?
}

/// Comment number `n` by `session`'s user, written at minute `n`.
pub fn comment(session: &Session, n: u32, text: &str) -> Comment {
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    Comment {
        id: CommentId::from_parts(ts(i64::from(n)), random),
        author: session.user,
        role: session.role,
        device: session.device,
        at: ts(i64::from(n)),
        text: text.into(),
    }
}
