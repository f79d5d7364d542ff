//! The slower paths: a phone that lost its state, a hub restored from a backup, lost
//! responses, and feeds larger than one response.

use wangge_sync::Limits;
use wangge_sync::hub::{AcceptAll, Hub, MemoryHub};
use wangge_sync::phone::PhoneStore;
use wangge_sync::wire::{self, Kind, Payload, SyncResponse};

use crate::support::{Device, hub, hub_heads};

#[test]
fn a_phone_that_lost_its_state_converges() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let cases: Vec<_> = (1..=5).map(|n| phone.create_case(n, "垃圾满溢")).collect();
    phone.sync_fully(&hub(&store, AcceptAll));
    phone.wipe(&store, 0);
    phone.sync_fully(&hub(&store, AcceptAll));
    for case in &cases {
        assert_eq!(phone.heads(case), hub_heads(&store, case));
    }
    assert!(phone.phone.dirty().unwrap().is_empty());
}

#[test]
fn a_hub_restored_from_a_backup_gets_back_what_phones_still_hold() {
    let live = MemoryHub::new();
    let mut phone = Device::grid_worker(&live, 1);
    let mut other = Device::secretary(&live, 2);
    let old = phone.create_case(1, "路灯不亮");
    phone.sync_fully(&hub(&live, AcceptAll));
    let backup = live.backup();
    // After the backup: an edit to the old case and a new case, both acknowledged.
    phone.set_title(&old, "路灯不亮（三盏）");
    let new = phone.create_case(2, "井盖缺失");
    phone.sync_fully(&hub(&live, AcceptAll));
    other.sync_fully(&hub(&live, AcceptAll));

    // The live hub is lost; the backup is restored.
    let restored = backup;
    let mut report = phone.sync_with(&hub(&restored, AcceptAll)).unwrap();
    assert!(report.more || !report.resend.is_empty(), "{report:?}");
    for _ in 0..5 {
        report = phone.sync_with(&hub(&restored, AcceptAll)).unwrap();
    }
    assert!(!report.more);
    other.sync_fully(&hub(&restored, AcceptAll));
    for case in [old, new] {
        let heads = hub_heads(&restored, &case);
        assert!(heads.is_some(), "case {case} not recovered");
        assert_eq!(phone.heads(&case), heads);
        assert_eq!(other.heads(&case), heads);
    }
    assert_eq!(
        crate::support::hub_doc(&restored, &old)
            .read()
            .unwrap()
            .title,
        "路灯不亮（三盏）"
    );
}

#[test]
fn a_lost_response_is_simply_sent_again() {
    let store = MemoryHub::new();
    let hub = hub(&store, AcceptAll);
    let mut phone = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let case = phone.create_case(1, "共享单车乱停");
    phone.sync_fully(&hub);
    secretary.sync_fully(&hub);
    secretary.comment(&case, 2, "请网格员核实");
    secretary.sync_fully(&hub);
    // The phone's next response is lost on the way.
    let (request, _) = phone.sync.prepare(&phone.phone).unwrap();
    pollster::block_on(hub.sync(&phone.session, &request)).unwrap();
    let report = phone.sync_with(&hub).unwrap();
    assert_eq!(report.received, vec![case]);
    assert_eq!(phone.heads(&case), hub_heads(&store, &case));
}

