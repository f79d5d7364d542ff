//! Case reads through the shadow against the same reads of the document: random workflows of
//! a grid worker, a secretary and a department on one case — with concurrent edits, random
//! deliveries, and forged values that break the layout — must read identically, problems
//! and messages included, and never fall short.

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc};
use proptest::prelude::*;
use wangge_proto::Role;
use wangge_proto::case::{
    Actor, CaseDocument, CaseParts, CaseSource, Comment, DuplicateLink, Evidence, EvidenceStage,
    ImageMime, Location, NewCase, Origin,
};
use wangge_proto::values::{
    CaseId, CommentId, ContentHash, DepartmentCode, DeviceId, EventId, GeoPoint, Timestamp, UserId,
};
use wangge_proto::workflow::{Action, DeadlinePolicy, DispatchRound, Tier};

use super::{Shadow, ShadowReader};

const START: i64 = 1_793_520_000_000;

/// One participant: who they are, their copy of the case, its shadow.
struct Peer {
    actor: Actor,
    case: CaseDocument,
    shadow: Shadow,
    followed: Vec<ChangeHash>,
}

impl Peer {
    fn follow(&mut self) {
        let doc = self.case.automerge_mut();
        for change in doc.get_changes(&self.followed) {
            self.shadow
                .apply(&change.decode())
                .expect("case edits stay inside the shadow's model");
        }
        self.followed = doc.get_heads();
    }

    /// Every read the hub makes, through the shadow and through the document.
    fn check(&self) {
        let reader = ShadowReader::new(&self.shadow);
        let parts = CaseParts::new(reader);
        let case = &self.case;
        assert_eq!(
            parts.read().map_err(|e| e.to_string()),
            case.read().map_err(|e| e.to_string())
        );
        assert_eq!(parts.id().ok(), case.id().ok());
        assert_eq!(parts.origin().ok(), case.origin().ok());
        assert_eq!(parts.title().ok(), case.title().ok());
        assert_eq!(parts.category().ok(), case.category().ok());
        assert_eq!(parts.evidence_hashes().ok(), case.evidence_hashes().ok());
        assert_eq!(
            parts.events().map_err(|e| e.to_string()),
            case.events().map_err(|e| e.to_string())
        );
        let doc = case.automerge();
        let mut tried = 0;
        for key in doc.keys(ROOT) {
            assert_eq!(
                parts.check_part(&key, None),
                case.check_part(&key, None),
                "{key}"
            );
            tried += 1;
            let Ok(Some((automerge::Value::Object(ObjType::Map), obj))) = doc.get(ROOT, &key)
            else {
                continue;
            };
            for entry in doc.keys(&obj).chain(["absent".to_owned()]) {
                assert_eq!(
                    parts.check_part(&key, Some(&entry)),
                    case.check_part(&key, Some(&entry)),
                    "{key}/{entry}"
                );
                if key == "events" {
                    assert_eq!(parts.event(&entry), case.event(&entry), "{entry}");
                }
                tried += 1;
            }
        }
        assert!(tried >= 12, "every part was read");
        assert!(
            !parts.reader().fell_short(),
            "the layout reads without falling short"
        );
    }
}

#[derive(Debug, Clone)]
enum Step {
    /// Participant `who` makes edit number `edit` (of [`edit`]'s list), with `n` for variety.
    Edit { who: usize, edit: u8, n: u8 },
    /// `to` receives everything `from` has.
    Deliver { from: usize, to: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize, 0..16u8, any::<u8>()).prop_map(|(who, edit, n)| Step::Edit { who, edit, n }),
        1 => (0..3usize, 0..3usize).prop_map(|(from, to)| Step::Deliver { from, to }),
    ]
}

fn department(n: u8) -> DepartmentCode {
    ["chengguan", "jiaotong", "shuiwu"][usize::from(n % 3)]
        .parse()
        .expect("a department code")
}

fn at(tick: &mut i64) -> Timestamp {
    *tick += 1_000;
    Timestamp::from_millis(START + *tick).expect("a time")
}

