//! The user's rate budget: a 429 pauses the whole client, `Retry-After` values of every form are
//! bounded, retries draw from a budget, and 401s cannot make the client hammer the token
//! endpoint.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::{
    builder, client_on, concurrent_gets, configured_client, sandbox_client, status, Events, Reply,
    TestServer, FACT_SHEETS,
};
use futures::future::BoxFuture;
use leanix::{policy, Clock, ErrorKind, Event, ManualClock, Request};
use leanix_sandbox::{Endpoint, Fault, Sandbox};

fn requests(sb: &Sandbox) -> u64 {
    sb.stats().total(Endpoint::FactSheets)
}

/// One caller's 429 holds every other caller of the client until the retry time; a caller
/// whose deadline comes first fails at once, without a request.
#[tokio::test]
async fn a_429_pauses_the_whole_client() {
    let (sb, clock, client, _) = configured_client(|b| b.max_attempts(1));
    client.get(FACT_SHEETS).await.unwrap();
    sb.inject(Endpoint::FactSheets, status(429, Some("30")), 1);
    let err = client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    let before = requests(&sb);
    // The sandbox answers like LeanIX, with the reason code in the body.
    let limited = Sandbox::builder()
        .rate_limit_per_minute(Some(1))
        .start()
        .unwrap();
    let limited_client = builder(limited.url(), limited.api_token(), &clock)
        .max_attempts(1)
        .build()
        .unwrap();
    limited_client.get(FACT_SHEETS).await.unwrap();
    let err = limited_client.get(FACT_SHEETS).await.unwrap_err();
    assert_eq!(
        err.reason(),
        Some("USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"),
        "{err}"
    );

    // Another call with a 10 s deadline: refused at once, no request, the wait on the error.
    let err = client
        .send(Request::get(FACT_SHEETS).timeout(Duration::from_secs(10)))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(requests(&sb), before);
    assert!(clock.sleeps().is_empty());

    // One with room: waits until the retry time, then sends once.
    assert_eq!(client.get(FACT_SHEETS).await.unwrap().status(), 200);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(30)]);
    assert_eq!(requests(&sb), before + 1);
}

/// A write answered 429 was turned away before it ran, so it goes again after the pause (a 503
/// makes no such promise: a POST answered 503 is not resent).
#[tokio::test]
async fn a_write_refused_with_429_is_sent_again() {
    let (sb, clock, client, _) = sandbox_client();
    client.get(FACT_SHEETS).await.unwrap();
    sb.reset();
    let create = || {
        Request::post(FACT_SHEETS)
            .json(&serde_json::json!({"name": "Paced", "type": "Application"}))
    };
    sb.inject(Endpoint::FactSheets, status(429, Some("1")), 1);
    let created = client.send(create()).await.unwrap();
    assert!(created.is_success(), "{}", created.status());
    let stats = sb.stats();
    assert_eq!(stats.requests(Endpoint::FactSheets, 429), 1);
    assert_eq!(stats.total(Endpoint::FactSheets), 2);
    assert_eq!(stats.writes, 1, "the write ran once");
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(1)]);

    sb.reset();
    sb.inject(Endpoint::FactSheets, status(503, Some("1")), 1);
    let err = client.send(create()).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        sb.stats().total(Endpoint::FactSheets),
        1,
        "a POST answered 503 is not resent"
    );
}

/// `Retry-After` of zero, a past date, a huge number or garbage: always a bounded number of
/// attempts with waits of at least the backoff floor for the first two.
#[tokio::test]
async fn every_retry_after_form_is_bounded() {
    let (sb, clock, client, _) = configured_client(|b| b.adaptive_pacing(false));
    client.get(FACT_SHEETS).await.unwrap();
    let past = httpdate::fmt_http_date(clock.wall() - Duration::from_secs(60));
    for (value, floored) in [
        ("0", true),
        (past.as_str(), true),
        ("-5", true),
        ("99999999999999999999", false),
        ("soon", false),
    ] {
        // The last 503 of the previous case paused the client for its Retry-After: let it end.
        clock.advance(Duration::from_secs(1));
        let before = requests(&sb);
        let slept = clock.sleeps().len();
        sb.inject(Endpoint::FactSheets, status(503, Some(value)), 3);
        let err = client.get(FACT_SHEETS).await.unwrap_err();
        assert_eq!(err.status(), Some(503), "{value}");
        assert_eq!(requests(&sb) - before, 3, "{value}: attempts");
        let waits = &clock.sleeps()[slept..];
        assert_eq!(waits.len(), 2, "{value}");
        for w in waits {
            if floored {
                assert!(*w >= policy::DEFAULT_RETRY_BASE_DELAY, "{value}: {w:?}");
            } else {
                assert!(*w <= policy::DEFAULT_RETRY_MAX_DELAY, "{value}: {w:?}");
            }
        }
    }
}

