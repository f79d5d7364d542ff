//! Per-case verdicts: a refused case stores nothing, keeps the phone's edits visible, and
//! never blocks the other cases of the batch.

use automerge::AutoCommit;
use serde_bytes::ByteBuf;
use wangge_proto::case::CaseDocument;
use wangge_sync::hub::{AcceptAll, Hub, MemoryHub, Rejection, UploadCheck};
use wangge_sync::phone::PhoneStore;
use wangge_sync::wire::{self, CaseUpload, Cursor, Kind, Outcome, SyncRequest, SyncResponse};
use wangge_sync::{Limits, relay};

use crate::support::{Device, hub, hub_doc, hub_heads, other_grid};

fn send(store: &MemoryHub, phone: &Device, uploads: Vec<CaseUpload>) -> SyncResponse {
    let request = SyncRequest {
        device: phone.session.device,
        cursor: Cursor(0),
        uploads,
        refetch: vec![],
    };
    let bytes = wire::encode(Kind::SyncRequest, &request);
    let response = pollster::block_on(hub(store, AcceptAll).sync(&phone.session, &bytes)).unwrap();
    wire::decode(&response, Kind::SyncResponse, &Limits::default()).unwrap()
}

fn code(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Rejected { code, .. } | Outcome::Held { code, .. } => code,
        Outcome::Accepted => "accepted",
        Outcome::Resend => "resend",
    }
}

/// A policy that refuses any title containing 违规.
fn no_forbidden_titles(check: &UploadCheck<'_>) -> Result<(), Rejection> {
    let title = check
        .after
        .read()
        .map_err(|e| Rejection::new("test.read", "", e.to_string()))?
        .title;
    if title.contains("违规") {
        return Err(Rejection::new(
            "case.forbidden_title",
            "标题含违规内容。",
            "The title is not allowed.",
        ));
    }
    Ok(())
}

#[test]
fn a_refused_case_keeps_its_edits_aside_and_the_rest_of_the_batch_goes_through() {
    let store = MemoryHub::new();
    let strict = Hub::new(&store, no_forbidden_titles, Limits::default());
    let mut phone = Device::grid_worker(&store, 1);
    let refused_case = phone.create_case(1, "占道经营");
    let honest_case = phone.create_case(2, "垃圾满溢");
    phone.sync_with(&strict).unwrap();
    let stored = hub_heads(&store, &refused_case);

    phone.set_title(&refused_case, "违规标题");
    phone.comment(&honest_case, 3, "已通知物业清运");
    let report = phone.sync_with(&strict).unwrap();

    assert_eq!(report.accepted, vec![honest_case]);
    assert_eq!(report.rejected.len(), 1);
    let refused = &report.rejected[0];
    assert_eq!(
        (refused.case, refused.code.as_str()),
        (refused_case, "case.forbidden_title")
    );
    assert_eq!(refused.zh, "标题含违规内容。");
    // The hub is unchanged for the refused case; the phone shows the hub's version again and
    // keeps the refused change, which still loads and holds the typed title.
    assert_eq!(hub_heads(&store, &refused_case), stored);
    assert_eq!(phone.heads(&refused_case), stored);
    let mut kept =
        AutoCommit::load(&phone.phone.get(&refused_case).unwrap().doc.clone().save()).unwrap();
    kept.load_incremental(&refused.changes).unwrap();
    assert_eq!(
        CaseDocument::from_automerge(kept)
            .unwrap()
            .read()
            .unwrap()
            .title,
        "违规标题"
    );
    assert_eq!(phone.phone.rejected(), &report.rejected[..]);
    assert!(
        phone.phone.dirty().unwrap().is_empty(),
        "a refused edit must not be re-sent forever"
    );
    // The honest case is on the hub with its comment.
    assert_eq!(
        hub_doc(&store, &honest_case).read().unwrap().comments.len(),
        1
    );
}

