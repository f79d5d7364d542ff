//! The phone side: build one request from every dirty case, and store one response atomically.
//!
//! [`PhoneSync::prepare`] reads the [`PhoneStore`] and returns the bytes to send plus a
//! [`Sent`] record; [`PhoneSync::receive`] takes the response bytes and the record, merges,
//! and hands the store one [`Applied`] batch to write in a single transaction. Nothing is
//! acknowledged before that write: a response that is lost, cut or refused leaves the phone
//! exactly as it was, and the next sync sends the same changes again (the hub ignores what it
//! already has).

mod apply;
mod local;
mod memory;
mod prepare;
mod store;

pub use apply::{HeldCase, Report};
pub use local::{LocalCase, RejectedEdits};
pub use memory::MemoryPhone;
pub use prepare::{PhoneSync, Sent};
pub use store::{Applied, AppliedCase, PhoneStore};
