//! Checks shared by the benchmark tests (included with `mod common;`).

#![allow(clippy::unwrap_used)]
use wangge_bench::report::{self, Figure};

/// The JSON document lists every figure with the fields the issue asks for, and the table
/// names `expected`.
pub fn check_report(figures: &[Figure], expected: &str) {
    let json: serde_json::Value = serde_json::from_str(&report::json(figures).unwrap()).unwrap();
    let listed = json["figures"].as_array().unwrap();
    assert_eq!(listed.len(), figures.len());
    for figure in listed {
        for field in ["name", "backend", "unit", "target"] {
            assert!(figure[field].is_string(), "{field} in {figure}");
        }
        assert!(figure["value"].is_f64(), "{figure}");
        assert!(figure["met"].is_boolean(), "{figure}");
        assert!(figure.get("baseline").is_some(), "{figure}");
    }
    assert!(report::table(figures).contains(expected));
}
