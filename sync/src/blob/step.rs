//! What a phone-side transfer says after each response.

use super::error::BlobError;

/// The outcome of feeding a response to an [`Upload`](super::Upload) or
/// [`Download`](super::Download).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Step {
    /// Send the next request (`next_request`).
    Continue,
    /// The transfer is finished and verified.
    Done,
    /// The transfer gave up; move on to other items (see [`BlobError::is_permanent`]).
    Failed(BlobError),
}
