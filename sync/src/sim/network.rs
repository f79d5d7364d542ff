//! One simulated link between a client and a server, carrying request/response exchanges.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use wangge_proto::values::Timestamp;

use super::clock::Clock;
use super::draw::{between, chance, flip, index};
use super::exchange::{Exchange, Failure, Incoming};
use super::faults::Faults;
use super::link::Link;
use super::stats::LinkStats;

/// The server side of an exchange: gets what arrived, returns its response.
pub type Server<'s> = dyn FnMut(Incoming<'_>) -> Vec<u8> + 's;

/// A seeded, replayable bad network between one client and one server.
///
/// Every random choice comes from one [`ChaCha8Rng`] seeded with [`seed`](Self::seed), and
/// time is simulated, so the same seed, faults and calls give the same outcomes on every
/// platform. Several clients (phones) talking to one server each own a `Network`; the
/// server's state lives in the closures passed to [`exchange`](Self::exchange).
#[derive(Debug, Clone)]
pub struct Network {
    seed: u64,
    faults: Faults,
    rng: ChaCha8Rng,
    clock: Clock,
    link: Link,
    held: Vec<Held>,
    stats: LinkStats,
}

/// A request held back in the network, to be delivered during a later exchange.
#[derive(Debug, Clone)]
struct Held {
    bytes: Vec<u8>,
    /// Delivered during the first exchange with at least this number.
    release_at: u64,
    /// Delivered before that exchange's own request (else after).
    before: bool,
}

/// Which message a corruption hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// The faults drawn for one exchange.
#[derive(Debug, Clone, Copy)]
struct Roll {
    drop_request: bool,
    drop_response: bool,
    duplicate_request: bool,
    delay_request: bool,
    truncate_request: bool,
    truncate_response: bool,
    corrupt: Option<Side>,
}

impl Roll {
    /// Draws every fault of one exchange, always in the same order.
    fn draw(rng: &mut ChaCha8Rng, faults: &Faults) -> Self {
        let drop_request = chance(rng, faults.drop_request);
        let drop_response = chance(rng, faults.drop_response);
        let duplicate_request = chance(rng, faults.duplicate_request);
        let delay_request = chance(rng, faults.delay_request);
        let truncate_request = chance(rng, faults.truncate_request);
        let truncate_response = chance(rng, faults.truncate_response);
        let corrupt = chance(rng, faults.corrupt).then(|| {
            if chance(rng, 0.5) {
                Side::Request
            } else {
                Side::Response
            }
        });
        Self {
            drop_request,
            drop_response,
            duplicate_request,
            delay_request,
            truncate_request,
            truncate_response,
            corrupt,
        }
    }
}

/// How the request half of an exchange ended.
enum Upstream {
    Answered(Vec<u8>),
    Failed(Failure),
}

impl Network {
    /// A link whose every random choice derives from `seed`, with its clock at
    /// [`START_MS`](super::START_MS).
    pub fn new(seed: u64, faults: Faults) -> Self {
        Self {
            seed,
            link: Link::new(faults.cut_every_bytes),
            faults,
            rng: ChaCha8Rng::seed_from_u64(seed),
            clock: Clock::default(),
            held: Vec::new(),
            stats: LinkStats::default(),
        }
    }

    /// The seed this network was created with: put it in every assertion message, so a
    /// failing run can be replayed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The faults this network injects.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Changes the faults from the next exchange on (a phone walking into a basement and out
    /// again). The link's byte count carries over: cuts fall on multiples of the new period.
    pub fn set_faults(&mut self, faults: Faults) {
        self.link.set_cut_every(faults.cut_every_bytes);
        self.faults = faults;
    }

    /// The simulated current time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Simulated milliseconds since [`START_MS`](super::START_MS).
    pub fn elapsed_ms(&self) -> u64 {
        self.clock.elapsed_ms()
    }

    /// Moves the simulated clock forward (a phone idle between syncs, a retry back-off).
    pub fn advance(&mut self, ms: u64) {
        self.clock.advance(ms);
    }

    /// What crossed the link and which faults took effect so far.
    pub fn stats(&self) -> &LinkStats {
        &self.stats
    }

