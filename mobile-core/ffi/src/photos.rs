//! Photo evidence through [`Phone`]: the camera file in, processed off the caller's thread,
//! attached to a case and queued for upload (the original kept until the server has the
//! processed file); the stored files out, for display offline; the upload queue, for the app's
//! "waiting to upload" screen.

use std::sync::Arc;

use wangge_mobile::photo::{self, OutputFormat, PhotoOptions};
use wangge_mobile::store::QueuedPhoto;
use wangge_proto::case::EvidenceStage;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::BlobKind;

use crate::listener::PhotoListener;
use crate::phone::{Network, Phone, case_id};
use crate::runtime::run;
use crate::views::PhotoItem;
use crate::{WanggeError, input};

/// What was attached.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AttachedPhoto {
    /// The photo as the case now lists it.
    pub photo: PhotoItem,
    /// The camera file's size in bytes.
    pub original_bytes: u64,
    /// Latitude where it was taken, from the camera file.
    pub captured_lat: Option<f64>,
    /// Longitude where it was taken.
    pub captured_lon: Option<f64>,
}

/// How attached photos are processed: what an app's settings screen offers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PhotoSettings {
    /// The stored picture's long edge in pixels (1600 by default; never enlarged).
    pub long_edge: u32,
    /// `jpeg` (the default) or `webp`.
    pub format: String,
    /// Encoder quality, 1–100 (65 by default, tuned for the main picture's JPEG settings).
    pub quality: u8,
}

impl Phone {
    /// The options attached photos are processed with now.
    fn current_photo_options(&self) -> PhotoOptions {
        self.photo_options
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[uniffi::export]
impl Phone {
    /// The settings attached photos are processed with.
    pub fn photo_settings(&self) -> PhotoSettings {
        let options = self.current_photo_options();
        PhotoSettings {
            long_edge: options.long_edge,
            format: options.format.name().to_ascii_lowercase(),
            quality: options.quality,
        }
    }

    /// Changes how photos attached from now on are processed. Settings that cannot make a
    /// picture (a long edge smaller than the thumbnail's, quality 0, an unknown format) are
    /// `InvalidInput` and leave the settings as they were.
    pub fn set_photo_settings(&self, settings: PhotoSettings) -> Result<(), WanggeError> {
        let format = match settings.format.to_ascii_lowercase().as_str() {
            "jpeg" | "jpg" => OutputFormat::Jpeg,
            "webp" => OutputFormat::WebP,
            other => {
                return Err(WanggeError::invalid(
                    "ffi.invalid_value",
                    format!("照片格式「{other}」无效 / photo format {other:?} is not valid"),
                ));
            }
        };
        let options = PhotoOptions {
            long_edge: settings.long_edge,
            format,
            quality: settings.quality,
            ..self.current_photo_options()
        };
        options
            .check()
            .map_err(|e| WanggeError::photo(&e, self.locale))?;
        tracing::info!(?settings, "photo settings changed");
        *self
            .photo_options
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = options;
        Ok(())
    }

    /// Processes a camera file (orientation applied, resized as the [`PhotoSettings`] say,
    /// metadata stripped, hashed; off the caller's thread, progress to `listener`) and
    /// attaches it to a case as `stage` (`before` or `after` handling). A file that is not a
    /// usable picture is `InvalidInput` with the reason, and nothing is written.
    pub async fn attach_photo(
        self: Arc<Self>,
        case_id_text: String,
        camera_file: Vec<u8>,
        stage: String,
        caption: String,
        listener: Option<Arc<dyn PhotoListener>>,
    ) -> Result<AttachedPhoto, WanggeError> {
        let case = case_id(&case_id_text)?;
        let stage: EvidenceStage = input::parse("stage", &stage)?;
        let locale = self.locale;
        let options = self.current_photo_options();
        run(async move {
            let original_bytes = camera_file.len() as u64;
            let (processed, camera_file) = tokio::task::spawn_blocking(move || {
                let processed = photo::process(&camera_file, &options, &mut |p| {
                    if let Some(listener) = &listener {
                        listener.on_progress(format!("{:?}", p.stage).to_lowercase(), p.fraction);
                    }
                });
                (processed, camera_file)
            })
            .await
            .map_err(|e| WanggeError::Storage {
                code: "ffi.task".into(),
                user_message: format!("photo processing stopped: {e}"),
            })?;
            let processed = processed.map_err(|e| WanggeError::photo(&e, locale))?;
            let phone = Arc::clone(&self);
            tokio::task::spawn_blocking(move || {
                let mut store = phone.store();
                store
                    .attach_photo(&case, &processed, &camera_file, stage, &caption)
                    .map_err(|e| phone.store_error(&e))?;
                let detail = store
                    .detail(&case)
                    .map_err(|e| phone.store_error(&e))?
                    .ok_or_else(|| WanggeError::invalid("store.not_found", case.to_string()))?;
                let photo = detail
                    .view
                    .evidence
                    .iter()
                    .rev()
                    .find(|e| e.hash == processed.main.hash)
                    .map(PhotoItem::from)
                    .ok_or_else(|| {
                        WanggeError::invalid("store.not_found", processed.main.hash.to_string())
                    })?;
                Ok(AttachedPhoto {
                    photo,
                    original_bytes,
                    captured_lat: processed.location.map(|p| p.lat()),
                    captured_lon: processed.location.map(|p| p.lon()),
                })
            })
            .await
            .map_err(|e| WanggeError::Storage {
                code: "ffi.task".into(),
                user_message: format!("storing the photo stopped: {e}"),
            })?
        })
        .await
    }
}

/// A photo file waiting for upload.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QueuedFile {
    /// SHA-256 of the file.
    pub hash: String,
    /// The case it belongs to.
    pub case_id: String,
    /// `thumbnail` or `full`.
    pub kind: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// How often the server refused it (after 3 it waits for the user's retry).
    pub failures: u32,
    /// The server's code for the last refusal.
    pub last_error: Option<String>,
    /// When it was queued.
    pub queued_at_ms: i64,
}

impl From<&QueuedPhoto> for QueuedFile {
    fn from(queued: &QueuedPhoto) -> Self {
        Self {
            hash: queued.hash.to_string(),
            case_id: queued.case.to_string(),
            kind: match queued.kind {
                BlobKind::Thumbnail => "thumbnail",
                BlobKind::Full => "full",
            }
            .to_owned(),
            bytes: queued.length,
            failures: queued.failures,
            last_error: queued.last_error.clone(),
            queued_at_ms: queued.queued_at.as_millis(),
        }
    }
}

#[uniffi::export]
impl Phone {
    /// A stored photo file (main picture or thumbnail) by its hash, uploaded or not; none
    /// when the phone does not have it.
    pub fn photo_file(&self, hash: String) -> Result<Option<Vec<u8>>, WanggeError> {
        let hash = input::parse("hash", &hash)?;
        self.store().photo(&hash).map_err(|e| self.store_error(&e))
    }