/// The hub keeps the case loaded between merges and applies each upload before the policy
/// judges it: a refused upload must leave nothing of itself in what the next merge of the
/// same hub starts from.
#[test]
fn the_next_upload_after_a_refusal_merges_into_the_stored_case_not_the_refused_one() {
    let store = MemoryHub::new();
    let strict = Hub::new(&store, no_forbidden_titles, Limits::default());
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "占道经营");
    phone.sync_with(&strict).unwrap();
    phone.comment(&case, 2, "已拍照");
    phone.sync_with(&strict).unwrap();
    assert_eq!(
        strict.cache().usage().0,
        1,
        "the case is hot: the next merge starts from the cached copy"
    );

    phone.set_title(&case, "违规标题");
    let refused = phone.sync_with(&strict).unwrap();
    assert_eq!(refused.rejected.len(), 1);
    let stored = hub_heads(&store, &case).unwrap();

    phone.set_title(&case, "违章停车");
    let report = phone.sync_with(&strict).unwrap();
    assert_eq!(report.accepted, vec![case]);
    let hub = hub_doc(&store, &case);
    let view = hub.read().unwrap();
    assert_eq!(view.title, "违章停车");
    assert_eq!(view.comments.len(), 1);
    // Exactly the stored changes and the honest one: nothing of the refused upload.
    assert_eq!(phone.heads(&case), hub_heads(&store, &case));
    assert_eq!(
        hub.into_automerge().get_changes(&stored).len(),
        1,
        "the stored case gained exactly the honest change"
    );
    assert_eq!(strict.cache().usage().0, 1);
}

#[test]
fn a_refused_new_case_leaves_the_active_list_but_not_the_phone() {
    let store = MemoryHub::new();
    let strict = Hub::new(&store, no_forbidden_titles, Limits::default());
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "违规标题");
    let report = phone.sync_with(&strict).unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert!(store.case_bytes(&case).is_none());
    assert!(phone.phone.get(&case).is_none());
    let kept = CaseDocument::load(&phone.phone.rejected()[0].changes).unwrap();
    assert_eq!(kept.read().unwrap().title, "违规标题");
}

#[test]
fn sending_the_same_request_twice_changes_nothing() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "路面塌陷");
    phone.sync_with(&hub(&store, AcceptAll)).unwrap();
    phone.set_title(&case, "路面塌陷，已设警示");
    let (request, _) = phone.sync.prepare(&phone.phone).unwrap();
    let hub = hub(&store, AcceptAll);
    let first: SyncResponse = wire::decode(
        &pollster::block_on(hub.sync(&phone.session, &request)).unwrap(),
        Kind::SyncResponse,
        &Limits::default(),
    )
    .unwrap();
    let heads = hub_heads(&store, &case);
    let stored = store.changes_stored();
    let second: SyncResponse = wire::decode(
        &pollster::block_on(hub.sync(&phone.session, &request)).unwrap(),
        Kind::SyncResponse,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        (hub_heads(&store, &case), store.changes_stored()),
        (heads, stored)
    );
    assert_eq!(first.verdicts, second.verdicts);
}

#[test]
fn orphan_changes_are_refused() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "违章搭建");
    let other = phone.create_case(2, "噪音扰民");
    phone.sync_with(&hub(&store, AcceptAll)).unwrap();
    let acked = phone.phone.get(&case).unwrap().acked.clone();
    let first = phone.set_title(&case, "违章搭建（二楼）").unwrap();
    phone.set_title(&case, "违章搭建（二楼阳台）");
    phone.set_title(&other, "夜间噪音扰民");
    // Only the second change: it depends on the first, which is not sent.
    let mut doc = phone.phone.get(&case).unwrap().doc.clone();
    let orphan: Vec<u8> = doc
        .get_changes(&[first])
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect();
    let mut other_doc = phone.phone.get(&other).unwrap().doc.clone();
    let other_acked = phone.phone.get(&other).unwrap().acked.clone();
    let honest = other_doc.save_after(&other_acked);
    let response = send(
        &store,
        &phone,
        vec![
            CaseUpload {
                case,
                base: acked,
                changes: ByteBuf::from(orphan),
                relayed: vec![],
            },
            CaseUpload {
                case: other,
                base: other_acked,
                changes: ByteBuf::from(honest),
                relayed: vec![],
            },
        ],
    );
    assert_eq!(code(&response.verdicts[0].outcome), "sync.orphan_changes");
    assert_eq!(code(&response.verdicts[1].outcome), "accepted");
    assert_eq!(hub_doc(&store, &case).read().unwrap().title, "违章搭建");
    assert_eq!(
        hub_doc(&store, &other).read().unwrap().title,
        "夜间噪音扰民"
    );
}

