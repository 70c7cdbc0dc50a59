//! The user's rate budget, shared by every call of one client: client-wide back-off after a
//! 429, adaptive pacing, an optional fixed rate, and a retry budget.
//!
//! - **Back-off.** A 429 (or a 503 with `Retry-After`) seen by any call, API or token
//!   endpoint, pauses every call of the client until the retry time, also when the retry time is
//!   beyond what the call itself waits for (`max_retry_after`) and the call gives up. A call
//!   whose deadline comes first fails at once, without sending.
//! - **Adaptive pacing**, after the AWS SDKs' "adaptive" retry mode: until the first 429 nothing
//!   is paced. Then requests take a token from a bucket filled at a rate that drops to
//!   [`policy::PACING_BETA`] of the measured sending rate at each 429 and recovers along a cubic
//!   curve (CUBIC congestion control), so a bulk job settles just under the server's limit
//!   instead of oscillating through 429 storms. After [`policy::PACING_QUIET`] without a 429,
//!   pacing stops.
//! - **A fixed rate** (`max_requests_per_minute`), for users who share their budget with other
//!   tools: always paced, whatever the server says. It sends no [`Event::Pacing`]: it is the
//!   caller's own setting, in force from the first request, so an event would tell nothing the
//!   caller does not know; the events report the pacing the server caused (a 429). When that
//!   pacing stops, the stop event (`started: false`) carries the fixed rate that stays.
//! - **Retry budget**, after gRPC's retry throttling: every failed attempt takes one token, every
//!   success gives back [`policy::RETRY_BUDGET_REFILL`]; retries are allowed only while more than
//!   half of [`policy::RETRY_BUDGET_TOKENS`] remain, so a sustained outage costs about one request
//!   per call instead of `max_attempts`.
//!
//! Everything runs on the client's [`Clock`], so tests drive it with injected time.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::events::{emit, Event, EventHandler};
use crate::policy;

/// Why a call may not send before its deadline: the client is paused or paced until `until`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refused {
    /// How long the call would have had to wait.
    pub wait: Duration,
}

/// The rate budget of one client.
pub(crate) struct RateBudget {
    clock: Arc<dyn Clock>,
    events: Option<EventHandler>,
    adaptive: bool,
    /// True while anything may make a call wait (a pause, pacing or a fixed rate) or the retry
    /// budget is not full: the fast path of an idle budget takes no lock.
    engaged: AtomicBool,
    /// Requests admitted so far (the sending rate is measured from it).
    sent: AtomicU64,
    state: Mutex<State>,
}

struct State {
    paused_until: Option<Instant>,
    /// Requests per second from a fixed `max_requests_per_minute`.
    fixed_rate: Option<f64>,
    pacing: Option<Pacing>,
    tokens: f64,
    capacity: f64,
    last_refill: Instant,
    /// The measured sending rate (requests per second, smoothed) and where its current window
    /// started (time and request count).
    measured_rate: f64,
    window_start: Instant,
    window_sent: u64,
    retry_tokens: f64,
}

/// A rate in requests per second as requests per minute, to one decimal (what events and
/// logs show: `67.2`, not `67.19999999999999`).
fn per_minute(per_second: f64) -> f64 {
    (per_second * 600.0).round() / 10.0
}

/// Adaptive pacing after a 429.
struct Pacing {
    /// The sending rate when the last 429 came.
    last_max_rate: f64,
    last_throttle: Instant,
    /// The bucket's fill rate now.
    rate: f64,
}

