//! A small world: one hub, grid-worker and secretary phones, case builders.

use std::sync::{Arc, Mutex};

use automerge::{ActorId, AutoCommit, ChangeHash};
use wangge_proto::case::CaseDocument;
use wangge_proto::values::CaseId;
use wangge_proto::{Role, Scope};
use wangge_sync::hub::{AcceptAll, BatchStats, Hub, MemoryHub, Observer, Policy, Session};
use wangge_sync::peer::PeerSession;
use wangge_sync::phone::{MemoryPhone, PhoneSync, Report};
use wangge_sync::relay::SigningKey;
use wangge_sync::sim::{Exchange, Network};
use wangge_sync::{Error, Limits};

use crate::common::{self, Identity, worker_scope};
pub use crate::common::{grid, other_grid, ts};

/// One phone: its session on the hub, its store, its protocol side.
pub struct Device {
    pub session: Session,
    pub phone: MemoryPhone,
    pub sync: PhoneSync,
    pub key: SigningKey,
    pub actor: ActorId,
}

impl Device {
    /// A phone of `role` in `scope`, number `n` (ids derive from it), enrolled on `hub`.
    pub fn enrol(hub: &MemoryHub, n: u8, role: Role, scope: Scope) -> Self {
        let identity = Identity::new(n, role, scope);
        hub.enrol(identity.record(&identity.actor));
        let Identity {
            session,
            actor,
            key,
        } = identity;
        Self {
            sync: PhoneSync::new(session.device, vec![actor.clone()], Limits::default()),
            phone: MemoryPhone::new(actor.clone(), Some(key.clone())),
            session,
            key,
            actor,
        }
    }

    fn identity(&self) -> Identity {
        Identity {
            session: self.session.clone(),
            actor: self.actor.clone(),
            key: self.key.clone(),
        }
    }

    pub fn grid_worker(hub: &MemoryHub, n: u8) -> Self {
        Self::enrol(hub, n, Role::GridWorker, worker_scope())
    }

    pub fn secretary(hub: &MemoryHub, n: u8) -> Self {
        Self::enrol(
            hub,
            n,
            Role::CommunitySecretary,
            Scope::Community {
                community: grid().community(),
            },
        )
    }

    /// Loses the phone's state; it enrols again under a fresh actor (`generation` makes it
    /// distinct).
    pub fn wipe(&mut self, hub: &MemoryHub, generation: u8) {
        let mut bytes = self.actor.to_bytes().to_vec();
        bytes[15] = bytes[15].wrapping_add(generation).wrapping_add(1);
        let actor = ActorId::from(&bytes[..]);
        hub.enrol(self.identity().record(&actor));
        self.session.actors.push(actor.clone());
        self.sync = PhoneSync::new(
            self.session.device,
            self.session.actors.clone(),
            Limits::default(),
        );
        self.phone.wipe(actor.clone());
        self.actor = actor;
    }

    /// Registers a case on this phone (offline), returning its id.
    pub fn create_case(&mut self, n: u32, title: &str) -> CaseId {
        let (id, doc) = common::new_case(&self.session, &self.actor, n, title);
        self.phone.insert(id, doc);
        id
    }

    /// Edits a case through the typed document API; returns the new change's hash.
    pub fn edit(
        &mut self,
        case: &CaseId,
        edit: impl FnOnce(&mut CaseDocument),
    ) -> Option<ChangeHash> {
        common::edit(&mut self.phone, case, edit)
    }

    pub fn set_title(&mut self, case: &CaseId, title: &str) -> Option<ChangeHash> {
        self.edit(case, |doc| doc.set_title(title).unwrap())
    }

    pub fn comment(&mut self, case: &CaseId, n: u32, text: &str) -> Option<ChangeHash> {
        let comment = common::comment(&self.session, n, text);
        self.edit(case, |doc| {
            doc.add_comment(&comment).unwrap();
        })
    }

