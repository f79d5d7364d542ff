//! `Phone`: the one object an app holds — the store on disk, the signed-in user, and sync.
//!
//! Quick store calls (edits, lists, a case's detail: milliseconds, one SQLite transaction) are
//! plain methods the app calls from its I/O thread; everything that waits on the network or
//! burns CPU (sign-in, sync, photo processing) is async and runs on the library's runtime.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use wangge_mobile::client::{NetworkKind, SyncClient};
use wangge_mobile::photo::PhotoOptions;
use wangge_mobile::store::CaseStore;
use wangge_proto::Locale;

use crate::listener::{Relay, SyncListener};
use crate::runtime::run;
use crate::views::UserInfo;
use crate::{WanggeError, input};

/// The phone's connection, as the OS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Network {
    /// No connection: nothing is sent.
    Offline,
    /// Mobile data: case edits and thumbnails only, unless the user allows full photos.
    Metered,
    /// Wi-Fi: everything.
    Unmetered,
}

impl From<Network> for NetworkKind {
    fn from(network: Network) -> Self {
        match network {
            Network::Offline => NetworkKind::Offline,
            Network::Metered => NetworkKind::Metered,
            Network::Unmetered => NetworkKind::Unmetered,
        }
    }
}

/// What a completed sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSummary {
    /// Round trips it took.
    pub rounds: u32,
    /// Cases whose edits the server accepted.
    pub accepted: Vec<String>,
    /// Cases whose edits the server refused (kept on the phone with the reason).
    pub refused: Vec<String>,
    /// Cases the server held back (its copy is damaged): their edits stay unsent, for a
    /// later sync.
    pub held: Vec<String>,
    /// Cases others changed.
    pub received: Vec<String>,
    /// Photo files uploaded.
    pub photos_sent: u32,
    /// Photo files still waiting (for Wi-Fi, or for the user's retry after a refusal).
    pub photos_waiting: u32,
}

/// The phone library, opened on one store file.
#[derive(Debug, uniffi::Object)]
pub struct Phone {
    pub(crate) client: SyncClient,
    pub(crate) locale: Locale,
    /// The user allowed full-size photos on mobile data.
    full_photos_on_metered: AtomicBool,
    /// How attached photos are processed (the app's settings screen may change size, format
    /// and quality).
    pub(crate) photo_options: Mutex<PhotoOptions>,
}

impl Phone {
    pub(crate) fn store(&self) -> MutexGuard<'_, CaseStore> {
        self.client
            .store()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn store_error(&self, error: &wangge_mobile::StoreError) -> WanggeError {
        WanggeError::store(error, self.locale)
    }
}

/// Reads a locale code: `zh-CN` (the default, also for anything unknown) or `en`.
fn locale(code: &str) -> Locale {
    if code.eq_ignore_ascii_case("en") || code.to_ascii_lowercase().starts_with("en-") {
        Locale::En
    } else {
        Locale::ZhCn
    }
}

#[uniffi::export]
impl Phone {
    /// Opens (or creates) the store at `path`, upgrading it if needed; messages in `locale`
    /// (`zh-CN` or `en`).
    #[uniffi::constructor]
    pub fn open(path: String, locale_code: String) -> Result<Arc<Self>, WanggeError> {
        let locale = locale(&locale_code);
        let store = CaseStore::open(&path).map_err(|e| WanggeError::store(&e, locale))?;
        tracing::info!(%path, "phone store opened");
        Ok(Arc::new(Self {
            client: SyncClient::new(Arc::new(Mutex::new(store))).with_locale(locale),
            locale,
            full_photos_on_metered: AtomicBool::new(false),
            photo_options: Mutex::new(PhotoOptions::default()),
        }))
    }

    /// The signed-in user, if any (kept across restarts, also offline).
    pub fn user(&self) -> Option<UserInfo> {
        self.store()
            .identity()
            .map(|identity| UserInfo::new(identity, self.locale))
    }

    /// Signs in to the server at `server_url` and enrols this phone. Refused while another
    /// user's edits are unsent.
    pub async fn sign_in(
        &self,
        server_url: String,
        login: String,
        password: String,
    ) -> Result<UserInfo, WanggeError> {
        let client = self.client.clone();
        let locale = self.locale;
        run(async move {
            let identity = client
                .sign_in(&server_url, &login, &password)
                .await
                .map_err(|e| WanggeError::client(&e, locale))?;
            Ok(UserInfo::new(&identity, locale))
        })
        .await
    }

    /// Signs out (revoking the token when the server can be reached). Cases and unsent edits
    /// stay on the phone.
    pub async fn sign_out(&self) -> Result<(), WanggeError> {
        let client = self.client.clone();
        let locale = self.locale;
        run(async move {
            client
                .sign_out()
                .await
                .map_err(|e| WanggeError::client(&e, locale))
        })
        .await
    }

    /// Whether full-size photos may go over mobile data (the user's setting; off by default:
    /// thumbnails always go, full size waits for Wi-Fi).
    pub fn set_full_photos_on_metered(&self, allowed: bool) {
        self.full_photos_on_metered
            .store(allowed, Ordering::Relaxed);
    }

    /// Sends every unsent edit and receives what others changed, then uploads photos
    /// (thumbnails first; full size as the network allows), reporting to `listener`.
    /// Interrupted at any point (network, the OS), it leaves the store whole; the next sync
    /// resumes.
    pub async fn sync(
        &self,
        network: Network,
        listener: Arc<dyn SyncListener>,
    ) -> Result<SyncSummary, WanggeError> {
        let client = self
            .client
            .clone()
            .with_full_photos_on_metered(self.full_photos_on_metered.load(Ordering::Relaxed));
        let locale = self.locale;
        run(async move {
            let relay = Relay { listener, locale };
            let summary = client
                .sync(network.into(), &relay)
                .await
                .map_err(|e| WanggeError::client(&e, locale))?;
            let ids = |ids: &[wangge_proto::values::CaseId]| {
                ids.iter().map(ToString::to_string).collect::<Vec<_>>()
            };
            Ok(SyncSummary {
                rounds: summary.rounds,
                accepted: ids(&summary.accepted),
                refused: ids(&summary.refused),
                held: ids(&summary.held),
                received: ids(&summary.received),
                photos_sent: summary.photos_sent,
                photos_waiting: summary.photos_waiting,
            })
        })
        .await
    }
}

/// Used by the case methods: parses a case id.
pub(crate) fn case_id(text: &str) -> Result<wangge_proto::values::CaseId, WanggeError> {
    input::parse("case", text)
}
