//! Use cases, free of HTTP: what the server does, called by the routes.

pub mod accounts;
pub mod session;
pub mod validate;
