//! The first look at a file: which format it is, how many pixels its header claims, whether
//! it is complete — and the refusal of everything the pipeline must not decode, before any
//! large allocation.

use std::io::Cursor;

use image::ImageFormat;

use super::jpeg_markers;
use super::{PhotoError, PhotoOptions};

/// An input format the pipeline decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// JPEG, what phone cameras write.
    Jpeg,
    /// PNG (screenshots, edited pictures).
    Png,
    /// WebP.
    WebP,
}

impl SourceFormat {
    pub(crate) fn image_format(self) -> ImageFormat {
        match self {
            SourceFormat::Jpeg => ImageFormat::Jpeg,
            SourceFormat::Png => ImageFormat::Png,
            SourceFormat::WebP => ImageFormat::WebP,
        }
    }
}

/// A file that passed the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Probe {
    pub format: SourceFormat,
    pub width: u32,
    pub height: u32,
}

/// Recognises the format, reads the claimed size and refuses what must not be decoded.
pub(crate) fn probe(bytes: &[u8], options: &PhotoOptions) -> Result<Probe, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > options.max_file_bytes {
        return Err(PhotoError::FileTooLarge {
            bytes: len,
            max_bytes: options.max_file_bytes,
        });
    }
    let format = sniff(bytes)?;
    let (width, height, complete) = match format {
        SourceFormat::Jpeg => {
            let layout = jpeg_markers::walk(bytes).map_err(|m| PhotoError::Corrupt {
                detail: m.0.to_owned(),
            })?;
            match layout.frame {
                Some((width, height)) => (width, height, layout.complete),
                None => return Err(PhotoError::Truncated),
            }
        }
        SourceFormat::Png | SourceFormat::WebP => {
            let reader = image::ImageReader::with_format(Cursor::new(bytes), format.image_format());
            let (width, height) = reader.into_dimensions().map_err(header_error)?;
            // The decoders report a cut-short body themselves.
            (width, height, true)
        }
    };
    let pixels = u64::from(width) * u64::from(height);
    if pixels > options.max_pixels {
        return Err(PhotoError::TooManyPixels {
            width,
            height,
            max_pixels: options.max_pixels,
        });
    }
    if !complete {
        return Err(PhotoError::Truncated);
    }
    Ok(Probe {
        format,
        width,
        height,
    })
}

/// "BM", file size, reserved, pixel offset, then the size of a known DIB header: a BMP.
fn is_bmp(bytes: &[u8]) -> bool {
    bytes.starts_with(b"BM")
        && bytes
            .get(14..18)
            .is_some_and(|dib| matches!(dib, [12 | 40 | 52 | 56 | 108 | 124, 0, 0, 0]))
}

/// The format from the file's first bytes.
fn sniff(bytes: &[u8]) -> Result<SourceFormat, PhotoError> {
    let unsupported = |format| Err(PhotoError::UnsupportedFormat { format });
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Ok(SourceFormat::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Ok(SourceFormat::Png),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Ok(SourceFormat::WebP),
        [b'G', b'I', b'F', b'8', ..] => unsupported("GIF"),
        _ if is_bmp(bytes) => unsupported("BMP"),
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => unsupported("TIFF"),
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] => match brand.get(..4) {
            Some(b"avif" | b"avis") => unsupported("AVIF"),
            Some(b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1") => {
                unsupported("HEIC")
            }
            _ => Err(PhotoError::NotAnImage),
        },
        // A JPEG or PNG signature cut inside its first bytes.
        [0xFF] | [0xFF, 0xD8] | [0x89] | [0x89, b'P', ..] if bytes.len() < 8 => {
            Err(PhotoError::Truncated)
        }
        _ => Err(PhotoError::NotAnImage),
    }
}

/// An error of the image crate while reading a header.
fn header_error(error: image::ImageError) -> PhotoError {
    match error {
        image::ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            PhotoError::Truncated
        }
        other => PhotoError::Corrupt {
            detail: other.to_string(),
        },
    }
}
