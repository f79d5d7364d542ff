//! The fuzz corpus (`sync/fuzz/corpus/envelope/`) holds real messages of every kind; this
//! test keeps it decodable. `WANGGE_WRITE_FIXTURES=1` writes it anew.

use std::path::PathBuf;

use wangge_sync::Limits;
use wangge_sync::hub::{AcceptAll, MemoryHub};
use wangge_sync::peer::PeerSession;
use wangge_sync::wire::{self, Kind, PeerMessage, SyncRequest, SyncResponse};

use crate::support::{Device, hub};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/envelope")
}

fn messages() -> Vec<(&'static str, Vec<u8>)> {
    let store = MemoryHub::new();
    let hub = hub(&store, AcceptAll);
    let mut phone = Device::grid_worker(&store, 1);
    let case = phone.create_case(1, "垃圾满溢");
    let (new_case, _) = phone.sync.prepare(&phone.phone).unwrap();
    let response = pollster::block_on(hub.sync(&phone.session, &new_case)).unwrap();
    phone.sync_with(&hub).unwrap();
    phone.set_title(&case, "垃圾满溢，已清运");
    let (edit, _) = phone.sync.prepare(&phone.phone).unwrap();
    let peer = PeerSession::new(phone.session.device, Limits::default())
        .generate(&phone.phone)
        .unwrap()
        .unwrap();
    vec![
        ("request-new-case", new_case),
        ("response-accepted", response),
        ("request-edit", edit),
        ("peer-first", peer),
    ]
}

#[test]
fn the_fuzz_corpus_decodes() {
    if std::env::var_os("WANGGE_WRITE_FIXTURES").is_some() {
        std::fs::create_dir_all(corpus()).unwrap();
        for (name, bytes) in messages() {
            std::fs::write(corpus().join(name), bytes).unwrap();
        }
    }
    let limits = Limits::default();
    let mut seen = 0;
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let (kind, _) = wire::decode_any(&bytes, &limits).unwrap();
        match kind {
            Kind::SyncRequest => drop(wire::decode::<SyncRequest>(&bytes, kind, &limits).unwrap()),
            Kind::SyncResponse => {
                drop(wire::decode::<SyncResponse>(&bytes, kind, &limits).unwrap())
            }
            Kind::Peer => drop(wire::decode::<PeerMessage>(&bytes, kind, &limits).unwrap()),
        }
        seen += 1;
    }
    assert!(seen >= 4, "the corpus holds every kind of message");
}
