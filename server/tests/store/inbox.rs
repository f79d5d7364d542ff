//! The query rows and the review inbox: scope, filters, keyset pages, deadlines counted from
//! the server's receipt of their anchor event, columns following edits and workflow steps,
//! and the blob read rule. Real case documents, summarized as the hub does.

use std::collections::BTreeSet;
use std::time::Duration;

use automerge::ChangeHash;
use wangge_proto::case::{
    Actor, CaseDocument, CaseSource, Evidence, EvidenceStage, ImageMime, NewCase, Origin,
};
use wangge_proto::values::{CaseId, ContentHash, EventId, Timestamp};
use wangge_proto::workflow::{Action, DeadlinePolicy, Status, Tier};
use wangge_proto::{Role, Scope};
use wangge_server::store::{InboxQuery, Store};
use wangge_sync::hub::{CaseCommit, Previous, StoredChange, summarize};

use crate::support::{
    Backend, Fixture, actor, case_id, department, device_id, grid, store_commit, ts, user_id,
};

store_tests!(
    scope_decides_which_cases_are_listed,
    filters_narrow_the_list,
    pages_cover_every_case_once_in_order,
    deadlines_count_from_the_servers_receipt_of_their_anchor,
    query_columns_follow_edits_and_workflow_steps,
    a_blob_is_readable_through_a_case_in_scope,
    photos_added_and_removed_keep_the_blob_rows_in_step,
    rows_stored_before_the_query_tables_are_computed_at_start_up,
);

const A1: &str = "110105001001001";
const A2: &str = "110105001001002";
const B1: &str = "110105001002001";
const C1: &str = "110105002001001";

fn who(n: u8, role: Role) -> Actor {
    Actor {
        user: user_id(n),
        role,
        device: device_id(n),
    }
}

/// A case document and the heads already stored.
struct Case {
    doc: CaseDocument,
    saved: Vec<ChangeHash>,
    /// What the last save stored, passed to the next as the hub does for a hot case (the
    /// store then writes only the query rows that changed).
    written: Option<Previous>,
}

impl Case {
    fn new(n: u32, grid_code: &str, category: &str, title: &str) -> Self {
        let new = NewCase {
            id: case_id(n),
            origin: Origin {
                reporter: user_id(1),
                role: Role::GridWorker,
                device: device_id(1),
                grid: grid(grid_code),
                created_at: ts(i64::from(n)),
                source: CaseSource::Patrol,
            },
            category: category.parse().unwrap(),
            title: title.into(),
            description: "描述".into(),
            location: None,
        };
        Self {
            doc: CaseDocument::create(&new, actor(1)).unwrap(),
            saved: Vec::new(),
            written: None,
        }
    }

    fn id(&self) -> CaseId {
        self.doc.id().unwrap()
    }

    fn act(&mut self, by: &Actor, action: Action) -> EventId {
        let id = EventId::generate();
        self.doc
            .act(by, action, id, Timestamp::now(), &DeadlinePolicy::default())
            .unwrap();
        self.doc.commit(Timestamp::now(), "act");
        id
    }

    /// Stores the changes made since the last save, as the hub would commit them.
    async fn save<S: Store>(&mut self, store: &S) {
        let (index, facts) = summarize(&self.doc, &DeadlinePolicy::default()).unwrap();
        let am = self.doc.automerge_mut();
        let changes = am
            .get_changes(&self.saved)
            .into_iter()
            .map(|c| StoredChange {
                hash: c.hash(),
                bytes: c.raw_bytes().to_vec(),
            })
            .collect();
        let heads = am.get_heads();
        let commit = CaseCommit {
            changes,
            heads: heads.clone(),
            index: index.clone(),
            facts: facts.clone(),
            previous: self.written.take(),
        };
        store_commit(store, &self.id(), commit).await;
        self.saved = heads;
        self.written = Some(Previous { index, facts });
    }
}

fn report() -> Action {
    Action::Report {
        on_site_resolved: false,
    }
}

