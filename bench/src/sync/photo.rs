//! `photo-cut-64k`: a ≈ 300 KB photo uploaded over a link that drops every 64 KiB.
//!
//! Our upload is the blob state machine ([`wangge_sync::blob::Upload`], default chunk size)
//! against the blob hub, as HTTP/1.1 messages ([`super::http1`]) over the simulated link with
//! `cut_every_bytes = 65536`. A PATCH cut by a drop still delivers every whole checksummed
//! frame; the phone asks `HEAD` where the hub is and resumes from there.
//!
//! Target: it completes (the hub holds the verified photo), and the phone sends no more than
//! 1.1 × the file size. The baseline is what field apps do and users complain about (design
//! notes: ODK Collect, CommCare): one plain POST of the whole file, started again from zero
//! after a drop — given up after a fixed number of attempts, as it can never cross 64 KiB.

use std::collections::BTreeMap;

use pollster::block_on;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{
    self, BlobRequest, BlobStore, DEFAULT_CHUNK_BYTES, HubConfig, MemoryBlobStore, Step, Upload,
};
use wangge_sync::sim::rand::{RngCore, SeedableRng};
use wangge_sync::sim::{ChaCha8Rng, Exchange, Faults, Network};

use super::http1::{self, Received};
use super::{Config, Result, ScenarioResult, len64, times_1_1};

/// The link drops after every this many bytes (both directions).
const CUT_EVERY: u64 = 64 * 1024;
/// Requests after which our upload counts as stuck.
const MAX_REQUESTS: u64 = 1_000;
/// Attempts after which the plain upload gives up.
const PLAIN_ATTEMPTS: u64 = 10;

type BlobHub = blob::Hub<MemoryBlobStore, blob::AcceptAll>;

/// What our upload sent, by request kind.
#[derive(Debug, Default)]
struct Requests {
    head: u64,
    create: u64,
    patch: u64,
}

/// Runs the scenario.
pub fn run(config: &Config) -> Result<ScenarioResult> {
    let mut photo = vec![0u8; config.photo_bytes];
    // Random bytes: a JPEG does not compress either.
    ChaCha8Rng::seed_from_u64(config.seed ^ 0x9407).fill_bytes(&mut photo);
    let hash = ContentHash::of(&photo);
    let faults = Faults {
        cut_every_bytes: Some(CUT_EVERY),
        ..Faults::none()
    };

    let hub = blob::Hub::new(
        MemoryBlobStore::new(),
        blob::AcceptAll,
        HubConfig::default(),
    );
    let mut net = Network::new(config.seed, faults.clone());
    let mut upload = Upload::new(hash, len64(photo.len()), DEFAULT_CHUNK_BYTES);
    let mut requests = Requests::default();
    let mut failure = None;
    while let Some(request) = upload.next_request(&photo)? {
        if requests.head + requests.create + requests.patch == MAX_REQUESTS {
            failure = Some(format!("no end after {MAX_REQUESTS} requests"));
            break;
        }
        match &request {
            BlobRequest::Head { .. } => requests.head += 1,
            BlobRequest::Create { .. } => requests.create += 1,
            _ => requests.patch += 1,
        }
        let outcome = net.exchange(&http1::request(&request), &mut |incoming| {
            serve(&hub, incoming)
        });
        let step = match outcome {
            Exchange::Response(bytes) => upload.on_response(http1::parse_response(&bytes)?),
            Exchange::Failed(_) => {
                upload.on_failure();
                Step::Continue
            }
        };
        match step {
            Step::Continue => {}
            Step::Done => break,
            Step::Failed(error) => {
                failure = Some(format!("upload gave up: {error}"));
                break;
            }
        }
    }
    let stats = net.stats().clone();
    let stored = block_on(hub.store().read(&hash, 0))?;
    let complete = upload.is_done() && stored.as_deref() == Some(photo.as_slice());

    let plain = plain_upload(&photo, faults, config.seed)?;

    let limit = times_1_1(len64(photo.len()));
    let mut misses = Vec::new();
    if !complete {
        misses.push(match failure {
            Some(why) => format!("did not complete: {why}"),
            None => "did not complete: the hub does not hold the photo".to_owned(),
        });
    }
    if stats.bytes_up > limit {
        misses.push(format!("sent {} bytes > limit {limit}", stats.bytes_up));
    }
    let details = BTreeMap::from([
        ("file_bytes".to_owned(), len64(photo.len())),
        ("chunk_bytes".to_owned(), len64(DEFAULT_CHUNK_BYTES)),
        ("requests_head".to_owned(), requests.head),
        ("requests_create".to_owned(), requests.create),
        ("requests_patch".to_owned(), requests.patch),
        (
            "cuts".to_owned(),
            stats.faults.cut_requests + stats.faults.cut_responses,
        ),
        ("baseline_attempts".to_owned(), plain.attempts),
        ("baseline_bytes_up".to_owned(), plain.bytes_up),
    ]);
    Ok(ScenarioResult {
        name: format!("photo-cut-{}k", CUT_EVERY / 1024),
        round_trips: stats.exchanges,
        bytes_up: stats.bytes_up,
        bytes_down: stats.bytes_down,
        baseline_bytes: plain.bytes_up + plain.bytes_down,
        limit_bytes: limit,
        converged: complete,
        pass: misses.is_empty(),
        target: "completes; bytes sent ≤ 1.1 × the file size (limit applies to bytes up)"
            .to_owned(),
        misses,
        notes: vec![format!(
            "baseline: one plain POST of the whole file, restarted from zero after each drop; \
             {}",
            if plain.completed {
                "completed".to_owned()
            } else {
                format!("gave up after {} attempts", plain.attempts)
            }
        )],
        cases: 1,
        baseline_round_trips: plain.attempts,
        baseline_raw_bytes: plain.bytes_up + plain.bytes_down,
        baseline_converged: plain.completed,
        details,
    })
}