    /// One sync straight to the hub (no network faults).
    pub fn sync_with<P: Policy>(&mut self, hub: &Hub<&MemoryHub, P>) -> Result<Report, Error> {
        let (request, sent) = self.sync.prepare(&self.phone)?;
        let response = pollster::block_on(hub.sync(&self.session, &request))?;
        self.sync.receive(&mut self.phone, &sent, &response)
    }

    /// Syncs until the hub has nothing more for this phone.
    pub fn sync_fully<P: Policy>(&mut self, hub: &Hub<&MemoryHub, P>) -> Report {
        for _ in 0..20 {
            let report = self.sync_with(hub).unwrap();
            if !report.more && !report.resend.iter().any(|_| true) {
                return report;
            }
        }
        panic!("sync did not settle in 20 rounds");
    }

    /// One sync over a simulated network; `None` if the exchange or the response failed.
    pub fn sync_over<P: Policy>(
        &mut self,
        hub: &Hub<&MemoryHub, P>,
        net: &mut Network,
    ) -> Option<Report> {
        let (request, sent) = self.sync.prepare(&self.phone).unwrap();
        let session = self.session.clone();
        let mut server = |incoming: wangge_sync::sim::Incoming<'_>| {
            if incoming.cut {
                return b"cut".to_vec();
            }
            pollster::block_on(hub.sync(&session, incoming.bytes))
                .unwrap_or_else(|e| e.code().as_bytes().to_vec())
        };
        match net.exchange(&request, &mut server) {
            Exchange::Response(bytes) => self.sync.receive(&mut self.phone, &sent, &bytes).ok(),
            Exchange::Failed(_) => None,
        }
    }

    /// Heads of a case on this phone.
    pub fn heads(&self, case: &CaseId) -> Option<Vec<ChangeHash>> {
        let mut doc = self.phone.get(case)?.doc.clone();
        let mut heads = doc.get_heads();
        heads.sort();
        Some(heads)
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

pub fn hub<P: Policy>(store: &MemoryHub, policy: P) -> Hub<&MemoryHub, P> {
    Hub::new(store, policy, Limits::default())
}

/// Two phones meet in a dead zone and exchange until neither has anything to say; `false`
/// if they are still talking after 20 rounds.
pub fn meet(one: &mut Device, two: &mut Device) -> bool {
    let mut one_side = PeerSession::new(one.session.device, Limits::default());
    let mut two_side = PeerSession::new(two.session.device, Limits::default());
    for _ in 0..20 {
        let from_one = one_side.generate(&one.phone).unwrap();
        if let Some(message) = &from_one {
            two_side.receive(&mut two.phone, message).unwrap();
        }
        let from_two = two_side.generate(&two.phone).unwrap();
        if let Some(message) = &from_two {
            one_side.receive(&mut one.phone, message).unwrap();
        }
        if from_one.is_none() && from_two.is_none() {
            return true;
        }
    }
    false
}

/// Keeps the stats of every batch a hub answered.
#[derive(Default)]
pub struct StatsRecorder(Mutex<Vec<BatchStats>>);

impl Observer for StatsRecorder {
    fn batch(&self, stats: &BatchStats) {
        self.0.lock().unwrap().push(*stats);
    }
}

impl StatsRecorder {
    /// The stats of every batch so far, in order.
    pub fn all(&self) -> Vec<BatchStats> {
        self.0.lock().unwrap().clone()
    }

    /// The stats of the last batch.
    pub fn last(&self) -> BatchStats {
        *self.0.lock().unwrap().last().unwrap()
    }
}

/// A hub over `store` that accepts every upload, recording the stats of each batch.
pub fn observed(store: &MemoryHub) -> (Hub<&MemoryHub, AcceptAll>, Arc<StatsRecorder>) {
    let recorder = Arc::new(StatsRecorder::default());
    let hub = Hub::new(store, AcceptAll, Limits::default()).with_observer(recorder.clone());
    (hub, recorder)
}
