//! The shipped catalogue is valid and complete; broken files are refused naming the line.

use wangge_proto::catalogue::{Catalogue, parse_departments, shipped_departments};
use wangge_proto::workflow::{DeadlinePolicy, Tier};
use wangge_proto::{Error, Locale};

const HEADER: &str =
    "code,group_zh,group_en,name_zh,name_en,default_tier,department,time_limit_hours\n";

fn line_of(result: Result<Catalogue, Error>) -> (u64, String) {
    match result {
        Err(Error::Catalogue { line, message }) => (line, message),
        other => panic!("expected a catalogue error, got {other:?}"),
    }
}

#[test]
fn shipped_catalogue_has_at_least_40_items_with_known_departments() {
    let catalogue = Catalogue::shipped();
    assert!(
        catalogue.items().len() >= 40,
        "only {} items",
        catalogue.items().len()
    );
    catalogue.check_departments(&shipped_departments()).unwrap();
    let item = catalogue.get(&"SR-01".parse().unwrap()).unwrap();
    assert_eq!(item.name(Locale::ZhCn), "暴露垃圾");
    assert_eq!(item.name(Locale::En), "Exposed rubbish");
    assert_eq!(item.default_tier, Tier::Simple);
    // Every tier occurs, so every path of the loop is reachable from the default catalogue.
    for tier in Tier::ALL {
        assert!(
            catalogue.items().iter().any(|i| i.default_tier == *tier),
            "no {tier} item"
        );
    }
}

#[test]
fn an_item_time_limit_replaces_the_tier_default() {
    let catalogue = Catalogue::shipped();
    let manhole = catalogue.get(&"SS-02".parse().unwrap()).unwrap();
    let policy = manhole.deadline_policy(&DeadlinePolicy::default());
    assert_eq!(policy.completion_secs(Some(Tier::General)), 4 * 3600);
    let road = catalogue.get(&"SS-03".parse().unwrap()).unwrap();
    let policy = road.deadline_policy(&DeadlinePolicy::default());
    assert_eq!(policy.completion_secs(Some(Tier::General)), 3 * 24 * 3600);
}

#[test]
fn an_operator_file_replaces_the_default() {
    let text = format!("# our street\n{HEADER}XX-01,市容,City,测试,Test,general,chengguan,6\n");
    let catalogue = Catalogue::parse(&text).unwrap();
    assert_eq!(catalogue.items().len(), 1);
    assert_eq!(catalogue.items()[0].line, 3);
    assert_eq!(catalogue.items()[0].time_limit_hours, Some(6));
}

#[test]
fn each_kind_of_mistake_names_its_line() {
    let ok = "SR-01,市容,City,垃圾,Rubbish,simple,,24\n";
    let cases = [
        (
            format!("{HEADER}{ok}sr-02,市容,City,垃圾,Rubbish,simple,,\n"),
            3,
            "category code",
        ),
        (
            format!("{HEADER}{ok}SR-02,市容,City,垃圾,Rubbish,easy,,\n"),
            3,
            "default_tier",
        ),
        (
            format!("{HEADER}{ok}SR-02,市容,City,垃圾,Rubbish,simple,城管,\n"),
            3,
            "department code",
        ),
        (
            format!("{HEADER}{ok}SR-02,市容,City,垃圾,Rubbish,simple,,0\n"),
            3,
            "time_limit_hours",
        ),
        (
            format!("{HEADER}{ok}SR-02,市容,City,垃圾,Rubbish,simple,,abc\n"),
            3,
            "time_limit_hours",
        ),
        (
            format!("{HEADER}{ok}SR-01,市容,City,垃圾,Rubbish,simple,,\n"),
            3,
            "appears twice",
        ),
        (
            format!("{HEADER}{ok}SR-02,市容,City,,Rubbish,simple,,\n"),
            3,
            "name_zh is empty",
        ),
        (
            format!("{HEADER}{ok}SR-02,市容,City,垃圾\n"),
            3,
            "expected 8 columns, found 4",
        ),
        (format!("code,name\n{ok}"), 1, "header must be exactly"),
        (HEADER.to_string(), 1, "no items"),
    ];
    for (text, line, needle) in cases {
        let (found_line, message) = line_of(Catalogue::parse(&text));
        assert_eq!(found_line, line, "{message}");
        assert!(
            message.contains(needle),
            "{message:?} does not mention {needle:?}"
        );
    }
}

#[test]
fn a_file_that_is_not_utf8_is_refused_naming_the_line() {
    // A GBK-encoded export from an old spreadsheet ("市容" in GBK is CA D0 C8 DD): not UTF-8.
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"SR-01,\xca\xd0\xc8\xdd,City,x,y,simple,,\n");
    let (line, message) = line_of(Catalogue::from_bytes(&bytes));
    assert_eq!(line, 2);
    assert!(message.contains("UTF-8"), "{message}");
}

#[test]
fn unknown_departments_are_refused_naming_the_line() {
    let catalogue = Catalogue::parse(&format!("{HEADER}SR-01,a,b,c,d,simple,nosuch,\n")).unwrap();
    let err = catalogue
        .check_departments(&shipped_departments())
        .unwrap_err();
    assert_eq!(
        err,
        Error::Catalogue {
            line: 2,
            message: "department nosuch is not a known department".into()
        }
    );
}

#[test]
fn departments_file_is_validated() {
    assert!(shipped_departments().len() >= 10);
    let err = parse_departments("code,name_zh,name_en\nchengguan,城管,UM\nchengguan,城管,UM\n");
    assert_eq!(
        err.unwrap_err(),
        Error::Catalogue {
            line: 3,
            message: "department chengguan appears twice".into()
        }
    );
}
