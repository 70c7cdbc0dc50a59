//! Cancelling one call: a handle that any thread, and a signal handler, can fire.

use std::fmt;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// How often a call polls a cancel handle whose pipe could not be created or watched.
const POLL_FALLBACK: Duration = Duration::from_millis(10);

/// A cancellation handle for one or more calls ([`Request::cancel_on`](crate::Request::cancel_on)).
///
/// Firing it ends every call that watches it with [`ErrorKind::Cancelled`](crate::ErrorKind)
/// within milliseconds, whatever the call is waiting for. It fires once and stays fired.
/// [`Cancel::fire`] only stores a flag and writes one byte to a pipe, so it is safe to call
/// from a signal handler; the pipe's write end ([`Cancel::wakeup_fd`]) can also be given to
/// an event loop's signal wake-up (Python's `signal.set_wakeup_fd`), so that a signal
/// cancels the call without any handler of ours.
#[derive(Clone)]
pub struct Cancel {
    inner: Arc<Inner>,
}

struct Inner {
    fired: AtomicBool,
    /// `(read, write)` ends of a non-blocking pipe; `None` if the process is out of file
    /// descriptors (then calls poll the flag).
    pipe: Option<(OwnedFd, OwnedFd)>,
}

impl Cancel {
    /// A handle that has not fired.
    pub fn new() -> Cancel {
        Cancel {
            inner: Arc::new(Inner {
                fired: AtomicBool::new(false),
                pipe: pipe(),
            }),
        }
    }

    /// Fires the handle. Async-signal-safe: an atomic store and one `write(2)`.
    pub fn fire(&self) {
        self.inner.fired.store(true, Ordering::SeqCst);
        if let Some((_, write)) = &self.inner.pipe {
            // SAFETY: writing one byte from a live buffer to a descriptor we own. A full pipe
            // (EAGAIN) is fine: it is readable already.
            let _ = unsafe { libc::write(write.as_raw_fd(), b"x".as_ptr().cast(), 1) };
        }
    }

    /// True once the handle fired (or something wrote to its wake-up descriptor).
    pub fn is_fired(&self) -> bool {
        if self.inner.fired.load(Ordering::SeqCst) {
            return true;
        }
        let Some((read, _)) = &self.inner.pipe else {
            return false;
        };
        let mut pfd = libc::pollfd {
            fd: read.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no wait.
        let ready = unsafe { libc::poll(&mut pfd, 1, 0) } == 1;
        if ready {
            self.inner.fired.store(true, Ordering::SeqCst);
        }
        ready
    }

    /// The write end of the handle's pipe: writing any byte to it fires the handle. `-1` if
    /// the process had no descriptor to spare when the handle was made. Owned by the handle;
    /// do not close it.
    pub fn wakeup_fd(&self) -> RawFd {
        self.inner
            .pipe
            .as_ref()
            .map_or(-1, |(_, write)| write.as_raw_fd())
    }

    /// Completes when the handle fires. Must run inside a tokio runtime with I/O enabled.
    pub(crate) async fn fired(&self) {
        if self.is_fired() {
            return;
        }
        // A descriptor of our own per watcher: one pipe may be watched by many calls on one
        // reactor, and a reactor registers each descriptor once.
        let watched = self
            .inner
            .pipe
            .as_ref()
            .and_then(|(read, _)| read.try_clone().ok())
            // SAFETY: the AsyncFd owns the duplicate, which stays open and the same until the
            // AsyncFd drops it.
            .and_then(|fd| unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }.ok());
        match watched {
            Some(fd) => {
                let _ = fd.readable().await;
                self.inner.fired.store(true, Ordering::SeqCst);
            }
            None => {
                while !self.is_fired() {
                    tokio::time::sleep(POLL_FALLBACK).await;
                }
            }
        }
    }
}

impl Default for Cancel {
    fn default() -> Self {
        Cancel::new()
    }
}

impl fmt::Debug for Cancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancel")
            .field("fired", &self.inner.fired.load(Ordering::SeqCst))
            .finish()
    }
}

fn pipe() -> Option<(OwnedFd, OwnedFd)> {
    use std::os::fd::FromRawFd;
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return None;
    }
    // SAFETY: pipe2 succeeded, so both are fresh descriptors that nobody else owns.
    Some(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_once_and_stays_fired() {
        let c = Cancel::new();
        assert!(!c.is_fired());
        assert!(c.wakeup_fd() >= 0);
        c.fire();
        c.fire();
        assert!(c.is_fired());
    }

    #[test]
    fn a_byte_on_the_wakeup_fd_fires_it() {
        let c = Cancel::new();
        // SAFETY: one byte to the handle's own pipe.
        unsafe { libc::write(c.wakeup_fd(), b"\x02".as_ptr().cast(), 1) };
        assert!(c.is_fired());
    }

    #[tokio::test]
    async fn watchers_wake_when_it_fires() {
        let c = Cancel::new();
        let watchers: Vec<_> = (0..3)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.fired().await })
            })
            .collect();
        tokio::task::yield_now().await;
        c.fire();
        for w in watchers {
            tokio::time::timeout(Duration::from_secs(5), w)
                .await
                .expect("woken")
                .unwrap();
        }
    }
}
