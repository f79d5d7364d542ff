//! A case as lists show it, and the list columns written with every change of its document.
//!
//! The columns are read from the document in the transaction that stores it, so lists and
//! filters never load documents. Deadlines on the phone are estimates: the server counts
//! them from when it received each step, the phone from the step's own time.

use wangge_proto::case::{CaseDocument, CaseView};
use wangge_proto::catalogue::Catalogue;
use wangge_proto::values::{CaseId, CategoryCode, GridCode, Timestamp, UserId};
use wangge_proto::workflow::{CaseState, DeadlinePolicy, Status, Tier, derive};

use super::StoreError;

/// One line of a case list.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    /// The case.
    pub id: CaseId,
    /// Its title.
    pub title: String,
    /// Derived status.
    pub status: Status,
    /// Tier, once graded.
    pub tier: Option<Tier>,
    /// Catalogue item.
    pub category: CategoryCode,
    /// Its grid.
    pub grid: GridCode,
    /// Who registered it.
    pub reporter: UserId,
    /// When it was registered (the reporting device's clock).
    pub created_at: Timestamp,
    /// When it last changed on this phone.
    pub updated_at: Timestamp,
    /// The earliest open deadline, estimated from the steps' own times.
    pub next_due_at: Option<Timestamp>,
    /// It has edits the server has not acknowledged yet.
    pub unsent: bool,
}

/// What a case document says, read once for the list columns and the detail view.
pub(super) struct Reading {
    pub view: CaseView,
    pub state: CaseState,
    /// The deadline policy of its category.
    pub policy: DeadlinePolicy,
    pub next_due_at: Option<Timestamp>,
    pub search: String,
}

/// The deadline policy for a case of `category`: the default, with the item's own limit.
pub(super) fn policy(catalogue: &Catalogue, category: &CategoryCode) -> DeadlinePolicy {
    let base = DeadlinePolicy::default();
    match catalogue.get(category) {
        Some(item) => item.deadline_policy(&base),
        None => base,
    }
}

/// Reads `case` whole and derives its state.
pub(super) fn read(case: &CaseDocument, catalogue: &Catalogue) -> Result<Reading, StoreError> {
    let view = case.read()?;
    let policy = policy(catalogue, &view.category);
    let state = derive(&view.events, &policy);
    let next_due_at = state
        .deadlines
        .iter()
        .filter_map(|deadline| {
            let anchor = view.events.iter().find(|e| e.id == deadline.anchor)?;
            Some(anchor.at.plus_secs(deadline.within_secs))
        })
        .min();
    let mut search = format!("{}\n{}", view.title, view.description);
    if let Some(location) = &view.location {
        search.push('\n');
        search.push_str(&location.address);
    }
    if let Some(item) = catalogue.get(&view.category) {
        search.push('\n');
        search.push_str(item.name(wangge_proto::Locale::ZhCn));
    }
    for comment in &view.comments {
        search.push('\n');
        search.push_str(&comment.text);
    }
    Ok(Reading {
        view,
        state,
        policy,
        next_due_at,
        search: search.to_lowercase(),
    })
}
