//! Uploads over the simulated bad network (`wangge_sync::sim`): drops, duplicates, delayed and
//! reordered requests, corrupted bytes and connections cut mid-body, plus app restarts. Every
//! run must end with the hub holding exactly the file, verified by its hash. A failing run
//! prints its seed; `WANGGE_SIM_SEED=<seed>` replays it.

use pollster::block_on;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{BlobRequest, BlobResponse, Incoming, Step, Upload};
use wangge_sync::sim::rand::Rng;
use wangge_sync::sim::{self, Exchange, Faults, Network};

use crate::support::{MemHub, file, hub, readable};

/// A request as it crosses the link: a length-prefixed header (the request without its
/// body, like HTTP headers) followed by the raw body, so a cut keeps a prefix of the body.
fn frame_request(request: &BlobRequest) -> Vec<u8> {
    let (header, body) = match request {
        BlobRequest::Patch { hash, offset, body } => {
            let header = BlobRequest::Patch {
                hash: *hash,
                offset: *offset,
                body: Vec::new(),
            };
            (header, body.as_slice())
        }
        other => (other.clone(), &[][..]),
    };
    let mut head = Vec::new();
    ciborium::into_writer(&header, &mut head).unwrap();
    let mut out = (head.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&head);
    out.extend_from_slice(body);
    out
}

/// The hub's side of the link: a request whose headers did not arrive whole is answered with
/// an empty (unreadable) response, as a server would drop the connection.
fn serve(hub: &MemHub, incoming: sim::Incoming<'_>) -> Vec<u8> {
    let bytes = incoming.bytes;
    let Some(len) = bytes
        .get(..4)
        .map(|b| u32::from_be_bytes(b.try_into().unwrap()) as usize)
    else {
        return Vec::new();
    };
    let Some(head) = bytes.get(4..4 + len) else {
        return Vec::new();
    };
    let Ok(request) = ciborium::from_reader::<BlobRequest, _>(head) else {
        return Vec::new();
    };
    let body = &bytes[4 + len..];
    let response = match request {
        BlobRequest::Patch { hash, offset, .. } => block_on(hub.patch(
            &hash,
            offset,
            Incoming {
                bytes: body,
                cut: incoming.cut,
            },
        )),
        other => block_on(hub.handle(other)),
    }
    .unwrap();
    let mut out = Vec::new();
    ciborium::into_writer(&response, &mut out).unwrap();
    out
}

#[test]
fn uploads_complete_and_verify_over_a_bad_network() {
    for seed in sim::seeds(150) {
        let mut net = Network::new(seed, Faults::harsh());
        let len = net.rng().random_range(1..400_000usize);
        let data = file(seed, len);
        let hash = ContentHash::of(&data);
        let chunk = [4096, 16 * 1024, 64 * 1024][net.rng().random_range(0..3usize)];
        let hub = hub();
        let mut upload = Upload::new(hash, len as u64, chunk);
        let mut done = false;
        for _ in 0..20_000 {
            if net.rng().random_bool(0.05) {
                // The app is killed and restarted: only the saved state survives.
                upload = Upload::decode(&upload.encode()).unwrap();
            }
            let Some(request) = upload.next_request(&data).unwrap() else {
                done = upload.is_done();
                break;
            };
            let mut server = |incoming: sim::Incoming<'_>| serve(&hub, incoming);
            match net.exchange(&frame_request(&request), &mut server) {
                Exchange::Response(bytes) => {
                    match ciborium::from_reader::<BlobResponse, _>(bytes.as_slice()) {
                        Ok(response) => {
                            if let Step::Failed(error) = upload.on_response(response) {
                                panic!("seed {seed}: upload failed: {error:?}");
                            }
                        }
                        Err(_) => upload.on_failure(),
                    }
                }
                Exchange::Failed(_) => upload.on_failure(),
            }
        }
        assert!(done, "seed {seed}: upload of {len} bytes did not finish");
        // Late copies of old requests still in the network change nothing.
        let mut server = |incoming: sim::Incoming<'_>| serve(&hub, incoming);
        net.flush(&mut server);
        assert_eq!(
            readable(&hub, &hash).as_deref(),
            Some(&data[..]),
            "seed {seed}"
        );
    }
}
