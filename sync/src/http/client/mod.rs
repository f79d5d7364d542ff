//! The phone's side over HTTP: an [`HttpClient`] for one base URL and access token, and the
//! drivers that run the sans-IO protocol through it — [`sync_once`] (one sync round trip),
//! [`upload`] and [`download`] (a blob transfer until done or until the link fails) — and
//! the live subscription ([`HttpClient::live`], a [`LiveStream`] of events telling the phone
//! when to sync).
//!
//! The drivers stop at the first network failure and leave the state machine ready to
//! resume; when and how often to retry is the phone library's decision. Errors come back as
//! one [`HttpError`], whose [`code`](HttpError::code) and [`message`](HttpError::message) are
//! the server's when it refused.

mod blob;
mod drive;
mod error;
mod json;
mod live;
mod sse;

use std::time::Duration;

pub use reqwest::Method;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE};
use reqwest::{RequestBuilder, StatusCode, Url};
use wangge_proto::Locale;

pub use drive::{download, sync_once, upload};
pub use error::HttpError;
pub use live::LiveStream;

use super::{ErrorBody, SYNC_CONTENT_TYPE, SYNC_PATH};

/// How long to wait for a connection before giving up on this attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// HTTP access to one Wangge server as one signed-in device.
#[derive(Debug, Clone)]
pub struct HttpClient {
    http: reqwest::Client,
    /// The base URL without a trailing slash.
    base: String,
    token: String,
    locale: Locale,
}

impl HttpClient {
    /// A client for the server at `base_url` (e.g. `https://grid.example.cn`, or with a path
    /// prefix) sending `Authorization: Bearer <bearer_token>`, with a connect timeout and
    /// rustls. Messages come back in zh-CN unless [`HttpClient::with_locale`] says otherwise.
    pub fn new(base_url: &str, bearer_token: impl Into<String>) -> Result<Self, HttpError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| HttpError::Setup {
                detail: e.to_string(),
            })?;
        Self::with_client(http, base_url, bearer_token)
    }

    /// Like [`HttpClient::new`] over a reqwest client configured by the caller (timeouts,
    /// proxy, extra root certificates).
    pub fn with_client(
        http: reqwest::Client,
        base_url: &str,
        bearer_token: impl Into<String>,
    ) -> Result<Self, HttpError> {
        let setup = |detail: String| HttpError::Setup { detail };
        let url = Url::parse(base_url).map_err(|e| setup(format!("{base_url}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(setup(format!("{base_url}: not an http(s) base URL")));
        }
        Ok(Self {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
            token: bearer_token.into(),
            locale: Locale::default(),
        })
    }

    /// Asks for server messages in `locale` (`Accept-Language`).
    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = locale;
        self
    }

    /// Replaces the access token (after a refresh or a new sign-in).
    pub fn set_token(&mut self, bearer_token: impl Into<String>) {
        self.token = bearer_token.into();
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends one encoded sync request and returns the encoded response.
    pub async fn sync(&self, request: &[u8]) -> Result<Vec<u8>, HttpError> {
        let response = self
            .request(Method::POST, SYNC_PATH)
            .header(CONTENT_TYPE, SYNC_CONTENT_TYPE)
            .header(ACCEPT, SYNC_CONTENT_TYPE)
            .body(request.to_vec())
            .send()
            .await
            .map_err(|e| HttpError::transport(&e))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .bytes()
            .await
            .map_err(|e| HttpError::transport(&e))?;
        if status != StatusCode::OK {
            return Err(status_error(status.as_u16(), &body, self.locale));
        }
        // A captive portal or a proxy answers 200 with a page of its own.
        if content_type.as_deref() != Some(SYNC_CONTENT_TYPE) {
            return Err(HttpError::decode(format!(
                "sync answer of type {}",
                content_type.as_deref().unwrap_or("(none)")
            )));
        }
        Ok(body.to_vec())
    }

    /// A request to `path` with the credentials and the language.
    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header(ACCEPT_LANGUAGE, language(self.locale))
    }
}

/// The `Accept-Language` value for a locale.
fn language(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "zh-CN",
        Locale::En => "en",
    }
}

/// The error for a refusal: the server's `{code, message}`, or a generic one when the body
/// is not that (a proxy's page, a `HEAD` answer).
fn status_error(status: u16, body: &[u8], locale: Locale) -> HttpError {
    if let Ok(ErrorBody { code, message }) = serde_json::from_slice(body) {
        return HttpError::Status {
            status,
            code,
            message,
        };
    }
    let (code, message) = match status {
        401 => (
            "auth.unauthenticated",
            locale
                .pick(
                    "登录已失效，请重新登录。",
                    "You are not signed in, or your session expired; sign in again.",
                )
                .to_owned(),
        ),
        _ => (
            "http.status",
            match locale {
                Locale::ZhCn => format!("服务器返回错误（{status}），请稍后重试。"),
                Locale::En => {
                    format!("The server answered with an error ({status}); try again later.")
                }
            },
        ),
    };
    HttpError::Status {
        status,
        code: code.to_owned(),
        message,
    }
}