/// A sustained outage: the retry budget runs out, so the load stays near one request per
/// call instead of `max_attempts`.
#[tokio::test]
async fn the_retry_budget_bounds_the_load_of_an_outage() {
    let (sb, _, client, _) = configured_client(|b| b.adaptive_pacing(false));
    client.get(FACT_SHEETS).await.unwrap();
    let calls = 200u64;
    sb.inject(Endpoint::FactSheets, status(503, None), 10_000);
    let before = requests(&sb);
    for _ in 0..calls {
        assert_eq!(
            client.get(FACT_SHEETS).await.unwrap_err().status(),
            Some(503)
        );
    }
    let sent = requests(&sb) - before;
    eprintln!("{calls} calls in a 100 % 503 outage sent {sent} requests");
    assert!(
        sent <= calls + (policy::RETRY_BUDGET_TOKENS / 2.0) as u64 + 2,
        "{sent} requests for {calls} calls"
    );
    // Without the budget it would have been three per call.
    assert!(sent < calls * 2);
}

/// An API that answers 401 forever costs two exchanges per interval, not one per call.
#[tokio::test]
async fn a_401_storm_exchanges_once_per_interval() {
    let server = TestServer::start();
    let clock = ManualClock::new();
    let client = builder(server.url(), "test-api-token", &clock)
        .build()
        .unwrap();
    for _ in 0..100 {
        server.script_api(Reply::new(
            401,
            r#"{"status":"ERROR","errors":[{"message":"no"}]}"#,
        ));
    }
    // The message says what was done: the first call exchanged and replayed, the others
    // did not exchange again (the reauth interval).
    let first = client.get("/x").await.unwrap_err();
    assert_eq!(first.kind(), ErrorKind::Unauthorized);
    assert!(
        first
            .message()
            .contains("also after a fresh token exchange and one replay"),
        "{first}"
    );
    for _ in 0..19 {
        let err = client.get("/x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unauthorized);
        assert!(
            err.message().contains("the token was not exchanged again")
                && err.message().contains("(reauth_interval)"),
            "{err}"
        );
    }
    // The first token, and one exchange for the first 401.
    assert_eq!(server.token_requests().len(), 2);
    assert_eq!(server.api_requests().len(), 21);
    // After the interval, one 401 may exchange again.
    clock.advance(policy::DEFAULT_REAUTH_INTERVAL);
    client.get("/x").await.unwrap_err();
    assert_eq!(server.token_requests().len(), 3);
}

/// The pacing events of one client, in order.
fn pacing_events(events: &Events) -> Vec<(bool, Option<f64>)> {
    events
        .all()
        .into_iter()
        .filter_map(|e| match e {
            Event::Pacing {
                started,
                requests_per_minute,
            } => Some((started, requests_per_minute)),
            _ => None,
        })
        .collect()
}

/// Sends 40 calls at 20 a second, then one answered 429 (`Retry-After: 1`): the 429 that
/// starts pacing.
async fn start_pacing(sb: &Sandbox, client: &leanix::Client, clock: &ManualClock) {
    for _ in 0..40 {
        client.get(FACT_SHEETS).await.unwrap();
        clock.advance(Duration::from_millis(50));
    }
    sb.inject(Endpoint::FactSheets, status(429, Some("1")), 1);
    client.get(FACT_SHEETS).await.unwrap();
}

/// Pacing starts at a 429 and says so.
#[tokio::test]
async fn pacing_is_reported() {
    let (sb, clock, client, events) = sandbox_client();
    start_pacing(&sb, &client, &clock).await;
    let pacing = pacing_events(&events);
    assert_eq!(pacing.len(), 1, "{pacing:?}");
    let (started, rate) = pacing[0];
    assert!(started);
    // About 0.7 × the 20 requests per second the client was sending.
    let rate = rate.unwrap();
    assert!((600.0..=900.0).contains(&rate), "{rate}");
}

/// A bulk job against a rate (the sandbox's token bucket of 40 a second): the first 429s
/// pause the client once and start pacing at 0.7x the measured rate, CUBIC recovers towards the
/// limit, and one decrease per pause keeps the 429s of the other calls in flight from
/// collapsing the rate. Stated bounds: at most 24 requests throttled (three pauses of 8
/// threads), and a sustained rate (after the bucket's first second) within 10 % of the limit
/// (measured: 0.97-0.98x, 10-15 throttled of 480). The rate's upper bound is the sandbox's to
/// keep; a lower one can only fail if pacing wastes time, not on a slow machine (40 calls a
/// second are nothing to it).
#[test]
fn a_bulk_job_converges_on_the_rate_limit() {
    const RATE: u32 = 40;
    const CALLS: usize = 480;
    let sb = Sandbox::start().unwrap();
    let decreases = Arc::new(AtomicUsize::new(0));
    let seen = decreases.clone();
    let client = leanix::Client::builder()
        .host(sb.url())
        .api_token(sb.api_token())
        .allow_insecure_loopback(true)
        .max_attempts(10)
        .on_event(move |e| {
            if let Event::Pacing { .. } = e {
                seen.fetch_add(1, Ordering::Relaxed);
            }
        })
        .build_blocking()
        .unwrap();
    client.get(FACT_SHEETS).unwrap();
    sb.set_rate_limit_per_second(Some(RATE));
    sb.reset();
    let start = Instant::now();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..CALLS / 8 {
                    client.get(FACT_SHEETS).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let throttled = sb.stats().requests(Endpoint::FactSheets, 429);
    let sustained = (CALLS - RATE as usize) as f64 / elapsed / f64::from(RATE);
    eprintln!(
        "{CALLS} calls from 8 threads at a limit of {RATE}/s: {elapsed:.2} s, sustained {sustained:.2}x the limit, \
         {throttled} x 429, {} pacing changes",
        decreases.load(Ordering::Relaxed)
    );
    assert!(throttled <= 24, "{throttled} requests were throttled");
    assert!(
        sustained <= 1.05,
        "faster than the limit allows: {sustained:.2}x"
    );
    assert!(
        sustained >= 0.9,
        "pacing wasted time: {sustained:.2}x the limit"
    );
}

// ---- Many callers on injected time -----------------------------------------------------------

/// A clock for many concurrent callers: time stands still while any caller works, and moves
/// only when the test says so, to the next wake-up, once every caller sleeps or is done (a
/// discrete-event simulation). Unlike [`ManualClock`], whose every sleep moves time for all,
/// sixteen callers sleeping one second each take one second here. Requests counted between two
/// steps all went out at the virtual time of that step.
#[derive(Clone)]
struct SteppedClock {
    shared: Arc<Stepped>,
}

struct Stepped {
    start: Instant,
    wall_start: SystemTime,
    state: Mutex<SteppedState>,
    /// The elapsed time, for sleepers to wait on.
    time: tokio::sync::watch::Sender<Duration>,
    /// Signalled whenever a caller starts or ends a sleep, or is done.
    changed: tokio::sync::Notify,
}

#[derive(Default)]
struct SteppedState {
    elapsed: Duration,
    next_id: u64,
    /// Sleeps in progress: id → wake-up time. One whose time has come is awake (running, not
    /// yet back) until its future ends.
    sleeps: BTreeMap<u64, Duration>,
    done: usize,
}

/// Ends one sleep's record when its future ends or is dropped.
struct SleepRecord {
    shared: Arc<Stepped>,
    id: u64,
}

impl Drop for SleepRecord {
    fn drop(&mut self) {
        self.shared.state.lock().unwrap().sleeps.remove(&self.id);
        self.shared.changed.notify_waiters();
    }
}

impl SteppedClock {
    fn new() -> Self {
        SteppedClock {
            shared: Arc::new(Stepped {
                start: Instant::now(),
                wall_start: SystemTime::now(),
                state: Mutex::new(SteppedState::default()),
                time: tokio::sync::watch::channel(Duration::ZERO).0,
                changed: tokio::sync::Notify::new(),
            }),
        }
    }

    fn elapsed(&self) -> Duration {
        self.shared.state.lock().unwrap().elapsed
    }

    /// A caller is done.
    fn done(&self) {
        self.shared.state.lock().unwrap().done += 1;
        self.shared.changed.notify_waiters();
    }

    /// Waits until each of `callers` sleeps (until a time still to come) or is done; returns
    /// the next wake-up time, `None` when all are done.
    async fn settled(&self, callers: usize) -> Option<Duration> {
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let st = self.shared.state.lock().unwrap();
                let asleep: Vec<Duration> = st
                    .sleeps
                    .values()
                    .copied()
                    .filter(|wake| *wake > st.elapsed)
                    .collect();
                if asleep.len() + st.done >= callers {
                    return asleep.into_iter().min();
                }
            }
            notified.await;
        }
    }

    /// Moves time to `to` and wakes the sleeps whose time has come.
    fn advance_to(&self, to: Duration) {
        self.shared.state.lock().unwrap().elapsed = to;
        self.shared.time.send_replace(to);
    }
}

