//! The photo outbox: a processed photo goes into its case and into the queue the sync client
//! uploads from, in one transaction.
//!
//! A case names its photos by hash; the files themselves wait here, in the same SQLite file,
//! so a photo is never referenced by a case without its bytes on the phone (or the other way
//! round), whenever the app is killed. Each processed file (the thumbnail and the main
//! picture) is one row, kept after upload because the app shows photos offline. The camera
//! original is kept beside the main picture until the server has verified that file, and
//! dropped in the transaction that marks it uploaded (issue 5: "keep the originals until the
//! processed file is acknowledged").

use rusqlite::{OptionalExtension, Transaction, params};
use wangge_proto::case::{EvidenceStage, ImageMime};
use wangge_proto::values::{CaseId, ContentHash, Timestamp};
use wangge_sync::blob::BlobKind;

use super::edit::{EvidenceInput, write_evidence};
use super::{CaseStore, StoreError};
use crate::photo::{EncodedPicture, OutputFormat, ProcessedPhoto};

/// A processed file that waits for upload: a row of the app's "待上传" (waiting to upload)
/// screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedPhoto {
    /// The file's SHA-256.
    pub hash: ContentHash,
    /// The case it was attached to.
    pub case: CaseId,
    /// Thumbnail or full size.
    pub kind: BlobKind,
    /// Its length in bytes.
    pub length: u64,
    /// Failed uploads since it was queued or last retried by the user.
    pub failures: u32,
    /// The code of the last failure (the server's, e.g. `blob.rejected_content`), if any.
    pub last_error: Option<String>,
    /// When it was queued.
    pub queued_at: Timestamp,
}

fn kind_text(kind: BlobKind) -> &'static str {
    match kind {
        BlobKind::Thumbnail => "thumbnail",
        BlobKind::Full => "full",
    }
}

fn mime(format: OutputFormat) -> ImageMime {
    match format {
        OutputFormat::Jpeg => ImageMime::Jpeg,
        OutputFormat::WebP => ImageMime::Webp,
    }
}

/// Queues one file; a file already queued (the same photo attached twice) stays as it is.
fn queue(
    tx: &Transaction<'_>,
    case: &CaseId,
    kind: BlobKind,
    picture: &EncodedPicture,
    original: Option<&[u8]>,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO photo_outbox (hash, case_id, kind, bytes, original, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            picture.hash.to_string(),
            case.to_string(),
            kind_text(kind),
            picture.bytes,
            original,
            now.as_millis(),
        ],
    )?;
    Ok(())
}

/// One outbox row as the app sees it, or what in it does not read.
fn queued(
    hash: &str,
    case: &str,
    kind: &str,
    length: i64,
    failures: i64,
    last_error: Option<String>,
    at: i64,
) -> Result<QueuedPhoto, String> {
    Ok(QueuedPhoto {
        hash: hash.parse().map_err(|_| format!("hash {hash}"))?,
        case: case.parse().map_err(|_| format!("case {case}"))?,
        kind: match kind {
            "thumbnail" => BlobKind::Thumbnail,
            "full" => BlobKind::Full,
            other => return Err(format!("kind {other}")),
        },
        length: u64::try_from(length).unwrap_or(0),
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        last_error,
        queued_at: Timestamp::from_millis(at).map_err(|_| format!("time {at}"))?,
    })
}

