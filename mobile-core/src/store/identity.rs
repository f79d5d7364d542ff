//! Who uses this phone: the signed-in user, their role and scope, and the enrolled device
//! with the automerge actor and signing key its edits are made and signed with.
//!
//! Kept in the store so that an app killed offline reopens able to edit and sign; the access
//! token is kept beside it ([`super::Session`]) and expires on its own.

use automerge::ActorId;
use rusqlite::{Connection, OptionalExtension, params};
use wangge_proto::Role;
use wangge_proto::scope::Scope;
use wangge_proto::values::{DeviceId, UserId};
use wangge_sync::relay::SigningKey;

use super::StoreError;

/// The signed-in user on an enrolled device.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The user.
    pub user: UserId,
    /// Their login name.
    pub login: String,
    /// Their name as shown.
    pub display_name: String,
    /// Their role.
    pub role: Role,
    /// The cases they may see and write.
    pub scope: Scope,
    /// This device.
    pub device: DeviceId,
    /// The automerge actor this device's edits are made by (bound to user and device at
    /// enrolment).
    pub actor: ActorId,
    /// The device key that signs its changes, so other phones can relay them.
    pub key: SigningKey,
}

impl Identity {
    /// The workflow actor (who, in which role, from which device) for steps taken here.
    pub fn actor_of_steps(&self) -> wangge_proto::case::Actor {
        wangge_proto::case::Actor {
            user: self.user,
            role: self.role,
            device: self.device,
        }
    }
}

pub(super) fn load(conn: &Connection) -> Result<Option<Identity>, StoreError> {
    let row = conn
        .query_row(
            "SELECT user_id, login, display_name, role, scope, device_id, actor, signing_key
             FROM identity WHERE only = 1",
            [],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, Vec<u8>>(6)?,
                    row.get::<_, Vec<u8>>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((user, login, display_name, role, scope, device, actor, key)) = row else {
        return Ok(None);
    };
    let damaged = |what: &str| StoreError::Database {
        detail: format!("the stored identity has a damaged {what}"),
    };
    let key: [u8; 32] = key.try_into().map_err(|_| damaged("signing key"))?;
    Ok(Some(Identity {
        user: user.parse().map_err(|_| damaged("user id"))?,
        login,
        display_name,
        role: role.parse().map_err(|_| damaged("role"))?,
        scope: serde_json::from_str(&scope).map_err(|_| damaged("scope"))?,
        device: device.parse().map_err(|_| damaged("device id"))?,
        actor: ActorId::from(actor),
        key: SigningKey::from_bytes(&key),
    }))
}

pub(super) fn save(conn: &Connection, identity: &Identity) -> Result<(), StoreError> {
    let scope = serde_json::to_string(&identity.scope).map_err(|e| StoreError::Invalid {
        detail: e.to_string(),
    })?;
    conn.execute(
        "INSERT INTO identity
             (only, user_id, login, display_name, role, scope, device_id, actor, signing_key)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (only) DO UPDATE SET
             user_id = excluded.user_id, login = excluded.login,
             display_name = excluded.display_name, role = excluded.role,
             scope = excluded.scope, device_id = excluded.device_id,
             actor = excluded.actor, signing_key = excluded.signing_key",
        params![
            identity.user.to_string(),
            identity.login,
            identity.display_name,
            identity.role.as_str(),
            scope,
            identity.device.to_string(),
            identity.actor.to_bytes(),
            identity.key.to_bytes().as_slice(),
        ],
    )?;
    Ok(())
}
