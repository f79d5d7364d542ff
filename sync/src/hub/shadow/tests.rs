//! The shadow against automerge: random concurrent edits by three actors, delivered in random
//! orders; after every step each actor's shadow must read exactly as its document does.

use std::collections::BTreeMap;

use automerge::legacy::{ObjectId, OpId};
use automerge::transaction::Transactable;
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, Prop, ROOT, ReadDoc, ScalarValue,
};
use proptest::prelude::*;

use super::{PathStep, Shadow, Unsupported, Value};

/// What a reader sees of an object, with the op id of every value.
#[derive(Debug, Clone, PartialEq)]
enum Tree {
    /// Every key with all its visible values, ascending by op id (the winner last).
    Map(BTreeMap<String, Vec<(String, Tree)>>),
    /// The winning value of each element, with the element's id.
    List(Vec<(String, Tree)>),
    Text(String),
    Scalar(ScalarValue),
}

fn tree_of_doc(doc: &AutoCommit, obj: &ObjId) -> Tree {
    match doc.object_type(obj).expect("an object") {
        ObjType::Map | ObjType::Table => {
            let mut keys = BTreeMap::new();
            for key in doc.keys(obj) {
                let values = doc
                    .get_all(obj, key.as_str())
                    .expect("values")
                    .into_iter()
                    .map(|(value, id)| (id.to_string(), doc_value(doc, value, &id)))
                    .collect();
                keys.insert(key, values);
            }
            Tree::Map(keys)
        }
        ObjType::List => {
            let items = (0..doc.length(obj))
                .map(|n| {
                    let (value, id) = doc.get(obj, n).expect("read").expect("an element");
                    (id.to_string(), doc_value(doc, value, &id))
                })
                .collect();
            Tree::List(items)
        }
        ObjType::Text => Tree::Text(doc.text(obj).expect("text")),
    }
}

fn doc_value(doc: &AutoCommit, value: automerge::Value<'_>, id: &ObjId) -> Tree {
    match value {
        automerge::Value::Object(_) => tree_of_doc(doc, id),
        automerge::Value::Scalar(scalar) => Tree::Scalar(scalar.into_owned()),
    }
}

fn tree_of_shadow(shadow: &Shadow, obj: &ObjectId) -> Tree {
    match shadow.object_type(obj).expect("an object") {
        ObjType::Map | ObjType::Table => {
            let mut keys = BTreeMap::new();
            for key in shadow.keys(obj) {
                let values = shadow
                    .get_all(obj, key)
                    .into_iter()
                    .map(|(value, id)| (id.to_string(), shadow_value(shadow, value, &id)))
                    .collect();
                keys.insert(key.to_owned(), values);
            }
            Tree::Map(keys)
        }
        ObjType::List => Tree::List(
            shadow
                .elements(obj)
                .into_iter()
                .map(|(value, id)| (id.to_string(), shadow_value(shadow, value, &id)))
                .collect(),
        ),
        ObjType::Text => Tree::Text(shadow.text(obj).expect("a text of strings")),
    }
}

fn shadow_value(shadow: &Shadow, value: &Value, id: &OpId) -> Tree {
    match value {
        Value::Object(_) => tree_of_shadow(shadow, &ObjectId::Id(id.clone())),
        Value::Scalar(scalar) => Tree::Scalar(scalar.clone()),
    }
}

/// One edit, its targets picked at run time among the objects the actor sees.
#[derive(Debug, Clone)]
enum Edit {
    Put {
        map: usize,
        key: u8,
        value: i64,
    },
    PutText {
        map: usize,
        key: u8,
        text: String,
    },
    Make {
        map: usize,
        key: u8,
        kind: u8,
    },
    Delete {
        map: usize,
        key: u8,
    },
    Splice {
        text: usize,
        at: usize,
        delete: usize,
        insert: String,
    },
    Insert {
        list: usize,
        at: usize,
        value: i64,
    },
    Set {
        list: usize,
        at: usize,
        value: i64,
    },
    Remove {
        list: usize,
        at: usize,
    },
}

#[derive(Debug, Clone)]
enum Step {
    /// Actor `actor` commits these edits.
    Edit { actor: usize, edits: Vec<Edit> },
    /// Actor `to` receives every change actor `from` has.
    Deliver { from: usize, to: usize },
}

fn short_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof!["a", "b", "垃", "圾", "灯"], 0..4)
        .prop_map(|parts| parts.concat())
}

