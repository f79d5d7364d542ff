//! What the hub sends a device of a stored case (the feed, a refetch): nothing, the changes
//! the device lacks, or the case whole.
//!
//! A whole case goes out as the bytes the store holds — a snapshot and the change chunks
//! stored since, which `AutoCommit::load` reads like one saved document — so it is never saved
//! again. Either way the hub needs the case's heads (to compare with what the device was last
//! given, and to record what it now has): stored with the case, and otherwise from the hot
//! document when the [`DocCache`] holds exactly the stored case — the usual case for a case
//! that was just synced, such as the reports a secretary downloads after the worker's upload —
//! else by loading it. The changes a device
//! lacks are, for a hot case, usually exactly those merged since it was loaded, kept aside as
//! they came ([`LazyDoc::changes_after`]).

use automerge::ChangeHash;
use serde_bytes::ByteBuf;
use wangge_proto::case::CaseDocument;
use wangge_proto::values::CaseId;

use super::LoadedCase;
use super::cache::{DocCache, Lookups, same_heads};
use super::lazy_doc::{LazyDoc, Unusable};
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

/// What to send of the case `stored` to a device that was last given `known` (its heads;
/// `None`: nothing of this case, or not known).
pub(crate) fn sending(
    cache: &DocCache,
    case: &CaseId,
    stored: LoadedCase,
    known: Option<&[ChangeHash]>,
) -> Result<Sending, Unusable> {
    let LoadedCase { bytes, heads, .. } = stored;
    // The device has the case as stored: nothing to send, and nothing to load.
    if let (Some(heads), Some(known)) = (&heads, known)
        && same_heads(known, heads)
    {
        return Ok(Sending {
            heads: heads.clone(),
            payload: None,
            lookups: Lookups::default(),
        });
    }
    let mut hot = heads.and_then(|heads| cache.take_to_send(case, &heads));
    let lookups = Lookups::one(hot.is_some());
    let mut loaded;
    let doc = match hot.as_mut() {
        Some(hot) => &mut hot.doc,
        None => {
            let doc = CaseDocument::load(&bytes).map_err(|e| Unusable(e.to_string()))?;
            loaded = LazyDoc::new(doc);
            &mut loaded
        }
    };
    // An unusable hot case is not put back: the next merge loads it afresh.
    doc.usable()?;
    let heads = doc.heads().to_vec();
    let payload = match known {
        Some(known) if same_heads(known, &heads) => None,
        Some(known) if doc.missing(known).is_empty() => {
            let lacking = doc.changes_after(known)?;
            (!lacking.is_empty()).then(|| Payload::Changes(ByteBuf::from(lacking)))
        }
        _ => Some(Payload::Document(ByteBuf::from(bytes))),
    };
    if let Some(hot) = hot {
        cache.put(*case, hot);
    }
    Ok(Sending {
        heads,
        payload,
        lookups,
    })
}
