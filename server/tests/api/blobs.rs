//! The blob stores, one suite for each: the data directory, and object storage through the
//! `object_store` crate (its local-filesystem and in-memory backends; S3 speaks the same
//! API). Complete blobs appear whole or not at all; partial uploads append only at their
//! offset, and of two appends racing at one offset exactly one wins.

use std::future::Future;
use std::sync::Arc;

use wangge_proto::values::ContentHash;
use wangge_server::blobs::{BlobBackend, DirBlobStore, ObjectBlobStore};
use wangge_sync::blob::{Append, BlobStore, Partial};

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("wangge-blobs-{}", uuid::Uuid::now_v7()))
}

/// Which store a test runs on.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Dir,
    ObjectFiles,
    ObjectMemory,
}

/// A store of `kind` on fresh storage, and a way to open it again (none for memory).
struct Fixture {
    dir: std::path::PathBuf,
    kind: Kind,
    /// The in-memory store (its handles share one map).
    memory: Option<ObjectBlobStore>,
}

impl Fixture {
    fn new(kind: Kind) -> Self {
        let dir = temp_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let memory = matches!(kind, Kind::ObjectMemory)
            .then(|| ObjectBlobStore::from_url("memory:///").unwrap());
        Self { dir, kind, memory }
    }

    /// The store; for directories and files, a fresh handle on the same storage each time.
    async fn open(&self) -> Arc<BlobBackend> {
        match self.kind {
            Kind::Dir => Arc::new(BlobBackend::Dir(
                DirBlobStore::open(&self.dir).await.unwrap(),
            )),
            Kind::ObjectFiles => {
                let url = format!("file://{}", self.dir.display());
                Arc::new(BlobBackend::Object(
                    ObjectBlobStore::from_url(&url).unwrap(),
                ))
            }
            Kind::ObjectMemory => Arc::new(BlobBackend::Object(self.memory.clone().unwrap())),
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `test` on every kind of store.
async fn each<F, Fut>(test: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    for kind in [Kind::Dir, Kind::ObjectFiles, Kind::ObjectMemory] {
        eprintln!("blob store: {kind:?}");
        test(Fixture::new(kind)).await;
    }
}

#[tokio::test]
async fn partial_uploads_append_at_their_offset_and_complete_blobs_read_back() {
    each(|fixture| async move {
        let store = fixture.open().await;
        let data = b"0123456789".to_vec();
        let hash = ContentHash::of(&data);
        assert_eq!(store.partial(&hash).await.unwrap(), None);
        assert_eq!(store.read_partial(&hash).await.unwrap(), None);
        store.create_partial(&hash, 10).await.unwrap();
        assert_eq!(
            store.partial(&hash).await.unwrap(),
            Some(Partial {
                offset: 0,
                length: 10
            })
        );
        assert_eq!(
            store.append_partial(&hash, 0, &data[..4]).await.unwrap(),
            Append::Appended { offset: 4 }
        );
        assert_eq!(
            store.append_partial(&hash, 2, &data[4..]).await.unwrap(),
            Append::Conflict { offset: 4 }
        );
        assert_eq!(
            store.append_partial(&hash, 4, &data[4..]).await.unwrap(),
            Append::Appended { offset: 10 }
        );
        assert_eq!(
            store.partial(&hash).await.unwrap(),
            Some(Partial {
                offset: 10,
                length: 10
            })
        );
        assert_eq!(store.read_partial(&hash).await.unwrap().unwrap(), data);
        assert_eq!(
            store.complete_length(&hash).await.unwrap(),
            None,
            "not readable before completion"
        );
        store.put_complete(&hash, &data).await.unwrap();
        store.discard_partial(&hash).await.unwrap();
        assert_eq!(store.partial(&hash).await.unwrap(), None);
        assert_eq!(store.complete_length(&hash).await.unwrap(), Some(10));
        assert_eq!(store.read(&hash, 6).await.unwrap().unwrap(), b"6789");
        assert_eq!(store.read(&hash, 10).await.unwrap().unwrap(), b"");
        assert_eq!(store.read(&hash, 99).await.unwrap().unwrap(), b"");
        // Opened again on the same storage, the store sees the same blobs.
        let again = fixture.open().await;
        assert_eq!(again.read(&hash, 0).await.unwrap().unwrap(), data);
        let other = ContentHash::of(b"other");
        assert_eq!(again.read(&other, 0).await.unwrap(), None);
        assert_eq!(again.complete_length(&other).await.unwrap(), None);
        assert_eq!(
            again.append_partial(&other, 0, b"x").await.unwrap(),
            Append::Missing
        );
    })
    .await;
}

#[tokio::test]
async fn starting_an_upload_again_replaces_the_one_in_progress() {
    each(|fixture| async move {
        let store = fixture.open().await;
        let hash = ContentHash::of(b"abcdef");
        store.create_partial(&hash, 6).await.unwrap();
        store.append_partial(&hash, 0, b"abc").await.unwrap();
        store.create_partial(&hash, 6).await.unwrap();
        assert_eq!(
            store.partial(&hash).await.unwrap(),
            Some(Partial {
                offset: 0,
                length: 6
            })
        );
        assert_eq!(store.read_partial(&hash).await.unwrap().unwrap(), b"");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_appends_racing_at_one_offset_exactly_one_wins() {
    each(|fixture| async move {
        let hash = ContentHash::of(b"race");
        let shared = fixture.open().await;
        shared.create_partial(&hash, 8).await.unwrap();
        let mut racers = Vec::new();
        for n in 0..8u8 {
            // On object storage each racer has its own handle, as two server instances
            // would; a directory belongs to one instance, whose handle they share.
            let store = match fixture.kind {
                Kind::Dir => shared.clone(),
                Kind::ObjectFiles | Kind::ObjectMemory => fixture.open().await,
            };
            racers.push(tokio::spawn(async move {
                let piece = [n; 4];
                (n, store.append_partial(&hash, 0, &piece).await.unwrap())
            }));
        }
        let mut winners = Vec::new();
        for racer in racers {
            match racer.await.unwrap() {
                (n, Append::Appended { offset: 4 }) => winners.push(n),
                (_, Append::Conflict { offset: 4 }) => {}
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "{winners:?}");
        let store = fixture.open().await;
        assert_eq!(
            store.read_partial(&hash).await.unwrap().unwrap(),
            [winners[0]; 4]
        );
    })
    .await;
}

#[tokio::test]
async fn a_bad_blob_store_url_is_refused_with_its_reason() {
    let error = ObjectBlobStore::from_url("ftp://photos.example/wangge").unwrap_err();
    assert!(error.to_string().contains("ftp"), "{error}");
    assert!(ObjectBlobStore::from_url("not a url").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_configured_for_object_storage_keeps_photos_there() {
    use wangge_proto::case::{Evidence, EvidenceStage, ImageMime};
    use wangge_proto::values::Timestamp;
    use wangge_sync::blob::{DEFAULT_CHUNK_BYTES, Download, Upload};
    use wangge_sync::http::client::{download, upload};

    use crate::e2e::{Phone, TestServer, edit, new_case};

    let objects = temp_dir();
    std::fs::create_dir_all(&objects).unwrap();
    let url = format!("file://{}", objects.display());
    let server = TestServer::sqlite_with(|config| config.blob_store = Some(url)).await;
    let mut worker = Phone::sign_in(&server, "wangge", 1).await;

    let mut png = Vec::new();
    image::RgbImage::from_fn(80, 60, |x, y| image::Rgb([x as u8 * 3, y as u8 * 4, 90]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let hash = ContentHash::of(&png);
    // Small pieces, so the upload takes several appends.
    let mut photo = Upload::new(hash, png.len() as u64, DEFAULT_CHUNK_BYTES.min(4096));
    upload(&worker.client, &mut photo, &png).await.unwrap();
    assert!(photo.is_done());

    // The photo is an object under the configured store, not in the data directory.
    let hex = hash.to_string();
    let object = objects.join("complete").join(&hex[..2]).join(&hex);
    assert_eq!(std::fs::read(&object).unwrap(), png);
    assert!(
        !server
            .dir
            .join("blobs")
            .join("complete")
            .join(&hex[..2])
            .exists()
    );
    assert!(
        !objects.join("partial").join(&hex).exists()
            || std::fs::read_dir(objects.join("partial").join(&hex))
                .unwrap()
                .next()
                .is_none(),
        "the pieces are removed once the photo is complete"
    );

    // Attached to a case, it is served back from object storage.
    let case = new_case(&mut worker, 1, "违章搭建");
    let (user, device) = (worker.user, worker.device);
    edit(&mut worker, &case, |doc| {
        doc.add_evidence(&Evidence {
            hash,
            size: png.len() as u64,
            width: 80,
            height: 60,
            mime: ImageMime::Png,
            captured_at: None,
            captured_place: None,
            thumbnail: None,
            stage: EvidenceStage::Before,
            caption: "搭建现场".into(),
            added_by: user,
            device,
            added_at: Timestamp::now(),
        })
        .unwrap();
    });
    assert_eq!(worker.sync_fully().await.accepted, vec![case]);
    let mut secretary = Phone::sign_in(&server, "shequ", 2).await;
    secretary.sync_fully().await;
    let mut fetched = Download::new(hash, 1 << 20);
    download(&secretary.client, &mut fetched).await.unwrap();
    assert_eq!(fetched.into_bytes().unwrap(), png);
    std::fs::remove_dir_all(&objects).unwrap();
}
