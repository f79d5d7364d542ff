//! Honest workflow steps go through, including several taken offline and sent at once, and
//! steps that lost a race are accepted and kept for the audit trail.

use wangge_proto::workflow::{Action, Status, Tier};
use wangge_sync::hub::MemoryHub;

use crate::support::{Device, department, expect_refused, hub, hub_doc, hub_status, reported_case};

#[test]
fn a_grid_worker_creates_and_reports_in_one_upload() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);
    assert_eq!(hub_status(&store, &case), Status::Reported);
}

#[test]
fn the_secretary_accepts_a_report() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let case = reported_case(&hub, &mut worker, 1);

    secretary.sync_fully(&hub);
    secretary.act(&case, Action::Accept);
    secretary.edit(&case, |doc| doc.set_title("垃圾桶满溢（已核实）").unwrap());
    secretary.sync_fully(&hub);

    assert_eq!(hub_status(&store, &case), Status::Accepted);
    assert_eq!(
        hub_doc(&store, &case).read().unwrap().title,
        "垃圾桶满溢（已核实）"
    );
}

#[test]
fn a_returned_report_is_completed_and_reported_again() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let case = reported_case(&hub, &mut worker, 1);

    secretary.sync_fully(&hub);
    secretary.act(
        &case,
        Action::ReturnForMore {
            reason: "请补充具体位置".into(),
        },
    );
    secretary.sync_fully(&hub);
    assert_eq!(hub_status(&store, &case), Status::Returned);

    worker.sync_fully(&hub);
    worker.edit(&case, |doc| {
        doc.set_description("3 号楼南侧垃圾桶三天未清运").unwrap()
    });
    worker.act(
        &case,
        Action::Report {
            on_site_resolved: false,
        },
    );
    worker.sync_fully(&hub);
    assert_eq!(hub_status(&store, &case), Status::Reported);
}

#[test]
fn a_simple_case_goes_round_the_loop_with_steps_taken_offline() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let case = reported_case(&hub, &mut worker, 1);

    // Four steps in a row on the secretary's phone, sent in one upload.
    secretary.sync_fully(&hub);
    secretary.act(&case, Action::Accept);
    secretary.act(&case, Action::Grade { tier: Tier::Simple });
    secretary.act(&case, Action::SelfHandle);
    secretary.act(
        &case,
        Action::Handled {
            department: None,
            result: "已联系物业清运".into(),
        },
    );
    secretary.sync_fully(&hub);
    assert_eq!(hub_status(&store, &case), Status::Handled);

    worker.sync_fully(&hub);
    worker.act(
        &case,
        Action::Verify {
            note: "现场已清理干净".into(),
        },
    );
    worker.sync_fully(&hub);

    secretary.sync_fully(&hub);
    secretary.act(&case, Action::Close);
    secretary.sync_fully(&hub);
    assert_eq!(hub_status(&store, &case), Status::Closed);
}

/// A street office calls two departments on a general case.
fn called_case(
    hub: &crate::support::PolicyHub<'_>,
    store: &MemoryHub,
) -> wangge_proto::values::CaseId {
    let mut worker = Device::grid_worker(store, 1);
    let mut street = Device::street(store, 3);
    let case = reported_case(hub, &mut worker, 1);
    street.sync_fully(hub);
    street.act(&case, Action::Accept);
    street.act(
        &case,
        Action::Grade {
            tier: Tier::General,
        },
    );
    street.act(
        &case,
        Action::CallDepartment {
            departments: vec![department("chengguan"), department("huanbao")],
        },
    );
    street.sync_fully(hub);
    assert_eq!(hub_status(store, &case), Status::Dispatched);
    case
}

#[test]
fn a_department_checks_in_and_works_on_a_case_called_to_it() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let case = called_case(&hub, &store);
    let mut handler = Device::department(&store, 4, "chengguan");

    // Check in, then notes in the department's own section, offline, in one upload.
    handler.sync_fully(&hub);
    handler.act(
        &case,
        Action::CheckIn {
            department: department("chengguan"),
        },
    );
    handler.edit(&case, |doc| {
        doc.set_department_notes(
            &department("chengguan"),
            "已派执法队员到场",
            "王队 13800000000",
        )
        .unwrap();
    });
    handler.sync_fully(&hub);

    assert_eq!(hub_status(&store, &case), Status::Handling);
    let view = hub_doc(&store, &case).read().unwrap();
    assert!(view.departments.contains_key(&department("chengguan")));
}

#[test]
fn a_department_cannot_check_in_for_another_department() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let case = called_case(&hub, &store);
    let mut handler = Device::department(&store, 4, "chengguan");

    handler.sync_fully(&hub);
    handler.act(
        &case,
        Action::CheckIn {
            department: department("huanbao"),
        },
    );
    expect_refused(&store, &hub, &mut handler, &case, "case.wrong_department");
    assert_eq!(hub_status(&store, &case), Status::Dispatched);
}

#[test]
fn a_department_cannot_write_another_departments_section() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let case = called_case(&hub, &store);
    let mut handler = Device::department(&store, 4, "chengguan");

    handler.sync_fully(&hub);
    handler.act(
        &case,
        Action::CheckIn {
            department: department("chengguan"),
        },
    );
    handler.sync_fully(&hub);
    handler.edit(&case, |doc| {
        doc.set_department_notes(&department("huanbao"), "环保已处理", "")
            .unwrap();
    });
    expect_refused(&store, &hub, &mut handler, &case, "case.wrong_department");
}

#[test]
fn a_step_that_lost_a_race_is_accepted_and_kept_for_the_audit_trail() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let mut street = Device::street(&store, 3);
    let case = reported_case(&hub, &mut worker, 1);
    secretary.sync_fully(&hub);
    street.sync_fully(&hub);

    // Both review the same report offline: the street returns it, the secretary accepts it.
    street.act(
        &case,
        Action::ReturnForMore {
            reason: "照片不清晰".into(),
        },
    );
    street.sync_fully(&hub);
    secretary.act(&case, Action::Accept);
    secretary.sync_fully(&hub);

    // The return wins the race (it keeps the case open); the acceptance is kept, refused.
    let state = hub_doc(&store, &case)
        .state(&wangge_proto::workflow::DeadlinePolicy::default())
        .unwrap();
    assert_eq!(state.status, Status::Returned);
    assert_eq!(state.not_applied().count(), 1);
}
