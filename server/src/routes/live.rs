//! `GET /v1/live`: the live channel as Server-Sent Events (see `crate::live` and
//! `wangge_sync::http::live` for the events), authenticated like every API call.
//!
//! Browsers' `EventSource` cannot set an `Authorization` header, so on this route alone the
//! token may come as `?token=…`. [`token_from_query`] runs before anything logs the request:
//! it moves the token into the `Authorization` header and out of the URI, so neither the
//! trace spans nor the handler ever see it in a URL (ADR 0007 weighs what is left: proxies'
//! access logs in front of the server).

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, HeaderValue};
use axum::http::{HeaderMap, Uri};
use axum::middleware::Next;
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use wangge_proto::values::Timestamp;
use wangge_sync::http::live::{LIVE_PATH, LIVE_TOKEN_PARAM};
use wangge_sync::http::server::{bearer_token, locale};

use super::error::{ApiError, ErrorBody};
use crate::live::{Live, events};
use crate::services::accounts::{AccountError, Accounts};
use crate::store::Store;

/// What the live route needs.
#[derive(Debug, Clone)]
pub struct LiveState<S> {
    /// Token checks.
    pub accounts: Accounts<S>,
    /// The channel.
    pub live: Live,
}

/// `GET /v1/live`: 401 `{code, message}` for a missing, expired or revoked token, before
/// the stream starts; 503 while shutting down.
#[utoipa::path(
    get,
    path = "/v1/live",
    tag = "sync",
    security(("bearer" = [])),
    params(("token" = Option<String>, Query, description = "The bearer token, for browsers' EventSource (which cannot set headers)")),
    responses(
        (status = 200, description = "Server-Sent Events: `resync {}` first, `moved {\"cursor\": N}` when a case of the user's scope moved, keep-alive comments", content_type = "text/event-stream", body = String),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 503, description = "Shutting down", body = ErrorBody),
    )
)]
pub async fn live<S: Store>(
    State(state): State<LiveState<S>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let locale = locale(&headers);
    let token = bearer_token(&headers)
        .ok_or_else(|| ApiError::account(locale, AccountError::BadToken))?
        .to_owned();
    let (user, _) = state
        .accounts
        .authenticate(&token, Timestamp::now())
        .await
        .map_err(|e| ApiError::account(locale, e))?;
    if state.live.is_closed() {
        return Err(ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "http.shutting_down",
            locale.pick(
                "服务器正在重启，请稍后重新连接。",
                "The server is restarting; reconnect in a moment.",
            ),
        ));
    }
    tracing::debug!(user.id = %user.id, "live: stream opened");
    let settings = state.live.settings();
    let stream = events(
        state.live.subscribe(),
        user.scope,
        state.accounts.clone(),
        token,
        settings.recheck,
    );
    let mut response = Sse::new(stream)
        .keep_alive(
            KeepAlive::new()
                .interval(settings.keep_alive)
                .text("keep-alive"),
        )
        .into_response();
    // nginx and similar proxies buffer responses unless told not to.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// On `GET /v1/live?token=…` without an `Authorization` header: moves the token into
/// `Authorization: Bearer …`, and drops it from the URI in every case.
pub async fn token_from_query(mut request: Request, next: Next) -> Response {
    if request.uri().path() == LIVE_PATH
        && let Some(query) = request.uri().query().map(str::to_owned)
    {
        let prefix = format!("{LIVE_TOKEN_PARAM}=");
        let mut token = None;
        let rest: Vec<&str> = query
            .split('&')
            .filter(|pair| match pair.strip_prefix(&prefix) {
                Some(value) => {
                    token.get_or_insert(value.to_owned());
                    false
                }
                None => true,
            })
            .collect();
        if let Some(token) = token {
            if !request.headers().contains_key(AUTHORIZATION)
                && let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}"))
            {
                request.headers_mut().insert(AUTHORIZATION, value);
            }
            let path_and_query = if rest.is_empty() {
                LIVE_PATH.to_owned()
            } else {
                format!("{LIVE_PATH}?{}", rest.join("&"))
            };
            let mut parts = request.uri().clone().into_parts();
            if let Ok(pq) = path_and_query.parse() {
                parts.path_and_query = Some(pq);
                if let Ok(uri) = Uri::from_parts(parts) {
                    *request.uri_mut() = uri;
                }
            }
        }
    }
    next.run(request).await
}
