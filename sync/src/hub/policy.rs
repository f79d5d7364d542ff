//! The validation hook: the server's rules for what a user may change.
//!
//! The hub itself checks what the protocol can know: the changes apply (no orphans), every
//! change's actor is the session's own or is relayed with a valid signature, the document is
//! the case it claims to be, and the case is in the author's scope. Everything about *what*
//! changed — the permission matrix for role × field × workflow state, the layout — is the
//! [`Policy`]'s job; the server plugs in `wangge_proto::permissions`.

use automerge::{Change, ExpandedChange};
use wangge_proto::Locale;
use wangge_proto::values::CaseId;
use wangge_proto::workflow::WorkflowEvent;

use super::{ActorRecord, ReadCase, Session};

/// A change and who made it.
#[derive(Debug)]
pub struct Authored {
    /// The change.
    pub change: Change,
    /// Its ops, decoded once for the hub and the policy.
    pub decoded: ExpandedChange,
    /// Its author (for the session's own actors, the session's user).
    pub author: ActorRecord,
}

/// Everything a policy may look at for one uploaded case.
#[derive(Debug)]
pub struct UploadCheck<'a> {
    /// Who uploads.
    pub session: &'a Session,
    /// The case.
    pub case: CaseId,
    /// The stored case before the upload; `None` for a new case.
    pub before: Option<&'a ReadCase<'a>>,
    /// The workflow events of `before` that validate, as [`ReadCase::events`] reads them
    /// (empty for a new case): the hub has read them already.
    pub stored_events: &'a [WorkflowEvent],
    /// The case with the uploaded changes merged.
    pub after: &'a ReadCase<'a>,
    /// The workflow events of `after` that validate, as [`ReadCase::events`] reads them:
    /// the hub has read them already.
    pub after_events: &'a [WorkflowEvent],
    /// The changes the hub did not have, in causal order.
    pub changes: &'a [Authored],
}

/// Why a case upload is refused, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Stable code, e.g. `case.forbidden_field`.
    pub code: String,
    /// Message in Simplified Chinese.
    pub zh: String,
    /// Message in English.
    pub en: String,
}

impl Rejection {
    /// A rejection with its code and messages.
    pub fn new(code: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The message in `locale`.
    pub fn message(&self, locale: Locale) -> &str {
        locale.pick(&self.zh, &self.en)
    }
}

/// The server's rules, called once per uploaded case with new changes.
pub trait Policy: Send + Sync {
    /// `Ok` to accept every change of the upload, or the reason to refuse them all.
    fn check(&self, upload: &UploadCheck<'_>) -> Result<(), Rejection>;
}

/// Accepts whatever passes the hub's own checks (tests, and the benchmark's baseline).
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptAll;

impl Policy for AcceptAll {
    fn check(&self, _upload: &UploadCheck<'_>) -> Result<(), Rejection> {
        Ok(())
    }
}

impl<F> Policy for F
where
    F: Fn(&UploadCheck<'_>) -> Result<(), Rejection> + Send + Sync,
{
    fn check(&self, upload: &UploadCheck<'_>) -> Result<(), Rejection> {
        self(upload)
    }
}
