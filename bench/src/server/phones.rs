//! `sync-200-phones`: the real server app (router, token authentication, rate limits, the
//! permission policy) on a port-0 loopback listener, 200 enrolled grid workers' phones
//! syncing at once, each with 20 dirty cases.
//!
//! Each phone is a grid worker with a grid of their own, enrolled through the store the way
//! sign-in enrols a device (user, device key, bound actor, token) — without 200 Argon2
//! verifications, which would measure sign-in instead. Round 1: every phone registers its
//! cases offline (creation, two photos, the report) and all phones sync at once. Round 2:
//! every phone adds to each case's description and a comment, and all sync at once again.
//! Each request's latency is timed from sending to the whole response read. Afterwards every
//! case's stored heads must equal the phone's: nothing lost, nothing refused. Phones and
//! server share this process's tokio runtime (2 worker threads); the phones build their
//! requests before the start signal, so their own work is mostly outside the timings.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::{ActorId, AutoCommit};
use wangge_proto::values::{CaseId, GridCode, Timestamp};
use wangge_proto::{Role, Scope};
use wangge_server::app;
use wangge_server::config::{Cli, Config as ServerConfig};
use wangge_server::services::accounts::{hash_password, token_hash};
use wangge_server::services::validate::PermissionPolicy;
use wangge_server::store::{DeviceRecord, Store, TokenRecord, UserRecord};
use wangge_sync::Limits;
use wangge_sync::http::client::HttpClient;
use wangge_sync::phone::{MemoryPhone, PhoneSync};
use wangge_sync::relay::SigningKey;

use super::databases::{self, PgDatabase, TempDir};
use super::steps::Steps;
use super::{Config, Figure};
use crate::sync::Result;
use crate::sync::people::Person;

/// One enrolled phone.
struct Phone {
    person: Person,
    grid: GridCode,
    phone: MemoryPhone,
    sync: PhoneSync,
    client: HttpClient,
    cases: Vec<CaseId>,
}

/// What one round of one phone saw.
#[derive(Debug, Default)]
struct Outcome {
    latencies: Vec<Duration>,
    errors: Vec<String>,
    accepted: usize,
}

/// Runs the scenario on SQLite and (if `postgres`) PostgreSQL.
pub fn run(config: &Config, postgres: bool) -> Result<Vec<Figure>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut figures = Vec::new();
        {
            let dir = TempDir::new("phones-sqlite")?;
            let store = databases::sqlite(&dir).await?;
            let figure = scenario("sqlite", store.clone(), &dir, config).await;
            store.close().await;
            figures.push(figure?);
        }
        if postgres {
            let db = PgDatabase::create().await?;
            let figure = async {
                let dir = TempDir::new("phones-postgres")?;
                let store = db.store().await?;
                let figure = scenario("postgres", store.clone(), &dir, config).await;
                store.close().await;
                figure
            }
            .await;
            db.drop_now().await?;
            figures.push(figure?);
        }
        Ok(figures)
    })
}

