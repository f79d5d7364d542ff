//! What a sync tells the app while it runs: progress (cases, then photos), and each case's result — accepted,
//! refused with the server's reason (the edits are kept), or changed by others.

use wangge_proto::values::CaseId;

/// A step of a running sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncProgress {
    /// Sending `cases` cases with edits (round `round`), `left` more waiting.
    Sending {
        /// Round number, from 1.
        round: u32,
        /// Cases in this request.
        cases: u32,
        /// Cases left for later rounds.
        left: u32,
    },
    /// The exchange failed; trying again after `wait_ms` (attempt `attempt`).
    Retrying {
        /// The next attempt's number, from 2.
        attempt: u32,
        /// Milliseconds until it.
        wait_ms: u64,
        /// The failure's code.
        code: String,
    },
    /// Uploading photos: `done` of `total` files sent so far in this sync; the next one
    /// (when `done < total`) is `bytes` long.
    Uploading {
        /// Files finished (uploaded or given up) in this sync.
        done: u32,
        /// Files this sync uploads (the rest wait for Wi-Fi or the user's retry).
        total: u32,
        /// Length of the file being sent now, 0 when all are done.
        bytes: u64,
    },
    /// Everything is sent and received.
    Done,
}

/// What happened to one case in a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseOutcome {
    /// The server accepted the phone's edits.
    Accepted {
        /// The case.
        case: CaseId,
    },
    /// The server refused the phone's edits; they are kept on the phone with the reason.
    Refused {
        /// The case.
        case: CaseId,
        /// The server's code.
        code: String,
        /// The reason in Simplified Chinese.
        zh: String,
        /// The reason in English.
        en: String,
    },
    /// The server could not take the phone's edits now (its copy of the case is damaged and
    /// an operator was alerted); they stay unsent on the phone and go again with a later sync.
    Held {
        /// The case.
        case: CaseId,
        /// The server's code.
        code: String,
        /// The reason in Simplified Chinese.
        zh: String,
        /// The reason in English.
        en: String,
    },
    /// Others changed the case (a secretary's decision, a department's report, …).
    Received {
        /// The case.
        case: CaseId,
    },
}

/// The app's side: called from the sync's thread, so keep it quick.
pub trait SyncListener: Send + Sync {
    /// A step of the sync.
    fn on_progress(&self, progress: &SyncProgress) {
        let _ = progress;
    }
    /// One case's result.
    fn on_case(&self, outcome: &CaseOutcome) {
        let _ = outcome;
    }
}

/// A listener that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl SyncListener for Quiet {}
