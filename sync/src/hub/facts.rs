//! What a server's query tables hold about a case, read from the merged document at each
//! commit, so that lists and filters never load documents.
//!
//! Read cheaply: the origin, the category, the title, the photo hashes and the events, never
//! the comments or the description. The workflow state is derived once for both the
//! [`CaseIndex`] (scope) and the facts (status, tier, deadlines). At a merge into a hot
//! case, these parts are read again only where the new changes wrote ([`Glance`]).
//! Pure: no clock — deadlines stay relative to their anchor event, and the store, which
//! records when it first received each event, turns them into points in time.

use std::collections::BTreeSet;

use wangge_proto::case::{CaseDocument, CaseSource, Origin};
use wangge_proto::values::{CategoryCode, ContentHash, EventId, Timestamp, UserId};
use wangge_proto::workflow::{DeadlinePolicy, OpenDeadline, Status, Tier, WorkflowEvent, derive};

use super::touched::Touched;
use super::{CaseIndex, ReadCase};

/// The facts of one case as of one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// Derived status.
    pub status: Status,
    /// Tier, once graded.
    pub tier: Option<Tier>,
    /// Catalogue item.
    pub category: CategoryCode,
    /// Title, for lists.
    pub title: String,
    /// Who registered the case.
    pub reporter: UserId,
    /// When, by the reporting device's clock (from the origin).
    pub created_at: Timestamp,
    /// How it came in.
    pub source: CaseSource,
    /// Every photo hash referenced: main images and thumbnails.
    pub evidence: BTreeSet<ContentHash>,
    /// Every workflow event present (applied or refused).
    pub events: BTreeSet<EventId>,
    /// Deadlines still running, relative to their anchor events.
    pub deadlines: Vec<OpenDeadline>,
}

/// What one read of a merged case gives: its index, its facts and its workflow events.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Grid and departments.
    pub index: CaseIndex,
    /// The query tables' facts.
    pub facts: CaseFacts,
    /// The costly parts of this read, for the next merge to start from.
    pub(crate) glance: Glance,
}

impl Summary {
    /// The workflow events that validate (what [`CaseDocument::events`] reads), kept with the
    /// hot document so the next merge's policy judges against them without reading them again.
    pub fn events(&self) -> &[WorkflowEvent] {
        self.glance.events()
    }
}

/// The parts of a case the facts are read from — the origin, the category, the title, the
/// photo hashes, every workflow event — as last read. Kept with the hot document, so that the
/// next merge reads again only the parts its changes wrote ([`Touched`]).
#[derive(Debug, Clone)]
pub(crate) struct Glance {
    origin: Origin,
    category: CategoryCode,
    title: String,
    evidence: BTreeSet<ContentHash>,
    /// The events that validate, in the order of their keys in `events` (their ids).
    events: Vec<WorkflowEvent>,
}

impl Glance {
    /// Reads the parts whole.
    pub(crate) fn read(case: &ReadCase<'_>) -> Result<Self, wangge_proto::Error> {
        Ok(Self {
            origin: case.origin()?,
            category: case.category()?,
            title: case.title()?,
            evidence: case.evidence_hashes()?.into_iter().collect(),
            events: case.events()?.0,
        })
    }

    /// The events that validate.
    pub(crate) fn events(&self) -> &[WorkflowEvent] {
        &self.events
    }

    /// The parts of `case`, which is the case this glance was read from with changes that
    /// wrote `touched`: what they did not write is kept, the rest read again.
    fn after(&self, case: &ReadCase<'_>, touched: &Touched) -> Result<Self, wangge_proto::Error> {
        let origin = match touched.root("origin") {
            true => case.origin()?,
            false => self.origin.clone(),
        };
        let category = match touched.root("category") {
            true => case.category()?,
            false => self.category.clone(),
        };
        let title = match touched.root("title") {
            true => case.title()?,
            false => self.title.clone(),
        };
        let evidence = match touched.root("evidence") {
            true => case.evidence_hashes()?.into_iter().collect(),
            false => self.evidence.clone(),
        };
        let events = if touched.replaced("events") {
            case.events()?.0
        } else {
            let mut events = self.events.clone();
            for key in touched.entries("events") {
                let at = events.binary_search_by(|e| e.id.to_string().as_str().cmp(key));
                // As `CaseDocument::events` reads an entry: kept if it validates.
                match (case.event(key), at) {
                    (Ok(Some(event)), Ok(at)) => events[at] = event,
                    (Ok(Some(event)), Err(at)) => events.insert(at, event),
                    (Ok(None) | Err(_), Ok(at)) => {
                        events.remove(at);
                    }
                    (Ok(None) | Err(_), Err(_)) => {}
                }
            }
            events
        };
        Ok(Self {
            origin,
            category,
            title,
            evidence,
            events,
        })
    }
}

