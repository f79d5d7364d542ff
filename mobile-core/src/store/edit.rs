//! What an app does to cases: register, edit fields, take workflow steps, comment, attach
//! photos, link duplicates.
//!
//! Each is checked on the phone with the same rules the server enforces (the permission
//! matrix for the user's role and the case's derived status, the workflow's guards, the
//! user's scope) and refused with the reason before anything is written, so the user never
//! types something the server will refuse for a rule the phone knew.

use wangge_proto::case::{
    CaseDocument, CaseField, CaseSource, Comment, DuplicateLink, Evidence, EvidenceStage,
    ImageMime, Location, NewCase, Origin,
};
use wangge_proto::permissions;
use wangge_proto::values::{
    CaseId, CategoryCode, CommentId, ContentHash, DepartmentCode, EventId, GeoPoint, GridCode,
    Timestamp,
};
use wangge_proto::workflow::{Action, Status};

use super::summary::{self, Reading};
use super::{CaseStore, Identity, StoreError, docs, relay, rows};

/// A new case as the user fills it in.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCaseInput {
    /// The grid it belongs to (in the user's scope).
    pub grid: GridCode,
    /// The catalogue item.
    pub category: CategoryCode,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where, if known.
    pub location: Option<Location>,
    /// How it came in.
    pub source: CaseSource,
}

/// One field edit.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldEdit {
    /// New title (merged by character with concurrent edits).
    Title(String),
    /// New description (merged by character).
    Description(String),
    /// Another catalogue item.
    Category(CategoryCode),
    /// New location, or none.
    Location(Option<Location>),
}

impl FieldEdit {
    fn field(&self) -> CaseField {
        match self {
            Self::Title(_) => CaseField::Title,
            Self::Description(_) => CaseField::Description,
            Self::Category(_) => CaseField::Category,
            Self::Location(_) => CaseField::Location,
        }
    }
}

/// A processed photo to attach: what the photo pipeline measured.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceInput {
    /// SHA-256 of the processed file.
    pub hash: ContentHash,
    /// Its size in bytes.
    pub size: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Its format.
    pub mime: ImageMime,
    /// When it was taken, read from the camera file.
    pub captured_at: Option<Timestamp>,
    /// Where it was taken.
    pub captured_place: Option<GeoPoint>,
    /// SHA-256 of the thumbnail.
    pub thumbnail: Option<ContentHash>,
    /// Before or after handling.
    pub stage: EvidenceStage,
    /// What it shows.
    pub caption: String,
}

fn check_field(
    reading: &Reading,
    role: wangge_proto::Role,
    field: CaseField,
) -> Result<(), StoreError> {
    Ok(permissions::check_field(role, field, reading.state.status)?)
}

/// Adds the evidence entry to the document, if the user's role may add evidence now.
pub(super) fn write_evidence(
    doc: &mut CaseDocument,
    reading: &Reading,
    identity: &Identity,
    photo: EvidenceInput,
) -> Result<(), StoreError> {
    check_field(reading, identity.role, CaseField::Evidence)?;
    doc.add_evidence(&Evidence {
        hash: photo.hash,
        size: photo.size,
        width: photo.width,
        height: photo.height,
        mime: photo.mime,
        captured_at: photo.captured_at,
        captured_place: photo.captured_place,
        thumbnail: photo.thumbnail,
        stage: photo.stage,
        caption: photo.caption,
        added_by: identity.user,
        device: identity.device,
        added_at: Timestamp::now(),
    })?;
    Ok(())
}

impl CaseStore {
    /// Registers a new case (a draft until reported) in one of the user's grids.
    pub fn create_case(&mut self, input: NewCaseInput) -> Result<CaseId, StoreError> {
        let identity = self.signed_in()?;
        permissions::check_create(identity.role)?;
        if self.catalogue.get(&input.category).is_none() {
            return Err(StoreError::UnknownCategory {
                code: input.category.to_string(),
            });
        }
        if !identity.scope.covers(&input.grid, std::iter::empty()) {
            return Err(StoreError::OutOfScope { grid: input.grid });
        }
        if input.title.trim().is_empty() {
            return Err(StoreError::Invalid {
                detail: "标题不能为空 / the title is empty".into(),
            });
        }
        let now = Timestamp::now();
        let id = CaseId::generate();
        let new = NewCase {
            id,
            origin: Origin {
                reporter: identity.user,
                role: identity.role,
                device: identity.device,
                grid: input.grid,
                created_at: now,
                source: input.source,
            },
            category: input.category,
            title: input.title,
            description: input.description,
            location: input.location,
        };
        let mut document = CaseDocument::create(&new, identity.actor.clone())?;
        let reading = summary::read(&document, &self.catalogue)?;
        let signatures: Vec<_> = document
            .automerge_mut()
            .get_changes(&[])
            .iter()
            .map(|c| relay::sign(&identity.key, c.actor_id(), &id, &c.hash()))
            .collect();
        let snapshot = document.save();
        let tx = self.conn.transaction()?;
        let book = rows::Bookkeeping {
            acked: &[],
            whole: false,
            dirty: true,
            at: now,
        };
        rows::put(&tx, &id, &snapshot, &reading, &book)?;
        docs::add_signatures(&tx, &id, &signatures)?;
        tx.commit()?;
        Ok(id)
    }

