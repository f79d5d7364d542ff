//! Storage: one trait, [`Store`], with a SQLite implementation (the embedded default) and a
//! PostgreSQL one (several server instances on one database), each with its own migrations,
//! and one conformance suite run against both.
//!
//! Per case the store keeps a compacted snapshot plus the changes accepted since, a feed
//! position, and query rows kept in step with the document in the same transaction (list
//! columns, photo hashes, events with their receipt time, running deadlines), which the
//! review inbox (`inbox`) and the blob read rule query. The
//! sync protocol's side of it is [`wangge_sync::hub::HubStore`]; this trait adds accounts,
//! devices, actors and access tokens.
//!
//! Layout: [`SqliteStore`] (`sqlite/`) and [`PgStore`] (`postgres/`) differ only in how they
//! open a pool and begin and lock a transaction (every `BEGIN` goes through `begin`, which
//! a dropped caller cannot leave half done); the statements are written once in `sql/`
//! and expanded for each; `rows` turns typed values into columns and back; `compaction`
//! decides what one commit writes; `scope_filter` is the one SQL form of a scope and
//! `params` numbers the values of statements built at run time. The suite is
//! `server/tests/store/`.

mod begin;
mod compaction;
mod error;
mod inbox;
mod params;
mod postgres;
mod records;
mod rows;
mod scope_filter;
mod sql;
mod sqlite;

use std::future::Future;

use automerge::ActorId;
use wangge_proto::Scope;
use wangge_proto::values::{CaseId, ContentHash, DeviceId, Timestamp, UserId};
use wangge_proto::workflow::DeadlinePolicy;
use wangge_sync::hub::HubStore;

pub use compaction::COMPACT_AFTER;
pub use error::StoreError;
pub use inbox::{CaseSummary, DEFAULT_LIMIT, InboxCursor, InboxPage, InboxQuery, MAX_LIMIT};
pub use postgres::{PgStore, with_database};
pub use records::{DeviceRecord, TokenRecord, UserRecord};
pub use sqlite::SqliteStore;

/// Everything the server stores besides blobs.
pub trait Store: HubStore<Error = StoreError> + Clone + Send + Sync + 'static {
    /// Applies the migrations this build ships (idempotent).
    fn migrate(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Answers if the database is reachable (for `/readyz`).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Inserts or replaces a user.
    fn put_user(&self, user: &UserRecord) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A user by login name.
    fn user_by_login(
        &self,
        login: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;

    /// A user by id.
    fn user(
        &self,
        id: &UserId,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;

    /// How many users exist (the demo organisation is seeded when there are none).
    fn count_users(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Inserts these users in one transaction, each only if no user has its id or login
    /// yet; returns how many were inserted. Two server instances seeding one database at
    /// once insert one set between them: the second waits for the first's rows and then
    /// inserts none.
    fn seed_users(
        &self,
        users: &[UserRecord],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The PostgreSQL pool behind this store, if it is on PostgreSQL: the live channel
    /// LISTENs and NOTIFYs through it, so that server instances sharing the database share
    /// notifications. `None` on SQLite (one instance).
    fn postgres(&self) -> Option<&sqlx::PgPool>;

    /// Inserts or replaces a device.
    fn put_device(
        &self,
        device: &DeviceRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A device by id.
    fn device(
        &self,
        id: &DeviceId,
    ) -> impl Future<Output = Result<Option<DeviceRecord>, StoreError>> + Send;

    /// Binds an automerge actor to a user on a device. An actor is bound once, forever:
    /// binding it again to another user or device is [`StoreError::Conflict`].
    fn bind_actor(
        &self,
        actor: &ActorId,
        user: &UserId,
        device: &DeviceId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The actors bound to `user` on `device`.
    fn actors_of(
        &self,
        user: &UserId,
        device: &DeviceId,
    ) -> impl Future<Output = Result<Vec<ActorId>, StoreError>> + Send;

    /// Stores an access token under the SHA-256 of its secret.
    fn put_token(
        &self,
        token_hash: &[u8; 32],
        token: &TokenRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The token stored under this hash, if any (expired and revoked ones included: the
    /// caller decides).
    fn token(
        &self,
        token_hash: &[u8; 32],
    ) -> impl Future<Output = Result<Option<TokenRecord>, StoreError>> + Send;

    /// Revokes every token of `user` (on `device` only, if given).
    fn revoke_tokens(
        &self,
        user: &UserId,
        device: Option<&DeviceId>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// A page of the review inbox: the cases `scope` covers that match `query`, newest
    /// change first; "overdue" means a deadline before `now` (server clock).
    fn inbox(
        &self,
        scope: &Scope,
        query: &InboxQuery,
        now: Timestamp,
    ) -> impl Future<Output = Result<InboxPage, StoreError>> + Send;

    /// The summary row of a case, whoever may see it (the caller checks the scope).
    fn case_summary(
        &self,
        case: &CaseId,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<CaseSummary>, StoreError>> + Send;

    /// Whether some case `scope` covers references the blob `hash` (as a photo or its
    /// thumbnail).
    fn blob_in_scope(
        &self,
        scope: &Scope,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Computes the query rows of cases stored before they existed (migration 0002) from
    /// their documents, counting deadlines with `policy`; returns how many it computed.
    /// Idempotent: cases already computed are left alone.
    fn backfill_query_rows(
        &self,
        policy: &DeadlinePolicy,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}
