//! The directory blob store: complete blobs appear whole or not at all; partial uploads
//! append only at their offset.

use wangge_proto::values::ContentHash;
use wangge_server::blobs::DirBlobStore;
use wangge_sync::blob::{Append, BlobStore, Partial};

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("wangge-blobs-{}", uuid::Uuid::now_v7()))
}

#[tokio::test]
async fn partial_uploads_append_at_their_offset_and_complete_blobs_read_back() {
    let dir = temp_dir();
    let store = DirBlobStore::open(&dir).await.unwrap();
    let data = b"0123456789".to_vec();
    let hash = ContentHash::of(&data);
    assert_eq!(store.partial(&hash).await.unwrap(), None);
    store.create_partial(&hash, 10).await.unwrap();
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
    // A store opened again on the same directory sees the same blobs.
    let again = DirBlobStore::open(&dir).await.unwrap();
    assert_eq!(again.read(&hash, 0).await.unwrap().unwrap(), data);
    let other = ContentHash::of(b"other");
    assert_eq!(
        again.append_partial(&other, 0, b"x").await.unwrap(),
        Append::Missing
    );
    tokio::fs::remove_dir_all(&dir).await.unwrap();
}
