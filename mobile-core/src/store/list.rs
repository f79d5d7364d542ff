//! Case lists from the list columns: my open cases, by grid, status, overdue, and text
//! search in Chinese, newest change first, a page at a time.
//!
//! Text search is a substring match (`LIKE`), which works for Chinese without a word
//! segmenter and for any query length (FTS5's trigram tokenizer needs three characters,
//! and "垃圾" has two); ten thousand cases scan in milliseconds.

use rusqlite::types::Value;
use wangge_proto::values::{CaseId, GridCode, Timestamp};
use wangge_proto::workflow::Status;

use super::{CaseStore, CaseSummary, StoreError};

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    /// Only cases the user registered that are not finished.
    pub mine_open: bool,
    /// Only this grid.
    pub grid: Option<GridCode>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only cases past their (estimated) deadline at this time.
    pub overdue_at: Option<Timestamp>,
    /// Only cases whose title, description, address, category or comments contain this.
    pub text: Option<String>,
    /// Only cases with unsent edits.
    pub unsent: bool,
    /// Continue after this case (the last of the previous page).
    pub after: Option<(Timestamp, CaseId)>,
    /// At most this many (default 50).
    pub limit: Option<u32>,
}

impl CaseStore {
    /// Lists cases, most recently changed first.
    pub fn list(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>, StoreError> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        if filter.mine_open {
            let user = bind(&mut args, self.signed_in()?.user.to_string().into());
            sql.push_str(&format!(" AND reporter = {user} AND is_final = 0"));
        }
        if let Some(grid) = &filter.grid {
            let grid = bind(&mut args, grid.as_str().to_owned().into());
            sql.push_str(&format!(" AND grid = {grid}"));
        }
        if let Some(status) = filter.status {
            let status = bind(&mut args, status.as_str().to_owned().into());
            sql.push_str(&format!(" AND status = {status}"));
        }
        if let Some(at) = filter.overdue_at {
            let at = bind(&mut args, at.as_millis().into());
            sql.push_str(&format!(" AND next_due_at < {at}"));
        }
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            let pattern = bind(&mut args, pattern.into());
            sql.push_str(&format!(" AND search LIKE {pattern} ESCAPE '\\'"));
        }
        if filter.unsent {
            sql.push_str(" AND dirty = 1");
        }
        if let Some((at, id)) = &filter.after {
            let at = bind(&mut args, at.as_millis().into());
            let id = bind(&mut args, id.to_string().into());
            sql.push_str(&format!(
                " AND (updated_at < {at} OR (updated_at = {at} AND id < {id}))"
            ));
        }
        let limit = bind(
            &mut args,
            i64::from(filter.limit.unwrap_or(50).clamp(1, 500)).into(),
        );
        sql.push_str(&format!(" ORDER BY updated_at DESC, id DESC LIMIT {limit}"));
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(args), RawSummary::from_row)?;
        rows.map(|row| row?.parse()).collect()
    }
}

/// Adds a parameter; returns its placeholder.
fn bind(args: &mut Vec<Value>, value: Value) -> String {
    args.push(value);
    format!("?{}", args.len())
}

/// Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The columns [`RawSummary::from_row`] reads, in its order.
pub(super) const SUMMARY_COLUMNS: &str = "id, title, status, tier, category, grid, reporter, \
     created_at, updated_at, next_due_at, dirty";

/// A row as SQLite returns it, before validation.
pub(super) struct RawSummary {
    pub id: String,
    pub title: String,
    pub status: String,
    pub tier: Option<String>,
    pub category: String,
    pub grid: String,
    pub reporter: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub next_due_at: Option<i64>,
    pub unsent: bool,
}

impl RawSummary {
    /// Reads the [`SUMMARY_COLUMNS`] of a row.
    pub(super) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            title: row.get(1)?,
            status: row.get(2)?,
            tier: row.get(3)?,
            category: row.get(4)?,
            grid: row.get(5)?,
            reporter: row.get(6)?,
            created_at: row.get(7)?,
            updated_at: row.get(8)?,
            next_due_at: row.get(9)?,
            unsent: row.get(10)?,
        })
    }

    pub(super) fn parse(self) -> Result<CaseSummary, StoreError> {
        let damaged = |what: &str| StoreError::Database {
            detail: format!("case row {} has a damaged {what}", self.id),
        };
        let time =
            |millis: i64, what: &str| Timestamp::from_millis(millis).map_err(|_| damaged(what));
        Ok(CaseSummary {
            id: self.id.parse().map_err(|_| damaged("id"))?,
            title: self.title.clone(),
            status: self.status.parse().map_err(|_| damaged("status"))?,
            tier: match &self.tier {
                Some(tier) => Some(tier.parse().map_err(|_| damaged("tier"))?),
                None => None,
            },
            category: self.category.parse().map_err(|_| damaged("category"))?,
            grid: self.grid.parse().map_err(|_| damaged("grid"))?,
            reporter: self.reporter.parse().map_err(|_| damaged("reporter"))?,
            created_at: time(self.created_at, "creation time")?,
            updated_at: time(self.updated_at, "update time")?,
            next_due_at: match self.next_due_at {
                Some(millis) => Some(time(millis, "deadline")?),
                None => None,
            },
            unsent: self.unsent,
        })
    }
}
