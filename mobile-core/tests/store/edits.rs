//! Edits through the app API: each is durable, checked locally like the server checks it,
//! refused with the reason, and a refusal writes nothing.

use wangge_mobile::store::{COMPACT_AFTER, FieldEdit, StoreError};
use wangge_proto::Locale;
use wangge_proto::workflow::{Action, ActionKind, Status};

use crate::support::{TempStore, new_case, other_grid, rubbish, worker};

#[test]
fn a_worker_registers_edits_reports_and_everything_is_on_disk_after_reopening() {
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "北街垃圾堆放");
    t.store
        .edit_field(&case, FieldEdit::Title("北街12号垃圾堆放".into()))
        .unwrap();
    let comment = t.store.comment(&case, "已联系物业").unwrap();
    let report = t
        .store
        .act(
            &case,
            Action::Report {
                on_site_resolved: false,
            },
        )
        .unwrap();
    t.reopen();
    let detail = t.store.detail(&case).unwrap().unwrap();
    assert_eq!(detail.view.title, "北街12号垃圾堆放");
    assert_eq!(detail.view.comments.len(), 1);
    assert_eq!(detail.view.comments[0].id, comment);
    assert_eq!(detail.state.status, Status::Reported);
    assert_eq!(detail.summary.status, Status::Reported);
    assert!(detail.summary.unsent);
    // The timeline says who did what, from which device.
    let event = detail.view.events.iter().find(|e| e.id == report).unwrap();
    assert_eq!(event.actor, worker(1).user);
    assert_eq!(event.device, worker(1).device);
    assert_eq!(detail.state.timeline.len(), 1);
    assert_eq!(detail.state.timeline[0].event, report);
    assert!(detail.state.timeline[0].refused.is_none());
    // A reported case has a review deadline (estimated on the phone).
    assert!(detail.summary.next_due_at.is_some());
}

#[test]
fn a_step_the_role_may_not_take_is_refused_with_its_reason_and_writes_nothing() {
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "占道经营");
    let before = heads(&t, &case);
    let error = t.store.act(&case, Action::Accept).unwrap_err();
    assert_eq!(error.code(), "refused.role_may_not_act");
    assert!(
        error.message(Locale::ZhCn).contains("不能执行"),
        "{}",
        error.message(Locale::ZhCn)
    );
    assert!(error.message(Locale::En).contains("cannot"));
    assert_eq!(heads(&t, &case), before);
    let detail = t.store.detail(&case).unwrap().unwrap();
    assert!(detail.view.events.is_empty());
    assert!(!detail.actions.contains(&ActionKind::Accept));
    assert!(detail.actions.contains(&ActionKind::Report));
}

#[test]
fn a_field_the_role_may_not_edit_is_refused() {
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "井盖缺失");
    let other = new_case(&mut t.store, "井盖缺失（重复）");
    // Linking duplicates is the secretary's job.
    let error = t.store.link_duplicate(&other, &case, "同一处").unwrap_err();
    assert_eq!(error.code(), "refused.role_may_not_edit");
    assert!(error.message(Locale::ZhCn).contains("重复关联"));
    assert!(
        t.store
            .detail(&other)
            .unwrap()
            .unwrap()
            .view
            .duplicates
            .is_empty()
    );
    // A category outside the catalogue is refused before any rule.
    let error = t
        .store
        .edit_field(&case, FieldEdit::Category("ZZ-99".parse().unwrap()))
        .unwrap_err();
    assert_eq!(error.code(), "store.unknown_category");
    let detail = t.store.detail(&case).unwrap().unwrap();
    assert_eq!(detail.view.category.as_str(), "SR-01");
}

#[test]
fn registering_outside_the_scope_an_unknown_category_or_an_empty_title_is_refused() {
    let mut t = TempStore::new(Some(worker(1)));
    let mut input = rubbish("别的网格");
    input.grid = other_grid();
    let error = t.store.create_case(input).unwrap_err();
    assert!(matches!(error, StoreError::OutOfScope { .. }));
    assert_eq!(error.code(), "store.out_of_scope");

    let mut input = rubbish("未知类别");
    input.category = "ZZ-99".parse().unwrap();
    let error = t.store.create_case(input).unwrap_err();
    assert_eq!(error.code(), "store.unknown_category");

    let error = t.store.create_case(rubbish("  ")).unwrap_err();
    assert_eq!(error.code(), "store.invalid");
    let case = new_case(&mut t.store, "x");
    let error = t.store.comment(&case, " ").unwrap_err();
    assert_eq!(error.code(), "store.invalid");

    assert_eq!(t.store.list(&Default::default()).unwrap().len(), 1);
}

#[test]
fn many_edits_compact_without_losing_any() {
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "路灯不亮");
    let edits = COMPACT_AFTER * 2 + 5;
    for n in 0..edits {
        t.store.comment(&case, &format!("第{n}次巡查")).unwrap();
    }
    let increments: i64 = rusqlite::Connection::open(t.path())
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM case_increments WHERE case_id = ?1",
            [case.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(increments < COMPACT_AFTER, "{increments} increments left");
    t.reopen();
    let detail = t.store.detail(&case).unwrap().unwrap();
    assert_eq!(detail.view.comments.len() as i64, edits);
}

#[test]
fn a_damaged_document_is_reported_not_misread() {
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "损坏测试");
    t.store.comment(&case, "一条留言").unwrap();
    let conn = rusqlite::Connection::open(t.path()).unwrap();
    conn.execute(
        "UPDATE case_increments SET bytes = X'856f4a83deadbeef' WHERE case_id = ?1",
        [case.to_string()],
    )
    .unwrap();
    let error = t.store.detail(&case).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    assert_eq!(error.code(), "store.corrupt");
    let error = t.store.comment(&case, "再来一条").unwrap_err();
    assert_eq!(error.code(), "store.corrupt");
    // The next sync downloads it whole again.
    use wangge_sync::phone::PhoneStore;
    assert_eq!(t.store.refetch().unwrap(), vec![case]);
}

fn heads(t: &TempStore, case: &wangge_proto::values::CaseId) -> Vec<automerge::ChangeHash> {
    use wangge_sync::phone::PhoneStore;
    let mut heads = t.store.load(case).unwrap().unwrap().doc.get_heads();
    heads.sort();
    heads
}
