//! Why a workflow event was not applied, or why a field edit is not allowed.
//!
//! A refused event is kept in the document for the audit trail and shown with this reason;
//! the phone uses the same values to refuse an action before it is ever written. Every variant
//! has a stable code (for APIs and logs) and a message in zh-CN and English.

use serde::{Deserialize, Serialize};

use super::action::ActionKind;
use super::status::{Status, Tier};
use crate::case::CaseField;
use crate::locale::{Label, Locale};
use crate::role::Role;
use crate::values::{DepartmentCode, EventId};

/// A reason a step is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// This role never performs this step.
    RoleMayNotAct {
        /// The actor's role.
        role: Role,
        /// The step.
        action: ActionKind,
    },
    /// The step is not possible in the case's current status.
    ActionNotInStatus {
        /// The step.
        action: ActionKind,
        /// The current status.
        status: Status,
    },
    /// This role never edits this field.
    RoleMayNotEdit {
        /// The editor's role.
        role: Role,
        /// The field.
        field: CaseField,
    },
    /// The field cannot be edited in the case's current status.
    FieldNotInStatus {
        /// The field.
        field: CaseField,
        /// The current status.
        status: Status,
    },
    /// This role may not create cases.
    RoleMayNotCreate {
        /// The role.
        role: Role,
    },
    /// The step needs another tier (e.g. a secretary closes only simple cases).
    WrongTier {
        /// The step.
        action: ActionKind,
        /// The case's tier, if graded.
        tier: Option<Tier>,
    },
    /// A call or dispatch named no department.
    NoDepartment,
    /// Every department named was already called.
    AlreadyCalled,
    /// The department was never called on this case.
    DepartmentNotCalled {
        /// The department.
        department: DepartmentCode,
    },
    /// The department already checked in.
    AlreadyCheckedIn {
        /// The department.
        department: DepartmentCode,
    },
    /// The department must check in first.
    NotCheckedIn {
        /// The department.
        department: DepartmentCode,
    },
    /// The department already reported it handled.
    AlreadyHandled {
        /// The department.
        department: DepartmentCode,
    },
    /// A department must say which department reports; the community must not.
    WrongHandler,
    /// A second-round dispatch needs a first round.
    NoFirstRound,
    /// A first-round dispatch was already made.
    FirstRoundDone,
    /// The department has not handled the case, so it cannot be scored yet.
    NotHandledByDepartment {
        /// The department.
        department: DepartmentCode,
    },
    /// The department was already scored on this case.
    AlreadyEvaluated {
        /// The department.
        department: DepartmentCode,
    },
    /// Satisfaction was already recorded.
    AlreadyRated,
    /// A reason or note is required and was empty.
    TextRequired,
    /// The event follows an event that is not in the document.
    UnknownPredecessor {
        /// The missing event.
        event: EventId,
    },
    /// The event is part of a cycle of `follows` links (only forged documents have these).
    CausalCycle,
    /// Another event with the same id exists (only forged documents have these).
    DuplicateEventId,
}

