//! The merged document must read cleanly: no layout problem the stored case did not already
//! have.
//!
//! `CaseDocument::read` validates every value into its type and reports what does not fit as
//! [`LayoutProblem`]s instead of failing. A problem already in the stored case is not the
//! uploader's doing (and refusing it would block every later edit of the case); a new one is.

use std::collections::HashSet;

use wangge_proto::case::{CaseDocument, LayoutProblem};
use wangge_sync::hub::Rejection;

use super::refusals;

/// Refuses the first of `problems` (those of the merged document) that `before` did not have.
pub fn check(problems: &[LayoutProblem], before: Option<&CaseDocument>) -> Result<(), Rejection> {
    if problems.is_empty() {
        return Ok(());
    }
    // Only read the stored case again when the merged one has problems at all.
    let known: HashSet<String> = match before.map(CaseDocument::read).transpose() {
        Ok(view) => view
            .into_iter()
            .flat_map(|view| view.problems)
            .map(|problem| problem.path)
            .collect(),
        Err(error) => return Err(unreadable(&error)),
    };
    match problems.iter().find(|p| !known.contains(&p.path)) {
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