async fn scenario<S: Store>(
    backend: &str,
    store: S,
    dir: &TempDir,
    config: &Config,
) -> Result<Figure> {
    let server_config = ServerConfig::resolve(Cli {
        listen: None,
        data_dir: Some(dir.path().to_owned()),
        database_url: None,
        blob_store: None,
        config: None,
        log_format: None,
        token_ttl_minutes: None,
        demo: Some(false),
        live_keep_alive_seconds: None,
        hub_cache_mib: None,
    })?;
    let router = app::router(store.clone(), PermissionPolicy::new(), &server_config).await?;
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app::serve(listener, router, async {
        let _ = stopped.await;
    }));

    let password_hash = hash_password("wangge-bench")?;
    let mut phones = Vec::with_capacity(config.phones);
    for n in 0..config.phones {
        phones.push(enrol(&store, n, &password_hash, &base).await?);
    }
    let mut steps = Steps::new(config.seed ^ 0x5eed);
    for phone in &mut phones {
        for _ in 0..config.cases_per_phone {
            let (id, doc) = steps.register(&phone.person, &phone.grid)?;
            phone.phone.insert(id, doc);
            phone.cases.push(id);
        }
    }
    let start = Instant::now();
    let (mut phones, first) = round(phones).await?;
    for phone in &mut phones {
        for case in phone.cases.clone() {
            let person = phone.person.clone();
            phone
                .phone
                .edit(&case, |doc| steps.annotate(&person, doc))
                .ok_or("a case vanished from its phone")??;
        }
    }
    let (phones, second) = round(phones).await?;
    let wall = start.elapsed();
    let (stored, lost) = verify(&store, &phones).await?;
    let _ = stop.send(());
    server.await??;

    let expected = config.phones * config.cases_per_phone;
    let mut latencies: Vec<Duration> = first
        .iter()
        .chain(&second)
        .flat_map(|o| o.latencies.iter().copied())
        .collect();
    latencies.sort();
    let errors: Vec<&String> = first
        .iter()
        .chain(&second)
        .flat_map(|o| &o.errors)
        .collect();
    let accepted = [&first, &second].map(|round| round.iter().map(|o| o.accepted).sum::<usize>());
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    let met = errors.is_empty() && accepted == [expected, expected] && stored == expected;
    let mut notes = vec![
        "latency per sync request, both rounds together; server and phones in one process \
         on 2 worker threads, loopback HTTP"
            .to_owned(),
    ];
    notes.extend(errors.iter().take(5).map(|e| format!("error: {e}")));
    if !lost.is_empty() {
        notes.push(format!(
            "MISS: {} cases differ from the phone's copy, e.g. {:?}",
            lost.len(),
            &lost[..lost.len().min(3)]
        ));
    }
    if accepted != [expected, expected] {
        notes.push(format!(
            "MISS: accepted {accepted:?} case uploads per round, expected {expected} each"
        ));
    }
    let details = BTreeMap::from([
        ("phones".to_owned(), config.phones as f64),
        ("cases".to_owned(), expected as f64),
        ("requests".to_owned(), latencies.len() as f64),
        ("errors".to_owned(), errors.len() as f64),
        ("cases_stored".to_owned(), stored as f64),
        ("p99_ms".to_owned(), p99),
        ("max_ms".to_owned(), percentile(&latencies, 1.0)),
        ("wall_s".to_owned(), wall.as_secs_f64()),
    ]);
    Ok(Figure {
        name: format!("sync-{}-phones", config.phones),
        backend: backend.to_owned(),
        value: p50,
        unit: "ms p50".to_owned(),
        baseline: None,
        target: format!(
            "{} phones with {} dirty cases each syncing at once: no errors, every case \
             accepted and stored; p50/p99 latency reported",
            config.phones, config.cases_per_phone
        ),
        met,
        details,
        notes,
    })
}

