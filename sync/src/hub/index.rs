//! The few facts about a case the hub needs for scope checks and the feed.

use std::collections::BTreeSet;

use wangge_proto::Scope;
use wangge_proto::case::CaseDocument;
use wangge_proto::values::{DepartmentCode, GridCode};
use wangge_proto::workflow::{DeadlinePolicy, derive};

/// Where a case is and who was brought in: what [`Scope::covers`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseIndex {
    /// The case's grid.
    pub grid: GridCode,
    /// Departments called or dispatched to it.
    pub departments: BTreeSet<DepartmentCode>,
}

impl CaseIndex {
    /// Reads the index of a case document.
    pub fn of(case: &CaseDocument) -> Result<Self, wangge_proto::Error> {
        // Only the origin and the events: reading the whole case would cost as much as the
        // merge itself on a case with many comments.
        let origin = case.origin()?;
        let (events, _) = case.events()?;
        // Which departments were brought in does not depend on deadlines.
        let state = derive(&events, &DeadlinePolicy::default());
        Ok(Self {
            grid: origin.grid,
            departments: state.departments.into_keys().collect(),
        })
    }

    /// Whether `scope` covers this case.
    pub fn in_scope(&self, scope: &Scope) -> bool {
        scope.covers(&self.grid, self.departments.iter())
    }
}
