//! A case as a merge reads it: its automerge document, or the shadow of it (ADR 0014).
//!
//! The policy, the facts and [`Touched`](super::touched) read a merge's cases only through a
//! [`ReadCase`], so a merge can hand them either. Both answer alike: the shadow's property
//! tests hold every read of the layout, and every object's path, equal to the document's.
//! A read the shadow cannot answer marks the view ([`ReadCase::fell_short`]); the merge then
//! judges again from the document.
//!
//! The stored case before an upload is read through its [`Prior`] when the merge judges from
//! the shadow: the answers looked up before the upload was applied. Any other read of it
//! falls short.

use std::cell::Cell;

use automerge::legacy::{ObjectId, OpId};
use automerge::{AutoCommit, ObjId, Prop, ReadDoc, Value};
use wangge_proto::case::{CaseDocument, CaseParts, CaseView, LayoutProblem, Origin};
use wangge_proto::values::{CaseId, CategoryCode, ContentHash};
use wangge_proto::workflow::WorkflowEvent;

use super::prior::Prior;
use super::shadow::{PathStep, Shadow, ShadowReader};

/// Where a [`ReadCase`] reads from.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    Document(&'a CaseDocument),
    Shadow(&'a Shadow),
    Prior(&'a Prior),
}

/// A case document, or a shadow of one, read alike.
#[derive(Debug)]
pub struct ReadCase<'a> {
    source: Source<'a>,
    fell_short: Cell<bool>,
}

impl<'a> ReadCase<'a> {
    /// Reads `case`'s document.
    pub fn document(case: &'a CaseDocument) -> Self {
        Self {
            source: Source::Document(case),
            fell_short: Cell::new(false),
        }
    }

    /// Reads a shadow.
    pub fn shadow(shadow: &'a Shadow) -> Self {
        Self {
            source: Source::Shadow(shadow),
            fell_short: Cell::new(false),
        }
    }

    /// Reads the stored case through the answers kept before an upload.
    pub(crate) fn prior(prior: &'a Prior) -> Self {
        Self {
            source: Source::Prior(prior),
            fell_short: Cell::new(false),
        }
    }

    /// Whether a read had no answer in the shadow: what was read is not to be trusted.
    pub fn fell_short(&self) -> bool {
        self.fell_short.get()
    }

