//! The app killed at random points while it edits and syncs against the real server: the
//! server runs in this (parent) process; the phone is a child process (this test binary, run
//! for `child` only) that signs in as the grid worker (or keeps its session), then registers
//! cases, edits descriptions, comments and attaches small photos, printing each one the moment
//! the call returns, and syncs after each on mobile data and Wi-Fi in turn. The parent kills
//! it with SIGKILL a seeded few milliseconds after a seeded n-th acknowledgement — so in the
//! sync that follows: mid-upload, mid-answer, mid-photo — and starts
//! it again on the same store, several times.
//!
//! Then the parent opens the same store and syncs it once more, cleanly. Every acknowledged
//! edit is on the phone and on the server (read through the secretary's phone after her
//! sync, photos fetched from the server by hash), every document loads, nothing is left
//! unsent or waiting for upload, and the secretary's copy of each case is the worker's.
//!
//! It runs on both server stores: SQLite, and a PostgreSQL database of its own.
//!
//! `WANGGE_KILL_SEED=n` replays one seed.
//!
//! It found that a kill could wedge the server: a request dropped while its `BEGIN
//! IMMEDIATE` waited for the write lock left a pooled SQLite connection inside that
//! transaction, and every later write failed (`sync.store`, 503) — fixed in the SQLite store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wangge_e2e::{DEMO_PASSWORD, TestPhone, TestServer};
use wangge_mobile::client::{NetworkKind, Quiet, Retry};
use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, scene};
use wangge_mobile::photo::{PhotoOptions, process};
use wangge_mobile::store::{CaseFilter, FieldEdit, NewCaseInput};
use wangge_proto::case::{CaseSource, EvidenceStage};
use wangge_proto::values::{CaseId, ContentHash};
use wangge_proto::workflow::Action;
use wangge_sync::blob::{BlobRequest, BlobResponse, Download};
use wangge_sync::http::client::{HttpClient, download};

const CHILD_STORE: &str = "WANGGE_KILL_SYNC_STORE";
const CHILD_SERVER: &str = "WANGGE_KILL_SYNC_SERVER";
const CHILD_SEED: &str = "WANGGE_KILL_SYNC_SEED";

/// Few, short retries: a server that stopped answering fails the sync (and ends the child)
/// in seconds rather than after minutes of backoff.
const QUICK: Retry = Retry {
    first: Duration::from_millis(100),
    longest: Duration::from_secs(1),
    attempts: 2,
};

/// What the child acknowledged about one case.
#[derive(Debug, Default)]
struct Acked {
    title: Option<String>,
    description: Option<String>,
    /// Descriptions written after the last acknowledged one, whose call a kill may have
    /// interrupted after it returned: the store may hold any of them.
    tried: Vec<String>,
    comments: Vec<String>,
    photos: Vec<ContentHash>,
}

/// Folds the child's output into `acked`; returns how many syncs it finished.
fn read_acks(lines: &[String], acked: &mut BTreeMap<CaseId, Acked>) -> usize {
    let mut syncs = 0;
    for line in lines {
        let mut parts = line.splitn(3, ' ');
        let (Some(what), Some(case)) = (parts.next(), parts.next()) else {
            continue;
        };
        if what == "sync" {
            syncs += 1;
            continue;
        }
        let (Ok(case), Some(rest)) = (case.parse::<CaseId>(), parts.next()) else {
            continue;
        };
        let entry = acked.entry(case).or_default();
        match what {
            "case" => entry.title = Some(rest.to_owned()),
            "try-description" => entry.tried.push(rest.to_owned()),
            "description" => {
                entry.description = Some(rest.to_owned());
                entry.tried.clear();
            }
            "comment" => entry.comments.push(rest.to_owned()),
            "photo" => entry.photos.push(rest.parse().unwrap()),
            _ => {}
        }
    }
    syncs
}

/// When to kill the phone: `delay` after its `edits`-th acknowledged edit, so the kill lands
/// in the sync that follows (or the edit after it, if that sync was quicker).
#[derive(Debug, Clone, Copy)]
struct KillAt {
    edits: usize,
    delay: Duration,
}

/// Runs the phone process and kills it at `at`; returns its output lines.
async fn run_child_and_kill(store: &Path, server: &str, seed: u64, at: KillAt) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_STORE, store)
        .env(CHILD_SERVER, server)
        .env(CHILD_SEED, seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Blocking reads and sleeps off the runtime: the server answers from it meanwhile.
    tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let mut seen = Vec::new();
        let mut edits = 0;
        while edits < at.edits {
            let Some(line) = lines.next() else {
                break;
            };
            if ["case ", "description ", "comment ", "photo "]
                .iter()
                .any(|ack| line.starts_with(ack))
            {
                edits += 1;
            }
            seen.push(line);
        }
        std::thread::sleep(at.delay);
        child.kill().unwrap();
        child.wait().unwrap();
        seen.extend(lines);
        seen
    })
    .await
    .unwrap()
}

