//! The sync and blob endpoints ask the server who is calling through
//! [`Authenticate`]; this is the server's answer, by bearer token.
//!
//! A complete photo is readable only through a case the caller may see: some case in the
//! session's scope references its hash, as the image or its thumbnail (`case_evidence`). An
//! upload still in progress is reported to its uploader by the blob endpoints themselves
//! (they ask here only about complete blobs), so resuming never depends on the case having
//! been synced first.

use axum::http::HeaderMap;
use wangge_proto::values::{ContentHash, Timestamp};
use wangge_sync::http::server::{AuthError, Authenticate, bearer_token};
use wangge_sync::hub::Session;

use crate::services::session::TokenAuth;
use crate::store::Store;

impl<S: Store> Authenticate for TokenAuth<S> {
    async fn session(&self, headers: &HeaderMap) -> Result<Session, AuthError> {
        let token = bearer_token(headers).ok_or(AuthError::Unauthenticated)?;
        self.session_of(token, Timestamp::now()).await
    }

    async fn may_read_blob(
        &self,
        session: &Session,
        hash: &ContentHash,
    ) -> Result<bool, AuthError> {
        self.accounts()
            .store()
            .blob_in_scope(&session.scope, hash)
            .await
            .map_err(|e| AuthError::Unavailable {
                detail: e.to_string(),
            })
    }
}