    /// Edits one field.
    pub fn edit_field(&mut self, case: &CaseId, edit: FieldEdit) -> Result<(), StoreError> {
        if let FieldEdit::Category(code) = &edit
            && self.catalogue.get(code).is_none()
        {
            return Err(StoreError::UnknownCategory {
                code: code.to_string(),
            });
        }
        self.write(case, "edit", |doc, reading, identity| {
            check_field(reading, identity.role, edit.field())?;
            match &edit {
                FieldEdit::Title(title) => doc.set_title(title)?,
                FieldEdit::Description(text) => doc.set_description(text)?,
                FieldEdit::Category(code) => doc.set_category(code)?,
                FieldEdit::Location(location) => doc.set_location(location.as_ref())?,
            }
            Ok(())
        })
    }

    /// Takes a workflow step (report, accept, return, call departments, check in, …).
    pub fn act(&mut self, case: &CaseId, action: Action) -> Result<EventId, StoreError> {
        self.write(case, "act", |doc, reading, identity| {
            let event = doc.act(
                &identity.actor_of_steps(),
                action,
                EventId::generate(),
                Timestamp::now(),
                &reading.policy,
            )?;
            Ok(event.id)
        })
    }

    /// Adds a comment.
    pub fn comment(&mut self, case: &CaseId, text: &str) -> Result<CommentId, StoreError> {
        if text.trim().is_empty() {
            return Err(StoreError::Invalid {
                detail: "留言不能为空 / the comment is empty".into(),
            });
        }
        self.write(case, "comment", |doc, reading, identity| {
            check_field(reading, identity.role, CaseField::Comments)?;
            let comment = Comment {
                id: CommentId::generate(),
                author: identity.user,
                role: identity.role,
                device: identity.device,
                at: Timestamp::now(),
                text: text.to_owned(),
            };
            doc.add_comment(&comment)?;
            Ok(comment.id)
        })
    }

    /// Attaches a processed photo by its hash.
    pub fn add_evidence(&mut self, case: &CaseId, photo: EvidenceInput) -> Result<(), StoreError> {
        self.write(case, "evidence", |doc, reading, identity| {
            write_evidence(doc, reading, identity, photo)
        })
    }

    /// Links `case` to `other`, a case about the same problem.
    pub fn link_duplicate(
        &mut self,
        case: &CaseId,
        other: &CaseId,
        note: &str,
    ) -> Result<(), StoreError> {
        if case == other {
            return Err(StoreError::Invalid {
                detail: "不能与自身关联 / a case cannot duplicate itself".into(),
            });
        }
        self.write(case, "duplicate", |doc, reading, identity| {
            check_field(reading, identity.role, CaseField::Duplicates)?;
            doc.link_duplicate(&DuplicateLink {
                case: *other,
                linked_by: identity.user,
                at: Timestamp::now(),
                note: note.to_owned(),
            })?;
            Ok(())
        })
    }

    /// Writes the user's department's notes and contact on a case it handles.
    pub fn set_department_notes(
        &mut self,
        case: &CaseId,
        department: &DepartmentCode,
        notes: &str,
        contact: &str,
    ) -> Result<(), StoreError> {
        self.write(case, "department notes", |doc, reading, identity| {
            check_field(reading, identity.role, CaseField::Departments)?;
            if let wangge_proto::Scope::Department { department: own } = &identity.scope
                && own != department
            {
                return Err(StoreError::Invalid {
                    detail: format!("只能填写本部门的记录 / only your own department ({own})"),
                });
            }
            doc.set_department_notes(department, notes, contact)?;
            Ok(())
        })
    }

    /// The steps the user may take on a case now: the buttons to offer.
    pub fn allowed_actions(&self, status: Status) -> Vec<wangge_proto::workflow::ActionKind> {
        self.identity
            .as_ref()
            .map(|i| permissions::actions_for(i.role, status))
            .unwrap_or_default()
    }
}
