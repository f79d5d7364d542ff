//! The patrol simulator: a scripted day of a grid worker against a running server, printed
//! step by step — the README's demo of the phone side, and a smoke test of the phone library
//! against a real server (it exits non-zero when the day does not end as it should).
//!
//! ```sh
//! cargo run --release -p wangge-server
//! cargo run -p wangge-mobile --example patrol -- --server http://127.0.0.1:8080
//! ```
//!
//! It plays two phones, each with its own store under `--data`: the worker's, and the
//! community secretary's, so the loop (report, return, report again, accept) closes.

#![allow(clippy::print_stdout)]

mod camera;
mod check;
mod day;
mod narrate;
mod review;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use clap::Parser;
use wangge_mobile::{CaseStore, ClientError, SyncClient};
use wangge_proto::{Label, Locale};

use crate::camera::Camera;
use crate::day::Day;
use crate::narrate::Narrator;

/// A scripted day of a grid worker against a running Wangge server.
#[derive(Debug, Parser)]
#[command(name = "patrol")]
struct Options {
    /// The server's address.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    server: String,
    /// The grid worker's login.
    #[arg(long, default_value = "wangge")]
    login: String,
    /// The password (of the worker and of the secretary).
    #[arg(long, default_value = "wangge-demo")]
    password: String,
    /// Where the phones keep their stores (default: a fresh temporary directory).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Seed of the camera's pictures.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Seconds to pause between steps (0 for tests).
    #[arg(long, default_value_t = 1.0)]
    pace: f64,
    /// The community secretary whose phone the simulator also plays.
    #[arg(long, default_value = "shequ")]
    secretary: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = Options::parse();
    match run(&options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\npatrol: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options) -> anyhow::Result<()> {
    let temp;
    let data = match &options.data {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::tempdir().context("cannot make a temporary directory")?;
            temp.path().to_owned()
        }
    };
    std::fs::create_dir_all(&data).with_context(|| format!("cannot create {}", data.display()))?;
    let phone = |name: &str| -> anyhow::Result<SyncClient> {
        let path = data.join(format!("{name}.db"));
        let store = CaseStore::open(&path)
            .with_context(|| format!("cannot open the phone store {}", path.display()))?;
        Ok(SyncClient::new(Arc::new(Mutex::new(store))))
    };
    let say = Narrator::new(options.pace);
    println!("网格员的一天 / a grid worker's day — {}", options.server);
    println!("手机数据 / phone data: {}", data.display());

    say.step("07:50", "登录（有网络）", "signing in (online)")
        .await;
    let worker = phone("worker")?;
    sign_in(&worker, options, &options.login).await?;
    let secretary = phone("secretary")?;
    sign_in(&secretary, options, &options.secretary).await?;

    let mut day = Day {
        worker,
        secretary,
        say,
        camera: Camera::new(options.seed),
        cases: Vec::new(),
        bytes_sent: 0,
        return_seen: None,
    };
    day.run().await?;
    check::summary(&day)?;
    check::outcome(&day)
}

/// Signs `login` in on `client`; an unreachable server is explained with how to start one.
async fn sign_in(client: &SyncClient, options: &Options, login: &str) -> anyhow::Result<()> {
    match client
        .sign_in(&options.server, login, &options.password)
        .await
    {
        Ok(identity) => {
            println!(
                "      {} 已登录：{}（{}）/ signed in as {} ({})",
                identity.login,
                identity.display_name,
                identity.role.label(Locale::ZhCn),
                identity.display_name,
                identity.role.label(Locale::En),
            );
            Ok(())
        }
        Err(ClientError::Refused(error)) if error.code() == "http.transport" => {
            anyhow::bail!(
                "cannot reach the server at {} ({error}).\n\
                 Start it first: cargo run --release -p wangge-server",
                options.server
            )
        }
        Err(error) => anyhow::bail!(
            "{login} cannot sign in at {}: {} ({})",
            options.server,
            error.message(Locale::En),
            error.code()
        ),
    }
}
