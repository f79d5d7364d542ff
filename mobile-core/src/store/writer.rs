//! One writer per store file, across the whole phone.
//!
//! The sync protocol loads a case, merges what the server sent and writes the result back; a
//! write by anyone else in between would be overwritten (`PhoneStore::apply`). SQLite keeps
//! each transaction whole, but not that. So a store takes an exclusive lock on a file beside
//! the database (`<store>-writer`) for as long as it is open, and a second open of the same
//! file — by another `Phone` object, or by an app extension in another process — is refused
//! with [`StoreError::InUse`] instead of racing the first. The lock is the OS's (`flock` on
//! Android, iOS and Linux): it goes away with the process, so a killed app never leaves the
//! file locked. It is not on the database file itself, because closing any other descriptor
//! of that file would drop SQLite's own locks.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use super::StoreError;

/// Held while a store is open; dropping it releases the lock.
#[derive(Debug)]
pub(super) struct WriterLock {
    _file: File,
}

impl WriterLock {
    /// Takes the writer lock of the store at `database`.
    pub(super) fn take(database: &Path) -> Result<Self, StoreError> {
        let mut name = database.as_os_str().to_owned();
        name.push("-writer");
        let failed = |e: std::io::Error| StoreError::Database {
            detail: format!("the writer lock {}: {e}", Path::new(&name).display()),
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&name)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => {
                tracing::warn!(store = %database.display(), "the store is open elsewhere");
                Err(StoreError::InUse)
            }
            Err(TryLockError::Error(e)) => Err(failed(e)),
        }
    }
}
