//! Validated values refuse every malformed input and round-trip the valid ones.

use wangge_proto::Error;
use wangge_proto::values::{
    CaseId, CategoryCode, CommunityCode, ContentHash, DepartmentCode, GeoPoint, GridCode,
    StreetCode, Timestamp, UserId,
};

use super::support::{case_id, ts};

fn reason(e: Error) -> &'static str {
    match e {
        Error::InvalidValue { reason, .. } => reason,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

#[test]
fn grid_codes_nest_and_name_their_parents() {
    let grid: GridCode = "110105001002003".parse().unwrap();
    assert_eq!(grid.community().as_str(), "110105001002");
    assert_eq!(grid.street().as_str(), "110105001");
    assert_eq!(grid.district().as_str(), "110105");
    let community: CommunityCode = "110105001002".parse().unwrap();
    assert_eq!(
        community.street(),
        "110105001".parse::<StreetCode>().unwrap()
    );
}

#[test]
fn malformed_codes_are_refused_with_a_reason() {
    for bad in [
        "11010500100200",
        "1101050010020031",
        "11010500100200x",
        "",
        "110105001002000",
    ] {
        assert!(
            bad.parse::<GridCode>().is_err(),
            "{bad:?} accepted as grid code"
        );
    }
    assert_eq!(
        reason("11010500100200".parse::<GridCode>().unwrap_err()),
        "must be 15 digits"
    );
    for bad in [
        "Chengguan",
        "c",
        "城管",
        "cheng guan",
        "9abc",
        &"a".repeat(33),
    ] {
        assert!(
            bad.parse::<DepartmentCode>().is_err(),
            "{bad:?} accepted as department"
        );
    }
    for bad in ["sr-01", "S", "SR_01", "-SR"] {
        assert!(
            bad.parse::<CategoryCode>().is_err(),
            "{bad:?} accepted as category"
        );
    }
}

#[test]
fn case_ids_must_be_canonical_uuid_v7() {
    let id = case_id(7);
    assert_eq!(id.to_string().parse::<CaseId>().unwrap(), id);
    assert_eq!(
        reason(
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
                .parse::<CaseId>()
                .unwrap_err()
        ),
        "must be a UUIDv7"
    );
    assert_eq!(
        reason(id.to_string().to_uppercase().parse::<CaseId>().unwrap_err()),
        "not in canonical lowercase form"
    );
    assert_eq!(
        reason(
            "00000000-0000-0000-0000-000000000000"
                .parse::<UserId>()
                .unwrap_err()
        ),
        "must not be nil"
    );
    assert!(CaseId::generate() != CaseId::generate());
}

#[test]
fn content_hashes_are_64_lowercase_hex() {
    let h = ContentHash::of(b"photo");
    assert_eq!(h.to_string().len(), 64);
    assert_eq!(h.to_string().parse::<ContentHash>().unwrap(), h);
    assert!(h.to_string().to_uppercase().parse::<ContentHash>().is_err());
    assert!("ab".parse::<ContentHash>().is_err());
}

#[test]
fn coordinates_and_timestamps_have_bounds() {
    assert!(GeoPoint::new(39.9, 116.4).is_ok());
    assert!(GeoPoint::new(90.1, 0.0).is_err());
    assert!(GeoPoint::new(0.0, -180.5).is_err());
    assert!(GeoPoint::new(f64::NAN, 0.0).is_err());
    assert!(Timestamp::from_millis(0).is_err());
    assert!(Timestamp::from_millis(Timestamp::MAX).is_err());
    assert_eq!(ts(1).plus_secs(60), ts(2));
}

#[test]
fn values_validate_when_deserialized() {
    let grid: Result<GridCode, _> = serde_json::from_str("\"110105001002003\"");
    assert!(grid.is_ok());
    let bad: Result<GridCode, _> = serde_json::from_str("\"123\"");
    assert!(bad.unwrap_err().to_string().contains("grid code"));
    let point: Result<GeoPoint, _> = serde_json::from_str(r#"{"lat": 95.0, "lon": 1.0}"#);
    assert!(point.is_err());
}
