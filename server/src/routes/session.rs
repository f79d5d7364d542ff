//! `POST /api/session` (sign in, enrolling the device), `DELETE /api/session` (sign out),
//! `GET /api/me`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use wangge_proto::values::{DeviceId, Timestamp, UserId};
use wangge_proto::{Role, Scope};
use wangge_sync::http::server::{bearer_token, locale};
use wangge_sync::relay::VerifyingKey;

use super::error::{ApiError, ErrorBody};
use crate::app::AppState;
use crate::services::accounts::{AccountError, Enrolment};
use crate::store::{Store, UserRecord};

/// Sign-in request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignIn {
    /// Login name.
    pub login: String,
    /// Password.
    pub password: String,
    /// The device to enrol (phones); consoles sign in without one.
    pub device: Option<DeviceIntro>,
}

/// A device introducing itself.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DeviceIntro {
    /// Device id (UUID).
    #[schema(value_type = String, example = "0192f5e0-7c3a-7b1e-9d2f-3a4b5c6d7e8f")]
    pub id: DeviceId,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// Automerge actor id, hex.
    pub actor: String,
}

/// A user as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    #[schema(value_type = String, example = "0192f5e0-7c3a-7b1e-9d2f-3a4b5c6d7e8f")]
    pub id: UserId,
    /// Login name.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// Role: `grid_worker`, `community_secretary`, `street_office`, `department_handler`,
    /// `coordination_office`, `district_leader` or `administrator`.
    #[schema(value_type = String, example = "grid_worker")]
    pub role: Role,
    /// Which cases the user sees: `{"kind": "grids", "grids": […]}`, `{"kind": "community",
    /// …}`, `{"kind": "street", …}`, `{"kind": "department", …}` or `{"kind": "everything"}`.
    #[schema(value_type = Object)]
    pub scope: Scope,
}

impl From<UserRecord> for UserView {
    fn from(user: UserRecord) -> Self {
        Self {
            id: user.id,
            login: user.login,
            display_name: user.display_name,
            role: user.role,
            scope: user.scope,
        }
    }
}

/// Sign-in answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    /// Bearer token.
    pub token: String,
    /// Expiry, milliseconds since the epoch.
    pub expires_at: i64,
    /// The user.
    pub user: UserView,
}

fn enrolment(intro: DeviceIntro) -> Result<Enrolment, String> {
    let key: [u8; 32] = hex::decode(&intro.public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("public_key must be 64 hex digits")?;
    let key = VerifyingKey::from_bytes(&key).map_err(|e| format!("public_key: {e}"))?;
    let actor = hex::decode(&intro.actor).map_err(|_| "actor must be hex")?;
    if actor.is_empty() || actor.len() > 32 {
        return Err("actor must be 1 to 32 bytes".into());
    }
    Ok(Enrolment {
        device: intro.id,
        key,
        actor: automerge::ActorId::from(actor.as_slice()),
    })
}

/// `POST /api/session`.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "session",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in; the device is enrolled", body = SignedIn),
        (status = 400, description = "A malformed request", body = ErrorBody),
        (status = 401, description = "Wrong login or password", body = ErrorBody),
        (status = 403, description = "Account disabled, or the device or actor belongs to someone else", body = ErrorBody),
        (status = 429, description = "Too many attempts for this login", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
pub async fn sign_in<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    body: Result<Json<SignIn>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<SignedIn>, ApiError> {
    let locale = locale(&headers);
    let Json(request) = body.map_err(|e| ApiError::bad_request(locale, e.body_text()))?;
    state.limits.allow_sign_in(&request.login, locale)?;
    let enrolment = request
        .device
        .map(enrolment)
        .transpose()
        .map_err(|e| ApiError::bad_request(locale, e))?;
    let issued = state
        .accounts
        .sign_in(
            &request.login,
            &request.password,
            enrolment,
            Timestamp::now(),
        )
        .await
        .map_err(|e| ApiError::account(locale, e))?;
    tracing::info!(user.id = %issued.user.id, "signed in");
    Ok(Json(SignedIn {
        token: issued.token,
        expires_at: issued.expires_at.as_millis(),
        user: issued.user.into(),
    }))
}

/// `DELETE /api/session`.
#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "session",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out: the token is revoked"),
        (status = 401, description = "No valid token", body = ErrorBody),
    )
)]
pub async fn sign_out<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let locale = locale(&headers);
    let token =
        bearer_token(&headers).ok_or_else(|| ApiError::account(locale, AccountError::BadToken))?;
    state
        .accounts
        .sign_out(token, Timestamp::now())
        .await
        .map_err(|e| ApiError::account(locale, e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/me`.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "session",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = UserView),
        (status = 401, description = "No valid token", body = ErrorBody),
    )
)]
pub async fn me<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Json<UserView>, ApiError> {
    let locale = locale(&headers);
    let token =
        bearer_token(&headers).ok_or_else(|| ApiError::account(locale, AccountError::BadToken))?;
    let (user, _) = state
        .accounts
        .authenticate(token, Timestamp::now())
        .await
        .map_err(|e| ApiError::account(locale, e))?;
    Ok(Json(user.into()))
}
