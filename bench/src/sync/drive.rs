//! Drives a phone's side of our protocol against the hub over a simulated link, and checks
//! afterwards that both ends hold the same documents.
//!
//! One round trip is one [`Network::exchange`]: the phone's request from
//! [`wangge_sync::phone::PhoneSync::prepare`], the hub's answer from
//! [`wangge_sync::hub::Hub::sync`], read back with `receive`. The phone syncs again while the
//! report says `more` (a bounded response, or uploads left over).

use std::collections::BTreeMap;

use automerge::{AutoCommit, ChangeHash};
use wangge_proto::values::CaseId;
use wangge_sync::Limits;
use wangge_sync::phone::{MemoryPhone, PhoneStore};
use wangge_sync::sim::{Exchange, Faults, Network};
use wangge_sync::wire;

use super::Result;
use super::people::{BenchHub, Person};

/// What one sync session (every round trip until nothing is left) did.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Round trips.
    pub round_trips: u64,
    /// The largest response as it crossed the link (compressed).
    pub max_response_bytes: usize,
    /// The largest response body once decompressed (what the hub's budget bounds).
    pub max_response_body: usize,
    /// Uploads refused, cases to resend, data that did not apply: none in a healthy run.
    pub problems: Vec<String>,
}

/// Syncs `phone` (belonging to `person`) with `hub` over `net` until the hub has nothing
/// more; at most `max_rounds` round trips.
pub fn sync(
    net: &mut Network,
    hub: &BenchHub,
    person: &Person,
    limits: Limits,
    phone: &mut MemoryPhone,
    max_rounds: u64,
) -> Result<Run> {
    let session = person.session();
    let sync = person.sync(limits);
    let mut run = Run::default();
    loop {
        if run.round_trips == max_rounds {
            return Err(format!("no end of sync after {max_rounds} round trips").into());
        }
        let (request, sent) = sync.prepare(phone)?;
        let mut refused = None;
        let outcome = net.exchange(&request, &mut |incoming| match pollster::block_on(
            hub.sync(&session, incoming.bytes),
        ) {
            Ok(response) => response,
            Err(error) => {
                refused = Some(error);
                Vec::new()
            }
        });
        run.round_trips += 1;
        if let Some(error) = refused {
            return Err(format!("the hub refused the request: {error}").into());
        }
        let response = match outcome {
            Exchange::Response(bytes) => bytes,
            Exchange::Failed(failure) => return Err(format!("exchange failed: {failure}").into()),
        };
        let (_, body) = wire::decode_any(&response, &limits)?;
        run.max_response_bytes = run.max_response_bytes.max(response.len());
        run.max_response_body = run.max_response_body.max(body.len());
        let report = sync.receive(phone, &sent, &response)?;
        for edits in &report.rejected {
            run.problems
                .push(format!("case {} rejected: {}", edits.case, edits.en));
        }
        for case in &report.resend {
            run.problems.push(format!("case {case}: resend"));
        }
        for case in &report.broken {
            run.problems.push(format!("case {case}: did not apply"));
        }
        if !report.more {
            return Ok(run);
        }
    }
}

/// Syncs as part of a scenario's setup (not measured), over its own perfect link; any
/// problem is an error.
pub fn settle(
    hub: &BenchHub,
    person: &Person,
    limits: Limits,
    phone: &mut MemoryPhone,
) -> Result<()> {
    let mut net = Network::new(0, Faults::none());
    let run = sync(&mut net, hub, person, limits, phone, 1_000)?;
    match run.problems.first() {
        Some(problem) => Err(format!("setup sync: {problem}").into()),
        None => Ok(()),
    }
}

/// Heads sorted, for comparison.
pub fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

/// The heads of every case the hub holds.
pub fn hub_heads(hub: &BenchHub) -> Result<BTreeMap<CaseId, Vec<ChangeHash>>> {
    let store = hub.store();
    let mut heads = BTreeMap::new();
    for case in store.case_ids() {
        let bytes = store
            .case_bytes(&case)
            .ok_or_else(|| format!("case {case} vanished from the hub"))?;
        let mut doc = AutoCommit::load(&bytes)?;
        heads.insert(case, sorted(doc.get_heads()));
    }
    Ok(heads)
}

/// The heads of every case on a phone.
pub fn phone_heads(phone: &MemoryPhone) -> Result<BTreeMap<CaseId, Vec<ChangeHash>>> {
    let mut heads = BTreeMap::new();
    for case in phone.case_ids()? {
        if let Some(mut local) = phone.load(&case)? {
            heads.insert(case, sorted(local.doc.get_heads()));
        }
    }
    Ok(heads)
}

/// How far two sets of documents are from being the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Convergence {
    /// Cases on either side.
    pub cases: usize,
    /// Cases missing on one side or with different heads.
    pub differing: usize,
}

impl Convergence {
    /// Every case is on both sides with identical heads.
    pub fn ok(&self) -> bool {
        self.differing == 0
    }
}

/// Compares two sides case by case (every case of the scenarios is in every scope).
pub fn compare<K: Ord>(
    a: &BTreeMap<K, Vec<ChangeHash>>,
    b: &BTreeMap<K, Vec<ChangeHash>>,
) -> Convergence {
    let mut cases: Vec<&K> = a.keys().chain(b.keys()).collect();
    cases.sort();
    cases.dedup();
    Convergence {
        cases: cases.len(),
        differing: cases.iter().filter(|c| a.get(c) != b.get(c)).count(),
    }
}

/// Whether `phone` holds exactly the hub's cases, with identical heads.
pub fn converged(hub: &BenchHub, phone: &MemoryPhone) -> Result<Convergence> {
    Ok(compare(&hub_heads(hub)?, &phone_heads(phone)?))
}
