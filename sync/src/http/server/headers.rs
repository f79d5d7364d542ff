//! Reading what a request says in its path and headers, once, into typed values; anything
//! malformed becomes a 400 naming the header.

use axum::http::HeaderMap;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use wangge_proto::Locale;
use wangge_proto::values::ContentHash;

use super::error::ApiError;

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

/// The content hash in a blob path.
pub(super) fn hash(raw: &str, locale: Locale) -> Result<ContentHash, ApiError> {
    raw.parse().map_err(|_| ApiError::invalid_hash(locale))
}