/// Enrols phone `n`: a grid worker with grid number `n + 1` of one community.
async fn enrol<S: Store>(store: &S, n: usize, password_hash: &str, base: &str) -> Result<Phone> {
    let grid: GridCode = format!("110105001001{:03}", n + 1).parse()?;
    let user = format!("00000000-0b00-4000-8000-{n:012x}").parse()?;
    let device = format!("00000000-0d00-4000-8000-{n:012x}").parse()?;
    let mut seed = [0x42u8; 32];
    seed[..8].copy_from_slice(&(n as u64).to_be_bytes());
    let key = SigningKey::from_bytes(&seed);
    let mut actor = [0xacu8; 16];
    actor[..8].copy_from_slice(&(n as u64).to_be_bytes());
    let actor = ActorId::from(&actor[..]);
    let scope = Scope::Grids {
        grids: [grid.clone()].into(),
    };
    store
        .put_user(&UserRecord {
            id: user,
            login: format!("bench-worker-{n}"),
            display_name: format!("网格员{n}"),
            role: Role::GridWorker,
            scope: scope.clone(),
            password_hash: password_hash.to_owned(),
            disabled: false,
        })
        .await?;
    let now = Timestamp::now();
    store
        .put_device(&DeviceRecord {
            id: device,
            user,
            key: key.verifying_key(),
            enrolled_at: now,
            revoked: false,
        })
        .await?;
    store.bind_actor(&actor, &user, &device).await?;
    let token = format!("wg_bench_{n}_{}", hex_of(&seed));
    store
        .put_token(
            &token_hash(&token),
            &TokenRecord {
                user,
                device: Some(device),
                expires_at: now.plus_secs(3_600),
                revoked: false,
            },
        )
        .await?;
    Ok(Phone {
        person: Person {
            user,
            role: Role::GridWorker,
            device,
            actor: actor.clone(),
            scope,
        },
        grid,
        phone: MemoryPhone::new(actor.clone(), Some(key)),
        sync: PhoneSync::new(device, vec![actor], Limits::default()),
        client: HttpClient::new(base, token)?,
        cases: Vec::new(),
    })
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every phone syncs at once (until its report says nothing more); the phones come back.
async fn round(phones: Vec<Phone>) -> Result<(Vec<Phone>, Vec<Outcome>)> {
    let start = Arc::new(tokio::sync::Barrier::new(phones.len()));
    let tasks: Vec<_> = phones
        .into_iter()
        .map(|phone| {
            let start = Arc::clone(&start);
            tokio::spawn(sync_phone(phone, start))
        })
        .collect();
    let mut phones = Vec::with_capacity(tasks.len());
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        let (phone, outcome) = task.await?;
        phones.push(phone);
        outcomes.push(outcome);
    }
    Ok((phones, outcomes))
}

async fn sync_phone(mut phone: Phone, start: Arc<tokio::sync::Barrier>) -> (Phone, Outcome) {
    let mut outcome = Outcome::default();
    let mut waited = false;
    for _ in 0..5 {
        let (request, sent) = match phone.sync.prepare(&phone.phone) {
            Ok(prepared) => prepared,
            Err(error) => {
                outcome.errors.push(format!("prepare: {error}"));
                break;
            }
        };
        if !waited {
            start.wait().await;
            waited = true;
        }
        let sent_at = Instant::now();
        let response = phone.client.sync(&request).await;
        outcome.latencies.push(sent_at.elapsed());
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                outcome.errors.push(format!("sync: {error}"));
                break;
            }
        };
        match phone.sync.receive(&mut phone.phone, &sent, &response) {
            Ok(report) => {
                outcome.accepted += report.accepted.len();
                for rejected in &report.rejected {
                    outcome
                        .errors
                        .push(format!("refused: {} {}", rejected.code, rejected.en));
                }
                if !report.resend.is_empty() || !report.broken.is_empty() {
                    outcome.errors.push(format!(
                        "resend {:?}, broken {:?}",
                        report.resend, report.broken
                    ));
                }
                if !report.more {
                    break;
                }
            }
            Err(error) => {
                outcome.errors.push(format!("receive: {error}"));
                break;
            }
        }
    }
    if !waited {
        start.wait().await;
    }
    (phone, outcome)
}

/// How many cases the store holds exactly as their phone does, and which do not.
async fn verify<S: Store>(store: &S, phones: &[Phone]) -> Result<(usize, Vec<CaseId>)> {
    let mut same = 0;
    let mut differ = Vec::new();
    for phone in phones {
        for case in &phone.cases {
            let local = phone
                .phone
                .get(case)
                .map(|local| sorted(local.doc.clone().get_heads()));
            let stored = match store.load_case(case).await? {
                Some((bytes, _)) => Some(sorted(AutoCommit::load(&bytes)?.get_heads())),
                None => None,
            };
            if local.is_some() && local == stored {
                same += 1;
            } else {
                differ.push(*case);
            }
        }
    }
    Ok((same, differ))
}

fn sorted(mut heads: Vec<automerge::ChangeHash>) -> Vec<automerge::ChangeHash> {
    heads.sort();
    heads
}

/// The `q` quantile (nearest rank) of sorted `latencies`, in milliseconds.
fn percentile(latencies: &[Duration], q: f64) -> f64 {
    if latencies.is_empty() {
        return 0.0;
    }
    let rank = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len());
    latencies[rank - 1].as_secs_f64() * 1e3
}
