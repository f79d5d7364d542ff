//! The derived status of a case, and its tier (分级).

use crate::locale::labelled_enum;

labelled_enum! {
    /// Where a case stands in the closed loop. Always derived from events, never stored.
    Status, "status" {
        /// 草稿: created on the phone, not reported yet.
        Draft = "draft", "草稿", "Draft";
        /// 待审核: reported by the grid, waiting for the community's review.
        Reported = "reported", "待审核", "Reported";
        /// 退回补充: returned to the reporter for more information.
        Returned = "returned", "退回补充", "Returned for more information";
        /// 已受理: accepted by the community or street, to be graded and handled.
        Accepted = "accepted", "已受理", "Accepted";
        /// 待报到: departments were called or dispatched and must check in.
        Dispatched = "dispatched", "待报到", "Dispatched";
        /// 处置中: being handled.
        Handling = "handling", "处置中", "Handling";
        /// 待核查: every responsible party reported it handled; waiting for verification.
        Handled = "handled", "待核查", "Handled";
        /// 待结案: verified on site; waiting to be closed.
        Verified = "verified", "待结案", "Verified";
        /// 已结案: closed.
        Closed = "closed", "已结案", "Closed";
        /// 已归档: archived, read-only.
        Archived = "archived", "已归档", "Archived";
        /// 已合并: a duplicate of another case.
        Merged = "merged", "已合并", "Merged as duplicate";
    }
}

labelled_enum! {
    /// How hard a case is, which decides who handles it (see `shared/domain.md`).
    Tier, "tier" {
        /// 简单问题: the community or street handles it itself.
        Simple = "simple", "简单问题", "Simple";
        /// 一般问题: the street calls the counterpart department.
        General = "general", "一般问题", "General";
        /// 复杂问题: the coordination office runs a two-round dispatch.
        Complex = "complex", "复杂问题", "Complex";
        /// 重难点/突发: a district leader dispatches in reverse.
        Major = "major", "重大突发", "Major or sudden";
    }
}

impl Status {
    /// Statuses in which the case is still moving through the loop.
    pub const OPEN: &'static [Status] = &[
        Status::Draft,
        Status::Reported,
        Status::Returned,
        Status::Accepted,
        Status::Dispatched,
        Status::Handling,
        Status::Handled,
        Status::Verified,
    ];

    /// Whether no further workflow step can change this case (except archiving a closed one).
    pub fn is_final(&self) -> bool {
        matches!(self, Status::Archived | Status::Merged)
    }
}
