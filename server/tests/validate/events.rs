//! Workflow events: only steps the author's role may take, written under the author's own
//! name, appended and never rewritten.

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use wangge_proto::Role;
use wangge_proto::values::EventId;
use wangge_proto::workflow::{Action, Status};
use wangge_sync::hub::MemoryHub;

use crate::support::{Device, expect_refused, hub, hub_doc, hub_status, reported_case, ts};

#[test]
fn a_grid_worker_cannot_close_a_case() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);

    worker.forge(&case, Action::Close, |_| {});
    expect_refused(&store, &hub, &mut worker, &case, "case.forbidden_action");
    let refusal = worker.phone.rejected().last().unwrap();
    assert_eq!(refusal.zh, "“结案”未被接受：网格员不能执行“结案”。");
    assert_eq!(
        refusal.en,
        "The step “Close” was not accepted: A Grid worker cannot Close."
    );
    assert_eq!(hub_status(&store, &case), Status::Reported);
    assert_eq!(hub_doc(&store, &case).events().unwrap().0.len(), 1);
}

#[test]
fn a_step_not_allowed_in_the_status_the_author_saw_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let case = reported_case(&hub, &mut worker, 1);

    // The secretary may close cases, but not one that was only reported.
    secretary.sync_fully(&hub);
    secretary.forge(&case, Action::Close, |_| {});
    expect_refused(&store, &hub, &mut secretary, &case, "case.forbidden_action");
}

#[test]
fn a_step_recorded_under_another_role_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let secretary = Device::secretary(&store, 2);
    let case = reported_case(&hub, &mut worker, 1);

    // The worker writes an acceptance claiming to be the secretary.
    let secretary_user = secretary.session.user;
    worker.forge(&case, Action::Accept, |event| {
        event.role = Role::CommunitySecretary;
        event.actor = secretary_user;
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.event_impersonation");

    // Only the role: still refused.
    worker.forge(&case, Action::Accept, |event| {
        event.role = Role::CommunitySecretary
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.event_impersonation");
    assert_eq!(hub_status(&store, &case), Status::Reported);
}

#[test]
fn a_recorded_step_cannot_be_rewritten() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);
    let report = hub_doc(&store, &case).events().unwrap().0[0].id;

    // Backdate the report.
    worker.edit_raw(&case, |doc| {
        let (_, events) = doc.get(ROOT, "events").unwrap().unwrap();
        let (_, event) = doc.get(&events, report.to_string()).unwrap().unwrap();
        doc.put(&event, "at", ts(-600).as_millis()).unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.event_rewritten");
}

/// A phone that has not seen a recorded step makes a new entry under that step's key: a
/// fresh entry for it, but the key is taken in the stored case, so it is a rewrite.
#[test]
fn a_step_made_under_the_key_of_a_recorded_step_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = worker.create_case(1, "垃圾桶满溢");
    worker.sync_fully(&hub);
    let mut other = Device::grid_worker(&store, 2);
    other.sync_fully(&hub);
    let report = other.act(
        &case,
        Action::Report {
            on_site_resolved: false,
        },
    );
    other.sync_fully(&hub);

    worker.edit_raw(&case, |doc| {
        let (_, events) = doc.get(ROOT, "events").unwrap().unwrap();
        doc.put_object(&events, report.id.to_string(), automerge::ObjType::Map)
            .unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.event_rewritten");
    assert_eq!(hub_status(&store, &case), Status::Reported);
}

#[test]
fn a_recorded_step_cannot_be_deleted_or_replaced() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);
    let report = hub_doc(&store, &case).events().unwrap().0[0].id.to_string();

    worker.edit_raw(&case, |doc| {
        let (_, events) = doc.get(ROOT, "events").unwrap().unwrap();
        doc.delete(&events, report.as_str()).unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.event_rewritten");

    worker.edit_raw(&case, |doc| {
        doc.put_object(ROOT, "events", automerge::ObjType::Map)
            .unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.event_rewritten");
}

#[test]
fn a_step_following_an_unknown_step_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);

    let nowhere = EventId::from_parts(ts(5), [9; 10]);
    worker.forge(
        &case,
        Action::Progress {
            note: "已通知物业".into(),
        },
        |event| {
            event.follows = vec![nowhere];
        },
    );
    expect_refused(
        &store,
        &hub,
        &mut worker,
        &case,
        "case.event_unknown_predecessor",
    );
}

#[test]
fn a_malformed_step_is_refused() {
    let store = MemoryHub::new();
    let hub = hub(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = reported_case(&hub, &mut worker, 1);

    let id = EventId::from_parts(ts(5), [7; 10]).to_string();
    worker.edit_raw(&case, |doc| {
        let (_, events) = doc.get(ROOT, "events").unwrap().unwrap();
        let event = doc
            .put_object(&events, id.as_str(), automerge::ObjType::Map)
            .unwrap();
        doc.put(&event, "id", id.as_str()).unwrap();
    });
    expect_refused(&store, &hub, &mut worker, &case, "case.layout");
}