/// Four cases: c1 reported in A1, c2 a draft in A2 (same community), c3 accepted and graded
/// simple in B1 (same street), c4 called to chengguan in C1 (another street).
async fn four_cases<S: Store>(store: &S) -> [CaseId; 4] {
    let worker = who(1, Role::GridWorker);
    let secretary = who(2, Role::CommunitySecretary);
    let street = who(3, Role::StreetOffice);
    let mut c1 = Case::new(1, A1, "SR-01", "暴露垃圾");
    c1.act(&worker, report());
    c1.save(store).await;
    let mut c2 = Case::new(2, A2, "SR-02", "垃圾满溢");
    c2.save(store).await;
    let mut c3 = Case::new(3, B1, "SR-01", "楼道堆物");
    c3.act(&worker, report());
    c3.act(&secretary, Action::Accept);
    c3.act(&secretary, Action::Grade { tier: Tier::Simple });
    c3.save(store).await;
    let mut c4 = Case::new(4, C1, "SR-04", "乱堆物料");
    c4.act(&worker, report());
    c4.act(&street, Action::Accept);
    c4.act(
        &street,
        Action::Grade {
            tier: Tier::General,
        },
    );
    c4.act(
        &street,
        Action::CallDepartment {
            departments: vec![department("chengguan")],
        },
    );
    c4.save(store).await;
    [c1.id(), c2.id(), c3.id(), c4.id()]
}

async fn listed<S: Store>(store: &S, scope: &Scope, query: &InboxQuery) -> BTreeSet<CaseId> {
    listed_at(store, scope, query, Timestamp::now()).await
}

async fn listed_at<S: Store>(
    store: &S,
    scope: &Scope,
    query: &InboxQuery,
    now: Timestamp,
) -> BTreeSet<CaseId> {
    let page = store.inbox(scope, query, now).await.unwrap();
    assert!(page.next.is_none(), "one page is enough here");
    page.cases.iter().map(|c| c.id).collect()
}

fn set(ids: &[CaseId]) -> BTreeSet<CaseId> {
    ids.iter().copied().collect()
}

async fn scope_decides_which_cases_are_listed<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let [c1, c2, c3, c4] = four_cases(&store).await;
    let all = InboxQuery::default();
    let grids = |codes: &[&str]| Scope::Grids {
        grids: codes.iter().map(|c| grid(c)).collect(),
    };
    assert_eq!(listed(&store, &grids(&[A1]), &all).await, set(&[c1]));
    assert_eq!(
        listed(&store, &grids(&[A1, C1]), &all).await,
        set(&[c1, c4])
    );
    assert_eq!(listed(&store, &grids(&[]), &all).await, set(&[]));
    let community = Scope::Community {
        community: grid(A1).community(),
    };
    assert_eq!(listed(&store, &community, &all).await, set(&[c1, c2]));
    let street = Scope::Street {
        street: grid(A1).street(),
    };
    assert_eq!(listed(&store, &street, &all).await, set(&[c1, c2, c3]));
    let chengguan = Scope::Department {
        department: department("chengguan"),
    };
    assert_eq!(listed(&store, &chengguan, &all).await, set(&[c4]));
    assert_eq!(
        listed(&store, &Scope::Everything, &all).await,
        set(&[c1, c2, c3, c4])
    );
}

async fn filters_narrow_the_list<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let [c1, c2, c3, c4] = four_cases(&store).await;
    let every = Scope::Everything;
    let query = |f: &dyn Fn(&mut InboxQuery)| {
        let mut q = InboxQuery::default();
        f(&mut q);
        q
    };
    let reported = query(&|q| q.statuses = BTreeSet::from([Status::Reported]));
    assert_eq!(listed(&store, &every, &reported).await, set(&[c1]));
    let two = query(&|q| q.statuses = BTreeSet::from([Status::Reported, Status::Accepted]));
    assert_eq!(listed(&store, &every, &two).await, set(&[c1, c3]));
    let simple = query(&|q| q.tier = Some(Tier::Simple));
    assert_eq!(listed(&store, &every, &simple).await, set(&[c3]));
    let general = query(&|q| q.tier = Some(Tier::General));
    assert_eq!(listed(&store, &every, &general).await, set(&[c4]));
    let bins = query(&|q| q.category = Some("SR-02".parse().unwrap()));
    assert_eq!(listed(&store, &every, &bins).await, set(&[c2]));
    let in_a2 = query(&|q| q.grid = Some(grid(A2)));
    assert_eq!(listed(&store, &every, &in_a2).await, set(&[c2]));
    let community = Scope::Community {
        community: grid(A1).community(),
    };
    assert_eq!(listed(&store, &community, &in_a2).await, set(&[c2]));
    let in_b1 = query(&|q| q.grid = Some(grid(B1)));
    assert_eq!(
        listed(&store, &community, &in_b1).await,
        set(&[]),
        "outside the scope"
    );
    let chengguan = Scope::Department {
        department: department("chengguan"),
    };
    let in_c1 = query(&|q| q.grid = Some(grid(C1)));
    assert_eq!(listed(&store, &chengguan, &in_c1).await, set(&[c4]));
    assert_eq!(listed(&store, &chengguan, &in_a2).await, set(&[]));
    // Running deadlines: c1's review, c4's check-in and completion; accepted c3 has none.
    let overdue = query(&|q| q.overdue_only = true);
    let later = Timestamp::now().plus_secs(30 * 24 * 3600);
    assert_eq!(
        listed_at(&store, &every, &overdue, later).await,
        set(&[c1, c4])
    );
    assert_eq!(listed(&store, &every, &overdue).await, set(&[]));
    // Filters combine with the scope and with each other.
    assert_eq!(listed(&store, &community, &reported).await, set(&[c1]));
    let nothing = query(&|q| {
        q.statuses = BTreeSet::from([Status::Reported]);
        q.tier = Some(Tier::Simple);
    });
    assert_eq!(listed(&store, &every, &nothing).await, set(&[]));

    // The summary row of c4 as lists show it.
    let summary = store
        .case_summary(&c4, Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.title, "乱堆物料");
    assert_eq!(summary.status, Status::Dispatched);
    assert_eq!(summary.tier, Some(Tier::General));
    assert_eq!(summary.category.as_str(), "SR-04");
    assert_eq!(summary.grid, grid(C1));
    assert_eq!(summary.reporter, user_id(1));
    assert_eq!(summary.created_at, ts(4));
    assert!(!summary.overdue);
    // The earliest running deadline is the check-in, 30 minutes after the call arrived.
    let due = summary.due_at.unwrap();
    let in_half_an_hour = summary.updated_at.plus_secs(30 * 60);
    assert_eq!(due, in_half_an_hour);
    assert_eq!(
        store
            .case_summary(&case_id(99), Timestamp::now())
            .await
            .unwrap(),
        None
    );
}

