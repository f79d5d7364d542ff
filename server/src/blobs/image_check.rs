//! Only pictures become evidence: before an uploaded blob is accepted (its SHA-256 already
//! verified), the server decodes it as JPEG, PNG or WebP under `image::Limits`, so a fake or
//! damaged file is refused and a decompression bomb (a tiny file claiming a huge size) is
//! refused before it allocates.

use std::io::Cursor;

use image::{ImageReader, Limits};
use wangge_sync::blob::ContentCheck;

/// Largest side accepted: phones send 1600 px photos and 320 px thumbnails; 8192 leaves room
/// for an original kept by an office.
pub const MAX_SIDE: u32 = 8192;
/// Most memory one decode may take.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Accepts decodable images within the limits.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageCheck;

impl ContentCheck for ImageCheck {
    fn check(&self, bytes: &[u8]) -> Result<(), String> {
        let mut reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| format!("unreadable: {e}"))?;
        if reader.format().is_none() {
            return Err("not a JPEG, PNG or WebP image".to_owned());
        }
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        reader.limits(limits);
        reader
            .decode()
            .map(|_| ())
            .map_err(|e| format!("not a valid image: {e}"))
    }
}