    /// How many requests (delayed ones and held-back duplicates) are still in the network.
    pub fn pending(&self) -> usize {
        self.held.len()
    }

    /// The network's random generator, so a test can draw its own schedule from the same
    /// seed. Drawing from it changes the faults that follow (deterministically).
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// One round trip: sends `request`, lets `server` handle whatever arrives (possibly
    /// several times, possibly together with requests held back from earlier exchanges),
    /// and returns what the client gets back.
    ///
    /// Order of events: held-back requests due now that go first; the request itself (and an
    /// immediate duplicate); held-back requests due now that go after; the response. The
    /// server's answers to duplicates and held-back requests are discarded. Held-back requests
    /// arrive at the current simulated time; the exchange's own messages each cost one
    /// latency draw plus their transmission time, and a lost or delayed message costs the
    /// client [`Faults::timeout_ms`] from the start of the exchange.
    pub fn exchange(&mut self, request: &[u8], server: &mut Server<'_>) -> Exchange {
        self.stats.exchanges = self.stats.exchanges.saturating_add(1);
        let number = self.stats.exchanges;
        let started = self.clock.elapsed_ms();
        let roll = Roll::draw(&mut self.rng, &self.faults);

        let (before, after) = self.release(number);
        for held in before {
            self.deliver_late(&held.bytes, server);
        }
        let upstream = self.send_request(request, number, roll, server);
        for held in after {
            self.deliver_late(&held.bytes, server);
        }

        let outcome = match upstream {
            Upstream::Failed(failure) => {
                if matches!(failure, Failure::RequestLost | Failure::RequestDelayed) {
                    self.time_out(started);
                }
                Exchange::Failed(failure)
            }
            Upstream::Answered(response) => self.send_response(response, roll, started),
        };
        if matches!(outcome, Exchange::Response(_)) {
            self.stats.responses = self.stats.responses.saturating_add(1);
        }
        outcome
    }

    /// Delivers every held-back request now, in the order they would have been released.
    /// Their responses are discarded. The clock does not move.
    pub fn flush(&mut self, server: &mut Server<'_>) {
        let mut held = std::mem::take(&mut self.held);
        held.sort_by_key(|h| (h.release_at, !h.before));
        for h in held {
            self.deliver_late(&h.bytes, server);
        }
    }

    /// Takes the held requests due at exchange `number`, split into those delivered before
    /// and after its own request, each in the order they were held.
    fn release(&mut self, number: u64) -> (Vec<Held>, Vec<Held>) {
        let (due, kept): (Vec<Held>, Vec<Held>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|h| h.release_at <= number);
        self.held = kept;
        due.into_iter().partition(|h| h.before)
    }

    /// Holds a copy of `bytes` back, to be delivered one to three exchanges after `number`.
    fn hold(&mut self, bytes: &[u8], number: u64) {
        let release_at = number.saturating_add(between(&mut self.rng, 1, 3));
        let before = chance(&mut self.rng, 0.5);
        self.held.push(Held {
            bytes: bytes.to_vec(),
            release_at,
            before,
        });
    }

    /// The client's request on its way to the server.
    fn send_request(
        &mut self,
        request: &[u8],
        number: u64,
        roll: Roll,
        server: &mut Server<'_>,
    ) -> Upstream {
        let faults = &mut self.stats.faults;
        if roll.drop_request {
            faults.dropped_requests = faults.dropped_requests.saturating_add(1);
            return Upstream::Failed(Failure::RequestLost);
        }
        if roll.delay_request {
            faults.delayed_requests = faults.delayed_requests.saturating_add(1);
            self.hold(request, number);
            return Upstream::Failed(Failure::RequestDelayed);
        }

        let mut bytes = request.to_vec();
        if roll.truncate_request && !bytes.is_empty() {
            let keep = index(&mut self.rng, bytes.len());
            bytes.truncate(keep);
            let faults = &mut self.stats.faults;
            faults.truncated_requests = faults.truncated_requests.saturating_add(1);
        }
        if roll.corrupt == Some(Side::Request) && self.corrupt(&mut bytes) {
            let faults = &mut self.stats.faults;
            faults.corrupted_requests = faults.corrupted_requests.saturating_add(1);
        }

        let cut = self.cross_up(&mut bytes);
        self.travel(bytes.len());
        let response = self.deliver(&bytes, cut, server);
        if cut {
            return Upstream::Failed(Failure::RequestCut {
                delivered: bytes.len(),
            });
        }

        if roll.duplicate_request {
            let faults = &mut self.stats.faults;
            faults.duplicated_requests = faults.duplicated_requests.saturating_add(1);
            if chance(&mut self.rng, 0.5) {
                self.hold(request, number);
            } else {
                self.deliver_late(request, server);
            }
        }
        Upstream::Answered(response)
    }

