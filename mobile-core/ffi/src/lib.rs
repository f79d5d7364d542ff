//! The uniffi layer of the phone library: what the Android (Kotlin), iOS (Swift) and Python
//! bindings call.
//!
//! Thin by design: [`Phone`] wraps the core's store and sync client, records carry codes and
//! labels, and one error type ([`WanggeError`]) has a variant per thing the app does about a
//! failure. Everything the apps can do is tested in Rust on the core; the tests in
//! `mobile-core/ffi/tests/python/` and `mobile-core/ffi/tests/kotlin/` (Kotlin/JVM) drive the real
//! bindings against a real server. Bindings: `cargo run -p uniffi-bindgen -- generate --library
//! <libwangge_mobile_ffi.so> --language kotlin|swift|python` (see `scripts/ffi-test`).

mod cases;
mod error;
mod input;
mod listener;
mod phone;
mod photos;
mod runtime;
mod views;

pub use error::WanggeError;
pub use input::{CaseAction, CaseEdit, ListFilter, NewCase, PageMark};
pub use listener::{CaseOutcome, PhotoListener, SyncListener, SyncProgress};
pub use phone::{Network, Phone, SyncSummary};
pub use photos::{AttachedPhoto, QueuedFile};
pub use views::{
    ActionChoice, CaseDetail, CaseSummary, Category, CommentItem, PhotoItem, Place, RefusedEdit,
    TimelineItem, UserInfo,
};

uniffi::setup_scaffolding!("wangge");

/// The library's version, for the app's about screen and bug reports.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
