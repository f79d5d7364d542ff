//! The case document layout: pinned by snapshots and a fixture file, merged field by field,
//! and read defensively.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutoSerde, ObjType, ROOT, ReadDoc};
use wangge_proto::case::{CaseDocument, EvidenceStage, Location, SCHEMA_VERSION};
use wangge_proto::values::GeoPoint;
use wangge_proto::workflow::{Action, DeadlinePolicy, Refusal, Status, Tier};
use wangge_proto::{Error, Role};

use super::support::{
    actor, actor_id, case_id, comment, created_document, dept, duplicate_link, eid, evidence, ts,
};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/case-v1.automerge"
);

/// A case with every part of the layout filled, built deterministically.
fn full_document() -> CaseDocument {
    let policy = DeadlinePolicy::default();
    let mut doc = created_document();
    doc.add_evidence(&evidence(1, EvidenceStage::Before, Role::GridWorker))
        .unwrap();
    doc.add_comment(&comment(3, Role::GridWorker, "居民反映已持续三天"))
        .unwrap();
    doc.act(
        &actor(Role::GridWorker),
        Action::Report {
            on_site_resolved: false,
        },
        eid(1),
        ts(3),
        &policy,
    )
    .unwrap();
    doc.commit(ts(3), "report");
    let mut doc = fork_as(&doc, 2);
    doc.link_duplicate(&duplicate_link(case_id(2))).unwrap();
    doc.act(
        &actor(Role::CommunitySecretary),
        Action::Accept,
        eid(2),
        ts(10),
        &policy,
    )
    .unwrap();
    doc.act(
        &actor(Role::StreetOffice),
        Action::Grade {
            tier: Tier::General,
        },
        eid(3),
        ts(11),
        &policy,
    )
    .unwrap();
    doc.act(
        &actor(Role::StreetOffice),
        Action::CallDepartment {
            departments: vec![dept("chengguan")],
        },
        eid(4),
        ts(12),
        &policy,
    )
    .unwrap();
    doc.commit(ts(12), "review");
    let mut doc = fork_as(&doc, 3);
    doc.act(
        &actor(Role::DepartmentHandler),
        Action::CheckIn {
            department: dept("chengguan"),
        },
        eid(5),
        ts(20),
        &policy,
    )
    .unwrap();
    doc.set_department_notes(&dept("chengguan"), "已安排清运车辆", "王队长 13800000000")
        .unwrap();
    doc.commit(ts(20), "check in");
    doc
}

/// A copy of the document, edited from now on by another actor.
fn fork_as(doc: &CaseDocument, actor: u8) -> CaseDocument {
    let fork = doc.automerge().clone().fork().with_actor(actor_id(actor));
    CaseDocument::from_automerge(fork).unwrap()
}

fn json(doc: &CaseDocument) -> serde_json::Value {
    serde_json::to_value(AutoSerde::from(doc.automerge())).unwrap()
}

#[test]
fn the_layout_is_pinned() {
    insta::assert_json_snapshot!("case_layout_v1", json(&full_document()));
}

#[test]
fn the_derived_state_is_pinned() {
    let state = full_document().state(&DeadlinePolicy::default()).unwrap();
    assert_eq!(state.status, Status::Handling);
    insta::assert_json_snapshot!("case_state_v1", state);
}

#[test]
fn saving_and_loading_keeps_everything() {
    let mut doc = full_document();
    let view = doc.read().unwrap();
    assert!(view.problems.is_empty(), "{:?}", view.problems);
    assert_eq!(view.events.len(), 5);
    assert_eq!(view.evidence.len(), 1);
    assert_eq!(view.departments[&dept("chengguan")].notes, "已安排清运车辆");
    let loaded = CaseDocument::load(&doc.save()).unwrap();
    assert_eq!(loaded.read().unwrap(), view);
    assert_eq!(
        loaded.state(&DeadlinePolicy::default()).unwrap(),
        doc.state(&DeadlinePolicy::default()).unwrap()
    );
}

/// A document saved by this layout version must load and derive identically in later versions.
/// Set `WANGGE_WRITE_FIXTURES=1` to (re)write the fixture — only when the layout version changes.
#[test]
fn a_saved_v1_document_loads_and_derives_identically() {
    if std::env::var_os("WANGGE_WRITE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, full_document().save()).unwrap();
    }
    let bytes = std::fs::read(FIXTURE).expect("fixture file is committed");
    let loaded = CaseDocument::load(&bytes).unwrap();
    let built = full_document();
    assert_eq!(loaded.read().unwrap(), built.read().unwrap());
    let policy = DeadlinePolicy::default();
    assert_eq!(
        loaded.state(&policy).unwrap(),
        built.state(&policy).unwrap()
    );
    insta::assert_json_snapshot!("case_state_v1", loaded.state(&policy).unwrap());
}

