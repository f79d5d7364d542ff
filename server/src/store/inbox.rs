//! The review inbox as the store answers it: which cases a scope covers, filtered, newest
//! change first, a page at a time; and the summary row of one case.
//!
//! Pages are keyset-paginated on (`updated_at` DESC, `id` DESC): a page continues strictly
//! after the last row of the previous one, so no row is repeated or skipped while rows
//! stay put; a case changed meanwhile moves to the top and is seen on the next refresh.

use std::collections::BTreeSet;

use wangge_proto::case::CaseSource;
use wangge_proto::values::{CaseId, CategoryCode, GridCode, Timestamp, UserId};
use wangge_proto::workflow::{Status, Tier};

/// Rows per page unless asked otherwise.
pub const DEFAULT_LIMIT: usize = 50;
/// The most rows one page may hold.
pub const MAX_LIMIT: usize = 200;

/// Where a page starts: after the row with this `updated_at` and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxCursor {
    /// The last row's `updated_at` (server clock, milliseconds).
    pub updated_at: i64,
    /// The last row's id.
    pub id: CaseId,
}

impl InboxCursor {
    /// The opaque text form given to clients.
    pub fn encode(&self) -> String {
        hex::encode(format!("{}.{}", self.updated_at, self.id))
    }

    /// Reads [`InboxCursor::encode`]'s form; `None` if it is not one.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = hex::decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (updated_at, id) = text.split_once('.')?;
        Some(Self {
            updated_at: updated_at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// Filters and page of an inbox query; empty filters match everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxQuery {
    /// Only these statuses (any, if empty).
    pub statuses: BTreeSet<Status>,
    /// Only this tier.
    pub tier: Option<Tier>,
    /// Only this catalogue item.
    pub category: Option<CategoryCode>,
    /// Only this grid (within the scope).
    pub grid: Option<GridCode>,
    /// Only cases with a deadline already passed at the query's `now`.
    pub overdue_only: bool,
    /// Continue after this row.
    pub after: Option<InboxCursor>,
    /// At most this many rows (clamped to 1..=[`MAX_LIMIT`]).
    pub limit: usize,
}

impl Default for InboxQuery {
    fn default() -> Self {
        Self {
            statuses: BTreeSet::new(),
            tier: None,
            category: None,
            grid: None,
            overdue_only: false,
            after: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// One case as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    /// The case.
    pub id: CaseId,
    /// Title.
    pub title: String,
    /// Derived status.
    pub status: Status,
    /// Tier, once graded.
    pub tier: Option<Tier>,
    /// Catalogue item.
    pub category: CategoryCode,
    /// Grid.
    pub grid: GridCode,
    /// Who registered it.
    pub reporter: UserId,
    /// How it came in.
    pub source: CaseSource,
    /// Registered at (the reporting device's clock).
    pub created_at: Timestamp,
    /// Last stored change (server clock).
    pub updated_at: Timestamp,
    /// The earliest running deadline (server clock), if any.
    pub due_at: Option<Timestamp>,
    /// Whether `due_at` had passed at the query's `now`.
    pub overdue: bool,
}

impl CaseSummary {
    /// Where the next page starts if this is the last row.
    pub fn cursor(&self) -> InboxCursor {
        InboxCursor {
            updated_at: self.updated_at.as_millis(),
            id: self.id,
        }
    }
}

/// One page of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    /// The rows, `updated_at` DESC then id DESC.
    pub cases: Vec<CaseSummary>,
    /// Where the next page starts; `None` when this was the last.
    pub next: Option<InboxCursor>,
}