/// One edit through the case's typed API — or, for the last few, a forged value written
/// straight into the document. A typed edit that a forged value makes impossible (the title
/// is no longer a text) is skipped, as the phone would refuse it.
fn edit(peer: &mut Peer, edit: u8, n: u8, tick: &mut i64) {
    let now = at(tick);
    let who = peer.actor.clone();
    let case = &mut peer.case;
    let policy = DeadlinePolicy::default();
    let text = ["占道经营", "井盖缺失，已设围挡", "路灯不亮", ""][usize::from(n % 4)];
    let act = |case: &mut CaseDocument, action: Action| {
        // A step the derived state does not allow is refused by the phone: skip it.
        let _ = case.act(
            &who,
            action,
            EventId::from_parts(now, [n; 10]),
            now,
            &policy,
        );
    };
    match edit {
        0 => drop(case.set_title(text)),
        1 => drop(case.set_description(&format!("{text}{n}"))),
        2 => {
            let comment = Comment {
                id: CommentId::from_parts(now, [n; 10]),
                author: who.user,
                role: who.role,
                device: who.device,
                at: now,
                text: text.to_owned(),
            };
            drop(case.add_comment(&comment));
        }
        3 => {
            let evidence = Evidence {
                hash: ContentHash::from_bytes([n; 32]),
                size: 200_000,
                width: 1600,
                height: 1200,
                mime: ImageMime::Jpeg,
                captured_at: Some(now),
                captured_place: GeoPoint::new(39.93, 116.39).ok(),
                thumbnail: n
                    .is_multiple_of(2)
                    .then(|| ContentHash::from_bytes([n ^ 0xff; 32])),
                stage: EvidenceStage::Before,
                caption: text.to_owned(),
                added_by: who.user,
                device: who.device,
                added_at: now,
            };
            drop(case.add_evidence(&evidence));
        }
        4 => act(
            case,
            Action::Report {
                on_site_resolved: n.is_multiple_of(5),
            },
        ),
        5 => act(case, Action::Accept),
        6 => act(
            case,
            Action::Grade {
                tier: [Tier::Simple, Tier::Complex][usize::from(n % 2)],
            },
        ),
        7 => act(case, Action::SelfHandle),
        8 => act(
            case,
            Action::Dispatch {
                round: DispatchRound::First,
                departments: vec![department(n)],
            },
        ),
        9 => act(
            case,
            Action::CheckIn {
                department: department(n),
            },
        ),
        10 => act(
            case,
            Action::Progress {
                note: text.to_owned(),
            },
        ),
        11 => act(case, Action::Close),
        12 => drop(case.set_department_notes(&department(n), text, "王师傅")),
        13 => {
            let location = Location {
                point: GeoPoint::new(39.9 + f64::from(n) / 1000.0, 116.4).expect("a point"),
                accuracy_m: Some(5.0),
                address: text.to_owned(),
            };
            drop(case.set_location((!n.is_multiple_of(4)).then_some(&location)));
        }
        14 => {
            let link = DuplicateLink {
                case: CaseId::from_parts(now, [n; 10]),
                linked_by: who.user,
                at: now,
                note: text.to_owned(),
            };
            drop(case.link_duplicate(&link));
        }
        _ => forge(case.automerge_mut(), n),
    }
    case.commit(now, "edit");
}

/// A value the layout does not allow, as a forged upload could write it.
fn forge(doc: &mut AutoCommit, n: u8) {
    let container = |doc: &AutoCommit, key: &str| match doc.get(ROOT, key) {
        Ok(Some((automerge::Value::Object(ObjType::Map), obj))) => Some(obj),
        _ => None,
    };
    match n % 6 {
        0 => doc.put(ROOT, "status", "closed").map(drop),
        1 => doc.put(ROOT, "category", 7).map(drop),
        2 => doc.put(ROOT, "title", "not a text").map(drop),
        3 => match container(doc, "events") {
            Some(events) => doc.put(&events, "e1", 1).map(drop),
            None => Ok(()),
        },
        4 => match container(doc, "evidence") {
            Some(evidence) => doc
                .put_object(&evidence, "not-a-hash", ObjType::Map)
                .map(drop),
            None => Ok(()),
        },
        _ => match container(doc, "events") {
            // An event whose fields are partly missing.
            Some(events) => doc
                .put_object(&events, EventId::generate().to_string(), ObjType::Map)
                .and_then(|event| doc.put(&event, "actor", "nobody"))
                .map(drop),
            None => Ok(()),
        },
    }
    .expect("a forged write");
}

