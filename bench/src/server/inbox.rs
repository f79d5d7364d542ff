//! `inbox-1m`: a community secretary's review inbox (50 rows, filtered) over 1,000,000 cases
//! on PostgreSQL, through [`Store::inbox`] — the statement `GET /api/cases` runs.
//!
//! The rows are made directly with SQL (`generate_series`): 10 streets × 10 communities × 10
//! grids, a year of updates, a realistic spread of statuses (most cases closed), tiers,
//! categories and open deadlines on both sides of "now". Then `VACUUM ANALYZE`, as autovacuum
//! would have done on a live database. The timed calls mix the inbox's filter shapes — none,
//! one status, two statuses, overdue only, tier + category, one grid — and every other call
//! asks for the page after the previous one. Latency is per call, from this process
//! (PostgreSQL runs in its own). Target: p95 ≤ 50 ms.

use std::collections::BTreeSet;
use std::time::Instant;

use sqlx::{Connection, PgConnection};
use wangge_proto::Scope;
use wangge_proto::values::Timestamp;
use wangge_proto::workflow::{Status, Tier};
use wangge_server::store::{InboxQuery, Store};

use super::databases::PgDatabase;
use super::{Config, Figure};
use crate::sync::Result;

/// The community whose secretary asks (10,000 of the 1,000,000 cases).
const COMMUNITY: &str = "110105001001";
/// "Now" for the fill and the queries: deadlines fall on both sides of it.
const NOW: i64 = 1_780_000_000_000;
/// Target p95, milliseconds.
const TARGET_P95_MS: f64 = 50.0;

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

/// Runs the figure if PostgreSQL is there.
pub fn run(config: &Config, postgres: bool) -> Result<Vec<Figure>> {
    if !postgres {
        return Ok(Vec::new());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let db = PgDatabase::create().await?;
        let figure = measure(&db, config).await;
        db.drop_now().await?;
        Ok(vec![figure?])
    })
}

/// The filter shapes a console asks for.
fn shapes() -> Result<Vec<InboxQuery>> {
    Ok(vec![
        InboxQuery::default(),
        InboxQuery {
            statuses: BTreeSet::from([Status::Reported]),
            ..InboxQuery::default()
        },
        InboxQuery {
            statuses: BTreeSet::from([Status::Reported, Status::Accepted]),
            ..InboxQuery::default()
        },
        InboxQuery {
            overdue_only: true,
            ..InboxQuery::default()
        },
        InboxQuery {
            tier: Some(Tier::General),
            category: Some("SR-04".parse()?),
            ..InboxQuery::default()
        },
        InboxQuery {
            grid: Some(format!("{COMMUNITY}003").parse()?),
            ..InboxQuery::default()
        },
    ])
}

async fn measure(db: &PgDatabase, config: &Config) -> Result<Figure> {
    let (cases, calls_per_shape): (i64, usize) = if config.quick {
        (20_000, 20)
    } else {
        (1_000_000, 200)
    };
    let store = db.store().await?;
    let mut conn = PgConnection::connect(&db.url).await?;
    let started = Instant::now();
    sqlx::query("SELECT setseed(0.42)")
        .execute(&mut conn)
        .await?;
    sqlx::query(FILL).bind(cases).execute(&mut conn).await?;
    sqlx::query("UPDATE feed_head SET position = $1")
        .bind(cases)
        .execute(&mut conn)
        .await?;
    sqlx::query("VACUUM ANALYZE cases")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let fill_secs = started.elapsed().as_secs_f64();

    let scope = Scope::Community {
        community: COMMUNITY.parse()?,
    };
    let now = Timestamp::from_millis(NOW)?;
    let mut times = Vec::new();
    let mut rows = 0usize;
    for shape in shapes()? {
        let mut next = None;
        for call in 0..calls_per_shape {
            let mut query = shape.clone();
            if call % 2 == 1 {
                query.after = next.take();
            }
            let t = Instant::now();
            let page = store.inbox(&scope, &query, now).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            rows += page.cases.len();
            next = page.next;
        }
    }
    store.close().await;
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    let p95 = at(0.95);
    let name = if config.quick {
        "inbox-20k"
    } else {
        "inbox-1m"
    };
    Ok(Figure {
        name: name.into(),
        backend: "postgres".into(),
        value: p95,
        unit: "ms p95".into(),
        baseline: None,
        target: format!("p95 ≤ {TARGET_P95_MS} ms"),
        met: p95 <= TARGET_P95_MS && rows > 0,
        details: [
            ("p50_ms".to_owned(), at(0.50)),
            ("p99_ms".to_owned(), at(0.99)),
            ("max_ms".to_owned(), at(1.0)),
            ("calls".to_owned(), times.len() as f64),
            ("rows".to_owned(), rows as f64),
            ("cases".to_owned(), cases as f64),
            ("fill_s".to_owned(), fill_secs),
        ]
        .into(),
        notes: vec![format!(
            "Store::inbox for a community secretary (one community: 1 % of {cases} cases), \
             6 filter shapes × {calls_per_shape} calls, every other call the next page"
        )],
    })
}