    /// The document, if this reads one.
    pub fn as_document(&self) -> Option<&'a CaseDocument> {
        match self.source {
            Source::Document(case) => Some(case),
            Source::Shadow(_) | Source::Prior(_) => None,
        }
    }

    /// A read a [`Prior`] has no answer for: marks the view, and gives `unread`.
    fn short<T>(&self, unread: T) -> T {
        self.fell_short.set(true);
        unread
    }

    /// Runs `read` over the shadow's parts, noting whether it fell short.
    fn through<'s, T>(
        &self,
        shadow: &'s Shadow,
        read: impl FnOnce(&CaseParts<ShadowReader<'s>>) -> T,
    ) -> T {
        let parts = CaseParts::new(ShadowReader::new(shadow));
        let value = read(&parts);
        if parts.reader().fell_short() {
            self.fell_short.set(true);
        }
        value
    }

    /// The whole case, validated (see [`CaseDocument::read`]).
    pub fn read(&self) -> Result<CaseView, wangge_proto::Error> {
        match self.source {
            Source::Document(case) => case.read(),
            Source::Shadow(shadow) => self.through(shadow, CaseParts::read),
            Source::Prior(_) => self.short(Err(unread())),
        }
    }

    /// The layout version, checked to be one this build reads.
    pub fn schema(&self) -> Result<u64, wangge_proto::Error> {
        match self.source {
            Source::Document(case) => CaseDocument::layout_version(case.automerge()),
            Source::Shadow(shadow) => self.through(shadow, CaseParts::schema),
            Source::Prior(_) => self.short(Err(unread())),
        }
    }

    /// The case id.
    pub fn id(&self) -> Result<CaseId, wangge_proto::Error> {
        match self.source {
            Source::Document(case) => case.id(),
            Source::Shadow(shadow) => self.through(shadow, CaseParts::id),
            Source::Prior(_) => self.short(Err(unread())),
        }
    }

    /// The registration data.
    pub fn origin(&self) -> Result<Origin, wangge_proto::Error> {
        match self.source {
            Source::Document(case) => case.origin(),
            Source::Shadow(shadow) => self.through(shadow, CaseParts::origin),
            Source::Prior(_) => self.short(Err(unread())),
        }
    }

    /// The title.
    pub fn title(&self) -> Result<String, wangge_proto::Error> {
        match self.source {
            Source::Document(case) => case.title(),
            Source::Shadow(shadow) => self.through(shadow, CaseParts::title),
            Source::Prior(_) => self.short(Err(unread())),
        }
    }

    /// The catalogue item.
    pub fn category(&self) -> Result<CategoryCode, wangge_proto::Error> {
        match self.source {
            Source::Document(case) => case.category(),
            Source::Shadow(shadow) => self.through(shadow, CaseParts::category),
            Source::Prior(_) => self.short(Err(unread())),
        }
    }

    /// Every photo hash referenced.
    pub fn evidence_hashes(&self) -> Result<Vec<ContentHash>, wangge_proto::Error> {
        match self.source {
            Source::Document(case) => case.evidence_hashes(),
            Source::Shadow(shadow) => self.through(shadow, CaseParts::evidence_hashes),
            Source::Prior(_) => self.short(Err(unread())),
        }
    }

    /// The workflow events that validate, and the problems of the others.
    pub fn events(&self) -> Result<(Vec<WorkflowEvent>, Vec<LayoutProblem>), wangge_proto::Error> {
        match self.source {
            Source::Document(case) => case.events(),
            Source::Shadow(shadow) => self.through(shadow, CaseParts::events),
            Source::Prior(_) => self.short(Err(unread())),
        }
    }

    /// The workflow event under `key`, validated.
    pub fn event(&self, key: &str) -> Result<Option<WorkflowEvent>, LayoutProblem> {
        match self.source {
            Source::Document(case) => case.event(key),
            Source::Shadow(shadow) => self.through(shadow, |parts| parts.event(key)),
            Source::Prior(_) => self.short(Err(unread_part("events"))),
        }
    }

    /// Validates one part (see [`CaseDocument::check_part`]).
    pub fn check_part(&self, key: &str, entry: Option<&str>) -> Result<(), LayoutProblem> {
        match self.source {
            Source::Document(case) => case.check_part(key, entry),
            Source::Shadow(shadow) => self.through(shadow, |parts| parts.check_part(key, entry)),
            Source::Prior(_) => self.short(Err(unread_part(key))),
        }
    }

    /// Whether the map at top-level key `container` holds a value at `key`.
    pub fn holds(&self, container: &str, key: &str) -> bool {
        match self.source {
            Source::Document(case) => {
                let doc = case.automerge();
                match doc.get(automerge::ROOT, container) {
                    Ok(Some((Value::Object(_), obj))) => !matches!(doc.get(&obj, key), Ok(None)),
                    _ => false,
                }
            }
            Source::Shadow(shadow) => match shadow.get(&ObjectId::Root, container) {
                Some((super::shadow::Value::Object(_), id)) => {
                    shadow.get(&ObjectId::Id(id), key).is_some()
                }
                _ => false,
            },
            Source::Prior(prior) => match prior.holds(container, key) {
                Some(held) => held,
                None => self.short(false),
            },
        }
    }

    /// Where object `obj` was made, nearest step first (see [`Shadow::path`]); `None` if the
    /// case has no such object.
    pub fn path(&self, obj: &OpId) -> Option<Vec<PathStep>> {
        match self.source {
            Source::Document(case) => path_in(case.automerge(), obj),
            Source::Shadow(shadow) => shadow.path(&ObjectId::Id(obj.clone())),
            Source::Prior(_) => self.short(None),
        }
    }
}

/// What a read the stored case's [`Prior`] has no answer for gives (the merge discards it).
fn unread() -> wangge_proto::Error {
    wangge_proto::Error::Document("not kept before the upload".into())
}

fn unread_part(path: &str) -> LayoutProblem {
    LayoutProblem {
        path: path.into(),
        message: "not kept before the upload".into(),
    }
}

/// [`ReadCase::path`] of object `obj` in `doc`, from automerge's `parents`.
pub(crate) fn path_in(doc: &AutoCommit, obj: &OpId) -> Option<Vec<PathStep>> {
    // The actor index is only a hint: automerge looks the actor up when it does not match.
    let id = ObjId::Id(obj.counter(), obj.actor().clone(), 0);
    let parents = doc.parents(&id).ok()?;
    Some(
        parents
            .map(|parent| match parent.prop {
                Prop::Map(key) => PathStep::Key(key),
                Prop::Seq(_) => PathStep::Element,
            })
            .collect(),
    )
}
