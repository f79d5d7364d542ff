//! The permission matrix: pinned by a snapshot, checked for every role × step × status, and
//! shown to be what the derivation enforces.

use wangge_proto::Role;
use wangge_proto::case::CaseField;
use wangge_proto::permissions::{actions_for, check_action, check_create, check_field};
use wangge_proto::values::CaseId;
use wangge_proto::workflow::{
    Action, ActionKind, CaseState, DispatchRound, Refusal, Satisfaction, Status, Tier,
};

use super::support::{Script, case_id, dept, scores};

/// One line per (subject, role) that is allowed somewhere, with the statuses allowed.
fn render_rows<T: Copy + std::fmt::Display>(
    subjects: &[T],
    allowed: impl Fn(Role, T, Status) -> bool,
) -> String {
    let mut out = String::new();
    for subject in subjects {
        for role in Role::ALL {
            let statuses: Vec<&str> = Status::ALL
                .iter()
                .filter(|s| allowed(*role, *subject, **s))
                .map(|s| s.as_str())
                .collect();
            if !statuses.is_empty() {
                out += &format!(
                    "{:<18} {:<20} {}\n",
                    subject.to_string(),
                    role.as_str(),
                    statuses.join(" ")
                );
            }
        }
    }
    out
}

/// The whole matrix as text.
fn render() -> String {
    let steps = render_rows(ActionKind::ALL, |r, a, s| check_action(r, a, s).is_ok());
    let fields = render_rows(CaseField::ALL, |r, f, s| check_field(r, f, s).is_ok());
    format!("# steps: action × role → statuses\n{steps}# fields: field × role → statuses\n{fields}")
}

#[test]
fn the_matrix_is_pinned() {
    insta::assert_snapshot!("permission_matrix", render());
}

#[test]
fn a_refusal_says_whether_the_role_or_the_status_is_wrong() {
    for action in ActionKind::ALL {
        for role in Role::ALL {
            let may_ever = Status::ALL
                .iter()
                .any(|s| check_action(*role, *action, *s).is_ok());
            for status in Status::ALL {
                match check_action(*role, *action, *status) {
                    Ok(()) => {}
                    Err(Refusal::RoleMayNotAct { .. }) => assert!(!may_ever, "{role} {action}"),
                    Err(Refusal::ActionNotInStatus { status: s, .. }) => {
                        assert!(may_ever, "{role} {action}");
                        assert_eq!(s, *status);
                    }
                    Err(other) => panic!("unexpected refusal {other:?}"),
                }
            }
        }
    }
}

#[test]
fn no_role_performs_another_roles_step() {
    let never = [
        (Role::GridWorker, ActionKind::Close),
        (Role::GridWorker, ActionKind::Accept),
        (Role::GridWorker, ActionKind::CallDepartment),
        (Role::GridWorker, ActionKind::Evaluate),
        (Role::DepartmentHandler, ActionKind::Evaluate),
        (Role::DepartmentHandler, ActionKind::Close),
        (Role::DepartmentHandler, ActionKind::Verify),
        (Role::DepartmentHandler, ActionKind::RateSatisfaction),
        (Role::CommunitySecretary, ActionKind::CheckIn),
        (Role::CommunitySecretary, ActionKind::Dispatch),
        (Role::StreetOffice, ActionKind::ReverseDispatch),
        (Role::StreetOffice, ActionKind::CheckIn),
        (Role::DistrictLeader, ActionKind::Close),
        (Role::CoordinationOffice, ActionKind::CheckIn),
    ];
    for (role, action) in never {
        for status in Status::ALL {
            assert_eq!(
                check_action(role, action, *status),
                Err(Refusal::RoleMayNotAct { role, action }),
                "{role} may {action} in {status}"
            );
        }
    }
    for status in Status::ALL {
        assert!(actions_for(Role::Administrator, *status).is_empty());
        for field in CaseField::ALL {
            assert!(check_field(Role::Administrator, *field, *status).is_err());
        }
    }
    assert!(check_create(Role::GridWorker).is_ok());
    assert_eq!(
        check_create(Role::DepartmentHandler),
        Err(Refusal::RoleMayNotCreate {
            role: Role::DepartmentHandler
        })
    );
}

#[test]
fn field_edits_follow_the_loop() {
    use CaseField::*;
    // The reporter edits the report until it is accepted, then only adds evidence and comments.
    assert!(check_field(Role::GridWorker, Title, Status::Returned).is_ok());
    assert_eq!(
        check_field(Role::GridWorker, Title, Status::Accepted),
        Err(Refusal::FieldNotInStatus {
            field: Title,
            status: Status::Accepted
        })
    );
    assert!(check_field(Role::GridWorker, Evidence, Status::Handling).is_ok());
    assert_eq!(
        check_field(Role::DepartmentHandler, Title, Status::Handling),
        Err(Refusal::RoleMayNotEdit {
            role: Role::DepartmentHandler,
            field: Title
        })
    );
    assert!(check_field(Role::DepartmentHandler, Departments, Status::Handling).is_ok());
    // Registration data never changes; nothing changes once archived.
    for role in Role::ALL {
        for status in Status::ALL {
            assert!(check_field(*role, Origin, *status).is_err());
        }
        for field in CaseField::ALL {
            assert!(
                check_field(*role, *field, Status::Archived).is_err(),
                "{role} {field}"
            );
        }
    }
}

