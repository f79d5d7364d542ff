//! Where photos live: a directory by default. Object storage is the scale option (a
//! `BlobStore` over the `object_store` crate), not built yet.

mod dir;

pub use dir::DirBlobStore;
