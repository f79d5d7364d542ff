//! The organisation tree (district → street → community → grid) and the departments.
//!
//! The tree decides scope: a grid worker sees the cases of their grids, a secretary those of
//! the community, a street office those of the street. Codes nest (see [`crate::values`]), so the
//! tree's job is names and existence, checked once when it is built.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::values::{CommunityCode, DepartmentCode, DistrictCode, GridCode, StreetCode};

/// A named unit of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit<C> {
    /// The unit's code.
    pub code: C,
    /// Its name in Chinese, e.g. "和平里街道".
    pub name: String,
}

/// A functional department (职能部门) that streets call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Stable code, e.g. `chengguan`.
    pub code: DepartmentCode,
    /// Name in Chinese, e.g. "城管执法局".
    pub name_zh: String,
    /// Name in English, e.g. "Urban management".
    pub name_en: String,
}

/// A validated organisation: every unit's parent exists, no code appears twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OrgParts", into = "OrgParts")]
pub struct OrgTree {
    parts: OrgParts,
}

/// The unvalidated lists an [`OrgTree`] is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgParts {
    /// Districts (区).
    pub districts: Vec<Unit<DistrictCode>>,
    /// Streets (街道).
    pub streets: Vec<Unit<StreetCode>>,
    /// Communities (社区).
    pub communities: Vec<Unit<CommunityCode>>,
    /// Grids (网格).
    pub grids: Vec<Unit<GridCode>>,
    /// Departments (职能部门).
    pub departments: Vec<Department>,
}

impl OrgTree {
    /// Validates the parts into a tree.
    pub fn new(parts: OrgParts) -> Result<Self, Error> {
        fn unique<C: Ord + Clone + std::fmt::Display>(
            kind: &str,
            codes: impl Iterator<Item = C>,
        ) -> Result<BTreeMap<C, ()>, Error> {
            let mut seen = BTreeMap::new();
            for code in codes {
                if seen.insert(code.clone(), ()).is_some() {
                    return Err(Error::Organisation(format!("{kind} {code} appears twice")));
                }
            }
            Ok(seen)
        }
        let districts = unique("district", parts.districts.iter().map(|u| u.code.clone()))?;
        let streets = unique("street", parts.streets.iter().map(|u| u.code.clone()))?;
        let communities = unique(
            "community",
            parts.communities.iter().map(|u| u.code.clone()),
        )?;
        unique("grid", parts.grids.iter().map(|u| u.code.clone()))?;
        unique(
            "department",
            parts.departments.iter().map(|d| d.code.clone()),
        )?;
        for s in &parts.streets {
            if !districts.contains_key(&s.code.district()) {
                return Err(Error::Organisation(format!(
                    "street {} belongs to district {}, which is not in the tree",
                    s.code,
                    s.code.district()
                )));
            }
        }
        for c in &parts.communities {
            if !streets.contains_key(&c.code.street()) {
                return Err(Error::Organisation(format!(
                    "community {} belongs to street {}, which is not in the tree",
                    c.code,
                    c.code.street()
                )));
            }
        }
        for g in &parts.grids {
            if !communities.contains_key(&g.code.community()) {
                return Err(Error::Organisation(format!(
                    "grid {} belongs to community {}, which is not in the tree",
                    g.code,
                    g.code.community()
                )));
            }
        }
        Ok(Self { parts })
    }

    /// The validated parts.
    pub fn parts(&self) -> &OrgParts {
        &self.parts
    }

    /// Whether the grid exists.
    pub fn has_grid(&self, grid: &GridCode) -> bool {
        self.parts.grids.iter().any(|g| &g.code == grid)
    }

    /// The department with this code, if any.
    pub fn department(&self, code: &DepartmentCode) -> Option<&Department> {
        self.parts.departments.iter().find(|d| &d.code == code)
    }

    /// The grids of a community.
    pub fn grids_of(&self, community: &CommunityCode) -> impl Iterator<Item = &Unit<GridCode>> {
        self.parts
            .grids
            .iter()
            .filter(move |g| &g.code.community() == community)
    }
}

impl TryFrom<OrgParts> for OrgTree {
    type Error = Error;

    fn try_from(parts: OrgParts) -> Result<Self, Error> {
        Self::new(parts)
    }
}

impl From<OrgTree> for OrgParts {
    fn from(tree: OrgTree) -> Self {
        tree.parts
    }
}
