//! The blob endpoints (`HEAD`/`GET`/`PATCH /v1/blobs/{sha256}`, `POST /v1/blobs`): each
//! request becomes one call on [`blob::Hub`], each answer goes out through [`super::reply`].

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::RANGE;
use axum::response::Response;
use tracing::Instrument;
use tracing::field::{Empty, display};
use wangge_proto::Locale;
use wangge_proto::values::ContentHash;

use super::auth::Authenticate;
use super::body;
use super::error::ApiError;
use super::headers::{self, BlobHash, content_length, has_content_type, required_u64};
use super::locale::locale;
use super::reply::reply;
use crate::blob::http::{
    FRAMING, FRAMING_V1, PATCH_CONTENT_TYPE, UPLOAD_LENGTH, UPLOAD_METADATA, UPLOAD_OFFSET,
    parse_range, parse_upload_metadata,
};
use crate::blob::{self, BlobError, BlobResponse, BlobStore, ContentCheck, Incoming, frame};
use crate::hub::Session;

/// What the blob handlers need: the blob hub and the server's authentication.
#[derive(Debug)]
pub struct BlobState<B, C, A> {
    /// The hub answering blob requests.
    pub blobs: Arc<blob::Hub<B, C>>,
    /// Who is calling, and what they may read.
    pub auth: Arc<A>,
}

impl<B, C, A> Clone for BlobState<B, C, A> {
    fn clone(&self) -> Self {
        Self {
            blobs: Arc::clone(&self.blobs),
            auth: Arc::clone(&self.auth),
        }
    }
}

impl<B: BlobStore, C: ContentCheck, A: Authenticate> BlobState<B, C, A> {
    async fn session(&self, headers: &HeaderMap, locale: Locale) -> Result<Session, ApiError> {
        let session = self
            .auth
            .session(headers)
            .await
            .map_err(|e| ApiError::auth(locale, e))?;
        tracing::Span::current().record("user.id", display(&session.user));
        Ok(session)
    }

    /// Signs the caller in and checks they may read `hash`; a blob they may not read is
    /// answered as unknown, so its existence does not leak.
    async fn reader(
        &self,
        headers: &HeaderMap,
        hash: &ContentHash,
        locale: Locale,
    ) -> Result<(), ApiError> {
        let session = self.session(headers, locale).await?;
        let allowed = self
            .auth
            .may_read_blob(&session, hash)
            .await
            .map_err(|e| ApiError::auth(locale, e))?;
        if allowed {
            Ok(())
        } else {
            Err(ApiError::blob(locale, BlobError::Unknown))
        }
    }
}

/// `HEAD /v1/blobs/{sha256}`: where the blob or its upload stands. An upload in progress
/// is reported to any signed-in caller — resuming needs its offset, and an offset reveals
/// nothing of the content; a complete blob only to callers who may read it (404 otherwise,
/// as for a blob that does not exist).
#[tracing::instrument(name = "blob.head", skip_all, fields(user.id = Empty, blob = %hash))]
pub(super) async fn head<B, C, A>(
    State(state): State<BlobState<B, C, A>>,
    BlobHash(hash): BlobHash,
    headers: HeaderMap,
) -> Result<Response, ApiError>
where
    B: BlobStore + 'static,
    C: ContentCheck + 'static,
    A: Authenticate,
{
    let locale = locale(&headers);
    let session = state.session(&headers, locale).await?;
    let answer = state
        .blobs
        .head(&hash)
        .await
        .map_err(|e| ApiError::blob_store(locale, e))?;
    if let BlobResponse::Complete { .. } = answer {
        let allowed = state
            .auth
            .may_read_blob(&session, &hash)
            .await
            .map_err(|e| ApiError::auth(locale, e))?;
        if !allowed {
            return Err(ApiError::blob(locale, BlobError::Unknown));
        }
    }
    reply(answer, &hash, locale)
}

