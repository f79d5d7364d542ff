//! A case as an automerge document, written and read only through typed code.
//!
//! [`CaseDocument`] owns the automerge document and offers one method per kind of edit, each
//! touching only its own part of the layout (see [`super::layout`]), so concurrent edits on
//! different phones merge field by field. Reading ([`CaseDocument::read`]) validates every
//! value into its type; entries that fail are reported as [`LayoutProblem`]s rather than
//! failing the whole case, so one bad entry never hides the rest.

use std::collections::BTreeMap;

use automerge::transaction::CommitOptions;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use autosurgeon::{Reconcile, Text, hydrate_prop, reconcile_prop};
use serde::{Deserialize, Serialize};

use super::layout::{
    Comment, DepartmentSection, DuplicateLink, Evidence, Location, Origin, SCHEMA_VERSION,
};
use crate::Error;
use crate::role::Role;
use crate::values::{
    CaseId, CategoryCode, ContentHash, DepartmentCode, DeviceId, EventId, Timestamp, UserId,
};
use crate::workflow::{Action, CaseState, DeadlinePolicy, WorkflowEvent, derive, heads};

use super::parts::{CaseParts, OnePass};

/// Keys of the maps created with every case.
pub(super) const CONTAINERS: [&str; 5] = [
    "evidence",
    "comments",
    "duplicates",
    "departments",
    "events",
];

/// What a new case starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    /// Its id.
    pub id: CaseId,
    /// Who registers it, where, when.
    pub origin: Origin,
    /// The catalogue item.
    pub category: CategoryCode,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Location, if known.
    pub location: Option<Location>,
}

/// Who takes a workflow step, from where, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user: UserId,
    /// Their role.
    pub role: Role,
    /// Their device.
    pub device: DeviceId,
}

/// Something in the document that does not fit the layout, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutProblem {
    /// Path in the document, e.g. `evidence/ab12…`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// One department's section, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentNotes {
    /// Handling notes.
    pub notes: String,
    /// Contact person.
    pub contact: String,
}

/// Everything in a case document, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    /// Layout version.
    pub schema: u64,
    /// The case id.
    pub id: CaseId,
    /// Registration data.
    pub origin: Origin,
    /// Catalogue item.
    pub category: CategoryCode,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Location.
    pub location: Option<Location>,
    /// Photos, by hash.
    pub evidence: Vec<Evidence>,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
    /// Links to duplicates.
    pub duplicates: Vec<DuplicateLink>,
    /// Per-department sections.
    pub departments: BTreeMap<DepartmentCode, DepartmentNotes>,
    /// Workflow events, by id.
    pub events: Vec<WorkflowEvent>,
    /// Entries that did not validate (empty for documents written by this code).
    pub problems: Vec<LayoutProblem>,
}

/// A case document.
#[derive(Debug, Clone)]
pub struct CaseDocument {
    doc: AutoCommit,
}

impl CaseDocument {
    /// Creates a case: the whole layout, in one change made by `actor`.
    pub fn create(new: &NewCase, actor: ActorId) -> Result<Self, Error> {
        let mut doc = AutoCommit::new().with_actor(actor);
        doc.put(ROOT, "schema", SCHEMA_VERSION)?;
        reconcile_prop(&mut doc, ROOT, "id", new.id)?;
        reconcile_prop(&mut doc, ROOT, "origin", &new.origin)?;
        reconcile_prop(&mut doc, ROOT, "category", &new.category)?;
        for (key, text) in [("title", &new.title), ("description", &new.description)] {
            let obj = doc.put_object(ROOT, key, ObjType::Text)?;
            doc.splice_text(&obj, 0, 0, text)?;
        }
        doc.put(ROOT, "location", ScalarValue::Null)?;
        for key in CONTAINERS {
            doc.put_object(ROOT, key, ObjType::Map)?;
        }
        let mut case = Self { doc };
        if let Some(location) = &new.location {
            case.set_location(Some(location))?;
        }
        case.commit(new.origin.created_at, "create");
        Ok(case)
    }

    /// Loads a saved document (or concatenated changes). Refuses documents of a newer layout.
    pub fn load(bytes: &[u8]) -> Result<Self, Error> {
        let doc = AutoCommit::load(bytes)?;
        Self::from_automerge(doc)
    }

    /// Wraps an automerge document, checking its layout version.
    pub fn from_automerge(doc: AutoCommit) -> Result<Self, Error> {
        Self::layout_version(&doc)?;
        Ok(Self { doc })
    }

