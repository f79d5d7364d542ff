//! Configuration: command line, then environment, then a TOML file, then defaults — each
//! option settable in all three places, `--help` explaining every one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, ValueEnum};
use serde::Deserialize;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

/// The command line. Every option can also be set by environment variable or config file.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "wangge-server",
    version,
    about = "Wangge (网格) server: merges grid workers' offline edits, stores photos, serves the APIs.",
    long_about = "Wangge (网格) server: merges grid workers' offline edits, stores photos, serves \
                  the APIs.\n\nWith no options it listens on 127.0.0.1:8080, keeps an embedded \
                  SQLite database and the photos under ./wangge-data/, and seeds a demo \
                  organisation on first start. Precedence: command line, environment, config \
                  file, defaults."
)]
pub struct Cli {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "WANGGE_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Directory for the embedded database and the photos [default: ./wangge-data].
    #[arg(long, env = "WANGGE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database: `sqlite://PATH` or `postgres://USER@HOST/DB` (several instances may share
    /// one PostgreSQL database) [default: SQLite file `wangge.db` in the data directory].
    #[arg(long, env = "WANGGE_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Photos on object storage instead of the data directory: `s3://BUCKET/PREFIX`
    /// (credentials, region and endpoint from the AWS_* environment variables, e.g.
    /// AWS_ENDPOINT for MinIO, Aliyun OSS or Tencent COS) or `file:///DIR`. Instances
    /// sharing one PostgreSQL database must share one blob store [default: DATA_DIR/blobs].
    #[arg(long, env = "WANGGE_BLOB_STORE", value_name = "URL")]
    pub blob_store: Option<String>,
    /// A TOML file with any of: listen, data_dir, database_url, blob_store, log_format,
    /// token_ttl_minutes, demo, live_keep_alive_seconds.
    #[arg(long, env = "WANGGE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log format [default: text]. The level is set with RUST_LOG (default: info).
    #[arg(long, env = "WANGGE_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// How long an access token lives, in minutes [default: 720].
    #[arg(long, env = "WANGGE_TOKEN_TTL_MINUTES", value_name = "MINUTES")]
    pub token_ttl_minutes: Option<u64>,
    /// Seed the demo organisation and accounts when the database has no users [default: true].
    #[arg(long, env = "WANGGE_DEMO", value_name = "BOOL")]
    pub demo: Option<bool>,
    /// Seconds between keep-alive comments on an idle live stream (`GET /v1/live`)
    /// [default: 25].
    #[arg(long, env = "WANGGE_LIVE_KEEP_ALIVE_SECONDS", value_name = "SECONDS")]
    pub live_keep_alive_seconds: Option<u64>,
    /// Memory for recently synced cases kept loaded between syncs, in MiB: a case synced
    /// again while it is kept merges without being loaded (≈ 36 KB a case) [default: 128].
    #[arg(long, env = "WANGGE_HUB_CACHE_MIB", value_name = "MIB")]
    pub hub_cache_mib: Option<usize>,
}

/// The same options in a file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    blob_store: Option<String>,
    log_format: Option<LogFormat>,
    token_ttl_minutes: Option<u64>,
    demo: Option<bool>,
    live_keep_alive_seconds: Option<u64>,
    hub_cache_mib: Option<usize>,
}

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Listen address.
    pub listen: SocketAddr,
    /// Data directory (SQLite file, photos).
    pub data_dir: PathBuf,
    /// Database URL.
    pub database_url: String,
    /// Object storage URL for photos (`None`: the data directory).
    pub blob_store: Option<String>,
    /// Log format.
    pub log_format: LogFormat,
    /// Access token lifetime.
    pub token_ttl: Duration,
    /// Seed demo data into an empty database.
    pub demo: bool,
    /// Keep-alive interval of live streams.
    pub live_keep_alive: Duration,
    /// How often an open live stream checks its token (not an option: tests shorten it).
    pub live_recheck: Duration,
    /// Memory for hot cases in the sync hub, in bytes.
    pub hub_cache_bytes: usize,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file cannot be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML for these options.
    #[error("config file {path} is invalid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (names the line and the key).
        message: String,
    },
    /// The database URL names an unsupported database.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    DatabaseUrl(String),
}

impl Config {
    /// Resolves `cli` (which clap already merged with the environment) over the config file
    /// and the defaults.
    pub fn resolve(cli: Cli) -> Result<Self, ConfigError> {
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = cli
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("wangge-data"));
        let database_url = cli
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("wangge.db").display()));
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError::DatabaseUrl(database_url));
        }
        Ok(Self {
            listen: cli
                .listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir,
            database_url,
            blob_store: cli.blob_store.or(file.blob_store),
            log_format: cli
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            token_ttl: Duration::from_secs(
                60 * cli
                    .token_ttl_minutes
                    .or(file.token_ttl_minutes)
                    .unwrap_or(720),
            ),
            demo: cli.demo.or(file.demo).unwrap_or(true),
            live_keep_alive: Duration::from_secs(
                cli.live_keep_alive_seconds
                    .or(file.live_keep_alive_seconds)
                    .unwrap_or(25)
                    .max(1),
            ),
            live_recheck: Duration::from_secs(300),
            hub_cache_bytes: cli
                .hub_cache_mib
                .or(file.hub_cache_mib)
                .unwrap_or(128)
                .saturating_mul(1024 * 1024),
        })
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}
