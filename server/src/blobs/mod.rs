//! Where photos live, and what may become one: a directory by default, object storage
//! (`object_store`: S3 and compatibles) as the scale option; only decodable images are
//! accepted.

mod backend;
mod dir;
mod image_check;
mod object;

pub use backend::BlobBackend;
pub use dir::DirBlobStore;
pub use image_check::{ImageCheck, MAX_DECODE_BYTES, MAX_SIDE};
pub use object::ObjectBlobStore;
