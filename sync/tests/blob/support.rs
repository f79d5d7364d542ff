//! Shared helpers: a seeded random source, test files, a hub, and a driver that runs an upload
//! over a faulty link.

use pollster::block_on;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{
    AcceptAll, BlobRequest, BlobStore, Hub, HubConfig, Incoming, MemoryBlobStore, Step, Upload,
};

/// HTTP request line and headers counted for every request in the traffic measurements.
pub const HEADER_BYTES: u64 = 200;

/// splitmix64: small, seeded, good enough for fault injection.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// `len` pseudo-random bytes (incompressible, like a JPEG).
pub fn file(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| rng.next() as u8).collect()
}

pub type MemHub = Hub<MemoryBlobStore, AcceptAll>;

pub fn hub() -> MemHub {
    Hub::new(MemoryBlobStore::new(), AcceptAll, HubConfig::default())
}

/// Asks the hub without faults.
pub fn ask<S: BlobStore, C: wangge_sync::blob::ContentCheck>(
    hub: &Hub<S, C>,
    request: BlobRequest,
) -> wangge_sync::blob::BlobResponse {
    block_on(hub.handle(request)).expect("store failure")
}

/// The complete blob as the hub would serve it.
pub fn readable(hub: &MemHub, hash: &ContentHash) -> Option<Vec<u8>> {
    block_on(hub.store().read(hash, 0)).unwrap()
}

/// What the driver saw.
#[derive(Debug, Default)]
pub struct Traffic {
    /// Requests sent, by kind.
    pub heads: u64,
    pub creates: u64,
    pub patches: u64,
    /// PATCH body bytes put on the link (including bytes lost to cuts).
    pub body_bytes: u64,
}

impl Traffic {
    /// Body bytes plus [`HEADER_BYTES`] per request.
    pub fn total(&self) -> u64 {
        self.body_bytes + HEADER_BYTES * (self.heads + self.creates + self.patches)
    }
}

/// How the link misbehaves.
pub enum Link<'a> {
    /// Never fails.
    Perfect,
    /// Drops the connection each time the cumulative upstream traffic (headers + bodies)
    /// crosses a multiple of `every` bytes; the hub gets the body up to that point.
    CutEvery { every: u64, sent: u64 },
    /// Seeded random faults: cut PATCH bodies at a random point, lost responses, app restarts,
    /// corrupted bytes.
    Random(&'a mut Rng),
}

/// Runs `upload` against `hub` over `link` until it finishes; returns the last step.
pub fn drive(
    hub: &MemHub,
    upload: &mut Upload,
    file: &[u8],
    link: &mut Link<'_>,
    traffic: &mut Traffic,
) -> Step {
    for _ in 0..100_000 {
        let Some(request) = upload.next_request(file).unwrap() else {
            return if upload.is_done() {
                Step::Done
            } else {
                Step::Failed(upload.failure().cloned().unwrap())
            };
        };
        let body_len = match &request {
            BlobRequest::Head { .. } => {
                traffic.heads += 1;
                0
            }
            BlobRequest::Create { .. } => {
                traffic.creates += 1;
                0
            }
            BlobRequest::Patch { body, .. } => {
                traffic.patches += 1;
                body.len() as u64
            }
            BlobRequest::Get { .. } => panic!("an upload does not download"),
        };
        let response = match link {
            Link::Perfect => {
                traffic.body_bytes += body_len;
                Some(ask(hub, request))
            }
            Link::CutEvery { every, sent } => {
                let room = *every - *sent % *every;
                let needed = HEADER_BYTES + body_len;
                if needed < room {
                    *sent += needed;
                    traffic.body_bytes += body_len;
                    Some(ask(hub, request))
                } else {
                    // The link drops `room` bytes into this request.
                    *sent += room;
                    let delivered = room.saturating_sub(HEADER_BYTES);
                    traffic.body_bytes += delivered;
                    if let BlobRequest::Patch { hash, offset, body } = &request
                        && room > HEADER_BYTES
                    {
                        deliver_cut(hub, hash, *offset, &body[..delivered as usize]);
                    }
                    None
                }
            }
            Link::Random(rng) => random_fault(hub, request, rng, traffic, body_len),
        };
        let step = match response {
            Some(response) => upload.on_response(response),
            None => {
                upload.on_failure();
                Step::Continue
            }
        };
        if let Link::Random(rng) = link
            && rng.chance(0.05)
        {
            // The app is killed and restarted: only the saved state survives.
            *upload = Upload::decode(&upload.encode()).unwrap();
        }
        match step {
            Step::Continue => {}
            other => return other,
        }
    }
    panic!("upload did not finish");
}

fn deliver_cut(hub: &MemHub, hash: &ContentHash, offset: u64, bytes: &[u8]) {
    block_on(hub.patch(hash, offset, Incoming { bytes, cut: true })).unwrap();
}

/// One request over a link with random faults; `None` when the phone saw the connection drop.
fn random_fault(
    hub: &MemHub,
    request: BlobRequest,
    rng: &mut Rng,
    traffic: &mut Traffic,
    body_len: u64,
) -> Option<wangge_sync::blob::BlobResponse> {
    match request {
        BlobRequest::Patch { hash, offset, body } if rng.chance(0.3) => {
            // Cut mid-body.
            let prefix = rng.below(body.len() as u64 + 1) as usize;
            traffic.body_bytes += prefix as u64;
            deliver_cut(hub, &hash, offset, &body[..prefix]);
            None
        }
        BlobRequest::Patch {
            hash,
            offset,
            mut body,
        } if rng.chance(0.05) && !body.is_empty() => {
            // A byte damaged in transit.
            traffic.body_bytes += body_len;
            let at = rng.below(body.len() as u64) as usize;
            body[at] ^= 1 << rng.below(8);
            let response = ask(hub, BlobRequest::Patch { hash, offset, body });
            (!rng.chance(0.1)).then_some(response)
        }
        request => {
            traffic.body_bytes += body_len;
            let response = ask(hub, request);
            // The response is lost on the way back.
            (!rng.chance(0.1)).then_some(response)
        }
    }
}