fn edit() -> impl Strategy<Value = Edit> {
    let pick = 0..8usize;
    prop_oneof![
        (pick.clone(), 0..4u8, any::<i64>()).prop_map(|(map, key, value)| Edit::Put {
            map,
            key,
            value
        }),
        (pick.clone(), 0..4u8, short_text()).prop_map(|(map, key, text)| Edit::PutText {
            map,
            key,
            text
        }),
        (pick.clone(), 0..4u8, 0..3u8).prop_map(|(map, key, kind)| Edit::Make { map, key, kind }),
        (pick.clone(), 0..4u8).prop_map(|(map, key)| Edit::Delete { map, key }),
        (pick.clone(), 0..12usize, 0..3usize, short_text()).prop_map(
            |(text, at, delete, insert)| Edit::Splice {
                text,
                at,
                delete,
                insert
            }
        ),
        (pick.clone(), 0..12usize, any::<i64>()).prop_map(|(list, at, value)| Edit::Insert {
            list,
            at,
            value
        }),
        (pick.clone(), 0..12usize, any::<i64>()).prop_map(|(list, at, value)| Edit::Set {
            list,
            at,
            value
        }),
        (pick, 0..12usize).prop_map(|(list, at)| Edit::Remove { list, at }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize, proptest::collection::vec(edit(), 1..6))
            .prop_map(|(actor, edits)| Step::Edit { actor, edits }),
        (0..3usize, 0..3usize).prop_map(|(from, to)| Step::Deliver { from, to }),
    ]
}

/// The objects of each type `doc` shows (winners only), in a stable order.
fn objects(doc: &AutoCommit, kind: ObjType) -> Vec<ObjId> {
    let mut found = Vec::new();
    let mut stack = vec![ROOT];
    while let Some(obj) = stack.pop() {
        let here = doc.object_type(&obj).expect("an object");
        if here == kind || (kind == ObjType::Map && here == ObjType::Table) {
            found.push(obj.clone());
        }
        let children: Vec<ObjId> = match here {
            ObjType::Map | ObjType::Table => doc
                .keys(&obj)
                .filter_map(|key| match doc.get(&obj, key.as_str()).ok()? {
                    Some((automerge::Value::Object(_), id)) => Some(id),
                    _ => None,
                })
                .collect(),
            ObjType::List => (0..doc.length(&obj))
                .filter_map(|n| match doc.get(&obj, n).ok()? {
                    Some((automerge::Value::Object(_), id)) => Some(id),
                    _ => None,
                })
                .collect(),
            ObjType::Text => Vec::new(),
        };
        stack.extend(children.into_iter().rev());
    }
    found
}

fn key(n: u8) -> String {
    format!("k{n}")
}

fn edit_doc(doc: &mut AutoCommit, edit: &Edit) {
    let maps = objects(doc, ObjType::Map);
    let texts = objects(doc, ObjType::Text);
    let lists = objects(doc, ObjType::List);
    let pick = |from: &[ObjId], n: usize| (!from.is_empty()).then(|| from[n % from.len()].clone());
    match edit {
        Edit::Put { map, key: k, value } => {
            let map = pick(&maps, *map).expect("the root is a map");
            doc.put(&map, key(*k), *value).expect("put");
        }
        Edit::PutText { map, key: k, text } => {
            let map = pick(&maps, *map).expect("the root is a map");
            doc.put(&map, key(*k), text.as_str()).expect("put");
        }
        Edit::Make { map, key: k, kind } => {
            let map = pick(&maps, *map).expect("the root is a map");
            let kind = [ObjType::Map, ObjType::Text, ObjType::List][usize::from(*kind)];
            doc.put_object(&map, key(*k), kind).expect("make");
        }
        Edit::Delete { map, key: k } => {
            let map = pick(&maps, *map).expect("the root is a map");
            if doc.get(&map, key(*k)).expect("read").is_some() {
                doc.delete(&map, key(*k)).expect("delete");
            }
        }
        Edit::Splice {
            text,
            at,
            delete,
            insert,
        } => {
            if let Some(text) = pick(&texts, *text) {
                let len = doc.length(&text);
                let at = at % (len + 1);
                let delete = (*delete).min(len - at);
                doc.splice_text(&text, at, delete as isize, insert)
                    .expect("splice");
            }
        }
        Edit::Insert { list, at, value } => {
            if let Some(list) = pick(&lists, *list) {
                let at = at % (doc.length(&list) + 1);
                doc.insert(&list, at, *value).expect("insert");
            }
        }
        Edit::Set { list, at, value } => {
            if let Some(list) = pick(&lists, *list) {
                let len = doc.length(&list);
                if len > 0 {
                    doc.put(&list, at % len, *value).expect("set");
                }
            }
        }
        Edit::Remove { list, at } => {
            if let Some(list) = pick(&lists, *list) {
                let len = doc.length(&list);
                if len > 0 {
                    doc.delete(&list, at % len).expect("remove");
                }
            }
        }
    }
}

/// One actor: its document, its shadow, and the heads the shadow has followed to.
struct Peer {
    doc: AutoCommit,
    shadow: Shadow,
    followed: Vec<ChangeHash>,
}

impl Peer {
    fn new(n: u8) -> Self {
        Self {
            doc: AutoCommit::new().with_actor(ActorId::from(vec![n + 1; 4])),
            shadow: Shadow::new(),
            followed: Vec::new(),
        }
    }

