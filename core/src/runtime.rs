//! The process-wide tokio runtime behind the blocking client, re-created after `fork()`.

use std::sync::{Arc, Mutex};

use once_cell::sync::Lazy;
use tokio::runtime::Runtime;

use crate::error::{Error, ErrorKind};

struct ProcessRuntime {
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Lazy<Mutex<Option<ProcessRuntime>>> = Lazy::new(|| Mutex::new(None));

/// Runtimes inherited through `fork()`: kept, never dropped (their threads are gone, so dropping
/// could hang), and still reachable so leak checkers do not report them.
static INHERITED: Lazy<Mutex<Vec<ProcessRuntime>>> = Lazy::new(|| Mutex::new(Vec::new()));

/// The runtime of this process, created on first use. A runtime inherited through `fork()` has
/// no threads in the child; it is deliberately leaked (dropping it could hang) and replaced.
pub(crate) fn runtime() -> Result<Arc<Runtime>, Error> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(rt) = slot.as_ref() {
        if rt.pid == pid {
            return Ok(Arc::clone(&rt.runtime));
        }
    }
    if let Some(stale) = slot.take() {
        INHERITED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(stale);
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 4);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("leanix-runtime")
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("cannot start the I/O runtime: {e}"),
            )
        })?;
    let runtime = Arc::new(runtime);
    *slot = Some(ProcessRuntime {
        pid,
        runtime: Arc::clone(&runtime),
    });
    Ok(runtime)
}
