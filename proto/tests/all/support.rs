//! Builders for tests: fixed ids, actors and a script of workflow events.

use automerge::ActorId;
use uuid::Uuid;
use wangge_proto::Role;
use wangge_proto::case::{
    Actor, CaseDocument, CaseSource, Comment, DuplicateLink, Evidence, EvidenceStage, ImageMime,
    Location, NewCase, Origin,
};
use wangge_proto::values::{
    CaseId, CommentId, ContentHash, DepartmentCode, DeviceId, EventId, GeoPoint, GridCode,
    Timestamp, UserId,
};
use wangge_proto::workflow::{
    Action, CaseState, DeadlinePolicy, Score, Scores, WorkflowEvent, derive, heads,
};

/// 2026-11-01T08:00:00Z plus `minutes`.
pub fn ts(minutes: i64) -> Timestamp {
    Timestamp::from_millis(1_793_520_000_000 + minutes * 60_000).unwrap()
}

/// A deterministic event id; ids grow with `n`.
pub fn eid(n: u32) -> EventId {
    let mut random = [0u8; 10];
    random[6..].copy_from_slice(&n.to_be_bytes());
    EventId::from_parts(ts(i64::from(n)), random)
}

pub fn case_id(n: u8) -> CaseId {
    CaseId::from_parts(ts(0), [n; 10])
}

pub fn user_of(role: Role) -> UserId {
    let index = Role::ALL.iter().position(|r| *r == role).unwrap() as u128;
    UserId::from_uuid(Uuid::from_u128(0x1000 + index)).unwrap()
}

pub fn device_of(role: Role) -> DeviceId {
    let index = Role::ALL.iter().position(|r| *r == role).unwrap() as u128;
    DeviceId::from_uuid(Uuid::from_u128(0x2000 + index)).unwrap()
}

pub fn actor(role: Role) -> Actor {
    Actor {
        user: user_of(role),
        role,
        device: device_of(role),
    }
}

pub fn actor_id(n: u8) -> ActorId {
    ActorId::from(&[n; 16][..])
}

pub fn dept(code: &str) -> DepartmentCode {
    code.parse().unwrap()
}

pub fn grid() -> GridCode {
    "110105001001001".parse().unwrap()
}

pub fn hash(n: u8) -> ContentHash {
    ContentHash::of(&[n; 8])
}

pub fn new_case() -> NewCase {
    NewCase {
        id: case_id(1),
        origin: Origin {
            reporter: user_of(Role::GridWorker),
            role: Role::GridWorker,
            device: device_of(Role::GridWorker),
            grid: grid(),
            created_at: ts(0),
            source: CaseSource::Patrol,
        },
        category: "SR-01".parse().unwrap(),
        title: "和平里北街垃圾堆放".into(),
        description: "小区南门外堆放生活垃圾约两立方米，有异味。".into(),
        location: Some(Location {
            point: GeoPoint::new(39.9612, 116.4178).unwrap(),
            accuracy_m: Some(8.5),
            address: "和平里北街12号院南门".into(),
        }),
    }
}

pub fn evidence(n: u8, stage: EvidenceStage, by: Role) -> Evidence {
    Evidence {
        hash: hash(n),
        size: 183_000 + u64::from(n),
        width: 1600,
        height: 1200,
        mime: ImageMime::Jpeg,
        captured_at: Some(ts(1)),
        captured_place: Some(GeoPoint::new(39.9612, 116.4178).unwrap()),
        thumbnail: Some(hash(n.wrapping_add(100))),
        stage,
        caption: "南门外垃圾".into(),
        added_by: user_of(by),
        device: device_of(by),
        added_at: ts(2),
    }
}

pub fn comment(n: u32, by: Role, text: &str) -> Comment {
    let mut random = [0u8; 10];
    random[6..].copy_from_slice(&n.to_be_bytes());
    Comment {
        id: CommentId::from_parts(ts(i64::from(n)), random),
        author: user_of(by),
        role: by,
        device: device_of(by),
        at: ts(i64::from(n)),
        text: text.into(),
    }
}

pub fn duplicate_link(of: CaseId) -> DuplicateLink {
    DuplicateLink {
        case: of,
        linked_by: user_of(Role::CommunitySecretary),
        at: ts(5),
        note: "同一处垃圾".into(),
    }
}

/// The same score on all five dimensions.
pub fn scores(points: u8) -> Scores {
    let s = Score::new(points).unwrap();
    Scores {
        check_in: s,
        professionalism: s,
        responsibility: s,
        cooperation: s,
        result: s,
    }
}

/// Builds a workflow history event by event, each following the current heads (or given ones).
#[derive(Default)]
pub struct Script {
    pub events: Vec<WorkflowEvent>,
    next: u32,
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }

    /// An event by `role` following everything so far.
    pub fn step(&mut self, role: Role, action: Action) -> EventId {
        let follows = heads(&self.events);
        self.step_after(role, action, &follows)
    }

    /// An event by `role` following exactly `follows` (to model concurrent steps).
    pub fn step_after(&mut self, role: Role, action: Action, follows: &[EventId]) -> EventId {
        self.next += 1;
        let id = eid(self.next);
        self.events.push(WorkflowEvent {
            id,
            action,
            actor: user_of(role),
            role,
            device: device_of(role),
            at: ts(i64::from(self.next)),
            follows: follows.to_vec(),
        });
        id
    }

    pub fn state(&self) -> CaseState {
        derive(&self.events, &DeadlinePolicy::default())
    }
}

/// A case document created by the grid worker on actor 1.
pub fn created_document() -> CaseDocument {
    CaseDocument::create(&new_case(), actor_id(1)).unwrap()
}
