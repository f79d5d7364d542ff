//! Who is calling: the server decides (tokens, enrolment, who may see which photo); the
//! handlers only ask, through one small trait.

use std::future::Future;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use wangge_proto::values::ContentHash;

use crate::hub::Session;

/// The server's authentication and blob read rule, consulted by every handler.
pub trait Authenticate: Send + Sync + 'static {
    /// The session of the request's credentials (typically `Authorization: Bearer …`, see
    /// [`bearer_token`]). [`AuthError::Unauthenticated`] answers 401.
    fn session(
        &self,
        headers: &HeaderMap,
    ) -> impl Future<Output = Result<Session, AuthError>> + Send;

    /// Whether `session` may read the complete blob `hash` (`GET`, and `HEAD` of a complete
    /// blob). A refusal answers 404, exactly like a blob that does not exist, so existence
    /// does not leak. Uploads are not asked: any signed-in device may upload, and `HEAD` of
    /// an upload still in progress (its offset, for resuming) is answered to any of them.
    fn may_read_blob(
        &self,
        session: &Session,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<bool, AuthError>> + Send;
}

/// Why a request could not be authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No credentials, or credentials that are not (or no longer) valid: 401, the phone
    /// signs in again.
    #[error("missing or invalid credentials")]
    Unauthenticated,
    /// The credential store could not answer: 503, the phone retries later. The detail is
    /// logged, never sent.
    #[error("authentication unavailable: {detail}")]
    Unavailable {
        /// What failed, for the log.
        detail: String,
    },
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
