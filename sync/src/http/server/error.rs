//! The one error answer of the handlers: a status, a JSON body `{code, message, …}` in the
//! caller's language, and a log line. Causes of 5xx answers are logged, never sent.

use axum::http::header::{CONTENT_RANGE, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use wangge_proto::Locale;

use super::auth::AuthError;
use super::tus::TUS_VERSION_HEADER;
use crate::Error;
use crate::blob::BlobError;
use crate::blob::http::{TUS_VERSION, UPLOAD_OFFSET, content_range};

/// Why a request was refused, with the locale to explain it in.
#[derive(Debug)]
pub(super) struct ApiError {
    locale: Locale,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// The sync protocol refused the request (or its store failed).
    Sync(Error),
    /// No valid credentials, or the credential store failed.
    Auth(AuthError),
    /// A blob step failed in a way the phone acts on.
    Blob(BlobError),
    /// The blob store failed.
    BlobStore(String),
    /// The path does not hold a content hash.
    InvalidHash,
    /// A required header is missing or malformed.
    InvalidHeader(&'static str),
    /// The body is not of the content type the endpoint takes.
    UnsupportedMediaType(&'static str),
    /// The request speaks another tus version.
    TusVersion,
    /// Something in this layer failed (a task panicked).
    Internal(String),
}

impl ApiError {
    fn new(locale: Locale, kind: Kind) -> Self {
        Self { locale, kind }
    }

    pub(super) fn sync(locale: Locale, error: Error) -> Self {
        Self::new(locale, Kind::Sync(error))
    }

    pub(super) fn auth(locale: Locale, error: AuthError) -> Self {
        Self::new(locale, Kind::Auth(error))
    }

    pub(super) fn blob(locale: Locale, error: BlobError) -> Self {
        Self::new(locale, Kind::Blob(error))
    }

    pub(super) fn blob_store(locale: Locale, error: impl std::fmt::Display) -> Self {
        Self::new(locale, Kind::BlobStore(error.to_string()))
    }

    pub(super) fn invalid_hash(locale: Locale) -> Self {
        Self::new(locale, Kind::InvalidHash)
    }

    pub(super) fn invalid_header(locale: Locale, header: &'static str) -> Self {
        Self::new(locale, Kind::InvalidHeader(header))
    }

    pub(super) fn unsupported_media_type(locale: Locale, expected: &'static str) -> Self {
        Self::new(locale, Kind::UnsupportedMediaType(expected))
    }

    pub(super) fn tus_version(locale: Locale) -> Self {
        Self::new(locale, Kind::TusVersion)
    }

    pub(super) fn internal(locale: Locale, cause: impl std::fmt::Display) -> Self {
        Self::new(locale, Kind::Internal(cause.to_string()))
    }

    fn status(&self) -> StatusCode {
        let status = match &self.kind {
            Kind::Sync(Error::MessageTooLarge { .. } | Error::BodyTooLarge { .. }) => 413,
            Kind::Sync(e) if e.is_client_error() => 400,
            Kind::Sync(_) | Kind::BlobStore(_) | Kind::Auth(AuthError::Unavailable { .. }) => 503,
            Kind::Auth(AuthError::Unauthenticated) => 401,
            Kind::Blob(e) => e.http_status(),
            Kind::InvalidHash | Kind::InvalidHeader(_) => 400,
            Kind::UnsupportedMediaType(_) => 415,
            Kind::TusVersion => 412,
            Kind::Internal(_) => 500,
        };
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn code(&self) -> &'static str {
        match &self.kind {
            Kind::Sync(e) => e.code(),
            Kind::Auth(AuthError::Unauthenticated) => "auth.unauthenticated",
            Kind::Auth(AuthError::Unavailable { .. }) => "auth.unavailable",
            Kind::Blob(e) => e.code(),
            Kind::BlobStore(_) => "blob.store",
            Kind::InvalidHash => "http.invalid_hash",
            Kind::InvalidHeader(_) => "http.invalid_header",
            Kind::UnsupportedMediaType(_) => "http.unsupported_media_type",
            Kind::TusVersion => "http.tus_version",
            Kind::Internal(_) => "http.internal",
        }
    }

    fn message(&self) -> String {
        let l = self.locale;
        match &self.kind {
            Kind::Sync(e) => e.message(l),
            Kind::Blob(e) => e.message(l),
            Kind::Auth(AuthError::Unauthenticated) => l
                .pick(
                    "登录已失效，请重新登录。",
                    "You are not signed in, or your session expired; sign in again.",
                )
                .into(),
            Kind::Auth(AuthError::Unavailable { .. }) | Kind::BlobStore(_) | Kind::Internal(_) => l
                .pick(
                    "服务暂时不可用，请稍后重试。",
                    "The service is temporarily unavailable; try again later.",
                )
                .into(),
            Kind::InvalidHash => l
                .pick(
                    "照片编号格式错误，请更新应用后重试。",
                    "The photo id is malformed; update the app and try again.",
                )
                .into(),
            Kind::InvalidHeader(header) => match l {
                Locale::ZhCn => format!("请求头 {header} 缺失或格式错误，请更新应用后重试。"),
                Locale::En => format!(
                    "The request header {header} is missing or malformed; update the app and try again."
                ),
            },
            Kind::UnsupportedMediaType(expected) => match l {
                Locale::ZhCn => format!("请求内容类型错误，应为 {expected}，请更新应用后重试。"),
                Locale::En => {
                    format!("The request body must be {expected}; update the app and try again.")
                }
            },
            Kind::TusVersion => l
                .pick(
                    "上传协议版本不受支持，请更新应用。",
                    "The upload protocol version is not supported; update the app.",
                )
                .into(),
        }
    }

    /// The body: the blob error's own fields (e.g. `offset`) if any, then code and message.
    fn body(&self) -> Value {
        let mut body = match &self.kind {
            Kind::Blob(e) => match serde_json::to_value(e) {
                Ok(Value::Object(fields)) => fields,
                _ => Map::new(),
            },
            _ => Map::new(),
        };
        body.insert("code".into(), self.code().into());
        body.insert("message".into(), self.message().into());
        Value::Object(body)
    }

    fn log(&self, status: StatusCode) {
        let code = self.code();
        let cause = match &self.kind {
            Kind::Sync(e) => e.to_string(),
            Kind::Auth(e) => e.to_string(),
            Kind::Blob(e) => e.to_string(),
            Kind::BlobStore(cause) | Kind::Internal(cause) => cause.clone(),
            Kind::InvalidHeader(header) => format!("header {header}"),
            Kind::UnsupportedMediaType(expected) => format!("expected {expected}"),
            Kind::InvalidHash | Kind::TusVersion => String::new(),
        };
        let status = status.as_u16();
        match &self.kind {
            _ if status >= 500 => tracing::error!(status, code, cause, "request failed"),
            // A phone asking about a photo the hub does not have yet is the normal first step.
            Kind::Blob(BlobError::Unknown) => tracing::debug!(status, code, "not found"),
            _ => tracing::info!(status, code, cause, "request refused"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        self.log(status);
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        match &self.kind {
            Kind::Auth(AuthError::Unauthenticated) => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Kind::Blob(
                BlobError::OffsetMismatch { offset }
                | BlobError::ChecksumMismatch { offset }
                | BlobError::FrameMalformed { offset },
            ) => {
                headers.insert(UPLOAD_OFFSET, HeaderValue::from(*offset));
            }
            Kind::Blob(BlobError::RangeNotSatisfiable { length }) => {
                if let Ok(value) = HeaderValue::from_str(&content_range(0, 0, *length)) {
                    headers.insert(CONTENT_RANGE, value);
                }
            }
            Kind::TusVersion => {
                headers.insert(TUS_VERSION_HEADER, HeaderValue::from_static(TUS_VERSION));
            }
            _ => {}
        }
        response
    }
}
