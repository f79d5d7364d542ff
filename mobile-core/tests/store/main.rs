//! The phone's case store through its public API, on real SQLite files in temp dirs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod edits;
mod kill;
mod kill_photos;
mod lists;
mod open;
mod photos;
mod support;
mod sync;
