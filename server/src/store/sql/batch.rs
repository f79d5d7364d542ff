//! Statements over many rows at once: multi-row `VALUES` lists and `IN (…)` lists, cut
//! into chunks that stay under both backends' limit on bound values.
//!
//! A merged batch of cases writes a few rows per case into each of several tables. One
//! statement per table per batch instead of one per row is what makes a batch cost a handful
//! of round trips to the database rather than thousands (ADR 0011).

macro_rules! batch {
    ($db:ty) => {
        /// Multi-row statements (expanded from `store::sql::batch`).
        mod batch {
            use $crate::store::StoreError;
            use $crate::store::params::Param;
            use $crate::store::rows;

            type Conn = <$db as sqlx::Database>::Connection;
            type Query<'q> = sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>;

            /// Bound values per statement: far under SQLite's 32,766 and PostgreSQL's 65,535,
            /// because SQLite looks each `$N` up by name in a list (sqlx binds every value
            /// through `sqlite3_bind_parameter_name`), which is quadratic in the statement's
            /// values: 1,000 keeps that under a tenth of the statement's cost.
            const MAX_VALUES: usize = 1_000;

            /// Binds `params` in order.
            pub(super) fn bound(sql: &str, params: Vec<Param>) -> Query<'_> {
                let mut query = sqlx::query(sql);
                for param in params {
                    query = match param {
                        Param::Text(text) => query.bind(text),
                        Param::Int(int) => query.bind(int),
                        Param::MaybeText(text) => query.bind(text),
                        Param::Bytes(bytes) => query.bind(bytes),
                    };
                }
                query
            }

            /// Runs `{head} VALUES (…), (…) {tail}` for `rows` (each of the same width),
            /// as few statements as the limit on bound values allows.
            pub(super) async fn values(
                conn: &mut Conn,
                head: &str,
                rows: Vec<Vec<Param>>,
                tail: &str,
            ) -> Result<(), StoreError> {
                let Some(width) = rows.first().map(Vec::len) else {
                    return Ok(());
                };
                let per_statement = (MAX_VALUES / width.max(1)).max(1);
                let mut rows = rows.into_iter().peekable();
                while rows.peek().is_some() {
                    let chunk: Vec<Vec<Param>> = rows.by_ref().take(per_statement).collect();
                    let tuples = (0..chunk.len())
                        .map(|r| format!("({})", rows::sequential::<$db>(r * width + 1, width)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!("{head} VALUES {tuples} {tail}");
                    bound(&sql, chunk.into_iter().flatten().collect())
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            }

            /// Runs `{head} IN (…)` once per chunk of `ids` (text values, numbered `$1` on).
            pub(super) async fn in_ids(
                conn: &mut Conn,
                head: &str,
                ids: &[&str],
            ) -> Result<(), StoreError> {
                for chunk in ids.chunks(MAX_VALUES) {
                    let sql = format!("{head} IN ({})", rows::sequential::<$db>(1, chunk.len()));
                    let params = chunk
                        .iter()
                        .map(|id| Param::Text((*id).to_owned()))
                        .collect();
                    bound(&sql, params).execute(&mut *conn).await?;
                }
                Ok(())
            }
        }
    };
}

pub(crate) use batch;
