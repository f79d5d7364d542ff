//! The phone figures in quick mode: every photo row is measured on real generated photos, the
//! bombs are refused, the peak-memory and store children answer, durable edits are timed, and
//! the JSON has its fields.

mod common;

use std::path::PathBuf;

use wangge_bench::mobile::{self, Config};

#[test]
fn quick_mobile_figures_are_complete_and_refuse_the_bombs() {
    let config = Config {
        child_executable: PathBuf::from(env!("CARGO_BIN_EXE_wangge-bench-phone")),
        ..Config::quick()
    };
    let figures = mobile::run(&config).unwrap();
    let names: Vec<&str> = figures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "photo-12mp",
            "photo-12mp-bytes",
            "photo-12mp-webp",
            "photo-12mp-portable",
            "photo-peak-mem",
            "photo-bomb",
            "store-open-10k",
            "edit-durable"
        ]
    );
    let by_name = |name: &str| figures.iter().find(|f| f.name == name).unwrap();

    let time = by_name("photo-12mp");
    assert!(time.value > 0.0 && time.baseline.unwrap() > 0.0, "{time:?}");
    // `met` is exactly the rule of the issue.
    assert_eq!(
        time.met,
        time.value <= 200.0 && time.value <= 0.5 * time.baseline.unwrap(),
        "{time:?}"
    );
    let bytes = by_name("photo-12mp-bytes");
    assert!(
        bytes.value > 0.0 && bytes.baseline.unwrap() > 0.0,
        "{bytes:?}"
    );
    assert!(bytes.details["psnr_db_min"] > 30.0, "{bytes:?}");
    assert!(bytes.details["thumbnail_bytes_max"] <= 8192.0, "{bytes:?}");
    assert_eq!(
        bytes.met,
        bytes.value <= 0.65 * bytes.baseline.unwrap() && bytes.details["psnr_db_min"] >= 39.5,
        "{bytes:?}"
    );

    let peak = by_name("photo-peak-mem");
    assert!(peak.value > 0.0 && peak.value < 500.0, "{peak:?}");

    let bomb = by_name("photo-bomb");
    assert_eq!(bomb.details["refused"], 1.0, "{bomb:?}");
    assert!(bomb.details["file_bytes_60000"] < 1000.0, "{bomb:?}");
    assert!(!mobile::is_correctness(bomb) || bomb.met, "{bomb:?}");

    let open = by_name("store-open-10k");
    assert_eq!(open.details["cases"], 1_000.0, "{open:?}");
    assert!(
        open.value > 0.0 && open.details["resident_mb"] > 1.0,
        "{open:?}"
    );
    assert_eq!(
        open.met,
        open.value <= 100.0 && open.details["resident_mb"] <= 50.0,
        "{open:?}"
    );
    let edit = by_name("edit-durable");
    assert!(edit.value > 0.0 && edit.baseline.unwrap() > 0.0, "{edit:?}");
    assert!(edit.details["p50_ms"] <= edit.value, "{edit:?}");
    assert_eq!(edit.met, edit.value <= 5.0, "{edit:?}");

    common::check_report(&figures, "photo-bomb");
}
