//! The wire format is pinned: every message round-trips, and the encoding of a fixed request
//! is a snapshot, so a format change shows up as a diff.

use automerge::ChangeHash;
use proptest::prelude::*;
use serde_bytes::ByteBuf;
use uuid::Uuid;
use wangge_proto::values::{CaseId, DeviceId};
use wangge_sync::Limits;
use wangge_sync::wire::{
    self, CaseUpdate, CaseUpload, Cursor, Kind, Outcome, Payload, PeerCase, PeerMessage,
    RelaySignature, SyncRequest, SyncResponse, Verdict,
};

fn case_id() -> impl Strategy<Value = CaseId> {
    (1_600_000_000_000u64..2_000_000_000_000, any::<[u8; 10]>()).prop_map(|(ms, random)| {
        let ts = wangge_proto::values::Timestamp::from_millis(ms as i64).unwrap();
        CaseId::from_parts(ts, random)
    })
}

fn device() -> impl Strategy<Value = DeviceId> {
    (1u128..).prop_map(|n| DeviceId::from_uuid(Uuid::from_u128(n)).unwrap())
}

fn hashes() -> impl Strategy<Value = Vec<ChangeHash>> {
    prop::collection::vec(any::<[u8; 32]>().prop_map(ChangeHash), 0..3)
}

fn bytes() -> impl Strategy<Value = ByteBuf> {
    prop::collection::vec(any::<u8>(), 0..64).prop_map(ByteBuf::from)
}

fn signature() -> impl Strategy<Value = RelaySignature> {
    (bytes(), any::<[u8; 32]>(), bytes()).prop_map(|(actor, change, signature)| RelaySignature {
        actor,
        change: ChangeHash(change),
        signature,
    })
}

fn request() -> impl Strategy<Value = SyncRequest> {
    let upload = (
        case_id(),
        hashes(),
        bytes(),
        prop::collection::vec(signature(), 0..2),
    )
        .prop_map(|(case, base, changes, relayed)| CaseUpload {
            case,
            base,
            changes,
            relayed,
        });
    (
        device(),
        any::<u64>(),
        prop::collection::vec(upload, 0..4),
        prop::collection::vec(case_id(), 0..3),
    )
        .prop_map(|(device, cursor, uploads, refetch)| SyncRequest {
            device,
            cursor: Cursor(cursor),
            uploads,
            refetch,
        })
}

fn response() -> impl Strategy<Value = SyncResponse> {
    let outcome =
        prop_oneof![
            Just(Outcome::Accepted),
            Just(Outcome::Resend),
            ("[a-z.]{1,20}", "\\PC{0,10}", "\\PC{0,10}")
                .prop_map(|(code, zh, en)| Outcome::Rejected { code, zh, en }),
            ("[a-z.]{1,20}", "\\PC{0,10}", "\\PC{0,10}").prop_map(|(code, zh, en)| Outcome::Held {
                code,
                zh,
                en
            }),
        ];
    let verdict = (case_id(), outcome).prop_map(|(case, outcome)| Verdict { case, outcome });
    let payload = prop_oneof![
        bytes().prop_map(Payload::Document),
        bytes().prop_map(Payload::Changes)
    ];
    let update = (case_id(), payload).prop_map(|(case, payload)| CaseUpdate { case, payload });
    (
        prop::collection::vec(verdict, 0..4),
        prop::collection::vec(update, 0..4),
        any::<u64>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(verdicts, updates, cursor, more, reset)| SyncResponse {
            verdicts,
            updates,
            cursor: Cursor(cursor),
            more,
            reset,
        })
}

fn peer() -> impl Strategy<Value = PeerMessage> {
    let case = (case_id(), bytes(), prop::collection::vec(signature(), 0..2)).prop_map(
        |(case, sync, signatures)| PeerCase {
            case,
            sync,
            signatures,
        },
    );
    (device(), prop::collection::vec(case, 0..4))
        .prop_map(|(device, cases)| PeerMessage { device, cases })
}

proptest! {
    #[test]
    fn requests_round_trip(message in request()) {
        let bytes = wire::encode(Kind::SyncRequest, &message);
        prop_assert_eq!(wire::decode::<SyncRequest>(&bytes, Kind::SyncRequest, &Limits::default()).unwrap(), message);
    }

    #[test]
    fn responses_round_trip(message in response()) {
        let bytes = wire::encode(Kind::SyncResponse, &message);
        prop_assert_eq!(wire::decode::<SyncResponse>(&bytes, Kind::SyncResponse, &Limits::default()).unwrap(), message);
    }

    #[test]
    fn peer_messages_round_trip(message in peer()) {
        let bytes = wire::encode(Kind::Peer, &message);
        prop_assert_eq!(wire::decode::<PeerMessage>(&bytes, Kind::Peer, &Limits::default()).unwrap(), message);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = wire::decode::<SyncRequest>(&bytes, Kind::SyncRequest, &Limits::default());
        let mut framed = b"WG\x01\x01".to_vec();
        framed.extend_from_slice(&bytes);
        let _ = wire::decode::<SyncRequest>(&framed, Kind::SyncRequest, &Limits::default());
    }
}

#[test]
fn the_encoding_of_a_request_is_pinned() {
    let request = SyncRequest {
        device: DeviceId::from_uuid(Uuid::from_u128(0x2001)).unwrap(),
        cursor: Cursor(42),
        uploads: vec![CaseUpload {
            case: CaseId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001))
                .unwrap(),
            base: vec![ChangeHash([7; 32])],
            changes: ByteBuf::from(vec![1, 2, 3]),
            relayed: vec![],
        }],
        refetch: vec![],
    };
    let encoded = wire::encode(Kind::SyncRequest, &request);
    assert_eq!(
        &encoded[..4],
        b"WG\x02\x01",
        "header: magic, version 2, kind 1"
    );
    let (_, body) = wire::decode_any(&encoded, &Limits::default()).unwrap();
    insta::assert_snapshot!(hex::encode(body));
}
