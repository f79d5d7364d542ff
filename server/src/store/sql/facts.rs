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
            use $crate::store::params::Param;

            use super::batch;

            type Conn = <$db as sqlx::Database>::Connection;

            /// Rewrites the query rows of cases (whose rows exist, distinct) from their facts;
            /// events new to the store are stamped `now` (server clock, milliseconds). One
            /// statement per table for all of them.
            pub(super) async fn write(
                conn: &mut Conn,
                cases: &[(&str, &CaseFacts)],
                now: i64,
            ) -> Result<(), StoreError> {
                if cases.is_empty() {
                    return Ok(());
                }
                let ids: Vec<&str> = cases.iter().map(|(id, _)| *id).collect();
                let text = |id: &str| Param::Text(id.to_owned());
                batch::in_ids(conn, "DELETE FROM case_evidence WHERE case_id", &ids).await?;
                let evidence = cases
                    .iter()
                    .flat_map(|(id, facts)| {
                        facts
                            .evidence
                            .iter()
                            .map(move |hash| vec![text(id), Param::Text(hash.to_string())])
                    })
                    .collect();
                batch::values(conn, "INSERT INTO case_evidence (case_id, hash)", evidence, "")
                    .await?;
                let events = cases
                    .iter()
                    .flat_map(|(id, facts)| {
                        facts.events.iter().map(move |event| {
                            vec![text(id), Param::Text(event.to_string()), Param::Int(now)]
                        })
                    })
                    .collect();
                batch::values(
                    conn,
                    "INSERT INTO case_events (case_id, event_id, received_at)",
                    events,
                    "ON CONFLICT (case_id, event_id) DO NOTHING",
                )
                .await?;
                batch::in_ids(conn, "DELETE FROM case_deadlines WHERE case_id", &ids).await?;
                let deadlines = cases
                    .iter()
                    .flat_map(|(id, facts)| {
                        facts.deadlines.iter().map(move |deadline| {
                            let within = i64::try_from(deadline.within_secs.saturating_mul(1000))
                                .unwrap_or(i64::MAX / 2);
                            vec![
                                text(id),
                                Param::Text(deadline.kind.as_str().to_owned()),
                                Param::MaybeText(
                                    deadline.department.as_ref().map(|d| d.as_str().to_owned()),
                                ),
                                Param::Int(within),
                                Param::Text(deadline.anchor.to_string()),
                            ]
                        })
                    })
                    .collect();
                // Due when the anchor event was first received, plus the time allowed.
                batch::values(
                    conn,
                    "INSERT INTO case_deadlines (case_id, kind, department, due_at)
                     SELECT v.column1, v.column2, v.column3, e.received_at + v.column4 FROM (",
                    deadlines,
                    ") AS v JOIN case_events e
                         ON e.case_id = v.column1 AND e.event_id = v.column5",
                )
                .await?;
                let columns = cases
                    .iter()
                    .map(|(id, facts)| {
                        vec![
                            text(id),
                            Param::Text(facts.status.as_str().to_owned()),
                            Param::MaybeText(facts.tier.map(|t| t.as_str().to_owned())),
                            Param::Text(facts.category.as_str().to_owned()),
                            Param::Text(facts.title.clone()),
                            Param::Text(facts.reporter.to_string()),
                            Param::Text(facts.source.as_str().to_owned()),
                            Param::Int(facts.created_at.as_millis()),
                        ]
                    })
                    .collect();
                batch::values(
                    conn,
                    "UPDATE cases SET status = v.column2, tier = v.column3, category = v.column4,
                         title = v.column5, reporter = v.column6, source = v.column7,
                         created_at = v.column8,
                         next_due_at = (SELECT MIN(due_at) FROM case_deadlines d
                                        WHERE d.case_id = cases.id)
                     FROM (",
                    columns,
                    ") AS v WHERE cases.id = v.column1",
                )
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
