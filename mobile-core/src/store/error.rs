//! The one error type of the phone's case store.
//!
//! Every variant is something an app can act on: sign in, fix the input, show the reason a
//! step is not allowed, update the app, or report a damaged store. Each has a stable code and
//! a message in Simplified Chinese (the default) and English.

use thiserror::Error;
use wangge_proto::Locale;
use wangge_proto::values::{CaseId, GridCode};
use wangge_proto::workflow::Refusal;

/// What can go wrong in the case store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// SQLite failed (disk full, file locked by another process, I/O error).
    #[error("phone database: {detail}")]
    Database {
        /// SQLite's message.
        detail: String,
    },
    /// A stored document does not load: the store file was damaged outside this library.
    #[error("case {case} is damaged on this phone: {detail}")]
    Corrupt {
        /// The case.
        case: CaseId,
        /// What failed.
        detail: String,
    },
    /// The store file is open already (another `Phone` object, another process): one
    /// writer at a time.
    #[error("the phone database is open elsewhere in the app; close it there first")]
    InUse,
    /// The database was written by a newer version of the app.
    #[error("the phone database has schema {found}, newer than {supported}; update the app")]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// No one is signed in on this phone yet.
    #[error("sign in before editing cases")]
    NotSignedIn,
    /// Another user's edits are still waiting to be sent.
    #[error("the previous user's edits have not been sent yet; sync before switching users")]
    OtherUserPending,
    /// No such case on this phone.
    #[error("case {case} is not on this phone")]
    NotFound {
        /// The case.
        case: CaseId,
    },
    /// The grid is outside the user's scope.
    #[error("grid {grid} is outside your area")]
    OutOfScope {
        /// The grid.
        grid: GridCode,
    },
    /// The category is not in the catalogue.
    #[error("category {code} is not in the catalogue")]
    UnknownCategory {
        /// The code given.
        code: String,
    },
    /// The user's role may not do this now (the permission matrix or the workflow rules).
    #[error("not allowed: {}", .0.message(Locale::En))]
    Refused(Refusal),
    /// The input does not validate (an empty text, a bad id or code).
    #[error("invalid input: {detail}")]
    Invalid {
        /// What is wrong.
        detail: String,
    },
}

impl StoreError {
    /// A stable code for apps and logs.
    pub fn code(&self) -> String {
        match self {
            Self::Database { .. } => "store.database".into(),
            Self::InUse => "store.in_use".into(),
            Self::Corrupt { .. } => "store.corrupt".into(),
            Self::NewerSchema { .. } => "store.newer_schema".into(),
            Self::NotSignedIn => "store.not_signed_in".into(),
            Self::OtherUserPending => "store.other_user_pending".into(),
            Self::NotFound { .. } => "store.not_found".into(),
            Self::OutOfScope { .. } => "store.out_of_scope".into(),
            Self::UnknownCategory { .. } => "store.unknown_category".into(),
            Self::Refused(refusal) => format!("refused.{}", refusal.code()),
            Self::Invalid { .. } => "store.invalid".into(),
        }
    }

    /// The message for the user, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        let zh = match self {
            Self::Database { detail } => format!("手机数据库出错：{detail}。请检查存储空间后重试"),
            Self::Corrupt { case, .. } => {
                format!("案件 {case} 在本机的数据已损坏，下次同步将从服务器重新下载")
            }
            Self::InUse => "手机数据库已在应用的另一处打开，请先关闭那里".into(),
            Self::NewerSchema { .. } => "本机数据由更新版本的应用写入，请升级应用".into(),
            Self::NotSignedIn => "请先登录".into(),
            Self::OtherUserPending => "上一位用户还有未上传的修改，请先同步再切换账号".into(),
            Self::NotFound { case } => format!("本机没有案件 {case}"),
            Self::OutOfScope { grid } => format!("网格 {grid} 不在您的辖区内"),
            Self::UnknownCategory { code } => format!("事项类别 {code} 不在事项清单中"),
            Self::Refused(refusal) => refusal.message(Locale::ZhCn),
            Self::Invalid { detail } => format!("输入有误：{detail}"),
        };
        match locale {
            Locale::ZhCn => zh,
            Locale::En => self.to_string(),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        tracing::warn!(%error, "phone database error");
        Self::Database {
            detail: error.to_string(),
        }
    }
}

impl From<Refusal> for StoreError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<wangge_proto::Error> for StoreError {
    fn from(error: wangge_proto::Error) -> Self {
        match error {
            wangge_proto::Error::Refused(refusal) => Self::Refused(refusal),
            other => Self::Invalid {
                detail: other.to_string(),
            },
        }
    }
}
