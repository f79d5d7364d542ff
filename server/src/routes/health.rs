//! `GET /healthz` (the process answers) and `GET /readyz` (and its database does).

use axum::extract::State;
use axum::http::StatusCode;

use crate::app::AppState;
use crate::store::Store;

/// Liveness.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
pub async fn readyz<S: Store>(State(state): State<AppState<S>>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
