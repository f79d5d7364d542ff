//! Accounts: passwords (Argon2id), sign-in with device enrolment, access tokens.
//!
//! A phone signs in once per device with its device id, its public key (which signs its
//! changes for relaying, see `wangge_sync::relay`) and its automerge actor. The server binds
//! the actor to (user, device) forever, so every change the phone uploads can be traced to
//! who made it, where. Tokens are random 32-byte secrets; only their SHA-256 is stored.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use automerge::ActorId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use wangge_proto::Locale;
use wangge_proto::values::{DeviceId, Timestamp};
use wangge_sync::relay::VerifyingKey;

use crate::store::{DeviceRecord, Store, StoreError, TokenRecord, UserRecord};

/// A device introducing itself at sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The device.
    pub device: DeviceId,
    /// Its public key.
    pub key: VerifyingKey,
    /// The automerge actor its edits are made under.
    pub actor: ActorId,
}

/// A token handed out at sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The secret to send as `Authorization: Bearer …`.
    pub token: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Who it is for.
    pub user: UserRecord,
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Unknown login or wrong password (never says which).
    #[error("wrong login or password")]
    BadCredentials,
    /// The account is disabled.
    #[error("the account is disabled")]
    Disabled,
    /// The token is unknown, expired or revoked.
    #[error("the access token is not valid")]
    BadToken,
    /// The device or actor is already bound to someone else.
    #[error("enrolment refused: {0}")]
    Enrolment(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

impl AccountError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadCredentials => "auth.bad_credentials",
            Self::Disabled => "auth.disabled",
            Self::BadToken => "auth.unauthenticated",
            Self::Enrolment(_) => "auth.enrolment_refused",
            Self::Store(_) | Self::Hashing(_) => "server.internal",
        }
    }

    /// What to tell the user.
    pub fn message(&self, locale: Locale) -> String {
        let (zh, en) = match self {
            Self::BadCredentials => ("用户名或密码错误。", "Wrong login or password."),
            Self::Disabled => (
                "该账号已停用，请联系管理员。",
                "This account is disabled; contact an administrator.",
            ),
            Self::BadToken => (
                "登录已过期，请重新登录。",
                "Your sign-in has expired; sign in again.",
            ),
            Self::Enrolment(_) => (
                "该设备已登记在其他账号下，请联系管理员。",
                "This device is enrolled under another account; contact an administrator.",
            ),
            Self::Store(_) | Self::Hashing(_) => (
                "服务暂时不可用，请稍后重试。",
                "The service is temporarily unavailable; try again later.",
            ),
        };
        locale.pick(zh, en).to_owned()
    }
}

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hashing(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AccountError::Hashing(e.to_string()))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// The SHA-256 under which a token is stored.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Sign-in and tokens over a [`Store`].
#[derive(Debug, Clone)]
pub struct Accounts<S> {
    store: S,
    token_ttl: Duration,
}

impl<S: Store> Accounts<S> {
    /// Accounts in `store`, handing out tokens that live `token_ttl`.
    pub fn new(store: S, token_ttl: Duration) -> Self {
        Self { store, token_ttl }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Checks the password (off the async threads: Argon2 is deliberately slow), enrols the
    /// device if given, and issues a token (bound to the device, if given).
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        enrolment: Option<Enrolment>,
        now: Timestamp,
    ) -> Result<Issued, AccountError> {
        let user = self.store.user_by_login(login).await?;
        let phc = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            // Verify against a dummy so unknown logins take as long as wrong passwords.
            .unwrap_or_else(|| dummy_hash().to_owned());
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
            .await
            .map_err(|e| AccountError::Hashing(e.to_string()))?;
        let user = match user {
            Some(user) if matches => user,
            _ => return Err(AccountError::BadCredentials),
        };
        if user.disabled {
            return Err(AccountError::Disabled);
        }
        let device = match enrolment {
            Some(enrolment) => Some(self.enrol(&user, enrolment, now).await?),
            None => None,
        };
        self.issue(user, device, now).await
    }

    async fn enrol(
        &self,
        user: &UserRecord,
        enrolment: Enrolment,
        now: Timestamp,
    ) -> Result<DeviceId, AccountError> {
        match self.store.device(&enrolment.device).await? {
            Some(existing) if existing.user != user.id || existing.revoked => {
                return Err(AccountError::Enrolment(format!(
                    "device {} belongs to another user or was revoked",
                    enrolment.device
                )));
            }
            Some(existing) if existing.key != enrolment.key => {
                return Err(AccountError::Enrolment(format!(
                    "device {} is enrolled with another key",
                    enrolment.device
                )));
            }
            Some(_) => {}
            None => {
                self.store
                    .put_device(&DeviceRecord {
                        id: enrolment.device,
                        user: user.id,
                        key: enrolment.key,
                        enrolled_at: now,
                        revoked: false,
                    })
                    .await?;
            }
        }
        self.store
            .bind_actor(&enrolment.actor, &user.id, &enrolment.device)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(message) => AccountError::Enrolment(message),
                other => AccountError::Store(other),
            })?;
        Ok(enrolment.device)
    }

    async fn issue(
        &self,
        user: UserRecord,
        device: Option<DeviceId>,
        now: Timestamp,
    ) -> Result<Issued, AccountError> {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let token = format!("wg_{}", hex::encode(secret));
        let expires_at = now.plus_secs(self.token_ttl.as_secs());
        self.store
            .put_token(
                &token_hash(&token),
                &TokenRecord {
                    user: user.id,
                    device,
                    expires_at,
                    revoked: false,
                },
            )
            .await?;
        Ok(Issued {
            token,
            expires_at,
            user,
        })
    }

    /// The user and device behind a token, if it is valid at `now`.
    pub async fn authenticate(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<(UserRecord, Option<DeviceId>), AccountError> {
        let record = self
            .store
            .token(&token_hash(token))
            .await?
            .filter(|t| !t.revoked && t.expires_at > now)
            .ok_or(AccountError::BadToken)?;
        let user = self
            .store
            .user(&record.user)
            .await?
            .ok_or(AccountError::BadToken)?;
        if user.disabled {
            return Err(AccountError::Disabled);
        }
        if let Some(device) = &record.device {
            let device = self.store.device(device).await?;
            if device.is_none_or(|d| d.revoked) {
                return Err(AccountError::BadToken);
            }
        }
        Ok((user, record.device))
    }

    /// Revokes every token of the token's user on its device (sign-out).
    pub async fn sign_out(&self, token: &str, now: Timestamp) -> Result<(), AccountError> {
        let (user, device) = self.authenticate(token, now).await?;
        self.store.revoke_tokens(&user.id, device.as_ref()).await?;
        Ok(())
    }
}

/// An Argon2id hash of a random password (made once), for timing-safe misses.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 16];
        rand::rng().fill_bytes(&mut secret);
        hash_password(&hex::encode(secret)).unwrap_or_default()
    })
}
