//! The baseline: automerge's own sync protocol (`automerge::sync`), one sync state per
//! document and peer, over the same simulated link as our protocol.
//!
//! This is what a phone would do without a hub that knows what it lacks: every document
//! gets a [`State`], persisted between syncs with [`State::encode`] / [`State::decode`] (only
//! the shared heads survive, as on a phone), and each sync runs rounds of
//! `generate_sync_message` / `receive_sync_message` until neither side has anything to say.
//! To be fair to it, the messages of one round are batched: one request carries every
//! document's message from the phone, one response every message from the server (for
//! every document the phone may see, including ones it has never heard of). A message is
//! framed as the 16-byte case id, its LEB128 length and the encoded sync message. Each batch
//! crosses the link compressed with zstd level 3 (the "with zstd" figure, compared against);
//! the uncompressed batch sizes are the "raw" figure.
//!
//! A state persisted after a completed sync holds exactly the heads both sides shared then,
//! so the scenarios start the baseline from `shared_heads` = the heads our phone
//! acknowledged, on both sides: the same starting point as our protocol.

use std::collections::BTreeMap;

use automerge::sync::{Message, State, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use wangge_proto::values::CaseId;
use wangge_sync::sim::{Exchange, Faults, Network};

use wangge_sync::phone::MemoryPhone;

use super::Result;
use super::drive::{Convergence, compare, sorted};
use super::people::BenchHub;

/// A case id as it travels in a baseline frame.
type Key = [u8; 16];

/// zstd level of the batches (the level our wire format uses).
const ZSTD_LEVEL: i32 = 3;

/// One peer of the baseline: its documents and its persisted sync states with the other.
#[derive(Debug, Clone, Default)]
pub struct Peer {
    docs: BTreeMap<Key, AutoCommit>,
    /// Encoded [`State`]s; a document without one starts from [`State::new`].
    states: BTreeMap<Key, Vec<u8>>,
}

impl Peer {
    /// A peer with no documents.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document; with `shared`, the persisted state of a completed earlier sync in
    /// which both sides reached those heads.
    pub fn insert(&mut self, case: &CaseId, doc: AutoCommit, shared: Option<Vec<ChangeHash>>) {
        let key = *case.as_uuid().as_bytes();
        self.docs.insert(key, doc);
        if let Some(heads) = shared {
            let mut state = State::new();
            state.shared_heads = heads;
            self.states.insert(key, state.encode());
        }
    }

    fn heads(&mut self) -> BTreeMap<Key, Vec<ChangeHash>> {
        self.docs
            .iter_mut()
            .map(|(key, doc)| (*key, sorted(doc.get_heads())))
            .collect()
    }
}

/// The baseline's starting point, equal to ours: the phone's documents, each case the hub
/// confirmed with the persisted state of a completed sync at the heads the phone
/// acknowledged; the hub's documents, with the same states for those cases.
pub fn peers(phone: &MemoryPhone, hub: &BenchHub) -> Result<(Peer, Peer)> {
    let mut on_phone = Peer::new();
    let mut acked = BTreeMap::new();
    for (case, local) in phone.cases() {
        let shared = (!local.acked.is_empty()).then(|| local.acked.clone());
        if let Some(heads) = &shared {
            acked.insert(*case, heads.clone());
        }
        on_phone.insert(case, local.doc.clone(), shared);
    }
    let mut on_server = Peer::new();
    let store = hub.store();
    for case in store.case_ids() {
        let bytes = store
            .case_bytes(&case)
            .ok_or_else(|| format!("case {case} vanished from the hub"))?;
        on_server.insert(&case, AutoCommit::load(&bytes)?, acked.get(&case).cloned());
    }
    Ok((on_phone, on_server))
}

/// What one baseline sync cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct Baseline {
    /// Round trips until neither side had anything to send.
    pub round_trips: u64,
    /// Compressed bytes towards the server, as counted by the link.
    pub bytes_up: u64,
    /// Compressed bytes towards the phone, as counted by the link.
    pub bytes_down: u64,
    /// Uncompressed batch bytes towards the server.
    pub raw_up: u64,
    /// Uncompressed batch bytes towards the phone.
    pub raw_down: u64,
    /// Both peers ended with the same documents.
    pub convergence: Convergence,
}

impl Baseline {
    /// Total bytes with zstd.
    pub fn bytes(&self) -> u64 {
        self.bytes_up + self.bytes_down
    }

    /// Total bytes without compression.
    pub fn raw_bytes(&self) -> u64 {
        self.raw_up + self.raw_down
    }
}

/// A peer during one sync: live states, decoded from the persisted ones.
struct Live<'a> {
    peer: &'a mut Peer,
    states: BTreeMap<Key, State>,
}

