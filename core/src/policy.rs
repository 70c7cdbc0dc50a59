//! Every number and rule of the client's behaviour, in one place.
//!
//! The defaults below are what [`ClientBuilder`](crate::ClientBuilder) starts from; each setter
//! names the constant it overrides, the C header exports the same values as `LX_DEFAULT_*` (a
//! test in the ffi crate keeps them equal), and the bindings and the CLI read them from there
//! instead of repeating them. The bounds are what `build()` accepts.
//!
//! The rules are the one place that decides which failures are worth another attempt
//! ([`is_transient_status`], [`is_transient_kind`]) and how long to wait before it
//! (`RetryPolicy::delay`, with `parse_retry_after`); the API retry loop, the token retry
//! loop and [`Error::is_transient`](crate::Error::is_transient) all ask them.

use std::ops::{Range, RangeInclusive};
use std::time::{Duration, SystemTime};

use crate::error::ErrorKind;

// ---- Timeouts --------------------------------------------------------------------------------

/// Connect timeout of every TCP/TLS connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Timeout of one token-exchange attempt.
pub const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline of a whole API call: token exchange, every attempt, backoff and `Retry-After`
/// waits included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

// ---- Retries ---------------------------------------------------------------------------------

/// Attempts per API call, the first included.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Attempts per token exchange, the first included.
pub const DEFAULT_TOKEN_ATTEMPTS: u32 = 3;
/// What `max_attempts` and `token_attempts` may be.
pub const ATTEMPTS_RANGE: RangeInclusive<u32> = 1..=10;
/// Window of the first full-jitter backoff; it doubles with every further attempt. Also the
/// shortest wait a `Retry-After` of zero, a negative number or a past date is raised to.
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(200);
/// Largest backoff window.
pub const DEFAULT_RETRY_MAX_DELAY: Duration = Duration::from_secs(5);
/// Longest `Retry-After` waited for (API and token endpoint alike); a longer one ends the call
/// at once with the error, [`Error::retry_after`](crate::Error::retry_after) set.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// A `Retry-After` above this is not believed: it is treated as absent (ordinary backoff).
pub const RETRY_AFTER_BELIEVABLE: Duration = Duration::from_secs(7 * 24 * 3600);

// ---- The token cache -------------------------------------------------------------------------

/// Refresh in the background once this fraction of a token's lifetime has passed.
pub const DEFAULT_REFRESH_AHEAD: f64 = 0.75;
/// What `refresh_ahead` must stay above (a refresh at the start of the lifetime is none).
pub const REFRESH_AHEAD_ABOVE: f64 = 0.0;
/// The largest `refresh_ahead`: a refresh at expiry; `refresh_ahead` is in
/// `(REFRESH_AHEAD_ABOVE, REFRESH_AHEAD_MAX]`.
pub const REFRESH_AHEAD_MAX: f64 = 1.0;
/// ± spread of the refresh point, as a fraction of the lifetime (processes spread out).
pub const DEFAULT_REFRESH_JITTER: f64 = 0.05;
/// What the refresh jitter may be: from none up to, not including, half the lifetime.
pub const REFRESH_JITTER_RANGE: Range<f64> = 0.0..0.5;
/// Upper end of the hard margin: no request goes out with a token closer to expiry than
/// `min(DEFAULT_EXPIRY_MARGIN, EXPIRY_MARGIN_FRACTION × lifetime)`.
pub const DEFAULT_EXPIRY_MARGIN: Duration = Duration::from_secs(60);
/// The hard margin as a fraction of the lifetime (for short-lived tokens).
pub const EXPIRY_MARGIN_FRACTION: f64 = 0.10;
/// After a failed background refresh, the next one waits this long.
pub const DEFAULT_FAILED_REFRESH_BACKOFF: Duration = Duration::from_secs(30);
/// How long a rejected API token (or an unusable token response) is remembered: no exchange
/// is attempted in that time, callers get the remembered error.
pub const DEFAULT_INVALID_CREDENTIALS_TTL: Duration = Duration::from_secs(5);
/// Lifetime assumed when neither `expires_in` nor a JWT `exp` gives one.
pub const FALLBACK_TOKEN_LIFETIME: Duration = Duration::from_secs(300);
/// Longest lifetime believed; larger values are clamped.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

// ---- The token file shared by processes (see `ClientBuilder::token_cache`) ----------------

