//! The per-user request limit, like the vendor's "user-based rate limiting"
//! (1800 requests per minute per user on the real service).
//!
//! Each technical user gets a fixed one-minute window that starts with its
//! first request; past the limit, resource requests get 429 with
//! `Retry-After` set to the whole seconds left in the window (at least 1).
//! Off by default so that benchmarks are never throttled. The token endpoint
//! is not limited.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
const OFF: u64 = u64::MAX;

/// The 429 body the vendor documents.
pub(crate) const EXCEEDED_MESSAGE: &str =
    "HTTP 429 Too Many Requests. USER_INTERVAL_REQUEST_LIMIT_EXCEEDED";

/// Per-user fixed-window counters.
pub(crate) struct RateLimiter {
    per_minute: AtomicU64,
    windows: Vec<Mutex<Window>>,
}

#[derive(Default)]
struct Window {
    start: Option<Instant>,
    count: u64,
}

impl RateLimiter {
    /// A limiter for `users` users, limiting to `per_minute` (None: off).
    pub(crate) fn new(users: usize, per_minute: Option<u32>) -> RateLimiter {
        let limiter = RateLimiter {
            per_minute: AtomicU64::new(OFF),
            windows: (0..users).map(|_| Mutex::default()).collect(),
        };
        limiter.set(per_minute);
        limiter
    }

    /// Changes the limit; the current windows keep their counts.
    pub(crate) fn set(&self, per_minute: Option<u32>) {
        self.per_minute
            .store(per_minute.map_or(OFF, u64::from), Ordering::Relaxed);
    }

    /// The current limit.
    pub(crate) fn get(&self) -> Option<u32> {
        match self.per_minute.load(Ordering::Relaxed) {
            OFF => None,
            n => Some(n as u32),
        }
    }

    /// Forgets all windows.
    pub(crate) fn reset(&self) {
        for w in &self.windows {
            *w.lock().unwrap() = Window::default();
        }
    }

    /// Admits one request of `user`, or returns the seconds to wait.
    pub(crate) fn check(&self, user: usize) -> Result<(), u64> {
        let limit = self.per_minute.load(Ordering::Relaxed);
        if limit == OFF {
            return Ok(());
        }
        let now = Instant::now();
        let mut w = self.windows[user].lock().unwrap();
        let start = match w.start {
            Some(s) if now.duration_since(s) < WINDOW => s,
            _ => {
                *w = Window {
                    start: Some(now),
                    count: 0,
                };
                now
            }
        };
        if w.count >= limit {
            let left = WINDOW.saturating_sub(now.duration_since(start));
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            return Err(secs.max(1));
        }
        w.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_user() {
        let l = RateLimiter::new(2, Some(2));
        assert!(l.check(0).is_ok());
        assert!(l.check(0).is_ok());
        let wait = l.check(0).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(l.check(1).is_ok());
        l.set(None);
        assert!(l.check(0).is_ok());
    }
}
