//! `wangge-bench`: benchmarks measured side by side with their baselines in one run.
//!
//! ```text
//! cargo run --release -p wangge-bench -- sync [--json] [--quick]
//! ```
//!
//! Prints the table (or, with `--json`, one JSON document). Exits with 1 if a scenario did
//! not converge or failed to run, 2 on a usage error; a missed byte target is printed, not an
//! exit code.

#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use wangge_bench::sync::{self, Config, report};

const USAGE: &str = "usage: wangge-bench sync [--json] [--quick]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut json = false;
    let mut quick = false;
    let mut command = None;
    for arg in &args {
        match arg.as_str() {
            "--json" => json = true,
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
    if command != Some("sync") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let config = if quick {
        Config::quick()
    } else {
        Config::full()
    };
    let results = match sync::run(&config) {
        Ok(results) => results,
        Err(error) => {
            eprintln!("sync benchmark failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        match report::json(&results) {
            Ok(text) => println!("{text}"),
            Err(error) => {
                eprintln!("cannot write JSON: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", report::table(&results));
    }
    if results.iter().all(|r| r.converged) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
