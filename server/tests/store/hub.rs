//! The real sync hub on each backend: phones edit offline, sync through
//! `wangge_sync::hub::Hub`, and converge with each other and with what is stored.

use automerge::{ActorId, AutoCommit, ChangeHash};
use wangge_proto::case::{CaseDocument, CaseSource, NewCase, Origin};
use wangge_proto::values::CaseId;
use wangge_proto::{Role, Scope};
use wangge_server::store::Store;
use wangge_sync::Limits;
use wangge_sync::hub::{AcceptAll, Hub, HubStore, Session};
use wangge_sync::phone::{MemoryPhone, PhoneSync};

use crate::accounts::{device, key, user};
use crate::support::{Backend, Fixture, actor, home_grid, sorted, stored_doc, ts};

store_tests!(phones_converge_through_the_hub);

/// A phone enrolled in the store: user, device and actor `n`.
struct Phone {
    session: Session,
    phone: MemoryPhone,
    sync: PhoneSync,
    actor: ActorId,
}

impl Phone {
    async fn enrol<S: Store>(store: &S, n: u8, role: Role, scope: Scope) -> Self {
        store.put_user(&user(n, role, scope)).await.unwrap();
        store.put_device(&device(n, n)).await.unwrap();
        let record = device(n, n);
        let actor = actor(n);
        store
            .bind_actor(&actor, &record.user, &record.id)
            .await
            .unwrap();
        let user = store.user(&record.user).await.unwrap().unwrap();
        let session = Session {
            user: user.id,
            role: user.role,
            scope: user.scope,
            device: record.id,
            actors: store.actors_of(&record.user, &record.id).await.unwrap(),
        };
        Self {
            sync: PhoneSync::new(session.device, session.actors.clone(), Limits::default()),
            phone: MemoryPhone::new(actor.clone(), Some(key(n))),
            session,
            actor,
        }
    }

    fn create_case(&mut self, n: u32) -> CaseId {
        let mut random = [0u8; 10];
        random[..4].copy_from_slice(&n.to_be_bytes());
        random[4] = self.actor.to_bytes()[0];
        let id = CaseId::from_parts(ts(i64::from(n)), random);
        let doc = CaseDocument::create(
            &NewCase {
                id,
                origin: Origin {
                    reporter: self.session.user,
                    role: self.session.role,
                    device: self.session.device,
                    grid: home_grid(),
                    created_at: ts(i64::from(n)),
                    source: CaseSource::Patrol,
                },
                category: "SR-01".parse().unwrap(),
                title: "垃圾堆放".into(),
                description: "三天未清运，气味很大".into(),
                location: None,
            },
            self.actor.clone(),
        )
        .unwrap();
        self.phone.insert(id, doc.into_automerge());
        id
    }

    fn set_title(&mut self, case: &CaseId, title: &str) -> Option<ChangeHash> {
        self.phone
            .edit(case, |doc| {
                let mut document =
                    CaseDocument::from_automerge(std::mem::replace(doc, AutoCommit::new()))
                        .unwrap();
                document.set_title(title).unwrap();
                let hash = document.commit(ts(1), "edit");
                *doc = document.into_automerge();
                hash
            })
            .flatten()
    }

    /// Syncs until the hub has nothing more for this phone.
    async fn sync_fully<S: HubStore>(&mut self, hub: &Hub<S, AcceptAll>) {
        for _ in 0..20 {
            let (request, sent) = self.sync.prepare(&self.phone).unwrap();
            let response = hub.sync(&self.session, &request).await.unwrap();
            let report = self
                .sync
                .receive(&mut self.phone, &sent, &response)
                .unwrap();
            assert!(report.rejected.is_empty(), "{:?}", report.rejected);
            if !report.more && report.resend.is_empty() {
                return;
            }
        }
        panic!("sync did not settle in 20 rounds");
    }

    fn heads(&self, case: &CaseId) -> Vec<ChangeHash> {
        let mut doc = self.phone.get(case).unwrap().doc.clone();
        sorted(doc.get_heads())
    }
}

async fn phones_converge_through_the_hub<S: Backend>(fx: Fixture<S>) {
    let store = fx.store;
    let worker_scope = Scope::Grids {
        grids: [home_grid()].into(),
    };
    let mut worker = Phone::enrol(&store, 1, Role::GridWorker, worker_scope.clone()).await;
    let mut colleague = Phone::enrol(&store, 3, Role::GridWorker, worker_scope).await;
    let mut secretary = Phone::enrol(
        &store,
        2,
        Role::CommunitySecretary,
        Scope::Community {
            community: home_grid().community(),
        },
    )
    .await;
    let hub = Hub::new(store.clone(), AcceptAll, Limits::default());

    // Offline: three cases and an edit; then the worker syncs.
    let cases: Vec<CaseId> = (1..=3).map(|n| worker.create_case(n)).collect();
    worker.set_title(&cases[0], "小区东门垃圾堆放").unwrap();
    worker.sync_fully(&hub).await;
    secretary.sync_fully(&hub).await;
    colleague.sync_fully(&hub).await;

    // Concurrent offline edits of one case on three phones, and a new case.
    worker.set_title(&cases[1], "东门垃圾").unwrap();
    colleague.set_title(&cases[1], "东门垃圾，已清运").unwrap();
    secretary
        .set_title(&cases[1], "东门垃圾（书记核实）")
        .unwrap();
    let fourth = colleague.create_case(4);
    // Many edits of one case, synced one at a time: the store compacts under the hub.
    for n in 0..40 {
        worker
            .set_title(&cases[2], &format!("第{n}次修改"))
            .unwrap();
        worker.sync_fully(&hub).await;
    }
    for _ in 0..2 {
        for phone in [&mut worker, &mut colleague, &mut secretary] {
            phone.sync_fully(&hub).await;
        }
    }

    let all: Vec<CaseId> = cases.iter().copied().chain([fourth]).collect();
    for case in &all {
        let mut stored = stored_doc(&store, case).await.unwrap();
        let heads = sorted(stored.get_heads());
        for phone in [&worker, &colleague, &secretary] {
            assert_eq!(phone.heads(case), heads, "{case}");
        }
        assert!(store.rows(case).await as usize <= wangge_server::store::COMPACT_AFTER);
    }
    let title = CaseDocument::load(&stored_doc(&store, &cases[2]).await.unwrap().save())
        .unwrap()
        .read()
        .unwrap()
        .title;
    assert_eq!(title, "第39次修改");
}
