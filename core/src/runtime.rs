//! The runtimes behind the blocking client.
//!
//! - A process-wide multi-thread runtime, re-created after `fork()`: token exchanges (which
//!   must progress whoever waits for them) and calls made from inside another runtime run there.
//! - One current-thread runtime per calling thread: a blocking call drives its request on the
//!   thread that made it, with no hand-off between threads (measured: about twice the
//!   throughput of handing each call to the shared runtime, see bench/RESULTS.md).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use once_cell::sync::Lazy;
use tokio::runtime::Runtime;

use crate::error::{Error, ErrorKind};

/// Worker threads of the shared runtime: the number of CPUs, within these bounds (token
/// exchanges and handed-off calls are light work).
const SHARED_WORKERS: std::ops::RangeInclusive<usize> = 2..=4;

/// How often a thread's runtime yields after a failed call (see [`settle_here`]): enough for a
/// dropped connection task to run its close.
const SETTLE_YIELDS: usize = 3;

struct ProcessRuntime {
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Lazy<Mutex<Option<ProcessRuntime>>> = Lazy::new(|| Mutex::new(None));

/// Runtimes inherited through `fork()`: kept, never dropped (their threads are gone, so dropping
/// could hang), and still reachable so leak checkers do not report them.
static INHERITED: Lazy<Mutex<Vec<ProcessRuntime>>> = Lazy::new(|| Mutex::new(Vec::new()));

thread_local! {
    /// This thread's own runtime for blocking calls, with the process it was made in.
    static CALLER_RUNTIME: RefCell<Option<ProcessRuntime>> = const { RefCell::new(None) };
    /// True while this thread drives a blocking call on its own runtime.
    static ON_CALLER_RUNTIME: Cell<bool> = const { Cell::new(false) };
    /// True while this thread runs a library callback (an event handler, a completion).
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// True while the current thread runs a library callback: a blocking call from there could
/// wait for the very task that runs the callback, so it is refused.
pub(crate) fn in_callback() -> bool {
    IN_CALLBACK.with(Cell::get)
}

/// Runs `f` as a library callback (see [`in_callback`]); nested scopes keep the outer one.
pub(crate) fn as_callback<R>(f: impl FnOnce() -> R) -> R {
    struct Scope(bool);
    impl Drop for Scope {
        fn drop(&mut self) {
            IN_CALLBACK.with(|c| c.set(self.0));
        }
    }
    let _scope = Scope(IN_CALLBACK.with(|c| c.replace(true)));
    f()
}

/// True while the current thread drives a blocking call on its own runtime: the request must
/// then use this thread's connection pool (see `Client::attempt`).
pub(crate) fn on_caller_runtime() -> bool {
    ON_CALLER_RUNTIME.with(Cell::get)
}

/// Resets [`ON_CALLER_RUNTIME`] when the call ends, panics included.
struct CallerFlag;

impl CallerFlag {
    fn raise() -> CallerFlag {
        ON_CALLER_RUNTIME.with(|f| f.set(true));
        CallerFlag
    }
}

impl Drop for CallerFlag {
    fn drop(&mut self) {
        ON_CALLER_RUNTIME.with(|f| f.set(false));
    }
}

/// What [`block_on_here`] did with a future.
pub(crate) enum Driven<F: Future> {
    /// It ran to completion on this thread; its output.
    Done(F::Output),
    /// This thread cannot drive it (it is inside a tokio runtime already, or inside such a
    /// call): the future, untouched, for the caller to hand to the shared runtime.
    NotHere(F),
    /// This thread's runtime could not be started.
    Failed(Error),
}

/// Drives `future` to completion on the calling thread, on that thread's own current-thread
/// runtime. Gives the future back when this thread is already inside a tokio runtime (a
/// runtime cannot be driven from inside another).
pub(crate) fn block_on_here<F: Future>(future: F) -> Driven<F> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Driven::NotHere(future);
    }
    CALLER_RUNTIME.with(|cell| {
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return Driven::NotHere(future);
        };
        let pid = std::process::id();
        if slot.as_ref().is_some_and(|rt| rt.pid != pid) {
            if let Some(stale) = slot.take() {
                INHERITED
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(stale);
            }
        }
        if slot.is_none() {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => {
                    *slot = Some(ProcessRuntime {
                        pid,
                        runtime: Arc::new(rt),
                    })
                }
                Err(e) => {
                    return Driven::Failed(Error::new(
                        ErrorKind::Config,
                        format!("cannot start an I/O runtime on this thread: {e}"),
                    ))
                }
            }
        }
        let runtime = match slot.as_ref() {
            Some(rt) => Arc::clone(&rt.runtime),
            None => unreachable!("the runtime was just created"),
        };
        let _flag = CallerFlag::raise();
        Driven::Done(runtime.block_on(future))
    })
}

/// The runtime of this process, created on first use. A runtime inherited through `fork()` has
/// no threads in the child; it is deliberately leaked (dropping it could hang) and replaced.
pub(crate) fn runtime() -> Result<Arc<Runtime>, Error> {
    fork::hold_locks_across_fork();
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
        .clamp(*SHARED_WORKERS.start(), *SHARED_WORKERS.end());
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

/// Lets this thread's runtime run what a failed call left ready, e.g. the connection task of a
/// request abandoned on a timeout, which then closes its socket (the server sees the client
/// give up) instead of keeping it until the thread's next call.
pub(crate) fn settle_here() {
    if tokio::runtime::Handle::try_current().is_ok() {
        return;
    }
    let runtime = CALLER_RUNTIME.with(|cell| {
        let slot = cell.try_borrow().ok()?;
        let rt = slot.as_ref().filter(|rt| rt.pid == std::process::id())?;
        Some(Arc::clone(&rt.runtime))
    });
    if let Some(runtime) = runtime {
        let _flag = CallerFlag::raise();
        runtime.block_on(async {
            for _ in 0..SETTLE_YIELDS {
                tokio::task::yield_now().await;
            }
        });
    }
}

/// `fork()` while another thread holds [`RUNTIME`] or [`INHERITED`] (building a client, say)
/// would leave the lock held in the child by a thread that does not exist there, and the
/// child's first client would wait for it forever. So the forking thread takes both locks
/// before `fork()` and releases them in both processes after it (`pthread_atfork`), as the C
/// ABI does for its own locks.
mod fork {
    use super::*;
    use std::sync::Once;

    type Held = (
        MutexGuard<'static, Option<ProcessRuntime>>,
        MutexGuard<'static, Vec<ProcessRuntime>>,
    );

    static REGISTERED: Once = Once::new();

    thread_local! {
        /// The locks the forking thread holds between `prepare` and `release`.
        static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
    }

    extern "C" fn prepare() {
        // The order of `runtime()`: RUNTIME, then INHERITED.
        let runtime = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
        let inherited = INHERITED.lock().unwrap_or_else(|p| p.into_inner());
        HELD.with(|h| *h.borrow_mut() = Some((runtime, inherited)));
    }

    extern "C" fn release() {
        HELD.with(|h| h.borrow_mut().take());
    }

    /// Registers the fork handlers, once per process (before the first use of the locks).
    pub(super) fn hold_locks_across_fork() {
        REGISTERED.call_once(|| {
            // SAFETY: registering plain functions that take and release our own locks.
            unsafe { libc::pthread_atfork(Some(prepare), Some(release), Some(release)) };
        });
    }
}
