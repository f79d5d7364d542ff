//! `wangge-bench`: benchmarks measured side by side with their baselines in one run.
//!
//! ```text
//! cargo run --release -p wangge-bench -- sync [--json] [--quick]
//! cargo run --release -p wangge-bench -- server [--json] [--quick] [--only merge]
//! cargo run --release -p wangge-bench -- mobile [--json] [--quick] [--only photo]
//! ```
//!
//! `--only merge` runs only the server's `merge-validated` figure, `--only photo` only the
//! phone's `photo-*` figures (for iterating on them; a full run still measures every figure).
//!
//! Prints the table (or, with `--json`, one JSON document). Exits with 1 if a scenario did
//! not converge, lost data or failed to run, 2 on a usage error; a missed speed or byte
//! target is printed, not an exit code.

#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use wangge_bench::{mobile, report, server, sync};

/// The server's allocator (ADR 0013): the server figures measure the merge as the server
/// binary runs it. The phone's memory figures are measured in `wangge-bench-phone`, which
/// runs on the C library's allocator, as the phone library does in an app.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str =
    "usage: wangge-bench (sync | server | mobile) [--json] [--quick] [--only merge|photo]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut json = false;
    let mut quick = false;
    let mut command = None;
    let mut only_merge = false;
    let mut only_photo = false;
    let mut args_iter = args.iter();
    while let Some(arg) = args_iter.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--only" => match args_iter.next().map(String::as_str) {
                Some("merge") => only_merge = true,
                Some("photo") => only_photo = true,
                other => {
                    eprintln!("--only takes `merge` or `photo`, not {other:?}\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "--quick" => quick = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other if command.is_none() && !other.starts_with('-') => command = Some(other),
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match command {
        Some("sync") => run_sync(json, quick),
        Some("server") => run_server(json, quick, only_merge),
        Some("mobile") => run_mobile(json, quick, only_photo),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run_sync(json: bool, quick: bool) -> ExitCode {
    let config = if quick {
        sync::Config::quick()
    } else {
        sync::Config::full()
    };
    let results = match sync::run(&config) {
        Ok(results) => results,
        Err(error) => {
            eprintln!("sync benchmark failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let text = if json {
        sync::report::json(&results)
    } else {
        Ok(sync::report::table(&results))
    };
    if !print(text) {
        return ExitCode::FAILURE;
    }
    if results.iter().all(|r| r.converged) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run_server(json: bool, quick: bool, only_merge: bool) -> ExitCode {
    let mut config = if quick {
        server::Config::quick()
    } else {
        server::Config::full()
    };
    config.only_merge = only_merge;
    let figures = match server::run(&config) {
        Ok(figures) => figures,
        Err(error) => {
            eprintln!("server benchmark failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let text = if json {
        server::report::json(&figures)
    } else {
        Ok(server::report::table(&figures))
    };
    if !print(text) {
        return ExitCode::FAILURE;
    }
    // Lost or refused data is a failure; a missed speed target is a printed figure.
    if figures.iter().all(|f| f.met || !server::is_correctness(f)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run_mobile(json: bool, quick: bool, only_photo: bool) -> ExitCode {
    let mut config = if quick {
        mobile::Config::quick()
    } else {
        mobile::Config::full()
    };
    config.only_photo = only_photo;
    let figures = match mobile::run(&config) {
        Ok(figures) => figures,
        Err(error) => {
            eprintln!("mobile benchmark failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let text = if json {
        report::json(&figures)
    } else {
        Ok(report::table(&figures))
    };
    if !print(text) {
        return ExitCode::FAILURE;
    }
    // An accepted bomb is a failure; a missed speed or byte target is a printed figure.
    if figures.iter().all(|f| f.met || !mobile::is_correctness(f)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print(text: sync::Result<String>) -> bool {
    match text {
        Ok(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            true
        }
        Err(error) => {
            eprintln!("cannot write the report: {error}");
            false
        }
    }
}
