//! The framed PATCH body: small, individually checksummed pieces, so a body cut short by a
//! dropped connection still delivers every complete piece.
//!
//! A tus PATCH with one checksum for the whole body loses the whole body when the link drops;
//! on a 2G link that drops every few tens of kilobytes an upload would never finish. Here a
//! body is a sequence of frames:
//!
//! ```text
//! frame := length: u16 big-endian (1..=65535) | check: 4 bytes | data: `length` bytes
//! check := the first 4 bytes of SHA-256(data)
//! ```
//!
//! The phone writes [`FRAME_DATA`] bytes per frame (6 bytes of header per 4 KiB, ≈ 0.15 %);
//! the hub keeps every frame that arrived whole and verified, so a cut loses at most one
//! frame. The check guards against corruption in transit, not against a dishonest sender: the
//! whole file's SHA-256 is verified when the last byte arrives.

use sha2::{Digest, Sha256};

/// Data bytes per frame written by [`encode`].
pub const FRAME_DATA: usize = 4096;
/// Header bytes per frame (length + check).
pub const FRAME_HEADER: usize = 6;
/// The largest data length a frame can declare.
pub const FRAME_DATA_MAX: usize = u16::MAX as usize;

/// The check of one frame's data.
fn check(data: &[u8]) -> [u8; 4] {
    let digest = Sha256::digest(data);
    let mut out = [0u8; 4];
    out.copy_from_slice(&digest[..4]);
    out
}

/// The encoded length of `data_len` bytes split into frames of [`FRAME_DATA`].
pub fn encoded_len(data_len: usize) -> usize {
    data_len + data_len.div_ceil(FRAME_DATA) * FRAME_HEADER
}

/// Splits `data` into frames of [`FRAME_DATA`] bytes (the last may be shorter).
pub fn encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(data.len()));
    for piece in data.chunks(FRAME_DATA) {
        // FRAME_DATA fits a u16, so the cast is exact.
        out.extend_from_slice(&(piece.len() as u16).to_be_bytes());
        out.extend_from_slice(&check(piece));
        out.extend_from_slice(piece);
    }
    out
}

/// Why decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameStop {
    /// Every frame was whole and verified.
    End,
    /// The body was cut inside a frame (only when decoding a cut body); the rest is ignored.
    Cut,
    /// A frame failed its check.
    ChecksumMismatch,
    /// A frame declared length 0, was truncated in a body that was not cut, or would go past
    /// the limit.
    Malformed,
}

/// The verified data at the start of a body, and why decoding stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The data of every whole, verified frame before the stop.
    pub data: Vec<u8>,
    /// Why decoding stopped.
    pub stop: FrameStop,
}

/// Decodes a body into at most `limit` data bytes, keeping every frame up to the first bad one.
///
/// `cut` says the body ended early: a trailing partial frame then stops decoding with
/// [`FrameStop::Cut`] instead of [`FrameStop::Malformed`]. Never panics.
pub fn decode(body: &[u8], cut: bool, limit: u64) -> Decoded {
    let mut data = Vec::with_capacity(body.len().min(usize::try_from(limit).unwrap_or(usize::MAX)));
    let mut rest = body;
    let truncated = if cut {
        FrameStop::Cut
    } else {
        FrameStop::Malformed
    };
    let stop = loop {
        let Some((header, after)) = rest.split_first_chunk::<FRAME_HEADER>() else {
            break if rest.is_empty() {
                FrameStop::End
            } else {
                truncated
            };
        };
        let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
        if len == 0 || (data.len() + len) as u64 > limit {
            break FrameStop::Malformed;
        }
        let Some((piece, after)) = after.split_at_checked(len) else {
            break truncated;
        };
        if check(piece) != header[2..] {
            break FrameStop::ChecksumMismatch;
        }
        data.extend_from_slice(piece);
        rest = after;
    };
    Decoded { data, stop }
}
