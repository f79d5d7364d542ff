//! How typed values become column values and back, shared by both backends so a row written
//! by one reads the same in the other.
//!
//! Ids are canonical UUID text, codes are text, a role is its wire name, a scope is the JSON
//! of its serde form, times are Unix milliseconds, change hashes are 32 raw bytes (a list of
//! heads is their concatenation), feed positions are `BIGINT`. Every read goes back through
//! the proto parsers, so a row this build cannot read is [`StoreError::Invalid`], never a
//! wrong value.

use std::str::FromStr;

use automerge::ChangeHash;
use wangge_proto::values::Timestamp;
use wangge_proto::{Role, Scope};
use wangge_sync::relay::VerifyingKey;
use wangge_sync::wire::Cursor;

use super::StoreError;

/// Parses a text column with the value's own parser.
pub(crate) fn parse<T>(column: &str, text: &str) -> Result<T, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| StoreError::Invalid(format!("{column} {text:?}: {e}")))
}

/// A role as stored.
pub(crate) fn role_text(role: Role) -> &'static str {
    role.as_str()
}

/// A scope as stored: the JSON of its serde form.
pub(crate) fn scope_text(scope: &Scope) -> Result<String, StoreError> {
    serde_json::to_string(scope).map_err(|e| StoreError::Invalid(format!("scope: {e}")))
}

/// A stored scope.
pub(crate) fn scope(text: &str) -> Result<Scope, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Invalid(format!("scope {text:?}: {e}")))
}

/// A stored time.
pub(crate) fn timestamp(millis: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millis(millis).map_err(|e| StoreError::Invalid(format!("time {millis}: {e}")))
}

/// A stored device key.
pub(crate) fn verifying_key(bytes: &[u8]) -> Result<VerifyingKey, StoreError> {
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| StoreError::Invalid(format!("device key of {} bytes", bytes.len())))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| StoreError::Invalid(format!("device key: {e}")))
}

/// A stored change hash.
pub(crate) fn change_hash(bytes: &[u8]) -> Result<ChangeHash, StoreError> {
    ChangeHash::try_from(bytes)
        .map_err(|_| StoreError::Invalid(format!("change hash of {} bytes", bytes.len())))
}

/// Heads as stored: the hashes, concatenated.
pub(crate) fn heads_bytes(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

/// Stored heads.
pub(crate) fn heads(bytes: &[u8]) -> Result<Vec<ChangeHash>, StoreError> {
    if !bytes.len().is_multiple_of(32) {
        return Err(StoreError::Invalid(format!(
            "heads of {} bytes (not a multiple of 32)",
            bytes.len()
        )));
    }
    bytes.chunks_exact(32).map(change_hash).collect()
}

/// A cursor as a column value. Positions are handed out from 1 up and never reach
/// `i64::MAX`, so a larger cursor (only a confused phone sends one) compares as the largest.
pub(crate) fn position(cursor: Cursor) -> i64 {
    i64::try_from(cursor.0).unwrap_or(i64::MAX)
}

/// A stored position.
pub(crate) fn cursor(position: i64) -> Result<Cursor, StoreError> {
    u64::try_from(position)
        .map(Cursor)
        .map_err(|_| StoreError::Invalid(format!("negative feed position {position}")))
}

/// A row count as the trait reports it.
pub(crate) fn count(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Invalid(format!("negative count {n}")))
}

/// `$first, $first+1, …` for `n` values: an `IN (…)` list. Both SQLite and PostgreSQL
/// read `$N` placeholders, which is what lets one SQL text serve both backends.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Placeholders `first … first + n - 1` of a statement whose placeholders all come from
/// this function, in order from 1 (the long multi-row statements): `$N` on PostgreSQL, a
/// bare `?` on SQLite.
///
/// sqlx binds each SQLite value after asking its placeholder's name, and SQLite finds a
/// named placeholder's name by walking the list of names: quadratic in the statement's
/// values, and most of a 1,000-value statement's cost. Anonymous placeholders have no name
/// to look up. (sqlx numbers them by counting, so they cannot follow a `$N` in the same
/// statement; hence "all from this function".)
pub(crate) fn sequential<DB: sqlx::Database>(first: usize, n: usize) -> String {
    if DB::NAME == "SQLite" {
        vec!["?"; n].join(", ")
    } else {
        placeholders(first, n)
    }
}

/// Whether a database error is a broken uniqueness rule (then the caller reports a
/// [`StoreError::Conflict`]).
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn heads_round_trip() {
        let heads = vec![ChangeHash([1; 32]), ChangeHash([2; 32])];
        assert_eq!(super::heads(&heads_bytes(&heads)).unwrap(), heads);
        assert!(super::heads(&[0; 33]).is_err());
    }

    #[test]
    fn placeholders_count_from_first() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(placeholders(1, 0), "");
        assert_eq!(sequential::<sqlx::Postgres>(4, 2), "$4, $5");
        assert_eq!(sequential::<sqlx::Sqlite>(4, 2), "?, ?");
    }

    #[test]
    fn huge_cursors_saturate() {
        assert_eq!(position(Cursor(u64::MAX)), i64::MAX);
        assert_eq!(cursor(7).unwrap(), Cursor(7));
        assert!(cursor(-1).is_err());
    }
}
