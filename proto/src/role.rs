//! The roles people act in (see `shared/domain.md`, "Who uses it").
//!
//! A user has exactly one role; what a role may do is decided by the permission matrix
//! ([`crate::permissions`]), never by the role itself.

use crate::locale::labelled_enum;

labelled_enum! {
    /// The role a user acts in.
    Role, "role" {
        /// 网格员: patrols grids, logs cases offline, verifies on site.
        GridWorker = "grid_worker", "网格员", "Grid worker";
        /// 社区书记: reviews the grid reports of the community, grades, handles simple cases.
        CommunitySecretary = "community_secretary", "社区书记", "Community secretary";
        /// 街道"呼应"岗: assesses escalated cases, calls departments, verifies, scores.
        StreetOffice = "street_office", "街道办", "Street office";
        /// 职能部门: checks in, handles and reports the result of dispatched cases.
        DepartmentHandler = "department_handler", "职能部门", "Department handler";
        /// "街道呼·部门应"办公室: two-round dispatch of complex cases, supervision.
        CoordinationOffice = "coordination_office", "呼应办", "Coordination office";
        /// 区领导: reverse dispatch of major or sudden cases.
        DistrictLeader = "district_leader", "区领导", "District leader";
        /// 系统管理员: accounts, organisation and catalogue; no workflow steps.
        Administrator = "administrator", "系统管理员", "Administrator";
    }
}
