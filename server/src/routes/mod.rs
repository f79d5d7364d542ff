//! HTTP: the JSON API (session, cases), health checks, and the sync and blob endpoints of
//! `wangge-sync`.

pub mod auth;
mod case_params;
pub mod cases;
pub mod error;
pub mod health;
pub mod limits;
pub mod live;
pub mod openapi;
pub mod session;
