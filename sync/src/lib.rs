//! The Wangge sync protocol (sans-IO core). The full specification is written here as the
//! crate is filled in.

pub mod blob;
#[cfg(feature = "sim")]
pub mod sim;