/// Reads the index and the facts of a case document, deriving its workflow state once with
/// `policy`.
pub fn summarize(
    case: &CaseDocument,
    policy: &DeadlinePolicy,
) -> Result<(CaseIndex, CaseFacts), wangge_proto::Error> {
    let summary = summary(case, policy)?;
    Ok((summary.index, summary.facts))
}

/// Reads the index, the facts and the events of a case document: the events once, the
/// workflow state derived once with `policy`.
pub fn summary(
    case: &CaseDocument,
    policy: &DeadlinePolicy,
) -> Result<Summary, wangge_proto::Error> {
    summary_of(Glance::read(&ReadCase::document(case))?, policy)
}

/// [`summary`] of a merged case, reading again only what `touched` says its new changes wrote
/// since `before` was read (all of it without `before`).
pub(crate) fn summary_after(
    case: &ReadCase<'_>,
    before: Option<&Glance>,
    touched: &Touched,
    policy: &DeadlinePolicy,
) -> Result<Summary, wangge_proto::Error> {
    let glance = match before {
        Some(before) => before.after(case, touched)?,
        None => Glance::read(case)?,
    };
    summary_of(glance, policy)
}

fn summary_of(glance: Glance, policy: &DeadlinePolicy) -> Result<Summary, wangge_proto::Error> {
    let state = derive(&glance.events, policy);
    let origin = &glance.origin;
    let index = CaseIndex {
        grid: origin.grid.clone(),
        departments: state.departments.keys().cloned().collect(),
    };
    let facts = CaseFacts {
        status: state.status,
        tier: state.tier,
        category: glance.category.clone(),
        title: glance.title.clone(),
        reporter: origin.reporter,
        created_at: origin.created_at,
        source: origin.source,
        evidence: glance.evidence.clone(),
        events: state.timeline.iter().map(|t| t.event).collect(),
        deadlines: state.deadlines,
    };
    Ok(Summary {
        index,
        facts,
        glance,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::ActorId;
    use wangge_proto::Role;
    use wangge_proto::case::{Actor, NewCase, Origin};
    use wangge_proto::values::{CaseId, DeviceId};
    use wangge_proto::workflow::{Action, DeadlineKind};

    use super::*;

    #[test]
    fn facts_follow_the_workflow() {
        let at = Timestamp::from_millis(1_793_520_000_000).unwrap();
        let worker = Actor {
            user: UserId::generate(),
            role: Role::GridWorker,
            device: DeviceId::generate(),
        };
        let new = NewCase {
            id: CaseId::from_parts(at, [3; 10]),
            origin: Origin {
                reporter: worker.user,
                role: worker.role,
                device: worker.device,
                grid: "110105001001001".parse().unwrap(),
                created_at: at,
                source: CaseSource::Hotline,
            },
            category: "SR-01".parse().unwrap(),
            title: "占道经营".into(),
            description: "早高峰".into(),
            location: None,
        };
        let mut case = CaseDocument::create(&new, ActorId::from(&[3; 16][..])).unwrap();
        let policy = DeadlinePolicy::default();
        let (index, facts) = summarize(&case, &policy).unwrap();
        assert_eq!(index, CaseIndex::of(&case).unwrap());
        assert_eq!(facts.status, Status::Draft);
        assert_eq!(facts.title, "占道经营");
        assert_eq!(facts.source, CaseSource::Hotline);
        assert!(facts.events.is_empty() && facts.deadlines.is_empty());

        let report = EventId::generate();
        let action = Action::Report {
            on_site_resolved: false,
        };
        case.act(&worker, action, report, at, &policy).unwrap();
        let (_, facts) = summarize(&case, &policy).unwrap();
        assert_eq!(facts.status, Status::Reported);
        assert_eq!(facts.events, BTreeSet::from([report]));
        assert_eq!(facts.deadlines.len(), 1);
        assert_eq!(facts.deadlines[0].kind, DeadlineKind::Review);
        assert_eq!(facts.deadlines[0].anchor, report);
        assert_eq!(facts.deadlines[0].within_secs, policy.review_secs);
    }
}