impl Clock for SteppedClock {
    fn now(&self) -> Instant {
        self.shared.start + self.elapsed()
    }
    fn wall(&self) -> SystemTime {
        self.shared.wall_start + self.elapsed()
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let shared = Arc::clone(&self.shared);
        let (id, wake) = {
            let mut st = shared.state.lock().unwrap();
            st.next_id += 1;
            let wake = st.elapsed + duration;
            let id = st.next_id;
            st.sleeps.insert(id, wake);
            (id, wake)
        };
        shared.changed.notify_waiters();
        let mut time = shared.time.subscribe();
        let record = SleepRecord { shared, id };
        Box::pin(async move {
            let _record = record;
            let _ = time.wait_for(|now| *now >= wake).await;
        })
    }
}

/// What the server saw in one step of a [`crowd`] run: at `at`, `sent` requests, `refused` of
/// them answered 429.
#[derive(Debug, Clone, Copy)]
struct Step {
    at: Duration,
    sent: u64,
    refused: u64,
}

/// The outcome of a crowd run.
struct Crowd {
    steps: Vec<Step>,
    /// Per call: `Ok(())` or the error kind with its `retry_after`.
    results: Vec<Result<(), (ErrorKind, Option<Duration>)>>,
}

impl Crowd {
    /// Requests sent in `[from, to)`.
    fn sent_between(&self, from: Duration, to: Duration) -> u64 {
        self.steps
            .iter()
            .filter(|s| s.at >= from && s.at < to)
            .map(|s| s.sent)
            .sum()
    }

