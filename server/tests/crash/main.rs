//! Kill -9 in the middle of a sync batch. The real `wangge-server` binary runs as a child
//! process; a phone syncs a batch of new and edited cases, and the process is killed with
//! SIGKILL after a seeded random delay, often while the batch's transactions are under way.
//! After each restart on the same data directory (or PostgreSQL database):
//!
//! - every change the phone holds as acknowledged is on the server (a fresh download by the
//!   community secretary contains it),
//! - every stored case loads (the secretary's download has them all), and
//! - the phone converges with the server, with nothing refused.
//!
//! The phone reaches the server through a slow link ([`slow_link`]): answers arrive a moment
//! after the server sent them, as on a weak mobile signal, and are lost if the server dies
//! meanwhile — so kills also land between a batch's commit and the phone hearing of it. Most
//! kills come after a random delay; every [`AIMED_EVERY`]th round the kill is aimed at that
//! window — the moment the link holds the first bytes of the batch's answer — so every run
//! covers it, however fast the server merges.
//!
//! `WANGGE_CRASH_SEED=<n>` replays one seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../api/phone.rs"]
mod phone;
#[allow(dead_code, unused_macros)]
#[path = "../store/support.rs"]
mod store_support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use automerge::ChangeHash;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wangge_proto::values::CaseId;
use wangge_sync::http::client::{HttpClient, sync_once};

use phone::{Phone, edit, new_case};

/// Batches per run; each ends in a kill.
const ROUNDS: usize = 6;
/// New cases per batch (plus an edit of every earlier case).
const NEW_PER_ROUND: u32 = 12;
/// Every this many rounds (counting from the first), the kill is aimed between the batch's
/// commit and its answer reaching the phone.
const AIMED_EVERY: usize = 3;

/// The server binary running on a data directory.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts the binary on `data_dir` (SQLite there, or `database_url`) on a free port and
    /// waits until it says where it listens.
    fn start(data_dir: &Path, database_url: Option<&str>) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wangge-server"));
        command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        } else {
            command
                .arg("--database-url")
                .arg(format!("sqlite://{}", data_dir.join("wangge.db").display()));
        }
        let mut child = command.spawn().expect("the server binary starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(rest) = line.split("Wangge server on ").nth(1) {
                    let base = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = tx.send(base);
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server says where it listens within a minute");
        Self { child, base }
    }

    /// SIGKILL: no shutdown, no flushing, no finishing requests.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Points `phone` at a restarted server (same token: tokens are stored).
fn reconnect(phone: &mut Phone, server: &Server) {
    phone.client = HttpClient::new(&server.base, &phone.token).unwrap();
}

/// How long the slow link holds the server's answers.
const LINK_DELAY: Duration = Duration::from_millis(250);

/// A slow link to the server at `base`: a loopback proxy that passes requests on at once and
/// holds each answer for [`LINK_DELAY`] before passing it on. When the server's side closes
/// meanwhile (the process was killed), the held bytes are dropped and the phone's connection
/// is closed: the answer never arrives.
struct SlowLink {
    /// The link's base URL.
    base: String,
    /// How many answers have begun to arrive from the server (and are being held).
    answers: tokio::sync::watch::Receiver<u64>,
}

impl SlowLink {
    /// Waits until an answer begins to arrive after `seen` had: the server has finished the
    /// request (committed it, for a sync) and the phone has not heard of it yet.
    async fn answer_held_after(&mut self, seen: u64) {
        self.answers
            .wait_for(|answers| *answers > seen)
            .await
            .expect("the link is open");
    }
}

