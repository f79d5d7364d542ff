//! Hot case documents kept loaded between merges, bounded by memory and never stale.
//!
//! Loading a stored case costs more than merging an upload into it (a realistic case: ≈ 2 KB
//! saved, ≈ 15 KB loaded), and a case that was just synced is likely to be synced again soon
//! (the secretary accepts what the worker reported; the worker follows up). The cache keeps
//! the loaded document and its [`CaseIndex`] per case.
//!
//! An entry is valid for the heads of its document. Heads name a document's whole set of
//! changes, and a store keeps each case's heads with it ([`Stored::heads`](super::Stored)):
//! a merge reads the stored heads inside its per-case transaction, before any bytes, and
//! takes the entry only if its heads are exactly those. So an entry is only ever used for
//! exactly the case as stored, and a hit needs none of the stored bytes read. Another server
//! instance writing the case, a rolled-back commit or a restored backup all simply miss; a
//! compaction changes how the case is laid out in storage, not its heads. Nothing has to be
//! invalidated.
//!
//! Memory is bounded by an estimate of each loaded document's size (a multiple of its saved
//! size) and of its shadow's (ADR 0014); the least recently used entries go first. A
//! document taken out for a merge is not in the cache while the merge runs, so the cache
//! never hands one document to two merges.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use automerge::ChangeHash;
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
    /// Nothing held, or a document of other heads (another instance wrote the case, the
    /// budget evicted it, a send had it out), or heads not stored.
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

    /// Takes out the document of `case` for a merge if it is exactly the one stored, with
    /// `heads`, counting the lookup in [`DocCache::lookups`].
    pub(crate) fn take(&self, case: &CaseId, heads: &[ChangeHash]) -> Option<Hot> {
        let mut inner = self.lock();
        let hot = Self::take_from(&mut inner, case, heads);
        inner.lookups += Lookups::one(hot.is_some());
        hot
    }

    /// Takes out the document of `case` to send it (the feed, a refetch) if it is exactly
    /// the one stored, with `heads`; the caller counts the lookup, and puts the document
    /// back.
    pub(crate) fn take_to_send(&self, case: &CaseId, heads: &[ChangeHash]) -> Option<Hot> {
        Self::take_from(&mut self.lock(), case, heads)
    }

    /// An entry of other heads is dropped: the case moved on without this hub (or this
    /// hub's commit rolled back), and it can never hit again.
    fn take_from(inner: &mut Inner, case: &CaseId, heads: &[ChangeHash]) -> Option<Hot> {
        let entry = inner.entries.remove(case)?;
        inner.order.remove(&entry.used);
        inner.bytes -= entry.cost;
        same_heads(entry.hot.doc.heads(), heads).then_some(entry.hot)
    }

    /// Keeps `hot` as the document of `case` (valid for as long as the case is stored with
    /// its heads), evicting the least recently used entries beyond the budget.
    pub(crate) fn put(&self, case: CaseId, hot: Hot) {
        let shadow = hot.shadow.as_ref().map_or(0, Shadow::heap_bytes);
        let cost = hot.stored_len * LOADED_PER_SAVED + shadow + ENTRY_OVERHEAD;
        if cost > self.budget {
            return;
        }
        let mut inner = self.lock();
        inner.clock += 1;
        let used = inner.clock;
        if let Some(old) = inner.entries.insert(case, Entry { hot, cost, used }) {
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

/// Whether two sets of heads are the same.
pub(crate) fn same_heads(a: &[ChangeHash], b: &[ChangeHash]) -> bool {
    a.len() == b.len() && a.iter().all(|h| b.contains(h))
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

    /// A hot case and its heads.
    fn hot_with_heads(n: u8) -> (Hot, Vec<ChangeHash>) {
        let hot = hot(n);
        let heads = hot.doc.heads().to_vec();
        (hot, heads)
    }

    #[test]
    fn only_the_exact_stored_heads_hit() {
        let cache = DocCache::new(1 << 20);
        let (first, heads) = hot_with_heads(1);
        cache.put(case(1), first);
        // Other heads (another instance wrote, or a commit rolled back): a miss, and the
        // stale entry is gone.
        assert!(cache.take(&case(1), &[ChangeHash([7; 32])]).is_none());
        assert!(cache.take(&case(1), &heads).is_none());
        let (again, heads) = hot_with_heads(1);
        cache.put(case(1), again);
        assert!(cache.take(&case(1), &heads).is_some());
        // Taken out: a second merge of the same case does not get it too.
        assert!(cache.take(&case(1), &heads).is_none());
        assert_eq!(cache.lookups(), Lookups { hits: 1, misses: 3 });
    }

    #[test]
    fn the_least_recently_used_go_first() {
        let per_entry = 1000 * LOADED_PER_SAVED + ENTRY_OVERHEAD;
        let cache = DocCache::new(per_entry * 2);
        let mut heads = Vec::new();
        for n in 1..=3 {
            let (hot, h) = hot_with_heads(n);
            heads.push(h);
            cache.put(case(n), hot);
        }
        assert_eq!(cache.usage(), (2, per_entry * 2));
        assert!(cache.take(&case(1), &heads[0]).is_none());
        assert!(cache.take(&case(2), &heads[1]).is_some());
        assert!(cache.take(&case(3), &heads[2]).is_some());
    }

    #[test]
    fn a_zero_budget_keeps_nothing() {
        let cache = DocCache::new(0);
        let (hot, heads) = hot_with_heads(1);
        cache.put(case(1), hot);
        assert_eq!(cache.usage(), (0, 0));
        assert!(cache.take(&case(1), &heads).is_none());
    }
}
