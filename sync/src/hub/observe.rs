//! What a sync batch did, for the server's metrics and its live channel: the hub counts and
//! reports, the server exports and notifies.

use wangge_proto::values::CaseId;

use super::{CaseIndex, Lookups};
use crate::wire::Cursor;

/// The outcome of one answered request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Uploaded cases accepted.
    pub accepted: u64,
    /// Uploaded cases refused.
    pub rejected: u64,
    /// Uploaded cases to be sent again whole.
    pub resend: u64,
    /// Uploaded cases held back because their stored copy does not load.
    pub held: u64,
    /// New changes stored.
    pub changes_stored: u64,
    /// Case updates sent back (uploads' replies, refetches, feed).
    pub updates_sent: u64,
    /// Uploads to stored cases that found the case loaded in the hub's cache (hits), and
    /// those that had to load it from the stored bytes (misses, including a case that then
    /// did not load). Misses cost a load each: a rate that drops means a cache too small
    /// or a store that hands back bytes other than it was given.
    pub hot: Lookups,
    /// Stored cases sent (feed, refetches) whose heads came from the document loaded in the
    /// hub's cache (hits), and those that had to be loaded to learn them (misses).
    pub served: Lookups,
    /// Accepted uploads judged from the case's shadow (ADR 0014) rather than from its
    /// document: all but those whose ops a shadow does not follow.
    pub shadowed: u64,
}

/// The cases one request moved in the feed (each stored a commit, so each has a new
/// position): what a live channel tells the devices that may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The feed head read after the cases were stored: at or after every new position, so a
    /// device whose cursor has reached it has already been given these cases.
    pub head: Cursor,
    /// Each moved case with its grid and departments after the commit.
    pub cases: Vec<(CaseId, CaseIndex)>,
}

/// Receives the stats of every answered request.
pub trait Observer: Send + Sync {
    /// Called once per request the hub answered.
    fn batch(&self, stats: &BatchStats);

    /// Called once per request that stored at least one commit, as soon as the feed head
    /// after those commits is known (before the rest of the response is built). The default
    /// does nothing.
    fn moved(&self, moved: &Moved) {
        let _ = moved;
    }

    /// Called for each stored case that does not load, as the request meets it (an upload
    /// is [`Outcome::Held`](crate::wire::Outcome::Held) back, a download is left out): the
    /// server's data is damaged and an operator must look. The default does nothing.
    fn damaged(&self, case: &CaseId, detail: &str) {
        let _ = (case, detail);
    }
}