async fn pages_cover_every_case_once_in_order<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let mut cases = Vec::new();
    for n in 1..=7 {
        let mut case = Case::new(n, A1, "SR-01", &format!("第{n}件"));
        case.save(&store).await;
        cases.push(case);
    }
    let scope = Scope::Community {
        community: grid(A1).community(),
    };
    let whole = store
        .inbox(&scope, &InboxQuery::default(), Timestamp::now())
        .await
        .unwrap();
    assert_eq!(whole.cases.len(), 7);
    assert!(whole.next.is_none());
    let keys: Vec<_> = whole.cases.iter().map(|c| (c.updated_at, c.id)).collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "updated_at DESC, id DESC");

    let mut query = InboxQuery {
        limit: 3,
        ..InboxQuery::default()
    };
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = store.inbox(&scope, &query, Timestamp::now()).await.unwrap();
        pages += 1;
        seen.extend(page.cases.iter().map(|c| c.id));
        if pages == 1 {
            // A case on the first page changes meanwhile: it moves to the top, and the
            // following pages neither repeat it nor skip any other case.
            tokio::time::sleep(Duration::from_millis(5)).await;
            let first = page.cases[0].id;
            let case = cases.iter_mut().find(|c| c.id() == first).unwrap();
            case.doc.set_title("已更新").unwrap();
            case.doc.commit(Timestamp::now(), "edit");
            case.save(&store).await;
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<CaseId> = whole.cases.iter().map(|c| c.id).collect();
    assert_eq!(seen, expected);
    let fresh = store
        .inbox(&scope, &InboxQuery::default(), Timestamp::now())
        .await
        .unwrap();
    assert_eq!(fresh.cases[0].id, expected[0]);
    assert_eq!(fresh.cases[0].title, "已更新");
}