/// The directory the token file lives in, under `$XDG_RUNTIME_DIR`, `$XDG_CACHE_HOME` or
/// `~/.cache`.
pub const TOKEN_CACHE_DIR_NAME: &str = "leanix";
/// Mode of the token directory; one with any group or other bit set is not used.
pub const TOKEN_CACHE_DIR_MODE: u32 = 0o700;
/// Mode of the token file and its lock file; one with any group or other bit set is ignored.
pub const TOKEN_CACHE_FILE_MODE: u32 = 0o600;
/// Largest token file read; a larger one is ignored as corrupt (a LeanIX one is about 2 KiB).
pub const TOKEN_CACHE_MAX_FILE_BYTES: u64 = 64 * 1024;
/// Longest wait for the lock another process holds while it exchanges (its exchange, with its
/// retries, ends well before); past it, this process exchanges without the lock.
pub const TOKEN_CACHE_LOCK_WAIT: Duration = Duration::from_secs(45);
/// How far in the future a stored issue time may lie (clocks of one host agree; this allows
/// for rounding). Further in the future, the wall clock has jumped back since the token was
/// stored, and the file is not trusted.
pub const TOKEN_CACHE_CLOCK_TOLERANCE: Duration = Duration::from_secs(2);
/// The format of the token file; a file of another version is ignored.
pub const TOKEN_CACHE_FORMAT: u32 = 1;

// ---- Sizes and counts ------------------------------------------------------------------------

