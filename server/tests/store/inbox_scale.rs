//! The review inbox over 1,000,000 cases on PostgreSQL: the rows are made directly with SQL
//! (`generate_series`), then the inbox statement is explained and the `Store::inbox` method
//! timed for a community secretary, with and without filters. Ignored by default (it takes
//! a few minutes); run it with
//! `cargo test -p wangge-server --test store inbox_scale -- --ignored --nocapture`.

use std::collections::BTreeSet;
use std::time::Instant;

use sqlx::{Connection, PgConnection};
use wangge_proto::Scope;
use wangge_proto::values::Timestamp;
use wangge_proto::workflow::{Status, Tier};
use wangge_server::store::{InboxQuery, PgStore, Store};

const CASES: i64 = 1_000_000;
/// 10 streets × 10 communities × 10 grids: 10,000 cases per community.
const COMMUNITY: &str = "110105001001";
/// "Now" for the fill and the queries: deadlines fall on both sides of it.
const NOW: i64 = 1_780_000_000_000;

const FILL: &str = "
INSERT INTO cases (id, snapshot, position, grid, community, street, updated_at, status, tier,
                   category, title, reporter, source, created_at, next_due_at)
SELECT '00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'),
       '\\x'::bytea, g,
       street || comm || lpad(((g / 100) % 10 + 1)::text, 3, '0'),
       street || comm, street, updated_at, status,
       CASE WHEN status IN ('draft', 'reported') THEN NULL
            WHEN r2 < 0.5 THEN 'simple' WHEN r2 < 0.8 THEN 'general'
            WHEN r2 < 0.95 THEN 'complex' ELSE 'major' END,
       'SR-0' || (1 + (g % 9))::text, '第' || g || '号案件：暴露垃圾',
       '00000000-0000-7000-8000-00000000000' || (g % 10)::text, 'patrol',
       updated_at - 86400000,
       CASE WHEN status IN ('reported', 'dispatched', 'handling')
            THEN updated_at + 86400000 ELSE NULL END
FROM (
    SELECT g,
           '110105' || lpad((g % 10 + 1)::text, 3, '0') AS street,
           lpad(((g / 10) % 10 + 1)::text, 3, '0') AS comm,
           -- a year of changes up to a few days after NOW
           1750000000000 + (random() * 30300000000)::bigint AS updated_at,
           CASE WHEN r < 0.02 THEN 'draft' WHEN r < 0.05 THEN 'reported'
                WHEN r < 0.08 THEN 'accepted' WHEN r < 0.11 THEN 'dispatched'
                WHEN r < 0.16 THEN 'handling' WHEN r < 0.18 THEN 'handled'
                WHEN r < 0.20 THEN 'verified' WHEN r < 0.90 THEN 'closed'
                ELSE 'archived' END AS status,
           random() AS r2
    FROM (SELECT g, random() AS r FROM generate_series(1, $1) AS g) AS s
) AS t";

/// The statement `Store::inbox` runs for a community scope, with the filters it appends.
fn statement(filters: &str) -> String {
    statement_where(&format!("community = '{COMMUNITY}'{filters}"))
}

/// The statement with this `WHERE` condition (a grid filter inside the scope replaces the
/// scope's condition).
fn statement_where(condition: &str) -> String {
    format!(
        "SELECT id, title, status, tier, category, grid, reporter, source, created_at, \
         updated_at, next_due_at FROM cases WHERE {condition} \
         ORDER BY updated_at DESC, id DESC LIMIT 51"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fills 1,000,000 rows; run by hand"]
async fn inbox_over_a_million_cases() {
    crate::support::postgres(|fx: crate::support::Fixture<PgStore>| async move {
        let url = fx.location().unwrap();
        let mut conn = PgConnection::connect(url).await.unwrap();
        let started = Instant::now();
        sqlx::query("SELECT setseed(0.42)")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(FILL)
            .bind(CASES)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE feed_head SET position = $1")
            .bind(CASES)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("VACUUM ANALYZE cases")
            .execute(&mut conn)
            .await
            .unwrap();
        println!("filled {CASES} cases in {:.1?}", started.elapsed());

        // The last row of a first page, for the second-page case.
        let (cursor_at, cursor_id): (i64, String) = sqlx::query_as(&format!(
            "SELECT updated_at, id FROM ({}) AS p ORDER BY updated_at, id LIMIT 1",
            statement("")
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        let shapes = [
            ("no filter", String::new()),
            ("status = reported", " AND status = 'reported'".into()),
            (
                "status IN (reported, accepted)",
                " AND status IN ('reported', 'accepted')".into(),
            ),
            ("overdue", format!(" AND next_due_at < {NOW}")),
            (
                "tier + category",
                " AND tier = 'general' AND category = 'SR-04'".into(),
            ),
            (
                "second page",
                format!(" AND (updated_at, id) < ({cursor_at}, '{cursor_id}')"),
            ),
        ];
        let grid_alone = statement_where(&format!("grid = '{COMMUNITY}003'"));
        let statements = shapes
            .iter()
            .map(|(name, filters)| (*name, statement(filters)))
            .chain([("grid", grid_alone)]);
        for (name, statement) in statements {
            let plan: Vec<(String,)> =
                sqlx::query_as(&format!("EXPLAIN (ANALYZE, BUFFERS) {statement}"))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            println!("\n--- {name}");
            for (line,) in plan {
                println!("{line}");
            }
        }

        // The store method itself, as the benchmark will call it.
        let scope = Scope::Community {
            community: COMMUNITY.parse().unwrap(),
        };
        let now = Timestamp::from_millis(NOW).unwrap();
        let queries = [
            ("no filter", InboxQuery::default()),
            (
                "status = reported",
                InboxQuery {
                    statuses: BTreeSet::from([Status::Reported]),
                    ..InboxQuery::default()
                },
            ),
            (
                "status IN (reported, accepted)",
                InboxQuery {
                    statuses: BTreeSet::from([Status::Reported, Status::Accepted]),
                    ..InboxQuery::default()
                },
            ),
            (
                "overdue",
                InboxQuery {
                    overdue_only: true,
                    ..InboxQuery::default()
                },
            ),
            (
                "tier + category",
                InboxQuery {
                    tier: Some(Tier::General),
                    category: Some("SR-04".parse().unwrap()),
                    ..InboxQuery::default()
                },
            ),
            (
                "grid",
                InboxQuery {
                    grid: Some(format!("{COMMUNITY}003").parse().unwrap()),
                    ..InboxQuery::default()
                },
            ),
        ];
        println!("\nStore::inbox, 200 calls each (ms): p50 p95 max");
        for (name, query) in &queries {
            let mut times = Vec::new();
            let mut next = None;
            for i in 0..200 {
                let mut query = query.clone();
                // Every other call asks for the page after the last one seen.
                if i % 2 == 1 {
                    query.after = next;
                }
                let t = Instant::now();
                let page = fx.store.inbox(&scope, &query, now).await.unwrap();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                assert!(page.cases.len() <= 50);
                next = page.next;
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{name:<32} {:>6.2} {:>6.2} {:>6.2}",
                times[99], times[189], times[199]
            );
        }
    })
    .await;
}
