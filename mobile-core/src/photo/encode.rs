//! Writing the stored files: the main picture and the thumbnail, with no metadata at all
//! (no EXIF, XMP, ICC profile or comment; a JPEG keeps only its JFIF header).
//!
//! Native: mozjpeg with trellis quantisation, optimised Huffman tables and 4:2:0 chroma, one
//! interleaved sequential scan (searching progressive scan layouts doubled the time for ≈ 2 %
//! of the bytes). libwebp for WebP. Portable: the image crate's `JpegEncoder` (4:4:4, larger
//! files).

use image::RgbImage;

use super::{Engine, OutputFormat, PhotoError};

/// Lowest quality tried for a thumbnail before giving up on its byte budget.
const THUMBNAIL_MIN_QUALITY: u8 = 10;
/// Quality a thumbnail starts at.
const THUMBNAIL_QUALITY: u8 = 75;

/// Encodes `image` as `format` at `quality`.
pub(crate) fn encode(
    image: &RgbImage,
    format: OutputFormat,
    quality: u8,
    engine: Engine,
) -> Result<Vec<u8>, PhotoError> {
    match (format, engine) {
        #[cfg(feature = "native")]
        (OutputFormat::Jpeg, Engine::Native) => native::jpeg(image, quality),
        #[cfg(feature = "native")]
        (OutputFormat::WebP, Engine::Native) => native::webp(image, quality),
        (OutputFormat::Jpeg, _) => portable_jpeg(image, quality),
        (OutputFormat::WebP, _) => Err(PhotoError::FormatUnavailable("WebP")),
    }
}

/// The best-quality JPEG of `image` within `max_bytes` (the smallest one tried when none
/// fits). The quality is bisected with the quick encoder (no trellis, standard Huffman
/// tables: several times faster, slightly larger files), then the found quality is encoded
/// once with the full encoder, whose file is smaller still; should it not fit after all, the
/// quality steps down until it does.
pub(crate) fn thumbnail(
    image: &RgbImage,
    max_bytes: usize,
    engine: Engine,
) -> Result<Vec<u8>, PhotoError> {
    let first = encode(image, OutputFormat::Jpeg, THUMBNAIL_QUALITY, engine)?;
    if first.len() <= max_bytes {
        return Ok(first);
    }
    let mut found = THUMBNAIL_MIN_QUALITY;
    let (mut low, mut high) = (THUMBNAIL_MIN_QUALITY, THUMBNAIL_QUALITY - 1);
    while low <= high {
        let quality = low + (high - low) / 2;
        if quick_jpeg(image, quality, engine)?.len() <= max_bytes {
            found = quality;
            low = quality + 1;
        } else {
            high = quality - 1;
        }
    }
    loop {
        let bytes = encode(image, OutputFormat::Jpeg, found, engine)?;
        if bytes.len() <= max_bytes || found <= THUMBNAIL_MIN_QUALITY {
            return Ok(bytes);
        }
        found -= 1;
    }
}

/// A JPEG for sizing only: the native engine's fast mode, or the portable encoder (which has
/// no slower mode).
fn quick_jpeg(image: &RgbImage, quality: u8, engine: Engine) -> Result<Vec<u8>, PhotoError> {
    match engine {
        #[cfg(feature = "native")]
        Engine::Native => native::quick_jpeg(image, quality),
        _ => portable_jpeg(image, quality),
    }
}

fn portable_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(feature = "native")]
mod native {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use image::RgbImage;

    use super::super::PhotoError;
    use super::super::decode::panic_text;

    pub(super) fn jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
        mozjpeg(image, quality, false)
    }

    /// mozjpeg's fastest settings (no trellis, standard Huffman tables), for sizing.
    pub(super) fn quick_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
        mozjpeg(image, quality, true)
    }

    fn mozjpeg(image: &RgbImage, quality: u8, fastest: bool) -> Result<Vec<u8>, PhotoError> {
        let run = || -> std::io::Result<Vec<u8>> {
            let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
            if fastest {
                compress.set_fastest_defaults();
            }
            compress.set_size(image.width() as usize, image.height() as usize);
            compress.set_quality(f32::from(quality));
            // Trellis quantisation and optimised Huffman tables stay on (unless `fastest`);
            // trying many progressive scan layouts costs ≈ 2× the time for ≈ 2 % of the bytes.
            compress.set_optimize_scans(false);
            let mut started = compress.start_compress(Vec::new())?;
            started.write_scanlines(image.as_raw())?;
            started.finish()
        };
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(error)) => Err(PhotoError::Encode(error.to_string())),
            Err(panic) => Err(PhotoError::Encode(panic_text(panic))),
        }
    }

    pub(super) fn webp(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
        let run = || {
            webp::Encoder::from_rgb(image.as_raw(), image.width(), image.height())
                .encode_simple(false, f32::from(quality))
                .map(|memory| memory.to_vec())
        };
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(error)) => Err(PhotoError::Encode(format!("libwebp: {error:?}"))),
            Err(panic) => Err(PhotoError::Encode(panic_text(panic))),
        }
    }
}
