//! Hot case documents kept loaded between merges, bounded by memory and never stale.
//!
//! Loading a stored case costs more than merging an upload into it (a realistic case: ≈ 2 KB
//! saved, ≈ 15 KB loaded), and a case that was just synced is likely to be synced again soon
//! (the secretary accepts what the worker reported; the worker follows up). The cache keeps
//! the loaded document and its [`CaseIndex`] per case.
//!
//! An entry is keyed by the SHA-256 of the exact stored bytes it was loaded from (or will be
//! loaded from: after a commit, the stored bytes plus the new changes, which is what both the
//! in-memory and the SQL stores hold until they compact). A merge looks the case up under the
//! hash of the bytes the store just read inside its per-case transaction, so an entry can
//! only ever be used for exactly the document it holds: another server instance writing the
//! case, a compaction, a rolled-back commit or a restored backup all simply miss. Nothing has
//! to be invalidated.
//!
//! Memory is bounded by an estimate of each loaded document's size (a multiple of its saved
//! size) and of its shadow's (ADR 0014); the least recently used entries go first. A
//! document taken out for a merge is not in the cache while the merge runs, so the cache
//! never hands one document to two merges.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};
use wangge_proto::values::CaseId;

use super::CaseIndex;
use super::Previous;
use super::facts::Glance;
use super::lazy_doc::LazyDoc;
use super::shadow::Shadow;

/// The default budget: 128 MiB ≈ 3,500 realistic cases, each with its shadow (ADR 0014).
pub const DEFAULT_CACHE_BYTES: usize = 128 * 1024 * 1024;

/// A loaded case costs about this many times its saved size in memory (design notes:
/// ≈ 14.5 KB loaded for ≈ 1.9 KB saved), plus a fixed overhead.
const LOADED_PER_SAVED: usize = 8;
const ENTRY_OVERHEAD: usize = 4 * 1024;

/// The hash of a case's stored bytes: what a cache entry is valid for.
#[derive(Debug, Clone)]
pub(crate) struct StoredKey(Sha256);

impl StoredKey {
    /// The key of `stored`.
    pub(crate) fn of(stored: &[u8]) -> Self {
        Self(Sha256::new_with_prefix(stored))
    }

    /// The key of these bytes followed by `appended` (what a store holds after it appends
    /// the new changes).
    pub(crate) fn then<'a>(&self, appended: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut hash = self.0.clone();
        for bytes in appended {
            hash.update(bytes);
        }
        Self(hash)
    }

    fn digest(&self) -> [u8; 32] {
        self.0.clone().finalize().into()
    }
}

/// A loaded case and what it costs.
pub(crate) struct Hot {
    /// The document, with the changes merged since it was loaded kept aside.
    pub doc: LazyDoc,
    /// Its shadow (ADR 0014), once a merge has built it; `None` also while a merge has it.
    pub shadow: Option<Shadow>,
    /// Whether its ops are ones no shadow follows (so no merge tries to build one again).
    pub shadowless: bool,
    /// Its index.
    pub index: CaseIndex,
    /// The costly parts of its last read (its workflow events among them), for the next merge
    /// to start from.
    pub glance: Glance,
    /// The index and facts stored with its last commit, if this hub made that commit.
    pub written: Option<Previous>,
    /// The size of the stored bytes it was loaded from.
    pub stored_len: usize,
}

struct Entry {
    key: [u8; 32],
    hot: Hot,
    cost: usize,
    used: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<CaseId, Entry>,
    /// Last use → case, oldest first.
    order: BTreeMap<u64, CaseId>,
    clock: u64,
    bytes: usize,
    lookups: Lookups,
}

/// How often a merge found its stored case loaded, and how often it had to load it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lookups {
    /// The document held was exactly the stored one.
    pub hits: u64,
    /// Nothing held, or a document of other stored bytes (another instance wrote the case,
    /// the store compacted it, the budget evicted it).
    pub misses: u64,
}

impl Lookups {
    /// One lookup: a hit if the stored case was `found` loaded, else a miss.
    pub(crate) fn one(found: bool) -> Self {
        Self {
            hits: u64::from(found),
            misses: u64::from(!found),
        }
    }
}

impl std::ops::AddAssign for Lookups {
    fn add_assign(&mut self, other: Self) {
        self.hits += other.hits;
        self.misses += other.misses;
    }
}

/// Loaded case documents, at most `budget` bytes (estimated), least recently used out first.
pub struct DocCache {
    inner: Mutex<Inner>,
    budget: usize,
}

impl std::fmt::Debug for DocCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.lock();
        f.debug_struct("DocCache")
            .field("budget", &self.budget)
            .field("bytes", &inner.bytes)
            .field("entries", &inner.entries.len())
            .finish()
    }
}

impl DocCache {
    /// A cache of at most `budget` bytes; 0 turns it off.
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            budget,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes out the document of `case` for a merge if it is exactly the one stored under
    /// `key`, counting the lookup in [`DocCache::lookups`].
    pub(crate) fn take(&self, case: &CaseId, key: &StoredKey) -> Option<Hot> {
        let mut inner = self.lock();
        let hot = Self::take_from(&mut inner, case, key);
        inner.lookups += Lookups::one(hot.is_some());
        hot
    }

    /// Takes out the document of `case` to send it (the feed, a refetch) if it is exactly
    /// the one stored under `key`; the caller counts the lookup, and puts the document back.
    pub(crate) fn take_to_send(&self, case: &CaseId, key: &StoredKey) -> Option<Hot> {
        Self::take_from(&mut self.lock(), case, key)
    }

