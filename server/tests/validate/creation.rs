//! New cases: only roles that register cases, under their own name.

use wangge_proto::case::{CaseSource, Origin};
use wangge_sync::hub::MemoryHub;

use crate::support::{Device, grid, hub, hub_doc, ts};

#[test]
fn a_grid_worker_registers_a_case() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = worker.create_case(1, "占道经营");
    worker.sync_fully(&hub);
    assert_eq!(hub_doc(&store, &case).read().unwrap().title, "占道经营");
}

#[test]
fn a_role_that_may_not_register_cases_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut office = Device::coordination(&store, 5);
    let case = office.create_case(1, "占道经营");
    let report = office.sync_with(&hub);

    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].code, "case.forbidden_create");
    assert!(store.case_bytes(&case).is_none());
    assert_eq!(office.phone.rejected()[0].case, case);
    assert!(!office.phone.rejected()[0].changes.is_empty());
}

#[test]
fn a_case_registered_in_someone_elses_name_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let secretary = Device::secretary(&store, 2);
    let origin = Origin {
        reporter: secretary.session.user,
        role: secretary.session.role,
        device: secretary.session.device,
        grid: grid(),
        created_at: ts(1),
        source: CaseSource::Patrol,
    };
    let case = worker.create_case_with(1, "占道经营", origin);
    let report = worker.sync_with(&hub);

    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].code, "case.origin_impersonation");
    assert!(store.case_bytes(&case).is_none());
}
