//! A simulated bad network for tests and benchmarks: seeded faults on a simulated clock.
//!
//! # Why
//!
//! Phones sync over links that drop, stall, duplicate and cut messages. The sync protocol is
//! a sans-IO core (the caller passes time and bytes in and gets bytes out), so it can be
//! driven over an in-memory link that does all of that on purpose. A [`Network`] models
//! HTTP-like request/response exchanges between one client (a phone) and one server: it
//! drops, delays, duplicates, truncates, corrupts and reorders requests and responses, cuts
//! the connection every so many bytes, and advances a simulated clock by latency and
//! bandwidth. The server is a closure, so the same network carries sync messages and photo
//! (blob) upload chunks. Several phones talking to one server each own their own `Network`.
//!
//! Every random choice comes from one [`ChaCha8Rng`] seeded from a `u64`, and no real time is
//! read, so a run is a pure function of its seed, its [`Faults`] and the calls made: it
//! replays exactly, on every platform.
//!
//! # Replaying a failing seed
//!
//! Loop over [`seeds`], build each `Network` with [`Network::new`]`(seed, faults)`, draw any
//! other randomness of the test from [`Network::rng`], and put the seed in every assertion
//! message. When a run fails, rerun just that test with the seed pinned:
//!
//! ```text
//! WANGGE_SIM_SEED=1234 cargo test -p wangge-sync --test sim -- name_of_the_test
//! ```
//!
//! [`seeds`] then yields only that seed, and the run repeats event for event.
//!
//! ```
//! use wangge_sync::sim::{Exchange, Faults, Network};
//!
//! let mut net = Network::new(7, Faults { drop_response: 0.5, ..Faults::none() });
//! let mut handled = 0;
//! let outcome = net.exchange(b"hello", &mut |incoming| {
//!     handled += 1;
//!     incoming.bytes.to_vec()
//! });
//! assert_eq!(handled, 1);
//! if let Exchange::Response(bytes) = outcome {
//!     assert_eq!(bytes, b"hello");
//! }
//! ```

mod clock;
mod draw;
mod exchange;
mod faults;
mod link;
mod network;
mod seeds;
mod stats;

pub use clock::START_MS;
pub use exchange::{Exchange, Failure, Incoming};
pub use faults::Faults;
pub use network::{Network, Server};
pub use seeds::{SEED_VAR, seeds};
pub use stats::{FaultCounts, LinkStats};

/// The `rand` crate the generator implements, re-exported for its `Rng` trait.
pub use rand;
/// The random generator of a [`Network`], re-exported so tests use the same version.
pub use rand_chacha::ChaCha8Rng;
