//! A case's rows: read the snapshot and changes, write one accepted commit.
//!
//! `cases!(Db)` expands to a private `cases` module of functions over one open transaction
//! (`&mut Db::Connection`): the backend decides how that transaction is begun and locked
//! (see `sqlite` and `postgres`), the reads and writes here are the same on both.
//!
//! A write takes its feed position before its other writes, with an `UPDATE … RETURNING` on
//! the single `feed_head` row. That row lock is held until commit, so writers pass the
//! allocation one at a time and commit in position order (the PostgreSQL module explains why
//! that keeps the feed from skipping). The slow parts — the hub's validated merge in the
//! caller's closure, and compaction — run before it, so that global section is a handful of
//! small statements and the commit.

macro_rules! cases {
    ($db:ty) => {
        /// A case's rows (expanded from `store::sql::cases`).
        mod cases {
            use std::collections::BTreeSet;

            use wangge_proto::values::DepartmentCode;
            use wangge_sync::hub::CaseIndex;

            use $crate::store::StoreError;
            use $crate::store::compaction::{ChangeRow, StoredCase, WritePlan};
            use $crate::store::rows;

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

            /// Stores one commit at server time `now`: a new feed position, the case row,
            /// its change rows and departments.
            pub(super) async fn write(
                conn: &mut Conn,
                id: &str,
                index: &CaseIndex,
                plan: WritePlan,
                now: i64,
            ) -> Result<(), StoreError> {
                // Held until commit: see the module doc.
                let (position,): (i64,) = sqlx::query_as(
                    "UPDATE feed_head SET position = position + 1 WHERE id = 1 RETURNING position",
                )
                .fetch_one(&mut *conn)
                .await?;
                let compacted = plan.snapshot.is_some();
                sqlx::query(
                    "INSERT INTO cases (id, snapshot, position, grid, community, street, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (id) DO UPDATE SET
                         snapshot = CASE WHEN $8 THEN excluded.snapshot ELSE cases.snapshot END,
                         position = excluded.position,
                         grid = excluded.grid,
                         community = excluded.community,
                         street = excluded.street,
                         updated_at = excluded.updated_at",
                )
                .bind(id)
                .bind(plan.snapshot.unwrap_or_default())
                .bind(position)
                .bind(index.grid.as_str())
                .bind(index.grid.community().to_string())
                .bind(index.grid.street().to_string())
                .bind(now)
                .bind(compacted)
                .execute(&mut *conn)
                .await?;
                for chunk in plan.delete.chunks(500) {
                    let sql = format!(
                        "DELETE FROM case_changes WHERE case_id = $1 AND hash IN ({})",
                        rows::placeholders(2, chunk.len())
                    );
                    let mut query = sqlx::query(&sql).bind(id);
                    for hash in chunk {
                        query = query.bind(hash.0.to_vec());
                    }
                    query.execute(&mut *conn).await?;
                }
                for row in plan.insert {
                    sqlx::query(
                        "INSERT INTO case_changes (case_id, hash, bytes, seq)
                         VALUES ($1, $2, $3, $4)
                         ON CONFLICT (case_id, hash) DO NOTHING",
                    )
                    .bind(id)
                    .bind(row.hash.0.to_vec())
                    .bind(row.bytes)
                    .bind(row.seq)
                    .execute(&mut *conn)
                    .await?;
                }
                sqlx::query("DELETE FROM case_departments WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                for department in &index.departments {
                    sqlx::query(
                        "INSERT INTO case_departments (case_id, department) VALUES ($1, $2)",
                    )
                    .bind(id)
                    .bind(department.as_str())
                    .execute(&mut *conn)
                    .await?;
                }
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
