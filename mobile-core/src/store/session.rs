//! The server this phone syncs with and the access token it signed in with, kept so that an
//! app restarted by the OS can sync again without asking for the password until the token
//! expires.

use rusqlite::{OptionalExtension, params};
use wangge_proto::values::Timestamp;

use super::{CaseStore, StoreError};

/// A signed-in session with a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The server's base URL.
    pub base_url: String,
    /// The bearer token.
    pub token: String,
    /// When the server stops accepting it.
    pub expires_at: Timestamp,
}

impl CaseStore {
    /// The stored session, if any (expired or not: the server decides).
    pub fn session(&self) -> Result<Option<Session>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT base_url, token, expires_at FROM session WHERE only = 1",
                [],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((base_url, token, expires_at)) = row else {
            return Ok(None);
        };
        Ok(Some(Session {
            base_url,
            token,
            expires_at: Timestamp::from_millis(expires_at).map_err(|_| StoreError::Database {
                detail: "the stored session has a damaged expiry".into(),
            })?,
        }))
    }

    /// Keeps a new session.
    pub fn set_session(&mut self, session: &Session) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO session (only, base_url, token, expires_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (only) DO UPDATE SET base_url = excluded.base_url,
                 token = excluded.token, expires_at = excluded.expires_at",
            params![
                session.base_url,
                session.token,
                session.expires_at.as_millis()
            ],
        )?;
        Ok(())
    }

    /// Forgets the session (sign-out, or the server said it expired). Cases and unsent
    /// edits stay.
    pub fn clear_session(&mut self) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM session", [])?;
        Ok(())
    }
}
