//! Blobs on object storage (S3 and S3-compatible stores such as MinIO, Aliyun OSS or Tencent
//! COS, or a local directory through the same API), for several server instances sharing one
//! set of photos. Built on the `object_store` crate (ADR 0006).
//!
//! Layout under the configured prefix:
//!
//! - `complete/ab/<sha256>`: a verified blob, written by one atomic PUT.
//! - `partial/<sha256>/length`: an upload in progress and its declared length.
//! - `partial/<sha256>/<offset>`: its received pieces, one object each, named by their start
//!   offset (20 digits, so names sort by offset).
//!
//! Objects cannot be appended to, so an upload's offset is the sum of its pieces, and an
//! append is a *create-only* PUT of the piece at that offset (`PutMode::Create`): two
//! requests racing to append at the same offset cannot both succeed, which is the
//! compare-and-append the blob protocol needs, across instances too.

use std::sync::Arc;

use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, PutMode, PutOptions, PutPayload};
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{Append, BlobStore, Partial};

/// A blob store over any `object_store` backend.
#[derive(Debug, Clone)]
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
}

impl ObjectBlobStore {
    /// Blobs in `store` under `prefix`.
    pub fn new(store: Arc<dyn ObjectStore>, prefix: Path) -> Self {
        Self { store, prefix }
    }

    /// The store a URL names: `s3://bucket/prefix` (credentials, region and endpoint from the
    /// standard `AWS_*` environment variables, e.g. `AWS_ENDPOINT` for MinIO or OSS),
    /// `file:///absolute/dir`, or `memory:///` (tests).
    pub fn from_url(url: &str) -> Result<Self, object_store::Error> {
        let parsed = url::Url::parse(url).map_err(|e| object_store::Error::Generic {
            store: "url",
            source: Box::new(e),
        })?;
        let options = std::env::vars()
            .filter(|(key, _)| key.starts_with("AWS_"))
            .map(|(key, value)| (key.to_ascii_lowercase(), value));
        let (store, prefix) = object_store::parse_url_opts(&parsed, options)?;
        Ok(Self::new(Arc::from(store), prefix))
    }

    fn complete_path(&self, hash: &ContentHash) -> Path {
        let hex = hash.to_string();
        self.prefix
            .clone()
            .join("complete")
            .join(&hex[..2])
            .join(hex.as_str())
    }

    fn partial_dir(&self, hash: &ContentHash) -> Path {
        self.prefix
            .clone()
            .join("partial")
            .join(hash.to_string().as_str())
    }

    fn length_path(&self, hash: &ContentHash) -> Path {
        self.partial_dir(hash).join("length")
    }

    fn piece_path(&self, hash: &ContentHash, offset: u64) -> Path {
        self.partial_dir(hash)
            .join(format!("{offset:020}").as_str())
    }

