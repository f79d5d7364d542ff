//! Progress reports are monotonic and end at done.

use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, scene};
use wangge_mobile::photo::{self, PhotoOptions, Progress, Stage};

#[test]
fn progress_is_monotonic_and_ends_at_done() {
    let jpeg = camera_jpeg(&scene(1600, 1200, 17), 92, &CameraExif::default());
    let mut reports: Vec<Progress> = Vec::new();
    photo::process(&jpeg, &PhotoOptions::default(), &mut |p| reports.push(p)).unwrap();
    assert!(reports.len() >= 5, "{reports:?}");
    assert_eq!(reports[0].stage, Stage::Probe);
    for pair in reports.windows(2) {
        assert!(pair[0].stage < pair[1].stage, "{reports:?}");
        assert!(pair[0].fraction <= pair[1].fraction, "{reports:?}");
    }
    let last = reports.last().unwrap();
    assert_eq!((last.stage, last.fraction), (Stage::Done, 1.0));
}

#[test]
fn a_refused_photo_never_reports_done() {
    let mut reports: Vec<Progress> = Vec::new();
    let result = photo::process(b"not a photo", &PhotoOptions::default(), &mut |p| {
        reports.push(p)
    });
    assert!(result.is_err());
    assert!(
        reports
            .iter()
            .all(|p| p.stage != Stage::Done && p.fraction < 1.0)
    );
}
