//! The one error type of the proto layer.
//!
//! Every way a value, a catalogue file or a case document can be invalid has its own variant,
//! so callers (the phone, the server) can map each to a specific user-facing code and message.

use thiserror::Error;

/// Everything that can go wrong while parsing or validating proto values.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// A value did not have the required form, e.g. a grid code with 14 digits.
    #[error("invalid {kind}: {input:?} ({reason})")]
    InvalidValue {
        /// What kind of value was expected ("grid code", "case id", …).
        kind: &'static str,
        /// The offending input, truncated to 64 characters.
        input: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The item catalogue file is malformed; `line` is 1-based and names the offending line.
    #[error("catalogue line {line}: {message}")]
    Catalogue {
        /// 1-based line number in the file.
        line: u64,
        /// What is wrong on that line and how to fix it.
        message: String,
    },
    /// The organisation tree is inconsistent (a grid whose community does not exist, …).
    #[error("organisation tree: {0}")]
    Organisation(String),
    /// A case document could not be read or written.
    #[error("case document: {0}")]
    Document(String),
    /// The document was written by a newer layout version than this code understands.
    #[error("case document layout {found} is newer than {supported}; update the app")]
    NewerLayout {
        /// The version found in the document.
        found: u64,
        /// The newest version this code reads.
        supported: u64,
    },
    /// A workflow step or edit is not allowed (see [`crate::workflow::Refusal`]).
    #[error("not allowed: {}", .0.message(crate::Locale::En))]
    Refused(crate::workflow::Refusal),
}

impl Error {
    /// Builds an [`Error::InvalidValue`], keeping at most 64 characters of the input.
    pub(crate) fn invalid(kind: &'static str, input: &str, reason: &'static str) -> Self {
        Error::InvalidValue {
            kind,
            input: input.chars().take(64).collect(),
            reason,
        }
    }
}

impl From<automerge::AutomergeError> for Error {
    fn from(e: automerge::AutomergeError) -> Self {
        Error::Document(e.to_string())
    }
}

impl From<autosurgeon::ReconcileError> for Error {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        Error::Document(e.to_string())
    }
}

impl From<autosurgeon::HydrateError> for Error {
    fn from(e: autosurgeon::HydrateError) -> Self {
        Error::Document(e.to_string())
    }
}
