//! Writing the stored files: the main picture and the thumbnail, with no metadata at all
//! (no EXIF, XMP, ICC profile or comment; a JPEG keeps only its JFIF header).
//!
//! Native main picture: mozjpeg (libjpeg-turbo's encoder) with full-resolution chroma (4:4:4),
//! a flat quantisation table (the same step for every coefficient) scaled by the quality, and
//! optimised Huffman tables, one interleaved sequential scan. The picture is judged by its
//! RGB PSNR (≥ 39.5 dB), and for squared error in R, G and B that is what pays: 4:2:0 drops
//! half of the colour detail (35.7 dB at q 80 however fine the luma), and the default tables,
//! tuned for the eye, spend bytes on low frequencies that PSNR weighs no more than the high
//! ones. At 39.5 dB on the benchmark's photos, against the plain path's bytes: 4:2:0 with
//! mozjpeg's defaults needs more than 1.7 × (q 96 still falls short), 4:2:2 1.3 ×, 4:4:4
//! with the default tables ≈ 1 ×, 4:4:4 flat 0.96 × (figures: ADR 0009). Trellis
//! quantisation would save another 13 % but triples the encoding time (≈ 70 → ≈ 200 ms),
//! which the time target cannot pay; progressive scans save 2 % for 50 ms. Thumbnail: mozjpeg's defaults (trellis, 4:2:0, perceptual tables, its quality
//! bisected to fit the byte budget) — at 320 px the eye, not PSNR, is the judge. libwebp for
//! WebP. Portable: the image crate's `JpegEncoder` (4:4:4, standard tables, larger files).

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
    let first = thumbnail_jpeg(image, THUMBNAIL_QUALITY, engine)?;
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
        let bytes = thumbnail_jpeg(image, found, engine)?;
        if bytes.len() <= max_bytes || found <= THUMBNAIL_MIN_QUALITY {
            return Ok(bytes);
        }
        found -= 1;
    }
}

/// A thumbnail JPEG: mozjpeg's defaults on the native engine, or the portable encoder.
fn thumbnail_jpeg(image: &RgbImage, quality: u8, engine: Engine) -> Result<Vec<u8>, PhotoError> {
    match engine {
        #[cfg(feature = "native")]
        Engine::Native => native::thumbnail_jpeg(image, quality),
        _ => portable_jpeg(image, quality),
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

    /// How mozjpeg is set up for one file (see the module docs).
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Profile {
        /// The main picture: 4:4:4, a flat quantisation table, optimised Huffman tables.
        Main,
        /// A thumbnail: mozjpeg's defaults (trellis, 4:2:0, perceptual tables).
        Thumbnail,
        /// Sizing only: the fastest settings (no trellis, standard Huffman tables, 4:2:0).
        Sizing,
    }

    pub(super) fn jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
        mozjpeg(image, quality, Profile::Main)
    }

    pub(super) fn thumbnail_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
        mozjpeg(image, quality, Profile::Thumbnail)
    }

    pub(super) fn quick_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
        mozjpeg(image, quality, Profile::Sizing)
    }

    fn mozjpeg(image: &RgbImage, quality: u8, profile: Profile) -> Result<Vec<u8>, PhotoError> {
        let run = || -> std::io::Result<Vec<u8>> {
            let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
            if profile != Profile::Thumbnail {
                compress.set_fastest_defaults();
            }
            compress.set_size(image.width() as usize, image.height() as usize);
            compress.set_quality(f32::from(quality));
            if profile == Profile::Main {
                let table = mozjpeg::qtable::Flat.scaled(f32::from(quality), f32::from(quality));
                compress.set_luma_qtable(&table);
                compress.set_chroma_qtable(&table);
                compress.set_chroma_sampling_pixel_sizes((1, 1), (1, 1));
                compress.set_optimize_coding(true);
            }
            // One sequential scan: trying many progressive scan layouts costs ≈ 2× the time
            // for ≈ 2 % of the bytes.
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
