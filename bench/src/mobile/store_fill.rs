//! A phone store holding many cases, as a grid worker's phone has them after months of
//! patrols: each case registered, reported and commented by its worker, received from the
//! server in batches of [`BATCH`] through the sync crate's `PhoneStore::apply` (the path real
//! downloads take), not through per-edit transactions.

use std::collections::BTreeSet;
use std::path::Path;

use automerge::ActorId;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wangge_mobile::store::{CaseStore, Identity};
use wangge_proto::case::{Actor, CaseDocument, CaseSource, Comment, NewCase, Origin};
use wangge_proto::values::{CaseId, CommentId, DeviceId, EventId, GridCode, Timestamp, UserId};
use wangge_proto::workflow::{Action, DeadlinePolicy};
use wangge_proto::{Role, Scope};
use wangge_sync::phone::{Applied, AppliedCase, PhoneStore};
use wangge_sync::relay::SigningKey;

use crate::sync::Result;

/// Cases per `apply` transaction.
pub const BATCH: usize = 500;

/// The worker's grids; cases are spread over them.
pub const GRIDS: [&str; 3] = ["110199001001001", "110199001001002", "110199001001003"];

/// Catalogue items the cases are registered under.
const CATEGORIES: [&str; 4] = ["SR-01", "SR-02", "SR-03", "SR-04"];

/// Titles the cases are made from (with a number, so the search has something to find).
const TITLES: [&str; 4] = ["垃圾堆放", "路灯不亮", "占道经营", "井盖缺失"];

/// The grid worker whose phone this is.
pub fn worker(seed: u64) -> Identity {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let grids: BTreeSet<GridCode> = GRIDS.iter().filter_map(|g| g.parse().ok()).collect();
    Identity {
        user: UserId::generate(),
        login: "wangge".to_owned(),
        display_name: "网格员".to_owned(),
        role: Role::GridWorker,
        scope: Scope::Grids { grids },
        device: DeviceId::generate(),
        actor: ActorId::from(&rng.random::<[u8; 16]>()[..]),
        key: SigningKey::from_bytes(&rng.random::<[u8; 32]>()),
    }
}

/// Creates the store at `path` for `identity` with `cases` cases; returns their ids.
pub fn fill(path: &Path, identity: &Identity, cases: usize, seed: u64) -> Result<Vec<CaseId>> {
    let mut store = CaseStore::open(path)?;
    store.set_identity(identity.clone())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start = Timestamp::now().as_millis() - (cases as i64) * 60_000;
    let mut ids = Vec::with_capacity(cases);
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..cases {
        let at = Timestamp::from_millis(start + (n as i64) * 60_000)?;
        let (id, case) = case_document(identity, n, at, &mut rng)?;
        ids.push(id);
        batch.push(case);
        if batch.len() == BATCH || n + 1 == cases {
            store.apply(Applied {
                cases: std::mem::take(&mut batch),
                ..Applied::default()
            })?;
        }
    }
    Ok(ids)
}

/// Case number `n`: registered, reported and commented at `at`, as the server sends it.
fn case_document(
    identity: &Identity,
    n: usize,
    at: Timestamp,
    rng: &mut ChaCha8Rng,
) -> Result<(CaseId, AppliedCase)> {
    let id = CaseId::from_parts(at, rng.random());
    let new = NewCase {
        id,
        origin: Origin {
            reporter: identity.user,
            role: identity.role,
            device: identity.device,
            grid: GRIDS[n % GRIDS.len()].parse()?,
            created_at: at,
            source: CaseSource::Patrol,
        },
        category: CATEGORIES[n % CATEGORIES.len()].parse()?,
        title: format!("{}（第 {n} 号）", TITLES[n % TITLES.len()]),
        description: "巡查发现，已拍照记录，请社区尽快处理。".repeat(1 + n % 3),
        location: None,
    };
    let mut document = CaseDocument::create(&new, identity.actor.clone())?;
    document.act(
        &Actor {
            user: identity.user,
            role: identity.role,
            device: identity.device,
        },
        Action::Report {
            on_site_resolved: false,
        },
        EventId::from_parts(at, rng.random()),
        at,
        &DeadlinePolicy::default(),
    )?;
    document.add_comment(&Comment {
        id: CommentId::from_parts(at, rng.random()),
        author: identity.user,
        role: identity.role,
        device: identity.device,
        at,
        text: "已通知物业".to_owned(),
    })?;
    document.commit(at, "report");
    let mut doc = document.into_automerge();
    let acked = doc.get_heads();
    Ok((
        id,
        AppliedCase {
            case: id,
            doc: Some(doc),
            acked,
            whole: false,
            signatures: Vec::new(),
        },
    ))
}