async fn slow_link(base: &str) -> SlowLink {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let target: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (answered, answers) = tokio::sync::watch::channel(0u64);
    let answered = std::sync::Arc::new(answered);
    tokio::spawn(async move {
        while let Ok((phone_side, _)) = listener.accept().await {
            let answered = answered.clone();
            tokio::spawn(async move {
                let Ok(server_side) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                let (mut from_phone, mut to_phone) = phone_side.into_split();
                let (mut from_server, mut to_server) = server_side.into_split();
                let requests = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_phone, &mut to_server).await;
                });
                let mut held = Vec::new();
                let mut due: Option<tokio::time::Instant> = None;
                let mut buffer = vec![0u8; 64 * 1024];
                loop {
                    let deadline = due
                        .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
                    tokio::select! {
                        read = from_server.read(&mut buffer) => match read {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                held.extend_from_slice(&buffer[..n]);
                                if due.is_none() {
                                    answered.send_modify(|answers| *answers += 1);
                                }
                                due.get_or_insert(tokio::time::Instant::now() + LINK_DELAY);
                            }
                        },
                        () = tokio::time::sleep_until(deadline), if due.is_some() => {
                            if to_phone.write_all(&held).await.is_err() {
                                break;
                            }
                            held.clear();
                            due = None;
                        }
                    }
                }
                requests.abort();
            });
        }
    });
    SlowLink {
        base: format!("http://{address}"),
        answers,
    }
}

/// Every change the phone holds as acknowledged by the server, per case: the changes up to
/// the heads the server confirmed (none, for a case it never confirmed).
fn acknowledged(phone: &Phone) -> BTreeMap<CaseId, Vec<ChangeHash>> {
    phone
        .phone
        .cases()
        .map(|(id, local)| {
            let mut doc = local.doc.clone();
            if local.acked.is_empty() {
                return (*id, Vec::new());
            }
            let after: BTreeSet<ChangeHash> = doc
                .get_changes(&local.acked)
                .iter()
                .map(|change| change.hash())
                .collect();
            let confirmed = doc
                .get_changes(&[])
                .iter()
                .map(|change| change.hash())
                .filter(|hash| !after.contains(hash))
                .collect();
            (*id, confirmed)
        })
        .collect()
}

