//! Phone ↔ phone in a dead zone, and relaying what was exchanged to the hub.

use wangge_sync::Limits;
use wangge_sync::hub::{AcceptAll, MemoryHub};
use wangge_sync::peer::PeerSession;

use crate::support::{Device, hub, hub_doc, hub_heads, meet};

#[test]
fn what_two_phones_exchanged_reaches_the_hub_from_either() {
    let store = MemoryHub::new();
    let mut one = Device::grid_worker(&store, 1);
    let mut two = Device::grid_worker(&store, 2);
    let case = one.create_case(1, "电线裸露");
    one.comment(&case, 2, "靠近幼儿园，危险");
    assert!(meet(&mut one, &mut two));
    assert_eq!(one.heads(&case), two.heads(&case));
    two.comment(&case, 3, "已拍照");

    // Phone two reaches signal first and relays phone one's changes with their signatures.
    let report = two.sync_with(&hub(&store, AcceptAll)).unwrap();
    assert_eq!(report.accepted, vec![case]);
    assert_eq!(hub_doc(&store, &case).read().unwrap().comments.len(), 2);
    // Phone one syncs later: nothing is stored twice, and it gets phone two's comment.
    let stored = store.changes_stored();
    one.sync_with(&hub(&store, AcceptAll)).unwrap();
    assert_eq!(store.changes_stored(), stored);
    assert_eq!(one.heads(&case), hub_heads(&store, &case));
}

#[test]
fn unsigned_relays_are_refused() {
    let store = MemoryHub::new();
    let mut one = Device::grid_worker(&store, 1);
    let mut two = Device::grid_worker(&store, 2);
    let case = one.create_case(1, "电线裸露");
    assert!(meet(&mut one, &mut two));
    // Phone two lost the signatures (e.g. an older app version): the hub cannot tell the
    // change is genuine.
    let mut unsigned = wangge_sync::phone::MemoryPhone::new(two.actor.clone(), None);
    unsigned.insert(case, two.phone.get(&case).unwrap().doc.clone());
    two.phone = unsigned;
    let report = two.sync_with(&hub(&store, AcceptAll)).unwrap();
    assert_eq!(report.rejected[0].code, "sync.foreign_actor");
    assert!(store.case_bytes(&case).is_none());
    // Phone one still delivers its own case.
    assert_eq!(
        one.sync_with(&hub(&store, AcceptAll)).unwrap().accepted,
        vec![case]
    );
}

#[test]
fn a_peer_cannot_slip_in_a_document_of_another_case() {
    use automerge::AutoCommit;
    use automerge::sync::{State, SyncDoc};
    use serde_bytes::ByteBuf;
    use wangge_sync::wire::{self, Kind, PeerCase, PeerMessage};

    let store = MemoryHub::new();
    let mut one = Device::grid_worker(&store, 1);
    let mut two = Device::grid_worker(&store, 2);
    let case = one.create_case(1, "真案件");
    let impostor = one.create_case(2, "冒名");
    // Run automerge's sync for the impostor until a message carries its changes.
    let mut source = one.phone.get(&impostor).unwrap().doc.clone();
    let mut sink = AutoCommit::new();
    let (mut sent_state, mut sink_state) = (State::new(), State::new());
    let carrying = loop {
        let message = source
            .sync()
            .generate_sync_message(&mut sent_state)
            .unwrap();
        if !message.changes.is_empty() {
            break message;
        }
        sink.sync()
            .receive_sync_message(&mut sink_state, message)
            .unwrap();
        let reply = sink.sync().generate_sync_message(&mut sink_state).unwrap();
        source
            .sync()
            .receive_sync_message(&mut sent_state, reply)
            .unwrap();
    };
    // Deliver it to phone two labelled as `case`.
    let forged = PeerMessage {
        device: one.session.device,
        cases: vec![PeerCase {
            case,
            sync: ByteBuf::from(carrying.encode()),
            signatures: vec![],
        }],
    };
    let mut receiver = PeerSession::new(two.session.device, Limits::default());
    let report = receiver
        .receive(&mut two.phone, &wire::encode(Kind::Peer, &forged))
        .unwrap();
    assert_eq!(report.refused, vec![case]);
    assert!(report.changed.is_empty());
    assert!(two.phone.get(&case).is_none());
}
