//! The merged document must fit the layout: no problem the stored case did not already have.
//!
//! `wangge_proto`'s reads validate every value into its type and report what does not fit as
//! [`LayoutProblem`]s. Only the parts an upload wrote can have changed, so only those are read
//! ([`ReadCase::check_part`]), in time proportional to the upload rather than to the case;
//! a new case is read whole. A problem the stored case already had in the same place is not
//! the uploader's doing (and refusing it would block every later edit of the case).

use std::collections::HashSet;
use std::rc::Rc;

use wangge_proto::case::LayoutProblem;
use wangge_sync::hub::{ReadCase, Rejection};

use super::paths::{Root, Target};
use super::refusals;

/// The parts of the layout an upload wrote: top-level keys, and entries of keyed containers.
#[derive(Debug, Default)]
pub struct Parts(HashSet<(Root, Option<Rc<str>>)>);

impl Parts {
    /// Notes the part `target` falls in.
    pub fn add(&mut self, target: &Target) {
        let entry = if target.root.is_keyed() {
            target.entry.clone()
        } else {
            None
        };
        self.0.insert((target.root, entry));
    }

    /// Refuses the first part that does not fit in `after` but did in `before`.
    pub fn check(
        &self,
        after: &ReadCase<'_>,
        before: Option<&ReadCase<'_>>,
    ) -> Result<(), Rejection> {
        for (root, entry) in &self.0 {
            let (key, entry) = (root.key(), entry.as_deref());
            if let Err(problem) = after.check_part(key, entry) {
                let already = before.is_some_and(|before| {
                    before
                        .check_part(key, entry)
                        .is_err_and(|known| known.path == problem.path)
                });
                if !already {
                    return Err(refusals::layout(&problem));
                }
            }
        }
        Ok(())
    }
}

/// Refuses the first of a new case's problems.
pub fn check_new(problems: &[LayoutProblem]) -> Result<(), Rejection> {
    match problems.first() {
        Some(problem) => Err(refusals::layout(problem)),
        None => Ok(()),
    }
}

/// A document that cannot be read at all.
pub fn unreadable(error: &wangge_proto::Error) -> Rejection {
    refusals::layout(&LayoutProblem {
        path: "/".into(),
        message: error.to_string(),
    })
}
