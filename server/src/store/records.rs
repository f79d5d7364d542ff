//! Rows of the account tables, as typed values.

use wangge_proto::values::{DeviceId, Timestamp, UserId};
use wangge_proto::{Role, Scope};
use wangge_sync::relay::VerifyingKey;

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Its id.
    pub id: UserId,
    /// Login name (unique).
    pub login: String,
    /// Name shown to others, e.g. "张网格".
    pub display_name: String,
    /// The role.
    pub role: Role,
    /// What the user may see and write.
    pub scope: Scope,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// A disabled user cannot sign in; existing tokens stop working.
    pub disabled: bool,
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// Its id.
    pub id: DeviceId,
    /// The user who enrolled it.
    pub user: UserId,
    /// The key that signs its changes for relaying.
    pub key: VerifyingKey,
    /// When it was enrolled (server clock).
    pub enrolled_at: Timestamp,
    /// A revoked device cannot sync.
    pub revoked: bool,
}

/// An access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// Whose.
    pub user: UserId,
    /// For which device (sync tokens are bound to one).
    pub device: Option<DeviceId>,
    /// Expiry (server clock).
    pub expires_at: Timestamp,
    /// Revoked before expiry.
    pub revoked: bool,
}