impl CaseStore {
    /// Attaches a processed photo to `case` as evidence and queues its files for upload (the
    /// thumbnail, the main picture and, beside it, the camera `original`), all in one
    /// transaction: refused with the reason (role, status, scope, unknown case) before
    /// anything is written. Returns the main picture's hash, the one the case references.
    pub fn attach_photo(
        &mut self,
        case: &CaseId,
        photo: &ProcessedPhoto,
        original: &[u8],
        stage: EvidenceStage,
        caption: &str,
    ) -> Result<ContentHash, StoreError> {
        let input = EvidenceInput {
            hash: photo.main.hash,
            size: u64::try_from(photo.main.bytes.len()).unwrap_or(u64::MAX),
            width: photo.main.width,
            height: photo.main.height,
            mime: mime(photo.main.format),
            captured_at: photo.captured_at.map(|c| c.at),
            captured_place: photo.location,
            thumbnail: Some(photo.thumbnail.hash),
            stage,
            caption: caption.to_owned(),
        };
        let now = Timestamp::now();
        self.write_with(
            case,
            "evidence",
            |doc, reading, identity| write_evidence(doc, reading, identity, input),
            |tx| {
                queue(tx, case, BlobKind::Thumbnail, &photo.thumbnail, None, now)?;
                queue(tx, case, BlobKind::Full, &photo.main, Some(original), now)
            },
        )?;
        Ok(photo.main.hash)
    }

    /// A processed file's bytes (the thumbnail or the main picture), uploaded or not: what
    /// the app shows, offline too. `None` when the phone does not have it.
    pub fn photo(&self, hash: &ContentHash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT bytes FROM photo_outbox WHERE hash = ?1",
                [hash.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The camera original of the main picture `hash`, while it is kept (until the server
    /// has verified the main picture).
    pub fn photo_original(&self, hash: &ContentHash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT original FROM photo_outbox WHERE hash = ?1",
                [hash.to_string()],
                |r| r.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()?
            .flatten())
    }

    /// The files waiting for upload, in the order they were queued.
    pub fn photo_queue(&self) -> Result<Vec<QueuedPhoto>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT hash, case_id, kind, length(bytes), failures, last_error, created_at
             FROM photo_outbox WHERE uploaded = 0 ORDER BY created_at, rowid",
        )?;
        let rows = statement.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        let mut queue = Vec::new();
        for row in rows {
            let (hash, case, kind, length, failures, last_error, at) = row?;
            match queued(&hash, &case, &kind, length, failures, last_error, at) {
                Ok(photo) => queue.push(photo),
                // A row damaged outside this library is left out (and logged), so it never
                // holds up the other photos.
                Err(detail) => tracing::error!(%hash, %detail, "unreadable photo outbox row"),
            }
        }
        Ok(queue)
    }

    /// The user's "retry" button: every waiting file is tried again at the next sync, also
    /// those skipped for failing too often. Returns how many were reset.
    pub fn retry_photos(&mut self) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE photo_outbox SET failures = 0 WHERE uploaded = 0 AND failures > 0",
            [],
        )?)
    }

    /// Keeps a file downloaded from the server (another user's photo the app showed), so it
    /// shows offline from now on; it is not queued (the server has it).
    pub(crate) fn photo_downloaded(
        &mut self,
        case: &CaseId,
        hash: &ContentHash,
        kind: BlobKind,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO photo_outbox (hash, case_id, kind, bytes, uploaded, created_at)
             VALUES (?1, ?2, ?3, ?4, 1, ?5)",
            params![
                hash.to_string(),
                case.to_string(),
                kind_text(kind),
                bytes,
                Timestamp::now().as_millis(),
            ],
        )?;
        Ok(())
    }

    /// The server has the verified file `hash`: it leaves the queue, and its camera original
    /// (kept until now) is deleted in the same transaction.
    pub(crate) fn photo_uploaded(&mut self, hash: &ContentHash) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE photo_outbox SET uploaded = 1, original = NULL, last_error = NULL
             WHERE hash = ?1",
            [hash.to_string()],
        )?;
        Ok(())
    }

    /// An upload of `hash` failed for good this time (`code`, e.g. the server's refusal): it
    /// counts one failure more, so the queue puts it behind the others.
    pub(crate) fn photo_failed(
        &mut self,
        hash: &ContentHash,
        code: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE photo_outbox SET failures = failures + 1, last_error = ?2 WHERE hash = ?1",
            params![hash.to_string(), code],
        )?;
        Ok(())
    }
}
