//! A case's query rows: its list columns, photo hashes, events with their receipt time, and
//! running deadlines, rewritten from the commit's [`CaseFacts`] in the commit's transaction.
//!
//! An event's `received_at` is written once, when the server first stores the event (insert
//! if absent), and deadlines are anchored on it: `due_at = received_at(anchor) + within`,
//! never the phone's claimed time. The earliest `due_at` is copied onto the case row
//! (`next_due_at`) so that "overdue" is a column comparison, not a join.
//!
//! On a commit the list columns and `next_due_at` go into the case row with the rest of it
//! (`cases::write`; [`next_due`] reads the anchors' receipt times first): every index of
//! `cases` gets one new entry per commit, not two. Only a backfill writes them here.

macro_rules! facts {
    ($db:ty) => {
        /// Query rows (expanded from `store::sql::facts`).
        mod facts {
            use std::collections::HashMap;

            use wangge_proto::values::EventId;
            use wangge_sync::hub::CaseFacts;

            use $crate::store::StoreError;
            use $crate::store::params::Param;

            use super::batch;

            type Conn = <$db as sqlx::Database>::Connection;

            /// One commit's query rows, as [`write`] stores them.
            pub(super) struct Write<'a> {
                /// The case id.
                pub id: &'a str,
                /// Its facts afterwards.
                pub facts: &'a CaseFacts,
                /// Its facts as stored, if known (`CaseCommit::previous`): rows that did not
                /// change are left as they are.
                pub previous: Option<&'a CaseFacts>,
                /// Whether the case row's list columns and `next_due_at` were written with the
                /// row (a commit: `cases::write`, with [`next_due`]); else (a backfill) they
                /// are written here.
                pub row_written: bool,
            }

            /// Rewrites the query rows of cases (whose rows exist, distinct) from their facts,
            /// leaving those equal to the stored facts where those are known; events new to
            /// the store are stamped `now` (server clock, milliseconds). One statement per
            /// table for all of them.
            pub(super) async fn write(
                conn: &mut Conn,
                cases: &[Write<'_>],
                now: i64,
            ) -> Result<(), StoreError> {
                let text = |id: &str| Param::Text(id.to_owned());
                // Photo hashes: of a case whose stored ones are known, those added and those
                // removed; of the others, all of them afresh.
                let unknown: Vec<&str> = cases
                    .iter()
                    .filter(|w| w.previous.is_none())
                    .map(|w| w.id)
                    .collect();
                batch::in_ids(conn, "DELETE FROM case_evidence WHERE case_id", &unknown).await?;
                let removed = cases
                    .iter()
                    .filter_map(|w| Some((w, w.previous?)))
                    .flat_map(|(w, p)| {
                        p.evidence
                            .difference(&w.facts.evidence)
                            .map(move |hash| vec![text(w.id), Param::Text(hash.to_string())])
                    })
                    .collect();
                batch::values(
                    conn,
                    "DELETE FROM case_evidence WHERE (case_id, hash) IN (",
                    removed,
                    ")",
                )
                .await?;
                let added = cases
                    .iter()
                    .flat_map(|w| {
                        w.facts
                            .evidence
                            .iter()
                            .filter(move |hash| w.previous.is_none_or(|p| !p.evidence.contains(hash)))
                            .map(move |hash| vec![text(w.id), Param::Text(hash.to_string())])
                    })
                    .collect();
                batch::values(conn, "INSERT INTO case_evidence (case_id, hash)", added, "")
                    .await?;
                // Events: the ones not stored yet (a stored one keeps its receipt time).
                let events = cases
                    .iter()
                    .flat_map(|w| {
                        w.facts
                            .events
                            .iter()
                            .filter(move |e| w.previous.is_none_or(|p| !p.events.contains(e)))
                            .map(move |event| {
                                vec![text(w.id), Param::Text(event.to_string()), Param::Int(now)]
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
                // Deadlines: of the cases whose running deadlines changed.
                let timed: Vec<&Write<'_>> = cases
                    .iter()
                    .filter(|w| w.previous.is_none_or(|p| p.deadlines != w.facts.deadlines))
                    .collect();
                let ids: Vec<&str> = timed.iter().map(|w| w.id).collect();
                batch::in_ids(conn, "DELETE FROM case_deadlines WHERE case_id", &ids).await?;
                let deadlines = timed
                    .iter()
                    .flat_map(|w| {
                        w.facts.deadlines.iter().map(move |deadline| {
                            let within = within_millis(deadline.within_secs);
                            vec![
                                text(w.id),
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
                // List columns (and the earliest deadline): of the other cases, where one
                // changed.
                let columns = cases
                    .iter()
                    .filter(|w| !w.row_written)
                    .filter(|w| w.previous.is_none_or(|p| !same_columns(p, w.facts)))
                    .map(|w| {
                        let mut row = vec![text(w.id)];
                        row.extend(list_columns(w.facts));
                        row
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

            /// The earliest due time of each case's running deadlines (`None`: none), as
            /// [`write`] will store them: an anchor event stored already counts from its
            /// stored receipt, one new to the store from `now`. One read, of the stored
            /// events of the cases with an anchor that may be stored.
            pub(super) async fn next_due(
                conn: &mut Conn,
                cases: &[Write<'_>],
                now: i64,
            ) -> Result<Vec<Option<i64>>, StoreError> {
                // An anchor not in the stored facts' events is new: it is received now.
                let maybe_stored = |w: &Write<'_>, anchor: &EventId| {
                    w.previous.is_none_or(|p| p.events.contains(anchor))
                };
                let ids: Vec<&str> = cases
                    .iter()
                    .filter(|w| w.facts.deadlines.iter().any(|d| maybe_stored(w, &d.anchor)))
                    .map(|w| w.id)
                    .collect();
                let stored: Vec<(String, String, i64)> = batch::fetch_for_ids(
                    conn,
                    "SELECT case_id, event_id, received_at FROM case_events WHERE case_id {in_ids}",
                    Vec::new(),
                    &ids,
                )
                .await?;
                let received: HashMap<(&str, &str), i64> = stored
                    .iter()
                    .map(|(case, event, at)| ((case.as_str(), event.as_str()), *at))
                    .collect();
                Ok(cases
                    .iter()
                    .map(|w| {
                        w.facts
                            .deadlines
                            .iter()
                            .filter_map(|d| {
                                let anchor = d.anchor.to_string();
                                let stored = maybe_stored(w, &d.anchor)
                                    .then(|| received.get(&(w.id, anchor.as_str())).copied())
                                    .flatten();
                                // As `write` joins each deadline to its anchor's row: a stored
                                // one, or one of the events it stores now; else no deadline.
                                let at = stored.or_else(|| {
                                    w.facts.events.contains(&d.anchor).then_some(now)
                                })?;
                                Some(at.saturating_add(within_millis(d.within_secs)))
                            })
                            .min()
                    })
                    .collect())
            }

            /// The list columns of a case row, in the order `status, tier, category, title,
            /// reporter, source, created_at`.
            pub(super) fn list_columns(facts: &CaseFacts) -> [Param; 7] {
                [
                    Param::Text(facts.status.as_str().to_owned()),
                    Param::MaybeText(facts.tier.map(|t| t.as_str().to_owned())),
                    Param::Text(facts.category.as_str().to_owned()),
                    Param::Text(facts.title.clone()),
                    Param::Text(facts.reporter.to_string()),
                    Param::Text(facts.source.as_str().to_owned()),
                    Param::Int(facts.created_at.as_millis()),
                ]
            }

            /// A deadline's time allowed, in milliseconds as `due_at` counts.
            fn within_millis(secs: u64) -> i64 {
                i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX / 2)
            }

            /// Whether the case row's columns (and `next_due_at`, from the deadlines) are the
            /// same for both.
            fn same_columns(a: &CaseFacts, b: &CaseFacts) -> bool {
                a.status == b.status
                    && a.tier == b.tier
                    && a.category == b.category
                    && a.title == b.title
                    && a.reporter == b.reporter
                    && a.source == b.source
                    && a.created_at == b.created_at
                    && a.deadlines == b.deadlines
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