#[test]
fn the_feed_sends_changes_for_cases_the_phone_has_and_documents_for_new_ones() {
    let store = MemoryHub::new();
    let hub = hub(&store, AcceptAll);
    let mut phone = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let known = phone.create_case(1, "违停");
    phone.sync_fully(&hub);
    secretary.sync_fully(&hub);
    secretary.comment(&known, 2, "已联系交警");
    let mut colleague = Device::grid_worker(&store, 3);
    let fresh = colleague.create_case(3, "树枝断裂");
    secretary.sync_fully(&hub);
    colleague.sync_fully(&hub);

    let (request, sent) = phone.sync.prepare(&phone.phone).unwrap();
    let bytes = pollster::block_on(hub.sync(&phone.session, &request)).unwrap();
    let response: SyncResponse =
        wire::decode(&bytes, Kind::SyncResponse, &Limits::default()).unwrap();
    let payload = |case| {
        &response
            .updates
            .iter()
            .find(|u| u.case == case)
            .unwrap()
            .payload
    };
    assert!(matches!(payload(known), Payload::Changes(_)));
    assert!(matches!(payload(fresh), Payload::Document(_)));
    phone.sync.receive(&mut phone.phone, &sent, &bytes).unwrap();
    assert_eq!(phone.heads(&known), hub_heads(&store, &known));
    assert_eq!(phone.heads(&fresh), hub_heads(&store, &fresh));
    // Idle now: a few dozen bytes each way.
    let (request, sent) = phone.sync.prepare(&phone.phone).unwrap();
    let bytes = pollster::block_on(hub.sync(&phone.session, &request)).unwrap();
    assert!(
        request.len() + bytes.len() < 150,
        "{} + {}",
        request.len(),
        bytes.len()
    );
    let report = phone.sync.receive(&mut phone.phone, &sent, &bytes).unwrap();
    assert!(report.received.is_empty());
}

#[test]
fn large_feeds_arrive_in_bounded_responses() {
    let store = MemoryHub::new();
    let mut colleague = Device::grid_worker(&store, 3);
    let cases: Vec<_> = (1..=40)
        .map(|n| colleague.create_case(n, "占道经营"))
        .collect();
    colleague.sync_fully(&hub(&store, AcceptAll));
    let budget = 4 * 1024;
    let small = Hub::new(
        &store,
        AcceptAll,
        Limits {
            response_budget_bytes: budget,
            ..Limits::default()
        },
    );
    let mut phone = Device::grid_worker(&store, 1);
    let mut rounds = 0;
    loop {
        rounds += 1;
        let (request, sent) = phone.sync.prepare(&phone.phone).unwrap();
        let bytes = pollster::block_on(small.sync(&phone.session, &request)).unwrap();
        let response: SyncResponse =
            wire::decode(&bytes, Kind::SyncResponse, &Limits::default()).unwrap();
        let largest = response
            .updates
            .iter()
            .map(|u| match &u.payload {
                Payload::Document(b) | Payload::Changes(b) => b.len(),
            })
            .max()
            .unwrap_or(0);
        let total: usize = response
            .updates
            .iter()
            .map(|u| match &u.payload {
                Payload::Document(b) | Payload::Changes(b) => b.len(),
            })
            .sum();
        assert!(
            total <= budget + largest,
            "response of {total} bytes over the budget"
        );
        let report = phone.sync.receive(&mut phone.phone, &sent, &bytes).unwrap();
        if !report.more {
            break;
        }
        assert!(rounds < 40);
    }
    assert!(rounds > 2, "a 4 KB budget must split 40 cases");
    for case in &cases {
        assert_eq!(phone.heads(case), hub_heads(&store, case));
    }
}

#[test]
fn an_upload_for_a_case_the_hub_does_not_know_is_sent_again_whole() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "窨井盖破损");
    // The phone believes the hub acknowledged the case before (e.g. the hub lost it).
    phone.sync_fully(&hub(&store, AcceptAll));
    let empty = MemoryHub::new();
    phone.set_title(&case, "窨井盖破损，已设警示");
    let report = phone.sync_with(&hub(&empty, AcceptAll)).unwrap();
    assert_eq!(report.resend, vec![case]);
    assert!(report.more);
    assert!(empty.case_bytes(&case).is_none());
    let report = phone.sync_with(&hub(&empty, AcceptAll)).unwrap();
    assert_eq!(report.accepted, vec![case]);
    assert_eq!(hub_heads(&empty, &case), phone.heads(&case));
}

/// The automerge chunk type of the first chunk of `bytes`: 0 a document, 1 a change, 2 a
/// deflated change.
fn first_chunk_type(bytes: &[u8]) -> u8 {
    assert_eq!(bytes[..4], [0x85, 0x6f, 0x4a, 0x83], "an automerge chunk");
    bytes[8]
}