    /// A photo file of a case (its main picture or thumbnail, by hash) for display: from the
    /// phone when it has it (offline too), else downloaded from the server, verified and
    /// kept — how a secretary's phone shows a worker's photo.
    pub async fn fetch_photo(
        &self,
        case_id_text: String,
        hash: String,
        network: Network,
    ) -> Result<Vec<u8>, WanggeError> {
        let case = case_id(&case_id_text)?;
        let hash: ContentHash = input::parse("hash", &hash)?;
        let detail = self
            .store()
            .detail(&case)
            .map_err(|e| self.store_error(&e))?
            .ok_or_else(|| WanggeError::invalid("store.not_found", case.to_string()))?;
        let kind = detail
            .view
            .evidence
            .iter()
            .find_map(|e| {
                if e.hash == hash {
                    Some(BlobKind::Full)
                } else if e.thumbnail == Some(hash) {
                    Some(BlobKind::Thumbnail)
                } else {
                    None
                }
            })
            .ok_or_else(|| {
                WanggeError::invalid(
                    "ffi.not_in_case",
                    format!(
                        "照片 {hash} 不属于案件 {case} / photo {hash} is not one of this case's"
                    ),
                )
            })?;
        let client = self.client.clone();
        let locale = self.locale;
        run(async move {
            client
                .fetch_photo(network.into(), case, hash, kind)
                .await
                .map_err(|e| WanggeError::client(&e, locale))
        })
        .await
    }

    /// The photo files waiting for upload, thumbnails first.
    pub fn upload_queue(&self) -> Result<Vec<QueuedFile>, WanggeError> {
        let queue = self
            .store()
            .photo_queue()
            .map_err(|e| self.store_error(&e))?;
        Ok(queue.iter().map(QueuedFile::from).collect())
    }

    /// The user's "retry" on files the server refused; returns how many will be sent again.
    pub fn retry_uploads(&self) -> Result<u32, WanggeError> {
        let count = self
            .store()
            .retry_photos()
            .map_err(|e| self.store_error(&e))?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }
}