/// `GET /v1/blobs/{sha256}` with an optional `Range: bytes=N-` (any other range is
/// ignored and the whole blob sent); 404 for a blob the caller may not read.
#[tracing::instrument(name = "blob.get", skip_all, fields(user.id = Empty, blob = %hash))]
pub(super) async fn get<B, C, A>(
    State(state): State<BlobState<B, C, A>>,
    BlobHash(hash): BlobHash,
    headers: HeaderMap,
) -> Result<Response, ApiError>
where
    B: BlobStore + 'static,
    C: ContentCheck + 'static,
    A: Authenticate,
{
    let locale = locale(&headers);
    state.reader(&headers, &hash, locale).await?;
    let from = headers::text(&headers, RANGE.as_str())
        .and_then(parse_range)
        .unwrap_or(0);
    let answer = state
        .blobs
        .get(&hash, from)
        .await
        .map_err(|e| ApiError::blob_store(locale, e))?;
    reply(answer, &hash, locale)
}

/// `POST /v1/blobs` with `Upload-Length` and `Upload-Metadata: sha256 …`: starts (or
/// reports) an upload.
#[tracing::instrument(name = "blob.create", skip_all, fields(user.id = Empty, blob = Empty))]
pub(super) async fn create<B, C, A>(
    State(state): State<BlobState<B, C, A>>,
    headers: HeaderMap,
) -> Result<Response, ApiError>
where
    B: BlobStore + 'static,
    C: ContentCheck + 'static,
    A: Authenticate,
{
    let locale = locale(&headers);
    state.session(&headers, locale).await?;
    let length = required_u64(&headers, UPLOAD_LENGTH, locale)?;
    let hash = headers::text(&headers, UPLOAD_METADATA)
        .and_then(parse_upload_metadata)
        .ok_or_else(|| ApiError::invalid_header(locale, UPLOAD_METADATA))?;
    tracing::Span::current().record("blob", display(&hash));
    let answer = state
        .blobs
        .create(&hash, length)
        .await
        .map_err(|e| ApiError::blob_store(locale, e))?;
    reply(answer, &hash, locale)
}

/// `PATCH /v1/blobs/{sha256}` with `Upload-Offset` and a framed body. The body is read and
/// handed to the hub in a task of its own, so that when the connection drops mid-body the
/// complete frames that did arrive are still kept.
#[tracing::instrument(name = "blob.patch", skip_all, fields(user.id = Empty, blob = %hash))]
pub(super) async fn patch<B, C, A>(
    State(state): State<BlobState<B, C, A>>,
    BlobHash(hash): BlobHash,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError>
where
    B: BlobStore + 'static,
    C: ContentCheck + 'static,
    A: Authenticate,
{
    let locale = locale(&headers);
    state.session(&headers, locale).await?;
    if !has_content_type(&headers, PATCH_CONTENT_TYPE) {
        return Err(ApiError::unsupported_media_type(locale, PATCH_CONTENT_TYPE));
    }
    if headers::text(&headers, FRAMING) != Some(FRAMING_V1) {
        return Err(ApiError::invalid_header(locale, FRAMING));
    }
    let offset = required_u64(&headers, UPLOAD_OFFSET, locale)?;
    let max_length = state.blobs.config().max_length;
    let limit = frame::encoded_len(usize::try_from(max_length).unwrap_or(usize::MAX));
    let declared = content_length(&headers);
    let task = tokio::spawn(
        keep_frames(
            Arc::clone(&state.blobs),
            hash,
            offset,
            body,
            declared,
            limit,
        )
        .instrument(tracing::Span::current()),
    );
    let answer = task
        .await
        .map_err(|e| ApiError::internal(locale, e))?
        .map_err(|e| ApiError::blob_store(locale, e))?
        .ok_or_else(|| ApiError::blob(locale, BlobError::TooLarge { max: max_length }))?;
    reply(answer, &hash, locale)
}

/// Reads a PATCH body as far as it arrives and hands it to the hub, marked cut if it ended
/// early; `None` when it is over `limit`.
async fn keep_frames<B: BlobStore, C: ContentCheck>(
    blobs: Arc<blob::Hub<B, C>>,
    hash: ContentHash,
    offset: u64,
    body: Body,
    declared: Option<u64>,
    limit: usize,
) -> Result<Option<BlobResponse>, B::Error> {
    let Ok(received) = body::read(body, declared, limit).await else {
        return Ok(None);
    };
    if received.cut {
        tracing::info!(bytes = received.bytes.len(), "PATCH body cut short");
    }
    let incoming = Incoming {
        bytes: &received.bytes,
        cut: received.cut,
    };
    blobs.patch(&hash, offset, incoming).await.map(Some)
}