/// The file `hash` as `phone`'s user reads it from the server, `None` when it is not there.
async fn fetch(phone: &TestPhone, hash: ContentHash) -> Option<Vec<u8>> {
    let session = phone.store().session().unwrap().unwrap();
    let http = HttpClient::new(&session.base_url, session.token).unwrap();
    if http.blob(BlobRequest::Head { hash }).await.unwrap() == BlobResponse::Unknown {
        return None;
    }
    let mut transfer = Download::new(hash, 16 * 1024 * 1024);
    download(&http, &mut transfer).await.unwrap();
    Some(transfer.into_bytes().unwrap())
}

fn all() -> CaseFilter {
    CaseFilter {
        limit: Some(500),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_acknowledged_before_kills_mid_sync_reach_the_server_after_a_clean_sync() {
    kills_mid_sync(Backend::Sqlite).await;
}

/// The same on PostgreSQL: a request dropped at any point (in `BEGIN`, holding advisory
/// locks, mid-write) must leave the pool usable and lose nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_acknowledged_before_kills_mid_sync_reach_the_server_after_a_clean_sync_on_postgres()
{
    kills_mid_sync(Backend::Postgres).await;
}

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

async fn kills_mid_sync(backend: Backend) {
    let seeds: Vec<u64> = match std::env::var("WANGGE_KILL_SEED") {
        Ok(seed) => vec![seed.parse().unwrap()],
        Err(_) => (1..=3).collect(),
    };
    for seed in seeds {
        let dir = tempfile::tempdir().unwrap();
        let server = match backend {
            Backend::Sqlite => TestServer::start(dir.path()).await,
            Backend::Postgres => match TestServer::start_on_postgres(dir.path()).await {
                Some(server) => server,
                None => return,
            },
        };
        let store: PathBuf = dir.path().join("worker.db");
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut acked: BTreeMap<CaseId, Acked> = BTreeMap::new();
        let mut syncs = 0;
        let mut mid_sync = 0;
        let kills = 6;
        for kill in 0..kills {
            let at = KillAt {
                edits: rng.random_range(1..8),
                delay: Duration::from_millis(rng.random_range(0..40)),
            };
            let lines = run_child_and_kill(&store, &server.base, seed * 100 + kill, at).await;
            syncs += read_acks(&lines, &mut acked);
            // The last line an acknowledged edit: the kill came while its sync was under way.
            mid_sync += usize::from(
                lines
                    .last()
                    .is_some_and(|l| !l.starts_with("sync ") && !l.starts_with("try-")),
            );
        }
        let edits: usize = acked
            .values()
            .map(|a| usize::from(a.title.is_some()) + a.comments.len() + a.photos.len())
            .sum();
        assert!(edits > 0, "seed {seed}: the child acknowledged nothing");

        // The same store, opened again, syncs cleanly once.
        let mut worker = TestPhone::new(store.clone());
        worker.client = worker.client.clone().with_retry(QUICK);
        let summary = worker
            .client
            .sync(NetworkKind::Unmetered, &Quiet)
            .await
            .unwrap_or_else(|e| panic!("seed {seed}: the clean sync failed: {} {e}", e.code()));
        assert!(summary.refused.is_empty(), "seed {seed}: {summary:?}");
        assert_eq!(summary.photos_waiting, 0, "seed {seed}: {summary:?}");
        assert!(worker.store().photo_queue().unwrap().is_empty());
        let unsent = worker
            .store()
            .list(&CaseFilter {
                unsent: true,
                ..all()
            })
            .unwrap();
        assert!(
            unsent.is_empty(),
            "seed {seed}: unsent after sync: {unsent:?}"
        );

        let secretary =
            TestPhone::signed_in(&server, dir.path().join("secretary.db"), "shequ").await;
        secretary.sync().await.unwrap();

        // Every document loads on both phones, and the secretary has the worker's cases.
        let mine = worker.store().list(&all()).unwrap();
        for summary in &mine {
            let w = worker.store().detail(&summary.id).unwrap().unwrap();
            let s = secretary
                .store()
                .detail(&summary.id)
                .unwrap()
                .unwrap_or_else(|| panic!("seed {seed}: {} is not on the server", summary.id));
            assert_eq!(s.view.title, w.view.title);
            assert_eq!(s.view.description, w.view.description);
            assert_eq!(s.view.comments, w.view.comments);
            assert_eq!(s.view.evidence, w.view.evidence);
            assert_eq!(s.state.status, w.state.status);
        }
        let theirs = secretary.store().list(&all()).unwrap();
        for summary in &theirs {
            secretary.store().detail(&summary.id).unwrap().unwrap();
        }

        // Every acknowledged edit is there, on both.
        for (case, a) in &acked {
            for phone in [&worker, &secretary] {
                let detail = phone
                    .store()
                    .detail(case)
                    .unwrap()
                    .unwrap_or_else(|| panic!("seed {seed}: acknowledged case {case} missing"));
                if let Some(title) = &a.title {
                    assert_eq!(&detail.view.title, title, "seed {seed}");
                }
                if let Some(description) = &a.description {
                    let stored = &detail.view.description;
                    assert!(
                        stored == description || a.tried.contains(stored),
                        "seed {seed}: {case} has description {stored:?}, acknowledged {description:?}"
                    );
                }
                for text in &a.comments {
                    assert!(
                        detail.view.comments.iter().any(|c| &c.text == text),
                        "seed {seed}: acknowledged comment {text:?} on {case} missing"
                    );
                }
                for hash in &a.photos {
                    assert!(
                        detail.view.evidence.iter().any(|e| &e.hash == hash),
                        "seed {seed}: acknowledged photo {hash} on {case} missing"
                    );
                }
            }
            for hash in &a.photos {
                let bytes = fetch(&secretary, *hash)
                    .await
                    .unwrap_or_else(|| panic!("seed {seed}: photo {hash} is not on the server"));
                assert_eq!(ContentHash::of(&bytes), *hash);
            }
        }
        println!(
            "{backend:?}, seed {seed}: {} cases, {edits} edits ({} photos) acknowledged, {syncs} syncs \
             finished, {mid_sync} of {kills} kills during a sync",
            acked.len(),
            acked.values().map(|a| a.photos.len()).sum::<usize>()
        );
        server.stop().await;
    }
}

/// The phone: signs in (once), then edits and syncs as fast as it can, printing each edit
/// once its call returned and each sync once it finished.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by edits_acknowledged_before_kills_mid_sync_reach_the_server_after_a_clean_sync"]
async fn child() {
    let Ok(path) = std::env::var(CHILD_STORE) else {
        return;
    };
    let server = std::env::var(CHILD_SERVER).unwrap();
    let seed: u64 = std::env::var(CHILD_SEED).unwrap().parse().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut phone = TestPhone::new(PathBuf::from(path));
    phone.client = phone.client.clone().with_retry(QUICK);
    if phone.store().session().unwrap().is_none() {
        phone
            .client
            .sign_in(&server, "wangge", DEMO_PASSWORD)
            .await
            .unwrap();
    }
    let mut cases: Vec<CaseId> = phone
        .store()
        .list(&all())
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut out = std::io::stdout();
    // Ends the test harness's "test child ... " line: each acknowledgement starts a line.
    writeln!(out).unwrap();
    for n in 0u64.. {
        let line = {
            let mut store = phone.store();
            if cases.is_empty() || rng.random_ratio(1, 4) {
                let title = format!("巡查{seed}-{n}");
                let case = store
                    .create_case(NewCaseInput {
                        grid: "110199001001001".parse().unwrap(),
                        category: "SR-01".parse().unwrap(),
                        title: title.clone(),
                        description: "垃圾桶满溢".into(),
                        location: None,
                        source: CaseSource::Patrol,
                    })
                    .unwrap();
                store
                    .act(
                        &case,
                        Action::Report {
                            on_site_resolved: false,
                        },
                    )
                    .unwrap();
                cases.push(case);
                format!("case {case} {title}")
            } else {
                let case = cases[rng.random_range(0..cases.len())];
                match rng.random_range(0..3) {
                    0 => {
                        // Announced first: killed after the edit but before the
                        // acknowledgement, the store holds a text the parent must accept.
                        let text = format!("垃圾桶满溢，已拍照{seed}-{n}");
                        writeln!(out, "try-description {case} {text}").unwrap();
                        out.flush().unwrap();
                        store
                            .edit_field(&case, FieldEdit::Description(text.clone()))
                            .unwrap();
                        format!("description {case} {text}")
                    }
                    1 => {
                        let text = format!("留言{seed}-{n}");
                        store.comment(&case, &text).unwrap();
                        format!("comment {case} {text}")
                    }
                    _ => {
                        let original = camera_jpeg(
                            &scene(480, 360, seed * 1000 + n),
                            90,
                            &CameraExif::default(),
                        );
                        let photo =
                            process(&original, &PhotoOptions::default(), &mut |_| {}).unwrap();
                        let hash = store
                            .attach_photo(&case, &photo, &original, EvidenceStage::Before, "现场")
                            .unwrap();
                        format!("photo {case} {hash}")
                    }
                }
            }
        };
        writeln!(out, "{line}").unwrap();
        out.flush().unwrap();
        let network = if n % 2 == 0 {
            NetworkKind::Metered
        } else {
            NetworkKind::Unmetered
        };
        let summary = phone.client.sync(network, &Quiet).await.unwrap();
        writeln!(
            out,
            "sync {} accepted, {} refused, {} photos sent, {} waiting",
            summary.accepted.len(),
            summary.refused.len(),
            summary.photos_sent,
            summary.photos_waiting
        )
        .unwrap();
        out.flush().unwrap();
    }
}
