//! The starting point of every case-sync scenario: the organisation, an in-memory hub, the
//! grid worker's phone and the secretary's phone, holding cases the worker registered, all
//! synced; and the one measured sync of the worker's phone over the simulated link.

use automerge::AutoCommit;
use wangge_proto::values::CaseId;
use wangge_sync::phone::MemoryPhone;
use wangge_sync::sim::{Faults, LinkStats, Network};

use super::cases::CaseFactory;
use super::people::{self, BenchHub, Org};
use super::{Config, Result, drive};

/// People, devices and cases.
pub struct Scene {
    /// Who is who.
    pub org: Org,
    /// The hub.
    pub hub: BenchHub,
    /// Makes cases and edits.
    pub factory: CaseFactory,
    /// The grid worker's phone (the one measured).
    pub phone: MemoryPhone,
    /// The community secretary's phone.
    pub other: MemoryPhone,
    /// Cases the worker registered; on the hub and on both phones.
    pub held: Vec<CaseId>,
}

/// The measured sync: what it did, what crossed the link, whether it converged.
pub struct Measured {
    /// The run.
    pub run: drive::Run,
    /// Link counters.
    pub stats: LinkStats,
    /// The worker's phone against the hub.
    pub convergence: drive::Convergence,
}

impl Scene {
    /// A scene whose worker registered `held` cases, synced by both phones; `salt` varies the
    /// generated cases per scenario.
    pub fn new(config: &Config, salt: u64, held: usize) -> Result<Self> {
        let org = Org::new()?;
        let mut scene = Self {
            hub: people::hub(config.limits),
            factory: CaseFactory::new(config.seed ^ salt),
            phone: org.worker.phone(),
            other: org.secretary.phone(),
            held: Vec::with_capacity(held),
            org,
        };
        for _ in 0..held {
            let (id, doc) = scene.factory.new_case(&scene.org, &scene.org.worker)?;
            scene.phone.insert(id, doc);
            scene.held.push(id);
        }
        scene.settle_worker(config)?;
        scene.settle_secretary(config)?;
        Ok(scene)
    }

    /// The worker registers a case on the phone.
    pub fn worker_registers(&mut self) -> Result<CaseId> {
        let (id, doc) = self.factory.new_case(&self.org, &self.org.worker)?;
        self.phone.insert(id, doc);
        Ok(id)
    }

    /// The secretary registers a case on their phone.
    pub fn secretary_registers(&mut self) -> Result<CaseId> {
        let (id, doc) = self.factory.new_case(&self.org, &self.org.secretary)?;
        self.other.insert(id, doc);
        Ok(id)
    }

    /// The worker edits `case` on the phone.
    pub fn worker_edits(&mut self, case: &CaseId) -> Result<()> {
        let (org, factory) = (&self.org, &mut self.factory);
        edit(&mut self.phone, case, |doc| factory.worker_edit(org, doc))
    }

    /// The secretary edits `case` on their phone.
    pub fn secretary_edits(&mut self, case: &CaseId) -> Result<()> {
        let (org, factory) = (&self.org, &mut self.factory);
        edit(&mut self.other, case, |doc| {
            factory.secretary_edit(org, doc)
        })
    }

    /// The worker's phone syncs until nothing moves (not measured).
    pub fn settle_worker(&mut self, config: &Config) -> Result<()> {
        drive::settle(&self.hub, &self.org.worker, config.limits, &mut self.phone)
    }

    /// The secretary's phone syncs until nothing moves (not measured).
    pub fn settle_secretary(&mut self, config: &Config) -> Result<()> {
        drive::settle(
            &self.hub,
            &self.org.secretary,
            config.limits,
            &mut self.other,
        )
    }

    /// The measured sync of the worker's phone, at most `max_round_trips`.
    pub fn measure(&mut self, config: &Config, max_round_trips: u64) -> Result<Measured> {
        let mut net = Network::new(config.seed, Faults::none());
        let run = drive::sync(
            &mut net,
            &self.hub,
            &self.org.worker,
            config.limits,
            &mut self.phone,
            max_round_trips,
        )?;
        let convergence = drive::converged(&self.hub, &self.phone)?;
        Ok(Measured {
            run,
            stats: net.stats().clone(),
            convergence,
        })
    }
}

/// Applies `change` to `case` on `phone` (which signs and marks it dirty).
pub fn edit(
    phone: &mut MemoryPhone,
    case: &CaseId,
    change: impl FnOnce(&mut AutoCommit) -> Result<()>,
) -> Result<()> {
    phone
        .edit(case, change)
        .ok_or_else(|| format!("case {case} is not on the phone"))?
}
