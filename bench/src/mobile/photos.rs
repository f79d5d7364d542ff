//! The camera photos every photo figure measures: generated from the seed by the phone
//! library's own test-photo generator (`wangge_mobile::photo::testdata`), so the tests and
//! the benchmark see the same kind of picture.

use wangge_mobile::photo::testdata::{CameraExif, camera_jpeg, scene};

use super::Config;

/// Camera JPEG quality (what phones write).
pub const CAMERA_QUALITY: u8 = 92;

/// `config.photos` camera JPEGs (4:2:0, q 92, EXIF with time and GPS) of different scenes.
pub fn generate(config: &Config) -> Vec<Vec<u8>> {
    let (width, height) = config.photo_size;
    (0..config.photos)
        .map(|i| {
            let seed = config.seed.wrapping_add(u64::try_from(i).unwrap_or(0));
            camera_jpeg(
                &scene(width, height, seed),
                CAMERA_QUALITY,
                &CameraExif::default(),
            )
        })
        .collect()
}
