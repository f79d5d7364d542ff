//! How blob messages travel over HTTP, so the server (axum) and the phone (an HTTP client) map
//! them identically.
//!
//! The mapping follows tus 1.0 (core + creation), with one change: a PATCH body is a sequence of
//! checksummed frames ([`super::frame`]) instead of raw bytes with one `Upload-Checksum`, so a
//! body cut short still delivers every complete frame. Requests:
//!
//! | [`BlobRequest`](super::BlobRequest) | HTTP |
//! |---|---|
//! | `Head` | `HEAD /v1/blobs/{sha256}` |
//! | `Create` | `POST /v1/blobs` with `Upload-Length` and `Upload-Metadata: sha256 <base64>` |
//! | `Patch` | `PATCH /v1/blobs/{sha256}` with `Upload-Offset`, `Wangge-Framing: frames-v1`, content type `application/offset+octet-stream` |
//! | `Get` | `GET /v1/blobs/{sha256}` with `Range: bytes=N-` |
//!
//! Every request and response carries `Tus-Resumable: 1.0.0` (except the GET). Responses:
//! `Unknown` → 404; `Progress` → 200 with `Upload-Offset` and `Upload-Length`; `Complete` →
//! 200 with `Upload-Offset` = `Upload-Length` (so a plain tus client sees a finished upload);
//! `Created` → 201 with `Location`; `Accepted` → 204 with `Upload-Offset`; `Data` → 200 (from
//! 0) or 206 with `Content-Range`; `Error` → [`BlobError::http_status`](super::BlobError::http_status)
//! with the error as the body (serde, tagged by its code) and, where it has one, the offset
//! in `Upload-Offset`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use wangge_proto::values::ContentHash;

/// The collection path: `POST` here creates an upload.
pub const BLOBS_PATH: &str = "/v1/blobs";
/// The tus version header.
pub const TUS_RESUMABLE: &str = "Tus-Resumable";
/// The only tus version spoken.
pub const TUS_VERSION: &str = "1.0.0";
/// The header listing tus extensions (answer to `OPTIONS`).
pub const TUS_EXTENSION: &str = "Tus-Extension";
/// The extensions supported (the checksum is per frame, in the body, see [`FRAMING`]).
pub const TUS_EXTENSIONS: &str = "creation";
/// The header announcing the largest upload accepted.
pub const TUS_MAX_SIZE: &str = "Tus-Max-Size";
/// The header with the offset of an upload (PATCH request, HEAD and PATCH responses).
pub const UPLOAD_OFFSET: &str = "Upload-Offset";
/// The header with the total length of an upload (POST request, HEAD response).
pub const UPLOAD_LENGTH: &str = "Upload-Length";
/// The tus metadata header; the POST carries the hash as `sha256 <base64 of the 32 bytes>`.
pub const UPLOAD_METADATA: &str = "Upload-Metadata";
/// The metadata key under which the hash travels.
pub const METADATA_SHA256: &str = "sha256";
/// The content type of a PATCH body (tus).
pub const PATCH_CONTENT_TYPE: &str = "application/offset+octet-stream";
/// The header naming the PATCH body framing.
pub const FRAMING: &str = "Wangge-Framing";
/// The framing of [`super::frame`], version 1.
pub const FRAMING_V1: &str = "frames-v1";
/// The request header for a download from an offset.
pub const RANGE: &str = "Range";
/// The response header saying which part of a blob the body holds.
pub const CONTENT_RANGE: &str = "Content-Range";

/// HTTP status codes used by the blob endpoints.
pub mod status {
    /// HEAD found the blob or upload; GET from offset 0.
    pub const OK: u16 = 200;
    /// POST created the upload.
    pub const CREATED: u16 = 201;
    /// PATCH accepted; the new offset is in `Upload-Offset`.
    pub const NO_CONTENT: u16 = 204;
    /// GET from an offset past 0.
    pub const PARTIAL_CONTENT: u16 = 206;
    /// Malformed frames or request.
    pub const BAD_REQUEST: u16 = 400;
    /// No such blob or upload.
    pub const NOT_FOUND: u16 = 404;
    /// PATCH at the wrong offset (tus).
    pub const CONFLICT: u16 = 409;
    /// Declared length over the limit (tus).
    pub const PAYLOAD_TOO_LARGE: u16 = 413;
    /// Range past the end.
    pub const RANGE_NOT_SATISFIABLE: u16 = 416;
    /// The content check refused the bytes.
    pub const UNPROCESSABLE_CONTENT: u16 = 422;
    /// A frame checksum or the whole-file hash did not match (tus checksum extension).
    pub const CHECKSUM_MISMATCH: u16 = 460;
}

/// The path of one blob: `/v1/blobs/{sha256 hex}`.
pub fn blob_path(hash: &ContentHash) -> String {
    format!("{BLOBS_PATH}/{hash}")
}

/// The `Upload-Metadata` value carrying the hash.
pub fn upload_metadata(hash: &ContentHash) -> String {
    format!("{METADATA_SHA256} {}", STANDARD.encode(hash.as_bytes()))
}

/// Reads the hash from an `Upload-Metadata` value (other keys are ignored); `None` if absent
/// or malformed.
pub fn parse_upload_metadata(value: &str) -> Option<ContentHash> {
    value.split(',').find_map(|pair| {
        let mut parts = pair.trim().splitn(2, ' ');
        if parts.next()? != METADATA_SHA256 {
            return None;
        }
        let bytes = STANDARD.decode(parts.next()?.trim()).ok()?;
        Some(ContentHash::from_bytes(bytes.try_into().ok()?))
    })
}

/// The `Range` value asking for everything from `from`: `bytes=N-`.
pub fn range(from: u64) -> String {
    format!("bytes={from}-")
}

/// Reads a `Range` value of the form `bytes=N-` (the only form the phone sends).
pub fn parse_range(value: &str) -> Option<u64> {
    value
        .strip_prefix("bytes=")?
        .strip_suffix('-')?
        .parse()
        .ok()
}

/// The `Content-Range` value for `len` bytes from `from` of a blob of `total` bytes
/// (`bytes */total` when `len` is 0).
pub fn content_range(from: u64, len: u64, total: u64) -> String {
    match len {
        0 => format!("bytes */{total}"),
        _ => format!("bytes {from}-{}/{total}", from.saturating_add(len) - 1),
    }
}

/// Reads a `Content-Range` value into `(from, total)`; `None` if malformed or inconsistent.
pub fn parse_content_range(value: &str) -> Option<(u64, u64)> {
    let rest = value.strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let total: u64 = total.parse().ok()?;
    if span == "*" {
        return Some((total, total));
    }
    let (first, last) = span.split_once('-')?;
    let (first, last): (u64, u64) = (first.parse().ok()?, last.parse().ok()?);
    (first <= last && last < total).then_some((first, total))
}
