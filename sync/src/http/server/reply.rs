//! A blob hub answer as HTTP, exactly as [`crate::blob::http`] lays it out.

use axum::http::header::{ACCEPT_RANGES, CACHE_CONTROL, CONTENT_RANGE, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use wangge_proto::Locale;
use wangge_proto::values::ContentHash;

use super::error::ApiError;
use crate::blob::http::{UPLOAD_LENGTH, UPLOAD_OFFSET, blob_path, content_range};
use crate::blob::{BlobError, BlobResponse};

/// The response for `answer` about `hash`; `Unknown` and errors become an [`ApiError`].
pub(super) fn reply(
    answer: BlobResponse,
    hash: &ContentHash,
    locale: Locale,
) -> Result<Response, ApiError> {
    let status =
        StatusCode::from_u16(answer.http_status()).map_err(|e| ApiError::internal(locale, e))?;
    let mut headers = HeaderMap::new();
    let body = match answer {
        BlobResponse::Unknown => return Err(ApiError::blob(locale, BlobError::Unknown)),
        BlobResponse::Error(error) => return Err(ApiError::blob(locale, error)),
        BlobResponse::Progress { offset, length } => {
            progress(&mut headers, offset, length);
            Vec::new()
        }
        BlobResponse::Complete { length } => {
            progress(&mut headers, length, length);
            Vec::new()
        }
        BlobResponse::Created => {
            headers.insert(UPLOAD_OFFSET, HeaderValue::from(0u64));
            if let Ok(location) = HeaderValue::from_str(&blob_path(hash)) {
                headers.insert(LOCATION, location);
            }
            Vec::new()
        }
        BlobResponse::Accepted { offset } => {
            headers.insert(UPLOAD_OFFSET, HeaderValue::from(offset));
            Vec::new()
        }
        BlobResponse::Data { from, total, bytes } => {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            // The bytes under a hash never change; only who may read them does.
            headers.insert(
                CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            );
            if from > 0
                && let Ok(range) =
                    HeaderValue::from_str(&content_range(from, bytes.len() as u64, total))
            {
                headers.insert(CONTENT_RANGE, range);
            }
            bytes
        }
    };
    Ok((status, headers, body).into_response())
}

/// Where an upload stands (tus `HEAD`): a finished one has offset = length.
fn progress(headers: &mut HeaderMap, offset: u64, length: u64) {
    headers.insert(UPLOAD_OFFSET, HeaderValue::from(offset));
    headers.insert(UPLOAD_LENGTH, HeaderValue::from(length));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
