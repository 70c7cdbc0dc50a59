//! Retry delays: full-jitter exponential backoff and the `Retry-After` header.

use std::time::{Duration, SystemTime};

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RetryPolicy {
    /// Total attempts, the first included.
    pub max_attempts: u32,
    /// Backoff base: the window of the first retry.
    pub base_delay: Duration,
    /// Largest backoff window.
    pub max_delay: Duration,
    /// Longest `Retry-After` that is waited for.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// "Full jitter": a uniformly random delay in `[0, min(max_delay, base * 2^(attempt-1))]`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        let window = self.base_delay.saturating_mul(exp).min(self.max_delay);
        window.mul_f64(fastrand::f64())
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (relative to `now`).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(7 * 24 * 3600)));
    }
    let date = httpdate::parse_http_date(v).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The `Retry-After` of a response, if present and readable.
pub(crate) fn retry_after_of(
    headers: &reqwest::header::HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(v, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn backoff_stays_in_its_window() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
        };
        for _ in 0..100 {
            assert!(p.backoff(1) <= Duration::from_millis(100));
            assert!(p.backoff(3) <= Duration::from_millis(400));
            assert!(p.backoff(30) <= Duration::from_secs(1));
        }
    }
}
