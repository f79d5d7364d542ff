//! The organisation tree refuses inconsistent parts and answers scope questions.

use wangge_proto::Error;
use wangge_proto::catalogue::shipped_departments;
use wangge_proto::org::{OrgParts, OrgTree, Unit};

fn unit<C: std::str::FromStr>(code: &str, name: &str) -> Unit<C>
where
    C::Err: std::fmt::Debug,
{
    Unit {
        code: code.parse().unwrap(),
        name: name.into(),
    }
}

fn parts() -> OrgParts {
    OrgParts {
        districts: vec![unit("110105", "朝阳区")],
        streets: vec![unit("110105001", "和平里街道")],
        communities: vec![
            unit("110105001001", "和平里北街社区"),
            unit("110105001002", "和平里东街社区"),
        ],
        grids: vec![
            unit("110105001001001", "北街第一网格"),
            unit("110105001001002", "北街第二网格"),
            unit("110105001002001", "东街第一网格"),
        ],
        departments: shipped_departments(),
    }
}

#[test]
fn a_consistent_tree_answers_scope_questions() {
    let tree = OrgTree::new(parts()).unwrap();
    let community = "110105001001".parse().unwrap();
    assert_eq!(tree.grids_of(&community).count(), 2);
    assert!(tree.has_grid(&"110105001002001".parse().unwrap()));
    assert!(!tree.has_grid(&"110105001002009".parse().unwrap()));
    assert_eq!(
        tree.department(&"chengguan".parse().unwrap())
            .unwrap()
            .name_zh,
        "城管执法局"
    );
    // Round-trips through JSON, validating on the way in.
    let json = serde_json::to_string(&tree).unwrap();
    assert_eq!(serde_json::from_str::<OrgTree>(&json).unwrap(), tree);
}

#[test]
fn orphans_and_duplicates_are_refused() {
    let mut orphan = parts();
    orphan.grids.push(unit("110105001009001", "无主网格"));
    assert_eq!(
        OrgTree::new(orphan).unwrap_err(),
        Error::Organisation(
            "grid 110105001009001 belongs to community 110105001009, which is not in the tree"
                .into()
        )
    );
    let mut twice = parts();
    twice.streets.push(unit("110105001", "重复街道"));
    assert_eq!(
        OrgTree::new(twice).unwrap_err(),
        Error::Organisation("street 110105001 appears twice".into())
    );
    let mut wrong_district = parts();
    wrong_district.streets.push(unit("110106001", "别区街道"));
    assert!(OrgTree::new(wrong_district).is_err());
}
