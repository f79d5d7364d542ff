//! Property: 2–5 replicas that edit one case concurrently (fields and workflow steps, with
//! random merges between them) and then receive every change in a random order end with the
//! same heads, the same field values and the same derived state — and nothing anyone wrote is
//! lost or applied twice.

use proptest::prelude::*;
use wangge_proto::Role;
use wangge_proto::case::{CaseDocument, EvidenceStage, Location};
use wangge_proto::permissions::actions_for;
use wangge_proto::values::{CategoryCode, EventId, GeoPoint};
use wangge_proto::workflow::{
    Action, ActionKind, CaseState, DeadlinePolicy, DispatchRound, Satisfaction, Tier, derive,
};

use super::support::{
    actor, actor_id, case_id, comment, created_document, dept, evidence, scores, ts,
};

const ROLES: [Role; 6] = [
    Role::GridWorker,
    Role::CommunitySecretary,
    Role::StreetOffice,
    Role::DepartmentHandler,
    Role::CoordinationOffice,
    Role::DistrictLeader,
];
const DEPARTMENTS: [&str; 3] = ["chengguan", "huanbao", "zhujian"];
const SNIPPETS: [&str; 4] = ["垃圾", "（补充）", "北侧", "急"];
const CATEGORIES: [&str; 3] = ["SR-01", "JM-03", "HJ-01"];

#[derive(Debug, Clone)]
enum Op {
    Title {
        replica: usize,
        at: usize,
        snippet: usize,
        delete: bool,
    },
    Description {
        replica: usize,
        at: usize,
        snippet: usize,
    },
    Comment {
        replica: usize,
    },
    Evidence {
        replica: usize,
        n: u8,
    },
    Location {
        replica: usize,
        n: u8,
    },
    Category {
        replica: usize,
        n: usize,
    },
    Act {
        replica: usize,
        role: usize,
        pick: usize,
        data: u8,
    },
    Merge {
        from: usize,
        to: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..5usize, 0..40usize, 0..4usize, any::<bool>())
            .prop_map(|(replica, at, snippet, delete)| Op::Title { replica, at, snippet, delete }),
        1 => (0..5usize, 0..60usize, 0..4usize)
            .prop_map(|(replica, at, snippet)| Op::Description { replica, at, snippet }),
        1 => (0..5usize).prop_map(|replica| Op::Comment { replica }),
        1 => (0..5usize, 0..6u8).prop_map(|(replica, n)| Op::Evidence { replica, n }),
        1 => (0..5usize, 0..3u8).prop_map(|(replica, n)| Op::Location { replica, n }),
        1 => (0..5usize, 0..3usize).prop_map(|(replica, n)| Op::Category { replica, n }),
        4 => (0..5usize, 0..6usize, 0..32usize, any::<u8>())
            .prop_map(|(replica, role, pick, data)| Op::Act { replica, role, pick, data }),
        2 => (0..5usize, 0..5usize).prop_map(|(from, to)| Op::Merge { from, to }),
    ]
}

/// Builds an action of `kind` for `role`, with data drawn from `data` and the local state.
fn make_action(kind: ActionKind, role: Role, data: u8, state: &CaseState) -> Action {
    let n = usize::from(data);
    let department = || {
        let called: Vec<_> = state.departments.keys().cloned().collect();
        if !called.is_empty() && !data.is_multiple_of(4) {
            called[n % called.len()].clone()
        } else {
            dept(DEPARTMENTS[n % DEPARTMENTS.len()])
        }
    };
    let some_departments = || {
        (0..=n % 2)
            .map(|i| dept(DEPARTMENTS[(n + i) % DEPARTMENTS.len()]))
            .collect::<Vec<_>>()
    };
    match kind {
        ActionKind::Report => Action::Report {
            on_site_resolved: data.is_multiple_of(5),
        },
        ActionKind::Accept => Action::Accept,
        ActionKind::ReturnForMore => Action::ReturnForMore {
            reason: "请补充".into(),
        },
        ActionKind::Grade => Action::Grade {
            tier: Tier::ALL[n % 4],
        },
        ActionKind::MarkDuplicate => Action::MarkDuplicate { of: case_id(2) },
        ActionKind::SelfHandle => Action::SelfHandle,
        ActionKind::CallDepartment => Action::CallDepartment {
            departments: some_departments(),
        },
        ActionKind::Dispatch => Action::Dispatch {
            round: if data.is_multiple_of(2) {
                DispatchRound::First
            } else {
                DispatchRound::Second
            },
            departments: some_departments(),
        },
        ActionKind::ReverseDispatch => Action::ReverseDispatch {
            departments: some_departments(),
        },
        ActionKind::CheckIn => Action::CheckIn {
            department: department(),
        },
        ActionKind::Progress => Action::Progress {
            note: "进展".into(),
        },
        ActionKind::Handled => Action::Handled {
            department: (role == Role::DepartmentHandler).then(department),
            result: "已处理".into(),
        },
        ActionKind::Verify => Action::Verify {
            note: "已核查".into(),
        },
        ActionKind::Reopen => Action::Reopen {
            reason: "未解决".into(),
        },
        ActionKind::Close => Action::Close,
        ActionKind::Archive => Action::Archive,
        ActionKind::Evaluate => Action::Evaluate {
            department: department(),
            scores: scores(data % 21),
        },
        ActionKind::RateSatisfaction => Action::RateSatisfaction {
            level: Satisfaction::ALL[n % Satisfaction::ALL.len()],
        },
    }
}

/// A small deterministic generator for delivery orders (splitmix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

fn insert_at(text: &str, at: usize, snippet: &str, delete: bool) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    if delete && at < chars.len() {
        chars.remove(at);
    }
    let mut out: String = chars[..at].iter().collect();
    out.push_str(snippet);
    out.extend(&chars[at..]);
    out
}

