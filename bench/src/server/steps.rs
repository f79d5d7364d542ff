//! What people really do to a case, each as its own author, so every change passes the
//! server's permission policy: the grid worker registers (with photos and the report), the
//! community secretary accepts and grades, the worker adds to the description, the secretary
//! handles the case locally, the worker follows up with an "after" photo.
//!
//! Texts, photos and comments come from the sync benchmark's [`CaseFactory`] (≈ 200 Chinese
//! characters of description, 2 photo references, realistic remarks); workflow steps go
//! through [`CaseDocument::act`], which checks them against the derived state as a phone does.

use automerge::AutoCommit;
use wangge_proto::case::{CaseDocument, CaseSource, EvidenceStage, Location, NewCase, Origin};
use wangge_proto::values::{CaseId, EventId, GeoPoint, GridCode};
use wangge_proto::workflow::{Action, DeadlinePolicy, Tier};
use wangge_sync::sim::rand::Rng;

use crate::sync::Result;
use crate::sync::cases::{CaseFactory, PLACES, PROBLEMS, REMARKS, SENTENCES};
use crate::sync::people::Person;

/// Makes honest cases and edits from one seed.
#[derive(Debug)]
pub struct Steps {
    factory: CaseFactory,
}

impl Steps {
    /// Steps whose every choice derives from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            factory: CaseFactory::new(seed),
        }
    }

    /// `by` registers a case in `grid`: the creation (with location) in one commit, then two
    /// photos and the report in a second.
    pub fn register(&mut self, by: &Person, grid: &GridCode) -> Result<(CaseId, AutoCommit)> {
        let f = &mut self.factory;
        let created_at = f.tick()?;
        let id = CaseId::from_parts(created_at, f.rng.random());
        let place = f.pick(&PLACES);
        let new = NewCase {
            id,
            origin: Origin {
                reporter: by.user,
                role: by.role,
                device: by.device,
                grid: grid.clone(),
                created_at,
                source: f.pick(&[CaseSource::Patrol, CaseSource::Wechat, CaseSource::Visit]),
            },
            category: f
                .pick(&["SR-01", "SR-02", "CG-03", "CG-07", "JT-02", "LH-01"])
                .parse()?,
            title: format!("{place}{}", f.pick(&PROBLEMS)),
            description: f.description(200),
            location: Some(Location {
                point: GeoPoint::new(
                    39.93 + f.rng.random_range(0.0..0.05),
                    116.39 + f.rng.random_range(0.0..0.05),
                )?,
                accuracy_m: Some(f64::from(f.rng.random_range(3u8..30))),
                address: format!("{place}{}号院南侧", f.rng.random_range(1..60)),
            }),
        };
        let mut case = CaseDocument::create(&new, by.actor.clone())?;
        for _ in 0..2 {
            let evidence = f.evidence(by, EvidenceStage::Before)?;
            case.add_evidence(&evidence)?;
        }
        self.act(
            &mut case,
            by,
            Action::Report {
                on_site_resolved: false,
            },
        )?;
        self.commit(&mut case, "report")?;
        Ok((id, case.into_automerge()))
    }

    /// The secretary accepts the report, grades it simple and comments: one commit.
    pub fn accept(&mut self, by: &Person, doc: &mut AutoCommit) -> Result<()> {
        self.edit(doc, "accept", |steps, case| {
            steps.act(case, by, Action::Accept)?;
            steps.act(case, by, Action::Grade { tier: Tier::Simple })?;
            steps.factory.comment(case, by)
        })
    }

    /// The worker adds a sentence to the description and a comment: one commit.
    pub fn annotate(&mut self, by: &Person, doc: &mut AutoCommit) -> Result<()> {
        self.edit(doc, "edit", |steps, case| {
            let mut description = case.read()?.description;
            description.push_str(steps.factory.pick(&SENTENCES));
            case.set_description(&description)?;
            steps.factory.comment(case, by)
        })
    }

    /// The secretary handles the case in the community, with a progress note: one commit.
    pub fn handle(&mut self, by: &Person, doc: &mut AutoCommit) -> Result<()> {
        self.edit(doc, "handle", |steps, case| {
            steps.act(case, by, Action::SelfHandle)?;
            let note = steps.factory.pick(&REMARKS).to_owned();
            steps.act(case, by, Action::Progress { note })?;
            Ok(())
        })
    }

    /// The worker follows up on site: an "after" photo, a progress note, a comment.
    pub fn follow_up(&mut self, by: &Person, doc: &mut AutoCommit) -> Result<()> {
        self.edit(doc, "follow-up", |steps, case| {
            let evidence = steps.factory.evidence(by, EvidenceStage::After)?;
            case.add_evidence(&evidence)?;
            let note = steps.factory.pick(&REMARKS).to_owned();
            steps.act(case, by, Action::Progress { note })?;
            steps.factory.comment(case, by)
        })
    }

    fn edit(
        &mut self,
        doc: &mut AutoCommit,
        message: &str,
        change: impl FnOnce(&mut Self, &mut CaseDocument) -> Result<()>,
    ) -> Result<()> {
        let mut case = CaseDocument::from_automerge(std::mem::take(doc))?;
        let result = change(self, &mut case);
        if result.is_ok() {
            self.commit(&mut case, message)?;
        }
        *doc = case.into_automerge();
        result
    }

    fn commit(&mut self, case: &mut CaseDocument, message: &str) -> Result<()> {
        let at = self.factory.tick()?;
        case.commit(at, message);
        Ok(())
    }

    /// A workflow step as `by`, checked against the derived state first.
    fn act(&mut self, case: &mut CaseDocument, by: &Person, action: Action) -> Result<()> {
        let at = self.factory.tick()?;
        let id = EventId::from_parts(at, self.factory.rng.random());
        let actor = wangge_proto::case::Actor {
            user: by.user,
            role: by.role,
            device: by.device,
        };
        case.act(&actor, action, id, at, &DeadlinePolicy::default())?;
        Ok(())
    }
}
