//! What the pipeline returns: the two stored files with their hashes and sizes, and what was
//! read from the original before it was stripped.

use wangge_proto::values::{ContentHash, GeoPoint};

use super::OutputFormat;
use super::metadata::CaptureTime;
use super::probe::SourceFormat;

/// One stored file: bytes without metadata, and the SHA-256 the case references it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedPicture {
    /// The file.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`.
    pub hash: ContentHash,
    /// Width in pixels (upright).
    pub width: u32,
    /// Height in pixels (upright).
    pub height: u32,
    /// The file's format.
    pub format: OutputFormat,
}

impl EncodedPicture {
    pub(crate) fn new(bytes: Vec<u8>, (width, height): (u32, u32), format: OutputFormat) -> Self {
        Self {
            hash: ContentHash::of(&bytes),
            bytes,
            width,
            height,
            format,
        }
    }
}

/// The original, as it came from the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceInfo {
    /// Its format.
    pub format: SourceFormat,
    /// Width as stored (before orientation).
    pub width: u32,
    /// Height as stored (before orientation).
    pub height: u32,
    /// Its EXIF orientation, 1–8 (1 when absent).
    pub exif_orientation: u8,
    /// Its size in bytes.
    pub bytes: u64,
}

/// A processed photo, ready to be stored and referenced from a case.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessedPhoto {
    /// The main picture, long edge ≤ [`super::PhotoOptions::long_edge`].
    pub main: EncodedPicture,
    /// The thumbnail (always JPEG), long edge ≤ [`super::PhotoOptions::thumbnail_edge`].
    pub thumbnail: EncodedPicture,
    /// The original.
    pub source: SourceInfo,
    /// When it was taken, if the camera recorded it.
    pub captured_at: Option<CaptureTime>,
    /// Where it was taken, if the camera recorded it.
    pub location: Option<GeoPoint>,
}
