//! Framing: header, compression, limits.

use std::io::{Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Limits};

/// The protocol version this build writes.
///
/// - 1: the first.
/// - 2: a verdict may be [`Outcome::Held`](crate::wire::Outcome::Held). A hub answers a
///   version-1 request in version 1, without that verdict.
pub const VERSION: u8 = 2;
/// Oldest version this build reads.
pub const MIN_VERSION: u8 = 1;
/// Newest version this build reads.
pub const MAX_VERSION: u8 = 2;
/// The first version whose verdicts may hold a case back.
pub const HELD_SINCE: u8 = 2;

const MAGIC: [u8; 2] = *b"WG";
const HEADER_LEN: usize = 4;
/// zstd level 3: < 2 ms for a 200-case batch, most of the gain of higher levels.
const ZSTD_LEVEL: i32 = 3;

/// Which message a body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Phone → hub: [`crate::wire::SyncRequest`].
    SyncRequest,
    /// Hub → phone: [`crate::wire::SyncResponse`].
    SyncResponse,
    /// Phone ↔ phone: [`crate::wire::PeerMessage`].
    Peer,
}

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Self::SyncRequest => 1,
            Self::SyncResponse => 2,
            Self::Peer => 3,
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            1 => Some(Self::SyncRequest),
            2 => Some(Self::SyncResponse),
            3 => Some(Self::Peer),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::SyncRequest => "sync request",
            Self::SyncResponse => "sync response",
            Self::Peer => "peer",
        }
    }
}

/// Encodes a message of `kind` in this build's [`VERSION`].
pub fn encode<T: Serialize>(kind: Kind, message: &T) -> Vec<u8> {
    encode_as(kind, VERSION, message)
}

/// Encodes a message of `kind` under the header of `version` (a hub answers a request in the
/// request's version; the caller makes sure the message is one that version can say).
pub fn encode_as<T: Serialize>(kind: Kind, version: u8, message: &T) -> Vec<u8> {
    let mut body = Vec::new();
    // Writing CBOR into a Vec fails only if a Serialize impl fails; ours are derived.
    if let Err(error) = ciborium::into_writer(message, &mut body) {
        debug_assert!(false, "CBOR encoding failed: {error}");
    }
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() / 2);
    out.extend_from_slice(&MAGIC);
    out.push(version);
    out.push(kind.byte());
    match compress(&body, out) {
        Ok(out) => out,
        Err(error) => {
            debug_assert!(false, "zstd compression into memory failed: {error}");
            Vec::new()
        }
    }
}

/// Compresses with a content checksum, so damage in transit that zstd would otherwise
/// decode into different bytes is caught as [`Error::Corrupt`].
fn compress(body: &[u8], out: Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut encoder = zstd::stream::Encoder::new(out, ZSTD_LEVEL)?;
    encoder.include_checksum(true)?;
    encoder.write_all(body)?;
    encoder.finish()
}

/// Decodes a message that must be of kind `expected`, enforcing `limits`.
pub fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    expected: Kind,
    limits: &Limits,
) -> Result<T, Error> {
    decode_versioned(bytes, expected, limits).map(|(_, message)| message)
}

/// Decodes as [`decode`] does, and returns the version the message was written in too.
pub fn decode_versioned<T: DeserializeOwned>(
    bytes: &[u8],
    expected: Kind,
    limits: &Limits,
) -> Result<(u8, T), Error> {
    let (kind, body) = decode_any(bytes, limits)?;
    if kind != expected {
        return Err(Error::UnexpectedKind {
            expected: expected.name(),
            found: kind.name().to_owned(),
        });
    }
    let message = ciborium::from_reader(body.as_slice()).map_err(|e| Error::Malformed {
        detail: e.to_string(),
    })?;
    // `decode_any` checked the header, so the version byte is there.
    Ok((bytes[2], message))
}

/// Checks the header and decompresses the body, returning its kind and CBOR bytes.
pub fn decode_any(bytes: &[u8], limits: &Limits) -> Result<(Kind, Vec<u8>), Error> {
    if bytes.len() > limits.max_message_bytes {
        return Err(Error::MessageTooLarge {
            size: bytes.len(),
            limit: limits.max_message_bytes,
        });
    }
    if bytes.len() < HEADER_LEN {
        if !MAGIC.starts_with(bytes) {
            return Err(Error::NotSync);
        }
        return Err(Error::Truncated {
            detail: format!("{} bytes, the header alone is {HEADER_LEN}", bytes.len()),
        });
    }
    if bytes[..2] != MAGIC {
        return Err(Error::NotSync);
    }
    let version = bytes[2];
    if !(MIN_VERSION..=MAX_VERSION).contains(&version) {
        return Err(Error::UnsupportedVersion {
            found: version,
            min: MIN_VERSION,
            max: MAX_VERSION,
        });
    }
    let kind = Kind::from_byte(bytes[3]).ok_or_else(|| Error::UnexpectedKind {
        expected: "known",
        found: format!("kind {}", bytes[3]),
    })?;
    let body = decompress(&bytes[HEADER_LEN..], limits.max_body_bytes)?;
    Ok((kind, body))
}

fn decompress(compressed: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    let decoder =
        zstd::stream::read::Decoder::with_buffer(compressed).map_err(|e| Error::Corrupt {
            detail: e.to_string(),
        })?;
    let mut body = Vec::new();
    // Read one byte past the limit to tell "exactly at the limit" from "over it".
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let read = decoder
        .single_frame()
        .take(cap)
        .read_to_end(&mut body)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::Truncated {
                    detail: e.to_string(),
                }
            } else {
                Error::Corrupt {
                    detail: e.to_string(),
                }
            }
        })?;
    if read > limit {
        return Err(Error::BodyTooLarge { limit });
    }
    Ok(body)
}
