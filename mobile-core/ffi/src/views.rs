//! What the app's screens read: plain records with codes (stable, for logic) beside labels
//! (in the phone's locale, for display). Times are milliseconds since the Unix epoch (UTC).

use wangge_mobile::store::{CaseDetail as CoreDetail, CaseSummary as CoreSummary, Identity};
use wangge_proto::case::{Comment, Evidence, Location};
use wangge_proto::catalogue::Catalogue;
use wangge_proto::values::Timestamp;
use wangge_proto::workflow::{Action, WorkflowEvent};
use wangge_proto::{Label, Locale, Scope};

/// The signed-in user on this phone.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct UserInfo {
    /// User id.
    pub user_id: String,
    /// Login name.
    pub login: String,
    /// Name as shown.
    pub display_name: String,
    /// Role code (`grid_worker`, `community_secretary`, …).
    pub role: String,
    /// Role, as shown.
    pub role_label: String,
    /// This phone's enrolled device id.
    pub device_id: String,
    /// What the scope is: `grids`, `community`, `street`, `department` or `everything`.
    pub scope_kind: String,
    /// The codes of the scope (grids, or the community, street or department).
    pub scope_codes: Vec<String>,
}

impl UserInfo {
    pub(crate) fn new(identity: &Identity, locale: Locale) -> Self {
        let (scope_kind, scope_codes) = match &identity.scope {
            Scope::Grids { grids } => ("grids", grids.iter().map(|g| g.to_string()).collect()),
            Scope::Community { community } => ("community", vec![community.to_string()]),
            Scope::Street { street } => ("street", vec![street.to_string()]),
            Scope::Department { department } => ("department", vec![department.to_string()]),
            Scope::Everything => ("everything", Vec::new()),
        };
        Self {
            user_id: identity.user.to_string(),
            login: identity.login.clone(),
            display_name: identity.display_name.clone(),
            role: identity.role.as_str().to_owned(),
            role_label: identity.role.label(locale).to_owned(),
            device_id: identity.device.to_string(),
            scope_kind: scope_kind.to_owned(),
            scope_codes,
        }
    }
}

/// One line of a case list.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CaseSummary {
    /// Case id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status code (`draft`, `reported`, `returned`, …).
    pub status: String,
    /// Status, as shown.
    pub status_label: String,
    /// Tier code, once graded.
    pub tier: Option<String>,
    /// Catalogue item code.
    pub category: String,
    /// Catalogue item, as shown.
    pub category_label: String,
    /// Grid code.
    pub grid: String,
    /// Who registered it (user id).
    pub reporter: String,
    /// Registered at (the reporting phone's clock).
    pub created_at_ms: i64,
    /// Last changed on this phone.
    pub updated_at_ms: i64,
    /// The earliest open deadline, estimated on the phone (the server's count is binding).
    pub next_due_at_ms: Option<i64>,
    /// It has edits not yet acknowledged by the server.
    pub unsent: bool,
}

impl CaseSummary {
    pub(crate) fn new(summary: &CoreSummary, catalogue: &Catalogue, locale: Locale) -> Self {
        Self {
            id: summary.id.to_string(),
            title: summary.title.clone(),
            status: summary.status.as_str().to_owned(),
            status_label: summary.status.label(locale).to_owned(),
            tier: summary.tier.map(|t| t.as_str().to_owned()),
            category: summary.category.to_string(),
            category_label: catalogue
                .get(&summary.category)
                .map(|item| item.name(locale).to_owned())
                .unwrap_or_else(|| summary.category.to_string()),
            grid: summary.grid.to_string(),
            reporter: summary.reporter.to_string(),
            created_at_ms: summary.created_at.as_millis(),
            updated_at_ms: summary.updated_at.as_millis(),
            next_due_at_ms: summary.next_due_at.as_ref().map(Timestamp::as_millis),
            unsent: summary.unsent,
        }
    }
}

/// Where a case is.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Place {
    /// Latitude, WGS-84 degrees.
    pub lat: f64,
    /// Longitude, WGS-84 degrees.
    pub lon: f64,
    /// Accuracy in metres, if known.
    pub accuracy_m: Option<f64>,
    /// Street address as typed or looked up.
    pub address: String,
}

impl From<&Location> for Place {
    fn from(location: &Location) -> Self {
        Self {
            lat: location.point.lat(),
            lon: location.point.lon(),
            accuracy_m: location.accuracy_m,
            address: location.address.clone(),
        }
    }
}

/// A photo on a case.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PhotoItem {
    /// SHA-256 of the file (hex): how the file is fetched and checked.
    pub hash: String,
    /// SHA-256 of its thumbnail.
    pub thumbnail: Option<String>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size in bytes.
    pub size: u64,
    /// `before` or `after` handling.
    pub stage: String,
    /// What it shows.
    pub caption: String,
    /// Who added it (user id), from which device, when.
    pub added_by: String,
    /// The device it was added from.
    pub device: String,
    /// When it was added.
    pub added_at_ms: i64,
    /// When it was taken, read from the camera file.
    pub captured_at_ms: Option<i64>,
}

impl From<&Evidence> for PhotoItem {
    fn from(evidence: &Evidence) -> Self {
        Self {
            hash: evidence.hash.to_string(),
            thumbnail: evidence.thumbnail.as_ref().map(ToString::to_string),
            width: evidence.width,
            height: evidence.height,
            size: evidence.size,
            stage: evidence.stage.as_str().to_owned(),
            caption: evidence.caption.clone(),
            added_by: evidence.added_by.to_string(),
            device: evidence.device.to_string(),
            added_at_ms: evidence.added_at.as_millis(),
            captured_at_ms: evidence.captured_at.as_ref().map(Timestamp::as_millis),
        }
    }
}

