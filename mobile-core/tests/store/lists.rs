//! Lists: my open cases, by grid, status, overdue, text in Chinese, unsent, paging.

use std::collections::BTreeSet;

use wangge_mobile::store::CaseFilter;
use wangge_proto::values::Timestamp;
use wangge_proto::workflow::{Action, Status};

use crate::support::{TempStore, new_case, rubbish, worker};

#[test]
fn filters_and_text_search_find_exactly_their_cases() {
    let mut t = TempStore::new(Some(worker(1)));
    let rubbish_case = new_case(&mut t.store, "和平里北街垃圾堆放");
    let light = t
        .store
        .create_case(wangge_mobile::store::NewCaseInput {
            category: "SR-03".parse().unwrap(),
            description: "路面油污".into(),
            ..rubbish("东四十条路面不洁")
        })
        .unwrap();
    let reported = new_case(&mut t.store, "占道经营_50%");
    t.store
        .act(
            &reported,
            Action::Report {
                on_site_resolved: false,
            },
        )
        .unwrap();

    let ids = |filter: CaseFilter| -> BTreeSet<_> {
        t.store
            .list(&filter)
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(ids(CaseFilter::default()).len(), 3);
    // Two Chinese characters: substring search, no tokenizer needed.
    assert_eq!(
        ids(CaseFilter {
            text: Some("垃圾".into()),
            ..Default::default()
        }),
        BTreeSet::from([rubbish_case, reported]), // "垃圾" is also in the default description
    );
    assert_eq!(
        ids(CaseFilter {
            text: Some("油污".into()),
            ..Default::default()
        }),
        BTreeSet::from([light])
    );
    // The category's name is searchable too (SR-03 道路不洁).
    assert_eq!(
        ids(CaseFilter {
            text: Some("道路不洁".into()),
            ..Default::default()
        }),
        BTreeSet::from([light])
    );
    // LIKE wildcards in the query are plain characters.
    assert_eq!(
        ids(CaseFilter {
            text: Some("_50%".into()),
            ..Default::default()
        }),
        BTreeSet::from([reported])
    );
    assert!(
        ids(CaseFilter {
            text: Some("%".into()),
            ..Default::default()
        })
        .contains(&reported)
    );
    assert_eq!(
        ids(CaseFilter {
            text: Some("x%".into()),
            ..Default::default()
        })
        .len(),
        0
    );
    assert_eq!(
        ids(CaseFilter {
            status: Some(Status::Reported),
            ..Default::default()
        }),
        BTreeSet::from([reported])
    );
    assert_eq!(
        ids(CaseFilter {
            mine_open: true,
            ..Default::default()
        })
        .len(),
        3
    );
    assert_eq!(
        ids(CaseFilter {
            grid: Some(crate::support::other_grid()),
            ..Default::default()
        })
        .len(),
        0
    );
    assert_eq!(
        ids(CaseFilter {
            unsent: true,
            ..Default::default()
        })
        .len(),
        3
    );
    // Overdue: the review deadline (24 h) has passed two days from now, for the reported case.
    let later = Timestamp::now().plus_secs(2 * 24 * 3600);
    assert_eq!(
        ids(CaseFilter {
            overdue_at: Some(later),
            ..Default::default()
        }),
        BTreeSet::from([reported])
    );
    assert_eq!(
        ids(CaseFilter {
            overdue_at: Some(Timestamp::now()),
            ..Default::default()
        })
        .len(),
        0
    );
}

#[test]
fn pages_follow_the_last_change_and_never_repeat_or_skip() {
    let mut t = TempStore::new(Some(worker(1)));
    let mut all = BTreeSet::new();
    for n in 0..23 {
        all.insert(new_case(&mut t.store, &format!("第{n}处")));
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = t
            .store
            .list(&CaseFilter {
                after,
                limit: Some(5),
                ..Default::default()
            })
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(
            page.windows(2)
                .all(|w| (w[0].updated_at, w[0].id) > (w[1].updated_at, w[1].id))
        );
        after = page.last().map(|s| (s.updated_at, s.id));
        seen.extend(page.into_iter().map(|s| s.id));
    }
    assert_eq!(seen.len(), 23);
    assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), all);
    // The most recently edited comes first.
    let first = *all.iter().next().unwrap();
    t.store.comment(&first, "刚刚更新").unwrap();
    let top = t
        .store
        .list(&CaseFilter {
            limit: Some(1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(top[0].id, first);
}
