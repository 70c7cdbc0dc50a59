//! The per-user request limit, like the vendor's "user-based rate limiting"
//! (1800 requests per minute per user on the real service).
//!
//! Each technical user gets a fixed one-minute window that starts with its
//! first request; past the limit, resource requests get 429 with
//! `Retry-After` set to the whole seconds left in the window (at least 1).
//! Off by default so that benchmarks are never throttled. The token endpoint
//! is not limited.
//!
//! A second, optional limit is a rate: a token bucket per user that holds at
//! most `per_second` requests and refills at `per_second` a second, so that
//! a client's pacing has a rate to converge on (a one-minute window gives
//! only a count). Its `Retry-After` is the whole seconds until the bucket
//! holds a request again (at least 1), as the header allows no less.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
const OFF: u64 = u64::MAX;

/// The 429 body the vendor documents.
pub(crate) const EXCEEDED_MESSAGE: &str =
    "HTTP 429 Too Many Requests. USER_INTERVAL_REQUEST_LIMIT_EXCEEDED";

/// Per-user fixed-window counters and token buckets.
pub(crate) struct RateLimiter {
    per_minute: AtomicU64,
    per_second: AtomicU64,
    windows: Vec<Mutex<Window>>,
}

#[derive(Default)]
struct Window {
    start: Option<Instant>,
    count: u64,
    /// The token bucket: requests it holds, as of `filled`.
    tokens: f64,
    filled: Option<Instant>,
}

impl RateLimiter {
    /// A limiter for `users` users, limiting to `per_minute` (None: off).
    pub(crate) fn new(users: usize, per_minute: Option<u32>) -> RateLimiter {
        let limiter = RateLimiter {
            per_minute: AtomicU64::new(OFF),
            per_second: AtomicU64::new(OFF),
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

    /// Changes the rate limit (`None`: off); buckets start full.
    pub(crate) fn set_per_second(&self, per_second: Option<u32>) {
        self.per_second
            .store(per_second.map_or(OFF, u64::from), Ordering::Relaxed);
        for w in &self.windows {
            w.lock().unwrap().filled = None;
        }
    }

    /// The current rate limit.
    pub(crate) fn get_per_second(&self) -> Option<u32> {
        match self.per_second.load(Ordering::Relaxed) {
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
        let now = Instant::now();
        let mut w = self.windows[user].lock().unwrap();
        let rate = self.per_second.load(Ordering::Relaxed);
        if rate != OFF {
            take_from_bucket(&mut w, rate as f64, now)?;
        }
        let limit = self.per_minute.load(Ordering::Relaxed);
        if limit == OFF {
            return Ok(());
        }
        let start = match w.start {
            Some(s) if now.duration_since(s) < WINDOW => s,
            _ => {
                w.start = Some(now);
                w.count = 0;
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

/// Refills the bucket for the time since it was last filled and takes one
/// request out of it, or returns the whole seconds until it holds one.
fn take_from_bucket(w: &mut Window, rate: f64, now: Instant) -> Result<(), u64> {
    let tokens = match w.filled {
        None => rate,
        Some(then) => (w.tokens + now.duration_since(then).as_secs_f64() * rate).min(rate),
    };
    w.filled = Some(now);
    if tokens >= 1.0 {
        w.tokens = tokens - 1.0;
        return Ok(());
    }
    w.tokens = tokens;
    let wait = if rate > 0.0 {
        (1.0 - tokens) / rate
    } else {
        60.0
    };
    Err((wait.ceil() as u64).max(1))
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

    #[test]
    fn a_bucket_holds_a_second_of_requests_then_refills() {
        let l = RateLimiter::new(1, None);
        l.set_per_second(Some(3));
        for _ in 0..3 {
            assert!(l.check(0).is_ok());
        }
        assert_eq!(l.check(0), Err(1));
        // Half a second later it holds 1.5 requests.
        let mut w = l.windows[0].lock().unwrap();
        let later = w.filled.unwrap() + Duration::from_millis(500);
        assert!(take_from_bucket(&mut w, 3.0, later).is_ok());
        assert_eq!(take_from_bucket(&mut w, 3.0, later), Err(1));
        drop(w);
        l.set_per_second(None);
        assert!(l.check(0).is_ok());
    }
}
