//! Every reason the policy refuses an upload, as a [`Rejection`] with a stable code and a
//! message in Simplified Chinese and English.
//!
//! The phone shows the message next to the edits it kept aside, so each one says what was
//! refused and, where the person can do something about it, what to do. Reasons the permission
//! matrix or the workflow already words ([`Refusal`]) reuse its text, so the phone's own
//! refusal and the server's read the same.

use wangge_proto::case::{CaseField, LayoutProblem};
use wangge_proto::values::DepartmentCode;
use wangge_proto::workflow::{ActionKind, Refusal};
use wangge_proto::{Label, Locale};
use wangge_sync::hub::Rejection;

/// Stable codes, for clients and logs.
pub mod code {
    /// A field edit the author's role may not make in the case's status.
    pub const FORBIDDEN_FIELD: &str = "case.forbidden_field";
    /// A workflow step the author's role may not take in the status they saw.
    pub const FORBIDDEN_ACTION: &str = "case.forbidden_action";
    /// A workflow step recorded under another user, role or device than its author's.
    pub const EVENT_IMPERSONATION: &str = "case.event_impersonation";
    /// An existing workflow step edited or deleted.
    pub const EVENT_REWRITTEN: &str = "case.event_rewritten";
    /// A workflow step following steps that are not in the case.
    pub const EVENT_UNKNOWN_PREDECESSOR: &str = "case.event_unknown_predecessor";
    /// A department handler acting for, or writing the section of, another department.
    pub const WRONG_DEPARTMENT: &str = "case.wrong_department";
    /// A write outside the document layout.
    pub const UNKNOWN_FIELD: &str = "case.unknown_field";
    /// A part made with the case (a text or a keyed collection) replaced or removed whole.
    pub const CONTAINER_REPLACED: &str = "case.container_replaced";
    /// The merged document has a problem it did not have before.
    pub const LAYOUT: &str = "case.layout";
    /// A new case registered by a role that may not register cases.
    pub const FORBIDDEN_CREATE: &str = "case.forbidden_create";
    /// A new case whose registration data names someone other than its author.
    pub const ORIGIN_IMPERSONATION: &str = "case.origin_impersonation";
}

fn both(code: &str, refusal: &Refusal, zh: &str, en: &str) -> Rejection {
    Rejection::new(
        code,
        format!("{zh}：{}。", refusal.message(Locale::ZhCn)),
        format!("{en}: {}.", refusal.message(Locale::En)),
    )
}

/// A field edit the matrix refuses ([`Refusal::RoleMayNotEdit`] or
/// [`Refusal::FieldNotInStatus`]).
pub fn forbidden_field(field: CaseField, refusal: &Refusal) -> Rejection {
    both(
        code::FORBIDDEN_FIELD,
        refusal,
        &format!("对“{}”的修改未被接受", field.label(Locale::ZhCn)),
        &format!(
            "The edit of the {} was not accepted",
            field.label(Locale::En)
        ),
    )
}

/// A workflow step the matrix or the step's own rules refuse in the state its author saw.
pub fn forbidden_action(action: ActionKind, refusal: &Refusal) -> Rejection {
    both(
        code::FORBIDDEN_ACTION,
        refusal,
        &format!("“{}”未被接受", action.label(Locale::ZhCn)),
        &format!("The step “{}” was not accepted", action.label(Locale::En)),
    )
}

/// A workflow step that names another user, role or device than the one who made it.
pub fn event_impersonation(action: ActionKind) -> Rejection {
    Rejection::new(
        code::EVENT_IMPERSONATION,
        format!(
            "“{}”记录的操作人、角色或设备与实际提交人不符，已拒绝。请用本人账号在本机重新操作。",
            action.label(Locale::ZhCn)
        ),
        format!(
            "The step “{}” names another user, role or device than the one who made it and \
             was refused. Take the step again under your own account on this phone.",
            action.label(Locale::En)
        ),
    )
}

/// An edit or deletion of a workflow step that was already recorded.
pub fn event_rewritten() -> Rejection {
    Rejection::new(
        code::EVENT_REWRITTEN,
        "已记录的办理步骤不能修改或删除（全程留痕），已拒绝。如需更正，请新增一条进展说明。",
        "Recorded workflow steps cannot be changed or deleted; the edit was refused. To \
         correct one, add a progress note.",
    )
}

/// A workflow step following a step the case does not hold.
pub fn event_unknown_predecessor(refusal: &Refusal) -> Rejection {
    both(
        code::EVENT_UNKNOWN_PREDECESSOR,
        refusal,
        "办理步骤未被接受",
        "The workflow step was not accepted",
    )
}

/// A department handler acting for, or writing the section of, a department not their own.
pub fn wrong_department(named: &DepartmentCode, own: Option<&DepartmentCode>) -> Rejection {
    let (own_zh, own_en) = match own {
        Some(own) => (
            format!("本部门（{own}）"),
            format!("your own department ({own})"),
        ),
        None => ("本部门".to_owned(), "your own department".to_owned()),
    };
    Rejection::new(
        code::WRONG_DEPARTMENT,
        format!("只能以{own_zh}名义办理和填写处置记录，不能代表部门 {named}，已拒绝。"),
        format!(
            "You can act and write handling notes only for {own_en}, not for department \
             {named}; the edit was refused."
        ),
    )
}

/// A write to a key the case layout does not have.
pub fn unknown_field(key: &str) -> Rejection {
    Rejection::new(
        code::UNKNOWN_FIELD,
        format!("修改写入了案件中不存在的内容“{key}”，已拒绝。请更新应用后重试。"),
        format!(
            "The edit writes “{key}”, which is not part of a case, and was refused. Update \
             the app and try again."
        ),
    )
}

/// A part made with the case replaced or removed as a whole.
pub fn container_replaced(key: &str) -> Rejection {
    Rejection::new(
        code::CONTAINER_REPLACED,
        format!("案件的“{key}”部分不能整体替换或删除，已拒绝。请更新应用后重试。"),
        format!(
            "The “{key}” part of a case cannot be replaced or removed as a whole; the edit \
             was refused. Update the app and try again."
        ),
    )
}

/// Something in the merged document that does not fit the layout.
pub fn layout(problem: &LayoutProblem) -> Rejection {
    Rejection::new(
        code::LAYOUT,
        format!(
            "案件数据格式不正确（{}：{}），已拒绝。请更新应用后重试。",
            problem.path, problem.message
        ),
        format!(
            "The case data does not fit the layout ({}: {}) and was refused. Update the app \
             and try again.",
            problem.path, problem.message
        ),
    )
}

/// A new case registered by a role that may not register cases.
pub fn forbidden_create(refusal: &Refusal) -> Rejection {
    both(
        code::FORBIDDEN_CREATE,
        refusal,
        "新案件未被接受",
        "The new case was not accepted",
    )
}

/// A new case whose registration data names another user, role or device than its author.
pub fn origin_impersonation() -> Rejection {
    Rejection::new(
        code::ORIGIN_IMPERSONATION,
        "新案件的登记人、角色或设备与实际提交人不符，已拒绝。请用本人账号在本机重新登记。",
        "The new case names another registering user, role or device than the one who made \
         it and was refused. Register it again under your own account on this phone.",
    )
}
