//! A case as the phone keeps it for sync.

use automerge::{AutoCommit, ChangeHash};
use wangge_proto::values::CaseId;

use crate::wire::RelaySignature;

/// One case on the phone, with its sync bookkeeping.
#[derive(Debug, Clone)]
pub struct LocalCase {
    /// The document, with local edits the hub may not have yet.
    pub doc: AutoCommit,
    /// The hub heads this phone has acknowledged; empty if the hub never confirmed the case.
    pub acked: Vec<ChangeHash>,
    /// Send the whole document next time (the hub asked for it, or it was restored).
    pub whole: bool,
    /// Signatures of the changes in this case that the phone holds (its own and relayed).
    pub signatures: Vec<RelaySignature>,
}

impl LocalCase {
    /// Whether the phone has something the hub has not acknowledged.
    pub fn is_dirty(&mut self) -> bool {
        if self.whole {
            return true;
        }
        let mut heads = self.doc.get_heads();
        heads.sort();
        let mut acked = self.acked.clone();
        acked.sort();
        heads != acked
    }
}

/// Local edits the hub refused, kept so the user can see them and act (never dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEdits {
    /// The case.
    pub case: CaseId,
    /// The hub's reason code.
    pub code: String,
    /// The reason in Simplified Chinese.
    pub zh: String,
    /// The reason in English.
    pub en: String,
    /// The refused changes (concatenated change chunks; for a case the hub never had, the
    /// whole document).
    pub changes: Vec<u8>,
}