/// One run: rounds of (edit, sync, kill at a random moment, restart, check).
async fn run(seed: u64, data_dir: PathBuf, database_url: Option<String>) -> Outcome {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let url = database_url.as_deref();
    let mut server = Server::start(&data_dir, url);
    // Fresh devices (and actors) per seed: runs may share a database.
    let n = u8::try_from(seed % 100).unwrap() * 2 + 1;
    let mut worker = Phone::sign_in_at(&server.base, "wangge", n).await;
    let mut secretary = Phone::sign_in_at(&server.base, "shequ", n + 1).await;
    let mut link = slow_link(&server.base).await;
    worker.client = HttpClient::new(&link.base, &worker.token).unwrap();

    // One batch synced normally, to learn how long a batch takes on this machine.
    for n in 0..NEW_PER_ROUND {
        new_case(&mut worker, n, "垃圾堆放");
    }
    let started = Instant::now();
    worker.sync_fully().await;
    let typical = started.elapsed();

    let (mut mid_batch, mut after_batch) = (0, 0);
    // Cases the server had committed when it died without the phone hearing so.
    let mut committed_unacknowledged = 0;
    let mut next = NEW_PER_ROUND;
    for round in 0..ROUNDS {
        // Offline work: new cases and an edit of every earlier one.
        let earlier = worker.cases();
        for case in &earlier {
            let title = format!("垃圾堆放（第{round}轮核实）");
            edit(&mut worker, case, |doc| doc.set_title(&title).unwrap());
        }
        for _ in 0..NEW_PER_ROUND {
            new_case(&mut worker, next, "垃圾堆放");
            next += 1;
        }

        // Sync, and kill the server somewhere in [0, 1.3 × the batch's expected time): before,
        // during or after its commits, sometimes after the response. Or, in an aimed round,
        // right after the commit, while the answer is on its way.
        let scale = (earlier.len() as f64 + f64::from(NEW_PER_ROUND)) / f64::from(NEW_PER_ROUND);
        let delay = typical.mul_f64(scale * rng.random_range(0.0..1.3));
        let answers_before = *link.answers.borrow();
        let syncing = tokio::spawn(async move {
            let result = sync_once(&worker.sync, &mut worker.phone, &worker.client).await;
            (worker, result)
        });
        if round % AIMED_EVERY == 0 {
            link.answer_held_after(answers_before).await;
        } else {
            tokio::time::sleep(delay).await;
        }
        server.kill();
        let (returned, result) = syncing.await.unwrap();
        worker = returned;
        match result {
            Ok(_) => after_batch += 1,
            Err(_) => mid_batch += 1,
        }
        let held = acknowledged(&worker);

        // Restart on the same data: nothing the phone holds as acknowledged is missing.
        server = Server::start(&data_dir, url);
        link = slow_link(&server.base).await;
        worker.client = HttpClient::new(&link.base, &worker.token).unwrap();
        reconnect(&mut secretary, &server);
        secretary.sync_fully().await;
        for case in worker.cases() {
            let confirmed = held.get(&case).map_or(0, Vec::len);
            let stored = secretary
                .phone
                .get(&case)
                .map_or(0, |local| local.doc.clone().get_changes(&[]).len());
            if stored > confirmed {
                committed_unacknowledged += 1;
            }
        }
        for (case, changes) in &held {
            let Some(local) = secretary.phone.get(case) else {
                assert!(
                    changes.is_empty(),
                    "seed {seed} round {round}: case {case} lost"
                );
                continue;
            };
            let mut doc = local.doc.clone();
            for hash in changes {
                assert!(
                    doc.get_change_by_hash(hash).is_some(),
                    "seed {seed} round {round}: acknowledged change {hash} of {case} lost"
                );
            }
        }

        // And the phone converges, with nothing refused.
        worker.sync_fully().await;
        secretary.sync_fully().await;
        assert!(
            worker.phone.rejected().is_empty(),
            "seed {seed}: refused edits"
        );
        for case in worker.cases() {
            assert_eq!(
                worker.heads(&case),
                secretary.heads(&case),
                "seed {seed} round {round}: {case} diverged"
            );
        }
    }
    for case in worker.cases() {
        assert!(
            secretary.phone.get(&case).is_some(),
            "seed {seed}: {case} missing"
        );
    }
    server.kill();
    Outcome {
        mid_batch,
        after_batch,
        committed_unacknowledged,
    }
}

/// Where the kills of one run landed.
#[derive(Debug, Default)]
struct Outcome {
    /// The phone got no response.
    mid_batch: usize,
    /// The response arrived before the kill.
    after_batch: usize,
    /// Cases committed by the server whose response the phone never got.
    committed_unacknowledged: usize,
}

fn seeds() -> Vec<u64> {
    match std::env::var("WANGGE_CRASH_SEED") {
        Ok(seed) => vec![seed.parse().expect("WANGGE_CRASH_SEED is a number")],
        Err(_) => vec![1, 2],
    }
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wangge-crash-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs every seed on fresh data from `store`; asserts the kills hit batches mid-way.
async fn run_seeds(database_url: Option<String>) {
    let mut total = Outcome::default();
    for seed in seeds() {
        let dir = temp_dir();
        let outcome = run(seed, dir.clone(), database_url.clone()).await;
        eprintln!("seed {seed}: {outcome:?}");
        total.mid_batch += outcome.mid_batch;
        total.after_batch += outcome.after_batch;
        total.committed_unacknowledged += outcome.committed_unacknowledged;
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(
        total.mid_batch > 0,
        "no kill landed inside a batch: {total:?}"
    );
    assert!(
        total.committed_unacknowledged > 0,
        "no kill landed between a commit and its response: {total:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_batch_loses_no_acknowledged_change_on_sqlite() {
    run_seeds(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_batch_loses_no_acknowledged_change_on_postgres() {
    store_support::postgres(|fixture| async move {
        // The server processes bring their own pools; this one stays idle.
        run_seeds(Some(fixture.location().unwrap().to_owned())).await;
    })
    .await;
}