/// Runs `steps` and gives the participants' cases at the end.
fn run(steps: &[Step]) -> Vec<(CaseDocument, Shadow)> {
    let mut tick = 0;
    let roles = [
        Role::GridWorker,
        Role::CommunitySecretary,
        Role::DepartmentHandler,
    ];
    let actors: Vec<Actor> = roles
        .iter()
        .map(|role| Actor {
            user: UserId::generate(),
            role: *role,
            device: DeviceId::generate(),
        })
        .collect();
    let created = at(&mut tick);
    let new = NewCase {
        id: CaseId::from_parts(created, [9; 10]),
        origin: Origin {
            reporter: actors[0].user,
            role: Role::GridWorker,
            device: actors[0].device,
            grid: "110105001001001".parse().expect("a grid"),
            created_at: created,
            source: CaseSource::Patrol,
        },
        category: "SR-01".parse().expect("a category"),
        title: "垃圾堆放".into(),
        description: "小区北门".into(),
        location: None,
    };
    let first = CaseDocument::create(&new, ActorId::from(vec![1; 8])).expect("a case");
    let mut peers: Vec<Peer> = actors
        .into_iter()
        .enumerate()
        .map(|(n, actor)| {
            let mut doc = first.automerge().clone();
            doc.set_actor(ActorId::from(vec![n as u8 + 1; 8]));
            Peer {
                actor,
                case: CaseDocument::from_automerge(doc).expect("a case"),
                shadow: Shadow::new(),
                followed: Vec::new(),
            }
        })
        .collect();
    for peer in &mut peers {
        peer.follow();
        peer.check();
    }
    for step in steps {
        let changed = match step {
            Step::Edit { who, edit: kind, n } => {
                edit(&mut peers[*who], *kind, *n, &mut tick);
                *who
            }
            Step::Deliver { from, to } => {
                let changes = peers[*from].case.automerge_mut().get_changes(&[]);
                peers[*to]
                    .case
                    .automerge_mut()
                    .apply_changes(changes)
                    .expect("apply");
                *to
            }
        };
        peers[changed].follow();
        peers[changed].check();
    }
    peers
        .into_iter()
        .map(|peer| (peer.case, peer.shadow))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_shadow_reads_a_case_as_its_document_does(
        steps in proptest::collection::vec(step(), 1..30)
    ) {
        run(&steps);
    }
}

#[test]
fn a_whole_workflow_with_concurrent_edits_reads_alike() {
    let edit = |who, edit, n| Step::Edit { who, edit, n };
    let deliver = |from, to| Step::Deliver { from, to };
    let steps = [
        edit(0, 3, 2),
        edit(0, 4, 1),
        deliver(0, 1),
        edit(1, 5, 1),
        edit(1, 6, 0),
        edit(0, 0, 1),
        edit(1, 0, 2),
        edit(1, 7, 0),
        deliver(1, 2),
        deliver(0, 2),
        edit(2, 12, 0),
        edit(2, 2, 3),
        deliver(2, 1),
        edit(1, 15, 3),
        edit(1, 15, 5),
        edit(1, 2, 4),
    ];
    let cases = run(&steps);
    let (case, shadow) = &cases[1];
    let (events, problems) = case.events().unwrap();
    // Report, accept, grade, handle in the community — and two forged events.
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(problems.len(), 2, "{problems:?}");
    // What the cache budget counts for the shadow: more than the saved case, within reason.
    let saved = case.automerge().clone().save().len();
    let held = shadow.heap_bytes();
    eprintln!("saved {saved} B, shadow {held} B");
    assert!(
        held > saved && held < 40 * saved,
        "{held} B for {saved} B saved"
    );
}
