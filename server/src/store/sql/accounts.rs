//! Users, devices, actor bindings and access tokens: the queries, written once.
//!
//! `accounts!(Db)` expands, inside a backend's module, to a private `accounts` module of
//! async functions over `sqlx::Pool<Db>`. The SQL is the same on both backends; only the
//! column types in the two migrations differ.

macro_rules! accounts {
    ($db:ty) => {
        /// Users, devices, actor bindings and tokens (expanded from `store::sql::accounts`).
        mod accounts {
            use automerge::ActorId;
            use wangge_proto::values::{DeviceId, UserId};
            use wangge_sync::hub::ActorRecord;

            use $crate::store::{DeviceRecord, StoreError, TokenRecord, UserRecord, rows};

            type Pool = sqlx::Pool<$db>;

            /// Columns of a user row, in `USER_COLUMNS` order.
            type UserRow = (String, String, String, String, String, String, bool);

            const USER_COLUMNS: &str =
                "id, login, display_name, role, scope, password_hash, disabled";

            fn user(row: UserRow) -> Result<UserRecord, StoreError> {
                let (id, login, display_name, role, scope, password_hash, disabled) = row;
                Ok(UserRecord {
                    id: rows::parse("user id", &id)?,
                    login,
                    display_name,
                    role: rows::parse("role", &role)?,
                    scope: rows::scope(&scope)?,
                    password_hash,
                    disabled,
                })
            }

            pub(super) async fn put_user(pool: &Pool, user: &UserRecord) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO users
                         (id, login, display_name, role, scope, password_hash, disabled)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (id) DO UPDATE SET
                         login = excluded.login,
                         display_name = excluded.display_name,
                         role = excluded.role,
                         scope = excluded.scope,
                         password_hash = excluded.password_hash,
                         disabled = excluded.disabled",
                )
                .bind(user.id.to_string())
                .bind(&user.login)
                .bind(&user.display_name)
                .bind(rows::role_text(user.role))
                .bind(rows::scope_text(&user.scope)?)
                .bind(&user.password_hash)
                .bind(user.disabled)
                .execute(pool)
                .await
                .map_err(|e| {
                    if rows::is_unique_violation(&e) {
                        StoreError::Conflict(format!(
                            "the login {:?} belongs to another user",
                            user.login
                        ))
                    } else {
                        e.into()
                    }
                })?;
                Ok(())
            }

            /// Inserts each user unless its id or login exists; how many were inserted.
            pub(super) async fn insert_new_users(
                conn: &mut <$db as sqlx::Database>::Connection,
                users: &[UserRecord],
            ) -> Result<u64, StoreError> {
                let mut inserted = 0;
                for user in users {
                    inserted += sqlx::query(
                        "INSERT INTO users
                             (id, login, display_name, role, scope, password_hash, disabled)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(user.id.to_string())
                    .bind(&user.login)
                    .bind(&user.display_name)
                    .bind(rows::role_text(user.role))
                    .bind(rows::scope_text(&user.scope)?)
                    .bind(&user.password_hash)
                    .bind(user.disabled)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                }
                Ok(inserted)
            }

            pub(super) async fn user_by_login(
                pool: &Pool,
                login: &str,
            ) -> Result<Option<UserRecord>, StoreError> {
                sqlx::query_as::<_, UserRow>(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE login = $1"
                ))
                .bind(login)
                .fetch_optional(pool)
                .await?
                .map(user)
                .transpose()
            }

            pub(super) async fn user_by_id(
                pool: &Pool,
                id: &UserId,
            ) -> Result<Option<UserRecord>, StoreError> {
                sqlx::query_as::<_, UserRow>(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
                ))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
                .map(user)
                .transpose()
            }

            pub(super) async fn count_users(pool: &Pool) -> Result<u64, StoreError> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
                    .fetch_one(pool)
                    .await?;
                rows::count(n)
            }

            pub(super) async fn put_device(
                pool: &Pool,
                device: &DeviceRecord,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO devices (id, user_id, verifying_key, enrolled_at, revoked)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE SET
                         user_id = excluded.user_id,
                         verifying_key = excluded.verifying_key,
                         enrolled_at = excluded.enrolled_at,
                         revoked = excluded.revoked",
                )
                .bind(device.id.to_string())
                .bind(device.user.to_string())
                .bind(device.key.as_bytes().to_vec())
                .bind(device.enrolled_at.as_millis())
                .bind(device.revoked)
                .execute(pool)
                .await?;
                Ok(())
            }

            pub(super) async fn device(
                pool: &Pool,
                id: &DeviceId,
            ) -> Result<Option<DeviceRecord>, StoreError> {
                let row: Option<(String, String, Vec<u8>, i64, bool)> = sqlx::query_as(
                    "SELECT id, user_id, verifying_key, enrolled_at, revoked
                     FROM devices WHERE id = $1",
                )
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?;
                row.map(|(id, user, key, enrolled_at, revoked)| {
                    Ok(DeviceRecord {
                        id: rows::parse("device id", &id)?,
                        user: rows::parse("user id", &user)?,
                        key: rows::verifying_key(&key)?,
                        enrolled_at: rows::timestamp(enrolled_at)?,
                        revoked,
                    })
                })
                .transpose()
            }

            pub(super) async fn bind_actor(
                pool: &Pool,
                actor: &ActorId,
                user: &UserId,
                device: &DeviceId,
            ) -> Result<(), StoreError> {
                // Only a device of this user can take the binding; an existing binding is
                // never overwritten.
                let inserted = sqlx::query(
                    "INSERT INTO actors (actor, user_id, device_id)
                     SELECT $1, $2, $3 FROM devices WHERE id = $3 AND user_id = $2
                     ON CONFLICT (actor) DO NOTHING",
                )
                .bind(actor.to_bytes().to_vec())
                .bind(user.to_string())
                .bind(device.to_string())
                .execute(pool)
                .await?
                .rows_affected();
                if inserted == 1 {
                    return Ok(());
                }
                let bound: Option<(String, String)> =
                    sqlx::query_as("SELECT user_id, device_id FROM actors WHERE actor = $1")
                        .bind(actor.to_bytes().to_vec())
                        .fetch_optional(pool)
                        .await?;
                match bound {
                    Some((u, d)) if u == user.to_string() && d == device.to_string() => Ok(()),
                    Some((u, d)) => Err(StoreError::Conflict(format!(
                        "actor {actor} is bound to user {u} on device {d}"
                    ))),
                    None => Err(StoreError::Conflict(format!(
                        "device {device} is not a device of user {user}"
                    ))),
                }
            }

            pub(super) async fn actors_of(
                pool: &Pool,
                user: &UserId,
                device: &DeviceId,
            ) -> Result<Vec<ActorId>, StoreError> {
                let actors: Vec<(Vec<u8>,)> = sqlx::query_as(
                    "SELECT actor FROM actors WHERE user_id = $1 AND device_id = $2 ORDER BY actor",
                )
                .bind(user.to_string())
                .bind(device.to_string())
                .fetch_all(pool)
                .await?;
                Ok(actors
                    .into_iter()
                    .map(|(a,)| ActorId::from(a.as_slice()))
                    .collect())
            }

            /// Enrolment records, in the order asked (unknown actors, revoked devices and
            /// disabled users left out), like `MemoryHub::actors`.
            pub(super) async fn records(
                pool: &Pool,
                actors: &[ActorId],
            ) -> Result<Vec<ActorRecord>, StoreError> {
                let mut found = std::collections::BTreeMap::new();
                // Well under SQLite's limit on bound values per statement.
                for chunk in actors.chunks(500) {
                    let sql = format!(
                        "SELECT a.actor, a.user_id, u.role, u.scope, a.device_id, d.verifying_key
                         FROM actors a
                         JOIN users u ON u.id = a.user_id
                         JOIN devices d ON d.id = a.device_id AND d.user_id = a.user_id
                         WHERE NOT u.disabled AND NOT d.revoked AND a.actor IN ({})",
                        rows::placeholders(1, chunk.len())
                    );
                    let mut query =
                        sqlx::query_as::<_, (Vec<u8>, String, String, String, String, Vec<u8>)>(
                            &sql,
                        );
                    for actor in chunk {
                        query = query.bind(actor.to_bytes().to_vec());
                    }
                    for (actor, user, role, scope, device, key) in query.fetch_all(pool).await? {
                        let actor = ActorId::from(actor.as_slice());
                        let record = ActorRecord {
                            actor: actor.clone(),
                            user: rows::parse("user id", &user)?,
                            role: rows::parse("role", &role)?,
                            scope: rows::scope(&scope)?,
                            device: rows::parse("device id", &device)?,
                            key: Some(rows::verifying_key(&key)?),
                        };
                        found.insert(actor, record);
                    }
                }
                Ok(actors.iter().filter_map(|a| found.get(a).cloned()).collect())
            }

            pub(super) async fn put_token(
                pool: &Pool,
                hash: &[u8; 32],
                token: &TokenRecord,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO tokens (hash, user_id, device_id, expires_at, revoked)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (hash) DO UPDATE SET
                         user_id = excluded.user_id,
                         device_id = excluded.device_id,
                         expires_at = excluded.expires_at,
                         revoked = excluded.revoked",
                )
                .bind(hash.to_vec())
                .bind(token.user.to_string())
                .bind(token.device.map(|d| d.to_string()))
                .bind(token.expires_at.as_millis())
                .bind(token.revoked)
                .execute(pool)
                .await?;
                Ok(())
            }

            pub(super) async fn token(
                pool: &Pool,
                hash: &[u8; 32],
            ) -> Result<Option<TokenRecord>, StoreError> {
                let row: Option<(String, Option<String>, i64, bool)> = sqlx::query_as(
                    "SELECT user_id, device_id, expires_at, revoked FROM tokens WHERE hash = $1",
                )
                .bind(hash.to_vec())
                .fetch_optional(pool)
                .await?;
                row.map(|(user, device, expires_at, revoked)| {
                    Ok(TokenRecord {
                        user: rows::parse("user id", &user)?,
                        device: device
                            .map(|d| rows::parse("device id", &d))
                            .transpose()?,
                        expires_at: rows::timestamp(expires_at)?,
                        revoked,
                    })
                })
                .transpose()
            }

            /// Counts the tokens this call revoked (ones revoked before are not counted).
            pub(super) async fn revoke_tokens(
                pool: &Pool,
                user: &UserId,
                device: Option<&DeviceId>,
            ) -> Result<u64, StoreError> {
                let done = match device {
                    Some(device) => sqlx::query(
                        "UPDATE tokens SET revoked = TRUE
                         WHERE user_id = $1 AND device_id = $2 AND NOT revoked",
                    )
                    .bind(user.to_string())
                    .bind(device.to_string()),
                    None => sqlx::query(
                        "UPDATE tokens SET revoked = TRUE WHERE user_id = $1 AND NOT revoked",
                    )
                    .bind(user.to_string()),
                }
                .execute(pool)
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use accounts;
