//! A small world: one hub with the permission policy, phones in every role, case builders,
//! typed edits, honest steps and forged ones.

use automerge::{ActorId, AutoCommit, ChangeHash};
use wangge_proto::case::{Actor, CaseDocument, CaseSource, NewCase, Origin};
use wangge_proto::values::{CaseId, DepartmentCode, EventId};
use wangge_proto::workflow::{Action, DeadlinePolicy, Status, WorkflowEvent, heads};
use wangge_proto::{Role, Scope};
use wangge_server::services::validate::PermissionPolicy;
use wangge_sync::Limits;
use wangge_sync::hub::{Hub, MemoryHub, Policy, Session};
use wangge_sync::phone::{MemoryPhone, PhoneSync, Report};

pub type PolicyHub<'s> = Hub<&'s MemoryHub, PermissionPolicy>;

use crate::common::{self, Identity};
pub use crate::common::{grid, ts};

pub fn department(code: &str) -> DepartmentCode {
    code.parse().unwrap()
}

/// The hub with the permission policy.
pub fn hub(store: &MemoryHub) -> PolicyHub<'_> {
    Hub::new(store, PermissionPolicy::new(), Limits::default())
}

/// One phone: its session on the hub, its store, its protocol side.
pub struct Device {
    pub session: Session,
    pub phone: MemoryPhone,
    pub sync: PhoneSync,
    pub actor: ActorId,
    /// Events written so far, for distinct event ids.
    steps: u32,
}

impl Device {
    /// A phone of `role` in `scope`, number `n` (ids derive from it), enrolled on `store`.
    pub fn enrol(store: &MemoryHub, n: u8, role: Role, scope: Scope) -> Self {
        let identity = Identity::new(n, role, scope);
        store.enrol(identity.record(&identity.actor));
        let Identity {
            session,
            actor,
            key,
        } = identity;
        Self {
            sync: PhoneSync::new(session.device, vec![actor.clone()], Limits::default()),
            phone: MemoryPhone::new(actor.clone(), Some(key)),
            session,
            actor,
            steps: 0,
        }
    }

    pub fn grid_worker(store: &MemoryHub, n: u8) -> Self {
        let grids = [grid()].into();
        Self::enrol(store, n, Role::GridWorker, Scope::Grids { grids })
    }

    pub fn secretary(store: &MemoryHub, n: u8) -> Self {
        let community = grid().community();
        Self::enrol(
            store,
            n,
            Role::CommunitySecretary,
            Scope::Community { community },
        )
    }

    pub fn street(store: &MemoryHub, n: u8) -> Self {
        let street = grid().street();
        Self::enrol(store, n, Role::StreetOffice, Scope::Street { street })
    }

    pub fn department(store: &MemoryHub, n: u8, code: &str) -> Self {
        let department = department(code);
        Self::enrol(
            store,
            n,
            Role::DepartmentHandler,
            Scope::Department { department },
        )
    }

    pub fn coordination(store: &MemoryHub, n: u8) -> Self {
        Self::enrol(store, n, Role::CoordinationOffice, Scope::Everything)
    }

    /// Who this phone acts as.
    pub fn actor_info(&self) -> Actor {
        Actor {
            user: self.session.user,
            role: self.session.role,
            device: self.session.device,
        }
    }

    /// Registers case number `n` on this phone (offline) with `origin` as this phone's user.
    pub fn create_case(&mut self, n: u32, title: &str) -> CaseId {
        let origin = Origin {
            reporter: self.session.user,
            role: self.session.role,
            device: self.session.device,
            grid: grid(),
            created_at: ts(i64::from(n)),
            source: CaseSource::Patrol,
        };
        self.create_case_with(n, title, origin)
    }

    /// Registers case number `n` with the given registration data.
    pub fn create_case_with(&mut self, n: u32, title: &str, origin: Origin) -> CaseId {
        let mut random = [0u8; 10];
        random[..4].copy_from_slice(&n.to_be_bytes());
        random[4] = self.actor.to_bytes()[0];
        let id = CaseId::from_parts(ts(i64::from(n)), random);
        let doc = CaseDocument::create(
            &NewCase {
                id,
                origin,
                category: "SR-01".parse().unwrap(),
                title: title.into(),
                description: "三天未清运，气味很大".into(),
                location: None,
            },
            self.actor.clone(),
        )
        .unwrap();
        self.phone.insert(id, doc.into_automerge());
        id
    }

    /// Edits a case through the typed document API and commits; the new change's hash.
    pub fn edit(
        &mut self,
        case: &CaseId,
        edit: impl FnOnce(&mut CaseDocument),
    ) -> Option<ChangeHash> {
        common::edit(&mut self.phone, case, edit)
    }

    /// Adds comment number `n` as this phone's user.
    pub fn comment(&mut self, case: &CaseId, n: u32, text: &str) -> Option<ChangeHash> {
        let comment = common::comment(&self.session, n, text);
        self.edit(case, |doc| {
            doc.add_comment(&comment).unwrap();
        })
    }