    fn total(&self) -> u64 {
        self.steps.iter().map(|s| s.sent).sum()
    }

    fn ok(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }
}

/// `callers` concurrent callers, `calls` calls each, on one client with a [`SteppedClock`],
/// against a sandbox that answers every fact-sheet request with 429 and `Retry-After: value`
/// (`None`: no header) until `throttled_for` has passed on that clock.
async fn crowd(
    value: Option<&str>,
    throttled_for: Duration,
    callers: usize,
    calls: usize,
) -> Crowd {
    let sb = Sandbox::start().unwrap();
    let clock = SteppedClock::new();
    let client = client_on(&sb, clock.clone());
    client.get(FACT_SHEETS).await.unwrap();
    let value = value.map(|v| {
        if v == "past" {
            httpdate::fmt_http_date(clock.wall() - Duration::from_secs(60))
        } else {
            v.to_owned()
        }
    });
    sb.reset();
    sb.inject(
        Endpoint::FactSheets,
        Fault::Status {
            status: 429,
            retry_after: value,
        },
        1_000_000,
    );
    let results = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (client, clock, results) = (client.clone(), clock.clone(), results.clone());
            tokio::spawn(async move {
                for _ in 0..calls {
                    let r = client
                        .get(FACT_SHEETS)
                        .await
                        .map(drop)
                        .map_err(|e| (e.kind(), e.retry_after()));
                    results.lock().unwrap().push(r);
                }
                clock.done();
            })
        })
        .collect();
    let mut steps = Vec::new();
    let (mut seen, mut seen_429) = (0, 0);
    let mut throttling = true;
    loop {
        let next = clock.settled(callers).await;
        let stats = sb.stats();
        let (sent, refused) = (
            stats.total(Endpoint::FactSheets),
            stats.requests(Endpoint::FactSheets, 429),
        );
        if sent > seen {
            steps.push(Step {
                at: clock.elapsed(),
                sent: sent - seen,
                refused: refused - seen_429,
            });
        }
        (seen, seen_429) = (sent, refused);
        let Some(next) = next else { break };
        assert!(next < Duration::from_secs(3600), "a caller sleeps {next:?}");
        if throttling && next >= throttled_for {
            // Nothing is in flight: every caller sleeps.
            sb.clear_faults();
            throttling = false;
        }
        clock.advance_to(next);
    }
    for t in tasks {
        t.await.unwrap();
    }
    let results = std::mem::take(&mut *results.lock().unwrap());
    Crowd { steps, results }
}