#[test]
fn corrupt_changes_are_refused() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "广告牌松动");
    phone.sync_with(&hub(&store, AcceptAll)).unwrap();
    let acked = phone.phone.get(&case).unwrap().acked.clone();
    phone.set_title(&case, "广告牌松动，有坠落风险");
    let mut changes = phone
        .phone
        .get(&case)
        .unwrap()
        .doc
        .clone()
        .save_after(&acked);
    let last = changes.len() - 1;
    changes[last] ^= 0x55;
    let response = send(
        &store,
        &phone,
        vec![CaseUpload {
            case,
            base: acked,
            changes: ByteBuf::from(changes),
            relayed: vec![],
        }],
    );
    assert_eq!(code(&response.verdicts[0].outcome), "sync.changes_corrupt");
    assert_eq!(store.changes_stored(), 1);
}

#[test]
fn changes_over_the_size_limit_are_refused_alone() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let big = phone.create_case(1, "大量文字");
    let small = phone.create_case(2, "井盖缺失");
    // Text that does not compress: distinct characters.
    let long: String = (0..3000u32)
        .filter_map(|i| char::from_u32(0x4e00 + (i * 7919) % 20000))
        .collect();
    phone.edit(&big, |doc| doc.set_description(&long).unwrap());
    let (request, sent) = phone.sync.prepare(&phone.phone).unwrap();
    let tight = Hub::new(
        &store,
        AcceptAll,
        Limits {
            max_case_bytes: 2 * 1024,
            ..Limits::default()
        },
    );
    let response = pollster::block_on(tight.sync(&phone.session, &request)).unwrap();
    let report = phone
        .sync
        .receive(&mut phone.phone, &sent, &response)
        .unwrap();
    assert_eq!(report.accepted, vec![small]);
    assert_eq!(report.rejected[0].code, "sync.changes_too_large");
    assert!(store.case_bytes(&big).is_none());
}

#[test]
fn a_document_of_another_case_is_refused() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "积水");
    let impostor = phone.create_case(2, "冒名");
    let bytes = phone.phone.get(&impostor).unwrap().doc.clone().save();
    let response = send(
        &store,
        &phone,
        vec![CaseUpload {
            case,
            base: vec![],
            changes: ByteBuf::from(bytes),
            relayed: vec![],
        }],
    );
    assert_eq!(code(&response.verdicts[0].outcome), "sync.wrong_case");
    assert!(store.case_ids().is_empty());
}

#[test]
fn a_case_outside_the_users_scope_is_refused() {
    let store = MemoryHub::new();
    let mut outsider = Device::enrol(
        &store,
        7,
        wangge_proto::Role::GridWorker,
        wangge_proto::Scope::Grids {
            grids: [other_grid()].into(),
        },
    );
    let case = outsider.create_case(1, "越界上报");
    let report = outsider.sync_with(&hub(&store, AcceptAll)).unwrap();
    assert_eq!(report.rejected[0].code, "case.out_of_scope");
    assert!(store.case_bytes(&case).is_none());
}