    /// A stale entry (other bytes) is dropped: it can never hit again.
    fn take_from(inner: &mut Inner, case: &CaseId, key: &StoredKey) -> Option<Hot> {
        let entry = inner.entries.remove(case)?;
        inner.order.remove(&entry.used);
        inner.bytes -= entry.cost;
        (entry.key == key.digest()).then_some(entry.hot)
    }

    /// Keeps `hot` as the document of `case` stored under `key`, evicting the least recently
    /// used entries beyond the budget.
    pub(crate) fn put(&self, case: CaseId, key: &StoredKey, hot: Hot) {
        let shadow = hot.shadow.as_ref().map_or(0, Shadow::heap_bytes);
        let cost = hot.stored_len * LOADED_PER_SAVED + shadow + ENTRY_OVERHEAD;
        if cost > self.budget {
            return;
        }
        let key = key.digest();
        let mut inner = self.lock();
        inner.clock += 1;
        let used = inner.clock;
        if let Some(old) = inner.entries.insert(
            case,
            Entry {
                key,
                hot,
                cost,
                used,
            },
        ) {
            inner.order.remove(&old.used);
            inner.bytes -= old.cost;
        }
        inner.order.insert(used, case);
        inner.bytes += cost;
        while inner.bytes > self.budget {
            let Some((_, oldest)) = inner.order.pop_first() else {
                break;
            };
            if let Some(evicted) = inner.entries.remove(&oldest) {
                inner.bytes -= evicted.cost;
            }
        }
    }

    /// Cases held and their estimated bytes.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.entries.len(), inner.bytes)
    }

    /// The lookups of stored cases by merges so far.
    pub fn lookups(&self) -> Lookups {
        self.lock().lookups
    }
}

impl Default for DocCache {
    fn default() -> Self {
        Self::new(DEFAULT_CACHE_BYTES)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use wangge_proto::case::CaseDocument;

    use super::*;

    fn hot(n: u8) -> Hot {
        use wangge_proto::case::{CaseSource, NewCase, Origin};
        use wangge_proto::values::Timestamp;
        let at = Timestamp::from_millis(1_793_520_000_000).unwrap();
        let id = CaseId::from_parts(at, [n; 10]);
        let grid: wangge_proto::values::GridCode = "110105001001001".parse().unwrap();
        let doc = CaseDocument::create(
            &NewCase {
                id,
                origin: Origin {
                    reporter: "00000000-0001-4000-8000-000000000001".parse().unwrap(),
                    role: wangge_proto::Role::GridWorker,
                    device: "00000000-0002-4000-8000-000000000001".parse().unwrap(),
                    grid: grid.clone(),
                    created_at: at,
                    source: CaseSource::Patrol,
                },
                category: "SR-01".parse().unwrap(),
                title: "垃圾堆放".into(),
                description: "三天未清运".into(),
                location: None,
            },
            automerge::ActorId::from(&[n; 16][..]),
        )
        .unwrap();
        Hot {
            glance: Glance::read(&crate::hub::ReadCase::document(&doc)).unwrap(),
            doc: LazyDoc::new(doc),
            shadow: None,
            shadowless: false,
            index: CaseIndex {
                grid,
                departments: Default::default(),
            },
            written: None,
            stored_len: 1000,
        }
    }

    fn case(n: u8) -> CaseId {
        let at = wangge_proto::values::Timestamp::from_millis(1_793_520_000_000).unwrap();
        CaseId::from_parts(at, [n; 10])
    }

    #[test]
    fn only_the_exact_stored_bytes_hit() {
        let cache = DocCache::new(1 << 20);
        let key = StoredKey::of(b"stored");
        cache.put(case(1), &key, hot(1));
        // Other bytes (another instance wrote, or the store compacted): a miss, and the
        // stale entry is gone.
        assert!(cache.take(&case(1), &StoredKey::of(b"other")).is_none());
        assert!(cache.take(&case(1), &key).is_none());
        cache.put(case(1), &key, hot(1));
        assert!(cache.take(&case(1), &key).is_some());
        // Taken out: a second merge of the same case does not get it too.
        assert!(cache.take(&case(1), &key).is_none());
        assert_eq!(cache.lookups(), Lookups { hits: 1, misses: 3 });
    }

    #[test]
    fn appended_bytes_have_the_key_of_the_whole() {
        let key = StoredKey::of(b"snapshot");
        let then = key.then([&b"change 1"[..], &b"change 2"[..]]);
        assert_eq!(
            then.digest(),
            StoredKey::of(b"snapshotchange 1change 2").digest()
        );
    }

    #[test]
    fn the_least_recently_used_go_first() {
        let per_entry = 1000 * LOADED_PER_SAVED + ENTRY_OVERHEAD;
        let cache = DocCache::new(per_entry * 2);
        let key = StoredKey::of(b"x");
        cache.put(case(1), &key, hot(1));
        cache.put(case(2), &key, hot(2));
        cache.put(case(3), &key, hot(3));
        assert_eq!(cache.usage(), (2, per_entry * 2));
        assert!(cache.take(&case(1), &key).is_none());
        assert!(cache.take(&case(2), &key).is_some());
        assert!(cache.take(&case(3), &key).is_some());
    }

    #[test]
    fn a_zero_budget_keeps_nothing() {
        let cache = DocCache::new(0);
        let key = StoredKey::of(b"x");
        cache.put(case(1), &key, hot(1));
        assert_eq!(cache.usage(), (0, 0));
        assert!(cache.take(&case(1), &key).is_none());
    }
}
