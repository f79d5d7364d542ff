//! The permission matrix: which role may take which step, and edit which field, in which
//! status. One table, used by the phone (to prevent) and by the server (to enforce).
//!
//! Rows are `(subject, roles, statuses)`; several rows may name the same subject. A role that
//! appears in no row for a subject may never act on it ([`Refusal::RoleMayNotAct`]); a role
//! that appears, but not with the current status, must wait ([`Refusal::ActionNotInStatus`]).
//! Checks that depend on more than the status — the tier, which departments were called —
//! are made by [`crate::workflow::derive`], which calls [`check_action`] first.

use crate::case::CaseField;
use crate::role::Role;
use crate::workflow::{ActionKind, Refusal, Status};

use Role::{
    CommunitySecretary as Secretary, CoordinationOffice as Coordination,
    DepartmentHandler as Department, DistrictLeader as Leader, GridWorker as Worker,
    StreetOffice as Street,
};
use Status::{
    Accepted, Closed, Dispatched, Draft, Handled, Handling, Merged, Reported, Returned, Verified,
};

/// One row of the matrix for workflow steps.
#[derive(Debug, Clone, Copy)]
pub struct ActionRule {
    /// The step.
    pub action: ActionKind,
    /// Roles that may take it.
    pub roles: &'static [Role],
    /// Statuses it may be taken from.
    pub from: &'static [Status],
}

/// One row of the matrix for field edits.
#[derive(Debug, Clone, Copy)]
pub struct FieldRule {
    /// The field.
    pub field: CaseField,
    /// Roles that may edit it.
    pub roles: &'static [Role],
    /// Statuses in which they may.
    pub during: &'static [Status],
}

const LIVE: &[Status] = &[
    Reported, Returned, Accepted, Dispatched, Handling, Handled, Verified,
];
const UNDER_WAY: &[Status] = &[Dispatched, Handling];
const NOT_ARCHIVED: &[Status] = &[
    Draft, Reported, Returned, Accepted, Dispatched, Handling, Handled, Verified, Closed, Merged,
];
const EVERY_WORKFLOW_ROLE: &[Role] = &[Worker, Secretary, Street, Department, Coordination, Leader];

/// Roles that may register a new case.
pub const CREATORS: &[Role] = &[Worker, Secretary, Street, Leader];

/// The workflow rows.
pub const ACTION_RULES: &[ActionRule] = &[
    rule(
        ActionKind::Report,
        &[Worker, Secretary, Street],
        &[Draft, Returned],
    ),
    rule(ActionKind::Accept, &[Secretary, Street], &[Reported]),
    rule(
        ActionKind::ReturnForMore,
        &[Secretary, Street],
        &[Reported, Accepted],
    ),
    rule(
        ActionKind::Grade,
        &[Secretary, Street, Coordination],
        &[Accepted],
    ),
    rule(
        ActionKind::MarkDuplicate,
        &[Secretary, Street],
        &[Reported, Accepted],
    ),
    rule(ActionKind::SelfHandle, &[Secretary, Street], &[Accepted]),
    rule(
        ActionKind::CallDepartment,
        &[Street],
        &[Accepted, Dispatched, Handling],
    ),
    rule(
        ActionKind::Dispatch,
        &[Coordination],
        &[Accepted, Dispatched, Handling],
    ),
    rule(
        ActionKind::ReverseDispatch,
        &[Leader],
        &[Reported, Accepted, Dispatched, Handling],
    ),
    rule(ActionKind::CheckIn, &[Department], UNDER_WAY),
    rule(ActionKind::Progress, EVERY_WORKFLOW_ROLE, LIVE),
    rule(
        ActionKind::Handled,
        &[Department, Secretary, Street],
        &[Handling],
    ),
    rule(ActionKind::Verify, &[Worker, Secretary, Street], &[Handled]),
    rule(
        ActionKind::Reopen,
        &[Worker, Secretary, Street, Coordination],
        &[Handled, Verified, Closed],
    ),
    rule(
        ActionKind::Close,
        &[Secretary, Street, Coordination],
        &[Verified],
    ),
    rule(ActionKind::Archive, &[Street, Coordination], &[Closed]),
    rule(
        ActionKind::Evaluate,
        &[Street, Coordination],
        &[Handled, Verified, Closed],
    ),
    rule(
        ActionKind::RateSatisfaction,
        &[Worker, Secretary],
        &[Verified, Closed],
    ),
];

