//! The JSON body of every error answer, so the phone can show the server's message and act on
//! its code without knowing which layer refused.

use serde::{Deserialize, Serialize};

/// `{"code": …, "message": …}`: a stable code (`sync.*`, `blob.*`, `auth.*`, `http.*`) and a
/// message in the locale the request asked for (`Accept-Language`, zh-CN by default).
///
/// Blob errors carry their own fields next to these (e.g. `offset`), so the same body also
/// reads as a [`BlobError`](crate::blob::BlobError).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The stable code.
    pub code: String,
    /// What to tell the user.
    pub message: String,
}