#[test]
fn changes_under_another_devices_actor_are_refused_without_its_signature() {
    let store = MemoryHub::new();
    let mut honest = Device::grid_worker(&store, 1);
    let mut forger = Device::grid_worker(&store, 2);
    let case = honest.create_case(1, "消防通道堵塞");
    honest.sync_with(&hub(&store, AcceptAll)).unwrap();
    forger.sync_with(&hub(&store, AcceptAll)).unwrap();
    let acked = forger.phone.get(&case).unwrap().acked.clone();
    // The forger writes under the honest phone's actor id.
    let mut doc = forger.phone.get(&case).unwrap().doc.clone();
    doc.set_actor(honest.actor.clone());
    let mut document = CaseDocument::from_automerge(doc).unwrap();
    document.set_title("已处理").unwrap();
    let hash = document.commit(crate::support::ts(5), "forged").unwrap();
    let changes = document.automerge_mut().save_after(&acked);
    let upload = |relayed| CaseUpload {
        case,
        base: acked.clone(),
        changes: ByteBuf::from(changes.clone()),
        relayed,
    };
    let response = send(&store, &forger, vec![upload(vec![])]);
    assert_eq!(code(&response.verdicts[0].outcome), "sync.foreign_actor");
    // A signature by the forger's own key does not pass for the honest device's.
    let fake = relay::sign(&forger.key, &honest.actor, &case, &hash);
    let response = send(&store, &forger, vec![upload(vec![fake])]);
    assert_eq!(code(&response.verdicts[0].outcome), "sync.relay_unverified");
    assert_eq!(hub_doc(&store, &case).read().unwrap().title, "消防通道堵塞");
}

#[test]
fn the_observer_hears_what_each_batch_did() {
    use std::sync::Arc;
    use wangge_sync::hub::{BatchStats, Lookups};

    use crate::support::StatsRecorder;

    let store = MemoryHub::new();
    let recorder = Arc::new(StatsRecorder::default());
    let strict =
        Hub::new(&store, no_forbidden_titles, Limits::default()).with_observer(recorder.clone());
    let mut phone = Device::grid_worker(&store, 1);
    phone.create_case(1, "违规标题");
    let kept = phone.create_case(2, "垃圾满溢");
    phone.sync_with(&strict).unwrap();
    // The stored case is merged into the document the first batch left loaded: a hit.
    phone.set_title(&kept, "垃圾满溢（已清运）");
    phone.sync_with(&strict).unwrap();
    let seen = recorder.all();
    let first = BatchStats {
        accepted: 1,
        rejected: 1,
        resend: 0,
        held: 0,
        changes_stored: 1,
        updates_sent: 0,
        hot: Lookups { hits: 0, misses: 0 },
        served: Lookups { hits: 0, misses: 0 },
        shadowed: 1,
    };
    assert_eq!(seen[0], first);
    assert_eq!(seen[1].changes_stored, 1);
    assert_eq!(seen[1].hot, Lookups { hits: 1, misses: 0 });
}

#[test]
fn the_observer_hears_which_cases_moved_and_nothing_for_a_batch_that_stored_nothing() {
    use std::sync::{Arc, Mutex};
    use wangge_sync::hub::{BatchStats, Moved, Observer};

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Moved>>);
    impl Observer for Recorder {
        fn batch(&self, _: &BatchStats) {}
        fn moved(&self, moved: &Moved) {
            self.0.lock().unwrap().push(moved.clone());
        }
    }

    let store = MemoryHub::new();
    let recorder = Arc::new(Recorder::default());
    let strict =
        Hub::new(&store, no_forbidden_titles, Limits::default()).with_observer(recorder.clone());
    let mut phone = Device::grid_worker(&store, 1);
    phone.create_case(1, "违规标题");
    let kept = phone.create_case(2, "垃圾满溢");
    phone.sync_with(&strict).unwrap();
    // Nothing new: no commit, so nothing moved.
    phone.sync_with(&strict).unwrap();
    let seen = recorder.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].cases.len(), 1, "the refused case did not move");
    assert_eq!(seen[0].cases[0].0, kept);
    assert_eq!(seen[0].cases[0].1.grid, crate::support::grid());
    assert!(seen[0].head >= Cursor(1));
}
