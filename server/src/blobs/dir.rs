//! Blobs in a directory: `complete/ab/<sha256>` for verified blobs, `partial/<sha256>` (+
//! `.len`) for uploads in progress. A complete blob is written to a temporary file, synced
//! and renamed into place, so a crash never leaves a half-written blob readable. Partial
//! uploads are appended under one lock, checking the offset first (compare-and-append).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use tokio::fs;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::sync::Mutex;
use wangge_proto::values::ContentHash;
use wangge_sync::blob::{Append, BlobStore, Partial};

/// A blob store in a directory.
#[derive(Debug)]
pub struct DirBlobStore {
    root: PathBuf,
    /// Serializes writes; reads need no lock (complete blobs never change).
    writes: Mutex<()>,
}

impl DirBlobStore {
    /// A store under `root` (created if missing).
    pub async fn open(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("complete")).await?;
        fs::create_dir_all(root.join("partial")).await?;
        Ok(Self {
            root,
            writes: Mutex::new(()),
        })
    }

    fn complete_path(&self, hash: &ContentHash) -> PathBuf {
        let hex = hash.to_string();
        self.root.join("complete").join(&hex[..2]).join(hex)
    }

    fn partial_path(&self, hash: &ContentHash) -> PathBuf {
        self.root.join("partial").join(hash.to_string())
    }

    fn length_path(&self, hash: &ContentHash) -> PathBuf {
        self.root.join("partial").join(format!("{hash}.len"))
    }
}

async fn size_of(path: &Path) -> std::io::Result<Option<u64>> {
    match fs::metadata(path).await {
        Ok(meta) => Ok(Some(meta.len())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_from(path: &Path, from: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut file = match fs::File::open(path).await {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    file.seek(std::io::SeekFrom::Start(from)).await?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).await?;
    Ok(Some(bytes))
}

impl BlobStore for DirBlobStore {
    type Error = std::io::Error;

    async fn complete_length(&self, hash: &ContentHash) -> std::io::Result<Option<u64>> {
        size_of(&self.complete_path(hash)).await
    }

    async fn read(&self, hash: &ContentHash, from: u64) -> std::io::Result<Option<Vec<u8>>> {
        read_from(&self.complete_path(hash), from).await
    }

    async fn put_complete(&self, hash: &ContentHash, bytes: &[u8]) -> std::io::Result<()> {
        let _guard = self.writes.lock().await;
        let path = self.complete_path(hash);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).await?;
        }
        let temporary = path.with_extension("tmp");
        let mut file = fs::File::create(&temporary).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        drop(file);
        fs::rename(&temporary, &path).await
    }

    async fn partial(&self, hash: &ContentHash) -> std::io::Result<Option<Partial>> {
        let Some(offset) = size_of(&self.partial_path(hash)).await? else {
            return Ok(None);
        };
        let length = match fs::read_to_string(self.length_path(hash)).await {
            Ok(text) => text.trim().parse::<u64>().map_err(|e| {
                std::io::Error::new(ErrorKind::InvalidData, format!("partial length: {e}"))
            })?,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(Partial { offset, length }))
    }

    async fn create_partial(&self, hash: &ContentHash, length: u64) -> std::io::Result<()> {
        let _guard = self.writes.lock().await;
        fs::write(self.length_path(hash), length.to_string()).await?;
        fs::File::create(self.partial_path(hash)).await?;
        Ok(())
    }

    async fn append_partial(
        &self,
        hash: &ContentHash,
        at: u64,
        bytes: &[u8],
    ) -> std::io::Result<Append> {
        let _guard = self.writes.lock().await;
        let path = self.partial_path(hash);
        let Some(offset) = size_of(&path).await? else {
            return Ok(Append::Missing);
        };
        if offset != at {
            return Ok(Append::Conflict { offset });
        }
        let mut file = fs::OpenOptions::new().append(true).open(&path).await?;
        file.write_all(bytes).await?;
        file.sync_data().await?;
        Ok(Append::Appended {
            offset: at + bytes.len() as u64,
        })
    }

    async fn read_partial(&self, hash: &ContentHash) -> std::io::Result<Option<Vec<u8>>> {
        read_from(&self.partial_path(hash), 0).await
    }

    async fn discard_partial(&self, hash: &ContentHash) -> std::io::Result<()> {
        let _guard = self.writes.lock().await;
        for path in [self.partial_path(hash), self.length_path(hash)] {
            match fs::remove_file(&path).await {
                Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}
