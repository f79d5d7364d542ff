//! One part of a case, read and validated on its own.
//!
//! [`CaseParts::read`] validates the whole case, in time proportional to the case (a case
//! with 30 comments takes ≈ 0.7 ms). A server checking an upload needs only the parts the
//! upload wrote; these read one top-level key, or one entry of a keyed container, with the
//! same rules, paths and messages as [`CaseParts::read`].

use automerge::ROOT;
use autosurgeon::{Hydrate, Text, hydrate_prop};

use super::{CONTAINERS, CaseParts, CaseReader, LayoutProblem};
use crate::case::layout::{Comment, DepartmentSection, DuplicateLink, Evidence, Location, Origin};
use crate::values::{CaseId, CategoryCode, DepartmentCode};
use crate::workflow::WorkflowEvent;

impl<R: CaseReader> CaseParts<R> {
    /// Validates one part of the case: a top-level key (`entry` = `None`), or one entry of a
    /// keyed container (`evidence`, `comments`, `duplicates`, `departments`, `events`). An
    /// absent entry fits (it was deleted or never written); a key outside the layout does not.
    pub fn check_part(&self, key: &str, entry: Option<&str>) -> Result<(), LayoutProblem> {
        match (key, entry) {
            ("schema", None) => self.check_root::<u64>(key),
            ("id", None) => self.check_root::<CaseId>(key),
            ("origin", None) => self.check_root::<Origin>(key),
            ("category", None) => self.check_root::<CategoryCode>(key),
            ("title" | "description", None) => self.check_root::<Text>(key),
            ("location", None) => self.check_root::<Option<Location>>(key),
            ("evidence", Some(entry)) => {
                self.check_entry(key, entry, |e: &Evidence| e.hash.to_string())
            }
            ("comments", Some(entry)) => {
                self.check_entry(key, entry, |c: &Comment| c.id.to_string())
            }
            ("duplicates", Some(entry)) => {
                self.check_entry(key, entry, |d: &DuplicateLink| d.case.to_string())
            }
            ("events", Some(entry)) => self.event(entry).map(|_| ()),
            ("departments", Some(entry)) => {
                if self.entry_is_absent(key, entry)? {
                    return Ok(());
                }
                entry.parse::<DepartmentCode>().map_err(|e| LayoutProblem {
                    path: format!("{key}/{entry}"),
                    message: format!("{e}"),
                })?;
                self.hydrate_entry::<DepartmentSection>(key, entry)
                    .map(|_| ())
            }
            (container, None) if CONTAINERS.contains(&container) => {
                self.container_or_problem(key).map(|_| ())
            }
            _ => Err(LayoutProblem {
                path: entry.map_or_else(|| key.to_owned(), |entry| format!("{key}/{entry}")),
                message: "not part of the layout".into(),
            }),
        }
    }

    /// The workflow event under `key` in `events`, validated: `None` if there is none.
    pub fn event(&self, key: &str) -> Result<Option<WorkflowEvent>, LayoutProblem> {
        if self.entry_is_absent("events", key)? {
            return Ok(None);
        }
        let event = self.hydrate_entry::<WorkflowEvent>("events", key)?;
        if event.id.to_string() != key {
            return Err(LayoutProblem {
                path: format!("events/{key}"),
                message: "key is not the entry's id".into(),
            });
        }
        Ok(Some(event))
    }

    fn check_root<T: Hydrate>(&self, key: &str) -> Result<(), LayoutProblem> {
        hydrate_prop::<_, T, _, _>(&self.reader, ROOT, key)
            .map(|_| ())
            .map_err(|e| LayoutProblem {
                path: key.into(),
                message: e.to_string(),
            })
    }

    fn check_entry<T: Hydrate>(
        &self,
        container: &str,
        key: &str,
        key_of: impl Fn(&T) -> String,
    ) -> Result<(), LayoutProblem> {
        if self.entry_is_absent(container, key)? {
            return Ok(());
        }
        let value = self.hydrate_entry::<T>(container, key)?;
        if key_of(&value) == key {
            Ok(())
        } else {
            Err(LayoutProblem {
                path: format!("{container}/{key}"),
                message: "key is not the entry's id".into(),
            })
        }
    }

