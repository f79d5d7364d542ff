//! The review inbox, one case's summary, and the blob read rule: the queries, written once.
//!
//! The inbox statement (see `ARCHITECTURE.md` for its shape) is one range of an index on
//! (scope column, `updated_at`, `id`) read backwards, with the filters applied to the rows
//! it passes; a single status uses (community, status, `updated_at`, `id`) directly.

macro_rules! inbox {
    ($db:ty) => {
        /// Inbox queries (expanded from `store::sql::inbox`).
        mod inbox {
            use wangge_proto::Scope;
            use wangge_proto::values::{CaseId, ContentHash, Timestamp};

            use $crate::store::inbox::{CaseSummary, InboxPage, InboxQuery, MAX_LIMIT};
            use $crate::store::params::{Params, bind_params};
            use $crate::store::scope_filter::scope_filter;
            use $crate::store::{StoreError, rows};

            type Pool = sqlx::Pool<$db>;

            /// The columns of a summary row, in [`Row`] order.
            const COLUMNS: &str = "id, title, status, tier, category, grid, reporter, source, \
                                   created_at, updated_at, next_due_at";

            type Row = (
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                String,
                Option<String>,
                Option<String>,
                Option<i64>,
                i64,
                Option<i64>,
            );

            fn summary(row: Row, now: i64) -> Result<CaseSummary, StoreError> {
                let (
                    id,
                    title,
                    status,
                    tier,
                    category,
                    grid,
                    reporter,
                    source,
                    created,
                    updated,
                    due,
                ) = row;
                let missing = |column: &str| {
                    StoreError::Invalid(format!("case {id}: {column} not computed yet"))
                };
                Ok(CaseSummary {
                    id: rows::parse("case id", &id)?,
                    title,
                    status: rows::parse(
                        "status",
                        status.as_deref().ok_or_else(|| missing("status"))?,
                    )?,
                    tier: tier
                        .as_deref()
                        .map(|t| rows::parse("tier", t))
                        .transpose()?,
                    category: rows::parse(
                        "category",
                        category.as_deref().ok_or_else(|| missing("category"))?,
                    )?,
                    grid: rows::parse("grid code", &grid)?,
                    reporter: rows::parse(
                        "reporter",
                        reporter.as_deref().ok_or_else(|| missing("reporter"))?,
                    )?,
                    source: rows::parse(
                        "source",
                        source.as_deref().ok_or_else(|| missing("source"))?,
                    )?,
                    created_at: rows::timestamp(created.ok_or_else(|| missing("created_at"))?)?,
                    updated_at: rows::timestamp(updated)?,
                    due_at: due.map(rows::timestamp).transpose()?,
                    overdue: due.is_some_and(|d| d < now),
                })
            }

            /// One page of the cases `scope` covers that match `query`, at server time `now`.
            pub(super) async fn page(
                pool: &Pool,
                scope: &Scope,
                query: &InboxQuery,
                now: Timestamp,
            ) -> Result<InboxPage, StoreError> {
                let now = now.as_millis();
                let limit = query.limit.clamp(1, MAX_LIMIT);
                let mut params = Params::default();
                let nothing = InboxPage {
                    cases: Vec::new(),
                    next: None,
                };
                let mut filters = Vec::new();
                match (&query.grid, scope) {
                    // A grid inside a territorial scope is the whole condition: PostgreSQL
                    // then reads that grid's index range, instead of intersecting the grid's
                    // and the community's rows, which it wrongly believes independent.
                    (
                        Some(grid),
                        Scope::Grids { .. }
                        | Scope::Community { .. }
                        | Scope::Street { .. }
                        | Scope::Everything,
                    ) => {
                        if !scope.covers(grid, std::iter::empty()) {
                            return Ok(nothing);
                        }
                    }
                    _ => match scope_filter(scope, "", &mut params) {
                        Some(scope) => filters.push(scope),
                        None => return Ok(nothing),
                    },
                }
                if !query.statuses.is_empty() {
                    let list: Vec<String> = query
                        .statuses
                        .iter()
                        .map(|s| params.text(s.as_str()))
                        .collect();
                    filters.push(if list.len() == 1 {
                        format!("status = {}", list.join(""))
                    } else {
                        format!("status IN ({})", list.join(", "))
                    });
                }
                if let Some(tier) = query.tier {
                    filters.push(format!("tier = {}", params.text(tier.as_str())));
                }
                if let Some(category) = &query.category {
                    filters.push(format!("category = {}", params.text(category.as_str())));
                }
                if let Some(grid) = &query.grid {
                    filters.push(format!("grid = {}", params.text(grid.as_str())));
                }
                if query.overdue_only {
                    filters.push(format!("next_due_at < {}", params.int(now)));
                }
                if let Some(after) = &query.after {
                    let updated = params.int(after.updated_at);
                    let id = params.text(after.id.to_string());
                    filters.push(format!("(updated_at, id) < ({updated}, {id})"));
                }
                let fetch = params.int(i64::try_from(limit + 1).unwrap_or(i64::MAX));
                let sql = format!(
                    "SELECT {COLUMNS} FROM cases WHERE {}
                     ORDER BY updated_at DESC, id DESC LIMIT {fetch}",
                    if filters.is_empty() {
                        "TRUE".to_owned()
                    } else {
                        filters.join(" AND ")
                    }
                );
                let rows = bind_params!(sqlx::query_as::<_, Row>(&sql), params.into_values())
                    .fetch_all(pool)
                    .await?;
                let mut cases = rows
                    .into_iter()
                    .map(|row| summary(row, now))
                    .collect::<Result<Vec<_>, _>>()?;
                let next = if cases.len() > limit {
                    cases.truncate(limit);
                    cases.last().map(CaseSummary::cursor)
                } else {
                    None
                };
                Ok(InboxPage { cases, next })
            }

            /// The summary of one case, whatever the scope (the caller checks it).
            pub(super) async fn one(
                pool: &Pool,
                case: &CaseId,
                now: Timestamp,
            ) -> Result<Option<CaseSummary>, StoreError> {
                let sql = format!("SELECT {COLUMNS} FROM cases WHERE id = $1");
                let row = sqlx::query_as::<_, Row>(&sql)
                    .bind(case.to_string())
                    .fetch_optional(pool)
                    .await?;
                row.map(|row| summary(row, now.as_millis())).transpose()
            }

            /// Whether some case `scope` covers references the blob `hash`.
            pub(super) async fn blob_in_scope(
                pool: &Pool,
                scope: &Scope,
                hash: &ContentHash,
            ) -> Result<bool, StoreError> {
                let mut params = Params::default();
                let hash = params.text(hash.to_string());
                let Some(scope) = scope_filter(scope, "c.", &mut params) else {
                    return Ok(false);
                };
                let sql = format!(
                    "SELECT 1 FROM case_evidence e JOIN cases c ON c.id = e.case_id
                     WHERE e.hash = {hash} AND {scope} LIMIT 1"
                );
                let query = bind_params!(sqlx::query_scalar::<_, i32>(&sql), params.into_values());
                Ok(query.fetch_optional(pool).await?.is_some())
            }
        }
    };
}

pub(crate) use inbox;
