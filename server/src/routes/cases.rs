//! `GET /api/cases` (the review inbox of the caller's scope) and `GET /api/cases/{id}` (one
//! case: its summary, the readable document and the timeline). A case outside the caller's
//! scope is answered exactly like one that does not exist.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use wangge_proto::case::{CaseDocument, CaseView};
use wangge_proto::values::{CaseId, Timestamp};
use wangge_proto::workflow::{DeadlinePolicy, TimelineEntry};
use wangge_proto::{Label, Locale, Scope};
use wangge_sync::http::server::{bearer_token, locale};

use super::case_params::inbox_query;
use super::error::{ApiError, ErrorBody};
use crate::app::AppState;
use crate::services::accounts::AccountError;
use crate::store::{CaseSummary, Store};

/// A case as lists show it, with zh-CN (or the caller's) labels next to the codes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryView {
    /// Case id.
    #[schema(value_type = String, example = "0192f5e0-7c3a-7b1e-9d2f-3a4b5c6d7e8f")]
    pub id: CaseId,
    /// Title.
    pub title: String,
    /// Status code, e.g. `reported`.
    pub status: &'static str,
    /// Its label, e.g. 待审核.
    pub status_label: &'static str,
    /// Tier code, once graded.
    pub tier: Option<&'static str>,
    /// Its label.
    pub tier_label: Option<&'static str>,
    /// Catalogue item code.
    pub category: String,
    /// Grid code.
    pub grid: String,
    /// Reporter's user id.
    pub reporter: String,
    /// How it came in (code).
    pub source: &'static str,
    /// Its label.
    pub source_label: &'static str,
    /// Registered at (reporting device's clock), milliseconds since the epoch.
    pub created_at: i64,
    /// Last stored change (server clock), milliseconds.
    pub updated_at: i64,
    /// Earliest running deadline (server clock), milliseconds.
    pub due_at: Option<i64>,
    /// Whether that deadline has passed.
    pub overdue: bool,
}

impl SummaryView {
    fn new(summary: CaseSummary, locale: Locale) -> Self {
        Self {
            id: summary.id,
            title: summary.title,
            status: summary.status.as_str(),
            status_label: summary.status.label(locale),
            tier: summary.tier.map(|t| t.as_str()),
            tier_label: summary.tier.map(|t| t.label(locale)),
            category: summary.category.to_string(),
            grid: summary.grid.to_string(),
            reporter: summary.reporter.to_string(),
            source: summary.source.as_str(),
            source_label: summary.source.label(locale),
            created_at: summary.created_at.as_millis(),
            updated_at: summary.updated_at.as_millis(),
            due_at: summary.due_at.map(|t| t.as_millis()),
            overdue: summary.overdue,
        }
    }
}

/// One page of the inbox.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseList {
    /// The cases, latest change first.
    pub cases: Vec<SummaryView>,
    /// Pass as `after` for the next page; `null` on the last.
    pub next: Option<String>,
}

/// One line of the timeline, with the step's label.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineLine {
    /// The event (id, action, who, role, device, when) and whether it was applied.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub entry: TimelineEntry,
    /// The step's label.
    pub action_label: &'static str,
    /// Why it was not applied, in the caller's language.
    pub refused_message: Option<String>,
}

/// One case in full.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    /// The summary row.
    pub summary: SummaryView,
    /// The document, validated: origin, title, description, category, location, evidence,
    /// comments, duplicate links, department sections, workflow events.
    #[schema(value_type = Object)]
    pub case: CaseView,
    /// Every event in application order.
    pub timeline: Vec<TimelineLine>,
}

/// The caller's scope, from the bearer token.
async fn scope_of<S: Store>(
    state: &AppState<S>,
    headers: &HeaderMap,
    locale: Locale,
) -> Result<Scope, ApiError> {
    let token =
        bearer_token(headers).ok_or_else(|| ApiError::account(locale, AccountError::BadToken))?;
    let (user, _) = state
        .accounts
        .authenticate(token, Timestamp::now())
        .await
        .map_err(|e| ApiError::account(locale, e))?;
    Ok(user.scope)
}

