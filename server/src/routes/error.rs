//! The JSON API's one error type: every refusal is `{"code": …, "message": …}` in the
//! caller's language; internal failures are a generic 500/503 with the cause logged, never
//! sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use wangge_proto::Locale;

use crate::services::accounts::AccountError;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
}

/// The body of every error, as the OpenAPI document shows it (`Body` is what is sent).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // a schema only
pub struct ErrorBody {
    /// A stable code for programs, e.g. `account.bad_credentials`.
    code: String,
    /// What happened and what to do, for people, in the caller's language.
    message: String,
}

impl ApiError {
    /// An error with its status, code and user-facing message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// The error's code (for logs and tests).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The store failed: 503, the cause logged, never sent.
    pub fn store(locale: Locale, error: &crate::store::StoreError) -> Self {
        tracing::error!(%error, "store failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store.unavailable",
            locale.pick(
                "数据库暂时无法访问，请稍后再试。",
                "The database is unavailable; try again later.",
            ),
        )
    }

    /// Stored data this build cannot read: 500, the cause logged, never sent.
    pub fn internal_detail(locale: Locale, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "stored data does not read");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "http.internal",
            locale.pick("服务器内部错误。", "Internal server error."),
        )
    }

    /// A request body or parameter that does not parse.
    pub fn bad_request(locale: Locale, detail: impl std::fmt::Display) -> Self {
        let message = match locale {
            Locale::ZhCn => format!("请求格式错误：{detail}"),
            Locale::En => format!("Malformed request: {detail}"),
        };
        Self::new(StatusCode::BAD_REQUEST, "http.bad_request", message)
    }

    /// An account error.
    pub fn account(locale: Locale, error: AccountError) -> Self {
        let status = match &error {
            AccountError::BadCredentials | AccountError::BadToken => StatusCode::UNAUTHORIZED,
            AccountError::Disabled | AccountError::Enrolment(_) => StatusCode::FORBIDDEN,
            AccountError::Store(e) => {
                tracing::error!(error = %e, "account store failed");
                StatusCode::SERVICE_UNAVAILABLE
            }
            AccountError::Hashing(e) => {
                tracing::error!(error = %e, "password hashing failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        if status.is_client_error() {
            tracing::info!(code = error.code(), "account request refused");
        }
        Self::new(status, error.code(), error.message(locale))
    }
}

impl std::fmt::Display for ApiError {
    /// For logs: the status and the code (the message is for the caller).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            code: self.code,
            message: &self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

/// Any path the server does not serve.
pub async fn not_found(headers: axum::http::HeaderMap) -> ApiError {
    let locale = wangge_sync::http::server::locale(&headers);
    ApiError::new(
        StatusCode::NOT_FOUND,
        "http.not_found",
        locale.pick("没有这个地址。", "There is nothing at this address."),
    )
}

/// A known path with a method it does not take.
pub async fn method_not_allowed(headers: axum::http::HeaderMap) -> ApiError {
    let locale = wangge_sync::http::server::locale(&headers);
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "http.method_not_allowed",
        locale.pick(
            "该地址不支持此请求方法。",
            "This address does not take this method.",
        ),
    )
}
