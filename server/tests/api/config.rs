//! Configuration precedence: command line over environment (clap) over file over defaults,
//! and clear errors for bad files and URLs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use wangge_server::config::{Cli, Config, ConfigError, LogFormat};

fn cli(args: &[&str]) -> Cli {
    let mut all = vec!["wangge-server"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).unwrap()
}

fn file(text: &str) -> tempfile_path::TempFile {
    tempfile_path::TempFile::new(text)
}

mod tempfile_path {
    use std::path::PathBuf;

    /// A file in the system temp directory, removed on drop.
    pub struct TempFile(pub PathBuf);

    impl TempFile {
        pub fn new(text: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "wangge-config-{}-{}.toml",
                std::process::id(),
                uuid::Uuid::now_v7()
            ));
            std::fs::write(&path, text).unwrap();
            Self(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[test]
fn defaults_run_on_embedded_sqlite_in_the_data_directory() {
    let config = Config::resolve(cli(&[])).unwrap();
    assert_eq!(config.listen, SocketAddr::from(([127, 0, 0, 1], 8080)));
    assert_eq!(config.data_dir, PathBuf::from("wangge-data"));
    assert_eq!(config.database_url, "sqlite://wangge-data/wangge.db");
    assert_eq!(config.log_format, LogFormat::Text);
    assert_eq!(config.token_ttl, Duration::from_secs(720 * 60));
    assert!(config.demo);
    assert!(!config.is_postgres());
    assert_eq!(config.hub_cache_bytes, 128 * 1024 * 1024);
}

#[test]
fn the_file_fills_what_the_command_line_leaves_open() {
    let toml = file(
        "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/wangge\"\nlog_format = \"json\"\ndemo = false\n\
         blob_store = \"s3://wangge-photos/district-110199\"\nhub_cache_mib = 512\n",
    );
    let path = toml.0.to_str().unwrap().to_owned();
    let config = Config::resolve(cli(&["--config", &path, "--listen", "127.0.0.1:7000"])).unwrap();
    assert_eq!(
        config.listen,
        SocketAddr::from(([127, 0, 0, 1], 7000)),
        "command line wins"
    );
    assert_eq!(
        config.data_dir,
        PathBuf::from("/srv/wangge"),
        "file fills in"
    );
    assert_eq!(config.database_url, "sqlite:///srv/wangge/wangge.db");
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(!config.demo);
    assert_eq!(
        config.blob_store.as_deref(),
        Some("s3://wangge-photos/district-110199")
    );
    assert_eq!(config.hub_cache_bytes, 512 * 1024 * 1024);
}

#[test]
fn postgres_urls_select_postgres() {
    let config = Config::resolve(cli(&[
        "--database-url",
        "postgres://postgres@127.0.0.1/wangge",
    ]))
    .unwrap();
    assert!(config.is_postgres());
}

#[test]
fn a_bad_file_names_the_key_and_line() {
    let toml = file("listen = \"0.0.0.0:9000\"\nlisten_port = 9\n");
    let path = toml.0.to_str().unwrap().to_owned();
    let error = Config::resolve(cli(&["--config", &path])).unwrap_err();
    assert!(matches!(error, ConfigError::Parse { .. }));
    let message = error.to_string();
    assert!(
        message.contains("listen_port") && message.contains("line 2"),
        "{message}"
    );
}

#[test]
fn a_missing_file_and_an_unknown_database_are_refused() {
    let error = Config::resolve(cli(&["--config", "/nonexistent/wangge.toml"])).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }), "{error}");
    let error = Config::resolve(cli(&["--database-url", "mysql://x"])).unwrap_err();
    assert!(matches!(error, ConfigError::DatabaseUrl(_)), "{error}");
}

#[test]
fn help_explains_every_option() {
    let help = <Cli as clap::CommandFactory>::command()
        .render_long_help()
        .to_string();
    for option in [
        "--listen",
        "--data-dir",
        "--database-url",
        "--config",
        "--log-format",
        "--token-ttl-minutes",
        "--demo",
        "--hub-cache-mib",
    ] {
        assert!(help.contains(option), "{option} missing from --help");
    }
    for variable in [
        "WANGGE_LISTEN",
        "WANGGE_DATA_DIR",
        "WANGGE_DATABASE_URL",
        "WANGGE_CONFIG",
    ] {
        assert!(help.contains(variable), "{variable} missing from --help");
    }
}
