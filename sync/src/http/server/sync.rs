//! `POST /v1/sync`: one authenticated round trip of the phone ↔ server protocol.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tracing::field::{Empty, display};

use super::auth::Authenticate;
use super::body::{self, TooLarge};
use super::error::ApiError;
use super::headers::{content_length, has_content_type};
use super::locale::locale;
use crate::Error;
use crate::http::SYNC_CONTENT_TYPE;
use crate::hub::{Hub, HubStore, Policy};

/// What the sync handler needs: the hub and the server's authentication.
#[derive(Debug)]
pub struct SyncState<S, P, A> {
    /// The hub answering requests.
    pub hub: Arc<Hub<S, P>>,
    /// Who is calling.
    pub auth: Arc<A>,
}

impl<S, P, A> Clone for SyncState<S, P, A> {
    fn clone(&self) -> Self {
        Self {
            hub: Arc::clone(&self.hub),
            auth: Arc::clone(&self.auth),
        }
    }
}

/// Authenticates, reads the body within [`Limits::max_message_bytes`](crate::Limits), and
/// answers with [`Hub::sync`].
#[tracing::instrument(name = "sync", skip_all, fields(user.id = Empty, device = Empty))]
pub(super) async fn sync<S, P, A>(
    State(state): State<SyncState<S, P, A>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError>
where
    S: HubStore + 'static,
    P: Policy + 'static,
    A: Authenticate,
{
    let locale = locale(&headers);
    let session = state
        .auth
        .session(&headers)
        .await
        .map_err(|e| ApiError::auth(locale, e))?;
    let span = tracing::Span::current();
    span.record("user.id", display(&session.user));
    span.record("device", display(&session.device));
    if !has_content_type(&headers, SYNC_CONTENT_TYPE) {
        return Err(ApiError::unsupported_media_type(locale, SYNC_CONTENT_TYPE));
    }
    let limit = state.hub.limits().max_message_bytes;
    let received = body::read(body, content_length(&headers), limit)
        .await
        .map_err(|TooLarge { size }| {
            ApiError::sync(locale, Error::MessageTooLarge { size, limit })
        })?;
    if received.cut {
        return Err(ApiError::sync(
            locale,
            Error::Truncated {
                detail: "the connection dropped in the middle of the request".into(),
            },
        ));
    }
    let answer = state
        .hub
        .sync(&session, &received.bytes)
        .await
        .map_err(|e| ApiError::sync(locale, e))?;
    Ok((
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static(SYNC_CONTENT_TYPE)),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        answer,
    )
        .into_response())
}
