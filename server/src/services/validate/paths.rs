//! Where an op lands in the case layout: the top-level key, and the entry of a keyed container.
//!
//! The permission matrix speaks of top-level fields; an automerge op names only the object it
//! writes into (by the id of the op that made that object) and a key. This module maps ops to
//! layout places in time linear in the number of ops: objects made by the upload are recorded
//! as their `Make` ops go by (changes arrive in causal order, so an object's making comes
//! before its use), and any other object is looked up once in the merged case
//! ([`ReadCase::path`]: automerge's `parents()`, or the shadow's record), then remembered.

use std::collections::HashMap;
use std::rc::Rc;

use automerge::legacy::{Key, ObjectId, Op, OpId};
use wangge_sync::hub::ReadCase;
use wangge_sync::hub::shadow::PathStep;

/// A top-level key of the case layout (see `wangge_proto::case::layout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Root {
    /// `schema`.
    Schema,
    /// `id`.
    Id,
    /// `origin`.
    Origin,
    /// `category`.
    Category,
    /// `title` (text).
    Title,
    /// `description` (text).
    Description,
    /// `location`.
    Location,
    /// `evidence` (keyed by photo hash).
    Evidence,
    /// `comments` (keyed by comment id).
    Comments,
    /// `duplicates` (keyed by case id).
    Duplicates,
    /// `departments` (keyed by department code).
    Departments,
    /// `events` (keyed by event id, append-only).
    Events,
}

impl Root {
    const ALL: [Root; 12] = [
        Root::Schema,
        Root::Id,
        Root::Origin,
        Root::Category,
        Root::Title,
        Root::Description,
        Root::Location,
        Root::Evidence,
        Root::Comments,
        Root::Duplicates,
        Root::Departments,
        Root::Events,
    ];

    /// The layout key, if `key` is one.
    pub fn parse(key: &str) -> Option<Root> {
        Self::ALL.into_iter().find(|root| root.key() == key)
    }

    /// The key in the document.
    pub fn key(self) -> &'static str {
        match self {
            Root::Schema => "schema",
            Root::Id => "id",
            Root::Origin => "origin",
            Root::Category => "category",
            Root::Title => "title",
            Root::Description => "description",
            Root::Location => "location",
            Root::Evidence => "evidence",
            Root::Comments => "comments",
            Root::Duplicates => "duplicates",
            Root::Departments => "departments",
            Root::Events => "events",
        }
    }

    /// Whether the key holds a keyed collection, whose entries are validated one by one.
    pub fn is_keyed(self) -> bool {
        matches!(
            self,
            Root::Evidence | Root::Comments | Root::Duplicates | Root::Departments | Root::Events
        )
    }

    /// Whether the key holds an object made with the case (a text or a keyed collection),
    /// which is edited inside and never replaced: two devices replacing it would each keep
    /// only their own copy, and one copy would win by actor id.
    pub fn made_with_case(self) -> bool {
        matches!(
            self,
            Root::Title
                | Root::Description
                | Root::Evidence
                | Root::Comments
                | Root::Duplicates
                | Root::Departments
                | Root::Events
        )
    }
}

/// Where an object sits.
#[derive(Debug, Clone)]
struct Place {
    root: Root,
    /// 1 for the object held by a top-level key, 2 for an entry of it, and so on.
    depth: usize,
    /// The entry of the top-level container the object is in (`None` at depth 1, or under a
    /// sequence).
    entry: Option<Rc<str>>,
    /// The upload's change that made the object; `None` if it was made before the upload.
    made_in: Option<usize>,
}

/// How deep in the layout an op writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A top-level key itself.
    Root,
    /// Directly inside the object a top-level key holds: an entry key of a keyed container,
    /// or a character of a text.
    Container,
    /// Inside an entry.
    Inside {
        /// The upload's change that made the object written into, if the upload made it.
        made_in: Option<usize>,
    },
}

/// Where one op writes.
#[derive(Debug, Clone)]
pub struct Target {
    /// The top-level key.
    pub root: Root,
    /// The entry of the top-level container (for [`Level::Container`], the op's own key).
    pub entry: Option<Rc<str>>,
    /// How deep.
    pub level: Level,
}

/// Why an op could not be placed in the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplaced {
    /// It writes under a top-level key the layout does not have.
    UnknownKey(String),
    /// It names an object the document does not hold, or writes the root as a sequence.
    UnknownObject,
    /// It makes an object inside a list or a text, which the layout never has.
    ObjectInSequence(Root),
}

/// Places ops; remembers every object it has placed.
pub struct Resolver<'d> {
    case: &'d ReadCase<'d>,
    places: HashMap<OpId, Place>,
}

impl<'d> Resolver<'d> {
    /// A resolver over the merged case (which holds every object any op can name).
    pub fn new(case: &'d ReadCase<'d>) -> Self {
        Self {
            case,
            places: HashMap::new(),
        }
    }

    /// Where `op`, an op of the upload's change number `change`, writes. If it makes an
    /// object, records where that object sits under the op's own id (`id`).
    pub fn place(
        &mut self,
        op: &Op,
        id: impl FnOnce() -> OpId,
        change: usize,
    ) -> Result<Target, Unplaced> {
        let (target, depth) = match &op.obj {
            ObjectId::Root => match &op.key {
                Key::Map(key) => {
                    let root =
                        Root::parse(key).ok_or_else(|| Unplaced::UnknownKey(key.to_string()))?;
                    let target = Target {
                        root,
                        entry: None,
                        level: Level::Root,
                    };
                    (target, 0)
                }
                Key::Seq(_) => return Err(Unplaced::UnknownObject),
            },
            ObjectId::Id(obj) => {
                let place = match self.places.get(obj) {
                    Some(place) => place,
                    None => {
                        let place = self.look_up(obj)?;
                        self.places.entry(obj.clone()).or_insert(place)
                    }
                };
                let target = if place.depth == 1 {
                    Target {
                        root: place.root,
                        entry: match &op.key {
                            Key::Map(key) => Some(Rc::from(key.as_str())),
                            Key::Seq(_) => None,
                        },
                        level: Level::Container,
                    }
                } else {
                    Target {
                        root: place.root,
                        entry: place.entry.clone(),
                        level: Level::Inside {
                            made_in: place.made_in,
                        },
                    }
                };
                (target, place.depth)
            }
        };
        if let automerge::legacy::OpType::Make(_) = op.action {
            if !op.key.is_map_key() {
                return Err(Unplaced::ObjectInSequence(target.root));
            }
            let place = Place {
                root: target.root,
                depth: depth + 1,
                entry: target.entry.clone(),
                made_in: Some(change),
            };
            self.places.insert(id(), place);
        }
        Ok(target)
    }

    /// Finds an object made before the upload in the merged case.
    fn look_up(&self, obj: &OpId) -> Result<Place, Unplaced> {
        let path = self.case.path(obj).ok_or(Unplaced::UnknownObject)?;
        // The path comes nearest first: the last step is the top-level key, the one before it
        // the entry of the top-level container.
        let (mut depth, mut last, mut entry) = (0, None, None);
        for step in path {
            depth += 1;
            entry = last.replace(step);
        }
        let root = match last {
            Some(PathStep::Key(key)) => Root::parse(&key).ok_or(Unplaced::UnknownKey(key))?,
            _ => return Err(Unplaced::UnknownObject),
        };
        let entry = match entry {
            Some(PathStep::Key(key)) => Some(Rc::from(key)),
            _ => None,
        };
        Ok(Place {
            root,
            depth,
            entry,
            made_in: None,
        })
    }
}
