//! The tus 1.0 envelope of the blob endpoints: the version header on every answer but a
//! download, a 412 for another version, and `OPTIONS` discovery.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::blobs::BlobState;
use super::error::ApiError;
use super::locale::locale;
use crate::blob::http::{TUS_EXTENSION, TUS_EXTENSIONS, TUS_MAX_SIZE, TUS_RESUMABLE, TUS_VERSION};
use crate::blob::{BlobStore, ContentCheck};

/// The tus header listing the versions a server speaks (answer to `OPTIONS` and to a 412).
pub(super) const TUS_VERSION_HEADER: &str = "Tus-Version";

/// Refuses another tus version (412) and marks every answer but a GET's with
/// `Tus-Resumable`.
pub(super) async fn envelope(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let version = request.headers().get(TUS_RESUMABLE);
    let mut response = if method != Method::OPTIONS
        && version.is_some_and(|v| v.as_bytes() != TUS_VERSION.as_bytes())
    {
        ApiError::tus_version(locale(request.headers())).into_response()
    } else {
        next.run(request).await
    };
    if method != Method::GET {
        response
            .headers_mut()
            .insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
    }
    response
}

/// `OPTIONS /v1/blobs`: the version, the extensions and the size limit. Needs no sign-in.
pub(super) async fn options<B, C, A>(State(state): State<BlobState<B, C, A>>) -> Response
where
    B: BlobStore,
    C: ContentCheck,
{
    let max_length = state.blobs.config().max_length;
    (
        StatusCode::NO_CONTENT,
        [
            (TUS_VERSION_HEADER, HeaderValue::from_static(TUS_VERSION)),
            (TUS_EXTENSION, HeaderValue::from_static(TUS_EXTENSIONS)),
            (TUS_MAX_SIZE, HeaderValue::from(max_length)),
        ],
    )
        .into_response()
}
