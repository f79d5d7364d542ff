//! The store as the sync protocol's `PhoneStore`, against the sync crate's hub in memory:
//! two phones converge, concurrent edits merge field by field, a refused edit is kept with the
//! server's reason, and a damaged local copy is fetched again. (The HTTP client against the
//! real server is tested in the end-to-end suite.)

use wangge_mobile::CaseStore;
use wangge_mobile::store::{FieldEdit, Identity};
use wangge_proto::workflow::{Action, Status};
use wangge_sync::Limits;
use wangge_sync::hub::{ActorRecord, Hub, MemoryHub, Policy, Rejection, Session, UploadCheck};
use wangge_sync::phone::{PhoneStore, PhoneSync, Report};

use crate::support::{TempStore, new_case, secretary, worker};

struct Phone {
    t: TempStore,
    session: Session,
    sync: PhoneSync,
}

impl Phone {
    fn enrol(hub: &MemoryHub, identity: Identity) -> Self {
        hub.enrol(ActorRecord {
            actor: identity.actor.clone(),
            user: identity.user,
            role: identity.role,
            scope: identity.scope.clone(),
            device: identity.device,
            key: Some(identity.key.verifying_key()),
        });
        let session = Session {
            user: identity.user,
            role: identity.role,
            scope: identity.scope.clone(),
            device: identity.device,
            actors: vec![identity.actor.clone()],
        };
        Self {
            sync: PhoneSync::new(
                identity.device,
                vec![identity.actor.clone()],
                Limits::default(),
            ),
            t: TempStore::new(Some(identity)),
            session,
        }
    }

    fn store(&mut self) -> &mut CaseStore {
        &mut self.t.store
    }

    fn sync<P: Policy>(&mut self, hub: &Hub<&MemoryHub, P>) -> Report {
        let mut last = Report::default();
        for _ in 0..10 {
            let (request, sent) = self.sync.prepare(&self.t.store).unwrap();
            let response = pollster::block_on(hub.sync(&self.session, &request)).unwrap();
            last = self
                .sync
                .receive(&mut self.t.store, &sent, &response)
                .unwrap();
            if !last.more {
                return last;
            }
        }
        panic!("sync did not settle: {last:?}")
    }
}

fn hub_of<P: Policy>(store: &MemoryHub, policy: P) -> Hub<&MemoryHub, P> {
    Hub::new(store, policy, Limits::default())
}

#[test]
fn a_secretary_returns_a_report_while_the_worker_edits_offline_and_both_merge() {
    let store = MemoryHub::new();
    let hub = hub_of(&store, wangge_sync::hub::AcceptAll);
    let mut w = Phone::enrol(&store, worker(1));
    let mut s = Phone::enrol(&store, secretary(2));

    let case = new_case(w.store(), "北街垃圾堆放");
    w.store()
        .act(
            &case,
            Action::Report {
                on_site_resolved: false,
            },
        )
        .unwrap();
    let report = w.sync(&hub);
    assert_eq!(report.accepted, vec![case]);
    assert!(
        w.store()
            .list(&Default::default())
            .unwrap()
            .iter()
            .all(|c| !c.unsent)
    );

    s.sync(&hub);
    // Offline on both sides: the worker fixes the title, the secretary returns the report
    // and comments.
    w.store()
        .edit_field(&case, FieldEdit::Title("北街12号垃圾堆放".into()))
        .unwrap();
    s.store()
        .act(
            &case,
            Action::ReturnForMore {
                reason: "请补充现场照片".into(),
            },
        )
        .unwrap();
    s.store().comment(&case, "照片看不清").unwrap();
    s.sync(&hub);
    w.sync(&hub);
    s.sync(&hub);

    for phone in [&mut w, &mut s] {
        let detail = phone.store().detail(&case).unwrap().unwrap();
        assert_eq!(detail.view.title, "北街12号垃圾堆放");
        assert_eq!(detail.state.status, Status::Returned);
        assert_eq!(detail.view.comments.len(), 1);
        assert!(!detail.summary.unsent);
    }
    let mut heads_w = w.store().load(&case).unwrap().unwrap().doc.get_heads();
    let mut heads_s = s.store().load(&case).unwrap().unwrap().doc.get_heads();
    heads_w.sort();
    heads_s.sort();
    assert_eq!(heads_w, heads_s);
    // The worker sees the returned case among its open ones and may report it again.
    let detail = w.store().detail(&case).unwrap().unwrap();
    assert!(
        detail
            .actions
            .contains(&wangge_proto::workflow::ActionKind::Report)
    );
    w.store()
        .act(
            &case,
            Action::Report {
                on_site_resolved: false,
            },
        )
        .unwrap();
}