    /// The layout version of `doc`, checked to be one this build reads.
    pub fn layout_version<R: autosurgeon::ReadDoc>(doc: &R) -> Result<u64, Error> {
        let schema: u64 = hydrate_prop(doc, ROOT, "schema")
            .map_err(|e| Error::Document(format!("not a case document (schema: {e})")))?;
        if schema > SCHEMA_VERSION {
            return Err(Error::NewerLayout {
                found: schema,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(schema)
    }

    /// The id of the case held by `doc`, checking it is a case document of a layout this
    /// build reads, without taking the document.
    pub fn identify(doc: &AutoCommit) -> Result<CaseId, Error> {
        Self::layout_version(doc)?;
        Ok(hydrate_prop(doc, ROOT, "id")?)
    }

    /// The underlying automerge document (for sync and storage).
    pub fn automerge(&self) -> &AutoCommit {
        &self.doc
    }

    /// The underlying automerge document, mutable (for sync: applying received changes).
    pub fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Gives back the automerge document.
    pub fn into_automerge(self) -> AutoCommit {
        self.doc
    }

    /// Saves the whole document compactly.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Commits pending edits as one change stamped with the device time `at`.
    pub fn commit(&mut self, at: Timestamp, message: &str) -> Option<automerge::ChangeHash> {
        let secs = at.as_millis() / 1000;
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(message)
                .with_time(secs),
        )
    }

    /// The case id.
    pub fn id(&self) -> Result<CaseId, Error> {
        self.parts().id()
    }

    /// Who registered the case, where, when — read alone, without the rest of the case.
    pub fn origin(&self) -> Result<Origin, Error> {
        self.parts().origin()
    }

    /// Replaces the title; only the characters that differ are changed, so a concurrent edit
    /// of another part of the title on another phone survives.
    pub fn set_title(&mut self, title: &str) -> Result<(), Error> {
        self.update_text("title", title)
    }

    /// Replaces the description (merged by character, as the title).
    pub fn set_description(&mut self, description: &str) -> Result<(), Error> {
        self.update_text("description", description)
    }

    /// Sets the catalogue item.
    pub fn set_category(&mut self, category: &CategoryCode) -> Result<(), Error> {
        Ok(reconcile_prop(&mut self.doc, ROOT, "category", category)?)
    }

    /// Replaces the location as a whole (never a mix of two devices' coordinates).
    pub fn set_location(&mut self, location: Option<&Location>) -> Result<(), Error> {
        match location {
            None => {
                self.doc.put(ROOT, "location", ScalarValue::Null)?;
            }
            Some(location) => {
                let obj = self.doc.put_object(ROOT, "location", ObjType::Map)?;
                reconcile_prop(&mut self.doc, &obj, "point", location.point)?;
                reconcile_prop(&mut self.doc, &obj, "accuracy_m", location.accuracy_m)?;
                reconcile_prop(&mut self.doc, &obj, "address", &location.address)?;
            }
        }
        Ok(())
    }

    /// Attaches a photo reference; returns `false` if that photo was already attached.
    pub fn add_evidence(&mut self, evidence: &Evidence) -> Result<bool, Error> {
        self.insert_new("evidence", &evidence.hash.to_string(), evidence)
    }

    /// Adds a comment; returns `false` if a comment with that id exists.
    pub fn add_comment(&mut self, comment: &Comment) -> Result<bool, Error> {
        self.insert_new("comments", &comment.id.to_string(), comment)
    }

    /// Links a duplicate case; returns `false` if already linked.
    pub fn link_duplicate(&mut self, link: &DuplicateLink) -> Result<bool, Error> {
        self.insert_new("duplicates", &link.case.to_string(), link)
    }

    /// Writes a department's working notes and contact (notes merge by character).
    pub fn set_department_notes(
        &mut self,
        department: &DepartmentCode,
        notes: &str,
        contact: &str,
    ) -> Result<(), Error> {
        let departments = self.container("departments")?;
        let key = department.as_str();
        match self.doc.get(&departments, key)? {
            Some((Value::Object(ObjType::Map), section)) => {
                let text = match self.doc.get(&section, "notes")? {
                    Some((Value::Object(ObjType::Text), text)) => text,
                    _ => {
                        return Err(Error::Document(format!(
                            "departments/{key}/notes is not text"
                        )));
                    }
                };
                splice_to(&mut self.doc, &text, notes)?;
                reconcile_prop(&mut self.doc, &section, "contact", contact)?;
            }
            _ => {
                let section = DepartmentSection {
                    notes: Text::with_value(notes),
                    contact: contact.to_owned(),
                };
                reconcile_prop(&mut self.doc, &departments, key, &section)?;
            }
        }
        Ok(())
    }

    /// Appends a workflow event as it is (the caller made it). Refuses an id already present.
    pub fn append_event(&mut self, event: &WorkflowEvent) -> Result<(), Error> {
        if self.insert_new("events", &event.id.to_string(), event)? {
            Ok(())
        } else {
            Err(Error::Document(format!(
                "event {} already exists",
                event.id
            )))
        }
    }

    /// Takes a workflow step as `actor`: checks it against the derived state (the permission
    /// matrix and the step's guards), then appends it following the current heads.
    pub fn act(
        &mut self,
        actor: &Actor,
        action: Action,
        id: EventId,
        at: Timestamp,
        policy: &DeadlinePolicy,
    ) -> Result<WorkflowEvent, Error> {
        let (events, _) = self.events()?;
        derive(&events, policy)
            .check(actor.role, &action)
            .map_err(Error::Refused)?;
        let event = WorkflowEvent {
            id,
            action,
            actor: actor.user,
            role: actor.role,
            device: actor.device,
            at,
            follows: heads(&events),
        };
        self.append_event(&event)?;
        Ok(event)
    }

    /// The workflow events that validate, and problems with those that do not.
    pub fn events(&self) -> Result<(Vec<WorkflowEvent>, Vec<LayoutProblem>), Error> {
        self.parts().events()
    }

    /// The workflow event under `key` in `events`, validated: `None` if there is none.
    pub fn event(&self, key: &str) -> Result<Option<WorkflowEvent>, LayoutProblem> {
        self.parts().event(key)
    }

    /// Validates one part of the case (see [`CaseParts::check_part`]).
    pub fn check_part(&self, key: &str, entry: Option<&str>) -> Result<(), LayoutProblem> {
        self.parts().check_part(key, entry)
    }

    /// The title, read alone.
    pub fn title(&self) -> Result<String, Error> {
        self.parts().title()
    }

    /// The catalogue item, read alone.
    pub fn category(&self) -> Result<CategoryCode, Error> {
        self.parts().category()
    }

    /// Every photo hash the case references (see [`CaseParts::evidence_hashes`]).
    pub fn evidence_hashes(&self) -> Result<Vec<ContentHash>, Error> {
        self.parts().evidence_hashes()
    }

    /// The derived state of the case.
    pub fn state(&self, policy: &DeadlinePolicy) -> Result<CaseState, Error> {
        let (events, _) = self.events()?;
        Ok(derive(&events, policy))
    }

    /// Reads and validates the whole case.
    pub fn read(&self) -> Result<CaseView, Error> {
        self.parts().read()
    }

    /// The parts of the case, read through a reader that reads each map once.
    pub(crate) fn parts(&self) -> CaseParts<OnePass<'_>> {
        CaseParts::new(OnePass::new(&self.doc))
    }

    fn update_text(&mut self, key: &str, value: &str) -> Result<(), Error> {
        match self.doc.get(ROOT, key)? {
            Some((Value::Object(ObjType::Text), text)) => splice_to(&mut self.doc, &text, value),
            _ => Err(Error::Document(format!("{key} is missing or not text"))),
        }
    }

    fn container(&self, key: &str) -> Result<ObjId, Error> {
        match self.doc.get(ROOT, key)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Err(Error::Document(format!("{key} is missing or not a map"))),
        }
    }