impl RateBudget {
    pub fn new(
        clock: Arc<dyn Clock>,
        events: Option<EventHandler>,
        adaptive: bool,
        max_requests_per_minute: Option<u32>,
    ) -> Self {
        let now = clock.now();
        let fixed_rate = max_requests_per_minute.map(|n| f64::from(n) / 60.0);
        RateBudget {
            clock,
            events,
            adaptive,
            engaged: AtomicBool::new(fixed_rate.is_some()),
            sent: AtomicU64::new(0),
            state: Mutex::new(State {
                paused_until: None,
                fixed_rate,
                pacing: None,
                tokens: fixed_rate.map_or(0.0, |r| r.max(1.0)),
                capacity: fixed_rate.map_or(0.0, |r| r.max(1.0)),
                last_refill: now,
                measured_rate: 0.0,
                window_start: now,
                window_sent: 0,
                retry_tokens: policy::RETRY_BUDGET_TOKENS,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a plain assignment of numbers; a poisoned lock holds no broken state.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the call may send one request: after any pause, and with a token of the
    /// bucket when paced. Fails at once, without waiting, when that would pass `deadline`.
    pub async fn admit(&self, deadline: Instant) -> Result<(), Refused> {
        loop {
            let wait = {
                if !self.engaged.load(Ordering::Acquire) {
                    let n = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(policy::PACING_MEASURE_EVERY) {
                        self.lock().measure(self.clock.now(), n, false);
                    }
                    return Ok(());
                }
                let mut st = self.lock();
                let now = self.clock.now();
                let paused = st
                    .paused_until
                    .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
                let paced = if paused.is_zero() {
                    st.take_token(now)
                } else {
                    paused
                };
                if paced.is_zero() {
                    let n = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
                    st.measure(now, n, false);
                    return Ok(());
                }
                paced
            };
            if self.clock.now() + wait > deadline {
                return Err(Refused { wait });
            }
            self.clock.sleep(wait).await;
        }
    }

    /// How long every call of the client is still held by a pause (`ZERO`: none).
    pub fn paused_for(&self) -> Duration {
        if !self.engaged.load(Ordering::Acquire) {
            return Duration::ZERO;
        }
        let now = self.clock.now();
        self.lock()
            .paused_until
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now))
    }

    /// Waits out a pause (not the pacing), e.g. before a call asks for its access token, so that
    /// no token request goes out while the client is paused. Fails at once, without waiting,
    /// when the pause would pass `deadline`.
    pub async fn wait_pause(&self, deadline: Instant) -> Result<(), Refused> {
        loop {
            let wait = self.paused_for();
            if wait.is_zero() {
                return Ok(());
            }
            if self.clock.now() + wait > deadline {
                return Err(Refused { wait });
            }
            self.clock.sleep(wait).await;
        }
    }

    /// A 429, or another answer with `Retry-After`: pause every call until then; for a 429 also
    /// slow the pacing down.
    pub fn throttled(&self, pause: Duration, is_429: bool) {
        let now = self.clock.now();
        let event = {
            let mut st = self.lock();
            let until = now + pause;
            st.paused_until = Some(st.paused_until.map_or(until, |p| p.max(until)));
            self.engaged.store(true, Ordering::Release);
            st.measure(now, self.sent.load(Ordering::Relaxed), true);
            // The next measurement starts when the pause ends: a paused client is not slow.
            let sent = self.sent.load(Ordering::Relaxed);
            if st.window_start < until {
                st.window_start = until;
                st.window_sent = sent;
            }
            // Pacing needs to know how fast the client was sending.
            // One decrease per pause: the other calls in flight when the server started
            // refusing get their 429s during the pause, and they say nothing new.
            let decreased_for_this_pause =
                st.pacing.as_ref().is_some_and(|p| p.last_throttle > now);
            if is_429 && self.adaptive && st.measured_rate > 0.0 && !decreased_for_this_pause {
                let measured = st.measured_rate.max(policy::PACING_MIN_RATE);
                let started = st.pacing.is_none();
                let last_max = match &st.pacing {
                    Some(p) => measured.min(p.rate),
                    None => measured,
                };
                let rate = (last_max * policy::PACING_BETA).max(policy::PACING_MIN_RATE);
                st.pacing = Some(Pacing {
                    last_max_rate: last_max,
                    // Recovery starts when sending does again, after the pause.
                    last_throttle: until,
                    rate,
                });
                st.resize(now);
                if started {
                    // Once the pause is over, a second's worth goes out at once (the server
                    // asked for the pause, so its window has room again), then the pace.
                    st.tokens = st.capacity;
                }
                // Starting or slowing down: `started` (the event's documented meaning).
                Some(Event::Pacing {
                    started: true,
                    requests_per_minute: st.effective_rate().map(per_minute),
                })
            } else {
                None
            }
        };
        if let Some(e) = event {
            emit(&self.events, e);
        }
    }

    /// A successful answer: the pacing recovers along its curve, the retry budget refills.
    pub fn succeeded(&self) {
        if !self.engaged.load(Ordering::Acquire) {
            return;
        }
        let now = self.clock.now();
        let event = {
            let mut st = self.lock();
            st.retry_tokens =
                (st.retry_tokens + policy::RETRY_BUDGET_REFILL).min(policy::RETRY_BUDGET_TOKENS);
            let mut event = None;
            if let Some(p) = &st.pacing {
                let since = now.saturating_duration_since(p.last_throttle);
                if since >= policy::PACING_QUIET {
                    st.pacing = None;
                    event = Some(Event::Pacing {
                        started: false,
                        requests_per_minute: st.fixed_rate.map(per_minute),
                    });
                } else {
                    let cubic = cubic_rate(p.last_max_rate, since);
                    let ceiling =
                        policy::PACING_CEILING * st.measured_rate.max(policy::PACING_MIN_RATE);
                    let rate = cubic.min(ceiling).max(policy::PACING_MIN_RATE);
                    if let Some(p) = &mut st.pacing {
                        p.rate = rate;
                    }
                }
                st.resize(now);
            }
            if st.is_idle(now) {
                self.engaged.store(false, Ordering::Release);
            }
            event
        };
        if let Some(e) = event {
            emit(&self.events, e);
        }
    }

    /// A transient failure (the retry budget pays for it).
    pub fn failed(&self) {
        let mut st = self.lock();
        st.retry_tokens = (st.retry_tokens - 1.0).max(0.0);
        self.engaged.store(true, Ordering::Release);
    }

    /// True while the retry budget allows another attempt.
    pub fn may_retry(&self) -> bool {
        if !self.engaged.load(Ordering::Acquire) {
            return true;
        }
        self.lock().retry_tokens > policy::RETRY_BUDGET_TOKENS / 2.0
    }

    /// The paced rate in requests per minute, if the client is pacing itself.
    #[cfg(test)]
    fn pacing_rate(&self) -> Option<f64> {
        self.lock().effective_rate().map(per_minute)
    }
}

impl State {
    /// The rate requests are paced at now (requests per second), if they are.
    fn effective_rate(&self) -> Option<f64> {
        match (self.pacing.as_ref().map(|p| p.rate), self.fixed_rate) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// After a rate change: the bucket holds at most one second's worth (at least one token).
    fn resize(&mut self, now: Instant) {
        self.refill(now);
        if let Some(rate) = self.effective_rate() {
            self.capacity = rate.max(1.0);
            self.tokens = self.tokens.min(self.capacity);
        }
    }

    fn refill(&mut self, now: Instant) {
        if let Some(rate) = self.effective_rate() {
            let elapsed = now
                .saturating_duration_since(self.last_refill)
                .as_secs_f64();
            self.tokens = (self.tokens + elapsed * rate).min(self.capacity);
        }
        self.last_refill = now;
    }

    /// Takes a token if the bucket has one (`ZERO`), else how long until it will.
    fn take_token(&mut self, now: Instant) -> Duration {
        let Some(rate) = self.effective_rate() else {
            return Duration::ZERO;
        };
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Duration::ZERO;
        }
        Duration::from_secs_f64((1.0 - self.tokens) / rate)
    }

    /// Folds the requests sent since the window started into the smoothed sending rate, once
    /// the window is [`policy::PACING_WINDOW`] long (or, when `now_too`, once it is
    /// [`policy::PACING_THROTTLE_WINDOW`] long: a 429 wants the latest rate; and at once when
    /// there is no rate yet, since pacing cannot start without one, over at least
    /// [`policy::PACING_FIRST_WINDOW`]).
    fn measure(&mut self, now: Instant, sent: u64, now_too: bool) {
        let elapsed = now.saturating_duration_since(self.window_start);
        let first = self.measured_rate == 0.0;
        let needed = match (now_too, first) {
            (false, _) => policy::PACING_WINDOW,
            (true, false) => policy::PACING_THROTTLE_WINDOW,
            (true, true) => Duration::ZERO,
        };
        let span = if first {
            elapsed.max(policy::PACING_FIRST_WINDOW)
        } else {
            elapsed
        };
        if elapsed >= needed && !span.is_zero() {
            let rate = sent.saturating_sub(self.window_sent) as f64 / span.as_secs_f64();
            self.measured_rate = policy::PACING_SMOOTHING * rate
                + (1.0 - policy::PACING_SMOOTHING) * self.measured_rate;
            self.window_start = now;
            self.window_sent = sent;
        }
    }

    /// Nothing can make a call wait and the retry budget is full.
    fn is_idle(&self, now: Instant) -> bool {
        self.fixed_rate.is_none()
            && self.pacing.is_none()
            && self.paused_until.is_none_or(|p| p <= now)
            && self.retry_tokens >= policy::RETRY_BUDGET_TOKENS
    }
}

/// CUBIC's window growth, as a rate: `C (t - K)^3 + max`, with `K` the time at which the rate
/// is back at `max`.
fn cubic_rate(last_max_rate: f64, since: Duration) -> f64 {
    let k = (last_max_rate * (1.0 - policy::PACING_BETA) / policy::PACING_CUBIC_C).cbrt();
    let t = since.as_secs_f64() - k;
    policy::PACING_CUBIC_C * t * t * t + last_max_rate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn budget(clock: &ManualClock, fixed: Option<u32>) -> RateBudget {
        RateBudget::new(Arc::new(clock.clone()), None, true, fixed)
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        futures::executor::block_on(f)
    }

    /// `n` calls admitted at once and succeeding, `gap` apart on the clock.
    fn succeed(b: &RateBudget, clock: &ManualClock, n: usize, gap: Duration) {
        for _ in 0..n {
            block(b.admit(clock.now())).unwrap();
            b.succeeded();
            clock.advance(gap);
        }
    }

    #[test]
    fn rates_are_shown_per_minute_to_one_decimal() {
        assert_eq!(per_minute(1.12), 67.2);
        assert_eq!(per_minute(0.7 * 1.6), 67.2);
        assert_eq!(per_minute(20.0), 1200.0);
    }

    #[test]
    fn an_idle_budget_never_waits() {
        let clock = ManualClock::new();
        let b = budget(&clock, None);
        succeed(&b, &clock, 1000, Duration::ZERO);
        assert!(clock.sleeps().is_empty());
        assert!(b.may_retry());
    }

    #[test]
    fn a_pause_holds_every_call_until_the_retry_time() {
        let clock = ManualClock::new();
        let b = budget(&clock, None);
        b.throttled(Duration::from_secs(3), false);
        let refused = block(b.admit(clock.now() + Duration::from_secs(1))).unwrap_err();
        assert_eq!(refused.wait, Duration::from_secs(3));
        block(b.admit(clock.now() + Duration::from_secs(10))).unwrap();
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(3)]);
    }

