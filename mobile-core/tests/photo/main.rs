//! The photo pipeline end to end: real files in (generated camera JPEGs, PNGs, bombs, cut
//! files), the stored files out, checked by decoding them again — on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod decoders;
mod metadata;
mod orientation;
mod progress;
mod sizes;

use image::RgbImage;
use wangge_mobile::photo::{self, Engine, PhotoError, PhotoOptions, ProcessedPhoto};

/// The engines this build has.
fn engines() -> Vec<Engine> {
    vec![Engine::Native, Engine::Portable]
}

fn options(engine: Engine) -> PhotoOptions {
    PhotoOptions {
        engine,
        ..PhotoOptions::default()
    }
}

fn process(bytes: &[u8], options: &PhotoOptions) -> Result<ProcessedPhoto, PhotoError> {
    photo::process(bytes, options, &mut |_| {})
}

/// Decodes a stored file with the image crate (zune-jpeg for JPEG).
fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).unwrap().into_rgb8()
}
