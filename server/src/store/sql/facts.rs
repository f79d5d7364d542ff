//! A case's query rows: its list columns, photo hashes, events with their receipt time, and
//! running deadlines, rewritten from the commit's [`CaseFacts`] in the commit's transaction.
//!
//! An event's `received_at` is written once, when the server first stores the event (insert
//! if absent), and deadlines are anchored on it: `due_at = received_at(anchor) + within`,
//! never the phone's claimed time. The earliest `due_at` is copied onto the case row
//! (`next_due_at`) so that "overdue" is a column comparison, not a join.

macro_rules! facts {
    ($db:ty) => {
        /// Query rows (expanded from `store::sql::facts`).
        mod facts {
            use wangge_sync::hub::CaseFacts;

            use $crate::store::StoreError;

            type Conn = <$db as sqlx::Database>::Connection;

            /// Events inserted per statement.
            const EVENTS_PER_INSERT: usize = 200;

            /// Rewrites the query rows of case `id` (whose row exists) from `facts`; events
            /// new to the store are stamped `now` (server clock, milliseconds).
            pub(super) async fn write(
                conn: &mut Conn,
                id: &str,
                facts: &CaseFacts,
                now: i64,
            ) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM case_evidence WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                for hash in &facts.evidence {
                    sqlx::query("INSERT INTO case_evidence (case_id, hash) VALUES ($1, $2)")
                        .bind(id)
                        .bind(hash.to_string())
                        .execute(&mut *conn)
                        .await?;
                }
                let events: Vec<String> = facts.events.iter().map(|e| e.to_string()).collect();
                for chunk in events.chunks(EVENTS_PER_INSERT) {
                    let values = (0..chunk.len())
                        .map(|i| format!("($1, ${}, $2)", i + 3))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "INSERT INTO case_events (case_id, event_id, received_at) VALUES {values}
                         ON CONFLICT (case_id, event_id) DO NOTHING"
                    );
                    let mut query = sqlx::query(&sql).bind(id).bind(now);
                    for event in chunk {
                        query = query.bind(event);
                    }
                    query.execute(&mut *conn).await?;
                }
                sqlx::query("DELETE FROM case_deadlines WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                for deadline in &facts.deadlines {
                    let within = i64::try_from(deadline.within_secs.saturating_mul(1000))
                        .unwrap_or(i64::MAX / 2);
                    sqlx::query(
                        "INSERT INTO case_deadlines (case_id, kind, department, due_at)
                         SELECT $1, $2, $3, received_at + $4 FROM case_events
                         WHERE case_id = $1 AND event_id = $5",
                    )
                    .bind(id)
                    .bind(deadline.kind.as_str())
                    .bind(deadline.department.as_ref().map(|d| d.as_str().to_owned()))
                    .bind(within)
                    .bind(deadline.anchor.to_string())
                    .execute(&mut *conn)
                    .await?;
                }
                sqlx::query(
                    "UPDATE cases SET status = $2, tier = $3, category = $4, title = $5,
                         reporter = $6, source = $7, created_at = $8,
                         next_due_at = (SELECT MIN(due_at) FROM case_deadlines WHERE case_id = $1)
                     WHERE id = $1",
                )
                .bind(id)
                .bind(facts.status.as_str())
                .bind(facts.tier.map(|t| t.as_str()))
                .bind(facts.category.as_str())
                .bind(&facts.title)
                .bind(facts.reporter.to_string())
                .bind(facts.source.as_str())
                .bind(facts.created_at.as_millis())
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            /// Ids of cases whose query rows were never computed (stored before migration
            /// 0002), with their `updated_at`.
            pub(super) async fn missing(
                conn: &mut Conn,
            ) -> Result<Vec<(String, i64)>, StoreError> {
                Ok(
                    sqlx::query_as("SELECT id, updated_at FROM cases WHERE status IS NULL")
                        .fetch_all(&mut *conn)
                        .await?,
                )
            }

        }
    };
}

pub(crate) use facts;
