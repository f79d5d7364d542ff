//! HTTP: the JSON API, health checks, and the sync and blob endpoints of `wangge-sync`.

pub mod auth;
pub mod error;
pub mod health;
pub mod limits;
pub mod live;
pub mod openapi;
pub mod session;
