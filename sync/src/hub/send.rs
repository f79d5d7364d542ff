//! What the hub sends a device of a stored case (the feed, a refetch): nothing, the changes
//! the device lacks, or the case whole.
//!
//! A whole case goes out as the bytes the store holds — a snapshot and the change chunks
//! stored since, which `AutoCommit::load` reads like one saved document — so it is never saved
//! again. Either way the hub needs the case's heads (to compare with what the device was last
//! given, and to record what it now has): from the hot document when the [`DocCache`] holds
//! exactly these bytes — the usual case for a case that was just synced, such as the reports a
//! secretary downloads after the worker's upload — else by loading them.

use automerge::{AutoCommit, AutomergeError, ChangeHash};
use serde_bytes::ByteBuf;
use wangge_proto::values::CaseId;

use super::cache::{DocCache, Lookups, StoredKey};
use crate::wire::Payload;

/// What goes to the device.
pub(crate) struct Sending {
    /// The case's heads: what the device has once it stores the payload.
    pub heads: Vec<ChangeHash>,
    /// `None` when the device already has every change.
    pub payload: Option<Payload>,
    /// Whether the heads came from the hot document (a hit) or a load (a miss).
    pub lookups: Lookups,
}

/// What to send of the case stored as `stored` to a device that was last given `known` (its
/// heads; `None`: nothing of this case, or not known).
pub(crate) fn sending(
    cache: &DocCache,
    case: &CaseId,
    stored: Vec<u8>,
    known: Option<&[ChangeHash]>,
) -> Result<Sending, AutomergeError> {
    let key = StoredKey::of(&stored);
    let mut hot = cache.take_to_send(case, &key);
    let lookups = Lookups::one(hot.is_some());
    let mut loaded;
    let doc = match hot.as_mut() {
        Some(hot) => hot.doc.automerge_mut(),
        None => {
            loaded = AutoCommit::load(&stored)?;
            &mut loaded
        }
    };
    let heads = doc.get_heads();
    let payload = match known {
        Some(known) if same(known, &heads) => None,
        // A stored document holds no orphans, so the heads it lacks are exactly its missing
        // dependencies: a lookup in the change graph, where `get_change_by_hash` would rebuild
        // each change from the op set.
        Some(known) if doc.get_missing_deps(known).is_empty() => {
            let lacking = doc.save_after(known);
            (!lacking.is_empty()).then(|| Payload::Changes(ByteBuf::from(lacking)))
        }
        _ => Some(Payload::Document(ByteBuf::from(stored))),
    };
    if let Some(hot) = hot {
        cache.put(*case, &key, hot);
    }
    Ok(Sending {
        heads,
        payload,
        lookups,
    })
}

/// Whether two sets of heads are the same.
fn same(a: &[ChangeHash], b: &[ChangeHash]) -> bool {
    a.len() == b.len() && a.iter().all(|h| b.contains(h))
}