/// The hub's side of one exchange: parse what arrived, answer as HTTP.
fn serve(hub: &BlobHub, incoming: wangge_sync::sim::Incoming<'_>) -> Vec<u8> {
    let Some(received) = http1::parse_request(incoming.bytes) else {
        // The head did not arrive whole: nothing reaches the blob hub.
        return Vec::new();
    };
    let (hash, answer) = match received {
        Received::Head(hash) => (hash, block_on(hub.head(&hash))),
        Received::Create(hash, length) => (hash, block_on(hub.create(&hash, length))),
        Received::Patch {
            hash,
            offset,
            body,
            short,
        } => {
            let body = blob::Incoming {
                bytes: body,
                cut: incoming.cut || short,
            };
            (hash, block_on(hub.patch(&hash, offset, body)))
        }
    };
    match answer {
        Ok(response) => http1::response(&hash, &response),
        Err(never) => match never {},
    }
}

/// What the plain upload did.
struct Plain {
    completed: bool,
    attempts: u64,
    bytes_up: u64,
    bytes_down: u64,
}

/// One POST of the whole file, again from the start after every drop.
fn plain_upload(photo: &[u8], faults: Faults, seed: u64) -> Result<Plain> {
    let mut request = format!(
        "POST /v1/photos HTTP/1.1\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
        photo.len()
    )
    .into_bytes();
    request.extend_from_slice(photo);
    let mut net = Network::new(seed, faults);
    let mut stored = false;
    let mut attempts = 0;
    while attempts < PLAIN_ATTEMPTS && !stored {
        attempts += 1;
        let outcome = net.exchange(&request, &mut |incoming| {
            if incoming.cut || incoming.bytes.len() < request.len() {
                return Vec::new();
            }
            stored = true;
            b"HTTP/1.1 201 Created\r\n\r\n".to_vec()
        });
        stored &= matches!(outcome, Exchange::Response(_));
    }
    let stats = net.stats();
    Ok(Plain {
        completed: stored,
        attempts,
        bytes_up: stats.bytes_up,
        bytes_down: stats.bytes_down,
    })
}
