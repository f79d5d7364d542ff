//! The phone's upload order.

use wangge_sync::blob::{BlobKind, NetworkKind, QueueEntry, QueuePolicy, upload_order};

fn entry(kind: BlobKind, length: u64, failures: u32) -> QueueEntry {
    QueueEntry {
        kind,
        length,
        failures,
    }
}

fn policy(network: NetworkKind, full_on_metered: bool) -> QueuePolicy {
    QueuePolicy {
        network,
        full_on_metered,
        max_length: 1_000_000,
        max_failures: 3,
    }
}

fn queue() -> Vec<QueueEntry> {
    use BlobKind::{Full, Thumbnail};
    vec![
        entry(Full, 300_000, 0),     // 0
        entry(Thumbnail, 20_000, 0), // 1
        entry(Full, 5_000_000, 0),   // 2: over the limit
        entry(Thumbnail, 20_000, 1), // 3: failed once
        entry(Full, 250_000, 0),     // 4
        entry(Thumbnail, 20_000, 0), // 5
        entry(Thumbnail, 20_000, 3), // 6: failed too often
    ]
}

#[test]
fn thumbnails_first_then_full_size_on_unmetered() {
    let order = upload_order(&queue(), &policy(NetworkKind::Unmetered, false));
    assert_eq!(order, vec![1, 5, 3, 0, 4]);
}

#[test]
fn full_size_waits_on_metered_unless_the_user_allows_it() {
    let q = queue();
    assert_eq!(
        upload_order(&q, &policy(NetworkKind::Metered, false)),
        vec![1, 5, 3]
    );
    assert_eq!(
        upload_order(&q, &policy(NetworkKind::Metered, true)),
        vec![1, 5, 3, 0, 4]
    );
}

#[test]
fn nothing_goes_offline() {
    assert!(upload_order(&queue(), &policy(NetworkKind::Offline, true)).is_empty());
}

#[test]
fn an_oversized_or_failing_item_never_blocks_the_others() {
    use BlobKind::Full;
    let q = vec![
        entry(Full, 5_000_000, 0),
        entry(Full, 1_000, 2),
        entry(Full, 1_000, 0),
    ];
    assert_eq!(
        upload_order(&q, &policy(NetworkKind::Unmetered, false)),
        vec![2, 1]
    );
}
