//! From an access token to a sync [`Session`]: the user, role and scope, the device, and the
//! automerge actors bound to that user on that device.

use wangge_proto::values::Timestamp;
use wangge_sync::http::server::AuthError;
use wangge_sync::hub::Session;

use super::accounts::{AccountError, Accounts};
use crate::store::Store;

/// Authenticates requests by bearer token.
#[derive(Debug, Clone)]
pub struct TokenAuth<S> {
    accounts: Accounts<S>,
}

impl<S: Store> TokenAuth<S> {
    /// Over these accounts.
    pub fn new(accounts: Accounts<S>) -> Self {
        Self { accounts }
    }

    /// The accounts behind it.
    pub fn accounts(&self) -> &Accounts<S> {
        &self.accounts
    }

    /// The session for `token` at `now`; only device-bound tokens can sync.
    pub async fn session_of(&self, token: &str, now: Timestamp) -> Result<Session, AuthError> {
        let (user, device) = self
            .accounts
            .authenticate(token, now)
            .await
            .map_err(auth_error)?;
        let device = device.ok_or(AuthError::Unauthenticated)?;
        let actors = self
            .accounts
            .store()
            .actors_of(&user.id, &device)
            .await
            .map_err(|e| AuthError::Unavailable {
                detail: e.to_string(),
            })?;
        Ok(Session {
            user: user.id,
            role: user.role,
            scope: user.scope,
            device,
            actors,
        })
    }
}

fn auth_error(error: AccountError) -> AuthError {
    match error {
        AccountError::Store(e) => AuthError::Unavailable {
            detail: e.to_string(),
        },
        AccountError::Hashing(e) => AuthError::Unavailable { detail: e },
        _ => AuthError::Unauthenticated,
    }
}
