//! Rate limits: sign-in attempts per login name (against password guessing) and sync
//! requests per access token (a phone stuck in a retry loop must not starve the others).
//! Over the limit the answer is 429 with `{code, message}` and `Retry-After`.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header::RETRY_AFTER};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use wangge_proto::Locale;
use wangge_sync::http::server::{bearer_token, locale};

use super::error::ApiError;

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>;

/// The server's rate limiters.
#[derive(Debug, Clone)]
pub struct Limits {
    sign_in: Arc<Keyed>,
    sync: Arc<Keyed>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    /// `sign_in_per_minute` attempts per login, `sync_per_minute` syncs per token (with
    /// bursts of the same size).
    pub fn new(sign_in_per_minute: u32, sync_per_minute: u32) -> Self {
        Self {
            sign_in: Arc::new(RateLimiter::keyed(per_minute(sign_in_per_minute))),
            sync: Arc::new(RateLimiter::keyed(per_minute(sync_per_minute))),
        }
    }

    /// Whether another sign-in attempt for `login` is allowed now.
    pub fn allow_sign_in(&self, login: &str, locale: Locale) -> Result<(), ApiError> {
        self.sign_in
            .check_key(&login.to_lowercase())
            .map_err(|_| too_many(locale))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(10, 120)
    }
}

fn too_many(locale: Locale) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "http.rate_limited",
        locale.pick(
            "请求过于频繁，请稍后再试。",
            "Too many requests; try again in a minute.",
        ),
    )
}

/// Middleware for the sync endpoint: limits requests per bearer token.
pub async fn sync(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    if let Some(token) = bearer_token(request.headers()) {
        let key = hex::encode(crate::services::accounts::token_hash(token));
        if limits.sync.check_key(&key).is_err() {
            let mut response = too_many(locale(request.headers())).into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("60"));
            return response;
        }
    }
    next.run(request).await
}
