//! The one error type of the sync client: what the app shows and does when a sign-in or a
//! sync does not complete.

use thiserror::Error;
use wangge_proto::Locale;
use wangge_sync::http::client::HttpError;

use crate::store::StoreError;

/// Why a sign-in or a sync did not complete. Nothing on the phone is lost in any case: the
/// next sync starts where this one stopped.
#[derive(Debug, Error)]
pub enum ClientError {
    /// The app said there is no network: nothing was tried.
    #[error("offline: the sync waits for the network")]
    Offline,
    /// No one signed in yet, or the session was cleared.
    #[error("not signed in")]
    NotSignedIn,
    /// The server no longer accepts the session's token: sign in again.
    #[error("the session expired; sign in again")]
    SessionExpired,
    /// The network or the server kept failing after every retry.
    #[error("the server could not be reached after {attempts} attempts: {last}")]
    Unreachable {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: HttpError,
    },
    /// The server refused (wrong password, disabled account, a device of someone else, …).
    #[error(transparent)]
    Refused(HttpError),
    /// The phone's store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ClientError {
    /// A stable code for apps and logs (the server's code when it refused).
    pub fn code(&self) -> String {
        match self {
            Self::Offline => "client.offline".into(),
            Self::NotSignedIn => "client.not_signed_in".into(),
            Self::SessionExpired => "client.session_expired".into(),
            Self::Unreachable { .. } => "client.unreachable".into(),
            Self::Refused(error) => error.code().to_owned(),
            Self::Store(error) => error.code(),
        }
    }

    /// The message for the user, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Self::Offline => locale
                .pick(
                    "当前无网络，修改已保存在本机，有网络后自动同步。",
                    "No network: your edits are saved on the phone and sync when the network is back.",
                )
                .into(),
            Self::NotSignedIn => locale.pick("请先登录。", "Sign in first.").into(),
            Self::SessionExpired => locale
                .pick(
                    "登录已失效，请重新登录；未上传的修改仍保存在本机。",
                    "Your session expired; sign in again. Unsent edits stay on the phone.",
                )
                .into(),
            Self::Unreachable { .. } => locale
                .pick(
                    "暂时无法连接服务器，修改已保存在本机，稍后自动重试。",
                    "The server cannot be reached now; your edits are saved and retried later.",
                )
                .into(),
            Self::Refused(error) => error.message(locale),
            Self::Store(error) => error.message(locale),
        }
    }
}

impl From<HttpError> for ClientError {
    fn from(error: HttpError) -> Self {
        if error.is_unauthenticated() {
            Self::SessionExpired
        } else {
            Self::Refused(error)
        }
    }
}