async fn deadlines_count_from_the_servers_receipt_of_their_anchor<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let day = DeadlinePolicy::default().review_secs;
    let mut case = Case::new(1, A1, "SR-01", "暴露垃圾");
    // The phone claims the report happened long ago; the server's receipt is what counts.
    let report_event = EventId::generate();
    case.doc
        .act(
            &who(1, Role::GridWorker),
            report(),
            report_event,
            ts(-100_000),
            &DeadlinePolicy::default(),
        )
        .unwrap();
    case.doc.commit(ts(-100_000), "report");
    let before = Timestamp::now();
    case.save(&store).await;
    let after = Timestamp::now();
    let summary = |store: S| async move {
        store
            .case_summary(&case_id(1), Timestamp::now())
            .await
            .unwrap()
            .unwrap()
    };
    let first = summary(store.clone()).await;
    let due = first.due_at.unwrap();
    assert!(
        before.plus_secs(day) <= due && due <= after.plus_secs(day),
        "{due:?} not a day after receipt"
    );
    assert!(!first.overdue);
    let overdue_only = InboxQuery {
        overdue_only: true,
        ..InboxQuery::default()
    };
    let scope = Scope::Everything;
    assert!(
        listed_at(&store, &scope, &overdue_only, due)
            .await
            .is_empty(),
        "due, not yet overdue"
    );
    let just_after = Timestamp::from_millis(due.as_millis() + 1).unwrap();
    assert_eq!(
        listed_at(&store, &scope, &overdue_only, just_after).await,
        set(&[case_id(1)])
    );
    let page = store
        .inbox(&scope, &InboxQuery::default(), just_after)
        .await
        .unwrap();
    assert!(page.cases[0].overdue);

    // A later commit does not move the anchor: the event was received once.
    tokio::time::sleep(Duration::from_millis(20)).await;
    case.doc.set_title("暴露垃圾（补充）").unwrap();
    case.doc.commit(Timestamp::now(), "edit");
    case.save(&store).await;
    let second = summary(store.clone()).await;
    assert_eq!(second.due_at, Some(due));
    assert!(second.updated_at > first.updated_at);

    // Accepted: the review deadline is over.
    case.act(&who(2, Role::CommunitySecretary), Action::Accept);
    case.save(&store).await;
    let third = summary(store.clone()).await;
    assert_eq!(third.status, Status::Accepted);
    assert_eq!(third.due_at, None);
    assert!(
        listed_at(&store, &scope, &overdue_only, just_after)
            .await
            .is_empty()
    );
}

async fn query_columns_follow_edits_and_workflow_steps<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let mut case = Case::new(1, A1, "SR-01", "暴露垃圾");
    case.save(&store).await;
    let status = |store: S| async move {
        store
            .case_summary(&case_id(1), Timestamp::now())
            .await
            .unwrap()
            .unwrap()
    };
    let draft = status(store.clone()).await;
    assert_eq!((draft.status, draft.tier), (Status::Draft, None));
    assert_eq!(draft.title, "暴露垃圾");
    assert_eq!(draft.source, CaseSource::Patrol);

    case.act(&who(1, Role::GridWorker), report());
    case.doc.set_title("暴露垃圾，已拍照").unwrap();
    case.doc.set_category(&"SR-02".parse().unwrap()).unwrap();
    case.doc.commit(Timestamp::now(), "edit");
    case.save(&store).await;
    let reported = status(store.clone()).await;
    assert_eq!(reported.status, Status::Reported);
    assert_eq!(reported.title, "暴露垃圾，已拍照");
    assert_eq!(reported.category.as_str(), "SR-02");

    let secretary = who(2, Role::CommunitySecretary);
    case.act(&secretary, Action::Accept);
    case.act(&secretary, Action::Grade { tier: Tier::Simple });
    case.save(&store).await;
    let accepted = status(store.clone()).await;
    assert_eq!(accepted.status, Status::Accepted);
    assert_eq!(accepted.tier, Some(Tier::Simple));
    let scope = Scope::Community {
        community: grid(A1).community(),
    };
    let waiting = InboxQuery {
        statuses: BTreeSet::from([Status::Reported]),
        ..InboxQuery::default()
    };
    assert!(listed(&store, &scope, &waiting).await.is_empty());
}

fn photo(n: u8, thumbnail: Option<ContentHash>) -> Evidence {
    Evidence {
        hash: ContentHash::of(&[n; 8]),
        size: 8,
        width: 2,
        height: 2,
        mime: ImageMime::Jpeg,
        captured_at: None,
        captured_place: None,
        thumbnail,
        stage: EvidenceStage::Before,
        caption: String::new(),
        added_by: user_id(1),
        device: device_id(1),
        added_at: ts(0),
    }
}

