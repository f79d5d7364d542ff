//! The sync scenarios in quick mode, in-process: they converge and the JSON has its fields.

use wangge_bench::sync::{self, Config, report};

#[test]
fn quick_scenarios_converge_and_report_every_field() {
    let results = sync::run(&Config::quick()).unwrap();
    let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names[0].starts_with("dirty-"), "{names:?}");
    assert!(names[1].starts_with("idle-"), "{names:?}");
    assert!(names[2].starts_with("offline-day-"), "{names:?}");
    assert_eq!(names[3], "photo-cut-64k");
    for r in &results {
        assert!(r.converged, "{} did not converge: {:?}", r.name, r.misses);
        assert!(
            r.round_trips >= 1 && r.baseline_bytes > 0 && r.limit_bytes > 0,
            "{r:?}"
        );
    }
    // The case-sync baseline converges too; the plain photo upload never gets past a drop.
    for r in &results[..3] {
        assert!(
            r.baseline_converged,
            "{}: the baseline did not converge",
            r.name
        );
    }
    assert!(!results[3].baseline_converged);
    assert!(
        results[3].bytes_up <= results[3].limit_bytes,
        "{:?}",
        results[3]
    );
    // One round trip for the dirty phone, several bounded responses when catching up.
    assert_eq!(results[0].round_trips, 1);
    assert!(results[2].round_trips > 1);

    let json: serde_json::Value = serde_json::from_str(&report::json(&results).unwrap()).unwrap();
    let scenarios = json["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), results.len());
    for scenario in scenarios {
        for field in [
            "round_trips",
            "bytes_up",
            "bytes_down",
            "baseline_bytes",
            "limit_bytes",
        ] {
            assert!(scenario[field].is_u64(), "{field} in {scenario}");
        }
        assert!(scenario["name"].is_string(), "{scenario}");
        assert_eq!(scenario["converged"], serde_json::Value::Bool(true));
    }
    assert!(report::table(&results).contains("dirty-"));
}
