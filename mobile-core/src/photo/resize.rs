//! Shrinking with fast_image_resize (SIMD Lanczos3), and the size arithmetic that never
//! upscales.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use super::PhotoError;

/// The size of a `width` × `height` picture fitted into `long_edge`, aspect kept, never larger
/// than the source.
pub fn fitted(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_edge {
        return (width, height);
    }
    let scale = |side: u32| -> u32 {
        let scaled =
            (u64::from(side) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(long_edge).max(1)
    };
    if width >= height {
        (long_edge, scale(height))
    } else {
        (scale(width), long_edge)
    }
}

/// `image` resized to exactly `width` × `height` with Lanczos3 (returned as is when it has
/// that size already).
pub(crate) fn resize(image: RgbImage, width: u32, height: u32) -> Result<RgbImage, PhotoError> {
    if image.dimensions() == (width, height) {
        return Ok(image);
    }
    resized(&image, width, height)
}

/// A copy of `image` resized to exactly `width` × `height` with Lanczos3.
pub(crate) fn resized(image: &RgbImage, width: u32, height: u32) -> Result<RgbImage, PhotoError> {
    if image.dimensions() == (width, height) {
        return Ok(image.clone());
    }
    let failed = |e: &dyn std::fmt::Display| PhotoError::Encode(format!("resize: {e}"));
    let source = ImageRef::new(
        image.width(),
        image.height(),
        image.as_raw(),
        PixelType::U8x3,
    )
    .map_err(|e| failed(&e))?;
    let mut target = Image::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|e| failed(&e))?;
    RgbImage::from_raw(width, height, target.into_vec())
        .ok_or_else(|| PhotoError::Encode("resize: wrong buffer size".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::fitted;

    #[test]
    fn fits_without_upscaling() {
        assert_eq!(fitted(4032, 3024, 1600), (1600, 1200));
        assert_eq!(fitted(3024, 4032, 1600), (1200, 1600));
        assert_eq!(fitted(800, 600, 1600), (800, 600));
        assert_eq!(fitted(10000, 10, 1600), (1600, 2));
        assert_eq!(fitted(100000, 1, 320), (320, 1));
    }
}
