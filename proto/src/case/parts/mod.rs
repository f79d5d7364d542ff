//! Reading a case's parts through any reader of its document.
//!
//! A phone reads a case from its automerge document. The server's hub can also keep a shadow
//! of a hot case — its visible state, computed from the changes' ops without applying them to
//! a document (ADR 0014). Validation must read both exactly alike, so every read of the layout
//! is written once here, over [`CaseReader`], and [`CaseDocument`](super::CaseDocument)'s
//! reading methods go through it.

mod glance;
mod one_pass;
mod part;

use std::collections::BTreeMap;

use automerge::{AutoCommit, ObjId, ObjType, ROOT, Value};
use autosurgeon::{Hydrate, ReadDoc, Text, hydrate_prop};

pub(crate) use one_pass::OnePass;

use super::document::{CONTAINERS, CaseView, DepartmentNotes, LayoutProblem};
use super::layout::{Comment, DepartmentSection, DuplicateLink, Evidence, Location, Origin};
use crate::Error;
use crate::values::{CaseId, CategoryCode, DepartmentCode};
use crate::workflow::WorkflowEvent;

/// What reading a case needs of a document: autosurgeon's reads, and the keys of a map.
pub trait CaseReader: ReadDoc {
    /// The keys of map `obj` that hold a value, in order.
    fn keys_of(&self, obj: &ObjId) -> Vec<String>;
}

impl CaseReader for AutoCommit {
    fn keys_of(&self, obj: &ObjId) -> Vec<String> {
        automerge::ReadDoc::keys(self, obj).collect()
    }
}

/// The parts of a case, read through `R`.
#[derive(Debug)]
pub struct CaseParts<R> {
    reader: R,
}

impl<R: CaseReader> CaseParts<R> {
    /// Reads the case through `reader`.
    pub fn new(reader: R) -> Self {
        Self { reader }
    }

    /// The reader.
    pub fn reader(&self) -> &R {
        &self.reader
    }

    /// Reads and validates the whole case (see [`CaseDocument::read`](super::CaseDocument::read)).
    pub fn read(&self) -> Result<CaseView, Error> {
        let doc = &self.reader;
        let required =
            |key: &str, e: autosurgeon::HydrateError| Error::Document(format!("{key}: {e}"));
        let schema: u64 = hydrate_prop(doc, ROOT, "schema").map_err(|e| required("schema", e))?;
        let id: CaseId = hydrate_prop(doc, ROOT, "id").map_err(|e| required("id", e))?;
        let origin: Origin =
            hydrate_prop(doc, ROOT, "origin").map_err(|e| required("origin", e))?;
        let category: CategoryCode =
            hydrate_prop(doc, ROOT, "category").map_err(|e| required("category", e))?;

        let mut problems = Vec::new();
        let text = |key: &str, problems: &mut Vec<LayoutProblem>| match hydrate_prop::<_, Text, _, _>(
            doc, ROOT, key,
        ) {
            Ok(t) => t.as_str().to_owned(),
            Err(e) => {
                problems.push(LayoutProblem {
                    path: key.into(),
                    message: e.to_string(),
                });
                String::new()
            }
        };
        let title = text("title", &mut problems);
        let description = text("description", &mut problems);
        let location = match hydrate_prop::<_, Option<Location>, _, _>(doc, ROOT, "location") {
            Ok(l) => l,
            Err(e) => {
                problems.push(LayoutProblem {
                    path: "location".into(),
                    message: e.to_string(),
                });
                None
            }
        };
        let evidence =
            self.read_map("evidence", |e: &Evidence| e.hash.to_string(), &mut problems)?;
        let comments = self.read_map("comments", |c: &Comment| c.id.to_string(), &mut problems)?;
        let duplicates = self.read_map(
            "duplicates",
            |d: &DuplicateLink| d.case.to_string(),
            &mut problems,
        )?;
        let departments = self.read_departments(&mut problems)?;
        let events = self.read_map(
            "events",
            |e: &WorkflowEvent| e.id.to_string(),
            &mut problems,
        )?;
        for key in doc.keys_of(&ROOT) {
            let known = [
                "schema",
                "id",
                "origin",
                "category",
                "title",
                "description",
                "location",
            ];
            if !known.contains(&key.as_str()) && !CONTAINERS.contains(&key.as_str()) {
                problems.push(LayoutProblem {
                    path: key,
                    message: "not part of the layout".into(),
                });
            }
        }
        Ok(CaseView {
            schema,
            id,
            origin,
            category,
            title,
            description,
            location,
            evidence,
            comments,
            duplicates,
            departments,
            events,
            problems,
        })
    }

    /// The workflow events that validate, and the problems of those that do not.
    pub fn events(&self) -> Result<(Vec<WorkflowEvent>, Vec<LayoutProblem>), Error> {
        let mut problems = Vec::new();
        let events = self.read_map(
            "events",
            |e: &WorkflowEvent| e.id.to_string(),
            &mut problems,
        )?;
        Ok((events, problems))
    }

    /// The map at top-level key `key`.
    fn container(&self, key: &str) -> Result<ObjId, Error> {
        match self.reader.get(&ROOT, key)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Err(Error::Document(format!("{key} is missing or not a map"))),
        }
    }

    /// Reads every entry of a keyed container; entries that fail to validate, or whose key is
    /// not their own id, become problems.
    fn read_map<T: Hydrate>(
        &self,
        container: &str,
        key_of: impl Fn(&T) -> String,
        problems: &mut Vec<LayoutProblem>,
    ) -> Result<Vec<T>, Error> {
        let obj = self.container(container)?;
        let mut out = Vec::new();
        for key in self.reader.keys_of(&obj) {
            let path = format!("{container}/{key}");
            match hydrate_prop::<_, T, _, _>(&self.reader, &obj, key.as_str()) {
                Ok(value) if key_of(&value) == key => out.push(value),
                Ok(_) => problems.push(LayoutProblem {
                    path,
                    message: "key is not the entry's id".into(),
                }),
                Err(e) => problems.push(LayoutProblem {
                    path,
                    message: e.to_string(),
                }),
            }
        }
        Ok(out)
    }

    fn read_departments(
        &self,
        problems: &mut Vec<LayoutProblem>,
    ) -> Result<BTreeMap<DepartmentCode, DepartmentNotes>, Error> {
        let obj = self.container("departments")?;
        let mut out = BTreeMap::new();
        for key in self.reader.keys_of(&obj) {
            let path = format!("departments/{key}");
            let code: DepartmentCode = match key.parse() {
                Ok(code) => code,
                Err(e) => {
                    problems.push(LayoutProblem {
                        path,
                        message: format!("{e}"),
                    });
                    continue;
                }
            };
            match hydrate_prop::<_, DepartmentSection, _, _>(&self.reader, &obj, key.as_str()) {
                Ok(s) => {
                    out.insert(
                        code,
                        DepartmentNotes {
                            notes: s.notes.as_str().to_owned(),
                            contact: s.contact,
                        },
                    );
                }
                Err(e) => problems.push(LayoutProblem {
                    path,
                    message: e.to_string(),
                }),
            }
        }
        Ok(out)
    }
}
