//! Reading a request body over a weak link: bounded, and telling a body that arrived whole
//! from one cut short by a dropped connection (whose bytes may still be worth keeping).

use axum::body::Body;
use http_body_util::BodyExt;

/// The bytes of a body that was not over the limit.
#[derive(Debug)]
pub(super) struct Received {
    /// What arrived.
    pub bytes: Vec<u8>,
    /// The body ended early: the stream failed, or it ended before its `Content-Length`.
    pub cut: bool,
}

/// The body is (or announces itself as) larger than the limit; what was read is dropped.
#[derive(Debug)]
pub(super) struct TooLarge {
    /// The announced length, or the bytes seen when the limit was passed.
    pub size: usize,
}

/// Reads `body` up to `limit` bytes. A body announced larger than the limit is refused
/// before a byte is read.
pub(super) async fn read(
    body: Body,
    declared: Option<u64>,
    limit: usize,
) -> Result<Received, TooLarge> {
    if let Some(declared) = declared
        && declared > limit as u64
    {
        return Err(TooLarge {
            size: usize::try_from(declared).unwrap_or(usize::MAX),
        });
    }
    let capacity = declared.map_or(0, |d| usize::try_from(d).unwrap_or(limit));
    let mut bytes = Vec::with_capacity(capacity.min(limit));
    let mut body = body;
    let mut cut = false;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            cut = true;
            break;
        };
        if let Ok(data) = frame.into_data() {
            let size = bytes.len().saturating_add(data.len());
            if size > limit {
                return Err(TooLarge { size });
            }
            bytes.extend_from_slice(&data);
        }
    }
    // A connection that goes away without an error can end the stream early too.
    if declared.is_some_and(|d| (bytes.len() as u64) < d) {
        cut = true;
    }
    Ok(Received { bytes, cut })
}