/// Largest API response body read; a larger one fails with [`ErrorKind::TooLarge`] having
/// read no more than this plus one network buffer. A LeanIX export of 200 000 fact sheets in
/// pages of 1 000 stays far below it.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;
/// Largest token-endpoint response read (LeanIX's is under 2 KiB).
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 256 * 1024;
/// Largest CA file read ([`read_ca_file`](crate::read_ca_file)): CA bundles are a few hundred
/// KiB; without a bound a path such as `/dev/zero` would be read until memory runs out.
pub const MAX_CA_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Largest file or standard input an API token is read from (a LeanIX API token has about 40
/// characters).
pub const MAX_API_TOKEN_FILE_BYTES: u64 = 64 * 1024;
/// Longest body excerpt kept in [`Error::body`](crate::Error::body).
pub const BODY_EXCERPT_BYTES: usize = 512;
/// Longest excerpt of the server's words quoted in an error message.
pub const MESSAGE_EXCERPT_CHARS: usize = 200;
/// How far past the cut of an excerpt credentials are looked for, so that one that straddles
/// the cut is masked whole rather than shown in part (an access token, a JWT, has 1-2 KiB).
pub const REDACTION_MARGIN_BYTES: usize = 8 * 1024;
/// Longest piece of caller input (a path, a header name) quoted in an error message.
pub const QUOTED_INPUT_CHARS: usize = 80;
/// The longest request method accepted (the longest registered method, `BASELINE-CONTROL`,
/// has 16 characters); a longer one is refused before anything is sent.
pub const MAX_METHOD_LEN: usize = 32;
/// Most same-origin redirects followed by one API request.
pub const MAX_REDIRECTS: usize = 5;
/// Most pages one paging walk (GraphQL, or a REST list) fetches before failing (a server that
/// never ends).
pub const DEFAULT_MAX_PAGES: usize = 10_000;
/// The variable a paged GraphQL query takes its cursor in.
pub const DEFAULT_CURSOR_VARIABLE: &str = "after";

// ---- The rate budget (see the `rate` module) ----------------------------------------------

/// At a 429 the paced rate drops to this fraction of the measured sending rate (CUBIC's β, as
/// in the AWS SDKs' adaptive retry mode).
pub const PACING_BETA: f64 = 0.7;
/// CUBIC's scaling constant: how fast the paced rate grows back after a 429.
pub const PACING_CUBIC_C: f64 = 0.4;
/// The slowest pace, in requests per second.
pub const PACING_MIN_RATE: f64 = 0.5;
/// The window over which the sending rate is measured.
pub const PACING_WINDOW: Duration = Duration::from_millis(500);
/// The shorter window a 429 folds the sending rate over (a fifth of [`PACING_WINDOW`]): the
/// decrease wants the latest rate, yet one over a few milliseconds is noise.
pub const PACING_THROTTLE_WINDOW: Duration = Duration::from_millis(100);
/// While nothing is paced, the sending rate is measured every this many requests (counting
/// is lock-free; measuring takes the budget's lock), so that it is known when the first 429
/// comes.
pub const PACING_MEASURE_EVERY: u64 = 32;
/// While pacing recovers after a 429, its rate grows along the CUBIC curve but stays below
/// this multiple of the measured sending rate: a client that sends less than its pace allows
/// (callers waiting on something else) does not build up a pace it never tried.
pub const PACING_CEILING: f64 = 2.0;
/// The shortest span the first rate measurement of a client divides by: a burst of requests
/// in a few milliseconds before the first 429 is not a rate the server allows.
pub const PACING_FIRST_WINDOW: Duration = Duration::from_secs(1);
/// Weight of the newest window in the smoothed sending rate.
pub const PACING_SMOOTHING: f64 = 0.8;
/// Pacing stops after this long without a 429.
pub const PACING_QUIET: Duration = Duration::from_secs(60);
/// Tokens of the retry budget (gRPC retry throttling's `maxTokens`): a failed attempt takes
/// one; retries are allowed while more than half remain.
pub const RETRY_BUDGET_TOKENS: f64 = 100.0;
/// What a success gives back to the retry budget (gRPC's `tokenRatio`).
pub const RETRY_BUDGET_REFILL: f64 = 0.1;
/// Whether a client paces itself after a 429 ([`ClientBuilder::adaptive_pacing`](crate::ClientBuilder::adaptive_pacing)).
pub const DEFAULT_ADAPTIVE_PACING: bool = true;
/// At most one token exchange per this interval is caused by API 401s; a 401 within it with
/// a token that fresh is final ([`ErrorKind::Unauthorized`](crate::ErrorKind)).
pub const DEFAULT_REAUTH_INTERVAL: Duration = Duration::from_secs(10);

// ---- Integration API (LDIF) runs and GraphQL writes -------------------------------------

/// Deadline of a whole LDIF run waited for ([`crate::Client::run_ldif`]): creation, every
/// status poll, the warnings and the results; a run still going at its end fails with
/// [`ErrorKind::Timeout`] (the run goes on at LeanIX; its id is in the error).
pub const DEFAULT_LDIF_RUN_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The first wait between two status polls of a run.
pub const LDIF_POLL_INITIAL: Duration = Duration::from_millis(500);
/// Each further wait is the previous one times this factor, up to [`LDIF_POLL_MAX`].
pub const LDIF_POLL_FACTOR: u32 = 2;
/// The longest wait between two status polls.
pub const LDIF_POLL_MAX: Duration = Duration::from_secs(10);
/// The page size of a warnings walk: the most the Integration API allows (`limit` ≤ 100,
/// `offset` a multiple of `limit`).
pub const LDIF_WARNINGS_PAGE: usize = 100;
/// Most `GET .../results` asked while the answer is `204` (not ready yet), the first
/// included; each waits [`LDIF_POLL_INITIAL`] after a `204`.
pub const LDIF_RESULTS_ATTEMPTS: u32 = 10;
/// How often a fact-sheet update that fails with `REVISION_CLASH` is tried again after
/// re-reading `rev` (the vendor's advice: up to 3 times).
pub const DEFAULT_REVISION_CLASH_RETRIES: u32 = 3;
/// What the `REVISION_CLASH` retries may be set to.
pub const REVISION_CLASH_RETRIES_RANGE: RangeInclusive<u32> = 0..=10;

/// The wait before status poll number `poll + 1` (`poll` counts from 1): [`LDIF_POLL_INITIAL`]
/// times [`LDIF_POLL_FACTOR`]` ^ (poll - 1)`, at most [`LDIF_POLL_MAX`].
pub fn ldif_poll_delay(poll: u32) -> Duration {
    let factor = LDIF_POLL_FACTOR.saturating_pow(poll.saturating_sub(1).min(20));
    LDIF_POLL_INITIAL.saturating_mul(factor).min(LDIF_POLL_MAX)
}

// ---- Rules -----------------------------------------------------------------------------------

/// True for HTTP statuses that say the server refused the request without running it, so that
/// sending it again is safe whatever its method: 429, the rate limit turning a request away
/// before it runs (LeanIX's `USER_INTERVAL_REQUEST_LIMIT_EXCEEDED`). A 503 makes no such
/// promise: the request may have run before the gateway gave up.
pub fn is_refused_unrun(status: u16) -> bool {
    status == 429
}

/// True for HTTP statuses that say "try again later": 408 (request timeout), 429 (rate limit),
/// 500 (internal error), 502, 503 and 504 (gateways and maintenance). Every other status is
/// the server's final answer to this request.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// True for the error kinds that are worth another attempt later: timeouts, connection
/// failures and rate limits ([`ErrorKind::Http`] depends on its status, see
/// [`is_transient_status`]).
pub fn is_transient_kind(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::RateLimited
    )
}

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RetryPolicy {
    /// Total attempts, the first included.
    pub max_attempts: u32,
    /// Backoff base: the window of the first retry, and the floor of a `Retry-After`.
    pub base_delay: Duration,
    /// Largest backoff window.
    pub max_delay: Duration,
    /// Longest `Retry-After` that is waited for.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// The API and token defaults.
    pub const fn defaults(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: DEFAULT_RETRY_BASE_DELAY,
            max_delay: DEFAULT_RETRY_MAX_DELAY,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
        }
    }

    /// "Full jitter": a uniformly random delay in `[0, min(max_delay, base * 2^(attempt-1))]`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        let window = self.base_delay.saturating_mul(exp).min(self.max_delay);
        window.mul_f64(fastrand::f64())
    }

    /// The one rule for the wait before the next attempt, after `attempt` failed with a
    /// transient answer: the server's `Retry-After` (raised to at least `base_delay`) if it
    /// sent a believable one, else full-jitter backoff; `None` when the server asks for longer
    /// than `max_retry_after` (the caller returns the error at once instead of sleeping).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait.max(self.base_delay)),
            None => Some(self.backoff(attempt)),
        }
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (relative to `now`). Zero, a
/// negative number and a past date give `Duration::ZERO` (the caller's floor applies); a
/// value beyond [`RETRY_AFTER_BELIEVABLE`] or one that is neither form gives `None`, as if
/// the header were absent.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    let wait = if let Ok(secs) = v.parse::<i64>() {
        Duration::from_secs(u64::try_from(secs).unwrap_or(0))
    } else if v.starts_with('-') && v[1..].bytes().all(|b| b.is_ascii_digit()) && v.len() > 1 {
        Duration::ZERO // a negative number too long for i64
    } else if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return None; // digits only, but too large for i64
    } else {
        let date = httpdate::parse_http_date(v).ok()?;
        date.duration_since(now).unwrap_or(Duration::ZERO)
    };
    (wait <= RETRY_AFTER_BELIEVABLE).then_some(wait)
}

