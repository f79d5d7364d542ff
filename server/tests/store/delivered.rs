//! `delivered` / `record_delivered`: the newest record at or before a cursor, records after
//! a new cursor dropped, two kept — the semantics of `MemoryHub`, case by case and against
//! it over a seeded random history.

use automerge::ChangeHash;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wangge_sync::hub::{HubStore, MemoryHub};
use wangge_sync::wire::Cursor;

use crate::support::{Backend, Fixture, case_id, device_id};

store_tests!(
    delivered_keeps_the_newest_at_or_before,
    delivered_follows_memory_hub
);

fn heads(n: u8) -> Vec<ChangeHash> {
    vec![ChangeHash([n; 32]), ChangeHash([n.wrapping_add(100); 32])]
}

async fn delivered_keeps_the_newest_at_or_before<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let (phone, other) = (device_id(1), device_id(2));
    let (one, two) = (case_id(1), case_id(2));
    assert_eq!(
        store.delivered(&phone, &one, Cursor(10)).await.unwrap(),
        None
    );

    store
        .record_delivered(&phone, Cursor(5), vec![(one, heads(1)), (two, heads(2))])
        .await
        .unwrap();
    assert_eq!(
        store.delivered(&phone, &one, Cursor(4)).await.unwrap(),
        None
    );
    assert_eq!(
        store.delivered(&phone, &one, Cursor(5)).await.unwrap(),
        Some(heads(1))
    );
    assert_eq!(
        store.delivered(&phone, &two, Cursor(9)).await.unwrap(),
        Some(heads(2))
    );
    // Per device.
    assert_eq!(
        store.delivered(&other, &one, Cursor(9)).await.unwrap(),
        None
    );

    store
        .record_delivered(&phone, Cursor(8), vec![(one, heads(3))])
        .await
        .unwrap();
    // The phone may not have stored the response at 8: asked as of 5, the older record.
    assert_eq!(
        store.delivered(&phone, &one, Cursor(5)).await.unwrap(),
        Some(heads(1))
    );
    assert_eq!(
        store.delivered(&phone, &one, Cursor(8)).await.unwrap(),
        Some(heads(3))
    );

    // The response at 8 was lost; the phone comes back with 5 and is answered at 7: the
    // record at 8 is gone.
    store
        .record_delivered(&phone, Cursor(7), vec![(one, heads(4))])
        .await
        .unwrap();
    assert_eq!(
        store.delivered(&phone, &one, Cursor(9)).await.unwrap(),
        Some(heads(4))
    );
    assert_eq!(
        store.delivered(&phone, &one, Cursor(6)).await.unwrap(),
        Some(heads(1))
    );

    // Only the newest two are kept.
    store
        .record_delivered(&phone, Cursor(9), vec![(one, heads(5))])
        .await
        .unwrap();
    assert_eq!(
        store.delivered(&phone, &one, Cursor(6)).await.unwrap(),
        None
    );
    assert_eq!(
        store.delivered(&phone, &one, Cursor(7)).await.unwrap(),
        Some(heads(4))
    );
    assert_eq!(
        store.delivered(&phone, &one, Cursor(100)).await.unwrap(),
        Some(heads(5))
    );

    // The same cursor again replaces its record; empty heads are a record too.
    store
        .record_delivered(&phone, Cursor(9), vec![(one, Vec::new())])
        .await
        .unwrap();
    assert_eq!(
        store.delivered(&phone, &one, Cursor(9)).await.unwrap(),
        Some(Vec::new())
    );
    assert_eq!(
        store.delivered(&phone, &one, Cursor(8)).await.unwrap(),
        Some(heads(4))
    );
    store
        .record_delivered(&phone, Cursor(20), Vec::new())
        .await
        .unwrap();
    assert_eq!(
        store
            .delivered(&phone, &two, Cursor(u64::MAX))
            .await
            .unwrap(),
        Some(heads(2))
    );
}

async fn delivered_follows_memory_hub<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let memory = MemoryHub::new();
    let mut rng = StdRng::seed_from_u64(7);
    let devices = [device_id(1), device_id(2)];
    let cases = [case_id(1), case_id(2), case_id(3)];
    for step in 0..60u8 {
        let device = devices[rng.random_range(0..devices.len())];
        if rng.random_bool(0.4) {
            let cursor = Cursor(rng.random_range(0..12));
            let batch: Vec<_> = cases
                .iter()
                .filter(|_| rng.random_bool(0.6))
                .map(|c| (*c, heads(step)))
                .collect();
            store
                .record_delivered(&device, cursor, batch.clone())
                .await
                .unwrap();
            memory
                .record_delivered(&device, cursor, batch)
                .await
                .unwrap();
        }
        for as_of in 0..13 {
            let mut one_by_one = Vec::new();
            for case in &cases {
                let known = store.delivered(&device, case, Cursor(as_of)).await.unwrap();
                assert_eq!(
                    known,
                    memory
                        .delivered(&device, case, Cursor(as_of))
                        .await
                        .unwrap(),
                    "step {step}"
                );
                one_by_one.push(known);
            }
            // Asked for all at once (a feed page), in the order asked, unknown cases too.
            let asked = [cases[2], case_id(99), cases[0], cases[1]];
            let expected = vec![
                one_by_one[2].clone(),
                None,
                one_by_one[0].clone(),
                one_by_one[1].clone(),
            ];
            assert_eq!(
                store
                    .delivered_many(&device, &asked, Cursor(as_of))
                    .await
                    .unwrap(),
                expected,
                "step {step}"
            );
        }
    }
}
