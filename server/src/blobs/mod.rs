//! Where photos live, and what may become one: a directory by default; only decodable
//! images are accepted. Object storage is the scale option (a
//! `BlobStore` over the `object_store` crate), not built yet.

mod dir;
mod image_check;

pub use dir::DirBlobStore;
pub use image_check::{ImageCheck, MAX_DECODE_BYTES, MAX_SIDE};
