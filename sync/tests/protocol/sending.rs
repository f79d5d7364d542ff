//! What the hub sends of stored cases: from the document the last merge left loaded when the
//! hub's cache holds it, loaded otherwise; a whole case as the store holds it.

use wangge_sync::hub::{Lookups, MemoryHub};

use crate::support::{Device, hub_doc, hub_heads, observed};

fn title(device: &Device, case: &wangge_proto::values::CaseId) -> String {
    let doc = device.phone.get(case).unwrap().doc.clone();
    wangge_proto::case::CaseDocument::from_automerge(doc)
        .unwrap()
        .title()
        .unwrap()
}

#[test]
fn the_feed_sends_what_the_last_merge_left_loaded_without_loading_it() {
    let store = MemoryHub::new();
    let (hub, recorder) = observed(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let cases = [
        worker.create_case(1, "垃圾满溢"),
        worker.create_case(2, "路灯损坏"),
    ];
    worker.sync_with(&hub).unwrap();

    // The secretary has neither: each goes whole, its heads read from the hot document.
    secretary.sync_with(&hub).unwrap();
    let first = recorder.last();
    assert_eq!(first.updates_sent, 2);
    assert_eq!(first.served, Lookups { hits: 2, misses: 0 });
    for case in &cases {
        assert_eq!(secretary.heads(case), hub_heads(&store, case));
    }

    // An edit: the secretary gets the new change, cut from the hot document.
    worker.set_title(&cases[0], "垃圾满溢（已清运）");
    worker.sync_with(&hub).unwrap();
    secretary.sync_with(&hub).unwrap();
    let second = recorder.last();
    assert_eq!(second.updates_sent, 1);
    assert_eq!(second.served, Lookups { hits: 1, misses: 0 });
    assert_eq!(secretary.heads(&cases[0]), hub_heads(&store, &cases[0]));
    assert_eq!(title(&secretary, &cases[0]), "垃圾满溢（已清运）");

    // Another instance has nothing loaded: it loads each case to learn its heads, and sends
    // the same.
    let (cold, cold_recorder) = observed(&store);
    let mut colleague = Device::secretary(&store, 3);
    colleague.sync_with(&cold).unwrap();
    assert_eq!(cold_recorder.last().served, Lookups { hits: 0, misses: 2 });
    for case in &cases {
        assert_eq!(colleague.heads(case), hub_heads(&store, case));
        assert_eq!(
            title(&colleague, case),
            hub_doc(&store, case).title().unwrap()
        );
    }
}
