//! Pixels out of a probed file, at the smallest size that still covers the target.
//!
//! On the native engine a JPEG is decoded by libjpeg-turbo (inside mozjpeg) at a reduced scale
//! in the DCT domain (k/8, the smallest k whose output is still 1.5 × the target's long edge),
//! so a 12 MP photo bound for 1600 px is decoded at ⅝ scale: 39 % of the pixels. The margin is
//! for quality: the DCT's own shrinking is a block-wise cut-off, not Lanczos3, and the closer
//! it comes to the target the more it shows. Against a full-size Lanczos3 resize (the
//! `photo-12mp-bytes` reference) the resized pixels reach 44.7 dB RGB PSNR from ½ scale
//! (2016 px, 1.26 × the target), 49.0 dB from ⅝ (2520 px), 49.5 dB from ¾ — ½ alone ate
//! most of the 39.5 dB budget before encoding. libjpeg reports errors by panicking through
//! the C code; they are caught here and become [`PhotoError::Corrupt`]. Everything else — and
//! everything on the portable engine — goes through the image crate with tight
//! [`image::Limits`].

use std::io::Cursor;

use image::{ImageError, Limits, RgbImage};

use super::probe::Probe;
#[cfg(feature = "native")]
use super::{Engine, SourceFormat};
use super::{PhotoError, PhotoOptions};

/// Decodes `bytes` to RGB, at least `target_long_edge` pixels on its long edge when the source
/// has them (on libjpeg with a margin: [`dct_scale`]).
pub(crate) fn decode(
    bytes: &[u8],
    probe: &Probe,
    options: &PhotoOptions,
    target_long_edge: u32,
) -> Result<RgbImage, PhotoError> {
    #[cfg(feature = "native")]
    if options.engine == Engine::Native && probe.format == SourceFormat::Jpeg {
        return native::decode_jpeg(bytes, probe, target_long_edge);
    }
    // Only libjpeg scales in the DCT; the image crate decodes at full size.
    #[cfg(not(feature = "native"))]
    let _ = target_long_edge;
    decode_portable(bytes, probe, options)
}

/// How much larger than the target the DCT-scaled picture must stay (3/2), so that Lanczos3
/// does most of the shrinking (see the module docs).
const RESIZE_MARGIN: (u64, u64) = (3, 2);

/// The DCT scale numerator (of 8) for a source long edge and a target long edge: the smallest
/// whose output is [`RESIZE_MARGIN`] × the target, or the full size.
#[cfg_attr(not(feature = "native"), allow(dead_code))]
pub(crate) fn dct_scale(source_long_edge: u32, target_long_edge: u32) -> u8 {
    let (numerator, denominator) = RESIZE_MARGIN;
    let target = (u64::from(target_long_edge) * numerator)
        .div_ceil(denominator)
        .min(u64::from(source_long_edge));
    (1..=8u8)
        .find(|&k| (u64::from(source_long_edge) * u64::from(k)).div_ceil(8) >= target)
        .unwrap_or(8)
}

fn decode_portable(
    bytes: &[u8],
    probe: &Probe,
    options: &PhotoOptions,
) -> Result<RgbImage, PhotoError> {
    let mut reader =
        image::ImageReader::with_format(Cursor::new(bytes), probe.format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(probe.width);
    limits.max_image_height = Some(probe.height);
    // The decoded buffer (up to 4 bytes a pixel, 16-bit PNGs 8) plus the decoder's own.
    limits.max_alloc = Some(
        options
            .max_pixels
            .saturating_mul(8)
            .saturating_add(64 << 20),
    );
    reader.limits(limits);
    let image = reader.decode().map_err(|error| match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels {
            width: probe.width,
            height: probe.height,
            max_pixels: options.max_pixels,
        },
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            PhotoError::Truncated
        }
        other => PhotoError::Corrupt {
            detail: other.to_string(),
        },
    })?;
    Ok(image.into_rgb8())
}

#[cfg(feature = "native")]
mod native {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use image::RgbImage;

    use super::super::PhotoError;
    use super::super::probe::Probe;
    use super::dct_scale;

    pub(super) fn decode_jpeg(
        bytes: &[u8],
        probe: &Probe,
        target_long_edge: u32,
    ) -> Result<RgbImage, PhotoError> {
        let scale = dct_scale(probe.width.max(probe.height), target_long_edge);
        let run = || -> std::io::Result<(usize, usize, Vec<u8>)> {
            let mut decompress = mozjpeg::Decompress::new_mem(bytes)?;
            decompress.scale(scale);
            let mut started = decompress.rgb()?;
            let (width, height) = (started.width(), started.height());
            let pixels: Vec<u8> = started.read_scanlines()?;
            started.finish()?;
            Ok((width, height, pixels))
        };
        let (width, height, pixels) = match catch_unwind(AssertUnwindSafe(run)) {
            Ok(Ok(decoded)) => decoded,
            Ok(Err(error)) => {
                return Err(PhotoError::Corrupt {
                    detail: error.to_string(),
                });
            }
            Err(panic) => {
                return Err(PhotoError::Corrupt {
                    detail: panic_text(panic),
                });
            }
        };
        let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
            return Err(PhotoError::Corrupt {
                detail: "decoded size out of range".to_owned(),
            });
        };
        RgbImage::from_raw(width, height, pixels).ok_or_else(|| PhotoError::Corrupt {
            detail: "libjpeg returned fewer rows than the frame has".to_owned(),
        })
    }

    /// The message of a caught libjpeg error.
    pub(crate) fn panic_text(panic: Box<dyn std::any::Any + Send>) -> String {
        match panic.downcast::<String>() {
            Ok(text) => *text,
            Err(panic) => match panic.downcast::<&'static str>() {
                Ok(text) => (*text).to_owned(),
                Err(_) => "libjpeg error".to_owned(),
            },
        }
    }
}

#[cfg(feature = "native")]
pub(crate) use native::panic_text;

#[cfg(test)]
mod tests {
    use super::dct_scale;

    #[test]
    fn the_scale_leaves_lanczos_a_margin_over_the_target() {
        assert_eq!(dct_scale(4032, 1600), 5);
        assert_eq!(dct_scale(4000, 500), 2);
        assert_eq!(dct_scale(1200, 1600), 8);
        assert_eq!(dct_scale(2000, 1600), 8);
        assert_eq!(dct_scale(3264, 1600), 6);
        assert_eq!(dct_scale(3000, 1600), 7);
        assert_eq!(dct_scale(8160, 1600), 3);
    }
}
