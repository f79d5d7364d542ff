//! A case's rows: read the snapshots and changes of a batch's cases, write the batch's
//! accepted commits (one statement per table for all of them, `batch`).
//!
//! `cases!(Db)` expands to a private `cases` module of functions over one open transaction
//! (`&mut Db::Connection`): the backend decides how that transaction is begun and locked
//! (see `sqlite` and `postgres`), the reads and writes here are the same on both.
//!
//! A write takes its feed positions (one per commit, in order) before its other writes, with
//! an `UPDATE … RETURNING` on the single `feed_head` row. That row lock is held until commit,
//! so writers pass the allocation one at a time and commit in position order (the PostgreSQL
//! module explains why that keeps the feed from skipping). The first run of a batch is merged
//! and compacted before it; a large batch's later runs are merged while the earlier runs'
//! writes hold it (ADR 0015).

macro_rules! cases {
    ($db:ty) => {
        /// A case's rows (expanded from `store::sql::cases`).
        mod cases {
            use std::collections::{BTreeSet, HashMap};

            use automerge::ChangeHash;
            use wangge_proto::values::DepartmentCode;
            use wangge_sync::hub::{CaseFacts, CaseIndex};

            use $crate::store::StoreError;
            use $crate::store::compaction::{ChangeRow, RowCount, StoredCase, WritePlan};
            use $crate::store::params::Param;
            use $crate::store::rows;

            use super::batch;

            type Conn = <$db as sqlx::Database>::Connection;

            /// The stored case and its grid, if the case exists.
            pub(super) async fn load(
                conn: &mut Conn,
                id: &str,
            ) -> Result<Option<(StoredCase, String)>, StoreError> {
                let case: Option<(Vec<u8>, String)> =
                    sqlx::query_as("SELECT snapshot, grid FROM cases WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let Some((snapshot, grid)) = case else {
                    return Ok(None);
                };
                let rows: Vec<(Vec<u8>, Vec<u8>, i64)> = sqlx::query_as(
                    "SELECT hash, bytes, seq FROM case_changes WHERE case_id = $1 ORDER BY seq",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                let rows = rows
                    .into_iter()
                    .map(|(hash, bytes, seq)| {
                        Ok(ChangeRow {
                            hash: rows::change_hash(&hash)?,
                            bytes,
                            seq,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                Ok(Some((StoredCase { snapshot, rows }, grid)))
            }

            /// The case's index as stored.
            pub(super) async fn index(
                conn: &mut Conn,
                id: &str,
                grid: &str,
            ) -> Result<CaseIndex, StoreError> {
                let departments: Vec<(String,)> = sqlx::query_as(
                    "SELECT department FROM case_departments WHERE case_id = $1",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                Ok(CaseIndex {
                    grid: rows::parse("grid code", grid)?,
                    departments: departments
                        .iter()
                        .map(|(d,)| rows::parse("department code", d))
                        .collect::<Result<BTreeSet<DepartmentCode>, _>>()?,
                })
            }

            /// What a batch's update reads of a stored case before any of its bytes.
            pub(super) struct Shape {
                /// Its heads as of its last commit (`None`: written before heads were).
                pub heads: Option<Vec<ChangeHash>>,
                /// Its change rows, counted.
                pub rows: RowCount,
            }

            /// The shapes of the stored cases among `ids` (absent ones are left out): one
            /// statement that reads no snapshot and no change bytes.
            pub(super) async fn shapes(
                conn: &mut Conn,
                ids: &[&str],
            ) -> Result<HashMap<String, Shape>, StoreError> {
                let found: Vec<(String, Option<Vec<u8>>, i64, i64)> = batch::fetch_for_ids(
                    conn,
                    "SELECT c.id, c.heads, COUNT(ch.seq), COALESCE(MAX(ch.seq), 0)
                     FROM cases c LEFT JOIN case_changes ch ON ch.case_id = c.id
                     WHERE c.id {in_ids} GROUP BY c.id, c.heads",
                    Vec::new(),
                    ids,
                )
                .await?;
                found
                    .into_iter()
                    .map(|(id, heads, rows, last_seq)| {
                        let shape = Shape {
                            heads: heads.as_deref().map(rows::heads).transpose()?,
                            rows: RowCount {
                                rows: usize::try_from(rows::count(rows)?).map_err(|_| {
                                    StoreError::Invalid(format!("{rows} change rows"))
                                })?,
                                last_seq,
                            },
                        };
                        Ok((id, shape))
                    })
                    .collect()
            }

            /// The stored cases among `ids` (absent ones are left out), read inside the caller's
            /// transaction; no ids, no statement.
            pub(super) async fn load_many(
                conn: &mut Conn,
                ids: &[&str],
            ) -> Result<HashMap<String, StoredCase>, StoreError> {
                let mut cases: HashMap<String, StoredCase> = HashMap::with_capacity(ids.len());
                let snapshots: Vec<(String, Vec<u8>)> = batch::fetch_for_ids(
                    conn,
                    "SELECT id, snapshot FROM cases WHERE id {in_ids}",
                    Vec::new(),
                    ids,
                )
                .await?;
                for (id, snapshot) in snapshots {
                    cases.insert(
                        id,
                        StoredCase {
                            snapshot,
                            rows: Vec::new(),
                        },
                    );
                }
                let changes: Vec<(String, Vec<u8>, Vec<u8>, i64)> = batch::fetch_for_ids(
                    conn,
                    "SELECT case_id, hash, bytes, seq FROM case_changes
                     WHERE case_id {in_ids} ORDER BY case_id, seq",
                    Vec::new(),
                    ids,
                )
                .await?;
                for (id, hash, bytes, seq) in changes {
                    let row = ChangeRow {
                        hash: rows::change_hash(&hash)?,
                        bytes,
                        seq,
                    };
                    match cases.get_mut(&id) {
                        Some(case) => case.rows.push(row),
                        None => {
                            return Err(StoreError::Invalid(format!(
                                "change rows of case {id}, which has no case row"
                            )));
                        }
                    }
                }
                Ok(cases)
            }

            /// The indexes and heads of the stored cases among `ids` (absent ones are left
            /// out).
            pub(super) async fn indexes(
                conn: &mut Conn,
                ids: &[&str],
            ) -> Result<HashMap<String, (CaseIndex, Option<Vec<ChangeHash>>)>, StoreError> {
                let grids: Vec<(String, String, Option<Vec<u8>>)> = batch::fetch_for_ids(
                    conn,
                    "SELECT id, grid, heads FROM cases WHERE id {in_ids}",
                    Vec::new(),
                    ids,
                )
                .await?;
                let mut indexes = HashMap::with_capacity(grids.len());
                for (id, grid, heads) in grids {
                    let index = CaseIndex {
                        grid: rows::parse("grid code", &grid)?,
                        departments: BTreeSet::new(),
                    };
                    let heads = heads.as_deref().map(rows::heads).transpose()?;
                    indexes.insert(id, (index, heads));
                }
                let departments: Vec<(String, String)> = batch::fetch_for_ids(
                    conn,
                    "SELECT case_id, department FROM case_departments WHERE case_id {in_ids}",
                    Vec::new(),
                    ids,
                )
                .await?;
                for (id, department) in departments {
                    if let Some((index, _)) = indexes.get_mut(&id) {
                        index
                            .departments
                            .insert(rows::parse("department code", &department)?);
                    }
                }
                Ok(indexes)
            }

            /// One accepted commit, as [`write`] stores it.
            pub(super) struct Write<'a> {
                /// The case id.
                pub id: &'a str,
                /// Its index afterwards.
                pub index: &'a CaseIndex,
                /// Its index as stored, if known (`CaseCommit::previous`).
                pub previous: Option<&'a CaseIndex>,
                /// Its heads afterwards.
                pub heads: &'a [ChangeHash],
                /// Its facts afterwards: the list columns of its row.
                pub facts: &'a CaseFacts,
                /// The earliest due time of its running deadlines (`facts::next_due`).
                pub next_due_at: Option<i64>,
                /// Its rows to write.
                pub plan: &'a WritePlan,
            }

            /// Stores commits of distinct cases at server time `now`: a new feed position for
            /// each (in order), the case rows, their change rows and departments — one
            /// statement per table, not per row.
            pub(super) async fn write(
                conn: &mut Conn,
                writes: &[Write<'_>],
                now: i64,
            ) -> Result<(), StoreError> {
                let Some(count) = i64::try_from(writes.len()).ok().filter(|n| *n > 0) else {
                    return Ok(());
                };
                // Held until commit: see the module doc.
                let (last,): (i64,) = sqlx::query_as(
                    "UPDATE feed_head SET position = position + $1 WHERE id = 1
                     RETURNING position",
                )
                .bind(count)
                .fetch_one(&mut *conn)
                .await?;
                let case_rows = writes
                    .iter()
                    .zip(last - count + 1..)
                    .map(|(w, position)| {
                        let mut row = vec![
                            Param::Text(w.id.to_owned()),
                            Param::Bytes(w.plan.snapshot.clone().unwrap_or_default()),
                            Param::Int(position),
                            Param::Text(w.index.grid.as_str().to_owned()),
                            Param::Text(w.index.grid.community().to_string()),
                            Param::Text(w.index.grid.street().to_string()),
                            Param::Int(now),
                            Param::Bytes(rows::heads_bytes(w.heads)),
                        ];
                        row.extend(super::facts::list_columns(w.facts));
                        row.push(Param::MaybeInt(w.next_due_at));
                        row
                    })
                    .collect();
                // A stored case keeps its snapshot unless it was compacted (below). The list
                // columns and the earliest deadline are written here too: one new version of
                // the row per commit, not two.
                batch::values(
                    conn,
                    "INSERT INTO cases (id, snapshot, position, grid, community, street, updated_at,
                         heads, status, tier, category, title, reporter, source, created_at,
                         next_due_at)",
                    case_rows,
                    "ON CONFLICT (id) DO UPDATE SET
                         position = excluded.position,
                         heads = excluded.heads,
                         grid = excluded.grid,
                         community = excluded.community,
                         street = excluded.street,
                         updated_at = excluded.updated_at,
                         status = excluded.status,
                         tier = excluded.tier,
                         category = excluded.category,
                         title = excluded.title,
                         reporter = excluded.reporter,
                         source = excluded.source,
                         created_at = excluded.created_at,
                         next_due_at = excluded.next_due_at",
                )
                .await?;
                for write in writes {
                    let Some(snapshot) = &write.plan.snapshot else {
                        continue;
                    };
                    sqlx::query("UPDATE cases SET snapshot = $2 WHERE id = $1")
                        .bind(write.id)
                        .bind(snapshot.clone())
                        .execute(&mut *conn)
                        .await?;
                    for chunk in write.plan.delete.chunks(500) {
                        let sql = format!(
                            "DELETE FROM case_changes WHERE case_id = $1 AND hash IN ({})",
                            rows::placeholders(2, chunk.len())
                        );
                        let mut query = sqlx::query(&sql).bind(write.id);
                        for hash in chunk {
                            query = query.bind(hash.0.to_vec());
                        }
                        query.execute(&mut *conn).await?;
                    }
                }
                let change_rows = writes
                    .iter()
                    .flat_map(|w| {
                        w.plan.insert.iter().map(|row| {
                            vec![
                                Param::Text(w.id.to_owned()),
                                Param::Bytes(row.hash.0.to_vec()),
                                Param::Bytes(row.bytes.clone()),
                                Param::Int(row.seq),
                            ]
                        })
                    })
                    .collect();
                batch::values(
                    conn,
                    "INSERT INTO case_changes (case_id, hash, bytes, seq)",
                    change_rows,
                    "ON CONFLICT (case_id, hash) DO NOTHING",
                )
                .await?;
                // Departments: only of the cases whose departments changed.
                let moved: Vec<&Write<'_>> = writes
                    .iter()
                    .filter(|w| w.previous.is_none_or(|p| p.departments != w.index.departments))
                    .collect();
                let ids: Vec<&str> = moved.iter().map(|w| w.id).collect();
                batch::in_ids(conn, "DELETE FROM case_departments WHERE case_id", &ids).await?;
                let department_rows = moved
                    .iter()
                    .flat_map(|w| {
                        w.index.departments.iter().map(|d| {
                            vec![Param::Text(w.id.to_owned()), Param::Text(d.as_str().to_owned())]
                        })
                    })
                    .collect();
                batch::values(
                    conn,
                    "INSERT INTO case_departments (case_id, department)",
                    department_rows,
                    "",
                )
                .await?;
                Ok(())
            }

            /// How many change rows a case has (compaction keeps this small).
            pub(super) async fn change_rows(conn: &mut Conn, id: &str) -> Result<u64, StoreError> {
                let (n,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM case_changes WHERE case_id = $1")
                        .bind(id)
                        .fetch_one(&mut *conn)
                        .await?;
                rows::count(n)
            }
        }
    };
}

pub(crate) use cases;