/// A sample of each kind of action, with data that passes the guards where it can.
fn sample(kind: ActionKind, role: Role) -> Action {
    let scores = scores(18);
    match kind {
        ActionKind::Report => Action::Report {
            on_site_resolved: false,
        },
        ActionKind::Accept => Action::Accept,
        ActionKind::ReturnForMore => Action::ReturnForMore {
            reason: "请补充照片".into(),
        },
        ActionKind::Grade => Action::Grade {
            tier: Tier::General,
        },
        ActionKind::MarkDuplicate => Action::MarkDuplicate { of: case_id(9) },
        ActionKind::SelfHandle => Action::SelfHandle,
        ActionKind::CallDepartment => Action::CallDepartment {
            departments: vec![dept("huanbao")],
        },
        ActionKind::Dispatch => Action::Dispatch {
            round: DispatchRound::Second,
            departments: vec![dept("zhujian")],
        },
        ActionKind::ReverseDispatch => Action::ReverseDispatch {
            departments: vec![dept("yingji")],
        },
        ActionKind::CheckIn => Action::CheckIn {
            department: dept("chengguan"),
        },
        ActionKind::Progress => Action::Progress {
            note: "已到现场".into(),
        },
        ActionKind::Handled => Action::Handled {
            department: (role == Role::DepartmentHandler).then(|| dept("chengguan")),
            result: "已清运".into(),
        },
        ActionKind::Verify => Action::Verify {
            note: "现场已清理".into(),
        },
        ActionKind::Reopen => Action::Reopen {
            reason: "仍有垃圾".into(),
        },
        ActionKind::Close => Action::Close,
        ActionKind::Archive => Action::Archive,
        ActionKind::Evaluate => Action::Evaluate {
            department: dept("chengguan"),
            scores,
        },
        ActionKind::RateSatisfaction => Action::RateSatisfaction {
            level: Satisfaction::Satisfied,
        },
    }
}

/// A case brought into `status` by a plausible history (general tier, chengguan called).
pub fn state_in(status: Status) -> CaseState {
    use Role::*;
    let mut s = Script::new();
    let path: &[(Role, Action)] = &[
        (
            GridWorker,
            Action::Report {
                on_site_resolved: false,
            },
        ),
        (CommunitySecretary, Action::Accept),
        (
            StreetOffice,
            Action::Grade {
                tier: Tier::General,
            },
        ),
        (
            StreetOffice,
            Action::CallDepartment {
                departments: vec![dept("chengguan")],
            },
        ),
        (
            DepartmentHandler,
            Action::CheckIn {
                department: dept("chengguan"),
            },
        ),
        (
            DepartmentHandler,
            Action::Handled {
                department: Some(dept("chengguan")),
                result: "已清运".into(),
            },
        ),
        (
            GridWorker,
            Action::Verify {
                note: "已核实".into(),
            },
        ),
        (StreetOffice, Action::Close),
        (StreetOffice, Action::Archive),
    ];
    let stop = match status {
        Status::Draft => 0,
        Status::Reported => 1,
        Status::Accepted => 3,
        Status::Dispatched => 4,
        Status::Handling => 5,
        Status::Handled => 6,
        Status::Verified => 7,
        Status::Closed => 8,
        Status::Archived => 9,
        Status::Returned => {
            s.step(
                GridWorker,
                Action::Report {
                    on_site_resolved: false,
                },
            );
            s.step(
                CommunitySecretary,
                Action::ReturnForMore {
                    reason: "位置不清".into(),
                },
            );
            return s.state();
        }
        Status::Merged => {
            s.step(
                GridWorker,
                Action::Report {
                    on_site_resolved: false,
                },
            );
            s.step(
                CommunitySecretary,
                Action::MarkDuplicate {
                    of: CaseId::generate(),
                },
            );
            return s.state();
        }
    };
    for (role, action) in &path[..stop] {
        s.step(*role, action.clone());
    }
    let state = s.state();
    assert_eq!(
        state.status, status,
        "history did not reach {status}: {:?}",
        state.timeline
    );
    state
}

#[test]
fn the_derivation_enforces_the_matrix_in_every_status() {
    for status in Status::ALL {
        let state = state_in(*status);
        for role in Role::ALL {
            for kind in ActionKind::ALL {
                let outcome = state.check(*role, &sample(*kind, *role));
                match check_action(*role, *kind, *status) {
                    Err(matrix) => assert_eq!(outcome, Err(matrix), "{role} {kind} in {status}"),
                    Ok(()) => assert!(
                        !matches!(
                            outcome,
                            Err(Refusal::RoleMayNotAct { .. } | Refusal::ActionNotInStatus { .. })
                        ),
                        "{role} {kind} in {status}: {outcome:?}"
                    ),
                }
            }
        }
    }
}