/// `GET /api/cases?status=…&tier=…&category=…&grid=…&overdue=true&after=…&limit=…`.
#[utoipa::path(
    get,
    path = "/api/cases",
    tag = "review",
    security(("bearer" = [])),
    params(
        ("status" = Option<String>, Query, description = "One status or several, comma-separated (e.g. `reported,accepted`)"),
        ("tier" = Option<String>, Query, description = "Tier code"),
        ("category" = Option<String>, Query, description = "Catalogue item code, e.g. `SR-01`"),
        ("grid" = Option<String>, Query, description = "Grid code (15 digits)"),
        ("overdue" = Option<bool>, Query, description = "Only cases with a deadline passed"),
        ("after" = Option<String>, Query, description = "The `next` of the previous page"),
        ("limit" = Option<u32>, Query, description = "Rows per page, 1 to 200 (default 50)"),
    ),
    responses(
        (status = 200, description = "Cases of the caller's scope, most recently updated first", body = CaseList),
        (status = 400, description = "A bad parameter (its own code, e.g. `cases.bad_status`)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
#[tracing::instrument(name = "cases.list", skip_all, err(level = "info"))]
pub async fn list<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    params: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Json<CaseList>, ApiError> {
    let locale = locale(&headers);
    let scope = scope_of(&state, &headers, locale).await?;
    let Query(params) = params.map_err(|e| ApiError::bad_request(locale, e.body_text()))?;
    let query = inbox_query(&params, locale)?;
    let page = state
        .store
        .inbox(&scope, &query, Timestamp::now())
        .await
        .map_err(|e| ApiError::store(locale, &e))?;
    Ok(Json(CaseList {
        cases: page
            .cases
            .into_iter()
            .map(|s| SummaryView::new(s, locale))
            .collect(),
        next: page.next.map(|c| c.encode()),
    }))
}

/// `GET /api/cases/{id}`.
#[utoipa::path(
    get,
    path = "/api/cases/{id}",
    tag = "review",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id (UUIDv7)")),
    responses(
        (status = 200, description = "The case with its timeline", body = CaseDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such case in the caller's scope", body = ErrorBody),
        (status = 503, description = "The store is unavailable", body = ErrorBody),
    )
)]
#[tracing::instrument(name = "cases.get", skip_all, err(level = "info"))]
pub async fn get<S: Store>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    let locale = locale(&headers);
    let scope = scope_of(&state, &headers, locale).await?;
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "case.not_found",
            locale.pick("没有这个案件。", "There is no such case."),
        )
    };
    let id: CaseId = id.parse().map_err(|_| not_found())?;
    let (bytes, index) = state
        .store
        .load_case(&id)
        .await
        .map_err(|e| ApiError::store(locale, &e))?
        .ok_or_else(not_found)?;
    if !index.in_scope(&scope) {
        return Err(not_found());
    }
    let summary = state
        .store
        .case_summary(&id, Timestamp::now())
        .await
        .map_err(|e| ApiError::store(locale, &e))?
        .ok_or_else(not_found)?;
    let document = CaseDocument::load(&bytes).map_err(|e| ApiError::internal_detail(locale, e))?;
    let view = document
        .read()
        .map_err(|e| ApiError::internal_detail(locale, e))?;
    let derived = document
        .state(&DeadlinePolicy::default())
        .map_err(|e| ApiError::internal_detail(locale, e))?;
    let timeline = derived
        .timeline
        .into_iter()
        .map(|entry| TimelineLine {
            action_label: entry.action.label(locale),
            refused_message: entry.refused.as_ref().map(|r| r.message(locale)),
            entry,
        })
        .collect();
    Ok(Json(CaseDetail {
        summary: SummaryView::new(summary, locale),
        case: view,
        timeline,
    }))
}
