//! The hub judges uploads from the shadow of a case (ADR 0014) — a new case, a hot one, and
//! one it had to load — and the result is what judging the document gives (debug builds
//! compare the two at every merge).

use wangge_sync::hub::{Lookups, MemoryHub};

use crate::support::{Device, hub_heads, observed};

#[test]
fn new_hot_and_loaded_cases_are_judged_from_their_shadow() {
    let store = MemoryHub::new();
    let (hub, recorder) = observed(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let cases = [
        worker.create_case(1, "垃圾满溢"),
        worker.create_case(2, "路灯损坏"),
    ];
    worker.sync_with(&hub).unwrap();
    let created = recorder.last();
    assert_eq!((created.accepted, created.shadowed), (2, 2));

    // The shadow the creation left is the one the edit is judged from.
    worker.set_title(&cases[0], "垃圾满溢（已清运）");
    worker.sync_with(&hub).unwrap();
    let edited = recorder.last();
    assert_eq!(edited.hot, Lookups { hits: 1, misses: 0 });
    assert_eq!((edited.accepted, edited.shadowed), (1, 1));

    // Another instance loads the case, and builds its shadow from the document.
    let (cold, cold_recorder) = observed(&store);
    worker.set_title(&cases[1], "路灯损坏（已报修）");
    worker.sync_with(&cold).unwrap();
    let loaded = cold_recorder.last();
    assert_eq!(loaded.hot, Lookups { hits: 0, misses: 1 });
    assert_eq!((loaded.accepted, loaded.shadowed), (1, 1));
    for case in &cases {
        assert_eq!(worker.heads(case), hub_heads(&store, case));
    }
}

#[test]
fn a_case_with_ops_no_shadow_follows_is_judged_from_its_document() {
    use automerge::transaction::Transactable;
    use automerge::{ROOT, ScalarValue};

    let store = MemoryHub::new();
    let (hub, recorder) = observed(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = worker.create_case(1, "井盖缺失");
    worker.edit(&case, |doc| {
        // A counter and its increment: automerge merges them, a shadow does not follow them.
        let am = doc.automerge_mut();
        am.put(ROOT, "visits", ScalarValue::counter(1)).unwrap();
        am.increment(ROOT, "visits", 2).unwrap();
    });
    worker.sync_with(&hub).unwrap();
    let first = recorder.last();
    assert_eq!((first.accepted, first.shadowed), (1, 0));

    // The hot case remembers it has no shadow; the next edit is judged from the document too.
    worker.set_title(&case, "井盖缺失（已设围挡）");
    worker.sync_with(&hub).unwrap();
    let second = recorder.last();
    assert_eq!(second.hot, Lookups { hits: 1, misses: 0 });
    assert_eq!((second.accepted, second.shadowed), (1, 0));
    assert_eq!(worker.heads(&case), hub_heads(&store, &case));
}
