//! `wangge-bench-phone`: the measuring child processes of `wangge-bench -- mobile`.
//!
//! ```text
//! wangge-bench-phone __photo-child < photo.jpg     # photo-peak-mem
//! wangge-bench-phone __store-child PATH            # store-open-10k
//! ```
//!
//! A binary of its own because of the allocator. `wangge-bench` declares the server's
//! (mimalloc, ADR 0013), which keeps freed memory for reuse; resident memory measured under
//! it counts what the phone library would already have given back. The phone library runs
//! in an app on the app's allocator, the C library's `malloc`, so this binary declares none.

#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use wangge_bench::mobile::{peak, store_open};
use wangge_bench::sync::Result;

const USAGE: &str = "usage: wangge-bench-phone (__photo-child < PHOTO | __store-child PATH)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some(peak::CHILD_COMMAND) => report("photo", peak::child_main()),
        Some(store_open::CHILD_COMMAND) => match args.get(1) {
            Some(path) => report("store", store_open::child_main(path)),
            None => {
                eprintln!("{USAGE}");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Prints a measuring child's report, or its error.
fn report(what: &str, report: Result<String>) -> ExitCode {
    match report {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{what} child failed: {error}");
            ExitCode::FAILURE
        }
    }
}
