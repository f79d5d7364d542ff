//! The photo evidence pipeline: a camera picture in, the files a case stores out.
//!
//! ```text
//! bytes ─ probe ─ metadata ─ decode ─ resize ─ orient ─ encode ─ thumbnail ─ hash
//!         │        │          │ (DCT ⅝ scale on libjpeg)       └ from the main picture, ≤ 8 KB
//!         │        └ orientation, capture time, GPS — read before the files are stripped
//!         └ format, claimed size, completeness: bombs and cut files refused here,
//!           before any large allocation
//! ```
//!
//! [`process`] is synchronous and CPU-bound (≈ 0.1 s for a 12 MP photo on one core with the
//! native engine); the app runs it off its UI thread — [`spawn`] does that on a plain thread,
//! the FFI layer on a blocking runtime thread. Progress is reported through a callback.
//! The originals are not touched: keeping them until the server has acknowledged the
//! processed file is the store's job.
//!
//! Two engines ([`Engine`]): native (libjpeg-turbo/mozjpeg and libwebp, the `native` cargo
//! feature, on by default) and portable (pure Rust, the image crate), which also serves builds
//! without a C cross-compiler. Choices and measurements: `docs/adr/0009-photo-pipeline.md`
//! and the `photo-*` rows of `wangge-bench -- mobile`.

mod decode;
mod encode;
mod error;
mod jpeg_markers;
mod metadata;
mod options;
mod orientation;
mod probe;
mod processed;
mod progress;
mod resize;
#[cfg(feature = "testdata")]
pub mod testdata;

pub use error::PhotoError;
pub use metadata::{CaptureTime, OffsetSource};
pub use options::{Engine, OutputFormat, PhotoOptions};
pub use probe::SourceFormat;
pub use processed::{EncodedPicture, ProcessedPhoto, SourceInfo};
pub use progress::{Progress, Stage};
pub use resize::fitted;

use progress::Reporter;

/// Processes one photo: see the [module docs](self). Refusals are logged with their code.
pub fn process(
    bytes: &[u8],
    options: &PhotoOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ProcessedPhoto, PhotoError> {
    let result = run(bytes, options, &mut Reporter::new(progress));
    if let Err(error) = &result {
        tracing::warn!(code = error.code(), %error, bytes = bytes.len(), "photo refused");
    }
    result
}

/// Runs [`process`] on a new thread, taking the bytes; join the handle for the result.
pub fn spawn(
    bytes: Vec<u8>,
    options: PhotoOptions,
    mut progress: impl FnMut(Progress) + Send + 'static,
) -> std::thread::JoinHandle<Result<ProcessedPhoto, PhotoError>> {
    std::thread::spawn(move || process(&bytes, &options, &mut progress))
}

fn run(
    bytes: &[u8],
    options: &PhotoOptions,
    progress: &mut Reporter<'_>,
) -> Result<ProcessedPhoto, PhotoError> {
    options.check()?;
    progress.report(Stage::Probe, 0.0);
    let probe = probe::probe(bytes, options)?;
    let metadata = metadata::read(bytes, options.assumed_utc_offset_minutes);
    let orientation = metadata.orientation();

    progress.report(Stage::Decode, 0.05);
    // Sizes as stored (before orientation): the long edge is the same either way.
    let (main_w, main_h) = fitted(probe.width, probe.height, options.long_edge);
    let decoded = decode::decode(bytes, &probe, options, main_w.max(main_h))?;

    progress.report(Stage::Resize, 0.45);
    let main = resize::resize(decoded, main_w, main_h)?;
    let main = orientation::apply(main, orientation);

    progress.report(Stage::Encode, 0.55);
    let main_bytes = encode::encode(&main, options.format, options.quality, options.engine)?;

    progress.report(Stage::Thumbnail, 0.9);
    let (thumb_w, thumb_h) = fitted(main.width(), main.height(), options.thumbnail_edge);
    let thumbnail = resize::resized(&main, thumb_w, thumb_h)?;
    let thumbnail_bytes =
        encode::thumbnail(&thumbnail, options.thumbnail_max_bytes, options.engine)?;

    let result = ProcessedPhoto {
        main: EncodedPicture::new(main_bytes, main.dimensions(), options.format),
        thumbnail: EncodedPicture::new(thumbnail_bytes, (thumb_w, thumb_h), OutputFormat::Jpeg),
        source: SourceInfo {
            format: probe.format,
            width: probe.width,
            height: probe.height,
            exif_orientation: metadata.exif_orientation,
            bytes: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        },
        captured_at: metadata.captured_at,
        location: metadata.location,
    };
    debug_assert_eq!(
        (result.main.width, result.main.height),
        orientation::oriented_size(main_w, main_h, orientation)
    );
    progress.report(Stage::Done, 1.0);
    Ok(result)
}
