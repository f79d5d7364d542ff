#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Tests of `wangge_sync::blob`: resumable uploads over cut links, hub refusals, downloads,
//! the frame format, the queue order and the wire mapping.

mod download;
mod frame;
mod hub;
mod queue;
mod support;
mod upload;
mod wire;
