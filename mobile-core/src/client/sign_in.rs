//! Signing in: the password for a token, and the device enrolled with the automerge actor and
//! the key its edits are made and signed with.
//!
//! The same user signing in again on this phone keeps the device, actor and key (the server
//! accepts re-enrolment of its own device), so edits made offline stay attributed and
//! signed; another user gets a fresh device identity.

use automerge::ActorId;
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use wangge_proto::Role;
use wangge_proto::scope::Scope;
use wangge_proto::values::{DeviceId, Timestamp, UserId};
use wangge_sync::http::client::{HttpClient, Method};
use wangge_sync::relay::SigningKey;

use super::{ClientError, SyncClient, lock};
use crate::store::{Identity, Session};

#[derive(Serialize)]
struct SignIn<'a> {
    login: &'a str,
    password: &'a str,
    device: DeviceIntro,
}

#[derive(Serialize)]
struct DeviceIntro {
    id: DeviceId,
    public_key: String,
    actor: String,
}

#[derive(Deserialize)]
struct SignedIn {
    token: String,
    expires_at: i64,
    user: UserView,
}

#[derive(Deserialize)]
struct UserView {
    id: UserId,
    login: String,
    display_name: String,
    role: Role,
    scope: Scope,
}

/// A new device identity: a fresh device id, actor and key from the OS's randomness.
fn fresh_device() -> Result<(DeviceId, ActorId, SigningKey), ClientError> {
    let mut key = [0u8; 32];
    let mut actor = [0u8; 16];
    OsRng
        .try_fill_bytes(&mut key)
        .and_then(|()| OsRng.try_fill_bytes(&mut actor))
        .map_err(|e| crate::store::StoreError::Invalid {
            detail: format!("no randomness for a device key: {e}"),
        })?;
    Ok((
        DeviceId::generate(),
        ActorId::from(&actor[..]),
        SigningKey::from_bytes(&key),
    ))
}

impl SyncClient {
    /// Signs in to the server at `base_url` and enrols this device; keeps the identity and
    /// the session in the store. Refused while another user's edits are unsent.
    pub async fn sign_in(
        &self,
        base_url: &str,
        login: &str,
        password: &str,
    ) -> Result<Identity, ClientError> {
        let known = lock(&self.store)
            .identity()
            .filter(|i| i.login == login)
            .map(|i| (i.device, i.actor.clone(), i.key.clone()));
        let (device, actor, key) = match known {
            Some(known) => known,
            None => fresh_device()?,
        };
        let http = HttpClient::new(base_url, "")?.with_locale(self.locale);
        let body = SignIn {
            login,
            password,
            device: DeviceIntro {
                id: device,
                public_key: hex::encode(key.verifying_key().to_bytes()),
                actor: hex::encode(actor.to_bytes()),
            },
        };
        let answer: SignedIn = http
            .json(Method::POST, "/api/session", Some(&body))
            .await
            .map_err(ClientError::Refused)?;
        let identity = Identity {
            user: answer.user.id,
            login: answer.user.login,
            display_name: answer.user.display_name,
            role: answer.user.role,
            scope: answer.user.scope,
            device,
            actor,
            key,
        };
        let session = Session {
            base_url: http.base_url().to_owned(),
            token: answer.token,
            expires_at: Timestamp::from_millis(answer.expires_at).map_err(|_| {
                ClientError::Refused(wangge_sync::http::client::HttpError::Decode {
                    detail: "the session expiry is not a time".into(),
                })
            })?,
        };
        let mut store = lock(&self.store);
        store.set_identity(identity.clone())?;
        store.set_session(&session)?;
        tracing::info!(user = %identity.user, device = %identity.device, "signed in");
        Ok(identity)
    }

    /// Signs out: tells the server to revoke the token (when it can be reached) and forgets
    /// the session. Cases and unsent edits stay on the phone.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        let session = lock(&self.store).session()?;
        if let Some(session) = session {
            let http = HttpClient::new(&session.base_url, session.token)?;
            if let Err(error) = http
                .json::<()>(Method::DELETE, "/api/session", None::<&()>)
                .await
            {
                tracing::warn!(%error, "could not revoke the token on the server");
            }
        }
        lock(&self.store).clear_session()?;
        Ok(())
    }
}
