//! Photo evidence through [`Phone`]: the camera file in, processed off the caller's thread,
//! attached to a case; and the stored files out, for display offline.

use std::sync::Arc;

use wangge_mobile::photo::{self, PhotoOptions, ProcessedPhoto};
use wangge_mobile::store::EvidenceInput;
use wangge_proto::case::{EvidenceStage, ImageMime};

use crate::listener::PhotoListener;
use crate::phone::{Phone, case_id};
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

fn mime(format: photo::OutputFormat) -> ImageMime {
    match format {
        photo::OutputFormat::Jpeg => ImageMime::Jpeg,
        photo::OutputFormat::WebP => ImageMime::Webp,
    }
}

fn evidence(processed: &ProcessedPhoto, stage: EvidenceStage, caption: String) -> EvidenceInput {
    EvidenceInput {
        hash: processed.main.hash,
        size: processed.main.bytes.len() as u64,
        width: processed.main.width,
        height: processed.main.height,
        mime: mime(processed.main.format),
        captured_at: processed.captured_at.map(|t| t.at),
        captured_place: processed.location,
        thumbnail: Some(processed.thumbnail.hash),
        stage,
        caption,
    }
}

#[uniffi::export]
impl Phone {
    /// Processes a camera file (orientation applied, resized, metadata stripped, hashed; off
    /// the caller's thread, progress to `listener`) and attaches it to a case as `stage`
    /// (`before` or `after` handling). A file that is not a usable picture is `InvalidInput`
    /// with the reason, and nothing is written.
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
        run(async move {
            let original_bytes = camera_file.len() as u64;
            let processed = tokio::task::spawn_blocking(move || {
                photo::process(&camera_file, &PhotoOptions::default(), &mut |p| {
                    if let Some(listener) = &listener {
                        listener.on_progress(format!("{:?}", p.stage).to_lowercase(), p.fraction);
                    }
                })
            })
            .await
            .map_err(|e| WanggeError::Storage {
                code: "ffi.task".into(),
                user_message: format!("photo processing stopped: {e}"),
            })?
            .map_err(|e| WanggeError::photo(&e, locale))?;
            let phone = Arc::clone(&self);
            tokio::task::spawn_blocking(move || {
                let input = evidence(&processed, stage, caption);
                let mut store = phone.store();
                store
                    .add_evidence(&case, input)
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
