//! `GET /metrics` through real HTTP: what an operator scrapes moves with what the server did.
//!
//! The recorder is process-wide and the other tests of this binary run beside this one, so
//! every figure is read before and after, and must have grown by at least what this test did.

use std::collections::BTreeMap;

use crate::e2e::{Phone, TestServer, edit, new_case};

/// The samples of a Prometheus text exposition: series (name and labels, as written) → value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

async fn scrape(server: &TestServer) -> BTreeMap<String, f64> {
    let response = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    samples(&response.text().await.unwrap())
}

/// The sum of the series named `name` whose labels contain every one of `labels`.
fn total(samples: &BTreeMap<String, f64>, name: &str, labels: &[&str]) -> f64 {
    samples
        .iter()
        .filter(|(series, _)| {
            let (series_name, series_labels) = series.split_once('{').unwrap_or((series, ""));
            series_name == name && labels.iter().all(|l| series_labels.contains(l))
        })
        .map(|(_, value)| value)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_sync_batches_and_merged_changes() {
    let server = TestServer::sqlite().await;
    let before = scrape(&server).await;

    let mut worker = Phone::sign_in(&server, "wangge", 41).await;
    let cases: Vec<_> = (1..=2)
        .map(|n| new_case(&mut worker, 4100 + n, "井盖缺失"))
        .collect();
    assert_eq!(worker.sync_fully().await.accepted.len(), 2);
    edit(&mut worker, &cases[0], |doc| {
        doc.set_title("井盖缺失（已设警示）").unwrap()
    });
    assert_eq!(worker.sync_fully().await.accepted, vec![cases[0]]);
    // The secretary downloads both cases: sent from the documents the merges left loaded.
    let mut secretary = Phone::sign_in(&server, "shequ", 42).await;
    secretary.sync_fully().await;
    for case in &cases {
        assert_eq!(secretary.heads(case), worker.heads(case));
    }
    let after = scrape(&server).await;

    let grew =
        |name: &str, labels: &[&str]| total(&after, name, labels) - total(&before, name, labels);
    assert!(
        grew(
            "wangge_http_requests_total",
            &[
                r#"route="/api/session""#,
                r#"method="POST""#,
                r#"status="200""#
            ]
        ) >= 1.0
    );
    assert!(grew("wangge_sync_batches_total", &[]) >= 2.0);
    assert!(grew("wangge_sync_cases_total", &[r#"outcome="accepted""#]) >= 3.0);
    assert!(grew("wangge_sync_changes_stored_total", &[]) >= 3.0);
    // The edit merged into the case its creation left loaded in the hub's cache.
    assert!(
        grew(
            "wangge_sync_stored_case_lookups_total",
            &[r#"step="merge""#, r#"result="hit""#]
        ) >= 1.0
    );
    assert!(
        grew(
            "wangge_sync_stored_case_lookups_total",
            &[r#"step="send""#, r#"result="hit""#]
        ) >= 2.0
    );
    assert!(
        grew(
            "wangge_http_request_duration_seconds_count",
            &[r#"route="/api/session""#]
        ) >= 1.0
    );
}
