//! Turning the pixels the way the camera was held (EXIF orientation 1–8), after resizing so
//! only the small picture is moved. The stored file carries no orientation tag, so every
//! viewer shows it upright.

use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};

/// `image` with `orientation` applied.
pub(crate) fn apply(image: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::NoTransforms {
        return image;
    }
    let mut image = DynamicImage::ImageRgb8(image);
    image.apply_orientation(orientation);
    image.into_rgb8()
}

/// The size of a `width` × `height` picture once `orientation` is applied.
pub(crate) fn oriented_size(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}
