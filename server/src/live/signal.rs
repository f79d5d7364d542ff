//! What travels on the process-local fan-out: "the feed moved" with the grids and
//! departments of the moved cases (so each connection wakes only for its user's scope), or
//! "resync" when notifications may have been missed.

use std::sync::Arc;

use wangge_proto::Scope;
use wangge_sync::hub::{self, CaseIndex};
use wangge_sync::wire::Cursor;

/// One message to every open live connection of this instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Cases moved in the feed.
    Moved(Arc<FeedMoved>),
    /// Notifications may have been lost: every connection should sync once.
    Resync,
}

/// Cases moved in the feed, up to `cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedMoved {
    /// At or after every moved case's new position.
    pub cursor: Cursor,
    /// The distinct grid-and-departments of the moved cases; `None` when they were too many
    /// to name (every connection is woken).
    pub cases: Option<Vec<CaseIndex>>,
}

impl FeedMoved {
    /// Whether a user with `scope` may see one of the moved cases.
    pub fn concerns(&self, scope: &Scope) -> bool {
        match &self.cases {
            Some(cases) => cases.iter().any(|case| case.in_scope(scope)),
            None => true,
        }
    }
}

impl From<&hub::Moved> for FeedMoved {
    /// The hub's report, with cases that share grid and departments named once.
    fn from(moved: &hub::Moved) -> Self {
        let mut cases: Vec<CaseIndex> = Vec::new();
        for (_, index) in &moved.cases {
            if !cases.contains(index) {
                cases.push(index.clone());
            }
        }
        Self {
            cursor: moved.head,
            cases: Some(cases),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use wangge_proto::values::{CaseId, GridCode};

    use super::*;

    fn index(grid: &str, departments: &[&str]) -> CaseIndex {
        CaseIndex {
            grid: grid.parse().unwrap_or_else(|_| panic!("{grid}")),
            departments: departments
                .iter()
                .map(|d| d.parse().unwrap_or_else(|_| panic!("{d}")))
                .collect(),
        }
    }

    #[test]
    fn a_move_concerns_the_scopes_that_cover_one_of_its_cases() {
        let grid: GridCode = "110199001001001".parse().unwrap_or_else(|_| panic!());
        let moved = FeedMoved::from(&hub::Moved {
            head: Cursor(7),
            cases: vec![
                (CaseId::generate(), index("110199001001001", &[])),
                (CaseId::generate(), index("110199001001001", &[])),
                (CaseId::generate(), index("110199002001002", &["chengguan"])),
            ],
        });
        assert_eq!(moved.cursor, Cursor(7));
        assert_eq!(
            moved.cases.as_ref().map(Vec::len),
            Some(2),
            "duplicates named once"
        );
        let worker = Scope::Grids {
            grids: BTreeSet::from([grid]),
        };
        let other_worker = Scope::Grids {
            grids: BTreeSet::from(["110199001001002".parse().unwrap_or_else(|_| panic!())]),
        };
        let department = Scope::Department {
            department: "chengguan".parse().unwrap_or_else(|_| panic!()),
        };
        let secretary = Scope::Community {
            community: "110199001001".parse().unwrap_or_else(|_| panic!()),
        };
        assert!(moved.concerns(&worker));
        assert!(moved.concerns(&secretary));
        assert!(moved.concerns(&department));
        assert!(moved.concerns(&Scope::Everything));
        assert!(!moved.concerns(&other_worker));
        let unnamed = FeedMoved {
            cursor: Cursor(8),
            cases: None,
        };
        assert!(unnamed.concerns(&other_worker));
    }
}