fn run(replicas: usize, ops: &[Op], seed: u64) -> Result<(), TestCaseError> {
    let policy = DeadlinePolicy::default();
    let base = created_document();
    let mut docs: Vec<CaseDocument> = (0..replicas)
        .map(|i| {
            let fork = base
                .automerge()
                .clone()
                .fork()
                .with_actor(actor_id(10 + i as u8));
            CaseDocument::from_automerge(fork).unwrap()
        })
        .collect();
    let mut written_events: Vec<EventId> = Vec::new();
    let mut written_comments = 0usize;
    for (step, op) in ops.iter().enumerate() {
        let step = step as u32 + 1;
        let at = ts(i64::from(step));
        let touched = match op {
            Op::Title {
                replica,
                at,
                snippet,
                delete,
            } => {
                let doc = &mut docs[replica % replicas];
                let title = doc.read().unwrap().title;
                doc.set_title(&insert_at(&title, *at, SNIPPETS[*snippet], *delete))
                    .unwrap();
                replica % replicas
            }
            Op::Description {
                replica,
                at,
                snippet,
            } => {
                let doc = &mut docs[replica % replicas];
                let text = doc.read().unwrap().description;
                doc.set_description(&insert_at(&text, *at, SNIPPETS[*snippet], false))
                    .unwrap();
                replica % replicas
            }
            Op::Comment { replica } => {
                docs[replica % replicas]
                    .add_comment(&comment(step, Role::GridWorker, "留言"))
                    .unwrap();
                written_comments += 1;
                replica % replicas
            }
            Op::Evidence { replica, n } => {
                let e = evidence(*n, EvidenceStage::After, Role::GridWorker);
                docs[replica % replicas].add_evidence(&e).unwrap();
                replica % replicas
            }
            Op::Location { replica, n } => {
                let location = Location {
                    point: GeoPoint::new(39.9 + f64::from(*n) / 100.0, 116.4).unwrap(),
                    accuracy_m: Some(f64::from(*n)),
                    address: format!("{n}号院"),
                };
                docs[replica % replicas]
                    .set_location(Some(&location))
                    .unwrap();
                replica % replicas
            }
            Op::Category { replica, n } => {
                let code: CategoryCode = CATEGORIES[*n].parse().unwrap();
                docs[replica % replicas].set_category(&code).unwrap();
                replica % replicas
            }
            Op::Act {
                replica,
                role,
                pick,
                data,
            } => {
                let doc = &mut docs[replica % replicas];
                let role = ROLES[*role];
                let state = doc.state(&policy).unwrap();
                let allowed = actions_for(role, state.status);
                if !allowed.is_empty() {
                    let kind = allowed[pick % allowed.len()];
                    let action = make_action(kind, role, *data, &state);
                    let mut random = [0u8; 10];
                    random[6..].copy_from_slice(&step.to_be_bytes());
                    let id = EventId::from_parts(at, random);
                    if doc.act(&actor(role), action, id, at, &policy).is_ok() {
                        written_events.push(id);
                    }
                }
                replica % replicas
            }
            Op::Merge { from, to } => {
                let (from, to) = (from % replicas, to % replicas);
                if from != to {
                    let mut source = docs[from].automerge().clone();
                    docs[to].automerge_mut().merge(&mut source).unwrap();
                }
                to
            }
        };
        docs[touched].commit(at, "edit");
    }

    // Deliver every change to every replica, each in its own random order.
    let mut all = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for doc in &mut docs {
        for change in doc.automerge_mut().get_changes(&[]) {
            if seen.insert(change.hash()) {
                all.push(change.clone());
            }
        }
    }
    let mut mix = Mix(seed);
    for doc in &mut docs {
        let mut order = all.clone();
        mix.shuffle(&mut order);
        doc.automerge_mut().apply_changes(order).unwrap();
        // Delivering everything again changes nothing.
        let heads = doc.automerge_mut().get_heads();
        doc.automerge_mut().apply_changes(all.clone()).unwrap();
        prop_assert_eq!(doc.automerge_mut().get_heads(), heads);
    }

    let first_heads = docs[0].automerge_mut().get_heads();
    let first_view = docs[0].read().unwrap();
    let first_state = docs[0].state(&policy).unwrap();
    prop_assert!(first_view.problems.is_empty(), "{:?}", first_view.problems);
    for doc in &mut docs[1..] {
        prop_assert_eq!(doc.automerge_mut().get_heads(), first_heads.clone());
        prop_assert_eq!(&doc.read().unwrap(), &first_view);
        prop_assert_eq!(&doc.state(&policy).unwrap(), &first_state);
    }
    // Nothing written is lost, nothing is counted twice.
    let ids: std::collections::BTreeSet<EventId> = first_view.events.iter().map(|e| e.id).collect();
    prop_assert_eq!(ids.len(), first_view.events.len());
    for id in &written_events {
        prop_assert!(ids.contains(id), "event {} lost", id);
    }
    prop_assert_eq!(first_view.events.len(), written_events.len());
    prop_assert_eq!(first_view.comments.len(), written_comments);
    prop_assert_eq!(first_state.timeline.len(), written_events.len());
    // The derivation does not depend on the order events are listed in.
    let mut shuffled = first_view.events.clone();
    mix.shuffle(&mut shuffled);
    prop_assert_eq!(&derive(&shuffled, &policy), &first_state);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_on_fields_and_derived_state(
        replicas in 2usize..=5,
        ops in prop::collection::vec(op(), 1..48),
        seed in any::<u64>(),
    ) {
        run(replicas, &ops, seed)?;
    }
}
