//! Every malformed input gets its own error and leaves the hub's store unchanged.

use serde_bytes::ByteBuf;
use wangge_proto::values::{CaseId, DeviceId};
use wangge_sync::hub::{AcceptAll, Hub, MemoryHub};
use wangge_sync::wire::{self, CaseUpload, Cursor, Kind, SyncRequest};
use wangge_sync::{Error, Limits};

use crate::support::{Device, hub, hub_heads};

/// A hub holding one synced case, and the phone that made it.
fn world() -> (MemoryHub, Device, CaseId) {
    let store = MemoryHub::new();
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "井盖缺失");
    phone.sync_with(&hub(&store, AcceptAll)).unwrap();
    (store, phone, case)
}

fn request(phone: &Device, uploads: Vec<CaseUpload>) -> SyncRequest {
    SyncRequest {
        device: phone.session.device,
        cursor: Cursor(0),
        uploads,
        refetch: Vec::new(),
    }
}

/// Sends `bytes`, expects the error `code`, and checks nothing changed.
fn refused(
    store: &MemoryHub,
    phone: &Device,
    case: &CaseId,
    bytes: &[u8],
    limits: Limits,
    code: &str,
) -> Error {
    let before = (
        hub_heads(store, case),
        store.changes_stored(),
        store.case_ids(),
    );
    let hub = Hub::new(store, AcceptAll, limits);
    let error = pollster::block_on(hub.sync(&phone.session, bytes)).unwrap_err();
    assert_eq!(error.code(), code, "{error}");
    assert!(!error.message(wangge_proto::Locale::ZhCn).is_empty());
    assert_eq!(
        (
            hub_heads(store, case),
            store.changes_stored(),
            store.case_ids()
        ),
        before
    );
    error
}

fn edited_upload(phone: &mut Device, case: &CaseId) -> Vec<u8> {
    phone.set_title(case, "井盖缺失，已设围挡");
    phone.sync.prepare(&phone.phone).unwrap().0
}

#[test]
fn truncated_messages_are_refused() {
    let (store, mut phone, case) = world();
    let bytes = edited_upload(&mut phone, &case);
    refused(
        &store,
        &phone,
        &case,
        &bytes[..2],
        Limits::default(),
        "sync.truncated",
    );
    let error = refused(
        &store,
        &phone,
        &case,
        &bytes[..bytes.len() - 5],
        Limits::default(),
        "sync.truncated",
    );
    assert!(matches!(error, Error::Truncated { .. }));
}

#[test]
fn corrupted_bodies_are_refused() {
    let (store, mut phone, case) = world();
    let mut bytes = edited_upload(&mut phone, &case);
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let hub = hub(&store, AcceptAll);
    let error = pollster::block_on(hub.sync(&phone.session, &bytes)).unwrap_err();
    assert!(
        matches!(error.code(), "sync.corrupt" | "sync.malformed"),
        "{error}"
    );
    assert_eq!(store.changes_stored(), 1);
}

#[test]
fn other_data_is_not_a_sync_message() {
    let (store, phone, case) = world();
    refused(
        &store,
        &phone,
        &case,
        b"{\"json\": true}",
        Limits::default(),
        "sync.not_sync",
    );
    refused(
        &store,
        &phone,
        &case,
        b"",
        Limits::default(),
        "sync.truncated",
    );
}

#[test]
fn unsupported_versions_name_the_supported_range() {
    let (store, mut phone, case) = world();
    let mut bytes = edited_upload(&mut phone, &case);
    bytes[2] = 9;
    let error = refused(
        &store,
        &phone,
        &case,
        &bytes,
        Limits::default(),
        "sync.unsupported_version",
    );
    assert_eq!(
        error,
        Error::UnsupportedVersion {
            found: 9,
            min: 1,
            max: 2
        }
    );
    assert!(error.message(wangge_proto::Locale::ZhCn).contains("1–2"));
}

#[test]
fn a_response_sent_as_a_request_is_refused() {
    let (store, phone, case) = world();
    let bytes = wire::encode(
        Kind::Peer,
        &wangge_sync::wire::PeerMessage {
            device: phone.session.device,
            cases: vec![],
        },
    );
    refused(
        &store,
        &phone,
        &case,
        &bytes,
        Limits::default(),
        "sync.unexpected_kind",
    );
}

