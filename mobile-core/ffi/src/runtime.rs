//! The tokio runtime the async methods run on.
//!
//! Apps await our futures on their own executors (Kotlin coroutines, Swift tasks, Python's
//! asyncio), which know nothing of tokio; the work itself (HTTP, timers, blocking SQLite and
//! photo threads) needs a tokio runtime. So each async method spawns its work here and awaits
//! the join handle, which any executor can poll. One small runtime per process: phones have
//! few cores and one store.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

use crate::WanggeError;

/// Two workers: network I/O is light; CPU work and SQLite go to the blocking pool.
const WORKERS: usize = 2;

fn runtime() -> Result<&'static Runtime, WanggeError> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .thread_name("wangge")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|detail| WanggeError::Storage {
            code: "ffi.runtime".into(),
            user_message: format!("cannot start the background threads: {detail}"),
        })
}

/// Runs `work` on the runtime and waits for it from whatever executor polls the result.
pub(crate) async fn run<T: Send + 'static>(
    work: impl Future<Output = Result<T, WanggeError>> + Send + 'static,
) -> Result<T, WanggeError> {
    runtime()?
        .spawn(work)
        .await
        .map_err(|e| WanggeError::Storage {
            code: "ffi.task".into(),
            user_message: format!("the background task stopped: {e}"),
        })?
}