#[test]
fn a_refused_edit_is_kept_with_the_reason_and_survives_reopening() {
    let store = MemoryHub::new();
    let refuse_forbidden = |upload: &UploadCheck<'_>| {
        if upload.after.read().unwrap().title.contains("违规") {
            Err(Rejection::new(
                "case.forbidden_field",
                "不允许的修改",
                "Not allowed",
            ))
        } else {
            Ok(())
        }
    };
    let hub = hub_of(&store, refuse_forbidden);
    let mut w = Phone::enrol(&store, worker(1));
    let case = new_case(w.store(), "正常标题");
    w.sync(&hub);
    w.store()
        .edit_field(&case, FieldEdit::Title("违规标题".into()))
        .unwrap();
    let report = w.sync(&hub);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].code, "case.forbidden_field");
    w.t.reopen();
    let detail = w.store().detail(&case).unwrap().unwrap();
    assert_eq!(detail.rejected.len(), 1);
    assert_eq!(detail.rejected[0].zh, "不允许的修改");
    assert!(
        !detail.rejected[0].changes.is_empty(),
        "the refused changes are kept"
    );
    assert_eq!(w.store().rejected_of(None).unwrap().len(), 1);

    // The worker has seen the refusal: it leaves the case's screen, and stays in the file.
    assert_eq!(w.store().mark_refusals_seen(&case).unwrap(), 1);
    assert_eq!(w.store().mark_refusals_seen(&case).unwrap(), 0);
    w.t.reopen();
    assert!(
        w.store()
            .detail(&case)
            .unwrap()
            .unwrap()
            .rejected
            .is_empty()
    );
    assert!(w.store().rejected_of(None).unwrap().is_empty());
    let kept: (i64, i64) = rusqlite::Connection::open(w.t.path())
        .unwrap()
        .query_row(
            "SELECT count(*), count(seen_at) FROM rejected WHERE length(changes) > 0",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(kept, (1, 1));
}

#[test]
fn a_damaged_local_copy_does_not_block_sync_and_is_fetched_again() {
    let store = MemoryHub::new();
    let hub = hub_of(&store, wangge_sync::hub::AcceptAll);
    let mut w = Phone::enrol(&store, worker(1));
    let damaged = new_case(w.store(), "将被损坏");
    let fine = new_case(w.store(), "完好");
    w.sync(&hub);
    w.store().comment(&fine, "新的留言").unwrap();
    let conn = rusqlite::Connection::open(w.t.path()).unwrap();
    conn.execute(
        "UPDATE cases SET snapshot = X'00' WHERE id = ?1",
        [damaged.to_string()],
    )
    .unwrap();
    // The app finds it damaged; the next sync fetches it whole again.
    let error = w.store().detail(&damaged).unwrap_err();
    assert_eq!(error.code(), "store.corrupt");
    w.sync(&hub);
    assert_eq!(
        w.store()
            .detail(&fine)
            .unwrap()
            .unwrap()
            .view
            .comments
            .len(),
        1
    );
    assert!(!w.store().detail(&fine).unwrap().unwrap().summary.unsent);
    let repaired = w.store().detail(&damaged).unwrap().unwrap();
    assert_eq!(repaired.view.title, "将被损坏");
    assert!(w.store().refetch().unwrap().is_empty());
}
