//! The server figures in quick mode, in-process: every upload of the merge benchmark replays
//! identically on every store, the phones lose nothing, and the JSON has its fields.

mod common;

use wangge_bench::server::{self, Config};

#[test]
fn quick_server_figures_are_complete_and_lose_nothing() {
    let figures = server::run(&Config::quick()).unwrap();
    let merge: Vec<_> = figures
        .iter()
        .filter(|f| f.name == "merge-validated")
        .collect();
    let phones: Vec<_> = figures
        .iter()
        .filter(|f| f.name.starts_with("sync-") && f.name.ends_with("-phones"))
        .collect();
    // Memory and SQLite always; PostgreSQL when reachable (CI fails instead of skipping).
    assert!(merge.len() >= 2, "{figures:?}");
    assert!(!phones.is_empty(), "{figures:?}");
    assert_eq!(merge[0].backend, "memory");
    assert_eq!(merge[1].backend, "sqlite");
    assert_eq!(phones[0].backend, "sqlite");
    for f in &merge {
        let baseline = f.baseline.unwrap();
        assert!(f.value > 0.0 && baseline > 0.0, "{f:?}");
        assert_eq!(f.details["cases"], 500.0, "{f:?}");
        assert!(f.details["changes"] >= 500.0, "{f:?}");
        // `met` is exactly the rule of the issue.
        assert_eq!(
            f.met,
            f.value >= 5000.0 && f.value >= baseline / 2.0,
            "{f:?}"
        );
    }
    for f in &phones {
        assert!(f.met, "{f:?}");
        assert_eq!(f.details["errors"], 0.0, "{f:?}");
        assert_eq!(f.details["cases_stored"], f.details["cases"], "{f:?}");
        assert!(f.details["p99_ms"] >= f.value, "{f:?}");
    }

    common::check_report(&figures, "merge-validated");
}
