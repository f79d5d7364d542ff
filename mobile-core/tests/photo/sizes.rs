//! Long edge, thumbnail, hash, never upscaling, PNG input, the thread helper.

use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, png, scene};
use wangge_mobile::photo::{self, OutputFormat, PhotoOptions, SourceFormat};
use wangge_proto::values::ContentHash;

use super::{decode, engines, options, process};

#[test]
fn main_picture_and_thumbnail_have_their_sizes_and_hashes() {
    let jpeg = camera_jpeg(&scene(2400, 1800, 7), 92, &CameraExif::default());
    for engine in engines() {
        let photo = process(&jpeg, &options(engine)).unwrap();
        assert_eq!((photo.main.width, photo.main.height), (1600, 1200));
        assert_eq!((photo.thumbnail.width, photo.thumbnail.height), (320, 240));
        assert_eq!(decode(&photo.main.bytes).dimensions(), (1600, 1200));
        assert_eq!(decode(&photo.thumbnail.bytes).dimensions(), (320, 240));
        assert!(
            photo.thumbnail.bytes.len() <= 8 * 1024,
            "{engine:?}: {}",
            photo.thumbnail.bytes.len()
        );
        assert_eq!(photo.main.hash, ContentHash::of(&photo.main.bytes));
        assert_eq!(
            photo.thumbnail.hash,
            ContentHash::of(&photo.thumbnail.bytes)
        );
        assert_ne!(photo.main.hash, photo.thumbnail.hash);
        assert_eq!(photo.main.format, OutputFormat::Jpeg);
        assert_eq!(
            (photo.source.format, photo.source.width, photo.source.height),
            (SourceFormat::Jpeg, 2400, 1800)
        );
    }
}

#[test]
fn the_long_edge_is_configurable_and_portrait_stays_portrait() {
    let exif = CameraExif {
        orientation: Some(6),
        ..CameraExif::default()
    };
    let jpeg = camera_jpeg(&scene(2000, 1500, 8), 92, &exif);
    let options = PhotoOptions {
        long_edge: 1024,
        ..PhotoOptions::default()
    };
    let photo = process(&jpeg, &options).unwrap();
    assert_eq!((photo.main.width, photo.main.height), (768, 1024));
    assert_eq!((photo.thumbnail.width, photo.thumbnail.height), (240, 320));
}

#[test]
fn small_pictures_are_never_upscaled() {
    for engine in engines() {
        let jpeg = camera_jpeg(&scene(800, 600, 9), 92, &CameraExif::default());
        let photo = process(&jpeg, &options(engine)).unwrap();
        assert_eq!((photo.main.width, photo.main.height), (800, 600));
        let tiny = camera_jpeg(&scene(200, 120, 9), 92, &CameraExif::default());
        let photo = process(&tiny, &options(engine)).unwrap();
        assert_eq!((photo.main.width, photo.main.height), (200, 120));
        assert_eq!((photo.thumbnail.width, photo.thumbnail.height), (200, 120));
    }
}

#[test]
fn png_input_works() {
    let picture = png(&scene(1000, 750, 10));
    for engine in engines() {
        let photo = process(&picture, &options(engine)).unwrap();
        assert_eq!(photo.source.format, SourceFormat::Png);
        assert_eq!((photo.main.width, photo.main.height), (1000, 750));
        assert_eq!((photo.thumbnail.width, photo.thumbnail.height), (320, 240));
        assert_eq!(photo.captured_at, None);
    }
}

#[test]
fn webp_output_is_a_webp_file() {
    let jpeg = camera_jpeg(&scene(1200, 900, 11), 92, &CameraExif::default());
    let options = PhotoOptions {
        format: OutputFormat::WebP,
        ..PhotoOptions::default()
    };
    let photo = process(&jpeg, &options).unwrap();
    assert_eq!(photo.main.format, OutputFormat::WebP);
    assert_eq!(&photo.main.bytes[8..12], b"WEBP");
    assert_eq!(decode(&photo.main.bytes).dimensions(), (1200, 900));
}

#[test]
fn spawn_runs_off_the_callers_thread_with_the_same_result() {
    let jpeg = camera_jpeg(&scene(1200, 900, 12), 92, &CameraExif::default());
    let here = std::thread::current().id();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = photo::spawn(jpeg.clone(), PhotoOptions::default(), move |p| {
        let _ = tx.send((std::thread::current().id(), p));
    });
    let spawned = handle.join().unwrap().unwrap();
    let reports: Vec<_> = rx.iter().collect();
    assert!(!reports.is_empty());
    assert!(reports.iter().all(|(thread, _)| *thread != here));
    // Deterministic: the same photo gives the same bytes, so re-uploads are idempotent.
    let direct = process(&jpeg, &PhotoOptions::default()).unwrap();
    assert_eq!(spawned.main.hash, direct.main.hash);
    assert_eq!(spawned.thumbnail.hash, direct.thumbnail.hash);
}