#[test]
fn a_well_framed_body_of_the_wrong_shape_is_malformed() {
    let (store, phone, case) = world();
    let bytes = wire::encode(Kind::SyncRequest, &("not", "a", "request"));
    refused(
        &store,
        &phone,
        &case,
        &bytes,
        Limits::default(),
        "sync.malformed",
    );
}

#[test]
fn oversized_messages_and_bodies_are_refused() {
    let (store, mut phone, case) = world();
    let bytes = edited_upload(&mut phone, &case);
    let small = Limits {
        max_message_bytes: bytes.len() - 1,
        ..Limits::default()
    };
    refused(
        &store,
        &phone,
        &case,
        &bytes,
        small,
        "sync.message_too_large",
    );
    // A zstd bomb: a megabyte of zeros compresses to almost nothing.
    let bomb = wire::encode(
        Kind::SyncRequest,
        &serde_bytes::ByteBuf::from(vec![0u8; 1 << 20]),
    );
    assert!(bomb.len() < 1024);
    let tight = Limits {
        max_body_bytes: 64 * 1024,
        ..Limits::default()
    };
    refused(&store, &phone, &case, &bomb, tight, "sync.body_too_large");
}

#[test]
fn too_many_cases_are_refused() {
    let (store, mut phone, case) = world();
    for n in 2..6 {
        phone.create_case(n, "占道经营");
    }
    let (bytes, _) = phone.sync.prepare(&phone.phone).unwrap();
    let tight = Limits {
        max_cases: 3,
        ..Limits::default()
    };
    refused(&store, &phone, &case, &bytes, tight, "sync.too_many_cases");
}

#[test]
fn a_case_twice_in_one_request_is_refused() {
    let (store, phone, case) = world();
    let upload = CaseUpload {
        case,
        base: vec![],
        changes: ByteBuf::new(),
        relayed: vec![],
    };
    let bytes = wire::encode(
        Kind::SyncRequest,
        &request(&phone, vec![upload.clone(), upload]),
    );
    refused(
        &store,
        &phone,
        &case,
        &bytes,
        Limits::default(),
        "sync.duplicate_case",
    );
}

#[test]
fn a_request_for_another_device_is_refused() {
    let (store, phone, case) = world();
    let mut forged = request(&phone, vec![]);
    forged.device = DeviceId::generate();
    let bytes = wire::encode(Kind::SyncRequest, &forged);
    refused(
        &store,
        &phone,
        &case,
        &bytes,
        Limits::default(),
        "sync.wrong_device",
    );
}

#[test]
fn ids_of_the_wrong_length_are_malformed() {
    let (store, phone, case) = world();
    #[derive(serde::Serialize)]
    struct Bad {
        device: ByteBuf,
        cursor: u64,
        uploads: Vec<()>,
        refetch: ByteBuf,
    }
    let bad = Bad {
        device: ByteBuf::from(vec![1; 5]),
        cursor: 0,
        uploads: vec![],
        refetch: ByteBuf::new(),
    };
    let bytes = wire::encode(Kind::SyncRequest, &bad);
    let error = refused(
        &store,
        &phone,
        &case,
        &bytes,
        Limits::default(),
        "sync.malformed",
    );
    assert!(error.to_string().contains("16 bytes"), "{error}");
}

#[test]
fn a_damaged_response_leaves_the_phone_unchanged() {
    let (store, mut phone, case) = world();
    phone.set_title(&case, "井盖缺失，已设围挡");
    let (request, sent) = phone.sync.prepare(&phone.phone).unwrap();
    let response =
        pollster::block_on(hub(&store, AcceptAll).sync(&phone.session, &request)).unwrap();
    let before = phone.heads(&case);
    let cursor = phone.phone.stored_cursor();
    let error = phone
        .sync
        .receive(&mut phone.phone, &sent, &response[..response.len() - 3])
        .unwrap_err();
    assert_eq!(error.code(), "sync.truncated");
    assert_eq!(phone.heads(&case), before);
    assert_eq!(phone.phone.stored_cursor(), cursor);
    // The case is still dirty: the next sync sends it again and the hub takes it once.
    assert!(
        wangge_sync::phone::PhoneStore::dirty(&phone.phone)
            .unwrap()
            .contains(&case)
    );
    phone.sync_with(&hub(&store, AcceptAll)).unwrap();
    assert_eq!(phone.heads(&case), hub_heads(&store, &case));
    assert_eq!(store.changes_stored(), 2);
}