#[test]
fn concurrent_title_edits_merge_by_character_and_locations_never_mix() {
    let base = created_document();
    let mut a = fork_as(&base, 2);
    let mut b = fork_as(&base, 3);
    a.set_title("【紧急】和平里北街垃圾堆放").unwrap();
    b.set_title("和平里北街垃圾堆放（第二次反映）").unwrap();
    let here = |lat: f64, address: &str| Location {
        point: GeoPoint::new(lat, 116.4).unwrap(),
        accuracy_m: None,
        address: address.into(),
    };
    a.set_location(Some(&here(39.1, "北门"))).unwrap();
    b.set_location(Some(&here(39.2, "南门"))).unwrap();
    a.commit(ts(5), "a");
    b.commit(ts(5), "b");
    a.automerge_mut().merge(b.automerge_mut()).unwrap();
    let view = a.read().unwrap();
    assert_eq!(view.title, "【紧急】和平里北街垃圾堆放（第二次反映）");
    let location = view.location.unwrap();
    let whole = (location.point.lat(), location.address.as_str());
    assert!(
        whole == (39.1, "北门") || whole == (39.2, "南门"),
        "mixed location {whole:?}"
    );
}

#[test]
fn concurrent_additions_all_survive() {
    let base = created_document();
    let mut a = fork_as(&base, 2);
    let mut b = fork_as(&base, 3);
    a.add_evidence(&evidence(1, EvidenceStage::Before, Role::GridWorker))
        .unwrap();
    b.add_evidence(&evidence(2, EvidenceStage::After, Role::DepartmentHandler))
        .unwrap();
    a.add_comment(&comment(7, Role::GridWorker, "甲")).unwrap();
    b.add_comment(&comment(8, Role::CommunitySecretary, "乙"))
        .unwrap();
    assert!(
        !a.add_evidence(&evidence(1, EvidenceStage::Before, Role::GridWorker))
            .unwrap()
    );
    a.commit(ts(5), "a");
    b.commit(ts(5), "b");
    a.automerge_mut().merge(b.automerge_mut()).unwrap();
    let view = a.read().unwrap();
    assert_eq!(view.evidence.len(), 2);
    assert_eq!(view.comments.len(), 2);
    assert_eq!(view.comments[0].text, "甲", "comments in creation order");
}

#[test]
fn a_refused_step_writes_nothing() {
    let mut doc = created_document();
    let policy = DeadlinePolicy::default();
    let before = doc.save();
    let err = doc
        .act(
            &actor(Role::GridWorker),
            Action::Close,
            eid(1),
            ts(2),
            &policy,
        )
        .unwrap_err();
    assert_eq!(
        err,
        Error::Refused(Refusal::RoleMayNotAct {
            role: Role::GridWorker,
            action: wangge_proto::workflow::ActionKind::Close
        })
    );
    assert_eq!(doc.save(), before);
    let reported = doc
        .act(
            &actor(Role::GridWorker),
            Action::Report {
                on_site_resolved: false,
            },
            eid(1),
            ts(2),
            &policy,
        )
        .unwrap();
    assert!(
        doc.append_event(&reported).is_err(),
        "an event id is written once"
    );
}

#[test]
fn bad_entries_are_reported_without_hiding_the_rest() {
    let mut doc = created_document();
    doc.add_evidence(&evidence(1, EvidenceStage::Before, Role::GridWorker))
        .unwrap();
    let raw = doc.automerge_mut();
    let (_, evidence_map) = raw.get(ROOT, "evidence").unwrap().unwrap();
    raw.put(&evidence_map, "not-a-hash", "garbage").unwrap();
    let (_, events_map) = raw.get(ROOT, "events").unwrap().unwrap();
    let forged = raw
        .put_object(&events_map, eid(9).to_string(), ObjType::Map)
        .unwrap();
    raw.put(&forged, "id", eid(9).to_string()).unwrap();
    raw.put(ROOT, "status", "closed").unwrap();
    let view = doc.read().unwrap();
    let paths: Vec<&str> = view.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths.len(), 3, "{:?}", view.problems);
    assert!(paths.contains(&"evidence/not-a-hash"));
    assert!(paths.contains(&format!("events/{}", eid(9)).as_str()));
    assert!(
        paths.contains(&"status"),
        "a stored status is not part of the layout"
    );
    assert_eq!(view.evidence.len(), 1, "the good entry is still read");
    assert_eq!(
        doc.state(&DeadlinePolicy::default()).unwrap().status,
        Status::Draft
    );
}

#[test]
fn foreign_and_newer_documents_are_refused() {
    let mut newer = AutoCommit::new();
    newer.put(ROOT, "schema", SCHEMA_VERSION + 1).unwrap();
    assert_eq!(
        CaseDocument::load(&newer.save()).unwrap_err(),
        Error::NewerLayout {
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
    let mut foreign = AutoCommit::new();
    foreign.put(ROOT, "hello", "world").unwrap();
    assert!(matches!(
        CaseDocument::load(&foreign.save()),
        Err(Error::Document(_))
    ));
    assert!(matches!(
        CaseDocument::load(b"not automerge"),
        Err(Error::Document(_))
    ));
}
