//! Reading what a request says in its path and headers, once, into typed values; anything
//! malformed becomes a 400 naming what was wrong.

use axum::extract::{FromRequestParts, Path};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use wangge_proto::Locale;
use wangge_proto::values::ContentHash;

use super::error::ApiError;
use super::locale::locale;

/// The `Content-Length` of a request, if it has a valid one.
pub(super) fn content_length(headers: &HeaderMap) -> Option<u64> {
    text(headers, CONTENT_LENGTH.as_str())?.parse().ok()
}

/// Whether the request's `Content-Type` is `expected` (parameters ignored).
pub(super) fn has_content_type(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

/// The header's value as trimmed text, if present and visible ASCII.
pub(super) fn text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    Some(headers.get(name)?.to_str().ok()?.trim())
}

/// A required header holding a non-negative integer (tus `Upload-Offset`, `Upload-Length`).
pub(super) fn required_u64(
    headers: &HeaderMap,
    name: &'static str,
    locale: Locale,
) -> Result<u64, ApiError> {
    text(headers, name)
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ApiError::invalid_header(locale, name))
}

/// The content hash in a blob path (`/v1/blobs/{sha256}`), or a 400.
#[derive(Debug, Clone, Copy)]
pub(super) struct BlobHash(pub ContentHash);

impl<S: Send + Sync> FromRequestParts<S> for BlobHash {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let locale = locale(&parts.headers);
        let invalid = || ApiError::invalid_hash(locale);
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| invalid())?;
        raw.parse().map(Self).map_err(|_| invalid())
    }
}
