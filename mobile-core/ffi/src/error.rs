//! The one error type apps see: a handful of variants, each one thing the app does about it,
//! with the stable code and the user's message (in the phone's locale) inside.
//!
//! Codes are those of the layers below (`store.*`, `refused.*`, `client.*`, `photo_*`, and the
//! server's own, such as `auth.*`), so logs, the server and the app speak of the same thing.

use wangge_mobile::photo::PhotoError;
use wangge_mobile::{ClientError, StoreError};
use wangge_proto::Locale;
use wangge_sync::http::client::HttpError;

/// What went wrong, by what the app should do about it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum WanggeError {
    /// No network, or the server could not be reached: everything is kept on the phone; try
    /// again later (the app may show "waiting for network").
    #[error("{code}: {user_message}")]
    Offline {
        /// Stable code.
        code: String,
        /// What to tell the user.
        user_message: String,
    },
    /// Nobody is signed in, the session expired or the password was wrong: show the sign-in
    /// screen (unsent edits stay on the phone).
    #[error("{code}: {user_message}")]
    SignInRequired {
        /// Stable code.
        code: String,
        /// What to tell the user.
        user_message: String,
    },
    /// The user's role may not do this now, or the grid is outside their area: show the
    /// reason; nothing was written.
    #[error("{code}: {user_message}")]
    NotAllowed {
        /// Stable code.
        code: String,
        /// What to tell the user.
        user_message: String,
    },
    /// The input is wrong (an empty title, an unknown case or code, a photo that is not a
    /// usable picture): let the user fix it; nothing was written.
    #[error("{code}: {user_message}")]
    InvalidInput {
        /// Stable code.
        code: String,
        /// What to tell the user.
        user_message: String,
    },
    /// The phone's database failed, is damaged or is from a newer app: report it (free space,
    /// update the app); damaged cases are downloaded again at the next sync.
    #[error("{code}: {user_message}")]
    Storage {
        /// Stable code.
        code: String,
        /// What to tell the user.
        user_message: String,
    },
}

impl WanggeError {
    /// The stable code. (The message field is `user_message`: Kotlin's exceptions already have
    /// a `message`.)
    pub fn code(&self) -> &str {
        match self {
            Self::Offline { code, .. }
            | Self::SignInRequired { code, .. }
            | Self::NotAllowed { code, .. }
            | Self::InvalidInput { code, .. }
            | Self::Storage { code, .. } => code,
        }
    }

    pub(crate) fn invalid(code: &str, user_message: String) -> Self {
        Self::InvalidInput {
            code: code.to_owned(),
            user_message,
        }
    }

    /// A store error, in `locale`.
    pub(crate) fn store(error: &StoreError, locale: Locale) -> Self {
        let (code, user_message) = (error.code(), error.message(locale));
        match error {
            StoreError::Database { .. }
            | StoreError::InUse
            | StoreError::Corrupt { .. }
            | StoreError::NewerSchema { .. } => Self::Storage { code, user_message },
            StoreError::NotSignedIn => Self::SignInRequired { code, user_message },
            StoreError::OtherUserPending
            | StoreError::OutOfScope { .. }
            | StoreError::Refused(_) => Self::NotAllowed { code, user_message },
            StoreError::NotFound { .. }
            | StoreError::UnknownCategory { .. }
            | StoreError::Invalid { .. } => Self::InvalidInput { code, user_message },
        }
    }

    /// A sign-in or sync error, in `locale`.
    pub(crate) fn client(error: &ClientError, locale: Locale) -> Self {
        let (code, user_message) = (error.code(), error.message(locale));
        match error {
            ClientError::Offline | ClientError::Unreachable { .. } => {
                Self::Offline { code, user_message }
            }
            ClientError::NotSignedIn | ClientError::SessionExpired => {
                Self::SignInRequired { code, user_message }
            }
            // A photo the server does not have or hand out: waiting for the network won't help.
            ClientError::Refused(HttpError::Blob(_)) => Self::NotAllowed { code, user_message },
            ClientError::Refused(http) if http.is_retryable() => {
                Self::Offline { code, user_message }
            }
            ClientError::Refused(_) if code.starts_with("auth.") => {
                Self::SignInRequired { code, user_message }
            }
            ClientError::Refused(_) => Self::NotAllowed { code, user_message },
            ClientError::Store(store) => Self::store(store, locale),
        }
    }

    /// A photo the pipeline refused, in `locale`.
    pub(crate) fn photo(error: &PhotoError, locale: Locale) -> Self {
        Self::invalid(error.code(), error.message(locale))
    }
}
