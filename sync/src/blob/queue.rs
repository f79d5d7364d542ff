//! The order in which the phone uploads its photos: every thumbnail first, full size only when
//! the network allows, and no item ever holding up the others.
//!
//! Field workers complain most about one oversized or broken photo blocking the whole queue
//! and about big uploads eating a metered plan; this pure function is the whole policy, so it
//! is easy to test and the same on every platform.

/// What a queued blob is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlobKind {
    /// A small preview; enough for a reviewer to act on the case.
    Thumbnail,
    /// The full-size photo.
    Full,
}

/// The phone's current connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkKind {
    /// No connection: nothing is sent.
    Offline,
    /// Mobile data or another connection billed by volume.
    Metered,
    /// Wi-Fi or another connection not billed by volume.
    Unmetered,
}

/// What the uploader may send now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuePolicy {
    /// The current connection.
    pub network: NetworkKind,
    /// The user allowed full-size photos on metered connections.
    pub full_on_metered: bool,
    /// The hub's size limit: longer items are skipped (they would only fail).
    pub max_length: u64,
    /// Items that failed this many times are skipped until the user retries them.
    pub max_failures: u32,
}

/// One blob waiting in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueEntry {
    /// Thumbnail or full size.
    pub kind: BlobKind,
    /// Its length in bytes.
    pub length: u64,
    /// How many times its upload failed so far.
    pub failures: u32,
}

/// The indices of `entries` to upload now, in order: every thumbnail before any full-size
/// photo; full size only on an unmetered connection or with the user's consent; within each
/// kind, items that never failed first, then in queue order. Items over the size limit or
/// failed too often are left out, so they never block the others.
pub fn upload_order(entries: &[QueueEntry], policy: &QueuePolicy) -> Vec<usize> {
    let full_allowed = match policy.network {
        NetworkKind::Offline => return Vec::new(),
        NetworkKind::Metered => policy.full_on_metered,
        NetworkKind::Unmetered => true,
    };
    let mut order: Vec<(usize, &QueueEntry)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            (e.kind == BlobKind::Thumbnail || full_allowed)
                && e.length <= policy.max_length
                && e.failures < policy.max_failures
        })
        .collect();
    // A stable sort: queue order is kept within each group.
    order.sort_by_key(|(_, e)| (e.kind == BlobKind::Full, e.failures > 0));
    order.into_iter().map(|(i, _)| i).collect()
}
