//! `wangge-server`: runs the server.

fn main() {}
