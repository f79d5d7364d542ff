//! The case document: its automerge layout and the typed code that reads and writes it.

mod document;
mod field;
mod layout;
mod parts;

pub use document::{Actor, CaseDocument, CaseView, DepartmentNotes, LayoutProblem, NewCase};
pub use field::CaseField;
pub use layout::{
    CaseSource, Comment, DepartmentSection, DuplicateLink, Evidence, EvidenceStage, ImageMime,
    Location, Origin, SCHEMA_VERSION,
};
pub use parts::{CaseParts, CaseReader};
