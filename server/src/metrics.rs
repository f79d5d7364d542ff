//! Prometheus metrics at `GET /metrics`: requests by route and status with their latency,
//! sync batches, cases accepted / rejected / to resend / held, changes stored, damaged stored
//! cases met (each also logged as an error), photo bytes received.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, header::CONTENT_LENGTH};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{counter, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use wangge_proto::values::CaseId;
use wangge_sync::hub::{BatchStats, Observer};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide recorder (installed on first use; several apps in one test process
/// share it). `None` if another recorder was installed first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .as_ref()
}

/// `GET /metrics`.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain"))
)]
pub async fn render() -> String {
    handle().map(PrometheusHandle::render).unwrap_or_default()
}

/// Counts every request by its route template (never the raw path), method and status, and
/// times it; counts photo bytes uploaded.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().clone();
    let body_bytes = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    counter!("wangge_http_requests_total", "route" => route.clone(), "method" => method.to_string(), "status" => status)
        .increment(1);
    histogram!("wangge_http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    if method == Method::PATCH && route.starts_with("/v1/blobs") {
        counter!("wangge_blob_bytes_received_total").increment(body_bytes);
    }
    response
}

/// Sync batch counters, fed by the hub.
#[derive(Debug, Default)]
pub struct SyncMetrics;

impl SyncMetrics {
    /// As the hub's observer.
    pub fn observer() -> Arc<dyn Observer> {
        // Make sure the recorder exists before the first batch.
        let _ = handle();
        Arc::new(Self)
    }
}

impl Observer for SyncMetrics {
    fn batch(&self, stats: &BatchStats) {
        counter!("wangge_sync_batches_total").increment(1);
        counter!("wangge_sync_cases_total", "outcome" => "accepted").increment(stats.accepted);
        counter!("wangge_sync_cases_total", "outcome" => "rejected").increment(stats.rejected);
        counter!("wangge_sync_cases_total", "outcome" => "resend").increment(stats.resend);
        counter!("wangge_sync_cases_total", "outcome" => "held").increment(stats.held);
        counter!("wangge_sync_changes_stored_total").increment(stats.changes_stored);
        counter!("wangge_sync_updates_sent_total").increment(stats.updates_sent);
        // How often a stored case was found loaded in the hub's cache — by a merge into it,
        // and when it was sent (feed, refetch) — and how often it had to be loaded.
        for (step, lookups) in [("merge", stats.hot), ("send", stats.served)] {
            counter!("wangge_sync_stored_case_lookups_total", "step" => step, "result" => "hit")
                .increment(lookups.hits);
            counter!("wangge_sync_stored_case_lookups_total", "step" => step, "result" => "miss")
                .increment(lookups.misses);
        }
        // Accepted uploads judged from the case's shadow (ADR 0014).
        counter!("wangge_sync_shadowed_merges_total").increment(stats.shadowed);
    }

    /// A stored case that does not load is the operator's to repair: an error in the log,
    /// and a counter to alert on.
    fn damaged(&self, case: &CaseId, detail: &str) {
        tracing::error!(%case, detail, "a stored case does not load; its syncs are held back");
        counter!("wangge_sync_damaged_cases_total").increment(1);
    }
}