/// 16 concurrent callers, 3 calls each, against a server that throttles for one second with
/// `Retry-After: 1`: the first wave (at most one request per caller) is all the server sees
/// before the retry time; then every call succeeds, paced.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_callers_wait_for_the_retry_time_together() {
    let run = crowd(Some("1"), Duration::from_secs(1), 16, 3).await;
    eprintln!("Retry-After: 1: {:?}", run.steps);
    let first_second = run.sent_between(Duration::ZERO, Duration::from_secs(1));
    assert!(
        first_second <= 16,
        "{first_second} requests in the first second"
    );
    assert_eq!(
        run.sent_between(Duration::from_nanos(1), Duration::from_secs(1)),
        0,
        "requests before the retry time"
    );
    assert_eq!(run.ok(), 48, "every call succeeds after the pause");
    assert_eq!(run.total(), first_second + 48);
}

/// Every `Retry-After` form against 16 concurrent callers of one client (one call each, the
/// default three attempts), the server answering 429 for the first second: a bounded number of
/// requests, never a hot loop, and no request while the client is paused. Measured: `1` and
/// `120` 16 requests in the first second; `0`, a past date, a huge number, garbage and none
/// 9-37 (16, then retries spread by each caller's random backoff and paced by the client).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_retry_after_form_is_bounded_for_sixteen_callers() {
    let attempts = u64::from(policy::DEFAULT_MAX_ATTEMPTS);
    let floor = policy::DEFAULT_RETRY_BASE_DELAY;
    // (Retry-After, the pause each 429 sets if fixed)
    let cases: [(Option<&str>, Option<Duration>); 7] = [
        (Some("1"), Some(Duration::from_secs(1))),
        (Some("0"), Some(floor)),
        (Some("past"), Some(floor)),
        (Some("99999999999999999999"), None),
        (Some("soon"), None),
        (None, None),
        (Some("120"), Some(Duration::from_secs(120))),
    ];
    for (value, pause) in cases {
        let run = crowd(value, Duration::from_secs(1), 16, 1).await;
        let first_second = run.sent_between(Duration::ZERO, Duration::from_secs(1));
        eprintln!(
            "Retry-After {value:?}: {first_second} requests in the first second, {} in all, {} of 16 calls succeeded; steps {:?}",
            run.total(),
            run.ok(),
            run.steps
        );
        // Never more than every caller's attempts.
        assert!(run.total() <= 16 * attempts, "{value:?}: {}", run.total());
        // The first wave is at most one request per caller. What follows depends on the
        // random backoff of each caller (measured: 9-37 requests in the first second, spread
        // over one to a dozen steps), so its shape is not asserted; the bound above is what
        // rules out a hot loop (which would send thousands), and the pause check below what
        // rules out sending while the client is paused.
        assert!(run.steps[0].sent <= 16, "{value:?}: {:?}", run.steps[0]);
        if let Some(pause) = pause {
            // No request while a 429's pause lasts.
            for s in run.steps.iter().filter(|s| s.refused > 0) {
                let early = run.sent_between(s.at + Duration::from_nanos(1), s.at + pause);
                assert_eq!(early, 0, "{value:?}: sent during the pause after {s:?}");
            }
        }
    }
}

/// A `Retry-After` beyond what a call waits for (`max_retry_after`) but believable: the call
/// that got it gives up, and the whole client stays paused until the retry time. 16 concurrent
/// callers after it send nothing and fail at once with `RateLimited` and the remaining wait;
/// the same for a 503 with `Retry-After`. Once the time has come, calls go out again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retry_after_beyond_the_cap_pauses_every_caller_until_then() {
    for status_code in [429, 503] {
        let (sb, clock, client, _) = sandbox_client();
        client.get(FACT_SHEETS).await.unwrap();
        sb.reset();
        sb.inject(
            Endpoint::FactSheets,
            status(status_code, Some("3600")),
            1_000_000,
        );
        let err = client.get(FACT_SHEETS).await.unwrap_err();
        assert_eq!(err.status(), Some(status_code), "{err}");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
        for call in concurrent_gets(&client, 16).await {
            let err = call.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::RateLimited, "{status_code}: {err}");
            assert_eq!(err.status(), None, "not sent: {err}");
            assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
        }
        assert_eq!(
            requests(&sb),
            1,
            "{status_code}: the server saw one request"
        );
        assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
        // A caller with a deadline past the retry time waits for it, then sends.
        sb.clear_faults();
        let ok = client
            .send(Request::get(FACT_SHEETS).timeout(Duration::from_secs(4000)))
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(3600)]);
        assert_eq!(requests(&sb), 2);
    }
}

