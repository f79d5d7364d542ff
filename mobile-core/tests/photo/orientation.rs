//! Every EXIF orientation is applied: the stored picture looks the way the camera was held.

use image::{Rgb, RgbImage};
use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg};

use super::{decode, engines, options, process};

const RED: [u8; 3] = [220, 30, 30];
const GREEN: [u8; 3] = [30, 200, 40];
const BLUE: [u8; 3] = [30, 40, 220];
const WHITE: [u8; 3] = [240, 240, 240];

/// 300 × 200, one colour per quadrant: red, green on top; blue, white below.
fn quadrants() -> RgbImage {
    RgbImage::from_fn(300, 200, |x, y| {
        Rgb(match (x < 150, y < 100) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => WHITE,
        })
    })
}

/// Where the displayed pixel (dx, dy) is in the stored `w` × `h` picture, per the EXIF spec.
fn stored_position(orientation: u16, dx: u32, dy: u32, w: u32, h: u32) -> (u32, u32) {
    match orientation {
        1 => (dx, dy),
        2 => (w - 1 - dx, dy),
        3 => (w - 1 - dx, h - 1 - dy),
        4 => (dx, h - 1 - dy),
        5 => (dy, dx),
        6 => (dy, h - 1 - dx),
        7 => (w - 1 - dy, h - 1 - dx),
        8 => (w - 1 - dy, dx),
        _ => unreachable!(),
    }
}

#[test]
fn each_exif_orientation_is_applied() {
    let stored = quadrants();
    for engine in engines() {
        for orientation in 1..=8u16 {
            let exif = CameraExif {
                orientation: Some(orientation),
                ..CameraExif::default()
            };
            let jpeg = camera_jpeg(&stored, 92, &exif);
            let photo = process(&jpeg, &options(engine)).unwrap();
            assert_eq!(
                photo.source.exif_orientation,
                u8::try_from(orientation).unwrap()
            );
            let (w, h) = if orientation >= 5 {
                (200, 300)
            } else {
                (300, 200)
            };
            assert_eq!(
                (photo.main.width, photo.main.height),
                (w, h),
                "{engine:?} {orientation}"
            );
            let shown = decode(&photo.main.bytes);
            assert_eq!(shown.dimensions(), (w, h));
            // The centre of each displayed quadrant has the colour the spec puts there.
            for (dx, dy) in [
                (w / 4, h / 4),
                (3 * w / 4, h / 4),
                (w / 4, 3 * h / 4),
                (3 * w / 4, 3 * h / 4),
            ] {
                let (sx, sy) = stored_position(orientation, dx, dy, 300, 200);
                let want = stored.get_pixel(sx, sy).0;
                let got = shown.get_pixel(dx, dy).0;
                for c in 0..3 {
                    assert!(
                        want[c].abs_diff(got[c]) < 40,
                        "{engine:?} orientation {orientation} at ({dx}, {dy}): {got:?}, want {want:?}"
                    );
                }
            }
        }
    }
}
