//! The uploads of the merge benchmark, recorded once and replayed on every store.
//!
//! A grid worker's phone and the community secretary's phone take `groups × batch` cases
//! through their life cycle against an in-memory hub with the permission policy (so every
//! upload is known to pass it): the worker registers a batch (creation, photos, report), the
//! secretary accepts and grades it, the worker adds to the descriptions, the secretary
//! handles the cases, the worker follows up with "after" photos. Each of those five uploads
//! is one request of `batch` cases and is *timed* on replay; before editing, a phone pulls
//! what the other did (untimed). Every request is kept as the bytes the phone sent, and the
//! hub's [`BatchStats`] of each as what a faithful replay must reproduce.

use std::sync::{Arc, Mutex, PoisonError};

use wangge_proto::values::CaseId;
use wangge_server::services::validate::PermissionPolicy;
use wangge_sync::Limits;
use wangge_sync::hub::{BatchStats, Hub, MemoryHub, Observer, Session};
use wangge_sync::phone::{MemoryPhone, PhoneSync};

use crate::server::Config;
use crate::server::steps::Steps;
use crate::sync::Result;
use crate::sync::people::{Org, Person};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Step {
    /// Index into [`Script::sessions`].
    pub who: usize,
    /// The encoded request.
    pub request: Vec<u8>,
    /// An upload batch (measured), or a pull (not measured).
    pub timed: bool,
}

/// Every request of the benchmark, in order, and what the hub did with each.
#[derive(Debug, Clone)]
pub struct Script {
    /// The worker's and the secretary's sessions.
    pub sessions: [Session; 2],
    /// The requests.
    pub steps: Vec<Step>,
    /// The hub's stats of each request, as recorded.
    pub expected: Vec<BatchStats>,
}

impl Script {
    /// Changes stored by the timed requests.
    pub fn timed_changes(&self) -> u64 {
        self.timed().map(|s| s.changes_stored).sum()
    }

    /// Case uploads accepted by the timed requests.
    pub fn timed_cases(&self) -> u64 {
        self.timed().map(|s| s.accepted).sum()
    }

    /// Timed requests.
    pub fn timed_batches(&self) -> usize {
        self.steps.iter().filter(|s| s.timed).count()
    }

    fn timed(&self) -> impl Iterator<Item = &BatchStats> {
        self.steps
            .iter()
            .zip(&self.expected)
            .filter(|(step, _)| step.timed)
            .map(|(_, stats)| stats)
    }
}

/// Collects the stats of every request a hub answers.
#[derive(Debug, Default)]
pub struct Recorder(Mutex<Vec<BatchStats>>);

impl Recorder {
    /// Everything recorded so far, emptying the recorder.
    pub fn take(&self) -> Vec<BatchStats> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Observer for Recorder {
    fn batch(&self, stats: &BatchStats) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(*stats);
    }
}

type RecordingHub<'a> = Hub<&'a MemoryHub, PermissionPolicy>;

/// One phone while recording.
struct Side {
    person: Person,
    session: Session,
    phone: MemoryPhone,
    sync: PhoneSync,
}

impl Side {
    fn new(person: Person) -> Self {
        Self {
            session: person.session(),
            phone: person.phone(),
            sync: person.sync(Limits::default()),
            person,
        }
    }

    /// Edits each case with `edit` as this side's person.
    fn edit_all(
        &mut self,
        cases: &[CaseId],
        steps: &mut Steps,
        edit: fn(&mut Steps, &Person, &mut automerge::AutoCommit) -> Result<()>,
    ) -> Result<()> {
        for case in cases {
            let person = &self.person;
            self.phone
                .edit(case, |doc| edit(steps, person, doc))
                .ok_or_else(|| format!("case {case} is not on the phone"))??;
        }
        Ok(())
    }
}

struct Recording<'a> {
    hub: RecordingHub<'a>,
    steps: Vec<Step>,
}

impl Recording<'_> {
    /// One request of `side` (index `who`); every upload must be accepted.
    fn exchange(&mut self, who: usize, side: &mut Side, timed: bool) -> Result<bool> {
        let (request, sent) = side.sync.prepare(&side.phone)?;
        let response = pollster::block_on(self.hub.sync(&side.session, &request))?;
        let report = side.sync.receive(&mut side.phone, &sent, &response)?;
        if !report.rejected.is_empty() || !report.resend.is_empty() || !report.broken.is_empty() {
            let first = report
                .rejected
                .first()
                .map(|r| format!("{}: {}", r.code, r.en));
            return Err(format!(
                "recording: {} refused (first: {first:?}), {} to resend, {} broken",
                report.rejected.len(),
                report.resend.len(),
                report.broken.len()
            )
            .into());
        }
        self.steps.push(Step {
            who,
            request,
            timed,
        });
        Ok(report.more)
    }

    /// Syncs until the hub has nothing more for `side` (not timed).
    fn pull(&mut self, who: usize, side: &mut Side) -> Result<()> {
        for _ in 0..20 {
            if !self.exchange(who, side, false)? {
                return Ok(());
            }
        }
        Err("recording: a pull did not settle in 20 requests".into())
    }
}

/// Records the benchmark's requests (see the module doc).
pub fn record(config: &Config) -> Result<Script> {
    let org = Org::new()?;
    let store = MemoryHub::new();
    let recorder = Arc::new(Recorder::default());
    let observer: Arc<dyn Observer> = recorder.clone();
    let mut rec = Recording {
        hub: Hub::new(&store, PermissionPolicy::new(), Limits::default()).with_observer(observer),
        steps: Vec::new(),
    };
    let mut worker = Side::new(org.worker.clone());
    let mut secretary = Side::new(org.secretary.clone());
    let mut steps = Steps::new(config.seed);
    let (w, s) = (0, 1);
    for _ in 0..config.groups {
        let mut cases = Vec::with_capacity(config.batch);
        for _ in 0..config.batch {
            let (id, doc) = steps.register(&worker.person, &org.grid)?;
            worker.phone.insert(id, doc);
            cases.push(id);
        }
        rec.exchange(w, &mut worker, true)?;
        worker.edit_all(&cases, &mut steps, Steps::annotate)?;
        rec.exchange(w, &mut worker, true)?;

        rec.pull(s, &mut secretary)?;
        secretary.edit_all(&cases, &mut steps, Steps::accept)?;
        rec.exchange(s, &mut secretary, true)?;
        secretary.edit_all(&cases, &mut steps, Steps::handle)?;
        rec.exchange(s, &mut secretary, true)?;

        rec.pull(w, &mut worker)?;
        worker.edit_all(&cases, &mut steps, Steps::follow_up)?;
        rec.exchange(w, &mut worker, true)?;
    }
    let script = Script {
        sessions: [worker.session, secretary.session],
        steps: rec.steps,
        expected: recorder.take(),
    };
    let batch = config.batch as u64;
    for (step, stats) in script.steps.iter().zip(&script.expected) {
        if step.timed && stats.accepted != batch {
            return Err(format!(
                "recording: a batch accepted {} of {batch} cases",
                stats.accepted
            )
            .into());
        }
    }
    Ok(script)
}