impl Refusal {
    /// The stable code of this reason.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::RoleMayNotAct { .. } => "role_may_not_act",
            Refusal::ActionNotInStatus { .. } => "action_not_in_status",
            Refusal::RoleMayNotEdit { .. } => "role_may_not_edit",
            Refusal::FieldNotInStatus { .. } => "field_not_in_status",
            Refusal::RoleMayNotCreate { .. } => "role_may_not_create",
            Refusal::WrongTier { .. } => "wrong_tier",
            Refusal::NoDepartment => "no_department",
            Refusal::AlreadyCalled => "already_called",
            Refusal::DepartmentNotCalled { .. } => "department_not_called",
            Refusal::AlreadyCheckedIn { .. } => "already_checked_in",
            Refusal::NotCheckedIn { .. } => "not_checked_in",
            Refusal::AlreadyHandled { .. } => "already_handled",
            Refusal::WrongHandler => "wrong_handler",
            Refusal::NoFirstRound => "no_first_round",
            Refusal::FirstRoundDone => "first_round_done",
            Refusal::NotHandledByDepartment { .. } => "not_handled_by_department",
            Refusal::AlreadyEvaluated { .. } => "already_evaluated",
            Refusal::AlreadyRated => "already_rated",
            Refusal::TextRequired => "text_required",
            Refusal::UnknownPredecessor { .. } => "unknown_predecessor",
            Refusal::CausalCycle => "causal_cycle",
            Refusal::DuplicateEventId => "duplicate_event_id",
        }
    }

    /// A message the user can act on, in the given locale.
    pub fn message(&self, l: Locale) -> String {
        match self {
            Refusal::RoleMayNotAct { role, action } => match l {
                Locale::ZhCn => format!("{}不能执行“{}”", role.label(l), action.label(l)),
                Locale::En => format!("A {} cannot {}", role.label(l), action.label(l)),
            },
            Refusal::ActionNotInStatus { action, status } => match l {
                Locale::ZhCn => format!("案件处于“{}”状态，不能“{}”", status.label(l), action.label(l)),
                Locale::En => format!("Cannot {} a case that is {}", action.label(l), status.label(l)),
            },
            Refusal::RoleMayNotEdit { role, field } => match l {
                Locale::ZhCn => format!("{}不能修改“{}”", role.label(l), field.label(l)),
                Locale::En => format!("A {} cannot edit the {}", role.label(l), field.label(l)),
            },
            Refusal::FieldNotInStatus { field, status } => match l {
                Locale::ZhCn => format!("案件处于“{}”状态，不能修改“{}”", status.label(l), field.label(l)),
                Locale::En => format!("The {} cannot be edited while the case is {}", field.label(l), status.label(l)),
            },
            Refusal::RoleMayNotCreate { role } => match l {
                Locale::ZhCn => format!("{}不能登记新案件", role.label(l)),
                Locale::En => format!("A {} cannot register cases", role.label(l)),
            },
            Refusal::WrongTier { action, tier } => {
                let tier = tier.map_or(l.pick("未分级", "ungraded"), |t| t.label(l));
                match l {
                    Locale::ZhCn => format!("“{}”不适用于{}案件，请先重新分级", action.label(l), tier),
                    Locale::En => format!("Cannot {} a case graded {}; grade it again first", action.label(l), tier),
                }
            }
            Refusal::NoDepartment => l.pick("请至少选择一个部门", "Choose at least one department").into(),
            Refusal::AlreadyCalled => l.pick("所选部门均已呼叫", "Every department chosen was already called").into(),
            Refusal::DepartmentNotCalled { department } => match l {
                Locale::ZhCn => format!("部门 {department} 未被呼叫或派单"),
                Locale::En => format!("Department {department} was not called on this case"),
            },
            Refusal::AlreadyCheckedIn { department } => match l {
                Locale::ZhCn => format!("部门 {department} 已报到"),
                Locale::En => format!("Department {department} has already checked in"),
            },
            Refusal::NotCheckedIn { department } => match l {
                Locale::ZhCn => format!("部门 {department} 需先报到"),
                Locale::En => format!("Department {department} must check in first"),
            },
            Refusal::AlreadyHandled { department } => match l {
                Locale::ZhCn => format!("部门 {department} 已办结"),
                Locale::En => format!("Department {department} has already reported it handled"),
            },
            Refusal::WrongHandler => l.pick(
                "部门办结须注明部门；社区自行处置不注明部门",
                "A department must name itself when reporting; a community handling it itself must not",
            ).into(),
            Refusal::NoFirstRound => l.pick("二次派单前须先完成一次派单", "A second-round dispatch needs a first round").into(),
            Refusal::FirstRoundDone => l.pick("已完成一次派单，请使用二次派单", "The first round was already dispatched; use a second round").into(),
            Refusal::NotHandledByDepartment { department } => match l {
                Locale::ZhCn => format!("部门 {department} 尚未办结，不能评议"),
                Locale::En => format!("Department {department} has not handled the case yet and cannot be scored"),
            },
            Refusal::AlreadyEvaluated { department } => match l {
                Locale::ZhCn => format!("已对部门 {department} 评议过本案件"),
                Locale::En => format!("Department {department} was already scored on this case"),
            },
            Refusal::AlreadyRated => l.pick("已记录满意度", "Satisfaction was already recorded").into(),
            Refusal::TextRequired => l.pick("请填写原因或说明", "Please give a reason or note").into(),
            Refusal::UnknownPredecessor { event } => match l {
                Locale::ZhCn => format!("前序事件 {event} 不存在"),
                Locale::En => format!("The event it follows ({event}) is missing"),
            },
            Refusal::CausalCycle => l.pick("事件先后关系成环（数据被篡改）", "The events' order forms a cycle (tampered data)").into(),
            Refusal::DuplicateEventId => l.pick("事件编号重复（数据被篡改）", "Duplicate event id (tampered data)").into(),
        }
    }
}
