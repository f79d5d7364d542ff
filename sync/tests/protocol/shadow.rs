//! The hub judges uploads from the shadow of a case (ADR 0014) — a new case, a hot one, and
//! one it had to load — and the result is what judging the document gives (debug builds
//! compare the two at every merge).

use wangge_sync::hub::{Lookups, MemoryHub};

use crate::support::{Device, hub_doc, hub_heads, observed};

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

#[test]
fn changes_kept_aside_reach_the_other_devices_as_they_came() {
    let store = MemoryHub::new();
    let (hub, recorder) = observed(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let case = worker.create_case(1, "楼道堆物");
    worker.sync_with(&hub).unwrap();
    secretary.sync_fully(&hub);

    // Two edits judged from the shadow: the hot case keeps them aside, and the secretary,
    // who has everything before them, gets exactly them from there.
    worker.set_title(&case, "楼道堆物（三单元）");
    worker.set_title(&case, "楼道堆物（三单元二层）");
    worker.sync_with(&hub).unwrap();
    assert_eq!(recorder.last().shadowed, 1);
    secretary.sync_fully(&hub);
    assert_eq!(recorder.last().served, Lookups { hits: 1, misses: 0 });
    assert_eq!(secretary.heads(&case), hub_heads(&store, &case));

    // Concurrent edits: the secretary's upload does not cover the worker's change, which
    // comes back in the reply.
    secretary.comment(&case, 1, "请物业今日清理");
    worker.set_title(&case, "楼道堆物（已通知物业）");
    worker.sync_with(&hub).unwrap();
    secretary.sync_fully(&hub);
    worker.sync_fully(&hub);
    assert_eq!(worker.heads(&case), hub_heads(&store, &case));
    assert_eq!(secretary.heads(&case), hub_heads(&store, &case));
    let stored = hub_doc(&store, &case).read().unwrap();
    assert_eq!(stored.title, "楼道堆物（已通知物业）");
    assert_eq!(stored.comments.len(), 1);
    assert!(recorder.all().iter().all(|batch| batch.held == 0));
}

#[test]
fn a_change_repeating_its_actors_sequence_number_is_left_to_automerge() {
    use serde_bytes::ByteBuf;
    use wangge_proto::case::CaseDocument;
    use wangge_sync::Limits;
    use wangge_sync::wire::{self, CaseUpload, Cursor, Kind, Outcome, SyncRequest, SyncResponse};

    let store = MemoryHub::new();
    let (hub, recorder) = observed(&store);
    let mut worker = Device::grid_worker(&store, 1);
    let case = worker.create_case(1, "占道经营");
    worker.sync_with(&hub).unwrap();
    let acked = worker.phone.get(&case).unwrap().acked.clone();
    let base = worker.phone.get(&case).unwrap().doc.clone();
    worker.set_title(&case, "占道经营（早市）");
    worker.sync_with(&hub).unwrap();
    let heads = hub_heads(&store, &case);

    // The same actor's next change again, from the old base: automerge refuses a repeated
    // sequence number, and the shadow, which does not follow it, leaves it to automerge.
    let mut forged = CaseDocument::from_automerge(base).unwrap();
    forged.set_description("重复的序号").unwrap();
    forged.commit(crate::support::ts(9), "forged").unwrap();
    let request = SyncRequest {
        device: worker.session.device,
        cursor: Cursor(0),
        uploads: vec![CaseUpload {
            case,
            base: acked.clone(),
            changes: ByteBuf::from(forged.automerge_mut().save_after(&acked)),
            relayed: vec![],
        }],
        refetch: vec![],
    };
    let bytes = wire::encode(Kind::SyncRequest, &request);
    let response = pollster::block_on(hub.sync(&worker.session, &bytes)).unwrap();
    let response: SyncResponse =
        wire::decode(&response, Kind::SyncResponse, &Limits::default()).unwrap();
    match &response.verdicts[0].outcome {
        Outcome::Rejected { code, .. } => assert_eq!(code, "sync.changes_corrupt"),
        other => panic!("accepted a repeated sequence number: {other:?}"),
    }
    assert_eq!(recorder.last().shadowed, 0);
    assert_eq!(hub_heads(&store, &case), heads);
    assert_ne!(
        hub_doc(&store, &case).read().unwrap().description,
        "重复的序号"
    );
}
