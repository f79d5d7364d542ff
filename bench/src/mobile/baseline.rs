//! The image crate's plain path, as the issue defines the baseline: decode → `resize`
//! Lanczos3 → `JpegEncoder` quality 80; and the reference pictures and PSNR the byte figure
//! is judged by.

use image::imageops::FilterType;
use image::{ImageFormat, RgbImage};
use wangge_mobile::photo::fitted;

use crate::sync::Result;

/// The plain path's quality.
pub const QUALITY: u8 = 80;

/// What the plain path made of one photo.
pub struct Plain {
    /// The 1600 px file.
    pub main: Vec<u8>,
    /// Its 320 px thumbnail file.
    pub thumbnail: Vec<u8>,
    /// The resized pixels before encoding: the Lanczos3 reference.
    pub reference: RgbImage,
}

/// Runs the plain path on `jpeg` (decode, resize to `long_edge` and to `thumbnail_edge`,
/// encode both).
pub fn run(jpeg: &[u8], long_edge: u32, thumbnail_edge: u32) -> Result<Plain> {
    let decoded = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg)?.into_rgb8();
    let (w, h) = fitted(decoded.width(), decoded.height(), long_edge);
    let reference = image::imageops::resize(&decoded, w, h, FilterType::Lanczos3);
    drop(decoded);
    let main = encode(&reference)?;
    let (tw, th) = fitted(w, h, thumbnail_edge);
    let thumbnail = encode(&image::imageops::resize(
        &reference,
        tw,
        th,
        FilterType::Lanczos3,
    ))?;
    Ok(Plain {
        main,
        thumbnail,
        reference,
    })
}

fn encode(image: &RgbImage) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, QUALITY).encode_image(image)?;
    Ok(out)
}

/// PSNR in dB of the picture in `file` against `reference` (same size), over R, G and B.
pub fn psnr(file: &[u8], reference: &RgbImage) -> Result<f64> {
    let decoded = decode_like(file, reference)?;
    let squared: f64 = decoded
        .as_raw()
        .iter()
        .zip(reference.as_raw())
        .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
        .sum();
    Ok(db(squared / reference.as_raw().len() as f64))
}

/// PSNR in dB of the luma (BT.601 Y) of the picture in `file` against `reference`'s: blind to
/// chroma subsampling, for comparison with figures measured that way.
pub fn psnr_luma(file: &[u8], reference: &RgbImage) -> Result<f64> {
    let decoded = decode_like(file, reference)?;
    let luma =
        |p: &[u8]| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]);
    let squared: f64 = decoded
        .as_raw()
        .chunks_exact(3)
        .zip(reference.as_raw().chunks_exact(3))
        .map(|(a, b)| (luma(a) - luma(b)).powi(2))
        .sum();
    Ok(db(
        squared / f64::from(reference.width() * reference.height())
    ))
}

fn decode_like(file: &[u8], reference: &RgbImage) -> Result<RgbImage> {
    let decoded = image::load_from_memory(file)?.into_rgb8();
    if decoded.dimensions() != reference.dimensions() {
        return Err(format!(
            "size {:?} differs from the reference's {:?}",
            decoded.dimensions(),
            reference.dimensions()
        )
        .into());
    }
    Ok(decoded)
}

fn db(mse: f64) -> f64 {
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}