    #[test]
    fn a_fixed_rate_is_kept() {
        let clock = ManualClock::new();
        let b = budget(&clock, Some(120)); // 2 per second
        let far = clock.now() + Duration::from_secs(3600);
        for _ in 0..21 {
            block(b.admit(far)).unwrap();
            b.succeeded();
        }
        // The first two come from the full bucket, the other 19 at 2 per second.
        let slept: Duration = clock.sleeps().iter().sum();
        assert!((slept.as_secs_f64() - 9.5).abs() < 0.01, "{slept:?}");
    }

    #[test]
    fn pacing_drops_at_a_429_and_recovers_along_the_curve() {
        let clock = ManualClock::new();
        let b = budget(&clock, None);
        // Send 20 per second for two seconds, then a 429.
        succeed(&b, &clock, 40, Duration::from_millis(50));
        b.throttled(Duration::ZERO, true);
        let after_429 = b.pacing_rate().unwrap() / 60.0;
        assert!((11.0..=14.5).contains(&after_429), "{after_429}");
        // Back near the old rate once K seconds have passed.
        clock.advance(Duration::from_secs(3));
        b.succeeded();
        let recovered = b.pacing_rate().unwrap() / 60.0;
        assert!(recovered > after_429, "{recovered} > {after_429}");
        // Quiet long enough: pacing stops.
        clock.advance(policy::PACING_QUIET);
        b.succeeded();
        assert_eq!(b.pacing_rate(), None);
    }

    #[test]
    fn the_retry_budget_stops_retries_in_an_outage_and_refills_with_successes() {
        let clock = ManualClock::new();
        let b = budget(&clock, None);
        let mut retries = 0;
        for _ in 0..1000 {
            b.failed();
            if b.may_retry() {
                retries += 1;
                b.failed();
            }
        }
        // Half the budget is spent on retries, then each call is tried once.
        assert_eq!(retries, (policy::RETRY_BUDGET_TOKENS / 4.0) as usize);
        for _ in 0..1000 {
            b.succeeded();
        }
        assert!(b.may_retry());
    }
}