    /// Puts `value` at `container/key` unless the key exists.
    fn insert_new<T: Reconcile>(
        &mut self,
        container: &str,
        key: &str,
        value: &T,
    ) -> Result<bool, Error> {
        let obj = self.container(container)?;
        if self.doc.get(&obj, key)?.is_some() {
            return Ok(false);
        }
        reconcile_prop(&mut self.doc, &obj, key, value)?;
        Ok(true)
    }
}

/// Turns the text object `obj` into `new` with one splice of the part that differs, counted in
/// Unicode code points (automerge's default text index).
///
/// Not `autosurgeon::Text::update`: autosurgeon 0.14 splices at UTF-8 byte offsets, which
/// automerge 0.12 reads as code points, so any edit after a Chinese character lands in the
/// wrong place or fails ("index out of bounds"). A single prefix/suffix splice keeps the
/// untouched characters' identities, so concurrent edits of different parts still merge.
fn splice_to(doc: &mut AutoCommit, obj: &ObjId, new: &str) -> Result<(), Error> {
    let old: Vec<char> = doc.text(obj)?.chars().collect();
    let new: Vec<char> = new.chars().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let deleted = old.len() - prefix - suffix;
    let inserted: String = new[prefix..new.len() - suffix].iter().collect();
    if deleted > 0 || !inserted.is_empty() {
        let deleted =
            isize::try_from(deleted).map_err(|_| Error::Document("text too long".into()))?;
        doc.splice_text(obj, prefix, deleted, &inserted)?;
    }
    Ok(())
}
