//! Opening: schema creation, upgrades, refusing a newer file, one writer per file, the
//! identity kept across opens.

use wangge_mobile::store::{CaseStore, SCHEMA_VERSION, StoreError};

use crate::support::{TempStore, new_case, worker};

#[test]
fn a_new_file_gets_the_current_schema_and_keeps_the_identity() {
    let mut t = TempStore::new(Some(worker(1)));
    let version: i64 = rusqlite_version(&t);
    assert_eq!(version, SCHEMA_VERSION);
    t.reopen();
    let identity = t.store.identity().expect("identity kept");
    assert_eq!(identity.user, worker(1).user);
    assert_eq!(identity.actor, worker(1).actor);
    assert_eq!(identity.key.to_bytes(), worker(1).key.to_bytes());
}

#[test]
fn a_file_from_a_newer_app_is_refused_untouched() {
    let t = TempStore::new(None);
    let path = t.path();
    drop(t.store);
    set_user_version(&path, SCHEMA_VERSION + 7);
    let error = CaseStore::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found, supported } if found == SCHEMA_VERSION + 7 && supported == SCHEMA_VERSION),
        "{error:?}"
    );
    assert_eq!(error.code(), "store.newer_schema");
    assert!(error.message(wangge_proto::Locale::ZhCn).contains("升级"));
    // Nothing was changed by the refused open.
    let conn = sqlite(&path);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION + 7);
}

#[test]
fn a_file_of_the_first_schema_is_upgraded_with_its_data() {
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "升级前的案件");
    let path = t.path();
    drop(t.store);
    // Turn the file back into schema 1 (before refused edits could be marked as seen), with a
    // refused edit in it.
    let conn = sqlite(&path);
    conn.execute(
        "INSERT INTO rejected (case_id, code, zh, en, changes, at)
         VALUES (?1, 'case.forbidden_field', '不允许的修改', 'Not allowed', x'00', 0)",
        [case.to_string()],
    )
    .unwrap();
    conn.execute_batch("ALTER TABLE rejected DROP COLUMN seen_at; PRAGMA user_version = 1;")
        .unwrap();
    drop(conn);

    let mut store = CaseStore::open(&path).unwrap();
    assert_eq!(
        sqlite(&path)
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        SCHEMA_VERSION
    );
    let detail = store.detail(&case).unwrap().unwrap();
    assert_eq!(detail.view.title, "升级前的案件");
    assert!(detail.summary.unsent);
    assert_eq!(detail.rejected.len(), 1);
    assert_eq!(store.mark_refusals_seen(&case).unwrap(), 1);
    assert!(store.detail(&case).unwrap().unwrap().rejected.is_empty());
}

#[test]
fn a_store_file_has_one_writer_at_a_time() {
    let mut t = TempStore::new(Some(worker(1)));
    let case = new_case(&mut t.store, "只有一个写入者");
    let error = CaseStore::open(t.path()).unwrap_err();
    assert!(matches!(error, StoreError::InUse), "{error:?}");
    assert_eq!(error.code(), "store.in_use");
    assert!(error.message(wangge_proto::Locale::ZhCn).contains("另一处"));
    // The first store goes on; once it is closed, the file opens again with everything in it.
    t.store.comment(&case, "仍可编辑").unwrap();
    let path = t.path();
    drop(t.store);
    let store = CaseStore::open(&path).unwrap();
    assert_eq!(store.detail(&case).unwrap().unwrap().view.comments.len(), 1);
}

#[test]
fn editing_needs_a_signed_in_user() {
    let mut t = TempStore::new(None);
    let error = t
        .store
        .create_case(crate::support::rubbish("x"))
        .unwrap_err();
    assert!(matches!(error, StoreError::NotSignedIn));
    assert_eq!(error.code(), "store.not_signed_in");
}

#[test]
fn another_user_cannot_take_over_while_edits_are_unsent() {
    let mut t = TempStore::new(Some(worker(1)));
    new_case(&mut t.store, "待上传");
    let error = t.store.set_identity(worker(2)).unwrap_err();
    assert!(matches!(error, StoreError::OtherUserPending), "{error:?}");
    assert_eq!(t.store.identity().unwrap().user, worker(1).user);
    t.reopen();
    assert_eq!(t.store.identity().unwrap().user, worker(1).user);
    // The same user enrolling again (a new device key) is fine.
    t.store.set_identity(worker(1)).unwrap();
}

fn sqlite(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

fn rusqlite_version(t: &TempStore) -> i64 {
    sqlite(&t.path())
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn set_user_version(path: &std::path::Path, version: i64) {
    sqlite(path)
        .pragma_update(None, "user_version", version)
        .unwrap();
}