    fn entry_is_absent(&self, container: &str, key: &str) -> Result<bool, LayoutProblem> {
        let obj = self.container_or_problem(container)?;
        match self.reader.get(&obj, key) {
            Ok(value) => Ok(value.is_none()),
            Err(e) => Err(LayoutProblem {
                path: format!("{container}/{key}"),
                message: e.to_string(),
            }),
        }
    }

    fn hydrate_entry<T: Hydrate>(&self, container: &str, key: &str) -> Result<T, LayoutProblem> {
        let obj = self.container_or_problem(container)?;
        hydrate_prop::<_, T, _, _>(&self.reader, &obj, key).map_err(|e| LayoutProblem {
            path: format!("{container}/{key}"),
            message: e.to_string(),
        })
    }

    fn container_or_problem(&self, key: &str) -> Result<automerge::ObjId, LayoutProblem> {
        self.container(key).map_err(|e| LayoutProblem {
            path: key.into(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::transaction::Transactable;
    use automerge::{ActorId, ObjType, ROOT, ReadDoc};

    use crate::case::{CaseDocument, CaseSource, NewCase, Origin};
    use crate::role::Role;
    use crate::values::{CaseId, DeviceId, Timestamp, UserId};

    fn case() -> CaseDocument {
        let at = Timestamp::from_millis(1_793_520_000_000).unwrap();
        let new = NewCase {
            id: CaseId::from_parts(at, [1; 10]),
            origin: Origin {
                reporter: UserId::generate(),
                role: Role::GridWorker,
                device: DeviceId::generate(),
                grid: "110105001001001".parse().unwrap(),
                created_at: at,
                source: CaseSource::Patrol,
            },
            category: "SR-01".parse().unwrap(),
            title: "占道经营".into(),
            description: "早高峰占用人行道".into(),
            location: None,
        };
        CaseDocument::create(&new, ActorId::from(&[1; 16][..])).unwrap()
    }

    #[test]
    fn every_part_of_a_fresh_case_fits() {
        let case = case();
        for key in [
            "schema",
            "id",
            "origin",
            "category",
            "title",
            "description",
            "location",
        ] {
            assert_eq!(case.check_part(key, None), Ok(()), "{key}");
        }
        for key in [
            "evidence",
            "comments",
            "duplicates",
            "departments",
            "events",
        ] {
            assert_eq!(case.check_part(key, None), Ok(()), "{key}");
            assert_eq!(case.check_part(key, Some("absent")), Ok(()), "{key}");
        }
        assert!(case.check_part("status", None).is_err());
    }

    #[test]
    fn a_part_reports_the_problem_read_reports() {
        let mut case = case();
        let doc = case.automerge_mut();
        let (_, evidence) = doc.get(ROOT, "evidence").unwrap().unwrap();
        doc.put(&evidence, "not-a-hash", "a photo").unwrap();
        let (_, departments) = doc.get(ROOT, "departments").unwrap().unwrap();
        doc.put_object(&departments, "Not A Code", ObjType::Map)
            .unwrap();
        let (_, events) = doc.get(ROOT, "events").unwrap().unwrap();
        doc.put(&events, "e1", 1).unwrap();
        doc.put(ROOT, "location", "here").unwrap();

        let problems = case.read().unwrap().problems;
        let parts = [
            ("evidence", Some("not-a-hash")),
            ("departments", Some("Not A Code")),
            ("events", Some("e1")),
            ("location", None),
        ];
        for (key, entry) in parts {
            let problem = case.check_part(key, entry).unwrap_err();
            assert!(
                problems.contains(&problem),
                "{problem:?} not in {problems:?}"
            );
        }
        assert_eq!(problems.len(), parts.len());
    }
}