/// The one upload of the phone's next request.
fn next_upload(phone: &Device) -> wangge_sync::wire::CaseUpload {
    let (request, _) = phone.sync.prepare(&phone.phone).unwrap();
    let request: wangge_sync::wire::SyncRequest =
        wire::decode(&request, Kind::SyncRequest, &Limits::default()).unwrap();
    assert_eq!(request.uploads.len(), 1);
    request.uploads.into_iter().next().unwrap()
}

#[test]
fn a_new_case_goes_as_its_changes_and_a_case_asked_for_again_as_a_document() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "窨井盖破损");
    phone.set_title(&case, "窨井盖破损，已设警示");
    // Never confirmed: every change, as change chunks on an empty base.
    let upload = next_upload(&phone);
    assert!(upload.base.is_empty());
    assert!(matches!(first_chunk_type(&upload.changes), 1 | 2));
    let mut sent = automerge::AutoCommit::load(&upload.changes).unwrap();
    assert_eq!(Some(sent.get_heads()), phone.heads(&case));
    phone.sync_fully(&hub(&store, AcceptAll));
    assert_eq!(hub_heads(&store, &case), phone.heads(&case));

    // A hub that lacks the case asks for it whole: then it goes as a document.
    let empty = MemoryHub::new();
    phone.set_title(&case, "窨井盖破损，已修复");
    let report = phone.sync_with(&hub(&empty, AcceptAll)).unwrap();
    assert_eq!(report.resend, vec![case]);
    let upload = next_upload(&phone);
    assert!(upload.base.is_empty());
    assert_eq!(first_chunk_type(&upload.changes), 0);
}

#[test]
fn a_new_case_with_a_long_history_goes_as_a_document() {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "占道经营");
    for n in 0..70 {
        phone.comment(&case, n, "仍在占道");
    }
    let upload = next_upload(&phone);
    assert!(upload.base.is_empty());
    assert_eq!(first_chunk_type(&upload.changes), 0);
    phone.sync_fully(&hub(&store, AcceptAll));
    assert_eq!(hub_heads(&store, &case), phone.heads(&case));
}

#[test]
fn data_that_does_not_apply_is_downloaded_whole_even_with_local_edits() {
    use serde_bytes::ByteBuf;
    use wangge_sync::phone::Sent;
    use wangge_sync::wire::{CaseUpdate, Cursor};

    let store = MemoryHub::new();
    let hub = hub(&store, AcceptAll);
    let mut phone = Device::grid_worker(&store, 1);
    let mut secretary = Device::secretary(&store, 2);
    let case = phone.create_case(1, "违规停车");
    phone.sync_fully(&hub);
    secretary.sync_fully(&hub);
    let first = secretary.comment(&case, 2, "请核实").unwrap();
    secretary.comment(&case, 3, "已核实");
    secretary.sync_fully(&hub);
    // A response whose changes lack their parent (the first comment).
    let orphan: Vec<u8> = secretary
        .phone
        .get(&case)
        .unwrap()
        .doc
        .clone()
        .get_changes(&[first])
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect();
    let broken = SyncResponse {
        verdicts: vec![],
        updates: vec![CaseUpdate {
            case,
            payload: Payload::Changes(ByteBuf::from(orphan)),
        }],
        cursor: Cursor(0),
        more: false,
        reset: false,
    };
    let bytes = wire::encode(Kind::SyncResponse, &broken);
    let before = phone.heads(&case);
    let report = phone
        .sync
        .receive(
            &mut phone.phone,
            &Sent {
                cases: vec![],
                left_over: 0,
            },
            &bytes,
        )
        .unwrap();
    assert_eq!(report.broken, vec![case]);
    assert_eq!(phone.heads(&case), before, "nothing half-applied is stored");
    assert_eq!(phone.phone.refetch().unwrap(), vec![case]);
    // The user keeps editing; the next syncs fetch the case whole, then send the edit.
    phone.set_title(&case, "违规停车（消防通道）");
    phone.sync_fully(&hub);
    phone.sync_fully(&hub);
    assert_eq!(phone.heads(&case), hub_heads(&store, &case));
    assert_eq!(
        crate::support::hub_doc(&store, &case).read().unwrap().title,
        "违规停车（消防通道）"
    );
    assert!(phone.phone.refetch().unwrap().is_empty());
}