/// The field rows.
pub const FIELD_RULES: &[FieldRule] = &[
    field(CaseField::Category, &[Worker], &[Draft, Reported, Returned]),
    field(
        CaseField::Category,
        &[Secretary, Street],
        &[Reported, Accepted],
    ),
    field(CaseField::Title, &[Worker], &[Draft, Reported, Returned]),
    field(
        CaseField::Title,
        &[Secretary, Street],
        &[Reported, Accepted],
    ),
    field(
        CaseField::Description,
        &[Worker],
        &[Draft, Reported, Returned],
    ),
    field(
        CaseField::Description,
        &[Secretary, Street],
        &[Reported, Accepted],
    ),
    field(CaseField::Location, &[Worker], &[Draft, Reported, Returned]),
    field(
        CaseField::Location,
        &[Secretary, Street],
        &[Reported, Accepted],
    ),
    field(
        CaseField::Evidence,
        &[Worker, Secretary, Street],
        &[
            Draft, Reported, Returned, Accepted, Dispatched, Handling, Handled, Verified,
        ],
    ),
    field(CaseField::Evidence, &[Department], &[Handling, Handled]),
    field(CaseField::Comments, EVERY_WORKFLOW_ROLE, NOT_ARCHIVED),
    field(
        CaseField::Duplicates,
        &[Secretary, Street],
        &[Reported, Accepted, Merged],
    ),
    field(
        CaseField::Departments,
        &[Department, Coordination, Street],
        &[Dispatched, Handling, Handled],
    ),
];

const fn rule(action: ActionKind, roles: &'static [Role], from: &'static [Status]) -> ActionRule {
    ActionRule {
        action,
        roles,
        from,
    }
}

const fn field(field: CaseField, roles: &'static [Role], during: &'static [Status]) -> FieldRule {
    FieldRule {
        field,
        roles,
        during,
    }
}

/// Whether `role` may take step `action` while the case is `status`.
pub fn check_action(role: Role, action: ActionKind, status: Status) -> Result<(), Refusal> {
    let rows = ACTION_RULES
        .iter()
        .filter(|r| r.action == action && r.roles.contains(&role));
    match verdict(rows.map(|r| r.from), status) {
        Verdict::Allowed => Ok(()),
        Verdict::NotNow => Err(Refusal::ActionNotInStatus { action, status }),
        Verdict::Never => Err(Refusal::RoleMayNotAct { role, action }),
    }
}

/// Whether `role` may edit `field` while the case is `status`.
pub fn check_field(role: Role, field: CaseField, status: Status) -> Result<(), Refusal> {
    let rows = FIELD_RULES
        .iter()
        .filter(|r| r.field == field && r.roles.contains(&role));
    match verdict(rows.map(|r| r.during), status) {
        Verdict::Allowed => Ok(()),
        Verdict::NotNow => Err(Refusal::FieldNotInStatus { field, status }),
        Verdict::Never => Err(Refusal::RoleMayNotEdit { role, field }),
    }
}

enum Verdict {
    Allowed,
    NotNow,
    Never,
}

/// Given the status lists of the rows that name the role, is `status` allowed, not now, or never?
fn verdict<'a>(rows: impl Iterator<Item = &'a [Status]>, status: Status) -> Verdict {
    let mut named = false;
    for statuses in rows {
        if statuses.contains(&status) {
            return Verdict::Allowed;
        }
        named = true;
    }
    if named {
        Verdict::NotNow
    } else {
        Verdict::Never
    }
}

/// Whether `role` may register a new case.
pub fn check_create(role: Role) -> Result<(), Refusal> {
    if CREATORS.contains(&role) {
        Ok(())
    } else {
        Err(Refusal::RoleMayNotCreate { role })
    }
}

/// The steps `role` may take in `status` (before tier and department checks): what a phone
/// offers as buttons.
pub fn actions_for(role: Role, status: Status) -> Vec<ActionKind> {
    ActionKind::ALL
        .iter()
        .copied()
        .filter(|a| check_action(role, *a, status).is_ok())
        .collect()
}
