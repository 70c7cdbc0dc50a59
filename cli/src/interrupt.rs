//! SIGINT and SIGTERM while a command runs.
//!
//! A watcher thread (signal-hook's iterator: the handler only writes to a pipe) takes the
//! first signal, closes every client the command opened ([`leanix::blocking::Client::close`]:
//! the calls in flight end with `Cancelled` at once and their connections are dropped, so
//! the server sees the client hang up) and fires [`cancel`]. The command then returns its
//! error and `main` exits 130 (SIGINT) or 143 (SIGTERM), as a shell reports a process killed
//! by the signal. Whatever cannot be cancelled (reading a terminal, a child process) is cut
//! short after [`GRACE`]; a second signal exits at once.
//!
//! [`stop_gracefully`] is the mode of `lx webhooks pull`: a signal only fires [`cancel`], so
//! the consumer stops between events and still commits what it handled (no grace timer).

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use leanix::blocking::Client;
use leanix::Cancel;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// How long a command may take to end after the first signal before `lx` exits anyway.
/// Cancelled calls end within milliseconds; this bounds what no cancel handle reaches.
pub const GRACE: Duration = Duration::from_millis(500);

/// The first signal received (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// Set by [`stop_gracefully`].
static GRACEFUL: AtomicBool = AtomicBool::new(false);
/// The clients to close on a signal.
static CLIENTS: Mutex<Vec<Client>> = Mutex::new(Vec::new());

/// The cancel handle a signal fires.
pub fn cancel() -> &'static Cancel {
    static CANCEL: OnceLock<Cancel> = OnceLock::new();
    CANCEL.get_or_init(Cancel::new)
}

/// Takes over SIGINT and SIGTERM for the rest of the process. If the handlers cannot be
/// installed, the signals keep their default action (the process dies by the signal).
pub fn install() {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("lx-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if RECEIVED
                    .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    // A second signal: the user insists.
                    exit_now(signal);
                }
                cancel().fire();
                if !GRACEFUL.load(Ordering::SeqCst) {
                    close_all();
                    std::thread::spawn(move || {
                        std::thread::sleep(GRACE);
                        exit_now(signal);
                    });
                }
            }
        });
}

/// Ends the process from the watcher: `_exit`, because `exit` may race with the main
/// thread's own (glibc's `exit` is not thread-safe), and nothing is left to flush.
fn exit_now(signal: i32) -> ! {
    eprintln!(
        "lx: interrupted by {}; stopped without waiting for the command to end",
        name(signal)
    );
    // SAFETY: _exit ends the process; it touches no Rust state.
    unsafe { libc::_exit(exit_code(signal).into()) }
}

fn close_all() {
    let clients = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    for client in clients.iter() {
        client.close();
    }
}

/// Closes `client` when a signal arrives (at once if one already has).
pub fn close_on_signal(client: &Client) {
    CLIENTS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(client.clone());
    if received().is_some() && !GRACEFUL.load(Ordering::SeqCst) {
        client.close();
    }
}

/// Lets go of the clients (once the command is done), so that they drop and wipe their
/// tokens from memory as they would without this module.
pub fn release_clients() {
    let clients = std::mem::take(&mut *CLIENTS.lock().unwrap_or_else(|p| p.into_inner()));
    drop(clients);
}

/// From now on a signal only fires [`cancel`]: the command stops by itself, cleanly.
pub fn stop_gracefully() {
    GRACEFUL.store(true, Ordering::SeqCst);
}

/// The signal received, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// The exit code for a process ended by `signal`: 128 + its number (130, 143).
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(1)
}

/// The name of a signal this module handles (`a signal` for another).
pub fn name(signal: i32) -> &'static str {
    signal_name(signal).unwrap_or("a signal")
}

/// The name of a common signal (`SIGKILL`), for messages about how a process ended.
pub fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        libc::SIGHUP => "SIGHUP",
        SIGINT => "SIGINT",
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        SIGTERM => "SIGTERM",
        _ => return None,
    })
}
