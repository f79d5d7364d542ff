//! The one error type of the sync layer: what went wrong with a message, with a stable code
//! and a message a user (zh-CN first) or an operator can act on.

use wangge_proto::Locale;
use wangge_proto::values::CaseId;

/// A sync message could not be read, was over a limit, or could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Fewer bytes than the envelope header, or a compressed body that ends early.
    #[error("message truncated: {detail}")]
    Truncated {
        /// What was missing.
        detail: String,
    },
    /// The bytes do not start with the sync envelope's magic.
    #[error("not a Wangge sync message")]
    NotSync,
    /// The peer speaks a protocol version this build does not.
    #[error("protocol version {found} is not supported (supported: {min}–{max})")]
    UnsupportedVersion {
        /// The version in the message.
        found: u8,
        /// Oldest supported version.
        min: u8,
        /// Newest supported version.
        max: u8,
    },
    /// A message of another kind than expected (e.g. a response sent as a request).
    #[error("expected a {expected} message, got {found}")]
    UnexpectedKind {
        /// What the receiver expected.
        expected: &'static str,
        /// What arrived (a name, or the raw number for an unknown kind).
        found: String,
    },
    /// The encoded message is over the size limit.
    #[error("message of {size} bytes is over the limit of {limit} bytes")]
    MessageTooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The body decompresses to more than the limit (a decompression bomb or an oversized batch).
    #[error("message body expands past the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The compressed body is damaged.
    #[error("message body is corrupt: {detail}")]
    Corrupt {
        /// The decompressor's complaint.
        detail: String,
    },
    /// The body is not a well-formed message of its kind.
    #[error("malformed message: {detail}")]
    Malformed {
        /// The decoder's complaint.
        detail: String,
    },
    /// More cases in one request than allowed.
    #[error("{count} cases in one request, the limit is {limit}")]
    TooManyCases {
        /// Cases in the request.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The request names another device than the authenticated one.
    #[error("the request claims device {claimed}, which is not the signed-in device")]
    WrongDevice {
        /// The device in the request.
        claimed: wangge_proto::values::DeviceId,
    },
    /// The same case twice in one request.
    #[error("case {case} appears twice in one request")]
    DuplicateCase {
        /// The case.
        case: CaseId,
    },
    /// Received case data that could not be applied to the local document.
    #[error("case {case} could not be applied: {detail}")]
    Document {
        /// The case.
        case: CaseId,
        /// What automerge or the layout check said.
        detail: String,
    },
    /// The storage behind the protocol failed.
    #[error("storage failed: {detail}")]
    Store {
        /// The storage layer's message.
        detail: String,
    },
}

impl Error {
    /// A stable code for logs, HTTP error bodies and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Truncated { .. } => "sync.truncated",
            Self::NotSync => "sync.not_sync",
            Self::UnsupportedVersion { .. } => "sync.unsupported_version",
            Self::UnexpectedKind { .. } => "sync.unexpected_kind",
            Self::MessageTooLarge { .. } => "sync.message_too_large",
            Self::BodyTooLarge { .. } => "sync.body_too_large",
            Self::Corrupt { .. } => "sync.corrupt",
            Self::Malformed { .. } => "sync.malformed",
            Self::TooManyCases { .. } => "sync.too_many_cases",
            Self::WrongDevice { .. } => "sync.wrong_device",
            Self::DuplicateCase { .. } => "sync.duplicate_case",
            Self::Document { .. } => "sync.document",
            Self::Store { .. } => "sync.store",
        }
    }

    /// Whether the fault is the sender's (a 4xx over HTTP) rather than this side's storage.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Store { .. })
    }

    /// What to tell the user, in their language.
    pub fn message(&self, locale: Locale) -> String {
        let (zh, en) = match self {
            Self::Truncated { .. } => (
                "同步数据不完整（网络中断），请稍后重试。".to_owned(),
                "The sync data arrived incomplete (the connection dropped); try again.".to_owned(),
            ),
            Self::NotSync | Self::UnexpectedKind { .. } | Self::Malformed { .. } => (
                "同步数据格式错误，请更新应用后重试。".to_owned(),
                "The sync data is malformed; update the app and try again.".to_owned(),
            ),
            Self::UnsupportedVersion { found, min, max } => (
                format!("同步协议版本 {found} 不受支持（支持 {min}–{max}），请更新应用。"),
                format!(
                    "Sync protocol version {found} is not supported (supported {min}–{max}); \
                     update the app."
                ),
            ),
            Self::MessageTooLarge { size, limit } => (
                format!("同步数据过大（{size} 字节，上限 {limit}），请分批同步。"),
                format!(
                    "The sync message is too large ({size} bytes, limit {limit}); sync in smaller batches."
                ),
            ),
            Self::BodyTooLarge { limit } => (
                format!("同步数据解压后超过上限 {limit} 字节。"),
                format!("The sync data expands past the limit of {limit} bytes."),
            ),
            Self::Corrupt { .. } => (
                "同步数据已损坏，请重试。".to_owned(),
                "The sync data is corrupt; try again.".to_owned(),
            ),
            Self::TooManyCases { count, limit } => (
                format!("一次同步的案件过多（{count} 件，上限 {limit} 件）。"),
                format!("Too many cases in one sync ({count}, limit {limit})."),
            ),
            Self::WrongDevice { .. } => (
                "同步请求的设备与登录设备不符，请重新登录。".to_owned(),
                "The sync request names another device than the signed-in one; sign in again."
                    .to_owned(),
            ),
            Self::DuplicateCase { case } => (
                format!("案件 {case} 在一次同步中重复出现。"),
                format!("Case {case} appears twice in one sync."),
            ),
            Self::Document { case, .. } => (
                format!("案件 {case} 的数据无法合并，将重新下载。"),
                format!("Case {case} could not be merged; it will be downloaded again."),
            ),
            Self::Store { .. } => (
                "服务暂时不可用，请稍后重试。".to_owned(),
                "The service is temporarily unavailable; try again later.".to_owned(),
            ),
        };
        match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }
}
