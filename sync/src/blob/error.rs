//! Why a blob transfer step failed: one enum for the hub's answers and the phone's own checks.
//!
//! The hub sends these back to the phone (serde, tagged by the stable [`BlobError::code`]), the
//! HTTP layer maps each to a status ([`BlobError::http_status`]), and the phone shows
//! [`BlobError::message`] to the user. Variants that carry an offset tell the phone where to
//! resume without asking again.

use serde::{Deserialize, Serialize};
use wangge_proto::Locale;

use super::http::status;

/// A reason a blob upload or download step did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code")]
pub enum BlobError {
    /// The hub has neither a complete blob nor an upload in progress under this hash.
    #[serde(rename = "blob.unknown")]
    #[error("no such blob or upload")]
    Unknown,
    /// A PATCH started at another offset than the upload has reached.
    #[serde(rename = "blob.offset_mismatch")]
    #[error("the upload is at offset {offset}")]
    OffsetMismatch {
        /// The offset the upload has really reached; resume from here.
        offset: u64,
    },
    /// A frame of a PATCH body failed its checksum; the frames before it were kept.
    #[serde(rename = "blob.checksum_mismatch")]
    #[error("a frame failed its checksum; the upload is at offset {offset}")]
    ChecksumMismatch {
        /// The offset reached with the frames kept before the bad one.
        offset: u64,
    },
    /// A PATCH body was not a valid frame sequence (bad length, a truncated frame in a body
    /// that was not cut, or data past the declared length); the frames before it were kept.
    #[serde(rename = "blob.frame_malformed")]
    #[error("malformed frame; the upload is at offset {offset}")]
    FrameMalformed {
        /// The offset reached with the frames kept before the bad one.
        offset: u64,
    },
    /// All bytes arrived but their SHA-256 is not the claimed hash; the upload was discarded.
    #[serde(rename = "blob.hash_mismatch")]
    #[error("the bytes do not match the claimed hash")]
    HashMismatch,
    /// The declared (or received) length is over the limit.
    #[serde(rename = "blob.too_large")]
    #[error("blob larger than the limit of {max} bytes")]
    TooLarge {
        /// The largest length accepted, in bytes.
        max: u64,
    },
    /// The content check (e.g. image decoding) refused the complete bytes; the upload was
    /// discarded.
    #[serde(rename = "blob.rejected_content")]
    #[error("content rejected: {reason}")]
    RejectedContent {
        /// Why, for logs (not shown to users).
        reason: String,
    },
    /// A download asked for a range starting past the end of the blob.
    #[serde(rename = "blob.range_not_satisfiable")]
    #[error("range starts past the end ({length} bytes)")]
    RangeNotSatisfiable {
        /// The blob's length.
        length: u64,
    },
    /// Phone only, never sent: the local file is not the length the upload was started with
    /// (it was changed or truncated on the phone).
    #[serde(rename = "blob.file_changed")]
    #[error("local file is {actual} bytes, expected {expected}")]
    FileChanged {
        /// The length the upload was started with.
        expected: u64,
        /// The length of the file now.
        actual: u64,
    },
    /// Phone only, never sent: the hub kept answering in a way that makes no sense for the
    /// step (e.g. an offset past the end); the transfer gave up rather than loop.
    #[serde(rename = "blob.unexpected_response")]
    #[error("unexpected response from the hub")]
    UnexpectedResponse,
}

impl BlobError {
    /// The stable code, the same as the serde tag (for APIs, logs and the phone).
    pub fn code(&self) -> &'static str {
        match self {
            BlobError::Unknown => "blob.unknown",
            BlobError::OffsetMismatch { .. } => "blob.offset_mismatch",
            BlobError::ChecksumMismatch { .. } => "blob.checksum_mismatch",
            BlobError::FrameMalformed { .. } => "blob.frame_malformed",
            BlobError::HashMismatch => "blob.hash_mismatch",
            BlobError::TooLarge { .. } => "blob.too_large",
            BlobError::RejectedContent { .. } => "blob.rejected_content",
            BlobError::RangeNotSatisfiable { .. } => "blob.range_not_satisfiable",
            BlobError::FileChanged { .. } => "blob.file_changed",
            BlobError::UnexpectedResponse => "blob.unexpected_response",
        }
    }

    /// The HTTP status the hub answers with (phone-only variants map to 400 but are never sent).
    pub fn http_status(&self) -> u16 {
        match self {
            BlobError::Unknown => status::NOT_FOUND,
            BlobError::OffsetMismatch { .. } => status::CONFLICT,
            BlobError::ChecksumMismatch { .. } | BlobError::HashMismatch => {
                status::CHECKSUM_MISMATCH
            }
            BlobError::FrameMalformed { .. }
            | BlobError::FileChanged { .. }
            | BlobError::UnexpectedResponse => status::BAD_REQUEST,
            BlobError::TooLarge { .. } => status::PAYLOAD_TOO_LARGE,
            BlobError::RejectedContent { .. } => status::UNPROCESSABLE_CONTENT,
            BlobError::RangeNotSatisfiable { .. } => status::RANGE_NOT_SATISFIABLE,
        }
    }

    /// Whether the phone should give up on this item (until the user retries) rather than
    /// resume: the bytes or the photo itself are wrong, not the link.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            BlobError::HashMismatch
                | BlobError::TooLarge { .. }
                | BlobError::RejectedContent { .. }
                | BlobError::FileChanged { .. }
                | BlobError::UnexpectedResponse
        )
    }

    /// A message the user can act on, in the given locale.
    pub fn message(&self, l: Locale) -> String {
        match self {
            BlobError::Unknown => l.pick("服务器上没有这张照片", "The server does not have this photo"),
            BlobError::OffsetMismatch { .. } => l.pick(
                "上传进度与服务器不一致，将从服务器记录的位置继续",
                "The upload was out of step with the server; it continues from where the server is",
            ),
            BlobError::ChecksumMismatch { .. } => l.pick(
                "部分数据在传输中损坏，将自动重传该部分",
                "Some data was damaged in transit; that part is sent again automatically",
            ),
            BlobError::FrameMalformed { .. } => l.pick(
                "上传数据格式有误，将从服务器记录的位置继续",
                "The upload data was malformed; it continues from where the server is",
            ),
            BlobError::HashMismatch => l.pick(
                "照片内容与记录不符，服务器已拒收；请重新拍摄",
                "The photo does not match its record and was refused; please take it again",
            ),
            BlobError::TooLarge { .. } => l.pick(
                "照片文件过大，无法上传；请降低分辨率后重试",
                "The photo is too large to upload; reduce its resolution and try again",
            ),
            BlobError::RejectedContent { .. } => l.pick(
                "服务器无法识别这张照片，已拒收；请重新拍摄",
                "The server could not read this photo and refused it; please take it again",
            ),
            BlobError::RangeNotSatisfiable { .. } => l.pick(
                "下载位置超出文件末尾，将重新下载",
                "The download asked past the end of the file; it starts again",
            ),
            BlobError::FileChanged { .. } => l.pick(
                "手机上的照片文件已变动或损坏；请重新拍摄",
                "The photo file on this phone was changed or damaged; please take it again",
            ),
            BlobError::UnexpectedResponse => l.pick(
                "服务器响应异常，已暂停该照片的传输；请稍后重试",
                "The server answered unexpectedly; this photo's transfer is paused, try again later",
            ),
        }
        .into()
    }
}
