//! The change feed by scope, and what each device was last given: the queries, written once.
//!
//! The feed reads the head first and then only positions up to it. Positions commit in
//! order (see `cases`), so every position at or below a head that has been read is already
//! committed: the page and its head agree without a read transaction, and a reader that moves
//! its cursor to the head never skips a commit. A case updated meanwhile has moved above the
//! head and shows up on the next page, as it would in `MemoryHub`.
//!
//! Deliveries follow `MemoryHub` exactly: per device and case, records of responses with a
//! cursor at or after a new one are dropped (those responses were lost), the new one is
//! added, and only the newest two are kept — for every case of a response in three
//! statements.

macro_rules! feed {
    ($db:ty) => {
        /// The feed and deliveries (expanded from `store::sql::feed`).
        mod feed {
            use automerge::ChangeHash;
            use wangge_proto::values::{CaseId, DeviceId};
            use wangge_sync::hub::{FeedEntry, FeedPage, Session};
            use wangge_sync::wire::Cursor;

            use std::collections::{BTreeMap, HashMap};

            use $crate::store::params::{Param, Params, bind_params};
            use $crate::store::scope_filter::scope_filter;
            use $crate::store::{StoreError, rows};

            use super::batch;

            type Pool = sqlx::Pool<$db>;
            type Conn = <$db as sqlx::Database>::Connection;

            pub(super) async fn page(
                pool: &Pool,
                session: &Session,
                after: Cursor,
                limit: usize,
            ) -> Result<FeedPage, StoreError> {
                let (head,): (i64,) = sqlx::query_as("SELECT position FROM feed_head WHERE id = 1")
                    .fetch_one(pool)
                    .await?;
                let page = |entries: Vec<FeedEntry>| -> Result<FeedPage, StoreError> {
                    Ok(FeedPage {
                        entries,
                        head: rows::cursor(head)?,
                    })
                };
                let after = rows::position(after);
                if limit == 0 || after >= head {
                    return page(Vec::new());
                }
                let mut params = Params::default();
                let after = params.int(after);
                let head_param = params.int(head);
                let limit = params.int(i64::try_from(limit).unwrap_or(i64::MAX));
                let Some(filter) = scope_filter(&session.scope, "", &mut params) else {
                    return page(Vec::new());
                };
                let sql = format!(
                    "SELECT id, position FROM cases
                     WHERE position > {after} AND position <= {head_param} AND {filter}
                     ORDER BY position LIMIT {limit}"
                );
                let query = bind_params!(
                    sqlx::query_as::<_, (String, i64)>(&sql),
                    params.into_values()
                );
                let entries = query
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .map(|(case, position)| {
                        Ok(FeedEntry {
                            case: rows::parse("case id", &case)?,
                            position: rows::cursor(position)?,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                page(entries)
            }

            pub(super) async fn delivered(
                pool: &Pool,
                device: &DeviceId,
                case: &CaseId,
                as_of: Cursor,
            ) -> Result<Option<Vec<ChangeHash>>, StoreError> {
                let heads: Option<(Vec<u8>,)> = sqlx::query_as(
                    "SELECT heads FROM deliveries
                     WHERE device_id = $1 AND case_id = $2 AND response_cursor <= $3
                     ORDER BY response_cursor DESC LIMIT 1",
                )
                .bind(device.to_string())
                .bind(case.to_string())
                .bind(rows::position(as_of))
                .fetch_optional(pool)
                .await?;
                heads.map(|(h,)| rows::heads(&h)).transpose()
            }

            /// [`delivered`] for each of `cases`, in one statement: the cases with a record.
            pub(super) async fn delivered_many(
                pool: &Pool,
                device: &DeviceId,
                cases: &[&str],
                as_of: Cursor,
            ) -> Result<HashMap<String, Vec<ChangeHash>>, StoreError> {
                let mut conn = pool.acquire().await?;
                let records: Vec<(String, i64, Vec<u8>)> = batch::fetch_for_ids(
                    &mut conn,
                    "SELECT case_id, response_cursor, heads FROM deliveries
                     WHERE device_id = $1 AND response_cursor <= $2 AND case_id {in_ids}",
                    vec![
                        Param::Text(device.to_string()),
                        Param::Int(rows::position(as_of)),
                    ],
                    cases,
                )
                .await?;
                // The latest record at or before `as_of` of each case.
                let mut latest: HashMap<String, (i64, Vec<u8>)> = HashMap::new();
                for (case, cursor, heads) in records {
                    match latest.get(&case) {
                        Some((seen, _)) if *seen >= cursor => {}
                        _ => {
                            latest.insert(case, (cursor, heads));
                        }
                    }
                }
                latest
                    .into_iter()
                    .map(|(case, (_, heads))| Ok((case, rows::heads(&heads)?)))
                    .collect()
            }

            /// Runs in the caller's write transaction: two statements for all the cases.
            pub(super) async fn record_delivered(
                conn: &mut Conn,
                device: &DeviceId,
                cursor: Cursor,
                cases: Vec<(CaseId, Vec<ChangeHash>)>,
            ) -> Result<(), StoreError> {
                let device = device.to_string();
                let cursor = rows::position(cursor);
                // One record per case: the last heads given for it.
                let mut last: BTreeMap<CaseId, Vec<ChangeHash>> = BTreeMap::new();
                for (case, heads) in cases {
                    last.insert(case, heads);
                }
                let ids: Vec<String> = last.keys().map(ToString::to_string).collect();
                let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                let leading = vec![Param::Text(device.clone()), Param::Int(cursor)];
                // Keep the newest two: the one written below (any record at or after the
                // cursor is from a response the device did not get, and goes) and the
                // newest before it.
                batch::for_ids(
                    conn,
                    "DELETE FROM deliveries
                     WHERE device_id = $1 AND case_id {in_ids} AND (
                         response_cursor >= $2
                         OR response_cursor < (
                             SELECT MAX(older.response_cursor) FROM deliveries AS older
                             WHERE older.device_id = $1 AND older.case_id = deliveries.case_id
                               AND older.response_cursor < $2
                         )
                     )",
                    leading,
                    &id_refs,
                )
                .await?;
                let records = last
                    .values()
                    .zip(&ids)
                    .map(|(heads, id)| {
                        vec![
                            Param::Text(device.clone()),
                            Param::Text(id.clone()),
                            Param::Int(cursor),
                            Param::Bytes(rows::heads_bytes(heads)),
                        ]
                    })
                    .collect();
                batch::values(
                    conn,
                    "INSERT INTO deliveries (device_id, case_id, response_cursor, heads)",
                    records,
                    "ON CONFLICT (device_id, case_id, response_cursor)
                     DO UPDATE SET heads = excluded.heads",
                )
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use feed;