    /// The server's response on its way back to the client.
    fn send_response(&mut self, mut bytes: Vec<u8>, roll: Roll, started: u64) -> Exchange {
        if roll.drop_response {
            let faults = &mut self.stats.faults;
            faults.dropped_responses = faults.dropped_responses.saturating_add(1);
            self.time_out(started);
            return Exchange::Failed(Failure::ResponseLost);
        }
        if roll.truncate_response && !bytes.is_empty() {
            let keep = index(&mut self.rng, bytes.len());
            bytes.truncate(keep);
            let faults = &mut self.stats.faults;
            faults.truncated_responses = faults.truncated_responses.saturating_add(1);
        }
        if roll.corrupt == Some(Side::Response) && self.corrupt(&mut bytes) {
            let faults = &mut self.stats.faults;
            faults.corrupted_responses = faults.corrupted_responses.saturating_add(1);
        }

        let sent = self.link.send(bytes.len());
        bytes.truncate(sent.delivered);
        self.stats.bytes_down = self.stats.bytes_down.saturating_add(as_u64(sent.delivered));
        self.travel(bytes.len());
        if sent.cut {
            let faults = &mut self.stats.faults;
            faults.cut_responses = faults.cut_responses.saturating_add(1);
            return Exchange::Failed(Failure::ResponseCut { received: bytes });
        }
        Exchange::Response(bytes)
    }

    /// Delivers a duplicate or held-back request, discarding the server's answer.
    fn deliver_late(&mut self, request: &[u8], server: &mut Server<'_>) {
        let mut bytes = request.to_vec();
        let cut = self.cross_up(&mut bytes);
        self.deliver(&bytes, cut, server);
    }

    /// Sends `bytes` up the link, cutting it to what crossed; true if the connection dropped.
    fn cross_up(&mut self, bytes: &mut Vec<u8>) -> bool {
        let sent = self.link.send(bytes.len());
        bytes.truncate(sent.delivered);
        self.stats.bytes_up = self.stats.bytes_up.saturating_add(as_u64(sent.delivered));
        if sent.cut {
            let faults = &mut self.stats.faults;
            faults.cut_requests = faults.cut_requests.saturating_add(1);
        }
        sent.cut
    }

    /// Calls the server with what arrived.
    fn deliver(&mut self, bytes: &[u8], cut: bool, server: &mut Server<'_>) -> Vec<u8> {
        self.stats.deliveries = self.stats.deliveries.saturating_add(1);
        server(Incoming {
            bytes,
            cut,
            now: self.clock.now(),
        })
    }

    /// Changes one random byte; false if there is none.
    fn corrupt(&mut self, bytes: &mut [u8]) -> bool {
        let at = index(&mut self.rng, bytes.len());
        let mask = if bytes.is_empty() {
            0
        } else {
            flip(&mut self.rng)
        };
        match bytes.get_mut(at) {
            Some(byte) => {
                *byte ^= mask;
                true
            }
            None => false,
        }
    }

    /// Advances the clock by one message's latency and transmission time.
    fn travel(&mut self, len: usize) {
        let (lo, hi) = self.faults.latency_ms;
        let latency = between(&mut self.rng, lo, hi);
        let transmission = match self.faults.bytes_per_sec {
            Some(rate) => as_u64(len).saturating_mul(1000).div_ceil(rate.max(1)),
            None => 0,
        };
        self.clock.advance(latency.saturating_add(transmission));
    }

    /// The client gives up waiting `timeout_ms` after it started the exchange.
    fn time_out(&mut self, started: u64) {
        self.clock
            .advance_to(started.saturating_add(self.faults.timeout_ms));
    }
}

/// A length as `u64` (saturating on exotic platforms).
fn as_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}
