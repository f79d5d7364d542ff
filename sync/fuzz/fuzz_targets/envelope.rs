//! Fuzzes the envelope decoder with every message kind: any input must give a message or an
//! error, never a panic, and a decoded message must re-encode to something that decodes to
//! the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wangge_sync::Limits;
use wangge_sync::wire::{self, Kind, PeerMessage, SyncRequest, SyncResponse};

fn round_trip<T>(data: &[u8], kind: Kind, limits: &Limits)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    if let Ok(message) = wire::decode::<T>(data, kind, limits) {
        let again = wire::encode(kind, &message);
        let decoded: T = wire::decode(&again, kind, limits).expect("re-encoded message decodes");
        assert_eq!(decoded, message);
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_body_bytes: 1 << 20,
        ..Limits::default()
    };
    round_trip::<SyncRequest>(data, Kind::SyncRequest, &limits);
    round_trip::<SyncResponse>(data, Kind::SyncResponse, &limits);
    round_trip::<PeerMessage>(data, Kind::Peer, &limits);
});
