//! Statements over many rows at once, said the way each backend reads them fastest.
//!
//! A merged batch of cases writes a few rows per case into each of several tables. One
//! statement per table per batch instead of one per row is what makes a batch cost a handful
//! of round trips to the database rather than thousands (ADR 0011).
//!
//! - **PostgreSQL** gets one array per column: `SELECT * FROM UNNEST($1::text[], …)` for
//!   rows and `= ANY($1)` for id lists. The SQL text is the same however many rows a batch
//!   has, so the connection's prepared statement is reused; a `VALUES` list of a new length
//!   is a new statement, parsed and planned again (≈ 6 ms for 200 rows of four values, as
//!   long as executing it).
//! - **SQLite** has no arrays: multi-row `VALUES (…), (…)` and `IN (…)` lists, cut into
//!   chunks under its limit on bound values. Preparing is in-process and cheap there.

macro_rules! batch {
    ($db:ty, postgres) => {
        /// Multi-row statements (expanded from `store::sql::batch`).
        mod batch {
            use $crate::store::StoreError;
            use $crate::store::params::Param;

            $crate::store::sql::batch!(@common $db);

            /// One column of a multi-row statement, as the array PostgreSQL binds.
            enum Column {
                Text(Vec<String>),
                MaybeText(Vec<Option<String>>),
                Int(Vec<i64>),
                MaybeInt(Vec<Option<i64>>),
                Bytes(Vec<Vec<u8>>),
            }

            impl Column {
                fn of(first: &Param, rows: usize) -> Self {
                    match first {
                        Param::Text(_) => Self::Text(Vec::with_capacity(rows)),
                        Param::MaybeText(_) => Self::MaybeText(Vec::with_capacity(rows)),
                        Param::Int(_) => Self::Int(Vec::with_capacity(rows)),
                        Param::MaybeInt(_) => Self::MaybeInt(Vec::with_capacity(rows)),
                        Param::Bytes(_) => Self::Bytes(Vec::with_capacity(rows)),
                    }
                }

                fn push(&mut self, value: Param) -> Result<(), StoreError> {
                    match (self, value) {
                        (Self::Text(column), Param::Text(v)) => column.push(v),
                        (Self::MaybeText(column), Param::MaybeText(v)) => column.push(v),
                        (Self::MaybeText(column), Param::Text(v)) => column.push(Some(v)),
                        (Self::Int(column), Param::Int(v)) => column.push(v),
                        (Self::MaybeInt(column), Param::MaybeInt(v)) => column.push(v),
                        (Self::MaybeInt(column), Param::Int(v)) => column.push(Some(v)),
                        (Self::Bytes(column), Param::Bytes(v)) => column.push(v),
                        (_, value) => {
                            return Err(StoreError::Invalid(format!(
                                "a multi-row statement mixes value types in one column ({value:?})"
                            )));
                        }
                    }
                    Ok(())
                }

                fn sql_type(&self) -> &'static str {
                    match self {
                        Self::Text(_) | Self::MaybeText(_) => "text[]",
                        Self::Int(_) | Self::MaybeInt(_) => "int8[]",
                        Self::Bytes(_) => "bytea[]",
                    }
                }

                fn bind(self, query: Query<'_>) -> Query<'_> {
                    match self {
                        Self::Text(v) => query.bind(v),
                        Self::MaybeText(v) => query.bind(v),
                        Self::Int(v) => query.bind(v),
                        Self::MaybeInt(v) => query.bind(v),
                        Self::Bytes(v) => query.bind(v),
                    }
                }
            }

            /// Runs `{head} <rows> {tail}` for `rows` (each of the same width) in one
            /// statement, the rows being a relation with columns `column1 … columnN`.
            pub(super) async fn values(
                conn: &mut Conn,
                head: &str,
                rows: Vec<Vec<Param>>,
                tail: &str,
            ) -> Result<(), StoreError> {
                let Some(first) = rows.first() else {
                    return Ok(());
                };
                // A column is nullable if any row says so.
                let mut columns: Vec<Column> = first
                    .iter()
                    .enumerate()
                    .map(|(i, param)| match rows.iter().find_map(|row| match row.get(i) {
                        Some(nullable @ (Param::MaybeText(_) | Param::MaybeInt(_))) => {
                            Some(nullable)
                        }
                        _ => None,
                    }) {
                        Some(nullable) => Column::of(nullable, rows.len()),
                        None => Column::of(param, rows.len()),
                    })
                    .collect();
                let width = columns.len();
                for row in rows {
                    if row.len() != width {
                        return Err(StoreError::Invalid(
                            "the rows of a multi-row statement differ in width".into(),
                        ));
                    }
                    for (column, value) in columns.iter_mut().zip(row) {
                        column.push(value)?;
                    }
                }
                let arrays = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("${}::{}", i + 1, c.sql_type()))
                    .collect::<Vec<_>>()
                    .join(", ");
                let names = (1..=width)
                    .map(|i| format!("column{i}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!("{head} SELECT * FROM UNNEST({arrays}) AS v({names}) {tail}");
                let mut query = sqlx::query(&sql);
                for column in columns {
                    query = column.bind(query);
                }
                query.execute(&mut *conn).await?;
                Ok(())
            }

            /// Runs `sql`, in which `{in_ids}` stands for "is one of `ids`", with `leading`
            /// bound first (`$1 …`).
            pub(super) async fn for_ids(
                conn: &mut Conn,
                sql: &str,
                leading: Vec<Param>,
                ids: &[&str],
            ) -> Result<(), StoreError> {
                if ids.is_empty() {
                    return Ok(());
                }
                let (sql, ids) = as_array(sql, leading.len(), ids);
                bound(&sql, leading).bind(ids).execute(&mut *conn).await?;
                Ok(())
            }

            /// The rows of `sql` (as for [`for_ids`]).
            pub(super) async fn fetch_for_ids<O>(
                conn: &mut Conn,
                sql: &str,
                leading: Vec<Param>,
                ids: &[&str],
            ) -> Result<Vec<O>, StoreError>
            where
                O: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
            {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let (sql, ids) = as_array(sql, leading.len(), ids);
                Ok(bound_as(&sql, leading)
                    .bind(ids)
                    .fetch_all(&mut *conn)
                    .await?)
            }

            /// `sql` with `{in_ids}` as `= ANY(…)` of one array bound after `leading` values,
            /// and that array.
            fn as_array(sql: &str, leading: usize, ids: &[&str]) -> (String, Vec<String>) {
                let sql = sql.replace("{in_ids}", &format!("= ANY(${})", leading + 1));
                (sql, ids.iter().map(|id| (*id).to_owned()).collect())
            }
        }
    };
    ($db:ty, sqlite) => {
        /// Multi-row statements (expanded from `store::sql::batch`).
        mod batch {
            use $crate::store::StoreError;
            use $crate::store::params::Param;
            use $crate::store::rows;

            $crate::store::sql::batch!(@common $db);

            /// Bound values per statement: far under SQLite's 32,766, because SQLite looks
            /// each `$N` up by name in a list (sqlx binds every value through
            /// `sqlite3_bind_parameter_name`), which is quadratic in the statement's values:
            /// 1,000 keeps that under a tenth of the statement's cost.
            const MAX_VALUES: usize = 1_000;

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

            /// `IN (…)` for `n` ids numbered from `$first`: bare `?` when they are the only
            /// placeholders (see `rows::sequential`).
            fn in_list(first: usize, n: usize) -> String {
                if first == 1 {
                    format!("IN ({})", rows::sequential::<$db>(1, n))
                } else {
                    format!("IN ({})", rows::placeholders(first, n))
                }
            }

            /// Runs `sql`, in which `{in_ids}` stands for "is one of `ids`", with `leading`
            /// bound first (`$1 …`), once per chunk of ids.
            pub(super) async fn for_ids(
                conn: &mut Conn,
                sql: &str,
                leading: Vec<Param>,
                ids: &[&str],
            ) -> Result<(), StoreError> {
                for (sql, params) in per_chunk(sql, &leading, ids) {
                    bound(&sql, params).execute(&mut *conn).await?;
                }
                Ok(())
            }

            /// The rows of `sql` (as for [`for_ids`]), chunk by chunk.
            pub(super) async fn fetch_for_ids<O>(
                conn: &mut Conn,
                sql: &str,
                leading: Vec<Param>,
                ids: &[&str],
            ) -> Result<Vec<O>, StoreError>
            where
                O: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
            {
                let mut found = Vec::new();
                for (sql, params) in per_chunk(sql, &leading, ids) {
                    found.extend(bound_as(&sql, params).fetch_all(&mut *conn).await?);
                }
                Ok(found)
            }

            /// `sql` and its values for each chunk of `ids`: `{in_ids}` as an `IN` list after
            /// `leading`.
            fn per_chunk<'a>(
                sql: &'a str,
                leading: &'a [Param],
                ids: &'a [&str],
            ) -> impl Iterator<Item = (String, Vec<Param>)> + 'a {
                ids.chunks(MAX_VALUES).map(move |chunk| {
                    let sql = sql.replace("{in_ids}", &in_list(leading.len() + 1, chunk.len()));
                    let mut params = leading.to_vec();
                    params.extend(chunk.iter().map(|id| Param::Text((*id).to_owned())));
                    (sql, params)
                })
            }
        }
    };
    (@common $db:ty) => {
        type Conn = <$db as sqlx::Database>::Connection;
        type Query<'q> = sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>;

        /// Binds `params` in order.
        pub(super) fn bound(sql: &str, params: Vec<Param>) -> Query<'_> {
            $crate::store::params::bind_params!(sqlx::query(sql), params)
        }

        /// Binds `params` in order to a query whose rows are read as `O`.
        pub(super) fn bound_as<O>(
            sql: &str,
            params: Vec<Param>,
        ) -> sqlx::query::QueryAs<'_, $db, O, <$db as sqlx::Database>::Arguments<'_>>
        where
            O: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row>,
        {
            $crate::store::params::bind_params!(sqlx::query_as(sql), params)
        }

        /// Runs `{head} {in_ids}` for `ids` (see `for_ids`).
        pub(super) async fn in_ids(
            conn: &mut Conn,
            head: &str,
            ids: &[&str],
        ) -> Result<(), StoreError> {
            for_ids(conn, &format!("{head} {{in_ids}}"), Vec::new(), ids).await
        }
    };
}

pub(crate) use batch;