impl<'a> Live<'a> {
    fn new(peer: &'a mut Peer) -> Result<Self> {
        let mut states = BTreeMap::new();
        for (key, bytes) in &peer.states {
            states.insert(*key, State::decode(bytes)?);
        }
        Ok(Self { peer, states })
    }

    /// Every document's next message, framed into one batch.
    fn outgoing(&mut self) -> Vec<u8> {
        let mut batch = Vec::new();
        for (key, doc) in &mut self.peer.docs {
            let state = self.states.entry(*key).or_default();
            if let Some(message) = doc.sync().generate_sync_message(state) {
                frame(&mut batch, key, &message.encode());
            }
        }
        batch
    }

    /// Applies a batch; a message for an unknown document starts an empty one.
    fn incoming(&mut self, mut batch: &[u8]) -> Result<()> {
        while !batch.is_empty() {
            let (key, message, rest) = unframe(batch)?;
            batch = rest;
            let doc = self.peer.docs.entry(key).or_default();
            let state = self.states.entry(key).or_default();
            doc.sync()
                .receive_sync_message(state, Message::decode(message)?)?;
        }
        Ok(())
    }

    /// Persists the states, as a phone (or server) would at the end of a sync.
    fn persist(self) {
        for (key, state) in self.states {
            self.peer.states.insert(key, state.encode());
        }
    }
}

/// Syncs `phone` with `server` over a perfect simulated link seeded with `seed`.
pub fn run(phone: &mut Peer, server: &mut Peer, seed: u64, max_rounds: u64) -> Result<Baseline> {
    let mut net = Network::new(seed, Faults::none());
    let mut result = Baseline::default();
    {
        let mut phone = Live::new(phone)?;
        let mut server = Live::new(server)?;
        loop {
            let batch = phone.outgoing();
            if batch.is_empty() && result.round_trips > 0 {
                break;
            }
            if result.round_trips == max_rounds {
                return Err(format!("baseline: no end after {max_rounds} round trips").into());
            }
            result.raw_up += len64(&batch);
            let request = compress(&batch)?;
            let mut served = Ok(0);
            let outcome = net.exchange(&request, &mut |incoming| match serve(
                &mut server,
                incoming.bytes,
            ) {
                Ok((raw, compressed)) => {
                    served = Ok(raw);
                    compressed
                }
                Err(error) => {
                    served = Err(error);
                    Vec::new()
                }
            });
            result.round_trips += 1;
            result.raw_down += served?;
            let response = match outcome {
                Exchange::Response(bytes) => bytes,
                Exchange::Failed(failure) => {
                    return Err(format!("baseline exchange failed: {failure}").into());
                }
            };
            phone.incoming(&decompress(&response)?)?;
        }
        phone.persist();
        server.persist();
    }
    let stats = net.stats();
    result.bytes_up = stats.bytes_up;
    result.bytes_down = stats.bytes_down;
    let phone_heads = phone.heads();
    let server_heads = server.heads();
    result.convergence = compare(&phone_heads, &server_heads);
    Ok(result)
}

/// The server's side of one round: read the phone's batch, answer for every document.
/// Returns the answer's raw size and the answer compressed.
fn serve(server: &mut Live<'_>, request: &[u8]) -> Result<(u64, Vec<u8>)> {
    server.incoming(&decompress(request)?)?;
    let answer = server.outgoing();
    Ok((len64(&answer), compress(&answer)?))
}

fn frame(out: &mut Vec<u8>, key: &Key, message: &[u8]) {
    out.extend_from_slice(key);
    let mut len = message.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(message);
}

fn unframe(batch: &[u8]) -> Result<(Key, &[u8], &[u8])> {
    let key: Key = batch
        .get(..16)
        .and_then(|k| k.try_into().ok())
        .ok_or("baseline frame: truncated id")?;
    let mut len = 0usize;
    let mut at = 16;
    loop {
        let byte = *batch.get(at).ok_or("baseline frame: truncated length")?;
        len |= usize::from(byte & 0x7f) << (7 * (at - 16));
        at += 1;
        if byte & 0x80 == 0 {
            break;
        }
    }
    let end = at + len;
    let message = batch
        .get(at..end)
        .ok_or("baseline frame: truncated message")?;
    Ok((key, message, &batch[end..]))
}

/// zstd level 3; an empty batch goes as an empty body.
fn compress(batch: &[u8]) -> Result<Vec<u8>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    Ok(zstd::bulk::compress(batch, ZSTD_LEVEL)?)
}

fn decompress(body: &[u8]) -> Result<Vec<u8>> {
    if body.is_empty() {
        return Ok(Vec::new());
    }
    Ok(zstd::stream::decode_all(body)?)
}

fn len64(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}