    /// The size of an object, or `None` if there is none.
    async fn size(&self, path: &Path) -> Result<Option<u64>, object_store::Error> {
        let head = GetOptions::new().with_head(true);
        match self.store.get_opts(path, head).await {
            Ok(result) => Ok(Some(result.meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// An object's bytes from `from`, or `None` if there is none.
    async fn bytes_from(
        &self,
        path: &Path,
        from: u64,
    ) -> Result<Option<Vec<u8>>, object_store::Error> {
        let Some(size) = self.size(path).await? else {
            return Ok(None);
        };
        if from >= size {
            return Ok(Some(Vec::new()));
        }
        let ranged = GetOptions::new().with_range(Some(GetRange::Offset(from)));
        match self.store.get_opts(path, ranged).await {
            Ok(result) => Ok(Some(result.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The pieces of an upload, in offset order, with their sizes.
    async fn pieces(&self, hash: &ContentHash) -> Result<Vec<(Path, u64)>, object_store::Error> {
        let length = self.length_path(hash);
        let mut pieces: Vec<(Path, u64)> = self
            .store
            .list(Some(&self.partial_dir(hash)))
            .try_filter(|meta| std::future::ready(meta.location != length))
            .map_ok(|meta| (meta.location, meta.size))
            .try_collect()
            .await?;
        pieces.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(pieces)
    }

    async fn put(
        &self,
        path: &Path,
        bytes: Vec<u8>,
        mode: PutMode,
    ) -> Result<(), object_store::Error> {
        let options = PutOptions {
            mode,
            ..PutOptions::default()
        };
        self.store
            .put_opts(path, PutPayload::from(bytes), options)
            .await?;
        Ok(())
    }

    async fn delete_upload(&self, hash: &ContentHash) -> Result<(), object_store::Error> {
        let listed = self
            .store
            .list(Some(&self.partial_dir(hash)))
            .map_ok(|meta| meta.location)
            .boxed();
        self.store
            .delete_stream(listed)
            .try_for_each(|_| std::future::ready(Ok(())))
            .await
    }
}

/// `object_store` errors become I/O errors (its own conversion keeps not-found and
/// already-exists as their I/O kinds).
fn io(error: object_store::Error) -> std::io::Error {
    std::io::Error::from(error)
}

impl BlobStore for ObjectBlobStore {
    type Error = std::io::Error;

    async fn complete_length(&self, hash: &ContentHash) -> std::io::Result<Option<u64>> {
        self.size(&self.complete_path(hash)).await.map_err(io)
    }

    async fn read(&self, hash: &ContentHash, from: u64) -> std::io::Result<Option<Vec<u8>>> {
        self.bytes_from(&self.complete_path(hash), from)
            .await
            .map_err(io)
    }

    async fn put_complete(&self, hash: &ContentHash, bytes: &[u8]) -> std::io::Result<()> {
        self.put(
            &self.complete_path(hash),
            bytes.to_vec(),
            PutMode::Overwrite,
        )
        .await
        .map_err(io)
    }

    async fn partial(&self, hash: &ContentHash) -> std::io::Result<Option<Partial>> {
        let Some(text) = self
            .bytes_from(&self.length_path(hash), 0)
            .await
            .map_err(io)?
        else {
            return Ok(None);
        };
        let length = std::str::from_utf8(&text)
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "partial length")
            })?;
        let offset = self
            .pieces(hash)
            .await
            .map_err(io)?
            .iter()
            .map(|p| p.1)
            .sum();
        Ok(Some(Partial { offset, length }))
    }

    async fn create_partial(&self, hash: &ContentHash, length: u64) -> std::io::Result<()> {
        self.delete_upload(hash).await.map_err(io)?;
        self.put(
            &self.length_path(hash),
            length.to_string().into_bytes(),
            PutMode::Overwrite,
        )
        .await
        .map_err(io)
    }

    async fn append_partial(
        &self,
        hash: &ContentHash,
        at: u64,
        bytes: &[u8],
    ) -> std::io::Result<Append> {
        let Some(partial) = self.partial(hash).await? else {
            return Ok(Append::Missing);
        };
        if partial.offset != at {
            return Ok(Append::Conflict {
                offset: partial.offset,
            });
        }
        if bytes.is_empty() {
            return Ok(Append::Appended { offset: at });
        }
        match self
            .put(&self.piece_path(hash, at), bytes.to_vec(), PutMode::Create)
            .await
        {
            Ok(()) => Ok(Append::Appended {
                offset: at + bytes.len() as u64,
            }),
            // Another request appended at this offset first.
            Err(object_store::Error::AlreadyExists { .. }) => {
                let offset = self.partial(hash).await?.map_or(at, |p| p.offset);
                Ok(Append::Conflict { offset })
            }
            Err(e) => Err(io(e)),
        }
    }

    async fn read_partial(&self, hash: &ContentHash) -> std::io::Result<Option<Vec<u8>>> {
        if self
            .size(&self.length_path(hash))
            .await
            .map_err(io)?
            .is_none()
        {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        for (path, _) in self.pieces(hash).await.map_err(io)? {
            match self.bytes_from(&path, 0).await.map_err(io)? {
                Some(piece) => bytes.extend_from_slice(&piece),
                None => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("piece {path} vanished"),
                    ));
                }
            }
        }
        Ok(Some(bytes))
    }

    async fn discard_partial(&self, hash: &ContentHash) -> std::io::Result<()> {
        self.delete_upload(hash).await.map_err(io)
    }
}
