//! Field edits: the matrix of role × field × status, parts made with the case never replaced,
//! nothing outside the layout, and one refused case never blocks the rest of a batch.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc};
use wangge_proto::case::DuplicateLink;
use wangge_proto::values::CaseId;
use wangge_proto::workflow::Action;
use wangge_sync::hub::MemoryHub;

use crate::support::{Device, expect_refused, hub, hub_doc, reported_case, ts};

#[test]
fn a_grid_worker_cannot_link_duplicates() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);

    let user = worker.session.user;
    worker.edit(&case, |doc| {
        let link = DuplicateLink {
            case: CaseId::from_parts(ts(2), [3; 10]),
            linked_by: user,
            at: ts(3),
            note: "同一垃圾桶".into(),
        };
        doc.link_duplicate(&link).unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.forbidden_field");
}

#[test]
fn a_grid_worker_cannot_edit_the_title_once_the_case_is_accepted() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let case = reported_case(&hub, &mut worker, 1);
    secretary.sync_fully(&hub);
    secretary.act(&case, Action::Accept);
    secretary.sync_fully(&hub);

    worker.sync_fully(&hub);
    worker.edit(&case, |doc| doc.set_title("改过的标题").unwrap());
    expect_refused(&store, &hub, &mut worker, &case, "case.forbidden_field");
    let rejected = worker.phone.rejected().last().unwrap();
    assert!(rejected.zh.contains("已受理"), "{}", rejected.zh);
}

#[test]
fn the_registration_data_never_changes() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);

    worker.edit_raw(&case, |doc| {
        let (_, origin) = doc.get(ROOT, "origin").unwrap().unwrap();
        doc.put(&origin, "grid", "110105001002001").unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.forbidden_field");
}

#[test]
fn a_key_outside_the_layout_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);

    worker.edit_raw(&case, |doc| {
        doc.put(ROOT, "status", "closed").unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.unknown_field");
}

#[test]
fn a_part_made_with_the_case_is_never_replaced() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);

    worker.edit_raw(&case, |doc| {
        doc.put_object(ROOT, "comments", ObjType::Map).unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.container_replaced");
}

#[test]
fn a_malformed_entry_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);

    worker.edit_raw(&case, |doc| {
        let (_, evidence) = doc.get(ROOT, "evidence").unwrap().unwrap();
        doc.put(&evidence, "not-a-hash", "a photo").unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.layout");
}

#[test]
fn an_honest_edit_in_the_same_batch_goes_through() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let refused = reported_case(&hub, &mut worker, 1);
    let honest = reported_case(&hub, &mut worker, 2);

    worker.forge(&refused, Action::Close, |_| {});
    worker.comment(&honest, 3, "已通知物业清运");
    worker.edit(&honest, |doc| {
        doc.set_title("垃圾桶满溢（3 号楼）").unwrap()
    });
    let report = worker.sync_with(&hub);

    assert_eq!(report.accepted, vec![honest]);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].code, "case.forbidden_action");
    let view = hub_doc(&store, &honest).read().unwrap();
    assert_eq!(view.comments.len(), 1);
    assert_eq!(view.title, "垃圾桶满溢（3 号楼）");
}