/// A 429 (or a 503 with `Retry-After`) of the token endpoint pauses the client too: 16
/// concurrent callers of a client without a token cause one token request; the calls during
/// the pause fail with `RateLimited` and the remaining wait without asking again, whichever
/// way they reach the token (an API call, `access_token`); after the retry time one exchange
/// goes out and the calls succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_endpoint_429_pauses_the_client() {
    for status_code in [429, 503] {
        let (sb, clock, client, _) = sandbox_client();
        sb.inject(
            Endpoint::Token,
            status(status_code, Some("3600")),
            1_000_000,
        );
        for call in concurrent_gets(&client, 16).await {
            let err = call.unwrap_err();
            let expected = if status_code == 429 || err.status().is_none() {
                ErrorKind::RateLimited
            } else {
                ErrorKind::Http
            };
            assert_eq!(err.kind(), expected, "{status_code}: {err}");
            assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
        }
        let token_requests = || sb.stats().total(Endpoint::Token);
        assert_eq!(token_requests(), 1, "{status_code}: one token request");
        let err = client.access_token().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
        clock.advance(Duration::from_secs(1800));
        let err = client.get(FACT_SHEETS).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(1800)));
        assert_eq!(token_requests(), 1);
        assert_eq!(requests(&sb), 0);
        assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
        clock.advance(Duration::from_secs(1800));
        sb.clear_faults();
        client.get(FACT_SHEETS).await.unwrap();
        assert_eq!(token_requests(), 2);
    }
}

/// Pacing that a 429 started stops after [`policy::PACING_QUIET`] without one, and says so
/// (`started: false`, no pace left); not a moment before.
#[tokio::test]
async fn pacing_stops_after_the_quiet_period_and_says_so() {
    let (sb, clock, client, events) = sandbox_client();
    start_pacing(&sb, &client, &clock).await;
    assert_eq!(pacing_events(&events).len(), 1);
    assert!(pacing_events(&events)[0].0, "started");
    // Recovery starts when the pause ends (1 s after the 429, which the call slept through).
    clock.advance(policy::PACING_QUIET - Duration::from_secs(1));
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(
        pacing_events(&events).len(),
        1,
        "still pacing just before the end"
    );
    clock.advance(Duration::from_secs(1));
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(pacing_events(&events)[1..], [(false, None)]);
    // No longer paced: a burst goes out without a wait.
    let slept = clock.sleeps().len();
    for _ in 0..50 {
        client.get(FACT_SHEETS).await.unwrap();
    }
    assert_eq!(clock.sleeps().len(), slept);
    assert_eq!(pacing_events(&events).len(), 2);
}

/// A fixed `max_requests_per_minute` paces without an event (it is the caller's own setting,
/// see the `rate` module); pacing that a 429 adds on top is reported, and its stop event
/// carries the fixed rate that stays.
#[tokio::test]
async fn a_fixed_rate_sends_no_event_and_stays_after_pacing_stops() {
    let (sb, clock, client, events) = configured_client(|b| b.max_requests_per_minute(Some(600)));
    for _ in 0..40 {
        client.get(FACT_SHEETS).await.unwrap();
    }
    // 10 a second: the bucket's first 10, then 30 waits of 0.1 s.
    let slept: Duration = clock.sleeps().iter().sum();
    assert!((slept.as_secs_f64() - 3.0).abs() < 0.01, "{slept:?}");
    assert!(
        pacing_events(&events).is_empty(),
        "{:?}",
        pacing_events(&events)
    );
    sb.inject(Endpoint::FactSheets, status(429, Some("1")), 1);
    client.get(FACT_SHEETS).await.unwrap();
    let started = pacing_events(&events);
    assert_eq!(started.len(), 1, "{started:?}");
    let (true, Some(rate)) = started[0] else {
        panic!("{started:?}")
    };
    assert!(rate < 600.0, "slower than the fixed rate: {rate}");
    clock.advance(policy::PACING_QUIET);
    client.get(FACT_SHEETS).await.unwrap();
    assert_eq!(pacing_events(&events)[1..], [(false, Some(600.0))]);
}