    /// Applies to the shadow the changes the document gained.
    fn follow(&mut self) -> Result<(), Unsupported> {
        for change in self.doc.get_changes(&self.followed) {
            self.shadow.apply(&change.decode())?;
        }
        self.followed = self.doc.get_heads();
        Ok(())
    }

    fn check(&self) {
        let doc = tree_of_doc(&self.doc, &ROOT);
        let shadow = tree_of_shadow(&self.shadow, &ObjectId::Root);
        assert_eq!(shadow, doc);
        for kind in [ObjType::Map, ObjType::List, ObjType::Text] {
            for obj in objects(&self.doc, kind) {
                let steps: Vec<PathStep> = self
                    .doc
                    .parents(&obj)
                    .expect("parents")
                    .map(|parent| match parent.prop {
                        Prop::Map(key) => PathStep::Key(key),
                        Prop::Seq(_) => PathStep::Element,
                    })
                    .collect();
                let id = match &obj {
                    ObjId::Root => ObjectId::Root,
                    ObjId::Id(counter, actor, _) => ObjectId::Id(OpId(*counter, actor.clone())),
                };
                assert_eq!(self.shadow.path(&id), Some(steps), "{obj}");
            }
        }
    }
}

fn run(steps: &[Step]) {
    let mut peers: Vec<Peer> = (0..3).map(Peer::new).collect();
    for step in steps {
        match step {
            Step::Edit { actor, edits } => {
                let peer = &mut peers[*actor];
                for edit in edits {
                    edit_doc(&mut peer.doc, edit);
                }
                peer.doc.commit();
                peer.follow().expect("the shadow follows plain edits");
                peer.check();
            }
            Step::Deliver { from, to } => {
                let changes = peers[*from].doc.get_changes(&[]);
                let peer = &mut peers[*to];
                peer.doc.apply_changes(changes).expect("apply");
                peer.follow().expect("the shadow follows plain edits");
                peer.check();
            }
        }
    }
    for peer in &mut peers {
        let whole = Shadow::of(&mut peer.doc).expect("a shadow of the whole document");
        assert_eq!(
            tree_of_shadow(&whole, &ObjectId::Root),
            tree_of_shadow(&peer.shadow, &ObjectId::Root)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_shadow_reads_as_the_document(steps in proptest::collection::vec(step(), 1..40)) {
        run(&steps);
    }
}

#[test]
fn concurrent_puts_conflict_until_one_op_overwrites_both() {
    let mut a = Peer::new(0);
    let mut b = Peer::new(1);
    a.doc.put(&ROOT, "status", "open").unwrap();
    a.doc.commit();
    b.doc.put(&ROOT, "status", "closed").unwrap();
    b.doc.commit();
    let from_b = b.doc.get_changes(&[]);
    a.doc.apply_changes(from_b).unwrap();
    a.follow().unwrap();
    a.check();
    let all = a.shadow.get_all(&ObjectId::Root, "status");
    assert_eq!(all.len(), 2, "both concurrent values stay visible");
    a.doc.put(&ROOT, "status", "reopened").unwrap();
    a.doc.commit();
    a.follow().unwrap();
    a.check();
    assert_eq!(a.shadow.get_all(&ObjectId::Root, "status").len(), 1);
}

#[test]
fn concurrent_inserts_at_one_place_keep_automerge_order() {
    let mut a = Peer::new(0);
    let title = a.doc.put_object(&ROOT, "title", ObjType::Text).unwrap();
    a.doc.splice_text(&title, 0, 0, "路灯").unwrap();
    a.doc.commit();
    let mut b = Peer::new(1);
    b.doc.apply_changes(a.doc.get_changes(&[])).unwrap();
    a.doc.splice_text(&title, 1, 0, "口").unwrap();
    b.doc.splice_text(&title, 1, 0, "边").unwrap();
    b.doc.splice_text(&title, 0, 1, "").unwrap();
    a.doc.commit();
    b.doc.commit();
    a.doc.apply_changes(b.doc.get_changes(&[])).unwrap();
    a.follow().unwrap();
    a.check();
    assert_eq!(
        a.shadow.text(&ObjectId::Id(title_id(&a.shadow))),
        Some(a.doc.text(&title).unwrap())
    );
}

fn title_id(shadow: &Shadow) -> OpId {
    match shadow.get(&ObjectId::Root, "title") {
        Some((Value::Object(ObjType::Text), id)) => id,
        other => panic!("no title text: {other:?}"),
    }
}

#[test]
fn increments_are_refused_not_guessed() {
    let mut a = Peer::new(0);
    a.doc.put(&ROOT, "n", ScalarValue::counter(1)).unwrap();
    a.doc.commit();
    a.follow().unwrap();
    a.doc.increment(&ROOT, "n", 2).unwrap();
    a.doc.commit();
    let error = a.follow().unwrap_err();
    assert_eq!(error.reason, "a counter increment");
}
