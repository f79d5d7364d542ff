//! The SQL both backends share, written once and expanded per backend.
//!
//! SQLite and PostgreSQL read the same statements here: both accept `$N` placeholders,
//! `ON CONFLICT … DO UPDATE/NOTHING`, `UPDATE … RETURNING` and `TRUE`; only the column types
//! in their migrations differ. What does differ — how a transaction is begun and how a case is
//! locked — each backend supplies as three inherent methods (`begin_case`, `begin_write`,
//! `begin_read`) plus `MIGRATOR` and a `pool` field.
//!
//! The sharing is by macro, not by functions generic over `sqlx::Database`: sqlx's executor
//! traits need higher-ranked bounds on every generic function (they are not implied by a
//! trait alias), and such functions make the trait's `Send` futures fragile to prove. A
//! macro expands to plain code over one concrete database, which compiles like hand-written
//! code and reads like it.

mod accounts;
mod batch;
mod cases;
mod facts;
mod feed;
mod inbox;

pub(crate) use accounts::accounts;
pub(crate) use batch::batch;
pub(crate) use cases::cases;
pub(crate) use facts::facts;
pub(crate) use feed::feed;
pub(crate) use inbox::inbox;

/// Implements [`Store`](crate::store::Store) and [`HubStore`](wangge_sync::hub::HubStore)
/// for `$store` over `sqlx::Pool<$db>`, plus its diagnostic methods. `$dialect` (`sqlite`
/// or `postgres`) picks how many rows go into one statement (`batch`).
macro_rules! store_impls {
    ($store:ty, $db:ty, $dialect:ident) => {
        $crate::store::sql::accounts!($db);
        $crate::store::sql::batch!($db, $dialect);
        $crate::store::sql::cases!($db);
        $crate::store::sql::facts!($db);
        $crate::store::sql::feed!($db);
        $crate::store::sql::inbox!($db);

        impl $store {
            /// How many change rows a case holds besides its snapshot (compaction keeps
            /// this at most [`COMPACT_AFTER`](crate::store::COMPACT_AFTER)).
            pub async fn change_rows(
                &self,
                case: &wangge_proto::values::CaseId,
            ) -> Result<u64, $crate::store::StoreError> {
                let mut conn = self.pool.acquire().await?;
                cases::change_rows(&mut conn, &case.to_string()).await
            }

            /// Closes the pool: waits for connections in use to be returned, then closes
            /// them all.
            pub async fn close(&self) {
                self.pool.close().await;
            }
        }

        impl $crate::store::Store for $store {
            async fn migrate(&self) -> Result<(), $crate::store::StoreError> {
                Self::MIGRATOR.run(&self.pool).await?;
                Ok(())
            }

            async fn ping(&self) -> Result<(), $crate::store::StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn put_user(
                &self,
                user: &$crate::store::UserRecord,
            ) -> Result<(), $crate::store::StoreError> {
                accounts::put_user(&self.pool, user).await
            }

            async fn user_by_login(
                &self,
                login: &str,
            ) -> Result<Option<$crate::store::UserRecord>, $crate::store::StoreError> {
                accounts::user_by_login(&self.pool, login).await
            }

            async fn user(
                &self,
                id: &wangge_proto::values::UserId,
            ) -> Result<Option<$crate::store::UserRecord>, $crate::store::StoreError> {
                accounts::user_by_id(&self.pool, id).await
            }

            async fn count_users(&self) -> Result<u64, $crate::store::StoreError> {
                accounts::count_users(&self.pool).await
            }

            async fn seed_users(
                &self,
                users: &[$crate::store::UserRecord],
            ) -> Result<u64, $crate::store::StoreError> {
                let mut tx = self.begin_write().await?;
                let inserted = accounts::insert_new_users(&mut tx, users).await?;
                tx.commit().await?;
                Ok(inserted)
            }

            fn postgres(&self) -> Option<&sqlx::PgPool> {
                self.postgres_pool()
            }

            async fn put_device(
                &self,
                device: &$crate::store::DeviceRecord,
            ) -> Result<(), $crate::store::StoreError> {
                accounts::put_device(&self.pool, device).await
            }

            async fn device(
                &self,
                id: &wangge_proto::values::DeviceId,
            ) -> Result<Option<$crate::store::DeviceRecord>, $crate::store::StoreError> {
                accounts::device(&self.pool, id).await
            }

            async fn bind_actor(
                &self,
                actor: &automerge::ActorId,
                user: &wangge_proto::values::UserId,
                device: &wangge_proto::values::DeviceId,
            ) -> Result<(), $crate::store::StoreError> {
                accounts::bind_actor(&self.pool, actor, user, device).await
            }

            async fn actors_of(
                &self,
                user: &wangge_proto::values::UserId,
                device: &wangge_proto::values::DeviceId,
            ) -> Result<Vec<automerge::ActorId>, $crate::store::StoreError> {
                accounts::actors_of(&self.pool, user, device).await
            }

            async fn put_token(
                &self,
                token_hash: &[u8; 32],
                token: &$crate::store::TokenRecord,
            ) -> Result<(), $crate::store::StoreError> {
                accounts::put_token(&self.pool, token_hash, token).await
            }

            async fn token(
                &self,
                token_hash: &[u8; 32],
            ) -> Result<Option<$crate::store::TokenRecord>, $crate::store::StoreError> {
                accounts::token(&self.pool, token_hash).await
            }

            async fn revoke_tokens(
                &self,
                user: &wangge_proto::values::UserId,
                device: Option<&wangge_proto::values::DeviceId>,
            ) -> Result<u64, $crate::store::StoreError> {
                accounts::revoke_tokens(&self.pool, user, device).await
            }

            async fn inbox(
                &self,
                scope: &wangge_proto::Scope,
                query: &$crate::store::InboxQuery,
                now: wangge_proto::values::Timestamp,
            ) -> Result<$crate::store::InboxPage, $crate::store::StoreError> {
                inbox::page(&self.pool, scope, query, now).await
            }

            async fn case_summary(
                &self,
                case: &wangge_proto::values::CaseId,
                now: wangge_proto::values::Timestamp,
            ) -> Result<Option<$crate::store::CaseSummary>, $crate::store::StoreError> {
                inbox::one(&self.pool, case, now).await
            }

            async fn blob_in_scope(
                &self,
                scope: &wangge_proto::Scope,
                hash: &wangge_proto::values::ContentHash,
            ) -> Result<bool, $crate::store::StoreError> {
                inbox::blob_in_scope(&self.pool, scope, hash).await
            }

            async fn backfill_query_rows(
                &self,
                policy: &wangge_proto::workflow::DeadlinePolicy,
            ) -> Result<u64, $crate::store::StoreError> {
                let missing = {
                    let mut conn = self.pool.acquire().await?;
                    facts::missing(&mut conn).await?
                };
                let mut done = 0;
                for (id, updated_at) in missing {
                    let case: wangge_proto::values::CaseId = $crate::store::rows::parse("case id", &id)?;
                    let mut tx = self.begin_case(&case).await?;
                    let Some((stored, _)) = cases::load(&mut tx, &id).await? else {
                        continue;
                    };
                    let summary = wangge_proto::case::CaseDocument::load(&stored.document())
                        .and_then(|doc| wangge_sync::hub::summarize(&doc, policy));
                    match summary {
                        // Events stored before 0002 count as received at the last write.
                        Ok((_, facts)) => {
                            let write = facts::Write {
                                id: &id,
                                facts: &facts,
                                previous: None,
                                row_written: false,
                            };
                            facts::write(&mut tx, &[write], updated_at).await?
                        }
                        Err(error) => {
                            tracing::warn!(case = %id, %error, "query rows not computed: the stored case does not read");
                            continue;
                        }
                    }
                    tx.commit().await?;
                    done += 1;
                }
                Ok(done)
            }
        }

        impl wangge_sync::hub::HubStore for $store {
            type Error = $crate::store::StoreError;

            async fn actors(
                &self,
                actors: &[automerge::ActorId],
            ) -> Result<Vec<wangge_sync::hub::ActorRecord>, $crate::store::StoreError> {
                if actors.is_empty() {
                    return Ok(Vec::new());
                }
                accounts::records(&self.pool, actors).await
            }

            async fn update_batch<U: wangge_sync::hub::CaseUpdates>(
                &self,
                cases: &[wangge_proto::values::CaseId],
                mut updates: U,
            ) -> wangge_sync::hub::BatchResults<U::Output, $crate::store::StoreError> {
                let ids: Vec<String> = cases.iter().map(ToString::to_string).collect();
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                // Every case of the batch locked, then read, in one transaction: first the
                // heads, then the bytes of the cases the updates do not hold.
                let mut tx = self.begin_cases(cases).await?;
                let shapes = cases::shapes(&mut tx, &ids).await?;
                let unheld: Vec<&str> = ids
                    .iter()
                    .enumerate()
                    .filter(|(n, id)| {
                        shapes.get(**id).is_some_and(|shape| {
                            !shape
                                .heads
                                .as_deref()
                                .is_some_and(|heads| updates.holds(*n, heads))
                        })
                    })
                    .map(|(_, id)| *id)
                    .collect();
                let mut stored = cases::load_many(&mut tx, &unheld).await?;
                let read = Read {
                    ids: &ids,
                    shapes: &shapes,
                };
                // Each run's commits are written while the next run is merged: the database
                // works while this process merges (ADR 0015).
                let now = wangge_proto::values::Timestamp::now().as_millis();
                let mut outputs: Vec<Option<U::Output>> = ids.iter().map(|_| None).collect();
                let mut failed = Vec::new();
                let mut committed = false;
                let mut merged = Vec::new();
                for run in runs(ids.len()) {
                    let merging = merge_run(&mut updates, run, &read, &mut stored, &mut outputs);
                    let writing = write_run(&mut tx, &read, std::mem::take(&mut merged), now);
                    let (next, written) = tokio::join!(merging, writing);
                    failed.extend(written?);
                    committed |= !next.is_empty();
                    merged = next;
                }
                failed.extend(write_run(&mut tx, &read, merged, now).await?);
                if committed {
                    tx.commit().await?;
                } else {
                    tx.rollback().await?;
                }
                let mut results: Vec<Result<U::Output, $crate::store::StoreError>> = outputs
                    .into_iter()
                    .map(|output| {
                        output.ok_or_else(|| {
                            $crate::store::StoreError::Invalid("a case of the batch was not updated".into())
                        })
                    })
                    .collect();
                for (n, error) in failed {
                    tracing::warn!(case = %ids[n], %error, "a case of the batch was not stored");
                    results[n] = Err(error);
                }
                Ok(results)
            }

            async fn load_case(
                &self,
                case: &wangge_proto::values::CaseId,
            ) -> Result<Option<(Vec<u8>, wangge_sync::hub::CaseIndex)>, $crate::store::StoreError>
            {
                let id = case.to_string();
                // One snapshot for both reads: a compaction committing in between must not
                // pair the old snapshot with the rows left after it.
                let mut tx = self.begin_read().await?;
                let Some((stored, grid)) = cases::load(&mut tx, &id).await? else {
                    return Ok(None);
                };
                let index = cases::index(&mut tx, &id, &grid).await?;
                tx.commit().await?;
                Ok(Some((stored.document(), index)))
            }

            async fn load_cases(
                &self,
                cases: &[wangge_proto::values::CaseId],
            ) -> Result<Vec<Option<wangge_sync::hub::LoadedCase>>, $crate::store::StoreError>
            {
                let ids: Vec<String> = cases.iter().map(ToString::to_string).collect();
                let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                // One snapshot for all the reads, as in `load_case`.
                let mut tx = self.begin_read().await?;
                let mut stored = cases::load_many(&mut tx, &id_refs).await?;
                let mut indexes = cases::indexes(&mut tx, &id_refs).await?;
                tx.commit().await?;
                Ok(ids
                    .iter()
                    .map(|id| {
                        let stored = stored.remove(id.as_str())?;
                        let (index, heads) = indexes.remove(id.as_str())?;
                        Some(wangge_sync::hub::LoadedCase {
                            bytes: stored.document(),
                            index,
                            heads,
                        })
                    })
                    .collect())
            }

            async fn feed(
                &self,
                session: &wangge_sync::hub::Session,
                after: wangge_sync::wire::Cursor,
                limit: usize,
            ) -> Result<wangge_sync::hub::FeedPage, $crate::store::StoreError> {
                feed::page(&self.pool, session, after, limit).await
            }

            async fn delivered(
                &self,
                device: &wangge_proto::values::DeviceId,
                case: &wangge_proto::values::CaseId,
                as_of: wangge_sync::wire::Cursor,
            ) -> Result<Option<Vec<automerge::ChangeHash>>, $crate::store::StoreError> {
                feed::delivered(&self.pool, device, case, as_of).await
            }

            async fn delivered_many(
                &self,
                device: &wangge_proto::values::DeviceId,
                cases: &[wangge_proto::values::CaseId],
                as_of: wangge_sync::wire::Cursor,
            ) -> Result<Vec<Option<Vec<automerge::ChangeHash>>>, $crate::store::StoreError> {
                let ids: Vec<String> = cases.iter().map(ToString::to_string).collect();
                let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                let mut known = feed::delivered_many(&self.pool, device, &id_refs, as_of).await?;
                Ok(ids.iter().map(|id| known.remove(id.as_str())).collect())
            }

            async fn record_delivered(
                &self,
                device: &wangge_proto::values::DeviceId,
                cursor: wangge_sync::wire::Cursor,
                cases: Vec<(wangge_proto::values::CaseId, Vec<automerge::ChangeHash>)>,
            ) -> Result<(), $crate::store::StoreError> {
                if cases.is_empty() {
                    return Ok(());
                }
                let mut tx = self.begin_write().await?;
                feed::record_delivered(&mut tx, device, cursor, cases).await?;
                tx.commit().await?;
                Ok(())
            }
        }

        /// One accepted commit of a batch (see `write_batch`).
        struct Commit<'a> {
            /// Its place in the batch.
            n: usize,
            id: &'a str,
            commit: &'a wangge_sync::hub::CaseCommit,
            plan: &'a $crate::store::compaction::WritePlan,
        }

        /// What `update_batch` read of its cases before merging them.
        struct Read<'a> {
            /// The batch's case ids, in order.
            ids: &'a [&'a str],
            /// The stored cases' heads and counted rows.
            shapes: &'a std::collections::HashMap<String, cases::Shape>,
        }

        /// A commit a merge gave, with its planned writes (`None`: a held case due for
        /// compaction, planned once it is read).
        struct Merged {
            n: usize,
            commit: wangge_sync::hub::CaseCommit,
            plan: Option<$crate::store::compaction::WritePlan>,
        }

        /// A batch is merged in runs of about this many cases, and in two at least once it
        /// has [`PIPELINE_FROM`] cases.
        const RUN_CASES: usize = 100;
        const PIPELINE_FROM: usize = 32;

        /// The runs a batch of `n` cases is merged in: equal parts, in order.
        fn runs(n: usize) -> Vec<std::ops::Range<usize>> {
            let count = if n >= PIPELINE_FROM {
                n.div_ceil(RUN_CASES).max(2)
            } else {
                1
            };
            let size = n.div_ceil(count).max(1);
            (0..n).step_by(size).map(|start| start..(start + size).min(n)).collect()
        }

        /// Runs the updates of the cases in `run`, keeping their outputs, and gives the
        /// commits with their planned writes. Yields after each case, so the previous run's
        /// writes move on between merges.
        async fn merge_run<U: wangge_sync::hub::CaseUpdates>(
            updates: &mut U,
            run: std::ops::Range<usize>,
            read: &Read<'_>,
            stored: &mut std::collections::HashMap<String, $crate::store::compaction::StoredCase>,
            outputs: &mut [Option<U::Output>],
        ) -> Vec<Merged> {
            use $crate::store::COMPACT_AFTER;
            use $crate::store::compaction;
            let mut merged = Vec::new();
            for n in run {
                let shape = read.shapes.get(read.ids[n]);
                let full = stored.remove(read.ids[n]);
                let bytes = full.as_ref().map(compaction::StoredCase::document);
                let given = shape.map(|shape| wangge_sync::hub::Stored {
                    heads: shape.heads.as_deref(),
                    bytes: bytes.as_deref(),
                });
                let (commit, output) = updates.update(n, given);
                outputs[n] = Some(output);
                if let Some(commit) = commit {
                    let plan = match &full {
                        Some(full) => Some(compaction::plan(full, &commit, COMPACT_AFTER)),
                        None => compaction::plan_appending(
                            shape.map(|s| s.rows).unwrap_or_default(),
                            &commit,
                            COMPACT_AFTER,
                        ),
                    };
                    merged.push(Merged { n, commit, plan });
                }
                tokio::task::yield_now().await;
            }
            merged
        }

        /// Writes the commits of a run (reading first the held cases due for compaction),
        /// as `write_batch`; nothing for no commits.
        async fn write_run(
            conn: &mut <$db as sqlx::Database>::Connection,
            read: &Read<'_>,
            merged: Vec<Merged>,
            now: i64,
        ) -> Result<Vec<(usize, $crate::store::StoreError)>, $crate::store::StoreError> {
            use $crate::store::COMPACT_AFTER;
            use $crate::store::compaction;
            if merged.is_empty() {
                return Ok(Vec::new());
            }
            let due: Vec<&str> = merged
                .iter()
                .filter(|m| m.plan.is_none())
                .map(|m| read.ids[m.n])
                .collect();
            let mut due = cases::load_many(conn, &due).await?;
            let planned: Vec<(usize, wangge_sync::hub::CaseCommit, compaction::WritePlan)> = merged
                .into_iter()
                .map(|Merged { n, commit, plan }| {
                    let plan = plan.unwrap_or_else(|| {
                        let full = due.remove(read.ids[n]).unwrap_or_default();
                        compaction::plan(&full, &commit, COMPACT_AFTER)
                    });
                    (n, commit, plan)
                })
                .collect();
            let writes: Vec<Commit<'_>> = planned
                .iter()
                .map(|(n, commit, plan)| Commit {
                    n: *n,
                    id: read.ids[*n],
                    commit,
                    plan,
                })
                .collect();
            write_batch(conn, &writes, now).await
        }

        /// Writes `commits` inside the caller's transaction: all at once, or, if that fails,
        /// case by case, each in its own savepoint, so that a case whose writes fail leaves
        /// nothing and the others are still written. Returns the cases that failed.
        async fn write_batch(
            conn: &mut <$db as sqlx::Database>::Connection,
            commits: &[Commit<'_>],
            now: i64,
        ) -> Result<Vec<(usize, $crate::store::StoreError)>, $crate::store::StoreError> {
            use sqlx::Executor as _;
            conn.execute("SAVEPOINT batch_write").await?;
            match write_commits(conn, commits, now).await {
                Ok(()) => {
                    conn.execute("RELEASE SAVEPOINT batch_write").await?;
                    return Ok(Vec::new());
                }
                Err(error) => {
                    tracing::warn!(%error, "a batch write failed; writing its cases one by one");
                    conn.execute("ROLLBACK TO SAVEPOINT batch_write").await?;
                    conn.execute("RELEASE SAVEPOINT batch_write").await?;
                }
            }
            let mut failed = Vec::new();
            for commit in commits {
                conn.execute("SAVEPOINT case_write").await?;
                match write_commits(conn, std::slice::from_ref(commit), now).await {
                    Ok(()) => {
                        conn.execute("RELEASE SAVEPOINT case_write").await?;
                    }
                    Err(error) => {
                        conn.execute("ROLLBACK TO SAVEPOINT case_write").await?;
                        conn.execute("RELEASE SAVEPOINT case_write").await?;
                        failed.push((commit.n, error));
                    }
                }
            }
            Ok(failed)
        }

        /// The rows of `commits`: case rows and change rows, then query rows.
        async fn write_commits(
            conn: &mut <$db as sqlx::Database>::Connection,
            commits: &[Commit<'_>],
            now: i64,
        ) -> Result<(), $crate::store::StoreError> {
            let facts: Vec<facts::Write<'_>> = commits
                .iter()
                .map(|c| facts::Write {
                    id: c.id,
                    facts: &c.commit.facts,
                    previous: c.commit.previous.as_ref().map(|p| &p.facts),
                    row_written: true,
                })
                .collect();
            let next_due = facts::next_due(conn, &facts, now).await?;
            let writes: Vec<cases::Write<'_>> = commits
                .iter()
                .zip(next_due)
                .map(|(c, next_due_at)| cases::Write {
                    id: c.id,
                    index: &c.commit.index,
                    previous: c.commit.previous.as_ref().map(|p| &p.index),
                    heads: &c.commit.heads,
                    facts: &c.commit.facts,
                    next_due_at,
                    plan: c.plan,
                })
                .collect();
            cases::write(conn, &writes, now).await?;
            facts::write(conn, &facts, now).await
        }
    };
}

pub(crate) use store_impls;
