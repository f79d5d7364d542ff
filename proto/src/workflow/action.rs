//! Workflow actions: what a person does to a case, with the data that step needs.
//!
//! Each action is one append-only event in the case document ([`super::WorkflowEvent`]).
//! Actions are stored as `{"<kind>": {…}}` maps (unit actions as the bare kind string), with
//! snake_case kind codes that never change once shipped.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::evaluation::{Satisfaction, Scores};
use super::status::Tier;
use crate::locale::labelled_enum;
use crate::values::{CaseId, DepartmentCode};

/// The two rounds of the coordination office's dispatch (两次派单).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case")]
pub enum DispatchRound {
    /// 一次派单: to the lead department(s).
    #[autosurgeon(rename = "first")]
    First,
    /// 二次派单: to further departments once the first round showed they are needed.
    #[autosurgeon(rename = "second")]
    Second,
}

/// A workflow step and its data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Action {
    /// 上报: the reporter sends the case for review (again, after a return).
    #[autosurgeon(rename = "report")]
    Report {
        /// The grid worker already fixed it on the spot (当场处置) and reports for the record.
        on_site_resolved: bool,
    },
    /// 受理: the community or street accepts the report.
    #[autosurgeon(rename = "accept")]
    Accept,
    /// 退回补充: back to the reporter for more information.
    #[autosurgeon(rename = "return_for_more")]
    ReturnForMore {
        /// What is missing; shown to the reporter.
        reason: String,
    },
    /// 分级: sets the tier.
    #[autosurgeon(rename = "grade")]
    Grade {
        /// The tier decided.
        tier: Tier,
    },
    /// 合并重复: this case duplicates another.
    #[autosurgeon(rename = "mark_duplicate")]
    MarkDuplicate {
        /// The case this one duplicates.
        of: CaseId,
    },
    /// 自行处置: the community or street handles a simple case itself.
    #[autosurgeon(rename = "self_handle")]
    SelfHandle,
    /// 街道呼叫 (对口呼叫): the street calls the counterpart departments.
    #[autosurgeon(rename = "call_department")]
    CallDepartment {
        /// The departments called.
        departments: Vec<DepartmentCode>,
    },
    /// 派单: the coordination office dispatches a complex case.
    #[autosurgeon(rename = "dispatch")]
    Dispatch {
        /// First or second round.
        round: DispatchRound,
        /// The departments dispatched to.
        departments: Vec<DepartmentCode>,
    },
    /// 逆向派单: a district leader dispatches a major or sudden case straight to departments.
    #[autosurgeon(rename = "reverse_dispatch")]
    ReverseDispatch {
        /// The departments dispatched to.
        departments: Vec<DepartmentCode>,
    },
    /// 报到: a called department checks in.
    #[autosurgeon(rename = "check_in")]
    CheckIn {
        /// The department checking in.
        department: DepartmentCode,
    },
    /// 进展: a progress note.
    #[autosurgeon(rename = "progress")]
    Progress {
        /// What happened.
        note: String,
    },
    /// 办结: a department (or the community, for self-handled cases) reports it handled.
    #[autosurgeon(rename = "handled")]
    Handled {
        /// The department reporting; `None` when the community or street handled it itself.
        department: Option<DepartmentCode>,
        /// The result, shown to the verifier.
        result: String,
    },
    /// 核查通过: verified on site.
    #[autosurgeon(rename = "verify")]
    Verify {
        /// What the verifier saw.
        note: String,
    },
    /// 重新处置: verification failed or the problem came back.
    #[autosurgeon(rename = "reopen")]
    Reopen {
        /// Why; shown to the handlers.
        reason: String,
    },
    /// 结案.
    #[autosurgeon(rename = "close")]
    Close,
    /// 归档: read-only from now on.
    #[autosurgeon(rename = "archive")]
    Archive,
    /// 一事一评: the street scores a department on this case.
    #[autosurgeon(rename = "evaluate")]
    Evaluate {
        /// The department scored.
        department: DepartmentCode,
        /// The five scores.
        scores: Scores,
    },
    /// 满意度: the resident's satisfaction, recorded by a worker or secretary.
    #[autosurgeon(rename = "rate_satisfaction")]
    RateSatisfaction {
        /// How satisfied the resident is.
        level: Satisfaction,
    },
}

labelled_enum! {
    /// The kind of an [`Action`], without its data: what the permission matrix is keyed by.
    ActionKind, "action" {
        /// See [`Action::Report`].
        Report = "report", "上报", "Report";
        /// See [`Action::Accept`].
        Accept = "accept", "受理", "Accept";
        /// See [`Action::ReturnForMore`].
        ReturnForMore = "return_for_more", "退回补充", "Return for more information";
        /// See [`Action::Grade`].
        Grade = "grade", "分级", "Grade";
        /// See [`Action::MarkDuplicate`].
        MarkDuplicate = "mark_duplicate", "合并重复", "Mark as duplicate";
        /// See [`Action::SelfHandle`].
        SelfHandle = "self_handle", "自行处置", "Handle locally";
        /// See [`Action::CallDepartment`].
        CallDepartment = "call_department", "呼叫部门", "Call department";
        /// See [`Action::Dispatch`].
        Dispatch = "dispatch", "派单", "Dispatch";
        /// See [`Action::ReverseDispatch`].
        ReverseDispatch = "reverse_dispatch", "逆向派单", "Reverse dispatch";
        /// See [`Action::CheckIn`].
        CheckIn = "check_in", "报到", "Check in";
        /// See [`Action::Progress`].
        Progress = "progress", "进展", "Progress";
        /// See [`Action::Handled`].
        Handled = "handled", "办结", "Handled";
        /// See [`Action::Verify`].
        Verify = "verify", "核查通过", "Verify";
        /// See [`Action::Reopen`].
        Reopen = "reopen", "重新处置", "Reopen";
        /// See [`Action::Close`].
        Close = "close", "结案", "Close";
        /// See [`Action::Archive`].
        Archive = "archive", "归档", "Archive";
        /// See [`Action::Evaluate`].
        Evaluate = "evaluate", "评议", "Evaluate";
        /// See [`Action::RateSatisfaction`].
        RateSatisfaction = "rate_satisfaction", "满意度", "Rate satisfaction";
    }
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Report { .. } => ActionKind::Report,
            Action::Accept => ActionKind::Accept,
            Action::ReturnForMore { .. } => ActionKind::ReturnForMore,
            Action::Grade { .. } => ActionKind::Grade,
            Action::MarkDuplicate { .. } => ActionKind::MarkDuplicate,
            Action::SelfHandle => ActionKind::SelfHandle,
            Action::CallDepartment { .. } => ActionKind::CallDepartment,
            Action::Dispatch { .. } => ActionKind::Dispatch,
            Action::ReverseDispatch { .. } => ActionKind::ReverseDispatch,
            Action::CheckIn { .. } => ActionKind::CheckIn,
            Action::Progress { .. } => ActionKind::Progress,
            Action::Handled { .. } => ActionKind::Handled,
            Action::Verify { .. } => ActionKind::Verify,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Close => ActionKind::Close,
            Action::Archive => ActionKind::Archive,
            Action::Evaluate { .. } => ActionKind::Evaluate,
            Action::RateSatisfaction { .. } => ActionKind::RateSatisfaction,
        }
    }
}