/// The `Retry-After` of a response, if present and believable.
pub(crate) fn retry_after_of(
    headers: &reqwest::header::HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(v, now)
}

/// Whether API calls go to the access token's `instanceUrl` (under the rule of
/// `crate::routing`) by default.
pub const DEFAULT_ROUTE_BY_INSTANCE_URL: bool = true;

/// The first wait of a following webhook consumer after an empty batch; it doubles up to
/// [`DEFAULT_WEBHOOK_IDLE_MAX`] while batches stay empty, and resets after events.
pub const DEFAULT_WEBHOOK_IDLE_MIN: Duration = Duration::from_secs(1);

/// The longest wait of a following webhook consumer between two empty batches.
pub const DEFAULT_WEBHOOK_IDLE_MAX: Duration = Duration::from_secs(30);

// ---- Waiting for another process's token exchange (appended; see `TOKEN_CACHE_LOCK_WAIT`) ----

/// A call waits for the lock of the token file at most its remaining deadline divided by this
/// (and never longer than [`TOKEN_CACHE_LOCK_WAIT`]), so that an exchange of its own still fits
/// in the rest of the deadline.
pub const TOKEN_CACHE_LOCK_WAIT_DIVISOR: u32 = 2;
/// How often a process waiting for the lock of the token file tries it again.
pub const TOKEN_CACHE_LOCK_POLL: Duration = Duration::from_millis(20);
/// A temporary token file (`.token-<key>.<pid>.<n>.tmp`) older than this was left by a process
/// killed between writing and renaming it; the next write of that key removes it.
pub const TOKEN_CACHE_STALE_TEMP_AGE: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let secs = Duration::from_secs;
        assert_eq!(parse_retry_after("7", now), Some(secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-3", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("-99999999999999999999999", now),
            Some(Duration::ZERO)
        );
        let later = httpdate::fmt_http_date(now + secs(30));
        assert_eq!(parse_retry_after(&later, now), Some(secs(30)));
        let past = httpdate::fmt_http_date(now - secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        for absent in ["soon", "", "1.5", "99999999999999999999999", "8640000"] {
            assert_eq!(parse_retry_after(absent, now), None, "{absent:?}");
        }
    }

    #[test]
    fn one_delay_rule() {
        let p = RetryPolicy::defaults(3);
        assert_eq!(p.delay(1, Some(Duration::ZERO)), Some(p.base_delay));
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(p.delay(1, Some(p.max_retry_after)), Some(p.max_retry_after));
        assert_eq!(
            p.delay(1, Some(p.max_retry_after + Duration::from_secs(1))),
            None
        );
        assert!(p.delay(1, None).unwrap() <= p.base_delay);
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

    #[test]
    fn ldif_polls_back_off_to_their_ceiling() {
        let waits: Vec<u128> = (1..=7).map(|p| ldif_poll_delay(p).as_millis()).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
        assert_eq!(ldif_poll_delay(u32::MAX), LDIF_POLL_MAX);
    }

    #[test]
    fn transient_statuses() {
        let transient: Vec<u16> = (100..600).filter(|s| is_transient_status(*s)).collect();
        assert_eq!(transient, [408, 429, 500, 502, 503, 504]);
    }
}