async fn a_blob_is_readable_through_a_case_in_scope<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let thumbnail = ContentHash::of(b"thumbnail");
    let main = photo(1, Some(thumbnail));
    let mut case = Case::new(1, A1, "SR-01", "暴露垃圾");
    case.doc.add_evidence(&main).unwrap();
    case.doc.commit(Timestamp::now(), "photo");
    case.save(&store).await;
    let own = Scope::Grids {
        grids: BTreeSet::from([grid(A1)]),
    };
    let community = Scope::Community {
        community: grid(A1).community(),
    };
    let other_grid = Scope::Grids {
        grids: BTreeSet::from([grid(A2)]),
    };
    let chengguan = Scope::Department {
        department: department("chengguan"),
    };
    for hash in [main.hash, thumbnail] {
        assert!(store.blob_in_scope(&own, &hash).await.unwrap());
        assert!(store.blob_in_scope(&community, &hash).await.unwrap());
        assert!(
            store
                .blob_in_scope(&Scope::Everything, &hash)
                .await
                .unwrap()
        );
        assert!(!store.blob_in_scope(&other_grid, &hash).await.unwrap());
        assert!(!store.blob_in_scope(&chengguan, &hash).await.unwrap());
    }
    let unknown = ContentHash::of(b"never attached");
    assert!(
        !store
            .blob_in_scope(&Scope::Everything, &unknown)
            .await
            .unwrap()
    );

    // The same photo attached to a case of another grid becomes readable there too.
    let mut other = Case::new(2, A2, "SR-01", "同一处");
    other.doc.add_evidence(&photo(1, None)).unwrap();
    other.doc.commit(Timestamp::now(), "photo");
    other.save(&store).await;
    assert!(store.blob_in_scope(&other_grid, &main.hash).await.unwrap());
    assert!(!store.blob_in_scope(&other_grid, &thumbnail).await.unwrap());
}

async fn photos_added_and_removed_keep_the_blob_rows_in_step<S: Backend>(fx: Fixture<S>) {
    use automerge::ReadDoc;
    use automerge::transaction::Transactable;

    let store = fx.store;
    let scope = Scope::Grids {
        grids: BTreeSet::from([grid(A1)]),
    };
    let (first, second, third) = (photo(1, None), photo(2, None), photo(3, None));
    let mut case = Case::new(1, A1, "SR-01", "暴露垃圾");
    case.doc.add_evidence(&first).unwrap();
    case.doc.add_evidence(&second).unwrap();
    case.doc.commit(Timestamp::now(), "photos");
    case.save(&store).await;
    // Saved again with the stored facts known: one photo taken away, one added.
    let am = case.doc.automerge_mut();
    let (_, evidence) = am.get(automerge::ROOT, "evidence").unwrap().unwrap();
    am.delete(&evidence, first.hash.to_string()).unwrap();
    case.doc.add_evidence(&third).unwrap();
    case.doc.commit(Timestamp::now(), "photos");
    case.save(&store).await;
    assert!(!store.blob_in_scope(&scope, &first.hash).await.unwrap());
    assert!(store.blob_in_scope(&scope, &second.hash).await.unwrap());
    assert!(store.blob_in_scope(&scope, &third.hash).await.unwrap());
}

/// Runs `sql` on the fixture's database directly (`false` for a private in-memory one).
async fn raw<S: Backend>(fx: &Fixture<S>, sql: &str) -> bool {
    use sqlx::{Connection, Executor};
    let Some(location) = fx.location() else {
        return false;
    };
    if location.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(location).await.unwrap();
        conn.execute(sql).await.unwrap();
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{location}"))
            .await
            .unwrap();
        conn.execute(sql).await.unwrap();
    }
    true
}

async fn rows_stored_before_the_query_tables_are_computed_at_start_up<S: Backend>(fx: Fixture<S>) {
    let mut case = Case::new(1, A1, "SR-01", "暴露垃圾");
    case.act(&who(1, Role::GridWorker), report());
    case.doc.add_evidence(&photo(1, None)).unwrap();
    case.doc.commit(Timestamp::now(), "photo");
    case.save(&fx.store).await;
    // As a database migrated to 0002 from 0001 holds it: the case row, no query rows.
    let forgotten = raw(
        &fx,
        "UPDATE cases SET status = NULL, tier = NULL, category = NULL, title = '',
             reporter = NULL, source = NULL, created_at = NULL, next_due_at = NULL;
         DELETE FROM case_deadlines; DELETE FROM case_events; DELETE FROM case_evidence;",
    )
    .await;
    if !forgotten {
        return;
    }
    let policy = DeadlinePolicy::default();
    assert_eq!(fx.store.backfill_query_rows(&policy).await.unwrap(), 1);
    assert_eq!(fx.store.backfill_query_rows(&policy).await.unwrap(), 0);
    let summary = fx
        .store
        .case_summary(&case_id(1), Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.status, Status::Reported);
    assert_eq!(summary.title, "暴露垃圾");
    // Events stored before count as received at the case's last write.
    assert_eq!(
        summary.due_at,
        Some(summary.updated_at.plus_secs(policy.review_secs))
    );
    let hash = photo(1, None).hash;
    assert!(
        fx.store
            .blob_in_scope(&Scope::Everything, &hash)
            .await
            .unwrap()
    );
}
