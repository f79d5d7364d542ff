//! Capture time and GPS are read before stripping; the stored files carry no metadata.

use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, metadata_markers, scene};
use wangge_mobile::photo::{OffsetSource, PhotoOptions};

use super::{engines, options, process};

/// 2026-05-14 09:26:53 +08:00.
const CAPTURED_UTC_MILLIS: i64 = 1_778_722_013_000;

#[test]
fn capture_time_and_gps_are_read() {
    let jpeg = camera_jpeg(&scene(640, 480, 3), 92, &CameraExif::default());
    for engine in engines() {
        let photo = process(&jpeg, &options(engine)).unwrap();
        let captured = photo.captured_at.unwrap();
        assert_eq!(captured.at.as_millis(), CAPTURED_UTC_MILLIS);
        assert_eq!(captured.offset, OffsetSource::Recorded);
        let place = photo.location.unwrap();
        assert!((place.lat() - 30.657_472).abs() < 1e-6, "{place:?}");
        assert!((place.lon() - 104.065_805).abs() < 1e-6, "{place:?}");
    }
}

#[test]
fn a_time_without_offset_uses_the_assumed_one_and_south_west_is_negative() {
    let exif = CameraExif {
        offset: None,
        gps: Some((-33.856_784, -70.651_344)),
        ..CameraExif::default()
    };
    let jpeg = camera_jpeg(&scene(320, 240, 4), 92, &exif);
    let photo = process(&jpeg, &PhotoOptions::default()).unwrap();
    let captured = photo.captured_at.unwrap();
    assert_eq!(captured.at.as_millis(), CAPTURED_UTC_MILLIS);
    assert_eq!(captured.offset, OffsetSource::Assumed);
    let chile = PhotoOptions {
        assumed_utc_offset_minutes: -4 * 60,
        ..PhotoOptions::default()
    };
    let photo = process(&jpeg, &chile).unwrap();
    assert_eq!(
        photo.captured_at.unwrap().at.as_millis(),
        CAPTURED_UTC_MILLIS + 12 * 3_600_000
    );
    let place = photo.location.unwrap();
    assert!((place.lat() + 33.856_784).abs() < 1e-6, "{place:?}");
    assert!((place.lon() + 70.651_344).abs() < 1e-6, "{place:?}");
}

#[test]
fn a_photo_without_exif_has_no_time_or_place() {
    let exif = CameraExif {
        orientation: None,
        captured: None,
        offset: None,
        gps: None,
    };
    let jpeg = camera_jpeg(&scene(320, 240, 5), 92, &exif);
    let photo = process(&jpeg, &PhotoOptions::default()).unwrap();
    assert_eq!(photo.captured_at, None);
    assert_eq!(photo.location, None);
    assert_eq!(photo.source.exif_orientation, 1);
}

#[test]
fn stored_files_carry_no_metadata() {
    let jpeg = camera_jpeg(&scene(1200, 900, 6), 92, &CameraExif::default());
    assert!(
        metadata_markers(&jpeg).contains(&0xE1),
        "the input has EXIF"
    );
    for engine in engines() {
        let photo = process(&jpeg, &options(engine)).unwrap();
        for file in [&photo.main.bytes, &photo.thumbnail.bytes] {
            // Only the JFIF header (APP0): no EXIF, XMP, ICC profile or comment.
            assert_eq!(metadata_markers(file), vec![0xE0], "{engine:?}");
            let found = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(file));
            assert!(
                matches!(found, Err(exif::Error::NotFound(_))),
                "{engine:?}: {:?}",
                found.err()
            );
        }
    }
}
