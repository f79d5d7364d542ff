//! The app's callbacks: sync progress and each case's result, and photo processing progress.
//!
//! They are called from background threads while the work runs; an app hands them to its UI
//! thread itself.

use std::sync::Arc;

use wangge_mobile::client::{
    CaseOutcome as CoreOutcome, SyncListener as CoreListener, SyncProgress as CoreProgress,
};
use wangge_proto::Locale;

/// A step of a running sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SyncProgress {
    /// Sending `cases` cases with edits (round `round`), `left` more waiting.
    Sending {
        /// Round, from 1.
        round: u32,
        /// Cases in this request.
        cases: u32,
        /// Cases left for later rounds.
        left: u32,
    },
    /// The exchange failed; trying again after `wait_ms`.
    Retrying {
        /// The next attempt's number, from 2.
        attempt: u32,
        /// Milliseconds until it.
        wait_ms: u64,
        /// The failure's code.
        code: String,
    },
    /// Uploading photos: `done` of `total` files sent so far in this sync; the next one is
    /// `bytes` long (0 when all are done).
    Uploading {
        /// Files finished (uploaded or given up) in this sync.
        done: u32,
        /// Files this sync uploads (the rest wait for Wi-Fi or the user's retry).
        total: u32,
        /// Length of the file being sent now.
        bytes: u64,
    },
    /// Everything is sent and received.
    Done,
}

/// What happened to one case in a sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CaseOutcome {
    /// The server accepted the phone's edits.
    Accepted {
        /// Case id.
        case_id: String,
    },
    /// The server refused the phone's edits; they are kept on the phone with the reason.
    Refused {
        /// Case id.
        case_id: String,
        /// The server's code.
        code: String,
        /// The server's reason, in the phone's locale.
        message: String,
    },
    /// The server could not take the phone's edits now (its copy of the case is damaged);
    /// they stay unsent on the phone and go again with a later sync.
    Held {
        /// Case id.
        case_id: String,
        /// The server's code.
        code: String,
        /// The server's reason, in the phone's locale.
        message: String,
    },
    /// Others changed the case (a secretary's decision, a department's report, …).
    Received {
        /// Case id.
        case_id: String,
    },
}

/// The app's side of a sync.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// A step of the sync.
    fn on_progress(&self, progress: SyncProgress);
    /// One case's result.
    fn on_case(&self, outcome: CaseOutcome);
}

/// The app's side of photo processing.
#[uniffi::export(with_foreign)]
pub trait PhotoListener: Send + Sync {
    /// A stage (`probe`, `decode`, `resize`, `encode`, `thumbnail`, `done`) starts, with the
    /// fraction of the work done (0.0…1.0, never going back).
    fn on_progress(&self, stage: String, fraction: f32);
}

/// Passes the core's reports on to the app's listener.
pub(crate) struct Relay {
    pub listener: Arc<dyn SyncListener>,
    pub locale: Locale,
}

impl CoreListener for Relay {
    fn on_progress(&self, progress: &CoreProgress) {
        self.listener.on_progress(match progress {
            CoreProgress::Sending { round, cases, left } => SyncProgress::Sending {
                round: *round,
                cases: *cases,
                left: *left,
            },
            CoreProgress::Retrying {
                attempt,
                wait_ms,
                code,
            } => SyncProgress::Retrying {
                attempt: *attempt,
                wait_ms: *wait_ms,
                code: code.clone(),
            },
            CoreProgress::Uploading { done, total, bytes } => SyncProgress::Uploading {
                done: *done,
                total: *total,
                bytes: *bytes,
            },
            CoreProgress::Done => SyncProgress::Done,
        });
    }

    fn on_case(&self, outcome: &CoreOutcome) {
        self.listener.on_case(match outcome {
            CoreOutcome::Accepted { case } => CaseOutcome::Accepted {
                case_id: case.to_string(),
            },
            CoreOutcome::Refused { case, code, zh, en } => CaseOutcome::Refused {
                case_id: case.to_string(),
                code: code.clone(),
                message: self.locale.pick(zh, en).to_owned(),
            },
            CoreOutcome::Held { case, code, zh, en } => CaseOutcome::Held {
                case_id: case.to_string(),
                code: code.clone(),
                message: self.locale.pick(zh, en).to_owned(),
            },
            CoreOutcome::Received { case } => CaseOutcome::Received {
                case_id: case.to_string(),
            },
        });
    }
}