    /// Edits the raw automerge document (for forged edits) and commits.
    pub fn edit_raw(&mut self, case: &CaseId, edit: impl FnOnce(&mut AutoCommit)) {
        self.phone
            .edit(case, |doc| {
                edit(doc);
                doc.commit();
            })
            .unwrap();
    }

    /// A fresh event id.
    fn next_event_id(&mut self) -> EventId {
        self.steps += 1;
        let mut random = [0u8; 10];
        random[..4].copy_from_slice(&self.steps.to_be_bytes());
        random[4] = self.actor.to_bytes()[0];
        EventId::from_parts(ts(i64::from(self.steps)), random)
    }

    /// Takes a workflow step the honest way: the phone checks it, then records it.
    pub fn act(&mut self, case: &CaseId, action: Action) -> WorkflowEvent {
        let (actor, id) = (self.actor_info(), self.next_event_id());
        let mut event = None;
        self.edit(case, |doc| {
            let made = doc
                .act(&actor, action, id, ts(30), &DeadlinePolicy::default())
                .unwrap();
            event = Some(made);
        });
        event.unwrap()
    }

    /// Writes a step without the phone's checks, as `forge` makes it from an honest one.
    pub fn forge(
        &mut self,
        case: &CaseId,
        action: Action,
        forge: impl FnOnce(&mut WorkflowEvent),
    ) -> WorkflowEvent {
        let (actor, id) = (self.actor_info(), self.next_event_id());
        let mut written = None;
        self.edit(case, |doc| {
            let (events, _) = doc.events().unwrap();
            let mut event = WorkflowEvent {
                id,
                action,
                actor: actor.user,
                role: actor.role,
                device: actor.device,
                at: ts(30),
                follows: heads(&events),
            };
            forge(&mut event);
            doc.append_event(&event).unwrap();
            written = Some(event);
        });
        written.unwrap()
    }

    /// One sync straight to the hub.
    pub fn sync_with<P: Policy>(&mut self, hub: &Hub<&MemoryHub, P>) -> Report {
        let (request, sent) = self.sync.prepare(&self.phone).unwrap();
        let response = pollster::block_on(hub.sync(&self.session, &request)).unwrap();
        self.sync
            .receive(&mut self.phone, &sent, &response)
            .unwrap()
    }

    /// Syncs until the hub has nothing more for this phone; every upload must be accepted.
    pub fn sync_fully<P: Policy>(&mut self, hub: &Hub<&MemoryHub, P>) {
        for _ in 0..20 {
            let report = self.sync_with(hub);
            assert!(report.rejected.is_empty(), "refused: {:?}", report.rejected);
            if !report.more && report.resend.is_empty() {
                return;
            }
        }
        panic!("sync did not settle in 20 rounds");
    }
}

/// Heads of a case on the hub.
pub fn hub_heads(store: &MemoryHub, case: &CaseId) -> Option<Vec<ChangeHash>> {
    let mut doc = AutoCommit::load(&store.case_bytes(case)?).unwrap();
    let mut heads = doc.get_heads();
    heads.sort();
    Some(heads)
}

/// The hub's document of a case.
pub fn hub_doc(store: &MemoryHub, case: &CaseId) -> CaseDocument {
    CaseDocument::load(&store.case_bytes(case).unwrap()).unwrap()
}

/// The status of a case on the hub.
pub fn hub_status(store: &MemoryHub, case: &CaseId) -> Status {
    hub_doc(store, case)
        .state(&DeadlinePolicy::default())
        .unwrap()
        .status
}

/// Syncs `phone`, expects the upload of `case` to be refused with `code`, the hub's copy of
/// the case unchanged, and the refused edits kept on the phone.
pub fn expect_refused(
    store: &MemoryHub,
    hub: &PolicyHub<'_>,
    phone: &mut Device,
    case: &CaseId,
    code: &str,
) {
    let stored = hub_heads(store, case);
    let kept_before = phone.phone.rejected().len();
    let report = phone.sync_with(hub);
    let refused: Vec<_> = report
        .rejected
        .iter()
        .map(|r| (r.case, r.code.as_str()))
        .collect();
    assert_eq!(refused, vec![(*case, code)], "{:?}", report.rejected);
    let rejection = &report.rejected[0];
    assert!(!rejection.zh.is_empty() && !rejection.en.is_empty());
    assert!(!report.accepted.contains(case));
    assert_eq!(hub_heads(store, case), stored, "the hub's copy changed");
    let kept = &phone.phone.rejected()[kept_before..];
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].code, code);
    assert!(
        !kept[0].changes.is_empty(),
        "the refused edits were dropped"
    );
}

/// A case reported by `worker` and synced (status: reported).
pub fn reported_case(hub: &PolicyHub<'_>, worker: &mut Device, n: u32) -> CaseId {
    let case = worker.create_case(n, "垃圾桶满溢");
    worker.act(
        &case,
        Action::Report {
            on_site_resolved: false,
        },
    );
    worker.sync_fully(hub);
    case
}