/// A comment on a case.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CommentItem {
    /// Comment id.
    pub id: String,
    /// Author (user id).
    pub author: String,
    /// The author's role code.
    pub role: String,
    /// The device it was written on.
    pub device: String,
    /// When.
    pub at_ms: i64,
    /// The text.
    pub text: String,
}

impl From<&Comment> for CommentItem {
    fn from(comment: &Comment) -> Self {
        Self {
            id: comment.id.to_string(),
            author: comment.author.to_string(),
            role: comment.role.as_str().to_owned(),
            device: comment.device.to_string(),
            at_ms: comment.at.as_millis(),
            text: comment.text.clone(),
        }
    }
}

/// One step in the case's history (闭环留痕): who did what, when, from which device.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TimelineItem {
    /// Event id.
    pub event_id: String,
    /// Action code (`report`, `return_for_more`, …).
    pub action: String,
    /// The action, as shown.
    pub action_label: String,
    /// Who (user id).
    pub actor: String,
    /// Their role code.
    pub role: String,
    /// From which device.
    pub device: String,
    /// When (the acting device's clock).
    pub at_ms: i64,
    /// The text the step carries: a return's reason, a progress note, a handling result.
    pub note: String,
    /// Why the step did not take effect, if it did not (it stays in the record).
    pub refused: Option<String>,
}

/// A workflow step the user may take now: a button.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ActionChoice {
    /// Action code.
    pub code: String,
    /// As shown.
    pub label: String,
}

/// Edits of a case the server refused, kept on the phone with its reason.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RefusedEdit {
    /// The server's code.
    pub code: String,
    /// The server's reason, in the phone's locale.
    pub message: String,
}

/// One case, whole: what its screen shows.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CaseDetail {
    /// The list line.
    pub summary: CaseSummary,
    /// Description.
    pub description: String,
    /// Where.
    pub place: Option<Place>,
    /// The device it was registered on.
    pub reporter_device: String,
    /// How it came in (`patrol`, `hotline`, …).
    pub source: String,
    /// Photos.
    pub photos: Vec<PhotoItem>,
    /// Comments, oldest first.
    pub comments: Vec<CommentItem>,
    /// The history, in workflow order.
    pub timeline: Vec<TimelineItem>,
    /// The steps the user may take now.
    pub actions: Vec<ActionChoice>,
    /// Departments responsible (codes).
    pub departments: Vec<String>,
    /// Cases linked as duplicates (ids).
    pub duplicates: Vec<String>,
    /// Edits the server refused.
    pub refused_edits: Vec<RefusedEdit>,
}

impl CaseDetail {
    pub(crate) fn new(detail: &CoreDetail, catalogue: &Catalogue, locale: Locale) -> Self {
        let view = &detail.view;
        let timeline = detail
            .state
            .timeline
            .iter()
            .filter_map(|entry| {
                let event = view.events.iter().find(|e| e.id == entry.event)?;
                Some(timeline_item(event, entry.refused.as_ref(), locale))
            })
            .collect();
        Self {
            summary: CaseSummary::new(&detail.summary, catalogue, locale),
            description: view.description.clone(),
            place: view.location.as_ref().map(Place::from),
            reporter_device: view.origin.device.to_string(),
            source: view.origin.source.as_str().to_owned(),
            photos: view.evidence.iter().map(PhotoItem::from).collect(),
            comments: view.comments.iter().map(CommentItem::from).collect(),
            timeline,
            actions: detail
                .actions
                .iter()
                .map(|kind| ActionChoice {
                    code: kind.as_str().to_owned(),
                    label: kind.label(locale).to_owned(),
                })
                .collect(),
            departments: detail
                .state
                .departments
                .keys()
                .map(|d| d.to_string())
                .collect(),
            duplicates: view.duplicates.iter().map(|d| d.case.to_string()).collect(),
            refused_edits: detail
                .rejected
                .iter()
                .map(|r| RefusedEdit {
                    code: r.code.clone(),
                    message: locale.pick(&r.zh, &r.en).to_owned(),
                })
                .collect(),
        }
    }
}

fn timeline_item(
    event: &WorkflowEvent,
    refused: Option<&wangge_proto::workflow::Refusal>,
    locale: Locale,
) -> TimelineItem {
    let kind = event.action.kind();
    TimelineItem {
        event_id: event.id.to_string(),
        action: kind.as_str().to_owned(),
        action_label: kind.label(locale).to_owned(),
        actor: event.actor.to_string(),
        role: event.role.as_str().to_owned(),
        device: event.device.to_string(),
        at_ms: event.at.as_millis(),
        note: note_of(&event.action),
        refused: refused.map(|r| r.message(locale)),
    }
}

/// The free text a step carries, if any.
fn note_of(action: &Action) -> String {
    match action {
        Action::ReturnForMore { reason } | Action::Reopen { reason } => reason.clone(),
        Action::Progress { note } | Action::Verify { note } => note.clone(),
        Action::Handled { result, .. } => result.clone(),
        _ => String::new(),
    }
}

/// A catalogue item a case can be registered under.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Category {
    /// Item code.
    pub code: String,
    /// Its name, as shown.
    pub name: String,
    /// Its group, as shown.
    pub group: String,
    /// The tier cases of it start at.
    pub default_tier: String,
}
