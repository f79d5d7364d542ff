//! Which cases a user may see and write: their scope (辖区).
//!
//! A grid worker sees their own grids, a community secretary their community, a street office
//! its street, a department the cases dispatched or called to it, the coordination office and
//! district leaders everything. The server filters the sync feed and checks every upload with
//! this one rule; the phone uses it to offer only cases it may relay.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::values::{CommunityCode, DepartmentCode, GridCode, StreetCode};

/// The part of the organisation a user acts in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// These grids (grid workers).
    Grids {
        /// The grids.
        grids: BTreeSet<GridCode>,
    },
    /// Every grid of one community (community secretaries).
    Community {
        /// The community.
        community: CommunityCode,
    },
    /// Every grid of one street (street offices).
    Street {
        /// The street.
        street: StreetCode,
    },
    /// Cases called or dispatched to one department (department handlers).
    Department {
        /// The department.
        department: DepartmentCode,
    },
    /// Every case (coordination office, district leaders, administrators).
    Everything,
}

impl Scope {
    /// Whether a case of `grid`, with `departments` called or dispatched to it, is in scope.
    pub fn covers<'a>(
        &self,
        grid: &GridCode,
        mut departments: impl Iterator<Item = &'a DepartmentCode>,
    ) -> bool {
        match self {
            Self::Grids { grids } => grids.contains(grid),
            Self::Community { community } => &grid.community() == community,
            Self::Street { street } => &grid.street() == street,
            Self::Department { department } => departments.any(|d| d == department),
            Self::Everything => true,
        }
    }
}
